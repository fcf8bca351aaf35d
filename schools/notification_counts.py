"""Each user's count of unread notices (the navbar's bell, on every page) kept in the cache, exact.

The count is stored with the user's notices version: `(version, count)`. Whatever creates or reads a user's
notices calls `notices_changed` for them; after the commit it gives the user a new version, so a count stored
under an older one is never served again (also one computed by a request that read the notices just before the
change: it was stored with the version read before the count). A version missing from the cache (evicted,
flushed) is made anew, so an old stored count cannot come back. One cache round trip a request when all is
there; with the cache down the count is read from the database, as before.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

from vpr_portal import versioned

log = logging.getLogger(__name__)

COUNT_TIMEOUT = 600  # bounds how long a count could outlive a change whose version the cache failed to take
PAUSE_AFTER_FAILURE = 30.0  # seconds without the cache after it failed: a dead cache does not slow every request

_paused_until = 0.0


def _failed(error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning("notification counts: cache unavailable (%s), the database alone for %ss", error, PAUSE_AFTER_FAILURE)


def _keys(user_id: int) -> tuple[str, str]:
    return f"notices:version:{user_id}", f"notices:unread:{user_id}"


def unread_count(user) -> int:
    """The user's unread notices (schools.selectors.unread_notification_count), from the cache when current."""
    from .selectors import unread_notification_count

    if time.monotonic() < _paused_until:
        return unread_notification_count(user)
    version_key, count_key = _keys(user.pk)
    try:
        version, stored = versioned.read(version_key, count_key)
    except Exception as error:  # the cache down: the database answers
        _failed(error)
        return unread_notification_count(user)
    if stored is not versioned.MISSING:
        return stored
    count = unread_notification_count(user)
    try:
        versioned.store(count_key, version, count, COUNT_TIMEOUT)
    except Exception as error:
        _failed(error)
    return count


def notices_changed(user_ids) -> None:
    """The users' notices were created or read: their stored counts are not current (after the commit)."""
    ids = sorted({int(each) for each in user_ids})

    def bump() -> None:
        try:
            versioned.replace_versions([_keys(user_id)[0] for user_id in ids])
        except Exception as error:
            _failed(error)
            try:
                cache.delete_many([key for user_id in ids for key in _keys(user_id)])
            except Exception:
                pass

    if ids:
        transaction.on_commit(bump)
