"""The department's side of the re-check (monitoring/views_recheck.py): the campaign's selections with their clock,
selecting by hand, by Rosobrnadzor's list, by lottery and from a case (POST only: GET 405), a recorded lottery,
one selection with the confirmation of receipt (POST only). All MANAGE_RECHECK: the department's specialists and
municipal coordinators; every school role 403 (the lists hold every school)."""

from schools.access import Capability as C

from .base import Page
from .reports_municipal import build_objects as municipal_objects
from .reports_municipal import campaign_kwargs

POST_ONLY = 405


def build_objects(own: dict, other: dict) -> None:
    from monitoring.models import RecheckLottery, RecheckSelection, SignalCase
    from monitoring.recheck import recheck_for, selection_add
    from tests.factories import make_assessment

    municipal_objects(own, other)
    # an assessment of our own, so that other parts' selections of the shared assessment do not collide
    assessment = make_assessment(own["campaign"], code="RC-F")
    recheck = recheck_for(own["campaign"])
    selection = selection_add(recheck, own["school"], assessment, RecheckSelection.Reason.MANUAL, by=None)
    lottery = RecheckLottery.objects.create(recheck=recheck, seed="0" * 32, candidates=[], drawn=[])
    case = SignalCase.objects.create(
        campaign=own["campaign"],
        assessment=assessment,
        school=own["school"],
        kind="high_results",
        evidence_at_opening={},
        evidence={},
    )
    for objs in (own, other):
        objs["recheck_f_selection"], objs["recheck_f_lottery"], objs["recheck_f_case"] = selection, lottery, case


PAGES = {
    "monitoring:recheck": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs),
    "monitoring:recheck_select": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs, ok=POST_ONLY),
    "monitoring:recheck_list_upload": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs, ok=POST_ONLY),
    "monitoring:recheck_lottery_run": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs, ok=POST_ONLY),
    "monitoring:recheck_lottery": Page(C.MANAGE_RECHECK, kwargs=lambda objs: {"pk": objs["recheck_f_lottery"].pk}),
    "monitoring:recheck_selection": Page(C.MANAGE_RECHECK, kwargs=lambda objs: {"pk": objs["recheck_f_selection"].pk}),
    "monitoring:recheck_receive": Page(
        C.MANAGE_RECHECK, kwargs=lambda objs: {"pk": objs["recheck_f_selection"].pk}, ok=POST_ONLY
    ),
    "monitoring:recheck_from_case": Page(
        C.MANAGE_RECHECK, kwargs=lambda objs: {"pk": objs["recheck_f_case"].pk}, ok=POST_ONLY
    ),
}
