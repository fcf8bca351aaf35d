"""Writes to the registry. Every write is one named function; changes that matter leave an audit entry."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .access import DELEGABLE
from .importers import PupilRecord, SchoolRecord
from .models import (
    AuditEntry,
    DeclaredRelative,
    Delegation,
    Department,
    Pupil,
    Role,
    School,
    SchoolClass,
    Staff,
    StaffSubject,
    Subject,
    TeachingLoad,
    User,
    current_academic_year,
    search_key,
)
from .notification_counts import notices_changed

PUPIL_AUDITED_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "sex",
    "school_class",
    "has_disability",
    "family_education",
    "is_active",
)


def _json_value(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        # Kept as a list, so that the audit log shows it as one («A1, A2»), not as Python's spelling.
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_json_value(item) for item in items]
    return str(value)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_label: str = "",
    school: School | None = None,
    department: Department | None = None,
    before: dict | None = None,
    after: dict | None = None,
    personal: bool = False,
    source: str = "",
    reason: str = "",
) -> AuditEntry:
    """Records who did what to which object. `personal` marks entries that carry pupils' names: they are
    shown in full only inside the pupil's school."""
    if school is None and isinstance(target, School):
        school = target
    if school is None and target is not None and hasattr(target, "school_id"):
        school = getattr(target, "school", None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.full_name or actor.username) if actor is not None and actor.pk else _("система"),
        action=action,
        school=school,
        department=department or (school.department if school else None),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None and not personal else ""),
        before={k: _json_value(v) for k, v in before.items()} if before is not None else None,
        after={k: _json_value(v) for k, v in after.items()} if after is not None else None,
        has_personal_data=personal,
        source=source,
        reason=reason,
    )


def _changes(instance: models.Model, data: dict, fields) -> tuple[dict, dict]:
    before, after = {}, {}
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            before[field] = getattr(instance, field)
            after[field] = data[field]
    return before, after


# Schools ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


SCHOOL_FIELDS = ("name", "short_name", "time_zone", "address", "director_name", "phone", "email")


def default_department() -> Department:
    """The municipality the embedded install serves: the only department, created on first use."""
    department = Department.objects.order_by("id").first()
    if department is None:
        department = Department.objects.create(
            code="uo", name=_("Управление образования"), short_name=_("УО"), time_zone=settings.TIME_ZONE
        )
    return department


def _school_data(record: SchoolRecord) -> dict:
    data = {"name": record.name, "short_name": record.short_name}
    if record.time_zone:
        data["time_zone"] = record.time_zone
    return data


@transaction.atomic
def schools_import(*, records: list[SchoolRecord], department: Department, actor: User | None) -> ImportSummary:
    """Adds or updates schools keyed by code; all rows or none (the caller has validated them)."""
    existing = {s.code.casefold(): s for s in School.objects.select_for_update().filter(department=department)}
    foreign = set(
        School.objects.exclude(department=department)
        .filter(code__in=[r.code for r in records])
        .values_list("code", flat=True)
    )
    if foreign:
        raise ValidationError(
            _("Коды уже заняты школами другого муниципалитета: {codes}").format(codes=", ".join(sorted(foreign)))
        )
    created = updated = unchanged = 0
    for record in records:
        data = _school_data(record)
        school = existing.get(record.code.casefold())
        if school is None:
            school = School.objects.create(
                department=department, code=record.code, **{"time_zone": settings.TIME_ZONE, **data}
            )
            created += 1
            continue
        before, after = _changes(school, data, data)
        if not after:
            unchanged += 1
            continue
        for field, value in after.items():
            setattr(school, field, value)
        school.save(update_fields=list(after))
        updated += 1
    audit_record(
        actor=actor,
        action="schools.imported",
        department=department,
        after={"created": created, "updated": updated, "unchanged": unchanged},
        source="import",
    )
    return ImportSummary(created, updated, unchanged)


@transaction.atomic
def school_update(*, school: School, data: dict, actor: User) -> School:
    """Stores the school's details and audits what changed. The comparison is with the stored row, not with
    `school`: a ModelForm's validation has already written the submitted values into its instance."""
    stored = School.objects.select_for_update().get(pk=school.pk)
    before, after = _changes(stored, data, SCHOOL_FIELDS)
    if after:
        for field, value in after.items():
            setattr(stored, field, value)
        stored.full_clean()
        stored.save(update_fields=list(after))
        audit_record(actor=actor, action="school.updated", target=stored, before=before, after=after)
    for field in SCHOOL_FIELDS:
        setattr(school, field, getattr(stored, field))
    school.search_text = stored.search_text
    return stored


# Pupils ----------------------------------------------------------------------------------------------------


@transaction.atomic
def pupils_import(
    *, school: School, records: list[PupilRecord], actor: User | None, academic_year: int | None = None
) -> ImportSummary:
    """Adds or updates a school's pupils keyed by name + class, creating the classes; all or nothing."""
    year = academic_year or current_academic_year()
    classes = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(school=school, academic_year=year)}
    missing = sorted({(r.grade, r.letter) for r in records} - set(classes))
    if missing:
        SchoolClass.objects.bulk_create(
            [SchoolClass(school=school, academic_year=year, grade=g, letter=letter) for g, letter in missing]
        )
        classes = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(school=school, academic_year=year)}
    existing = {}
    for pupil in Pupil.objects.filter(school=school, school_class__academic_year=year).select_related("school_class"):
        key = (
            pupil.last_name.casefold(),
            pupil.first_name.casefold(),
            pupil.middle_name.casefold(),
            pupil.school_class.grade,
            pupil.school_class.letter,
        )
        existing[key] = pupil
    to_create, to_update = [], []
    unchanged = 0
    for record in records:
        pupil = existing.get(record.key)
        if pupil is None:
            to_create.append(
                Pupil(
                    school=school,
                    school_class=classes[(record.grade, record.letter)],
                    last_name=record.last_name,
                    first_name=record.first_name,
                    middle_name=record.middle_name,
                    sex=record.sex,
                    has_disability=record.has_disability,
                    search_text=search_key(record.last_name, record.first_name, record.middle_name),
                )
            )
        elif (pupil.sex, pupil.has_disability, pupil.is_active) != (record.sex, record.has_disability, True):
            pupil.sex, pupil.has_disability, pupil.is_active = record.sex, record.has_disability, True
            to_update.append(pupil)
        else:
            unchanged += 1
    Pupil.objects.bulk_create(to_create, batch_size=1000)
    Pupil.objects.bulk_update(to_update, ["sex", "has_disability", "is_active"], batch_size=1000)
    audit_record(
        actor=actor,
        action="pupils.imported",
        target=school,
        after={
            "created": len(to_create),
            "updated": len(to_update),
            "unchanged": unchanged,
            "classes_created": len(missing),
        },
        source="import",
    )
    return ImportSummary(len(to_create), len(to_update), unchanged)


def pupils_import_preview(
    *, school: School, records: list[PupilRecord], academic_year: int | None = None
) -> ImportSummary:
    """What `pupils_import` would do, without writing."""
    year = academic_year or current_academic_year()
    existing = {
        (
            p.last_name.casefold(),
            p.first_name.casefold(),
            p.middle_name.casefold(),
            p.school_class.grade,
            p.school_class.letter,
        ): p
        for p in Pupil.objects.filter(school=school, school_class__academic_year=year).select_related("school_class")
    }
    created = updated = unchanged = 0
    for record in records:
        pupil = existing.get(record.key)
        if pupil is None:
            created += 1
        elif (pupil.sex, pupil.has_disability, pupil.is_active) != (record.sex, record.has_disability, True):
            updated += 1
        else:
            unchanged += 1
    return ImportSummary(created, updated, unchanged)


def schools_import_preview(*, records: list[SchoolRecord], department: Department) -> ImportSummary:
    existing = {s.code.casefold(): s for s in School.objects.filter(department=department)}
    created = updated = unchanged = 0
    for record in records:
        school = existing.get(record.code.casefold())
        if school is None:
            created += 1
        elif _changes(school, _school_data(record), ("name", "short_name", "time_zone"))[1]:
            updated += 1
        else:
            unchanged += 1
    return ImportSummary(created, updated, unchanged)


def _pupil_snapshot(pupil: Pupil) -> dict:
    return {field: _json_value(getattr(pupil, field)) for field in PUPIL_AUDITED_FIELDS}


@transaction.atomic
def pupil_save(*, pupil: Pupil, actor: User) -> Pupil:
    """Creates or updates a pupil's record from a validated instance; the change is audited."""
    if pupil.school_class.school_id != pupil.school_id:
        raise ValidationError(_("Класс принадлежит другой школе."))
    creating = pupil.pk is None
    before = {} if creating else _pupil_snapshot(Pupil.objects.get(pk=pupil.pk))
    pupil.full_clean()
    pupil.save()
    after = _pupil_snapshot(pupil)
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    changed_after = {k: v for k, v in after.items() if before.get(k) != v}
    if creating or changed_after:
        audit_record(
            actor=actor,
            action="pupil.created" if creating else "pupil.updated",
            target=pupil,
            target_label=pupil.anonymous_label,
            before=None if creating else changed_before,
            after=changed_after,
            personal=True,
        )
    return pupil


def pupil_list_viewed(*, school: School, actor: User, search: str = "", page: int = 1) -> None:
    """Opening a list of pupils' names is recorded (who looked, when, for what query)."""
    audit_record(actor=actor, action="pupils.list_viewed", target=school, after={"search": search, "page": page})


# Staff -----------------------------------------------------------------------------------------------------

STAFF_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "position",
    "is_administration",
    "experience_years",
    "is_active",
    "user",
)


@transaction.atomic
def staff_save(
    *,
    staff: Staff,
    actor: User,
    subjects: dict[Subject, int] | None = None,
    loads: list[tuple[SchoolClass, Subject]] | None = None,
) -> Staff:
    """Creates or updates a staff member with their subjects (and experience in each) and teaching load."""
    creating = staff.pk is None
    before = {} if creating else {f: _json_value(getattr(Staff.objects.get(pk=staff.pk), f)) for f in STAFF_FIELDS}
    staff.full_clean()
    staff.save()
    if subjects is not None:
        staff.subject_experience.exclude(subject__in=list(subjects)).delete()
        for subject, years in subjects.items():
            StaffSubject.objects.update_or_create(staff=staff, subject=subject, defaults={"experience_years": years})
    if loads is not None:
        if any(school_class.school_id != staff.school_id for school_class, _subject in loads):
            raise ValidationError(_("Нагрузка в классе другой школы."))
        staff.teaching_loads.all().delete()
        TeachingLoad.objects.bulk_create(
            [TeachingLoad(staff=staff, school_class=c, subject=s) for c, s in dict.fromkeys(loads)]
        )
    after = {f: _json_value(getattr(staff, f)) for f in STAFF_FIELDS}
    audit_record(
        actor=actor,
        action="staff.created" if creating else "staff.updated",
        target=staff,
        before=None if creating else {k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    return staff


def _same_name(staff: Staff, user: User) -> bool:
    def norm(value: str) -> str:
        return value.strip().casefold().replace("ё", "е")

    same = norm(staff.last_name) == norm(user.last_name) and norm(staff.first_name) == norm(user.first_name)
    # a middle name missing on either side does not tell two people apart
    return same and (not staff.middle_name or not user.middle_name or norm(staff.middle_name) == norm(user.middle_name))


@transaction.atomic
def staff_account_link(*, user: User, school: School, actor: User | None) -> Staff | None:
    """Links a school role holder's account to their record in the school's staff (so that they can be appointed
    and named in the order): their record when linked already, else the one unlinked active record of the same
    name, else a new record from the account's name and position (none for an account without a name)."""
    linked = Staff.objects.filter(school=school, user=user).order_by("-is_active", "pk").first()
    if linked is not None:
        return linked
    namesakes = [
        staff
        for staff in Staff.objects.filter(school=school, user__isnull=True, is_active=True)
        if _same_name(staff, user)
    ]
    if len(namesakes) == 1:
        staff = namesakes[0]
        staff.user = user
        staff.save(update_fields=["user"])
        audit_record(actor=actor, action="staff.account_linked", target=staff, after={"username": user.username})
        return staff
    if not user.last_name or not user.first_name:
        return None  # an account without a name: the school adds the record in its staff list
    staff = Staff(
        school=school,
        user=user,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        position=user.position or _("не указана"),
    )
    staff.save()
    audit_record(
        actor=actor,
        action="staff.created",
        target=staff,
        after={**{f: _json_value(getattr(staff, f)) for f in STAFF_FIELDS}, "username": user.username},
    )
    return staff


@transaction.atomic
def relative_declare(*, staff: Staff, pupil: Pupil, relation: str, actor: User) -> DeclaredRelative:
    """Records that a staff member has a close relative among the pupils (R5)."""
    if staff.school_id != pupil.school_id:
        raise ValidationError(_("Сотрудник и обучающийся из разных школ."))
    if DeclaredRelative.objects.filter(staff=staff, pupil=pupil).exists():
        raise ValidationError(_("Это родство уже заявлено."))
    relative = DeclaredRelative.objects.create(staff=staff, pupil=pupil, relation=relation)
    audit_record(
        actor=actor,
        action="relative.declared",
        target=staff,
        school=staff.school,
        after={"pupil": pupil.anonymous_label, "relation": relation},
    )
    return relative


@transaction.atomic
def relative_remove(*, relative: DeclaredRelative, actor: User) -> None:
    staff = relative.staff
    audit_record(
        actor=actor,
        action="relative.removed",
        target=staff,
        school=staff.school,
        before={"pupil": relative.pupil.anonymous_label, "relation": relative.relation},
    )
    relative.delete()


# Notifications ---------------------------------------------------------------------------------------------


def notifications_send(*, users, text: str, url: str = "", key: str = "") -> list[int]:
    """Creates an in-app notice for each user (once per `key`) and queues their e-mails after commit.

    Returns the ids of the notices created now; users who already have the notice with this key get none.
    """
    from .models import Notification

    created_ids = []
    with transaction.atomic():
        for user in users:
            if key and Notification.objects.filter(user=user, key=key).exists():
                continue
            created_ids.append(Notification.objects.create(user=user, text=text, url=url, key=key).pk)
            notices_changed([user.pk])
    if created_ids:
        from vpr_portal.tasks import enqueue

        from .tasks import deliver_notification_emails

        enqueue(deliver_notification_emails, created_ids)
    return created_ids


def notification_emails_deliver(*, notification_ids: list[int]) -> int:
    """Sends the e-mail of each notice not e-mailed yet; idempotent (a sent notice is marked and skipped)."""
    from django.core.mail import send_mail
    from django.utils import timezone

    from .models import Notification

    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
            )
            if notification is None or notification.emailed_at is not None:
                continue
            if notification.user.email:
                send_mail(
                    subject=_("ВПР-портал: {text}").format(text=notification.text[:80]),
                    message=notification.text + ("\n\n" + notification.url if notification.url else ""),
                    from_email=None,
                    recipient_list=[notification.user.email],
                )
                sent += 1
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return sent


def notifications_mark_read(*, user: User) -> int:
    from django.utils import timezone

    from .models import Notification

    read = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    notices_changed([user.pk])
    return read


# People and roles ------------------------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    actor: User,
    role: str,
    school: School | None,
    department: Department | None,
    username: str,
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    email: str = "",
) -> tuple[User, bool]:
    """Gives a person a role in a school or the department, creating their account when the username is new.

    A new account gets a random password nobody knows: the person sets their own through the e-mailed link.
    Returns the user and whether the account was created.
    """
    from .models import DEPARTMENT_ROLES, Membership, Role

    if role in DEPARTMENT_ROLES or role == Role.OBSERVER:
        if department is None:
            raise ValidationError(_("Эта роль назначается в управлении образования."))
        school = None
    elif school is None and not (role == Role.EXPERT and department is not None):
        raise ValidationError(_("Выберите школу."))
    elif school is not None:
        department = None
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        if not last_name or not first_name:
            raise ValidationError(_("Для новой учётной записи укажите фамилию и имя."))
        user = User(username=username, last_name=last_name, first_name=first_name, middle_name=middle_name, email=email)
        # random, not unusable: Django's password reset ignores accounts with an unusable password
        user.set_password(secrets.token_urlsafe(32))
        user.full_clean()
        user.save()
    membership, new = Membership.objects.get_or_create(
        user=user, role=role, school=school, department=department, defaults={"is_active": True}
    )
    if not new and membership.is_active:
        raise ValidationError(_("У {name} уже есть эта роль.").format(name=user.full_name or user.username))
    if not new:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    if school is not None:
        staff_account_link(user=user, school=school, actor=actor)
    audit_record(
        actor=actor,
        action="role.granted",
        target=user,
        school=school,
        department=department,
        target_label=user.full_name or user.username,
        after={"role": role, "username": user.username},
    )
    return user, created


@transaction.atomic
def role_withdraw(*, actor: User, membership) -> None:
    """Withdraws a role (the record stays, inactive, so the history of who held it is kept)."""
    from .models import Role

    if membership.user_id == actor.pk and membership.role in (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR):
        raise ValidationError(_("Нельзя снять с себя роль управления образования."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="role.withdrawn",
        target=membership.user,
        school=membership.school,
        department=membership.department,
        target_label=str(membership.user),
        before={"role": membership.role},
    )


@transaction.atomic
def delegation_set(*, school: School, role: str, capability: str, allowed: bool, actor: User) -> bool:
    """Hands `capability` to `role` in the school, or takes it back (schools.access.DELEGABLE says what may be
    handed); audited when it changes. Returns whether it changed."""
    if capability not in DELEGABLE.get(role, ()):
        raise ValidationError(_("Это право нельзя передать этой роли."))
    existing = Delegation.objects.filter(school=school, role=role, capability=capability)
    if allowed == existing.exists():
        return False
    if allowed:
        Delegation.objects.create(school=school, role=role, capability=capability, granted_by=actor)
    else:
        existing.delete()
    audit_record(
        actor=actor,
        action="delegation.granted" if allowed else "delegation.withdrawn",
        school=school,
        target_label=str(Role(role).label),
        after={"role": str(Role(role).label), "capability": capability},
    )
    return True
