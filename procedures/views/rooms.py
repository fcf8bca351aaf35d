"""Rooms, sittings, seating, staffing and the release of room lists (Регламент 4.3.3, 6.4.5–6.4.8, 6.7, 7.3).

The school coordinator keeps the rooms, staffs the campaign, chooses rooms per sitting, seats the participants
and releases each room's lists to its organizers; the director reads all of it; the technical specialist also
prints the room documents. Organizers read their own rooms' lists (codes, no names) once released (R9).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procedures import access
from procedures.forms_rooms import (
    ExpertForm,
    RoomForm,
    SchoolDutyForm,
    SeatMoveForm,
    SittingRoomsForm,
    SittingStartForm,
    StaffForm,
)
from procedures.models import Appointment, Room
from procedures.selectors import rooms as selectors
from procedures.services import seating, staffing
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin, assigned_to
from vpr_portal.access import get_scoped_or_404


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class MayEditMixin:
    def may_edit(self) -> bool:
        return self.can(C.PREPARE_ROOMS, self.school)


# Rooms -----------------------------------------------------------------------------------------------------


class RoomListView(MayEditMixin, SchoolMixin, View):
    """The school's rooms; the coordinator adds one here."""

    capability = C.VIEW_ROOMS
    template_name = "procedures/rooms/room_list.html"

    def show(self, form):
        context = {"school": self.school, "rooms": selectors.rooms_of(self.school), "form": form}
        return render(self.request, self.template_name, {**context, "may_edit": self.may_edit()})

    def get(self, request, school_code):
        return self.show(RoomForm() if self.may_edit() else None)

    def post(self, request, school_code):
        if not self.may_edit():
            return self.show(None)
        form = RoomForm(request.POST, instance=Room(school=self.school))
        if form.is_valid():
            try:
                room = seating.room_save(room=form.instance, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Аудитория «{room}» добавлена.").format(room=room.name))
                return redirect("procedures:rooms", school_code=self.school.code)
        return self.show(form)


class RoomEditView(SchoolMixin, View):
    capability = C.PREPARE_ROOMS
    template_name = "procedures/rooms/room_form.html"

    def resolve(self, **kwargs) -> None:
        self.room = get_scoped_or_404(self.school.rooms.all(), pk=kwargs["pk"])

    def show(self, form, room):
        return render(self.request, self.template_name, {"school": self.school, "form": form, "room": room})

    def get(self, request, school_code, pk):
        return self.show(RoomForm(instance=self.room), self.room)

    def post(self, request, school_code, pk):
        room = self.room
        form = RoomForm(request.POST, instance=room)
        if form.is_valid():
            try:
                seating.room_save(room=form.instance, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Аудитория «{room}» сохранена.").format(room=room.name))
                return redirect("procedures:rooms", school_code=self.school.code)
        return self.show(form, get_scoped_or_404(self.school.rooms.all(), pk=pk))  # as stored, not as typed


class RoomDeleteView(SchoolMixin, View):
    capability = C.PREPARE_ROOMS

    def resolve(self, **kwargs) -> None:
        self.room = get_scoped_or_404(self.school.rooms.all(), pk=kwargs["pk"])

    def post(self, request, school_code, pk):
        room = self.room
        try:
            seating.room_delete(room=room, actor=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Аудитория «{room}» удалена.").format(room=room.name))
        return redirect("procedures:rooms", school_code=self.school.code)


# Staffing --------------------------------------------------------------------------------------------------


class SchoolCampaignMixin(MayEditMixin, access.SchoolCampaignMixin):
    def staffing_url(self) -> str:
        return reverse(
            "procedures:staffing", kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code}
        )

    def sittings_url(self) -> str:
        return reverse(
            "procedures:sittings", kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code}
        )


class StaffingView(SchoolCampaignMixin, TemplateView):
    """Coordinator, technical specialist and experts of the campaign, with who may not be an expert and why;
    organizers are appointed on each sitting room's page."""

    capability = C.VIEW_ROOMS
    template_name = "procedures/rooms/staffing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff = list(selectors.school_staff(self.school))
        assessments = selectors.school_assessments(campaign=self.campaign, school=self.school)
        refusals = selectors.expert_refusals_by_assessment(assessments=assessments, school=self.school, staff=staff)
        appointed = selectors.staffing_of(campaign=self.campaign, school=self.school)
        duty_refusals = selectors.school_duty_refusals(campaign=self.campaign, school=self.school, staff=staff)
        context.update(
            may_edit=self.may_edit(),
            staffing=appointed,
            duty_refused=[c for c in selectors.candidates(staff, duty_refusals) if c.refusals],
            works=[
                (
                    a,
                    appointed.experts.get(a.pk, []),
                    [c for c in selectors.candidates(staff, refusals[a.pk]) if c.refusals],
                )
                for a in assessments
            ],
            staff=staff,
            duties=[
                (
                    Appointment.Duty.COORDINATOR,
                    appointed.coordinator,
                    Appointment.Duty.COORDINATOR.label,
                    duty_refusals.get(appointed.coordinator.staff_id, []) if appointed.coordinator else [],
                ),
                (
                    Appointment.Duty.TECHNICAL,
                    appointed.technical,
                    Appointment.Duty.TECHNICAL.label,
                    duty_refusals.get(appointed.technical.staff_id, []) if appointed.technical else [],
                ),
            ],
            organizer_rows=[
                (summary.sitting, room, appointed.organizers.get(room.sitting_room.pk, []))
                for summary in selectors.sitting_summaries(campaign=self.campaign, school=self.school)
                for room in summary.rooms
            ],
        )
        return context


class SchoolDutyAppointView(SchoolCampaignMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code):
        form = SchoolDutyForm(request.POST, staff=selectors.school_staff(self.school))
        if not form.is_valid():
            messages.error(request, _("Выберите сотрудника."))
            return redirect(self.staffing_url())
        try:
            appointment = staffing.school_duty_appoint(
                campaign=self.campaign,
                school=self.school,
                staff=form.cleaned_data["staff"],
                duty=form.cleaned_data["duty"],
                actor=request.user,
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("{name}: {duty}.").format(name=appointment.staff.full_name, duty=appointment.get_duty_display()),
            )
        return redirect(self.staffing_url())


class ExpertAppointView(SchoolCampaignMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code):
        form = ExpertForm(
            request.POST, staff=selectors.school_staff(self.school), assessments=self.campaign.assessments.all()
        )
        if not form.is_valid():
            messages.error(request, _("Выберите работу и сотрудника."))
            return redirect(self.staffing_url())
        try:
            appointment = staffing.expert_appoint(
                assessment=form.cleaned_data["assessment"],
                school=self.school,
                staff=form.cleaned_data["staff"],
                actor=request.user,
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("{name} — эксперт работы «{work}».").format(
                    name=appointment.staff.full_name, work=appointment.assessment
                ),
            )
        return redirect(self.staffing_url())


class AppointmentRemoveView(SchoolCampaignMixin, View):
    capability = C.PREPARE_ROOMS

    def resolve(self, **kwargs) -> None:
        appointments = Appointment.objects.filter(campaign=self.campaign, school=self.school).select_related(
            "staff", "sitting_room__room", "assessment__subject"
        )
        self.appointment = get_scoped_or_404(appointments, pk=kwargs["pk"])

    def post(self, request, campaign_code, school_code, pk):
        appointment = self.appointment
        try:
            staffing.appointment_remove(appointment=appointment, actor=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Назначение снято: {name}.").format(name=appointment.staff.full_name))
        if appointment.sitting_room_id:
            return redirect(
                "procedures:sitting_room",
                campaign_code=self.campaign.code,
                school_code=self.school.code,
                pk=appointment.sitting_room_id,
            )
        return redirect(self.staffing_url())


# Sittings --------------------------------------------------------------------------------------------------


class SittingsView(SchoolCampaignMixin, TemplateView):
    """Every sitting of the school: classes, start, rooms, seating, organizers and the release of the lists."""

    capability = C.VIEW_ROOMS
    template_name = "procedures/rooms/sittings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            may_edit=self.may_edit(),
            summaries=selectors.sitting_summaries(campaign=self.campaign, school=self.school),
            schedule_status=selectors.schedule_status(campaign=self.campaign, school=self.school),
            bell_table=sorted(seating.LESSON_STARTS.items()),
        )
        return context


class SittingsSyncView(SchoolCampaignMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code):
        result = seating.sittings_sync(campaign=self.campaign, school=self.school, actor=request.user)
        messages.success(
            request,
            _("Проведения сверены с графиком: добавлено {created}, удалено {removed}.").format(
                created=result.created, removed=result.removed
            ),
        )
        for sitting in result.kept:
            messages.warning(
                request,
                _("«{sitting}» больше нет в графике, но списки его аудиторий уже переданы: отзовите передачу.").format(
                    sitting=sitting
                ),
            )
        return redirect(self.sittings_url())


class SittingMixin(SchoolCampaignMixin):
    def resolve(self, **kwargs) -> None:
        self.sitting = get_scoped_or_404(
            selectors.sittings_of(campaign=self.campaign, school=self.school), pk=kwargs["pk"]
        )

    def sitting_url(self, sitting) -> str:
        return reverse(
            "procedures:sitting",
            kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code, "pk": sitting.pk},
        )


class SittingView(SittingMixin, TemplateView):
    capability = C.VIEW_ROOMS
    template_name = "procedures/rooms/sitting.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sitting = self.sitting
        summary = next(
            s for s in selectors.sitting_summaries(campaign=self.campaign, school=self.school) if s.sitting == sitting
        )
        chosen = [r.sitting_room.room for r in summary.rooms]
        rooms = self.school.rooms.filter(is_active=True) | self.school.rooms.filter(pk__in=[r.pk for r in chosen])
        local_start = timezone.localtime(sitting.starts_at, self.school.tzinfo) if sitting.starts_at else None
        context.update(
            may_edit=self.may_edit(),
            sitting=sitting,
            summary=summary,
            start_form=SittingStartForm(initial={"start_time": local_start.time() if local_start else None}),
            rooms_form=SittingRoomsForm(rooms=rooms.distinct().order_by("name"), initial={"rooms": chosen}),
            unseated=list(selectors.unseated_participants(sitting).select_related("pupil")[:200]),
            local_start=local_start,
            due=timezone.localtime(summary.due, self.school.tzinfo) if summary.due else None,
        )
        return context


class SittingStartView(SittingMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting = self.sitting
        form = SittingStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Укажите время начала."))
            return redirect(self.sitting_url(sitting))
        try:
            seating.sitting_set_start(sitting=sitting, starts_at=form.starts_at(sitting), actor=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Время начала сохранено."))
        return redirect(self.sitting_url(sitting))


class SittingRoomsView(SittingMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting = self.sitting
        form = SittingRoomsForm(request.POST, rooms=self.school.rooms.all())
        if not form.is_valid():
            messages.error(request, _("Выберите аудитории из списка."))
            return redirect(self.sitting_url(sitting))
        try:
            seating.sitting_rooms_set(sitting=sitting, rooms=list(form.cleaned_data["rooms"]), actor=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Аудитории сохранены."))
        return redirect(self.sitting_url(sitting))


class SittingSeatView(SittingMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting = self.sitting
        try:
            result = seating.sitting_seat(sitting=sitting, actor=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("Рассадка выполнена: рассажено {seated}, изменено мест {changed}.").format(
                    seated=result.seated, changed=result.changed
                ),
            )
        return redirect(self.sitting_url(sitting))


# One sitting room ------------------------------------------------------------------------------------------


class SittingRoomMixin(SchoolCampaignMixin):
    def resolve(self, **kwargs) -> None:
        self.sitting_room = get_scoped_or_404(
            selectors.sitting_rooms_of(self.school).filter(sitting__campaign=self.campaign), pk=kwargs["pk"]
        )

    def room_url(self, sitting_room) -> str:
        return reverse(
            "procedures:sitting_room",
            kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code, "pk": sitting_room.pk},
        )


class SittingRoomView(SittingRoomMixin, TemplateView):
    """A room of a sitting: its seating plan and list, organizers (R1, R2, R5), warnings and the release (R9)."""

    capability = C.VIEW_ROOMS
    template_name = "procedures/rooms/sitting_room.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sitting_room = self.sitting_room
        sitting = sitting_room.sitting
        seats = selectors.seats_of(sitting_room, with_names=True)
        organizers = selectors.organizers_of(sitting_room)
        release = selectors.release_of(sitting_room)
        staff = list(selectors.school_staff(self.school))
        refusals = selectors.organizer_refusals(sitting_room=sitting_room, staff=staff)
        context.update(
            may_edit=self.may_edit(),
            sitting_room=sitting_room,
            sitting=sitting,
            seats=selectors.room_list(seats),
            plan=selectors.room_plan(sitting_room.room, seats),
            organizers=organizers,
            release=release,
            tz=self.school.tzinfo,
            warnings=selectors.room_warnings(
                sitting_room=sitting_room, organizers=organizers, seats=seats, release=release
            ),
            staff=staff,
            refused=[c for c in selectors.candidates(staff, refusals) if c.refusals],
            participants=list(
                selectors.sitting_participants(sitting).select_related("pupil").order_by("class_name", "code", "id")
            ),
            sitting_rooms=list(sitting.rooms.select_related("room").order_by("room__name")),
            show_names=True,
        )
        return context


class OrganizerAddView(SittingRoomMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting_room = self.sitting_room
        form = StaffForm(request.POST, staff=selectors.school_staff(self.school))
        if not form.is_valid():
            messages.error(request, _("Выберите сотрудника."))
            return redirect(self.room_url(sitting_room))
        try:
            appointment = staffing.organizer_appoint(
                sitting_room=sitting_room, staff=form.cleaned_data["staff"], actor=request.user
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("{name} — организатор в аудитории «{room}».").format(
                    name=appointment.staff.full_name, room=sitting_room.room.name
                ),
            )
        return redirect(self.room_url(sitting_room))


class SeatMoveView(SittingRoomMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting_room = self.sitting_room
        sitting = sitting_room.sitting
        form = SeatMoveForm(
            request.POST,
            participants=selectors.sitting_participants(sitting),
            sitting_rooms=sitting.rooms.select_related("room", "sitting__school"),
        )
        if not form.is_valid():
            messages.error(request, _("Выберите участника, аудиторию, ряд и место."))
            return redirect(self.room_url(sitting_room))
        data = form.cleaned_data
        try:
            seating.seat_move(
                participant=data["participant"],
                sitting_room=data["sitting_room"],
                row=data["row"],
                column=data["column"],
                actor=request.user,
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Участник пересажен."))
        return redirect(self.room_url(sitting_room))


class ReleaseView(SittingRoomMixin, View):
    capability = C.PREPARE_ROOMS

    def post(self, request, campaign_code, school_code, pk):
        sitting_room = self.sitting_room
        try:
            if request.POST.get("action") == "recall":
                seating.sitting_room_recall(sitting_room=sitting_room, actor=request.user)
                messages.success(request, _("Передача списков отозвана."))
            else:
                released = seating.sitting_room_release(sitting_room=sitting_room, actor=request.user)
                if selectors.release_of(released).is_late:
                    messages.warning(
                        request,
                        _(
                            "Списки переданы организаторам позже срока — меньше чем за 10 минут до начала "
                            "(Регламент 6.4.8)."
                        ),
                    )
                else:
                    messages.success(request, _("Списки аудитории переданы организаторам."))
        except ValidationError as error:
            _refused(request, error)
        return redirect(self.room_url(sitting_room))


class RoomListPdfView(SittingRoomMixin, View):
    capability = C.PRINT_MATERIALS

    def get(self, request, campaign_code, school_code, pk):
        sitting_room = self.sitting_room
        return _pdf(selectors.room_list_pdf(sitting_room), f"room-list-{sitting_room.pk}.pdf")


class RoomPlanPdfView(SittingRoomMixin, View):
    capability = C.PRINT_MATERIALS

    def get(self, request, campaign_code, school_code, pk):
        sitting_room = self.sitting_room
        return _pdf(selectors.room_plan_pdf(sitting_room), f"room-plan-{sitting_room.pk}.pdf")


# The organizer's room --------------------------------------------------------------------------------------


class MyRoomView(CapabilityMixin, TemplateView):
    """An organizer's room: its list (codes, classes, variants — no names) and seating plan once the
    coordinator released them (R9); before that, when they are due."""

    capability = C.WORK_IN_ROOM
    template_name = "procedures/rooms/my_room.html"

    def resolve(self, **kwargs) -> None:
        self.sitting_room = get_scoped_or_404(assigned_to(self.viewer, "rooms"), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sitting_room = self.sitting_room
        release = selectors.release_of(sitting_room)
        seats = selectors.seats_of(sitting_room) if release.is_released else []
        context.update(
            sitting_room=sitting_room,
            sitting=sitting_room.sitting,
            release=release,
            tz=sitting_room.sitting.school.tzinfo,
            seats=selectors.room_list(seats),
            plan=selectors.room_plan(sitting_room.room, seats) if release.is_released else [],
            organizers=selectors.organizers_of(sitting_room),
            show_names=False,
        )
        return context


class MyReleasedRoomMixin(CapabilityMixin):
    """One of the organizer's rooms whose lists were released to them (R9); 404 before that."""

    capability = C.WORK_IN_ROOM

    def resolve(self, **kwargs) -> None:
        self.sitting_room = get_scoped_or_404(
            assigned_to(self.viewer, "rooms").filter(released_at__isnull=False), pk=kwargs["pk"]
        )


class MyRoomListPdfView(MyReleasedRoomMixin, View):
    def get(self, request, pk):
        return _pdf(selectors.room_list_pdf(self.sitting_room), f"room-list-{self.sitting_room.pk}.pdf")


class MyRoomPlanPdfView(MyReleasedRoomMixin, View):
    def get(self, request, pk):
        return _pdf(selectors.room_plan_pdf(self.sitting_room), f"room-plan-{self.sitting_room.pk}.pdf")


ROOMS = "schools/<str:school_code>/rooms/"
SCHOOL = "campaigns/<str:campaign_code>/schools/<str:school_code>/"
SITTING = SCHOOL + "sittings/<int:pk>/"
SITTING_ROOM = SCHOOL + "sitting-rooms/<int:pk>/"

urlpatterns = [
    path(ROOMS, RoomListView.as_view(), name="rooms"),
    path(ROOMS + "<int:pk>/", RoomEditView.as_view(), name="room_edit"),
    path(ROOMS + "<int:pk>/delete/", RoomDeleteView.as_view(), name="room_delete"),
    path(SCHOOL + "staffing/", StaffingView.as_view(), name="staffing"),
    path(SCHOOL + "staffing/duty/", SchoolDutyAppointView.as_view(), name="school_duty_appoint"),
    path(SCHOOL + "staffing/experts/", ExpertAppointView.as_view(), name="expert_appoint"),
    path(SCHOOL + "appointments/<int:pk>/remove/", AppointmentRemoveView.as_view(), name="appointment_remove"),
    path(SCHOOL + "sittings/", SittingsView.as_view(), name="sittings"),
    path(SCHOOL + "sittings/sync/", SittingsSyncView.as_view(), name="sittings_sync"),
    path(SITTING, SittingView.as_view(), name="sitting"),
    path(SITTING + "start/", SittingStartView.as_view(), name="sitting_start"),
    path(SITTING + "rooms/", SittingRoomsView.as_view(), name="sitting_rooms"),
    path(SITTING + "seat/", SittingSeatView.as_view(), name="sitting_seat"),
    path(SITTING_ROOM, SittingRoomView.as_view(), name="sitting_room"),
    path(SITTING_ROOM + "organizers/", OrganizerAddView.as_view(), name="organizer_add"),
    path(SITTING_ROOM + "move/", SeatMoveView.as_view(), name="seat_move"),
    path(SITTING_ROOM + "release/", ReleaseView.as_view(), name="sitting_room_release"),
    path(SITTING_ROOM + "list.pdf", RoomListPdfView.as_view(), name="sitting_room_list_pdf"),
    path(SITTING_ROOM + "plan.pdf", RoomPlanPdfView.as_view(), name="sitting_room_plan_pdf"),
    path("rooms/mine/<int:pk>/", MyRoomView.as_view(), name="my_room"),
    path("rooms/mine/<int:pk>/list.pdf", MyRoomListPdfView.as_view(), name="my_room_list_pdf"),
    path("rooms/mine/<int:pk>/plan.pdf", MyRoomPlanPdfView.as_view(), name="my_room_plan_pdf"),
]
