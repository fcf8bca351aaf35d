"""Hostile spreadsheets: every importer refuses them, quickly and in little memory, with a Russian message.

The files are built in code (tests/hostile_workbooks.py): dimension bombs in several shapes, flood and
nesting bombs, zip bombs, files that are not what their extension says. The batch commands run in
subprocesses, so that their wall time and peak memory are measured and an abort would show as one.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from schools.importers import parse_pupils, parse_schools
from schools.models import Pupil, Role, School
from tests.factories import catalogue_data, user_with_role
from tests.hostile_workbooks import HOSTILE, valid_xlsx
from vpr_portal.tables import InputRefused, read_table

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = 5.0
PEAK_MB = 300
# Words every refusal of a hostile file carries: it was refused as a file, not for its rows or a missing school.
REFUSAL_WORDS = ("книга Excel", "таблица больше", "архив", "CSV", "файл не является")

# The three importers' commands; the school, campaign and assessment exist in the prepared database.
COMMANDS = {
    "import_schools": [],
    "import_pupils": ["--school", "sch660001"],
    "import_results": ["--campaign", "VPR-2026", "--assessment", "RU-4", "--school", "sch660001"],
}
# Every bomb goes through one command; the dimension bombs (the ones that killed the server) through all three.
DIMENSION_BOMBS = ["cell_at_XFD1048576", "cell_at_ZZ200000", "declared_dimension_only", "rows_without_r"]
CATALOGUE = catalogue_data(max_points=5, scale={"3": 2, "4": 3, "5": 4})


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bombs")
    paths = {}
    for name, (filename, build) in HOSTILE.items():
        path = directory / name / filename
        path.parent.mkdir()
        path.write_bytes(build())
        paths[name] = path
    return paths


def environment(database: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="1",
        SECURE_COOKIES="0",
        STATIC_MANIFEST="0",
        MEDIA_ROOT=str(database.parent / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


# Runs one command from a small Python that is not the test process: a child's peak memory as wait4 reports it
# starts from its parent's (the fork copies the parent's high-water mark), and a test process deep in the suite
# is itself a few hundred MB.
SPAWNER = r"""
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
_pid, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "seconds": elapsed, "peak_mb": usage.ru_maxrss / 1024,
                  "stdout": child.stdout.read().decode(errors="replace"),
                  "stderr": child.stderr.read().decode(errors="replace")}))
"""


def manage_measured(env: dict, *arguments: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """As `manage`, with the command's own peak memory (wait4's ru_maxrss, kilobytes on Linux) and time.
    The outputs are short (a refusal is a line or two), so the pipes cannot fill before the exit."""
    argv = [PYTHON, str(ROOT / "manage.py"), *arguments]
    spawner = subprocess.run(
        [PYTHON, "-c", SPAWNER, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert spawner.returncode == 0, spawner.stderr[-3000:]
    run = json.loads(spawner.stdout.strip().splitlines()[-1])
    completed = subprocess.CompletedProcess(argv, run["code"], run["stdout"], run["stderr"])
    return completed, run["seconds"], run["peak_mb"]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A SQLite database prepared by the commands themselves: migrated, one school, one catalogue."""
    directory = tmp_path_factory.mktemp("cli")
    env = environment(directory / "db.sqlite3")
    migrated = subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True)
    assert migrated.returncode == 0, migrated.stderr
    schools = directory / "schools.csv"
    schools.write_text("Код;Наименование;Краткое наименование\nsch660001;Средняя школа № 1;СШ №1\n", encoding="utf-8")
    catalogue = directory / "catalogue.json"
    catalogue.write_text(json.dumps(CATALOGUE, ensure_ascii=False), encoding="utf-8")
    for arguments in (["import_schools", str(schools)], ["load_catalogue", str(catalogue)]):
        done = subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return env


def assert_refused_as_a_file(stderr: str) -> None:
    assert stderr.strip(), "nothing on stderr"
    assert "Traceback" not in stderr and "panicked" not in stderr
    assert any(word in stderr for word in REFUSAL_WORDS), stderr
    assert any("а" <= letter <= "я" for letter in stderr.lower())


CLI_CASES = [(bomb, "import_schools") for bomb in HOSTILE] + [
    (bomb, command) for bomb in DIMENSION_BOMBS for command in ("import_pupils", "import_results")
]

# Runs the batch commands as manage.py does, once Django is set up: each in a forked child, whose exit status,
# wall time and peak memory (wait4) are reported as a JSON line. Starting Django once keeps the battery short.
DRIVER = r"""
import json, os, sys, tempfile, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")
django.setup()
from django.core.management import execute_from_command_line
for line in sys.stdin:
    case = json.loads(line)
    err = tempfile.TemporaryFile()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(err.fileno(), 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        try:
            execute_from_command_line(["manage.py", *case["argv"]])
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        sys.stderr.flush()
        os._exit(code)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    err.seek(0)
    print(json.dumps({**case, "code": os.waitstatus_to_exitcode(status), "seconds": elapsed,
                      "peak_mb": usage.ru_maxrss / 1024, "stderr": err.read().decode(errors="replace")}), flush=True)
"""


@pytest.fixture(scope="module")
def command_runs(bomb_files, cli_env):
    """Every bomb through import_schools; the dimension bombs also through import_pupils and import_results."""
    cases = [{"bomb": bomb, "command": command} for bomb, command in CLI_CASES]
    for case in cases:
        case["argv"] = [case["command"], str(bomb_files[case["bomb"]]), *COMMANDS[case["command"]]]
    driver = subprocess.run(
        [PYTHON, "-c", DRIVER],
        input="".join(json.dumps(case) + "\n" for case in cases),
        cwd=ROOT,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    runs = [json.loads(line) for line in driver.stdout.splitlines() if line.startswith("{")]
    assert len(runs) == len(cases)
    return {(run["bomb"], run["command"]): run for run in runs}


@pytest.mark.parametrize(("bomb", "command"), CLI_CASES)
def test_every_hostile_file_is_refused_by_the_command_quickly_and_in_little_memory(command_runs, bomb, command):
    run = command_runs[(bomb, command)]
    assert run["code"] == 1, (run["code"], run["stderr"][-2000:])
    assert_refused_as_a_file(run["stderr"])
    assert run["seconds"] < SECONDS, f"{bomb}: {run['seconds']:.1f} s"
    assert run["peak_mb"] < PEAK_MB, f"{bomb}: {run['peak_mb']:.0f} MB"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_command_itself_refuses_the_549_gb_cell_with_exit_1(bomb_files, cli_env, command):
    """The real `manage.py` process: this bomb used to abort it (exit 134, a Rust backtrace)."""
    completed, elapsed, peak_mb = manage_measured(
        cli_env, command, str(bomb_files["cell_at_XFD1048576"]), *COMMANDS[command]
    )
    assert completed.returncode == 1, (completed.returncode, completed.stderr[-2000:])
    assert_refused_as_a_file(completed.stderr)
    assert peak_mb < PEAK_MB
    assert elapsed < 60  # Django's own start dominates here; the refusal itself is timed above


@pytest.mark.parametrize("bomb", list(HOSTILE))
@pytest.mark.parametrize("parse", [parse_schools, parse_pupils], ids=["schools", "pupils"])
def test_every_hostile_file_is_refused_before_any_importer_parses_it(bomb_files, bomb, parse):
    path = bomb_files[bomb]
    started = time.perf_counter()
    with pytest.raises(InputRefused) as refused:
        parse(read_table(path.read_bytes(), path.name))
    assert time.perf_counter() - started < SECONDS
    message = "; ".join(str(problem) for problem in refused.value.problems)
    assert any(word in message for word in REFUSAL_WORDS), message


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", list(HOSTILE))
def test_the_upload_pages_show_the_refusal_of_a_hostile_file(client, bomb_files, school, department, bomb, settings):
    settings.UPLOAD_INLINE_MAX_BYTES = settings.UPLOAD_MAX_BYTES  # in the request here; tests/test_upload_jobs.py
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="coord")
    staff = user_with_role(Role.DEPARTMENT_STAFF, department=department, username="uo")
    path = bomb_files[bomb]
    for user, url in (
        (staff, reverse("schools:school_import")),
        (coordinator, reverse("schools:pupil_import", kwargs={"school_code": school.code})),
    ):
        client.force_login(user)
        with path.open("rb") as handle:
            response = client.post(url, {"file": handle})
        assert response.status_code == 200
        problems = "; ".join(str(problem) for problem in response.context["problems"])
        assert any(word in problems for word in REFUSAL_WORDS), problems
    assert School.objects.count() == 1 and not Pupil.objects.exists()


def test_an_honest_small_workbook_still_reads():
    table = read_table(valid_xlsx(), "schools.xlsx")
    assert table.headers == ["Код"] and table.rows == [(2, ["sch1"])]


def test_a_workbook_written_by_openpyxl_reads_through_the_scan(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Код", "Наименование", "Краткое наименование"])
    for number in range(200):
        sheet.append([f"sch{660000 + number}", f"Школа {number}", f"Ш{number}"])
    sheet.merge_cells("D1:E1")
    path = tmp_path / "schools.xlsx"
    workbook.save(path)
    records = parse_schools(read_table(path.read_bytes(), path.name))
    assert len(records) == 200 and records[-1].code == "sch660199"


def test_a_sheet_just_inside_the_limits_is_read(settings):
    from tests.hostile_workbooks import sheet_xml, xlsx

    settings.SHEET_MAX_ROWS, settings.SHEET_MAX_COLUMNS = 50, 5
    rows = "".join(f'<row r="{n}"><c r="E{n}"><v>{n}</v></c></row>' for n in range(1, 51))
    table = read_table(xlsx(sheet_xml(f"<sheetData>{rows}</sheetData>", dimension="A1:E50")), "a.xlsx")
    assert len(table.rows) == 49
    settings.SHEET_MAX_ROWS = 49
    with pytest.raises(InputRefused):
        read_table(xlsx(sheet_xml(f"<sheetData>{rows}</sheetData>")), "a.xlsx")


def test_cells_without_references_are_placed_one_after_another(settings):
    from tests.hostile_workbooks import sheet_xml, xlsx

    settings.SHEET_MAX_COLUMNS = 3
    three = xlsx(sheet_xml("<sheetData><row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row></sheetData>"))
    assert read_table(three, "a.xlsx").headers == ["1", "2", "3"]
    after_c = xlsx(sheet_xml('<sheetData><row><c r="C1"><v>1</v></c><c><v>2</v></c></row></sheetData>'))
    with pytest.raises(InputRefused):
        read_table(after_c, "a.xlsx")
