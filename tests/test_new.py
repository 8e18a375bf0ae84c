"""`clair new DIR`: a bilingual site a team owns, which builds with zero findings, and never replaces anything."""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import re
import subprocess

import pytest
import yaml

import clair.new
from clair.cli import main
from clair.config import FIELD_TYPES
from clair.new import new_site
from clair.pipeline import build_site
from clair.project import Project
from clair.report import EXIT_LOAD_ERROR, EXIT_OK

WORKFLOWS = (".github/workflows/checks.yml", ".github/workflows/publish.yml", ".github/workflows/translations.yml")
PUBLICATION = ("_index.md", "vision.md", "put-people-first.md", "making-it-real.md")


def findings_of(site) -> list:
    result = build_site(Project.from_options(site / "content", site / "site.yaml", out=site / "site"))
    return [(f.file, f.line, f.check, f.message) for f in result.findings]


def test_the_new_site_has_its_files(tmp_path):
    new_site(tmp_path / "mysite")
    site = tmp_path / "mysite"
    expected = ["site.yaml", "README.md", ".gitignore", "requirements.txt", *WORKFLOWS, "content/en/_index.md",
                "content/fr/_index.md", *(f"content/{lang}/service-plan/{name}" for lang in ("en", "fr")
                                          for name in PUBLICATION)]
    assert [name for name in expected if not (site / name).is_file()] == []
    assert "/site/" in (site / ".gitignore").read_text().split()


def test_the_new_site_builds_with_zero_findings(tmp_path):
    new_site(tmp_path / "mysite")
    assert findings_of(tmp_path / "mysite") == []


def test_committed_to_git_it_still_has_zero_findings(tmp_path):
    site = tmp_path / "mysite"
    new_site(site)
    git = ["git", "-C", str(site), "-c", "user.name=Writer", "-c", "user.email=writer@example.ca"]
    for command in (["init", "--quiet"], ["add", "."], ["commit", "--quiet", "-m", "New site"]):
        subprocess.run(git + command, check=True, capture_output=True)
    assert findings_of(site) == []


def test_an_english_edit_makes_its_french_page_out_of_date(tmp_path):
    """The zero above is earned: the French pages record the English they translate, so the check still works."""
    site = tmp_path / "mysite"
    new_site(site)
    english = site / "content" / "en" / "service-plan" / "vision.md"
    english.write_text(english.read_text(encoding="utf-8").replace("first time", "first time, every time"),
                       encoding="utf-8")
    assert [(file, check) for file, _, check, _ in findings_of(site)] == [
        (str(site / "content" / "fr" / "service-plan" / "vision.md"), "parity.stale")]


def test_the_command_makes_the_site_and_says_what_to_do_next(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert main(["new", "empty"]) == EXIT_OK
    said = capsys.readouterr().out
    assert "Made a bilingual site in empty/" in said and "  cd empty\n" in said and "build    check it" in said
    assert (tmp_path / "empty" / "site.yaml").is_file()


@pytest.mark.parametrize("existing, says", [
    ({"notes.txt": "mine"}, "this folder is not empty"),
    ({".git/HEAD": "ref: refs/heads/main\n"}, "this folder is not empty"),
])
def test_a_folder_that_is_not_empty_is_refused(tmp_path, monkeypatch, capsys, existing, says):
    monkeypatch.chdir(tmp_path)
    for name, text in existing.items():
        (tmp_path / "mysite" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "mysite" / name).write_text(text)
    assert main(["new", "mysite"]) == EXIT_LOAD_ERROR
    assert capsys.readouterr().err.startswith(f"mysite: {says}")
    assert sorted(p.relative_to(tmp_path / "mysite").as_posix() for p in (tmp_path / "mysite").rglob("*")
                  if p.is_file()) == sorted(existing)


def test_a_file_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mysite").write_text("mine")
    assert main(["new", "mysite"]) == EXIT_LOAD_ERROR
    assert "mysite: this is a file, not a folder" in capsys.readouterr().err
    assert (tmp_path / "mysite").read_text() == "mine"


def test_new_needs_exactly_one_folder(capsys):
    with pytest.raises(SystemExit):
        main(["new"])
    assert "give the new site's folder, once" in capsys.readouterr().err


def test_site_yaml_explains_every_setting_on_the_lines_before_it(tmp_path):
    new_site(tmp_path / "mysite", today=dt.date(2027, 3, 1))
    lines = (tmp_path / "mysite" / "site.yaml").read_text(encoding="utf-8").split("\n")
    keys = {match[1]: number for number, line in enumerate(lines) if (match := re.match(r"(\w+):", line))}
    assert set(keys) == set(FIELD_TYPES)
    assert [key for key, number in keys.items() if not lines[number - 1].startswith("# ")] == []
    assert "updated: 2027-03-01" in lines


def test_the_workflows_check_pull_requests_and_publish_to_github_pages(tmp_path):
    new_site(tmp_path / "mysite")
    checks, publish, _ = (yaml.safe_load((tmp_path / "mysite" / name).read_text()) for name in WORKFLOWS)
    assert {"pull_request", "workflow_dispatch"} <= set(checks[True])  # YAML reads the key `on` as true
    assert [step["run"] for step in checks["jobs"]["check"]["steps"] if "run" in step] == [
        "python -m pip install -r requirements.txt", "clair check --format github --cache-dir \"$RUNNER_TEMP/clair-cache\""]
    build, deploy = publish["jobs"]["build"]["steps"], publish["jobs"]["deploy"]["steps"]
    assert [step.get("uses", step.get("run")) for step in build][-3:] == [
        next(step["run"] for step in build if "base_url" in step.get("run", "")), "clair build --format github",
        "actions/upload-pages-artifact@v3"]
    assert [step["uses"] for step in deploy] == ["actions/deploy-pages@v4"]
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_the_publish_workflow_puts_the_pages_address_in_base_url(tmp_path):
    new_site(tmp_path / "mysite")
    publish = yaml.safe_load((tmp_path / "mysite" / WORKFLOWS[1]).read_text())
    [script] = [step["run"] for step in publish["jobs"]["build"]["steps"] if "base_url" in step.get("run", "")]
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path / "mysite", capture_output=True, text=True,
                          env={"BASE_URL": "https://org.github.io/plan", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "\nbase_url: https://org.github.io/plan/\n" in (tmp_path / "mysite" / "site.yaml").read_text()


class Installed:
    """A stand-in for clair's installed metadata, as pip leaves it."""

    def __init__(self, direct_url: dict | None, installer: str | None = "pip"):
        self.version, self.files = "0.1.0", {"direct_url.json": direct_url and json.dumps(direct_url),
                                             "INSTALLER": installer}

    def read_text(self, name):
        return self.files.get(name)


@pytest.mark.parametrize("direct_url, installer, requirement, known", [
    ({"url": "https://github.com/dept/clair", "vcs_info": {"vcs": "git", "commit_id": "ab12cd", "requested_revision":
      "v0.1.0"}}, "pip", "clair @ git+https://github.com/dept/clair@ab12cd", True),
    ({"url": "https://files.example.ca/clair-0.1.0-py3-none-any.whl", "archive_info": {}}, "pip",
     "clair @ https://files.example.ca/clair-0.1.0-py3-none-any.whl", True),
    (None, "pip", "clair==0.1.0", True),
    ({"url": "file:///home/me/clair-0.1.0-py3-none-any.whl", "archive_info": {}}, "pip",
     "clair @ git+https://github.com/ORG/clair@v0.1.0", False),
    (None, None, "clair @ git+https://github.com/ORG/clair@v0.1.0", False),  # a checkout's clair.egg-info
])
def test_the_workflows_install_the_clair_that_made_the_site(monkeypatch, direct_url, installer, requirement, known):
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed(direct_url, installer))
    assert clair.new.clair_requirement() == (requirement, known)


def test_a_requirement_clair_cannot_be_sure_of_is_pointed_out(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed(None, None))
    said = new_site(tmp_path / "mysite")
    assert "check that line names where your\nteam gets clair" in said
    assert "clair @ git+https://github.com/ORG/clair@v0.1.0" in (tmp_path / "mysite" / "requirements.txt").read_text()
