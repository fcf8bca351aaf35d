"""The re-check commission (monitoring/views_commission.py): the department forms and approves it, distributes
the works and appoints third experts (MANAGE_RECHECK); a commission expert (RECHECK_WORKS) lists their works and
scores them blind: the grid of a selection where they hold works (another's selection: 404), its submit and the
cell endpoint (POST only: GET 405).

Each school gets a selection of the shared assessment (the one another part made, if any) with one present
participant (code only) with a result, re-checked by a commission member: in the role users' school the role
users' expert (who exists by the time the objects are built), in the other someone without a log-in.
"""

from schools.access import Capability as C

from .base import Page
from .reports_municipal import build_objects as municipal_objects
from .reports_municipal import campaign_kwargs

POST_ONLY = 405


def _build(objs: dict, *, expert_user) -> None:
    from monitoring.models import CommissionMember, Recheck, RecheckSelection, RecheckWork
    from tests.factories import StaffFactory, make_participant, make_work

    school, assessment = objs["school"], objs["assessment"]
    recheck = Recheck.objects.get_or_create(campaign=objs["campaign"], defaults={"department": objs["department"]})[0]
    selection = RecheckSelection.objects.get_or_create(
        recheck=recheck, school=school, assessment=assessment, defaults={"reason": RecheckSelection.Reason.MANUAL}
    )[0]
    participant = make_participant(
        assessment, school=school, class_name="4А", sex="Ж", code=f"8{school.pk:04d}"[:5], variant=1
    )
    work = make_work(participant, primary_score=12, mark=3)
    member = CommissionMember.objects.create(
        recheck=recheck, staff=StaffFactory(school=school, user=expert_user) if expert_user else StaffFactory()
    )
    RecheckWork.objects.create(selection=selection, work=work, expert=member)
    objs["commission_selection"] = selection


def build_objects(own: dict, other: dict) -> None:
    from schools.models import Role, User

    municipal_objects(own, other)
    expert_user = User.objects.filter(memberships__role=Role.EXPERT, memberships__school=own["school"]).first()
    _build(own, expert_user=expert_user)
    _build(other, expert_user=None)


def selection_kwargs(objs):
    return {"pk": objs["commission_selection"].pk}


PAGES = {
    "monitoring:recheck_commission": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs),
    "monitoring:recheck_my_works": Page(C.RECHECK_WORKS),
    "monitoring:recheck_grid": Page(C.RECHECK_WORKS, kwargs=selection_kwargs, scoped=True),
    "monitoring:recheck_submit": Page(C.RECHECK_WORKS, kwargs=selection_kwargs, scoped=True, ok=POST_ONLY),
    "monitoring:recheck_cell_save": Page(C.RECHECK_WORKS, ok=POST_ONLY),
}
