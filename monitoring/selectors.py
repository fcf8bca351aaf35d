"""Reads of monitoring: the department's visits to schools (where and when the works are written), and the
objectivity signals' cases and thresholds."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from monitoring.models import (
    OBSERVER_INSTRUCTION_VERSION,
    CaseMessage,
    InstructionAcknowledgement,
    SignalCase,
    SignalCheck,
    ThresholdVersion,
)
from procedures.models import Campaign, Sitting
from schools.access import CAPABILITIES, SCOPES, Capability, Scope, department_ids_with, schools_with
from schools.models import Department, User

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


# Objectivity signals' cases and thresholds -------------------------------------------------------------------


def cases_visible_to(user: User, capability: Capability = Capability.VIEW_CASES) -> QuerySet[SignalCase]:
    """The cases the user may read with `capability`: a department role's, every case of its department's
    schools; a school role's, the cases of its school the department has asked about (before the first question
    a case is the department's own look at its figures)."""
    if not user.is_authenticated:
        return SignalCase.objects.none()
    department_roles = {
        role for role in user.roles if capability in CAPABILITIES[role] and SCOPES[role] == Scope.DEPARTMENT
    }
    school_roles = {role for role in user.roles if capability in CAPABILITIES[role] and SCOPES[role] == Scope.SCHOOL}
    condition = Q(school__department_id__in=user.department_ids_with_role(*department_roles)) | Q(
        school_id__in=user.school_ids_with_role(*school_roles), asked_at__isnull=False
    )
    return SignalCase.objects.filter(condition).select_related("school", "assessment__subject", "campaign")


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    kind: str = ""
    school: str = ""
    assessment: str = ""


def campaign_cases(user: User, campaign: Campaign, filters: CaseFilters = CaseFilters()) -> QuerySet[SignalCase]:
    """The campaign's cases the user may decide, filtered, by school code, assessment code, kind (never by
    results, R15)."""
    cases = cases_visible_to(user, Capability.DECIDE_CASES).filter(campaign=campaign)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.school:
        cases = cases.filter(school__code=filters.school)
    if filters.assessment:
        cases = cases.filter(assessment__code=filters.assessment)
    return cases.order_by("school__code", "assessment__code", "kind")


def campaign_signals(user: User, campaign: Campaign, *, assessment: str = "") -> QuerySet[SignalCase]:
    """The signals of the campaign flagged at their last check, each with its case (every flagged signal has
    one), by assessment code, school code, kind; one query a page whatever the number of schools."""
    cases = cases_visible_to(user, Capability.DECIDE_CASES).filter(campaign=campaign, signal_present=True)
    if assessment:
        cases = cases.filter(assessment__code=assessment)
    return cases.order_by("assessment__code", "school__code", "kind")


def assessments_checked(campaign: Campaign) -> tuple[list[str], datetime.datetime | None]:
    """The campaign's assessment codes in order and when its signals were last checked (the oldest of its
    assessments' checks; None before any), in one query (the signals list's)."""
    check = SignalCheck.objects.filter(assessment_id=OuterRef("pk")).values("checked_at")[:1]
    rows = list(campaign.assessments.annotate(checked=Subquery(check)).order_by("code").values_list("code", "checked"))
    checks = [checked for _code, checked in rows if checked is not None]
    return [code for code, _checked in rows], min(checks) if checks else None


def case_messages(case: SignalCase) -> QuerySet[CaseMessage]:
    return case.messages.select_related("author").order_by("created_at", "id")


def thresholds_department(user: User) -> Department | None:
    """The department whose thresholds the user sets (the first, for a person in several)."""
    ids = department_ids_with(user, Capability.SET_THRESHOLDS)
    return Department.objects.filter(pk__in=ids).order_by("pk").first()


def threshold_versions(department: Department) -> QuerySet[ThresholdVersion]:
    return ThresholdVersion.objects.filter(department=department).select_related("created_by").order_by("-number")
