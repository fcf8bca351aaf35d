"""Trends: the same assessment (subject × grade) over the campaigns the portal holds, and the cohort view.

- The department (VIEW_OVERVIEW): the municipality's trend of an assessment, and every school's by code (R15).
- A school's trend beside the municipality (VIEW_RESULTS): the school's coordinator and director read their own
  figures whole; the department reads any school of its municipality with small groups hidden.
- The cohort (VIEW_RESULTS): a school's classes of an assessment and the same pupils a year later, aggregates
  only (no names, for anyone: R11); the department sees small groups hidden.
Another school, or a campaign the user may not see: 404; a role without the capability: 403.
"""

from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from grading.figures import HIDDEN_BELOW, SMALL_SAMPLE
from grading.selectors.results import reads_as_school
from monitoring.decision_panel import panel_context
from procedures.access import CampaignMixin, SchoolAssessmentMixin, campaigns_with
from schools.access import Capability as C
from vpr_portal.access import get_scoped_or_404

from .paging import school_page
from .trends import cohort, municipal_trend, previous_year_assessment, school_trend, trend_chart


def _labels(series) -> list[str]:
    return [assessment.campaign.title for assessment in series]


class TrendContextMixin:
    def trend_context(self) -> dict:
        return {"assessment": self.assessment, "small_sample": SMALL_SAMPLE, "hidden_below": HIDDEN_BELOW}


class MunicipalTrendView(TrendContextMixin, CampaignMixin, TemplateView):
    """The municipality's marks and mean of the assessment per campaign (a chart and a table each), then every
    school with results by code, a page of 50 at a time, filtered by code or name."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/trends/municipal.html"

    def resolve(self, **kwargs) -> None:
        self.assessment = get_scoped_or_404(
            self.campaign.assessments.select_related("subject", "campaign"), code=kwargs["assessment_code"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trend = municipal_trend(self.assessment, campaigns_with(self.viewer, self.capability))
        schools = school_page(self.request, trend.schools)
        context.update(
            self.trend_context(),
            trend=trend,
            chart=trend_chart(_labels(trend.series), [(str(_("Муниципалитет")), trend.municipality)]),
            page_obj=schools.page_obj,
            query=schools.query,
        )
        return context


class SchoolTrendView(TrendContextMixin, SchoolAssessmentMixin, TemplateView):
    """The school's marks and mean of the assessment per campaign beside the municipality's, with a link per
    campaign to the same pupils a year later (the cohort)."""

    capability = C.VIEW_RESULTS
    template_name = "reports/trends/school.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_school = reads_as_school(self.viewer, self.school)
        trend = school_trend(
            self.assessment, campaigns_with(self.viewer, self.capability), school=self.school, as_school=as_school
        )
        groups = [(self.school.short_name, trend.school), (str(_("Муниципалитет")), trend.municipality)]
        context.update(
            self.trend_context(),
            trend=trend,
            rows=[
                (item, own, whole, trend.next_year.get(item.pk))
                for item, own, whole in zip(trend.series, trend.school, trend.municipality, strict=True)
            ],
            chart=trend_chart(_labels(trend.series), groups),
            as_school=as_school,
            department=self.can(C.VIEW_OVERVIEW, self.school),
            decisions_panel=panel_context(
                campaign=self.campaign,
                assessment=self.assessment,
                school=self.school,
                can_record=self.can(C.RECORD_DECISIONS, self.school),
            )[0]
            if self.can(C.VIEW_DECISIONS, self.school)
            else None,
        )
        return context


class CohortView(TrendContextMixin, SchoolAssessmentMixin, TemplateView):
    """A school's classes that wrote the assessment and the same pupils a year later: marks and mean in each
    year, their classes now, the transition table."""

    capability = C.VIEW_RESULTS
    template_name = "reports/trends/cohort.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_school = reads_as_school(self.viewer, self.school)
        campaigns = campaigns_with(self.viewer, self.capability)
        context.update(
            self.trend_context(),
            cohort=cohort(self.assessment, campaigns, school=self.school, hide_small=not as_school),
            earlier=previous_year_assessment(self.assessment, campaigns),
            as_school=as_school,
        )
        return context


SCHOOL = "results/<str:campaign_code>/<str:school_code>/<str:assessment_code>/"

urlpatterns = [
    path(
        "campaigns/<str:campaign_code>/results/<str:assessment_code>/trend/",
        MunicipalTrendView.as_view(),
        name="municipal_trend",
    ),
    path(SCHOOL + "trend/", SchoolTrendView.as_view(), name="school_trend"),
    path(SCHOOL + "cohort/", CohortView.as_view(), name="cohort"),
]
