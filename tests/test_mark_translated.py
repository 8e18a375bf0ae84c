"""mark_translated: only the `translated_from:` line changes, and parity.stale follows the English."""
import hashlib

import pytest

from clair.checks import Settings, parity
from clair.cli import EXIT_LOAD_ERROR, EXIT_OK, main
from clair.model import ContentError
from clair.project import Project
from clair.pipeline import build_site
from clair.translation_mark import english_hash, mark_translated
from conftest import minimal_pages, page, write_tree

ENGLISH = page("Serve people", "We will serve people.\n")
FRENCH_CRLF = ("---\r\n"
               "# the French title\r\n"
               "title: Servir les gens   # keep this comment\r\n"
               "description: Servir.\r\n"
               "weight: 10\r\n"
               "---\r\n"
               "Nous servirons les gens.\r\n")


def version(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@pytest.fixture
def content(tmp_path):
    """A site with one English page and its French page saved with Windows line endings."""
    content_dir, _ = write_tree(tmp_path, {**minimal_pages(), "en/serve.md": ENGLISH})
    (content_dir / "fr" / "serve.md").write_bytes(FRENCH_CRLF.encode("utf-8"))
    return content_dir


def stale_findings(content_dir):
    """(file name, line) of every parity.stale finding of the site, built from disk as it is now."""
    result = build_site(Project(content_dir, content_dir.parent / "site.yaml"), run_checks=False)
    findings = parity.stale(result.site, Settings(result.site, parity.RULES))
    return sorted((f.file.replace(str(content_dir) + "/", ""), f.line) for f in findings if f is not None)


def test_the_line_is_added_before_the_closing_dashes_and_nothing_else_changes(content):
    french = content / "fr" / "serve.md"
    assert mark_translated(french, content) == version(ENGLISH)
    expected = FRENCH_CRLF.replace("weight: 10\r\n", f'weight: 10\r\ntranslated_from: "{version(ENGLISH)}"\r\n')
    assert french.read_bytes() == expected.encode("utf-8")


def test_an_existing_line_is_replaced_in_place(content):
    french = content / "fr" / "serve.md"
    french.write_bytes(FRENCH_CRLF.replace("weight: 10\r\n", "translated_from: 0123456789ab\r\nweight: 10\r\n")
                       .encode("utf-8"))
    mark_translated(french, content)
    expected = FRENCH_CRLF.replace("weight: 10\r\n", f'translated_from: "{version(ENGLISH)}"\r\nweight: 10\r\n')
    assert french.read_bytes() == expected.encode("utf-8")


def test_a_byte_order_mark_and_lf_endings_are_kept(content):
    french = content / "fr" / "serve.md"
    original = "\ufeff" + page("Servir", "Texte.\n", translated_from="old")
    french.write_bytes(original.encode("utf-8"))
    mark_translated(french, content)
    assert french.read_bytes() == original.replace("translated_from: old",
                                                   f'translated_from: "{version(ENGLISH)}"').encode("utf-8")


def test_the_english_version_ignores_line_endings_and_byte_order_mark(content):
    english = content / "en" / "serve.md"
    before = english_hash(english)
    english.write_bytes(b"\xef\xbb\xbf" + ENGLISH.replace("\n", "\r\n").encode("utf-8"))
    assert english_hash(english) == before == version(ENGLISH)


def test_marking_quiets_parity_stale_and_an_english_change_wakes_it(content):
    assert stale_findings(content) == [("fr/_index.md", 1), ("fr/serve.md", 1)]
    mark_translated(content / "fr" / "serve.md", content)
    assert stale_findings(content) == [("fr/_index.md", 1)]
    english = content / "en" / "serve.md"
    english.write_text(ENGLISH.replace("title: Serve people", "title: Serve everyone"), encoding="utf-8")
    assert stale_findings(content) == [("fr/_index.md", 1), ("fr/serve.md", 6)]


def test_pages_paired_by_translation_key(tmp_path):
    content_dir, _ = write_tree(tmp_path, {"en/a.md": page("A", translation_key="k"),
                                           "fr/b.md": page("B", translation_key="k")})
    assert mark_translated(content_dir / "fr" / "b.md", content_dir) == version(page("A", translation_key="k"))


def test_an_english_page_cannot_be_marked(content):
    with pytest.raises(ContentError, match="only French pages"):
        mark_translated(content / "en" / "serve.md", content)


def test_a_french_page_without_english_cannot_be_marked(content):
    lonely = content / "fr" / "lonely.md"
    lonely.write_text(page("Seul"), encoding="utf-8")
    with pytest.raises(ContentError, match="there is no English page for this French page"):
        mark_translated(lonely, content)
    assert lonely.read_text(encoding="utf-8") == page("Seul")


def test_a_file_outside_the_content_folder_cannot_be_marked(content, tmp_path):
    outside = tmp_path / "serve.md"
    outside.write_text(page("Servir"), encoding="utf-8")
    with pytest.raises(ContentError, match="not inside the content folder"):
        mark_translated(outside, content)


def test_a_missing_file_is_named(content):
    with pytest.raises(ContentError, match="there is no such file"):
        mark_translated(content / "fr" / "nope.md", content)


def test_the_command_marks_every_page_it_is_given(content, capsys):
    pages = [str(content / "fr" / "serve.md"), str(content / "fr" / "_index.md")]
    assert main(["mark-translated", *pages, "--content", str(content)]) == EXIT_OK
    assert stale_findings(content) == []
    assert f"serve.md: translated_from: {version(ENGLISH)}" in capsys.readouterr().out


def test_the_command_reports_a_page_it_cannot_mark(content, capsys):
    assert main(["mark-translated", str(content / "en" / "serve.md"), "--content", str(content)]) == EXIT_LOAD_ERROR
    assert "only French pages" in capsys.readouterr().err
