"""A 500 is logged with its traceback and e-mailed to ADMINS, without what the user typed (pupils' names)."""

import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from vpr_portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def broken_view(request):
    surname = request.POST.get("last_name") or request.GET.get("q")  # noqa: F841 - a local the report must hide
    raise RuntimeError("boom in the pupil form")


@login_not_required
def fine_view(request):
    return HttpResponse("ok")


urlpatterns = [path("broken/", broken_view), path("fine/", fine_view), *portal_urlpatterns]


@pytest.fixture
def broken_site(settings):
    settings.ROOT_URLCONF = "tests.test_error_reports"
    settings.ADMINS = [("Дежурный", "admin@example.org")]
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_500_is_mailed_to_admins_without_names_and_logged_with_its_traceback(broken_site, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = broken_site.post("/broken/?q=Зюзикова", {"last_name": "Зюзикова"})

    assert response.status_code == 500
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin@example.org"]
    body = mail.outbox[0].body
    assert "RuntimeError" in body and "boom in the pupil form" in body and "broken_view" in body
    assert "Зюзиков" not in body and "%D0%97" not in body
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "Зюзиков" not in record.getMessage()


@pytest.mark.django_db
def test_nothing_is_mailed_for_a_page_that_works(broken_site):
    assert broken_site.get("/fine/").status_code == 200
    assert mail.outbox == []
