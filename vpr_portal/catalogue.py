"""The catalogue's rows a department's request resolves from its URL — the campaign, the assessment, the school —
kept by each process while the catalogue is unchanged, instead of a query each.

On the department's cached pages the ORM's building of those lookups was a third of a request's CPU. A row is kept
under the catalogue's version and served only while the version is the same. Every save or delete of a campaign,
an assessment, a school, a department, a subject or a delegation (which can open a school to a person) gives the
catalogue a new version in the cache, at once and
again after the commit (`catalogue_changed`, connected by the apps that own those models: SchoolsConfig,
ProceduresConfig), so a rename, a campaign announced or a school moved shows on the next request. Model signals
rather than calls in the services, as for accounts (schools/accounts_cache.py): every path that saves these rows
is covered, and the receivers do nothing but replace the version. A row a request
read between the two versions is kept under the first new one, which the commit's replaces.

The key holds the reader's scope (their roles and departments) and what the lookup was asked for, so a row found
for one scope is never served to another. Only rows found are kept: a code not found is looked up again, so a new
campaign, even one created in bulk, is found at once. Nothing is kept inside a transaction (its reads may be its
own uncommitted writes). With a shared cache (Redis, production) the new version reaches every process at once;
with each process's own memory (the embedded setup) a row kept by another process lives KEPT_SECONDS at most. The
cache fails open: when it raises, every lookup reads the database, and the cache is left alone for a short while.
"""

import logging
import pickle
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import transaction

from vpr_portal import versioned

log = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "catalogue:v1:version"
VERSION_TIMEOUT = 7 * 24 * 3600
KEPT_SECONDS = 10.0
KEPT_MOST = 5000  # rows kept by a process (cleared past that)
PAUSE_AFTER_FAILURE = 30.0

_paused_until = 0.0
_kept: dict[tuple, tuple[str, float, bytes]] = {}


def _failed(error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning("catalogue: cache unavailable (%s), the database alone for %ss", error, PAUSE_AFTER_FAILURE)


def _version() -> str | None:
    """The catalogue's current version (a new one made when the cache has none), or None without a cache."""
    if time.monotonic() < _paused_until:
        return None
    try:
        return versioned.current_version(VERSION_KEY, VERSION_TIMEOUT)
    except Exception as error:
        _failed(error)
        return None


def remembered(kind: str, key: tuple[Hashable, ...], load: Callable[[], T]) -> T:
    """`load()`'s row (it raises when there is none, e.g. Http404), or a copy of the one kept for `kind` and `key`
    under the catalogue's current version. Each call gets its own copy: a request may change its objects."""
    version = _version()
    if version is None:
        return load()
    name = (kind, *key)
    kept = _kept.get(name)
    now = time.monotonic()
    if kept is not None and kept[0] == version and now - kept[1] < KEPT_SECONDS:
        return pickle.loads(kept[2])
    row = load()
    if not transaction.get_connection().in_atomic_block:
        if len(_kept) >= KEPT_MOST:
            _kept.clear()
        _kept[name] = (version, now, pickle.dumps(row))
    return row


def forget() -> None:
    """Drops every kept row of this process (tests)."""
    _kept.clear()


def _bump() -> None:
    try:
        versioned.replace_versions([VERSION_KEY], VERSION_TIMEOUT)
    except Exception as error:
        _failed(error)
    _kept.clear()


def catalogue_changed(**_signal) -> None:
    """A campaign, assessment, school, department or subject was saved or deleted: the kept rows are not current,
    now and after the commit (a signal receiver)."""
    _bump()
    transaction.on_commit(_bump)


def connect(*models) -> None:
    """Gives the catalogue a new version on every save and delete of `models` (an app's ready())."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal, action in ((post_save, "save"), (post_delete, "delete")):
            uid = f"catalogue.{model._meta.label}.{action}"
            signal.connect(catalogue_changed, sender=model, weak=False, dispatch_uid=uid)
