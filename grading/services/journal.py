"""One journal mark saved from the journal grid, with optimistic locking.

A journal mark has no version column of its own: its version is the number of its changes in the score
history (ScoreChange field="journal_mark"), which every path that changes a journal mark writes
(`journal_mark_set`, the results form import). A save names the version it was typed over; when the mark
changed since, nothing is written and the current mark is returned (JournalConflict).
"""

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from grading.models import ScoreChange, Work
from grading.services.entry import journal_mark_parse, journal_mark_set
from procedures.models import Participant
from schools.models import User


class JournalConflict(Exception):
    """The journal mark changed since the page was loaded: its current value and version."""

    def __init__(self, mark: int | None, version: int):
        super().__init__(_("Отметку по журналу уже изменил другой пользователь."))
        self.mark = mark
        self.version = version


def journal_version(work: Work | None) -> int:
    if work is None or work.pk is None:
        return 0
    return ScoreChange.objects.filter(work=work, field="journal_mark").count()


@transaction.atomic
def journal_cell_save(*, participant: Participant, raw, base_version: int, actor: User) -> tuple[int | None, int]:
    """Parses and saves the journal mark typed over `base_version` (through `journal_mark_set`); returns the
    mark and its new version. Raises ValidationError for a value that is not 2–5 or empty, JournalConflict when
    the mark changed since `base_version`."""
    mark = journal_mark_parse(raw)
    # the participant's row serialises the first save (no work yet); the work's row the import's writes
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    work = Work.objects.select_for_update().filter(participant=participant).first()
    version = journal_version(work)
    if version != base_version:
        raise JournalConflict(work.journal_mark if work else None, version)
    work = journal_mark_set(participant=participant, mark=mark, actor=actor)
    return work.journal_mark, journal_version(work)


def journal_versions(participant_ids) -> dict[int, int]:
    """The version of each participant's journal mark (see `journal_version`), in one query."""
    return dict(
        ScoreChange.objects.filter(work__participant_id__in=list(participant_ids), field="journal_mark")
        .values("work__participant_id")
        .annotate(n=Count("pk"))
        .values_list("work__participant_id", "n")
    )
