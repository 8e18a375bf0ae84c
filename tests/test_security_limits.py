"""Bounded work per page (issue #16): pathological pages build in seconds, numbers of any size are read safely.

Each pathological page is one a writer's pull request could carry, at about the 2 MB page limit (or
large enough that the old quadratic step took minutes). It is built with every check on
(`python build.py check`) in a subprocess with a generous timeout, so a return to quadratic work
shows as a timeout, never as a timed assertion on this machine's speed.
"""
from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from clair.checks import parity_facts
from clair.markdown import make_parser
from clair.model import built_text
from conftest import SITE_YAML, minimal_pages, page, write_tree

ROOT = Path(__file__).resolve().parent.parent
PAGE_LIMIT = 1_990_000  # bytes: just under the 2 MB page limit
TIMEOUT = 90  # seconds: each build below takes a few seconds; the quadratic steps they stand for took minutes


def filled(unit: str, size: int = PAGE_LIMIT) -> str:
    """`unit` repeated to about `size` bytes, as the body of a page."""
    return unit * (size // len(unit.encode()))


def build_check(tmp_path: Path, en_body: str, fr_body: str, config: str = SITE_YAML) -> tuple[int, str, int]:
    """(exit code, output, peak memory in KB) of `python build.py check` on a site with the pair content/*/a.md."""
    write_tree(tmp_path, {**minimal_pages(), "en/a.md": page("A", en_body), "fr/a.md": page("A", fr_body)}, config)
    measure = ("import json, resource, subprocess, sys; result = subprocess.run(sys.argv[1:], capture_output=True, "
               f"text=True, timeout={TIMEOUT}); print(json.dumps([result.returncode, result.stdout + result.stderr, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")  # the build's own peak, killed if late
    command = [sys.executable, "-c", measure, sys.executable, str(ROOT / "build.py"), "check", "--no-cache",
               "--jobs", "1", "--format", "json"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert "TimeoutExpired" not in done.stderr, f"the build took more than {TIMEOUT} s"
    code, output, peak_kb = json.loads(done.stdout)
    assert "Traceback" not in output, output[-3000:]
    return code, output, peak_kb


def findings(output: str) -> list[dict]:
    return json.loads(output)["findings"]


# -- pathological pages ----------------------------------------------------------------------------

def test_repeated_numbers_in_both_languages_pair_in_linear_time_and_flat_memory(tmp_path):
    """parity.facts filled an n×m table: 16,000 repeated numbers took 2 GB and 39 s."""
    code, output, peak_kb = build_check(tmp_path, filled("In 2026, 25% of 1,500 people paid $12.50.\n"),
                                        filled("En 2026, 25 % de 1 500 personnes.\n"))
    assert code == 1
    facts = [f for f in findings(output) if f["check"] == "parity.facts"]
    assert len(facts) > 40_000  # every unpaired occurrence is still reported at its own line
    assert peak_kb < 1_000_000, f"{peak_kb / 1000:.0f} MB"


def test_a_french_page_of_spaced_numbers_builds(tmp_path):
    """`12 345 ` repeated: each finding counted the page's lines again."""
    code, output, _ = build_check(tmp_path, "Some text.\n", filled("12 345 "))
    assert code == 1 and any(f["check"] == "parity.facts" for f in findings(output))


def test_forty_thousand_identical_headings_build(tmp_path):
    """Heading ids tried -1, -2... from the start for each repeat, and parity.structure aligned them all."""
    code, output, _ = build_check(tmp_path, "## Same heading\n\n" * 40_000, "## Même titre\n\n" * 40_000 + "### Autre\n")
    structure = [f for f in findings(output) if f["check"] == "parity.structure"]
    assert code == 1 and len(structure) == 1 and "level-3 heading" in structure[0]["message"]


def test_one_line_of_two_megabytes_with_plain_words_and_passives_builds(tmp_path):
    """Each plain-word or passive hint searched its whole line, and split the whole page into lines, again."""
    code, output, _ = build_check(tmp_path, filled("We utilize it and it was approved. ") + "\n",
                                  filled("Nous agissons au niveau de la ville. ") + "\n")
    rules = {f["check"] for f in findings(output)}
    assert {"plain-words.en", "plain-words.fr", "readability.passive"} <= rules
    columns = [f.get("column") for f in findings(output) if f["check"] == "plain-words.en"]
    assert columns[:3] == [4, 39, 74]


def test_thousands_of_links_build(tmp_path):
    """Each link's line was looked up in, and removed from, the list of every link of the page."""
    code, output, _ = build_check(tmp_path, filled("[Example site](https://example.ca/x) "),
                                  filled("[Site exemple](https://example.ca/x) "))
    assert code in (0, 1)


def test_thousands_of_headings_and_broken_anchors_build(tmp_path):
    """links.internal compared every missing `#anchor` with every id of its page (a "did you mean")."""
    body = "".join(f"## Part {n}\n\n[See part](#nowhere-{n}).\n\n" for n in range(3000))
    code, output, _ = build_check(tmp_path, body, body.replace("See part", "Voir la partie"))
    broken = [f for f in findings(output) if f["check"] == "links.internal"]
    assert code == 1 and len(broken) == 6000


def test_did_you_mean_for_missing_anchors_is_bounded(build, monkeypatch):
    """Counted, not timed: each suggestion compares the anchor with every id of the page."""
    from clair.checks import links as check_links
    calls = []
    suggest = check_links.did_you_mean
    monkeypatch.setattr(check_links, "did_you_mean", lambda *args: calls.append(1) or suggest(*args))
    body = "".join(f"## Part {n}\n\n[See part](#nowhere-{n}).\n\n" for n in range(400))
    result = build({"en/a.md": page("A", body), "fr/a.md": page("A", body.replace("See part", "Voir"))})
    assert len([f for f in result.findings if f.check == "links.internal"]) == 800
    assert len(calls) <= 200  # checks.links.MAX_SUGGESTIONS, whatever the number of broken anchors


def test_many_tables_build(tmp_path):
    """a11y.table went through the whole page once per table."""
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    code, output, _ = build_check(tmp_path, filled("Table: T\n\n" + table, 300_000),
                                  filled("Tableau : T\n\n" + table, 300_000))
    assert not [f for f in findings(output) if f["check"] == "a11y.table"]


def test_deeply_repeated_list_items_build(tmp_path):
    """parity.structure copied the rest of the page for every list to count its items."""
    nested = "".join("  " * depth + "- item\n" for depth in range(8))
    code, output, _ = build_check(tmp_path, filled(nested, 500_000), filled(nested.replace("item", "élément"), 500_000))
    assert code in (0, 1)


@pytest.mark.parametrize("unit", [
    "".join("  " * depth + "- item\n" for depth in range(8)),  # a million list items: 1 GB and 22 s before
    "*a* [b](c) ",  # a million inline elements on one line
])
def test_a_page_of_too_many_parts_is_refused_early_with_little_memory(tmp_path, unit):
    code, output, peak_kb = build_check(tmp_path, filled(unit, 1_900_000), filled(unit, 1_900_000))
    errors = [f for f in findings(output) if f["check"] == "content.load"]
    assert code == 2 and {f["file"] for f in errors} == {"content/en/a.md", "content/fr/a.md"}, output[-2000:]
    assert "too many parts for one page" in errors[0]["message"] and "split it" in errors[0]["message"]
    assert peak_kb < 400_000, f"{peak_kb // 1024} MB"


# -- numbers of any size ---------------------------------------------------------------------------

def test_a_french_number_of_five_thousand_digits_is_a_finding_not_a_crash(build, tmp_path):
    """Grouping its digits read it as a Python int, which stops at 4,300 digits (ValueError)."""
    result = build({"en/a.md": page("A", "Some text.\n"), "fr/a.md": page("A", "Du texte : " + "9" * 5000 + " ici.\n")})
    found = [f for f in result.findings if f.check == "parity.facts"]
    assert [(Path(f.file).name, f.line) for f in found] == [("a.md", 5)]
    assert "“" + "9" * 39 + "…” is in the French" in found[0].message
    assert "9" * 5000 in built_text(result.files[PurePosixPath("fr/a/index.html")])  # left as written


def test_a_french_number_of_thirty_digits_is_grouped(build):
    """Babel's grouping works to 28 digits only (InvalidOperation past them)."""
    result = build({"en/a.md": page("A", "1" + "0" * 29 + "\n"), "fr/a.md": page("A", "1" + "0" * 29 + "\n")})
    assert "100\u00a0000\u00a0000" in built_text(result.files[PurePosixPath("fr/a/index.html")])
    assert not [f for f in result.findings if f.check == "parity.facts"]


def test_a_number_of_a_million_digits_is_compared_not_overflowed(build):
    """Decimal's default context overflows past 999,999 digits."""
    result = build({"en/a.md": page("A", "9" * 1_000_001 + "\n"), "fr/a.md": page("A", "Du texte.\n")})
    assert [f.line for f in result.findings if f.check == "parity.facts"] == [5]


def test_a_team_word_list_over_the_size_limit_is_refused(tmp_path):
    (tmp_path / "words.yaml").write_text("utilize: use\n" + "# padding\n" * 210_000)
    config = SITE_YAML + "checks:\n  plain-words.en:\n    extra_files: [words.yaml]\n"
    code, output, _ = build_check(tmp_path, "We utilize it.\n", "Du texte.\n", config)
    [error] = findings(output)
    assert code == 2 and (error["file"], error["line"]) == ("words.yaml", 1)
    assert error["message"].startswith("the word list is too large (2.1 MB; the limit is 2 MB)")


# -- the pairing of numbers ------------------------------------------------------------------------

def least_distance(here: list[float], there: list[float]) -> float:
    """The least total distance of any in-order pairing (every choice tried: small inputs only)."""
    return min(sum(abs(here[i] - t) for i, t in zip(chosen, there))
               for chosen in itertools.combinations(range(len(here)), len(there)))


def test_pairing_is_the_closest_in_order():
    rng = random.Random(16)
    for _ in range(300):
        n = rng.randint(1, 9)
        here = sorted(rng.random() for _ in range(n))
        there = sorted(rng.random() for _ in range(rng.randint(0, n - 1)))
        kept = sorted(parity_facts.closest_in_order(here, there))
        assert len(kept) == len(there)
        assert sum(abs(here[i] - t) for i, t in zip(kept, there)) == pytest.approx(least_distance(here, there))


def test_pairing_thousands_of_one_number_keeps_one_of_each_in_order():
    here = [i / 19_999 for i in range(20_000)]
    there = [i / 9_999 for i in range(10_000)]
    kept = sorted(parity_facts.closest_in_order(here, there))
    assert len(kept) == len(set(kept)) == 10_000 and kept[0] == 0 and kept[-1] == 19_999


# -- heading ids -----------------------------------------------------------------------------------

def test_heading_ids_are_unique_as_before():
    md = make_parser()
    tokens = md.parse("# A\n## A\n## A-1\n### A\n## `code` A\n## ?\n## ?\n## A\n", {"lang": "en"})
    ids = [t.attrGet("id") for t in tokens if t.type == "heading_open"]
    assert ids == ["a", "a-1", "a-1-1", "a-2", "code-a", "section", "section-1", "a-3"]
