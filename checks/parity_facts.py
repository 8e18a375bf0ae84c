"""Check stage, `parity.facts`: every number, percentage, year, date and amount of one version is in the other.

Rule `parity.facts` (default: severity error). The title, the description and the body text
(headings, lists, tables, quotations, footnotes, image descriptions and raw HTML; not code, web
addresses or HTML tags) are read in each language's own conventions, HTML entities decoded
(`84&nbsp;%`), so these are the same fact:

- `1,500` (English) = `1 500` = `1\u00a0500` (French): English groups digits with a comma (only when
  exactly three digits follow) or a space, French with a space; a space may be a non-breaking, narrow
  or thin one.
- `1,500.50` (English) = `1 500,50` (French): the decimal mark is `.` in English, `,` in French
  (a French `1,5` is one and a half; an English `1,5` is the two numbers 1 and 5). A French number
  written the English way (`25,000`, `3.5 %`, `$1,500`) is read as its writer meant it and reported
  once, by `parity.french-number-format` (checks/parity_french_numbers.py), with the French spelling.
- `25%` = `25 %` = `25 per cent` = `25 pour cent`: a percentage.
- `$1.5` = `1,5 $` = `1.5 dollars` = `1,5 milliard de dollars`: an amount. Words like million or
  milliard are not compared (only the number and its unit).
- `25` = `vingt-cinq`, `2` = `deux`, `3rd` = `tiers`: a number written in words
  (checks/parity_number_words.py) is the partner of the same number in digits on the other side,
  but never reported itself (`les deux` is both, `un` an article, `dix ans` a decade).
- `5pm` = `17 h`, `1-3pm` = `13 h à 15 h`: an afternoon hour is compared on the 24-hour clock, and `:00`
  minutes are not a number. `1.4K` = `1 400`.

Dates are compared through their numbers (`November 24, 2026` and `24 novembre 2026` both give 24
and 2026); the month of a date in digits (`2017-07-18`) is a month, whose partner is the same month
in digits or named beside a number (`July 18`, `18 juillet`: a name is never reported itself); a
year written again to end a range of dates counts once (`avril 2026 à juin 2026` says `April to June
2026`). A 0 or 1 that starts a range goes without saying (`1 à 3 niveaux` for `up to 3 levels`): it is
never reported itself. Each number is counted: when the English has `25%` twice and the French once, the
occurrence without a partner is reported (occurrences are paired in reading order, nearest first),
at its own line, with the place to look in the other file. A number inside a name (after a word in
capitals: `Blueprint 2020`, `Objectif 2020`, `Canada 150`, `COVID-19`, `D7`; or ending in a capital:
`18F`) that both versions name is not counted: names are repeated freely; the same number elsewhere
still is. A number glued to small letters (`x2`, `mp3`) is a code, not a fact. Write telephone
numbers with hyphens in both languages (`1-800-555-0199`): spacing would read `1 800 555` as one number.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import html
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from . import parity_french_numbers
from .parity_common import corresponding_line, pair_finding, pairs, text_lines
from .parity_french_numbers import Misformatted
from .parity_number_words import word_numbers
from .settings import Settings, rule

RULES = (rule("parity.facts", "error"), parity_french_numbers.RULE)
VALUES = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)  # a number of a million digits is still a value
CELLS_PER_OCCURRENCE = 16  # work of the exact pairing per occurrence of a number; real pages need far less

SCALE = r"(?:\s(?:thousand|millions?|billions?|milliards?|mille))?"
UNIT = (r"(?P<percent>\s?(?:%|per\s?cent\b|percent\b|pour\s?cent\b))"
        r"|(?P<dollars>" + SCALE + r"(?:\s?\$|\s(?:de\s)?dollars\b))")
GROUP_SPACE = "[ \u00a0\u202f\u2009]"  # a space, no-break, narrow no-break or thin space
NUMBER = {  # digit groups, then decimals, in each language's convention (French text written the English way too)
    "en": rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?!\d)|\d{{1,3}}(?:{GROUP_SPACE}\d{{3}})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?",
    "fr": rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?!\d)"  # `25,000`: the English way (parity_french_numbers.py)
          rf"|\d{{1,3}}(?:{GROUP_SPACE}{{1,2}}\d{{3}})+(?:[,.]\d+)?(?!\d)|\d+(?:[,.]\d+)?",
}


@functools.cache  # compiled where a page first needs it (a worker), not at every run's start: 5 ms
def fact_pattern(lang: str) -> re.Pattern:
    """A fact: an amount, a percentage or a number, in the language's way of writing numbers. Every fact starts
    with `$` or a digit; saying so first lets the search skip other characters (3x faster)."""
    return re.compile(rf"(?<![\d_])(?=[$\d])(?P<pre>\$\s?)?(?P<number>{NUMBER[lang]})(?P<thousands>k\b)?(?:{UNIT})?",
                      re.IGNORECASE)


FACT_START = re.compile(r"[$\d]")  # a class alone: the regex engine scans for it without trying a match at each place
UNIT_AFTER = re.compile(UNIT, re.IGNORECASE)  # after a number written in words
ENGLISH_ONLY = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+")  # never a French decimal
# Tags, web and e-mail addresses: an address ends at a plain space only (French spacing puts no-break ones in it).
NOT_TEXT = re.compile(r"<[a-zA-Z/!][^>]*>|\b(?:https?://|www\.)[^ \t\r\n<>\"]+|(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.-]+")
# (an e-mail address is tried only where a run of its characters starts, and never backtracked into: linear on a
# page of one 2 MB number)
NOT_TEXT_SIGNS = ("<", "://", "www.", "@")  # what a tag or an address holds: a line with none is not searched
AFTERNOON = re.compile(r"(?P<range>\s?[-–]\s?\d\d?)?(?::\d\d)?\s?(?:p\.\s?m\.|pm\b)",  # 5pm, 5:30 p.m., 1-3pm
                       re.IGNORECASE)
CODE = re.compile(r"[^\W\d_]\w*\Z")  # letters right before a number (\Z: a cell break just before it is no code): a code; a name's when in capitals (`D7`)
WORD_CHARACTER = re.compile(r"\w")
GROUPING, SPACE = re.compile(r"[,\s]"), re.compile(r"\s")  # what a number's digits are grouped with
NAME_HEAD = re.compile(r"(\w+)[)\]»”\"’]?[ \u00a0\u202f-]$")  # `Canada 150`, `(ATAG) 2.0`, `COVID-19`
LOOK_BACK, NEAR = 80, 16  # characters before a number searched for a name's word; most such words fit in NEAR
SENTENCE_START = tuple(".!?:;(«“\"")
MONTHS = frozenset("January February March April May June July August September October November December "
                   "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())
MONTH_NUMBERS = {  # month names and their usual abbreviations, lower case
    "en": {**{name: n for n, name in enumerate("january february march april may june july august september october "
                                               "november december".split(), 1)},
           **{name: n for n, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)},
           "sept": 9},
    "fr": {**{name: n for n, name in enumerate("janvier février mars avril mai juin juillet août septembre octobre "
                                               "novembre décembre".split(), 1)},
           **{name: n for n, name in enumerate("janv févr mars avr mai juin juil août sept oct nov déc".split(),
                                               1)}},
}
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-(\d\d)-\d\d(?![\d-])")  # 2017-07-18: its month is a month, not a number
MONTH = "month"  # the unit of a month in a date: it pairs only with a month
RANGE_AFTER = re.compile(r"\s*(?:[-–]|à|to)\s*\d")  # `1 à 3 niveaux`: the 1 goes without saying in `up to 3 levels`
NUMBER_AFTER = re.compile(r"\.?[ \u00a0\u202f]+\d")  # `July 18`, `juillet 2017`
NUMBER_BEFORE = re.compile(r"\d(?:er|st|nd|rd|th)?[ \u00a0\u202f]+\Z")  # `18 juillet`, `1er mars`, `18th July`


@functools.cache  # compiled where a page first needs it, like fact_pattern
def month_pattern(lang: str) -> re.Pattern:
    """A month's name or abbreviation, as a whole word."""
    names = "|".join(sorted(MONTH_NUMBERS[lang], key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?=[jfmasond])(?:{names})(?!\w)", re.IGNORECASE)


@functools.cache  # compiled where a page first needs it, like fact_pattern
def range_between() -> re.Pattern:
    """What comes between the year of a range's first date and the same year ending it: `à juin`, `au 30 juin`,
    `, to June 30,`."""
    months = "|".join(sorted({*MONTH_NUMBERS["en"], *MONTH_NUMBERS["fr"]}, key=len, reverse=True))
    return re.compile(rf",?\s*(?:[-–—]|to|through|until|à|au|jusqu[’']à|jusqu[’']au)\s+"
                      rf"(?:\d{{1,2}}(?:er)?\s+)?(?:{months})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s*", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Fact:
    """One number as written (`text`), what it means (`key`: value and unit) and its file line.

    `soft`: a word that is a number only when the other side needs it (`un`, `both`: never reported);
    `name`: inside a name (`Blueprint 2020`), not counted when both versions name it."""

    key: tuple[Decimal, str]
    text: str
    line: int
    soft: bool = False
    name: bool = False


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Compare the numbers of each pair both ways, so each side reports what only it has; then the French
    numbers written the English way (read from the French once, as the writer meant them)."""
    for english, french in pairs(site):
        en_facts, _ = facts(english)
        fr_facts, misformatted = facts(french, {fact.key for fact in en_facts})
        if has_months(fr_facts):  # rare: the months named in the other language are read only then
            en_facts, _ = facts(english, months=True)
        if has_months(en_facts):
            fr_facts, misformatted = facts(french, {fact.key for fact in en_facts}, months=True)
        en_facts, fr_facts = without_shared_names(en_facts, fr_facts)
        yield from missing_facts(settings, english, en_facts, french, fr_facts)
        yield from missing_facts(settings, french, fr_facts, english, en_facts)
        yield from parity_french_numbers.findings(settings, french, english, misformatted)


def facts(page: Page, english_keys: set | None = None, months: bool = False) -> tuple[list[Fact], list[Misformatted]]:
    """Every number of the page in reading order; for a French page, also those written the English way
    (`english_keys`, the English page's numbers, tell `1,500` meaning fifteen hundred from one and a half).
    `months`: the months named beside a number too, when the other page has a date in digits."""
    found: list[Fact] = []
    misformatted: list[Misformatted] = []
    for line, text in text_lines(page):
        text = without_tags_and_addresses(html.unescape(text))
        in_line = [*in_words(text, line, page.lang), *in_digits(text, line, page.lang, english_keys, misformatted),
                   *(in_month_names(text, line, page.lang) if months else ())]
        found += years_once(sorted(in_line, key=lambda item: item[0]), text)
    return found, misformatted


def without_tags_and_addresses(text: str) -> str:
    """The text with its tags and addresses blanked out (the same length: places stay); most lines have none,
    and are not searched for them."""
    if not any(sign in text for sign in NOT_TEXT_SIGNS):
        return text
    return NOT_TEXT.sub(lambda match: " " * len(match[0]), text)


def in_words(text: str, line: int, lang: str) -> Iterator[tuple[int, Fact]]:
    """(where, fact) of each number written in words: soft facts (checks/parity_number_words.py)."""
    for number in word_numbers(text, lang):
        unit = unit_of(UNIT_AFTER.match(text, number.end))
        yield number.start, Fact((Decimal(number.value), unit), text[number.start:number.end], line, soft=True)


def has_months(found: list[Fact]) -> bool:
    """Whether a page has a date in digits (`2017-07-18`), whose month is a month."""
    return any(fact.key[1] == MONTH and not fact.soft for fact in found)


def in_month_names(text: str, line: int, lang: str) -> Iterator[tuple[int, Fact]]:
    """(where, fact) of each month named beside a number (`July 18`, `18 juillet 2017`): a soft fact, the partner of
    the month of a date written in digits on the other side (`2017-07-18`), and of nothing else."""
    if not FACT_START.search(text):
        return
    for name in month_pattern(lang).finditer(text):
        if NUMBER_AFTER.match(text, name.end()) or NUMBER_BEFORE.search(text, max(0, name.start() - 8), name.start()):
            yield name.start(), Fact((Decimal(MONTH_NUMBERS[lang][name[0].lower()]), MONTH), name[0], line, soft=True)


def years_once(placed: list[tuple[int, Fact]], text: str) -> list[Fact]:
    """The facts of one line (with their places in its `text`) without a year written again to end a range of dates:
    `avril 2026 à juin 2026` and `du 1er avril 2026 au 30 juin 2026` say `April to June 2026`."""
    if len(placed) < 2:
        return [fact for _, fact in placed]
    kept, years = [], {}  # years: where each year of the line ends
    for place, fact in placed:
        if not fact.soft and fact.key[1] == "" and len(fact.text) == 4 and fact.text.isdigit():
            end = years.get(fact.key)
            years[fact.key] = place + 4
            if end is not None and range_between().fullmatch(text, end, place):
                continue
        kept.append(fact)
    return kept


def in_digits(text: str, line: int, lang: str, english_keys: set | None,
              misformatted: list[Misformatted]) -> Iterator[tuple[int, Fact]]:
    """(where, fact) of each number written in digits; a French one written the English way is added to
    `misformatted` too, and means what its writer meant."""
    months = {date.start(1) for date in ISO_DATE.finditer(text)} if "-" in text else ()
    for match in fact_matches(text, lang):
        code = code_before(text, match.start())
        if match["number"] == "00" or code and code[0].islower():  # `00`: the minutes of 15:00 (French: 15 h)
            continue
        wrong = (parity_french_numbers.misformatted(match, unit_of(match), text, line, english_keys)
                 if english_keys is not None else None)
        if wrong:
            misformatted.append(wrong)
        key = (wrong.value.normalize(VALUES), unit_of(match)) if wrong else meaning(match, lang)
        key, end = afternoon(key, match, text, lang) if match.start() not in months else ((key[0], MONTH), match.end())
        name = bool(code) or in_name(text, match.start()) or code_after(text, end)
        soft = key[0] in (0, 1) and not key[1] and RANGE_AFTER.match(text, end) is not None
        yield match.start(), Fact(key, text[match.start():end].strip(), line, soft=soft, name=name)


def fact_matches(text: str, lang: str) -> Iterator[re.Match]:
    """fact_pattern's matches in `text`, as its `finditer` finds them, but tried only where a fact can start
    (FACT_START): most of a text is letters, which a search for a fact would try one by one."""
    pattern, position = fact_pattern(lang), 0
    while (start := FACT_START.search(text, position)) is not None:
        match = pattern.match(text, start.start())  # its look-behind still sees the text before
        position = match.end() if match else start.start() + 1
        if match:
            yield match


def code_before(text: str, start: int) -> re.Match | None:
    """The letters (and digits) glued before the number at `start` (`D7`, `H1N1`, `mp3`), searched only when a word
    character is right before it: most numbers follow a space."""
    if not (start and WORD_CHARACTER.match(text, start - 1)):
        return None
    return CODE.search(text, max(0, start - 80), start)


def meaning(match: re.Match, lang: str) -> tuple[Decimal, str]:
    """(value, unit) of a matched number: grouping removed, decimal mark read the language's way."""
    number = match["number"]
    english = lang == "en" or ENGLISH_ONLY.fullmatch(number)
    digits = GROUPING.sub("", number) if english else SPACE.sub("", number).replace(",", ".")
    return VALUES.multiply(Decimal(digits), 1000 if match["thousands"] else 1).normalize(VALUES), unit_of(match)


def unit_of(match: re.Match | None) -> str:
    """`%`, `$` or nothing, from a number's match (or a unit's match after a number in words)."""
    groups = match.groupdict() if match else {}
    return "%" if groups.get("percent") else "$" if groups.get("pre") or groups.get("dollars") else ""


def afternoon(key: tuple[Decimal, str], match: re.Match, text: str, lang: str) -> tuple[tuple[Decimal, str], int]:
    """`5pm` is 17 (French writes `17 h`), written up to the end of `pm`, and so is the 1 of `1-3pm`; other numbers
    as they are."""
    value, unit = key
    hour = AFTERNOON.match(text, match.end()) if lang == "en" and not unit and value in range(1, 12) else None
    return ((value + 12, unit), hour.start("range") if hour["range"] else hour.end()) if hour else (key, match.end())


def in_name(text: str, start: int) -> bool:
    """Whether the number at `start` follows a name's word: an acronym (`COVID-19`), or a capitalised word that
    does not start the sentence and is not a month (`the Blueprint 2020 plan`, not `In 2020` or `May 2020`)."""
    head = name_head(text, start)
    if head is None or not head[1][0].isupper():
        return False
    if len(head[1]) > 1 and head[1].isupper():
        return True
    before = text[:head.start()].rstrip()
    return bool(before) and not before.endswith(SENTENCE_START) and head[1] not in MONTHS


def name_head(text: str, start: int) -> re.Match | None:
    """NAME_HEAD's match in the LOOK_BACK characters before `start`. The search tries every place of its window,
    and the word ends right before the number: the last NEAR characters are searched first, and the whole window
    only when the word runs back past them (it may then start earlier)."""
    window = max(0, start - LOOK_BACK)
    near = max(window, start - NEAR)
    head = NAME_HEAD.search(text, near, start)
    return NAME_HEAD.search(text, window, start) if head is not None and head.start() == near > window else head


def code_after(text: str, end: int) -> bool:
    """Whether a number ends in a capital letter, as names do (`18F`, `5G`)."""
    return text[end:end + 1].isupper()


def without_shared_names(english: list[Fact], french: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    """The facts of both sides without the numbers of names both name (`Canada 150` twice here, once there)."""
    shared = {fact.key for fact in english if fact.name} & {fact.key for fact in french if fact.name}
    return ([fact for fact in english if not (fact.name and fact.key in shared)],
            [fact for fact in french if not (fact.name and fact.key in shared)])


def missing_facts(settings: Settings, page: Page, mine: list[Fact], other: Page,
                  theirs: list[Fact]) -> Iterator[Finding | None]:
    """Numbers of `page` with no partner in `other`, one finding each (soft ones never: they only stand in)."""
    for fact, count, other_count in unpaired([fact for fact in mine if not fact.soft], theirs):
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
