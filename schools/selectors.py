"""Reads of the registry, each starting from what the user may see."""

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from .models import (
    DEPARTMENT_ROLES,
    NAME_READING_ROLES,
    AuditEntry,
    Pupil,
    Role,
    School,
    SchoolClass,
    Staff,
    User,
    search_key,
)

# Roles that read the whole municipality (every school of their department).
MUNICIPAL_READERS = frozenset({Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.DEPARTMENT_REPRESENTATIVE})
SCHOOL_MANAGERS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR})


def schools_visible_to(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[School]:
    """Schools the user may open through one of `roles` (all their roles when None)."""
    roles = set(roles) if roles is not None else set(user.roles)
    department_ids = user.department_ids_with_role(*(roles & MUNICIPAL_READERS))
    school_ids = user.school_ids_with_role(*(roles - DEPARTMENT_ROLES))
    if not department_ids and not school_ids:
        return School.objects.none()
    return School.objects.filter(Q(department_id__in=department_ids) | Q(id__in=school_ids)).select_related(
        "department"
    )


def school_list_for(user: User, *, search: str = "") -> QuerySet[School]:
    schools = schools_visible_to(user).annotate(
        pupil_count=Count("pupils", filter=Q(pupils__is_active=True), distinct=True),
    )
    for word in search_key(search).split():
        schools = schools.filter(search_text__contains=word)
    return schools.order_by("code")


def pupils_visible_to(user: User) -> QuerySet[Pupil]:
    """Pupils' records with names: only for the roles of the pupil's own school that need them (R11)."""
    school_ids = user.school_ids_with_role(*NAME_READING_ROLES)
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
    """Staff records: the school's managers for their school, department staff for their municipality."""
    return Staff.objects.filter(school__in=schools_visible_to(user, roles=SCHOOL_MANAGERS | MUNICIPAL_READERS))


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
    (with pupils' names redacted on display, see `audit_changes`)."""
    department_ids = user.department_ids_with_role(Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)
    director_school_ids = user.school_ids_with_role(Role.DIRECTOR)
    condition = Q(pk__in=[])
    if director_school_ids:
        condition |= Q(school_id__in=director_school_ids)
    if department_ids:
        condition |= Q(school__department_id__in=department_ids) | Q(department_id__in=department_ids)
    return AuditEntry.objects.filter(condition).select_related("school")


PERSONAL_FIELDS = frozenset({"last_name", "first_name", "middle_name", "full_name", "name"})


def audit_changes(entry: AuditEntry, *, user: User) -> list[tuple[str, object, object]]:
    """The fields an entry changed as (field, before, after); pupils' names are hidden from anyone
    outside the pupil's school."""
    before, after = entry.before or {}, entry.after or {}
    may_read_names = entry.school_id in user.school_ids_with_role(*NAME_READING_ROLES)
    rows = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if entry.has_personal_data and field in PERSONAL_FIELDS and not may_read_names:
            old = new = "•••"
        rows.append((field, old, new))
    return rows


def notifications_of(user: User):
    from .models import Notification

    return Notification.objects.filter(user=user)


def unread_notification_count(user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


# People and roles ------------------------------------------------------------------------------------------

PEOPLE_MANAGERS = frozenset({Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.SCHOOL_COORDINATOR, Role.DIRECTOR})
# What a school's managers may grant in their school; the department grants every role.
SCHOOL_GRANTABLE = {
    Role.DIRECTOR: frozenset({Role.SCHOOL_COORDINATOR, Role.TECHNICAL_SPECIALIST, Role.ORGANIZER, Role.EXPERT}),
    Role.SCHOOL_COORDINATOR: frozenset({Role.TECHNICAL_SPECIALIST, Role.ORGANIZER, Role.EXPERT}),
}


def memberships_manageable_by(user: User):
    """Role assignments the user may see and withdraw: the department's in its municipality, a school's
    managers' in their school (only the roles they may grant)."""
    from .models import Membership

    department_ids = user.department_ids_with_role(Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)
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
    if user.has_role(Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR):
        roles = list(Role.choices)
        schools = schools_visible_to(user, roles={Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR})
        return roles, schools
    granted: set[str] = set()
    school_ids: set[int] = set()
    for manager_role, grantable in SCHOOL_GRANTABLE.items():
        ids = user.school_ids_with_role(manager_role)
        if ids:
            granted |= grantable
            school_ids |= ids
    return [c for c in Role.choices if c[0] in granted], School.objects.filter(id__in=school_ids)
