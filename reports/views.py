import io
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from grading import charts
from grading.cache import Version, campaign_assessments_shown, stamped_assessments
from grading.completion import side_by_side
from grading.figures import HIDDEN_BELOW, SMALL_SAMPLE
from grading.item_analysis import MIN_PARTICIPANTS, WEAK_ITEM_REST, item_analysis
from grading.page_cache import CachedPageMixin
from monitoring.decision_panel import panel_context, panel_key
from monitoring.signals import department_thresholds, window_assessments
from procedures.access import CampaignMixin, campaign_assessment_kept
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404

from .exports import municipal_report_filename, municipal_report_write
from .funnel import Z_INNER, Z_OUTER, Funnel, funnel_chart
from .overview import municipality_overview
from .paging import school_page
from .selectors import campaign_results, municipal_assessment, municipal_funnel

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OverviewView(CapabilityMixin, TemplateView):
    """The department's start page: the municipality's totals, then its schools by code, 50 a page, searched by
    code or name."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        context.update(municipality_overview(self.request.user, query=query, page=self.request.GET.get("page")))
        return context


def campaign_shown(campaign) -> Version:
    """What a page shows of its campaign, as a part of the page's cache key (grading/page_cache.py)."""
    return Version("campaign", (campaign.pk, campaign.code, campaign.title))


def assessment_shown(assessment) -> Version:
    """What a page shows of its assessment (read with its subject), as a part of the page's cache key."""
    scale = sorted(assessment.scale.items()) if isinstance(assessment.scale, dict) else assessment.scale
    return Version("assessment", (assessment.pk, assessment.code, str(assessment), assessment.level, repr(scale)))


class MunicipalResultsView(CachedPageMixin, CampaignMixin, TemplateView):
    """The campaign's assessments with the municipality's figures of each, for the department (VIEW_OVERVIEW):
    participants, absent, the marks' shares, the mean; each leads to its municipal assessment page. Cached until
    a result of one of them changes or an assessment comes, goes or is renamed (grading/page_cache.py)."""

    capability = C.VIEW_OVERVIEW
    template_name = "reports/results/campaign.html"

    def page_key(self) -> tuple:
        """The campaign's assessments as shown and their results stamps, read in one query."""
        return (campaign_shown(self.campaign), *campaign_assessments_shown(self.campaign))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(rows=campaign_results(self.campaign), small_sample=SMALL_SAMPLE, hidden_below=HIDDEN_BELOW)
        return context


class MunicipalAssessmentMixin(CampaignMixin):
    """`assessment_code` among the campaign's assessments, for the department (VIEW_OVERVIEW)."""

    capability = C.VIEW_OVERVIEW

    def resolve(self, **kwargs) -> None:
        # kept per process until the catalogue changes; its results stamp is read with the page's key
        code = kwargs["assessment_code"]
        self.assessment = campaign_assessment_kept(
            self.campaign,
            code,
            "municipal",
            lambda: get_scoped_or_404(self.campaign.assessments.select_related("subject"), code=code),
        )


class MunicipalAssessmentView(CachedPageMixin, MunicipalAssessmentMixin, TemplateView):
    """One assessment for the municipality (participation, marks, mean, tasks, completion by level, skill and mark
    group, journal, the histogram with the mark boundaries, the item analysis from 30 participants), each with a
    chart and a table beside it, then the schools with results by code (R15, never by a figure), 50 a page,
    searched by code or name and, with «только с признаками», only those with a signal; each with its signals (a
    link to the signal's case once monitoring has them) and a link to its results page. The municipality's
    sections are on the first page only: the next pages carry the schools. Small groups: a warning under 10;
    under 5 no percentages, with complementary suppression (reports.suppression). Cached until the results of the
    assessment, or of an earlier one its signals compare with, change, or the department's thresholds do."""

    template_name = "reports/results/assessment.html"

    def page_key(self) -> tuple:
        thresholds, number = department_thresholds(self.campaign.department_id)
        window = window_assessments(self.assessment, window=thresholds.stable_low_window)
        return (
            campaign_shown(self.campaign),
            assessment_shown(self.assessment),
            Version("thresholds", number),
            Version("decisions", panel_key(campaign=self.campaign, can_record=self.can(C.RECORD_DECISIONS))),
            *stamped_assessments(window),
        )

    def decisions_panel(self) -> tuple[dict, tuple]:
        """The management decisions beside the results (monitoring/decision_panel.py) and their cache key part."""
        if not hasattr(self, "_decisions_panel"):
            self._decisions_panel = panel_context(
                campaign=self.campaign, assessment=self.assessment, school=None, can_record=self.can(C.RECORD_DECISIONS)
            )
        return self._decisions_panel

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = municipal_assessment(self.assessment, case_url=signal_case_url(self.campaign, self.assessment))
        only_flagged = self.request.GET.get("signals") == "1"
        schools = school_page(self.request, page.schools, keep=(lambda row: row.signals) if only_flagged else None)
        context.update(
            assessment=self.assessment,
            page=page,
            whole=page.municipality,
            schools=schools,
            page_obj=schools.page_obj,
            query=schools.query,
            only_flagged=only_flagged,
            small_sample=SMALL_SAMPLE,
            hidden_below=HIDDEN_BELOW,
        )
        if schools.page_obj.number == 1:
            context.update(self.municipality_context(page))
        return context

    def municipality_context(self, page) -> dict:
        whole = page.municipality
        name = gettext("Муниципалитет")
        return {
            "municipality_shown": True,
            "task_rows": [(task, whole.tasks[task.label]) for task in page.tasks],
            "histogram_rows": charts.histogram_rows(whole, self.assessment.scale),
            "level_table": side_by_side(page.levels),
            "skill_table": side_by_side(page.skills),
            "mark_group_table": [(group,) for group in page.mark_groups],
            "completion_columns": [name],
            "charts": municipal_charts(page, scale=self.assessment.scale, name=name),
            "item_analysis": item_analysis(self.assessment),
            "item_analysis_min": MIN_PARTICIPANTS,
            "weak_item_rest": WEAK_ITEM_REST,
            "decisions_panel": self.decisions_panel()[0],
        }


class MunicipalFunnelView(CachedPageMixin, MunicipalAssessmentMixin, TemplateView):
    """The funnel plots of one assessment (docs/glossary.md): each school's share of «2» and of «4»+«5» against
    its participants, with the limits around the municipal share; every school is a point of the charts, and
    beside each the schools by code (R15, never by a result), 50 a page, searched by code or name, with their
    participants, share and whether they lie outside the inner or the outer limits. Schools whose percentages
    are hidden (under 5, or the complement) are listed without a share or a point. Cached until the results of the
    assessment change."""

    template_name = "reports/results/funnel.html"

    def page_key(self) -> tuple:
        return (
            campaign_shown(self.campaign),
            assessment_shown(self.assessment),
            *stamped_assessments([self.assessment]),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plots = municipal_funnel(self.assessment)
        schools = school_page(self.request, plots.rows)
        context.update(
            assessment=self.assessment,
            plots=plots,
            whole=plots.municipality,
            schools=schools,
            page_obj=schools.page_obj,
            query=schools.query,
            charts={
                "low": funnel_payload(plots.low, title=gettext("Доля «2» по школам"), y_label=gettext("Доля «2», %")),
                "high": funnel_payload(
                    plots.high,
                    title=gettext("Доля «4» и «5» по школам"),
                    y_label=gettext("Доля «4» и «5», %"),
                ),
            },
            z_inner=Z_INNER,
            z_outer=Z_OUTER,
            small_sample=SMALL_SAMPLE,
            hidden_below=HIDDEN_BELOW,
        )
        return context


def funnel_payload(plot: Funnel, *, title: str, y_label: str) -> dict | None:
    """The funnel's chart data (reports.funnel.funnel_chart) made compact for a region's hundreds of schools:
    each point is `[code, participants, share]`, each row of the limits `[n, inner lower, inner upper, outer
    lower, outer upper]` to two decimals (for drawing; the table's positions are computed exactly), and the few
    schools outside the limits are listed once by code (static/js/charts.js colours them)."""
    chart = funnel_chart(plot, title=title, y_label=y_label)
    if chart is None:
        return None
    chart["points"] = [[point.code, point.n, point.share] for point in plot.points]
    chart["curve"] = [[n, *(round(limit, 2) for limit in limits)] for n, *limits in plot.curve]
    chart["outside_inner"] = [point.code for point in plot.points if point.outside_inner]
    chart["outside_outer"] = [point.code for point in plot.points if point.outside_outer]
    return chart


def municipal_charts(page, *, scale: dict, name: str) -> dict:
    """The municipal assessment page's charts (grading.charts): marks, tasks, levels, mark groups, histogram."""
    whole = page.municipality
    labels = [task.label for task in page.tasks]
    return {
        "marks": charts.marks_chart([(name, whole)]),
        "tasks": charts.tasks_chart(labels, [] if whole.percentages_hidden else [(name, whole.tasks)]),
        "histogram": None if whole.percentages_hidden else charts.histogram_chart(whole, scale),
        "levels": charts.groups_chart(
            gettext("Выполнение заданий по уровням сложности, %"),
            [group.key for group in page.levels],
            [(name, [group.share for group in page.levels])],
        ),
        "mark_groups": charts.tasks_chart(
            labels,
            [(f"«{group.mark}»", group.tasks) for group in page.mark_groups if group.participants and not group.hidden],
            title=gettext("Выполнение заданий группами участников, %"),
        ),
    }


def signal_case_url(campaign, assessment) -> Callable[[str, str], str] | None:
    """The URL of a signal's case (monitoring:signal_case) for a school's code and the signal's kind, or None
    while monitoring has no such page: the results then show the signals without links."""

    def url(school_code: str, kind: str) -> str:
        kwargs = {"campaign_code": campaign.code, "assessment_code": assessment.code}
        return reverse("monitoring:signal_case", kwargs={**kwargs, "school_code": school_code, "kind": kind})

    try:
        url("sch000000", "high_results")
    except NoReverseMatch:
        return None
    return url


class MunicipalReportView(CampaignMixin, View):
    """The campaign's municipal report (xlsx), as `export_municipal_report` writes it, for the department: the
    municipality's results, offered on the overview (VIEW_OVERVIEW, which only the department's specialists and
    municipal coordinators hold). A department view, so groups under 5 participants show no percentages."""

    capability = C.VIEW_OVERVIEW

    def get(self, request, **kwargs):
        output = io.BytesIO()
        try:
            municipal_report_write(self.campaign, output, hide_small=True)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("reports:overview")
        response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition(
            municipal_report_filename(self.campaign), fallback=f"municipal_report_{self.campaign.code}.xlsx"
        )
        return response
