"""Parallel and cached builds give exactly what a clean serial build gives, and the cache is never stale.

Every build here runs on a copy of the sample site (content, data, templates, configuration) with
two faults added, so there are findings to compare too. "Same" means every written file byte for
byte (the search index included), every finding and every score.
"""
from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest

from clair import checks
from clair import pipeline, search, units
from clair.checks import syllables
from clair.pipeline import build_site, publish
from clair.project import Project
from clair.cache import BuildCache
from clair.render import Renderer
from conftest import ROOT
from test_determinism import tree_hashes

LONG_SENTENCE = ("\nWe will also look at every program that we run today and every program that we plan to run "
                 "next year so that we can be sure that none of them is left behind.\n")
ENGLISH = "content/en/ops-future-2018/vision.md"
FRENCH = "content/fr/ops-future-2018/vision.md"
OTHER_ENGLISH = "content/en/blueprint-2020/_index.md"  # a page the fixture leaves as it is


@pytest.fixture
def project(tmp_path) -> Path:
    return faulty_sample(tmp_path)


def faulty_sample(tmp_path: Path) -> Path:
    """A copy of the sample project, with a long English sentence and a French heading removed."""
    root = tmp_path / "project"
    for part in ("content", "data", "templates"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    add_to(root / ENGLISH, LONG_SENTENCE)
    french = (root / FRENCH).read_text(encoding="utf-8")
    heading = next(line for line in french.splitlines() if line.startswith("## "))
    (root / FRENCH).write_text(french.replace(heading + "\n", "", 1), encoding="utf-8")
    return root


def add_to(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def build(root: Path, out: Path, jobs: int = 1, cache: Path | None = None, index_beside: bool = True):
    """Build and write the project, its search index made while the pages render (as `build` does) or after
    them; return (written files' hashes, findings, scores)."""
    result = build_site(Project(root / "content", root / "site.yaml", root / "templates", out, cache), jobs=jobs,
                        search_index=index_beside)
    publish(result)
    return tree_hashes(out), result.findings, result.site.scores


@pytest.fixture
def rendered(monkeypatch) -> list[int]:
    """The indexes of the units a serial build renders (a cached unit is not rendered)."""
    done: list[int] = []
    render = units.process_unit
    monkeypatch.setattr(units, "process_unit",
                        lambda work, pages: done.append(work.units.index(pages)) or render(work, pages))
    return done


def test_parallel_and_cached_builds_match_a_clean_serial_build(project, tmp_path):
    serial = build(project, tmp_path / "serial")
    assert {f.check for f in serial[1]} >= {"readability.sentence-length", "parity.structure"}
    cache = tmp_path / "cache"
    assert build(project, tmp_path / "parallel", jobs=2) == serial
    assert build(project, tmp_path / "cold", jobs=2, cache=cache) == serial
    assert build(project, tmp_path / "warm", jobs=2, cache=cache) == serial
    assert build(project, tmp_path / "warm-serial", cache=cache) == serial


def test_the_search_index_made_beside_the_pages_is_the_one_made_after_them(project, tmp_path):
    """Pagefind's index depends on the order it is given the pages: both ways give them in the same order."""
    beside = build(project, tmp_path / "beside", jobs=2)
    assert build(project, tmp_path / "after", index_beside=False) == beside
    searched = sum(b" data-pagefind-body" in path.read_bytes() for path in (tmp_path / "beside").rglob("*.html"))
    assert len(tree_hashes(tmp_path / "beside" / "pagefind" / "fragment")) == searched > 20


def test_a_build_with_nothing_changed_renders_nothing(project, tmp_path, rendered):
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "first", cache=cache)
    assert len(rendered) > 20
    rendered.clear()
    assert build(project, tmp_path / "again", cache=cache) == first
    assert rendered == []


def test_a_no_change_rebuild_takes_site_files_and_site_checks_from_the_cache(project, tmp_path, monkeypatch):
    """Site files and site-wide findings are kept under every unit's key together; after an edit, the
    link data of the site files the edit did not change still come from the cache."""
    calls = []
    for owner, name in ((pipeline, "render_generated_files"), (pipeline, "site_findings"), (checks, "extract_site_links")):
        original = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *args, _name=name, _do=original: calls.append(_name) or _do(*args))
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "first", cache=cache)
    site_files = calls.count("extract_site_links")
    assert calls.count("render_generated_files") == calls.count("site_findings") == 1 and site_files > 5
    calls.clear()
    assert build(project, tmp_path / "again", cache=cache) == first
    assert calls == []
    edit_english_body(project)
    assert build(project, tmp_path / "edited", cache=cache) == build(project, tmp_path / "clean")
    assert calls.count("render_generated_files") == 2  # the cached build and the clean one
    assert calls.count("extract_site_links") - site_files <= 2  # the edited page's one-page views only


def test_a_check_makes_no_report_and_keeps_no_site_files_and_a_build_after_it_makes_the_same(project, tmp_path,
                                                                                              monkeypatch):
    """`check` writes nothing, so it renders no reviewer's report, and it keeps no site files (15 MB at 1,000 pairs
    that a pull request's run never reads again); a build after it makes them, the same as a clean build's."""
    reviews, rendered = [], []
    review, render = Renderer.render_review, pipeline.render_generated_files
    monkeypatch.setattr(Renderer, "render_review", lambda self: reviews.append(1) or review(self))
    monkeypatch.setattr(pipeline, "render_generated_files", lambda *args: rendered.append(1) or render(*args))
    cache = tmp_path / "cache"
    checked = build_site(Project(project / "content", project / "site.yaml", project / "templates", cache=cache),
                         review=False)
    assert pipeline.REPORT_PATH not in checked.files and reviews == []
    assert not list((cache / "entries").glob("site-*"))
    assert build(project, tmp_path / "cached", cache=cache) == build(project, tmp_path / "clean")
    assert (len(reviews), len(rendered)) == (2, 3)  # site files: the check's too; reports: the two builds
    reviews.clear()
    rendered.clear()
    assert build(project, tmp_path / "again", cache=cache)[0] == tree_hashes(tmp_path / "clean")
    assert reviews == rendered == []


@pytest.mark.parametrize("size, forks", [(1_000, False), (pipeline.WORKERS_WORTH_STARTING, True)],
                         ids=["a-little-html-is-read-here", "much-html-is-read-by-workers"])
def test_workers_start_for_the_site_files_links_only_when_worth_it(size, forks, monkeypatch):
    """After an edit, one or two one-page views are read again: starting workers would cost more than that."""
    started = []
    monkeypatch.setattr(units.Workers, "start", lambda self: started.append(self))  # no process: run here
    monkeypatch.setattr(units.Workers, "run", lambda self, function, chunks: map(function, chunks))
    texts = ['<p id="a">' + "x" * size + "</p>", '<p id="b">short</p>']
    work = SimpleNamespace(site=SimpleNamespace(project=SimpleNamespace(content=Path("content"))))
    with units.Workers(work, jobs=2) as workers:
        found = pipeline.site_file_links(texts, None, workers)
    assert [links.ids for links in found] == [{"a"}, {"b"}] and bool(started) is forks


def edit_english_body(root: Path) -> None:
    """A paragraph more in English: its French page now has a length-ratio or structure finding."""
    add_to(root / ENGLISH, "\n## A new part\n\nThis part is new.\n")


def edit_french_body(root: Path) -> None:
    add_to(root / FRENCH, "\nUn paragraphe de plus.\n")


def edit_template(root: Path) -> None:
    path = root / "templates" / "base.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</main>", "<p>Template changed.</p></main>", 1),
                    encoding="utf-8")


def edit_title(root: Path) -> None:
    """A title shows in other pages' navigation: every page must be rendered again."""
    path = root / ENGLISH
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, title + " (revised)", 1), encoding="utf-8")


def edit_glossary(root: Path) -> None:
    path = root / "data" / "glossary.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("definition: The ministries", "definition: All the ministries", 1), encoding="utf-8")


def edit_config(root: Path) -> None:
    """A stricter limit than any sentence of the sample meets (all are under 20 words), so findings change."""
    add_to(root / "site.yaml", "checks:\n  readability.sentence-length:\n    max: 10\n")


# (edit, units rendered again: "one" for the edited page's unit, "all" for every unit)
EDITS = {"english page": (edit_english_body, "one"), "french page": (edit_french_body, "one"),
         "template": (edit_template, "all"), "title": (edit_title, "all"), "glossary data": (edit_glossary, "all"),
         "configuration": (edit_config, "all")}


@pytest.mark.parametrize("name", EDITS)
def test_after_an_edit_a_cached_build_equals_a_clean_build(project, tmp_path, rendered, name):
    edit, reach = EDITS[name]
    cache = tmp_path / "cache"
    before = build(project, tmp_path / "before", cache=cache)
    every = len(rendered)
    rendered.clear()
    edit(project)
    cached = build(project, tmp_path / "cached", cache=cache)
    assert len(rendered) == (1 if reach == "one" else every)
    assert cached == build(project, tmp_path / "clean")
    assert cached != before


def test_an_english_edit_checks_its_french_page_again(project, tmp_path):
    cache = tmp_path / "cache"
    build(project, tmp_path / "before", cache=cache)
    add_to(project / OTHER_ENGLISH, "\n## Another part\n\nThis part is new.\n")
    _, findings, _ = build(project, tmp_path / "after", cache=cache)
    assert any(f.check == "parity.structure" and f.file.endswith(OTHER_ENGLISH) and "Another part" in f.message
               for f in findings)
    assert any(f.check == "parity.stale" and f.related_file.endswith(OTHER_ENGLISH) for f in findings)


def test_a_damaged_cache_is_read_as_empty(project, tmp_path, rendered):
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "first", cache=cache)
    for entry in (cache / "entries").iterdir():
        entry.write_bytes(b"not a cache entry")
    rendered.clear()
    assert build(project, tmp_path / "again", cache=cache) == first
    assert len(rendered) > 20
    shutil.rmtree(cache)
    assert build(project, tmp_path / "deleted", cache=cache) == first


def test_after_an_edit_its_unit_builds_in_a_worker_while_the_others_are_read(project, tmp_path, monkeypatch):
    """The edited unit, which has no entry, is handed to a worker before the build reads the other units' entries
    (both take about as long); a unit whose entry is damaged is built after. The site is a clean build's."""
    cache = tmp_path / "cache"
    build(project, tmp_path / "before", jobs=2, cache=cache)
    edit_english_body(project)
    damaged = sorted((cache / "entries").glob("unit-*"))[0]
    damaged.write_bytes(damaged.read_bytes()[:-1])
    events = []
    run, get = units.Workers.run, pipeline.BuildCache.get
    monkeypatch.setattr(units.Workers, "run", lambda self, *args: events.append("handed") or run(self, *args))
    monkeypatch.setattr(pipeline.BuildCache, "get",
                        lambda self, key, *args: events.append(key[:4]) or get(self, key, *args))
    assert build(project, tmp_path / "cached", jobs=2, cache=cache) == build(project, tmp_path / "clean")
    assert events.index("handed") < events.index("unit")


def test_the_cmu_dictionary_stays_in_the_cache_through_a_build_that_checks_nothing(project, tmp_path, monkeypatch):
    monkeypatch.setattr(syllables, "_ENGLISH", [])
    monkeypatch.setattr(syllables, "_KEPT_IN", [])
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "first", cache=cache)
    syllables._ENGLISH.clear()
    syllables._english()  # as a new process's first English page (textstat may keep this process's scores)
    kept = sorted((cache / "entries").glob("words-*"))
    assert len(kept) == 1
    assert build(project, tmp_path / "again", cache=cache) == first
    assert sorted((cache / "entries").glob("words-*")) == kept


def test_a_no_change_rebuild_leaves_the_output_folder_as_it_is(project, tmp_path):
    """Nothing to write when the site is byte for byte the last one and its folder is untouched;
    a file removed or edited in the folder since is put back by the next build."""
    cache, out = tmp_path / "cache", tmp_path / "site"
    first = build(project, out, cache=cache)
    page = out / "en" / "index.html"
    inode = page.stat().st_ino
    assert build(project, out, cache=cache) == first
    assert page.stat().st_ino == inode  # not written again
    page.unlink()
    assert build(project, out, cache=cache) == first
    page.write_text("edited by hand", encoding="utf-8")
    assert build(project, out, cache=cache) == first
    add_to(project / ENGLISH, "\nOne more sentence.\n")
    assert build(project, out, cache=cache) != first


def test_the_search_index_of_the_same_site_comes_from_the_cache(project, tmp_path, monkeypatch):
    """Its key is what the whole site is made from: the same site elsewhere reuses it, an edit does not."""
    indexed = []
    service = search.Service
    monkeypatch.setattr(search, "Service", lambda *args: indexed.append(args) or service(*args))
    cache = tmp_path / "cache"
    first = build(project, tmp_path / "one", cache=cache)
    assert len(indexed) == 2  # one Pagefind per language
    assert build(project, tmp_path / "two", cache=cache) == first
    assert len(indexed) == 2
    edit_english_body(project)
    assert build(project, tmp_path / "three", cache=cache) != first
    assert len(indexed) == 4


def test_a_word_list_the_configuration_names_is_part_of_the_key(project, tmp_path):
    """plain-words `extra_files` lives beside the configuration, outside data/: editing it re-checks every page."""
    (project / "words.yaml").write_text("in order to: to\n", encoding="utf-8")
    add_to(project / "site.yaml", "checks:\n  plain-words.en:\n    extra_files: [words.yaml]\n")
    cache = tmp_path / "cache"
    build(project, tmp_path / "before", cache=cache)
    (project / "words.yaml").write_text("in order to: to\nwe will: we'll\n", encoding="utf-8")
    cached = build(project, tmp_path / "cached", cache=cache)
    assert cached == build(project, tmp_path / "clean")
    assert any(f.check == "plain-words.en" and "we'll" in f.message for f in cached[1])


class Node:
    """An object that can be in a reference cycle and be watched by a weak reference."""


@pytest.mark.parametrize("enabled", [True, False])
def test_objects_read_from_the_cache_skip_the_young_collections_yet_cycles_are_still_freed(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with pipeline.unscanned():
            kept = [[index] for index in range(50_000)]
            cycle = Node()
            cycle.itself = cycle
            watched = weakref.ref(cycle)
        assert gc.get_count()[0] < 100 and gc.isenabled() is enabled and len(kept) == 50_000
        del cycle
        gc.collect()
        assert watched() is None
    finally:
        gc.enable()


def test_a_build_keeps_the_syllables_counted_for_its_pages(project, tmp_path):
    """Each unit's result brings the words counted for it in its worker; the build keeps them all for the next
    build's processes. (A fresh process, as every build: this one's textstat has scored the sample before.)"""
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--jobs", "2",
                           "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")],
                          cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    [entry] = (tmp_path / "cache/entries").glob("syllables-*")
    kept = BuildCache(tmp_path / "cache").get(entry.name, lambda data, _: syllables.counts_from_data(data))
    assert sorted(kept) == ["en_US", "fr"] and min(map(len, kept.values())) > 300  # readability.LOCALES
    assert all(count == syllables._TEXTSTAT_COUNT(word, lang) for lang, words in kept.items()
               for word, count in list(words.items())[:50])
