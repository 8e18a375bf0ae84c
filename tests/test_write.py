"""Stage 5, write: atomic replacement and refusal of dangerous output folders."""
from pathlib import PurePosixPath

import pytest

from clair.model import ContentError
from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR, Project, layered_files
from clair.write import MARKER, check_output_folder, write_site
from conftest import minimal_pages, page, write_tree

ASSETS = layered_files([TEMPLATES_DIR / "assets"], "*")


def test_write_then_replace_whole_site(tmp_path):
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("en/index.html"): "one", PurePosixPath("old.html"): "x"}, ASSETS)
    write_site(out, {PurePosixPath("en/index.html"): "two"}, ASSETS)
    assert (out / "en/index.html").read_text() == "two"
    assert not (out / "old.html").exists() and (out / MARKER).exists() and (out / "assets/style.css").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folders left behind


def test_failed_write_leaves_previous_site_untouched(tmp_path):
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("en/index.html"): "good"}, ASSETS)
    with pytest.raises(ContentError):
        write_site(out, {PurePosixPath("../escape.html"): "bad"}, ASSETS)
    assert (out / "en/index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


class SlowIndex:
    """A search index still being made: records what the folder being filled already held when it was asked for."""

    def __init__(self, out, files):
        self.out, self.files, self.seen = out, files, None

    def __call__(self):
        staging = list(self.out.parent.glob(f".{self.out.name}.building-*"))
        self.seen = sorted(p.relative_to(staging[0]).as_posix() for p in staging[0].rglob("*.html")) if staging else []
        return self.files


def test_pages_are_written_while_the_search_index_is_finished(tmp_path):
    out, pages = tmp_path / "site", {PurePosixPath("en/index.html"): "one"}
    index = SlowIndex(out, {PurePosixPath("pagefind/pagefind-entry.json"): b"{}"})
    assert write_site(out, pages, ASSETS, record=tmp_path / "record.json", index=index).wrote
    assert index.seen == ["en/index.html"]  # the page was already written when the index was waited for
    assert (out / "pagefind/pagefind-entry.json").read_bytes() == b"{}" and (out / "en/index.html").exists()
    assert ".clair-site" in {p.name for p in out.iterdir()} and "pagefind/pagefind-entry.json" in (out / MARKER).read_text()


def test_a_site_whose_index_alone_changed_is_written_and_an_unchanged_one_is_not(tmp_path):
    out, record, pages = tmp_path / "site", tmp_path / "record.json", {PurePosixPath("en/index.html"): "one"}
    first = write_site(out, pages, ASSETS, record=record, index=lambda: {PurePosixPath("pagefind/a.pf"): b"1"})
    again = SlowIndex(out, {PurePosixPath("pagefind/a.pf"): b"1"})
    same = write_site(out, pages, ASSETS, record=record, index=again)
    assert first.wrote and not same.wrote and same.digest == first.digest
    assert again.seen == []  # the pages were as written: the index was waited for before writing anything
    changed = write_site(out, pages, ASSETS, record=record, index=lambda: {PurePosixPath("pagefind/a.pf"): b"2"})
    assert changed.wrote and changed.digest != first.digest and (out / "pagefind/a.pf").read_bytes() == b"2"
    (out / "en/index.html").write_text("edited by hand")
    assert write_site(out, pages, ASSETS, record=record, index=lambda: {PurePosixPath("pagefind/a.pf"): b"2"}).wrote
    assert (out / "en/index.html").read_text() == "one"


def test_a_failed_search_index_leaves_the_previous_site(tmp_path):
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("en/index.html"): "good"}, ASSETS)

    def failing():
        raise ContentError("pagefind", None, "the search index could not be built")
    with pytest.raises(ContentError):
        write_site(out, {PurePosixPath("en/index.html"): "new"}, ASSETS, index=failing)
    assert (out / "en/index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("target", ["content", "project", "inside-content", "foreign"])
def test_dangerous_output_folders_are_refused(tmp_path, target):
    project = tmp_path
    content = project / "content"
    (content / "en").mkdir(parents=True)
    (project / "foreign").mkdir()
    (project / "foreign" / "notes.txt").write_text("mine")
    out = {"content": content, "project": project, "inside-content": content / "en" / "site",
           "foreign": project / "foreign"}[target]
    with pytest.raises(ContentError) as caught:
        check_output_folder(out, Project(content, project / "site.yaml"))
    assert "refusing" in caught.value.message


def test_own_previous_output_may_be_replaced(tmp_path):
    out = tmp_path / "site"
    write_site(out, {PurePosixPath("a.html"): "a"}, ASSETS)
    check_output_folder(out, Project(tmp_path / "content", tmp_path / "site.yaml"))
    check_output_folder(tmp_path / "new", Project(tmp_path / "content", tmp_path / "site.yaml"))


# -- what a build says at the end (#14 item 5: never "Built" alone when the site must not be published yet) --

def run_cli(tmp_path, capsys, monkeypatch, pages: dict, *args: str) -> tuple[int, str]:
    import clair.cli
    write_tree(tmp_path, {**minimal_pages(), **pages})
    monkeypatch.chdir(tmp_path)
    code = clair.cli.main(["build", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_build_with_failing_checks_says_the_site_must_not_be_published(tmp_path, capsys, monkeypatch):
    code, said = run_cli(tmp_path, capsys, monkeypatch, {"en/a.md": page("A", "Only in English.\n")})
    assert code == 1
    assert "The site was written to site/ (3 pages), but the checks found" in said
    assert "must be fixed before it can be published." in said and "Built " not in said


def test_a_build_without_checks_says_so(tmp_path, capsys, monkeypatch):
    code, said = run_cli(tmp_path, capsys, monkeypatch, {}, "--skip-checks")
    assert code == 0
    assert "The checks were skipped (--skip-checks); loading found 0 errors, 0 warnings." in said
    assert "without checking them (--skip-checks)" in said and "\n0 errors, 0 warnings" not in said


def test_a_clean_build_says_built(tmp_path, capsys, monkeypatch):
    code, said = run_cli(tmp_path, capsys, monkeypatch, {})
    assert code == 0 and "Built 2 pages into site/." in said
