"""The participants' printables, checked by what they say: code slips and the code list carry codes without
names; the protocol pairs codes with names, only for the school's coordinator and director, every print
audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures import printables
from procedures.models import Participant
from procedures.services.participants import codes_issue, participant_exempt
from schools.models import AuditEntry, Role
from tests.factories import PupilFactory, SchoolClassFactory, user_with_role
from vpr_portal import pdf
from vpr_portal.pdf import pdf_text


@pytest.fixture
def class_4a(school):
    return SchoolClassFactory(school=school, grade=4, letter="А")


@pytest.fixture
def class_4b(school):
    return SchoolClassFactory(school=school, grade=4, letter="Б")


@pytest.fixture
def coded(campaign, school, class_4a, class_4b, assessment, math_assessment):
    PupilFactory(school_class=class_4a, last_name="Снегирёва", first_name="Алиса", middle_name="Олеговна")
    PupilFactory(school_class=class_4a, last_name="Зябликов", first_name="Пётр", middle_name="Ильич")
    PupilFactory(school_class=class_4b, last_name="Щеглова", first_name="Вера", middle_name="")
    codes_issue(campaign=campaign, school=school, actor=None)


NAMES = ("Снегирёва", "Зябликов", "Алиса", "Олеговна")


def printable_url(name, campaign, school, school_class):
    return reverse(
        f"procedures:{name}",
        kwargs={"campaign_code": campaign.code, "school_code": school.code, "class_id": school_class.pk},
    )


def get_pdf(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


@pytest.mark.django_db
def test_code_slips_show_code_class_and_works_but_no_names(client, campaign, school, class_4a, coded, coordinator):
    client.force_login(coordinator)

    text = get_pdf(client, printable_url("participant_slips", campaign, school, class_4a))

    assert "Коды участников для вырезания — класс 4А" in text
    assert "10001" in text and "10002" in text and "10101" not in text, "only the class's own codes"
    assert "Русский язык" in text and "Математика" in text and "класс 4А" in text
    assert not any(name in text for name in NAMES)


@pytest.mark.django_db
def test_the_code_list_shows_codes_and_class_but_no_names(client, campaign, school, class_4a, coded, coordinator):
    client.force_login(coordinator)

    text = get_pdf(client, printable_url("participant_code_list", campaign, school, class_4a))

    assert "Список кодов участников — класс 4А" in text
    assert "10001 4А" in text and "10002 4А" in text
    assert not any(name in text for name in NAMES)


@pytest.mark.django_db
def test_the_protocol_pairs_codes_with_names_and_marks_exemptions(
    client, campaign, school, class_4a, assessment, coded, coordinator
):
    participant_exempt(
        participant=Participant.objects.get(assessment=assessment, pupil__last_name="Зябликов"),
        reason="болезнь",
        document="справка №4",
        actor=coordinator,
    )
    client.force_login(coordinator)

    text = get_pdf(client, printable_url("participant_protocol", campaign, school, class_4a))

    assert "Протокол соответствия кодов и ФИО участников — класс 4А" in text
    assert "10001 Зябликов Пётр Ильич 4А" in text
    assert "10002 Снегирёва Алиса Олеговна 4А" in text
    assert "освобождён" in text and "Вариант" in text and "Явка" in text
    assert "Щеглова" not in text, "another class"


@pytest.mark.django_db
def test_each_print_of_the_protocol_is_audited(client, campaign, school, class_4a, coded, role_users):
    url = printable_url("participant_protocol", campaign, school, class_4a)
    for role in (Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.DIRECTOR):
        client.force_login(role_users[role])
        assert client.get(url).status_code == 200

    entries = AuditEntry.objects.filter(action="participants.protocol_printed").order_by("created_at", "id")
    assert [e.actor for e in entries] == [
        role_users[Role.SCHOOL_COORDINATOR],
        role_users[Role.DIRECTOR],
        role_users[Role.DIRECTOR],
    ]
    assert all(e.school == school and e.after == {"campaign": "VPR-2026", "class": "4А"} for e in entries)
    client.get(printable_url("participant_slips", campaign, school, class_4a))
    assert entries.count() == 3, "slips carry no names: not a protocol print"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, status",
    [
        (Role.TECHNICAL_SPECIALIST, 403),  # unless the coordinator allows it (below)
        (Role.EXPERT, 403),
        (Role.ORGANIZER, 403),
        (Role.DEPARTMENT_STAFF, 403),
        (Role.MUNICIPAL_COORDINATOR, 403),
        (Role.OBSERVER, 403),
    ],
)
def test_nobody_outside_the_schools_printing_roles_gets_the_protocol(
    client, campaign, school, class_4a, coded, role_users, role, status
):
    client.force_login(role_users[role])

    response = client.get(printable_url("participant_protocol", campaign, school, class_4a))

    assert response.status_code == status
    assert not AuditEntry.objects.filter(action="participants.protocol_printed").exists()


def tech_printing(client, campaign, school, allowed: bool):
    url = reverse(
        "procedures:participants_tech_printing", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    return client.post(url, {"allowed": "1" if allowed else "0"})


@pytest.mark.django_db
def test_the_technical_specialist_prints_codes_and_the_protocol_only_as_the_coordinator_allows(
    client, campaign, school, class_4a, coded, role_users
):
    tech, coordinator = role_users[Role.TECHNICAL_SPECIALIST], role_users[Role.SCHOOL_COORDINATOR]
    protocol = printable_url("participant_protocol", campaign, school, class_4a)
    start = reverse("procedures:technical_start", kwargs={"school_code": school.code})
    client.force_login(tech)
    for name in ("participant_slips", "participant_code_list"):
        response = client.get(printable_url(name, campaign, school, class_4a))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
    assert client.get(protocol).status_code == 403
    assert protocol not in client.get(start).content.decode()

    client.force_login(coordinator)
    assert tech_printing(client, campaign, school, allowed=True).status_code == 302
    granted = AuditEntry.objects.get(action="delegation.granted", school=school)
    assert granted.actor == coordinator

    client.force_login(tech)
    assert protocol in client.get(start).content.decode()
    assert get_pdf(client, protocol)
    assert AuditEntry.objects.filter(action="participants.protocol_printed", actor=tech).exists()

    client.force_login(coordinator)
    tech_printing(client, campaign, school, allowed=False)
    assert AuditEntry.objects.filter(action="delegation.withdrawn", school=school).exists()
    client.force_login(tech)
    assert client.get(protocol).status_code == 403


@pytest.mark.django_db
def test_only_the_coordinator_hands_on_printing_and_only_in_their_school(
    client, campaign, school, other_school, class_4a, coded, role_users
):
    from schools.models import Delegation
    from schools.services import delegation_set

    client.force_login(role_users[Role.DIRECTOR])
    assert tech_printing(client, campaign, school, allowed=True).status_code == 403
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert tech_printing(client, campaign, other_school, allowed=True).status_code == 404
    assert not Delegation.objects.exists()
    # a right handed on in another school does not reach this one
    delegation_set(
        school=other_school, role=Role.TECHNICAL_SPECIALIST, capability="print_names", allowed=True, actor=None
    )
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])
    assert client.get(printable_url("participant_protocol", campaign, school, class_4a)).status_code == 403
    with pytest.raises(ValidationError):
        delegation_set(school=school, role=Role.ORGANIZER, capability="print_names", allowed=True, actor=None)


@pytest.mark.django_db
def test_an_expert_on_a_municipal_commission_gets_no_protocol(client, campaign, school, class_4a, coded, department):
    expert = user_with_role(Role.EXPERT, department=department)
    client.force_login(expert)

    assert client.get(printable_url("participant_protocol", campaign, school, class_4a)).status_code == 403


@pytest.mark.django_db
def test_another_schools_coordinator_gets_404(client, campaign, school, other_school, class_4a, coded):
    client.force_login(user_with_role(Role.SCHOOL_COORDINATOR, school=other_school))

    for name in ("participant_protocol", "participant_slips", "participant_code_list"):
        assert client.get(printable_url(name, campaign, school, class_4a)).status_code == 404
    assert not AuditEntry.objects.filter(action="participants.protocol_printed").exists()


@pytest.mark.django_db
def test_a_class_of_another_school_under_ones_own_is_404(client, campaign, school, other_school, coded, coordinator):
    foreign = SchoolClassFactory(school=other_school, grade=4, letter="А")
    PupilFactory(school_class=foreign)
    codes_issue(campaign=campaign, school=other_school, actor=None)
    client.force_login(coordinator)

    assert client.get(printable_url("participant_protocol", campaign, school, foreign)).status_code == 404


@pytest.mark.django_db
def test_a_class_without_codes_is_sent_back_to_the_list(client, campaign, school, coded, coordinator):
    empty = SchoolClassFactory(school=school, grade=4, letter="В")
    client.force_login(coordinator)

    response = client.get(printable_url("participant_slips", campaign, school, empty), follow=True)

    assert "В классе 4В ещё никому не выданы коды." in response.content.decode()


@pytest.mark.django_db
def test_the_school_set_has_every_class_with_slips_lists_and_protocols(campaign, school, coded):
    text = pdf_text(printables.school_set_pdf(campaign=campaign, school=school))

    for title in (
        "Коды участников для вырезания",
        "Список кодов участников",
        "Протокол соответствия кодов и ФИО участников",
    ):
        assert f"{title} — класс 4А" in text and f"{title} — класс 4Б" in text
    assert text.index("Коды участников для вырезания — класс 4Б") < text.index("Список кодов участников — класс 4А")
    assert "Щеглова Вера" in text


@pytest.mark.django_db
def test_a_long_set_is_laid_out_in_parallel_processes_with_the_same_text(
    monkeypatch, settings, campaign, school, coded
):
    sequential = pdf_text(printables.school_set_pdf(campaign=campaign, school=school))
    monkeypatch.setattr(pdf, "PARALLEL_MIN_PARTS", 2)
    settings.PDF_RENDER_PROCESSES = 2
    used = []
    real = pdf._in_processes

    def spy(func, items, processes):
        used.append(processes)
        return real(func, items, processes)

    monkeypatch.setattr(pdf, "_in_processes", spy)

    parallel = pdf_text(printables.school_set_pdf(campaign=campaign, school=school))

    assert used == [2]
    assert parallel == sequential
