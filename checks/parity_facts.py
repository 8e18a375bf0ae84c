"""Check stage, `parity.facts`: every number, percentage, year, date and amount of one version is in the other.

Rule `parity.facts` (default: severity error). The title, the description and the body text
(headings, lists, tables, quotations, footnotes and image descriptions; not code) are read in
each language's own conventions, so these are the same fact:

- `1,500` (English) = `1 500` = `1\u00a0500` (French): English groups digits with a comma (only when
  exactly three digits follow), French with a space; both may use a non-breaking or narrow space.
- `1,500.50` (English) = `1 500,50` (French): the decimal mark is `.` in English, `,` in French
  (a French `1,5` is one and a half; an English `1,5` is the two numbers 1 and 5).
- `25%` = `25 %` = `25 per cent` = `25 pour cent`: a percentage.
- `$1.5` = `1,5 $` = `1.5 dollars` = `1,5 milliard de dollars`: an amount. Words like million or
  milliard are not compared (only the number and its unit).

Dates are compared through their numbers (`November 24, 2026` and `24 novembre 2026` both give 24
and 2026), so write dates with digits in both languages. Each number is counted: when the English
has `25%` twice and the French once, the occurrence without a partner is reported (occurrences are
paired in reading order, nearest first), at its own line, with the place to look in the other file.
Write telephone numbers with hyphens in both languages (`1-800-555-0199`): French spacing would
read `1 800 555` as one number.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from .parity_common import corresponding_line, pair_finding, pairs, text_lines
from .settings import Settings, rule

RULES = (rule("parity.facts", "error"),)
VALUES = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)  # a number of a million digits is still a value
CELLS_PER_OCCURRENCE = 16  # work of the exact pairing per occurrence of a number; real pages need far less

SCALE = r"(?:\s(?:thousand|millions?|billions?|milliards?|mille))?"
UNIT = (r"(?P<percent>\s?(?:%|per\s?cent\b|percent\b|pour\s?cent\b))"
        r"|(?P<dollars>" + SCALE + r"(?:\s?\$|\s(?:de\s)?dollars\b))")
NUMBER = {  # digit groups, then decimals, in each language's convention
    "en": r"\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?",
    "fr": r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?(?!\d)|\d+(?:[,.]\d+)?",
}
# Every fact starts with `$` or a digit; saying so first lets the search skip other characters (3x faster).
FACT = {lang: re.compile(rf"(?=[$\d])(?P<pre>\$\s?)?(?P<number>{number})(?:{UNIT})?", re.IGNORECASE)
        for lang, number in NUMBER.items()}


@dataclass(frozen=True)
class Fact:
    """One number as written (`text`), what it means (`key`: value and unit) and its file line."""

    key: tuple[Decimal, str]
    text: str
    line: int


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Compare the numbers of each pair both ways, so each side reports what only it has."""
    for english, french in pairs(site):
        en_facts, fr_facts = facts(english), facts(french)
        yield from missing_facts(settings, english, en_facts, french, fr_facts)
        yield from missing_facts(settings, french, fr_facts, english, en_facts)


def facts(page: Page) -> list[Fact]:
    """Every number of the page, in reading order."""
    return [Fact(meaning(match, page.lang), match.group(0).strip(), line)
            for line, text in text_lines(page) for match in FACT[page.lang].finditer(text)]


def meaning(match: re.Match, lang: str) -> tuple[Decimal, str]:
    """(value, unit) of a matched number: grouping removed, decimal mark read the language's way."""
    digits = re.sub(r"[,\s]", "", match["number"]) if lang == "en" else re.sub(r"\s", "", match["number"])
    value = Decimal(digits.replace(",", ".") if lang == "fr" else digits).normalize(VALUES)
    unit = "%" if match["percent"] else "$" if match["pre"] or match["dollars"] else ""
    return value, unit


def missing_facts(settings: Settings, page: Page, mine: list[Fact], other: Page,
                  theirs: list[Fact]) -> Iterator[Finding | None]:
    """Numbers of `page` with no partner in `other`, one finding each."""
    for fact, count, other_count in unpaired(mine, theirs):
        how_often = "not at all" if other_count == 0 else f"{other_count} time{'s' * (other_count != 1)}"
        written = fact.text if len(fact.text) <= 40 else fact.text[:39] + "…"  # a number may run a whole line
        message = (f"“{written}” is in the {LANGUAGE_NAMES[page.lang]} {count} time{'s' * (count != 1)} "
                   f"but in the {LANGUAGE_NAMES[other.lang]} {how_often}; every number, date and amount "
                   "must be in both versions (this one has no partner)")
        yield pair_finding(settings, page, other, "parity.facts", fact.line,
                           corresponding_line(page, fact.line, other), message)


def unpaired(mine: list[Fact], theirs: list[Fact]) -> Iterator[tuple[Fact, int, int]]:
    """(fact, its count here, its count there) for each occurrence left over after pairing by meaning."""
    positions: dict[tuple, list[tuple[float, Fact]]] = defaultdict(list)
    for facts_list, side in ((mine, 0), (theirs, 1)):
        for index, fact in enumerate(facts_list):
            positions[fact.key, side].append((index / max(1, len(facts_list) - 1), fact))
    for fact_key in dict.fromkeys(f.key for f in mine):
        here, there = positions[fact_key, 0], positions[fact_key, 1]
        if len(here) > len(there):
            kept = closest_in_order([p for p, _ in here], [p for p, _ in there])
            for index, (_, fact) in enumerate(here):
                if index not in kept:
                    yield fact, len(here), len(there)


def closest_in_order(here: list[float], there: list[float]) -> set[int]:
    """Indexes of `here` to pair with every item of `there`, in order, keeping positions closest.

    Linear work: the k-th item of `there` can only pair with one of the n−m+1 items of `here` from the
    k-th on, so the exact alignment fills that band only (m·(n−m+1) cells), when it holds at most
    CELLS_PER_OCCURRENCE·n cells; otherwise (hundreds of one number on a page, unevenly paired) each
    item takes the nearest free one (n·log n, bisect).
    """
    slack = len(here) - len(there)
    if len(there) * (slack + 1) > CELLS_PER_OCCURRENCE * len(here):
        return nearest_in_order(here, there)
    best: list[list[float]] = []  # best[k][d]: least total distance with there[k] paired to here[k + d]
    previous = [0.0] * (slack + 1)  # least total distance of there[:k] with its last pair at most here[k - 1 + d]
    for k, position in enumerate(there):
        row = [previous[d] + abs(here[k + d] - position) for d in range(slack + 1)]
        best.append(row)
        previous = list(itertools.accumulate(row, min))
    kept, limit = set(), slack
    for k in range(len(there) - 1, -1, -1):  # the earliest pairing of the least distance, as read backwards
        least = min(best[k][:limit + 1])
        limit = best[k].index(least)
        kept.add(k + limit)
    return kept


def nearest_in_order(here: list[float], there: list[float]) -> set[int]:
    """Indexes of `here` paired with `there` in order, each item of `there` with the nearest one still free
    that leaves enough for the items after it."""
    kept, low = set(), 0
    for k, position in enumerate(there):
        high = len(here) - (len(there) - k)
        index = bisect.bisect_left(here, position, low, high + 1)
        if index > high or (index > low and position - here[index - 1] <= here[index] - position):
            index -= 1
        kept.add(index)
        low = index + 1
    return kept
