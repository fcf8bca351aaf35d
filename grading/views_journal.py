"""Journal marks in a keyboard grid, and its save endpoint: one journal mark (JSON in, JSON out), like the
score grid's cell.

The page is `JournalMarksView` (template grading/journal.html, script static/js/grid.js with
data-kind="journal"). Whoever manages grading at the school (MANAGE_GRADING: its coordinator) saves the marks
of its participants; another school's participant is 404; a mark changed since it was loaded is 409 with the
current mark (nothing is overwritten unseen).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from grading.forms import JournalCellForm, validation_message
from grading.selectors import entry as selectors
from grading.services.journal import JournalConflict, journal_cell_save, journal_versions
from grading.views import GRID_TEXT, AssessmentMixin
from procedures.models import Participant

# The grid script's words for the journal (static/js/grid.js); the check says what `journal_mark_parse` says.
JOURNAL_TEXT = {
    **GRID_TEXT,
    "not_a_mark": gettext_lazy("Отметка по журналу — 2, 3, 4 или 5 (или пусто), а не «{value}»."),
    "conflicts": gettext_lazy("Отметки изменены другим пользователем — ваши значения не записаны:"),
}


def _text(mark: int | None) -> str:
    return "" if mark is None else str(mark)


@dataclass(frozen=True)
class JournalRow:
    participant: Participant
    name: str
    mark: str
    version: int


class JournalMarksView(AssessmentMixin, TemplateView):
    """Journal marks of one class in a keyboard grid: a row per participant (code and, inside the school, the
    pupil's name), one column; every mark is saved as it is typed (`JournalCellSaveView`)."""

    template_name = "grading/journal.html"

    def get_context_data(self, **kwargs):
        assessment = self.assessment
        participants = selectors.journal_participants(
            assessment=assessment, school=self.school, class_name=self.kwargs["class_name"]
        )
        if not participants:
            raise Http404
        # inside the school the coordinator reads the pupils' names (R11): the rows follow the class journal
        full_names = {
            p.pk: p.pupil.full_name
            for p in Participant.objects.filter(pk__in=[p.pk for p in participants]).select_related("pupil")
            if p.pupil is not None
        }
        versions = journal_versions([p.pk for p in participants])
        rows = [
            JournalRow(
                participant=p,
                name=full_names.get(p.pk, ""),
                mark=_text(p.work.journal_mark) if hasattr(p, "work") else "",
                version=versions.get(p.pk, 0),
            )
            for p in participants
        ]
        rows.sort(key=lambda row: (row.name.casefold() or "\uffff", row.participant.code))
        return super().get_context_data(
            rows=rows,
            save_url=self.page_url("journal_cell"),
            queue_key=f"vpr-journal:{self.request.user.pk}:{assessment.pk}",
            grid_text=JOURNAL_TEXT,
            **kwargs,
        )


class JournalCellSaveView(AssessmentMixin, View):
    """200 with the mark and its new version; 400 with the reason; 404 for a participant not of this school
    and assessment; 409 with the current mark when it changed since `base_version`."""

    def post(self, request, *args, **kwargs):
        form = JournalCellForm.from_body(request.body)
        if not form.is_valid():
            return JsonResponse({"error": form.first_error()}, status=400)
        data = form.cleaned_data
        participant = Participant.objects.filter(
            pk=data["participant"], assessment=self.assessment, school=self.school
        ).first()
        if participant is None:
            return JsonResponse({"error": _("Участник не найден.")}, status=404)
        try:
            mark, version = journal_cell_save(
                participant=participant, raw=data["value"], base_version=data["base_version"], actor=request.user
            )
        except JournalConflict as conflict:
            current = {"value": _text(conflict.mark), "version": conflict.version}
            return JsonResponse({"error": str(conflict), "current": current}, status=409)
        except ValidationError as error:
            return JsonResponse({"error": validation_message(error)}, status=400)
        return JsonResponse({"version": version, "value": _text(mark)})


ASSESSMENT = "check/<str:campaign_code>/<str:school_code>/<str:assessment_code>/"

urlpatterns = [
    path(ASSESSMENT + "journal-cell/", JournalCellSaveView.as_view(), name="journal_cell"),
]
