"""Load stage: every path of one project, made once from the command line's options and passed down.

Nothing else in clair works a path out for itself: the content, configuration, templates, data,
cache and output folders all come from here, and so does the way a path is shown in a message.
"""
from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # clair/ here; site-packages/clair/ once installed


def own_folder(name: str) -> Path:
    """clair's `checks` or `templates` folder: inside the installed package (pyproject.toml's package-dir puts
    them there), or beside the package in a checkout of clair's repository."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


CODE_FOLDERS = (PACKAGE_DIR, own_folder("checks"))  # clair's own code
DEFAULT_TEMPLATES = own_folder("templates")  # the default theme
CACHE_ENV = "CLAIR_CACHE_DIR"  # overrides where the build cache lives (clair/cache.py)
OWN_TEMPLATES = "templates"  # a site's own templates, beside its site.yaml: each file replaces the theme's of its name
THEME_PREFIX = "clair"  # `{% extends "clair/base.html" %}`: the theme's template, even where the site replaces it


@dataclass(frozen=True)
class Project:
    """The folders and files of one site, as the writer named them (paths stay as given, for messages)."""

    content: Path  # content/, holding en/ and fr/
    config: Path  # site.yaml
    templates: Path = DEFAULT_TEMPLATES
    out: Path = Path("site")
    cache: Path | None = None  # the build cache folder; None: every build starts afresh
    reader: str = "clair"  # whose conventions the content follows: clair's, or another generator's (clair/readers)
    translation_content: Path | None = None  # another generator's site: its other language's own repository

    @classmethod
    def from_options(cls, content: Path | str = "content", config: Path | str = "site.yaml",
                     out: Path | str = "site", templates: Path | str | None = None,
                     cache: bool = False, cache_dir: Path | str | None = None, reader: str = "clair",
                     translation_content: Path | None = None) -> Project:
        """The project the command line describes; with `cache`, the build cache is `cache_dir`, else
        $CLAIR_CACHE_DIR, else this project's folder in the user's cache folder (`cache_folder`)."""
        config = Path(config)
        folder = Path(cache_dir or os.environ.get(CACHE_ENV) or cache_folder(config)) if cache else None
        return cls(Path(content), config, Path(templates) if templates else DEFAULT_TEMPLATES, Path(out), folder, reader,
                   translation_content)

    @property
    def root(self) -> Path:
        """The folder holding the configuration: data/ and the team's word lists are found from it."""
        return self.config.parent

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def template_folders(self) -> tuple[Path, ...]:
        """Where templates are looked for, the first holding a name winning: the site's own `templates/` (on a
        clair site that has one), then the theme. In clair's own repository the site's folder is the theme."""
        own = self.root / OWN_TEMPLATES
        if self.reader == "clair" and own.is_dir() and own.resolve() != Path(self.templates).resolve():
            return own, self.templates
        return (self.templates,)

    def template_files(self, pattern: str = "*.html") -> dict[str, Path]:
        """The templates in use, by name (`blocks/vision.html`): the site's own, else the theme's."""
        return layered_files(self.template_folders, pattern)

    @property
    def asset_files(self) -> dict[str, Path]:
        """Stylesheets and scripts copied to /assets/, by name: the site's own (templates/assets/), else the theme's."""
        return layered_files((folder / "assets" for folder in self.template_folders), "*")

    @property
    def assets(self) -> Path:
        """The assets folder messages name: the site's own when it has a `templates/` folder, else the theme's."""
        return self.template_folders[0] / "assets"

    @property
    def messages(self) -> tuple[Path, ...]:
        """The templates' fixed strings in both languages: the theme's catalogue, then the site's own
        `templates/messages.yaml`, whose keys replace the theme's one by one."""
        return tuple(reversed([messages for folder in self.template_folders
                               if (messages := folder / "messages.yaml").is_file() or folder == self.templates]))

    def template_file(self, name: str) -> str:
        """A template as messages name it: `templates/page.html` when run from the project's folder; the site's
        own file when it replaces the theme's."""
        folders = self.template_folders
        return shown(next((folder / name for folder in folders if (folder / name).is_file()), folders[0] / name))

    def content_folder_of(self, source: Path) -> Path:
        """The content folder a page comes from: --content, or --translation-content for a page read from there."""
        other = self.translation_content
        return other if other is not None and Path(source).is_relative_to(other) else self.content

    def language_folder(self, lang: str) -> Path:
        return self.content / lang


def cache_folder(config: Path) -> Path:
    """Where a project's build cache lives by default: outside the project (docs/security.md: nothing a pull
    request commits can reach it), in the user's cache folder, one folder per project (named by a hash of
    the configuration file's full path, so two checkouts never share entries unknowingly)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = hashlib.sha256(str(Path(config).resolve()).encode()).hexdigest()[:16]
    return base / "clair" / "projects" / name


def layered_files(folders: Iterable[Path], pattern: str) -> dict[str, Path]:
    """The files matching `pattern` in several folders, by name relative to their folder, sorted by name; the
    first folder holding a name wins (a site's own file replaces the theme's)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob(pattern)) if folder.is_dir() else ():
            if path.is_file():
                found.setdefault(path.relative_to(folder).as_posix(), path)
    return dict(sorted(found.items()))


def shown(path: Path) -> str:
    """A path relative to the working folder when it is inside it (as a writer typed it), else in full."""
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
