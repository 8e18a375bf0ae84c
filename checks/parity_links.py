"""Check stage, `parity.links`: links stay in the page's language, and both versions link to the same outside pages.

Rule `parity.links` (default: severity error; `url_pairs`, see below).

- A link of an English page that leads into the French site (`/fr/...`, by absolute or relative
  address, or the site's own full address), or of a French page into `/en/`, is an error: readers
  expect to stay in their language. When the switch is deliberate, say so with the link title
  `lang:fr` (or `lang:en`), the language of the page the link leads to:
  `[Version française](/fr/vision/ "lang:fr")`.
- Both versions must link to the same outside addresses (http, https, mailto...). Many sites have
  an English and a French address for the same page; `url_pairs` lists them as
  `[English prefix, French prefix]`: a link of the English page to `English prefix` + rest is
  matched by a French link to `French prefix` + rest. A pair of two full addresses matches one
  page. Default: `[["https://www.canada.ca/en/", "https://www.canada.ca/fr/"]]`; setting
  `url_pairs` in site.yaml replaces the whole list. A trailing `/` does not count.
"""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Page, Site

from .parity_common import corresponding_line, inline_children, pair_finding, pairs
from .settings import Settings, rule, text_pairs

RULES = (rule("parity.links", "error",
              url_pairs=text_pairs([["https://www.canada.ca/en/", "https://www.canada.ca/fr/"]])),)


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Language switches on every page, then outside links pair by pair."""
    base = urlsplit(site.config.base_url)
    for page in site.pages:
        yield from language_switches(settings, page, base)
    for english, french in pairs(site):
        url_pairs = [(en.rstrip("/"), fr.rstrip("/"))
                     for en, fr in settings.options(english, "parity.links")["url_pairs"]]
        en_links, fr_links = outside_links(english, base), outside_links(french, base)
        en_as_french = {translate(url, url_pairs) for url in en_links}
        for url, line in en_links.items():
            if translate(url, url_pairs) not in fr_links:
                yield missing_link(settings, english, french, url, line)
        for url, line in fr_links.items():
            if url not in en_as_french:
                yield missing_link(settings, french, english, url, line)


def links(page: Page) -> Iterator[tuple[str, str, int]]:
    """(href, title, line) of every link of the page."""
    for line, child in inline_children(page):
        if child.type == "link_open":
            yield str(child.attrGet("href") or ""), str(child.attrGet("title") or ""), line


def language_switches(settings: Settings, page: Page, base) -> Iterator[Finding | None]:
    """Links into the other language's site that are not marked with the title `lang:xx`."""
    other = OTHER_LANGUAGE[page.lang]
    for href, title, line in links(page):
        target = urlsplit(urljoin(f"{base.scheme}://{base.netloc}{page.url}", href))
        crosses = target.netloc == base.netloc and (target.path + "/").startswith(f"/{other}/")
        if crosses and title.strip().lower() != f"lang:{other}":
            yield settings.finding(
                page, "parity.links", line,
                f"this {LANGUAGE_NAMES[page.lang]} page links to the {LANGUAGE_NAMES[other]} page {target.path}; "
                f"link to the {LANGUAGE_NAMES[page.lang]} version, or, if the change of language is deliberate, "
                f"give the link the title `lang:{other}`: [text]({href} \"lang:{other}\")")


def outside_links(page: Page, base) -> dict[str, int]:
    """Every address (without trailing slash) the page links to outside the site, with its first line."""
    found: dict[str, int] = {}
    for href, _, line in links(page):
        parts = urlsplit(href)
        if parts.scheme and parts.netloc != base.netloc:
            found.setdefault(href.rstrip("/"), line)
    return found


def translate(url: str, url_pairs: list[tuple[str, str]]) -> str:
    """The French address that matches an English one (itself when no pair applies)."""
    for english, french in url_pairs:
        if url == english or url.startswith(english + "/"):
            return french + url[len(english):]
    return url


def missing_link(settings: Settings, page: Page, other: Page, url: str, line: int) -> Finding | None:
    """An outside link only one version has."""
    return pair_finding(settings, page, other, "parity.links", line, corresponding_line(page, line, other),
                        f"the {LANGUAGE_NAMES[page.lang]} links to {url} but the {LANGUAGE_NAMES[other.lang]} "
                        "does not; both versions must link to the same outside pages (the other language's "
                        "address of the same page counts when it is listed in `url_pairs`)")
