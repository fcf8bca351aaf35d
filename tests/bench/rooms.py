"""One room's printables, made in the request: the room list and the seating plan of a 30-seat room with two
classes (budget 1 s each), beside a one-line PDF rendered the same way as the raw WeasyPrint reference."""

import statistics
import time

from procedures.models import SittingRoom
from procedures.selectors.rooms import room_list_pdf, room_plan_pdf
from procedures.services.seating import sitting_seat
from schools.models import Role
from tests.factories import make_assessment, make_campaign, make_room, make_sitting_room, user_with_role
from tests.procedures.test_staffing import build_classes, build_sitting, make_participants

from . import Measurement, benchmark
from .pupils import bench_department, new_school

RUNS = 5
BUDGET_S = 1.0


def full_room() -> SittingRoom:
    school = new_school("bench-rooms")
    campaign = make_campaign(bench_department(), code="VPR-ROOMS")
    assessment = make_assessment(campaign)
    classes = build_classes(school)
    sitting = build_sitting(campaign, school, assessment, classes)
    room = make_room(school, name="Зал", rows=5, columns=6)
    sitting_room = make_sitting_room(sitting, room)
    make_participants(assessment, classes["4А"], 15)
    make_participants(assessment, classes["4Б"], 15, start=15)
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="bench-rooms-coord")
    sitting_seat(sitting=sitting, actor=coordinator)
    return SittingRoom.objects.select_related("room", "sitting").get(pk=sitting_room.pk)


def median_seconds(render) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        render()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


@benchmark
def room_printables() -> list[Measurement]:
    """A 30-seat room's list and seating plan, each beside a one-line PDF (WeasyPrint's own floor)."""
    room = full_room()
    room_list_pdf(room)  # fonts are loaded once per process
    from weasyprint import HTML

    floor = median_seconds(lambda: HTML(string="<p>1</p>").write_pdf())
    note = f"raw reference: a one-line PDF {floor:.3f} s; median of {RUNS}"
    return [
        Measurement("room list, 30 seats (PDF)", median_seconds(lambda: room_list_pdf(room)), "s", BUDGET_S, note),
        Measurement("seating plan, 30 seats (PDF)", median_seconds(lambda: room_plan_pdf(room)), "s", BUDGET_S, note),
    ]
