"""Management decisions (monitoring/decisions.py, views_decisions.py; Регламент 3.2, 4.1.9): who records what, the
validation in Russian writing nothing on error, the scope (another school's decision is 404), the register and its
xlsx, the case page's button, and the decisions of an earlier campaign shown beside the new results."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from monitoring.cases import case_ask
from monitoring.decisions import (
    DecisionBasis,
    decision_cancel,
    decision_edit,
    decision_outcome,
    decision_record,
    decisions_before,
    decisions_of_campaign,
    decisions_visible_to,
)
from monitoring.models import ManagementDecision, SignalCase
from schools.models import AuditEntry, Notification, Role
from tests.factories import StaffFactory, make_assessment, make_campaign, user_with_role
from tests.reports.test_figures import PEOPLE, SCALE, TASKS, record

D = ManagementDecision
OTHER = DecisionBasis(basis=D.Basis.OTHER, note="итоги работы")


def later(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def earlier(department):
    return make_campaign(department, code="VPR-2025", window_start=datetime.date(2025, 4, 21))


@pytest.fixture
def current(department):
    return make_campaign(department, code="VPR-2026", window_start=datetime.date(2026, 4, 20))


@pytest.fixture
def ru4_before(earlier):
    return make_assessment(earlier, code="RU-4")


@pytest.fixture
def ru4(current):
    return make_assessment(current, code="RU-4")


@pytest.fixture
def uo(role_users):
    return role_users[Role.DEPARTMENT_STAFF]


@pytest.fixture
def coord(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


@pytest.fixture
def director(role_users):
    return role_users[Role.DIRECTOR]


@pytest.fixture
def other_coord(other_school):
    return user_with_role(Role.SCHOOL_COORDINATOR, school=other_school, username="coord2")


def case_of(campaign, assessment, school, *, kind="high_results") -> SignalCase:
    return SignalCase.objects.create(
        campaign=campaign,
        assessment=assessment,
        school=school,
        kind=kind,
        evidence_at_opening={"school": 80.0, "municipality": 55.0},
        evidence={"school": 80.0, "municipality": 55.0},
    )


def record_one(actor, campaign, school, **fields) -> ManagementDecision:
    values = {
        "basis": OTHER,
        "text": "Провести заседание методического объединения учителей начальных классов",
        "responsible": "Заместитель директора по УВР Петрова Анна Сергеевна",
        "due_on": later(),
    }
    values.update(fields)
    return decision_record(actor=actor, campaign=campaign, school=school, **values)


def refused(call) -> ValidationError:
    count = D.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert D.objects.count() == count
    return error.value


# Services ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_records_a_decision_on_a_case_and_the_school_is_told(uo, coord, director, current, ru4, school):
    case = case_of(current, ru4, school)
    decision = record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.SIGNAL_CASE, case=case))
    assert (decision.level, decision.status, decision.assessment, decision.case) == (
        D.Level.DEPARTMENT,
        D.Status.PLANNED,
        ru4,
        case,
    )
    entry = AuditEntry.objects.get(action="decision.recorded")
    assert entry.target_id == str(decision.pk) and entry.school == school
    assert "Петрова" not in str(entry.after) and "методического" not in entry.target_label  # no free text
    told = set(Notification.objects.filter(key=f"decision:{decision.pk}:recorded").values_list("user", flat=True))
    assert told == {coord.pk, director.pk}


@pytest.mark.django_db
def test_a_school_records_its_own_decision_and_the_department_is_told(uo, coord, current, school):
    decision = record_one(coord, current, school)
    assert decision.level == D.Level.SCHOOL
    assert Notification.objects.filter(user=uo, key=f"decision:{decision.pk}:recorded").exists()


@pytest.mark.django_db
def test_a_school_decision_only_for_the_users_school_and_never_a_municipal_one(coord, current, other_school):
    error = refused(lambda: record_one(coord, current, other_school))
    assert "только для своей школы" in str(error)
    error = refused(lambda: record_one(coord, current, None))
    assert "Муниципальное решение записывает управление образования" in str(error)


@pytest.mark.django_db
def test_the_department_records_a_municipal_decision(uo, coord, current, ru4):
    decision = record_one(uo, current, None, assessment=ru4)
    assert decision.school is None and decision.is_municipal
    assert decision in decisions_visible_to(coord)  # the schools read the municipal decisions


@pytest.mark.django_db
def test_a_due_date_in_the_past_is_refused(uo, current, school):
    error = refused(lambda: record_one(uo, current, school, due_on=timezone.localdate() - datetime.timedelta(days=1)))
    assert error.message_dict["due_on"] == ["Срок уже прошёл: укажите сегодняшнюю или более позднюю дату."]
    assert record_one(uo, current, school, due_on=timezone.localdate())  # today is allowed


@pytest.mark.django_db
def test_a_case_must_belong_to_the_school_and_the_campaign(uo, current, earlier, ru4, ru4_before, school, other_school):
    theirs = case_of(current, ru4, other_school)
    error = refused(
        lambda: record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.SIGNAL_CASE, case=theirs))
    )
    assert error.message_dict["case"] == ["Разбор относится к другой школе."]
    old = case_of(earlier, ru4_before, school)
    error = refused(lambda: record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.SIGNAL_CASE, case=old)))
    assert error.message_dict["case"] == ["Разбор относится к другой кампании."]
    refused(lambda: record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.SIGNAL_CASE)))


@pytest.mark.django_db
def test_a_weak_skill_is_one_of_the_assessments_skills(uo, current, ru4, school):
    weak = DecisionBasis(basis=D.Basis.WEAK_SKILL, skill="99.9")
    error = refused(lambda: record_one(uo, current, school, basis=weak, assessment=ru4))
    assert "Такого умения нет" in error.message_dict["skill"][0]
    refused(lambda: record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.WEAK_SKILL, skill="3.1")))
    decision = record_one(
        uo, current, school, basis=DecisionBasis(basis=D.Basis.WEAK_SKILL, skill="3.1"), assessment=ru4
    )
    assert decision.skill == "3.1"


@pytest.mark.django_db
def test_the_responsible_is_an_adult_never_a_pupil(uo, current, school, pupil):
    error = refused(lambda: record_one(uo, current, school, responsible=f"{pupil.last_name} {pupil.first_name}"))
    assert "взрослый" in error.message_dict["responsible"][0]
    refused(lambda: record_one(uo, current, school, responsible="  "))
    # a teacher who shares the pupil's name is a member of staff: allowed
    StaffFactory(school=school, last_name=pupil.last_name, first_name=pupil.first_name)
    assert record_one(uo, current, school, responsible=f"учитель {pupil.last_name} {pupil.first_name}")


@pytest.mark.django_db
def test_empty_text_and_other_basis_without_a_note_are_refused(uo, current, school):
    error = refused(lambda: record_one(uo, current, school, text=" "))
    assert error.messages == ["Запишите, что решено."]
    error = refused(lambda: record_one(uo, current, school, basis=DecisionBasis(basis=D.Basis.OTHER)))
    assert error.message_dict["basis_note"] == ["Поясните, на каком основании принято решение."]


@pytest.mark.django_db
def test_a_decision_is_edited_until_its_outcome_and_a_new_due_date_resets_the_reminders(uo, coord, current, school):
    decision = record_one(coord, current, school)
    D.objects.filter(pk=decision.pk).update(reminded_week_at=timezone.now())
    decision = decision_edit(
        decision=decision,
        actor=coord,
        text=decision.text,
        responsible=decision.responsible,
        due_on=later(60).isoformat(),
        status=D.Status.IN_PROGRESS,
        basis_note=decision.basis_note,
    )
    assert (decision.due_on, decision.status, decision.reminded_week_at) == (later(60), D.Status.IN_PROGRESS, None)
    entry = AuditEntry.objects.get(action="decision.edited")
    assert entry.after["status"] == D.Status.IN_PROGRESS and "срок" in entry.after["changed"]
    decision_outcome(decision=decision, actor=coord, status=D.Status.DONE, outcome="Заседание проведено, протокол №3.")
    decision.refresh_from_db()
    assert (decision.status, decision.outcome_by) == (D.Status.DONE, coord)
    assert Notification.objects.filter(user=uo, key=f"decision:{decision.pk}:outcome").exists()
    with pytest.raises(ValidationError):
        decision_edit(
            decision=decision, actor=coord, text="другое", responsible="Директор", due_on=later(), status="planned"
        )
    with pytest.raises(ValidationError):
        decision_cancel(decision=decision, actor=coord, reason="не нужно")
    decision.refresh_from_db()
    assert decision.text != "другое" and decision.status == D.Status.DONE


@pytest.mark.django_db
def test_the_outcome_needs_a_status_and_a_text(uo, current, school):
    decision = record_one(uo, current, school)
    with pytest.raises(ValidationError):
        decision_outcome(decision=decision, actor=uo, status=D.Status.CANCELLED, outcome="что-то")
    with pytest.raises(ValidationError):
        decision_outcome(decision=decision, actor=uo, status=D.Status.NOT_DONE, outcome="")
    decision.refresh_from_db()
    assert decision.status == D.Status.PLANNED and not decision.outcome


@pytest.mark.django_db
def test_a_cancelled_decision_stays_with_its_reason(uo, current, school):
    decision = record_one(uo, current, school)
    with pytest.raises(ValidationError):
        decision_cancel(decision=decision, actor=uo, reason="")
    decision_cancel(decision=decision, actor=uo, reason="Учитель уволился, мероприятие перенесено в новое решение")
    decision.refresh_from_db()
    assert decision.status == D.Status.CANCELLED and decision.cancelled_by == uo
    with pytest.raises(ValidationError):
        decision_outcome(decision=decision, actor=uo, status=D.Status.DONE, outcome="Сделано")
    assert D.objects.filter(pk=decision.pk).exists()


# Selectors for the reports -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_decisions_of_campaign_and_before(uo, department, earlier, current, ru4_before, ru4, school, other_school):
    math_before = make_assessment(earlier, code="MA-4", subject="Математика")
    ours = record_one(uo, earlier, school, assessment=ru4_before, due_on=later(20))
    theirs = record_one(uo, earlier, other_school, assessment=ru4_before, due_on=later(10))
    municipal = record_one(uo, earlier, None, assessment=ru4_before, due_on=later(30))
    maths = record_one(uo, earlier, school, assessment=math_before, due_on=later(25))
    cancelled = record_one(uo, earlier, school, assessment=ru4_before)
    decision_cancel(decision=cancelled, actor=uo, reason="ошибка")
    now = record_one(uo, current, school, assessment=ru4)
    assert decisions_of_campaign(earlier) == [theirs, ours, maths, municipal]  # by due date, cancelled left out
    same_day = record_one(uo, earlier, school, assessment=ru4_before, due_on=later(30))
    assert decisions_of_campaign(earlier)[-2:] == [municipal, same_day]  # then by school code, municipal first
    decision_cancel(decision=same_day, actor=uo, reason="ошибка")
    assert decisions_of_campaign(earlier, school=school) == [ours, maths, municipal]
    assert decisions_before(ru4) == [theirs, ours, municipal]  # same subject and grade, earlier campaigns
    assert decisions_before(ru4, school=school) == [ours, municipal]
    assert decisions_before(ru4_before) == []
    assert now not in decisions_before(ru4)


# Scope ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_schools_decision_is_404_and_a_school_never_edits_the_departments(
    client, uo, coord, other_coord, current, school
):
    own = record_one(coord, current, school)
    departments = record_one(uo, current, school)
    client.force_login(other_coord)
    for name in ("monitoring:decision", "monitoring:decision_edit", "monitoring:decision_cancel"):
        assert client.get(reverse(name, kwargs={"pk": own.pk})).status_code == 404
    assert client.post(reverse("monitoring:decision_outcome", kwargs={"pk": own.pk})).status_code == 404
    client.force_login(coord)
    assert client.get(reverse("monitoring:decision", kwargs={"pk": departments.pk})).status_code == 200
    assert client.get(reverse("monitoring:decision_edit", kwargs={"pk": departments.pk})).status_code == 404
    response = client.post(
        reverse("monitoring:decision_cancel", kwargs={"pk": departments.pk}), {"reason": "не согласны"}
    )
    assert response.status_code == 404
    departments.refresh_from_db()
    assert departments.status == D.Status.PLANNED
    # the department edits and closes every decision of its schools
    client.force_login(uo)
    assert client.get(reverse("monitoring:decision_edit", kwargs={"pk": own.pk})).status_code == 200


# Pages ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_filters_counts_and_orders_by_due_date_then_school(
    client, uo, coord, current, earlier, school, other_school
):
    a = record_one(uo, current, other_school, due_on=later(5))
    b = record_one(uo, current, school, due_on=later(5))
    c = record_one(uo, earlier, None, due_on=later(1))
    done = record_one(uo, current, school, due_on=later(9))
    decision_outcome(decision=done, actor=uo, status=D.Status.DONE, outcome="Сделано")
    late = record_one(uo, current, school, due_on=later(3))
    D.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(uo)
    url = reverse("monitoring:decisions")
    response = client.get(url)
    assert [d.pk for d, _ in response.context["rows"]] == [late.pk, c.pk, b.pk, a.pk, done.pk]
    assert response.context["overdue_count"] == 1
    html = response.content.decode()
    assert 'data-testid="overdue"' in html and "Управленческие решения" in html
    assert [d.pk for d, _ in client.get(url, {"overdue": "1"}).context["rows"]] == [late.pk]
    assert [d.pk for d, _ in client.get(url, {"status": "done"}).context["rows"]] == [done.pk]
    assert [d.pk for d, _ in client.get(url, {"school": "-"}).context["rows"]] == [c.pk]
    assert [d.pk for d, _ in client.get(url, {"campaign": earlier.code}).context["rows"]] == [c.pk]
    counted = client.get(url, {"school": school.code}).context
    assert counted["total"] == 3 and dict((v, n) for v, _, n in counted["statuses"])["done"] == 1
    # the school reads its own and the municipal ones, never another school's
    client.force_login(coord)
    shown = {d.pk for d, _ in client.get(url).context["rows"]}
    assert shown == {b.pk, c.pk, done.pk, late.pk}
    assert {
        d.pk for d, _ in client.get(reverse("monitoring:school_decisions", args=[school.code])).context["rows"]
    } == {
        b.pk,
        done.pk,
        late.pk,
    }


@pytest.mark.django_db
def test_the_xlsx_holds_the_filtered_rows(client, uo, current, school, other_school):
    from openpyxl import load_workbook

    record_one(uo, current, school, text="=HYPERLINK(1)")
    record_one(uo, current, other_school)
    client.force_login(uo)
    response = client.get(reverse("monitoring:decisions_xlsx"), {"school": school.code})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Кампания", "Код школы", "Школа") and len(rows) == 2
    assert rows[1][1] == school.code and not str(rows[1][7]).startswith("=")


@pytest.mark.django_db
def test_recording_through_the_form_and_an_error_writes_nothing(client, coord, current, ru4, school):
    client.force_login(coord)
    url = reverse("monitoring:decision_new")
    data = {
        "campaign": current.code,
        "school": school.code,
        "assessment": ru4.pk,
        "basis": D.Basis.WEAK_SKILL,
        "skill": "2.1",
        "text": "Отработать задания на умение 2.1 на уроках",
        "responsible": "Учитель начальных классов Сидорова Е. В.",
        "due_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400 and not D.objects.exists()
    assert "Срок уже прошёл" in response.content.decode()
    response = client.post(url, {**data, "due_on": later().isoformat()})
    decision = D.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:decision", args=[decision.pk])
    assert (decision.level, decision.skill, decision.school) == (D.Level.SCHOOL, "2.1", school)
    page = client.get(response["Location"]).content.decode()
    assert "Отработать задания" in page and 'data-action="decision.recorded"' in page
    assert 'data-testid="outcome-form"' in page


@pytest.mark.django_db
def test_the_case_page_offers_the_decision_prefilled(client, uo, coord, current, ru4, school):
    case = case_of(current, ru4, school)
    case_ask(case=case, text="Поясните", actor=uo)
    client.force_login(uo)
    html = client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
    assert 'data-testid="case-decision-button"' in html
    form = client.get(reverse("monitoring:decision_new"), {"case": case.pk})
    assert form.context["values"]["basis"] == D.Basis.SIGNAL_CASE
    assert form.context["values"]["school"] == school.code and form.context["case"] == case
    response = client.post(
        reverse("monitoring:decision_new"),
        {
            **{k: v for k, v in form.context["values"].items() if v != ""},
            "text": "Включить школу в план учредительного контроля",
            "responsible": "Начальник отдела Управления образования Кузнецова О. П.",
            "due_on": later().isoformat(),
        },
    )
    assert response.status_code == 302
    decision = D.objects.get()
    assert decision.case == case and decision.assessment == ru4
    assert "Включить школу" in client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
    # the school's people see the department's decision on the case page, and may record their own
    client.force_login(coord)
    html = client.get(reverse("monitoring:case", args=[case.pk])).content.decode()
    assert "Включить школу" in html and 'data-testid="case-decision-button"' in html


@pytest.mark.django_db
def test_cancelling_asks_first(client, uo, current, school):
    decision = record_one(uo, current, school)
    client.force_login(uo)
    url = reverse("monitoring:decision_cancel", args=[decision.pk])
    assert "Отменить управленческое решение?" in client.get(url).content.decode()
    decision.refresh_from_db()
    assert decision.status == D.Status.PLANNED
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Перенесено"}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == D.Status.CANCELLED


# The next campaign's results ---------------------------------------------------------------------------------------


def figures_url(campaign, school, assessment) -> str:
    return reverse(
        "grading:results_figures",
        kwargs={"campaign_code": campaign.code, "school_code": school.code, "assessment_code": assessment.code},
    )


@pytest.mark.django_db
def test_the_new_results_show_the_earlier_campaigns_decisions(
    client, uo, coord, other_coord, department, earlier, current, school, other_school
):
    before = make_assessment(earlier, code="T-4", tasks=TASKS, scale=SCALE)
    now = make_assessment(current, code="T-4", tasks=TASKS, scale=SCALE)
    record(now, school, PEOPLE)
    record(now, other_school, PEOPLE)
    ours = record_one(uo, earlier, school, assessment=before, text="Методический семинар по заданию C")
    decision_outcome(decision=ours, actor=uo, status=D.Status.DONE, outcome="Семинар проведён 12.10")
    record_one(uo, earlier, other_school, assessment=before, text="Курсы для учителей СШ №2")
    record_one(uo, earlier, None, assessment=before, text="Заседание РМО учителей начальных классов")
    for user in (coord, uo):
        client.force_login(user)
        html = client.get(figures_url(current, school, now)).content.decode()
        assert "Решения по итогам прошлых кампаний" in html
        assert "Методический семинар по заданию C" in html and "Семинар проведён 12.10" in html
        assert "Заседание РМО" in html and "Курсы для учителей СШ №2" not in html
    client.force_login(other_coord)
    html = client.get(figures_url(current, other_school, now)).content.decode()
    assert "Курсы для учителей СШ №2" in html and "Методический семинар" not in html
    # the department's municipal page of the assessment: every school's and the municipal ones
    client.force_login(uo)
    municipal = reverse("reports:municipal_assessment", args=[current.code, now.code])
    html = client.get(municipal).content.decode()
    assert "Методический семинар" in html and "Курсы для учителей СШ №2" in html and "Заседание РМО" in html
    # the department's copies of these pages are cached: a new decision shows at once
    record_one(uo, earlier, school, assessment=before, text="Посещение уроков в 4-х классах")
    assert "Посещение уроков" in client.get(municipal).content.decode()
    assert "Посещение уроков" in client.get(figures_url(current, school, now)).content.decode()


@pytest.mark.django_db
def test_the_results_page_offers_a_decision_on_a_weak_skill(client, coord, current, school):
    now = make_assessment(current, code="T-4", tasks=TASKS, scale=SCALE)
    record(now, school, PEOPLE)
    client.force_login(coord)
    response = client.get(figures_url(current, school, now))
    panel = response.context["results_panels"][0].context
    assert panel["can_record"] and panel["weak_skills"]
    skill, share, url = panel["weak_skills"][0]
    assert share < 50 and "basis=weak_skill" in url
    form = client.get(url)
    assert form.context["values"]["skill"] == skill and form.context["values"]["assessment"] == now.pk


@pytest.mark.django_db
def test_the_register_reads_as_many_queries_for_many_decisions_as_for_one(client, uo, current, school, other_school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(uo)
    counts = []
    for extra in (1, 12):
        for n in range(extra):
            record_one(uo, current, school if n % 2 else other_school, due_on=later(n + 1))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("monitoring:decisions")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_editing_through_the_form(client, coord, current, school):
    decision = record_one(coord, current, school)
    client.force_login(coord)
    url = reverse("monitoring:decision_edit", args=[decision.pk])
    form = client.get(url)
    assert form.status_code == 200 and form.context["values"]["due_on"] == decision.due_on.isoformat()
    values = {**form.context["values"], "status": D.Status.IN_PROGRESS, "responsible": "Директор Орлова Н. В."}
    bad = client.post(url, {**values, "due_on": "2001-01-01"})
    assert bad.status_code == 400
    decision.refresh_from_db()
    assert decision.status == D.Status.PLANNED
    assert client.post(url, values).status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.responsible) == (D.Status.IN_PROGRESS, "Директор Орлова Н. В.")
    page = client.get(reverse("monitoring:decision", args=[decision.pk])).content.decode()
    assert 'data-action="decision.edited"' in page and "ответственный (должность, ФИО)" in page


@pytest.mark.django_db
def test_another_municipality_sees_nothing_of_our_decisions(client, uo, current, school):
    from tests.factories import DepartmentFactory

    decision = record_one(uo, current, school)
    municipal = record_one(uo, current, None)
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    client.force_login(stranger)
    for pk in (decision.pk, municipal.pk):
        assert client.get(reverse("monitoring:decision", args=[pk])).status_code == 404
        assert client.get(reverse("monitoring:decision_edit", args=[pk])).status_code == 404
    assert list(client.get(reverse("monitoring:decisions")).context["rows"]) == []
    error = refused(lambda: record_one(stranger, current, school))
    assert "только для своей школы" in str(error)


@pytest.mark.django_db
def test_a_closed_decision_offers_no_cancelling(client, uo, current, school):
    decision = record_one(uo, current, school)
    decision_outcome(decision=decision, actor=uo, status=D.Status.NOT_DONE, outcome="Учитель на больничном")
    client.force_login(uo)
    response = client.get(reverse("monitoring:decision_cancel", args=[decision.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:decision", args=[decision.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="outcome-form"' not in page and 'data-testid="decision-cancel-link"' not in page
    assert "Учитель на больничном" in page


@pytest.mark.django_db
def test_the_schools_dynamics_page_shows_the_earlier_decisions(client, uo, coord, earlier, current, school):
    before = make_assessment(earlier, code="T-4", tasks=TASKS, scale=SCALE)
    now = make_assessment(current, code="T-4", tasks=TASKS, scale=SCALE)
    record(now, school, PEOPLE)
    record_one(uo, earlier, school, assessment=before, text="Методический семинар по заданию C")
    url = reverse("reports:school_trend", args=[current.code, school.code, now.code])
    for user in (coord, uo):
        client.force_login(user)
        assert "Методический семинар по заданию C" in client.get(url).content.decode()
