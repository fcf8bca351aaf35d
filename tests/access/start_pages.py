from schools.access import Capability as C

from .base import Page, school_kwargs

PAGES = {
    "monitoring:assignments": Page(C.OBSERVE),
    "monitoring:instruction_acknowledge": Page(C.OBSERVE, ok=405),  # POST only
    "monitoring:cards": Page(C.MONITOR),
    "reports:overview": Page(C.VIEW_OVERVIEW),
    "procedures:director_start": Page(C.APPROVE_ORDER, kwargs=school_kwargs, scoped=True),
    "procedures:technical_start": Page(C.PRINT_MATERIALS, kwargs=school_kwargs, scoped=True),
}
