"""Background jobs: each one a database row with its state and a heartbeat, so that none is lost with a worker
or a broker (the broker only carries the job's number; vpr_portal.jobs explains the machinery), and the
documents built by such jobs (vpr_portal.documents)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of background work of a registered kind, keyed by what it is for (asking twice gives one job).

    queued → running → done | failed; a running job whose heartbeat stopped goes back to queued (the sweeper),
    a failed one goes back to queued when asked for again. `attempt` is the token of the current claim: only
    the runner holding it may beat, report progress or finish the job."""

    class State(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("готово")
        FAILED = "failed", _("ошибка")

    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=255, unique=True)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    attempt = models.CharField(max_length=32, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    # When the job's number was last handed to the broker (or the in-process pool); empty: never delivered.
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("фоновое задание")
        verbose_name_plural = _("фоновые задания")
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_running(self) -> bool:
        """Queued or running: a page showing it refreshes itself."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class JobAttempt(models.Model):
    """One claim of a job by a runner: who ran it, when, and how it ended (a record of every try)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("выполняется")
        DONE = "done", _("готово")
        FAILED = "failed", _("ошибка")
        RETRY = "retry", _("повтор после сбоя")
        LOST = "lost", _("прервано")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    token = models.CharField(max_length=32)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("попытка задания")
        verbose_name_plural = _("попытки заданий")
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="job_attempt_number_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.number}: {self.outcome}"


# The kind of the job that builds a document (its handler is registered in vpr_portal.jobs).
DOCUMENT_JOB = "document.build"


def generated_path(instance: "GeneratedDocument", filename: str) -> str:
    return f"generated/{instance.pk or 'new'}/{filename}"


class GeneratedDocument(models.Model):
    """A document built in the background (a school's printables, a long PDF): what it is, for whom, its file.

    `key` says what it is for (kind + parameters + data version), so asking twice reuses one document. Its
    state and progress are those of its job (Job); `status`, `progress`, `error` and `finished_at` read them,
    and may be given when a document is created or saved directly (fixtures, admin): they are then written to
    the job. Kinds of document and their builders are registered with vpr_portal.documents."""

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
        db_table = "reports_generateddocument"  # the table of the reports app, where the model lived first
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
