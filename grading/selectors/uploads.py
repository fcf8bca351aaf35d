"""Reads of the results-form upload to ФИС ОКО (Регламент 6.6.9): each school × assessment it writes, with a
status, for the department's monitoring matrix and the school's own page; the plan-graph's «форма сбора
результатов загружена» read from the same data.

Statuses, the late first:

- «просрочено» — the campaign's upload deadline has passed and no upload is recorded;
- «не начато» — no present participant's work has a score yet;
- «проверка» — some works have scores, not every present participant's work is complete;
- «форма готова» — every present participant's work is complete;
- «форма изменена после загрузки» — the upload is recorded, but a result of the assessment changed after it
  (`Work.results_changed_at` later than the record): what ФИС ОКО holds is no longer what the school has;
- «загружено» — the school recorded the upload (the file it uploaded is kept) and nothing changed since.

The deadline is one moment (`Campaign.upload_deadline`, an aware datetime, as the plan-graph's stage takes it):
a school is late from that moment wherever it is, and reads the moment in its own time zone, Moscow time
alongside (R16). A Moscow school and a Yekaterinburg school with the deadline «25.05 23:59 (Екатеринбург)»
are both late from 21:59 Moscow time, which the Moscow school sees as its deadline.

«The assessments a school writes»: those the class assignment gives one of its classes, and those it has
participants writing (a family-form pupil writes outside the assigned classes).

The views resolve the campaign and the school first (outside scope is 404); every function here reads a fixed
number of queries whatever the number of schools.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, FilteredRelation, Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grading.models import FormUpload, Work
from grading.rules import unranked
from procedures.models import Assessment, Campaign, Participant, Stage
from procedures.selectors.plan import Moment
from procedures.selectors.schedules import assigned_class_ids_by_school, campaign_assessments
from procedures.services.plan import CheckResult, department_tz, register_stage_check
from schools.access import Capability, user_can
from schools.models import School, User, search_key


class UploadState:
    OVERDUE = "overdue"
    NOT_STARTED = "not_started"
    CHECKING = "checking"
    READY = "ready"
    CHANGED = "changed"
    UPLOADED = "uploaded"
    # The late first: the order of the matrix and of the counts.
    ORDER = (OVERDUE, NOT_STARTED, CHECKING, READY, CHANGED, UPLOADED)
    LABELS = {
        OVERDUE: _("просрочено"),
        NOT_STARTED: _("не начато"),
        CHECKING: _("проверка"),
        READY: _("форма готова"),
        CHANGED: _("форма изменена после загрузки"),
        UPLOADED: _("загружено"),
    }
    BADGES = {
        OVERDUE: "text-bg-danger",
        NOT_STARTED: "text-bg-secondary",
        CHECKING: "text-bg-warning",
        READY: "text-bg-info",
        CHANGED: "text-bg-danger",
        UPLOADED: "text-bg-success",
    }

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(state, cls.LABELS[state]) for state in cls.ORDER]


@dataclass(frozen=True)
class Grading:
    """How far the grading of one assessment at one school is: participants who write it, those present, and
    how many present participants' works have a score / are complete."""

    participants: int = 0
    present: int = 0
    scored: int = 0
    complete: int = 0
    # the last change of a result of the assessment at the school (None: none recorded)
    changed_at: datetime.datetime | None = None

    @property
    def state(self) -> str:
        if not self.participants:
            return UploadState.NOT_STARTED
        if self.complete >= self.present:  # every present participant's work (none present: nothing to grade)
            return UploadState.READY
        return UploadState.CHECKING if self.scored else UploadState.NOT_STARTED


def upload_state(*, grading: Grading, upload: FormUpload | None, deadline: datetime.datetime | None, now) -> str:
    if upload is not None:
        if grading.changed_at is not None and grading.changed_at > upload.uploaded_at:
            return UploadState.CHANGED
        return UploadState.UPLOADED
    if deadline is not None and deadline <= now:
        return UploadState.OVERDUE
    return grading.state


@dataclass(frozen=True)
class UploadCell:
    """One school × one assessment it writes."""

    school: School
    assessment: Assessment
    state: str
    grading: Grading
    upload: FormUpload | None
    deadline: datetime.datetime | None  # None: the campaign's kind has no upload deadline

    @property
    def label(self) -> str:
        return UploadState.LABELS[self.state]

    @property
    def badge(self) -> str:
        return UploadState.BADGES[self.state]

    @property
    def uploaded_late(self) -> bool:
        return self.upload is not None and self.deadline is not None and self.upload.uploaded_at > self.deadline


# Which assessments each school writes ----------------------------------------------------------------------


def _writing_pairs(*, campaign: Campaign, school_ids: list[int]) -> set[tuple[int, int]]:
    """(school_id, assessment_id) of the participations that write: one query. The model's default ordering is
    cleared first: with it, DISTINCT runs over (school, assessment, class, code, id) and returns every row."""
    return set(
        Participant.objects.filter(campaign=campaign, school_id__in=school_ids, status=Participant.Status.WRITES)
        .order_by()
        .values_list("school_id", "assessment_id")
        .distinct()
    )


def written_assessments(
    *,
    campaign: Campaign,
    school_ids: Iterable[int],
    assessments: list[Assessment] | None = None,
    pairs: set[tuple[int, int]] | None = None,
) -> dict[int, list[Assessment]]:
    """For each school, the assessments it writes, in catalogue order (four queries, three with `assessments`,
    one fewer with `pairs`: the (school, assessment) pairs of the participations that write, when the caller has
    read them already)."""
    school_ids = list(school_ids)
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    assigned = assigned_class_ids_by_school(campaign=campaign, school_ids=school_ids, assessments=assessments)
    if pairs is None:
        pairs = _writing_pairs(campaign=campaign, school_ids=school_ids)
    result: dict[int, list[Assessment]] = {}
    for school_id in school_ids:
        classes = assigned.get(school_id, {})
        result[school_id] = [a for a in assessments if classes.get(a.pk) or (school_id, a.pk) in pairs]
    return result


def _grading_by_pair(
    *, campaign: Campaign, school_ids: list[int], assessments: list[Assessment] | None = None
) -> dict[tuple[int, int], Grading]:
    """Grading progress of every (school, assessment): one grouped query over the participations that write.

    The works are joined on the campaign's assessments only (a condition of the join, not of the rows): the
    database then reads this campaign's works instead of hashing every work of every campaign."""
    present = Q(absent=False)
    assessment_ids = (
        [a.pk for a in campaign_assessments(campaign)] if assessments is None else [a.pk for a in assessments]
    )
    rows = (
        Participant.objects.filter(campaign=campaign, school_id__in=school_ids, status=Participant.Status.WRITES)
        .annotate(campaign_work=FilteredRelation("work", condition=Q(work__assessment_id__in=assessment_ids)))
        .values("school_id", "assessment_id")
        .annotate(
            participants=Count("id"),
            present=Count("id", filter=present),
            scored=Count("id", filter=present & Q(campaign_work__primary_score__isnull=False)),
            complete=Count("id", filter=present & Q(campaign_work__is_complete=True)),
            changed_at=Max("campaign_work__results_changed_at"),
        )
        .order_by()
    )
    return {
        (row["school_id"], row["assessment_id"]): Grading(
            participants=row["participants"],
            present=row["present"],
            scored=row["scored"],
            complete=row["complete"],
            changed_at=row["changed_at"],
        )
        for row in rows
    }


def _uploads_by_pair(*, campaign: Campaign, school_ids: list[int]) -> dict[tuple[int, int], FormUpload]:
    uploads = FormUpload.objects.filter(campaign=campaign, school_id__in=school_ids).select_related("uploaded_by")
    return {(upload.school_id, upload.assessment_id): upload for upload in uploads}


def upload_cells(
    *,
    campaign: Campaign,
    schools: Sequence[School],
    now: datetime.datetime | None = None,
    assessments: list[Assessment] | None = None,
) -> dict[int, list[UploadCell]]:
    """For each school, a cell per assessment it writes (catalogue order): five queries for any number of
    schools (four with `assessments`). The grading's grouped query also gives the pairs the schools write."""
    now = now or timezone.now()
    school_ids = [school.pk for school in schools]
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    gradings = _grading_by_pair(campaign=campaign, school_ids=school_ids, assessments=assessments)
    written = written_assessments(
        campaign=campaign, school_ids=school_ids, assessments=assessments, pairs=set(gradings)
    )
    uploads = _uploads_by_pair(campaign=campaign, school_ids=school_ids)
    deadline = campaign.upload_deadline
    cells: dict[int, list[UploadCell]] = {}
    for school in schools:
        row = []
        for assessment in written[school.pk]:
            grading = gradings.get((school.pk, assessment.pk), Grading())
            upload = uploads.get((school.pk, assessment.pk))
            row.append(
                UploadCell(
                    school=school,
                    assessment=assessment,
                    state=upload_state(grading=grading, upload=upload, deadline=deadline, now=now),
                    grading=grading,
                    upload=upload,
                    deadline=deadline,
                )
            )
        cells[school.pk] = row
    return cells


# The department's matrix -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    school: School
    # aligned with the matrix's assessments; None where the school does not write that one
    cells: list[UploadCell | None]
    worst: str | None

    @property
    def is_late(self) -> bool:
        return self.worst == UploadState.OVERDUE

    def count(self, state: str) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.state == state)


@dataclass
class UploadMatrix:
    campaign: Campaign
    assessments: list[Assessment]
    # the rows of the page shown (`page`), in the matrix's order
    rows: list[MatrixRow]
    # per status, over the schools the school filters keep, in UploadState.ORDER
    counts: list[tuple[str, str, int]]
    deadline: Moment | None
    state: str = ""
    school: School | None = None
    query: str = ""
    page: Page | None = None

    @property
    def total(self) -> int:
        return sum(n for _state, _label, n in self.counts)


MATRIX_PAGE_SIZE = 50


def _rank(row_cells: list[UploadCell]) -> tuple[int, ...]:
    """The late first: more cells overdue first, then more not started, then more in checking, and so on (a
    school that writes nothing comes last)."""
    states = [cell.state for cell in row_cells]
    return tuple(-states.count(state) for state in UploadState.ORDER)


def schools_of(campaign: Campaign) -> QuerySet[School]:
    """The schools a campaign concerns: every school of its department."""
    return School.objects.filter(department_id=campaign.department_id).order_by("code")


def upload_matrix(
    *,
    campaign: Campaign,
    state: str = "",
    school_code: str = "",
    query: str = "",
    page: int | str | None = 1,
    per_page: int = MATRIX_PAGE_SIZE,
    now: datetime.datetime | None = None,
) -> UploadMatrix:
    """Every school of the campaign's department × the campaign's assessments, the late first, a page of
    `per_page` schools at a time. `state` keeps the schools with a cell in that status; `school_code` keeps one
    school, `query` the schools whose code or name contains it. The counts are over every school the school
    filters keep. Six queries for any number of schools, and a page renders `per_page` rows whatever the
    region's size."""
    schools = schools_of(campaign)
    chosen = schools.filter(code=school_code).first() if school_code else None
    query = query.strip()
    if chosen is not None:
        shown = [chosen]
    elif query:
        shown = list(schools.filter(search_text__contains=search_key(query)))
    else:
        shown = list(schools)
    assessments = campaign_assessments(campaign)
    cells = upload_cells(campaign=campaign, schools=shown, now=now, assessments=assessments)
    counts = {s: 0 for s in UploadState.ORDER}
    rows = []
    for school in shown:
        by_assessment = {cell.assessment.pk: cell for cell in cells[school.pk]}
        for cell in cells[school.pk]:
            counts[cell.state] += 1
        states = {cell.state for cell in cells[school.pk]}
        if state in counts and state not in states:
            continue
        worst = next((s for s in UploadState.ORDER if s in states), None)
        row = MatrixRow(school, [by_assessment.get(a.pk) for a in assessments], worst)
        rows.append((_rank(cells[school.pk]), school.code, row))
    # the late first (a deadline, not a result); schools of the same standing by code (R15)
    rows = sorted(unranked(rows, by=lambda item: item[2].school), key=lambda item: item[0])
    shown_page = Paginator([row for _rank_, _code, row in rows], per_page).get_page(page)
    return UploadMatrix(
        campaign=campaign,
        assessments=assessments,
        rows=list(shown_page.object_list),
        counts=[(s, UploadState.LABELS[s], counts[s]) for s in UploadState.ORDER],
        deadline=Moment.of(campaign.upload_deadline, department_tz(campaign)),
        state=state if state in counts else "",
        school=chosen,
        query="" if chosen is not None else query,
        page=shown_page,
    )


# The school's own page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolUploads:
    campaign: Campaign
    school: School
    cells: list[UploadCell]
    # the deadline in the school's own time zone, Moscow time alongside (R16)
    deadline: Moment | None
    is_past_deadline: bool


def school_uploads(*, campaign: Campaign, school: School, now: datetime.datetime | None = None) -> SchoolUploads:
    now = now or timezone.now()
    return SchoolUploads(
        campaign=campaign,
        school=school,
        cells=upload_cells(campaign=campaign, schools=[school], now=now)[school.pk],
        deadline=Moment.of(campaign.upload_deadline, school.tzinfo),
        is_past_deadline=campaign.upload_deadline is not None and campaign.upload_deadline <= now,
    )


def assessment_written_by(*, campaign: Campaign, school: School, code: str) -> Assessment | None:
    """The campaign's assessment with this code, if the school writes it (else None: the view answers 404)."""
    for assessment in written_assessments(campaign=campaign, school_ids=[school.pk])[school.pk]:
        if assessment.code == code:
            return assessment
    return None


def upload_of(*, campaign: Campaign, school: School, assessment_code: str) -> FormUpload | None:
    return (
        FormUpload.objects.filter(campaign=campaign, school=school, assessment__code=assessment_code)
        .select_related("assessment", "school")
        .first()
    )


def may_upload(user: User, school: School) -> bool:
    """Whether the user records the school's uploads of the results form (its coordinator, its technical
    specialist: the capabilities table)."""
    return user_can(user, Capability.UPLOAD_RESULTS_FORM, school)


# The plan-graph: «Загрузить форму сбора результатов» is done from data -------------------------------------


def _uploads_link(campaign: Campaign, school: School) -> str | None:
    try:
        return reverse("grading:school_uploads", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    except NoReverseMatch:
        return None


@register_stage_check(Stage.Kind.RESULTS_UPLOADED, link=_uploads_link)
def results_uploaded(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when every assessment the school writes has its upload recorded and no result changed after it
    (a form changed after its upload must be uploaded again); done_at is the last upload. A school that writes
    nothing is not done (as for the codes). Six queries for any number of schools."""
    school_ids = [school.pk for school in schools]
    assessments = campaign_assessments(campaign)
    written = written_assessments(campaign=campaign, school_ids=school_ids, assessments=assessments)
    # the campaign's assessments by id: the (school, assessment) index instead of a join through every work
    changed = {
        (school_id, assessment_id): at
        for school_id, assessment_id, at in Work.objects.filter(
            school_id__in=school_ids, assessment_id__in=[a.pk for a in assessments], results_changed_at__isnull=False
        )
        .values("school_id", "assessment_id")
        .annotate(at=Max("results_changed_at"))
        .values_list("school_id", "assessment_id", "at")
    }
    uploaded: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    for school_id, assessment_id, at in (
        FormUpload.objects.filter(campaign=campaign, school_id__in=school_ids)
        .values("school_id", "assessment_id")
        .annotate(at=Max("uploaded_at"))
        .values_list("school_id", "assessment_id", "at")
    ):
        uploaded[school_id][assessment_id] = at
    result = {}
    for school_id, assessments in written.items():
        current = [
            a.pk in uploaded[school_id]
            and uploaded[school_id][a.pk] >= changed.get((school_id, a.pk), uploaded[school_id][a.pk])
            for a in assessments
        ]
        if assessments and all(current):
            result[school_id] = (True, max(uploaded[school_id][a.pk] for a in assessments))
    return result
