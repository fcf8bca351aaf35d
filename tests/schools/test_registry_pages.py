"""Browsing, searching, editing and uploading the registry in the browser; audit of what people did."""

import pytest
from django.core import mail
from django.urls import reverse

from schools.models import AuditEntry, Pupil, Role, School, current_academic_year
from tests.factories import PASSWORD, PupilFactory, SchoolClassFactory, StaffFactory, user_with_role

START_PAGES = {
    Role.DEPARTMENT_STAFF: "/reports/overview/",
    Role.MUNICIPAL_COORDINATOR: "/reports/overview/",
    Role.DEPARTMENT_REPRESENTATIVE: "/monitoring/cards/",
    Role.SCHOOL_COORDINATOR: "/procedures/schools/sch660001/checklist/",
    Role.DIRECTOR: "/procedures/schools/sch660001/director/",
    Role.TECHNICAL_SPECIALIST: "/procedures/schools/sch660001/technical/",
    Role.EXPERT: "/grading/works/",
    Role.ORGANIZER: "/procedures/rooms/mine/",
    Role.OBSERVER: "/monitoring/assignments/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(START_PAGES))
def test_each_role_lands_on_its_own_start_page_after_log_in(client, role_users, role):
    user = role_users[role]
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == START_PAGES[role]
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_person_with_two_roles_starts_at_the_more_responsible_one_and_sees_both_in_navigation(client, school):
    from tests.factories import add_role

    teacher = user_with_role(Role.EXPERT, school=school)
    add_role(teacher, Role.ORGANIZER, school=school)
    client.force_login(teacher)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/grading/works/"
    html = response.content.decode()
    assert "Работы на проверку" in html and "Мои аудитории" in html


@pytest.mark.django_db
def test_coordinator_finds_a_pupil_by_surname_and_the_search_is_audited(client, coordinator, school, pupil):
    PupilFactory.create_batch(3, school_class=pupil.school_class)
    client.force_login(coordinator)
    response = client.get(reverse("schools:pupil_list", args=[school.code]), {"q": "снегирев"})
    html = response.content.decode()
    assert "Снегирёва Алиса Олеговна" in html
    assert "Тестов" not in html
    entry = AuditEntry.objects.get(action="pupils.list_viewed")
    assert entry.actor == coordinator and entry.school == school and entry.after["search"] == "снегирев"


@pytest.mark.django_db
def test_pupil_list_is_paginated(client, coordinator, school, class_4a):
    PupilFactory.create_batch(55, school_class=class_4a)
    client.force_login(coordinator)
    first = client.get(reverse("schools:pupil_list", args=[school.code]))
    assert len(first.context["object_list"]) == 50
    second = client.get(reverse("schools:pupil_list", args=[school.code]), {"page": 2})
    assert len(second.context["object_list"]) == 5


@pytest.mark.django_db
def test_editing_a_pupil_is_audited_with_before_and_after(client, coordinator, school, pupil):
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]),
        {
            "last_name": "Снегирёва-Орлова",
            "first_name": "Алиса",
            "middle_name": "Олеговна",
            "school_class": pupil.school_class_id,
            "sex": "Ж",
            "has_disability": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.last_name == "Снегирёва-Орлова" and pupil.has_disability
    entry = AuditEntry.objects.get(action="pupil.updated")
    assert entry.before == {"last_name": "Снегирёва", "has_disability": False, "sex": "М"}
    assert entry.after == {"last_name": "Снегирёва-Орлова", "has_disability": True, "sex": "Ж"}
    assert entry.has_personal_data and "Снегир" not in entry.target_label


@pytest.mark.django_db
def test_a_pupil_cannot_be_moved_into_another_schools_class(client, coordinator, school, pupil, other_school):
    foreign_class = SchoolClassFactory(school=other_school, grade=4, letter="В")
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]),
        {
            "last_name": "Снегирёва",
            "first_name": "Алиса",
            "school_class": foreign_class.pk,
            "sex": "Ж",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    pupil.refresh_from_db()
    assert pupil.school_class.school == school


@pytest.mark.django_db
def test_director_reads_names_in_the_audit_but_the_department_does_not(client, role_users, school, pupil):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]),
        {
            "last_name": "Переименованная",
            "first_name": "Алиса",
            "school_class": pupil.school_class_id,
            "sex": "Ж",
            "is_active": "on",
        },
    )
    client.force_login(role_users[Role.DIRECTOR])
    assert "Переименованная" in client.get(reverse("schools:audit_list")).content.decode()
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    html = client.get(reverse("schools:audit_list")).content.decode()
    assert "pupil.updated" in html
    assert "Переименованная" not in html and "Снегир" not in html


@pytest.mark.django_db
def test_director_does_not_read_another_schools_audit(client, role_users, other_school):
    from schools.services import audit_record

    audit_record(actor=None, action="school.updated", target=other_school, after={"name": "Секретное"})
    client.force_login(role_users[Role.DIRECTOR])
    assert "Секретное" not in client.get(reverse("schools:audit_list")).content.decode()


def upload(client, url, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_pupil_upload_shows_a_preview_and_writes_only_on_confirm(client, coordinator, school, pupil):
    client.force_login(coordinator)
    url = reverse("schools:pupil_import", args=[school.code])
    content = (
        "Фамилия;Имя;Отчество;Класс;Пол;ОВЗ\nСнегирёва;Алиса;Олеговна;4А;М;нет\nДятлов;Кирилл;;4А;М;нет\n"
    ).encode()
    response = upload(client, url, "pupils.csv", content)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 1)
    assert not Pupil.objects.filter(last_name="Дятлов").exists()
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Pupil.objects.filter(last_name="Дятлов", school=school).exists()


@pytest.mark.django_db
def test_pupil_upload_with_errors_lists_them_and_writes_nothing(client, coordinator, school):
    client.force_login(coordinator)
    response = upload(
        client,
        reverse("schools:pupil_import", args=[school.code]),
        "pupils.csv",
        "Фамилия;Имя;Отчество;Класс;Пол\nДятлов;Кирилл;;4А;М\nКлёст;;;4Ы7;Q\n".encode(),
    )
    html = response.content.decode()
    assert "строка 3, столбец «Имя»: не заполнено" in html
    assert "строка 3, столбец «Пол»" in html
    assert "Ничего не изменено" in html
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_token_of_someone_else_is_refused(client, role_users, school):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = upload(
        client,
        reverse("schools:pupil_import", args=[school.code]),
        "p.csv",
        "Фамилия;Имя;Отчество;Класс;Пол\nДятлов;Кирилл;;4А;М\n".encode(),
    )
    token = response.context["token"]
    intruder = user_with_role(Role.SCHOOL_COORDINATOR, school=school)
    client.force_login(intruder)
    client.post(reverse("schools:pupil_import", args=[school.code]), {"token": token})
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_department_uploads_the_school_list(client, role_users, department):
    client.force_login(role_users[Role.MUNICIPAL_COORDINATOR])
    url = reverse("schools:school_import")
    response = upload(
        client, url, "s.csv", "Код;Наименование;Краткое наименование\nsch669999;МБОУ «Новая школа»;Новая\n".encode()
    )
    assert response.context["summary"].created == 1
    client.post(url, {"token": response.context["token"]})
    assert School.objects.get(code="sch669999").department == department


@pytest.mark.django_db
def test_staff_with_subjects_loads_and_a_declared_relative(client, coordinator, school, class_4a, pupil):
    from schools.models import DeclaredRelative, Staff, Subject

    Subject.objects.create(name="Математика")
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:staff_create", args=[school.code]),
        {
            "last_name": "Ласточкина",
            "first_name": "Нина",
            "position": "учитель",
            "experience_years": 7,
            "is_active": "on",
            "subjects": "Математика: 5",
            "loads": [class_4a.pk],
            "load_subject": Subject.objects.get(name="Математика").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    staff = Staff.objects.get(last_name="Ласточкина")
    assert [(s.subject.name, s.experience_years) for s in staff.subject_experience.all()] == [("Математика", 5)]
    assert [load.school_class for load in staff.teaching_loads.all()] == [class_4a]
    client.post(
        reverse("schools:staff_relatives", args=[school.code, staff.pk]), {"pupil": pupil.pk, "relation": "parent"}
    )
    assert DeclaredRelative.objects.filter(staff=staff, pupil=pupil).exists()


@pytest.mark.django_db
def test_unknown_subject_in_staff_form_is_explained(client, coordinator, school):
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:staff_create", args=[school.code]),
        {
            "last_name": "Ласточкина",
            "first_name": "Нина",
            "position": "учитель",
            "experience_years": 7,
            "subjects": "Астрология: 3",
        },
    )
    assert "неизвестный предмет «Астрология»" in response.content.decode()


@pytest.mark.django_db
def test_a_relative_from_another_school_cannot_be_declared(client, coordinator, school, other_pupil):
    staff = StaffFactory(school=school)
    client.force_login(coordinator)
    client.post(
        reverse("schools:staff_relatives", args=[school.code, staff.pk]),
        {"pupil": other_pupil.pk, "relation": "parent"},
    )
    assert not staff.relatives.exists()


@pytest.mark.django_db
def test_repeated_failed_log_ins_lock_the_account(client, coordinator):
    for _attempt in range(5):
        client.post(reverse("login"), {"username": coordinator.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "заблокирован" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_wrong_password_is_explained_in_russian(client, coordinator):
    response = client.post(reverse("login"), {"username": coordinator.username, "password": "wrong"})
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_by_e_mail(client, coordinator):
    client.post(reverse("password_reset"), {"email": coordinator.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "восстановление пароля" in message.subject
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Новый-пароль-2026", "new_password2": "Новый-пароль-2026"})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("Новый-пароль-2026")


@pytest.mark.django_db
def test_password_change(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Другой-пароль-77", "new_password2": "Другой-пароль-77"},
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("Другой-пароль-77")


@pytest.mark.django_db
def test_error_pages_are_in_russian(client, coordinator, settings):
    settings.DEBUG = False
    client.force_login(coordinator)
    assert "Страница не найдена" in client.get("/no-such-page/").content.decode()
    assert "Доступ запрещён" in client.get(reverse("reports:overview")).content.decode()


@pytest.mark.django_db
def test_notifications_show_an_unread_count_and_are_marked_read(
    client, coordinator, django_capture_on_commit_callbacks
):
    from schools.services import notifications_send

    with django_capture_on_commit_callbacks(execute=True):
        notifications_send(users=[coordinator], text="Срок загрузки формы — завтра", key="deadline-1")
        notifications_send(users=[coordinator], text="Срок загрузки формы — завтра", key="deadline-1")
    client.force_login(coordinator)
    response = client.get(reverse("schools:notification_list"))
    assert response.context["unread_count"] == 1
    assert "Срок загрузки формы — завтра" in response.content.decode()
    client.post(reverse("schools:notification_list"))
    assert client.get(reverse("schools:notification_list")).context["unread_count"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_classes_belong_to_an_academic_year(school, class_4a):
    assert class_4a.academic_year == current_academic_year()
    assert class_4a.academic_year_label.startswith(str(current_academic_year()))
