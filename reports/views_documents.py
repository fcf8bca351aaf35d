"""Documents built in the background: the status page (a progress bar that refreshes itself while the job
runs) and the download.

Documents built in the background are, so far, the school's printables (its whole set of slips, code lists
and protocols): the pages ask for PRINT_MATERIALS (403 without it), then look the document up among those the
user may read — a document of a school, by the roles its kind names in that school (the kind's builder takes
them from the capabilities table); without a school, its requester's own. Any other document does not exist
for the user (404). A kind read with another capability will need these pages to ask for the kind's.
"""

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import CapabilityMixin
from schools.services import audit_record
from vpr_portal import documents as services
from vpr_portal.access import get_scoped_or_404
from vpr_portal.models import GeneratedDocument


class GeneratedDocumentMixin(CapabilityMixin):
    """A document (`pk`) among those the user may read; anything else does not exist for them (404)."""

    capability = C.PRINT_MATERIALS

    def resolve(self, **kwargs) -> None:
        self.document: GeneratedDocument = get_scoped_or_404(
            services.documents_visible_to(self.viewer), pk=kwargs["pk"]
        )


class DocumentStatusView(GeneratedDocumentMixin, TemplateView):
    template_name = "reports/documents/status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document=self.document, running=services.document_is_running(self.document))
        return context


class DocumentDownloadView(GeneratedDocumentMixin, View):
    """The file, served only through this scope check (never from a public media URL); a download of a
    document with names is recorded in the audit."""

    def get(self, request, pk):
        if self.document.status != GeneratedDocument.Status.DONE or not self.document.file:
            messages.info(request, _("Документ ещё не готов."))
            return redirect("reports:document_status", pk=self.document.pk)
        try:
            handle = self.document.file.storage.open(self.document.file.name, "rb")
        except FileNotFoundError:
            raise Http404(_("Файл документа не найден в хранилище.")) from None
        audit = services.document_download_audit(self.document)
        if audit is not None:
            audit_record(actor=request.user, **audit)
        name = Path(self.document.file.name).name
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["Content-Disposition"] = content_disposition(name, fallback=f"document-{self.document.pk}.pdf")
        return response


class DocumentRetryView(GeneratedDocumentMixin, View):
    """A failed document is queued again (the same key: one job)."""

    def post(self, request, pk):
        document = self.document
        services.document_request(
            key=document.key,
            kind=document.kind,
            title=document.title,
            params=document.params,
            school=document.school,
            user=request.user,
        )
        return redirect("reports:document_status", pk=document.pk)


urlpatterns = [
    path("documents/<int:pk>/", DocumentStatusView.as_view(), name="document_status"),
    path("documents/<int:pk>/download/", DocumentDownloadView.as_view(), name="document_download"),
    path("documents/<int:pk>/retry/", DocumentRetryView.as_view(), name="document_retry"),
]
