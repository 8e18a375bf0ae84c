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
- `a11y.link-text` (error): every link has text that says where it goes: not empty, not a bare
  web address, not a phrase from `generic` ("click here", « en savoir plus »). Case, spaces and
  punctuation around the words are ignored.
- `a11y.table` (error): every table has a header row (`<thead>` with a non-empty `<th>`) and a
  `<caption>`. In Markdown the caption is a paragraph `Table: what it shows` (French
  `Tableau : ce qu'il montre`) just before the table.
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

from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from . import html
from .html import Document, Element
from .settings import choice, rule, texts

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
    rule("a11y.table", "error"),
    rule("a11y.duplicate-id", "error"),
    rule("a11y.landmarks", "error"),
)

LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
FILE_NAME = re.compile(r"[\w.-]+\.(png|jpe?g|gif|svg|webp|avif|bmp|tiff?|ico)", re.IGNORECASE)
BARE_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
EDGE_PUNCTUATION = " \t\n\xa0\u202f.,;:!?…«»\"'“”‘’()[]-–—>"
SECTIONING = ("article", "aside", "main", "nav", "section")  # a header or footer inside one is no landmark


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
    """Screen reader users list a page's links out of context; each must say where it goes."""
    for link in document.all("a"):
        if "href" not in link.attrs:
            continue
        name = link.attrs.get("aria-label") or link.text
        words = bare(name)
        if not words:
            yield Issue(link, f"the link to {link.attrs['href']} has no text: write words that say where it goes")
        elif BARE_URL.fullmatch(words) or words == bare(link.attrs["href"]):
            yield Issue(link, f"the link text “{html.squash(name)}” is a web address: write words that say "
                              "where it goes, as [name of the page](address)")
        elif words in bare_set(options["generic"]):
            yield Issue(link, f"the link text “{html.squash(name)}” does not say where the link goes: "
                              "use the name of the page or of what it offers")


def check_table(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Headers and a caption let screen reader users know what a table holds before reading it.

    Linear: one pass over the headers and captions, each marking the tables around it (not one pass over
    the page per table)."""
    label = "Tableau : " if page.lang == "fr" else "Table: "
    with_header, with_caption = set(), set()
    for element in document.all("th", "caption"):
        around = element.ancestors()
        if element.tag == "th" and any(a.tag == "thead" for a in around) and html.squash(element.text):
            with_header.update(a for a in around if a.tag == "table")
        elif element.tag == "caption" and html.squash(element.text):
            with_caption.update(a for a in around if a.tag == "table")
    for table in document.all("table"):
        if table not in with_header:
            yield Issue(table, "the table has no header row: put the column names in its first row")
        if table not in with_caption:
            yield Issue(table, f"the table has no caption: add a line `{label}what the table shows` "
                               "just before it")


def check_duplicate_id(document: Document, page: Page, options: dict) -> Iterator[Issue]:
    """Links and labels reach the first element with an id; a second one is unreachable."""
    content = html.content_range(page, document)
    for value, elements in document.ids().items():
        if len(elements) > 1:
            from_content = [e for e in elements if e.offset in content]
            hint = "; a heading's id comes from its words: reword it" if from_content else ""
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
