"""Security (#16, points 7, 9, 10 and 11): errors never hang or trace back, and clean-up always happens.

A failure inside a worker process reaches the build as a message, never a hang (even when the
exception cannot be sent back, or the worker dies); template errors name the template's file and
line, once; a full disk is said in plain words and loses nothing; a killed build's children die
with it and its leftovers go with the next build, even one with nothing to write; the output folder
keeps `CNAME`, and a git repository, files clair did not write or a folder of the project itself
are never replaced.

Builds that could hang run in a subprocess of their own process group, killed whole after a
generous timeout, so a regression fails instead of stalling the suite.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import clair.cli
import clair.pipeline
import clair.write
from clair.model import ContentErrors, built_bytes
from clair.pipeline import build_site
from clair.project import DEFAULT_TEMPLATES, Project
from conftest import ROOT, minimal_pages, page, write_tree

TIMEOUT = 60  # seconds a build in a subprocess may take before it counts as hung
GONE_WITHIN = 5  # seconds a killed build's children may take to die

# Runs `python build.py ...` with a fault planted in rendering (FAULT=...): planted before the workers fork,
# so it runs inside them.
DRIVER = f"""
import os, signal, sys, time
sys.path.insert(0, {str(ROOT)!r})
from clair import cli, render, units
from clair.model import ContentError

class Refusal(ContentError):  # its __init__ takes more arguments than it passes on: it cannot be unpickled
    def __init__(self, file, line, message, reason):
        super().__init__(file, line, message)

class Odd(Exception):
    def __init__(self, first, second):
        super().__init__(first)

real, real_check = render.Renderer.render_page, units.check_unit
fault = os.environ["FAULT"]

def render_page(self, page):
    if fault == "sleep":
        time.sleep(120)
    if page.source.name == "a.md" and page.lang == "en":
        if fault == "odd":
            raise Odd("first", "second")
        if fault == "exit":
            os._exit(3)
        if fault == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
    return real(self, page)

def check_unit(work, pages, result):
    if fault == "refusal" and pages[0].source.name == "a.md":  # a check's refusal (the issue's `extra_files`)
        raise Refusal(pages[0].source, 3, "this page is refused", "a reason")
    return real_check(work, pages, result)

render.Renderer.render_page, units.check_unit = render_page, check_unit
sys.exit(cli.main(sys.argv[1:]))
"""


def project(folder: Path) -> Path:
    """A small bilingual site (three units, so a build with two jobs uses its workers) in `folder`."""
    write_tree(folder, {**minimal_pages(), "en/a.md": page("A", "Text.\n"), "fr/a.md": page("A", "Texte.\n"),
                        "en/b.md": page("B", "Text.\n"), "fr/b.md": page("B", "Texte.\n")})
    return folder


def start(folder: Path, *args: str, fault: str | None = None, env: dict | None = None) -> subprocess.Popen:
    """`python build.py build ... ARGS` in `folder` (checks skipped unless the fault is in them), with a planted
    fault, in a process group of its own."""
    command = [sys.executable, str(ROOT / "build.py")]
    if fault:
        (folder / "driver.py").write_text(DRIVER, encoding="utf-8")
        command = [sys.executable, str(folder / "driver.py")]
    skip = [] if fault == "refusal" else ["--skip-checks"]
    return subprocess.Popen([*command, "build", *skip, "--format", "text", *args], cwd=folder,
                            env={**os.environ, **(env or {}), "FAULT": fault or ""}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    """Its exit code and output; a hang fails the test, after killing the whole group (workers included)."""
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"the build hung for {TIMEOUT} s:\n{output}")
    finally:
        kill_group(process.pid)
    return process.returncode, output


def kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def children(pid: int, running: str = "") -> set[int]:
    """The processes whose parent is `pid` (read from /proc), those whose command line holds `running` only."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and running.encode() in command:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie has ended: only its exit status waits to be collected)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def fingerprint(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name or ".previous-" in p.name)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


# -- 1. errors raised in a worker reach the build ----------------------------------------------------

@pytest.mark.parametrize("fault,where,says", [
    ("refusal", "content/en/a.md:3", "this page is refused"),
    ("odd", "content/en/a.md:1", "clair could not build this because of a fault in clair itself"),
])
def test_an_error_a_worker_cannot_send_back_is_reported_not_a_hang(tmp_path, fault, where, says):
    code, output = finish(start(project(tmp_path), "--jobs", "2", "--no-cache", fault=fault))
    assert code == 2, output
    assert f"{where}: error: {says}" in output
    assert "Traceback" not in output and "Refusal" not in output and "Odd" not in output
    assert "1 error, 0 warnings" in output and not (tmp_path / "site").exists()


@pytest.mark.parametrize("fault", ["exit", "kill"])
def test_a_worker_that_dies_stops_the_build_with_a_message(tmp_path, fault):
    code, output = finish(start(project(tmp_path), "--jobs", "2", "--no-cache", fault=fault))
    assert code == 2, output
    assert "content:1: error: one of the build's worker processes ended before finishing its pages" in output
    assert "Traceback" not in output and not (tmp_path / "site").exists() and leftovers(tmp_path) == []


# -- 2. template errors: the template's file and line, once --------------------------------------------

PAGE_TEMPLATE = '{{% extends "base.html" %}}\n{{% block content %}}\n{}\n{{% endblock %}}\n'


@pytest.mark.parametrize("template,where,says", [
    (PAGE_TEMPLATE.format("{{ nothere }}"), "page.html:3", "`nothere` is not defined here"),
    (PAGE_TEMPLATE.format("{{ page.nothere }}"), "page.html:3", "`nothere` is not defined here"),
    (PAGE_TEMPLATE.format('{% include "nope.html" %}'), "page.html:3", "the template `nope.html` used here does not exist"),
    (PAGE_TEMPLATE.format('{% include "page.html" %}'), "page.html:3", "never finishes"),
    ('{% extends "base.html" %}\n{% macro again() %}{{ again() }}{% endmacro %}\n'
     "{% block content %}{{ again() }}{% endblock %}\n", "page.html:2", "never finishes"),
    (PAGE_TEMPLATE.format("{{ content }"), "page.html:3", "unexpected '}'"),
], ids=["undefined-name", "undefined-attribute", "missing-include", "includes-itself", "macro-calls-itself",
        "syntax-error"])
def test_a_template_error_names_the_template_line_once(tmp_path, template, where, says):
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    (templates / "page.html").write_text(template, encoding="utf-8")
    folder = project(tmp_path / "project")
    with pytest.raises(ContentErrors) as raised:
        build_site(Project(folder / "content", folder / "site.yaml", templates), run_checks=False, jobs=2)
    [error] = raised.value.errors  # once, not once per page
    assert (error.file, error.line) == (str(templates / where.split(":")[0]), int(where.split(":")[1]))
    assert error.message.startswith("template error: ") and says in error.message, error.message


# -- 3. a full disk ------------------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path, monkeypatch) -> Path:
    """A project in tmp_path with its site built into site/, and the working folder set to it."""
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert clair.cli.main(["build", "--skip-checks", "--no-cache"]) == 0
    (tmp_path / "content/en/a.md").write_text(page("A", "New text.\n"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("number,says", [
    (errno.ENOSPC, "the disk is full; free some space and build again"),
    (errno.EDQUOT, "your disk quota is used up"),
    (errno.EROFS, "the disk can only be read, not written"),
    (errno.EIO, "the disk reported a fault while writing"),
])
def test_a_full_disk_is_said_plainly_and_loses_nothing(built, monkeypatch, capsys, number, says):
    before = fingerprint(built / "site")
    written = []

    def write_until_full(content):
        if len(written) == 3:
            raise OSError(number, os.strerror(number))
        written.append(content)
        return built_bytes(content)

    monkeypatch.setattr(clair.write, "built_bytes", write_until_full)
    assert clair.cli.main(["build", "--skip-checks", "--no-cache"]) == 2
    output = capsys.readouterr().err
    assert f"site:1: error: the site could not be written: {says}" in output, output
    assert "The previous site in this folder is unchanged" in output and "Traceback" not in output
    assert fingerprint(built / "site") == before and leftovers(built) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB disk (tmpfs) mounted at tmp_path/disk; skipped where mounting is not allowed (not root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small disk here (needs root and tmpfs)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_really_full_disk_is_said_plainly_and_loses_nothing(tmp_path, small_disk, monkeypatch, capsys):
    project(tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    out = small_disk / "site"
    assert clair.cli.main(["build", "--skip-checks", "--no-cache", "--out", str(out)]) == 0
    before = fingerprint(out)
    room = os.statvfs(small_disk)
    with open(small_disk / "filler", "wb") as filler:  # leave 16 KB: less than the stylesheets take
        filler.write(b"\0" * max(0, room.f_bavail * room.f_frsize - 16 * 1024))
    (tmp_path / "project/content/en/a.md").write_text(page("A", "New text.\n"), encoding="utf-8")
    capsys.readouterr()
    assert clair.cli.main(["build", "--skip-checks", "--no-cache", "--out", str(out)]) == 2
    output = capsys.readouterr().err
    assert f"{out}:1: error: the site could not be written: the disk is full" in output, output
    assert "Traceback" not in output
    assert fingerprint(out) == before and leftovers(small_disk) == []


# -- 4. a killed build: its children die with it, its leftovers go with the next build ----------------

@needs_proc
def test_workers_die_with_a_killed_build(tmp_path):
    process = start(project(tmp_path), "--jobs", "2", "--no-cache", fault="sleep")
    try:
        assert wait_for(lambda: len(children(process.pid)) >= 2), "the workers never started"
        workers = children(process.pid)
        process.kill()
        process.wait()
        assert wait_for(lambda: not any(map(alive, workers)), GONE_WITHIN), "workers outlived the killed build"
    finally:
        kill_group(process.pid)


@needs_proc
def test_pagefind_dies_with_a_killed_build_and_the_site_stays(tmp_path):
    """Killed while Pagefind (a stand-in that waits) indexes the pages, before anything is written; the next
    build has nothing to write (the same site as the one before, from the cache)."""
    folder = project(tmp_path / "project")
    cache = {"CLAIR_CACHE_DIR": str(tmp_path / "cache")}
    assert finish(start(folder, env=cache))[0] == 0
    site = folder / "site"
    before = (fingerprint(site), site.stat().st_ino)
    slow = tmp_path / "slow-pagefind"
    slow.write_text("#!/bin/sh\nexec sleep 120\n")
    slow.chmod(0o755)
    process = start(folder, env={**cache, "CLAIR_PAGEFIND": str(slow)})  # another program: the site is written again
    try:
        assert wait_for(lambda: children(process.pid, "sleep")), "Pagefind never started"
        [pagefind] = children(process.pid, "sleep")
        process.kill()
        process.wait()
        assert wait_for(lambda: not alive(pagefind), GONE_WITHIN), "Pagefind outlived the killed build"
    finally:
        kill_group(process.pid)
    assert leftovers(folder) == [] and (fingerprint(site), site.stat().st_ino) == before
    code, output = finish(start(folder, "--timings", env=cache))
    assert code == 0, output
    assert "nothing changed" in output and (fingerprint(site), site.stat().st_ino) == before
    assert leftovers(folder) == []


def test_a_build_with_nothing_to_write_removes_a_killed_builds_folders(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAIR_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-cache"))
    assert clair.cli.main(["build", "--skip-checks"]) == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for kind in ("building", "previous"):
        (tmp_path / f".site.{kind}-{dead.stdout.strip()}/en").mkdir(parents=True)
        (tmp_path / f".site.{kind}-{dead.stdout.strip()}/.clair-site").write_text("")
    capsys.readouterr()
    assert clair.cli.main(["build", "--skip-checks", "--timings"]) == 0
    assert "nothing changed" in capsys.readouterr().err
    assert leftovers(tmp_path) == []


# -- 5. the output folder ------------------------------------------------------------------------------

def test_cname_and_nojekyll_are_kept_and_said_to_be(built, capsys):
    (built / "site/CNAME").write_text("publications.example.ca\n")
    (built / "site/.nojekyll").write_text("")
    capsys.readouterr()
    assert clair.cli.main(["build", "--skip-checks", "--no-cache"]) == 0
    assert "Kept CNAME and .nojekyll in site/" in capsys.readouterr().err
    assert (built / "site/CNAME").read_text() == "publications.example.ca\n" and (built / "site/.nojekyll").exists()
    assert "New text." in (built / "site/en/a/index.html").read_text()


def test_a_linked_cname_is_not_kept(built, tmp_path):
    (tmp_path / "secret").write_text("not for publication")
    (built / "site/CNAME").symlink_to(tmp_path / "secret")
    assert clair.cli.main(["build", "--skip-checks", "--no-cache"]) == 2  # a file clair did not write
    assert (built / "site/CNAME").is_symlink()


@pytest.mark.parametrize("name,says", [
    (".git/HEAD", "it is a git repository (it holds `.git`)"),
    ("notes.txt", "it holds files clair did not write (notes.txt)"),
    ("en/a/draft.html", "it holds files clair did not write (en/a/draft.html)"),
])
def test_an_output_folder_holding_what_clair_did_not_write_is_not_replaced(built, capsys, name, says):
    (built / "site" / name).parent.mkdir(parents=True, exist_ok=True)
    (built / "site" / name).write_text("mine")
    before = fingerprint(built / "site")
    capsys.readouterr()
    assert clair.cli.main(["build", "--skip-checks", "--no-cache"]) == 2
    assert f"site:1: error: refusing to replace this folder: {says}" in capsys.readouterr().err
    assert fingerprint(built / "site") == before


@pytest.mark.parametrize("out,says", [
    ("templates/site", "inside the templates folder"),
    ("templates/assets", "inside the templates folder"),
    ("data/site", "inside the data folder"),
    (".git/site", "inside the git repository's own folder (`.git`)"),
    ("cache/site", "inside the build cache folder"),
    ("cache", "inside the build cache folder"),
])
def test_out_inside_the_projects_own_folders_is_refused(tmp_path, monkeypatch, capsys, out, says):
    project(tmp_path)
    shutil.copytree(DEFAULT_TEMPLATES, tmp_path / "templates")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAIR_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-cache"))
    (tmp_path / "cache").symlink_to(tmp_path.parent / f"{tmp_path.name}-cache")
    monkeypatch.setattr(clair.pipeline, "build_site", lambda project, **options: build_site(
        dataclasses.replace(project, templates=tmp_path / "templates"), **options))
    assert clair.cli.main(["build", "--skip-checks", "--out", out]) == 2
    assert f"{out}:1: error: refusing to write the site {says}" in capsys.readouterr().err
    assert not (tmp_path / out / "en").exists()
