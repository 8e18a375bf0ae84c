"""End to end: build the sample publication with the real command and inspect the HTML."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_build(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "site"
    result = run_build("build", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def pages(site: Path):
    """The content pages of both languages (not the splash or the reviewer's report)."""
    return sorted(p for lang in ("en", "fr") for p in (site / lang).rglob("index.html"))


def url_of(site: Path, path: Path) -> str:
    return "/" + path.parent.relative_to(site).as_posix() + "/"


def attr(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    assert match, pattern
    return match.group(1)


def test_sample_has_both_languages_and_a_splash(built):
    english = [p for p in pages(built) if url_of(built, p).startswith("/en/")]
    french = [p for p in pages(built) if url_of(built, p).startswith("/fr/")]
    assert len(english) == len(french) >= 14
    splash = (built / "index.html").read_text()
    assert 'href="/en/"' in splash and 'href="/fr/"' in splash and 'lang="fr"' in splash
    assert (built / "en/404.html").exists() and (built / "fr/404.html").exists()
    assert "Sitemap: https://" in (built / "robots.txt").read_text()


def test_every_toggle_lands_on_the_counterpart(built):
    for path in pages(built):
        html = path.read_text()
        lang = attr(html, r'<html lang="(\w+)">')
        assert url_of(built, path).startswith(f"/{lang}/")
        target = attr(html, r'<a class="language-toggle" href="([^"]+)" lang="(?:en|fr)"')
        target_file = built / target.strip("/") / "index.html"
        assert target_file.exists(), f"{path}: toggle to {target}"
        back = attr(target_file.read_text(), r'<a class="language-toggle" href="([^"]+)"')
        assert back == url_of(built, path), f"{path}: toggle is not symmetric"
        assert attr(target_file.read_text(), r'<html lang="(\w+)">') != lang


def test_hreflang_pairs_are_symmetric(built):
    for path in pages(built):
        html = path.read_text()
        alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="https://[^/]+([^"]+)">', html))
        assert set(alternates) == {"en", "fr", "x-default"}, path
        assert url_of(built, path) in (alternates["en"], alternates["fr"])
        other = built / alternates["fr" if "/en/" in url_of(built, path) else "en"].strip("/") / "index.html"
        other_alternates = dict(re.findall(r'hreflang="([\w-]+)" href="https://[^/]+([^"]+)"', other.read_text()))
        assert other_alternates == alternates


def test_french_pages_use_french_typography_and_slugs(built):
    pillar = (built / "fr/fpo-avenir-2018/piliers/servir/index.html").read_text()
    assert "Passer au contenu principal" in pillar and "Vous avez dit" in pillar
    assert "Date de modification\u00a0:" in pillar
    path_forward = (built / "fr/fpo-avenir-2018/voie-a-suivre/index.html").read_text()
    assert ">«\u00a0Passer à l'action\u00a0»</a>." in path_forward  # the appendix's name, linked to it
    for path in pages(built):
        if "/fr/" in str(path):
            main = path.read_text().split("<main", 1)[1]
            assert not re.search(r"\w [:;!?»]|« ", main), f"{path}: a breaking space where French needs a non-breaking one"


def test_home_lists_the_four_archived_publications_without_invented_dates(built):
    """No source gives an exact publication date, so the sample sets none (the year is in each description);
    Babel's dates, `1er` included, are tested in test_render.py."""
    for lang, archived in (("en", ">Archived</span>"), ("fr", ">Archivée</span>")):
        home = (built / lang / "index.html").read_text()
        assert home.count("<h3>") == home.count(archived) == 4
        assert "Published" not in home and "Publié" not in home


def test_sitemap_lists_every_page_with_alternates(built):
    tree = ET.parse(built / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = tree.findall("s:url", ns)
    assert len(urls) == len(pages(built))
    for url in urls:
        assert {link.get("hreflang") for link in url.findall("x:link", ns)} == {"en", "fr", "x-default"}


def test_pages_load_nothing_from_other_hosts(built):
    for path in built.rglob("*.html"):
        html = path.read_text()
        assert not re.search(r'<(?:script|img|iframe)[^>]+src="(?:https?:)?//', html), path
        assert not re.search(r'<link rel="stylesheet"[^>]+href="(?:https?:)?//', html), path


def test_sample_passes_every_check_strictly():
    result = run_build("check", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout


def test_broken_front_matter_exits_2_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    for lang, title in (("en", "Home"), ("fr", "Accueil")):
        (content / lang).mkdir(parents=True)
        (content / lang / "_index.md").write_text(f"---\ntitle: {title}\ndescription: d\n---\nText.\n")
    (content / "en" / "bad.md").write_text("---\ntitle: Bad\ndescription: [unclosed\n---\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / ".clair-site").write_text("")
    (tmp_path / "site" / "keep.html").write_text("previous build")
    result = run_build("build", "--content", str(content), "--out", str(tmp_path / "site"),
                       "--config", str(ROOT / "site.yaml"))
    assert result.returncode == 2
    assert re.search(r"content/en/bad\.md:3: error: the settings block is not valid YAML: a list or group opened with \[ or \{ is never closed", result.stderr)
    assert "Traceback" not in result.stderr
    assert (tmp_path / "site" / "keep.html").read_text() == "previous build"


def test_help_documents_verbs_options_and_exit_codes():
    result = run_build("--help")
    for word in ("build", "check", "--content", "--out", "--format", "exit codes"):
        assert word in result.stdout
