"""The act of public observation (приложение 3) and the monitoring card (приложение 1): opened on the person's own
assignment, saved field by field as it is typed, signed by submitting, corrected as a new version with a reason.

A report's answers are {item code: {"value": "yes" | "no" | "", "text": "…"}} (monitoring.items); the header's
start and end times are the school's local time. Submitted versions are never changed; the school and the
department read the latest submitted version of each assignment and its history."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.assignments import assignment_for
from monitoring.items import item, items_of, reports_violation
from monitoring.models import ObservationAssignment, Person, VisitReport
from monitoring.violations import violations_from_report
from schools.access import Capability, schools_with
from schools.models import Role, User
from schools.services import audit_record, notifications_send

TEXT_MAX_LENGTH = 4000
CORRECTION_REASON_MAX_LENGTH = 1000
HEADER_FIELDS = ("started_at", "ended_at", "comment")
KIND_OF_PERSON = {Person.Kind.OBSERVER: VisitReport.Kind.ACT, Person.Kind.REPRESENTATIVE: VisitReport.Kind.CARD}
# Who at the school hears that an act or a card arrived (приложение 2, п. 2.3: the director, on the day).
NOTIFIED_ROLES = (Role.DIRECTOR, Role.SCHOOL_COORDINATOR)


class ReportClosed(Exception):
    """A change to a report that is signed already (the page answers 409)."""

    message = "Документ уже подписан и отправлен: изменить его можно только исправлением (новой версией)."


# Reads ------------------------------------------------------------------------------------------------------


def own_assignment(user: User, pk: int, kind: str) -> ObservationAssignment:
    """The user's own assignment in force whose form is of `kind` (act: an observer's, card: a representative's);
    404 for anyone else's, a cancelled one or the other kind's."""
    person_kind = next(p for p, k in KIND_OF_PERSON.items() if k == kind)
    assignment = assignment_for(user, pk)
    if assignment.person.kind != person_kind:
        raise Http404
    return assignment


def latest_report(assignment: ObservationAssignment) -> VisitReport | None:
    return VisitReport.objects.filter(assignment=assignment).order_by("-version").first()


def reports_visible_to(user: User) -> QuerySet[VisitReport]:
    """Signed acts and cards the user may read: of the schools where they hold VIEW_OBSERVATION (a school: its
    own; the department: its schools'). Drafts stay their author's."""
    return VisitReport.objects.filter(
        status=VisitReport.Status.SUBMITTED,
        assignment__sitting__school__in=schools_with(user, Capability.VIEW_OBSERVATION),
    ).select_related(
        "assignment__person__user",
        "assignment__sitting__school",
        "assignment__sitting__assessment__subject",
        "assignment__sitting_room__room",
        "submitted_by",
    )


def school_reports(school) -> list[VisitReport]:
    """A school's signed acts and cards, the latest version of each assignment first by the sitting's date, each
    with `history` (its earlier signed versions, newest first)."""
    reports = (
        VisitReport.objects.filter(status=VisitReport.Status.SUBMITTED, assignment__sitting__school=school)
        .select_related(
            "assignment__person__user",
            "assignment__sitting__assessment__subject",
            "assignment__sitting_room__room",
        )
        .order_by("-assignment__sitting__date", "assignment__sitting__lesson", "assignment_id", "-version")
    )
    latest: dict[int, VisitReport] = {}
    for report in reports:
        if report.assignment_id in latest:
            latest[report.assignment_id].history.append(report)
        else:
            report.history = []
            latest[report.assignment_id] = report
    return list(latest.values())


def report_versions(report: VisitReport) -> list[VisitReport]:
    """Every signed version of the report's assignment, newest first."""
    return list(
        VisitReport.objects.filter(assignment_id=report.assignment_id, status=VisitReport.Status.SUBMITTED).order_by(
            "-version"
        )
    )


def school_today(sitting) -> datetime.date:
    return timezone.localdate(timezone=sitting.school.tzinfo)


# Rules ------------------------------------------------------------------------------------------------------


def submit_too_early(sitting, *, today: datetime.date | None = None) -> bool:
    """An act or a card is signed on the sitting's day or later, never before it (Регламент, приложение 2,
    п. 2.3: the act is handed to the director on the day of the ВПР), counted in the school's own time zone
    (R16)."""
    return (today or school_today(sitting)) < sitting.date


def instruction_unread(user: User, kind: str) -> bool:
    """A public observer fills the act only once they have read and confirmed their instruction (Регламент,
    приложение 2, п. 2.1); the representative's card asks nothing of the kind."""
    from monitoring.selectors import observer_instruction_read

    return kind == VisitReport.Kind.ACT and observer_instruction_read(user) is None


def report_problems(report: VisitReport) -> list[str]:
    """What keeps the act or the card from being signed, in Russian, one line each: every item answered «да» or
    «нет»; the details written where the answer reports a violation; the start and end times given, the end not
    before the start."""
    problems = []
    for it in items_of(report.kind):
        answer = report.answers.get(it.code) or {}
        if answer.get("value") not in ("yes", "no"):
            problems.append(_("Пункт {code}: не отмечено «Да» или «Нет».").format(code=it.code))
        elif reports_violation(it, answer) and it.details_required and not (answer.get("text") or "").strip():
            problems.append(_("Пункт {code}: опишите нарушение в подробностях.").format(code=it.code))
    if report.started_at is None:
        problems.append(_("Не указано время начала."))
    if report.ended_at is None:
        problems.append(_("Не указано время окончания."))
    if report.started_at and report.ended_at and report.ended_at < report.started_at:
        problems.append(_("Время окончания раньше времени начала."))
    return problems


# Writes -----------------------------------------------------------------------------------------------------


def report_open(*, assignment: ObservationAssignment) -> VisitReport:
    """The assignment's report to show: the latest version (a draft being filled, or the signed one), or a new
    draft of the person's form when there is none yet."""
    report = latest_report(assignment)
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return VisitReport.objects.create(assignment=assignment, kind=KIND_OF_PERSON[assignment.person.kind])
    except IntegrityError:  # opened twice at once: the other request made it
        return latest_report(assignment)


def _parse_time(value) -> datetime.time | None:
    value = str(value or "").strip()
    if not value:
        return None
    try:
        return datetime.time.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError as exc:
        raise ValidationError(_("Время указывается как ЧЧ:ММ, например 09:40.")) from exc


def _clean_text(value, limit: int = TEXT_MAX_LENGTH) -> str:
    text = str(value or "")
    if len(text) > limit:
        raise ValidationError(_("Текст длиннее {n} символов: сократите его.").format(n=limit))
    return text


@dataclass(frozen=True)
class Saved:
    revision: int
    saved_at: datetime.datetime


def report_save(*, assignment: ObservationAssignment, field: str, value=None, text=None) -> Saved:
    """Saves one item's answer (`field` is the item's code; `value` «yes» / «no» / «», `text` the details) or one
    header field (started_at, ended_at, comment) of the assignment's draft: one locked read and one update,
    `revision` counted up. A signed report raises ReportClosed; a value the form cannot hold, ValidationError."""
    with transaction.atomic():
        report = (
            VisitReport.objects.select_for_update()
            .filter(assignment=assignment)
            .only("id", "kind", "status", "answers", "revision")
            .order_by("-version")
            .first()
        )
        if report is None:
            raise Http404
        if report.is_submitted:
            raise ReportClosed
        now = timezone.now()
        changes: dict = {"revision": F("revision") + 1, "updated_at": now}
        if field in ("started_at", "ended_at"):
            changes[field] = _parse_time(value)
        elif field == "comment":
            changes["comment"] = _clean_text(value)
        elif item(report.kind, field) is not None:
            if value not in ("yes", "no", ""):
                raise ValidationError(_("Ответ — «Да» или «Нет»."))
            answers = dict(report.answers)
            answers[field] = {"value": value, "text": _clean_text(text)}
            changes["answers"] = answers
        else:
            raise ValidationError(_("В форме нет поля «{field}».").format(field=str(field)[:20]))
        VisitReport.objects.filter(pk=report.pk).update(**changes)
    return Saved(revision=report.revision + 1, saved_at=now)


def _school_people(school) -> QuerySet[User]:
    return User.objects.filter(
        memberships__school=school, memberships__role__in=NOTIFIED_ROLES, memberships__is_active=True, is_active=True
    ).distinct()


def report_submit(*, report: VisitReport, user: User) -> VisitReport:
    """Signs the draft: refused if signed already, before the sitting's day (school's time zone) or with items
    missing (their list in Russian). The card's facts are frozen as the portal knows them now; each answer that
    reports a violation becomes one (monitoring.violations); the school's director and coordinator are told; the
    audit records it."""
    from monitoring.facts import card_facts

    with transaction.atomic():
        report = VisitReport.objects.select_for_update().select_related("assignment__sitting__school").get(pk=report.pk)
        assignment = report.assignment
        sitting = assignment.sitting
        if report.is_submitted:
            raise ReportClosed
        if submit_too_early(sitting):
            raise ValidationError(
                _("Подписать можно в день проведения работы ({date}) или позже.").format(
                    date=sitting.date.strftime("%d.%m.%Y")
                )
            )
        problems = report_problems(report)
        if problems:
            raise ValidationError(problems)
        report.status = VisitReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = user
        if report.kind == VisitReport.Kind.CARD:
            report.facts = card_facts(assignment)
        report.save(update_fields=["status", "submitted_at", "submitted_by", "facts", "updated_at"])
        violations_from_report(report)
        audit_record(
            actor=user,
            action="monitoring.act_submitted" if report.kind == VisitReport.Kind.ACT else "monitoring.card_submitted",
            target=report,
            school=sitting.school,
            after={"version": report.version, "sitting": str(sitting)},
        )
        text = (
            _("Общественный наблюдатель подписал акт наблюдения: {sitting}.")
            if report.kind == VisitReport.Kind.ACT
            else _("Представитель управления образования подписал карту мониторинга: {sitting}.")
        ).format(sitting=sitting)
        url = reverse("monitoring:report_view", args=[report.pk])
        transaction.on_commit(
            lambda: notifications_send(
                users=_school_people(sitting.school), text=text, url=url, key=f"visit_report:{report.pk}"
            )
        )
    return report


def report_correct(*, report: VisitReport, user: User, reason: str) -> VisitReport:
    """Starts a correction of a signed report: version n+1 as a draft with the same answers, times and comment,
    and the reason (required). The signed version stays as it was; signing the new one supersedes it."""
    reason = _clean_text(reason, CORRECTION_REASON_MAX_LENGTH).strip()
    if not reason:
        raise ValidationError(_("Укажите причину исправления."))
    with transaction.atomic():
        current = (
            VisitReport.objects.select_for_update()
            .select_related("assignment__sitting__school")
            .filter(assignment_id=report.assignment_id)
            .order_by("-version")
            .first()
        )
        if not current.is_submitted:
            raise ValidationError(_("Исправление уже начато: допишите и подпишите его."))
        draft = VisitReport.objects.create(
            assignment_id=current.assignment_id,
            kind=current.kind,
            version=current.version + 1,
            answers=current.answers,
            comment=current.comment,
            started_at=current.started_at,
            ended_at=current.ended_at,
            correction_reason=reason,
        )
        audit_record(
            actor=user,
            action="monitoring.act_corrected" if current.kind == VisitReport.Kind.ACT else "monitoring.card_corrected",
            target=draft,
            school=current.assignment.sitting.school,
            before={"version": current.version},
            after={"version": draft.version},
            reason=reason,
        )
    return draft
