"""Security headers on every answer; pages and downloads of a signed-in user are never cached."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from procedures.models import Document
from procedures.services.documents import document_publish

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-inline" not in directives["default-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["Permissions-Policy"] == PERMISSIONS
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def assert_not_cached(response):
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_page_of_a_signed_in_user_has_the_headers_and_is_not_cached(client, department_user):
    client.force_login(department_user)
    response = client.get(reverse("schools:school_list"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_not_cached(response)


@pytest.mark.django_db
def test_a_pupil_list_is_not_cached(client, coordinator, school, pupil):
    client.force_login(coordinator)
    response = client.get(reverse("schools:pupil_list", args=[school.code]))
    assert response.status_code == 200 and "Снегирёва" in response.content.decode()
    assert_security_headers(response)
    assert_not_cached(response)


@pytest.mark.django_db
def test_a_file_download_is_not_cached(client, coordinator, department, department_user):
    document = document_publish(
        department=department,
        kind=Document.Kind.REGULATION,
        title="Регламент",
        file=ContentFile(b"%PDF-1.4\n% fictitious\n", name="Регламент.pdf"),
        actor=department_user,
    ).document
    client.force_login(coordinator)
    response = client.get(reverse("procedures:document_download", args=[document.pk, 1]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert_security_headers(response)
    assert_not_cached(response)


@pytest.mark.django_db
def test_the_login_page_works_with_the_headers(client, department_user):
    from tests.factories import PASSWORD

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert_security_headers(page)
    response = client.post(reverse("login"), {"username": department_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert_not_cached(client.get(response["Location"], follow=True))


def test_templates_hold_no_inline_scripts_or_event_handler_attributes():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0) or not re.match(r"\s*</script>", text[match.end() :]):
                offenders.append(f"{template}: {match.group(0)}")
        offenders += [f"{template}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template}: javascript:" for _ in re.finditer(r"javascript:", text)]
    assert offenders == []
