"""parity.links, links.syntax, a11y.link-text and a11y.table on excerpts of real bilingual Government of Canada
sites, the cases that made these checks wrong there (issue #13): a failing and a passing fixture for each.

Excerpts (a sentence or a table each) come from public repositories, MIT licensed or under the Open Government
Licence – Canada: canada-ca/open-source-logiciel-libre, canada-ca/design-system and canada-ca/systeme-conception,
cds-snc/digital-canada-ca, cds-snc/notification-documentation, cds-snc/gcds-docs.
"""
import pytest

from clair.checks import Settings, accessibility, html, kept, parity
from conftest import SITE_YAML, page

# canada-ca/open-source-logiciel-libre, en/guides/definitions.md and fr/guides/definitions.md, line 5
STANDARDS_EN = ("As well the [Digital Standards state](https://www.canada.ca/en/government/system/digital-government/"
                "government-canada-digital-standards.html) 'Leverage open standards and embrace leading practices'.\n")
STANDARDS_FR = ("De même, les [Normes numériques](https://www.canada.ca/fr/gouvernement/systeme/"
                "gouvernement-numerique/normes-numeriques-gouvernement-canada.html) stipulent qu’il faut profiter "
                "des normes ouvertes.\n")
STANDARDS_FR_TEXT = "De même, les Normes numériques stipulent qu’il faut profiter des normes ouvertes.\n"


def parity_links(build, pages, config=SITE_YAML):
    """Build the pages and run the parity rules: the parity.links findings as (file, line, severity, related line),
    and their messages."""
    result = build(pages, run_checks=False, config=config)
    findings = [f for f in kept(parity.run(result.site, result.files, Settings(result.site, parity.RULES)))
                if f.check == "parity.links"]
    return ([(f.file.rpartition("content/")[2], f.line, f.severity, f.related_line) for f in findings],
            [f.message for f in findings])


def pair(english: str, french: str) -> dict:
    return {"en/a.md": page("A", english), "fr/a.md": page("A", french)}


# parity.links: the same page in the other language is the same link

@pytest.mark.parametrize("english, french", [
    (STANDARDS_EN, STANDARDS_FR),  # canada.ca/en/ and canada.ca/fr/, the rest of the address translated
    # cds-snc/notification-documentation, src/en|fr/_arg_template_id.md, line 5: `?lang=fr`
    ("1. [Sign in to GC Notify](https://notification.canada.ca/sign-in).\n",
     "1. [Connectez-vous à Notification GC](https://notification.canada.ca/sign-in?lang=fr).\n"),
    # cds-snc/digital-canada-ca, blog post on recruiting, line 31/35: the site's two hosts, translated addresses
    ("Meera wrote about [how we did that](https://digital.canada.ca/2018/10/12/global-skills-strategy/).\n",
     "Meera a rédigé un billet sur [la manière dont nous avons procédé](https://numerique.canada.ca/2018/10/12/"
     "strategie-en-matiere-de-competences-mondiales/).\n"),
    # canada-ca/open-source-logiciel-libre, guides/using-open-source-software.md, line 3: -eng / -fra, #part
    ("The [Directive on Management of Information Technology](https://www.tbs-sct.gc.ca/pol/doc-eng.aspx?id=15249).\n",
     "La [Directive sur la gestion des technologies de l’information](https://www.tbs-sct.gc.ca/pol/"
     "doc-fra.aspx?id=15249#appC).\n"),
    # canada-ca/digital-playbook-guide-numerique, 1-design-with-users.md, line 94: www.ontario.ca/fr/
    ("[Ontario's Digital Service Standard](https://www.ontario.ca/page/digital-service-standard#section-1)\n",
     "[Norme des services numériques de l'Ontario](https://www.ontario.ca/fr/page/"
     "norme-des-services-numeriques#section-1)\n"),
])
def test_the_other_languages_address_of_a_known_site_is_the_same_link(build, english, french):
    found, _ = parity_links(build, pair(english, french))
    assert found == []


def test_an_extra_link_into_a_known_site_is_still_reported(build):
    english = "Meera wrote about [how we did that](https://digital.canada.ca/2018/10/12/global-skills-strategy/).\n"
    french = ("Meera a rédigé un billet sur [la manière dont nous avons procédé](https://numerique.canada.ca/"
              "2018/10/12/strategie-en-matiere-de-competences-mondiales/).\n\n" + "Autre paragraphe.\n\n" * 12
              + "Voir [nos produits](https://numerique.canada.ca/produits/).\n")
    found, messages = parity_links(build, pair(english + "\nOther paragraph.\n" * 13, french))
    assert found == [("fr/a.md", 31, "error", 31)]
    assert messages[0].startswith("the French links to https://numerique.canada.ca/produits/ but the English "
                                  "does not")


def test_an_address_written_as_text_in_the_other_version_is_named(build):
    # cds-snc/digital-canada-ca, Eva's exit interview, en line 55 and fr line 56
    english = "I had coffee with our former colleague [Annie Leblond](https://twitter.com/leblond_annie).\n"
    french = "Je suis allée prendre un café avec [Annie Leblond] (https://twitter.com/leblond_annie).\n"
    found, messages = parity_links(build, pair(english, french))
    assert found == [("en/a.md", 5, "error", 5)]
    assert messages[0].endswith("the French has an address there (line 5) but not as a link: write it as "
                                "[text](address), with nothing between ] and (")
    fixed, _ = parity_links(build, pair(english, french.replace("] (", "](")))
    assert fixed == []


# cds-snc/digital-canada-ca, challenging-our-assumption.md line 34 and remettre-en-question.md line 39
WEBAIM = "* [Alternative Text - Context is Everything](https://webaim.org/techniques/alttext/#context)\n"
POMPAGE = ("* [Bien utiliser le texte alternatif](http://www.pompage.net/traduction/"
           "Bien-utiliser-le-texte-alternatif#contexte) – Tout est dans le contexte\n")


@pytest.mark.parametrize("english, french, found, message", [
    (STANDARDS_EN, STANDARDS_FR_TEXT, ("en/a.md", 5, "error", 5),
     "the English links to https://www.canada.ca/en/government/system/digital-government/"
     "government-canada-digital-standards.html but the French does not; it has no link to the same page, near line 5 "
     "or elsewhere: add the link to the French, or remove it from the English"),
    (WEBAIM, POMPAGE, ("fr/a.md", 5, "warning", 5),
     "the French links to http://www.pompage.net/traduction/Bien-utiliser-le-texte-alternatif#contexte where the "
     "English links to https://webaim.org/techniques/alttext/#context (line 5): if it is the French version of the "
     "same page, add the pair [\"https://webaim.org/techniques/alttext/#context\", \"http://www.pompage.net/"
     "traduction/Bien-utiliser-le-texte-alternatif#contexte\"] to `extra_url_pairs` of `parity.links` in site.yaml; "
     "otherwise link both to the same page"),
])
def test_a_link_only_one_version_has_names_what_the_other_has_there(build, english, french, found, message):
    """A link with nothing at its place in the other version is an error; another site's page there, a warning."""
    assert parity_links(build, pair(english, french)) == ([found], [message])


def test_extra_url_pairs_add_to_the_known_sites(build):
    config = SITE_YAML + ("checks:\n  parity.links:\n    extra_url_pairs:\n"
                          "      - [\"https://webaim.org/techniques/alttext/\", "
                          "\"http://www.pompage.net/traduction/Bien-utiliser-le-texte-alternatif\"]\n")
    found, _ = parity_links(build, pair(WEBAIM + "\n" + STANDARDS_EN, POMPAGE + "\n" + STANDARDS_FR), config)
    assert found == []


# links.syntax

def syntax(build, body, lang="fr"):
    """(line, column, message) of the links.syntax findings of one page, checked as a build checks it."""
    result = build({f"{lang}/a.md": page("A", body)})
    return [(f.line, f.column, f.message) for f in result.findings if f.check == "links.syntax"]


@pytest.mark.parametrize("body, fixed, found", [
    # cds-snc/digital-canada-ca, fr/blog/posts/entrevue-de-départ-d’eva…, line 56
    ("Je suis allée prendre un café avec notre collègue [Annie Leblond] (https://twitter.com/leblond_annie).\n",
     "Je suis allée prendre un café avec notre collègue [Annie Leblond](https://twitter.com/leblond_annie).\n",
     (5, 51, "`[Annie Leblond] (https://twitter.com/leblond_annie)` is shown as text: remove the space between ] "
             "and ( to make it one: [Annie Leblond](https://twitter.com/leblond_annie)")),
    # cds-snc/digital-canada-ca, fr/blog/posts/embauche-au-snc.md, line 38, broken over two lines
    ("Lisez le [billet de John Millons]\n(https://numerique.canada.ca/2018/04/19/code/).\n",
     "Lisez le [billet de John Millons](https://numerique.canada.ca/2018/04/19/code/).\n",
     (5, 10, "`[billet de John Millons] (https://numerique.canada.ca/2018/04/19/code/)` is shown as "
             "text: remove the line break between ] and ( to make it one: [billet de John Millons]"
             "(https://numerique.canada.ca/2018/04/19/code/)")),
    # canada-ca/open-source-logiciel-libre, fr/guides/utilisation-logiciels-libres.md, line 145
    ("Voir [répercussions à forte réciprocité](#répercussions-à-forte réciprocité).\n",
     "Voir [répercussions à forte réciprocité](#répercussions-à-forte-réciprocité).\n",
     (5, 6, "`[répercussions à forte réciprocité](#répercussions-à-forte réciprocité)` is shown as text: an "
            "address of a part of a page has no spaces; heading ids join words with -: "
            "(#répercussions-à-forte-réciprocité)")),
])
def test_a_look_alike_link_is_found_at_its_line_and_column_with_its_fix(build, body, fixed, found):
    assert syntax(build, body) == [found]
    assert syntax(build, fixed) == []


# None of these occurred on the real sites (the space after ] was all of them): sentences built on a real one
@pytest.mark.parametrize("broken, fixed, advice", [
    ("See the [Digital Standards](https://www.canada.ca/en/government/system/digital-government.html for more.",
     "See the [Digital Standards](https://www.canada.ca/en/government/system/digital-government.html) for more.",
     "the ( after ] is never closed; add ) right after the address of the link"),
    ("See (https://www.canada.ca/en/government/system/digital-government.html)[the Digital Standards].",
     "See [the Digital Standards](https://www.canada.ca/en/government/system/digital-government.html).",
     "the two parts are the wrong way round; write [the Digital Standards](https://www.canada.ca/en/government/"
     "system/digital-government.html)"),
    ("Read the [Digital Standards][standards].\n\n[standard]: https://www.canada.ca/en.html",
     "Read the [Digital Standards][standards].\n\n[standards]: https://www.canada.ca/en.html",
     "this page has no line `[standards]: address` to say where [standards] leads; add one, or write "
     "[Digital Standards](address)"),
    ("Read the [Digital Standard].\n\n[digital standards]: https://www.canada.ca/en.html",
     "Read the [Digital Standards].\n\n[digital standards]: https://www.canada.ca/en.html",
     "no line `[Digital Standard]: address` on this page says where it leads; did you mean [digital standards]?"),
    ("Write to <mailto:cds-snc@tbs-sct.gc.ca for a trial.",
     "Write to <mailto:cds-snc@tbs-sct.gc.ca> for a trial.",
     "add > right after the address: <mailto:cds-snc@tbs-sct.gc.ca>"),
])
def test_other_look_alike_links_are_found_with_their_fix(build, broken, fixed, advice):
    [(line, _, message)] = syntax(build, broken + "\n", lang="en")
    assert line == 5 and message.endswith(advice)
    assert syntax(build, fixed + "\n", lang="en") == []


def test_code_escapes_templates_and_css_are_not_links(build):
    body = ("Write `[Annie Leblond] (https://twitter.com/leblond_annie)` to break a link.\n\n"
            "```\n[Annie Leblond] (https://twitter.com/leblond_annie)\n```\n\n"
            "An editor's note: \\[sic\\] (https://example.org/a) stays as written.\n\n"
            # cds-snc/gcds-docs, src/en/about-us.md, line 31: the generator fills the address in
            "Visit our [Get involved page]({{ links.getInvolved }}) to learn more.\n\n"
            # canada-ca/design-system, common-design-patterns/checkboxes-radio-buttons.md, line 210
            ".gc-chckbxrdio input[type=\"checkbox\"][disabled] + label {\n")
    assert syntax(build, body, lang="en") == []


# a11y.link-text: the templates' links are not the writer's

# canada-ca/design-system, feedback/case-study-ingredients.md: a heading the "On this page" list repeats
LEARN_MORE = ("## Results\n\nText.\n\n## Method\n\nText.\n\n## Learn more\n\n"
              "* [Blog post: Use data to make better content](https://blog.canada.ca/2021/02/04/data-to-action)\n")


def accessibility_findings(build, body, rule, config=SITE_YAML):
    result = build({"en/a.md": page("A", body)}, run_checks=False, config=config)
    findings = kept(accessibility.run(result.site, result.files, Settings(result.site, accessibility.RULES)))
    return [(f.line, f.severity, f.message) for f in findings if f.check == rule], result


def test_the_on_this_page_list_is_never_blamed_on_the_writer(build):
    found, result = accessibility_findings(build, LEARN_MORE, "a11y.link-text")
    made = next(p for p in result.site.pages if p.rel.name == "a.md").output
    assert '<a href="#learn-more">Learn more</a>' in made  # the template's "On this page" list
    assert found == []


def test_a_generic_link_in_the_text_is_still_found_at_its_line(build):
    body = LEARN_MORE + "\nTo give feedback, [learn more](https://blog.canada.ca/2021/02/04/data-to-action).\n"
    found, _ = accessibility_findings(build, body, "a11y.link-text")
    assert [(line, severity) for line, severity, _ in found] == [(17, "error")]


# a11y.table: a caption is a warning; a data table without header cells is the error

RAW_HTML = SITE_YAML + "allow_raw_html: true\n"
# canada-ca/design-system, continuous-improvement/research.md: the first row is styled, but has no <th>
STYLED_ROW = ('<table class="table table-bordered">\n <tbody>\n  <tr class="bg-primary">\n'
              '   <td>Moderated is best for:</td>\n   <td>Unmoderated is best for:</td>\n  </tr>\n'
              '  <tr>\n   <td>Complex tasks</td>\n   <td>Simple tasks</td>\n  </tr>\n </tbody>\n</table>\n')


def test_a_data_table_without_header_cells_is_an_error(build):
    found, _ = accessibility_findings(build, STYLED_ROW, "a11y.table", RAW_HTML)
    assert [severity for _, severity, _ in found] == ["error", "warning"]
    assert found[0][2].startswith("the table has no header cells: screen readers cannot say what each value is")


def test_a_layout_table_of_the_templates_is_not_read_as_a_table(build):
    _, result = accessibility_findings(build, STYLED_ROW, "a11y.table", RAW_HTML)
    target = next(p for p in result.site.pages if p.rel.name == "a.md")
    assert "<table>" in target.output  # the sanitiser keeps no role: only a template can lay out with a table
    layout = html.parse(target.output.replace("<table>", '<table role="presentation">'))
    findings = kept(accessibility.check_page(target, layout, Settings(result.site, accessibility.RULES)))
    assert [f for f in findings if f.check == "a11y.table"] == []


def test_header_cells_without_thead_and_a_caption_pass(build):
    # canada-ca/design-system, feedback/case-study-ingredients.md: <th> in the first row, no <thead>
    table = STYLED_ROW.replace("<td>Moderated is best for:</td>", "<th>Moderated is best for:</th>").replace(
        "<td>Unmoderated is best for:</td>", "<th>Unmoderated is best for:</th>").replace(
        "<tbody>", "<caption>When to use each kind of testing</caption>\n <tbody>")
    found, _ = accessibility_findings(build, table, "a11y.table", RAW_HTML)
    assert found == []


def test_a_markdown_table_without_a_caption_is_only_a_warning(build):
    # cds-snc/gcds-docs, a component's properties table
    table = "| Property | Type |\n| --- | --- |\n| `href` | string |\n"
    found, _ = accessibility_findings(build, table, "a11y.table")
    assert [(line, severity) for line, severity, _ in found] == [(5, "warning")]
    captioned, _ = accessibility_findings(build, "Table: The link's properties\n\n" + table, "a11y.table")
    assert captioned == []


def test_a_one_row_table_is_a_layout_and_needs_no_header_cells(build):
    """real: cds-snc/digital-canada-ca, blog post on testing a French newsletter (text beside a screenshot)."""
    one_row = "<table>\n<tr><td>The newsletter in French</td><td>A screenshot of it</td></tr>\n</table>\n"
    found, _ = accessibility_findings(build, one_row, "a11y.table", RAW_HTML)
    assert [severity for _, severity, _ in found] == ["warning"]  # its caption only
