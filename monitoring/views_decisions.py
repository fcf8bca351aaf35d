"""Pages of the management decisions (monitoring/decisions.py; Регламент 3.2, 4.1.9).

The register (VIEW_DECISIONS): the department's every decision of its schools and its municipal ones, a school's
its own and the department's about it, with filters (campaign, school code, status, overdue, basis), counts by
status, a page at a time and the xlsx of its rows; ordered by due date then school code, never by results (R15).
A school's register; a decision's page with its history and the outcome form; recording (RECORD_DECISIONS,
prefilled from a case page or a weak skill), editing before the outcome, cancelling with a reason after a
confirmation. Decisions name schools and adults, never a pupil (R11)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from monitoring import decisions
from monitoring.decisions import decision_history, decisions_recordable_by, decisions_visible_to, is_overdue
from monitoring.forms_decisions import (
    filters_from,
    missing_objects,
    record_basis,
    record_choices,
    record_input,
)
from monitoring.models import ManagementDecision
from monitoring.view_actions import ActionMixin
from procedures.models import Campaign
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin, department_ids_with
from vpr_portal.access import get_scoped_or_404
from vpr_portal.excel import safe_row, workbook_response

D = ManagementDecision


def headers() -> list[str]:
    return [
        _("Кампания"),
        _("Код школы"),
        _("Школа"),
        _("Кем принято"),
        _("Работа"),
        _("Основание"),
        _("Умение"),
        _("Что решено"),
        _("Ответственный"),
        _("Срок"),
        _("Статус"),
        _("Срок прошёл"),
        _("Результат"),
        _("Записано"),
    ]


def row(decision: ManagementDecision, today) -> list:
    """One decision as the xlsx shows it."""
    school = decision.school
    return [
        decision.campaign.title,
        school.code if school else "",
        school.short_name if school else _("муниципальное решение"),
        decision.get_level_display(),
        decision.assessment.code if decision.assessment_id else "",
        decision.get_basis_display() + (f": {decision.basis_note}" if decision.basis_note else ""),
        decision.skill,
        decision.text,
        decision.responsible,
        decision.due_on,
        decision.get_status_display(),
        _("да") if is_overdue(decision, today) else "",
        decision.outcome or decision.cancel_reason,
        timezone.localtime(decision.created_at).date(),
    ]


def _rows(decisions_, today) -> list[tuple[ManagementDecision, bool]]:
    return [(decision, is_overdue(decision, today)) for decision in decisions_]


class DecisionsView(CapabilityMixin, ListView):
    """The register: filters, counts per status, a page at a time, xlsx."""

    capability = C.VIEW_DECISIONS
    template_name = "monitoring/decisions/list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filters = filters_from(self.request.GET)
        self.today = timezone.localdate()
        return decisions.decisions_filtered(self.viewer, self.filters, today=self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = Campaign.objects.filter(
            department_id__in=department_ids_with(self.viewer, self.capability)
        ).exclude(status=Campaign.Status.DRAFT)
        counts = decisions.decision_counts(self.viewer, self.filters, today=self.today)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=self.filters,
            rows=_rows(context["object_list"], self.today),
            campaigns=campaigns.order_by("-window_start", "code").values_list("code", "title"),
            statuses=[(value, label, counts[value]) for value, label in D.Status.choices],
            overdue_count=counts["overdue"],
            total=sum(counts[value] for value in D.Status.values),
            bases=D.Basis.choices,
            is_department=bool(decisions._scoped_ids(self.viewer, self.capability)[0]),
            may_record=self.can(C.RECORD_DECISIONS),
            xlsx_url=reverse("monitoring:decisions_xlsx") + ("?" + query.urlencode() if query else ""),
        )
        return context


class DecisionsXlsxView(CapabilityMixin, View):
    """The filtered register as an xlsx workbook: every page, in the register's order."""

    capability = C.VIEW_DECISIONS

    def get(self, request):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        today = timezone.localdate()
        rows = decisions.decisions_filtered(self.viewer, filters_from(request.GET), today=today)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_("Решения"))
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in headers():
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for decision in rows.iterator(chunk_size=2000):
            cells = []
            for value in safe_row(row(decision, today)):
                cell = WriteOnlyCell(sheet, value=value)
                if hasattr(value, "year"):
                    cell.number_format = "DD.MM.YYYY"
                cells.append(cell)
            sheet.append(cells)
        return workbook_response(workbook, f"decisions-{today.isoformat()}.xlsx")


class SchoolDecisionsView(SchoolMixin, ListView):
    """A school's register: its own decisions and the department's about it, by due date."""

    capability = C.VIEW_DECISIONS
    template_name = "monitoring/decisions/school_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return decisions_visible_to(self.viewer).filter(school=self.school)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=_rows(context["object_list"], timezone.localdate()),
            may_record=self.can(C.RECORD_DECISIONS, self.school),
        )
        return context


class DecisionView(CapabilityMixin, TemplateView):
    """One decision: its basis, what was decided, who, until when, the status; the outcome or the cancellation;
    its history; the outcome form and the links to edit and cancel for who may."""

    capability = C.VIEW_DECISIONS
    template_name = "monitoring/decisions/detail.html"

    def resolve(self, **kwargs) -> None:
        self.decision = get_scoped_or_404(decisions_visible_to(self.viewer), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        decision = self.decision
        may_act = decision.is_open and decisions_recordable_by(self.viewer).filter(pk=decision.pk).exists()
        return super().get_context_data(
            decision=decision,
            overdue=is_overdue(decision),
            history=decision_history(decision),
            may_act=may_act,
            outcome_statuses=[(D.Status.DONE, D.Status.DONE.label), (D.Status.NOT_DONE, D.Status.NOT_DONE.label)],
            **kwargs,
        )


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


class DecisionRecordView(CapabilityMixin, View):
    """Records a decision. A GET prefills the form from the query (campaign, school, assessment, basis, case,
    skill: the case page's button and the weak skills' links)."""

    capability = C.RECORD_DECISIONS
    template_name = "monitoring/decisions/form.html"

    def page(self, request, found, *, errors=None, status: int = 200):
        context = {
            "mode": "record",
            "values": found.values,
            "case": found.case,
            "errors": errors or {},
            "form_errors": [message for messages_ in (errors or {}).values() for message in messages_],
            **record_choices(self.viewer, found),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(request, record_input(self.viewer, request.GET))

    def post(self, request):
        found = record_input(self.viewer, request.POST)
        errors = missing_objects(found)
        if errors:
            return self.page(request, found, errors=errors, status=400)
        try:
            decision = decisions.decision_record(
                actor=request.user,
                campaign=found.campaign,
                school=found.school,
                assessment=found.assessment,
                basis=record_basis(found),
                text=found.values["text"],
                responsible=found.values["responsible"],
                due_on=found.values["due_on"],
            )
        except ValidationError as error:
            return self.page(request, found, errors=_error_dict(error), status=400)
        messages.success(request, _("Управленческое решение записано."))
        return redirect(reverse("monitoring:decision", kwargs={"pk": decision.pk}))


class _RecordableMixin(CapabilityMixin):
    """A decision the user may edit, close or cancel (404 otherwise)."""

    capability = C.RECORD_DECISIONS

    def resolve(self, **kwargs) -> None:
        self.decision = get_scoped_or_404(decisions_recordable_by(self.viewer), pk=kwargs["pk"])

    def done_url(self) -> str:
        return reverse("monitoring:decision", kwargs={"pk": self.decision.pk})


class DecisionEditView(_RecordableMixin, View):
    """Edits a decision until its outcome is recorded: what, who, until when, the status."""

    template_name = "monitoring/decisions/form.html"

    def page(self, request, values: dict, *, errors=None, status: int = 200):
        context = {
            "mode": "edit",
            "decision": self.decision,
            "values": values,
            "errors": errors or {},
            "form_errors": [message for messages_ in (errors or {}).values() for message in messages_],
            "open_statuses": [(value, D.Status(value).label) for value in D.OPEN_STATUSES],
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        if not self.decision.is_open:
            messages.error(request, _("Решение закрыто (записан результат или оно отменено): изменить его нельзя."))
            return redirect(self.done_url())
        d = self.decision
        values = {name: getattr(d, name) for name in ("text", "responsible", "status", "basis_note")}
        return self.page(request, {**values, "due_on": d.due_on.isoformat()})

    def post(self, request, pk):
        post = request.POST
        values = {name: post.get(name, "") for name in ("text", "responsible", "due_on", "status", "basis_note")}
        try:
            decisions.decision_edit(decision=self.decision, actor=request.user, **values)
        except ValidationError as error:
            return self.page(request, values, errors=_error_dict(error), status=400)
        messages.success(request, _("Решение изменено."))
        return redirect(self.done_url())


class DecisionOutcomeView(ActionMixin, _RecordableMixin, View):
    """Records the outcome (POST from the decision's page)."""

    def act(self, request) -> str:
        decisions.decision_outcome(
            decision=self.decision,
            actor=request.user,
            status=request.POST.get("status", ""),
            outcome=request.POST.get("outcome", ""),
        )
        return _("Результат записан.")


class DecisionCancelView(_RecordableMixin, View):
    """Cancels a decision: a page asks for the reason and confirmation; the POST cancels it."""

    template_name = "monitoring/decisions/cancel.html"

    def get(self, request, pk):
        if not self.decision.is_open:
            messages.error(request, _("Решение уже закрыто: результат записан или оно отменено."))
            return redirect(self.done_url())
        return render(request, self.template_name, {"decision": self.decision, "reason": ""})

    def post(self, request, pk):
        reason = request.POST.get("reason", "")
        try:
            decisions.decision_cancel(decision=self.decision, actor=request.user, reason=reason)
        except ValidationError as error:
            context = {"decision": self.decision, "reason": reason[:1000], "form_errors": error.messages}
            return render(request, self.template_name, context, status=400)
        messages.success(request, _("Решение отменено."))
        return redirect(self.done_url())
