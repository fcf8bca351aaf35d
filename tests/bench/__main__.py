"""`python -m tests.bench [NAME …] [--list] [--region [--schools N] [--fresh]]`: runs the benchmarks and prints a
table, one line per measurement with its budget and PASS/OVER.

Without --region: on a throwaway SQLite database. The developer's db.sqlite3 is never touched: DATABASE_URL points
at a file in a fresh temporary directory (an existing DATABASE_URL, PostgreSQL included, is ignored) before Django
is set up, and the directory is removed at the end.

With --region: the region benchmarks on PostgreSQL (BENCH_POSTGRES_URL, by default postgres://postgres@127.0.0.1:5432/
postgres, a role that may create databases), in a database named after the region's size and a data version (a
hash of the region generator and of every migration). The first run creates it, migrates it and builds the region
with `seed_demo --scale region` (a few minutes); later runs reuse it while the version holds, and a new version
drops the old databases of this bench. --fresh builds it again.

Exit status 0 unless the harness itself or a benchmark breaks (then 1).
"""

import argparse
import hashlib
import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
REGION_DB_PREFIX = "vpr_bench_region_"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only the benchmarks whose name contains one of these")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database (its path is printed)")
    parser.add_argument("--region", action="store_true", help="the region benchmarks, on PostgreSQL")
    parser.add_argument("--schools", type=int, default=600, help="the region's schools (with --region; 600)")
    parser.add_argument("--fresh", action="store_true", help="build the region's database again (with --region)")
    return parser.parse_args(argv)


def region_data_version(schools: int) -> str:
    """A hash of what the region's database is made of: the generator, the demo catalogue it loads, and every
    migration (a schema change means a new database)."""
    digest = hashlib.sha256(str(schools).encode())
    sources = sorted((ROOT / "reports" / "demo").glob("*.py")) + sorted(ROOT.glob("*/migrations/*.py"))
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _admin_connection(url: str):
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def prepare_region_database(*, schools: int, fresh: bool) -> tuple[str, bool]:
    """The region's database URL, and whether it must be built (created empty here, or kept as it is when a
    complete build of this version is there: the build writes its version into the database's comment last)."""
    admin_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    version = region_data_version(schools)
    name = f"{REGION_DB_PREFIX}{schools}_{version}"
    parts = urlsplit(admin_url)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE %s",
                [REGION_DB_PREFIX + "%"],
            )
            existing = dict(cursor.fetchall())
            if name in existing and existing[name] == f"seeded {version}" and not fresh:
                return url, False
            for stale in existing:  # this bench's databases only: other versions and an unfinished build
                cursor.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return url, True


def mark_region_database_built(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    version = name.rsplit("_", 1)[1]
    connection = _admin_connection(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS 'seeded {version}'")
    finally:
        connection.close()


def prepare_environment(directory: str, database_url: str | None = None) -> str:
    """Points the settings at a database (`database_url`, else an SQLite file inside `directory`) and a media
    folder inside `directory`; returns a description."""
    ignored = os.environ.get("DATABASE_URL", "") if database_url is None else ""
    path = os.path.join(directory, "bench.sqlite3")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{path}"
    os.environ["MEDIA_ROOT"] = os.path.join(directory, "media")
    os.environ["STATIC_ROOT"] = os.path.join(directory, "static")
    os.makedirs(os.environ["STATIC_ROOT"])  # whitenoise warns about a missing static root
    # The embedded default: tasks in-process, local cache (a configured Redis would only add noise).
    os.environ.pop("REDIS_URL", None)
    # Background jobs run in the asking thread, so a benchmark's request returns with its job done;
    # printables_job measures the embedded default's job threads by switching this off itself.
    os.environ.setdefault("JOBS_INLINE", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "vpr_portal.settings"
    description = f"SQLite, temporary file {path}"
    if database_url:
        description = (
            "PostgreSQL, " + urlsplit(database_url)._replace(netloc=urlsplit(database_url).hostname or "").geturl()
        )
    if ignored:
        scheme = ignored.split(":", 1)[0]
        description += f" (DATABASE_URL={scheme}://… ignored: the bench runs on SQLite only)"
    return description


def discover() -> None:
    """Imports every module of this package, so that their @benchmark functions register."""
    package = importlib.import_module("tests.bench")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "__main__":
            importlib.import_module(f"tests.bench.{module.name}")


def format_number(value: float, unit: str) -> str:
    if value == float("inf"):
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if float(value).is_integer():
        return f"{int(value)} {unit}"
    return f"{value:.2f} {unit}"


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    header = ("measurement", "value", "budget", "result", "note")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths) + ("-" * 4,), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4])


def prepare_database(call_command, *, region_url: str | None, build_region: bool, schools: int) -> None:
    started = time.perf_counter()
    if region_url is None or build_region:
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Migrated in {time.perf_counter() - started:.1f} s")
    if build_region:
        started = time.perf_counter()
        call_command("seed_demo", scale="region", schools=schools, verbosity=2)
        print(f"Region built in {time.perf_counter() - started:.1f} s (kept for the next runs)")
        mark_region_database_built(region_url)
    elif region_url is not None:
        print("Region database reused (same data version); --fresh builds it again")


def run_benchmarks(selected: dict, measurement_type) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    rows, broken = [], []
    for name, func in selected.items():
        try:
            result = func()
        except BaseException as error:  # SystemExit from a refusing command included
            if isinstance(error, KeyboardInterrupt):
                raise
            broken.append(name)
            traceback.print_exc()
            rows.append((name, "—", "—", "ERROR", f"{type(error).__name__}: {error}"))
            continue
        for measurement in [result] if isinstance(result, measurement_type) else result:
            rows.append(
                (
                    measurement.name,
                    format_number(measurement.value, measurement.unit),
                    ("≥ " if measurement.at_least else "≤ ") + format_number(measurement.budget, measurement.unit),
                    "PASS" if measurement.passed else "OVER",
                    measurement.note,
                )
            )
        sys.stdout.flush()
    return rows, broken


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    directory = tempfile.mkdtemp(prefix="vpr-bench-")
    try:
        region_url, build_region = None, False
        if arguments.region and not arguments.list:
            region_url, build_region = prepare_region_database(schools=arguments.schools, fresh=arguments.fresh)
        database = prepare_environment(directory, region_url)
        import django
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # django.test.Client's host
        from tests.bench import BENCHMARKS, REGION_BENCHMARKS, Measurement

        discover()
        registered = REGION_BENCHMARKS if arguments.region else BENCHMARKS
        if arguments.list:
            for name, func in registered.items():
                print(f"{name}: {(func.__doc__ or '').strip().splitlines()[0] if func.__doc__ else ''}")
            return 0
        selected = {
            name: func
            for name, func in registered.items()
            if not arguments.names or any(wanted in name for wanted in arguments.names)
        }
        if not selected:
            print("no benchmark matches " + " ".join(arguments.names), file=sys.stderr)
            return 1

        print(f"Database: {database}")
        prepare_database(call_command, region_url=region_url, build_region=build_region, schools=arguments.schools)
        print(f"Running {len(selected)} benchmark(s)…\n")
        rows, broken = run_benchmarks(selected, Measurement)
        print_table(rows)
        over = sum(1 for row in rows if row[3] == "OVER")
        print(f"\n{len(rows)} measurement(s), {over} over budget, {len(broken)} broken (budgets are not asserted).")
        connections.close_all()
        return 1 if broken else 0
    finally:
        if arguments.keep:
            print(f"Kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
