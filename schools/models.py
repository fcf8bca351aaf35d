"""The registry: the department and its schools, people and their roles, classes, pupils, staff."""

import datetime
import re
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CLASS_NAME_RE = re.compile(r"^\s*(\d{1,2})\s*[-\s]?\s*([А-ЯЁа-яё])\s*$")


def current_academic_year(today: datetime.date | None = None) -> int:
    """The starting calendar year of the academic year in force (1 September to 31 August)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def search_key(*parts: str) -> str:
    """Text to search in, the same on SQLite and PostgreSQL: SQLite's LIKE folds only ASCII case, so
    names are stored folded (lower case, ё as е) next to the original."""
    return " ".join(part for part in parts if part).casefold().replace("ё", "е")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Неизвестный часовой пояс «{tz}».").format(tz=value))


class Department(models.Model):
    """A municipal education department (Управление образования): the top of one municipality."""

    code = models.SlugField(_("код"), max_length=32, unique=True)
    name = models.CharField(_("наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=120)
    municipality = models.CharField(_("муниципалитет"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )

    class Meta:
        verbose_name = _("управление образования")
        verbose_name_plural = _("управления образования")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class School(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="schools")
    code = models.CharField(_("код"), max_length=32, unique=True, help_text=_("Логин школы, например sch660001"))
    name = models.CharField(_("наименование"), max_length=400)
    short_name = models.CharField(_("краткое наименование"), max_length=150)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    address = models.CharField(_("адрес"), max_length=400, blank=True)
    director_name = models.CharField(_("руководитель"), max_length=200, blank=True)
    phone = models.CharField(_("телефон"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    search_text = models.CharField(max_length=700, blank=True, editable=False)

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.code, self.short_name, self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """R16: every time of the school — deadlines, the opening hour of grading, a sitting's start — is read
        and shown in the school's own time zone."""
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    DEPARTMENT_STAFF = "department_staff", _("Специалист УО")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Муниципальный координатор")
    DEPARTMENT_REPRESENTATIVE = "department_representative", _("Представитель УО")
    SCHOOL_COORDINATOR = "school_coordinator", _("Школьный координатор")
    TECHNICAL_SPECIALIST = "technical_specialist", _("Технический специалист")
    ORGANIZER = "organizer", _("Организатор в аудитории")
    EXPERT = "expert", _("Эксперт")
    OBSERVER = "observer", _("Общественный наблюдатель")
    DIRECTOR = "director", _("Руководитель ОО")


DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.DEPARTMENT_REPRESENTATIVE})
# Roles held in a school (an expert may also sit on a municipal commission, then the membership names the
# department instead).
SCHOOL_ROLES = frozenset(
    {Role.SCHOOL_COORDINATOR, Role.TECHNICAL_SPECIALIST, Role.ORGANIZER, Role.EXPERT, Role.DIRECTOR}
)
# School roles that may read pupils' names (R11): everyone else sees participant codes.
NAME_READING_ROLES = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.TECHNICAL_SPECIALIST})


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships, never from flags here."""

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    position = models.CharField(_("должность"), max_length=200, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    # Memberships are read once per request and cached on the instance.
    @property
    def active_memberships(self) -> list["Membership"]:
        cached = getattr(self, "_memberships_cache", None)
        if cached is None:
            if not self.is_authenticated or not self.pk:
                cached = []
            else:
                cached = list(
                    Membership.objects.filter(user=self, is_active=True).select_related("school", "department")
                )
            self._memberships_cache = cached
        return cached

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_department(self) -> bool:
        return self.has_role(Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)

    def school_ids_with_role(self, *roles: str) -> set[int]:
        return {m.school_id for m in self.active_memberships if m.school_id and m.role in roles}

    def department_ids_with_role(self, *roles: str) -> set[int]:
        return {m.department_id for m in self.active_memberships if m.department_id and m.role in roles}


class Membership(models.Model):
    """User × organisation × role. One person may hold several memberships."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("роль"), max_length=40, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships")
    is_active = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("роль пользователя")
        verbose_name_plural = _("роли пользователей")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(school__isnull=False, department__isnull=True) | Q(school__isnull=True, department__isnull=False)
                ),
                name="membership_one_organisation",
            ),
            models.UniqueConstraint(fields=["user", "role", "school"], name="membership_unique_school_role"),
            models.UniqueConstraint(fields=["user", "role", "department"], name="membership_unique_department_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.school or self.department}"

    def clean(self) -> None:
        if self.role in DEPARTMENT_ROLES and not self.department_id:
            raise ValidationError(_("Роль управления образования назначается в управлении, а не в школе."))
        if self.role in SCHOOL_ROLES - {Role.EXPERT} and not self.school_id:
            raise ValidationError(_("Эта роль назначается в школе."))


class Delegation(models.Model):
    """A capability a school's coordinator hands to another role of the school beyond what the role holds by
    itself (the technical specialist prints the protocols with pupils' names). Withdrawn by deleting it; the
    audit keeps who granted and withdrew it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="delegations")
    role = models.CharField(_("роль"), max_length=40, choices=Role.choices)
    capability = models.CharField(_("право"), max_length=40)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("переданное право")
        verbose_name_plural = _("переданные права")
        constraints = [
            models.UniqueConstraint(fields=["school", "role", "capability"], name="delegation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_role_display()} — {self.capability}"


class Subject(models.Model):
    """A school subject. «Начальные классы» stands for teaching in primary school (R3)."""

    PRIMARY = "Начальные классы"

    name = models.CharField(_("наименование"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    academic_year = models.PositiveSmallIntegerField(_("учебный год"), help_text=_("Год начала учебного года"))
    grade = models.PositiveSmallIntegerField(_("параллель"))
    letter = models.CharField(_("литера"), max_length=2)

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "grade", "letter"], name="class_unique"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class Sex(models.TextChoices):
    MALE = "М", _("мужской")
    FEMALE = "Ж", _("женский")


class Pupil(models.Model):
    """A pupil. Names are personal data: they are read only inside the pupil's school (R11)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="pupils")
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices)
    has_disability = models.BooleanField(_("ОВЗ / инвалидность"), default=False)
    family_education = models.BooleanField(_("семейная форма обучения"), default=False)
    is_active = models.BooleanField(_("обучается"), default=True)
    search_text = models.CharField(max_length=310, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("обучающийся")
        verbose_name_plural = _("обучающиеся")
        ordering = ["last_name", "first_name", "middle_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "last_name", "first_name", "middle_name"], name="pupil_unique_in_class"
            )
        ]
        indexes = [models.Index(fields=["school", "last_name"], name="pupil_school_surname")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.last_name, self.first_name, self.middle_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def anonymous_label(self) -> str:
        """What appears about a pupil wherever names may not (audit, department views)."""
        return _("Обучающийся №{id}").format(id=self.pk)


class Staff(models.Model):
    """A member of a school's staff: the pool for organizers, experts and the order."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff_records")
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    position = models.CharField(_("должность"), max_length=200)
    is_administration = models.BooleanField(_("администрация"), default=False)
    experience_years = models.PositiveSmallIntegerField(_("педагогический стаж, лет"), default=0)
    is_active = models.BooleanField(_("работает"), default=True)
    search_text = models.CharField(max_length=520, blank=True, editable=False)

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.last_name, self.first_name, self.middle_name, self.position)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.middle_name) if part)
        return f"{self.last_name} {initials}".strip()


class StaffSubject(models.Model):
    """A subject a staff member teaches, with their experience in it (R3)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="subject_experience")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    experience_years = models.PositiveSmallIntegerField(_("стаж по предмету, лет"), default=0)

    class Meta:
        verbose_name = _("предмет сотрудника")
        verbose_name_plural = _("предметы сотрудников")
        constraints = [models.UniqueConstraint(fields=["staff", "subject"], name="staff_subject_unique")]

    def __str__(self) -> str:
        return f"{self.subject}: {self.experience_years}"


class TeachingLoad(models.Model):
    """Who teaches which subject in which class (R1)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="teaching_loads")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="teaching_loads")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    hours_per_week = models.PositiveSmallIntegerField(_("часов в неделю"), default=0)

    class Meta:
        verbose_name = _("учебная нагрузка")
        verbose_name_plural = _("учебная нагрузка")
        constraints = [
            models.UniqueConstraint(fields=["staff", "school_class", "subject"], name="teaching_load_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class} — {self.subject}"


class Relation(models.TextChoices):
    PARENT = "parent", _("родитель")
    GRANDPARENT = "grandparent", _("бабушка / дедушка")
    SIBLING = "sibling", _("брат / сестра")
    GUARDIAN = "guardian", _("опекун")
    OTHER = "other", _("иной близкий родственник")


class DeclaredRelative(models.Model):
    """A staff member's declared close relative among the pupils (R5)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="relatives")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="relatives_on_staff")
    relation = models.CharField(_("степень родства"), max_length=20, choices=Relation.choices)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("родственник среди обучающихся")
        verbose_name_plural = _("родственники среди обучающихся")
        constraints = [models.UniqueConstraint(fields=["staff", "pupil"], name="relative_unique")]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_relation_display()}"


class AuditEntry(models.Model):
    """Who did what to which object, with before and after where data changed."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(_("действие"), max_length=80, db_index=True)
    school = models.ForeignKey(School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Entries that carry pupils' names (before/after of a pupil record) are shown only inside the school.
    has_personal_data = models.BooleanField(default=False)
    source = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал действий")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="audit_school_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class Notification(models.Model):
    """An in-app notice to one person, also sent by e-mail when they have an address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("текст"), max_length=500)
    url = models.CharField(_("ссылка"), max_length=300, blank=True)
    # What the notice is about, so that the same notice is never created twice (reminders run repeatedly).
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notification_unique_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
