import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from reports.demo.registry import DEMO_PASSWORD, USERS, seed_demo
from schools.models import (
    DeclaredRelative,
    Membership,
    Pupil,
    Role,
    School,
    SchoolClass,
    Staff,
    User,
    current_academic_year,
)


@pytest.fixture
def fast_hasher(settings):
    # The demo hashes its password once; checking it eleven times with PBKDF2 would dominate the test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_seeding_twice_builds_the_same_municipality_once(fast_hasher):
    first = seed_demo()
    second = seed_demo()

    assert second.pop("created") == 0
    assert first.pop("created") > 0
    assert first == second
    assert first["schools"] == School.objects.count() == 12
    assert 4500 <= first["pupils"] == Pupil.objects.count() <= 5600
    # pupils who have left since the finished campaigns are kept, inactive, in their last class
    assert 800 <= Pupil.objects.filter(is_active=False).count() <= 1300
    assert first["users"] == len(USERS) == User.objects.count()
    assert first["memberships"] == Membership.objects.count()


@pytest.mark.django_db
def test_demo_users_hold_every_role_and_log_in_with_the_demo_password(fast_hasher):
    seed_demo()

    held = set(Membership.objects.filter(user__username__in=[u.username for u in USERS]).values_list("role", flat=True))
    assert held == set(Role.values)
    assert not User.objects.filter(is_superuser=True).exists()
    request = RequestFactory().post("/accounts/login/")
    for demo in USERS:
        assert authenticate(request, username=demo.username, password=DEMO_PASSWORD) is not None, demo.username


@pytest.mark.django_db
def test_demo_municipality_has_the_promised_shape(fast_hasher):
    seed_demo()

    schools = {s.code: s for s in School.objects.all()}
    pupils = {code: school.pupils.count() for code, school in schools.items()}
    assert max(pupils, key=pupils.get) == "sch660001"
    assert [code for code, school in schools.items() if school.time_zone == "Europe/Moscow"] == ["sch660012"]
    this_year = SchoolClass.objects.filter(academic_year=current_academic_year())
    for school_class in SchoolClass.objects.all():
        assert 20 <= school_class.pupils.count() <= 28, school_class
    assert {c.grade for c in this_year} == set(range(4, 12))
    assert not Pupil.objects.filter(is_active=False, school_class__in=this_year).exists()
    for code, school in schools.items():
        assert school.staff.filter(is_administration=True).exists(), code
        assert DeclaredRelative.objects.filter(staff__school=school, pupil__school=school).count() == 2, code
    for username in ("coord1", "director1", "organizer1", "expert1"):
        assert Staff.objects.get(user__username=username).school.code == "sch660001"
    # bulk_create skips save(), which fills the folded names the search reads.
    assert not Pupil.objects.filter(search_text="").exists()
    assert not Staff.objects.filter(search_text="").exists()
    assert not School.objects.filter(search_text="").exists()
    # The demo expert may check works (R3): experience of at least 3 years in a subject.
    assert Staff.objects.get(user__username="expert1").subject_experience.filter(experience_years__gte=3).exists()


@pytest.mark.django_db
def test_if_empty_leaves_a_seeded_database_alone(fast_hasher):
    counts = seed_demo()
    out = io.StringIO()

    call_command("seed_demo", "--if-empty", stdout=out)

    assert "уже есть школы" in out.getvalue()
    assert School.objects.count() == counts["schools"]
    assert Pupil.objects.count() == counts["pupils"]
    assert User.objects.count() == counts["users"]
