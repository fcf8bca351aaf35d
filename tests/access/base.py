from collections.abc import Callable
from dataclasses import dataclass

from schools.access import Capability, roles_with
from schools.models import DEPARTMENT_ROLES, SCHOOL_ROLES, Role

ALL = frozenset(Role)
DEPT = frozenset(DEPARTMENT_ROLES)
MUNICIPAL = frozenset({Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR})
SCHOOL = frozenset(SCHOOL_ROLES)
NAME_READERS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.TECHNICAL_SPECIALIST})
EDITORS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR})


def school_kwargs(objs: dict) -> dict:
    return {"school_code": objs["school"].code}


@dataclass(frozen=True)
class Page:
    """Who may open a URL (GET) and with what status; everybody else gets `denied` (anonymous: log-in).

    `access` is the capability the URL's view declares — the roles that may open it then follow from the
    capabilities table (schools.access), so changing the table changes the expectations — or, for a page
    open to everyone or outside the table (log-in, password, second factor), the set of roles itself.
    `kwargs` builds the URL's arguments from the objects of one school (see tests/access/__init__.py);
    `scoped` marks pages about one school's objects, which a user of another school must get as 404.
    `object_access` is the capability the page's object asks beyond the page's own (a school's set of printables
    holds names: PRINT_NAMES): a role with the page's capability but not the object's gets 404.
    """

    access: Capability | frozenset
    ok: int = 200
    kwargs: Callable[[dict], dict] | None = None
    scoped: bool = False
    public: bool = False
    anonymous_status: int | None = None
    denied: int = 403
    object_access: Capability | None = None

    @property
    def capability(self) -> Capability | None:
        return self.access if isinstance(self.access, Capability) else None

    @property
    def allowed(self) -> frozenset:
        return roles_with(self.access) if self.capability else frozenset(self.access)

    def expected(self, role) -> int:
        if role not in self.allowed:
            return self.denied
        if self.object_access is not None and role not in roles_with(self.object_access):
            return 404
        return self.ok
