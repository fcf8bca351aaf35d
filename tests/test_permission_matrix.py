"""Every URL of the project, for every role: the declared outcome, on purpose.

A URL pattern that is not declared in tests/access/ fails `test_every_url_is_declared`, so each new page gets its access
decided explicitly. A URL whose view declares a capability is declared with the same capability, and the roles
that may open it follow from the capabilities table (schools.access): the matrix changes with the table.
For pages about one school, a user who holds the right role in another school gets 404 (the object does not
exist for them). Department roles never receive a pupil's name (R11).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from schools.models import Role
from tests.access import MATRIX, build_objects
from tests.access.base import NAME_READERS, SCHOOL, Page
from tests.factories import PupilFactory, SchoolClassFactory


def all_url_views(resolver=None, namespace="") -> dict[str, object]:
    resolver = resolver or get_resolver()
    views = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            views |= all_url_views(pattern, inner)
        elif isinstance(pattern, URLPattern):
            views[namespace + pattern.name] = getattr(pattern.callback, "view_class", pattern.callback)
    return views


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


def test_declared_capability_is_the_views():
    """The matrix states a page's capability, not its roles: a view checking another capability than the one
    declared, or a page of a capability-checking view declared by roles, fails here."""
    mismatched = {
        name: (getattr(view, "capability", None), MATRIX[name].capability)
        for name, view in all_url_views().items()
        if name in MATRIX and getattr(view, "capability", None) != MATRIX[name].capability
    }
    assert not mismatched, f"view's capability ≠ declared one: {mismatched}"


def test_no_view_keeps_a_role_list():
    with_roles = sorted(name for name, view in all_url_views().items() if getattr(view, "allowed_roles", None))
    assert not with_roles, f"views still deciding access by a role list: {with_roles}"


def test_no_view_resolves_access_in_its_own_dispatch():
    """Scope is resolved by the resolvers of the URL shapes (resolve_scope/resolve), never in a view's or an
    app mixin's own dispatch(): the one dispatch that decides access is CapabilityRequiredMixin's."""
    from vpr_portal.access import CapabilityRequiredMixin

    apps = {"vpr_portal", "schools", "procedures", "grading", "monitoring", "reports"}
    own = sorted(
        f"{name}: {cls.__module__}.{cls.__qualname__}"
        for name, view in all_url_views().items()
        for cls in getattr(view, "__mro__", ())
        if "dispatch" in cls.__dict__ and cls is not CapabilityRequiredMixin and cls.__module__.split(".")[0] in apps
    )
    assert not own, f"views with their own dispatch(): {own}"


@pytest.fixture
def objects(school, other_school, pupil, other_pupil, department):
    """Objects in the role users' school and in another school of the same municipality."""
    own = {"school": school, "pupil": pupil, "department": department}
    other = {"school": other_school, "pupil": other_pupil, "department": department}
    build_objects(own, other)
    return {"own": own, "other": other}


def url_for(name: str, page: Page, objs: dict) -> str:
    return reverse(name, kwargs=page.kwargs(objs) if page.kwargs else {})


def body(response) -> str:
    """The response's text, also of a streamed or binary file (downloads answer with FileResponse)."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_declared_outcome(client, role_users, objects, name):
    page = MATRIX[name]
    url = url_for(name, page, objects["own"])
    for role, user in role_users.items():
        client.force_login(user)
        response = client.get(url)
        expected = page.expected(role)
        assert response.status_code == expected, f"{name} as {role}: {response.status_code}, expected {expected}"
        if role not in NAME_READERS:
            assert objects["own"]["pupil"].last_name not in body(response), f"{name} shows a name to {role}"
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


SCHOOL_SCOPED = sorted(name for name, page in MATRIX.items() if page.scoped)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCHOOL_SCOPED)
def test_school_roles_get_404_on_another_schools_objects(client, role_users, objects, name):
    page = MATRIX[name]
    url = url_for(name, page, objects["other"])
    for role in sorted(page.allowed & SCHOOL):
        client.force_login(role_users[role])
        response = client.get(url)
        assert response.status_code == 404, f"{name} as {role} of another school: {response.status_code}"
        assert objects["other"]["pupil"].last_name not in body(response)


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
