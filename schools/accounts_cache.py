"""The signed-in user and their active memberships, read from a short copy in the cache instead of two queries on
every request (settings.AUTHENTICATION_BACKENDS: `AccountBackend`).

Every request of a signed-in user loads the user (django.contrib.auth checks the session against the password's
hash and that the account is active) and their memberships (what the user may see and do, schools.access). On a
department's cached page those two queries were a third of what the request cost. The copy is kept as
notification_counts keeps the unread count: stored with the user's account version, `(version, user)`, and served
only while the version is the same. Whatever changes an account, a membership, or the school or department a
membership names (their name, time zone) gives the users concerned a new version, at once and again after the
commit (`accounts_changed`), so a deactivated account, a withdrawn role or a new password takes effect on the next
request: a copy stored by a request that read the old rows between the two is stored under the first new version,
which the commit's replaces. The versions are replaced by model signals rather than by calls in the services:
the commands, the factories and data migrations save these rows too, and one missed call would leave rights stale
for as long as a copy lives; the receivers do nothing but replace versions.

A copy lives SESSION_CACHE_SECONDS at most, like the session's: with a shared cache (Redis, production) the new
version reaches every process at once; with each process's own memory (the embedded setup's locmem) another
process's copy is gone within those seconds. A copy is stored only outside a transaction (a request's reads inside
one may be of its own uncommitted writes). The cache fails open: when it raises, the database answers and the
cache is left alone for a short while.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from vpr_portal import versioned

log = logging.getLogger(__name__)

PREFIX = "accounts:v1"
PAUSE_AFTER_FAILURE = 30.0  # seconds without the cache after it failed: a dead cache does not slow every request

_paused_until = 0.0


def _failed(error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
    log.warning("accounts: cache unavailable (%s), the database alone for %ss", error, PAUSE_AFTER_FAILURE)


def _keys(user_id) -> tuple[str, str]:
    return f"{PREFIX}:version:{user_id}", f"{PREFIX}:user:{user_id}"


def cached_account(user_id, load: Callable):
    """The user `user_id` with their active memberships read (`User.active_memberships`): a current copy from the
    cache, else `load()` (the user, or None), stored for the next requests when it is a user."""
    if not user_id or time.monotonic() < _paused_until:
        return load()
    version_key, user_key = _keys(user_id)
    try:
        version, stored = versioned.read(version_key, user_key)
    except Exception as error:  # the cache down: the database answers
        _failed(error)
        return load()
    if stored is not versioned.MISSING:
        return stored
    user = load()
    if user is not None:
        _ = user.active_memberships  # read now, so that the copy carries them
        try:
            versioned.store(user_key, version, user, settings.SESSION_CACHE_SECONDS)
        except Exception as error:
            _failed(error)
    return user


def _bump(user_ids: list[int]) -> None:
    try:
        versioned.replace_versions([_keys(user_id)[0] for user_id in user_ids])
    except Exception as error:
        _failed(error)
        try:  # without a new version, at least no copy
            cache.delete_many([key for user_id in user_ids for key in _keys(user_id)])
        except Exception:
            pass


def accounts_changed(user_ids) -> None:
    """The users' accounts or memberships changed: their copies are not current, now and after the commit."""
    ids = sorted({int(each) for each in user_ids if each})
    if not ids:
        return
    _bump(ids)
    transaction.on_commit(lambda: _bump(ids))


def connect_signals() -> None:
    """A saved or deleted account, membership, school or department gives its users a new version (SchoolsConfig)."""
    from django.db.models.signals import post_delete, post_save

    from .models import Department, Membership, School, User

    def account(sender, instance, **kwargs):
        accounts_changed([instance.pk])

    def membership(sender, instance, **kwargs):
        accounts_changed([instance.user_id])

    def organisation(field: str):
        def changed(sender, instance, created=False, **kwargs):
            if not created:  # a new school or department is nobody's membership yet
                accounts_changed(Membership.objects.filter(**{field: instance.pk}).values_list("user_id", flat=True))

        return changed

    receivers = {User: account, Membership: membership}
    receivers |= {School: organisation("school_id"), Department: organisation("department_id")}
    for signal in (post_save, post_delete):
        for model, receiver in receivers.items():
            # weak=False: the receivers are this function's own, nothing else keeps them
            uid = f"accounts_cache.{model.__name__}.{'save' if signal is post_save else 'delete'}"
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
