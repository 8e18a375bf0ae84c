"""Check stage, `parity.links`: links stay in the page's language, and both versions link to the same outside pages.

Rule `parity.links` (default: severity error; `url_pairs`, `extra_url_pairs`, see below).

- A link of an English page that leads into the French site (`/fr/...`, by absolute or relative
  address, or the site's own full address), or of a French page into `/en/`, is an error: readers
  expect to stay in their language. When the switch is deliberate, say so with the link title
  `lang:fr` (or `lang:en`), the language of the page the link leads to:
  `[Version française](/fr/vision/ "lang:fr")`.
- Both versions must link to the same outside pages (http, https, mailto...); the same page in the
  other language is the same page. On real Government of Canada sites most links only one version
  seemed to have were such pairs, so a link's language is left out before comparing:
  - `url_pairs`: `[English prefix, French prefix]` of hosts or folders holding one site in both
    languages (`digital.canada.ca` and `numerique.canada.ca`, `www.canada.ca/en/` and
    `www.canada.ca/fr/`, `www.ontario.ca/` and `www.ontario.ca/fr/`). Default: GC_URL_PAIRS below;
    setting `url_pairs` replaces that list, `extra_url_pairs` adds to it. A pair of two full
    addresses names one page.
  - in any address: a path segment `/en/` or `/fr/` (`/eng/`, `/fra/`), a file name ending `-eng`
    or `-fra` (`-en`, `.fr`, `_e`...), a `lang=` value (`?lang=fra`; the address without it is the
    same page), a host starting `en.` or `fr.`; and `http`/`https`, `www.`, a trailing `/`, the `#part`.
  Many sites translate the rest of the address too (canada.ca/en/jobs.html, canada.ca/fr/emplois.html):
  links into the same site (the same host, once pairs are applied) match when both versions have as
  many of them, one for one in order, otherwise at about the same place in the text (within
  MAX_DRIFT of the page). A link still left is an error naming the other version's line: where it
  has the address as text but not as a link (`[text] (address)`), or where the link should be. When
  the French links to another site at that place instead, it is one finding on the French at the
  severity of `replaced` (default warning), naming both addresses: add the pair to
  `extra_url_pairs` if it is the French version of the same page.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Page, Site
from clair.urls import SiteUrls

from .parity_common import corresponding_line, end_line, inline_children, pair_finding, pairs
from .raw_html import per_parse
from .settings import Settings, choice, rule, text_pairs

GC_URL_PAIRS = [  # hosts and folders known to hold the same site in English and French
    ["https://www.canada.ca/en/", "https://www.canada.ca/fr/"],
    ["https://www.ontario.ca/", "https://www.ontario.ca/fr/"],  # /page/x is /fr/page/y: paired by place
    ["https://digital.canada.ca/", "https://numerique.canada.ca/"],
    ["https://open.canada.ca/", "https://ouvert.canada.ca/"],
    ["https://blog.canada.ca/", "https://blogue.canada.ca/"],
    ["https://design.canada.ca/", "https://conception.canada.ca/"],
    ["https://design-system.canada.ca/", "https://systeme-design.canada.ca/"],
    ["https://design-system.alpha.canada.ca/", "https://systeme-design.alpha.canada.ca/"],
    ["https://notification.canada.ca/", "https://notification.canada.ca/"],  # one host, translated addresses
    ["https://canadabuys.canada.ca/", "https://achatscanada.canada.ca/"],
    ["https://buyandsell.gc.ca/", "https://achatsetventes.gc.ca/"],
    ["https://www.nrcan.gc.ca/", "https://www.rncan.gc.ca/"],
    ["https://www.getcybersafe.gc.ca/", "https://www.pensezcybersecurite.gc.ca/"],
    ["https://www.pre.ethics.gc.ca/", "https://www.ger.ethique.gc.ca/"],
    ["https://women-gender-equality.canada.ca/", "https://femmes-egalite-genres.canada.ca/"],
]

RULES = (rule("parity.links", "error", url_pairs=text_pairs(GC_URL_PAIRS), extra_url_pairs=text_pairs([]),
              replaced=choice("warning")),)

LANGUAGE_SEGMENT = re.compile(r"(?:^|(?<=/))(?:en|eng|fr|fra)(?:/|$|(?=\.\w+$))", re.IGNORECASE)
LANGUAGE_SUFFIX = re.compile(r"(?:[-_.](?:eng|fra|en|fr)|_[ef])(?=\.\w+$|$)", re.IGNORECASE)
LANGUAGE_HOST = re.compile(r"^(?:en|fr)\.", re.IGNORECASE)
LANGUAGE_VALUES = {"en", "eng", "english", "fr", "fra", "fre", "french", "en-ca", "fr-ca", "en_ca", "fr_ca"}
# an address in the text that is not a link: not right after `](`, `<`, `="` or `]: ` (links, raw HTML, references)
TEXT_ADDRESS = re.compile(r"""(?<!\]\()(?<!<)(?<!=")(?<!\]: )\b(?:https?://|mailto:)[^\s<>()\[\]"'`]+""")
MAX_DRIFT = 0.1  # how far (share of the page's lines) two translated links may sit from the same place


class Link(NamedTuple):
    """An outside link: its address as written, its language-free form, and where it is."""

    url: str
    key: str  # the address with its language left out: the same for both versions of a page
    area: str | None  # the host it leads to, French hosts of pairs made English; None for mailto: and tel:
    line: int


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Language switches on every page, then outside links pair by pair."""
    base = urlsplit(site.config.base_url)
    for page in site.pages:
        yield from language_switches(settings, page, site.config.urls)
    for english, french in pairs(site):
        options = settings.options(english, "parity.links")
        prefixes = prefix_pairs(options["url_pairs"] + options["extra_url_pairs"])
        own = language_free(site.config.base_url, prefixes)[0] if base.netloc else None
        en_left, fr_left = unmatched(english, outside_links(english, prefixes, own),
                                     french, outside_links(french, prefixes, own))
        for en_link, fr_link in take_nearest(english, en_left, french, fr_left, same_area=False):
            yield replaced_link(settings, french, english, fr_link, en_link)
        for page, other, left in ((english, french, en_left), (french, english, fr_left)):
            as_text = text_addresses(other, prefixes) if left else []
            for link in first_of_each(left):
                yield missing_link(settings, page, other, link, as_text)


def first_of_each(left: list[Link]) -> list[Link]:
    """One link per language-free address: a missing link is reported once, at its first line."""
    first: dict[str, Link] = {}
    for link in left:
        first.setdefault(link.key, link)
    return list(first.values())


@per_parse
def links(page: Page) -> tuple[tuple[str, str, int], ...]:
    """(href, title, line) of every link of the page, read once per parse: the language switches and the outside
    links both go through them."""
    return tuple((str(child.attrGet("href") or ""), str(child.attrGet("title") or ""), line)
                 for line, child in inline_children(page) if child.type == "link_open")


def language_switches(settings: Settings, page: Page, urls: SiteUrls) -> Iterator[Finding | None]:
    """Links into the other language's site that are not marked with the title `lang:xx`. Links hold site paths
    (`/fr/x/`), full addresses the published ones (clair/urls.py)."""
    other = OTHER_LANGUAGE[page.lang]
    for href, title, line in links(page):
        target = urlsplit(urljoin(urls.origin + page.url, href))
        path = (urls.site_path(target.path) or "") if urlsplit(href).netloc else target.path
        crosses = target.netloc == urlsplit(urls.origin).netloc and (path + "/").startswith(f"/{other}/")
        if crosses and title.strip().lower() != f"lang:{other}":
            yield settings.finding(
                page, "parity.links", line,
                f"this {LANGUAGE_NAMES[page.lang]} page links to the {LANGUAGE_NAMES[other]} page {target.path}; "
                f"link to the {LANGUAGE_NAMES[page.lang]} version, or, if the change of language is deliberate, "
                f"give the link the title `lang:{other}`: [text]({href} \"lang:{other}\")")


def prefix_pairs(url_pairs: list[list[str]]) -> list[tuple[str, str]]:
    """The configured pairs as bare prefixes (no scheme, no `www.`, no trailing `/`), longest French first,
    so `www.ontario.ca/fr` is tried before `www.ontario.ca`."""
    bare = [(bare_address(english), bare_address(french)) for english, french in url_pairs]
    return sorted(bare, key=lambda pair: -len(pair[1]))


def bare_address(url: str) -> str:
    """Host and the rest of an address, without scheme, `www.`, `#part` or trailing `/`: how links are compared
    (a section's name is often translated too: #context, #contexte)."""
    address = url.strip().partition("#")[0]
    parts = urlsplit(address)
    host = parts.netloc.lower().removeprefix("www.")
    rest = address[len(f"{parts.scheme}://{parts.netloc}"):] if parts.netloc else ""
    return (host + rest).rstrip("/")


def outside_links(page: Page, prefixes: list[tuple[str, str]], own: str | None) -> list[Link]:
    """Every link of the page to another site; links to this site (in either of its languages: its host, or
    the other side of its host's pair) are not outside links."""
    found = []
    for href, _, line in links(page):
        parts = urlsplit(href)
        if not parts.scheme or parts.scheme in ("javascript", "data") or "{{" in href or "{%" in href:
            continue  # on this site, or not an address (a script, or a template filling it in)
        if not parts.netloc:  # mailto:, tel:
            found.append(Link(href, href.lower(), None, line))
            continue
        key, area = language_free(href, prefixes)
        if own is None or not (key + "/").startswith(own + "/"):
            found.append(Link(href, key, area, line))
    return found


def language_free(url: str, prefixes: list[tuple[str, str]]) -> tuple[str, str]:
    """An address with its language left out, and the host it leads to: the French prefix of a pair becomes
    its English one, then language markers in the host, path, file name and query are dropped."""
    address = bare_address(url)
    for english, french in prefixes:
        side = next((side for side in (french, english) if address == side or address.startswith(side + "/")
                     or address.startswith(side + "?")), None)
        if side is not None:
            address = english + address[len(side):]
            break
    key = unmark(address)
    return key, urlsplit(f"//{key}").netloc


def unmark(address: str) -> str:
    """The address without language markers: `en.` hosts, `/en/` segments, `-eng` file names, `lang=en`."""
    path, _, query = address.partition("?")
    host, _, path = path.partition("/")
    path = LANGUAGE_SUFFIX.sub("", LANGUAGE_SEGMENT.sub("", path))
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True)
            if value.lower() not in LANGUAGE_VALUES]
    return f"{LANGUAGE_HOST.sub('', host)}/{path}".rstrip("/") + (f"?{urlencode(kept)}" if kept else "")


def unmatched(english: Page, en_links: list[Link], french: Page, fr_links: list[Link]) -> tuple[list, list]:
    """The links of each version whose page the other version does not link to. The same language-free
    address is the same link; so is a link into the same site with a translated address
    (canada.ca/fr/emplois.html): when both versions have as many of those, one for one in order,
    otherwise the nearest at about the same place in the text."""
    en_left, fr_left = copies_left(en_links, fr_links), copies_left(fr_links, en_links)
    for area in {link.area for link in en_left} - {None}:
        en_area, fr_area = ([link for link in left if link.area == area] for left in (en_left, fr_left))
        if len(en_area) == len(fr_area):
            en_left[:] = [link for link in en_left if link not in en_area]
            fr_left[:] = [link for link in fr_left if link not in fr_area]
    take_nearest(english, en_left, french, fr_left, same_area=True)
    return never_matched(en_left, en_links, fr_links), never_matched(fr_left, fr_links, en_links)


def never_matched(left: list[Link], page_links: list[Link], other_links: list[Link]) -> list[Link]:
    """The links left whose address the other version never links to, and that no other copy of on this page
    was matched to: one page linked three times in the English and four in the French is no missing link."""
    matched = {link.key for link in page_links if link not in left} | {link.key for link in other_links}
    return [link for link in left if link.key not in matched]


def copies_left(page_links: list[Link], other_links: list[Link]) -> list[Link]:
    """The links left once each is paired with one of the same language-free address in the other version:
    a second link to a page the other version links to once is left too, for a translated address to match."""
    counts = Counter(link.key for link in other_links)
    left = []
    for link in page_links:
        if counts[link.key]:
            counts[link.key] -= 1
        else:
            left.append(link)
    return left


def take_nearest(english: Page, en_left: list[Link], french: Page, fr_left: list[Link],
                 same_area: bool) -> list[tuple[Link, Link]]:
    """Pair the English and French links at about the same place (nearest first, each once; with `same_area`,
    only links into the same site) and take them out of the lists: the (English, French) pairs."""
    candidates = sorted(((drift(english, en_link, french, fr_link), en_link, fr_link)
                         for en_link in en_left for fr_link in fr_left
                         if not same_area or (en_link.area is not None and en_link.area == fr_link.area)),
                        key=lambda candidate: candidate[0])
    taken = []
    for distance, en_link, fr_link in candidates:
        if distance <= MAX_DRIFT and en_link in en_left and fr_link in fr_left:
            en_left.remove(en_link)
            fr_left.remove(fr_link)
            taken.append((en_link, fr_link))
    return taken


def drift(page: Page, link: Link, other: Page, other_link: Link) -> float:
    """How far apart two links sit, as a share of the other page's length (0: at the same place)."""
    expected = corresponding_line(page, link.line, other)
    return abs(other_link.line - expected) / max(1, end_line(other) - other.body_line)


def text_addresses(page: Page, prefixes: list[tuple[str, str]]) -> list[Link]:
    """Addresses written in the page's Markdown that are not links (`[text] (address)`, a bare address)."""
    found = []
    for match in TEXT_ADDRESS.finditer(page.body):
        url = match.group().rstrip(".,;:!?")
        key, area = language_free(url, prefixes) if urlsplit(url).netloc else (url.lower(), None)
        found.append(Link(url, key, area, page.body_line + page.body.count("\n", 0, match.start())))
    return found


def missing_link(settings: Settings, page: Page, other: Page, link: Link, as_text: list[Link]) -> Finding | None:
    """An outside link only one version has: the other version has the address as text, or nothing like it."""
    where = corresponding_line(page, link.line, other)
    language, other_language = LANGUAGE_NAMES[page.lang], LANGUAGE_NAMES[other.lang]
    written = [text for text in as_text if text.key == link.key or (
        text.area == link.area and drift(page, link, other, text) <= MAX_DRIFT)]
    if written:
        where = min(written, key=lambda text: abs(text.line - where)).line
        told = (f"the {other_language} has an address there (line {where}) but not as a link: write it as "
                "[text](address), with nothing between ] and (")
    else:
        told = (f"it has no link to the same page, near line {where} or elsewhere: add the link to the "
                f"{other_language}, or remove it from the {language}")
    return pair_finding(settings, page, other, "parity.links", link.line, where,
                        f"the {language} links to {link.url} but the {other_language} does not; {told}")


def replaced_link(settings: Settings, french: Page, english: Page, link: Link, english_link: Link) -> Finding:
    """The French links to another page where the English has its link: often a French version of it (at the
    severity of the option `replaced`)."""
    message = (f"the French links to {link.url} where the English links to {english_link.url} (line "
               f"{english_link.line}): if it is the French version of the same page, add the pair "
               f"[\"{english_link.url}\", \"{link.url}\"] to `extra_url_pairs` of `parity.links` in site.yaml; "
               "otherwise link both to the same page")
    return settings.finding(french, "parity.links", link.line, message,
                            severity=settings.options(french, "parity.links")["replaced"],
                            related_file=str(english.source), related_line=english_link.line)
