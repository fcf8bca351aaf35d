import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from hypothesis import settings as hypothesis_settings

from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    user_with_role,
)

# The fuzz tests explore new inputs on a developer's machine; in CI they replay a fixed, derandomised set, so a
# submission's CI result does not depend on the luck of the draw (what the fuzzer finds here becomes a test).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing passwords at full strength would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_results_cache():
    """Each test starts with an empty in-process cache: results are cached under an assessment's id and stamp
    (grading/cache.py), and a test database that was emptied gives the next test's assessment the same id and
    stamp again (SQLite reuses row ids). Redis (the PostgreSQL + Redis stage) is not flushed here: it also
    carries the broker's queues; CI empties its database before the run, and PostgreSQL never reuses ids.

    The cache's users that pause after a failure (30 s without the cache) start unpaused: a test that made the cache
    fail must not leave the next tests reading sessions, accounts, counts and figures from the database."""
    from grading import cache as results_cache
    from reports.generation import forget_kept_contents
    from schools import accounts_cache, notification_counts
    from vpr_portal import catalogue, sessions

    forget_kept_contents()  # a report's content kept under ids and sources a new test database may give again
    catalogue.forget()  # rows kept under codes and ids a new test database may give again
    catalogue._paused_until = 0.0
    results_cache._paused_until = notification_counts._paused_until = sessions._paused_until = 0.0
    accounts_cache._paused_until = 0.0
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _celery_tasks_in_process(request, settings):
    """Tasks run inside the test, as on the embedded default, unless the test needs a real worker; background
    jobs run in the asking thread (JOBS_INLINE), so a test sees them done when its request returns. A test of
    the embedded default's job threads sets JOBS_INLINE = False itself."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from vpr_portal.celery import app

    settings.JOBS_INLINE = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def department(db):
    return DepartmentFactory()


@pytest.fixture
def school(department):
    return SchoolFactory(department=department, code="sch660001", short_name="СШ №1")


@pytest.fixture
def other_school(department):
    return SchoolFactory(department=department, code="sch660002", short_name="СШ №2")


@pytest.fixture
def class_4a(school):
    return SchoolClassFactory(school=school, grade=4, letter="А")


@pytest.fixture
def pupil(class_4a):
    return PupilFactory(school_class=class_4a, last_name="Снегирёва", first_name="Алиса", middle_name="Олеговна")


@pytest.fixture
def other_pupil(other_school):
    return PupilFactory(
        school_class=SchoolClassFactory(school=other_school, grade=4, letter="Б"),
        last_name="Журавлёв",
        first_name="Матвей",
    )


@pytest.fixture
def role_users(school, other_school, department):
    """One user for every role (docs/glossary.md, «Роли»), the school roles held in `school`."""
    return {
        Role.DEPARTMENT_STAFF: user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo"),
        Role.MUNICIPAL_COORDINATOR: user_with_role(Role.MUNICIPAL_COORDINATOR, department=department, username="mun"),
        Role.DEPARTMENT_REPRESENTATIVE: user_with_role(
            Role.DEPARTMENT_REPRESENTATIVE, department=department, username="rep"
        ),
        Role.SCHOOL_COORDINATOR: user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="coord"),
        Role.TECHNICAL_SPECIALIST: user_with_role(Role.TECHNICAL_SPECIALIST, school=school, username="tech"),
        Role.ORGANIZER: user_with_role(Role.ORGANIZER, school=school, username="org"),
        Role.EXPERT: user_with_role(Role.EXPERT, school=school, username="expert"),
        Role.OBSERVER: user_with_role(Role.OBSERVER, department=department, username="observer"),
        Role.DIRECTOR: user_with_role(Role.DIRECTOR, school=school, username="director"),
    }


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


@pytest.fixture
def department_user(role_users):
    return role_users[Role.DEPARTMENT_STAFF]
