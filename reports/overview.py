"""The department's start page at region scale: the totals counted by the database, the schools a page at a time
with their classes and pupils counted for that page only."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from procedures.models import Campaign
from schools.access import Capability, department_ids_with, schools_with
from schools.models import Pupil, School, SchoolClass, User, current_academic_year

from .paging import matches


def _count_per_school(queryset) -> Coalesce:
    """A correlated count of `queryset`'s rows of each school: joining pupils and classes to the schools in one
    query multiplies them (every pupil × every class of the school) before counting."""
    counted = queryset.filter(school=OuterRef("pk")).order_by().values("school").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _studying() -> QuerySet[Pupil]:
    return Pupil.objects.filter(is_active=True)


def _this_years_classes() -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(academic_year=current_academic_year())


def overview_schools(user: User, *, query: str = "") -> QuerySet[School]:
    """The schools where the user holds VIEW_OVERVIEW, by code (R15: never by results), those whose code or short
    name contains `query` when given. The search folds case in Python: SQLite's LIKE folds only ASCII, and a
    municipality's codes and names are a few hundred short rows."""
    schools = schools_with(user, Capability.VIEW_OVERVIEW)
    if query:
        names = schools.select_related(None).values_list("pk", "code", "short_name")
        schools = schools.filter(pk__in=[pk for pk, code, name in names if matches(query, code, name)])
    return schools.order_by("code")


def overview_page(user: User, *, query: str = "", page: str | int | None = None) -> Page:
    """One page (settings.PAGE_SIZE) of the overview's schools, each with this academic year's classes and its
    pupils studying now, counted for the page's schools only (two correlated subqueries: no pupil × class join)."""
    schools = overview_schools(user, query=query).select_related(None).only("pk", "code", "short_name")
    page_obj = Paginator(schools, settings.PAGE_SIZE).get_page(page)
    counted = (
        School.objects.filter(pk__in=[school.pk for school in page_obj.object_list])
        .annotate(pupil_count=_count_per_school(_studying()), class_count=_count_per_school(_this_years_classes()))
        .only("pk", "code", "short_name")
        .order_by("code")
    )
    page_obj.object_list = list(counted)
    return page_obj


def municipality_overview(user: User, *, query: str = "", page: str | int | None = None) -> dict:
    """The department's overview: the totals of the schools where the user holds VIEW_OVERVIEW (schools, this
    academic year's classes, pupils studying; plain counts, no names), a page of those schools with their counts
    (searched by code or name), the running campaigns, and the running and closed ones whose municipal report
    may be downloaded."""
    schools = schools_with(user, Capability.VIEW_OVERVIEW)
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
        "page_obj": overview_page(user, query=query, page=page),
        "query": query,
        "school_total": schools.count(),
        "class_total": _this_years_classes().filter(school__in=schools).count(),
        "pupil_total": _studying().filter(school__in=schools).count(),
    }
