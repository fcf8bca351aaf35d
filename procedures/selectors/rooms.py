"""Reads for rooms, sittings, seating, staffing and the release of room lists (Регламент 4.3.3, 6.4.5–6.4.8, 6.7,
7.3). The views have scoped the school already (procedures.access): outside scope is 404 before these run,
except the organizer's reads, which start from the user (`organizer_sitting_rooms`).

Who may not be appointed, and why, is read here too (`organizer_refusals`, `expert_refusals`): the services
refuse with these messages and the pages show them next to the candidates.

- R1: an organizer does not teach in any class seated in the room (before seating: in any class of the sitting)
  and does not teach the assessment's subject; for primary-grade works (grade ≤ 4) teaching «Начальные классы»
  counts as teaching the subject. Teaching is read from TeachingLoad.
- R3: an expert is of the administration, or has ≥ 3 years in the subject (StaffSubject) or, for primary-grade
  works, in «Начальные классы».
- R5: a staff member with a declared close relative among the pupils who write the assessment — its participants
  (any school) or, before participants exist, the pupils of the school's classes assigned to it — neither
  conducts nor checks it. The school coordinator and the technical specialist conduct every work of the school,
  so a relative writing any of them keeps them out. One function reads it for every duty:
  `close_relative_conflicts`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procedures.models import (
    Appointment,
    Assessment,
    Campaign,
    Participant,
    Room,
    ScheduleEntry,
    SchoolSchedule,
    Seat,
    Sitting,
    SittingRoom,
)
from procedures.selectors.schedules import assigned_works
from schools.classes import class_name_ordering, class_names_text, class_sort_key
from schools.models import DeclaredRelative, Role, School, SchoolClass, Staff, StaffSubject, Subject, TeachingLoad, User

PRIMARY_MAX_GRADE = 4  # works of grades 1–4 are «primary-grade works» (R1, R3)
EXPERT_MIN_YEARS = 3  # R3
MIN_ORGANIZERS = 2  # R2
# R9: the lists reach the organizers no later than 10 minutes before the start (Регламент 6.4.8).
RELEASE_LEAD = datetime.timedelta(minutes=10)


def is_primary(assessment: Assessment) -> bool:
    return assessment.grade <= PRIMARY_MAX_GRADE


def organizers_enough(count: int) -> bool:
    """R2 (Регламент 6.4.6): a room has at least two organizers. The release of the lists, the removal of an
    organizer from a released room, the room's warnings and the plan-graph stage «аудитории и рассадка
    готовы» all ask this."""
    return count >= MIN_ORGANIZERS


def _class_names(names: Iterable[str]) -> str:
    return class_names_text(names)


# Rooms -----------------------------------------------------------------------------------------------------


def rooms_of(school: School) -> QuerySet[Room]:
    """The school's rooms, each with how many sittings use it."""
    return school.rooms.annotate(sitting_count=Count("sittings")).order_by("-is_active", "name")


# Sittings and their classes and participants ---------------------------------------------------------------


SittingKey = tuple[int, datetime.date, int]  # assessment id, date, lesson


def schedule_classes(*, campaign: Campaign, school: School) -> dict[SittingKey, list[SchoolClass]]:
    """Which classes write at each (assessment, date, lesson) of the school's schedule (one query)."""
    classes: dict[SittingKey, list[SchoolClass]] = defaultdict(list)
    entries = (
        ScheduleEntry.objects.filter(schedule__campaign=campaign, schedule__school=school)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__letter")
    )
    for entry in entries:
        classes[(entry.assessment_id, entry.date, entry.lesson)].append(entry.school_class)
    return classes


def schedule_status(*, campaign: Campaign, school: School) -> str | None:
    return SchoolSchedule.objects.filter(campaign=campaign, school=school).values_list("status", flat=True).first()


def sitting_classes(sitting: Sitting) -> list[SchoolClass]:
    """The classes that write the sitting's assessment at its date and lesson (from the school's schedule)."""
    entries = ScheduleEntry.objects.filter(
        schedule__campaign_id=sitting.campaign_id,
        schedule__school_id=sitting.school_id,
        assessment_id=sitting.assessment_id,
        date=sitting.date,
        lesson=sitting.lesson,
    ).select_related("school_class")
    return sorted((e.school_class for e in entries), key=lambda c: (c.grade, c.letter))


def _of_classes(classes: Sequence[SchoolClass]) -> Q:
    """Participants of these classes; a participant whose class record is gone is matched by its name."""
    return Q(school_class_id__in=[c.pk for c in classes]) | Q(
        school_class__isnull=True, class_name__in=[c.name for c in classes]
    )


def sitting_participants(sitting: Sitting, *, classes: Sequence[SchoolClass] | None = None) -> QuerySet[Participant]:
    """Who writes at this sitting: participants (status «пишет») of its assessment from its classes."""
    classes = sitting_classes(sitting) if classes is None else classes
    return Participant.objects.filter(
        assessment_id=sitting.assessment_id, school_id=sitting.school_id, status=Participant.Status.WRITES
    ).filter(_of_classes(classes))


def sittings_of(*, campaign: Campaign, school: School) -> QuerySet[Sitting]:
    return Sitting.objects.filter(campaign=campaign, school=school).select_related("assessment__subject")


def sitting_rooms_of(school: School) -> QuerySet[SittingRoom]:
    """Every sitting room of the school (the coordinator's and the director's scope)."""
    return SittingRoom.objects.filter(sitting__school=school).select_related(
        "room", "sitting__assessment__subject", "sitting__campaign", "sitting__school"
    )


# Release (R9) ----------------------------------------------------------------------------------------------


class ReleaseState:
    RELEASED = "released"
    RELEASED_LATE = "released_late"
    PENDING = "pending"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Release:
    """Where a room's lists stand: due no later than 10 minutes before the start (R9)."""

    due: datetime.datetime | None
    released_at: datetime.datetime | None
    now: datetime.datetime

    @property
    def state(self) -> str:
        if self.released_at is not None:
            late = self.due is not None and self.released_at > self.due
            return ReleaseState.RELEASED_LATE if late else ReleaseState.RELEASED
        if self.due is not None and self.now >= self.due:
            return ReleaseState.OVERDUE
        return ReleaseState.PENDING

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_late(self) -> bool:
        return self.state == ReleaseState.RELEASED_LATE

    @property
    def is_overdue(self) -> bool:
        return self.state == ReleaseState.OVERDUE

    @property
    def label(self) -> str:
        return {
            ReleaseState.RELEASED: _("списки переданы"),
            ReleaseState.RELEASED_LATE: _("списки переданы с опозданием"),
            ReleaseState.PENDING: _("списки не переданы"),
            ReleaseState.OVERDUE: _("списки не переданы, срок прошёл"),
        }[self.state]

    @property
    def css(self) -> str:
        return {
            ReleaseState.RELEASED: "success",
            ReleaseState.RELEASED_LATE: "warning",
            ReleaseState.PENDING: "secondary",
            ReleaseState.OVERDUE: "danger",
        }[self.state]


def release_due(sitting: Sitting) -> datetime.datetime | None:
    """R9 (Регламент 6.4.8): when the room lists are due to the organizers — the start − 10 minutes (None while
    the start is unknown). The release, the room's warnings and the organizer's page read it."""
    return sitting.starts_at - RELEASE_LEAD if sitting.starts_at is not None else None


def release_of(sitting_room: SittingRoom, *, now: datetime.datetime | None = None) -> Release:
    return Release(
        due=release_due(sitting_room.sitting), released_at=sitting_room.released_at, now=now or timezone.now()
    )


# Who may not be appointed, and why (R1, R3, R5) ------------------------------------------------------------


def _subject_ids(assessment: Assessment) -> dict[int, str]:
    """The subjects an organizer of this assessment must not teach: its own and, for primary-grade works,
    «Начальные классы»."""
    subjects = {assessment.subject_id: assessment.subject.name}
    if is_primary(assessment):
        primary = Subject.objects.filter(name=Subject.PRIMARY).values_list("id", flat=True).first()
        if primary is not None:
            subjects[primary] = Subject.PRIMARY
    return subjects


def room_classes(sitting_room: SittingRoom) -> list[SchoolClass]:
    """The classes seated in the room; before anyone is seated there, every class of the sitting (R1 then
    keeps out every teacher of the sitting's classes, which stays true whatever the seating)."""
    seated = set(
        Seat.objects.filter(sitting_room=sitting_room, participant__school_class__isnull=False).values_list(
            "participant__school_class_id", flat=True
        )
    )
    classes = sitting_classes(sitting_room.sitting)
    if not seated:
        return classes
    known = {c.pk for c in classes}
    extra = list(SchoolClass.objects.filter(pk__in=seated - known))
    return [c for c in classes if c.pk in seated] + extra


def close_relative_conflicts(
    *, assessments: Sequence[Assessment], school: School, staff_ids: list[int]
) -> dict[tuple[int, int], set[str]]:
    """R5 (Регламент 6.7), for every duty: (assessment id, staff id) → the classes of the staff member's declared
    relatives who write that assessment: its participants in any school or, before participants exist, active
    pupils of the school's classes assigned to it. Five queries whatever the number of assessments and staff."""
    if not assessments or not staff_ids:
        return {}
    works = assigned_works(campaign=assessments[0].campaign, school=school)
    assigned = {work.assessment.pk: {c.pk for c in work.classes} for work in works}
    declared = list(
        DeclaredRelative.objects.filter(staff_id__in=staff_ids).values_list(
            "staff_id",
            "pupil_id",
            "pupil__school_class_id",
            "pupil__school_class__grade",
            "pupil__school_class__letter",
            "pupil__is_active",
        )
    )
    if not declared:
        return {}
    writes = set(
        Participant.objects.filter(
            assessment_id__in=[a.pk for a in assessments], pupil_id__in={row[1] for row in declared}
        ).values_list("assessment_id", "pupil_id")
    )
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for assessment in assessments:
        classes = assigned.get(assessment.pk, set())
        for staff_id, pupil_id, class_id, grade, letter, active in declared:
            if (assessment.pk, pupil_id) in writes or (active and class_id in classes):
                found[(assessment.pk, staff_id)].add(f"{grade}{letter}")
    return found


def _relative_refusal(staff: Staff, assessment: Assessment, classes: set[str]) -> str:
    return _(
        "{name}: среди участников работы «{work}» близкий родственник (класс {classes}) — участвовать в проведении "
        "и проверке этой работы нельзя (Регламент 6.7)."
    ).format(name=staff.full_name, work=assessment, classes=_class_names(classes))


def school_duty_refusals(*, campaign: Campaign, school: School, staff: Iterable[Staff]) -> dict[int, list[str]]:
    """Staff id → why they may not be the school coordinator or the technical specialist of the campaign (R5:
    they take part in conducting every work the school writes); empty when they may."""
    staff = list(staff)
    with_participants = Participant.objects.filter(campaign=campaign, school=school).values("assessment_id")
    assessments = {a.pk: a for a in school_assessments(campaign=campaign, school=school)}
    for assessment in Assessment.objects.filter(pk__in=with_participants).select_related("subject"):
        assessments.setdefault(assessment.pk, assessment)
    works = sorted(assessments.values(), key=lambda a: (a.grade, a.subject.name, a.code))
    conflicts = close_relative_conflicts(assessments=works, school=school, staff_ids=[s.pk for s in staff])
    refusals: dict[int, list[str]] = {}
    for person in staff:
        written = [a for a in works if (a.pk, person.pk) in conflicts]
        classes = {name for a in written for name in conflicts[(a.pk, person.pk)]}
        refusals[person.pk] = (
            [
                _(
                    "{name}: среди участников ВПР в школе близкий родственник (класс {classes}; работы: {works}) — "
                    "школьный координатор и технический специалист участвуют в проведении всех работ школы, "
                    "назначить нельзя (Регламент 6.7)."
                ).format(
                    name=person.full_name,
                    classes=_class_names(classes),
                    works=", ".join(f"«{a}»" for a in written),
                )
            ]
            if written
            else []
        )
    return refusals


def organizer_refusals(*, sitting_room: SittingRoom, staff: Iterable[Staff]) -> dict[int, list[str]]:
    """Staff id → why they may not be an organizer in this sitting room (R1, R5); empty when they may.
    Four or five queries whatever the number of staff."""
    staff = list(staff)
    ids = [s.pk for s in staff]
    sitting = sitting_room.sitting
    assessment = sitting.assessment
    classes = room_classes(sitting_room)
    class_ids = {c.pk for c in classes}
    subjects = _subject_ids(assessment)
    taught_classes: dict[int, set[str]] = defaultdict(set)
    taught_subjects: dict[int, set[int]] = defaultdict(set)
    loads = (
        TeachingLoad.objects.filter(staff_id__in=ids)
        .filter(Q(school_class_id__in=class_ids) | Q(subject_id__in=list(subjects)))
        .select_related("school_class")
    )
    for load in loads:
        if load.school_class_id in class_ids:
            taught_classes[load.staff_id].add(load.school_class.name)
        # «Начальные классы» in the room's own classes is said by the message about the classes already
        if load.subject_id == assessment.subject_id or (
            load.subject_id in subjects and load.school_class_id not in class_ids
        ):
            taught_subjects[load.staff_id].add(load.subject_id)
    relatives = close_relative_conflicts(assessments=[assessment], school=sitting.school, staff_ids=ids)
    refusals: dict[int, list[str]] = {}
    for person in staff:
        reasons = []
        if taught := taught_classes.get(person.pk):
            reasons.append(
                ngettext(
                    "{name} преподаёт в классе {classes}, который пишет работу в аудитории «{room}»: организатор "
                    "не может преподавать в классах, которые пишут работу (Регламент 4.3.3).",
                    "{name} преподаёт в классах {classes}, которые пишут работу в аудитории «{room}»: организатор "
                    "не может преподавать в классах, которые пишут работу (Регламент 4.3.3).",
                    len(taught),
                ).format(name=person.full_name, classes=_class_names(taught), room=sitting_room.room.name)
            )
        for subject_id in sorted(taught_subjects.get(person.pk, ())):
            if subject_id == assessment.subject_id:
                message = _(
                    "{name} ведёт предмет «{subject}»: организатор не может вести предмет, по которому пишется работа "
                    "(Регламент 4.3.3)."
                )
            else:
                message = _(
                    "{name} ведёт «{subject}»: в начальной школе это и есть предмет работы, а организатор не может "
                    "вести предмет, по которому пишется работа (Регламент 4.3.3)."
                )
            reasons.append(message.format(name=person.full_name, subject=subjects[subject_id]))
        if (assessment.pk, person.pk) in relatives:
            reasons.append(_relative_refusal(person, assessment, relatives[(assessment.pk, person.pk)]))
        refusals[person.pk] = reasons
    return refusals


def expert_refusals_by_assessment(
    *, assessments: Sequence[Assessment], school: School, staff: Iterable[Staff]
) -> dict[int, dict[int, list[str]]]:
    """Assessment id → staff id → why they may not be an expert of it (R3, R5); empty when they may. Seven
    queries whatever the number of assessments and staff."""
    staff = list(staff)
    ids = [s.pk for s in staff]
    experience: dict[tuple[int, int], int] = {}  # (staff id, subject id) → years
    primary_id = None
    for staff_id, subject_id, subject_name, years in StaffSubject.objects.filter(staff_id__in=ids).values_list(
        "staff_id", "subject_id", "subject__name", "experience_years"
    ):
        experience[(staff_id, subject_id)] = years
        if subject_name == Subject.PRIMARY:
            primary_id = subject_id
    relatives = close_relative_conflicts(assessments=assessments, school=school, staff_ids=ids)
    result: dict[int, dict[int, list[str]]] = {}
    for assessment in assessments:
        primary = is_primary(assessment)
        if primary:
            message = _(
                "{name} не может быть экспертом работы «{work}»: эксперт — представитель администрации или учитель "
                "со стажем не менее 3 лет по предмету «{subject}» или в начальных классах (Регламент 7.3). "
                "Стаж по предмету, лет: {years}."
            )
        else:
            message = _(
                "{name} не может быть экспертом работы «{work}»: эксперт — представитель администрации или учитель "
                "со стажем не менее 3 лет по предмету «{subject}» (Регламент 7.3). Стаж по предмету, лет: {years}."
            )
        refusals: dict[int, list[str]] = {}
        for person in staff:
            years = experience.get((person.pk, assessment.subject_id), 0)
            if primary and primary_id is not None:
                years = max(years, experience.get((person.pk, primary_id), 0))
            reasons = []
            if not person.is_administration and years < EXPERT_MIN_YEARS:
                reasons.append(
                    message.format(name=person.full_name, work=assessment, subject=assessment.subject.name, years=years)
                )
            if (assessment.pk, person.pk) in relatives:
                reasons.append(_relative_refusal(person, assessment, relatives[(assessment.pk, person.pk)]))
            refusals[person.pk] = reasons
        result[assessment.pk] = refusals
    return result


def expert_refusals(*, assessment: Assessment, school: School, staff: Iterable[Staff]) -> dict[int, list[str]]:
    """Staff id → why they may not be an expert of this assessment (R3, R5); empty when they may."""
    return expert_refusals_by_assessment(assessments=[assessment], school=school, staff=staff)[assessment.pk]


def school_staff(school: School) -> QuerySet[Staff]:
    """The school's working staff: the pool for appointments."""
    return Staff.objects.filter(school=school, is_active=True).order_by("last_name", "first_name", "middle_name")


@dataclass(frozen=True)
class Candidate:
    staff: Staff
    refusals: list[str]


def candidates(staff: Iterable[Staff], refusals: dict[int, list[str]]) -> list[Candidate]:
    return [Candidate(person, refusals.get(person.pk, [])) for person in staff]


# Staffing ------------------------------------------------------------------------------------------------


@dataclass
class Staffing:
    """A school's appointments in a campaign, as the order will name them."""

    coordinator: Appointment | None = None
    technical: Appointment | None = None
    experts: dict[int, list[Appointment]] = field(default_factory=lambda: defaultdict(list))
    organizers: dict[int, list[Appointment]] = field(default_factory=lambda: defaultdict(list))


def staffing_of(*, campaign: Campaign, school: School) -> Staffing:
    """Every appointment of the school in the campaign, grouped by duty (one query)."""
    staffing = Staffing()
    appointments = (
        Appointment.objects.filter(campaign=campaign, school=school)
        .select_related("staff", "sitting_room__room", "assessment__subject")
        .order_by("staff__last_name", "staff__first_name", "id")
    )
    for appointment in appointments:
        if appointment.duty == Appointment.Duty.COORDINATOR:
            staffing.coordinator = appointment
        elif appointment.duty == Appointment.Duty.TECHNICAL:
            staffing.technical = appointment
        elif appointment.duty == Appointment.Duty.EXPERT:
            staffing.experts[appointment.assessment_id].append(appointment)
        else:
            staffing.organizers[appointment.sitting_room_id].append(appointment)
    return staffing


def organizers_of(sitting_room: SittingRoom) -> list[Appointment]:
    return list(
        sitting_room.organizers.filter(duty=Appointment.Duty.ORGANIZER)
        .select_related("staff")
        .order_by("staff__last_name", "staff__first_name")
    )


# The sittings page -----------------------------------------------------------------------------------------


@dataclass
class RoomSummary:
    sitting_room: SittingRoom
    organizer_count: int
    seat_count: int
    release: Release

    @property
    def short_of_organizers(self) -> bool:
        return self.organizer_count < MIN_ORGANIZERS


@dataclass
class SittingSummary:
    sitting: Sitting
    classes: list[SchoolClass]
    participant_count: int = 0
    seated_count: int = 0
    rooms: list[RoomSummary] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return sum(r.sitting_room.room.capacity for r in self.rooms)

    @property
    def unseated(self) -> int:
        return self.participant_count - self.seated_count

    @property
    def due(self) -> datetime.datetime | None:
        return release_due(self.sitting)

    @property
    def warnings(self) -> list[str]:
        messages = []
        if not self.rooms:
            messages.append(_("Аудитории не выбраны."))
        if self.unseated > 0:
            messages.append(_("Не рассажено участников: {n}.").format(n=self.unseated))
        for room in self.rooms:
            if room.short_of_organizers:
                messages.append(
                    _("«{room}»: организаторов {n}, нужно не менее двух (Регламент 6.4.6).").format(
                        room=room.sitting_room.room.name, n=room.organizer_count
                    )
                )
            if room.release.is_overdue:
                messages.append(
                    _("«{room}»: списки не переданы организаторам, срок прошёл (Регламент 6.4.8).").format(
                        room=room.sitting_room.room.name
                    )
                )
            elif room.release.is_late:
                messages.append(
                    _("«{room}»: списки переданы организаторам позже срока (Регламент 6.4.8).").format(
                        room=room.sitting_room.room.name
                    )
                )
        return messages


def sitting_summaries(
    *, campaign: Campaign, school: School, now: datetime.datetime | None = None
) -> list[SittingSummary]:
    """Every sitting of the school with its classes, participants seated or not, rooms with their organizers
    and release state — four queries whatever the number of sittings and rooms."""
    now = now or timezone.now()
    sittings = list(sittings_of(campaign=campaign, school=school).order_by("date", "lesson", "assessment__code"))
    classes = schedule_classes(campaign=campaign, school=school)
    counts: dict[tuple[int, int | None, str], tuple[int, int]] = {}
    rows = (
        Participant.objects.filter(campaign=campaign, school=school, status=Participant.Status.WRITES)
        .values_list("assessment_id", "school_class_id", "class_name")
        .annotate(total=Count("id"), seated=Count("seat"))
        .order_by()
    )
    for assessment_id, class_id, class_name, total, seated in rows:
        counts[(assessment_id, class_id, class_name)] = (total, seated)
    rooms: dict[int, list[RoomSummary]] = defaultdict(list)
    sitting_rooms = (
        SittingRoom.objects.filter(sitting__in=[s.pk for s in sittings])
        .select_related("room")
        .annotate(
            organizer_count=Count("organizers", filter=Q(organizers__duty=Appointment.Duty.ORGANIZER), distinct=True),
            seat_count=Count("seats", distinct=True),
        )
        .order_by("room__name")
    )
    by_id = {s.pk: s for s in sittings}
    for sitting_room in sitting_rooms:
        sitting_room.sitting = by_id[sitting_room.sitting_id]
        rooms[sitting_room.sitting_id].append(
            RoomSummary(
                sitting_room, sitting_room.organizer_count, sitting_room.seat_count, release_of(sitting_room, now=now)
            )
        )
    summaries = []
    for sitting in sittings:
        of_sitting = classes.get((sitting.assessment_id, sitting.date, sitting.lesson), [])
        summary = SittingSummary(sitting, of_sitting, rooms=rooms.get(sitting.pk, []))
        ids, names = {c.pk for c in of_sitting}, {c.name for c in of_sitting}
        for (assessment_id, class_id, class_name), (total, seated) in counts.items():
            if assessment_id != sitting.assessment_id:
                continue
            if class_id in ids or (class_id is None and class_name in names):
                summary.participant_count += total
                summary.seated_count += seated
        summaries.append(summary)
    return summaries


# One room: its seats, plan and warnings --------------------------------------------------------------------


def desk_of(column: int) -> int:
    """Columns (1, 2), (3, 4), … form desks 1, 2, …: two seats a desk, left to right."""
    return (column + 1) // 2


def seats_of(sitting_room: SittingRoom, *, with_names: bool = False) -> list[Seat]:
    """The room's seats with their participants, by row and column. Names are joined only for the school's
    name readers (`with_names`); organizers' pages never load them."""
    seats = Seat.objects.filter(sitting_room=sitting_room).select_related("participant")
    if with_names:
        seats = seats.select_related("participant__pupil")
    return list(seats.order_by("row", "column"))


def room_list(seats: Sequence[Seat]) -> list[Seat]:
    """The room's list as handed to the organizers: by class, then code."""
    return sorted(seats, key=lambda s: (class_sort_key(s.participant.class_name), s.participant.code))


@dataclass(frozen=True)
class PlanCell:
    row: int
    column: int
    seat: Seat | None


@dataclass(frozen=True)
class PlanDesk:
    number: int
    cells: list[PlanCell]


@dataclass(frozen=True)
class PlanRow:
    number: int
    desks: list[PlanDesk]


def room_plan(room: Room, seats: Sequence[Seat]) -> list[PlanRow]:
    """The seating plan: rows from the board back, each with its desks of two seats."""
    placed = {(s.row, s.column): s for s in seats}
    plan = []
    for row in range(1, room.rows + 1):
        desks: dict[int, list[PlanCell]] = defaultdict(list)
        for column in range(1, room.columns + 1):
            desks[desk_of(column)].append(PlanCell(row, column, placed.get((row, column))))
        plan.append(PlanRow(row, [PlanDesk(number, cells) for number, cells in desks.items()]))
    return plan


def classmates_at_desks(seats: Sequence[Seat]) -> list[tuple[int, int]]:
    """(row, desk) of desks where two classmates sit, when the room holds more than one class."""
    if len({s.participant.class_name for s in seats}) < 2:
        return []
    by_desk: dict[tuple[int, int], list[str]] = defaultdict(list)
    for seat in seats:
        by_desk[(seat.row, desk_of(seat.column))].append(seat.participant.class_name)
    return sorted(desk for desk, names in by_desk.items() if len(names) == 2 and names[0] == names[1])


def room_warnings(
    *, sitting_room: SittingRoom, organizers: Sequence[Appointment], seats: Sequence[Seat], release: Release
) -> list[str]:
    """What stands between the room and the day: R2, R1/R5 of the appointed organizers (re-read, since seats
    and declared relatives change), classmates at a desk, the release (R9)."""
    messages = []
    if not organizers_enough(len(organizers)):
        messages.append(
            _("Организаторов в аудитории: {n}. Нужно не менее двух (Регламент 6.4.6).").format(n=len(organizers))
        )
    refusals = organizer_refusals(sitting_room=sitting_room, staff=[a.staff for a in organizers])
    for appointment in organizers:
        messages.extend(refusals.get(appointment.staff_id, []))
    if not seats:
        messages.append(_("В аудитории никто не рассажен."))
    for row, desk in classmates_at_desks(seats):
        messages.append(_("За одной партой одноклассники: ряд {row}, парта {desk}.").format(row=row, desk=desk))
    if release.is_overdue:
        messages.append(
            _(
                "Списки не переданы организаторам, а срок — {due} (не позднее чем за 10 минут до начала, "
                "Регламент 6.4.8)."
            ).format(due=_local(release.due, sitting_room.sitting.school))
        )
    elif release.is_late:
        messages.append(
            _("Списки переданы организаторам {at} — позже срока {due} (Регламент 6.4.8).").format(
                at=_local(release.released_at, sitting_room.sitting.school),
                due=_local(release.due, sitting_room.sitting.school),
            )
        )
    return messages


def _local(moment: datetime.datetime | None, school: School) -> str:
    return timezone.localtime(moment, school.tzinfo).strftime("%d.%m.%Y %H:%M") if moment else "—"


def unseated_participants(sitting: Sitting) -> QuerySet[Participant]:
    return sitting_participants(sitting).filter(seat__isnull=True).order_by(*class_name_ordering(), "code", "id")


# The organizer's rooms -------------------------------------------------------------------------------------


def organizer_sitting_rooms(user: User) -> QuerySet[SittingRoom]:
    """The sitting rooms the user is appointed to as an organizer: their Staff record (Staff.user) is named
    in the room's appointments, in a school where they hold the organizer role."""
    school_ids = user.school_ids_with_role(Role.ORGANIZER)
    if not school_ids:
        return SittingRoom.objects.none()
    appointed = Appointment.objects.filter(
        duty=Appointment.Duty.ORGANIZER, staff__user=user, school_id__in=school_ids
    ).values("sitting_room_id")
    return SittingRoom.objects.filter(pk__in=appointed, sitting__school_id__in=school_ids).select_related(
        "room", "sitting__assessment__subject", "sitting__school", "sitting__campaign"
    )


def released_sitting_rooms(user: User) -> QuerySet[SittingRoom]:
    """The organizer's sitting rooms whose lists have been released to them (R9)."""
    return organizer_sitting_rooms(user).filter(released_at__isnull=False)


# Printables ------------------------------------------------------------------------------------------------


def _print_context(sitting_room: SittingRoom) -> dict:
    seats = seats_of(sitting_room)
    sitting = sitting_room.sitting
    return {
        "sitting_room": sitting_room,
        "sitting": sitting,
        "room": sitting_room.room,
        "school": sitting.school,
        "starts_at": timezone.localtime(sitting.starts_at, sitting.school.tzinfo) if sitting.starts_at else None,
        "seats": room_list(seats),
        "plan": room_plan(sitting_room.room, seats),
        "organizers": organizers_of(sitting_room),
    }


def room_list_pdf(sitting_room: SittingRoom) -> bytes:
    """The room's list for its organizers: participant codes, classes, variants and seats — no names."""
    from vpr_portal.pdf import render_pdf

    return render_pdf("procedures/print/room_list.html", _print_context(sitting_room))


def room_plan_pdf(sitting_room: SittingRoom) -> bytes:
    """The room's seating plan (A4 landscape): desks by rows, each seat with a code, class and variant."""
    from vpr_portal.pdf import render_pdf

    return render_pdf("procedures/print/room_plan.html", _print_context(sitting_room))


def school_assessments(*, campaign: Campaign, school: School) -> list[Assessment]:
    """The campaign's assessments some class of the school writes."""
    return [work.assessment for work in assigned_works(campaign=campaign, school=school) if work.classes]
