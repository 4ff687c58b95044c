"""The repository stands alone: every link in README.md and docs/ resolves to a file in the repository
(and to a heading of it, for `file.md#anchor`), nothing points to ../shared, and every `*.md` file a
document or a docstring mentions exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.architecture.scan import ROOT

LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MENTION = re.compile(r"(?<![\w./-])(?P<path>[\w.-]*[\w/.-]*\w\.md)\b")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if (ROOT / line).exists()]


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def slug(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    title = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", title).strip().lower()
    return re.sub(r"[^\w\- ]", "", title).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = HEADING.match(line)
        if match and not in_code:
            anchors.add(slug(match["title"]))
    return anchors


def test_every_relative_link_of_the_documents_resolves() -> None:
    documents = _documents()
    assert len(documents) > 8
    broken = []
    for document in documents:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
            for match in LINK.finditer(line):
                target = match["target"]
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                    continue
                file_part, _, anchor = target.partition("#")
                resolved = (document.parent / file_part).resolve() if file_part else document
                where = f"{_rel(document)}:{number}: {target}"
                if not resolved.is_file() or not resolved.is_relative_to(ROOT):
                    broken.append(f"{where} (no such file in the repository)")
                elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                    broken.append(f"{where} (no heading #{anchor})")
    assert not broken, "Broken links:\n" + "\n".join(broken)


def test_nothing_points_outside_the_repository() -> None:
    outside = []
    for path in _tracked_files():
        if path.endswith((".md", ".py", ".html", ".toml", ".txt")) and path != _rel(Path(__file__)):
            text = (ROOT / path).read_text(encoding="utf-8")
            outside += [f"{path}: ../shared" for _ in range(text.count("../shared"))]
    assert not outside


def test_every_markdown_file_mentioned_exists() -> None:
    # given every `*.md` named in a document, a docstring or a comment (README.md, docs/, Python code)
    files = _tracked_files()
    names = {Path(f).name for f in files}
    this = _rel(Path(__file__))
    readable = [f for f in files if f.endswith((".md", ".py")) and f != this]
    missing = []
    for path in readable:
        base = (ROOT / path).parent
        for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").splitlines(), start=1):
            for match in MENTION.finditer(line):
                mentioned = match["path"]
                candidates = [base / mentioned, ROOT / mentioned, ROOT / "docs" / mentioned]
                found = any(c.is_file() for c in candidates) or ("/" not in mentioned and mentioned in names)
                if not found:
                    missing.append(f"{path}:{number}: {mentioned}")
    # then each is a file of the repository (DESIGN.md, API.md and STYLE.md are not: explain in docs/)
    assert not missing, "These documents are not in the repository:\n" + "\n".join(missing)
