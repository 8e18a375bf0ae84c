"""The checks' fast paths find what the plain computation they replace finds (differential tests).

Several checks put a prefilter before a regex: a plain scan or a small regex that rules out text the regex
could not match, or a small window searched before the whole one. A prefilter copies what the regex needs
(its alternatives' first characters, its signs) by hand, so an edit to the regex alone could make it skip
matches silently. Each test here compares a fast path with the plain computation, on the characters that
matter (digits, $, %, ×, no-break spaces, accents, apostrophes, acronyms, `<`, `@`, `://`...), mixed at random
with a fixed seed, and on hand-picked edge cases. Where the previous regex is rebuilt here, it is rebuilt from
the current one (its look-ahead taken off, its tree of spellings made a plain alternation), so the tests follow
an edit of the regex and fail only when the prefilter no longer agrees with it.
"""
import random
import re

import pytest

from clair.checks import parity_facts, parity_language, parity_number_words
from clair.checks.language_passages import MAYBE_NOT_LANGUAGE, NOT_LANGUAGE, judged_text

# The characters and pieces that decide the prefilters, shared by the generators below
SPACES = [" ", " ", " ", "\u00a0", "\u202f", "\u2009", "\n", "\t"]
ACCENTS = ["é", "É", "è", "à", "À", "ç", "Ç", "ô", "œ", "Œ", "æ", "ÿ", "Ÿ", "e\u0301", "ß", "İ", "\u212a", "ſ",
           "ﬁ", "Ý", "Þ", "þ"]
SIGNS = ["$", "%", "×", "÷", "’", "'", "«", "»", "“", "”", "\"", "(", ")", "[", "]", "-", "–", ".", ",", ":", ";",
         "!", "?", "_", "/", "\\", "=", "@", "<", ">", "{", "}", "{{", "}}", "{%", "%}", "{:", "{#", "#", "+"]
DIGITS = [*"0123456789", "00", "15", "2020", "1,000", "25 000", "3.5", "3,5", "\u0663", "\uff13"]
LETTERS = [*"abcdefghijklmnopqrstuvwxyz", "A", "B", "C", "S", "X", "k", "K", "s"]
ADDRESSES = ["://", "http://", "https://", "HTTPS://", "www.", "WWW.", "mailto:", "a@b.ca", "x.ca", "<p>", "</a>",
             "<!--", "<br/>", "<a href=\"x\">"]
ACRONYMS = ["GC", "CDS", "APIs", "ABC", "COVID", "ÉÉ", "AB×", "×AB", "TBS"]


def generated(seed: int, pieces: list[str], count: int, longest: int) -> list[str]:
    """`count` texts of 1 to `longest` pieces drawn at random (the same texts on every run)."""
    generator = random.Random(seed)
    return ["".join(generator.choice(pieces) for _ in range(generator.randrange(1, longest + 1)))
            for _ in range(count)]


def without_look_ahead(pattern: str) -> str:
    """A pattern as it was before its leading look-ahead `(?=[...])` was put in front of it (a prefilter)."""
    plain, count = re.subn(r"\A\(\?=\[[^\]]*\]\)", "", pattern)
    assert count == 1, f"no leading look-ahead in {pattern!r}: rebuild the previous pattern another way"
    return plain


# language_passages.judged_text: MAYBE_NOT_LANGUAGE before NOT_LANGUAGE

JUDGED_EDGES = ["", " ", "plain words only", "Voir https://x.ca/a, le GC et les APIs de 2018 via config.yml.",
                "a.b", "a. b", ".a", "a.", "É.é", "ÀÉ", "Àé", "×A", "A×", "a×AB", "la×ABC", "{{ x }}", "{% x %}",
                "{: .lst}", "{#id}", "{ not a list", "x_y", "a=b", "C:\\x", "٣ pommes", "３", "a\u00a0GC\u202fb",
                "naïve café", "l’État", "AB", "Ab", "aB", "ABs", "İİ", "\u212a\u212a", "ÞÝ", "ÞÞ"]


def test_judged_text_is_the_whole_substitution():
    """judged_text searches NOT_LANGUAGE only where MAYBE_NOT_LANGUAGE finds something: wherever it does not,
    NOT_LANGUAGE finds nothing either, and the judged text is the one the whole substitution gives."""
    pieces = [*SPACES, *ACCENTS, *SIGNS, *DIGITS, *LETTERS, *ADDRESSES, *ACRONYMS, "word", "le", "la", "l’", "d'"]
    texts = JUDGED_EDGES + generated(11, pieces, 4000, 12)
    passed_over = 0
    for text in texts:
        if MAYBE_NOT_LANGUAGE.search(text) is None:
            passed_over += 1
            assert NOT_LANGUAGE.search(text) is None, text
        assert judged_text(text) == " ".join(NOT_LANGUAGE.sub(" ", text).split()), text
    assert 400 < passed_over < len(texts) - 400  # both ways are taken often


# parity_language: FRENCH_SIGNS's look-ahead, and no_sign_of_french before the judgement of a passage

SIGN_WORDS = ["la", "La", "LA", "de", "à", "À", "nous", "les", "ses", "SES", "se", "ſe", "sa", "en", "ne", "je",
              "the", "of", "and", "word", "plan", "l'", "L’", "d'", "qu’", "QU'", "n'", "s'", "c’", "j'", "m'",
              "x'", "l", "d", "qu", "ab", "ABC", "GC", "CDE"]


def test_the_french_signs_look_ahead_rules_out_no_sign():
    """FRENCH_SIGNS starts with a look-ahead for the letters its signs start with: it finds the signs the
    pattern without it finds."""
    old = re.compile(without_look_ahead(parity_language.FRENCH_SIGNS.pattern), parity_language.FRENCH_SIGNS.flags)
    pieces = [*SPACES, *ACCENTS, *SIGNS, *DIGITS[:12], *LETTERS, *SIGN_WORDS]
    texts = ["l'été", "L’ÉTAT", "qu'a", "QU’A", "aujourd'hui", "ſ'a", "l'_", "l'1", "xl'a", "Œuvre", "ÿ", "Ÿ"] \
        + generated(12, pieces, 4000, 12)
    found = 0
    for text in texts:
        signs = [match.span() for match in parity_language.FRENCH_SIGNS.finditer(text)]
        assert signs == [match.span() for match in old.finditer(text)], text
        found += bool(signs)
    assert 400 < found < len(texts) - 400


def test_no_sign_of_french_means_the_judged_text_is_not_french():
    """reads_as skips the judgement of a passage with no sign of French: its judged text must then have no
    sign either (could_be says it is not French), whatever judged_text takes out of it."""
    pieces = [*SPACES, *ACCENTS, *SIGNS, *DIGITS[:12], *LETTERS, *SIGN_WORDS, *ACRONYMS, "www.", "x.ca", "a@b"]
    edges = ["The plan for the year ahead", "nous×ABC vous×CDE", "la×ABC", "la-ABC", "la'ABC", "la÷ABC", "ABC-la",
             "{{x}}la", "la{{x}}", "d{{x}}'a", "{{x}}l'a", "GC la", "2018 la", "x.ca/la la", "ABCs la", "AB×l'a"]
    glued = ["la", "nous", "de", "à", "×", "×", "ABC", "GC", "É", " ", " ", "the", "plan", "-", "'"]  # `la×ABC`
    skipped = 0
    for text in edges + generated(13, pieces, 3000, 10) + generated(23, glued, 1000, 6):
        if parity_language.no_sign_of_french(text):
            skipped += 1
            assert not parity_language.could_be("fr", judged_text(text)), text
    assert skipped > 400


# parity_facts: the search for a name's word before a number, the numbers, the tags and addresses

NAME_PIECES = [*SPACES, " ", " ", "-", ")", "]", "»", "”", "\"", "’", "(", "«", ".", "Canada", "COVID", "ATAG", "the",
               "Blueprint", "Interdepartmental", "Reconciliation", "Intergovernmentally", "x" * 20, "É", "é", "_",
               "1", "2.0", "150", "ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ", "\u212a"]


def test_a_names_word_is_searched_near_the_number_then_in_the_whole_window():
    """name_head searches the NEAR characters before a number, then the LOOK_BACK characters when the word it
    found runs back to the start of the near window: the same match as a search of the whole window, at every
    place of the text."""
    texts = ["Canada 150", "(ATAG) 2.0", "COVID-19", "Intergovernmentally 2", "a" * 100 + " 1", "x" * 79 + "- 3",
             "the Blueprint\u00a02020", "Reconciliation\u202f5", "é" * 30 + "» 4", "ab \n", "ab\n"] \
        + generated(14, NAME_PIECES, 400, 14)
    widened = 0
    for text in texts:
        for start in range(len(text) + 1):
            fast = parity_facts.name_head(text, start)
            plain = parity_facts.NAME_HEAD.search(text, max(0, start - parity_facts.LOOK_BACK), start)
            assert (fast and (fast.span(), fast[1])) == (plain and (plain.span(), plain[1])), (text, start)
            widened += plain is not None and plain.start() < start - parity_facts.NEAR
    assert widened > 100  # the whole window is needed often


FACT_PIECES = [*SPACES, *DIGITS, *DIGITS, "$", "$", "%", " %", "\u00a0%", "k", "K", "k ", "per cent", "percent",
               "pour cent", "pourcent", "PER CENT", " thousand", " millions", " milliard", " $", " dollars",
               " de dollars", "_", ",", ".", ",", ".", "a", "x", "D", "H1N1", "×", "÷", "é", "’", "-", "–", "pm",
               " p.m.", ":", "\u0663", "\uff13"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_numbers_are_matched_where_one_can_start(lang):
    """fact_matches tries fact_pattern only at a `$` or a digit: the matches its finditer finds, same groups."""
    texts = ["", "$", "$ ", "15:00", "25\u00a0000\u202f$", "1,000,000.5", "3,5 %", "_1", "a1", "5k", "10pour cent",
             "\u0663\u0663", "12 345 678"] + generated(15 + len(lang), FACT_PIECES, 3000, 12)
    found = 0
    for text in texts:
        fast = [(match.span(), match.groupdict()) for match in parity_facts.fact_matches(text, lang)]
        pattern = parity_facts.fact_pattern(lang)
        assert fast == [(match.span(), match.groupdict()) for match in pattern.finditer(text)], text
        found += len(fast)
    assert found > 3000


def blanked(text: str) -> str:
    """The text with NOT_TEXT's matches blanked out, searched whatever it holds (before NOT_TEXT_SIGNS)."""
    return parity_facts.NOT_TEXT.sub(lambda match: " " * len(match[0]), text)


def test_lines_without_tag_or_address_signs_have_no_tag_or_address():
    """without_tags_and_addresses searches NOT_TEXT only in a line holding one of NOT_TEXT_SIGNS: a line
    without them has no tag or address, and every line comes out as the whole search leaves it."""
    pieces = [*SPACES, *ADDRESSES, *LETTERS, *ACCENTS, "<", ">", "/", "!", "@", ":", "//", ".", "-", "+", "\"", "http",
              "https", "www", "ftp://", "1", "_", "a b", "Ⓐ"]
    texts = ["", "<", "<a", "<a>", "a@b", "a@b.c", "www.x", "WWW.X", "http:/x", "https:x", "x://y", "<3", "a <b> c",
             "ftp://x", "mailto:a@b.ca"] + generated(17, pieces, 4000, 10)
    passed_over = 0
    for text in texts:
        if not any(sign in text for sign in parity_facts.NOT_TEXT_SIGNS):
            passed_over += 1
            assert parity_facts.NOT_TEXT.search(text) is None, text
        assert parity_facts.without_tags_and_addresses(text) == blanked(text), text
    assert 400 < passed_over < len(texts) - 400


# parity_number_words: the first-letter look-ahead and the letter-by-letter tree of spellings

def previous_words_pattern(lang: str) -> re.Pattern:
    """WORDS[lang] as it was before its prefilters: no look-ahead for the first letters, and the spellings a
    plain alternation, longest first (rebuilt from the current pattern and the same vocabulary)."""
    vocabulary = parity_number_words.vocabulary(lang)
    tree = parity_number_words.alternatives(vocabulary)
    current = parity_number_words.words_pattern(lang)
    plain = without_look_ahead(current.pattern)
    assert plain.count(f"(?:{tree})") == 2  # a first word, then each joined one
    flat = "|".join(map(re.escape, sorted(vocabulary, key=lambda spelling: (-len(spelling), spelling))))
    return re.compile(plain.replace(f"(?:{tree})", f"(?:{flat})"), current.flags)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_number_words_are_found_as_the_plain_alternation_finds_them(lang):
    """The look-ahead for the first letters and the tree of spellings find the runs of number words that the
    plain alternation of the vocabulary finds, at the same places."""
    old = previous_words_pattern(lang)
    vocabulary = sorted(parity_number_words.vocabulary(lang))
    spellings = [*vocabulary, *(word.upper() for word in vocabulary), *(word.title() for word in vocabulary)]
    pieces = [*spellings, *spellings, *[" "] * 40, *["-"] * 10, " - ", "\u00a0", "\u202f", "\n", " and ", " et ",
              " AND ", "pour ", "per ", "s", "x", "e", "t", "_", "1", "’", "'", "é", "É", "ſ", "\u212a", "İ", "ß", "«", "»",
              ".", ","]
    texts = ["twenty-five", "two hundred and fifty", "vingt et un", "quatre-vingt-dix-sept", "deux cents",
             "pour cent", "per cent", "sixteen", "sixty", "six", "sixtyfive", "dix-sept", "tiers", "premières",
             "première", "douzaine", "ſix", "\u212aILO", "none", "zéro", "ze\u0301ro"] \
        + generated(18 + len(lang), pieces, 3000, 8)
    found = 0
    for text in texts:
        fast = [match.span() for match in parity_number_words.words_pattern(lang).finditer(text)]
        assert fast == [match.span() for match in old.finditer(text)], text
        found += len(fast)
    assert found > 800

