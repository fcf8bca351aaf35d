"""The management decisions of a case page (monitoring/views_cases.py): those taken on the case, and the
«Принять управленческое решение» button for who may record one about the case's school."""

from django import template

from monitoring.decision_panel import record_url
from monitoring.decisions import decisions_visible_to, is_overdue
from monitoring.models import ManagementDecision
from schools.access import Capability as C
from schools.access import user_can

register = template.Library()


@register.inclusion_tag("monitoring/decisions/_for_case.html", takes_context=True)
def decisions_for_case(context, case):
    user = context["request"].user
    if not user_can(user, C.VIEW_DECISIONS, case.school):
        return {"shown": False}
    taken = list(decisions_visible_to(user).filter(case=case))
    can_record = user_can(user, C.RECORD_DECISIONS, case.school)
    return {
        "shown": True,
        "rows": [(decision, is_overdue(decision)) for decision in taken],
        "record_url": record_url(
            campaign=case.campaign.code,
            school=case.school.code,
            case=case.pk,
            basis=ManagementDecision.Basis.SIGNAL_CASE,
        )
        if can_record
        else "",
    }
