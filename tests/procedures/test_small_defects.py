"""Small defects of the school's procedures pages, each found when tried as a new user would."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.services.participants import codes_issue
from procedures.services.schedules import schedule_get_or_create, schedule_submit
from tests.factories import PupilFactory, SchoolClassFactory

from .conftest import make_assessment


def url(name, campaign, school, **kwargs):
    return reverse(f"procedures:{name}", kwargs={"campaign_code": campaign.code, "school_code": school.code, **kwargs})


@pytest.fixture
def two_grades(campaign, school, assessment):
    """Pupils of 10А, 4Б and 4А (created in that order), each writing their grade's work."""
    make_assessment(campaign, code="RU-10", grade=10)
    for grade, letter, name in ((10, "А", "Десятова"), (4, "Б", "Четвертакова"), (4, "А", "Первоклассова")):
        PupilFactory(school_class=SchoolClassFactory(school=school, grade=grade, letter=letter), last_name=name)
    codes_issue(campaign=campaign, school=school, actor=None)


@pytest.mark.django_db
def test_the_participant_list_puts_4a_before_10a(client, campaign, school, two_grades, coordinator):
    client.force_login(coordinator)
    page = client.get(url("participants", campaign, school)).content.decode()
    positions = [page.index(name) for name in ("Первоклассова", "Четвертакова", "Десятова")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_missing_date_names_the_work_without_a_double_dot(campaign, school, assessment, coordinator):
    SchoolClassFactory(school=school, grade=4, letter="А")
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    with pytest.raises(ValidationError) as refused:
        schedule_submit(schedule=schedule, actor=coordinator)
    message = " ".join(refused.value.messages)
    assert "Не заданы дата и урок" in message and f"«{assessment}»" in message
    assert "кл.." not in message


@pytest.mark.django_db
def test_the_checklist_does_not_show_the_documents_read_without_documents(client, campaign, school, coordinator):
    from procedures.services.plan import stages_create_defaults

    stages_create_defaults(campaign=campaign, actor=None)
    client.force_login(coordinator)
    page = client.get(reverse("procedures:checklist", kwargs={"school_code": school.code})).content.decode()
    row = page[page.index("Ознакомиться с регламентом") :]
    row = page[
        page.rindex("<tr", 0, page.index("Ознакомиться с регламентом")) : page.index("</tr>", len(page) - len(row))
    ]
    assert 'data-state="done"' not in row and "table-success" not in row


@pytest.mark.django_db
def test_the_document_filters_have_visible_labels(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("procedures:document_list")).content.decode()
    assert '<label class="form-label small mb-0" for="id_campaign">Кампания</label>' in page
    assert '<label class="form-label small mb-0" for="id_kind">Вид</label>' in page
    assert 'class="visually-hidden" for="id_' not in page
