"""The second factor (TOTP + recovery codes) of accounts that read a municipality or pupils' names."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.models import AuditEntry, Role
from schools.otp import recovery_codes_generate
from tests.factories import PASSWORD, DepartmentFactory, user_with_role


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    return device


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"])


@pytest.mark.django_db
def test_a_coordinator_with_a_device_reaches_nothing_before_the_code(
    client, otp_required, settings, coordinator, school
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows down retries after a wrong code; not under test here
    device = enrolled(coordinator)
    response = log_in(client, coordinator)
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    pupils = reverse("schools:pupil_list", args=[school.code])
    blocked = client.get(pupils)
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("otp_verify"))

    wrong = client.post(reverse("otp_verify"), {"token": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Код не подошёл" in wrong.content.decode()
    assert client.get(pupils).status_code == 302

    right = client.post(reverse("otp_verify"), {"token": code_of(device), "next": pupils})
    assert right.status_code == 302 and right["Location"] == pupils
    assert client.get(pupils).status_code == 200


@pytest.mark.django_db
def test_the_code_page_shows_no_menu_until_the_code_is_given(client, otp_required, coordinator, school):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    pupils = reverse("schools:pupil_list", args=[school.code])

    page = client.get(reverse("otp_verify"))
    assert page.context["nav_items"] == [] and pupils not in page.content.decode()

    client.post(reverse("otp_verify"), {"token": code_of(device)})
    assert client.get(reverse("otp_recovery_codes")).context["nav_items"] != []


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, otp_required, role_users, school):
    director = role_users[Role.DIRECTOR]
    enrolled(director)
    codes = recovery_codes_generate(user=director)
    assert len(codes) == 10 and len(set(codes)) == 10
    log_in(client, director)
    assert client.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse("schools:school_detail", args=[school.code])).status_code == 200

    client.logout()
    log_in(client, director)
    again = client.post(reverse("otp_verify"), {"token": codes[0]})
    assert again.status_code == 200 and "Код не подошёл" in again.content.decode()
    assert StaticToken.objects.filter(device__user=director).count() == 9


@pytest.mark.django_db
def test_without_a_device_the_department_is_sent_to_enrol_and_confirms_with_a_code(
    client, otp_required, department_user
):
    response = log_in(client, department_user)
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_enrol"))
    page = client.get(reverse("otp_enrol"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'data-testid="otp-secret"' in html
    device = TOTPDevice.objects.get(user=department_user, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")

    confirmed = client.post(reverse("otp_enrol"), {"token": code_of(device)})
    html = confirmed.content.decode()
    assert confirmed.status_code == 200 and 'data-testid="recovery-codes"' in html
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=department_user).count() == 10
    assert client.get(reverse("schools:school_list")).status_code == 200
    # Shown once: the page that lists codes makes new ones only on request.
    assert 'data-testid="recovery-codes"' not in client.get(reverse("otp_recovery_codes")).content.decode()
    assert AuditEntry.objects.filter(action="second_factor.enrolled", target_id=str(department_user.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.EXPERT, Role.OBSERVER])
def test_roles_that_read_no_names_are_not_asked(client, otp_required, role_users, role):
    response = log_in(client, role_users[role])
    assert not response.get("Location", "").startswith("/accounts/otp/")
    assert response.status_code in (200, 302)
    assert client.get(reverse("schools:notification_list")).status_code == 200


@pytest.mark.django_db
def test_with_the_setting_off_nothing_changes(client, settings, coordinator, school):
    settings.OTP_REQUIRED = False
    enrolled(coordinator)
    log_in(client, coordinator)
    assert client.get(reverse("schools:pupil_list", args=[school.code])).status_code == 200


@pytest.mark.django_db
def test_the_department_resets_a_lost_second_factor_and_it_is_audited(client, otp_required, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    enrolled(coordinator)
    recovery_codes_generate(user=coordinator)
    department_user = role_users[Role.DEPARTMENT_STAFF]
    client.force_login(department_user)
    session = client.session
    session["otp_device_id"] = enrolled(department_user).persistent_id
    session.save()

    response = client.post(reverse("schools:otp_reset", args=[coordinator.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticToken.objects.filter(device__user=coordinator).exists()
    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert entry.actor == department_user and entry.target_id == str(coordinator.pk)

    client.logout()
    assert log_in(client, coordinator)["Location"].startswith(reverse("otp_enrol"))


@pytest.mark.django_db
def test_a_school_or_another_municipality_cannot_reset(client, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    enrolled(coordinator)
    client.force_login(role_users[Role.DIRECTOR])
    assert client.post(reverse("schools:otp_reset", args=[coordinator.pk])).status_code == 403
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    client.force_login(stranger)
    assert client.post(reverse("schools:otp_reset", args=[coordinator.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def journal(client, reader) -> str:
    client.force_login(reader)
    response = client.get(reverse("schools:audit_list"), {"action": "second_factor"})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_director_sees_a_coordinators_enrolment_in_the_school_journal(
    client, otp_required, settings, role_users, school
):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    log_in(client, coordinator)
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert client.post(reverse("otp_enrol"), {"token": code_of(device)}).status_code == 200
    client.logout()

    entries = AuditEntry.objects.filter(target_id=str(coordinator.pk))
    assert {(e.action, e.school_id, e.department_id) for e in entries} == {
        ("second_factor.enrolled", school.pk, school.department_id),
        ("second_factor.recovery_codes_issued", school.pk, school.department_id),
    }
    settings.OTP_REQUIRED = False  # the director reads the journal without enrolling first; not under test here
    html = journal(client, role_users[Role.DIRECTOR])
    assert "second_factor.enrolled" in html and "second_factor.recovery_codes_issued" in html


@pytest.mark.django_db
def test_a_department_users_enrolment_is_in_the_departments_journal(client, role_users, department):
    department_user = role_users[Role.DEPARTMENT_STAFF]
    recovery_codes_generate(user=department_user)
    entry = AuditEntry.objects.get(action="second_factor.recovery_codes_issued")
    assert entry.school is None and entry.department == department
    assert "second_factor.recovery_codes_issued" in journal(client, role_users[Role.MUNICIPAL_COORDINATOR])


@pytest.mark.django_db
def test_the_department_sees_its_reset_and_the_director_sees_it_in_the_school_journal(
    client, role_users, school, department
):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    enrolled(coordinator)
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    assert client.post(reverse("schools:otp_reset", args=[coordinator.pk])).status_code == 302

    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert entry.school == school and entry.department == department
    assert "second_factor.reset" in journal(client, role_users[Role.DEPARTMENT_STAFF])
    assert "second_factor.reset" in journal(client, role_users[Role.DIRECTOR])
