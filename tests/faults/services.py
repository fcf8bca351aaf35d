"""Real processes for the fault tests: a Redis of the test's own on a spare port, Celery worker and beat, and a
gunicorn web server, all pointed at the test's PostgreSQL database. Each is started in a session of its own so
that it can be killed whole (SIGKILL of the process group: the worker and its pool children)."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "faults.json"
READY_SECONDS = 60

# Short job settings for the tests (production: heartbeat 10 s, stale after 60 s, sweep every 20 s).
JOB_ENV = {"JOBS_HEARTBEAT_SECONDS": "1", "JOBS_STALE_AFTER_SECONDS": "6", "JOBS_SWEEP_SECONDS": "2"}


def why_not_here() -> str:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…): the worker and the web server share the test database"
    if not redis_server_binary():
        return "needs redis-server (apt-get install redis-server)"
    return ""


def redis_server_binary() -> str:
    return shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else "")


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{quote(db['NAME'])}"


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no output)"


class Processes:
    """Starts and stops the processes of one test; `stop_all()` in the test's finally kills whatever is left."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.redis_port = spare_port()
        self.web_port = spare_port()
        self.running: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "JOBS_INLINE", "DATABASE_URL", "REDIS_URL"}
        }
        self.env = {
            **env,
            **JOB_ENV,
            "DJANGO_SETTINGS_MODULE": "vpr_portal.settings",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "STATIC_ROOT": str(directory / "static"),
            "EMAIL_HOST": "",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        (directory / "static").mkdir(exist_ok=True)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log_path = self.directory / f"{name}.log"
        self.logs[name] = log_path
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM if name != "worker" else signal.SIGKILL)

    def wait(self, name: str, condition, what: str, seconds: float = READY_SECONDS) -> float:
        """Waits for `condition()`; returns the seconds it took. Fails with the process's log if it exits."""
        started = time.monotonic()
        while not condition():
            process = self.running.get(name)
            if process is not None and process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{tail(self.logs[name])}")
            if time.monotonic() - started > seconds:
                raise AssertionError(f"{what}: not within {seconds} s\n{name} log:\n{tail(self.logs.get(name))}")
            time.sleep(0.2)
        return time.monotonic() - started

    # The processes -------------------------------------------------------------------------------------------

    def start_redis(self) -> None:
        self.start(
            "redis",
            [redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
        )  # fmt: skip
        self.wait("redis", self.redis_answers, "redis-server answers", seconds=20)

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start_worker(self) -> None:
        self.worker_ready_mark = self.logs.get("worker") and self.logs["worker"].stat().st_size or 0
        self.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "vpr_portal", "worker", "--concurrency=1", "--loglevel=info",
             "-n", f"faults-{self.redis_port}@localhost", "--without-gossip", "--without-mingle"],
        )  # fmt: skip

    def worker_is_ready(self) -> bool:
        log = self.logs["worker"]
        return log.exists() and b" ready." in log.read_bytes()[self.worker_ready_mark :]

    def start_beat(self) -> None:
        self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "vpr_portal", "beat", "--loglevel=info",
             "--schedule", str(self.directory / "beat-schedule")],
        )  # fmt: skip

    def start_web(self) -> None:
        self.start(
            "web",
            [sys.executable, "-m", "gunicorn", "-c", "python:vpr_portal.gunicorn", "vpr_portal.wsgi",
             "--bind", f"127.0.0.1:{self.web_port}", "--workers", "2"],
        )  # fmt: skip
        self.wait("web", lambda: self.request("GET", "/health/", session="")[0] == 200, "the web answers")

    def request(self, method: str, path: str, *, session: str) -> tuple[int, str, str]:
        """(status, Location, body) of one request with the session cookie and a CSRF token pair."""
        token = "f" * 32
        headers = {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}
        try:
            client = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
            client.request(method, path, headers=headers)
            response = client.getresponse()
            body = response.read().decode(errors="replace")
            client.close()
            return response.status, response.getheader("Location", ""), body
        except OSError:
            return 0, "", ""


def record(name: str, figures: dict) -> None:
    """Keeps the measured figures in test-artifacts/faults.json (read by `make bench`) and prints them."""
    ARTIFACTS.parent.mkdir(exist_ok=True)
    try:
        recorded = json.loads(ARTIFACTS.read_text())
    except (FileNotFoundError, ValueError):
        recorded = {}
    recorded[name] = {**figures, "recorded_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    ARTIFACTS.write_text(json.dumps(recorded, ensure_ascii=False, indent=2) + "\n")
    print(f"\n{name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()))
