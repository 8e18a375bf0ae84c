"""Shared fixtures: write a small content tree into a temporary folder and build it."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clair.project import CACHE_ENV, Project
from clair.pipeline import build_site  # noqa: E402



@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for every browser test of the session (started as tests/test_browser.py says)."""
    from test_browser import start_browser

    session = start_browser()
    yield session
    session.close()


@pytest.fixture(scope="session")
def axe(chromium):
    """The browser, with axe-core present (a skip, or a failure in CI, saying what is missing)."""
    from clair import audit
    from test_browser import unavailable

    try:
        audit.axe_source()
    except audit.ToolMissing as err:
        unavailable(str(err))
    return chromium


@pytest.fixture(autouse=True, scope="session")
def user_cache_folder(tmp_path_factory):
    """Builds that keep a cache keep it where a user's would be (outside the project): here, a folder of this
    test session, so tests never fill the real user cache folder. Subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("user-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folder))
    patch.delenv(CACHE_ENV, raising=False)
    yield folder
    patch.undo()


SITE_YAML = """\
base_url: https://example.ca
title:
  en: Test site
  fr: Site d'essai
updated: 2026-11-24
"""


def page(title: str, body: str = "", **meta) -> str:
    """The text of a Markdown page with front matter (description defaults to the title)."""
    lines = ["---", f"title: {title}", f"description: {meta.pop('description', title)}"]
    lines += [f"{key}: {value}" for key, value in meta.items()]
    return "\n".join(lines) + "\n---\n" + textwrap.dedent(body).lstrip("\n")


def minimal_pages() -> dict[str, str]:
    """The smallest valid bilingual site: two home pages."""
    return {"en/_index.md": page("Home", "Welcome to the site.\n"),
            "fr/_index.md": page("Accueil", "Bienvenue sur le site.\n")}


def write_tree(root: Path, pages: dict[str, str], config: str = SITE_YAML) -> tuple[Path, Path]:
    """Write pages (paths relative to content/) and site.yaml; return (content dir, config path)."""
    content = root / "content"
    for rel, text in pages.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config_path = root / "site.yaml"
    config_path.write_text(config, encoding="utf-8")
    return content, config_path


@pytest.fixture
def build(tmp_path):
    """build({relative path: text}, checks=True, config=...) -> BuildResult, on top of the minimal site."""
    def _build(pages: dict[str, str], run_checks: bool = True, config: str = SITE_YAML, minimal: bool = True):
        tree = {**minimal_pages(), **pages} if minimal else pages
        content, config_path = write_tree(tmp_path, tree, config)
        return build_site(Project(content, config_path), run_checks=run_checks, keep_tokens=True)  # tests read tokens
    return _build
