"""The running prose of a page, with file lines: what readability, plain-word and parity checks read.

Prose means paragraphs and list items, in Markdown or in raw HTML (checks/raw_html.py). Headings, code,
tables and quotations of others (blockquotes, `you-said` blocks) are left out: writers do not control
their wording.

Sentences end at `. ! ? …` followed by a space and a capital letter or a digit, in English and French
alike: closing quotation marks may come between (`. »`, `."`, with or without spaces), and an opening
one after (`« Nous`). Not an end: a decimal point (`2.5`; `1,5` has none), an initial (`John A. Macdonald`),
a title or abbreviation (`Mr. Smith`, `M. Tremblay`, `Mme`, `p. ex.`, `e.g.`, `U.S.`), `No. 5` or
`p. 17` before a number, an elision mark in brackets (`[…] Nous`). A piece without words is no sentence.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from clair.markdown import block_name
from clair.model import Page

from .raw_html import content_tokens, per_parse

HIDING = ("heading_open", "blockquote_open", "table_open")  # plus `you-said` blocks
KINDS = {"list_item_open": "list item", "dd_open": "definition", "dt_open": "term"}  # else a paragraph
# End punctuation, closing quotation marks (spaced or not, as French sets them), a space, then what starts a
# sentence: an opening mark perhaps, and a capital letter or a digit. `\s` includes the no-break spaces.
SENTENCE_END = re.compile(r"(?<=[.!?…])((?:\s*[\"'»”’)\]])*)\s+(?=[«\"“‘(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
# The word a period ends, with its inner periods (U.S.), read backwards from the period: matched at the start of
# the reversed text, one pass (searching forwards for `([\w.’'-]*)\.$` tries every start: quadratic in the word).
LAST_WORD_REVERSED = re.compile(r"\.([\w.’'-]*)")
LOOK_BACK = 120  # characters before a stop that can tell an abbreviation: never the whole block (a 2 MB line)
ELISIONS = ("[…", "(…", "[...", "(...")  # a cut in a quotation, `[…] Nous`: not an end
TITLES = frozenset("""Mr Mrs Ms Dr Dre St Ste Sts Jr Sr Prof Hon Rev Gen Lt Col Capt Sgt Mt Ft M MM Mme Mmes Mlle Mlles
Me Mgr Pr Pre cf vs ex approx boul av c.-à-d""".split())  # never end a sentence before a capital
BEFORE_NUMBERS = frozenset("no nos p pp art arts vol fig ch sect par".split())  # `No. 5`, `p. 17`
SHORT_PARTS = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")  # e.g, i.e, U.S, a.m: letters and periods
# A capital letter after a capitalised word is an initial (`John A. Macdonald`), but not after these: `Appendix A.`
LABELS = frozenset("""Appendix Annex Schedule Part Section Phase Plan Grade Level Step Option Type Class Group Table
Figure Item Stage Annexe Partie Étape Niveau Catégorie Volet Tableau Groupe Classe Article""".split())


@dataclass(frozen=True)
class Prose:
    """One paragraph or list item as plain text, where it starts, and the file line of each text line."""

    text: str
    line: int
    line_starts: tuple[int, ...]  # offsets in `text` where each source line begins
    kind: str = "paragraph"  # or "list item", "definition" (a `: ` line: a commitment's text), "term"

    def line_at(self, offset: int) -> int:
        """File line of the character at `offset` in `text` (bisect: a long block's many findings stay n·log n)."""
        return self.line + bisect.bisect_right(self.line_starts, offset) - 1


@per_parse
def prose(page: Page) -> tuple[Prose, ...]:
    """Every paragraph or list item of the page as plain text, in reading order, raw HTML included (read once
    per parse: several checks read it)."""
    found, opened, hidden = [], [], 0
    for token in content_tokens(page):
        if token.nesting == 1:
            name = block_name(token) if token.type == "container_block_open" else token.type
            hides = token.type in HIDING or name == "you-said"
            opened.append((name, hides))
            hidden += hides
        elif token.nesting == -1 and opened:
            hidden -= opened.pop()[1]
        elif token.type == "inline" and not hidden:
            text, starts = _plain_text(token)
            if text.strip():
                kind = next((KINDS[name] for name, _ in reversed(opened) if name in KINDS), "paragraph")
                found.append(Prose(text, page.file_line(token.map[0]), tuple(starts), kind))
    return tuple(found)


INLINE_CODE = "code"


def _plain_text(inline) -> tuple[str, list[int]]:
    """Text of an inline token without markup; soft and hard breaks start a new source line."""
    parts, starts, length = [], [0], 0
    for child in inline.children or ():
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
            length += 1
            starts.append(length)
        elif child.type in ("text", "code_inline"):
            text = child.content if child.type == "text" else INLINE_CODE  # a command or path reads as one word
            parts.append(text)
            length += len(text)
    return "".join(parts), starts


def sentences(block: Prose) -> list[tuple[str, int]]:
    """Split a block into sentences, each with the file line where it starts (see the module docstring)."""
    result, start, text = [], 0, block.text
    for match in SENTENCE_END.finditer(text):
        if not _ends_sentence(text, match):
            continue
        result.append((text[start:match.end(1)].strip(), block.line_at(start)))  # with its closing marks
        start = match.end()
    result.append((text[start:].strip(), block.line_at(start)))
    return [(s, line) for s, line in result if words(s)]


def _ends_sentence(text: str, match: re.Match) -> bool:
    """Whether the punctuation before a SENTENCE_END match ends a sentence, or an abbreviation, an initial or an
    elision mark (`[…]`) does not."""
    before = text[max(0, match.start() - LOOK_BACK):match.start()]  # up to the punctuation
    if before.endswith(ELISIONS):
        return False
    found = LAST_WORD_REVERSED.match(before[::-1])
    if found is None:
        return True
    word = found.group(1)[::-1]
    if text[match.end():match.end() + 1].isdigit():
        return word.casefold() not in BEFORE_NUMBERS
    return not (word in TITLES or SHORT_PARTS.fullmatch(word) or _initial(word, before[:-found.end()]))


def _initial(word: str, before: str) -> bool:
    """A capital letter standing for a name (`John A.`, `J. R.`): after a capitalised word that is not a label."""
    if len(word) != 1 or not word.isupper():  # most words: the one before is not read
        return False
    previous = before.split()[-1].lstrip("«\"“‘([") if before.strip() else ""
    return previous[:1].isupper() and previous.rstrip(".") not in LABELS


# A run of word characters with at least one letter or digit (`[^\W_]`: \w without the underscore is
# exactly str.isalnum), matched whole: the regex does in C what a Python filter on every run did.
WORD = re.compile(r"[\wÀ-ÿ’'-]*[^\W_][\wÀ-ÿ’'-]*")


@functools.lru_cache(maxsize=1024)
def words(text: str) -> tuple[str, ...]:
    """The words of `text`: runs of letters, digits, apostrophes and hyphens with a letter or digit.
    Kept for the last texts: readability, parity and the matrices count the same blocks' words."""
    return tuple(WORD.findall(text))
