"""Reads for the results form and the school's results pages.

The views resolve the campaign, the school and the assessment first (the resolvers of procedures.access):
outside scope is 404 before these run. Names are read only by the school's own
coordinator and director (R11); everything else carries participant codes. Each function runs a fixed number
of queries whatever the size of the school.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from grading import figures
from grading.models import FormUpload, Score, Work
from grading.results_form import NOT_ATTEMPTED_TEXT, FormParticipant, class_sort_key
from grading.rules import unranked
from procedures.models import Assessment, Campaign, Participant, Task
from schools.access import Capability, roles_with, user_can
from schools.models import School, User
from vpr_portal.tables import InputRefused, Problem


def reads_as_school(user: User, school: School) -> bool:
    """The user reads the school's results as the school does (names, every percentage); the department reads
    every school's figures by codes only, small groups without percentages (docs/glossary.md)."""
    return school.pk in user.school_ids_with_role(*roles_with(Capability.VIEW_RESULTS))


def may_import_results(user: User, school: School) -> bool:
    return user_can(user, Capability.IMPORT_RESULTS, school)


def campaign_assessment(campaign: Campaign, code: str) -> Assessment | None:
    """The campaign's assessment: one query. Its tasks are read when used (`assessment.tasks.all()`, in position
    order): a cached page needs none."""
    return campaign.assessments.select_related("subject", "campaign").filter(code=code).first()


def form_tasks(assessment: Assessment) -> list[Task]:
    return list(assessment.tasks.order_by("position"))


def writing_participants(*, assessment: Assessment, school: School) -> QuerySet[Participant]:
    """The school's participants who write the assessment (the exempt are not on the form)."""
    return Participant.objects.filter(assessment=assessment, school=school, status=Participant.Status.WRITES)


def form_codes(*, assessment: Assessment, school: School) -> tuple[set[str], set[str]]:
    """The codes of the participants who write the assessment at the school, and of those exempt from it."""
    writing, exempt = set(), set()
    rows = Participant.objects.filter(assessment=assessment, school=school).exclude(code="")
    for code, status in rows.values_list("code", "status"):
        (writing if status == Participant.Status.WRITES else exempt).add(code)
    return writing, exempt - writing


def scores_by_work(work_ids) -> dict[int, dict[int, Score]]:
    """work id → task id → Score, in one query."""
    result: dict[int, dict[int, Score]] = defaultdict(dict)
    for score in Score.objects.filter(work_id__in=list(work_ids)):
        result[score.work_id][score.task_id] = score
    return result


def form_participants(*, assessment: Assessment, school: School, tasks: list[Task]) -> list[FormParticipant]:
    """The rows of the results form, filled from the recorded results (three queries)."""
    participants = list(
        writing_participants(assessment=assessment, school=school).values_list(
            "pk", "code", "class_name", "sex", "variant", "absent"
        )
    )
    works = {
        row[0]: row[1:]
        for row in Work.objects.filter(assessment=assessment, school=school).values_list(
            "participant_id", "pk", "journal_mark", "primary_score", "mark"
        )
    }
    scores = scores_by_work(pk for pk, *_rest in works.values())
    rows = []
    for pk, code, class_name, sex, variant, absent in participants:
        work_id, journal_mark, primary_score, mark = works.get(pk, (None, None, None, None))
        work_scores = scores.get(work_id, {})
        cells = tuple(_cell_value(work_scores.get(task.pk)) for task in tasks)
        rows.append(
            FormParticipant(
                code=code,
                class_name=class_name,
                sex=sex,
                variant=variant,
                absent=absent,
                cells=cells,
                journal_mark=journal_mark,
                primary_score=None if absent else primary_score,
                mark=None if absent else mark,
            )
        )
    return rows


def _cell_value(score: Score | None):
    if score is None:
        return None
    if score.not_attempted:
        return NOT_ATTEMPTED_TEXT
    return score.value


@dataclass
class AssessmentResults:
    """One assessment's line on the school's results index."""

    assessment: Assessment
    writes: int = 0
    without_code: int = 0
    absent: int = 0
    graded: int = 0
    uploaded_at: object = None

    @property
    def pending(self) -> int:
        return self.writes - self.absent - self.graded


def school_assessments(*, campaign: Campaign, school: School) -> list[AssessmentResults]:
    """The campaign's assessments the school has participants of, with how far their results are (three
    queries)."""
    counts = (
        Participant.objects.filter(campaign=campaign, school=school, status=Participant.Status.WRITES)
        .values("assessment_id")
        .annotate(
            writes_n=Count("id"),
            without_code_n=Count("id", filter=Q(code="")),
            absent_n=Count("id", filter=Q(absent=True)),
            graded_n=Count("id", filter=Q(absent=False, work__is_complete=True)),
        )
        .order_by()
    )
    by_assessment = {row["assessment_id"]: row for row in counts}
    uploads = dict(
        FormUpload.objects.filter(campaign=campaign, school=school).values_list("assessment_id", "uploaded_at")
    )
    result = []
    for assessment in campaign.assessments.select_related("subject").order_by("grade", "subject__name", "code"):
        row = by_assessment.get(assessment.pk)
        if row is None:
            continue
        result.append(
            AssessmentResults(
                assessment=assessment,
                writes=row["writes_n"],
                without_code=row["without_code_n"],
                absent=row["absent_n"],
                graded=row["graded_n"],
                uploaded_at=uploads.get(assessment.pk),
            )
        )
    return result


@dataclass
class ResultLine:
    """One participant's line in the school's results table (the name only for the school's readers)."""

    code: str
    name: str
    variant: int | None
    absent: bool
    cells: list = field(default_factory=list)
    primary_score: int | None = None
    mark: int | None = None
    journal_mark: int | None = None
    is_complete: bool = False


@dataclass
class ClassResults:
    class_name: str
    lines: list[ResultLine] = field(default_factory=list)


def results_by_class(
    *, assessment: Assessment, school: School, tasks: list[Task], with_names: bool, class_name: str | None = None
) -> list[ClassResults]:
    """Every writing participant's result (of one class when given), grouped by class (classes in order, codes
    within); three queries."""
    participants = writing_participants(assessment=assessment, school=school)
    if class_name is not None:
        participants = participants.filter(class_name=class_name)
    if with_names:
        participants = participants.select_related("pupil")
    participants = list(participants)
    works = {
        work.participant_id: work
        for work in Work.objects.filter(participant_id__in=[p.pk for p in participants]).only(
            "pk", "participant_id", "journal_mark", "primary_score", "mark", "is_complete"
        )
    }
    scores = scores_by_work(work.pk for work in works.values())
    classes: dict[str, ClassResults] = {}
    for participant in sorted(participants, key=lambda p: (class_sort_key(p.class_name), p.code)):
        work = works.get(participant.pk)
        work_scores = scores.get(work.pk, {}) if work else {}
        pupil = participant.pupil if with_names else None
        line = ResultLine(
            code=participant.code,
            name=pupil.full_name if pupil is not None else "",
            variant=participant.variant,
            absent=participant.absent,
            cells=[] if participant.absent else [_cell_value(work_scores.get(task.pk)) for task in tasks],
            primary_score=None if participant.absent or work is None else work.primary_score,
            mark=None if participant.absent or work is None else work.mark,
            journal_mark=work.journal_mark if work else None,
            is_complete=bool(work and work.is_complete),
        )
        classes.setdefault(participant.class_name, ClassResults(participant.class_name)).lines.append(line)
    return list(classes.values())


@dataclass
class SchoolFigures:
    """An assessment's figures at a school: the parallel (the whole school; one assessment is one grade) and
    each class, in class order; `groups` as (label, figures, is the whole) rows for the tables."""

    whole: object
    by_class: dict
    groups: list = field(default_factory=list)
    task_table: list = field(default_factory=list)

    @property
    def class_names(self) -> list[str]:
        return list(self.by_class)


def school_figures(*, assessment: Assessment, school: School, tasks: list[Task], hide_small: bool) -> SchoolFigures:
    """The figures (docs/glossary.md, «Показатели») for the school and each of its classes (seven queries)."""
    infos = [figures.TaskInfo(t.pk, t.label, t.max_points) for t in tasks]
    whole = figures.assessment_figures(assessment=assessment, school=school, hide_small=hide_small, tasks=infos)
    by_class = figures.figures_by_class(assessment=assessment, school=school, hide_small=hide_small, tasks=infos)
    by_class = {name: by_class[name] for name in unranked(by_class, by=str)}
    groups = [(_("Параллель {grade} классов (вся школа)").format(grade=assessment.grade), whole, True)]
    groups += [(name, class_figures, False) for name, class_figures in by_class.items()]
    task_table = [(task, [group[1].tasks.get(task.label) for group in groups]) for task in tasks]
    return SchoolFigures(whole=whole, by_class=by_class, groups=groups, task_table=task_table)


def command_targets(*, campaign: str, assessment: str, school: str | None) -> tuple[Assessment, School | None]:
    """The batch commands' `--campaign C --assessment A [--school CODE]`; refuses every code not found."""
    problems = []
    found_campaign = Campaign.objects.filter(code=campaign).first()
    found_assessment = found_school = None
    if found_campaign is None:
        problems.append(Problem(_("кампания с кодом «{code}» не найдена").format(code=campaign)))
    else:
        found_assessment = campaign_assessment(found_campaign, assessment)
        if found_assessment is None:
            problems.append(
                Problem(
                    _("в кампании {campaign} нет работы с кодом «{code}»").format(
                        campaign=found_campaign.code, code=assessment
                    )
                )
            )
    if school is not None:
        found_school = School.objects.filter(code=school).first()
        if found_school is None:
            problems.append(Problem(_("школа с кодом «{code}» не найдена").format(code=school)))
        elif found_campaign is not None and found_school.department_id != found_campaign.department_id:
            problems.append(
                Problem(
                    _("школа {school} не относится к управлению, которое проводит кампанию {campaign}").format(
                        school=found_school.code, campaign=found_campaign.code
                    )
                )
            )
    if problems:
        raise InputRefused(problems)
    return found_assessment, found_school
