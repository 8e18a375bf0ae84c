"""site.yaml `french_spacing`: `ca` (the default, Canadian federal usage: nothing before ; ! ?) or `fr` (usage in
France: a narrow no-break space before them); a no-break space before : and inside « » either way."""
import pytest

from clair.i18n import Catalogue, french_typography
from clair.model import ContentError
from conftest import SITE_YAML, page

NBSP, NARROW = "\u00a0", "\u202f"
TYPED = "Pourquoi changer ? Parce que le monde change ! Voici la règle ; elle est simple : « agir »."
GLOSSARY = """\
OPS:
  en: {abbr: OPS, term: Ontario Public Service, definition: Who works for Ontario.}
  fr: {abbr: FPO, term: fonction publique de l'Ontario, definition: "Qui est-ce ? Le personnel de l'Ontario."}
"""


def built(build, tmp_path, config=SITE_YAML):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    result = build({"fr/regle.md": page("Pourquoi ?", TYPED + "\n"), "en/regle.md": page("Why?", "Why? Because.\n")},
                   run_checks=False, config=config)
    french = next(p for p in result.site.pages if p.lang == "fr" and p.rel.name == "regle.md").output
    glossary = next(text for path, text in result.files.items() if str(path) == "fr/glossaire/index.html")
    return french, glossary


def test_canadian_spacing_by_default_puts_nothing_before_question_and_exclamation_marks(build, tmp_path):
    french, glossary = built(build, tmp_path)
    assert (f"Pourquoi changer? Parce que le monde change! Voici la règle; elle est simple{NBSP}: "
            f"«{NBSP}agir{NBSP}»." in french)
    assert "<h1>Pourquoi?</h1>" in french and f"Date de modification{NBSP}:" in french
    assert "Qui est-ce? Le personnel" in glossary
    assert NARROW not in french + glossary


def test_french_spacing_fr_puts_a_narrow_no_break_space_before_them(build, tmp_path):
    french, glossary = built(build, tmp_path, SITE_YAML + "french_spacing: fr\n")
    assert (f"Pourquoi changer{NARROW}? Parce que le monde change{NARROW}! Voici la règle{NARROW}; elle est "
            f"simple{NBSP}: «{NBSP}agir{NBSP}»." in french)
    assert f"<h1>Pourquoi{NARROW}?</h1>" in french
    assert f"Qui est-ce{NARROW}? Le personnel" in glossary


def test_another_value_is_a_load_error_at_its_line(build):
    with pytest.raises(ContentError) as caught:
        build({}, config=SITE_YAML + "french_spacing: qc\n")
    assert caught.value.line == 6 and caught.value.message.startswith("`french_spacing: qc` must be `ca`")


@pytest.mark.parametrize("typed", ["oui ?", "oui?", "oui\u00a0?", f"oui{NARROW}?", "oui  ?"])
def test_whatever_space_the_writer_typed_the_setting_decides(typed):
    assert french_typography(typed) == "oui?"
    assert french_typography(typed, "fr") == f"oui{NARROW}?"
    assert french_typography(french_typography(typed, "fr")) == "oui?"  # either mode, applied twice: still right


def test_addresses_and_marks_after_guillemets_are_left_alone():
    typed = "https://example.ca/?q=1 et « ? »"
    assert french_typography(typed, "fr") == f"https://example.ca/?q=1 et «{NBSP}?{NBSP}»"
    assert french_typography("Quoi ?!", "fr") == f"Quoi{NARROW}?!"


def test_interface_strings_follow_the_setting(tmp_path):
    messages = tmp_path / "messages.yaml"
    messages.write_text('ask: {en: "Ready?", fr: "Prêt ?"}\n', encoding="utf-8")
    assert Catalogue((messages,)).get("ask", "fr") == "Prêt?"
    assert Catalogue((messages,), "fr").get("ask", "fr") == f"Prêt{NARROW}?"
    assert Catalogue((messages,), "fr").get("ask", "en") == "Ready?"


@pytest.mark.parametrize("spacing, before", [("ca", ""), ("fr", NARROW)])
def test_matrix_tables_and_their_spreadsheets_follow_the_setting(build, tmp_path, spacing, before):
    from test_matrices import MATRIX, PAGES
    (tmp_path / "data" / "matrices").mkdir(parents=True)
    matrix = MATRIX.replace('fr: "Le plan peut changer."', 'fr: "Le plan changera-t-il ?"')
    (tmp_path / "data" / "matrices" / "plan.yaml").write_text(matrix, encoding="utf-8")
    result = build(PAGES, run_checks=False, config=SITE_YAML + f"french_spacing: {spacing}\n")
    french = next(p for p in result.site.pages if p.lang == "fr" and p.rel.name == "plan.md").output
    spreadsheet = next(text for path, text in result.files.items() if str(path).endswith(".csv") and "/fr/" in
                       f"/{path}")
    assert f"Le plan changera-t-il{before}?" in french
    assert f"Le plan changera-t-il{before}?".encode() in spreadsheet
