"""The municipal analytical report in a browser: uo opens the campaign's municipal results, follows the link to the
analytical report, sees what it holds, builds it and watches its progress (the job runs in the web process's job
threads, the page refreshes itself) until the version is ready, downloads the PDF and the DOCX and reads them: the
department's name, the sections, no pupil's name. Screenshots of the page and a picture of the PDF's first page
(pypdfium2) in test-artifacts/e2e/."""

import time

import pytest
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.reports_steps import build_and_download
from tests.reports.drilldown_data import drilled, more_schools

pytestmark = pytest.mark.e2e


@pytest.fixture
def planted(department, school, other_school, pupil, role_users, settings, monkeypatch):
    from reports.generation import forget_kept_contents
    from tests.factories import make_campaign
    from vpr_portal import jobs

    forget_kept_contents()  # an earlier test's database may have had the same ids
    # one job thread: the test database (SQLite in memory, shared cache) answers «table is locked» instead of
    # waiting when the two formats' jobs are claimed at the same moment; one after the other they never collide
    settings.JOBS_THREADS = 1
    monkeypatch.setattr(jobs, "_pool", None)
    # and the live server's requests may hold the table at the moment the job is claimed: try the claim again
    # (running a job is safe to repeat), as a file database's busy timeout would wait
    run_here = jobs._run_here

    def patient(job_id):
        for _attempt in range(50):
            try:
                return run_here(job_id)
            except OperationalError as error:
                if "locked" not in str(error):
                    raise
                time.sleep(0.1)
        return run_here(job_id)

    monkeypatch.setattr(jobs, "_run_here", patient)
    settings.JOBS_INLINE = False  # the embedded default: the report is built in the web process's job threads
    campaign = make_campaign(department)
    assessment = drilled(campaign, school, other_school, pupil)
    more_schools(assessment, department, 3)
    return campaign


def test_uo_builds_the_municipal_report_and_downloads_it(page, shot, log_in, planted, department, pupil, request):
    log_in(page, "uo")
    page.goto(reverse("reports:municipal_results", kwargs={"campaign_code": planted.code}))
    page.get_by_test_id("analytical-report-link").click()
    expect(page.locator("h1")).to_contain_text("Аналитический отчёт")
    expect(page.get_by_test_id("report-outline")).to_contain_text("Сравнение школ: воронкообразные диаграммы")
    expect(page.get_by_test_id("report-outline")).to_contain_text("T-4")
    expect(page.get_by_test_id("municipal-report-xlsx")).to_be_visible()
    expect(page.get_by_test_id("report-state")).to_contain_text("Отчёт ещё не формировался.")
    shot(page, "1-page")

    files = build_and_download(page, shot, request, first_shot=2)
    texts = {}
    for fmt, (filename, text) in files.items():
        assert filename.endswith(f"{planted.code}.{fmt}")
        texts[fmt] = text
    for fmt, text in texts.items():
        folded = text.casefold()
        for words in (
            department.name,
            "Аналитический отчёт о результатах всероссийских проверочных работ",
            "Распределение отметок",
            "Сравнение школ: воронкообразные диаграммы",
            "Управленческие решения",
        ):
            assert words.casefold() in folded, (fmt, words)
        assert pupil.last_name not in text, fmt
