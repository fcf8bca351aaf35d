"""The act of public observation (приложение 3) and the monitoring card (приложение 1) on a phone: the person's
own form, saved field by field as it is typed, signed by submitting, corrected as a new version; the school's and
the department's reading of them, and their PDFs.

An observer opens the act (OBSERVE), a representative the card (MONITOR): two sets of URLs over the same code, so
each checks its own capability. Another person's assignment, a cancelled one or the other kind's is 404."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from monitoring import visit_reports as vr
from monitoring.facts import card_facts
from monitoring.items import ACT_COMMENT_LABEL, SECTIONS, TITLES
from monitoring.models import VisitReport
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin
from vpr_portal.access import get_scoped_or_404


def _sections(report: VisitReport, facts: dict | None) -> list[dict]:
    """The form's sections with each item's answer (and, for a card, what the portal knows) for the template."""
    return [
        {
            "title": section.title,
            "items": [
                {
                    "item": it,
                    "answer": report.answers.get(it.code) or {},
                    "facts": (facts or {}).get(it.code, []),
                }
                for it in section.items
            ],
        }
        for section in SECTIONS[report.kind]
    ]


def report_context(report: VisitReport, *, live_facts: bool = False) -> dict:
    """What the form, the read-only page and the PDF show of a report."""
    assignment = report.assignment
    facts = None
    if report.kind == VisitReport.Kind.CARD:
        facts = card_facts(assignment) if live_facts and not report.is_submitted else report.facts
    tz = assignment.sitting.school.tzinfo
    submitted_at = timezone.localtime(report.submitted_at, tz) if report.submitted_at else None
    return {
        "report": report,
        "assignment": assignment,
        "sitting": assignment.sitting,
        "school": assignment.sitting.school,
        "person": assignment.person,
        "title": TITLES[report.kind],
        "sections": _sections(report, facts),
        "comment_label": ACT_COMMENT_LABEL,
        "is_card": report.kind == VisitReport.Kind.CARD,
        "submitted_local": submitted_at,
    }


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class _OwnReportMixin(CapabilityMixin):
    """The person's own assignment (`pk`) of the form's kind, as `self.assignment`."""

    kind = VisitReport.Kind.ACT
    url_prefix = "report"

    def resolve(self, **kwargs) -> None:
        self.assignment = vr.own_assignment(self.viewer, kwargs["pk"], self.kind)

    def url(self, name: str = "") -> str:
        return reverse(f"monitoring:{self.url_prefix}{'_' + name if name else ''}", args=[self.assignment.pk])


class _FormView(_OwnReportMixin, TemplateView):
    """Opens (creates or resumes) the draft of the assignment's act or card; a signed one is shown read-only with
    «Исправить»."""

    template_name = "monitoring/reports/form.html"

    def get(self, request, *args, problems=None, status=200, **kwargs):
        if vr.instruction_unread(request.user, self.kind):
            messages.warning(request, _("Прежде чем заполнять акт, прочитайте инструкцию и подтвердите ознакомление."))
            return redirect(reverse("monitoring:assignments"))
        report = vr.report_open(assignment=self.assignment)
        context = report_context(report, live_facts=True)
        context.update(
            problems=problems or [],
            editable=not report.is_submitted,
            save_url=self.url("save"),
            submit_url=self.url("submit"),
            correct_url=self.url("correct"),
            queue_key=f"vpr-visit:{request.user.pk}:{report.pk}",
            versions=vr.report_versions(report),
            form_text={
                "saved_at": _("Сохранено в {time}"),
                "offline": _("Не сохранено: нет связи — {n} изменений ждут отправки"),
                "pending": _("Сохраняется… ждут отправки: {n}"),
                "closed": _("Документ уже подписан: изменения не сохранены."),
                "refused": _("Не сохранено: {error}"),
                "wait": _("Дождитесь сохранения всех изменений и подпишите снова."),
            },
        )
        return render(request, self.template_name, context, status=status)


class _SaveView(_OwnReportMixin, View):
    """Saves one field of the draft (JSON in, JSON out): 200 with the revision, 400 with the reason, 409 when the
    document is signed already."""

    def post(self, request, pk):
        try:
            body = json.loads(request.body or b"{}")
            field = str(body["field"])
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": _("Запрос не понят.")}, status=400)
        try:
            saved = vr.report_save(
                assignment=self.assignment, field=field, value=body.get("value"), text=body.get("text")
            )
        except vr.ReportClosed:
            return JsonResponse({"error": _(vr.ReportClosed.message)}, status=409)
        except ValidationError as error:
            return JsonResponse({"error": _error_text(error)}, status=400)
        local = timezone.localtime(saved.saved_at, self.assignment.sitting.school.tzinfo)
        return JsonResponse({"revision": saved.revision, "saved_at": local.strftime("%H:%M")})


class _SubmitView(_FormView):
    """«Подписать и отправить»: the page again with the list of what is missing, or the signed read-only page."""

    def get(self, request, *args, **kwargs):
        return redirect(self.url())

    def post(self, request, pk):
        report = vr.latest_report(self.assignment)
        if report is None or vr.instruction_unread(request.user, self.kind):
            return redirect(self.url())
        try:
            vr.report_submit(report=report, user=request.user)
        except vr.ReportClosed:
            messages.info(request, _(vr.ReportClosed.message))
            return redirect(self.url())
        except ValidationError as error:
            return super().get(request, pk=pk, problems=error.messages, status=400)
        messages.success(request, _("Подписано и отправлено. Школа видит документ."))
        return redirect(self.url())


class _CorrectView(_OwnReportMixin, View):
    """«Исправить»: a new version as a draft with the same answers and the reason."""

    def post(self, request, pk):
        report = vr.latest_report(self.assignment)
        if report is None:
            return redirect(self.url())
        try:
            vr.report_correct(report=report, user=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(self.url())


class ActView(_FormView):
    capability = C.OBSERVE


class ActSaveView(_SaveView):
    capability = C.OBSERVE


class ActSubmitView(_SubmitView):
    capability = C.OBSERVE


class ActCorrectView(_CorrectView):
    capability = C.OBSERVE


class _CardMixin:
    kind = VisitReport.Kind.CARD
    url_prefix = "card"


class CardView(_CardMixin, _FormView):
    capability = C.MONITOR


class CardSaveView(_CardMixin, _SaveView):
    capability = C.MONITOR


class CardSubmitView(_CardMixin, _SubmitView):
    capability = C.MONITOR


class CardCorrectView(_CardMixin, _CorrectView):
    capability = C.MONITOR


# The school's and the department's reading ------------------------------------------------------------------


class SchoolReportsView(SchoolMixin, TemplateView):
    """The school's signed acts and cards by the sitting's date, the latest version of each with its history."""

    capability = C.VIEW_OBSERVATION
    template_name = "monitoring/reports/school_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reports=vr.school_reports(self.school), **kwargs)


class _ReadMixin(CapabilityMixin):
    capability = C.VIEW_OBSERVATION

    def resolve(self, **kwargs) -> None:
        self.report = get_scoped_or_404(vr.reports_visible_to(self.viewer), pk=kwargs["pk"])


class ReportReadView(_ReadMixin, TemplateView):
    """A signed act or card, read-only, with its other versions."""

    template_name = "monitoring/reports/read.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(report_context(self.report), versions=vr.report_versions(self.report))
        return context


class ReportPdfView(_ReadMixin, View):
    """The act or the card printed in its appendix's layout."""

    def get(self, request, pk):
        from vpr_portal.pdf import render_pdf

        pdf = render_pdf("monitoring/print/visit_report.html", report_context(self.report))
        response = HttpResponse(pdf, content_type="application/pdf")
        sitting = self.report.assignment.sitting
        name = f"{self.report.kind}-{sitting.school.code}-{sitting.date:%Y%m%d}-v{self.report.version}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
