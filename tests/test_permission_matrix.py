"""Every URL of the project, for every role: the declared outcome, on purpose.

A URL pattern that is not declared here fails `test_every_url_is_declared`, so each new page gets its access
decided explicitly. For pages about one school, a user who holds the right role in another school gets 404
(the object does not exist for them). Department roles never receive a pupil's name (R11).
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from schools.models import DEPARTMENT_ROLES, SCHOOL_ROLES, Role
from tests.factories import PupilFactory, SchoolClassFactory, StaffFactory

ALL = frozenset(Role)
DEPT = frozenset(DEPARTMENT_ROLES)
MUNICIPAL = frozenset({Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR})
SCHOOL = frozenset(SCHOOL_ROLES)
NAME_READERS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.TECHNICAL_SPECIALIST})
EDITORS = frozenset({Role.SCHOOL_COORDINATOR, Role.DIRECTOR})


@dataclass(frozen=True)
class Page:
    """Who may open a URL (GET) and with what status; everybody else gets 403 (anonymous: log-in)."""

    allowed: frozenset
    ok: int = 200
    kwargs: str = ""  # which objects fill the URL: "", "school", "pupil", "staff", "reset"
    public: bool = False  # reachable without logging in
    anonymous_status: int | None = None
    denied: int = 403
    extra: dict = field(default_factory=dict)


MATRIX: dict[str, Page] = {
    "home": Page(ALL, ok=302),
    "health": Page(ALL, public=True, anonymous_status=200),
    "no_role": Page(ALL),
    "login": Page(ALL, ok=302, public=True, anonymous_status=200),
    "logout": Page(ALL, ok=405),  # POST only
    "password_change": Page(ALL),
    "password_change_done": Page(ALL),
    "password_reset": Page(ALL, public=True, anonymous_status=200),
    "password_reset_done": Page(ALL, public=True, anonymous_status=200),
    "password_reset_confirm": Page(ALL, kwargs="reset", public=True, anonymous_status=200),
    "password_reset_complete": Page(ALL, public=True, anonymous_status=200),
    "schools:school_list": Page(DEPT | SCHOOL),
    "schools:school_import": Page(MUNICIPAL),
    "schools:audit_list": Page(MUNICIPAL | {Role.DIRECTOR}),
    "schools:notification_list": Page(ALL),
    "schools:people_list": Page(MUNICIPAL | EDITORS),
    "schools:role_grant": Page(MUNICIPAL | EDITORS),
    "schools:school_detail": Page(DEPT | SCHOOL, kwargs="school"),
    "schools:school_edit": Page(MUNICIPAL | EDITORS, kwargs="school"),
    "schools:class_list": Page(DEPT | SCHOOL, kwargs="school"),
    "schools:pupil_list": Page(NAME_READERS, kwargs="school"),
    "schools:pupil_create": Page(EDITORS, kwargs="school"),
    "schools:pupil_import": Page(frozenset({Role.SCHOOL_COORDINATOR}), kwargs="school"),
    "schools:pupil_detail": Page(NAME_READERS, kwargs="pupil"),
    "schools:pupil_edit": Page(EDITORS, kwargs="pupil"),
    "schools:staff_list": Page(MUNICIPAL | EDITORS, kwargs="school"),
    "schools:staff_create": Page(EDITORS, kwargs="school"),
    "schools:staff_edit": Page(EDITORS, kwargs="staff"),
    "schools:staff_relatives": Page(EDITORS, kwargs="staff", ok=405),  # POST only
    "procedures:checklist": Page(EDITORS, kwargs="school"),
    "procedures:my_rooms": Page(frozenset({Role.ORGANIZER})),
    "grading:my_works": Page(frozenset({Role.EXPERT})),
    "monitoring:assignments": Page(frozenset({Role.OBSERVER})),
    "monitoring:cards": Page(DEPT),
    "reports:overview": Page(MUNICIPAL),
}


def all_url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name: name it and declare it here"
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_declared():
    undeclared = all_url_names() - set(MATRIX)
    assert not undeclared, f"declare the access of these URLs in MATRIX: {sorted(undeclared)}"
    assert not set(MATRIX) - all_url_names(), "MATRIX declares URLs that no longer exist"


@pytest.fixture
def objects(school, other_school, pupil, other_pupil):
    """Objects in the role users' school and in another school of the same municipality."""
    return {
        "own": {"school": school, "pupil": pupil, "staff": StaffFactory(school=school)},
        "other": {"school": other_school, "pupil": other_pupil, "staff": StaffFactory(school=other_school)},
    }


def url_for(name: str, page: Page, objs: dict) -> str:
    school = objs["school"]
    kwargs = {
        "": {},
        "school": {"school_code": school.code},
        "pupil": {"school_code": school.code, "pk": objs["pupil"].pk},
        "staff": {"school_code": school.code, "pk": objs["staff"].pk},
        "reset": {"uidb64": "MQ", "token": "set-password"},
    }[page.kwargs]
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_declared_outcome(client, role_users, objects, name):
    page = MATRIX[name]
    url = url_for(name, page, objects["own"])
    for role, user in role_users.items():
        client.force_login(user)
        response = client.get(url)
        expected = page.ok if role in page.allowed else page.denied
        assert response.status_code == expected, f"{name} as {role}: {response.status_code}, expected {expected}"
        if role not in NAME_READERS:
            assert objects["own"]["pupil"].last_name not in response.content.decode(), f"{name} shows a name to {role}"
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_users_are_sent_to_log_in(client, objects, name):
    page = MATRIX[name]
    response = client.get(url_for(name, page, objects["own"]))
    if page.public:
        assert response.status_code == page.anonymous_status
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


SCHOOL_SCOPED = sorted(name for name, page in MATRIX.items() if page.kwargs in {"school", "pupil", "staff"})


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCHOOL_SCOPED)
def test_school_roles_get_404_on_another_schools_objects(client, role_users, objects, name):
    page = MATRIX[name]
    url = url_for(name, page, objects["other"])
    for role in sorted(page.allowed & SCHOOL):
        client.force_login(role_users[role])
        response = client.get(url)
        assert response.status_code == 404, f"{name} as {role} of another school: {response.status_code}"
        assert objects["other"]["pupil"].last_name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["schools:pupil_detail", "schools:pupil_edit"])
def test_a_pupil_of_another_school_is_404_even_under_ones_own_school(client, role_users, objects, name):
    """The school in the URL is the user's, the pupil is not: still 404."""
    url = reverse(name, kwargs={"school_code": objects["own"]["school"].code, "pk": objects["other"]["pupil"].pk})
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_department_sees_other_schools_but_no_names(client, role_users, objects):
    other = objects["other"]
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    for name in ("schools:school_detail", "schools:class_list", "schools:staff_list"):
        response = client.get(reverse(name, kwargs={"school_code": other["school"].code}))
        assert response.status_code == 200
        assert other["pupil"].last_name not in response.content.decode()


@pytest.mark.django_db
def test_a_department_of_another_municipality_sees_nothing_of_ours(client, objects):
    from tests.factories import DepartmentFactory, user_with_role

    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    client.force_login(stranger)
    response = client.get(reverse("schools:school_detail", kwargs={"school_code": objects["own"]["school"].code}))
    assert response.status_code == 404
    assert objects["own"]["school"].code not in client.get(reverse("schools:school_list")).content.decode()


@pytest.mark.django_db
def test_pupil_lists_do_not_grow_in_queries_with_the_data(client, role_users, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("schools:pupil_list", kwargs={"school_code": school.code})
    counts = []
    for size in (5, 60):
        school_class = SchoolClassFactory(school=school, grade=5, letter="Б" if size == 5 else "В")
        PupilFactory.create_batch(size, school_class=school_class)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
