"""The upload of the results form to ФИС ОКО (Регламент 6.6.9) and the retention of names (R12).

- The department (specialists, municipal coordinators) watches every school × assessment on a matrix, the
  late first, and opens any school's page and kept file.
- A school's coordinator records the upload with the file that was uploaded, which must be the school's complete
  results form of that assessment, equal to its results (`services.form_upload_content_check`); the coordinator
  and the director read the school's page and download the kept file. A form whose results changed after its
  upload shows «форма изменена после загрузки» to both sides.
- Before a campaign's names are removed, the department sees what will be removed in every school and when,
  a school's coordinator sees it for their school.
"""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grading.forms_uploads import FormUploadForm
from grading.selectors import uploads as selectors
from grading.services import retention
from grading.services import uploads as services
from procedures.models import Campaign
from procedures.selectors.plan import campaigns_managed_by
from procedures.views.campaigns import SchoolCampaignMixin
from schools.models import Role
from vpr_portal.access import RoleRequiredMixin
from vpr_portal.params import text_param

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RETENTION_SCHOOL_READERS = frozenset({Role.SCHOOL_COORDINATOR}) | selectors.MONITORS


class DepartmentCampaignMixin(RoleRequiredMixin):
    """A page about one campaign of the user's department, all its schools; another department's campaign
    does not exist for the user (404)."""

    allowed_roles = selectors.MONITORS

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_role(*self.allowed_roles):
            raise PermissionDenied
        self.campaign: Campaign = get_object_or_404(campaigns_managed_by(request.user), code=kwargs["campaign_code"])
        return super().dispatch(request, *args, **kwargs)


class SchoolUploadsMixin(SchoolCampaignMixin):
    def school_url(self, name: str) -> str:
        return reverse(name, kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code})


def may_see_retention(user, school) -> bool:
    return school.pk in user.school_ids_with_role(Role.SCHOOL_COORDINATOR) or (
        school.department_id in user.department_ids_with_role(*selectors.MONITORS)
    )


# Upload status ---------------------------------------------------------------------------------------------


class UploadMatrixView(DepartmentCampaignMixin, TemplateView):
    """Every school × the assessments it writes, with the upload status, the late first; filters by status
    and school."""

    template_name = "grading/uploads/matrix.html"

    def get_context_data(self, **kwargs):
        matrix = selectors.upload_matrix(
            campaign=self.campaign,
            state=text_param(self.request.GET, "status"),
            school_code=text_param(self.request.GET, "school"),
        )
        return super().get_context_data(campaign=self.campaign, matrix=matrix, **kwargs)


def school_uploads_page(request, *, campaign, school, status: int = 200, refused=None) -> HttpResponse:
    """The school's page: every assessment it writes with its status and kept file; `refused` carries a
    refused file's errors back to its row, as (assessment id, messages)."""
    context = {
        "campaign": campaign,
        "school": school,
        "page": selectors.school_uploads(campaign=campaign, school=school),
        "may_upload": selectors.may_upload(request.user, school),
        "may_see_retention": may_see_retention(request.user, school),
        "refused": refused,
    }
    return render(request, "grading/uploads/school.html", context, status=status)


class SchoolUploadsView(SchoolUploadsMixin, View):
    allowed_roles = selectors.UPLOAD_READERS

    def get(self, request, campaign_code, school_code):
        return school_uploads_page(request, campaign=self.campaign, school=self.school)


class FormUploadView(SchoolUploadsMixin, View):
    """Records the upload of one assessment's form with its file (POST only)."""

    allowed_roles = selectors.UPLOAD_EDITORS

    def post(self, request, campaign_code, school_code, assessment_code):
        assessment = selectors.assessment_written_by(campaign=self.campaign, school=self.school, code=assessment_code)
        if assessment is None:
            raise Http404
        form = FormUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.form_upload_record(
                    campaign=self.campaign,
                    school=self.school,
                    assessment=assessment,
                    file=form.cleaned_data["file"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Загрузка в ФИС ОКО отмечена: {work}").format(work=assessment))
                return redirect(self.school_url("grading:school_uploads"))
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return school_uploads_page(
            request, campaign=self.campaign, school=self.school, status=400, refused=(assessment.pk, errors)
        )


class FormUploadFileView(SchoolUploadsMixin, View):
    """The kept file, served only through this scope check (never from a public media URL)."""

    allowed_roles = selectors.UPLOAD_READERS

    def get(self, request, campaign_code, school_code, assessment_code):
        upload = selectors.upload_of(campaign=self.campaign, school=self.school, assessment_code=assessment_code)
        if upload is None or not upload.file:
            raise Http404(_("Загрузка этой работы не отмечена."))
        try:
            handle = services.form_upload_open(upload=upload)
        except FileNotFoundError:
            raise Http404(_("Файл не найден в хранилище.")) from None
        return FileResponse(handle, as_attachment=True, filename=Path(upload.file.name).name, content_type=XLSX_TYPE)


# Retention of names ----------------------------------------------------------------------------------------


class RetentionView(DepartmentCampaignMixin, TemplateView):
    """What the purge will remove in every school of the campaign, and when."""

    template_name = "grading/retention/campaign.html"

    def get_context_data(self, **kwargs):
        preview = retention.retention_preview(campaign=self.campaign, schools=list(selectors.schools_of(self.campaign)))
        return super().get_context_data(campaign=self.campaign, preview=preview, **kwargs)


class SchoolRetentionView(SchoolUploadsMixin, TemplateView):
    """What the purge will remove in one school, and when (in the school's own time)."""

    allowed_roles = RETENTION_SCHOOL_READERS
    template_name = "grading/retention/school.html"

    def get_context_data(self, **kwargs):
        preview = retention.retention_preview(campaign=self.campaign, schools=[self.school])
        return super().get_context_data(
            campaign=self.campaign, school=self.school, preview=preview, row=preview.schools[0], **kwargs
        )


# Each URL starts with a fixed word of its own (as grading/urls.py asks): uploads/…, retention/….
UPLOADS = "uploads/<str:campaign_code>/"
RETENTION = "retention/<str:campaign_code>/"

urlpatterns = [
    path(UPLOADS, UploadMatrixView.as_view(), name="uploads"),
    path(UPLOADS + "<str:school_code>/", SchoolUploadsView.as_view(), name="school_uploads"),
    path(UPLOADS + "<str:school_code>/<str:assessment_code>/", FormUploadView.as_view(), name="form_upload"),
    path(
        UPLOADS + "<str:school_code>/<str:assessment_code>/file/",
        FormUploadFileView.as_view(),
        name="form_upload_file",
    ),
    path(RETENTION, RetentionView.as_view(), name="retention"),
    path(RETENTION + "<str:school_code>/", SchoolRetentionView.as_view(), name="school_retention"),
]
