"""Imports of files over UPLOAD_INLINE_MAX_BYTES are read in background jobs, not in the request: the upload
answers with the job's page, the job stores the preview (or every problem), the confirmation queues the apply,
which writes all or nothing, once. Only the uploader opens the job's pages. Small files keep the request's path.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grading.models import Score, ScoreChange, Work
from schools.models import Pupil, Role
from tests.factories import user_with_role
from tests.grading import test_import_results as results_tests
from tests.grading import test_write_guards as guards_tests
from tests.grading.test_import_results import filled_rows, form_url, nothing_written, upload
from tests.grading.test_write_guards import exported, filled_in, one_point_less
from tests.procedures import conftest as procedures_fixtures
from vpr_portal.models import Job
from vpr_portal.uploads import APPLY_JOB, PREVIEW_JOB

# the fixtures of the results form's tests, shared here
campaign = procedures_fixtures.campaign
assessment = procedures_fixtures.assessment
coded = results_tests.coded
writers, graded, submitted = guards_tests.writers, guards_tests.graded, guards_tests.submitted

PUPILS = "Фамилия;Имя;Отчество;Класс;Пол;ОВЗ\nСнегирёва;Алиса;Олеговна;4А;М;нет\nДятлов;Кирилл;;4А;М;нет\n".encode()


@pytest.fixture
def large(settings):
    """Every test file counts as large."""
    settings.UPLOAD_INLINE_MAX_BYTES = 10


def post_file(client, url, name, content):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def job_page(response) -> str:
    assert response.status_code == 302 and "?job=" in response["Location"], response
    return response["Location"]


# Pupils ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_pupil_list_is_checked_in_a_job_and_applied_once_on_confirm(
    client, coordinator, school, pupil, large, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("schools:pupil_import", args=[school.code])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_file(client, url, "pupils.csv", PUPILS)
    page = job_page(response)
    assert len(queued) == 1  # the job is handed over once the request's transaction commits: nothing read yet
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.state == Job.State.QUEUED and job.requested_by == coordinator
    assert job.params["context"] == {"school": school.code}
    progress = client.get(page)
    assert progress.status_code == 200 and 'data-testid="upload-progress"' in progress.content.decode()
    assert '<meta http-equiv="refresh"' in progress.content.decode()

    queued[0]()  # the job runs (JOBS_INLINE: in this thread)
    preview = client.get(page)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.content.decode()
    summary = preview.context["summary"]
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 1)
    assert not Pupil.objects.filter(last_name="Дятлов").exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(page, {"token": preview.context["token"]})
    assert Pupil.objects.filter(last_name="Дятлов", school=school).count() == 1
    outcome = client.get(job_page(confirmed), follow=True)
    assert outcome.redirect_chain[-1][0] == reverse("schools:pupil_list", args=[school.code])
    assert "Загружено: добавлено 1, обновлено 0, без изменений 1." in outcome.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # confirmed again: the same job, nothing twice
        client.post(page, {"token": preview.context["token"]})
    assert Pupil.objects.filter(last_name="Дятлов", school=school).count() == 1
    assert Job.objects.filter(kind=APPLY_JOB).count() == 1


@pytest.mark.django_db
def test_the_job_preview_shows_what_the_request_path_shows(
    client, coordinator, school, pupil, settings, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("schools:pupil_import", args=[school.code])
    inline = post_file(client, url, "pupils.csv", PUPILS)
    assert inline.status_code == 200 and not Job.objects.exists()  # under the limit: checked in the request
    settings.UPLOAD_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, url, "pupils.csv", PUPILS))
    from_job = client.get(page)
    assert dict(from_job.context["summary"]) == dict(inline.context["summary"])
    assert from_job.context["rows"] == inline.context["rows"] == 2


@pytest.mark.django_db
def test_a_refused_large_file_shows_every_problem_and_writes_nothing(
    client, coordinator, school, large, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("schools:pupil_import", args=[school.code])
    content = "Фамилия;Имя;Отчество;Класс;Пол\nДятлов;Кирилл;;4А;М\nКлёст;;;4Ы7;Q\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, url, "pupils.csv", content))
    html = client.get(page).content.decode()
    assert "строка 3, столбец «Имя»: не заполнено" in html and "строка 3, столбец «Пол»" in html
    assert "Ничего не изменено" in html and 'data-testid="preview"' not in html
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_only_the_uploader_opens_the_jobs_pages(
    client, coordinator, school, other_school, large, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("schools:pupil_import", args=[school.code])
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, url, "pupils.csv", PUPILS))
    job = Job.objects.get(kind=PREVIEW_JOB)

    colleague = user_with_role(Role.SCHOOL_COORDINATOR, school=school)
    client.force_login(colleague)
    assert client.get(page).status_code == 404
    client.post(page, {"token": job.params["token"]})  # not their upload: the session knows no such file
    assert not Pupil.objects.exists() and not Job.objects.filter(kind=APPLY_JOB).exists()

    # the uploader, through another school's page (or with a job of another kind of import): 404 as well
    from schools.models import Membership

    Membership.objects.create(user=coordinator, role=Role.SCHOOL_COORDINATOR, school=other_school)
    client.force_login(coordinator)
    assert client.get(reverse("schools:pupil_import", args=[other_school.code]) + f"?job={job.pk}").status_code == 404
    assert client.get(reverse("schools:pupil_import", args=[school.code]) + "?job=99999").status_code == 404
    assert client.get(reverse("schools:pupil_import", args=[school.code]) + "?job=x").status_code == 404
    assert client.get(page).status_code == 200


# The results form ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_results_form_is_checked_in_a_job_and_applied_once(
    client, coordinator, tmp_path, coded, assessment, school, large, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = form_url("results_import", assessment, school)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = job_page(upload(client, url, tmp_path, filled_rows(coded)))
    assert nothing_written(assessment) and Job.objects.get().state == Job.State.QUEUED
    queued[0]()
    preview = client.get(page)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.content.decode()
    assert (preview.context["summary"].new, preview.context["summary"].unchanged) == (4, 0)
    assert len(preview.context["changed_rows"]) == 4
    assert not Score.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        confirmed = client.post(page, {"token": preview.context["token"]})
    outcome_page = job_page(confirmed)
    assert not Score.objects.exists()  # the confirmation only queues the apply
    queued[0]()
    assert Work.objects.filter(is_complete=True).count() == 3
    scores = Score.objects.count()
    assert scores and ScoreChange.objects.filter(changed_by=coordinator).exists()
    outcome = client.get(outcome_page)
    assert outcome.status_code == 302 and outcome["Location"] == form_url("results_figures", assessment, school)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"token": preview.context["token"]})
    assert Score.objects.count() == scores


@pytest.mark.django_db
def test_a_refused_large_results_form_lists_its_problems(
    client, coordinator, tmp_path, coded, assessment, school, large, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    rows = filled_rows(coded)
    rows[0][8] = 7
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(upload(client, form_url("results_import", assessment, school), tmp_path, rows))
    response = client.get(page)
    assert response.context["problems"] == ["строка 2, столбец «4 (3б)»: балл 7 больше максимума 3"]
    assert nothing_written(assessment)


@pytest.mark.django_db
def test_a_large_form_changing_submitted_works_asks_for_the_reason_and_the_job_keeps_it(
    client, coordinator, assessment, school, writers, graded, submitted, large, django_capture_on_commit_callbacks
):
    url = reverse("grading:results_import", args=[assessment.campaign.code, school.code, assessment.code])
    client.force_login(coordinator)
    changed = filled_in(exported(assessment, school, filled=True), points=one_point_less)
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(client.post(url, {"file": SimpleUploadedFile("form.xlsx", changed)}))
    preview = client.get(page)
    assert 'name="reason"' in preview.content.decode() and "10002" in preview.content.decode()
    token = preview.context["token"]

    refused = client.post(page, {"token": token, "reason": "  "})
    assert refused.status_code == 400 and 'data-testid="reason-missing"' in refused.content.decode()
    assert not Job.objects.filter(kind=APPLY_JOB).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"token": token, "reason": "апелляция"})
    assert Work.objects.get(participant__code="10002").primary_score == 12
    reasons = ScoreChange.objects.filter(work__participant__code="10002", old="2", new="1")
    assert set(reasons.values_list("reason", flat=True)) == {"апелляция"}


@pytest.mark.django_db
def test_a_small_results_form_still_takes_the_request_path(client, coordinator, tmp_path, coded, assessment, school):
    client.force_login(coordinator)
    response = upload(client, form_url("results_import", assessment, school), tmp_path, filled_rows(coded))
    assert response.status_code == 200 and response.context["summary"].new == 4
    assert not Job.objects.exists()


# The catalogue ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_catalogue_is_loaded_through_jobs_and_the_page_goes_to_its_campaign(
    client, role_users, department, large, django_capture_on_commit_callbacks
):
    import json

    from procedures.models import Campaign
    from tests.procedures.test_catalogue import CATALOGUE

    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("procedures:catalogue_load")
    content = json.dumps(CATALOGUE, ensure_ascii=False).encode()
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, url, "cat.json", content))
    preview = client.get(page)
    assert preview.context["summary"].campaign_created and preview.context["summary"].created == 2
    assert not Campaign.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(page, {"token": preview.context["token"]})
    outcome = client.get(job_page(confirmed))
    assert outcome["Location"] == reverse("procedures:campaign_detail", args=["VPR-2026"])
    assert Campaign.objects.get(code="VPR-2026").assessments.count() == 2


# Hostile files are large: their refusal comes from the job ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", ["zip_bomb_entry", "csv_huge_field"])
def test_a_hostile_file_over_the_limit_is_refused_by_the_job(
    client, coordinator, school, settings, bomb, django_capture_on_commit_callbacks
):
    from tests.hostile_workbooks import HOSTILE
    from tests.test_hostile_spreadsheets import REFUSAL_WORDS

    filename, build = HOSTILE[bomb]
    content = build()
    assert len(content) > settings.UPLOAD_INLINE_MAX_BYTES  # the default limit: no fixture needed
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, reverse("schools:pupil_import", args=[school.code]), filename, content))
    problems = "; ".join(client.get(page).context["problems"])
    assert any(word in problems for word in REFUSAL_WORDS), problems
    assert not Pupil.objects.exists()
