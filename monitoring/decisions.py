"""Management decisions (управленческие решения, Регламент 3.2, 4.1.9): what the department or a school decided on a
campaign's results, on what basis, who is responsible, until when, and later the outcome.

- The department's specialists and municipal coordinators (RECORD_DECISIONS in the department) record municipal
  decisions (no school) and decisions about any school of the department; a school's coordinator and director
  record their own school's. Who may record a decision may edit it until its outcome is recorded, record the
  outcome (выполнено / не выполнено) and cancel it with a reason: the department every decision of its schools,
  a school its own decisions (`decisions_recordable_by`). Nothing is deleted.
- Everyone who reads decisions (VIEW_DECISIONS) reads them through `decisions_visible_to`: the department every
  decision of its schools and its municipal ones; a school its own, the department's about it, and the
  municipal ones.
- Each write is one transaction with an audit entry (school, campaign, basis, status and dates — never the free
  text, so never a name) and a notice to the other side: a department's decision about a school to the school's
  coordinators and directors, a school's decision to the department's staff.
- `decision_reminders_send` (an hourly beat task) reminds the recorder and, for a school's decision, the school's
  coordinators 7 days and 1 day before the due date, and once when the due date has passed; each once (marked on
  the decision in the same transaction, and the notices keyed).
- The results of the next campaign show the decisions of the earlier ones (`decisions_before`); the reports read
  `decisions_of_campaign`. Lists are ordered by due date, then school code — never by results (R15).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.models import ManagementDecision, SignalCase
from procedures.models import Assessment, Campaign
from schools.access import CAPABILITIES, SCOPES, Capability, Scope, user_can
from schools.models import AuditEntry, Pupil, Role, School, Staff, User
from schools.services import audit_record, notifications_send

TEXT_MAX_LENGTH = 5000
RESPONSIBLE_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 1000
YEARS_AHEAD = 5  # a due date further than this is a typing error
REMIND_WEEK_DAYS = 7
REMIND_DAY_DAYS = 1
WEAK_SKILL_BELOW = 50  # a skill whose completion is below this, %, is weak (the school's справка lists them)
SCHOOL_ROLES = (Role.SCHOOL_COORDINATOR, Role.DIRECTOR)
DEPARTMENT_ROLES = (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)
D = ManagementDecision
# The lists' order: due date, then school code with the municipal decisions first (on every database), never by
# results (R15).
ORDER = ("due_on", F("school__code").asc(nulls_first=True), "pk")

# The history of a decision (its audit entries) in words.
ACTION_PHRASES = {
    "decision.recorded": gettext_lazy("Решение записано"),
    "decision.edited": gettext_lazy("Решение изменено"),
    "decision.outcome": gettext_lazy("Записан результат"),
    "decision.cancelled": gettext_lazy("Решение отменено"),
}


# Who reads and who records ------------------------------------------------------------------------------------


def _scoped_ids(user: User, capability: Capability) -> tuple[set[int], set[int]]:
    """(departments where a department role gives `capability`, schools where a school role gives it)."""
    department_roles = {r for r in user.roles if capability in CAPABILITIES[r] and SCOPES[r] == Scope.DEPARTMENT}
    school_roles = {r for r in user.roles if capability in CAPABILITIES[r] and SCOPES[r] == Scope.SCHOOL}
    return user.department_ids_with_role(*department_roles), user.school_ids_with_role(*school_roles)


def _with_related(decisions: QuerySet[ManagementDecision]) -> QuerySet[ManagementDecision]:
    return decisions.select_related(
        "school", "campaign", "assessment__subject", "case", "created_by", "outcome_by", "cancelled_by"
    )


def decisions_visible_to(user: User) -> QuerySet[ManagementDecision]:
    """The decisions the user may read (VIEW_DECISIONS): a department role's, every decision of its department
    (municipal and every school's); a school role's, its school's (its own and the department's about it) and the
    department's municipal ones. In the register's order: due date, school code (municipal first), never by
    results (R15)."""
    if not user.is_authenticated:
        return D.objects.none()
    departments, schools = _scoped_ids(user, Capability.VIEW_DECISIONS)
    school_departments = set(School.objects.filter(pk__in=schools).values_list("department_id", flat=True))
    condition = (
        Q(department_id__in=departments)
        | Q(school_id__in=schools)
        | Q(school__isnull=True, department_id__in=school_departments)
    )
    return _with_related(D.objects.filter(condition)).order_by(*ORDER)


def decisions_recordable_by(user: User) -> QuerySet[ManagementDecision]:
    """The decisions the user may edit, close with an outcome or cancel (RECORD_DECISIONS): the department every
    decision of its department; a school its own school's decisions (not the department's about it)."""
    if not user.is_authenticated:
        return D.objects.none()
    departments, schools = _scoped_ids(user, Capability.RECORD_DECISIONS)
    condition = Q(department_id__in=departments) | Q(school_id__in=schools, level=D.Level.SCHOOL)
    return _with_related(D.objects.filter(condition)).order_by(*ORDER)


def may_record_municipal(user: User, department_id: int) -> bool:
    departments, _schools = _scoped_ids(user, Capability.RECORD_DECISIONS)
    return department_id in departments


def schools_for_recording(user: User) -> QuerySet[School]:
    """The schools the user may record a decision about (the department: its schools; a school: itself)."""
    departments, schools = _scoped_ids(user, Capability.RECORD_DECISIONS)
    return School.objects.filter(Q(department_id__in=departments) | Q(pk__in=schools)).order_by("code")


def campaigns_for_recording(user: User) -> QuerySet[Campaign]:
    """The campaigns a decision may be taken on: the department's, announced (not drafts)."""
    departments, schools = _scoped_ids(user, Capability.RECORD_DECISIONS)
    ids = departments | set(School.objects.filter(pk__in=schools).values_list("department_id", flat=True))
    return (
        Campaign.objects.filter(department_id__in=ids)
        .exclude(status=Campaign.Status.DRAFT)
        .filter(Q(owner_school__isnull=True) | Q(owner_school_id__in=schools) | Q(department_id__in=departments))
        .order_by("-window_start", "code")
    )


# Validation ----------------------------------------------------------------------------------------------------


def _text(value: str, *, empty: str, limit: int = TEXT_MAX_LENGTH) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty)
    if len(value) > limit:
        raise ValidationError(_("Текст длиннее {n} символов: сократите его.").format(n=limit))
    return value


def _today_for(school: School | None) -> datetime.date:
    """Today in the school's own time zone (R16); a municipal decision's in the portal's."""
    return timezone.localdate(timezone=school.tzinfo) if school is not None else timezone.localdate()


def _due_on(value, *, school: School | None, today: datetime.date | None) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError({"due_on": [_("Укажите срок датой.")]}) from None
    if not isinstance(value, datetime.date):
        raise ValidationError({"due_on": [_("Укажите срок исполнения.")]})
    today = today or _today_for(school)
    if value < today:
        raise ValidationError({"due_on": [_("Срок уже прошёл: укажите сегодняшнюю или более позднюю дату.")]})
    if value > today + datetime.timedelta(days=366 * YEARS_AHEAD):
        raise ValidationError({"due_on": [_("Срок дальше {n} лет: проверьте дату.").format(n=YEARS_AHEAD)]})
    return value


def _words(text: str) -> set[str]:
    return {word.strip(".,;:()«»\"'").lower() for word in text.replace("\n", " ").split()} - {""}


def _responsible(value: str, *, school: School | None, department_id: int) -> str:
    """An adult's position and name: refused when it names a pupil (a pupil's surname and first name, and no
    member of staff of that name) of the school — or, for a municipal decision, of the department's schools."""
    value = _text(value, empty=_("Укажите ответственного: должность и ФИО."), limit=RESPONSIBLE_MAX_LENGTH)
    words = _words(value)
    capitalised = {word for word in value.replace(",", " ").split() if word[:1].isupper()}
    if not capitalised:
        return value
    pupils = Pupil.objects.filter(last_name__in=capitalised)
    staff = Staff.objects.all()
    if school is not None:
        pupils, staff = pupils.filter(school=school), staff.filter(school=school)
    else:
        pupils = pupils.filter(school__department_id=department_id)
        staff = staff.filter(school__department_id=department_id)
    adults = {(s.lower(), f.lower()) for s, f in staff.filter(last_name__in=capitalised).values_list(
        "last_name", "first_name"
    )}  # fmt: skip
    for last, first in pupils.values_list("last_name", "first_name")[:200]:
        if last.lower() in words and first.lower() in words and (last.lower(), first.lower()) not in adults:
            raise ValidationError(
                {
                    "responsible": [
                        _("Ответственным назначается взрослый: укажите должность и ФИО работника, не обучающегося.")
                    ]
                }
            )
    return value


@dataclass(frozen=True)
class DecisionBasis:
    """What a decision is taken on, as the record form gives it."""

    basis: str
    case: SignalCase | None = None
    skill: str = ""
    note: str = ""


def _check_case(case: SignalCase | None, *, school, campaign, assessment) -> Assessment:
    if case is None:
        raise ValidationError({"case": [_("Выберите разбор признака, по которому принято решение.")]})
    if school is None or case.school_id != school.pk:
        raise ValidationError({"case": [_("Разбор относится к другой школе.")]})
    if case.campaign_id != campaign.pk:
        raise ValidationError({"case": [_("Разбор относится к другой кампании.")]})
    if assessment is not None and assessment.pk != case.assessment_id:
        raise ValidationError({"assessment": [_("Разбор относится к другой работе.")]})
    return case.assessment


def _check_skill(skill: str, *, assessment: Assessment | None) -> None:
    if assessment is None:
        raise ValidationError({"assessment": [_("Выберите работу, по которой умение сформировано слабо.")]})
    if not skill:
        raise ValidationError({"skill": [_("Выберите умение из кодификатора работы.")]})
    if not assessment.tasks.filter(skill=skill).exists():
        message = _("Такого умения нет среди заданий работы {code}.").format(code=assessment.code)
        raise ValidationError({"skill": [message]})


def _check_basis(
    *, basis: DecisionBasis, school: School | None, campaign: Campaign, assessment: Assessment | None
) -> Assessment | None:
    """The basis checked against the decision's school, campaign and assessment; returns the assessment (a case's
    own when none was given)."""
    if basis.basis not in D.Basis.values:
        raise ValidationError({"basis": [_("Выберите основание решения из списка.")]})
    if basis.basis == D.Basis.SIGNAL_CASE:
        assessment = _check_case(basis.case, school=school, campaign=campaign, assessment=assessment)
    elif basis.case is not None:
        raise ValidationError({"case": [_("Разбор указывается только для решения по разбору признака.")]})
    skill = (basis.skill or "").strip()
    if basis.basis == D.Basis.WEAK_SKILL:
        _check_skill(skill, assessment=assessment)
    elif skill:
        raise ValidationError({"skill": [_("Умение указывается только для решения по слабо сформированному умению.")]})
    note = (basis.note or "").strip()
    if basis.basis == D.Basis.OTHER and not note:
        raise ValidationError({"basis_note": [_("Поясните, на каком основании принято решение.")]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"basis_note": [_("Пояснение длиннее {n} символов.").format(n=NOTE_MAX_LENGTH)]})
    return assessment


def _label(decision: ManagementDecision) -> str:
    where = decision.school.code if decision.school_id else _("муниципальное")
    what = decision.assessment.code if decision.assessment_id else decision.get_basis_display()
    return f"{where} · {decision.campaign.code} · {what} · {decision.due_on:%d.%m.%Y}"


def _audit(decision: ManagementDecision, *, actor: User, action: str, before=None, after=None, reason="") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=decision,
        target_label=_label(decision),
        school=decision.school,
        department=decision.school.department if decision.school_id else decision.department,
        before=before,
        after=after,
        reason=reason,
    )


def _url(decision: ManagementDecision) -> str:
    return reverse("monitoring:decision", kwargs={"pk": decision.pk})


def _school_people(school: School, roles=SCHOOL_ROLES) -> QuerySet[User]:
    return User.objects.filter(
        memberships__school=school, memberships__role__in=roles, memberships__is_active=True, is_active=True
    ).distinct()


def _department_people(department_id: int) -> QuerySet[User]:
    return User.objects.filter(
        memberships__department_id=department_id,
        memberships__role__in=DEPARTMENT_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def _other_side(decision: ManagementDecision, actor: User) -> list[User]:
    """Who learns of a change: a school's decision — the department's staff; the department's decision about a
    school — the school's coordinators and directors; a municipal decision — nobody by notice. Never the actor."""
    if decision.school_id is None:
        return []
    if decision.level == D.Level.SCHOOL:
        users = _department_people(decision.department_id)
    else:
        users = _school_people(decision.school)
    return [user for user in users if user.pk != actor.pk]


def _notify(decision: ManagementDecision, *, actor: User, text: str, event: str) -> None:
    users = _other_side(decision, actor)
    if users:
        notifications_send(users=users, text=text, url=_url(decision), key=f"decision:{decision.pk}:{event}")


def _locked(decision: ManagementDecision) -> ManagementDecision:
    return (
        D.objects.select_for_update(of=("self",))  # the school and assessment are nullable: lock the decision only
        .select_related("school__department", "campaign", "assessment", "department")
        .get(pk=decision.pk)
    )


# Writes --------------------------------------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor: User,
    campaign: Campaign,
    school: School | None,
    basis: DecisionBasis,
    text: str,
    responsible: str,
    due_on,
    assessment: Assessment | None = None,
    today: datetime.date | None = None,
) -> ManagementDecision:
    """Records a decision: the department's (municipal without a school, or about one of its schools) or a
    school's about itself, on a campaign's results; the other side is notified. ValidationError (in Russian, by
    field) writes nothing."""
    if school is None:
        if not may_record_municipal(actor, campaign.department_id):
            raise ValidationError(
                {"school": [_("Муниципальное решение записывает управление образования: выберите школу.")]}
            )
        level = D.Level.DEPARTMENT
    else:
        if not user_can(actor, Capability.RECORD_DECISIONS, school):
            raise ValidationError({"school": [_("Решение школы записывается только для своей школы.")]})
        level = D.Level.DEPARTMENT if may_record_municipal(actor, school.department_id) else D.Level.SCHOOL
        if school.department_id != campaign.department_id:
            raise ValidationError({"campaign": [_("Кампания относится к другому управлению образования.")]})
    if campaign.status == Campaign.Status.DRAFT:
        raise ValidationError({"campaign": [_("Кампания ещё не объявлена.")]})
    if campaign.owner_school_id is not None and (school is None or campaign.owner_school_id != school.pk):
        raise ValidationError({"campaign": [_("Это внутренняя процедура другой школы.")]})
    if assessment is not None and assessment.campaign_id != campaign.pk:
        raise ValidationError({"assessment": [_("Работа не относится к выбранной кампании.")]})
    assessment = _check_basis(basis=basis, school=school, campaign=campaign, assessment=assessment)
    text = _text(text, empty=_("Запишите, что решено."))
    responsible = _responsible(responsible, school=school, department_id=campaign.department_id)
    due_on = _due_on(due_on, school=school, today=today)
    now = timezone.now()
    decision = D.objects.create(
        department_id=campaign.department_id,
        level=level,
        school=school,
        campaign=campaign,
        assessment=assessment,
        basis=basis.basis,
        case=basis.case,
        skill=(basis.skill or "").strip(),
        basis_note=(basis.note or "").strip(),
        text=text,
        responsible=responsible,
        due_on=due_on,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    decision = _locked(decision)
    _audit(
        decision,
        actor=actor,
        action="decision.recorded",
        after={"level": level, "basis": decision.basis, "status": decision.status, "due_on": due_on},
    )
    who = decision.school.code if level == D.Level.SCHOOL else _("Управление образования")
    _notify(
        decision,
        actor=actor,
        text=_("{who}: управленческое решение по итогам {campaign} — срок {due}").format(
            who=who, campaign=campaign.title, due=date_format(due_on, "d.m.Y")
        ),
        event="recorded",
    )
    return decision


EDITABLE = ("text", "responsible", "due_on", "status", "basis_note")


@transaction.atomic
def decision_edit(
    *,
    decision: ManagementDecision,
    actor: User,
    text: str,
    responsible: str,
    due_on,
    status: str,
    basis_note: str = "",
    today: datetime.date | None = None,
) -> ManagementDecision:
    """Changes what was decided, the responsible, the due date (not into the past; the reminders then go again
    for the new date) and the status (запланировано / выполняется), until the outcome is recorded or the decision
    is cancelled."""
    decision = _locked(decision)
    if not decision.is_open:
        raise ValidationError(_("Решение закрыто (записан результат или оно отменено): изменить его нельзя."))
    if status not in D.OPEN_STATUSES:
        raise ValidationError({"status": [_("До записи результата статус — «запланировано» или «выполняется».")]})
    text = _text(text, empty=_("Запишите, что решено."))
    responsible = _responsible(responsible, school=decision.school, department_id=decision.department_id)
    if isinstance(due_on, str) and due_on.strip() == decision.due_on.isoformat():
        due_on = decision.due_on
    # an unchanged due date stays even when it has passed; a new one is checked as when recording
    new_due = decision.due_on if due_on == decision.due_on else _due_on(due_on, school=decision.school, today=today)
    note = (basis_note or "").strip()
    if decision.basis == D.Basis.OTHER and not note:
        raise ValidationError({"basis_note": [_("Поясните, на каком основании принято решение.")]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"basis_note": [_("Пояснение длиннее {n} символов.").format(n=NOTE_MAX_LENGTH)]})
    new = {"text": text, "responsible": responsible, "due_on": new_due, "status": status, "basis_note": note}
    changed = [name for name in EDITABLE if getattr(decision, name) != new[name]]
    if not changed:
        raise ValidationError(_("Ничего не изменилось."))
    # the audit keeps what changed without the free text (it may name people): the fields' names, dates, status
    before = {name: getattr(decision, name) for name in changed if name in ("due_on", "status")}
    after = {name: new[name] for name in changed if name in ("due_on", "status")}
    after["changed"] = [str(D._meta.get_field(name).verbose_name) for name in changed]
    for name in changed:
        setattr(decision, name, new[name])
    fields = [*changed, "updated_at"]
    decision.updated_at = timezone.now()
    if "due_on" in changed:
        decision.reminded_week_at = decision.reminded_day_at = decision.overdue_notified_at = None
        fields += ["reminded_week_at", "reminded_day_at", "overdue_notified_at"]
    decision.save(update_fields=fields)
    entry_at = decision.updated_at.isoformat()
    _audit(decision, actor=actor, action="decision.edited", before=before, after=after)
    _notify(
        decision,
        actor=actor,
        text=_("Изменено управленческое решение ({label})").format(label=_label(decision)),
        event=f"edited:{entry_at}",
    )
    return decision


@transaction.atomic
def decision_outcome(*, decision: ManagementDecision, actor: User, status: str, outcome: str) -> ManagementDecision:
    """Records the outcome: выполнено or не выполнено, with what was done and what came of it. Once: the decision
    is closed then."""
    decision = _locked(decision)
    if not decision.is_open:
        raise ValidationError(_("Результат уже записан или решение отменено."))
    if status not in (D.Status.DONE, D.Status.NOT_DONE):
        raise ValidationError({"status": [_("Выберите: выполнено или не выполнено.")]})
    outcome = _text(outcome, empty=_("Опишите результат: что сделано и к чему это привело."))
    before = {"status": decision.status}
    decision.status, decision.outcome = status, outcome
    decision.outcome_at = decision.updated_at = timezone.now()
    decision.outcome_by = actor
    decision.save(update_fields=["status", "outcome", "outcome_at", "outcome_by", "updated_at"])
    _audit(decision, actor=actor, action="decision.outcome", before=before, after={"status": status})
    _notify(
        decision,
        actor=actor,
        text=_("Записан результат управленческого решения ({label}): {status}").format(
            label=_label(decision), status=decision.get_status_display()
        ),
        event="outcome",
    )
    return decision


@transaction.atomic
def decision_cancel(*, decision: ManagementDecision, actor: User, reason: str) -> ManagementDecision:
    """Cancels a decision that has no outcome yet, with the reason; it stays in the register as cancelled."""
    decision = _locked(decision)
    if not decision.is_open:
        raise ValidationError(_("Решение уже закрыто: результат записан или оно отменено."))
    reason = _text(reason, empty=_("Укажите причину отмены."), limit=NOTE_MAX_LENGTH)
    before = {"status": decision.status}
    decision.status, decision.cancel_reason = D.Status.CANCELLED, reason
    decision.cancelled_at = decision.updated_at = timezone.now()
    decision.cancelled_by = actor
    decision.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "updated_at"])
    _audit(decision, actor=actor, action="decision.cancelled", before=before, after={"status": decision.status})
    _notify(
        decision,
        actor=actor,
        text=_("Управленческое решение отменено ({label})").format(label=_label(decision)),
        event="cancelled",
    )
    return decision


# Reminders -----------------------------------------------------------------------------------------------------


@dataclass
class RemindersSent:
    week: list[int] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def _reminded(decision: ManagementDecision) -> list[User]:
    users = {decision.created_by_id: decision.created_by} if decision.created_by_id else {}
    if decision.school_id is not None:
        users |= {user.pk: user for user in _school_people(decision.school, roles=(Role.SCHOOL_COORDINATOR,))}
    return [user for user in users.values() if user.is_active]


def decision_reminders_send(today: datetime.date | None = None) -> RemindersSent:
    """The reminders of the open decisions: 7 days before the due date, 1 day before (or on the day, when the run
    the day before was missed) and once the due date has passed; to the recorder and, for a school's decision, the
    school's coordinators. Each once per due date: marked on the decision in the notices' transaction. Safe to run
    any number of times. `today` in the school's time zone unless given."""
    sent = RemindersSent()
    horizon = (today or timezone.localdate()) + datetime.timedelta(days=REMIND_WEEK_DAYS + 1)
    due = D.objects.filter(status__in=D.OPEN_STATUSES, due_on__lte=horizon).filter(
        Q(reminded_week_at__isnull=True) | Q(reminded_day_at__isnull=True) | Q(overdue_notified_at__isnull=True)
    )
    for pk in due.order_by("due_on", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            decision = (
                D.objects.select_for_update(of=("self",))
                .select_related("school", "campaign", "assessment", "created_by")
                .get(pk=pk)
            )
            if not decision.is_open:
                continue
            left = (decision.due_on - (today or _today_for(decision.school))).days
            kind = None
            if left < 0 and decision.overdue_notified_at is None:
                kind = "overdue"
                text = _("Срок управленческого решения истёк {due}, результат не записан: {label}")
            elif 0 <= left <= REMIND_DAY_DAYS and decision.reminded_day_at is None:
                kind = "day"
                text = _("Завтра или сегодня срок управленческого решения ({due}): {label}")
            elif (
                REMIND_DAY_DAYS < left <= REMIND_WEEK_DAYS
                and decision.reminded_week_at is None
                and decision.reminded_day_at is None
            ):
                kind = "week"
                text = _("Через неделю срок управленческого решения ({due}): {label}")
            if kind is None:
                continue
            notifications_send(
                users=_reminded(decision),
                text=text.format(due=date_format(decision.due_on, "d.m.Y"), label=_label(decision)),
                url=_url(decision),
                key=f"decision:{decision.pk}:{kind}:{decision.due_on.isoformat()}",
            )
            now = timezone.now()
            # a later reminder stands for the earlier ones not sent: they never go after it
            decision.reminded_week_at = decision.reminded_week_at or now
            if kind in ("day", "overdue"):
                decision.reminded_day_at = decision.reminded_day_at or now
            if kind == "overdue":
                decision.overdue_notified_at = now
            decision.save(update_fields=["reminded_week_at", "reminded_day_at", "overdue_notified_at"])
            getattr(sent, kind).append(decision.pk)
    return sent


# Reads for the register, the reports and the results pages -----------------------------------------------------


@dataclass(frozen=True)
class DecisionFilters:
    campaign: str = ""
    school: str = ""
    status: str = ""
    basis: str = ""
    assessment: str = ""
    overdue: bool = False

    def query(self, *, today: datetime.date, with_status: bool = True) -> Q:
        condition = Q()
        if self.campaign:
            condition &= Q(campaign__code=self.campaign)
        if self.school == "-":
            condition &= Q(school__isnull=True)
        elif self.school:
            condition &= Q(school__code=self.school)
        if self.basis:
            condition &= Q(basis=self.basis)
        if self.assessment:
            condition &= Q(assessment__code=self.assessment)
        if self.status and with_status:
            condition &= Q(status=self.status)
        if self.overdue:
            condition &= Q(status__in=D.OPEN_STATUSES, due_on__lt=today)
        return condition


def decisions_filtered(user: User, filters: DecisionFilters, *, today: datetime.date | None = None):
    """The user's decisions that pass the filters, in the register's order (due date, school code)."""
    return decisions_visible_to(user).filter(filters.query(today=today or timezone.localdate()))


def decision_counts(user: User, filters: DecisionFilters, *, today: datetime.date | None = None) -> dict[str, int]:
    """How many of the filtered decisions are in each status (the status filter left out), and `overdue`."""
    today = today or timezone.localdate()
    base = D.objects.filter(pk__in=decisions_visible_to(user).values("pk")).filter(
        filters.query(today=today, with_status=False)
    )
    rows = base.order_by().values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(D.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    counts["overdue"] = base.filter(status__in=D.OPEN_STATUSES, due_on__lt=today).count()
    return counts


def is_overdue(decision: ManagementDecision, today: datetime.date | None = None) -> bool:
    return decision.is_open and decision.due_on < (today or _today_for(decision.school))


def decision_history(decision: ManagementDecision) -> list[tuple[AuditEntry, str]]:
    """The decision's audit entries, oldest first, each with its phrase."""
    entries = AuditEntry.objects.filter(target_type=D._meta.label_lower, target_id=str(decision.pk)).order_by(
        "created_at", "id"
    )
    return [(entry, str(ACTION_PHRASES.get(entry.action, entry.action))) for entry in entries]


def _report_order(decisions: QuerySet[ManagementDecision]) -> QuerySet[ManagementDecision]:
    return _with_related(decisions.exclude(status=D.Status.CANCELLED)).order_by("-campaign__window_start", *ORDER)


def decisions_of_campaign(campaign: Campaign, *, school: School | None = None) -> list[ManagementDecision]:
    """The decisions taken on `campaign`'s results, cancelled ones left out: without a school, all of them
    (municipal and every school's); with a school, that school's (its own and the department's about it) and the
    municipal ones. By due date, then school code (municipal first) — never by results (R15). For the reports:
    the caller has checked the reader may see the campaign (and the school)."""
    decisions = D.objects.filter(campaign=campaign)
    if school is not None:
        decisions = decisions.filter(Q(school=school) | Q(school__isnull=True))
    return list(_report_order(decisions))


def decisions_before(assessment: Assessment, *, school: School | None = None) -> list[ManagementDecision]:
    """The decisions taken on the earlier campaigns of the department (window before this one's) about the same
    subject and grade — what the next campaign shows beside its new results. Without a school, all of them
    (municipal and every school's); with a school, that school's and the municipal ones. Cancelled ones left out;
    the latest campaign first, then by due date and school code (never by results, R15)."""
    campaign = assessment.campaign
    decisions = D.objects.filter(
        department_id=campaign.department_id,
        campaign__window_start__lt=campaign.window_start,
        assessment__subject_id=assessment.subject_id,
        assessment__grade=assessment.grade,
    )
    if school is not None:
        decisions = decisions.filter(Q(school=school) | Q(school__isnull=True))
    return list(_report_order(decisions))


def decisions_version(department_id: int) -> tuple:
    """A cheap version of a department's decisions (one aggregate over one table): every record, edit, outcome and
    cancellation sets `updated_at`, so that a page caching what it shows of them changes with any of them."""
    decisions = ManagementDecision.objects.filter(department_id=department_id)
    found = decisions.aggregate(n=Count("pk"), last=Max("updated_at"))
    return found["n"], found["last"].isoformat() if found["last"] else ""


def decisions_key(decisions: list[ManagementDecision]) -> tuple:
    """What a page shows of these decisions, as a part of its cache key."""
    return tuple(
        (d.pk, d.status, d.due_on.isoformat(), d.updated_at.isoformat(), d.responsible, d.text, d.outcome)
        for d in decisions
    )
