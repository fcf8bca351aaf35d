"""The demo's school conclusions for the analytical справка (reports/kinds/school_report.py), written through the
portal's own service (its audit entries are real): sch660001 (coord1's school) on the last two finished ВПР
campaigns (ВПР-2025 and ВПР-2026 when built in the 2026/27 academic year) — per assessment with results, conclusions
naming the weakest skill the figures show and the measures planned, and a general part. On the latest campaign coord1
saved a first revision and director1 a second one (the history shows both). Fictitious texts; no pupil is named.

The справка itself is not built here (it is built from its page in the background, a few seconds per assessment).
Idempotent: a campaign whose conclusions exist is skipped.
"""

import datetime

from procedures.models import Campaign
from schools.models import Department, School, User

from ..report_sections import assessments_with_results, number, school_assessment
from ..school_conclusions import GENERAL, conclusions_of, conclusions_save
from .campaigns import finished_springs

SCHOOL = "sch660001"


def _texts(campaign: Campaign, school: School) -> dict:
    sections = {}
    for assessment in assessments_with_results(campaign, school):
        data = school_assessment(assessment, school)
        weak = sorted(data.weak, key=lambda row: row.skill)[:1]
        if weak:
            found = (
                f"Ниже 50 % выполнены задания умения «{weak[0].words}» ({number(weak[0].school)} %, "
                f"муниципалитет {number(weak[0].municipality)} %)."
            )
            measure = (
                f"Включить в рабочую программу {assessment.grade}-х классов повторение по умению «{weak[0].words}»; "
                "разобрать типичные ошибки на заседании методического объединения."
            )
        else:
            found = "Умений с выполнением ниже 50 % нет; результаты близки к муниципальным."
            measure = "Продолжить работу по программе; индивидуальные занятия с обучающимися, получившими «2»."
        sections[str(assessment.pk)] = {
            "conclusions": (
                f"{assessment}: участвовали {data.figures.participants} обучающихся. {found}\n\n"
                "Отметки ВПР в основном подтверждают отметки по журналу."
            ),
            "measures": measure,
        }
    sections[GENERAL] = {
        "conclusions": (
            "Результаты ВПР школы в целом соответствуют муниципальным. Проблемные зоны — умения, выполненные ниже "
            "50 %, — перечислены по каждой работе."
        ),
        "measures": (
            "1. Скорректировать рабочие программы с учётом проблемных зон (Регламент 3.1.4).\n"
            "2. Спланировать работу методических объединений по выявленным затруднениям (Регламент 3.1.7).\n"
            "3. Ознакомить родителей с результатами до конца четверти (Регламент 3.1.6)."
        ),
    }
    return sections


def seed_school_reports(*, department: Department, today: datetime.date | None = None) -> int:
    """Writes sch660001's conclusions on the last two finished campaigns; returns how many campaigns got them."""
    school = School.objects.filter(code=SCHOOL, department=department).first()
    coordinator = User.objects.filter(username="coord1").first()
    director = User.objects.filter(username="director1").first()
    if school is None or coordinator is None:
        return 0
    written = 0
    codes = [f"VPR-{spring}" for spring in finished_springs(today)[-2:]]
    for index, campaign in enumerate(
        Campaign.objects.filter(department=department, code__in=codes).order_by("window_start")
    ):
        if conclusions_of(campaign, school).revision:
            continue
        sections = _texts(campaign, school)
        if len(sections) < 2:  # no results of the school in that campaign
            continue
        parts = list(sections)
        saved = conclusions_save(
            campaign=campaign, school=school, sections=sections, parts=parts, based_on=0, actor=coordinator
        )
        if index == 1 and director is not None:  # the latest campaign: the director completes the measures
            sections[GENERAL]["measures"] += "\n4. Провести педагогический совет по итогам ВПР в январе."
            conclusions_save(
                campaign=campaign,
                school=school,
                sections=sections,
                parts=parts,
                based_on=saved.revision,
                actor=director,
            )
        written += 1
    return written
