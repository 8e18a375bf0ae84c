"""The link check reuses what it found in the files unchanged since the last check of the same targets
(checks.links.KeptFindings), and its findings are always a clean build's."""
from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from clair import checks, onepage
from clair.cache import BuildCache
from clair.units import translation_units
from clair.checks import links
from clair.pipeline import build_site
from clair.project import Project
from test_parallel_cache import ENGLISH, OTHER_ENGLISH, add_to, build, faulty_sample

HEADING = "\n## Kept anchor\n\nThis part has an anchor other pages link to.\n"
LINK_TO_HEADING = "\nSee [the kept anchor](../ops-future-2018/vision.md#kept-anchor).\n"


@pytest.fixture
def project(tmp_path):
    return faulty_sample(tmp_path)


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The built files whose links are checked (not taken from the last check)."""
    done: list[str] = []
    check = links.check_file
    monkeypatch.setattr(links, "check_file", lambda targets, path, *rest: done.append(str(path))
                        or check(targets, path, *rest))
    return done


def link_findings(findings) -> list:
    return [finding for finding in findings if finding.check.startswith("links.")]


def test_after_an_edit_only_the_files_made_again_have_their_links_checked(project, tmp_path, checked):
    cache = tmp_path / "cache"
    build(project, tmp_path / "before", cache=cache)
    assert len(checked) > 40
    checked.clear()
    add_to(project / ENGLISH, "\nSee [a page that is not there](/en/nowhere/).\n")
    cached = build(project, tmp_path / "cached", cache=cache)
    assert sorted(checked) == ["en/ops-future-2018/all/index.html",  # its one-page views: made from its unit,
                               "en/ops-future-2018/vision/index.html",  # which holds both languages
                               "fr/fpo-avenir-2018/tout/index.html", "fr/fpo-avenir-2018/vision/index.html"]
    assert cached == build(project, tmp_path / "clean")
    assert any("/en/nowhere/" in finding.message for finding in link_findings(cached[1]))


def test_an_id_that_goes_checks_the_links_of_every_file_again(project, tmp_path, checked):
    """Another page's link to a heading that was removed is found, though that page did not change."""
    cache = tmp_path / "cache"
    add_to(project / ENGLISH, HEADING)
    add_to(project / OTHER_ENGLISH, LINK_TO_HEADING)
    assert link_findings(build(project, tmp_path / "before", cache=cache)[1]) == []
    checked.clear()
    english = project / ENGLISH
    english.write_text(english.read_text(encoding="utf-8").replace("## Kept anchor", "## Renamed anchor"),
                       encoding="utf-8")
    cached = build(project, tmp_path / "cached", cache=cache)
    assert len(checked) > 40
    assert cached == build(project, tmp_path / "clean")
    [finding] = link_findings(cached[1])
    assert finding.file.endswith(OTHER_ENGLISH) and "#kept-anchor" in finding.message


def test_a_file_after_one_that_used_a_suggestion_less_is_checked_again(project, tmp_path, checked, monkeypatch):
    """Only the first MAX_SUGGESTIONS missing anchors get a "did you mean": when an earlier file uses one less, a
    later file, unchanged, gets it."""
    monkeypatch.setattr(links, "MAX_SUGGESTIONS", 1)
    cache = tmp_path / "cache"
    add_to(project / ENGLISH, HEADING + "\nSee [this part](#kept-anchr).\n")
    add_to(project / OTHER_ENGLISH, LINK_TO_HEADING.replace("#kept-anchor", "#kept-anchr"))
    before = link_findings(build(project, tmp_path / "before", cache=cache)[1])
    assert [finding.file.endswith(OTHER_ENGLISH) for finding in before if "Did you mean" in finding.message] == [True]
    checked.clear()
    other = project / OTHER_ENGLISH
    other.write_text(other.read_text(encoding="utf-8").replace("#kept-anchr", "#kept-anchor"), encoding="utf-8")
    cached = build(project, tmp_path / "cached", cache=cache)
    assert "en/ops-future-2018/vision/index.html" in checked
    assert cached == build(project, tmp_path / "clean")
    [finding] = link_findings(cached[1])
    assert finding.file.endswith(ENGLISH) and "Did you mean `kept-anchor`?" in finding.message


def test_damaged_kept_findings_are_read_as_missing(project, tmp_path, checked):
    cache = tmp_path / "cache"
    add_to(project / ENGLISH, "\nSee [a page that is not there](/en/nowhere/).\n")
    first = build(project, tmp_path / "first", cache=cache)
    [kept] = (cache / "entries").glob("links-*")
    kept.write_bytes(kept.read_bytes().replace(b"/en/nowhere/", b"/en/elsewhere"))
    (tmp_path / "first").rename(tmp_path / "moved")  # so the replay's record does not answer
    add_to(project / OTHER_ENGLISH, "\nOne more sentence.\n")
    checked.clear()
    again = build(project, tmp_path / "again", cache=cache)
    assert len(checked) > 40
    assert again == build(project, tmp_path / "clean")
    assert any("/en/nowhere/" in finding.message for finding in link_findings(again[1]))
    assert link_findings(again[1]) == link_findings(first[1])


@pytest.mark.parametrize("data", [
    {"en/index.html": ["unit-x", 200, 200, [["a.md", 1, "links.internal", "error", "m", None, None, None]]]},
    {"en/index.html": ["unit-x", 200, 200, [["a.md", "1", "links.internal", "error", "m", None, None, None]]]},
    {"en/index.html": ["unit-x", 200, [], []]},
    {"en/index.html": ["unit-x", 200, 200]},
    [["en/index.html", "unit-x", 200, 200, []]],
])
def test_kept_findings_of_the_wrong_shape_are_refused(data):
    if data == {"en/index.html": ["unit-x", 200, 200, [["a.md", 1, "links.internal", "error", "m", None, None, None]]]}:
        [(source, before, after, [finding])] = links.KeptFindings.from_data(data).values()
        assert (source, before, after, finding.line) == ("unit-x", 200, 200, 1)
    else:
        with pytest.raises(ValueError):
            links.KeptFindings.from_data(data)


@pytest.fixture
def views_rendered(monkeypatch) -> list[str]:
    """The publications whose one-page view is rendered."""
    done: list[str] = []
    chapters_of = onepage.chapters_of
    monkeypatch.setattr(onepage, "chapters_of", lambda publication, *rest: done.append(publication.url)
                        or chapters_of(publication, *rest))
    return done


def test_a_check_renders_only_the_one_page_views_an_edit_reaches(project, tmp_path, views_rendered, monkeypatch):
    """A check writes nothing: the one-page views made from the same pages as before are not rendered again,
    their links come from the cache (under the key of what they are made from: the English and the French
    view of a publication are made from the same units), and it finds what a clean build finds. A build
    renders every view."""
    read: list[dict] = []
    run_site = checks.run_site
    monkeypatch.setattr(checks, "run_site", lambda site, built, settings: read.append(built.links)
                        or run_site(site, built, settings))

    def site(cache):
        return Project(project / "content", project / "site.yaml", project / "templates", tmp_path / "out", cache)
    build_site(site(tmp_path / "cache"))
    every = sorted(views_rendered)
    assert len(every) > 4
    views_rendered.clear()
    add_to(project / ENGLISH, "\nSee [a page that is not there](/en/nowhere/).\n")
    checked = build_site(site(tmp_path / "cache"), review=False, written=False)
    assert sorted(views_rendered) == ["/en/ops-future-2018/", "/fr/fpo-avenir-2018/"]
    clean = build_site(site(None), review=False)
    assert (checked.findings, checked.site.scores) == (clean.findings, clean.site.scores)
    assert read[-2] == read[-1]  # the check's links, views' included, are a clean build's
    assert any("/en/nowhere/" in finding.message for finding in checked.findings)
    assert checked.files[PurePosixPath("en/blueprint-2020/all/index.html")] == ""
    views_rendered.clear()
    build_site(site(tmp_path / "cache"))
    assert sorted(views_rendered) == every


def test_a_check_reads_from_the_cache_the_html_of_the_pages_it_shows_again_only(project, tmp_path, monkeypatch):
    """After an edit, a check reads the HTML of the units of the one-page views it renders again (the edited
    publication's), and only the values of the others: their pages' text in the check's files is empty, the views
    it renders are a clean build's, and a build after it, reading every unit whole, writes a clean build's files."""
    read: list[tuple[str, bool]] = []
    entry = BuildCache.read
    monkeypatch.setattr(BuildCache, "read", lambda store, key, blobs=True: read.append((key, blobs))
                        or entry(store, key, blobs))

    def site(cache):
        return Project(project / "content", project / "site.yaml", project / "templates", tmp_path / "out", cache)
    build_site(site(tmp_path / "cache"))
    add_to(project / ENGLISH, "\nOne more sentence.\n")
    read.clear()
    checked = build_site(site(tmp_path / "cache"), review=False, written=False)
    clean = build_site(site(None))
    units = [(key, blobs) for key, blobs in read if key.startswith("unit-")]
    shown = {page.output_path for page in clean.site.pages if page.output_path.parts[1] in ("ops-future-2018",
                                                                                               "fpo-avenir-2018")}
    publication = [unit for unit in translation_units(clean.site) if unit[0].output_path in shown]
    assert sum(blobs for _, blobs in units) == len(publication) - 1 < len(units) - 5  # the edited one is built
    assert all(checked.files[path] == clean.files[path] for path in shown)
    assert all(checked.files[page.output_path] == b"" for page in clean.site.pages
               if page.output_path not in shown and page.output_path.suffix == ".html")
    for view in ("en/ops-future-2018/all/index.html", "fr/fpo-avenir-2018/tout/index.html"):
        assert checked.files[PurePosixPath(view)] == clean.files[PurePosixPath(view)] != ""
    assert checked.findings == build_site(site(None), review=False).findings
    read.clear()
    built = build_site(site(tmp_path / "cache"))
    assert all(blobs for _, blobs in read)
    assert built.files == clean.files


def test_a_damaged_view_entry_renders_the_view(project, tmp_path, views_rendered):
    def site(cache):
        return Project(project / "content", project / "site.yaml", project / "templates", tmp_path / "out", cache)
    build_site(site(tmp_path / "cache"))
    every = sorted(views_rendered)
    for entry in (tmp_path / "cache/entries").glob("view-*"):
        entry.write_bytes(entry.read_bytes()[:-2])
    views_rendered.clear()
    add_to(project / ENGLISH, "\nOne more sentence.\n")
    checked = build_site(site(tmp_path / "cache"), review=False, written=False)
    assert sorted(views_rendered) == every
    assert checked.findings == build_site(site(None), review=False).findings
    views_rendered.clear()
    add_to(project / ENGLISH, "\nAnd one more.\n")
    build_site(site(tmp_path / "cache"), review=False, written=False)
    assert sorted(views_rendered) == ["/en/ops-future-2018/", "/fr/fpo-avenir-2018/"]  # the damaged ones written again
