"""The department's registry of public observers and of its representatives: the accounts with their
role, identity documents, sending organisations and contacts, declared relatives (R5), deactivation (never
deletion) and whether each observer has confirmed their instruction (приложение 2, п. 2.1)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import OBSERVER_INSTRUCTION_VERSION, InstructionAcknowledgement, Person, PersonRelative
from schools.access import Capability, department_ids_with
from schools.models import Department, Membership, Role, School, SchoolClass, User
from schools.services import audit_record, role_grant

ROLE_OF_KIND = {Person.Kind.OBSERVER: Role.OBSERVER, Person.Kind.REPRESENTATIVE: Role.DEPARTMENT_REPRESENTATIVE}
PERSON_FIELDS = ("kind", "identity_document", "organisation", "phone", "workplace_school")
USER_FIELDS = ("last_name", "first_name", "middle_name", "email")


@dataclass(frozen=True)
class RegistryFilters:
    search: str = ""
    kind: str = ""
    active: str = ""  # "1" active only, "0" deactivated only, "" both


def registry_of(user: User, filters: RegistryFilters = RegistryFilters()) -> QuerySet[Person]:
    """The registry entries of the departments the user manages observers of, filtered, by name; each with
    `instruction_read_at`, when the person confirmed the current edition of the observer's instruction."""
    persons = Person.objects.filter(department_id__in=department_ids_with(user, Capability.MANAGE_OBSERVERS))
    if filters.search:
        words = filters.search.split()
        for word in words:
            persons = persons.filter(
                Q(user__last_name__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__middle_name__icontains=word)
                | Q(organisation__icontains=word)
            )
    if filters.kind in Person.Kind.values:
        persons = persons.filter(kind=filters.kind)
    if filters.active in ("0", "1"):
        persons = persons.filter(is_active=filters.active == "1")
    read = InstructionAcknowledgement.objects.filter(
        user_id=OuterRef("user_id"),
        instruction=InstructionAcknowledgement.Instruction.OBSERVER,
        version=OBSERVER_INSTRUCTION_VERSION,
    )
    return (
        persons.select_related("user", "workplace_school", "department")
        .annotate(instruction_read_at=Subquery(read.values("acknowledged_at")[:1]))
        .order_by("user__last_name", "user__first_name", "user__middle_name", "pk")
    )


def registry_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=department_ids_with(user, Capability.MANAGE_OBSERVERS)).order_by("pk")


def _snapshot(person: Person) -> dict:
    user = person.user
    return {
        "kind": person.get_kind_display(),
        "identity_document": person.identity_document,
        "organisation": person.organisation,
        "phone": person.phone,
        "workplace_school": person.workplace_school.short_name if person.workplace_school_id else "",
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "email": user.email,
    }


def _check_workplace(department: Department, workplace: School | None) -> None:
    if workplace is not None and workplace.department_id != department.pk:
        raise ValidationError(_("Место работы — школа другого муниципалитета: оставьте поле пустым."))


@transaction.atomic
def person_create(
    *,
    department: Department,
    actor: User,
    username: str,
    kind: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    identity_document: str = "",
    organisation: str = "",
    phone: str = "",
    workplace_school: School | None = None,
) -> tuple[Person, bool]:
    """Enters a person in the registry: their account with the role of their kind in the department (created as
    the people pages create accounts, with a random password the person replaces through the e-mailed link) and
    the registry entry. Returns the entry and whether the account was created now."""
    if kind not in Person.Kind.values:
        raise ValidationError(_("Выберите, кто это: наблюдатель или представитель."))
    _check_workplace(department, workplace_school)
    existing = User.objects.filter(username=username).first()
    if existing is not None and Person.objects.filter(user=existing).exists():
        raise ValidationError(_("Этот логин уже есть в реестре."))
    user, created = role_grant(
        actor=actor,
        role=ROLE_OF_KIND[kind],
        school=None,
        department=department,
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
    )
    person = Person.objects.create(
        department=department,
        user=user,
        kind=kind,
        identity_document=identity_document,
        organisation=organisation,
        phone=phone,
        workplace_school=workplace_school,
        created_by=actor,
    )
    audit_record(actor=actor, action="observer.created", target=person, department=department, after=_snapshot(person))
    return person, created


@transaction.atomic
def person_update(*, person: Person, actor: User, data: dict) -> Person:
    """Changes a registry entry and its account's name and e-mail; a changed kind moves the account to the other
    role. Audited with what changed."""
    before = _snapshot(person)
    _check_workplace(person.department, data.get("workplace_school"))
    old_kind = person.kind
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    if person.kind not in Person.Kind.values:
        raise ValidationError(_("Выберите, кто это: наблюдатель или представитель."))
    user = person.user
    for field in USER_FIELDS:
        if field in data:
            setattr(user, field, data[field])
    user.full_clean()
    user.save(update_fields=list(USER_FIELDS))
    person.save(update_fields=list(PERSON_FIELDS))
    if person.kind != old_kind and person.is_active:
        _set_membership(person, ROLE_OF_KIND[old_kind], active=False)
        _set_membership(person, ROLE_OF_KIND[person.kind], active=True)
    after = _snapshot(person)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        audit_record(
            actor=actor,
            action="observer.updated",
            target=person,
            department=person.department,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return person


def _set_membership(person: Person, role: str, *, active: bool) -> None:
    membership, _new = Membership.objects.get_or_create(
        user=person.user, role=role, department=person.department, school=None, defaults={"is_active": active}
    )
    if membership.is_active != active:
        membership.is_active = active
        membership.save(update_fields=["is_active"])


@transaction.atomic
def person_deactivate(*, person: Person, actor: User) -> Person:
    """Deactivates a registry entry: its role in the department is withdrawn (the account no longer reaches the
    observation pages) and its assignments stop being in force; nothing is deleted."""
    if not person.is_active:
        raise ValidationError(_("Запись уже деактивирована."))
    _set_membership(person, ROLE_OF_KIND[person.kind], active=False)
    person.is_active = False
    person.deactivated_at = timezone.now()
    person.deactivated_by = actor
    person.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    audit_record(actor=actor, action="observer.deactivated", target=person, department=person.department)
    return person


@transaction.atomic
def person_reactivate(*, person: Person, actor: User) -> Person:
    """Restores a deactivated entry and its role."""
    if person.is_active:
        raise ValidationError(_("Запись и так действует."))
    _set_membership(person, ROLE_OF_KIND[person.kind], active=True)
    person.is_active = True
    person.deactivated_at = None
    person.deactivated_by = None
    person.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    audit_record(actor=actor, action="observer.reactivated", target=person, department=person.department)
    return person


@transaction.atomic
def person_relative_declare(
    *, person: Person, school: School, school_class: SchoolClass | None, relation: str, actor: User
) -> PersonRelative:
    """Records a close relative the person declared among a school's pupils (R5): the school and, if known, the
    class — never the pupil's name (R11)."""
    if school.department_id != person.department_id:
        raise ValidationError(_("Школа другого муниципалитета."))
    if school_class is not None and school_class.school_id != school.pk:
        raise ValidationError(_("Этот класс из другой школы."))
    duplicate = PersonRelative.objects.filter(person=person, school=school, school_class=school_class)
    if duplicate.exists():
        raise ValidationError(_("Такое родство уже заявлено."))
    relative = PersonRelative.objects.create(person=person, school=school, school_class=school_class, relation=relation)
    audit_record(
        actor=actor,
        action="observer.relative_declared",
        target=person,
        department=person.department,
        after={
            "school": school.short_name,
            "class": school_class.name if school_class else "",
            "relation": relative.get_relation_display(),
        },
    )
    return relative


@transaction.atomic
def person_relative_remove(*, relative: PersonRelative, actor: User) -> None:
    person = relative.person
    audit_record(
        actor=actor,
        action="observer.relative_removed",
        target=person,
        department=person.department,
        before={
            "school": relative.school.short_name,
            "class": relative.school_class.name if relative.school_class_id else "",
            "relation": relative.get_relation_display(),
        },
    )
    relative.delete()


def relatives_of(person: Person) -> QuerySet[PersonRelative]:
    return person.relatives.select_related("school", "school_class").order_by("school__code", "pk")
