"""A long build shows its progress on a terminal (pages done out of all, one line rewritten in place), and
nothing of it anywhere else: not in CI logs, not in a file or a pipe, not with --format json or github."""
from __future__ import annotations

import io
import re
import sys

import pytest

from clair.cli import main
from clair.progress import Progress
from conftest import minimal_pages, page, write_tree

PAGES = {**minimal_pages(), **{f"{lang}/part-{n}.md": page(f"{title} {n}", f"{text} {n}.\n")
                               for n in range(1, 4) for lang, title, text in (("en", "Part", "We serve people"),
                                                                            ("fr", "Partie", "Nous servons"))}}
LINE = re.compile(r"\rBuilding: ([\d,]+) of ([\d,]+) pages")


class Terminal(io.StringIO):
    """An error stream that says it is a terminal, as a person's would."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def project(tmp_path, monkeypatch):
    write_tree(tmp_path, PAGES)
    monkeypatch.chdir(tmp_path)
    for name in ("CI", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def build(monkeypatch, stream, *options: str) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["build", "--jobs", "1", "--no-cache", *options]) in (0, 1)
    return stream.getvalue()


def test_a_terminal_sees_the_pages_counted_on_one_line_then_wiped(project, monkeypatch):
    said = build(monkeypatch, Terminal(), "--format", "text")
    counts = [(int(done), int(total)) for done, total in LINE.findall(said)]
    assert counts and counts[-1] == (8, 8) and all(total == 8 for _, total in counts)
    last = list(LINE.finditer(said))[-1]
    assert "\n" not in said[:last.start()]  # rewritten in place, never a new line
    assert re.match(r"\r +\r", said[last.end():])  # then wiped: nothing of it is left before what follows
    assert "Built 8 pages" in said or "The site was written" in said


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS"])
def test_nothing_extra_in_ci_logs(project, monkeypatch, variable):
    monkeypatch.setenv(variable, "true")
    assert "Building:" not in build(monkeypatch, Terminal(), "--format", "text")


@pytest.mark.parametrize("output_format", ["json", "github"])
def test_nothing_extra_with_machine_formats(project, monkeypatch, output_format):
    assert "Building:" not in build(monkeypatch, Terminal(), "--format", output_format)


def test_nothing_extra_in_a_file_or_a_pipe(project, monkeypatch):
    assert "Building:" not in build(monkeypatch, io.StringIO(), "--format", "text")


def test_the_line_is_rewritten_at_most_ten_times_a_second():
    stream = Terminal()
    progress = Progress(stream)
    for done in range(1, 1001):
        progress(done, 1000)
    counts = LINE.findall(stream.getvalue())
    assert counts[0] == ("1", "1,000") and counts[-1] == ("1,000", "1,000")
    assert len(counts) < 10  # the first, the last, and any a tenth of a second apart
    progress.wipe()
    assert stream.getvalue().endswith("\r" + " " * len("Building: 1,000 of 1,000 pages") + "\r")
