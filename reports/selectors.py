"""Reads for the department's dashboards. Figures come from summary data, never from pupils' names."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from grading.figures import Figures, assessment_figures, assessment_tasks, figures_by_school
from grading.rules import unranked
from monitoring.signals import assessment_signals, signal_label
from procedures.models import Assessment, Campaign, Task
from schools.access import Capability, department_ids_with, schools_with
from schools.models import Pupil, School, SchoolClass, User, current_academic_year

from .suppression import hidden_schools


def _count_per_school(queryset) -> Coalesce:
    """A correlated count of `queryset`'s rows of each school: joining pupils and classes to the schools in one
    query multiplies them (every pupil × every class of the school) before counting."""
    counted = queryset.filter(school=OuterRef("pk")).order_by().values("school").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def municipality_overview(user: User) -> dict:
    """Counts per school for the department's overview (the schools where the user holds VIEW_OVERVIEW):
    schools, this academic year's classes, pupils studying (no names); the running campaigns, and the running
    and closed ones whose municipal report may be downloaded."""
    schools = (
        schools_with(user, Capability.VIEW_OVERVIEW)
        .annotate(
            pupil_count=_count_per_school(Pupil.objects.filter(is_active=True)),
            class_count=_count_per_school(SchoolClass.objects.filter(academic_year=current_academic_year())),
        )
        .order_by("code")
    )
    rows = unranked(schools, by=lambda school: school)  # R15: by code, never by results
    campaigns = list(
        Campaign.objects.filter(
            department_id__in=department_ids_with(user, Capability.VIEW_OVERVIEW),
            status__in=(Campaign.Status.ACTIVE, Campaign.Status.CLOSED),
        ).order_by("window_start", "code")
    )
    return {
        "active_campaigns": [campaign for campaign in campaigns if campaign.status == Campaign.Status.ACTIVE],
        # the campaigns whose municipal report (xlsx) the overview offers: running or closed, never a draft
        "report_campaigns": campaigns,
        "schools": rows,
        "school_total": len(rows),
        "pupil_total": sum(s.pupil_count for s in rows),
        "class_total": sum(s.class_count for s in rows),
    }


def signal_kinds(assessment: Assessment) -> dict[str, list[str]]:
    """school code → the kinds of its objectivity signals of the assessment, in the order computed."""
    kinds: dict[str, list[str]] = {}
    for signal in assessment_signals(assessment):
        kinds.setdefault(signal.school, []).append(signal.kind)
    return kinds


def campaign_results(campaign: Campaign) -> list[tuple[Assessment, Figures]]:
    """The campaign's assessments (the catalogue's order) with the municipality's figures of each, as a
    department view shows them (under 5 participants: no percentages). A few queries per assessment."""
    assessments = Assessment.objects.filter(campaign=campaign).select_related("subject")
    return [(assessment, assessment_figures(assessment=assessment, hide_small=True)) for assessment in assessments]


@dataclass(frozen=True)
class SchoolRow:
    school: School
    figures: Figures
    hidden: bool  # no percentages and no mean: under 5 participants, or complementary suppression
    signals: list[tuple[str, str]]  # (kind, the kind in words)


@dataclass(frozen=True)
class MunicipalAssessment:
    municipality: Figures
    tasks: list[Task]  # in position order, with their level
    schools: list[SchoolRow]  # every school with results, by code (R15), never by a figure


def municipal_assessment(assessment: Assessment) -> MunicipalAssessment:
    """The municipality's figures of the assessment and a row per school with results (at least one present
    participant with a complete result), ordered by the school's code (R15). Codes and short names only (R11).
    The queries do not grow with the schools."""
    tasks = list(Task.objects.filter(assessment=assessment).order_by("position"))
    infos = assessment_tasks(assessment)
    municipality = assessment_figures(assessment=assessment, hide_small=True, tasks=infos)
    by_school = {
        pk: figures
        for pk, figures in figures_by_school(assessment=assessment, hide_small=True, tasks=infos).items()
        if figures.participants
    }
    schools = unranked(School.objects.filter(pk__in=by_school).only("pk", "code", "short_name"), by=lambda s: s)
    hidden = hidden_schools(by_school, schools)
    kinds = signal_kinds(assessment)
    rows = [
        SchoolRow(
            school,
            by_school[school.pk],
            school.pk in hidden,
            [(kind, signal_label(kind)) for kind in kinds.get(school.code, [])],
        )
        for school in schools
    ]
    return MunicipalAssessment(municipality=municipality, tasks=tasks, schools=rows)
