"""`python -m tests.bench [NAME …] [--list]`: runs the benchmarks on a throwaway SQLite database and prints a
table, one line per measurement with its budget and PASS/OVER.

The developer's db.sqlite3 is never touched: DATABASE_URL points at a file in a fresh temporary directory
(an existing DATABASE_URL, PostgreSQL included, is ignored) before Django is set up, and the directory is
removed at the end. Exit status 0 unless the harness itself or a benchmark breaks (then 1).
"""

import argparse
import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only the benchmarks whose name contains one of these")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database (its path is printed)")
    return parser.parse_args(argv)


def prepare_environment(directory: str) -> str:
    """Points the settings at a database and media folder inside `directory`; returns a description."""
    ignored = os.environ.get("DATABASE_URL", "")
    path = os.path.join(directory, "bench.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
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


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    directory = tempfile.mkdtemp(prefix="vpr-bench-")
    try:
        database = prepare_environment(directory)
        import django
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # django.test.Client's host
        from tests.bench import BENCHMARKS, Measurement

        discover()
        if arguments.list:
            for name, func in BENCHMARKS.items():
                print(f"{name}: {(func.__doc__ or '').strip().splitlines()[0] if func.__doc__ else ''}")
            return 0
        selected = {
            name: func
            for name, func in BENCHMARKS.items()
            if not arguments.names or any(wanted in name for wanted in arguments.names)
        }
        if not selected:
            print("no benchmark matches " + " ".join(arguments.names), file=sys.stderr)
            return 1

        print(f"Database: {database}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Migrated in {time.perf_counter() - started:.1f} s; running {len(selected)} benchmark(s)…\n")

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
            for measurement in [result] if isinstance(result, Measurement) else result:
                rows.append(
                    (
                        measurement.name,
                        format_number(measurement.value, measurement.unit),
                        "≤ " + format_number(measurement.budget, measurement.unit),
                        "PASS" if measurement.passed else "OVER",
                        measurement.note,
                    )
                )
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
