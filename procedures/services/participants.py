"""Writes for a school's participants of a campaign and their codes (Регламент 2.3–2.6, 6.5.1).

Participants come from the class assignment (`assignments_for`): every active pupil of a class that writes an
assessment is a participant of it, keyed by (assessment, pupil). Rules kept here:

- R8: a pupil is exempted only with a valid reason and the document confirming it, both recorded;
- R7: a pupil with ОВЗ / disability takes part by the parents' decision (recorded as text) and gets 30 extra
  minutes (`extra_minutes` follows the pupil's `has_disability`, never typed in); until the decision is
  recorded (`selectors.participants.awaiting_parents_decision`) the pupil gets no participant code;
- Регламент 2.5: a pupil in family education writes only by agreement with the department, so the refresh
  never adds one; the coordinator adds them with the agreement's reference.
- R6: one five-digit code per pupil for the whole campaign, every assessment (ParticipantCode per (campaign,
  pupil), copied to each participation's `code`).

The code scheme («consecutive blocks per class», docs/rules.md, R6): each class gets its own block of a hundred codes,
taken in class order (grade, letter) from 10001: 4А → 10001…10025, 4Б → 10101…10127, 5А → 10201… A pupil
added later gets the next code after the highest one of their class's block; a class whose block is full, or a
class that had no codes yet, takes the next unused hundred after every block in use. Issued codes are never
changed nor reused (a pupil who left keeps theirs reserved), so a code printed once stays true. A block
belongs to the class the codes were issued in (ParticipantCode.class_name); a pupil who changes class keeps
their code.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from procedures.models import Assessment, Campaign, Participant, ParticipantCode, Stage
from procedures.selectors.participants import awaiting_parents_decision, extra_minutes_for
from procedures.selectors.schedules import assigned_class_ids_by_school, assignments_for
from procedures.services.dependants import participants_changed
from procedures.services.plan import CheckResult, register_stage_check
from schools.models import Pupil, School, SchoolClass, User
from schools.services import audit_record

CODE_BLOCK = 100
FIRST_BLOCK = 100  # codes 10001…10099
LAST_BLOCK = 999  # codes 99901…99999
PARTICIPANT_FIELDS = ("class_name", "school_class", "sex", "has_disability", "extra_minutes")


def _is_settled(participant: Participant) -> bool:
    """The work took place for this row (variant or absence recorded): its snapshot is history, kept as is."""
    return participant.variant is not None or participant.absent


def check_campaign_school(*, campaign: Campaign, school: School) -> None:
    """A school prepares only for its own department's campaigns, and not after the campaign is closed."""
    if school.department_id != campaign.department_id:
        raise ValidationError(
            _("Школа {school} не относится к управлению, которое проводит кампанию {campaign}.").format(
                school=school.code, campaign=campaign.code
            )
        )
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(
            _("Кампания {campaign} завершена: участников не изменить.").format(campaign=campaign.code)
        )
    if campaign.personal_data_purged_at is not None:
        raise ValidationError(
            _(
                "Срок хранения персональных данных кампании {campaign} истёк, связи с обучающимися удалены: "
                "участников не изменить."
            ).format(campaign=campaign.code)
        )


# Refreshing the participants from the class assignment -------------------------------------------------------


@dataclass
class RefreshPlan:
    """What `participants_refresh` would write."""

    to_create: list[Participant] = field(default_factory=list)
    to_update: list[Participant] = field(default_factory=list)
    to_delete: list[Participant] = field(default_factory=list)
    # Rows of pupils who no longer write (left, moved to a class that does not write) but were seated or have
    # their work recorded: kept until the coordinator sorts them out.
    stale_kept: list[Participant] = field(default_factory=list)
    unchanged: int = 0
    elsewhere: int = 0  # participations held by another school (a pupil record moved between schools)

    @property
    def changed(self) -> bool:
        return bool(self.to_create or self.to_update or self.to_delete)


@dataclass(frozen=True)
class RefreshSummary:
    created: int
    updated: int
    removed: int
    stale_kept: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _snapshot(pupil: Pupil) -> dict:
    return {
        "class_name": pupil.school_class.name,
        "school_class": pupil.school_class,
        "sex": pupil.sex,
        "has_disability": pupil.has_disability,
        "extra_minutes": extra_minutes_for(has_disability=pupil.has_disability),
    }


def _apply_snapshot(row: Participant, pupil: Pupil) -> bool:
    changed = False
    for name, value in _snapshot(pupil).items():
        current = row.school_class_id if name == "school_class" else getattr(row, name)
        wanted = value.pk if name == "school_class" else value
        if current != wanted:
            setattr(row, name, value)
            changed = True
    return changed


def _plan_existing(plan: RefreshPlan, row: Participant, *, pupil: Pupil, writes: bool) -> None:
    """Sorts an existing participant into the plan: a settled one is left as it is, one who still writes is
    refreshed from the pupil, one who no longer writes is removed unless seated (then kept as stale)."""
    if _is_settled(row):
        plan.unchanged += 1
    elif writes:
        if _apply_snapshot(row, pupil):
            plan.to_update.append(row)
        else:
            plan.unchanged += 1
    elif hasattr(row, "seat"):
        plan.stale_kept.append(row)
    else:
        plan.to_delete.append(row)


def refresh_plan(*, campaign: Campaign, school: School) -> RefreshPlan:
    """Compares the school's participants with the class assignment, without writing (a fixed number of
    queries, whatever the size of the school)."""
    assignments = assignments_for(campaign=campaign, school=school)
    classes_of: dict[int, list[int]] = defaultdict(list)  # class id → assessment ids it writes
    grade_of_assessment: dict[int, int] = {}
    for assessment, classes in assignments:
        grade_of_assessment[assessment.pk] = assessment.grade
        for school_class in classes:
            classes_of[school_class.pk].append(assessment.pk)
    writing_pupils = {
        p.pk: p
        for p in Pupil.objects.filter(
            school=school, school_class_id__in=list(classes_of), is_active=True, family_education=False
        ).select_related("school_class")
    }
    existing = list(
        Participant.objects.filter(campaign=campaign, school=school).select_related("pupil__school_class", "seat")
    )
    # `seat` is a reverse one-to-one: select_related caches a missing seat as absent, no query per row.
    codes = dict(
        ParticipantCode.objects.filter(campaign=campaign, school=school, pupil__isnull=False).values_list(
            "pupil_id", "code"
        )
    )
    plan = RefreshPlan()
    seen: set[tuple[int, int]] = set()
    for row in existing:
        if row.pupil_id is None:  # anonymised after the retention period: history
            plan.unchanged += 1
            continue
        key = (row.assessment_id, row.pupil_id)
        seen.add(key)
        pupil = writing_pupils.get(row.pupil_id) or row.pupil
        expected = pupil.pk in writing_pupils and row.assessment_id in classes_of.get(pupil.school_class_id, ())
        family_kept = (
            row.family_form
            and pupil.is_active
            and pupil.school_id == school.pk
            and grade_of_assessment.get(row.assessment_id) == pupil.school_class.grade
        )
        _plan_existing(plan, row, pupil=pupil, writes=expected or family_kept)
    # A pupil record moved from another school whose participation there is not sorted out yet: one
    # participation per (assessment, pupil), so it is left where it is until that school refreshes its list.
    elsewhere = set(
        Participant.objects.filter(campaign=campaign, pupil_id__in=list(writing_pupils))
        .exclude(school=school)
        .values_list("assessment_id", "pupil_id")
    )
    for pupil in writing_pupils.values():
        for assessment_id in classes_of[pupil.school_class_id]:
            if (assessment_id, pupil.pk) in seen:
                continue
            if (assessment_id, pupil.pk) in elsewhere:
                plan.elsewhere += 1
                continue
            plan.to_create.append(
                Participant(
                    campaign=campaign,
                    assessment_id=assessment_id,
                    school=school,
                    pupil=pupil,
                    code=codes.get(pupil.pk, ""),
                    **_snapshot(pupil),
                )
            )
    return plan


@transaction.atomic
def participants_refresh(*, campaign: Campaign, school: School, actor: User | None) -> RefreshSummary:
    """Creates or refreshes the school's participants from the class assignment; idempotent.

    New pupils of the writing classes are added (with their code when they have one); a pupil's class, sex
    and ОВЗ are copied again (and the extra time with them); rows of pupils who left or moved to a class that
    does not write the assessment are removed, unless they are seated or their work is recorded (kept and
    counted as `stale_kept`). Exemptions, parents' decisions and family-form agreements are never touched.
    """
    check_campaign_school(campaign=campaign, school=school)
    plan = refresh_plan(campaign=campaign, school=school)
    Participant.objects.bulk_create(plan.to_create, batch_size=1000)
    Participant.objects.bulk_update(plan.to_update, list(PARTICIPANT_FIELDS), batch_size=500)
    if plan.to_delete:
        Participant.objects.filter(pk__in=[row.pk for row in plan.to_delete]).delete()
    participants_changed([*plan.to_create, *plan.to_update, *plan.to_delete])
    summary = RefreshSummary(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        removed=len(plan.to_delete),
        stale_kept=len(plan.stale_kept),
        unchanged=plan.unchanged,
    )
    if summary.changed:
        audit_record(
            actor=actor,
            action="participants.refreshed",
            target=school,
            after={
                "campaign": campaign.code,
                "created": summary.created,
                "updated": summary.updated,
                "removed": summary.removed,
                "stale_kept": summary.stale_kept,
            },
        )
    return summary


# Exemption, ОВЗ, family form ---------------------------------------------------------------------------------


def _participant_state(participant: Participant) -> dict:
    return {
        "status": participant.status,
        "exemption_reason": participant.exemption_reason,
        "exemption_document": participant.exemption_document,
        "parents_decision": participant.parents_decision,
        "extra_minutes": participant.extra_minutes,
    }


def _audit_participant(*, participant: Participant, actor: User | None, action: str, before: dict) -> None:
    after = _participant_state(participant)
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return
    audit_record(
        actor=actor,
        action=action,
        target=participant,
        school=participant.school,
        target_label=_("{label}, {assessment}").format(
            label=participant.code or (participant.pupil.anonymous_label if participant.pupil else participant),
            assessment=participant.assessment.code,
        ),
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )


def _locked(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("school", "assessment", "pupil", "campaign")
        .get(pk=participant.pk)
    )


@transaction.atomic
def participant_exempt(*, participant: Participant, reason: str, document: str, actor: User | None) -> Participant:
    """Exempts a pupil from one assessment for a valid reason confirmed by a document (R8, Регламент 2.3)."""
    reason, document = (reason or "").strip(), (document or "").strip()
    if not reason or not document:
        raise ValidationError(
            _(
                "Освободить от участия можно только по уважительной причине, подтверждённой документально: "
                "укажите причину и документ (Регламент 2.3)."
            )
        )
    participant = _locked(participant)
    check_campaign_school(campaign=participant.campaign, school=participant.school)
    if _is_settled(participant):
        raise ValidationError(_("Работа уже проведена: вариант или отсутствие записаны, освобождение не оформить."))
    before = _participant_state(participant)
    participant.status = Participant.Status.EXEMPT
    participant.exemption_reason = reason[:300]
    participant.exemption_document = document[:300]
    participant.save(update_fields=["status", "exemption_reason", "exemption_document"])
    participants_changed([participant])
    _audit_participant(participant=participant, actor=actor, action="participant.exempted", before=before)
    return participant


@transaction.atomic
def participant_unexempt(*, participant: Participant, actor: User | None) -> Participant:
    """Withdraws an exemption: the pupil writes again (the old reason stays in the audit)."""
    participant = _locked(participant)
    check_campaign_school(campaign=participant.campaign, school=participant.school)
    before = _participant_state(participant)
    participant.status = Participant.Status.WRITES
    participant.exemption_reason = participant.exemption_document = ""
    participant.save(update_fields=["status", "exemption_reason", "exemption_document"])
    participants_changed([participant])
    _audit_participant(participant=participant, actor=actor, action="participant.unexempted", before=before)
    return participant


def parents_refusal_reason() -> str:
    return _("решение родителей (законных представителей) обучающегося с ОВЗ — не участвует (Регламент 2.4)")


@transaction.atomic
def participant_disability_decision(
    *, participant: Participant, decision: str, takes_part: bool, actor: User | None, all_works: bool = True
) -> list[Participant]:
    """Records the parents' decision on a pupil with ОВЗ / disability (R7, Регламент 2.4, 2.6).

    Taking part: the pupil writes, with 30 extra minutes. Not taking part: the pupil is exempted, the parents'
    decision being both the reason and the document. With `all_works` the decision covers every assessment
    the pupil writes in the campaign, else this one only."""
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError(_("Запишите решение родителей (законных представителей): дата и реквизиты заявления."))
    participant = _locked(participant)
    check_campaign_school(campaign=participant.campaign, school=participant.school)
    if not participant.has_disability:
        raise ValidationError(
            _("У обучающегося не отмечены ОВЗ или инвалидность: решение родителей для участия не требуется.")
        )
    rows = [participant]
    if all_works and participant.pupil_id:
        rows = list(
            Participant.objects.select_for_update(of=("self",))
            .filter(campaign=participant.campaign, pupil_id=participant.pupil_id)
            .select_related("school", "assessment", "pupil")
            .order_by("assessment__code")
        )
    changed = []
    for row in rows:
        if _is_settled(row):
            continue
        before = _participant_state(row)
        row.parents_decision = decision[:300]
        row.extra_minutes = extra_minutes_for(has_disability=True)
        if takes_part:
            row.status = Participant.Status.WRITES
            row.exemption_reason = row.exemption_document = ""
        else:
            row.status = Participant.Status.EXEMPT
            row.exemption_reason = parents_refusal_reason()[:300]
            row.exemption_document = decision[:300]
        row.save(
            update_fields=["parents_decision", "extra_minutes", "status", "exemption_reason", "exemption_document"]
        )
        _audit_participant(participant=row, actor=actor, action="participant.parents_decision", before=before)
        changed.append(row)
    participants_changed(changed)
    return changed


@transaction.atomic
def participant_family_add(
    *,
    campaign: Campaign,
    school: School,
    pupil: Pupil,
    assessments: Sequence[Assessment],
    agreement: str,
    actor: User | None,
) -> list[Participant]:
    """Adds a pupil in family education to the school's participants by agreement with the department
    (Регламент 2.5): the agreement's reference is required and recorded on every participation."""
    check_campaign_school(campaign=campaign, school=school)
    agreement = (agreement or "").strip()
    problems = []
    if not agreement:
        problems.append(_("Укажите согласование с управлением образования: номер и дата документа (Регламент 2.5)."))
    if pupil.school_id != school.pk or not pupil.is_active:
        problems.append(_("Обучающийся не числится в этой школе."))
    elif not pupil.family_education:
        problems.append(_("Обучающийся не на семейной форме: он участвует вместе со своим классом."))
    if not assessments:
        problems.append(_("Выберите хотя бы одну работу."))
    grade = pupil.school_class.grade
    for assessment in assessments:
        if assessment.campaign_id != campaign.pk or assessment.grade != grade:
            problems.append(
                _("Работа {code} не для {grade} класса этой кампании.").format(code=assessment.code, grade=grade)
            )
    if problems:
        raise ValidationError(problems)
    code = (
        ParticipantCode.objects.filter(campaign=campaign, school=school, pupil=pupil)
        .values_list("code", flat=True)
        .first()
    )
    rows = []
    for assessment in assessments:
        row, created = Participant.objects.select_for_update().get_or_create(
            assessment=assessment,
            pupil=pupil,
            defaults={"campaign": campaign, "school": school, "code": code or "", **_snapshot(pupil)},
        )
        if row.school_id != school.pk:
            raise ValidationError(_("Обучающийся уже участвует в этой работе в другой школе."))
        row.family_form, row.family_agreement = True, agreement[:300]
        if not _is_settled(row):
            _apply_snapshot(row, pupil)
        row.save()
        rows.append(row)
    participants_changed(rows)
    audit_record(
        actor=actor,
        action="participants.family_added",
        target=school,
        target_label=pupil.anonymous_label,
        after={
            "campaign": campaign.code,
            "pupil": pupil.anonymous_label,
            "assessments": ", ".join(a.code for a in assessments),
            "agreement": agreement,
        },
    )
    return rows


# Codes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodesSummary:
    issued: int  # codes given now
    kept: int  # pupils who write and already had their code
    participations: int  # participations that write, every one carrying its pupil's code now
    elsewhere: int = 0  # pupils whose campaign code was issued by another school: left without one here
    refresh: RefreshSummary | None = None
    awaiting_decision: int = 0  # pupils with ОВЗ left without a code: the parents' decision is not recorded (R7)

    @property
    def pupils(self) -> int:
        return self.issued + self.kept


class _Blocks:
    """The school's code blocks in a campaign: which hundreds each class owns and which codes are taken."""

    def __init__(self, existing: list[tuple[str, str]]):
        self.used: set[int] = set()
        self.of_class: dict[str, list[int]] = defaultdict(list)
        self.top: dict[str, int] = {}
        for code, class_name in existing:
            number = int(code)
            self.used.add(number)
            block = number // CODE_BLOCK
            if block not in self.of_class[class_name]:
                self.of_class[class_name].append(block)
            self.top[class_name] = max(self.top.get(class_name, 0), number)
        self.last_block = max((n // CODE_BLOCK for n in self.used), default=FIRST_BLOCK - 1)

    def _new_block(self, class_name: str) -> int:
        self.last_block = max(self.last_block + 1, FIRST_BLOCK)
        if self.last_block > LAST_BLOCK:
            raise ValidationError(_("Пятизначных кодов не хватает: в школе занято больше 900 блоков по 100 кодов."))
        self.of_class[class_name].append(self.last_block)
        return self.last_block * CODE_BLOCK  # the round number itself stays unused: codes start at …01

    def next_code(self, class_name: str) -> str:
        """The next code after the highest of the class's block; a new block when the class has none or its
        block is full."""
        top = self.top.get(class_name)
        number = (self._new_block(class_name) if top is None else top) + 1
        while True:
            if number // CODE_BLOCK not in self.of_class[class_name]:
                number = self._new_block(class_name) + 1
            elif number % CODE_BLOCK == 0 or number in self.used:
                number += 1
            else:
                break
        self.used.add(number)
        self.top[class_name] = number
        return f"{number:05d}"


def codes_preview(*, campaign: Campaign, school: School) -> int:
    """How many pupils `codes_issue` would give a new code now (after refreshing the participants)."""
    plan = refresh_plan(campaign=campaign, school=school)
    removed = {row.pk for row in plan.to_delete}
    # a new participation of a pupil with ОВЗ has no parents' decision yet (R7)
    writers = {row.pupil_id for row in plan.to_create if not row.has_disability}
    writers |= set(
        Participant.objects.filter(campaign=campaign, school=school, status=Participant.Status.WRITES)
        .exclude(awaiting_parents_decision())
        .exclude(pk__in=removed)
        .exclude(pupil__isnull=True)
        .values_list("pupil_id", flat=True)
    )
    coded = set(
        ParticipantCode.objects.filter(campaign=campaign, pupil_id__in=list(writers)).values_list("pupil_id", flat=True)
    )
    return len(writers - coded)


def awaiting_decision_message(n: int) -> str:
    """Why some pupils were left without a code (R7), for the page and the command."""
    return _(
        "Без кода оставлены обучающиеся с ОВЗ, у которых не записано решение родителей (законных представителей) "
        "об участии (Регламент 2.4): {n}. Запишите решение на странице участника и выдайте коды снова."
    ).format(n=n)


@transaction.atomic
def codes_issue(*, campaign: Campaign, school: School, actor: User | None) -> CodesSummary:
    """Gives every pupil of the school who writes an assessment of the campaign a participant code (R6).

    Refreshes the participants from the class assignment first; pupils who already have a code keep it. New
    codes go in class order (grade, letter), pupils by name within a class, each class in its own block (see
    the module's docstring); every participation of a pupil carries the pupil's one code. A pupil with ОВЗ
    whose parents' decision is not recorded gets none (R7): they are counted in `awaiting_decision`, and so are
    their participations still waiting, which stay without the code. Bulk writes only.
    """
    check_campaign_school(campaign=campaign, school=school)
    School.objects.select_for_update().filter(pk=school.pk).first()  # one issuer per school at a time
    refresh = participants_refresh(campaign=campaign, school=school, actor=actor)
    writers: dict[int, tuple] = {}
    participations = 0
    writing = Participant.objects.filter(
        campaign=campaign, school=school, status=Participant.Status.WRITES, pupil__isnull=False
    )
    rows = (
        writing.exclude(awaiting_parents_decision())
        .values_list(
            "pupil_id",
            "pupil__school_class__grade",
            "pupil__school_class__letter",
            "pupil__last_name",
            "pupil__first_name",
            "pupil__middle_name",
        )
        .order_by()
    )
    for pupil_id, grade, letter, last_name, first_name, middle_name in rows:
        participations += 1
        writers[pupil_id] = (grade, letter, last_name.casefold(), first_name.casefold(), middle_name.casefold())
    awaiting = set(writing.filter(awaiting_parents_decision()).values_list("pupil_id", flat=True)) - set(writers)
    if not writers and awaiting:
        return CodesSummary(issued=0, kept=0, participations=0, refresh=refresh, awaiting_decision=len(awaiting))
    if not writers:
        raise ValidationError(
            _(
                "В школе {school} нет обучающихся, которые пишут работы кампании {campaign}: проверьте список "
                "обучающихся и назначение классов."
            ).format(school=school.code, campaign=campaign.code)
        )
    had_code = dict(
        ParticipantCode.objects.filter(campaign=campaign, pupil_id__in=list(writers)).values_list(
            "pupil_id", "school_id"
        )
    )
    elsewhere = sum(1 for school_id in had_code.values() if school_id != school.pk)
    blocks = _Blocks(
        list(ParticipantCode.objects.filter(campaign=campaign, school=school).values_list("code", "class_name"))
    )
    now = timezone.now()
    new_codes = []
    for pupil_id, (grade, letter, *_name) in sorted(writers.items(), key=lambda item: (item[1], item[0])):
        if pupil_id in had_code:
            continue
        class_name = f"{grade}{letter}"
        new_codes.append(
            ParticipantCode(
                campaign=campaign,
                school=school,
                pupil_id=pupil_id,
                code=blocks.next_code(class_name),
                class_name=class_name,
                issued_at=now,
            )
        )
    ParticipantCode.objects.bulk_create(new_codes, batch_size=1000)
    # Every participation carries its pupil's code: one UPDATE, whatever the number of rows.
    codes = ParticipantCode.objects.filter(campaign=campaign, school=school)
    Participant.objects.filter(
        campaign=campaign, school=school, code="", pupil_id__in=codes.values("pupil_id")
    ).exclude(awaiting_parents_decision()).update(
        code=Subquery(codes.filter(pupil_id=OuterRef("pupil_id")).values("code")[:1])
    )
    summary = CodesSummary(
        issued=len(new_codes),
        kept=len(had_code) - elsewhere,
        participations=participations,
        elsewhere=elsewhere,
        refresh=refresh,
        awaiting_decision=len(awaiting),
    )
    if new_codes:
        audit_record(
            actor=actor,
            action="participants.codes_issued",
            target=school,
            after={
                "campaign": campaign.code,
                "issued": summary.issued,
                "kept": summary.kept,
                "first": new_codes[0].code,
                "last": new_codes[-1].code,
            },
        )
    return summary


# Printing ----------------------------------------------------------------------------------------------------


def protocol_print_record(
    *, campaign: Campaign, school: School, actor: User, school_class: SchoolClass | None = None, source: str = "web"
) -> None:
    """Every print of the paper protocol (codes with names) is recorded: who, when, which class."""
    audit_record(
        actor=actor,
        action="participants.protocol_printed",
        target=school,
        after={"campaign": campaign.code, "class": school_class.name if school_class else _("вся школа")},
        personal=False,
        source=source,
    )


def participants_version(*, campaign: Campaign, school: School) -> str:
    """A fingerprint of everything the school's printables show (codes, classes, statuses, variants, names):
    it changes when any of them does, so a background document keyed by it is rebuilt only when needed."""
    digest = hashlib.sha256()
    rows = (
        Participant.objects.filter(campaign=campaign, school=school)
        .order_by("pk")
        .values_list(
            "pk", "code", "class_name", "status", "variant", "absent", "extra_minutes", "pupil_id", "pupil__updated_at"
        )
    )
    for row in rows.iterator(chunk_size=2000):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:20]


# The plan-graph: «Выдать коды участников» is done from data -----------------------------------------------------


def _participants_link(campaign: Campaign, school: School) -> str | None:
    try:
        return reverse("procedures:participants", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    except NoReverseMatch:
        return None


def _fully_exempt(campaign: Campaign, school_ids: list[int], assessments_of_class: dict[int, set[int]]) -> list[int]:
    """Pupils of the assigned classes exempted from every assessment their class writes (one query over the
    exemptions only, which are few)."""
    exempt: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for pupil_id, class_id, assessment_id in Participant.objects.filter(
        campaign=campaign, school_id__in=school_ids, pupil__isnull=False, status=Participant.Status.EXEMPT
    ).values_list("pupil_id", "pupil__school_class_id", "assessment_id"):
        exempt[(pupil_id, class_id)].add(assessment_id)
    return [
        pupil_id
        for (pupil_id, class_id), assessments in exempt.items()
        if class_id in assessments_of_class and assessments_of_class[class_id] <= assessments
    ]


@register_stage_check(Stage.Kind.CODES_ISSUED, link=_participants_link)
def codes_issued(campaign: Campaign, schools: Sequence[School]) -> CheckResult:
    """Done when every pupil who writes has a code; done_at is the last of their codes' issue.

    «Who writes»: active pupils (not in family education) of the classes the assignment names, unless exempted
    from every one of their assessments, and every pupil with a participation that writes (family form
    included). A school where nobody writes is not done.

    The pupils are counted in the database, per school: both kinds of pupils who write, each row joined to the
    pupil's code. A pupil of both kinds counts twice (UNION ALL: no sort to remove duplicates), which changes
    neither «every row has a code» nor the latest issue. Five queries for any number of schools (the assignment's
    three, the exemptions, the counts), and no row per pupil or class object comes back."""
    school_ids = [s.pk for s in schools]
    assessments_of_class: dict[int, set[int]] = defaultdict(set)
    for school_works in assigned_class_ids_by_school(campaign=campaign, school_ids=school_ids).values():
        for assessment_id, class_ids in school_works.items():
            for class_id in class_ids:
                assessments_of_class[class_id].add(assessment_id)
    with_participation = Participant.objects.filter(
        campaign=campaign,
        school_id__in=school_ids,
        pupil__isnull=False,
        status=Participant.Status.WRITES,
        pupil__is_active=True,
    ).values_list("school_id", "pupil_id")
    of_assigned_class = (
        Pupil.objects.filter(
            school_id__in=school_ids,
            school_class_id__in=list(assessments_of_class),
            is_active=True,
            family_education=False,
        )
        .exclude(pk__in=_fully_exempt(campaign, school_ids, assessments_of_class))
        .values_list("school_id", "id")
    )
    writers_sql, writers_params = (
        with_participation.order_by().union(of_assigned_class.order_by(), all=True).query.sql_with_params()
    )
    quote = connection.ops.quote_name
    codes = quote(ParticipantCode._meta.db_table)
    in_schools = ", ".join(["%s"] * len(school_ids))
    sql = (
        f"SELECT writers.school_id, COUNT(*), COUNT(codes.id), MAX(codes.issued_at) "
        f"FROM ({writers_sql}) AS writers "
        f"LEFT JOIN {codes} AS codes ON codes.pupil_id = writers.pupil_id AND codes.campaign_id = %s "
        f"AND codes.school_id IN ({in_schools}) "
        f"GROUP BY writers.school_id"
    )
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*writers_params, campaign.pk, *school_ids])
        for school_id, needed, coded, last_issued in cursor.fetchall():
            if needed and needed == coded:
                result[school_id] = (True, _as_datetime(last_issued))
    return result


def _as_datetime(value) -> datetime.datetime | None:
    """A timestamp read by raw SQL as the ORM reads it: SQLite gives an aggregate's value as text, in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value
