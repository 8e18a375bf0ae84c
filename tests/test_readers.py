"""`check --from`: sites made with Hugo, Jekyll, Eleventy, VuePress or plain folders, read where they are and as they
are, from excerpts of real Government of Canada sites (tests/fixtures/real/README.md names them)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from clair.cli import main
from clair.readers.generators import GENERATORS, canonical, detect
from clair.readers.pages import BLANK_IN_HTML, closing_lines, date_of, html_blocks_whole, read_page
from clair.readers.templating import blank_templates

REAL = Path(__file__).parent / "fixtures" / "real"
KINDS = ("jekyll", "hugo", "eleventy", "vuepress", "markdown")


def check(capsys, site: Path, *options: str) -> tuple[int, dict]:
    code = main(["check", "--from", "auto", "--content", str(site), "--format", "json", *options])
    return code, json.loads(capsys.readouterr().out)


def findings(document: dict, check_id: str) -> list[dict]:
    return [f for f in document["findings"] if f["check"] == check_id]


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("kind", KINDS)
def test_the_generator_is_recognised_from_its_configuration(kind):
    assert detect(REAL / kind) == kind


@pytest.mark.parametrize("kind", KINDS)
def test_every_site_loads_without_changing_it(capsys, kind, tmp_path):
    site = shutil.copytree(REAL / kind, tmp_path / kind)
    before = tree_digest(site)
    code, document = check(capsys, site)
    assert code in (0, 1), document["findings"]
    assert not findings(document, "content.load")
    assert tree_digest(site) == before  # read where it is, as it is: nothing written into the team's repository
    assert not findings(document, "parity.stale")  # no git here, and no way for their pages to record a version
    assert all(f["file"].startswith(str(site)) for f in document["findings"])


@pytest.mark.parametrize("kind, expected", [
    ("jekyll", {"en/1-design-with-users.md": ("fr/1-concevoir-avec-utilisateurs.md", "altLangPage"),
                "en/2-iterate-improve-frequently.md": ("fr/2-effectuer-regulierement-iterations-ameliorations.md",
                                                       "altLangPage")}),
    ("hugo", {"content/en/_index.md": ("content/fr/_index.md", "translationKey"),
              "content/en/blog/posts/incident-management.md": ("content/fr/blog/posts/gestion-incidents.md",
                                                               "translationKey"),
              "content/en/blog/posts/colocating-with-NRCan.md": ("content/fr/blog/posts/colocalisation-avec-RNCan.md",
                                                                 "translationKey")}),
    ("eleventy", {"src/en/components/alert/index.md": ("src/fr/composants/alerte/index.md", "eleventyNavigation.key"),
                  "src/en/components/alert/code.md": ("src/fr/composants/alerte/code.md", "paired folder")}),
    ("vuepress", {"src/en/README.md": ("src/fr/README.md", "same path"),
                  "src/en/send.md": ("src/fr/envoyer.md", "guess")}),
    ("markdown", {"guide/open-standards.en.md": ("guide/open-standards.fr.md", "same path")}),
])
def test_pages_are_paired_the_way_their_generator_pairs_them(capsys, kind, expected):
    site = REAL / kind
    _, document = check(capsys, site)
    pages = {Path(name).relative_to(site).as_posix(): entry for name, entry in document["pages"].items()}
    english = {name: (Path(entry["counterpart"]).relative_to(site).as_posix(), entry["paired_by"])
               for name, entry in pages.items() if entry["lang"] == "en" and "counterpart" in entry}
    assert english == expected
    assert not findings(document, "parity.missing")


def test_a_guessed_pair_is_named_for_a_person_to_confirm(capsys):
    _, document = check(capsys, REAL / "vuepress")
    guessed = findings(document, "content.paired-by-guess")
    assert [(Path(f["file"]).name, f["severity"]) for f in guessed] == [("envoyer.md", "warning")]
    assert "send.md" in guessed[0]["message"] and "translationKey" in guessed[0]["message"]


def test_an_unpaired_page_says_how_to_pair_it(capsys, tmp_path):
    site = shutil.copytree(REAL / "hugo", tmp_path / "hugo")
    page = site / "content/fr/blog/posts/colocalisation-avec-RNCan.md"
    page.write_text(page.read_text().replace('translationKey = "colocating"', 'translationKey = "autre"'))
    (site / "content/fr/blog/posts/extra.md").write_text("---\ntitle: Autre\n---\nUne page de plus, sans pareille.\n")
    _, document = check(capsys, site)
    missing = {Path(f["file"]).name: f["message"] for f in findings(document, "parity.missing")}
    assert "extra.md" in missing and "translationKey" in missing["extra.md"]


def test_findings_name_the_teams_file_and_line_after_their_front_matter(capsys):
    _, document = check(capsys, REAL / "hugo")
    long_sentences = [f for f in findings(document, "readability.sentence-length") if f["severity"] == "error"]
    assert [(Path(f["file"]).name, f["line"]) for f in long_sentences] == [("incident-management.md", 19)]


def test_template_syntax_is_never_read_as_prose(capsys):
    _, document = check(capsys, REAL / "hugo")
    text = json.dumps(document["findings"])
    assert "{{<" not in text and "highlight" not in text and "fmt.Println" not in text
    assert not findings(document, "parity.untranslated")  # the code inside the shortcode is not English prose


def test_links_written_for_the_generator_resolve_and_broken_ones_are_found_at_their_line(capsys):
    _, document = check(capsys, REAL / "jekyll")
    broken = sorted((Path(f["file"]).name, f["line"]) for f in findings(document, "links.internal"))
    assert broken == [("1-concevoir-avec-utilisateurs.md", 17), ("1-design-with-users.md", 18)]
    _, document = check(capsys, REAL / "hugo")  # /:year/:month/:day/:filename permalinks, in lower case
    assert not findings(document, "links.internal")


@pytest.mark.parametrize("written, expected", [
    ("'2018-08-31 09:00:00 -0400'", dt.date(2018, 8, 31)), ("'2017-08-09'", dt.date(2017, 8, 9)),
    ("2022-10-13T16:00:00.000Z", dt.date(2022, 10, 13)), ("'2022-10-13T16:00:00.000Z'", dt.date(2022, 10, 13)),
    ("'git Last Modified'", None), ("'2018-02-30'", None)])
def test_dates_in_any_format_generators_accept_are_dates(tmp_path, written, expected):
    page = tmp_path / "en" / "a.md"
    page.parent.mkdir()
    page.write_text(f"---\ntitle: A\ndate: {written}\n---\nText.\n")
    found = read_page(page, Path("en/a.md"), containers=True)
    assert date_of(found) == expected and not found.findings


def test_an_impossible_date_is_an_error_at_its_line(tmp_path):
    page = tmp_path / "en" / "a.md"
    page.parent.mkdir()
    page.write_text("---\ntitle: A\ndate: 2018-02-30\n---\nText.\n")
    found = read_page(page, Path("en/a.md"), containers=True)
    assert [(f.check, f.line) for f in found.findings if f.severity == "error"] == [("content.front-matter", 3)]


def test_a_page_without_front_matter_takes_its_title_from_its_first_heading(capsys):
    page = read_page(REAL / "vuepress/src/en/send.md", Path("en/send.md"), containers=True)
    assert (page.title, page.title_line, page.lang) == ("Send a message", 1, "en")
    assert "Send a message" not in page.body  # shown once, as the page's title
    _, document = check(capsys, REAL / "vuepress")
    assert not findings(document, "a11y.h1") and not findings(document, "content.no-title")


def test_unpublished_pages_and_partials_are_not_pages(capsys):
    _, document = check(capsys, REAL / "eleventy")
    assert not any("base.md" in name for name in document["pages"])  # permalink: false
    _, document = check(capsys, REAL / "vuepress")
    assert not any("_api_endpoints" in name for name in document["pages"])  # an include


def test_a_missing_description_is_a_warning_never_blocking(capsys):
    code, document = check(capsys, REAL / "markdown")
    assert code == 0
    assert {f["severity"] for f in findings(document, "content.no-description")} == {"warning"}


def test_a_page_whose_language_cannot_be_told_is_named_once(capsys, tmp_path):
    site = shutil.copytree(REAL / "jekyll", tmp_path / "jekyll")
    (site / "guides").mkdir()
    for name in ("notes.md", "more.md"):
        (site / "guides" / name).write_text("---\ntitle: Notes\n---\nText.\n")
    (site / "guides" / "splash.md").write_text("---\ntitle: Both\nlang: en-fr\n---\nText / Texte.\n")
    _, document = check(capsys, site)
    unknown = findings(document, "content.language")
    assert len(unknown) == 1 and unknown[0]["message"].startswith("2 pages were not checked")
    assert "guides/more.md, guides/notes.md" in unknown[0]["message"]
    assert "index.html" not in unknown[0]["message"]  # a splash page at the top is in both languages, not neither


def test_a_front_matter_that_cannot_be_read_is_a_finding_and_the_rest_is_checked(capsys, tmp_path):
    site = shutil.copytree(REAL / "markdown", tmp_path / "markdown")
    (site / "guide/broken.en.md").write_text("---\ntitle: [unclosed\n---\n# Broken\n\nText.\n")
    code, document = check(capsys, site)
    assert code == 1
    assert [Path(f["file"]).name for f in findings(document, "content.front-matter")] == ["broken.en.md"]
    assert any("open-standards.en.md" in name for name in document["pages"])


def test_french_in_its_own_repository_is_paired_by_address(capsys, tmp_path):
    english, french = tmp_path / "design-system", tmp_path / "systeme-conception"
    for folder, lang, other, name, title in ((english, "en", "conception", "about/office.md", "Office"),
                                              (french, "fr", "design", "a-propos/bureau.md", "Bureau")):
        (folder / Path(name).parent).mkdir(parents=True)
        (folder / "_config.yml").write_text(f"defaults:\n  - scope:\n      path: ''\n    values:\n      lang: {lang}\n")
        target = "a-propos/bureau" if lang == "en" else "about/office"
        (folder / name).write_text(f'---\naltLangPage: "https://{other}.canada.ca/{target}.html"\ntitle: {title}\n'
                                   "description: A page.\n---\nText of the page.\n")
    code = main(["check", "--from", "jekyll", "--content", str(english), "--translation-content", str(french),
                 "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    entry = document["pages"][str(english / "about/office.md")]
    assert (entry["counterpart"], entry["paired_by"]) == (str(french / "a-propos/bureau.md"), "altLangPage")


def test_from_is_only_for_check(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["build", "--from", "auto", "--content", str(REAL / "hugo")])
    assert stop.value.code == 2
    assert "check" in capsys.readouterr().err


def test_template_tags_are_blanked_keeping_lines_and_columns():
    text = "Intro {{< ref \"a.md\" >}} end\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\nafter {{ page.title }}\n"
    blanked = blank_templates(text)
    assert blanked.text.split("\n")[0] == "Intro " + " " * len('{{< ref "a.md" >}}') + " end"
    assert blanked.text.count("\n") == text.count("\n") and "puts" not in blanked.text
    assert blanked.text.split("\n")[4].startswith("after ") and "page.title" not in blanked.text
    assert blank_templates("[a]({{ site.baseurl }}/en/x.html)", base_path="/plan").text == "[a](/plan/en/x.html)"


def test_addresses_are_compared_in_one_spelling():
    assert canonical("/en/a.html") == canonical("/en/a/") == canonical("/en/a/index.html") == canonical("//en/A")


def test_hugo_static_files_and_pages_without_front_matter_are_on_the_site(capsys, tmp_path):
    site = shutil.copytree(REAL / "hugo", tmp_path / "hugo")
    (site / "static/files").mkdir(parents=True)
    (site / "static/files/Modèle-des-recruteurs.docx").write_bytes(b"stand-in")
    (site / "content/fr/partenariats").mkdir()
    (site / "content/fr/partenariats/_index.html").write_text("<p>Nos partenariats.</p>\n")
    page = site / "content/fr/_index.md"
    page.write_text(page.read_text() + "\n[Le modèle](/files/Mod%C3%A8le-des-recruteurs.docx) et "
                    "[nos partenariats](/fr/partenariats/).\n")
    _, document = check(capsys, site)
    assert not findings(document, "links.internal")
    page.write_text(page.read_text().replace("Mod%C3%A8le", "Autre"))
    _, document = check(capsys, site)
    assert [Path(f["file"]).name for f in findings(document, "links.internal")] == ["_index.md"]


def test_a_redirect_stub_is_not_a_page_but_links_to_it_work(capsys, tmp_path):
    site = shutil.copytree(REAL / "jekyll", tmp_path / "jekyll")
    (site / "en/old-standard.md").write_text("---\nlayout: redirect\nredirect:\n  link: /en/1-design-with-users.html\n"
                                             "lang: en\n---\n")
    page = site / "en/2-iterate-improve-frequently.md"
    page.write_text(page.read_text() + "\nSee [the old address]({{ site.baseurl }}/en/old-standard.html).\n")
    _, document = check(capsys, site)
    assert not any("old-standard" in name for name in document["pages"])
    assert not findings(document, "links.internal") or all(
        "old-standard" not in f["message"] for f in findings(document, "links.internal"))
    assert not [f for f in findings(document, "parity.missing") if "old-standard" in f["file"]]


def test_a_heading_may_name_its_own_id_as_kramdown_and_hugo_write_it():
    from clair.markdown import make_parser
    html = make_parser().render("## Mark a program as closed {#closed}\n\n[Go](#closed)\n")
    assert '<h2 id="closed">Mark a program as closed</h2>' in html


def test_a_link_filled_in_by_a_template_is_not_judged(capsys, tmp_path):
    site = shutil.copytree(REAL / "jekyll", tmp_path / "jekyll")
    page = site / "en/2-iterate-improve-frequently.md"
    page.write_text(page.read_text() + "\nWrite to [{{ site.emails.dto }}](mailto:{{ site.emails.dto }}) or see "
                    "[the guide]({{ site.url }}/{{ page.lang }}/guide.html).\n")
    _, document = check(capsys, site)
    line = len(page.read_text().split("\n")) - 1
    about_it = [f for f in document["findings"] if f["file"].endswith("2-iterate-improve-frequently.md")
                and f["line"] == line and f["check"] in ("links.internal", "links.syntax", "a11y.link-text")]
    assert about_it == []


def test_one_address_on_each_languages_host_leads_to_the_page_of_the_links_language():
    from clair.readers.addresses import ForeignAddresses
    addresses = ForeignAddresses("")
    addresses.add_page("/partnerships/", "en", "/en/partnerships/")
    addresses.add_page("/partnerships/", "fr", "/fr/partenariats/")  # numerique.canada.ca/partnerships/
    assert addresses.target("/fr/blog/", "/partnerships/") == "/fr/partenariats/"
    assert addresses.target("/en/blog/", "/partnerships/") == "/en/partnerships/"


def test_an_id_the_sites_layouts_write_is_on_its_pages(capsys, tmp_path):
    """clair renders none of the site's own layouts: an anchor its footer partial writes literally is still there
    (digital-canada-ca's `layouts/partials/social-links.html`), one a template fills in is not known."""
    site = shutil.copytree(REAL / "hugo", tmp_path / "hugo")
    page = site / "content/en/_index.md"
    page.write_text(page.read_text() + "\n## Contact us\n\nWrite to [our team](#contact-us-links) or "
                    "[the other team](#contact-us-list).\n")

    def broken() -> list[str]:
        return [f["message"] for f in findings(check(capsys, site)[1], "links.internal") if "#contact-us-" in f["message"]]
    assert len(broken()) == 2
    (site / "layouts/partials").mkdir(parents=True)
    (site / "layouts/partials/social-links.html").write_text(
        '<div class="social">\n  <span id="contact-us-links"></span>\n  <ul id="{{ .Params.list }}"></ul>\n</div>\n')
    assert [message for message in broken() if "#contact-us-links" in message] == []
    assert len(broken()) == 1


def test_the_ids_of_layouts_are_read_as_written_never_through_a_link(tmp_path):
    from clair.readers.generators import GENERATORS
    (tmp_path / "layouts/partials").mkdir(parents=True)
    (tmp_path / "layouts/partials/a.html").write_text('<p id="kept"></p><p id=\'also-kept\'></p><i id="{{ x }}"></i>'
                                                      '<b id="a b"></b><em data-id="not-an-id"></em>')
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/b.html").write_text('<p id="outside"></p>')
    (tmp_path / "layouts/partials/b.html").symlink_to(tmp_path / "outside/b.html")
    (tmp_path / "layouts/linked").symlink_to(tmp_path / "outside")
    assert GENERATORS["hugo"].layout_ids(tmp_path) == {"kept", "also-kept"}


def test_a_jekyll_defaults_permalink_gives_pages_their_address(capsys, tmp_path):
    """canada-ca/systeme-conception publishes `pied-page-general/*.md` at `/configurations-conception-communes/
    :basename:output_ext` (`defaults:` in _config.yml): a link to `pied-page-principale.html` from its parent leads
    there. A pattern with placeholders clair does not know leaves the page at its usual address."""
    site = shutil.copytree(REAL / "jekyll", tmp_path / "jekyll")
    (site / "en/parts").mkdir()
    (site / "en/parts/main-band.md").write_text("---\ntitle: Main band\nlang: en\n---\nThe main band.\n")
    (site / "en/parts/other-band.md").write_text("---\ntitle: Other band\nlang: en\n---\nThe other band.\n")
    page = site / "en/2-iterate-improve-frequently.md"
    page.write_text(page.read_text() + "\nSee [the main band](main-band.html) and [the other](other-band.html).\n")
    config = site / "_config.yml"
    config.write_text(config.read_text() + '\ndefaults:\n  - scope:\n      path: "en/parts/main-band.md"\n'
                      '    values:\n      permalink: /en/:basename:output_ext\n'
                      '  - scope:\n      path: "en/parts/other-*.md"\n    values:\n      permalink: /en/:categories/:basename\n')
    broken = [f["message"] for f in findings(check(capsys, site)[1], "links.internal") if "band" in f["message"]]
    assert broken == ["the link `other-band.html` leads to nothing this site builds"]


def test_a_blank_line_inside_a_block_of_html_does_not_end_it_as_kramdown_reads_it():
    """kramdown (Jekyll) reads a block of HTML on to its closing tag; markdown-it ends it at a blank line, which made
    the rest of a CSS sample paragraphs of text (canada-ca/design-system: 180 numbers of CSS reported as facts)."""
    text = ("<div>\n<pre><code>.a {\n  size: 20px;\n}\n\n.b {\n  size: 22px;\n}</code></pre>\n</div>\n\nText.\n\n"
            "<!-- <div>\n\n</div> -->\n\n```\n<div>\n\n</div>\n```\n\n<p>never closed\n\n<div markdown=\"1\">\n\n"
            "**Markdown**\n\n</div>\n<span>a\n\nb</span>\n")
    whole = html_blocks_whole(text).split("\n")
    assert len(whole) == len(text.split("\n"))  # every finding keeps its line
    assert whole[4] == BLANK_IN_HTML and [n for n, line in enumerate(whole) if line == BLANK_IN_HTML] == [4]
    raw = html_blocks_whole("<div>\n<p>a</p>\n\n<pre>x\n\ny</pre>\n</div>\n", raw_only=True).split("\n")
    assert raw == ["<div>", "<p>a</p>", "", "<pre>x", BLANK_IN_HTML, "y</pre>", "</div>", ""]


def test_a_closing_tag_is_found_for_every_nesting_and_none_for_an_unclosed_element():
    lines = ["<div>", "<div>", "</div>", "", "</div>", "<div><div></div>", "", "<div>", "</div></div>", "<div>"]
    assert closing_lines(lines, "div") == {0: 4, 1: 2, 5: 8, 7: 8}


@pytest.mark.parametrize("parse_block_html", [False, True])
def test_a_code_sample_with_blank_lines_in_html_is_code_on_a_jekyll_site(capsys, tmp_path, parse_block_html):
    site = shutil.copytree(REAL / "jekyll", tmp_path / "jekyll")
    if parse_block_html:
        (site / "_config.yml").write_text((site / "_config.yml").read_text() + "kramdown:\n  parse_block_html: true\n")
    sample = ("  <div>\n    <pre><code>.gc-label {\n  font-size: 20px;\n}\n{}.gc-legend {\n  margin: 15px;\n}"
              "</code></pre>\n  </div>\n")
    for name, gap in (("en/2-iterate-improve-frequently.md", "\n"),
                      ("fr/2-effectuer-regulierement-iterations-ameliorations.md", "")):
        page = site / name
        page.write_text(page.read_text() + "\n" + sample.replace("{}", gap))
    document = check(capsys, site)[1]
    assert not [f for f in findings(document, "parity.facts") if "20" in f["message"] or "15" in f["message"]]
    assert not [f for f in document["findings"] if "gc-legend" in f["message"]]


@pytest.mark.parametrize("kind, config, expected", [
    ("jekyll", "markdown: kramdown\n", "all"),
    ("jekyll", "kramdown:\n  parse_block_html: true\n", "raw"),  # kramdown reads Markdown inside HTML but <pre>...
    ("jekyll", "kramdown:\n  parse_block_html: false\n", "all"),
    ("hugo", "title: a site\n", ""),  # goldmark, like markdown-it, ends a block of HTML at a blank line
])
def test_which_blocks_of_html_run_on_across_blank_lines_follows_the_sites_markdown(tmp_path, kind, config, expected):
    name = {"jekyll": "_config.yml", "hugo": "hugo.yaml"}[kind]
    (tmp_path / name).write_text(config)
    assert GENERATORS[kind].html_read_whole(tmp_path) == expected


def test_pages_that_name_each_other_are_paired_when_a_copy_names_one_of_them_too(capsys, tmp_path):
    """canada-ca/design-system: `news-pages.md` and its copy `news-pages-2.md` both name `pages-nouvelles.html`,
    which names `news-pages.html` back, as its own copy does; the two that name each other are a pair (before: all
    four unpaired)."""
    site = tmp_path / "site"
    pages = {"en/news.md": ("en", "/fr/nouvelles.html", "News"), "en/news-2.md": ("en", "/fr/nouvelles.html", "News"),
             "fr/nouvelles.md": ("fr", "/en/news.html", "Nouvelles"),
             "fr/nouvelles-2.md": ("fr", "/en/news.html", "Nouvelles")}
    for name, (lang, other, title) in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"---\nlang: {lang}\naltLangPage: {other}\ntitle: {title}\ndescription: A page.\n---\n"
                                 "Text of the page.\n")
    (site / "_config.yml").write_text("title: a site\n")
    document = check(capsys, site)[1]
    entry = document["pages"][str(site / "en/news.md")]
    assert (entry["counterpart"], entry["paired_by"]) == (str(site / "fr/nouvelles.md"), "altLangPage")
    assert document["pages"][str(site / "en/news-2.md")].get("paired_by") != "altLangPage"
