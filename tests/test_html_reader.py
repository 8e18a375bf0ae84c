"""checks/html.py reads clair's own HTML with a fast reader: the same elements as `html.parser`, or it steps aside."""
import pytest

from clair.checks.html import _read_carefully, _read_fast, _Tree, _Unusual, parse, skim
from clair.checks.links import in_chapter, is_chapter
from clair.model import built_text
from clair.project import Project
from clair.pipeline import build_site
from conftest import ROOT

FAULTY_SITE = ROOT / "tests" / "fixtures" / "faulty_site"
ODD = [  # HTML the fast reader must refuse (the careful reader takes it)
    "<p>a < b</p>", "<p x=bare>t</p>", "<script>let a = '<p>';</script>", "<style>p{}</style>",
    "<p>a<!-- one -- two -->b</p>", "<?php x ?>", "<![CDATA[x]]>", "<p>x</p class='y'>", "<my_tag>x</my_tag>",
]
HOSTILE = ["<p>" + "<a" * 3000, "<p>" + '<a x="' * 3000, "<!--" * 3000, "<p a=" + "'x' " * 3000]


def elements(source: str, read) -> list[tuple]:
    """What one reader finds in `source`."""
    tree = _Tree(source)
    read(source, tree)
    tree.close_from(0)
    return outline(tree.elements)


def outline(found) -> list[tuple]:
    """Everything a check can see of each element, parents by position."""
    position = {id(e): i for i, e in enumerate(found)}
    return [(e.tag, e.attrs, e.line, e.offset, e.text, position.get(id(e.parent))) for e in found]


@pytest.fixture(scope="module")
def sample_html() -> dict[str, str]:
    result = build_site(Project(ROOT / "content", ROOT / "site.yaml"), run_checks=False)
    return {path: built_text(content) for path, content in result.files.items() if path.suffix == ".html"}


def test_every_page_of_the_sample_reads_fast_and_the_same(sample_html):
    assert len(sample_html) > 40
    for path, source in sample_html.items():
        assert elements(source, _read_fast) == elements(source, _read_carefully), path


def test_the_fixture_pages_read_the_same_whichever_reader_takes_them():
    pages = sorted(FAULTY_SITE.rglob("*.html"))
    assert pages
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert outline(parse(source).elements) == elements(source, _read_carefully)


def test_entities_self_closing_tags_and_odd_spacing_read_the_same():
    source = ('<!DOCTYPE html>\n<p class="a &amp; b" hidden data-x=\'1\'>Caf&eacute; &laquo;&nbsp;x&nbsp;&raquo;'
              '<br/><img alt="R&amp;D" src="/a.png" />\n<a\n  href="/x/"\n>link <em>one</em></a><svg><path d="M0"/></svg>'
              '<ul><li>unclosed<li>two</ul></p >')
    assert elements(source, _read_fast) == elements(source, _read_carefully)
    assert parse(source).elements[0].text.startswith("Café «\u00a0x\u00a0»")


@pytest.mark.parametrize("source", ODD)
def test_the_fast_reader_steps_aside_from_html_it_does_not_read_exactly(source):
    with pytest.raises(_Unusual):
        _read_fast(source, _Tree(source))
    assert outline(parse(source).elements) == elements(source, _read_carefully)


@pytest.mark.parametrize("source", HOSTILE, ids=["tags", "quotes", "comments", "attributes"])
def test_hostile_html_is_refused_at_once(source):
    """Each failed match costs its own length: these take the fast reader a millisecond (cubic, they took minutes)."""
    with pytest.raises(_Unusual):
        _read_fast(source, _Tree(source))


def skimmed(source: str) -> tuple[list[str], list[tuple]]:
    """What `skim` finds, passing over chapters, as `outline` shows elements (skim gives no text, no parents)."""
    ids, found = skim(source, is_chapter)
    return sorted(ids), [(e.tag, e.attrs, e.line, e.offset) for e in found]


def outside_chapters(source: str) -> tuple[list[str], list[tuple]]:
    """The same, from the whole parse."""
    document = parse(source)
    return sorted(e.attrs["id"] for e in document.elements if "id" in e.attrs), [
        (e.tag, e.attrs, e.line, e.offset) for e in document.elements if e.attrs and not in_chapter(e)]


def test_skimming_finds_the_ids_and_the_elements_outside_chapters_that_a_parse_finds(sample_html):
    views = [source for path, source in sample_html.items() if '<section class="chapter">' in source]
    assert views
    for path, source in sample_html.items():
        assert skimmed(source) == outside_chapters(source), path


def test_skimming_ends_a_chapter_where_a_parse_ends_it():
    source = ('<main><div><section class="chapter" id="c"><p>in <a href="/a/">a</a></div><a href="/b/">b</a>'
              '<section class="chapter"><section><br/><x-y/></section><a href="/c/" id="d">c</a></section>'
              '<a href="/e/">e</a></main><ul><li>unclosed<li><a href="/f/">f</a></ul>')
    assert skimmed(source) == outside_chapters(source)
    assert [e[1].get("href") for e in skimmed(source)[1]] == [None, "/b/", None, "/e/", "/f/"]  # None: a chapter


@pytest.mark.parametrize("source", ODD)
def test_skimming_steps_aside_from_html_the_fast_reader_steps_aside_from(source):
    assert skim(source, is_chapter) is None
