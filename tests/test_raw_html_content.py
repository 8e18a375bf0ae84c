"""Raw HTML is content: its text, headings, links, tables and ids are checked like Markdown, at their own lines;
HTML indented into a code block, and HTML a site shows as text, are reported.

Real excerpts of pages that mix HTML and Markdown: cds-snc/digital-canada-ca (MIT licence, commit 20c68d8,
content/en/blog/posts/writing-privacy-notices-that-are-easy-to-read-and-understand.md) and canada-ca/design-system
(a Government of Canada publication, commit 07a2d21, specifications/usage-canadaca-design.md).
"""
import pytest

from clair.checks.html import TEMPLATE_NOTE
from clair.sanitize import sanitise_html, take_line_marks
from conftest import SITE_YAML, page

RAW_HTML = SITE_YAML + "allow_raw_html: true\n"
EN = "content/en/x.md"  # page("T", body): the body starts on line 5

# canada-ca/design-system: one HTML block (no blank line), as exported from the CMS. Body lines 1 to 12.
DESIGN_SYSTEM = """\
<p>The Canada.ca Specifications are referenced in the <a href="http://www.tbs-sct.gc.ca/pol/doc-eng.aspx?id=30682">Directive on the Management of Communications and Federal Identity</a>.</p>
<p><a href="/specifications/usage-canadaca-design/institutions-list.html">These organizations</a> must apply Canada.ca design requirements for all their public-facing websites or digital services, regardless of the technology, domain name (both canada.ca and gc.ca) or publishing platform through which these are delivered.</p>
<h2>Out-of-scope situations</h2>
<p>The Canada.ca global header and footer design may not be applied or replicated in the following  situations:</p>
<ul>
  <li>internal-facing websites or digital services </li>
  <li>enterprises and organizations that are not part of the Government of Canada </li>
</ul>
<h4>Global header</h4>
<ul type="disc">
  <li>Change the contents of the global navigation menu so that they are clearly different</li>
</ul>
"""
LONG = "These organizations must apply"  # the sentence of body line 2 (36 words)

# cds-snc/digital-canada-ca: WordPress blocks separated by blank lines. Body lines 1, 5 and 9.
DIGITAL = """\
<p>Privacy notices and website privacy policies can be long documents with confusing language that often never get read. But what if they were shorter &#8211; <strong>let’s say 80% shorter?</strong></p>



<h2 class="wp-block-heading" id="h-it-takes-a-village"><strong>It takes a village</strong></h2>



<p>In June 2020, the Canadian Digital Service (CDS) was asked to work with Health Canada to develop and launch
an exposure notification service to help limit the spread of COVID-19. Public trust was a priority.</p>
"""
FRENCH = "<p>Les avis de confidentialité peuvent être longs.</p>\n"


def build_one(build, body, config=RAW_HTML, french=FRENCH):
    """Build an English page (and a French one) with every check; the findings about the English page."""
    result = build({"en/x.md": page("T", body), "fr/x.md": page("T fr", french)}, config=config)
    return [f for f in result.findings if f.file.endswith(EN)]


def lines(findings, rule):
    return [f.line for f in findings if f.check == rule]


def messages(findings, rule):
    return [f.message for f in findings if f.check == rule]


# Prose: readability and the other checks that read paragraphs

def test_a_long_sentence_inside_an_html_block_is_reported_at_its_own_line(build):
    findings = build_one(build, DESIGN_SYSTEM)
    long_ones = [f for f in findings if f.check == "readability.sentence-length" and LONG in f.message]
    assert [f.line for f in long_ones] == [6]  # body line 2 of one block that starts on line 5
    assert "36 words" in long_ones[0].message


def test_a_sentence_on_the_second_line_of_a_paragraph_is_at_that_line(build):
    findings = build_one(build, DIGITAL.replace("a priority.", "a foundational priority for COVID Alert: "
                                                "widespread adoption of the app depended on it, and protecting users’ "
                                                "privacy was a critical part of maintaining this trust."))
    assert lines(findings, "readability.sentence-length") == [13, 14]  # "In June 2020 …", then "Public trust …"


def test_short_sentences_inside_html_pass(build):
    body = "<div>\n<p>Write short sentences.</p>\n<p>Readers thank you for it.</p>\n</div>\n"
    assert lines(build_one(build, body), "readability.sentence-length") == []


def test_text_the_sanitiser_removes_is_not_read(build):
    long_script = "<script>" + " ".join(["word"] * 40) + ".</script>\n<p>Short text here.</p>\n"
    assert lines(build_one(build, long_script), "readability.sentence-length") == []


# Rendered elements: headings, links, tables and ids at their lines, not on the templates

def test_a_skipped_heading_level_inside_html_is_blamed_at_its_line(build):
    findings = build_one(build, DESIGN_SYSTEM)
    assert lines(findings, "a11y.heading-order") == [13]  # the <h4> on body line 9
    assert messages(findings, "a11y.heading-order") == [
        "the heading “Global header” is level 4 (####) but follows a level 2 heading: make it level 3 (###)"]


def test_headings_in_order_inside_html_pass(build):
    findings = build_one(build, DESIGN_SYSTEM.replace("h4>", "h3>"))
    assert lines(findings, "a11y.heading-order") == []


def test_duplicate_ids_inside_html_are_at_their_line(build):
    body = DIGITAL + '\n<p id="h-it-takes-a-village">Read the notice.</p>\n'
    findings = build_one(build, body)
    assert lines(findings, "a11y.duplicate-id") == [9]
    assert messages(findings, "a11y.duplicate-id") == [
        'the id "h-it-takes-a-village" is used 2 times on the page; change the id written in the page\'s HTML']


def test_distinct_ids_inside_html_pass(build):
    findings = build_one(build, DIGITAL + '\n<p id="h-read-the-notice">Read the notice.</p>\n')
    assert lines(findings, "a11y.duplicate-id") == []


def test_links_and_tables_inside_html_are_at_their_lines(build):
    body = ('Intro.\n\n<p>To learn more,\n<a href="https://digital.canada.ca/">click here</a>.</p>\n\n'
            "<table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n</table>\n")
    findings = build_one(build, body)
    assert lines(findings, "a11y.link-text") == [8]  # the <a>, on the second line of its paragraph
    assert lines(findings, "a11y.table") == [10, 10]  # no header row, no caption
    assert not any(TEMPLATE_NOTE in f.message for f in findings)


def test_an_inline_html_link_is_at_its_line(build):
    findings = build_one(build, 'Intro text.\n\nTo learn more,\nread <a href="https://digital.canada.ca/">here</a>.\n')
    assert lines(findings, "a11y.link-text") == [8]


def test_a_markdown_table_after_an_html_table_keeps_its_own_line(build):
    body = ("<table>\n<caption>Raw</caption>\n<thead><tr><th>A</th></tr></thead>\n</table>\n\n"
            "| B |\n| - |\n| 1 |\n")
    findings = build_one(build, body)
    assert lines(findings, "a11y.table") == [10]  # the Markdown table, without a caption


# Parity: structure and links inside raw HTML

def test_a_heading_only_the_english_html_has_is_a_structure_difference_at_its_line(build):
    findings = build_one(build, DIGITAL, french=FRENCH + "\n<p>Le public doit nous faire confiance.</p>\n")
    assert lines(findings, "parity.structure") == [9]
    assert "a level-2 heading here (“It takes a village”)" in messages(findings, "parity.structure")[0]


def test_an_html_heading_matches_a_markdown_heading(build):
    french = FRENCH + "\n## Il faut tout un village\n\n<p>Le public doit nous faire confiance.</p>\n"
    assert lines(build_one(build, DIGITAL, french=french), "parity.structure") == []


def test_a_link_inside_html_counts_for_link_parity(build):
    link = '<p>Read <a href="https://digital.canada.ca/product-suite/">our products</a>.</p>\n'
    french_with = '<p>Lisez <a href="https://digital.canada.ca/product-suite/">nos produits</a>.</p>\n'
    assert lines(build_one(build, link, french="<p>Lisez nos produits.</p>\n"), "parity.links") == [5]
    assert lines(build_one(build, link, french=french_with), "parity.links") == []


# HTML indented into a code block

INDENTED = "Example:\n\n    <div class=\"row\">\n      <p>Using page feedback.</p>\n    </div>\n"


@pytest.mark.parametrize("config", [SITE_YAML, RAW_HTML], ids=["escaped", "allowed"])
def test_indented_html_is_a_warning_at_its_line(build, config):
    findings = [f for f in build_one(build, INDENTED, config=config) if f.check == "content.indented-html"]
    assert [(f.line, f.severity) for f in findings] == [(7, "warning")]
    assert findings[0].message == ("this HTML is indented by 4 spaces or more, so it shows as code on the page; "
                                   "remove the indentation (or fence it with ``` if it is meant as an example)")


@pytest.mark.parametrize("body", [
    INDENTED.replace("    <", "<"),  # not indented
    "Example:\n\n```html\n<div class=\"row\">\n</div>\n```\n",  # fenced
    "Example:\n\n    print('<div>')\n",  # code that is not HTML
], ids=["not-indented", "fenced", "not-html"])
def test_html_that_is_not_indented_code_passes(build, body):
    assert lines(build_one(build, body), "content.indented-html") == []


# HTML on a site that shows it as text

def test_html_on_a_site_that_escapes_it_says_it_shows_as_text(build):
    findings = build_one(build, "Intro.\n\n" + DIGITAL, config=SITE_YAML)
    assert [(f.line, f.severity) for f in findings if f.check == "content.html-as-text"] == [(7, "warning")]
    assert messages(findings, "content.html-as-text")[0].startswith(
        "`<p>` here and the HTML on 3 more lines shows on the page as text, tags included")
    assert "set `allow_raw_html: true` in site.yaml" in messages(findings, "content.html-as-text")[0]


@pytest.mark.parametrize("body, config", [
    (DIGITAL, RAW_HTML),  # the site lets HTML through
    ("Type `<p>` to start a paragraph, or write &lt;p&gt;.\n", SITE_YAML),  # shown as text on purpose
    ("Replace <your name> with your name.\n", SITE_YAML),  # not an HTML element
], ids=["allowed", "code-and-entities", "not-html"])
def test_html_shown_on_purpose_or_let_through_passes(build, body, config):
    assert lines(build_one(build, body, config=config), "content.html-as-text") == []


# HTML the sanitiser removes

PICTURE = ('<p>This chart compares the two notices.</p>\n<img decoding="async" loading="lazy" '
           'src="https://articles.alpha.canada.ca/uploads/sites/25/2023/01/Privacy-notice-word-count.png" '
           'alt="A chart titled Privacy notice word count" class="wp-image-791">\n')


def test_a_picture_in_html_says_it_is_not_published_and_how_to_write_it(build):
    findings = build_one(build, "Intro.\n\n" + PICTURE + "\nText with <iframe src=\"https://x.ca\"></iframe>.\n")
    assert [(f.line, f.severity) for f in findings if f.check == "content.html-removed"] == [
        (8, "warning"), (10, "warning")]
    picture, frame = messages(findings, "content.html-removed")
    assert picture.startswith("the picture https://articles.alpha.canada.ca/uploads/sites/25/2023/01/Privacy-notice-"
                              "word-count.png is not published")
    assert picture.endswith("write ![A chart titled Privacy notice word count](picture.png) instead")
    assert frame.startswith("this frame (<iframe>) is not published")


@pytest.mark.parametrize("body, config", [
    ("<p>This chart compares the two notices.</p>\n\n![A chart](chart.png)\n", RAW_HTML),  # a Markdown picture
    (PICTURE, SITE_YAML),  # shown as text: content.html-as-text says so
], ids=["markdown-picture", "escaped"])
def test_pictures_that_are_published_or_shown_as_text_pass(build, body, config):
    assert lines(build_one(build, body, config=config), "content.html-removed") == []


# The written pages: the line marks never reach them

def test_line_marks_are_taken_out_exactly():
    fragment = '<div id="a">\n<p>One\n<a href="https://x.ca">two</a></p>\n<script>x</script>\n</div>\n'
    marked = sanitise_html(fragment, 10)
    unmarked, lines_at = take_line_marks(marked)
    assert unmarked == sanitise_html(fragment)
    assert {unmarked[offset:offset + 2]: line for offset, line in lines_at.items()} == {"<d": 10, "<p": 11, "<a": 12}


def test_a_built_page_with_raw_html_holds_no_mark(build):
    result = build({"en/x.md": page("T", DESIGN_SYSTEM + "\nText <b>bold</b>.\n"), "fr/x.md": page("T", FRENCH)},
                   config=RAW_HTML)
    built = result.files[next(p for p in result.site.pages if str(p.source).endswith(EN)).output_path]
    text = built.decode() if isinstance(built, bytes) else built
    assert "\0" not in text and "<h4>Global header</h4>" in text and "<b>bold</b>" in text
