"""Reads of the school's order on conducting the ВПР (Регламент 4.3.1): what the order says now (from the
approved schedule and the staffing), whether that differs from the last issued version, the text of the order
as a document (one model for the PDF and the DOCX) and the plan-graph's ORDER_ISSUED checker.

The content of an order is a plain dict (stored frozen in SchoolOrder.content when it is issued):

    {"school": {...}, "campaign": {...}, "department": "...",
     "schedule": [{"date": "2026-04-21", "lesson": 2, "work": "...", "classes": ["4А"], "duration": 45}],
     "coordinator": [person], "technical": [person],
     "organizers": [{"date", "lesson", "work", "room", "people": [person]}],
     "experts": [{"work", "people": [person]}]}

with person = {"name": "Фамилия Имя Отчество", "short_name": "Фамилия И.О.", "position": "..."}.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.models import (
    Appointment,
    Campaign,
    ScheduleEntry,
    SchoolOrder,
    SchoolOrderStep,
    SchoolSchedule,
    Stage,
)
from procedures.services.plan import CheckResult, register_stage_check
from schools.access import Capability, schools_with
from schools.classes import class_sort_key
from schools.models import School, Staff, User

# The parts of the content whose change calls for a new version, with their names for the school.
COMPARED_PARTS = {
    "schedule": gettext_lazy("график проведения"),
    "coordinator": gettext_lazy("школьный координатор"),
    "technical": gettext_lazy("технический специалист"),
    "organizers": gettext_lazy("организаторы в аудиториях"),
    "experts": gettext_lazy("эксперты"),
}


def orders_awaiting_approval(user: User) -> QuerySet[SchoolOrder]:
    """The versions submitted for approval in the schools where the user approves orders, oldest first."""
    return (
        SchoolOrder.objects.filter(
            status=SchoolOrder.Status.SUBMITTED, school__in=schools_with(user, Capability.APPROVE_ORDER)
        )
        .select_related("campaign", "school", "created_by")
        .order_by("created_at", "pk")
    )


# What the order says ---------------------------------------------------------------------------------------


def _person(staff: Staff) -> dict:
    return {"name": staff.full_name, "short_name": staff.short_name, "position": staff.position}


def _work(assessment) -> str:
    return _("{subject}, {grade} кл.").format(subject=assessment.subject.name, grade=assessment.grade)


def _schedule_rows(schedule: SchoolSchedule | None) -> list[dict]:
    """The schedule's entries, one row per (date, lesson, assessment) with its classes."""
    if schedule is None:
        return []
    entries = (
        ScheduleEntry.objects.filter(schedule=schedule)
        .select_related("assessment__subject", "school_class")
        .order_by("date", "lesson", "assessment__grade", "assessment__subject__name", "assessment__code")
    )
    rows: dict[tuple, dict] = {}
    for entry in entries:
        key = (entry.date, entry.lesson, entry.assessment_id)
        row = rows.setdefault(
            key,
            {
                "date": entry.date.isoformat(),
                "lesson": entry.lesson,
                "work": _work(entry.assessment),
                "classes": [],
                "duration": entry.assessment.duration,
            },
        )
        row["classes"].append(entry.school_class.name)
    for row in rows.values():
        row["classes"].sort(key=class_sort_key)
    return list(rows.values())


def _staffing(campaign: Campaign, school: School) -> dict:
    appointments = (
        Appointment.objects.filter(campaign=campaign, school=school)
        .select_related(
            "staff",
            "sitting_room__room",
            "sitting_room__sitting__assessment__subject",
            "assessment__subject",
        )
        .order_by("staff__last_name", "staff__first_name", "staff__middle_name", "staff_id")
    )
    coordinator, technical = [], []
    rooms: dict[int, dict] = {}
    room_order: dict[int, tuple] = {}
    experts: dict[int, dict] = {}
    expert_order: dict[int, tuple] = {}
    for appointment in appointments:
        person = _person(appointment.staff)
        if appointment.duty == Appointment.Duty.COORDINATOR:
            coordinator.append(person)
        elif appointment.duty == Appointment.Duty.TECHNICAL:
            technical.append(person)
        elif appointment.duty == Appointment.Duty.ORGANIZER and appointment.sitting_room_id:
            sitting_room = appointment.sitting_room
            sitting = sitting_room.sitting
            row = rooms.setdefault(
                sitting_room.pk,
                {
                    "date": sitting.date.isoformat(),
                    "lesson": sitting.lesson,
                    "work": _work(sitting.assessment),
                    "room": sitting_room.room.name,
                    "people": [],
                },
            )
            room_order[sitting_room.pk] = (
                sitting.date,
                sitting.lesson,
                sitting.assessment.grade,
                sitting_room.room.name,
            )
            row["people"].append(person)
        elif appointment.duty == Appointment.Duty.EXPERT and appointment.assessment_id:
            assessment = appointment.assessment
            row = experts.setdefault(assessment.pk, {"work": _work(assessment), "people": []})
            expert_order[assessment.pk] = (assessment.grade, assessment.subject.name, assessment.code)
            row["people"].append(person)
    return {
        "coordinator": coordinator,
        "technical": technical,
        "organizers": [rooms[pk] for pk in sorted(rooms, key=lambda pk: room_order[pk])],
        "experts": [experts[pk] for pk in sorted(experts, key=lambda pk: expert_order[pk])],
    }


def school_schedule(campaign: Campaign, school: School) -> SchoolSchedule | None:
    return SchoolSchedule.objects.filter(campaign=campaign, school=school).first()


def order_content(*, campaign: Campaign, school: School, schedule: SchoolSchedule | None = None) -> dict:
    """What the school's order says today: the header, the schedule and the staffing (names as printed)."""
    schedule = schedule if schedule is not None else school_schedule(campaign, school)
    return {
        "school": {
            "name": school.name,
            "short_name": school.short_name,
            "director_name": school.director_name,
        },
        "department": campaign.department.name,
        "campaign": {"title": campaign.title, "year": campaign.window_start.year},
        "schedule": _schedule_rows(schedule),
        **_staffing(campaign, school),
    }


def order_changes(previous: dict, current: dict) -> list[str]:
    """The names of the parts (schedule, coordinator, …) in which two contents differ."""
    return [str(label) for key, label in COMPARED_PARTS.items() if previous.get(key) != current.get(key)]


@dataclass(frozen=True)
class OrderState:
    """The order page: the versions, what the order would say now, what changed since the last approved version,
    what stops submitting and what the school should look at."""

    versions: list[SchoolOrder]
    content: dict
    schedule: SchoolSchedule | None
    changes: list[str]
    blockers: list[str]
    warnings: list[str]

    @property
    def latest(self) -> SchoolOrder | None:
        """The version in force: the last one the director approved."""
        return next((order for order in self.versions if order.is_approved), None)

    @property
    def awaiting(self) -> SchoolOrder | None:
        """The version submitted to the director and not decided yet."""
        return next((order for order in self.versions if order.status == SchoolOrder.Status.SUBMITTED), None)

    @property
    def returned(self) -> SchoolOrder | None:
        """The newest version, when the director returned it: it is corrected and submitted again."""
        newest = self.versions[0] if self.versions else None
        return newest if newest is not None and newest.status == SchoolOrder.Status.RETURNED else None

    @property
    def next_version(self) -> int:
        """The version the next submission gets: the returned one again, or a new one."""
        if self.returned is not None:
            return self.returned.version
        return max((order.version for order in self.versions), default=0) + 1

    @property
    def needs_new_version(self) -> bool:
        """Staffing or schedule changed since the last approved version (or nothing was approved yet)."""
        return self.latest is None or bool(self.changes)

    @property
    def may_be_submitted(self) -> bool:
        return self.needs_new_version and not self.blockers and self.awaiting is None


def order_blockers(*, schedule: SchoolSchedule | None, content: dict) -> list[str]:
    """What stops issuing: the order is built from the approved schedule."""
    if schedule is None or not content["schedule"]:
        return [_("В графике проведения нет ни одной работы: сначала задайте даты и получите согласование.")]
    if schedule.status != SchoolSchedule.Status.APPROVED:
        return [
            _("График проведения не согласован управлением (статус: {status}).").format(
                status=schedule.get_status_display()
            )
        ]
    return []


def order_warnings(content: dict) -> list[str]:
    """Gaps the school should see before it issues (they do not stop it: a new version follows the staffing)."""
    warnings = []
    if not content["coordinator"]:
        warnings.append(_("Не назначен школьный координатор."))
    if not content["technical"]:
        warnings.append(_("Не назначен технический специалист."))
    if not content["organizers"]:
        warnings.append(_("Не назначены организаторы в аудиториях."))
    if not content["experts"]:
        warnings.append(_("Не назначены эксперты по проверке работ."))
    return warnings


def order_versions(*, campaign: Campaign, school: School) -> QuerySet[SchoolOrder]:
    return (
        SchoolOrder.objects.filter(campaign=campaign, school=school)
        .select_related("created_by", "decided_by")
        .prefetch_related(Prefetch("steps", queryset=SchoolOrderStep.objects.select_related("actor")))
        .order_by("-version")
    )


def order_state(*, campaign: Campaign, school: School) -> OrderState:
    schedule = school_schedule(campaign, school)
    content = order_content(campaign=campaign, school=school, schedule=schedule)
    versions = list(order_versions(campaign=campaign, school=school))
    approved = next((order for order in versions if order.is_approved), None)
    changes = order_changes(approved.content, content) if approved else []
    return OrderState(
        versions=versions,
        content=content,
        schedule=schedule,
        changes=changes,
        blockers=order_blockers(schedule=schedule, content=content),
        warnings=order_warnings(content),
    )


# The text of the order ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTable:
    headers: list[str]
    rows: list[list[str]]
    # column widths in per cent (a fixed layout keeps WeasyPrint fast on long tables)
    widths: list[int]


@dataclass(frozen=True)
class OrderPoint:
    text: str
    table: OrderTable | None = None


@dataclass(frozen=True)
class OrderDocument:
    """The order as printed, the same for the PDF, the DOCX and the page's preview."""

    organisation: str
    heading: str
    date: str
    number: str
    title: str
    preamble: str
    points: list[OrderPoint]
    signature_position: str
    signature_name: str
    acquainted: list[str] = field(default_factory=list)
    version: int | None = None


BLANK_DATE = "«___» ____________ 20___ г."
BLANK_NUMBER = "______"


def initials_first(full_name: str) -> str:
    """«Иванова Ольга Петровна» → «О.П. Иванова», as an order is signed."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    initials = "".join(f"{part[0]}." for part in parts[1:3])
    return f"{initials} {parts[0]}"


def _people(people: Sequence[dict]) -> str:
    return "; ".join(
        _("{name}, {position}").format(**person) if person["position"] else person["name"] for person in people
    )


def _date(value: str) -> str:
    return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")


def order_document(
    content: dict, *, number: str = "", date: datetime.date | None = None, version: int | None = None
) -> OrderDocument:
    """The text of the order from its content; without a number and date (a draft) they are left blank."""
    school = content["school"]
    year = content["campaign"]["year"]
    points = [
        OrderPoint(
            _(
                "Провести Всероссийские проверочные работы ({campaign}) в {school} в соответствии с графиком "
                "проведения:"
            ).format(campaign=content["campaign"]["title"], school=school["name"]),
            OrderTable(
                headers=[_("Дата"), _("Урок"), _("Работа"), _("Классы"), _("Время, мин")],
                rows=[
                    [
                        _date(row["date"]),
                        str(row["lesson"]),
                        row["work"],
                        ", ".join(row["classes"]),
                        str(row["duration"]),
                    ]
                    for row in content["schedule"]
                ],
                widths=[15, 8, 40, 23, 14],
            ),
        ),
        OrderPoint(
            _(
                "Назначить школьным координатором ВПР, ответственным за проведение ВПР в образовательной "
                "организации: {people}."
            ).format(people=_people(content["coordinator"]) or BLANK_NUMBER * 4)
        ),
        OrderPoint(
            _(
                "Назначить техническим специалистом, ответственным за печать материалов и работу в ФИС ОКО: {people}."
            ).format(people=_people(content["technical"]) or BLANK_NUMBER * 4)
        ),
        OrderPoint(
            _(
                "Назначить организаторами в аудиториях из числа учителей, не преподающих в классах, в которых "
                "проводится работа, и не ведущих обучение по соответствующему предмету (Регламент 4.3.3):"
            ),
            OrderTable(
                headers=[_("Дата"), _("Урок"), _("Работа"), _("Аудитория"), _("Организаторы")],
                rows=[
                    [_date(row["date"]), str(row["lesson"]), row["work"], row["room"], _people(row["people"])]
                    for row in content["organizers"]
                ],
                widths=[14, 8, 21, 17, 40],
            ),
        ),
        OrderPoint(
            _("Назначить экспертами по проверке работ участников ВПР (Регламент 4.3.4, 7.3):"),
            OrderTable(
                headers=[_("Работа"), _("Эксперты")],
                rows=[[row["work"], _people(row["people"])] for row in content["experts"]],
                widths=[30, 70],
            ),
        ),
        OrderPoint(
            _(
                "Лицам, указанным в пунктах 2–5, обеспечить соблюдение порядка проведения ВПР, объективность "
                "результатов и конфиденциальность: не допускать передачи контрольных измерительных материалов, "
                "критериев оценивания, кодов участников и результатов третьим лицам до их официальной публикации, "
                "обеспечить информационную безопасность (Регламент 4.3.13)."
            )
        ),
        OrderPoint(
            _(
                "Школьному координатору обеспечить хранение материалов ВПР и результатов в течение одного "
                "календарного года с даты проведения (Регламент 4.3.12)."
            )
        ),
        OrderPoint(_("Контроль за исполнением настоящего приказа оставляю за собой.")),
    ]
    people: dict[str, None] = {}
    for person in content["coordinator"] + content["technical"]:
        people.setdefault(person["short_name"])
    for row in content["organizers"] + content["experts"]:
        for person in row["people"]:
            people.setdefault(person["short_name"])
    return OrderDocument(
        organisation=school["name"],
        heading=_("ПРИКАЗ"),
        date=date.strftime("%d.%m.%Y") if date else BLANK_DATE,
        number=number or BLANK_NUMBER,
        title=_("О проведении Всероссийских проверочных работ в {year} году").format(year=year),
        preamble=_(
            "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
            "приказом Федеральной службы по надзору в сфере образования и науки о проведении мониторинга качества "
            "подготовки обучающихся общеобразовательных организаций в форме всероссийских проверочных работ, "
            "Регламентом подготовки и проведения ВПР ({department}), в целях организации и проведения ВПР"
        ).format(department=content["department"]),
        points=points,
        signature_position=_("Директор"),
        signature_name=initials_first(school["director_name"]) if school["director_name"] else BLANK_NUMBER * 3,
        acquainted=sorted(people),
        version=version,
    )


def issued_order_document(order: SchoolOrder) -> OrderDocument:
    return order_document(order.content, number=order.number, date=order.date, version=order.version)


def order_pdf(document: OrderDocument) -> bytes:
    """The order as an A4 PDF (WeasyPrint): two or three pages, rendered in the request."""
    from vpr_portal.pdf import render_pdf

    return render_pdf("procedures/print/order.html", {"doc": document})


def order_filename(*, school: School, campaign: Campaign, version: int | None, suffix: str) -> str:
    label = f"v{version}" if version else "draft"
    return f"order-{school.code}-{campaign.code}-{label}.{suffix}"


# The plan-graph ---------------------------------------------------------------------------------------------


def _order_link(campaign: Campaign, school: School) -> str:
    return reverse("procedures:order", kwargs={"campaign_code": campaign.code, "school_code": school.code})


@register_stage_check(Stage.Kind.ORDER_ISSUED, link=_order_link)
def order_issued(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when the director has approved an order of the school for the campaign; done_at is when the first
    version was approved (versions issued before approval existed count from their issue). One query for any
    number of schools."""
    rows = (
        SchoolOrder.objects.filter(
            campaign=campaign, school_id__in=[school.pk for school in schools], status=SchoolOrder.Status.APPROVED
        )
        .values("school_id")
        .annotate(first=Min(Coalesce("decided_at", "created_at")))
        .values_list("school_id", "first")
    )
    return {school_id: (True, first) for school_id, first in rows}
