"""The demo's municipal re-check (перепроверка, Регламент VIII; docs/recheck.md) of ВПР-2026, finished, built
through the portal's own services (their audit entries are real; the dates are then set back to May 2026):

- two school × assessment pairs selected: sch660003 RU-6 from its high-results case («На перепроверку») and
  sch660005 MA-5 drawn by a recorded lottery (its seed repeats the draw); both schools were told what to send,
  uploaded the scans of their works (small generated PDFs carrying the participant's code only) and the criteria
  of each variant, and sent them; the department confirmed receipt, which set the five working days (R13);
- the commission approved by the department's order: `expert_mun` (a teacher of Russian at sch660004, a member
  of the municipal subject commission) and two experts of other schools' staff — a deputy director of sch660009
  (the chair) and a teacher of mathematics of sch660007 (accounts without a password) — none of a re-checked
  school (R4); the works distributed among them evenly;
- every work scored blind and submitted; sch660003's RU-6 marks fall for about a third of the works (the
  `recheck_delta` signal is flagged there and its case opens); those works and one MA-5 work where a task differed
  by two points went to a third expert of the commission, who decided the final result; sch660005's MA-5 agrees
  closely. The original results (those sent to ФИС ОКО) are left as they were.

ВПР-2026 was replayed without a distribution of works (its results came in by the results form), so the
re-checked works get their original experts here: two qualified teachers of the school's own staff.

Later, sch660010's RU-8 came from Rosobrnadzor's list: selected a week before the day the demo is built for,
its scans received the working day before it (due five working days later), its works distributed; the deputy
director submitted hers, `expert_mun` has scored about two thirds of hers and has the rest to score.

Idempotent: each part is skipped once its selection exists, so a second build adds nothing.
"""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grading.models import Score, Work
from monitoring.cases import cases_open
from monitoring.commission import (
    commission_approve,
    member_add,
    third_experts_auto,
    work_submit,
    works_distribute,
)
from monitoring.models import (
    CommissionMember,
    Recheck,
    RecheckLottery,
    RecheckScan,
    RecheckScore,
    RecheckScoreChange,
    RecheckSelection,
    RecheckWork,
    SignalCase,
)
from monitoring.recheck import (
    lottery_candidates,
    lottery_draw,
    receipt_confirm,
    recheck_due_on,
    recheck_for,
    scans_working_days,
    selection_add,
    selection_from_case,
    selection_variants,
    selection_works,
)
from monitoring.recheck_scans import scan_upload, scans_send, scans_upload_batch
from procedures.models import Assessment, Campaign, Task
from procedures.services.calendar import add_working_days, is_working_day
from schools.models import Department, Membership, Notification, Role, School, Staff, StaffSubject, Subject, User
from schools.notification_counts import notices_changed
from schools.services import audit_record

from .cases import _school_coordinator

FINISHED = "VPR-2026"
LARGE = ("sch660003", "RU-6")  # the high-results case's pair: the commission lowers a third of its marks
CLOSE = ("sch660005", "MA-5")  # drawn by lottery: the commission agrees closely
# From Rosobrnadzor's list, received the working day before the build: expert_mun has works left to score.
IN_PROGRESS = ("sch660010", "RU-8")
ROSOBRNADZOR = "Перечень ОО с признаками необъективных результатов ВПР-2026 (письмо Рособрнадзора)"
ORIGINAL_EXPERTS = {LARGE: ("Тихомирова", "Вишневская"), CLOSE: ("Сорокин", "Горбунов")}
# expert_mun's staff record: (school, last name, first name, middle name, position, subject, years)
EXPERT_MUN = ("sch660004", "Орлова", "Наталья", "Юрьевна", "учитель русского языка и литературы", "Русский язык", 19)
OTHERS = (("sch660009", "Беляева"), ("sch660007", "Шевченко"))  # (school, surname): the chair first
ORDER = "Приказ управления образования от 20.05.2026 № 118-од «О составе муниципальной комиссии по перепроверке»"
LOTTERY_SEED = "vpr-2026-recheck-{n}"  # the first n whose draw of one pair is CLOSE's

SELECTED = datetime.date(2026, 5, 19)
APPROVED = datetime.date(2026, 5, 20)
SENT = datetime.date(2026, 5, 21)
RECEIVED = datetime.date(2026, 5, 22)
SCORED = datetime.date(2026, 5, 26)
DECIDED = datetime.date(2026, 5, 28)
DECISION = "Баллы выставлены по критериям оценивания варианта; итог комиссии — по баллам третьего эксперта."


def _at(day: datetime.date, hour: int, school: School) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=school.tzinfo)


def scan_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text: the demo's stand-in for a scanned work (codes, no names)."""
    text = (
        "BT /F1 14 Tf 72 760 Td 18 TL "
        + " ".join(
            "({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")) for line in lines
        )
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


def _lowered(points: dict[int, int], tasks: list[Task], by: int) -> dict[int, int]:
    """The points with `by` taken away, one at a time from the tasks that have the most, in the tasks' order."""
    result = dict(points)
    for _step in range(by):
        task = max((t for t in tasks if result[t.pk] > 0), key=lambda t: result[t.pk], default=None)
        if task is None:
            break
        result[task.pk] -= 1
    return result


def _rescore(assessment: Assessment, works: list[Work], *, large: bool, rng: random.Random):
    """work id → (first round's points, third round's points or None): the commission's blind scores. `large`
    lowers the marks of about a third of the works (the points above the mark's lower bound and one more);
    otherwise most works agree, some differ by a point keeping their mark, and one task of one work by two."""
    tasks = list(assessment.tasks.order_by("position"))
    bounds = sorted(int(v) for v in assessment.scale.values())
    originals: dict[int, dict[int, int]] = {w.pk: {} for w in works}
    for work_id, task_id, value in Score.objects.filter(work__in=works).values_list("work_id", "task_id", "value"):
        originals[work_id][task_id] = value or 0
    result = {}
    two_points_done = False
    for work in works:
        points = {t.pk: originals[work.pk].get(t.pk, 0) for t in tasks}
        total = sum(points.values())
        floor = max((b for b in bounds if b <= total), default=None)
        first = points
        if large and floor is not None and total - floor + 1 <= 3 and rng.random() < 0.75:
            first = _lowered(points, tasks, total - floor + 1)
        elif floor is not None and total - 1 >= floor and rng.random() < 0.2:
            first = _lowered(points, tasks, 1)
        elif not large and not two_points_done and floor is not None and total - 2 >= floor:
            high = [t for t in tasks if t.max_points >= 2 and points[t.pk] >= 2]
            if high:
                first = dict(points)
                first[high[0].pk] -= 2
                two_points_done = True
        mark_changes = assessment.mark_for(sum(first.values())) != assessment.mark_for(total)
        diverges = any(abs(first[t.pk] - points[t.pk]) >= 2 for t in tasks)
        third = None
        if mark_changes or diverges:
            third = dict(first)
            if diverges and not mark_changes:  # the third expert takes one of the two points back
                task_id = next(t.pk for t in tasks if abs(first[t.pk] - points[t.pk]) >= 2)
                third[task_id] += 1
        result[work.pk] = (first, third)
    return tasks, result


def _expert_account(staff: Staff, username: str, *, department: Department) -> User:
    """The staff member's account as a commission expert (a role expert held in the department), linked to the
    staff record; made without a password when the demo has no log-in of its own for them."""
    user = staff.user or User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            last_name=staff.last_name,
            first_name=staff.first_name,
            middle_name=staff.middle_name,
            position=staff.position,
        )
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(user=user, role=Role.EXPERT, school=None, department=department)
    if staff.user_id is None:
        staff.user = user
        staff.save(update_fields=["user"])
    return user


def _commission_staff(department: Department) -> list[Staff]:
    """expert_mun's staff record (made at her school when missing) and the two other experts', the chair first."""
    school_code, last, first, middle, position, subject, years = EXPERT_MUN
    mun = User.objects.get(username="expert_mun")
    staff = Staff.objects.filter(user=mun).first()
    if staff is None:
        staff = Staff.objects.create(
            school=School.objects.get(code=school_code),
            user=mun,
            last_name=last,
            first_name=first,
            middle_name=middle,
            position=position,
            experience_years=years,
        )
    StaffSubject.objects.get_or_create(
        staff=staff, subject=Subject.objects.get(name=subject), defaults={"experience_years": years}
    )
    others = []
    for code, surname in OTHERS:
        other = Staff.objects.filter(school__code=code, last_name=surname).order_by("pk").first()
        _expert_account(other, f"expert-{code}", department=department)
        others.append(other)
    return [*others, staff]


def _original_experts(school: School, assessment: Assessment, surnames: tuple[str, ...]) -> None:
    """Gives the pair's works without an expert their original experts (two teachers of the school), alternately."""
    experts = [Staff.objects.filter(school=school, last_name=name).order_by("pk").first() for name in surnames]
    works = list(Work.objects.filter(school=school, assessment=assessment, expert__isnull=True).order_by("pk"))
    for number, work in enumerate(works):
        work.expert = experts[number % len(experts)]
    Work.objects.bulk_update(works, ["expert"])


def _lottery(recheck: Recheck, school: School, assessment: Assessment, uo: User) -> RecheckLottery:
    """A recorded draw of one pair (monitoring.recheck.lottery_draw over the candidates of the day) whose seed
    draws `school` × `assessment`: anyone can repeat it (`lottery_repeats`)."""
    candidates = lottery_candidates(recheck)
    for n in range(10_000):
        seed = LOTTERY_SEED.format(n=n)
        drawn = lottery_draw(candidates, seed, 1, 0)
        if drawn[0][:2] == [school.pk, assessment.pk]:
            break
    lottery = RecheckLottery.objects.create(
        recheck=recheck, seed=seed, random_count=1, risk_count=0, candidates=candidates, drawn=drawn, created_by=uo
    )
    audit_record(
        actor=uo,
        action="recheck.lottery",
        target=lottery,
        target_label=str(recheck.campaign),
        department=recheck.department,
        after={"seed": seed, "random": 1, "risk": 0, "candidates": len(candidates)},
    )
    selection_add(
        recheck,
        school,
        assessment,
        RecheckSelection.Reason.LOTTERY,
        by=uo,
        reason_text=f"Жеребьёвка {seed}: случайно",
        lottery=lottery,
    )
    return lottery


def _send_scans(selection: RecheckSelection) -> None:
    """The school's coordinator uploads a scan of each work (named by its code) and the criteria of each
    variant, and sends them."""
    coordinator = _school_coordinator(selection.school)
    header = f"{selection.recheck.campaign.code} {selection.assessment.code} {selection.school.code}"
    uploads = [
        SimpleUploadedFile(
            f"{work.participant.code}.pdf",
            scan_pdf([header, f"Participant code {work.participant.code}", "Demo scan: no real work"]),
            content_type="application/pdf",
        )
        for work in selection_works(selection)
    ]
    scans_upload_batch(selection=selection, uploads=uploads, by=coordinator)
    for variant in selection_variants(selection):
        upload = SimpleUploadedFile(
            f"criteria-{variant}.pdf",
            scan_pdf([header, f"Criteria of variant {variant}", "Demo scan"]),
            content_type="application/pdf",
        )
        scan_upload(selection=selection, upload=upload, by=coordinator, variant=variant)
    scans_send(selection=selection, by=coordinator)


def _score(recheck_work: RecheckWork, round_: str, points: dict[int, int], tasks: list[Task], user: User) -> None:
    """The round's points of every task as the expert enters them in the grid (the score and its history)."""
    now = timezone.now()
    RecheckScore.objects.bulk_create(
        RecheckScore(
            recheck_work=recheck_work, round=round_, task=t, value=points[t.pk], version=1, updated_at=now,
            updated_by=user,
        )
        for t in tasks
    )  # fmt: skip
    RecheckScoreChange.objects.bulk_create(
        RecheckScoreChange(
            recheck_work=recheck_work, round=round_, task=t, old="", new=str(points[t.pk]),
            source=RecheckScoreChange.Source.GRID, changed_at=now, changed_by=user,
        )
        for t in tasks
    )  # fmt: skip


def _backdate(recheck: Recheck, selections: list[RecheckSelection], notices_after: int) -> None:
    """Sets the re-check's moments back to May 2026, when it happened (the build runs months later)."""
    school = selections[0].school
    Recheck.objects.filter(pk=recheck.pk).update(
        created_at=_at(SELECTED, 10, school), commission_approved_at=_at(APPROVED, 12, school)
    )
    RecheckLottery.objects.filter(recheck=recheck).update(created_at=_at(SELECTED, 10, school))
    CommissionMember.objects.filter(recheck=recheck).update(added_at=_at(APPROVED, 11, school))
    for selection in selections:
        at = selection.school
        RecheckSelection.objects.filter(pk=selection.pk).update(
            selected_at=_at(SELECTED, 11, at),
            notified_at=_at(SELECTED, 11, at),
            scans_due_on=add_working_days(SELECTED, scans_working_days()),
            scans_sent_at=_at(SENT, 15, at),
            received_at=_at(RECEIVED, 10, at),
            due_on=recheck_due_on(RECEIVED, recheck.working_days),
            completed_at=_at(DECIDED, 17, at),
        )
        RecheckScan.objects.filter(selection=selection).update(uploaded_at=_at(SENT, 14, at))
        works = RecheckWork.objects.filter(selection=selection)
        works.update(scored_at=_at(SCORED, 12, at))
        works.filter(third_expert__isnull=True).update(decided_at=_at(SCORED, 12, at))
        works.filter(third_expert__isnull=False).update(decided_at=_at(DECIDED, 12, at))
        RecheckScore.objects.filter(recheck_work__in=works, round="first").update(updated_at=_at(SCORED, 11, at))
        RecheckScore.objects.filter(recheck_work__in=works, round="third").update(updated_at=_at(DECIDED, 11, at))
        changes = RecheckScoreChange.objects.filter(recheck_work__in=works)
        changes.filter(round="first").update(changed_at=_at(SCORED, 11, at))
        changes.filter(round="third").update(changed_at=_at(DECIDED, 11, at))
    # the notices of a re-check finished in May were read then
    done = _at(DECIDED, 18, school)
    read = Notification.objects.filter(pk__gt=notices_after)
    readers = set(read.values_list("user_id", flat=True))
    read.update(created_at=done, read_at=done)
    notices_changed(readers)  # their cached unread counts are not current


def seed_recheck(*, department: Department, today: datetime.date | None = None) -> int:
    """Builds ВПР-2026's re-check (module docstring): the finished part and the one in progress on `today` (the
    day the demo is built for); returns how many works it holds."""
    campaign = Campaign.objects.filter(department=department, code=FINISHED).first()
    if campaign is None:
        return 0
    uo = User.objects.get(username="uo")
    recheck = recheck_for(campaign, by=uo)
    if not recheck.selections.exists():
        _seed_finished(recheck, department, uo)
    _seed_in_progress(recheck, uo, today or timezone.localdate())
    return RecheckWork.objects.filter(selection__recheck=recheck).count()


def _seed_finished(recheck: Recheck, department: Department, uo: User) -> None:
    campaign = recheck.campaign
    notices_after = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(f"{FINISHED}:recheck")
    pairs = []
    for code, assessment_code in (LARGE, CLOSE):
        school = School.objects.get(code=code)
        assessment = Assessment.objects.get(campaign=campaign, code=assessment_code)
        _original_experts(school, assessment, ORIGINAL_EXPERTS[(code, assessment_code)])
        _school_coordinator(school)  # the school's notices go to its coordinator
        pairs.append((school, assessment))

    (large_school, large_assessment), (close_school, close_assessment) = pairs
    case = SignalCase.objects.filter(
        campaign=campaign, school=large_school, assessment=large_assessment, kind="high_results"
    ).first()
    if case is not None:
        large, _now = selection_from_case(case, by=uo)
    else:
        large = selection_add(recheck, large_school, large_assessment, RecheckSelection.Reason.MANUAL, by=uo,
                              reason_text="Высокие результаты RU-6.")  # fmt: skip
    _lottery(recheck, close_school, close_assessment, uo)
    selections = list(recheck.selections.select_related("school", "assessment", "recheck__campaign").order_by("pk"))
    for selection in selections:
        _send_scans(selection)
        receipt_confirm(selection, by=uo)

    for number, staff in enumerate(_commission_staff(department)):
        member_add(recheck, staff, by=uo, is_chair=number == 0)
    commission_approve(recheck, order=ORDER, by=uo)
    works_distribute(recheck, by=uo)

    thirds = {}
    for selection in selections:
        works = list(Work.objects.filter(recheck__selection=selection).select_related("participant"))
        tasks, scores = _rescore(selection.assessment, works, large=selection.pk == large.pk, rng=rng)
        for recheck_work in RecheckWork.objects.filter(selection=selection).select_related("expert__staff__user"):
            first, third = scores[recheck_work.work_id]
            _score(recheck_work, RecheckScore.Round.FIRST, first, tasks, recheck_work.expert.staff.user)
            work_submit(recheck_work, by=recheck_work.expert.staff.user)
            thirds[recheck_work.pk] = (tasks, third or first)
    third_experts_auto(recheck, by=uo)
    for recheck_work in RecheckWork.objects.filter(
        selection__recheck=recheck, status=RecheckWork.Status.ADJUDICATION
    ).select_related("third_expert__staff__user"):
        tasks, points = thirds[recheck_work.pk]
        user = recheck_work.third_expert.staff.user
        _score(recheck_work, RecheckScore.Round.THIRD, points, tasks, user)
        work_submit(recheck_work, by=user, note=DECISION)

    _backdate(recheck, selections, notices_after)
    for school, assessment in pairs:
        cases_open(assessment=assessment, now=_at(DECIDED, 17, school))


def _working_day_before(day: datetime.date) -> datetime.date:
    day -= datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _seed_in_progress(recheck: Recheck, uo: User, today: datetime.date) -> None:
    """sch660010's RU-8 from Rosobrnadzor's list, received the working day before `today`: expert_mun has about
    a third of her works left to score (module docstring)."""
    school = School.objects.get(code=IN_PROGRESS[0])
    assessment = Assessment.objects.get(campaign=recheck.campaign, code=IN_PROGRESS[1])
    if RecheckSelection.objects.filter(recheck=recheck, school=school, assessment=assessment).exists():
        return
    rng = random.Random(f"{FINISHED}:recheck:{school.code}")
    _original_experts(school, assessment, ("Сергеева", "Черных"))
    _school_coordinator(school)
    selection = selection_add(
        recheck, school, assessment, RecheckSelection.Reason.ROSOBRNADZOR, by=uo, reason_text=ROSOBRNADZOR
    )
    _send_scans(selection)
    receipt_confirm(selection, by=uo)
    works_distribute(recheck, by=uo)
    works = list(Work.objects.filter(recheck__selection=selection).select_related("participant"))
    tasks, scores = _rescore(assessment, works, large=False, rng=rng)
    mine = RecheckWork.objects.filter(selection=selection).select_related("expert__staff__user")
    for recheck_work in mine.exclude(expert__staff__user__username="expert_mun"):
        user = recheck_work.expert.staff.user
        _score(recheck_work, RecheckScore.Round.FIRST, scores[recheck_work.work_id][0], tasks, user)
        work_submit(recheck_work, by=user)
    hers = list(mine.filter(expert__staff__user__username="expert_mun").order_by("work__participant__code"))
    for recheck_work in hers[: len(hers) * 2 // 3]:
        _score(
            recheck_work,
            RecheckScore.Round.FIRST,
            scores[recheck_work.work_id][0],
            tasks,
            recheck_work.expert.staff.user,
        )
    received = _working_day_before(today)
    selected = received - datetime.timedelta(days=7)
    RecheckSelection.objects.filter(pk=selection.pk).update(
        selected_at=_at(selected, 11, school),
        notified_at=_at(selected, 11, school),
        scans_due_on=add_working_days(selected, scans_working_days()),
        scans_sent_at=_at(received - datetime.timedelta(days=1), 15, school),
        received_at=_at(received, 10, school),
        due_on=recheck_due_on(received, recheck.working_days),
    )
