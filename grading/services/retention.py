"""Keeping pupils' names for the retention period only (R12; Регламент 4.3.12, 7.9), then removing them while
the anonymous results stay.

When. The protocol with codes and names is kept «в течение года» from the day the work was written: each
participation's period runs from the date of its sitting for `Campaign.retention_months` calendar months (12 by
default: to the same date next year; 29 February + 12 months is 28 February). The date of a sitting is the
class's date in the school's schedule for that assessment; without one, the school's sitting of the assessment;
without either, the first day of the federal window. Removal is due at 00:00 in the department's time zone on
that day (the campaign is the department's, one moment serves all its schools; each school reads it in its own
time zone). The daily task removes on its first run from that moment on, never before; a later sitting of the
same campaign is kept until its own day.

What is removed, per school × assessment × class as each comes due:
- the link between a participation and the pupil (`Participant.pupil`);
- the link between a campaign code and the pupil (`ParticipantCode.pupil`), once every sitting of the code's
  class is due (the code serves all the campaign's works);
- the stored documents that print names next to codes (the school's set of printables with the paper protocol,
  `vpr_portal.GeneratedDocument` of the kinds in `NAMED_DOCUMENT_KINDS`), with their files, once every sitting of
  the school is due.

What stays: every participation with its code, class, sex, variant and attendance, every work with its scores,
primary score and mark, the campaign codes, the uploaded results forms (codes only), the room protocols
(codes only), the orders (they name staff, not pupils). Pupil rows themselves stay too: `schools.Pupil` is the
school's registry of its current pupils, which the school keeps for its own purposes and other campaigns; a
campaign's retention ends that campaign's use of the names, so the purge removes the campaign's link to the
pupil, never the pupil's record.

Only links still present are removed, so running it again changes nothing; once nothing with names is left the
campaign is marked `personal_data_purged_at`, and a marked campaign is skipped.

Beforehand, school coordinators and the department's municipal coordinators are told 30 and 7 days ahead of
each day of removal (each notice once), and `retention_preview` shows what will be removed and when, by the
same plan the purge runs.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Campaign, Participant, ParticipantCode, ScheduleEntry, Sitting
from procedures.printables import SCHOOL_SET
from procedures.services.plan import MOSCOW, department_tz, format_moment
from schools.models import Membership, Notification, Role, School, User
from schools.services import audit_record, notifications_send
from vpr_portal.models import GeneratedDocument

logger = logging.getLogger(__name__)

# Stored documents that carry pupils' names next to their codes (the paper protocol of Регламент 7.9).
NAMED_DOCUMENT_KINDS = (SCHOOL_SET,)
# Days before the removal on which coordinators are told (each notice once).
NOTICE_DAYS = (30, 7)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date `months` calendar months later; the month's last day where it has no such date (29
    February + 12 months → 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purge_due_at(campaign: Campaign, sitting_date: datetime.date) -> datetime.datetime:
    """R12: the moment the names of a sitting held on `sitting_date` are due for removal — 00:00 in the
    department's time zone on the day `retention_months` calendar months later."""
    day = add_months(sitting_date, campaign.retention_months)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=department_tz(campaign))


def earliest_due_at(campaign: Campaign) -> datetime.datetime:
    """Nothing of the campaign is due before this: its sittings are inside the federal window."""
    return purge_due_at(campaign, campaign.window_start)


# The plan: each school × assessment × class with names, its sitting date and its day of removal ------------


ClassKey = tuple[int, int, str]  # (school id, assessment id, class name)


@dataclass(frozen=True)
class RetentionCounts:
    participant_links: int = 0
    code_links: int = 0
    documents: int = 0

    @property
    def total(self) -> int:
        return self.participant_links + self.code_links + self.documents

    def __add__(self, other: "RetentionCounts") -> "RetentionCounts":
        return RetentionCounts(
            self.participant_links + other.participant_links,
            self.code_links + other.code_links,
            self.documents + other.documents,
        )

    def as_dict(self) -> dict:
        return {"participant_links": self.participant_links, "code_links": self.code_links, "documents": self.documents}


@dataclass
class RetentionPlan:
    """What still carries names in the campaign, and when each of it is due (five queries)."""

    campaign: Campaign
    # (school, assessment, class) → (sitting date, participant links)
    participants: dict[ClassKey, tuple[datetime.date, int]] = field(default_factory=dict)
    # (school, class) → code links; due when the class's last sitting is
    codes: dict[tuple[int, str], int] = field(default_factory=dict)
    # school → named documents; due when the school's last sitting is
    documents: dict[int, int] = field(default_factory=dict)
    # (school, class) → the class's last sitting date; school → the school's last
    class_last: dict[tuple[int, str], datetime.date] = field(default_factory=dict)
    school_last: dict[int, datetime.date] = field(default_factory=dict)

    def due(self, sitting_date: datetime.date) -> datetime.datetime:
        return purge_due_at(self.campaign, sitting_date)

    def code_date(self, school_id: int, class_name: str) -> datetime.date:
        return self.class_last.get((school_id, class_name), self.campaign.window_start)

    def document_date(self, school_id: int) -> datetime.date:
        return self.school_last.get(school_id, self.campaign.window_start)

    def by_date(self) -> dict[int, dict[datetime.date, RetentionCounts]]:
        """School → sitting date → what goes when that date's period ends."""
        result: dict[int, dict[datetime.date, RetentionCounts]] = defaultdict(lambda: defaultdict(RetentionCounts))
        for (school_id, _assessment_id, _class_name), (date, n) in self.participants.items():
            result[school_id][date] += RetentionCounts(participant_links=n)
        for (school_id, class_name), n in self.codes.items():
            result[school_id][self.code_date(school_id, class_name)] += RetentionCounts(code_links=n)
        for school_id, n in self.documents.items():
            result[school_id][self.document_date(school_id)] += RetentionCounts(documents=n)
        return {school_id: dict(dates) for school_id, dates in result.items()}

    def due_now(self, now: datetime.datetime) -> "RetentionPlan":
        """The part of the plan whose day has come."""
        return RetentionPlan(
            campaign=self.campaign,
            participants={k: v for k, v in self.participants.items() if self.due(v[0]) <= now},
            codes={k: n for k, n in self.codes.items() if self.due(self.code_date(*k)) <= now},
            documents={k: n for k, n in self.documents.items() if self.due(self.document_date(k)) <= now},
            class_last=self.class_last,
            school_last=self.school_last,
        )

    def counts_by_school(self) -> dict[int, RetentionCounts]:
        return {school_id: sum(dates.values(), RetentionCounts()) for school_id, dates in self.by_date().items()}

    @property
    def is_empty(self) -> bool:
        return not (self.participants or self.codes or self.documents)


def _participant_links(campaign: Campaign) -> QuerySet[Participant]:
    return Participant.objects.filter(campaign=campaign, pupil__isnull=False)


def _code_links(campaign: Campaign) -> QuerySet[ParticipantCode]:
    return ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False)


def _named_documents(campaign: Campaign) -> QuerySet[GeneratedDocument]:
    return GeneratedDocument.objects.filter(kind__in=NAMED_DOCUMENT_KINDS, params__campaign=campaign.pk)


def _in_schools(queryset: QuerySet, school_ids: Iterable[int] | None) -> QuerySet:
    return queryset if school_ids is None else queryset.filter(school_id__in=list(school_ids))


def retention_plan(campaign: Campaign, *, school_ids: Iterable[int] | None = None) -> RetentionPlan:
    """What still carries names in the campaign (in every school, or those of `school_ids`), with each
    class's sitting date: the class's date in the school's schedule, else the school's sitting of the
    assessment, else the first day of the window. Five queries."""
    school_ids = None if school_ids is None else list(school_ids)
    scheduled: dict[ClassKey, datetime.date] = {}
    entries = ScheduleEntry.objects.filter(schedule__campaign=campaign)
    if school_ids is not None:
        entries = entries.filter(schedule__school_id__in=school_ids)
    entries = entries.values_list(
        "schedule__school_id", "assessment_id", "school_class__grade", "school_class__letter", "date"
    )
    for school_id, assessment_id, grade, letter, date in entries:
        key = (school_id, assessment_id, f"{grade}{letter}")
        scheduled[key] = max(date, scheduled.get(key, date))
    sittings = {
        (school_id, assessment_id): date
        for school_id, assessment_id, date in _in_schools(Sitting.objects.filter(campaign=campaign), school_ids)
        .values("school_id", "assessment_id")
        .annotate(first=Min("date"))
        .order_by()
        .values_list("school_id", "assessment_id", "first")
    }
    plan = RetentionPlan(campaign=campaign)
    groups = (
        _in_schools(_participant_links(campaign), school_ids)
        .values("school_id", "assessment_id", "class_name")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("school_id", "assessment_id", "class_name", "n")
    )
    for school_id, assessment_id, class_name, n in groups:
        key = (school_id, assessment_id, class_name)
        date = scheduled.get(key) or sittings.get((school_id, assessment_id)) or campaign.window_start
        plan.participants[key] = (date, n)
    # a class's and a school's last sitting: what was scheduled, and what still has names
    for (school_id, _assessment_id, class_name), date in [
        *scheduled.items(),
        *((k, d) for k, (d, _n) in plan.participants.items()),
    ]:
        plan.class_last[(school_id, class_name)] = max(date, plan.class_last.get((school_id, class_name), date))
        plan.school_last[school_id] = max(date, plan.school_last.get(school_id, date))
    plan.codes = {
        (school_id, class_name): n
        for school_id, class_name, n in _in_schools(_code_links(campaign), school_ids)
        .values("school_id", "class_name")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("school_id", "class_name", "n")
    }
    plan.documents = {
        school_id: n
        for school_id, n in _in_schools(_named_documents(campaign), school_ids)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("school_id", "n")
        if school_id is not None
    }
    return plan


def counts_by_school(campaign: Campaign, *, school_ids: list[int] | None = None) -> dict[int, RetentionCounts]:
    """What still carries names, per school (every school with anything, or those of `school_ids`)."""
    return retention_plan(campaign, school_ids=school_ids).counts_by_school()


def purge_is_due(campaign: Campaign, *, now: datetime.datetime) -> bool:
    if campaign.personal_data_purged_at is not None or now < earliest_due_at(campaign):
        return False
    return not retention_plan(campaign).due_now(now).is_empty


# What the pages show beforehand ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionDate:
    """One day of removal at a school: the sitting date it counts from and what goes then."""

    sitting_date: datetime.date
    due_at: datetime.datetime
    due_local: datetime.datetime  # in the school's own time zone
    counts: RetentionCounts


@dataclass(frozen=True)
class SchoolRetention:
    school: School
    counts: RetentionCounts
    # the next moment of removal in the school's own time zone (None: nothing left with names)
    due_local: datetime.datetime | None
    dates: list[RetentionDate] = field(default_factory=list)


@dataclass(frozen=True)
class RetentionPreview:
    campaign: Campaign
    due_at: datetime.datetime | None  # the next removal (None: nothing left with names)
    purged_at: datetime.datetime | None
    schools: list[SchoolRetention]
    totals: RetentionCounts
    days_left: int | None

    @property
    def due_moscow(self) -> datetime.datetime | None:
        return timezone.localtime(self.due_at, MOSCOW) if self.due_at else None


def _days_left(due: datetime.datetime, now: datetime.datetime, tz) -> int:
    return (timezone.localtime(due, tz).date() - timezone.localtime(now, tz).date()).days


def retention_preview(
    *, campaign: Campaign, schools: Sequence[School], now: datetime.datetime | None = None
) -> RetentionPreview:
    """When the campaign's names will be removed and how much, for each of `schools` (the department: all its
    schools; a coordinator: their own), by sitting date. Five queries for any number of schools."""
    now = now or timezone.now()
    plan = retention_plan(campaign, school_ids=[school.pk for school in schools])
    by_date = plan.by_date()
    rows = []
    for school in schools:
        dates = [
            RetentionDate(date, plan.due(date), timezone.localtime(plan.due(date), school.tzinfo), counts)
            for date, counts in sorted(by_date.get(school.pk, {}).items())
        ]
        rows.append(
            SchoolRetention(
                school=school,
                counts=sum((d.counts for d in dates), RetentionCounts()),
                due_local=dates[0].due_local if dates else None,
                dates=dates,
            )
        )
    totals = sum((row.counts for row in rows), RetentionCounts())
    due = min((d.due_at for row in rows for d in row.dates), default=None)
    return RetentionPreview(
        campaign=campaign,
        due_at=due,
        purged_at=campaign.personal_data_purged_at,
        schools=rows,
        totals=totals,
        days_left=_days_left(due, now, department_tz(campaign)) if due else None,
    )


# The purge ---------------------------------------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    storage = GeneratedDocument._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _remove(campaign: Campaign, due: RetentionPlan) -> dict[int, RetentionCounts]:
    """Removes the links and documents of the due part of the plan; what was removed, per school."""
    removed: dict[int, RetentionCounts] = defaultdict(RetentionCounts)
    classes_by_school: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for school_id, assessment_id, class_name in due.participants:
        classes_by_school[school_id].append((assessment_id, class_name))
    for school_id, pairs in classes_by_school.items():
        of_classes = Q()
        for assessment_id, class_name in pairs:
            of_classes |= Q(assessment_id=assessment_id, class_name=class_name)
        n = _participant_links(campaign).filter(of_classes, school_id=school_id).update(pupil=None)
        removed[school_id] += RetentionCounts(participant_links=n)
    codes_by_school: dict[int, list[str]] = defaultdict(list)
    for school_id, class_name in due.codes:
        codes_by_school[school_id].append(class_name)
    for school_id, class_names in codes_by_school.items():
        n = _code_links(campaign).filter(school_id=school_id, class_name__in=class_names).update(pupil=None)
        removed[school_id] += RetentionCounts(code_links=n)
    documents = list(
        _named_documents(campaign).filter(school_id__in=list(due.documents)).values_list("pk", "file", "school_id")
    )
    _delete_files([name for _pk, name, _school in documents if name])
    GeneratedDocument.objects.filter(pk__in=[pk for pk, _name, _school in documents]).delete()
    for _pk, _name, school_id in documents:
        removed[school_id] += RetentionCounts(documents=1)
    return {school_id: counts for school_id, counts in removed.items() if counts.total}


def personal_data_purge(*, campaign: Campaign, now: datetime.datetime | None = None) -> RetentionCounts | None:
    """Removes the names of the campaign's sittings whose retention period is over (see the module's
    docstring): the participant ↔ pupil and code ↔ pupil links and the stored documents with names, with their
    files; the anonymous results and the sittings not yet due stay. Returns what was removed, or None when
    nothing was (nothing due yet, or purged already: a second run does nothing). Audited per school and for the
    campaign, with the counts; the campaign is marked purged once nothing with names is left.

    The documents' files are deleted inside the transaction, before it commits: should the commit fail, the
    rows (pointing at missing files) are removed on the next run, while a file is never left behind once its
    row is gone. A storage error (OSError) rolls everything back and propagates, so the task retries."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("department").filter(pk=campaign.pk).first()
        if locked is None or locked.personal_data_purged_at is not None or now < earliest_due_at(locked):
            return None
        by_school = _remove(locked, retention_plan(locked).due_now(now))
        if not by_school:
            return None
        removed = sum(by_school.values(), RetentionCounts())
        if retention_plan(locked).is_empty:
            locked.personal_data_purged_at = now
            locked.save(update_fields=["personal_data_purged_at"])
            campaign.personal_data_purged_at = now
        schools = School.objects.in_bulk(list(by_school))
        for school_id, counts in sorted(by_school.items()):
            audit_record(
                actor=None,
                action="campaign.personal_data_purged",
                target=locked,
                school=schools[school_id],
                after={"campaign": locked.code, **counts.as_dict()},
                source="retention",
            )
        audit_record(
            actor=None,
            action="campaign.personal_data_purged",
            target=locked,
            department=locked.department,
            after={"campaign": locked.code, "schools": len(by_school), **removed.as_dict()},
            source="retention",
        )
    return removed


def campaigns_due(*, now: datetime.datetime) -> list[Campaign]:
    """Campaigns with names whose retention period is over and not removed yet."""
    pending = Campaign.objects.filter(personal_data_purged_at__isnull=True).select_related("department")
    return [campaign for campaign in pending.order_by("window_end", "pk") if purge_is_due(campaign, now=now)]


# Notices before the removal --------------------------------------------------------------------------------


def _occasion(days_left: int) -> int | None:
    """The notice due with `days_left` calendar days to go: «за 30 дней» from 30 days on, «за 7 дней» from 7
    on (a missed daily run still sends it the next day); none on or after the day."""
    for days in sorted(NOTICE_DAYS):
        if 0 < days_left <= days:
            return days
    return None


def _recipients(campaign: Campaign) -> tuple[dict[int, list[User]], list[User]]:
    """Active school coordinators by school, and municipal coordinators, of the campaign's department."""
    by_school: dict[int, list[User]] = defaultdict(list)
    municipal: list[User] = []
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .filter(
            Q(school__department_id=campaign.department_id, role=Role.SCHOOL_COORDINATOR)
            | Q(department_id=campaign.department_id, role=Role.MUNICIPAL_COORDINATOR)
        )
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        if membership.school_id:
            by_school[membership.school_id].append(membership.user)
        else:
            municipal.append(membership.user)
    return by_school, municipal


def _send(*, users: list[User], text: str, url: str, key: str) -> int:
    text = text[: Notification._meta.get_field("text").max_length]
    try:
        return len(notifications_send(users=users, text=text, url=url, key=key))
    except IntegrityError:  # a concurrent run created some of these notices: once more, skipping them
        return len(notifications_send(users=users, text=text, url=url, key=key))


def retention_notices_send(*, now: datetime.datetime | None = None) -> int:
    """Tells school coordinators (of schools with names to remove) and municipal coordinators, 30 and 7 days
    before each day of removal, what will be removed and when. Each notice is keyed by campaign, school, day and
    occasion: sent once however often this runs. Returns how many notices were created."""
    now = now or timezone.now()
    sent = 0
    for campaign in Campaign.objects.filter(personal_data_purged_at__isnull=True).select_related("department"):
        tz = department_tz(campaign)
        if _days_left(earliest_due_at(campaign), now, tz) > max(NOTICE_DAYS):
            continue
        plan = retention_plan(campaign)
        coming: dict[datetime.datetime, dict[int, RetentionCounts]] = defaultdict(dict)
        for school_id, dates in plan.by_date().items():
            for date, counts in dates.items():
                coming[plan.due(date)][school_id] = counts
        by_school = municipal = schools = None
        for due, counts in sorted(coming.items()):
            occasion = _occasion(_days_left(due, now, tz))
            if occasion is None:
                continue
            if by_school is None:
                by_school, municipal = _recipients(campaign)
                schools = School.objects.in_bulk(list(plan.by_date()))
            day = f"{timezone.localtime(due, tz):%Y-%m-%d}"
            for school_id, school_counts in sorted(counts.items()):
                users = by_school.get(school_id)
                if not users:
                    continue
                school = schools[school_id]
                text = _(
                    "{campaign}: {moment} по местному времени будут удалены ФИО участников и связь кодов с "
                    "обучающимися (Регламент 4.3.12, 7.9): связей участников — {participants}, кодов — {codes}, "
                    "документов с ФИО — {documents}. Результаты сохранятся обезличенными."
                ).format(
                    campaign=campaign.title,
                    moment=format_moment(due, school.tzinfo),
                    participants=school_counts.participant_links,
                    codes=school_counts.code_links,
                    documents=school_counts.documents,
                )
                url = reverse(
                    "grading:school_retention", kwargs={"campaign_code": campaign.code, "school_code": school.code}
                )
                key = f"retention:{campaign.pk}:school:{school_id}:{day}:d{occasion}"
                sent += _send(users=users, text=text, url=url, key=key)
            if municipal:
                totals = sum(counts.values(), RetentionCounts())
                text = _(
                    "{campaign}: {moment} ({moscow} МСК) будут удалены ФИО участников и связь кодов с обучающимися "
                    "(Регламент 4.3.12, 7.9). Школ: {schools}; связей участников — {participants}, кодов — {codes}, "
                    "документов с ФИО — {documents}."
                ).format(
                    campaign=campaign.title,
                    moment=format_moment(due, tz),
                    moscow=format_moment(due, MOSCOW),
                    schools=len(counts),
                    participants=totals.participant_links,
                    codes=totals.code_links,
                    documents=totals.documents,
                )
                url = reverse("grading:retention", kwargs={"campaign_code": campaign.code})
                key = f"retention:{campaign.pk}:department:{day}:d{occasion}"
                sent += _send(users=municipal, text=text, url=url, key=key)
    return sent


@dataclass(frozen=True)
class RetentionRun:
    notices: int
    purged: dict[str, dict]


def retention_run(*, now: datetime.datetime | None = None) -> RetentionRun:
    """The daily work: the notices due, then the purge of every campaign due. Each campaign is purged in its
    own transaction, so one failing does not hold back the others' (the error is logged, then raised at the
    end for the task to retry)."""
    now = now or timezone.now()
    notices = retention_notices_send(now=now)
    purged: dict[str, dict] = {}
    failure: Exception | None = None
    for campaign in campaigns_due(now=now):
        try:
            removed = personal_data_purge(campaign=campaign, now=now)
        except Exception as error:
            logger.exception("personal data purge of campaign %s failed", campaign.code)
            failure = error
            continue
        if removed is not None:
            purged[campaign.code] = removed.as_dict()
    if failure is not None:
        raise failure
    return RetentionRun(notices=notices, purged=purged)
