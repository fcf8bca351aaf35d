"""Rules about results that belong to no single page: R14 (the re-check cover letter) and R15 (no ranking).

R15: ВПР results are not used to rate teachers, nor to build league tables of schools.

Every list that sets people (teachers, experts), classes (each has its teachers) or schools beside result
figures orders them through `unranked`: a school by its code, a person by surname and name, a class by grade
and letter — never by a mark, a score, a share or a completion. The school's results page (classes), the
school's grading progress (experts), the department's upload status (schools) and the overview read their
order here; a test plants results whose order differs from the codes' and checks every page follows the codes.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.utils.translation import gettext as _

from grading.models import Work
from grading.results_form import class_sort_key
from schools.models import School, Staff

Row = TypeVar("Row")
Who = School | Staff | str


def identity_key(who: Who) -> tuple:
    """The only keys a list beside results may be ordered by (R15): who or what a row is, not how it did."""
    if isinstance(who, School):
        return (0, who.code, who.pk)
    if isinstance(who, Staff):
        return (1, who.last_name.casefold(), who.first_name.casefold(), who.middle_name.casefold(), who.pk)
    if isinstance(who, str):
        return (2, *class_sort_key(who))
    raise TypeError(f"unranked() orders schools, staff or class names, not {type(who).__name__}")


def unranked(rows: Iterable[Row], *, by: Callable[[Row], Who]) -> list[Row]:
    """R15: `rows` in the order of who they are about (`by(row)`: a School, a Staff member or a class name),
    whatever their results. The one ordering of people, classes and schools shown beside result figures."""
    return sorted(rows, key=lambda row: identity_key(by(row)))


def recheck_cover_letter(work: Work) -> list[tuple[str, str]]:
    """R14 (Регламент 8.7): what the cover letter of a work sent to re-check carries, in order — school,
    subject, class, the original expert's name and position, the participant's code, variant and primary score.
    Codes only: the pupil's name never leaves the school (R11)."""
    participant, expert = work.participant, work.expert
    return [
        (_("Образовательная организация"), work.school.name),
        (_("Предмет"), work.assessment.subject.name),
        (_("Класс"), participant.class_name),
        (_("Эксперт"), expert.full_name if expert else ""),
        (_("Должность эксперта"), expert.position if expert else ""),
        (_("Код участника"), participant.code),
        (_("Вариант"), "" if participant.variant is None else str(participant.variant)),
        (_("Первичный балл"), "" if work.primary_score is None else str(work.primary_score)),
    ]
