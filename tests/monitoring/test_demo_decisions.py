"""The demo's management decisions (reports/demo/decisions.py), on a demo built once for the module: ВПР-2025's
decisions show beside ВПР-2026's results for the school and the department, one is overdue, each case closed as
confirmed has its decision, and a second build adds none."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from monitoring.models import ManagementDecision, SignalCase
from reports.demo.build import build_demo
from reports.demo.decisions import seed_decisions
from schools.models import Department, User

TODAY = datetime.date(2026, 11, 29)
D = ManagementDecision


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            yield build_demo(today=TODAY)
            transaction.set_rollback(True)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_the_demo_has_its_decisions(demo):
    decisions = list(D.objects.select_related("campaign", "school").order_by("pk"))
    by_campaign = {(d.campaign.code, d.school.code if d.school else None, d.basis): d for d in decisions}
    assert by_campaign[("VPR-2025", None, D.Basis.OTHER)].status == D.Status.DONE
    assert by_campaign[("VPR-2025", "sch660002", D.Basis.WEAK_SKILL)].outcome
    overdue = by_campaign[("VPR-2025", "sch660001", D.Basis.OTHER)]
    assert overdue.status == D.Status.PLANNED and overdue.due_on < TODAY
    confirmed = SignalCase.objects.filter(
        campaign__code="VPR-2026", status=SignalCase.Status.CLOSED, conclusion=SignalCase.Conclusion.CONFIRMED
    )
    assert confirmed.exists()
    for case in confirmed:
        assert D.objects.filter(case=case, status=D.Status.IN_PROGRESS).count() == 1
    department = Department.objects.get(pk=overdue.department_id)
    assert seed_decisions(department=department, today=TODAY + datetime.timedelta(days=1)) == len(decisions)


@pytest.mark.django_db
def test_vpr_2026_results_show_the_decisions_of_vpr_2025(demo):
    page = reverse("grading:results_figures", args=["VPR-2026", "sch660002", "RU-4"])
    html = client_for("coord2").get(page).content.decode()
    assert "Решения по итогам прошлых кампаний" in html
    assert "еженедельные упражнения" in html and "выполнение выросло" in html  # the school's own, with its outcome
    assert "заседание РМО учителей начальных классов" in html  # the municipal one
    assert "курсы повышения квалификации" not in html  # another school's
    html = client_for("coord1").get(reverse("grading:results_figures", args=["VPR-2026", "sch660001", "MA-4"]))
    assert 'data-testid="overdue"' in html.content.decode()
    municipal = client_for("uo").get(reverse("reports:municipal_assessment", args=["VPR-2026", "RU-4"]))
    html = municipal.content.decode()
    assert "еженедельные упражнения" in html and "заседание РМО учителей начальных классов" in html
    register = client_for("uo").get(reverse("monitoring:decisions"), {"overdue": "1"})
    assert register.context["overdue_count"] >= 1
