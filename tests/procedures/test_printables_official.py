"""Printed documents look official: each carries the school's header (its department, full name and code), the
campaign, the document's title, a footer «Страница N из M» beside the document's short title, and one typeface
throughout — margin boxes and bold included (templates/print/base.html, templates/print/_official_header.html).
The calendar is headed by the school or, for the municipality, by the department. Documents with a layout of
their own (the order, the observers' appendix forms, the re-check's protocol and letter) keep it and take the
typeface and page numbers."""

import io
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from pypdf import PdfReader

from monitoring import visit_reports as vr
from procedures import printables
from procedures.services.seating import sitting_seat
from schools.models import Role
from tests.factories import make_campaign, make_room, make_sitting_room
from tests.monitoring.test_recheck_outcome import setting  # noqa: F401 (fixture)
from tests.monitoring.test_recheck_scans import original_expert, selection, works  # noqa: F401 (fixtures)
from tests.monitoring.test_visit_reports import (  # noqa: F401 (fixtures)
    act_assignment,
    card_assignment,
    fill,
    observer,
    representative,
    sitting,
    today,
)
from tests.procedures.test_orders import issue, order_url, prepared  # noqa: F401 (fixture)
from tests.procedures.test_printables import class_4b, coded, printable_url  # noqa: F401 (fixtures)
from tests.procedures.test_staffing import build_classes, build_sitting, make_participants
from vpr_portal.pdf import part_pdf, pdf_text

# The one typeface of printed documents: WeasyPrint names the embedded fonts "DejaVu-Serif", "DejaVu-Serif-Bold"…
TYPEFACE = "DejaVu-Serif"
CAMPAIGN_LINE = "Всероссийские проверочные работы, ВПР-2026"


def fonts_of(data: bytes) -> set[str]:
    """The fonts embedded in every page of a PDF, without their subset prefix (ABCDEF+)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def assert_one_typeface(data: bytes) -> None:
    fonts = fonts_of(data)
    assert fonts and all(name.startswith(TYPEFACE) for name in fonts), fonts


def page_texts(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def assert_numbered(data: bytes) -> None:
    """Every page says «Страница N из M», counting the pages of the document."""
    pages = page_texts(data)
    for number, text in enumerate(pages, start=1):
        assert f"Страница {number} из {len(pages)}" in text, text[-200:]


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_school_header(text: str, school) -> None:
    assert school.department.name in text
    assert school.name in text
    assert f"код ОО {school.code}" in text


def get_pdf(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    return response.content


# The participants' printables -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("coded")
@pytest.mark.parametrize(
    "name, title",
    [
        ("participant_slips", "Коды участников для вырезания"),
        ("participant_code_list", "Список кодов участников"),
        ("participant_protocol", "Протокол соответствия кодов и ФИО участников"),
    ],
)
def test_a_class_printable_carries_the_schools_header_the_campaign_title_and_page_numbers(
    client, campaign, school, class_4a, coordinator, name, title
):
    client.force_login(coordinator)

    data = get_pdf(client, printable_url(name, campaign, school, class_4a))

    text = flat(pdf_text(data))
    assert_school_header(text, school)
    assert CAMPAIGN_LINE in text
    assert f"{title} — класс 4А" in text
    assert "Работы: Математика, Русский язык" in text
    assert f"{title} — класс 4А · {school.code} · {campaign.code}" in text, "the footer's short title"
    assert_numbered(data)
    assert_one_typeface(data)


@pytest.mark.django_db
@pytest.mark.usefixtures("coded")
def test_the_code_list_counts_its_participants_in_the_header(client, campaign, school, class_4a, coordinator):
    client.force_login(coordinator)

    text = flat(pdf_text(get_pdf(client, printable_url("participant_code_list", campaign, school, class_4a))))

    assert "Работы: Математика, Русский язык · участников: 2" in text


@pytest.mark.django_db
@pytest.mark.usefixtures("coded")
def test_each_part_of_the_school_set_is_numbered_on_its_own_in_one_typeface(campaign, school):
    data = printables.school_set_pdf(campaign=campaign, school=school)

    pages = page_texts(data)
    assert len(pages) == 6, "slips, code list and protocol of two classes, a page each"
    assert all("Страница 1 из 1" in text and CAMPAIGN_LINE in text and school.name in text for text in pages)
    assert_one_typeface(data)


# Rooms ------------------------------------------------------------------------------------------------------


@pytest.fixture
def seated_room(campaign, school, assessment, coordinator):
    """RU-4 of 4А and 4Б in the «Актовый зал», 5 × 6, 30 participants seated."""
    classes = build_classes(school)
    room_sitting = build_sitting(campaign, school, assessment, classes)
    sitting_room = make_sitting_room(room_sitting, make_room(school, name="Актовый зал", rows=5, columns=6))
    make_participants(assessment, classes["4А"], 15)
    make_participants(assessment, classes["4Б"], 15)
    sitting_seat(sitting=room_sitting, actor=coordinator)
    return sitting_room


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, title, short_title",
    [
        ("sitting_room_list_pdf", "Список участников ВПР в аудитории Актовый зал", "Список аудитории Актовый зал"),
        ("sitting_room_plan_pdf", "План рассадки: аудитория Актовый зал", "План рассадки, аудитория Актовый зал"),
    ],
)
def test_a_rooms_printable_carries_the_schools_header_the_campaign_title_and_page_numbers(
    client, campaign, school, seated_room, coordinator, name, title, short_title
):
    client.force_login(coordinator)
    kwargs = {"campaign_code": campaign.code, "school_code": school.code, "pk": seated_room.pk}

    data = get_pdf(client, reverse(f"procedures:{name}", kwargs=kwargs))

    text = flat(pdf_text(data))
    assert_school_header(text, school)
    assert CAMPAIGN_LINE in text and title in text
    assert f"{short_title} · RU-4 · 21.04.2026 · {school.code}" in text
    assert_numbered(data)
    assert_one_typeface(data)


# The calendar --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_municipal_calendar_is_headed_by_the_department(client, campaign, department, department_user):
    department.municipality = "Тестовый городской округ"
    department.save()
    client.force_login(department_user)

    data = get_pdf(client, reverse("procedures:calendar_pdf", kwargs={"campaign_code": campaign.code}))

    text = flat(pdf_text(data))
    assert "Тестовый городской округ" in text and department.name in text and "код ОО" not in text
    assert CAMPAIGN_LINE in text and "Календарь проведения ВПР в муниципалитете, ВПР-2026" in text
    assert_numbered(data)
    assert_one_typeface(data)


@pytest.mark.django_db
def test_a_schools_calendar_is_headed_by_the_school(client, campaign, school, coordinator):
    client.force_login(coordinator)

    url = reverse("procedures:school_calendar_pdf", kwargs={"campaign_code": campaign.code, "school_code": school.code})
    data = get_pdf(client, url)

    text = flat(pdf_text(data))
    assert_school_header(text, school)
    assert CAMPAIGN_LINE in text and "График проведения ВПР: СШ №1, ВПР-2026" in text
    assert_numbered(data)
    assert_one_typeface(data)


# Documents with a layout of their own: the typeface and the page numbers ---------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("prepared")
def test_the_order_keeps_its_form_in_the_one_typeface_with_page_numbers(client, campaign, school, coordinator):
    order = issue(campaign, school, coordinator)
    client.force_login(coordinator)

    data = get_pdf(client, order_url("order_pdf", order, version=1))

    text = flat(pdf_text(data))
    assert "Приказ № 45-о · О проведении Всероссийских проверочных работ в 2026 году" in text
    assert_numbered(data)
    assert_one_typeface(data)


@pytest.mark.django_db
@pytest.mark.parametrize("assignment_fixture", ["act_assignment", "card_assignment"])
def test_the_observers_forms_keep_their_appendix_in_the_one_typeface_with_page_numbers(
    client, request, role_users, assignment_fixture
):
    assignment = request.getfixturevalue(assignment_fixture)
    report = fill(vr.report_open(assignment=assignment), violation_at="2.2")
    vr.report_submit(report=report, user=assignment.person.user)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])

    data = get_pdf(client, reverse("monitoring:report_pdf", args=[report.pk]))

    assert "Приложение" in pdf_text(data)
    assert_numbered(data)
    assert_one_typeface(data)


@pytest.mark.django_db
def test_the_recheck_protocol_is_in_the_one_typeface_with_page_numbers(client, setting, role_users):  # noqa: F811
    client.force_login(role_users[Role.DEPARTMENT_STAFF])

    data = get_pdf(client, reverse("monitoring:recheck_protocol", args=[setting["campaign"].code]))

    assert "Протокол комиссии по перепроверке · VPR-2026" in flat(pdf_text(data))
    assert_numbered(data)
    assert_one_typeface(data)


@pytest.mark.django_db
def test_the_recheck_letter_is_in_the_one_typeface_with_page_numbers(client, selection, coordinator):  # noqa: F811
    client.force_login(coordinator)

    data = get_pdf(client, reverse("monitoring:recheck_letter", args=[selection.pk, "pdf"]))

    assert "Сопроводительное письмо · sch660001" in flat(pdf_text(data))
    assert_numbered(data)
    assert_one_typeface(data)


# The header itself --------------------------------------------------------------------------------------------

DOCUMENT = Template(
    '{% extends "print/base.html" %}{% block running_title %}{{ title }}{% endblock %}{% block body %}'
    '{% include "print/_official_header.html" with school=school department=department campaign=campaign '
    "title=title subtitle=subtitle meta=meta %}<p><b>{{ body }}</b></p>{% endblock %}"
)


@pytest.mark.django_db
def test_a_department_document_is_headed_by_the_department_and_its_municipality(department, campaign):
    department.municipality = "Тестовый городской округ"
    department.save()
    context = {
        "department": department,
        "campaign": campaign,
        "title": "Сводка по «ВПР» & <итоги>",
        "subtitle": "по состоянию на 30.04.2026",
        "meta": ["4 класс", "Русский язык"],
        "body": "Жирный текст",
    }

    html = DOCUMENT.render(Context(context))
    data = part_pdf(html)

    text = flat(pdf_text(data))
    assert "Тестовый городской округ" in text and department.name in text and "код ОО" not in text
    assert CAMPAIGN_LINE in text and "Сводка по «ВПР» & <итоги>" in text
    assert "по состоянию на 30.04.2026" in text and "4 класс · Русский язык" in text
    assert "&amp;" not in text and "&lt;" not in text, "escaped once, in the body and the footer alike"
    assert re.search(r"Сводка по «ВПР» & <итоги>\s+Страница 1 из 1", text), "the footer: short title, then page"
    assert_one_typeface(data)


@pytest.mark.django_db
def test_a_campaign_of_another_kind_is_named_by_its_kind(school, department):
    campaign = make_campaign(
        department, code="ENTRY-2026", title="Входной контроль 2026", kind="entry", upload_deadline=None
    )

    html = DOCUMENT.render(Context({"school": school, "campaign": campaign, "title": "Список"}))

    assert "Входной контроль, Входной контроль 2026" in html
    assert "Всероссийские проверочные работы" not in html
