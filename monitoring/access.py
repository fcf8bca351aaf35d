"""The public observer's assigned scope: the sittings they are sent to (monitoring/apps.py registers it; read it
through `schools.access.assigned_to(user, "observations")`, which also asks for the observer's role)."""

from django.db.models import QuerySet

from monitoring.models import ObservationAssignment
from schools.models import User


def observations_of(user: User) -> QuerySet[ObservationAssignment]:
    """The user's assignments in force: not cancelled, and their registry entry still active."""
    return ObservationAssignment.objects.filter(person__user=user, person__is_active=True, cancelled_at__isnull=True)
