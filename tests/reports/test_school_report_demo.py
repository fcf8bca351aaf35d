"""The demo's school conclusions (reports/demo/school_reports.py): sch660001 has them on ВПР-2025 (one revision, by
coord1) and ВПР-2026 (two: coord1, then director1), for every assessment with results and a general part, naming no
pupil; coord1 reads them on the справка's page with the form to write; a second build adds nothing."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from procedures.models import Campaign
from reports.demo.build import build_demo
from reports.report_sections import assessments_with_results
from reports.school_conclusions import conclusions_history, conclusions_of
from schools.models import Pupil, School, User

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            yield build_demo(today=TODAY)
            transaction.set_rollback(True)


def test_sch660001_has_its_conclusions_on_the_last_two_campaigns(demo):
    school = School.objects.get(code="sch660001")
    surnames = set(Pupil.objects.filter(school_class__school=school).values_list("last_name", flat=True))
    for code, revisions in (("VPR-2025", ["coord1"]), ("VPR-2026", ["director1", "coord1"])):
        campaign = Campaign.objects.get(code=code)
        history = conclusions_history(campaign, school)
        assert [revision.saved_by.username for revision in history] == revisions
        current = conclusions_of(campaign, school)
        parts = {str(a.pk) for a in assessments_with_results(campaign, school)} | {"general"}
        assert set(current.sections) == parts and current.text("general", "measures")
        texts = " ".join(text for section in current.sections.values() for text in section.values())
        assert not any(surname in texts for surname in surnames)
    assert not conclusions_of(Campaign.objects.get(code="VPR-2024"), school).revision


def test_coord1_reads_them_on_the_page_and_a_second_build_adds_nothing(demo):
    client = Client()
    client.force_login(User.objects.get(username="coord1"))
    url = reverse("reports:school_report", kwargs={"school_code": "sch660001", "campaign_code": "VPR-2026"})
    body = client.get(url).content.decode()
    assert 'data-testid="conclusions-form"' in body and "педагогический совет" in body
    build_demo(today=TODAY)
    assert conclusions_of(Campaign.objects.get(code="VPR-2026"), School.objects.get(code="sch660001")).revision == 2
