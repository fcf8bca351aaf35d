import datetime
import math
import zoneinfo

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from vpr_portal.security import client_ip


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


class LoginThrottleMiddleware:
    """Refuses log-ins from an address with too many recent failures, whoever's accounts they were for (429).
    Failures are counted in the database (axes' failure log), so every worker sees the same count; an address
    cannot lock anybody out elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info == reverse("login"):
            wait = login_throttle_wait(client_ip(request))
            if wait is not None:
                minutes = max(1, math.ceil(wait.total_seconds() / 60))
                response = render(request, "registration/throttled.html", {"minutes": minutes}, status=429)
                response["Retry-After"] = str(minutes * 60)
                return response
        return self.get_response(request)


def login_throttle_wait(address: str | None) -> datetime.timedelta | None:
    """How long the address must wait before it may try to log in again; None when it may now."""
    from axes.models import AccessFailureLog

    if address is None:
        return None
    window = datetime.timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)
    now = timezone.now()
    times = list(
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gt=now - window)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[: settings.LOGIN_THROTTLE_FAILURES]
    )
    if len(times) < settings.LOGIN_THROTTLE_FAILURES:
        return None
    # Open again when the oldest of the last LIMIT failures leaves the window.
    return times[-1] + window - now
