"""Render stage: the whole publication on one page, `<publication>/all/` (French `<publication>/tout/`).

Every page of a publication, in reading order, as chapters of one HTML page, for printing, saving
as PDF from the browser, or reading offline. Each chapter is a `<section>` whose heading (the page's
title, the page's h1) is an h2; the page's own headings move one level down (h2 -> h3 ...; h6 stays
h6), so the outline never skips a level. Every id in a chapter gets the chapter's prefix
(`ch-vision--our-goal`) and every reference to an id (`#fragment`, `for`, `headers`,
`aria-labelledby` ...) follows, so ids stay unique; links to pages of the publication become links
to their chapters; relative addresses become addresses from the site's root, published under its
base path (the view lives at another address; clair/urls.py).

The rewriting works on the HTML the build itself rendered (markdown-it, the sanitiser and our
templates: quoted attributes, escaped text), tag by tag, and changes nothing else.
"""
from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from markupsafe import Markup

from .model import GeneratedPage, Page, built_text, reading_order
from .urls import SiteUrls

SLUG = {"en": "all", "fr": "tout"}
MIN_PAGES = 2  # a publication of one page is already on one page
ID_REFERENCES = ("for", "headers", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns",
                 "aria-details", "aria-errormessage", "aria-activedescendant", "aria-flowto", "list", "form")
ADDRESSES = ("href", "src", "cite", "poster", "data")
REWRITTEN = frozenset(("id", *ID_REFERENCES, *ADDRESSES))  # the attributes a chapter rewrites
HEADING = re.compile(r"[hH][1-6]")
# The tags a chapter may change: headings, and tags with attributes (a closing one is matched to be passed over
# whole). Tags without either (`<p>`, `</li>`), most of a page, are not matched at all: they hold no `<` where a
# tag could start, so skipping them changes nothing else. A name is followed by a space, `/` or `>` in both
# cases, so it is always matched whole.
TAG = re.compile(r"<(/?)([hH][1-6](?=[\s/>])|[a-zA-Z][a-zA-Z0-9-]*(?=\s+[^\s=<>/\"']))"
                 r"((?:\s+[^\s=<>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?)*)(\s*/?)>")
ATTR = re.compile(r"(\s+)([^\s=<>/\"']+)(?:(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?")


@dataclass
class Chapter:
    id: str
    title: str
    page: Page
    html: Markup


def is_publication(page: Page) -> bool:
    """A section directly under a language's home page."""
    return page.is_section and page.parent is not None and page.parent.is_home


def whole_publication_url(page: Page) -> str | None:
    """The one-page view's address, when `page` is a publication landing page that has one."""
    if not is_publication(page) or len(reading_order(page)) < MIN_PAGES:
        return None
    return f"{page.url}{SLUG[page.lang]}/"


def render_whole_publications(renderer, chapters: dict[Page, bytes] | None = None,
                              unrendered: Collection[Page] = ()) -> list[GeneratedPage]:
    """One view per publication and language, each paired with its translation's view.

    `chapters` may hold pages already rewritten as chapters (`chapter_html`, done where they were rendered). The
    views of the publications in `unrendered` are made without their text (a check that knows their links)."""
    views: dict[Page, GeneratedPage] = {}
    for publication in renderer.site.pages:
        url = whole_publication_url(publication)
        if url:
            t = renderer.translator(publication.lang)
            views[publication] = GeneratedPage(url, publication.lang,
                                               t("whole_publication_title", title=publication.title),
                                               publication.meta["description"],
                                               "the whole publication on one page")
    for publication, view in views.items():
        view.counterpart = views.get(publication.counterpart)
    for publication, view in views.items():
        if publication in unrendered:
            continue
        parts = chapters_of(publication, renderer.site.config.base_url, chapters or {})
        modified = max(modified_date(c.page, renderer.site.config.updated) for c in parts)
        view.output = renderer.template("onepage.html").render(
            **renderer.generated_context(view, [*publication.ancestors(), publication], modified),
            publication=publication, chapters=parts)
    return list(views.values())


def modified_date(page: Page, default):
    return page.meta.get("modified") or page.meta.get("date") or default


def chapters_of(publication: Page, base_url: str = "", rewritten: dict[Page, bytes] | None = None) -> list[Chapter]:
    """The publication's pages in reading order, each rewritten to live inside the one page
    (`rewritten`: pages already rewritten where they were rendered, as UTF-8)."""
    ids = chapter_ids(publication)
    return [Chapter(ids[page.url], page.title, page, Markup(
                built_text(rewritten[page]) if rewritten and page in rewritten else chapter_html(page, ids, base_url)))
            for page in reading_order(publication)]


def chapter_ids(publication: Page) -> dict[str, str]:
    """The chapter id of each page of a publication, by page address."""
    ids: dict[str, str] = {}
    taken: set[str] = set()  # grows with `ids`: a publication of n pages asks n times
    for page in reading_order(publication):
        ids[page.url] = unique(chapter_id(publication, page), taken)
        taken.add(ids[page.url])
    return ids


def chapter_html(page: Page, ids: dict[str, str], base_url: str) -> str:
    """One page's body as a chapter of its publication's view (`ids`: chapter_ids of that publication)."""
    return rewrite(page.html, ids[page.url], page.url, ids, SiteUrls(base_url))


def chapter_id(publication: Page, page: Page) -> str:
    """`ch-` and the page's address below the publication (`ch-pillars-serve`); the landing page's
    is the publication's own last address segment."""
    below = page.url[len(publication.url):].strip("/") if page.url.startswith(publication.url) else ""
    name = below or publication.url.strip("/").rsplit("/", 1)[-1]
    return "ch-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name.replace("/", "-")).strip("-")


def unique(candidate: str, taken: set[str]) -> str:
    value, number = candidate, 2
    while value in taken:
        value, number = f"{candidate}-{number}", number + 1
    return value


def rewrite(text: str, chapter: str, page_url: str, chapters: dict[str, str], urls: SiteUrls = SiteUrls("")) -> str:
    """One page's body HTML as a chapter: headings one level down, ids prefixed, links to chapters. The page's
    addresses are published ones (`urls`), except relative ones, which are relative to its site path `page_url`."""
    def prefixed(value: str) -> str:
        return f"{chapter}--{value}"

    def address(value: str) -> str:
        parts = urlsplit(value)
        if value.startswith("#"):
            return "#" + prefixed(parts.fragment) if parts.fragment else value
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc.lower() != urls.host):
            return value  # another host, mailto:, tel:, data:
        path = parts.path
        if path.startswith("/") or parts.netloc:
            site_path = urls.site_path(path or "/")  # None: another site on this host
        else:  # relative to the page's own address, which is not this one
            ending = "/" if path.endswith("/") or not path else ""
            site_path = posixpath.normpath(posixpath.join(page_url, path)) + ending
            path = urls.url(site_path)
        if site_path is not None and not site_path.endswith("/"):
            site_path += "/"
        target = None if parts.query or site_path is None else chapters.get(site_path)
        if target is not None:  # a page of this publication: its chapter on this page
            return f"#{target}--{parts.fragment}" if parts.fragment else f"#{target}"
        return value if parts.netloc else urlunsplit(("", "", path, parts.query, parts.fragment))

    def attribute(match: re.Match) -> str:
        space, name, equals, quoted = match.groups()
        key = name.lower()
        if quoted is None or key not in REWRITTEN:
            return match.group(0)
        quote = quoted[0] if quoted[0] in "\"'" else ""
        value = html.unescape(quoted[1:-1] if quote else quoted)
        if key == "id":
            value = prefixed(value)
        elif key in ID_REFERENCES:
            value = " ".join(prefixed(v) for v in value.split())
        else:
            value = address(value.strip())
        return f'{space}{name}="{html.escape(value, quote=True)}"'

    def tag(match: re.Match) -> str:
        closing, name, attrs, end = match.groups()
        if HEADING.fullmatch(name):
            name = f"h{min(6, int(name[1]) + 1)}"
        if not closing and attrs:
            attrs = ATTR.sub(attribute, attrs)
        return f"<{closing}{name}{attrs}{end}>"

    return TAG.sub(tag, text)
