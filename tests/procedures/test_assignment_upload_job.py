"""Rosobrnadzor's distribution over UPLOAD_INLINE_MAX_BYTES goes through the jobs of every other import: the
upload writes nothing and answers with the job's page, the job's preview shows, the confirmation applies it once.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procedures.models import ClassAssignment
from schools.models import AuditEntry
from tests.procedures.test_assignments import assignment_of, csv_file, make_classes
from vpr_portal.models import Job
from vpr_portal.uploads import APPLY_JOB, PREVIEW_JOB


@pytest.fixture
def large(settings):
    """Every test file counts as large."""
    settings.UPLOAD_INLINE_MAX_BYTES = 1


def import_url(campaign) -> str:
    return reverse("procedures:assignment_import", kwargs={"campaign_code": campaign.code})


def post_file(client, url, file):
    name, data = file
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def job_page(response) -> str:
    assert response.status_code == 302 and "?job=" in response["Location"], response
    return response["Location"]


@pytest.mark.django_db
def test_a_large_distribution_is_checked_in_a_job_and_applied_once_on_confirm(
    client, campaign, assessment, school, department_user, large, django_capture_on_commit_callbacks
):
    make_classes(school, "4А", "4Б")
    client.force_login(department_user)
    url = import_url(campaign)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = job_page(post_file(client, url, csv_file([("sch660001", "4Б", "RU-4")])))
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.state == Job.State.QUEUED and job.params["context"] == {"campaign": campaign.code}
    assert not ClassAssignment.objects.exists()
    progress = client.get(page)
    assert progress.status_code == 200 and 'data-testid="upload-progress"' in progress.content.decode()

    queued[0]()  # the job runs (JOBS_INLINE: in this thread)
    preview = client.get(page)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.content.decode()
    summary = preview.context["summary"]
    assert (summary.pairs, summary.schools, summary.added, summary.removed) == (1, 1, 1, 0)
    assert preview.context["rows"] == 1 and preview.context["campaign"] == campaign
    assert not ClassAssignment.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        confirmed = client.post(page, {"token": preview.context["token"]})
    outcome_page = job_page(confirmed)
    assert not ClassAssignment.objects.exists()  # the confirmation only queues the apply
    queued[0]()
    assert assignment_of(campaign, school) == {"RU-4": ["4Б"]}
    audited = AuditEntry.objects.filter(action="class_assignment.changed").count()
    assert audited == 1

    outcome = client.get(outcome_page, follow=True)
    assert outcome.redirect_chain[-1][0] == reverse("procedures:assignments", args=[campaign.code])
    expected = "Распределение загружено: пар «школа — работа» 1, назначено классов 1, снято 0."
    assert expected in outcome.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # confirmed again: the same job, nothing twice
        client.post(page, {"token": preview.context["token"]})
    assert Job.objects.filter(kind=APPLY_JOB).count() == 1
    assert AuditEntry.objects.filter(action="class_assignment.changed").count() == audited
    assert ClassAssignment.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_large_distribution_lists_every_problem_from_the_job(
    client, campaign, assessment, school, department_user, large, django_capture_on_commit_callbacks
):
    make_classes(school, "4А")
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        page = job_page(post_file(client, import_url(campaign), csv_file([("sch660001", "5А", "RU-4")])))
    html = client.get(page).content.decode()
    assert "строка 2, столбец «Класс»: в школе sch660001 нет класса 5А" in html
    assert "Ничего не изменено" in html and 'data-testid="preview"' not in html
    assert not ClassAssignment.objects.exists()


@pytest.mark.django_db
def test_a_distribution_job_is_not_shown_through_another_campaigns_page(
    client, campaign, assessment, school, department, department_user, large, django_capture_on_commit_callbacks
):
    from tests.factories import make_campaign

    other = make_campaign(department, code="VPR-2027")
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        job_page(post_file(client, import_url(campaign), csv_file([("sch660001", "4А", "RU-4")])))
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert client.get(f"{import_url(other)}?job={job.pk}").status_code == 404
    assert client.get(f"{import_url(campaign)}?job={job.pk}").status_code == 200
