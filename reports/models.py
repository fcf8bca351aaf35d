from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vpr_portal.models import Job

# The kind of the job that builds a document (its handler is in reports.jobs).
DOCUMENT_JOB = "document.build"


def generated_path(instance: "GeneratedDocument", filename: str) -> str:
    return f"generated/{instance.pk or 'new'}/{filename}"


class GeneratedDocument(models.Model):
    """A document built in the background (a school's printables, a long PDF): what it is, for whom, its file.

    `key` says what it is for (kind + parameters + data version), so asking twice reuses one document. Its
    state and progress are those of its job (vpr_portal.models.Job); `status`, `progress`, `error` and
    `finished_at` read them, and may be given when a document is created or saved directly (fixtures, admin):
    they are then written to the job."""

    Status = Job.State
    STATUS_LABELS = {
        Job.State.QUEUED: _("в очереди"),
        Job.State.RUNNING: _("формируется"),
        Job.State.DONE: _("готов"),
        Job.State.FAILED: _("ошибка"),
    }
    JOB_FIELDS = {"status": "state", "progress": "progress", "error": "error", "finished_at": "finished_at"}

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="document", editable=False)
    file = models.FileField(upload_to=generated_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("сформированный документ")
        verbose_name_plural = _("сформированные документы")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def _job_value(self, name: str):
        pending = self.__dict__.get("_pending_job", {})
        if name in pending:
            return pending[name]
        if self.job_id is None:
            return Job._meta.get_field(self.JOB_FIELDS[name]).get_default()
        return getattr(self.job, self.JOB_FIELDS[name])

    def _set_job_value(self, name: str, value) -> None:
        self.__dict__.setdefault("_pending_job", {})[name] = value

    status = property(lambda self: self._job_value("status"), lambda self, v: self._set_job_value("status", v))
    progress = property(lambda self: self._job_value("progress"), lambda self, v: self._set_job_value("progress", v))
    error = property(lambda self: self._job_value("error"), lambda self, v: self._set_job_value("error", v))
    finished_at = property(
        lambda self: self._job_value("finished_at"), lambda self, v: self._set_job_value("finished_at", v)
    )

    def get_status_display(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)

    @property
    def is_running(self) -> bool:
        return self.status in (Job.State.QUEUED, Job.State.RUNNING)

    def save(self, *args, **kwargs):
        """A document saved without a job (created directly) gets one; state given on the document goes to it."""
        pending = {self.JOB_FIELDS[name]: value for name, value in self.__dict__.pop("_pending_job", {}).items()}
        if self.job_id is None:
            self.job = Job.objects.create(kind=DOCUMENT_JOB, key=f"{DOCUMENT_JOB}:{self.key}", **pending)
        elif pending:
            for name, value in pending.items():
                setattr(self.job, name, value)
            self.job.save(update_fields=list(pending))
        super().save(*args, **kwargs)
