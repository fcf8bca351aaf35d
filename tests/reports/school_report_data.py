"""Data of the school's справка tests: two campaigns (ВПР-2025, ВПР-2026) of T-4 (tasks A, B, C with named skills),
the school with 4А and 4Б (and a pupil with a distinctive name in 4А), another school with low results, so that the
school's high results are a signal with a case; MA-4 in 2026 too."""

import datetime

from monitoring.cases import cases_open
from procedures.models import Task
from schools.models import Pupil
from tests.factories import PupilFactory, SchoolClassFactory, make_assessment, make_campaign
from tests.reports.test_figures import SCALE, TASKS, record
from tests.reports.test_municipal_report import record_named

SKILLS = {
    "A": "1.1 Списывать текст без ошибок",
    "B": "2.1 Находить главные члены предложения",
    "C": "3.1 Решать задачу в два действия",
}
WEAK_SKILL = SKILLS["C"]  # the school completes C below 50 %
STRONG_SKILL = SKILLS["A"]  # … and A fully
NAME = ("Кукушкина-Справочная", "Ариадна")

# (code, class, scores of A (max 2), B (1), C (3), journal mark, absent, exempt); marks by SCALE: 3 from 2, 4 from 4,
# 5 at 6
FOUR_A = [
    ("11001", "4А", (2, 1, 1), 4, False, False),
    ("11002", "4А", (2, 1, 2), 4, False, False),
    ("11003", "4А", (2, 1, 3), 5, False, False),
    ("11004", "4А", (2, 0, 1), 3, False, False),
    ("11005", "4А", (2, 1, 0), 4, False, False),
    ("11006", "4А", (2, 1, 1), 4, False, False),
    ("11007", "4А", (None, None, None), 4, True, False),
]
FOUR_B = [
    ("12001", "4Б", (2, 1, 3), 5, False, False),
    ("12002", "4Б", (2, 1, 2), 4, False, False),
    ("12003", "4Б", (2, 0, 1), 3, False, False),
    ("12004", "4Б", (2, 1, 1), 4, False, False),
    ("12005", "4Б", (2, 0, 2), 2, False, False),
    ("12006", "4Б", (2, 1, 0), 3, False, False),
]
OTHER = [(f"21{i:03d}", "4А", (1, 0, 0) if i % 3 else (0, 0, 1), 3, False, False) for i in range(1, 13)]


def campaign_of(department, year: int):
    return make_campaign(department, code=f"VPR-{year}", window_start=datetime.date(year, 4, 14))


def t4(campaign, code="T-4", subject="Русский язык"):
    assessment = make_assessment(campaign, code=code, subject=subject, tasks=TASKS, scale=SCALE)
    for task in Task.objects.filter(assessment=assessment):
        task.skill = SKILLS[task.label]
        task.save(update_fields=["skill"])
    return assessment


def named_pupil(school) -> Pupil:
    four_a = SchoolClassFactory(school=school, grade=4, letter="А")
    return PupilFactory(school_class=four_a, last_name=NAME[0], first_name=NAME[1], middle_name="Справковна")


def plant(department, school, other_school) -> dict:
    """ВПР-2025 and ВПР-2026 of T-4 (and MA-4 in 2026), with the school's high results a signal with its case."""
    earlier, campaign = campaign_of(department, 2025), campaign_of(department, 2026)
    before = t4(earlier)
    record(before, school, [(f"3{code[1:]}", *rest) for code, *rest in FOUR_A])
    record(before, other_school, [(f"4{code[1:]}", *rest) for code, *rest in OTHER])
    assessment = t4(campaign)
    pupil = named_pupil(school)
    record(assessment, school, FOUR_A + FOUR_B)
    record_named(assessment, pupil)
    record(assessment, other_school, OTHER)
    maths = t4(campaign, code="MA-4", subject="Математика")
    record(maths, school, [(f"5{code[1:]}", *rest) for code, *rest in FOUR_B])
    record(maths, other_school, [(f"6{code[1:]}", *rest) for code, *rest in OTHER])
    cases_open(assessment=assessment)
    return {
        "campaign": campaign,
        "earlier": earlier,
        "assessment": assessment,
        "maths": maths,
        "pupil": pupil,
        "other_school": other_school,
    }
