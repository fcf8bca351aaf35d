"""Re-check pages of the commission (issue 12, helper h): the department forms and approves the commission,
distributes the works and sends the divergent ones to a third expert (MANAGE_RECHECK); a commission expert
(RECHECK_WORKS) sees their works and scores them blind in a keyboard grid (static/js/grid.js) with the scans
beside — never the original scores, total, mark or expert. Another expert's works do not exist for them (404).
Participants by code only (R11)."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grading.forms import CellForm, validation_message
from grading.views import GRID_TEXT
from monitoring import commission
from monitoring.models import CommissionMember, RecheckScore, RecheckSelection, RecheckWork
from monitoring.recheck import days_left, recheck_for
from monitoring.recheck_scans import scans_for_work
from procedures.access import CampaignMixin
from schools.access import Capability as C
from schools.access import CapabilityMixin
from schools.models import Staff
from vpr_portal.access import get_scoped_or_404
from vpr_portal.params import text_param


def _refuse(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The department ------------------------------------------------------------------------------------------------


class RecheckCommissionView(CampaignMixin, TemplateView):
    """The commission of the campaign's re-check: members with what they may never re-check (R4) and why they may
    not serve (R3, R5), candidates found by name or school code, the chair, the approval by order (Регламент 8.5)
    and its cancelling with a reason; the distribution of the received selections' works; the works in
    adjudication with their third expert. Experts by name (they are staff), participants by code."""

    capability = C.MANAGE_RECHECK
    template_name = "monitoring/recheck/commission.html"

    def resolve(self, **kwargs) -> None:
        self.recheck = recheck_for(self.campaign, by=self.viewer)

    def get_context_data(self, **kwargs):
        recheck = self.recheck
        query = text_param(self.request.GET, "q")
        members = list(recheck.members.select_related("staff__school").order_by("-is_chair", "staff__last_name"))
        member_rows = commission.candidates_of([m.staff for m in members], recheck)
        load = dict(recheck.members.annotate(n=Count("works")).values_list("pk", "n"))
        candidates = commission.candidates_of(commission.candidate_staff(recheck, query), recheck) if query else []
        works = RecheckWork.objects.filter(selection__recheck=recheck)
        statuses = dict(works.values_list("status").annotate(n=Count("pk")))
        adjudication = list(
            works.filter(status=RecheckWork.Status.ADJUDICATION)
            .select_related(
                "selection__school",
                "selection__assessment",
                "work__participant",
                "expert__staff",
                "third_expert__staff",
            )
            .order_by("selection__school__code", "selection__assessment__code", "work__participant__code")
        )
        selections = list(
            recheck.selections.select_related("school", "assessment")
            .annotate(n=Count("works"))
            .order_by("school__code", "assessment__code")
        )
        return super().get_context_data(
            recheck=recheck,
            approved=recheck.commission_approved_at is not None,
            members=[(m, row, load.get(m.pk, 0)) for m, row in zip(members, member_rows, strict=True)],
            query=query,
            candidates=candidates,
            statuses={value: (label, statuses.get(value, 0)) for value, label in RecheckWork.Status.choices},
            adjudication=[(w, commission.third_candidates(w)) for w in adjudication],
            selections=selections,
            unassigned=self.request.session.pop(self._unassigned_key(), []),
            **kwargs,
        )

    def _unassigned_key(self) -> str:
        return f"recheck-unassigned:{self.recheck.pk}"

    def _member(self) -> CommissionMember:
        members = self.recheck.members.select_related("staff__school")
        return get_scoped_or_404(members, pk=self.request.POST.get("member"))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise Http404
        try:
            handler(request)
        except ValidationError as error:
            _refuse(request, error)
        url = reverse("monitoring:recheck_commission", args=[self.campaign.code])
        query = text_param(request.POST, "q")
        return redirect(f"{url}?q={query}" if query else url)

    def do_add(self, request) -> None:
        staff = get_scoped_or_404(
            Staff.objects.filter(school__department_id=self.recheck.department_id, is_active=True).select_related(
                "school"
            ),
            pk=request.POST.get("staff"),
        )
        commission.member_add(self.recheck, staff, by=request.user, is_chair=request.POST.get("chair") == "1")
        messages.success(request, _("{name} включен(а) в комиссию.").format(name=staff.full_name))

    def do_remove(self, request) -> None:
        member = self._member()
        commission.member_remove(member, by=request.user)
        messages.success(request, _("{name} исключен(а) из комиссии.").format(name=member.staff.full_name))

    def do_chair(self, request) -> None:
        member = self._member()
        commission.chair_set(member, by=request.user)
        messages.success(request, _("Председатель комиссии: {name}.").format(name=member.staff.full_name))

    def do_approve(self, request) -> None:
        commission.commission_approve(self.recheck, order=text_param(request.POST, "order"), by=request.user)
        messages.success(request, _("Состав комиссии утверждён."))

    def do_unapprove(self, request) -> None:
        commission.commission_unapprove(self.recheck, reason=request.POST.get("reason", "")[:1000], by=request.user)
        messages.success(request, _("Утверждение состава комиссии отменено: состав можно изменить."))

    def do_distribute(self, request) -> None:
        result = commission.works_distribute(self.recheck, by=request.user)
        messages.success(
            request,
            _("Распределено работ: {n}; уже были у экспертов: {k}; не распределено: {u}.").format(
                n=len(result.created), k=result.kept, u=len(result.unassigned)
            ),
        )
        request.session[self._unassigned_key()] = [
            {
                "selection": str(item.selection),
                "code": item.work.participant.code,
                "reasons": item.reasons,
            }
            for item in result.unassigned
        ]

    def do_third(self, request) -> None:
        recheck_work = get_scoped_or_404(
            RecheckWork.objects.filter(selection__recheck=self.recheck).select_related("work__participant"),
            pk=request.POST.get("work"),
        )
        member = None
        if request.POST.get("member"):
            member = self._member()
        recheck_work = commission.third_expert_assign(recheck_work, by=request.user, member=member)
        messages.success(
            request,
            _("Работа {code}: третий эксперт — {name}.").format(
                code=recheck_work.work.participant.code, name=recheck_work.third_expert.staff.full_name
            ),
        )

    def do_third_auto(self, request) -> None:
        count = commission.third_experts_auto(self.recheck, by=request.user)
        messages.success(request, _("Третьи эксперты назначены работам: {n}.").format(n=count))


# The commission expert -------------------------------------------------------------------------------------------


class RecheckMyWorksView(CapabilityMixin, TemplateView):
    """The commission expert's works grouped by selection (school code × assessment), with the days left (R13)
    and how many are submitted; their adjudication works apart. Nothing of the original result."""

    capability = C.RECHECK_WORKS
    template_name = "monitoring/recheck/my_works.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        groups: dict[int, dict] = {}
        works = commission.works_of_user(user).select_related(
            "selection__school",
            "selection__assessment",
            "selection__recheck__campaign",
            "expert__staff",
            "third_expert__staff",
        )
        today = timezone.localdate()
        for work in works.order_by("selection__school__code", "selection__assessment__code", "pk"):
            selection = work.selection
            group = groups.setdefault(
                selection.pk,
                {
                    "selection": selection,
                    "days_left": days_left(selection, today),
                    "first": defaultdict(int),
                    "third": defaultdict(int),
                },
            )
            is_third = work.third_expert_id and work.third_expert.staff.user_id == user.pk
            group["third" if is_third else "first"][work.status] += 1
        rows = []
        for group in groups.values():
            first, third = group["first"], group["third"]
            rows.append(
                {
                    "selection": group["selection"],
                    "days_left": group["days_left"],
                    "first_total": sum(first.values()),
                    "first_open": first.get(RecheckWork.Status.ASSIGNED, 0),
                    "third_total": sum(third.values()),
                    "third_open": third.get(RecheckWork.Status.ADJUDICATION, 0),
                }
            )
        return super().get_context_data(rows=rows, **kwargs)


class RecheckSelectionMixin(CapabilityMixin):
    """A selection where the user holds re-checked works (first or third expert); none at all is 404."""

    capability = C.RECHECK_WORKS

    def resolve(self, **kwargs) -> None:
        self.works = commission.works_of_user(self.viewer).filter(selection_id=kwargs["pk"])
        if not self.works.exists():
            raise Http404
        self.selection = RecheckSelection.objects.select_related("school", "assessment__campaign", "recheck").get(
            pk=kwargs["pk"]
        )


class RecheckGridView(RecheckSelectionMixin, TemplateView):
    """The blind grid: the user's works of the selection by participant code × tasks with their maximum, the
    round they score in (first, or third for adjudication), their own total and mark, links to the scans.
    Never the original scores, total, mark or the original expert; a third expert does not see the first
    round's scores either."""

    template_name = "monitoring/recheck/grid.html"

    def get_context_data(self, **kwargs):
        user = self.viewer
        assessment = self.selection.assessment
        tasks = list(assessment.tasks.order_by("position"))
        works = list(
            self.works.select_related("work__participant", "expert__staff", "third_expert__staff").order_by(
                "work__participant__code", "pk"
            )
        )
        scores = defaultdict(dict)
        for score in RecheckScore.objects.filter(recheck_work__in=works):
            scores[(score.recheck_work_id, score.round)][score.task_id] = score
        rows = []
        for work in works:
            is_third = bool(work.third_expert_id) and work.third_expert.staff.user_id == user.pk
            round = RecheckScore.Round.THIRD if is_third else RecheckScore.Round.FIRST
            own = scores[(work.pk, round)]
            total, mark, _complete = commission.round_total(work, round) if own else (None, None, False)
            rows.append(
                {
                    "work": work,
                    "code": work.work.participant.code,
                    "variant": work.work.participant.variant,
                    "round": round,
                    "editable": commission.round_of(work, user) == round,
                    "cells": [
                        {
                            "task": task,
                            "text": commission.score_text(own.get(task.pk)),
                            "version": own[task.pk].version if task.pk in own else 0,
                        }
                        for task in tasks
                    ],
                    "total": total,
                    "mark": mark,
                    "scans": scans_for_work(work),
                }
            )
        first_open = any(r["editable"] and r["round"] == RecheckScore.Round.FIRST for r in rows)
        third_open = [r for r in rows if r["editable"] and r["round"] == RecheckScore.Round.THIRD]
        return super().get_context_data(
            selection=self.selection,
            assessment=assessment,
            tasks=tasks,
            max_score=sum(t.max_points for t in tasks),
            rows=rows,
            editable=any(r["editable"] for r in rows),
            first_open=first_open,
            third_open=third_open,
            days_left=days_left(self.selection, timezone.localdate()),
            queue_key=f"vpr-recheck:{user.pk}:{self.selection.pk}",
            grid_text=GRID_TEXT,
            **kwargs,
        )


class RecheckSubmitView(RecheckSelectionMixin, View):
    """Submits the user's first-round works of the selection (all scored), or one adjudication work with its
    decision note (`work`, `note`)."""

    def post(self, request, *args, **kwargs):
        url = reverse("monitoring:recheck_grid", args=[self.selection.pk])
        if request.POST.get("work"):
            work = get_scoped_or_404(self.works, pk=request.POST.get("work"))
            try:
                commission.work_submit(work, by=request.user, note=request.POST.get("note", ""))
            except ValidationError as error:
                _refuse(request, error)
            else:
                messages.success(request, _("Решение третьего эксперта записано."))
            return redirect(url)
        first = [
            w
            for w in self.works.select_related("expert__staff", "third_expert__staff").order_by("pk")
            if commission.round_of(w, request.user) == RecheckScore.Round.FIRST
        ]
        if not first:
            messages.error(request, _("Сдавать нечего: все ваши работы уже сданы."))
            return redirect(url)
        try:
            for work in first:
                commission.work_submit(work, by=request.user)
        except ValidationError as error:
            _refuse(request, error)
        else:
            messages.success(request, _("Работы сданы: {n}.").format(n=len(first)))
        return redirect(url)


class RecheckCellSaveView(CapabilityMixin, View):
    """Saves one cell of the blind grid (the protocol of static/js/grid.js: JSON in, JSON out): 200 with the
    version and the expert's own total and mark; 400 with the reason; 404 for a work the user does not hold; 409
    with the current value when the cell changed since it was loaded."""

    capability = C.RECHECK_WORKS

    def post(self, request):
        form = CellForm.from_body(request.body)
        if not form.is_valid():
            return JsonResponse({"error": form.first_error()}, status=400)
        data = form.cleaned_data
        work = (
            commission.works_of_user(request.user)
            .select_related("work__assessment", "expert__staff", "third_expert__staff")
            .filter(pk=data["work"])
            .first()
        )
        task = work.work.assessment.tasks.filter(pk=data["task"]).first() if work else None
        if task is None:
            return JsonResponse({"error": _("Работа не найдена.")}, status=404)
        try:
            saved = commission.cell_save(work, task, data["value"], by=request.user, base_version=data["base_version"])
        except commission.RecheckConflict as conflict:
            current = {"value": commission.score_text(conflict.score), "version": conflict.score.version}
            return JsonResponse({"error": str(conflict), "current": current}, status=409)
        except ValidationError as error:
            return JsonResponse({"error": validation_message(error)}, status=400)
        return JsonResponse(
            {
                "version": saved.score.version,
                "value": commission.score_text(saved.score),
                "total": saved.total,
                "mark": saved.mark,
            }
        )
