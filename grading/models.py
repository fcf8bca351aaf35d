"""Grading: works distributed to experts, per-task scores with their history, results and upload status."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Assessment, Campaign, Participant, Task
from schools.models import School, SchoolClass, Staff


class Work(models.Model):
    """One participant's work on one assessment, as graded: who checks it, and its result.

    Each work is checked by exactly one expert, once (R4). Results stay anonymous: the participant's code,
    class and sex are on the participant row, names never come here.
    """

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="work")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="works")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="works")
    expert = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="works")
    assigned_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("сдано экспертом"), null=True, blank=True)
    journal_mark = models.PositiveSmallIntegerField(_("отметка по журналу"), null=True, blank=True)
    # Derived from the scores by grading services, stored for lists and figures.
    primary_score = models.PositiveSmallIntegerField(_("первичный балл"), null=True, blank=True)
    mark = models.PositiveSmallIntegerField(_("отметка"), null=True, blank=True)
    is_complete = models.BooleanField(_("все задания оценены"), default=False)
    # When the work's result last changed (a score, the journal mark, the variant or absence), by any write
    # path: a form marked uploaded to ФИС ОКО before this moment no longer matches what is recorded.
    results_changed_at = models.DateTimeField(_("результат изменён"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("работа")
        verbose_name_plural = _("работы")
        constraints = [
            models.CheckConstraint(
                condition=Q(journal_mark__isnull=True) | Q(journal_mark__gte=2, journal_mark__lte=5),
                name="work_journal_mark_range",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "assessment"], name="work_school_assessment"),
            models.Index(fields=["expert", "assessment"], name="work_expert_assessment"),
        ]

    def __str__(self) -> str:
        return str(self.participant)

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    """The points of one task of one work; `value` None with `not_attempted` is an «X» (counts 0)."""

    # no index of its own: score_unique_task (work, task) serves every lookup by work, and one index fewer is a
    # fifth less to write for each of a form's hundreds of thousands of scores
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="scores", db_index=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    not_attempted = models.BooleanField(default=False)
    # Optimistic concurrency: a save names the version it was based on; a stale one is refused, not lost.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("балл")
        verbose_name_plural = _("баллы")
        constraints = [
            models.UniqueConstraint(fields=["work", "task"], name="score_unique_task"),
            models.CheckConstraint(condition=~Q(value__isnull=False, not_attempted=True), name="score_value_or_x"),
        ]

    def __str__(self) -> str:
        return "X" if self.not_attempted else str(self.value if self.value is not None else "")

    @property
    def points(self) -> int:
        return self.value or 0


class ScoreChange(models.Model):
    """Every score change: who, when, old and new value, from the grid or an import; a reason after
    submission."""

    class Source(models.TextChoices):
        GRID = "grid", _("ввод в таблице")
        IMPORT = "import", _("загрузка формы")
        RECHECK = "recheck", _("перепроверка")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="changes")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    field = models.CharField(max_length=30, default="score")  # "score" or "journal_mark"
    old = models.CharField(max_length=10, blank=True)
    new = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("изменение балла")
        verbose_name_plural = _("изменения баллов")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.work}: {self.old} → {self.new}"


def upload_file_path(instance: "FormUpload", filename: str) -> str:
    return f"uploads/fisoko/{instance.school_id}/{instance.assessment_id}/{filename}"


class FormUpload(models.Model):
    """The school's record that the results form was uploaded to ФИС ОКО (the file is kept)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="form_uploads")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="form_uploads")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="form_uploads")
    file = models.FileField(upload_to=upload_file_path)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("загрузка в ФИС ОКО")
        verbose_name_plural = _("загрузки в ФИС ОКО")
        ordering = ["-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["school", "assessment"], name="form_upload_unique")]

    def __str__(self) -> str:
        return f"{self.school} — {self.assessment}"


# Summary rows: what the figures count, per school × assessment × class, kept current by every write that changes
# it (grading/summaries.py). Dashboards read these few rows instead of grouping a region's millions of scores.


class ParticipationSummary(models.Model):
    """Participants who write the assessment, absent and present, of one class of one school."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    class_name = models.CharField(max_length=4)
    absent = models.PositiveIntegerField()
    present = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "school", "class_name"], name="participation_summary_key")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.school_id}/{self.class_name}"


class ResultSummary(models.Model):
    """The number `n` of counted works (present, writing, complete) of one class of one school with one primary
    score, mark and journal mark."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    class_name = models.CharField(max_length=4)
    primary_score = models.PositiveSmallIntegerField(null=True)
    mark = models.PositiveSmallIntegerField(null=True)
    journal_mark = models.PositiveSmallIntegerField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["assessment", "school"], name="result_summary_scope")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.school_id}/{self.class_name}: {self.primary_score} × {self.n}"


class TaskSummary(models.Model):
    """The points of one task over the counted works of one class of one school with one mark: Σ points, and for
    the item analysis Σ points² and Σ points × primary score («X» counts 0)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    class_name = models.CharField(max_length=4)
    mark = models.PositiveSmallIntegerField(null=True)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    points = models.BigIntegerField()
    points_squared = models.BigIntegerField()
    points_by_total = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["assessment", "school"], name="task_summary_scope")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.school_id}/{self.class_name}/{self.task_id}: {self.points}"


class ResultsStamp(models.Model):
    """A number that grows with every write to the assessment's summary rows (grading/summaries.py bumps it in the
    same transaction): cached figures and signals carry it in their keys (grading/cache.py), so that a write makes
    the old entries unreachable at once."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.version}"


# Parents' results slips (Регламент 3.1.6): names only in the school (R11), so these rows stay with the school's
# participants and carry no names themselves.


class SlipPrint(models.Model):
    """One print of a class's parents' slips of one assessment: who printed them, when, and how many slips."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="slip_prints")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    class_name = models.CharField(_("класс"), max_length=4)
    slips = models.PositiveIntegerField(_("бланков"))
    printed_at = models.DateTimeField(_("напечатано"), default=timezone.now)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("печать бланков для родителей")
        verbose_name_plural = _("печать бланков для родителей")
        ordering = ["-printed_at", "-id"]
        indexes = [models.Index(fields=["school", "campaign"], name="slip_print_school_campaign")]

    def __str__(self) -> str:
        return f"{self.class_name} {self.assessment_id}: {self.slips}"


class SlipHandout(models.Model):
    """A participant's parents' slip marked handed out: on which day, and who recorded it."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="slip_handout")
    handed_on = models.DateField(_("дата выдачи"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("выдача бланка для родителей")
        verbose_name_plural = _("выдача бланков для родителей")

    def __str__(self) -> str:
        return f"{self.participant}: {self.handed_on:%d.%m.%Y}"
