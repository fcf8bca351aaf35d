"""Violations of the procedure (monitoring/violations.py): one per item of a submitted act or card that reports a
violation, idempotent, kept across corrections with a note; the department records its own; the school answers,
the department closes — with notifications and audit; the department's list filters, counts, pages and exports
the same rows to xlsx; a school sees only its own (404 across schools); no pupil's name anywhere."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.items import items_of
from monitoring.models import ObservationAssignment, Person, SignalCase, Violation, VisitReport
from monitoring.violations import (
    violation_answer,
    violation_close,
    violation_record,
    violations_from_report,
)
from schools.models import AuditEntry, Notification, Role
from tests.factories import make_assessment, make_campaign, make_sitting, make_sitting_room, user_with_role

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


# The school answers, the department closes ----------------------------------------------------------------------


@pytest.fixture
def violation(sitting, room, department_user):
    return violation_record(
        sitting=sitting, sitting_room=room, kind=Violation.Kind.OUTSIDERS, details="Посторонний", actor=department_user
    )


@pytest.mark.django_db
def test_the_department_records_a_violation_and_the_school_is_told(violation, coordinator, role_users):
    assert violation.source == Violation.Source.DEPARTMENT and violation.status == Violation.Status.OPEN
    assert AuditEntry.objects.filter(action="violation.recorded", target_id=str(violation.pk)).exists()
    told = set(Notification.objects.filter(key=f"violation:{violation.pk}:recorded").values_list("user", flat=True))
    assert told == {coordinator.pk, role_users[Role.DIRECTOR].pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "details", "message"),
    [
        ("", "что-то", "Выберите вид нарушения"),
        ("nonsense", "что-то", "Выберите вид нарушения"),
        (Violation.Kind.OTHER, "   ", "Опишите нарушение"),
        (Violation.Kind.OTHER, "я" * 5001, "длиннее 5000"),
    ],
)
def test_a_record_without_kind_or_details_is_refused(sitting, department_user, kind, details, message):
    with pytest.raises(ValidationError, match=message):
        violation_record(sitting=sitting, kind=kind, details=details, actor=department_user)
    assert not Violation.objects.exists()


@pytest.mark.django_db
def test_a_room_of_another_sitting_is_refused(sitting, ru4, other_school, department_user):
    foreign_room = make_sitting_room(make_sitting(ru4, other_school))
    with pytest.raises(ValidationError, match="аудитория не относится"):
        violation_record(
            sitting=sitting, sitting_room=foreign_room, kind=Violation.Kind.OTHER, details="x", actor=department_user
        )
    assert not Violation.objects.exists()


@pytest.mark.django_db
def test_the_school_answers_then_the_department_closes(violation, coordinator, department_user):
    with pytest.raises(ValidationError, match="Напишите ответ"):
        violation_answer(violation=violation, text="  ", actor=coordinator)
    violation.refresh_from_db()
    assert violation.status == Violation.Status.OPEN and violation.answer == ""

    violation_answer(violation=violation, text="Посторонний удалён, объяснительная взята", actor=coordinator)
    violation.refresh_from_db()
    assert violation.status == Violation.Status.ANSWERED and violation.answered_by == coordinator
    assert Notification.objects.filter(user=department_user, text__contains="ответила").exists()
    assert AuditEntry.objects.filter(action="violation.answered", actor=coordinator).exists()

    with pytest.raises(ValidationError, match="Запишите решение"):
        violation_close(violation=violation, note="", actor=department_user)
    violation_close(violation=violation, note="Замечание директору", actor=department_user)
    violation.refresh_from_db()
    assert violation.status == Violation.Status.CLOSED and violation.closing_note == "Замечание директору"
    assert Notification.objects.filter(user=coordinator, key=f"violation:{violation.pk}:closed").exists()
    assert AuditEntry.objects.filter(action="violation.closed", actor=department_user).exists()

    with pytest.raises(ValidationError, match="ответить на него уже нельзя"):
        violation_answer(violation=violation, text="ещё ответ", actor=coordinator)
    with pytest.raises(ValidationError, match="уже закрыто"):
        violation_close(violation=violation, note="ещё раз", actor=department_user)
    violation.refresh_from_db()
    assert violation.answer == "Посторонний удалён, объяснительная взята"
    assert violation.closing_note == "Замечание директору"


@pytest.mark.django_db
def test_the_school_answers_on_the_violations_page(client, violation, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("monitoring:school_violations", args=[violation.school.code]))
    assert page.status_code == 200 and f'data-violation="{violation.pk}"' in page.content.decode()
    detail = client.get(reverse("monitoring:violation", args=[violation.pk])).content.decode()
    assert 'data-testid="answer-form"' in detail and 'data-testid="close-form"' not in detail
    response = client.post(reverse("monitoring:violation_answer", args=[violation.pk]), {"text": ""}, follow=True)
    assert "Напишите ответ школы." in response.content.decode()
    client.post(reverse("monitoring:violation_answer", args=[violation.pk]), {"text": "Разобрались"})
    violation.refresh_from_db()
    assert violation.answer == "Разобрались"


@pytest.mark.django_db
def test_the_department_closes_on_the_violations_page(client, violation, department_user):
    client.force_login(department_user)
    detail = client.get(reverse("monitoring:violation", args=[violation.pk])).content.decode()
    assert 'data-testid="close-form"' in detail and 'data-testid="answer-form"' not in detail
    client.post(reverse("monitoring:violation_close", args=[violation.pk]), {"note": "Мер не требуется"})
    violation.refresh_from_db()
    assert violation.status == Violation.Status.CLOSED
    detail = client.get(reverse("monitoring:violation", args=[violation.pk])).content.decode()
    assert 'data-testid="close-form"' not in detail and "Мер не требуется" in detail


@pytest.mark.django_db
def test_another_schools_violation_does_not_exist_for_the_school(
    client, ru4, other_school, department_user, coordinator
):
    foreign = violation_record(
        sitting=make_sitting(ru4, other_school), kind=Violation.Kind.OTHER, details="x", actor=department_user
    )
    client.force_login(coordinator)
    assert client.get(reverse("monitoring:violation", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("monitoring:violation_answer", args=[foreign.pk]), {"text": "чужое"}).status_code == 404
    assert client.get(reverse("monitoring:school_violations", args=[other_school.code])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.answer == "" and foreign.status == Violation.Status.OPEN


@pytest.mark.django_db
def test_the_department_records_a_violation_on_its_page(client, sitting, room, department_user):
    client.force_login(department_user)
    url = reverse("monitoring:violation_new")
    page = client.get(url, {"school": sitting.school.code}).content.decode()
    assert f'value="{sitting.pk}"' in page and f'value="{room.pk}"' in page
    refused = client.post(url, {"school": sitting.school.code, "sitting": sitting.pk, "kind": "other", "details": ""})
    assert refused.status_code == 400 and "Опишите нарушение." in refused.content.decode()
    assert not Violation.objects.exists()
    response = client.post(
        url,
        {
            "school": sitting.school.code,
            "sitting": sitting.pk,
            "sitting_room": room.pk,
            "kind": "video",
            "details": "Камера не работала",
        },
    )
    violation = Violation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:violation", args=[violation.pk])
    assert (violation.sitting_room, violation.kind, violation.source) == (room, "video", "department")


@pytest.mark.django_db
def test_a_department_cannot_record_for_another_municipalitys_school(client, department_user):
    from tests.factories import DepartmentFactory, SchoolFactory

    stranger = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch990001")
    sitting = make_sitting(make_assessment(make_campaign(stranger.department, code="VPR-X")), stranger)
    client.force_login(department_user)
    url = reverse("monitoring:violation_new")
    response = client.post(url, {"school": stranger.code, "sitting": sitting.pk, "kind": "other", "details": "x"})
    assert response.status_code == 400 and not Violation.objects.exists()


# The department's list ------------------------------------------------------------------------------------------


@pytest.fixture
def spread(ru4, campaign, school, other_school, department_user, coordinator):
    """Violations in two schools, two assessments, two days, of every source and status."""
    import datetime

    ma4 = make_assessment(campaign, code="MA-4", subject="Математика")
    day1, day2 = campaign.window_start, campaign.window_start + datetime.timedelta(days=3)
    s1 = make_sitting(ru4, school, date=day1)
    s2 = make_sitting(ru4, other_school, date=day1)
    s3 = make_sitting(ma4, school, date=day2)
    made = {
        "a": violation_record(sitting=s2, kind="video", details="камеры нет", actor=department_user),
        "b": violation_record(sitting=s1, kind="outsiders", details="посторонний", actor=department_user),
        "c": violation_record(sitting=s3, kind="seating", details="рассадка", actor=department_user),
    }
    observed = submitted(make_assignment(s1), ACT, {"2.2": {"value": "yes", "text": "выходил"}})
    made["d"] = violations_from_report(observed)[0]
    violation_answer(violation=made["b"], text="разобрались", actor=coordinator)
    violation_close(violation=made["c"], note="меры приняты", actor=department_user)
    return made


def listed(client, **params) -> list[int]:
    response = client.get(reverse("monitoring:violations"), params)
    assert response.status_code == 200
    return [v.pk for v, _cells in response.context["rows"]]


@pytest.mark.django_db
def test_the_list_is_by_date_then_school_code(client, spread, department_user):
    client.force_login(department_user)
    # newest day first; within a day by school code (sch660001 before sch660002), never by results (R15)
    assert listed(client) == [spread["c"].pk, spread["b"].pk, spread["d"].pk, spread["a"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"school": "sch660002"}, ["a"]),
        ({"assessment": "MA-4"}, ["c"]),
        ({"campaign": "VPR-2026", "kind": "outsiders"}, ["b"]),
        ({"campaign": "VPR-NONE"}, []),
        ({"source": "act"}, ["d"]),
        ({"status": "answered"}, ["b"]),
        ({"status": "closed"}, ["c"]),
        ({"date_from": "2026-04-21"}, ["c"]),
        ({"date_to": "2026-04-20", "status": "open"}, ["d", "a"]),
        ({"kind": "nonsense", "date_from": "not a date"}, ["c", "b", "d", "a"]),
    ],
)
def test_the_list_filters(client, spread, department_user, params, expected):
    client.force_login(department_user)
    assert listed(client, **params) == [spread[key].pk for key in expected]


@pytest.mark.django_db
def test_the_counts_per_status_follow_the_filters_but_the_status(client, spread, department_user):
    client.force_login(department_user)
    response = client.get(reverse("monitoring:violations"), {"school": "sch660001", "status": "open"})
    assert {value: n for value, _label, n in response.context["statuses"]} == {"open": 1, "answered": 1, "closed": 1}
    assert response.context["total"] == 3


@pytest.mark.django_db
def test_the_xlsx_holds_the_pages_rows(client, spread, department_user):
    from openpyxl import load_workbook

    client.force_login(department_user)
    params = {"school": "sch660001"}
    page = client.get(reverse("monitoring:violations"), params)
    response = client.get(page.context["xlsx_url"])
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet_rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == page.context["headers"]

    def plain(cells):
        return [c.date() if hasattr(c, "date") and callable(c.date) else ("" if c is None else c) for c in cells]

    assert [plain(r) for r in sheet_rows[1:]] == [cells for _v, cells in page.context["rows"]]
    assert len(sheet_rows) == 4


@pytest.mark.django_db
def test_the_list_pages_in_flat_queries(client, settings, ru4, school, department_user):
    import monitoring.views_violations as views

    client.force_login(department_user)
    sitting = make_sitting(ru4, school)
    room = make_sitting_room(sitting)
    counts = []
    for size in (2, 30):
        Violation.objects.bulk_create(
            Violation(school=school, sitting=sitting, sitting_room=room, kind="other", details="x", source="department")
            for _ in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("monitoring:violations")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert views.ViolationsView.paginate_by == settings.PAGE_SIZE


@pytest.mark.django_db
def test_no_pupils_name_in_the_lists_or_the_export(client, spread, pupil, department_user, coordinator):
    client.force_login(department_user)
    for url in (reverse("monitoring:violations"), reverse("monitoring:violation", args=[spread["b"].pk])):
        assert pupil.last_name not in client.get(url).content.decode()
    xlsx = b"".join(client.get(reverse("monitoring:violations_xlsx")).streaming_content)
    assert pupil.last_name.encode() not in xlsx
    audit = AuditEntry.objects.filter(action__startswith="violation.")
    assert audit.exists() and not audit.filter(has_personal_data=True).exists()
    assert not any(pupil.last_name in str(entry.after) for entry in audit)


# The objectivity case of the school × assessment ---------------------------------------------------------------


@pytest.fixture
def case(campaign, ru4, school, department_user):
    from monitoring.cases import case_ask

    case = SignalCase.objects.create(
        campaign=campaign,
        assessment=ru4,
        school=school,
        kind="high_results",
        signal_present=True,
        evidence_at_opening={"school": 80.0, "municipality": 55.0},
        evidence={"school": 80.0, "municipality": 55.0},
    )
    case_ask(case=case, text="Поясните результаты", actor=department_user)
    return case


@pytest.mark.django_db
def test_violations_join_the_case_of_their_school_and_assessment(case, campaign, ru4, school, other_school, spread):
    from monitoring.violations import violations_for_case

    # b and d: sch660001 × RU-4; a is another school's, c another assessment's
    assert sorted(v.pk for v in violations_for_case(case)) == sorted([spread["b"].pk, spread["d"].pk])


@pytest.mark.django_db
def test_the_case_page_shows_its_violations_to_the_department_and_the_school(
    client, case, spread, department_user, coordinator
):
    for user in (department_user, coordinator):
        client.force_login(user)
        page = client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
        assert 'data-testid="case-violations"' in page
        assert f'data-violation="{spread["b"].pk}"' in page and f'data-violation="{spread["d"].pk}"' in page
        assert f'data-violation="{spread["a"].pk}"' not in page and f'data-violation="{spread["c"].pk}"' not in page


@pytest.mark.django_db
def test_the_signals_list_counts_violations_per_school_and_assessment(client, case, spread, department_user):
    client.force_login(department_user)
    response = client.get(reverse("monitoring:campaign_signals", args=[case.campaign.code]))
    assert [c.violation_count for c in response.context["object_list"]] == [2]
    assert 'data-testid="violation-count"' in response.content.decode()


@pytest.mark.django_db
def test_a_row_names_who_reported_it(client, spread, department_user):
    client.force_login(department_user)
    response = client.get(reverse("monitoring:violations"), {"source": "act"})
    ((violation, cells),) = response.context["rows"]
    observer = violation.report.assignment.person.user
    assert dict(zip(response.context["headers"], cells, strict=True))["Сообщил"] == observer.full_name
