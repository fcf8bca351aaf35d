"""The production settings pass Django's deployment checks, and production refuses to start without a key.

Each case runs manage.py in a fresh process, because settings are read from the environment once, at start.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Variables settings.py reads; each case starts from an environment without them, then sets its own.
SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "REQUIRE_SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "DB_CONN_MAX_AGE", "REDIS_URL", "STATIC_MANIFEST", "STATIC_ROOT", "MEDIA_ROOT", "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_HTTPS_PROXY", "EMAIL_HOST", "EMAIL_BACKEND",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests while they run; not part of any deployment
}  # fmt: skip


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "vpr_portal.settings", **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "vpr.example.org",
        "REQUIRE_SECRET_KEY": "1",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env(SECRET_KEY=None, DEBUG=None)  # DEBUG unset means off

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_install_starts_without_a_secret_key():
    result = manage("check")  # nothing set: SQLite, tasks in-process, the development key

    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_checks_flag_the_development_key():
    env = production_env(SECRET_KEY=None, REQUIRE_SECRET_KEY=None)  # a deployment that forgot its key

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr
