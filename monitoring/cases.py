"""Writes of the objectivity signals' thresholds and cases (разборы), docs/signal-cases.md.

Every flagged signal has a case, school × assessment × kind, once. `cases_open(assessment)` makes it so: it
computes the assessment's signals under the department's current thresholds, opens the case of each flagged
signal that has none (get-or-create: safe to run twice, or at once), refreshes the live evidence of the cases
it finds, and notes on a case whose signal is no longer flagged (or is flagged again) that it is so — it never
closes one: only people close cases. It runs

- from the periodic check (`cases_check_due`, a Celery beat task every few minutes, and the `signal_cases`
  command), for each assessment whose results changed since it was last checked (works counted, the latest
  `Work.updated_at`) or whose department's thresholds changed; grading knows nothing of monitoring, so an
  import is seen by its effect on the works, whatever path wrote them;
- when the department changes its thresholds (`thresholds_change`), for every campaign of the department, in a
  background job (`thresholds_job`: at region scale the re-evaluation takes longer than a request should);
- when someone with DECIDE_CASES follows the link of a signal that has no case yet (`signal_case_get_or_open`).

The department asks a question (`case_ask`), the school's coordinator or director answers (`case_answer`),
the department records its conclusion and the measures taken and closes the case (`case_conclude`, Регламент
3.2, 4.1.9). Each step notifies the other side and is audited; the audit names school, assessment and kind,
never a pupil (R11).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grading.models import Work
from monitoring.models import CaseMessage, SignalCase, SignalCheck, ThresholdVersion
from monitoring.signals import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_FIELDS,
    Signal,
    Thresholds,
    assessment_signals_under,
    department_thresholds,
    signal_label,
    thresholds_from,
    thresholds_values,
)
from procedures.models import Assessment, Campaign
from schools.models import Department, Role, School, User
from schools.services import audit_record, notifications_send
from vpr_portal.jobs import job_request

TEXT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 1000
THRESHOLDS_JOB = "monitoring.thresholds"
NOTE_VANISHED = gettext_lazy("признак больше не выявляется")
NOTE_RETURNED = gettext_lazy("признак снова выявляется")
SCHOOL_ANSWERING_ROLES = (Role.SCHOOL_COORDINATOR, Role.DIRECTOR)
DEPARTMENT_DECIDING_ROLES = (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)


@dataclass
class CasesOpened:
    """What a check did: cases opened now, cases whose signal vanished or came back (as (school, assessment,
    kind))."""

    opened: list[tuple[str, str, str]] = field(default_factory=list)
    vanished: list[tuple[str, str, str]] = field(default_factory=list)
    returned: list[tuple[str, str, str]] = field(default_factory=list)

    def __iadd__(self, other: "CasesOpened") -> "CasesOpened":
        self.opened += other.opened
        self.vanished += other.vanished
        self.returned += other.returned
        return self


# Opening cases ------------------------------------------------------------------------------------------------


def _results_state(assessment_ids: list[int]) -> dict[int, tuple[int, object]]:
    """assessment id → (works, latest change of a work): what the periodic check compares. One query."""
    rows = (
        Work.objects.filter(assessment_id__in=assessment_ids)
        .values("assessment_id")
        .annotate(n=Count("id"), at=Max("updated_at"))
        .order_by()
    )
    return {row["assessment_id"]: (row["n"], row["at"]) for row in rows}


def _note(case: SignalCase, text: str, now) -> CaseMessage:
    return CaseMessage(case=case, kind=CaseMessage.Kind.NOTE, text=text, created_at=now)


def _apply_signals(assessment: Assessment, signals: list[Signal], now) -> CasesOpened:
    """Brings the assessment's cases in line with its signals now flagged (see the module's docstring), in bulk: a
    fixed number of statements plus one audit entry per case opened, whatever the number of schools."""
    done = CasesOpened()
    schools = {
        school.code: school
        for school in School.objects.filter(department_id=assessment.campaign.department_id).select_related(
            "department"
        )
    }
    flagged = {(signal.school, signal.kind): signal for signal in signals}
    existing = {
        (case.school.code, case.kind): case
        for case in SignalCase.objects.filter(assessment=assessment).select_related("school")
    }
    missing = [key for key in flagged if key not in existing]
    if missing:
        SignalCase.objects.bulk_create(
            [
                SignalCase(
                    campaign_id=assessment.campaign_id,
                    assessment=assessment,
                    school=schools[code],
                    kind=kind,
                    evidence_at_opening=flagged[(code, kind)].evidence,
                    evidence=flagged[(code, kind)].evidence,
                    opened_at=now,
                    checked_at=now,
                )
                for code, kind in missing
            ],
            ignore_conflicts=True,  # opened at the same moment by another check: that one is the case
        )
        by_pk = {school.pk: school for school in schools.values()}
        for case in SignalCase.objects.filter(assessment=assessment, opened_at=now).order_by("pk"):
            case.school = by_pk[case.school_id]
            audit_record(
                actor=None,
                action="signal_case.opened",
                target=case,
                target_label=f"{case.school.code} · {assessment.code} · {case.kind}",
                school=case.school,
                after={"kind": case.kind, "evidence": case.evidence_at_opening},
            )
            done.opened.append((case.school.code, assessment.code, case.kind))
    present, notes, vanished = [], [], []
    for key, case in existing.items():
        code, kind = key
        if key in flagged:
            if not case.signal_present:
                done.returned.append((code, assessment.code, kind))
                if not case.is_closed:
                    notes.append(_note(case, str(NOTE_RETURNED), now))
            case.evidence, case.signal_present, case.checked_at = flagged[key].evidence, True, now
            present.append(case)
        elif case.signal_present:
            vanished.append(case.pk)
            done.vanished.append((code, assessment.code, kind))
            if not case.is_closed:  # a concluded case keeps its conclusion last
                notes.append(_note(case, str(NOTE_VANISHED), now))
    SignalCase.objects.bulk_update(present, ["evidence", "signal_present", "checked_at"], batch_size=500)
    SignalCase.objects.filter(pk__in=vanished).update(signal_present=False, checked_at=now)
    CaseMessage.objects.bulk_create(notes, batch_size=500)
    return done


def _record_check(assessment: Assessment, version: int, now) -> None:
    works, changed_at = _results_state([assessment.pk]).get(assessment.pk, (0, None))
    SignalCheck.objects.update_or_create(
        assessment=assessment,
        defaults={"works": works, "results_changed_at": changed_at, "thresholds_version": version, "checked_at": now},
    )


@transaction.atomic
def cases_open(*, assessment: Assessment, now=None) -> CasesOpened:
    """Opens the case of every signal of the assessment flagged under the department's current thresholds and
    notes the cases whose signal vanished or came back; idempotent."""
    now = now or timezone.now()
    thresholds, version = department_thresholds(assessment.campaign.department_id)
    done = _apply_signals(assessment, assessment_signals_under(assessment, [thresholds])[0], now)
    _record_check(assessment, version, now)
    return done


def _checkable_campaigns():
    """The department's own campaigns (not a school's internal procedure), without drafts."""
    return Campaign.objects.filter(owner_school__isnull=True).exclude(status=Campaign.Status.DRAFT)


def cases_check_due(*, department: Department | None = None) -> CasesOpened:
    """Checks the assessments whose results or department's thresholds changed since their last check (or that
    were never checked, once they have works). Each assessment in its own transaction."""
    assessments = list(
        Assessment.objects.filter(campaign__in=_checkable_campaigns()).select_related("campaign").order_by("pk")
    )
    if department is not None:
        assessments = [a for a in assessments if a.campaign.department_id == department.pk]
    ids = [a.pk for a in assessments]
    state = _results_state(ids)
    checks = {c.assessment_id: c for c in SignalCheck.objects.filter(assessment_id__in=ids)}
    versions = {
        row["department_id"]: row["number"]
        for row in ThresholdVersion.objects.values("department_id").annotate(number=Max("number"))
    }
    done = CasesOpened()
    for assessment in assessments:
        works, changed_at = state.get(assessment.pk, (0, None))
        check = checks.get(assessment.pk)
        version = versions.get(assessment.campaign.department_id, 0)
        if check is None and not works:
            continue
        if check is not None and (check.works, check.results_changed_at, check.thresholds_version) == (
            works,
            changed_at,
            version,
        ):
            continue
        done += cases_open(assessment=assessment)
    return done


def signal_case_get_or_open(*, assessment: Assessment, school: School, kind: str) -> SignalCase | None:
    """The case of the signal; opened now when the signal is flagged and has none; None when neither."""
    case = SignalCase.objects.filter(assessment=assessment, school=school, kind=kind).first()
    if case is not None:
        return case
    cases_open(assessment=assessment)
    return SignalCase.objects.filter(assessment=assessment, school=school, kind=kind).first()


# Thresholds ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdLimits:
    low: float
    high: float
    whole: bool = True


# What each threshold may be set to: counts from 1, shares and points 0…100, a probability strictly between 0 and 1.
THRESHOLD_LIMITS = {
    "bunching_participants": ThresholdLimits(1, 100000),
    "bunching_window": ThresholdLimits(1, 1000),
    "bunching_p": ThresholdLimits(0.000001, 0.5, whole=False),
    "inverted_points": ThresholdLimits(0, 100),
    "journal_participants": ThresholdLimits(1, 100000),
    "journal_share": ThresholdLimits(0, 100),
    "high_results_points": ThresholdLimits(0, 100),
    "stable_low_share": ThresholdLimits(0, 100),
    "stable_low_campaigns": ThresholdLimits(1, 10),
    "stable_low_window": ThresholdLimits(1, 10),
    "recheck_share": ThresholdLimits(0, 100),
    "recheck_works": ThresholdLimits(1, 100000),
}


def thresholds_validate(values: dict) -> Thresholds:
    """The thresholds of `values` (every field of Thresholds), checked; ValidationError with every problem."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for name in THRESHOLD_FIELDS:
        limits = THRESHOLD_LIMITS[name]
        value = values.get(name)
        if value is None or value == "":
            errors[name] = [_("Укажите значение.")]
            continue
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            errors[name] = [_("Введите число.")]
            continue
        if limits.whole and number != int(number):
            errors[name] = [_("Введите целое число.")]
            continue
        if not limits.low <= number <= limits.high:
            errors[name] = [
                _("Значение должно быть от {low} до {high}.").format(low=f"{limits.low:g}", high=f"{limits.high:g}")
            ]
            continue
        clean[name] = int(number) if limits.whole else number
    if not errors and clean["stable_low_campaigns"] > clean["stable_low_window"]:
        errors["stable_low_campaigns"] = [_("Число кампаний с высокой долей «2» не может быть больше окна кампаний.")]
    if errors:
        raise ValidationError(errors)
    return Thresholds(**clean)


def _signal_keys(campaign_code: str, assessment_code: str, signals: list[Signal]) -> set[tuple[str, str, str, str]]:
    return {(s.school, campaign_code, assessment_code, s.kind) for s in signals}


@transaction.atomic
def thresholds_change(*, department: Department, values: dict, reason: str, actor: User) -> ThresholdVersion:
    """Records a new version of the department's thresholds, current at once, and asks for the job that
    re-evaluates the signals under it (`thresholds_job`: which signals appear and vanish, and the cases)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Укажите причину изменения.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("Причина длиннее {n} символов.").format(n=REASON_MAX_LENGTH)]})
    new = thresholds_validate(values)
    # the department's versions are numbered one after another: the row lock serialises two changes at once
    Department.objects.select_for_update().filter(pk=department.pk).first()
    old, number = department_thresholds(department.pk)
    if new == old:
        raise ValidationError(_("Значения не изменились."))
    version = ThresholdVersion.objects.create(
        department=department,
        number=number + 1,
        values=thresholds_values(new),
        reason=reason,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="signal_thresholds.changed",
        target=version,
        department=department,
        before=thresholds_values(old),
        after=thresholds_values(new),
        reason=reason,
    )
    job_request(kind=THRESHOLDS_JOB, key=thresholds_job_key(version), params={"version": version.pk}, user=actor)
    return version


def thresholds_job_key(version: ThresholdVersion) -> str:
    return f"monitoring.thresholds:{version.pk}"


def _previous_thresholds(version: ThresholdVersion) -> Thresholds:
    earlier = (
        ThresholdVersion.objects.filter(department_id=version.department_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return thresholds_from(earlier.values) if earlier is not None else DEFAULT_THRESHOLDS


def thresholds_evaluate(
    *, version: ThresholdVersion, progress=None
) -> tuple[dict, list[tuple[Assessment, list[Signal]]]]:
    """The signals of every assessment of the department's campaigns under the version before this one and under
    this one, the results read once for both: the changes (which appear, which vanish: [school, campaign,
    assessment, kind], sorted) and each assessment's signals under this version. Reads only."""
    old, new = _previous_thresholds(version), thresholds_from(version.values)
    assessments = list(
        Assessment.objects.filter(campaign__in=_checkable_campaigns(), campaign__department_id=version.department_id)
        .select_related("campaign")
        .order_by("campaign__window_start", "code")
    )
    appeared, vanished, afters = set(), set(), []
    for done, assessment in enumerate(assessments, start=1):
        before, after = assessment_signals_under(assessment, [old, new])
        before_keys = _signal_keys(assessment.campaign.code, assessment.code, before)
        after_keys = _signal_keys(assessment.campaign.code, assessment.code, after)
        appeared |= after_keys - before_keys
        vanished |= before_keys - after_keys
        afters.append((assessment, after))
        if progress is not None:
            progress(done, len(assessments))
    return {"appeared": sorted(map(list, appeared)), "vanished": sorted(map(list, vanished))}, afters


@transaction.atomic
def thresholds_apply(
    *, version: ThresholdVersion, changes: dict, afters: list[tuple[Assessment, list[Signal]]]
) -> ThresholdVersion:
    """Keeps the changes with the version and brings the cases in line with the signals under it — unless a
    newer version exists by now (its own job does that)."""
    version = ThresholdVersion.objects.select_for_update().get(pk=version.pk)
    now = timezone.now()
    latest = ThresholdVersion.objects.filter(department_id=version.department_id).aggregate(n=Max("number"))["n"]
    if version.number == latest:
        for assessment, signals in afters:
            _apply_signals(assessment, signals, now)
            _record_check(assessment, version.number, now)
    version.changes, version.applied_at = changes, now
    version.save(update_fields=["changes", "applied_at"])
    return version


def thresholds_job(job, run):
    """The job of a thresholds change: evaluates (with progress), then applies in the job's finishing
    transaction. Safe to run twice: an applied version is left as it is."""
    version = ThresholdVersion.objects.get(pk=job.params["version"])
    if version.applied_at is not None:
        return {
            "appeared": len(version.changes.get("appeared", [])),
            "vanished": len(version.changes.get("vanished", [])),
        }
    changes, afters = thresholds_evaluate(version=version, progress=run.progress)

    def apply() -> dict:
        thresholds_apply(version=version, changes=changes, afters=afters)
        return {"appeared": len(changes["appeared"]), "vanished": len(changes["vanished"])}

    return apply


# The case's flow ----------------------------------------------------------------------------------------------


def _role_in(user: User, *, school: School, roles) -> str:
    """The role the user acts in on this case: the first of `roles` they hold there (school or department)."""
    for membership in user.active_memberships:
        if membership.role in roles and (
            membership.school_id == school.pk or membership.department_id == school.department_id
        ):
            return membership.role
    return ""


def _text(text: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty)
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("Текст длиннее {n} символов: сократите его.").format(n=TEXT_MAX_LENGTH))
    return text


def _case_label(case: SignalCase) -> str:
    return f"{case.school.code} · {case.assessment.code} · {case.kind}"


def _notify(case: SignalCase, *, users, text: str, event: str, message: CaseMessage) -> None:
    url = reverse("monitoring:case", kwargs={"pk": case.pk})
    notifications_send(users=users, text=text, url=url, key=f"signal_case:{case.pk}:{event}:{message.pk}")


def _locked(case: SignalCase) -> SignalCase:
    return SignalCase.objects.select_for_update().select_related("school", "assessment", "campaign").get(pk=case.pk)


def _school_answerers(school):
    """The school's active coordinators and directors: who answers the department's questions."""
    return User.objects.filter(
        memberships__school=school,
        memberships__role__in=SCHOOL_ANSWERING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


@transaction.atomic
def case_ask(*, case: SignalCase, text: str, actor: User) -> CaseMessage:
    """The department asks the school about the signal; the school's coordinators and directors are notified."""
    case = _locked(case)
    if case.is_closed:
        raise ValidationError(_("Разбор закрыт."))
    text = _text(text, empty=_("Напишите вопрос школе."))
    now = timezone.now()
    role = _role_in(actor, school=case.school, roles=DEPARTMENT_DECIDING_ROLES)
    message = CaseMessage.objects.create(
        case=case, kind=CaseMessage.Kind.QUESTION, text=text, author=actor, author_role=role, created_at=now
    )
    case.status = SignalCase.Status.ASKED
    case.asked_at = case.asked_at or now
    case.save(update_fields=["status", "asked_at"])
    users = _school_answerers(case.school)
    _notify(
        case,
        users=users,
        text=_("Вопрос управления образования по признаку «{kind}»: {assessment}").format(
            kind=signal_label(case.kind), assessment=case.assessment.code
        ),
        event="asked",
        message=message,
    )
    audit_record(actor=actor, action="signal_case.asked", target=case, target_label=_case_label(case))
    return message


@transaction.atomic
def case_answer(*, case: SignalCase, text: str, actor: User) -> CaseMessage:
    """The school answers the department's question; the department's staff and coordinators are notified."""
    case = _locked(case)
    if case.status not in (SignalCase.Status.ASKED, SignalCase.Status.ANSWERED):
        raise ValidationError(_("Ответить можно, когда управление образования задало вопрос и разбор не закрыт."))
    text = _text(text, empty=_("Напишите ответ."))
    role = _role_in(actor, school=case.school, roles=SCHOOL_ANSWERING_ROLES)
    message = CaseMessage.objects.create(
        case=case, kind=CaseMessage.Kind.ANSWER, text=text, author=actor, author_role=role, created_at=timezone.now()
    )
    case.status = SignalCase.Status.ANSWERED
    case.save(update_fields=["status"])
    users = User.objects.filter(
        memberships__department_id=case.school.department_id,
        memberships__role__in=DEPARTMENT_DECIDING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    _notify(
        case,
        users=users,
        text=_("Школа {school} ответила по признаку «{kind}»: {assessment}").format(
            school=case.school.code, kind=signal_label(case.kind), assessment=case.assessment.code
        ),
        event="answered",
        message=message,
    )
    audit_record(actor=actor, action="signal_case.answered", target=case, target_label=_case_label(case))
    return message


@transaction.atomic
def case_conclude(*, case: SignalCase, conclusion: str, measures: str, actor: User) -> CaseMessage:
    """The department records its conclusion (the signal confirmed or not) and the measures taken, and closes
    the case (Регламент 3.2, 4.1.9); the school is notified."""
    case = _locked(case)
    if case.is_closed:
        raise ValidationError(_("Разбор уже закрыт."))
    if conclusion not in SignalCase.Conclusion.values:
        raise ValidationError(_("Выберите заключение: признак подтвердился или не подтвердился."))
    measures = _text(measures, empty=_("Опишите принятые меры (или почему меры не нужны)."))
    now = timezone.now()
    role = _role_in(actor, school=case.school, roles=DEPARTMENT_DECIDING_ROLES)
    label = SignalCase.Conclusion(conclusion).label
    message = CaseMessage.objects.create(
        case=case,
        kind=CaseMessage.Kind.CONCLUSION,
        text=f"{label}. {measures}",
        author=actor,
        author_role=role,
        created_at=now,
    )
    case.status, case.conclusion, case.measures = SignalCase.Status.CLOSED, conclusion, measures
    case.closed_at, case.closed_by = now, actor
    case.save(update_fields=["status", "conclusion", "measures", "closed_at", "closed_by"])
    if case.asked_at is not None:  # the school took part: it learns the outcome
        users = _school_answerers(case.school)
        _notify(
            case,
            users=users,
            text=_("Разбор по признаку «{kind}» ({assessment}) закрыт: {conclusion}").format(
                kind=signal_label(case.kind), assessment=case.assessment.code, conclusion=label
            ),
            event="closed",
            message=message,
        )
    audit_record(
        actor=actor,
        action="signal_case.concluded",
        target=case,
        target_label=_case_label(case),
        after={"conclusion": conclusion},
    )
    return message
