"""Distribution of works, score entry, journal marks, progress and the score history (grading/views.py,
grading/views_journal.py), with the capabilities of the table (schools.access).

The expert opens only the works assigned to them (GRADE_WORKS; another school's grid, where they hold none:
404) and sees codes, never names (R11); the cell endpoint takes POST only (GET: 405) from whoever enters scores
(ENTER_SCORES). The school coordinator distributes, enters and keeps the journal marks (MANAGE_GRADING); the
progress (VIEW_GRADING_PROGRESS) and the score history (VIEW_SCORE_HISTORY) are read by the roles the table
gives them. Everyone else: 403.

Each school gets a sitting in the past (grading is open, R10), two participants without pupils (codes only) of
class 4А with their works, one assigned to an expert — in the role users' school the role users' expert, who
exists by the time the objects are built (the matrix tests ask for `role_users` before `objects`) — and the
expert's appointment.
"""

import datetime

from procedures.models import Appointment
from schools.access import Capability as C
from schools.models import Role, Staff, User
from tests.factories import make_assessment, make_campaign, make_participant, make_sitting, make_work

from .base import Page

POST_ONLY = 405
CLASS_NAME = "4А"


def school_kwargs(objs):
    return {"campaign_code": objs["campaign"].code, "school_code": objs["school"].code}


def assessment_kwargs(objs):
    return {**school_kwargs(objs), "assessment_code": objs["assessment"].code}


def journal_kwargs(objs):
    return {**assessment_kwargs(objs), "class_name": CLASS_NAME}


def _build(objs: dict) -> None:
    school, campaign, assessment = objs["school"], objs["campaign"], objs["assessment"]
    make_sitting(assessment, school, date=datetime.date(2026, 4, 21), lesson=6)
    user = User.objects.filter(
        memberships__role=Role.EXPERT, memberships__school=school, memberships__is_active=True
    ).first()
    expert = Staff.objects.create(
        school=school, user=user, last_name="Проверкина", first_name="Нина", position="учитель", is_administration=True
    )
    Appointment.objects.create(
        campaign=campaign, school=school, staff=expert, duty=Appointment.Duty.EXPERT, assessment=assessment
    )
    for number, assigned in ((1, True), (2, False)):
        participant = make_participant(
            assessment, school=school, class_name=CLASS_NAME, sex="Ж", code=f"9020{number}", variant=number
        )
        make_work(participant, expert=expert if assigned else None)
    objs["grading_expert"] = expert


def build_objects(own: dict, other: dict) -> None:
    if "campaign" not in own:
        own["campaign"] = other["campaign"] = make_campaign(own["department"])
    if "assessment" not in own:
        own["assessment"] = other["assessment"] = make_assessment(own["campaign"])
    for objs in (own, other):
        _build(objs)


PAGES = {
    "grading:my_works": Page(C.GRADE_WORKS),
    "grading:expert_grid": Page(C.GRADE_WORKS, kwargs=assessment_kwargs, scoped=True),
    "grading:expert_submit": Page(C.GRADE_WORKS, kwargs=assessment_kwargs, scoped=True, ok=POST_ONLY),
    "grading:cell_save": Page(C.ENTER_SCORES, ok=POST_ONLY),
    "grading:school_progress": Page(C.VIEW_GRADING_PROGRESS, kwargs=school_kwargs, scoped=True),
    "grading:distribution": Page(C.MANAGE_GRADING, kwargs=assessment_kwargs, scoped=True),
    "grading:manager_grid": Page(C.MANAGE_GRADING, kwargs=assessment_kwargs, scoped=True),
    "grading:journal": Page(C.MANAGE_GRADING, kwargs=journal_kwargs, scoped=True),
    "grading:journal_cell": Page(C.MANAGE_GRADING, kwargs=assessment_kwargs, scoped=True, ok=POST_ONLY),
    "grading:history": Page(C.VIEW_SCORE_HISTORY, kwargs=assessment_kwargs, scoped=True),
}
