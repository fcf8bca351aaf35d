"""Reads of campaigns and the catalogue, each starting from what the user may see."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from procedures.models import Assessment, Campaign, Task
from schools.access import Capability, department_ids_with
from schools.models import DEPARTMENT_ROLES, SCHOOL_ROLES, Role, School, User


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """The department sees its campaigns, drafts included; schools, experts and observers see the
    announced (non-draft) campaigns of their municipality."""
    editor_departments = department_ids_with(user, Capability.MANAGE_CAMPAIGNS)
    reader_departments = user.department_ids_with_role(*DEPARTMENT_ROLES, Role.OBSERVER, Role.EXPERT)
    school_departments = set(
        School.objects.filter(id__in=user.school_ids_with_role(*SCHOOL_ROLES)).values_list("department_id", flat=True)
    )
    condition = Q(department_id__in=editor_departments) | (
        Q(department_id__in=reader_departments | school_departments) & ~Q(status=Campaign.Status.DRAFT)
    )
    return Campaign.objects.filter(condition).select_related("department")


def may_edit_catalogue(user: User, campaign: Campaign) -> bool:
    return campaign.department_id in department_ids_with(user, Capability.MANAGE_CAMPAIGNS)


def campaign_list(user: User) -> QuerySet[Campaign]:
    return campaigns_visible_to(user).annotate(assessment_count=Count("assessments")).order_by("-window_start")


def assessments_of(campaign: Campaign) -> QuerySet[Assessment]:
    """The campaign's assessments with their tasks and maximum, in catalogue order."""
    return (
        campaign.assessments.select_related("subject")
        .annotate(total_max=Sum("tasks__max_points"), task_count=Count("tasks"))
        .order_by("grade", "subject__name", "code")
    )


def assessment_with_tasks(campaign: Campaign, code: str) -> Assessment:
    return (
        campaign.assessments.select_related("subject")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.order_by("position")))
        .get(code=code)
    )
