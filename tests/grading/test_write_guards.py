"""What every write of scores must respect: a grid cell names the version it replaces; a results form that
changes works an expert submitted needs a reason (command line and browser), and the reason is in the history;
R10 on the import as on the grid, class by class; a form changed after its upload to ФИС ОКО says so; and the
upload to ФИС ОКО is recorded only with that school's complete form of that assessment."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grading.models import FormUpload, Score, ScoreChange, Work
from grading.selectors.uploads import UploadState, school_uploads, upload_matrix
from grading.services.entry import works_submit
from grading.services.results import results_form_export, results_form_read, results_import
from procedures.models import ScheduleEntry, SchoolSchedule
from schools.models import AuditEntry
from tests.factories import PupilFactory, SchoolClassFactory, make_participant, make_sitting, make_work
from tests.grading.test_distribution import appoint_expert
from tests.grading.test_import_results import run
from vpr_portal.tables import read_table

UTC = datetime.UTC
TASK_HEADER = re.compile(r"^.+\((\d+)б\)$")


# Forms as files ------------------------------------------------------------------------------------------


def exported(assessment, school, *, filled: bool) -> bytes:
    output = io.BytesIO()
    results_form_export(assessment=assessment, school=school, output=output, filled=filled)
    return output.getvalue()


def filled_in(blank: bytes, *, points=lambda code, task_max: task_max, variant=1) -> bytes:
    """The form with the variant and `points(code, max)` in every task cell of every row."""
    workbook = openpyxl.load_workbook(io.BytesIO(blank))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = str(row[0].value)
        for cell, name in zip(row, header, strict=False):
            if name == "Вариант":
                cell.value = variant
            match = TASK_HEADER.match(str(name or ""))
            if match:
                cell.value = points(code, int(match.group(1)))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def without_rows(data: bytes, codes) -> bytes:
    """The form without the rows of `codes`."""
    workbook = openpyxl.Workbook()
    for row in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].values:
        if str(row[0]) not in codes:
            workbook.active.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def import_bytes(assessment, school, data: bytes, **options):
    form = results_form_read(assessment=assessment, school=school, table=read_table(data, "form.xlsx"))
    return results_import(assessment=assessment, school=school, form=form, **options)


@pytest.fixture
def writers(assessment, school, class_4a):
    """Three participants of RU-4 in 4А (codes 10001…10003), each with a work."""
    codes = []
    for number in range(1, 4):
        participant = make_participant(assessment, PupilFactory(school_class=class_4a), code=f"1000{number}")
        make_work(participant)
        codes.append(participant.code)
    return codes


@pytest.fixture
def graded(assessment, school, writers):
    """Every writer's work graded in full by importing the form: the filled ФИС ОКО form's bytes."""
    import_bytes(assessment, school, filled_in(exported(assessment, school, filled=False)), actor=None)
    return exported(assessment, school, filled=True)


@pytest.fixture
def submitted(assessment, school, writers, graded):
    """The graded works given to an expert, who submitted them."""
    expert = appoint_expert(assessment, school, last_name="Зимина", username="zimina-guards")
    Work.objects.filter(assessment=assessment, school=school).update(expert=expert)
    works_submit(assessment=assessment, school=school, actor=expert.user)
    assert Work.objects.filter(submitted_at__isnull=False).count() == 3
    return expert


def path_of(tmp_path, data: bytes, name="form.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def command(*extra):
    return ["--campaign", "VPR-2026", "--assessment", "RU-4", "--school", "sch660001", *extra]


def one_point_less(code, task_max, changed=("10002",)):
    return task_max - 1 if code in changed else task_max


# The grid's cell names the version it replaces -----------------------------------------------------------


def post_cell(client, body):
    return client.post(reverse("grading:cell_save"), json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("base_version", [None, "abc", -1, "omitted"])
def test_a_cell_saved_without_a_valid_base_version_is_refused_with_a_reason(
    client, assessment, school, writers, coordinator, base_version
):
    work = Work.objects.get(participant__code="10001")
    task = assessment.tasks.get(label="1")
    body = {"work": work.pk, "task": task.pk, "value": "2", "reason": ""}
    if base_version != "omitted":
        body["base_version"] = base_version
    client.force_login(coordinator)
    response = post_cell(client, body)
    assert response.status_code == 400
    assert "версия ячейки" in response.json()["error"]
    assert not Score.objects.exists() and not ScoreChange.objects.exists()
    # with the version it was typed over, the same save goes through
    response = post_cell(client, {**body, "base_version": 0})
    assert response.status_code == 200 and Score.objects.get().value == 2


def test_the_grid_script_always_sends_the_version(settings):
    script = (settings.BASE_DIR / "static" / "js" / "grid.js").read_text(encoding="utf-8")
    assert "base_version: baseVersionOf(entry)" in script


# A reason to change submitted works ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_refuses_to_change_submitted_works_without_a_reason(
    tmp_path, assessment, school, writers, graded, submitted
):
    changed = filled_in(exported(assessment, school, filled=True), points=one_point_less)
    history = ScoreChange.objects.count()
    code, out, err = run("import_results", path_of(tmp_path, changed), *command())
    assert code == 1 and out == ""
    assert "10002" in err and "10001" not in err and "--reason" in err and "уже сданных экспертом" in err
    assert ScoreChange.objects.count() == history
    assert Work.objects.get(participant__code="10002").primary_score == 24


@pytest.mark.django_db
def test_with_a_reason_the_command_changes_submitted_works_and_the_history_keeps_it(
    tmp_path, assessment, school, writers, graded, submitted
):
    changed = filled_in(exported(assessment, school, filled=True), points=one_point_less)
    code, out, err = run("import_results", path_of(tmp_path, changed), *command("--reason", "ошибка переноса"))
    assert (code, err) == (0, "")
    assert "изменено 1" in out
    assert Work.objects.get(participant__code="10002").primary_score == 12
    changes = ScoreChange.objects.filter(work__participant__code="10002", source="import", old="2", new="1")
    assert changes.exists() and set(changes.values_list("reason", flat=True)) == {"ошибка переноса"}


@pytest.mark.django_db
def test_a_form_that_leaves_submitted_works_alone_needs_no_reason(tmp_path, assessment, school, writers, submitted):
    code, out, _err = run("import_results", path_of(tmp_path, exported(assessment, school, filled=True)), *command())
    assert code == 0 and "изменено 0" in out


@pytest.mark.django_db
def test_the_browser_import_asks_for_the_reason_before_changing_submitted_works(
    client, coordinator, assessment, school, writers, graded, submitted
):
    url = reverse("grading:results_import", args=[assessment.campaign.code, school.code, assessment.code])
    client.force_login(coordinator)
    changed = filled_in(exported(assessment, school, filled=True), points=one_point_less)
    preview = client.post(url, {"file": SimpleUploadedFile("form.xlsx", changed)})
    page = preview.content.decode()
    assert preview.status_code == 200 and 'name="reason"' in page and "10002" in page
    token = preview.context["token"]

    refused = client.post(url, {"token": token, "reason": "  "})
    assert refused.status_code == 400 and 'data-testid="reason-missing"' in refused.content.decode()
    assert Work.objects.get(participant__code="10002").primary_score == 24
    assert not ScoreChange.objects.filter(work__participant__code="10002").exclude(reason="").exists()

    confirmed = client.post(url, {"token": token, "reason": "апелляция"})
    assert confirmed.status_code == 302
    assert Work.objects.get(participant__code="10002").primary_score == 12
    reasons = ScoreChange.objects.filter(work__participant__code="10002", old="2", new="1")
    assert set(reasons.values_list("reason", flat=True)) == {"апелляция"}


# R10 on the import ---------------------------------------------------------------------------------------


def local_today(school) -> datetime.date:
    return timezone.localtime(timezone.now(), school.tzinfo).date()


@pytest.mark.django_db
def test_the_command_refuses_a_form_before_grading_of_the_class_opens(tmp_path, assessment, school, writers):
    tomorrow = local_today(school) + datetime.timedelta(days=1)
    make_sitting(assessment, school, date=tomorrow, lesson=2)
    data = filled_in(exported(assessment, school, filled=False))
    code, out, err = run("import_results", path_of(tmp_path, data), *command())
    assert code == 1 and out == ""
    assert err == "Класс 4А: проверка откроется {day} в 14:00 по местному времени школы.".format(
        day=tomorrow.strftime("%d.%m.%Y")
    )
    assert not Score.objects.exists() and not ScoreChange.objects.exists()


@pytest.mark.django_db
def test_the_browser_import_is_refused_before_grading_opens(client, coordinator, assessment, school, writers):
    tomorrow = local_today(school) + datetime.timedelta(days=1)
    make_sitting(assessment, school, date=tomorrow, lesson=2)
    url = reverse("grading:results_import", args=[assessment.campaign.code, school.code, assessment.code])
    client.force_login(coordinator)
    data = filled_in(exported(assessment, school, filled=False))
    preview = client.post(url, {"file": SimpleUploadedFile("form.xlsx", data)})
    assert 'data-testid="not-open"' in preview.content.decode()  # said at once, no button to confirm
    assert "Класс 4А: проверка откроется" in preview.content.decode()
    confirmed = client.post(url, {"token": preview.context["token"]})  # and refused if confirmed anyway
    assert confirmed.status_code == 200
    assert "проверка откроется" in confirmed.content.decode()
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_each_class_opens_on_the_day_it_writes(assessment, school, class_4a, writers):
    """4Б writes on the 24th by the school's schedule; 4А has no line of its own and writes on the school's
    sitting of the 22nd. At 10:00 UTC on the 22nd (15:00 in Yekaterinburg) 4А's rows go in and 4Б's are refused."""
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    late = make_participant(assessment, PupilFactory(school_class=class_4b), code="20001")
    make_work(late)
    campaign = assessment.campaign
    make_sitting(assessment, school, date=datetime.date(2026, 4, 22), lesson=2)
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=class_4b, date=datetime.date(2026, 4, 24), lesson=2
    )
    now = datetime.datetime(2026, 4, 22, 10, tzinfo=UTC)
    blank = exported(assessment, school, filled=False)
    with pytest.raises(ValidationError) as refusal:
        import_bytes(assessment, school, filled_in(blank), actor=None, now=now)
    assert refusal.value.messages == ["Класс 4Б: проверка откроется 24.04.2026 в 14:00 по местному времени школы."]
    assert not Score.objects.exists()
    plan = import_bytes(assessment, school, without_rows(filled_in(blank), {"20001"}), actor=None, now=now)
    assert plan.new == 3 and Work.objects.filter(is_complete=True).count() == 3


@pytest.mark.django_db
def test_without_any_sitting_the_import_opens_on_the_first_day_of_the_window(assessment, school, writers):
    data = filled_in(exported(assessment, school, filled=False))
    with pytest.raises(ValidationError) as refusal:
        import_bytes(assessment, school, data, actor=None, now=datetime.datetime(2026, 4, 20, 8, 59, tzinfo=UTC))
    assert refusal.value.messages == ["Класс 4А: проверка откроется 20.04.2026 в 14:00 по местному времени школы."]
    plan = import_bytes(assessment, school, data, actor=None, now=datetime.datetime(2026, 4, 20, 9, tzinfo=UTC))
    assert plan.new == 3


# The upload to ФИС ОКО -----------------------------------------------------------------------------------


def post_upload(client, assessment, school, data, name="fisoko.xlsx"):
    url = reverse("grading:form_upload", args=[assessment.campaign.code, school.code, assessment.code])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def refused_lines(response) -> str:
    return " ".join(response.context["refused"][1])


@pytest.mark.django_db
def test_the_upload_is_recorded_with_the_schools_complete_form(client, coordinator, assessment, school, graded):
    client.force_login(coordinator)
    response = post_upload(client, assessment, school, graded)
    assert response.status_code == 302
    assert FormUpload.objects.get(school=school, assessment=assessment).file.read() == graded


@pytest.mark.django_db
def test_another_assessments_form_is_refused_for_the_upload(
    client, coordinator, assessment, math_assessment, school, class_4a, graded
):
    """The tester's case: MA-4 marked uploaded with the RU-4 form while no MA-4 work was checked."""
    for number in range(1, 4):
        make_participant(math_assessment, PupilFactory(school_class=class_4a), code=f"3000{number}")
    client.force_login(coordinator)
    response = post_upload(client, math_assessment, school, graded)
    assert response.status_code == 400
    text = refused_lines(response)
    assert "не заполненная форма сбора результатов работы MA-4" in text and "форма от другой работы?" in text
    assert not FormUpload.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="form_upload").exists()


@pytest.mark.django_db
def test_an_incomplete_form_is_refused_for_the_upload(client, coordinator, assessment, school, graded):
    client.force_login(coordinator)
    workbook = openpyxl.load_workbook(io.BytesIO(graded))
    workbook.worksheets[0].cell(row=3, column=5).value = None  # 10002, task 1
    output = io.BytesIO()
    workbook.save(output)
    response = post_upload(client, assessment, school, output.getvalue())
    assert response.status_code == 400
    assert "строка 3, столбец «1 (2б)»: не заполнено" in refused_lines(response)
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_a_form_with_works_not_checked_yet_is_refused_for_the_upload(client, coordinator, assessment, school, writers):
    blank = exported(assessment, school, filled=False)
    import_bytes(assessment, school, without_rows(filled_in(blank), {"10003"}), actor=None)
    client.force_login(coordinator)
    response = post_upload(client, assessment, school, exported(assessment, school, filled=True))
    assert response.status_code == 400
    assert "строка 4: строка не заполнена" in refused_lines(response)
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_a_form_missing_participants_or_differing_from_the_portal_is_refused(
    client, coordinator, assessment, school, graded
):
    client.force_login(coordinator)
    differing = filled_in(graded, points=one_point_less)
    response = post_upload(client, assessment, school, differing)
    assert response.status_code == 400
    assert "не совпадает с результатами в портале у участников (1): 10002" in refused_lines(response)

    workbook = openpyxl.load_workbook(io.BytesIO(graded))
    workbook.worksheets[0].delete_rows(4)  # the last participant's row
    output = io.BytesIO()
    workbook.save(output)
    response = post_upload(client, assessment, school, output.getvalue())
    assert response.status_code == 400
    assert "В файле нет участников (1): 10003" in refused_lines(response)
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_a_form_changed_after_its_upload_says_so_for_the_school_and_the_department(
    client, coordinator, department_user, assessment, school, graded
):
    client.force_login(coordinator)
    assert post_upload(client, assessment, school, graded).status_code == 302
    campaign = assessment.campaign
    state = {c.assessment.code: c.state for c in school_uploads(campaign=campaign, school=school).cells}
    assert state["RU-4"] == UploadState.UPLOADED

    import_bytes(assessment, school, filled_in(graded, points=one_point_less), actor=coordinator)

    state = {c.assessment.code: c.state for c in school_uploads(campaign=campaign, school=school).cells}
    assert state["RU-4"] == UploadState.CHANGED
    page = client.get(reverse("grading:school_uploads", args=[campaign.code, school.code])).content.decode()
    assert "форма изменена после загрузки" in page
    matrix = upload_matrix(campaign=campaign)
    assert dict((s, n) for s, _label, n in matrix.counts)[UploadState.CHANGED] == 1
    client.force_login(department_user)
    page = client.get(reverse("grading:uploads", args=[campaign.code])).content.decode()
    assert 'data-state="changed"' in page and "форма изменена после загрузки" in page

    # the corrected form uploaded again: uploaded
    client.force_login(coordinator)
    assert post_upload(client, assessment, school, exported(assessment, school, filled=True)).status_code == 302
    state = {c.assessment.code: c.state for c in school_uploads(campaign=campaign, school=school).cells}
    assert state["RU-4"] == UploadState.UPLOADED


@pytest.mark.django_db
def test_the_grid_and_its_cells_open_class_by_class(client, coordinator, assessment, school, writers):
    """4А wrote yesterday (no line of its own: the school's sitting), 4Б writes tomorrow by the schedule: 4А's
    rows are open, 4Б's read-only, and a 4Б cell sent anyway is refused with its opening time."""
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    late = make_participant(assessment, PupilFactory(school_class=class_4b), code="20001")
    late_work = make_work(late)
    campaign = assessment.campaign
    today = local_today(school)
    make_sitting(assessment, school, date=today - datetime.timedelta(days=1), lesson=2)
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school)
    tomorrow = today + datetime.timedelta(days=1)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=class_4b, date=tomorrow, lesson=2
    )
    client.force_login(coordinator)
    page = client.get(reverse("grading:manager_grid", args=[campaign.code, school.code, assessment.code]))
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r'data-code="(\d+)".*?(<input[^>]*>)', page.content.decode(), re.S)
    }
    assert "readonly" not in rows["10001"] and "readonly" in rows["20001"]

    task = assessment.tasks.get(label="1")
    body = {"task": task.pk, "value": "1", "base_version": 0, "reason": ""}
    response = post_cell(client, {**body, "work": late_work.pk})
    assert response.status_code == 400
    assert response.json()["error"] == "Проверка откроется {day} в 14:00 по местному времени школы.".format(
        day=tomorrow.strftime("%d.%m.%Y")
    )
    assert post_cell(client, {**body, "work": Work.objects.get(participant__code="10001").pk}).status_code == 200
    assert list(Score.objects.values_list("work__participant__code", flat=True)) == ["10001"]


@pytest.mark.django_db
def test_a_score_changed_in_the_grid_after_the_upload_marks_the_form_changed(
    client, coordinator, assessment, school, graded
):
    client.force_login(coordinator)
    assert post_upload(client, assessment, school, graded).status_code == 302
    work = Work.objects.get(participant__code="10001")
    task = assessment.tasks.get(label="1")
    response = post_cell(client, {"work": work.pk, "task": task.pk, "value": "0", "base_version": 1, "reason": ""})
    assert response.status_code == 200
    state = {c.assessment.code: c.state for c in school_uploads(campaign=assessment.campaign, school=school).cells}
    assert state["RU-4"] == UploadState.CHANGED


@pytest.mark.django_db
def test_the_plan_graphs_upload_stage_is_undone_by_a_change_after_the_upload(
    client, coordinator, assessment, school, graded
):
    from procedures.models import Stage
    from procedures.services.plan import plan_statuses

    campaign = assessment.campaign
    stage = Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.RESULTS_UPLOADED, title="Форма", deadline=campaign.upload_deadline
    )
    client.force_login(coordinator)
    assert post_upload(client, assessment, school, graded).status_code == 302
    assert plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)].done
    import_bytes(assessment, school, filled_in(graded, points=one_point_less), actor=coordinator)
    assert not plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)].done
