"""Re-check (issue 12): the marker agreement (monitoring/agreement.py) of a re-check of 5,000 works of 24 tasks,
checked originally by 100 experts, every work with the commission's final result (a tenth through a third expert),
beside a raw reference: one SQL aggregate joining the same original and re-check scores."""

import datetime
import random
import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

from grading.models import Score, Work
from monitoring.agreement import marker_agreement
from monitoring.models import CommissionMember, Recheck, RecheckScore, RecheckSelection, RecheckWork
from procedures.models import Campaign, Participant
from schools.models import Staff
from tests.factories import make_assessment

from . import Measurement, benchmark
from .pupils import bench_department, new_school

WORKS = 5000
TASKS = 24
SCHOOLS = 10
EXPERTS = 100
RUNS = 3
BUDGET_S = 2.0
CAMPAIGN = "VPR-BENCH-RECHECK"


def plant() -> Recheck:
    """The re-check with its works and scores, written once (a later run reuses it)."""
    existing = Recheck.objects.filter(campaign__code=CAMPAIGN).first()
    if existing is not None and RecheckWork.objects.filter(selection__recheck=existing).count() == WORKS:
        return existing
    rng = random.Random("bench-recheck")
    department = bench_department()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            code=CAMPAIGN,
            department=department,
            title="ВПР (замеры перепроверки)",
            window_start=datetime.date(2026, 4, 20),
            window_end=datetime.date(2026, 5, 20),
            upload_deadline=datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC),
            status=Campaign.Status.ACTIVE,
        )
        assessment = make_assessment(
            campaign,
            code="RC-24",
            subject="Математика",
            grade=6,
            tasks=[(str(i), 2) for i in range(1, TASKS + 1)],
            scale={"3": 14, "4": 26, "5": 38},
        )
        tasks = list(assessment.tasks.order_by("position"))
        recheck = Recheck.objects.create(campaign=campaign, department=department)
        schools = [new_school(f"bench-rc-{n:02d}") for n in range(SCHOOLS)]
        experts = Staff.objects.bulk_create(
            Staff(school=schools[n % SCHOOLS], last_name=f"Эксперт{n:03d}", first_name="Анна", position="учитель")
            for n in range(EXPERTS)
        )
        judge = new_school("bench-rc-commission")
        members = [
            CommissionMember.objects.create(
                recheck=recheck,
                staff=Staff.objects.create(school=judge, last_name=f"Член{n}", first_name="Иван", position="учитель"),
                is_chair=n == 0,
            )
            for n in range(3)
        ]
        selections = [
            RecheckSelection.objects.create(
                recheck=recheck, school=school, assessment=assessment, reason="manual", received_at=timezone.now()
            )
            for school in schools
        ]
        per_school = WORKS // SCHOOLS
        participants = Participant.objects.bulk_create(
            (
                Participant(
                    campaign=campaign,
                    assessment=assessment,
                    school=schools[n // per_school],
                    code=f"{n + 10000:05d}",
                    class_name="6А",
                    sex="Ж",
                    variant=1 + n % 2,
                )
                for n in range(WORKS)
            ),
            batch_size=1000,
        )
        originals = [[rng.choice((0, 1, 1, 2, 2)) for _task in tasks] for _n in range(WORKS)]
        finals = [[max(0, min(2, v + rng.choice((0, 0, 0, 0, -1, 1)))) for v in row] for row in originals]
        works = Work.objects.bulk_create(
            (
                Work(
                    participant=participant,
                    assessment=assessment,
                    school=participant.school,
                    expert=experts[(n * EXPERTS) // WORKS],
                    primary_score=sum(originals[n]),
                    mark=assessment.mark_for(sum(originals[n])),
                    is_complete=True,
                )
                for n, participant in enumerate(participants)
            ),
            batch_size=1000,
        )
        Score.objects.bulk_create(
            (
                Score(work=work, task=task, value=value)
                for work, row in zip(works, originals, strict=True)
                for task, value in zip(tasks, row, strict=True)
            ),
            batch_size=5000,
        )
        rechecked = RecheckWork.objects.bulk_create(
            (
                RecheckWork(
                    selection=selections[n // per_school],
                    work=work,
                    expert=members[1 + n % 2],
                    third_expert=members[0] if n % 10 == 0 else None,
                    status=RecheckWork.Status.FINAL,
                    original_primary_score=work.primary_score,
                    original_mark=work.mark,
                    recheck_primary_score=sum(finals[n]),
                    recheck_mark=assessment.mark_for(sum(finals[n])),
                    final_primary_score=sum(finals[n]),
                    final_mark=assessment.mark_for(sum(finals[n])),
                    decided_at=timezone.now(),
                )
                for n, work in enumerate(works)
            ),
            batch_size=1000,
        )
        RecheckScore.objects.bulk_create(
            (
                RecheckScore(recheck_work=rw, round=round_, task=task, value=value)
                for n, (rw, row) in enumerate(zip(rechecked, finals, strict=True))
                for round_ in (("first", "third") if n % 10 == 0 else ("first",))
                for task, value in zip(tasks, row, strict=True)
            ),
            batch_size=5000,
        )
    return recheck


def raw_reference(recheck: Recheck) -> tuple[float, int]:
    """One SQL aggregate over the same pairs: per original expert, the pairs, the exact and adjacent ones and the
    sum of differences (the first round only). Returns (seconds, rows)."""
    sql = f"""
        SELECT w.expert_id, COUNT(*),
               SUM(CASE WHEN s.value = r.value THEN 1 ELSE 0 END),
               SUM(CASE WHEN ABS(s.value - r.value) <= 1 THEN 1 ELSE 0 END),
               SUM(s.value - r.value)
        FROM {RecheckWork._meta.db_table} rw
        JOIN {RecheckSelection._meta.db_table} sel ON sel.id = rw.selection_id
        JOIN {Work._meta.db_table} w ON w.id = rw.work_id
        JOIN {Score._meta.db_table} s ON s.work_id = rw.work_id
        JOIN {RecheckScore._meta.db_table} r
          ON r.recheck_work_id = rw.id AND r.task_id = s.task_id AND r.round = 'first'
        WHERE sel.recheck_id = %s AND rw.status = 'final'
        GROUP BY w.expert_id
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [recheck.pk])
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


@benchmark
def recheck_agreement() -> list[Measurement]:
    """marker_agreement over a re-check of 5,000 works × 24 tasks (100 original experts), median of 3 runs after
    a warm-up, beside one raw SQL aggregate of the same pairs."""
    started = time.perf_counter()
    recheck = plant()
    built = time.perf_counter() - started
    works = RecheckWork.objects.filter(selection__recheck=recheck)
    timings, agreement = [], None
    for run in range(RUNS + 1):
        started = time.perf_counter()
        agreement = marker_agreement(works)
        if run:
            timings.append(time.perf_counter() - started)
    if agreement.works != WORKS or len(agreement.experts) != EXPERTS:
        raise AssertionError(f"agreement over {agreement.works} works, {len(agreement.experts)} experts")
    raw = [raw_reference(recheck) for _run in range(RUNS)]
    if raw[0][1] != EXPERTS:
        raise AssertionError(f"the raw aggregate gave {raw[0][1]} experts")
    return [
        Measurement(
            f"re-check: marker agreement, {WORKS} works × {TASKS} tasks (median of {RUNS})",
            statistics.median(timings),
            "s",
            BUDGET_S,
            f"max {max(timings):.3f} s; data planted in {built:.1f} s",
        ),
        Measurement(
            "re-check: reference, one raw SQL aggregate of the same pairs",
            statistics.median(t for t, _rows in raw),
            "s",
            BUDGET_S,
        ),
    ]
