"""Campaigns and their catalogue of assessments: the department (who manages campaigns) creates, loads,
edits and deletes them; the department and the schools read the announced ones (drafts stay the department's).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures.access import CampaignMixin, campaigns_with
from procedures.catalogue import parse_assessment, parse_catalogue, parse_catalogue_text, results_form_columns
from procedures.forms_campaigns import AssessmentForm, CampaignForm
from procedures.models import Campaign
from procedures.selectors import campaigns as selectors
from procedures.services import campaigns as services
from procedures.services.dependants import assessment_dependants
from schools.access import Capability as C
from schools.access import CapabilityMixin, department_ids_with
from schools.models import Department
from vpr_portal.access import get_scoped_or_404
from vpr_portal.tables import InputRefused, Problem
from vpr_portal.uploads import ImportView


def editor_department(user) -> Department:
    """The department on whose behalf the user creates campaigns and loads catalogues."""
    department = Department.objects.filter(pk__in=department_ids_with(user, C.MANAGE_CAMPAIGNS)).order_by("pk").first()
    if department is None:
        raise PermissionDenied
    return department


class AssessmentMixin(CampaignMixin):
    """The campaign's assessment named by `assessment_code` (404 when it is not the campaign's)."""

    def resolve(self, **kwargs) -> None:
        self.assessment = get_scoped_or_404(selectors.assessments_of(self.campaign), code=kwargs["assessment_code"])


class CampaignListView(CapabilityMixin, TemplateView):
    capability = C.VIEW_CAMPAIGNS
    template_name = "procedures/campaigns/campaign_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaigns=selectors.campaign_list(self.request.user),
            may_edit=self.can(C.MANAGE_CAMPAIGNS),
            **kwargs,
        )


class CampaignEditView(CapabilityMixin, View):
    """Creates a campaign (optionally from the previous one's catalogue) or edits one (`campaign_code` among
    the campaigns the user manages)."""

    capability = C.MANAGE_CAMPAIGNS

    def resolve(self, **kwargs) -> None:
        if "campaign_code" in kwargs:
            self.campaign = get_scoped_or_404(
                campaigns_with(self.viewer, self.capability), code=kwargs["campaign_code"]
            )
        else:
            self.campaign = Campaign(department=editor_department(self.viewer))

    def form(self, campaign, data=None):
        previous = None if campaign.pk else Campaign.objects.filter(department=campaign.department)
        return CampaignForm(
            data,
            instance=campaign,
            time_zone=campaign.department.time_zone,
            previous_choices=previous,
            schools=campaign.department.schools.order_by("code"),
        )

    def get(self, request, campaign_code=None):
        campaign = self.campaign
        return self.show(self.form(campaign), campaign)

    def post(self, request, campaign_code=None):
        campaign = self.campaign
        form = self.form(campaign, request.POST)
        if form.is_valid():
            try:
                previous = form.cleaned_data.get("previous")
                if previous:
                    services.campaign_create_from_previous(
                        campaign=form.instance, previous=previous, actor=request.user
                    )
                else:
                    services.campaign_save(campaign=form.instance, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Кампания сохранена."))
                return redirect("procedures:campaign_detail", campaign_code=form.instance.code)
        return self.show(form, campaign)

    def show(self, form, campaign):
        return render(self.request, "procedures/campaigns/campaign_form.html", {"form": form, "campaign": campaign})


class CampaignDetailView(CampaignMixin, TemplateView):
    capability = C.VIEW_CAMPAIGNS
    template_name = "procedures/campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaign=self.campaign,
            assessments=selectors.assessments_of(self.campaign),
            may_edit=selectors.may_edit_catalogue(self.request.user, self.campaign),
            statuses=Campaign.Status.choices,
            zone_name=timezone.get_current_timezone_name(),
            **kwargs,
        )


class CampaignStatusView(CampaignMixin, View):
    capability = C.MANAGE_CAMPAIGNS

    def post(self, request, campaign_code):
        try:
            services.campaign_set_status(
                campaign=self.campaign, status=request.POST.get("status", ""), actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Статус кампании: {status}.").format(status=self.campaign.get_status_display()))
        return redirect("procedures:campaign_detail", campaign_code=self.campaign.code)


class CatalogueLoadView(CapabilityMixin, ImportView):
    """The department loads a catalogue file (JSON or YAML) with a preview before anything changes."""

    capability = C.MANAGE_CAMPAIGNS
    purpose = "catalogue"
    template_name = "procedures/campaigns/catalogue_load.html"
    summary_fields = ("campaign_created", "campaign_updated", "created", "updated", "unchanged")

    def restore(self, context):
        # the request's checks, for a job that has no request
        self.check_access(self.user)

    def parse(self, name, data):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputRefused([Problem(_("файл должен быть в кодировке UTF-8"))]) from None
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return parse_catalogue(
            parse_catalogue_text(text, suffix=suffix), default_tz=editor_department(self.user).tzinfo
        )

    def count(self, spec) -> int:
        return len(spec.assessments)

    def preview(self, spec):
        return services.catalogue_preview(spec=spec, department=editor_department(self.user))

    def apply(self, spec):
        self.loaded_code = spec.code
        return services.catalogue_load(spec=spec, department=editor_department(self.user), actor=self.user)

    def done_url(self):
        return reverse("procedures:campaign_detail", kwargs={"campaign_code": self.loaded_code})

    def post(self, request, **kwargs):
        try:
            return super().post(request, **kwargs)
        except ValidationError as error:
            return render(request, self.template_name, self.context(problems=error.messages))


class AssessmentDetailView(AssessmentMixin, TemplateView):
    capability = C.VIEW_CAMPAIGNS
    template_name = "procedures/campaigns/assessment_detail.html"

    def get_context_data(self, **kwargs):
        tasks = list(self.assessment.tasks.order_by("position"))
        return super().get_context_data(
            campaign=self.campaign,
            assessment=self.assessment,
            tasks=tasks,
            columns=results_form_columns(tasks),
            may_edit=selectors.may_edit_catalogue(self.request.user, self.campaign),
            **kwargs,
        )


class AssessmentEditView(CampaignMixin, View):
    """Creates or edits an assessment; «Показать столбцы» previews the results form without saving."""

    capability = C.MANAGE_CAMPAIGNS

    def resolve(self, **kwargs) -> None:
        code = kwargs.get("assessment_code")
        self.assessment = get_scoped_or_404(self.campaign.assessments.all(), code=code) if code else None

    def get(self, request, campaign_code, assessment_code=None):
        assessment = self.assessment
        initial = AssessmentForm.initial_for(assessment) if assessment else {"level": "базовый", "form": "paper"}
        return self.show(AssessmentForm(initial=initial), assessment)

    def post(self, request, campaign_code, assessment_code=None):
        assessment = self.assessment
        form = AssessmentForm(request.POST)
        columns = problems = None
        if form.is_valid():
            try:
                spec = parse_assessment(form.raw())
            except InputRefused as refused:
                problems = [str(problem) for problem in refused.problems]
            else:
                columns = results_form_columns(spec.tasks)
                if "save" in request.POST:
                    try:
                        saved = services.assessment_save(
                            campaign=self.campaign,
                            spec=spec,
                            actor=request.user,
                            original_code=assessment.code if assessment else None,
                        )
                    except ValidationError as error:
                        problems = error.messages
                    else:
                        messages.success(request, _("Работа сохранена."))
                        return redirect(
                            "procedures:assessment_detail", campaign_code=self.campaign.code, assessment_code=saved.code
                        )
        return self.show(form, assessment, columns=columns, problems=problems)

    def show(self, form, assessment, **extra):
        dependants = assessment_dependants(assessment) if assessment else None
        return render(
            self.request,
            "procedures/campaigns/assessment_form.html",
            {"form": form, "campaign": self.campaign, "assessment": assessment, "dependants": dependants, **extra},
        )


class AssessmentDeleteView(CampaignMixin, View):
    """Shows what deleting the assessment would take with it, or why it may not be deleted; POST deletes."""

    capability = C.MANAGE_CAMPAIGNS

    def resolve(self, **kwargs) -> None:
        self.assessment = get_scoped_or_404(self.campaign.assessments.all(), code=kwargs["assessment_code"])

    def get(self, request, campaign_code, assessment_code):
        assessment = self.assessment
        preview = services.assessment_deletion_preview(assessment)
        return render(
            request,
            "procedures/campaigns/assessment_delete.html",
            {
                "campaign": self.campaign,
                "assessment": assessment,
                "preview": preview,
                "refusal": None
                if preview.allowed
                else services.assessment_delete_refusal(assessment, preview.blocking),
            },
        )

    def post(self, request, campaign_code, assessment_code):
        assessment = self.assessment
        try:
            services.assessment_delete(assessment=assessment, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(
                "procedures:assessment_delete", campaign_code=self.campaign.code, assessment_code=assessment.code
            )
        messages.success(request, _("Работа {code} удалена.").format(code=assessment_code))
        return redirect("procedures:campaign_detail", campaign_code=self.campaign.code)


class CampaignDeleteView(CampaignMixin, View):
    """Shows what deleting the campaign would take with it, or why it may not be deleted; POST deletes."""

    capability = C.MANAGE_CAMPAIGNS

    def get(self, request, campaign_code):
        preview = services.campaign_deletion_preview(self.campaign)
        return render(
            request,
            "procedures/campaigns/campaign_delete.html",
            {
                "campaign": self.campaign,
                "preview": preview,
                "refusal": None
                if preview.allowed
                else services.campaign_delete_refusal(self.campaign, preview.blocking),
            },
        )

    def post(self, request, campaign_code):
        try:
            services.campaign_delete(campaign=self.campaign, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("procedures:campaign_delete", campaign_code=self.campaign.code)
        messages.success(request, _("Кампания {code} удалена.").format(code=campaign_code))
        return redirect("procedures:campaign_list")


urlpatterns = [
    path("campaigns/", CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", CampaignEditView.as_view(), name="campaign_create"),
    path("campaigns/load/", CatalogueLoadView.as_view(), name="catalogue_load"),
    path("campaigns/<str:campaign_code>/", CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<str:campaign_code>/edit/", CampaignEditView.as_view(), name="campaign_edit"),
    path("campaigns/<str:campaign_code>/status/", CampaignStatusView.as_view(), name="campaign_status"),
    path("campaigns/<str:campaign_code>/delete/", CampaignDeleteView.as_view(), name="campaign_delete"),
    path("campaigns/<str:campaign_code>/assessments/new/", AssessmentEditView.as_view(), name="assessment_create"),
    path(
        "campaigns/<str:campaign_code>/assessments/<str:assessment_code>/",
        AssessmentDetailView.as_view(),
        name="assessment_detail",
    ),
    path(
        "campaigns/<str:campaign_code>/assessments/<str:assessment_code>/edit/",
        AssessmentEditView.as_view(),
        name="assessment_edit",
    ),
    path(
        "campaigns/<str:campaign_code>/assessments/<str:assessment_code>/delete/",
        AssessmentDeleteView.as_view(),
        name="assessment_delete",
    ),
]
