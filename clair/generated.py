"""Stage 3, render: every file the build makes that no Markdown file holds, assembled in one place.

The language splash, the 404 pages (the site root's, in both languages, and each language's), the
glossary pages, the search pages, the one-page view of each publication, the sitemap and robots.txt.
The pages among them are `GeneratedPage`s (clair/model.py), made by the module that knows them
(glossary.py, search.py, onepage.py); one check here refuses a Markdown page that takes the address
of any of them.
"""
from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePosixPath

from .glossary import glossary_pages
from .model import LANGUAGES, OTHER_LANGUAGE, ContentError, ContentErrors, GeneratedPage, Site, alternates
from .onepage import render_whole_publications
from .search import render_search_pages


def render_generated_files(renderer, chapters: dict | None = None, unrendered: Collection = (),
                           sitemap: bool = True) -> dict[PurePosixPath, str]:
    """Every file that is not a content page (`chapters`: pages already rewritten for their one-page view); the
    one-page views of the publications in `unrendered` are left empty (a check that knows their links), and
    without `sitemap` so is the sitemap (a check on the theme's templates: no check reads it)."""
    site = renderer.site
    generated = [*glossary_pages(renderer), *render_search_pages(renderer),
                 *render_whole_publications(renderer, chapters, unrendered)]
    refuse_clashes(site, generated)
    both = {"t_en": renderer.translator("en"), "t_fr": renderer.translator("fr")}
    files = {PurePosixPath("index.html"): renderer.template("splash.html").render(site_titles=site.config.title,
                                                                                  **both),
             PurePosixPath("404.html"): renderer.template("404-root.html").render(**both)}
    for lang in LANGUAGES:
        home = renderer.homes[lang]
        files[PurePosixPath(lang, "404.html")] = renderer.template("404.html").render(
            **renderer.common_context(lang), home_url=home.url if home else f"/{lang}/",
            toggle_url=f"/{OTHER_LANGUAGE[lang]}/404.html")
    files.update({page.output_path: page.output for page in generated})
    base_url = site.config.base_url.rstrip("/")
    files[PurePosixPath("sitemap.xml")] = renderer.template("sitemap.xml").render(
        pages=sorted([*site.pages, *generated], key=lambda p: p.url), base_url=base_url,
        alternates=alternates) if sitemap else ""
    files[PurePosixPath("robots.txt")] = (f"User-agent: *\nAllow: /\n"
                                          f"Sitemap: {site.config.urls.absolute_url('/sitemap.xml')}\n")
    return files


def refuse_clashes(site: Site, generated: list[GeneratedPage]) -> None:
    """A Markdown page may not take a generated page's address (the generated page would replace it)."""
    taken = site.by_url()
    errors = [ContentError(taken[page.url].source, taken[page.url].meta_lines.get("slug"),
                           f"this page's address {page.url} is the address of {page.kind}; "
                           "give the page another `slug` or file name")
              for page in generated if page.url in taken]
    if errors:
        raise ContentErrors(errors)
