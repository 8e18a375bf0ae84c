"""Translation parity rules on small built sites: a failing and a passing fixture for each rule."""
import dataclasses
import hashlib
import shutil

import pytest

from clair.checks import Settings, kept, parity
from clair.model import ContentErrors
from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR
from conftest import SITE_YAML, page

EN_PROSE = ("We will ask the people who use our services to help us design them. We will test new ideas "
            "with them early and often, and we will change what does not work for them. This is how we "
            "will build services that people trust and want to use every day of the year.")
FR_PROSE = ("Nous demanderons aux personnes qui utilisent nos services de nous aider à les concevoir. Nous "
            "mettrons les nouvelles idées à l'essai avec elles tôt et souvent, et nous changerons ce qui ne "
            "fonctionne pas pour elles. C'est ainsi que nous bâtirons des services auxquels les gens font "
            "confiance et qu'ils veulent utiliser tous les jours de l'année.")


def check(build, pages, config=SITE_YAML):
    """Build the pages and run the parity rules alone (not the other check modules)."""
    result = build(pages, run_checks=False, config=config)
    settings = Settings(result.site, parity.RULES)
    return kept(parity.run(result.site, result.files, settings))


def found(findings, rule, tmp_path):
    """(file, line, severity, related file, related line) of each finding of one rule, paths under content/."""
    def rel(path):
        return path and str(path).replace(str(tmp_path / "content") + "/", "")
    return sorted((rel(f.file), f.line, f.severity, rel(f.related_file), f.related_line)
                  for f in findings if f.check == rule)


def messages(findings, rule, ending=""):
    """Messages of one rule, in file order, of the files whose path ends with `ending`."""
    return [f.message for f in sorted(findings) if f.check == rule and f.file.endswith(ending)]


# parity.missing

def test_a_page_without_french_names_the_file_to_create(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "Text.\n")})
    assert found(findings, "parity.missing", tmp_path) == [("en/a.md", 1, "error", None, None)]
    assert messages(findings, "parity.missing") == [
        f"this page has no French version; create {tmp_path / 'content/fr/a.md'}"]


def test_a_french_page_without_english_is_missing_too(build, tmp_path):
    findings = check(build, {"fr/b/_index.md": page("B", "Texte.\n")})
    assert found(findings, "parity.missing", tmp_path) == [("fr/b/_index.md", 1, "error", None, None)]
    assert str(tmp_path / "content/en/b/_index.md") in messages(findings, "parity.missing")[0]


def test_paired_pages_are_not_missing(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", translation_key="k"), "fr/b.md": page("B", translation_key="k")})
    assert found(findings, "parity.missing", tmp_path) == []


# parity.structure

STRUCTURED_EN = """\
::: vision
To serve people well.
:::

## What we heard

- One
- Two
  - Two and a half

| Year | Staff |
| --- | --- |
| 2018 | 60 |

![A chart](chart.png)

> A quotation.

::: commitments
Design with people
: We will ask them.

Share data
: We will publish it.
:::
"""
STRUCTURED_FR = """\
::: vision
Bien servir les gens.
:::

## Ce que nous avons entendu

- Un
- Deux
  - Deux et demi

| Année | Personnel |
| --- | --- |
| 2018 | 60 |

![Un graphique](chart.png)

> Une citation.

::: commitments
Concevoir avec les gens
: Nous leur demanderons.

Partager les données
: Nous les publierons.
:::
"""


def test_matching_structure_passes(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", STRUCTURED_EN), "fr/a.md": page("A", STRUCTURED_FR)})
    assert found(findings, "parity.structure", tmp_path) == []


@pytest.mark.parametrize("english, french, where, message", [
    pytest.param(STRUCTURED_EN, STRUCTURED_FR.replace("## Ce que nous avons entendu\n\n", ""),
                 ("en/a.md", 9, "error", "fr/a.md", 9),
                 "The English has a level-2 heading here (“What we heard”) that the French does not have.",
                 id="a-heading-only-the-english-has"),
    pytest.param(STRUCTURED_EN,
                 STRUCTURED_FR.replace("- Deux\n", "- Deux\n- Trois\n").replace("::: vision", "::: promise"),
                 ("fr/a.md", 5, "error", "en/a.md", 5),
                 "The French has a `promise` block here where the English has a `vision` block.",
                 id="only-the-first-difference-is-reported"),
    pytest.param(STRUCTURED_EN, STRUCTURED_FR.replace("- Deux\n", "- Deux\n- Trois\n"),
                 ("fr/a.md", 13, "error", "en/a.md", 13),
                 "The English list lacks this item (“Trois”): add it to the English list, or delete it here.",
                 id="a-list-with-a-different-number-of-items"),
    pytest.param(STRUCTURED_EN, STRUCTURED_FR.replace("| 2018 | 60 |\n", "| 2018 | 60 |\n| 2019 | 70 |\n"),
                 ("fr/a.md", 18, "error", "en/a.md", 18),
                 "The English table lacks this row (starting “2019”): add it to the English table, or delete it here.",
                 id="a-table-with-a-row-only-the-french-has"),
    pytest.param(STRUCTURED_EN.replace("| Year |", "Table: Staff by year\n\n| Year |"), STRUCTURED_FR,
                 ("fr/a.md", 15, "error", "en/a.md", 17),
                 "The French has a table of 2 rows and 2 columns here where the English has a table of 2 rows and "
                 "2 columns with a caption.",
                 id="a-table-caption-only-the-english-has"),
    pytest.param(STRUCTURED_EN, STRUCTURED_FR.replace("> Une citation.", "> Une citation.\n\n![Une photo](photo.png)"),
                 ("fr/a.md", 23, "error", "en/a.md", 23),
                 "The French has an image here (“Une photo”) that the English does not have.",
                 id="an-image-only-the-french-has"),
    pytest.param(STRUCTURED_EN, STRUCTURED_FR.replace("\nPartager les données\n: Nous les publierons.\n", ""),
                 ("en/a.md", 27, "error", "fr/a.md", 26),
                 "The English has a commitment here (“Share data”) that the French does not have.",
                 id="a-commitment-only-the-english-has"),
])
def test_the_first_structure_difference_names_both_lines(build, tmp_path, english, french, where, message):
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.structure", tmp_path) == [where]
    assert messages(findings, "parity.structure") == [message]


# parity.facts

def test_numbers_match_across_conventions(build, tmp_path):
    english = ("In 2018, 1,500 people (25%) got $1.5 million, or $1,500.50 each, on November 24, 2026.\n\n"
               "Growth was 1.5 times; 40 per cent said yes.\n")
    french = ("En 2018, 1 500 personnes (25 %) ont reçu 1,5 million $, soit 1 500,50 $ chacune, "
              "le 24 novembre 2026.\n\nLa croissance était de 1,5 fois; 40 pour cent ont dit oui.\n")
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.facts", tmp_path) == []


def test_a_french_decimal_comma_is_not_an_english_thousands_comma(build, tmp_path):
    """`1,500` in French is one and a half, unless the English says fifteen hundred: then it is written the
    English way, and reported once, by parity.french-number-format."""
    findings = check(build, {"en/a.md": page("A", "We hired 1.5 people.\n"),
                             "fr/a.md": page("A", "Nous avons embauché 1,500 personnes.\n")})
    assert found(findings, "parity.facts", tmp_path) == []
    findings = check(build, {"en/a.md": page("A", "We hired 1,500 people.\n"),
                             "fr/a.md": page("A", "Nous avons embauché 1,500 personnes.\n")})
    assert found(findings, "parity.facts", tmp_path) == []
    assert found(findings, "parity.french-number-format", tmp_path) == [("fr/a.md", 5, "error", "en/a.md", 5)]


def test_a_number_in_a_cell_after_a_lowercase_word_is_a_number(build, tmp_path):
    """`| Rives du lac | 27 |`: the cell break before 27 used to make `lac` read as a code's letters (`mp3`)."""
    english = "| Region | Offices | Clients |\n| --- | ---: | ---: |\n| Lakeshore | 27 | 39,779 |\n"
    french = "| Région | Bureaux | Clients |\n| --- | ---: | ---: |\n| Rives du lac | 27 | 39 779 |\n"
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.facts", tmp_path) == []
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french.replace("| 27 |", "| 28 |"))})
    assert len(found(findings, "parity.facts", tmp_path)) == 2  # 27 missing here, 28 missing there


def test_a_number_the_french_has_fewer_times(build, tmp_path):
    english = "We grew 25% in 2017.\n\nWe met our goal.\n\nWe grew 25% again.\n"
    french = "Nous avons crû de 25 % en 2017.\n\nNous avons atteint notre but.\n\nNous avons crû encore.\n"
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.facts", tmp_path) == [("en/a.md", 9, "error", "fr/a.md", 9)]
    assert messages(findings, "parity.facts")[0].startswith("“25%” is in the English 2 times but in the French 1 time")


@pytest.mark.parametrize("english, french", [
    # the month of a date in digits is the month named in the other language (digital-canada-ca reported the 07)
    ("Updated July 18, 2017.\n", "Mise à jour : 2017-07-18.\n"),
    ("Updated 2017-07-08.\n", "Mise à jour le 8 juillet 2017.\n"),
    ("Updated 2017-07-08.\n", "Mise à jour : 2017-07-08.\n"),
    # a year written again to end a range of dates counts once (gcds-docs reported a 2026)
    ("## Quarter 1: April to June 2026\n", "## 1er trimestre : avril 2026 à juin 2026\n"),
    ("From April 1, 2026 to June 30, 2026.\n", "Du 1er avril au 30 juin 2026.\n"),
    ("From April 2026 to June 2026.\n", "D'avril à juin 2026.\n"),
])
def test_dates_written_each_languages_way_are_the_same_facts(build, tmp_path, english, french):
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.facts", tmp_path) == []


def test_a_month_named_is_no_partner_for_a_number_that_is_not_a_month(build, tmp_path):
    """A month's name stands in only for the month of a date in digits: `December 25` is no partner for the 12
    of `12 °C`, and a date whose month differs is still reported."""
    findings = check(build, {"en/a.md": page("A", "On December 25, it was 5 °C.\n"),
                             "fr/a.md": page("A", "Le 25 décembre, il faisait 12 °C.\n")})
    assert messages(findings, "parity.facts") == [
        "“5” is in the English 1 time but in the French not at all; every number, date and amount must be in both "
        "versions (this one has no partner)",
        "“12” is in the French 1 time but in the English not at all; every number, date and amount must be in both "
        "versions (this one has no partner)"]
    findings = check(build, {"en/a.md": page("A", "Updated 2021-06-02.\n"),
                             "fr/a.md": page("A", "Mise à jour : 2021-10-02.\n")})
    assert [m.split(" is in")[0] for m in messages(findings, "parity.facts")] == ["“06”", "“10”"]


def test_a_year_written_again_elsewhere_counts_again(build, tmp_path):
    """Two ranges sharing a year, wrapped differently in each language (the design system's style guide), a year in
    two cells, a date written again further on: each year is counted, and one missing from one side is found."""
    table = "\n\n| 2012 | 2012 |\n| - | - |\n"
    findings = check(build, {"en/a.md": page("A", "For 2011 to 2012 and 2012 to 2013." + table),
                             "fr/a.md": page("A", "Pour 2011 à 2012\net 2012 à 2013." + table)})
    assert found(findings, "parity.facts", tmp_path) == []
    findings = check(build, {"en/a.md": page("A", "| 2012 | 2012 |\n| - | - |\n"),
                             "fr/a.md": page("A", "| 2012 | - |\n| - | - |\n")})
    assert len(found(findings, "parity.facts", tmp_path)) == 1
    far = "Write July 31, 2016, or just July 31 if the year is already clear.  \nNot July 31st, 2016.\n"
    near = "Écrivez 31 juillet 2016, ou 31 juillet si l'année est claire, et non 31 juillet.\n"
    findings = check(build, {"en/a.md": page("A", far), "fr/a.md": page("A", near)})
    assert [m.split(";")[0] for m in messages(findings, "parity.facts")] == [
        "“2016” is in the English 2 times but in the French 1 time"]
    english, french = "## Quarter 1: April to June 2026\n\n", "## 1er trimestre : avril 2026 à juin 2026\n\n"
    findings = check(build, {"en/a.md": page("A", english + "We report in 2026.\n"),
                             "fr/a.md": page("A", french + "Nous rendons compte.\n")})
    assert [m.split(";")[0] for m in messages(findings, "parity.facts")] == [
        "“2026” is in the English 2 times but in the French 1 time"]


def test_the_one_that_starts_a_range_goes_without_saying(build, tmp_path):
    """gcds-docs: « une structure de 1 à 3 niveaux » for "a structure of up to 3 levels"; a range that starts
    elsewhere is still compared."""
    findings = check(build, {"en/a.md": page("A", "Use up to 3 levels.\n"),
                             "fr/a.md": page("A", "Employez de 1 à 3 niveaux.\n")})
    assert found(findings, "parity.facts", tmp_path) == []
    findings = check(build, {"en/a.md": page("A", "Use up to 3 levels.\n"),
                             "fr/a.md": page("A", "Employez de 2 à 3 niveaux.\n")})
    assert [m.split(" is in")[0] for m in messages(findings, "parity.facts")] == ["“2”"]


def test_a_percentage_is_not_a_plain_number(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "Half of you, 50%, said yes.\n"),
                             "fr/a.md": page("A", "La moitié d'entre vous, 50, a dit oui.\n")})
    assert found(findings, "parity.facts", tmp_path) == [("en/a.md", 5, "error", "fr/a.md", 5),
                                                         ("fr/a.md", 5, "error", "en/a.md", 5)]


def test_a_year_in_the_french_title_only(build, tmp_path):
    findings = check(build, {"en/a.md": page("Our plan", "Text.\n"), "fr/a.md": page("Notre plan 2018", "Texte.\n")})
    assert found(findings, "parity.facts", tmp_path) == [("fr/a.md", 2, "error", "en/a.md", 2),
                                                         ("fr/a.md", 3, "error", "en/a.md", 3)]


def test_numbers_in_table_captions_count(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "Table: Staff in 2018\n\n| Year | Staff |\n| --- | --- |\n"),
                             "fr/a.md": page("A", "Tableau : Personnel\n\n| Année | Personnel |\n| --- | --- |\n")})
    assert found(findings, "parity.facts", tmp_path) == [("en/a.md", 5, "error", "fr/a.md", 5)]


# parity.links

def test_a_link_into_the_other_language_is_an_error(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "Read [the French](/fr/) or [this](../../fr/a/).\n"),
                             "fr/a.md": page("A", "Lisez [l'anglais](/en/a/).\n")})
    assert found(findings, "parity.links", tmp_path) == [("en/a.md", 5, "error", None, None),
                                                         ("en/a.md", 5, "error", None, None),
                                                         ("fr/a.md", 5, "error", None, None)]
    assert messages(findings, "parity.links")[0].startswith(
        "this English page links to the French page /fr/; link to the English version, or")


def test_a_deliberate_language_switch_is_marked_with_its_title(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", 'Read [the French](/fr/a/ "lang:fr").\n'),
                             "fr/a.md": page("A", 'Lisez [l’anglais](/en/a/ "lang:en").\n')})
    assert found(findings, "parity.links", tmp_path) == []


def test_an_outside_link_only_the_english_has(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "See [the data](https://data.example.org/a).\n\nMore.\n"),
                             "fr/a.md": page("A", "Voyez les données.\n\nPlus.\n")})
    assert found(findings, "parity.links", tmp_path) == [("en/a.md", 5, "error", "fr/a.md", 5)]


def test_known_address_pairs_count_as_the_same_link(build, tmp_path):
    config = SITE_YAML + "checks:\n  parity.links:\n    url_pairs: [[\"https://ontario.ca/page\", \"https://ontario.ca/fr/page\"]]\n"
    findings = check(build, {"en/a.md": page("A", "See [jobs](https://ontario.ca/page/jobs/) and "
                                                  "[mail](mailto:a@example.org).\n"),
                             "fr/a.md": page("A", "Voyez les [emplois](https://ontario.ca/fr/page/jobs) et "
                                                  "[courriel](mailto:a@example.org).\n")}, config)
    assert found(findings, "parity.links", tmp_path) == []


def test_the_default_pairs_know_canada_ca(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "See [jobs](https://www.canada.ca/en/jobs.html).\n"),
                             "fr/a.md": page("A", "Voyez les [emplois](https://www.canada.ca/fr/jobs.html).\n")})
    assert found(findings, "parity.links", tmp_path) == []


def test_badly_written_url_pairs_are_refused(build):
    config = SITE_YAML + "checks:\n  parity.links:\n    url_pairs: [\"https://a.ca\"]\n"
    with pytest.raises(ContentErrors, match=r"site.yaml:\d+: `parity.links` option `url_pairs` must be a list of "
                                            r"\[English address, French address\] pairs, not a list"):
        check(build, {"en/a.md": page("A", "[x](https://a.ca)\n"), "fr/a.md": page("A", "[x](https://a.ca)\n")}, config)


# parity.untranslated

def test_a_french_paragraph_left_in_english(build, tmp_path):
    english = "We will do better.\n\nWe will listen to people.\n"
    french = "Nous ferons mieux.\n\nWe will listen to people.\n"
    findings = check(build, {"en/a.md": page("A", english), "fr/a.md": page("A", french)})
    assert found(findings, "parity.untranslated", tmp_path) == [("fr/a.md", 7, "error", "en/a.md", 7)]


def test_a_french_page_that_reads_as_english_gets_one_error(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", EN_PROSE + "\n"),
                             "fr/a.md": page("A", "Intro en français.\n\n" + EN_PROSE + "\n")})
    assert found(findings, "parity.untranslated", tmp_path) == [("fr/a.md", 5, "error", "en/a.md", 5)]
    assert messages(findings, "parity.untranslated")[0].startswith("this French page reads as English")


def test_an_english_page_that_reads_as_french(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", FR_PROSE + "\n")})
    assert found(findings, "parity.untranslated", tmp_path) == [("en/a.md", 5, "error", None, None)]


def test_a_translation_and_short_shared_words_pass(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", EN_PROSE + "\n\n- Agile\n- Service\n"),
                             "fr/a.md": page("A", FR_PROSE + "\n\n- Agile\n- Service\n")})
    assert found(findings, "parity.untranslated", tmp_path) == []


# parity.stale

HOME_STALE = ("fr/_index.md", 1, "warning", "en/_index.md", 1)  # the minimal site's home pages are never marked


def version(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def test_a_french_page_without_translated_from_is_a_warning(build, tmp_path):
    findings = check(build, {"en/a.md": page("A"), "fr/a.md": page("A")})
    assert found(findings, "parity.stale", tmp_path) == [HOME_STALE, ("fr/a.md", 1, "warning", "en/a.md", 1)]
    assert f"run `python build.py mark-translated {tmp_path / 'content/fr/a.md'}`" in messages(findings, "parity.stale", "fr/a.md")[0]


def test_a_french_page_marked_from_the_current_english_is_quiet(build, tmp_path):
    english = page("A", "Text.\n")
    findings = check(build, {"en/a.md": english, "fr/a.md": page("A", "Texte.\n", translated_from=f'"{version(english)}"')})
    assert found(findings, "parity.stale", tmp_path) == [HOME_STALE]


def test_a_french_page_marked_from_an_older_english_is_stale(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "New text.\n"),
                             "fr/a.md": page("A", "Texte.\n", translated_from='"0123456789ab"')})
    assert found(findings, "parity.stale", tmp_path) == [HOME_STALE, ("fr/a.md", 4, "warning", "en/a.md", 1)]
    assert "has changed since this translation was marked" in messages(findings, "parity.stale", "fr/a.md")[0]


# parity.length-ratio

def test_a_french_page_twice_as_long_is_a_warning(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", EN_PROSE + "\n"),
                             "fr/a.md": page("A", "Titre.\n\n" + FR_PROSE + " " + FR_PROSE + "\n")})
    assert found(findings, "parity.length-ratio", tmp_path) == [("fr/a.md", 5, "warning", "en/a.md", 5)]


def test_a_french_page_of_usual_length_passes_and_is_scored(build, tmp_path):
    result = build({"en/a.md": page("A", EN_PROSE + "\n"), "fr/a.md": page("A", FR_PROSE + "\n")}, run_checks=False)
    findings = list(parity.run(result.site, result.files, Settings(result.site, parity.RULES)))
    assert found([f for f in findings if f], "parity.length-ratio", tmp_path) == []
    assert 1.0 < result.site.scores[str(tmp_path / "content/fr/a.md")]["length_ratio"] < 1.6


def test_short_pages_are_not_judged_by_length(build, tmp_path):
    findings = check(build, {"en/a.md": page("A", "Yes.\n"), "fr/a.md": page("A", "Oui, bien entendu, nous le ferons.\n")})
    assert found(findings, "parity.length-ratio", tmp_path) == []


# parity.messages

def test_the_real_templates_use_only_known_messages(build, tmp_path):
    findings = check(build, {})
    assert found(findings, "parity.messages", tmp_path) == []


def test_a_template_message_missing_from_the_catalogue(build, tmp_path):
    result = build({}, run_checks=False)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / "blocks" / "vision.html").write_text('<div>\n\n  {{ t("block_visoin") }} {{ t("block_" ~ x) }}\n</div>\n')
    project = dataclasses.replace(result.site.project, templates=templates)
    findings = list(parity.unknown_messages(Settings(result.site, parity.RULES), project))
    assert [(f.file, f.line, f.check, f.severity) for f in findings] == [
        (f"{templates}/blocks/vision.html", 3, "parity.messages", "error")]


def test_table_cells_are_separate_numbers(build):
    """`| 36 | 860 |` is two numbers, not the French way of writing 36 860."""
    table = "Table: {}\n\n| A | B | C |\n| --- | --- | --- |\n| 1,250 | 12.5% | 36 |\n| 17 | 860 | 5 |\n"
    french_table = "Tableau : {}\n\n| A | B | C |\n| --- | --- | --- |\n| 1250 | 12,5 % | 36 |\n| 17 | 860 | 5 |\n"
    result = build({"en/t.md": page("T", table.format("Figures")), "fr/t.md": page("T", french_table.format("Chiffres"))})
    assert [f for f in result.findings if f.check == "parity.facts"] == []
