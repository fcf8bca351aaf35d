"""The department's re-check pages (MANAGE_RECHECK; docs/recheck.md): the campaign's selections with their clock
(R13: due date, working days left), selecting by hand, from Rosobrnadzor's list, by a recorded lottery and from a
case with one click; one selection's page with the confirmation of receipt. Schools by code (R15), works by
participant code, never a pupil's name (R11)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from monitoring import recheck as service
from monitoring.models import RecheckSelection
from procedures.access import CampaignMixin
from schools.access import Capability as C
from schools.access import CapabilityMixin
from vpr_portal.access import get_scoped_or_404
from vpr_portal.params import text_param
from vpr_portal.tables import InputRefused, read_table


class SelectForm(forms.Form):
    school = forms.CharField(label=gettext_lazy("Код школы"), max_length=40)
    assessment = forms.CharField(label=gettext_lazy("Работа"), max_length=40)
    reason_text = forms.CharField(label=gettext_lazy("Основание"), max_length=service.REASON_TEXT_MAX_LENGTH)


class ListForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Список Рособрнадзора (.xlsx или .csv)"))


class LotteryForm(forms.Form):
    random_count = forms.IntegerField(
        label=gettext_lazy("Случайно, пар"), min_value=0, max_value=service.LOTTERY_MAX, initial=0
    )
    risk_count = forms.IntegerField(
        label=gettext_lazy("С учётом риска, пар"), min_value=0, max_value=service.LOTTERY_MAX, initial=0
    )


def _filters(params) -> service.SelectionFilters:
    return service.SelectionFilters(
        school=text_param(params, "school", max_length=40),
        assessment=text_param(params, "assessment", max_length=40),
        reason=params.get("reason", "") if params.get("reason", "") in RecheckSelection.Reason.values else "",
        state=params.get("state", "") if params.get("state", "") in service.STATES else "",
    )


class RecheckView(CampaignMixin, TemplateView):
    """The campaign's re-check: the selections (school code, work, reason, when, scans, receipt, due date, working
    days left, status) filtered, a page at a time; forms to select by hand, from Rosobrnadzor's list, by lottery."""

    capability = C.MANAGE_RECHECK
    template_name = "monitoring/recheck/recheck.html"

    def get_context_data(self, **kwargs):
        recheck = service.recheck_for(self.campaign, by=self.request.user)
        filters = _filters(self.request.GET)
        today = timezone.localdate()
        page = Paginator(service.selections_filtered(recheck, filters, today), settings.PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        kwargs.setdefault("select_form", SelectForm())
        kwargs.setdefault("list_form", ListForm())
        kwargs.setdefault("lottery_form", LotteryForm())
        return super().get_context_data(
            recheck=recheck,
            page_obj=page,
            rows=service.with_days_left(page.object_list, today),
            filters=filters,
            assessments=self.campaign.assessments.order_by("code").values_list("code", flat=True),
            reasons=RecheckSelection.Reason.choices,
            states=list(service.STATES.items()),
            lotteries=recheck.lotteries.select_related("created_by")[:10],
            scans_days=service.scans_working_days(),
            **kwargs,
        )

    def refused(self, status: int = 400, **forms_and_problems):
        return self.render_to_response(self.get_context_data(**forms_and_problems), status=status)


class RecheckSelectView(RecheckView):
    """Selects a pair by hand with the department's reason written."""

    http_method_names = ["post"]

    def post(self, request, campaign_code):
        form = SelectForm(request.POST)
        if form.is_valid():
            try:
                selection = service.selection_add_manual(
                    service.recheck_for(self.campaign, by=request.user),
                    school_code=form.cleaned_data["school"],
                    assessment_code=form.cleaned_data["assessment"],
                    reason_text=form.cleaned_data["reason_text"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.refused(select_form=form)
        messages.success(request, _("Отобрано на перепроверку: {label}.").format(label=selection))
        return redirect("monitoring:recheck", self.campaign.code)


class RecheckListUploadView(RecheckView):
    """Rosobrnadzor's list: every school (and its works) selected, or nothing with every problem named."""

    http_method_names = ["post"]

    def post(self, request, campaign_code):
        form = ListForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.refused(list_form=form)
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.read(settings.UPLOAD_MAX_BYTES + 1), upload.name)
            selected = service.rosobrnadzor_list_import(
                service.recheck_for(self.campaign, by=request.user), table, filename=upload.name, by=request.user
            )
        except InputRefused as refused:
            return self.refused(list_form=form, problems=refused.problems)
        messages.success(request, _("По списку Рособрнадзора отобрано пар: {n}.").format(n=len(selected)))
        return redirect("monitoring:recheck", self.campaign.code)


class RecheckLotteryRunView(RecheckView):
    """Draws a lottery, records it and selects the pairs drawn; then shows the record."""

    http_method_names = ["post"]

    def post(self, request, campaign_code):
        form = LotteryForm(request.POST)
        if form.is_valid():
            try:
                lottery = service.lottery_run(
                    service.recheck_for(self.campaign, by=request.user),
                    random_count=form.cleaned_data["random_count"],
                    risk_count=form.cleaned_data["risk_count"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.refused(lottery_form=form)
        return redirect("monitoring:recheck_lottery", lottery.pk)


class RecheckLotteryView(CapabilityMixin, TemplateView):
    """A recorded lottery: its seed, the candidates with their weights, the pairs drawn, and that the draw repeats
    from its seed."""

    capability = C.MANAGE_RECHECK
    template_name = "monitoring/recheck/selection_lottery.html"

    def resolve(self, **kwargs) -> None:
        self.lottery = get_scoped_or_404(service.lotteries_managed_by(self.viewer), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            lottery=self.lottery,
            campaign=self.lottery.recheck.campaign,
            drawn=service.lottery_pairs(self.lottery, "drawn"),
            candidates=service.lottery_pairs(self.lottery, "candidates"),
            repeats=service.lottery_repeats(self.lottery),
            **kwargs,
        )


class RecheckSelectionView(CapabilityMixin, TemplateView):
    """One selection: why and when it was selected, what the school was asked to send and by when, the scans it
    sent, the confirmation of receipt, the due date and the working days left (R13)."""

    capability = C.MANAGE_RECHECK
    template_name = "monitoring/recheck/selection.html"

    def resolve(self, **kwargs) -> None:
        self.selection = get_scoped_or_404(service.selections_managed_by(self.viewer), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        selection = self.selection
        (row,) = service.with_days_left([selection])
        return super().get_context_data(
            selection=row,
            campaign=selection.recheck.campaign,
            works=list(service.selection_works(selection).values_list("participant__code", "participant__variant")),
            variants=service.selection_variants(selection),
            scans=list(selection.scans.select_related("work__participant")),
            can_receive=selection.received_at is None
            and (selection.scans_sent_at is not None or selection.scans.exists()),
            **kwargs,
        )


class RecheckReceiveView(RecheckSelectionView):
    """The department confirms it received the school's scans: the clock starts (R13)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            selection = service.receipt_confirm(self.selection, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Получение подтверждено. Перепроверить до {due}.").format(due=selection.due_on.strftime("%d.%m.%Y")),
            )
        return redirect("monitoring:recheck_selection", self.selection.pk)


class RecheckFromCaseView(CapabilityMixin, View):
    """«На перепроверку» from a case: its school × assessment selected for the signal, the case linked."""

    capability = C.MANAGE_RECHECK

    def resolve(self, **kwargs) -> None:
        self.case = get_scoped_or_404(service.cases_selectable_by(self.viewer), pk=kwargs["pk"])

    def post(self, request, pk):
        try:
            selection, created = service.selection_from_case(self.case, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("monitoring:case", self.case.pk)
        if created:
            messages.success(request, _("Отобрано на перепроверку: {label}.").format(label=selection))
        else:
            messages.info(request, _("Уже отобрано на перепроверку: {label}.").format(label=selection))
        return redirect("monitoring:recheck_selection", selection.pk)
