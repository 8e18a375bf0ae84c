"""Check stage: which part of one version is which part of the other, for `parity.structure`: an alignment by words and place.

A translation shares few words with its original, but it keeps its numbers, names, acronyms,
cognates (`accessibility`, `accessibilité`), about its length, and its place. Two sequences (the parts of two
pages, the rows of two tables, the items of two lists) are paired in order at the least total cost:
a pair costs what the caller says (`cost`, from `likeness` and the places), a thing without a partner
costs GAP. Dynamic programming over n·m cells: callers align at most MAX_CELLS of them.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

GAP = 1.0
MAX_CELLS = 40_000  # 200 parts against 200: about 0.1 s; longer pages align a window (parity_structure.py)
WORD = re.compile(r"\w+")
STEM = 5  # letters of a word compared, when it has as many


@dataclass(frozen=True)
class Words:
    """What of a text survives translation, and its length: its numbers, acronyms, and the first letters of its
    longer words, accents aside, which cognates share (`deployment`, `déploiement`: `deplo`)."""

    kept: frozenset[str]
    length: int

    @classmethod
    def of(cls, text: str) -> Words:
        """Each distinct word is reduced once: a section's text repeats its words, and a site its vocabulary."""
        return cls(frozenset(filter(None, map(kept, set(WORD.findall(text))))), len(text.strip()))


@functools.lru_cache(maxsize=65536)
def kept(word: str) -> str:
    """A word as compared: numbers and acronyms whole, longer words by their first STEM letters without accents
    and capitals, shorter words not at all ("" : they are mostly each language's own little words). Kept for the
    last words: every section, list and table of both versions goes through here, from one vocabulary."""
    if word.isdigit() or len(word) > 1 and word.isupper():
        return word
    if len(word) < STEM:
        return ""
    return "".join(char for char in unicodedata.normalize("NFD", word[:STEM + 2].lower())
                   if not unicodedata.combining(char))[:STEM]


def likeness(one: Words, other: Words) -> float:
    """0 (nothing alike) to 1: the share of kept words in common (counting twice), and how close the lengths are
    (two empty texts are alike)."""
    lengths = min(one.length, other.length) / max(one.length, other.length) if one.length or other.length else 1.0
    if not (one.kept or other.kept):
        return lengths
    shared = len(one.kept & other.kept)
    return (2 * shared / (len(one.kept) + len(other.kept) - shared) + lengths) / 3  # the union, without building it


Pairing = list[tuple[int | None, int | None]]


def align(here: int, there: int, cost: Callable[[int, int], float | None]) -> Pairing:
    """The in-order pairing of `here` things with `there` things of least total cost, in reading order:
    (i, j) a pair, (i, None) and (None, j) things without partner. `cost(i, j)` is None for things that
    cannot pair (a heading and a table)."""
    best = [[GAP * (i + j) if not (i and j) else 0.0 for j in range(there + 1)] for i in range(here + 1)]
    for i in range(1, here + 1):
        for j in range(1, there + 1):
            paired = cost(i - 1, j - 1)
            best[i][j] = min(best[i - 1][j] + GAP, best[i][j - 1] + GAP,
                             best[i - 1][j - 1] + paired if paired is not None else float("inf"))
    pairing: Pairing = []
    i, j = here, there
    while i or j:  # back from the end: on a tie, the thing without partner is the later one (an item added last)
        if i and best[i][j] == best[i - 1][j] + GAP:
            i -= 1
            pairing.append((i, None))
        elif j and best[i][j] == best[i][j - 1] + GAP:
            j -= 1
            pairing.append((None, j))
        else:
            i, j = i - 1, j - 1
            pairing.append((i, j))
    return pairing[::-1]
