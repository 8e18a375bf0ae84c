"""The running prose of a page, with file lines: what readability, plain-word and parity checks read.

Prose means paragraphs and list items, in Markdown or in raw HTML (checks/raw_html.py). Headings, code,
tables and quotations of others (blockquotes, `you-said` blocks) are left out: writers do not control
their wording.
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
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)\]]*\s+(?=[«\"“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Prose:
    """One paragraph or list item as plain text, where it starts, and the file line of each text line."""

    text: str
    line: int
    line_starts: tuple[int, ...]  # offsets in `text` where each source line begins

    def line_at(self, offset: int) -> int:
        """File line of the character at `offset` in `text` (bisect: a long block's many findings stay n·log n)."""
        return self.line + bisect.bisect_right(self.line_starts, offset) - 1


@per_parse
def prose(page: Page) -> tuple[Prose, ...]:
    """Every paragraph or list item of the page as plain text, in reading order, raw HTML included (read once
    per parse: several checks read it)."""
    found, hides_stack, hidden = [], [], 0
    for token in content_tokens(page):
        if token.nesting == 1:
            hides = token.type in HIDING or (token.type == "container_block_open" and block_name(token) == "you-said")
            hides_stack.append(hides)
            hidden += hides
        elif token.nesting == -1 and hides_stack:
            hidden -= hides_stack.pop()
        elif token.type == "inline" and not hidden:
            text, starts = _plain_text(token)
            if text.strip():
                found.append(Prose(text, page.file_line(token.map[0]), tuple(starts)))
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
    """Split a block into sentences, each with the file line where it starts."""
    result, start = [], 0
    for match in SENTENCE_END.finditer(block.text):
        result.append((block.text[start:match.start()].strip(), block.line_at(start)))
        start = match.end()
    tail = block.text[start:].strip()
    if tail:
        result.append((tail, block.line_at(start)))
    return [(s, line) for s, line in result if s]


# A run of word characters with at least one letter or digit (`[^\W_]`: \w without the underscore is
# exactly str.isalnum), matched whole: the regex does in C what a Python filter on every run did.
WORD = re.compile(r"[\wÀ-ÿ’'-]*[^\W_][\wÀ-ÿ’'-]*")


@functools.lru_cache(maxsize=1024)
def words(text: str) -> tuple[str, ...]:
    """The words of `text`: runs of letters, digits, apostrophes and hyphens with a letter or digit.
    Kept for the last texts: readability, parity and the matrices count the same blocks' words."""
    return tuple(WORD.findall(text))
