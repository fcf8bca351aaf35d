"""Observation and on-site monitoring."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
