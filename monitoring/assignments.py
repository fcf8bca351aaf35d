"""Observation assignments: who of the registry goes where (school × sitting × stage), by hand or by a recorded
lottery among the sittings of a day; the conflicts that refuse an assignment (R5 and the workplace); the school
coordinator's placing of an observer in a room; the person's own schedule."""

import random
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.access import observations_of
from monitoring.models import AssignmentLottery, ObservationAssignment, Person, PersonRelative, Stage
from procedures.models import Campaign, Sitting, SittingRoom
from procedures.selectors.schedules import assigned_works_by_school
from schools.access import Capability, department_ids_with
from schools.models import Department, Role, Staff, User
from schools.services import audit_record, notifications_send
from vpr_portal.access import get_scoped_or_404

# The stages in a word, for the department's tables (the full wording of приложение 2, п. 1 is the choice's label).
STAGE_SHORT = {
    Stage.CONDUCT: gettext_lazy("проведение"),
    Stage.HANDOVER: gettext_lazy("передача материалов"),
    Stage.MARKING: gettext_lazy("проверка работ"),
}

# The person's own schedule -----------------------------------------------------------------------------------


def _with_schedule(assignments: QuerySet[ObservationAssignment]) -> QuerySet[ObservationAssignment]:
    return assignments.select_related(
        "person__user",
        "sitting__school",
        "sitting__assessment__subject",
        "sitting__campaign",
        "sitting_room__room",
    )


def person_assignments(user: User) -> QuerySet[ObservationAssignment]:
    """The user's own assignments in force (not cancelled, their registry entry active), by date, lesson and the
    school's code (never by results, R15)."""
    return _with_schedule(observations_of(user)).order_by(
        "sitting__date", "sitting__lesson", "sitting__school__code", "stage", "pk"
    )


def assignment_for(user: User, pk) -> ObservationAssignment:
    """The user's own assignment in force numbered `pk`; anybody else's, a cancelled one or one of a deactivated
    registry entry does not exist for them (404)."""
    return get_scoped_or_404(_with_schedule(observations_of(user)), pk=pk)


def starts_local(sitting: Sitting):
    """The sitting's start in its school's own time zone (R16), or None before the school set the hour."""
    return timezone.localtime(sitting.starts_at, sitting.school.tzinfo) if sitting.starts_at else None


# Conflicts ---------------------------------------------------------------------------------------------------


def _relative_writes(relative: PersonRelative, sitting: Sitting) -> bool:
    if relative.school_class_id is None:
        return True  # a relative somewhere in the school: any of its works may be theirs
    works = assigned_works_by_school(
        campaign=sitting.campaign, school_ids=[sitting.school_id], assessments=[sitting.assessment]
    )[sitting.school_id]
    return any(c.pk == relative.school_class_id for work in works for c in work.classes)


def assignment_conflicts(person: Person, sitting: Sitting) -> list[str]:
    """R5 (Регламент 6.7) for public observers and the department's representatives, and the workplace rule
    (docs/observation.md): a person does not observe a school where they work (their registry entry's workplace, or a
    staff record of that school linked to their account), nor a sitting among whose participants they have a
    declared close relative (a relative declared in the school without a class: any sitting of the school; with
    a class: the sittings of the works that class writes). Returns the reasons, in Russian; empty when none."""
    school = sitting.school
    reasons = []
    works_there = person.workplace_school_id == school.pk or (
        Staff.objects.filter(school=school, user_id=person.user_id, is_active=True).exists()
    )
    if works_there:
        reasons.append(
            _("{name} работает в {school} — наблюдать в своей школе нельзя.").format(
                name=person.user.full_name or person.user.username, school=school.short_name
            )
        )
    for relative in PersonRelative.objects.filter(person=person, school=school).select_related("school_class"):
        if not _relative_writes(relative, sitting):
            continue
        if relative.school_class_id:
            where = _("в классе {klass}").format(klass=relative.school_class.name)
        else:
            where = _("среди обучающихся школы")
        reasons.append(
            _(
                "У {name} близкий родственник ({relation}) {where} — среди участников работы «{work}»; участвовать "
                "в проведении и наблюдать нельзя (Регламент 6.7)."
            ).format(
                name=person.user.full_name or person.user.username,
                relation=relative.get_relation_display(),
                where=where,
                work=sitting.assessment,
            )
        )
    return reasons


def assignment_clash(person: Person, sitting: Sitting, stage: str) -> str:
    """A person is at one place at a time: refused when they are already sent to another sitting of the same day
    and lesson for the same stage. Returns the reason, or an empty string."""
    other = (
        ObservationAssignment.objects.filter(
            person=person,
            stage=stage,
            cancelled_at__isnull=True,
            sitting__date=sitting.date,
            sitting__lesson=sitting.lesson,
        )
        .exclude(sitting=sitting)
        .select_related("sitting__school")
        .first()
    )
    if other is None:
        return ""
    return _("{name} уже направлен(а) в {school} на {date:%d.%m.%Y}, {lesson}-й урок.").format(
        name=person.user.full_name or person.user.username,
        school=other.sitting.school.short_name,
        date=sitting.date,
        lesson=sitting.lesson,
    )


# The department's assignments ---------------------------------------------------------------------------------


def persons_managed_by(user: User) -> QuerySet[Person]:
    """The registry entries of the departments whose observers the user manages (MANAGE_OBSERVERS)."""
    return Person.objects.filter(department_id__in=department_ids_with(user, Capability.MANAGE_OBSERVERS))


def managed_departments(user: User) -> QuerySet[Department]:
    """The departments whose observers the user manages."""
    return Department.objects.filter(pk__in=department_ids_with(user, Capability.MANAGE_OBSERVERS)).order_by("pk")


def assignments_managed_by(user: User) -> QuerySet[ObservationAssignment]:
    """Every assignment of the registry entries the user manages (cancelled ones too)."""
    return ObservationAssignment.objects.filter(person__in=persons_managed_by(user))


def sittings_managed_by(user: User) -> QuerySet[Sitting]:
    """The sittings of the active campaigns in the schools of the departments whose observers the user manages."""
    return Sitting.objects.filter(
        school__department_id__in=department_ids_with(user, Capability.MANAGE_OBSERVERS),
        campaign__status=Campaign.Status.ACTIVE,
    )


def day_sittings(user: User, date) -> QuerySet[Sitting]:
    """The day's sittings of the user's municipality, by lesson, school code and assessment code (R15), with the
    assignments in force prefetched."""
    in_force = ObservationAssignment.objects.filter(cancelled_at__isnull=True).select_related(
        "person__user", "sitting_room__room"
    )
    return (
        sittings_managed_by(user)
        .filter(date=date)
        .select_related("school", "assessment__subject", "campaign")
        .prefetch_related(Prefetch("observations", queryset=in_force.order_by("stage", "pk"), to_attr="in_force"))
        .order_by("lesson", "school__code", "assessment__code", "pk")
    )


def sitting_dates(user: User) -> list:
    """The days on which the user's municipality's active campaigns have sittings."""
    return list(sittings_managed_by(user).order_by("date").values_list("date", flat=True).distinct())


def _notify(assignment: ObservationAssignment, text_person: str, text_school: str) -> None:
    sitting = assignment.sitting
    person = assignment.person
    own_page = "monitoring:assignments" if person.kind == Person.Kind.OBSERVER else "monitoring:cards"
    notifications_send(users=[person.user], text=text_person, url=reverse(own_page))
    coordinators = User.objects.filter(
        memberships__school=sitting.school, memberships__role=Role.SCHOOL_COORDINATOR, memberships__is_active=True
    ).distinct()
    notifications_send(
        users=coordinators,
        text=text_school,
        url=reverse("monitoring:school_observers", args=[sitting.school.code]),
    )


def _describe(sitting: Sitting) -> dict:
    return {
        "school": sitting.school.short_name,
        "work": str(sitting.assessment),
        "date": sitting.date.strftime("%d.%m.%Y"),
        "lesson": sitting.lesson,
    }


@transaction.atomic
def assign(
    *, person: Person, sitting: Sitting, stage: str, actor: User, lottery: AssignmentLottery | None = None
) -> ObservationAssignment:
    """Sends a person of the registry to a sitting for a stage. Refused, with the reasons in Russian and nothing
    written, when the entry is deactivated or of another municipality, the person is already sent there or
    elsewhere at that hour, or a conflict of interest stands (`assignment_conflicts`: R5 and the workplace).
    The person and the school's coordinators are notified."""
    if stage not in Stage.values:
        raise ValidationError(_("Выберите этап наблюдения."))
    if not person.is_active:
        raise ValidationError(_("Запись реестра деактивирована: направить этого человека нельзя."))
    if person.department_id != sitting.school.department_id:
        raise ValidationError(_("Этот человек в реестре другого управления образования."))
    if ObservationAssignment.objects.filter(
        person=person, sitting=sitting, stage=stage, cancelled_at__isnull=True
    ).exists():
        raise ValidationError(_("Этот человек уже направлен на это проведение и этап."))
    reasons = assignment_conflicts(person, sitting)
    clash = assignment_clash(person, sitting, stage)
    if clash:
        reasons.append(clash)
    if reasons:
        raise ValidationError(reasons)
    assignment = ObservationAssignment.objects.create(
        person=person, sitting=sitting, stage=stage, lottery=lottery, assigned_by=actor
    )
    audit_record(
        actor=actor,
        action="observation.assigned",
        target=assignment,
        school=sitting.school,
        after={"person": str(person), "stage": assignment.get_stage_display(), **_describe(sitting)},
    )
    what = _describe(sitting)
    _notify(
        assignment,
        _("Вы направлены в {school}: «{work}», {date}, {lesson}-й урок ({stage}).").format(
            stage=assignment.get_stage_display(), **what
        ),
        _("К вам направлен(а) {kind} {name}: «{work}», {date}, {lesson}-й урок.").format(
            kind=person.get_kind_display(), name=person.user.full_name or person.user.username, **what
        ),
    )
    return assignment


@transaction.atomic
def assignment_cancel(*, assignment: ObservationAssignment, reason: str, actor: User) -> ObservationAssignment:
    """Cancels an assignment with its reason; the row is kept (with any act or card filed under it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Укажите причину отмены."))
    if assignment.cancelled_at is not None:
        raise ValidationError(_("Направление уже отменено."))
    assignment.cancelled_at = timezone.now()
    assignment.cancelled_by = actor
    assignment.cancel_reason = reason[:500]
    assignment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(
        actor=actor,
        action="observation.cancelled",
        target=assignment,
        school=assignment.sitting.school,
        before={"person": str(assignment.person), "stage": assignment.get_stage_display()},
        reason=assignment.cancel_reason,
    )
    what = _describe(assignment.sitting)
    _notify(
        assignment,
        _("Направление отменено: {school}, «{work}», {date}. Причина: {reason}").format(
            reason=assignment.cancel_reason, **what
        ),
        _("Отменено направление наблюдателя {name}: «{work}», {date}, {lesson}-й урок.").format(
            name=assignment.person.user.full_name or assignment.person.user.username, **what
        ),
    )
    return assignment


# The lottery ----------------------------------------------------------------------------------------------


def lottery_candidates(*, department: Department, date, stage: str) -> list[int]:
    """The ids, in increasing order, of the day's sittings of the municipality's active campaigns that nobody is
    sent to yet for the stage: what a lottery draws from."""
    observed = ObservationAssignment.objects.filter(cancelled_at__isnull=True, stage=stage).values("sitting_id")
    return list(
        Sitting.objects.filter(school__department=department, date=date, campaign__status=Campaign.Status.ACTIVE)
        .exclude(pk__in=observed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lottery_sample(candidates: Iterable[int], count: int, seed: str) -> list[int]:
    """The draw itself, reproducible from the seed: anyone holding the candidates and the seed gets the same
    sittings (`random.Random(seed).sample` of the sorted candidates)."""
    return random.Random(seed).sample(sorted(candidates), count)


def lottery_reproduces(lottery: AssignmentLottery) -> bool:
    """Whether drawing again from the recorded candidates and seed gives the recorded sittings."""
    if not 0 <= lottery.count <= len(lottery.candidates):
        return False
    return lottery_sample(lottery.candidates, lottery.count, lottery.seed) == lottery.drawn


@transaction.atomic
def lottery_draw(
    *, department: Department, date, count: int, actor: User, stage: str = Stage.CONDUCT, note: str = ""
) -> AssignmentLottery:
    """Draws `count` sittings to observe among the day's sittings without an observer for the stage, with a
    seed from `secrets`, and records the candidates, the seed and what was drawn."""
    if stage not in Stage.values:
        raise ValidationError(_("Выберите этап наблюдения."))
    candidates = lottery_candidates(department=department, date=date, stage=stage)
    if not candidates:
        raise ValidationError(
            _("На {date:%d.%m.%Y} нет проведений без наблюдателей — разыгрывать нечего.").format(date=date)
        )
    if count < 1 or count > len(candidates):
        raise ValidationError(
            _("Выбрать можно от 1 до {n} проведений: столько на этот день без наблюдателей.").format(n=len(candidates))
        )
    seed = secrets.token_hex(16)
    lottery = AssignmentLottery.objects.create(
        department=department,
        date=date,
        stage=stage,
        seed=seed,
        count=count,
        candidates=candidates,
        drawn=lottery_sample(candidates, count, seed),
        note=note[:500],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="observation.lottery_drawn",
        target=lottery,
        department=department,
        after={"date": date, "count": count, "candidates": len(candidates), "seed": seed, "drawn": lottery.drawn},
    )
    return lottery


def lotteries_managed_by(user: User) -> QuerySet[AssignmentLottery]:
    """The recorded lotteries of the departments whose observers the user manages."""
    return AssignmentLottery.objects.filter(department_id__in=department_ids_with(user, Capability.MANAGE_OBSERVERS))


def lottery_sittings(lottery: AssignmentLottery) -> list[Sitting]:
    """The drawn sittings, in the draw's order, with their assignments in force for the lottery's stage."""
    in_force = ObservationAssignment.objects.filter(cancelled_at__isnull=True, stage=lottery.stage).select_related(
        "person__user"
    )
    by_pk = {
        s.pk: s
        for s in Sitting.objects.filter(pk__in=lottery.drawn)
        .select_related("school", "assessment__subject", "campaign")
        .prefetch_related(Prefetch("observations", queryset=in_force.order_by("pk"), to_attr="in_force"))
    }
    return [by_pk[pk] for pk in lottery.drawn if pk in by_pk]


def lottery_candidate_sittings(lottery: AssignmentLottery) -> list[Sitting]:
    """The lottery's candidates in the draw's order (increasing id), each with its school and assessment."""
    by_pk = {
        s.pk: s
        for s in Sitting.objects.filter(pk__in=lottery.candidates).select_related("school", "assessment__subject")
    }
    return [by_pk[pk] for pk in lottery.candidates if pk in by_pk]


@transaction.atomic
def lottery_auto_assign(*, lottery: AssignmentLottery, actor: User) -> list[ObservationAssignment]:
    """Sends the registry's active public observers to the drawn sittings that have nobody for the lottery's
    stage yet, round robin in the order of their names, each sitting to the next observer without a conflict
    (R5, workplace, already busy at that hour). Sittings nobody can take are left for the department to fill by
    hand. Returns the assignments made."""
    observers = list(
        Person.objects.filter(department=lottery.department, kind=Person.Kind.OBSERVER, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__middle_name", "pk")
    )
    made: list[ObservationAssignment] = []
    if not observers:
        return made
    turn = 0
    for sitting in lottery_sittings(lottery):
        if sitting.in_force:
            continue
        for offset in range(len(observers)):
            person = observers[(turn + offset) % len(observers)]
            if assignment_conflicts(person, sitting) or assignment_clash(person, sitting, lottery.stage):
                continue
            made.append(assign(person=person, sitting=sitting, stage=lottery.stage, actor=actor, lottery=lottery))
            turn = (turn + offset + 1) % len(observers)
            break
    return made


# The school's placing ---------------------------------------------------------------------------------------


def school_observations(school, *, date_from=None) -> QuerySet[ObservationAssignment]:
    """Who comes to the school: the assignments in force of its sittings (from `date_from`), by date, lesson,
    assessment code and the person's name."""
    assignments = ObservationAssignment.objects.filter(sitting__school=school, cancelled_at__isnull=True)
    if date_from is not None:
        assignments = assignments.filter(sitting__date__gte=date_from)
    return (
        assignments.select_related(
            "person__user", "sitting__assessment__subject", "sitting__school", "sitting_room__room"
        )
        .prefetch_related("sitting__rooms__room")
        .order_by("sitting__date", "sitting__lesson", "sitting__assessment__code", "person__user__last_name", "pk")
    )


@transaction.atomic
def observer_place(*, assignment: ObservationAssignment, sitting_room: SittingRoom | None, actor: User):
    """The school's coordinator places the person in one of the sitting's rooms (Регламент, приложение 2, п. 6),
    or takes the placing back (None)."""
    if assignment.cancelled_at is not None:
        raise ValidationError(_("Направление отменено."))
    if sitting_room is not None and sitting_room.sitting_id != assignment.sitting_id:
        raise ValidationError(_("Эта аудитория не относится к проведению наблюдателя."))
    before = str(assignment.sitting_room.room) if assignment.sitting_room_id else ""
    assignment.sitting_room = sitting_room
    assignment.placed_at = timezone.now() if sitting_room is not None else None
    assignment.placed_by = actor if sitting_room is not None else None
    assignment.save(update_fields=["sitting_room", "placed_at", "placed_by"])
    audit_record(
        actor=actor,
        action="observation.placed",
        target=assignment,
        school=assignment.sitting.school,
        before={"room": before},
        after={"room": str(sitting_room.room) if sitting_room is not None else ""},
    )
    if sitting_room is not None:
        notifications_send(
            users=[assignment.person.user],
            text=_("{school}, {date:%d.%m.%Y}: вас ждут в аудитории «{room}».").format(
                school=assignment.sitting.school.short_name, date=assignment.sitting.date, room=sitting_room.room
            ),
            url=reverse(
                "monitoring:assignments" if assignment.person.kind == Person.Kind.OBSERVER else "monitoring:cards"
            ),
        )
    return assignment
