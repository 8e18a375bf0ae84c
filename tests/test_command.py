"""The command a team runs: `clair`, `python -m clair` and `python build.py` are one command line, with --version."""
from __future__ import annotations

import subprocess
import sys
import json
import os
import pstats
import tomllib
from pathlib import Path

import pytest

from conftest import minimal_pages, page, write_tree

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
CLAIR = Path(sys.executable).parent / ("clair.exe" if sys.platform == "win32" else "clair")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("command", [[str(CLAIR)], [sys.executable, "-m", "clair"],
                                     [sys.executable, str(ROOT / "build.py")]])
def test_every_way_of_starting_clair_says_its_version(command):
    done = run(*command, "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"clair {VERSION}")


@pytest.mark.parametrize("command, name", [([str(CLAIR)], "clair"), ([sys.executable, "-m", "clair"], "python -m clair"),
                                           ([sys.executable, str(ROOT / "build.py")], "python build.py")])
def test_the_help_names_the_command_as_it_was_typed(command, name):
    assert run(*command, "--help").stdout.startswith(f"usage: {name} ")


@pytest.mark.parametrize("command", [[str(CLAIR)], [sys.executable, "-m", "clair"],
                                     [sys.executable, str(ROOT / "build.py")]])
def test_every_way_of_starting_clair_writes_all_it_found_before_it_ends(command, tmp_path):
    """The process ends as soon as the run is done (clair/cli.py `entry`): what it printed into a pipe, less than
    Python holds back before writing, arrives whole, with the exit code."""
    links = "".join(f"See [page {n}](/en/missing-{n}/).\n\n" for n in range(3))
    content, config = write_tree(tmp_path, {"en/_index.md": page("Home", links),
                                            "fr/_index.md": page("Accueil", "Bienvenue sur le site.\n")})
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as usual
    done = subprocess.run([*command, "check", "--content", str(content), "--config", str(config), "--format", "json",
                           "--no-cache"], capture_output=True, text=True, cwd=tmp_path, timeout=120, env=buffered)
    assert done.returncode == 1 and done.stdout.endswith("}\n")
    assert [f["message"] for f in json.loads(done.stdout)["findings"] if f["check"] == "links.internal"] == [
        f"the link `/en/missing-{n}/` leads to nothing this site builds" for n in range(3)]


def test_a_profiled_run_ends_as_usual_so_the_profile_is_written(tmp_path):
    content, config = write_tree(tmp_path, minimal_pages())
    profile = tmp_path / "run.prof"
    done = run(sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "clair", "check", "--content", str(content),
               "--config", str(config), "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert any(name.endswith("cli.py") for name, _, _ in pstats.Stats(str(profile)).stats)


def test_the_clair_command_checks_a_site_from_any_folder(tmp_path):
    done = run(str(CLAIR), "check", "--content", str(ROOT / "content"), "--config", str(ROOT / "site.yaml"),
               "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0 errors, 0 warnings" in done.stdout + done.stderr


def test_what_to_run_next_is_named_with_the_command_the_user_typed(tmp_path):
    done = run(str(CLAIR), "import", "--from", "auto", "--content", str(ROOT / "tests/fixtures/real/markdown"),
               "--to", str(tmp_path / "site"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"then: clair build --content {tmp_path / 'site'}/content" in done.stdout
    missing = run(str(CLAIR), "check", "--content", str(ROOT / "content"), "--config", str(ROOT / "site.yaml"),
                  "--baseline", "nowhere.json", cwd=tmp_path)
    assert missing.returncode == 2 and "write it with `clair check --update-baseline" in missing.stdout + missing.stderr
