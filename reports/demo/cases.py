"""The demo's cases (разборы) of the objectivity signals: every flagged signal of the finished campaigns gets its
case (monitoring.cases.cases_open, as the periodic check would), and the planted patterns of the latest finished
campaign (patterns.PATTERNS) are taken along the flow so that the department and coord2 land on real work:

- sch660002 RU-4 (bunching): the department asked; coord2 has a question to answer;
- sch660003 RU-6 (high results): the department asked;
- sch660006 MA-5 (inverted difficulty): asked and answered by the school; the department has a conclusion to record;
- sch660008 RU-5 (journal gap): asked, answered, concluded (confirmed, with the measures taken);
- sch660011 MA-4 (stable low): opened, not asked yet.

Schools other than sch660001/2 have no demo logins: their answers come from a coordinator's account of that school
made here without a password (named after a deputy director of the school's staff). A case that already has
messages is left as it is, so a second build changes nothing.
"""

from monitoring.cases import case_answer, case_ask, case_conclude, cases_open
from monitoring.models import SignalCase
from procedures.models import Campaign
from schools.models import Department, Membership, Role, School, Staff, User

from .patterns import BUNCHING, HIGH, INVERTED, JOURNAL_GAP

LATEST = "VPR-2026"

QUESTIONS = {
    BUNCHING: "В работе RU-4 у нижней границы отметки «4» работ заметно больше, чем баллом ниже. Просим проверить "
    "применение критериев в этих работах и сообщить, кто их проверял и как согласовывались спорные случаи.",
    HIGH: "Доля отметок «4» и «5» по RU-6 значительно выше муниципальной. Просим описать, как проводилась работа "
    "(присутствие независимых наблюдателей, рассадка, проверка) и с чем школа связывает такой результат.",
    INVERTED: "Задания базового уровня MA-5 выполнены хуже, чем в муниципалитете, а задания повышенного и высокого "
    "уровня — лучше. Просим проверить проверку заданий П/В и условия проведения.",
    JOURNAL_GAP: "Отметки RU-5 у четверти участников расходятся с отметками по журналу на два балла и больше. "
    "Просим пояснить расхождение.",
}

ANSWERS = {
    INVERTED: "Перепроверили работы 5Б: баллы за задания 9–12 выставлены по критериям, замечаний нет. Классы писали "
    "работу во втором уроке, в аудиториях были общественные наблюдатели.",
    JOURNAL_GAP: "В 5А и 5В текущие отметки выставлялись по устным ответам; учителя не учитывали письменные работы. "
    "Проведён методический совет по системе оценивания.",
}

CONCLUSION = (
    SignalCase.Conclusion.CONFIRMED,
    "Рекомендовано привести текущее оценивание в соответствие с Положением о ВСОКО; школа включена в план "
    "выездного мониторинга на следующую ВПР; итоги — на совещании руководителей (Регламент 3.2, 4.1.9).",
)


def _school_coordinator(school: School) -> User:
    """A coordinator's account of the school, for its answers: the demo's own when it has one, else one made
    without a password from a deputy director of the school's staff."""
    found = User.objects.filter(
        memberships__school=school, memberships__role=Role.SCHOOL_COORDINATOR, memberships__is_active=True
    ).first()
    if found is not None:
        return found
    staff = (
        Staff.objects.filter(school=school, position__icontains="заместитель").order_by("last_name", "pk").first()
        or Staff.objects.filter(school=school).order_by("last_name", "pk").first()
    )
    user = User(
        username=f"coord-{school.code}",
        last_name=staff.last_name if staff else "",
        first_name=staff.first_name if staff else "",
        middle_name=staff.middle_name if staff else "",
        position=staff.position if staff else "",
    )
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=Role.SCHOOL_COORDINATOR, school=school)
    return user


def _case(campaign: Campaign, school: str, assessment: str, kind: str) -> SignalCase | None:
    return (
        SignalCase.objects.filter(campaign=campaign, school__code=school, assessment__code=assessment, kind=kind)
        .select_related("school", "assessment", "campaign")
        .first()
    )


def seed_cases(*, department: Department) -> int:
    """Opens the cases of every flagged signal of the department's campaigns and takes the planted ones along
    the flow; returns how many cases there are."""
    for campaign in Campaign.objects.filter(department=department, owner_school__isnull=True).order_by("window_start"):
        for assessment in campaign.assessments.select_related("campaign").order_by("code"):
            cases_open(assessment=assessment)
    latest = Campaign.objects.filter(department=department, code=LATEST).first()
    if latest is None:
        return SignalCase.objects.filter(campaign__department=department).count()
    uo = User.objects.get(username="uo")
    mun = User.objects.get(username="mun")
    plan = [
        ("sch660002", "RU-4", BUNCHING, uo, False, False),
        ("sch660003", "RU-6", HIGH, mun, False, False),
        ("sch660006", "MA-5", INVERTED, uo, True, False),
        ("sch660008", "RU-5", JOURNAL_GAP, uo, True, True),
    ]
    for school, assessment, kind, asker, answered, concluded in plan:
        case = _case(latest, school, assessment, kind)
        if case is None or case.messages.exists():
            continue
        case_ask(case=case, text=QUESTIONS[kind], actor=asker)
        if answered:
            case_answer(case=case, text=ANSWERS[kind], actor=_school_coordinator(case.school))
        if concluded:
            conclusion, measures = CONCLUSION
            case_conclude(case=case, conclusion=conclusion, measures=measures, actor=asker)
    return SignalCase.objects.filter(campaign__department=department).count()
