"""Grading's side of the catalogue's integrity: works and scores counted as dependants of an assessment,
the recorded scores of each task, and every work's total and mark recomputed after a safe catalogue change.

Registered with procedures from GradingConfig.ready(); procedures never imports grading.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import ngettext

from grading.models import Score, Work
from grading.services.scores import work_recompute
from grading.summaries import participants_changed, summaries_refresh_assessment
from procedures.models import Assessment
from procedures.services.dependants import (
    register_dependants,
    register_lock,
    register_participants_changed,
    register_recompute,
    register_task_results,
)

RECORDED = Q(value__isnull=False) | Q(not_attempted=True)


def _works_phrase(n: int) -> str:
    return ngettext("{n} работа", "{n} работ", n).format(n=n)


def _scores_phrase(n: int) -> str:
    return ngettext("{n} балл", "{n} баллов", n).format(n=n)


def works_by_assessment(ids: Sequence[int]) -> dict[int, int]:
    rows = Work.objects.filter(assessment_id__in=ids).values("assessment_id").annotate(n=Count("pk"))
    return {row["assessment_id"]: row["n"] for row in rows}


def scores_by_assessment(ids: Sequence[int]) -> dict[int, int]:
    """Scores that hold points or an «X» (a cleared cell records nothing)."""
    rows = (
        Score.objects.filter(RECORDED, task__assessment_id__in=ids)
        .values("task__assessment_id")
        .annotate(n=Count("pk"))
    )
    return {row["task__assessment_id"]: row["n"] for row in rows}


def scores_by_task(assessment: Assessment) -> dict[int, Counter[int]]:
    """{task_id: Counter({points: n})} of the assessment's recorded scores; an «X» counts as 0 points."""
    result: dict[int, Counter[int]] = {}
    rows = (
        Score.objects.filter(RECORDED, task__assessment=assessment)
        .values("task_id", "value")
        .annotate(n=Count("pk"))
        .values_list("task_id", "value", "n")
    )
    for task_id, value, n in rows:
        result.setdefault(task_id, Counter())[value or 0] += n
    return result


@dataclass(frozen=True, slots=True)
class _RecordedScore:
    """What `work_recompute` reads of a Score, without building a model instance per score (a municipality's
    assessment holds hundreds of thousands of them)."""

    value: int | None
    not_attempted: bool

    @property
    def points(self) -> int:
        return self.value or 0


def assessment_works_recompute(assessment: Assessment, *, chunk: int = 900) -> int:
    """Recomputes every work's primary score, mark and completeness of the assessment with `work_recompute`
    (the one computation of totals), after its tasks or scale changed; saves those that changed, grouped by
    their new result. Returns how many changed."""
    tasks = list(assessment.tasks.order_by("position"))
    ids = list(Work.objects.filter(assessment=assessment).order_by("pk").values_list("pk", flat=True))
    changed: dict[tuple, list[int]] = defaultdict(list)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        scores: dict[int, dict[int, _RecordedScore]] = defaultdict(dict)
        rows = Score.objects.filter(work_id__in=part).values_list("work_id", "task_id", "value", "not_attempted")
        for work_id, task_id, value, not_attempted in rows:
            scores[work_id][task_id] = _RecordedScore(value, not_attempted)
        works = (
            Work.objects.filter(pk__in=part)
            .select_related("participant")
            .only("pk", "primary_score", "mark", "is_complete", "participant__absent")
        )
        for work in works:
            before = (work.primary_score, work.mark, work.is_complete)
            work_recompute(work, tasks=tasks, scores=scores[work.pk], assessment=assessment)
            after = (work.primary_score, work.mark, work.is_complete)
            if after != before:
                changed[after].append(work.pk)
    now = timezone.now()
    for (primary_score, mark, is_complete), pks in changed.items():
        for start in range(0, len(pks), chunk):
            Work.objects.filter(pk__in=pks[start : start + chunk]).update(
                primary_score=primary_score,
                mark=mark,
                is_complete=is_complete,
                # a form uploaded to ФИС ОКО before this no longer matches the results
                results_changed_at=now,
                updated_at=now,
            )
    return sum(len(pks) for pks in changed.values())


def assessment_works_lock(assessment: Assessment) -> None:
    """Locks the assessment's works, in one order, for a catalogue change: a score is saved under its work's lock."""
    list(Work.objects.select_for_update().filter(assessment=assessment).order_by("pk").values_list("pk", flat=True))


def register() -> None:
    register_dependants("works", order=30, phrase=_works_phrase, count=works_by_assessment)
    register_dependants("scores", order=40, phrase=_scores_phrase, count=scores_by_assessment)
    register_task_results("grading", scores_by_task)
    register_recompute("grading", assessment_works_recompute)
    register_recompute("grading.summaries", summaries_refresh_assessment)  # after the works' marks, in order
    register_participants_changed("grading.summaries", participants_changed)
    register_lock("grading", assessment_works_lock)
