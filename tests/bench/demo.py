"""The demo municipality: `seed_demo` on an empty database (the whole build: register, three finished campaigns
with their results, the campaign in preparation, the training campaign), beside a raw reference measured in the
same run: bulk_create of as many Score rows as the demo holds."""

import io
import time

from django.core.management import call_command
from django.db import transaction

from grading.models import Score

from . import Measurement, benchmark

BUDGET_S = 60.0


def bulk_create_reference() -> tuple[float, int]:
    """Deletes the demo's scores and bulk-creates them again inside a transaction that is rolled back."""
    with transaction.atomic():
        rows = [Score(**values) for values in Score.objects.values("work_id", "task_id", "value", "not_attempted")]
        Score.objects.all().delete()
        started = time.perf_counter()
        Score.objects.bulk_create(rows, batch_size=1000)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, len(rows)


@benchmark
def seed_demo() -> list[Measurement]:
    """`seed_demo` on an empty database, a second run (nothing to do), and bulk_create of its scores."""
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    first = time.perf_counter() - started
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    second = time.perf_counter() - started
    reference, scores = bulk_create_reference()
    return [
        Measurement(
            "seed_demo on an empty database",
            first,
            "s",
            BUDGET_S,
            f"{scores:,} scores; raw bulk_create of as many Score rows: {reference:.2f} s",
        ),
        Measurement("seed_demo again: nothing to do", second, "s", BUDGET_S),
        Measurement(f"reference: Score.objects.bulk_create, {scores:,} rows", reference, "s", BUDGET_S),
    ]
