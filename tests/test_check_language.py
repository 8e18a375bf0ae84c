"""`parity.untranslated` with a language identifier: a passage of a page written in the other language is an
error at its line, copied or not; names, code, quotations and text marked with its language are not.

Sentences marked "real" come from public Government of Canada sites (MIT / Open Government Licence):
canada-ca/open-source-logiciel-libre, canada-ca/systeme-conception, cds-snc/gcds-docs, cds-snc/digital-canada-ca.
"""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clair.checks import Settings, kept, parity, parity_language
from clair.checks.language_passages import judged_text
from conftest import SITE_YAML, page

ROOT = Path(__file__).resolve().parent.parent
EN_PROSE = ("We will ask the people who use our services to help us design them. We will test new ideas with them "
            "early and often, and we will change what does not work for them.")
FR_PROSE = ("Nous demanderons aux personnes qui utilisent nos services de nous aider à les concevoir. Nous mettrons "
            "les nouvelles idées à l'essai avec elles tôt et souvent, et nous changerons ce qui ne fonctionne pas.")
HTML_YAML = SITE_YAML + "allow_raw_html: true\n"


def untranslated(build, tmp_path, english, french, config=SITE_YAML):
    """(file under content/, line, message) of each `parity.untranslated` finding of a one-pair site."""
    result = build({"en/a.md": english, "fr/a.md": french}, run_checks=False, config=config)
    findings = kept(parity.run(result.site, result.files, Settings(result.site, parity.RULES)))
    prefix = str(tmp_path / "content") + "/"
    return sorted((f.file.replace(prefix, ""), f.line, f.message) for f in findings if f.check == "parity.untranslated")


def places(found):
    return [(file, line) for file, line, _ in found]


# A passage in the other language, copied or not, is an error at its line

TABLE = "| Tâche | Scénario |\n| --- | --- |\n| Agriculture | {cell} |\n"
ENGLISH_CELL = ("You finished researching some ideas for the next farming season. Now you need to find out if there "
                "is a special way to hire temporary seasonal farm workers.")
FRENCH_CELL = ("Vous avez fini de chercher des idées pour la prochaine saison agricole. Vous devez maintenant savoir "
               "s'il existe une façon particulière d'embaucher des travailleurs saisonniers.")


@pytest.mark.parametrize("french, line, start", [
    # real: gcds-docs, src/fr/composants/signature/cas-dutilisation.md (copies nothing from the English)
    (FR_PROSE + "\n\nPied de page : for placing the Government of Canada branded footer landmark.\n", 7,
     'this French paragraph is in English ("Pied de page : for placing the Government'),
    # real: open-source-logiciel-libre, fr/normes-logiciels-libres.md
    ("## Procedures and Guidance for Open Source Software\n\n" + FR_PROSE + "\n", 5,
     "this French heading is in English"),
    # real: digital-canada-ca, content/fr/blog/posts/informer-pour-protéger-...md
    (FR_PROSE + "\n\n![Screenshot of the Messages sent dashboard for GC Notify](chart.png)\n", 7,
     "this French image description is in English"),
    # real: systeme-conception, resumes-recherche/orientation-dans-canada-ca.md
    (FR_PROSE + "\n\n" + TABLE.format(cell=ENGLISH_CELL), 9, "this French table cell is in English"),
], ids=["paragraph", "heading", "image description", "table cell"])
def test_a_passage_of_the_french_page_written_in_english(build, tmp_path, french, line, start):
    found = untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french))
    assert places(found) == [("fr/a.md", line)]
    assert found[0][2].startswith(start)


@pytest.mark.parametrize("french", [
    FR_PROSE + "\n",
    "## Procédures et directives sur les logiciels libres\n\n" + FR_PROSE + "\n",
    FR_PROSE + "\n\n![Capture d'écran du tableau de bord des messages envoyés par Notification GC](chart.png)\n",
    FR_PROSE + "\n\n" + TABLE.format(cell=FRENCH_CELL) + "| Design | Agile |\n",  # one-word cells are not judged
], ids=["paragraph", "heading", "image description", "table cells"])
def test_the_same_passages_in_french_pass(build, tmp_path, french):
    assert untranslated(build, tmp_path, page("The plan", EN_PROSE + "\n"), page("Le plan", french)) == []


def test_an_english_page_title_in_the_french_page(build, tmp_path):
    found = untranslated(build, tmp_path, page("How we plan our work", EN_PROSE + "\n"),
                         page("How we plan our work", FR_PROSE + "\n", description="Comment nous planifions"))
    assert places(found) == [("fr/a.md", 2)]
    assert found[0][2].startswith("this French page title is in English")


def test_the_reverse_an_english_list_item_written_in_french(build, tmp_path):
    # real: gcds-docs, src/fr/modeles-de-page/basic/code.md (a French sentence in a page that says it is English)
    english = EN_PROSE + "\n\n- Copiez ce code pour utiliser le modèle de page de base.\n"
    found = untranslated(build, tmp_path, page("A", english), page("A", FR_PROSE + "\n"))
    assert places(found) == [("en/a.md", 7)]
    assert found[0][2].startswith("this English list item is in French")
    assert '(in French only)' in found[0][2]


def test_a_page_without_its_translation_is_judged_too(build, tmp_path):
    result = build({"fr/b.md": page("B", FR_PROSE + "\n\nThe computer was hacked and I did not know what to do.\n")},
                   run_checks=False)
    findings = kept(parity.run(result.site, result.files, Settings(result.site, parity.RULES)))
    assert [(f.line, f.related_file) for f in findings if f.check == "parity.untranslated"] == [(7, None)]


# Names, code, quotations and declared languages are not errors

def test_a_french_paragraph_with_an_english_programme_name_passes(build, tmp_path):
    french = (FR_PROSE + "\n\nLe Service numérique canadien offre le programme Digital Academy et les Digital "
              "Standards aux fonctionnaires qui veulent apprendre.\n")
    assert untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french)) == []


def test_names_code_and_addresses_are_not_words_of_a_language(build, tmp_path):
    french = (FR_PROSE + "\n\n- GC Notify API SDK CSV\n- `npm install --save @cdssnc/gcds-components`\n"
              "- https://github.com/cds-snc/how-to-write/blob/main/getting-started-with-the-design-system.md\n"
              "- voir the_getting_started_guide.md and how_to_write_for_the_web.md\n")
    assert untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french)) == []


@pytest.mark.parametrize("marked", [
    '<span lang="en">The computer was hacked and I did not know what to do.</span>',
    '<p lang="en">The computer was hacked and I did not know what to do.</p>',
    "Remote moderated usability tests: How to do them - Nielsen Norman Group (en anglais seulement)",  # real:
    # systeme-conception, amelioration-continue/recherche.md
    "> The computer was hacked and I did not know what to do.",
    # real: systeme-conception, trouvez-modeles-configurations-conception-contenu-web.md
    '<table>\n<tr><td><span lang="en">Immigration, Refugees and Citizenship Canada</span></td>\n'
    "<td>Immigration, Réfugiés et Citoyenneté Canada</td></tr>\n</table>",
])
def test_text_whose_language_is_declared_passes(build, tmp_path, marked):
    found = untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", FR_PROSE + "\n\n" + marked + "\n"),
                         HTML_YAML)
    assert found == []


def test_the_same_text_unmarked_is_an_error_that_says_how_to_mark_it(build, tmp_path):
    french = FR_PROSE + "\n\nThe computer was hacked and I did not know what to do.\n"
    found = untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french), HTML_YAML)
    assert places(found) == [("fr/a.md", 7)]
    assert 'mark it <span lang="en">...</span> so that screen readers read it in English' in found[0][2]


def test_a_copied_paragraph_is_reported_once_as_a_copy(build, tmp_path):
    english = EN_PROSE + "\n\nWe will listen to the people who use our services.\n"
    french = FR_PROSE + "\n\nWe will listen to the people who use our services.\n"
    found = untranslated(build, tmp_path, page("A", english), page("A", french))
    assert [(file, line, message) for file, line, message in found] == [
        ("fr/a.md", 7, "this French paragraph is the same as the English one; translate it")]


def test_a_short_passage_is_not_judged_unless_the_site_asks(build, tmp_path):
    french = FR_PROSE + "\n\n## What we learned\n"  # three words
    assert untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french)) == []
    config = SITE_YAML + "checks:\n  parity.untranslated: {min_words: 3}\n"
    assert places(untranslated(build, tmp_path, page("A", EN_PROSE + "\n"), page("A", french), config)) == [
        ("fr/a.md", 7)]


def test_judged_text_leaves_out_addresses_code_acronyms_and_numbers():
    assert judged_text("Voir https://x.ca/a, le GC et les APIs de 2018 via config.yml {: .lst} {{ site.url }}.") \
        == "Voir le et les de via ."


def test_the_quick_no_to_french_agrees_with_the_judged_text():
    """English pages' passages with no sign of French are not judged; a `×` glued to an acronym hides a French
    word from the text's words (`nous×ABC` is judged `nous`), so such a text is judged in full."""
    english, glued = "The plan for the year ahead", "nous×ABC vous×CDE"
    assert parity_language.no_sign_of_french(english) and not parity_language.could_be("fr", judged_text(english))
    assert not parity_language.no_sign_of_french(glued) and parity_language.could_be("fr", judged_text(glued))


# The identifier is offline and deterministic, and pages without a sign of the other language never load it

def test_a_translated_pair_never_asks_the_identifier(build, tmp_path, monkeypatch):
    def refuse(lang, text):
        raise AssertionError(f"the identifier was asked about {text!r}")
    monkeypatch.setattr(parity_language, "probability_of", refuse)
    english = ("## How we plan our work\n\n" + EN_PROSE + "\n\n| Task | Who does it |\n| --- | --- |\n"
               "| Plan the work | the team |\n")
    french = ("## Comment nous planifions notre travail\n\n" + FR_PROSE + "\n\n| Tâche | Qui la fait |\n"
              "| --- | --- |\n| Planifier le travail | l'équipe |\n")
    assert untranslated(build, tmp_path, page("How we plan", english), page("Comment nous planifions", french)) == []


OFFLINE = textwrap.dedent("""
    import json, socket, sys
    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")
    class NoSocket(socket.socket):
        __init__ = refuse
    socket.socket = NoSocket
    socket.create_connection = socket.getaddrinfo = refuse
    sys.path.insert(0, sys.argv[1])
    from clair.checks.language_id import english_probability
    print(json.dumps([english_probability(text) for text in sys.argv[2:]]))
""")


def test_the_identifier_needs_no_network_and_answers_the_same_in_every_process():
    texts = ["Nous ferons mieux pour les gens qui utilisent nos services.", "We will do better for the people."]
    answers = [json.loads(subprocess.run([sys.executable, "-c", OFFLINE, str(ROOT), *texts], capture_output=True,
                                         text=True, check=True).stdout) for _ in range(2)]
    assert answers[0] == answers[1]
    assert answers[0][0] < 0.1 < 0.9 < answers[0][1]
