"""Check stage, readability: is the prose (paragraphs and list items, see prose.py) easy to read?

`readability.grade` (default severity `error`): one score for all the prose of a page.
  - English pages: Flesch–Kincaid grade level, too hard above `max` (default 8, the Canada.ca target).
  - French pages: Flesch reading ease as adapted to French by Kandel & Moles (1958):
    207 − 1.015 × words per sentence − 73.6 × syllables per word; higher is easier;
    too hard below `fr_min_ease` (default 65).
  - `min_words` (default 30): pages with fewer words of prose are not judged (the formulas mean
    little on a few lines), though their figures are still recorded.
  The finding sits at the line of the hardest sentence and names the three hardest.
  Calibration of `fr_min_ease`, on the 15 EN/FR page pairs of the sample content (content/, November
  2026; 30 words of prose or more): French ease = 100.0 − 3.59 × English grade (r = −0.82, residual
  standard deviation 3.1), so a grade-8 English page has French at about 71.3. The minimum, 65, sits
  two deviations lower: the French of a grade-8 English page passes, clearly harder French does not.
  Every French page whose English passes scored 69.1 or more.
`readability.sentence-length` (both languages): each sentence of `warn_from` words or more (default 20:
  the Canada.ca style guide asks for sentences under 20 words) is a warning at its line; longer than `max`
  (default 25), it gets the rule's severity (default `error`).
`readability.paragraph-length` (default severity `warning`, both languages): a paragraph, list item or
  definition (a commitment's text) of more than `max` sentences (default 3, as the Canada.ca style guide
  asks) gets a finding at its first line, with its count. Sentences as prose.py splits them.
A publication's targets (`targets:` in its `_index.md`, see TARGETS) set these options for all its pages;
  a page's own `checks:` block still relaxes them, with a reason.
`readability.passive` (default severity `warning`, English pages): each form of "to be" followed by
  a past participle (a word in -ed or a common irregular one, with up to two adverbs between),
  at its line and column. Only a hint: say who does what, unless the doer does not matter.

Every page with prose gets its figures in site.scores[source file]: lang, grade (English) or
reading_ease (French), words, sentences (as textstat counts them; list items and labels count as
sentences). Scores come from textstat with syllables counted offline (checks/syllables.py, switched
on by `score()`). textstat keeps one global language: `score()` sets it for each call and puts
English back afterwards.
"""
from __future__ import annotations

import re

from .plain_words import source_position
from .prose import prose, sentences, words
from .settings import Target, number, rule, whole
from .syllables import count_sentences, textstat, use_offline_dictionary  # textstat without NLTK: see syllables.py

FR_MIN_EASE = 65  # see the calibration in the module docstring
SENTENCE_MAX, SENTENCE_WARN_FROM, PARAGRAPH_MAX = 25, 20, 3


def french_ease_for(grade: float) -> int:
    """The French reading ease that matches an English grade target, by the calibration above: the expected
    ease (100.0 − 3.59 × grade) less two deviations (6.2); grade 8 gives 65, grade 6 gives 72."""
    return round(100.0 - 3.59 * grade - 6.2)


# Publication targets (`targets:` in a publication's _index.md, settings.py): `grade` also sets the French
# minimum that matches it (french_ease_for), unless the block gives `reading_ease` itself.
RULES = (
    rule("readability.grade", "error", max=number(8), fr_min_ease=number(FR_MIN_EASE), min_words=whole(30),
         targets=(Target("grade", "max", derived=("fr_min_ease", french_ease_for)),
                  Target("reading_ease", "fr_min_ease"), Target("min_words", "min_words"))),
    rule("readability.sentence-length", "error", max=whole(SENTENCE_MAX), warn_from=whole(SENTENCE_WARN_FROM),
         targets=(Target("sentence_max", "max"), Target("sentence_warn_from", "warn_from"))),
    rule("readability.paragraph-length", "warning", max=whole(PARAGRAPH_MAX),
         targets=(Target("paragraph_max", "max"),)),
    rule("readability.passive", "warning"),
)
LOCALES = {"en": "en_US", "fr": "fr"}
HARDEST_SHOWN = 3
MIN_RANKED_WORDS = 5  # shorter sentences (list items, labels) are not named as the hardest
OPENING_WORDS = 8  # how much of a sentence a message quotes
TERMINATED = re.compile(r"[.!?…][\"'»”)\]\s]*$")

BE = r"(?:am|is|are|was|were|be|been|being)"
IRREGULAR = ("arisen awoken beaten become begun bent bidden bitten blown born borne bought bound broken brought built "
             "burnt caught chosen dealt done drawn driven drunk eaten fallen felt fought found forbidden forgotten "
             "forgiven frozen given gone grown held hidden hit hung hurt kept known laid led lent lost made meant met "
             "mistaken overcome overseen overtaken overthrown paid proven ridden risen said seen sent set shaken shown "
             "shut sold sought spent spoken spread stolen struck sung sworn taken taught thought thrown told torn "
             "understood undertaken undone upheld withdrawn won worn written")
NOT_PARTICIPLES = {"indeed", "need", "red", "bed", "hundred", "speed", "feed", "seed", "shed", "hatred", "sacred",
                   "naked", "wicked", "interested", "concerned", "involved", "committed", "dedicated", "qualified",
                   "experienced", "pleased", "excited", "worried", "tired", "married", "skilled", "talented",
                   "detailed", "related", "supposed", "advanced", "based"}
PASSIVE = re.compile(rf"\b{BE}\s+(?:(?:not|also|often|always|never|now|still|being|\w+ly)\s+){{0,2}}"
                     rf"(\w+ed|{'|'.join(IRREGULAR.split())})\b", re.IGNORECASE)


def run(site, files, settings):
    """Score every page's prose and yield the grade, sentence-length, paragraph-length and passive-voice findings."""
    for page in site.pages:
        blocks = prose(page)
        if not blocks:
            continue
        yield from _grade(site, page, blocks, settings)
        lengths = settings.options(page, "readability.sentence-length")
        most = settings.options(page, "readability.paragraph-length")["max"]
        for block in blocks:
            split = sentences(block)
            for sentence, line in split:
                yield from sentence_length(settings, page, "readability.sentence-length", sentence, line, lengths)
            if len(split) > most:
                yield settings.finding(page, "readability.paragraph-length", block.line, paragraph_message(
                    block.kind, len(split), most))
            if page.lang == "en":
                yield from _passives(page, block, settings)


def sentence_length(settings, where, rule_id: str, sentence: str, line: int, lengths: dict, what: str = "sentence"):
    """A sentence longer than `max` words gets the rule's severity; one of `warn_from` words or more, a warning.
    Pages and matrix texts (checks/matrices.py, `what`: "English sentence") share it."""
    count = len(words(sentence))
    if count > lengths["max"]:
        yield settings.finding(where, rule_id, line,
                               f"This {what} has {count} words (at most {lengths['max']}): {opening(sentence)}. "
                               "Split it into shorter sentences, one idea each.")
    elif count >= lengths["warn_from"]:
        under = lengths["warn_from"]
        asks = "the Canada.ca style guide asks for" if under == SENTENCE_WARN_FROM else "the target is"
        yield settings.finding(where, rule_id, line,
                               f"This {what} has {count} words; {asks} fewer than {under}: {opening(sentence)}. "
                               "Split it in two, or cut the words that add nothing.", severity="warning")


FIXES = {
    "paragraph": "split it into shorter paragraphs, one idea each, or make a list",
    "list item": "shorten it, or split it into several items",
    "definition": "split it: start a second paragraph below it, indented by four spaces so it stays with its term",
    "term": "shorten it",
}
# How writers know these blocks: a `: ` line under a term (a commitment's text), and the term above it.
SHOWN_AS = {"definition": "text under a term (the line starting with `: `)", "term": "term (the line above a `: ` line)"}


def paragraph_message(kind: str, count: int, most: int) -> str:
    """What is too long, by how much, and how to fix that kind of block."""
    asks = "the Canada.ca style guide asks for at most 3" if most == PARAGRAPH_MAX else f"the target is at most {most}"
    return f"This {SHOWN_AS.get(kind, kind)} has {count} sentences; {asks}: {FIXES[kind]}."


def score(text: str, lang: str) -> float:
    """Flesch–Kincaid grade (English) or Kandel–Moles reading ease (French) of `text`, never online."""
    use_offline_dictionary()
    textstat.set_lang(LOCALES[lang])
    try:
        return textstat.flesch_kincaid_grade(text) if lang == "en" else textstat.flesch_reading_ease(text)
    finally:
        textstat.set_lang(LOCALES["en"])


def page_text(blocks) -> str:
    """All prose blocks as one text; a block without end punctuation (list item, label) still ends a sentence."""
    return " ".join(b.text.strip() if TERMINATED.search(b.text.strip()) else b.text.strip() + "." for b in blocks)


def _grade(site, page, blocks, settings):
    """Record the page's figures and yield a finding when its prose is harder than the threshold."""
    text = page_text(blocks)
    value = round(score(text, page.lang), 1)
    figures = {"lang": page.lang, "grade" if page.lang == "en" else "reading_ease": value,
               "words": textstat.lexicon_count(text), "sentences": count_sentences(text)}
    site.scores.setdefault(str(page.source), {}).update(figures)
    options = settings.options(page, "readability.grade")
    if figures["words"] < options["min_words"]:
        return
    if page.lang == "en" and value > options["max"]:
        verdict = f"Reading grade {value} is above the target of {options['max']}."
    elif page.lang == "fr" and value < options["fr_min_ease"]:
        verdict = f"Reading ease {value} is below the minimum of {options['fr_min_ease']} (higher is easier)."
    else:
        return
    hardest = hardest_sentences(blocks, page.lang)
    listed = "; ".join(f"line {line} ({len(words(s))} words): {opening(s)}" for s, line in hardest)
    yield settings.finding(page, "readability.grade", hardest[0][1],
                           f"{verdict} Hardest sentences: {listed}. "
                           "Split long sentences and use shorter, everyday words.")


def hardest_sentences(blocks, lang: str) -> list[tuple[str, int]]:
    """The sentences that score worst on their own, hardest first, with their lines (very short ones last resort)."""
    every = [(s, line) for block in blocks for s, line in sentences(block)]
    ranked = [item for item in every if len(words(item[0])) >= MIN_RANKED_WORDS] or every
    harder_first = sorted(ranked, key=lambda item: score(item[0], lang), reverse=lang == "en")
    return harder_first[:HARDEST_SHOWN]


def opening(sentence: str) -> str:
    """The first words of a sentence, quoted, so a writer can find it."""
    found = sentence.split()
    return "“" + " ".join(found[:OPENING_WORDS]) + (" …”" if len(found) > OPENING_WORDS else "”")


def _passives(page, block, settings):
    """A hint for each 'to be' + past participle in an English block, at the column of the same passive in
    its Markdown line (one search per line for all of them: linear however many there are)."""
    for match in PASSIVE.finditer(block.text):
        if match.group(1).lower() in NOT_PARTICIPLES:
            continue
        written = match.group(0).split()
        line, column = source_position(page, block, match.start(), PASSIVE)
        yield settings.finding(page, "readability.passive", line,
                               f"Possible passive voice: “{' '.join(written)}”. Say who does what "
                               "(“we approved the plan”, not “the plan was approved”), "
                               "unless the doer does not matter.",
                               column=column)
