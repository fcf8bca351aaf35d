"""Hostile uploads: the worst time and memory the battery of hostile spreadsheets costs an importer, and the
web server's throughput for other people while the bombs are being uploaded.

The battery is tests/hostile_workbooks.py (dimension, flood, nesting and zip bombs, files that are not what
their extension says). Each bomb runs `import_schools` in a forked child, whose wall time and peak memory come
from wait4. The server is gunicorn from the venv (3 workers) on a spare 127.0.0.1 port; one thread uploads the
bombs in a loop through the school import page while another counts log-in page requests per second. Every loop
is bounded; the server is stopped at the end.
"""

import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

from schools.models import Department, Membership, Role, User
from tests.hostile_workbooks import HOSTILE

from . import Measurement, benchmark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOMB_BUDGET_S = 5.0
BOMB_BUDGET_MB = 300
PHASE_S = 6.0
SERVER_WORKERS = 3


def run_forked(argv: list[str]) -> tuple[int, float, float]:
    """Runs a management command in a forked child; its exit code, wall time (s) and peak memory (MB)."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: the command as manage.py runs it, output discarded
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        code = 0
        try:
            call_command(*argv)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        except BaseException:
            code = 70
        os._exit(code)
    _pid, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024


def honest_workbook(path: str, rows: int = 10_000, columns: int = 30) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in range(rows):
        sheet.append([f"s{row}", *(row % 7 for _ in range(columns - 1))])
    workbook.save(path)


@benchmark
def hostile_battery() -> list[Measurement]:
    """Every hostile file through `import_schools` (forked child): the worst wall time and peak memory, beside
    the reader's own cost on an honest 10,000 × 30 workbook."""
    from python_calamine import CalamineWorkbook

    from vpr_portal.tables import check_xlsx_content

    results = []
    with tempfile.TemporaryDirectory() as directory:
        for name, (filename, build) in HOSTILE.items():
            path = os.path.join(directory, name + os.path.splitext(filename)[1])
            with open(path, "wb") as handle:
                handle.write(build())
            code, seconds, peak = run_forked(["import_schools", path])
            results.append((name, code, seconds, peak))
        honest = os.path.join(directory, "honest.xlsx")
        honest_workbook(honest)
        with open(honest, "rb") as handle:
            data = handle.read()
        started = time.perf_counter()
        check_xlsx_content(data)
        scan = time.perf_counter() - started
        started = time.perf_counter()
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        calamine = time.perf_counter() - started
    refused = sum(1 for _name, code, _s, _p in results if code == 1)
    slowest = max(results, key=lambda result: result[2])
    largest = max(results, key=lambda result: result[3])
    for name, code, seconds, peak in results:
        print(f"  hostile {name:28} exit {code}  {seconds:6.2f} s  {peak:6.0f} MB", flush=True)
    return [
        Measurement(
            f"hostile files refused with exit 1 (of {len(results)})",
            len(results) - refused,
            "not refused",
            0,
            note=", ".join(name for name, code, _s, _p in results if code != 1) or "all refused",
        ),
        Measurement("hostile file, worst wall time (import_schools)", slowest[2], "s", BOMB_BUDGET_S, note=slowest[0]),
        Measurement(
            "hostile file, worst peak memory (import_schools)", largest[3], "MB", BOMB_BUDGET_MB, note=largest[0]
        ),
        Measurement(
            "scan of an honest 10,000 × 30 workbook",
            scan,
            "s",
            max(0.5, 3 * calamine),
            note=f"raw reference: calamine reads it in {calamine:.3f} s",
        ),
    ]


# The server under bombs ------------------------------------------------------------------------------------


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def logged_in_cookie() -> str:
    """A session of a department user, created directly (the log-in form is not what is measured)."""
    department, _created = Department.objects.get_or_create(
        code="uo-bench", defaults={"name": "Управление образования (замеры)", "short_name": "УО (замеры)"}
    )
    user, _created = User.objects.get_or_create(
        username="bench-hostile", defaults={"last_name": "Замеров", "first_name": "Иван"}
    )
    Membership.objects.get_or_create(user=user, role=Role.DEPARTMENT_STAFF, department=department)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "1", "SECURE_COOKIES": "0", "STATIC_MANIFEST": "0", "PYTHONPATH": ROOT}
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "vpr_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(SERVER_WORKERS),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
            return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not answer within 60 s")


def count_requests(url: str, seconds: float, statuses: list) -> float:
    """Log-in page requests per second for `seconds`."""
    done, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
        except (urllib.error.URLError, OSError):
            statuses.append(0)
        done += 1
    return done / (time.monotonic() - started)


@benchmark
def hostile_server() -> list[Measurement]:
    """Log-in page requests/s on gunicorn, alone and while one client uploads the hostile files in a loop."""
    port = spare_port()
    base = f"http://127.0.0.1:{port}"
    cookie = logged_in_cookie()
    token = uuid.uuid4().hex + uuid.uuid4().hex  # a 64-character CSRF secret, sent as cookie and header
    bombs = [(filename, build()) for filename, build in HOSTILE.values()]
    server = start_server(port)
    try:
        quiet_statuses: list = []
        quiet = count_requests(base + "/accounts/login/", PHASE_S, quiet_statuses)
        stop = threading.Event()
        uploads: list[tuple[int, float]] = []

        def bomber():
            index = 0
            while not stop.is_set() and index < 500:
                filename, content = bombs[index % len(bombs)]
                body, content_type = multipart(filename, content)
                request = urllib.request.Request(
                    base + "/schools/import/",
                    data=body,
                    headers={
                        "Content-Type": content_type,
                        "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={token}",
                        "X-CSRFToken": token,
                        "Referer": base + "/schools/import/",
                    },
                )
                started = time.monotonic()
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                        uploads.append((response.status, time.monotonic() - started))
                except urllib.error.HTTPError as error:
                    uploads.append((error.code, time.monotonic() - started))
                except (urllib.error.URLError, OSError):
                    uploads.append((0, time.monotonic() - started))
                index += 1

        thread = threading.Thread(target=bomber, daemon=True)
        thread.start()
        busy_statuses: list = []
        busy = count_requests(base + "/accounts/login/", PHASE_S, busy_statuses)
        stop.set()
        thread.join(timeout=90)
        alive = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    failed = [status for status, _seconds in uploads if status != 200]
    errors = [status for status in quiet_statuses + busy_statuses if status != 200]
    slowest_upload = max((seconds for _status, seconds in uploads), default=0.0)
    return [
        Measurement(
            f"log-in page throughput lost while hostile files are uploaded (gunicorn, {SERVER_WORKERS} workers)",
            max(0.0, 100 * (1 - busy / quiet)) if quiet else 100.0,
            "%",
            50,
            note=f"raw reference: {quiet:.1f} req/s alone, {busy:.1f} req/s meanwhile; {len(uploads)} uploads, "
            f"slowest {slowest_upload:.2f} s; server {'alive' if alive else 'DEAD'}",
        ),
        Measurement(
            "hostile uploads not answered with the refusal page (200)",
            len(failed),
            "uploads",
            0,
            note=f"statuses {sorted(set(failed))}" if failed else "every upload answered with its refusal",
        ),
        Measurement(
            "log-in page requests that failed meanwhile",
            len(errors),
            "requests",
            0,
            note=f"median upload {statistics.median([s for _st, s in uploads]):.2f} s" if uploads else "",
        ),
    ]
