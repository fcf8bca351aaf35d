"""Violations of the procedure (Регламент, приложения 1 и 3): where they come from, the school's answer,
the department's decision, and the reads of the lists.

A violation comes from a submitted act of a public observer or a monitoring card of the department's
representative — one per item whose answer reports a violation (`monitoring.items.reports_violation`) — or the
department records one itself. The school's coordinator or director answers it; the department closes it with its
decision. Each step notifies the other side and is audited; the audit names the school, the sitting and the kind,
never a pupil and never the free text (R11).

Corrections. An act or a card is corrected by a new version (VisitReport.version). The violations of an assignment
are one per item whatever the version: the first version that reports an item creates its violation, and a later
version never duplicates it. When a correction changes what an item says, the earlier violation is kept (the
school may already have answered it) and a note for the department is appended to its details: the new text, or
that the item is no longer reported (with the correction's reason), or that it is reported again. Nothing is
deleted: only the department closes a violation. `violations_from_report` is idempotent: the note of a version is
appended once, a report's violations are created once (unique report × item).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.items import items_of, reports_violation
from monitoring.models import SignalCase, Violation, VisitReport
from procedures.models import Sitting, SittingRoom
from schools.access import Capability, schools_with
from schools.models import Role, School, User
from schools.services import audit_record, notifications_send

TEXT_MAX_LENGTH = 5000
SCHOOL_ANSWERING_ROLES = (Role.SCHOOL_COORDINATOR, Role.DIRECTOR)
DEPARTMENT_CLOSING_ROLES = (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)
SOURCE_OF_REPORT = {VisitReport.Kind.ACT: Violation.Source.ACT, VisitReport.Kind.CARD: Violation.Source.CARD}


# From an act or a card ---------------------------------------------------------------------------------------


def _answer_text(answers: dict, code: str) -> str:
    answer = answers.get(code) or {}
    return str(answer.get("text") or "").strip()


def _reports(report: VisitReport | None, item) -> bool:
    return report is not None and reports_violation(item, (report.answers or {}).get(item.code))


def _correction_marker(report: VisitReport) -> str:
    return _("Исправление (версия {version})").format(version=report.version)


def _correction_note(report: VisitReport, text: str) -> str:
    return f"{_correction_marker(report)}: {text}"


def _label(violation: Violation) -> str:
    sitting = violation.sitting
    return f"{violation.school.code} · {sitting.assessment.code} · {sitting.date:%d.%m.%Y} · {violation.kind}"


def _violation_item(report: VisitReport, item, *, actor: User | None) -> tuple[Violation, bool]:
    """The report's violation of `item`, created unless it exists (unique report × item: safe to run twice)."""
    assignment = report.assignment
    fields = {
        "school_id": assignment.sitting.school_id,
        "sitting_id": assignment.sitting_id,
        "sitting_room_id": assignment.sitting_room_id,
        "kind": item.kind,
        "details": _answer_text(report.answers or {}, item.code),
        "source": SOURCE_OF_REPORT[report.kind],
        "reported_by": actor,
        "reported_at": report.submitted_at or timezone.now(),
    }
    try:
        with transaction.atomic():
            return Violation.objects.get_or_create(report=report, item=item.code, defaults=fields)
    except IntegrityError:  # the same report submitted at once by two requests: the other one created it
        return Violation.objects.get(report=report, item=item.code), False


def _note_correction(violation: Violation, *, report: VisitReport, earlier: VisitReport | None, item, actor) -> bool:
    """Notes on an earlier version's violation what the correction `report` changed about its item (the new text,
    withdrawn, reported again), once per version. Whether a note was added now."""
    now, before = _reports(report, item), _reports(earlier, item)
    text = _answer_text(report.answers or {}, item.code)
    if now and not before:
        note = _("пункт снова отмечен как нарушение. {text}").format(text=text).strip()
    elif now and text != _answer_text(earlier.answers or {}, item.code):
        note = _("подробности изменены: {text}").format(text=text or _("(без подробностей)"))
    elif before and not now:
        note = _("пункт больше не отмечен как нарушение. Причина исправления: {reason}").format(
            reason=report.correction_reason or _("не указана")
        )
    else:
        return False
    if _correction_marker(report) in violation.details:
        return False
    violation.details = "\n\n".join(part for part in (violation.details, _correction_note(report, note)) if part)
    violation.save(update_fields=["details"])
    audit_record(
        actor=actor,
        action="violation.corrected",
        target=violation,
        target_label=_label(violation),
        school=violation.school,
        after={"version": report.version, "reported": now},
    )
    return True


@transaction.atomic
def violations_from_report(report: VisitReport) -> list[Violation]:
    """Rule: every item of a submitted act (прил. 3) or monitoring card (прил. 1) whose answer reports a violation
    is one violation of the procedure, of the item's kind, with the answer's text as details, in the assignment's
    sitting and room; the school's coordinator and director are notified. A correction (a later version) keeps
    the violations the earlier versions reported and notes its changes on them (see the module's docstring).

    Returns the violations this report reports (created now or kept from an earlier version), in the form's
    order. Idempotent. The report must be submitted: a draft reports nothing yet."""
    if report.status != VisitReport.Status.SUBMITTED:
        raise ValueError("violations come from a submitted act or card only")
    report = VisitReport.objects.select_related("assignment__sitting__school", "assignment__sitting__assessment").get(
        pk=report.pk
    )
    assignment = report.assignment
    actor = report.submitted_by
    earlier = (
        assignment.reports.filter(status=VisitReport.Status.SUBMITTED, kind=report.kind, version__lt=report.version)
        .order_by("-version")
        .first()
    )
    existing: dict[str, Violation] = {}
    for violation in (
        Violation.objects.filter(report__assignment=assignment, report__kind=report.kind)
        .select_related("report", "school", "sitting__assessment")
        .order_by("report__version", "pk")
    ):
        existing.setdefault(violation.item, violation)

    reported: list[Violation] = []
    created: list[Violation] = []
    noted: list[Violation] = []
    for item in items_of(report.kind):
        now = _reports(report, item)
        kept = existing.get(item.code)
        if kept is not None and kept.report_id != report.pk and kept.report.version < report.version:
            if _note_correction(kept, report=report, earlier=earlier, item=item, actor=actor):
                noted.append(kept)
            if now:
                reported.append(kept)
            continue
        if not now:
            continue
        violation, is_new = _violation_item(report, item, actor=actor)
        reported.append(violation)
        if is_new:
            created.append(violation)
            audit_record(
                actor=actor,
                action="violation.reported",
                target=violation,
                target_label=_label(violation),
                school=assignment.sitting.school,
                after={"kind": violation.kind, "item": item.code, "source": violation.source},
            )
    sitting = assignment.sitting
    if created:
        notifications_send(
            users=school_answerers(sitting.school),
            text=_("Зафиксированы нарушения процедуры ВПР ({count}): {assessment}, {date}").format(
                count=len(created), assessment=sitting.assessment.code, date=f"{sitting.date:%d.%m.%Y}"
            ),
            url=reverse("monitoring:school_violations", kwargs={"school_code": sitting.school.code}),
            key=f"violations:report:{report.pk}",
        )
    if noted:
        notifications_send(
            users=department_closers(sitting.school),
            text=_("Исправлен документ о посещении школы {school}: отмечены нарушения ({count})").format(
                school=sitting.school.code, count=len(noted)
            ),
            url=reverse("monitoring:violations") + f"?school={sitting.school.code}",
            key=f"violations:correction:{report.pk}",
        )
    return reported


# Who is told ---------------------------------------------------------------------------------------------------


def school_answerers(school: School) -> QuerySet[User]:
    """The school's active coordinators and directors: who answers the violations."""
    return User.objects.filter(
        memberships__school=school,
        memberships__role__in=SCHOOL_ANSWERING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def department_closers(school: School) -> QuerySet[User]:
    """The school's department's active staff and municipal coordinators: who decide on the violations."""
    return User.objects.filter(
        memberships__department_id=school.department_id,
        memberships__role__in=DEPARTMENT_CLOSING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def _text(text: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty)
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("Текст длиннее {n} символов: сократите его.").format(n=TEXT_MAX_LENGTH))
    return text


def _locked(violation: Violation) -> Violation:
    return Violation.objects.select_for_update().select_related("school", "sitting__assessment").get(pk=violation.pk)


# The department's own record, the school's answer, the department's decision -------------------------------


@transaction.atomic
def violation_record(
    *,
    sitting: Sitting,
    kind: str,
    details: str,
    actor: User,
    sitting_room: SittingRoom | None = None,
) -> Violation:
    """The department records a violation it found itself (a visit, a complaint, the video): the sitting, the
    room if known, the kind and what happened. The school's coordinator and director are notified."""
    if kind not in Violation.Kind.values:
        raise ValidationError(_("Выберите вид нарушения из списка."))
    if sitting_room is not None and sitting_room.sitting_id != sitting.pk:
        raise ValidationError(_("Эта аудитория не относится к выбранному проведению."))
    details = _text(details, empty=_("Опишите нарушение."))
    violation = Violation.objects.create(
        school=sitting.school,
        sitting=sitting,
        sitting_room=sitting_room,
        kind=kind,
        details=details,
        source=Violation.Source.DEPARTMENT,
        reported_by=actor,
        reported_at=timezone.now(),
    )
    violation = _locked(violation)
    audit_record(
        actor=actor,
        action="violation.recorded",
        target=violation,
        target_label=_label(violation),
        school=violation.school,
        after={"kind": kind, "source": violation.source},
    )
    notifications_send(
        users=school_answerers(violation.school),
        text=_("Управление образования зафиксировало нарушение процедуры ВПР: {kind} ({assessment}, {date})").format(
            kind=violation.get_kind_display(), assessment=sitting.assessment.code, date=f"{sitting.date:%d.%m.%Y}"
        ),
        url=reverse("monitoring:school_violations", kwargs={"school_code": violation.school.code}),
        key=f"violation:{violation.pk}:recorded",
    )
    return violation


@transaction.atomic
def violation_answer(*, violation: Violation, text: str, actor: User) -> Violation:
    """The school answers a violation (what happened, what it did); it may write its answer again until the
    department closes the violation. The department's staff are notified."""
    violation = _locked(violation)
    if violation.status == Violation.Status.CLOSED:
        raise ValidationError(_("Нарушение закрыто управлением образования: ответить на него уже нельзя."))
    text = _text(text, empty=_("Напишите ответ школы."))
    before = {"status": violation.status}
    violation.status, violation.answer = Violation.Status.ANSWERED, text
    violation.answered_at, violation.answered_by = timezone.now(), actor
    violation.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action="violation.answered",
        target=violation,
        target_label=_label(violation),
        school=violation.school,
        before=before,
        after={"status": violation.status},
    )
    notifications_send(
        users=department_closers(violation.school),
        text=_("Школа {school} ответила по нарушению: {kind} ({assessment})").format(
            school=violation.school.code,
            kind=violation.get_kind_display(),
            assessment=violation.sitting.assessment.code,
        ),
        url=reverse("monitoring:violations") + f"?school={violation.school.code}",
        key=f"violation:{violation.pk}:answered:{violation.answered_at.isoformat()}",
    )
    return violation


@transaction.atomic
def violation_close(*, violation: Violation, note: str, actor: User) -> Violation:
    """The department closes a violation with its decision (the measures taken, or why none are needed); the
    school's coordinator and director are notified."""
    violation = _locked(violation)
    if violation.status == Violation.Status.CLOSED:
        raise ValidationError(_("Нарушение уже закрыто."))
    note = _text(note, empty=_("Запишите решение управления образования."))
    before = {"status": violation.status}
    violation.status, violation.closing_note = Violation.Status.CLOSED, note
    violation.closed_at, violation.closed_by = timezone.now(), actor
    violation.save(update_fields=["status", "closing_note", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="violation.closed",
        target=violation,
        target_label=_label(violation),
        school=violation.school,
        before=before,
        after={"status": violation.status},
    )
    notifications_send(
        users=school_answerers(violation.school),
        text=_("Управление образования закрыло нарушение: {kind} ({assessment})").format(
            kind=violation.get_kind_display(), assessment=violation.sitting.assessment.code
        ),
        url=reverse("monitoring:school_violations", kwargs={"school_code": violation.school.code}),
        key=f"violation:{violation.pk}:closed",
    )
    return violation


# Reads -----------------------------------------------------------------------------------------------------------


def violations_visible_to(user: User, capability: Capability = Capability.VIEW_VIOLATIONS) -> QuerySet[Violation]:
    """The violations of the schools where the user holds `capability` (the department: its schools'; a school's
    coordinator and director: their school's), with what a list shows, by date, then school code (never by
    results, R15)."""
    return (
        Violation.objects.filter(school__in=schools_with(user, capability).values("pk"))
        .select_related(
            "school", "sitting__assessment__subject", "sitting__campaign", "sitting_room__room", "reported_by"
        )
        .order_by("-sitting__date", "school__code", "sitting__lesson", "pk")
    )


@dataclass(frozen=True)
class ViolationFilters:
    campaign: str = ""
    assessment: str = ""
    school: str = ""
    kind: str = ""
    source: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def query(self, *, with_status: bool = True) -> Q:
        """The filters as one condition on Violation (the status left out for the counts per status)."""
        condition = Q()
        if self.campaign:
            condition &= Q(sitting__campaign__code=self.campaign)
        if self.assessment:
            condition &= Q(sitting__assessment__code=self.assessment)
        if self.school:
            condition &= Q(school__code=self.school)
        if self.kind:
            condition &= Q(kind=self.kind)
        if self.source:
            condition &= Q(source=self.source)
        if self.status and with_status:
            condition &= Q(status=self.status)
        if self.date_from:
            condition &= Q(sitting__date__gte=self.date_from)
        if self.date_to:
            condition &= Q(sitting__date__lte=self.date_to)
        return condition


def violations_filtered(user: User, filters: ViolationFilters) -> QuerySet[Violation]:
    """The user's violations that pass the filters, in the list's order (one query with what a row shows)."""
    return violations_visible_to(user).filter(filters.query())


def violation_counts(user: User, filters: ViolationFilters) -> dict[str, int]:
    """How many of the filtered violations are in each status (the status filter itself left out): one query."""
    rows = (
        Violation.objects.filter(school__in=schools_with(user, Capability.VIEW_VIOLATIONS).values("pk"))
        .filter(filters.query(with_status=False))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Violation.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def violations_for_case(case: SignalCase) -> QuerySet[Violation]:
    """Rule: the violations of the procedure join the objectivity case of their school × assessment — those of the
    case's school in the sittings of the case's assessment, by date."""
    return (
        Violation.objects.filter(school_id=case.school_id, sitting__assessment_id=case.assessment_id)
        .select_related("sitting", "sitting_room__room")
        .order_by("sitting__date", "sitting__lesson", "pk")
    )


def violation_counts_by_school_assessment(*, school_ids, assessment_ids) -> dict[tuple[int, int], int]:
    """(school id, assessment id) → number of violations, for the schools and assessments of a page: one query."""
    rows = (
        Violation.objects.filter(school_id__in=school_ids, sitting__assessment_id__in=assessment_ids)
        .order_by()
        .values("school_id", "sitting__assessment_id")
        .annotate(n=Count("pk"))
    )
    return {(row["school_id"], row["sitting__assessment_id"]): row["n"] for row in rows}


def with_violation_counts(cases: QuerySet[SignalCase]) -> QuerySet[SignalCase]:
    """The cases, each annotated with `violation_count`: the violations of its school × assessment (a subquery in
    the list's one query, not a query per row)."""
    counted = (
        Violation.objects.filter(school_id=OuterRef("school_id"), sitting__assessment_id=OuterRef("assessment_id"))
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(violation_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
