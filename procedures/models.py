"""Department level: campaigns, the assessment catalogue, class assignment, school schedules, the plan-graph
and regulation documents."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Department, Role, School, SchoolClass, Subject


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        ACTIVE = "active", _("идёт")
        CLOSED = "closed", _("завершена")

    class Kind(models.TextChoices):
        VPR = "vpr", _("ВПР")
        ENTRY = "entry", _("входной контроль")
        MIDTERM = "midterm", _("промежуточный контроль")
        FINAL = "final", _("итоговый контроль")
        STATGRAD = "statgrad", _("СтатГрад")
        NIKO = "niko", _("НИКО")
        REGIONAL = "regional", _("региональный мониторинг")
        TRAINING = "training", _("апробация (тренировочная ВПР)")

    # Kinds run by the federal procedure: results go to ФИС ОКО by the campaign's upload deadline.
    FEDERAL_KINDS = frozenset({Kind.VPR, Kind.NIKO, Kind.TRAINING})

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="campaigns")
    code = models.SlugField(_("код"), max_length=40, unique=True, allow_unicode=True)
    title = models.CharField(_("название"), max_length=200)
    kind = models.CharField(_("вид оценочной процедуры"), max_length=12, choices=Kind.choices, default=Kind.VPR)
    owner_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_campaigns",
        verbose_name=_("школа-организатор"),
        help_text=_("Для процедуры, которую проводит одна школа (входной, промежуточный, итоговый контроль)."),
    )
    window_start = models.DateField(_("начало периода проведения"))
    window_end = models.DateField(_("конец периода проведения"))
    upload_deadline = models.DateTimeField(
        _("срок загрузки результатов"),
        null=True,
        blank=True,
        help_text=_("Обязателен для ВПР, НИКО и апробации: срок загрузки в ФИС ОКО."),
    )
    criteria_open_time = models.TimeField(
        _("открытие критериев в день работы"),
        default=datetime.time(14, 0),
        help_text=_("Местное время школы (Регламент 6.6.3, 7.1)."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("срок хранения персональных данных, месяцев"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Протоколы с ФИО хранятся этот срок со дня проведения каждой работы (12 месяцев — до того же числа "
            "следующего года), затем удаляются (Регламент 4.3.12, 7.9)."
        ),
    )
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    experts_check_own_classes = models.BooleanField(
        _("эксперты могут проверять работы своих классов"),
        default=True,
        help_text=_("Если снять, работы класса не распределяются учителю, который в нём преподаёт."),
    )
    personal_data_purged_at = models.DateTimeField(
        _("персональные данные удалены"),
        null=True,
        blank=True,
        help_text=_("Когда по истечении срока хранения удалены ФИО и связь кода с обучающимся (Регламент 4.3.12)."),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("предыдущая кампания"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("кампания")
        verbose_name_plural = _("кампании")
        ordering = ["-window_start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="campaign_window_order"),
            models.CheckConstraint(
                condition=Q(upload_deadline__isnull=False) | ~Q(kind__in=["vpr", "niko", "training"]),
                name="campaign_federal_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_federal(self) -> bool:
        """Run by the federal procedure (ВПР, НИКО, апробация): the results go to ФИС ОКО."""
        return self.kind in self.FEDERAL_KINDS

    @property
    def academic_year(self) -> int:
        """The academic year the window falls in (spring 2026 → 2025/26, whose start year is 2025)."""
        start = self.window_start
        return start.year if start.month >= 9 else start.year - 1


def campaign_kind_problems(campaign: Campaign) -> dict[str, str]:
    """What the campaign's kind requires of its fields: a federal kind has an upload deadline and no owning
    school; an owning school belongs to the campaign's department."""
    problems: dict[str, str] = {}
    if campaign.is_federal and campaign.upload_deadline is None:
        problems["upload_deadline"] = _("Для ВПР, НИКО и апробации нужен срок загрузки результатов в ФИС ОКО.")
    if campaign.owner_school_id is not None:
        if campaign.is_federal:
            problems["owner_school"] = _("Федеральную процедуру проводит не одна школа: уберите школу-организатора.")
        elif campaign.department_id and campaign.owner_school.department_id != campaign.department_id:
            problems["owner_school"] = _("Школа-организатор должна относиться к управлению кампании.")
    return problems


def retention_months_from_days(days: int) -> int:
    """A retention period once given in days, in calendar months: 365 (or 366) days is a year, 12 months."""
    return 12 if days in (365, 366) else max(1, round(days / 30.4))


class Level(models.TextChoices):
    BASIC = "базовый", _("базовый")
    ADVANCED = "углублённый", _("углублённый")


class Form(models.TextChoices):
    PAPER = "paper", _("бумажная")
    COMPUTER = "computer", _("компьютерная")


class Difficulty(models.TextChoices):
    BASIC = "Б", _("базовый")
    RAISED = "П", _("повышенный")
    HIGH = "В", _("высокий")


class Assessment(models.Model):
    """One work of the catalogue: subject × grade × level × form, with its tasks and scale (data, never code)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    code = models.CharField(_("код"), max_length=40)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("предмет"))
    grade = models.PositiveSmallIntegerField(_("класс"), validators=[MinValueValidator(1), MaxValueValidator(11)])
    level = models.CharField(_("уровень"), max_length=12, choices=Level.choices, default=Level.BASIC)
    form = models.CharField(_("форма"), max_length=10, choices=Form.choices, default=Form.PAPER)
    duration = models.PositiveSmallIntegerField(_("продолжительность, минут"))
    # {"3": 10, "4": 16, "5": 21}: the lowest primary score of each mark
    scale = models.JSONField(_("шкала перевода"))

    class Meta:
        verbose_name = _("проверочная работа")
        verbose_name_plural = _("проверочные работы")
        ordering = ["grade", "subject__name", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="assessment_unique_code")]

    def __str__(self) -> str:
        return _("{subject}, {grade} кл.").format(subject=self.subject.name, grade=self.grade)

    @property
    def max_score(self) -> int:
        return sum(task.max_points for task in self.tasks.all())

    def mark_for(self, score: int) -> int:
        """The mark 2…5 of a primary score by this assessment's scale."""
        mark = 2
        for value in (3, 4, 5):
            if score >= int(self.scale[str(value)]):
                mark = value
        return mark


class Task(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("порядок"))
    label = models.CharField(_("номер"), max_length=12)
    max_points = models.PositiveSmallIntegerField(_("максимальный балл"), validators=[MinValueValidator(1)])
    difficulty = models.CharField(_("уровень сложности"), max_length=1, choices=Difficulty.choices)
    skill = models.CharField(_("проверяемое умение (кодификатор)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("задание")
        verbose_name_plural = _("задания")
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "label"], name="task_unique_label"),
            models.UniqueConstraint(fields=["assessment", "position"], name="task_unique_position"),
            models.CheckConstraint(condition=Q(max_points__gte=1), name="task_max_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def column_header(self) -> str:
        """The results-form column of this task (docs/commands.md): `1 (2б)`."""
        from .catalogue import task_column_header

        return task_column_header(self.label, self.max_points)


class ClassAssignment(models.Model):
    """Which classes write an assessment (Rosobrnadzor's distribution). Where a school has no rows for an
    assessment, every class of its grade writes it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="class_assignments")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="assignments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("назначение класса")
        verbose_name_plural = _("назначения классов")
        constraints = [models.UniqueConstraint(fields=["assessment", "school_class"], name="class_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.school_class} — {self.assessment}"


class SchoolSchedule(models.Model):
    """A school's schedule for a campaign, as a whole submitted to and decided by the department."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        SUBMITTED = "submitted", _("на согласовании")
        RETURNED = "returned", _("возвращён на доработку")
        APPROVED = "approved", _("согласован")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="schedules")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="schedules")
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("комментарий управления"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("график школы")
        verbose_name_plural = _("графики школ")
        constraints = [models.UniqueConstraint(fields=["campaign", "school"], name="schedule_unique")]

    def __str__(self) -> str:
        return f"{self.school} — {self.campaign}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ScheduleEntry(models.Model):
    """Date and lesson on which one class writes one assessment."""

    schedule = models.ForeignKey(SchoolSchedule, on_delete=models.CASCADE, related_name="entries")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="schedule_entries")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="schedule_entries")
    date = models.DateField(_("дата"))
    lesson = models.PositiveSmallIntegerField(_("урок"), validators=[MinValueValidator(1), MaxValueValidator(8)])
    # Warnings the school saw and confirmed (outside lessons 2–3, two works a day, a day off).
    confirmed_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("строка графика")
        verbose_name_plural = _("строки графика")
        ordering = ["date", "lesson", "school_class__grade", "school_class__letter"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "assessment", "school_class"], name="schedule_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.assessment}: {self.date:%d.%m.%Y}, {self.lesson}"


class Stage(models.Model):
    """A stage of the plan-graph: what must be done by when, and by whom."""

    class Kind(models.TextChoices):
        SCHEDULE_SUBMITTED = "schedule_submitted", _("график проведения направлен в управление")
        SCHEDULE_APPROVED = "schedule_approved", _("график проведения согласован")
        DOCUMENTS_READ = "documents_read", _("документы кампании прочитаны")
        ORDER_ISSUED = "order_issued", _("приказ о проведении издан")
        CODES_ISSUED = "codes_issued", _("коды участников выданы")
        ROOMS_SET = "rooms_set", _("аудитории и рассадка готовы")
        RESULTS_UPLOADED = "results_uploaded", _("форма сбора результатов загружена")
        OTHER = "other", _("иное (отмечается вручную)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("этап"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)
    deadline = models.DateTimeField(_("срок"))
    responsible_role = models.CharField(
        _("ответственный"), max_length=40, choices=Role.choices, default=Role.SCHOOL_COORDINATOR
    )

    class Meta:
        verbose_name = _("этап плана-графика")
        verbose_name_plural = _("этапы плана-графика")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def local_deadline(self, school: School) -> datetime.datetime:
        """The deadline in the school's own time zone (R16)."""
        return timezone.localtime(self.deadline, school.tzinfo)


class StageMark(models.Model):
    """A school's manual mark that an «иное» stage is done (the others derive their status from data)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="marks")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "school"], name="stage_mark_unique")]

    def __str__(self) -> str:
        return f"{self.stage} — {self.school}"


class Document(models.Model):
    """A department document (регламент, распоряжение, методические рекомендации) with versions."""

    class Kind(models.TextChoices):
        REGULATION = "regulation", _("регламент")
        ORDER = "order", _("распоряжение")
        GUIDELINES = "guidelines", _("методические рекомендации")
        OTHER = "other", _("иное")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="documents")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents")
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


def document_upload_path(instance: "DocumentVersion", filename: str) -> str:
    return f"documents/{instance.document_id}/v{instance.number}/{filename}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("версия"))
    file = models.FileField(_("файл"), upload_to=document_upload_path)
    note = models.CharField(_("что изменилось"), max_length=500, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("версия документа")
        verbose_name_plural = _("версии документов")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self) -> str:
        return _("{title}, версия {n}").format(title=self.document.title, n=self.number)


class DocumentAcknowledgement(models.Model):
    """A school confirmed it has read a version."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "school"], name="acknowledgement_unique")]

    def __str__(self) -> str:
        return f"{self.version} — {self.school}"


# School preparation and the day (Регламент 4.3, 6.1–6.5, 6.7) ------------------------------------------------


class Participant(models.Model):
    """A pupil writing one assessment. Names stay on the pupil; what leaves the school is the code."""

    class Status(models.TextChoices):
        WRITES = "writes", _("пишет")
        EXEMPT = "exempt", _("освобождён")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="participants")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="participants")
    # Cleared when the campaign's retention period ends (R12): the anonymous record stays.
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.SET_NULL, null=True, blank=True, related_name="participations"
    )
    school_class = models.ForeignKey(SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    class_name = models.CharField(_("класс"), max_length=4)
    sex = models.CharField(_("пол"), max_length=1)
    code = models.CharField(_("код участника"), max_length=5, blank=True, db_index=True)
    status = models.CharField(_("участие"), max_length=10, choices=Status.choices, default=Status.WRITES)
    exemption_reason = models.CharField(_("уважительная причина"), max_length=300, blank=True)
    exemption_document = models.CharField(_("подтверждающий документ"), max_length=300, blank=True)
    has_disability = models.BooleanField(_("ОВЗ / инвалидность"), default=False)
    parents_decision = models.CharField(_("решение родителей (ОВЗ)"), max_length=300, blank=True)
    extra_minutes = models.PositiveSmallIntegerField(_("дополнительное время, минут"), default=0)
    family_form = models.BooleanField(_("семейная форма"), default=False)
    family_agreement = models.CharField(_("согласование с управлением"), max_length=300, blank=True)
    variant = models.PositiveSmallIntegerField(_("вариант"), null=True, blank=True)
    absent = models.BooleanField(_("отсутствовал"), default=False)

    class Meta:
        verbose_name = _("участник")
        verbose_name_plural = _("участники")
        ordering = ["class_name", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "pupil"], name="participant_unique_pupil")]
        indexes = [models.Index(fields=["school", "assessment"], name="participant_school_assessment")]

    def __str__(self) -> str:
        return self.code or _("участник №{id}").format(id=self.pk)


class ParticipantCode(models.Model):
    """One five-digit code per pupil for the whole campaign, every assessment (R6)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(_("код"), max_length=5)
    class_name = models.CharField(_("класс"), max_length=4)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("код участника")
        verbose_name_plural = _("коды участников")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school", "code"], name="participant_code_unique"),
            models.UniqueConstraint(fields=["campaign", "pupil"], name="participant_code_one_per_pupil"),
        ]

    def __str__(self) -> str:
        return self.code


class Room(models.Model):
    """A school's room with its desks laid out in rows × columns (two seats a desk)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("аудитория"), max_length=60)
    rows = models.PositiveSmallIntegerField(_("рядов парт"), validators=[MinValueValidator(1)])
    columns = models.PositiveSmallIntegerField(_("мест в ряду"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("аудитория")
        verbose_name_plural = _("аудитории")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity(self) -> int:
        return self.rows * self.columns


class Sitting(models.Model):
    """One assessment written in a school at one date and lesson (from the approved schedule)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sittings")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sittings")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sittings")
    date = models.DateField(_("дата"))
    lesson = models.PositiveSmallIntegerField(_("урок"))
    starts_at = models.DateTimeField(_("начало"), null=True, blank=True)

    class Meta:
        verbose_name = _("проведение работы")
        verbose_name_plural = _("проведения работ")
        ordering = ["date", "lesson"]
        constraints = [
            models.UniqueConstraint(fields=["school", "assessment", "date", "lesson"], name="sitting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.date:%d.%m.%Y}, {self.lesson}"


class SittingRoom(models.Model):
    """A room used for a sitting; its lists reach the organizers once the coordinator releases them (R9)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="rooms")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sittings")
    released_at = models.DateTimeField(_("списки переданы организаторам"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("аудитория проведения")
        verbose_name_plural = _("аудитории проведения")
        constraints = [models.UniqueConstraint(fields=["sitting", "room"], name="sitting_room_unique")]

    def __str__(self) -> str:
        return f"{self.sitting}: {self.room}"


class Seat(models.Model):
    sitting_room = models.ForeignKey(SittingRoom, on_delete=models.CASCADE, related_name="seats")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="seat")
    row = models.PositiveSmallIntegerField(_("ряд"))
    column = models.PositiveSmallIntegerField(_("место"))

    class Meta:
        verbose_name = _("место")
        verbose_name_plural = _("места")
        ordering = ["row", "column"]
        constraints = [models.UniqueConstraint(fields=["sitting_room", "row", "column"], name="seat_unique_place")]

    def __str__(self) -> str:
        return f"{self.sitting_room.room}: {self.row}-{self.column}"


class Appointment(models.Model):
    """Who does what at a school in a campaign, as the order names them (Регламент 4.3.1)."""

    class Duty(models.TextChoices):
        COORDINATOR = "coordinator", _("школьный координатор")
        TECHNICAL = "technical", _("технический специалист")
        ORGANIZER = "organizer", _("организатор в аудитории")
        EXPERT = "expert", _("эксперт")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="appointments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("schools.Staff", on_delete=models.CASCADE, related_name="appointments")
    duty = models.CharField(_("обязанность"), max_length=20, choices=Duty.choices)
    sitting_room = models.ForeignKey(
        SittingRoom, on_delete=models.CASCADE, null=True, blank=True, related_name="organizers"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="experts")

    class Meta:
        verbose_name = _("назначение")
        verbose_name_plural = _("назначения")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "staff", "duty", "sitting_room", "assessment"], name="appointment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_duty_display()}"


def order_scan_path(instance: "SchoolOrder", filename: str) -> str:
    return f"orders/{instance.school_id}/{instance.campaign_id}/v{instance.version}/{filename}"


class SchoolOrder(models.Model):
    """The school's order on conducting the ВПР; a new version when the staffing changes.

    A version is submitted to the school's director, who approves it or returns it with a comment; a returned
    version is corrected and submitted again. Only an approved version is in force and gets its signed scan."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("на утверждении у директора")
        RETURNED = "returned", _("возвращён директором")
        APPROVED = "approved", _("утверждён")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="orders")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="orders")
    version = models.PositiveSmallIntegerField(_("версия"))
    number = models.CharField(_("номер"), max_length=40)
    date = models.DateField(_("дата"))
    # What the order says, frozen when it is issued (staffing and schedule as printed).
    content = models.JSONField(default=dict)
    signed_scan = models.FileField(_("скан подписанного приказа"), upload_to=order_scan_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    comment = models.TextField(_("комментарий директора"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("приказ о проведении ВПР")
        verbose_name_plural = _("приказы о проведении ВПР")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "school", "version"], name="order_unique_version")]

    def __str__(self) -> str:
        return _("Приказ №{number} от {date}").format(number=self.number, date=self.date.strftime("%d.%m.%Y"))

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class SchoolOrderStep(models.Model):
    """One step of a version's way to approval: submitted, approved or returned with a comment."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("отправлен на утверждение")
        APPROVED = "approved", _("утверждён")
        RETURNED = "returned", _("возвращён с комментарием")

    order = models.ForeignKey(SchoolOrder, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.TextField(_("комментарий"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("шаг утверждения приказа")
        verbose_name_plural = _("шаги утверждения приказа")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} — {self.get_action_display()}"


class RoomProtocol(models.Model):
    """The room protocol of the day, filled by the organizer; read-only once submitted."""

    sitting_room = models.OneToOneField(SittingRoom, on_delete=models.CASCADE, related_name="protocol")
    started_at = models.DateTimeField(_("фактическое начало"), null=True, blank=True)
    ends_at = models.DateTimeField(_("окончание"), null=True, blank=True)
    ends_at_extended = models.DateTimeField(_("окончание для участников с ОВЗ"), null=True, blank=True)
    materials_collected = models.BooleanField(_("материалы собраны"), default=False)
    handed_to_coordinator = models.BooleanField(_("материалы переданы координатору"), default=False)
    notes = models.TextField(_("примечания"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("протокол аудитории")
        verbose_name_plural = _("протоколы аудиторий")

    def __str__(self) -> str:
        return str(self.sitting_room)


class ProtocolIncident(models.Model):
    class Kind(models.TextChoices):
        LEFT_ROOM = "left_room", _("выходил из аудитории")
        PHONE = "phone", _("пользовался телефоном или иным средством связи")
        CHEATING = "cheating", _("списывание, подсказки")
        MATERIALS_DAMAGED = "materials_damaged", _("повреждение материалов")
        ILLNESS = "illness", _("плохое самочувствие, досрочное завершение")
        OTHER = "other", _("иное")

    protocol = models.ForeignKey(RoomProtocol, on_delete=models.CASCADE, related_name="incidents")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("что произошло"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("подробности"), max_length=500, blank=True)
    happened_at = models.DateTimeField(_("время"), default=timezone.now)

    class Meta:
        verbose_name = _("нарушение, происшествие")
        verbose_name_plural = _("нарушения, происшествия")
        ordering = ["happened_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CalendarDay(models.Model):
    """A day the Government's yearly decree makes different from the computed calendar (weekends and the
    holidays of ст. 112 ТК РФ, see `services.calendar`): a transferred day off, an extra holiday, or a
    Saturday or Sunday made a working day. The department enters them when the decree is published."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("праздничный день")
        DAY_OFF = "day_off", _("нерабочий день (перенос)")
        WORKING_DAY = "working_day", _("рабочий день (перенос)")

    date = models.DateField(_("дата"), unique=True)
    kind = models.CharField(_("что это за день"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=200, help_text=_("Например: перенесённый выходной за 3 января"))
    source = models.CharField(
        _("основание"), max_length=300, blank=True, help_text=_("Постановление Правительства РФ, его номер и дата")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("день производственного календаря")
        verbose_name_plural = _("дни производственного календаря")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} — {self.name}"
