"""Distribution of works to experts (Регламент 7.4, 7.6): the school coordinator splits an assessment's works
among the experts appointed to check it at the school, automatically and evenly, then by hand.

- R4: a work has exactly one expert (`Work.expert`). A work that already has a score entered (a value or an
  «X») stays with the expert who holds it: the automatic split leaves it where it is (and counts it in that
  expert's load), and a manual reassignment of it to another expert is refused — each work is checked by one
  expert once. Clearing every score of a work makes it movable again. A submitted work never moves.
- Own classes: when the campaign's `experts_check_own_classes` is off, the automatic split never gives an
  expert a class they teach (any subject, TeachingLoad) and a manual assignment doing so is refused; works
  no eligible expert may take stay unassigned and are reported.
- Absent participants' works are not checked: the automatic split leaves them (and takes them back from an
  expert when they have no scores), a manual assignment of them is refused.

Every distribution and reassignment leaves an audit entry naming codes only.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Work
from grading.selectors.entry import (
    assessment_experts,
    class_sort_key,
    has_entered_scores,
    taught_classes,
    teaches,
)
from grading.services.scores import works_ensure
from procedures.models import Assessment
from schools.models import School, Staff, User
from schools.services import audit_record

BY_CLASS = "class"
BY_VARIANT = "variant"
MODES = (BY_CLASS, BY_VARIANT)


@dataclass
class DistributionResult:
    """What an automatic split did: works per expert after it, how many stayed because they have scores,
    and the codes nobody could take."""

    loads: dict[int, int] = field(default_factory=dict)
    moved: int = 0
    kept: int = 0
    unassigned: list[str] = field(default_factory=list)


Eligible = Callable[[Staff, Work], bool]


def _least_loaded(candidates: list[Staff], load: dict[int, int]) -> Staff | None:
    # min() keeps the first of equals: experts are in name order, so the split is reproducible
    return min(candidates, key=lambda e: load[e.pk]) if candidates else None


def _split_by_class(works: list[Work], experts: list[Staff], load: dict[int, int], eligible: Eligible, holders):
    """Whole classes to experts, the largest class first to the least loaded expert who may take it. A class
    an expert has already started (scores entered) goes on with that expert."""
    classes: dict[str, list[Work]] = defaultdict(list)
    for work in works:
        classes[work.participant.class_name].append(work)
    plan: dict[int, Staff | None] = {}
    order = sorted(classes, key=lambda name: (-len(classes[name]), class_sort_key(name)))
    order.sort(key=lambda name: holders.get(name) is None)  # started classes first, stable otherwise
    for name in order:
        group = classes[name]
        candidates = [e for e in experts if all(eligible(e, w) for w in group)]
        holder = holders.get(name)
        expert = holder if holder in candidates else _least_loaded(candidates, load)
        for work in group:
            plan[work.pk] = expert
        if expert is not None:
            load[expert.pk] += len(group)
    return plan


def _split_by_variant(works: list[Work], experts: list[Staff], load: dict[int, int], eligible: Eligible):
    """Works in variant order cut into nearly equal runs, one per expert, so that each expert checks one
    variant (or two) with the same criteria; a work its run's expert may not take goes to the least loaded
    expert who may."""
    quota = {e.pk: 0 for e in experts}
    for _work in works:  # water-filling: each work raises the lowest (load + quota)
        quota[min(experts, key=lambda e: load[e.pk] + quota[e.pk]).pk] += 1
    ordered = sorted(
        works, key=lambda w: (w.participant.variant or 0, class_sort_key(w.participant.class_name), w.participant.code)
    )
    plan: dict[int, Staff | None] = {}
    leftovers = []
    position = 0
    for work in ordered:
        while position < len(experts) and quota[experts[position].pk] == 0:
            position += 1
        expert = experts[position] if position < len(experts) else None
        if expert is None or not eligible(expert, work):
            leftovers.append(work)
            continue
        plan[work.pk] = expert
        quota[expert.pk] -= 1
        load[expert.pk] += 1
    for work in leftovers:
        expert = _least_loaded([e for e in experts if eligible(e, work)], load)
        plan[work.pk] = expert
        if expert is not None:
            load[expert.pk] += 1
    return plan


def works_held(works: Iterable[Work]) -> set[int]:
    """R4 (Регламент 7.6): the ids of the works that stay with the expert who holds them. A work with a score
    entered (a value or an «X») or submitted is checked by that one expert, once: neither the automatic split
    (`works_distribute`) nor a manual reassignment (`works_reassign`) moves it."""
    works = list(works)
    scored = has_entered_scores(w.pk for w in works)
    return {w.pk for w in works if w.pk in scored or w.is_locked}


def _eligibility(*, assessment: Assessment, school: School, experts: list[Staff]) -> Eligible:
    if assessment.campaign.experts_check_own_classes:
        return lambda expert, work: True
    taught = taught_classes(staff=experts, school=school, campaign=assessment.campaign)
    return lambda expert, work: not teaches(taught.get(expert.pk, (set(), set())), work.participant)


@transaction.atomic
def works_distribute(*, assessment: Assessment, school: School, mode: str, actor: User) -> DistributionResult:
    """Splits the assessment's works at the school evenly among its experts, by class (whole classes) or by
    variant. Creates the works first (works_ensure). Works with scores stay with their expert (R4)."""
    if mode not in MODES:
        raise ValueError(f"unknown distribution mode: {mode!r}")
    experts = list(assessment_experts(assessment=assessment, school=school))
    if not experts:
        raise ValidationError(
            _("Эксперты работы «{work}» не назначены: назначьте их на странице «Назначения».").format(work=assessment)
        )
    works_ensure(assessment=assessment, school=school)
    works = list(
        Work.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, school=school)
        .select_related("participant")
        .order_by("pk")
    )
    held = works_held(works)
    fixed = [w for w in works if w.pk in held]
    movable = [w for w in works if w not in fixed and not w.participant.absent]
    load = {e.pk: 0 for e in experts}
    holders: dict[str, Staff] = {}
    by_pk = {e.pk: e for e in experts}
    for work in fixed:
        if work.expert_id in load and not work.participant.absent:
            load[work.expert_id] += 1
            holders.setdefault(work.participant.class_name, by_pk[work.expert_id])
    eligible = _eligibility(assessment=assessment, school=school, experts=experts)
    if mode == BY_CLASS:
        plan = _split_by_class(movable, experts, load, eligible, holders)
    else:
        plan = _split_by_variant(movable, experts, load, eligible)
    for work in works:
        if work.participant.absent and work not in fixed:
            plan[work.pk] = None
    now = timezone.now()
    changed = []
    result = DistributionResult(kept=sum(1 for w in fixed if w.expert_id is not None))
    for work in works:
        if work.pk not in plan:
            continue
        expert = plan[work.pk]
        if expert is None and not work.participant.absent:
            result.unassigned.append(work.participant.code)
        new_id = expert.pk if expert else None
        if work.expert_id != new_id:
            work.expert_id, work.assigned_at, work.updated_at = new_id, now if new_id else None, now
            changed.append(work)
    Work.objects.bulk_update(changed, ["expert", "assigned_at", "updated_at"])
    result.moved = len(changed)
    result.loads = load
    audit_record(
        actor=actor,
        action="grading.distributed",
        target=assessment,
        school=school,
        target_label=f"{assessment.code} — {assessment}",
        after={
            "mode": mode,
            "experts": {by_pk[pk].short_name: count for pk, count in load.items()},
            "kept": result.kept,
            "unassigned": result.unassigned,
        },
    )
    return result


@transaction.atomic
def works_reassign(
    *, assessment: Assessment, school: School, participant_ids: Iterable[int], expert: Staff | None, actor: User
) -> int:
    """Gives the selected participants' works to `expert` (None: takes them back), all or nothing. Refused
    for a work that has scores by another expert or is submitted (R4), an absent participant's work, an
    expert not appointed to the assessment, and — when experts may not check their own classes — a class the
    expert teaches. Returns how many works changed hands."""
    experts = list(assessment_experts(assessment=assessment, school=school))
    if expert is not None and expert not in experts:
        raise ValidationError(
            _("{name} не назначен экспертом работы «{work}».").format(name=expert.full_name, work=assessment)
        )
    works_ensure(assessment=assessment, school=school)
    works = list(
        Work.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, school=school, participant_id__in=list(participant_ids))
        .select_related("participant", "expert")
        .order_by("participant__class_name", "participant__code")
    )
    if not works:
        raise ValidationError(_("Не выбрано ни одной работы."))
    held = works_held(works)
    eligible = _eligibility(assessment=assessment, school=school, experts=experts)
    reasons = []
    changing = [w for w in works if w.expert_id != (expert.pk if expert else None)]
    for work in changing:
        code = work.participant.code
        if work.is_locked:
            reasons.append(_("Работа {code} уже сдана экспертом: её нельзя передать.").format(code=code))
        elif work.pk in held and work.expert_id is not None:
            reasons.append(
                _(
                    "По работе {code} эксперт {name} уже выставил баллы: каждая работа проверяется одним экспертом "
                    "один раз (Регламент 7.6)."
                ).format(code=code, name=work.expert.short_name)
            )
        elif work.participant.absent and expert is not None:
            reasons.append(_("Участник {code} отсутствовал: его работа не проверяется.").format(code=code))
        elif expert is not None and not eligible(expert, work):
            reasons.append(
                _("{name} преподаёт в классе {class_name}: эксперты не проверяют работы своих классов.").format(
                    name=expert.short_name, class_name=work.participant.class_name
                )
            )
    if reasons:
        raise ValidationError(list(dict.fromkeys(reasons)))
    now = timezone.now()
    before = {}
    for work in changing:
        before[work.participant.code] = work.expert.short_name if work.expert else ""
        work.expert, work.assigned_at, work.updated_at = expert, now if expert else None, now
    Work.objects.bulk_update(changing, ["expert", "assigned_at", "updated_at"])
    if changing:
        audit_record(
            actor=actor,
            action="grading.reassigned",
            target=assessment,
            school=school,
            target_label=f"{assessment.code} — {assessment}",
            before=before,
            after={code: expert.short_name if expert else "" for code in before},
        )
    return len(changing)
