"""Parents' results slips (Регламент 3.1.6): per participant of a class in one assessment, the pupil's mark and primary
score, the points of every task with the skill it checks and its level, and beside each task the class's and the
municipality's completion — printed per class, one slip per half A4 page, to cut and hand out.

Names live only in the school (R11): these reads are for the school's own coordinator and director (the views
resolve the school among those where the user may print the slips; the department has no such capability), and
nothing here writes a name anywhere else.

The completion beside each task is the figures' (grading/figures.py: the numbers of `results_figures` and of the
school's results pages), never recomputed here: the class's from `figures_by_class`, the municipality's from
`assessment_figures` over every school (a municipality under five participants shows none, as on the results page).
A task not attempted («X») counts 0 points, as in the figures; the slip says «X» beside the 0.

Who gets a slip: every participant of the class who writes the assessment (the exempt write nothing and get
none). An absent pupil's slip says the pupil did not write the work (the parents are informed all the same); a
present pupil whose work is not fully graded yet gets a slip saying the result is not ready, without figures.
Slips are in the order of the pupils' names (a class list to hand out), never by a result (R15).
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from grading import figures
from grading.models import Score, SlipHandout, SlipPrint, Work
from procedures.models import Assessment, Campaign, Participant, ScheduleEntry, Sitting, Task
from schools.classes import class_sort_key
from schools.models import School, SchoolClass
from vpr_portal.pdf import part_pdf

TEMPLATE = "grading/slips/print.html"
SLIPS_PER_PAGE = 2
NOT_ATTEMPTED = "X"


@dataclass(frozen=True)
class SlipTask:
    """One task's line on a slip."""

    label: str
    max_points: int
    points: int | None  # None: not graded (the work is not complete)
    not_attempted: bool  # «X»: counts 0
    skill: str
    level: str  # Б, П or В
    class_share: float | None  # completion % in the class; None when nobody has a result
    municipality_share: float | None  # completion % in the municipality; None when hidden or nobody


@dataclass(frozen=True)
class Slip:
    """One participant's slip (the name is the school's only, R11)."""

    participant_id: int
    name: str
    code: str
    class_name: str
    absent: bool
    complete: bool  # every task graded: the slip carries the result
    variant: int | None
    date: datetime.date | None
    primary_score: int | None
    max_score: int
    mark: int | None
    tasks: list[SlipTask] = field(default_factory=list)

    @property
    def has_result(self) -> bool:
        return not self.absent and self.complete


@dataclass(frozen=True)
class ClassSlips:
    """A class's slips of one assessment, with what every slip shares."""

    campaign: Campaign
    assessment: Assessment
    school: School
    school_class: SchoolClass
    class_name: str
    slips: list[Slip]
    max_score: int
    class_participants: int  # the class's participants with a result (the figures')
    municipality_participants: int

    @property
    def pages(self) -> list[list[Slip]]:
        """The slips two to a page (one per half page)."""
        return [self.slips[start : start + SLIPS_PER_PAGE] for start in range(0, len(self.slips), SLIPS_PER_PAGE)]


def _share(figures_of: figures.Figures | None, label: str) -> float | None:
    """A task's completion from the figures; None when the group has nobody with a result (the figures then say
    0.0, which on a slip would read as a result)."""
    if figures_of is None or not figures_of.participants:
        return None
    return figures_of.tasks.get(label)


def class_participants(*, assessment: Assessment, school_class: SchoolClass):
    """The class's participants who write the assessment (the exempt write nothing), as the figures count a class:
    by the participant's school and class name."""
    return Participant.objects.filter(
        assessment=assessment,
        school_id=school_class.school_id,
        class_name=school_class.name,
        status=Participant.Status.WRITES,
    )


def _dates(*, assessment: Assessment, school_class: SchoolClass) -> datetime.date | None:
    """The day the class wrote the assessment when no seat says it: the school's schedule for the class, else the
    school's first sitting of the assessment."""
    entry = (
        ScheduleEntry.objects.filter(assessment=assessment, school_class=school_class)
        .values_list("date", flat=True)
        .first()
    )
    if entry is not None:
        return entry
    return Sitting.objects.filter(assessment=assessment, school_id=school_class.school_id).aggregate(day=Min("date"))[
        "day"
    ]


def class_slips(*, assessment: Assessment, school_class: SchoolClass) -> ClassSlips:
    """Every slip of the class's participants of the assessment (see the module's docstring), in a fixed number of
    queries whatever the class's size: tasks, participants with names and seats, works, scores, the day, and the
    figures of the class and of the municipality (three each)."""
    school = school_class.school
    tasks = list(Task.objects.filter(assessment=assessment).order_by("position"))
    infos = [figures.TaskInfo(task.pk, task.label, task.max_points) for task in tasks]
    max_score = sum(task.max_points for task in tasks)
    by_class = figures.figures_by_class(assessment=assessment, school=school, tasks=infos)
    class_figures = by_class.get(school_class.name)
    municipality = figures.assessment_figures(assessment=assessment, hide_small=True, tasks=infos)
    participants = list(
        class_participants(assessment=assessment, school_class=school_class)
        .select_related("pupil")
        .annotate(seat_date=F("seat__sitting_room__sitting__date"))
    )
    works = {
        work.participant_id: work
        for work in Work.objects.filter(participant_id__in=[p.pk for p in participants]).only(
            "pk", "participant_id", "primary_score", "mark", "is_complete"
        )
    }
    scores: dict[int, dict[int, Score]] = {}
    for score in Score.objects.filter(work_id__in=[work.pk for work in works.values()]).only(
        "work_id", "task_id", "value", "not_attempted"
    ):
        scores.setdefault(score.work_id, {})[score.task_id] = score
    fallback_date = None
    if any(p.seat_date is None for p in participants):
        fallback_date = _dates(assessment=assessment, school_class=school_class)

    slips = []
    for participant in participants:
        work = works.get(participant.pk)
        complete = bool(work is not None and work.is_complete and work.mark is not None)
        work_scores = scores.get(work.pk, {}) if work is not None else {}
        lines = []
        for task in tasks:
            score = work_scores.get(task.pk)
            lines.append(
                SlipTask(
                    label=task.label,
                    max_points=task.max_points,
                    points=None if score is None else score.points,
                    not_attempted=bool(score is not None and score.not_attempted),
                    skill=(task.skill or "").strip(),
                    level=task.difficulty,
                    class_share=_share(class_figures, task.label),
                    municipality_share=_share(municipality, task.label),
                )
            )
        pupil = participant.pupil
        slips.append(
            Slip(
                participant_id=participant.pk,
                name=pupil.full_name if pupil is not None else "",
                code=participant.code,
                class_name=participant.class_name,
                absent=participant.absent,
                complete=complete,
                variant=participant.variant,
                date=participant.seat_date or fallback_date,
                primary_score=work.primary_score if complete and not participant.absent else None,
                max_score=max_score,
                mark=work.mark if complete and not participant.absent else None,
                tasks=lines,
            )
        )
    slips.sort(key=_name_order)
    return ClassSlips(
        campaign=assessment.campaign,
        assessment=assessment,
        school=school,
        school_class=school_class,
        class_name=school_class.name,
        slips=slips,
        max_score=max_score,
        class_participants=class_figures.participants if class_figures is not None else 0,
        municipality_participants=municipality.participants,
    )


def _name_order(slip: Slip) -> tuple:
    """By name (the class list), the anonymous (names purged, R12) after them by code: never by a result."""
    return (slip.name == "", slip.name.casefold(), slip.code, slip.participant_id)


# The printable -------------------------------------------------------------------------------------------------


def slips_title(campaign: Campaign) -> str:
    if campaign.kind == Campaign.Kind.VPR or campaign.kind == Campaign.Kind.TRAINING:
        return _("Результаты всероссийской проверочной работы")
    return _("Результаты оценочной процедуры")


# The type of the task lines (see the template), largest first: name, size in pt, tab stop in CSS px (3.2 em of the
# size: the columns before the skill take six stops). The first whose lines fit the half page is taken.
DENSITIES = (("roomy", 8.0, 34), ("normal", 7.0, 30), ("small", 6.5, 28), ("dense", 6.0, 26))
LINE_PT = 184 * 72 / 25.4  # the slip's line: 188 mm of the page less the slip's padding
ROWS_PT = 90 * 72 / 25.4  # what a slip leaves its task lines (of 133.5 mm: the rest is ~35 mm, the header 5 mm)
ROW_PT = 0.6 * 72 / 25.4  # a line's padding and rule
LINE_HEIGHT = 1.15
CHAR_EM = 0.6  # a character of a skill, on the wide side (DejaVu Serif's Cyrillic text is 0.55–0.59 em)
WORD_CHARS = 12  # a line breaks between words: up to a long word's room is left at its end
SKILL_LINES = 2  # a skill longer than two lines is cut short («…»)


def _density(skills: list[str]) -> tuple[str, int]:
    """The type of the task lines and how many characters of a skill a slip prints: the largest type at which every
    task's line, its skill on up to two lines, fits the half page (estimated from the number of characters, on the
    wide side); failing that the smallest, each skill cut to one line (which holds up to 29 tasks: no ВПР has as
    many). Every slip of a class has the same tasks, so one choice holds for all of them."""
    for name, size, tab in DENSITIES:
        per_line = int((LINE_PT - (6 * tab + 6) * 0.75) / size / CHAR_EM) - WORD_CHARS
        lines = sum(min(SKILL_LINES, max(1, math.ceil(len(skill) / per_line))) for skill in skills)
        if lines * size * LINE_HEIGHT + len(skills) * ROW_PT <= ROWS_PT:
            return name, SKILL_LINES * per_line
    return name, per_line


TAB = "\t"
FIGURE_SPACE = "\u2007"  # as wide as a digit: a one-digit number takes the room of two


def _percent(share: float | None) -> str:
    return "—" if share is None else floatformat(share, 1)


def task_line(task: SlipTask, *, skill_chars: int) -> str:
    """A task's line of text on a slip: its columns separated by tabs (the template sets the stops), the skill last:
    number, level, points, the class's and the municipality's completion, skill."""
    if task.not_attempted:
        points = f"{NOT_ATTEMPTED}: 0"
    elif task.points is None:
        points = "—"
    else:
        points = f"{FIGURE_SPACE if task.points < 10 else ''}{task.points}"
    points = f"{points} {_('из %(m)s') % {'m': task.max_points}}"
    label = " ".join(task.label.split())  # no tab or line break of its own: one line of columns
    skill = Truncator(" ".join(task.skill.split())).chars(skill_chars) or "—"
    return TAB.join((label, task.level, points, _percent(task.class_share), _percent(task.municipality_share), skill))


def class_slips_html(slips: ClassSlips) -> str:
    """The printable of the class's slips: each slip with its tasks' lines of text (see `task_line`)."""
    tasks = slips.slips[0].tasks if slips.slips else []
    density, skill_chars = _density([" ".join(task.skill.split()) or "—" for task in tasks])
    pages = [
        [(slip, [task_line(task, skill_chars=skill_chars) for task in slip.tasks]) for slip in page]
        for page in slips.pages
    ]
    return render_to_string(
        TEMPLATE,
        {
            "data": slips,
            "pages": pages,
            "campaign": slips.campaign,
            "assessment": slips.assessment,
            "school": slips.school,
            "title": slips_title(slips.campaign),
            "density": density,
        },
    )


def class_slips_pdf(slips: ClassSlips) -> bytes:
    """The class's slips as PDF bytes, two to an A4 page with a cut line between (rendered in the request: a
    class of 30 is 15 pages)."""
    return part_pdf(class_slips_html(slips))


def slips_filename(slips: ClassSlips) -> str:
    return _("листы-результатов-{assessment}-{school_class}-{campaign}.pdf").format(
        assessment=slips.assessment.code, school_class=slips.class_name, campaign=slips.campaign.code
    )


# The school's page: assessments, classes, prints and handouts --------------------------------------------------


@dataclass
class SlipClass:
    """One class of one assessment on the school's slips page."""

    school_class_id: int | None
    class_name: str
    writes: int = 0
    absent: int = 0
    graded: int = 0
    handed: int = 0
    last_print: SlipPrint | None = None
    prints: int = 0


@dataclass
class SlipAssessment:
    assessment: Assessment
    classes: list[SlipClass] = field(default_factory=list)


def slip_overview(*, campaign: Campaign, school: School) -> list[SlipAssessment]:
    """The campaign's assessments the school has writing participants of, each with its classes (class order, R15)
    and how many of their slips are printed and handed out: three queries."""
    rows = (
        Participant.objects.filter(campaign=campaign, school=school, status=Participant.Status.WRITES)
        .values("assessment_id", "class_name")
        .annotate(
            class_id=Max("school_class_id"),
            writes_n=Count("id"),
            absent_n=Count("id", filter=Q(absent=True)),
            graded_n=Count("id", filter=Q(absent=False, work__is_complete=True)),
            handed_n=Count("id", filter=Q(slip_handout__isnull=False)),
        )
        .order_by()
    )
    by_assessment: dict[int, dict[str, SlipClass]] = {}
    for row in rows:
        by_assessment.setdefault(row["assessment_id"], {})[row["class_name"]] = SlipClass(
            school_class_id=row["class_id"],
            class_name=row["class_name"],
            writes=row["writes_n"],
            absent=row["absent_n"],
            graded=row["graded_n"],
            handed=row["handed_n"],
        )
    for printed in SlipPrint.objects.filter(campaign=campaign, school=school).select_related("printed_by"):
        line = by_assessment.get(printed.assessment_id, {}).get(printed.class_name)
        if line is not None:
            line.prints += 1
            if line.last_print is None:  # newest first
                line.last_print = printed
    result = []
    for assessment in campaign.assessments.select_related("subject").order_by("grade", "subject__name", "code"):
        classes = by_assessment.get(assessment.pk)
        if classes:
            ordered = sorted(classes.values(), key=lambda line: class_sort_key(line.class_name))
            result.append(SlipAssessment(assessment=assessment, classes=ordered))
    return result


def slip_print_log(*, campaign: Campaign, school: School, assessment: Assessment | None = None, class_name=None):
    """The school's prints of parents' slips in the campaign (of one assessment's class when given), newest first."""
    prints = SlipPrint.objects.filter(campaign=campaign, school=school).select_related("assessment", "printed_by")
    if assessment is not None:
        prints = prints.filter(assessment=assessment)
    if class_name is not None:
        prints = prints.filter(class_name=class_name)
    return prints


@dataclass(frozen=True)
class HandoutLine:
    """A pupil of the class on the handout list."""

    participant_id: int
    name: str
    code: str
    absent: bool
    handout: SlipHandout | None


def handout_list(*, assessment: Assessment, school_class: SchoolClass) -> list[HandoutLine]:
    """The class's participants of the assessment with their slips' handout marks, in name order (one query)."""
    participants = (
        class_participants(assessment=assessment, school_class=school_class)
        .select_related("pupil", "slip_handout", "slip_handout__recorded_by")
        .order_by()
    )
    lines = [
        HandoutLine(
            participant_id=participant.pk,
            name=participant.pupil.full_name if participant.pupil is not None else "",
            code=participant.code,
            absent=participant.absent,
            handout=getattr(participant, "slip_handout", None),
        )
        for participant in participants
    ]
    return sorted(lines, key=lambda line: (line.name == "", line.name.casefold(), line.code, line.participant_id))


def slip_class(*, school: School, class_id: int, assessment: Assessment) -> SchoolClass | None:
    """The school's class of the URL, when it has participants who write the assessment; None otherwise."""
    school_class = SchoolClass.objects.filter(school=school, pk=class_id).select_related("school").first()
    if school_class is None:
        return None
    if not class_participants(assessment=assessment, school_class=school_class).exists():
        return None
    return school_class
