from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def generated_path(instance: "GeneratedDocument", filename: str) -> str:
    return f"generated/{instance.pk or 'new'}/{filename}"


class GeneratedDocument(models.Model):
    """A document built in the background (a school's printables, a long PDF) with its progress.

    `key` says what it is for (kind + parameters + data version), so asking twice reuses one job.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("формируется")
        DONE = "done", _("готов")
        FAILED = "failed", _("ошибка")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=generated_path, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("сформированный документ")
        verbose_name_plural = _("сформированные документы")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
