"""Writes for class assignment and school schedules: the department's distribution of classes, each school's
dates and lessons, and the schedule's way from draft to approval.

Rules (Регламент 5.2; docs/glossary.md, «Назначение классов»):
- a date outside the campaign's window is refused;
- a lesson other than 2–3, two assessments for one class on one day, and a day off (Saturday, Sunday, a
  public holiday or a transferred day off: `services.calendar`, computed for any year, with the Government's
  transfers the department enters) are warnings the school must confirm before it submits the schedule;
- a schedule is edited only while it is a draft or returned; submitted and approved ones are locked.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procedures.models import Assessment, Campaign, ClassAssignment, ScheduleEntry, SchoolSchedule
from procedures.selectors.schedules import (
    assigned_works,
    campaign_classes_by_school,
    schedule_pairs,
)
from procedures.services.calendar import day_off_reason as day_off_reason  # the schedule's rule, kept importable here
from procedures.services.calendar import working_calendar
from schools.importers import parse_class_name
from schools.models import Role, School, SchoolClass, User
from schools.services import audit_record, notifications_send
from vpr_portal.tables import InputRefused, Problem, Table, require_columns

# Warnings --------------------------------------------------------------------------------------------------

RECOMMENDED_LESSONS = (2, 3)


class WarningCode:
    LESSON = "lesson"
    SAME_DAY = "same_day"
    DAY_OFF = "day_off"

    ALL = (LESSON, SAME_DAY, DAY_OFF)


@dataclass(frozen=True)
class ScheduleWarning:
    code: str
    message: str


PairKey = tuple[int, int]  # (assessment id, class id)


@dataclass(frozen=True)
class EntryValue:
    """What the school set for one (assessment, class): a date and a lesson (both or neither), and the
    warning codes it confirms."""

    assessment: Assessment
    school_class: SchoolClass
    date: datetime.date | None
    lesson: int | None
    confirmed: frozenset[str] = frozenset()

    @property
    def key(self) -> PairKey:
        return (self.assessment.pk, self.school_class.pk)


@dataclass(frozen=True)
class _Slot:
    key: PairKey
    class_id: int
    class_name: str
    assessment_label: str
    date: datetime.date
    lesson: int


def schedule_warnings(slots: list[_Slot]) -> dict[PairKey, list[ScheduleWarning]]:
    """The warnings of each scheduled pair (the slots are all of one school's entries); one query, for the
    working calendar of their dates."""
    calendar = working_calendar(min(s.date for s in slots), max(s.date for s in slots)) if slots else None
    by_class_day: dict[tuple[int, datetime.date], list[_Slot]] = defaultdict(list)
    for slot in slots:
        by_class_day[(slot.class_id, slot.date)].append(slot)
    warnings: dict[PairKey, list[ScheduleWarning]] = {}
    for slot in slots:
        found = []
        if slot.lesson not in RECOMMENDED_LESSONS:
            found.append(
                ScheduleWarning(
                    WarningCode.LESSON,
                    _("{lesson}-й урок: рекомендовано проводить работу на 2–3 уроке (Регламент 5.2)").format(
                        lesson=slot.lesson
                    ),
                )
            )
        others = [o for o in by_class_day[(slot.class_id, slot.date)] if o.key != slot.key]
        if others:
            found.append(
                ScheduleWarning(
                    WarningCode.SAME_DAY,
                    _("у класса {name} в этот день ещё одна работа: {others}").format(
                        name=slot.class_name, others=", ".join(o.assessment_label for o in others)
                    ),
                )
            )
        reason = calendar.day_off_reason(slot.date)
        if reason:
            found.append(
                ScheduleWarning(
                    WarningCode.DAY_OFF,
                    _("{date} — выходной: {reason}").format(date=date_format(slot.date, "d.m.Y"), reason=reason),
                )
            )
        warnings[slot.key] = found
    return warnings


def _slot(assessment: Assessment, school_class: SchoolClass, date: datetime.date, lesson: int) -> _Slot:
    return _Slot(
        key=(assessment.pk, school_class.pk),
        class_id=school_class.pk,
        class_name=school_class.name,
        assessment_label=str(assessment),
        date=date,
        lesson=lesson,
    )


@dataclass
class ScheduleState:
    """A schedule read against its assignment: the pairs to schedule, what is set, what it warns about."""

    schedule: SchoolSchedule
    pairs: list[tuple[Assessment, SchoolClass]]
    entries: dict[PairKey, ScheduleEntry]
    warnings: dict[PairKey, list[ScheduleWarning]] = field(default_factory=dict)

    def unconfirmed(self, key: PairKey) -> list[ScheduleWarning]:
        entry = self.entries.get(key)
        confirmed = set(entry.confirmed_warnings) if entry else set()
        return [w for w in self.warnings.get(key, []) if w.code not in confirmed]

    @property
    def missing(self) -> list[tuple[Assessment, SchoolClass]]:
        return [(a, c) for a, c in self.pairs if (a.pk, c.pk) not in self.entries]

    @property
    def unconfirmed_count(self) -> int:
        return sum(len(self.unconfirmed((a.pk, c.pk))) for a, c in self.pairs)

    @property
    def ready(self) -> bool:
        return bool(self.pairs) and not self.missing and not self.unconfirmed_count


def schedule_state(*, schedule: SchoolSchedule) -> ScheduleState:
    """The schedule's pairs (from the assignment), its entries and their warnings."""
    pairs = schedule_pairs(campaign=schedule.campaign, school=schedule.school)
    keys = {(a.pk, c.pk) for a, c in pairs}
    entries = {}
    if schedule.pk:
        for entry in schedule.entries.all():
            key = (entry.assessment_id, entry.school_class_id)
            if key in keys:
                entries[key] = entry
    lookup = {(a.pk, c.pk): (a, c) for a, c in pairs}
    slots = [_slot(*lookup[key], entry.date, entry.lesson) for key, entry in entries.items()]
    return ScheduleState(schedule=schedule, pairs=pairs, entries=entries, warnings=schedule_warnings(slots))


# Schedules -------------------------------------------------------------------------------------------------


def schedule_get_or_create(*, campaign: Campaign, school: School) -> SchoolSchedule:
    if campaign.department_id != school.department_id:
        raise ValidationError(_("Школа не относится к управлению, которое проводит эту кампанию."))
    schedule, _created = SchoolSchedule.objects.select_related("campaign", "school").get_or_create(
        campaign=campaign, school=school
    )
    return schedule


def _locked_error(schedule: SchoolSchedule) -> ValidationError:
    return ValidationError(
        _("График «{status}»: изменять его нельзя, пока управление не вернёт его на доработку.").format(
            status=schedule.get_status_display()
        )
    )


def _entry_label(entry_class: SchoolClass, assessment: Assessment) -> str:
    return f"{entry_class.name} {assessment.code}"


def _entry_text(date: datetime.date, lesson: int) -> str:
    return _("{date}, урок {lesson}").format(date=date_format(date, "d.m.Y"), lesson=lesson)


def _merge(
    state: ScheduleState, values: list[EntryValue]
) -> tuple[dict[PairKey, tuple[datetime.date, int]], dict[PairKey, set[str]]]:
    """The schedule's (date, lesson) and confirmations per pair once `values` are applied to what is stored."""
    planned = {k: (e.date, e.lesson) for k, e in state.entries.items()}
    confirmed = {k: set(e.confirmed_warnings) for k, e in state.entries.items()}
    for value in values:
        if value.date is None or value.lesson is None:
            planned.pop(value.key, None)
            confirmed.pop(value.key, None)
        else:
            planned[value.key] = (value.date, value.lesson)
            confirmed[value.key] = set(value.confirmed)
    return planned, confirmed


def schedule_preview(
    *, state: ScheduleState, values: list[EntryValue]
) -> tuple[dict[PairKey, list[ScheduleWarning]], dict[PairKey, set[str]]]:
    """The warnings the schedule would have with `values` applied, and the confirmations given; writes
    nothing (shown next to a refused save, so the school sees every warning at once)."""
    lookup = {(a.pk, c.pk): (a, c) for a, c in state.pairs}
    planned, confirmed = _merge(state, [v for v in values if v.key in lookup])
    slots = [_slot(*lookup[k], d, lesson) for k, (d, lesson) in planned.items()]
    return schedule_warnings(slots), confirmed


def _entry_value_problems(value: EntryValue, *, assigned: set[PairKey], campaign) -> list[str]:
    """Why a pair's date and lesson cannot be saved: the class does not write the assessment, only one of
    them is given, the date lies outside the campaign's window or the lesson is not 1–8."""
    problems = []
    if value.key not in assigned:
        problems.append(
            _("класс {name} не пишет работу «{work}»").format(name=value.school_class.name, work=value.assessment)
        )
    if (value.date is None) != (value.lesson is None):
        problems.append(_("укажите и дату, и номер урока"))
    if value.date is not None and not campaign.window_start <= value.date <= campaign.window_end:
        problems.append(
            _("дата {date} вне окна проведения {start} — {end}").format(
                date=date_format(value.date, "d.m.Y"),
                start=date_format(campaign.window_start, "d.m.Y"),
                end=date_format(campaign.window_end, "d.m.Y"),
            )
        )
    if value.lesson is not None and not 1 <= value.lesson <= 8:
        problems.append(_("номер урока должен быть от 1 до 8"))
    return problems


@transaction.atomic
def schedule_save(
    *, schedule: SchoolSchedule, values: list[EntryValue], actor: User, bulk_reason: str = ""
) -> ScheduleState:
    """Sets the date and lesson of the given pairs (a pair with neither is cleared) and the warnings the
    school confirms; other entries of the schedule stay as they are.

    Refuses the whole save (ValidationError keyed by `"<assessment id>_<class id>"`, or a plain one) when the
    schedule is locked, a pair is not assigned, only one of date and lesson is given, or a date lies outside
    the campaign's window. Warnings do not refuse: the values are kept and the returned state lists the
    warnings still unconfirmed. With `bulk_reason` (one date for many pairs) the change is audited as
    «schedule.bulk_set» with that reason.
    """
    schedule = SchoolSchedule.objects.select_for_update().select_related("campaign", "school").get(pk=schedule.pk)
    if not schedule.is_editable:
        raise _locked_error(schedule)
    campaign = schedule.campaign
    state = schedule_state(schedule=schedule)
    assigned = {(a.pk, c.pk) for a, c in state.pairs}
    errors: dict[str, list[str]] = {}
    for value in values:
        if problems := _entry_value_problems(value, assigned=assigned, campaign=campaign):
            errors[f"{value.key[0]}_{value.key[1]}"] = problems
    if errors:
        raise ValidationError(errors)

    lookup = {(a.pk, c.pk): (a, c) for a, c in state.pairs}
    planned, confirmed = _merge(state, values)
    warnings = schedule_warnings([_slot(*lookup[k], d, lesson) for k, (d, lesson) in planned.items()])

    before, after = {}, {}
    to_create, to_update, to_delete = [], [], []
    for key in set(planned) | set(state.entries):
        assessment, school_class = lookup[key]
        entry = state.entries.get(key)
        label = _entry_label(school_class, assessment)
        if key not in planned:
            to_delete.append(entry.pk)
            before[label], after[label] = _entry_text(entry.date, entry.lesson), None
            continue
        date, lesson = planned[key]
        # a confirmation is kept only for a warning the row still has
        codes = sorted(confirmed[key] & {w.code for w in warnings[key]})
        if entry is None:
            to_create.append(
                ScheduleEntry(
                    schedule=schedule,
                    assessment=assessment,
                    school_class=school_class,
                    date=date,
                    lesson=lesson,
                    confirmed_warnings=codes,
                )
            )
            before[label], after[label] = None, _entry_text(date, lesson)
        elif (entry.date, entry.lesson, sorted(entry.confirmed_warnings)) != (date, lesson, codes):
            if (entry.date, entry.lesson) != (date, lesson):
                before[label], after[label] = _entry_text(entry.date, entry.lesson), _entry_text(date, lesson)
            entry.date, entry.lesson, entry.confirmed_warnings = date, lesson, codes
            to_update.append(entry)
    ScheduleEntry.objects.filter(pk__in=to_delete).delete()
    ScheduleEntry.objects.bulk_create(to_create)
    ScheduleEntry.objects.bulk_update(to_update, ["date", "lesson", "confirmed_warnings"])
    if before or after:
        audit_record(
            actor=actor,
            action="schedule.bulk_set" if bulk_reason else "schedule.saved",
            target=schedule,
            school=schedule.school,
            before=before,
            after=after,
            source="bulk" if bulk_reason else "",
            reason=bulk_reason,
        )
    return schedule_state(schedule=schedule)


@transaction.atomic
def schedule_bulk_set(
    *,
    schedule: SchoolSchedule,
    assessments: list[Assessment],
    classes: list[SchoolClass],
    grades: list[int] = (),
    date: datetime.date,
    lesson: int,
    confirmed=(),
    actor: User,
) -> int:
    """One date and lesson for every chosen class × chosen assessment of its grade, and for every class of a
    chosen grade (a whole parallel) that writes a chosen assessment. All or nothing: the values go through
    `schedule_save` (its window, lesson and assignment checks, its warnings), refusals name the class and the
    work. The warnings ticked in `confirmed` are confirmed on every pair, beside those confirmed before.
    Audited once, with the number of pairs. Returns the number of pairs set."""
    state = schedule_state(schedule=schedule)
    chosen = {a.pk for a in assessments}
    wanted: dict[PairKey, tuple[Assessment, SchoolClass]] = {}
    for assessment in assessments:
        for school_class in classes:
            if school_class.grade == assessment.grade:
                wanted[(assessment.pk, school_class.pk)] = (assessment, school_class)
    for assessment, school_class in state.pairs:
        if assessment.pk in chosen and school_class.grade in set(grades):
            wanted[(assessment.pk, school_class.pk)] = (assessment, school_class)
    if not wanted:
        raise ValidationError(_("Ни один из выбранных классов не пишет выбранные работы: задавать нечего."))
    values = []
    for key, (assessment, school_class) in sorted(
        wanted.items(), key=lambda item: (item[1][1].grade, item[1][1].letter, item[1][0].code)
    ):
        entry = state.entries.get(key)
        before = set(entry.confirmed_warnings) if entry else set()
        values.append(EntryValue(assessment, school_class, date, lesson, frozenset(before | set(confirmed))))
    reason = ngettext(
        "одна дата и урок для %(n)d пары «класс — работа»",
        "одна дата и урок для %(n)d пар «класс — работа»",
        len(values),
    ) % {"n": len(values)}
    try:
        schedule_save(schedule=schedule, values=values, actor=actor, bulk_reason=reason)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        by_key = {f"{v.key[0]}_{v.key[1]}": v for v in values}
        raise ValidationError(
            [
                _("{name} — «{work}»: {problem}").format(
                    name=by_key[key].school_class.name, work=by_key[key].assessment, problem=problem
                )
                for key, problems in error.message_dict.items()
                for problem in problems
            ]
        ) from None
    return len(values)


def schedule_entry_set(
    *,
    schedule: SchoolSchedule,
    assessment: Assessment,
    school_class: SchoolClass,
    date: datetime.date | None,
    lesson: int | None,
    confirmed=(),
    actor: User,
) -> ScheduleState:
    """Sets one pair's date and lesson (see `schedule_save`)."""
    value = EntryValue(assessment, school_class, date, lesson, frozenset(confirmed))
    return schedule_save(schedule=schedule, values=[value], actor=actor)


def _users_with_role(role: str, *, school: School | None = None, department_id: int | None = None):
    users = User.objects.filter(memberships__role=role, memberships__is_active=True, is_active=True)
    if school is not None:
        users = users.filter(memberships__school=school)
    if department_id is not None:
        users = users.filter(memberships__department_id=department_id)
    return users.distinct()


def _schedule_url(schedule: SchoolSchedule) -> str:
    return reverse(
        "procedures:schedule", kwargs={"campaign_code": schedule.campaign.code, "school_code": schedule.school.code}
    )


def _notify_school(schedule: SchoolSchedule, *, text: str, event: str, at: datetime.datetime) -> None:
    notifications_send(
        users=_users_with_role(Role.SCHOOL_COORDINATOR, school=schedule.school),
        text=text,
        url=_schedule_url(schedule),
        key=f"schedule:{schedule.pk}:{event}:{at.isoformat()}",
    )


@transaction.atomic
def schedule_submit(*, schedule: SchoolSchedule, actor: User) -> SchoolSchedule:
    """Sends a draft or returned schedule to the department: every assigned pair must have a date and every
    warning must be confirmed. Notifies the municipal coordinators."""
    schedule = SchoolSchedule.objects.select_for_update().select_related("campaign", "school").get(pk=schedule.pk)
    if not schedule.is_editable:
        raise _locked_error(schedule)
    state = schedule_state(schedule=schedule)
    problems = []
    if not state.pairs:
        problems.append(_("Ни один класс школы не пишет работы этой кампании: отправлять нечего."))
    if state.missing:
        problems.append(
            _("Не заданы дата и урок: {pairs}.").format(
                pairs=", ".join(f"{c.name} — «{a}»" for a, c in state.missing[:10])
                + ("…" if len(state.missing) > 10 else "")
            )
        )
    if state.unconfirmed_count:
        problems.append(
            _("Не подтверждены предупреждения: {n}. Отметьте их в графике и сохраните.").format(
                n=state.unconfirmed_count
            )
        )
    if problems:
        raise ValidationError(problems)
    previous = schedule.status
    schedule.status = SchoolSchedule.Status.SUBMITTED
    schedule.submitted_at = timezone.now()
    schedule.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="schedule.submitted",
        target=schedule,
        school=schedule.school,
        before={"status": previous},
        after={"status": schedule.status},
    )
    notifications_send(
        users=_users_with_role(Role.MUNICIPAL_COORDINATOR, department_id=schedule.school.department_id),
        text=_("{school} направила график проведения ВПР на согласование ({campaign}).").format(
            school=schedule.school.short_name, campaign=schedule.campaign.title
        ),
        url=_schedule_url(schedule),
        key=f"schedule:{schedule.pk}:submitted:{schedule.submitted_at.isoformat()}",
    )
    return schedule


def _decide(*, schedule: SchoolSchedule, actor: User, status: str, comment: str, allowed_from) -> SchoolSchedule:
    schedule = SchoolSchedule.objects.select_for_update().select_related("campaign", "school").get(pk=schedule.pk)
    if schedule.status not in allowed_from:
        raise ValidationError(
            _("График «{status}»: это решение сейчас принять нельзя.").format(status=schedule.get_status_display())
        )
    previous = schedule.status
    schedule.status = status
    schedule.comment = comment
    schedule.decided_at = timezone.now()
    schedule.decided_by = actor
    schedule.save(update_fields=["status", "comment", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action=f"schedule.{status}",
        target=schedule,
        school=schedule.school,
        before={"status": previous},
        after={"status": status, "comment": comment},
    )
    return schedule


@transaction.atomic
def schedule_approve(*, schedule: SchoolSchedule, actor: User, comment: str = "") -> SchoolSchedule:
    """The department approves a submitted schedule; the school can no longer change it."""
    schedule = _decide(
        schedule=schedule,
        actor=actor,
        status=SchoolSchedule.Status.APPROVED,
        comment=comment.strip(),
        allowed_from={SchoolSchedule.Status.SUBMITTED},
    )
    _notify_school(
        schedule,
        text=_("График проведения ВПР согласован управлением ({campaign}).").format(campaign=schedule.campaign.title),
        event="approved",
        at=schedule.decided_at,
    )
    return schedule


@transaction.atomic
def schedule_return(*, schedule: SchoolSchedule, actor: User, comment: str) -> SchoolSchedule:
    """The department returns a submitted (or already approved) schedule to the school with a comment saying
    what to change; the school edits and submits it again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Напишите школе, что нужно исправить: без комментария график не возвращается."))
    schedule = _decide(
        schedule=schedule,
        actor=actor,
        status=SchoolSchedule.Status.RETURNED,
        comment=comment,
        allowed_from={SchoolSchedule.Status.SUBMITTED, SchoolSchedule.Status.APPROVED},
    )
    _notify_school(
        schedule,
        text=_("График проведения ВПР возвращён на доработку ({campaign}): {comment}").format(
            campaign=schedule.campaign.title, comment=comment
        )[:500],
        event="returned",
        at=schedule.decided_at,
    )
    return schedule


# Class assignment ------------------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = ["Код школы", "Класс", "Код работы"]


@dataclass(frozen=True)
class AssignmentRecord:
    """One row of Rosobrnadzor's distribution, checked for shape only."""

    row: int
    school_code: str
    grade: int
    letter: str
    assessment_code: str


def parse_assignments(table: Table) -> list[AssignmentRecord]:
    """Rows of the distribution file (`Код школы`, `Класс`, `Код работы`); pure, refuses naming every problem."""
    index = require_columns(table, ASSIGNMENT_COLUMNS)
    school_at, class_at, work_at = (index[name.casefold()] for name in ASSIGNMENT_COLUMNS)
    problems: list[Problem] = []
    records: list[AssignmentRecord] = []
    for row_number, cells in table.rows:
        school_code, class_name, work_code = cells[school_at].strip(), cells[class_at].strip(), cells[work_at].strip()
        ok = True
        for value, column in ((school_code, "Код школы"), (class_name, "Класс"), (work_code, "Код работы")):
            if not value:
                problems.append(Problem(_("не заполнено"), row=row_number, column=column))
                ok = False
        parsed = parse_class_name(class_name) if class_name else None
        if class_name and parsed is None:
            problems.append(
                Problem(
                    _("«{value}» не является названием класса (например, 4А)").format(value=class_name),
                    row=row_number,
                    column="Класс",
                )
            )
            ok = False
        if ok:
            records.append(AssignmentRecord(row_number, school_code, parsed[0], parsed[1], work_code))
    if not table.rows:
        problems.append(Problem(_("в файле нет ни одной строки с назначением")))
    if problems:
        raise InputRefused(problems)
    return records


@dataclass(frozen=True)
class ResolvedAssignment:
    row: int
    school: School
    school_class: SchoolClass
    assessment: Assessment


def assignments_resolve(*, campaign: Campaign, records: list[AssignmentRecord]) -> list[ResolvedAssignment]:
    """Matches the rows to the department's schools, their classes (see `campaign_classes`) and the campaign's
    assessments; refuses the whole file naming every unknown school, class or assessment, every class whose
    grade is not the assessment's and every repeated row."""
    schools = {
        s.code.casefold(): s
        for s in School.objects.filter(department_id=campaign.department_id).select_related("department")
    }
    assessments = {a.code.casefold(): a for a in campaign.assessments.select_related("subject")}
    classes = campaign_classes_by_school(campaign=campaign, school_ids=[s.pk for s in schools.values()])
    class_lookup = {(c.school_id, c.grade, c.letter): c for items in classes.values() for c in items}
    problems: list[Problem] = []
    resolved: list[ResolvedAssignment] = []
    seen: dict[tuple[int, int], int] = {}
    for record in records:
        school = schools.get(record.school_code.casefold())
        assessment = assessments.get(record.assessment_code.casefold())
        class_name = f"{record.grade}{record.letter}"
        if school is None:
            problems.append(
                Problem(
                    _("школа с кодом «{code}» не найдена").format(code=record.school_code),
                    row=record.row,
                    column="Код школы",
                )
            )
        if assessment is None:
            problems.append(
                Problem(
                    _("работы с кодом «{code}» нет в кампании {campaign}").format(
                        code=record.assessment_code, campaign=campaign.code
                    ),
                    row=record.row,
                    column="Код работы",
                )
            )
        school_class = class_lookup.get((school.pk, record.grade, record.letter)) if school else None
        if school is not None and school_class is None:
            problems.append(
                Problem(
                    _("в школе {code} нет класса {name}").format(code=school.code, name=class_name),
                    row=record.row,
                    column="Класс",
                )
            )
        if school_class is None or assessment is None:
            continue
        if school_class.grade != assessment.grade:
            problems.append(
                Problem(
                    _("класс {name} не может писать работу {code}: она для {grade} класса").format(
                        name=class_name, code=assessment.code, grade=assessment.grade
                    ),
                    row=record.row,
                    column="Класс",
                )
            )
            continue
        key = (assessment.pk, school_class.pk)
        if key in seen:
            problems.append(Problem(_("повторяет строку {row}").format(row=seen[key]), row=record.row, column=None))
            continue
        seen[key] = record.row
        resolved.append(ResolvedAssignment(record.row, school, school_class, assessment))
    if problems:
        raise InputRefused(problems)
    return resolved


@dataclass(frozen=True)
class AssignmentImportSummary:
    """What a distribution file does: (school, assessment) pairs it replaces, class rows added and removed."""

    pairs: int
    schools: int
    added: int
    removed: int
    unchanged: int


def _grouped(resolved: list[ResolvedAssignment]) -> dict[tuple[School, Assessment], set[SchoolClass]]:
    groups: dict[tuple[int, int], tuple[School, Assessment, set]] = {}
    for item in resolved:
        groups.setdefault((item.school.pk, item.assessment.pk), (item.school, item.assessment, set()))[2].add(
            item.school_class
        )
    return {(school, assessment): classes for school, assessment, classes in groups.values()}


def _existing_assignments(campaign: Campaign, school_ids) -> dict[tuple[int, int], set[int]]:
    existing: dict[tuple[int, int], set[int]] = defaultdict(set)
    for school_id, assessment_id, class_id in ClassAssignment.objects.filter(
        assessment__campaign=campaign, school_id__in=list(school_ids)
    ).values_list("school_id", "assessment_id", "school_class_id"):
        existing[(school_id, assessment_id)].add(class_id)
    return existing


def assignments_import_preview(*, campaign: Campaign, resolved: list[ResolvedAssignment]) -> AssignmentImportSummary:
    """What `assignments_import` would do, without writing."""
    groups = _grouped(resolved)
    existing = _existing_assignments(campaign, {school.pk for school, _a in groups})
    added = removed = unchanged = 0
    for (school, assessment), classes in groups.items():
        old = existing.get((school.pk, assessment.pk), set())
        new = {c.pk for c in classes}
        added += len(new - old)
        removed += len(old - new)
        unchanged += len(new & old)
    return AssignmentImportSummary(len(groups), len({s.pk for s, _a in groups}), added, removed, unchanged)


@transaction.atomic
def assignments_import(
    *, campaign: Campaign, resolved: list[ResolvedAssignment], actor: User | None
) -> AssignmentImportSummary:
    """Applies Rosobrnadzor's distribution: for every (school, assessment) in the file, exactly the file's
    classes write it; pairs not in the file keep their assignment (or the default)."""
    summary = assignments_import_preview(campaign=campaign, resolved=resolved)
    by_school: dict[School, dict[Assessment, set[SchoolClass]]] = defaultdict(dict)
    for (school, assessment), classes in _grouped(resolved).items():
        by_school[school][assessment] = classes
    for school, chosen in by_school.items():
        _assignments_replace(campaign=campaign, school=school, chosen=chosen, actor=actor, source="import")
    return summary


def _assignments_replace(
    *, campaign: Campaign, school: School, chosen: dict[Assessment, set[SchoolClass] | None], actor, source: str
) -> bool:
    """Replaces the school's assignment of each given assessment (None: back to the default), then brings the
    school's schedule in line. Returns whether anything changed."""
    before_works = {w.assessment.pk: w for w in assigned_works(campaign=campaign, school=school)}
    existing = _existing_assignments(campaign, [school.pk])
    before, after = {}, {}
    for assessment, classes in chosen.items():
        old = existing.get((school.pk, assessment.pk), set())
        new = {c.pk for c in classes} if classes is not None else set()
        if old == new:
            continue
        ClassAssignment.objects.filter(assessment=assessment, school=school).delete()
        if classes:
            ClassAssignment.objects.bulk_create(
                ClassAssignment(assessment=assessment, school=school, school_class=c)
                for c in sorted(classes, key=lambda c: (c.grade, c.letter))
            )
        work = before_works.get(assessment.pk)
        before[assessment.code] = ", ".join(c.name for c in work.classes) if work else ""
        after[assessment.code] = (
            ", ".join(c.name for c in sorted(classes, key=lambda c: (c.grade, c.letter)))
            if classes
            else _("все классы параллели")
        )
    if not after:
        return False
    audit_record(
        actor=actor,
        action="class_assignment.changed",
        target=school,
        school=school,
        before=before,
        after=after,
        source=source,
        reason=campaign.code,
    )
    _schedule_follow_assignment(campaign=campaign, school=school, actor=actor)
    return True


@transaction.atomic
def class_assignments_set(
    *, campaign: Campaign, school: School, chosen: dict[Assessment, list[SchoolClass]], actor: User
) -> bool:
    """The department's edit of one school's assignment: for each assessment, the classes that write it.

    Choosing every class of the grade returns the assessment to the default (no rows). Choosing none is
    refused: with no rows every class of the grade writes the work, so "no class" cannot be recorded.
    """
    if campaign.department_id != school.department_id:
        raise ValidationError(_("Школа не относится к управлению, которое проводит эту кампанию."))
    works = {w.assessment.pk: w for w in assigned_works(campaign=campaign, school=school)}
    classes_of_grade = defaultdict(set)
    for school_class in campaign_classes_by_school(campaign=campaign, school_ids=[school.pk]).get(school.pk, []):
        classes_of_grade[school_class.grade].add(school_class)
    normalised: dict[Assessment, set[SchoolClass] | None] = {}
    errors = []
    for assessment, classes in chosen.items():
        if assessment.campaign_id != campaign.pk or assessment.pk not in works:
            raise ValidationError(_("Работа не из этой кампании."))
        available = classes_of_grade.get(assessment.grade, set())
        picked = set(classes)
        if picked - available:
            raise ValidationError(_("Класс не из этой школы или не той параллели."))
        if not available:
            continue
        if not picked:
            errors.append(
                _("«{work}»: отметьте хотя бы один класс (без назначения работу пишут все классы параллели).").format(
                    work=assessment
                )
            )
            continue
        normalised[assessment] = None if picked == available else picked
    if errors:
        raise ValidationError(errors)
    return _assignments_replace(campaign=campaign, school=school, chosen=normalised, actor=actor, source="form")


def _schedule_follow_assignment(*, campaign: Campaign, school: School, actor) -> None:
    """After the assignment changed: entries of pairs no longer assigned are removed, and a schedule that was
    already submitted or approved goes back to the school when it gained pairs without a date."""
    schedule = SchoolSchedule.objects.select_for_update().filter(campaign=campaign, school=school).first()
    if schedule is None:
        return
    state = schedule_state(schedule=schedule)
    assigned = {(a.pk, c.pk) for a, c in state.pairs}
    stale = [
        e
        for e in schedule.entries.select_related("assessment__subject", "school_class")
        if (e.assessment_id, e.school_class_id) not in assigned
    ]
    if stale:
        ScheduleEntry.objects.filter(pk__in=[e.pk for e in stale]).delete()
        audit_record(
            actor=actor,
            action="schedule.entries_unassigned",
            target=schedule,
            school=school,
            before={_entry_label(e.school_class, e.assessment): _entry_text(e.date, e.lesson) for e in stale},
        )
    if state.missing and schedule.status in (SchoolSchedule.Status.SUBMITTED, SchoolSchedule.Status.APPROVED):
        schedule.status = SchoolSchedule.Status.RETURNED
        schedule.comment = _("Назначение классов изменилось: задайте дату и урок для новых классов и отправьте снова.")
        schedule.decided_at = timezone.now()
        schedule.decided_by = actor if actor is not None and actor.pk else None
        schedule.save(update_fields=["status", "comment", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action="schedule.returned",
            target=schedule,
            school=school,
            after={"status": schedule.status, "comment": schedule.comment},
        )
        _notify_school(schedule, text=schedule.comment, event="returned", at=schedule.decided_at)
