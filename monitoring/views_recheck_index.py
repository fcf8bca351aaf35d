"""The department's entry to the re-check: its campaigns (not drafts, not a school's own procedures), each with its
re-check's state and the links to the selection, the commission, the marker agreement and the protocol."""

from django.db.models import Count, Q
from django.views.generic import ListView

from procedures.access import campaigns_with
from procedures.models import Campaign
from schools.access import Capability as C
from schools.access import CapabilityMixin


class RecheckIndexView(CapabilityMixin, ListView):
    capability = C.MANAGE_RECHECK
    template_name = "monitoring/recheck/index.html"
    context_object_name = "campaigns"
    paginate_by = 50

    def get_queryset(self):
        return (
            campaigns_with(self.request.user, C.MANAGE_RECHECK)
            .exclude(status=Campaign.Status.DRAFT)
            .filter(owner_school__isnull=True)
            .annotate(
                selections=Count("recheck__selections", distinct=True),
                received=Count(
                    "recheck__selections", filter=Q(recheck__selections__received_at__isnull=False), distinct=True
                ),
                completed=Count(
                    "recheck__selections", filter=Q(recheck__selections__completed_at__isnull=False), distinct=True
                ),
            )
            .order_by("-window_start", "code")
        )
