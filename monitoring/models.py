"""Observation and on-site monitoring."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Relation

# The edition of the observer's instruction the portal shows (templates/monitoring/_observer_instruction.html):
# a changed text gets a new edition, which every observer confirms again.
OBSERVER_INSTRUCTION_VERSION = "2026-1"


class InstructionAcknowledgement(models.Model):
    """A person has read an instruction of their role (the public observer's instruction, Регламент,
    приложение 2) and confirmed it in the portal. A new version of the text is confirmed again."""

    class Instruction(models.TextChoices):
        OBSERVER = "observer", _("инструкция общественного наблюдателя")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    instruction = models.CharField(_("инструкция"), max_length=20, choices=Instruction.choices)
    version = models.CharField(_("редакция"), max_length=20)
    acknowledged_at = models.DateTimeField(_("ознакомлен"), auto_now_add=True)

    class Meta:
        verbose_name = _("ознакомление с инструкцией")
        verbose_name_plural = _("ознакомления с инструкциями")
        constraints = [
            models.UniqueConstraint(fields=["user", "instruction", "version"], name="instruction_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_instruction_display()} ({self.version})"


# Objectivity signals: the department's thresholds and the cases (разборы) -------------------------------------


class ThresholdVersion(models.Model):
    """A version of a department's thresholds of the objectivity signals (monitoring.signals.Thresholds): every
    field's value, who set them, when and why. The department's current thresholds are its latest version; with
    none, the defaults. `changes` keeps what the change did to the signals of the department's campaigns:
    {"appeared": [[school, campaign, assessment, kind], …], "vanished": […]}."""

    department = models.ForeignKey(
        "schools.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("управление образования")
    )
    number = models.PositiveIntegerField(_("номер версии"))
    values = models.JSONField(_("значения"))
    reason = models.CharField(_("причина изменения"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("изменено"), default=timezone.now)
    changes = models.JSONField(_("изменения признаков"), default=dict)
    # When the signals were re-evaluated under this version and its changes recorded (a background job); empty
    # while that is under way.
    applied_at = models.DateTimeField(_("признаки пересчитаны"), null=True, blank=True)

    class Meta:
        verbose_name = _("версия порогов признаков")
        verbose_name_plural = _("версии порогов признаков")
        ordering = ["department", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="threshold_version_unique_number"),
        ]

    def __str__(self) -> str:
        return _("Пороги признаков, версия {n}").format(n=self.number)


class SignalCase(models.Model):
    """The case (разбор) of one flagged signal: school × assessment × kind, once. Opened by the system when the
    signal is flagged; the department asks, the school answers, the department records its conclusion and the
    measures taken and closes it. Only people close a case: when the signal is no longer flagged the case stays
    as it is, with a note (`signal_present` false). The kind is a word (monitoring.signals.SIGNALS), not a
    choice, so that a new kind of signal opens cases without a change here."""

    class Status(models.TextChoices):
        OPEN = "open", _("открыт")
        ASKED = "asked", _("вопрос школе")
        ANSWERED = "answered", _("ответ школы")
        CLOSED = "closed", _("закрыт")

    class Conclusion(models.TextChoices):
        NOT_CONFIRMED = "not_confirmed", _("признак не подтвердился")
        CONFIRMED = "confirmed", _("признак подтвердился")

    campaign = models.ForeignKey("procedures.Campaign", on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey("procedures.Assessment", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("признак"), max_length=40)
    evidence_at_opening = models.JSONField(_("данные признака при открытии"))
    evidence = models.JSONField(_("данные признака при последней проверке"))
    signal_present = models.BooleanField(_("признак выявляется"), default=True)
    checked_at = models.DateTimeField(_("признаки проверены"), default=timezone.now)
    status = models.CharField(_("состояние"), max_length=10, choices=Status.choices, default=Status.OPEN)
    asked_at = models.DateTimeField(_("первый вопрос школе"), null=True, blank=True)
    conclusion = models.CharField(_("заключение"), max_length=20, choices=Conclusion.choices, blank=True)
    measures = models.TextField(_("принятые меры"), blank=True)
    opened_at = models.DateTimeField(_("открыт"), default=timezone.now)
    closed_at = models.DateTimeField(_("закрыт"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("разбор признака")
        verbose_name_plural = _("разборы признаков")
        constraints = [
            models.UniqueConstraint(fields=["school", "assessment", "kind"], name="signal_case_unique"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(conclusion=""), name="signal_case_closed_with_conclusion"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="signal_case_campaign_status")]

    def __str__(self) -> str:
        return f"{self.school.code} · {self.assessment.code} · {self.kind}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CaseMessage(models.Model):
    """One entry of a case, in order: the department's question, the school's answer, the conclusion, or the
    system's note (the signal is no longer flagged, or is flagged again). The author's role is kept as it was
    when they wrote; a note has no author."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("вопрос управления образования")
        ANSWER = "answer", _("ответ школы")
        CONCLUSION = "conclusion", _("заключение")
        NOTE = "note", _("отметка системы")

    case = models.ForeignKey(SignalCase, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(_("текст"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_role = models.CharField(_("роль автора"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("запись разбора")
        verbose_name_plural = _("записи разбора")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:50]}"


class SignalCheck(models.Model):
    """When the signals of an assessment were last checked for cases, and what its results were then (the
    number of works and the latest change of one), so that the periodic check only recomputes assessments whose
    results changed since, or whose department's thresholds did."""

    assessment = models.OneToOneField("procedures.Assessment", on_delete=models.CASCADE, related_name="+")
    works = models.PositiveIntegerField(default=0)
    results_changed_at = models.DateTimeField(null=True, blank=True)
    thresholds_version = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("проверка признаков")
        verbose_name_plural = _("проверки признаков")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.checked_at:%Y-%m-%d %H:%M}"


# Observation and on-site monitoring (Регламент 4.1.4, 4.1.6, 4.3.10, 6.3, 8.1; приложения 1–3) -----------------


class Person(models.Model):
    """The department's registry entry of a public observer or of its representative who visits schools with
    the monitoring card: the account (with the role), the identity document, the organisation that sent the
    person, contacts. Deactivated, never deleted: their acts and cards stay theirs."""

    class Kind(models.TextChoices):
        OBSERVER = "observer", _("общественный наблюдатель")
        REPRESENTATIVE = "representative", _("представитель управления образования")

    department = models.ForeignKey(
        "schools.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("управление образования")
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monitoring_person")
    kind = models.CharField(_("кто"), max_length=20, choices=Kind.choices)
    identity_document = models.CharField(_("документ, удостоверяющий личность"), max_length=120, blank=True)
    organisation = models.CharField(_("направившая организация"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    # Where the person works, if at a school of the municipality: they never observe there.
    workplace_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("место работы (школа муниципалитета)"),
    )
    is_active = models.BooleanField(_("действует"), default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("наблюдатель, представитель")
        verbose_name_plural = _("реестр наблюдателей и представителей")

    def __str__(self) -> str:
        return f"{self.user.full_name or self.user.username} ({self.get_kind_display()})"


class PersonRelative(models.Model):
    """A close relative the person declared among a school's pupils (R5): the school and, if known, the class.
    Only the school and class are kept, never the pupil's name (R11)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("школа"))
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("класс"),
    )
    relation = models.CharField(_("степень родства"), max_length=20, choices=Relation.choices)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("родственник среди обучающихся")
        verbose_name_plural = _("родственники среди обучающихся")

    def __str__(self) -> str:
        return f"{self.person} — {self.get_relation_display()}"


class Stage(models.TextChoices):
    """The stages a public observer may attend (Регламент, приложение 2, п. 1)."""

    CONDUCT = "conduct", _("проведение: рассадка, выдача материалов, инструктаж, выполнение работы")
    HANDOVER = "handover", _("передача материалов экспертной комиссии")
    MARKING = "marking", _("проверка работ экспертами")


class AssignmentLottery(models.Model):
    """A recorded draw of the sittings to observe among those of one day: the candidates, the seed and what was
    drawn, so that the department can show how it was done."""

    department = models.ForeignKey("schools.Department", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("день проведения"))
    stage = models.CharField(_("этап"), max_length=20, choices=Stage.choices, default=Stage.CONDUCT)
    seed = models.CharField(_("зерно жребия"), max_length=64)
    count = models.PositiveSmallIntegerField(_("сколько выбрать"))
    candidates = models.JSONField(_("участвовали в жеребьёвке"), default=list)  # sitting ids, in the draw's order
    drawn = models.JSONField(_("выбраны"), default=list)  # sitting ids
    note = models.CharField(_("примечание"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("жеребьёвка")
        verbose_name_plural = _("жеребьёвки")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {len(self.drawn)} из {len(self.candidates)}"


class ObservationAssignment(models.Model):
    """A person of the registry sent to a school × sitting × stage, by hand or by a lottery; the school's
    coordinator places an observer in a room. Cancelled, never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments")
    sitting = models.ForeignKey("procedures.Sitting", on_delete=models.PROTECT, related_name="observations")
    stage = models.CharField(_("этап"), max_length=20, choices=Stage.choices, default=Stage.CONDUCT)
    sitting_room = models.ForeignKey(
        "procedures.SittingRoom",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("аудитория"),
    )
    placed_at = models.DateTimeField(null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lottery = models.ForeignKey(
        AssignmentLottery, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("причина отмены"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("направление на наблюдение")
        verbose_name_plural = _("направления на наблюдение")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "sitting", "stage"],
                condition=Q(cancelled_at__isnull=True),
                name="observation_assignment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.sitting} ({self.get_stage_display()})"


class VisitReport(models.Model):
    """What a person files about their assignment: the public observer's act (приложение 3) or the
    representative's monitoring card (приложение 1). Answers are saved as they are typed (`revision` counts the
    saves); submitting signs it and makes it read-only; a correction is a new version with its reason.

    `answers` maps an item's code (monitoring.items) to {"value": "yes" | "no" | "", "text": "…"}; `facts` keeps,
    for a card, what the portal knew of each item when it was submitted."""

    class Kind(models.TextChoices):
        ACT = "act", _("акт общественного наблюдения")
        CARD = "card", _("карта мониторинга")

    class Status(models.TextChoices):
        DRAFT = "draft", _("заполняется")
        SUBMITTED = "submitted", _("подписан")

    assignment = models.ForeignKey(ObservationAssignment, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("документ"), max_length=10, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("версия"), default=1)
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(_("ответы"), default=dict)
    comment = models.TextField(_("комментарий"), blank=True)
    started_at = models.TimeField(_("время начала"), null=True, blank=True)
    ended_at = models.TimeField(_("время окончания"), null=True, blank=True)
    facts = models.JSONField(_("сведения портала"), default=dict)
    revision = models.PositiveIntegerField(default=0)
    correction_reason = models.TextField(_("причина исправления"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("акт, карта мониторинга")
        verbose_name_plural = _("акты и карты мониторинга")
        ordering = ["assignment", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "version"], name="visit_report_version_unique"),
            models.UniqueConstraint(fields=["assignment"], condition=Q(status="draft"), name="visit_report_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.assignment}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class VideoRecord(models.Model):
    """The school's record that a sitting's rooms were under video surveillance (Регламент 4.3.10, 8.1), that the
    printing of the materials was too, and where the recording is kept until when."""

    sitting = models.OneToOneField("procedures.Sitting", on_delete=models.CASCADE, related_name="video_record")
    rooms = models.ManyToManyField("procedures.SittingRoom", blank=True, related_name="+", verbose_name=_("аудитории"))
    printing_recorded = models.BooleanField(_("распечатка материалов под видеонаблюдением"), default=False)
    storage_place = models.CharField(_("где хранится запись"), max_length=300, blank=True)
    kept_until = models.DateField(_("хранится до"), null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("видеонаблюдение")
        verbose_name_plural = _("видеонаблюдение")

    def __str__(self) -> str:
        return str(self.sitting)


class Violation(models.Model):
    """A violation of the procedure: every «нет» of a monitoring card, every violation an observer's act reports,
    or one the department records itself. The school answers; the department closes it. It joins the objectivity
    case of its school × assessment."""

    class Kind(models.TextChoices):
        PREPARATION = "preparation", _("нарушение при подготовке")
        ORDER = "order", _("нет приказа о проведении")
        ROOMS = "rooms", _("аудитории не готовы")
        ORGANIZERS = "organizers", _("нет назначенных организаторов")
        VIDEO = "video", _("нет видеонаблюдения")
        OUTSIDERS = "outsiders", _("посторонние лица в аудитории")
        MATERIALS = "materials", _("нарушен порядок выдачи, сбора или передачи материалов")
        SEATING = "seating", _("не соблюдена рассадка")
        BRIEFING = "briefing", _("не проведён инструктаж")
        REFERENCE = "reference", _("справочные материалы, не предусмотренные КИМ")
        DEVICES = "devices", _("средства связи у организаторов или участников")
        ORGANIZER_LEFT = "organizer_left", _("организатор покидал аудиторию, занимался посторонними делами")
        ORGANIZER_HELPED = "organizer_helped", _("организатор оказывал содействие участникам")
        OVERTIME = "overtime", _("работу продолжали после окончания времени")
        STORAGE = "storage", _("не обеспечено хранение работ до проверки")
        OTHER = "other", _("иное нарушение")

    class Source(models.TextChoices):
        ACT = "act", _("акт общественного наблюдателя")
        CARD = "card", _("карта мониторинга")
        DEPARTMENT = "department", _("запись управления образования")

    class Status(models.TextChoices):
        OPEN = "open", _("ждёт ответа школы")
        ANSWERED = "answered", _("школа ответила")
        CLOSED = "closed", _("закрыто")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    sitting = models.ForeignKey("procedures.Sitting", on_delete=models.PROTECT, related_name="violations")
    sitting_room = models.ForeignKey(
        "procedures.SittingRoom", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("нарушение"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("подробности"), blank=True)
    source = models.CharField(_("источник"), max_length=12, choices=Source.choices)
    report = models.ForeignKey(VisitReport, on_delete=models.PROTECT, null=True, blank=True, related_name="violations")
    item = models.CharField(_("пункт"), max_length=10, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("ответ школы"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField(_("решение управления образования"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("нарушение процедуры")
        verbose_name_plural = _("нарушения процедуры")
        ordering = ["-reported_at", "-id"]
        constraints = [
            # a submitted act or card gives each of its items at most one violation (re-submitting adds none)
            models.UniqueConstraint(
                fields=["report", "item"], condition=Q(report__isnull=False), name="violation_once_per_item"
            ),
        ]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["sitting", "kind"])]

    def __str__(self) -> str:
        return f"{self.school.code}: {self.get_kind_display()}"


# Re-check (перепроверка, Регламент VIII) ---------------------------------------------------------------------


class Recheck(models.Model):
    """The municipal re-check of one campaign's works (Регламент VIII): its selections, its commission (approved
    by the department, Регламент 8.5) and its settings. The original results (sent to ФИС ОКО) are never changed:
    the commission's scores are a separate set with their own history."""

    department = models.ForeignKey("schools.Department", on_delete=models.PROTECT, related_name="+")
    campaign = models.OneToOneField("procedures.Campaign", on_delete=models.PROTECT, related_name="recheck")
    # A task whose re-check differs from the original by this many points or more sends the work to a third
    # expert (as do totals giving different marks).
    adjudication_points = models.PositiveSmallIntegerField(_("расхождение по заданию для третьего эксперта"), default=2)
    working_days = models.PositiveSmallIntegerField(_("срок перепроверки, рабочих дней"), default=5)
    commission_approved_at = models.DateTimeField(_("состав комиссии утверждён"), null=True, blank=True)
    commission_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commission_order = models.CharField(_("приказ о составе комиссии"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("перепроверка")
        verbose_name_plural = _("перепроверки")

    def __str__(self) -> str:
        return _("Перепроверка: {campaign}").format(campaign=self.campaign)


class RecheckLottery(models.Model):
    """A recorded draw of the school × assessment pairs to re-check: a random share plus a risk-weighted share.
    `candidates` [[school id, assessment id, weight], …] in the draw's order, `drawn` [[school id, assessment id,
    "random" | "risk"], …]; the seed repeats it."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="lotteries")
    seed = models.CharField(_("зерно жребия"), max_length=64)
    random_count = models.PositiveSmallIntegerField(_("случайно"), default=0)
    risk_count = models.PositiveSmallIntegerField(_("с учётом риска"), default=0)
    candidates = models.JSONField(default=list)
    drawn = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("жеребьёвка перепроверки")
        verbose_name_plural = _("жеребьёвки перепроверки")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recheck}: {len(self.drawn)}"


class RecheckSelection(models.Model):
    """A school × assessment selected for re-check, with why; the school is told what to send and by when; the
    department's confirmation of receipt starts the clock (R13: `due_on` is that many working days later)."""

    class Reason(models.TextChoices):
        ROSOBRNADZOR = "rosobrnadzor", _("список Рособрнадзора")
        SIGNAL = "signal", _("признак необъективности")
        MANUAL = "manual", _("решение управления образования")
        LOTTERY = "lottery", _("жеребьёвка")
        FILE = "file", _("файл комиссии")

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="selections")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey("procedures.Assessment", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("основание"), max_length=20, choices=Reason.choices)
    reason_text = models.CharField(_("пояснение"), max_length=1000, blank=True)
    case = models.ForeignKey(SignalCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lottery = models.ForeignKey(RecheckLottery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    selected_at = models.DateTimeField(default=timezone.now)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scans_due_on = models.DateField(_("сканы прислать до"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    scans_sent_at = models.DateTimeField(_("школа отправила сканы"), null=True, blank=True)
    received_at = models.DateTimeField(_("получение подтверждено"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("перепроверить до"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("перепроверка завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("работа, отобранная на перепроверку")
        verbose_name_plural = _("отбор на перепроверку")
        constraints = [
            models.UniqueConstraint(fields=["recheck", "school", "assessment"], name="recheck_selection_once"),
        ]

    def __str__(self) -> str:
        return f"{self.school.code} · {self.assessment.code}"


def recheck_scan_path(instance: "RecheckScan", filename: str) -> str:
    return f"recheck/{instance.selection.recheck_id}/{instance.selection_id}/{filename}"


class RecheckScan(models.Model):
    """A scan the school uploads for a selection: a participant's work (by its code, never a name) or the
    criteria of a variant."""

    class Kind(models.TextChoices):
        WORK = "work", _("скан работы")
        CRITERIA = "criteria", _("критерии оценивания варианта")

    selection = models.ForeignKey(RecheckSelection, on_delete=models.CASCADE, related_name="scans")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    work = models.ForeignKey("grading.Work", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    variant = models.PositiveSmallIntegerField(_("вариант"), null=True, blank=True)
    file = models.FileField(upload_to=recheck_scan_path)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("скан для перепроверки")
        verbose_name_plural = _("сканы для перепроверки")
        ordering = ["kind", "variant", "id"]

    def __str__(self) -> str:
        return f"{self.selection}: {self.get_kind_display()}"


class CommissionMember(models.Model):
    """An expert of the municipal re-check commission (from a school's staff; R3 qualification, R4 never their own
    school's works nor a work they checked, R5 relatives)."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey("schools.Staff", on_delete=models.PROTECT, related_name="+")
    is_chair = models.BooleanField(_("председатель"), default=False)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("член комиссии перепроверки")
        verbose_name_plural = _("комиссия перепроверки")
        constraints = [models.UniqueConstraint(fields=["recheck", "staff"], name="commission_member_once")]

    def __str__(self) -> str:
        return str(self.staff)


class RecheckWork(models.Model):
    """One original work re-checked: who of the commission scores it (blind), whether the divergence sends it to
    a third expert, and the commission's final result. `original_*` freeze the original result when it is
    distributed."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("распределена")
        SCORED = "scored", _("перепроверена")
        ADJUDICATION = "adjudication", _("у третьего эксперта")
        FINAL = "final", _("итог установлен")

    selection = models.ForeignKey(RecheckSelection, on_delete=models.CASCADE, related_name="works")
    work = models.OneToOneField("grading.Work", on_delete=models.PROTECT, related_name="recheck")
    # None: the result came in the commission's file (import_recheck), not from one expert's grid
    expert = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, null=True, blank=True, related_name="works")
    third_expert = models.ForeignKey(
        CommissionMember, on_delete=models.PROTECT, null=True, blank=True, related_name="adjudicated_works"
    )
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    original_primary_score = models.PositiveSmallIntegerField(null=True, blank=True)
    original_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    recheck_primary_score = models.PositiveSmallIntegerField(null=True, blank=True)
    recheck_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    final_primary_score = models.PositiveSmallIntegerField(null=True, blank=True)
    final_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("решение третьего эксперта"), blank=True)

    class Meta:
        verbose_name = _("перепроверяемая работа")
        verbose_name_plural = _("перепроверяемые работы")

    def __str__(self) -> str:
        return f"{self.selection}: {self.work_id}"


class RecheckScore(models.Model):
    """A task's points in the re-check: the commission expert's (`round` first) or the third expert's (third),
    kept apart from the original scores."""

    class Round(models.TextChoices):
        FIRST = "first", _("перепроверка")
        THIRD = "third", _("третий эксперт")

    recheck_work = models.ForeignKey(RecheckWork, on_delete=models.CASCADE, related_name="scores")
    round = models.CharField(max_length=10, choices=Round.choices)
    task = models.ForeignKey("procedures.Task", on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    not_attempted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("балл перепроверки")
        verbose_name_plural = _("баллы перепроверки")
        constraints = [
            models.UniqueConstraint(fields=["recheck_work", "round", "task"], name="recheck_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.recheck_work_id} {self.round} {self.task_id}: {self.value}"


class RecheckScoreChange(models.Model):
    """The history of the re-check's scores: every change, who, when, from where (grid or the commission's file)."""

    class Source(models.TextChoices):
        GRID = "grid", _("таблица баллов")
        FILE = "file", _("файл комиссии")

    recheck_work = models.ForeignKey(RecheckWork, on_delete=models.CASCADE, related_name="changes")
    round = models.CharField(max_length=10, choices=RecheckScore.Round.choices)
    task = models.ForeignKey("procedures.Task", on_delete=models.PROTECT, related_name="+")
    old = models.CharField(max_length=10, blank=True)
    new = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("изменение балла перепроверки")
        verbose_name_plural = _("история баллов перепроверки")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.recheck_work_id} {self.round} {self.task_id}: {self.old} → {self.new}"


# Management decisions (управленческие решения, Регламент 3.2, 4.1.9) -----------------------------------------


class ManagementDecision(models.Model):
    """A management decision taken on a campaign's results: what was decided, on what basis (a signal's case, a
    weak skill, a violation, a re-check, other), who is responsible (an adult: position and name), until when, and
    later its outcome. Taken by the department (`level` department: about one school, or municipal with no school)
    or by a school about itself. The next campaign's results of the same subject and grade show it beside them.
    Never deleted: a decision is cancelled with a reason. The reminder fields mark the reminders sent (once each,
    for the current due date)."""

    class Level(models.TextChoices):
        DEPARTMENT = "department", _("управление образования")
        SCHOOL = "school", _("школа")

    class Basis(models.TextChoices):
        SIGNAL_CASE = "signal_case", _("разбор признака необъективности")
        WEAK_SKILL = "weak_skill", _("слабо сформированное умение")
        VIOLATION = "violation", _("нарушение процедуры")
        RECHECK = "recheck", _("итоги перепроверки")
        OTHER = "other", _("другое")

    class Status(models.TextChoices):
        PLANNED = "planned", _("запланировано")
        IN_PROGRESS = "in_progress", _("выполняется")
        DONE = "done", _("выполнено")
        NOT_DONE = "not_done", _("не выполнено")
        CANCELLED = "cancelled", _("отменено")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    department = models.ForeignKey(
        "schools.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("управление образования")
    )
    level = models.CharField(_("кем принято"), max_length=12, choices=Level.choices)
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("школа")
    )
    campaign = models.ForeignKey(
        "procedures.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("кампания")
    )
    assessment = models.ForeignKey(
        "procedures.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("работа"),
    )
    basis = models.CharField(_("основание"), max_length=20, choices=Basis.choices)
    case = models.ForeignKey(
        SignalCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("разбор")
    )
    skill = models.CharField(_("умение (кодификатор)"), max_length=300, blank=True)
    basis_note = models.CharField(_("пояснение основания"), max_length=1000, blank=True)
    text = models.TextField(_("что решено"))
    responsible = models.CharField(_("ответственный (должность, ФИО)"), max_length=300)
    due_on = models.DateField(_("срок"))
    status = models.CharField(_("статус"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    outcome = models.TextField(_("результат"), blank=True)
    outcome_at = models.DateTimeField(_("результат записан"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("причина отмены"), max_length=1000, blank=True)
    cancelled_at = models.DateTimeField(_("отменено"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("записано"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("изменено"), default=timezone.now)
    reminded_week_at = models.DateTimeField(null=True, blank=True)  # the reminder 7 days before the due date
    reminded_day_at = models.DateTimeField(null=True, blank=True)  # the reminder the day before
    overdue_notified_at = models.DateTimeField(null=True, blank=True)  # the notice once the due date has passed

    class Meta:
        verbose_name = _("управленческое решение")
        verbose_name_plural = _("управленческие решения")
        ordering = ["due_on", "school__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="department") | Q(school__isnull=False), name="decision_school_level_has_school"
            ),
            models.CheckConstraint(
                condition=~Q(basis="signal_case") | Q(case__isnull=False), name="decision_case_basis_has_case"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "due_on"], name="decision_department_due"),
            models.Index(fields=["campaign", "school"], name="decision_campaign_school"),
            models.Index(fields=["status", "due_on"], name="decision_status_due"),
        ]

    def __str__(self) -> str:
        where = self.school.code if self.school_id else _("муниципальное")
        return f"{where} · {self.due_on:%d.%m.%Y} · {self.text[:50]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_municipal(self) -> bool:
        return self.school_id is None
