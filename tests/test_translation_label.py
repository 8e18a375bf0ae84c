"""Marking a French page as up to date without Python: the label `translation-checked` on a pull request runs
.github/workflows/translations.yml (clair's own and every new site's), and the stale warning says so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clair.new import new_site
from clair.pipeline import build_site
from clair.project import Project
from clair.translation_mark import LABEL
from conftest import ROOT

WORKFLOW = Path(".github/workflows/translations.yml")
CLAIRS = (ROOT / WORKFLOW, ROOT / "clair" / "starter" / WORKFLOW)


def workflow(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(path: Path) -> list[dict]:
    return workflow(path)["jobs"]["mark"]["steps"]


def script(name: str, path: Path = CLAIRS[1]) -> str:
    """A step's shell script (in the starter's workflow unless told), by the start of its name."""
    return next(step["run"] for step in steps(path) if step.get("name", "").startswith(name))


@pytest.mark.parametrize("path", CLAIRS, ids=["clair's repository", "a new site"])
def test_the_label_runs_mark_translated_on_branches_of_the_repository_only(path):
    flow = workflow(path)
    assert flow[True] == {"pull_request": {"types": ["labeled"]}}  # YAML reads the key `on` as true
    assert flow["permissions"]["contents"] == "write"
    mark, fork = flow["jobs"]["mark"], flow["jobs"]["fork"]
    assert f"github.event.label.name == '{LABEL}'" in mark["if"] and f"'{LABEL}'" in fork["if"]
    assert "head.repo.full_name == github.repository" in mark["if"]
    assert "head.repo.full_name != github.repository" in fork["if"] and "exit 1" in fork["steps"][0]["run"]
    assert 'clair --format text mark-translated "${french[@]}"' in script("Mark the French pages", path)
    runs = [step.get("run", "") for step in mark["steps"]]
    assert any(f"--remove-label {LABEL}" in run for run in runs)
    assert any("gh workflow run checks.yml" in run for run in runs)


def test_clairs_own_workflow_is_the_starters_but_for_how_clair_is_installed():
    ours, theirs = (steps(path) for path in CLAIRS)
    assert [step for step in ours if step.get("name") != "Install clair"] == [
        step for step in theirs if step.get("name") != "Install clair"]
    for path in (ROOT / ".github/workflows/checks.yml", ROOT / "clair/starter/.github/workflows/checks.yml"):
        assert "workflow_dispatch" in workflow(path)[True]  # the label's workflow runs the checks again


@pytest.fixture
def pull_request(tmp_path) -> tuple[Path, dict]:
    """A new site in git, and a branch whose pull request changed an English page and another page's French."""
    site = tmp_path / "mysite"
    new_site(site)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Writer", "GIT_AUTHOR_EMAIL": "writer@example.ca",
           "GIT_COMMITTER_NAME": "Writer", "GIT_COMMITTER_EMAIL": "writer@example.ca",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # the `clair` command
    git = ["git", "-C", str(site)]
    subprocess.run(git + ["init", "--quiet", "--initial-branch=main"], check=True, env=env)
    subprocess.run(git + ["add", "."], check=True, env=env)
    subprocess.run(git + ["commit", "--quiet", "-m", "New site"], check=True, env=env)
    env["BASE"] = subprocess.run(git + ["rev-parse", "HEAD"], check=True, env=env, capture_output=True,
                                 text=True).stdout.strip()
    subprocess.run(git + ["switch", "--quiet", "-c", "update"], check=True, env=env)
    edit(site / "content/en/service-plan/vision.md", "first time", "first time, every time")
    edit(site / "content/fr/service-plan/vision.md", "du premier coup", "du premier coup, chaque fois")
    edit(site / "content/en/service-plan/making-it-real.md", "this month", "this season")  # French: no change needed
    subprocess.run(git + ["commit", "--quiet", "-am", "Say it every time"], check=True, env=env)
    return site, env


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def stale_pages(site: Path) -> list[str]:
    result = build_site(Project.from_options(site / "content", site / "site.yaml"))
    return sorted(Path(f.file).relative_to(site).as_posix() for f in result.findings if f.check == "parity.stale")


def test_the_workflow_marks_the_french_of_every_page_the_pull_request_changed(pull_request):
    site, env = pull_request
    assert stale_pages(site) == ["content/fr/service-plan/making-it-real.md", "content/fr/service-plan/vision.md"]
    done = subprocess.run(["bash", "-e", "-c", script("Mark the French pages")], cwd=site, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert stale_pages(site) == []
    changed = subprocess.run(["git", "-C", str(site), "diff", "--name-only"], capture_output=True, text=True).stdout
    assert changed.split() == ["content/fr/service-plan/making-it-real.md", "content/fr/service-plan/vision.md"]


def test_a_pull_request_without_pages_marks_nothing(pull_request):
    site, env = pull_request
    env["BASE"] = "HEAD"
    done = subprocess.run(["bash", "-e", "-c", script("Mark the French pages")], cwd=site, env=env,
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "This pull request changed no page that has a French version.")


def test_the_stale_warning_names_the_command_as_typed_and_the_label(pull_request, monkeypatch):
    """The message is kept in the build cache, which therefore keys on the command: a build started as `clair`
    after one started as `python build.py` does not repeat the other's words."""
    site, _ = pull_request
    project = Project.from_options(site / "content", site / "site.yaml", cache=True, cache_dir=site.parent / "cache")
    french = site / "content/fr/service-plan/making-it-real.md"
    for started_as, says in (("build.py", "python build.py"), ("/usr/local/bin/clair", "clair")):
        monkeypatch.setattr(sys, "argv", [started_as])
        [message, _] = [f.message for f in build_site(project).findings if f.check == "parity.stale"]
        assert message.endswith(f"then run `{says} mark-translated {french}`, or add the label `{LABEL}` to the "
                                "pull request")
