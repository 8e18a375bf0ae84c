"""End to end: a copy of the sample with six typical pull-request mistakes fails with exactly those findings."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEW_ENGLISH = ("Every spring we will tell the public how the changes are going, and we will ask employees "
               "what they think of them.")
FORTY_WORDS = ("We will keep on working with all of the teams in every part of the province so that each "
               "person who needs our help can get it fast and in a way that is simple for them and for us.")


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    """Check a copy of the sample after six edits a pull request might contain."""
    root = tmp_path_factory.mktemp("mutated")
    for name in ("content", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    content = root / "content"
    (content / "fr/ops-future-2018/appendix-b.md").unlink()                       # 1. a French page deleted
    edit(content / "fr/ops-future-2018/and-now.md", "## Rester en contact\n", "")   # 2. a heading removed
    edit(content / "fr/ops-future-2018/message.md", "février 2017", "février 2016")  # 3. a number changed
    edit(content / "en/blueprint-2020/principles.md", "\n## ", f"\n{FORTY_WORDS}\n\n## ", count=1)  # 4. 40 words
    english_paragraph = first_paragraph(content / "en/ops-future-2018/path-forward.md")[1]
    french = content / "fr/ops-future-2018/path-forward.md"                       # 5. a paragraph left in English
    index, _ = first_paragraph(french)
    lines = french.read_text(encoding="utf-8").split("\n")
    lines[index] = english_paragraph
    french.write_text("\n".join(lines), encoding="utf-8")
    written = content / "fr/ops-future-2018/and-now.md"                           # 6. a paragraph written in English
    edit(written, "\n## ", f"\n{NEW_ENGLISH}\n\n## ", count=1)                  # (not a copy of the English)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--format", "json", "--content",
                             str(content), "--config", str(root / "site.yaml")], capture_output=True, text=True, cwd=root)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    return [f for f in report["findings"] if f["severity"] == "error"], lines_of(root), index + 1


def first_paragraph(path: Path) -> tuple[int, str]:
    """Index and text of the first body paragraph (after the front matter)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    body = lines.index("---", 1) + 1
    index = next(i for i in range(body, len(lines)) if lines[i] and lines[i - 1] == "" and lines[i][0].isalpha())
    return index, lines[index]


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def lines_of(root: Path):
    """Line of a text in a file of the mutated copy, for the expected findings."""
    def find(rel: str, text: str) -> int:
        lines = (root / "content" / rel).read_text(encoding="utf-8").split("\n")
        return next(i + 1 for i, line in enumerate(lines) if text in line)
    return find


def test_exactly_the_six_mistakes_are_errors(findings):
    errors, line_of, untranslated_line = findings
    got = {(f["check"], f["file"].split("content/", 1)[1], f["line"]) for f in errors}
    assert got == {
        ("parity.missing", "en/ops-future-2018/appendix-b.md", 1),
        ("parity.structure", "en/ops-future-2018/and-now.md", line_of("en/ops-future-2018/and-now.md", "## Stay")),
        ("parity.facts", "en/ops-future-2018/message.md", line_of("en/ops-future-2018/message.md", "2017")),
        ("parity.facts", "fr/ops-future-2018/message.md", line_of("fr/ops-future-2018/message.md", "2016")),
        ("readability.sentence-length", "en/blueprint-2020/principles.md",
         line_of("en/blueprint-2020/principles.md", FORTY_WORDS[:40])),
        ("parity.untranslated", "fr/ops-future-2018/path-forward.md", untranslated_line),
        ("parity.untranslated", "fr/ops-future-2018/and-now.md", line_of("fr/ops-future-2018/and-now.md", NEW_ENGLISH)),
    }


def test_findings_name_the_counterpart(findings):
    errors, _, _ = findings
    structure = next(f for f in errors if f["check"] == "parity.structure")
    assert structure["related_file"].endswith("fr/ops-future-2018/and-now.md") and structure["related_line"] > 1
