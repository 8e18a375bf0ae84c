"""The whole publication on one page: `<publication>/all/` and `<publication>/tout/`.

Structure (chapters in reading order, one h1, no skipped heading level, unique ids), links (to
chapters within the page, everything else still leading somewhere), both languages with their toggle,
hreflang and sitemap entries, the link from the landing page, the checks (no findings, nothing counted
twice), and the print stylesheet, in the CSS and (`-m browser`) as Chromium applies it.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest

from clair.checks import html as html_parser
from clair.checks.links import Targets, addresses
from clair.browser import serve
from clair.model import ContentError, ContentErrors, built_text
from clair.pipeline import build_site, publish
from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR, Project
from clair.model import reading_order
from conftest import page, write_tree

ROOT = Path(__file__).resolve().parent.parent

GUIDE = {
    "en/_index.md": page("Home", "Welcome to the site.\n"),
    "fr/_index.md": page("Accueil", "Bienvenue sur le site.\n"),
    "en/guide/_index.md": page("A guide", """
        Read [the first part](one.md) and [its details](one.md#the-details). Then read
        [the second part](two.md) and [the other guide](../other/_index.md).
        """, weight=1),
    "fr/guide/_index.md": page("Un guide", """
        Lisez [la première partie](one.md) et [ses détails](one.md#les-details). Lisez ensuite
        [la deuxième partie](two.md) et [l'autre guide](../other/_index.md).
        """, slug="un-guide", weight=1),
    "en/guide/one.md": page("The first part", """
        ## The details

        Some text with a note.[^1] Back to [the guide](_index.md) or [the top](#the-details).

        ### Smaller details

        Read [the rules](https://www.ontario.ca/page/rules) too.

        [^1]: A footnote.
        """, weight=1),
    "fr/guide/one.md": page("La première partie", """
        ## Les détails

        Un texte avec une note.[^1] Retour [au guide](_index.md) ou [en haut](#les-details).

        ### Détails plus fins

        Lisez aussi [les règles](https://www.ontario.ca/page/rules).

        [^1]: Une note.
        """, slug="premiere", weight=1),
    "en/guide/two.md": page("The second part", """
        ## The details

        The same heading as in the first part, so the same id.[^1]

        [^1]: Another footnote.
        """, weight=2),
    "fr/guide/two.md": page("La deuxième partie", """
        ## Les détails

        Le même titre que dans la première partie, donc le même identifiant.[^1]

        [^1]: Une autre note.
        """, slug="deuxieme", weight=2),
    "en/guide/deep/_index.md": page("Deeper", "## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\nText.\n",
                                    weight=3),
    "fr/guide/deep/_index.md": page("Plus loin", "## Deux\n\n### Trois\n\n#### Quatre\n\n##### Cinq\n\n###### Six\n\n"
                                                 "Texte.\n", slug="plus-loin", weight=3),
    "en/guide/deep/end.md": page("The end", "That is all.\n"),
    "fr/guide/deep/end.md": page("La fin", "C'est tout.\n", slug="fin"),
    "en/other/_index.md": page("Another guide", "A guide of one page.\n", weight=2),
    "fr/other/_index.md": page("Un autre guide", "Un guide d'une page.\n", slug="autre", weight=2),
}


class Built:
    """A build's files, findings and site, with a short repr (a Site's repr walks every page's
    translation, parent and children: far too long for a failing test's report)."""

    def __init__(self, result):
        self.files, self.findings, self.site, self.timings = result.files, result.findings, result.site, result.timings

    def __repr__(self) -> str:
        return f"<build of {len(self.site.pages)} pages>"


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    root = tmp_path_factory.mktemp("onepage")
    content, config = write_tree(root, GUIDE)
    return Built(build_site(Project(content, config), run_checks=True))


@pytest.fixture(scope="module")
def sample():
    return Built(build_site(Project(ROOT / "content", ROOT / "site.yaml"), run_checks=True))


def views(result) -> dict[str, str]:
    """The one-page views a build made: URL -> HTML."""
    return {"/" + str(path.parent) + "/": text for path, text in result.files.items()
            if path.name == "index.html" and path.parent.name in ("all", "tout")}


def main_of(text: str) -> str:
    return text.split("<main", 1)[1].split("</main>", 1)[0]


def headings(text: str) -> list[tuple[int, str, str]]:
    """(level, id, text) of every heading in <main>."""
    return [(int(level), ident, re.sub(r"<[^>]+>", "", inner).strip())
            for level, ident, inner in re.findall(r'<h([1-6])(?: id="([^"]*)")?[^>]*>(.*?)</h\1>', main_of(text), re.S)]


def publications(result):
    return [p for p in result.site.pages if p.is_section and p.parent is not None and p.parent.is_home]


# ----------------------------------------------------------------------------- structure

def test_a_view_per_publication_and_language(guide, sample):
    assert set(views(guide)) == {"/en/guide/all/", "/fr/un-guide/tout/"}  # "other" has only one page
    for result in (guide, sample):
        expected = {f"{p.url}{'all' if p.lang == 'en' else 'tout'}/" for p in publications(result)
                    if len(reading_order(p)) > 1}
        assert set(views(result)) == expected
        assert not expected & {p.url for p in result.site.pages}  # extra files, not pages
    assert len(views(sample)) >= 6


def test_chapters_follow_the_reading_order(guide, sample):
    for result in (guide, sample):
        for publication in publications(result):
            url = f"{publication.url}{'all' if publication.lang == 'en' else 'tout'}/"
            if url not in views(result):
                continue
            text = views(result)[url]
            chapters = re.findall(r'<section class="chapter">\s*<h2 id="([^"]+)">(.*?)</h2>', text, re.S)
            titles = [re.sub(r"<[^>]+>", "", t) for _, t in chapters]
            assert titles == [escape(p.title) for p in reading_order(publication)], url
            assert text.count('<section class="chapter">') == len(chapters)
            toc = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', text, re.S).group(1)
            assert re.findall(r'<a href="#([^"]+)">', toc) == [ident for ident, _ in chapters]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;").replace("<", "&lt;")


def test_titles_in_both_languages(guide):
    english, french = views(guide)["/en/guide/all/"], views(guide)["/fr/un-guide/tout/"]
    assert "<h1>A guide: whole publication</h1>" in english
    assert "<title>A guide: whole publication – Test site</title>" in english
    assert "<h1>Un guide\u00a0: publication complète</h1>" in french
    assert '<html lang="fr">' in french and "Table des matières" in french and "Contents" in english


def test_one_h1_and_no_skipped_heading_level(guide, sample):
    for result in (guide, sample):
        for url, text in views(result).items():
            levels = [level for level, _, _ in headings(text)]
            assert levels[0] == 1 and levels.count(1) == 1, url
            for before, after in zip(levels, levels[1:]):
                assert after <= before + 1, f"{url}: h{before} then h{after}"


def test_headings_move_one_level_down(guide):
    found = headings(views(guide)["/en/guide/all/"])
    assert (2, "ch-one", "The first part") in found
    assert (3, "ch-one--the-details", "The details") in found
    assert (4, "ch-one--smaller-details", "Smaller details") in found
    deep = [(level, text) for level, _, text in found if text in ("Deeper", "Two", "Three", "Four", "Five", "Six")]
    assert deep == [(2, "Deeper"), (3, "Two"), (4, "Three"), (5, "Four"), (6, "Five"), (6, "Six")]


def test_every_id_is_unique(guide, sample):
    for result in (guide, sample):
        for url, text in views(result).items():
            ids = html_parser.parse(text).ids()
            assert [i for i, elements in ids.items() if len(elements) > 1] == [], url
    ids = html_parser.parse(views(guide)["/en/guide/all/"]).ids()
    assert {"ch-one--the-details", "ch-two--the-details", "ch-one--fn1", "ch-two--fn1"} <= set(ids)


# ----------------------------------------------------------------------------- links

def test_links_to_pages_of_the_publication_lead_to_their_chapters(guide):
    english, french = views(guide)["/en/guide/all/"], views(guide)["/fr/un-guide/tout/"]
    assert '<a href="#ch-one">the first part</a>' in english
    assert '<a href="#ch-one--the-details">its details</a>' in english
    assert '<a href="#ch-two">the second part</a>' in english
    assert '<a href="#ch-guide">the guide</a>' in english  # the landing page is the first chapter
    assert '<a href="#ch-one--the-details">the top</a>' in english  # a link within the page
    assert '<a href="/en/other/">the other guide</a>' in english  # another publication: its address
    assert '<a href="https://www.ontario.ca/page/rules">the rules</a>' in english
    assert re.search(r'<a href="#ch-one--fn1" id="ch-one--fnref1"', english)
    assert '<a href="#ch-premiere--les-details">ses détails</a>' in french
    assert '<a href="/fr/autre/">l&#39;autre guide</a>' in french or "<a href=\"/fr/autre/\">l'autre guide</a>" in french


def test_every_link_resolves(guide, sample):
    for result in (guide, sample):
        targets = Targets(result.site.project, "example.ca", result.files, {})
        for url, text in views(result).items():
            document = html_parser.parse(text)
            ids = set(document.ids())
            base = PurePosixPath(url.strip("/")) / "index.html"
            for element, _, address in addresses(document):
                if address.startswith("#"):
                    assert address[1:] in ids, f"{url}: {address}"
                elif not urlsplit(address).netloc:
                    assert targets.resolve(base, urlsplit(address).path), f"{url}: {address}"
        # the build's own link checks read every built file, the views too: none has a finding
        paths = {str(PurePosixPath(u.strip("/")) / "index.html") for u in views(result)}
        assert [f for f in result.findings if f.file in paths] == []


def test_a_broken_link_is_reported_once_at_its_markdown_line(tmp_path):
    pages = {**GUIDE, "en/guide/two.md": GUIDE["en/guide/two.md"] + "\nSee [the plan](plan.md) and [nothing](/en/nothing/).\n"}
    content, config = write_tree(tmp_path, pages)
    result = build_site(Project(content, config), run_checks=True)
    broken = [(f.file.removeprefix(f"{tmp_path}/"), f.check) for f in result.findings if f.check == "links.internal"]
    assert broken == [("content/en/guide/two.md", "links.internal")] * 2


def test_the_checks_find_nothing_and_count_nothing_twice(guide, sample):
    assert [f for f in guide.findings if f.severity == "error"] == []
    for result in (guide, sample):
        sources = {str(p.source) for p in result.site.pages}
        assert set(result.site.scores) <= sources  # readability and parity figures: Markdown pages only
        assert not [f for f in result.findings if "/all/" in f.file or "/tout/" in f.file]


# ----------------------------------------------------------------------------- both languages

def test_toggle_hreflang_and_sitemap(guide):
    english, french = views(guide)["/en/guide/all/"], views(guide)["/fr/un-guide/tout/"]
    assert '<a class="language-toggle" href="/fr/un-guide/tout/" lang="fr" hreflang="fr">' in english
    assert '<a class="language-toggle" href="/en/guide/all/" lang="en" hreflang="en">' in french
    for text in (english, french):
        assert '<link rel="alternate" hreflang="en" href="https://example.ca/en/guide/all/">' in text
        assert '<link rel="alternate" hreflang="fr" href="https://example.ca/fr/un-guide/tout/">' in text
        assert '<link rel="alternate" hreflang="x-default" href="https://example.ca/en/guide/all/">' in text
    assert '<link rel="canonical" href="https://example.ca/fr/un-guide/tout/">' in french
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    sitemap = ET.fromstring(guide.files[PurePosixPath("sitemap.xml")])
    entries = {url.find("s:loc", ns).text: {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
               for url in sitemap.findall("s:url", ns)}
    assert entries["https://example.ca/fr/un-guide/tout/"] == {
        "en": "https://example.ca/en/guide/all/", "fr": "https://example.ca/fr/un-guide/tout/",
        "x-default": "https://example.ca/en/guide/all/"}
    assert "https://example.ca/en/guide/all/" in entries


def test_the_landing_page_links_to_the_view(guide):
    files = guide.files
    english = built_text(files[PurePosixPath("en/guide/index.html")])
    french = built_text(files[PurePosixPath("fr/un-guide/index.html")])
    assert '<p class="whole-publication"><a href="/en/guide/all/">Read the whole publication on one page</a></p>' \
        in english
    assert '<a href="/fr/un-guide/tout/">Lire toute la publication sur une seule page</a>' in french
    assert "whole-publication" not in built_text(files[PurePosixPath("en/other/index.html")])  # one page: no view
    assert "whole-publication" not in built_text(files[PurePosixPath("en/guide/deep/index.html")])  # not a publication


def test_a_page_at_the_view_address_is_refused(tmp_path):
    pages = {**GUIDE, "en/guide/everything.md": page("Everything", "All of it.\n", slug="all")}
    content, config = write_tree(tmp_path, pages)
    with pytest.raises((ContentError, ContentErrors)) as caught:
        build_site(Project(content, config), run_checks=False)
    assert "everything.md" in str(caught.value) and "/en/guide/all/" in str(caught.value)


# ----------------------------------------------------------------------------- print

def print_rules(css: str) -> str:
    """The text of every @media print block of a stylesheet."""
    blocks, start = [], 0
    while (start := css.find("@media print", start)) != -1:
        depth, index = 0, css.index("{", start)
        for index in range(index, len(css)):
            depth += {"{": 1, "}": -1}.get(css[index], 0)
            if depth == 0:
                break
        blocks.append(css[css.index("{", start) + 1:index])
        start = index
    return "\n".join(blocks)


def test_the_print_stylesheet_has_the_rules():
    css = re.sub(r"/\*.*?\*/", "", (TEMPLATES_DIR / "assets/style.css").read_text(encoding="utf-8"), flags=re.S)
    rules = print_rules(css)
    assert re.search(r"\.chapter\s*\{[^}]*break-before:\s*page", rules)
    hidden = " ".join(re.findall(r"([^{}]+)\{[^}]*display:\s*none", rules))
    for chrome in (".site-header", ".breadcrumbs", ".toc", ".pagination", ".site-search", ".search-form",
                   ".skip-link", ".site-footer"):
        assert chrome in hidden, chrome
    assert re.search(r'a:where\(\[href\]:not\(\[href\^="#"\]\)\)::after\s*\{\s*content:\s*" \(" attr\(href\) "\)"',
                     rules)
    assert re.search(r"main nav a::after\s*\{\s*content:\s*none", rules)
    assert re.search(r"body\s*\{[^}]*font-size:\s*1[12]pt", rules)


PRINTED = """() => {
  const style = (selector, pseudo) => { const el = document.querySelector(selector);
                                        return el ? getComputedStyle(el, pseudo || null) : null; };
  const shown = (selector) => [...document.querySelectorAll(selector)].some(e => getComputedStyle(e).display !== 'none');
  return {
    chrome: Object.fromEntries(['.site-header', '.site-search', '.breadcrumbs', '.toc', '.skip-link', '.site-footer']
                                 .map(s => [s, shown(s)])),
    chapterBreaks: [...document.querySelectorAll('.chapter')].map(e => getComputedStyle(e).breakBefore),
    external: style('main a[href^="https://www.ontario.ca"]', '::after').content,
    inPage: style('main .chapter a[href^="#"]', '::after').content,
    elsewhere: style('main a[href="/en/other/"]', '::after').content,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
  };
}"""


async def printed(browser, url: str) -> dict:
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.emulate_media(media="print")
        return await page.evaluate(PRINTED)
    finally:
        await context.close()


@pytest.mark.browser
def test_chromium_prints_chapters_on_new_pages_with_addresses_and_no_chrome(chromium, guide, tmp_path):
    out = tmp_path / "site"
    publish(guide, out, search_index=False)
    with serve(out) as base:
        result = chromium.run(printed(chromium.browser, base + "/en/guide/all/"))
    assert result["chrome"] == dict.fromkeys(result["chrome"], False), result
    assert result["chapterBreaks"] and set(result["chapterBreaks"]) == {"page"}, result
    assert result["external"] == '" (https://www.ontario.ca/page/rules)"', result
    assert result["elsewhere"] == '" (/en/other/)"', result
    assert result["inPage"] in ("none", "normal"), result
    assert result["fontSize"] >= 15.9, result  # 12pt
