"""Cached figures of the region pages, invalidated exactly by the assessments' results stamps.

What the department's pages compute from an assessment's summary rows (every school's tallies, the item analysis,
the objectivity signals) changes only when those rows change, and every write of them bumps the assessment's
`ResultsStamp` in the same transaction (grading/summaries.py). A cached value carries the stamp versions of every
assessment it depends on (`stamped`) and is returned only to a reader whose stamps are the same, so that a write
makes the old value unreachable at once, with no reliance on expiry. One entry is kept per name and other key
parts (such as the assessment and the department's thresholds version for the signals): a newer value replaces
the older one, so the memory does not grow with the writes (the long timeout only drops what nobody reads).

The cache is Django's default (locmem in the embedded setup, Redis in production, vpr_portal/settings.py). It
fails open: when the cache raises (Redis down) the value is computed and returned, never an error, and the cache is
left alone for a short while so that each request does not wait for a connection timeout.

Values are stored only outside a transaction: inside one, the stamps read may be this transaction's own
uncommitted bumps, and a rolled back bump's number is given again by the next write, so a value stored under it
could be read as that write's. Reading inside a transaction is safe.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from grading.models import ResultsStamp

log = logging.getLogger(__name__)

T = TypeVar("T")

TIMEOUT = 7 * 24 * 3600  # bounds memory only: a write makes an entry unreachable through its stamps
PAUSE_AFTER_FAILURE = 30.0  # seconds without the cache after it raised
PREFIX = "grading.cache:v1"

_paused_until = 0.0


class Stamp(NamedTuple):
    """An assessment's id and its results stamp's version, as a part of a cached value's key."""

    assessment_id: int
    version: int


class Version(NamedTuple):
    """Another version a cached value depends on (the department's thresholds, …), as a part of its key: like a
    stamp, a new value makes the entry's old value unreachable and replaces it, rather than adding an entry."""

    name: str
    value: object


def _entry_part(part):
    """What a key part adds to the entry's name: a stamp its assessment, a version its name, else the part."""
    if isinstance(part, Stamp):
        return part.assessment_id
    if isinstance(part, Version):
        return part.name
    return part


def stamps(assessment_ids: Iterable[int]) -> dict[int, int]:
    """assessment id → its results stamp's version (0 before its first write). One query."""
    ids = sorted(set(assessment_ids))
    if not ids:
        return {}
    found = dict(ResultsStamp.objects.filter(assessment_id__in=ids).values_list("assessment_id", "version"))
    return {pk: found.get(pk, 0) for pk in ids}


def stamped(assessment_ids: Iterable[int]) -> tuple[Stamp, ...]:
    """Key parts of the assessments with their stamp versions, in id order. One query."""
    return tuple(Stamp(pk, version) for pk, version in stamps(assessment_ids).items())


def stamp_version() -> Coalesce:
    """An assessment's results stamp's version as an annotation (0 before its first write, as `stamps` reads it):
    a page reads its assessments and their stamps in one query."""
    stamp = ResultsStamp.objects.filter(assessment_id=OuterRef("pk")).values("version")[:1]
    return Coalesce(Subquery(stamp), Value(0), output_field=BigIntegerField())


def campaign_assessments_shown(campaign) -> tuple:
    """Key parts of a page that shows a campaign's assessments: what it shows of them (code, grade, subject) as
    one `Version`, then each one's `Stamp` — read together in one query."""
    rows = tuple(
        campaign.assessments.order_by("pk")
        .annotate(stamp_version=stamp_version())
        .values_list("pk", "code", "grade", "subject__name", "stamp_version")
    )
    return (Version("assessments", tuple(row[:4] for row in rows)), *(Stamp(row[0], row[4]) for row in rows))


def stamped_assessments(assessments: Iterable) -> tuple[Stamp, ...]:
    """`stamped` of assessments read with their `stamp_version` annotation: no query; those read without it are
    looked up (one query)."""
    known, unknown = {}, []
    for assessment in assessments:
        version = getattr(assessment, "stamp_version", None)
        if version is None:
            unknown.append(assessment.pk)
        else:
            known[assessment.pk] = version
    known.update(stamps(unknown))
    return tuple(Stamp(pk, known[pk]) for pk in sorted(known))


def _key(name: str, key_parts: Iterable) -> str:
    key = f"{PREFIX}:{name}:" + ":".join(str(part) for part in key_parts)
    if len(key) > 200:
        key = f"{PREFIX}:{name}:#" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _failed(action: str, error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning(
        "grading.cache: %s failed (%s), computing without the cache for %ss", action, error, PAUSE_AFTER_FAILURE
    )


def cached(name: str, key_parts: Iterable, compute: Callable[[], T], *, timeout: int = TIMEOUT) -> T:
    """The value of `compute()` for `name` and `key_parts`, which must carry the stamps of every assessment the value
    depends on (`stamped`) and the other versions it depends on (`Version`): from the cache when it holds the value
    of the same key parts, otherwise computed and stored (outside a transaction only) in place of the entry's older
    value. A failing cache is skipped."""
    parts = tuple(key_parts)
    # the entry: the other parts, the assessments of the stamps and the names of the versions (not their values)
    key = _key(name, [_entry_part(part) for part in parts])
    if time.monotonic() < _paused_until:
        return compute()
    try:
        entry = cache.get(key)
    except Exception as error:
        _failed("get", error)
        return compute()
    if entry is not None and entry[0] == parts:
        return entry[1]
    value = compute()
    if not connection.in_atomic_block:
        try:
            cache.set(key, (parts, value), timeout)
        except Exception as error:
            _failed("set", error)
    return value
