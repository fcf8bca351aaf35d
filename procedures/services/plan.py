"""The plan-graph: a campaign's stages, each school's status on them (from data where the portal has it,
a manual mark where it has not), the standard set of stages, and the deadline reminders.

Status from data goes through a registry: a stage kind whose work the portal records registers a bulk
checker, `check(campaign, schools) -> {school_id: (done, done_at)}`, reading every school in a fixed number
of queries (the progress table asks once per kind for the whole municipality). Kinds without a checker are
marked done by the school's coordinator (StageMark). Later apps register theirs from a module imported in
their AppConfig.ready():

    @register_stage_check(Stage.Kind.ORDER_ISSUED, link=lambda campaign, school: reverse(...))
    def order_issued(campaign, schools):
        ...
"""

import datetime
import itertools
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.models import Campaign, SchoolSchedule, Stage, StageMark
from procedures.selectors.documents import documents_read_status
from schools.models import SCHOOL_ROLES, Membership, Notification, Role, School, User
from schools.services import audit_record, notifications_send

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")

CheckResult = Mapping[int, tuple[bool, datetime.datetime | None]]
StageCheck = Callable[[Campaign, Sequence[School]], CheckResult]
StageLink = Callable[[Campaign, School], str | None]

_STAGE_CHECKS: dict[str, StageCheck] = {}
_STAGE_LINKS: dict[str, StageLink] = {}


def register_stage_check(kind: str, *, link: StageLink | None = None) -> Callable[[StageCheck], StageCheck]:
    """Registers the checker deriving a stage kind's status from data (and, optionally, the page where the
    school does that work). A kind with a checker is never marked by hand."""
    if kind not in Stage.Kind.values or kind == Stage.Kind.OTHER:
        raise ValueError(f"no data checker can be registered for stage kind {kind!r}")

    def decorator(check: StageCheck) -> StageCheck:
        registered = _STAGE_CHECKS.get(kind)
        if registered is not None and registered.__qualname__ != check.__qualname__:
            raise ValueError(f"stage kind {kind!r} already has a checker: {registered.__qualname__}")
        _STAGE_CHECKS[kind] = check
        if link is not None:
            _STAGE_LINKS[kind] = link
        return check

    return decorator


def register_stage_link(kind: str, link: StageLink) -> None:
    """The page where a school does the work of a stage kind (shown on its checklist)."""
    _STAGE_LINKS[kind] = link


def stage_check(kind: str) -> StageCheck | None:
    return _STAGE_CHECKS.get(kind)


def stage_is_manual(kind: str) -> bool:
    """Whether the school marks this kind done by hand (no checker reads it from data)."""
    return kind not in _STAGE_CHECKS


def stage_link(kind: str, *, campaign: Campaign, school: School) -> str | None:
    link = _STAGE_LINKS.get(kind)
    return link(campaign, school) if link is not None else None


# Checkers of the data that exists ---------------------------------------------------------------------------


def _link(name: str, *, query: str = "", **kwargs) -> str | None:
    """The URL of a page of another part of the product, or none while that page does not exist."""
    try:
        url = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _schedule_link(campaign: Campaign, school: School) -> str | None:
    return _link("procedures:schedule", campaign_code=campaign.code, school_code=school.code)


def _documents_link(campaign: Campaign, school: School) -> str | None:
    return _link("procedures:document_list", query=f"campaign={campaign.pk}")


def _schedules_with_status(campaign: Campaign, schools: Sequence[School], statuses: Iterable[str]):
    return SchoolSchedule.objects.filter(
        campaign=campaign, school_id__in=[s.pk for s in schools], status__in=list(statuses)
    ).values_list("school_id", "submitted_at", "decided_at")


@register_stage_check(Stage.Kind.SCHEDULE_SUBMITTED, link=_schedule_link)
def schedule_submitted(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when the school's schedule went to the department (on approval, or approved already)."""
    rows = _schedules_with_status(campaign, schools, (SchoolSchedule.Status.SUBMITTED, SchoolSchedule.Status.APPROVED))
    return {school_id: (True, submitted_at or decided_at) for school_id, submitted_at, decided_at in rows}


@register_stage_check(Stage.Kind.SCHEDULE_APPROVED, link=_schedule_link)
def schedule_approved(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when the department approved the school's schedule."""
    rows = _schedules_with_status(campaign, schools, (SchoolSchedule.Status.APPROVED,))
    return {school_id: (True, decided_at) for school_id, _submitted_at, decided_at in rows}


@register_stage_check(Stage.Kind.DOCUMENTS_READ, link=_documents_link)
def documents_read(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when the school acknowledged the latest version of every document of the campaign (the one rule,
    `documents_read_status`: a campaign with no published documents is not done, there is nothing read yet)."""
    status = documents_read_status(campaign=campaign, schools=schools)
    return {school_id: (done, at) for school_id, (done, at) in status.items() if done}


# Statuses ---------------------------------------------------------------------------------------------------


class StageState:
    DONE = "done"
    PENDING = "pending"
    OVERDUE = "overdue"
    LABELS = {
        DONE: gettext_lazy("выполнено"),
        PENDING: gettext_lazy("не выполнено"),
        OVERDUE: gettext_lazy("просрочено"),
    }


@dataclass(frozen=True)
class StageStatus:
    """One school's standing on one stage."""

    done: bool
    done_at: datetime.datetime | None = None
    # True when the kind has no data checker: done then means the school marked it by hand.
    manual: bool = False
    marked_by: str = ""

    def state(self, stage: Stage, now: datetime.datetime) -> str:
        if self.done:
            return StageState.DONE
        return StageState.OVERDUE if stage.deadline <= now else StageState.PENDING


def plan_statuses(
    *, campaign: Campaign, stages: Sequence[Stage], schools: Sequence[School]
) -> dict[tuple[int, int], StageStatus]:
    """The status of every (stage, school) pair, keyed by (stage_id, school_id).

    Queries: one per kind with a checker among the stages and one for the manual marks, whatever the
    number of schools."""
    statuses: dict[tuple[int, int], StageStatus] = {}
    if not stages or not schools:
        return statuses
    results_by_kind: dict[str, CheckResult] = {}
    manual_stages = []
    for stage in stages:
        check = stage_check(stage.kind)
        if check is None:
            manual_stages.append(stage)
            continue
        if stage.kind not in results_by_kind:
            results_by_kind[stage.kind] = check(campaign, schools)
        results = results_by_kind[stage.kind]
        for school in schools:
            done, done_at = results.get(school.pk, (False, None))
            statuses[(stage.pk, school.pk)] = StageStatus(done=done, done_at=done_at if done else None)
    if manual_stages:
        marks = {
            (mark.stage_id, mark.school_id): mark
            for mark in StageMark.objects.filter(
                stage_id__in=[s.pk for s in manual_stages], school_id__in=[s.pk for s in schools]
            ).select_related("done_by")
        }
        for stage in manual_stages:
            for school in schools:
                mark = marks.get((stage.pk, school.pk))
                statuses[(stage.pk, school.pk)] = StageStatus(
                    done=mark is not None,
                    done_at=mark.done_at if mark else None,
                    manual=True,
                    marked_by=str(mark.done_by) if mark and mark.done_by else "",
                )
    return statuses


def days_before(stage: Stage, *, tz: datetime.tzinfo, now: datetime.datetime) -> int:
    """Calendar days from `now` to the deadline, both read in `tz` (0 on the deadline's day, negative
    after it): a reminder «за 3 дня» goes out on the local date deadline − 3, whatever the hour."""
    return (timezone.localtime(stage.deadline, tz).date() - timezone.localtime(now, tz).date()).days


# The plan-graph, as the department keeps it -----------------------------------------------------------------


@dataclass(frozen=True)
class DefaultStage:
    kind: str
    title: str
    # Days before the federal window opens; None: the campaign's upload deadline.
    days_before_window: int | None
    role: str


DEFAULT_STAGES = (
    DefaultStage(
        Stage.Kind.SCHEDULE_SUBMITTED,
        gettext_lazy("Направить в управление график проведения ВПР"),
        28,
        Role.SCHOOL_COORDINATOR,
    ),
    DefaultStage(
        Stage.Kind.SCHEDULE_APPROVED, gettext_lazy("Согласовать график проведения ВПР"), 21, Role.SCHOOL_COORDINATOR
    ),
    DefaultStage(
        Stage.Kind.DOCUMENTS_READ,
        gettext_lazy("Ознакомиться с регламентом и распорядительными документами кампании"),
        14,
        Role.SCHOOL_COORDINATOR,
    ),
    DefaultStage(Stage.Kind.ORDER_ISSUED, gettext_lazy("Издать приказ о проведении ВПР в школе"), 10, Role.DIRECTOR),
    DefaultStage(Stage.Kind.CODES_ISSUED, gettext_lazy("Выдать коды участников ВПР"), 3, Role.SCHOOL_COORDINATOR),
    DefaultStage(
        Stage.Kind.ROOMS_SET,
        gettext_lazy("Подготовить аудитории и распределить участников"),
        1,
        Role.SCHOOL_COORDINATOR,
    ),
    DefaultStage(
        Stage.Kind.RESULTS_UPLOADED,
        gettext_lazy("Загрузить форму сбора результатов"),
        None,
        Role.SCHOOL_COORDINATOR,
    ),
)
# Default stages fall due at the end of the department's working day.
DEFAULT_DEADLINE_TIME = datetime.time(18, 0)
STAGE_FIELDS = ("kind", "title", "deadline", "responsible_role")


def department_tz(campaign: Campaign) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(campaign.department.time_zone)


def default_deadline(campaign: Campaign, item: DefaultStage) -> datetime.datetime:
    if item.days_before_window is None:
        if campaign.upload_deadline is None:  # not a federal procedure: the results are due at the window's end
            return datetime.datetime.combine(campaign.window_end, DEFAULT_DEADLINE_TIME, tzinfo=department_tz(campaign))
        return campaign.upload_deadline
    day = campaign.window_start - datetime.timedelta(days=item.days_before_window)
    return datetime.datetime.combine(day, DEFAULT_DEADLINE_TIME, tzinfo=department_tz(campaign))


def _stage_snapshot(stage: Stage) -> dict:
    return {field: getattr(stage, field) for field in STAGE_FIELDS}


@transaction.atomic
def stage_save(*, stage: Stage, actor: User) -> Stage:
    """Creates or edits a stage of a campaign's plan-graph. The responsible role is a school's role."""
    if stage.responsible_role not in SCHOOL_ROLES:
        raise ValidationError(_("Ответственным за этап назначается роль в школе."))
    if stage.deadline is not None and timezone.is_naive(stage.deadline):
        raise ValidationError(_("Срок этапа должен быть указан с часовым поясом."))
    before = None
    if stage.pk is not None:
        stored = Stage.objects.select_for_update().get(pk=stage.pk)
        before = _stage_snapshot(stored)
    if not stage.title:
        stage.title = str(Stage.Kind(stage.kind).label).capitalize()
    stage.full_clean()
    stage.save()
    after = _stage_snapshot(stage)
    if before is None:
        audit_record(
            actor=actor, action="stage.created", department=stage.campaign.department, target=stage, after=after
        )
    elif before != after:
        changed = [field for field in STAGE_FIELDS if before[field] != after[field]]
        audit_record(
            actor=actor,
            action="stage.updated",
            department=stage.campaign.department,
            target=stage,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage, actor: User) -> None:
    """Removes a stage with the schools' marks on it."""
    audit_record(
        actor=actor,
        action="stage.deleted",
        department=stage.campaign.department,
        target=stage,
        before=_stage_snapshot(stage),
    )
    stage.delete()


@transaction.atomic
def stages_create_defaults(*, campaign: Campaign, actor: User) -> list[Stage]:
    """Adds the standard stages to a campaign from its window; kinds the plan already has are kept as they
    are, so pressing the button twice adds nothing."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one click at a time
    present = set(campaign.stages.values_list("kind", flat=True))
    created = [
        Stage.objects.create(
            campaign=campaign,
            kind=item.kind,
            title=str(item.title),
            deadline=default_deadline(campaign, item),
            responsible_role=item.role,
        )
        for item in DEFAULT_STAGES
        if item.kind not in present
    ]
    if created:
        audit_record(
            actor=actor,
            action="stage.defaults_created",
            department=campaign.department,
            target=campaign,
            after={"stages": len(created)},
        )
    return created


@transaction.atomic
def stage_mark_done(*, stage: Stage, school: School, actor: User) -> StageMark:
    """A school's coordinator marks a stage done by hand: only for kinds the portal cannot read from data."""
    _check_markable(stage, school)
    mark, created = StageMark.objects.get_or_create(
        stage=stage, school=school, defaults={"done_at": timezone.now(), "done_by": actor}
    )
    if created:
        audit_record(actor=actor, action="stage.marked_done", target=stage, school=school)
    return mark


@transaction.atomic
def stage_mark_undo(*, stage: Stage, school: School, actor: User) -> None:
    """Withdraws a school's manual mark (marked by mistake)."""
    _check_markable(stage, school)
    deleted, _details = StageMark.objects.filter(stage=stage, school=school).delete()
    if deleted:
        audit_record(actor=actor, action="stage.mark_withdrawn", target=stage, school=school)


def _check_markable(stage: Stage, school: School) -> None:
    if stage.campaign.department_id != school.department_id:
        raise ValidationError(_("Этот этап относится к кампании другого управления."))
    if not stage_is_manual(stage.kind):
        raise ValidationError(_("Этот этап отмечается автоматически по данным портала."))


# Reminders --------------------------------------------------------------------------------------------------

REMINDER_DAYS = (3, 1)


@dataclass(frozen=True)
class RemindersSummary:
    reminders: int
    overdue: int


@dataclass
class _Notice:
    key: str
    users: list[User]
    text: str
    url: str
    overdue: bool


def format_moment(moment: datetime.datetime, tz: datetime.tzinfo) -> str:
    return f"{timezone.localtime(moment, tz):%d.%m.%Y %H:%M}"


def reminders_send(*, now: datetime.datetime | None = None) -> RemindersSummary:
    """Reminds schools of the stages of every active campaign falling due in 3 days and tomorrow (calendar
    days in each school's own time zone) and tells the department's municipal coordinators of every stage a
    school let pass. Each notice has a key, so running this again sends nothing twice."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=max(REMINDER_DAYS) + 1)
    stages = list(
        Stage.objects.filter(campaign__status=Campaign.Status.ACTIVE, deadline__lte=horizon)
        .select_related("campaign__department")
        .order_by("campaign_id", "deadline", "id")
    )
    notices: list[_Notice] = []
    for _campaign_id, group in itertools.groupby(stages, key=lambda s: s.campaign_id):
        campaign_stages = list(group)
        notices += _campaign_notices(campaign_stages[0].campaign, campaign_stages, now)
    already = _already_notified(notice.key for notice in notices)
    reminders = overdue = 0
    for notice in notices:
        users = [user for user in notice.users if (user.pk, notice.key) not in already]
        if not users:
            continue
        created = len(_send(notice, users))
        if notice.overdue:
            overdue += created
        else:
            reminders += created
    return RemindersSummary(reminders=reminders, overdue=overdue)


def _campaign_notices(campaign: Campaign, stages: list[Stage], now: datetime.datetime) -> list[_Notice]:
    """The notices one campaign's stages call for now, before checking which were sent already."""
    schools = list(School.objects.filter(department_id=campaign.department_id).order_by("code"))
    statuses = plan_statuses(campaign=campaign, stages=stages, schools=schools)
    people, coordinators = _recipients(campaign, roles={stage.responsible_role for stage in stages})
    notices = []
    for stage in stages:
        for school in schools:
            if statuses[(stage.pk, school.pk)].done:
                continue
            if stage.deadline <= now:
                if coordinators:
                    notices.append(_overdue_notice(campaign, stage, school, coordinators))
                continue
            days = days_before(stage, tz=school.tzinfo, now=now)
            users = people.get((school.pk, stage.responsible_role))
            if days in REMINDER_DAYS and users:
                notices.append(_reminder_notice(campaign, stage, school, users, days))
    return notices


def _recipients(campaign: Campaign, *, roles: set[str]) -> tuple[dict[tuple[int, str], list[User]], list[User]]:
    """Active holders of `roles` in each school of the campaign's department, keyed by (school_id, role), and
    the department's municipal coordinators: one query."""
    people: dict[tuple[int, str], list[User]] = defaultdict(list)
    coordinators: list[User] = []
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .filter(
            Q(school__department_id=campaign.department_id, role__in=roles)
            | Q(department_id=campaign.department_id, role=Role.MUNICIPAL_COORDINATOR)
        )
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        if membership.school_id:
            people[(membership.school_id, membership.role)].append(membership.user)
        else:
            coordinators.append(membership.user)
    return people, coordinators


def _notice_values(stage: Stage, school: School) -> dict:
    return {
        "school": school.short_name or school.name,
        "stage": stage.title,
        "deadline": format_moment(stage.deadline, school.tzinfo),
        "moscow": format_moment(stage.deadline, MOSCOW),
    }


def _reminder_notice(campaign: Campaign, stage: Stage, school: School, users: list[User], days: int) -> _Notice:
    if days == 1:
        text = _("{school}: завтра срок этапа «{stage}» — {deadline} по местному времени ({moscow} МСК).")
    else:
        text = _("{school}: через 3 дня срок этапа «{stage}» — {deadline} по местному времени ({moscow} МСК).")
    url = reverse("procedures:checklist", kwargs={"school_code": school.code})
    return _Notice(
        key=f"stage:{stage.pk}:school:{school.pk}:d{days}",
        users=users,
        text=text.format(**_notice_values(stage, school)),
        url=url + "?" + urlencode({"campaign": campaign.code}),
        overdue=False,
    )


def _overdue_notice(campaign: Campaign, stage: Stage, school: School, coordinators: list[User]) -> _Notice:
    text = _("{school}: просрочен этап «{stage}» — срок истёк {deadline} по местному времени школы ({moscow} МСК).")
    return _Notice(
        key=f"stage:{stage.pk}:school:{school.pk}:overdue",
        users=coordinators,
        text=text.format(**_notice_values(stage, school)),
        url=reverse("procedures:progress_school", kwargs={"campaign_code": campaign.code, "school_code": school.code}),
        overdue=True,
    )


def _already_notified(keys: Iterable[str]) -> set[tuple[int, str]]:
    """(user_id, key) of the notices sent before: a repeated run costs a query per 500 keys, not per notice."""
    keys = sorted(set(keys))
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        found.update(Notification.objects.filter(key__in=keys[start : start + 500]).values_list("user_id", "key"))
    return found


def _send(notice: _Notice, users: list[User]) -> list[int]:
    text = notice.text[: Notification._meta.get_field("text").max_length]
    try:
        return notifications_send(users=users, text=text, url=notice.url, key=notice.key)
    except IntegrityError:
        # A concurrent run created some of these notices between our check and our insert; once more, the
        # ones it created are skipped.
        return notifications_send(users=users, text=text, url=notice.url, key=notice.key)
