"""The municipal re-check commission (Регламент VIII; issue 12): its composition and approval (Регламент 8.5), the
distribution of the selected works among its experts, the blind re-check of each work, the third expert when the
re-check diverges, and the commission's final result.

The original results are never changed: the commission's scores are `RecheckScore` rows with their own history
(`RecheckScoreChange`). A commission expert never sees the original scores, total, mark or expert of a work
(blind re-check); the third expert sees neither the original nor the first round's scores.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Score, Work
from grading.services.scores import cell_parse
from monitoring.models import (
    CommissionMember,
    Recheck,
    RecheckScore,
    RecheckScoreChange,
    RecheckSelection,
    RecheckWork,
)
from monitoring.recheck import selection_works
from procedures.models import Task
from procedures.selectors.rooms import expert_refusals_by_assessment
from schools.models import Staff, User
from schools.services import audit_record, notifications_send

Round = RecheckScore.Round
Status = RecheckWork.Status


# Who may serve -----------------------------------------------------------------------------------------------


def _selections(recheck: Recheck, selection: RecheckSelection | None) -> list[RecheckSelection]:
    if selection is not None:
        return [selection]
    return list(recheck.selections.select_related("school", "assessment__subject", "assessment__campaign"))


def _checked(staff_ids: Iterable[int], selections: list[RecheckSelection]) -> set[tuple[int, int]]:
    """(staff id, selection id) where the staff member checked a work of the selection (one query)."""
    staff_ids = list(staff_ids)
    if not staff_ids or not selections:
        return set()
    by_pair = {(s.school_id, s.assessment_id): s.pk for s in selections}
    query = Q()
    for school_id, assessment_id in by_pair:
        query |= Q(school_id=school_id, assessment_id=assessment_id)
    rows = Work.objects.filter(query, expert_id__in=staff_ids).values_list("expert_id", "school_id", "assessment_id")
    return {(expert_id, by_pair[(school_id, assessment_id)]) for expert_id, school_id, assessment_id in rows.distinct()}


def r4_own_school_reason(staff: Staff, selection: RecheckSelection) -> str:
    return _(
        "{name} работает в школе {school}: эксперт комиссии не перепроверяет работы своей школы (Регламент 7.6, 8.5)."
    ).format(name=staff.full_name, school=selection.school.code)


def r4_own_work_reason(staff: Staff, selection: RecheckSelection) -> str:
    return _(
        "{name} проверял(а) работы «{work}» в школе {school}: свою проверку эксперт не перепроверяет (Регламент 7.6)."
    ).format(name=staff.full_name, work=selection.assessment, school=selection.school.code)


def conflicts_by_selection(
    staff: Iterable[Staff], recheck: Recheck, *, selection: RecheckSelection | None = None
) -> dict[int, dict[int, list[str]]]:
    """Staff id → selection id → why the staff member may not re-check that selection's works: R4 (Регламент
    7.6: never a work of their own school, never a work they checked), R3 (Регламент 7.3: the expert's
    qualification for the selection's assessment) and R5 (Регламент 6.7: no close relative among its
    participants). R3 and R5 are read by `procedures.selectors.rooms.expert_refusals_by_assessment`, once per
    selected school. Empty lists where they may."""
    staff = list(staff)
    selections = _selections(recheck, selection)
    checked = _checked((s.pk for s in staff), selections)
    by_school: dict[int, list[RecheckSelection]] = defaultdict(list)
    for item in selections:
        by_school[item.school_id].append(item)
    refusals: dict[int, dict[int, dict[int, list[str]]]] = {}  # school id → assessment id → staff id → reasons
    for school_selections in by_school.values():
        school = school_selections[0].school
        assessments = list({s.assessment_id: s.assessment for s in school_selections}.values())
        refusals[school.pk] = expert_refusals_by_assessment(assessments=assessments, school=school, staff=staff)
    result: dict[int, dict[int, list[str]]] = {}
    for person in staff:
        result[person.pk] = {}
        for item in selections:
            reasons = []
            if person.school_id == item.school_id:
                reasons.append(r4_own_school_reason(person, item))
            if (person.pk, item.pk) in checked:
                reasons.append(r4_own_work_reason(person, item))
            reasons += refusals[item.school_id][item.assessment_id].get(person.pk, [])
            result[person.pk][item.pk] = reasons
    return result


def commission_conflicts(staff: Staff, recheck: Recheck, *, selection: RecheckSelection | None = None) -> list[str]:
    """R4 (Регламент 7.6), its re-check half: a commission expert never re-checks a work of their own school nor
    a work they checked (`Work.expert`); with R3 (qualification, Регламент 7.3) and R5 (close relatives among the
    participants, Регламент 6.7) read by procedures' functions. The reasons why `staff` may not re-check the
    works of `selection` (or of any of the re-check's selections); empty when they may. The first half of R4
    (one expert checks a work once) is `grading.services.distribution.works_held`."""
    found = conflicts_by_selection([staff], recheck, selection=selection)[staff.pk]
    reasons: list[str] = []
    for item_reasons in found.values():
        reasons += [reason for reason in item_reasons if reason not in reasons]
    return reasons


@dataclass(frozen=True)
class Candidate:
    staff: Staff
    member: CommissionMember | None
    refusals: list[str]  # R3, R5 (and R4 where they would get nothing at all)
    notes: list[str]  # R4: what they will never get
    blocked: bool  # no selected work they could re-check


def candidates_of(staff: Iterable[Staff], recheck: Recheck) -> list[Candidate]:
    """Each staff member with why they may not serve: R3/R5 refusals per selected assessment and R4 as a note
    (never their own school's works or the works they checked). `blocked` when there are selections and they
    could re-check none of them."""
    staff = list(staff)
    selections = _selections(recheck, None)
    conflicts = conflicts_by_selection(staff, recheck)
    members = {m.staff_id: m for m in recheck.members.all()}
    result = []
    for person in staff:
        refusals: list[str] = []
        notes: list[str] = []
        for item in selections:
            r4 = {r4_own_school_reason(person, item), r4_own_work_reason(person, item)}
            for reason in conflicts[person.pk][item.pk]:
                target = notes if reason in r4 else refusals
                if reason not in target:
                    target.append(reason)
        blocked = bool(selections) and all(conflicts[person.pk][s.pk] for s in selections)
        result.append(Candidate(person, members.get(person.pk), refusals, notes, blocked))
    return result


def candidate_staff(recheck: Recheck, query: str = "", *, limit: int = 30) -> QuerySet[Staff]:
    """The department's schools' working staff matching `query` (a name or a school's code), by name."""
    staff = Staff.objects.filter(school__department_id=recheck.department_id, is_active=True).select_related("school")
    query = (query or "").strip()[:100]
    if query:
        staff = staff.filter(Q(search_text__icontains=query.lower()) | Q(school__code__iexact=query))
    return staff.order_by("last_name", "first_name", "middle_name", "pk")[:limit]


# The composition -----------------------------------------------------------------------------------------------


def _not_approved(recheck: Recheck) -> None:
    if recheck.commission_approved_at is not None:
        raise ValidationError(
            _("Состав комиссии утверждён: чтобы изменить его, сначала отмените утверждение, указав причину.")
        )


@transaction.atomic
def member_add(recheck: Recheck, staff: Staff, *, by: User, is_chair: bool = False) -> CommissionMember:
    """Adds a school's staff member to the commission (idempotent). Refused after approval, for someone outside
    the department or not working, and for someone who could re-check none of the selected works (R3, R4, R5)."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    _not_approved(recheck)
    if staff.school.department_id != recheck.department_id or not staff.is_active:
        raise ValidationError(_("В комиссию входят работающие сотрудники школ муниципалитета."))
    existing = recheck.members.filter(staff=staff).first()
    if existing is not None:
        return existing
    candidate = candidates_of([staff], recheck)[0]
    if candidate.blocked:
        raise ValidationError(
            [_("{name} не может перепроверить ни одной отобранной работы:").format(name=staff.full_name)]
            + candidate.refusals
            + candidate.notes
        )
    if is_chair:
        recheck.members.update(is_chair=False)
    member = CommissionMember.objects.create(recheck=recheck, staff=staff, is_chair=is_chair, added_by=by)
    audit_record(
        actor=by,
        action="recheck.member_added",
        target=member,
        department=recheck.department,
        after={"member": staff.full_name, "school": staff.school.code, "is_chair": is_chair},
    )
    return member


@transaction.atomic
def member_remove(member: CommissionMember, *, by: User) -> None:
    """Removes an expert before approval and before any of their works is scored; works given to them and not yet
    scored return to the pool (the next distribution gives them to others)."""
    recheck = Recheck.objects.select_for_update().get(pk=member.recheck_id)
    _not_approved(recheck)
    scored = RecheckScore.objects.filter(
        Q(recheck_work__expert=member, round=Round.FIRST) | Q(recheck_work__third_expert=member, round=Round.THIRD)
    )
    if scored.exists() or member.works.exclude(status=Status.ASSIGNED).exists():
        raise ValidationError(
            _("{name} уже выставил(а) баллы перепроверки: исключить из комиссии нельзя.").format(
                name=member.staff.full_name
            )
        )
    released = list(member.works.values_list("work_id", flat=True))
    member.works.all().delete()
    RecheckWork.objects.filter(third_expert=member).update(third_expert=None)
    audit_record(
        actor=by,
        action="recheck.member_removed",
        target=member,
        department=recheck.department,
        before={"member": member.staff.full_name, "school": member.staff.school.code, "is_chair": member.is_chair},
        after={"works_released": len(released)},
    )
    member.delete()


@transaction.atomic
def chair_set(member: CommissionMember, *, by: User) -> None:
    """Makes the member the commission's chair (one chair)."""
    recheck = Recheck.objects.select_for_update().get(pk=member.recheck_id)
    _not_approved(recheck)
    recheck.members.exclude(pk=member.pk).update(is_chair=False)
    CommissionMember.objects.filter(pk=member.pk).update(is_chair=True)
    audit_record(
        actor=by,
        action="recheck.chair_set",
        target=member,
        department=recheck.department,
        after={"chair": member.staff.full_name},
    )


MIN_MEMBERS = 2  # a divergent work goes to a third expert, who is not its first one


@transaction.atomic
def commission_approve(recheck: Recheck, *, order: str, by: User) -> Recheck:
    """Регламент 8.5: the department approves the commission's composition by its order (number and date as
    text); from then on the composition is fixed and the works may be distributed."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    _not_approved(recheck)
    order = (order or "").strip()
    errors = []
    if not order:
        errors.append(_("Укажите номер и дату приказа об утверждении состава комиссии."))
    members = list(recheck.members.select_related("staff"))
    if len(members) < MIN_MEMBERS:
        errors.append(
            _("В комиссии должно быть не меньше {n} экспертов: работу с расхождением проверяет третий эксперт.").format(
                n=MIN_MEMBERS
            )
        )
    if not any(m.is_chair for m in members):
        errors.append(_("Назначьте председателя комиссии."))
    if errors:
        raise ValidationError(errors)
    recheck.commission_approved_at = timezone.now()
    recheck.commission_approved_by = by
    recheck.commission_order = order[:200]
    recheck.save(update_fields=["commission_approved_at", "commission_approved_by", "commission_order"])
    audit_record(
        actor=by,
        action="recheck.commission_approved",
        target=recheck,
        department=recheck.department,
        after={
            "commission_order": recheck.commission_order,
            "members": [m.staff.full_name for m in members],
            "chair": next(m.staff.full_name for m in members if m.is_chair),
        },
    )
    return recheck


@transaction.atomic
def commission_unapprove(recheck: Recheck, *, reason: str, by: User) -> Recheck:
    """Cancels the approval so that the composition may change; the reason is required and audited."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if recheck.commission_approved_at is None:
        raise ValidationError(_("Состав комиссии не утверждён."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Укажите причину отмены утверждения состава комиссии."))
    before = {"commission_order": recheck.commission_order, "commission_approved_at": recheck.commission_approved_at}
    recheck.commission_approved_at = None
    recheck.commission_approved_by = None
    recheck.save(update_fields=["commission_approved_at", "commission_approved_by"])
    audit_record(
        actor=by,
        action="recheck.commission_unapproved",
        target=recheck,
        department=recheck.department,
        before=before,
        reason=reason[:1000],
    )
    return recheck


# Distribution ------------------------------------------------------------------------------------------------


def _selection_works(selection: RecheckSelection) -> list[Work]:
    return list(selection_works(selection))


@dataclass
class Unassigned:
    work: Work
    selection: RecheckSelection
    reasons: list[str]


@dataclass
class Distribution:
    created: list[RecheckWork] = field(default_factory=list)
    kept: int = 0
    unassigned: list[Unassigned] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)  # member id → works held after the distribution


@transaction.atomic
def works_distribute(recheck: Recheck, *, by: User) -> Distribution:
    """Gives each work of the selections whose receipt is confirmed to a commission expert: evenly (the least
    loaded, counting the works they hold already), never to one with a conflict (R4 own school or own check, R3,
    R5: `conflicts_by_selection`). The original total and mark are frozen on the re-checked work. Idempotent:
    works already given stay with their expert; a work nobody may take is listed with the reasons, not given.
    Only after the composition is approved (Регламент 8.5)."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if recheck.commission_approved_at is None:
        raise ValidationError(_("Сначала утвердите состав комиссии: работы распределяются между её экспертами."))
    members = list(recheck.members.select_related("staff__school", "staff__user").order_by("pk"))
    selections = list(
        recheck.selections.filter(received_at__isnull=False)
        .select_related("school", "assessment__subject", "assessment__campaign")
        .order_by("school__code", "assessment__code")
    )
    result = Distribution()
    if not selections:
        raise ValidationError(_("Нет отобранных работ с подтверждённым получением сканов: распределять нечего."))
    load = Counter(RecheckWork.objects.filter(expert__recheck=recheck).values_list("expert_id", flat=True).iterator())
    conflicts = conflicts_by_selection([m.staff for m in members], recheck)
    already = set(RecheckWork.objects.filter(selection__recheck=recheck).values_list("work_id", flat=True))
    for selection in selections:
        for work in _selection_works(selection):
            if work.pk in already:
                result.kept += 1
                continue
            eligible = [
                m for m in members if not conflicts[m.staff_id].get(selection.pk) and work.expert_id != m.staff_id
            ]
            if not eligible:
                reasons: list[str] = []
                for m in members:
                    for reason in conflicts[m.staff_id].get(selection.pk) or [r4_own_work_reason(m.staff, selection)]:
                        if reason not in reasons:
                            reasons.append(reason)
                result.unassigned.append(Unassigned(work, selection, reasons))
                continue
            member = min(eligible, key=lambda m: (load[m.pk], m.pk))
            load[member.pk] += 1
            result.created.append(
                RecheckWork(
                    selection=selection,
                    work=work,
                    expert=member,
                    original_primary_score=work.primary_score,
                    original_mark=work.mark,
                )
            )
    RecheckWork.objects.bulk_create(result.created)
    result.load = {m.pk: load[m.pk] for m in members}
    given = Counter(rw.expert_id for rw in result.created)
    audit_record(
        actor=by,
        action="recheck.works_distributed",
        target=recheck,
        department=recheck.department,
        after={
            "distributed": len(result.created),
            "kept": result.kept,
            "unassigned": len(result.unassigned),
        },
    )
    url = reverse("monitoring:recheck_my_works")
    for member in members:
        if given[member.pk] and member.staff.user_id:
            notifications_send(
                users=[member.staff.user],
                text=_(
                    "Вам распределены работы на перепроверку: {n}. Перепроверка слепая: баллы школы не видны."
                ).format(n=given[member.pk]),
                url=url,
            )
    return result


# Scores ------------------------------------------------------------------------------------------------------


def works_of_user(user: User) -> QuerySet[RecheckWork]:
    """The re-checked works a commission expert holds: as the first expert, or as the third expert of a work sent
    to adjudication (and decided). Another expert's works are not here (404 in the pages)."""
    return RecheckWork.objects.filter(
        Q(expert__staff__user=user) | Q(third_expert__staff__user=user, status__in=[Status.ADJUDICATION, Status.FINAL])
    )


def round_of(recheck_work: RecheckWork, user: User) -> str | None:
    """Which round `user` scores this work in now (first for its expert while assigned, third for its third
    expert while in adjudication); None when they may not change it."""
    if recheck_work.status == Status.ASSIGNED and recheck_work.expert.staff.user_id == user.pk:
        return Round.FIRST
    if (
        recheck_work.status == Status.ADJUDICATION
        and recheck_work.third_expert_id
        and recheck_work.third_expert.staff.user_id == user.pk
    ):
        return Round.THIRD
    return None


def score_text(score: RecheckScore | None) -> str:
    if score is None:
        return ""
    return "X" if score.not_attempted else ("" if score.value is None else str(score.value))


class RecheckConflict(Exception):
    """The cell changed since the page loaded it: nothing is overwritten silently."""

    def __init__(self, score: RecheckScore):
        super().__init__(_("Балл изменён в другом окне: обновите страницу."))
        self.score = score


@dataclass(frozen=True)
class SavedCell:
    score: RecheckScore
    total: int | None
    mark: int | None


def round_total(recheck_work: RecheckWork, round: str) -> tuple[int | None, int | None, bool]:
    """The round's total, mark (when every task is scored) and whether every task is scored; «X» counts 0."""
    tasks = list(recheck_work.work.assessment.tasks.values_list("pk", flat=True))
    scores = {s.task_id: s for s in recheck_work.scores.filter(round=round)}
    graded = [scores[t] for t in tasks if t in scores and (scores[t].value is not None or scores[t].not_attempted)]
    if not graded:
        return None, None, False
    total = sum(s.value or 0 for s in graded)
    complete = len(graded) == len(tasks)
    return total, recheck_work.work.assessment.mark_for(total) if complete else None, complete


@transaction.atomic
def cell_save(
    recheck_work: RecheckWork, task: Task, raw, *, by: User, base_version: int, source: str = "grid"
) -> SavedCell:
    """Saves one task's re-check points (0…max or X) of the round `by` scores the work in now; refused after the
    work is submitted (or for whoever does not hold it). Writes the history. Raises RecheckConflict when the
    cell's version is not `base_version`."""
    recheck_work = (
        RecheckWork.objects.select_for_update(of=("self",))
        .select_related("expert__staff", "third_expert__staff", "work__assessment")
        .get(pk=recheck_work.pk)
    )
    if task.assessment_id != recheck_work.work.assessment_id:
        raise ValidationError(_("Задание не из этой работы."))
    round = round_of(recheck_work, by)
    if round is None:
        raise ValidationError(_("Работа сдана: баллы перепроверки изменить нельзя."))
    cell = cell_parse(raw, max_points=task.max_points)
    score, _created = RecheckScore.objects.select_for_update().get_or_create(
        recheck_work=recheck_work, round=round, task=task
    )
    if score.version != base_version:
        raise RecheckConflict(score)
    old = score_text(score)
    score.value = cell.value
    score.not_attempted = cell.not_attempted
    new = score_text(score)
    if new != old:
        score.version += 1
        score.updated_at = timezone.now()
        score.updated_by = by
        score.save()
        RecheckScoreChange.objects.create(
            recheck_work=recheck_work, round=round, task=task, old=old, new=new, source=source, changed_by=by
        )
    total, mark, _complete = round_total(recheck_work, round)
    return SavedCell(score, total, mark)


# Submission, adjudication, the result --------------------------------------------------------------------------


def _round_scores(recheck_work: RecheckWork, round: str) -> dict[int, int]:
    return {s.task_id: s.value or 0 for s in recheck_work.scores.filter(round=round)}


def original_scores(recheck_work: RecheckWork) -> dict[int, int]:
    """The original expert's points per task («X» and an empty cell count 0)."""
    return {
        task_id: value or 0
        for task_id, value in Score.objects.filter(work_id=recheck_work.work_id).values_list("task_id", "value")
    }


def needs_adjudication(recheck_work: RecheckWork, first: dict[int, int], tasks: list[int]) -> bool:
    """Issue 12 (Регламент 8.x, the commission's rule): a re-check goes to a third expert when its mark differs
    from the original one or a task differs from the original by `recheck.adjudication_points` or more."""
    if recheck_work.recheck_mark != recheck_work.original_mark:
        return True
    original = original_scores(recheck_work)
    limit = recheck_work.selection.recheck.adjudication_points
    return any(abs(first.get(t, 0) - original.get(t, 0)) >= limit for t in tasks)


def _missing(recheck_work: RecheckWork, round: str) -> list[str]:
    scored = {s.task_id for s in recheck_work.scores.filter(round=round) if s.value is not None or s.not_attempted}
    return [t.label for t in recheck_work.work.assessment.tasks.order_by("position") if t.pk not in scored]


@transaction.atomic
def work_submit(recheck_work: RecheckWork, *, by: User, note: str = "") -> RecheckWork:
    """Submits a re-checked work. The first expert's (every task scored): the re-check total and mark
    (`Assessment.mark_for`); the work goes to adjudication when `needs_adjudication`, else its result is final
    (the first round's). The third expert's (every task scored and a decision note): their scores become the
    final result. Audited; refused for whoever does not hold the work in its current round."""
    recheck_work = (
        RecheckWork.objects.select_for_update(of=("self",))
        .select_related("expert__staff", "third_expert__staff", "work__assessment", "work__participant", "selection")
        .get(pk=recheck_work.pk)
    )
    round = round_of(recheck_work, by)
    if round is None:
        raise ValidationError(_("Работа {code} уже сдана.").format(code=recheck_work.work.participant.code))
    code = recheck_work.work.participant.code
    missing = _missing(recheck_work, round)
    if missing:
        raise ValidationError(
            _("Работа {code}: не оценены задания {tasks}.").format(code=code, tasks=", ".join(missing))
        )
    assessment = recheck_work.work.assessment
    tasks = list(assessment.tasks.values_list("pk", flat=True))
    now = timezone.now()
    if round == Round.FIRST:
        first = _round_scores(recheck_work, Round.FIRST)
        total = sum(first.values())
        recheck_work.recheck_primary_score = total
        recheck_work.recheck_mark = assessment.mark_for(total)
        recheck_work.scored_at = now
        if needs_adjudication(recheck_work, first, tasks):
            recheck_work.status = Status.ADJUDICATION
        else:
            recheck_work.status = Status.FINAL
            recheck_work.final_primary_score = total
            recheck_work.final_mark = recheck_work.recheck_mark
            recheck_work.decided_at = now
        action = "recheck.work_scored"
    else:
        note = (note or "").strip()
        if not note:
            raise ValidationError(_("Работа {code}: опишите решение третьего эксперта.").format(code=code))
        third = _round_scores(recheck_work, Round.THIRD)
        total = sum(third.values())
        recheck_work.status = Status.FINAL
        recheck_work.final_primary_score = total
        recheck_work.final_mark = assessment.mark_for(total)
        recheck_work.decided_at = now
        recheck_work.decision_note = note[:5000]
        action = "recheck.work_decided"
    recheck_work.save()
    if recheck_work.status == Status.FINAL:
        selection_completed(recheck_work.selection)
    audit_record(
        actor=by,
        action=action,
        target=recheck_work,
        school=recheck_work.selection.school,
        department=recheck_work.selection.recheck.department,
        target_label=f"{recheck_work.selection} · {code}",
        after={
            "status": recheck_work.get_status_display(),
            "recheck_primary_score": recheck_work.recheck_primary_score,
            "recheck_mark": recheck_work.recheck_mark,
            "final_primary_score": recheck_work.final_primary_score,
            "final_mark": recheck_work.final_mark,
        },
    )
    return recheck_work


def selection_completed(selection: RecheckSelection) -> bool:
    """Marks the selection's re-check completed (`completed_at`, which stops its clock's reminders) once every
    work of it is distributed and has its final result; whether it is completed."""
    if selection.completed_at is not None:
        return True
    works = {w.pk for w in _selection_works(selection)}
    final = set(RecheckWork.objects.filter(selection=selection, status=Status.FINAL).values_list("work_id", flat=True))
    if not works or not works <= final:
        return False
    selection.completed_at = timezone.now()
    RecheckSelection.objects.filter(pk=selection.pk).update(completed_at=selection.completed_at)
    return True


def final_scores(recheck_work: RecheckWork) -> dict[int, int]:
    """Task id → the commission's final points of the work («X» counts 0): the third expert's when the work went
    to adjudication, else the first round's. Empty until the result is final."""
    if recheck_work.status != Status.FINAL:
        return {}
    has_third = recheck_work.scores.filter(round=Round.THIRD).exists()
    return _round_scores(recheck_work, Round.THIRD if has_third else Round.FIRST)


def third_candidates(recheck_work: RecheckWork) -> list[CommissionMember]:
    """The members who may adjudicate the work: not its first expert, no conflict with its selection (R3, R4, R5)
    and not its original expert; the least loaded first."""
    selection = recheck_work.selection
    recheck = selection.recheck
    members = [
        m
        for m in recheck.members.select_related("staff__school")
        if m.pk != recheck_work.expert_id and m.staff_id != recheck_work.work.expert_id
    ]
    conflicts = conflicts_by_selection([m.staff for m in members], recheck, selection=selection)
    load = Counter(RecheckWork.objects.filter(expert__recheck=recheck).values_list("expert_id", flat=True))
    load.update(RecheckWork.objects.filter(third_expert__recheck=recheck).values_list("third_expert_id", flat=True))
    eligible = [m for m in members if not conflicts[m.staff_id][selection.pk]]
    return sorted(eligible, key=lambda m: (load[m.pk], m.pk))


@transaction.atomic
def third_expert_assign(recheck_work: RecheckWork, *, by: User, member: CommissionMember | None = None) -> RecheckWork:
    """The department gives a work in adjudication to a third expert: the chosen member (not its first expert, no
    conflict), or the least loaded eligible one. Before they scored it, another may be chosen."""
    recheck_work = (
        RecheckWork.objects.select_for_update(of=("self",))
        .select_related("selection__recheck", "selection__school", "work__participant")
        .get(pk=recheck_work.pk)
    )
    if recheck_work.status != Status.ADJUDICATION:
        raise ValidationError(_("Третий эксперт назначается только работе с расхождением."))
    if recheck_work.scores.filter(round=Round.THIRD).exists():
        raise ValidationError(_("Третий эксперт уже выставляет баллы: заменить его нельзя."))
    allowed = third_candidates(recheck_work)
    if member is None:
        if not allowed:
            raise ValidationError(_("Нет эксперта комиссии, который может стать третьим экспертом этой работы."))
        member = allowed[0]
    elif member.pk not in {m.pk for m in allowed}:
        reasons = commission_conflicts(member.staff, recheck_work.selection.recheck, selection=recheck_work.selection)
        if member.pk == recheck_work.expert_id:
            reasons.insert(0, _("Третий эксперт — не тот, кто перепроверял работу."))
        raise ValidationError(reasons or [_("Этот эксперт не может стать третьим экспертом работы.")])
    recheck_work.third_expert = member
    recheck_work.save(update_fields=["third_expert"])
    audit_record(
        actor=by,
        action="recheck.third_expert_assigned",
        target=recheck_work,
        school=recheck_work.selection.school,
        department=recheck_work.selection.recheck.department,
        target_label=f"{recheck_work.selection} · {recheck_work.work.participant.code}",
        after={"third_expert": member.staff.full_name},
    )
    if member.staff.user_id:
        notifications_send(
            users=[member.staff.user],
            text=_("Вам передана работа с расхождением для решения третьего эксперта: {selection}, код {code}.").format(
                selection=recheck_work.selection, code=recheck_work.work.participant.code
            ),
            url=reverse("monitoring:recheck_grid", args=[recheck_work.selection_id]),
        )
    return recheck_work


@transaction.atomic
def third_experts_auto(recheck: Recheck, *, by: User) -> int:
    """Gives every work in adjudication without a third expert to the least loaded eligible member."""
    count = 0
    for recheck_work in RecheckWork.objects.filter(
        selection__recheck=recheck, status=Status.ADJUDICATION, third_expert__isnull=True
    ).order_by("pk"):
        if third_candidates(recheck_work):
            third_expert_assign(recheck_work, by=by)
            count += 1
    return count
