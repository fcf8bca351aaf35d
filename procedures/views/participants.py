"""A school's participants of a campaign, their codes and printed materials (Регламент 2.3–2.6, 6.5.1).

The school's coordinator and director read the lists (names: R11 keeps them inside the school); the
coordinator refreshes the list from the class assignment, exempts, records the parents' decisions, adds
family-form pupils and issues the codes. The protocol pairing codes with names is printed by the coordinator
and the director only, and each print is audited. Everyone else: 403 (no role), 404 (another school).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from procedures import printables
from procedures.access import SchoolCampaignMixin
from procedures.forms_participants import (
    DisabilityDecisionForm,
    ExemptionForm,
    FamilyParticipantForm,
    ParticipantFilterForm,
)
from procedures.selectors import participants as selectors
from procedures.selectors.schedules import campaign_assessments
from procedures.services import participants as services
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import delegated
from schools.models import Role
from schools.services import delegation_set


class ParticipantsMixin(SchoolCampaignMixin):
    capability = C.VIEW_PARTICIPANTS

    def list_url(self) -> str:
        return reverse(
            "procedures:participants", kwargs={"campaign_code": self.campaign.code, "school_code": self.school.code}
        )

    def refuse(self, error: ValidationError) -> None:
        for message in error.messages:
            messages.error(self.request, message)


class ParticipantListView(ParticipantsMixin, ListView):
    """Participations by assessment and class, with search, counts and the class printables."""

    template_name = "procedures/participants/list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filter_form = ParticipantFilterForm(
            self.request.GET or None,
            assessments=campaign_assessments(self.campaign),
            classes=selectors.school_classes(campaign=self.campaign, school=self.school),
        )
        return selectors.participant_list(
            user=self.request.user, campaign=self.campaign, school=self.school, **self.filter_form.filters()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            counts=selectors.assessment_counts(campaign=self.campaign, school=self.school),
            classes=selectors.class_counts(campaign=self.campaign, school=self.school),
            codes=selectors.codes_summary(campaign=self.campaign, school=self.school),
            may_edit=selectors.may_edit_participants(self.request.user, self.school),
            may_print_names=self.can(C.PRINT_NAMES, self.school),
            may_delegate_printing=self.can(C.DELEGATE_PRINTING, self.school),
            tech_prints_names=delegated(school=self.school, role=Role.TECHNICAL_SPECIALIST, capability=C.PRINT_NAMES),
            status_names=selectors.STATUS_FILTERS,
            pending_decisions=selectors.pending_parents_decisions(
                user=self.request.user, campaign=self.campaign, school=self.school
            ),
        )
        return context


class ParticipantsRefreshView(ParticipantsMixin, View):
    capability = C.EDIT_PARTICIPANTS

    def post(self, request, campaign_code, school_code):
        try:
            summary = services.participants_refresh(campaign=self.campaign, school=self.school, actor=request.user)
        except ValidationError as error:
            self.refuse(error)
        else:
            text = _(
                "Список участников обновлён: добавлено {created}, обновлено {updated}, снято {removed}, "
                "без изменений {unchanged}."
            ).format(
                created=summary.created, updated=summary.updated, removed=summary.removed, unchanged=summary.unchanged
            )
            messages.success(request, text)
            if summary.stale_kept:
                messages.warning(
                    request,
                    _(
                        "Участников, которые выбыли или перешли в другой класс, но уже рассажены: {n}. "
                        "Снимите их с мест в аудиториях."
                    ).format(n=summary.stale_kept),
                )
        return redirect(self.list_url())


class CodesIssueView(ParticipantsMixin, View):
    """Issuing the codes: a confirmation page, then the same service as `issue_codes`."""

    capability = C.EDIT_PARTICIPANTS
    template_name = "procedures/participants/codes_confirm.html"

    def get(self, request, campaign_code, school_code):
        context = {
            "campaign": self.campaign,
            "school": self.school,
            "codes": selectors.codes_summary(campaign=self.campaign, school=self.school),
            "new_codes": services.codes_preview(campaign=self.campaign, school=self.school),
            "pending_decisions": selectors.pending_parents_decisions(
                user=request.user, campaign=self.campaign, school=self.school
            ),
        }
        return render(request, self.template_name, context)

    def post(self, request, campaign_code, school_code):
        try:
            summary = services.codes_issue(campaign=self.campaign, school=self.school, actor=request.user)
        except ValidationError as error:
            self.refuse(error)
        else:
            messages.success(
                request,
                _("Коды участников: выдано новых {issued}, сохранено прежних {kept}.").format(
                    issued=summary.issued, kept=summary.kept
                ),
            )
            if summary.awaiting_decision:
                messages.warning(request, services.awaiting_decision_message(summary.awaiting_decision))
        return redirect(self.list_url())


class FamilyParticipantView(ParticipantsMixin, View):
    """A pupil in family education joins by agreement with the department (Регламент 2.5)."""

    capability = C.EDIT_PARTICIPANTS
    template_name = "procedures/participants/family.html"

    def form(self, data=None):
        return FamilyParticipantForm(
            data,
            pupils=selectors.family_pupils(school=self.school),
            assessments=campaign_assessments(self.campaign),
        )

    def show(self, form):
        return render(
            self.request, self.template_name, {"campaign": self.campaign, "school": self.school, "form": form}
        )

    def get(self, request, campaign_code, school_code):
        return self.show(self.form())

    def post(self, request, campaign_code, school_code):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form)
        try:
            rows = services.participant_family_add(
                campaign=self.campaign,
                school=self.school,
                pupil=form.cleaned_data["pupil"],
                assessments=form.chosen_assessments(),
                agreement=form.cleaned_data["agreement"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Обучающийся добавлен к участникам: работ {n}.").format(n=len(rows)))
        return redirect(self.list_url())


class ParticipantDetailView(ParticipantsMixin, View):
    """One participation: the pupil's works in the campaign, the exemption and the parents' decision (ОВЗ)."""

    template_name = "procedures/participants/detail.html"

    def resolve(self, **kwargs) -> None:
        self.pk = kwargs["pk"]

    def participant(self):
        return selectors.participant_detail(
            user=self.request.user, campaign=self.campaign, school=self.school, pk=self.pk
        )

    def show(self, participant, *, exemption_form=None, disability_form=None, status=200):
        context = {
            "campaign": self.campaign,
            "school": self.school,
            "participant": participant,
            "participations": selectors.pupil_participations(participant),
            "may_edit": selectors.may_edit_participants(self.request.user, self.school),
            "exemption_form": exemption_form or ExemptionForm(),
            "disability_form": disability_form
            or DisabilityDecisionForm(initial={"decision": participant.parents_decision}),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, campaign_code, school_code, pk):
        return self.show(self.participant())

    def done(self):
        return redirect(
            "procedures:participant_detail", campaign_code=self.campaign.code, school_code=self.school.code, pk=self.pk
        )


class ParticipantExemptView(ParticipantDetailView):
    capability = C.EDIT_PARTICIPANTS

    def get(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, campaign_code, school_code, pk):
        participant = self.participant()
        form = ExemptionForm(request.POST)
        if form.is_valid():
            try:
                services.participant_exempt(
                    participant=participant,
                    reason=form.cleaned_data["reason"],
                    document=form.cleaned_data["document"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Освобождение оформлено."))
                return self.done()
        return self.show(participant, exemption_form=form, status=400)


class ParticipantUnexemptView(ParticipantDetailView):
    capability = C.EDIT_PARTICIPANTS

    def get(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, campaign_code, school_code, pk):
        try:
            services.participant_unexempt(participant=self.participant(), actor=request.user)
        except ValidationError as error:
            self.refuse(error)
        else:
            messages.success(request, _("Освобождение снято: обучающийся пишет работу."))
        return self.done()


class ParticipantDisabilityView(ParticipantDetailView):
    capability = C.EDIT_PARTICIPANTS

    def get(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, campaign_code, school_code, pk):
        participant = self.participant()
        form = DisabilityDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.participant_disability_decision(
                    participant=participant,
                    decision=form.cleaned_data["decision"],
                    takes_part=form.takes_part_value(),
                    all_works=form.cleaned_data["all_works"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Решение родителей записано."))
                return self.done()
        return self.show(participant, disability_form=form, status=400)


# Printables ------------------------------------------------------------------------------------------------


class ClassPrintableView(ParticipantsMixin, View):
    """One class's printable, rendered in the request (a page or two)."""

    capability = C.PRINT_MATERIALS
    printable = printables.SLIPS

    def resolve(self, **kwargs) -> None:
        self.school_class = selectors.school_class_or_none(
            campaign=self.campaign, school=self.school, class_id=kwargs["class_id"]
        )
        if self.school_class is None:
            raise Http404

    def get(self, request, campaign_code, school_code, class_id):
        school_class = self.school_class
        content = printables.class_printable(
            self.printable, campaign=self.campaign, school=self.school, class_id=school_class.pk
        )
        if content is None:
            messages.error(request, _("В классе {name} ещё никому не выданы коды.").format(name=school_class.name))
            return redirect(self.list_url())
        self.printed(school_class)
        response = HttpResponse(content, content_type="application/pdf")
        filename = printables.printable_filename(
            self.printable, campaign=self.campaign, school=self.school, class_name=school_class.name
        )
        response["Content-Disposition"] = content_disposition(filename, fallback=f"{self.printable}-{class_id}.pdf")
        return response

    def printed(self, school_class) -> None:
        pass


class SlipsView(ClassPrintableView):
    printable = printables.SLIPS


class CodeListView(ClassPrintableView):
    printable = printables.CODE_LIST


class ProtocolView(ClassPrintableView):
    """Codes with names: printed in the school only, by whoever holds PRINT_NAMES there (the coordinator, the
    director, the technical specialist when the coordinator allows it); every print is audited."""

    capability = C.PRINT_NAMES
    printable = printables.PROTOCOL

    def printed(self, school_class) -> None:
        services.protocol_print_record(
            campaign=self.campaign, school=self.school, school_class=school_class, actor=self.request.user
        )


class TechPrintingView(ParticipantsMixin, View):
    """The coordinator allows or forbids the school's technical specialist to print the protocols with names
    (and the school's whole set, which holds them)."""

    capability = C.DELEGATE_PRINTING

    def post(self, request, campaign_code, school_code):
        allowed = request.POST.get("allowed") == "1"
        changed = delegation_set(
            school=self.school,
            role=Role.TECHNICAL_SPECIALIST,
            capability=C.PRINT_NAMES,
            allowed=allowed,
            actor=request.user,
        )
        if changed:
            messages.success(
                request,
                _("Технический специалист теперь может печатать протоколы с ФИО.")
                if allowed
                else _("Технический специалист больше не может печатать протоколы с ФИО."),
            )
        return redirect(self.list_url())


class SchoolSetView(ParticipantsMixin, View):
    """The whole school's set (every class's slips, list and protocol) is built in the background."""

    capability = C.PRINT_NAMES

    def post(self, request, campaign_code, school_code):
        document = printables.school_set_request(campaign=self.campaign, school=self.school, user=request.user)
        return redirect("reports:document_status", pk=document.pk)


PARTICIPANTS = "campaigns/<str:campaign_code>/schools/<str:school_code>/participants/"
CLASS = PARTICIPANTS + "classes/<int:class_id>/"

urlpatterns = [
    path(PARTICIPANTS, ParticipantListView.as_view(), name="participants"),
    path(PARTICIPANTS + "refresh/", ParticipantsRefreshView.as_view(), name="participants_refresh"),
    path(PARTICIPANTS + "codes/", CodesIssueView.as_view(), name="participants_codes"),
    path(PARTICIPANTS + "family/", FamilyParticipantView.as_view(), name="participants_family"),
    path(PARTICIPANTS + "print/", SchoolSetView.as_view(), name="participants_school_set"),
    path(PARTICIPANTS + "tech-printing/", TechPrintingView.as_view(), name="participants_tech_printing"),
    path(PARTICIPANTS + "<int:pk>/", ParticipantDetailView.as_view(), name="participant_detail"),
    path(PARTICIPANTS + "<int:pk>/exempt/", ParticipantExemptView.as_view(), name="participant_exempt"),
    path(PARTICIPANTS + "<int:pk>/unexempt/", ParticipantUnexemptView.as_view(), name="participant_unexempt"),
    path(PARTICIPANTS + "<int:pk>/disability/", ParticipantDisabilityView.as_view(), name="participant_disability"),
    path(CLASS + "slips/", SlipsView.as_view(), name="participant_slips"),
    path(CLASS + "codes/", CodeListView.as_view(), name="participant_code_list"),
    path(CLASS + "protocol/", ProtocolView.as_view(), name="participant_protocol"),
]
