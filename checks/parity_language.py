"""Check stage, `parity.untranslated` and `parity.length-ratio`: the French is a translation, and a whole one.

Rule `parity.untranslated` (default: severity error, `min_words: 4`, `min_confidence: 0.9`,
`page_min_words: 30`, `max_other_share: 0.5`):

- A French paragraph or list item that is the same as one of the English page's (letters and
  digits compared, ignoring case, spacing and punctuation) and has at least `min_words` words was
  left untranslated: error at the French paragraph's line.
- A passage written in the other language, copied or not: any title, description, heading,
  paragraph, list item, table cell, table caption or image description of a French page that a
  language identifier (checks/language_id.py) says is English with a confidence of at least
  `min_confidence`, and the reverse in English pages: error at its line. Only passages of at least
  `min_words` words are judged, counted without addresses, file names, code, acronyms and numbers
  (checks/language_passages.py): under that, a passage is mostly names, and a table cell of one or
  two words cannot be told apart (`Agile`, `Service`, `Design`). Quotations are not judged, nor text
  whose language the writer declared: an element with a `lang` attribute (`<span lang="en">Digital
  Standards</span>`), a link titled `lang:en`, or a title followed by "(en anglais seulement)" /
  "(in French only)". bench/language_accuracy.py measured the two defaults on real sites.
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
from itertools import chain

from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Page, Site
from clair.project import Project

from .language_id import probability_of
from .language_passages import Passage, judged_text, passages
from .parity_common import corresponding_line, first_prose_line, pair_finding, pairs
from .prose import prose, words
from .raw_html import per_parse
from .settings import Settings, number, rule, whole

RULES = (
    rule("parity.untranslated", "error", min_words=whole(4), min_confidence=number(0.9), page_min_words=whole(30),
         max_other_share=number(0.5)),
    rule("parity.length-ratio", "warning", min=number(0.9), max=number(1.6), min_words=whole(50)),
)
FUNCTION_WORDS = {
    "en": frozenset("the and of to is are was were be been that this these with for we you our your it its "
                    "they their will would should can not have has from by which who what when there".split()),
    "fr": frozenset("le la les des du et est sont que qui une un pour dans nous vous notre nos votre vos sur "
                    "pas avec ce cette ces au aux ou il elle ils elles leur leurs être été mais aussi".split()),
}
# Words that mark a language for the quick test before the identifier: the page-wide rule's, and more that
# names and titles rarely hold (not `or` nor `plus`: French and English both have them)
MARKERS = {"en": FUNCTION_WORDS["en"] | frozenset("in how why".split()),
           "fr": FUNCTION_WORDS["fr"] | frozenset("de à en par ne se sa son ses je entre tous tout autres "
                                                  "plusieurs comme sans selon".split())}
# (first, the letters a sign starts with: the search tries every place, and rules most out at once)
FRENCH_SIGNS = re.compile(r"(?=[àâçéèêëîïôûùüÿœældqnscjm])(?:[àâçéèêëîïôûùüÿœæ]|\b(?:l|d|qu|n|s|c|j|m)['’]\w)",
                          re.IGNORECASE)


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Whole pages in the wrong language first, so their passages are not reported one by one; then copied
    paragraphs, then passages in the other language that are not such copies."""
    foreign, copied = set(), set()
    for page in sorted(site.pages, key=lambda p: str(p.source)):
        finding = reads_as_other_language(settings, page, site.project)
        if finding is not None:
            foreign.add(page)
            yield finding
    for english, french in pairs(site):
        if french not in foreign:
            for finding, line in copied_paragraphs(settings, english, french):
                copied.add((french, line))
                yield finding
        yield length_ratio(settings, site, english, french)
    for page in sorted(site.pages, key=lambda p: str(p.source)):
        if page not in foreign and not page.stand_in:
            yield from passages_in_other_language(settings, page, copied, site.config.allow_raw_html)


@per_parse
def prose_words(page: Page) -> tuple[str, ...]:
    """The words of the page's prose, read once per parse: the page-wide language test and the length ratio (of
    the page and of its translation) count them."""
    return tuple(chain.from_iterable(words(block.text) for block in prose(page)))


def word_count(page: Page) -> int:
    """How many words of prose the page has."""
    return len(prose_words(page))


def language_counts(page: Page) -> dict[str, int]:
    """How many of the page's prose words are common short words of each language (one pass over the words)."""
    found = Counter(map(str.casefold, prose_words(page)))
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


def copied_paragraphs(settings: Settings, english: Page, french: Page) -> Iterator[tuple[Finding | None, int]]:
    """French paragraphs that are word for word an English paragraph, with their lines: only those that read as
    English (a list of product names, a licence's name or a French quotation both pages share is no copy to
    translate)."""
    options = settings.options(french, "parity.untranslated")
    english_lines = {}
    for block in prose(english):
        english_lines.setdefault(normalised(block.text), block.line)
    for block in prose(french):
        match = english_lines.get(normalised(block.text))
        if match is not None and reads_as("en", block.text, options):
            yield pair_finding(settings, french, english, "parity.untranslated", block.line, match,
                               "this French paragraph is the same as the English one; translate it"), block.line


NOTES = {"en": "(en anglais seulement)", "fr": "(in French only)"}  # what Canada.ca writes after such a title


def passages_in_other_language(settings: Settings, page: Page, copied: set, html: bool) -> Iterator[Finding | None]:
    """Passages a language identifier is confident are in the other language (copied paragraphs are reported
    as copies already). `html`: the site allows raw HTML, so the fix may be a `lang` attribute."""
    options = settings.options(page, "parity.untranslated")
    other = OTHER_LANGUAGE[page.lang]
    for passage in passages(page):
        if (page, passage.line) in copied and passage.kind in ("paragraph", "list item"):
            continue
        if reads_as(other, passage.text, options):
            yield other_language_finding(settings, page, passage, other, html)


def reads_as(lang: str, text: str, options: dict) -> bool:
    """`text` has enough words once names, code and numbers are left out, and the identifier is confident it is
    in `lang`."""
    if lang == "fr" and no_sign_of_french(text):
        return False  # most passages of English pages: not worth judging
    judged = judged_text(text)
    return len(words(judged)) >= options["min_words"] and could_be(lang, judged) \
        and probability_of(lang, judged) >= options["min_confidence"]


def no_sign_of_french(text: str) -> bool:
    """Whether `text` has no sign of French (a short French word, an elision, an accent): then neither has its
    judged text, and could_be says it is not French. judged_text only takes out (whole space-separated words, spans
    from `{` to `}`, acronyms) and makes no new word or elision, but where an acronym follows a `×` (the one
    character of the acronyms' class that is no word character: `la×ABC` leaves `la`): such a text is judged in
    full."""
    return "×" not in text and not FRENCH_SIGNS.search(text) \
        and MARKERS["fr"].isdisjoint(map(str.casefold, words(text)))


def could_be(lang: str, text: str) -> bool:
    """The quick test before the identifier (which takes a second to load): False when `text` is surely not in
    `lang`. Signs of French are its short words, elisions and accents; English needs one short English word
    for every 4 signs of French at most (`Right to Play` in a French sentence is a name), or no sign of French.
    On 28,293 passages of real sites (bench/language_accuracy.py), it sends 49 of a page's own language to the
    identifier, and stops 3 of the 27,735 that the identifier would flag in the other language's page."""
    english, french = marker_counts(text)
    if lang == "fr":
        return french >= 1 and 4 * french >= english
    return (english >= 1 and 4 * english >= french) or french == 0


def marker_counts(text: str) -> tuple[int, int]:
    """(short English words, signs of French) in `text`."""
    found = list(map(str.casefold, words(text)))
    english = sum(map(MARKERS["en"].__contains__, found))
    return english, sum(map(MARKERS["fr"].__contains__, found)) + len(FRENCH_SIGNS.findall(text))


def other_language_finding(settings: Settings, page: Page, passage: Passage, other: str,
                           html: bool) -> Finding | None:
    """The finding for one passage: what it is, its first words, and how to keep a name or title as it is."""
    shown = " ".join(passage.text.split())
    shown = shown if len(shown) <= 60 else shown[:57].rstrip() + "..."
    language = LANGUAGE_NAMES[other]
    keep = (f'(a name, a title, a quotation), mark it <span lang="{other}">...</span> so that screen readers read it '
            f"in {language}" if html else
            f'(the title of a document in {language} only), follow it with "{NOTES[other]}"; a quotation can be '
            "quoted with `>`")
    message = (f'this {LANGUAGE_NAMES[page.lang]} {passage.kind} is in {language} ("{shown}"): translate it; if it '
               f"must stay in {language} {keep}")
    if page.counterpart is None:
        return settings.finding(page, "parity.untranslated", passage.line, message)
    return pair_finding(settings, page, page.counterpart, "parity.untranslated", passage.line,
                        corresponding_line(page, passage.line, page.counterpart), message)


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
