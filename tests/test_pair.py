"""Stage 2, pair: counterparts by path, by translation_key, and their errors."""
import pytest

from clair.model import ContentErrors
from conftest import page


def by_source(result, lang, rel):
    return next(p for p in result.site.pages if p.lang == lang and str(p.rel) == rel)


def test_pages_pair_by_path(build):
    result = build({"en/a.md": page("A"), "fr/a.md": page("A fr")}, run_checks=False)
    english, french = by_source(result, "en", "a.md"), by_source(result, "fr", "a.md")
    assert english.counterpart is french and french.counterpart is english


def test_translation_key_pairs_different_paths(build):
    result = build({"en/a.md": page("A", translation_key="k"), "fr/b.md": page("B", translation_key="k")},
                   run_checks=False)
    assert by_source(result, "en", "a.md").counterpart is by_source(result, "fr", "b.md")


def test_page_without_translation_has_no_counterpart(build):
    result = build({"en/only.md": page("Only")}, run_checks=False)
    assert by_source(result, "en", "only.md").counterpart is None


def test_translation_key_used_twice_is_an_error(build):
    with pytest.raises(ContentErrors) as caught:
        build({"en/a.md": page("A", translation_key="k"), "en/b.md": page("B", translation_key="k")},
              run_checks=False)
    [error] = caught.value.errors
    assert error.line == 4 and "translation_key `k`" in error.message
