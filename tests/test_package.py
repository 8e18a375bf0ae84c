"""The package as a team installs it: clair's wheel in a fresh virtual environment outside the checkout makes a
new site and builds it with zero findings, with nothing of the checkout (its templates, its checks) in reach.

Offline: the wheel is built with this environment's setuptools (no build isolation, nothing downloaded), and the
fresh environment reaches clair's dependencies through a .pth line naming this environment's site-packages, whose
own editable clair stays out of reach (a folder named in a .pth line has its own .pth files ignored)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGED = ("pyproject.toml", "README.md", "clair", "checks", "templates")  # what the wheel is made of


def run(*command, cwd: Path, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def copy_of_the_sources(source: Path) -> Path:
    """The files the wheel is made of, copied: a build in the checkout would write build/ there, under other tests."""
    source.mkdir()
    for name in PACKAGED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    return source


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict, Path]:
    """(the fresh environment's bin folder, the environment to run it in, a work folder outside the checkout)."""
    work = tmp_path_factory.mktemp("package")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONWARNINGS"] = "ignore"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
                copy_of_the_sources(work / "source"), "--wheel-dir", work / "wheel", cwd=work, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (work / "wheel").glob("clair-*.whl")
    venv.create(work / "venv", with_pip=False)
    python = work / "venv" / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work,
                       env=env).stdout.strip())
    (purelib / "dependencies-of-the-tests.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel,
               cwd=work, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return python.parent, env, work


def test_the_installed_clair_is_the_wheels_not_the_checkouts(installed):
    bin_folder, env, work = installed
    where = run(bin_folder / "python", "-c", "import clair, clair.checks, clair.project as p; "
                "print(clair.__file__); print(clair.checks.__file__); print(p.DEFAULT_TEMPLATES)", cwd=work, env=env)
    package = bin_folder.parent.resolve()
    assert [Path(line).resolve().is_relative_to(package) for line in where.stdout.split()] == [True] * 3, where.stderr
    site_packages = Path(where.stdout.split()[0]).parent.parent
    assert not {"checks", "templates"} & {path.name for path in site_packages.iterdir()}  # nothing generic top-level


def test_clair_and_python_m_clair_say_their_version(installed):
    bin_folder, env, work = installed
    for command in ([bin_folder / "clair", "--version"], [bin_folder / "python", "-m", "clair", "--version"]):
        said = run(*command, cwd=work, env=env)
        assert (said.returncode, said.stdout.strip()) == (0, "clair 0.1.0"), said.stderr


def test_a_new_site_builds_with_zero_findings(installed):
    bin_folder, env, work = installed
    made = run(bin_folder / "clair", "new", "mysite", cwd=work, env=env)
    assert made.returncode == 0, made.stderr
    assert "  clair build " in made.stdout  # the next steps name the command as typed
    built = run(bin_folder / "clair", "build", cwd=work / "mysite", env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "0 errors, 0 warnings" in built.stdout + built.stderr
    site = work / "mysite" / "site"
    assert (site / "en" / "service-plan" / "vision" / "index.html").is_file()
    assert (site / "fr" / "plan-services" / "vision" / "index.html").is_file()
    assert (site / "assets" / "style.css").read_bytes() == (ROOT / "templates" / "assets" / "style.css").read_bytes()
