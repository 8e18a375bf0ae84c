"""Load stage: the site configuration, one YAML file, validated so a typo never passes silently."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .footer import check_footer_settings
from .i18n import DEFAULT_FRENCH_SPACING, FRENCH_SPACINGS
from .model import LANGUAGES, ContentError
from .urls import SiteUrls, site_urls
from .yamlfile import load_mapping, read_text_file

DEFAULT_CONFIG_FILE = "site.yaml"
LAYOUTS = ("page", "section", "home")


@dataclass
class Config:
    """Settings that apply to the whole site; defaults are the documented ones."""

    base_url: str = "https://example.org"
    title: dict[str, str] = field(default_factory=lambda: {"en": "Publications", "fr": "Publications"})
    default_layout: str = "page"
    updated: dt.date = dt.date(2026, 1, 1)
    checks: dict[str, Any] = field(default_factory=dict)
    allow_raw_html: bool = False  # HTML typed into pages: shown as text, or passed through the allow-list sanitiser
    french_spacing: str = DEFAULT_FRENCH_SPACING  # what goes before ; ! ? in French (clair/i18n.py)
    signature: dict[str, dict[str, str]] = field(default_factory=dict)  # per language: text, or image and alt
    footer_links: list[dict[str, dict[str, str]]] = field(default_factory=list)  # each: per language, text and url
    file: str = DEFAULT_CONFIG_FILE
    lines: dict = field(default_factory=dict, compare=False)  # key (a tuple for nested keys) -> file line

    @property
    def urls(self) -> SiteUrls:
        """The published address of each site path, under base_url's path (clair/urls.py)."""
        return site_urls(self.base_url)


FIELD_TYPES = {"base_url": str, "title": dict, "default_layout": str, "updated": dt.date, "checks": dict,
               "allow_raw_html": bool, "french_spacing": str, "signature": dict, "footer_links": list}
TYPE_WORDS = {str: "a piece of text", dict: "a group of `key: value` lines", dt.date: "a date like 2026-11-24",
              bool: "`true` or `false`", list: "a list, one item per line starting with `- `"}


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint for a misspelt key, or nothing."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" Did you mean `{close[0]}`?" if close else ""


def load_config(path: Path) -> Config:
    """Read and validate the site configuration file."""
    name = str(path)
    if path.is_dir():
        raise ContentError(name, None, "this is a folder, not the site configuration file; name the file itself, "
                                       f"such as --config {(path / 'site.yaml').as_posix()}")
    if not path.exists():
        raise ContentError(name, None, "the site configuration file is missing; create it (see README, 'Configuration')")
    data, lines = load_mapping(read_text_file(path, "configuration file"), name,
                               text_keys=("base_url", "default_layout", "french_spacing"))
    for key, value in data.items():
        if key not in FIELD_TYPES:
            raise ContentError(name, lines.get(key), f"unknown setting `{key}`.{did_you_mean(key, FIELD_TYPES)} "
                                                     "The settings are listed in README, 'Configuration'.")
        if value is None:
            raise ContentError(name, lines.get(key), f"`{key}` has no value; write one after `{key}:` "
                                                     "or delete the line to use the default")
        expected = FIELD_TYPES[key]
        if isinstance(value, dt.datetime) and expected is dt.date:
            data[key] = value = value.date()
        if not isinstance(value, expected):
            raise ContentError(name, lines.get(key), f"`{key}` must be {TYPE_WORDS[expected]}")
    check_base_url(data.get("base_url", Config.base_url), name, lines.get("base_url"))
    check_titles(data.get("title", Config().title), name, lines.get("title"))
    check_footer_settings(data, name, lines)
    layout = data.get("default_layout", Config.default_layout)
    if layout not in LAYOUTS:
        raise ContentError(name, lines.get("default_layout"), f"unknown layout `{layout}`; use one of: "
                                                              f"{', '.join(LAYOUTS)}.{did_you_mean(layout, LAYOUTS)}")
    spacing = data.get("french_spacing", Config.french_spacing)
    if spacing not in FRENCH_SPACINGS:
        raise ContentError(name, lines.get("french_spacing"), f"`french_spacing: {spacing}` must be `ca` (Canadian "
                                                              "usage: nothing before ; ! ?) or `fr` (usage in France: "
                                                              "a narrow no-break space before them)")
    return Config(**data, file=name, lines=lines)


def check_base_url(url: str, file: str, line: int | None) -> None:
    """The address the site is published at: http(s), a host, maybe a path (no `.` or `..` in it), nothing after."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment or any(
            c.isspace() or c in "\"'<>" for c in url) or {".", ".."} & set(parts.path.split("/")):
        raise ContentError(file, line, f"`base_url: {url}` must be the web address the site is published at, "
                                       "such as https://publications.example.ca or, for a site under a path, "
                                       "https://example.github.io/plan/")


def check_titles(titles: dict, file: str, line: int | None) -> None:
    """One non-empty title per language, and no other languages."""
    unknown = [str(lang) for lang in titles if lang not in LANGUAGES]
    if unknown:
        raise ContentError(file, line, f"`title` has a text for {', '.join(unknown)}; clair publishes only "
                                       f"{' and '.join(LANGUAGES)}")
    missing = [lang for lang in LANGUAGES if not isinstance(titles.get(lang), str) or not titles[lang].strip()]
    if missing:
        raise ContentError(file, line, f"`title` needs a text for each language; missing: {', '.join(missing)}")
