"""The order of classes wherever they are listed: by grade as a number, then by letter («4А» < «4Б» < «10А»)."""

import re
from collections.abc import Iterable

from django.db.models import Case, F, Value, When

CLASS_NAME_RE = re.compile(r"^(\d+)\s*(.*)$")


def class_sort_key(name: str) -> tuple:
    """«4А» < «4Б» < «10А»: the grade as a number, then the letter; a name without a grade goes last."""
    match = CLASS_NAME_RE.match((name or "").strip())
    if match:
        return (int(match.group(1)), match.group(2).casefold())
    return (10_000, (name or "").casefold())


def class_names_sorted(names: Iterable[str]) -> list[str]:
    """The distinct names in class order."""
    return sorted({name for name in names if name}, key=class_sort_key)


def class_names_text(names: Iterable[str]) -> str:
    """«4А, 4В, 10Б»: each class once, in class order, all of them."""
    return ", ".join(class_names_sorted(names))


def class_name_ordering(field: str = "class_name") -> list:
    """`order_by` terms that sort a stored class name in class order in the database: a one-digit grade before a
    two-digit one, then the name («4А» < «4Б» < «10А» < «11А»)."""
    two_digit = Case(When(**{f"{field}__regex": r"^[0-9][0-9]"}, then=Value(1)), default=Value(0))
    return [two_digit.asc(), F(field).asc()]
