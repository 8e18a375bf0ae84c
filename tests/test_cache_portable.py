"""The build cache moves between folders and machines: its keys come from content, never from where the project,
the cache or Pagefind lie, nor from file times or inodes (issue #17: a pull request's CI job starts from a fresh
clone, restores the cache its branch or `main` saved, and renders only what the pull request changed).

Each test makes a small project (bench/corpus.py, a few page pairs), commits it to git, builds it in that folder
with a cache, then clones it elsewhere, copies the cache to another place, and builds the clone from there, as
`clair build --cache-dir DIR` run in the clone does on a CI machine.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from clair import search
from clair.cli import main
from conftest import ROOT
from test_determinism import tree_hashes
from test_stale_git import git

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402  (bench/corpus.py)

PAIRS = 4
TIMINGS = re.compile(r"(\d+) pages with their translations: (\d+) built in \d+ process(?:es)?, (\d+) from the cache")
EDITED = ("content/en/section-001/page-0002.md", "content/fr/section-001/page-0002.md")


@pytest.fixture
def project(tmp_path) -> Path:
    """A project committed to git in one folder (its history feeds parity.stale, and so the cache's keys)."""
    root = tmp_path / "first-checkout" / "plan"
    corpus.generate(root, PAIRS)
    git(root.parent, "init", "-q", "plan")
    for setting, value in (("user.name", "Writer"), ("user.email", "writer@example.ca"), ("commit.gpgsign", "false")):
        git(root, "config", setting, value)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "The plan")
    return root


def clone(project: Path, place: Path) -> Path:
    """A fresh clone of the project elsewhere: other paths, other file times, other inodes."""
    place.mkdir(parents=True)
    git(place, "clone", "-q", str(project), "plan")
    return place / "plan"


def build(root: Path, monkeypatch, capsys, *options: str) -> tuple[dict, list, tuple[int, int]]:
    """`clair build --format json --timings OPTIONS` run in the project's folder, as CI runs it: the written
    files' hashes, the findings, and how many units were built and how many came from the cache."""
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["build", "--format", "json", "--timings", "--jobs", "1", *options])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    _, built, cached = map(int, TIMINGS.search(err).groups())
    return tree_hashes(root / "site"), json.loads(out)["findings"], (built, cached)


def edit_pair(root: Path) -> None:
    """A sentence more at the end of one page and of its translation."""
    for name, sentence in zip(EDITED, ("We will report on this each year.", "Nous en ferons rapport chaque année.")):
        path = root / name
        path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def pagefind_runs(monkeypatch) -> list:
    """The programs Pagefind is started from from now on (for each index made, one per language)."""
    started = []
    service = search.Service
    monkeypatch.setattr(search, "Service", lambda program, *args: started.append(program) or service(program, *args))
    return started


def test_a_cache_copied_to_a_fresh_clone_renders_only_the_edited_pair(project, tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache-of-the-first-checkout"
    _, _, (built, cached) = build(project, monkeypatch, capsys, "--cache-dir", str(cache))
    assert cached == 0 and built > PAIRS
    elsewhere = clone(project, tmp_path / "another-machine" / "work")
    copied = tmp_path / "restored" / "cache"
    shutil.copytree(cache, copied)
    edit_pair(elsewhere)
    files, findings, counts = build(elsewhere, monkeypatch, capsys, "--cache-dir", str(copied))
    assert counts == (1, built - 1)
    shutil.rmtree(elsewhere / "site")
    assert (files, findings) == build(elsewhere, monkeypatch, capsys, "--no-cache")[:2]


def test_the_search_index_is_reused_though_pagefind_lies_elsewhere(project, tmp_path, monkeypatch, capsys):
    """A CI machine installs Pagefind afresh (another path, another file time): the index is kept under what
    Pagefind is (its program's bytes), so an unchanged site takes it from the restored cache."""
    cache = tmp_path / "cache"
    first = build(project, monkeypatch, capsys, "--cache-dir", str(cache))
    program = tmp_path / "fresh-install" / "pagefind"
    program.parent.mkdir()
    shutil.copy(search.executable(), program)
    os.chmod(program, stat.S_IRWXU)
    os.utime(program, (1_000_000_000, 1_000_000_000))
    monkeypatch.setenv(search.PAGEFIND_ENV, str(program))
    indexed = pagefind_runs(monkeypatch)
    elsewhere = clone(project, tmp_path / "another-machine")
    again = build(elsewhere, monkeypatch, capsys, "--cache-dir", str(cache))
    assert again[0] == first[0] and again[2] == (0, first[2][0])
    assert indexed == []


def test_another_pagefind_program_indexes_again(project, tmp_path, monkeypatch, capsys):
    """The failing side of the test above: a program with other bytes is another Pagefind."""
    cache = tmp_path / "cache"
    build(project, monkeypatch, capsys, "--cache-dir", str(cache))
    program = tmp_path / "other-pagefind"
    program.write_bytes(Path(search.executable()).read_bytes() + b"\0")  # still runs: trailing bytes are ignored
    os.chmod(program, stat.S_IRWXU)
    monkeypatch.setenv(search.PAGEFIND_ENV, str(program))
    indexed = pagefind_runs(monkeypatch)
    shutil.rmtree(project / "site")
    build(project, monkeypatch, capsys, "--cache-dir", str(cache))
    assert indexed == [str(program)] * 2  # one Pagefind per language
