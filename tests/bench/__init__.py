"""Performance benchmarks, run with `make bench` (`python -m tests.bench`) on a throwaway database.

A benchmark is a function in any module of this package, registered with `@benchmark`, that builds its own
data and returns one `Measurement` or a list of them. Budgets are reported (PASS/OVER), not asserted.
Modules here are imported only by the runner, after Django is set up, so they may import models freely;
this file must not.
"""

from collections.abc import Callable
from typing import NamedTuple


class Measurement(NamedTuple):
    name: str
    value: float
    unit: str  # "s", "queries", …
    budget: float  # the measurement passes when value <= budget
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.value <= self.budget


Benchmark = Callable[[], "Measurement | list[Measurement]"]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(func: Benchmark) -> Benchmark:
    """Registers a benchmark under its function name; they run in the order they are registered."""
    if func.__name__ in BENCHMARKS:
        raise ValueError(f"benchmark {func.__name__} is registered twice")
    BENCHMARKS[func.__name__] = func
    return func
