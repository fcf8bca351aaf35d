"""The management decisions beside a campaign's results (Регламент 3.2, 4.1.9): the decisions of the earlier
campaigns about the same subject and grade, and this campaign's decisions about the assessment, with the way to
record a new one (also on a weak skill: completion below 50 %). Shown on a school's results page (a panel of
grading/panels.py, registered in monitoring/apps.py) and on the department's municipal page of an assessment."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from grading.panels import ResultsPanel
from monitoring.decisions import (
    WEAK_SKILL_BELOW,
    decisions_before,
    decisions_of_campaign,
    decisions_version,
    is_overdue,
)
from monitoring.models import ManagementDecision
from schools.access import Capability, user_can

TEMPLATE = "monitoring/decisions/_panel.html"


def record_url(**params) -> str:
    """The record form, prefilled with `params` (campaign, school, assessment, basis, case, skill)."""
    params = {name: value for name, value in params.items() if value not in (None, "")}
    return reverse("monitoring:decision_new") + ("?" + urlencode(params) if params else "")


def _rows(decisions: list[ManagementDecision]) -> list[tuple[ManagementDecision, bool]]:
    today = timezone.localdate()
    return [(decision, is_overdue(decision, today)) for decision in decisions]


def panel_context(*, campaign, assessment, school, can_record: bool, skills=None) -> tuple[dict, tuple]:
    """The panel's context and its cache key part, for a school's page (`school`) or the municipal one (None)."""
    before = decisions_before(assessment, school=school)
    current = [d for d in decisions_of_campaign(campaign, school=school) if d.assessment_id == assessment.pk]
    weak = []
    if can_record and skills:
        for group in skills:
            if group.key and group.share is not None and group.share < WEAK_SKILL_BELOW:
                url = record_url(
                    campaign=campaign.code,
                    school=school.code if school else "",
                    assessment=assessment.pk,
                    basis=ManagementDecision.Basis.WEAK_SKILL,
                    skill=group.key,
                )
                weak.append((group.key, group.share, url))
    context = {
        "before": _rows(before),
        "current": _rows(current),
        "can_record": can_record,
        "record_url": record_url(campaign=campaign.code, school=school.code if school else "", assessment=assessment.pk)
        if can_record
        else "",
        "weak_skills": weak,
        "show_school": school is None,
        "campaign": campaign,
        "assessment": assessment,
    }
    return context, panel_key(campaign=campaign, can_record=can_record)


def panel_key(*, campaign, can_record: bool) -> tuple:
    """What the panel shows, for a cached page's key, without reading the decisions themselves: whether the viewer
    may record, the department's decisions' version (any change of any decision) and the day (overdue marks)."""
    return can_record, decisions_version(campaign.department_id), timezone.localdate().isoformat()


def results_panel(*, viewer, campaign, school, assessment, skills=None) -> ResultsPanel | None:
    """The panel of a school's results page (grading/panels.py) for whoever may read the school's decisions."""
    if not user_can(viewer, Capability.VIEW_DECISIONS, school):
        return None
    can_record = user_can(viewer, Capability.RECORD_DECISIONS, school)
    if skills is None:  # only the key is wanted (grading/panels.py): the cached page's key
        return ResultsPanel(template=TEMPLATE, key=panel_key(campaign=campaign, can_record=can_record))
    context, key = panel_context(
        campaign=campaign, assessment=assessment, school=school, can_record=can_record, skills=skills
    )
    return ResultsPanel(template=TEMPLATE, context=context, key=key)
