"""The journal grid: the page (a row per participant of the class, names only inside the school) and the save
endpoint (valid, invalid, stale version → 409, another school's participant → 404)."""

import json

import pytest
from django.urls import reverse

from grading.models import ScoreChange, Work
from grading.services.entry import journal_mark_set
from procedures.models import Participant
from schools.models import Role
from tests.factories import user_with_role
from tests.grading.test_distribution import add_participants


@pytest.fixture
def participants(assessment, school):
    return add_participants(assessment, school, {"4А": 3, "4Б": 2}, with_pupils=True)


def kwargs_of(assessment, school):
    return {"campaign_code": assessment.campaign.code, "school_code": school.code, "assessment_code": assessment.code}


def save(client, assessment, school, participant, value, base_version):
    body = {"participant": participant.pk, "value": value, "base_version": base_version}
    url = reverse("grading:journal_cell", kwargs=kwargs_of(assessment, school))
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_the_page_is_a_grid_of_the_class_with_names_and_versions(client, assessment, school, participants, coordinator):
    journal_mark_set(participant=participants[3], mark=4, actor=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("grading:journal", kwargs={**kwargs_of(assessment, school), "class_name": "4Б"}))
    body = page.content.decode()
    assert 'id="journal-grid"' in body and 'data-kind="journal"' in body
    in_4b = [p for p in participants if p.class_name == "4Б"]
    assert all(p.code in body and p.pupil.last_name in body for p in in_4b)
    assert all(p.code not in body for p in participants if p.class_name == "4А")
    assert f'data-participant="{in_4b[0].pk}"' in body
    assert 'value="4" data-task="journal" data-label="отметка по журналу" data-version="1"' in body
    assert reverse("grading:journal_cell", kwargs=kwargs_of(assessment, school)) in body


@pytest.mark.django_db
def test_a_mark_is_saved_with_its_new_version_and_kept_in_the_history(
    client, assessment, school, participants, coordinator
):
    client.force_login(coordinator)
    response = save(client, assessment, school, participants[0], "5", 0)
    assert response.status_code == 200
    assert response.json() == {"version": 1, "value": "5"}
    response = save(client, assessment, school, participants[0], "", 1)
    assert response.json() == {"version": 2, "value": ""}
    assert Work.objects.get(participant=participants[0]).journal_mark is None
    assert list(ScoreChange.objects.filter(field="journal_mark").values_list("old", "new").order_by("pk")) == [
        ("", "5"),
        ("5", ""),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["7", "1", "a", "4,5"])
def test_an_invalid_mark_is_refused_in_russian_and_nothing_is_written(
    client, assessment, school, participants, coordinator, value
):
    client.force_login(coordinator)
    response = save(client, assessment, school, participants[0], value, 0)
    assert response.status_code == 400
    assert "Отметка по журналу — 2, 3, 4 или 5 (или пусто)" in response.json()["error"]
    assert not Work.objects.filter(participant=participants[0]).exists()


@pytest.mark.django_db
def test_a_mark_changed_since_it_was_loaded_is_a_conflict(client, assessment, school, participants, coordinator):
    journal_mark_set(participant=participants[0], mark=3, actor=coordinator)  # someone else, version 1
    client.force_login(coordinator)
    response = save(client, assessment, school, participants[0], "5", 0)
    assert response.status_code == 409
    assert response.json()["current"] == {"value": "3", "version": 1}
    assert Work.objects.get(participant=participants[0]).journal_mark == 3
    assert save(client, assessment, school, participants[0], "5", 1).status_code == 200


@pytest.mark.django_db
def test_a_save_without_a_version_is_refused(client, assessment, school, participants, coordinator):
    client.force_login(coordinator)
    url = reverse("grading:journal_cell", kwargs=kwargs_of(assessment, school))
    body = json.dumps({"participant": participants[0].pk, "value": "5"})
    assert client.post(url, body, content_type="application/json").status_code == 400


@pytest.mark.django_db
def test_another_schools_participant_is_404(client, assessment, school, other_school, participants, coordinator):
    stranger = add_participants(assessment, other_school, {"4В": 1}, first_code=20001)[0]
    client.force_login(coordinator)
    assert save(client, assessment, school, stranger, "5", 0).status_code == 404
    # nor through the other school's address
    assert save(client, assessment, other_school, stranger, "5", 0).status_code == 404
    assert not Work.objects.filter(participant=stranger).exists()


@pytest.mark.django_db
def test_an_exempt_participant_is_refused(client, assessment, school, participants, coordinator):
    Participant.objects.filter(pk=participants[0].pk).update(status=Participant.Status.EXEMPT)
    client.force_login(coordinator)
    response = save(client, assessment, school, participants[0], "5", 0)
    assert response.status_code == 400
    assert "освобождён" in response.json()["error"]


@pytest.mark.django_db
def test_only_the_coordinator_saves(client, assessment, school, participants, role_users):
    client.force_login(role_users[Role.DIRECTOR])
    assert save(client, assessment, school, participants[0], "5", 0).status_code == 403
    client.force_login(user_with_role(Role.EXPERT, school=school))
    assert save(client, assessment, school, participants[0], "5", 0).status_code == 403
