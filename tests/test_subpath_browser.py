"""In a real Chromium: the sample publication built with `base_url: https://example.org/some/path/` and served only
under /some/path/, as on a GitHub Pages project site (any other address answers 404; an address under the path
that leads nowhere gets the site's 404.html, as GitHub Pages and Netlify do).

Every page of both languages is opened from the splash page on, following links: each must load, with every
style sheet, script, picture and download it loads; every link on it must lead to a page or file that loads
(and to an id on it, for a `#part`); the language toggle must land on the same page in the other language; a
search typed in the box must find pages that load; the 404 page, shown deep in the site, must keep its style
and its links. tests/test_subpath.py checks the built files themselves.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from clair.browser import QuietHandler, serve
from clair.pipeline import build_site, publish
from clair.project import Project
from test_subpath import ROOT, SUBPATH, sample_config, written_project

pytestmark = pytest.mark.browser

BASE_PATH = urlsplit(SUBPATH).path
DONE = "() => ['done', 'error'].includes(document.getElementById('search-status').dataset.state)"
PAGE_FACTS = """() => ({
  lang: document.documentElement.lang,
  links: [...document.querySelectorAll('a[href]')].map(a => a.href)
         .concat([...document.querySelectorAll('form[action]')].map(f => f.action)),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  toggle: (document.querySelector('a.language-toggle') || {}).href || null,
  alternates: Object.fromEntries([...document.querySelectorAll('link[rel=alternate][hreflang]')]
                                  .map(l => [l.hreflang, new URL(l.href).pathname])),
})"""


class PagesHandler(QuietHandler):
    """Like GitHub Pages: an address under the site's path that leads nowhere gets the site's 404.html (status 404)."""

    def send_error(self, code, message=None, explain=None):
        missing = Path(self.directory) / "404.html"
        if code != 404 or not urlsplit(self.path).path.startswith(self.base_path) or not missing.is_file():
            return super().send_error(code, message, explain)
        body = missing.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The sample built under the path and written like `build` does (the search index included): its folder."""
    folder = tmp_path_factory.mktemp("subpath-browser")
    result = build_site(Project(ROOT / "content", sample_config(folder, SUBPATH)), run_checks=True)
    assert [f"{f.file}:{f.line}: {f.message}" for f in result.findings if f.severity == "error"] == []
    publish(result, folder / "site")
    return folder / "site"


@pytest.fixture(scope="module")
def served(published):
    """The address of the site's root on a local server that serves it under /some/path/ only."""
    with serve(published, BASE_PATH, PagesHandler) as root:
        yield root + "/"


@dataclass
class Visit:
    lang: str
    links: list[str]
    ids: set[str]
    toggle: str | None
    alternates: dict[str, str]


@dataclass
class Crawl:
    pages: dict[str, Visit] = field(default_factory=dict, repr=False)  # page address (no #part) -> what it holds
    files: dict[str, int] = field(default_factory=dict, repr=False)  # a file links lead to (CSV...) -> its status
    problems: list[str] = field(default_factory=list)
    links_followed: int = 0  # links on pages, every one of them (the same menu on every page counts each time)
    loaded: set[str] = field(default_factory=set, repr=False)  # every resource the pages loaded by themselves


def watch(page, crawl: Crawl, where: list[str]) -> None:
    """Every resource the page loads must load; every console error is a problem (a blocked or missing file)."""
    def on_response(response) -> None:
        if response.url not in where and not response.url.endswith("/favicon.ico"):
            crawl.loaded.add(response.url)
            if response.status >= 400:
                crawl.problems.append(f"{where[-1]}: {response.url} answered {response.status}")

    page.on("response", on_response)
    page.on("requestfailed", lambda request: crawl.problems.append(f"{where[-1]}: {request.url} failed"))
    def on_console(message) -> None:
        own_status = message.location.get("url") == where[-1] and message.text.startswith("Failed to load resource")
        if message.type == "error" and not own_status and not message.location.get("url", "").endswith("/favicon.ico"):
            crawl.problems.append(f"{where[-1]}: console: {message.text}")  # a page's own status is checked apart

    page.on("console", on_console)
    page.on("pageerror", lambda error: crawl.problems.append(f"{where[-1]}: script error: {error}"))


def is_page(address: str) -> bool:
    return address.endswith("/") or address.endswith(".html")


async def crawl_site(browser, start: str, also: tuple[str, ...] = ()) -> Crawl:
    """Open `start` (and the pages `also` names, which no link leads to), then every page their links and forms lead
    to on the same server, and fetch every other file they lead to; a link to another host is a problem."""
    crawl, where = Crawl(), [start]
    context = await browser.new_context()
    page = await context.new_page()
    watch(page, crawl, where)
    queue = [start, *(start + path for path in also)]
    queued = set(queue)
    origin = f"{urlsplit(start).scheme}://{urlsplit(start).netloc}"
    try:
        while queue:
            address = queue.pop(0)
            where.append(address)
            response = await page.goto(address, wait_until="load")
            if response is None or response.status != 200:
                crawl.problems.append(f"{address} answered {response.status if response else 'nothing'}")
                continue
            facts = await page.evaluate(PAGE_FACTS)
            crawl.pages[address] = Visit(facts["lang"], facts["links"], set(facts["ids"]), facts["toggle"],
                                         facts["alternates"])
            for link in facts["links"]:
                crawl.links_followed += 1
                target = urldefrag(link).url
                if not target.startswith(origin):
                    crawl.problems.append(f"{address}: a link to another host, {link}")
                elif is_page(target) and target not in queued:
                    queued.add(target)
                    queue.append(target)
                elif not is_page(target) and target not in crawl.files:
                    crawl.files[target] = (await context.request.get(target)).status
    finally:
        await context.close()
    return crawl


NOT_LINKED = ("404.html", "en/404.html", "fr/404.html")  # shown for addresses that lead nowhere


@pytest.fixture(scope="module")
def crawl(chromium, served):
    return chromium.run(crawl_site(chromium.browser, served, NOT_LINKED))


def test_the_server_answers_only_under_the_path(served):
    root = served.removesuffix(BASE_PATH)
    for address, status in ((served + "en/", 200), (root + "/en/", 404), (root + "/assets/style.css", 404)):
        try:
            with urllib.request.urlopen(address, timeout=10) as response:
                found = response.status
        except urllib.error.HTTPError as error:
            found = error.code
        assert found == status, address


def test_every_page_loads_with_everything_it_loads(crawl, published):
    assert crawl.problems == []
    built = {p for p in published.rglob("*.html") if "report" not in p.parts}
    assert len(crawl.pages) == len(built)  # every page of both languages was reached from the splash page
    assert all(urlsplit(address).path.startswith(BASE_PATH) for address in [*crawl.pages, *crawl.loaded])
    assert any(address.endswith("/assets/style.css") for address in crawl.loaded)
    print(f"\n{len(crawl.pages)} pages, {crawl.links_followed} links followed "
          f"({len(crawl.pages) + len(crawl.files)} addresses), {len(crawl.loaded)} resources loaded")


def test_every_link_leads_to_something_that_loads(crawl):
    nowhere = [f"{page}: {link}" for page, visit in crawl.pages.items() for link in visit.links
               if urldefrag(link).url not in crawl.pages and crawl.files.get(urldefrag(link).url) != 200]
    assert nowhere == []
    assert any(address.endswith(".csv") for address in crawl.files)  # the matrices' downloads


def test_every_part_a_link_names_is_on_the_page_it_leads_to(crawl):
    missing = []
    for page, visit in crawl.pages.items():
        for link in visit.links:
            target, part = urldefrag(link)
            if part and target in crawl.pages and part not in crawl.pages[target].ids:
                missing.append(f"{page}: {link}")
    assert missing == []


def test_the_language_toggle_lands_on_the_same_page_in_the_other_language(crawl):
    wrong = []
    for address, visit in crawl.pages.items():
        if visit.toggle is None:
            continue
        other = "fr" if visit.lang == "en" else "en"
        landing = crawl.pages.get(visit.toggle)
        if landing is None or landing.lang != other:
            wrong.append(f"{address}: the toggle leads to {visit.toggle}, not a page in {other}")
        elif other in visit.alternates and urlsplit(visit.toggle).path != visit.alternates[other]:
            wrong.append(f"{address}: the toggle leads to {visit.toggle}, not to {visit.alternates[other]}")
    assert wrong == []
    bilingual = {urlsplit(address).path for address, visit in crawl.pages.items() if visit.toggle is None}
    assert bilingual == {BASE_PATH, BASE_PATH + "404.html"}  # the splash and the root's 404 page: no toggle


async def search(browser, start: str, query: str) -> tuple[list[str], list[str], dict | None]:
    """Type `query` in the search page's box and press Enter; then open the first page found.
    (problems, the addresses found, what the first page found holds)."""
    crawl, where = Crawl(), [start]
    context = await browser.new_context()
    try:
        page = await context.new_page()
        watch(page, crawl, where)
        await page.goto(start)
        await page.fill("#search-query", query)
        await page.press("#search-query", "Enter")
        await page.wait_for_function(DONE)
        found = await page.eval_on_selector_all("#search-results a", "els => els.map(a => a.href)")
        first = None
        if found:
            await page.click("#search-results a")
            await page.wait_for_load_state("load")
            first = {"address": page.url, "lang": await page.evaluate("document.documentElement.lang"),
                     "title": await page.title()}
        return crawl.problems, found, first
    finally:
        await context.close()


@pytest.mark.parametrize("lang, start, query", [("en", "en/search/", "service"),
                                                ("fr", "fr/recherche/", "fonction publique")])
def test_a_search_finds_pages_that_load(chromium, served, lang, start, query):
    problems, found, first = chromium.run(search(chromium.browser, served + start, query))
    assert problems == []
    assert found and all(urlsplit(address).path.startswith(f"{BASE_PATH}{lang}/") for address in found), found
    assert first is not None and first["address"] == found[0] and first["lang"] == lang
    assert not first["title"].startswith(("We couldn't", "Nous ne pouvons"))  # not the 404 page


async def open_missing(browser, address: str) -> tuple[int | None, list[str], list[str]]:
    crawl, where = Crawl(), [address]
    context = await browser.new_context()
    try:
        page = await context.new_page()
        watch(page, crawl, where)
        response = await page.goto(address, wait_until="load")
        links = await page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        styled = await page.evaluate("getComputedStyle(document.querySelector('.button')).display")
        return response.status if response else None, crawl.problems + ([] if styled == "inline-block" else
                                                                      ["the 404 page is not styled"]), links
    finally:
        await context.close()


def test_the_404_page_deep_in_the_site_keeps_its_style_and_its_links(chromium, served, crawl):
    status, problems, links = chromium.run(open_missing(chromium.browser, served + "en/no/such/page/"))
    assert status == 404 and problems == []
    assert links and all(link in crawl.pages for link in links)


def test_pictures_files_and_raw_html_of_a_small_site_load_under_the_path(chromium, tmp_path):
    """What the sample lacks: a picture, a linked file and raw HTML links, typed from the site's root or relative."""
    result = build_site(written_project(tmp_path), run_checks=True)
    publish(result, tmp_path / "site")
    with serve(tmp_path / "site", BASE_PATH, PagesHandler) as root:
        crawl = chromium.run(crawl_site(chromium.browser, root + "/"))
    assert crawl.problems == []
    assert any(address.endswith("/some/path/media/en/plan/chart.png") for address in crawl.loaded)  # the picture
    assert crawl.files.get(root + "/media/fr/plan/chart.png") == 200  # the file the French page links to
