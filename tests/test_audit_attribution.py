"""Audit findings point at the file to fix: an element the templates write (the header, the footer's signature,
the "On this page" list, a building block's label) at the template's line, an element of the writer's Markdown
at the page's Markdown. Fed vnu's JSON messages and axe's nodes as they come, without a browser or Java.

Also: clair's own markup is HTML, not XHTML (`<img …>`, `<br>`, no `/>`), which the validator warns about."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from clair import audit
from clair.pipeline import build_site, publish
from clair.project import Project
from conftest import SITE_YAML, page, write_tree
from test_footer import PNG

BODY = """\
Welcome to the site.

## Our plan

We will do three things.

## The chart

![A chart of results](chart.png)

A line  
broken here.

::: vision
We will serve people well.
:::

## What comes next

We will report each year.
"""
SIGNATURE = """\
signature:
  en: {image: images/wordmark-en.png, alt: Government of Canada}
  fr: {image: images/wordmark-fr.png, alt: Gouvernement du Canada}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A two-page site with a picture, a line break, a building block, an "On this page" list and a signature
    picture, written out: (output folder, site, audit targets)."""
    root = tmp_path_factory.mktemp("attribution")
    content, config = write_tree(root, {"en/_index.md": page("Home", BODY),
                                        "fr/_index.md": page("Accueil", BODY)},
                                 SITE_YAML + SIGNATURE)
    for name in ("en/chart.png", "fr/chart.png", "images/wordmark-en.png", "images/wordmark-fr.png"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(PNG)
    result = build_site(Project(content, config), run_checks=False)
    out = root / "site"
    publish(result, out, search_index=False)
    return out, result.site, audit.site_targets(out, result.site)


def vnu_message(html_file: Path, start: str, text: str = "Bad value for attribute.") -> dict:
    """A vnu message about the tag starting with `start` in the built file, shaped as vnu's JSON gives it
    (the whole tag highlighted in its extract)."""
    lines = html_file.read_text(encoding="utf-8").splitlines()
    number, line = next((n, t) for n, t in enumerate(lines, 1) if start in t)
    column = line.index(start) + 1
    markup = line[column - 1:line.index(">", column - 1) + 1]
    return {"type": "error", "url": html_file.resolve().as_uri(), "lastLine": number,
            "firstColumn": column, "lastColumn": column + len(markup) - 1, "message": text,
            "extract": f"…\n{markup}\n…", "hiliteStart": 2, "hiliteLength": len(markup)}


def template_line(site, name: str, marker: str) -> tuple[str, int]:
    """A template as findings name it, and the line of it holding `marker`."""
    text = Path(site.project.template_files()[name]).read_text(encoding="utf-8")
    return site.project.template_file(name), next(n for n, t in enumerate(text.splitlines(), 1) if marker in t)


def vnu_finding(built, page_file: str, markup: str):
    out, site, targets = built
    findings = audit.vnu_findings({"messages": [vnu_message(out / page_file, markup)]}, targets, out)
    assert len(findings) == 1, findings
    return findings[0]


# ----------------------------------------------------------------------------- elements of the templates

@pytest.mark.parametrize("page_file, markup, template, marker", [
    ("en/index.html", '<img src="/media/images/wordmark-en.png" alt="Government of Canada">', "base.html",
     'class="signature"'),
    ("fr/index.html", '<a class="language-toggle"', "base.html", 'class="language-toggle"'),
    ("en/index.html", '<nav class="toc" aria-labelledby="toc-heading">', "base.html", '<nav class="toc"'),
    ("en/index.html", '<p class="block-label">', "blocks/vision.html", 'class="block-label"'),
    ("en/404.html", '<input type="search" id="site-search-query"', "base.html", 'id="site-search-query"'),
    ("fr/recherche/index.html", '<input type="search" id="search-query"', "search.html", 'id="search-query"'),
])
def test_a_vnu_finding_about_template_markup_names_the_template_and_its_line(built, page_file, markup, template,
                                                                             marker):
    found = vnu_finding(built, page_file, markup)
    assert (found.file, found.line) == template_line(built[1], template, marker), found
    assert f"comes from the template {found.file}, not from the page's Markdown" in found.message
    assert "HTML line" in found.message and found.check == "html.vnu"


def test_a_vnu_finding_about_the_404_page_s_own_text_names_its_template(built):
    found = vnu_finding(built, "fr/404.html", "<p>")
    assert (found.file, found.line) == template_line(built[1], "404.html", "<p>{{ t(\"not_found_text\") }}</p>")


def test_an_axe_finding_outside_the_markdown_names_the_template(built):
    out, site, targets = built
    target = next(t for t in targets if t.path == "/fr/")
    rule = {"id": "color-contrast", "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/color-contrast", "impact": "serious",
            "nodes": [{"target": [".language-toggle"], "impact": "serious", "inMain": False,
                       "html": '<a class="language-toggle" href="/en/" lang="en" hreflang="en">English</a>',
                       "failureSummary": "Fix any of the following:\n  Element has insufficient color contrast"}]}
    [found] = audit.axe_findings(target, [rule])
    assert (found.file, found.line) == template_line(site, "base.html", 'class="language-toggle"')
    assert found.check == "a11y.axe.color-contrast" and found.severity == "error"
    assert "comes from the template" in found.message and "/fr/" in found.message


# ----------------------------------------------------------------------------- elements of the writer's Markdown

def test_a_vnu_finding_about_the_writer_s_markup_stays_on_the_markdown(built):
    out, site, _ = built
    source = next(p for p in site.pages if p.url == "/en/")
    found = vnu_finding(built, "en/index.html", '<img src="/media/en/chart.png" alt="A chart of results">')
    assert found.file == str(source.source)
    assert found.line == next(h["line"] for h in source.headings if h["text"] == "The chart")
    assert "template" not in found.message


def test_an_axe_finding_about_the_writer_s_text_stays_on_its_markdown_line(built):
    out, site, targets = built
    target = next(t for t in targets if t.path == "/en/")
    rule = {"id": "image-alt", "help": "Images must have alternative text", "impact": "critical",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/image-alt",
            "nodes": [{"target": ["main p:nth-child(6)"], "impact": "critical", "inMain": True, "headingId": "the-chart",
                       "html": "<p>We will report each year.</p>", "text": "We will report each year."}]}
    [found] = audit.axe_findings(target, [rule])
    assert found.file == str(target.page.source)
    assert found.line == target.page.body_line + BODY.splitlines().index("We will report each year.")


# ----------------------------------------------------------------------------- clair writes HTML, not XHTML

def test_clair_s_own_markup_has_no_self_closing_slash(built):
    out, _, _ = built
    text = (out / "en/index.html").read_text(encoding="utf-8")
    assert '<img src="/media/en/chart.png" alt="A chart of results">' in text
    assert "<br>\nbroken here." in text
    assert not re.search(r"<[a-z][^<>]*/>", text), re.findall(r"<[a-z][^<>]*/>", text)
