"""The coordinator downloads the filled results form, uploads it again unchanged and is told nothing changed."""

import pytest
from playwright.sync_api import expect

from grading.models import ScoreChange
from grading.services.scores import score_set
from schools.models import Role
from tests.factories import make_assessment, make_campaign, make_participant, make_work

pytestmark = pytest.mark.e2e

TASKS = [("1", 2, "Б"), ("2", 1, "Б"), ("3", 3, "П")]
RESULTS = {"10001": [2, 1, 3], "10002": [1, "X", 0], "10003": [0, 1, 2]}


@pytest.fixture
def graded(department, school, role_users):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, code="RT-4", tasks=TASKS, scale={"3": 2, "4": 4, "5": 5})
    tasks = list(assessment.tasks.order_by("position"))
    for code, values in RESULTS.items():
        participant = make_participant(assessment, school=school, class_name="4А", sex="Ж", code=code, variant=1)
        work = make_work(participant)
        for task, value in zip(tasks, values, strict=True):
            score_set(work=work, task=task, raw=value, actor=role_users[Role.SCHOOL_COORDINATOR])
    return assessment


def test_reimporting_the_exported_form_changes_nothing(page, shot, log_in, graded, school, tmp_path):
    changes_before = ScoreChange.objects.count()
    log_in(page, "coord")
    page.goto(f"/grading/results/{graded.campaign.code}/{school.code}/")
    shot(page, "results")
    with page.expect_download() as download:
        page.get_by_role("link", name="заполненная для ФИС ОКО").click()
    path = tmp_path / "form.xlsx"
    download.value.save_as(path)

    page.goto(f"/grading/results/{graded.campaign.code}/{school.code}/{graded.code}/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("preview-unchanged")).to_have_text("3")
    expect(page.get_by_test_id("preview-changed")).to_have_text("0")
    expect(page.get_by_test_id("nothing-changes")).to_be_visible()
    shot(page, "preview")
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Ничего не изменилось")).to_be_visible()
    shot(page, "nothing-changed")
    assert ScoreChange.objects.count() == changes_before
