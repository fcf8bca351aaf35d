"""Observation and on-site monitoring."""

from django.conf import settings
from django.db import models
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
