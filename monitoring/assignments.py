"""Observation assignments: who of the registry goes where (school × sitting × stage), by hand or by a recorded
lottery among the sittings of a day; the conflicts that refuse an assignment (R5 and the workplace); the school
coordinator's placing of an observer in a room; the person's own schedule."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.access import observations_of
from monitoring.models import ObservationAssignment, Person, PersonRelative
from procedures.models import Sitting
from procedures.selectors.schedules import assigned_works_by_school
from schools.models import Staff, User
from vpr_portal.access import get_scoped_or_404

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
    (DESIGN §9): a person does not observe a school where they work (their registry entry's workplace, or a
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
