"""The department's assignments and lotteries (MANAGE_OBSERVERS), and the school's list of who comes with the
coordinator's placing (VIEW_OBSERVATION, PLACE_OBSERVERS)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from monitoring import assignments as service
from monitoring.forms_registry import AssignForm, CancelForm, LotteryForm, PlaceForm
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin
from vpr_portal.access import get_scoped_or_404
from vpr_portal.params import id_param


def _date_param(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def _day_url(date) -> str:
    return reverse("monitoring:observation_day") + f"?date={date.isoformat()}"


class ObservationDayView(CapabilityMixin, TemplateView):
    """A day of the municipality's sittings: each with who is sent there, a form to send one more, and the day's
    lottery; the days with sittings to choose from."""

    capability = C.MANAGE_OBSERVERS
    template_name = "monitoring/assignments/day.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        dates = service.sitting_dates(user)
        date = _date_param(self.request.GET.get("date", ""))
        if date is None:
            today = timezone.localdate()
            date = next((d for d in dates if d >= today), dates[-1] if dates else today)
        page = Paginator(service.day_sittings(user, date), settings.PAGE_SIZE).get_page(self.request.GET.get("page"))
        persons = service.persons_managed_by(user).filter(is_active=True).select_related("user")
        persons = persons.order_by("user__last_name", "user__first_name", "user__middle_name", "pk")
        rows = [(sitting, service.starts_local(sitting)) for sitting in page.object_list]
        for sitting, _starts in rows:
            for assignment in sitting.in_force:
                assignment.stage_short = service.STAGE_SHORT[assignment.stage]
        return super().get_context_data(
            date=date,
            dates=dates,
            rows=rows,
            page_obj=page,
            persons=list(persons),
            stages=list(service.STAGE_SHORT.items()),
            lottery_form=LotteryForm(initial={"date": date}),
            lotteries=service.lotteries_managed_by(user).filter(date=date),
            **kwargs,
        )


class AssignView(CapabilityMixin, View):
    """Sends a person to a sitting for a stage, or says in Russian why not (nothing written then)."""

    capability = C.MANAGE_OBSERVERS

    def post(self, request):
        sitting = get_scoped_or_404(
            service.sittings_managed_by(request.user).select_related("school", "assessment", "campaign"),
            pk=id_param(request.POST, "sitting"),
        )
        form = AssignForm(request.POST, persons=service.persons_managed_by(request.user).filter(is_active=True))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = _day_url(sitting.date)
        if not form.is_valid():
            messages.error(request, _("Выберите, кого и на какой этап направить."))
            return redirect(back)
        try:
            service.assign(
                person=form.cleaned_data["person"],
                sitting=sitting,
                stage=form.cleaned_data["stage"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, _("Направить нельзя: {reasons}").format(reasons=" ".join(error.messages)))
        else:
            messages.success(
                request, _("Направлен(а): {name}.").format(name=form.cleaned_data["person"].user.full_name)
            )
        return redirect(back)


class AssignmentCancelView(CapabilityMixin, View):
    """Cancels an assignment with a reason (the row is kept)."""

    capability = C.MANAGE_OBSERVERS

    def resolve(self, **kwargs) -> None:
        self.assignment = get_scoped_or_404(
            service.assignments_managed_by(self.viewer).select_related(
                "person__user", "sitting__school", "sitting__assessment"
            ),
            pk=kwargs["pk"],
        )

    def get(self, request, pk):
        return render(
            request, "monitoring/assignments/cancel.html", {"assignment": self.assignment, "form": CancelForm()}
        )

    def post(self, request, pk):
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                service.assignment_cancel(
                    assignment=self.assignment, reason=form.cleaned_data["reason"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            context = {"assignment": self.assignment, "form": form}
            return render(request, "monitoring/assignments/cancel.html", context, status=400)
        messages.success(request, _("Направление отменено."))
        return redirect(_day_url(self.assignment.sitting.date))


class LotteryDrawView(CapabilityMixin, View):
    """Draws the sittings to observe among a day's sittings and records the draw."""

    capability = C.MANAGE_OBSERVERS

    def post(self, request):
        form = LotteryForm(request.POST)
        department = service.managed_departments(request.user).first()
        if not form.is_valid() or department is None:
            messages.error(request, _("Укажите день и сколько проведений выбрать."))
            return redirect("monitoring:observation_day")
        data = form.cleaned_data
        try:
            lottery = service.lottery_draw(
                department=department,
                date=data["date"],
                count=data["count"],
                stage=data["stage"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_day_url(data["date"]))
        return redirect("monitoring:lottery", lottery.pk)


class LotteryMixin(CapabilityMixin):
    capability = C.MANAGE_OBSERVERS

    def resolve(self, **kwargs) -> None:
        self.lottery = get_scoped_or_404(service.lotteries_managed_by(self.viewer), pk=kwargs["pk"])


class LotteryView(LotteryMixin, TemplateView):
    """A recorded lottery: its candidates, seed and drawn sittings, with who is sent to each."""

    template_name = "monitoring/assignments/lottery.html"

    def get_context_data(self, **kwargs):
        lottery = self.lottery
        persons = service.persons_managed_by(self.request.user).filter(is_active=True).select_related("user")
        return super().get_context_data(
            lottery=lottery,
            drawn=[(sitting, service.starts_local(sitting)) for sitting in service.lottery_sittings(lottery)],
            candidates=service.lottery_candidate_sittings(lottery),
            reproduced=service.lottery_reproduces(lottery),
            persons=list(persons.order_by("user__last_name", "user__first_name", "pk")),
            **kwargs,
        )


class LotteryAutoAssignView(LotteryMixin, View):
    """Sends the registry's observers to the drawn sittings without anybody, round robin by name."""

    def post(self, request, pk):
        made = service.lottery_auto_assign(lottery=self.lottery, actor=request.user)
        if made:
            messages.success(request, _("Направлено наблюдателей: {n}.").format(n=len(made)))
        else:
            messages.warning(request, _("Никого направить не удалось: нет свободных наблюдателей без конфликтов."))
        return redirect("monitoring:lottery", self.lottery.pk)


class SchoolObserversView(SchoolMixin, TemplateView):
    """Who comes to the school (name, organisation, document to check at the door, stage) per sitting; the
    coordinator places each in a room, the director reads."""

    capability = C.VIEW_OBSERVATION
    template_name = "monitoring/assignments/school.html"

    def get_context_data(self, **kwargs):
        show_past = self.request.GET.get("past") == "1"
        date_from = None if show_past else timezone.localdate()
        observations = list(service.school_observations(self.school, date_from=date_from))
        may_place = self.can(C.PLACE_OBSERVERS, self.school)
        rows = [
            (
                observation,
                service.starts_local(observation.sitting),
                PlaceForm(
                    initial={"sitting_room": observation.sitting_room_id},
                    rooms=observation.sitting.rooms.all(),
                    prefix=f"a{observation.pk}",
                )
                if may_place
                else None,
            )
            for observation in observations
        ]
        return super().get_context_data(rows=rows, may_place=may_place, show_past=show_past, **kwargs)


class ObserverPlaceView(SchoolMixin, View):
    """The coordinator places an observer sent to the school in one of the sitting's rooms."""

    capability = C.PLACE_OBSERVERS

    def resolve(self, **kwargs) -> None:
        self.observation = get_scoped_or_404(
            service.school_observations(self.school).select_related("sitting__school"), pk=kwargs["pk"]
        )

    def post(self, request, school_code, pk):
        observation = self.observation
        form = PlaceForm(request.POST, rooms=observation.sitting.rooms.all(), prefix=f"a{observation.pk}")
        back = reverse("monitoring:school_observers", args=[self.school.code])
        if not form.is_valid():
            messages.error(request, _("Выберите аудиторию этого проведения."))
            return redirect(back)
        try:
            service.observer_place(
                assignment=observation, sitting_room=form.cleaned_data["sitting_room"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Размещение сохранено."))
        return redirect(back)
