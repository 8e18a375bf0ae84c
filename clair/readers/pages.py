"""Load stage, other generators: read one page as it is: any front matter (YAML, TOML or none), any date format, any
keys; the title from `title`, `Title` or the first heading; the language from the front matter, the file name
or the folder. Nothing here stops the build: what is wrong becomes a finding at the team's own line."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..model import ContentError, Finding
from ..yamlfile import load_mapping, read_text_file
from .templating import Tag, blank_templates

LANGUAGE_WORDS = {"en": "en", "eng": "en", "english": "en", "en-ca": "en", "en-us": "en", "en-gb": "en",
                  "fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr", "français": "fr",
                  "fr-ca": "fr", "fr-fr": "fr"}
LANGUAGE_KEYS = ("lang", "language", "locale", "eleventyNavigation.locale")
TITLE_KEYS = ("title", "Title", "eleventyNavigation.title", "linkTitle")
DESCRIPTION_KEYS = ("description", "Description", "summary", "excerpt", "eleventyNavigation.description")
DATE_KEYS = ("date", "Date", "publishDate", "pubDate")
FIRST_HEADING = re.compile(r"\A(?:[ \t]*\n)*(?P<line>[ \t]{0,3}#[ \t]+(?P<md>[^\n]*?)[ \t#]*|[ \t]*<h1\b[^>]*>"
                           r"(?P<html>.*?)</h1>[ \t]*)(?:\n|\Z)", re.IGNORECASE | re.DOTALL)
ANY_HEADING = re.compile(r"^(?P<line>[ \t]{0,3}#[ \t]+(?P<md>[^\n]*?)[ \t#]*)$", re.MULTILINE)
TAG = re.compile(r"<[^>]+>")
DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
TOML_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*=", re.MULTILINE)
MAX_PAGE_BYTES = 2_000_000


@dataclass
class ForeignPage:
    """One page of the team's site, with what clair needs to check it and to pair it."""

    source: Path
    rel: PurePosixPath  # from the content root, e.g. en/guides/a.md
    meta: dict  # the front matter as written
    meta_lines: dict  # key -> file line
    body: str  # with template syntax blanked out (same lines and columns)
    body_line: int
    title: str
    title_line: int
    lang: str | None
    tags: list[Tag]  # the template tags taken out of the body (blanked or cut), with their lines
    findings: list[Finding] = field(default_factory=list)

    def value(self, dotted: str):
        """A front matter value by name; `a.b` reads key b inside group a."""
        value = self.meta
        for part in dotted.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(part, next((v for k, v in value.items() if str(k).lower() == part.lower()), None))
        return value  # keys in any case: Hugo reads `TranslationKey` and `translationKey` alike

    def first(self, keys) -> tuple[str, object]:
        """The first of `keys` the front matter gives a value for, with that value."""
        for key in keys:
            value = self.value(key)
            if value not in (None, "", [], {}):
                return key, value
        return "", None


def read_page(path: Path, rel: PurePosixPath, containers: bool, base_path: str = "", keep_columns: bool = True,
              text: str | None = None, html_runs_on: bool = False, bare_html: bool = False,
              html_read_whole: str = "") -> ForeignPage | None:
    """The page in `path` (or `text`, as read from it), or None when it is not a page (an HTML file without front
    matter is a template). Template tags are blanked (`keep_columns`) or taken out (an import). `html_runs_on`: the
    generator's Markdown runs an HTML block on to its closing tag, blank lines and indentation included (kramdown,
    or indented code switched off), so indented HTML is HTML there, not code. `bare_html`: an HTML file without front
    matter is a page too (Hugo's content folder). `html_read_whole`: which blocks of HTML a blank line does not end
    ("all", "raw" or none: see `html_blocks_whole`)."""
    text = read_text_file(path, "page", MAX_PAGE_BYTES) if text is None else text
    meta, meta_lines, body, body_line, problem = split(text, str(path))
    if meta is None and rel.suffix in (".html", ".htm") and not bare_html:
        return None
    meta = meta or {}
    blanked = blank_templates(body, containers, base_path, keep_columns)
    if rel.suffix.lower() in (".html", ".htm") or html_runs_on:
        blanked.text = unindented_html(blanked.text, every_line=rel.suffix.lower() in (".html", ".htm"))
    if html_read_whole and rel.suffix.lower() not in (".html", ".htm"):
        blanked.text = html_blocks_whole(blanked.text, raw_only=html_read_whole == "raw")
    page = ForeignPage(path, rel, meta, meta_lines, blanked.text, body_line, "", 1, None, blanked.tags)
    if problem:
        page.findings.append(problem)
    page.lang = language_of(page)
    take_title(page)
    return page


def unindented_html(text: str, every_line: bool) -> str:
    """HTML lines (or, in an HTML page, which its generator never reads as Markdown, every line) without their
    indentation, outside fenced code: markdown-it would show indented HTML as code, which the site does not."""
    lines, fence = text.split("\n"), None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
            continue
        if fence is None and (every_line or stripped.startswith("<")):
            lines[index] = stripped
    return "\n".join(lines)


# kramdown's span elements: a line starting with one is a paragraph, not a block of HTML; and the elements whose
# content it never reads as Markdown
RAW_ELEMENTS = frozenset("pre script style textarea math".split())
SPAN_ELEMENTS = frozenset("a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark "
                          "option q rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var".split())
BLOCK_START = re.compile(r"[ \t]*<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])([^>]*)")
MARKDOWN_INSIDE = re.compile(r"\bmarkdown\s*=\s*[\"']?(?:1|block|span)\b", re.IGNORECASE)
BLANK_IN_HTML = "&#32;"  # a blank line inside a block of HTML (markdown-it would end the block there): a space, which
# is no blank line to markdown-it and the same whitespace inside the HTML, a comment or a code sample


def html_blocks_whole(text: str, raw_only: bool = False) -> str:
    """The text with each blank line inside a block of HTML (from a line that starts with a block element's tag to
    its closing tag) made `BLANK_IN_HTML`, so that markdown-it, which ends an HTML block at a blank line, reads the
    block whole, as kramdown does: a CSS sample with blank lines in a `<pre>` inside a `<div>` stays code instead of
    becoming paragraphs. `raw_only`: only elements whose content is never Markdown (`RAW_ELEMENTS`), for a site
    whose kramdown reads Markdown inside HTML (`parse_block_html`). Lines stay where they are; fenced code and
    comments are passed over; an element never closed, or whose content is Markdown (`markdown="1"`), is left as
    it is."""
    lines, fence, index, closes = text.split("\n"), None, 0, {}
    while index < len(lines):
        stripped = lines[index].lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
        elif fence is None and stripped.startswith("<!--"):
            index = comment_end(lines, index)
        elif fence is None and (start := BLOCK_START.match(lines[index])) and read_whole(start, raw_only):
            name = start[1].lower()
            if name not in closes:
                closes[name] = closing_lines(lines, name)
            end = closes[name].get(index)
            for inside in range(index + 1, end or index):
                if not lines[inside].strip():
                    lines[inside] = BLANK_IN_HTML
            index = end or index
        index += 1
    return "\n".join(lines)


def read_whole(start: re.Match, raw_only: bool) -> bool:
    """Whether the element whose opening tag starts a line (`start`, BLOCK_START's match) runs on to its closing tag."""
    name = start[1].lower()
    if raw_only:
        return name in RAW_ELEMENTS
    return name not in SPAN_ELEMENTS and not MARKDOWN_INSIDE.search(start[2])


def comment_end(lines: list[str], first: int) -> int:
    """The line where the comment that starts line `first` ends (markdown-it reads an unclosed one to the end)."""
    if "-->" in lines[first].split("<!--", 1)[1]:
        return first
    return next((index for index in range(first + 1, len(lines)) if "-->" in lines[index]), len(lines) - 1)


def closing_lines(lines: list[str], name: str) -> dict[int, int]:
    """For each line where a `name` element opens, the line of the tag that closes the first one opened there
    (elements of the same name nested inside counted); lines whose element is never closed are left out. One pass
    each way over the page's `name` tags: a page of unclosed `<p>`s takes no longer than one of closed ones."""
    tags = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*?(/?)>", re.IGNORECASE)
    events, depth = [], 0  # (line, depth after the tag, whether it opens an element)
    for index, line in enumerate(lines):
        for tag in tags.finditer(line):
            if not tag[2]:  # `<div/>` opens nothing
                depth += -1 if tag[1] else 1
                events.append((index, depth, not tag[1]))
    closes, reached = {}, {}  # reached[d]: the line of the first tag after this one that leaves the depth at d
    for index, after, opens in reversed(events):
        if opens and after - 1 in reached:
            closes[index] = reached[after - 1]  # the line's first element, read last, is the one kept
        reached[after] = index
    return closes


def split(text: str, file: str) -> tuple[dict | None, dict, str, int, Finding | None]:
    """Front matter (YAML between `---`, TOML between `+++`, or none), its key lines, the body and the body's first
    line; a front matter that cannot be read is a finding and the page is read without it."""
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return None, {}, text, 1, None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in (fence, "...")), None)
    if end is None:
        return None, {}, text, 1, Finding(file, 1, "content.front-matter", "error",
                                          f"the settings block that starts with `{fence}` on line 1 is never closed; "
                                          f"add a line `{fence}` after it")
    block, body = "\n".join(lines[1:end]), "\n".join(lines[end + 1:])
    try:
        meta, key_lines = toml(block) if fence == "+++" else load_mapping(block, file, first_line=2)
    except (ContentError, ValueError) as err:
        line = getattr(err, "line", None) or 1
        message = getattr(err, "message", None) or str(err)
        return {}, {}, body, end + 2, Finding(file, line, "content.front-matter", "error",
                                              f"the settings block cannot be read: {message}")
    return meta, {k: v for k, v in key_lines.items() if isinstance(k, str)}, body, end + 2, None


def toml(block: str) -> tuple[dict, dict]:
    """Hugo's TOML front matter, with the line of each top-level key."""
    import tomllib  # Python 3.11+; only Hugo sites use TOML front matter

    meta = tomllib.loads(block)
    return meta, {m.group(1): block.count("\n", 0, m.start()) + 2 for m in TOML_KEY.finditer(block)}


def language_of(page: ForeignPage) -> str | None:
    """en or fr: from a `.fr.md` suffix, then a folder named for the language (where the generator publishes the
    page: it wins over a setting copied from the other language's page), then the front matter."""
    suffixes = page.rel.name.lower().split(".")[1:-1]
    for suffix in suffixes:
        if suffix in LANGUAGE_WORDS:
            return LANGUAGE_WORDS[suffix]
    for part in page.rel.parts[:-1]:
        if part.lower() in LANGUAGE_WORDS:
            return LANGUAGE_WORDS[part.lower()]
    _, value = page.first(LANGUAGE_KEYS)
    if isinstance(value, str) and value.strip().lower() in LANGUAGE_WORDS:
        return LANGUAGE_WORDS[value.strip().lower()]
    return None


def take_title(page: ForeignPage) -> None:
    """The title from the front matter, else the page's first heading, else its file name. A first heading at
    the top of the body is the page's title (clair's templates show the title as the page's only h1), so its
    line is blanked; the title keeps the heading's line for findings about it."""
    key, value = page.first(TITLE_KEYS)
    heading = FIRST_HEADING.match(page.body) or (None if value else ANY_HEADING.search(page.body))
    if heading:
        html = heading.groupdict().get("html")
        text = heading.group("md") if heading.group("md") is not None else TAG.sub("", html or "")
        line = page.body_line + page.body.count("\n", 0, heading.start("line"))
        page.body = page.body[: heading.start("line")] + re.sub(r"[^\n]", " ", heading.group("line")) \
            + page.body[heading.end("line"):]
        if not value:
            page.title, page.title_line = " ".join(text.split()), line
            return
    if isinstance(value, (str, int, float)) and str(value).strip():
        page.title, page.title_line = " ".join(str(value).split()), page.meta_lines.get(key.split(".")[0], 1)
        return
    page.title = page.rel.stem.replace("-", " ").replace("_", " ").strip() or page.rel.stem
    page.findings.append(Finding(str(page.source), 1, "content.no-title", "warning",
                                 "this page has no title (no `title:` setting and no `# heading` at the top); "
                                 f"clair calls it “{page.title}” from its file name. Add `title:` to its settings"))


def date_of(page: ForeignPage) -> dt.date | None:
    """The page's date in any format generators accept (quoted or not, with a time and zone), or None."""
    _, value = page.first(DATE_KEYS)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = DATE.match(str(value or "").strip())
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None


def description_of(page: ForeignPage) -> tuple[str, int | None]:
    """The page's description and its line; ("", None) when it has none."""
    key, value = page.first(DESCRIPTION_KEYS)
    if isinstance(value, str) and value.strip():
        return " ".join(value.split()), page.meta_lines.get(key.split(".")[0], 1)
    return "", None
