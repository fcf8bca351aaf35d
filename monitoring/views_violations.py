"""Pages of the violations of the procedure (monitoring/violations.py).

The department (CLOSE_VIOLATIONS) lists its schools' violations with filters and exports the filtered list to
xlsx, records a violation it found itself and closes one with its decision; a school's coordinator and director
(VIEW_VIOLATIONS, ANSWER_VIOLATIONS) read their school's violations and answer each. Rows are ordered by date,
then school code, never by results (R15); they name schools, never a pupil (R11)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from monitoring import violations
from monitoring.models import Violation
from monitoring.view_actions import ActionMixin
from procedures.models import Assessment, Campaign, Sitting
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin, department_ids_with, schools_with
from vpr_portal.access import get_scoped_or_404
from vpr_portal.excel import safe_row, workbook_response
from vpr_portal.params import text_param


def headers() -> list[str]:
    return [
        _("Дата"),
        _("Урок"),
        _("Код школы"),
        _("Школа"),
        _("Работа"),
        _("Аудитория"),
        _("Нарушение"),
        _("Пункт"),
        _("Источник"),
        _("Сообщил"),
        _("Подробности"),
        _("Статус"),
        _("Ответ школы"),
        _("Решение управления образования"),
    ]


def labels() -> dict[str, dict[str, str]]:
    """The kinds', sources' and statuses' words in the request's language, looked up once per list (a model's
    get_FOO_display() costs a hash of the choices per call: seconds at a region's thousands of rows)."""
    return {
        "kind": {value: str(label) for value, label in Violation.Kind.choices},
        "source": {value: str(label) for value, label in Violation.Source.choices},
        "status": {value: str(label) for value, label in Violation.Status.choices},
    }


def row(violation: Violation, words: dict[str, dict[str, str]]) -> list:
    """One violation as the list and its xlsx show it (the same cells in both); `words` from `labels()`."""
    sitting = violation.sitting
    room = violation.sitting_room.room.name if violation.sitting_room_id else ""
    person = violation.reported_by
    reporter = (person.full_name or person.username) if person is not None else ""
    return [
        sitting.date,
        sitting.lesson,
        violation.school.code,
        violation.school.short_name,
        sitting.assessment.code,
        room,
        words["kind"].get(violation.kind, violation.kind),
        violation.item,
        words["source"].get(violation.source, violation.source),
        reporter,
        violation.details,
        words["status"].get(violation.status, violation.status),
        violation.answer,
        violation.closing_note,
    ]


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def filters_from(get) -> violations.ViolationFilters:
    """The list's filters from the query string; what is not a known value is ignored."""

    def choice(name, values):
        value = get.get(name, "")
        return value if value in values else ""

    return violations.ViolationFilters(
        campaign=text_param(get, "campaign", max_length=40),
        assessment=text_param(get, "assessment", max_length=40),
        school=text_param(get, "school", max_length=40),
        kind=choice("kind", Violation.Kind.values),
        source=choice("source", Violation.Source.values),
        status=choice("status", Violation.Status.values),
        date_from=_date(get.get("date_from", "")),
        date_to=_date(get.get("date_to", "")),
    )


class ViolationsView(CapabilityMixin, ListView):
    """The department's violations of its schools: filters, counts per status, a page at a time, xlsx."""

    capability = C.CLOSE_VIOLATIONS
    template_name = "monitoring/violations/list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filters = filters_from(self.request.GET)
        return violations.violations_filtered(self.viewer, self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = Campaign.objects.filter(
            department_id__in=department_ids_with(self.viewer, self.capability)
        ).order_by("-window_start", "code")
        assessments = Assessment.objects.filter(campaign__in=campaigns)
        if self.filters.campaign:
            assessments = assessments.filter(campaign__code=self.filters.campaign)
        counts = violations.violation_counts(self.viewer, self.filters)
        words = labels()
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=self.filters,
            headers=headers(),
            rows=[(violation, row(violation, words)) for violation in context["object_list"]],
            campaigns=campaigns.values_list("code", "title"),
            assessments=sorted(set(assessments.values_list("code", flat=True))),
            kinds=Violation.Kind.choices,
            sources=Violation.Source.choices,
            statuses=[(value, label, counts[value]) for value, label in Violation.Status.choices],
            total=sum(counts.values()),
            xlsx_url=reverse("monitoring:violations_xlsx") + ("?" + query.urlencode() if query else ""),
        )
        return context


class ViolationsXlsxView(CapabilityMixin, View):
    """The filtered list as an xlsx workbook: the list's rows, every page, in its order."""

    capability = C.CLOSE_VIOLATIONS

    def get(self, request):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        rows = violations.violations_filtered(self.viewer, filters_from(request.GET))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_("Нарушения"))
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in headers():
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        words = labels()
        for violation in rows.iterator(chunk_size=2000):
            cells = row(violation, words)
            date_cell = WriteOnlyCell(sheet, value=cells[0])
            date_cell.number_format = "DD.MM.YYYY"
            sheet.append([date_cell, *safe_row(cells[1:])])
        return workbook_response(workbook, f"violations-{timezone.localdate().isoformat()}.xlsx")


class SchoolViolationsView(SchoolMixin, ListView):
    """A school's violations, by date: the school's coordinator and director answer each on its page."""

    capability = C.VIEW_VIOLATIONS
    template_name = "monitoring/violations/school_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return violations.violations_visible_to(self.viewer).filter(school=self.school)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        words = labels()
        context.update(headers=headers(), rows=[(v, row(v, words)) for v in context["object_list"]])
        return context


class ViolationView(CapabilityMixin, TemplateView):
    """One violation: what was reported, the school's answer, the department's decision, and the form of what
    the viewer may do (the school: answer until it is closed; the department: close)."""

    capability = C.VIEW_VIOLATIONS
    template_name = "monitoring/violations/detail.html"

    def resolve(self, **kwargs) -> None:
        self.violation = get_scoped_or_404(violations.violations_visible_to(self.viewer), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        violation = self.violation
        is_open = violation.status != Violation.Status.CLOSED
        can_close = self.can(C.CLOSE_VIOLATIONS, violation.school)
        return super().get_context_data(
            violation=violation,
            cells=dict(zip(headers(), row(violation, labels()), strict=True)),
            can_answer=is_open and not can_close and self.can(C.ANSWER_VIOLATIONS, violation.school),
            can_close=is_open and can_close,
            **kwargs,
        )


class _ViolationActionView(ActionMixin, CapabilityMixin, View):
    """A POST on a violation the user may act on with the view's capability (404 otherwise)."""

    def resolve(self, **kwargs) -> None:
        self.violation = get_scoped_or_404(
            violations.violations_visible_to(self.viewer, self.capability), pk=kwargs["pk"]
        )

    def done_url(self) -> str:
        return reverse("monitoring:violation", kwargs={"pk": self.violation.pk})


class ViolationAnswerView(_ViolationActionView):
    capability = C.ANSWER_VIOLATIONS

    def act(self, request) -> str:
        violations.violation_answer(violation=self.violation, text=request.POST.get("text", ""), actor=request.user)
        return _("Ответ отправлен в управление образования.")


class ViolationCloseView(_ViolationActionView):
    capability = C.CLOSE_VIOLATIONS

    def act(self, request) -> str:
        violations.violation_close(violation=self.violation, note=request.POST.get("note", ""), actor=request.user)
        return _("Решение записано, нарушение закрыто.")


class ViolationRecordView(CapabilityMixin, View):
    """The department records a violation it found itself: first the school (by code), then its sitting, room,
    kind and details."""

    capability = C.CLOSE_VIOLATIONS
    template_name = "monitoring/violations/record.html"

    def school(self, code: str):
        code = (code or "").strip()
        return schools_with(self.viewer, self.capability).filter(code=code).first() if code else None

    def page(self, request, *, school, values: dict, status: int = 200):
        sittings = (
            Sitting.objects.filter(school=school)
            .select_related("assessment", "campaign")
            .prefetch_related("rooms__room")
            .order_by("-date", "lesson", "assessment__code")
            if school is not None
            else Sitting.objects.none()
        )
        context = {"school": school, "sittings": sittings, "kinds": Violation.Kind.choices, "values": values}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        code = text_param(request.GET, "school", max_length=40)
        school = self.school(code)
        if code and school is None:
            messages.error(
                request, _("Школы с кодом «{code}» нет среди школ управления образования.").format(code=code)
            )
        return self.page(request, school=school, values={"school": code})

    def post(self, request):
        post = request.POST
        school = self.school(post.get("school", ""))
        if school is None:
            messages.error(request, _("Выберите школу управления образования."))
            return self.page(request, school=None, values=post, status=400)
        sitting = Sitting.objects.filter(school=school, pk=_int(post.get("sitting"))).first()
        room = sitting.rooms.filter(pk=_int(post.get("sitting_room"))).first() if sitting else None
        try:
            if sitting is None:
                raise ValidationError(_("Выберите проведение работы в этой школе."))
            if post.get("sitting_room") and room is None:
                raise ValidationError(_("Эта аудитория не относится к выбранному проведению."))
            violation = violations.violation_record(
                sitting=sitting,
                sitting_room=room,
                kind=post.get("kind", ""),
                details=post.get("details", ""),
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.page(request, school=school, values=post, status=400)
        messages.success(request, _("Нарушение записано; школа уведомлена."))
        return redirect(reverse("monitoring:violation", kwargs={"pk": violation.pk}))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
