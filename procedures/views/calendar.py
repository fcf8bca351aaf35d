"""The working calendar: the department sees a year's holidays and transfers and enters the Government's
decree (transferred days off, working Saturdays); the schedules' warnings and the re-check's working days
follow it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures.forms_calendar import CalendarDayForm, YearForm
from procedures.models import CalendarDay
from procedures.selectors import calendar as selectors
from procedures.services import calendar as services
from schools.access import Capability as C
from schools.access import CapabilityMixin, department_ids_with
from schools.models import Department
from vpr_portal.access import get_scoped_or_404


def _department(user) -> Department | None:
    return Department.objects.filter(pk__in=department_ids_with(user, C.KEEP_WORKING_CALENDAR)).first()


def _year_url(year: int) -> str:
    return "{}?year={}".format(reverse("procedures:working_calendar"), year)


class WorkingCalendarView(CapabilityMixin, TemplateView):
    capability = C.KEEP_WORKING_CALENDAR
    template_name = "procedures/calendar/working_calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = YearForm(self.request.GET)
        year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
        context.update(
            year=year,
            lines=selectors.year_lines(year),
            form=kwargs.get("form") or CalendarDayForm(initial={"kind": CalendarDay.Kind.DAY_OFF}),
            may_edit=self.can(C.KEEP_WORKING_CALENDAR),
        )
        return context


class CalendarDayAddView(CapabilityMixin, View):
    capability = C.KEEP_WORKING_CALENDAR

    def post(self, request):
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(_year_url(timezone.localdate().year))
        try:
            day = services.calendar_day_add(
                **form.cleaned_data, actor=request.user, department=_department(request.user)
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_year_url(form.cleaned_data["date"].year))
        messages.success(
            request, _("{date}: {name} — внесено.").format(date=date_format(day.date, "d.m.Y"), name=day.name)
        )
        return redirect(_year_url(day.date.year))


class CalendarDayRemoveView(CapabilityMixin, View):
    capability = C.KEEP_WORKING_CALENDAR

    def resolve(self, **kwargs) -> None:
        self.day = get_scoped_or_404(CalendarDay.objects.all(), pk=kwargs["pk"])

    def post(self, request, pk):
        day = self.day
        services.calendar_day_remove(day=day, actor=request.user, department=_department(request.user))
        messages.success(request, _("{date}: перенос удалён.").format(date=date_format(day.date, "d.m.Y")))
        return redirect(_year_url(day.date.year))


urlpatterns = [
    path("working-calendar/", WorkingCalendarView.as_view(), name="working_calendar"),
    path("working-calendar/add/", CalendarDayAddView.as_view(), name="working_calendar_add"),
    path("working-calendar/<int:pk>/remove/", CalendarDayRemoveView.as_view(), name="working_calendar_remove"),
]
