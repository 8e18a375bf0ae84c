"""The a11y.* rules: on small built sites where Markdown can make the fault, on hand-written HTML where
only a template can (a finding then points at line 1 of the page and names the templates)."""
import shutil

from clair.checks import Settings, accessibility, html, kept
from clair.checks.html import TEMPLATE_NOTE
from clair.model import built_text
from clair.pipeline import build_site
from clair.project import DEFAULT_TEMPLATES, Project
from conftest import SITE_YAML, minimal_pages, page, write_tree

EN = "content/en/x.md"  # page("T", body): the body starts on line 5


def check(build, pages, config=SITE_YAML):
    """Build the pages and run the accessibility rules alone; return (result, findings)."""
    result = build(pages, run_checks=False, config=config)
    settings = Settings(result.site, accessibility.RULES)
    return result, kept(accessibility.run(result.site, result.files, settings))


def on_html(result, source, text):
    """Run every rule on hand-written HTML standing in for the rendered page of `source`."""
    target = next(p for p in result.site.pages if str(p.source).endswith(source))
    settings = Settings(result.site, accessibility.RULES)
    return kept(accessibility.check_page(target, html.parse(text), settings))


def where(tmp_path, findings, rule):
    """(file, line, rule, severity) of each finding of one rule, files relative to the test folder."""
    return [(f.file.removeprefix(f"{tmp_path}/"), f.line, f.check, f.severity) for f in findings if f.check == rule]


def document(main="<h1>T</h1>", lang="en", body_extra=""):
    """A whole page as the templates would make it, with `main` as the inside of <main>."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><title>T</title></head>\n<body>\n'
            f'<header>Site</header>\n<main id="main-content">\n{main}\n</main>\n{body_extra}'
            '<footer>Footer</footer>\n</body>\n</html>\n')


def test_the_sample_templates_and_a_plain_page_pass_every_rule(build):
    body = "Read [the vision](/en/) first.\n\n## One\n\nText.\n\n### Two\n\nText.\n\n## Three\n\nText.\n"
    _, findings = check(build, {"en/x.md": page("T", body), "fr/x.md": page("T fr", "Lisez [la vision](/fr/).\n")})
    assert findings == []


# a11y.lang

def test_html_without_lang_is_a_template_fault_at_line_1(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document().replace(' lang="en"', ""))
    assert where(tmp_path, findings, "a11y.lang") == [(EN, 1, "a11y.lang", "error")]
    assert findings[0].message == 'the <html> element has no lang attribute; it must be lang="en"' + TEMPLATE_NOTE


def test_html_lang_of_the_other_language_and_a_malformed_lang_are_errors(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document('<h1>T</h1>\n<p lang="french">Bonjour</p>', lang="fr"))
    assert where(tmp_path, findings, "a11y.lang") == [(EN, 1, "a11y.lang", "error")] * 2
    assert [f.message.removesuffix(TEMPLATE_NOTE) for f in findings] == [
        'the <html> element has lang="fr", but this is the English page: it must be lang="en"',
        '<p lang="french"> is not a language code; use "en" or "fr"']


def test_rendered_pages_carry_their_own_language(build):
    _, findings = check(build, {"en/x.md": page("T", "Text.\n"), "fr/x.md": page("T fr", "Texte.\n")})
    assert [f for f in findings if f.check == "a11y.lang"] == []


# a11y.h1

def test_a_hash_heading_is_a_second_h1_at_its_line(build, tmp_path):
    _, findings = check(build, {"en/x.md": page("T", "Text.\n\n# Title again\n")})
    assert where(tmp_path, findings, "a11y.h1") == [(EN, 7, "a11y.h1", "error")]
    assert findings[0].message == ("a second h1 heading “Title again”: the page title is already the h1; "
                                   "start the text's headings at ##")


def test_a_page_without_h1_is_a_template_fault(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document("<p>No heading</p>"))
    assert where(tmp_path, findings, "a11y.h1") == [(EN, 1, "a11y.h1", "error")]
    assert findings[0].message.endswith(TEMPLATE_NOTE)


# a11y.heading-order

def test_a_skipped_level_points_at_the_skipping_heading(build, tmp_path):
    _, findings = check(build, {"en/x.md": page("T", "## Two\n\nText.\n\n#### Four\n\nText.\n")})
    assert where(tmp_path, findings, "a11y.heading-order") == [(EN, 9, "a11y.heading-order", "error")]
    assert findings[0].message == ("the heading “Four” is level 4 (####) but follows a level 2 heading: "
                                   "make it level 3 (###)")


def test_a_building_block_heading_right_under_the_title_skips_a_level(build, tmp_path):
    body = "::: example\n### A ministry\n\nText.\n:::\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings, "a11y.heading-order") == [(EN, 6, "a11y.heading-order", "error")]


def test_going_back_up_any_number_of_levels_is_fine(build):
    body = "## A\n\n### B\n\n#### C\n\n## D\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert [f for f in findings if f.check == "a11y.heading-order"] == []


def test_a_skip_in_the_templates_points_at_line_1(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document("<h1>T</h1>\n<h3>Menu</h3>"))
    assert where(tmp_path, findings, "a11y.heading-order") == [(EN, 1, "a11y.heading-order", "error")]
    assert findings[0].message.endswith(TEMPLATE_NOTE)


# a11y.image-alt

def test_missing_file_name_and_generic_alt_text_are_errors(build, tmp_path):
    body = "![](/assets/a.png)\n\n![chart-2018.png](/assets/c.png)\n\n![map](/assets/map.svg)\n\n« ![Image](/assets/d.png) »\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings, "a11y.image-alt") == [
        (EN, line, "a11y.image-alt", "error") for line in (5, 7, 9, 11)]
    assert [f.message for f in findings] == [
        'the image has no alt text: describe what it shows, or, if it is only decoration, '
        'mark it ![](picture.png "decorative")',
        "the alt text “chart-2018.png” is a file name: describe what the image shows",
        "the alt text “map” is a file name: describe what the image shows",
        "the alt text “Image” says nothing about the image: describe what it shows"]


def test_an_image_marked_decorative_may_have_empty_alt(build):
    body = '![](/assets/line.png "decorative")\n\n![A bar chart of wait times, 2010 to 2018](/assets/c.png)\n'
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert [f for f in findings if f.check == "a11y.image-alt"] == []


def test_alt_text_left_untranslated_is_a_warning_on_both_versions(build, tmp_path):
    pages = {"en/x.md": page("T", "Text.\n\n![Wait times by region](/assets/c.png)\n"),
             "fr/x.md": page("T fr", "![Wait times by region](/assets/c.png)\n")}
    _, findings = check(build, pages)
    assert where(tmp_path, findings, "a11y.image-alt") == [
        (EN, 7, "a11y.image-alt", "warning"), ("content/fr/x.md", 5, "a11y.image-alt", "warning")]
    assert findings[0].message == ("the alt text “Wait times by region” is the same as in the French version: "
                                   "write it in English")


def test_translated_alt_text_passes_and_the_translation_comparison_can_be_turned_off(build):
    pages = {"en/x.md": page("T", "![Wait times by region](/assets/c.png)\n"),
             "fr/x.md": page("T fr", "![Temps d'attente par région](/assets/c.png)\n")}
    assert check(build, pages)[1] == []
    same = {**pages, "fr/x.md": page("T fr", "![Wait times by region](/assets/c.png)\n")}
    config = SITE_YAML + 'checks:\n  a11y.image-alt:\n    same_as_translation: "off"\n'
    assert check(build, same, config)[1] == []


def test_an_img_without_alt_attribute_is_a_template_fault(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document('<h1>T</h1>\n<img src="/assets/logo.svg">'))
    assert where(tmp_path, findings, "a11y.image-alt") == [(EN, 1, "a11y.image-alt", "error")]
    assert findings[0].message == "the image /assets/logo.svg has no alt attribute" + TEMPLATE_NOTE


# a11y.link-text

def test_generic_bare_and_empty_link_texts_are_errors_at_their_lines(build, tmp_path):
    body = "To apply, [click here](/en/).\n\n[Read more…](/en/)\n\n<https://www.ontario.ca>\n\n[](/en/)\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings, "a11y.link-text") == [
        (EN, line, "a11y.link-text", "error") for line in (5, 7, 9, 11)]
    assert [f.message for f in findings] == [
        "the link text “click here” does not say where the link goes: use the name of the page or of what it offers",
        "the link text “Read more…” does not say where the link goes: use the name of the page or of what it offers",
        "the link text “https://www.ontario.ca” is a web address: write words that say where it goes, "
        "as [name of the page](address)",
        "the link to /en/ has no text: write words that say where it goes"]


def test_french_generic_link_text_is_found_on_its_line_in_a_paragraph(build, tmp_path):
    body = "Pour en savoir plus,\nlisez le plan : [cliquez ici](/fr/).\n"
    _, findings = check(build, {"fr/x.md": page("T fr", body)})
    assert where(tmp_path, findings, "a11y.link-text") == [("content/fr/x.md", 6, "a11y.link-text", "error")]


def test_link_text_that_names_the_page_passes(build):
    body = "Read [the 2018 vision for the OPS](/en/) or [Ontario.ca](https://www.ontario.ca).\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert findings == []


def test_a_generic_link_around_the_text_is_never_blamed_on_the_page(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document('<h1>T</h1>\n<a href="/en/">here</a>'))
    assert where(tmp_path, findings, "a11y.link-text") == []


def test_a_generic_link_text_of_a_template_is_found_at_its_template_line(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        '<a class="skip-link" href="#main-content">{{ t("skip_link") }}</a>',
        '<a class="skip-link" href="#main-content">{{ t("skip_link") }}</a> <a href="/help/">Click here</a>'),
        encoding="utf-8")
    content, config = write_tree(tmp_path, minimal_pages())
    site = build_site(Project(content, config, templates=templates), run_checks=False).site
    settings = Settings(site, accessibility.RULES)
    findings = kept(accessibility.run_site(site, None, settings))
    assert [(f.file.removeprefix(f"{tmp_path}/"), f.line, f.severity) for f in findings] == [
        ("templates/base.html", 16, "error")]
    assert findings[0].message == ("the link text “Click here” does not say where the link goes: use the name of "
                                   "the page or of what it offers (on English pages; a developer must fix the "
                                   "template)")


def test_the_links_of_the_sample_templates_pass(build):
    result, _ = check(build, {})
    assert kept(accessibility.run_site(result.site, None, Settings(result.site, accessibility.RULES))) == []


def test_a_page_may_relax_a_rule_with_a_reason(build):
    meta = {"checks": '{a11y.link-text: {severity: "off", reason: "quotes the form exactly"}}'}
    _, findings = check(build, {"en/x.md": page("T", "[Click here](/en/)\n", **meta)})
    assert findings == []


# a11y.table

TABLE = "Text.\n\n| Year | Budget |\n| --- | --- |\n| 2018 | 10 $ |\n"


def test_a_markdown_table_without_a_caption_is_a_warning(build, tmp_path):
    _, findings = check(build, {"en/x.md": page("T", TABLE)})
    assert where(tmp_path, findings, "a11y.table") == [(EN, 7, "a11y.table", "warning")]
    assert findings[0].message == ("the table has no caption: add a line `Table: ` followed by what the table shows "
                                   "just before it (in HTML, a <caption> inside the table)")


def test_a_table_with_an_empty_header_row_has_no_headers(build, tmp_path):
    body = "|   |   |\n| --- | --- |\n| 2018 | 10 $ |\n"
    _, findings = check(build, {"fr/x.md": page("T", body)})
    assert where(tmp_path, findings, "a11y.table") == [("content/fr/x.md", 5, "a11y.table", "error"),
                                                       ("content/fr/x.md", 5, "a11y.table", "warning")]
    assert [f.message for f in findings] == [
        "the table has no header cells: screen readers cannot say what each value is; make its first row the "
        "column names (in HTML, <th> cells)",
        "the table has no caption: add a line `Tableau : ` followed by what the table shows just before it "
        "(in HTML, a <caption> inside the table)"]


def test_a_table_with_headers_and_a_caption_passes(build):
    result, _ = check(build, {"en/x.md": page("T", TABLE)})
    target = next(p for p in result.site.pages if p.rel.name == "x.md")
    captioned = target.html.replace("<table>", "<table>\n<caption>Budget by year</caption>")
    findings = on_html(result, EN, target.output.replace(target.html, captioned))
    assert findings == []


def test_a_template_table_without_caption_points_at_line_1(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    table = "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2018</td></tr></tbody></table>"
    findings = on_html(result, EN, document(f"<h1>T</h1>\n{table}"))
    assert where(tmp_path, findings, "a11y.table") == [(EN, 1, "a11y.table", "warning")]


# a11y.duplicate-id

def test_a_heading_that_takes_a_template_id_points_at_the_heading(build, tmp_path):
    _, findings = check(build, {"en/x.md": page("T", "Text.\n\n## Main content\n")})
    assert where(tmp_path, findings, "a11y.duplicate-id") == [(EN, 7, "a11y.duplicate-id", "error")]
    assert findings[0].message == ('the id "main-content" is used 2 times on the page; '
                                   "a heading's id comes from its words: reword it")


def test_duplicate_ids_in_the_templates_point_at_line_1(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, EN, document('<h1>T</h1>\n<div id="a">1</div>\n<div id="a">2</div>'))
    assert where(tmp_path, findings, "a11y.duplicate-id") == [(EN, 1, "a11y.duplicate-id", "error")]
    assert findings[0].message == 'the id "a" is used 2 times on the page' + TEMPLATE_NOTE


def test_headings_with_the_same_words_get_different_ids(build):
    _, findings = check(build, {"en/x.md": page("T", "## Results\n\nA.\n\n## Results\n\nB.\n")})
    assert findings == []


# a11y.landmarks

def test_two_mains_and_unnamed_navs_are_template_faults(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    navs = '<nav aria-label="Menu"></nav>\n<nav></nav>\n<nav aria-label="Menu"></nav>\n<main></main>\n'
    findings = on_html(result, EN, document(body_extra=navs))
    assert where(tmp_path, findings, "a11y.landmarks") == [(EN, 1, "a11y.landmarks", "error")] * 4
    assert [f.message.removesuffix(TEMPLATE_NOTE) for f in findings] == [
        "the page has 2 <main> elements; it must have exactly one",
        'the page has 3 <nav> landmarks; give each a different aria-label or aria-labelledby (this one is “Menu”)',
        "the page has 3 <nav> landmarks; give each a different aria-label or aria-labelledby",
        'the page has 3 <nav> landmarks; give each a different aria-label or aria-labelledby (this one is “Menu”)']


def test_the_templates_name_every_nav_of_a_section_page(build):
    pages = {"en/pub/_index.md": page("Publication", "## A\n\nText.\n\n## B\n\nText.\n\n## C\n\nText.\n"),
             "en/pub/one.md": page("One", "Text.\n", weight=1), "en/pub/two.md": page("Two", "Text.\n", weight=2)}
    result, findings = check(build, pages)
    section = built_text(result.files[next(p for p in result.files if str(p) == "en/pub/index.html")])
    assert section.count("<nav") == 4 and findings == []


def test_the_checks_run_in_a_full_build(build, tmp_path):
    result = build({"en/x.md": page("T", "Text.\n\n## Two\n\n#### Four\n")})
    assert (EN, 9, "a11y.heading-order", "error") in where(tmp_path, result.findings, "a11y.heading-order")
