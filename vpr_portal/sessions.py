"""Sessions in the database with a short-lived copy in the cache (SESSION_ENGINE): a signed-in request reads its
session from the cache instead of a query, and the database keeps every session, so a flushed, restarted or
unreachable cache logs nobody out.

Django's cached_db store raises when the cache does while it fills the cache after a database read, checks a new
key or deletes a session; here every cache call fails open, as grading.cache does: the database answers, and
the cache is left alone for a short while so that a request does not wait for a connection timeout each time.

A copy lives SESSION_CACHE_SECONDS at most: a log-out deletes it, but a copy the deletion could not reach (a
cache that was down at that moment, or the local memory of another worker process when no shared cache is
configured) is gone within those seconds. The password hash check of every request (django.contrib.auth) does
not depend on the session's copy.
"""

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db

log = logging.getLogger(__name__)

PAUSE_AFTER_FAILURE = 30.0  # seconds without the cache after it raised

_paused_until = 0.0


def _failed(action: str, error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning("sessions: cache %s failed (%s), the database alone for %ss", action, error, PAUSE_AFTER_FAILURE)


def _cache_usable() -> bool:
    return time.monotonic() >= _paused_until


class SessionStore(cached_db.SessionStore):
    """cached_db whose cache holds a short-lived copy: read first, filled after a database read, written after the
    database, and skipped when it fails."""

    def _copy_seconds(self, expiry=None) -> int:
        return max(0, min(settings.SESSION_CACHE_SECONDS, self.get_expiry_age(expiry=expiry)))

    def load(self):
        data = None
        if _cache_usable():
            try:
                data = self._cache.get(self.cache_key)
            except Exception as error:
                _failed("get", error)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        if _cache_usable():
            try:
                self._cache.set(self.cache_key, data, self._copy_seconds(stored.expire_date))
            except Exception as error:
                _failed("set", error)
        return data

    def exists(self, session_key):
        if session_key and _cache_usable():
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception as error:
                _failed("get", error)
        return cached_db.DBStore.exists(self, session_key)

    def save(self, must_create=False):
        cached_db.DBStore.save(self, must_create)
        if _cache_usable():
            try:
                self._cache.set(self.cache_key, self._session, self._copy_seconds())
            except Exception as error:
                _failed("set", error)

    def delete(self, session_key=None):
        if session_key is None:
            session_key = self.session_key
        cached_db.DBStore.delete(self, session_key)
        if session_key is None:
            return
        try:  # tried even while paused: a copy left behind would keep a logged-out session for its seconds
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception as error:
            _failed("delete", error)
