"""The re-check's outcome pages (monitoring/views_recheck_outcome.py): the protocol's text (the commission, each
selection and work by code, the summary, the signatures, no pupil's name), the spreadsheet's cells compared with
the data, the agreement cards (the department every expert's by name with the note that it is not a rating, an
expert only their own, nobody else's), «my agreement» across campaigns, and the scope (another department: 404)."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import RecheckSelection
from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    make_assessment,
    make_campaign,
    user_with_role,
)
from tests.monitoring.recheck_plant import commission_expert, plant_recheck, recheck_of
from vpr_portal.pdf import pdf_text

pytestmark = pytest.mark.django_db

TASKS = [("1", 3), ("2", 3)]
SCALE = {"3": 2, "4": 4, "5": 6}


@pytest.fixture
def setting(department, school, other_school):
    campaign = make_campaign(department)
    assessment = make_assessment(campaign, tasks=TASKS, scale=SCALE)
    recheck = recheck_of(campaign)
    recheck.commission_order = "№ 15 от 20.05.2026"
    recheck.commission_approved_at = timezone.now()
    recheck.save()
    chair = commission_expert(recheck, school=other_school, chair=True, last_name="Председателева")
    member = commission_expert(recheck, school=other_school, last_name="Членова")
    expert_user = user_with_role(Role.EXPERT, school=school, username="expert_a")
    yakovleva = StaffFactory(school=school, last_name="Яковлева", user=expert_user)
    abramova = StaffFactory(school=school, last_name="Абрамова", user=user_with_role(Role.EXPERT, school=school))
    # Яковлева: 3→3, 3→4 (changed); Абрамова: 5→3 (changed) with a third expert, 4→4
    first = plant_recheck(assessment, school, [((1, 1), (1, 1)), ((2, 1), (2, 2))], expert=yakovleva, member=member)
    second = plant_recheck(
        assessment,
        school,
        [((3, 3), (2, 1)), ((2, 2), (2, 2))],
        expert=abramova,
        member=member,
        third={0: (1, 2)},
    )
    return {
        "campaign": campaign,
        "assessment": assessment,
        "recheck": recheck,
        "chair": chair,
        "member": member,
        "yakovleva": yakovleva,
        "abramova": abramova,
        "expert_user": expert_user,
        "works": first + second,
    }


def login(client, user):
    client.force_login(user)
    return client


def test_the_protocol_says_what_the_commission_did(client, setting, school, role_users):
    pupil = PupilFactory(school_class=SchoolClassFactory(school=school), last_name="Снегирёва")
    participant = setting["works"][0].work.participant
    participant.pupil = pupil
    participant.save()
    response = login(client, role_users[Role.DEPARTMENT_STAFF]).get(
        reverse("monitoring:recheck_protocol", args=[setting["campaign"].code])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Протокол муниципальной комиссии по перепроверке" in text
    assert "№ 15 от 20.05.2026" in text
    assert setting["chair"].staff.full_name in text and setting["member"].staff.full_name in text
    assert f"{school.code} · RU-4" in text
    for rw in setting["works"]:
        assert rw.work.participant.code in text
    assert "Перепроверено работ с итоговым результатом: 4. Отметка изменилась: 2." in text
    assert "Доля работ с изменённой отметкой: 50,0 %" in text  # the Russian decimal comma
    assert "да: " + setting["member"].staff.full_name in text  # the third expert named on the work
    assert "Председатель комиссии: ____________________ " + setting["chair"].staff.full_name in text
    assert "Снегирёва" not in text  # R11


def test_the_spreadsheet_carries_the_works_the_tasks_and_the_agreement(client, setting, school, role_users):
    response = login(client, role_users[Role.MUNICIPAL_COORDINATOR]).get(
        reverse("monitoring:recheck_xlsx", args=[setting["campaign"].code])
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Работы", "Задания", "Согласованность"]

    works = list(book["Работы"].iter_rows(values_only=True))
    assert works[0][:4] == ("Школа", "Работа", "Код", "Вариант")
    by_code = {row[2]: row for row in works[1:]}
    for rw in setting["works"]:
        row = by_code[rw.work.participant.code]
        assert row[0:2] == (school.code, "RU-4")
        assert row[4:8] == (rw.original_primary_score, rw.original_mark, rw.recheck_primary_score, rw.recheck_mark)
        assert row[9:11] == (rw.final_primary_score, rw.final_mark)
        assert row[11] == ("да" if rw.final_mark != rw.original_mark else "нет")
        assert row[12] == rw.original_primary_score - rw.final_primary_score
    third = setting["works"][2]
    assert by_code[third.work.participant.code][8] == "да"
    assert (by_code[third.work.participant.code][9], by_code[third.work.participant.code][10]) == (3, 3)

    tasks = list(book["Задания"].iter_rows(values_only=True))
    assert tasks[0] == ("Школа", "Работа", "Код", "Задание", "Максимум", "Исходный балл", "Итоговый балл", "Разница")
    assert len(tasks) == 1 + 4 * 2
    cells = {(row[2], row[3]): row[5:] for row in tasks[1:]}
    assert cells[(third.work.participant.code, "1")] == (3, 1, 2)  # the third expert's points are final
    assert cells[(setting["works"][1].work.participant.code, "2")] == (1, 2, -1)

    figures = list(book["Согласованность"].iter_rows(values_only=True))
    names = [row[0] for row in figures[1:] if row[2] == "все"]
    assert names == [setting["abramova"].full_name, setting["yakovleva"].full_name]  # by name
    yakovleva = next(row for row in figures[1:] if row[0] == setting["yakovleva"].full_name and row[2] == "все")
    # Яковлева: task pairs (1,1) (1,1) (2,2) (1,2): exact 3 of 4, adjacent 4 of 4, mean −1/2 → −0.5
    assert yakovleva[3:] == (2, 4, 75.0, 100.0, -0.5, 0.0)

    text = "".join(str(cell) for row in works + tasks + figures for cell in row)
    assert "Снегирёва" not in text


def test_the_department_reads_every_card_by_name_with_the_note(client, setting, role_users):
    response = login(client, role_users[Role.DEPARTMENT_STAFF]).get(
        reverse("monitoring:recheck_agreement", args=[setting["campaign"].code])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Это не рейтинг" in page
    assert page.index("Абрамова") < page.index("Яковлева")
    assert page.count('data-testid="agreement-card"') == 2


def test_an_expert_reads_only_their_own_card(client, setting):
    response = login(client, setting["expert_user"]).get(
        reverse("monitoring:recheck_agreement", args=[setting["campaign"].code])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Яковлева" in page and "Абрамова" not in page
    assert page.count('data-testid="agreement-card"') == 1

    mine = login(client, setting["expert_user"]).get(reverse("monitoring:my_agreement")).content.decode()
    assert "Яковлева" in mine and "Абрамова" not in mine and setting["campaign"].title in mine


def test_an_expert_without_rechecked_works_sees_no_card(client, setting, school):
    stranger = user_with_role(Role.EXPERT, school=school)
    for name in ("monitoring:my_agreement",):
        page = login(client, stranger).get(reverse(name)).content.decode()
        assert 'data-testid="agreement-empty"' in page and "agreement-card" not in page
    page = client.get(reverse("monitoring:recheck_agreement", args=[setting["campaign"].code])).content.decode()
    assert "Яковлева" not in page and "Абрамова" not in page


def test_another_department_gets_404(client, setting):
    elsewhere = DepartmentFactory(code="uo-other", name="Другое управление")
    foreign = user_with_role(Role.DEPARTMENT_STAFF, department=elsewhere)
    login(client, foreign)
    for name in ("monitoring:recheck_protocol", "monitoring:recheck_xlsx", "monitoring:recheck_agreement"):
        assert client.get(reverse(name, args=[setting["campaign"].code])).status_code == 404


def test_a_campaign_without_a_recheck_has_no_protocol(client, department, role_users):
    campaign = make_campaign(department, code="VPR-2027")
    login(client, role_users[Role.DEPARTMENT_STAFF])
    assert client.get(reverse("monitoring:recheck_protocol", args=[campaign.code])).status_code == 404
    assert client.get(reverse("monitoring:recheck_agreement", args=[campaign.code])).status_code == 200


def test_unfinished_works_show_in_the_protocol_without_a_final_result(client, setting, other_school, role_users):
    plant_recheck(setting["assessment"], other_school, [((1, 1), (1, 1))], status="adjudication")
    response = login(client, role_users[Role.DEPARTMENT_STAFF]).get(
        reverse("monitoring:recheck_protocol", args=[setting["campaign"].code])
    )
    text = " ".join(pdf_text(response.content).split())
    assert "итог не установлен" in text
    assert "Перепроверено работ с итоговым результатом: 4." in text
    assert RecheckSelection.objects.count() == 2
