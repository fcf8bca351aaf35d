"""The «на перепроверку» button of a case page (monitoring/views_recheck.py): shown to who may select for
re-check, or the selection when the pair is selected already."""

from django import template

from monitoring.models import RecheckSelection
from schools.access import Capability as C
from schools.access import user_can

register = template.Library()


@register.inclusion_tag("monitoring/recheck/selection_from_case_button.html", takes_context=True)
def recheck_from_case_button(context, case):
    user = context["request"].user
    can_select = user_can(user, C.MANAGE_RECHECK, case.school)
    selection = (
        RecheckSelection.objects.filter(
            recheck__campaign_id=case.campaign_id, school_id=case.school_id, assessment_id=case.assessment_id
        ).first()
        if can_select
        else None
    )
    return {"can_select": can_select, "selection": selection, "case": case, "csrf_token": context.get("csrf_token")}
