"""The demonstration municipality: a fictitious department, twelve schools, their pupils, staff and demo users.

Everything is generated from fixed seeds, so the same database is built on every run, and the build is
idempotent: each object is keyed by its code, username or name and created only when missing. Nothing is
overwritten, so edits made in the portal after seeding survive a second run. All names, addresses and
people are invented.
"""

import math
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from schools.models import (
    DeclaredRelative,
    Department,
    Membership,
    Pupil,
    Relation,
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
    search_key,
)
from schools.services import staff_account_link

DEMO_PASSWORD = "vpr-demo-2026"
SEED = "vpr-demo-2026"
CITY = "г. Демонстрационный"
HOME_TIME_ZONE = "Asia/Yekaterinburg"
GRADES = (4, 5, 6, 7, 8, 9, 10, 11)
# The grades that write ВПР in the demo catalogue, and how many finished campaigns the demo keeps: a school's
# register also holds the pupils who have left since (after its last grade), who wrote those campaigns.
WRITTEN_GRADES = (4, 5, 6, 7, 8, 10)
HISTORY_YEARS = 3
LETTERS = "АБВГДЕЖИК"

DEPARTMENT = {
    "code": "uo-demo",
    "name": "Управление образования Демонстрационного городского округа",
    "short_name": "УО Демонстрационного ГО",
    "municipality": "Демонстрационный городской округ",
    "time_zone": HOME_TIME_ZONE,
}


@dataclass(frozen=True)
class DemoSchool:
    code: str
    name: str
    short_name: str
    street: str
    letters: int  # classes per grade
    sizes: tuple[int, int]  # smallest and largest class
    grades: tuple[int, ...] = GRADES
    time_zone: str = HOME_TIME_ZONE

    @property
    def address(self) -> str:
        return f"{CITY}, {self.street}"

    @property
    def top_grade(self) -> int:
        return max(self.grades)

    @property
    def cohorts(self) -> tuple[int, ...]:
        """Every cohort the demo needs, by the grade it is in this academic year: the school's grades, then
        the cohorts that have left (a "grade" above the last one) but wrote one of the finished campaigns."""
        last_written = max(g for g in WRITTEN_GRADES if g <= self.top_grade)
        return (*self.grades, *range(self.top_grade + 1, last_written + HISTORY_YEARS + 1))

    def home_class(self, cohort: int, year: int) -> tuple[int, int]:
        """(academic year, grade) of the class the cohort's pupils are in at the end of the demo's history:
        this year's class, or for a cohort that has left the school its last grade, in the year it was."""
        if cohort <= self.top_grade:
            return year, cohort
        return year - (cohort - self.top_grade), self.top_grade


SCHOOLS = (
    DemoSchool("sch660001", "МАОУ «Средняя общеобразовательная школа №1»", "СОШ №1", "ул. Школьная, 1", 3, (26, 28)),
    DemoSchool("sch660002", "МАОУ «Гимназия №2»", "Гимназия №2", "пр. Просвещения, 12", 3, (24, 27)),
    DemoSchool("sch660003", "МАОУ «Лицей №3»", "Лицей №3", "ул. Учительская, 7", 2, (23, 27)),
    DemoSchool("sch660004", "МАОУ «Средняя общеобразовательная школа №4»", "СОШ №4", "ул. Тополиная, 15", 2, (22, 26)),
    DemoSchool(
        "sch660005",
        "МБОУ «Средняя общеобразовательная школа №5 с углублённым изучением отдельных предметов»",
        "СОШ №5",
        "ул. Кленовая, 3",
        2,
        (22, 26),
    ),
    DemoSchool("sch660006", "МАОУ «Средняя общеобразовательная школа №6»", "СОШ №6", "ул. Звёздная, 21", 2, (21, 25)),
    DemoSchool("sch660007", "МАОУ «Гимназия №7»", "Гимназия №7", "ул. Библиотечная, 9", 2, (22, 26)),
    DemoSchool("sch660008", "МБОУ «Средняя общеобразовательная школа №8»", "СОШ №8", "ул. Рябиновая, 4", 1, (22, 26)),
    DemoSchool("sch660009", "МБОУ «Средняя общеобразовательная школа №9»", "СОШ №9", "ул. Заречная, 30", 1, (21, 25)),
    DemoSchool("sch660010", "МАОУ «Лицей №10»", "Лицей №10", "бульвар Знаний, 2", 1, (20, 24)),
    # A basic (9-year) rural school: no 10th grade.
    DemoSchool(
        "sch660011",
        "МКОУ «Берёзовская ООШ»",
        "Берёзовская ООШ",
        "пос. Берёзовка, ул. Лесная, 5",
        1,
        (20, 21),
        grades=(4, 5, 6, 7, 8, 9),
    ),
    # One school keeps Moscow time, so that per-school deadlines and opening hours (R16) show in the demo.
    DemoSchool(
        "sch660012",
        "МАОУ «Средняя общеобразовательная школа №12»",
        "СОШ №12",
        "ул. Привокзальная, 11",
        1,
        (22, 26),
        time_zone="Europe/Moscow",
    ),
)

# Surnames in the masculine form; `surname_for` gives the feminine one.
SURNAMES = (
    "Иванов Петров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев "
    "Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев "
    "Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв "
    "Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков "
    "Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов "
    "Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев "
    "Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Быков Маслов "
    "Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов "
    "Журавлёв Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин "
    "Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов "
    "Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов "
    "Плотников Хохлов Жданов Островский Покровский Вишневский Шевченко Бондаренко Черных Седых"
).split()
BOYS = (
    "Александр Максим Артём Михаил Иван Дмитрий Даниил Кирилл Матвей Андрей Егор Никита Илья Алексей Тимофей "
    "Роман Марк Лев Владимир Сергей Ярослав Фёдор Георгий Степан Арсений Глеб Тимур Денис Павел Константин "
    "Богдан Захар Савелий Семён Евгений Вадим Николай Макар Платон Мирон"
).split()
GIRLS = (
    "Анастасия Мария Анна Виктория Полина Елизавета Дарья Софья Александра Ксения Алиса Варвара Вероника "
    "Екатерина Арина Валерия Ульяна Милана Ева Кира Василиса Алёна Маргарита Диана Юлия Таисия Злата Ангелина "
    "Карина Есения Яна Надежда Олеся Евгения Кристина Майя Стефания Елена Татьяна Ольга"
).split()
MEN = (
    "Сергей Андрей Александр Алексей Дмитрий Владимир Игорь Олег Николай Евгений Михаил Павел Виктор Юрий "
    "Константин Роман Денис Максим Артём Иван Вячеслав Геннадий Анатолий"
).split()
WOMEN = (
    "Ольга Елена Татьяна Наталья Ирина Светлана Марина Юлия Анна Екатерина Людмила Галина Надежда Оксана "
    "Любовь Валентина Лариса Нина Вера Евгения Анастасия Мария Алёна Ксения Инна Жанна Валерия"
).split()
# Masculine patronymics; the feminine form replaces the final «ич» with «на».
PATRONYMICS = (
    "Александрович Сергеевич Андреевич Дмитриевич Алексеевич Владимирович Евгеньевич Игоревич Олегович "
    "Николаевич Викторович Михайлович Юрьевич Иванович Павлович Денисович Романович Максимович Анатольевич "
    "Вячеславович Васильевич Константинович Валерьевич Геннадьевич Петрович Владиславович Артёмович "
    "Витальевич Борисович Григорьевич Эдуардович Аркадьевич Леонидович Степанович Фёдорович"
).split()


def surname_for(surname: str, sex: str) -> str:
    """The surname in the form for `sex`: Иванов/Иванова, Островский/Островская, Шевченко/Шевченко."""
    if sex == Sex.MALE:
        return surname
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname


def patronymic_for(patronymic: str, sex: str) -> str:
    return patronymic if sex == Sex.MALE else patronymic[:-2] + "на"


def random_name(rng: random.Random, sex: str, *, adult: bool = False) -> tuple[str, str, str]:
    """(surname, first name, patronymic) in the forms for `sex`; the surname in the masculine form."""
    if adult:
        first_names = MEN if sex == Sex.MALE else WOMEN
    else:
        first_names = BOYS if sex == Sex.MALE else GIRLS
    return rng.choice(SURNAMES), rng.choice(first_names), patronymic_for(rng.choice(PATRONYMICS), sex)


# Plans: what the database should hold, built without touching it -------------------------------------------


@dataclass
class PupilPlan:
    grade: int
    letter: str
    last_name: str
    first_name: str
    middle_name: str
    sex: str
    has_disability: bool = False
    family_education: bool = False

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def key(self) -> tuple[int, str, str, str, str]:
        return (self.grade, self.letter, self.last_name, self.first_name, self.middle_name)


def pupil_plans(rng: random.Random, class_sizes: dict[tuple[int, str], int]) -> list[PupilPlan]:
    """Pupils for each (grade, letter) with its size: names unique within a class, about half boys, about 3%
    with ОВЗ and one in a few hundred on family education."""
    pupils = []
    for (grade, letter), size in class_sizes.items():
        seen: set[tuple[str, str, str]] = set()
        while len(seen) < size:
            sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
            surname, first_name, middle_name = random_name(rng, sex)
            name = (surname_for(surname, sex), first_name, middle_name)
            if name in seen:
                continue
            seen.add(name)
            pupils.append(
                PupilPlan(
                    grade,
                    letter,
                    *name,
                    sex=sex,
                    has_disability=rng.random() < 0.03,
                    family_education=rng.random() < 0.004,
                )
            )
    return pupils


@dataclass
class StaffPlan:
    surname: str  # masculine form, to find the staff member's children among the pupils
    sex: str
    last_name: str
    first_name: str
    middle_name: str
    position: str
    is_administration: bool
    experience_years: int
    subjects: dict[str, int] = field(default_factory=dict)  # subject → experience in it
    loads: list[tuple[int, str, str, int]] = field(default_factory=list)  # grade, letter, subject, hours

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.last_name, self.first_name, self.middle_name)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in self.key if part)


@dataclass(frozen=True)
class SubjectGroup:
    """Subjects one teacher usually teaches together, the grades they are taught in and hours per week."""

    position: str
    hours: dict[str, dict[int, int]]  # subject → grade → hours
    classes_per_teacher: int


PRIMARY_HOURS = {Subject.PRIMARY: 0, "Русский язык": 5, "Математика": 4, "Окружающий мир": 2}
SUBJECT_GROUPS = (
    SubjectGroup(
        "учитель русского языка и литературы",
        {
            "Русский язык": {5: 5, 6: 6, 7: 4, 8: 3, 9: 3, 10: 2, 11: 2},
            "Литература": {5: 3, 6: 3, 7: 2, 8: 2, 9: 3, 10: 3, 11: 3},
        },
        5,
    ),
    SubjectGroup("учитель математики", {"Математика": {5: 5, 6: 5, 7: 6, 8: 6, 9: 6, 10: 6, 11: 6}}, 5),
    SubjectGroup(
        "учитель истории и обществознания",
        {
            "История": {5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2, 11: 2},
            "Обществознание": {6: 1, 7: 1, 8: 1, 9: 1, 10: 2, 11: 2},
        },
        8,
    ),
    SubjectGroup("учитель биологии", {"Биология": {5: 1, 6: 1, 7: 1, 8: 2, 9: 2, 10: 1, 11: 1}}, 14),
    SubjectGroup("учитель географии", {"География": {5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 1, 11: 1}}, 14),
    SubjectGroup("учитель физики", {"Физика": {7: 2, 8: 2, 9: 3, 10: 2, 11: 2}}, 10),
    SubjectGroup("учитель химии", {"Химия": {8: 2, 9: 2, 10: 1, 11: 1}}, 12),
    SubjectGroup(
        "учитель английского языка", {"Английский язык": {4: 2, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3, 10: 3, 11: 3}}, 7
    ),
    SubjectGroup("учитель информатики", {"Информатика": {7: 1, 8: 1, 9: 1, 10: 1, 11: 1}}, 14),
)
SUBJECTS = (Subject.PRIMARY, "Окружающий мир", *dict.fromkeys(s for g in SUBJECT_GROUPS for s in g.hours))


@dataclass
class SchoolPlan:
    school: DemoSchool
    class_sizes: dict[tuple[int, str], int]
    pupils: list[PupilPlan]
    staff: list[StaffPlan]
    relatives: list[tuple[tuple[str, str, str], tuple[int, str, str, str, str], str]]
    # Staff members who get a demo user: username → staff key.
    linked: dict[str, tuple[str, str, str]]

    @property
    def director(self) -> StaffPlan:
        return self.staff[0]


def _experience(rng: random.Random) -> int:
    # Most teachers are experienced; about one in seven has under 3 years (R3 excludes them as experts).
    return rng.randint(0, 2) if rng.random() < 0.15 else rng.randint(3, 35)


def staff_plans(rng: random.Random, school: DemoSchool, classes: list[tuple[int, str]]) -> list[StaffPlan]:
    """The school's staff: the director first, then deputies, primary teachers (one per 4th-grade class) and
    subject teachers sharing the classes of grades 5–10 (and English in 4th grade)."""
    staff: list[StaffPlan] = []
    taken: set[tuple[str, str, str]] = set()

    def person(position: str, *, administration: bool = False, subjects: dict[str, int], loads=(), extra=0):
        while True:
            sex = Sex.FEMALE if rng.random() < 0.8 else Sex.MALE
            surname, first_name, middle_name = random_name(rng, sex, adult=True)
            key = (surname_for(surname, sex), first_name, middle_name)
            if key not in taken:
                break
        taken.add(key)
        staff.append(
            StaffPlan(
                surname,
                sex,
                *key,
                position=position,
                is_administration=administration,
                experience_years=max(subjects.values(), default=0) + extra,
                subjects=subjects,
                loads=list(loads),
            )
        )

    person("директор", administration=True, subjects={"История": rng.randint(20, 35)}, extra=rng.randint(0, 5))
    person(
        "заместитель директора по учебно-воспитательной работе",
        administration=True,
        subjects={"Математика": rng.randint(12, 30)},
        extra=rng.randint(0, 3),
    )
    if school.letters >= 3:
        person(
            "заместитель директора по начальному общему образованию",
            administration=True,
            subjects={Subject.PRIMARY: rng.randint(12, 30)},
            extra=rng.randint(0, 3),
        )
    for grade, letter in classes:
        if grade == 4:
            loads = [(grade, letter, subject, hours) for subject, hours in PRIMARY_HOURS.items()]
            person(
                "учитель начальных классов",
                subjects={Subject.PRIMARY: _experience(rng)},
                loads=loads,
                extra=rng.randint(0, 3),
            )
    for group in SUBJECT_GROUPS:
        taught = [(g, letter) for g, letter in classes if any(g in grades for grades in group.hours.values())]
        if not taught:
            continue
        teachers = math.ceil(len(taught) / group.classes_per_teacher)
        per_teacher = math.ceil(len(taught) / teachers)
        for start in range(0, len(taught), per_teacher):
            years = _experience(rng)
            loads = [
                (g, letter, subject, hours[g])
                for g, letter in taught[start : start + per_teacher]
                for subject, hours in group.hours.items()
                if g in hours
            ]
            subjects = {subject: max(0, years - rng.randint(0, 2) * (i > 0)) for i, subject in enumerate(group.hours)}
            person(group.position, subjects=subjects, loads=loads, extra=rng.randint(0, 3))
    return staff


def plan_school(school: DemoSchool) -> SchoolPlan:
    """What one demo school holds; the same plan on every run."""
    rng = random.Random(f"{SEED}:{school.code}:pupils")
    class_sizes = {
        (grade, letter): rng.randint(*school.sizes) for grade in school.cohorts for letter in LETTERS[: school.letters]
    }
    pupils = pupil_plans(rng, class_sizes)
    staff_rng = random.Random(f"{SEED}:{school.code}:staff")
    staff = staff_plans(staff_rng, school, [(g, letter) for g, letter in class_sizes if g <= school.top_grade])

    linked: dict[str, tuple[str, str, str]] = {}
    teachers = [s for s in staff if not s.is_administration]
    if school.code == "sch660001":
        linked["director1"] = staff[0].key
        linked["coord1"] = staff[1].key
        # An organizer who teaches neither primary classes nor a subject written in 4th grade, and an expert
        # who may check Russian (≥ 3 years, R3): the roles they are given in the demo are then allowed.
        linked["organizer1"] = next(s.key for s in teachers if "История" in s.subjects)
        linked["expert1"] = next(s.key for s in teachers if s.subjects.get("Русский язык", 0) >= 3)
    elif school.code == "sch660002":
        linked["coord2"] = staff[1].key

    # A couple of teachers whose child studies at the school (R5): mothers, so that the child carries the
    # teacher's surname and any patronymic.
    relatives = []
    children: set[int] = set()
    candidates = [s for s in teachers if s.sex == Sex.FEMALE and s.key not in linked.values()]
    for teacher in staff_rng.sample(candidates, k=min(2, len(candidates))):
        for index in staff_rng.sample(range(len(pupils)), k=len(pupils)):
            pupil = pupils[index]
            if pupil.grade > school.top_grade:
                continue
            renamed = (pupil.grade, pupil.letter, surname_for(teacher.surname, pupil.sex), *pupil.key[3:])
            if index in children or (renamed != pupil.key and any(p.key == renamed for p in pupils)):
                continue
            pupil.last_name = renamed[2]
            children.add(index)
            relatives.append((teacher.key, pupil.key, Relation.PARENT))
            break
    return SchoolPlan(school, class_sizes, pupils, staff, relatives, linked)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    school_code: str | None  # None: the membership is in the department
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    position: str = ""


# Users not tied to a staff record carry their own names; the others take the name of their staff record.
USERS = (
    DemoUser(
        "uo",
        Role.DEPARTMENT_STAFF,
        None,
        "Соколова",
        "Ирина",
        "Викторовна",
        "главный специалист отдела общего образования",
    ),
    DemoUser(
        "mun",
        Role.MUNICIPAL_COORDINATOR,
        None,
        "Лебедев",
        "Андрей",
        "Николаевич",
        "ведущий специалист, муниципальный координатор ВПР",
    ),
    DemoUser(
        "uo_rep",
        Role.DEPARTMENT_REPRESENTATIVE,
        None,
        "Морозова",
        "Елена",
        "Сергеевна",
        "специалист отдела общего образования",
    ),
    DemoUser("observer", Role.OBSERVER, None, "Гусев", "Павел", "Андреевич", "общественный наблюдатель"),
    # More public observers of the registry (reports/demo/observation.py), named outside the pupils' surnames.
    DemoUser("observer2", Role.OBSERVER, None, "Вершинина", "Марина", "Игоревна", "общественный наблюдатель"),
    DemoUser("observer3", Role.OBSERVER, None, "Ладыгин", "Виктор", "Павлович", "общественный наблюдатель"),
    DemoUser("observer4", Role.OBSERVER, None, "Зимина", "Галина", "Сергеевна", "общественный наблюдатель"),
    DemoUser(
        "expert_mun",
        Role.EXPERT,
        None,
        "Орлова",
        "Наталья",
        "Юрьевна",
        "учитель русского языка, член муниципальной предметной комиссии",
    ),
    DemoUser("coord1", Role.SCHOOL_COORDINATOR, "sch660001"),
    DemoUser("director1", Role.DIRECTOR, "sch660001"),
    DemoUser("tech1", Role.TECHNICAL_SPECIALIST, "sch660001", "Ефимов", "Денис", "Олегович", "инженер-программист"),
    DemoUser("organizer1", Role.ORGANIZER, "sch660001"),
    DemoUser("expert1", Role.EXPERT, "sch660001"),
    DemoUser("coord2", Role.SCHOOL_COORDINATOR, "sch660002"),
)


# Building the database -----------------------------------------------------------------------------------------


def _create_missing(model, wanted: dict, existing_keys) -> int:
    """Bulk-creates the objects of `wanted` (key → unsaved instance) whose key is not among `existing_keys`.

    bulk_create skips `save()`: fields that `save()` derives (`search_text`) are filled by the caller."""
    existing_keys = set(existing_keys)
    missing = [obj for key, obj in wanted.items() if key not in existing_keys]
    model.objects.bulk_create(missing, batch_size=500)
    return len(missing)


@transaction.atomic
def seed_demo(*, stdout=None) -> dict[str, int]:
    """Builds (or completes) the demo municipality and returns how many of each object it holds, with
    `created` the number of objects this run added (0 on a second run). Progress goes to `stdout` if given."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    created = 0
    year = current_academic_year()
    plans = [plan_school(school) for school in SCHOOLS]

    department = Department.objects.filter(code=DEPARTMENT["code"]).first()
    if department is None:
        department = Department.objects.create(**DEPARTMENT)
        created += 1
    subjects = {}
    for name in SUBJECTS:
        subjects[name], was_created = Subject.objects.get_or_create(name=name)
        created += was_created

    created += _create_missing(
        School,
        {
            plan.school.code: School(
                department=department,
                code=plan.school.code,
                name=plan.school.name,
                short_name=plan.school.short_name,
                time_zone=plan.school.time_zone,
                address=plan.school.address,
                director_name=plan.director.full_name,
                email=f"{plan.school.code}@demo.invalid",
                search_text=search_key(plan.school.code, plan.school.short_name, plan.school.name),
            )
            for plan in plans
        },
        School.objects.filter(code__in=[s.code for s in SCHOOLS]).values_list("code", flat=True),
    )
    schools = {s.code: s for s in School.objects.filter(code__in=[s.code for s in SCHOOLS])}
    say(f"Школы: {len(schools)}")

    homes = {
        (schools[plan.school.code].pk, *plan.school.home_class(cohort, year), letter)
        for plan in plans
        for cohort, letter in plan.class_sizes
    }
    in_demo = SchoolClass.objects.filter(school__in=schools.values(), academic_year__gte=year - HISTORY_YEARS)
    created += _create_missing(
        SchoolClass,
        {
            key: SchoolClass(school_id=key[0], academic_year=key[1], grade=key[2], letter=key[3])
            for key in sorted(homes)
        },
        in_demo.values_list("school_id", "academic_year", "grade", "letter"),
    )
    classes = {(c.school_id, c.academic_year, c.grade, c.letter): c for c in in_demo}
    say(f"Классы: {sum(1 for key in classes if key[1] == year)}")

    def class_of(plan: SchoolPlan, cohort: int, letter: str) -> SchoolClass:
        """The class a cohort's pupils end in (`DemoSchool.home_class`)."""
        return classes[(schools[plan.school.code].pk, *plan.school.home_class(cohort, year), letter)]

    def pupil_key(plan: SchoolPlan, key: tuple) -> tuple:
        return (class_of(plan, key[0], key[1]).pk, *key[2:])

    pupils_in_demo = Pupil.objects.filter(school_class__in=classes.values())
    created += _create_missing(
        Pupil,
        {
            pupil_key(plan, pupil.key): Pupil(
                school=schools[plan.school.code],
                school_class=class_of(plan, pupil.grade, pupil.letter),
                last_name=pupil.last_name,
                first_name=pupil.first_name,
                middle_name=pupil.middle_name,
                sex=pupil.sex,
                has_disability=pupil.has_disability,
                family_education=pupil.family_education,
                is_active=pupil.grade <= plan.school.top_grade,
                search_text=search_key(pupil.last_name, pupil.first_name, pupil.middle_name),
            )
            for plan in plans
            for pupil in plan.pupils
        },
        pupils_in_demo.values_list("school_class_id", "last_name", "first_name", "middle_name"),
    )
    say(f"Обучающиеся: {pupils_in_demo.count()}")

    staff_in_demo = Staff.objects.filter(school__in=schools.values())
    created += _create_missing(
        Staff,
        {
            (schools[plan.school.code].pk, *person.key): Staff(
                school=schools[plan.school.code],
                last_name=person.last_name,
                first_name=person.first_name,
                middle_name=person.middle_name,
                position=person.position,
                is_administration=person.is_administration,
                experience_years=person.experience_years,
                search_text=search_key(person.last_name, person.first_name, person.middle_name, person.position),
            )
            for plan in plans
            for person in plan.staff
        },
        staff_in_demo.values_list("school_id", "last_name", "first_name", "middle_name"),
    )
    staff = {(s.school_id, s.last_name, s.first_name, s.middle_name): s for s in staff_in_demo}

    def staff_of(plan: SchoolPlan, key: tuple) -> Staff:
        return staff[(schools[plan.school.code].pk, *key)]

    created += _create_missing(
        StaffSubject,
        {
            (staff_of(plan, person.key).pk, subjects[name].pk): StaffSubject(
                staff=staff_of(plan, person.key), subject=subjects[name], experience_years=years
            )
            for plan in plans
            for person in plan.staff
            for name, years in person.subjects.items()
        },
        StaffSubject.objects.filter(staff__in=staff.values()).values_list("staff_id", "subject_id"),
    )
    created += _create_missing(
        TeachingLoad,
        {
            (staff_of(plan, person.key).pk, class_of(plan, grade, letter).pk, subjects[name].pk): TeachingLoad(
                staff=staff_of(plan, person.key),
                school_class=class_of(plan, grade, letter),
                subject=subjects[name],
                hours_per_week=hours,
            )
            for plan in plans
            for person in plan.staff
            for grade, letter, name, hours in person.loads
        },
        TeachingLoad.objects.filter(staff__in=staff.values()).values_list("staff_id", "school_class_id", "subject_id"),
    )
    say(f"Сотрудники: {len(staff)}")

    pupil_ids = {
        (class_id, last, first, middle): pk
        for pk, class_id, last, first, middle in pupils_in_demo.values_list(
            "pk", "school_class_id", "last_name", "first_name", "middle_name"
        )
    }
    created += _create_missing(
        DeclaredRelative,
        {
            (staff_of(plan, staff_key).pk, pupil_ids[pupil_key(plan, key)]): DeclaredRelative(
                staff=staff_of(plan, staff_key), pupil_id=pupil_ids[pupil_key(plan, key)], relation=relation
            )
            for plan in plans
            for staff_key, key, relation in plan.relatives
        },
        DeclaredRelative.objects.filter(staff__in=staff.values()).values_list("staff_id", "pupil_id"),
    )

    created += _seed_users(department=department, schools=schools, plans=plans, staff_of=staff_of)
    say(f"Пользователи: {len(USERS)}")

    return {
        "departments": 1,
        "schools": len(schools),
        "classes": sum(1 for key in classes if key[1] == year),
        "pupils": pupils_in_demo.count(),
        "staff": Staff.objects.filter(school__in=schools.values()).count(),
        "staff_subjects": StaffSubject.objects.filter(staff__in=staff.values()).count(),
        "teaching_loads": TeachingLoad.objects.filter(staff__in=staff.values()).count(),
        "relatives": DeclaredRelative.objects.filter(staff__in=staff.values()).count(),
        "users": User.objects.filter(username__in=[u.username for u in USERS]).count(),
        "memberships": Membership.objects.filter(user__username__in=[u.username for u in USERS]).count(),
        "created": created,
    }


def _seed_users(*, department: Department, schools: dict[str, School], plans: list[SchoolPlan], staff_of) -> int:
    created = 0
    plan_by_code = {plan.school.code: plan for plan in plans}
    # Hashing is deliberately slow (~0.5 s); the demo password is public, so one hash serves every new user.
    password_hash = None
    for demo in USERS:
        plan = plan_by_code.get(demo.school_code)
        staff_key = plan.linked.get(demo.username) if plan else None
        record = staff_of(plan, staff_key) if staff_key else None
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            source = record or demo
            user = User.objects.create(
                username=demo.username,
                password=password_hash,
                last_name=source.last_name,
                first_name=source.first_name,
                middle_name=source.middle_name,
                position=source.position,
                email=f"{demo.username}@demo.invalid",
            )
            created += 1
        school = schools[demo.school_code] if demo.school_code else None
        _membership, was_created = Membership.objects.get_or_create(
            user=user, role=demo.role, school=school, department=None if school else department
        )
        created += was_created
        if record is not None and record.user_id is None:
            record.user = user
            record.save(update_fields=["user"])
        if school is not None:  # every school account has its staff record (tech1's is made from his account)
            staff_account_link(user=user, school=school, actor=None)
    return created


def summary(counts: dict[str, int]) -> str:
    """The one-line report of `seed_demo`."""
    return (
        "Демонстрационный муниципалитет: школ {schools}, классов {classes}, обучающихся {pupils}, "
        "сотрудников {staff}, пользователей {users} (пароль {password}); создано записей: {created}."
    ).format(password=DEMO_PASSWORD, **counts)
