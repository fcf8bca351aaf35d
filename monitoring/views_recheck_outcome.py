"""The outcome of a re-check (issue 12, part i; Регламент 8.9; docs/recheck.md): the commission's
protocol (PDF) and the spreadsheet (MANAGE_RECHECK, the department), and the marker agreement as each original
expert's card (VIEW_AGREEMENT): the department sees every expert's card of its campaign, an expert only their own,
here and across campaigns on «my agreement». Cards by the expert's name, never by a figure: not a rating (R15).
Participants by code only (R11)."""

from django.http import HttpResponse
from django.views import View
from django.views.generic import TemplateView

from monitoring.agreement import marker_agreement
from monitoring.models import Recheck, RecheckWork
from monitoring.recheck_outcome import outcome_xlsx, recheck_outcome, recheck_works_of
from procedures.access import CampaignMixin
from schools.access import Capability as C
from schools.access import CapabilityMixin, department_ids_with
from vpr_portal.access import get_scoped_or_404

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reads_every_card(user, campaign) -> bool:
    """Whether the user reads every expert's card of the campaign: the department running its re-check
    (MANAGE_RECHECK there); anybody else reads only the cards of the works they checked themself (R15)."""
    return campaign.department_id in department_ids_with(user, C.MANAGE_RECHECK)


def own_cards(agreement, user) -> list:
    return [card for card in agreement.experts if card.user_id is not None and card.user_id == user.pk]


class _RecheckMixin(CampaignMixin):
    """The campaign's re-check (404 when the campaign has none)."""

    def resolve(self, **kwargs) -> None:
        self.recheck = get_scoped_or_404(
            Recheck.objects.select_related("campaign", "department"), campaign=self.campaign
        )


class RecheckAgreementView(CampaignMixin, TemplateView):
    """Marker agreement of the campaign's re-check: each original expert's card (ФИО, school code, works
    re-checked, exact, adjacent, mean difference, κ, the per-task table), by name."""

    capability = C.VIEW_AGREEMENT
    template_name = "monitoring/recheck/agreement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        works = RecheckWork.objects.filter(selection__recheck__campaign=self.campaign)
        every = reads_every_card(self.viewer, self.campaign)
        if not every:
            works = works.filter(work__expert__user=self.viewer)
        agreement = marker_agreement(works)
        cards = agreement.experts if every else own_cards(agreement, self.viewer)
        context.update(
            {"agreement": agreement, "cards": cards, "every": every, "overall": agreement.overall if every else None}
        )
        return context


class MyAgreementView(CapabilityMixin, TemplateView):
    """The expert's own cards across campaigns: the works they checked (Work.expert is their staff record) that
    a commission re-checked to a final result. Nobody else's."""

    capability = C.VIEW_AGREEMENT
    template_name = "monitoring/recheck/agreement_mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = RecheckWork.objects.filter(work__expert__user=self.viewer)
        campaigns = []
        for recheck in Recheck.objects.filter(selections__works__in=mine).distinct().select_related("campaign"):
            agreement = marker_agreement(mine.filter(selection__recheck=recheck))
            cards = own_cards(agreement, self.viewer)
            if cards:
                campaigns.append({"campaign": recheck.campaign, "cards": cards})
        campaigns.sort(key=lambda row: (row["campaign"].window_start, row["campaign"].code), reverse=True)
        context["campaigns"] = campaigns
        return context


class RecheckProtocolView(_RecheckMixin, View):
    """The commission's protocol (Регламент 8.9) as PDF: the commission and its approval, each selection and its
    works (codes only), the summary and the signatures."""

    capability = C.MANAGE_RECHECK

    def get(self, request, campaign_code):
        from vpr_portal.pdf import render_pdf

        pdf = render_pdf("monitoring/print/recheck_protocol.html", {"outcome": recheck_outcome(self.recheck)})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="recheck-protocol-{self.campaign.code}.pdf"'
        return response


class RecheckXlsxView(_RecheckMixin, View):
    """The spreadsheet of the re-check: «Работы», «Задания», «Согласованность»."""

    capability = C.MANAGE_RECHECK

    def get(self, request, campaign_code):
        data = outcome_xlsx(self.recheck, agreement=marker_agreement(recheck_works_of(self.recheck)))
        response = HttpResponse(data, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="recheck-{self.campaign.code}.xlsx"'
        return response
