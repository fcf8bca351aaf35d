"""The school's analytical справка in a browser: the coordinator opens the school's справки, the campaign's page (what
the справка holds, the weak skills' preview), writes the conclusions and measures for an assessment and the general
ones, builds the справка and watches its progress (the job runs in the web process's job threads, the page refreshes
itself) until the version is ready, downloads the PDF and the DOCX and finds the conclusions in both. Screenshots of
the page and a picture of the PDF's first page (pypdfium2) in test-artifacts/e2e/."""

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.reports_steps import build_and_download
from tests.reports.school_report_data import NAME, WEAK_SKILL, plant

pytestmark = pytest.mark.e2e

CONCLUSIONS = "Задача в два действия (умение 3.1) даётся обоим классам хуже остальных заданий."
MEASURES = "Еженедельные занятия по решению задач в 4А и 4Б до конца второй четверти."
GENERAL = "Результаты школы выше муниципальных; признак высоких результатов разобран с управлением образования."


def _read_uncommitted(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def planted(department, school, other_school, role_users, settings):
    """The embedded default: the справка is built in the web process's job threads. The test database is SQLite in
    shared-cache memory, whose table locks (unlike the WAL file of the embedded install) refuse a page's read while
    a job thread writes its progress: reads here do not wait for writers' table locks."""
    settings.JOBS_INLINE = False
    if connection.vendor == "sqlite":
        _read_uncommitted(None, connection)
    connection_created.connect(_read_uncommitted)
    yield plant(department, school, other_school)
    connection_created.disconnect(_read_uncommitted)


def test_the_coordinator_writes_conclusions_builds_the_spravka_and_downloads_it(
    page, shot, log_in, planted, school, request
):
    log_in(page, "coord")
    page.goto(reverse("reports:school_report_index", kwargs={"school_code": school.code}))
    page.get_by_test_id("report-campaigns").get_by_role("link", name="ВПР-2026").click()
    expect(page.get_by_test_id("report-outline")).to_contain_text(WEAK_SKILL)
    expect(page.get_by_test_id("report-state")).to_contain_text("Отчёт ещё не формировался.")
    shot(page, "1-page")

    assessment = planted["assessment"]
    form = page.get_by_test_id("conclusions-form")
    part = form.locator(f'fieldset[data-part="{assessment.pk}"]')
    part.get_by_label("Выводы").fill(CONCLUSIONS)
    part.get_by_label("Меры / рекомендации").fill(MEASURES)
    form.locator('fieldset[data-part="general"]').get_by_label("Выводы").fill(GENERAL)
    form.get_by_test_id("conclusions-save").click()
    expect(page.get_by_text("Выводы сохранены: редакция 1.")).to_be_visible()
    expect(page.get_by_test_id("conclusions-history")).to_contain_text("История редакций: 1")
    shot(page, "2-conclusions-saved")

    files = build_and_download(page, shot, request, first_shot=3)
    texts = {}
    for fmt, (filename, text) in files.items():
        assert filename == f"spravka-{school.code}-VPR-2026.{fmt}"
        texts[fmt] = text
    for fmt, text in texts.items():
        for words in (CONCLUSIONS, MEASURES, GENERAL, "Аналитическая справка".upper(), school.name):
            assert words in text or words.upper() in text, (fmt, words)
        assert NAME[0] not in text, fmt

    # new conclusions: the built справка is outdated, and the page offers to build it again
    part = page.get_by_test_id("conclusions-form").locator('fieldset[data-part="general"]')
    part.get_by_label("Меры / рекомендации").fill("Педагогический совет по итогам ВПР в январе.")
    page.get_by_test_id("conclusions-save").click()
    expect(page.get_by_test_id("report-outdated")).to_be_visible()
    expect(page.get_by_test_id("report-build")).to_contain_text("Сформировать заново")
    shot(page, "6-outdated")
