"""The re-check's selection and its clock (Регламент VIII; docs/recheck.md).

The department picks school × assessment pairs for re-check, each with its reason: by hand, from a signal's case
with one click, from Rosobrnadzor's list (xlsx or csv: `Код` and an optional column of assessment codes, all or
nothing) and by a recorded lottery (a random share plus a risk-weighted share, reproducible from its seed). The
school's coordinator and technical specialist are told what to send (the works' count, the criteria of each
variant, the cover letter) and by when: `scans_due_on` is RECHECK_SCANS_WORKING_DAYS working days (a setting,
3 by default) after the selection. The department confirms receipt of the scans, which starts the clock (R13):
the commission re-checks within `recheck.working_days` (5) working days by the Russian production calendar.
`recheck_reminders` (a beat task) sends the reminder one working day before the due date and the overdue notice
after it, once each, to the department's staff and the commission's members.

Every write is audited by school and assessment code, never a pupil (R11); lists are by school code (R15).
"""

import datetime
import random
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grading.models import Work
from monitoring.models import (
    CommissionMember,
    Recheck,
    RecheckLottery,
    RecheckScan,
    RecheckSelection,
    SignalCase,
)
from monitoring.signals import signal_label
from procedures.models import Assessment, Campaign
from procedures.services.calendar import WorkingCalendar, add_working_days, working_calendar
from schools.access import Capability, department_ids_with
from schools.models import Role, School, User
from schools.services import audit_record, notifications_send
from vpr_portal.tables import InputRefused, Problem, Table, normalise_header

REASON_TEXT_MAX_LENGTH = 1000
LOTTERY_MAX = 500
SCHOOL_RECEIVING_ROLES = (Role.SCHOOL_COORDINATOR, Role.TECHNICAL_SPECIALIST)
DEPARTMENT_ROLES = (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)
CODE_COLUMN = "Код"
ASSESSMENTS_COLUMNS = ("Работы", "Оценочные процедуры", "Процедуры")


def scans_working_days() -> int:
    """How many working days after the selection the school has to send the scans (setting
    RECHECK_SCANS_WORKING_DAYS, 3 by default)."""
    return int(getattr(settings, "RECHECK_SCANS_WORKING_DAYS", 3))


# The clock (R13) ------------------------------------------------------------------------------------------------------


def recheck_due_on(received: datetime.date, working_days: int = 5) -> datetime.date:
    """R13 (Регламент 8.8): the re-check finishes within `working_days` (5) working days of the receipt of the
    scans — the last day it may finish, counted by the Russian production calendar of that year (weekends, the
    holidays of ст. 112 ТК РФ, their transfers, and the days the department entered from the Government's
    decree); the day of receipt is not counted."""
    return add_working_days(received, working_days)


def days_left(
    selection: RecheckSelection, today: datetime.date | None = None, *, calendar: WorkingCalendar | None = None
) -> int | None:
    """Working days left until the selection's due date (R13): 0 on the due date itself, 1 the working day before,
    negative when overdue (−1 from the day after the due date to the first working day after it); None before
    the receipt starts the clock."""
    due = selection.due_on
    if due is None:
        return None
    today = today or timezone.localdate()
    if today == due:
        return 0
    first, last = (today, due) if today < due else (due, today)
    calendar = calendar or working_calendar(first, last)
    day, count = first, 0
    while day < last:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    # the day after the due date is overdue even when it is a day off
    return count if today < due else -max(count, 1)


def with_days_left(selections, today: datetime.date | None = None) -> list[RecheckSelection]:
    """The selections with `left` (working days, see `days_left`) and `status` set, the calendar read once."""
    selections = list(selections)
    today = today or timezone.localdate()
    dues = [s.due_on for s in selections if s.due_on]
    calendar = working_calendar(min([today, *dues]), max([today, *dues])) if dues else None
    for selection in selections:
        selection.left = days_left(selection, today, calendar=calendar)
        selection.status = selection_status(selection, today, left=selection.left)
    return selections


def selection_status(
    selection: RecheckSelection, today: datetime.date | None = None, *, left: int | None = None
) -> str:
    """The selection's state in words for the department's list."""
    if selection.completed_at:
        return _("перепроверка завершена")
    if selection.received_at:
        left = left if left is not None else days_left(selection, today)
        return _("просрочена") if left is not None and left < 0 else _("у комиссии")
    if selection.scans_sent_at:
        return _("сканы отправлены, ждут подтверждения")
    return _("ждём сканы от школы")


# Reads ----------------------------------------------------------------------------------------------------------------


def selection_works(selection: RecheckSelection) -> QuerySet[Work]:
    """The works re-checked for a selection: the school's participants of the assessment who were present and have
    a result, by participant code (never a name, R11)."""
    return (
        Work.objects.filter(
            school_id=selection.school_id,
            assessment_id=selection.assessment_id,
            participant__absent=False,
            primary_score__isnull=False,
        )
        .select_related("participant")
        .order_by("participant__code", "pk")
    )


def selection_variants(selection: RecheckSelection) -> list[int]:
    """The variants of the selection's works: the school sends the criteria of each."""
    return sorted(
        {v for v in selection_works(selection).values_list("participant__variant", flat=True) if v is not None}
    )


def recheck_for(campaign: Campaign, *, by: User | None = None) -> Recheck:
    """The campaign's re-check, created (for the campaign's department) the first time it is asked for."""
    recheck, _created = Recheck.objects.get_or_create(
        campaign=campaign, defaults={"department_id": campaign.department_id, "created_by": by}
    )
    return recheck


def selections_of(recheck: Recheck) -> QuerySet[RecheckSelection]:
    """The re-check's selections by school code and assessment code (R15: never by a result), with their scans
    and works counted."""
    return (
        RecheckSelection.objects.filter(recheck=recheck)
        .select_related("school", "assessment", "case", "lottery", "selected_by", "received_by")
        .annotate(
            scans_count=Count("scans", filter=Q(scans__kind=RecheckScan.Kind.WORK), distinct=True),
            criteria_count=Count("scans", filter=Q(scans__kind=RecheckScan.Kind.CRITERIA), distinct=True),
        )
        .order_by("school__code", "assessment__code")
    )


STATES = {
    "waiting": gettext_lazy("ждём сканы"),
    "sent": gettext_lazy("сканы отправлены"),
    "commission": gettext_lazy("у комиссии"),
    "overdue": gettext_lazy("просрочены"),
    "completed": gettext_lazy("завершены"),
}


@dataclass(frozen=True)
class SelectionFilters:
    school: str = ""
    assessment: str = ""
    reason: str = ""
    state: str = ""


def selections_filtered(
    recheck: Recheck, filters: SelectionFilters, today: datetime.date | None = None
) -> QuerySet[RecheckSelection]:
    """The re-check's selections by the department's filters (school code, assessment code, reason, state), by
    school code (R15)."""
    today = today or timezone.localdate()
    rows = selections_of(recheck)
    if filters.school:
        rows = rows.filter(school__code__icontains=filters.school.strip())
    if filters.assessment:
        rows = rows.filter(assessment__code=filters.assessment)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    states = {
        "waiting": Q(scans_sent_at__isnull=True, received_at__isnull=True),
        "sent": Q(scans_sent_at__isnull=False, received_at__isnull=True),
        "commission": Q(received_at__isnull=False, completed_at__isnull=True, due_on__gte=today),
        "overdue": Q(received_at__isnull=False, completed_at__isnull=True, due_on__lt=today),
        "completed": Q(completed_at__isnull=False),
    }
    if filters.state in states:
        rows = rows.filter(states[filters.state])
    return rows


def selections_managed_by(user: User) -> QuerySet[RecheckSelection]:
    """The selections of the re-checks of the departments where the user holds MANAGE_RECHECK (else none: 404)."""
    return RecheckSelection.objects.filter(
        recheck__department_id__in=department_ids_with(user, Capability.MANAGE_RECHECK)
    ).select_related("recheck__campaign", "school", "assessment__subject", "case", "lottery", "received_by")


def lotteries_managed_by(user: User) -> QuerySet[RecheckLottery]:
    return RecheckLottery.objects.filter(
        recheck__department_id__in=department_ids_with(user, Capability.MANAGE_RECHECK)
    ).select_related("recheck__campaign", "created_by")


def cases_selectable_by(user: User) -> QuerySet[SignalCase]:
    """The cases of the departments where the user holds MANAGE_RECHECK: «на перепроверку» from them."""
    return SignalCase.objects.filter(
        campaign__department_id__in=department_ids_with(user, Capability.MANAGE_RECHECK)
    ).select_related("campaign", "school", "assessment")


def lottery_pairs(lottery: RecheckLottery, key: str = "drawn") -> list[tuple[School, Assessment, object]]:
    """The lottery's recorded pairs (`drawn` or `candidates`) as (school, assessment, kind or weight), in order."""
    rows = getattr(lottery, key)
    schools = School.objects.in_bulk({r[0] for r in rows})
    assessments = Assessment.objects.in_bulk({r[1] for r in rows})
    return [(schools.get(r[0]), assessments.get(r[1]), r[2]) for r in rows]


def campaign_pairs_with_results(campaign: Campaign) -> list[tuple[int, int]]:
    """(school id, assessment id) of the campaign's pairs with at least one result, by school and assessment
    code."""
    rows = (
        Work.objects.filter(assessment__campaign=campaign, participant__absent=False, primary_score__isnull=False)
        .values_list("school_id", "assessment_id", "school__code", "assessment__code")
        .distinct()
    )
    return [(s, a) for s, a, _sc, _ac in sorted(set(rows), key=lambda r: (r[2], r[3]))]


# Selection ------------------------------------------------------------------------------------------------------------


def _school_receivers(school: School) -> QuerySet[User]:
    return User.objects.filter(
        memberships__school=school,
        memberships__role__in=SCHOOL_RECEIVING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def _department_and_commission(recheck: Recheck) -> QuerySet[User]:
    """The department's staff and coordinators and the commission's members: who the clock's notices go to."""
    members = CommissionMember.objects.filter(recheck=recheck, staff__user__isnull=False).values("staff__user")
    return User.objects.filter(
        Q(
            memberships__department_id=recheck.department_id,
            memberships__role__in=DEPARTMENT_ROLES,
            memberships__is_active=True,
        )
        | Q(pk__in=members),
        is_active=True,
    ).distinct()


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the school's page is part g's
        return ""


def _label(selection: RecheckSelection) -> str:
    return f"{selection.school.code} · {selection.assessment.code}"


def selection_notify(selection: RecheckSelection) -> None:
    """Tells the school's coordinator and technical specialist what to send and by when; notes `notified_at`."""
    works = selection_works(selection).count()
    variants = selection_variants(selection)
    text = _(
        "Работы по «{assessment}» отобраны на муниципальную перепроверку ({reason}). До {due} пришлите на портале: "
        "сканы {works} работ (по кодам участников), критерии оценивания для вариантов {variants} и "
        "сопроводительное письмо (формируется на портале)."
    ).format(
        assessment=selection.assessment,
        reason=selection.get_reason_display(),
        due=date_format(selection.scans_due_on, "d.m.Y") if selection.scans_due_on else "—",
        works=works,
        variants=", ".join(str(v) for v in variants) or "—",
    )
    notifications_send(
        users=_school_receivers(selection.school),
        text=text,
        url=_url("monitoring:recheck_school", selection.school.code),
        key=f"recheck_selection:{selection.pk}:selected",
    )
    selection.notified_at = timezone.now()
    selection.save(update_fields=["notified_at"])


@transaction.atomic
def selection_add(
    recheck: Recheck,
    school: School,
    assessment: Assessment,
    reason: str,
    *,
    by: User | None,
    reason_text: str = "",
    case: SignalCase | None = None,
    lottery: RecheckLottery | None = None,
) -> RecheckSelection:
    """Selects the school × assessment for re-check with its reason (idempotent: a pair selected already is
    returned as it is) and notifies the school what to send and by when."""
    if reason not in RecheckSelection.Reason.values:
        raise ValidationError(_("Неизвестное основание отбора."))
    if school.department_id != recheck.department_id:
        raise ValidationError(_("Школа {code} не относится к управлению образования.").format(code=school.code))
    if assessment.campaign_id != recheck.campaign_id:
        raise ValidationError(_("Процедура {code} не относится к этой кампании.").format(code=assessment.code))
    reason_text = (reason_text or "").strip()
    if len(reason_text) > REASON_TEXT_MAX_LENGTH:
        raise ValidationError(_("Пояснение длиннее {n} символов.").format(n=REASON_TEXT_MAX_LENGTH))
    existing = RecheckSelection.objects.filter(recheck=recheck, school=school, assessment=assessment).first()
    if existing is not None:
        return existing
    now = timezone.now()
    selection, created = RecheckSelection.objects.get_or_create(
        recheck=recheck,
        school=school,
        assessment=assessment,
        defaults={
            "reason": reason,
            "reason_text": reason_text,
            "case": case,
            "lottery": lottery,
            "selected_at": now,
            "selected_by": by,
            "scans_due_on": add_working_days(timezone.localdate(now), scans_working_days()),
        },
    )
    if not created:
        return selection
    audit_record(
        actor=by,
        action="recheck.selected",
        target=selection,
        target_label=_label(selection),
        school=school,
        department=recheck.department,
        after={"reason": reason, "reason_text": reason_text, "case": case.pk if case else None},
    )
    selection_notify(selection)
    return selection


def _required_reason_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Укажите основание отбора."))
    return text


def selection_add_manual(
    recheck: Recheck, *, school_code: str, assessment_code: str, reason_text: str, by: User
) -> RecheckSelection:
    """The department's own choice of a pair, with its reason written (required)."""
    reason_text = _required_reason_text(reason_text)
    school = School.objects.filter(department_id=recheck.department_id, code=(school_code or "").strip()).first()
    if school is None:
        raise ValidationError(_("Школа с кодом «{code}» не найдена.").format(code=school_code))
    assessment = recheck.campaign.assessments.filter(code=(assessment_code or "").strip()).first()
    if assessment is None:
        raise ValidationError(_("Процедура «{code}» не найдена в кампании.").format(code=assessment_code))
    if RecheckSelection.objects.filter(recheck=recheck, school=school, assessment=assessment).exists():
        raise ValidationError(
            _("{school} · {assessment} уже отобрана.").format(school=school.code, assessment=assessment.code)
        )
    return selection_add(recheck, school, assessment, RecheckSelection.Reason.MANUAL, by=by, reason_text=reason_text)


def selection_from_case(case: SignalCase, *, by: User) -> tuple[RecheckSelection, bool]:
    """«На перепроверку» from a case: the case's school × assessment selected for its signal, the case linked.
    Returns (selection, whether it was selected now)."""
    recheck = recheck_for(case.campaign, by=by)
    existing = RecheckSelection.objects.filter(recheck=recheck, school=case.school, assessment=case.assessment).first()
    if existing is not None:
        return existing, False
    text = _("Разбор №{pk}: {kind}").format(pk=case.pk, kind=signal_label(case.kind))
    selection = selection_add(
        recheck, case.school, case.assessment, RecheckSelection.Reason.SIGNAL, by=by, reason_text=text, case=case
    )
    return selection, True


# Rosobrnadzor's list --------------------------------------------------------------------------------------------------


@dataclass
class ListRow:
    row: int
    school_code: str
    assessment_codes: list[str] = field(default_factory=list)


def parse_rosobrnadzor_list(table: Table) -> list[ListRow]:
    """Rows of Rosobrnadzor's list: `Код` (the school's code) and an optional column of assessment codes
    («RU-4, MA-5»; empty: all the school's assessments of the campaign). Pure; refuses naming every problem."""
    index = table.column_index()
    code_at = index.get(normalise_header(CODE_COLUMN))
    if code_at is None:
        raise InputRefused([Problem(_("обязательный столбец отсутствует в файле"), column=CODE_COLUMN)])
    codes_at, codes_name = None, ""
    for name in ASSESSMENTS_COLUMNS:
        if normalise_header(name) in index:
            codes_at, codes_name = index[normalise_header(name)], name
            break
    rows, problems, seen = [], [], {}
    for number, cells in table.rows:
        code = cells[code_at].strip() if code_at < len(cells) else ""
        if not code:
            problems.append(Problem(_("не указан код школы"), row=number, column=CODE_COLUMN))
            continue
        if code in seen:
            problems.append(
                Problem(_("школа {code} уже указана в строке {row}").format(code=code, row=seen[code]), row=number)
            )
            continue
        seen[code] = number
        raw = cells[codes_at] if codes_at is not None and codes_at < len(cells) else ""
        assessment_codes = [c.strip() for c in re.split(r"[,;\s]+", raw) if c.strip()]
        rows.append(ListRow(row=number, school_code=code, assessment_codes=assessment_codes))
        if codes_name and len(assessment_codes) != len(set(assessment_codes)):
            problems.append(Problem(_("процедура указана дважды"), row=number, column=codes_name))
    if not rows and not problems:
        problems.append(Problem(_("в файле нет ни одной школы")))
    if problems:
        raise InputRefused(problems)
    return rows


def resolve_rosobrnadzor_list(recheck: Recheck, rows: list[ListRow]) -> list[tuple[School, Assessment]]:
    """The pairs the list names, checked against the department's schools and the campaign's assessments; refuses
    naming every problem."""
    schools = {s.code: s for s in School.objects.filter(department_id=recheck.department_id)}
    assessments = {a.code: a for a in recheck.campaign.assessments.all()}
    with_results: dict[int, list[int]] = {}
    for school_id, assessment_id in campaign_pairs_with_results(recheck.campaign):
        with_results.setdefault(school_id, []).append(assessment_id)
    by_id = {a.pk: a for a in assessments.values()}
    pairs, problems = [], []
    for row in rows:
        school = schools.get(row.school_code)
        if school is None:
            problems.append(
                Problem(
                    _("школа с кодом {code} не найдена").format(code=row.school_code), row=row.row, column=CODE_COLUMN
                )
            )
            continue
        if row.assessment_codes:
            unknown = [c for c in row.assessment_codes if c not in assessments]
            if unknown:
                problems.append(
                    Problem(
                        _("нет в кампании процедур: {codes}").format(codes=", ".join(unknown)),
                        row=row.row,
                        column=ASSESSMENTS_COLUMNS[0],
                    )
                )
                continue
            pairs += [(school, assessments[c]) for c in row.assessment_codes]
        else:
            found = [by_id[a] for a in with_results.get(school.pk, [])]
            if not found:
                problems.append(
                    Problem(_("у школы {code} нет результатов в кампании").format(code=school.code), row=row.row)
                )
            pairs += [(school, a) for a in found]
    if problems:
        raise InputRefused(problems)
    return pairs


@transaction.atomic
def rosobrnadzor_list_import(recheck: Recheck, table: Table, *, filename: str, by: User) -> list[RecheckSelection]:
    """Selects every pair of Rosobrnadzor's list (reason «список Рособрнадзора»), all or nothing; pairs selected
    already stay as they are."""
    pairs = resolve_rosobrnadzor_list(recheck, parse_rosobrnadzor_list(table))
    text = _("Список Рособрнадзора: {name}").format(name=filename)[:REASON_TEXT_MAX_LENGTH]
    return [
        selection_add(recheck, school, assessment, RecheckSelection.Reason.ROSOBRNADZOR, by=by, reason_text=text)
        for school, assessment in pairs
    ]


# The lottery ----------------------------------------------------------------------------------------------------------


def lottery_draw(candidates: list[list[int]], seed: str, random_count: int, risk_count: int) -> list[list]:
    """The draw from `candidates` [[school id, assessment id, weight], …] (in their order) under `seed`: first
    `random_count` pairs uniformly, then `risk_count` of the rest with probability proportional to their weight.
    Pure and deterministic: the same candidates and seed give the same draw."""
    rng = random.Random(seed)
    pool = list(range(len(candidates)))
    drawn: list[list] = []
    for position in sorted(rng.sample(pool, min(random_count, len(pool)))):
        drawn.append([candidates[position][0], candidates[position][1], "random"])
        pool.remove(position)
    for _i in range(min(risk_count, len(pool))):
        weights = [candidates[p][2] for p in pool]
        (position,) = rng.choices(pool, weights=weights, k=1)
        drawn.append([candidates[position][0], candidates[position][1], "risk"])
        pool.remove(position)
    return drawn


def lottery_candidates(recheck: Recheck) -> list[list[int]]:
    """The pairs with results not selected yet, by school and assessment code, each with its weight: 1 + the
    number of the pair's signals flagged now (cases with the signal present)."""
    selected = set(RecheckSelection.objects.filter(recheck=recheck).values_list("school_id", "assessment_id"))
    counts: dict[tuple[int, int], int] = {}
    for school_id, assessment_id in SignalCase.objects.filter(
        campaign=recheck.campaign, signal_present=True
    ).values_list("school_id", "assessment_id"):
        counts[(school_id, assessment_id)] = counts.get((school_id, assessment_id), 0) + 1
    return [
        [s, a, 1 + counts.get((s, a), 0)]
        for s, a in campaign_pairs_with_results(recheck.campaign)
        if (s, a) not in selected
    ]


@transaction.atomic
def lottery_run(recheck: Recheck, *, random_count: int, risk_count: int, by: User) -> RecheckLottery:
    """Draws and records a lottery (seed from `secrets`, the candidates and the draw kept: anyone can repeat it),
    and selects the pairs drawn (reason «жеребьёвка»)."""
    if random_count < 0 or risk_count < 0 or random_count + risk_count == 0:
        raise ValidationError(_("Укажите, сколько пар отобрать случайно и сколько с учётом риска."))
    if random_count + risk_count > LOTTERY_MAX:
        raise ValidationError(_("За одну жеребьёвку можно отобрать не больше {n} пар.").format(n=LOTTERY_MAX))
    Recheck.objects.select_for_update().get(pk=recheck.pk)
    candidates = lottery_candidates(recheck)
    if not candidates:
        raise ValidationError(_("Нет пар «школа × процедура» с результатами, которые ещё не отобраны."))
    seed = secrets.token_hex(16)
    drawn = lottery_draw(candidates, seed, random_count, risk_count)
    lottery = RecheckLottery.objects.create(
        recheck=recheck,
        seed=seed,
        random_count=random_count,
        risk_count=risk_count,
        candidates=candidates,
        drawn=drawn,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="recheck.lottery",
        target=lottery,
        target_label=str(recheck.campaign),
        department=recheck.department,
        after={"seed": seed, "random_count": random_count, "risk_count": risk_count, "drawn": len(drawn)},
    )
    schools = School.objects.in_bulk({s for s, _a, _k in drawn})
    assessments = Assessment.objects.in_bulk({a for _s, a, _k in drawn})
    for school_id, assessment_id, kind in drawn:
        text = _("Жеребьёвка {seed}: случайно") if kind == "random" else _("Жеребьёвка {seed}: с учётом риска")
        selection_add(
            recheck,
            schools[school_id],
            assessments[assessment_id],
            RecheckSelection.Reason.LOTTERY,
            by=by,
            reason_text=text.format(seed=seed[:8]),
            lottery=lottery,
        )
    return lottery


def lottery_repeats(lottery: RecheckLottery) -> bool:
    """Whether the recorded draw follows from its seed and candidates (what the department shows)."""
    return lottery_draw(lottery.candidates, lottery.seed, lottery.random_count, lottery.risk_count) == lottery.drawn


# Receipt and the clock's notices --------------------------------------------------------------------------------------


@transaction.atomic
def receipt_confirm(selection: RecheckSelection, *, by: User) -> RecheckSelection:
    """The department confirms it received the school's scans: the clock starts (R13, `due_on` counted by
    `recheck_due_on`). Only once the school has sent them (or, at least, uploaded the scans); only once."""
    selection = (
        RecheckSelection.objects.select_for_update()
        .select_related("recheck", "school", "assessment")
        .get(pk=selection.pk)
    )
    if selection.received_at is not None:
        raise ValidationError(_("Получение уже подтверждено."))
    if selection.scans_sent_at is None and not selection.scans.exists():
        raise ValidationError(_("Школа ещё не прислала сканы: подтверждать нечего."))
    now = timezone.now()
    selection.received_at = now
    selection.received_by = by
    selection.due_on = recheck_due_on(timezone.localdate(now), selection.recheck.working_days)
    selection.save(update_fields=["received_at", "received_by", "due_on"])
    audit_record(
        actor=by,
        action="recheck.received",
        target=selection,
        target_label=_label(selection),
        school=selection.school,
        department=selection.recheck.department,
        after={"received_at": now, "due_on": selection.due_on},
    )
    notifications_send(
        users=_school_receivers(selection.school),
        text=_("Управление образования получило сканы по «{assessment}»; перепроверка до {due}.").format(
            assessment=selection.assessment, due=date_format(selection.due_on, "d.m.Y")
        ),
        url=_url("monitoring:recheck_school", selection.school.code),
        key=f"recheck_selection:{selection.pk}:received",
    )
    return selection


@dataclass
class RemindersSent:
    reminded: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def recheck_reminders_send(today: datetime.date | None = None) -> RemindersSent:
    """Once each per selection (R13's clock): the reminder on the working day before the due date (or the due date
    itself, if the day before was missed) and the overdue notice once the due date has passed with the re-check not
    completed; to the department's staff and the commission's members. Safe to run any number of times."""
    today = today or timezone.localdate()
    sent = RemindersSent()
    open_ = RecheckSelection.objects.filter(due_on__isnull=False, completed_at__isnull=True).filter(
        Q(reminded_at__isnull=True, due_on__gte=today) | Q(overdue_notified_at__isnull=True, due_on__lt=today)
    )
    for pk in open_.values_list("pk", flat=True):
        with transaction.atomic():
            selection = (
                RecheckSelection.objects.select_for_update()
                .select_related("recheck", "school", "assessment")
                .get(pk=pk)
            )
            if selection.completed_at is not None:
                continue
            left = days_left(selection, today)
            url = _url("monitoring:recheck_selection", selection.pk)
            users = _department_and_commission(selection.recheck)
            due = date_format(selection.due_on, "d.m.Y")
            if left is not None and left < 0 and selection.overdue_notified_at is None:
                notifications_send(
                    users=users,
                    text=_("Перепроверка {label} просрочена: срок истёк {due}.").format(
                        label=_label(selection), due=due
                    ),
                    url=url,
                    key=f"recheck_selection:{selection.pk}:overdue",
                )
                selection.overdue_notified_at = timezone.now()
                selection.save(update_fields=["overdue_notified_at"])
                sent.overdue.append(selection.pk)
            elif left is not None and 0 <= left <= 1 and selection.reminded_at is None:
                notifications_send(
                    users=users,
                    text=_("Перепроверку {label} нужно завершить до {due} включительно.").format(
                        label=_label(selection), due=due
                    ),
                    url=url,
                    key=f"recheck_selection:{selection.pk}:reminder",
                )
                selection.reminded_at = timezone.now()
                selection.save(update_fields=["reminded_at"])
                sent.reminded.append(selection.pk)
    return sent
