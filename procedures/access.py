"""The resolvers of the URL shapes that name a campaign: campaign; school × campaign; school × campaign ×
assessment. Each answers 403 without the view's capability and 404 for what lies outside the user's scope,
then exposes `self.campaign` (and `self.school`, `self.assessment`). Objects below the shape are looked up in
the view's `resolve()` through scoped selectors.

The organizer's rooms are the assigned objects of the organizer role (see schools.access)."""

from django.db.models import Q, QuerySet

from procedures.models import Assessment, Campaign, SittingRoom
from procedures.selectors.campaigns import campaigns_visible_to, memoized_for_scope
from procedures.selectors.rooms import organizer_sitting_rooms
from schools.access import (
    CAPABILITIES,
    SCOPES,
    Assignment,
    Capability,
    CapabilityMixin,
    SchoolMixin,
    Scope,
    assigned_to,
    department_ids_with,
    department_scope,
    register_assignment,
)
from schools.models import Role, User
from vpr_portal.access import get_scoped_or_404
from vpr_portal.catalogue import remembered

ROOMS = Assignment(Role.ORGANIZER, organizer_sitting_rooms, school_field="sitting__school")
register_assignment("rooms", ROOMS)


_department_queries: dict[tuple, QuerySet[Campaign]] = {}  # per department-only scope and capability


def campaigns_with(user, capability):
    """The campaigns the user may see, of the departments where they hold `capability` (for a department's
    people, the query built once per scope: procedures.selectors.campaigns.department_scope)."""
    scope = department_scope(user)
    if scope is not None:
        return memoized_for_scope(_department_queries, (scope, capability), lambda: _campaigns_with(user, capability))
    return _campaigns_with(user, capability)


def _campaigns_with(user, capability):
    return campaigns_visible_to(user).filter(department_id__in=department_ids_with(user, capability))


def sitting_rooms_with(user: User, capability: Capability) -> QuerySet[SittingRoom]:
    """The rooms of the sittings where the user may exercise `capability`: every room of the schools (or
    departments) where a school or department role gives it; through the organizer's role, only the rooms
    the user is appointed to, once their lists were released (R9)."""
    roles = {role for role in user.roles if capability in CAPABILITIES[role]}
    wide = {role for role in roles if SCOPES[role] != Scope.ASSIGNED}
    condition = Q(sitting__school_id__in=user.school_ids_with_role(*wide)) | Q(
        sitting__school__department_id__in=user.department_ids_with_role(*wide)
    )
    if ROOMS.role in roles:
        condition |= Q(pk__in=assigned_to(user, "rooms").filter(released_at__isnull=False).values("pk"))
    return SittingRoom.objects.filter(condition).select_related(
        "room", "sitting__assessment__subject", "sitting__school", "sitting__campaign"
    )


def in_department_scope(viewer, key: tuple, load):
    """`load()`'s row, kept per process for a department's people (vpr_portal.catalogue: until the catalogue
    changes) under their scope and `key`; read afresh for everyone else (what they see depends on other rows)."""
    scope = department_scope(viewer)
    return load() if scope is None else remembered(key[0], (scope, *key[1:]), load)


def campaign_assessment_kept(campaign: Campaign, code: str, shape: str, load):
    """The campaign's assessment `code` as `load()` reads it (`shape` names the reading: its joins), kept per
    process until the catalogue changes (vpr_portal.catalogue). The campaign was found in the reader's scope, so
    its assessment is the same for every reader."""
    return remembered("assessment", (shape, campaign.pk, code), load)


class CampaignContextMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("campaign", self.campaign)
        return context


class CampaignMixin(CampaignContextMixin, CapabilityMixin):
    """`campaign_code` among the campaigns of the departments where the user holds the capability."""

    campaign: Campaign

    def resolve_scope(self, **kwargs) -> None:
        code = kwargs["campaign_code"]
        self.campaign = in_department_scope(
            self.viewer,
            ("campaign", self.capability, code),
            lambda: get_scoped_or_404(campaigns_with(self.viewer, self.capability), code=code),
        )


class SchoolCampaignMixin(CampaignContextMixin, SchoolMixin):
    """`school_code` among the schools where the user holds the capability, `campaign_code` among the
    campaigns the user may see of that school's department."""

    campaign: Campaign

    def resolve_scope(self, **kwargs) -> None:
        super().resolve_scope(**kwargs)
        code, department_id = kwargs["campaign_code"], self.school.department_id
        self.campaign = in_department_scope(
            self.viewer,
            ("visible campaign", department_id, code),
            lambda: get_scoped_or_404(campaigns_visible_to(self.viewer).filter(department_id=department_id), code=code),
        )


class SchoolAssessmentMixin(SchoolCampaignMixin):
    """School × campaign × `assessment_code` among the campaign's assessments."""

    assessment: Assessment

    def resolve_scope(self, **kwargs) -> None:
        super().resolve_scope(**kwargs)
        self.assessment = get_scoped_or_404(
            self.campaign.assessments.select_related("subject", "campaign"), code=kwargs["assessment_code"]
        )
