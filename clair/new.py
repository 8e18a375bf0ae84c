"""Command line (`new DIR`): a bilingual site a team can own, written from the starter files in clair/starter/.

The starter holds a short example publication in both languages (a vision, one pillar with its commitments,
"Making it real"), `site.yaml` with every setting explained, GitHub workflows that check pull requests, publish
to GitHub Pages and mark translations, and a README for writers. It builds with zero findings
(tests/test_new.py), so every finding a team meets afterwards is one its own change made.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import re
import shutil
import sys
from pathlib import Path

from . import command
from .model import ContentError
from .project import PACKAGE_DIR, shown
from .report import EXIT_LOAD_ERROR, EXIT_OK
from .translation_mark import mark_translated

STARTER = PACKAGE_DIR / "starter"
CLAIR_HOME = "https://github.com/ORG/clair"  # where clair's README says clair lives (ORG: the team's organisation)
REQUIREMENTS = """\
# The clair that .github/workflows/ install to check, publish and mark this site. Keeping it pinned means
# every build checks the same way; change it on purpose, in a pull request of its own.
{requirement}
"""


def run_command(args: argparse.Namespace) -> int:
    """`clair new DIR`: write the site, then say what to do next; a folder that is not empty is refused."""
    [folder] = args.paths
    try:
        print(new_site(folder))
    except ContentError as err:
        print(f"{shown(Path(err.file))}: {err.message}", file=sys.stderr)
        return EXIT_LOAD_ERROR
    return EXIT_OK


def new_site(folder: Path, today: dt.date | None = None) -> str:
    """Write the starter into `folder` (new, or empty) and return what to do next."""
    refuse_unless_empty(folder)
    shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    requirement, known = clair_requirement()
    (folder / "requirements.txt").write_text(REQUIREMENTS.format(requirement=requirement), encoding="utf-8")
    config = folder / "site.yaml"
    updated = (today or dt.date.today()).isoformat()
    config.write_text(re.sub(r"(?m)^updated: .*$", f"updated: {updated}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    for french in sorted((folder / "content" / "fr").rglob("*.md")):  # their English is the starter's own
        mark_translated(french, folder / "content")
    return next_steps(folder, None if known else requirement)


def refuse_unless_empty(folder: Path) -> None:
    """Nothing of the team's is ever replaced: the site goes into a new folder or an empty one."""
    if folder.exists() and not folder.is_dir():
        raise ContentError(folder, None, "this is a file, not a folder; name a new folder for the site, "
                                         f"such as `{command.typed()} new my-site`")
    if folder.is_dir() and any(folder.iterdir()):
        raise ContentError(folder, None, "this folder is not empty, and a new site goes into a new or empty folder "
                                         "so that nothing in it is replaced; name a new folder, such as "
                                         f"`{command.typed()} new my-site`")


def clair_requirement() -> tuple[str, bool]:
    """How the site's workflows install this same clair (a requirements.txt line), and whether it is known: from
    the git repository and commit, or the web address, pip installed it from, else by version from the package
    index it came from. A wheel file or a checkout on this computer tells nothing the workflows can reach: then
    clair's home with this version, which the team checks."""
    try:
        installed = importlib.metadata.distribution("clair")
    except importlib.metadata.PackageNotFoundError:
        return f"clair @ git+{CLAIR_HOME}", False
    origin = json.loads(installed.read_text("direct_url.json") or "null")
    if origin is None and installed.read_text("INSTALLER"):  # pip got it from a package index
        return f"clair=={installed.version}", True
    origin = origin or {}  # a checkout's own metadata (clair.egg-info) says nothing of where it came from
    url, vcs = origin.get("url", ""), origin.get("vcs_info") or {}
    if url.startswith("https://") and vcs.get("vcs") == "git":
        return f"clair @ git+{url}@{vcs['commit_id']}", True
    if url.startswith("https://") and "archive_info" in origin:
        return f"clair @ {url}", True
    return f"clair @ git+{CLAIR_HOME}@v{installed.version}", False


def next_steps(folder: Path, unsure_requirement: str | None) -> str:
    """What was made and what to do next, with the command as the user typed it."""
    clair, where = command.typed(), shown(folder)
    lines = [f"Made a bilingual site in {where}/: an example publication in content/en/ and content/fr/ to rewrite,",
             "its settings in site.yaml (each line explained), GitHub workflows in .github/workflows/ and a README",
             "for writers.", "", "Next:", f"  cd {where}",
             f"  {clair} serve    preview it on http://127.0.0.1:8000/ while you write (Ctrl-C stops it)",
             f"  {clair} build    check it and write it to site/",
             "Then put it on GitHub: commit, push, and in the repository's Settings > Pages, under",
             "\"Build and deployment\", choose the source \"GitHub Actions\"."]
    if unsure_requirement:
        lines += ["", f"The workflows install clair as requirements.txt says: `{unsure_requirement}`.",
                  "This clair was installed from a file on this computer, so check that line names where your",
                  "team gets clair before you push."]
    return "\n".join(lines)
