"""The repository stands alone: no tracked file points to documents a user who clones the project does not have
(the design notes the project started from lived outside it). The project's own reference is docs/."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|DESIGN\.md|DESIGN §|DESIGN R\d|CLI\.md|STYLE\.md")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_cites_documents_outside_the_repository():
    this = Path(__file__).resolve().relative_to(ROOT).as_posix()
    citing = []
    for name in tracked_files():
        path = ROOT / name
        if name == this or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (images, compiled translations)
        citing += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), start=1) if OUTSIDE.search(line)]
    assert citing == []


def test_the_readme_links_only_inside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+://", t) and not t.startswith("#")]
    assert local, "the README links to the project's docs"
    missing = [t for t in local if t.startswith("..") or not (ROOT / t.split("#")[0]).exists()]
    assert missing == []
