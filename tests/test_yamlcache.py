"""The settings blocks' cache (clair/yamlcache.py): what it gives is exactly what parsing gives, a damaged or
planted block is parsed again, an edited block is never served stale, and a block with a mistake is never kept."""
from __future__ import annotations

import pytest

from clair import yamlcache
from clair.cache import BuildCache
from clair.load import TEXT_KEYS, load_site
from clair.model import ContentError
from clair.project import Project
from clair.yamlcache import MappingCache, block_key
from clair.yamlfile import SETTINGS, load_mapping
from conftest import minimal_pages, page, write_tree

TRICKY = [
    "title: Plain\ndescription: A page.\n",
    "title: No\nslug: 2018\ndescription: yes\nweight: 3\n",  # text keys stay text; others are read by YAML
    "date: 2017-08-09\nmodified: 2018-08-31 09:00:00 -04:00\npublished: 2018-08-31T09:00:00.123456Z\n"
    "naive: 2001-12-14 21:59:43.10\nquoted: '2017-08-09'\n",
    "weight: 1.0\nratio: -0.0\nbig: 0x5DC\nsexagesimal: 25:00\ninfinite: .inf\nnothing: ~\nempty:\nyes_no: off\n",
    "checks:\n  readability.grade:\n    max: 9\n  skip: [a, b]\nauthors:\n  - name: Zoë\n    since: 2020-01-02\n"
    "  - [nested, [deeper, {x: 1}]]\n",
    "title: « Les écoles » — été\ndescription: 'Ça : oui'\nnote: |\n  two\n  lines\n",
    "",
    "# only a comment\n",
]


def cache(tmp_path) -> MappingCache:
    return MappingCache(BuildCache(tmp_path))


def parse(mappings: MappingCache, text: str):
    return mappings.load_mapping(text, "content/en/a.md", first_line=2, text_keys=TEXT_KEYS)


def no_parsing(monkeypatch) -> None:
    def refuse(*_):
        raise AssertionError("parsed, not taken from the cache")
    monkeypatch.setattr(yamlcache, "load_mapping", refuse)


@pytest.mark.parametrize("text", TRICKY)
def test_a_block_from_the_cache_is_exactly_what_parsing_gives(tmp_path, monkeypatch, text):
    parsed = load_mapping(text, "content/en/a.md", first_line=2, text_keys=TEXT_KEYS)
    first = cache(tmp_path)
    assert repr(parse(first, text)) == repr(parsed)
    first.save()
    no_parsing(monkeypatch)
    assert repr(parse(cache(tmp_path), text)) == repr(parsed)  # repr: kinds, order and time zones too


def test_a_block_is_found_by_its_text_and_how_it_is_read(tmp_path):
    text = "title: No\n"
    keys = {block_key(text, 2, TEXT_KEYS, SETTINGS), block_key(text, 1, TEXT_KEYS, SETTINGS),
            block_key(text, 2, (), SETTINGS), block_key("title: Yes\n", 2, TEXT_KEYS, SETTINGS)}
    assert len(keys) == 4
    first = cache(tmp_path)
    parse(first, text)
    first.save()
    assert cache(tmp_path).load_mapping(text, "a.md", first_line=2) == ({"title": False}, {"title": 2})


def test_an_edited_block_is_parsed_again(tmp_path):
    first = cache(tmp_path)
    parse(first, "title: Before\n")
    first.save()
    assert parse(cache(tmp_path), "title: After\n")[0] == {"title": "After"}


def test_a_block_with_a_mistake_is_never_kept(tmp_path):
    text = "title: Fine\ndescription: [never closed\n"
    with pytest.raises(ContentError) as parsing:
        load_mapping(text, "content/en/a.md", first_line=2, text_keys=TEXT_KEYS)
    for _ in range(2):
        mappings = cache(tmp_path)
        with pytest.raises(ContentError) as raised:
            parse(mappings, text)
        assert str(raised.value) == str(parsing.value)  # file, line and message
        mappings.save()
        assert mappings.used == {}


@pytest.mark.parametrize("planted", [
    [{"date": {"date": "2026-02-30"}}, [[2, "date"]]],  # no such date
    [{"title": {"python": "os.system"}}, [[2, "title"]]],  # a kind clair never writes
    [{"title": {"list": "not a list"}}, [[2, "title"]]],
    [{"title": "Planted"}, [["2", "title"]]],  # a line that is not a number
    [{"title": "Planted"}, [[2, 0]]],  # a key that is not text
    [{"title": "Planted"}, "not rows"],
    [{"title": "Planted \x1b[2J"}, [[2, "title"]]],  # control characters the reader refuses in a value
    [{"title": {"list": ["\x00"]}}, [[2, "title"]]],
    [{"ti\x07tle": "Planted"}, [[2, "ti\x07tle"]]],  # and in a key
])
def test_a_planted_block_is_parsed_again(tmp_path, planted):
    text = "title: Real\n"
    store = BuildCache(tmp_path)
    store.put(yamlcache.entry_key(), {block_key(text, 2, TEXT_KEYS, SETTINGS): planted})
    assert parse(MappingCache(store), text) == ({"title": "Real"}, {"title": 2})


def test_a_damaged_entry_is_read_as_missing(tmp_path):
    text = "title: Real\n"
    first = cache(tmp_path)
    parse(first, text)
    first.save()
    entry = tmp_path / "entries" / yamlcache.entry_key()
    entry.write_bytes(entry.read_bytes().replace(b"Real", b"Fake"))
    again = cache(tmp_path)
    assert again.known == {}
    assert parse(again, text)[0] == {"title": "Real"}


def test_the_entry_is_written_only_when_the_blocks_change(tmp_path):
    first = cache(tmp_path)
    parse(first, "title: One\n")
    first.save()
    entry = tmp_path / "entries" / yamlcache.entry_key()
    written = entry.stat().st_mtime_ns
    same = cache(tmp_path)
    parse(same, "title: One\n")
    same.save()
    assert entry.stat().st_mtime_ns == written
    other = cache(tmp_path)
    parse(other, "title: Two\n")
    other.save()
    assert list(cache(tmp_path).known) == [block_key("title: Two\n", 2, TEXT_KEYS, SETTINGS)]  # one build's blocks


def test_a_site_loads_the_same_pages_from_the_cache(tmp_path, monkeypatch):
    pages = {**minimal_pages(),
             "en/a/_index.md": page("No", "Text.\n", slug="2018", date="2018-08-31 09:00:00 -04:00", weight="2"),
             "fr/a/_index.md": page("Été", "Texte.\n", modified="2017-08-09", checks="{plain_words: off}",
                                    colour="blue")}
    content, config = write_tree(tmp_path / "site", pages)
    project = Project(content, config)
    store = BuildCache(tmp_path)
    loaded = [load_site(project), load_site(project, store)]
    no_parsing(monkeypatch)
    loaded.append(load_site(project, BuildCache(tmp_path)))
    shown = [[(p.source, p.rel, p.lang, repr(p.meta), p.meta_lines, p.body, p.body_line, p.url) for p in site.pages]
             for site in loaded]
    assert shown[0] == shown[1] == shown[2]
    assert [repr(site.findings) for site in loaded[1:]] == [repr(loaded[0].findings)] * 2
