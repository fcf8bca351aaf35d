"""Class assignment, school schedules and the calendar of a campaign (Регламент 5.2).

The department (specialists, municipal coordinators) uploads and edits the assignment, decides the
schedules and reads the municipal calendar; a school's coordinator sets its dates and submits them; the
coordinator and the director read their school's assignment, schedule and calendar.
"""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from procedures.access import CampaignMixin, SchoolCampaignMixin
from procedures.forms_schedules import AssignmentEditForm, ScheduleBulkForm, ScheduleDecisionForm, ScheduleForm
from procedures.models import SchoolSchedule
from procedures.selectors import schedules as selectors
from procedures.services import schedules as services
from schools.access import Capability as C
from vpr_portal.tables import read_table
from vpr_portal.uploads import ImportView


class MunicipalMixin(CampaignMixin):
    """A page of the municipality's assignment and schedules of one campaign: the department deciding them."""

    capability = C.DECIDE_SCHEDULES


class SchoolScheduleMixin(SchoolCampaignMixin):
    """A page of one school's assignment and schedule of one campaign; `is_municipal` when the user also
    decides the school's schedule (the department's links)."""

    capability = C.VIEW_SCHEDULE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_municipal"] = self.may_decide()
        return context

    def may_decide(self) -> bool:
        return self.can(C.DECIDE_SCHEDULES, self.school)


# Class assignment ------------------------------------------------------------------------------------------


class AssignmentOverviewView(MunicipalMixin, ListView):
    """Every school of the municipality with the classes that write each assessment."""

    template_name = "procedures/schedules/assignment_overview.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return selectors.department_schools(self.campaign)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schools = list(context["page_obj"])
        works = selectors.assigned_works_by_school(campaign=self.campaign, school_ids=[s.pk for s in schools])
        context["rows"] = [(school, [w for w in works[school.pk] if w.classes]) for school in schools]
        return context


class AssignmentImportView(MunicipalMixin, ImportView):
    """Rosobrnadzor's distribution: upload → preview (or every error) → confirm; nothing is written before.
    A file over UPLOAD_INLINE_MAX_BYTES is checked and applied in jobs, like every other import."""

    template_name = "procedures/schedules/assignment_import.html"
    purpose = "class_assignments"
    summary_fields = ("pairs", "schools", "added", "removed", "unchanged")

    def import_context(self):
        return {"campaign": self.campaign.code}

    def restore(self, context):
        # the request's checks, for a job that has no request
        self.check_access(self.user, campaign_code=context["campaign"])

    def parse(self, name, data):
        records = services.parse_assignments(read_table(data, name))
        return services.assignments_resolve(campaign=self.campaign, records=records)

    def preview(self, resolved):
        return services.assignments_import_preview(campaign=self.campaign, resolved=resolved)

    def apply(self, resolved):
        return services.assignments_import(campaign=self.campaign, resolved=resolved, actor=self.user)

    def outcome_data(self, summary):
        return {"pairs": summary.pairs, "added": summary.added, "removed": summary.removed}

    def announce(self, request, outcome):
        messages.success(
            request,
            _(
                "Распределение загружено: пар «школа — работа» {pairs}, назначено классов {added}, снято {removed}."
            ).format(**outcome),
        )

    def context(self, **extra):
        return {**super().context(**extra), "campaign": self.campaign}

    def done_url(self):
        return reverse("procedures:assignments", kwargs={"campaign_code": self.campaign.code})


class SchoolAssignmentsView(SchoolScheduleMixin, TemplateView):
    """One school's assignment: read-only for the school, with a link to edit for the department."""

    template_name = "procedures/schedules/school_assignments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["works"] = selectors.assigned_works(campaign=self.campaign, school=self.school)
        return context


class SchoolAssignmentsEditView(SchoolScheduleMixin, View):
    capability = C.DECIDE_SCHEDULES
    template_name = "procedures/schedules/school_assignments_edit.html"

    def form(self, data=None):
        return AssignmentEditForm(
            data,
            works=selectors.assigned_works(campaign=self.campaign, school=self.school),
            classes=list(selectors.campaign_classes(campaign=self.campaign, school=self.school)),
        )

    def show(self, form):
        context = {"campaign": self.campaign, "school": self.school, "form": form}
        return render(self.request, self.template_name, context)

    def get(self, request, campaign_code, school_code):
        return self.show(self.form())

    def post(self, request, campaign_code, school_code):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form)
        try:
            services.class_assignments_set(
                campaign=self.campaign, school=self.school, chosen=form.chosen(), actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Назначение классов сохранено."))
        return redirect("procedures:school_assignments", campaign_code=self.campaign.code, school_code=self.school.code)


# Schedules -------------------------------------------------------------------------------------------------


class ScheduleView(SchoolScheduleMixin, View):
    """The school's schedule: the coordinator edits it while it is a draft or returned; everyone else (and
    the coordinator afterwards) reads it; the department decides it here."""

    template_name = "procedures/schedules/schedule.html"

    def schedule(self) -> SchoolSchedule:
        found = selectors.schedule_of(campaign=self.campaign, school=self.school)
        return found or SchoolSchedule(campaign=self.campaign, school=self.school)

    def may_edit(self, schedule: SchoolSchedule) -> bool:
        return self.can(C.SUBMIT_SCHEDULE, self.school) and schedule.is_editable

    def show(self, *, state, form, rows):
        context = {
            "campaign": self.campaign,
            "school": self.school,
            "schedule": state.schedule,
            "state": state,
            "form": form,
            "rows": rows,
            "may_edit": self.may_edit(state.schedule),
            "may_decide": self.may_decide()
            and state.schedule.status in (SchoolSchedule.Status.SUBMITTED, SchoolSchedule.Status.APPROVED),
            "decision_form": ScheduleDecisionForm(),
            "is_municipal": self.may_decide(),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, campaign_code, school_code):
        state = services.schedule_state(schedule=self.schedule())
        form = ScheduleForm(state=state)
        return self.show(state=state, form=form, rows=form.rows())

    def post(self, request, campaign_code, school_code):
        if not self.can(C.SUBMIT_SCHEDULE, self.school):
            raise PermissionDenied
        if not self.may_edit(self.schedule()):
            messages.error(request, _("График отправлен или согласован: изменять его нельзя."))
            return redirect(request.path)
        schedule = services.schedule_get_or_create(campaign=self.campaign, school=self.school)
        form = ScheduleForm(request.POST, state=services.schedule_state(schedule=schedule))
        if not form.is_valid():
            return self.show(state=form.state, form=form, rows=form.rows())
        try:
            state = services.schedule_save(schedule=schedule, values=form.values(), actor=request.user)
        except ValidationError as error:
            # show every refusal next to its row, with the warnings of the values as typed
            warnings, confirmed = services.schedule_preview(state=form.state, values=form.values())
            row_errors = error.message_dict if hasattr(error, "error_dict") else {}
            if not row_errors:
                form.add_error(None, error)
            rows = form.rows(warnings=warnings, confirmed=confirmed, errors=row_errors)
            return self.show(state=form.state, form=form, rows=rows)
        if state.unconfirmed_count:
            messages.warning(
                request,
                _(
                    "График сохранён. Неподтверждённых предупреждений: {n} — отметьте их, чтобы отправить график."
                ).format(n=state.unconfirmed_count),
            )
        else:
            messages.success(request, _("График сохранён."))
        return redirect(request.path)


class ScheduleSubmitView(SchoolScheduleMixin, View):
    capability = C.SUBMIT_SCHEDULE

    def post(self, request, campaign_code, school_code):
        schedule = selectors.schedule_of(campaign=self.campaign, school=self.school)
        try:
            if schedule is None:
                raise ValidationError(_("Сначала задайте даты и уроки и сохраните график."))
            services.schedule_submit(schedule=schedule, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("График отправлен в управление на согласование."))
        return redirect("procedures:schedule", campaign_code=self.campaign.code, school_code=self.school.code)


class ScheduleBulkView(SchoolScheduleMixin, View):
    """The coordinator sets one date and lesson for several classes (or whole parallels) and one or several
    assessments at once; all or nothing, with the checks of the schedule page (`schedule_bulk_set`)."""

    capability = C.SUBMIT_SCHEDULE
    template_name = "procedures/schedules/schedule_bulk.html"

    def schedule_url(self) -> str:
        return reverse(
            "procedures:schedule", kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code}
        )

    def show(self, form, state):
        context = {"campaign": self.campaign, "school": self.school, "form": form, "state": state}
        return render(self.request, self.template_name, context)

    def editable_schedule(self) -> SchoolSchedule | None:
        schedule = selectors.schedule_of(campaign=self.campaign, school=self.school)
        if schedule is not None and not schedule.is_editable:
            messages.error(self.request, _("График отправлен или согласован: изменять его нельзя."))
            return None
        return schedule or services.schedule_get_or_create(campaign=self.campaign, school=self.school)

    def get(self, request, campaign_code, school_code):
        schedule = self.editable_schedule()
        if schedule is None:
            return redirect(self.schedule_url())
        state = services.schedule_state(schedule=schedule)
        return self.show(ScheduleBulkForm(state=state), state)

    def post(self, request, campaign_code, school_code):
        schedule = self.editable_schedule()
        if schedule is None:
            return redirect(self.schedule_url())
        state = services.schedule_state(schedule=schedule)
        form = ScheduleBulkForm(request.POST, state=state)
        if not form.is_valid():
            return self.show(form, state)
        try:
            count = services.schedule_bulk_set(schedule=schedule, actor=request.user, **form.chosen())
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.show(form, state)
        messages.success(
            request,
            ngettext(
                "Дата и урок заданы для %(n)d пары «класс — работа».",
                "Дата и урок заданы для %(n)d пар «класс — работа».",
                count,
            )
            % {"n": count},
        )
        return redirect(self.schedule_url())


class ScheduleDecisionView(SchoolScheduleMixin, View):
    capability = C.DECIDE_SCHEDULES

    def post(self, request, campaign_code, school_code):
        schedule = selectors.schedule_of(campaign=self.campaign, school=self.school)
        form = ScheduleDecisionForm(request.POST)
        if schedule is None or not form.is_valid():
            messages.error(request, _("Выберите решение."))
        else:
            decide = (
                services.schedule_approve
                if form.cleaned_data["decision"] == ScheduleDecisionForm.APPROVE
                else services.schedule_return
            )
            try:
                decide(schedule=schedule, actor=request.user, comment=form.cleaned_data["comment"])
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Решение по графику «{school}» записано.").format(school=self.school))
        return redirect("procedures:schedule", campaign_code=self.campaign.code, school_code=self.school.code)


class ScheduleListView(MunicipalMixin, ListView):
    """The department's list of the schools' schedules with their status."""

    template_name = "procedures/schedules/schedule_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.status = self.request.GET.get("status", "")
        if self.status not in dict(selectors.schedule_status_choices()):
            self.status = ""
        return selectors.schedule_statuses(campaign=self.campaign, status=self.status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            status=self.status,
            status_choices=selectors.schedule_status_choices(),
            status_names=dict(selectors.schedule_status_choices()),
        )
        return context


# Calendar --------------------------------------------------------------------------------------------------


class CalendarMixin:
    """The calendar of the municipality (department) or of one school (`self.school`, set by the school
    resolver)."""

    page_name = "procedures:calendar"

    def filters(self) -> selectors.CalendarFilter:
        return selectors.calendar_filter_from(
            self.request.GET, campaign=self.campaign, school=getattr(self, "school", None)
        )

    def url_kwargs(self) -> dict:
        school = getattr(self, "school", None)
        return {"campaign_code": self.campaign.code, **({"school_code": school.code} if school else {})}

    def document_title(self) -> str:
        school = getattr(self, "school", None)
        if school is not None:
            return _("График проведения ВПР: {school}, {campaign}").format(
                school=school.short_name, campaign=self.campaign.title
            )
        return _("Календарь проведения ВПР в муниципалитете, {campaign}").format(campaign=self.campaign.title)

    def filename(self, suffix: str) -> str:
        school = getattr(self, "school", None)
        return f"calendar-{self.campaign.code}{'-' + school.code if school else ''}.{suffix}"


class CalendarPage(CalendarMixin, ListView):
    template_name = "procedures/schedules/calendar.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.calendar_filter = self.filters()
        return selectors.calendar_entries(campaign=self.campaign, filters=self.calendar_filter)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            school=getattr(self, "school", None),
            filters=self.calendar_filter,
            choices=selectors.calendar_choices(self.campaign),
            query=self.request.GET.urlencode(),
            title=self.document_title(),
            xlsx_url=reverse(self.page_name + "_xlsx", kwargs=self.url_kwargs()),
            pdf_url=reverse(self.page_name + "_pdf", kwargs=self.url_kwargs()),
        )
        return context


class CalendarXlsx(CalendarMixin, View):
    def get(self, request, **kwargs):
        entries = selectors.calendar_entries(campaign=self.campaign, filters=self.filters())
        file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        selectors.calendar_xlsx(rows=selectors.calendar_rows(entries), title=self.document_title(), file=file)
        file.seek(0)
        return FileResponse(
            file,
            as_attachment=True,
            filename=self.filename("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class CalendarPdf(CalendarMixin, View):
    def get(self, request, **kwargs):
        filters = self.filters()
        entries = selectors.calendar_entries(campaign=self.campaign, filters=filters)
        if entries.count() > selectors.CALENDAR_PDF_MAX_ROWS:
            messages.error(
                request,
                _("В календаре больше {n} строк: сузьте отбор для PDF или выгрузите Excel.").format(
                    n=selectors.CALENDAR_PDF_MAX_ROWS
                ),
            )
            return redirect(f"{reverse(self.page_name, kwargs=self.url_kwargs())}?{request.GET.urlencode()}")
        generated = _("сформирован {when}").format(when=timezone.localtime().strftime("%d.%m.%Y %H:%M"))
        school = getattr(self, "school", None)
        pdf = selectors.calendar_pdf(
            rows=list(selectors.calendar_rows(entries)),
            title=self.document_title(),
            subtitle=" · ".join(part for part in (filters.as_text(), generated) if part),
            campaign=self.campaign,
            school=school,
            department=None if school else self.campaign.department,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename("pdf")}"'
        return response


class MunicipalCalendarView(MunicipalMixin, CalendarPage):
    pass


class MunicipalCalendarXlsxView(MunicipalMixin, CalendarXlsx):
    pass


class MunicipalCalendarPdfView(MunicipalMixin, CalendarPdf):
    pass


class SchoolCalendarView(SchoolScheduleMixin, CalendarPage):
    page_name = "procedures:school_calendar"


class SchoolCalendarXlsxView(SchoolScheduleMixin, CalendarXlsx):
    page_name = "procedures:school_calendar"


class SchoolCalendarPdfView(SchoolScheduleMixin, CalendarPdf):
    page_name = "procedures:school_calendar"


CAMPAIGN = "campaigns/<str:campaign_code>/"
SCHOOL = CAMPAIGN + "schools/<str:school_code>/"

urlpatterns = [
    path(CAMPAIGN + "assignments/", AssignmentOverviewView.as_view(), name="assignments"),
    path(CAMPAIGN + "assignments/import/", AssignmentImportView.as_view(), name="assignment_import"),
    path(SCHOOL + "assignments/", SchoolAssignmentsView.as_view(), name="school_assignments"),
    path(SCHOOL + "assignments/edit/", SchoolAssignmentsEditView.as_view(), name="school_assignments_edit"),
    path(CAMPAIGN + "schedules/", ScheduleListView.as_view(), name="schedule_list"),
    path(SCHOOL + "schedule/", ScheduleView.as_view(), name="schedule"),
    path(SCHOOL + "schedule/bulk/", ScheduleBulkView.as_view(), name="schedule_bulk"),
    path(SCHOOL + "schedule/submit/", ScheduleSubmitView.as_view(), name="schedule_submit"),
    path(SCHOOL + "schedule/decision/", ScheduleDecisionView.as_view(), name="schedule_decide"),
    path(CAMPAIGN + "calendar/", MunicipalCalendarView.as_view(), name="calendar"),
    path(CAMPAIGN + "calendar/xlsx/", MunicipalCalendarXlsxView.as_view(), name="calendar_xlsx"),
    path(CAMPAIGN + "calendar/pdf/", MunicipalCalendarPdfView.as_view(), name="calendar_pdf"),
    path(SCHOOL + "calendar/", SchoolCalendarView.as_view(), name="school_calendar"),
    path(SCHOOL + "calendar/xlsx/", SchoolCalendarXlsxView.as_view(), name="school_calendar_xlsx"),
    path(SCHOOL + "calendar/pdf/", SchoolCalendarPdfView.as_view(), name="school_calendar_pdf"),
]
