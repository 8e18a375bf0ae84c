"""The glossary: its data file, its pages, the links from first uses, and the glossary.* checks."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import pytest

from clair.checks import RULES, Settings, kept
from clair.checks import glossary as glossary_checks
from clair.glossary import load_glossary
from clair.model import ContentError, ContentErrors, built_text
from conftest import SITE_YAML, page

ROOT = Path(__file__).resolve().parent.parent

GLOSSARY = """\
OPS:
  en:
    abbr: OPS
    term: Ontario Public Service
    definition: The people who work for the Government of Ontario.
  fr:
    abbr: FPO
    term: fonction publique de l'Ontario
    definition: Les personnes qui travaillent pour le gouvernement de l'Ontario.
CIO:
  en:
    abbr: CIO
    term: chief information officer
    definition: The manager in charge of information and technology.
  fr:
    abbr: DPI
    term: dirigeant principal de l'information
    definition: Le gestionnaire responsable de l'information et de la technologie.
    forms: ["dirigeants principaux de l'information"]
"""


def with_glossary(tmp_path, text=GLOSSARY):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "glossary.yaml").write_text(text, encoding="utf-8")


def html_of(result, lang, rel):
    return next(p for p in result.site.pages if p.lang == lang and str(p.rel) == rel).html


def file_of(result, path):
    return built_text(result.files[PurePosixPath(path)])


# ----------------------------------------------------------------------------- the data file


def load_error(tmp_path, text) -> ContentError:
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ContentError, ContentErrors)) as caught:
        load_glossary(path)
    error = caught.value
    if isinstance(error, ContentErrors):
        assert len(error.errors) == 1, error.errors
        error = error.errors[0]
    assert error.file == str(path)
    return error


def test_the_sample_glossary_loads_with_both_languages():
    glossary = load_glossary(ROOT / "data" / "glossary.yaml")
    assert len(glossary.entries["en"]) == len(glossary.entries["fr"]) >= 25
    ops = glossary.lookup("fr", "FPO")
    assert (ops.key, ops.term, ops.id, ops.url) == ("OPS", "fonction publique de l'Ontario", "sigle-fpo",
                                                    "/fr/glossaire/#sigle-fpo")
    assert glossary.lookup("en", "OPS").url == "/en/glossary/#acronym-ops"


def test_a_missing_language_is_an_error_at_the_entry(tmp_path):
    error = load_error(tmp_path, "OPS:\n  en: {abbr: OPS, term: Ontario Public Service, definition: People.}\n")
    assert error.line == 1 and "`OPS` has no `fr:` version" in error.message


def test_a_missing_field_is_an_error_at_its_language(tmp_path):
    text = GLOSSARY.replace("    term: fonction publique de l'Ontario\n", "")
    error = load_error(tmp_path, text)
    assert error.line == 6 and "`term` of the `fr` version of `OPS` is missing" in error.message


def test_an_empty_field_is_an_error_at_its_line(tmp_path):
    error = load_error(tmp_path, GLOSSARY.replace("definition: The people who work for the Government of Ontario.",
                                                  'definition: ""'))
    assert error.line == 5 and "`definition` of the `en` version of `OPS` must be a piece of text" in error.message


def test_an_unknown_field_suggests_the_right_one(tmp_path):
    error = load_error(tmp_path, GLOSSARY.replace("    definition: Le gestionnaire", "    defintion: Le gestionnaire"))
    assert error.line == 18 and "unknown field `defintion`" in error.message and "`definition`" in error.message


def test_an_abbreviation_must_be_capital_letters(tmp_path):
    error = load_error(tmp_path, GLOSSARY.replace("abbr: FPO", "abbr: F.P.O."))
    assert error.line == 7 and "`abbr: F.P.O.` must be an acronym of 2 to 6 capital letters" in error.message


def test_the_entry_is_named_by_its_english_acronym(tmp_path):
    error = load_error(tmp_path, GLOSSARY.replace("    abbr: OPS", "    abbr: OPSS"))
    assert error.line == 3 and "rename it `OPSS:`" in error.message


def test_one_acronym_cannot_have_two_entries_in_a_language(tmp_path):
    error = load_error(tmp_path, GLOSSARY.replace("abbr: DPI", "abbr: FPO"))
    assert error.line == 15 and "the fr acronym `FPO` is also used by `OPS` on line 6" in error.message


def test_the_glossary_is_read_with_the_safe_loader(tmp_path):
    error = load_error(tmp_path, "OPS: &x {en: 1}\nCIO: *x\n")
    assert error.line == 2 and "alias" in error.message


def test_a_broken_glossary_stops_the_build_with_exit_2(tmp_path):
    content = tmp_path / "content"
    for lang, title in (("en", "Home"), ("fr", "Accueil")):
        (content / lang).mkdir(parents=True)
        (content / lang / "_index.md").write_text(f"---\ntitle: {title}\ndescription: d\n---\nText.\n")
    (tmp_path / "site.yaml").write_text(SITE_YAML)
    with_glossary(tmp_path, GLOSSARY.replace("    term: Ontario Public Service\n", ""))
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(content),
                             "--config", str(tmp_path / "site.yaml")], capture_output=True, text=True)
    assert result.returncode == 2
    assert re.search(r"data/glossary\.yaml:2: error: `term` of the `en` version of `OPS` is missing", result.stderr)
    assert "Traceback" not in result.stderr


def test_the_sample_glossary_agrees_with_the_matrix_glossary():
    """The matrix keeps its own glossary for its abbr titles; both say the same thing."""
    import yaml

    matrix = yaml.safe_load((ROOT / "data/matrices/im-it-hr-annex-1.yaml").read_text(encoding="utf-8"))["glossary"]
    glossary = load_glossary(ROOT / "data" / "glossary.yaml")
    for key, item in matrix.items():
        english, french = glossary.by_key(key, "en"), glossary.by_key(key, "fr")
        assert english is not None, key
        assert item["en"].startswith(english.term) and item["fr"].startswith(french.term.split(" (")[0]), key
        assert french.abbr == item.get("fr_abbr", key), key


# ----------------------------------------------------------------------------- the glossary pages


def test_glossary_pages_list_every_entry_as_a_definition(build, tmp_path):
    with_glossary(tmp_path)
    result = build({}, run_checks=False)
    english, french = file_of(result, "en/glossary/index.html"), file_of(result, "fr/glossaire/index.html")
    assert '<html lang="en">' in english and '<html lang="fr">' in french
    assert "<h1>Glossary</h1>" in english and "<h1>Glossaire</h1>" in french
    assert ('<dt id="acronym-ops"><dfn><abbr title="Ontario Public Service">OPS</abbr></dfn></dt>\n'
            '  <dd><span class="glossary-term">Ontario Public Service</span> — '
            'The people who work for the Government of Ontario.</dd>') in english
    assert ('<dt id="sigle-fpo"><dfn><abbr title="fonction publique de l&#39;Ontario">FPO</abbr></dfn></dt>'
            in french)
    assert english.index('id="acronym-cio"') < english.index('id="acronym-ops"')  # alphabetical
    assert french.index('id="sigle-dpi"') < french.index('id="sigle-fpo"')


def test_glossary_pages_toggle_to_each_other_with_alternates(build, tmp_path):
    with_glossary(tmp_path)
    result = build({}, run_checks=False)
    english, french = file_of(result, "en/glossary/index.html"), file_of(result, "fr/glossaire/index.html")
    assert '<a class="language-toggle" href="/fr/glossaire/" lang="fr" hreflang="fr">Français</a>' in english
    assert '<a class="language-toggle" href="/en/glossary/" lang="en" hreflang="en">English</a>' in french
    for html in (english, french):
        for hreflang, url in (("en", "/en/glossary/"), ("fr", "/fr/glossaire/"), ("x-default", "/en/glossary/")):
            assert f'<link rel="alternate" hreflang="{hreflang}" href="https://example.ca{url}">' in html
    assert '<link rel="canonical" href="https://example.ca/fr/glossaire/">' in french
    assert '<li><a href="/fr/">Accueil</a></li>' in french  # breadcrumbs


def test_french_entries_sort_with_accents_folded(build, tmp_path):
    entry = "{key}:\n  en: {{abbr: {key}, term: T, definition: D.}}\n  fr: {{abbr: {fr}, term: T, definition: D.}}\n"
    pairs = (("AA", "EDA"), ("BB", "ÉCO"), ("CC", "EBB"))
    with_glossary(tmp_path, "".join(entry.format(key=key, fr=fr) for key, fr in pairs))
    french = file_of(build({}, run_checks=False), "fr/glossaire/index.html")
    assert re.findall(r"<dfn><abbr [^>]+>(\w+)</abbr>", french) == ["EBB", "ÉCO", "EDA"]


def test_every_page_links_to_its_glossary_in_the_footer_and_the_sitemap_lists_it(build, tmp_path):
    with_glossary(tmp_path)
    result = build({"en/a.md": page("A"), "fr/a.md": page("A")}, run_checks=False)
    for path, url, word in (("en/a/index.html", "/en/glossary/", "Glossary"), ("fr/a/index.html", "/fr/glossaire/",
                            "Glossaire"), ("en/404.html", "/en/glossary/", "Glossary")):
        footer = file_of(result, path).split('<footer class="site-footer">')[1]
        assert f'<p class="footer-links"><a href="{url}">{word}</a></p>' in footer, path
    sitemap = ET.fromstring(file_of(result, "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.find("s:loc", ns).text: u for u in sitemap.findall("s:url", ns)}
    glossary = urls["https://example.ca/fr/glossaire/"]
    assert {(link.get("hreflang"), link.get("href")) for link in glossary.findall("x:link", ns)} == {
        ("en", "https://example.ca/en/glossary/"), ("fr", "https://example.ca/fr/glossaire/"),
        ("x-default", "https://example.ca/en/glossary/")}
    assert "https://example.ca/en/glossary/" in urls


def test_a_site_without_a_glossary_file_has_no_glossary(build):
    result = build({"en/a.md": page("A", "The OPS.\n")})
    assert not any("glossa" in str(path) for path in result.files)
    assert "footer-links" not in file_of(result, "en/a/index.html") and "<abbr" not in html_of(result, "en", "a.md")
    assert not [f for f in result.findings if f.check.startswith("glossary.")]


def test_a_page_cannot_take_the_glossary_address(build, tmp_path):
    with_glossary(tmp_path)
    with pytest.raises(ContentErrors) as caught:
        build({"en/glossary.md": page("Words")}, run_checks=False)
    [error] = caught.value.errors
    assert error.file.endswith("content/en/glossary.md") and "is the address of the glossary page" in error.message


# ----------------------------------------------------------------------------- links from first uses


def link(lang, abbr, title, text=None):
    fragment = f"/en/glossary/#acronym-{abbr.lower()}" if lang == "en" else f"/fr/glossaire/#sigle-{abbr.lower()}"
    return f'<a href="{fragment}" class="glossary-link"><abbr title="{title}">{text or abbr}</abbr></a>'


def test_only_the_first_use_in_running_text_is_linked(build, tmp_path):
    with_glossary(tmp_path)
    body = "## The OPS today\n\nThe Ontario Public Service (OPS) serves people.\n\n- The OPS is big.\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert '<h2 id="the-ops-today">The OPS today</h2>' in html  # not in headings
    assert f"<p>The Ontario Public Service ({link('en', 'OPS', 'Ontario Public Service')}) serves people.</p>" in html
    assert "<li>The OPS is big.</li>" in html  # later uses stay plain
    assert html.count("<abbr") == 1


def test_link_text_and_code_are_not_linked(build, tmp_path):
    with_glossary(tmp_path)
    body = "See [the OPS plan](https://example.org/) and `OPS` in code.\n\nThen the OPS acts.\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert '<a href="https://example.org/">the OPS plan</a>' in html and "<code>OPS</code>" in html
    assert f"<p>Then the {link('en', 'OPS', 'Ontario Public Service')} acts.</p>" in html


def test_whole_words_case_sensitive_and_plurals(build, tmp_path):
    with_glossary(tmp_path)
    body = "TOPS, OPSX and ops are not acronyms here. Two CIOs met.\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert "TOPS, OPSX and ops are not acronyms here." in html
    assert f"Two {link('en', 'CIO', 'chief information officer', 'CIOs')} met." in html


def test_french_pages_link_the_french_acronym(build, tmp_path):
    with_glossary(tmp_path)
    body = "La fonction publique de l'Ontario (FPO) change. Le DPI et la FPO aussi. OPS reste tel quel.\n"
    html = html_of(build({"fr/a.md": page("A", body)}, run_checks=False), "fr", "a.md")
    assert f"l'Ontario ({link('fr', 'FPO', 'fonction publique de l' + chr(39) + 'Ontario')}) change." in html
    assert link("fr", "DPI", "dirigeant principal de l'information") in html
    assert html.count('class="glossary-link"') == 2 and "OPS reste" in html


def test_an_acronym_the_writer_linked_to_the_glossary_is_not_linked_again(build, tmp_path):
    with_glossary(tmp_path)
    body = "The [OPS](../glossary/#acronym-ops) serves. The OPS is big.\n"
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False), "en", "a.md")
    assert '<a href="../glossary/#acronym-ops">OPS</a> serves. The OPS is big.' in html
    assert "glossary-link" not in html


def test_raw_html_abbreviations_and_links_are_left_alone(build, tmp_path):
    with_glossary(tmp_path)
    config = SITE_YAML + "allow_raw_html: true\n"
    body = '<abbr title="Ontario Public Service">OPS</abbr> then OPS.\n'
    html = html_of(build({"en/a.md": page("A", body)}, run_checks=False, config=config), "en", "a.md")
    assert '<abbr title="Ontario Public Service">OPS</abbr> then ' + link("en", "OPS", "Ontario Public Service") in html


def test_linking_leaves_the_writers_tokens_alone(build, tmp_path):
    with_glossary(tmp_path)
    result = build({"en/a.md": page("A", "The Ontario Public Service (OPS).\n")}, run_checks=False)
    tokens = next(p for p in result.site.pages if str(p.rel) == "a.md").tokens
    assert not [c for t in tokens for c in t.children or () if c.type in ("link_open", "abbr_open")]


def test_generated_links_lead_to_existing_entries(build, tmp_path):
    with_glossary(tmp_path)
    result = build({"en/a.md": page("A", "The Ontario Public Service (OPS).\n"),
                    "fr/a.md": page("A", "La fonction publique de l'Ontario (FPO).\n")})
    assert not [f for f in result.findings if f.check == "links.internal"]


# ----------------------------------------------------------------------------- the checks


def glossary_findings(build, tmp_path, pages, config=SITE_YAML, glossary=GLOSSARY):
    with_glossary(tmp_path, glossary)
    result = build(pages, config=config, run_checks=False)
    settings = Settings(result.site, RULES)
    return kept(glossary_checks.run(result.site, result.files, settings))


def where(tmp_path, finding):
    return (Path(finding.file).relative_to(tmp_path).as_posix(), finding.line, finding.check, finding.severity)


@pytest.mark.parametrize("body, line, rule, parts", [
    pytest.param("Welcome.\n\nThe OPS serves people.\nThe Ontario Public Service is large.\n",
                 7, "glossary.first-use",
                 ["`OPS` is used here before the page says what it stands for", "“Ontario Public Service (OPS)”"],
                 id="first-use-before-the-expansion-warns-at-its-line"),
    pytest.param("Our people serve\nthe CIO well.\n", 6, "glossary.first-use", [],
                 id="first-use-on-a-later-line-of-a-paragraph"),
    pytest.param("## The OPS\n\nIt serves the OPS well.\n", 7, "glossary.first-use", [],
                 id="headings-are-not-first-uses-but-the-text-after-them-is"),
    pytest.param("Welcome.\n\nThe Ontario Public Service (OPS) and the\nXYZ team. The XYZ again.\n",
                 8, "glossary.unknown",
                 ["`XYZ` looks like an acronym but is not in the glossary; add it to", "data/glossary.yaml"],
                 id="an-acronym-missing-from-the-glossary-warns-once-at-its-first-line"),
])
def test_one_warning_at_its_line(build, tmp_path, body, line, rule, parts):
    [finding] = glossary_findings(build, tmp_path, {"en/a.md": page("A", body)})
    assert where(tmp_path, finding) == ("content/en/a.md", line, rule, "warning")
    for part in parts:
        assert part in finding.message


def test_an_expanded_first_use_passes(build, tmp_path):
    pages = {"en/a.md": page("A", "The Ontario Public Service (OPS) serves people. The OPS is big.\n"),
             "en/b.md": page("B", "The OPS (Ontario Public Service) serves people.\n"),
             "en/c.md": page("C", "## Ontario Public Service\n\nThe OPS serves people.\n"),
             "en/d.md": page("D", "Two chief information officers (CIOs) met.\n")}
    assert glossary_findings(build, tmp_path, pages) == []


def test_a_link_the_writer_made_to_the_glossary_counts(build, tmp_path):
    pages = {"en/a.md": page("A", "The [OPS](/en/glossary/#acronym-ops) serves people.\n"),
             "en/b/_index.md": page("B"),
             "en/b/c.md": page("C", "The [CIO](../../glossary/#acronym-cio) met people.\n"),
             "fr/a.md": page("A", "La [FPO](/fr/glossaire/) sert les gens.\n")}
    assert glossary_findings(build, tmp_path, pages) == []


def test_french_first_use_with_the_french_term_and_forms(build, tmp_path):
    pages = {"fr/a.md": page("A", "La FPO sert les gens.\n"),
             "fr/b.md": page("B", "La fonction publique de l’Ontario (FPO) sert les gens.\n"),
             "fr/c.md": page("C", "Des dirigeants principaux de l'information (DPI) se sont réunis.\n")}
    [finding] = glossary_findings(build, tmp_path, pages)
    assert where(tmp_path, finding) == ("content/fr/a.md", 5, "glossary.first-use", "warning")
    assert "« fonction publique de l'Ontario (FPO) »" in finding.message


def test_the_site_can_make_first_use_an_error(build, tmp_path):
    config = SITE_YAML + "checks:\n  glossary.first-use:\n    severity: error\n"
    [finding] = glossary_findings(build, tmp_path, {"en/a.md": page("A", "The OPS.\n")}, config)
    assert finding.severity == "error"


def test_unknown_acronyms_in_titles_and_headings_count(build, tmp_path):
    findings = glossary_findings(build, tmp_path, {"en/a.md": page("The ABC plan", "## About DEF\n\nText.\n")})
    assert [(f.check, f.line, f.message.split("`")[1]) for f in findings] == [
        ("glossary.unknown", 2, "ABC"), ("glossary.unknown", 5, "DEF")]


def test_known_acronyms_roman_numerals_and_ignored_words_pass(build, tmp_path):
    config = SITE_YAML + "checks:\n  glossary.unknown:\n    ignore: [XYZ, IV]\n"
    body = "The Ontario Public Service (OPS) wrote schedule IV and the XYZ file.\n"
    assert glossary_findings(build, tmp_path, {"en/a.md": page("A", body)}, config) == []
    assert glossary_findings(build, tmp_path, {"en/a.md": page("A", "Schedules I, IV and V.\n")}) == []


def test_an_english_acronym_on_a_french_page_names_the_french_one(build, tmp_path):
    body = "La fonction publique de l'Ontario (OPS) sert les gens.\n"
    [finding] = glossary_findings(build, tmp_path, {"fr/a.md": page("A", body)})
    assert where(tmp_path, finding) == ("content/fr/a.md", 5, "glossary.unknown", "warning")
    assert "`OPS` is the English acronym of “Ontario Public Service”; on this page write `FPO`" in finding.message


def test_the_checks_are_registered_with_documented_defaults():
    from clair.checks import RULES

    defaults = {declared.id: declared.defaults() for declared in RULES}
    assert defaults["glossary.first-use"] == {"severity": "warning"}
    assert defaults["glossary.unknown"]["severity"] == "warning" and "IV" in defaults["glossary.unknown"]["ignore"]
