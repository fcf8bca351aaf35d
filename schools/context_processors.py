from django.urls import get_script_prefix

from .navigation import nav_items
from .notification_counts import unread_count
from .otp import second_factor_required

# The navbar's items of each set of memberships (nav_items reads the memberships' roles and schools alone, its
# labels are translated when rendered): worked out once per process, not on every request. Bounded: cleared when
# it grows past NAV_ITEMS_KEPT sets.
NAV_ITEMS_KEPT = 2000
_nav_items_of: dict[tuple, list] = {}


def _memberships_key(user) -> tuple:
    """What nav_items reads of the user: each active membership's role and school (code and short name)."""
    schools = ((m.role, m.school) for m in user.active_memberships)
    shown = ((role, s.pk, s.code, s.short_name) if s else (role, 0, "", "") for role, s in schools)
    return get_script_prefix(), tuple(sorted(shown))


def cached_nav_items(user) -> list:
    key = _memberships_key(user)
    items = _nav_items_of.get(key)
    if items is None:
        if len(_nav_items_of) >= NAV_ITEMS_KEPT:
            _nav_items_of.clear()
        items = _nav_items_of[key] = nav_items(user)
    return items


def navigation(request):
    """The navbar's values (worked out once a request: a cached page's navbar reads them for its key too)."""
    values = getattr(request, "_navigation", None)
    if values is None:
        values = request._navigation = _navigation(request)
    return values


def _navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if not getattr(user, "is_verified", lambda: True)() and second_factor_required(user):
        return {"nav_items": []}  # the second factor's pages: nothing to open before the code
    return {
        "nav_items": cached_nav_items(user),
        "user_roles": sorted({m.get_role_display() for m in user.active_memberships}),
        "unread_count": unread_count(user),
    }
