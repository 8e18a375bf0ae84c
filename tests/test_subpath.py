"""Sub-path publishing (clair/urls.py): a site whose `base_url` has a path (`https://example.org/some/path/`, as on
GitHub Pages or a department's server) gets every address of every built file under that path, and its checks
read those addresses back. The sample publication is built under the path and at the host's root: the two differ
by their addresses alone. A small site covers what the sample lacks (pictures, files, raw HTML, links typed as
addresses). The browser side is tests/test_subpath_browser.py.
"""
from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from conftest import minimal_pages, page, write_tree

from clair.config import Config, load_config
from clair.model import ContentError
from clair.pipeline import build_site
from clair.project import DEFAULT_TEMPLATES, Project
from clair.urls import SiteUrls, publish, unpublish

ROOT = Path(__file__).resolve().parent.parent
SUBPATH = "https://example.org/some/path/"
ADDRESS = re.compile(r'\s(href|src|action|data-index)="([^"]*)"')
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


def sample_config(folder: Path, base_url: str) -> Path:
    """The sample's site.yaml with another base_url, in `folder`, with the sample's data/ beside it."""
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    config = folder / "site.yaml"
    config.write_text(re.sub(r"(?m)^base_url:.*$", f"base_url: {base_url}", text), encoding="utf-8")
    shutil.copytree(ROOT / "data", folder / "data")
    return config


@dataclass
class Built:
    """What a test reads of a build, with a short repr: a Site's walks every page's translation, parent and children,
    far too long (minutes) for a failing assertion's report."""

    site: object = field(repr=False)
    files: dict = field(repr=False)
    findings: list

    @classmethod
    def of(cls, result) -> Built:
        return cls(result.site, result.files, [f"{f.file}:{f.line}: {f.severity}: {f.message} [{f.check}]"
                                               for f in result.findings])


def build_sample(folder: Path, base_url: str) -> Built:
    return Built.of(build_site(Project(ROOT / "content", sample_config(folder, base_url)), run_checks=True))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample built under the path, and at the root of the same host."""
    under = build_sample(tmp_path_factory.mktemp("under-path"), SUBPATH)
    at_root = build_sample(tmp_path_factory.mktemp("at-root"), "https://example.org/")
    return under, at_root


def text(content) -> str:
    return content.decode("utf-8") if isinstance(content, bytes) else content


def addresses(files) -> list[tuple[PurePosixPath, str, str]]:
    """(file, attribute, address) of every address in every built HTML file."""
    return [(path, name, value) for path, content in sorted(files.items()) if path.suffix == ".html"
            for name, value in ADDRESS.findall(text(content))]


# ----------------------------------------------------------------------------- the addresses

def test_site_paths_become_published_addresses():
    urls = SiteUrls(SUBPATH)
    assert urls.base_path == "/some/path/"
    assert urls.url("/en/plan/") == "/some/path/en/plan/"
    assert urls.absolute_url("/en/plan/") == "https://example.org/some/path/en/plan/"
    assert [urls.url(a) for a in ("#top", "plan/", "../x.csv", "https://other.example/", "//cdn.example/x.js",
                                  "mailto:a@example.org")] == ["#top", "plan/", "../x.csv", "https://other.example/",
                                                               "//cdn.example/x.js", "mailto:a@example.org"]
    assert urls.site_path("/some/path/en/plan/") == "/en/plan/"
    assert urls.site_path("/some/path") == "/"
    assert urls.site_path("/en/plan/") is None  # another site on the same host
    assert SiteUrls("https://example.org/some/path").base_path == "/some/path/"  # no trailing slash: the same


def test_at_the_root_every_address_is_the_site_path():
    urls = SiteUrls("https://publications.example.ca")
    assert urls.url("/en/plan/") == "/en/plan/" and urls.site_path("/en/plan/") == "/en/plan/"
    assert urls.absolute_url("/en/") == "https://publications.example.ca/en/"
    assert publish("/en/", "/") == "/en/" and unpublish("/some/path/en/", "/") == "/some/path/en/"


def test_a_base_url_path_with_dot_segments_is_refused(tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text("base_url: https://example.org/a/../b/\n", encoding="utf-8")
    with pytest.raises(ContentError, match="must be the web address the site is published at"):
        load_config(config)
    config.write_text("base_url: https://example.org/plan\n", encoding="utf-8")
    assert load_config(config).urls.base_path == "/plan/"
    assert Config().urls.base_path == "/"


# ----------------------------------------------------------------------------- the sample under a path

def test_the_sample_under_a_path_builds_with_no_findings(sample):
    under, _ = sample
    assert under.findings == []


def test_every_address_of_the_sample_is_under_the_path(sample):
    under, _ = sample
    found = addresses(under.files)
    assert len(found) > 1000
    wrong = [(str(path), name, value) for path, name, value in found
             if not (value.startswith(("/some/path/", "#", SUBPATH)) or re.match(r"https?://(?!example\.org)", value))]
    assert wrong == []


def test_the_sample_under_a_path_differs_from_the_root_by_its_addresses_alone(sample):
    """Every built file, the pages, 404 pages, splash, sitemap, one-page views and report included: the root
    build with each address moved under the path is the build under the path, byte for byte."""
    under, at_root = sample
    assert set(under.files) == set(at_root.files)

    def moved(content) -> str:
        content = text(content).replace("https://example.org/", SUBPATH)
        return re.sub(r'(\s(?:href|src|action|data-index)=")/(?!/)', r"\1/some/path/", content)

    differing = [str(path) for path in sorted(under.files) if path.suffix in (".html", ".xml", ".txt")
                 and text(under.files[path]) != moved(at_root.files[path])]
    assert differing == []
    assert under.files[PurePosixPath("en/im-it-hr-plan/annex-1/im-it-hr-annex-1.csv")] == \
        at_root.files[PurePosixPath("en/im-it-hr-plan/annex-1/im-it-hr-annex-1.csv")]


def test_canonical_hreflang_sitemap_and_robots_are_absolute_with_the_path(sample):
    under, _ = sample
    for site_page in under.site.pages:
        html = text(under.files[site_page.output_path])
        assert f'<link rel="canonical" href="{SUBPATH}{site_page.url[1:]}">' in html
        for hreflang in re.findall(r'<link rel="alternate" hreflang="[^"]+" href="([^"]+)">', html):
            assert hreflang.startswith(SUBPATH)
    sitemap = text(under.files[PurePosixPath("sitemap.xml")])
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap) + re.findall(r'xhtml:link [^>]*href="([^"]+)"', sitemap)
    assert locations and all(location.startswith(SUBPATH) for location in locations)
    assert f"Sitemap: {SUBPATH}sitemap.xml" in text(under.files[PurePosixPath("robots.txt")])


def test_the_404_pages_the_search_and_the_downloads_are_under_the_path(sample):
    under, _ = sample
    root_404 = text(under.files[PurePosixPath("404.html")])
    assert 'href="/some/path/assets/style.css"' in root_404 and 'href="/some/path/fr/"' in root_404
    assert 'href="/some/path/fr/404.html"' in text(under.files[PurePosixPath("en/404.html")])  # its language toggle
    search = text(under.files[PurePosixPath("fr/recherche/index.html")])
    assert 'data-index="/some/path/pagefind/pagefind.js"' in search
    assert 'src="/some/path/assets/search.js"' in search and 'action="/some/path/fr/recherche/"' in search
    annex = text(under.files[PurePosixPath("en/im-it-hr-plan/annex-1/index.html")])
    assert 'href="/some/path/en/im-it-hr-plan/annex-1/im-it-hr-annex-1.csv" download' in annex


# ----------------------------------------------------------------------------- Markdown, pictures, files, raw HTML

WRITTEN = {
    **minimal_pages(),
    "en/plan/_index.md": page("Our plan", """
        Read [the goals](goals.md), [the goals again](/en/plan/goals/#what-comes-next),
        [the home page](../) and [the chart](chart.png "the file").

        ![A bar chart of the results](chart.png)

        <a href="/en/plan/goals/">Raw goals</a>
        """),
    "fr/plan/_index.md": page("Notre plan", """
        Lisez [les objectifs](goals.md), [les objectifs encore](/fr/plan/goals/#la-suite),
        [l'accueil](../) et [le graphique](chart.png "le fichier").

        ![Un graphique à barres des résultats](chart.png)

        <a href="/fr/plan/goals/">Objectifs</a>
        """),
    "en/plan/goals.md": page("Our goals", "## What comes next\n\nWe will report every year.\n"),
    "fr/plan/goals.md": page("Nos objectifs", "## La suite\n\nNous ferons rapport chaque année.\n"),
}


def written_project(root: Path, pages: dict = WRITTEN) -> Project:
    """A small site under the path, with a picture beside its plan pages, that allows raw HTML."""
    content, config = write_tree(root, pages, f"base_url: {SUBPATH}\ntitle: {{en: Test, fr: Essai}}\n"
                                              "updated: 2026-11-24\nallow_raw_html: true\n")
    for lang in ("en", "fr"):
        (content / lang / "plan" / "chart.png").write_bytes(PNG)
    return Project(content, config)


def written_site(root: Path, pages: dict) -> Built:
    return Built.of(build_site(written_project(root, pages), run_checks=True, keep_tokens=True))


def test_addresses_writers_type_start_at_the_site_root(tmp_path):
    """`/en/plan/goals/` in Markdown or raw HTML, a `.md` link, a picture and a file: published under the path,
    while the page's tokens keep what the writer meant (the checks read them)."""
    result = written_site(tmp_path, WRITTEN)
    assert [f for f in result.findings if ": error: " in f] == []
    plan = next(p for p in result.site.pages if p.url == "/en/plan/")
    body = text(plan.html)
    for address in ('href="/some/path/en/plan/goals/#what-comes-next"', 'href="../"',
                    'href="/some/path/media/en/plan/chart.png"', 'src="/some/path/media/en/plan/chart.png"'):
        assert address in body
    assert body.count('href="/some/path/en/plan/goals/"') == 2  # the .md link and the raw HTML one
    hrefs = [c.attrGet("href") for t in plan.tokens for c in t.children or () if c.type == "link_open"]
    assert "/en/plan/goals/" in hrefs and not any(h.startswith("/some/") for h in hrefs)
    assert PurePosixPath("media/en/plan/chart.png") in result.files


def test_a_writers_broken_address_is_reported_as_written_at_its_line(tmp_path):
    pages = {**WRITTEN, "en/plan/goals.md": page("Our goals", """
        ## What comes next

        See [nowhere](/en/nowhere/) and [the plan](/some/path/en/plan/).
        """)}
    result = written_site(tmp_path, pages)
    found = sorted((f for f in result.findings if "links.internal" in f), key=lambda f: "nowhere" not in f)
    assert len(found) == 2, found
    nowhere, doubled = found
    assert nowhere.startswith(f"{tmp_path}/content/en/plan/goals.md:7: ")
    assert "`/en/nowhere/` leads to nothing this site builds" in nowhere
    assert "`/some/path/en/plan/`" in doubled and "clair adds /some/path/ itself" in doubled
    assert "write /en/plan/" in doubled


def test_a_template_address_without_the_url_filter_is_an_error(tmp_path):
    """The failing fixture: a theme whose site-title link skips `url` leads outside the path on every page."""
    templates = tmp_path / "theme"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("""href="{{ ('/%s/' % lang) | url }}\"""",
                                                             'href="/{{ lang }}/"'), encoding="utf-8")
    content, config = write_tree(tmp_path, minimal_pages(), f"base_url: {SUBPATH}\n")
    result = Built.of(build_site(Project(content, config, templates), run_checks=True))
    found = [f for f in result.findings if "links.internal" in f]
    assert found and all("the site is published under /some/path/" in f for f in found)
    assert "{{ '/en/' | url }}" in found[0]


def test_a_relative_address_on_a_404_page_is_an_error(tmp_path):
    templates = tmp_path / "theme"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    page_404 = templates / "404.html"
    page_404.write_text(page_404.read_text(encoding="utf-8").replace("{{ home_url | url }}", "../"), encoding="utf-8")
    content, config = write_tree(tmp_path, minimal_pages())
    result = Built.of(build_site(Project(content, config, templates), run_checks=True))
    found = sorted(f for f in result.findings if "links.internal" in f)
    assert [f.split(":")[0] for f in found] == ["en/404.html", "fr/404.html"]
    assert all("is relative, but a 404 page is shown at any address" in f for f in found)


def test_a_full_address_on_the_same_host_outside_the_path_is_another_site(tmp_path):
    pages = {**WRITTEN, "en/plan/goals.md": page("Our goals", """
        ## What comes next

        See [the department](https://example.org/department/) and [our goals](https://example.org/some/path/en/nope/).
        """)}
    result = written_site(tmp_path, pages)
    found = [f for f in result.findings if "links.internal" in f]
    assert len(found) == 1 and "https://example.org/some/path/en/nope/" in found[0]


def test_a_link_into_the_other_language_is_found_under_the_path_too(tmp_path):
    pages = {**WRITTEN, "en/plan/goals.md": page("Our goals", """
        ## What comes next

        See [the French](https://example.org/some/path/fr/plan/goals/) and [again](/fr/plan/).
        """)}
    result = written_site(tmp_path, pages)
    found = [f for f in result.findings if "parity.links" in f and "links to the French page" in f]
    assert len(found) == 2, found


# ----------------------------------------------------------------------------- the preview

def test_the_preview_serves_a_site_under_its_path_and_at_the_root(tmp_path):
    from clair.serve import Preview
    from clair.serve_build import Builder

    content, config = write_tree(tmp_path, WRITTEN, f"base_url: {SUBPATH}\n")
    preview = Preview(Builder(Project.from_options(content, config)), port=0, out=None)
    preview.start_server()
    try:
        preview.build()

        def get(path: str) -> tuple[int, str]:
            request = urllib.request.Request(f"http://127.0.0.1:{preview.port}{path}")
            opener = urllib.request.build_opener(NoRedirect)
            try:
                with opener.open(request, timeout=10) as response:
                    return response.status, response.headers.get("Location") or ""
            except urllib.error.HTTPError as error:
                return error.code, error.headers.get("Location") or ""

        assert get("/some/path/en/plan/")[0] == 200
        assert get("/some/path/assets/style.css")[0] == 200
        assert get("/en/plan/")[0] == 200
        assert get("/some/path/en/plan") == (301, "/some/path/en/plan/")
        assert get("/some/path/en/nowhere/")[0] == 404
    finally:
        preview.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
