"""Keeping pupils' names for the retention period only (R12; Регламент 4.3.12, 7.9), then removing them while
the anonymous results stay.

When. The protocol with codes and names is kept «в течение года с момента проведения ВПР»: a campaign's
period runs from the end of its federal window for `retention_days` days (365 by default). Removal is due at
00:00 in the department's time zone on the day `window_end + retention_days` (the campaign is the
department's, and one moment serves all its schools; each school reads that moment in its own time zone). The
daily task removes on its first run from that moment on, never before.

What is removed, for that campaign only:
- the link between a participation and the pupil (`Participant.pupil`), and between a campaign code and the
  pupil (`ParticipantCode.pupil`): nothing is left to tell whose code or work it was;
- the stored documents that print names next to codes (the school's set of printables with the paper
  protocol, `reports.GeneratedDocument` of the kinds in `NAMED_DOCUMENT_KINDS`), with their files.

What stays: every participation with its code, class, sex, variant and attendance, every work with its scores,
primary score and mark, the campaign codes, the uploaded results forms (codes only), the room protocols
(codes only), the orders (they name staff, not pupils). Pupil rows themselves stay too: `schools.Pupil` is the
school's registry of its current pupils, which the school keeps for its own purposes and other campaigns; a
campaign's retention ends that campaign's use of the names, so the purge removes the campaign's link to the
pupil, never the pupil's record.

Every step reads and writes by campaign, so running it again changes nothing: the campaign is marked
`personal_data_purged_at` in the same transaction, and a marked campaign is skipped.

Beforehand, school coordinators and the department's municipal coordinators are told 30 and 7 days ahead
(each notice once), and `retention_preview` shows what will be removed and when, by the same queries the purge
runs.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Campaign, Participant, ParticipantCode
from procedures.printables import SCHOOL_SET
from procedures.services.plan import MOSCOW, department_tz, format_moment
from reports.models import GeneratedDocument
from schools.models import Membership, Notification, Role, School, User
from schools.services import audit_record, notifications_send

logger = logging.getLogger(__name__)

# Stored documents that carry pupils' names next to their codes (the paper protocol of Регламент 7.9).
NAMED_DOCUMENT_KINDS = (SCHOOL_SET,)
# Days before the removal on which coordinators are told (each notice once).
NOTICE_DAYS = (30, 7)


def purge_due_at(campaign: Campaign) -> datetime.datetime:
    """The moment the campaign's names are due for removal: 00:00 in the department's time zone on the day
    `window_end + retention_days`."""
    day = campaign.window_end + datetime.timedelta(days=campaign.retention_days)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=department_tz(campaign))


def purge_is_due(campaign: Campaign, *, now: datetime.datetime) -> bool:
    return campaign.personal_data_purged_at is None and purge_due_at(campaign) <= now


# What the purge touches: the preview counts these, the purge removes these ----------------------------------


def _participant_links(campaign: Campaign) -> QuerySet[Participant]:
    return Participant.objects.filter(campaign=campaign, pupil__isnull=False)


def _code_links(campaign: Campaign) -> QuerySet[ParticipantCode]:
    return ParticipantCode.objects.filter(campaign=campaign, pupil__isnull=False)


def _named_documents(campaign: Campaign) -> QuerySet[GeneratedDocument]:
    return GeneratedDocument.objects.filter(kind__in=NAMED_DOCUMENT_KINDS, params__campaign=campaign.pk)


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


def _grouped(queryset: QuerySet, school_ids: list[int] | None) -> dict[int, int]:
    if school_ids is not None:
        queryset = queryset.filter(school_id__in=school_ids)
    return dict(queryset.values("school_id").annotate(n=Count("id")).order_by().values_list("school_id", "n"))


def counts_by_school(campaign: Campaign, *, school_ids: list[int] | None = None) -> dict[int, RetentionCounts]:
    """What the purge would remove now, per school (every school with anything, or those of `school_ids`):
    three queries."""
    participants = _grouped(_participant_links(campaign), school_ids)
    codes = _grouped(_code_links(campaign), school_ids)
    documents = _grouped(_named_documents(campaign), school_ids)
    return {
        school_id: RetentionCounts(participants.get(school_id, 0), codes.get(school_id, 0), documents.get(school_id, 0))
        for school_id in {*participants, *codes, *documents}
        if school_id is not None
    }


@dataclass(frozen=True)
class SchoolRetention:
    school: School
    counts: RetentionCounts
    # the moment of removal in the school's own time zone
    due_local: datetime.datetime


@dataclass(frozen=True)
class RetentionPreview:
    campaign: Campaign
    due_at: datetime.datetime
    purged_at: datetime.datetime | None
    schools: list[SchoolRetention]
    totals: RetentionCounts
    days_left: int

    @property
    def due_moscow(self) -> datetime.datetime:
        return timezone.localtime(self.due_at, MOSCOW)


def retention_preview(
    *, campaign: Campaign, schools: Sequence[School], now: datetime.datetime | None = None
) -> RetentionPreview:
    """When the campaign's names will be removed and how much, for each of `schools` (the department: all its
    schools; a coordinator: their own). Three queries for any number of schools."""
    now = now or timezone.now()
    due = purge_due_at(campaign)
    counts = counts_by_school(campaign, school_ids=[school.pk for school in schools])
    rows = [
        SchoolRetention(
            school=school,
            counts=counts.get(school.pk, RetentionCounts()),
            due_local=timezone.localtime(due, school.tzinfo),
        )
        for school in schools
    ]
    totals = sum((row.counts for row in rows), RetentionCounts())
    tz = department_tz(campaign)
    return RetentionPreview(
        campaign=campaign,
        due_at=due,
        purged_at=campaign.personal_data_purged_at,
        schools=rows,
        totals=totals,
        days_left=(timezone.localtime(due, tz).date() - timezone.localtime(now, tz).date()).days,
    )


# The purge ---------------------------------------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    storage = GeneratedDocument._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def personal_data_purge(*, campaign: Campaign, now: datetime.datetime | None = None) -> RetentionCounts | None:
    """Removes the campaign's pupils' names once its retention period is over (see the module's docstring):
    the participant ↔ pupil and code ↔ pupil links and the stored documents with names, with their files; the
    anonymous results stay. Returns what was removed, or None when nothing was done (not due yet, or purged
    already: a second run does nothing). Audited per school and for the campaign, with the counts.

    The documents' files are deleted inside the transaction, before it commits: should the commit fail, the
    rows (pointing at missing files) are removed on the next run, while a file is never left behind once its
    row is gone. A storage error (OSError) rolls everything back and propagates, so the task retries."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if locked is None or not purge_is_due(locked, now=now):
            return None
        by_school = counts_by_school(locked)
        documents = list(_named_documents(locked).values_list("pk", "file"))
        _delete_files([name for _pk, name in documents if name])
        GeneratedDocument.objects.filter(pk__in=[pk for pk, _name in documents]).delete()
        removed = RetentionCounts(
            participant_links=_participant_links(locked).update(pupil=None),
            code_links=_code_links(locked).update(pupil=None),
            documents=len(documents),
        )
        locked.personal_data_purged_at = now
        locked.save(update_fields=["personal_data_purged_at"])
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
    campaign.personal_data_purged_at = now
    return removed


def campaigns_due(*, now: datetime.datetime) -> list[Campaign]:
    """Campaigns whose retention period is over and whose names are not removed yet."""
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
    before, what will be removed and when. Each notice is keyed by campaign, school and occasion: sent once
    however often this runs. Returns how many notices were created."""
    now = now or timezone.now()
    sent = 0
    for campaign in Campaign.objects.filter(personal_data_purged_at__isnull=True).select_related("department"):
        due = purge_due_at(campaign)
        tz = department_tz(campaign)
        occasion = _occasion((timezone.localtime(due, tz).date() - timezone.localtime(now, tz).date()).days)
        if occasion is None:
            continue
        counts = counts_by_school(campaign)
        if not counts:
            continue
        by_school, municipal = _recipients(campaign)
        schools = School.objects.in_bulk(list(counts))
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
            sent += _send(
                users=users, text=text, url=url, key=f"retention:{campaign.pk}:school:{school_id}:d{occasion}"
            )
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
            sent += _send(users=municipal, text=text, url=url, key=f"retention:{campaign.pk}:department:d{occasion}")
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
