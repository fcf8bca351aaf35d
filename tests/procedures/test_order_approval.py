"""The school's order goes to the director before it is in force: the coordinator submits a version, the director
approves it or returns it with a comment, the returned version is corrected and submitted again; every step is
audited and notified, and the signed scan follows approval."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procedures.models import Appointment, SchoolOrder, SchoolOrderStep, Stage
from procedures.services.orders import order_approve, order_return, order_scan_upload, order_submit
from procedures.services.plan import plan_statuses
from schools.models import AuditEntry, Notification, Role
from tests.factories import StaffFactory, user_with_role
from tests.procedures import test_orders
from tests.procedures.test_orders import PDF, appoint, order_url

prepared = test_orders.prepared  # the approved schedule and the staffing of the order


def submit(campaign, school, actor, number="45-о", date=datetime.date(2026, 4, 1)):
    return order_submit(campaign=campaign, school=school, number=number, date=date, actor=actor)


def page_of(client, campaign, school) -> str:
    return client.get(reverse("procedures:order", args=[campaign.code, school.code])).content.decode()


@pytest.fixture
def director(role_users):
    return role_users[Role.DIRECTOR]


@pytest.mark.django_db
def test_a_submitted_version_waits_for_the_director_who_is_notified(
    client, prepared, campaign, school, coordinator, director
):
    order = submit(campaign, school, coordinator)

    assert order.status == SchoolOrder.Status.SUBMITTED and not order.is_approved
    assert list(order.steps.values_list("action", "actor")) == [(SchoolOrderStep.Action.SUBMITTED, coordinator.pk)]
    assert AuditEntry.objects.get(action="order.submitted").after["version"] == 1
    notice = Notification.objects.get(user=director)
    assert "ждёт вашего утверждения" in notice.text and notice.url == reverse(
        "procedures:order", args=[campaign.code, school.code]
    )
    assert not Notification.objects.filter(user=coordinator).exists()
    client.force_login(coordinator)
    page = page_of(client, campaign, school)
    assert 'data-testid="order-awaiting"' in page and "Утвердить приказ" not in page
    assert 'data-testid="order-issue-form"' not in page  # nothing more to submit until the director decides
    with pytest.raises(ValidationError, match="уже на утверждении"):
        submit(campaign, school, coordinator, number="46-о")


@pytest.mark.django_db
def test_the_director_approves_on_the_page_and_the_coordinator_hears_of_it(
    client, prepared, campaign, school, coordinator, director
):
    order = submit(campaign, school, coordinator)
    client.force_login(director)
    page = page_of(client, campaign, school)
    assert "Утвердить приказ" in page and 'data-testid="order-awaiting-preview"' in page

    response = client.post(order_url("order_approve", order, version=1))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == SchoolOrder.Status.APPROVED and order.decided_by == director and order.decided_at
    assert order.steps.last().action == SchoolOrderStep.Action.APPROVED
    assert AuditEntry.objects.get(action="order.approved").actor == director
    assert "утвердил" in Notification.objects.get(user=coordinator).text
    page = page_of(client, campaign, school)
    assert "Действующая версия 1" in page and 'data-testid="order-current"' in page


@pytest.mark.django_db
def test_a_returned_version_carries_the_comment_and_is_submitted_again_under_its_number(
    client, prepared, campaign, school, coordinator, director
):
    order = submit(campaign, school, coordinator)
    client.force_login(director)

    refused = client.post(order_url("order_return", order, version=1), {"comment": "   "})
    assert refused.status_code == 400
    order.refresh_from_db()
    assert order.status == SchoolOrder.Status.SUBMITTED

    response = client.post(order_url("order_return", order, version=1), {"comment": "Укажите второго эксперта."})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == SchoolOrder.Status.RETURNED and order.comment == "Укажите второго эксперта."
    assert AuditEntry.objects.get(action="order.returned").after["comment"] == "Укажите второго эксперта."
    assert "Укажите второго эксперта." in Notification.objects.get(user=coordinator).text
    client.force_login(coordinator)
    page = page_of(client, campaign, school)
    assert 'data-testid="order-returned"' in page and "Укажите второго эксперта." in page
    assert "Отправить версию 1 повторно" in page and 'value="45-о"' in page

    expert = StaffFactory(school=school, last_name="Грачёва", first_name="Анна")
    appoint(campaign, school, expert, Appointment.Duty.EXPERT, assessment=prepared["sitting_room"].sitting.assessment)
    again = submit(campaign, school, coordinator, number="47-о", date=datetime.date(2026, 4, 3))

    assert (again.pk, again.version, again.number, again.status) == (order.pk, 1, "47-о", SchoolOrder.Status.SUBMITTED)
    assert "Грачёва" in str(again.content) and again.comment == ""
    assert list(again.steps.values_list("action", flat=True)) == ["submitted", "returned", "submitted"]
    assert AuditEntry.objects.filter(action="order.resubmitted").count() == 1
    assert Notification.objects.filter(user=director).count() == 2  # the first submission and the second


@pytest.mark.django_db
def test_a_decision_is_taken_once(prepared, campaign, school, coordinator, director):
    order = order_approve(order=submit(campaign, school, coordinator), actor=director)

    with pytest.raises(ValidationError, match="не ждёт утверждения"):
        order_approve(order=order, actor=director)
    with pytest.raises(ValidationError, match="не ждёт утверждения"):
        order_return(order=order, comment="поздно", actor=director)


@pytest.mark.django_db
def test_the_signed_scan_follows_approval(client, prepared, campaign, school, coordinator, director):
    order = submit(campaign, school, coordinator)
    client.force_login(coordinator)
    assert 'data-testid="scan-form-1"' not in page_of(client, campaign, school)

    refused = client.post(
        order_url("order_scan_upload", order, version=1), {"file": SimpleUploadedFile("s.pdf", PDF)}, follow=True
    )

    assert "после утверждения" in refused.content.decode()
    order.refresh_from_db()
    assert not order.signed_scan
    with pytest.raises(ValidationError, match="после утверждения"):
        order_scan_upload(order=order, file=SimpleUploadedFile("s.pdf", PDF), actor=coordinator)
    order = order_approve(order=order, actor=director)
    order_scan_upload(order=order, file=SimpleUploadedFile("s.pdf", PDF), actor=coordinator)
    assert order.signed_scan


@pytest.mark.django_db
def test_only_the_schools_director_decides(client, prepared, campaign, school, other_school, coordinator):
    order = submit(campaign, school, coordinator)

    client.force_login(coordinator)
    assert client.post(order_url("order_approve", order, version=1)).status_code == 403
    client.force_login(user_with_role(Role.DIRECTOR, school=other_school))
    assert client.post(order_url("order_approve", order, version=1)).status_code == 404
    assert client.post(order_url("order_return", order, version=1), {"comment": "нет"}).status_code == 404
    order.refresh_from_db()
    assert order.status == SchoolOrder.Status.SUBMITTED


@pytest.mark.django_db
def test_the_plan_stage_is_done_on_approval_not_on_submission(prepared, campaign, school, coordinator, director):
    stage = Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.ORDER_ISSUED,
        title="Издать приказ",
        deadline=datetime.datetime(2026, 4, 10, 13, 0, tzinfo=datetime.UTC),
    )
    order = submit(campaign, school, coordinator)
    assert not plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)].done

    order_approve(order=order, actor=director)

    status = plan_statuses(campaign=campaign, stages=[stage], schools=[school])[(stage.pk, school.pk)]
    order.refresh_from_db()
    assert status.done and status.done_at == order.decided_at
