"""The apps import one way: reports → monitoring → grading → procedures → schools → vpr_portal (.importlinter).

`lint-imports` checks the repository's code; the same check on a copy of it with one wrong import planted must
fail and name that import, so a contract that checks nothing would be noticed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("vpr_portal", "schools", "procedures", "grading", "monitoring", "reports")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    """Runs import-linter on the packages under `where` with the repository's contract."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / ".importlinter")],
        cwd=where,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(where)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_apps(target: Path) -> Path:
    """The apps' Python modules (nothing else: the check reads only imports) copied under `target`."""

    def not_python(directory: str, names: list[str]) -> list[str]:
        return [
            name
            for name in names
            if name == "__pycache__" or (not name.endswith(".py") and not (Path(directory) / name).is_dir())
        ]

    for app in APPS:
        shutil.copytree(ROOT / app, target / app, ignore=not_python)
    return target


def test_the_apps_import_only_the_apps_below_them():
    outcome = lint_imports(ROOT)

    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "1 kept, 0 broken" in outcome.stdout


@pytest.mark.parametrize(
    ("planted", "source", "refusal"),
    [
        # an app that imports an app above it
        ("grading/planted.py", "from reports import views\n", "grading is not allowed to import reports"),
        # the project package that imports an app
        ("vpr_portal/planted.py", "import procedures.models\n", "vpr_portal is not allowed to import procedures"),
        # an import inside a function (done late to dodge a cycle) counts the same
        (
            "vpr_portal/late.py",
            "def later():\n    from procedures import selectors  # noqa\n",
            "vpr_portal is not allowed to import procedures",
        ),
    ],
)
def test_a_wrong_import_planted_in_a_copy_breaks_the_contract(tmp_path, planted, source, refusal):
    tree = copy_of_the_apps(tmp_path)
    (tree / planted).write_text(source, encoding="utf-8")

    outcome = lint_imports(tree)

    assert outcome.returncode != 0
    assert "BROKEN" in outcome.stdout
    assert refusal in outcome.stdout
    assert planted.removesuffix(".py").replace("/", ".") in outcome.stdout
