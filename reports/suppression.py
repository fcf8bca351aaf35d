"""Small groups in the department's views (docs/glossary.md, «Показатели»): a school under 5 participants shows no
percentages and no mean; when that hides exactly one school, the smallest other one is hidden too, so that the
municipality's figures minus the shown schools' do not give the hidden figures away (complementary suppression).
One rule for the municipal report (xlsx) and the municipal results pages."""

from grading.completion import complementary
from grading.figures import HIDDEN_BELOW, Figures
from schools.models import School


def too_small(figures: Figures) -> bool:
    return figures.participants < HIDDEN_BELOW


def hidden_schools(by_school: dict[int, Figures], schools: list[School]) -> set[int]:
    """The schools whose percentages a department view hides: under 5 participants, and when that is exactly
    one school, also the smallest other one (by participants, then code), so that no hidden figure follows from
    the municipality's row minus the others."""
    codes = {school.pk: school.code for school in schools}
    sizes = {pk: figures.participants for pk, figures in by_school.items()}
    return complementary(sizes, order=lambda pk: codes.get(pk, ""))  # the one rule, also for classes and marks
