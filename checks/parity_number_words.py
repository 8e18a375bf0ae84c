"""Check stage: numbers written as words, for `parity.facts`: `twenty-five` and `vingt-cinq` are the fact 25.

English and French: zero to nineteen, the tens (twenty to ninety; vingt to soixante, with
soixante-dix, quatre-vingt(s) and quatre-vingt-dix), `hundred` / `cent(s)` and `thousand` / `mille`,
joined by spaces, hyphens, `and` or `et` (`two hundred and fifty`, `vingt et un`, `deux cents`).
`million`, `billion` and `milliard` are not number words: they end a number without multiplying
it, as they do after digits (`two million` is the fact 2, like `2 million`).

Ordinals (`third`, `troisième`, `tiers`), `both`, `twice`, `none` / `aucun` and round figures
(`une trentaine`) say a number too. Every number in words is *soft*: it is never reported, but it
is the partner of the same number written in digits on the other side (`8 year old` = `huit ans`,
`3rd party` = `tiers`, `1` = `un`, `0 results` = `aucun résultat`). Words are numbers only sometimes
(French `un`/`une` are mostly articles, `neuf` also means new, `les deux` is both, `partir de zéro`
is to start from scratch, `dix ans` is a decade): reported, they were wrong 10 times in 12 on real
pages (README, "Build checks").
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

SMALL = {
    "en": dict(zip(("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                    "fifteen sixteen seventeen eighteen nineteen").split(), range(20))),
    "fr": {**dict(zip("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
                      "seize".split(), range(17))), "une": 1},
}
TENS = {
    "en": dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10))),
    "fr": {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60},
}
HUNDREDS = {"en": {"hundred"}, "fr": {"cent", "cents"}}
THOUSANDS = {"en": {"thousand"}, "fr": {"mille"}}
FOUR_TIMES = {"vingt", "vingts"}  # quatre-vingt(s) = 80
PLURAL_ONLY = {"cents", "vingts"}  # `deux cents`, `quatre-vingts`: never a number alone (25 cents)
HINTS = {  # words that say a number without stating it: never part of a longer number
    "en": {"both": 2, "twice": 2, "once": 1, "dozen": 12, "no": 0, "none": 0,
           **dict(zip("first second third fourth fifth sixth seventh eighth ninth tenth".split(), range(1, 11)))},
    "fr": {"tiers": 3, "tierce": 3, "aucun": 0, "aucune": 0, "dizaine": 10, "douzaine": 12,
           "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "cinquantaine": 50, "centaine": 100, "millier": 1000,
           **{form: 1 for form in ("premier", "première", "premiers", "premières")},
           **dict(zip("deuxième troisième quatrième cinquième sixième septième huitième neuvième dixième".split(),
                      range(2, 11)))},
}
JOINERS = {"en": "and", "fr": "et"}


def vocabulary(lang: str) -> set[str]:
    return {*SMALL[lang], *TENS[lang], *HUNDREDS[lang], *THOUSANDS[lang], *HINTS[lang]}


@functools.cache  # compiled where a page first needs it (a worker), not at every run's start: 8 ms
def words_pattern(lang: str) -> re.Pattern:
    """A run of number words, joined by spaces, hyphens or `and`/`et`; not after `per`/`pour` (`pour cent` is a
    unit), not inside a longer word. The search tries every place of a text: a first letter no number word has
    rules most places out at once."""
    word = alternatives(vocabulary(lang))
    first_letters = "".join(sorted({spelling[0] for spelling in vocabulary(lang)}))
    joiner = rf"(?:[\s-]+{JOINERS[lang]})?[\s-]+"
    return re.compile(rf"(?=[{first_letters}])(?<!\w)(?<!pour )(?<!per )(?:{word})(?:{joiner}(?:{word}))*(?!\w)",
                      re.IGNORECASE)


def alternatives(spellings: set[str]) -> str:
    """The spellings as one regex branching letter by letter (`s(?:ix(?:t(?:een|y))?|...)`), so that at a word's start
    the search tries a few letters, not every spelling. Which spelling matches does not depend on their order:
    only a whole word can."""
    by_first: dict[str, list[str]] = {}
    for spelling in spellings:
        by_first.setdefault(spelling[0], []).append(spelling[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        longer = [rest for rest in rests if rest]
        after = f"(?:{alternatives(set(longer))})" + "?" * ("" in rests) if longer else ""
        branches.append(re.escape(first) + after)
    return "|".join(branches)


WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class WordNumber:
    """One number found in a run of words: its value and where it is in the text."""

    value: int
    start: int
    end: int


def word_numbers(text: str, lang: str) -> Iterator[WordNumber]:
    """Every number written in words in `text`, in order."""
    for run in words_pattern(lang).finditer(text):
        words = [(word[0].lower(), word.start(), word.end()) for word in WORD.finditer(text, run.start(), run.end())]
        yield from split_numbers(words, lang)


def split_numbers(words: list[tuple[str, int, int]], lang: str) -> Iterator[WordNumber]:
    """The numbers a run of words spells: `twenty five` is one number, `two three` two of them."""
    number: Spelling | None = None
    for word, start, end in words:
        if word == JOINERS[lang]:
            continue
        if number is not None and number.takes(word, lang):
            number.add(word, lang, end)
            continue
        if number is not None:
            yield number.result()
        number = Spelling(start) if word not in PLURAL_ONLY else None
        if number is not None and not number.add(word, lang, end):
            yield WordNumber(HINTS[lang][word], start, end)
            number = None
    if number is not None:
        yield number.result()


class Spelling:
    """A number being read word by word, the way it is said: `quatre-vingt-dix-sept` = 4×20 + 10 + 7."""

    def __init__(self, start: int):
        self.start, self.end = start, start
        self.total, self.current, self.last = 0, 0, 0  # thousands; below a thousand; the last part added
        self.words: list[str] = []

    def takes(self, word: str, lang: str) -> bool:
        """Whether `word` continues this number (`twenty` + `five`), rather than starting another."""
        if word in SMALL[lang]:
            value = SMALL[lang][word]
            return (self.current % 100 == 0 and (self.current or self.total) > 0 or self.last >= 20 and value < 10
                    or self.last in (10, 60, 80) and value < (10 if self.last == 10 else 20))
        if word in TENS[lang]:
            return self.current % 100 == 0 and (self.current or self.total) > 0 or self.last == 4 and word in FOUR_TIMES
        if word in HUNDREDS[lang]:
            return 0 < self.current < 100 and word != "cents" or word == "cents" and 1 < self.current < 10
        return word in THOUSANDS[lang] and 0 < self.current < 1000 and self.total == 0

    def add(self, word: str, lang: str, end: int) -> bool:
        """Add one word's value; False for a word that is only a hint (`third`, `both`)."""
        if word in SMALL[lang]:
            self.current, self.last = self.current + SMALL[lang][word], SMALL[lang][word]
        elif word in FOUR_TIMES and self.last == 4 and self.words:  # quatre-vingt(s): 4 × 20
            self.current, self.last = self.current + 76, 80
        elif word in TENS[lang]:
            self.current, self.last = self.current + TENS[lang][word], TENS[lang][word]
        elif word in HUNDREDS[lang]:
            self.current, self.last = (self.current or 1) * 100, 100
        elif word in THOUSANDS[lang]:
            self.total, self.current, self.last = (self.current or 1) * 1000, 0, 1000
        else:
            return False
        self.words.append(word)
        self.end = end
        return True

    def result(self) -> WordNumber:
        return WordNumber(self.total + self.current, self.start, self.end)
