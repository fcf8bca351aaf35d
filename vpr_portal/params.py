"""Reading list pages' query parameters: whatever arrives in the address, a page answers with a list, never a 500.

An identifier that is not a plain positive integer the database can hold (`?class=99999999999999999999999`,
`?class=²`, `?class=-1`) is treated as absent; a text loses the characters a database refuses (NUL) and is cut
to a sensible length.
"""

from django.http import QueryDict

# The largest value of a 64-bit signed integer column (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
TEXT_MAX_LENGTH = 200


def id_param(query: QueryDict, name: str, *, maximum: int = MAX_ID) -> int | None:
    """The parameter as a positive integer up to `maximum`, else None."""
    raw = query.get(name, "").strip()
    if not raw or len(raw) > len(str(maximum)) or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


def text_param(query: QueryDict, name: str, *, max_length: int = TEXT_MAX_LENGTH) -> str:
    """The parameter as stripped text without control characters, at most `max_length` characters."""
    raw = query.get(name, "")
    cleaned = "".join(character for character in raw[: max_length * 4] if character >= " " and character != "\x7f")
    return cleaned.strip()[:max_length]
