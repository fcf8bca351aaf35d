"""Small defects of the registry pages, each found when tried as a new user would."""

import pytest
from django.urls import reverse

from schools.classes import class_names_text, class_sort_key
from tests.factories import SchoolClassFactory, StaffFactory, SubjectFactory, TeachingLoadFactory


def test_classes_are_ordered_by_grade_then_letter():
    assert sorted(["10А", "4Б", "11А", "4А", "9В"], key=class_sort_key) == ["4А", "4Б", "9В", "10А", "11А"]
    assert class_names_text(["4В", "10А", "4В", "4В", "4А"]) == "4А, 4В, 10А"


@pytest.mark.django_db
def test_the_staff_list_names_each_class_once_in_class_order_and_all_of_them(client, coordinator, school):
    teacher = StaffFactory(school=school, last_name="Учителева")
    classes = [
        SchoolClassFactory(school=school, grade=g, letter=letter) for g, letter in ((10, "А"), (4, "В"), (5, "А"))
    ]
    for subject in ("Русский язык", "Математика", "Окружающий мир"):
        TeachingLoadFactory(staff=teacher, school_class=classes[1], subject=SubjectFactory(name=subject))
    for school_class in (classes[0], classes[2]):
        TeachingLoadFactory(
            staff=teacher, school_class=school_class, subject=SubjectFactory(name=f"Предмет {school_class}")
        )
    client.force_login(coordinator)
    page = client.get(reverse("schools:staff_list", args=[school.code])).content.decode()
    assert "<td>4В, 5А, 10А</td>" in page
