"""The objectivity signals' cases and thresholds (monitoring/views_cases.py). A campaign's signals and cases are the
department's (DECIDE_CASES: its specialists and municipal coordinators; every other role 403, the schools included:
the lists hold every school). A case and a school's list of cases: VIEW_CASES — the department, and the
coordinator and director of the case's school once the department asked (another school's: 404). Answering is the
school's (ANSWER_CASES), asking and concluding the department's; all three are POST only. The thresholds:
SET_THRESHOLDS."""

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import build_objects as municipal_objects


def build_objects(own: dict, other: dict) -> None:
    from monitoring.cases import case_ask
    from monitoring.models import SignalCase, ThresholdVersion
    from schools.models import Role
    from tests.factories import user_with_role

    municipal_objects(own, other)
    asker = user_with_role(Role.DEPARTMENT_STAFF, department=own["department"])
    for objs in (own, other):
        case = SignalCase.objects.create(
            campaign=objs["campaign"],
            assessment=objs["assessment"],
            school=objs["school"],
            kind="high_results",
            evidence_at_opening={"school": 80.0, "municipality": 55.0},
            evidence={"school": 80.0, "municipality": 55.0},
        )
        case_ask(case=case, text="Вопрос", actor=asker)
        objs["case"] = case
    own["threshold_version"] = other["threshold_version"] = ThresholdVersion.objects.create(
        department=own["department"], number=1, values={"high_results_points": 30}, reason="проверка"
    )


def campaign_kwargs(objs):
    return {"campaign_code": objs["campaign"].code}


def case_kwargs(objs):
    return {"pk": objs["case"].pk}


def signal_kwargs(objs):
    return {
        "campaign_code": objs["campaign"].code,
        "assessment_code": objs["assessment"].code,
        "school_code": objs["school"].code,
        "kind": objs["case"].kind,
    }


PAGES = {
    "monitoring:thresholds": Page(C.SET_THRESHOLDS),
    "monitoring:threshold_version": Page(C.SET_THRESHOLDS, kwargs=lambda objs: {"number": 1}),
    "monitoring:campaign_signals": Page(C.DECIDE_CASES, kwargs=campaign_kwargs),
    "monitoring:campaign_signals_check": Page(C.DECIDE_CASES, kwargs=campaign_kwargs, ok=405),  # POST only
    "monitoring:campaign_cases": Page(C.DECIDE_CASES, kwargs=campaign_kwargs),
    "monitoring:signal_case": Page(C.VIEW_CASES, kwargs=signal_kwargs, scoped=True, ok=302),
    "monitoring:school_cases": Page(C.VIEW_CASES, kwargs=school_kwargs, scoped=True),
    "monitoring:case": Page(C.VIEW_CASES, kwargs=case_kwargs, scoped=True),
    "monitoring:case_ask": Page(C.DECIDE_CASES, kwargs=case_kwargs, ok=405),  # POST only
    "monitoring:case_answer": Page(C.ANSWER_CASES, kwargs=case_kwargs, scoped=True, ok=405),  # POST only
    "monitoring:case_conclude": Page(C.DECIDE_CASES, kwargs=case_kwargs, ok=405),  # POST only
}
