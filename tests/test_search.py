"""Site search: the search pages and the header box in both languages, the Pagefind index built before
the swap (a failed index leaves the previous site), `check` and `--skip-checks` without Pagefind, and,
in a real Chromium (`-m browser`), queries in English and in French, with and without accents.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clair.checks import html as html_parser
from clair import audit, search
from clair.browser import AXE_RUN, serve
from clair.model import ContentError, ContentErrors
from clair.project import Project
from clair.pipeline import build_site, publish
from conftest import page, write_tree

ROOT = Path(__file__).resolve().parent.parent

TINY = {
    "en/_index.md": page("Home", "Welcome to the site.\n"),
    "fr/_index.md": page("Accueil", "Bienvenue sur le site.\n"),
    "en/plan/_index.md": page("Our plan", "This plan says what we will do next year.\n", weight=1),
    "fr/plan/_index.md": page("Notre plan", "Ce plan dit ce que nous ferons l'an prochain.\n", slug="notre-plan",
                              weight=1),
    "en/plan/success.md": page("Measuring success", "We will measure the success of each service with the "
                                                     "people who use it.\n", weight=1),
    "fr/plan/success.md": page("Mesurer la réussite", "Nous mesurerons la réussite de chaque service avec les "
                                                      "personnes qui l'utilisent.\n", slug="reussite", weight=1),
    "en/plan/people.md": page("Working with people", "We will ask people what they need.\n", weight=2),
    "fr/plan/people.md": page("Travailler avec les gens", "Nous demanderons aux gens ce dont ils ont besoin.\n",
                              slug="gens", weight=2),
}


def run_build(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Written:
    """(folder, site) with a short repr: a Site's repr walks every page's translation, parent and
    children, far too long for a failing test's report."""

    def __init__(self, folder: Path, site):
        self.folder, self.site = folder, site

    def __iter__(self):
        return iter((self.folder, self.site))

    def __repr__(self) -> str:
        return f"<site of {len(self.site.pages)} pages in {self.folder}>"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny bilingual site, built and written like `build` does: (folder, site)."""
    root = tmp_path_factory.mktemp("search")
    content, config = write_tree(root, TINY)
    result = build_site(Project(content, config), run_checks=True)
    errors = [f"{f.file}:{f.line}: {f.message}" for f in result.findings if f.severity == "error"]
    assert errors == []
    publish(result, root / "site")
    return Written(root / "site", result.site)


def read(site: Path, url: str) -> str:
    return (site / url.strip("/") / "index.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the pages

@pytest.mark.parametrize("lang, url, other", [("en", "/en/search/", "/fr/recherche/"),
                                              ("fr", "/fr/recherche/", "/en/search/")])
def test_a_search_page_per_language(tiny, lang, url, other):
    site, _ = tiny
    text = read(site, url)
    assert f'<html lang="{lang}">' in text
    assert re.search(rf'<form id="search-form" class="search-form" role="search" action="{url}" method="get">', text)
    label = re.search(r'<label for="([^"]+)">([^<]+)</label>', text.split("<main", 1)[1])
    assert label and label.group(2).strip()
    assert re.search(rf'<input type="search" id="{label.group(1)}" name="q"', text)
    assert '<a class="language-toggle" href="' + other in text
    assert f'hreflang="{"fr" if lang == "en" else "en"}" href="https://example.ca{other}"' in text
    status = re.search(r'<p id="search-status"[^>]*>', text, re.S).group(0)
    assert 'role="status"' in status and 'aria-live="polite"' in status
    assert 'data-index="/pagefind/pagefind.js"' in status
    if lang == "en":
        assert 'data-results-other="{count} results for “{query}”"' in status
        assert "Search needs JavaScript" in text
    else:
        assert 'data-results-other="{count} résultats pour «\u00a0{query}\u00a0»"' in status
        assert "La recherche a besoin de JavaScript" in text
    assert re.search(r"<noscript><p[^>]*>[^<]+<a href=\"/" + lang + '/">', text)
    assert '<script src="/assets/search.js" defer></script>' in text
    assert 'class="wrap site-search"' not in text  # the page's own form is the search form
    assert "data-pagefind-body" not in text


def csp_scripts(text: str) -> list[str]:
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    return next(d.split()[1:] for d in policy.split(";") if d.split()[0] == "script-src")


def test_only_the_search_pages_allow_webassembly_and_nothing_allows_inline_script(tiny):
    site, _ = tiny
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        scripts = csp_scripts(text)
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(scripts), path
        search_page = path.parent.name in ("search", "recherche")
        assert scripts == (["'self'", "'wasm-unsafe-eval'"] if search_page else ["'self'"]), path
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), path


def test_every_page_has_a_labelled_search_box_in_its_language(tiny):
    site, model = tiny
    for p in model.pages:
        text = read(site, p.url)
        form = re.search(r'<form class="wrap site-search" role="search" action="([^"]+)" method="get">(.*?)</form>',
                         text, re.S)
        assert form and form.group(1) == search.search_url(p.lang), p.url
        assert re.search(r'<label for="site-search-query">[^<]+</label>', form.group(2))
        assert '<input type="search" id="site-search-query" name="q"' in form.group(2)
        assert re.search(r'<button type="submit">[^<]+</button>', form.group(2))
    assert 'action="/fr/recherche/"' in (site / "fr/404.html").read_text(encoding="utf-8")


def test_only_the_main_of_content_pages_is_indexed(tiny):
    site, model = tiny
    indexed = {path.relative_to(site).as_posix() for path in site.rglob("*.html")
               if "data-pagefind-body" in path.read_text(encoding="utf-8")}
    assert indexed == {p.output_path.as_posix() for p in model.pages}
    for p in model.pages:
        document = html_parser.parse(read(site, p.url))
        assert [e.tag for e in document.elements if "data-pagefind-body" in e.attrs] == ["main"]


def test_the_index_has_an_english_and_a_french_part(tiny):
    site, model = tiny
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"en", "fr"}
    assert entry["languages"]["en"]["page_count"] == len(model.pages_in("en"))
    assert entry["languages"]["fr"]["page_count"] == len(model.pages_in("fr"))
    assert (site / "pagefind/pagefind.js").is_file()


def test_the_search_pages_are_in_the_sitemap_with_alternates(tiny):
    site, _ = tiny
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    entry = re.search(r"<url>\s*<loc>https://example.ca/fr/recherche/</loc>(.*?)</url>", sitemap, re.S)
    assert entry and 'hreflang="en" href="https://example.ca/en/search/"' in entry.group(1)


def test_the_index_is_the_same_on_every_build(tiny, tmp_path):
    site, _ = tiny
    content = site.parent / "content"
    result = build_site(Project(content, site.parent / "site.yaml"), run_checks=False)
    publish(result, tmp_path / "again")
    assert tree_hashes(site / "pagefind") == tree_hashes(tmp_path / "again" / "pagefind")


def test_a_page_at_the_search_address_is_refused(build):
    with pytest.raises((ContentError, ContentErrors)) as caught:
        build({"en/search.md": page("Search tips", "How to search.\n")})
    message = str(caught.value)
    assert "en/search.md" in message and "/en/search/" in message and "search page" in message


# ----------------------------------------------------------------------------- without Pagefind

def test_a_failed_index_leaves_the_previous_site(tmp_path):
    content, config = write_tree(tmp_path, TINY)
    out = tmp_path / "site"
    first = run_build("build", "--skip-checks", "--content", str(content), "--config", str(config), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = tree_hashes(out)
    (content / "en" / "plan" / "new.md").write_text(page("A new page", "Some new text.\n"), encoding="utf-8")
    failed = run_build("build", "--skip-checks", "--content", str(content), "--config", str(config),
                       "--out", str(out), env={search.PAGEFIND_ENV: "/bin/false"})  # Pagefind fails
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "the search index could not be built" in failed.stderr and "unchanged" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site", "site.yaml"]  # no leftovers


def test_check_and_the_quick_preview_do_not_need_pagefind(tmp_path):
    content, config = write_tree(tmp_path, TINY)
    missing = {search.PAGEFIND_ENV: str(tmp_path / "no-pagefind")}
    checked = run_build("check", "--content", str(content), "--config", str(config), env=missing)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    preview = run_build("build", "--skip-checks", "--content", str(content), "--config", str(config),
                        "--out", str(tmp_path / "preview"), env=missing)
    assert preview.returncode == 0, preview.stderr
    assert "Search is not indexed in this preview" in preview.stderr
    assert (tmp_path / "preview/en/search/index.html").is_file()
    assert not (tmp_path / "preview/pagefind").exists()
    full = run_build("build", "--content", str(content), "--config", str(config), "--out", str(tmp_path / "full"),
                     env=missing)
    assert full.returncode == 2 and "no Pagefind program" in full.stderr
    assert not (tmp_path / "full").exists()


# ----------------------------------------------------------------------------- in Chromium

DONE = "() => ['done', 'error'].includes(document.getElementById('search-status').dataset.state)"


@contextlib.asynccontextmanager
async def fresh_page(browser):
    """A page in a browser context of its own (no cookies or storage from another test), closed however it ends."""
    context = await browser.new_context()
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def open_search(browser, url: str, axe: bool = False) -> dict:
    """Open a search page (with ?q=), wait for the search to finish, and say what it shows."""
    async with fresh_page(browser) as page:
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        if axe:
            source, _ = audit.axe_source()
            await page.context.add_init_script(script=source)
        await page.goto(url)
        await page.wait_for_function(DONE)
        found = {
            "state": await page.get_attribute("#search-status", "data-state"),
            "status": (await page.text_content("#search-status")).strip(),
            "paths": await page.eval_on_selector_all("#search-results a", "els => els.map(a => new URL(a.href).pathname)"),
            "excerpts": await page.eval_on_selector_all("#search-results li p", "els => els.map(p => p.innerHTML)"),
            "title": await page.title(),
            "problems": problems,
        }
        if axe:
            found["violations"] = await page.evaluate(AXE_RUN, audit.AXE_OPTIONS)
        return found


@pytest.mark.browser
def test_an_english_query_finds_the_english_page_only(chromium, tiny):
    site, _ = tiny
    with serve(site) as base:
        found = chromium.run(open_search(chromium.browser, base + "/en/search/?q=success"))
    assert found["problems"] == []
    assert found["state"] == "done", found
    assert found["paths"] == ["/en/plan/success/"], found
    assert found["status"] == "1 result for “success”"
    assert found["title"].startswith("1 result for “success” – Search")
    assert "<mark>success</mark>" in found["excerpts"][0]


@pytest.mark.browser
@pytest.mark.parametrize("query", ["réussite", "reussite", "RÉUSSITE"])
def test_a_french_query_finds_the_french_page_with_or_without_accents(chromium, tiny, query):
    site, _ = tiny
    with serve(site) as base:
        found = chromium.run(open_search(chromium.browser, base + "/fr/recherche/?q=" + query))
    assert found["problems"] == [], found
    assert found["paths"] == ["/fr/notre-plan/reussite/"], found
    assert found["status"] == f"1 résultat pour «\u00a0{query}\u00a0»"


@pytest.mark.browser
def test_the_english_search_never_returns_french_pages(chromium, tiny):
    site, _ = tiny
    with serve(site) as base:
        french_word = chromium.run(open_search(chromium.browser, base + "/en/search/?q=réussite"))
        shared_word = chromium.run(open_search(chromium.browser, base + "/en/search/?q=service"))
        french_side = chromium.run(open_search(chromium.browser, base + "/fr/recherche/?q=service"))
    assert french_word["paths"] == [] and french_word["status"].startswith("No results for “réussite”")
    assert shared_word["paths"] == ["/en/plan/success/"]
    assert french_side["paths"] == ["/fr/notre-plan/reussite/"]


@pytest.mark.browser
def test_the_search_page_with_results_has_no_axe_violations(chromium, tiny):
    from test_browser import unavailable

    try:
        audit.axe_source()
    except audit.ToolMissing as err:
        unavailable(str(err))  # fails in CI, where axe-core must be installed; skips elsewhere
    site, _ = tiny
    with serve(site) as base:
        for url in ("/en/search/?q=people", "/fr/recherche/?q=gens", "/fr/recherche/?q=introuvable"):
            found = chromium.run(open_search(chromium.browser, base + url, axe=True))
            assert found["violations"] == [], (url, json.dumps(found["violations"], indent=1)[:3000])
            assert found["problems"] == []


async def keyboard_search(browser, base_url: str, start: str, words: str) -> dict:
    """From a content page, by keyboard only: Tab to the header's search box, type, press Enter; then
    search again from the search page's own box (which does not reload the page)."""
    async with fresh_page(browser) as page:
        await page.goto(base_url + start)
        for _ in range(10):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.id") == "site-search-query":
                break
        else:
            raise AssertionError("Tab never reached the search box")
        label = await page.evaluate("document.activeElement.labels[0].textContent")
        await page.keyboard.type(words)
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        await page.wait_for_function(DONE)
        first = {"path": await page.evaluate("location.pathname + location.search"),
                 "results": await page.eval_on_selector_all("#search-results a", "els => els.map(a => a.pathname)")}
        await page.focus("#search-query")
        await page.fill("#search-query", "people")
        await page.keyboard.press("Enter")
        await page.wait_for_function("() => location.search === '?q=people' && " + DONE[6:])
        second = {"focus": await page.evaluate("document.activeElement.id"),
                  "status": await page.text_content("#search-status"),
                  "results": await page.eval_on_selector_all("#search-results a", "els => els.map(a => a.pathname)")}
        return {"label": label, "first": first, "second": second}


@pytest.mark.browser
def test_searching_by_keyboard_from_any_page(chromium, tiny):
    site, _ = tiny
    with serve(site) as base:
        result = chromium.run(keyboard_search(chromium.browser, base, "/en/plan/", "measure"))
    assert result["label"] == "Search this site"
    assert result["first"] == {"path": "/en/search/?q=measure", "results": ["/en/plan/success/"]}, result
    assert result["second"]["focus"] == "search-query"  # the search page kept focus in its box
    assert result["second"]["results"] == ["/en/plan/people/", "/en/plan/success/"] or \
        sorted(result["second"]["results"]) == ["/en/plan/people/", "/en/plan/success/"], result
    assert "results for “people”" in result["second"]["status"]


@pytest.mark.browser
def test_the_sample_publication_is_found_in_french_with_and_without_accents(chromium, tmp_path_factory):
    result = build_site(Project(ROOT / "content", ROOT / "site.yaml"), run_checks=False)
    out = tmp_path_factory.mktemp("sample-search") / "site"
    publish(result, out)
    with serve(out) as base:
        accented = chromium.run(open_search(chromium.browser, base + "/fr/recherche/?q=réussite"))
        plain = chromium.run(open_search(chromium.browser, base + "/fr/recherche/?q=reussite"))
        english = chromium.run(open_search(chromium.browser, base + "/en/search/?q=success"))
    assert "/fr/fpo-avenir-2018/reussite/" in accented["paths"]
    assert plain["paths"] == accented["paths"]
    assert "/en/ops-future-2018/success/" in english["paths"]
    assert all(p.startswith("/en/") for p in english["paths"])
    assert all(p.startswith("/fr/") for p in accented["paths"])
