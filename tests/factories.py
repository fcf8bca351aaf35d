"""Factories for test data: fictitious schools, people and pupils."""

import factory

from schools.models import (
    Department,
    Membership,
    Pupil,
    Role,
    School,
    SchoolClass,
    Sex,
    Staff,
    StaffSubject,
    Subject,
    TeachingLoad,
    User,
    current_academic_year,
)

PASSWORD = "test-pass-2026"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = "uo-test"
    name = "Управление образования Тестового городского округа"
    short_name = "УО Тестового ГО"
    time_zone = "Asia/Yekaterinburg"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"sch{660100 + n}")
    name = factory.Sequence(lambda n: f"МАОУ «Тестовая средняя школа №{n + 1}»")
    short_name = factory.Sequence(lambda n: f"ТСШ №{n + 1}")
    time_zone = "Asia/Yekaterinburg"


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass
        django_get_or_create = ("school", "academic_year", "grade", "letter")

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyFunction(current_academic_year)
    grade = 4
    letter = "А"


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.LazyAttribute(lambda o: o.school_class.school)
    last_name = factory.Sequence(lambda n: f"Тестов{n}")
    first_name = "Иван"
    middle_name = "Петрович"
    sex = Sex.MALE


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("name",)

    name = "Математика"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Учителева{n}")
    first_name = "Мария"
    middle_name = "Сергеевна"
    position = "учитель"
    experience_years = 10


class StaffSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffSubject

    staff = factory.SubFactory(StaffFactory)
    subject = factory.SubFactory(SubjectFactory)
    experience_years = 5


class TeachingLoadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingLoad

    staff = factory.SubFactory(StaffFactory)
    school_class = factory.SubFactory(SchoolClassFactory)
    subject = factory.SubFactory(SubjectFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Пользователева"
    first_name = "Ольга"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, *, school: School | None = None, department: Department | None = None, **kwargs) -> User:
    """A user holding one role in a school or in the department."""
    user = UserFactory(**kwargs)
    add_role(user, role, school=school, department=department)
    return user


def add_role(user: User, role: str, *, school: School | None = None, department: Department | None = None) -> None:
    if school is None and department is None:
        raise ValueError("a role belongs to a school or a department")
    Membership.objects.create(user=user, role=role, school=school, department=department)
    user._memberships_cache = None


def catalogue_data(*, code: str = "VPR-2026", max_points: int = 2, scale: dict | None = None) -> dict:
    """A catalogue file's content (as load_catalogue reads it): one campaign with RU-4 of one task."""
    return {
        "campaign": {
            "code": code,
            "title": code.replace("VPR", "ВПР"),
            "window": ["2026-04-20", "2026-05-20"],
            "upload_deadline": "2026-05-25T23:59:00+05:00",
        },
        "assessments": [
            {
                "code": "RU-4",
                "subject": "Русский язык",
                "grade": 4,
                "level": "базовый",
                "form": "paper",
                "duration": 45,
                "tasks": [{"label": "1", "max": max_points, "level": "Б", "skill": "1.1"}],
                "scale": scale or {"3": 1, "4": 2, "5": 2},
            }
        ],
    }


__all__ = ["PASSWORD", "Role", "add_role", "catalogue_data", "user_with_role"]
