"""Stage 1, load: front matter, line numbers, validation errors and URLs."""
import pytest

from clair.model import ContentErrors
from conftest import page


def load_errors(build, pages):
    with pytest.raises(ContentErrors) as caught:
        build(pages, run_checks=False)
    return caught.value.errors


def test_body_line_counts_the_front_matter(build):
    result = build({"en/a.md": page("A", "## First\n\nText.\n", weight=2), "fr/a.md": page("A", "## Premier\n")},
                   run_checks=False)
    english = next(p for p in result.site.pages if str(p.rel) == "a.md" and p.lang == "en")
    assert english.body_line == 6  # ---, title, description, weight, ---, then the body
    assert english.headings[0]["line"] == 6
    assert english.meta_lines == {"title": 2, "description": 3, "weight": 4}


def test_missing_title_names_file_and_line(build):
    [error] = load_errors(build, {"en/a.md": "---\ndescription: d\n---\nText\n"})
    assert error.file.endswith("content/en/a.md") and error.line == 1
    assert "`title:`" in error.message


def test_invalid_yaml_points_at_the_line(build):
    [error] = load_errors(build, {"en/a.md": "---\ntitle: A\ndescription: \"unclosed\nweight: 1\n---\n"})
    assert error.line >= 3 and "not valid YAML" in error.message


def test_tab_indentation_says_use_spaces(build):
    [error] = load_errors(build, {"en/a.md": "---\ntitle: A\ndescription: d\nchecks:\n\tx: 1\n---\n"})
    assert error.line == 5 and "indent with spaces, not tabs" in error.message


def test_unclosed_front_matter(build):
    [error] = load_errors(build, {"en/a.md": "---\ntitle: A\ndescription: d\n"})
    assert error.line == 1 and "never closed" in error.message


def test_wrong_type_is_an_error(build):
    [error] = load_errors(build, {"en/a.md": page("A", weight='"abc"')})
    assert error.line == 4 and "`weight` must be a whole number" in error.message


def test_impossible_date_is_an_error(build):
    [error] = load_errors(build, {"en/a.md": page("A", date="2026-13-45")})
    assert "not valid" in error.message


def test_unknown_key_is_a_warning_with_suggestion(build):
    result = build({"en/a.md": page("A", titel="x"), "fr/a.md": page("A")}, run_checks=False)
    [finding] = [f for f in result.findings if f.check == "content.unknown-key"]
    assert finding.severity == "warning" and finding.line == 4 and "Did you mean `title`?" in finding.message


def test_latin1_file_says_save_as_utf8(build, tmp_path):
    content = tmp_path / "content" / "en"
    content.mkdir(parents=True)
    (content / "b.md").write_bytes("---\ntitle: Été\ndescription: d\n---\n".encode("latin-1"))
    [error] = load_errors(build, {})
    assert error.file.endswith("b.md") and error.line == 2 and "UTF-8" in error.message


def test_bom_and_crlf_are_accepted_with_right_lines(build, tmp_path):
    content = tmp_path / "content" / "en"
    content.mkdir(parents=True)
    (content / "c.md").write_bytes("\ufeff---\r\ntitle: C\r\ndescription: d\r\n---\r\n## Heading\r\n".encode("utf-8"))
    result = build({"fr/c.md": page("C")}, run_checks=False)
    english = next(p for p in result.site.pages if p.rel.name == "c.md" and p.lang == "en")
    assert english.title == "C" and english.headings[0]["line"] == 5


def test_unsafe_slug_is_refused(build):
    [error] = load_errors(build, {"en/a.md": page("A", slug="../evil")})
    assert error.line == 4 and "slug" in error.message


def test_section_without_index_is_an_error(build):
    [error] = load_errors(build, {"en/pub/a.md": page("A")})
    assert "has no _index.md" in error.message


def test_page_outside_language_folders_is_an_error(build, tmp_path):
    [error] = load_errors(build, {"de/a.md": page("A")})
    assert f"inside {tmp_path}/content/en/ or {tmp_path}/content/fr/" in error.message  # the real content folder


def test_two_pages_at_one_address_are_an_error(build):
    [error] = load_errors(build, {"en/a.md": page("A"), "en/b.md": page("B", slug="a")})
    assert "same address /en/a/" in error.message


def test_urls_follow_slugs_of_sections_and_pages(build):
    result = build({
        "en/pub/_index.md": page("Pub"), "en/pub/pillars/_index.md": page("Pillars"),
        "en/pub/pillars/serve.md": page("Serve"),
        "fr/pub/_index.md": page("Pub", slug="publication"), "fr/pub/pillars/_index.md": page("Piliers", slug="piliers"),
        "fr/pub/pillars/serve.md": page("Servir", slug="servir"),
    }, run_checks=False)
    urls = {(p.lang, str(p.rel)): p.url for p in result.site.pages}
    assert urls[("en", "pub/pillars/serve.md")] == "/en/pub/pillars/serve/"
    assert urls[("fr", "pub/pillars/serve.md")] == "/fr/publication/piliers/servir/"


def test_children_sorted_by_weight(build):
    result = build({"en/b.md": page("B", weight=1), "en/a.md": page("A", weight=2)}, run_checks=False)
    home = result.site.home("en")
    assert [c.title for c in home.children] == ["B", "A"]
