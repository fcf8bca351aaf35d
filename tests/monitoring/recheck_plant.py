"""Planting re-checked works for the outcome's tests (agreement, recheck_delta, protocol, xlsx): original works
with their scores, and the commission's final scores, as the commission's services leave them."""

import itertools

from django.utils import timezone

from grading.models import Score, Work
from grading.summaries import summaries_refresh
from monitoring.models import CommissionMember, Recheck, RecheckScore, RecheckSelection, RecheckWork
from procedures.models import Participant
from schools.models import Staff
from tests.factories import SchoolFactory, StaffFactory

_codes = itertools.count(20001)


def recheck_of(campaign) -> Recheck:
    return Recheck.objects.get_or_create(campaign=campaign, defaults={"department": campaign.department})[0]


def commission_expert(recheck: Recheck, *, school=None, chair: bool = False, **staff) -> CommissionMember:
    school = school or SchoolFactory(department=recheck.department)
    return CommissionMember.objects.create(recheck=recheck, staff=StaffFactory(school=school, **staff), is_chair=chair)


def plant_recheck(
    assessment,
    school,
    rows,
    *,
    expert: Staff | None = None,
    member: CommissionMember | None = None,
    third: dict | None = None,
    status: str = RecheckWork.Status.FINAL,
    reason: str = RecheckSelection.Reason.MANUAL,
) -> list[RecheckWork]:
    """Each row (original points per task, final points per task): a present participant of the school with a
    complete work checked by `expert`, selected for re-check and re-checked by `member` (first round) with the
    final result set. `third`: row index → the third expert's points (round third) for that work."""
    recheck = recheck_of(assessment.campaign)
    member = member or commission_expert(recheck)
    tasks = list(assessment.tasks.order_by("position"))
    selection, _ = RecheckSelection.objects.get_or_create(
        recheck=recheck,
        school=school,
        assessment=assessment,
        defaults={"reason": reason, "received_at": timezone.now()},
    )
    participants = Participant.objects.bulk_create(
        Participant(
            campaign=assessment.campaign,
            assessment=assessment,
            school=school,
            code=str(next(_codes) % 100000).zfill(5),
            class_name=f"{assessment.grade}А",
            sex="Ж",
            variant=1,
        )
        for _row in rows
    )
    works = Work.objects.bulk_create(
        Work(
            participant=participant,
            assessment=assessment,
            school=school,
            expert=expert,
            primary_score=sum(original),
            mark=assessment.mark_for(sum(original)),
            is_complete=True,
        )
        for participant, (original, _final) in zip(participants, rows, strict=True)
    )
    Score.objects.bulk_create(
        Score(work=work, task=task, value=value)
        for work, (original, _final) in zip(works, rows, strict=True)
        for task, value in zip(tasks, original, strict=True)
    )
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])
    third = third or {}
    done = []
    for index, (work, (original, final)) in enumerate(zip(works, rows, strict=True)):
        decided = third.get(index, final)
        recheck_work = RecheckWork.objects.create(
            selection=selection,
            work=work,
            expert=member,
            status=status,
            original_primary_score=sum(original),
            original_mark=assessment.mark_for(sum(original)),
            recheck_primary_score=sum(final),
            recheck_mark=assessment.mark_for(sum(final)),
            final_primary_score=sum(decided) if status == RecheckWork.Status.FINAL else None,
            final_mark=assessment.mark_for(sum(decided)) if status == RecheckWork.Status.FINAL else None,
            scored_at=timezone.now(),
            decided_at=timezone.now() if status == RecheckWork.Status.FINAL else None,
        )
        RecheckScore.objects.bulk_create(
            RecheckScore(recheck_work=recheck_work, round=RecheckScore.Round.FIRST, task=task, value=value)
            for task, value in zip(tasks, final, strict=True)
        )
        if index in third:
            recheck_work.third_expert = member
            recheck_work.save(update_fields=["third_expert"])
            RecheckScore.objects.bulk_create(
                RecheckScore(recheck_work=recheck_work, round=RecheckScore.Round.THIRD, task=task, value=value)
                for task, value in zip(tasks, third[index], strict=True)
            )
        done.append(recheck_work)
    return done
