"""Stage 1, load: front matter, line numbers, validation errors and URLs."""
import dataclasses
import datetime as dt
import json
import random
from pathlib import Path

import pytest

import clair.cli
from clair.load import load_site, split_front_matter
from clair.model import ContentError, ContentErrors, built_text
from clair.project import Project
from conftest import minimal_pages, page, write_tree


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
    [error] = load_errors(build, {"en/a.md": page("A", translation_key="[a, b]")})
    assert error.line == 4 and "`translation_key` must be a piece of text, not a list" in error.message


def warnings_of(result, check):
    return [f for f in result.findings if f.check == check]


def test_weight_not_a_whole_number_is_a_warning_and_sorts_as_no_weight(build):
    result = build({"en/a.md": page("A", weight='"abc"'), "en/b.md": page("B", weight=-1)}, run_checks=False)
    [warning] = warnings_of(result, "content.ignored-value")
    assert warning.severity == "warning" and warning.line == 4
    assert "`weight` must be a whole number, not `abc`" in warning.message
    assert [child.title for child in result.site.home("en").children] == ["B", "A"]  # A as weight 0


def test_a_whole_number_weight_gives_no_warning(build):
    result = build({"en/a.md": page("A", weight=3)}, run_checks=False)
    assert not warnings_of(result, "content.ignored-value")


def test_a_key_without_value_is_a_warning_and_ignored(build):
    result = build({"en/a.md": page("A", slug="", translation_key='"  "')}, run_checks=False)
    assert [(w.line, w.message.split(",")[0]) for w in warnings_of(result, "content.ignored-value")] == [
        (4, "`slug` has no value"), (5, "`translation_key` has no value")]
    english = next(p for p in result.site.pages if p.title == "A")
    assert english.url == "/en/a/" and "slug" not in english.meta


def test_impossible_date_is_an_error(build):
    [error] = load_errors(build, {"en/a.md": page("A", date="2026-13-45")})
    assert "not valid" in error.message


@pytest.mark.parametrize("written", [
    "'2017-08-09'",  # quoted ISO date (canada-ca/open-source-logiciel-libre writes dates so)
    '"2018-08-31 09:00:00 -0400"',  # Hugo's quoted datetime with zone (cds-snc/digital-canada-ca)
    "2018-08-31 09:00:00 -0400",  # the same unquoted: YAML reads it as text (its zones have a colon)
    "2018-08-31T09:00:00Z",  # read by YAML as a datetime
    "2018-08-31 21:30:00 -04:00",  # a datetime whose date in UTC is the next day: the date as written is kept
])
def test_dates_written_by_other_generators_are_dates(build, written):
    result = build({"en/a.md": page("A", date=written)}, run_checks=False)
    english = next(p for p in result.site.pages if p.title == "A")
    assert type(english.meta["date"]) is dt.date
    assert english.meta["date"] in (dt.date(2017, 8, 9), dt.date(2018, 8, 31))


@pytest.mark.parametrize("written, says", [
    ('"next spring"', "`date` must be a date like 2026-11-24, not `next spring`"),
    ("'2017-02-30'", "`2017-02-30` is not valid: there is no such date"),
    ("'2018-08-31 soon'", "`date` must be a date like 2026-11-24, not `2018-08-31 soon`"),
])
def test_text_that_is_not_a_date_is_an_error_at_its_line(build, written, says):
    [error] = load_errors(build, {"en/a.md": page("A", date=written)})
    assert error.line == 4 and says in error.message


def test_a_file_with_three_mistakes_reports_all_three_at_their_lines(build):
    text = "---\ndescription: d\nslug: ../x\nweight: 1\ndate: next spring\nchecks: on\n---\nText.\n"
    errors = load_errors(build, {"en/a.md": text})
    assert [(e.line, e.message[:30]) for e in errors] == [
        (1, "the settings block needs `titl"), (3, "`slug: ../x` may only use lowe"),
        (5, "`date` must be a date like 202"), (6, "`checks` must be a group of se")]


def test_a_file_and_its_neighbours_are_all_reported(build):
    errors = load_errors(build, {"en/a.md": page("A", slug="A B"), "en/b.md": "---\ntitle: B\n",
                                 "fr/a.md": page("A", date="soon")})
    assert sorted(e.file.rsplit("content/", 1)[1] for e in errors) == ["en/a.md", "en/b.md", "fr/a.md"]


def test_unknown_key_is_a_warning_with_suggestion(build):
    result = build({"en/a.md": page("A", titel="x"), "fr/a.md": page("A")}, run_checks=False)
    [finding] = [f for f in result.findings if f.check == "content.unknown-key"]
    assert finding.severity == "warning" and finding.line == 4 and "Did you mean `title`?" in finding.message


def test_a_title_in_capitals_is_one_error_at_its_line(build):
    [error] = load_errors(build, {"en/a.md": "---\ndescription: d\nTitle: A\n---\n"})
    assert error.line == 3 and "found `Title`" in error.message


def test_unknown_layout_is_a_warning_and_the_default_layout_applies(build):
    result = build({"en/a.md": page("A", layout="pgae"), "en/b.md": page("B", layout="post"),
                    "fr/a.md": page("A"), "fr/b.md": page("B")}, run_checks=False)
    warnings = warnings_of(result, "content.ignored-value")
    assert [(w.file.rsplit("/", 1)[1], w.line, w.severity) for w in warnings] == [("a.md", 4, "warning"),
                                                                                     ("b.md", 4, "warning")]
    assert "unknown layout `pgae` is ignored" in warnings[0].message and "Did you mean `page`?" in warnings[0].message
    assert "Did you mean" not in warnings[1].message
    a_page = next(p for p in result.site.pages if p.lang == "en" and p.title == "A")
    assert "layout" not in a_page.meta and '<main' in built_text(a_page.output)


def test_a_known_layout_gives_no_warning(build):
    result = build({"en/a.md": page("A", layout="section")}, run_checks=False)
    assert not warnings_of(result, "content.ignored-value")


def test_missing_description_is_a_warning_and_the_page_builds(build):
    result = build({"en/pub/_index.md": "---\ntitle: Pub\n---\nIntro.\n", "en/pub/a.md": "---\ntitle: A\n---\nText.\n",
                    "fr/pub/_index.md": page("Pub"), "fr/pub/a.md": page("A", "Texte.\n")})
    warnings = warnings_of(result, "content.no-description")
    assert [(w.file.rsplit("content/", 1)[1], w.line, w.severity) for w in warnings] == [
        ("en/pub/_index.md", 1, "warning"), ("en/pub/a.md", 1, "warning")]
    assert "add a one-sentence description: search engines" in warnings[0].message
    assert not [f for f in result.findings if f.severity == "error"]
    section = next(p for p in result.site.pages if p.lang == "en" and p.title == "Pub")
    assert '<meta name="description" content="">' in built_text(section.output)


def test_a_page_with_a_description_gives_no_warning(build):
    result = build({"en/a.md": page("A", description="What the plan does.")}, run_checks=False)
    assert not warnings_of(result, "content.no-description")


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


def test_section_without_index_is_an_error(build, tmp_path):
    [error] = load_errors(build, {"en/pub/a.md": page("A")})
    assert error.file == str(tmp_path / "content/en/pub") and error.line is None
    assert f"holds 1 page but no section page; create {tmp_path}/content/en/pub/_index.md" in error.message


def test_each_folder_without_section_page_is_one_error(build, tmp_path):
    pages = {f"en/{folder}/{name}.md": page(name) for folder in ("one", "two", "three") for name in "abcd"}
    errors = load_errors(build, pages)
    assert sorted((e.file, e.message[:29]) for e in errors) == [
        (str(tmp_path / "content/en" / folder), "this folder holds 4 pages but") for folder in ("one", "three", "two")]


def test_a_folder_above_without_section_page_is_reported_too(build, tmp_path):
    errors = load_errors(build, {"en/pub/part/a.md": page("A"), "en/pub/part/b.md": page("B")})
    assert [(e.file, e.message[:28]) for e in errors] == [(str(tmp_path / "content/en/pub"), "this folder holds 2 pages bu"),
                                                          (str(tmp_path / "content/en/pub/part"), "this folder holds 2 pages bu")]


def test_folders_with_section_pages_load(build):
    result = build({"en/pub/_index.md": page("Pub"), "en/pub/part/_index.md": page("Part"),
                    "en/pub/part/a.md": page("A")}, run_checks=False)
    assert next(p for p in result.site.pages if p.title == "A").url == "/en/pub/part/a/"


def test_a_section_page_with_a_mistake_is_not_also_missing(build):
    [error] = load_errors(build, {"en/pub/_index.md": page("Pub", slug="P Q"), "en/pub/a.md": page("A")})
    assert error.file.endswith("content/en/pub/_index.md") and "`slug: P Q`" in error.message


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


def cli_output(tmp_path, capsys, pages: dict[str, str], fmt: str) -> tuple[int, str]:
    content, config = write_tree(tmp_path, {**minimal_pages(), **pages})
    code = clair.cli.main(["check", "--content", str(content), "--config", str(config), "--format", fmt,
                           "--skip-checks", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


MIXED = {"en/a.md": page("A", titel="x", layout="pgae", slug="A B"), "fr/a.md": page("A")}


def test_warnings_are_shown_with_the_errors_that_stop_the_build_as_text(tmp_path, capsys):
    code, output = cli_output(tmp_path, capsys, MIXED, "text")
    assert code == 2
    assert "a.md:4: warning: unknown setting `titel` is ignored. Did you mean `title`?  [content.unknown-key]" in output
    assert "a.md:5: warning: unknown layout `pgae` is ignored" in output
    assert "a.md:6: error: `slug: A B` may only use" in output and "1 error, 2 warnings" in output


def test_warnings_are_shown_with_the_errors_that_stop_the_build_as_json(tmp_path, capsys):
    code, output = cli_output(tmp_path, capsys, MIXED, "json")
    report = json.loads(output)
    assert code == 2 and report["summary"] == {"errors": 1, "warnings": 2}
    assert [(f["line"], f["severity"], f["check"]) for f in report["findings"]] == [
        (4, "warning", "content.unknown-key"), (5, "warning", "content.ignored-value"), (6, "error", "content.load")]


def test_warnings_are_shown_with_the_errors_that_stop_the_build_as_github_annotations(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code, output = cli_output(tmp_path, capsys, MIXED, "github")
    assert code == 2 and "::warning file=" in output and ",line=4,title=content.unknown-key::" in output
    assert ",line=6,title=content.load::" in output


def test_warnings_are_shown_with_a_pairing_error(tmp_path, capsys):
    code, output = cli_output(tmp_path, capsys, {"en/a.md": page("A", translation_key="k", titel="x"),
                                                 "en/b.md": page("B", translation_key="k")}, "text")
    assert code == 2 and "both use translation_key `k`" in output and "unknown setting `titel`" in output


def test_mark_translated_reports_every_mistake_of_the_french_page(tmp_path, capsys):
    content, _ = write_tree(tmp_path, {**minimal_pages(), "en/a.md": page("A"),
                                       "fr/a.md": "---\ndescription: d\nslug: A B\n---\n"})
    assert clair.cli.main(["mark-translated", str(content / "fr/a.md"), "--content", str(content)]) == 2
    output = capsys.readouterr().err
    assert "a.md:1: error: the settings block needs `title:`" in output and "a.md:3: error: `slug: A B`" in output


def split_by_lines(text: str, file: str):
    """The settings block found by splitting the whole page into lines: what split_front_matter gives, slowly."""
    if not text.strip():
        raise ContentError(file, 1, "empty")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ContentError(file, 1, "no block")
    index = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
    if index is None:
        raise ContentError(file, 1, "never closed")
    return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2


def test_the_settings_block_is_found_as_by_splitting_the_page_into_lines():
    """split_front_matter finds the block with a regex (a page can be long); seeded random pages of the characters
    that matter, spaces of other kinds among them, must give the same block, body and body line, or fail alike."""
    generator = random.Random(7)
    pieces = ["---", "-", " ", "\t", "\u00a0", "\u2003", "\n", "\n", "a: 1", "x", "----"]
    texts = ["", "\n", "---", "---\n", "---\n---", "---\n---\n", " --- \n\t---\u00a0\nbody", "---\n--- x\n---\nb"]
    texts += ["".join(generator.choice(pieces) for _ in range(generator.randrange(1, 14))) for _ in range(4000)]
    for text in texts:
        blocks = []
        parse = lambda block, *_, **__: blocks.append(block) or ({}, {})  # noqa: E731
        try:
            expected = split_by_lines(text, "a.md")
        except ContentError:
            with pytest.raises(ContentError):
                split_front_matter(text, "a.md", parse)
            continue
        _, _, body, body_line = split_front_matter(text, "a.md", parse)
        assert (blocks[0], body, body_line) == expected, repr(text)


def test_a_units_key_is_made_from_the_bytes_loaded_without_reading_the_file_again(tmp_path):
    """The build cache's key of a unit holds the exact bytes of its files: those loading read (the replay's hash
    read them first), so a file edited after loading cannot give a key that does not match what was built."""
    from clair.cache import file_digest, site_key, unit_key
    write_tree(tmp_path, minimal_pages())
    project = Project(tmp_path / "content", tmp_path / "site.yaml")
    site = load_site(project)
    base = site_key(site, True)
    page = site.pages[0]
    assert page.source_digest == file_digest(Path(page.source)) != b""
    key = unit_key(base, [page])
    Path(page.source).write_text("---\ntitle: Edited after loading\n---\n", encoding="utf-8")
    assert unit_key(base, [page]) == key  # the file is not read again
    from_file = dataclasses.replace(page, source_digest=b"")  # a page made by another generator's reader
    assert unit_key(base, [from_file]) != key and from_file.source_digest == b""
    Path(page.source).unlink()
    assert unit_key(base, [from_file]) == unit_key(base, [dataclasses.replace(page, source_digest=b"-")])
