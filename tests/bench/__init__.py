"""Performance benchmarks, run with `make bench` (`python -m tests.bench`) on a throwaway database.

A benchmark is a function in any module of this package, registered with `@benchmark`, that builds its own
data and returns one `Measurement` or a list of them. Budgets are reported (PASS/OVER), not asserted.
Modules here are imported only by the runner, after Django is set up, so they may import models freely;
this file must not.

Region benchmarks (`@region_benchmark`, run by `python -m tests.bench --region`) run on PostgreSQL against the
region that `seed_demo --scale region` builds, in a database the runner keeps between runs (docs/performance.md);
they read it and leave it as they found it.
"""

from collections.abc import Callable
from typing import NamedTuple


class Measurement(NamedTuple):
    name: str
    value: float
    unit: str  # "s", "queries", …
    budget: float  # the measurement passes when value <= budget (value >= budget with `at_least`)
    note: str = ""
    at_least: bool = False  # a rate: higher is better

    @property
    def passed(self) -> bool:
        return self.value >= self.budget if self.at_least else self.value <= self.budget


Benchmark = Callable[[], "Measurement | list[Measurement]"]
BENCHMARKS: dict[str, Benchmark] = {}


REGION_BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(func: Benchmark) -> Benchmark:
    """Registers a benchmark under its function name; they run in the order they are registered."""
    if func.__name__ in BENCHMARKS or func.__name__ in REGION_BENCHMARKS:
        raise ValueError(f"benchmark {func.__name__} is registered twice")
    BENCHMARKS[func.__name__] = func
    return func


def region_benchmark(func: Benchmark) -> Benchmark:
    """Registers a benchmark of the region scale (PostgreSQL, `--region`); in registration order."""
    if func.__name__ in BENCHMARKS or func.__name__ in REGION_BENCHMARKS:
        raise ValueError(f"benchmark {func.__name__} is registered twice")
    REGION_BENCHMARKS[func.__name__] = func
    return func
