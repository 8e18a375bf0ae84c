"""Site configuration: one YAML file, validated so a typo never passes silently."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import LANGUAGES, ContentError
from .yamlfile import load_mapping

DEFAULT_CONFIG_FILE = "site.yaml"


@dataclass
class Config:
    """Settings that apply to the whole site; defaults are the documented ones."""

    base_url: str = "https://example.org"
    title: dict[str, str] = field(default_factory=lambda: {"en": "Publications", "fr": "Publications"})
    default_layout: str = "page"
    updated: dt.date = dt.date(2026, 1, 1)
    checks: dict[str, Any] = field(default_factory=dict)
    file: str = DEFAULT_CONFIG_FILE


FIELD_TYPES = {"base_url": str, "title": dict, "default_layout": str, "updated": dt.date, "checks": dict}
TYPE_WORDS = {str: "a piece of text", dict: "a group of `key: value` lines", dt.date: "a date like 2026-11-24"}


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint for a misspelt key, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" Did you mean `{close[0]}`?" if close else ""


def load_config(path: Path) -> Config:
    """Read and validate the site configuration file."""
    name = str(path)
    if not path.is_file():
        raise ContentError(name, None, "the site configuration file is missing; create it (see README, 'Configuration')")
    data, lines = load_mapping(path.read_text(encoding="utf-8-sig"), name)
    for key, value in data.items():
        if key not in FIELD_TYPES:
            raise ContentError(name, lines.get(key), f"unknown setting `{key}`.{did_you_mean(key, FIELD_TYPES)}")
        if not isinstance(value, FIELD_TYPES[key]):
            raise ContentError(name, lines.get(key), f"`{key}` must be {TYPE_WORDS[FIELD_TYPES[key]]}")
    titles = data.get("title", Config().title)
    missing = [lang for lang in LANGUAGES if not isinstance(titles.get(lang), str)]
    if missing:
        raise ContentError(name, lines.get("title"), f"`title` needs a text for each language; missing: {', '.join(missing)}")
    return Config(**data, file=name)
