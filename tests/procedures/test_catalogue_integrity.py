"""Nothing that has results is deleted or reshaped: the catalogue, the assessment editor and the delete pages
refuse with what depends on it; safe changes recompute every work's total and mark."""

import copy
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from grading.models import Score, ScoreChange, Work
from grading.services.scores import score_set
from procedures.models import Appointment, Assessment, Campaign, Participant, Sitting, Task
from schools.models import AuditEntry, Role
from tests.factories import (
    PupilFactory,
    StaffFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
    make_work,
)

# the campaign fixtures of tests/procedures
from tests.procedures.conftest import assessment, campaign  # noqa: F401

# RU-4 (max 24, «3» from 10, «4» from 16, «5» from 21): one full work, one of 12 points, one half-graded
FULL = ["2", "1", "1", "2", "3", "2", "2", "3", "2", "2", "2", "2"]  # 24 → «5»
TWELVE = ["2", "1", "1", "2", "3", "X", "0", "1", "0", "1", "1", "0"]  # 12 → «3»
HALF = ["1", "1", "1", "1", "1", "1"]  # six tasks graded: 6 points, no mark


@pytest.fixture
def graded(assessment, class_4a, school):  # noqa: F811
    """RU-4 with three works graded through the score grid's service, an absent pupil, a sitting and an
    expert's appointment."""
    tasks = list(assessment.tasks.order_by("position"))
    for code, cells in (("10001", FULL), ("10002", TWELVE), ("10003", HALF)):
        participant = make_participant(assessment, PupilFactory(school_class=class_4a), code=code)
        work = make_work(participant)
        for task, raw in zip(tasks, cells, strict=False):
            score_set(work=work, task=task, raw=raw, actor=None)
    make_participant(assessment, PupilFactory(school_class=class_4a), code="10004", absent=True)
    make_sitting(assessment, school, date=datetime.date(2026, 4, 22), lesson=2)
    Appointment.objects.create(
        campaign=assessment.campaign,
        school=school,
        staff=StaffFactory(school=school),
        duty=Appointment.Duty.EXPERT,
        assessment=assessment,
    )
    return assessment


def recorded():
    """Everything an assessment's results consist of, to compare before and after a refusal."""
    return (
        list(Assessment.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        list(Work.objects.order_by("pk").values()),
        list(Score.objects.order_by("pk").values()),
        list(ScoreChange.objects.order_by("pk").values()),
        list(Sitting.objects.order_by("pk").values()),
        list(Appointment.objects.order_by("pk").values()),
    )


def catalogue_of(assessment):  # noqa: F811
    """The catalogue file that describes the campaign and the assessment exactly as stored."""
    campaign = assessment.campaign  # noqa: F811
    return {
        "campaign": {
            "code": campaign.code,
            "title": campaign.title,
            "window": [campaign.window_start.isoformat(), campaign.window_end.isoformat()],
            "upload_deadline": campaign.upload_deadline.isoformat(),
        },
        "assessments": [
            {
                "code": assessment.code,
                "subject": assessment.subject.name,
                "grade": assessment.grade,
                "level": assessment.level,
                "form": assessment.form,
                "duration": assessment.duration,
                "tasks": [
                    {"label": t.label, "max": t.max_points, "level": t.difficulty, "skill": t.skill}
                    for t in assessment.tasks.order_by("position")
                ],
                "scale": dict(assessment.scale),
            }
        ],
    }


def load(tmp_path, data):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_catalogue", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def tasks_of(data) -> list[dict]:
    return data["assessments"][0]["tasks"]


def marks():
    return dict(Work.objects.values_list("participant__code", "mark"))


# Deleting an assessment


@pytest.mark.django_db
def test_deleting_an_assessment_with_results_is_refused_with_what_depends_on_it(client, role_users, graded):
    before = recorded()
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:assessment_delete", args=[graded.campaign.code, graded.code])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    shown = response.content.decode()
    assert (
        "Нельзя удалить работу RU-4: от неё зависят 4 участника, 1 сеанс, 3 работы, 30 баллов, 1 назначение." in shown
    )
    assert recorded() == before
    refusal = AuditEntry.objects.get(action="assessment.delete_refused")
    assert refusal.before == {
        "code": "RU-4",
        "campaign": "VPR-2026",
        "participants": 4,
        "sittings": 1,
        "works": 3,
        "scores": 30,
        "appointments": 1,
    }
    assert not AuditEntry.objects.filter(action="assessment.deleted").exists()


@pytest.mark.django_db
def test_the_delete_page_says_why_not_before_the_user_confirms(client, role_users, graded):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    response = client.get(reverse("procedures:assessment_delete", args=[graded.campaign.code, graded.code]))
    assert response.status_code == 200
    assert "от неё зависят 4 участника, 1 сеанс, 3 работы, 30 баллов" in response.content.decode()
    assert 'data-testid="deletion"' not in response.content.decode()  # no button to confirm


@pytest.mark.django_db
def test_an_assessment_without_dependants_is_deleted_after_showing_what_goes_with_it(client, role_users, assessment):  # noqa: F811
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:assessment_delete", args=[assessment.campaign.code, assessment.code])
    page = client.get(url).content.decode()
    assert "12 заданий" in page and 'data-testid="deletion"' in page
    response = client.post(url)
    assert response.status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert AuditEntry.objects.get(action="assessment.deleted").before["tasks"] == 12


@pytest.mark.django_db
def test_participants_alone_keep_an_assessment_from_being_deleted(client, role_users, assessment, pupil):  # noqa: F811
    make_participant(assessment, pupil)
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    client.post(reverse("procedures:assessment_delete", args=[assessment.campaign.code, assessment.code]))
    assert Assessment.objects.filter(pk=assessment.pk).exists()


# The catalogue file


@pytest.mark.django_db
def test_reloading_the_stored_catalogue_changes_nothing(tmp_path, graded):
    before = recorded()
    code, out, err = load(tmp_path, catalogue_of(graded))
    assert (code, err) == (0, "")
    assert "без изменений" in out
    assert recorded() == before


@pytest.mark.django_db
def test_a_catalogue_removing_a_task_with_results_is_refused_and_writes_nothing(tmp_path, graded):
    data = catalogue_of(graded)
    del tasks_of(data)[-3]  # «9»
    before = recorded()
    code, out, err = load(tmp_path, data)
    assert code == 1 and out == ""
    assert "работа «RU-4»: нельзя убрать задание «9»: от работы зависят 4 участника" in err
    assert "30 баллов" in err
    assert recorded() == before


@pytest.mark.django_db
def test_every_unsafe_change_of_the_file_is_listed_and_nothing_is_written(tmp_path, graded):
    data = catalogue_of(graded)
    data["campaign"]["title"] = "ВПР-2026 (исправленный)"
    tasks_of(data)[8]["max"] = 1  # «8»: the full work has 2 points on it
    tasks_of(data)[4]["max"] = 2  # «4»: the full work and the 12-point one have 3
    tasks_of(data)[2]["label"] = "3а"  # «3.1» re-labelled
    del tasks_of(data)[-1]  # «1К1» removed
    data["assessments"][0]["scale"] = {"3": 9, "4": 14, "5": 18}
    data["assessments"].append(copy.deepcopy(data["assessments"][0]) | {"code": "RU-4b"})
    before = recorded()
    code, _out, err = load(tmp_path, data)
    assert code == 1
    lines = err.strip().splitlines()
    assert any("нельзя снизить максимальный балл задания «8» с 2 до 1: в 1 работе" in line for line in lines)
    assert any("нельзя снизить максимальный балл задания «4» с 3 до 2: в 2 работах" in line for line in lines)
    assert any("нельзя переименовать задание «3.1» в «3а»" in line for line in lines)
    assert any("нельзя убрать задание «1К1»" in line for line in lines)
    assert len(lines) == 4
    assert recorded() == before
    assert Campaign.objects.get().title == "ВПР-2026"  # nothing of the file, not even the campaign or RU-4b


@pytest.mark.django_db
def test_adding_a_task_once_scores_are_recorded_is_refused(tmp_path, graded):
    data = catalogue_of(graded)
    tasks_of(data).append({"label": "13", "max": 1, "level": "Б", "skill": "9.9"})
    code, _out, err = load(tmp_path, data)
    assert code == 1
    assert "работа «RU-4»: нельзя добавить задание «13»: по работе уже есть 30 баллов." in err
    assert not Task.objects.filter(label="13").exists()


@pytest.mark.django_db
def test_a_scale_change_recomputes_every_works_mark(tmp_path, graded):
    assert marks() == {"10001": 5, "10002": 3, "10003": None}
    changed_at = dict(Work.objects.values_list("participant__code", "results_changed_at"))
    data = catalogue_of(graded)
    data["assessments"][0]["scale"] = {"3": 13, "4": 17, "5": 24}
    code, out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    assert "обновлено 1" in out
    assert marks() == {"10001": 5, "10002": 2, "10003": None}
    now_changed_at = dict(Work.objects.values_list("participant__code", "results_changed_at"))
    assert now_changed_at["10002"] > changed_at["10002"]  # a form uploaded before no longer matches
    assert now_changed_at["10001"] == changed_at["10001"]
    assert list(Work.objects.order_by("participant__code").values_list("primary_score", flat=True)) == [24, 12, 6]
    assert AuditEntry.objects.get(action="catalogue.loaded").after["recomputed_works"] == 1


@pytest.mark.django_db
def test_a_raised_max_a_skill_and_a_level_are_safe_changes(tmp_path, graded):
    scores_before = list(Score.objects.order_by("pk").values("pk", "task_id", "value", "not_attempted"))
    data = catalogue_of(graded)
    tasks_of(data)[1]["max"] = 2  # «2» raised 1 → 2: the maximum grows to 25
    tasks_of(data)[1]["skill"] = "1.2 Орфография"
    tasks_of(data)[3]["level"] = "В"
    data["assessments"][0]["scale"] = {"3": 10, "4": 16, "5": 25}
    code, _out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    task = Task.objects.get(assessment=graded, label="2")
    assert (task.max_points, task.skill) == (2, "1.2 Орфография")
    assert Task.objects.get(assessment=graded, label="3.2").difficulty == "В"
    assert list(Score.objects.order_by("pk").values("pk", "task_id", "value", "not_attempted")) == scores_before
    assert marks() == {"10001": 4, "10002": 3, "10003": None}  # 24 of 25 is no longer a «5»


@pytest.mark.django_db
def test_a_max_lowered_but_not_below_any_score_is_allowed(tmp_path, graded):
    data = catalogue_of(graded)
    tasks_of(data)[-2]["max"] = 1  # «10»: the full work has 2 — refused
    assert load(tmp_path, data)[0] == 1
    data = catalogue_of(graded)
    tasks_of(data)[6]["max"] = 1  # «6»: scores 2 and 0 — refused too
    assert load(tmp_path, data)[0] == 1
    Score.objects.filter(task__label="6", value=2).update(value=1)
    code, _out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    assert Task.objects.get(assessment=graded, label="6").max_points == 1


@pytest.mark.django_db
def test_a_task_is_added_while_no_scores_are_recorded_and_works_are_recomputed(tmp_path, assessment, pupil, school):  # noqa: F811
    participant = make_participant(assessment, pupil)
    make_work(participant)
    data = catalogue_of(assessment)
    tasks_of(data).append({"label": "13", "max": 2, "level": "П", "skill": "4.1"})
    data["assessments"][0]["scale"] = {"3": 11, "4": 17, "5": 22}
    code, _out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    assert list(assessment.tasks.order_by("position").values_list("label", flat=True))[-1] == "13"
    assert Participant.objects.count() == 1 and Work.objects.count() == 1


@pytest.mark.django_db
def test_tasks_are_reshaped_freely_while_nothing_depends_on_the_assessment(tmp_path, assessment):  # noqa: F811
    data = catalogue_of(assessment)
    del tasks_of(data)[0]
    tasks_of(data)[0]["label"] = "2а"
    code, _out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    assert list(assessment.tasks.order_by("position").values_list("label", flat=True))[:2] == ["2а", "3.1"]


# The browser


@pytest.mark.django_db
def test_the_catalogue_upload_preview_shows_the_refusal(client, role_users, graded):
    data = catalogue_of(graded)
    del tasks_of(data)[-3]
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    content = json.dumps(data, ensure_ascii=False).encode()
    response = client.post(reverse("procedures:catalogue_load"), {"file": SimpleUploadedFile("cat.json", content)})
    assert response.status_code == 200
    assert "token" not in response.context or not response.context["token"]
    assert "нельзя убрать задание «9»: от работы зависят 4 участника" in response.content.decode()
    assert Task.objects.filter(assessment=graded, label="9").exists()


@pytest.mark.django_db
def test_the_assessment_editor_refuses_to_remove_a_task_with_results(client, role_users, graded):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:assessment_edit", args=[graded.campaign.code, graded.code])
    page = client.get(url)
    assert "От работы зависят 4 участника, 1 сеанс, 3 работы, 30 баллов, 1 назначение." in page.content.decode()
    initial = page.context["form"].initial
    lines = initial["tasks"].splitlines()
    data = {**initial, "tasks": "\n".join(lines[:-1]), "save": "1"}
    before = recorded()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "нельзя убрать задание «1К1»: от работы зависят 4 участника" in response.content.decode()
    assert recorded() == before


@pytest.mark.django_db
def test_the_assessment_editor_recomputes_marks_on_a_scale_change(client, role_users, graded):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:assessment_edit", args=[graded.campaign.code, graded.code])
    initial = client.get(url).context["form"].initial
    response = client.post(url, {**initial, "scale_3": 5, "scale_4": 12, "scale_5": 20, "save": "1"})
    assert response.status_code == 302
    assert marks() == {"10001": 5, "10002": 4, "10003": None}


# Deleting a campaign


@pytest.mark.django_db
def test_deleting_a_campaign_whose_assessments_have_results_is_refused(client, role_users, graded):
    before = recorded()
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:campaign_delete", args=[graded.campaign.code])
    assert "от неё зависят 4 участника" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert (
        "Нельзя удалить кампанию VPR-2026: от неё зависят 4 участника, 1 сеанс, 3 работы, 30 баллов, 1 назначение."
        in response.content.decode()
    )
    assert Campaign.objects.filter(pk=graded.campaign.pk).exists()
    assert recorded() == before
    assert AuditEntry.objects.get(action="campaign.delete_refused").before["scores"] == 30


@pytest.mark.django_db
def test_a_campaign_without_dependants_is_deleted_with_its_catalogue(client, role_users, department, graded):
    empty = make_campaign(department, code="VPR-2027")
    make_assessment(empty)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:campaign_delete", args=[empty.code])
    assert "1 работа" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Campaign.objects.filter(code="VPR-2027").exists()
    assert Campaign.objects.filter(code="VPR-2026").exists()
    assert AuditEntry.objects.get(action="campaign.deleted").before == {"code": "VPR-2027", "assessments": 1}


@pytest.mark.django_db
def test_schools_cannot_delete_a_campaign(client, role_users, graded):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.post(reverse("procedures:campaign_delete", args=[graded.campaign.code])).status_code == 403
    assert Campaign.objects.filter(pk=graded.campaign.pk).exists()


@pytest.mark.django_db
def test_organizers_of_its_sittings_and_its_experts_count_as_dependants(assessment, school):  # noqa: F811
    from procedures.services.dependants import assessment_dependants

    sitting = make_sitting(assessment, school, date=datetime.date(2026, 4, 22), lesson=2)
    room = make_sitting_room(sitting, make_room(school, name="12", rows=5, columns=2))
    for _n in range(2):
        Appointment.objects.create(
            campaign=assessment.campaign,
            school=school,
            staff=StaffFactory(school=school),
            duty=Appointment.Duty.ORGANIZER,
            sitting_room=room,
        )
    coordinator = StaffFactory(school=school)
    Appointment.objects.create(
        campaign=assessment.campaign, school=school, staff=coordinator, duty=Appointment.Duty.COORDINATOR
    )
    dependants = assessment_dependants(assessment)
    assert dependants.counts() == {"sittings": 1, "appointments": 2}
    assert dependants.text() == "1 сеанс, 2 назначения"
