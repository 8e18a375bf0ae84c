"""The libyaml fast path reads settings and data exactly as the careful pure-Python loader does, or steps aside;
keys inside groups keep their lines; data files and settings blocks have their own limits and words."""
import random
from pathlib import Path

import pytest

from clair.model import ContentError
from clair.yamlfile import (CONTROL_CHARACTER, DATA, SETTINGS, _careful_load, _fast_load, compose, decoded_text,
                            load_mapping, may_hold_control_characters, read_text_file)
from conftest import ROOT

TRICKY = [
    "title: No\nslug: 2018\ndate: 2026-11-24\nweight: -3\n",
    "title: 'Quoted: with colon'\ndescription: >\n  Folded\n  text\n",
    "checks:\n  readability.grade:\n    max: 10\n    reason: a table of figures\n",
    "list: [1, 2.5, true, null, ~, '']\ntext: « Bonjour » : l'été\n",
    "title: one\ntitle: two\n",  # repeated key: refused
    "a: &x 1\nb: *x\n",  # alias: refused
    "a: !!python/object:os.system x\n",  # tag: refused
    "date: 2026-02-30\n",  # no such date
    "a: [unclosed\n",
]


def outline(node):
    """What a loaded node tree says, marks included, for comparing the two loaders."""
    if isinstance(node.value, list):
        return [node.tag, node.start_mark.line, node.start_mark.column,
                [outline(n) if not isinstance(n, tuple) else (outline(n[0]), outline(n[1])) for n in node.value]]
    return [node.tag, node.start_mark.line, node.start_mark.column, node.value]


def same_or_refused(text: str, limits=SETTINGS, first_line: int = 1) -> None:
    fast = _fast_load(text, limits, first_line)
    try:
        careful = _careful_load(text, limits, first_line)
    except Exception:
        assert fast is None  # what the careful loader refuses, the fast path never accepts
        return
    if fast is not None:
        assert fast[1] == careful[1] and outline(fast[0]) == outline(careful[0])


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_settings_read_the_same(text):
    same_or_refused(text)


def test_every_sample_page_reads_the_same_with_libyaml():
    for path in [*sorted((ROOT / "content").rglob("*.md")), ROOT / "site.yaml"]:
        text = read_text_file(path)
        if path.suffix == ".md":
            text = text.split("---\n")[1]
        assert _fast_load(text) is not None, path
        same_or_refused(text)


def test_the_sample_data_files_read_the_same_with_libyaml():
    """The glossary takes its keys' lines from load_mapping, which may read them with libyaml."""
    for path in sorted((ROOT / "data").rglob("*.yaml")):
        text = read_text_file(path)
        assert _fast_load(text, DATA) is not None, path
        same_or_refused(text, DATA)


NESTED = "title: A\nchecks:\n  readability.grade:\n    max: 9\n    reason: figures\n  plain-words: off\n" \
         "authors:\n  - name: Ann\n    role: editor\n  - Bob\n"


@pytest.mark.parametrize("first_line", [1, 2, 10])
def test_keys_inside_groups_keep_their_lines_by_path(first_line):
    data, lines = load_mapping(NESTED, "a.md", first_line=first_line)
    assert data["checks"]["readability.grade"] == {"max": 9, "reason": "figures"}
    at = first_line - 1
    assert lines == {
        "title": at + 1, "checks": at + 2, ("checks", "readability.grade"): at + 3,
        ("checks", "readability.grade", "max"): at + 4, ("checks", "readability.grade", "reason"): at + 5,
        ("checks", "plain-words"): at + 6, "authors": at + 7, ("authors", 0, "name"): at + 8,
        ("authors", 0, "role"): at + 9,
    }


def test_the_fast_and_careful_paths_give_the_same_key_lines(monkeypatch):
    fast = load_mapping(NESTED, "a.md", first_line=2)
    assert _fast_load(NESTED, SETTINGS, 2) is not None  # the first reading took the fast path
    monkeypatch.setattr("clair.yamlfile._fast_load", lambda *args, **kwargs: None)
    assert load_mapping(NESTED, "a.md", first_line=2) == fast
    same_or_refused(NESTED, SETTINGS, 2)


@pytest.mark.parametrize("text, line, words", [
    ("a: &x 1\nb: *x\n", 2, "{what} repeats a value with a YAML alias (*name)"),
    ("a: 1\nb: !!python/object:os.system x\n", 2, "{what} uses a YAML tag (`!!python/object:os.system`)"),
    ("a: " + "[" * 21 + "]" * 21 + "\n", 1, "{what} is nested more than 20 levels deep"),
    ("a: 1\nb: [unclosed\n", 3, "{what} is not valid YAML: a list or group opened with [ or { is never closed"),
    ("a: 1\n---\nb: 2\n", 2, "{what} is not valid YAML: {what} contains a second block"),
    ("a: 1\nb c\nd: 2\n", 3, "{what} is not valid YAML: a line is missing the `:` between {key} and its value"),
    ("a: 1\nb: \x07\n", 2, "{what} contains an invisible control character (U+0007)"),
])
def test_settings_and_data_refuse_the_same_things_in_their_own_words(text, line, words):
    for limits in (SETTINGS, DATA):
        expected = words.replace("{what}", limits.what).replace("{key}", limits.key)
        for read in (lambda: load_mapping(text, "f.yaml", limits=limits), lambda: compose(text, "f.yaml", limits)):
            with pytest.raises(ContentError) as caught:
                read()
            assert caught.value.line == line and expected in caught.value.message, caught.value.message


def test_a_data_file_may_hold_more_values_than_a_settings_block():
    text = "items: [" + ", ".join(["1"] * 12_000) + "]\n"
    with pytest.raises(ContentError, match="the settings block holds more than 10,000 values"):
        compose(text, "f.yaml", SETTINGS)
    assert len(compose(text, "f.yaml", DATA).value[0][1].value) == 12_000


def test_compose_names_lines_from_first_line_and_a_whole_text_problem_has_none():
    with pytest.raises(ContentError) as caught:
        compose("a: 1\nb: *x\n", "f.md", SETTINGS, first_line=5)
    assert caught.value.line == 6
    assert compose("# nothing but a comment\n", "f.yaml") is None


def test_the_control_characters_prefilter_misses_none():
    """may_hold_control_characters reads the bytes, CONTROL_CHARACTER the text: seeded random texts of every C0
    and C1 character, CR, BOM, accents (composed and not) and other letters; a text the regex finds something in
    must never be passed by the prefilter, which flags no clean text either (it is exact)."""
    generator = random.Random(11)
    palette = [chr(code) for code in (*range(0x00, 0x21), *range(0x7E, 0xA2))] + [
        "\ufeff", "é", "e\u0301", "«", "\u00a0", "\u2028", "ſ", "Ａ", "a", "\r\n", "\U0001F600"]
    for _ in range(5000):
        text = "".join(generator.choice(palette) for _ in range(generator.randrange(0, 8)))
        data = text.encode("utf-8")
        if b"\0" in data:
            continue  # read_text_file refuses it first
        found = CONTROL_CHARACTER.search(decoded_text(Path("a.md"), "page", data))
        assert may_hold_control_characters(data) == (found is not None), repr(text)
