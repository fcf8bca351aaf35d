"""The department's upload matrix as a cached page (grading/views_uploads.py, `selectors.matrix_key`): after every
write that changes what it shows — a grid cell, an exemption, an upload recorded, a correction after the upload, a
new class, a school renamed, the deadline passing — the next request shows the change, and the page equals the
same page rendered without a cache; a second read neither renders nor groups the campaign's participations.

The cache stores only outside a transaction, so these tests run with transactions of their own
(`transaction=True`), like tests/grading/test_results_cache.py whose fixture they share; tests/conftest.py empties
the in-process cache before each."""

import datetime
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grading.models import Score, Work
from grading.selectors.uploads import matrix_key
from grading.services.scores import score_set
from procedures.selectors.schedules import assignment_version
from procedures.services.participants import participant_exempt
from procedures.services.schedules import class_assignments_set
from schools.models import Role
from tests.factories import SchoolClassFactory, SchoolFactory, user_with_role
from tests.grading.test_results_cache import results  # noqa: F401 (the shared fixture)
from tests.grading.test_summaries import writers
from tests.grading.test_uploads import record_upload

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
ROW = re.compile(r'<tr data-testid="school-(?P<code>[^"]+)"(?P<row>.*?)</tr>', re.S)
CELL = re.compile(r'data-state="(?P<state>[^"]+)" data-assessment="(?P<assessment>[^"]+)">(?P<body>.*?)</td>', re.S)


@pytest.fixture
def campaign(results):  # noqa: F811
    """The fixture's campaign with its upload deadline a month ahead: the states follow the grading."""
    campaign = results.campaign
    campaign.upload_deadline = timezone.now() + datetime.timedelta(days=30)
    campaign.save(update_fields=["upload_deadline"])
    return campaign


@pytest.fixture
def viewer(client, department):
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun-matrix"))
    return client


def page(client, campaign) -> str:
    """The page's HTML, with the form tokens (masked anew for each response) left out."""
    response = client.get(reverse("grading:uploads", args=[campaign.code]))
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode())


def cells(html: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(school code, assessment code) → (state, the cell's text without tags)."""
    found = {}
    for row in ROW.finditer(html):
        for cell in CELL.finditer(row["row"]):
            text = " ".join(re.sub(r"<[^>]+>", " ", cell["body"]).split())
            found[(row["code"], cell["assessment"])] = (cell["state"], text)
    return found


def fresh(client, campaign) -> dict[tuple[str, str], tuple[str, str]]:
    """The matrix as the next request shows it, asserted equal to the same page rendered without a cache."""
    html = page(client, campaign)
    with override_settings(CACHES=NO_CACHE):
        assert page(client, campaign) == html
    return cells(html)


@pytest.mark.django_db(transaction=True)
def test_after_each_write_the_cached_matrix_is_the_new_one(viewer, campaign, results, school, other_school):  # noqa: F811
    code, other = (school.code, results.code), (other_school.code, results.code)
    first = fresh(viewer, campaign)
    # the fixture left sch660001's first two participants for the grid; sch660002 is graded in full
    assert first[code] == ("checking", "проверка проверено 26 из 28")
    assert first[other] == ("ready", "форма готова проверено 14 из 14")

    left = writers(results, school)[:2]
    participant_exempt(participant=left[0], reason="болезнь", document="справка №1", actor=None)
    assert fresh(viewer, campaign)[code] == ("checking", "проверка проверено 26 из 27")

    work = Work.objects.get(participant=left[1])
    for task in results.tasks.order_by("position"):
        score_set(work=work, task=task, raw="0", actor=None)
    assert fresh(viewer, campaign)[code] == ("ready", "форма готова проверено 27 из 27")

    upload = record_upload(school, results)
    state, text = fresh(viewer, campaign)[code]
    assert state == "uploaded" and timezone.localtime(upload.uploaded_at).strftime("%d.%m %H:%M") in text

    counted = Score.objects.filter(work__school=school, work__assessment=results).first()
    score_set(work=counted.work, task=counted.task, raw="0", actor=None, reason="исправление")
    assert fresh(viewer, campaign)[code][0] == "changed"

    school.short_name = "Школа переименована"
    school.save(update_fields=["short_name"])
    assert "Школа переименована" in page(viewer, campaign)

    third = SchoolFactory(department=school.department, code="sch660003", short_name="СШ №3")
    assert not any(key[0] == third.code for key in fresh(viewer, campaign))
    SchoolClassFactory(school=third, grade=results.grade, letter="А")  # a class of the grade: the school writes
    assert fresh(viewer, campaign)[(third.code, results.code)] == ("not_started", "не начато")

    campaign.upload_deadline = timezone.now() - datetime.timedelta(minutes=1)
    campaign.save(update_fields=["upload_deadline"])
    after = fresh(viewer, campaign)
    assert after[other][0] == "overdue" and after[(third.code, results.code)][0] == "overdue"
    assert after[code][0] == "changed"  # recorded: not late, whatever the deadline


@pytest.mark.django_db(transaction=True)
def test_a_second_read_neither_renders_nor_groups_the_participations(viewer, campaign):
    page(viewer, campaign)
    with CaptureQueriesContext(connection) as queries:
        page(viewer, campaign)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "procedures_participant" not in read and "grading_work" not in read
    assert len(queries) <= 8, [query["sql"][:80] for query in queries.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_an_upload_recorded_keeps_the_campaigns_grading_cached(viewer, campaign, results, school):  # noqa: F811
    """An upload gives the page a new key but leaves the results stamps alone: the next render reads the grading
    from the cache instead of grouping the participations again."""
    page(viewer, campaign)
    record_upload(school, results)
    with CaptureQueriesContext(connection) as queries:
        assert cells(page(viewer, campaign))[(school.code, results.code)][0] == "uploaded"
    assert not any("COUNT" in q["sql"] and "procedures_participant" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_the_key_changes_with_the_deadline_passing_and_the_assignment(campaign, results, school):  # noqa: F811
    deadline = campaign.upload_deadline
    before = matrix_key(campaign, now=deadline - datetime.timedelta(seconds=1))
    assert matrix_key(campaign, now=deadline - datetime.timedelta(seconds=1)) == before
    assert matrix_key(campaign, now=deadline) != before
    department = campaign.department  # the deadline is shown in the department's time
    department.time_zone = "Europe/Moscow"
    department.save(update_fields=["time_zone"])
    campaign.refresh_from_db()
    assert matrix_key(campaign, now=deadline - datetime.timedelta(seconds=1)) != before

    class_4b = SchoolClassFactory(school=school, grade=results.grade, letter="Б")
    version = assignment_version(campaign)
    class_assignments_set(campaign=campaign, school=school, chosen={results: [class_4b]}, actor=None)
    changed = assignment_version(campaign)
    assert changed != version
    class_4a = school.classes.get(grade=results.grade, letter="А")
    class_assignments_set(campaign=campaign, school=school, chosen={results: [class_4a]}, actor=None)
    assert assignment_version(campaign) not in (version, changed)  # the same number of rows, other classes
