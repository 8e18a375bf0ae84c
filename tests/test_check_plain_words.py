"""plain-words.en and plain-words.fr: listed phrases, where they are, and what to write instead."""
import random
import unicodedata
from pathlib import Path

import pytest

from clair.checks import plain_words
from clair.model import ContentErrors
from conftest import SITE_YAML, page

ROOT = Path(__file__).resolve().parent.parent


def check(build, pages, config=SITE_YAML):
    """Build the pages with every check; keep the plain-word findings."""
    return [f for f in build(pages, config=config).findings if f.check.startswith("plain-words.")]


def where(finding):
    return finding.check, finding.file, finding.line, finding.column, finding.severity


def test_the_data_files_are_long_enough():
    for lang, least in (("en", 40), ("fr", 30)):
        assert len(plain_words.word_list(lang, ()).suggestions) >= least


def test_an_english_phrase_is_found_with_its_suggestion(build, tmp_path):
    body = "We serve the public.\n\n- We meet **every week** in order to plan.\n"
    (finding,) = check(build, {"en/a.md": page("A", body)})
    assert where(finding) == ("plain-words.en", str(tmp_path / "content/en/a.md"), 7, 26, "warning")
    assert finding.message == "Use “to” instead of “in order to”."


def test_matching_ignores_case_and_follows_line_breaks(build, tmp_path):
    body = "Prior to the meeting, read the plan.\nWe want to\nUtilize it in\norder to help.\n"
    findings = check(build, {"en/b.md": page("B", body)})
    assert sorted((f.line, f.column, f.message) for f in findings) == [
        (5, 1, "Use “before” instead of “Prior to”."),
        (7, 1, "Use “use” instead of “Utilize”."),
        (7, 12, "Use “to” instead of “in order to”."),
    ]


def test_only_whole_words_match(build):
    body = "Our priorities are clear. The commencement of the fiscal year is in April. We re-utilize old forms.\n"
    assert check(build, {"en/c.md": page("C", body)}) == []


def test_plain_english_passes(build):
    assert check(build, {"en/d.md": page("D", "We use simple words to help people before they ask.\n")}) == []


def test_french_phrases_survive_french_typography(build, tmp_path):
    body = "Nous travaillons afin d’aider le public : c’est notre rôle.\nQue faire au niveau de la région ?\n"
    findings = check(build, {"fr/e.md": page("E", body)})
    assert [where(f) for f in findings] == [
        ("plain-words.fr", str(tmp_path / "content/fr/e.md"), 5, 18, "warning"),
        ("plain-words.fr", str(tmp_path / "content/fr/e.md"), 6, 11, "warning"),
    ]
    assert [f.message for f in findings] == ["Use “pour” instead of “afin d’”.",
                                             "Use “pour”, “dans” or “à” instead of “au niveau de”."]


def test_plain_french_passes(build):
    assert check(build, {"fr/f.md": page("F", "Nous travaillons pour aider le public : c’est notre rôle.\n")}) == []


def test_accents_match_composed_or_not():
    words = plain_words.word_list("fr", ())
    assert words.pattern.search(unicodedata.normalize("NFD", "Il faut PROCÉDER À l'examen."))
    assert list(words.finditer(unicodedata.normalize("NFD", "Il faut PROCÉDER À l'examen.")))


def test_teams_add_words_and_choose_the_severity(build, tmp_path):
    (tmp_path / "words.yaml").write_text("stakeholders: [people, partners]\n", encoding="utf-8")
    config = SITE_YAML + "checks:\n  plain-words.en:\n    severity: error\n    extra_files: [words.yaml]\n"
    (finding,) = check(build, {"en/g.md": page("G", "We met our stakeholders.\n")}, config)
    assert where(finding) == ("plain-words.en", str(tmp_path / "content/en/g.md"), 5, 12, "error")
    assert finding.message == "Use “people” or “partners” instead of “stakeholders”."


def test_a_missing_word_file_is_a_configuration_error(build):
    config = SITE_YAML + "checks:\n  plain-words.fr:\n    extra_files: [absent.yaml]\n"
    with pytest.raises(ContentErrors, match="absent.yaml` does not exist"):
        check(build, {"fr/h.md": page("H", "Bonjour.\n")}, config)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_finder_finds_what_the_pattern_matches(lang):
    words = plain_words.word_list(lang, ())
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "content" / lang).rglob("*.md"))]
    pieces = [*words.suggestions, "in", "order", "to", " ", "\n", "\u00a0", "-", "’", "'", "x", "É", "e\u0301", ".",
              # letters whose case or form changes their length or that match another: ß, İ, K (Kelvin), ﬁ, ſ
              "A", "ß", "SS", "\u0130", "i\u0307", "\u212a", "k", "\ufb01", "fi", "\u017f", "\u0153", "\u0152",
              "\u202f", "«", "»"]
    generator = random.Random(5)
    texts += ["".join(generator.choice(pieces) for _ in range(generator.randrange(1, 30))) for _ in range(3000)]
    texts += [text.upper() for text in texts[-500:]] + [text.replace("k", "\u212a").replace("s", "\u017f").replace(
        "fi", "\ufb01").replace("é", "e\u0301") for text in texts[-1000:]]
    found = [[(m.span(), m.group()) for m in words.finditer(text)] for text in texts]
    assert found == [[(m.span(), m.group()) for m in words.pattern.finditer(text)] for text in texts]
    assert sum(map(len, found)) > 300
