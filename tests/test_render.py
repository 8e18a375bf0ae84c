"""Stage 3, render: Markdown, building blocks, French typography, navigation and metadata."""
import datetime as dt
import re
from pathlib import PurePosixPath

import pytest

from clair.i18n import long_date
from clair.model import ContentErrors, output_path
from clair.slug import slugify
from conftest import page


def html_of(result, lang, rel):
    return next(p for p in result.site.pages if p.lang == lang and str(p.rel) == rel).output


@pytest.mark.parametrize("url, path", [("/", "index.html"), ("/en/", "en/index.html"),
                                       ("/en/a/b/", "en/a/b/index.html")])
def test_a_page_is_written_to_the_index_of_its_address_made_once(url, path):
    """Every stage asks for each page's output path: one path per address is made, and its hash kept."""
    assert output_path(url) == PurePosixPath(path) and output_path(url) is output_path(url)


def test_heading_ids_are_ascii_slugs(build):
    result = build({"fr/a.md": page("A", "## Énoncé de vision\n"), "en/a.md": page("A", "## Vision statement\n")},
                   run_checks=False)
    assert '<h2 id="enonce-de-vision">' in html_of(result, "fr", "a.md")


@pytest.mark.parametrize("title,slug", [
    ("Le cœur du plan", "le-coeur-du-plan"),
    ("Æquo et bono", "aequo-et-bono"),
    ("Straße", "strasse"),
    ("Plan 2018–2020", "plan-2018-2020"),  # an en dash
    ("Vision — 2026", "vision-2026"),  # an em dash between spaces
    ("Énoncé de vision", "enonce-de-vision"),
])
def test_slugs_spell_out_ligatures_and_separate_at_dashes(title, slug):
    assert slugify(title) == slug


def test_heading_ids_keep_ligatures_and_dashes_readable(build):
    result = build({"fr/a.md": page("A", "## Le cœur 2018–2020\n"), "en/a.md": page("A", "## The heart\n")},
                   run_checks=False)
    assert '<h2 id="le-coeur-2018-2020">' in html_of(result, "fr", "a.md")


@pytest.mark.parametrize("day,lang,shown", [
    (dt.date(2018, 3, 1), "fr", "1er mars 2018"),
    (dt.date(2018, 3, 2), "fr", "2 mars 2018"),
    (dt.date(2018, 3, 11), "fr", "11 mars 2018"),
    (dt.date(2018, 3, 1), "en", "March 1, 2018"),
])
def test_long_dates_say_1er_for_the_first_of_the_month_in_french(day, lang, shown):
    assert long_date(day, lang) == shown


def test_raw_html_is_escaped(build):
    result = build({"en/a.md": page("A", '<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n')},
                   run_checks=False)
    html = html_of(result, "en", "a.md")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src=x" not in html


def test_you_said_block_is_a_figure_with_quote_and_attribution(build):
    body = "::: you-said\n> We need to share the work.\n\nAn employee\n:::\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    figure = re.search(r'<figure class="block block-you-said">.*?</figure>', html, re.S).group(0)
    assert "<blockquote>" in figure and "We need to share the work." in figure
    assert '<span class="block-label">You said</span><span class="attribution">An employee</span>' in figure


def test_block_labels_come_from_the_french_catalogue(build):
    html = html_of(build({"fr/a.md": page("A", "::: you-said\n> Citation.\n:::\n")}, run_checks=False), "fr", "a.md")
    assert "Vous avez dit" in html


def test_commitments_render_as_a_definition_list(build):
    body = "::: commitments\nShare data\n: We will publish data.\n:::\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert re.search(r'block-commitments">\s*<dl>\s*<dt>Share data</dt>\s*<dd>We will publish data.</dd>', html)


def test_unknown_block_names_file_and_line(build):
    with pytest.raises(ContentErrors) as caught:
        build({"en/a.md": page("A", "Intro.\n\n::: vison\nText\n:::\n")}, run_checks=False)
    [error] = caught.value.errors
    assert error.file.endswith("en/a.md") and error.line == 7 and "unknown building block `vison`" in error.message


def test_french_typography_on_french_pages_only(build):
    body = "Note: « test » ok! 12345 personnes, 25% et 1500,50$.\n"
    result = build({"fr/a.md": page("A", body), "en/a.md": page("A", "Note: 12345 people, 25%.\n")}, run_checks=False)
    french, english = html_of(result, "fr", "a.md"), html_of(result, "en", "a.md")
    assert "Note\u00a0: «\u00a0test\u00a0» ok! 12\u00a0345 personnes, 25\u00a0% et 1500,50\u00a0$." in french
    assert "Note: 12345 people, 25%." in english


def test_table_caption_and_column_headers(build):
    body = "Table: Milestones\n\n| Year | Event |\n| --- | --- |\n| 1993 | Kiosk |\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert '<table>\n<caption>Milestones</caption>' in html and '<th scope="col">Year</th>' in html


def test_md_links_become_page_urls_in_the_same_language(build):
    result = build({
        "en/pub/_index.md": page("Pub", "See [serve](serve.md#aim)."), "en/pub/serve.md": page("Serve"),
        "fr/pub/_index.md": page("Pub", "Voir [servir](serve.md#but).", slug="publication"),
        "fr/pub/serve.md": page("Servir", slug="servir"),
    }, run_checks=False)
    assert 'href="/en/pub/serve/#aim"' in html_of(result, "en", "pub/_index.md")
    assert 'href="/fr/publication/servir/#but"' in html_of(result, "fr", "pub/_index.md")


def test_language_toggle_lands_on_counterpart_or_other_home(build):
    result = build({"en/a.md": page("A"), "fr/a.md": page("A", slug="aa"), "en/only.md": page("Only")},
                   run_checks=False)
    assert '<a class="language-toggle" href="/fr/aa/" lang="fr" hreflang="fr">Français</a>' in html_of(result, "en", "a.md")
    assert 'href="/en/a/" lang="en" hreflang="en">English</a>' in html_of(result, "fr", "a.md")
    assert 'class="language-toggle" href="/fr/"' in html_of(result, "en", "only.md")


def test_head_has_title_description_canonical_and_alternates(build):
    html = html_of(build({"en/a.md": page("A", description="About A."), "fr/a.md": page("A fr")}, run_checks=False),
                   "en", "a.md")
    assert "<title>A – Test site</title>" in html
    assert '<meta name="description" content="About A.">' in html
    assert '<link rel="canonical" href="https://example.ca/en/a/">' in html
    for hreflang, url in (("en", "/en/a/"), ("fr", "/fr/a/"), ("x-default", "/en/a/")):
        assert f'<link rel="alternate" hreflang="{hreflang}" href="https://example.ca{url}">' in html


def test_footer_date_modified_in_each_language(build):
    result = build({"en/a.md": page("A", modified="2026-11-24"), "fr/a.md": page("A", modified="2026-11-24")},
                   run_checks=False)
    assert "Date modified:</span> <time datetime=\"2026-11-24\">2026-11-24</time>" in html_of(result, "en", "a.md")
    assert "Date de modification\u00a0:</span>" in html_of(result, "fr", "a.md")


def test_home_lists_publications_with_babel_date_and_plural(build):
    result = build({
        "en/pub/_index.md": page("Plan", date="2018-03-01"), "en/pub/a.md": page("A"),
        "fr/pub/_index.md": page("Plan", date="2018-03-01"), "fr/pub/a.md": page("A"),
    }, run_checks=False)
    assert "Published March 1, 2018 · 2 pages" in html_of(result, "en", "_index.md")
    assert "Publié le 1er mars 2018 · 2 pages" in html_of(result, "fr", "_index.md")


def test_long_pages_get_a_table_of_contents(build):
    body = "".join(f"## Part {n}\n\nText.\n\n" for n in range(1, 4))
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert '<nav class="toc" aria-labelledby="toc-heading">' in html and 'href="#part-3"' in html


def test_previous_and_next_follow_reading_order(build):
    result = build({
        "en/pub/_index.md": page("Pub"), "en/pub/one.md": page("One", weight=1),
        "en/pub/two.md": page("Two", weight=2),
    }, run_checks=False)
    one = html_of(result, "en", "pub/one.md")
    assert 'href="/en/pub/" rel="prev"' in one and 'href="/en/pub/two/" rel="next"' in one


def test_breadcrumbs_link_every_ancestor(build):
    result = build({"en/pub/_index.md": page("Pub"), "en/pub/one.md": page("One")}, run_checks=False)
    crumbs = re.search(r'<nav class="breadcrumbs.*?</nav>', html_of(result, "en", "pub/one.md"), re.S).group(0)
    assert '<a href="/en/">Home</a>' in crumbs and '<a href="/en/pub/">Pub</a>' in crumbs


def test_template_syntax_error_names_template_file_and_line(build, tmp_path):
    import shutil
    from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR, Project
    from clair.pipeline import build_site
    from conftest import minimal_pages, write_tree

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / "page.html").write_text('{% extends "base.html" %}\n{% block content %}{{ content }\n{% endblock %}\n')
    content, config = write_tree(tmp_path, {**minimal_pages(), "en/a.md": page("A")})
    with pytest.raises(ContentErrors) as caught:
        build_site(Project(content, config, templates), run_checks=False)
    assert caught.value.errors[0].file == f"{templates}/page.html" and caught.value.errors[0].line == 2


def test_a_build_with_its_own_templates_is_checked_against_those_templates(tmp_path):
    """The checks read the project's templates, not clair's: an extra stylesheet of theirs is no broken
    link, and a message key missing from their catalogue is reported in their template."""
    import shutil

    from clair.pipeline import build_site
    from clair.project import DEFAULT_TEMPLATES, Project
    from conftest import minimal_pages, write_tree

    templates = tmp_path / "theme"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    (templates / "assets" / "extra.css").write_text("main { margin: 0; }\n")
    head = templates / "blocks" / "head.html"
    stylesheet = '<link rel="stylesheet" href="{{ \'/assets/style.css\' | url }}">'
    head.write_text(head.read_text().replace(stylesheet, stylesheet + '<link rel="stylesheet" href="/assets/extra.css">'))
    vision = templates / "blocks" / "vision.html"
    vision.write_text(vision.read_text() + '{{ t("theme_only_key") }}\n')
    content, config = write_tree(tmp_path, minimal_pages())
    result = build_site(Project(content, config, templates))
    assert "/assets/extra.css" in result.files[PurePosixPath("en/index.html")].decode()
    assert [f for f in result.findings if f.check.startswith("links.")] == []
    [missing] = [f for f in result.findings if f.check == "parity.messages"]
    assert missing.file == f"{templates}/blocks/vision.html" and "theme_only_key" in missing.message
    assert f"{templates}/messages.yaml does not have" in missing.message
