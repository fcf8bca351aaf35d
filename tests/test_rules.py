"""One test per rule R1–R16, each calling the one function the rule lives in (docs/rules.md maps them); the
paths through pages and commands are tested beside the feature that uses them, listed there too.

R15 has its own section below: pages that list experts, classes or schools beside results follow codes and
names, whatever the results, and no ordering by a result field exists in the applications' code."""

import datetime
import importlib
import re
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grading.rules import recheck_cover_letter, unranked
from grading.selectors.entry import opening_from
from grading.services.distribution import works_held, works_reassign
from grading.services.entry import grading_open_check
from grading.services.retention import purge_due_at
from grading.services.scores import cell_parse, work_recompute
from grading.summaries import summaries_refresh
from procedures.models import Appointment, Participant, ParticipantCode
from procedures.selectors.participants import extra_minutes_for, participants_visible_to
from procedures.selectors.rooms import (
    close_relative_conflicts,
    expert_refusals,
    organizer_refusals,
    organizers_enough,
    release_due,
)
from procedures.services.calendar import add_working_days
from procedures.services.participants import codes_issue, participant_exempt, participants_refresh
from procedures.services.protocols import protocol_end_times
from procedures.services.staffing import appointment_remove
from schools.models import DeclaredRelative, Relation, Role
from schools.selectors import pupils_visible_to
from tests.factories import (
    PupilFactory,
    SchoolFactory,
    StaffFactory,
    make_assessment,
    make_participant,
    make_score,
    make_work,
)
from tests.procedures import conftest as procedures_fixtures
from tests.procedures.test_staffing import (
    build_classes,
    build_room,
    build_sitting,
    build_staff,
    make_participants,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

campaign = procedures_fixtures.campaign
assessment = procedures_fixtures.assessment


@pytest.fixture
def classes(school):
    return build_classes(school)


@pytest.fixture
def staff(school, classes):
    return build_staff(school, classes)


@pytest.fixture
def sitting_room(campaign, school, assessment, classes):
    sitting = build_sitting(campaign, school, assessment, classes)
    return sitting.rooms.create(room=build_room(school, "Кабинет 12"))


# R1–R3, R5, R9: staffing and rooms (procedures.selectors.rooms) ---------------------------------------------


def test_r1_an_organizer_who_teaches_a_class_of_the_room_is_refused(sitting_room, staff):
    refusals = organizer_refusals(sitting_room=sitting_room, staff=[staff["Берёзкина"], staff["Кедров"]])

    assert any("4А" in reason for reason in refusals[staff["Берёзкина"].pk])
    assert refusals[staff["Кедров"].pk] == []


def test_r2_a_room_needs_two_organizers(sitting_room, staff, coordinator):
    assert not organizers_enough(1) and organizers_enough(2)
    # the path: an organizer of a released room may not leave it with one
    first, _second = (
        Appointment.objects.create(
            duty=Appointment.Duty.ORGANIZER,
            staff=person,
            sitting_room=sitting_room,
            campaign=sitting_room.sitting.campaign,
            school=sitting_room.sitting.school,
        )
        for person in (staff["Кедров"], staff["Клёнова"])
    )
    sitting_room.released_at = datetime.datetime(2026, 4, 21, 4, 0, tzinfo=datetime.UTC)
    sitting_room.save(update_fields=["released_at"])
    with pytest.raises(ValidationError, match="не менее двух"):
        appointment_remove(appointment=first, actor=coordinator)
    assert sitting_room.organizers.count() == 2


def test_r3_an_expert_needs_three_years_or_the_administration(assessment, school, staff):
    refusals = expert_refusals(
        assessment=assessment, school=school, staff=[staff["Рябинина"], staff["Берёзкина"], staff["Дубова"]]
    )

    assert "Регламент 7.3" in refusals[staff["Рябинина"].pk][0]  # two years in primary classes
    assert refusals[staff["Берёзкина"].pk] == [] and refusals[staff["Дубова"].pk] == []


def test_r5_a_close_relative_among_the_participants_keeps_a_person_out(assessment, school, classes, staff):
    participant = make_participants(assessment, classes["4Б"], 1)[0]
    DeclaredRelative.objects.create(staff=staff["Липина"], pupil=participant.pupil, relation=Relation.PARENT)

    conflicts = close_relative_conflicts(
        assessments=[assessment], school=school, staff_ids=[staff["Липина"].pk, staff["Кедров"].pk]
    )

    assert conflicts == {(assessment.pk, staff["Липина"].pk): {"4Б"}}


def test_r9_the_lists_are_due_ten_minutes_before_the_start(sitting_room):
    sitting = sitting_room.sitting

    assert release_due(sitting) == sitting.starts_at - datetime.timedelta(minutes=10)


# R4, R10, R14, R15 (first part), R16: grading ---------------------------------------------------------------


def graded_work(assessment, school, *, code, class_name, points, expert=None):
    """A participant's work with every task scored `points` (capped at the task's maximum), totals recomputed."""
    participant = make_participant(assessment, school=school, class_name=class_name, sex="Ж", code=code, variant=1)
    work = make_work(participant, expert=expert)
    tasks = list(assessment.tasks.order_by("position"))
    scores = {}
    for task in tasks:
        cell = cell_parse(str(min(points, task.max_points)), max_points=task.max_points)
        scores[task.pk] = make_score(work, task, value=cell.value, not_attempted=False)
    work_recompute(work, tasks=tasks, scores=scores, assessment=assessment)
    work.save()
    summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])  # as the services keep them
    return work


def test_r4_a_scored_work_stays_with_its_expert(assessment, school, coordinator):
    first, second = StaffFactory(school=school), StaffFactory(school=school)
    work = graded_work(assessment, school, code="10001", class_name="4А", points=1, expert=first)
    for person in (first, second):
        Appointment.objects.create(
            duty=Appointment.Duty.EXPERT,
            staff=person,
            assessment=assessment,
            campaign=assessment.campaign,
            school=school,
        )

    assert works_held([work]) == {work.pk}
    with pytest.raises(ValidationError, match="одним экспертом"):
        works_reassign(
            assessment=assessment, school=school, participant_ids=[work.participant_id], expert=second, actor=None
        )
    work.refresh_from_db()
    assert work.expert == first


def test_r10_scores_wait_for_the_criteria_hour_of_the_day_in_the_schools_time(assessment, school):
    school.time_zone = "Asia/Yekaterinburg"
    school.save(update_fields=["time_zone"])
    opens = datetime.datetime(2026, 4, 20, 14, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Yekaterinburg"))

    with pytest.raises(ValidationError, match="14:00"):
        grading_open_check(
            assessment=assessment, school=school, class_names=["4А"], now=opens - datetime.timedelta(minutes=1)
        )
    grading_open_check(assessment=assessment, school=school, class_names=["4А"], now=opens)


def test_r14_the_cover_letter_carries_school_subject_class_expert_code_variant_total(assessment, school):
    expert = StaffFactory(school=school, last_name="Берёзкина", position="учитель начальных классов")
    work = graded_work(assessment, school, code="10042", class_name="4А", points=1, expert=expert)

    letter = dict(recheck_cover_letter(work))

    assert letter["Образовательная организация"] == school.name
    assert letter["Предмет"] == "Русский язык" and letter["Класс"] == "4А"
    assert letter["Эксперт"].startswith("Берёзкина") and letter["Должность эксперта"] == "учитель начальных классов"
    assert (letter["Код участника"], letter["Вариант"], letter["Первичный балл"]) == ("10042", "1", "12")


def test_r16_the_same_hour_is_each_schools_own(campaign, school, other_school):
    other_school.time_zone = "Europe/Moscow"
    school.time_zone = "Asia/Yekaterinburg"
    day = datetime.date(2026, 4, 21)

    moscow, yekaterinburg = (
        opening_from(day, campaign=campaign, school=other_school),
        opening_from(day, campaign=campaign, school=school),
    )

    assert moscow.hour == yekaterinburg.hour == 14
    assert moscow - yekaterinburg == datetime.timedelta(hours=2)


# R6–R8, R11–R13: participants, names, retention, working days ------------------------------------------------


@pytest.fixture
def two_works(campaign, assessment):
    return [assessment, make_assessment(campaign, code="MA-4", subject="Математика", tasks=[("1", 1, "Б")])]


def test_r6_one_five_digit_code_per_pupil_for_every_assessment(campaign, school, class_4a, two_works):
    PupilFactory.create_batch(3, school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)

    codes_issue(campaign=campaign, school=school, actor=None)

    codes = dict(ParticipantCode.objects.filter(campaign=campaign, school=school).values_list("pupil_id", "code"))
    assert len(codes) == 3 and all(re.fullmatch(r"\d{5}", code) for code in codes.values())
    for participant in Participant.objects.filter(campaign=campaign, school=school):
        assert participant.code == codes[participant.pupil_id]
    assert Participant.objects.filter(campaign=campaign, school=school).count() == 6


def test_r7_a_pupil_with_ovz_writes_thirty_minutes_longer(assessment, school):
    with_ovz = Participant(has_disability=True, extra_minutes=extra_minutes_for(has_disability=True))
    started = datetime.datetime(2026, 4, 21, 4, 0, tzinfo=datetime.UTC)

    ends, extended = protocol_end_times(started_at=started, duration=45, present=[with_ovz])

    assert extra_minutes_for(has_disability=False) == 0
    assert extended - ends == datetime.timedelta(minutes=30)


def test_r8_an_exemption_needs_a_reason_and_a_document(campaign, school, class_4a, assessment):
    PupilFactory(school_class=class_4a)
    participants_refresh(campaign=campaign, school=school, actor=None)
    participant = Participant.objects.get(campaign=campaign, school=school)

    with pytest.raises(ValidationError, match="Регламент 2.3"):
        participant_exempt(participant=participant, reason="болезнь", document="", actor=None)

    participant.refresh_from_db()
    assert participant.status == Participant.Status.WRITES


def test_r11_names_stay_in_the_school(role_users, pupil):
    assert pupils_visible_to(role_users[Role.SCHOOL_COORDINATOR]).filter(pk=pupil.pk).exists()
    for role in (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.EXPERT, Role.OBSERVER, Role.ORGANIZER):
        assert not pupils_visible_to(role_users[role]).exists(), role
        assert not participants_visible_to(role_users[role]).exists(), role


def test_r12_names_are_removed_when_the_retention_period_from_the_sitting_ends(campaign):
    campaign.retention_months = 12

    due = purge_due_at(campaign, datetime.date(2026, 4, 21))

    assert due.date() == datetime.date(2027, 4, 21) and (due.hour, due.minute) == (0, 0)


def test_r13_five_working_days_skip_weekends_and_holidays(db):
    # 24.04.2026 is a Friday; 1 May is a holiday, 2–3 May a weekend
    assert add_working_days(datetime.date(2026, 4, 24), 5) == datetime.date(2026, 5, 4)


# R15: no ranking of teachers, experts, classes or schools by results ----------------------------------------


def test_r15_unranked_orders_by_who_not_by_how_they_did(department):
    schools = [SchoolFactory(department=department, code=code) for code in ("sch3", "sch1", "sch2")]
    people = [StaffFactory(school=schools[0], last_name=name) for name in ("Яковлева", "Абрамова", "Морозова")]

    assert [s.code for s in unranked(schools, by=lambda s: s)] == ["sch1", "sch2", "sch3"]
    assert [p.last_name for p in unranked(people, by=lambda p: p)] == ["Абрамова", "Морозова", "Яковлева"]
    assert unranked(["10А", "4Б", "4А"], by=str) == ["4А", "4Б", "10А"]
    with pytest.raises(TypeError):
        unranked([("4А", 87.5)], by=lambda row: row[1])  # a figure is not who a row is about


@pytest.fixture
def planted(assessment, school, other_school):
    """Results planted against the codes: 4Б above 4А, the expert Яковлева above Абрамова, sch660002 above
    sch660001. Ordered by results, every list below would come out reversed."""
    low, high = StaffFactory(school=school, last_name="Абрамова"), StaffFactory(school=school, last_name="Яковлева")
    for i in range(3):
        graded_work(assessment, school, code=f"1000{i}", class_name="4А", points=0, expert=low)
        graded_work(assessment, school, code=f"1010{i}", class_name="4Б", points=3, expert=high)
        graded_work(assessment, other_school, code=f"2000{i}", class_name="4А", points=3)
    graded_work(assessment, school, code="10103", class_name="4Б", points=3, expert=high)  # more work done too
    return low, high


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert all(index >= 0 for index in found), (needles, found)
    return found


def test_r15_the_schools_results_list_classes_in_class_order(client, coordinator, planted, assessment, school):
    client.force_login(coordinator)
    url = reverse("grading:results_figures", args=[assessment.campaign.code, school.code, assessment.code])

    page = client.get(url)

    assert page.status_code == 200
    assert page.context["class_names"] == ["4А", "4Б"]
    assert [label for label, _figures, is_whole in page.context["groups"] if not is_whole] == ["4А", "4Б"]


def test_r15_the_grading_progress_lists_experts_by_name(client, coordinator, planted, assessment, school):
    low, high = planted
    client.force_login(coordinator)

    page = client.get(reverse("grading:school_progress", args=[assessment.campaign.code, school.code]))

    assert page.status_code == 200
    assert [e.staff for e in page.context["by_expert"]] == [low, high]
    first, second = positions(page.content.decode(), f"expert-{low.pk}-", f"expert-{high.pk}-")
    assert first < second


def test_r15_the_departments_lists_follow_school_codes(client, department_user, planted, assessment, school):
    client.force_login(department_user)

    matrix = client.get(reverse("grading:uploads", args=[assessment.campaign.code]))
    overview = client.get(reverse("reports:overview"))

    assert matrix.status_code == 200 and overview.status_code == 200
    assert [row.school.code for row in matrix.context["matrix"].rows] == ["sch660001", "sch660002"]
    first, second = positions(overview.content.decode(), "sch660001", "sch660002")
    assert first < second


RESULT_FIELDS = r"(primary_score|\bmarks?\b|mean_score|share|percent|complet|figures)"
ORDERING_BY_RESULT = [
    re.compile(r"order_by\([^)]*" + RESULT_FIELDS),
    re.compile(r"(sorted|\.sort|max|min)\([^\n]*key=[^\n]*" + RESULT_FIELDS),
    re.compile(r"dictsort(reversed)?:\"?[\w.]*" + RESULT_FIELDS),
]
APPS = ("schools", "grading", "monitoring", "reports", "templates")  # procedures holds no result figures


def test_r15_no_code_orders_rows_by_a_result_field():
    """Nothing in the applications sorts by a score, a mark, a share or a completion: lists beside results
    order by who through `unranked`, querysets by codes and names."""
    files = subprocess.run(
        ["git", "ls-files", "--", *APPS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offending = []
    for name in files:
        if not name.endswith((".py", ".html")) or "/migrations/" in name:
            continue
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), start=1):
            if any(pattern.search(line) for pattern in ORDERING_BY_RESULT):
                offending.append(f"{name}:{number}: {line.strip()}")
    assert offending == []


# docs/rules.md: every rule names its function and its tests ------------------------------------------------


def resolve(dotted: str):
    """`package.module.attr[.attr]` → the object."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def test_docs_rules_names_for_every_rule_a_function_that_says_so_and_tests_that_exist():
    rows = {}
    for line in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\| (R\d+) \|[^|]*\|([^|]*)\|([^|]*)\|$", line):
            rows[match.group(1)] = (match.group(2), match.group(3))
    assert sorted(rows, key=lambda r: int(r[1:])) == [f"R{n}" for n in range(1, 17)]
    for rule, (functions, tests) in rows.items():
        home = resolve(re.search(r"`([\w.]+)`", functions).group(1))
        assert re.search(rf"\b{rule}\b", home.__doc__ or ""), f"{rule}: the docstring of its function names it"
        references = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", tests)
        assert references, rule
        for path, name in references:
            assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"{rule}: {path}::{name}"
