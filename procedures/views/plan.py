"""The plan-graph: the school's checklist (the coordinator's start page), the department's stages of a
campaign and «Ход кампании»."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures.access import CampaignMixin
from procedures.forms_plan import StageForm
from procedures.models import Stage
from procedures.selectors import plan as selectors
from procedures.selectors.participants import pending_parents_decisions
from procedures.services import plan as services
from schools.access import Capability as C
from schools.access import SchoolMixin
from vpr_portal.access import get_scoped_or_404


class ChecklistView(SchoolMixin, TemplateView):
    """The school coordinator's start page: the stages of the current campaign with their status."""

    capability = C.VIEW_CHECKLIST
    template_name = "procedures/checklist.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = selectors.current_campaigns(school=self.school)
        campaign = selectors.pick_campaign(campaigns, self.request.GET.get("campaign"))
        context.update(
            campaigns=campaigns,
            campaign=campaign,
            rows=selectors.checklist(campaign=campaign, school=self.school, tz=self.school.tzinfo) if campaign else [],
            pending_decisions=pending_parents_decisions(user=self.request.user, campaign=campaign, school=self.school)
            if campaign
            else [],
            may_mark=self.can(C.MARK_STAGES, self.school),
        )
        return context


class StageMarkView(SchoolMixin, View):
    """«Отметить выполненным» (and withdrawing the mark) for a stage the portal cannot read from data."""

    capability = C.MARK_STAGES

    def resolve(self, **kwargs) -> None:
        self.stage = get_scoped_or_404(selectors.markable_stages(school=self.school), pk=kwargs["stage_id"])

    def post(self, request, school_code, stage_id):
        stage = self.stage
        try:
            if request.POST.get("action") == "undo":
                services.stage_mark_undo(stage=stage, school=self.school, actor=request.user)
                messages.success(request, _("Отметка снята: «{stage}».").format(stage=stage.title))
            else:
                services.stage_mark_done(stage=stage, school=self.school, actor=request.user)
                messages.success(request, _("Этап отмечен выполненным: «{stage}».").format(stage=stage.title))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        url = reverse("procedures:checklist", kwargs={"school_code": self.school.code})
        return redirect(url + "?" + urlencode({"campaign": stage.campaign.code}))


class CampaignPlanMixin(CampaignMixin):
    """A page of one campaign's plan-graph (`campaign_code` in the URL), for the department keeping it;
    another department's campaign does not exist for the user (404). A stage named by `pk` is the campaign's."""

    capability = C.KEEP_PLAN

    def resolve(self, **kwargs) -> None:
        self.stage = get_scoped_or_404(self.campaign.stages.all(), pk=kwargs["pk"]) if "pk" in kwargs else None

    def plan_url(self) -> str:
        return reverse("procedures:plan", kwargs={"campaign_code": self.campaign.code})


class PlanView(CampaignPlanMixin, TemplateView):
    """The campaign's stages with their deadlines in the department's time zone and Moscow time."""

    template_name = "procedures/plan/plan.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaign=self.campaign,
            rows=selectors.plan_rows(campaign=self.campaign),
            tz=services.department_tz(self.campaign),
            **kwargs,
        )


class StageEditView(CampaignPlanMixin, View):
    def get(self, request, campaign_code, pk=None):
        return self.show(self.form(instance=self.edited_stage()))

    def post(self, request, campaign_code, pk=None):
        form = self.form(request.POST, instance=self.edited_stage())
        if not form.is_valid():
            return self.show(form)
        try:
            services.stage_save(stage=form.instance, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Этап сохранён: «{stage}».").format(stage=form.instance.title))
        return redirect(self.plan_url())

    def edited_stage(self) -> Stage:
        return self.stage or Stage(campaign=self.campaign)

    def form(self, data=None, *, instance):
        return StageForm(data, instance=instance, tz=services.department_tz(self.campaign))

    def show(self, form):
        return render(
            self.request,
            "procedures/plan/stage_form.html",
            {"form": form, "campaign": self.campaign, "stage": form.instance},
        )


class StageDeleteView(CampaignPlanMixin, View):
    """Deleting a stage: a confirmation page, then the POST."""

    def get(self, request, campaign_code, pk):
        stage = self.stage
        return render(
            request,
            "procedures/plan/stage_confirm_delete.html",
            {"campaign": self.campaign, "stage": stage, "mark_count": stage.marks.count()},
        )

    def post(self, request, campaign_code, pk):
        stage = self.stage
        services.stage_delete(stage=stage, actor=request.user)
        messages.success(request, _("Этап удалён: «{stage}».").format(stage=stage.title))
        return redirect(self.plan_url())


class StageDefaultsView(CampaignPlanMixin, View):
    """Adds the standard stages from the campaign's window (POST only)."""

    def post(self, request, campaign_code):
        created = services.stages_create_defaults(campaign=self.campaign, actor=request.user)
        if created:
            messages.success(request, _("Добавлено стандартных этапов: {n}.").format(n=len(created)))
        else:
            messages.info(request, _("Все стандартные этапы уже есть в плане-графике."))
        return redirect(self.plan_url())


class ProgressView(CampaignPlanMixin, TemplateView):
    """«Ход кампании»: every school × every stage, the late schools first."""

    template_name = "procedures/plan/progress.html"

    def get_context_data(self, **kwargs):
        only_late = self.request.GET.get("late") == "1"
        progress = selectors.campaign_progress(campaign=self.campaign, only_late=only_late)
        return super().get_context_data(
            campaign=self.campaign,
            progress=progress,
            # fifty schools a page, the late first: a region's 600 rows × every stage were 0.9 MB of HTML
            page_obj=Paginator(progress.rows, settings.PAGE_SIZE).get_page(self.request.GET.get("page")),
            **kwargs,
        )


class SchoolProgressView(CampaignPlanMixin, TemplateView):
    """One school's checklist as the department reads it (department time, Moscow time alongside)."""

    template_name = "procedures/plan/school_progress.html"

    def resolve(self, **kwargs) -> None:
        self.school = get_scoped_or_404(selectors.schools_of_campaign(self.campaign), code=kwargs["school_code"])

    def get_context_data(self, **kwargs):
        school = self.school
        return super().get_context_data(
            campaign=self.campaign,
            school=school,
            rows=selectors.checklist(campaign=self.campaign, school=school, tz=services.department_tz(self.campaign)),
            tz=services.department_tz(self.campaign),
            **kwargs,
        )


urlpatterns = [
    path("schools/<str:school_code>/checklist/", ChecklistView.as_view(), name="checklist"),
    path("schools/<str:school_code>/checklist/<int:stage_id>/mark/", StageMarkView.as_view(), name="plan_stage_mark"),
    path("campaigns/<str:campaign_code>/plan/", PlanView.as_view(), name="plan"),
    path("campaigns/<str:campaign_code>/plan/add/", StageEditView.as_view(), name="plan_stage_create"),
    path("campaigns/<str:campaign_code>/plan/defaults/", StageDefaultsView.as_view(), name="plan_stage_defaults"),
    path("campaigns/<str:campaign_code>/plan/<int:pk>/edit/", StageEditView.as_view(), name="plan_stage_edit"),
    path("campaigns/<str:campaign_code>/plan/<int:pk>/delete/", StageDeleteView.as_view(), name="plan_stage_delete"),
    path("campaigns/<str:campaign_code>/progress/", ProgressView.as_view(), name="progress"),
    path(
        "campaigns/<str:campaign_code>/progress/<str:school_code>/",
        SchoolProgressView.as_view(),
        name="progress_school",
    ),
]
