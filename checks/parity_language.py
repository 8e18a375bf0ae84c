"""Check stage, `parity.untranslated` and `parity.length-ratio`: the French is a translation, and a whole one.

Rule `parity.untranslated` (default: severity error, `min_words: 4`, `page_min_words: 30`,
`max_other_share: 0.5`):

- A French paragraph or list item that is the same as one of the English page's (letters and
  digits compared, ignoring case, spacing and punctuation) and has at least `min_words` words was
  left untranslated: error at the French paragraph's line.
- A page that reads as the other language: among the very common short words of its prose (the,
  and, of, to, we... for English; le, la, les, et, des, nous... for French; words that exist in
  both languages, like `a` or `on`, are not counted), more than `max_other_share` belong to the
  other language. Only pages with at least `page_min_words` words of prose are judged. This is
  checked on every page, English or French, paired or not; such a page gets this one error, at
  its first line of prose, instead of one per paragraph.

Rule `parity.length-ratio` (default: severity warning, `min: 0.9`, `max: 1.6`, `min_words: 50`):
French prose usually runs 0.9 to 1.6 times as many words as the English. Outside that band,
something was probably added or left out: warning at the French page's first line of prose.
Pages whose English prose has fewer than `min_words` words are not judged. The figures are kept in
`site.scores` under the French file, for the report.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Page, Site
from clair.project import Project

from .parity_common import first_prose_line, pair_finding, pairs
from .prose import prose, words
from .settings import Settings, number, rule, whole

RULES = (
    rule("parity.untranslated", "error", min_words=whole(4), page_min_words=whole(30), max_other_share=number(0.5)),
    rule("parity.length-ratio", "warning", min=number(0.9), max=number(1.6), min_words=whole(50)),
)
FUNCTION_WORDS = {
    "en": frozenset("the and of to is are was were be been that this these with for we you our your it its "
                    "they their will would should can not have has from by which who what when there".split()),
    "fr": frozenset("le la les des du et est sont que qui une un pour dans nous vous notre nos votre vos sur "
                    "pas avec ce cette ces au aux ou il elle ils elles leur leurs être été mais aussi".split()),
}


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Whole pages in the wrong language first, so their paragraphs are not reported one by one."""
    foreign = set()
    for page in sorted(site.pages, key=lambda p: str(p.source)):
        finding = reads_as_other_language(settings, page, site.project)
        if finding is not None:
            foreign.add(page)
            yield finding
    for english, french in pairs(site):
        if french not in foreign:
            yield from copied_paragraphs(settings, english, french)
        yield length_ratio(settings, site, english, french)


def word_count(page: Page) -> int:
    """How many words of prose the page has."""
    return sum(len(words(block.text)) for block in prose(page))


def language_counts(page: Page) -> dict[str, int]:
    """How many of the page's prose words are common short words of each language (one pass over the words)."""
    found = Counter(word.casefold() for block in prose(page) for word in words(block.text))
    return {lang: sum(found[word] for word in common) for lang, common in FUNCTION_WORDS.items()}


def reads_as_other_language(settings: Settings, page: Page, project: Project) -> Finding | None:
    """A page whose common short words are mostly the other language's: it was not translated."""
    options = settings.options(page, "parity.untranslated")
    if word_count(page) < options["page_min_words"]:
        return None
    counts, other = language_counts(page), OTHER_LANGUAGE[page.lang]
    total = counts["en"] + counts["fr"]
    if not total or counts[other] / total <= options["max_other_share"]:
        return None
    message = (f"this {LANGUAGE_NAMES[page.lang]} page reads as {LANGUAGE_NAMES[other]}: of its {total} common short "
               f"words (the, and, le, et...), {counts[other]} are {LANGUAGE_NAMES[other]}; translate it, or move it "
               f"to {project.language_folder(other)}/")
    line = first_prose_line(page)
    if page.counterpart is None:
        return settings.finding(page, "parity.untranslated", line, message)
    return pair_finding(settings, page, page.counterpart, "parity.untranslated", line,
                        first_prose_line(page.counterpart), message)


NOT_ALNUM = re.compile(r"[\W_]")  # \w is exactly str.isalnum plus the underscore


def normalised(text: str) -> str:
    """Letters and digits only, in lower case: French spacing and punctuation do not hide a copy."""
    return NOT_ALNUM.sub("", text.casefold())


def copied_paragraphs(settings: Settings, english: Page, french: Page) -> Iterator[Finding | None]:
    """French paragraphs that are word for word an English paragraph."""
    min_words = settings.options(french, "parity.untranslated")["min_words"]
    english_lines = {}
    for block in prose(english):
        english_lines.setdefault(normalised(block.text), block.line)
    for block in prose(french):
        match = english_lines.get(normalised(block.text))
        if match is not None and len(words(block.text)) >= min_words:
            yield pair_finding(settings, french, english, "parity.untranslated", block.line, match,
                               "this French paragraph is the same as the English one; translate it")


def length_ratio(settings: Settings, site: Site, english: Page, french: Page) -> Finding | None:
    """French prose far shorter or longer than the English: something was left out or added."""
    options = settings.options(french, "parity.length-ratio")
    en_words, fr_words = word_count(english), word_count(french)
    if en_words < options["min_words"]:
        return None
    ratio = fr_words / en_words
    site.scores.setdefault(str(french.source), {})["length_ratio"] = round(ratio, 2)
    if options["min"] <= ratio <= options["max"]:
        return None
    return pair_finding(settings, french, english, "parity.length-ratio", first_prose_line(french),
                        first_prose_line(english),
                        f"the French has {fr_words} words of text for the English's {en_words} (ratio {ratio:.2f}); "
                        f"a translation usually has {options['min']} to {options['max']} times as many words: "
                        "check that nothing was left out or added")
