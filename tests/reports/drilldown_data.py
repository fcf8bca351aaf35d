"""Data of the drill-down tests (municipality → school → class): participants in several classes and schools,
recorded as every writer records them (tests/reports/test_figures.py `record`)."""

from itertools import cycle, islice

from tests.factories import SchoolFactory, make_assessment
from tests.reports.test_figures import SCALE, TASKS, record
from tests.reports.test_municipal_report import record_named

# (A max 2, B max 1, C max 3) → primary score → mark with SCALE («3» from 2, «4» from 4, «5» at 6)
SCORES = [(2, 1, 3), (2, 1, 1), (0, 1, 2), (1, 0, 0), (2, 1, 2), (0, 0, 0), (2, 0, 1)]


def people(prefix: str, class_name: str, n: int, *, start: int = 0) -> list:
    """n present participants of a class with codes prefix001…, their scores cycling through SCORES."""
    rotated = islice(cycle(SCORES), start, start + n)
    return [(f"{prefix}{i:03d}", class_name, scores, 4, False, False) for i, scores in enumerate(rotated, start=1)]


def drilled(campaign, school, other_school, pupil):
    """T-4: sch660001 with 4А (5 + the named pupil = 6), 4Б (3), 4В (8); sch660002 with 12 in 4А."""
    assessment = make_assessment(campaign, code="T-4", tasks=TASKS, scale=SCALE)
    record(assessment, school, people("11", "4А", 5))
    record_named(assessment, pupil)
    record(assessment, school, people("12", "4Б", 3, start=1))
    record(assessment, school, people("13", "4В", 8, start=2))
    record(assessment, other_school, people("21", "4А", 12, start=3))
    return assessment


def more_schools(assessment, department, n: int, *, first: int = 10) -> list:
    """n more schools, each with 6 participants."""
    schools = []
    for index in range(first, first + n):
        extra = SchoolFactory(department=department, code=f"sch6600{index:02d}", short_name=f"СШ №{index}")
        # participants' codes have 5 characters: a two-digit prefix per school, clear of the drill-down's 1x, 2x, 30
        assert 10 <= index <= 61, "codes 48…99 are free for these schools"
        record(assessment, extra, people(f"{index + 38:02d}", "4А", 6, start=index))
        schools.append(extra)
    return schools
