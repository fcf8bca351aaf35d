"""The municipal re-check in the browser, from a case to the protocol (issue 12): uo sends the school of its case
to re-check («На перепроверку»); the school's coordinator uploads the scans of its works (several at once, named
by code) and the criteria of the variant, and sends them; uo confirms receipt (the clock starts), forms the
commission from experts of other schools, approves it by order and distributes the works; two commission experts
score blind (never the original scores, total or expert) and submit; the divergent work goes to a third expert,
who scores it and records the decision; uo downloads the commission's protocol. Screenshots in
test-artifacts/e2e/."""

import pytest
from playwright.sync_api import expect

from grading.models import Score
from monitoring.models import RecheckScore, RecheckSelection, RecheckWork, SignalCase
from schools.models import Role
from tests.factories import (
    SchoolFactory,
    StaffFactory,
    StaffSubjectFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_work,
    user_with_role,
)

from .test_score_grid import cell, grid_ready, wait_for

pytestmark = pytest.mark.e2e

TASKS = [("1", 3), ("2", 3)]
SCALE = {"3": 2, "4": 4, "5": 5}
# code → the original points per task: 30001 (3, 2) = 5 «5», 30002 (2, 2) = 4 «4»
ORIGINAL = {"30001": (3, 2), "30002": (2, 2)}
# commission0 agrees on 30001; commission1 gives 30002 (1, 1) = 2 «3»: another mark, so a third expert decides
FIRST = {"30001": ("3", "2"), "30002": ("1", "1")}
THIRD = ("1", "2")  # 3 «3»
ORIGINAL_EXPERT = "Оригиналова"


def pdf(text: str) -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


@pytest.fixture
def case(department, school, other_school, role_users):
    """sch660001's RU-4 of VPR-2026 with two works checked by its own expert, and its high-results case; three
    qualified experts of other schools with log-ins (commission0…2)."""
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, tasks=TASKS, scale=SCALE)
    original = StaffFactory(school=school, last_name=ORIGINAL_EXPERT)
    StaffSubjectFactory(staff=original, subject=assessment.subject, experience_years=10)
    tasks = list(assessment.tasks.order_by("position"))
    for code, points in ORIGINAL.items():
        participant = make_participant(assessment, school=school, code=code, class_name="4А", sex="Ж", variant=1)
        total = sum(points)
        work = make_work(
            participant, expert=original, primary_score=total, mark=assessment.mark_for(total), is_complete=True
        )
        for task, value in zip(tasks, points, strict=True):
            Score.objects.create(work=work, task=task, value=value)
    third_school = SchoolFactory(department=department, code="sch660003", short_name="СШ №3")
    for number, (home, surname) in enumerate(
        [(other_school, "Первова"), (other_school, "Вторникова"), (third_school, "Третьякова")]
    ):
        user = user_with_role(Role.EXPERT, department=department, username=f"commission{number}")
        staff = StaffFactory(school=home, user=user, last_name=surname, first_name="Анна", middle_name="Ивановна")
        StaffSubjectFactory(staff=staff, subject=assessment.subject, experience_years=8)
    return SignalCase.objects.create(
        campaign=campaign,
        assessment=assessment,
        school=school,
        kind="high_results",
        evidence_at_opening={},
        evidence={},
    )


def score_grid(page, values: dict[str, tuple[str, ...]], round_: str) -> None:
    """Types each work's points in the grid with the keyboard and waits until the server holds them."""
    grid_ready(page)
    for code, points in values.items():
        for column, value in enumerate(points):
            target = cell(page, code, column)
            target.click()
            target.press_sequentially(value)
            target.press("Tab")
    wait_for(
        lambda: (
            RecheckScore.objects.filter(round=round_, recheck_work__work__participant__code__in=values).count()
            == len(values) * len(TASKS)
        )
    )


def test_from_the_case_to_the_protocol(page, shot, log_in, case, school):
    page.on("dialog", lambda dialog: dialog.accept())  # the «are you sure?» of sending and submitting

    # 1. uo sends the case's school to re-check
    log_in(page, "uo")
    page.goto(f"/monitoring/cases/{case.pk}/")
    page.get_by_test_id("recheck-from-case").get_by_role("button", name="На перепроверку").click()
    selection = RecheckSelection.objects.get()
    assert (selection.school_id, selection.reason, selection.case_id) == (school.pk, "signal", case.pk)
    shot(page, "1-selected-from-case")
    page.context.clear_cookies()

    # 2. the coordinator uploads the scans and the criteria, and sends them
    log_in(page, "coord")
    page.goto(f"/monitoring/schools/{case.school.code}/recheck/")  # as the selection's notice links it
    section = page.get_by_test_id("recheck-selection")
    section.get_by_test_id("recheck-batch").locator('input[type="file"]').set_input_files(
        [{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": pdf(code)} for code in ORIGINAL]
    )
    section.get_by_role("button", name="Загрузить сканы").click()
    criteria = page.get_by_test_id("recheck-criteria")
    criteria.get_by_label("Критерии варианта 1").set_input_files(
        {"name": "criteria-1.pdf", "mimeType": "application/pdf", "buffer": pdf("criteria 1")}
    )
    criteria.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_test_id("recheck-missing")).to_have_count(0)
    shot(page, "2-scans-uploaded")
    page.get_by_test_id("recheck-send").click()
    expect(page.get_by_test_id("recheck-sent")).to_be_visible()
    shot(page, "3-scans-sent")
    page.context.clear_cookies()

    # 3. uo confirms receipt: the five working days start
    log_in(page, "uo")
    page.goto(f"/monitoring/recheck/selections/{selection.pk}/")
    expect(page.get_by_test_id("recheck-scans")).to_contain_text("30002")
    page.get_by_test_id("receive-form").get_by_role("button").click()
    expect(page.get_by_test_id("due-on")).not_to_have_text("—")
    shot(page, "4-received")

    # 4. the commission: two experts of sch660002 (the first the chair) and one of sch660003, approved, works given
    page.goto("/monitoring/campaigns/VPR-2026/recheck/commission/")
    for query, surname, chair in (
        ("sch660002", "Первова", True),
        ("sch660002", "Вторникова", False),
        ("sch660003", "Третьякова", False),
    ):
        page.get_by_role("searchbox").or_(page.get_by_label("Фамилия или код школы")).first.fill(query)
        page.get_by_role("button", name="Найти").click()
        item = page.get_by_test_id("commission-candidates").locator("li").filter(has_text=surname)
        if chair:
            item.get_by_label("председатель").check()
        item.get_by_role("button", name="Включить").click()
        expect(page.get_by_test_id("commission-members")).to_contain_text(surname)
    page.get_by_test_id("approve-form").get_by_label("Приказ об утверждении состава комиссии", exact=False).fill(
        "№ 15 от 20.05.2026"
    )
    page.get_by_role("button", name="Утвердить состав").click()
    expect(page.get_by_test_id("commission-approved")).to_be_visible()
    page.get_by_test_id("distribute-form").get_by_role("button", name="Распределить работы").click()
    wait_for(lambda: RecheckWork.objects.count() == 2)
    shot(page, "5-commission")
    page.context.clear_cookies()

    # 5. two commission experts score blind and submit
    for number, (code, points) in enumerate(FIRST.items()):
        log_in(page, f"commission{number}")
        page.locator("nav.navbar").get_by_role("link", name="Перепроверка").click()
        page.get_by_test_id("recheck-my-works").get_by_role("link", name="Баллы").click()
        expect(page.get_by_test_id("recheck-grid").locator("tr[data-code]")).to_have_count(1)
        text = page.content()
        assert ORIGINAL_EXPERT not in text, "the original expert is hidden (blind re-check)"
        score_grid(page, {code: points}, RecheckScore.Round.FIRST)
        shot(page, f"6-grid-commission{number}")
        page.locator("#grid-submit").get_by_role("button").click()
        wait_for(lambda code=code: RecheckWork.objects.get(work__participant__code=code).status != "assigned")
        page.context.clear_cookies()
    agreed = RecheckWork.objects.get(work__participant__code="30001")
    divergent = RecheckWork.objects.get(work__participant__code="30002")
    assert (agreed.status, agreed.final_mark) == ("final", 5)
    assert (divergent.status, divergent.recheck_mark) == ("adjudication", 3)

    # 6. uo sends the divergent work to a third expert
    log_in(page, "uo")
    page.goto("/monitoring/campaigns/VPR-2026/recheck/commission/")
    expect(page.get_by_test_id("adjudication")).to_contain_text("30002")
    page.get_by_role("button", name="Назначить автоматически (наименее загруженный)").click()
    wait_for(lambda: RecheckWork.objects.get(pk=divergent.pk).third_expert_id is not None)
    divergent.refresh_from_db()
    assert divergent.third_expert.staff.last_name == "Третьякова"
    shot(page, "7-third-expert")
    page.context.clear_cookies()

    # 7. the third expert scores it blind and records the decision
    log_in(page, "commission2")
    page.locator("nav.navbar").get_by_role("link", name="Перепроверка").click()
    page.get_by_test_id("recheck-my-works").get_by_role("link", name="Баллы").click()
    assert ORIGINAL_EXPERT not in page.content()
    score_grid(page, {"30002": THIRD}, RecheckScore.Round.THIRD)
    page.get_by_label("Работа 30002: решение").fill("Задание 2 оценено по критерию К2 на 2 балла.")
    page.get_by_test_id("decision-form").get_by_role("button", name="Записать решение").click()
    wait_for(lambda: RecheckWork.objects.get(pk=divergent.pk).status == "final")
    divergent.refresh_from_db()
    assert (divergent.final_primary_score, divergent.final_mark) == (3, 3)
    shot(page, "8-decided")
    page.context.clear_cookies()

    # 8. uo reads the agreement and downloads the commission's protocol
    log_in(page, "uo")
    page.locator("nav.navbar").get_by_role("link", name="Перепроверка").click()
    shot(page, "9-rechecks")
    page.get_by_test_id("recheck-campaigns").get_by_role("link", name="согласованность").click()
    expect(page.locator("body")).to_contain_text(ORIGINAL_EXPERT)  # the original expert's card, to the department
    shot(page, "10-agreement")
    link = page.get_by_role("link", name="Протокол").first
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
