"""Check stage: raw HTML is content, and HTML that does not show as the writer meant is reported.

When the site allows raw HTML (`allow_raw_html: true`), markdown-it hands each HTML block over as
one token (`html_block`) and each tag inside a paragraph as another (`html_inline`): no check that
reads tokens would see the text, headings, lists, tables or links inside. `content_tokens(page)` is
the page's tokens with each HTML block replaced by the tokens the same content makes in Markdown
(paragraphs, headings, lists, tables and their captions, quotations, definition lists, links, code),
each at its own source line, and with `<a href>`, `</a>` and `<br>` inside text read as a link and a
space. The prose, parity and glossary checks read these. It reads what the page shows: elements the
sanitiser removes with their content (clair/sanitize.py: scripts, pictures...) are left out, and
other tags it does not keep (`<section>`, `<h1>`) lose their tag, not their text. The elements of the
rendered page get their lines from the renderer instead (checks/html.py, `source_lines`).

Rules:

- `content.indented-html` (warning): HTML indented by 4 spaces or more is a Markdown code block, so
  the page shows its tags as code. Fenced code blocks (```) are examples, and never reported.
- `content.html-as-text` (warning): on a site that does not allow raw HTML, HTML tags typed in the
  text show on the page as text, tags included; one finding per page, at the first such line.
- `content.html-removed` (warning): on a site that allows raw HTML, a picture, frame, video, sound,
  embedded object or form written in HTML, which the sanitiser removes: the page would lack it.
"""
from __future__ import annotations

import copy
import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TypeVar

from markdown_it.rules_block.html_block import HTML_SEQUENCES
from markdown_it.token import Token

from clair.markdown import raw_html
from clair.model import Finding, Page, Site
from clair.sanitize import ALLOWED_TAGS, DROP_CONTENT

from . import html
from .settings import rule

RULES = (
    rule("content.indented-html", "warning"),
    rule("content.html-as-text", "warning"),
    rule("content.html-removed", "warning"),
)

Read = TypeVar("Read")
KEPT_PAGES = 32  # a translation unit's pages, with room to spare; more would hold every page's tokens in memory


def per_parse(read: Callable[[Page], Read]) -> Callable[[Page], Read]:
    """`read(page)` once per parse of the page: several checks read the same page, so the result is kept with
    the token list it came from, and `serve`, which re-parses a saved page into new tokens, gets a fresh read.
    Only the last pages read are kept: builds check a page and its translation at a time (clair/units.py)."""
    kept: OrderedDict[Page, tuple[list, Read]] = OrderedDict()

    @functools.wraps(read)
    def once(page: Page) -> Read:
        found = kept.get(page)
        if found is None or found[0] is not page.tokens:
            found = kept[page] = (page.tokens, read(page))
            if len(kept) > KEPT_PAGES:
                kept.popitem(last=False)
        kept.move_to_end(page)
        return found[1]
    return once


@per_parse
def content_tokens(page: Page) -> list:
    """The page's tokens, its raw HTML read as the Markdown tokens it stands for (`page.tokens` when it has none)."""
    if "<" not in page.body or not any(token.type == "html_block" or _has_inline_html(token) for token in page.tokens):
        return page.tokens
    found = []
    for token in page.tokens:
        if token.type == "html_block":
            found.extend(_BlockReader(html.read(token.content), token.map[0], token.level).tokens())
        elif _has_inline_html(token):
            found.append(_with_inline_html_read(token))
        else:
            found.append(token)
    return found


def _has_inline_html(token) -> bool:
    return token.type == "inline" and any(child.type == "html_inline" for child in token.children or ())


# Block-level elements: text on either side of one is not one paragraph.
BLOCK_LEVEL = frozenset("""
address article aside blockquote caption dd details dialog div dl dt fieldset figcaption figure footer form
h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul
""".split())
# The kept block elements as Markdown tokens: tag -> (token name, True when the element holds its text itself).
AS_MARKDOWN = {
    "p": ("paragraph", True), "blockquote": ("blockquote", False),
    **{f"h{level}": ("heading", True) for level in range(2, 7)},
    "ul": ("bullet_list", False), "ol": ("ordered_list", False), "li": ("list_item", False),
    "dl": ("dl", False), "dt": ("dt", True), "dd": ("dd", False),
    "table": ("table", False), "thead": ("thead", False), "tbody": ("tbody", False), "tfoot": ("tbody", False),
    "tr": ("tr", False), "th": ("th", True), "td": ("td", True),
}
REMOVED = DROP_CONTENT | {"img"}  # the sanitiser removes these and what they hold (a picture's alt text too)


class _BlockReader:
    """One HTML block's elements and text as Markdown tokens, in one pass over the document's elements.

    Text goes into an inline token (a "run") that the nearest block element holds: the element's own
    when it holds text (`<p>`, `<h3>`, `<td>`), else a paragraph of its own, as Markdown makes inside a
    list item. Any block element ends the run.
    """

    def __init__(self, document: html.Document, first_line: int, level: int):
        self.document = document
        self.first_line = first_line  # token line of the block's first line
        self.level = level
        self.found: list[Token] = []
        self.closing: list[Callable[[], None]] = []  # what closing each open element does
        self.holders: list[tuple[str, Token | None]] = []  # open block elements: (kind, their opening token)
        self.tables: list[Token] = []  # open tables, for their captions
        self.removing = 0  # open elements the sanitiser removes with their content
        self.in_code = 0
        self.run: Token | None = None
        self.run_close: Token | None = None  # the paragraph_close of a run that made its own paragraph
        self.run_line = 0  # token line the run has reached
        self.cursor = 0  # the next text piece to read

    def tokens(self) -> list[Token]:
        """Open and close each element in document order (an element closes before the next one that is not
        inside it opens), the text between them read as it comes."""
        open_elements: list[html.Element] = []
        for element in self.document.elements:
            while open_elements and open_elements[-1] is not element.parent:
                self.close(open_elements.pop())
            self.text_until(element.start)
            self.open(element)
            open_elements.append(element)
        while open_elements:
            self.close(open_elements.pop())
        self.text_until(len(self.document.pieces))
        self.end_run()
        return self.found

    def line(self, html_line: int) -> int:
        return self.first_line + html_line - 1

    def open(self, element: html.Element) -> None:
        tag = element.tag
        if self.removing or tag in REMOVED or tag == "pre":
            self.start_removing(element)
        elif tag in BLOCK_LEVEL:
            self.open_block(element)
        elif tag == "a" and "href" in element.attrs:
            self.start_run(self.line(element.line))
            self.add(Token("link_open", "a", 1, attrs={"href": element.attrs["href"]}))
            self.closing.append(self.close_link)
        elif tag == "code":
            self.in_code += 1
            self.closing.append(self.leave_code)
        elif "lang" in element.attrs:  # text in a declared language, kept marked for parity.untranslated
            self.start_run(self.line(element.line))
            self.add(Token("html_inline", "", 0, content=f'<span lang="{element.attrs["lang"]}">'))
            self.closing.append(self.close_language)
        else:
            if tag == "br" and self.run:
                self.add(Token("text", "", 0, content=" "))
            self.closing.append(lambda: None)

    def start_removing(self, element: html.Element) -> None:
        """An element the page does not show; a `<pre>` shows, as code, which is not prose."""
        if not self.removing and element.tag == "pre":
            self.end_run()
            line = self.line(element.line)
            self.found.append(Token("code_block", "code", 0, content=element.text, map=[line, line + 1],
                                    level=self.level))
        self.removing += 1
        self.closing.append(self.stop_removing)

    def open_block(self, element: html.Element) -> None:
        """A block element ends the text run; a kept one opens its Markdown token (a caption goes to its table)."""
        self.end_run()
        tag, line = element.tag, self.line(element.line)
        name, holds_text = AS_MARKDOWN.get(tag, ("", False)) if tag in ALLOWED_TAGS else ("", False)
        opening = None
        if name:
            attrs = {key: element.attrs[key] for key in ("id", "lang") if key in element.attrs} or None
            opening = Token(f"{name}_open", "tbody" if tag == "tfoot" else tag, 1, attrs=attrs,
                            map=[line, line + 1], level=self.level)
            self.found.append(opening)
            self.level += 1
            if name == "table":
                self.tables.append(opening)
        kind = "caption" if tag == "caption" and self.tables else "text" if holds_text else "block"
        self.holders.append((kind, opening))
        self.closing.append(lambda: self.close_block(opening))

    def close_block(self, opening: Token | None) -> None:
        self.end_run()
        self.holders.pop()
        if opening is None:
            return
        self.level -= 1
        self.found.append(Token(opening.type.replace("_open", "_close"), opening.tag, -1, level=self.level))
        if opening.type == "table_open":
            self.tables.pop()

    def close_link(self) -> None:
        if self.run is not None:  # else a block element inside the link ended its text
            self.add(Token("link_close", "a", -1))

    def stop_removing(self) -> None:
        self.removing -= 1

    def close_language(self) -> None:
        if self.run is not None:  # else a block element inside ended its text
            self.add(Token("html_inline", "", 0, content="</span>"))

    def leave_code(self) -> None:
        self.in_code -= 1

    def close(self, element: html.Element) -> None:
        self.text_until(element.end)
        self.closing.pop()()

    def text_until(self, end: int) -> None:
        for index in range(self.cursor, end):
            if not self.removing:
                self.text(self.document.pieces[index], self.line(self.document.piece_line(index)))
        self.cursor = max(self.cursor, end)

    def text(self, piece: str, line: int) -> None:
        """A text piece starting on `line`: a line break in it is a soft break, as in Markdown."""
        if self.run is None:
            start = piece.lstrip()
            if not start:
                return
            line += piece.count("\n", 0, len(piece) - len(start))
            piece = start
            self.start_run(line)
        self.break_to(line)
        for number, part in enumerate(piece.split("\n")):
            if number:
                self.break_to(self.run_line + 1)
                part = part.lstrip()
            if part:
                self.add(Token("code_inline" if self.in_code else "text", "", 0, content=part))

    def start_run(self, line: int) -> None:
        """Open an inline token, held by the nearest block element (or in a paragraph of its own)."""
        if self.run is not None:
            return
        kind, opening = self.holders[-1] if self.holders else ("block", None)
        self.run = Token("inline", "", 0, map=[line, line + 1], level=self.level, children=[])
        self.run_line = line
        if kind == "caption":
            self.tables[-1].meta["caption"] = self.run
            return
        if kind == "block":
            self.found.append(Token("paragraph_open", "p", 1, map=[line, line + 1], level=self.level))
            self.run.level += 1
            self.run_close = Token("paragraph_close", "p", -1, level=self.level)
        self.found.append(self.run)

    def break_to(self, line: int) -> None:
        """Soft breaks up to `line`, so that lines counted from the run's first one stay right."""
        while self.run_line < line:
            self.add(Token("softbreak", "br", 0))
            self.run_line += 1

    def add(self, child: Token) -> None:
        self.run.children.append(child)

    def end_run(self) -> None:
        if self.run is None:
            return
        self.run.content = "".join("\n" if c.type == "softbreak" else c.content for c in self.run.children).strip()
        self.run.map[1] = self.run_line + 1
        if self.run_close is not None:
            self.found.append(self.run_close)
        self.run = self.run_close = None


CLOSING_LINK = re.compile(r"</a\s*>", re.IGNORECASE)


def _with_inline_html_read(token):
    """A copy of an inline token whose raw `<a href>`, `</a>` and `<br>` are a link and a space."""
    children = []
    for child in token.children:
        children.append(_inline_tag(child) if child.type == "html_inline" else child)
    read = copy.copy(token)
    read.children = children
    return read


def _inline_tag(child):
    """One tag of inline raw HTML as the Markdown token it stands for, or itself."""
    if CLOSING_LINK.fullmatch(child.content.strip()):
        return Token("link_close", "a", -1)
    elements = html.read(child.content).elements
    element = elements[0] if elements else None
    if element is not None and element.tag == "a" and "href" in element.attrs:
        return Token("link_open", "a", 1, attrs={"href": element.attrs["href"]})
    if element is not None and element.tag == "br":
        return Token("text", "", 0, content=" ")
    return child


def run(site: Site, files: dict, settings) -> Iterator[Finding | None]:
    for page in site.pages:
        yield from indented_html(page, settings)
        if site.config.allow_raw_html:
            yield from removed_html(page, settings)
        else:
            yield html_as_text(page, settings)


# What the sanitiser removes that a reader would miss: tag -> what it is, to a writer.
NOT_PUBLISHED = {"img": "picture", "picture": "picture", "svg": "drawing", "iframe": "frame", "video": "video",
                 "audio": "sound recording", "object": "embedded object", "embed": "embedded object", "form": "form"}


def removed_html(page: Page, settings) -> Iterator[Finding]:
    """Pictures, frames, videos and forms in raw HTML: the sanitiser removes them, so the page lacks them."""
    for line, fragment in raw_html(page):
        for element in html.read(fragment).elements:
            what = NOT_PUBLISHED.get(element.tag)
            if what and not (element.parent and element.parent.tag in NOT_PUBLISHED):
                yield settings.finding(page, "content.html-removed", line + element.line - 1,
                                       not_published(element, what))


def not_published(element: html.Element, what: str) -> str:
    if element.tag == "img":
        alt = html.squash(element.attrs.get("alt", "")) or "what it shows"
        return (f"the picture {element.attrs.get('src', '')} is not published: pictures written in HTML are "
                "removed from the page (clair checks and publishes only pictures written in Markdown); put the "
                f"picture in the content folder and write ![{alt}](picture.png) instead")
    return (f"this {what} (<{element.tag}>) is not published: clair removes {what}s written in HTML from the "
            "page; link to it instead, as [what it is](address)")


HTML_BLOCK_START = tuple(opening for opening, _, _ in HTML_SEQUENCES)  # what starts an HTML block in Markdown


def indented_html(page: Page, settings) -> Iterator[Finding]:
    """An indented code block whose first line would start an HTML block if it were not indented."""
    for token in page.tokens:
        if token.type == "code_block":
            first = next((line for line in token.content.split("\n") if line.strip()), "")
            if any(start.search(first.strip()) for start in HTML_BLOCK_START):
                yield settings.finding(page, "content.indented-html", page.file_line(token.map[0]),
                                       "this HTML is indented by 4 spaces or more, so it shows as code on the page; "
                                       "remove the indentation (or fence it with ``` if it is meant as an example)")


CODE_SPAN = re.compile(r"(`+).*?\1")  # `<p>` in a code span shows as text on purpose
# A start or end tag of an HTML element (not `<your name>`: the name must be an HTML element's).
TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
HTML_ELEMENTS = ALLOWED_TAGS | DROP_CONTENT | BLOCK_LEVEL | frozenset("""
area audio body button canvas col colgroup embed head html img input label link meta option picture source
span video
""".split())


def html_as_text(page: Page, settings) -> Finding | None:
    """HTML tags typed in the text of a site that shows raw HTML as text: one finding, at the first line."""
    typed = list(_typed_tags(page)) if "<" in page.body else []
    if not typed:
        return None
    (line, tag), more = typed[0], len({line for line, _ in typed}) - 1
    others = f" and the HTML on {more} more line{'s' * (more != 1)}" if more else ""
    return settings.finding(page, "content.html-as-text", page.file_line(line),
                            f"`{tag}` here{others} shows on the page as text, tags included: this site does not "
                            "let HTML through. Write it in Markdown (## for a heading, [words](address) for a "
                            "link, a blank line between paragraphs), or, if the site is meant to publish HTML, "
                            "set `allow_raw_html: true` in site.yaml")


def _typed_tags(page: Page) -> Iterator[tuple[int, str]]:
    """(token line, tag) of each HTML tag in the page's text that is typed as a tag in the Markdown (not written
    `&lt;p>`, nor inside a code span). Linear: each source line's tags are found once."""
    source, typed_on = page.body.split("\n"), {}
    for token in page.tokens:
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0]
        for child in token.children or ():
            line += child.type in ("softbreak", "hardbreak")
            if child.type != "text" or "<" not in child.content or not 0 <= line < len(source):
                continue
            if line not in typed_on:
                typed_on[line] = {match.group() for match in TAG.finditer(CODE_SPAN.sub("", source[line]))}
            for match in TAG.finditer(child.content):
                if match.group() in typed_on[line] and match.group(1).lower() in HTML_ELEMENTS:
                    yield line, match.group()
