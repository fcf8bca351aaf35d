from schools.models import Role

from .base import DEPT, MUNICIPAL, Page

PAGES = {
    "grading:my_works": Page(frozenset({Role.EXPERT})),
    "monitoring:assignments": Page(frozenset({Role.OBSERVER})),
    "monitoring:cards": Page(DEPT),
    "reports:overview": Page(MUNICIPAL),
}
