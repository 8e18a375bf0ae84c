"""links.internal and links.external-resources: on small built sites where Markdown can make the fault,
on hand-written HTML where only a template can (the 404 and splash pages, the page layouts)."""
import json
import pickle
import random
from pathlib import PurePosixPath
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from clair.checks import Settings, extract_all, extract_links, kept, links
from clair.checks.html import TEMPLATE_NOTE, parse, skim
from clair.model import built_text
from conftest import page

EN = "content/en/x.md"  # page("T", body): the body starts on line 5


def check(build, pages):
    """Build the pages and run the link rules alone; return (result, findings)."""
    result = build(pages, run_checks=False)
    settings = Settings(result.site, links.RULES)
    found = links.resolve(result.site, result.files, settings, extract_all(result.site, result.files))
    return result, kept(found)


def on_html(result, output_path, text):
    """Run both rules on hand-written HTML standing in for the built file at `output_path`."""
    path = PurePosixPath(output_path)
    files = {**result.files, path: text}
    extracted = extract_all(result.site, files)
    targets = links.Targets(result.site.project, "example.ca", files, {p: found.ids for p, found in extracted.items()})
    target = next((p for p in result.site.pages if p.output_path == path), None)
    settings = Settings(result.site, links.RULES)
    return kept(links.check_file(targets, path, extract_links(text, target), target, settings))


def where(tmp_path, findings):
    """(file, line, rule, severity) of each finding, files relative to the test folder."""
    return [(f.file.removeprefix(f"{tmp_path}/"), f.line, f.check, f.severity) for f in findings]


def test_every_built_file_of_a_plain_site_passes(build):
    pages = {"en/x.md": page("T", "See [the home page](/en/) and [Ontario](https://www.ontario.ca).\n"),
             "fr/x.md": page("T fr", "Voir [l'accueil](/fr/).\n")}
    result, findings = check(build, pages)
    assert {"index.html", "en/404.html", "fr/404.html", "en/x/index.html"} <= {str(p) for p in result.files}
    assert findings == []


# links.internal

def test_a_link_to_a_page_that_is_not_built_is_an_error_at_its_line(build, tmp_path):
    _, findings = check(build, {"en/x.md": page("T", "Text.\n\nSee\n[the plan](/en/plan/).\n")})
    assert where(tmp_path, findings) == [(EN, 8, "links.internal", "error")]
    assert findings[0].message == "the link `/en/plan/` leads to nothing this site builds"


def test_a_md_link_the_build_could_not_resolve_names_the_file_it_expected(build, tmp_path):
    pages = {"en/pub/x.md": page("T", "See [the plan](plan.md) and [the vision](/vision.md#goals).\n"),
             "en/pub/_index.md": page("Pub", "Text.\n")}
    _, findings = check(build, pages)
    assert where(tmp_path, findings) == [("content/en/pub/x.md", 5, "links.internal", "error")] * 2
    assert [f.message for f in findings] == [
        f"the link `plan.md` should lead to the page file {tmp_path}/content/en/pub/plan.md, but there is no such page",
        f"the link `/vision.md#goals` should lead to the page file {tmp_path}/content/en/vision.md, "
        "but there is no such page"]


def test_an_anchor_missing_on_the_target_page_suggests_the_closest_id(build, tmp_path):
    pages = {"en/x.md": page("T", "Read [our vision](y.md#our-vison).\n"),
             "en/y.md": page("Y", "## Our vision\n\nText.\n")}
    _, findings = check(build, pages)
    assert where(tmp_path, findings) == [(EN, 5, "links.internal", "error")]
    assert findings[0].message == ("the link `/en/y/#our-vison` leads to /en/y/, which has no `#our-vison` on it. "
                                   "Did you mean `our-vision`?")


def test_an_anchor_on_the_same_page_must_exist(build, tmp_path):
    body = "Jump to [the results](#result).\n\n## Results\n\nText.\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings) == [(EN, 5, "links.internal", "error")]
    assert findings[0].message == ("the link `#result` leads to this page, which has no `#result` on it. "
                                   "Did you mean `results`?")


def test_an_address_is_judged_on_each_page_it_is_on(build, tmp_path):
    """One from the site's root leads to the same place from every page; a relative one or a bare anchor may not."""
    body = "See [y](/en/y/#goal), [up](../y/) and [here](#goal).\n"
    pages = {"en/a.md": page("T", body + "\n## Goal\n"), "en/y.md": page("Y", "## Goal\n\nText.\n"),
             "en/pub/_index.md": page("Pub", "Text.\n"), "en/pub/z.md": page("Z", body)}  # a's are fine, checked first
    _, findings = check(build, pages)
    assert where(tmp_path, findings) == [("content/en/pub/z.md", 5, "links.internal", "error")] * 2
    assert [f.message.split(" leads")[0] for f in findings] == ["the link `../y/`", "the link `#goal`"]


def test_pages_anchors_assets_relative_and_own_host_addresses_that_exist_pass(build):
    body = ("[Results](#results), [Y](y.md#part-two), [the same](../y/), [style](/assets/style.css), "
            "[home](https://example.ca/en/), [mail](mailto:info@example.ca)\n\n## Results\n")
    pages = {"en/x.md": page("T", body), "en/y.md": page("Y", "## Part two\n")}
    assert check(build, pages)[1] == []


def test_the_root_files_and_the_page_itself_are_found_by_name(build, tmp_path):
    """Addresses are matched to built files by their text: the site's root (the splash), a file at the root, a
    folder without its slash, the page itself (`?query`, a bare `#`), and a missing file beside a built one."""
    body = ("[root](/), [splash](/index.html), [en](/en), [x](/en/x), [query](?lang=fr), [bare](#), "
            "[up](../../), [missing](/en/x/index.htm)\n")
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert [f.message for f in findings] == ["the link `/en/x/index.htm` leads to nothing this site builds"]


def test_a_missing_asset_and_an_unknown_own_host_page_are_errors(build, tmp_path):
    body = "![A map of Ontario](/assets/map.png)\n\n[Home](https://example.ca/en/home/)\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings) == [(EN, 5, "links.internal", "error"), (EN, 7, "links.internal", "error")]
    assert [f.message for f in findings] == ["the image `/assets/map.png` leads to nothing this site builds",
                                             "the link `https://example.ca/en/home/` leads to nothing this site builds"]


def test_a_broken_link_in_a_404_template_points_at_the_built_file(build):
    result, _ = check(build, {})
    findings = on_html(result, "en/404.html", '<html lang="en"><body><a href="/en/home/">Home</a></body></html>')
    assert [(f.file, f.line, f.check, f.severity) for f in findings] == [("en/404.html", 1, "links.internal", "error")]
    assert findings[0].message == "the link `/en/home/` leads to nothing this site builds" + TEMPLATE_NOTE


def test_a_broken_link_in_a_page_layout_points_at_line_1_of_the_page(build, tmp_path):
    result, _ = check(build, {"en/x.md": page("T", "Text.\n")})
    findings = on_html(result, "en/x/index.html", '<html><body><a href="#top">Top</a></body></html>')
    assert where(tmp_path, findings) == [(EN, 1, "links.internal", "error")]
    assert findings[0].message.endswith(TEMPLATE_NOTE)


# links.external-resources

def test_an_image_from_another_host_is_an_error_at_its_line(build, tmp_path):
    body = "Text.\n\n![A map of Ontario](https://maps.example.com/ontario.png)\n"
    _, findings = check(build, {"en/x.md": page("T", body)})
    assert where(tmp_path, findings) == [(EN, 7, "links.external-resources", "error")]
    assert findings[0].message == ("<img src> loads `https://maps.example.com/ontario.png` from another host; "
                                   "pages load nothing from third parties: copy the file into the site "
                                   "(templates/assets/) or remove it")


def test_links_to_other_hosts_and_inline_images_load_nothing_from_them(build):
    body = "[Ontario](https://www.ontario.ca)\n\n![A red dot](data:image/png;base64,iVBORw0KGgo=)\n"
    assert check(build, {"en/x.md": page("T", body)})[1] == []


def test_every_kind_of_third_party_load_in_the_templates_is_an_error(build):
    result, _ = check(build, {})
    text = """<html lang="en"><head>
<script src="https://cdn.example.com/a.js"></script>
<link rel="stylesheet" href="//fonts.example.com/f.css">
<link rel="canonical" href="https://elsewhere.example.org/">
<style>@import "https://x.example.com/c.css";</style>
</head><body>
<div style="background: url('https://x.example.com/b.png')"></div>
<img alt="Logo" src="/assets/style.css" srcset="https://x.example.com/logo.png 2x">
<iframe title="Video" src="https://video.example.com/embed/1"></iframe>
<a href="https://www.ontario.ca">Ontario</a>
</body></html>"""
    findings = on_html(result, "index.html", text)
    assert {(f.file, f.line, f.check, f.severity) for f in findings} == {
        ("index.html", 1, "links.external-resources", "error")}
    assert sorted(f.message.split("`")[1] for f in findings) == [
        "//fonts.example.com/f.css", "https://cdn.example.com/a.js", "https://video.example.com/embed/1",
        "https://x.example.com/b.png", "https://x.example.com/c.css", "https://x.example.com/logo.png"]


def test_the_checks_run_in_a_full_build(build, tmp_path):
    result = build({"en/x.md": page("T", "See [the plan](/en/plan/).\n")})
    assert (EN, 5, "links.internal", "error") in where(tmp_path, result.findings)


def test_files_that_are_no_pages_give_the_links_a_whole_parse_gives(build):
    """They are read for their tags alone (html.skim): the same ids, and the same addresses outside chapters."""
    pages = {"en/pub/_index.md": page("Pub", "Text.\n"), "en/pub/a.md": page("A", "See [b](b.md#x) and [a](#y).\n"),
             "en/pub/b.md": page("B", "## X\n\nText.\n")}
    result = build(pages, run_checks=False)
    built = {p.output_path for p in result.site.pages}
    others = [path for path in result.files if path.suffix == ".html" and path not in built]
    assert PurePosixPath("en/pub/all/index.html") in others
    for path in others:
        text = built_text(result.files[path])
        assert skim(text, links.is_chapter) is not None, path  # skimmed, not read whole as a fallback
        assert links.extract_from_templates(text) == links.extract(parse(text), None), path


@pytest.mark.parametrize("host, base_path", [("example.ca", "/"), ("org.github.io", "/plan/")])
def test_addresses_read_without_urlsplit_read_as_with_it(host, base_path):
    """Targets.split reads paths from the root, bare anchors and plain full addresses itself: the same parts as
    urlsplit gives, for addresses made of the characters that matter to it (seeded: the same ones every run)."""
    pieces = ["/", "//", "#", "?", ":", ":8080", "%C3%A9", "%2F", "é", " ", "\t", "\n", "\r", "[", "]", ".", "..",
              "en", "x", "X", "-", "http:", "https://", "HTTP://", host, host.upper(), "plan", "mailto:", "\x00",
              "\x1f"]
    draw = random.Random(7)
    addresses = [draw.choice(["/", "#", "", "https://", "http://" + host]) +
                 "".join(draw.choice(pieces) for _ in range(draw.randint(0, 6))) for _ in range(30_000)]
    addresses += ["/", "#", "/en/x/", "#a#b", "#a?b", "/en/x/?q", "/\tx", "#\nx", " /x", "/x "]
    targets = links.Targets(SimpleNamespace(asset_files=[]), host, {}, {}, base_path=base_path)
    read = [links.ROOT_PATH, links.BARE_FRAGMENT, links.PLAIN_FULL_ADDRESS]
    assert [sum(bool(pattern.match(a)) for a in addresses) > 1_000 for pattern in read] == [True] * 3
    for address in addresses:
        try:
            expected = targets.read_parts(urlsplit(address))  # what urlsplit alone gives
        except ValueError:  # "Invalid IPv6 URL": never an address read without it
            assert not any(pattern.match(address) for pattern in read), repr(address)
            continue
        assert targets.split(address) == expected, repr(address)


def test_file_links_read_back_from_the_cache_as_they_were_found():
    found = links.FileLinks(frozenset({"b", "a"}), (
        links.Address("a", "href", "/en/x/", 3, "", False),
        links.Address("link", "href", "/assets/style.css", 1, " (from the templates)", True),
        links.Address("img", "src", "/media/p.png", 7, "", True)))
    data = found.to_data()
    assert data[5] == ["", " (from the templates)"]  # each note once
    again = links.FileLinks.from_data(json.loads(json.dumps(data)))
    assert again == found and again.addresses == found.addresses and again.ids == found.ids
    assert links.FileLinks.from_data(links.FileLinks(frozenset()).to_data()) == links.FileLinks(frozenset())
    assert pickle.loads(pickle.dumps(again)) == found


@pytest.mark.parametrize("damage", [
    lambda data: data[1].append("a"),  # a column longer than the others
    lambda data: data[6].__setitem__(0, 2),  # a note that is not there
    lambda data: data[6].__setitem__(0, -1),
    lambda data: data[4].__setitem__(0, True),  # a line that is no number
    lambda data: data[7].__setitem__(0, 1),  # fetched that is no yes or no
    lambda data: data.pop(),
])
def test_file_links_of_the_wrong_shape_are_refused(damage):
    data = links.FileLinks(frozenset({"a"}), (links.Address("a", "href", "#a", 3, "", False),)).to_data()
    links.FileLinks.from_data(data)
    damage(data)
    with pytest.raises(ValueError):
        links.FileLinks.from_data(data)
