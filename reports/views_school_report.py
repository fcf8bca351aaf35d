"""The school's analytical справка (reports/kinds/school_report.py): its page per campaign, the conclusions the
school writes for it, its files, and the school's campaigns with results.

- The page (VIEW_SCHOOL_REPORT): the school's coordinator and director for their school, the department's staff and
  municipal coordinators for every school of their municipality. It shows what the справка holds per assessment
  (with a preview of the weak skills), the conclusions (a form for WRITE_CONCLUSIONS: the coordinator and the
  director; the others read them), their revisions, and the справка's versions; a POST to the page builds it (every
  reader of the page may: the school and the department).
- Saving the conclusions (WRITE_CONCLUSIONS, POST only): a new revision; an error (too long, or a newer revision
  saved meanwhile) writes nothing and shows the page with the typed texts.
- A file (VIEW_SCHOOL_REPORT): a built PDF or DOCX, through the scope of the documents.
Another school, or a campaign the user may not see: 404; a role without the capability: 403. No pupil's name is
shown (R11): the справка and this page speak of classes and figures only.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from grading.models import ResultSummary
from procedures.access import SchoolCampaignMixin
from procedures.selectors.campaigns import campaigns_visible_to
from schools.access import Capability as C
from schools.access import SchoolMixin

from .forms_school_report import ConclusionsForm
from .generation import report_state
from .kinds.school_report import LATER_SECTIONS, NAME
from .report_sections import FIGURE_SECTIONS, assessments_with_results, school_assessment
from .school_conclusions import conclusions_history, conclusions_of, conclusions_save
from .views_generation import ReportBuildMixin, ReportFileView

WEAK_PREVIEW = 3  # weak skills named on the page per assessment


class SchoolReportMixin(SchoolCampaignMixin):
    capability = C.VIEW_SCHOOL_REPORT
    template_name = "reports/school_report/page.html"

    def page_url(self) -> str:
        return reverse(
            "reports:school_report", kwargs={"school_code": self.school.code, "campaign_code": self.campaign.code}
        )

    def page_context(self, form: ConclusionsForm | None = None) -> dict:
        assessments = assessments_with_results(self.campaign, self.school)
        current = conclusions_of(self.campaign, self.school)
        may_write = self.can(C.WRITE_CONCLUSIONS, self.school)
        if may_write and form is None:
            form = ConclusionsForm(assessments=assessments, current=current)
        outline = []
        for index, assessment in enumerate(assessments, start=1):
            data = school_assessment(assessment, self.school)
            outline.append(
                {
                    "number": index,
                    "assessment": assessment,
                    "participants": data.figures.participants,
                    "hidden": data.figures.percentages_hidden,
                    "weak": data.weak[:WEAK_PREVIEW],
                    "weak_more": max(len(data.weak) - WEAK_PREVIEW, 0),
                    "conclusions": current.part(assessment.pk),
                }
            )
        return {
            "school": self.school,
            "campaign": self.campaign,
            "outline": outline,
            "sections": [_(title) for title in FIGURE_SECTIONS] + [_(title) for title in LATER_SECTIONS],
            "current": current,
            "general": current.part("general"),
            "history": conclusions_history(self.campaign, self.school),
            "form": form,
            "may_write": may_write,
            "state": report_state(name=NAME, campaign=self.campaign, school=self.school, user=self.viewer),
            "build_url": self.page_url(),
            "file_url": "reports:school_report_file",
            "can_build": bool(outline),
            "conclusions_url": reverse(
                "reports:school_report_conclusions",
                kwargs={"school_code": self.school.code, "campaign_code": self.campaign.code},
            ),
        }


class SchoolReportView(ReportBuildMixin, SchoolReportMixin, TemplateView):
    """The справка's page; a POST builds the справка (in the background) and comes back here."""

    report_name = NAME

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context

    def post(self, request, *args, **kwargs):
        if not assessments_with_results(self.campaign, self.school):
            messages.error(request, _("Результатов школы в этой кампании пока нет: справку не из чего составить."))
            return redirect(request.path)
        return super().post(request, *args, **kwargs)


class SchoolConclusionsView(SchoolReportMixin, TemplateView):
    """Saves the conclusions as a new revision (POST only)."""

    capability = C.WRITE_CONCLUSIONS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assessments = assessments_with_results(self.campaign, self.school)
        current = conclusions_of(self.campaign, self.school)
        form = ConclusionsForm(request.POST, assessments=assessments, current=current)
        if form.is_valid():
            try:
                saved = conclusions_save(
                    campaign=self.campaign,
                    school=self.school,
                    sections=form.sections(),
                    parts=form.part_keys(),
                    based_on=form.cleaned_data["based_on"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if saved.revision == current.revision:
                    messages.info(
                        request, _("Изменений нет: редакция {number} осталась прежней.").format(number=saved.revision)
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Выводы сохранены: редакция {number}. Сформируйте справку заново, чтобы они вошли в неё."
                        ).format(number=saved.revision),
                    )
                return redirect(self.page_url())
        context = self.get_context_data(**kwargs)
        context.update(self.page_context(form=form))
        return self.render_to_response(context, status=400)


class SchoolReportFileView(ReportFileView):
    """A built PDF or DOCX of a school's справка."""

    report_name = NAME
    capability = C.VIEW_SCHOOL_REPORT


class SchoolReportIndexView(SchoolMixin, TemplateView):
    """The school's campaigns with results, each with a link to its справка (newest first)."""

    capability = C.VIEW_SCHOOL_REPORT
    template_name = "reports/school_report/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_results = ResultSummary.objects.filter(school=self.school, mark__isnull=False).values(
            "assessment__campaign_id"
        )
        campaigns = (
            campaigns_visible_to(self.viewer)
            .filter(department_id=self.school.department_id, pk__in=with_results)
            .order_by("-window_start", "code")
        )
        context["campaigns"] = [(campaign, conclusions_of(campaign, self.school).revision) for campaign in campaigns]
        context["can_print_slips"] = self.can(C.PRINT_PARENT_SLIPS, self.school)
        context["can_view_decisions"] = self.can(C.VIEW_DECISIONS, self.school)
        return context
