import zoneinfo

from django.utils import timezone


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
