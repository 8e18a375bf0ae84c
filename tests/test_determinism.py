"""Reproducible and harmless builds: byte-identical output, content/ never touched, a strict CSP on every page.

The sample publication is built twice by the real command, in two processes with different hash
seeds (so no set or dict order can leak into the output), and a tree with pictures, accents in file
names and tied weights is built twice more without checks.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import minimal_pages, page, write_tree

ROOT = Path(__file__).resolve().parent.parent


def checks_available() -> bool:
    try:
        from clair import checks

        checks.load_modules()
    except Exception:  # the check modules are still being written: build without them
        return False
    return True


def start(command: str, content: Path, config: Path, out: Path, seed: str, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), command, "--content", str(content),
                             "--config", str(config), "--out", str(out), "--format", "text", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=600)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file's bytes and every folder, by relative path (the listing and the contents)."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory):
    """The sample publication built twice (with checks when they load), and `check` run once."""
    tmp = tmp_path_factory.mktemp("sample")
    content, config = ROOT / "content", ROOT / "site.yaml"
    extra = () if checks_available() else ("--skip-checks",)
    before = tree_hashes(content)
    processes = [start("build", content, config, tmp / "one", "1", *extra),  # at the same time: it is quicker
                 start("build", content, config, tmp / "two", "2", *extra),
                 start("check", content, config, tmp / "unused", "3", *extra)]
    first, second, checked = (finish(process) for process in processes)
    after = tree_hashes(content)
    return {"runs": (first, second, checked), "sites": (tmp / "one", tmp / "two"), "content": (before, after),
            "check_out": tmp / "unused"}


def test_two_builds_of_the_sample_are_byte_identical(sample_builds):
    first, second, _ = sample_builds["runs"]
    assert first.returncode in (0, 1), first.stderr
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout)
    one, two = sample_builds["sites"]
    assert tree_hashes(one) == tree_hashes(two)


def test_building_and_checking_never_change_the_content_folder(sample_builds):
    before, after = sample_builds["content"]
    assert before == after
    assert sample_builds["runs"][2].returncode in (0, 1)
    assert not sample_builds["check_out"].exists()  # `check` writes nothing at all


def test_a_tree_with_pictures_accents_and_ties_builds_identically(tmp_path):
    pages = {**minimal_pages(),
             "en/pub/_index.md": page("Pub", "![A bar chart of results](chart.png)\n", date="2018-03-01"),
             "en/pub/b.md": page("Same weight", "Text.\n", weight=1), "en/pub/a.md": page("Same weight", weight=1),
             unicodedata.normalize("NFD", "en/pub/été.md"): page("Été", "Texte.\n", titel="x"),
             "fr/pub/_index.md": page("Pub", "![Un graphique](../../en/pub/chart.png)\n", slug="publication")}
    content, config = write_tree(tmp_path, pages)
    (content / "en/pub/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(200)))
    builds = [finish(start("build", content, config, tmp_path / f"site-{seed}", seed, "--skip-checks"))
              for seed in "45"]
    assert [b.returncode for b in builds] == [0, 0], builds[0].stderr
    assert builds[0].stderr == builds[1].stderr.replace("site-5", "site-4")
    assert tree_hashes(tmp_path / "site-4") == tree_hashes(tmp_path / "site-5")
    assert (tmp_path / "site-4/media/en/pub/chart.png").exists()


# -- Content-Security-Policy ------------------------------------------------------------------------

CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def policy(html: str) -> dict[str, list[str]]:
    found = CSP.findall(html.split("</head>", 1)[0])
    assert len(found) == 1, "one Content-Security-Policy <meta> in the <head>"
    directives = {}
    for directive in found[0].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def test_every_page_has_a_strict_content_security_policy(sample_builds):
    site = sample_builds["sites"][0]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        html = path.read_text(encoding="utf-8")
        directives = policy(html)
        assert directives["default-src"] == ["'self'"], path
        scripts = directives.get("script-src", directives["default-src"])
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts), path
        assert directives.get("object-src") == ["'none'"] and directives.get("base-uri") == ["'self'"], path
        for name, values in directives.items():
            assert all(v.startswith("'") or v == "data:" for v in values), f"{path}: {name} names a host"
        # what the policy would block must not be there: inline scripts and event handlers
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
