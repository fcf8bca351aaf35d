"""Reads of campaigns and the catalogue, each starting from what the user may see."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from procedures.models import Assessment, Campaign, Task
from schools.access import Capability, department_ids_with, department_scope
from schools.models import DEPARTMENT_ROLES, SCHOOL_ROLES, Role, School, User

# The query of campaigns_visible_to for each department-only scope (a department's people: what they see follows
# from their memberships' roles and departments alone, no other row is read), built once per process: building it
# costs more than running it on the department's pages. Bounded: cleared past SCOPES_KEPT scopes.
SCOPES_KEPT = 2000
_department_queries: dict[tuple, QuerySet[Campaign]] = {}


def memoized_for_scope(store: dict, key: tuple, build):
    """The unevaluated query kept in `store` under `key`, built by `build()` the first time; each caller gets a
    clone (`.all()`), so the kept one is never evaluated or changed."""
    query = store.get(key)
    if query is None:
        if len(store) >= SCOPES_KEPT:
            store.clear()
        query = store[key] = build()
    return query.all()


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """The department sees its campaigns, drafts included; schools, experts and observers see the
    announced (non-draft) campaigns of their municipality."""
    scope = department_scope(user)
    if scope is not None:
        return memoized_for_scope(_department_queries, scope, lambda: _campaigns_visible_to(user))
    return _campaigns_visible_to(user)


def _campaigns_visible_to(user: User) -> QuerySet[Campaign]:
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
