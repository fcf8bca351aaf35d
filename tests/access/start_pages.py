from schools.models import Role

from .base import DEPT, MUNICIPAL, Page

PAGES = {
    "monitoring:assignments": Page(frozenset({Role.OBSERVER})),
    "monitoring:cards": Page(DEPT),
    "reports:overview": Page(MUNICIPAL),
}
