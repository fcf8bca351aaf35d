"""What every analytical report's page shares: asking for the report (POST, answered at once: it is built in the
background) and downloading one of its files, through the user's scope (a document of another school or
department does not exist for them: 404).

Each kind's pages subclass these with its name and capability (reports.kinds); the page shows the report's state
with the template `reports/generation/_versions.html` (progress while it is built, each version with who asked
and when, and an outdated version's offer to rebuild).
"""

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from procedures.views.documents import content_disposition
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404
from vpr_portal.models import GeneratedDocument

from .generation import report_documents_visible_to, report_request


class ReportFileView(CapabilityMixin, View):
    """A report's file (`pk`: one of its documents), served only through the scope check."""

    report_name: str = ""

    def resolve(self, **kwargs) -> None:
        self.document = get_scoped_or_404(report_documents_visible_to(self.viewer, self.report_name), pk=kwargs["pk"])

    def get(self, request, pk, **kwargs):
        document = self.document
        if document.status != GeneratedDocument.Status.DONE or not document.file:
            messages.info(request, _("Документ ещё не готов."))
            return redirect(request.META.get("HTTP_REFERER") or "/")
        try:
            handle = document.file.storage.open(document.file.name, "rb")
        except FileNotFoundError:
            raise Http404(_("Файл документа не найден в хранилище.")) from None
        name = Path(document.file.name).name
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["Content-Disposition"] = content_disposition(name, fallback=f"report-{document.pk}.{name[-4:]}")
        return response


class ReportBuildMixin:
    """A POST that asks for the report (`report_name`) of `self.campaign` and `self.school` (None: municipal) and
    returns to the page, which shows the progress."""

    report_name: str = ""

    def report_school(self):
        return getattr(self, "school", None)

    def post(self, request, *args, **kwargs):
        documents = report_request(
            name=self.report_name, campaign=self.campaign, school=self.report_school(), user=request.user
        )
        if all(document.status == GeneratedDocument.Status.DONE for document in documents):
            messages.info(request, _("Отчёт по текущим данным уже сформирован: новая версия не нужна."))
        else:
            messages.success(request, _("Отчёт формируется в фоне; ход показан на странице."))
        return redirect(request.path)
