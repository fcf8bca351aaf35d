"""Region scale (issue 10's budgets), run by `python -m tests.bench --region` on PostgreSQL against the region that
`seed_demo --scale region` builds: the department's pages (p95 server time and queries), fifty department users at
once through gunicorn, the campaign's region-wide lists, and the batch commands; `import_results` of a 10,000 × 24
form beside the raw pipeline is in region_import.py.

The machine is shared, so each group prints a raw reference measured in the same run beside its budget: a fixed
pure-Python loop (how fast this process gets the CPU now), and a region-wide GROUP BY over the scores (how fast
the database answers now). Pages another part of the product has not built yet print «not built».
"""

import asyncio
import http.client
import io
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command, get_commands
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from procedures.models import Assessment, Campaign, Participant
from reports.demo.campaigns import finished_springs, spring_of_current_year
from reports.demo.region import USERNAME, campaign_code, school_code
from schools.models import User

from . import Measurement, region_benchmark

PAGE_BUDGET_S = 0.300
PAGE_RUNS = 20
LIST_RUNS = 10
LOAD_USERS = 50
LOAD_SECONDS = 20.0
LOAD_RATE_BUDGET = 150.0
LOAD_ERROR_BUDGET = 0.1  # percent
WARM_ANSWERS_PER_WORKER = 8  # answers of each page per worker before the load is measured
WARM_SECONDS_MAX = 120.0
REBUILD_BUDGET_S = 60.0
EXPORT_BUDGET_S = 10.0
ROOT = Path(__file__).resolve().parents[2]


# What the pages are read on ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The region's objects the pages are opened for: the last finished campaign, a school with a planted pattern
    (bunching in RU-4, its 4А class) and the coming campaign."""

    campaign: str
    coming: str
    assessment: str = "RU-4"
    school: str = school_code(2)
    class_name: str = "4А"

    def values(self) -> dict[str, str]:
        return {
            "campaign_code": self.campaign,
            "assessment_code": self.assessment,
            "school_code": self.school,
            "class_name": self.class_name,
        }


def target() -> Target:
    found = Target(campaign=campaign_code(finished_springs()[-1]), coming=campaign_code(spring_of_current_year()))
    signals_checked(found.campaign)
    return found


def signals_checked(campaign: str) -> None:
    """The campaign's signals checked once, as the portal's periodic check does within minutes of an import
    (monitoring.cases.cases_open; the region's builder plants the patterns but checks nothing): the signals list
    is measured with its cases (about a hundred at 600 schools), not empty. Idempotent; a few seconds once."""
    from monitoring.cases import cases_open
    from monitoring.models import SignalCheck

    assessments = Assessment.objects.filter(campaign__code=campaign).select_related("campaign").order_by("code")
    if not SignalCheck.objects.filter(assessment__in=assessments).exists():
        for assessment in assessments:
            cases_open(assessment=assessment)


def url_for(names: list[str], values: dict[str, str]) -> tuple[str, str] | None:
    """(name, URL) of the first name that reverses with some of `values` as its arguments, or None: the pages
    other parts of the product build are found when they exist."""
    keys = list(values)
    for name in names:
        for size in range(len(keys), -1, -1):
            for subset in itertools.combinations(keys, size):
                try:
                    return name, reverse(name, kwargs={key: values[key] for key in subset})
                except NoReverseMatch:
                    continue
    return None


def department_pages(t: Target) -> list[tuple[str, tuple[str, str] | None]]:
    """The five pages of the budget: label → (URL name, URL) or None while not built."""
    values = t.values()
    return [
        ("municipal dashboard", url_for(["reports:municipal_results"], values)),
        ("municipal assessment page", url_for(["reports:municipal_assessment"], values)),
        (
            "school page",
            url_for(["reports:municipal_school", "reports:school_results", "grading:results_figures"], values),
        ),
        ("class page", url_for(["reports:municipal_class", "reports:class_results", "grading:results_class"], values)),
        ("funnel plot", url_for(["reports:municipal_funnel", "reports:funnel"], values)),
        (
            "signals list",
            url_for(["monitoring:campaign_signals", "monitoring:signals", "monitoring:campaign_cases"], values),
        ),
    ]


def department_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    return client


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def server_times(client: Client, url: str, runs: int) -> tuple[list[float], int, int, int]:
    """Times of `runs` requests after two warm-ups, the queries of one, its status and size."""
    for _warm in range(2):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request's start empties the log the capture reads
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return timings, count, response.status_code, len(response.content)


# Raw references ----------------------------------------------------------------------------------------------


def cpu_reference() -> float:
    """A fixed pure-Python loop (≈ 0.1 s on an idle core): a slower number means the CPU is shared now."""
    started = time.perf_counter()
    total = 0
    for number in range(2_000_000):
        total += number % 7
    return time.perf_counter() - started


def group_by_reference(campaign: str) -> tuple[float, int]:
    """The region-wide GROUP BY the summary rows exist to avoid (per school × task over the campaign's scores)."""
    sql = (
        "SELECT w.school_id, s.task_id, SUM(COALESCE(s.value, 0)), COUNT(*) FROM grading_score s "
        "JOIN grading_work w ON w.id = s.work_id JOIN procedures_assessment a ON a.id = w.assessment_id "
        "JOIN procedures_campaign c ON c.id = a.campaign_id WHERE c.code = %s GROUP BY w.school_id, s.task_id"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign])
        rows = len(cursor.fetchall())
    return time.perf_counter() - started, rows


def references(t: Target) -> list[Measurement]:
    cpu = statistics.median(cpu_reference() for _ in range(3))
    group_by, rows = group_by_reference(t.campaign)
    return [
        Measurement("reference: fixed Python loop (CPU available now)", cpu, "s", 0.15, "≈ 0.1 s on an idle core"),
        Measurement(
            f"reference: region-wide GROUP BY over {t.campaign}'s scores",
            group_by,
            "s",
            2.0,
            f"{rows:,} school × task rows; the design measured 1.3–1.7 s at this scale",
        ),
    ]


# The department's pages ----------------------------------------------------------------------------------------


@region_benchmark
def region_pages() -> list[Measurement]:
    """The department's pages at region scale: p95 server time of 20 requests each and its queries."""
    t = target()
    client = department_client()
    results = references(t)
    for label, found in department_pages(t):
        results.append(page_measurement(client, label, found, PAGE_RUNS))
    return results


def page_measurement(client: Client, label: str, found, runs: int, budget: float = PAGE_BUDGET_S) -> Measurement:
    if found is None:
        return Measurement(f"{label}: not built", 0.0, "s", budget, "no such page yet")
    name, url = found
    try:
        timings, queries, status, size = server_times(client, url, runs)
    except Exception as error:  # another part's page broken mid-work: its row says so, the others still run
        return Measurement(f"{label}: ERROR ({name})", float("inf"), "s", budget, f"{type(error).__name__}: {error}")
    if status != 200:
        return Measurement(f"{label}: HTTP {status} ({name})", float("inf"), "s", budget, url)
    return Measurement(
        f"{label} p95 of {runs} ({name})",
        p95(timings),
        "s",
        budget,
        f"median {statistics.median(timings):.3f} s; {queries} queries; {size / 1024:.0f} KB",
    )


@region_benchmark
def region_lists() -> list[Measurement]:
    """The pages that list the whole region: «Ход кампании», the upload matrix (the coming and the last
    campaign), the department's start page; p95 of 10 requests each."""
    t = target()
    client = department_client()
    pages = [
        ("«Ход кампании» (coming campaign)", url_for(["procedures:progress"], {"campaign_code": t.coming})),
        ("upload matrix, page 1 (coming campaign)", url_for(["grading:uploads"], {"campaign_code": t.coming})),
        ("upload matrix, page 1 (finished campaign)", url_for(["grading:uploads"], {"campaign_code": t.campaign})),
        ("department overview", url_for(["reports:overview"], {})),
    ]
    results = [page_measurement(client, label, found, LIST_RUNS) for label, found in pages]
    # the matrix is a cached page: as the first request after a write (an import, an upload) reads it
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        found = url_for(["grading:uploads"], {"campaign_code": t.campaign})
        label = "upload matrix, page 1 (finished campaign), uncached"
        results.append(page_measurement(client, label, found, LIST_RUNS))
    return results


# Fifty department users at once -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie() -> str:
    """A logged-in session of the department user, saved in the database as a log-in would save it."""
    user = User.objects.get(username=USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def start_gunicorn(port: int, workers: int, *, worker_class: str = "gthread", threads: int = 2) -> subprocess.Popen:
    """gunicorn with the portal's own settings (vpr_portal/gunicorn.py) on 127.0.0.1:`port`, `workers` processes
    of `threads` threads (gthread), or single-threaded ones (worker_class="sync")."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn) if gunicorn.exists() else shutil.which("gunicorn") or "gunicorn"]
    command += ["-c", "python:vpr_portal.gunicorn", "vpr_portal.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    if worker_class != "gthread":
        command += ["--worker-class", worker_class]
    env = {**os.environ, "WEB_THREADS": str(threads)}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection_.request("GET", "/accounts/login/")
            connection_.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


@dataclass
class LoadResult:
    latencies: list[float]
    errors: int
    seconds: float
    statuses: dict[int, int]


def load(port: int, urls: list[str], cookie: str, *, users: int, seconds: float) -> LoadResult:
    """`users` threads, each requesting the pages in turn as fast as answered, for `seconds`."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(index: int) -> None:
        nonlocal errors
        for number in itertools.count(index):
            if time.monotonic() >= stop:
                return
            url = urls[number % len(urls)]
            started = time.perf_counter()
            try:
                connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection_.request("GET", url, headers={"Cookie": cookie})
                response = connection_.getresponse()
                response.read()
                connection_.close()
                status = response.status
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(latencies, errors, time.monotonic() - started, statuses)


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Reads one HTTP/1.1 answer: its status, and whether the connection stays open for the next request."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()
        return status, False
    return status, headers.get("connection", "").lower() != "close"


def load_async(port: int, urls: list[str], cookie: str, *, users: int, seconds: float) -> LoadResult:
    """`load` with one thread of asyncio instead of a thread a user, so that the generator, which shares the
    machine's cores with the server, takes less of them: each user's connection is kept open while the server
    keeps it (keep-alive; gunicorn's sync workers close it after each answer, so a new one is opened)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    requests = [(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n").encode() for url in urls]

    async def user(index: int, stop: float) -> None:
        nonlocal errors
        reader = writer = None
        for number in itertools.count(index):
            if time.monotonic() >= stop:
                break
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
                writer.write(requests[number % len(requests)])
                status, keep = await asyncio.wait_for(_answer(reader), 10)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                status, keep = 0, False
            elapsed = time.perf_counter() - started
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1
            if not keep and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    async def everyone() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(user(i, stop) for i in range(users)))

    started = time.monotonic()
    asyncio.run(everyone())
    return LoadResult(latencies, errors, time.monotonic() - started, statuses)


def warm_up(port: int, urls: list[str], cookie: str, *, answers: int) -> None:
    """Requests the pages (5 users) until each has been answered `answers` times, or for WARM_SECONDS_MAX: every
    worker process has its own local cache (no Redis in the bench), and a cold one computes each page's figures
    once (seconds for the region), which is the start of a worker, not its answers under load. With `answers` a
    multiple of the workers, each worker has almost surely answered each page."""
    deadline = time.monotonic() + WARM_SECONDS_MAX
    answered = 0
    while answered < answers * len(urls) and time.monotonic() < deadline:
        answered += len(load(port, urls, cookie, users=5, seconds=2).latencies)


def cpu_ticks(server_pid: int) -> dict[int, tuple[bool, int]]:
    """Each process's CPU ticks used so far (utime + stime) and whether it is the gunicorn server's (the arbiter or
    one of its workers), every process of the machine but this one; {} without /proc."""
    found = {}
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return found
    for pid in pids:
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (pid == server_pid or int(fields[1]) == server_pid, int(fields[11]) + int(fields[12]))
    return found


def cpu_used(before: dict[int, tuple[bool, int]], after: dict[int, tuple[bool, int]]) -> tuple[float, float]:
    """CPU seconds between two `cpu_ticks`: of the gunicorn server's processes, and of every other process (what
    competes with the load: the database, other programs). Processes that started or ended in between count
    from what is known of them (a process gone is not counted negative)."""
    ours = others = 0
    for pid, (server, ticks) in after.items():
        used = ticks - before.get(pid, (server, 0))[1]
        if server:
            ours += used
        else:
            others += used
    hertz = os.sysconf("SC_CLK_TCK")
    return ours / hertz, others / hertz


@region_benchmark
def region_load() -> list[Measurement]:
    """50 department users at once on the department's pages, through gunicorn ((2 × cores) + 1 workers) on
    127.0.0.1, for 20 s once every worker is warm (`warm_up`): requests per second, p95 latency, errors; beside
    them the CPU the workers and the load generator (this process) took a request, the other processes' share
    and the load average, since the generator and everything else share the machine's cores with the server.

    BENCH_LOAD_CLIENT=asyncio generates the load from one asyncio thread (`load_async`, keep-alive when the
    server keeps connections) instead of a thread a user; the workers are gunicorn's threaded ones with BENCH_THREADS=N
    (2) threads, as in production (vpr_portal/gunicorn.py); BENCH_WORKER_CLASS=sync runs single-threaded workers."""
    t = target()
    return load_measurements(f"{LOAD_USERS} users", department_pages(t))


@region_benchmark
def region_matrix_load() -> list[Measurement]:
    """50 department users at once on the upload matrix (page 1 of the finished and of the coming campaign), the
    page that answered 0.75 requests a second with 35 % of them timing out before it was fixed; the same server and
    load as `region_load`. The issue gives it no budget of its own: the five pages' budget is printed beside it as a
    yardstick."""
    t = target()
    pages = [
        ("matrix (finished campaign)", url_for(["grading:uploads"], {"campaign_code": t.campaign})),
        ("matrix (coming campaign)", url_for(["grading:uploads"], {"campaign_code": t.coming})),
    ]
    return load_measurements(f"{LOAD_USERS} users on the upload matrix", pages)


def load_measurements(label: str, pages) -> list[Measurement]:
    """The load of `region_load` on `pages` ((name, found url) pairs): requests per second, p95 and errors, each
    beside the five pages' budget."""
    client = department_client()
    found = [found for _label, found in pages if found is not None]
    urls = [url for _name, url in found if client.get(url).status_code == 200]
    left_out = [name for name, url in found if url not in urls]
    workers = 2 * (os.cpu_count() or 1) + 1
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # as production runs (Dockerfile)
    threads = int(os.environ.get("BENCH_THREADS", "2"))  # as production runs (vpr_portal/gunicorn.py)
    client_name = os.environ.get("BENCH_LOAD_CLIENT", "threads")
    generate = load_async if client_name == "asyncio" else load
    port = free_port()
    cookie = session_cookie()
    connections.close_all()  # the workers open their own
    server = start_gunicorn(port, workers, worker_class=worker_class, threads=threads)
    try:
        warm_up(port, urls, cookie, answers=WARM_ANSWERS_PER_WORKER * workers)
        before = cpu_ticks(server.pid)
        generator_before = time.process_time()
        result = generate(port, urls, cookie, users=LOAD_USERS, seconds=LOAD_SECONDS)
        generator = time.process_time() - generator_before
        after = cpu_ticks(server.pid)
        load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    total = len(result.latencies) + result.errors
    shape = f"{workers} {worker_class} workers" + (f" × {threads} threads" if worker_class == "gthread" else "")
    note = f"{len(urls)} pages, {shape}, {client_name} client, {total:,} requests in {result.seconds:.1f} s"
    workers_cpu, others_cpu = cpu_used(before, after)
    if workers_cpu and total:
        # the workers' CPU a request, the load generator's (this process), and how much of the machine's cores
        # everything else took meanwhile
        note += (
            f"; workers' CPU {1000 * workers_cpu / total:.1f} ms a request; generator's CPU"
            f" {1000 * generator / total:.1f} ms a request ({100 * generator / result.seconds:.0f} % of a core);"
            f" other processes {100 * others_cpu / result.seconds:.0f} % of a core (database included);"
            f" load average {load_average:.1f}"
        )
    if left_out:
        note += "; left out (not answering 200 in-process): " + ", ".join(left_out)
    return [
        Measurement(
            f"{label}: requests per second",
            total / result.seconds,
            "req/s",
            LOAD_RATE_BUDGET,
            note,
            at_least=True,
        ),
        Measurement(
            f"{label}: p95 latency",
            p95(result.latencies) if result.latencies else float("inf"),
            "s",
            PAGE_BUDGET_S,
            f"median {statistics.median(result.latencies):.3f} s" if result.latencies else "no answer",
        ),
        Measurement(
            f"{label}: errors",
            100 * result.errors / max(total, 1),
            "%",
            LOAD_ERROR_BUDGET,
            "statuses "
            + ", ".join(f"{s}: {n}" for s, n in sorted(result.statuses.items()))
            + " (0: no answer in 10 s)",
        ),
    ]


# Batch commands --------------------------------------------------------------------------------------------------


@region_benchmark
def region_batch() -> list[Measurement]:
    """The summary rows rebuilt for the region (`rebuild_summaries`) and `export_municipal_report` of the last
    finished campaign, beside the region-wide GROUP BY."""
    t = target()
    results = [references(t)[1]]
    if "rebuild_summaries" in get_commands():
        started = time.perf_counter()
        call_command("rebuild_summaries", stdout=io.StringIO())
        results.append(
            Measurement("rebuild_summaries for the region", time.perf_counter() - started, "s", REBUILD_BUDGET_S)
        )
    else:
        results.append(Measurement("rebuild_summaries: not built", 0.0, "s", REBUILD_BUDGET_S, "no such command yet"))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "municipal.xlsx")
        started = time.perf_counter()
        call_command("export_municipal_report", campaign=t.campaign, output=path, stdout=io.StringIO())
        elapsed = time.perf_counter() - started
        size = os.path.getsize(path)
    schools = Participant.objects.filter(campaign__code=t.campaign).values("school_id").distinct().count()
    results.append(
        Measurement(
            f"export_municipal_report {t.campaign}",
            elapsed,
            "s",
            EXPORT_BUDGET_S,
            f"{Campaign.objects.get(code=t.campaign).assessments.count()} sheets, {schools} schools, "
            f"{size / 1024:.0f} KB",
        )
    )
    return results
