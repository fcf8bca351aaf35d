"""A school's results of the campaign's assessments: the results form (blank, and filled for ФИС ОКО), its
import with a preview, and the figures (docs/glossary.md) for the school, each class and the parallel.

- The school's coordinator and director read the results (names included, R11 keeps them in the school) and
  download the forms; the coordinator imports a filled form (once grading of each class it changes has opened,
  R10; with a reason when it changes works an expert has submitted).
- The department's specialists and municipal coordinators read any school's figures of their municipality, by
  codes only: no participant list, and a group under five participants shows no percentages.
- Everyone else: 403; a school outside the user's reach, or a campaign they may not see: 404.
"""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grading import charts, completion, figures
from grading.cache import Version, stamped_assessments
from grading.page_cache import CachedPageMixin
from grading.panels import results_panels
from grading.selectors import results as selectors
from grading.selectors.drilldown import school_drilldown
from grading.services import results as services
from procedures.access import SchoolCampaignMixin, campaign_assessment_kept
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from vpr_portal.tables import InputRefused, Problem, read_table
from vpr_portal.uploads import ImportView

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResultsSchoolMixin(SchoolCampaignMixin):
    """The school and campaign of the URL, and `assessment_code` (when the URL has it) of that campaign."""

    def resolve(self, **kwargs) -> None:
        self.assessment = None
        if "assessment_code" in kwargs:
            code = kwargs["assessment_code"]

            def load():
                found = selectors.campaign_assessment(self.campaign, code)
                if found is None:
                    raise Http404
                return found

            # kept per process until the catalogue changes; its results stamp is read with the page's key
            self.assessment = campaign_assessment_kept(self.campaign, code, "results", load)

    def base_context(self) -> dict:
        return {"campaign": self.campaign, "school": self.school, "assessment": self.assessment}

    def url(self, name: str, **extra) -> str:
        kwargs = {"campaign_code": self.campaign.code, "school_code": self.school.code, **extra}
        return reverse(f"grading:{name}", kwargs=kwargs)

    def parallel_label(self) -> str:
        return _("Параллель {grade} классов (вся школа)").format(grade=self.assessment.grade)

    def page_key(self) -> tuple | None:
        """The department's copy of the page (grading/page_cache.py), until the assessment's results change or the
        URL's objects are renamed; a school's own people (names, R11) are never served a cached page."""
        if selectors.reads_as_school(self.request.user, self.school):
            return None
        scale = sorted(self.assessment.scale.items()) if isinstance(self.assessment.scale, dict) else None
        return (
            Version("campaign", (self.campaign.pk, self.campaign.code, self.campaign.title)),
            Version("school", (self.school.pk, self.school.code, self.school.short_name)),
            Version("assessment", (self.assessment.pk, self.assessment.code, str(self.assessment), repr(scale))),
            *stamped_assessments([self.assessment]),
        )

    def municipal_url(self) -> str | None:
        """The department's way back to the municipality's page of the assessment (a URL name only: grading
        imports nothing from reports)."""
        if not self.can(C.VIEW_OVERVIEW, self.school):
            return None
        return reverse(
            "reports:municipal_assessment",
            kwargs={"campaign_code": self.campaign.code, "assessment_code": self.assessment.code},
        )


class ResultsIndexView(ResultsSchoolMixin, TemplateView):
    """The school's assessments of the campaign with how far their results are, and what can be done."""

    capability = C.VIEW_RESULTS
    template_name = "grading/results/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            self.base_context(),
            rows=selectors.school_assessments(campaign=self.campaign, school=self.school),
            as_school=selectors.reads_as_school(self.request.user, self.school),
            may_import=selectors.may_import_results(self.request.user, self.school),
        )
        return context


class ResultsFiguresView(CachedPageMixin, ResultsSchoolMixin, TemplateView):
    """The figures of one assessment: the parallel (the whole school) beside the municipality, each class (a link
    to its page), completion by level, skill and mark group, the charts with a table beside each, and, for the
    school, every participant's result. The department reads it by codes only, small groups hidden
    (grading.selectors.drilldown)."""

    capability = C.VIEW_RESULTS
    template_name = "grading/results/figures.html"

    def panels(self, skills=None) -> list:
        """Other apps' panels of the page (grading/panels.py)."""
        return results_panels(
            viewer=self.request.user,
            campaign=self.campaign,
            school=self.school,
            assessment=self.assessment,
            skills=skills,
        )

    def page_key(self) -> tuple | None:
        key = super().page_key()
        return None if key is None else (*key, Version("panels", tuple(repr(panel.key) for panel in self.panels())))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_school = selectors.reads_as_school(self.request.user, self.school)
        tasks = list(self.assessment.tasks.all())  # in position order (Task's ordering)
        drill = school_drilldown(assessment=self.assessment, school=self.school, tasks=tasks, department=not as_school)
        whole, municipality = drill.school.figures, drill.municipality.figures
        # the participants' table, one class at a time: a whole parallel is thousands of rows
        shown_class = self.request.GET.get("class")
        if shown_class not in drill.class_names:
            shown_class = drill.class_names[0] if drill.class_names else None
        context.update(
            self.base_context(),
            drill=drill,
            tasks=tasks,
            whole=whole,
            municipality=municipality,
            groups=[(self.parallel_label(), whole, True)]
            + [(group.class_name, group.figures, False) for group in drill.classes],
            class_links=[
                (group, self.url("results_class", assessment_code=self.assessment.code, class_name=group.class_name))
                for group in drill.classes
            ],
            task_table=[
                (
                    task,
                    [whole.tasks.get(task.label)] + [g.figures.tasks.get(task.label) for g in drill.classes],
                    municipality.tasks.get(task.label),
                )
                for task in tasks
            ],
            charts=page_charts(
                self.assessment,
                tasks,
                focus=[drill.school, *drill.classes],
                municipality=drill.municipality,
                histogram=whole,
            ),
            histogram_rows=charts.histogram_rows(whole, self.assessment.scale),
            scale=sorted((int(mark), int(score)) for mark, score in self.assessment.scale.items()),
            **completion_tables(drill.school, drill.municipality),
            as_school=as_school,
            small_sample=figures.SMALL_SAMPLE,
            hidden_below=figures.HIDDEN_BELOW,
            class_names=drill.class_names,
            shown_class=shown_class,
            classes=selectors.results_by_class(
                assessment=self.assessment, school=self.school, tasks=tasks, with_names=True, class_name=shown_class
            )
            if as_school and shown_class
            else [],
            may_import=selectors.may_import_results(self.request.user, self.school),
            municipal_url=self.municipal_url(),
            results_panels=self.panels(skills=drill.school.skills),
        )
        return context


class ResultsClassView(CachedPageMixin, ResultsSchoolMixin, TemplateView):
    """One class's figures of the assessment beside the school's and the municipality's: marks, mean, tasks,
    levels, the histogram. Codes only (R11): no participant is listed here, for anyone; the school finds its
    participants' results on the school's page. A class without a writing participant of the assessment: 404."""

    capability = C.VIEW_RESULTS
    template_name = "grading/results/class.html"

    def resolve(self, **kwargs) -> None:
        super().resolve(**kwargs)
        self.class_name = kwargs["class_name"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_school = selectors.reads_as_school(self.request.user, self.school)
        tasks = list(self.assessment.tasks.all())
        drill = school_drilldown(assessment=self.assessment, school=self.school, tasks=tasks, department=not as_school)
        group = drill.class_group(self.class_name)
        if group is None:
            raise Http404
        rows = [group, drill.school, drill.municipality]
        context.update(
            self.base_context(),
            group=group,
            rows=rows,
            tasks=tasks,
            task_table=[(task, [row.figures.tasks.get(task.label) for row in rows]) for task in tasks],
            level_table=completion.side_by_side(*(row.levels for row in rows)),
            skill_table=completion.side_by_side(*(row.skills for row in rows)),
            completion_columns=[row.label for row in rows],
            histogram_rows=charts.histogram_rows(group.figures, self.assessment.scale),
            charts=page_charts(
                self.assessment,
                tasks,
                focus=[group, drill.school],
                municipality=drill.municipality,
                histogram=group.figures,
            ),
            siblings=[
                (
                    other.class_name,
                    self.url("results_class", assessment_code=self.assessment.code, class_name=other.class_name),
                )
                for other in drill.classes
            ],
            school_url=self.url("results_figures", assessment_code=self.assessment.code),
            as_school=as_school,
            small_sample=figures.SMALL_SAMPLE,
            hidden_below=figures.HIDDEN_BELOW,
            municipal_url=self.municipal_url(),
        )
        return context


def page_charts(assessment, tasks, *, focus: list, municipality, histogram) -> dict:
    """The charts of a school's page (focus: the school and its classes) or a class's (the class and its school):
    the marks of the focus groups and the municipality, the tasks' completion and the levels' of the first focus
    group (with the school on a class's page) and the municipality, the histogram."""
    shown = [*focus, municipality]
    lines = [focus[0], municipality] if focus[0].kind == "school" else [*focus[:2], municipality]
    level_rows = completion.side_by_side(*(group.levels for group in lines))
    return charts.comparison_charts(
        [(group.label, group.figures) for group in shown],
        task_labels=[task.label for task in tasks],
        lines=[(group.label, group.figures) for group in lines],
        histogram=histogram,
        scale=assessment.scale,
        level_columns=[group.label for group in lines if not group.hidden],
        level_rows=[
            (level.key, [s for s, g in zip(shares, lines, strict=True) if not g.hidden]) for level, shares in level_rows
        ],
        reference=municipality.label,
    )


def completion_tables(school, municipality) -> dict:
    """The school's completion by level, by skill and by mark group beside the municipality's."""
    return {
        "level_table": completion.side_by_side(school.levels, municipality.levels),
        "skill_table": completion.side_by_side(school.skills, municipality.skills),
        "mark_group_table": list(zip(school.mark_groups, municipality.mark_groups, strict=True)),
        "completion_columns": [school.label, municipality.label],
    }


class ResultsFormDownloadView(ResultsSchoolMixin, View):
    """The results form as xlsx: blank (codes, classes, sex) or filled for ФИС ОКО."""

    capability = C.RESULTS_FORM
    filled = False

    def get(self, request, **kwargs):
        output = io.BytesIO()
        try:
            services.results_form_export(
                assessment=self.assessment, school=self.school, output=output, filled=self.filled
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            # back to the page the form is offered on to this user: results, or the uploads (the technical
            # specialist)
            return redirect(self.url("results" if self.can(C.VIEW_RESULTS, self.school) else "school_uploads"))
        filename = services.results_form_filename(assessment=self.assessment, school=self.school, filled=self.filled)
        response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition(
            filename, fallback=f"form_{self.assessment.code}_{self.school.code}.xlsx"
        )
        return response


class ResultsImportView(ResultsSchoolMixin, ImportView):
    """Upload → preview (new, changed and unchanged rows, or every error) → confirm: the same services as
    `import_results`."""

    capability = C.IMPORT_RESULTS
    purpose = "results"
    template_name = "grading/results/import.html"
    summary_fields = ("new", "created", "updated", "unchanged", "not_in_file", "needs_reason", "submitted_changed")
    confirm_fields = ("reason",)

    def import_context(self):
        return {"campaign": self.campaign.code, "school": self.school.code, "assessment": self.assessment.code}

    def restore(self, context):
        # the request's checks, for a job that has no request
        self.check_access(
            self.user,
            campaign_code=context["campaign"],
            school_code=context["school"],
            assessment_code=context["assessment"],
        )

    def parse(self, name, data):
        try:
            services.results_check_open(assessment=self.assessment, school=self.school)
        except ValidationError as error:
            raise InputRefused([Problem(message) for message in error.messages]) from None
        return services.results_form_read(assessment=self.assessment, school=self.school, table=read_table(data, name))

    def preview(self, records):
        return services.results_plan(assessment=self.assessment, school=self.school, form=records)

    def preview_details(self, plan):
        changed = [row for row in plan.rows if row.status != services.UNCHANGED]
        return {
            "changed_rows": [{**vars(row), "changes": [str(change) for change in row.changes]} for row in changed],
            "not_open": services.results_not_open(assessment=self.assessment, school=self.school, plan=plan),
        }

    def apply(self, records):
        return services.results_import(
            assessment=self.assessment,
            school=self.school,
            form=records,
            actor=self.user,
            reason=self.extra.get("reason", ""),
        )

    def confirm(self, request, token):
        """A form that changes works an expert submitted needs a reason: confirmed without one, the preview comes
        back with the reason field marked (the service refuses it anyway)."""
        previewed = None if self.extra.get("reason", "").strip() else self.previewed(request, token)
        if previewed is not None and previewed[1]["summary"]["needs_reason"]:
            name, data = previewed
            return self.show_preview(request, data, token=token, filename=name, status=400, reason_missing=True)
        return super().confirm(request, token)

    def context(self, **extra):
        return {**super().context(**extra), **self.base_context()}

    def done_url(self) -> str:
        return self.url("results_figures", assessment_code=self.assessment.code)


RESULTS = "results/<str:campaign_code>/<str:school_code>/"
ASSESSMENT = RESULTS + "<str:assessment_code>/"

urlpatterns = [
    path(RESULTS, ResultsIndexView.as_view(), name="results"),
    path(ASSESSMENT, ResultsFiguresView.as_view(), name="results_figures"),
    path(ASSESSMENT + "classes/<str:class_name>/", ResultsClassView.as_view(), name="results_class"),
    path(ASSESSMENT + "form.xlsx", ResultsFormDownloadView.as_view(), name="results_form"),
    path(ASSESSMENT + "fisoko.xlsx", ResultsFormDownloadView.as_view(filled=True), name="results_form_filled"),
    path(ASSESSMENT + "import/", ResultsImportView.as_view(), name="results_import"),
]
