"""Reading the management decisions' forms and filters (monitoring/views_decisions.py): what arrives is looked
up within the user's scope — a campaign, a school, an assessment or a case outside it is as if not given — and the
services (monitoring/decisions.py) check the rest."""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from monitoring import selectors
from monitoring.decisions import (
    DecisionBasis,
    DecisionFilters,
    campaigns_for_recording,
    may_record_municipal,
    schools_for_recording,
)
from monitoring.models import ManagementDecision, SignalCase
from procedures.models import Assessment, Campaign
from schools.models import School, User
from vpr_portal.params import id_param, text_param

MUNICIPAL = "-"  # the school field's value of a municipal decision


def filters_from(get: QueryDict) -> DecisionFilters:
    """The register's filters from the query string; what is not a known value is ignored."""
    status = get.get("status", "")
    basis = get.get("basis", "")
    return DecisionFilters(
        campaign=text_param(get, "campaign", max_length=40),
        school=text_param(get, "school", max_length=40),
        status=status if status in ManagementDecision.Status.values else "",
        basis=basis if basis in ManagementDecision.Basis.values else "",
        assessment=text_param(get, "assessment", max_length=40),
        overdue=get.get("overdue") == "1",
    )


@dataclass
class RecordInput:
    """The record form as read: the objects found in the user's scope and the raw values to show again."""

    campaign: Campaign | None
    school: School | None
    municipal: bool
    assessment: Assessment | None
    case: SignalCase | None
    values: dict


def record_input(user: User, data: QueryDict) -> RecordInput:
    """The record form's values (a GET prefills it from a case page or a weak skill; a POST records)."""
    campaign_code = text_param(data, "campaign", max_length=40)
    campaign = campaigns_for_recording(user).filter(code=campaign_code).first() if campaign_code else None
    school_code = text_param(data, "school", max_length=40)
    municipal = school_code == MUNICIPAL
    school = schools_for_recording(user).filter(code=school_code).first() if school_code and not municipal else None
    assessment_id = id_param(data, "assessment")
    assessment = (
        Assessment.objects.filter(pk=assessment_id, campaign__in=campaigns_for_recording(user))
        .select_related("campaign", "subject")
        .first()
        if assessment_id
        else None
    )
    if campaign is None and assessment is not None:
        campaign = assessment.campaign
    case_id = id_param(data, "case")
    case = selectors.cases_visible_to(user).filter(pk=case_id).first() if case_id else None
    if case is not None:
        campaign = campaign or case.campaign
        school = school or case.school
        assessment = assessment or case.assessment
    basis = data.get("basis", "")
    if case is not None and not basis:
        basis = ManagementDecision.Basis.SIGNAL_CASE
    values = {
        "campaign": campaign.code if campaign else "",
        "school": MUNICIPAL if municipal else (school.code if school else school_code),
        "assessment": assessment.pk if assessment else "",
        "case": case.pk if case else "",
        "basis": basis if basis in ManagementDecision.Basis.values else "",
        "skill": text_param(data, "skill", max_length=300),
        "basis_note": data.get("basis_note", "")[:1000],
        "text": data.get("text", "")[:5000],
        "responsible": data.get("responsible", "")[:300],
        "due_on": text_param(data, "due_on", max_length=10),
    }
    return RecordInput(campaign, school, municipal, assessment, case, values)


def record_basis(found: RecordInput) -> DecisionBasis:
    values = found.values
    return DecisionBasis(basis=values["basis"], case=found.case, skill=values["skill"], note=values["basis_note"])


def record_choices(user: User, found: RecordInput) -> dict:
    """What the record form offers: campaigns, schools (and «муниципальное» to the department), the assessments of
    the chosen campaign, the skills of the chosen assessment, the bases."""
    campaigns = list(campaigns_for_recording(user)[:50])
    schools = list(schools_for_recording(user).only("pk", "code", "short_name", "department_id")[:2000])
    department_ids = {campaign.department_id for campaign in campaigns}
    municipal = any(may_record_municipal(user, pk) for pk in department_ids)
    assessments = (
        list(found.campaign.assessments.select_related("subject").order_by("grade", "code"))
        if found.campaign is not None
        else []
    )
    skills = (
        sorted({skill for skill in found.assessment.tasks.values_list("skill", flat=True) if skill})
        if found.assessment is not None
        else []
    )
    return {
        "campaigns": campaigns,
        "schools": schools,
        "may_municipal": municipal,
        "municipal_value": MUNICIPAL,
        "assessments": assessments,
        "skills": skills,
        "bases": ManagementDecision.Basis.choices,
    }


def missing_objects(found: RecordInput) -> dict[str, list[str]]:
    """Errors for what was asked for and not found in the user's scope."""
    errors: dict[str, list[str]] = {}
    if found.campaign is None:
        errors["campaign"] = [_("Выберите кампанию.")]
    if found.school is None and not found.municipal:
        errors["school"] = [_("Выберите школу (или «муниципальное решение»).")]
    if found.values["case"] == "" and found.values["basis"] == ManagementDecision.Basis.SIGNAL_CASE:
        errors["case"] = [
            _("Решение по разбору принимается со страницы разбора: кнопка «Принять управленческое решение».")
        ]
    return errors
