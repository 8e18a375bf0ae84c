"""Load stage: every path of one project, made once from the command line's options and passed down.

Nothing else in clair works a path out for itself: the content, configuration, templates, data,
cache and output folders all come from here, and so does the way a path is shown in a message.
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent.parent  # clair's own code (clair/, checks/, the default templates)
DEFAULT_TEMPLATES = CODE_DIR / "templates"
CACHE_ENV = "CLAIR_CACHE_DIR"  # overrides where the build cache lives (clair/cache.py)


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
    def assets(self) -> Path:
        """Stylesheets and scripts, copied to /assets/."""
        return self.templates / "assets"

    @property
    def messages(self) -> Path:
        """The templates' fixed strings in both languages."""
        return self.templates / "messages.yaml"

    def template_file(self, name: str) -> str:
        """A template as messages name it: `templates/page.html` when run from the project's folder."""
        return shown(self.templates / name)

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


def shown(path: Path) -> str:
    """A path relative to the working folder when it is inside it (as a writer typed it), else in full."""
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
