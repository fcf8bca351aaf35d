"""The demo's cases (reports/demo/cases.py), on a demo built once for the module: every planted signal of the
latest finished campaign has its case, taken along the flow so that the department and coord2 land on real work,
and the cases' pages open for them."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from monitoring.models import SignalCase
from reports.demo.build import build_demo
from reports.demo.patterns import PATTERNS
from schools.models import User


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            yield build_demo(today=datetime.date(2026, 11, 29))
            transaction.set_rollback(True)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_every_planted_signal_has_its_case_along_the_flow(demo):
    found = {
        (c.school.code, c.assessment.code, c.kind): c
        for c in SignalCase.objects.filter(campaign__code="VPR-2026").select_related("school", "assessment")
    }
    for pattern in PATTERNS:
        assert (pattern.school, pattern.assessment, pattern.kind) in found, pattern
    # the demo re-check's own case (recheck_delta) is tests/monitoring/test_demo_recheck.py's
    statuses = {
        key[0]: (case.status, case.conclusion)
        for key, case in found.items()
        if key[0] != "sch660011" and key[2] != "recheck_delta"
    }
    assert statuses == {
        "sch660002": ("asked", ""),
        "sch660003": ("asked", ""),
        "sch660006": ("answered", ""),
        "sch660008": ("closed", "confirmed"),
    }
    assert found[("sch660011", "MA-4", "stable_low")].status == "open"


@pytest.mark.django_db
def test_coord2_has_a_question_to_answer_and_uo_a_conclusion_to_record(demo):
    coord2 = client_for("coord2")
    listed = coord2.get(reverse("monitoring:school_cases", kwargs={"school_code": "sch660002"})).content.decode()
    case = SignalCase.objects.get(school__code="sch660002", assessment__code="RU-4", campaign__code="VPR-2026")
    assert f'data-case="{case.pk}"' in listed
    page = coord2.get(reverse("monitoring:case", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="answer-form"' in page and 'data-testid="evidence-chart"' in page

    uo = client_for("uo")
    answered = uo.get(
        reverse("monitoring:campaign_cases", kwargs={"campaign_code": "VPR-2026"}), {"status": "answered"}
    ).content.decode()
    assert 'data-school="sch660006" data-assessment="MA-5" data-kind="inverted_difficulty"' in answered
    signals = uo.get(reverse("monitoring:campaign_signals", kwargs={"campaign_code": "VPR-2026"})).content.decode()
    for pattern in PATTERNS:
        assert f'data-school="{pattern.school}" data-assessment="{pattern.assessment}" data-kind="{pattern.kind}"' in (
            signals
        ), pattern
