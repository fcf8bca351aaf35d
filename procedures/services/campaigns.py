"""Writes of campaigns and the assessment catalogue."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procedures.catalogue import AssessmentSpec, CampaignSpec, TaskSpec
from procedures.models import (
    Assessment,
    Campaign,
    ClassAssignment,
    ScheduleEntry,
    Stage,
    Task,
    campaign_kind_problems,
    retention_months_from_days,
)
from procedures.services.dependants import (
    Dependants,
    assessment_dependants,
    assessment_lock_dependants,
    assessment_recompute,
    campaign_dependants,
    dependants_by_assessment,
    task_results,
)
from schools.models import Department, Subject, User
from schools.services import audit_record

CAMPAIGN_FIELDS = (
    "title",
    "kind",
    "window_start",
    "window_end",
    "upload_deadline",
    "criteria_open_time",
    "retention_months",
)


@dataclass(frozen=True)
class CatalogueSummary:
    campaign_created: bool
    campaign_updated: bool
    created: int
    updated: int
    unchanged: int
    recomputed: int = 0

    @property
    def changed(self) -> bool:
        return self.campaign_created or self.campaign_updated or self.created or self.updated


def _campaign_values(spec: CampaignSpec) -> dict:
    values = {
        "title": spec.title,
        "kind": spec.kind,
        "window_start": spec.window_start,
        "window_end": spec.window_end,
        "upload_deadline": spec.upload_deadline,
    }
    if spec.criteria_open_time is not None:
        values["criteria_open_time"] = spec.criteria_open_time
    if spec.retention_days is not None:  # the catalogue still gives the period in days
        values["retention_months"] = retention_months_from_days(spec.retention_days)
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
    _refuse_unsafe_changes(existing=existing, specs=spec.assessments)
    return CatalogueSummary(False, campaign_updated, created, updated, unchanged)


def _refuse_unsafe_changes(*, existing: dict[str, Assessment], specs) -> None:
    """Raises ValidationError listing every change of the file that would delete or reshape recorded data."""
    changing = [(existing[item.code], item) for item in specs if item.code in existing]
    changing = [(assessment, item) for assessment, item in changing if _assessment_differs(assessment, item)]
    dependants = dependants_by_assessment(assessment.pk for assessment, _item in changing)
    problems = []
    for assessment, item in changing:
        problems += assessment_change_problems(assessment=assessment, spec=item, dependants=dependants[assessment.pk])
    if problems:
        raise ValidationError(problems)


def _changed_tasks(current: list[Task], wanted: tuple[TaskSpec, ...]):
    """Tasks removed, re-labelled (a new label at the position of a vanished one) and added."""
    wanted_labels = {t.label for t in wanted}
    current_labels = {t.label for t in current}
    removed = [t for t in current if t.label not in wanted_labels]
    added = [t for t in wanted if t.label not in current_labels]
    relabelled = []
    for task in list(removed):
        index = current.index(task)
        if index < len(wanted) and wanted[index] in added:
            relabelled.append((task, wanted[index]))
            removed.remove(task)
            added.remove(wanted[index])
    return removed, relabelled, added


def assessment_change_problems(*, assessment: Assessment, spec: AssessmentSpec, dependants: Dependants) -> list[str]:
    """Why the catalogue may not change the assessment's tasks this way, one line per problem (empty: safe).

    While anything depends on the assessment its tasks may be neither removed nor re-labelled; once scores
    are recorded no task may be added; a maximum may never fall below a recorded score. Other changes (a
    skill, a level, a scale, a raised maximum) are safe: totals and marks are recomputed.
    """
    current = list(assessment.tasks.all())
    removed, relabelled, added = _changed_tasks(current, spec.tasks)
    shrinking = {
        t.label: t for t in current if any(s.label == t.label and s.max_points < t.max_points for s in spec.tasks)
    }
    if not (removed or relabelled or added or shrinking):
        return []
    results = task_results(assessment) if dependants else {}
    problems = []
    code = assessment.code
    if dependants:
        for task in removed:
            problems.append(
                _("работа «{code}»: нельзя убрать задание «{label}»: от работы зависят {what}.").format(
                    code=code, label=task.label, what=dependants.text()
                )
            )
        for task, new in relabelled:
            problems.append(
                _(
                    "работа «{code}»: нельзя переименовать задание «{label}» в «{new}»: от работы зависят {what}."
                ).format(code=code, label=task.label, new=new.label, what=dependants.text())
            )
    recorded = sum(sum(by_value.values()) for by_value in results.values())
    if recorded:
        for new in added:
            problems.append(
                _("работа «{code}»: нельзя добавить задание «{label}»: по работе уже есть {scores}.").format(
                    code=code, label=new.label, scores=ngettext("{n} балл", "{n} баллов", recorded).format(n=recorded)
                )
            )
    wanted_max = {t.label: t.max_points for t in spec.tasks}
    for label, task in shrinking.items():
        above = sum(n for points, n in results.get(task.pk, Counter()).items() if points > wanted_max[label])
        if above:
            problems.append(
                _(
                    "работа «{code}»: нельзя снизить максимальный балл задания «{label}» с {old} до {new}: "
                    "в {works} за него уже поставлено больше {new}."
                ).format(
                    code=code,
                    label=label,
                    old=task.max_points,
                    new=wanted_max[label],
                    works=ngettext("{n} работе", "{n} работах", above).format(n=above),
                )
            )
    return problems


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
    existing = {}
    if not campaign_created:
        # locked so that nothing is recorded against them between the check and the change
        existing = {
            a.code: a
            for a in Assessment.objects.select_for_update().filter(campaign=campaign).prefetch_related("tasks")
        }
        _refuse_unsafe_changes(existing=existing, specs=spec.assessments)
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
    created = updated = unchanged = recomputed = 0
    for item in spec.assessments:
        assessment = existing.get(item.code)
        if assessment is None:
            _assessment_create(campaign=campaign, spec=item)
            created += 1
        elif _assessment_differs(assessment, item):
            _assessment, changed_works = _assessment_update(assessment=assessment, spec=item)
            updated += 1
            recomputed += changed_works
        else:
            unchanged += 1
    if campaign_created or created or updated:
        audit_record(
            actor=actor,
            action="catalogue.loaded",
            department=department,
            target=campaign,
            after={"created": created, "updated": updated, "unchanged": unchanged, "recomputed_works": recomputed},
            source="import",
        )
    return CatalogueSummary(campaign_created, campaign_updated, created, updated, unchanged, recomputed)


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


def _assessment_update(*, assessment: Assessment, spec: AssessmentSpec) -> tuple[Assessment, int]:
    """Applies a safe change (refused with every reason otherwise) and recomputes what derives from the
    tasks and scale; returns the assessment and how many works' totals or marks changed."""
    # Locks what hangs off the assessment (grading: its works) before recorded scores are checked: a score being
    # saved holds its work's lock and reads the maximum under it, so a lowered maximum and a score above it
    # cannot cross.
    assessment_lock_dependants(assessment)
    problems = assessment_change_problems(
        assessment=assessment, spec=spec, dependants=assessment_dependants(assessment)
    )
    if problems:
        raise ValidationError(problems)
    subject, _created = Subject.objects.get_or_create(name=spec.subject)
    current = [_task_tuple(t) for t in assessment.tasks.all()]
    wanted = [_task_tuple(t) for t in spec.tasks]
    scale_changed = assessment.scale != _assessment_values(spec, subject)["scale"]
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
        # only tasks nothing depends on reach here (assessment_change_problems)
        Task.objects.filter(assessment=assessment).exclude(pk__in=keep).delete()
    recomputed = 0
    if current != wanted or scale_changed:
        recomputed = assessment_recompute(Assessment.objects.get(pk=assessment.pk))
    return assessment, recomputed


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
        assessment, recomputed = _assessment_update(assessment=assessment, spec=spec)
        action = "assessment.updated"
    after = {"code": spec.code, "tasks": len(spec.tasks), "max": spec.max_score, "scale": spec.scale}
    if action == "assessment.updated":
        after["recomputed_works"] = recomputed
    audit_record(actor=actor, action=action, department=campaign.department, target=assessment, after=after)
    return assessment


@dataclass(frozen=True)
class DeletionPreview:
    """What deleting would take with it (`lost`), or what forbids it (`blocking`, empty when allowed)."""

    blocking: Dependants
    lost: Dependants

    @property
    def allowed(self) -> bool:
        return not self.blocking


def assessment_deletion_preview(assessment: Assessment) -> DeletionPreview:
    """For the confirmation page: what depends on the assessment, and what goes with it when nothing does."""
    lost = (
        ("tasks", assessment.tasks.count(), lambda n: ngettext("{n} задание", "{n} заданий", n).format(n=n)),
        (
            "class_assignments",
            ClassAssignment.objects.filter(assessment=assessment).count(),
            lambda n: ngettext("{n} класс в распределении", "{n} классов в распределении", n).format(n=n),
        ),
        (
            "schedule_entries",
            ScheduleEntry.objects.filter(assessment=assessment).count(),
            lambda n: ngettext("{n} строка расписания школ", "{n} строк расписания школ", n).format(n=n),
        ),
    )
    return DeletionPreview(blocking=assessment_dependants(assessment), lost=Dependants(lost))


def assessment_delete_refusal(assessment: Assessment, blocking: Dependants) -> str:
    return _("Нельзя удалить работу {code}: от неё зависят {what}.").format(code=assessment.code, what=blocking.text())


def assessment_delete(*, assessment: Assessment, actor: User) -> None:
    """Deletes an assessment with its tasks, only while nothing depends on it (participants, sittings,
    appointments, works, scores). A refusal is audited with the counts and raises ValidationError."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        preview = assessment_deletion_preview(locked)
        if preview.allowed:
            audit_record(
                actor=actor,
                action="assessment.deleted",
                department=assessment.campaign.department,
                target=locked,
                before={"code": locked.code, "campaign": assessment.campaign.code, **preview.lost.counts()},
            )
            locked.delete()
            return
    # recorded outside the refused transaction, so that the attempt stays in the log
    audit_record(
        actor=actor,
        action="assessment.delete_refused",
        department=assessment.campaign.department,
        target=assessment,
        before={"code": assessment.code, "campaign": assessment.campaign.code, **preview.blocking.counts()},
    )
    raise ValidationError(assessment_delete_refusal(assessment, preview.blocking))


def campaign_deletion_preview(campaign: Campaign) -> DeletionPreview:
    lost = (
        ("assessments", campaign.assessments.count(), lambda n: ngettext("{n} работа", "{n} работ", n).format(n=n)),
        (
            "stages",
            Stage.objects.filter(campaign=campaign).count(),
            lambda n: ngettext("{n} этап", "{n} этапов", n).format(n=n),
        ),
        (
            "schedule_entries",
            ScheduleEntry.objects.filter(schedule__campaign=campaign).count(),
            lambda n: ngettext("{n} строка расписания школ", "{n} строк расписания школ", n).format(n=n),
        ),
    )
    return DeletionPreview(blocking=campaign_dependants(campaign), lost=Dependants(lost))


def campaign_delete_refusal(campaign: Campaign, blocking: Dependants) -> str:
    return _("Нельзя удалить кампанию {code}: от неё зависят {what}.").format(code=campaign.code, what=blocking.text())


def campaign_delete(*, campaign: Campaign, actor: User) -> None:
    """Deletes a campaign with its catalogue and plan, only while nothing depends on any of its assessments
    and no school has codes or an order in it. A refusal is audited with the counts and raises
    ValidationError."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        preview = campaign_deletion_preview(locked)
        if preview.allowed:
            audit_record(
                actor=actor,
                action="campaign.deleted",
                department=locked.department,
                target=locked,
                before={"code": locked.code, **preview.lost.counts()},
            )
            locked.delete()
            return
    audit_record(
        actor=actor,
        action="campaign.delete_refused",
        department=campaign.department,
        target=campaign,
        before={"code": campaign.code, **preview.blocking.counts()},
    )
    raise ValidationError(campaign_delete_refusal(campaign, preview.blocking))


@transaction.atomic
def campaign_save(*, campaign: Campaign, actor: User) -> Campaign:
    """Creates or edits a campaign from a validated instance."""
    creating = campaign.pk is None
    if Campaign.objects.filter(code=campaign.code).exclude(pk=campaign.pk).exists():
        raise ValidationError(_("Кампания с кодом «{code}» уже есть.").format(code=campaign.code))
    if problems := campaign_kind_problems(campaign):
        raise ValidationError(list(problems.values()))
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
