"""Staffing of the ВПР at a school (Регламент 4.3.1, 4.3.3, 6.4.6, 6.7, 7.3): the school coordinator and the
technical specialist (one each per campaign), organizers for each sitting room, experts for each assessment.

Every refusal is a ValidationError whose message names the person and the rule, in Russian:
- R1 and R5 for organizers, R3 and R5 for experts, R5 for the school coordinator and the technical specialist
  (the reasons are read by `selectors.rooms.organizer_refusals`, `expert_refusals` and `school_duty_refusals`,
  all of which read R5 through `close_relative_conflicts`; the pages show them next to the candidates);
- R2: removing an organizer from a room whose lists were released, leaving fewer than two, is refused (the
  release itself requires two, see `services.seating.sitting_room_release`);
- one person is not an organizer in two rooms at the same time.

Each appointment and removal leaves an audit entry.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procedures.models import Appointment, Assessment, Campaign, Sitting, SittingRoom
from procedures.selectors.rooms import expert_refusals, organizer_refusals, organizers_enough, school_duty_refusals
from schools.models import School, Staff, User
from schools.services import audit_record

SCHOOL_DUTIES = (Appointment.Duty.COORDINATOR, Appointment.Duty.TECHNICAL)


def _check_works_here(staff: Staff, school: School) -> None:
    if staff.school_id != school.pk or not staff.is_active:
        raise ValidationError(_("{name} не работает в этой школе.").format(name=staff.full_name))


def _audit(appointment: Appointment, *, actor: User, action: str, before=None, after=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=appointment,
        school=appointment.school,
        target_label=_("{name} — {duty}").format(name=appointment.staff.full_name, duty=appointment.get_duty_display()),
        before=before,
        after=after,
    )


@transaction.atomic
def school_duty_appoint(*, campaign: Campaign, school: School, staff: Staff, duty: str, actor: User) -> Appointment:
    """Appoints the school coordinator or the technical specialist of the campaign: one each, so appointing
    another person replaces the previous one. R5 keeps out whoever has a close relative among the participants."""
    if duty not in SCHOOL_DUTIES:
        raise ValueError(f"not a school-wide duty: {duty!r}")
    if school.department_id != campaign.department_id:
        raise ValidationError(_("Кампания проводится другим управлением образования."))
    _check_works_here(staff, school)
    current = (
        Appointment.objects.select_for_update()
        .filter(campaign=campaign, school=school, duty=duty)
        .select_related("staff")
        .first()
    )
    if current is not None and current.staff_id == staff.pk:
        return current
    reasons = school_duty_refusals(campaign=campaign, school=school, staff=[staff])[staff.pk]
    if reasons:
        raise ValidationError(reasons)
    if current is not None:
        before = {"staff": current.staff.full_name}
        current.staff = staff
        current.save(update_fields=["staff"])
        _audit(current, actor=actor, action="appointment.replaced", before=before, after={"staff": staff.full_name})
        return current
    appointment = Appointment.objects.create(campaign=campaign, school=school, staff=staff, duty=duty)
    _audit(appointment, actor=actor, action="appointment.created", after={"staff": staff.full_name, "duty": duty})
    return appointment


def _same_time_rooms(sitting: Sitting, staff: Staff, *, exclude: SittingRoom) -> list[str]:
    """Rooms where the person is already an organizer at the same date and lesson."""
    return list(
        Appointment.objects.filter(
            staff=staff,
            duty=Appointment.Duty.ORGANIZER,
            sitting_room__sitting__school_id=sitting.school_id,
            sitting_room__sitting__date=sitting.date,
            sitting_room__sitting__lesson=sitting.lesson,
        )
        .exclude(sitting_room=exclude)
        .values_list("sitting_room__room__name", flat=True)
    )


@transaction.atomic
def organizer_appoint(*, sitting_room: SittingRoom, staff: Staff, actor: User) -> Appointment:
    """Appoints an organizer to a sitting room, unless R1 or R5 keeps them out (or they are elsewhere then)."""
    sitting = sitting_room.sitting
    _check_works_here(staff, sitting.school)
    if Appointment.objects.filter(sitting_room=sitting_room, staff=staff, duty=Appointment.Duty.ORGANIZER).exists():
        raise ValidationError(
            _("{name} уже организатор в аудитории «{room}».").format(name=staff.full_name, room=sitting_room.room.name)
        )
    reasons = organizer_refusals(sitting_room=sitting_room, staff=[staff])[staff.pk]
    busy = _same_time_rooms(sitting, staff, exclude=sitting_room)
    if busy:
        reasons.append(
            _("{name} в это же время организатор в аудитории «{room}».").format(
                name=staff.full_name, room=", ".join(sorted(busy))
            )
        )
    if reasons:
        raise ValidationError(reasons)
    appointment = Appointment.objects.create(
        campaign=sitting.campaign,
        school=sitting.school,
        staff=staff,
        duty=Appointment.Duty.ORGANIZER,
        sitting_room=sitting_room,
    )
    _audit(
        appointment,
        actor=actor,
        action="appointment.created",
        after={"staff": staff.full_name, "duty": appointment.duty, "room": str(sitting_room)},
    )
    return appointment


@transaction.atomic
def expert_appoint(*, assessment: Assessment, school: School, staff: Staff, actor: User) -> Appointment:
    """Appoints an expert of an assessment at the school, unless R3 or R5 keeps them out."""
    if school.department_id != assessment.campaign.department_id:
        raise ValidationError(_("Кампания проводится другим управлением образования."))
    _check_works_here(staff, school)
    if Appointment.objects.filter(
        campaign=assessment.campaign, school=school, staff=staff, duty=Appointment.Duty.EXPERT, assessment=assessment
    ).exists():
        raise ValidationError(_("{name} уже эксперт работы «{work}».").format(name=staff.full_name, work=assessment))
    reasons = expert_refusals(assessment=assessment, school=school, staff=[staff])[staff.pk]
    if reasons:
        raise ValidationError(reasons)
    appointment = Appointment.objects.create(
        campaign=assessment.campaign, school=school, staff=staff, duty=Appointment.Duty.EXPERT, assessment=assessment
    )
    _audit(
        appointment,
        actor=actor,
        action="appointment.created",
        after={"staff": staff.full_name, "duty": appointment.duty, "assessment": assessment.code},
    )
    return appointment


@transaction.atomic
def appointment_remove(*, appointment: Appointment, actor: User) -> None:
    """Withdraws an appointment. An organizer of a room whose lists were released stays while the room would
    be left with fewer than two (R2): appoint the replacement first."""
    if appointment.duty == Appointment.Duty.ORGANIZER:
        sitting_room = (
            SittingRoom.objects.select_for_update().select_related("room").get(pk=appointment.sitting_room_id)
        )
        remaining = sitting_room.organizers.filter(duty=Appointment.Duty.ORGANIZER).exclude(pk=appointment.pk).count()
        if sitting_room.released_at is not None and not organizers_enough(remaining):
            raise ValidationError(
                _(
                    "Нельзя снять {name}: списки аудитории «{room}» уже переданы организаторам, и в ней останется "
                    "организаторов: {n}. В аудитории должно быть не менее двух организаторов (Регламент 6.4.6) — "
                    "сначала назначьте замену."
                ).format(name=appointment.staff.full_name, room=sitting_room.room.name, n=remaining)
            )
    before = {"staff": appointment.staff.full_name, "duty": appointment.duty}
    if appointment.sitting_room_id:
        before["room"] = str(appointment.sitting_room)
    if appointment.assessment_id:
        before["assessment"] = appointment.assessment.code
    _audit(appointment, actor=actor, action="appointment.removed", before=before)
    appointment.delete()
