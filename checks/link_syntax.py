"""Check stage, `links.syntax`: Markdown that looks like a link but is not one, at its line and column.

Rule `links.syntax` (default: error). A link written slightly wrong is shown as plain text, brackets
and address included, in every Markdown renderer; nothing else notices, since no link is made. On
real Government of Canada sites `[text] (address)` was the commonest. Reported, each with its fix:

- `[text] (address)`: a space or line break between `]` and `(`;
- `[text](address` never closed, or `[text](an address)` with a space in the address;
- `(address)[text]`: the two parts the wrong way round;
- `[text][label]` with no line `[label]: address` on the page, and `[text]` alone when a defined
  label is nearly the same (a typo);
- `<https://...` with no `>`.

Only the text markdown-it left as text is read (its tokens, with the lines they came from), so code
spans, code blocks, front matter and raw HTML are never reported. What is found is then looked for
as written in the Markdown lines of its paragraph: text that only reads so once backslash escapes are
applied (`\\[sic\\] (see below)`) is not there, and is not reported.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from clair.model import Finding, Page, Site

from .settings import Settings, rule

RULES = (rule("links.syntax", "error"),)

ADDRESS = r"(?:https?://|mailto:|www\.|\.{0,2}/|#)[^\s()]*|[^\s()\[\]]+\.(?:md|html?|pdf)(?:#[^\s()]*)?"
LABEL = r"[^\[\]\n^][^\[\]\n]*"
SPACED = re.compile(rf"\[({LABEL})\](\s+)\(({ADDRESS})\)")
REVERSED = re.compile(rf"\(({ADDRESS})\)\[({LABEL})\]")
BROKEN = re.compile(rf"(!?)\[({LABEL})?\]\(([^()\n]*)(\)?)")
FULL_REFERENCE = re.compile(rf"(?<!\w)\[({LABEL})\]\[([^\[\]\n=]*)\]")  # not code: input[type][disabled]
SHORTCUT = re.compile(rf"(?<!\w)\[({LABEL})\](?![\[(:])")
OPEN_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)(?=\s|$)")
MARKUP = ("strong_open", "strong_close", "em_open", "em_close", "s_open", "s_close")  # inside a run of text


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    for page in site.pages:
        yield from check_page(settings, page)


def check_page(settings: Settings, page: Page) -> Iterator[Finding]:
    """Each look-alike link in the page's text, where it is written."""
    source = page.body.split("\n")
    labels = {label.upper() for label in page.env.get("references", {})}
    for token in inline_tokens(page):
        if token.map is None:
            continue
        suspects = [found for text in text_runs(token) for found in look_alikes(text, labels)]
        if not suspects:  # most paragraphs: their lines are not joined
            continue
        block, cursor = "\n".join(source[token.map[0]:token.map[1]]), 0
        for _, written, message in suspects:
            found = block.find(written, cursor)
            if found < 0:  # not written so: an escape or an entity made it read like a link
                continue
            cursor = found + len(written)
            line = block.count("\n", 0, found)
            column = found - (block.rfind("\n", 0, found) + 1) + 1
            yield settings.finding(page, "links.syntax", page.file_line(token.map[0] + line), message,
                                   column=column)


def inline_tokens(page: Page) -> Iterator[object]:
    """The Markdown's inline tokens, table captions (kept in the table's meta) included; raw HTML is not Markdown."""
    for token in page.tokens:
        if token.type == "table_open" and token.meta.get("caption") is not None:
            yield token.meta["caption"]
        elif token.type == "inline":
            yield token


def text_runs(token) -> Iterator[str]:
    """The stretches of an inline token that markdown-it left as text, as written (emphasis marks kept): a
    link, code span, image, inline HTML or hard break ends one."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("\n")
        elif child.type in MARKUP:
            parts.append(child.markup)
        else:
            yield "".join(parts)
            parts = []
    yield "".join(parts)


def look_alikes(text: str, labels: set[str]) -> list[tuple[int, str, str]]:
    """(offset, text as written, message) of each look-alike link in a run of text, in order, none overlapping."""
    if "[" not in text and "<" not in text:  # each pattern needs one: most text is over at once
        return []
    found: list[tuple[int, str, str]] = []
    taken: list[range] = []
    for pattern, explain in PATTERNS:
        for match in pattern.finditer(text):
            message = explain(match, labels)
            span = range(match.start(), match.end())
            if message and not any(span.start < other.stop and other.start < span.stop for other in taken):
                taken.append(span)
                found.append((match.start(), match.group(), f"`{shorten(match.group())}` is shown as text: {message}"))
    return sorted(found)


def spaced(match: re.Match, labels: set[str]) -> str:
    between = "the line break" if "\n" in match.group(2) else "the space"
    return f"remove {between} between ] and ( to make it one: [{match.group(1)}]({match.group(3)})"


def reversed_parts(match: re.Match, labels: set[str]) -> str:
    return f"the two parts are the wrong way round; write [{match.group(2)}]({match.group(1)})"


def broken(match: re.Match, labels: set[str]) -> str | None:
    noun, address = "picture" if match.group(1) else "link", match.group(3).strip()
    if "{{" in address or "{%" in address:
        return None  # a template fills the address in (Liquid, Nunjucks, Hugo)
    if not match.group(4):
        return f"the ( after ] is never closed; add ) right after the address of the {noun}"
    if address.startswith("#"):
        return (f"an address of a part of a page has no spaces; heading ids join words with -: "
                f"({'-'.join(address.split())})")
    return (f"the address of the {noun} has a space in it; write each space as %20, or put the address "
            f"between < and >: (<{address}>)")


def full_reference(match: re.Match, labels: set[str]) -> str | None:
    label = match.group(2) or match.group(1)
    if normal(label) in labels:
        return None
    return (f"this page has no line `[{label}]: address` to say where [{label}] leads; add one, or write "
            f"[{match.group(1)}](address)")


def shortcut(match: re.Match, labels: set[str]) -> str | None:
    close = difflib.get_close_matches(normal(match.group(1)), labels, n=1, cutoff=0.8)
    if not close or normal(match.group(1)) in labels:
        return None
    return f"no line `[{match.group(1)}]: address` on this page says where it leads; did you mean [{close[0].lower()}]?"


def open_autolink(match: re.Match, labels: set[str]) -> str:
    return f"add > right after the address: <{match.group(1)}>"


PATTERNS = ((SPACED, spaced), (REVERSED, reversed_parts), (BROKEN, broken), (FULL_REFERENCE, full_reference),
            (SHORTCUT, shortcut), (OPEN_AUTOLINK, open_autolink))


def normal(label: str) -> str:
    """A reference label as markdown-it compares them: case and runs of spaces ignored."""
    return " ".join(label.split()).upper()


def shorten(written: str, most: int = 80) -> str:
    """What the writer typed, on one line and cut to a readable length for the message."""
    flat = " ".join(written.split())
    return flat if len(flat) <= most else flat[:most - 1] + "…"
