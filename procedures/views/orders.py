"""The school's order on conducting the ВПР (Регламент 4.3.1): the page with the draft and the versions,
submitting a version to the director, the director's approval or return with a comment, the PDF and the editable
DOCX of each version, and the signed scan of an approved one.

The school's coordinator and director submit and upload; the director approves; they and the department
(specialists, municipal coordinators) read and download: the order names staff, not pupils.
"""

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from procedures.access import SchoolCampaignMixin
from procedures.docx import order_docx
from procedures.forms_orders import OrderIssueForm, OrderReturnForm, OrderScanForm
from procedures.models import SchoolOrder
from procedures.selectors import orders as selectors
from procedures.services import orders as services
from schools.access import Capability as C
from schools.access import user_can
from vpr_portal.access import get_scoped_or_404

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class OrderMixin(SchoolCampaignMixin):
    """The school and campaign of the URL, and `version` (when the URL has it) among the school's orders."""

    def resolve(self, **kwargs) -> None:
        self.order = None
        if "version" in kwargs:
            self.order = get_scoped_or_404(
                selectors.order_versions(campaign=self.campaign, school=self.school), version=kwargs["version"]
            )

    def order_url(self) -> str:
        return reverse(
            "procedures:order", kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code}
        )


def order_page(request, *, school, campaign, status: int = 200, **forms) -> HttpResponse:
    """The order page: what the order would say now (preview), whether the last version is out of date, the
    versions; `forms` carries a refused form back to its place."""
    state = selectors.order_state(campaign=campaign, school=school)
    returned = state.returned
    initial = {"number": returned.number, "date": returned.date} if returned is not None else None
    context = {
        "school": school,
        "campaign": campaign,
        "state": state,
        "draft": selectors.order_document(state.content),
        "awaiting_document": selectors.issued_order_document(state.awaiting) if state.awaiting else None,
        "may_issue": user_can(request.user, C.ISSUE_ORDER, school),
        "may_approve": user_can(request.user, C.APPROVE_ORDER, school),
        "issue_form": forms.pop("issue_form", None) or OrderIssueForm(initial=initial),
        "return_form": forms.pop("return_form", None) or OrderReturnForm(),
        "scan_form": forms.pop("scan_form", None) or OrderScanForm(),
        **forms,
    }
    return render(request, "procedures/orders/order.html", context, status=status)


class OrderView(OrderMixin, View):
    capability = C.VIEW_ORDER

    def get(self, request, campaign_code, school_code):
        return order_page(request, school=self.school, campaign=self.campaign)


class OrderSubmitView(OrderMixin, View):
    capability = C.ISSUE_ORDER

    def post(self, request, campaign_code, school_code):
        form = OrderIssueForm(request.POST)
        if form.is_valid():
            try:
                order = services.order_submit(
                    campaign=self.campaign,
                    school=self.school,
                    number=form.cleaned_data["number"],
                    date=form.cleaned_data["date"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Версия {version} ({order}) отправлена директору на утверждение.").format(
                        version=order.version, order=order
                    ),
                )
                return redirect(self.order_url())
        return order_page(request, school=self.school, campaign=self.campaign, status=400, issue_form=form)


class OrderApproveView(OrderMixin, View):
    """The director approves the submitted version (nothing is lost: no confirmation)."""

    capability = C.APPROVE_ORDER

    def post(self, request, campaign_code, school_code, version):
        try:
            services.order_approve(order=self.order, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Версия {version} утверждена.").format(version=self.order.version))
        return redirect(self.order_url())


class OrderReturnView(OrderMixin, View):
    """The director returns the submitted version with a comment on what to correct."""

    capability = C.APPROVE_ORDER

    def post(self, request, campaign_code, school_code, version):
        form = OrderReturnForm(request.POST)
        if form.is_valid():
            try:
                services.order_return(order=self.order, comment=form.cleaned_data["comment"], actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Версия {version} возвращена на доработку.").format(version=self.order.version)
                )
                return redirect(self.order_url())
        return order_page(request, school=self.school, campaign=self.campaign, status=400, return_form=form)


class OrderPdfView(OrderMixin, View):
    capability = C.VIEW_ORDER

    def get(self, request, campaign_code, school_code, version):
        pdf = selectors.order_pdf(selectors.issued_order_document(self.order))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename("pdf")}"'
        return response

    def filename(self, suffix: str) -> str:
        return selectors.order_filename(
            school=self.school, campaign=self.campaign, version=self.order.version, suffix=suffix
        )


class OrderDocxView(OrderPdfView):
    def get(self, request, campaign_code, school_code, version):
        response = HttpResponse(order_docx(selectors.issued_order_document(self.order)), content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.filename("docx")}"'
        return response


class OrderScanView(OrderMixin, View):
    """The signed scan, served only through this scope check (never from a public media URL)."""

    capability = C.VIEW_ORDER

    def get(self, request, campaign_code, school_code, version):
        order: SchoolOrder = self.order
        if not order.signed_scan:
            raise Http404(_("Скан этой версии ещё не загружен."))
        try:
            handle = order.signed_scan.storage.open(order.signed_scan.name, "rb")
        except FileNotFoundError:
            raise Http404(_("Файл скана не найден в хранилище.")) from None
        name = Path(order.signed_scan.name).name
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class OrderScanUploadView(OrderMixin, View):
    capability = C.ISSUE_ORDER

    def post(self, request, campaign_code, school_code, version):
        if not self.order.is_approved:  # the page offers no upload before approval
            messages.error(request, _("Скан загружается после утверждения приказа директором."))
            return redirect(self.order_url())
        form = OrderScanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.order_scan_upload(order=self.order, file=form.cleaned_data["file"], actor=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("Скан версии {version} загружен.").format(version=self.order.version))
                return redirect(self.order_url())
        return order_page(
            request,
            school=self.school,
            campaign=self.campaign,
            status=400,
            scan_form=form,
            scan_version=self.order.version,
        )


SCHOOL = "campaigns/<str:campaign_code>/schools/<str:school_code>/order/"
VERSION = SCHOOL + "v<int:version>/"

urlpatterns = [
    path(SCHOOL, OrderView.as_view(), name="order"),
    path(SCHOOL + "submit/", OrderSubmitView.as_view(), name="order_submit"),
    path(VERSION + "approve/", OrderApproveView.as_view(), name="order_approve"),
    path(VERSION + "return/", OrderReturnView.as_view(), name="order_return"),
    path(VERSION + "pdf/", OrderPdfView.as_view(), name="order_pdf"),
    path(VERSION + "docx/", OrderDocxView.as_view(), name="order_docx"),
    path(VERSION + "scan/", OrderScanView.as_view(), name="order_scan"),
    path(VERSION + "scan/upload/", OrderScanUploadView.as_view(), name="order_scan_upload"),
]
