"""`build_demo`: the whole demo municipality in one transaction, in the order its parts depend on."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from schools.models import Department

from .campaigns import seed_demo_campaign
from .cases import seed_cases
from .decisions import seed_decisions
from .observation import seed_observation
from .preparation import seed_preparation
from .recheck import seed_recheck
from .registry import DEPARTMENT, seed_demo, summary
from .results import seed_finished_campaigns
from .school_reports import seed_school_reports
from .training import seed_training_campaign


@dataclass(frozen=True)
class DemoBuilt:
    counts: dict[str, int]
    campaigns: list[str]
    line: str


# The demo's addresses are invented (…@demo.invalid): the notices its services send are kept in the portal and
# not mailed while it is built (the console backend of the embedded install would print them among the summary).
@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
@transaction.atomic
def build_demo(*, stdout=None, today: datetime.date | None = None) -> DemoBuilt:
    """Builds (or completes) the demo; `today` is the day it is built for (the training campaign's day)."""
    counts = seed_demo(stdout=stdout)
    department = Department.objects.get(code=DEPARTMENT["code"])
    finished = seed_finished_campaigns(department=department, today=today)
    current = seed_demo_campaign(department=department)
    seed_preparation(current)
    training = seed_training_campaign(department=department, today=today)
    seed_observation(department=department)
    seed_cases(department=department)
    seed_recheck(department=department, today=today)
    seed_school_reports(department=department, today=today)
    seed_decisions(department=department, today=today)
    campaigns = [c.title for c in [*finished, current, training]]
    line = "{people} {campaigns}".format(
        people=summary(counts), campaigns=_("Кампании: {titles}.").format(titles=", ".join(campaigns))
    )
    return DemoBuilt(counts, campaigns, line)
