"""Reads of the start pages of a school's director and technical specialist: the school's current campaigns,
where each stands on the way to the order, and what waits for the person first."""

from dataclasses import dataclass

from django.db.models import QuerySet

from procedures.models import Campaign, SchoolOrder
from procedures.selectors.campaigns import campaigns_visible_to
from procedures.selectors.orders import orders_awaiting_approval
from procedures.selectors.participants import ClassCounts, class_counts
from schools.models import School, User


def current_campaigns(user: User, school: School) -> QuerySet[Campaign]:
    """The announced campaigns of the school's department that are not closed, in the order of their windows:
    the one going on (or being graded) now comes before the one being prepared for the spring."""
    return (
        campaigns_visible_to(user)
        .filter(department_id=school.department_id, status=Campaign.Status.ACTIVE)
        .order_by("window_start", "code")
    )


@dataclass(frozen=True)
class OrderSummary:
    """Where the school's order of a campaign stands: the version in force and the newest one when it is not."""

    approved: SchoolOrder | None
    newest: SchoolOrder | None

    @property
    def awaiting(self) -> bool:
        return self.newest is not None and self.newest.status == SchoolOrder.Status.SUBMITTED

    @property
    def returned(self) -> bool:
        return self.newest is not None and self.newest.status == SchoolOrder.Status.RETURNED


def order_summaries(*, campaigns, school: School) -> dict[int, OrderSummary]:
    """Per campaign id: its order summary. One query."""
    by_campaign: dict[int, list[SchoolOrder]] = {}
    for order in SchoolOrder.objects.filter(campaign__in=list(campaigns), school=school).order_by("-version"):
        by_campaign.setdefault(order.campaign_id, []).append(order)
    summaries = {}
    for campaign in campaigns:
        versions = by_campaign.get(campaign.pk, [])
        approved = next((order for order in versions if order.is_approved), None)
        newest = versions[0] if versions and not versions[0].is_approved else None
        summaries[campaign.pk] = OrderSummary(approved, newest)
    return summaries


@dataclass(frozen=True)
class DirectorCampaign:
    campaign: Campaign
    order: OrderSummary


def director_start(user: User, school: School) -> dict:
    """The director's start page: the orders awaiting his approval, then each current campaign with its order."""
    campaigns = list(current_campaigns(user, school))
    summaries = order_summaries(campaigns=campaigns, school=school)
    return {
        "awaiting": list(orders_awaiting_approval(user).filter(school=school)),
        "campaigns": [DirectorCampaign(campaign, summaries[campaign.pk]) for campaign in campaigns],
    }


@dataclass(frozen=True)
class TechnicalCampaign:
    campaign: Campaign
    classes: list[ClassCounts]


def technical_start(user: User, school: School) -> dict:
    """The technical specialist's start page: per current campaign, the classes whose code slips and lists can
    be printed (how many pupils write and how many have a code)."""
    return {
        "campaigns": [
            TechnicalCampaign(campaign, class_counts(campaign=campaign, school=school))
            for campaign in current_campaigns(user, school)
        ]
    }
