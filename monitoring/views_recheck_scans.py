"""The school's side of the re-check (monitoring/recheck_scans.py): its selections with the works to scan and the
criteria per variant, the uploads, «Отправить на перепроверку», the cover letter (R14) in PDF and DOCX, and the
scans served to whoever may read them.

The school's pages: SEND_RECHECK_SCANS (the coordinator and the technical specialist; another school's: 404).
A scan is served by three URLs, one per capability: the school's (SEND_RECHECK_SCANS), the department's
(MANAGE_RECHECK) and a commission expert's (RECHECK_WORKS: only the scan of a work they hold and the criteria of
its variant; anything else 404). Codes only: no page or file name here carries a pupil's name."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from monitoring import recheck_scans as rs
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin
from vpr_portal.access import get_scoped_or_404

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _school_page(request, school, *, failed=None, errors: list | None = None, status: int = 200):
    context = {"school": school, "selections": rs.school_selections(school), "failed": failed, "errors": errors}
    return render(request, "monitoring/recheck/scans_school.html", context, status=status)


class RecheckSchoolView(SchoolMixin, TemplateView):
    """The school's works selected for re-check: per selection the works to scan (by code, class and variant),
    the criteria per variant, what is uploaded and missing, the deadline, and the sending."""

    capability = C.SEND_RECHECK_SCANS

    def get(self, request, **kwargs):
        return _school_page(request, self.school)


class _SelectionPost(SchoolMixin, View):
    """A POST on one of the school's selections (404 for another school's)."""

    capability = C.SEND_RECHECK_SCANS
    done = ""

    def resolve(self, **kwargs) -> None:
        self.selection = get_scoped_or_404(
            rs.selections_for_school_users(self.viewer).filter(school=self.school).select_related("assessment"),
            pk=kwargs["pk"],
        )

    def act(self, request) -> str:
        raise NotImplementedError

    def post(self, request, **kwargs):
        try:
            done = self.act(request)
        except ValidationError as error:
            return _school_page(request, self.school, failed=self.selection.pk, errors=error.messages, status=400)
        messages.success(request, done)
        url = reverse("monitoring:recheck_school", kwargs={"school_code": self.school.code})
        return redirect(f"{url}#selection-{self.selection.pk}")


class RecheckScanUploadView(_SelectionPost):
    """One file: a work's scan (`work`) or a variant's criteria (`variant`), replacing the one before."""

    def act(self, request) -> str:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(_("Выберите файл скана."))
        scan = rs.scan_upload(
            selection=self.selection,
            upload=upload,
            by=request.user,
            work_id=request.POST.get("work"),
            variant=request.POST.get("variant"),
        )
        if scan.work_id:
            return _("Скан работы {code} загружен.").format(code=scan.work.participant.code)
        return _("Критерии варианта {variant} загружены.").format(variant=scan.variant)


class RecheckScansBatchView(_SelectionPost):
    """Several works' scans at once, each file named by the participant's code; all or nothing."""

    def act(self, request) -> str:
        scans = rs.scans_upload_batch(selection=self.selection, uploads=request.FILES.getlist("files"), by=request.user)
        return _("Загружено сканов работ: {count}.").format(count=len(scans))


class RecheckScansSendView(_SelectionPost):
    """«Отправить на перепроверку»: refused with the list of what is missing; then locked."""

    def act(self, request) -> str:
        rs.scans_send(selection=self.selection, by=request.user)
        return _("Сканы отправлены в управление образования. Изменить их больше нельзя.")


def _serve(scan) -> FileResponse:
    try:
        handle = scan.file.storage.open(scan.file.name, "rb")
    except FileNotFoundError:
        raise Http404(_("Файл скана не найден в хранилище.")) from None
    response = FileResponse(handle, content_type=scan.content_type or "application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="{rs.scan_download_name(scan)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


_SCAN_RELATED = ("selection__school", "selection__assessment", "work__participant")


class RecheckScanSchoolView(SchoolMixin, View):
    """A scan of the school, to its coordinator and technical specialist."""

    capability = C.SEND_RECHECK_SCANS

    def resolve(self, **kwargs) -> None:
        scans = rs.scans_for_school_users(self.viewer).filter(selection__school=self.school)
        self.scan = get_scoped_or_404(scans.select_related(*_SCAN_RELATED), pk=kwargs["pk"])

    def get(self, request, **kwargs):
        return _serve(self.scan)


class RecheckScanDepartmentView(CapabilityMixin, View):
    """A scan of a school of the department, to the department running the re-check."""

    capability = C.MANAGE_RECHECK

    def resolve(self, **kwargs) -> None:
        scans = rs.scans_for_department(self.viewer)
        self.scan = get_scoped_or_404(scans.select_related(*_SCAN_RELATED), pk=kwargs["pk"])

    def get(self, request, **kwargs):
        return _serve(self.scan)


class RecheckScanView(CapabilityMixin, View):
    """A scan to a commission expert: the scan of a work they hold, or its variant's criteria; else 404."""

    capability = C.RECHECK_WORKS

    def resolve(self, **kwargs) -> None:
        scans = rs.scans_for_expert(self.viewer)
        self.scan = get_scoped_or_404(scans.select_related(*_SCAN_RELATED), pk=kwargs["pk"])

    def get(self, request, **kwargs):
        return _serve(self.scan)


class RecheckLetterView(CapabilityMixin, View):
    """The cover letter (R14) of one of the school's selections, in PDF or DOCX, generated from the data."""

    capability = C.SEND_RECHECK_SCANS

    def selections(self):
        return rs.selections_for_school_users(self.viewer)

    def resolve(self, **kwargs) -> None:
        if kwargs["fmt"] not in ("pdf", "docx"):
            raise Http404
        self.selection = get_scoped_or_404(self.selections().select_related("school", "assessment"), pk=kwargs["pk"])

    def get(self, request, pk, fmt):
        letter = rs.cover_letter(self.selection)
        name = f"letter-{self.selection.school.code}-{self.selection.assessment.code}.{fmt}"
        if fmt == "pdf":
            from vpr_portal.pdf import render_pdf

            response = HttpResponse(
                render_pdf("monitoring/print/recheck_letter.html", {"letter": letter}), content_type="application/pdf"
            )
        else:
            response = HttpResponse(rs.cover_letter_docx(letter), content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class RecheckLetterDepartmentView(RecheckLetterView):
    """The same letter read by the department running the re-check (its schools' selections)."""

    capability = C.MANAGE_RECHECK

    def selections(self):
        return rs.selections_for_department(self.viewer)
