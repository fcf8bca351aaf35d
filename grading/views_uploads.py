"""The upload of the results form to ФИС ОКО (Регламент 6.6.9) and the retention of names (R12).

- The department (specialists, municipal coordinators: MONITOR_UPLOADS) watches every school × assessment on
  a matrix, the late first, and opens any school's page and kept file (VIEW_UPLOADS).
- Whoever uploads the school's results form (UPLOAD_RESULTS_FORM: its coordinator and technical specialist)
  records the upload with the file that was uploaded, which must be the school's complete results form of that
  assessment, equal to its results (`services.form_upload_content_check`); the school's page (VIEW_UPLOADS)
  lists the forms to download for ФИС ОКО (RESULTS_FORM) and the kept files. A form whose results changed
  after its upload shows «форма изменена после загрузки» to both sides.
- Before a campaign's names are removed, the department that runs it (MANAGE_CAMPAIGNS) sees what will be
  removed in every school and when; a school's page of it is read with VIEW_RETENTION.

The capabilities are the table's (schools.access): without one, 403; a school or campaign outside the user's
scope, 404.
"""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grading.forms_uploads import FormUploadForm
from grading.page_cache import CachedPageMixin
from grading.selectors import uploads as selectors
from grading.services import retention
from grading.services import uploads as services
from procedures.access import CampaignMixin, SchoolCampaignMixin
from schools.access import Capability as C
from schools.access import user_can
from vpr_portal.params import text_param

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SchoolUploadsMixin(SchoolCampaignMixin):
    def school_url(self, name: str) -> str:
        return reverse(name, kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code})


# Upload status ---------------------------------------------------------------------------------------------


class UploadMatrixView(CachedPageMixin, CampaignMixin, TemplateView):
    """Every school × the assessments it writes, with the upload status, the late first, fifty schools a page;
    filters by status and by a school's code or name. The department's copy is cached (grading/page_cache.py)
    until anything it shows changes (`selectors.matrix_key`): fifty people watching a region's matrix on the
    deadline day must not each group a region's 890,000 participations."""

    capability = C.MONITOR_UPLOADS
    template_name = "grading/uploads/matrix.html"

    def page_key(self) -> tuple:
        return selectors.matrix_key(self.campaign)

    def get_context_data(self, **kwargs):
        matrix = selectors.upload_matrix(
            campaign=self.campaign,
            state=text_param(self.request.GET, "status"),
            school_code=text_param(self.request.GET, "school"),
            query=text_param(self.request.GET, "q"),
            page=text_param(self.request.GET, "page"),
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
        "may_download_forms": user_can(request.user, C.RESULTS_FORM, school),
        "may_see_retention": user_can(request.user, C.VIEW_RETENTION, school),
        "refused": refused,
    }
    return render(request, "grading/uploads/school.html", context, status=status)


class SchoolUploadsView(SchoolUploadsMixin, View):
    capability = C.VIEW_UPLOADS

    def get(self, request, campaign_code, school_code):
        return school_uploads_page(request, campaign=self.campaign, school=self.school)


class FormUploadView(SchoolUploadsMixin, View):
    """Records the upload of one assessment's form with its file (POST only); an assessment the school does not
    write is 404."""

    capability = C.UPLOAD_RESULTS_FORM

    def resolve(self, **kwargs) -> None:
        self.assessment = selectors.assessment_written_by(
            campaign=self.campaign, school=self.school, code=kwargs["assessment_code"]
        )
        if self.assessment is None:
            raise Http404

    def post(self, request, campaign_code, school_code, assessment_code):
        assessment = self.assessment
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

    capability = C.VIEW_UPLOADS

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


class RetentionView(CampaignMixin, TemplateView):
    """What the purge will remove in every school of the campaign, and when: the business of the department
    that runs the campaign."""

    capability = C.MANAGE_CAMPAIGNS
    template_name = "grading/retention/campaign.html"

    def get_context_data(self, **kwargs):
        preview = retention.retention_preview(campaign=self.campaign, schools=list(selectors.schools_of(self.campaign)))
        return super().get_context_data(campaign=self.campaign, preview=preview, **kwargs)


class SchoolRetentionView(SchoolUploadsMixin, TemplateView):
    """What the purge will remove in one school, and when (in the school's own time)."""

    capability = C.VIEW_RETENTION
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
