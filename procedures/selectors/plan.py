"""Reads of the plan-graph: the school's checklist and the department's «Ход кампании», each starting from
what the user may see. Every time is shown in the viewer's own time zone (the school's for a school, the
department's for the department, R16) with the Moscow time alongside."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from procedures.models import Campaign, Stage
from procedures.services.plan import (
    MOSCOW,
    StageState,
    StageStatus,
    days_before,
    department_tz,
    plan_statuses,
    stage_is_manual,
    stage_link,
)
from schools.access import Capability, department_ids_with
from schools.models import School, User


def campaigns_managed_by(user: User) -> QuerySet[Campaign]:
    """Campaigns whose plan-graph and progress the user keeps: their department's, drafts included."""
    return Campaign.objects.filter(department_id__in=department_ids_with(user, Capability.KEEP_PLAN)).select_related(
        "department"
    )


def schools_of_campaign(campaign: Campaign) -> QuerySet[School]:
    """The schools a campaign concerns: every school of its department."""
    return School.objects.filter(department_id=campaign.department_id).order_by("code")


def current_campaigns(*, school: School) -> list[Campaign]:
    """The campaigns a school works on now: the active campaigns of its department."""
    return list(
        Campaign.objects.filter(department_id=school.department_id, status=Campaign.Status.ACTIVE)
        .select_related("department")
        .order_by("window_start", "code")
    )


def pick_campaign(campaigns: list[Campaign], code: str | None) -> Campaign | None:
    """The campaign chosen in the selector, else the first one."""
    for campaign in campaigns:
        if campaign.code == code:
            return campaign
    return campaigns[0] if campaigns else None


def markable_stages(*, school: School) -> QuerySet[Stage]:
    """Stages a school's coordinator may mark: those of the active campaigns of the school's department."""
    return Stage.objects.filter(
        campaign__department_id=school.department_id, campaign__status=Campaign.Status.ACTIVE
    ).select_related("campaign__department")


def stages_of(campaign: Campaign) -> list[Stage]:
    return list(campaign.stages.order_by("deadline", "id"))


@dataclass(frozen=True)
class Moment:
    """A deadline as the viewer reads it, and in Moscow time when that differs."""

    local: datetime.datetime
    moscow: datetime.datetime | None

    @classmethod
    def of(cls, moment: datetime.datetime | None, tz: datetime.tzinfo) -> "Moment | None":
        if moment is None:  # a campaign without an upload deadline (not a federal procedure)
            return None
        local = timezone.localtime(moment, tz)
        moscow = timezone.localtime(moment, MOSCOW)
        return cls(local=local, moscow=moscow if moscow.utcoffset() != local.utcoffset() else None)


@dataclass(frozen=True)
class PlanRow:
    """A stage as the department plans it."""

    stage: Stage
    deadline: Moment
    manual: bool


def plan_rows(*, campaign: Campaign) -> list[PlanRow]:
    tz = department_tz(campaign)
    return [
        PlanRow(stage=stage, deadline=Moment.of(stage.deadline, tz), manual=stage_is_manual(stage.kind))
        for stage in stages_of(campaign)
    ]


@dataclass(frozen=True)
class ChecklistRow:
    stage: Stage
    deadline: Moment
    status: StageStatus
    state: str
    # Calendar days to the deadline in the viewer's time zone: 0 on the day, negative after it.
    days_left: int
    done_at: datetime.datetime | None
    url: str | None

    @property
    def state_label(self) -> str:
        return StageState.LABELS[self.state]

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def checklist(
    *, campaign: Campaign, school: School, tz: datetime.tzinfo, now: datetime.datetime | None = None
) -> list[ChecklistRow]:
    """A school's stages of a campaign in order, with their status, read in `tz`."""
    now = now or timezone.now()
    stages = stages_of(campaign)
    statuses = plan_statuses(campaign=campaign, stages=stages, schools=[school])
    rows = []
    for stage in stages:
        status = statuses[(stage.pk, school.pk)]
        rows.append(
            ChecklistRow(
                stage=stage,
                deadline=Moment.of(stage.deadline, tz),
                status=status,
                state=status.state(stage, now),
                days_left=days_before(stage, tz=tz, now=now),
                done_at=timezone.localtime(status.done_at, tz) if status.done_at else None,
                url=stage_link(stage.kind, campaign=campaign, school=school),
            )
        )
    return rows


@dataclass(frozen=True)
class ProgressCell:
    stage: Stage
    state: str
    done_at: datetime.datetime | None
    manual: bool

    @property
    def state_label(self) -> str:
        return StageState.LABELS[self.state]


@dataclass(frozen=True)
class ProgressRow:
    school: School
    cells: list[ProgressCell]
    overdue: int
    pending: int

    @property
    def is_late(self) -> bool:
        return self.overdue > 0


@dataclass
class StageSummary:
    stage: Stage
    deadline: Moment
    done: int = 0
    pending: int = 0
    overdue: int = 0

    @property
    def not_done(self) -> int:
        return self.pending + self.overdue


@dataclass
class CampaignProgress:
    stages: list[StageSummary]
    rows: list[ProgressRow]
    school_total: int
    late_total: int
    tz: datetime.tzinfo
    only_late: bool = False


def campaign_progress(
    *, campaign: Campaign, only_late: bool = False, now: datetime.datetime | None = None
) -> CampaignProgress:
    """Every school of the campaign × every stage, the late schools first, with per-stage counts; times in
    the department's time zone. A fixed number of queries, whatever the number of schools."""
    now = now or timezone.now()
    tz = department_tz(campaign)
    stages = stages_of(campaign)
    schools = list(schools_of_campaign(campaign))
    statuses = plan_statuses(campaign=campaign, stages=stages, schools=schools)
    summaries = [StageSummary(stage=stage, deadline=Moment.of(stage.deadline, tz)) for stage in stages]
    rows = []
    for school in schools:
        cells = []
        for stage, summary in zip(stages, summaries, strict=True):
            status = statuses[(stage.pk, school.pk)]
            state = status.state(stage, now)
            setattr(summary, state, getattr(summary, state) + 1)
            cells.append(
                ProgressCell(
                    stage=stage,
                    state=state,
                    done_at=timezone.localtime(status.done_at, tz) if status.done_at else None,
                    manual=status.manual,
                )
            )
        overdue = sum(cell.state == StageState.OVERDUE for cell in cells)
        pending = sum(cell.state == StageState.PENDING for cell in cells)
        rows.append(ProgressRow(school=school, cells=cells, overdue=overdue, pending=pending))
    rows.sort(key=lambda row: (-row.overdue, -row.pending, row.school.code))
    late_total = sum(row.is_late for row in rows)
    if only_late:
        rows = [row for row in rows if row.is_late]
    return CampaignProgress(
        stages=summaries, rows=rows, school_total=len(schools), late_total=late_total, tz=tz, only_late=only_late
    )
