"""Small defects of the results pages, each found when tried as a new user would."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.grading.test_import_results import coded, filled_rows, form_url, import_rows  # noqa: F401
from tests.grading.test_uploads import graded_form, post_upload


@pytest.mark.django_db
def test_the_journal_comparison_shows_a_dash_without_journal_marks(
    client,
    coordinator,
    tmp_path,
    coded,  # noqa: F811 (the fixture of the results import tests)
    assessment,
    school,
):
    rows = filled_rows(coded)
    for row in rows:
        row[16] = None  # no journal marks at all
    import_rows(tmp_path, rows)
    client.force_login(coordinator)
    html = client.get(form_url("results_figures", assessment, school)).content.decode()
    table = html[html.index('data-testid="journal-comparison"') :].split("</table>")[0]
    assert "0,0" not in table and "0.0" not in table
    assert table.count("—") >= 3


@pytest.mark.django_db
def test_the_journal_comparison_still_shows_shares_with_journal_marks(
    client,
    coordinator,
    tmp_path,
    coded,  # noqa: F811 (the fixture of the results import tests)
    assessment,
    school,
):
    import_rows(tmp_path, filled_rows(coded))
    client.force_login(coordinator)
    html = client.get(form_url("results_figures", assessment, school)).content.decode()
    table = html[html.index('data-testid="journal-comparison"') :].split("</table>")[0]
    assert "&nbsp;%" in table


@pytest.mark.django_db
def test_the_upload_message_names_the_work_without_a_double_dot(
    client, campaign, assessment, school, class_4a, coordinator
):
    client.force_login(coordinator)
    content = graded_form(assessment, school, class_4a)
    response = post_upload(client, campaign, school, assessment, SimpleUploadedFile("форма.xlsx", content))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Загрузка в ФИС ОКО отмечена: {assessment}" in page
    assert "кл.." not in page
