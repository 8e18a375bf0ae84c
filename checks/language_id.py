"""Check stage, for `parity.untranslated`: how sure a language identifier is that a text is English, not French.

The identifier is py3langid (a naive Bayes model of byte n-grams, shipped in its wheel: nothing is
downloaded), restricted to English and French. bench/language_accuracy.py measured it against the
other candidates on 30,536 passages of real sites; README "Dependencies, and why" has the figures.
It is loaded once per process, when a check first asks (about a second), and only then: most pages
never ask (parity_language.could_be).
"""
from __future__ import annotations

import functools

ROUNDING = 3  # the model sums floats with numpy, whose last bits may differ between machines: compare rounded


@functools.lru_cache(maxsize=1)
def identifier():
    """py3langid's model, restricted to English and French (loaded on first use)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(["en", "fr"])
    return model


@functools.lru_cache(maxsize=4096)
def english_probability(text: str) -> float:
    """From 0 (surely French) to 1 (surely English); the same text always gets the same answer.
    Kept for the last texts: a site repeats its boilerplate on many pages."""
    lang, probability = identifier().classify(text)
    return round(float(probability) if lang == "en" else 1 - float(probability), ROUNDING)


def probability_of(lang: str, text: str) -> float:
    """How sure the identifier is that `text` is in `lang` (en or fr)."""
    english = english_probability(text)
    return english if lang == "en" else round(1 - english, ROUNDING)
