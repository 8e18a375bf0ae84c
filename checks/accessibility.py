"""Accessibility checks on the rendered HTML of every content page (WCAG 2.1 AA basics).

Each finding points at the Markdown line that produced the fault; a fault in the templates points
at line 1 of the page and says it comes from the templates. Rules and their options:

- `a11y.lang` (error): `<html lang>` is the page's language, and every `lang` attribute is a
  well-formed language code (`en`, `fr`, `fr-CA`; an empty value is not accepted).
- `a11y.h1` (error): exactly one h1. The template makes the title the h1, so a `#` heading in the
  Markdown is a second one.
- `a11y.heading-order` (error): no heading skips a level (`##` then `####`).
- `a11y.image-alt` (error): every image has alt text. An empty alt is allowed only for an image
  marked decorative: `![](picture.png "decorative")` (a title from `decorative_titles`; a template
  may use `role="presentation"` instead). Alt text that is a file name or a word from `generic`
  ("image", "photo") is an error. Alt text identical to one in the translation of the page was
  probably not translated: reported at the severity `same_as_translation` (default warning; off
  turns it off).
- `a11y.link-text` (error): every link of the page's text has text that says where it goes: not
  empty, not a bare web address, not a phrase from `generic` ("click here", « en savoir plus »).
  Case, spaces and punctuation around the words are ignored. The links the templates make around
  the text (language toggle, breadcrumbs, "On this page", previous and next) are never blamed on
  the page: the templates' own link texts are read once per build (`run_site`), each fault at its
  template's line; a link whose text a template takes from the pages (a heading, a title) is the
  template's and is not reported.
- `a11y.table`: a data table (any table not marked `role="presentation"`) with no non-empty
  header cell (`<th>`, in any row) is an error: screen readers cannot say what a cell is. A table without a
  caption (`<caption>`, `aria-label` or `aria-labelledby`) is reported at the severity of
  `missing_caption` (default warning: the text before a table often says what it shows). In
  Markdown the caption is a paragraph `Table: what it shows` (French `Tableau : ce qu'il montre`)
  just before the table. On real pages, tables without a caption were 8 errors of 8 wrong.
- `a11y.duplicate-id` (error): no id is used twice on a page (a heading can take an id the
  templates already use, such as `## Main content`).
- `a11y.landmarks` (error): exactly one `<main>`; when a page has several `<nav>` (or page-level
  `<header>` or `<footer>`), each has its own accessible name (`aria-label` or `aria-labelledby`).
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from clair.i18n import Catalogue
from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from . import html
from .html import Document, Element
from .settings import Settings, choice, rule, texts

RULES = (
    rule("a11y.lang", "error"),
    rule("a11y.h1", "error"),
    rule("a11y.heading-order", "error"),
    rule("a11y.image-alt", "error",
         decorative_titles=texts(["decorative", "décoratif", "décorative"]),
         generic=texts(["image", "img", "photo", "picture", "graphic", "figure", "icon", "logo", "illustration",
                        "graphique", "icône", "pictogramme"]),
         same_as_translation=choice("warning")),
    rule("a11y.link-text", "error",
         generic=texts(["click here", "click", "here", "read more", "more", "learn more", "link", "this link",
                        "cliquez ici", "cliquer ici", "ici", "en savoir plus", "lire la suite", "plus",
                        "lien", "ce lien"])),
    rule("a11y.table", "error", missing_caption=choice("warning")),
    rule("a11y.duplicate-id", "error"),
    rule("a11y.landmarks", "error"),
)

LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
FILE_NAME = re.compile(r"[\w.-]+\.(png|jpe?g|gif|svg|webp|avif|bmp|tiff?|ico)", re.IGNORECASE)
BARE_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
EDGE_PUNCTUATION = " \t\n\xa0\u202f.,;:!?…«»\"'“”‘’()[]-–—>"
SECTIONING = ("article", "aside", "main", "nav", "section")  # a header or footer inside one is no landmark
TEMPLATE_LINK = re.compile(r"<a\b(?P<attributes>(?:[^>{]|\{\{.*?\}\}|\{%.*?%\})*)>(?P<text>.*?)</a\s*>",
                           re.DOTALL | re.IGNORECASE)
TEMPLATE_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
TEMPLATE_SYNTAX = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)
MESSAGE = re.compile(r"""\{\{-?\s*t\(\s*(['"])(?P<key>[^'"]+)\1\s*\)\s*-?\}\}""")


class Issue(NamedTuple):
    """A fault on a page: the element at fault (None for the page as a whole) and what to do."""

    element: Element | None
    message: str
    severity: str | None = None  # overrides the rule's severity


def run(site: Site, files: dict[PurePosixPath, str], settings) -> Iterator[Finding | None]:
    for page in site.pages:
        yield from check_page(page, html.parse(page.output), settings)


def check_page(page: Page, document: Document, settings) -> Iterator[Finding | None]:
    """Every rule over one page's parsed HTML (tests pass hand-written HTML here)."""
    lines = html.source_lines(page, document)
    for rule_id, check in PAGE_RULES.items():
        options = settings.options(page, rule_id)
        for issue in check(document, page, options):
            line, note = html.where(lines, issue.element)
            yield settings.finding(page, rule_id, line, issue.message + note, severity=issue.severity)


def check_lang(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Screen readers pick their voice from `lang`; a wrong or malformed one garbles every word."""
    root = next(iter(document.all("html")), None)
    if root is None or "lang" not in root.attrs:
        yield Issue(root, f'the <html> element has no lang attribute; it must be lang="{page.lang}"')
    elif root.attrs["lang"] != page.lang:
        yield Issue(root, f'the <html> element has lang="{root.attrs["lang"]}", but this is '
                          f'the {LANGUAGE_NAMES[page.lang]} page: it must be lang="{page.lang}"')
    for element in document.elements:
        value = element.attrs.get("lang")
        if element is not root and value is not None and not LANGUAGE_CODE.fullmatch(value):
            yield Issue(element, f'<{element.tag} lang="{value}"> is not a language code; use "en" or "fr"')


def check_h1(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """The h1 is the page's title; screen reader users jump to it to learn where they are."""
    h1s = document.all("h1")
    if not h1s:
        yield Issue(None, "the page has no h1 heading")
    for extra in h1s[1:]:
        yield Issue(extra, f"a second h1 heading “{html.squash(extra.text)}”: the page title is already the h1; "
                           "start the text's headings at ##")


def check_heading_order(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Headings are the page's outline; a skipped level makes readers think a part is missing."""
    headings = document.all(*html.HEADINGS)
    for before, heading in zip(headings, headings[1:]):
        level, previous = int(heading.tag[1]), int(before.tag[1])
        if level > previous + 1:
            yield Issue(heading, f"the heading “{html.squash(heading.text)}” is level {level} ({'#' * level}) "
                                 f"but follows a level {previous} heading: make it level {previous + 1} "
                                 f"({'#' * (previous + 1)})")


def check_image_alt(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Alt text is the image for people who cannot see it; a file name or "image" tells them nothing."""
    translated = translation_alts(page)
    for image in document.all("img"):
        alt = image.attrs.get("alt")
        words = bare(alt or "")
        if alt is None:
            yield Issue(image, f"the image {image.attrs.get('src', '')} has no alt attribute")
        elif not words and not is_decorative(image, options):
            yield Issue(image, "the image has no alt text: describe what it shows, or, if it is only "
                               'decoration, mark it ![](picture.png "decorative")')
        elif words and (FILE_NAME.fullmatch(words) or words == bare(stem(image.attrs.get("src", "")))):
            yield Issue(image, f"the alt text “{alt}” is a file name: describe what the image shows")
        elif words in bare_set(options["generic"]):
            yield Issue(image, f"the alt text “{alt}” says nothing about the image: describe what it shows")
        elif words in translated:
            yield Issue(image, f"the alt text “{alt}” is the same as in the "
                               f"{LANGUAGE_NAMES[page.counterpart.lang]} version: write it in "
                               f"{LANGUAGE_NAMES[page.lang]}", options["same_as_translation"])


def check_link_text(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Screen reader users list a page's links out of context; each must say where it goes. Only the links of
    the page's text: the templates' links are not the writer's (see `template_link_texts`)."""
    content = html.content_range(page, document)
    for link in document.all("a"):
        if "href" in link.attrs and link.offset in content:
            problem = link_text_problem(link.attrs.get("aria-label") or link.text, link.attrs["href"], options)
            if problem:
                yield Issue(link, problem)


def run_site(site: Site, built, settings: Settings) -> Iterator[Finding]:
    """The templates' own link texts, once per build, at their template's line."""
    yield from template_link_texts(site.project, settings)


def template_link_texts(project, settings: Settings) -> Iterator[Finding]:
    """Each `<a href>` of the templates whose text, in either language, is empty, an address or generic.

    A template's text is its words and its `t("key")` messages (templates/messages.yaml). A link that shows
    something of the pages (`{{ heading.text }}`, `{{ page.title }}`) is not reported: its words are a
    heading's or a title's, which other rules read where they are written, never a page's link."""
    catalogue, options = Catalogue(project.messages), settings.options(None, "a11y.link-text")
    for template_name, template in project.template_files().items():
        source = template.read_text(encoding="utf-8")
        for link in TEMPLATE_LINK.finditer(source):
            attributes = dict((name.lower(), double or single) for name, double, single in
                              TEMPLATE_ATTRIBUTE.findall(link["attributes"]))
            if "href" not in attributes:
                continue
            for lang in LANGUAGE_NAMES:
                name = template_text(attributes.get("aria-label") or link["text"], catalogue, lang)
                problem = name is not None and link_text_problem(name, attributes["href"], options)
                if problem:
                    yield settings.finding(project.template_file(template_name), "a11y.link-text",
                                           source.count("\n", 0, link.start()) + 1,
                                           f"{problem} (on {LANGUAGE_NAMES[lang]} pages; a developer must fix the "
                                           "template)")
                    break


def template_text(written: str, catalogue: Catalogue, lang: str) -> str | None:
    """The words a template's link shows in `lang`, messages filled in; None when it shows the pages' words."""
    words = []
    for part in TEMPLATE_SYNTAX.split(re.sub(r"<[^>]*>", " ", written)):
        message = MESSAGE.fullmatch(part)
        if message and message["key"] in catalogue.messages:
            words.append(catalogue.get(message["key"], lang))
        elif part.startswith("{{"):
            return None
        elif not part.startswith(("{%", "{#")):
            words.append(part)
    return "".join(words)


def link_text_problem(name: str, href: str, options: dict) -> str | None:
    """What is wrong with a link's text, or None. Text another generator's template fills in (`{{ }}`) is not
    known, and an e-mail address is fine as the text of its own `mailto:` link (it is what a reader copies)."""
    if "{{" in name or (href.lower().startswith("mailto:") and "@" in name):
        return None
    words = bare(name)
    if not words:
        return f"the link to {href} has no text: write words that say where it goes"
    if BARE_URL.fullmatch(words) or words == bare(href):
        return (f"the link text “{html.squash(name)}” is a web address: write words that say where it goes, "
                "as [name of the page](address)")
    if words in bare_set(options["generic"]):
        return (f"the link text “{html.squash(name)}” does not say where the link goes: use the name of the page "
                "or of what it offers")
    return None


def check_table(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Header cells tell screen reader users what each cell holds: a data table without them is an error. A
    caption says what the table shows before they read it: its absence is only a warning by default.

    A table marked `role="presentation"` only lays things out, and is not read as a table; a table of one row
    (text beside a picture) is taken as one too, so it needs no header cells.
    Linear: one pass over the header cells and captions, each marking the tables around it (not one pass over
    the page per table)."""
    label = "Tableau : " if page.lang == "fr" else "Table: "
    with_header, with_caption = set(), set()
    for element in document.all("th", "caption"):
        if html.squash(element.text):
            (with_header if element.tag == "th" else with_caption).update(
                a for a in element.ancestors() if a.tag == "table")
    rows: dict = {}
    for row in document.all("tr"):
        for table in (a for a in row.ancestors() if a.tag == "table"):
            rows[table] = rows.get(table, 0) + 1
    for table in document.all("table"):
        if table.attrs.get("role") in ("presentation", "none"):
            continue
        if table not in with_header and rows.get(table, 0) > 1:  # one row is a layout (text beside a picture)
            yield Issue(table, "the table has no header cells: screen readers cannot say what each value is; "
                               "make its first row the column names (in HTML, <th> cells)")
        if table not in with_caption and not (table.attrs.get("aria-label") or table.attrs.get("aria-labelledby")):
            yield Issue(table, f"the table has no caption: add a line `{label}` followed by what the table shows "
                               "just before it (in HTML, a <caption> inside the table)", options["missing_caption"])


def check_duplicate_id(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Links and labels reach the first element with an id; a second one is unreachable."""
    content = html.content_range(page, document)
    heading_ids = {heading["id"] for heading in page.headings}
    for value, elements in document.ids().items():
        if len(elements) > 1:
            from_content = [e for e in elements if e.offset in content]
            hint = ("" if not from_content else "; a heading's id comes from its words: reword it"
                    if value in heading_ids else "; change the id written in the page's HTML")
            yield Issue((from_content or elements)[0], f'the id "{value}" is used {len(elements)} times '
                                                       f"on the page{hint}")


def check_landmarks(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Landmarks are how screen reader users move around a page; alike ones need telling apart."""
    mains = document.all("main")
    if len(mains) != 1:
        yield Issue(None, f"the page has {len(mains)} <main> elements; it must have exactly one")
    for tag in ("header", "footer", "nav"):
        landmarks = [e for e in document.all(tag) if tag == "nav" or not any(
            a.tag in SECTIONING for a in e.ancestors())]
        names = [accessible_name(document, e) for e in landmarks]
        counts = Counter(names)
        for element, name in zip(landmarks, names):
            if len(landmarks) > 1 and (not name or counts[name] > 1):
                yield Issue(element, f"the page has {len(landmarks)} <{tag}> landmarks; give each a different "
                                     "aria-label or aria-labelledby" + (f" (this one is “{name}”)" if name else ""))


def accessible_name(document: Document, element: Element) -> str:
    """An element's aria-label, or the text of the elements its aria-labelledby names."""
    if element.attrs.get("aria-label", "").strip():
        return html.squash(element.attrs["aria-label"])
    ids = document.ids()
    labels = [ids[i][0].text for i in element.attrs.get("aria-labelledby", "").split() if i in ids]
    return html.squash(" ".join(labels))


def translation_alts(page: Page) -> set[str]:
    """The alt texts of the images in the page's translation, compared without case or punctuation."""
    if page.counterpart is None:
        return set()
    found = set()
    for token in page.counterpart.tokens:
        for child in token.children or ():
            if child.type == "image" and bare(child.attrGet("alt") or ""):
                found.add(bare(child.attrGet("alt")))
    return found


def is_decorative(image: Element, options: dict) -> bool:
    """The writer marked the image as decoration (title), or a template did (role)."""
    return (bare(image.attrs.get("title", "")) in bare_set(options["decorative_titles"])
            or image.attrs.get("role") in ("presentation", "none"))


def bare(text: str) -> str:
    """Words only: lower case, single spaces, no punctuation or quotes around them."""
    return html.squash(text).lower().strip(EDGE_PUNCTUATION)


def bare_set(phrases: list[str]) -> frozenset[str]:
    """A configured word list compared the way `bare` compares text (made once per list, not per link)."""
    return _bare_set(tuple(phrases))


@functools.lru_cache(maxsize=16)
def _bare_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(bare(phrase) for phrase in phrases)


def stem(src: str) -> str:
    """The file name of an image address without its extension: what careless alt text repeats."""
    return PurePosixPath(urlsplit(src).path).stem


PAGE_RULES: dict[str, Callable[[Document, Page, dict], Iterator[Issue]]] = {  # rule id -> its check
    "a11y.lang": check_lang,
    "a11y.h1": check_h1,
    "a11y.heading-order": check_heading_order,
    "a11y.image-alt": check_image_alt,
    "a11y.link-text": check_link_text,
    "a11y.table": check_table,
    "a11y.duplicate-id": check_duplicate_id,
    "a11y.landmarks": check_landmarks,
}
