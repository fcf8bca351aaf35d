"""The demo municipality as `seed_demo` builds it, built once for the module on the test database: idempotent,
three finished campaigns with complete results and cohorts, a planted pattern for each kind of objectivity
signal (checked with simple computations on the scores), the campaign in preparation, the training campaign
going on today, and work for every demo log-in."""

import datetime
import math
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from grading.models import Score, ScoreChange, Work
from monitoring.models import RecheckWork
from monitoring.signals import assessment_signals
from procedures.models import Campaign, Participant, RoomProtocol, SchoolOrder, Seat
from reports.demo.build import build_demo
from reports.demo.patterns import PATTERNS
from reports.demo.registry import SCHOOLS, USERS
from schools.models import Pupil, School, SchoolClass, Staff, User

TODAY = datetime.date(2026, 11, 29)
FINISHED = ["VPR-2024", "VPR-2025", "VPR-2026"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            built = build_demo(today=TODAY)
            yield built
            transaction.set_rollback(True)


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (School, SchoolClass, Pupil, User, Campaign, Participant, Work, Score, ScoreChange, Seat)
    }


def test_the_build_reports_one_line(demo):
    assert "\n" not in demo.line
    assert "школ 12" in demo.line and "ВПР-2026" in demo.line and "Апробация" in demo.line


@pytest.mark.django_db
def test_a_second_build_changes_nothing(demo):
    before = snapshot()
    again = build_demo(today=TODAY + datetime.timedelta(days=1))
    assert again.counts["created"] == 0
    assert snapshot() == before
    assert again.campaigns == demo.campaigns


@pytest.mark.django_db
def test_three_finished_campaigns_have_complete_results_in_every_school_and_cohorts(demo):
    campaigns = list(Campaign.objects.filter(code__in=FINISHED).order_by("window_start"))
    assert [c.code for c in campaigns] == FINISHED
    assert {c.status for c in campaigns} == {Campaign.Status.CLOSED}
    codes = [set(c.assessments.values_list("code", flat=True)) for c in campaigns]
    assert codes[0] == codes[1] == codes[2] and len(codes[0]) == 11
    for campaign in campaigns:
        schools = set(Work.objects.filter(assessment__campaign=campaign).values_list("school__code", flat=True))
        assert schools == {s.code for s in SCHOOLS}, campaign.code
        present = Work.objects.filter(assessment__campaign=campaign, participant__absent=False)
        assert not present.filter(is_complete=False).exists(), campaign.code
        assert present.count() > 4000
    # the 4th grade of ВПР-2025 writes in 5th grade in ВПР-2026
    fourth = set(
        Participant.objects.filter(campaign__code="VPR-2025", assessment__code="RU-4").values_list("pupil", flat=True)
    )
    fifth = set(
        Participant.objects.filter(campaign__code="VPR-2026", assessment__code="RU-5").values_list("pupil", flat=True)
    )
    assert len(fourth & fifth) > 0.9 * len(fourth)
    assert Participant.objects.filter(
        campaign__code="VPR-2025", assessment__code="RU-4", class_name__startswith="4"
    ).count() == len(fourth)


def _binomial_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def signals(campaign: Campaign) -> dict[tuple[str, str], set[str]]:
    """The objectivity signals by their definitions, computed plainly from the works and scores."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for assessment in campaign.assessments.prefetch_related("tasks"):
        works = Work.objects.filter(assessment=assessment, participant__absent=False, mark__isnull=False)
        rows = list(works.values_list("school__code", "primary_score", "mark", "journal_mark"))
        high_share = sum(1 for row in rows if row[2] >= 4) / len(rows)
        levels = {t.pk: (t.max_points, "Б" if t.difficulty == "Б" else "ПВ") for t in assessment.tasks.all()}
        points = defaultdict(lambda: [0, 0])
        scores = Score.objects.filter(work__in=works).values_list("work__school__code", "task_id", "value")
        for school, task_id, value in scores:
            maximum, group = levels[task_id]
            for key in ((school, group), ("*", group)):
                points[key][0] += value or 0
                points[key][1] += maximum

        def completion(school, group, points=points):
            return 100 * points[(school, group)][0] / points[(school, group)][1]

        by_school = defaultdict(list)
        for row in rows:
            by_school[row[0]].append(row)
        for school, own in by_school.items():
            key = (school, assessment.code)
            if sum(1 for row in own if row[2] >= 4) / len(own) - high_share >= 0.25:
                found[key].add("high_results")
            if (
                completion(school, "Б") <= completion("*", "Б") - 10
                and completion(school, "ПВ") >= completion("*", "ПВ") + 10
            ):
                found[key].add("inverted_difficulty")
            journal = [row for row in own if row[3] is not None]
            if len(journal) >= 10 and sum(1 for row in journal if abs(row[2] - row[3]) >= 2) >= 0.1 * len(journal):
                found[key].add("journal_gap")
            n = Counter(row[1] for row in own)
            for mark in ("3", "4", "5"):
                c = int(assessment.scale[mark])
                up, down = n[c] + n[c + 1], n[c - 1] + n[c - 2]
                wide_up, wide_down = sum(n[c + i] for i in range(4)), sum(n[c - i] for i in range(1, 5))
                p0 = min(0.9, max(0.5, (wide_up + 1) / (wide_up + wide_down + 2)))
                if len(own) >= 20 and up + down >= 8 and _binomial_tail(up, up + down, p0) < 0.01:
                    found[key].add("boundary_bunching")
    return found


def stable_low() -> set[tuple[str, str]]:
    low = defaultdict(int)
    for code in FINISHED:
        marks = defaultdict(list)
        works = Work.objects.filter(assessment__campaign__code=code, participant__absent=False, mark__isnull=False)
        for school, assessment, mark in works.values_list("school__code", "assessment__code", "mark"):
            marks[(school, assessment)].append(mark)
        for key, values in marks.items():
            low[key] += values.count(2) >= 0.25 * len(values)
    return {key for key, years in low.items() if years >= 2}


@pytest.mark.django_db
def test_each_kind_of_signal_has_its_planted_school_and_most_schools_show_none(demo):
    latest = signals(Campaign.objects.get(code="VPR-2026"))
    for key in stable_low():
        latest[key].add("stable_low")
    for pattern in PATTERNS:
        assert pattern.kind in latest[(pattern.school, pattern.assessment)], pattern
    flagged_schools = {school for (school, _assessment), kinds in latest.items() if kinds}
    assert len(flagged_schools) <= len(SCHOOLS) // 2, dict(latest)
    # the earlier campaigns, without the planted single-year patterns, flag (almost) nobody
    for code in FINISHED[:2]:
        assert sum(1 for kinds in signals(Campaign.objects.get(code=code)).values() if kinds) <= 2


def recheck_delta(campaign: Campaign) -> set[tuple[str, str]]:
    """The pairs whose works re-checked with a final result (at least 5) changed mark in 20 % or more of them (the
    demo's re-check, reports/demo/recheck.py)."""
    changed = defaultdict(list)
    rows = RecheckWork.objects.filter(selection__recheck__campaign=campaign, status=RecheckWork.Status.FINAL)
    for school, assessment, original, final in rows.values_list(
        "selection__school__code", "selection__assessment__code", "original_mark", "final_mark"
    ):
        changed[(school, assessment)].append(original != final)
    return {key for key, values in changed.items() if len(values) >= 5 and 5 * sum(values) >= len(values)}


@pytest.mark.django_db
def test_the_portals_signals_are_those_computed_plainly(demo):
    """monitoring.signals gives in the latest finished campaign exactly the signals of the plain computation above,
    the planted ones among them."""
    campaign = Campaign.objects.get(code="VPR-2026")
    expected = signals(campaign)
    for key in stable_low():
        expected[key].add("stable_low")
    for key in recheck_delta(campaign):
        expected[key].add("recheck_delta")
    found = defaultdict(set)
    for assessment in campaign.assessments.all():
        for signal in assessment_signals(assessment):
            found[(signal.school, assessment.code)].add(signal.kind)
    assert dict(found) == {key: kinds for key, kinds in expected.items() if kinds}
    for pattern in PATTERNS:
        assert pattern.kind in found[(pattern.school, pattern.assessment)], pattern


@pytest.mark.django_db
def test_the_coming_campaign_is_in_preparation_and_the_training_campaign_is_today(demo):
    coming = Campaign.objects.get(code="VPR-2027")
    assert coming.status == Campaign.Status.ACTIVE and coming.stages.exists()
    training = Campaign.objects.get(kind=Campaign.Kind.TRAINING)
    assert training.window_start <= TODAY <= training.window_end
    school = School.objects.get(code="sch660001")
    participants = Participant.objects.filter(campaign=training, school=school, status=Participant.Status.WRITES)
    assert participants.exists() and not participants.filter(code="").exists()
    assert Seat.objects.filter(participant__campaign=training).count() == participants.count()
    assert RoomProtocol.objects.filter(sitting_room__sitting__campaign=training, submitted_at__isnull=False).exists()
    assert SchoolOrder.objects.get(campaign=training, school=school).status == SchoolOrder.Status.SUBMITTED
    # every school account is linked to its staff record, tech1's included
    assert Staff.objects.filter(user__username="tech1", school=school).exists()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_every_demo_login_lands_on_its_start_page(demo):
    for demo_user in USERS:
        response = client_for(demo_user.username).get("/", follow=True)
        assert response.status_code == 200, demo_user.username


@pytest.mark.django_db
def test_expert1_finds_an_open_grid_with_works_to_score(demo):
    training = Campaign.objects.get(kind=Campaign.Kind.TRAINING)
    works = Work.objects.filter(assessment__campaign=training, expert__user__username="expert1")
    assert works.filter(is_complete=False).exists() and works.filter(is_complete=True).exists()
    url = reverse(
        "grading:expert_grid",
        kwargs={"campaign_code": training.code, "school_code": "sch660001", "assessment_code": "RU-5"},
    )
    response = client_for("expert1").get(url)
    assert response.status_code == 200
    assert "откроется" not in response.content.decode()


@pytest.mark.django_db
def test_coord1_finds_figures_on_the_training_results_page(demo):
    training = Campaign.objects.get(kind=Campaign.Kind.TRAINING)
    url = reverse(
        "grading:results_figures",
        kwargs={"campaign_code": training.code, "school_code": "sch660001", "assessment_code": "RU-5"},
    )
    response = client_for("coord1").get(url)
    assert response.status_code == 200
    assert response.context["whole"].participants > 0


@pytest.mark.django_db
def test_the_coming_campaign_has_documents_read_and_schedules_begun(demo):
    coming = Campaign.objects.get(code="VPR-2027")
    documents = coming.documents.all()
    assert documents.count() == 2
    first, second = School.objects.get(code="sch660001"), School.objects.get(code="sch660002")
    read = {a.school.code for d in documents for v in d.versions.all() for a in v.acknowledgements.all()}
    assert read == {first.code}
    assert coming.schedules.get(school=first).status == "approved"
    second_schedule = coming.schedules.get(school=second)
    assert second_schedule.status == "draft" and second_schedule.entries.exclude(date=None).exists()


# What each log-in finds on its start page. The observer's first work is their instruction; the municipal
# commission's expert lands on the re-check's works still to score.
WORK_ON_START_PAGE = {
    "uo": "Ход кампании",
    "mun": "Ход кампании",
    "coord1": "План работ",
    "coord2": "План работ",
    "director1": "Ждёт вашего решения",
    "tech1": "Печать",
    "expert1": "Вносить баллы",
    "organizer1": "списки переданы",
    "uo_rep": 'data-testid="open-',
    "observer": 'data-testid="instruction-to-read"',
    "expert_mun": '<td class="code">sch660010</td>',
}


@pytest.mark.django_db
def test_school_and_department_logins_land_on_work(demo):
    for username, marker in WORK_ON_START_PAGE.items():
        response = client_for(username).get("/", follow=True)
        assert marker in response.content.decode(), username
    # organizer1 works today's sitting (MA-4): the lists are released, the protocol is theirs to fill
    training = Campaign.objects.get(kind=Campaign.Kind.TRAINING)
    appointment = Staff.objects.get(user__username="organizer1").appointments.get(
        sitting_room__sitting__campaign=training
    )
    sitting_room = appointment.sitting_room
    assert sitting_room.sitting.assessment.code == "MA-4" and sitting_room.released_at is not None
    assert not RoomProtocol.objects.filter(sitting_room=sitting_room, submitted_at__isnull=False).exists()
