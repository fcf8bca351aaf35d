"""A signal's case from the department's dashboard to the school's answer and the department's conclusion: uo opens
the overview, the municipal results, the assessment, sees the school with its signal, drills into its results, and
follows the signal's badge to its case (the evidence drawn), asks; the coordinator of that school sees the
notification, opens the case and answers; uo records the conclusion and closes it, and the campaign's signals list
shows the case closed. Screenshots in test-artifacts/e2e/."""

import pytest
from playwright.sync_api import expect

from monitoring.cases import cases_check_due
from monitoring.models import SignalCase
from tests.factories import make_assessment, make_campaign
from tests.monitoring.test_signals import bunched, plant, totals

pytestmark = pytest.mark.e2e


@pytest.fixture
def flagged(department, school, other_school, role_users):
    """RU-4 of VPR-2026: sch660001 bunched at the lowest score of «3», sch660002 plain; the periodic check has
    opened the case."""
    assessment = make_assessment(make_campaign(department))
    plant(assessment, school, totals(assessment, bunched(10, 10, 0)))
    plant(assessment, other_school, totals(assessment, [12] * 20 + [17] * 5))
    assert cases_check_due().opened == [("sch660001", "RU-4", "boundary_bunching")]
    return assessment


def test_department_asks_the_school_answers_the_department_concludes(page, shot, log_in, flagged, school):
    log_in(page, "uo")
    page.goto("/reports/overview/")
    shot(page, "1-overview")
    page.get_by_test_id("municipal-results-link").first.click()
    page.get_by_role("link", name="RU-4").first.click()
    row = page.get_by_test_id("municipal-schools").locator(f'tr[data-school="{school.code}"]')
    expect(row).to_contain_text("скопление у границы отметки")
    shot(page, "2-municipal-assessment")
    row.get_by_role("link", name="Результаты школы").click()
    expect(page.locator("h1")).to_contain_text("RU-4")
    shot(page, "3-school-results")

    page.go_back()
    row.locator('a[data-signal="boundary_bunching"]').click()  # the badge leads to the signal's case
    expect(page.locator("h1")).to_contain_text("скопление у границы отметки")
    expect(page.get_by_test_id("evidence-chart")).to_be_visible()
    expect(page.locator('rect[data-tone="up"]')).to_have_count(2)
    shot(page, "4-case-department")
    page.get_by_label("Вопрос школе").fill("Почему так много работ ровно на границе «3»?")
    page.get_by_role("button", name="Задать вопрос").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("вопрос школе")
    shot(page, "5-asked")
    page.context.clear_cookies()

    log_in(page, "coord")
    page.get_by_test_id("notifications").click()
    page.get_by_role("link", name="скопление у границы отметки").first.click()
    expect(page.get_by_test_id("case-messages")).to_contain_text("ровно на границе «3»")
    expect(page.get_by_test_id("evidence-chart")).to_be_visible()
    shot(page, "6-case-school")
    page.get_by_label("Ответ школы").fill("Перепроверили работы с 10 баллами: критерии применены верно.")
    page.get_by_role("button", name="Ответить").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("ответ школы")
    shot(page, "7-answered")
    page.context.clear_cookies()

    log_in(page, "uo")
    case = SignalCase.objects.get()
    page.goto(f"/monitoring/cases/{case.pk}/")
    expect(page.get_by_test_id("case-messages")).to_contain_text("критерии применены верно")
    page.get_by_label("признак не подтвердился").check()
    page.get_by_label("Принятые меры (управленческие решения)").fill("Наблюдатели на следующей ВПР в школе.")
    page.get_by_role("button", name="Записать заключение и закрыть").click()
    expect(page.get_by_test_id("case-conclusion")).to_contain_text("признак не подтвердился")
    shot(page, "8-concluded")
    case.refresh_from_db()
    assert (case.status, case.conclusion) == ("closed", "not_confirmed")
    assert list(case.messages.values_list("kind", flat=True)) == ["question", "answer", "conclusion"]

    page.goto("/monitoring/campaigns/VPR-2026/signals/")
    signal = page.get_by_test_id("campaign-signals").locator(f'tr[data-school="{school.code}"]')
    expect(signal).to_contain_text("закрыт")
    shot(page, "9-signals")
