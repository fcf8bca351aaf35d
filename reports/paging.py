"""A page of 50 schools at a time for the department's region-wide lists, searched by code or name; the order
the rows come in (the school's code, R15) is kept."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator


@dataclass(frozen=True)
class SchoolPage:
    page_obj: Page
    query: str  # the search as typed, for the form
    total: int  # rows before the search and the filters


def matches(query: str, code: str, name: str) -> bool:
    """The school's code or short name contains the search, whatever the case."""
    folded = query.casefold()
    return folded in code.casefold() or folded in name.casefold()


def school_page(request, rows: Sequence, *, school: Callable = lambda row: row.school, keep=None) -> SchoolPage:
    """The page `?page=` of `rows` (already by code), keeping those whose school matches `?q=` and, when given,
    `keep(row)`. An unknown page number gives the last page, as Django's get_page does."""
    query = request.GET.get("q", "").strip()
    kept = [
        row
        for row in rows
        if (not query or matches(query, school(row).code, school(row).short_name)) and (keep is None or keep(row))
    ]
    page_obj = Paginator(kept, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return SchoolPage(page_obj=page_obj, query=query, total=len(rows))
