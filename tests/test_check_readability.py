"""readability.grade, readability.sentence-length and readability.passive on small built sites."""
import textstat

from checks import readability
from conftest import SITE_YAML, page

# "Foundation for change", as published (shared/seeds/001_8321d7b8e8950f01.txt), then a plain rewrite.
SEED = """\
The work of the Ontario Public Service (OPS) has become increasingly complex. External social, economic, financial and demographic factors are accelerating the urgency for organizations to transform even further. In order to respond effectively, we must continue to transform the way we work so that the OPS is better positioned to embrace and adapt to change.

OPS employees share a common purpose — to deliver government policies and programs while serving the best interests of the public. From professional administrators, engineers, social workers, planners, correctional officers, economists, communications specialists, accountants, policy analysts and more — each employee brings different skills, knowledge and experience to the OPS.

Transformation is not new to the OPS. We have an excellent track record of evolving to meet the changing needs of the people, businesses and communities we serve. For example, starting in the 1990s, we made significant changes in the areas of health care delivery, social services, infrastructure and tax administration. Over the last two decades, we increased our focus on developing policy, managing transfer payments, and supporting legislation and regulation, while retaining substantial service delivery roles.
"""
PLAIN = """\
The work of the OPS is more complex than ever. Changes in society and the economy make it urgent for us to change too. So we must keep changing how we work. Then we will be ready for what comes next.

All OPS staff share one goal. They carry out the plans of the government, and they serve the public. Our staff do many kinds of jobs. Some are engineers, planners or social workers. Others keep the books or give advice.

The OPS has changed many times before. In the 1990s, we made big changes to health care and social services. We also changed how we collect taxes. In the last twenty years, we did more work on laws and rules. We still serve people every day.
"""
FR_HARD = """\
La transformation organisationnelle constitue une préoccupation fondamentale de l'administration publique contemporaine, considérant l'accroissement considérable des responsabilités gouvernementales et l'évolution démographique, économique et technologique particulièrement significative des collectivités ontariennes : l'adaptation institutionnelle représente désormais une nécessité incontournable.

L'administration provinciale privilégiera systématiquement l'intégration harmonieuse des technologies numériques émergentes, conformément aux orientations stratégiques gouvernementales préalablement déterminées par les instances décisionnelles ministérielles.
"""
FR_PLAIN = """\
La fonction publique de l'Ontario fait un travail plus complexe que jamais. La société change vite. L'économie aussi. Nous devons donc changer notre façon de travailler : c'est urgent.

Nos employés ont un même but. Ils servent le public et ils aident le gouvernement. Ils font bien des métiers. Certains sont ingénieurs. D'autres sont comptables ou travailleurs sociaux.
"""


def check(build, pages, config=SITE_YAML):
    """Build the pages with every check; keep the readability findings."""
    result = build(pages, config=config)
    return result, [f for f in result.findings if f.check.startswith("readability.")]


def only(findings, rule):
    return [f for f in findings if f.check == rule]


def test_the_published_seed_paragraphs_fail_the_grade(build, tmp_path):
    result, findings = check(build, {"en/foundation.md": page("Foundation", SEED)})
    (finding,) = only(findings, "readability.grade")
    assert (finding.file, finding.line, finding.severity) == (str(tmp_path / "content/en/foundation.md"), 7, "error")
    assert finding.message.startswith("Reading grade 1") and "is above the target of 8." in finding.message
    assert "Hardest sentences: line 7 (" in finding.message and finding.message.count("words): “") == 3
    assert finding.message.endswith("Split long sentences and use shorter, everyday words.")
    assert result.site.scores[finding.file]["grade"] > 14


def test_a_plain_rewrite_of_the_seed_passes(build, tmp_path):
    result, findings = check(build, {"en/foundation.md": page("Foundation", PLAIN)})
    assert findings == []
    scores = result.site.scores[str(tmp_path / "content/en/foundation.md")]
    assert scores["lang"] == "en" and scores["grade"] <= 8
    assert scores["words"] > 100 and scores["sentences"] == 14


def test_hard_french_fails_and_plain_french_passes(build, tmp_path):
    result, findings = check(build, {"fr/dur.md": page("Dur", FR_HARD), "fr/simple.md": page("Simple", FR_PLAIN)})
    (finding,) = only(findings, "readability.grade")
    assert (finding.file, finding.line, finding.severity) == (str(tmp_path / "content/fr/dur.md"), 5, "error")
    assert "is below the minimum of 65 (higher is easier)." in finding.message
    simple = result.site.scores[str(tmp_path / "content/fr/simple.md")]
    assert simple["lang"] == "fr" and simple["reading_ease"] >= 65 and "grade" not in simple


def test_short_pages_are_not_judged_but_still_scored(build, tmp_path):
    hard = "Transformation necessitates comprehensive organizational reconfiguration."
    result, findings = check(build, {"en/short.md": page("Short", hard)})
    assert only(findings, "readability.grade") == []
    assert result.site.scores[str(tmp_path / "content/en/short.md")]["grade"] > 8


def test_the_site_configuration_can_raise_the_target(build):
    config = SITE_YAML + "checks:\n  readability.grade:\n    max: 20\n"
    _, findings = check(build, {"en/foundation.md": page("Foundation", SEED)}, config)
    assert only(findings, "readability.grade") == []


def test_scoring_french_leaves_textstat_in_english():
    english = "The people of the province deserve services that are simple and quick."
    before = textstat.flesch_reading_ease(english)
    readability.score(FR_PLAIN, "fr")
    assert textstat.flesch_reading_ease(english) == before


def test_a_long_sentence_is_reported_at_its_line(build, tmp_path):
    long = " ".join(["We will work with people in every region"] * 3) + " of Ontario."  # 26 words
    body = "A short sentence comes first.\nIt sits on one line. " + long + "\n"
    _, findings = check(build, {"en/long.md": page("Long", body)})
    (finding,) = only(findings, "readability.sentence-length")
    assert (finding.file, finding.line, finding.severity) == (str(tmp_path / "content/en/long.md"), 6, "error")
    assert finding.message == ("This sentence has 26 words (at most 25): "
                               "“We will work with people in every region …”. "
                               "Split it into shorter sentences.")


def test_sentences_of_25_words_pass(build):
    sentence = " ".join(["We will work with people in every region"] * 3) + " now."  # 25 words
    _, findings = check(build, {"en/fine.md": page("Fine", sentence)})
    assert only(findings, "readability.sentence-length") == []


def test_passive_voice_is_hinted_at_its_line_and_column(build, tmp_path):
    body = "We serve the public.\n\n- The forms are reviewed by our staff every week.\n"
    _, findings = check(build, {"en/passive.md": page("Passive", body)})
    (finding,) = only(findings, "readability.passive")
    assert (finding.file, finding.line, finding.column, finding.severity) == (
        str(tmp_path / "content/en/passive.md"), 7, 13, "warning")
    assert finding.message.startswith("Possible passive voice: “are reviewed”.")


def test_active_voice_and_adjectives_pass(build):
    body = "Our staff review the forms every week. We are committed to this work, and it is indeed useful.\n"
    _, findings = check(build, {"en/active.md": page("Active", body)})
    assert only(findings, "readability.passive") == []


def test_french_pages_get_no_passive_hints(build):
    _, findings = check(build, {"fr/passif.md": page("Passif", "Les formulaires sont examinés chaque semaine.\n")})
    assert only(findings, "readability.passive") == []
