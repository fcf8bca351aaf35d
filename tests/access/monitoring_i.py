"""The re-check's outcome (monitoring/views_recheck_outcome.py): the protocol (PDF) and the spreadsheet of the
campaign's re-check (MANAGE_RECHECK, the department); the marker agreement of the campaign (VIEW_AGREEMENT: the
department every card, an expert only their own, else an empty page) and the expert's own cards across campaigns.
The campaign's re-check is made here if another part did not make it (its protocol is 404 without one)."""

from schools.access import Capability as C

from .base import Page
from .reports_municipal import build_objects as municipal_objects
from .reports_municipal import campaign_kwargs


def build_objects(own: dict, other: dict) -> None:
    from monitoring.models import Recheck

    municipal_objects(own, other)
    Recheck.objects.get_or_create(campaign=own["campaign"], defaults={"department": own["department"]})


PAGES = {
    "monitoring:recheck_protocol": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs),
    "monitoring:recheck_xlsx": Page(C.MANAGE_RECHECK, kwargs=campaign_kwargs),
    "monitoring:recheck_agreement": Page(C.VIEW_AGREEMENT, kwargs=campaign_kwargs),
    "monitoring:my_agreement": Page(C.VIEW_AGREEMENT),
}
