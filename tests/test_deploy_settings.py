"""The production settings pass Django's deployment checks, and production refuses to start without a key.

Each case runs manage.py in a fresh process, because settings are read from the environment once, at start.
"""

import ast
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Variables settings.py reads; each case starts from an environment without them, then sets its own.
SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "REQUIRE_SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "DB_CONN_MAX_AGE", "REDIS_URL", "STATIC_MANIFEST", "STATIC_ROOT", "MEDIA_ROOT", "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_HTTPS_PROXY", "EMAIL_HOST", "EMAIL_BACKEND",
    "ADMINS", "OTP_REQUIRED", "TRUSTED_CLIENT_IP_HEADER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests while they run; not part of any deployment
    "PYTEST_VERSION", "PYTEST_CURRENT_TEST",  # a test run gets the embedded defaults; these cases must not
}  # fmt: skip


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "vpr_portal.settings", **{k: v for k, v in env.items() if v}},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def production_env(**overrides: str) -> dict[str, str]:
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "ALLOWED_HOSTS": "vpr.example.org"}
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def setting_values(*names: str, **env: str) -> dict[str, str]:
    """repr() of each named setting, as a process started with `env` sees it."""
    expressions = ", ".join(f"{name!r}: repr(settings.{name})" for name in names)
    code = f"import json; from django.conf import settings; print(json.dumps({{{expressions}}}))"
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/0"], ids=["without_redis", "with_redis"])
def test_production_settings_pass_the_deployment_checks(redis_url):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(REDIS_URL=redis_url))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_redis_is_production_https_hsts_secure_cookies_hashed_static():
    values = setting_values(
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "STORAGES['staticfiles']['BACKEND']", **production_env(),
    )  # fmt: skip

    assert values["SECURE_SSL_REDIRECT"] == "True" and values["SESSION_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SECURE"] == "True" and int(values["SECURE_HSTS_SECONDS"]) >= 31536000
    assert "CompressedManifestStaticFilesStorage" in values["STORAGES['staticfiles']['BACKEND']"]


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("debug", [None, "1"], ids=["debug_unset", "debug_1"])
def test_the_embedded_install_starts_without_a_secret_key_on_its_own_random_key(debug):
    values = setting_values("SECRET_KEY", "SECURE_SSL_REDIRECT", DEBUG=debug)

    key = ast.literal_eval(values["SECRET_KEY"])
    assert key == (PROJECT_ROOT / ".secret_key").read_text().strip()
    assert len(key) >= 50 and key not in (PROJECT_ROOT / "vpr_portal" / "settings.py").read_text()
    assert values["SECURE_SSL_REDIRECT"] == "False"


def test_admins_are_read_from_the_environment_and_500s_are_mailed_only_with_debug_off():
    admins = "Иван Петров <ivan@example.org>,b@example.org"
    values = setting_values("ADMINS", "LOGGING", **production_env(ADMINS=admins))

    assert ast.literal_eval(values["ADMINS"]) == [("Иван Петров", "ivan@example.org"), ("", "b@example.org")]
    logging = ast.literal_eval(values["LOGGING"])
    assert logging["handlers"]["mail_admins"]["filters"] == ["require_debug_false"]
    assert "mail_admins" in logging["loggers"]["django"]["handlers"]


def test_deployment_checks_flag_the_example_key():
    env = production_env(SECRET_KEY="change-me-to-a-long-random-string")  # .env.example left as it is

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_every_way_of_serving_the_portal_reads_gunicorns_settings_from_one_module():
    """The image, docker-compose, the fault tests and the region bench start gunicorn with vpr_portal/gunicorn.py;
    there a process takes only the connections its threads can answer (keep-alive off), and the access log has no
    query string (searches for names stay out of logs)."""
    import importlib

    for path in ("Dockerfile", "docker-compose.yml", "tests/faults/services.py", "tests/bench/region.py"):
        text = (PROJECT_ROOT / path).read_text()
        assert "python:vpr_portal.gunicorn" in text, path
        assert "--threads" not in text and '--worker-class", "gthread' not in text, path
    config = importlib.reload(importlib.import_module("vpr_portal.gunicorn"))
    assert config.worker_class == "gthread" and config.worker_connections == config.threads and config.keepalive == 0
    assert "%(U)s" in config.access_log_format and "%(r)s" not in config.access_log_format
    assert "%(q)s" not in config.access_log_format and "%(f)s" not in config.access_log_format
