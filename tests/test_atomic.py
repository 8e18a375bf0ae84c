"""Builds are atomic: a failure, Ctrl-C or SIGTERM leaves the previous site exactly as it was.

The interrupted builds are real: `python build.py` on a tree of 600 pages (a couple of seconds of
work), stopped with a real signal while it renders, and while it writes its temporary folder.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath

import pytest

from clair.children import start_program, stop_signals_held
from clair.model import ContentError
from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR, layered_files
from clair.write import MARKER, remove_leftovers, write_site
from conftest import minimal_pages, page, write_tree

ROOT = Path(__file__).resolve().parent.parent
PAGES_PER_LANGUAGE = 300
TIMING = {"start": 0.5, "build": 2.0}  # seconds, measured by the large_tree fixture on this machine
ASSETS = layered_files([TEMPLATES_DIR / "assets"], "*")


def fingerprint(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory):
    """(content, config, previous site): 600 pages, and the site built from them before one more page was added."""
    root = tmp_path_factory.mktemp("large")
    pages = dict(minimal_pages())
    for number in range(PAGES_PER_LANGUAGE):
        pages[f"en/p{number:03d}.md"] = page(f"Page {number}", "## Part\n\nSome text here.\n\n- one\n- two\n" * 5)
        pages[f"fr/p{number:03d}.md"] = page(f"Page {number}", "## Partie\n\nDu texte ici.\n" * 5)
    content, config = write_tree(root, pages)
    previous = root / "previous"
    started = time.monotonic()
    assert build(content, config, previous).wait(timeout=300) == 0
    TIMING["build"] = time.monotonic() - started
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import clair.cli"], cwd=ROOT, check=True)
    TIMING["start"] = time.monotonic() - started
    (content / "en" / "zz-new.md").write_text(page("New page", "This page is not in the previous site.\n"))
    return content, config, previous


def build(content: Path, config: Path, out: Path) -> subprocess.Popen:
    """A cold build (no cache: each takes as long as the one TIMING measured, so a signal lands where meant)."""
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--skip-checks", "--format", "text",
                             "--no-cache", "--content", str(content), "--config", str(config), "--out", str(out)],
                            cwd=out.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def temporary_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name or ".previous-" in p.name)


def interrupt(large_tree, tmp_path, sig, when) -> tuple[int, str, Path, dict]:
    """Copy the previous site to tmp_path/site, start a build into it, send `sig` once `when(out)` is true."""
    content, config, previous = large_tree
    out = tmp_path / "site"
    shutil.copytree(previous, out)
    before = fingerprint(out)
    process = build(content, config, out)
    started = time.monotonic()
    while process.poll() is None and not when(out, time.monotonic() - started):
        time.sleep(0.001)
    still_running = process.poll() is None
    if still_running:
        process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    if not still_running:
        pytest.fail(f"the build finished before it could be interrupted; make the tree larger\n{stderr}")
    return process.returncode, stderr, out, before


def writing(out: Path, elapsed: float) -> bool:
    return any(out.parent.glob(f".{out.name}.building-*/en"))


def rendering(out: Path, elapsed: float) -> bool:
    """Python has started and imported clair; the pages are loading or rendering; nothing is written yet."""
    return elapsed > TIMING["start"] + 0.3 * (TIMING["build"] - TIMING["start"])


@pytest.mark.parametrize("sig,code,when", [
    (signal.SIGINT, 130, rendering),
    (signal.SIGINT, 130, writing),
    (signal.SIGTERM, 143, rendering),
    (signal.SIGTERM, 143, writing),
], ids=["ctrl-c-while-rendering", "ctrl-c-while-writing", "sigterm-while-rendering", "sigterm-while-writing"])
def test_a_stopped_build_leaves_the_previous_site_and_no_temporary_folder(large_tree, tmp_path, sig, code, when):
    returncode, stderr, out, before = interrupt(large_tree, tmp_path, sig, when)
    assert returncode == code, stderr
    assert "Traceback" not in stderr and "Error" not in stderr
    assert stderr.strip().startswith("Stopped: the build was interrupted.") and len(stderr.splitlines()) == 1
    assert fingerprint(out) == before
    assert temporary_folders(tmp_path) == []


def test_a_finished_build_replaces_the_whole_site(large_tree, tmp_path):
    content, config, previous = large_tree
    out = tmp_path / "site"
    shutil.copytree(previous, out)
    assert build(content, config, out).wait(timeout=300) == 0
    assert (out / "en/zz-new/index.html").exists() and temporary_folders(tmp_path) == []


def test_failed_write_removes_the_temporary_folder(tmp_path):
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("en/index.html"): "good"}, ASSETS)
    before = fingerprint(out)
    with pytest.raises(ContentError):
        write_site(out, {PurePosixPath("en/index.html"): "new", PurePosixPath("../../escape.html"): "bad"},
                   ASSETS)
    assert fingerprint(out) == before and temporary_folders(tmp_path) == []


def test_an_unwritable_output_folder_is_a_plain_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    (tmp_path / "locked").mkdir(mode=0o500)
    with pytest.raises(ContentError) as caught:
        write_site(tmp_path / "locked" / "site", {PurePosixPath("a.html"): "a"}, ASSETS)
    assert "could not be written (Permission denied" in caught.value.message


def test_leftovers_of_a_killed_build_are_removed_or_restored(tmp_path):
    """SIGKILL cannot be caught: the next build cleans up after it."""
    out = tmp_path / "site"
    dead = 2 ** 22 + 12345  # above the default pid_max, so no running process has it
    (tmp_path / f".site.building-{dead}" / "en").mkdir(parents=True)
    previous = tmp_path / f".site.previous-{dead}"
    previous.mkdir()
    (previous / MARKER).write_text("")
    (previous / "index.html").write_text("the last complete site")
    remove_leftovers(out)  # killed between the two renames: the previous site comes back
    assert (out / "index.html").read_text() == "the last complete site"
    assert temporary_folders(tmp_path) == []


def test_a_running_builds_temporary_folder_is_left_alone(tmp_path):
    (tmp_path / f".site.building-{os.getppid()}").mkdir()
    remove_leftovers(tmp_path / "site")
    assert temporary_folders(tmp_path) == [f".site.building-{os.getppid()}"]


@pytest.mark.parametrize("exchange", [True, False], ids=["one-step-exchange", "two-renames"])
def test_both_ways_of_swapping_replace_the_site(tmp_path, monkeypatch, exchange):
    import clair.write

    if not exchange:
        monkeypatch.setattr(clair.write, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("en/index.html"): "one", PurePosixPath("old.html"): "x"}, ASSETS)
    write_site(out, {PurePosixPath("en/index.html"): "two"}, ASSETS)
    assert (out / "en/index.html").read_text() == "two" and not (out / "old.html").exists()
    assert temporary_folders(tmp_path) == []


@pytest.mark.parametrize("threads", [0, 1], ids=["one-thread", "another-thread-running"])
def test_a_ctrl_c_while_children_start_stops_the_build_once_they_exist(threads):
    """Python drops a KeyboardInterrupt raised in the handlers it runs around a fork (logging's): a Ctrl-C
    landing while Pagefind or the workers start must wait, then stop the build. With another thread
    running (Pagefind's reader), the system may give the signal to that thread."""
    running = threading.Event()
    others = [threading.Thread(target=running.wait, daemon=True) for _ in range(threads)]
    for thread in others:
        thread.start()
    held = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with stop_signals_held():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)  # held: nothing is raised here
                held = True
    finally:
        running.set()
    assert held


def test_a_program_started_while_signals_are_held_can_still_be_stopped():
    """A program keeps the signal mask it was forked with: Pagefind must not start deaf to SIGTERM."""
    script = "import signal; print(sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])))"
    with stop_signals_held():
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              preexec_fn=functools.partial(start_program, os.getpid()))
    assert done.stdout.strip() == "[]"
    with stop_signals_held():
        held = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert held.stdout.strip() != "[]"  # what the test would see without start_program
