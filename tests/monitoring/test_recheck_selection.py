"""Selection for re-check (monitoring/recheck.py; docs/recheck.md): the campaign's re-check, each school × assessment
selected once with its reason (by hand, from a case, from Rosobrnadzor's list all or nothing, by a recorded and
reproducible lottery), the school notified what to send and by when, and the works re-checked."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from monitoring.models import Recheck, RecheckLottery, RecheckSelection, SignalCase
from monitoring.recheck import (
    lottery_candidates,
    lottery_draw,
    lottery_repeats,
    lottery_run,
    recheck_for,
    rosobrnadzor_list_import,
    selection_add,
    selection_add_manual,
    selection_from_case,
    selection_works,
)
from schools.models import AuditEntry, Notification
from tests.factories import (
    DepartmentFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_work,
)
from vpr_portal.tables import InputRefused, read_table


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    return make_assessment(campaign)


@pytest.fixture
def ma5(campaign):
    return make_assessment(campaign, code="MA-5", subject="Математика", grade=5)


@pytest.fixture
def recheck(campaign):
    return recheck_for(campaign)


def work(assessment, school, code, score=12, **fields):
    participant = make_participant(assessment, school=school, code=code, **fields)
    return make_work(participant, primary_score=score, mark=assessment.mark_for(score) if score is not None else None)


def case(assessment, school, present=True, kind="boundary_bunching"):
    return SignalCase.objects.create(
        campaign=assessment.campaign,
        assessment=assessment,
        school=school,
        kind=kind,
        evidence_at_opening={},
        evidence={},
        signal_present=present,
    )


# The re-check and one selection ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_campaigns_recheck_is_created_once_for_its_department(campaign):
    first = recheck_for(campaign)
    assert recheck_for(campaign) == first
    assert first.department == campaign.department and Recheck.objects.count() == 1


@pytest.mark.django_db
def test_a_pair_is_selected_once_and_the_school_is_told_what_to_send(
    recheck, ru4, school, department_user, coordinator, role_users
):
    work(ru4, school, "10001", variant=1)
    work(ru4, school, "10002", variant=2)
    work(ru4, school, "10003", absent=True, score=None)
    selection = selection_add(recheck, school, ru4, RecheckSelection.Reason.MANUAL, by=department_user, reason_text="x")
    again = selection_add(recheck, school, ru4, RecheckSelection.Reason.LOTTERY, by=department_user)
    assert again == selection and again.reason == RecheckSelection.Reason.MANUAL
    assert RecheckSelection.objects.count() == 1
    assert selection.scans_due_on is not None and selection.notified_at is not None
    for user in (coordinator, role_users["technical_specialist"]):
        (notice,) = Notification.objects.filter(user=user)
        assert "2 работ" in notice.text and "вариантов 1, 2" in notice.text
        assert selection.scans_due_on.strftime("%d.%m.%Y") in notice.text
    assert not Notification.objects.filter(user=role_users["director"]).exists()
    assert AuditEntry.objects.filter(action="recheck.selected").count() == 1


@pytest.mark.django_db
def test_the_works_rechecked_are_the_present_ones_with_a_result_by_code(recheck, ru4, school, other_school):
    work(ru4, school, "10002")
    work(ru4, school, "10001")
    work(ru4, school, "10003", absent=True, score=None)
    work(ru4, school, "10004", score=None)
    work(ru4, other_school, "20001")
    selection = selection_add(recheck, school, ru4, RecheckSelection.Reason.MANUAL, by=None)
    assert [w.participant.code for w in selection_works(selection)] == ["10001", "10002"]


@pytest.mark.django_db
def test_a_school_of_another_department_is_refused(recheck, ru4):
    stranger = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch990001")
    with pytest.raises(ValidationError):
        selection_add(recheck, stranger, ru4, RecheckSelection.Reason.MANUAL, by=None)
    assert not RecheckSelection.objects.exists()


@pytest.mark.django_db
def test_by_hand_the_reason_is_required(recheck, ru4, school, department_user):
    with pytest.raises(ValidationError, match="основание"):
        selection_add_manual(
            recheck, school_code=school.code, assessment_code="RU-4", reason_text=" ", by=department_user
        )
    selection = selection_add_manual(
        recheck, school_code=school.code, assessment_code="RU-4", reason_text="жалоба родителей", by=department_user
    )
    assert selection.reason == RecheckSelection.Reason.MANUAL and selection.reason_text == "жалоба родителей"
    with pytest.raises(ValidationError, match="уже отобрана"):
        selection_add_manual(
            recheck, school_code=school.code, assessment_code="RU-4", reason_text="y", by=department_user
        )


@pytest.mark.django_db
def test_from_a_case_the_signal_is_the_reason_and_the_case_is_linked(ru4, school, department_user):
    signal_case = case(ru4, school)
    selection, created = selection_from_case(signal_case, by=department_user)
    assert created and selection.reason == RecheckSelection.Reason.SIGNAL and selection.case == signal_case
    assert selection_from_case(signal_case, by=department_user) == (selection, False)


# Rosobrnadzor's list --------------------------------------------------------------------------------------------------


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_rosobrnadzors_list_selects_the_named_and_all_with_results(
    recheck, ru4, ma5, school, other_school, department_user
):
    work(ru4, school, "10001")
    work(ma5, school, "10002")
    work(ru4, other_school, "20001")
    table = read_table(xlsx([["Код", "Работы"], ["sch660001", ""], ["sch660002", "RU-4, MA-5"]]), "list.xlsx")
    rosobrnadzor_list_import(recheck, table, filename="list.xlsx", by=department_user)
    pairs = set(RecheckSelection.objects.values_list("school__code", "assessment__code", "reason"))
    assert pairs == {
        ("sch660001", "RU-4", "rosobrnadzor"),
        ("sch660001", "MA-5", "rosobrnadzor"),
        ("sch660002", "RU-4", "rosobrnadzor"),
        ("sch660002", "MA-5", "rosobrnadzor"),
    }


@pytest.mark.django_db
def test_rosobrnadzors_list_with_an_error_selects_nothing_and_names_rows(recheck, ru4, school, department_user):
    work(ru4, school, "10001")
    table = read_table(
        xlsx([["Код", "Работы"], ["sch660001", "RU-4"], ["sch000000", ""], ["sch660001", ""], ["sch660002", "XX-9"]]),
        "list.xlsx",
    )
    with pytest.raises(InputRefused) as refused:
        rosobrnadzor_list_import(recheck, table, filename="list.xlsx", by=department_user)
    text = "; ".join(str(p) for p in refused.value.problems)
    assert "строка 4" in text and "уже указана в строке 2" in text
    assert not RecheckSelection.objects.exists()


@pytest.mark.django_db
def test_rosobrnadzors_list_without_the_code_column_is_refused(recheck, department_user):
    table = read_table(xlsx([["Школа"], ["sch660001"]]), "list.xlsx")
    with pytest.raises(InputRefused, match="Код"):
        rosobrnadzor_list_import(recheck, table, filename="list.xlsx", by=department_user)


# The lottery ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_risk_weight_is_one_plus_the_flagged_signals(recheck, ru4, ma5, school, other_school):
    for assessment in (ru4, ma5):
        for place in (school, other_school):
            work(assessment, place, f"{assessment.pk % 100:02d}{place.pk % 1000:03d}")  # five digits (R6)
    case(ru4, school)
    case(ru4, school, kind="journal_mismatch")
    case(ma5, other_school, present=False)
    weights = {(s, a): w for s, a, w in lottery_candidates(recheck)}
    assert weights == {
        (school.pk, ru4.pk): 3,
        (school.pk, ma5.pk): 1,
        (other_school.pk, ru4.pk): 1,
        (other_school.pk, ma5.pk): 1,
    }


def test_the_draw_repeats_from_its_seed():
    candidates = [[s, a, 1 + (s % 3)] for s in range(1, 30) for a in (1, 2)]
    first = lottery_draw(candidates, "abc", 3, 4)
    assert first == lottery_draw(candidates, "abc", 3, 4)
    assert [kind for _s, _a, kind in first] == ["random"] * 3 + ["risk"] * 4
    assert len({(s, a) for s, a, _k in first}) == 7
    assert first != lottery_draw(candidates, "abd", 3, 4)


@pytest.mark.django_db
def test_a_lottery_is_recorded_and_selects_its_draw(recheck, ru4, ma5, school, other_school, department_user):
    for assessment in (ru4, ma5):
        for place in (school, other_school):
            work(assessment, place, f"{assessment.pk % 100:02d}{place.pk % 1000:03d}")  # five digits (R6)
    case(ru4, school)
    lottery = lottery_run(recheck, random_count=1, risk_count=1, by=department_user)
    assert len(lottery.seed) == 32 and len(lottery.candidates) == 4 and len(lottery.drawn) == 2
    assert lottery_repeats(lottery)
    selected = set(RecheckSelection.objects.filter(lottery=lottery).values_list("school_id", "assessment_id"))
    assert selected == {(s, a) for s, a, _k in lottery.drawn}
    second = lottery_run(recheck, random_count=5, risk_count=0, by=department_user)
    assert len(second.candidates) == 2  # those selected already are not drawn again
    assert RecheckSelection.objects.count() == 4 and RecheckLottery.objects.count() == 2
    with pytest.raises(ValidationError):
        lottery_run(recheck, random_count=1, risk_count=0, by=department_user)


# The department's pages -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_selections_by_school_code_with_the_clock(
    client, recheck, ru4, school, other_school, role_users
):
    later = selection_add(recheck, other_school, ru4, RecheckSelection.Reason.MANUAL, by=None, reason_text="b")
    first = selection_add(recheck, school, ru4, RecheckSelection.Reason.MANUAL, by=None, reason_text="a")
    later.received_at, later.due_on = timezone.now(), timezone.localdate()
    later.save(update_fields=["received_at", "due_on"])
    client.force_login(role_users["department_staff"])
    page = client.get(reverse("monitoring:recheck", args=[recheck.campaign.code])).content.decode()
    assert page.index(f'data-selection="{first.pk}"') < page.index(f'data-selection="{later.pk}"')
    assert "ждём сканы от школы" in page and "у комиссии" in page
    filtered = client.get(reverse("monitoring:recheck", args=[recheck.campaign.code]), {"state": "commission"})
    assert f'data-selection="{first.pk}"' not in filtered.content.decode()
    assert f'data-selection="{later.pk}"' in filtered.content.decode()
    client.force_login(role_users["school_coordinator"])
    assert client.get(reverse("monitoring:recheck", args=[recheck.campaign.code])).status_code == 403


@pytest.mark.django_db
def test_selecting_by_hand_on_the_page_needs_the_reason(client, recheck, ru4, school, department_user):
    client.force_login(department_user)
    url = reverse("monitoring:recheck_select", args=[recheck.campaign.code])
    refused = client.post(url, {"school": school.code, "assessment": "RU-4", "reason_text": ""})
    assert refused.status_code == 400 and not RecheckSelection.objects.exists()
    client.post(url, {"school": school.code, "assessment": "RU-4", "reason_text": "жалоба"})
    assert RecheckSelection.objects.get().reason_text == "жалоба"


@pytest.mark.django_db
def test_the_list_upload_shows_its_problems_and_selects_nothing(client, recheck, ru4, school, department_user):
    client.force_login(department_user)
    url = reverse("monitoring:recheck_list_upload", args=[recheck.campaign.code])
    data = xlsx([["Код", "Работы"], ["sch000000", "RU-4"]])
    response = client.post(url, {"file": SimpleUploadedFile("list.xlsx", data)})
    assert response.status_code == 400 and "строка 2" in response.content.decode()
    assert "Ничего не изменено" in response.content.decode()
    assert not RecheckSelection.objects.exists()
    ok = client.post(url, {"file": SimpleUploadedFile("list.xlsx", xlsx([["Код", "Работы"], [school.code, "RU-4"]]))})
    assert ok.status_code == 302 and RecheckSelection.objects.get().reason == RecheckSelection.Reason.ROSOBRNADZOR


@pytest.mark.django_db
def test_the_lottery_page_shows_the_seed_and_that_the_draw_repeats(client, recheck, ru4, school, department_user):
    work(ru4, school, "10001")
    client.force_login(department_user)
    response = client.post(
        reverse("monitoring:recheck_lottery_run", args=[recheck.campaign.code]), {"random_count": 1, "risk_count": 0}
    )
    lottery = RecheckLottery.objects.get()
    assert response.url == reverse("monitoring:recheck_lottery", args=[lottery.pk])
    page = client.get(response.url).content.decode()
    assert lottery.seed in page and 'data-testid="lottery-reproduced"' in page


@pytest.mark.django_db
def test_one_click_from_a_case_and_the_case_page_then_links_the_selection(client, ru4, school, department_user):
    signal_case = case(ru4, school)
    client.force_login(department_user)
    case_url = reverse("monitoring:case", args=[signal_case.pk])
    assert reverse("monitoring:recheck_from_case", args=[signal_case.pk]) in client.get(case_url).content.decode()
    response = client.post(reverse("monitoring:recheck_from_case", args=[signal_case.pk]))
    selection = RecheckSelection.objects.get()
    assert response.url == reverse("monitoring:recheck_selection", args=[selection.pk])
    assert selection.case == signal_case and selection.reason == RecheckSelection.Reason.SIGNAL
    page = client.get(case_url).content.decode()
    assert reverse("monitoring:recheck_selection", args=[selection.pk]) in page


@pytest.mark.django_db
def test_the_selection_page_confirms_receipt_once_scans_are_sent(client, recheck, ru4, school, department_user):
    work(ru4, school, "10001", variant=2)
    selection = selection_add(recheck, school, ru4, RecheckSelection.Reason.MANUAL, by=None)
    client.force_login(department_user)
    url = reverse("monitoring:recheck_selection", args=[selection.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="receive-form"' not in page and "10001" in page
    selection.scans_sent_at = timezone.now()
    selection.save(update_fields=["scans_sent_at"])
    assert 'data-testid="receive-form"' in client.get(url).content.decode()
    client.post(reverse("monitoring:recheck_receive", args=[selection.pk]))
    selection.refresh_from_db()
    assert selection.due_on is not None
    assert 'data-testid="receive-form"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_list_page_reads_a_fixed_number_of_queries(client, recheck, ru4, department_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("monitoring:recheck", args=[recheck.campaign.code])
    client.force_login(department_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _n in range(2):
        selection_add(recheck, SchoolFactory(), ru4, RecheckSelection.Reason.MANUAL, by=None)
    few = queries()
    for _n in range(6):
        place = SchoolFactory()
        selection = selection_add(recheck, place, ru4, RecheckSelection.Reason.MANUAL, by=None)
        selection.received_at, selection.due_on = timezone.now(), timezone.localdate()
        selection.save(update_fields=["received_at", "due_on"])
    assert queries() <= few + 1  # the calendar's entered days, once the page has due dates


@pytest.mark.django_db
def test_the_selection_page_names_no_pupil(client, recheck, ru4, school, pupil, department_user):
    participant = make_participant(ru4, pupil, code="10001")
    make_work(participant, primary_score=12, mark=3)
    selection = selection_add(recheck, school, ru4, RecheckSelection.Reason.MANUAL, by=None)
    client.force_login(department_user)
    page = client.get(reverse("monitoring:recheck_selection", args=[selection.pk])).content.decode()
    assert "10001" in page and pupil.last_name not in page
