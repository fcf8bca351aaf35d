"""Factories of observation: registry entries of public observers and department representatives."""

from monitoring.models import Person
from schools.models import Department, Role
from tests.factories import user_with_role


def make_person(
    department: Department, *, kind: str = Person.Kind.OBSERVER, username: str | None = None, **fields
) -> Person:
    """A registry entry with its account holding the role of its kind in the department; the account's name
    from `last_name` / `first_name` if given."""
    role = Role.OBSERVER if kind == Person.Kind.OBSERVER else Role.DEPARTMENT_REPRESENTATIVE
    names = {key: fields.pop(key) for key in ("last_name", "first_name", "middle_name") if key in fields}
    if username:
        names["username"] = username
    user = user_with_role(role, department=department, **names)
    return Person.objects.create(department=department, user=user, kind=kind, **fields)
