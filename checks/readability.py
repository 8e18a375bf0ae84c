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
`readability.sentence-length` (default severity `error`, both languages): each sentence longer
  than `max` words (default 25, as docs/authoring.md asks) gets a finding at its line.
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
from .settings import number, rule, whole
from .syllables import textstat, use_offline_dictionary  # textstat without NLTK: see syllables.py

FR_MIN_EASE = 65  # see the calibration in the module docstring
RULES = (
    rule("readability.grade", "error", max=number(8), fr_min_ease=number(FR_MIN_EASE), min_words=whole(30)),
    rule("readability.sentence-length", "error", max=whole(25)),
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
    """Score every page's prose and yield the grade, sentence-length and passive-voice findings."""
    for page in site.pages:
        blocks = prose(page)
        if not blocks:
            continue
        yield from _grade(site, page, blocks, settings)
        limit = settings.options(page, "readability.sentence-length")["max"]
        for block in blocks:
            for sentence, line in sentences(block):
                count = len(words(sentence))
                if count > limit:
                    yield settings.finding(page, "readability.sentence-length", line,
                                           f"This sentence has {count} words (at most {limit}): {opening(sentence)}. "
                                           "Split it into shorter sentences.")
            if page.lang == "en":
                yield from _passives(page, block, settings)


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
               "words": textstat.lexicon_count(text), "sentences": textstat.sentence_count(text)}
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
