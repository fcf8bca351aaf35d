"""Writes of campaigns and the assessment catalogue."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from procedures.catalogue import AssessmentSpec, CampaignSpec, TaskSpec
from procedures.models import Assessment, Campaign, Task
from schools.models import Department, Subject, User
from schools.services import audit_record

CAMPAIGN_FIELDS = ("title", "window_start", "window_end", "upload_deadline", "criteria_open_time", "retention_days")


@dataclass(frozen=True)
class CatalogueSummary:
    campaign_created: bool
    campaign_updated: bool
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return self.campaign_created or self.campaign_updated or self.created or self.updated


def _campaign_values(spec: CampaignSpec) -> dict:
    values = {
        "title": spec.title,
        "window_start": spec.window_start,
        "window_end": spec.window_end,
        "upload_deadline": spec.upload_deadline,
    }
    if spec.criteria_open_time is not None:
        values["criteria_open_time"] = spec.criteria_open_time
    if spec.retention_days is not None:
        values["retention_days"] = spec.retention_days
    return values


def _assessment_values(spec: AssessmentSpec, subject: Subject) -> dict:
    return {
        "subject_id": subject.pk,
        "grade": spec.grade,
        "level": spec.level,
        "form": spec.form,
        "duration": spec.duration,
        "scale": {key: int(value) for key, value in spec.scale.items()},
    }


def _task_tuple(task: Task | TaskSpec) -> tuple:
    return (task.label, task.max_points, task.difficulty, task.skill)


def catalogue_preview(*, spec: CampaignSpec, department: Department) -> CatalogueSummary:
    """What `catalogue_load` would do, without writing."""
    campaign = Campaign.objects.filter(code=spec.code).first()
    if campaign is not None and campaign.department_id != department.pk:
        raise ValidationError(_("Кампания «{code}» принадлежит другому управлению.").format(code=spec.code))
    if campaign is None:
        return CatalogueSummary(True, False, len(spec.assessments), 0, 0)
    campaign_updated = any(getattr(campaign, field) != value for field, value in _campaign_values(spec).items())
    existing = {a.code: a for a in campaign.assessments.prefetch_related("tasks")}
    created = updated = unchanged = 0
    for item in spec.assessments:
        assessment = existing.get(item.code)
        if assessment is None:
            created += 1
        elif _assessment_differs(assessment, item):
            updated += 1
        else:
            unchanged += 1
    return CatalogueSummary(False, campaign_updated, created, updated, unchanged)


def _assessment_differs(assessment: Assessment, spec: AssessmentSpec) -> bool:
    subject = Subject.objects.filter(name=spec.subject).first()
    if subject is None:
        return True
    values = _assessment_values(spec, subject)
    if any(getattr(assessment, field) != value for field, value in values.items()):
        return True
    return [_task_tuple(t) for t in assessment.tasks.all()] != [_task_tuple(t) for t in spec.tasks]


@transaction.atomic
def catalogue_load(*, spec: CampaignSpec, department: Department, actor: User | None) -> CatalogueSummary:
    """Creates or updates a campaign and its assessments from a checked catalogue, keyed by codes.

    Re-loading the same catalogue changes nothing. Assessments absent from the file are kept.
    """
    campaign = Campaign.objects.select_for_update().filter(code=spec.code).first()
    if campaign is not None and campaign.department_id != department.pk:
        raise ValidationError(_("Кампания «{code}» принадлежит другому управлению.").format(code=spec.code))
    values = _campaign_values(spec)
    campaign_created = campaign is None
    campaign_updated = False
    if campaign_created:
        campaign = Campaign.objects.create(department=department, code=spec.code, **values)
    else:
        changed = {field: value for field, value in values.items() if getattr(campaign, field) != value}
        if changed:
            before = {field: str(getattr(campaign, field)) for field in changed}
            for field, value in changed.items():
                setattr(campaign, field, value)
            campaign.full_clean()
            campaign.save(update_fields=list(changed))
            campaign_updated = True
            audit_record(
                actor=actor,
                action="campaign.updated",
                department=department,
                target=campaign,
                before=before,
                after={field: str(value) for field, value in changed.items()},
                source="import",
            )
    existing = {a.code: a for a in campaign.assessments.prefetch_related("tasks")}
    created = updated = unchanged = 0
    for item in spec.assessments:
        assessment = existing.get(item.code)
        if assessment is None:
            _assessment_create(campaign=campaign, spec=item)
            created += 1
        elif _assessment_differs(assessment, item):
            _assessment_update(assessment=assessment, spec=item)
            updated += 1
        else:
            unchanged += 1
    if campaign_created or created or updated:
        audit_record(
            actor=actor,
            action="catalogue.loaded",
            department=department,
            target=campaign,
            after={"created": created, "updated": updated, "unchanged": unchanged},
            source="import",
        )
    return CatalogueSummary(campaign_created, campaign_updated, created, updated, unchanged)


def _assessment_create(*, campaign: Campaign, spec: AssessmentSpec) -> Assessment:
    subject, _created = Subject.objects.get_or_create(name=spec.subject)
    assessment = Assessment.objects.create(campaign=campaign, code=spec.code, **_assessment_values(spec, subject))
    Task.objects.bulk_create(
        Task(
            assessment=assessment,
            position=position,
            label=task.label,
            max_points=task.max_points,
            difficulty=task.difficulty,
            skill=task.skill,
        )
        for position, task in enumerate(spec.tasks, start=1)
    )
    return assessment


def assessment_has_results(assessment: Assessment) -> bool:
    """Whether scores were entered for the assessment: then its tasks may no longer change shape.

    Results arrive with grading; until then nothing is recorded against an assessment's tasks.
    """
    return False


def _assessment_update(*, assessment: Assessment, spec: AssessmentSpec) -> Assessment:
    subject, _created = Subject.objects.get_or_create(name=spec.subject)
    current = [_task_tuple(t) for t in assessment.tasks.all()]
    wanted = [_task_tuple(t) for t in spec.tasks]
    if current != wanted and assessment_has_results(assessment):
        raise ValidationError(
            _("Работа «{code}»: по ней уже введены результаты, задания менять нельзя.").format(code=assessment.code)
        )
    for field, value in _assessment_values(spec, subject).items():
        setattr(assessment, field, value)
    assessment.full_clean(exclude=["campaign"])
    assessment.save()
    if current != wanted:
        tasks = {t.label: t for t in assessment.tasks.all()}
        # move existing positions out of the way so the reordering never collides with the unique constraint
        Task.objects.filter(assessment=assessment).update(position=F("position") + 1000)
        keep = []
        for position, spec_task in enumerate(spec.tasks, start=1):
            task = tasks.get(spec_task.label)
            if task is None:
                task = Task(assessment=assessment, label=spec_task.label)
            task.position = position
            task.max_points = spec_task.max_points
            task.difficulty = spec_task.difficulty
            task.skill = spec_task.skill
            task.save()
            keep.append(task.pk)
        Task.objects.filter(assessment=assessment).exclude(pk__in=keep).delete()
    return assessment


@transaction.atomic
def assessment_save(
    *, campaign: Campaign, spec: AssessmentSpec, actor: User, original_code: str | None = None
) -> Assessment:
    """Creates or edits one assessment from the browser, with the same checks as the catalogue file."""
    assessment = None
    if original_code is not None:
        assessment = Assessment.objects.select_for_update().get(campaign=campaign, code=original_code)
    clash = Assessment.objects.filter(campaign=campaign, code=spec.code)
    if assessment is not None:
        clash = clash.exclude(pk=assessment.pk)
    if clash.exists():
        raise ValidationError(_("Работа с кодом «{code}» в кампании уже есть.").format(code=spec.code))
    if assessment is None:
        assessment = _assessment_create(campaign=campaign, spec=spec)
        action = "assessment.created"
    else:
        if assessment.code != spec.code:
            assessment.code = spec.code
        assessment = _assessment_update(assessment=assessment, spec=spec)
        action = "assessment.updated"
    audit_record(
        actor=actor,
        action=action,
        department=campaign.department,
        target=assessment,
        after={"code": spec.code, "tasks": len(spec.tasks), "max": spec.max_score, "scale": spec.scale},
    )
    return assessment


@transaction.atomic
def assessment_delete(*, assessment: Assessment, actor: User) -> None:
    if assessment_has_results(assessment):
        raise ValidationError(_("По работе уже введены результаты: удалить её нельзя."))
    audit_record(
        actor=actor,
        action="assessment.deleted",
        department=assessment.campaign.department,
        target=assessment,
        before={"code": assessment.code},
    )
    assessment.delete()


@transaction.atomic
def campaign_save(*, campaign: Campaign, actor: User) -> Campaign:
    """Creates or edits a campaign from a validated instance."""
    creating = campaign.pk is None
    if Campaign.objects.filter(code=campaign.code).exclude(pk=campaign.pk).exists():
        raise ValidationError(_("Кампания с кодом «{code}» уже есть.").format(code=campaign.code))
    campaign.full_clean()
    campaign.save()
    audit_record(
        actor=actor,
        action="campaign.created" if creating else "campaign.updated",
        department=campaign.department,
        target=campaign,
        after={field: str(getattr(campaign, field)) for field in ("code", *CAMPAIGN_FIELDS, "status")},
    )
    return campaign


@transaction.atomic
def campaign_create_from_previous(*, campaign: Campaign, previous: Campaign, actor: User) -> Campaign:
    """Starts a campaign from the previous one's catalogue: every assessment with its tasks and scale is
    copied; the department then edits what changed this year."""
    if previous.department_id != campaign.department_id:
        raise ValidationError(_("Предыдущая кампания принадлежит другому управлению."))
    campaign.previous = previous
    campaign_save(campaign=campaign, actor=actor)
    for old in previous.assessments.select_related("subject").prefetch_related("tasks"):
        spec = AssessmentSpec(
            code=old.code,
            subject=old.subject.name,
            grade=old.grade,
            level=old.level,
            form=old.form,
            duration=old.duration,
            tasks=tuple(TaskSpec(t.label, t.max_points, t.difficulty, t.skill) for t in old.tasks.all()),
            scale=dict(old.scale),
        )
        _assessment_create(campaign=campaign, spec=spec)
    audit_record(
        actor=actor,
        action="campaign.copied",
        department=campaign.department,
        target=campaign,
        after={"from": previous.code, "assessments": previous.assessments.count()},
    )
    return campaign


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, status: str, actor: User) -> Campaign:
    if status not in Campaign.Status.values:
        raise ValidationError(_("Неизвестный статус кампании."))
    if status == Campaign.Status.ACTIVE and not campaign.assessments.exists():
        raise ValidationError(_("Нельзя начать кампанию без проверочных работ: загрузите каталог."))
    before = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="campaign.status_changed",
        department=campaign.department,
        target=campaign,
        before={"status": before},
        after={"status": status},
    )
    return campaign
