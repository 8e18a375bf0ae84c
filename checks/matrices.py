"""Action-plan matrices (data/matrices/*.yaml, see clair/matrices.py) checked like pages.

The schema (every field in both languages, leads and partners in the glossary, declared periods,
unique ids) is enforced when the data is loaded: a broken file stops the build with exit code 2.
These rules judge what the schema cannot. Each finding points at the data file and the line of the
field (the line of its `en:` or `fr:` text), except the placement rule, which points at the page.

- `matrices.parity` (error): a number or year that only one language of a field has (or has more
  often), at that language's line, with the other language's line as related_line; and a French
  page that places other matrices than its English page, at its `::: matrix` line.
- `matrices.readability` (error): the goal and activity texts (and notes) of one language scored as
  one text, English above the Flesch–Kincaid grade `max` of `readability.grade`, French below its
  `fr_min_ease` (at the hardest sentence's line; not judged under its `min_words`); and each
  sentence longer than the `max` of `readability.sentence-length`, at its field's line (a warning from its
  `warn_from` words).
- `matrices.glossary` (warning): a word in capitals of 2 to 6 letters (an acronym) that the
  matrix's glossary does not have, in any text of the matrix; in French texts, an English acronym
  whose French form (`fr_abbr`) differs.

Thresholds come from the site's `readability.*` settings, so pages and matrices are held to the
same targets; `matrices.readability` sets only the severity. Numbers are read each language's
way (checks/parity_facts.py): `1,500` = `1 500`, `2007–2008` = `2007-2008`, `CS-01` = `CS-01`.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import zip_longest

from clair.markdown import block_name
from clair.matrices import Matrix, Text
from clair.model import LANGUAGE_NAMES, LANGUAGES, OTHER_LANGUAGE, Finding, Site

from .parity_common import pairs
from .parity_facts import fact_pattern, meaning
from .prose import Prose, sentences, words
from .readability import hardest_sentences, opening, page_text, score, sentence_length
from .settings import Settings, rule

RULES = (
    rule("matrices.parity", "error"),
    rule("matrices.readability", "error"),
    rule("matrices.glossary", "warning"),
)
ACRONYM = re.compile(r"(?<![\w-])[A-ZÀ-ÖØ-Þ]{2,6}(?![\wÀ-ÿ])")


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """The pages' rule: a translation places the same matrices."""
    yield from placements(site, settings)


def run_site(site: Site, built, settings: Settings) -> Iterator[Finding | None]:
    """The data files' rules, once per build (so matrices no page places are checked too)."""
    for name in sorted(site.matrices):
        matrix = site.matrices[name]
        yield from parity(matrix, settings)
        yield from readability(matrix, settings)
        yield from glossary(matrix, settings)


# --- matrices.parity ---------------------------------------------------------------------------------

def numbers(text: Text, lang: str) -> tuple[Counter, dict]:
    """How often each number (value and unit) appears in one language of a field, and how it is written."""
    found, written = Counter(), {}
    for match in fact_pattern(lang).finditer(text.get(lang)):
        key = meaning(match, lang)
        found[key] += 1
        written.setdefault(key, match.group(0).strip())
    return found, written


def parity(matrix: Matrix, settings: Settings) -> Iterator[Finding | None]:
    """Every number of a field's English is in its French as often, and the other way round."""
    for name, text in matrix.text_fields():
        counts = {lang: numbers(text, lang) for lang in LANGUAGES}
        for lang in LANGUAGES:
            other = OTHER_LANGUAGE[lang]
            mine, written = counts[lang]
            theirs = counts[other][0]
            for key, count in mine.items():
                if count > theirs[key]:
                    how_often = "not at all" if not theirs[key] else f"{theirs[key]} time{'s' * (theirs[key] != 1)}"
                    yield settings.finding(matrix.file, "matrices.parity", text.line_of(lang),
                                           f"“{written[key]}” is in the {LANGUAGE_NAMES[lang]} text of {name} "
                                           f"{count} time{'s' * (count != 1)} but in the {LANGUAGE_NAMES[other]} "
                                           f"{how_often}; "
                                           "every number, year and amount must be in both languages",
                                           related_file=matrix.file, related_line=text.line_of(other))


def placements(site: Site, settings: Settings) -> Iterator[Finding | None]:
    """The French version of a page places the same matrices, in the same order, as the English."""
    for english, french in pairs(site):
        placed = {page.lang: [(info_name(t), page.file_line(t.map[0])) for t in page.tokens
                              if t.type == "container_block_open" and block_name(t) == "matrix"]
                  for page in (english, french)}
        en_names, fr_names = [n for n, _ in placed["en"]], [n for n, _ in placed["fr"]]
        if en_names == fr_names:
            continue
        first = next(i for i, (fr, en) in enumerate(zip_longest(fr_names, en_names)) if fr != en)
        line = placed["fr"][min(first, len(fr_names) - 1)][1] if fr_names else french.body_line
        related = placed["en"][min(first, len(en_names) - 1)][1] if en_names else english.body_line
        yield settings.finding(french, "matrices.parity", line,
                               f"this page places the matrices {', '.join(fr_names) or '(none)'} but its English "
                               f"version places {', '.join(en_names) or '(none)'}; place the same matrices in the "
                               "same order", related_file=str(english.source), related_line=related)


def info_name(token) -> str:
    """NAME in `::: matrix NAME`."""
    parts = token.info.split()
    return parts[1] if len(parts) > 1 else ""


# --- matrices.readability ----------------------------------------------------------------------------

def prose_blocks(matrix: Matrix, lang: str) -> list[Prose]:
    """The goal and activity texts (and notes) of one language, each with its file line."""
    return [Prose(text.get(lang), text.line_of(lang), (0,)) for _, text in matrix.prose_fields()]


def readability(matrix: Matrix, settings: Settings) -> Iterator[Finding | None]:
    grade = settings.options(None, "readability.grade")
    lengths = settings.options(None, "readability.sentence-length")
    for lang in LANGUAGES:
        blocks = prose_blocks(matrix, lang)
        if not blocks:
            continue
        text = page_text(blocks)
        value = round(score(text, lang), 1)
        if len(words(text)) >= grade["min_words"]:
            verdict = None
            if lang == "en" and value > grade["max"]:
                verdict = f"The English texts read at grade {value}, above the target of {grade['max']}."
            elif lang == "fr" and value < grade["fr_min_ease"]:
                verdict = (f"The French texts have a reading ease of {value}, below the minimum of "
                           f"{grade['fr_min_ease']} (higher is easier).")
            if verdict:
                hardest = hardest_sentences(blocks, lang)
                listed = "; ".join(f"line {line} ({len(words(s))} words): {opening(s)}" for s, line in hardest)
                yield settings.finding(matrix.file, "matrices.readability", hardest[0][1],
                                       f"{verdict} Hardest sentences: {listed}. Split long sentences and use shorter, "
                                       "everyday words.")
        for block in blocks:
            for sentence, line in sentences(block):
                yield from sentence_length(settings, matrix.file, "matrices.readability", sentence, line, lengths,
                                           f"{LANGUAGE_NAMES[lang]} sentence")


# --- matrices.glossary -------------------------------------------------------------------------------

def glossary(matrix: Matrix, settings: Settings) -> Iterator[Finding | None]:
    """Acronyms in the texts are the glossary's, in the text's language."""
    known = {"en": set(matrix.glossary),
             "fr": {term.abbr_in("fr") for term in matrix.glossary.values()}}
    english_only = {term.abbr: term.fr_abbr for term in matrix.glossary.values()
                    if term.fr_abbr and term.fr_abbr != term.abbr}
    for name, text in matrix.text_fields():
        if name.startswith("glossary "):
            continue  # the expansions themselves
        for lang in LANGUAGES:
            for acronym in dict.fromkeys(ACRONYM.findall(text.get(lang))):
                if acronym in known[lang]:
                    continue
                if lang == "fr" and acronym in english_only:
                    message = (f"the French text of {name} uses the English acronym “{acronym}”; write the French "
                               f"one, “{english_only[acronym]}”")
                else:
                    message = (f"“{acronym}” in the {LANGUAGE_NAMES[lang]} text of {name} looks like an acronym "
                               "but is not in the glossary; add it under `glossary:` with its English and French "
                               "names (and `fr_abbr` when the French differs), or write the words out")
                yield settings.finding(matrix.file, "matrices.glossary", text.line_of(lang), message)
