from schools.models import Role

from .base import DEPT, MUNICIPAL, Page, school_kwargs

PAGES = {
    "monitoring:assignments": Page(frozenset({Role.OBSERVER})),
    "monitoring:cards": Page(DEPT),
    "reports:overview": Page(MUNICIPAL),
    "procedures:director_start": Page(frozenset({Role.DIRECTOR}), kwargs=school_kwargs, scoped=True),
    "procedures:technical_start": Page(frozenset({Role.TECHNICAL_SPECIALIST}), kwargs=school_kwargs, scoped=True),
}
