"""Reads for the department's visits to schools: where and when the works are written."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from monitoring.models import OBSERVER_INSTRUCTION_VERSION, InstructionAcknowledgement
from procedures.models import Campaign, Sitting
from schools.access import Capability, schools_with
from schools.models import User

# How far ahead the representative plans visits.
VISIT_DAYS = 7


@dataclass(frozen=True)
class SittingVisit:
    """A sitting a representative may visit with the monitoring card: its school, its start in the school's
    own time (R16), its rooms and whether their lists have reached the organizers."""

    sitting: Sitting
    starts_local: datetime.datetime | None
    rooms: int
    released: int


def sittings_to_visit(user: User, *, today: datetime.date | None = None, days: int = VISIT_DAYS) -> QuerySet[Sitting]:
    """The sittings of the schools the user monitors from `today` for `days` days, in the order of the day
    and the hour, then the school's code (never by results, R15); `visit()` describes each."""
    today = today or timezone.localdate()
    return (
        Sitting.objects.filter(
            school__in=schools_with(user, Capability.MONITOR),
            campaign__status=Campaign.Status.ACTIVE,
            date__gte=today,
            date__lt=today + datetime.timedelta(days=days),
        )
        .select_related("school", "assessment__subject", "campaign")
        .annotate(
            room_count=Count("rooms", distinct=True),
            released_count=Count("rooms", filter=Q(rooms__released_at__isnull=False), distinct=True),
        )
        .order_by("date", "lesson", "school__code", "assessment__code")
    )


def visit(sitting: Sitting) -> SittingVisit:
    """A sitting of `sittings_to_visit` as the representative reads it."""
    return SittingVisit(
        sitting=sitting,
        starts_local=timezone.localtime(sitting.starts_at, sitting.school.tzinfo) if sitting.starts_at else None,
        rooms=sitting.room_count,
        released=sitting.released_count,
    )


def observer_instruction_read(user: User) -> InstructionAcknowledgement | None:
    """The observer's confirmation of the current edition of their instruction, if given."""
    return InstructionAcknowledgement.objects.filter(
        user=user,
        instruction=InstructionAcknowledgement.Instruction.OBSERVER,
        version=OBSERVER_INSTRUCTION_VERSION,
    ).first()
