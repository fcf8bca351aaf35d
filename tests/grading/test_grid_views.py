"""Grading pages: the expert's works and grid (R11: codes, never names; only their own works), the cell endpoint
(saves, 400 with the reason, 404 outside scope, 409 on a conflict), submission, R10 on the pages, the
coordinator's distribution, journal marks, progress and the score history."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grading.models import Score, ScoreChange, Work
from grading.services.distribution import BY_CLASS, works_distribute
from tests.factories import make_score, make_sitting
from tests.grading.test_distribution import add_participants, appoint_expert, experts, sitting

__all__ = ["experts", "sitting"]  # fixtures shared with test_distribution.py


@pytest.fixture
def named_participants(assessment, school, sitting):
    """Participants whose pupils have names (the names must never reach an expert or the department)."""
    return add_participants(assessment, school, {"4А": 6, "4Б": 4}, with_pupils=True)


@pytest.fixture
def distributed(assessment, school, named_participants, experts, coordinator):
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    return {expert: list(Work.objects.filter(expert=expert).order_by("participant__code")) for expert in experts}


def kwargs_of(assessment, school, **extra):
    return {
        "campaign_code": assessment.campaign.code,
        "school_code": school.code,
        "assessment_code": assessment.code,
        **extra,
    }


def grid_url(assessment, school):
    return reverse("grading:expert_grid", kwargs=kwargs_of(assessment, school))


def current_version(work, task) -> int:
    score = Score.objects.filter(work=work, task=task).first()
    return score.version if score else 0


def save_cell(client, work, task, value, base_version=None, reason=""):
    """Saves a cell as the grid does; without `base_version`, over the cell's current version."""
    if base_version is None:
        base_version = current_version(work, task)
    body = {"work": work.pk, "task": task.pk, "value": value, "base_version": base_version, "reason": reason}
    return client.post(reverse("grading:cell_save"), json.dumps(body), content_type="application/json")


def expert_with_works(distributed):
    return next((expert, works) for expert, works in distributed.items() if works)


@pytest.mark.django_db
def test_the_experts_start_page_lists_their_works_by_class(client, distributed, assessment, school):
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    content = client.get(reverse("grading:my_works")).content.decode()
    assert assessment.code in content and school.short_name in content
    assert works[0].participant.class_name in content
    assert f"Проверено 0 из {len(works)}" in content
    assert grid_url(assessment, school) in content


@pytest.mark.django_db
def test_the_expert_grid_shows_codes_and_variants_never_names(client, distributed, assessment, school):
    """R11."""
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    response = client.get(grid_url(assessment, school))
    content = response.content.decode()
    assert response.status_code == 200
    assert "1 (2б)" in content and "3.1 (1б)" in content
    for work in works:
        assert work.participant.code in content
        assert work.participant.pupil.last_name not in content
    others = [w for e, ws in distributed.items() if e != expert for w in ws]
    assert all(w.participant.code not in content for w in others)


@pytest.mark.django_db
def test_an_expert_without_works_of_the_assessment_gets_404(client, distributed, assessment, school, department):
    stranger = appoint_expert(assessment, school, last_name="Чужая", username="stranger")
    client.force_login(stranger.user)
    assert client.get(grid_url(assessment, school)).status_code == 404


@pytest.mark.django_db
def test_another_experts_work_is_404_on_the_cell_endpoint(client, distributed, assessment):
    (expert, works), (other, other_works) = [(e, w) for e, w in distributed.items() if w][:2]
    client.force_login(expert.user)
    response = save_cell(client, other_works[0], assessment.tasks.first(), "1", 0)
    assert response.status_code == 404
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_department_user_is_refused_the_grid_and_the_cell(client, distributed, assessment, school, department_user):
    _expert, works = expert_with_works(distributed)
    client.force_login(department_user)
    assert client.get(grid_url(assessment, school)).status_code == 403
    assert save_cell(client, works[0], assessment.tasks.first(), "1", 0).status_code == 403
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_cell_is_saved_with_its_new_version_total_and_mark(client, distributed, assessment):
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    work = works[0]
    tasks = list(assessment.tasks.order_by("position"))
    response = save_cell(client, work, tasks[0], "2", 0)
    assert response.status_code == 200
    assert response.json() == {"version": 1, "value": "2", "total": 2, "mark": None, "complete": False}
    for task in tasks[1:]:
        last = save_cell(client, work, task, "Х" if task.label == "2" else str(task.max_points), 0)
    assert last.json() == {"version": 1, "value": "2", "total": 23, "mark": 5, "complete": True}
    change = ScoreChange.objects.filter(work=work, task=tasks[1]).get()
    assert (change.new, change.source, change.changed_by) == ("X", ScoreChange.Source.GRID, expert.user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, reason",
    [("3", "балл 3 больше максимума 2"), ("-1", "балл -1 меньше нуля"), ("1,5", "не целый"), ("два", "не балл")],
)
def test_an_impossible_value_answers_400_with_the_reason(client, distributed, assessment, value, reason):
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    response = save_cell(client, works[0], assessment.tasks.get(label="1"), value, 0)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_malformed_request_answers_400(client, distributed):
    expert, _works = expert_with_works(distributed)
    client.force_login(expert.user)
    response = client.post(reverse("grading:cell_save"), "not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_two_people_on_one_cell_get_a_conflict_and_no_value_is_lost(client, distributed, assessment, coordinator):
    expert, works = expert_with_works(distributed)
    work, task = works[0], assessment.tasks.get(label="1")
    client.force_login(expert.user)
    assert save_cell(client, work, task, "1", 0).status_code == 200
    client.force_login(coordinator)  # loaded the grid before the expert's save: base version 0
    response = save_cell(client, work, task, "2", 0)
    assert response.status_code == 409
    assert response.json()["current"] == {"value": "1", "version": 1}
    assert Score.objects.get(work=work, task=task).value == 1
    # knowing the current value, the coordinator may overwrite it deliberately
    assert save_cell(client, work, task, "2", 1).json()["version"] == 2


@pytest.mark.django_db
def test_submitting_locks_the_grid(client, distributed, assessment, school):
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    submit_url = reverse("grading:expert_submit", kwargs=kwargs_of(assessment, school))
    client.post(submit_url)
    assert not Work.objects.filter(submitted_at__isnull=False).exists()  # not graded yet: refused
    for work in works:
        for task in assessment.tasks.all():
            save_cell(client, work, task, "0")
    response = client.post(submit_url, follow=True)
    assert "Работы сданы" in response.content.decode()
    assert all(w.submitted_at for w in Work.objects.filter(expert=expert))
    page = client.get(grid_url(assessment, school)).content.decode()
    assert 'data-testid="grid-locked"' in page and "readonly" in page and "grid-submit" not in page
    response = save_cell(client, works[0], assessment.tasks.first(), "1")
    assert response.status_code == 400 and "координатор" in response.json()["error"]


@pytest.mark.django_db
def test_before_grading_opens_the_pages_say_when(client, assessment, school, experts, coordinator):
    """R10: the sitting is tomorrow; the grid, the expert's list and the distribution page give the local time."""
    tomorrow = timezone.localdate(timezone.now(), school.tzinfo) + datetime.timedelta(days=1)
    make_sitting(assessment, school, date=tomorrow, lesson=2)
    add_participants(assessment, school, {"4А": 2})
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    work = Work.objects.exclude(expert=None).first()
    when = f"{tomorrow:%d.%m.%Y} 14:00"
    client.force_login(work.expert.user)
    grid = client.get(grid_url(assessment, school)).content.decode()
    assert f"Проверка откроется {when}" in grid and "score-grid" not in grid
    assert f"Проверка откроется {when}" in client.get(reverse("grading:my_works")).content.decode()
    response = save_cell(client, work, assessment.tasks.first(), "1", 0)
    assert response.status_code == 400 and f"{tomorrow:%d.%m.%Y} в 14:00" in response.json()["error"]
    client.force_login(coordinator)
    page = client.get(reverse("grading:distribution", kwargs=kwargs_of(assessment, school))).content.decode()
    assert f"Проверка откроется {when}" in page


@pytest.mark.django_db
def test_the_grid_needs_the_same_queries_for_10_and_30_works(client, assessment, school, sitting, coordinator):
    expert = appoint_expert(assessment, school, last_name="Одна", username="one")
    client.force_login(expert.user)
    counts = []
    for size, letter in ((10, "А"), (20, "Б")):
        add_participants(assessment, school, {f"4{letter}": size}, first_code=10001 if letter == "А" else 20001)
        works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
        for work in Work.objects.filter(expert=expert)[:5]:
            for task in assessment.tasks.all()[:3]:
                Score.objects.get_or_create(work=work, task=task, defaults={"value": 1})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(grid_url(assessment, school))
        assert response.status_code == 200
        counts.append(len(queries))
    assert Work.objects.filter(expert=expert).count() == 30
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_coordinator_distributes_and_reassigns_on_the_page(
    client, assessment, school, named_participants, experts, coordinator
):
    client.force_login(coordinator)
    url = reverse("grading:distribution", kwargs=kwargs_of(assessment, school))
    client.post(url, {"action": "distribute", "mode": "class"})
    assert not Work.objects.filter(expert__isnull=True).exists()
    target = named_participants[0]
    client.post(url, {"action": "reassign", "participant": [target.pk], "expert": experts[2].pk})
    assert Work.objects.get(participant=target).expert == experts[2]
    page = client.get(url).content.decode()
    assert target.code in page and experts[2].short_name in page
    assert target.pupil.last_name not in page  # codes only


@pytest.mark.django_db
def test_a_refused_reassignment_is_explained_on_the_page(client, distributed, assessment, school, coordinator):
    expert, works = expert_with_works(distributed)
    make_score(works[0], assessment.tasks.first(), value=1)
    other = next(e for e in distributed if e != expert)
    client.force_login(coordinator)
    url = reverse("grading:distribution", kwargs=kwargs_of(assessment, school))
    response = client.post(
        url, {"action": "reassign", "participant": [works[0].participant_id], "expert": other.pk}, follow=True
    )
    assert "уже выставил баллы" in response.content.decode()
    works[0].refresh_from_db()
    assert works[0].expert == expert


@pytest.mark.django_db
def test_the_coordinator_enters_journal_marks_of_a_class(client, assessment, school, named_participants, coordinator):
    """The page of one class; the marks are saved cell by cell (tests/procedures/test_journal_grid.py)."""
    client.force_login(coordinator)
    url = reverse("grading:journal", kwargs=kwargs_of(assessment, school, class_name="4Б"))
    page = client.get(url).content.decode()
    in_4b = [p for p in named_participants if p.class_name == "4Б"]
    assert all(p.code in page for p in in_4b)
    assert all(p.code not in page for p in named_participants if p.class_name == "4А")
    assert (
        client.get(reverse("grading:journal", kwargs=kwargs_of(assessment, school, class_name="9Я"))).status_code == 404
    )


@pytest.mark.django_db
def test_the_coordinator_sees_progress_per_assessment_and_per_expert(
    client, distributed, assessment, school, coordinator
):
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    for task in assessment.tasks.all():
        save_cell(client, works[0], task, "1")
    client.force_login(coordinator)
    url = reverse(
        "grading:school_progress", kwargs={"campaign_code": assessment.campaign.code, "school_code": school.code}
    )
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    row = content.split(f'data-testid="progress-{assessment.code}"')[1].split("</tr>")[0]
    assert '"assigned">10<' in row and '"complete">1 ' in row and '"submitted">0<' in row
    expert_row = content.split(f'data-testid="expert-{expert.pk}-{assessment.code}"')[1].split("</tr>")[0]
    assert f">{len(works)}<" in expert_row and ">1<" in expert_row


@pytest.mark.django_db
def test_the_score_history_is_read_by_the_school_and_the_department_by_code(
    client, distributed, assessment, school, coordinator, department_user, settings
):
    settings.PAGE_SIZE = 5
    expert, works = expert_with_works(distributed)
    client.force_login(expert.user)
    tasks = list(assessment.tasks.order_by("position"))[:4]
    for work in works[:2]:
        for task in tasks:
            save_cell(client, work, task, "1")
    url = reverse("grading:history", kwargs=kwargs_of(assessment, school))
    for user in (coordinator, department_user):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "страница 1 из 2" in page
        assert works[0].participant.pupil.last_name not in page
        filtered = client.get(url, {"code": works[1].participant.code}).content.decode()
        assert filtered.count(f'<td class="code">{works[1].participant.code}</td>') == 4
        assert works[0].participant.code not in filtered
        assert expert.user.full_name in filtered and "ввод в таблице" in filtered


@pytest.mark.django_db
def test_the_history_of_another_school_is_404_for_a_coordinator(client, assessment, other_school, coordinator):
    client.force_login(coordinator)
    url = reverse("grading:history", kwargs=kwargs_of(assessment, other_school))
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_coordinators_grid_lists_the_schools_works_and_asks_a_reason_after_submission(
    client, distributed, assessment, school, coordinator
):
    client.force_login(coordinator)
    page = client.get(reverse("grading:manager_grid", kwargs=kwargs_of(assessment, school))).content.decode()
    assert all(w.participant.code in page for works in distributed.values() for w in works)
    assert 'id="grid-reason"' in page
    assert all(w.participant.pupil.last_name not in page for works in distributed.values() for w in works)
