"""The demo's training campaign (апробация): its federal window contains the day the demo is built, and
sch660001 is prepared through the day with the school's own services, as its coordinator would: participants
and codes, the schedule (yesterday), rooms, seating, two organizers per room, lists released, protocols
submitted; experts appointed and works distributed, grading open, part of the works scored; the school's order
awaiting the director's approval. expert1 then finds
works to score and coord1 a results page with figures.

The campaign is keyed by its code: once it exists (whatever day it was built on) nothing is done again.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grading.models import Work
from grading.results_form import FormRow, ParsedForm
from grading.services.distribution import BY_CLASS, works_distribute
from grading.services.results import results_import
from grading.services.scores import Cell
from procedures.models import Campaign, Participant, Room, SittingRoom
from procedures.selectors.participants import awaiting_parents_decision
from procedures.services.orders import order_submit
from procedures.services.participants import codes_issue, participant_disability_decision
from procedures.services.protocols import ProtocolInput, protocol_submit
from procedures.services.schedules import (
    EntryValue,
    schedule_approve,
    schedule_get_or_create,
    schedule_save,
    schedule_state,
    schedule_submit,
)
from procedures.services.seating import (
    room_save,
    sitting_room_release,
    sitting_rooms_set,
    sitting_seat,
    sittings_sync,
)
from procedures.services.staffing import expert_appoint, organizer_appoint
from schools.models import Department, School, Staff, User

from .campaigns import ASSESSMENTS, campaign_load, campaign_start
from .patterns import demo_result
from .registry import SEED

CODE = "APR-DEMO"
SCHOOL = "sch660001"
WORKS = ("RU-5", "MA-4")
GRADED = "RU-5"  # written yesterday and being graded; MA-4 is written today
ROOMS = (("каб. 201", 5, 6), ("каб. 202", 5, 6), ("каб. 203", 5, 6), ("каб. 204", 5, 6))
SCORED_SHARE = 0.6  # works scored by the end of the demo's day
PARENTS_DECISION = "заявление родителей об участии в апробации с дополнительным временем"


def training_catalogue(today: datetime.date) -> dict:
    return {
        "campaign": {
            "code": CODE,
            "title": "Апробация ВПР (тренировочная работа)",
            "kind": Campaign.Kind.TRAINING,
            "window": [
                (today - datetime.timedelta(days=3)).isoformat(),
                (today + datetime.timedelta(days=4)).isoformat(),
            ],
            "upload_deadline": f"{(today + datetime.timedelta(days=10)).isoformat()}T23:59:00+05:00",
        },
        "assessments": [a for a in ASSESSMENTS if a["code"] in WORKS],
    }


def _schedule(campaign: Campaign, school: School, days: dict, *, coordinator: User, department_user: User):
    """`days`: the day each work is written (RU-5 yesterday and graded, MA-4 today and in progress)."""
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    state = schedule_state(schedule=schedule)
    lessons = {code: lesson for lesson, code in enumerate(WORKS, start=2)}
    values = [EntryValue(a, c, days[a.code], lessons[a.code]) for a, c in state.pairs]
    state = schedule_save(schedule=schedule, values=values, actor=coordinator)
    # The school confirms what the schedule warns about (a day off, two works on one day …), as on the page.
    values = [
        EntryValue(a, c, days[a.code], lessons[a.code], frozenset(w.code for w in state.warnings.get((a.pk, c.pk), [])))
        for a, c in state.pairs
    ]
    schedule_save(schedule=schedule, values=values, actor=coordinator)
    schedule_submit(schedule=schedule, actor=coordinator)
    schedule_approve(schedule=schedule, actor=department_user)


def _organize(campaign: Campaign, school: School, *, coordinator: User, today: datetime.date) -> None:
    """Rooms, seating, two organizers per room and the lists released on the morning of each sitting; the
    protocols of the finished sittings submitted. Today's sitting waits for its organizers: organizer1 is
    appointed to its first room, whose protocol is theirs to fill."""
    rooms = []
    for name, rows, columns in ROOMS:
        room = Room.objects.filter(school=school, name=name).first()
        rooms.append(
            room or room_save(room=Room(school=school, name=name, rows=rows, columns=columns), actor=coordinator)
        )
    staff = list(Staff.objects.filter(school=school, is_administration=False).order_by("last_name", "first_name"))
    organizer = Staff.objects.filter(user__username="organizer1").first()
    for sitting in campaign.sittings.filter(school=school).select_related("assessment").order_by("starts_at"):
        day = sitting.starts_at.astimezone(school.tzinfo).date() if sitting.starts_at else today
        at = datetime.datetime.combine(day, datetime.time(7), tzinfo=school.tzinfo)
        people = staff if day < today or organizer is None else [organizer, *(p for p in staff if p != organizer)]
        writers = Participant.objects.filter(
            assessment=sitting.assessment, school=school, status=Participant.Status.WRITES
        )
        needed = -(-writers.count() // (ROOMS[0][1] * ROOMS[0][2]))
        sitting_rooms_set(sitting=sitting, rooms=rooms[:needed], actor=coordinator)
        sitting_seat(sitting=sitting, actor=coordinator)
        for sitting_room in SittingRoom.objects.filter(sitting=sitting).order_by("pk"):
            appointed = 0
            for person in people:
                if appointed == 2:
                    break
                try:
                    organizer_appoint(sitting_room=sitting_room, staff=person, actor=coordinator)
                except ValidationError:
                    continue
                appointed += 1
            sitting_room = sitting_room_release(sitting_room=sitting_room, actor=coordinator, now=at)
            if day >= today:
                continue
            start = sitting.starts_at or at
            protocol_submit(
                sitting_room=sitting_room,
                data=ProtocolInput(started_at=start, materials_collected=True, handed_to_coordinator=True),
                actor=coordinator,
                now=start + datetime.timedelta(hours=1),
            )


def _grade(campaign: Campaign, school: School, *, coordinator: User, expert: Staff, now: datetime.datetime) -> None:
    """Experts appointed and works distributed; the coordinator imports the scores of part of the works of the
    work written yesterday (today's opens for grading at the campaign's hour, R10)."""
    for assessment in campaign.assessments.prefetch_related("tasks").order_by("code"):
        subject = assessment.subject.name
        candidates = [expert] if assessment.code == "RU-5" else []
        candidates += list(
            Staff.objects.filter(school=school, subject_experience__subject__name__in=[subject, "Начальные классы"])
            .exclude(pk=expert.pk)
            .order_by("last_name", "first_name")
            .distinct()
        )
        appointed = 0
        for person in candidates:
            if appointed == 2:
                break
            try:
                expert_appoint(assessment=assessment, school=school, staff=person, actor=coordinator)
            except ValidationError:
                continue
            appointed += 1
        works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
        if assessment.code != GRADED:
            continue
        tasks = [(t.max_points, t.difficulty) for t in assessment.tasks.order_by("position")]
        rng = random.Random(f"{SEED}:{CODE}:{assessment.code}")
        rows = []
        works = (
            Work.objects.filter(assessment=assessment, school=school)
            .select_related("participant")
            .order_by("participant__code")
        )
        for number, work in enumerate(works, start=2):
            if rng.random() > SCORED_SHARE:
                continue
            result = demo_result(rng, ability=rng.gauss(0, 1), tasks=tasks, scale=assessment.scale, kinds=set())
            if result.absent:
                continue
            cells = tuple(Cell(value, not_attempted) for value, not_attempted in result.cells)
            rows.append(FormRow(number, work.participant.code, result.variant, False, cells, result.journal_mark))
        results_import(assessment=assessment, school=school, form=ParsedForm(rows=rows), actor=coordinator, now=now)


@transaction.atomic
def seed_training_campaign(*, department: Department, today: datetime.date | None = None) -> Campaign:
    """The training campaign going on `today` (by default the day the demo is built), sch660001 ready."""
    today = today or timezone.localdate()
    existing = Campaign.objects.filter(code=CODE).first()
    if existing is not None:
        return existing
    campaign = campaign_start(campaign_load(training_catalogue(today), department=department))
    school = School.objects.get(code=SCHOOL)
    coordinator = User.objects.get(username="coord1")
    department_user = User.objects.get(username="mun")
    expert = Staff.objects.get(user__username="expert1")
    codes_issue(campaign=campaign, school=school, actor=coordinator)
    decided: set[int] = set()
    for participant in Participant.objects.filter(campaign=campaign, school=school).filter(awaiting_parents_decision()):
        if participant.pupil_id not in decided:
            decided.add(participant.pupil_id)
            participant_disability_decision(
                participant=participant, decision=PARENTS_DECISION, takes_part=True, actor=coordinator
            )
    codes_issue(campaign=campaign, school=school, actor=coordinator)
    yesterday = today - datetime.timedelta(days=1)
    days = {"RU-5": yesterday, "MA-4": today}
    _schedule(campaign, school, days, coordinator=coordinator, department_user=department_user)
    sittings_sync(campaign=campaign, school=school, actor=coordinator)
    _organize(campaign, school, coordinator=coordinator, today=today)
    _grade(campaign, school, coordinator=coordinator, expert=expert, now=timezone.now())
    # the order on the day's organisation, submitted by the coordinator, awaits the director's approval
    order_submit(campaign=campaign, school=school, number="45-ОД", date=yesterday, actor=coordinator)
    return campaign
