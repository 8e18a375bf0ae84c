"""The libyaml fast path reads settings exactly as the careful pure-Python loader does, or steps aside."""
import pytest

from clair.yamlfile import _careful_load, _fast_load, read_text_file
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
        return [node.tag, node.start_mark.line, [outline(n) if not isinstance(n, tuple) else
                                                 (outline(n[0]), outline(n[1])) for n in node.value]]
    return [node.tag, node.start_mark.line, node.value]


def same_or_refused(text: str) -> None:
    fast = _fast_load(text, 1)
    try:
        careful = _careful_load(text, 1)
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
        assert _fast_load(text, 1) is not None, path
        same_or_refused(text)
