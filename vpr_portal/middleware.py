import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


def user_time_zone(user) -> zoneinfo.ZoneInfo | None:
    """The zone a user reads times in (R16): their school's, else their department's."""
    memberships = sorted(user.active_memberships, key=lambda m: (m.school_id is None, m.school_id or 0))
    for membership in memberships:
        organisation = membership.school or membership.department
        if organisation is not None:
            return zoneinfo.ZoneInfo(organisation.time_zone)
    return None


class UserTimeZoneMiddleware:
    """Every page shows times in the user's own school's time zone (department staff: the department's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = user_time_zone(request.user) if request.user.is_authenticated else None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivateResponseMiddleware:
    """Headers of every answer: what the browser may use (Permissions-Policy), and no caching of anything
    served to a signed-in user — pages and downloads hold pupils' names, and a shared school computer's
    cache or the back button must not show them to the next person. Static files never reach here
    (whitenoise answers them above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
