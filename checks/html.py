"""A small walker over rendered HTML: each element with its attributes, its text and its line.

The accessibility and link checks read the whole rendered page with `parse`, then ask
`source_lines` which elements the page's Markdown produced (and from which file line), so a
finding points at the line a writer must change; every other element came from the templates.
Elements of the page's raw HTML get the line the renderer noted for each (clair/markdown.py).

Reading is the checks' largest cost after Markdown, so well-formed HTML (all that clair writes) is
read by two regular expressions, two to three times faster than `html.parser`; anything else (raw text
elements with content, unquoted values, a stray `<`) goes to `html.parser`. Both give the same elements:
tests/test_html_reader.py compares them on every page of the sample site.
"""
from __future__ import annotations

import bisect
import functools
import html
import itertools
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from clair.markdown import BASE_PATH
from clair.model import Page
from clair.urls import unpublish

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TEMPLATE_NOTE = " (this comes from the templates, not from the Markdown: a developer must fix it)"


@dataclass(eq=False, slots=True)
class Element:
    """One element: tag, attributes (valueless ones as ""), where it starts, and what it contains."""

    tag: str
    attrs: dict[str, str]
    line: int  # 1-based line in the HTML
    offset: int  # character offset in the HTML, to tell the page's content from its templates
    parent: Element | None = None
    pieces: list[str] = field(default_factory=list, repr=False)  # the document's text pieces, shared
    start: int = 0  # this element's text is pieces[start:end]
    end: int | None = None  # None until the element closes

    @property
    def text(self) -> str:
        """The text a screen reader would read: the element's text, images counting with their alt."""
        return "".join(self.pieces[self.start:self.end])

    def ancestors(self) -> list[Element]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


@dataclass
class Document:
    """A parsed HTML file: its text and its elements in document order.

    Several checks read the same parse (`parse`), each asking for the elements of a few tags, the ids and the
    source lines: those are worked out once, when first asked for, and kept with the document."""

    source: str
    elements: list[Element]
    pieces: list[str] = field(default_factory=list, repr=False)  # the text, in order (Element.start and .end)
    piece_offsets: list[int] = field(default_factory=list, repr=False)  # where each piece starts in `source`
    line_starts: list[int] = field(default_factory=list, repr=False)  # where each line starts in `source`
    _by_tag: dict[str, list[Element]] | None = field(default=None, init=False, repr=False)
    _ids: dict[str, list[Element]] | None = field(default=None, init=False, repr=False)
    # page -> (the token list its lines were read from, the lines): see `source_lines`
    _lines: dict[Page, tuple[list, dict[Element, int]]] = field(default_factory=dict, init=False, repr=False)

    def piece_line(self, index: int) -> int:
        """The 1-based line where text piece `index` starts."""
        return bisect.bisect_right(self.line_starts, self.piece_offsets[index])

    def all(self, *tags: str) -> list[Element]:
        """The elements of these tags, in document order (a new list: callers may keep or change it)."""
        if self._by_tag is None:
            self._by_tag = {}
            for element in self.elements:
                self._by_tag.setdefault(element.tag, []).append(element)
        if len(tags) == 1:
            return list(self._by_tag.get(tags[0], ()))
        return [e for e in self.elements if e.tag in tags]

    def ids(self) -> dict[str, list[Element]]:
        """Every id on the page with the elements carrying it (more than one is a fault). Callers only read it."""
        if self._ids is None:
            self._ids = {}
            for element in self.elements:
                if "id" in element.attrs:
                    self._ids.setdefault(element.attrs["id"], []).append(element)
        return self._ids


class _Tree:
    """Builds the element list from tags and text; tolerant of unclosed tags like the browsers it stands in for."""

    def __init__(self, source: str):
        self.line_starts = [0, *itertools.accumulate(len(line) + 1 for line in source.split("\n"))]
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.pieces: list[str] = []  # all text in order; an element's text is the run between its tags
        self.piece_offsets: list[int] = []  # where each text piece starts in the source

    def start(self, tag: str, attrs: dict[str, str], offset: int) -> None:
        line = bisect.bisect_right(self.line_starts, offset)
        element = Element(tag, attrs, line, offset, self.open[-1] if self.open else None, self.pieces, len(self.pieces))
        self.elements.append(element)
        if tag == "img":
            self.text(attrs.get("alt", ""), offset)
            element.end = len(self.pieces)
        elif tag not in VOID:
            self.open.append(element)
        else:
            element.end = element.start

    def end(self, tag: str) -> None:
        if self.open and self.open[-1].tag == tag:  # the usual case, the element opened last: no search
            self.open.pop().end = len(self.pieces)
            return
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].tag == tag:
                self.close_from(depth)
                return

    def text(self, data: str, offset: int) -> None:
        self.pieces.append(data)
        self.piece_offsets.append(offset)

    def close_from(self, depth: int) -> None:
        """End the elements open from `depth` up: an end tag closes the ones left open inside it too."""
        for element in self.open[depth:]:
            element.end = len(self.pieces)
        del self.open[depth:]


class _Unusual(Exception):
    """The fast reader met HTML it does not read exactly as the standard library does."""


# A start or end tag with quoted (or no) attribute values, a comment or the doctype; any other `<` is unusual.
# Each part can match in one way only, so a failed match costs its length, never more (hostile input stays linear).
TAG = re.compile(r"""<(?:(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(/?)>"""
                 r"""|!--(?:(?!--).)*-->|!doctype html>)""", re.DOTALL | re.IGNORECASE)
ATTRIBUTE = re.compile(r"""\s+([^\s"'>/=<]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?""")
RAW_TEXT = ("script", "style")  # their content is not HTML; the fast reader takes them only empty


def _read_fast(source: str, tree: _Tree) -> None:
    """Read well-formed HTML (what clair's templates and Markdown renderer write) with two regular expressions,
    several times faster than `html.parser`, giving the same elements; raise `_Unusual` on anything else."""
    position = 0
    for match in TAG.finditer(source):
        start = match.start()
        if start > position:
            _text(source, position, start, tree)
        position = match.end()
        closing, tag, attributes, self_closing = match.groups()
        if tag is None:  # comment or doctype
            continue
        tag = tag.lower()
        if closing:
            if attributes or self_closing:
                raise _Unusual
            tree.end(tag)
            continue
        tree.start(tag, _attributes(attributes) if attributes else {}, start)
        if self_closing:
            tree.end(tag)
        elif tag in RAW_TEXT and not source.startswith(f"</{tag}>", position):
            raise _Unusual
    if position < len(source):
        _text(source, position, len(source), tree)


def _text(source: str, start: int, end: int, tree: _Tree) -> None:
    data = source[start:end]
    if "<" in data:
        raise _Unusual
    tree.text(html.unescape(data) if "&" in data else data, start)


def _attributes(written: str) -> dict[str, str]:
    """The attributes of a start tag (as `TAG` found them), names lower-cased and values unescaped."""
    found = {}
    for name, double, single in ATTRIBUTE.findall(written):
        value = double or single
        found[name.lower()] = html.unescape(value) if "&" in value else value
    return found


class _Careful(HTMLParser):
    """The standard library's tolerant tokenizer, for HTML the fast reader steps aside from."""

    def __init__(self, tree: _Tree):
        super().__init__(convert_charrefs=True)
        self.tree = tree

    def source_offset(self) -> int:
        """Where the parser is, as an offset in the source (HTMLParser's own `offset` is within a line)."""
        line, column = self.getpos()
        return self.tree.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self.tree.start(tag, {k: v or "" for k, v in attrs}, self.source_offset())

    def handle_endtag(self, tag):
        self.tree.end(tag)

    def handle_data(self, data):
        self.tree.text(data, self.source_offset())


def _read_carefully(source: str, tree: _Tree) -> None:
    careful = _Careful(tree)
    careful.feed(source)
    careful.close()


def read(source: str) -> Document:
    """The elements and text of an HTML text."""
    tree = _Tree(source)
    try:
        _read_fast(source, tree)
    except _Unusual:
        tree = _Tree(source)
        _read_carefully(source, tree)
    tree.close_from(0)
    return Document(source, tree.elements, tree.pieces, tree.piece_offsets, tree.line_starts)


def skim(source: str, passed_over: Callable[[str, dict[str, str]], bool]) -> tuple[list[str], list[Element]] | None:
    """The ids of an HTML text, and its elements that have attributes, less those inside an element that
    `passed_over(tag, attributes)`; None for HTML the fast reader steps aside from (`read` it instead).

    For the files no check reads the text of (the whole-publication views: 15 MB at 1,000 pages, most of it
    chapters whose links are checked on their own pages): the elements are read as `read` reads them, but
    get no text (a `<style>`'s is empty here, or the HTML is not read) and no parent, so the reading costs
    half. The tags still make the same tree: a chapter ends where `read` ends it. (The loop is `_read_fast`'s,
    not shared with it: a generator of tags for both costs every page's reading a tenth more.)"""
    ids, kept, open_tags = [], [], []  # open_tags: (tag, passed over) of each element open, outermost first
    passing = 0  # how many of them are passed over
    position, line, counted = 0, 1, 0  # the line of offset `counted`
    for match in TAG.finditer(source):
        start = match.start()
        if source.find("<", position, start) >= 0:
            return None
        position = match.end()
        closing, tag, attributes, self_closing = match.groups()
        if tag is None:  # comment or doctype
            continue
        tag = tag.lower()
        if closing:
            if attributes or self_closing:
                return None
            if open_tags and open_tags[-1][0] == tag:  # the usual case, the element opened last: no search
                passing -= open_tags.pop()[1]
            else:
                passing -= _close(open_tags, tag)
            continue
        attrs = _attributes(attributes) if attributes else {}
        if "id" in attrs:
            ids.append(attrs["id"])
        if attrs and not passing:
            line, counted = line + source.count("\n", counted, start), start
            kept.append(Element(tag, attrs, line, start))
        if tag not in VOID:
            open_tags.append((tag, passed_over(tag, attrs)))
            passing += open_tags[-1][1]
        if self_closing:
            passing -= _close(open_tags, tag)
        elif tag in RAW_TEXT and not source.startswith(f"</{tag}>", position):
            return None
    return None if source.find("<", position) >= 0 else (ids, kept)


def _close(open_tags: list[tuple[str, bool]], tag: str) -> int:
    """Close the element of this tag opened last, and those open inside it (as `_Tree.end`): how many of them
    were passed over."""
    for depth in range(len(open_tags) - 1, -1, -1):
        if open_tags[depth][0] == tag:
            closed = sum(passed for _, passed in open_tags[depth:])
            del open_tags[depth:]
            return closed
    return 0


@functools.lru_cache(maxsize=8)
def parse(source: str) -> Document:
    """`read`, the last few pages kept, so checks reading the same page share one parse (raw HTML blocks are
    read with `read`: they would push the pages out)."""
    return read(source)


def squash(text: str) -> str:
    """Text with runs of white space (non-breaking ones too) made one space, for comparisons."""
    return " ".join(text.split())


def content_range(page: Page, document: Document) -> range:
    """The character offsets where the page's rendered Markdown sits inside the whole page."""
    start = document.source.find(page.html) if page.html else -1
    return range(start, start + len(page.html)) if start >= 0 else range(0)


def source_lines(page: Page, document: Document) -> dict[Element, int]:
    """The Markdown file line of each heading, link, image and table the page's body produced, and of every
    element its raw HTML produced (the renderer noted where each starts: clair/markdown.py, `unmark_body`).

    Worked out once per parse of the page (its token list) and of its HTML (`document`): the accessibility and
    link checks both ask. Callers only read it."""
    kept = document._lines.get(page)
    if kept is None or kept[0] is not page.tokens:
        kept = document._lines[page] = (page.tokens, _source_lines(page, document))
    return kept[1]


def _source_lines(page: Page, document: Document) -> dict[Element, int]:
    content = content_range(page, document)
    raw_lines = page.env.get("raw_html_lines") or {}
    heading_lines = {h["id"]: h["line"] for h in page.headings}
    links, images = map(_Sources, _inline_sources(page))
    base_path = page.env.get(BASE_PATH, "/")  # the HTML's addresses are published under it, the Markdown's are not
    tables = iter([page.file_line(t.map[0]) for t in page.tokens if t.type == "table_open"])
    matrices = iter([page.file_line(t.map[0]) for t in page.tokens  # `::: matrix NAME` blocks' tables
                     if t.type == "container_block_open" and t.info.split()[:1] == ["matrix"]])
    lines: dict[Element, int] = {}
    for element in document.elements:
        if element.offset not in content:
            continue
        if element.offset - content.start in raw_lines:
            line = page.file_line(raw_lines[element.offset - content.start])
        elif element.tag in HEADINGS:
            line = heading_lines.get(element.attrs.get("id"))
        elif element.tag == "a":
            line = links.take(unpublish(element.attrs.get("href"), base_path), element.text)
        elif element.tag == "img":
            line = images.take(unpublish(element.attrs.get("src"), base_path), element.attrs.get("alt", ""))
        elif element.tag == "table":
            line = next(matrices if "data-matrix" in element.attrs else tables, None)
        else:
            continue
        if line is not None:
            lines[element] = line
    return lines


def where(lines: dict[Element, int], element: Element | None) -> tuple[int, str]:
    """The Markdown line to point at, or line 1 and a note when the fault is in the templates."""
    line = lines.get(element) if element is not None else None
    return (line, "") if line is not None else (1, TEMPLATE_NOTE)


def _inline_sources(page: Page) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(address, text, file line) of every link, and of every image, in the Markdown, in order (one walk)."""
    links, images = [], []
    for token in page.tokens:
        breaks, children = 0, token.children or []
        for index, child in enumerate(children):
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
            elif child.type == "image":
                images.append((child.attrGet("src"), child.attrGet("alt") or "", page.file_line(token.map[0] + breaks)))
            elif child.type == "link_open":
                links.append((child.attrGet("href"), _link_text(children, index + 1),
                              page.file_line(token.map[0] + breaks)))
    return links, images


def _link_text(children: list, start: int) -> str:
    """The text of a link, from its link_open's next token (`start`) up to its link_close."""
    parts = []
    for position in range(start, len(children)):  # not children[start:]: a copy per link is quadratic
        child = children[position]
        if child.type == "link_close":
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.attrGet("alt") or "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


class _Sources:
    """The links or images of the Markdown, (address, text, file line) in order, for the HTML elements to claim.

    Linear: a queue per address and one per address and text; a claimed source is skipped once in each.
    """

    def __init__(self, sources: list[tuple[str, str, int]]):
        self.lines = [line for _, _, line in sources]
        self.claimed = [False] * len(sources)
        self.by_address: dict[str | None, deque[int]] = defaultdict(deque)
        self.by_text: dict[tuple[str | None, str], deque[int]] = defaultdict(deque)
        for index, (address, text, _) in enumerate(sources):
            self.by_address[address].append(index)
            self.by_text[address, squash(text)].append(index)

    def take(self, address: str | None, text: str) -> int | None:
        """Claim the first unclaimed source with this address (and this text, if one has it): its line."""
        index = self._first(self.by_text.get((address, squash(text))))
        if index is None:
            index = self._first(self.by_address.get(address))
        if index is None:
            return None
        self.claimed[index] = True
        return self.lines[index]

    def _first(self, queue: deque[int] | None) -> int | None:
        """The index of the queue's first unclaimed source, or None."""
        while queue and self.claimed[queue[0]]:
            queue.popleft()
        return queue[0] if queue else None
