"""The demo's management decisions (управленческие решения, Регламент 3.2, 4.1.9), recorded through the portal's
own services (their audit entries and notices are real; the dates of ВПР-2025's are then set back to its summer),
so that ВПР-2026's results pages show the decisions taken on ВПР-2025 beside the new results:

- ВПР-2025, municipal (RU-4): a meeting of the district methodical association of primary teachers — done, with
  its outcome;
- ВПР-2025, sch660002 (coord2's school), RU-4, a weak skill: the school's own decision — done, with its outcome;
- ВПР-2025, sch660001 (coord1's school), MA-4: the department's decision about the school — still planned, its due
  date passed (overdue);
- ВПР-2026: one decision per case closed as confirmed (sch660008 RU-5, journal gap) — in progress, due in the
  coming months.

Responsible people are the schools' own (fictitious) staff or the department's positions, never a pupil. Idempotent:
a decision already recorded (by its campaign, school, assessment and basis) is left as it is.
"""

import datetime

from django.utils import timezone

from monitoring.decisions import DecisionBasis, decision_edit, decision_outcome, decision_record
from monitoring.models import ManagementDecision, SignalCase
from procedures.models import Assessment, Campaign
from schools.models import AuditEntry, Department, School, Staff, User

D = ManagementDecision
EARLIER = "VPR-2025"
LATEST = "VPR-2026"


def _deputy(school: School) -> str:
    """A deputy director of the school's staff, as «position Surname I. O.»."""
    staff = (
        Staff.objects.filter(school=school, position__icontains="заместитель").order_by("last_name", "pk").first()
        or Staff.objects.filter(school=school).order_by("last_name", "pk").first()
    )
    if staff is None:
        return "Заместитель директора по учебно-воспитательной работе"
    initials = "".join(f"{name[0]}." for name in (staff.first_name, staff.middle_name) if name)
    return f"{staff.position or 'Заместитель директора'} {staff.last_name} {initials}".strip()


def _set_back(decision: D, *, created: datetime.datetime, outcome: datetime.datetime | None = None) -> None:
    """Dates the decision (and its history) as if recorded on `created` and closed on `outcome`."""
    D.objects.filter(pk=decision.pk).update(created_at=created, updated_at=outcome or created, outcome_at=outcome)
    entries = AuditEntry.objects.filter(target_type=D._meta.label_lower, target_id=str(decision.pk))
    entries.filter(action="decision.recorded").update(created_at=created)
    if outcome is not None:
        entries.filter(action="decision.outcome").update(created_at=outcome)


def _exists(campaign: Campaign, school: School | None, assessment: Assessment | None, basis: str) -> bool:
    return D.objects.filter(campaign=campaign, school=school, assessment=assessment, basis=basis).exists()


def _moment(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _earlier(department: Department, today: datetime.date, uo: User, mun: User) -> None:
    campaign = Campaign.objects.filter(department=department, code=EARLIER).first()
    if campaign is None:
        return
    ru4 = campaign.assessments.filter(code="RU-4").first()
    ma4 = campaign.assessments.filter(code="MA-4").first()
    summer = datetime.date(campaign.window_start.year, 6, 10)
    if ru4 is not None and not _exists(campaign, None, ru4, D.Basis.OTHER):
        decision = decision_record(
            actor=mun,
            campaign=campaign,
            school=None,
            assessment=ru4,
            basis=DecisionBasis(basis=D.Basis.OTHER, note="типичные ошибки ВПР по русскому языку в 4-х классах"),
            text="Провести заседание РМО учителей начальных классов: разбор типичных ошибок ВПР по русскому языку "
            "(задания на орфографию и построение высказывания), обмен опытом подготовки.",
            responsible="Руководитель РМО учителей начальных классов, методист Управления образования",
            due_on=today + datetime.timedelta(days=30),
            today=today,
        )
        decision_outcome(
            decision=decision,
            actor=mun,
            status=D.Status.DONE,
            outcome="Заседание РМО проведено 24.10, присутствовали учителя 12 школ; рекомендации разосланы в школы.",
        )
        D.objects.filter(pk=decision.pk).update(due_on=datetime.date(summer.year, 10, 31))
        _set_back(decision, created=_moment(summer), outcome=_moment(datetime.date(summer.year, 10, 25)))
    school2 = School.objects.filter(department=department, code="sch660002").first()
    if ru4 is not None and school2 is not None and not _exists(campaign, school2, ru4, D.Basis.WEAK_SKILL):
        skill = ru4.tasks.exclude(skill="").filter(difficulty="П").order_by("position").values_list("skill", flat=True)
        skill = skill.first() or ru4.tasks.exclude(skill="").order_by("position").values_list("skill", flat=True)[0]
        coordinator = User.objects.filter(username="coord2").first() or uo
        decision = decision_record(
            actor=coordinator,
            campaign=campaign,
            school=school2,
            assessment=ru4,
            basis=DecisionBasis(basis=D.Basis.WEAK_SKILL, skill=skill),
            text="Включить в уроки русского языка 4-х классов еженедельные упражнения на это умение; провести "
            "школьную диагностику в декабре.",
            responsible=_deputy(school2),
            due_on=today + datetime.timedelta(days=30),
            today=today,
        )
        decision_outcome(
            decision=decision,
            actor=coordinator,
            status=D.Status.DONE,
            outcome="Упражнения включены в планы уроков; декабрьская диагностика: выполнение выросло с 41 % до 58 %.",
        )
        D.objects.filter(pk=decision.pk).update(due_on=datetime.date(summer.year, 12, 20))
        _set_back(decision, created=_moment(summer), outcome=_moment(datetime.date(summer.year, 12, 22)))
    school1 = School.objects.filter(department=department, code="sch660001").first()
    if ma4 is not None and school1 is not None and not _exists(campaign, school1, ma4, D.Basis.OTHER):
        decision = decision_record(
            actor=uo,
            campaign=campaign,
            school=school1,
            assessment=ma4,
            basis=DecisionBasis(basis=D.Basis.OTHER, note="доля «2» по математике выше муниципальной"),
            text="Организовать курсы повышения квалификации учителей начальных классов по методике обучения "
            "решению текстовых задач; представить в Управление образования план работы с обучающимися группы риска.",
            responsible=_deputy(school1),
            due_on=today + datetime.timedelta(days=30),
            today=today,
        )
        # recorded last summer, due a few weeks before the day the demo is built for: overdue, no outcome yet
        D.objects.filter(pk=decision.pk).update(due_on=today - datetime.timedelta(days=20))
        _set_back(decision, created=_moment(summer))


def _latest(department: Department, today: datetime.date, uo: User) -> None:
    campaign = Campaign.objects.filter(department=department, code=LATEST).first()
    if campaign is None:
        return
    confirmed = (
        SignalCase.objects.filter(
            campaign=campaign, status=SignalCase.Status.CLOSED, conclusion=SignalCase.Conclusion.CONFIRMED
        )
        .select_related("school", "assessment", "campaign")
        .order_by("school__code", "assessment__code", "kind")
    )
    for case in confirmed:
        if D.objects.filter(case=case).exists():
            continue
        decision = decision_record(
            actor=uo,
            campaign=campaign,
            school=case.school,
            basis=DecisionBasis(basis=D.Basis.SIGNAL_CASE, case=case),
            text="Включить школу в план учредительного контроля: проверить систему текущего оценивания в "
            "параллели, посетить уроки, заслушать отчёт руководителя на совещании руководителей.",
            responsible="Начальник отдела общего образования Управления образования",
            due_on=today + datetime.timedelta(days=75),
            today=today,
        )
        decision_edit(
            decision=decision,
            actor=uo,
            text=decision.text,
            responsible=decision.responsible,
            due_on=decision.due_on,
            status=D.Status.IN_PROGRESS,
            basis_note=decision.basis_note,
            today=today,
        )


def seed_decisions(*, department: Department, today: datetime.date | None = None) -> int:
    """Records the demo's decisions (the module's docstring); returns how many the department has."""
    today = today or timezone.localdate()
    uo = User.objects.get(username="uo")
    mun = User.objects.filter(username="mun").first() or uo
    _earlier(department, today, uo, mun)
    _latest(department, today, uo)
    return D.objects.filter(department=department).count()
