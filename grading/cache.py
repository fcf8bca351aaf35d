"""Cached figures of the region pages, invalidated exactly by the assessments' results stamps.

What the department's pages compute from an assessment's summary rows (every school's tallies, the item analysis,
the objectivity signals) changes only when those rows change, and every write of them bumps the assessment's
`ResultsStamp` in the same transaction (grading/summaries.py). A cached value's key carries the stamp versions of
every assessment it depends on (and whatever else it reads that can change, such as the department's thresholds
version for the signals), so that a write makes the old entries unreachable at once: there is no reliance on
expiry, whose long timeout only bounds the memory of entries nobody reaches any more.

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
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from grading.models import ResultsStamp

log = logging.getLogger(__name__)

T = TypeVar("T")

TIMEOUT = 7 * 24 * 3600  # bounds memory only: a write makes an entry unreachable through its key
PAUSE_AFTER_FAILURE = 30.0  # seconds without the cache after it raised
PREFIX = "grading.cache:v1"

_MISSING = object()
_paused_until = 0.0


def stamps(assessment_ids: Iterable[int]) -> dict[int, int]:
    """assessment id → its results stamp's version (0 before its first write). One query."""
    ids = sorted(set(assessment_ids))
    if not ids:
        return {}
    found = dict(ResultsStamp.objects.filter(assessment_id__in=ids).values_list("assessment_id", "version"))
    return {pk: found.get(pk, 0) for pk in ids}


def stamped(assessment_ids: Iterable[int]) -> tuple:
    """Key parts of the assessments' ids with their stamp versions, in id order. One query."""
    return tuple(f"{pk}@{version}" for pk, version in stamps(assessment_ids).items())


def _key(name: str, key_parts: Iterable) -> str:
    key = f"{PREFIX}:{name}:" + ":".join(str(part) for part in key_parts)
    if len(key) > 200:
        key = f"{PREFIX}:{name}:#" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _failed(action: str, error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning("grading.cache: %s failed (%s), computing without the cache for %ss", action, error, PAUSE_AFTER_FAILURE)


def cached(name: str, key_parts: Iterable, compute: Callable[[], T]) -> T:
    """The value of `compute()` under the key of `name` and `key_parts` (which must carry the stamps of every
    assessment the value depends on, see `stamped`): from the cache when there, otherwise computed and stored
    (outside a transaction only). A failing cache is skipped: the value is computed."""
    key = _key(name, key_parts)
    if time.monotonic() < _paused_until:
        return compute()
    try:
        value = cache.get(key, _MISSING)
    except Exception as error:  # noqa: BLE001 — any cache failure falls back to computing
        _failed("get", error)
        return compute()
    if value is not _MISSING:
        return value
    value = compute()
    if not connection.in_atomic_block:
        try:
            cache.set(key, value, TIMEOUT)
        except Exception as error:  # noqa: BLE001
            _failed("set", error)
    return value
