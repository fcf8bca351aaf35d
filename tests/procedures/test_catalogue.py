"""The assessment catalogue: `load_catalogue` as docs/commands.md says, and editing it in the browser."""

import copy
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from procedures.models import Assessment, Campaign, Task
from schools.models import Role

CATALOGUE = {
    "campaign": {
        "code": "VPR-2026",
        "title": "ВПР-2026",
        "window": ["2026-04-20", "2026-05-20"],
        "upload_deadline": "2026-05-25T23:59:00+05:00",
    },
    "assessments": [
        {
            "code": "RU-4",
            "subject": "Русский язык",
            "grade": 4,
            "level": "базовый",
            "form": "paper",
            "duration": 45,
            "tasks": [
                {"label": "1", "max": 2, "level": "Б", "skill": "1.1"},
                {"label": "2", "max": 1, "level": "Б", "skill": "1.2"},
                {"label": "3.1", "max": 10, "level": "П", "skill": "2.1"},
                {"label": "1К1", "max": 11, "level": "В", "skill": "3.1"},
            ],
            "scale": {"3": 10, "4": 16, "5": 21},
        },
        {
            "code": "MA-5",
            "subject": "Математика",
            "grade": 5,
            "form": "computer",
            "duration": 60,
            "tasks": [{"label": str(i), "max": 2, "level": "Б"} for i in range(1, 11)],
            "scale": {"3": 5, "4": 10, "5": 15},
        },
    ],
}


def load(tmp_path, data, name="catalogue.json"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        import yaml

        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_catalogue", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def snapshot():
    return (list(Campaign.objects.values()), list(Assessment.objects.values()), list(Task.objects.values()))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["catalogue.json", "catalogue.yaml"])
def test_a_catalogue_creates_the_campaign_and_its_assessments(tmp_path, department, name):
    code, out, err = load(tmp_path, CATALOGUE, name)
    assert (code, err) == (0, "")
    assert "создана" in out and "добавлено 2" in out
    campaign = Campaign.objects.get(code="VPR-2026")
    assert campaign.upload_deadline == datetime.datetime(2026, 5, 25, 18, 59, tzinfo=datetime.UTC)
    assert campaign.criteria_open_time == datetime.time(14, 0) and campaign.retention_months == 12
    ru4 = Assessment.objects.get(code="RU-4")
    assert [t.column_header for t in ru4.tasks.order_by("position")] == ["1 (2б)", "2 (1б)", "3.1 (10б)", "1К1 (11б)"]
    assert ru4.max_score == 24 and ru4.scale == {"3": 10, "4": 16, "5": 21}
    assert [ru4.mark_for(s) for s in (0, 9, 10, 15, 16, 20, 21, 24)] == [2, 2, 3, 3, 4, 4, 5, 5]
    assert Assessment.objects.get(code="MA-5").form == "computer"


@pytest.mark.django_db
def test_reloading_the_same_catalogue_changes_nothing(tmp_path, department):
    load(tmp_path, CATALOGUE)
    before = snapshot()
    code, out, _ = load(tmp_path, CATALOGUE)
    assert code == 0 and "без изменений" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_catalogue_updates_by_code_and_keeps_the_rest(tmp_path, department):
    load(tmp_path, CATALOGUE)
    changed = copy.deepcopy(CATALOGUE)
    changed["assessments"] = [changed["assessments"][0]]
    changed["assessments"][0]["tasks"][1]["max"] = 2
    changed["assessments"][0]["tasks"].append({"label": "5", "max": 1, "level": "Б"})
    code, out, _ = load(tmp_path, changed)
    assert code == 0 and "обновлено 1" in out
    ru4 = Assessment.objects.get(code="RU-4")
    assert [(t.label, t.max_points) for t in ru4.tasks.order_by("position")] == [
        ("1", 2),
        ("2", 2),
        ("3.1", 10),
        ("1К1", 11),
        ("5", 1),
    ]
    assert Assessment.objects.filter(code="MA-5").exists()


def broken(**changes):
    data = copy.deepcopy(CATALOGUE)
    for dotted, value in changes.items():
        target = data
        *path, last = dotted.split(".")
        for key in path:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return data


REFUSALS = {
    "scale not increasing": (
        broken(**{"assessments.0.scale": {"3": 10, "4": 9, "5": 21}}),
        "работа «RU-4»: шкала должна возрастать: «3» = 10, «4» = 9, «5» = 21",
    ),
    "scale above max": (
        broken(**{"assessments.0.scale": {"3": 10, "4": 16, "5": 25}}),
        "работа «RU-4»: шкала: граница «5» = 25 больше максимального балла 24",
    ),
    "duplicate labels": (
        broken(**{"assessments.0.tasks.1.label": "1"}),
        "работа «RU-4»: задание «1»: номер задания повторяется",
    ),
    "max below 1": (
        broken(**{"assessments.0.tasks.1.max": 0}),
        "работа «RU-4»: задание «2»: максимальный балл «0» должен быть целым числом не меньше 1",
    ),
    "fractional max": (broken(**{"assessments.0.tasks.1.max": 1.5}), "задание «2»: максимальный балл «1.5»"),
    "bad difficulty": (broken(**{"assessments.0.tasks.1.level": "Z"}), "уровень сложности «Z»"),
    "missing scale mark": (broken(**{"assessments.0.scale": {"3": 10, "4": 16}}), "шкала «scale» должна задавать"),
    "bad grade": (broken(**{"assessments.1.grade": 12}), "работа «MA-5»: класс «12»"),
    "duplicate assessment code": (broken(**{"assessments.1.code": "RU-4"}), "работа «RU-4»: код повторяется"),
    "bad window": (broken(**{"campaign.window": ["2026-05-20", "2026-04-20"]}), "окно заканчивается раньше"),
    "bad deadline": (broken(**{"campaign.upload_deadline": "завтра"}), "срок загрузки «upload_deadline»"),
    "no assessments": (broken(assessments=[]), "нет ни одной работы"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_refused_catalogue_changes_nothing(tmp_path, department, kind):
    load(tmp_path, CATALOGUE)
    before = snapshot()
    data, expected = REFUSALS[kind]
    # the same file also renames the campaign: nothing of it may be written
    data["campaign"]["title"] = "Переименованная"
    code, out, err = load(tmp_path, data)
    assert code == 1 and out == ""
    assert expected in err
    assert "Traceback" not in err
    assert snapshot() == before


@pytest.mark.django_db
def test_every_problem_of_a_catalogue_is_listed(tmp_path, department):
    data = broken(**{"assessments.0.tasks.1.max": 0, "assessments.1.scale": {"3": 9, "4": 8, "5": 20}})
    code, _, err = load(tmp_path, data)
    assert code == 1
    assert len(err.strip().splitlines()) == 2
    assert "MA-5" in err and "RU-4" in err


@pytest.mark.django_db
def test_files_that_are_not_catalogues_are_refused(tmp_path, department):
    path = tmp_path / "c.json"
    path.write_text("{not json", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("load_catalogue", str(path), stderr=err)
    assert exit_.value.code == 1 and "корректным JSON" in err.getvalue()
    path = tmp_path / "c.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("load_catalogue", str(path), stderr=io.StringIO())
    assert not Campaign.objects.exists()


# The browser --------------------------------------------------------------------------------------------------


@pytest.fixture
def specialist(role_users):
    return role_users[Role.DEPARTMENT_STAFF]


ASSESSMENT_POST = {
    "code": "HI-5",
    "subject": "История",
    "grade": 5,
    "level": "базовый",
    "form": "paper",
    "duration": 45,
    "scale_3": 4,
    "scale_4": 7,
    "scale_5": 10,
    "tasks": "1; 2; Б; Хронология\n2; 3; П\n3.1; 1; Б\n3.2; 6; В; Работа с источником",
}


@pytest.mark.django_db
def test_the_department_previews_the_results_form_columns_before_saving(client, specialist, campaign):
    client.force_login(specialist)
    url = reverse("procedures:assessment_create", args=[campaign.code])
    response = client.post(url, {**ASSESSMENT_POST, "preview": "1"})
    assert response.context["columns"] == [
        "Код",
        "Класс",
        "Пол",
        "Вариант",
        "1 (2б)",
        "2 (3б)",
        "3.1 (1б)",
        "3.2 (6б)",
        "Отметка по журналу",
        "Первичный балл",
        "Отметка",
    ]
    assert not Assessment.objects.filter(code="HI-5").exists()
    response = client.post(url, {**ASSESSMENT_POST, "save": "1"})
    assert response.status_code == 302
    assessment = Assessment.objects.get(code="HI-5", campaign=campaign)
    assert assessment.max_score == 12 and assessment.tasks.get(label="3.2").skill == "Работа с источником"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"scale_4": 3}, "шкала должна возрастать"),
        ({"scale_5": 13}, "больше максимального балла 12"),
        ({"tasks": "1; 2\n1; 3"}, "номер задания повторяется"),
        ({"tasks": "1; 0"}, "не меньше 1"),
    ],
)
def test_a_bad_assessment_is_refused_with_the_reason(client, specialist, campaign, changes, expected):
    client.force_login(specialist)
    response = client.post(
        reverse("procedures:assessment_create", args=[campaign.code]), {**ASSESSMENT_POST, **changes, "save": "1"}
    )
    assert expected in response.content.decode()
    assert not Assessment.objects.filter(code="HI-5").exists()


@pytest.mark.django_db
def test_editing_an_assessment_keeps_its_tasks_in_the_new_order(client, specialist, campaign, assessment):
    client.force_login(specialist)
    response = client.get(reverse("procedures:assessment_edit", args=[campaign.code, assessment.code]))
    form_tasks = response.context["form"].initial["tasks"].splitlines()
    assert form_tasks[0] == "1; 2; Б; 1.1"
    reordered = "\n".join([form_tasks[1], form_tasks[0], *form_tasks[2:]])
    data = {**response.context["form"].initial, "tasks": reordered, "save": "1"}
    assert (
        client.post(reverse("procedures:assessment_edit", args=[campaign.code, assessment.code]), data).status_code
        == 302
    )
    assert [t.label for t in assessment.tasks.order_by("position")][:2] == ["2", "1"]


@pytest.mark.django_db
def test_a_new_campaign_starts_from_the_previous_ones_catalogue(client, specialist, campaign, assessment):
    client.force_login(specialist)
    response = client.post(
        reverse("procedures:campaign_create"),
        {
            "code": "VPR-2027",
            "title": "ВПР-2027",
            "window_start": "2027-04-12",
            "window_end": "2027-05-16",
            "deadline_date": "2027-05-21",
            "deadline_time": "23:59",
            "criteria_open_time": "14:00",
            "retention_months": 12,
            "previous": campaign.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    new = Campaign.objects.get(code="VPR-2027")
    assert new.previous == campaign and new.status == Campaign.Status.DRAFT
    copied = new.assessments.get(code="RU-4")
    assert copied.max_score == assessment.max_score and copied.pk != assessment.pk
    assert new.upload_deadline.isoformat() == "2027-05-21T18:59:00+00:00"


@pytest.mark.django_db
def test_drafts_are_hidden_from_schools_until_the_campaign_starts(client, specialist, coordinator, department):
    from tests.factories import make_assessment, make_campaign

    draft = make_campaign(department, code="VPR-2027", status=Campaign.Status.DRAFT)
    client.force_login(coordinator)
    assert client.get(reverse("procedures:campaign_detail", args=[draft.code])).status_code == 404
    client.force_login(specialist)
    client.post(reverse("procedures:campaign_status", args=[draft.code]), {"status": "active"})
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT  # no assessments yet: refused
    make_assessment(draft)
    client.post(reverse("procedures:campaign_status", args=[draft.code]), {"status": "active"})
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.ACTIVE
    client.force_login(coordinator)
    assert client.get(reverse("procedures:campaign_detail", args=[draft.code])).status_code == 200


@pytest.mark.django_db
def test_the_upload_deadline_is_shown_in_the_schools_own_time(client, role_users, campaign, department):
    from tests.factories import SchoolFactory, user_with_role

    moscow = SchoolFactory(department=department, time_zone="Europe/Moscow", code="sch669001")
    moscow_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=moscow)
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert (
        "25.05.2026 23:59" in client.get(reverse("procedures:campaign_detail", args=[campaign.code])).content.decode()
    )
    client.force_login(moscow_coordinator)
    assert (
        "25.05.2026 21:59" in client.get(reverse("procedures:campaign_detail", args=[campaign.code])).content.decode()
    )


@pytest.mark.django_db
def test_the_catalogue_file_is_previewed_then_loaded_in_the_browser(client, specialist, department):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(specialist)
    url = reverse("procedures:catalogue_load")
    content = json.dumps(CATALOGUE, ensure_ascii=False).encode()
    response = client.post(url, {"file": SimpleUploadedFile("cat.json", content)})
    assert response.context["summary"].created == 2
    assert not Campaign.objects.exists()
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Campaign.objects.get(code="VPR-2026").assessments.count() == 2
    bad = json.dumps(broken(**{"assessments.0.tasks.1.max": 0}), ensure_ascii=False).encode()
    response = client.post(url, {"file": SimpleUploadedFile("cat.json", bad)})
    assert "не меньше 1" in response.content.decode()


@pytest.mark.django_db
def test_the_demo_campaign_is_loaded_started_and_planned_once(department):
    from reports.demo.campaigns import seed_demo_campaign

    first = seed_demo_campaign(department=department)
    before = snapshot(), first.stages.count()
    second = seed_demo_campaign(department=department)
    assert first.pk == second.pk and second.status == Campaign.Status.ACTIVE
    assert (snapshot(), second.stages.count()) == before
    assert second.assessments.get(code="RU-4").max_score == 24
