"""What the reports keep of their own: the school's conclusions and measures on a campaign's results, written in the
portal for its analytical справка (Регламент 3.1, 9.1).

A school has one record per campaign with its current revision; each saving adds a revision that keeps every text
as saved (per assessment and the general part: «Выводы» and «Меры / рекомендации»), so that the history is never
lost. The справка's sources include the revision number: new conclusions make a built справка outdated, and the
built version keeps the text it was built with (its files are stored).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolConclusions(models.Model):
    """The school's conclusions on one campaign: the current revision's number and who saved it when."""

    campaign = models.ForeignKey(
        "procedures.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("кампания")
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("школа"))
    revision = models.PositiveIntegerField(_("редакция"), default=0)
    updated_at = models.DateTimeField(_("изменено"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("выводы школы")
        verbose_name_plural = _("выводы школ")
        constraints = [models.UniqueConstraint(fields=["campaign", "school"], name="school_conclusions_unique")]

    def __str__(self) -> str:
        return f"{self.school.code} · {self.campaign.code} · {self.revision}"


class ConclusionsRevision(models.Model):
    """One saved revision of a school's conclusions: every text as it was saved. `sections` maps a part's key
    ("general", or an assessment's id as a string) to {"conclusions": …, "measures": …}."""

    conclusions = models.ForeignKey(SchoolConclusions, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("номер редакции"))
    sections = models.JSONField(_("тексты"), default=dict)
    saved_at = models.DateTimeField(_("сохранено"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("редакция выводов школы")
        verbose_name_plural = _("редакции выводов школ")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["conclusions", "number"], name="conclusions_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.conclusions_id} · {self.number}"
