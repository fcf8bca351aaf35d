from schools.access import Capability as C
from schools.models import Role

from .base import DEPT, MUNICIPAL, Page, school_kwargs

PAGES = {
    "monitoring:assignments": Page(frozenset({Role.OBSERVER})),
    "monitoring:cards": Page(DEPT),
    "reports:overview": Page(MUNICIPAL),
    "procedures:director_start": Page(C.APPROVE_ORDER, kwargs=school_kwargs, scoped=True),
    "procedures:technical_start": Page(C.PRINT_MATERIALS, kwargs=school_kwargs, scoped=True),
}
