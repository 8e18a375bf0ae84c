"""readability.grade, readability.sentence-length and readability.passive on small built sites, with the site's
settings and a publication's targets (readability.paragraph-length: test_check_paragraphs.py)."""
import pytest
import textstat

from clair.checks import readability
from clair.model import ContentErrors
from conftest import SITE_YAML, page

# "Foundation for change", as published (shared/seeds/001_8321d7b8e8950f01.txt), then a plain rewrite.
SEED = """\
The work of the Ontario Public Service (OPS) has become increasingly complex. External social, economic, financial and demographic factors are accelerating the urgency for organizations to transform even further. In order to respond effectively, we must continue to transform the way we work so that the OPS is better positioned to embrace and adapt to change.

OPS employees share a common purpose — to deliver government policies and programs while serving the best interests of the public. From professional administrators, engineers, social workers, planners, correctional officers, economists, communications specialists, accountants, policy analysts and more — each employee brings different skills, knowledge and experience to the OPS.

Transformation is not new to the OPS. We have an excellent track record of evolving to meet the changing needs of the people, businesses and communities we serve. For example, starting in the 1990s, we made significant changes in the areas of health care delivery, social services, infrastructure and tax administration. Over the last two decades, we increased our focus on developing policy, managing transfer payments, and supporting legislation and regulation, while retaining substantial service delivery roles.
"""
PLAIN = """\
The work of the OPS is more complex than ever. Changes in society and the economy make it urgent for us to change too.

So we must keep changing how we work. Then we will be ready for what comes next.

All OPS staff share one goal. They carry out the plans of the government, and they serve the public. Our staff do many kinds of jobs.

Some are engineers, planners or social workers. Others keep the books or give advice.

The OPS has changed many times before. In the 1990s, we made big changes to health care and social services. We also changed how we collect taxes.

In the last twenty years, we did more work on laws and rules. We still serve people every day.
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


def sentence_finding(build, body: str):
    """The one sentence-length finding of a page: (line, severity, message)."""
    _, findings = check(build, {"en/plan.md": page("Plan", body)})
    (finding,) = only(findings, "readability.sentence-length")
    assert finding.file.endswith("content/en/plan.md")
    return finding.line, finding.severity, finding.message


def test_a_sentence_of_26_words_is_an_error_at_its_line(build):
    long = " ".join(["We will work with people in every region"] * 3) + " of Ontario."  # 26 words
    body = "A short sentence comes first.\nIt sits on one line. " + long + "\n"
    assert sentence_finding(build, body) == (6, "error", "This sentence has 26 words (at most 25): "
                                                         "“We will work with people in every region …”. "
                                                         "Split it into shorter sentences, one idea each.")


WORDS_21 = "We will work with people in every region of the province to plan the services they need in the years ahead."


def test_a_sentence_of_21_words_is_a_warning(build):
    assert len(WORDS_21.split()) == 21
    assert sentence_finding(build, WORDS_21) == (5, "warning", "This sentence has 21 words; the Canada.ca style guide "
                                                               "asks for fewer than 20: “We will work with people in "
                                                               "every region …”. Split it in two, or cut the words "
                                                               "that add nothing.")


@pytest.mark.parametrize("words, severity", [(19, None), (20, "warning"), (25, "warning"), (26, "error")])
def test_sentence_length_limits_in_french_too(build, words, severity):
    sentence = " ".join(["mot"] * (words - 1)) + " fin."
    _, findings = check(build, {"fr/plan.md": page("Plan", sentence.capitalize())})
    assert [f.severity for f in only(findings, "readability.sentence-length")] == ([severity] if severity else [])


def test_the_site_sets_both_sentence_limits(build):
    config = SITE_YAML + "checks:\n  readability.sentence-length:\n    warn_from: 22\n    max: 20\n"
    _, findings = check(build, {"en/plan.md": page("Plan", WORDS_21)}, config)
    (finding,) = only(findings, "readability.sentence-length")
    assert finding.severity == "error" and "(at most 20)" in finding.message
    config = SITE_YAML + "checks:\n  readability.sentence-length:\n    warn_from: 22\n"
    _, findings = check(build, {"en/plan.md": page("Plan", WORDS_21)}, config)
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


# ----------------------------------------------------------------------------- a publication's targets

GRADE_7 = ("We will give employees modern tools to work together. These tools will help them reach the people they "
           "serve. Employees will work securely with other teams, anywhere and anytime. We will also simplify how "
           "we order information technology.")
EASE_67 = ("Nous donnerons au personnel des outils modernes pour travailler ensemble. Ces outils l'aideront à "
           "communiquer avec les personnes qu'il sert. Le personnel pourra collaborer avec d'autres équipes, de "
           "partout et en tout temps. Nous simplifierons aussi la commande de produits technologiques.")


def ontario(targets="{grade: 6}", **page_meta):
    """An Ontario publication (targets in its English _index.md) with one page in each language."""
    return {"en/ops/_index.md": page("OPS plan", "The plan.", targets=targets),
            "fr/ops/_index.md": page("Plan de la FPO", "Le plan."),
            "en/ops/tools.md": page("Tools", GRADE_7, **page_meta),
            "fr/ops/tools.md": page("Outils", EASE_67)}


def test_an_ontario_page_at_grade_7_fails_its_publications_grade_6_target(build, tmp_path):
    result, findings = check(build, ontario())
    grades = {f.file: f for f in only(findings, "readability.grade")}
    english = grades[str(tmp_path / "content/en/ops/tools.md")]
    assert english.severity == "error" and english.message.startswith("Reading grade 7.7 is above the target of 6.")
    french = grades[str(tmp_path / "content/fr/ops/tools.md")]  # grade 6 means a French ease of 72 or more
    assert french.severity == "error" and "Reading ease 67.3 is below the minimum of 72" in french.message
    assert result.site.targets[str(tmp_path / "content/en/ops/_index.md")] == {
        "grade": 6, "reading_ease": 72, "min_words": 30, "sentence_max": 25, "sentence_warn_from": 20,
        "paragraph_max": 3}


def test_the_same_pages_pass_the_site_targets_and_a_french_target_of_their_own(build, tmp_path):
    _, findings = check(build, ontario(targets="{paragraph_max: 4}"))
    assert only(findings, "readability.grade") == []
    _, findings = check(build, ontario(targets="{grade: 8, reading_ease: 67}"))
    assert only(findings, "readability.grade") == []


def test_a_page_still_relaxes_its_publications_target_with_a_reason(build, tmp_path):
    relaxed = ontario(checks='{readability.grade: {max: 8, reason: "names of tools"}}')
    _, findings = check(build, relaxed)
    assert [f.file for f in only(findings, "readability.grade")] == [str(tmp_path / "content/fr/ops/tools.md")]


@pytest.mark.parametrize("targets, line, says", [
    ("{grade: six}", 4, "target `grade` must be a number, such as 8 or 0.5, not `six`"),
    ("{grades: 6}", 4, "unknown target `grades`; the targets are grade, reading_ease, min_words, sentence_max, "
                       "sentence_warn_from, paragraph_max. Did you mean `grade`?"),
    ("{paragraph_max: 2.5}", 4, "target `paragraph_max` must be a whole number, such as 30, not `2.5`"),
])
def test_a_wrong_target_is_a_load_error_at_its_line(build, tmp_path, targets, line, says):
    with pytest.raises(ContentErrors) as caught:
        build(ontario(targets=targets))
    (error,) = caught.value.errors
    assert (error.file, error.line, error.message) == (str(tmp_path / "content/en/ops/_index.md"), line, says)


def test_both_languages_must_agree_on_a_target(build, tmp_path):
    pages = {**ontario(), "fr/ops/_index.md": page("Plan de la FPO", "Le plan.", targets="{grade: 8}")}
    with pytest.raises(ContentErrors) as caught:
        build(pages)
    (error,) = caught.value.errors
    assert (error.file, error.line) == (str(tmp_path / "content/fr/ops/_index.md"), 4)
    assert error.message.startswith(f"target `grade` is `8` here but `6` in {tmp_path / 'content/en/ops/_index.md'}")


def test_a_target_outside_targets_is_an_error_that_says_where_it_goes(build, tmp_path):
    pages = {**ontario(targets="{}"), "en/ops/_index.md": page("OPS plan", "The plan.", grade=6)}
    result, _ = check(build, pages)
    (finding,) = [f for f in result.findings if f.check == "checks.targets"]
    assert (finding.file, finding.line, finding.severity) == (str(tmp_path / "content/en/ops/_index.md"), 4, "error")
    assert finding.message == ("`grade` is a target of the whole publication: write it under `targets:`, as "
                               "`targets: {grade: 6}`; until then it is not applied")
    assert [f for f in result.findings if f.line == 4 and f.file == finding.file] == [finding]  # said once, not also
    # as loading's "unknown setting"


def test_the_reviewers_report_shows_each_publications_targets_and_scores(build):
    result = build(ontario())
    report = result.files[next(path for path in result.files if str(path).startswith("report"))]
    report = report if isinstance(report, str) else report.decode()
    row = " ".join(report.split("<th scope=\"row\">OPS plan", 1)[1].split("</tr>", 1)[0].split())
    assert "grade at most 6; reading ease at least 72;" in row
    assert "grade 7.7 to 7.7 on 1 page of 30 words or more; 1 missing the target" in row
    assert "reading ease 67.3 to 67.3 on 1 page of 30 words or more; 1 missing the target" in row


def test_a_rule_turned_off_stays_off_when_a_case_asks_for_a_severity(build):
    """The 20-word warning passes `severity="warning"`; with the rule off (here, or matrices.readability for
    matrix texts) nothing may come back."""
    from clair.checks import RULES, Settings, kept

    twenty_one = "We will send people to courses on the work they do now and on the work they will do next year soon."
    config = SITE_YAML + "checks:\n  readability.sentence-length:\n    severity: \"off\"\n"
    pages = {"en/a.md": page("A", twenty_one + "\n"), "fr/a.md": page("A", "Nous formerons le personnel.\n")}
    for settings_text, expected in ((SITE_YAML, 1), (config, 0)):
        result = build(pages, run_checks=False, config=settings_text)
        found = kept(readability.run(result.site, result.files, Settings(result.site, RULES)))
        assert len([f for f in found if f.check == "readability.sentence-length"]) == expected
