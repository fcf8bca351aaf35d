"""Regulation documents: the department publishes documents and their versions; schools read, download and
confirm each version («ознакомлен»); the department sees who has and who has not."""

import mimetypes
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from procedures.forms_documents import DocumentCreateForm, DocumentFilterForm, DocumentVersionForm
from procedures.selectors import documents as selectors
from procedures.services import documents as services
from schools.access import Capability as C
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404


class DocumentMixin(CapabilityMixin):
    """A page about one document (`pk`), and one of its versions (`number`) when the URL names it.

    Without the capability: 403; a document of a department where the user does not hold it (another
    municipality): 404. The lookup happens before the method is dispatched, so a POST-only URL also answers
    404 outside scope.
    """

    def resolve(self, **kwargs) -> None:
        self.document = get_scoped_or_404(
            selectors.documents_visible_to(self.viewer, self.capability).select_related("campaign", "department"),
            pk=kwargs["pk"],
        )
        self.version = None
        if "number" in kwargs:
            self.version = get_scoped_or_404(self.document.versions.select_related("document"), number=kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document=self.document, version=self.version)
        return context


class DocumentListView(CapabilityMixin, ListView):
    capability = C.READ_DOCUMENTS
    template_name = "procedures/documents/list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filter_form = DocumentFilterForm(
            self.request.GET or None, campaigns=selectors.campaigns_for_documents(self.request.user)
        )
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        campaign = data.get("campaign")
        return selectors.document_list(
            user=self.request.user, campaign_id=campaign.pk if campaign else None, kind=data.get("kind", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=selectors.document_rows(user=self.request.user, documents=context["page_obj"].object_list),
            filter_form=self.filter_form,
            may_publish=self.can(C.PUBLISH_DOCUMENTS),
        )
        return context


class DocumentCreateView(CapabilityMixin, View):
    capability = C.PUBLISH_DOCUMENTS

    def form(self, data=None, files=None):
        self.department = selectors.publishing_department(self.request.user)
        if self.department is None:
            raise PermissionDenied
        return DocumentCreateForm(data, files, campaigns=self.department.campaigns.all())

    def get(self, request):
        return self.show(self.form())

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form)
        data = form.cleaned_data
        try:
            version = services.document_publish(
                department=self.department,
                kind=data["kind"],
                title=data["title"],
                campaign=data["campaign"],
                file=data["file"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Документ опубликован, школы уведомлены."))
        return redirect("procedures:document_detail", pk=version.document_id)

    def show(self, form):
        return render(self.request, "procedures/documents/form.html", {"form": form})


class DocumentDetailView(DocumentMixin, TemplateView):
    capability = C.READ_DOCUMENTS
    template_name = "procedures/documents/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            rows=selectors.document_version_rows(user=user, document=self.document),
            may_publish=selectors.may_publish(user, self.document),
            **kwargs,
        )


class DocumentVersionCreateView(DocumentMixin, View):
    capability = C.PUBLISH_DOCUMENTS

    def get(self, request, pk):
        return self.show(DocumentVersionForm())

    def post(self, request, pk):
        form = DocumentVersionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form)
        try:
            version = services.document_version_publish(
                document=self.document,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Опубликована версия {number}, школы уведомлены.").format(number=version.number))
        return redirect("procedures:document_detail", pk=self.document.pk)

    def show(self, form):
        return render(self.request, "procedures/documents/form.html", {"form": form, "document": self.document})


class DocumentVersionStatusView(DocumentMixin, TemplateView):
    """Which schools have confirmed a version and which have not."""

    capability = C.PUBLISH_DOCUMENTS
    template_name = "procedures/documents/version_status.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(status=selectors.document_version_status(version=self.version), **kwargs)


def content_disposition(filename: str, *, fallback: str) -> str:
    """An attachment header any browser saves under the Russian name (RFC 6266 filename*), with a plain
    ASCII name for clients that do not read it."""
    ascii_name = filename if filename.isascii() else fallback
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class DocumentDownloadView(DocumentMixin, View):
    """The file of a version, served only through this scope check (never from a public media URL)."""

    capability = C.READ_DOCUMENTS

    def get(self, request, pk, number):
        name = Path(self.version.file.name).name
        try:
            handle = self.version.file.storage.open(self.version.file.name, "rb")
        except FileNotFoundError:
            raise Http404(_("Файл документа не найден в хранилище.")) from None
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        fallback = f"document-{self.document.pk}-v{self.version.number}{Path(name).suffix}"
        response["Content-Disposition"] = content_disposition(name, fallback=fallback)
        return response


class DocumentAcknowledgeView(DocumentMixin, View):
    """A school confirms it has read a version; confirming again changes nothing."""

    capability = C.ACKNOWLEDGE_DOCUMENTS

    def post(self, request, pk, number):
        schools = selectors.acknowledging_schools(request.user, document=self.document)
        school_id = request.POST.get("school", "")
        school = next((s for s in schools if str(s.pk) == school_id), schools[0] if len(schools) == 1 else None)
        if school is None:
            raise Http404
        _ack, created = services.document_acknowledge(version=self.version, school=school, actor=request.user)
        if created:
            messages.success(
                request,
                _("Ознакомление с версией {number} подтверждено: {school}.").format(
                    number=self.version.number, school=school
                ),
            )
        else:
            messages.info(request, _("Ознакомление уже было подтверждено."))
        return redirect("procedures:document_detail", pk=self.document.pk)


urlpatterns = [
    path("documents/", DocumentListView.as_view(), name="document_list"),
    path("documents/new/", DocumentCreateView.as_view(), name="document_create"),
    path("documents/<int:pk>/", DocumentDetailView.as_view(), name="document_detail"),
    path("documents/<int:pk>/versions/new/", DocumentVersionCreateView.as_view(), name="document_version_create"),
    path(
        "documents/<int:pk>/versions/<int:number>/", DocumentVersionStatusView.as_view(), name="document_version_status"
    ),
    path(
        "documents/<int:pk>/versions/<int:number>/download/",
        DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "documents/<int:pk>/versions/<int:number>/acknowledge/",
        DocumentAcknowledgeView.as_view(),
        name="document_acknowledge",
    ),
]
