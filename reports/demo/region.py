"""Region scale for benchmarks (`seed_demo --scale region [--schools N]`): one fictitious department with N schools
(600 by default, about 373,000 pupils), the demo catalogue over four springs, and about five million task scores.

What it holds, by the academic year Y in force (spring Y + 1 is the coming campaign):

- schools `sch77NNNN` of one to four classes per grade 1–11 (a few small rural ones with classes under ten, so
  that the small-group rules have groups to hide), pupils with names drawn from the demo's lists of common
  names (fictitious people), about 3 % with ОВЗ (their parents' decision recorded), a few in family education;
- three finished (closed) campaigns: the two oldest springs with the fourth grade's Russian and mathematics only,
  the last spring with the whole catalogue (grades 4–8 and 10 of that year), every work scored;
- the coming spring's campaign, started, with its plan-graph's standard stages, its participants and their codes
  (a tenth of the schools have not issued them yet) and no results yet (what «Ход кампании» and the upload matrix
  list);
- a few planted patterns, one school per kind and per hundred schools (patterns.py's kinds): bunching at a
  boundary, inverted difficulty, a journal gap, high results in the last spring, and a stable share of «2» in
  mathematics of the fourth grade over the three springs;
- a department user `uo_region` (password as the demo's) to read it.

The data is written the way the bulk imports write it, without per-row saves: COPY on PostgreSQL (one statement
per table and chunk), executemany on SQLite, with the primary keys allocated here so that nothing is read back.
Abilities are drawn with numpy: a pupil keeps one ability over the years, a school a small offset of its own, a
task of `max` points is a binomial draw as in patterns.py. The summary rows are rebuilt at the end
(`_rebuild_summaries`). The whole build is one transaction and is keyed by the department's code: a second run
writes nothing.
"""

import datetime
import hashlib
import io
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from grading.models import Score, Work
from procedures.models import Assessment, Campaign, Participant, ParticipantCode
from procedures.selectors.participants import extra_minutes_for
from procedures.services.campaigns import campaign_set_status
from procedures.services.plan import stages_create_defaults
from schools.models import (
    Department,
    Membership,
    Pupil,
    Role,
    School,
    SchoolClass,
    Sex,
    User,
    current_academic_year,
    search_key,
)

from .campaigns import ASSESSMENTS, campaign_load, finished_springs, spring_of_current_year, vpr_catalogue
from .patterns import (
    ABSENT_SHARE,
    BUNCHING,
    HIGH,
    INVERTED,
    JOURNAL_GAP,
    JOURNAL_SHARE,
    LEVEL_EASE,
    SLOPE,
    STABLE_LOW,
    work_ease,
)
from .registry import BOYS, DEMO_PASSWORD, GIRLS, LETTERS, PATRONYMICS, SURNAMES, patronymic_for, surname_for

DEFAULT_SCHOOLS = 600
SEED = "vpr-region-2026"
DEPARTMENT = {
    "code": "uo-region",
    "name": "Управление образования Условной области (данные для замеров)",
    "short_name": "УО Условной области",
    "municipality": "Условная область",
    "time_zone": "Asia/Yekaterinburg",
}
USERNAME = "uo_region"
GRADES = tuple(range(1, 12))
# The two oldest springs wrote the fourth grade's Russian and mathematics only (stable_low and the trends
# have three years of these); the last spring and the coming one the whole catalogue.
HISTORY_CODES = ("RU-4", "MA-4")
# One school in a hundred carries each planted pattern: (kind, assessment, every spring or the last only).
PLANTED = (
    (BUNCHING, "RU-4", "last", 2),
    (INVERTED, "MA-5", "last", 6),
    (JOURNAL_GAP, "RU-5", "last", 8),
    (HIGH, "RU-6", "last", 3),
    (STABLE_LOW, "MA-4", "all", 11),
)
EXEMPT_SHARE = 0.01
EXEMPTION = ("болезнь", "справка медицинской организации")
PARENTS_DECISION = "заявление родителей об участии в ВПР с дополнительным временем"
CHUNK = 100_000


def campaign_code(spring: int) -> str:
    return f"R-VPR-{spring}"


@dataclass(frozen=True)
class RegionBuilt:
    counts: dict[str, int]
    created: bool
    line: str


# Writing rows in bulk --------------------------------------------------------------------------------------------


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
    return str(value)


class BulkWriter:
    """Inserts rows into a model's table: COPY … FROM STDIN on PostgreSQL, one prepared INSERT over every row
    (executemany) elsewhere. Rows are tuples in the order of `fields` (model field names)."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.rows_written: dict[str, int] = defaultdict(int)

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
            return (cursor.fetchone()[0] or 0) + 1

    def write(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        total = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                total += self._flush(table, columns, len(fields), batch)
                batch = []
        total += self._flush(table, columns, len(fields), batch)
        self.rows_written[model._meta.label] += total
        return total

    def _flush(self, table: str, columns: str, width: int, batch: list[tuple]) -> int:
        if not batch:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in batch)
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))
            else:
                placeholders = ", ".join(["%s"] * width)
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
        return len(batch)

    def finish(self, models: list) -> None:
        """Moves the sequences past the ids allocated here and refreshes the planner's statistics."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if self.postgres:
                for model in models:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _without_row_triggers() -> bool:
    """On PostgreSQL, skips the deferred foreign-key triggers for the rest of the transaction (the rows are
    consistent by construction, and checking millions at commit costs minutes); needs a superuser, as the bench's
    throwaway database has. Elsewhere, or without the right, the checks run as usual."""
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except DatabaseError:  # not a superuser: keep the checks
        return False


# Planning the register -----------------------------------------------------------------------------------------


@dataclass
class PupilRow:
    id: int
    school_id: int
    grade: int  # this academic year
    letter: str
    last_name: str
    first_name: str
    middle_name: str
    sex: str
    has_disability: bool
    family_education: bool
    ability: float


@dataclass
class SchoolRow:
    id: int
    number: int
    code: str
    letters: int
    sizes: tuple[int, int]
    offset: float
    pupils: list[PupilRow] = field(default_factory=list)


def school_code(number: int) -> str:
    return f"sch77{number:04d}"


def planted_at(number: int) -> dict[str, tuple[str, str]]:
    """assessment code → (kind, springs) planted in the school of this number (1-based)."""
    return {code: (kind, springs) for kind, code, springs, at in PLANTED if number % 100 == at % 100}


def _school_shape(rng: random.Random, number: int) -> tuple[int, tuple[int, int]]:
    if planted_at(number):
        return 2, (24, 29)  # a planted pattern needs a school of ordinary size
    draw = rng.random()
    if draw < 0.08:
        return 1, (5, 14)  # a small rural school: groups under 10 and under 5
    if draw < 0.25:
        return 1, (20, 28)
    if draw < 0.6:
        return 2, (22, 29)
    if draw < 0.88:
        return 3, (24, 30)
    return 4, (26, 31)


def _names(rng: random.Random, sex: str) -> tuple[str, str, str]:
    first = rng.choice(BOYS if sex == Sex.MALE else GIRLS)
    return surname_for(rng.choice(SURNAMES), sex), first, patronymic_for(rng.choice(PATRONYMICS), sex)


def plan_schools(n: int, *, first_school_id: int, first_pupil_id: int) -> list[SchoolRow]:
    """N schools with their pupils (this year's classes), the same on every run."""
    schools = []
    pupil_id = first_pupil_id
    for number in range(1, n + 1):
        rng = random.Random(f"{SEED}:school:{number}")
        letters, sizes = _school_shape(rng, number)
        school = SchoolRow(
            first_school_id + number - 1, number, school_code(number), letters, sizes, rng.uniform(-0.15, 0.15)
        )
        abilities = np.random.default_rng(int(hashlib.sha256(f"{SEED}:{number}".encode()).hexdigest()[:12], 16))
        for grade in GRADES:
            for letter in LETTERS[:letters]:
                seen: set[tuple[str, str, str]] = set()
                size = rng.randint(*sizes)
                while len(seen) < size:
                    sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
                    name = _names(rng, sex)
                    if name in seen:
                        continue
                    seen.add(name)
                    school.pupils.append(
                        PupilRow(
                            pupil_id,
                            school.id,
                            grade,
                            letter,
                            *name,
                            sex=sex,
                            has_disability=rng.random() < 0.03,
                            family_education=rng.random() < 0.004,
                            ability=float(abilities.normal()),
                        )
                    )
                    pupil_id += 1
        schools.append(school)
    return schools


# Results -------------------------------------------------------------------------------------------------------


def _rng(*parts) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha256(":".join(map(str, (SEED, *parts))).encode()).hexdigest()[:15], 16))


@dataclass
class Sheet:
    """Generated results of one assessment for its writing participants (arrays aligned with `participant_ids`)."""

    absent: np.ndarray
    variant: np.ndarray
    points: np.ndarray  # participants × tasks
    not_attempted: np.ndarray  # participants × tasks
    journal: np.ndarray  # 0: none


def mark_array(totals: np.ndarray, scale: dict) -> np.ndarray:
    marks = np.full(totals.shape, 2)
    for mark in (3, 4, 5):
        marks[totals >= int(scale[str(mark)])] = mark
    return marks


def generate_sheet(
    rng: np.random.Generator,
    *,
    abilities: np.ndarray,
    kinds: list[str | None],
    tasks: list[tuple[int, str]],
    scale: dict,
) -> Sheet:
    """The results of `len(abilities)` participants, `kinds` the pattern planted in each one's school (or None),
    as patterns.demo_result draws them one by one."""
    n = len(abilities)
    maxima = np.array([maximum for maximum, _level in tasks])
    levels = [level for _maximum, level in tasks]
    kinds_arr = np.array([k or "" for k in kinds], dtype=object)
    shift = np.where(kinds_arr == HIGH, 2.2, 0.0) + np.where(kinds_arr == STABLE_LOW, -1.6, 0.0)
    ability = abilities + shift
    ease = work_ease(tuple(tasks), (int(scale["3"]), int(scale["4"]), int(scale["5"])))
    logits = SLOPE * ability[:, None] + np.array([LEVEL_EASE.get(level, 0.0) for level in levels])[None, :] + ease
    inverted = (kinds_arr == INVERTED)[:, None]
    level_shift = np.array([-1.6 if level == "Б" else 1.8 for level in levels])[None, :]
    logits = logits + np.where(inverted, SLOPE * level_shift, 0.0)
    chance = 1.0 / (1.0 + np.exp(-logits))
    points = rng.binomial(np.broadcast_to(maxima, chance.shape), chance)
    for row in np.flatnonzero(kinds_arr == BUNCHING):
        total = int(points[row].sum())
        for boundary in (int(scale["4"]), int(scale["5"])):
            if boundary - 2 <= total < boundary:
                for index in reversed(range(len(tasks))):
                    room = min(int(maxima[index] - points[row, index]), boundary - int(points[row].sum()))
                    if room > 0:
                        points[row, index] += room
    not_attempted = (points == 0) & (rng.random(points.shape) < 0.3)
    absent = rng.random(n) < ABSENT_SHARE
    marks = mark_array(points.sum(axis=1), scale)
    journal = np.clip(marks + rng.choice([-1, 0, 0, 0, 0, 1], size=n), 2, 5)
    gap = (kinds_arr == JOURNAL_GAP) & (rng.random(n) < 0.25)
    journal = np.where(gap, np.where(marks <= 3, marks + 2, marks - 2), journal)
    journal = np.where(absent, rng.choice([3, 4, 4, 5], size=n), journal)
    journal = np.where(rng.random(n) < JOURNAL_SHARE, journal, 0)
    return Sheet(absent, rng.integers(1, 3, size=n), points, not_attempted, journal)


# The build -----------------------------------------------------------------------------------------------------


@dataclass
class CampaignPlan:
    spring: int
    codes: tuple[str, ...]  # assessments written
    status: str
    with_results: bool


def campaign_plans() -> list[CampaignPlan]:
    oldest, middle, last = finished_springs()
    everything = tuple(a["code"] for a in ASSESSMENTS)
    return [
        CampaignPlan(oldest, HISTORY_CODES, Campaign.Status.CLOSED, True),
        CampaignPlan(middle, HISTORY_CODES, Campaign.Status.CLOSED, True),
        CampaignPlan(last, everything, Campaign.Status.CLOSED, True),
        CampaignPlan(spring_of_current_year(), everything, Campaign.Status.ACTIVE, False),
    ]


def _region_catalogue(plan: CampaignPlan) -> dict:
    data = vpr_catalogue(plan.spring)
    data["campaign"] = {
        **data["campaign"],
        "code": campaign_code(plan.spring),
        "title": f"ВПР-{plan.spring} (регион)",
    }
    data["assessments"] = [a for a in ASSESSMENTS if a["code"] in plan.codes]
    return data


def _rebuild_summaries(campaigns: list[Campaign]) -> str:
    """The summary rows of the region's campaigns (grading.summaries, which the imports keep current), rebuilt
    set-based once the raw rows are written."""
    try:
        from grading import summaries
    except ImportError:
        return "сводные строки: модуля grading.summaries нет"
    rebuild = getattr(summaries, "summaries_rebuild", None) or getattr(summaries, "rebuild_summaries", None)
    if rebuild is None:
        return "сводные строки: в grading.summaries нет функции пересчёта"
    started = time.perf_counter()
    for campaign in campaigns:
        rebuild(campaign=campaign)
    return f"Сводные строки пересчитаны: {time.perf_counter() - started:.1f} с"


@dataclass
class Enrolment:
    """A campaign's participants and codes, school by school: every active pupil of a class that writes (not in
    family education), about 1 % exempted from a work; one code per pupil who writes, in blocks of a hundred per
    class in class order, pupils by name (the scheme of procedures.services.participants)."""

    campaign: Campaign
    by_grade: dict[int, list[Assessment]]
    next_id: int
    issued_at: datetime.datetime
    code_rows: list[tuple] = field(default_factory=list)
    participant_rows: list[list] = field(default_factory=list)
    # assessment id → [(participant id, school row, pupil row)] of those who write
    writers: dict[int, list[tuple[int, SchoolRow, PupilRow]]] = field(default_factory=lambda: defaultdict(list))

    def without_codes(self, school: SchoolRow) -> bool:
        """A tenth of the schools have not issued the coming campaign's codes yet («Ход кампании» shows them)."""
        return self.campaign.status == Campaign.Status.ACTIVE and school.number % 10 == 7

    def add_school(self, school: SchoolRow, *, classes: dict, back: int) -> None:
        exempt_rng = random.Random(f"{SEED}:{self.campaign.code}:{school.code}:exempt")
        by_class: dict[tuple[int, str], list[PupilRow]] = defaultdict(list)
        for pupil in school.pupils:
            if pupil.grade - back in self.by_grade and not pupil.family_education:
                by_class[(pupil.grade - back, pupil.letter)].append(pupil)
        for block, ((grade, letter), pupils) in enumerate(sorted(by_class.items()), start=100):
            class_id = classes[(school.id, self.campaign.academic_year, grade, letter)]
            number = block * 100
            for pupil in sorted(pupils, key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.id)):
                exempt = {a.pk for a in self.by_grade[grade] if exempt_rng.random() < EXEMPT_SHARE}
                code = ""
                if len(exempt) < len(self.by_grade[grade]) and not self.without_codes(school):
                    number += 1
                    code = f"{number:05d}"
                    self.code_rows.append(
                        (self.campaign.pk, school.id, pupil.id, code, f"{grade}{letter}", self.issued_at)
                    )
                for assessment in self.by_grade[grade]:
                    self._participant(
                        school, pupil, assessment, class_id, f"{grade}{letter}", code, exempt=assessment.pk in exempt
                    )

    def _participant(self, school, pupil, assessment, class_id, class_name, code, *, exempt: bool) -> None:
        self.participant_rows.append(
            [
                self.next_id,
                self.campaign.pk,
                assessment.pk,
                school.id,
                pupil.id,
                class_id,
                class_name,
                pupil.sex,
                "" if exempt else code,
                Participant.Status.EXEMPT if exempt else Participant.Status.WRITES,
                EXEMPTION[0] if exempt else "",
                EXEMPTION[1] if exempt else "",
                pupil.has_disability,
                PARENTS_DECISION if pupil.has_disability else "",
                extra_minutes_for(has_disability=pupil.has_disability),
                False,
                "",
                None,
                False,
            ]
        )
        if not exempt:
            self.writers[assessment.pk].append((self.next_id, school, pupil))
        self.next_id += 1


class RegionBuilder:
    def __init__(self, *, schools: int, say: Callable[[str], None]):
        self.n = schools
        self.say = say
        self.writer = BulkWriter()
        self.now = timezone.now()
        self.year = current_academic_year()

    def build(self) -> dict[str, int]:
        started = time.perf_counter()
        fast = _without_row_triggers()
        department = Department.objects.create(**DEPARTMENT)
        self._user(department)
        school_rows = plan_schools(
            self.n, first_school_id=self.writer.next_id(School), first_pupil_id=self.writer.next_id(Pupil)
        )
        self._register(department, school_rows)
        self.say(
            f"Реестр: {time.perf_counter() - started:.1f} с"
            + ("" if fast else " (внешние ключи проверяются при записи)")
        )
        campaigns = []
        for plan in campaign_plans():
            campaign = campaign_load(_region_catalogue(plan), department=department)
            if campaign.status == Campaign.Status.DRAFT:
                campaign_set_status(campaign=campaign, status=Campaign.Status.ACTIVE, actor=None)
            self._campaign(campaign, plan, school_rows)
            if plan.status == Campaign.Status.CLOSED:
                campaign_set_status(campaign=campaign, status=Campaign.Status.CLOSED, actor=None)
            else:
                stages_create_defaults(campaign=campaign, actor=None)
            campaigns.append((campaign, plan))
            self.say(f"{campaign.code}: {time.perf_counter() - started:.1f} с")
        self.writer.finish([School, SchoolClass, Pupil, Participant, ParticipantCode, Work, Score])
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
        self.say(_rebuild_summaries([campaign for campaign, _plan in campaigns]))
        self.say(f"Всего: {time.perf_counter() - started:.1f} с")
        return self.counts(department)

    def _user(self, department: Department) -> None:
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            user = User.objects.create(
                username=USERNAME,
                password=make_password(DEMO_PASSWORD),
                last_name="Замерова",
                first_name="Анна",
                middle_name="Сергеевна",
                position="специалист отдела общего образования (данные для замеров)",
                email=f"{USERNAME}@demo.invalid",
            )
        Membership.objects.get_or_create(user=user, role=Role.DEPARTMENT_STAFF, department=department, school=None)

    def _register(self, department: Department, schools: list[SchoolRow]) -> None:
        names = (
            "МАОУ «Средняя общеобразовательная школа №{n}»",
            "МБОУ «Средняя общеобразовательная школа №{n}»",
            "МАОУ «Гимназия №{n}»",
            "МАОУ «Лицей №{n}»",
            "МБОУ «Центр образования №{n}»",
        )
        rows = []
        for school in schools:
            name = names[school.number % len(names)].format(n=school.number)
            short = name.split("«")[1].rstrip("»").replace("Средняя общеобразовательная школа", "СОШ")
            rows.append(
                (
                    school.id,
                    department.pk,
                    school.code,
                    name,
                    short,
                    DEPARTMENT["time_zone"],
                    f"Условная область, населённый пункт №{school.number}",
                    "",
                    "",
                    f"{school.code}@demo.invalid",
                    search_key(school.code, short, name),
                )
            )
        self.writer.write(
            School,
            [
                "id",
                "department",
                "code",
                "name",
                "short_name",
                "time_zone",
                "address",
                "director_name",
                "phone",
                "email",
                "search_text",
            ],
            rows,
        )
        # Classes: this year's grades 1–11, and the classes the finished campaigns' cohorts were in.
        self.classes: dict[tuple[int, int, int, str], int] = {}
        class_id = self.writer.next_id(SchoolClass)
        class_rows = []
        years = [self.year - back for back in range(0, 4)]
        for school in schools:
            for year in years:
                for grade in GRADES:
                    if year != self.year and grade not in (4, 5, 6, 7, 8, 10):
                        continue
                    for letter in LETTERS[: school.letters]:
                        self.classes[(school.id, year, grade, letter)] = class_id
                        class_rows.append((class_id, school.id, year, grade, letter))
                        class_id += 1
        self.writer.write(SchoolClass, ["id", "school", "academic_year", "grade", "letter"], class_rows)
        now = self.now
        self.writer.write(
            Pupil,
            [
                "id",
                "school",
                "school_class",
                "last_name",
                "first_name",
                "middle_name",
                "sex",
                "has_disability",
                "family_education",
                "is_active",
                "search_text",
                "created_at",
                "updated_at",
            ],
            (
                (
                    p.id,
                    p.school_id,
                    self.classes[(p.school_id, self.year, p.grade, p.letter)],
                    p.last_name,
                    p.first_name,
                    p.middle_name,
                    p.sex,
                    p.has_disability,
                    p.family_education,
                    True,
                    search_key(p.last_name, p.first_name, p.middle_name),
                    now,
                    now,
                )
                for school in schools
                for p in school.pupils
            ),
        )
        self.say(f"Школы: {len(schools)}, обучающиеся: {sum(len(s.pupils) for s in schools)}")

    def _campaign(self, campaign: Campaign, plan: CampaignPlan, schools: list[SchoolRow]) -> None:
        assessments = {a.code: a for a in campaign.assessments.prefetch_related("tasks")}
        by_grade: dict[int, list[Assessment]] = defaultdict(list)
        for code in plan.codes:
            by_grade[assessments[code].grade].append(assessments[code])
        issued_at = (
            self.now
            if plan.status == Campaign.Status.ACTIVE
            else timezone.make_aware(
                datetime.datetime.combine(campaign.window_start - datetime.timedelta(days=5), datetime.time(10))
            )
        )
        enrolment = Enrolment(campaign, by_grade, self.writer.next_id(Participant), issued_at)
        for school in schools:
            enrolment.add_school(school, classes=self.classes, back=self.year - campaign.academic_year)
        code_rows, participant_rows, writers = enrolment.code_rows, enrolment.participant_rows, enrolment.writers
        self.writer.write(
            ParticipantCode, ["campaign", "school", "pupil", "code", "class_name", "issued_at"], code_rows
        )
        if plan.with_results:
            done = timezone.make_aware(datetime.datetime.combine(campaign.window_end, datetime.time(12)))
            first = participant_rows[0][0] if participant_rows else 0
            for code in plan.codes:
                assessment = assessments[code]
                for pid, variant, absent in self._results(campaign, assessment, writers[assessment.pk], plan, done):
                    participant_rows[pid - first][-2:] = [variant, absent]
        self.writer.write(
            Participant,
            [
                "id",
                "campaign",
                "assessment",
                "school",
                "pupil",
                "school_class",
                "class_name",
                "sex",
                "code",
                "status",
                "exemption_reason",
                "exemption_document",
                "has_disability",
                "parents_decision",
                "extra_minutes",
                "family_form",
                "family_agreement",
                "variant",
                "absent",
            ],
            participant_rows,
        )

    def _results(
        self, campaign: Campaign, assessment: Assessment, writers, plan: CampaignPlan, done
    ) -> list[tuple[int, int | None, bool]]:
        tasks = list(assessment.tasks.all())
        tasks.sort(key=lambda t: t.position)
        last = plan.spring == finished_springs()[-1]
        kinds = []
        for _pid, school, _pupil in writers:
            kind, springs = planted_at(school.number).get(assessment.code, (None, "all"))
            kinds.append(kind if kind and (springs == "all" or last) else None)
        abilities = np.array([pupil.ability + school.offset for _pid, school, pupil in writers])
        sheet = generate_sheet(
            _rng(campaign.code, assessment.code),
            abilities=abilities,
            kinds=kinds,
            tasks=[(t.max_points, t.difficulty) for t in tasks],
            scale=assessment.scale,
        )
        totals = sheet.points.sum(axis=1)
        marks = mark_array(totals, assessment.scale)
        work_id = self.writer.next_id(Work)
        work_rows, score_rows = [], []
        task_ids = [t.pk for t in tasks]
        for index, (pid, school, _pupil) in enumerate(writers):
            journal = int(sheet.journal[index]) or None
            if sheet.absent[index]:
                work_rows.append((work_id, pid, assessment.pk, school.id, journal, None, None, False, done, done))
            else:
                work_rows.append(
                    (
                        work_id,
                        pid,
                        assessment.pk,
                        school.id,
                        journal,
                        int(totals[index]),
                        int(marks[index]),
                        True,
                        done,
                        done,
                    )
                )
                for column, task_id in enumerate(task_ids):
                    x = bool(sheet.not_attempted[index, column])
                    score_rows.append((work_id, task_id, None if x else int(sheet.points[index, column]), x, 1, done))
            work_id += 1
        self.writer.write(
            Work,
            [
                "id",
                "participant",
                "assessment",
                "school",
                "journal_mark",
                "primary_score",
                "mark",
                "is_complete",
                "results_changed_at",
                "updated_at",
            ],
            work_rows,
        )
        self.writer.write(Score, ["work", "task", "value", "not_attempted", "version", "updated_at"], score_rows)
        # each participant's variant and absence, as the results form records them
        return [
            (pid, None if absent else int(variant), bool(absent))
            for (pid, _school, _pupil), absent, variant in zip(writers, sheet.absent, sheet.variant, strict=True)
        ]

    def counts(self, department: Department) -> dict[str, int]:
        schools = School.objects.filter(department=department)
        campaigns = Campaign.objects.filter(department=department)
        return {
            "schools": schools.count(),
            "pupils": Pupil.objects.filter(school__department=department).count(),
            "campaigns": campaigns.count(),
            "participants": Participant.objects.filter(campaign__in=campaigns).count(),
            "works": Work.objects.filter(assessment__campaign__in=campaigns).count(),
            "scores": Score.objects.filter(work__assessment__campaign__in=campaigns).count(),
        }


def summary(counts: dict[str, int], *, created: bool) -> str:
    text = (
        "Регион для замеров: школ {schools}, обучающихся {pupils}, кампаний {campaigns}, участий {participants}, "
        "работ {works}, баллов по заданиям {scores}."
    ).format(**counts)
    return text if created else text + " Уже был построен: ничего не записано."


def build_region(*, schools: int = DEFAULT_SCHOOLS, stdout=None) -> RegionBuilt:
    """Builds the region once (keyed by its department's code); a second run writes nothing."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    department = Department.objects.filter(code=DEPARTMENT["code"]).first()
    if department is not None:
        counts = RegionBuilder(schools=schools, say=say).counts(department)
        return RegionBuilt(counts, False, summary(counts, created=False))
    with transaction.atomic():
        counts = RegionBuilder(schools=schools, say=say).build()
    return RegionBuilt(counts, True, summary(counts, created=True))
