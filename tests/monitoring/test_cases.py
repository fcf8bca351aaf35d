"""Cases (разборы) of the objectivity signals (monitoring/cases.py, docs/signal-cases.md): one per flagged signal,
opened idempotently by the periodic check, on demand and by a threshold change; a vanished signal leaves its case
open with a note; the department asks, the school answers, the department concludes — with notifications and
audit; the pages show the evidence drawn, to the case's school only, without pupils' names (R11) and ordered by
code (R15)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.cases import case_answer, case_ask, case_conclude, cases_check_due, cases_open
from monitoring.evidence import evidence_rows
from monitoring.models import CaseMessage, SignalCase, SignalCheck, ThresholdVersion
from schools.models import AuditEntry, Notification, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    user_with_role,
)
from tests.monitoring.test_signals import bunched, journal_rows, plant, totals


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    return make_assessment(campaign)


@pytest.fixture
def bunching(ru4, school, other_school):
    """sch660001 bunched at the boundary of «3» (p = 0.5^10), sch660002 plain."""
    plant(ru4, school, totals(ru4, bunched(10, 10, 0)))
    plant(ru4, other_school, totals(ru4, [12] * 20))
    return ru4


def case_of(assessment, school, kind="boundary_bunching") -> SignalCase:
    return SignalCase.objects.get(assessment=assessment, school=school, kind=kind)


# Opening ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_flagged_signal_opens_one_case_with_its_evidence(bunching, school):
    done = cases_open(assessment=bunching)
    assert done.opened == [("sch660001", "RU-4", "boundary_bunching")]
    case = case_of(bunching, school)
    assert case.status == SignalCase.Status.OPEN and case.signal_present
    assert case.evidence_at_opening == {"c": 10, "up": 10, "down": 0, "p0": 0.5, "p": 0.0009766}
    assert case.campaign_id == bunching.campaign_id
    assert AuditEntry.objects.filter(action="signal_case.opened", school=school).count() == 1
    again = cases_open(assessment=bunching)
    assert again.opened == [] and SignalCase.objects.count() == 1
    assert AuditEntry.objects.filter(action="signal_case.opened").count() == 1


def strict_bunching(department, number: int, p: float) -> None:
    """A version of the department's thresholds written directly (not through thresholds_change, which would
    bring the cases in line itself): the next check finds the signal gone (p 0.0009766 is not below 0.0005) or
    back."""
    ThresholdVersion.objects.create(department=department, number=number, values={"bunching_p": p}, reason="тест")


@pytest.mark.django_db
def test_a_vanished_signal_leaves_its_case_open_with_a_note(bunching, school, department):
    cases_open(assessment=bunching)
    strict_bunching(department, 1, 0.0005)
    done = cases_open(assessment=bunching)
    case = case_of(bunching, school)
    assert done.vanished == [("sch660001", "RU-4", "boundary_bunching")]
    assert case.status == SignalCase.Status.OPEN and not case.signal_present
    assert case.evidence_at_opening["up"] == 10
    assert list(case.messages.values_list("kind", "text")) == [("note", "признак больше не выявляется")]
    cases_open(assessment=bunching)  # noted once
    assert case.messages.count() == 1
    strict_bunching(department, 2, 0.01)
    assert cases_open(assessment=bunching).returned == [("sch660001", "RU-4", "boundary_bunching")]
    assert case_of(bunching, school).signal_present
    assert list(case.messages.values_list("text", flat=True)) == [
        "признак больше не выявляется",
        "признак снова выявляется",
    ]


@pytest.mark.django_db
def test_a_concluded_case_whose_signal_vanishes_keeps_its_conclusion_last(bunching, school, department, role_users):
    cases_open(assessment=bunching)
    case = case_of(bunching, school)
    case_conclude(
        case=case, conclusion="not_confirmed", measures="Меры не нужны.", actor=role_users[Role.DEPARTMENT_STAFF]
    )
    strict_bunching(department, 1, 0.0005)
    assert cases_open(assessment=bunching).vanished == [("sch660001", "RU-4", "boundary_bunching")]
    case.refresh_from_db()
    assert case.status == "closed" and not case.signal_present
    assert list(case.messages.values_list("kind", flat=True)) == ["conclusion"]


@pytest.mark.django_db
def test_the_periodic_check_opens_cases_after_results_change_and_skips_the_unchanged(ru4, school, other_school):
    plant(ru4, other_school, totals(ru4, [12] * 20))
    assert cases_check_due().opened == []
    check = SignalCheck.objects.get(assessment=ru4)
    assert check.works == 20
    with CaptureQueriesContext(connection) as unchanged:
        cases_check_due()
    assert SignalCheck.objects.get(assessment=ru4).checked_at == check.checked_at  # not recomputed
    assert len(unchanged) <= 5
    plant(ru4, school, totals(ru4, bunched(10, 10, 0)))  # an import of the school's results
    assert cases_check_due().opened == [("sch660001", "RU-4", "boundary_bunching")]
    assert SignalCheck.objects.get(assessment=ru4).works == 40


@pytest.mark.django_db
def test_the_command_checks_a_campaign(bunching, capsys):
    from django.core.management import call_command

    call_command("signal_cases", "--campaign", "VPR-2026")
    out = capsys.readouterr().out
    assert "sch660001\tRU-4\tboundary_bunching" in out
    assert SignalCase.objects.count() == 1


# The flow ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ask_answer_conclude_in_order_with_notifications_and_audit(bunching, school, other_school, role_users):
    cases_open(assessment=bunching)
    case = case_of(bunching, school)
    uo, coord, director = (role_users[r] for r in (Role.DEPARTMENT_STAFF, Role.SCHOOL_COORDINATOR, Role.DIRECTOR))
    stranger = user_with_role(Role.SCHOOL_COORDINATOR, school=other_school)

    case_ask(case=case, text="Почему у границы «3» так много работ?", actor=uo)
    case.refresh_from_db()
    assert case.status == SignalCase.Status.ASKED and case.asked_at is not None
    asked = Notification.objects.filter(url=reverse("monitoring:case", kwargs={"pk": case.pk}))
    assert set(asked.values_list("user__username", flat=True)) == {"coord", "director"}
    assert not Notification.objects.filter(user=stranger).exists()

    case_answer(case=case, text="Проверили работы, критерии применялись верно.", actor=coord)
    case.refresh_from_db()
    assert case.status == SignalCase.Status.ANSWERED
    answered = Notification.objects.filter(text__startswith="Школа sch660001 ответила")
    assert set(answered.values_list("user__username", flat=True)) == {"uo", "mun"}

    case_conclude(case=case, conclusion="not_confirmed", measures="Наблюдение на следующей ВПР.", actor=uo)
    case.refresh_from_db()
    assert (case.status, case.conclusion, case.measures) == ("closed", "not_confirmed", "Наблюдение на следующей ВПР.")
    assert case.closed_by == uo
    assert list(case.messages.values_list("kind", "author_role")) == [
        ("question", Role.DEPARTMENT_STAFF),
        ("answer", Role.SCHOOL_COORDINATOR),
        ("conclusion", Role.DEPARTMENT_STAFF),
    ]
    assert list(
        AuditEntry.objects.filter(action__startswith="signal_case.").order_by("pk").values_list("action", flat=True)
    ) == ["signal_case.opened", "signal_case.asked", "signal_case.answered", "signal_case.concluded"]
    assert Notification.objects.filter(user=director, text__contains="закрыт").exists()
    with pytest.raises(ValidationError):
        case_answer(case=case, text="ещё", actor=coord)
    with pytest.raises(ValidationError):
        case_ask(case=case, text="ещё", actor=uo)


@pytest.mark.django_db
def test_answer_needs_a_question_and_texts_are_required(bunching, school, role_users):
    cases_open(assessment=bunching)
    case = case_of(bunching, school)
    with pytest.raises(ValidationError, match="задало вопрос"):
        case_answer(case=case, text="Ответ", actor=role_users[Role.SCHOOL_COORDINATOR])
    with pytest.raises(ValidationError, match="Напишите вопрос"):
        case_ask(case=case, text="   ", actor=role_users[Role.DEPARTMENT_STAFF])
    with pytest.raises(ValidationError, match="Выберите заключение"):
        case_conclude(case=case, conclusion="maybe", measures="м", actor=role_users[Role.DEPARTMENT_STAFF])
    assert case.messages.count() == 0


# Pages ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def asked_case(bunching, school, role_users):
    cases_open(assessment=bunching)
    case = case_of(bunching, school)
    case_ask(case=case, text="Вопрос управления", actor=role_users[Role.DEPARTMENT_STAFF])
    return case


@pytest.mark.django_db
def test_the_school_sees_its_case_once_asked_and_answers_it(client, bunching, school, role_users):
    cases_open(assessment=bunching)
    case = case_of(bunching, school)
    url = reverse("monitoring:case", kwargs={"pk": case.pk})
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(url).status_code == 404  # not asked yet: the department's own look
    case_ask(case=case, text="Вопрос управления", actor=role_users[Role.DEPARTMENT_STAFF])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="answer-form"' in body and 'data-testid="ask-form"' not in body
    assert 'data-testid="evidence-chart"' in body and 'data-tone="up"' in body
    school_list = client.get(reverse("monitoring:school_cases", kwargs={"school_code": school.code}))
    assert f'data-case="{case.pk}"' in school_list.content.decode()
    response = client.post(reverse("monitoring:case_answer", kwargs={"pk": case.pk}), {"text": "Ответ школы"})
    assert response.status_code == 302
    assert case.messages.filter(kind=CaseMessage.Kind.ANSWER, text="Ответ школы").exists()
    assert client.post(reverse("monitoring:case_ask", kwargs={"pk": case.pk}), {"text": "x"}).status_code == 403


@pytest.mark.django_db
def test_another_schools_coordinator_gets_404_on_the_case(client, asked_case, other_school):
    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=other_school))
    assert client.get(reverse("monitoring:case", kwargs={"pk": asked_case.pk})).status_code == 404
    answer = client.post(reverse("monitoring:case_answer", kwargs={"pk": asked_case.pk}), {"text": "чужой ответ"})
    assert answer.status_code == 404
    assert not asked_case.messages.filter(kind="answer").exists()


@pytest.mark.django_db
def test_the_department_page_draws_the_histogram_and_shows_no_pupil_names(client, asked_case, school, role_users):
    pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=4, letter="А"), last_name="Фамилиев")
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    body = client.get(reverse("monitoring:case", kwargs={"pk": asked_case.pk})).content.decode()
    assert 'data-testid="ask-form"' in body and 'data-testid="conclude-form"' in body
    # c = 10: 10 and 11 the pile, 8 and 9 just below, 6, 7, 12, 13 the rest of the wide windows
    assert [body.count(f'data-tone="{tone}"') for tone in ("up", "down", "wide")] == [2, 2, 4]
    assert "<title>10: 10</title>" in body and "<title>6: 5</title>" in body
    assert "Вопрос управления" in body
    assert pupil.last_name not in body


@pytest.mark.django_db
def test_journal_gap_case_draws_the_cross_table(client, ru4, school, role_users):
    plant(ru4, school, journal_rows(ru4, 2, 18))  # «2» against journal «4» twice, «3» against «4» 18 times
    cases_open(assessment=ru4)
    case = case_of(ru4, school, "journal_gap")
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    body = client.get(reverse("monitoring:case", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="journal-cross-table"' in body
    assert '<td class="text-end table-danger fw-semibold">2</td>' in body  # ВПР «2» × journal «4»
    assert '<td class="text-end">18</td>' in body


@pytest.mark.django_db
def test_signal_case_link_opens_and_redirects(client, bunching, school, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    kwargs = {"campaign_code": "VPR-2026", "assessment_code": "RU-4", "school_code": school.code}
    response = client.get(reverse("monitoring:signal_case", kwargs={**kwargs, "kind": "boundary_bunching"}))
    case = case_of(bunching, school)
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:case", kwargs={"pk": case.pk})
    assert client.get(reverse("monitoring:signal_case", kwargs={**kwargs, "kind": "high_results"})).status_code == 404
    assert client.get(reverse("monitoring:signal_case", kwargs={**kwargs, "kind": "nonsense"})).status_code == 404
    assert SignalCase.objects.count() == 1


@pytest.mark.django_db
def test_signal_case_link_of_an_unasked_case_is_404_for_the_school(client, bunching, school, role_users):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse(
        "monitoring:signal_case",
        kwargs={
            "campaign_code": "VPR-2026",
            "assessment_code": "RU-4",
            "school_code": school.code,
            "kind": "boundary_bunching",
        },
    )
    assert client.get(url).status_code == 404
    assert not SignalCase.objects.exists()  # a school does not open cases


@pytest.mark.django_db
def test_campaign_cases_filter_and_order_by_school_code(client, ru4, department, role_users):
    schools = [SchoolFactory(department=department, code=code) for code in ("sch660009", "sch660005")]
    for each in schools:
        plant(ru4, each, totals(ru4, bunched(10, 10, 0), journal=5))  # bunching and journal gap
    cases_open(assessment=ru4)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("monitoring:campaign_cases", kwargs={"campaign_code": "VPR-2026"})
    body = client.get(url).content.decode()
    order = [(code, kind) for code in ("sch660005", "sch660009") for kind in ("boundary_bunching", "journal_gap")]
    positions = [body.index(f'data-school="{code}" data-assessment="RU-4" data-kind="{kind}"') for code, kind in order]
    assert positions == sorted(positions)
    only = client.get(url, {"kind": "journal_gap", "school": "sch660009"}).content.decode()
    assert only.count("data-case=") == 1 and 'data-kind="journal_gap"' in only
    assert client.get(url, {"status": "closed"}).content.decode().count("data-case=") == 0


@pytest.mark.django_db
def test_the_signals_list_takes_the_same_queries_for_any_number_of_schools(client, ru4, department, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    url = reverse("monitoring:campaign_signals", kwargs={"campaign_code": "VPR-2026"})

    def count(n: int) -> int:
        for _ in range(n):
            plant(ru4, SchoolFactory(department=department), totals(ru4, bunched(10, 10, 0)))
        cases_open(assessment=ru4)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    assert count(2) == count(6)
    body = client.get(url).content.decode()
    codes = re.findall(r'<tr data-school="(sch\d+)" data-assessment="RU-4"', body)
    assert len(codes) == 8 and codes == sorted(codes)  # by school code, never by a result (R15)


@pytest.mark.django_db
def test_the_case_page_names_each_number_of_the_evidence_in_words(client, asked_case, role_users):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    body = client.get(reverse("monitoring:case", kwargs={"pk": asked_case.pk})).content.decode()
    for words in ("граница отметки c (её наименьший балл)", "ожидаемая доля p0", "вероятность такого скопления p"):
        assert body.count(words) == 2  # at the opening and now
    assert evidence_rows("boundary_bunching", asked_case.evidence_at_opening)[0] == (
        "граница отметки c (её наименьший балл)",
        "c",
        10,
    )
    assert evidence_rows("recheck_delta", {"n": 7, "campaigns": []}) == [
        ("работ перепроверено (с итоговым результатом)", "n", 7)
    ]
    assert evidence_rows("recheck_delta", {"unnamed": 3}) == [("unnamed", "unnamed", 3)]  # no words: the code


@pytest.mark.django_db
def test_an_empty_answer_is_refused_in_russian_and_nothing_is_written(client, asked_case, role_users):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    before = asked_case.messages.count()
    response = client.post(
        reverse("monitoring:case_answer", kwargs={"pk": asked_case.pk}), {"text": "   "}, follow=True
    )
    assert "Напишите ответ." in response.content.decode()
    assert asked_case.messages.count() == before
    asked_case.refresh_from_db()
    assert asked_case.status == SignalCase.Status.ASKED
