"""Reads of the registry, each starting from what the user may see."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from . import audit_labels
from .access import Capability, roles_with, schools_with
from .models import (
    AuditEntry,
    Pupil,
    Role,
    School,
    SchoolClass,
    Staff,
    User,
    search_key,
)


def school_list_for(user: User, *, search: str = "") -> QuerySet[School]:
    schools = schools_with(user, Capability.VIEW_SCHOOL).annotate(
        pupil_count=Count("pupils", filter=Q(pupils__is_active=True), distinct=True),
    )
    for word in search_key(search).split():
        schools = schools.filter(search_text__contains=word)
    return schools.order_by("code")


def name_reading_school_ids(user: User) -> set[int]:
    """The schools whose pupils' names the user reads: where they hold a role with READ_PUPILS, held in that
    school — never through a department (R11)."""
    return user.school_ids_with_role(*roles_with(Capability.READ_PUPILS))


def pupils_visible_to(user: User) -> QuerySet[Pupil]:
    """Pupils' records with names: only for the roles of the pupil's own school that read them (R11)."""
    school_ids = name_reading_school_ids(user)
    if not school_ids:
        return Pupil.objects.none()
    return Pupil.objects.filter(school_id__in=school_ids)


def pupil_list(*, user: User, school: School, search: str = "", class_id: int | None = None) -> QuerySet[Pupil]:
    pupils = pupils_visible_to(user).filter(school=school, is_active=True).select_related("school_class")
    for word in search_key(search).split():
        pupils = pupils.filter(search_text__contains=word)
    if class_id:
        pupils = pupils.filter(school_class_id=class_id)
    return pupils.order_by("last_name", "first_name", "middle_name", "id")


def classes_of(*, school: School, academic_year: int | None = None) -> QuerySet[SchoolClass]:
    """A school's classes with their pupil counts (no names), for any role that may see the school."""
    classes = school.classes.annotate(pupil_count=Count("pupils", filter=Q(pupils__is_active=True)))
    if academic_year is not None:
        classes = classes.filter(academic_year=academic_year)
    return classes.order_by("-academic_year", "grade", "letter")


def staff_visible_to(user: User) -> QuerySet[Staff]:
    """Staff records of the schools where the user reads the staff (VIEW_STAFF: the school's managers their
    school, the department its municipality)."""
    return Staff.objects.filter(school__in=schools_with(user, Capability.VIEW_STAFF).values("pk"))


def staff_list(*, user: User, school: School, search: str = "") -> QuerySet[Staff]:
    staff = (
        staff_visible_to(user)
        .filter(school=school)
        .prefetch_related("subject_experience__subject", "teaching_loads__school_class", "teaching_loads__subject")
    )
    for word in search_key(search).split():
        staff = staff.filter(search_text__contains=word)
    return staff.order_by("-is_active", "last_name", "first_name")


def audit_visible_to(user: User) -> QuerySet[AuditEntry]:
    """Audit entries: a director reads their school's; the department reads its municipality's
    (with everything a school typed redacted on display, see `audit_row`)."""
    readers = roles_with(Capability.VIEW_AUDIT)
    department_ids = user.department_ids_with_role(*readers)
    school_ids = user.school_ids_with_role(*readers)
    condition = Q(pk__in=[])
    if school_ids:
        condition |= Q(school_id__in=school_ids)
    if department_ids:
        condition |= Q(school__department_id__in=department_ids) | Q(department_id__in=department_ids)
    return AuditEntry.objects.filter(condition).select_related("school")


AUDIT_MASK = "•••"
# What a school's audit entry may show to a reader outside the school (the department): values declared safe
# here — codes, counts, statuses, ids, dates. Every other value (names, searches, reasons, comments, notes,
# any text a school typed) is private by default, so a field added to an audit entry later stays hidden
# until someone declares it here.
AUDIT_PUBLIC_FIELDS = frozenset(
    {
        # statuses, versions, flags
        "status",
        "version",
        "kind",
        "mode",
        "late",
        "is_active",
        "materials_collected",
        "handed_to_coordinator",
        "role",
        "duty",
        # codes of campaigns, assessments, participants
        "campaign",
        "assessment",
        "code",
        "codes",
        "first",
        "last",
        # counts
        "page",
        "created",
        "updated",
        "unchanged",
        "classes_created",
        "changed",
        "new",
        "rows",
        "cells",
        "kept",
        "removed",
        "stale_kept",
        "unassigned",
        "issued",
        "assessments",
        "seated",
        "works",
        "tasks",
        "max",
        "columns",
        "size",
        "schools",
        "document",
        # dates and times
        "date",
        "due",
        "released_at",
        "starts_at",
        "started_at",
        "ends_at",
        "ends_at_extended",
    }  # fmt: skip
)
# Actions whose every value is generated by the portal from codes and dates, never typed (e.g. the schedule's
# «class assessment: date, lesson»); fields named by a school (a school's own name) are public for that action.
AUDIT_PUBLIC_ACTIONS = frozenset({"schedule.saved", "schedule.entries_unassigned"})
AUDIT_PUBLIC_FIELDS_OF_ACTION = {
    "school.updated": frozenset({"name", "short_name", "time_zone"}),
    "second_factor.reset": frozenset({"devices"}),  # a count, from the department's own action
}
# Targets whose label is registry data the department owns (not text typed in a school).
AUDIT_PUBLIC_TARGETS = frozenset({"schools.school", "procedures.campaign", "procedures.assessment"})


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as its reader may see it."""

    created_at: object
    actor_name: str
    action: str
    school_code: str
    target_label: str
    reason: str
    changes: list[tuple[str, object, object]]
    # The same in people's words: the action's phrase, the kind of object, and (field, before, after) with
    # fields named and values formatted for the reader (see `schools.audit_labels`).
    action_label: str = ""
    target_kind: str = ""
    lines: tuple[tuple[str, str, str], ...] = ()


def _is_public_value(value) -> bool:
    if isinstance(value, list):
        return all(_is_public_value(item) for item in value)
    return value is None or isinstance(value, str | int | float | bool)


def _audit_public(entry: AuditEntry, field: str, value) -> bool:
    if entry.action in AUDIT_PUBLIC_ACTIONS:
        return True
    declared = field in AUDIT_PUBLIC_FIELDS or field in AUDIT_PUBLIC_FIELDS_OF_ACTION.get(entry.action, ())
    return declared and _is_public_value(value)


def audit_reads_in_full(entry: AuditEntry, *, user: User) -> bool:
    """Whether the user reads everything an entry holds: its school's name-reading roles do; readers outside
    the school (the department) read only what is declared safe. Entries of the department itself (no school)
    are read in full unless they carry pupils' data."""
    if entry.school_id is not None:
        return entry.school_id in name_reading_school_ids(user)
    return not entry.has_personal_data


def audit_row(entry: AuditEntry, *, user: User) -> AuditRow:
    """An entry rendered for its reader: for a reader outside the entry's school every value not declared safe
    is shown as «•••»."""
    full = audit_reads_in_full(entry, user=user)
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if not full:
            old = old if _audit_public(entry, field, old) else AUDIT_MASK
            new = new if _audit_public(entry, field, new) else AUDIT_MASK
        changes.append((field, old, new))
    label = entry.target_label
    if not full and label and entry.target_type not in AUDIT_PUBLIC_TARGETS:
        label = AUDIT_MASK
    reason = entry.reason if full or not entry.reason else AUDIT_MASK
    target_type = entry.target_type
    lines = tuple(
        (
            audit_labels.field_label(field, target_type=target_type),
            audit_labels.format_value(old, field=field, target_type=target_type, mask=AUDIT_MASK),
            audit_labels.format_value(new, field=field, target_type=target_type, mask=AUDIT_MASK),
        )
        for field, old, new in changes
    )
    return AuditRow(
        created_at=entry.created_at,
        actor_name=entry.actor_name,
        action=entry.action,
        school_code=entry.school.code if entry.school_id else "",
        target_label=label,
        reason=reason,
        changes=changes,
        action_label=audit_labels.action_phrase(entry.action),
        target_kind=audit_labels.target_type_label(target_type) if target_type else "",
        lines=lines,
    )


def audit_filtered(
    entries: QuerySet[AuditEntry],
    *,
    user: User,
    kind: str = "",
    action: str = "",
    target_type: str = "",
    target: str = "",
) -> QuerySet[AuditEntry]:
    """Entries of one kind of action (a group of the catalogue), one action (its code or the start of it),
    one kind of object, and objects whose name or code contains `target`. A reader outside a school finds by
    name only objects whose names they may read, so a search never tells them a pupil's name."""
    group = audit_labels.GROUPS.get(kind)
    if group is not None:
        entries = entries.filter(action__in=list(group.actions))
    if action:
        entries = entries.filter(action__startswith=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target:
        readable = (
            Q(school_id__in=name_reading_school_ids(user))
            | Q(school__isnull=True, has_personal_data=False)
            | Q(target_type__in=AUDIT_PUBLIC_TARGETS)
        )
        entries = entries.filter(readable & Q(target_label__icontains=target) | Q(school__code=target))
    return entries


def audit_target_types(entries: QuerySet[AuditEntry]) -> list[tuple[str, str]]:
    """The kinds of object the entries are about, as (type, name) sorted by name."""
    types = entries.exclude(target_type="").order_by().values_list("target_type", flat=True).distinct()
    return sorted(((kind, audit_labels.target_type_label(kind)) for kind in types), key=lambda pair: pair[1])


def audit_changes(entry: AuditEntry, *, user: User) -> list[tuple[str, object, object]]:
    """The fields an entry changed as (field, before, after), as the user may read them (see `audit_row`)."""
    return audit_row(entry, user=user).changes


def notifications_of(user: User):
    from .models import Notification

    return Notification.objects.filter(user=user)


def unread_notification_count(user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


# People and roles ------------------------------------------------------------------------------------------

# What a school's managers may grant in their school; the department (MANAGE_PEOPLE held in a department)
# grants every role.
SCHOOL_GRANTABLE = {
    Role.DIRECTOR: frozenset({Role.SCHOOL_COORDINATOR, Role.TECHNICAL_SPECIALIST, Role.ORGANIZER, Role.EXPERT}),
    Role.SCHOOL_COORDINATOR: frozenset({Role.TECHNICAL_SPECIALIST, Role.ORGANIZER, Role.EXPERT}),
}


def memberships_manageable_by(user: User):
    """Role assignments the user may see and withdraw: the department's in its municipality, a school's
    managers' in their school (only the roles they may grant)."""
    from .models import Membership

    department_ids = user.department_ids_with_role(*roles_with(Capability.MANAGE_PEOPLE))
    condition = Q(department_id__in=department_ids) | Q(school__department_id__in=department_ids)
    for manager_role, grantable in SCHOOL_GRANTABLE.items():
        school_ids = user.school_ids_with_role(manager_role)
        if school_ids:
            condition |= Q(school_id__in=school_ids, role__in=grantable)
    return Membership.objects.filter(condition).select_related("user", "school", "department")


def people_list(*, user: User, search: str = ""):
    memberships = memberships_manageable_by(user).filter(is_active=True)
    for word in search_key(search).split():
        memberships = memberships.filter(
            Q(user__last_name__icontains=word) | Q(user__username__icontains=word) | Q(school__code__icontains=word)
        )
    return memberships.order_by("user__last_name", "user__first_name", "user__username", "role")


def grantable_choices(user: User) -> tuple[list[tuple[str, str]], QuerySet[School]]:
    """The roles the user may grant and the schools in which."""
    department_ids = user.department_ids_with_role(*roles_with(Capability.MANAGE_PEOPLE))
    if department_ids:
        return list(Role.choices), School.objects.filter(department_id__in=department_ids).select_related("department")
    granted: set[str] = set()
    school_ids: set[int] = set()
    for manager_role, grantable in SCHOOL_GRANTABLE.items():
        ids = user.school_ids_with_role(manager_role)
        if ids:
            granted |= grantable
            school_ids |= ids
    return [c for c in Role.choices if c[0] in granted], School.objects.filter(id__in=school_ids)
