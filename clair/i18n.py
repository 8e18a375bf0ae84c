"""Render stage: interface strings in both languages, Babel formatting, and French typography."""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, get_group_symbol

from .model import LANGUAGES, ContentError
from .yamlfile import load_mapping

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
NBSP, NARROW_NBSP = "\u00a0", "\u202f"
_SPACES = "[ \u00a0\u202f]*"


# Each pass with the mark it spaces: a text without that mark skips the pass (a plain `in`, where the pattern
# would try its spaces at every position of the text).
FRENCH_SPACING = [("«", re.compile("«" + _SPACES), "«" + NBSP), ("»", re.compile(_SPACES + "»"), NBSP + "»"),
                  (":", re.compile(_SPACES + r":(?=\s|$)"), NBSP + ":")]
# `; ! ?` after a word (not after « or another mark), with whatever spaces the writer typed before it
BEFORE_MARKS = re.compile(r"(?<=[^\s«;!?])" + _SPACES + r"([;!?])(?=[\s;!?»)]|$)")
MARKS = re.compile("[;!?]")
DIGIT = re.compile(r"\d")
# site.yaml `french_spacing`: what goes before ; ! ?. `ca`, the Translation Bureau's rule for Canadian
# government texts: nothing. `fr`, the practice of France (and the OQLF): a narrow no-break space.
SPACE_BEFORE_MARKS = {"ca": "", "fr": NARROW_NBSP}
FRENCH_SPACINGS = tuple(SPACE_BEFORE_MARKS)
DEFAULT_FRENCH_SPACING = "ca"
# Numbers not inside a longer one (no digit, comma or point before them): each pattern starts with the digit and
# looks behind it (`\d(?<![\d,.]\d)`), so the regex engine jumps from digit to digit instead of trying the
# look-behind at every position of the text.
GROUPED_DIGITS = re.compile(r"\d(?<![\d,.]\d)\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
LONG_NUMBER = re.compile(r"\d(?<![\d,.]\d)\d{4,}(?![\d.])")
MAX_GROUPED_DIGITS = 100  # longer runs of digits are codes or mistakes, not numbers to group
NUMBER_UNIT = re.compile(r"(\d)[ \u00a0\u202f]?([%$])")
SPACE = re.compile(r"\s")
FRENCH_MARKS = re.compile(r"[«»:;!?\d]")  # text without any of these needs no French typography


def french_typography(text: str, spacing: str = DEFAULT_FRENCH_SPACING) -> str:
    """French spacing, Canadian (`ca`, Translation Bureau style) or as in France (`fr`): see README, 'French
    typography'. Spaces the writer typed are replaced, so applying it twice, or in the other mode, is safe."""
    if not FRENCH_MARKS.search(text):
        return text
    for mark, pattern, spaced in FRENCH_SPACING:
        if mark in text:
            text = pattern.sub(spaced, text)
    if MARKS.search(text):
        text = BEFORE_MARKS.sub(SPACE_BEFORE_MARKS[spacing] + r"\1", text)
    return french_numbers(text)


def french_numbers(text: str) -> str:
    """Group digits and space units the fr_CA way, through Babel: 12345 -> 12 345, 25% -> 25 %."""
    if not DIGIT.search(text):
        return text
    group = french_group_symbol()
    text = GROUPED_DIGITS.sub(lambda m: SPACE.sub(group, m.group(0)), text)
    text = LONG_NUMBER.sub(grouped, text)
    return NUMBER_UNIT.sub(r"\1" + NBSP + r"\2", text)


@functools.cache
def french_group_symbol() -> str:
    """What separates groups of digits in fr_CA; Babel looks it up again on every call (a locale parse each time)."""
    return get_group_symbol(LOCALES["fr"])


def grouped(match: re.Match) -> str:
    """12345 -> 12 345, with the precision its digits need (Babel's default of 28 digits fails past that);
    a run of more digits than a number has (Python reads at most 4,300) stays as written."""
    digits = match.group(0)
    if len(digits) > MAX_GROUPED_DIGITS:
        return digits
    with decimal.localcontext() as context:
        context.prec = 2 * MAX_GROUPED_DIGITS  # room for the decimals Babel quantizes to
        return format_decimal(int(digits), locale=LOCALES["fr"])


def long_date(value: dt.date, lang: str) -> str:
    """'November 24, 2026' or '24 novembre 2026'; French writes the first of the month as an ordinal,
    '1er mars 2018', which the locale's date pattern (`d MMMM y`) cannot say."""
    text = format_date(value, "long", locale=LOCALES[lang])
    return re.sub(r"^1(?=\s)", "1er", text) if lang == "fr" and value.day == 1 else text


class Catalogue:
    """The fixed strings of the templates, YAML tables with both languages per key: the theme's, then a site's own
    (`Project.messages`), whose keys replace the theme's one by one."""

    def __init__(self, paths: tuple[Path, ...], french_spacing: str = DEFAULT_FRENCH_SPACING):
        self.path = paths[-1]
        self.french_spacing = french_spacing
        self.messages: dict[str, dict] = {}
        for path in paths:
            data, lines = load_mapping(path.read_text(encoding="utf-8"), str(path))
            for key, entry in data.items():
                missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or lang not in entry]
                if missing:
                    raise ContentError(path, lines.get(key), f"message `{key}` has no {' or '.join(missing)} text")
                self.messages[key] = entry

    def get(self, key: str, lang: str, count: int | None = None, **values) -> str:
        """The message in `lang`, its plural form chosen by Babel when `count` is given."""
        if key not in self.messages:
            raise KeyError(f"no message `{key}` in {self.path}")
        text = self.messages[key][lang]
        if count is not None:
            text = text[Locale.parse(LOCALES[lang]).plural_form(count)]
            values["count"] = format_decimal(count, locale=LOCALES[lang])
        text = text.format(**values) if values else text
        return self.typeset(text, lang)

    def typeset(self, text: str, lang: str) -> str:
        """French text with the site's French spacing; English as it is."""
        return french_typography(text, self.french_spacing) if lang == "fr" else text
