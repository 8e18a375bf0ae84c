"""Check stage, `parity.french-number-format`: a French page writes its numbers the French way.

Rule `parity.french-number-format` (default: severity error). A number in the French text written
the English way gets one finding, at its line and column, with the French spelling to use:

- `25,000` -> `25 000`: groups of three digits are separated by a space, not a comma. A single
  group (`1,500`) is read the English way only when it ends in `,000`, or when the English page has
  that number and not the French reading of it (`1,500` in French is one and a half);
- `3.5 %` -> `3,5 %`, `1.5 million` -> `1,5 million`: the decimal mark is a comma, but only before a
  unit or a scale word: `WCAG 2.1`, version `2.0` and section `6.2.1` are not amounts;
- `$1,500` -> `1 500 $`, `$1.5 billion` -> `1,5 milliard $`: the dollar sign follows the number (and an
  English billion is a French milliard).

The spelling given is the one clair's French typography prints (clair/i18n.py): Babel's `fr_CA`
digits, grouped with a no-break space, and a no-break space before `%` and `$`. The number is
compared with the English as the writer meant it (`25,000` = `25,000`), so `parity.facts` does not
report it a second time.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext

from babel.numbers import format_decimal

from clair.i18n import LOCALES, NBSP
from clair.model import Finding, Page

from .parity_common import corresponding_line
from .plain_words import body_lines, match_starts
from .settings import Settings, rule

RULE = rule("parity.french-number-format", "error")
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
SCALE = re.compile(r"(?i:millions?|milliards?|billions?|thousand|mille)")
SCALE_AFTER = re.compile(r"\s((?i:millions?|milliards?|billions?))\b")
FRENCH_SCALE = {"million": "million", "billion": "milliard", "milliard": "milliard", "thousand": "mille",
                "mille": "mille"}
SPACES = r"(?:\s|&(?:nbsp|thinsp|#160|#x[aA]0|#8201|#8239|#x202[fF]);)+"  # as typed in the Markdown source


@dataclass(frozen=True)
class Misformatted:
    """A number of the French text written the English way: what it means, as written, and the fix."""

    value: Decimal  # as the writer meant it: `25,000` is 25000
    written: str
    fix: str
    reasons: tuple[str, ...]
    line: int
    start: int  # where it starts in the line's text (to find its column in the Markdown line)
    text: str  # the line's text


def misformatted(match: re.Match, unit: str, text: str, line: int,
                 english_keys: set[tuple[Decimal, str]]) -> Misformatted | None:
    """The finding-to-be for a number of French text (a fact_pattern match), or None when it is written the
    French way."""
    number, prefixed = match["number"], bool(match["pre"])
    grouped = GROUPED.fullmatch(number) is not None and english_grouping(number, unit, prefixed, english_keys)
    scale_after = SCALE_AFTER.match(text, match.end())  # `$1.5 million`, `1.5 million people`
    scale_in_unit = SCALE.search(match["dollars"] or "")  # `1.5 million $`
    scale_word = (scale_after[1] if scale_after and prefixed else scale_in_unit[0] if scale_in_unit else "").lower()
    decimal_point = "." in number and not grouped and bool(unit or scale_in_unit or scale_after)
    if not (grouped or decimal_point or prefixed):
        return None
    value = Decimal(number.replace(",", "") if grouped else number.replace(",", "."))
    reasons = (("a space between groups of three digits, not a comma",) * grouped
               + ("a comma before the decimals, not a point",) * decimal_point
               + ("the dollar sign after the number",) * prefixed
               + ("an English billion is a milliard",) * scale_word.startswith("billion"))
    end = scale_after.end() if scale_after and prefixed else match.end()
    return Misformatted(value, text[match.start():end].strip(), french_writing(value, unit, scale_word), reasons, line,
                        match.start(), text)


def english_grouping(number: str, unit: str, prefixed: bool, english_keys: set[tuple[Decimal, str]]) -> bool:
    """Whether `1,500` in French text means fifteen hundred (English grouping), not one and a half."""
    if number.count(",") > 1 or "." in number or number.endswith(",000") or prefixed:
        return True
    return ((Decimal(number.replace(",", "")), unit) in english_keys
            and (Decimal(number.replace(",", ".")), unit) not in english_keys)


def french_writing(value: Decimal, unit: str, scale_word: str) -> str:
    """`1 500 $`, `3,5 %`, `1,5 milliard $`: as clair's French typography prints it."""
    scale = FRENCH_SCALE.get(scale_word.rstrip("s"), "")
    scale += "s" * (scale in ("million", "milliard") and value >= 2)
    with localcontext() as context:
        context.prec = len(str(value)) + 28  # Babel rounds in the current context (28 digits): room for all of them
        digits = format_decimal(value, locale=LOCALES["fr"], decimal_quantization=False)
    return digits + (f" {scale}" if scale else "") + ((" " if scale else NBSP) + unit if unit else "")


def findings(settings: Settings, french: Page, english: Page, found: list[Misformatted]) -> Iterator[Finding | None]:
    """One finding per number, at its line and column in the French file."""
    for number in found:
        spaces = "; type plain spaces, clair prints them as no-break spaces" if NBSP in number.fix else ""
        yield settings.finding(french, RULE.id, number.line,
                               f"“{number.written}” is written the English way; in French, write “{number.fix}” "
                               f"({'; '.join(number.reasons)}{spaces})", column=column(french, number),
                               related_file=str(english.source),
                               related_line=corresponding_line(french, number.line, english))


def column(page: Page, number: Misformatted) -> int | None:
    """1-based column of the number in its Markdown line, found again there (markup shifts the text's offsets);
    None in the front matter or when the line does not show it as typed. Each line's matches are found once
    (cached), so a line of thousands of numbers stays linear."""
    lines = body_lines(page.body)
    index = number.line - page.body_line
    if not 0 <= index < len(lines):
        return None
    pattern = re.compile(SPACES.join(map(re.escape, number.written.split())))
    earlier = bisect.bisect_left(match_starts(pattern, number.text, 0, len(number.text)), number.start)
    found = match_starts(pattern, lines[index], 0, len(lines[index]))
    return found[earlier] + 1 if earlier < len(found) else None
