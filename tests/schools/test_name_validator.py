"""One rule for person names: the pupil form, the pupil import, staff and role grants accept and refuse alike."""

import pytest
from django.urls import reverse

from schools.importers import PUPIL_COLUMNS, parse_pupils
from schools.models import Pupil, Role, Staff, User
from schools.validators import person_name_problem
from vpr_portal.tables import InputRefused, Table

REAL_NAMES = ["Снегирёва", "Д'Артаньян", "Иванова-Петрова", "Анна Мария", "Ёлкин", "O'Brien", "Ученик1", "Ли"]
NOT_NAMES = [
    "12345",
    "—",
    "Иван\u202eов",  # right-to-left override: shows as «Иванво»
    "Иван\u200bов",  # zero-width space: looks like «Иванов», is not
    "\u2066Иванов\u2069",
    "Иванов\u200f",
    "Ива\ufeffнов",
    "Ива\u2060нов",
    "Иван\x07ов",
    "Иван\nов",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_are_names(name):
    assert person_name_problem(name) is None


@pytest.mark.parametrize("name", NOT_NAMES)
def test_digits_controls_bidi_and_zero_width_characters_are_not_names(name):
    problem = person_name_problem(name)
    assert problem and "«" in problem
    # the message shows the invisible character as a mark instead of letting it act on the page
    assert not any(character in problem for character in "\u202e\u200b\u2066\u2069\u200f\ufeff\u2060\x07\n")


def pupil_table(last_name: str) -> Table:
    return Table(headers=PUPIL_COLUMNS, rows=[(2, [last_name, "Лев", "", "4А", "М"])])


# (the import folds line breaks and runs of spaces into one space before judging a name)
@pytest.mark.parametrize("name", [name for name in NOT_NAMES if "\n" not in name])
def test_the_pupil_import_refuses_what_the_rule_refuses(name):
    with pytest.raises(InputRefused) as refused:
        parse_pupils(pupil_table(name))
    assert refused.value.problems[0].column == "Фамилия"


@pytest.mark.parametrize("name", REAL_NAMES)
def test_the_pupil_import_accepts_what_the_rule_accepts(name):
    assert parse_pupils(pupil_table(name))[0].last_name == name


def pupil_form_data(pupil, last_name):
    return {
        "last_name": last_name,
        "first_name": "Алиса",
        "middle_name": "",
        "school_class": pupil.school_class_id,
        "sex": "Ж",
        "is_active": "on",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["12345", "Снегир\u202eёва", "Снегир\u200bёва"])
def test_the_pupil_form_refuses_what_the_import_refuses(client, coordinator, school, pupil, name):
    client.force_login(coordinator)
    response = client.post(reverse("schools:pupil_edit", args=[school.code, pupil.pk]), pupil_form_data(pupil, name))
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"]
    pupil.refresh_from_db()
    assert pupil.last_name == "Снегирёва"


@pytest.mark.django_db
def test_the_pupil_form_still_takes_a_double_surname_with_yo(client, coordinator, school, pupil):
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]), pupil_form_data(pupil, "Д'Ёлкина-Орлова")
    )
    assert response.status_code == 302
    assert Pupil.objects.get(pk=pupil.pk).last_name == "Д'Ёлкина-Орлова"


@pytest.mark.django_db
def test_the_staff_form_refuses_a_name_with_a_direction_override(client, coordinator, school):
    client.force_login(coordinator)
    response = client.post(
        reverse("schools:staff_create", args=[school.code]),
        {"last_name": "Ласточ\u202eкина", "first_name": "Нина", "position": "учитель", "experience_years": 7},
    )
    assert response.status_code == 200 and response.context["form"].errors["last_name"]
    assert not Staff.objects.exists()


@pytest.mark.django_db
def test_a_role_grant_refuses_a_name_without_letters(client, role_users, school):
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    response = client.post(
        reverse("schools:role_grant"),
        {
            "username": "novikova",
            "last_name": "12345",
            "first_name": "Елена",
            "role": Role.SCHOOL_COORDINATOR,
            "school": school.pk,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["last_name"]
    assert not User.objects.filter(username="novikova").exists()
