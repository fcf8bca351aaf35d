"""Background jobs: each one a database row with its state and a heartbeat, so that none is lost with a worker
or a broker (the broker only carries the job's number; vpr_portal.jobs explains the machinery)."""

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
