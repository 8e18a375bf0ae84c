"""Render stage: the allow-list sanitiser for raw HTML, used only when site.yaml sets `allow_raw_html: true`.

markdown-it hands raw HTML over piece by piece: an HTML block is a few lines, inline HTML is one
tag at a time (`<abbr title="...">`, then Markdown text, then `</abbr>`). So this works on
fragments, not documents: it parses each fragment with the standard library's HTML parser and
writes back only allow-listed tags with allow-listed attributes, every text and attribute value
escaped again. Whatever the parser made of odd input, what comes out is built from the allow-list,
so nothing else can get through: no scripts, styles, frames, forms, pictures (use Markdown images,
which the build checks and copies), event handlers (`onerror=`), `style` attributes, or addresses
other than http(s), mailto, tel and addresses on the site itself.

What raw HTML opens, it closes: a block is balanced on its own, and the inline tags of one paragraph,
heading or table cell together (`RawHtmlRun`). A tag left open is closed at the end, a closing tag
that closes nothing it opened is dropped, so raw HTML never reaches the markup around it (an unclosed
`<a>` cannot make the next paragraphs part of its link).

Given the fragment's first line, the sanitiser marks each element it keeps with its source line, so the
checks can point at the line of an element inside a block (`line_mark`). The marks are taken out as soon
as a page is rendered (`take_line_marks`): they never reach a written file.
"""
from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from .urls import publish

ALLOWED_TAGS = frozenset("""
a abbr b bdi bdo blockquote br caption cite code dd del details dfn div dl dt em figcaption figure
h2 h3 h4 h5 h6 hr i ins kbd li mark ol p pre q rp rt ruby s samp small span strong sub summary sup
table tbody td tfoot th thead time tr u ul var wbr
""".split())
VOID_TAGS = frozenset({"br", "hr", "wbr"})
# Tags removed with everything inside them: their content is code or a document of its own.
DROP_CONTENT = frozenset("""
script style iframe object noscript template textarea title svg math select noembed noframes xmp
applet frameset
""".split())
GLOBAL_ATTRIBUTES = frozenset({"lang", "dir", "title", "id"})
TAG_ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "ol": {"start", "reversed", "type"}, "li": {"value"}, "time": {"datetime"}, "details": {"open"},
}
URL_ATTRIBUTES = frozenset({"href", "cite"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")  # browsers drop tabs and newlines inside addresses


def safe_url(value: str) -> str | None:
    """The address if a browser would treat it as http(s), mailto, tel or an address on this site; else None."""
    url = value.strip("\x00\x09\x0a\x0c\x0d\x20").replace("\t", "").replace("\n", "").replace("\r", "")
    probe = _IGNORED_IN_URLS.sub("", url)
    scheme, colon, _ = probe.partition(":")
    if colon and not any(c in scheme for c in "/?#"):
        return url if scheme.lower() in SAFE_SCHEMES else None
    if probe.startswith(("//", "\\\\", "/\\", "\\/")):  # another host, however written: use an https:// link
        return None
    return url


# A NUL, the source line, a NUL: pages cannot hold a NUL (markdown-it makes it U+FFFD, and the loader refuses
# control characters), so no content can forge a mark or lose text to `take_line_marks`.
LINE_MARK = re.compile("\0([0-9]+)\0")


def line_mark(line: int) -> str:
    """The mark put just before the start tag of an element that raw HTML on `line` (a token line) made."""
    return f"\0{line}\0"


def take_line_marks(rendered: str) -> tuple[str, dict[int, int]]:
    """The rendered HTML without its line marks, and {offset of a marked start tag in it: its token line}."""
    if "\0" not in rendered:
        return rendered, {}
    parts, lines, position, removed = [], {}, 0, 0
    for match in LINE_MARK.finditer(rendered):
        parts.append(rendered[position:match.start()])
        lines[match.start() - removed] = int(match.group(1))
        position, removed = match.end(), removed + len(match.group())
    parts.append(rendered[position:])
    return "".join(parts), lines


class _Sanitiser(HTMLParser):
    def __init__(self, open_tags: list[str], first_line: int | None = None, base_path: str = "/"):
        super().__init__(convert_charrefs=True)
        self.base_path = base_path  # site paths (`/en/x/`) are published under it (clair/urls.py)
        self.out: list[str] = []
        self.dropping: list[str] = []  # open DROP_CONTENT tags
        self.open = open_tags  # allowed tags opened and not closed yet, innermost last
        self.ids: list[str] = []  # the ids kept
        self.first_line = first_line  # the fragment's token line: mark each kept element with its line

    def handle_starttag(self, tag, attrs):
        if self.dropping:
            if tag in DROP_CONTENT:
                self.dropping.append(tag)
            return
        if tag in DROP_CONTENT:
            self.dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            self.keep_id(attrs)
            return
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, set())
        kept = []
        for name, value in attrs:
            if name not in allowed or any(n == name for n, _ in kept):
                continue
            value = value if value is not None else ""
            if name in URL_ATTRIBUTES:
                value = safe_url(value)
                if value is None:
                    continue
                value = publish(value, self.base_path)
            kept.append((name, value))
        self.ids.extend(value for name, value in kept if name == "id")
        if self.first_line is not None:
            self.out.append(line_mark(self.first_line + self.getpos()[0] - 1))
        self.out.append(f"<{tag}" + "".join(f' {name}="{escape(value, quote=True)}"' for name, value in kept) + ">")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def keep_id(self, attrs) -> None:
        """A tag not kept (`<section id="part-2">`, `<h1 id="top">`) leaves its id on an empty `<span>`, so links to
        it still lead there: its text stays, and so does its place as a link's target."""
        found = next((value for name, value in attrs if name == "id" and value), None)
        if found is None:
            return
        self.ids.append(found)
        if self.first_line is not None:
            self.out.append(line_mark(self.first_line + self.getpos()[0] - 1))
        self.out.append(f'<span id="{escape(found, quote=True)}"></span>')

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if not self.dropping and tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        """Closes the tag and any opened inside it; a tag this run did not open is not closed."""
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.open:
            while self.open:
                inner = self.open.pop()
                self.out.append(f"</{inner}>")
                if inner == tag:
                    break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    # comments, <!DOCTYPE>, <?processing instructions?> and <![CDATA[...]]> are dropped
    def handle_comment(self, data):
        pass

    def handle_decl(self, decl):
        pass

    def handle_pi(self, data):
        pass

    def unknown_decl(self, data):
        pass


class RawHtmlRun:
    """Fragments of raw HTML balanced together: what one opens, a later one may close; `end` closes the rest."""

    def __init__(self, base_path: str = "/"):
        self.open: list[str] = []
        self.ids: list[str] = []  # the ids of the elements kept, in order
        self.base_path = base_path

    def add(self, fragment: str, first_line: int | None = None) -> str:
        """Allow-listed HTML for the next fragment; with its first line, its elements marked with their lines."""
        parser = _Sanitiser(self.open, first_line, self.base_path)
        parser.feed(fragment)
        parser.close()
        self.ids.extend(parser.ids)
        return "".join(parser.out)

    def end(self) -> str:
        """The closing tags of every tag still open."""
        closing = "".join(f"</{tag}>" for tag in reversed(self.open))
        self.open.clear()
        return closing


def sanitise_html(fragment: str, first_line: int | None = None, base_path: str = "/") -> str:
    """Allow-listed, balanced HTML for one fragment of raw HTML from a page (a block); addresses from the site's
    root (`/en/x/`) published under `base_path`."""
    return sanitised_block(fragment, first_line, base_path)[0]


def sanitised_block(fragment: str, first_line: int | None = None, base_path: str = "/") -> tuple[str, list[str]]:
    """`sanitise_html`'s HTML and the ids it keeps (`kept_ids`), from one parse."""
    run = RawHtmlRun(base_path)
    return run.add(fragment, first_line) + run.end(), run.ids


def kept_ids(fragment: str) -> list[str]:
    """The ids the sanitised fragment gives its elements."""
    run = RawHtmlRun()
    run.add(fragment)
    return run.ids
