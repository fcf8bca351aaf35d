"""The start pages of a school's director and technical specialist: what waits for them and where their work is."""

import datetime

import pytest
from django.urls import reverse

from procedures.models import SchoolOrder
from schools.models import Role
from tests.factories import make_participant, user_with_role


def director_page(client, school) -> str:
    return client.get(reverse("procedures:director_start", args=[school.code])).content.decode()


@pytest.mark.django_db
def test_the_director_lands_on_his_start_page_with_the_order_awaiting_him_first(
    client, campaign, school, other_school, role_users
):
    director = role_users[Role.DIRECTOR]
    client.force_login(director)
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("procedures:director_start", args=[school.code])
    html = page.content.decode()
    assert 'data-testid="director-nothing-waiting"' in html
    for name in ("checklist", "order", "participants", "protocol_list"):
        args = [school.code] if name == "checklist" else [campaign.code, school.code]
        assert reverse(f"procedures:{name}", args=args) in html
    assert reverse("grading:results", args=[campaign.code, school.code]) in html

    order = SchoolOrder.objects.create(
        campaign=campaign, school=school, version=1, number="45-о", date=datetime.date(2026, 4, 1), content={}
    )
    SchoolOrder.objects.create(
        campaign=campaign, school=other_school, version=1, number="7", date=datetime.date(2026, 4, 1), content={}
    )

    html = director_page(client, school)
    assert f'data-testid="awaiting-order-{order.pk}"' in html and "версия 1 ждёт утверждения" in html
    assert html.count('data-testid="awaiting-order-') == 1  # the other school's order is not his


@pytest.mark.django_db
def test_a_director_of_another_school_gets_404(client, campaign, school, other_school):
    client.force_login(user_with_role(Role.DIRECTOR, school=other_school))

    assert client.get(reverse("procedures:director_start", args=[school.code])).status_code == 404


@pytest.mark.django_db
def test_the_technical_specialist_finds_printing_per_class_results_forms_and_uploads(
    client, campaign, assessment, school, class_4a, pupil, role_users
):
    make_participant(assessment, pupil, sex="Ж", code="10001")  # the pupil's school and class 4А
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])

    page = client.get("/", follow=True)

    assert page.redirect_chain[-1][0] == reverse("procedures:technical_start", args=[school.code])
    html = page.content.decode()
    links = [
        reverse("procedures:participant_slips", args=[campaign.code, school.code, class_4a.pk]),
        reverse("procedures:participant_code_list", args=[campaign.code, school.code, class_4a.pk]),
        reverse("grading:school_uploads", args=[campaign.code, school.code]),  # the forms for ФИС ОКО, their upload
    ]
    for link in links:
        assert link in html
        assert client.get(link).status_code == 200, link  # every link of his page is open to him
    assert "Снегирёва" not in html  # the page counts pupils, it does not list them


@pytest.mark.django_db
def test_the_campaign_going_on_comes_before_the_one_being_prepared(client, campaign, school, role_users):
    from tests.factories import make_campaign

    spring = make_campaign(
        campaign.department,
        code="VPR-2027",
        window_start=campaign.window_start + datetime.timedelta(days=365),
        window_end=campaign.window_end + datetime.timedelta(days=365),
        upload_deadline=campaign.upload_deadline + datetime.timedelta(days=365),
    )
    client.force_login(role_users[Role.TECHNICAL_SPECIALIST])
    html = client.get(reverse("procedures:technical_start", args=[school.code])).content.decode()
    assert html.index(f"technical-campaign-{campaign.code}") < html.index(f"technical-campaign-{spring.code}")
