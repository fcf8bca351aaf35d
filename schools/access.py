"""Who may do what, and where: one table of capabilities per role, one scope kind per role.

A view declares the capability it needs (`capability = Capability.X`) and the shape of its URL (a school, a
campaign, a school × campaign …) through a resolver mixin. Without the capability the user gets 403; with it,
an object outside the user's scope does not exist for them (404).

Scope kinds:
- department: every school of the department the role is held in;
- school: the school the role is held in;
- assigned: the objects the person is assigned to (an expert's works, an organizer's rooms, an observer's
  sittings), plus the school the role is held in, when it is held in a school. Apps register how to find
  the assigned objects with `register_assignment`; a role held in a department (a commission expert)
  reaches the schools of its assigned objects that way, without a mechanism of its own.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from vpr_portal.access import CapabilityRequiredMixin, get_scoped_or_404
from vpr_portal.catalogue import remembered

from .models import DEPARTMENT_ROLES, Delegation, Role, School, User


class Capability(enum.StrEnum):
    # the registry of schools, classes, pupils and staff
    VIEW_SCHOOL = "view_school"
    EDIT_SCHOOL = "edit_school"
    IMPORT_SCHOOLS = "import_schools"
    READ_PUPILS = "read_pupils"  # pupils' names (R11)
    EDIT_PUPILS = "edit_pupils"
    IMPORT_PUPILS = "import_pupils"
    VIEW_STAFF = "view_staff"
    EDIT_STAFF = "edit_staff"
    MANAGE_PEOPLE = "manage_people"
    RESET_SECOND_FACTOR = "reset_second_factor"
    VIEW_AUDIT = "view_audit"
    READ_NOTIFICATIONS = "read_notifications"
    # campaigns, the catalogue, the plan-graph and the department's documents
    VIEW_CAMPAIGNS = "view_campaigns"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    KEEP_PLAN = "keep_plan"
    KEEP_WORKING_CALENDAR = "keep_working_calendar"
    VIEW_CHECKLIST = "view_checklist"
    MARK_STAGES = "mark_stages"
    PUBLISH_DOCUMENTS = "publish_documents"
    READ_DOCUMENTS = "read_documents"
    ACKNOWLEDGE_DOCUMENTS = "acknowledge_documents"
    # class assignment and schedules
    DECIDE_SCHEDULES = "decide_schedules"
    VIEW_SCHEDULE = "view_schedule"
    SUBMIT_SCHEDULE = "submit_schedule"
    # the school's order
    VIEW_ORDER = "view_order"
    ISSUE_ORDER = "issue_order"
    APPROVE_ORDER = "approve_order"
    # participants, rooms, sittings and printing
    VIEW_PARTICIPANTS = "view_participants"
    EDIT_PARTICIPANTS = "edit_participants"
    VIEW_ROOMS = "view_rooms"
    PREPARE_ROOMS = "prepare_rooms"
    PRINT_MATERIALS = "print_materials"  # code slips, code lists, room lists and plans: codes, no names
    PRINT_NAMES = "print_names"  # the protocol pairing codes with pupils' names, and the school's whole set
    DELEGATE_PRINTING = "delegate_printing"  # allow the technical specialist to print the protocols
    WORK_IN_ROOM = "work_in_room"  # the organizer's rooms, their lists and protocols
    VIEW_PROTOCOLS = "view_protocols"
    # the room protocol page: the organizer fills it, the school corrects it, the director reads it
    OPEN_ROOM_PROTOCOL = "open_room_protocol"
    CORRECT_PROTOCOL = "correct_protocol"
    # grading
    GRADE_WORKS = "grade_works"
    ENTER_SCORES = "enter_scores"
    MANAGE_GRADING = "manage_grading"
    VIEW_GRADING_PROGRESS = "view_grading_progress"
    VIEW_SCORE_HISTORY = "view_score_history"
    # results, the ФИС ОКО form and its upload
    VIEW_RESULTS = "view_results"
    RESULTS_FORM = "results_form"
    UPLOAD_RESULTS_FORM = "upload_results_form"
    IMPORT_RESULTS = "import_results"
    UPLOAD_SCANS = "upload_scans"
    VIEW_UPLOADS = "view_uploads"
    MONITOR_UPLOADS = "monitor_uploads"
    VIEW_RETENTION = "view_retention"
    # the department's overviews and observation
    MONITOR = "monitor"
    VIEW_OVERVIEW = "view_overview"
    OBSERVE = "observe"
    # observation: the registry and assignments, the school's placing, acts and cards read, violations, video
    MANAGE_OBSERVERS = "manage_observers"  # the department: registry, assignments, lotteries
    PLACE_OBSERVERS = "place_observers"  # the school's coordinator places the observers in rooms
    VIEW_OBSERVATION = "view_observation"  # who comes, the acts and monitoring cards (a school: its own)
    VIEW_VIOLATIONS = "view_violations"  # the department: every school's; a school: its own
    ANSWER_VIOLATIONS = "answer_violations"  # the school answers a violation
    CLOSE_VIOLATIONS = "close_violations"  # the department records violations and closes them
    RECORD_VIDEO = "record_video"  # the school records the sittings' video surveillance
    # re-check (перепроверка)
    MANAGE_RECHECK = "manage_recheck"  # the department: selection, receipt, commission, adjudication, protocol
    SEND_RECHECK_SCANS = "send_recheck_scans"  # the school: scans of the selected works, the cover letter
    RECHECK_WORKS = "recheck_works"  # a commission expert: the works distributed to them, blind
    VIEW_AGREEMENT = "view_agreement"  # marker agreement: the department every expert's card; an expert their own
    # objectivity signals and their cases (разборы), the signals' thresholds
    VIEW_CASES = "view_cases"  # the department: every school's cases; a school: its own
    ANSWER_CASES = "answer_cases"  # the school answers the department's question
    DECIDE_CASES = "decide_cases"  # the department asks, records its conclusion and measures, closes
    SET_THRESHOLDS = "set_thresholds"  # the signals' thresholds, with their history
    # reports and management decisions
    VIEW_SCHOOL_REPORT = "view_school_report"  # the school's analytical справка (the department: every school's)
    WRITE_CONCLUSIONS = "write_conclusions"  # the school writes its conclusions and measures, builds its справка
    BUILD_MUNICIPAL_REPORT = "build_municipal_report"  # the department's analytical report of a campaign
    PRINT_PARENT_SLIPS = "print_parent_slips"  # parents' results slips (names: the school only, R11)
    VIEW_DECISIONS = "view_decisions"  # management decisions: the department every school's; a school its own
    RECORD_DECISIONS = "record_decisions"  # record a decision and later its outcome (department or school)


class Scope(enum.StrEnum):
    DEPARTMENT = "department"
    SCHOOL = "school"
    ASSIGNED = "assigned"


SCOPES: dict[Role, Scope] = {
    Role.DEPARTMENT_STAFF: Scope.DEPARTMENT,
    Role.MUNICIPAL_COORDINATOR: Scope.DEPARTMENT,
    Role.DEPARTMENT_REPRESENTATIVE: Scope.DEPARTMENT,
    Role.SCHOOL_COORDINATOR: Scope.SCHOOL,
    Role.DIRECTOR: Scope.SCHOOL,
    Role.TECHNICAL_SPECIALIST: Scope.SCHOOL,
    Role.ORGANIZER: Scope.ASSIGNED,
    Role.EXPERT: Scope.ASSIGNED,
    Role.OBSERVER: Scope.ASSIGNED,
}

C = Capability

# What the department's specialists and municipal coordinators do: they run the municipality's campaigns.
_MUNICIPAL = frozenset(
    {
        C.VIEW_SCHOOL,
        C.EDIT_SCHOOL,
        C.IMPORT_SCHOOLS,
        C.VIEW_STAFF,
        C.MANAGE_PEOPLE,
        C.RESET_SECOND_FACTOR,
        C.VIEW_AUDIT,
        C.READ_NOTIFICATIONS,
        C.VIEW_CAMPAIGNS,
        C.MANAGE_CAMPAIGNS,
        C.KEEP_PLAN,
        C.KEEP_WORKING_CALENDAR,
        C.PUBLISH_DOCUMENTS,
        C.READ_DOCUMENTS,
        C.DECIDE_SCHEDULES,
        C.VIEW_SCHEDULE,
        C.VIEW_ORDER,
        C.VIEW_SCORE_HISTORY,
        C.VIEW_RESULTS,
        C.VIEW_UPLOADS,
        C.MONITOR_UPLOADS,
        C.VIEW_RETENTION,
        C.MONITOR,
        C.VIEW_OVERVIEW,
        C.VIEW_CASES,
        C.DECIDE_CASES,
        C.SET_THRESHOLDS,
        C.MANAGE_OBSERVERS,
        C.VIEW_OBSERVATION,
        C.VIEW_VIOLATIONS,
        C.CLOSE_VIOLATIONS,
        C.MANAGE_RECHECK,
        C.VIEW_AGREEMENT,
        C.VIEW_SCHOOL_REPORT,
        C.BUILD_MUNICIPAL_REPORT,
        C.VIEW_DECISIONS,
        C.RECORD_DECISIONS,
    }
)

CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.DEPARTMENT_STAFF: _MUNICIPAL,
    Role.MUNICIPAL_COORDINATOR: _MUNICIPAL,
    # the department's representative reads the municipality: schools, campaigns, monitoring
    Role.DEPARTMENT_REPRESENTATIVE: frozenset({C.VIEW_SCHOOL, C.READ_NOTIFICATIONS, C.VIEW_CAMPAIGNS, C.MONITOR}),
    # the school's coordinator prepares and runs everything in the school
    Role.SCHOOL_COORDINATOR: frozenset(
        {
            C.VIEW_SCHOOL,
            C.EDIT_SCHOOL,
            C.READ_PUPILS,
            C.EDIT_PUPILS,
            C.IMPORT_PUPILS,
            C.VIEW_STAFF,
            C.EDIT_STAFF,
            C.MANAGE_PEOPLE,
            C.READ_NOTIFICATIONS,
            C.VIEW_CAMPAIGNS,
            C.VIEW_CHECKLIST,
            C.MARK_STAGES,
            C.READ_DOCUMENTS,
            C.ACKNOWLEDGE_DOCUMENTS,
            C.VIEW_SCHEDULE,
            C.SUBMIT_SCHEDULE,
            C.VIEW_ORDER,
            C.ISSUE_ORDER,
            C.VIEW_PARTICIPANTS,
            C.EDIT_PARTICIPANTS,
            C.VIEW_ROOMS,
            C.PREPARE_ROOMS,
            C.PRINT_MATERIALS,
            C.PRINT_NAMES,
            C.DELEGATE_PRINTING,
            C.VIEW_PROTOCOLS,
            C.OPEN_ROOM_PROTOCOL,
            C.CORRECT_PROTOCOL,
            C.ENTER_SCORES,
            C.MANAGE_GRADING,
            C.VIEW_GRADING_PROGRESS,
            C.VIEW_SCORE_HISTORY,
            C.VIEW_RESULTS,
            C.RESULTS_FORM,
            C.UPLOAD_RESULTS_FORM,
            C.IMPORT_RESULTS,
            C.UPLOAD_SCANS,
            C.VIEW_UPLOADS,
            C.VIEW_RETENTION,
            C.VIEW_CASES,
            C.ANSWER_CASES,
            C.PLACE_OBSERVERS,
            C.VIEW_OBSERVATION,
            C.VIEW_VIOLATIONS,
            C.ANSWER_VIOLATIONS,
            C.RECORD_VIDEO,
            C.SEND_RECHECK_SCANS,
            C.VIEW_SCHOOL_REPORT,
            C.WRITE_CONCLUSIONS,
            C.PRINT_PARENT_SLIPS,
            C.VIEW_DECISIONS,
            C.RECORD_DECISIONS,
        }
    ),
    # the director reads the school's preparation and results, manages its people and approves the order
    Role.DIRECTOR: frozenset(
        {
            C.VIEW_SCHOOL,
            C.EDIT_SCHOOL,
            C.READ_PUPILS,
            C.EDIT_PUPILS,
            C.VIEW_STAFF,
            C.EDIT_STAFF,
            C.MANAGE_PEOPLE,
            C.VIEW_AUDIT,
            C.READ_NOTIFICATIONS,
            C.VIEW_CAMPAIGNS,
            C.VIEW_CHECKLIST,
            C.READ_DOCUMENTS,
            C.ACKNOWLEDGE_DOCUMENTS,
            C.VIEW_SCHEDULE,
            C.VIEW_ORDER,
            C.ISSUE_ORDER,
            C.APPROVE_ORDER,
            C.VIEW_PARTICIPANTS,
            C.VIEW_ROOMS,
            C.PRINT_MATERIALS,
            C.PRINT_NAMES,
            C.VIEW_PROTOCOLS,
            C.OPEN_ROOM_PROTOCOL,
            C.VIEW_GRADING_PROGRESS,
            C.VIEW_RESULTS,
            C.RESULTS_FORM,
            C.VIEW_UPLOADS,
            C.VIEW_CASES,
            C.ANSWER_CASES,
            C.VIEW_OBSERVATION,
            C.VIEW_VIOLATIONS,
            C.ANSWER_VIOLATIONS,
            C.VIEW_SCHOOL_REPORT,
            C.WRITE_CONCLUSIONS,
            C.PRINT_PARENT_SLIPS,
            C.VIEW_DECISIONS,
            C.RECORD_DECISIONS,
        }
    ),
    # the technical specialist prints the materials, fills the ФИС ОКО form, uploads it and the scans
    Role.TECHNICAL_SPECIALIST: frozenset(
        {
            C.VIEW_SCHOOL,
            C.READ_PUPILS,
            C.READ_NOTIFICATIONS,
            C.VIEW_CAMPAIGNS,
            C.VIEW_PARTICIPANTS,  # the class lists the printables are made from
            C.VIEW_ROOMS,  # the sittings' rooms whose lists and plans he prints
            C.PRINT_MATERIALS,
            C.RESULTS_FORM,
            C.UPLOAD_RESULTS_FORM,
            C.UPLOAD_SCANS,
            C.VIEW_UPLOADS,  # the school's uploads page, where he downloads the forms and records their upload
            C.RECORD_VIDEO,  # the sittings' video surveillance he sets up
            C.SEND_RECHECK_SCANS,  # he scans the works selected for re-check
        }
    ),
    # the organizer works in the rooms they are appointed to
    Role.ORGANIZER: frozenset(
        {C.VIEW_SCHOOL, C.READ_NOTIFICATIONS, C.WORK_IN_ROOM, C.OPEN_ROOM_PROTOCOL, C.CORRECT_PROTOCOL}
    ),
    Role.EXPERT: frozenset(
        {C.VIEW_SCHOOL, C.READ_NOTIFICATIONS, C.GRADE_WORKS, C.ENTER_SCORES, C.RECHECK_WORKS, C.VIEW_AGREEMENT}
    ),
    Role.OBSERVER: frozenset({C.READ_NOTIFICATIONS, C.OBSERVE}),
}

# What a school's coordinator may hand to another role of the school (schools.models.Delegation): the
# technical specialist prints the protocols with names only when the coordinator allows it.
DELEGABLE: dict[Role, frozenset[Capability]] = {Role.TECHNICAL_SPECIALIST: frozenset({C.PRINT_NAMES})}

del C


def roles_with(capability: Capability) -> frozenset[Role]:
    """The roles the table gives `capability`."""
    return frozenset(role for role, capabilities in CAPABILITIES.items() if capability in capabilities)


# Assigned scope -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """How to find what a person in an assigned-scope role is assigned to.

    `objects(user)` is the queryset of assigned objects (rooms, works, sittings); `school_field` is the path
    from such an object to its school, by which the person reaches that school's pages.
    """

    role: Role
    objects: Callable[[User], QuerySet]
    school_field: str = "school"


ASSIGNMENTS: dict[str, Assignment] = {}


def register_assignment(kind: str, assignment: Assignment) -> None:
    """Called by the app that owns the assigned objects (procedures: rooms and sittings; grading: works)."""
    if SCOPES[assignment.role] != Scope.ASSIGNED:
        raise ValueError(f"{assignment.role} is not an assigned-scope role")
    ASSIGNMENTS[kind] = assignment


def assigned_to(user: User, kind: str) -> QuerySet:
    """The objects of `kind` the user is assigned to (none unless they hold the assignment's role)."""
    assignment = ASSIGNMENTS[kind]
    queryset = assignment.objects(user)
    if not user.is_authenticated or not user.has_role(assignment.role):
        return queryset.none()
    return queryset


def _assigned_school_ids(user: User, roles: set[str]) -> set[int]:
    ids: set[int] = set()
    for assignment in ASSIGNMENTS.values():
        if assignment.role in roles:
            ids |= set(assignment.objects(user).values_list(assignment.school_field, flat=True))
    ids.discard(None)
    return ids


# Questions views and selectors ask ------------------------------------------------------------------------


def _roles_of(user: User, capability: Capability, scope: Scope) -> set[str]:
    return {role for role in user.roles if capability in CAPABILITIES[role] and SCOPES[role] == scope}


def delegated(*, school: School, role: str, capability: Capability) -> bool:
    """Whether the school's coordinator has handed `capability` to `role` there."""
    return Delegation.objects.filter(school=school, role=role, capability=capability).exists()


def _delegated_school_ids(user: User, capability: Capability) -> set[int]:
    """The schools where the coordinator handed `capability` to a role the user holds there."""
    roles = {role for role in user.roles if capability in DELEGABLE.get(role, ())}
    ids: set[int] = set()
    for role in roles:
        held = user.school_ids_with_role(role)
        if held:
            ids |= set(
                Delegation.objects.filter(school_id__in=held, role=role, capability=capability).values_list(
                    "school_id", flat=True
                )
            )
    return ids


def _school_condition(user: User, capability: Capability) -> Q | None:
    department_ids = user.department_ids_with_role(*_roles_of(user, capability, Scope.DEPARTMENT))
    school_roles = _roles_of(user, capability, Scope.SCHOOL)
    assigned_roles = _roles_of(user, capability, Scope.ASSIGNED)
    school_ids = user.school_ids_with_role(*school_roles, *assigned_roles)
    if assigned_roles:
        school_ids |= _assigned_school_ids(user, assigned_roles)
    school_ids |= _delegated_school_ids(user, capability)
    if not department_ids and not school_ids:
        return None
    return Q(department_id__in=department_ids) | Q(id__in=school_ids)


def schools_with(user: User, capability: Capability) -> QuerySet[School]:
    """The schools where the user may exercise `capability`."""
    if not user.is_authenticated:
        return School.objects.none()
    condition = _school_condition(user, capability)
    if condition is None:
        return School.objects.none()
    return School.objects.filter(condition).select_related("department")


def department_ids_with(user: User, capability: Capability) -> set[int]:
    """The departments whose business the user reaches with `capability`: a department role's own
    department, a school role's school's department."""
    if not user.is_authenticated:
        return set()
    ids = user.department_ids_with_role(*_roles_of(user, capability, Scope.DEPARTMENT))
    local = _roles_of(user, capability, Scope.SCHOOL) | _roles_of(user, capability, Scope.ASSIGNED)
    if local or any(capability in DELEGABLE.get(role, ()) for role in user.roles):
        ids |= set(schools_with(user, capability).values_list("department_id", flat=True))
    return ids


def user_can(user: User, capability: Capability, school: School | None = None) -> bool:
    """Whether the user holds `capability` at all, or, given a school, in that school."""
    if not user.is_authenticated:
        return False
    if school is None:
        return any(capability in CAPABILITIES[role] for role in user.roles) or bool(
            _delegated_school_ids(user, capability)
        )
    department_roles = _roles_of(user, capability, Scope.DEPARTMENT)
    if school.department_id in user.department_ids_with_role(*department_roles):
        return True
    local_roles = _roles_of(user, capability, Scope.SCHOOL) | _roles_of(user, capability, Scope.ASSIGNED)
    if school.pk in user.school_ids_with_role(*local_roles):
        return True
    assigned_roles = _roles_of(user, capability, Scope.ASSIGNED)
    if assigned_roles and school.pk in _assigned_school_ids(user, assigned_roles):
        return True
    return school.pk in _delegated_school_ids(user, capability)


# Resolvers ------------------------------------------------------------------------------------------------


class CapabilityMixin(CapabilityRequiredMixin):
    """A page without an object in its URL (or with objects looked up in `resolve()`): 403 without
    `capability` in any of the user's roles."""

    def has_capability(self, user) -> bool:
        return user_can(user, self.capability)

    def can(self, capability: Capability, school: School | None = None) -> bool:
        """For a page's optional actions: whether the user may also do `capability` (here)."""
        return user_can(self.viewer, capability, school)


def department_scope(user) -> tuple | None:
    """The user's memberships as (role, department) pairs when every one is a department's role, else None (a
    school, an expert or an observer: what they see depends on rows other than their memberships)."""
    memberships = user.active_memberships if user.is_authenticated else []
    if not memberships or any(m.role not in DEPARTMENT_ROLES or m.school_id for m in memberships):
        return None
    return tuple(sorted((m.role, m.department_id) for m in memberships))


class SchoolMixin(CapabilityMixin):
    """A page about one school (`school_code` in the URL): the school among those where the user holds
    the capability (404 otherwise) as `self.school`."""

    def resolve_scope(self, **kwargs) -> None:
        code = kwargs["school_code"]

        def load() -> School:
            return get_scoped_or_404(schools_with(self.viewer, self.capability), code=code)

        scope = department_scope(self.viewer)  # a department's schools follow from its memberships alone
        self.school = load() if scope is None else remembered("school", (scope, self.capability, code), load)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        return context
