"""readability.paragraph-length, and the sentence splitting it counts with (checks/prose.py), on small built sites."""
import pytest

from clair.checks.prose import Prose, sentences
from clair.i18n import french_typography
from conftest import SITE_YAML, page

FOUR = "We listened to people. They told us what they need. We wrote it down. Now we act on it."
THREE = "We listened to people. They told us what they need. We wrote it down."
QUATRE = "Nous avons écouté les gens. Ils nous ont dit ce qu'il leur faut. Nous l'avons noté. Nous agissons."


def paragraph_findings(build, pages, config=SITE_YAML):
    result = build(pages, config=config)
    return [f for f in result.findings if f.check == "readability.paragraph-length"]


def test_a_paragraph_of_four_sentences_is_a_warning_at_its_line_with_the_count(build, tmp_path):
    (finding,) = paragraph_findings(build, {"en/plan.md": page("Plan", f"{THREE}\n\n{FOUR}\n")})
    assert (finding.file, finding.line, finding.severity) == (str(tmp_path / "content/en/plan.md"), 7, "warning")
    assert finding.message == ("This paragraph has 4 sentences; the Canada.ca style guide asks for at most 3: "
                               "split it into shorter paragraphs, one idea each, or make a list.")


def test_paragraphs_of_three_sentences_pass_in_both_languages(build):
    trois = "Nous avons écouté les gens. Ils nous ont dit ce qu'il leur faut. Nous l'avons noté."
    assert paragraph_findings(build, {"en/plan.md": page("Plan", f"{THREE}\n\n{THREE}\n"),
                                      "fr/plan.md": page("Plan", f"{trois}\n")}) == []


def test_a_french_paragraph_of_four_sentences_is_a_warning(build, tmp_path):
    (finding,) = paragraph_findings(build, {"fr/plan.md": page("Plan", QUATRE + "\n")})
    assert (finding.file, finding.line) == (str(tmp_path / "content/fr/plan.md"), 5)
    assert finding.message.startswith("This paragraph has 4 sentences;")


def test_list_items_commitments_and_example_boxes_are_counted(build, tmp_path):
    body = f"""\
- {FOUR}
- {THREE}

::: commitments
Listen better
: {FOUR}
:::

::: example
### A pilot

{FOUR}
:::
"""
    found = paragraph_findings(build, {"en/plan.md": page("Plan", body)})
    assert [(f.line, f.message.split(";")[0]) for f in found] == [
        (5, "This list item has 4 sentences"), (10, "This text under a term (the line starting with `: `) has 4 sentences"),
        (16, "This paragraph has 4 sentences")]
    assert "indented by four spaces so it stays with its term" in found[1].message
    assert "split it into several items" in found[0].message


def test_headings_quotations_tables_and_code_are_not_counted(build):
    body = f"""\
## {FOUR}

> {FOUR}

::: you-said
> {FOUR}
:::

| Text |
| --- |
| {FOUR} |

```
{FOUR}
```
"""
    assert paragraph_findings(build, {"en/plan.md": page("Plan", body)}) == []


def test_the_site_can_raise_the_limit_or_turn_the_rule_off(build):
    raised = SITE_YAML + "checks:\n  readability.paragraph-length:\n    max: 4\n"
    assert paragraph_findings(build, {"en/plan.md": page("Plan", FOUR)}, raised) == []
    off = SITE_YAML + "checks:\n  readability.paragraph-length:\n    severity: \"off\"\n"
    assert paragraph_findings(build, {"en/plan.md": page("Plan", FOUR)}, off) == []
    strict = SITE_YAML + "checks:\n  readability.paragraph-length:\n    max: 2\n    severity: error\n"
    (finding,) = paragraph_findings(build, {"en/plan.md": page("Plan", THREE)}, strict)
    assert finding.severity == "error" and "the target is at most 2" in finding.message


def test_a_publication_sets_the_limit_for_its_pages_and_a_page_relaxes_it_with_a_reason(build, tmp_path):
    pages = {"en/guide/_index.md": page("Guide", "A guide.", targets="{paragraph_max: 2}"),
             "en/guide/steps.md": page("Steps", THREE),
             "en/guide/law.md": page("Law", THREE, checks='{readability.paragraph-length: {max: 3, reason: "quoted"}}'),
             "en/other.md": page("Other", THREE)}
    found = paragraph_findings(build, pages)
    assert [(f.file, f.message.split(";")[0]) for f in found] == [
        (str(tmp_path / "content/en/guide/steps.md"), "This paragraph has 3 sentences")]


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Dr. Jones at St. Paul's. They talked.", 2),
    ("M. Tremblay et Mme Roy sont venus. Ils ont parlé.", 2),
    ("John A. Macdonald was the first. He served for years.", 2),
    ("See Appendix A. Use it with your team.", 2),
    ("The schedules I, IV and V. We asked them all.", 2),
    ("It grew 2.5 times in 2017. Then it stopped.", 2),
    ("La hausse est de 1,5 % en 2017. Ensuite, elle a cessé.", 2),
    ("Read p. 17 and No. 5 first. Then read the rest.", 2),
    ("Use tools, e.g. Slack or Teams. Then meet. See the U.S. Government site.", 3),
    ("Il existe des outils, p. ex. Le Carrefour. C'est utile.", 2),
    ('He said "We will act." Then he left.', 2),
    ("Il a dit : « Nous changeons. » Puis il est parti.", 2),
    ("« Où allons-nous ? » demande-t-elle. Personne ne le sait.", 2),
    ("Il a écrit : « […] Nous voulons changer. » C'est clair.", 2),
    ("Pourquoi ? Parce que nous le devons. Voilà !", 3),
])
def test_sentences_are_split_where_they_end_in_english_and_french(text, expected):
    for typed in (text, french_typography(text), french_typography(text, "fr")):  # as typed, and as built
        split = [s for s, _ in sentences(Prose(typed, 1, (0,)))]
        assert len(split) == expected, split


def test_a_sentence_keeps_its_closing_quotation_mark():
    split = [s for s, _ in sentences(Prose(french_typography("Il a dit : « Nous changeons. » Puis non."), 1, (0,)))]
    assert split == ["Il a dit\u00a0: «\u00a0Nous changeons.\u00a0»", "Puis non."]
