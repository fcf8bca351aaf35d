"""Values kept in the cache under a version that their writers replace: a copy is served only while it was stored
under the version the cache holds now, so a write makes every older copy unreachable at once, with no reliance on
expiry (schools.notification_counts, schools.accounts_cache, vpr_portal.catalogue).

A version missing from the cache (evicted, flushed) is made anew, so an old copy cannot come back. These helpers
raise what the cache raises: each user fails open in its own way (reads the database, pauses the cache).
"""

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_TIMEOUT = 24 * 3600
MISSING = object()


def current_version(version_key: str, timeout: int = VERSION_TIMEOUT) -> str | None:
    """The version the cache holds under `version_key`, a new one made when it holds none."""
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, uuid.uuid4().hex, timeout)
        version = cache.get(version_key)
    return version


def read(version_key: str, value_key: str) -> tuple[str | None, Any]:
    """(the current version, the value stored under it or MISSING), in one round trip when both are there."""
    found = cache.get_many([version_key, value_key])
    version, stored = found.get(version_key), found.get(value_key)
    if version is not None and isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return version, stored[1]
    return (version if version is not None else current_version(version_key)), MISSING


def store(value_key: str, version: str | None, value, timeout: float) -> None:
    """Keeps `value` under `version` (read before the value was): not inside a transaction, whose reads may be its
    own uncommitted writes, and not without a version."""
    if version is not None and not transaction.get_connection().in_atomic_block:
        cache.set(value_key, (version, value), timeout)


def replace_versions(version_keys: list[str], timeout: int = VERSION_TIMEOUT) -> None:
    """New versions under `version_keys`: every copy stored under the old ones is unreachable."""
    cache.set_many({key: uuid.uuid4().hex for key in version_keys}, timeout)
