"""Reads for the drill-down municipality → school → class of one assessment's results: the school's figures and
each class's beside the municipality's, with completion by level, skill and mark group (grading/completion.py).

Every figure is `grading.figures.figures_compute` of the tallies `grading.figures.tallies` counts: the
municipality is the sum of its schools' tallies, which is the tally `results_figures` counts, so the numbers are
those of the command. Seven queries for any number of schools and classes: the schools' tallies without task sums
(two: their sizes, and summed the municipality's), the municipality's task sums (one), the tallies by class of the
school (three; the school's is their sum), the schools' codes (one).

A department view (`department=True`) shows codes only and hides small groups: a school under 5 participants,
or the school hidden as the complement of another (the municipal page's rule), shows no percentage, nor do its
classes; a class under 5, and then also its complement among the school's classes, shows none either.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from grading import completion
from grading.cache import cached, stamped
from grading.completion import MarkGroup, TaskGroup
from grading.figures import Figures, Tally, TaskInfo, figures_compute, tallies, with_task_sums
from grading.results_form import class_sort_key
from grading.rules import unranked
from procedures.models import Assessment
from schools.models import School


@dataclass(frozen=True)
class Group:
    """One group of participants of the page: the school, one of its classes, or the municipality."""

    kind: str  # "school", "class" or "municipality"
    label: str
    figures: Figures
    class_name: str = ""
    levels: list[TaskGroup] = field(default_factory=list)
    skills: list[TaskGroup] = field(default_factory=list)
    mark_groups: list[MarkGroup] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.figures.percentages_hidden


@dataclass(frozen=True)
class Drilldown:
    school: Group
    classes: list[Group]  # in class order (R15), never by a figure
    municipality: Group

    @property
    def class_names(self) -> list[str]:
        return [group.class_name for group in self.classes]

    def class_group(self, name: str) -> Group | None:
        return next((group for group in self.classes if group.class_name == name), None)


def suppressed(figures: Figures) -> Figures:
    """The figures with every percentage and the mean hidden (a group hidden as another's complement)."""
    if figures.percentages_hidden:
        return figures
    journal = figures.journal
    return Figures(
        participants=figures.participants,
        absent=figures.absent,
        not_graded=figures.not_graded,
        mark_counts=figures.mark_counts,
        marks=dict.fromkeys(figures.marks),
        mean_score=None,
        tasks=dict.fromkeys(figures.tasks),
        journal=type(journal)(n=journal.n, lower=None, confirmed=None, higher=None),
        histogram=figures.histogram,
        max_score=figures.max_score,
        small_sample=figures.small_sample,
        percentages_hidden=True,
    )


def _group(kind: str, label: str, tally: Tally, tasks: list, *, hidden: bool, department: bool, **extra) -> Group:
    infos = [TaskInfo(task.pk, task.label, task.max_points) for task in tasks]
    figures = figures_compute(tally, tasks=infos, hide_small=department)
    if hidden:
        figures = suppressed(figures)
    hidden = figures.percentages_hidden
    return Group(
        kind=kind,
        label=label,
        figures=figures,
        levels=completion.completion_by_level(tally, tasks, hidden=hidden),
        skills=completion.completion_by_skill(tally, tasks, hidden=hidden),
        mark_groups=completion.completion_by_mark(tally, tasks, hide_small=department, hidden=hidden),
        **extra,
    )


def _region(assessment: Assessment) -> tuple[Tally, dict[int, int]]:
    """Every school's tallies without task sums, summed, and each school's participants."""
    by_school = tallies(assessment=assessment, group="school", task_sums=False)
    sizes = {pk: completion.participants_of(tally) for pk, tally in by_school.items()}
    return completion.sum_tallies(by_school.values()), sizes


def school_drilldown(*, assessment: Assessment, school: School, tasks: list, department: bool) -> Drilldown:
    """The school's figures of the assessment, each class's and the municipality's (tasks: the assessment's
    Task rows in order). Seven queries: the region's task sums are read once, for the municipality, not per school
    (at 600 schools those were most of the page's time)."""
    # every school's size (for the complementary suppression) and their tallies summed, cached
    region, sizes = cached("region_sizes", stamped([assessment.pk]), lambda: _region(assessment))
    by_class = tallies(assessment=assessment, school=school, group="class")
    # the schools' tallies summed (the numbers of `results_figures`) with the region's task sums read once
    municipality = with_task_sums(region, assessment=assessment)
    school_tally = completion.sum_tallies(by_class.values()) if by_class else Tally()
    hidden_classes: set = set()
    school_hidden = False
    if department:
        codes = dict(School.objects.filter(pk__in=list(sizes)).values_list("pk", "code"))
        school_hidden = school.pk in completion.complementary(sizes, order=lambda pk: codes.get(pk, ""))
        class_sizes = {name: completion.participants_of(tally) for name, tally in by_class.items()}
        hidden_classes = (
            set(class_sizes) if school_hidden else completion.complementary(class_sizes, order=class_sort_key)
        )
    classes = [
        _group(
            "class",
            _("Класс {name}").format(name=name),
            by_class[name],
            tasks,
            hidden=name in hidden_classes,
            department=department,
            class_name=name,
        )
        for name in unranked(by_class, by=str)  # R15: class order, never by a figure
    ]
    return Drilldown(
        school=_group(
            "school",
            _("Школа {code}").format(code=school.code),
            school_tally,
            tasks,
            hidden=school_hidden,
            department=department,
        ),
        classes=classes,
        # the municipality is every school's participants: a department aggregate, small groups hidden for all
        municipality=_group("municipality", _("Муниципалитет"), municipality, tasks, hidden=False, department=True),
    )
