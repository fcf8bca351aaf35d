"""The demo's observation (reports/demo/observation.py), on a demo built once for the module for the real today:
`observer` and `uo_rep` land on a form to fill, the department sees the violations, director1 reads an act, the
registry shows a conflict, the observer effect has both groups, and a second build adds nothing."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from monitoring.assignments import assignment_conflicts
from monitoring.items import ACT_TITLE
from monitoring.models import (
    AssignmentLottery,
    InstructionAcknowledgement,
    ObservationAssignment,
    Person,
    PersonRelative,
    VideoRecord,
    Violation,
    VisitReport,
)
from monitoring.observer_effect import observer_effect
from procedures.models import Assessment, Sitting
from reports.demo.build import build_demo
from schools.models import AuditEntry, Notification, User

from .test_observer_crawl import crawl, entry_points, forbidden_names


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            yield build_demo()
            transaction.set_rollback(True)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def own_assignment(username: str) -> ObservationAssignment:
    return ObservationAssignment.objects.select_related("sitting").get(
        person__user__username=username, sitting__campaign__code="APR-DEMO"
    )


@pytest.mark.django_db
def test_observer_reads_the_instruction_first_then_finds_the_act_of_the_day_to_fill(demo):
    assert not InstructionAcknowledgement.objects.filter(user__username="observer").exists()
    assignment = own_assignment("observer")
    assert assignment.sitting.date == timezone.localdate(timezone=assignment.sitting.school.tzinfo)
    assert assignment.sitting_room is not None and assignment.lottery is not None
    client = client_for("observer")
    start = client.get("/", follow=True).content.decode()
    assert 'data-testid="instruction-to-read"' in start
    client.post(reverse("monitoring:instruction_acknowledge"))
    form_url = reverse("monitoring:report", args=[assignment.pk])
    assert form_url in client.get(reverse("monitoring:assignments")).content.decode()
    form = client.get(form_url)
    assert form.status_code == 200
    assert VisitReport.objects.get(assignment=assignment).status == VisitReport.Status.DRAFT


@pytest.mark.django_db
def test_uo_rep_finds_the_monitoring_card_of_the_day_to_fill(demo):
    assignment = own_assignment("uo_rep")
    client = client_for("uo_rep")
    card_url = reverse("monitoring:card", args=[assignment.pk])
    assert card_url in client.get("/", follow=True).content.decode()
    page = client.get(card_url)
    assert page.status_code == 200
    # the card shows what the portal knows: the order's number and the rooms of the sitting
    html = page.content.decode()
    assert "45-ОД" in html and "каб. 201" in html


@pytest.mark.django_db
def test_uo_sees_the_violations_open_answered_and_closed(demo):
    statuses = dict(Violation.objects.values_list("item", "status"))
    assert statuses == {"1.3": "closed", "9": "answered", "2.2": "open"}
    html = client_for("uo").get(reverse("monitoring:violations")).content.decode()
    for violation in Violation.objects.all():
        assert violation.details in html


@pytest.mark.django_db
def test_director1_reads_the_act_filed_at_the_school(demo):
    act = VisitReport.objects.get(assignment__sitting__school__code="sch660001", status=VisitReport.Status.SUBMITTED)
    client = client_for("director1")
    listed = client.get(reverse("monitoring:school_reports", args=["sch660001"])).content.decode()
    assert reverse("monitoring:report_view", args=[act.pk]) in listed
    page = client.get(reverse("monitoring:report_view", args=[act.pk]))
    assert page.status_code == 200 and ACT_TITLE in page.content.decode()


@pytest.mark.django_db
def test_the_registry_shows_a_relative_conflict_and_the_day_has_its_lottery(demo):
    observer3 = Person.objects.get(user__username="observer3")
    assert PersonRelative.objects.filter(person=observer3, school__code="sch660001").exists()
    sitting = Sitting.objects.get(campaign__code="APR-DEMO", assessment__code="MA-4")
    assert assignment_conflicts(observer3, sitting)
    lottery = AssignmentLottery.objects.get(date=sitting.date)
    assert lottery.drawn == [sitting.pk] and lottery.seed
    assert VideoRecord.objects.filter(sitting__campaign__code="APR-DEMO").count() == 2
    # the services wrote their audit entries and notices
    assert AuditEntry.objects.filter(action="observation.assigned").count() == ObservationAssignment.objects.count()
    assert Notification.objects.filter(user__username="observer").exists()


@pytest.mark.django_db
def test_the_observer_effect_of_the_finished_campaign_has_both_groups(demo):
    for code in ("RU-4", "MA-5"):
        effect = observer_effect(Assessment.objects.get(campaign__code="VPR-2026", code=code))
        assert effect.observed.participants > 0 and effect.unobserved.participants > 0, code


@pytest.mark.django_db
def test_observer_and_uo_rep_never_meet_a_pupil_by_name(demo):
    client = client_for("observer")
    client.post(reverse("monitoring:instruction_acknowledge"))
    names = forbidden_names()
    for username, start in (("observer", reverse("monitoring:assignments")), ("uo_rep", reverse("monitoring:cards"))):
        client = client_for(username)
        pages = crawl(client, start, *entry_points("sch660001"))
        assert len(pages) > 2, username
        for url, text in pages.items():
            found = [name for name in names if name in text]
            assert not found, (username, url, found[:3])


@pytest.mark.django_db
def test_a_second_build_adds_no_observation(demo):
    models = (Person, PersonRelative, ObservationAssignment, AssignmentLottery, VisitReport, Violation, VideoRecord)
    before = {model.__name__: model.objects.count() for model in models}
    build_demo(today=timezone.localdate() + datetime.timedelta(days=1))
    assert {model.__name__: model.objects.count() for model in models} == before
