"""Violations of the procedure (monitoring/violations.py): one per item of a submitted act or card that reports a
violation, idempotent, kept across corrections with a note; the department records its own; the school answers,
the department closes — with notifications and audit; the department's list filters, counts, pages and exports
the same rows to xlsx; a school sees only its own (404 across schools); no pupil's name anywhere."""

import pytest
from django.utils import timezone

from monitoring.items import items_of
from monitoring.models import ObservationAssignment, Person, Violation, VisitReport
from monitoring.violations import (
    violations_from_report,
)
from schools.models import AuditEntry, Notification, Role
from tests.factories import make_assessment, make_campaign, make_sitting, make_sitting_room, user_with_role

PASSWORD = "vpr-test-password"


# Data -------------------------------------------------------------------------------------------------------------


def make_assignment(sitting, *, kind=Person.Kind.OBSERVER, room=None, user=None) -> ObservationAssignment:
    role = Role.OBSERVER if kind == Person.Kind.OBSERVER else Role.DEPARTMENT_REPRESENTATIVE
    user = user or user_with_role(role, department=sitting.school.department)
    person = Person.objects.create(department=sitting.school.department, user=user, kind=kind)
    return ObservationAssignment.objects.create(person=person, sitting=sitting, sitting_room=room)


def clean_answers(kind: str) -> dict:
    """Answers that report no violation: every item answered the other way than its `violation_if`."""
    return {item.code: {"value": "no" if item.violation_if == "yes" else "yes", "text": ""} for item in items_of(kind)}


def submitted(assignment, kind, answers: dict, *, version=1, reason="") -> VisitReport:
    full = clean_answers(kind)
    full.update(answers)
    return VisitReport.objects.create(
        assignment=assignment,
        kind=kind,
        version=version,
        status=VisitReport.Status.SUBMITTED,
        answers=full,
        correction_reason=reason,
        submitted_at=timezone.now(),
        submitted_by=assignment.person.user,
    )


ACT, CARD = VisitReport.Kind.ACT, VisitReport.Kind.CARD


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    return make_assessment(campaign)


@pytest.fixture
def sitting(ru4, school):
    return make_sitting(ru4, school)


@pytest.fixture
def room(sitting):
    return make_sitting_room(sitting)


@pytest.fixture
def act_assignment(sitting, room):
    return make_assignment(sitting, room=room)


@pytest.fixture
def card_assignment(sitting):
    return make_assignment(sitting, kind=Person.Kind.REPRESENTATIVE)


# From an act or a card --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_act_reports_a_violation_per_item_answered_the_violating_way(act_assignment, room, role_users):
    report = submitted(
        act_assignment,
        ACT,
        {
            "1": {"value": "no", "text": "Парты не расставлены"},  # «Готовность аудиторий»: «нет» is a violation
            "2.2": {"value": "yes", "text": "Организатор выходил на 10 минут"},
            "2.5": {"value": "no", "text": "не оказывал"},  # «нет» here is fine
        },
    )
    found = violations_from_report(report)
    assert [(v.item, v.kind, v.details) for v in found] == [
        ("1", Violation.Kind.ROOMS, "Парты не расставлены"),
        ("2.2", Violation.Kind.ORGANIZER_LEFT, "Организатор выходил на 10 минут"),
    ]
    violation = found[0]
    assert violation.source == Violation.Source.ACT and violation.status == Violation.Status.OPEN
    assert violation.school == act_assignment.sitting.school and violation.sitting == act_assignment.sitting
    assert violation.sitting_room == room and violation.report == report
    assert violation.reported_by == act_assignment.person.user
    assert AuditEntry.objects.filter(action="violation.reported").count() == 2
    # the school's coordinator and director are told, once
    notified = set(Notification.objects.filter(key=f"violations:report:{report.pk}").values_list("user", flat=True))
    assert notified == {role_users[Role.SCHOOL_COORDINATOR].pk, role_users[Role.DIRECTOR].pk}


@pytest.mark.django_db
def test_a_card_reports_each_no_as_the_items_kind(card_assignment):
    report = submitted(
        card_assignment,
        CARD,
        {"1": {"value": "no", "text": "Приказа нет"}, "9": {"value": "no", "text": ""}, "4": {"value": "", "text": ""}},
    )
    found = violations_from_report(report)
    assert [(v.item, v.kind, v.source) for v in found] == [
        ("1", Violation.Kind.ORDER, Violation.Source.CARD),
        ("9", Violation.Kind.SEATING, Violation.Source.CARD),
    ]
    assert found[0].sitting_room is None  # a card is about the whole school


@pytest.mark.django_db
def test_a_clean_report_reports_nothing(act_assignment):
    assert violations_from_report(submitted(act_assignment, ACT, {})) == []
    assert not Violation.objects.exists()


@pytest.mark.django_db
def test_a_draft_reports_nothing(act_assignment):
    draft = VisitReport.objects.create(
        assignment=act_assignment, kind=ACT, answers={"2.2": {"value": "yes", "text": ""}}
    )
    with pytest.raises(ValueError):
        violations_from_report(draft)
    assert not Violation.objects.exists()


@pytest.mark.django_db
def test_reporting_twice_adds_nothing(act_assignment, coordinator):
    report = submitted(act_assignment, ACT, {"2.6": {"value": "yes", "text": "писали после звонка"}})
    first = violations_from_report(report)
    again = violations_from_report(report)
    assert [v.pk for v in again] == [v.pk for v in first]
    assert Violation.objects.count() == 1
    assert AuditEntry.objects.filter(action="violation.reported").count() == 1
    assert Notification.objects.filter(user=coordinator).count() == 1


@pytest.mark.django_db
def test_a_correction_keeps_the_earlier_violations_and_notes_its_changes(act_assignment, department_user):
    v1 = submitted(
        act_assignment,
        ACT,
        {
            "1.3": {"value": "yes", "text": "плакат с правилами"},
            "2.2": {"value": "yes", "text": "выходил"},
            "2.5": {"value": "yes", "text": "подсказывал"},
        },
    )
    kept = {v.item: v for v in violations_from_report(v1)}
    v2 = submitted(
        act_assignment,
        ACT,
        {
            "1.3": {"value": "yes", "text": "плакат с правилами"},  # unchanged
            "2.2": {"value": "yes", "text": "выходил дважды"},  # details changed
            "2.6": {"value": "yes", "text": "писали после звонка"},  # newly reported
            # 2.5 no longer reported
        },
        version=2,
        reason="перепутал пункты",
    )
    found = violations_from_report(v2)
    assert [v.item for v in found] == ["1.3", "2.2", "2.6"]
    assert Violation.objects.count() == 4  # 1.3, 2.2, 2.5 of v1 kept; 2.6 of v2 new
    assert found[0].pk == kept["1.3"].pk and found[1].pk == kept["2.2"].pk and found[2].report == v2
    by_item = {v.item: v for v in Violation.objects.all()}
    assert by_item["1.3"].details == "плакат с правилами"
    assert "Исправление (версия 2): подробности изменены: выходил дважды" in by_item["2.2"].details
    withdrawn = by_item["2.5"]
    assert withdrawn.details.startswith("подсказывал")
    assert "Исправление (версия 2): пункт больше не отмечен как нарушение" in withdrawn.details
    assert "перепутал пункты" in withdrawn.details and withdrawn.status == Violation.Status.OPEN
    assert AuditEntry.objects.filter(action="violation.corrected").count() == 2
    assert Notification.objects.filter(user=department_user, key=f"violations:correction:{v2.pk}").exists()
    # idempotent: the same correction again notes nothing more
    violations_from_report(v2)
    assert Violation.objects.get(pk=withdrawn.pk).details == withdrawn.details
    assert Violation.objects.count() == 4
    # reported again in a third version: the same violation, noted
    v3 = submitted(act_assignment, ACT, {"2.5": {"value": "yes", "text": "всё же подсказывал"}}, version=3)
    again = {v.item: v for v in violations_from_report(v3)}
    assert again["2.5"].pk == withdrawn.pk
    assert "Исправление (версия 3): пункт снова отмечен как нарушение. всё же подсказывал" in again["2.5"].details
    assert Violation.objects.count() == 4
