"""Reads for class assignment, school schedules and the calendar. They take a campaign and a school that the
views' resolvers have already scoped (procedures.access): outside scope is 404 before these run.

The academic-year rule (decided): a campaign's classes are the school's classes of `campaign.academic_year`;
a school that has no classes of that year is read with its classes of its latest academic year.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from procedures.models import Assessment, Campaign, ClassAssignment, ScheduleEntry, SchoolSchedule
from schools.models import Department, School, SchoolClass, Subject
from vpr_portal.excel import safe_cell, safe_row
from vpr_portal.params import id_param, text_param

# Classes and their assignment ------------------------------------------------------------------------------


def _year_for(years: set[int], campaign: Campaign) -> int | None:
    if campaign.academic_year in years:
        return campaign.academic_year
    return max(years, default=None)


def campaign_classes(*, campaign: Campaign, school: School) -> QuerySet[SchoolClass]:
    """The school's classes of the campaign's academic year, or of its latest year when it has none of that one."""
    years = set(SchoolClass.objects.filter(school=school).values_list("academic_year", flat=True).distinct())
    year = _year_for(years, campaign)
    if year is None:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(school=school, academic_year=year).order_by("grade", "letter")


def campaign_classes_by_school(*, campaign: Campaign, school_ids) -> dict[int, list[SchoolClass]]:
    """`campaign_classes` for many schools in one query: school id → its classes (grade, letter order)."""
    by_school: dict[int, dict[int, list[SchoolClass]]] = defaultdict(lambda: defaultdict(list))
    # Only the two years `_year_for` may choose (the campaign's, the school's latest): the register keeps every
    # past year's classes, which are not read.
    latest = SchoolClass.objects.filter(school_id=OuterRef("school_id")).order_by("-academic_year")
    candidates = Q(academic_year=campaign.academic_year) | Q(academic_year=Subquery(latest.values("academic_year")[:1]))
    for school_class in (
        SchoolClass.objects.filter(school_id__in=list(school_ids)).filter(candidates).order_by("grade", "letter")
    ):
        by_school[school_class.school_id][school_class.academic_year].append(school_class)
    result: dict[int, list[SchoolClass]] = {}
    for school_id, years in by_school.items():
        result[school_id] = years[_year_for(set(years), campaign)]
    return result


@dataclass(frozen=True)
class AssignedWork:
    """Which classes of one school write one assessment; `explicit` when the department's distribution
    says so, otherwise every class of the grade (the default)."""

    assessment: Assessment
    classes: list[SchoolClass]
    explicit: bool


def campaign_assessments(campaign: Campaign) -> list[Assessment]:
    return list(campaign.assessments.select_related("subject").order_by("grade", "subject__name", "code"))


def assigned_works_by_school(
    *, campaign: Campaign, school_ids, assessments: list[Assessment] | None = None
) -> dict[int, list[AssignedWork]]:
    """For each school, every assessment of the campaign with the classes that write it (three queries)."""
    school_ids = list(school_ids)
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    classes = campaign_classes_by_school(campaign=campaign, school_ids=school_ids)
    explicit: dict[tuple[int, int], list[SchoolClass]] = defaultdict(list)
    rows = (
        ClassAssignment.objects.filter(assessment__campaign=campaign, school_id__in=school_ids)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__letter")
    )
    for row in rows:
        explicit[(row.school_id, row.assessment_id)].append(row.school_class)
    result: dict[int, list[AssignedWork]] = {}
    for school_id in school_ids:
        works = []
        for assessment in assessments:
            chosen = explicit.get((school_id, assessment.pk))
            if chosen is not None:
                works.append(AssignedWork(assessment, chosen, True))
            else:
                of_grade = [c for c in classes.get(school_id, []) if c.grade == assessment.grade]
                works.append(AssignedWork(assessment, of_grade, False))
        result[school_id] = works
    return result


def assigned_class_ids_by_school(
    *, campaign: Campaign, school_ids, assessments: list[Assessment] | None = None
) -> dict[int, dict[int, list[int]]]:
    """`assigned_works_by_school` as ids only, school → assessment id → the ids of the classes that write it,
    read as tuples without building a class object: for the pages that count over a whole region (two queries,
    three without `assessments`)."""
    school_ids = list(school_ids)
    assessments = campaign_assessments(campaign) if assessments is None else assessments
    latest = SchoolClass.objects.filter(school_id=OuterRef("school_id")).order_by("-academic_year")
    candidates = Q(academic_year=campaign.academic_year) | Q(academic_year=Subquery(latest.values("academic_year")[:1]))
    by_year: dict[int, dict[int, dict[int, list[int]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for class_id, school_id, year, grade in (
        SchoolClass.objects.filter(school_id__in=school_ids)
        .filter(candidates)
        .order_by("grade", "letter")
        .values_list("id", "school_id", "academic_year", "grade")
    ):
        by_year[school_id][year][grade].append(class_id)
    explicit: dict[tuple[int, int], list[int]] = defaultdict(list)
    for school_id, assessment_id, class_id in (
        ClassAssignment.objects.filter(assessment__campaign=campaign, school_id__in=school_ids)
        .order_by("school_class__grade", "school_class__letter")
        .values_list("school_id", "assessment_id", "school_class_id")
    ):
        explicit[(school_id, assessment_id)].append(class_id)
    result: dict[int, dict[int, list[int]]] = {}
    for school_id in school_ids:
        years = by_year.get(school_id, {})
        of_grade = years.get(_year_for(set(years), campaign), {})
        result[school_id] = {
            a.pk: explicit[(school_id, a.pk)] if (school_id, a.pk) in explicit else of_grade.get(a.grade, [])
            for a in assessments
        }
    return result


def assignment_version(campaign: Campaign) -> tuple:
    """What `assigned_class_ids_by_school` reads for the schools of the campaign's department, as a value that
    changes whenever that does (a key part of a cached copy): the campaign's academic year, the department's
    classes — added in bulk by the pupils' import and never edited, so their number and last id — and every
    explicit assignment row of the campaign (a school's assignment is replaced by a delete and a new set, so the
    rows themselves, not their ids, are what counts). Two queries, whatever the number of schools."""
    classes = SchoolClass.objects.filter(school__department_id=campaign.department_id).aggregate(
        n=Count("id"), last=Max("id")
    )
    explicit = (
        ClassAssignment.objects.filter(assessment__campaign=campaign)
        .order_by("school_id", "assessment_id", "school_class_id")
        .values_list("school_id", "assessment_id", "school_class_id")
    )
    digest = hashlib.sha256(repr(list(explicit)).encode()).hexdigest()[:16]
    return (campaign.academic_year, classes["n"], classes["last"], digest)


def assigned_works(*, campaign: Campaign, school: School) -> list[AssignedWork]:
    return assigned_works_by_school(campaign=campaign, school_ids=[school.pk])[school.pk]


def assignments_for(*, campaign: Campaign, school: School) -> list[tuple[Assessment, list[SchoolClass]]]:
    """Which classes of the school write each assessment of the campaign, as (assessment, [classes]).

    Where the department's distribution has rows for (assessment, school), only those classes; otherwise
    every class of the assessment's grade (of the campaign's academic year, see `campaign_classes`). Every
    assessment is listed, with an empty list when no class of the school writes it.
    """
    return [(work.assessment, work.classes) for work in assigned_works(campaign=campaign, school=school)]


def schedule_pairs(*, campaign: Campaign, school: School) -> list[tuple[Assessment, SchoolClass]]:
    """Every (assessment, class) the school must schedule, by class then assessment."""
    pairs = [
        (assessment, c) for assessment, classes in assignments_for(campaign=campaign, school=school) for c in classes
    ]
    return sorted(pairs, key=lambda pair: (pair[1].grade, pair[1].letter, pair[0].subject.name, pair[0].code))


def department_schools(campaign: Campaign) -> QuerySet[School]:
    return School.objects.filter(department_id=campaign.department_id).order_by("code")


# Schedules -------------------------------------------------------------------------------------------------


def schedule_of(*, campaign: Campaign, school: School) -> SchoolSchedule | None:
    return SchoolSchedule.objects.filter(campaign=campaign, school=school).select_related("decided_by").first()


def schedule_entries(schedule: SchoolSchedule | None) -> dict[tuple[int, int], ScheduleEntry]:
    """A schedule's entries keyed by (assessment id, class id)."""
    if schedule is None:
        return {}
    return {(e.assessment_id, e.school_class_id): e for e in schedule.entries.all()}


NOT_STARTED = "not_started"


def schedule_statuses(*, campaign: Campaign, status: str = "") -> QuerySet[School]:
    """The department's schools, each with its schedule's status (`not_started` without a schedule), when it
    was submitted and how many entries it has; `status` filters."""
    schedules = SchoolSchedule.objects.filter(campaign=campaign, school=OuterRef("pk"))
    schools = department_schools(campaign).annotate(
        schedule_status=Coalesce(Subquery(schedules.values("status")[:1]), Value(NOT_STARTED)),
        schedule_submitted_at=Subquery(schedules.values("submitted_at")[:1]),
        schedule_entry_count=Coalesce(
            Subquery(
                schedules.annotate(n=Count("entries")).values("n")[:1],
            ),
            Value(0),
        ),
    )
    if status:
        schools = schools.filter(schedule_status=status)
    return schools


def schedule_status_choices() -> list[tuple[str, str]]:
    return [(NOT_STARTED, _("не начат")), *SchoolSchedule.Status.choices]


# Calendar --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarFilter:
    school: School | None = None
    subject: Subject | None = None
    grade: int | None = None

    def as_text(self) -> str:
        parts = []
        if self.school:
            parts.append(_("школа: {name}").format(name=self.school.short_name))
        if self.subject:
            parts.append(_("предмет: {name}").format(name=self.subject.name))
        if self.grade:
            parts.append(_("класс: {grade}").format(grade=self.grade))
        return "; ".join(parts)


def calendar_entries(*, campaign: Campaign, filters: CalendarFilter) -> QuerySet[ScheduleEntry]:
    """Every schedule entry of the campaign (of every status), filtered, in calendar order."""
    entries = ScheduleEntry.objects.filter(schedule__campaign=campaign).select_related(
        "schedule__school", "assessment__subject", "school_class"
    )
    if filters.school is not None:
        entries = entries.filter(schedule__school=filters.school)
    if filters.subject is not None:
        entries = entries.filter(assessment__subject=filters.subject)
    if filters.grade:
        entries = entries.filter(assessment__grade=filters.grade)
    return entries.order_by(
        "date", "lesson", "schedule__school__code", "school_class__grade", "school_class__letter", "assessment__code"
    )


def calendar_filter_from(params, *, campaign: Campaign, school: School | None = None) -> CalendarFilter:
    """Filters from GET parameters `school` (code), `subject` (id), `grade`; unknown values are ignored."""
    if school is None and (code := text_param(params, "school")):
        school = department_schools(campaign).filter(code=code).first()
    subject = None
    if (subject_id := id_param(params, "subject")) is not None:
        subject = Subject.objects.filter(pk=subject_id, pk__in=campaign.assessments.values("subject")).first()
    return CalendarFilter(school=school, subject=subject, grade=id_param(params, "grade", maximum=11))


def calendar_choices(campaign: Campaign) -> dict:
    """What the calendar can be filtered by: the department's schools, the campaign's subjects and grades."""
    return {
        "schools": list(department_schools(campaign).only("code", "short_name")),
        "subjects": list(Subject.objects.filter(pk__in=campaign.assessments.values("subject")).order_by("name")),
        "grades": sorted(set(campaign.assessments.values_list("grade", flat=True))),
    }


def weekday_name(day: datetime.date) -> str:
    names = [_("пн"), _("вт"), _("ср"), _("чт"), _("пт"), _("сб"), _("вс")]
    return names[day.weekday()]


# Calendar documents ----------------------------------------------------------------------------------------

# WeasyPrint spends ~0.75 ms per table cell (measured): a larger calendar is refused as PDF inside a request
# and offered as xlsx, or narrowed by the filters.
CALENDAR_PDF_MAX_ROWS = 500


def calendar_headers() -> list[str]:
    return [_("Дата"), _("День"), _("Урок"), _("Школа"), _("Класс"), _("Предмет"), _("Работа"), _("Статус графика")]


def calendar_rows(entries: QuerySet[ScheduleEntry]):
    """The calendar's rows (dates as dates), streamed from the database in chunks."""
    statuses = dict(SchoolSchedule.Status.choices)
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.date,
            weekday_name(entry.date),
            entry.lesson,
            entry.schedule.school.short_name,
            entry.school_class.name,
            entry.assessment.subject.name,
            entry.assessment.code,
            str(statuses.get(entry.schedule.status, entry.schedule.status)),
        ]


def calendar_xlsx(*, rows, title: str, file):
    """Writes the calendar into `file` as a write-only workbook, one row at a time."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Календарь"))
    for letter, width in zip("ABCDEFGH", (12, 6, 6, 28, 8, 24, 12, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    heading = WriteOnlyCell(sheet, value=safe_cell(title))
    heading.font = Font(bold=True)
    sheet.append([heading])
    header_cells = []
    for text in calendar_headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        date_cell = WriteOnlyCell(sheet, value=row[0])
        date_cell.number_format = "DD.MM.YYYY"
        sheet.append([date_cell, *safe_row(row[1:])])
    workbook.save(file)


def calendar_pdf(
    *,
    rows: list[list],
    title: str,
    subtitle: str,
    campaign: Campaign | None = None,
    school: School | None = None,
    department: Department | None = None,
) -> bytes:
    """The calendar as an A4 landscape PDF (fixed column widths), headed by the school or, for the
    municipality's calendar, the department (templates/print/_official_header.html)."""
    from vpr_portal.pdf import render_pdf

    return render_pdf(
        "procedures/schedules/calendar_pdf.html",
        {
            "title": title,
            "subtitle": subtitle,
            "headers": calendar_headers(),
            "rows": rows,
            "campaign": campaign,
            "school": school,
            "department": department,
        },
    )
