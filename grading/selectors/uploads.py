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
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, FilteredRelation, Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grading import cache as results_cache
from grading.cache import campaign_assessments_shown, stamped_assessments
from grading.models import FormUpload, Work
from grading.rules import unranked
from procedures.models import Assessment, Campaign, Participant, Stage
from procedures.selectors.plan import Moment
from procedures.selectors.schedules import assigned_class_ids_by_school, assignment_version, campaign_assessments
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


NOT_GRADED = Grading()


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
    assigned: dict[int, dict[int, list[int]]] | None = None,
) -> dict[int, list[Assessment]]:
    """For each school, the assessments it writes, in catalogue order (four queries, three with `assessments`,
    one fewer with `pairs`: the (school, assessment) pairs of the participations that write, when the caller has
    read them already, and two fewer with `assigned`: `assigned_class_ids_by_school` of at least these schools)."""
    school_ids = list(school_ids)
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    if assigned is None:
        assigned = assigned_class_ids_by_school(campaign=campaign, school_ids=school_ids, assessments=assessments)
    if pairs is None:
        pairs = _writing_pairs(campaign=campaign, school_ids=school_ids)
    with_ids = [(a, a.pk) for a in assessments]
    result: dict[int, list[Assessment]] = {}
    for school_id in school_ids:
        classes = assigned.get(school_id, {})
        result[school_id] = [a for a, pk in with_ids if classes.get(pk) or (school_id, pk) in pairs]
    return result


def _grading_by_pair(
    *, campaign: Campaign, school_ids: list[int] | None, assessments: list[Assessment] | None = None
) -> dict[tuple[int, int], Grading]:
    """Grading progress of every (school, assessment) of `school_ids` (None: of the whole campaign): one grouped
    query over the participations that write.

    The works are joined on the campaign's assessments only (a condition of the join, not of the rows): the
    database then reads this campaign's works instead of hashing every work of every campaign."""
    present = Q(absent=False)
    assessment_ids = (
        [a.pk for a in campaign_assessments(campaign)] if assessments is None else [a.pk for a in assessments]
    )
    writers = Participant.objects.filter(campaign=campaign, status=Participant.Status.WRITES)
    if school_ids is not None:
        writers = writers.filter(school_id__in=school_ids)
    rows = (
        writers.annotate(campaign_work=FilteredRelation("work", condition=Q(work__assessment_id__in=assessment_ids)))
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


@dataclass(frozen=True)
class _CellParts:
    """What the cells of some schools are built from, read once: the assessments each school writes, the grading
    of each (school, assessment), the uploads, the deadline and the moment the states are for."""

    written: dict[int, list[Assessment]]
    gradings: dict[tuple[int, int], Grading]
    uploads: dict[tuple[int, int], FormUpload]
    deadline: datetime.datetime | None
    now: datetime.datetime

    def states(self, school_id: int) -> dict[int, str]:
        """assessment id → the state of the school's cell, for each assessment the school writes."""
        states = {}
        for assessment in self.written[school_id]:
            pair = (school_id, assessment.pk)
            states[pair[1]] = upload_state(
                grading=self.gradings.get(pair, NOT_GRADED),
                upload=self.uploads.get(pair),
                deadline=self.deadline,
                now=self.now,
            )
        return states

    def cells(self, school: School) -> list[UploadCell]:
        states = self.states(school.pk)
        return [
            UploadCell(
                school=school,
                assessment=assessment,
                state=states[assessment.pk],
                grading=self.gradings.get((school.pk, assessment.pk), NOT_GRADED),
                upload=self.uploads.get((school.pk, assessment.pk)),
                deadline=self.deadline,
            )
            for assessment in self.written[school.pk]
        ]


def upload_cells(
    *,
    campaign: Campaign,
    schools: Sequence[School],
    now: datetime.datetime | None = None,
    assessments: list[Assessment] | None = None,
) -> dict[int, list[UploadCell]]:
    """For each school, a cell per assessment it writes (catalogue order): five queries for any number of
    schools (four with `assessments`). The grading's grouped query also gives the pairs the schools write."""
    school_ids = [school.pk for school in schools]
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    gradings = _grading_by_pair(campaign=campaign, school_ids=school_ids, assessments=assessments)
    parts = _CellParts(
        written=written_assessments(
            campaign=campaign, school_ids=school_ids, assessments=assessments, pairs=set(gradings)
        ),
        gradings=gradings,
        uploads=_uploads_by_pair(campaign=campaign, school_ids=school_ids),
        deadline=campaign.upload_deadline,
        now=now or timezone.now(),
    )
    return {school.pk: parts.cells(school) for school in schools}


def _campaign_parts(
    *, campaign: Campaign, schools: Sequence[School], assessments: list[Assessment], now: datetime.datetime
) -> _CellParts:
    """`_CellParts` of the matrix's schools, with the two region-wide reads kept in the results cache
    (grading/cache.py) under versions that change with what they read:

    - the grading of the whole campaign, under the results stamps of its assessments: who writes and is present
      (participations) and how far each work is graded (scores, completeness, the last change) are written only
      together with a refresh of the summary rows, which bumps the stamps in the same transaction;
    - the classes assigned to every school of the department, under `assignment_version` (the department's
      classes and the campaign's explicit assignments) and the assessments' grades.

    The uploads are read each time (one small query). Five queries, whatever the number of schools (the stamps,
    the department's schools, the assignment's version, the uploads), three more for what the cache did not hold;
    the region's 890,000 participations are grouped only when a stamp changed."""
    stamps = stamped_assessments(assessments)
    gradings = {
        pair: Grading(*values)
        for pair, values in results_cache.cached(
            "upload-gradings",
            (campaign.pk, *stamps),
            lambda: {
                pair: (g.participants, g.present, g.scored, g.complete, g.changed_at)
                for pair, g in _grading_by_pair(campaign=campaign, school_ids=None, assessments=assessments).items()
            },
        ).items()
    }
    department_school_ids = list(schools_of(campaign).values_list("pk", flat=True))
    assigned = results_cache.cached(
        "upload-assigned",
        (
            campaign.pk,
            results_cache.Version("assignment", assignment_version(campaign)),
            results_cache.Version("grades", tuple((a.pk, a.grade) for a in assessments)),
            results_cache.Version("schools", hash(tuple(department_school_ids))),
        ),
        lambda: assigned_class_ids_by_school(
            campaign=campaign, school_ids=department_school_ids, assessments=assessments
        ),
    )
    school_ids = [school.pk for school in schools]
    return _CellParts(
        written=written_assessments(
            campaign=campaign, school_ids=school_ids, assessments=assessments, pairs=set(gradings), assigned=assigned
        ),
        gradings=gradings,
        uploads=_uploads_by_pair(campaign=campaign, school_ids=school_ids),
        deadline=campaign.upload_deadline,
        now=now,
    )


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


def _rank(states: list[str]) -> tuple[int, ...]:
    """The late first (`states`: a school's cells' states): more cells overdue first, then more not started, then
    more in checking, and so on (a school that writes nothing comes last)."""
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
    filters keep. Seven queries for any number of schools (three more when the cache does not hold the campaign's
    grading and assigned classes), and a page builds and renders `per_page` rows whatever the region's size."""
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
    parts = _campaign_parts(campaign=campaign, schools=shown, assessments=assessments, now=now or timezone.now())
    counts = {s: 0 for s in UploadState.ORDER}
    ranked = []
    for school in shown:
        states = parts.states(school.pk)
        for cell_state in states.values():
            counts[cell_state] += 1
        if state in counts and state not in states.values():
            continue
        ranked.append((_rank(list(states.values())), school))
    # the late first (a deadline, not a result); schools of the same standing by code (R15)
    ranked = sorted(unranked(ranked, by=lambda item: item[1]), key=lambda item: item[0])
    shown_page = Paginator([school for _rank_, school in ranked], per_page).get_page(page)
    rows = []
    for school in shown_page.object_list:  # the page's cells only: a region is 6,000 of them
        cells = parts.cells(school)
        by_assessment = {cell.assessment.pk: cell for cell in cells}
        worst = next((s for s in UploadState.ORDER if any(cell.state == s for cell in cells)), None)
        rows.append(MatrixRow(school, [by_assessment.get(a.pk) for a in assessments], worst))
    return UploadMatrix(
        campaign=campaign,
        assessments=assessments,
        rows=rows,
        counts=[(s, UploadState.LABELS[s], counts[s]) for s in UploadState.ORDER],
        deadline=Moment.of(campaign.upload_deadline, department_tz(campaign)),
        state=state if state in counts else "",
        school=chosen,
        query="" if chosen is not None else query,
        page=shown_page,
    )


def uploads_version(campaign: Campaign) -> tuple:
    """The campaign's recorded uploads as a value that changes whenever one is recorded (a new row) or recorded
    again (`form_upload_record` sets its time to now, the latest of all): their number, last id and last time.
    One query."""
    found = FormUpload.objects.filter(campaign=campaign).aggregate(n=Count("id"), last=Max("id"), at=Max("uploaded_at"))
    return (found["n"], found["last"], found["at"].isoformat() if found["at"] else None)


def matrix_key(campaign: Campaign, *, now: datetime.datetime | None = None) -> tuple:
    """Key parts of the department's matrix page (grading/page_cache.py) that change with everything it shows:
    the campaign as shown with its deadline (in the department's time zone) and whether the deadline has passed
    (the only way time changes a state), the assessments as shown with their results stamps (participations and
    grading), the schools as shown (code, name, search text), the classes assigned (`assignment_version`) and the
    uploads (`uploads_version`). Six queries, whatever the number of schools."""
    now = now or timezone.now()
    deadline = campaign.upload_deadline
    schools = tuple(schools_of(campaign).values_list("pk", "code", "short_name", "search_text"))
    return (
        results_cache.Version(
            "campaign",
            (
                campaign.pk,
                campaign.code,
                campaign.title,
                deadline,
                deadline is not None and deadline <= now,
                str(department_tz(campaign)),  # the deadline is shown in the department's time
            ),
        ),
        *campaign_assessments_shown(campaign),
        results_cache.Version("schools", hashlib.sha256(repr(schools).encode()).hexdigest()[:16]),
        results_cache.Version("assignment", assignment_version(campaign)),
        results_cache.Version("uploads", uploads_version(campaign)),
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
