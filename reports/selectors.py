"""Reads for the department's dashboards. Figures come from summary data, never from pupils' names."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from grading.rules import unranked
from procedures.models import Campaign
from schools.access import Capability, department_ids_with, schools_with
from schools.models import Pupil, SchoolClass, User, current_academic_year


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
