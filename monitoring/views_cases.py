"""Pages of the objectivity signals' cases (разборы) and thresholds (docs/signal-cases.md).

The department (DECIDE_CASES) lists a campaign's signals and cases, asks a school, records its conclusion; the
school's coordinator and director (VIEW_CASES, ANSWER_CASES) read their school's cases the department asked about
and answer; SET_THRESHOLDS changes the thresholds. Schools are listed by code, never by a result (R15); pages
show codes and figures, never a pupil (R11)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from grading.cache import Version
from grading.page_cache import CachedPageMixin
from monitoring import cases, selectors
from monitoring.cases import thresholds_job_key
from monitoring.evidence import case_drawing
from monitoring.models import SignalCase
from monitoring.observer_effect import observer_effect
from monitoring.signals import SIGNAL_LABELS, THRESHOLD_FIELDS, department_thresholds, signal_label, thresholds_from
from monitoring.view_actions import ActionMixin
from monitoring.violations import violations_for_case, with_violation_counts
from procedures.access import CampaignMixin, SchoolAssessmentMixin
from schools.access import Capability as C
from schools.access import CapabilityMixin, SchoolMixin
from schools.models import Role
from vpr_portal.access import get_scoped_or_404
from vpr_portal.models import Job
from vpr_portal.params import text_param

# Each threshold in words, in the order of Thresholds, grouped by the signal it belongs to.
THRESHOLD_LABELS = {
    "bunching_participants": gettext_lazy("Скопление у границы: участников в школе не меньше"),
    "bunching_window": gettext_lazy("Скопление у границы: up + down не меньше"),
    "bunching_p": gettext_lazy("Скопление у границы: p меньше"),
    "inverted_points": gettext_lazy("Обратная трудность: разница, процентных пунктов, не меньше"),
    "journal_participants": gettext_lazy("Расхождение с журналом: участников с отметкой по журналу не меньше"),
    "journal_share": gettext_lazy("Расхождение с журналом: доля расхождений на 2 и более, %, не меньше"),
    "high_results_points": gettext_lazy("Высокие результаты: доля «4» и «5» выше муниципальной на, п. п., не меньше"),
    "stable_low_share": gettext_lazy("Устойчиво низкие: доля «2», %, не меньше"),
    "stable_low_campaigns": gettext_lazy("Устойчиво низкие: в стольких кампаниях"),
    "stable_low_window": gettext_lazy("Устойчиво низкие: из стольких последних кампаний"),
    "recheck_share": gettext_lazy("Перепроверка: доля работ с изменённой отметкой, %, не меньше"),
    "recheck_works": gettext_lazy("Перепроверка: перепроверенных работ не меньше"),
}


def _kinds() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in SIGNAL_LABELS.items()]


class CampaignSignalsView(CachedPageMixin, CampaignMixin, ListView):
    """The department's list of a campaign's signals flagged at their last check, each with its case's status,
    by assessment and school code; a page at a time. Cached (grading/page_cache.py) until anything the page shows
    changes: its key holds the page's own rows as shown (`page_key`)."""

    capability = C.DECIDE_CASES
    template_name = "monitoring/cases/signals.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return with_violation_counts(
            selectors.campaign_signals(
                self.viewer, self.campaign, assessment=text_param(self.request.GET, "assessment", max_length=40)
            )
        )

    def page_key(self) -> tuple:
        """Exact by construction: the values the page shows, read as a few plain rows (the page's cases with
        their status, conclusion, evidence, school and violation count; how many there are; when the signals were
        checked; the campaign's assessments and title), without rendering. A case asked, answered or closed, a
        check, a violation reported, a school renamed: some value differs, so the key does. An invalid page is
        404 here as in the list itself."""
        rows = self.get_queryset().values_list(
            "pk",
            "kind",
            "status",
            "conclusion",
            "signal_present",
            "evidence",
            "checked_at",
            "assessment__code",
            "school__code",
            "school__short_name",
            "violation_count",
        )
        paginator, page, shown, _more = self.paginate_queryset(rows, self.paginate_by)
        codes, checked_at = self.assessments_checked
        return (
            Version("campaign", (self.campaign.pk, self.campaign.code, self.campaign.title)),
            Version("assessments", tuple(codes)),
            Version("checked", checked_at),
            Version("cases", (paginator.count, page.number, repr(list(shown)))),
        )

    @cached_property
    def assessments_checked(self) -> tuple[list[str], object]:
        return selectors.assessments_checked(self.campaign)

    def get_context_data(self, **kwargs):
        codes, checked_at = self.assessments_checked
        return super().get_context_data(
            checked_at=checked_at,
            assessments=codes,
            chosen_assessment=text_param(self.request.GET, "assessment", max_length=40),
            kinds=_kinds(),
            **kwargs,
        )


class CampaignSignalsCheckView(CampaignMixin, View):
    """Checks the campaign's signals now (what the periodic check does every few minutes)."""

    capability = C.DECIDE_CASES

    def post(self, request, campaign_code):
        done = cases.CasesOpened()
        for assessment in self.campaign.assessments.select_related("campaign").order_by("code"):
            done += cases.cases_open(assessment=assessment)
        messages.success(
            request,
            _("Признаки проверены. Открыто разборов: {o}; признак больше не выявляется: {v}.").format(
                o=len(done.opened), v=len(done.vanished)
            ),
        )
        return redirect(reverse("monitoring:campaign_signals", kwargs={"campaign_code": self.campaign.code}))


class CampaignCasesView(CampaignMixin, ListView):
    """The department's cases of a campaign, filtered by status, kind, school code and assessment, by school
    code (R15); a page at a time."""

    capability = C.DECIDE_CASES
    template_name = "monitoring/cases/list.html"
    paginate_by = settings.PAGE_SIZE

    def filters(self) -> selectors.CaseFilters:
        get = self.request.GET
        return selectors.CaseFilters(
            status=get.get("status", "") if get.get("status", "") in SignalCase.Status.values else "",
            kind=get.get("kind", "") if get.get("kind", "") in SIGNAL_LABELS else "",
            school=get.get("school", "").strip()[:40],
            assessment=get.get("assessment", "").strip()[:40],
        )

    def get_queryset(self):
        return selectors.campaign_cases(self.viewer, self.campaign, self.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filters=self.filters(),
            statuses=SignalCase.Status.choices,
            kinds=_kinds(),
            assessments=self.campaign.assessments.order_by("code").values_list("code", flat=True),
            **kwargs,
        )


class SchoolCasesView(SchoolMixin, ListView):
    """A school's cases: the school's coordinator and director see those the department asked about; the
    department sees every case of the school."""

    capability = C.VIEW_CASES
    template_name = "monitoring/cases/school_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return (
            selectors.cases_visible_to(self.viewer)
            .filter(school=self.school)
            .order_by("-campaign__window_start", "assessment__code", "kind")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=_kinds(), **kwargs)


class CaseView(CapabilityMixin, TemplateView):
    """One case: the signal with its evidence drawn, now and at opening, the messages in order, and the forms
    of what the viewer may do (the department: ask, conclude; the school: answer)."""

    capability = C.VIEW_CASES
    template_name = "monitoring/cases/detail.html"

    def resolve(self, **kwargs) -> None:
        self.case = get_scoped_or_404(selectors.cases_visible_to(self.viewer), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        case = self.case
        can_decide = self.can(C.DECIDE_CASES, case.school)
        can_answer = self.can(C.ANSWER_CASES, case.school) and not can_decide
        return super().get_context_data(
            case=case,
            kind_label=signal_label(case.kind),
            drawing=case_drawing(case, department_view=can_decide or not self.can(C.ANSWER_CASES, case.school)),
            case_messages=selectors.case_messages(case),
            can_decide=can_decide and not case.is_closed,
            can_answer=can_answer and case.status in (SignalCase.Status.ASKED, SignalCase.Status.ANSWERED),
            conclusions=SignalCase.Conclusion.choices,
            is_department=can_decide,
            roles=Role.choices,
            observer_effect=observer_effect(case.assessment) if self.can(C.VIEW_OVERVIEW, case.school) else None,
            case_violations=violations_for_case(case),
            **kwargs,
        )


class _CaseActionView(ActionMixin, CapabilityMixin, View):
    """A POST on a case the user may act on with the view's capability (404 otherwise)."""

    def resolve(self, **kwargs) -> None:
        self.case = get_scoped_or_404(selectors.cases_visible_to(self.viewer, self.capability), pk=kwargs["pk"])

    def done_url(self) -> str:
        return reverse("monitoring:case", kwargs={"pk": self.case.pk})


class CaseAskView(_CaseActionView):
    capability = C.DECIDE_CASES

    def act(self, request) -> str:
        cases.case_ask(case=self.case, text=request.POST.get("text", ""), actor=request.user)
        return _("Вопрос отправлен школе.")


class CaseAnswerView(_CaseActionView):
    capability = C.ANSWER_CASES

    def act(self, request) -> str:
        cases.case_answer(case=self.case, text=request.POST.get("text", ""), actor=request.user)
        return _("Ответ отправлен в управление образования.")


class CaseConcludeView(_CaseActionView):
    capability = C.DECIDE_CASES

    def act(self, request) -> str:
        post = request.POST
        cases.case_conclude(
            case=self.case, conclusion=post.get("conclusion", ""), measures=post.get("measures", ""), actor=request.user
        )
        return _("Заключение записано, разбор закрыт.")


class SignalCaseView(SchoolAssessmentMixin, View):
    """The case of one signal (school × assessment × kind), for links from the results pages: redirects to it,
    opening it first when the signal is flagged and has no case and the viewer decides cases; 404 when there is
    no such signal and no case (or the case is not the viewer's to see)."""

    capability = C.VIEW_CASES

    def get(self, request, **kwargs):
        kind = kwargs["kind"]
        if kind not in SIGNAL_LABELS:
            raise Http404
        visible = selectors.cases_visible_to(self.viewer).filter(
            assessment=self.assessment, school=self.school, kind=kind
        )
        case = visible.first()
        if case is None and self.can(C.DECIDE_CASES, self.school):
            opened = cases.signal_case_get_or_open(assessment=self.assessment, school=self.school, kind=kind)
            case = visible.first() if opened is not None else None
        if case is None:
            raise Http404
        return redirect(reverse("monitoring:case", kwargs={"pk": case.pk}))


class ThresholdsView(CapabilityMixin, View):
    """The department's thresholds of the signals: the current values, the form to change them with a reason,
    and the history of versions with what each change did to the signals."""

    capability = C.SET_THRESHOLDS
    template_name = "monitoring/thresholds/index.html"

    def resolve(self, **kwargs) -> None:
        self.department = selectors.thresholds_department(self.viewer)
        if self.department is None:
            raise Http404

    def render_page(self, request, *, values: dict, reason: str = "", errors=None, status: int = 200):
        current, number = department_thresholds(self.department.pk)
        fields = [
            {
                "name": name,
                "label": str(THRESHOLD_LABELS.get(name, name)),
                "value": values.get(name, ""),
                "current": getattr(current, name),
                "errors": (errors or {}).get(name, []),
            }
            for name in THRESHOLD_FIELDS
        ]
        context = {
            "department": self.department,
            "fields": fields,
            "number": number,
            "reason": reason,
            "reason_errors": (errors or {}).get("reason", []),
            "form_errors": (errors or {}).get("__all__", []),
            "versions": selectors.threshold_versions(self.department)[:50],
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        current, _number = department_thresholds(self.department.pk)
        return self.render_page(request, values={name: getattr(current, name) for name in THRESHOLD_FIELDS})

    def post(self, request):
        values = {name: request.POST.get(name, "") for name in THRESHOLD_FIELDS}
        reason = request.POST.get("reason", "")
        try:
            version = cases.thresholds_change(
                department=self.department, values=values, reason=reason, actor=request.user
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            return self.render_page(request, values=values, reason=reason, errors=errors, status=400)
        messages.success(request, _("Пороги сохранены (версия {n}).").format(n=version.number))
        return redirect(reverse("monitoring:threshold_version", kwargs={"number": version.number}))


class ThresholdVersionView(CapabilityMixin, TemplateView):
    """One version of the thresholds: its values, who set them, when and why, and which signals appeared and
    vanished with it."""

    capability = C.SET_THRESHOLDS
    template_name = "monitoring/thresholds/version.html"

    def resolve(self, **kwargs) -> None:
        department = selectors.thresholds_department(self.viewer)
        if department is None:
            raise Http404
        self.version = get_scoped_or_404(selectors.threshold_versions(department), number=kwargs["number"])

    def get_context_data(self, **kwargs):
        values = thresholds_from(self.version.values)
        job = None if self.version.applied_at else Job.objects.filter(key=thresholds_job_key(self.version)).first()
        changes = self.version.changes or {}
        return super().get_context_data(
            version=self.version,
            values=[(THRESHOLD_LABELS.get(name, name), getattr(values, name)) for name in THRESHOLD_FIELDS],
            appeared=[(*row[:3], signal_label(row[3])) for row in changes.get("appeared", [])],
            vanished=[(*row[:3], signal_label(row[3])) for row in changes.get("vanished", [])],
            job=job,
            **kwargs,
        )
