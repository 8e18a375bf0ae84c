"""What the parity checks share: the English/French pairs, findings that point at both files, text by line."""
from __future__ import annotations

import functools
from collections.abc import Iterator

from markdown_it.token import Token

from clair.model import Finding, Page, Site

from .prose import prose
from .raw_html import content_tokens
from .settings import Settings


def pairs(site: Site) -> list[tuple[Page, Page]]:
    """Every (English, French) pair, in English file order, so each pair is compared once."""
    return [(page, page.counterpart) for page in sorted(site.pages_in("en"), key=lambda p: str(p.source))
            if page.counterpart is not None]


def pair_finding(settings: Settings, page: Page, other: Page, rule: str, line: int, other_line: int,
                 message: str) -> Finding | None:
    """A finding on one side of a pair that also names the place to look in the other side."""
    return settings.finding(page, rule, line, message, related_file=str(other.source), related_line=other_line)


def end_line(page: Page) -> int:
    """File line of the body's last line (a final line ending does not start another line)."""
    return page.body_line + line_breaks(page.body)


@functools.lru_cache(maxsize=8)
def line_breaks(body: str) -> int:
    """Line breaks in a page's body, counted once per page, not once per finding (a body's hash is kept
    with it, so finding the count again costs nothing however long the page)."""
    return body.rstrip("\n").count("\n")


def corresponding_line(page: Page, line: int, other: Page) -> int:
    """The line of `other` at the same relative place as `line` in `page`: where its match should be."""
    if line < page.body_line:  # front matter: keys sit on about the same lines in both files
        return min(line, other.body_line - 1)
    fraction = (line - page.body_line) / max(1, end_line(page) - page.body_line)
    return other.body_line + round(min(fraction, 1.0) * (end_line(other) - other.body_line))


def first_prose_line(page: Page) -> int:
    """Where a page's text starts: a page-wide finding points there (line 1 when there is no text)."""
    blocks = prose(page)
    return blocks[0].line if blocks else 1


CELL_BREAK = Token("softbreak", "", 0)


def inline_tokens(page: Page) -> Iterator[object]:
    """The page's inline tokens in reading order, table captions (kept in the table's meta) and raw HTML included."""
    for token in content_tokens(page):
        caption = token.meta.get("caption") if token.type == "table_open" else None
        if caption is not None:
            yield caption
        if token.type == "inline":
            yield token


def inline_children(page: Page) -> Iterator[tuple[int, object]]:
    """Every child token of the page's inline tokens (text, links, images) with its file line.

    Each inline token starts with CELL_BREAK: table cells share a source line, and without it
    `| 1,250 | 12.5% |` would read as one number.
    """
    for token in inline_tokens(page):
        if token.map is None:
            continue
        line = page.file_line(token.map[0])
        yield line, CELL_BREAK
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield line, child


def text_lines(page: Page) -> list[tuple[int, str]]:
    """The page's words line by line: title, description, then the body with image descriptions, no code."""
    lines: dict[int, list[str]] = {}
    for key in ("title", "description"):
        lines.setdefault(page.meta_lines.get(key, 1), []).append(str(page.meta.get(key, "")))
    for line, child in inline_children(page):
        if child is CELL_BREAK:  # a line break, not a space: French writes 36 860 for thirty-six thousand...
            lines.setdefault(line, []).append("\n")
        elif child.type in ("text", "image"):
            lines.setdefault(line, []).append(child.content)
        elif child.type in ("code_inline", "softbreak", "hardbreak"):
            lines.setdefault(line, []).append(" ")
    return [(line, "".join(parts)) for line, parts in sorted(lines.items())]
