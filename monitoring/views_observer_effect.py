"""The observer effect's page (monitoring/observer_effect.py): one assessment of a campaign in the municipality,
the results with a public observer in the room beside those without — the department's (VIEW_OVERVIEW)."""

from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from grading.charts import marks_chart
from monitoring.observer_effect import observer_effect
from procedures.access import CampaignMixin
from schools.access import Capability as C
from vpr_portal.access import get_scoped_or_404


def group_labels() -> dict[str, str]:
    return {"observed": _("С наблюдателем"), "unobserved": _("Без наблюдателя")}


def effect_chart(effect) -> dict:
    """The stacked bars of the two groups' marks (a hidden group is left out, as in every chart)."""
    labels = group_labels()
    return marks_chart([(labels[group.key], group.figures) for group in effect.groups if not group.hidden])


class ObserverEffectView(CampaignMixin, TemplateView):
    """Mark shares and the mean mark of the assessment's participants with and without an observer in the room,
    with the groups' sizes, a chart and a table; evidence, never a verdict about a school (no school is named)."""

    capability = C.VIEW_OVERVIEW
    template_name = "monitoring/observer_effect/page.html"

    def resolve(self, **kwargs) -> None:
        self.assessment = get_scoped_or_404(
            self.campaign.assessments.select_related("subject", "campaign"), code=kwargs["assessment_code"]
        )

    def get_context_data(self, **kwargs):
        effect = observer_effect(self.assessment)
        return super().get_context_data(
            assessment=self.assessment,
            observer_effect=effect,
            group_labels=group_labels(),
            chart=effect_chart(effect) if effect.has_observed else None,
            **kwargs,
        )
