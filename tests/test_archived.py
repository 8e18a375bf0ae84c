"""Archived publications (`status: archived` and a `note` in a publication's _index.md): the notice on every page
of the publication in both languages, the label on the home page, the sitemap, the load errors and the check
that both languages say so. In a browser: test_archived_browser.py."""
import re
import xml.etree.ElementTree as ET

import pytest

from clair.model import ContentErrors
from conftest import page

NOTE_EN = "This is a 2013 document. The consultation it describes is closed."
NOTE_FR = "Ce document date de 2013 : la consultation qu'il décrit est terminée."


def archived_site(fr_status="status: archived", **extra):
    """An archived publication (a section page, a page, a subsection) and a current one, in both languages."""
    fr_meta = {"note": f'"{NOTE_FR}"'} if fr_status else {}
    fr_index = page("Objectif 2020", "Le plan de 2013.", **dict([fr_status.split(": ")] if fr_status else []),
                    **fr_meta)
    return {"en/blueprint/_index.md": page("Blueprint 2020", "The 2013 plan.", status="archived",
                                           note=f'"{NOTE_EN}"'),
            "fr/blueprint/_index.md": fr_index,
            "en/blueprint/vision.md": page("Vision", "## One\n\nA.\n\n## Two\n\nB.\n\n## Three\n\nC.\n"),
            "fr/blueprint/vision.md": page("Vision", "## Un\n\nA.\n\n## Deux\n\nB.\n\n## Trois\n\nC.\n"),
            "en/blueprint/parts/_index.md": page("Parts", "The parts."),
            "fr/blueprint/parts/_index.md": page("Parties", "Les parties."),
            "en/current/_index.md": page("Current plan", "Today's plan."),
            "fr/current/_index.md": page("Plan actuel", "Le plan d'aujourd'hui."),
            **extra}


def output(result, name):
    text = result.files[next(path for path in result.files if str(path) == name)]
    return text if isinstance(text, str) else text.decode()


NOTICE = re.compile(r'<section class="archived-notice" aria-labelledby="archived-notice-heading" data-pagefind-ignore>'
                    r'\s*<h2 id="archived-notice-heading">(.*?)</h2>\s*<p>(.*?)</p>\s*</section>')


@pytest.mark.parametrize("name, heading, note", [
    ("en/blueprint/index.html", "Historical document", NOTE_EN),
    ("en/blueprint/vision/index.html", "Historical document", NOTE_EN),
    ("en/blueprint/parts/index.html", "Historical document", NOTE_EN),
    ("en/blueprint/all/index.html", "Historical document", NOTE_EN),
    ("fr/blueprint/index.html", "Document historique", NOTE_FR.replace(" :", "\u00a0:")),
    ("fr/blueprint/vision/index.html", "Document historique", NOTE_FR.replace(" :", "\u00a0:")),
    ("fr/blueprint/tout/index.html", "Document historique", NOTE_FR.replace(" :", "\u00a0:")),
])
def test_every_page_of_an_archived_publication_shows_the_notice_after_its_title(build, name, heading, note):
    html = output(build(archived_site(), run_checks=False), name)
    found = NOTICE.findall(html)
    assert found == [(heading, note.replace("'", "&#39;"))]
    main = html.split("<main", 1)[1]
    assert re.search(r"</h1>\s*<section class=\"archived-notice\"", main)  # first after the title, before the rest


@pytest.mark.parametrize("name", ["en/current/index.html", "fr/current/index.html", "en/index.html",
                                  "fr/index.html", "en/search/index.html"])
def test_other_pages_have_no_notice(build, name):
    assert "archived-notice" not in output(build(archived_site(), run_checks=False), name)


@pytest.mark.parametrize("lang, label", [("en", "Archived"), ("fr", "Archivée")])
def test_the_home_page_labels_the_archived_publication_only(build, lang, label):
    html = output(build(archived_site(), run_checks=False), f"{lang}/index.html")
    labelled = re.findall(r'<h3><a href="[^"]+">([^<]+)</a>(?: <span class="archived-label">([^<]+)</span>)?</h3>',
                          html)
    assert sorted(labelled) == sorted([("Blueprint 2020" if lang == "en" else "Objectif 2020", label),
                                       ("Current plan" if lang == "en" else "Plan actuel", "")])


def test_the_sitemap_lists_archived_pages_at_a_lower_priority(build):
    tree = ET.fromstring(output(build(archived_site(), run_checks=False), "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    priorities = {url.find("s:loc", ns).text.split("example.ca", 1)[1]: url.findtext("s:priority", None, ns)
                  for url in tree.findall("s:url", ns)}
    assert priorities["/en/blueprint/vision/"] == priorities["/fr/blueprint/parts/"] == "0.2"
    assert priorities["/en/current/"] is None and priorities["/en/"] is None
    assert len([p for p in priorities.values() if p]) == 6  # the 3 pages of the archived publication, both languages


def test_both_languages_archived_pass_and_one_alone_is_an_error_on_the_other(build, tmp_path):
    assert [f for f in build(archived_site()).findings if f.check == "archived.both-languages"] == []
    (finding,) = [f for f in build(archived_site(fr_status="")).findings if f.check == "archived.both-languages"]
    assert (finding.file, finding.line, finding.severity) == (
        str(tmp_path / "content/fr/blueprint/_index.md"), 2, "error")
    assert finding.message.startswith("the English version of this publication is archived (`status: archived` in ")
    assert finding.message.endswith("add `status: archived` and a `note:` in French, so readers of both languages "
                                    "see the historical-document notice")


@pytest.mark.parametrize("meta, line, says", [
    ({"status": "archive"}, 4, "`status: archive` is not a status clair knows; write `status: archived` for a "
                               "publication kept for the record (every page then shows its `note`), or delete the "
                               "line for a current one. Did you mean `archived`?"),
    ({"status": "archived"}, 4, "an archived publication needs a `note:` that tells readers"),
    ({"status": "archived", "note": ""}, 4, "an archived publication needs a `note:`"),
])
def test_a_wrong_status_or_a_missing_note_is_a_load_error_at_its_line(build, tmp_path, meta, line, says):
    pages = {"en/plan/_index.md": page("Plan", "A plan.", **meta), "fr/plan/_index.md": page("Plan", "Un plan.")}
    with pytest.raises(ContentErrors) as caught:
        build(pages)
    (error,) = caught.value.errors
    assert (error.file, error.line) == (str(tmp_path / "content/en/plan/_index.md"), line)
    assert error.message.startswith(says)


def test_publication_settings_elsewhere_and_a_note_without_the_status_are_ignored_with_a_warning(build, tmp_path):
    pages = {"en/plan/_index.md": page("Plan", "A plan.", note="Old."),
             "fr/plan/_index.md": page("Plan", "Un plan."),
             "en/plan/page.md": page("Page", "Text.", status="archived", targets="{grade: 6}"),
             "fr/plan/page.md": page("Page", "Texte.")}
    result = build(pages)
    ignored = sorted((f.file.split("content/")[1], f.line, f.message.split(" is ")[0])
                     for f in result.findings if f.check == "content.ignored-value")
    assert ignored == [("en/plan/_index.md", 4, "`note`"), ("en/plan/page.md", 4, "`status`"),
                       ("en/plan/page.md", 5, "`targets`")]
    assert "archived-notice" not in output(result, "en/plan/page/index.html")


def test_the_reviewers_report_says_which_publications_are_archived(build):
    report = output(build(archived_site()), "report/index.html")
    assert '<th scope="row">Blueprint 2020 (archived)</th>' in report
    assert '<th scope="row">Current plan</th>' in report
