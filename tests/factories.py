"""Factories for test data: fictitious schools, people and pupils, and the procedure's records built on them
(campaign, assessment with its tasks, participant, sitting in a room, work and score).

The procedure's factories are plain functions: sensible defaults (the ВПР-2026 campaign of April–May 2026, the
Russian language assessment of grade 4 with twelve tasks), keyword overrides for any field, and the links the
models need filled in from what is given (a participant's campaign, school and class from its assessment and
pupil; a work's assessment and school from its participant).
"""

import datetime
import zoneinfo
from collections.abc import Sequence

import factory

from grading.models import Score, Work
from procedures.models import Assessment, Campaign, Participant, Room, Sitting, SittingRoom, Task
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


# The procedure ------------------------------------------------------------------------------------------------

YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")

# Русский язык 4 кл. 2026: (label, max points, difficulty); max 24
RU4_TASKS = [
    ("1", 2, "Б"),
    ("2", 1, "Б"),
    ("3.1", 1, "Б"),
    ("3.2", 2, "П"),
    ("4", 3, "Б"),
    ("5", 2, "П"),
    ("6", 2, "Б"),
    ("7", 3, "Б"),
    ("8", 2, "П"),
    ("9", 2, "В"),
    ("10", 2, "В"),
    ("1К1", 2, "Б"),
]


def make_campaign(
    department: Department | None = None,
    *,
    code: str = "VPR-2026",
    status: str = Campaign.Status.ACTIVE,
    window_start: datetime.date = datetime.date(2026, 4, 20),
    window_end: datetime.date | None = None,
    **fields,
) -> Campaign:
    """An active ВПР campaign in the test department; the window runs a month from `window_start` and results
    are due five days after it ends, 23:59 in Yekaterinburg (pass `upload_deadline=None` for a kind without)."""
    window_end = window_end or window_start + datetime.timedelta(days=30)
    fields.setdefault("title", code.replace("VPR", "ВПР"))
    fields.setdefault(
        "upload_deadline",
        datetime.datetime.combine(window_end + datetime.timedelta(days=5), datetime.time(23, 59), YEKATERINBURG),
    )
    return Campaign.objects.create(
        department=department or DepartmentFactory(),
        code=code,
        status=status,
        window_start=window_start,
        window_end=window_end,
        **fields,
    )


def make_assessment(
    campaign: Campaign | None = None,
    *,
    code: str = "RU-4",
    subject: str | Subject = "Русский язык",
    grade: int = 4,
    tasks: Sequence[tuple] = RU4_TASKS,
    scale: dict | None = None,
    duration: int = 45,
    **fields,
) -> Assessment:
    """An assessment with its tasks, given as (label, max points[, difficulty]) in their order; by default
    Русский язык 4 кл. 2026: max 24, «3» from 10, «4» from 16, «5» from 21."""
    if isinstance(subject, str):
        subject = Subject.objects.get_or_create(name=subject)[0]
    assessment = Assessment.objects.create(
        campaign=campaign or make_campaign(),
        code=code,
        subject=subject,
        grade=grade,
        duration=duration,
        scale=scale or {"3": 10, "4": 16, "5": 21},
        **fields,
    )
    Task.objects.bulk_create(
        Task(
            assessment=assessment,
            position=position,
            label=task[0],
            max_points=task[1],
            difficulty=task[2] if len(task) > 2 else "Б",
            skill=f"{position}.1",
        )
        for position, task in enumerate(tasks, start=1)
    )
    return assessment


def make_participant(
    assessment: Assessment, pupil: Pupil | None = None, *, code: str = "10001", **fields
) -> Participant:
    """The pupil's participation in the assessment, with the class and sex copied as the refresh does. Without
    a pupil, an anonymous record (as after the retention period): pass `school` (else the pupil's school) and
    `class_name`, `sex` as needed."""
    if pupil is not None:
        fields.setdefault("school", pupil.school)
        fields.setdefault("school_class", pupil.school_class)
        fields.setdefault("class_name", pupil.school_class.name)
        fields.setdefault("sex", pupil.sex)
    else:
        fields.setdefault("class_name", "4А")
        fields.setdefault("sex", Sex.FEMALE)
    return Participant.objects.create(
        campaign=assessment.campaign, assessment=assessment, pupil=pupil, code=code, **fields
    )


def make_room(school: School, *, name: str = "Кабинет 12", rows: int = 3, columns: int = 4, **fields) -> Room:
    return Room.objects.create(school=school, name=name, rows=rows, columns=columns, **fields)


def make_sitting(
    assessment: Assessment,
    school: School,
    *,
    date: datetime.date | None = None,
    lesson: int = 2,
    **fields,
) -> Sitting:
    """The school's sitting of the assessment, on the first day of the campaign's window unless dated."""
    return Sitting.objects.create(
        campaign=assessment.campaign,
        school=school,
        assessment=assessment,
        date=date or assessment.campaign.window_start,
        lesson=lesson,
        **fields,
    )


def make_sitting_room(sitting: Sitting, room: Room | None = None, **fields) -> SittingRoom:
    """A room of the sitting (a new «Кабинет 12» of the sitting's school unless given)."""
    return SittingRoom.objects.create(sitting=sitting, room=room or make_room(sitting.school), **fields)


def make_work(participant: Participant, **fields) -> Work:
    """The participant's work, in the participant's assessment and school."""
    return Work.objects.create(
        participant=participant, assessment=participant.assessment, school=participant.school, **fields
    )


def make_score(work: Work, task: Task | None = None, *, value: int | None = 1, **fields) -> Score:
    """A score of the work's task (its first task unless given)."""
    task = task or work.assessment.tasks.order_by("position").first()
    return Score.objects.create(work=work, task=task, value=value, **fields)


__all__ = [
    "PASSWORD",
    "RU4_TASKS",
    "YEKATERINBURG",
    "Role",
    "add_role",
    "catalogue_data",
    "make_assessment",
    "make_campaign",
    "make_participant",
    "make_room",
    "make_score",
    "make_sitting",
    "make_sitting_room",
    "make_work",
    "user_with_role",
]
