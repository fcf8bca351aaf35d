"""Grading pages (Регламент 7): the expert's works and score grid, the JSON endpoint that saves one cell, and
the school coordinator's distribution, score grid, journal marks, progress and score history.

Access (capabilities of schools.access): experts grade (GRADE_WORKS) only the works assigned to them — their
assigned scope, another expert's works or another school's: 404 — and see codes, never names (R11); the
school coordinator manages grading of their school's works (MANAGE_GRADING; another school: 404); experts and
coordinators enter scores (ENTER_SCORES); the progress (VIEW_GRADING_PROGRESS) and the score history
(VIEW_SCORE_HISTORY) are read by whom the table gives them; everyone else gets 403. Nothing is entered before
grading opens (R10).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from grading.forms import CellForm, CodeFilterForm, DistributeForm, ReassignForm, validation_message
from grading.selectors import entry as selectors
from grading.services import distribution as distribution_services
from grading.services import entry as services
from grading.services.scores import ScoreConflict
from procedures.access import SchoolAssessmentMixin, SchoolCampaignMixin
from procedures.models import Participant
from schools.access import Capability as C
from schools.access import CapabilityMixin, assigned_to
from vpr_portal.params import text_param

# The grid script's words (static/js/grid.js fills the {placeholders}); the value checks say what the server's
# `cell_parse` says.
GRID_TEXT = {
    "over_max": gettext_lazy("балл {value} больше максимума {max}"),
    "below_zero": gettext_lazy("балл {value} меньше нуля"),
    "not_integer": gettext_lazy("балл {value} не целый"),
    "not_a_score": gettext_lazy("«{value}» — не балл: нужно целое число от 0 до {max} или X"),
    "unsaved": gettext_lazy("не сохранено: {n}"),
    "conflicts": gettext_lazy("Баллы изменены другим пользователем — ваши значения не записаны:"),
    "conflict": gettext_lazy("{cell}: ваше «{mine}», сейчас «{current}»."),
    "mine_not_saved": gettext_lazy("ваше «{mine}» не записано"),
    "empty": gettext_lazy("пусто"),
    "keep_mine": gettext_lazy("Записать моё"),
    "keep_current": gettext_lazy("Оставить текущее"),
    "reason_needed": gettext_lazy("работа сдана экспертом: укажите причину изменения"),
    "offline": gettext_lazy("Нет связи с сервером."),
    "not_accepted": gettext_lazy("Сервер не принял сохранение (войдите снова?)."),
    "server_error": gettext_lazy("Ошибка сервера."),
    "retry": gettext_lazy("Повторная попытка через {seconds} с."),
}


def _refuse(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The expert ------------------------------------------------------------------------------------------------


class MyWorksView(CapabilityMixin, TemplateView):
    """The expert's start page: the works assigned to them by school, assessment and class, with progress and
    when grading opens (R10). Codes only."""

    capability = C.GRADE_WORKS
    template_name = "grading/my_works.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(groups=selectors.expert_groups(self.request.user), **kwargs)


class ExpertWorksMixin(SchoolAssessmentMixin):
    """The expert's works of one assessment at one school: their assigned works (none at all is 404 —
    another expert's or another school's works do not exist for them)."""

    capability = C.GRADE_WORKS

    def resolve(self, **kwargs) -> None:
        self.works = assigned_to(self.viewer, "works").filter(school=self.school, assessment=self.assessment)
        if not self.works.exists():
            raise Http404

    def grid_url(self) -> str:
        return reverse(
            "grading:expert_grid",
            kwargs={
                "campaign_code": self.campaign.code,
                "school_code": self.school.code,
                "assessment_code": self.assessment.code,
            },
        )


class GridContextMixin:
    def grid_context(self, works, *, mode: str, editable: bool, **extra) -> dict:
        opening = selectors.Opening.of(assessment=self.assessment, school=self.school)
        class_name = text_param(self.request.GET, "class")
        class_names = selectors.class_names(works)
        return {
            "campaign": self.campaign,
            "school": self.school,
            "assessment": self.assessment,
            "opening": opening,
            "grid": selectors.grid(works, assessment=self.assessment, class_name=class_name)
            if opening.is_open
            else None,
            "class_names": class_names,
            # classes that write later than the first (R10): their rows stay read-only until they open
            "closed_classes": opening.closed_classes(class_names),
            "class_name": class_name,
            "mode": mode,
            "editable": editable and opening.is_open,
            "queue_key": f"vpr-grid:{self.request.user.pk}:{self.assessment.pk}",
            "grid_text": GRID_TEXT,
            **extra,
        }


class ExpertGridView(ExpertWorksMixin, GridContextMixin, TemplateView):
    """The expert's score grid: their works of the assessment at the school (code, class, variant) × tasks."""

    template_name = "grading/grid.html"

    def get_context_data(self, **kwargs):
        locked = not self.works.filter(submitted_at__isnull=True).exists()
        submit_url = reverse("grading:expert_submit", kwargs=self.kwargs)
        grid = self.grid_context(self.works, mode="expert", editable=not locked, locked=locked)
        return super().get_context_data(**grid, submit_url=submit_url, **kwargs)


class ExpertSubmitView(ExpertWorksMixin, View):
    """The expert submits their works: they are locked (a later change is the coordinator's, with a reason)."""

    def post(self, request, *args, **kwargs):
        try:
            count = services.works_submit(assessment=self.assessment, school=self.school, actor=request.user)
        except ValidationError as error:
            _refuse(request, error)
        else:
            messages.success(
                request, _("Работы сданы: {n}. Изменить баллы теперь может только координатор.").format(n=count)
            )
        return redirect(self.grid_url())


class CellSaveView(CapabilityMixin, View):
    """Saves one cell (JSON in, JSON out): 200 with the new version, total and mark; 400 with the reason;
    404 for a work the user may not enter; 409 with the current value when the cell changed since it was
    loaded (nothing is overwritten silently). The work is looked up in the request's body, among the user's
    (`cell_work`)."""

    capability = C.ENTER_SCORES

    def post(self, request):
        form = CellForm.from_body(request.body)
        if not form.is_valid():
            return JsonResponse({"error": form.first_error()}, status=400)
        data = form.cleaned_data
        work = selectors.cell_work(request.user, data["work"])
        task = selectors.cell_task(work, data["task"]) if work else None
        if task is None:
            return JsonResponse({"error": _("Работа не найдена.")}, status=404)
        try:
            saved = services.grid_cell_save(
                work=work,
                task=task,
                raw=data["value"],
                actor=request.user,
                base_version=data["base_version"],
                as_manager=selectors.may_manage(request.user, work.school),
                reason=data["reason"],
            )
        except ScoreConflict as conflict:
            current = {"value": str(conflict.score), "version": conflict.score.version}
            return JsonResponse({"error": str(conflict), "current": current}, status=409)
        except ValidationError as error:
            return JsonResponse({"error": validation_message(error)}, status=400)
        return JsonResponse(
            {
                "version": saved.score.version,
                "value": str(saved.score),
                "total": saved.primary_score,
                "mark": saved.mark,
                "complete": saved.is_complete,
            }
        )


# The school coordinator ------------------------------------------------------------------------------------


class AssessmentMixin(SchoolAssessmentMixin):
    """The coordinator's pages about one assessment of the campaign at the school."""

    capability = C.MANAGE_GRADING

    def page_url(self, name: str, **extra) -> str:
        kwargs = {
            "campaign_code": self.campaign.code,
            "school_code": self.school.code,
            "assessment_code": self.assessment.code,
            **extra,
        }
        return reverse(f"grading:{name}", kwargs=kwargs)

    def get_context_data(self, **kwargs):
        class_names = selectors.assessment_class_names(assessment=self.assessment, school=self.school)
        kwargs.setdefault("class_names", class_names)
        kwargs.update(assessment=self.assessment, journal_class=class_names[0] if class_names else "")
        return super().get_context_data(**kwargs)


class SchoolProgressView(SchoolCampaignMixin, TemplateView):
    """Grading at the school: per assessment and per expert, works assigned, graded and submitted."""

    capability = C.VIEW_GRADING_PROGRESS
    template_name = "grading/school.html"

    def get_context_data(self, **kwargs):
        by_assessment, by_expert = selectors.progress(campaign=self.campaign, school=self.school)
        may_manage = selectors.may_manage(self.request.user, self.school)
        return super().get_context_data(
            by_assessment=by_assessment, by_expert=by_expert, may_manage=may_manage, **kwargs
        )


class DistributionView(AssessmentMixin, TemplateView):
    """The coordinator splits the works among the assessment's experts: automatically, then by hand."""

    template_name = "grading/distribution.html"

    def get_context_data(self, **kwargs):
        assessment = self.assessment
        overview = selectors.distribution(assessment=assessment, school=self.school)
        experts = selectors.assessment_experts(assessment=assessment, school=self.school)
        return super().get_context_data(
            overview=overview,
            experts=experts,
            distribute_form=DistributeForm(),
            opening=selectors.Opening.of(assessment=assessment, school=self.school),
            own_classes_allowed=self.campaign.experts_check_own_classes,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        assessment = self.assessment
        try:
            if request.POST.get("action") == "reassign":
                self.reassign(assessment)
            else:
                self.distribute(assessment)
        except ValidationError as error:
            _refuse(request, error)
        return redirect(self.page_url("distribution"))

    def distribute(self, assessment) -> None:
        form = DistributeForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Выберите способ распределения."))
        result = distribution_services.works_distribute(
            assessment=assessment, school=self.school, mode=form.cleaned_data["mode"], actor=self.request.user
        )
        messages.success(self.request, _("Работы распределены между экспертами ({n}).").format(n=len(result.loads)))
        if result.kept:
            messages.info(
                self.request, _("Работ с выставленными баллами оставлено у своих экспертов: {n}.").format(n=result.kept)
            )
        if result.unassigned:
            messages.warning(
                self.request,
                _("Никому из экспертов нельзя передать работы (свой класс): {codes}.").format(
                    codes=", ".join(result.unassigned)
                ),
            )

    def reassign(self, assessment) -> None:
        participant_ids = Participant.objects.filter(assessment=assessment, school=self.school).values_list(
            "pk", flat=True
        )
        form = ReassignForm(
            self.request.POST,
            participant_ids=list(participant_ids),
            experts=selectors.assessment_experts(assessment=assessment, school=self.school),
        )
        if not form.is_valid():
            raise ValidationError(_("Отметьте работы и выберите эксперта."))
        expert = form.cleaned_data["expert"]
        count = distribution_services.works_reassign(
            assessment=assessment,
            school=self.school,
            participant_ids=form.cleaned_data["participant"],
            expert=expert,
            actor=self.request.user,
        )
        name = expert.short_name if expert else _("без эксперта")
        messages.success(self.request, _("Работ передано ({name}): {n}.").format(name=name, n=count))


class ManagerGridView(AssessmentMixin, GridContextMixin, TemplateView):
    """The coordinator's score grid of the assessment at the school (filled from the experts' checked works,
    Регламент 7.7); a change to a submitted work asks for a reason."""

    template_name = "grading/grid.html"

    def get_context_data(self, **kwargs):
        works = selectors.works_managed_by(self.request.user).filter(school=self.school, assessment=self.assessment)
        return super().get_context_data(
            **self.grid_context(works, mode="manager", editable=True, locked=False), **kwargs
        )


class ScoreHistoryView(SchoolAssessmentMixin, ListView):
    """The score history of the assessment at the school: who, when, task, old → new, how, why. Codes only."""

    capability = C.VIEW_SCORE_HISTORY
    template_name = "grading/history.html"

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE

    def get_queryset(self):
        self.filter_form = CodeFilterForm(self.request.GET or None)
        code = self.filter_form.cleaned_data["code"] if self.filter_form.is_valid() else ""
        return selectors.score_history(assessment=self.assessment, school=self.school, code=code)

    def get_context_data(self, **kwargs):
        may_manage = selectors.may_manage(self.request.user, self.school)
        class_names = selectors.assessment_class_names(assessment=self.assessment, school=self.school)
        return super().get_context_data(
            assessment=self.assessment,
            filter_form=self.filter_form,
            may_manage=may_manage,
            journal_class=class_names[0] if class_names and may_manage else "",
            **kwargs,
        )
