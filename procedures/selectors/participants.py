"""Reads of a school's participants and codes. Pupils' names are read only by the school's coordinator and
director (R11); everything that leaves the school carries codes.

The views resolve the campaign and the school first (procedures.access): outside scope is 404 before these
run; participants are read through `participants_visible_to`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from procedures.models import Assessment, Campaign, Participant, ParticipantCode
from procedures.selectors.schedules import campaign_assessments, campaign_classes
from schools.access import Capability, roles_with, user_can
from schools.classes import class_name_ordering
from schools.models import School, SchoolClass, User, search_key

STATUS_FILTERS = {
    "writes": _("пишут"),
    "exempt": _("освобождены"),
    "ovz": _("ОВЗ"),
    "ovz_pending": _("ОВЗ без решения родителей"),
    "no_code": _("без кода"),
    "family": _("семейная форма"),
}


def awaiting_parents_decision() -> Q:
    """R7 (Регламент 2.4, 2.6): a participation of a pupil with ОВЗ / disability waits for the parents' decision
    until it is recorded; until then the pupil gets no participant code and does not write."""
    return Q(has_disability=True, parents_decision="", status=Participant.Status.WRITES)


DISABILITY_EXTRA_MINUTES = 30  # Регламент 2.6


def extra_minutes_for(*, has_disability: bool) -> int:
    """R7 (Регламент 2.6): a pupil with ОВЗ / disability writes 30 minutes longer. The participants' refresh,
    the parents' decision and the room protocol's extended end all take the extra time from here."""
    return DISABILITY_EXTRA_MINUTES if has_disability else 0


@dataclass(frozen=True)
class PendingDecision:
    """A pupil with ОВЗ whose parents' decision is not recorded yet, with the works it is missing for."""

    participant_id: int  # one of the pupil's participations: its page records the decision for every work
    pupil_name: str
    class_name: str
    works: list[str]


def pending_parents_decisions(*, user: User, campaign: Campaign, school: School) -> list[PendingDecision]:
    """The school's pupils who wait for the parents' decision (R7), by class and name; names only for those
    who read the school's participants (none for anyone else). One query."""
    rows = (
        participants_visible_to(user)
        .filter(campaign=campaign, school=school, pupil__isnull=False)
        .filter(awaiting_parents_decision())
        .select_related("pupil", "assessment__subject")
        .order_by(*class_name_ordering(), "pupil__last_name", "pupil__first_name", "pupil_id", "assessment__code")
    )
    by_pupil: dict[int, PendingDecision] = {}
    for row in rows:
        pending = by_pupil.get(row.pupil_id)
        if pending is None:
            pending = by_pupil[row.pupil_id] = PendingDecision(row.pk, row.pupil.full_name, row.class_name, [])
        pending.works.append(str(row.assessment))
    return list(by_pupil.values())


def participants_visible_to(user: User) -> QuerySet[Participant]:
    """R11: participations the user may read with names — their own school's (the roles viewing participants);
    nobody outside the school."""
    school_ids = user.school_ids_with_role(*roles_with(Capability.VIEW_PARTICIPANTS))
    if not school_ids:
        return Participant.objects.none()
    return Participant.objects.filter(school_id__in=school_ids)


def may_edit_participants(user: User, school: School) -> bool:
    return user_can(user, Capability.EDIT_PARTICIPANTS, school)


def participant_list(
    *,
    user: User,
    campaign: Campaign,
    school: School,
    assessment: Assessment | None = None,
    class_id: int | None = None,
    search: str = "",
    status: str = "",
) -> QuerySet[Participant]:
    """The school's participations, filtered; a search of digits looks for a code, words for a name."""
    rows = (
        participants_visible_to(user)
        .filter(campaign=campaign, school=school)
        .select_related("pupil", "assessment__subject")
    )
    if assessment is not None:
        rows = rows.filter(assessment=assessment)
    if class_id:
        rows = rows.filter(school_class_id=class_id)
    search = search.strip()
    if search.isdigit():
        rows = rows.filter(code__startswith=search)
    else:
        for word in search_key(search).split():
            rows = rows.filter(pupil__search_text__contains=word)
    rows = {
        "writes": rows.filter(status=Participant.Status.WRITES),
        "exempt": rows.filter(status=Participant.Status.EXEMPT),
        "ovz": rows.filter(has_disability=True),
        "ovz_pending": rows.filter(awaiting_parents_decision()),
        "no_code": rows.filter(code="", status=Participant.Status.WRITES),
        "family": rows.filter(family_form=True),
    }.get(status, rows)
    return rows.order_by(*class_name_ordering(), "pupil__last_name", "pupil__first_name", "assessment__code", "id")


def participant_detail(*, user: User, campaign: Campaign, school: School, pk) -> Participant:
    """One participation of the school (404 outside the user's scope), with the pupil's other ones."""
    from vpr_portal.access import get_scoped_or_404

    return get_scoped_or_404(
        participants_visible_to(user)
        .filter(campaign=campaign, school=school)
        .select_related("pupil__school_class", "assessment__subject", "school"),
        pk=pk,
    )


def pupil_participations(participant: Participant) -> QuerySet[Participant]:
    if participant.pupil_id is None:
        return Participant.objects.filter(pk=participant.pk)
    return (
        Participant.objects.filter(campaign_id=participant.campaign_id, pupil_id=participant.pupil_id)
        .select_related("assessment__subject")
        .order_by("assessment__grade", "assessment__code")
    )


@dataclass(frozen=True)
class AssessmentCounts:
    assessment: Assessment
    total: int = 0
    writes: int = 0
    exempt: int = 0
    coded: int = 0
    ovz: int = 0
    ovz_pending: int = 0
    family: int = 0


def assessment_counts(*, campaign: Campaign, school: School) -> list[AssessmentCounts]:
    """Per assessment of the campaign: participations, who writes, exempted, with a code, ОВЗ (and how many
    still without the parents' decision), family form. Two queries."""
    writes = Q(status=Participant.Status.WRITES)
    rows = {
        row["assessment_id"]: row
        for row in Participant.objects.filter(campaign=campaign, school=school)
        .values("assessment_id")
        .annotate(
            total=Count("id"),
            writes=Count("id", filter=writes),
            exempt=Count("id", filter=Q(status=Participant.Status.EXEMPT)),
            coded=Count("id", filter=writes & ~Q(code="")),
            ovz=Count("id", filter=Q(has_disability=True)),
            ovz_pending=Count("id", filter=awaiting_parents_decision()),
            family=Count("id", filter=Q(family_form=True)),
        )
        .order_by()
    }
    result = []
    for assessment in campaign_assessments(campaign):
        row = rows.get(assessment.pk)
        if row is None:
            result.append(AssessmentCounts(assessment))
            continue
        row = {k: v for k, v in row.items() if k != "assessment_id"}
        result.append(AssessmentCounts(assessment, **row))
    return result


@dataclass(frozen=True)
class ClassCounts:
    school_class: SchoolClass
    pupils: int  # pupils who write at least one assessment
    coded: int  # of them, with a code


def class_counts(*, campaign: Campaign, school: School) -> list[ClassCounts]:
    """The campaign's classes of the school that have participants, with how many pupils write and how many
    of them have a code. Two queries."""
    counts = {
        row["school_class_id"]: row
        for row in Participant.objects.filter(
            campaign=campaign, school=school, status=Participant.Status.WRITES, pupil__isnull=False
        )
        .values("school_class_id")
        .annotate(
            pupils=Count("pupil_id", distinct=True),
            coded=Count("pupil_id", distinct=True, filter=~Q(code="")),
        )
        .order_by()
    }
    classes = SchoolClass.objects.filter(pk__in=list(counts)).order_by("grade", "letter")
    return [ClassCounts(c, counts[c.pk]["pupils"], counts[c.pk]["coded"]) for c in classes]


def codes_summary(*, campaign: Campaign, school: School) -> dict:
    """How far the codes are: pupils who write, of them with a code, and the codes issued in the school."""
    writers = Participant.objects.filter(
        campaign=campaign, school=school, status=Participant.Status.WRITES, pupil__isnull=False
    )
    pupils = writers.values("pupil_id").distinct().count()
    without = writers.filter(code="").values("pupil_id").distinct().count()
    issued = ParticipantCode.objects.filter(campaign=campaign, school=school).count()
    return {"pupils": pupils, "without_code": without, "issued": issued}


def school_classes(*, campaign: Campaign, school: School) -> QuerySet[SchoolClass]:
    return campaign_classes(campaign=campaign, school=school)


def school_class_or_none(*, campaign: Campaign, school: School, class_id) -> SchoolClass | None:
    """A class of the school for the campaign's printables (None when it is not the school's)."""
    return SchoolClass.objects.filter(school=school, pk=class_id).first()


def family_pupils(*, school: School):
    """Pupils of the school in family education (Регламент 2.5), who join the ВПР by agreement only."""
    from schools.models import Pupil

    return (
        Pupil.objects.filter(school=school, is_active=True, family_education=True)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__letter", "last_name", "first_name")
    )


# Printables ------------------------------------------------------------------------------------------------


@dataclass
class SheetPupil:
    """One pupil of a class sheet: their code, their participations by assessment and, for the protocol
    only, their name."""

    pupil_id: int
    code: str
    class_name: str
    name: str = ""
    works: dict[int, Participant] = field(default_factory=dict)

    @property
    def writes(self) -> list[Participant]:
        return [p for p in self.works.values() if p.status == Participant.Status.WRITES]


@dataclass
class ClassSheet:
    """One class's data for its printables: the assessments it writes and its pupils who have a code."""

    class_name: str
    class_id: int | None
    assessments: list[Assessment]
    pupils: list[SheetPupil]
    without_code: int = 0

    @property
    def writing_pupils(self) -> list[SheetPupil]:
        return [p for p in self.pupils if p.writes]


def class_sheets(
    *, campaign: Campaign, school: School, class_ids: list[int] | None = None, with_names: bool = False
) -> list[ClassSheet]:
    """The printables' data of the given classes (every class with participants when None), in class order,
    pupils by code. Names are read only `with_names` (the protocol): slips and lists never load them. One
    query, plus the assessments."""
    rows = Participant.objects.filter(campaign=campaign, school=school, pupil__isnull=False).select_related(
        "school_class"
    )
    if class_ids is not None:
        rows = rows.filter(school_class_id__in=class_ids)
    if with_names:
        rows = rows.select_related("pupil")
    assessments = {a.pk: a for a in campaign_assessments(campaign)}
    by_class: dict[tuple, dict[int, SheetPupil]] = defaultdict(dict)
    missing: dict[tuple, set[int]] = defaultdict(set)
    for row in rows.order_by():
        grade = row.school_class.grade if row.school_class else 0
        key = (grade, row.class_name, row.school_class_id or 0)
        if not row.code:
            if row.status == Participant.Status.WRITES:
                missing[key].add(row.pupil_id)
            continue
        pupil = by_class[key].get(row.pupil_id)
        if pupil is None:
            pupil = by_class[key][row.pupil_id] = SheetPupil(
                pupil_id=row.pupil_id,
                code=row.code,
                class_name=row.class_name,
                name=row.pupil.full_name if with_names else "",
            )
        row.assessment = assessments[row.assessment_id]  # with its subject: no query per slip
        pupil.works[row.assessment_id] = row
    order = {assessment_id: position for position, assessment_id in enumerate(assessments)}
    sheets = []
    for key in sorted(set(by_class) | set(missing)):
        pupils = sorted(by_class[key].values(), key=lambda p: p.code)
        for pupil in pupils:
            pupil.works = dict(sorted(pupil.works.items(), key=lambda item: order.get(item[0], len(order))))
        used = {assessment_id for p in pupils for assessment_id in p.works}
        sheets.append(
            ClassSheet(
                class_name=key[1],
                class_id=key[2] or None,
                assessments=[a for a in assessments.values() if a.pk in used],
                pupils=pupils,
                without_code=len(missing[key]),
            )
        )
    return sheets
