"""The demo's observation and on-site monitoring (docs/observation.md; Регламент, прил. 1–3), built through the
portal's own services so that their audit entries and notices are real:

- the registry: `observer` and three more public observers, `uo_rep` the department's representative; observer3
  declared a child in sch660001's 4А (R5: he cannot be sent to its MA-4), observer4 works at sch660010;
- the training campaign's day at sch660001: a recorded lottery drew the day's MA-4 sitting, `observer` is sent to
  it and placed by coord1 in a room, `uo_rep` goes there with the monitoring card; both forms wait to be filled,
  and `observer` has not confirmed the instruction yet (the first thing their start page asks); tech1 recorded
  the video surveillance of both sittings;
- ВПР-2026 (finished): observers and the representative visited RU-4 and MA-5 in some schools (the sittings are
  made here: the finished campaigns were replayed without a schedule), their acts and cards are signed, and the
  «нет» of three of them are violations — sch660001's answered by coord1 and closed by the department, one of
  sch660002's answered by coord2 and one waiting for its answer. The observed and unobserved classes of those
  works give the observer effect its groups.

Idempotent: each part is skipped once its assignments exist, so a second build adds nothing.
"""

import datetime

from monitoring.assignments import assign, lottery_draw, observer_place
from monitoring.items import items_of
from monitoring.models import (
    AssignmentLottery,
    ObservationAssignment,
    Person,
    PersonRelative,
    Stage,
    Violation,
    VisitReport,
)
from monitoring.services import observer_instruction_acknowledge
from monitoring.video import keep_at_least_until, video_record_save
from monitoring.violations import violation_answer, violation_close
from monitoring.visit_reports import report_open, report_save, report_submit
from procedures.models import Campaign, Sitting, SittingRoom
from schools.models import Department, Relation, School, SchoolClass, User, current_academic_year

from .training import CODE as TRAINING

FINISHED = "VPR-2026"
OBSERVED_WORK = "MA-4"  # the training campaign's work written on the demo's day

# username → (kind, identity document, sending organisation, phone, workplace school); all invented.
PEOPLE = {
    "observer": (
        Person.Kind.OBSERVER,
        "паспорт 00 00 000001",
        "Общественная палата Демонстрационного городского округа",
        "+7 900 000-00-01",
        None,
    ),
    "observer2": (
        Person.Kind.OBSERVER,
        "паспорт 00 00 000002",
        "Родительский совет Демонстрационного городского округа",
        "+7 900 000-00-02",
        None,
    ),
    "observer3": (
        Person.Kind.OBSERVER,
        "паспорт 00 00 000003",
        "Общественная палата Демонстрационного городского округа",
        "+7 900 000-00-03",
        None,
    ),
    "observer4": (
        Person.Kind.OBSERVER,
        "паспорт 00 00 000004",
        "Демонстрационный педагогический колледж",
        "+7 900 000-00-04",
        "sch660010",
    ),
    "uo_rep": (
        Person.Kind.REPRESENTATIVE,
        "паспорт 00 00 000005",
        "Управление образования Демонстрационного городского округа",
        "+7 900 000-00-05",
        None,
    ),
}
CONFIRMED = ("observer2", "observer3", "observer4")  # `observer` reads and confirms the instruction in the demo

# ВПР-2026's visits: (school, work, day, lesson, who, {item: (answer, details)} of what they reported).
REFERENCE = "На стенах кабинета 12 висели таблицы с правилами орфографии; сняли после замечания."
SEATING = "В аудитории 3 участники сидели по двое за партой, рассадка по списку не соблюдена."
LEFT = "Организатор выходил из аудитории на 10 минут, в аудитории оставался только наблюдатель."
VISITS = (
    ("sch660001", "RU-4", datetime.date(2026, 4, 14), 2, "observer2", {"1.3": ("yes", REFERENCE)}),
    ("sch660003", "RU-4", datetime.date(2026, 4, 14), 2, "observer3", {}),
    ("sch660005", "RU-4", datetime.date(2026, 4, 14), 2, "observer4", {}),
    ("sch660012", "RU-4", datetime.date(2026, 4, 14), 2, "uo_rep", {}),
    ("sch660002", "MA-5", datetime.date(2026, 4, 16), 2, "uo_rep", {"9": ("no", SEATING)}),
    ("sch660002", "MA-5", datetime.date(2026, 4, 16), 2, "observer3", {"2.2": ("yes", LEFT)}),
    ("sch660004", "MA-5", datetime.date(2026, 4, 16), 2, "observer2", {}),
    ("sch660006", "MA-5", datetime.date(2026, 4, 16), 2, "observer4", {}),
)
ANSWER = "Справочные таблицы сняты со стен всех кабинетов, где проводится ВПР; с организаторами проведён инструктаж."
CLOSING = "Ответ школы принят: нарушение устранено до начала выполнения работы, на результаты не повлияло."
SEATING_ANSWER = "Рассадка нарушена из-за ремонта кабинета 14; в следующий раз используем резервную аудиторию."
LESSON_STARTS = {1: datetime.time(8, 30), 2: datetime.time(9, 25), 3: datetime.time(10, 20)}
VIDEO_STORAGE = "сервер видеонаблюдения школы, кабинет 105"


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[*PEOPLE, "uo", "coord1", "coord2", "tech1"])}


def _registry(department: Department, users: dict[str, User]) -> dict[str, Person]:
    """The registry's entries of the demo's observers and representative, with observer3's declared relative."""
    people = {}
    schools = {s.code: s for s in School.objects.filter(department=department)}
    for username, (kind, document, organisation, phone, workplace) in PEOPLE.items():
        user = users[username]
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = Person.objects.create(
                department=department,
                user=user,
                kind=kind,
                identity_document=document,
                organisation=organisation,
                phone=phone,
                workplace_school=schools.get(workplace),
                created_by=users["uo"],
            )
        people[username] = person
    observer3 = people["observer3"]
    if not observer3.relatives.exists():
        school = schools["sch660001"]
        fourth = SchoolClass.objects.filter(
            school=school, academic_year=current_academic_year(), grade=4, letter="А"
        ).first()
        PersonRelative.objects.create(person=observer3, school=school, school_class=fourth, relation=Relation.PARENT)
    for username in CONFIRMED:
        observer_instruction_acknowledge(user=users[username])
    return people


def _training_day(department: Department, people: dict[str, Person], users: dict[str, User]) -> None:
    """The demo's day: the lottery, `observer` placed in a room of the day's sitting, `uo_rep` sent there with the
    card, the video surveillance of the training sittings recorded."""
    training = Campaign.objects.filter(code=TRAINING).first()
    sitting = (
        Sitting.objects.filter(campaign=training, school__code="sch660001", assessment__code=OBSERVED_WORK)
        .select_related("school", "campaign")
        .first()
    )
    if sitting is None or ObservationAssignment.objects.filter(sitting__campaign=training).exists():
        return
    uo = users["uo"]
    lottery = AssignmentLottery.objects.filter(department=department, date=sitting.date).first()
    if lottery is None:
        lottery = lottery_draw(
            department=department,
            date=sitting.date,
            count=1,
            actor=uo,
            note="Апробация: проведения дня без наблюдателей",
        )
    observed = assign(person=people["observer"], sitting=sitting, stage=Stage.CONDUCT, actor=uo, lottery=lottery)
    room = SittingRoom.objects.filter(sitting=sitting).order_by("pk").first()
    if room is not None:
        observer_place(assignment=observed, sitting_room=room, actor=users["coord1"])
    assign(person=people["uo_rep"], sitting=sitting, stage=Stage.CONDUCT, actor=uo)
    sittings = Sitting.objects.filter(campaign=training, school=sitting.school).select_related("campaign", "school")
    for recorded in sittings:
        if hasattr(recorded, "video_record"):
            continue
        video_record_save(
            sitting=recorded,
            room_ids=list(SittingRoom.objects.filter(sitting=recorded).values_list("pk", flat=True)),
            printing_recorded=True,
            storage_place=VIDEO_STORAGE,
            kept_until=keep_at_least_until(recorded),
            actor=users["tech1"],
        )


def _finished_sitting(campaign: Campaign, school: School, work: str, day: datetime.date, lesson: int) -> Sitting:
    """The sitting of a finished campaign's work at the school (made when missing: the demo replayed the finished
    campaigns without schedules), starting at the lesson's hour in the school's time zone (R16)."""
    assessment = campaign.assessments.get(code=work)
    starts = datetime.datetime.combine(day, LESSON_STARTS[lesson], tzinfo=school.tzinfo)
    sitting, _created = Sitting.objects.get_or_create(
        campaign=campaign,
        school=school,
        assessment=assessment,
        defaults={"date": day, "lesson": lesson, "starts_at": starts},
    )
    return sitting


def _answers(kind: str, reported: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Every item answered: what was reported as given, the rest as a visit without violations answers them."""
    fine = {"yes": "no", "no": "yes"}
    return {it.code: reported.get(it.code, (fine[it.violation_if], "")) for it in items_of(kind)}


def _file(assignment: ObservationAssignment, reported: dict[str, tuple[str, str]], user: User):
    """The person fills their act or card as the form does (one save per field) and signs it."""
    report = report_open(assignment=assignment)
    for code, (value, text) in _answers(report.kind, reported).items():
        report_save(assignment=assignment, field=code, value=value, text=text)
    report_save(assignment=assignment, field="started_at", value="08:50")
    report_save(assignment=assignment, field="ended_at", value="11:10")
    if reported:
        report_save(assignment=assignment, field="comment", value="Замечания сообщены координатору школы.")
    report.refresh_from_db()
    return report_submit(report=report, user=user)


def _dated(report, answered_days: int = 1) -> None:
    """A finished campaign's act or card was signed on the sitting's day (at the end of the visit, the school's
    time), its violations reported then, answered and closed in the days after: the demo is built later, so the
    services' «now» is moved back to when it happened."""
    sitting = report.assignment.sitting
    signed = datetime.datetime.combine(sitting.date, datetime.time(11, 20), tzinfo=sitting.school.tzinfo)
    VisitReport.objects.filter(pk=report.pk).update(created_at=signed, updated_at=signed, submitted_at=signed)
    answered = signed + datetime.timedelta(days=answered_days)
    closed = answered + datetime.timedelta(days=2)
    report.violations.update(reported_at=signed)
    report.violations.exclude(answered_at=None).update(answered_at=answered)
    report.violations.exclude(closed_at=None).update(closed_at=closed)


def _finished_visits(department: Department, people: dict[str, Person], users: dict[str, User]) -> None:
    """ВПР-2026's visits, acts and cards signed, their violations taken along the flow."""
    campaign = Campaign.objects.filter(department=department, code=FINISHED).first()
    if campaign is None or ObservationAssignment.objects.filter(sitting__campaign=campaign).exists():
        return
    schools = {s.code: s for s in School.objects.filter(department=department)}
    uo = users["uo"]
    for code, work, day, lesson, username, reported in VISITS:
        sitting = _finished_sitting(campaign, schools[code], work, day, lesson)
        assignment = assign(person=people[username], sitting=sitting, stage=Stage.CONDUCT, actor=uo)
        _file(assignment, reported, users[username])
    found = Violation.objects.filter(sitting__campaign=campaign).select_related("school", "sitting")
    reference = found.get(school__code="sch660001", item="1.3")
    answered = violation_answer(violation=reference, text=ANSWER, actor=users["coord1"])
    violation_close(violation=answered, note=CLOSING, actor=uo)
    seating = found.get(school__code="sch660002", item="9")
    violation_answer(violation=seating, text=SEATING_ANSWER, actor=users["coord2"])
    for report in VisitReport.objects.filter(assignment__sitting__campaign=campaign).select_related(
        "assignment__sitting__school"
    ):
        _dated(report)


def seed_observation(*, department: Department) -> int:
    """The demo's registry, assignments, acts, cards, violations and video records (see the module's docstring);
    returns how many assignments the department's schools have. The training campaign fixes the demo's day."""
    users = _users()
    people = _registry(department, users)
    _training_day(department, people, users)
    _finished_visits(department, people, users)
    return ObservationAssignment.objects.filter(sitting__school__department=department).count()
