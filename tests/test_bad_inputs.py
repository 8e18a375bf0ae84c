"""The catalogue of bad inputs: each one gets a clear message, the right exit code, and loses nothing.

Every case starts from a good site built into `site/`, adds (or breaks) files, and builds again into
the same folder with the real command line (`clair.cli.main`, and `python build.py` in a subprocess
for the cases marked so), from inside the case's folder so messages name files as a writer sees them.
It then checks:

- the exit code: 2 when the content or configuration cannot be loaded, 1 for failing findings,
  0 when the input is accepted;
- the message names the file and line (`content/en/a.md:4: error: ...`) and says what is wrong;
- the message is for people: no traceback, no Python type or exception names;
- when the build fails, the previous `site/` is exactly as it was (every file's bytes), and no
  temporary folder is left beside it.

Checks run with --skip-checks: every case here is refused (or accepted) before the check stage, so
the catalogue does not depend on the check modules.
"""
from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import os
import pickle
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

import clair.cli
import clair.pipeline
import clair.render
import clair.write
from clair import search
from clair.model import built_bytes
from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR
from conftest import SITE_YAML, minimal_pages, page
from pagefind_fakes import write_cut_short

ROOT = Path(__file__).resolve().parent.parent

PYTHON_WORDS = re.compile(r"Traceback|\b(?:str|int|dict|NoneType|None|bool|bytes|tuple|float|list\[)\b|"
                          r"\b[A-Z]\w*(?:Error|Exception)\b|<class |\bb'|\{'|\['|\\x[0-9a-f]{2}|self\.")


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # path under the case folder; None deletes
    exit: int = 2
    where: str | None = None  # "content/en/a.md:4", expected before ": error:" (or ": warning:")
    says: tuple[str, ...] = ()  # fragments of the message
    args: tuple[str, ...] = ()
    out: str = "site"
    setup: Callable[[Path], None] | None = None
    verify: Callable[[Path], None] | None = None  # more assertions on the case folder afterwards
    subprocess: bool = False
    templates: dict[str, str] | None = None  # template files replaced in a copy of templates/
    no_write: bool = False  # the output folder is one that must never be written: writing fails the test
    patch: Callable[[pytest.MonkeyPatch, Path], None] | None = None  # changes to the machine for the run (undone)


def a(body: str = "Some text.\n", **meta) -> dict[str, str]:
    """A page content/en/a.md with its French translation, the page under test in English."""
    return {"content/en/a.md": page("A", body, **meta), "content/fr/a.md": page("A", "Du texte.\n")}


def raw(text: str | bytes, rel: str = "content/en/a.md") -> dict:
    return {rel: text, "content/fr/a.md": page("A", "Du texte.\n")}


def config(text: str) -> dict:
    return {"site.yaml": text}


def html(case_dir: Path, url: str) -> str:
    return (case_dir / "site" / url.strip("/") / "index.html").read_text(encoding="utf-8")


def main_of(case_dir: Path, url: str = "/en/a/") -> str:
    return html(case_dir, url).split('<main', 1)[1].split("</main>", 1)[0]


# -- verifications of accepted input ------------------------------------------------------------

def no_active_content(case_dir: Path, url: str = "/en/a/") -> None:
    body = main_of(case_dir, url)
    assert not re.search(r"<(?:script|iframe|object|embed|style|img[^>]*onerror)", body, re.I), body
    assert not re.search(r"<[^>]*\son\w+\s*=", body), body
    assert not re.search(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data:text)""", body, re.I), body


def escaped(fragment: str):
    def check(case_dir: Path) -> None:
        no_active_content(case_dir)
        assert fragment in main_of(case_dir), main_of(case_dir)
    return check


def kept(*fragments: str):
    def check(case_dir: Path) -> None:
        no_active_content(case_dir)
        for fragment in fragments:
            assert fragment in main_of(case_dir), main_of(case_dir)
    return check


def page_at(url: str, *fragments: str):
    def check(case_dir: Path) -> None:
        text = html(case_dir, url)
        for fragment in fragments:
            assert fragment in text, fragment
    return check


def nfc_pairing(case_dir: Path) -> None:
    text = html(case_dir, "/en/ete/")
    assert "<h1>Été</h1>" in text and unicodedata.normalize("NFD", "Été") not in text
    assert 'class="language-toggle" href="/fr/ete/"' in text  # the NFD file name paired with the NFC one


def picture_copied(case_dir: Path) -> None:
    assert (case_dir / "site/media/en/pictures/chart.png").read_bytes() == PNG
    assert 'src="/media/en/pictures/chart.png"' in main_of(case_dir)
    assert (case_dir / "site/media/en/report%202026.pdf".replace("%20", " ")).read_bytes() == b"%PDF-1.4 fake"
    assert 'href="/media/en/report%202026.pdf"' in main_of(case_dir)


# -- set-ups that need more than file contents ----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(64))


def big_file(case_dir: Path) -> None:
    with open(case_dir / "content/en/big.md", "wb") as handle:
        handle.write(b"---\ntitle: Big\ndescription: d\n---\n" + b"All work and no play. " * 2_300_000)


def link_outside(case_dir: Path) -> None:
    (case_dir / "outside").mkdir()
    (case_dir / "outside/secret.md").write_text(page("Secret", "Not for publication.\n"))
    (case_dir / "content/en/secret.md").symlink_to(case_dir / "outside/secret.md")


def link_folder(case_dir: Path) -> None:
    (case_dir / "outside/pub").mkdir(parents=True)
    (case_dir / "outside/pub/_index.md").write_text(page("Pub"))
    (case_dir / "content/en/pub").symlink_to(case_dir / "outside/pub")


def link_broken(case_dir: Path) -> None:
    (case_dir / "content/en/gone.md").symlink_to(case_dir / "nowhere.md")


def hidden_files(case_dir: Path) -> None:
    (case_dir / "content/en/.DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (case_dir / "content/en/.#a.md").symlink_to("root@host.1234:1700000000")  # an editor's lock file


def foreign_out(case_dir: Path) -> None:
    (case_dir / "mine").mkdir()
    (case_dir / "mine/notes.txt").write_text("my own notes")


def out_is_a_file(case_dir: Path) -> None:
    (case_dir / "output.html").write_text("a file")


def foreign_untouched(case_dir: Path) -> None:
    assert (case_dir / "mine/notes.txt").read_text() == "my own notes"
    assert sorted(p.name for p in (case_dir / "mine").iterdir()) == ["notes.txt"]


def site_with(rel: str, text: str = "mine", out: str = "mine"):
    """A set-up: a copy of the previous site in `out` that also holds `rel` (a file clair did not write)."""
    def setup(case_dir: Path) -> None:
        if out != "site":
            shutil.copytree(case_dir / "site", case_dir / out)
        (case_dir / out / rel).parent.mkdir(parents=True, exist_ok=True)
        (case_dir / out / rel).write_text(text)
    return setup


def still_holds(rel: str):
    def check(case_dir: Path) -> None:
        assert (case_dir / "mine" / rel).read_text() == "mine" and (case_dir / "mine/en/index.html").exists()
    return check


def cname_kept(case_dir: Path) -> None:
    assert (case_dir / "site/CNAME").read_text() == "publications.example.ca\n"


def template_page(body: str) -> dict[str, str]:
    return {"page.html": '{% extends "base.html" %}\n{% block content %}\n' + body + "\n{% endblock %}\n"}


def make_victim(case_dir: Path) -> Path:
    """Someone's files elsewhere on the machine, which a link points at."""
    victim = case_dir / "elsewhere"
    victim.mkdir(exist_ok=True)
    (victim / "id_ed25519").write_text("PRIVATE KEY")
    return victim


def cache_link_committed(case_dir: Path) -> None:
    (case_dir / ".cache/clair").mkdir(parents=True)
    (case_dir / ".cache/clair/entries").symlink_to(make_victim(case_dir))


def cache_folder_a_link(case_dir: Path) -> None:
    """The cache folder, outside the project, is a link to someone's files."""
    link = case_dir.parent / "cache-link"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(make_victim(case_dir.parent))


def victim_untouched(case_dir: Path) -> None:
    assert [p.name for p in (case_dir / "elsewhere").iterdir()] == ["id_ed25519"]


def outside_victim_untouched(case_dir: Path) -> None:
    victim_untouched(case_dir.parent)


def content_folder_a_link(case_dir: Path) -> None:
    """The content folder committed as a link to pages kept elsewhere on the machine."""
    elsewhere = case_dir / "elsewhere-content"
    shutil.move(case_dir / "content", elsewhere)
    (case_dir / "content").symlink_to(elsewhere)


class Planted:
    """A pickle that runs a command when it is loaded: what the probe planted as a cache entry."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def planted_cache(case_dir: Path) -> None:
    """A cache folder filled by a real build, then every entry replaced by a pickle that runs a command."""
    folder = case_dir.parent / "planted-cache"
    shutil.rmtree(folder, ignore_errors=True)
    assert run_in_process(case_dir, "elsewhere-site", ("--cache-dir", str(folder)))[0] == 0
    shutil.rmtree(case_dir / "elsewhere-site")
    for entry in (folder / "entries").iterdir():
        entry.write_bytes(pickle.dumps(Planted(case_dir / "ran")))


def nothing_ran(case_dir: Path) -> None:
    assert not (case_dir / "ran").exists(), "a cache entry ran a command"


def fake_pagefind(case_dir: Path) -> None:
    write_cut_short(case_dir / "fake-pagefind")  # a fragment cut short, and Pagefind did not notice


def use_fake_pagefind(monkeypatch: pytest.MonkeyPatch, case_dir: Path) -> None:
    monkeypatch.setenv(search.PAGEFIND_ENV, str(case_dir / "fake-pagefind"))


def huge_unlinked_file(case_dir: Path) -> None:
    """A 3 GB video no page links to (sparse: no disk used) and a FIFO in a .git folder: neither is ever read."""
    with open(case_dir / "content/en/video.mp4", "wb") as video:
        video.truncate(3 << 30)
    (case_dir / "content/.git").mkdir()
    os.mkfifo(case_dir / "content/.git/fifo")


def killed_build_leftovers(case_dir: Path) -> None:
    """What a build killed outright (SIGKILL) leaves beside the site: removed by the next build."""
    dead = 4_194_304  # above Linux's largest process id: no process has it
    (case_dir / f".site.building-{dead}/en").mkdir(parents=True)
    (case_dir / f".site.building-{dead}/en/index.html").write_text("half a site")


class Odd(Exception):
    """An error a worker cannot send back as itself: its class cannot be rebuilt from its arguments."""

    def __init__(self, first, second):
        super().__init__(first)


def odd_worker_error(monkeypatch: pytest.MonkeyPatch, case_dir: Path) -> None:
    render_page = clair.render.Renderer.render_page

    def failing(self, page):
        if page.source.name == "a.md" and page.lang == "en":
            raise Odd("first", "second")
        return render_page(self, page)
    monkeypatch.setattr(clair.render.Renderer, "render_page", failing)


def disk_fills_up(monkeypatch: pytest.MonkeyPatch, case_dir: Path) -> None:
    """The disk is full after the third file of the new site."""
    written = []

    def write_until_full(content):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(content)
        return built_bytes(content)
    monkeypatch.setattr(clair.write, "built_bytes", write_until_full)


def nested_lines(depth: int) -> str:
    return "".join("  " * i + "- item\n" for i in range(depth))


BILLION_LAUGHS = "\n".join(
    ["---", "title: A", "description: d", 'lol1: &lol1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"lol{i}: &lol{i} [" + ",".join([f"*lol{i - 1}"] * 9) + "]" for i in range(2, 10)] + ["---", ""])

CASES = [
    # -- front matter ---------------------------------------------------------------------------
    Case("front-matter-not-closed", raw("---\ntitle: A\ndescription: d\n\nText.\n"),
         where="content/en/a.md:1", says=("never closed", "add a line `---`"), subprocess=True),
    Case("front-matter-missing", raw("# A\n\nText.\n"), where="content/en/a.md:1",
         says=("must start with a settings block",)),
    Case("yaml-tab-indentation", raw("---\ntitle: A\ndescription: d\nchecks:\n\tx: 1\n---\n"),
         where="content/en/a.md:5", says=("indent with spaces, not tabs",)),
    Case("yaml-unclosed-quote", raw('---\ntitle: A\ndescription: "unclosed\nweight: 1\n---\n'),
         where="content/en/a.md:", says=("quotation mark is opened but never closed",)),
    Case("yaml-unclosed-bracket", raw("---\ntitle: A\ndescription: [unclosed\n---\n"),
         where="content/en/a.md:3", says=("never closed",), subprocess=True),
    Case("yaml-colon-in-value", raw("---\ntitle: Vision: the plan\ndescription: d\n---\n"),
         where="content/en/a.md:2", says=("put the whole value in quotation marks",)),
    Case("yaml-list-instead-of-mapping", raw("---\n- title: A\n- description: d\n---\n"),
         where="content/en/a.md:2",
         says=("`key: value` lines (such as `title: My page`), not a single value or a list",)),
    Case("yaml-single-value", raw("---\njust some words\n---\n"),
         where="content/en/a.md:2", says=("`key: value` lines",)),
    Case("yaml-uneven-indentation", raw("---\ntitle: A\n  description: d\n---\n"),
         where="content/en/a.md:3", says=("quotation marks",)),
    Case("missing-title", raw("---\ndescription: d\n---\nText.\n"),
         where="content/en/a.md:1", says=("needs `title:`",)),
    Case("missing-description-warns", raw("---\ntitle: A\n---\nText.\n"), exit=0, where="content/en/a.md:1",
         says=("the page has no `description:`; add a one-sentence description",),
         verify=page_at("/en/a/", '<meta name="description" content="">', "<h1>A</h1>")),
    Case("description-a-list", raw("---\ntitle: A\ndescription: [a, b]\n---\n"), where="content/en/a.md:3",
         says=("`description` must be a piece of text, not a list",)),
    Case("empty-title", raw('---\ntitle: "  "\ndescription: d\n---\n'),
         where="content/en/a.md:2", says=("needs `title:` followed by text",)),
    Case("title-in-capitals", raw("---\nTitle: A\ndescription: d\n---\n"),
         where="content/en/a.md:2", says=("found `Title`", "lower case")),
    Case("weight-not-a-number-warns", a(weight='"abc"'), exit=0, where="content/en/a.md:4",
         says=("`weight` must be a whole number, not `abc`; until then the page is sorted as if it had no weight",),
         subprocess=True),
    Case("weight-a-fraction-warns", a(weight="1.5"), exit=0, where="content/en/a.md:4",
         says=("`weight` must be a whole number, not `1.5`",)),
    Case("weight-a-list-warns", a(weight="[1, 2]"), exit=0, where="content/en/a.md:4",
         says=("whole number, not a list",)),
    Case("impossible-date", a(date="2026-13-45"), where="content/en/a.md:4",
         says=("`2026-13-45` is not valid", "YYYY-MM-DD")),
    Case("february-30", a(modified="2026-02-30"), where="content/en/a.md:4", says=("no such date",)),
    Case("date-in-words", a(date="next spring"), where="content/en/a.md:4",
         says=("`date` must be a date like 2026-11-24, not `next spring`",)),
    Case("empty-value-warns", a(slug=""), exit=0, where="content/en/a.md:4",
         says=("`slug` has no value, so it is ignored",), verify=page_at("/en/a/", "<h1>A</h1>")),
    Case("quoted-date-accepted", a(modified="'2017-08-09'"), exit=0,
         verify=page_at("/en/a/", '<time datetime="2017-08-09">')),
    Case("hugo-datetime-with-zone-accepted", a(modified="'2018-08-31 09:00:00 -0400'"), exit=0,
         verify=page_at("/en/a/", '<time datetime="2018-08-31">')),
    Case("quoted-impossible-date", a(date='"2017-02-30"'), where="content/en/a.md:4",
         says=("`2017-02-30` is not valid: there is no such date",)),
    Case("every-mistake-of-a-file", raw("---\ndescription: d\nslug: ../x\ndate: next spring\nlayout: post\n---\n"),
         where="content/en/a.md:1", says=("content/en/a.md:1: error: the settings block needs `title:`",
                                          "content/en/a.md:3: error: `slug: ../x` may only use",
                                          "content/en/a.md:4: error: `date` must be a date",
                                          "content/en/a.md:5: warning: unknown layout `post` is ignored")),
    Case("key-set-twice", raw("---\ntitle: A\ndescription: d\ntitle: B\n---\n"),
         where="content/en/a.md:4", says=("`title` is set twice (also on line 2)",)),
    Case("unknown-key-warns", a(titel="x"), exit=0, where="content/en/a.md:4",
         says=("warning: unknown setting `titel` is ignored. Did you mean `title`?",)),
    Case("unknown-key-strict", a(descripion="x"), exit=1, args=("--strict",), where="content/en/a.md:4",
         says=("Did you mean `description`?",)),
    Case("yaml-alias-bomb", raw(BILLION_LAUGHS), where="content/en/a.md:5", says=("alias",)),
    Case("yaml-anchor-and-alias", raw("---\ntitle: &t A\ndescription: *t\n---\n"),
         where="content/en/a.md:3", says=("write the value out in full",)),
    Case("yaml-python-object", raw("---\ntitle: A\ndescription: !!python/object:os.system [echo]\n---\n"),
         where="content/en/a.md:3", says=("uses a YAML tag (`!!python/object:os.system`)",)),
    Case("yaml-python-apply", raw("---\ntitle: A\ndescription: d\nx: !!python/object/apply:os.system "
                                  "['touch pwned']\n---\n"),
         where="content/en/a.md:4", says=("tags are not allowed",),
         verify=lambda case_dir: not (case_dir / "pwned").exists() or pytest.fail("the tag ran")),
    Case("yaml-deep-nesting", raw("---\ntitle: A\ndescription: d\nchecks: " + "[" * 5000 + "]" * 5000 + "\n---\n"),
         where="content/en/a.md:4", says=("nested more than 20 levels",)),
    Case("yaml-control-character", raw("---\ntitle: A\u0007\ndescription: d\n---\n"),
         where="content/en/a.md:2", says=("invisible control character (U+0007)",)),
    Case("yaml-huge-number", a(weight="9" * 5000), where="content/en/a.md:4", says=("far too long",)),
    Case("yaml-values-read-as-text", raw("---\ntitle: No\ndescription: 2018\nslug: '2018'\n---\n"), exit=0,
         verify=page_at("/en/2018/", "<h1>No</h1>")),
    Case("unknown-layout-warns", a(layout="pgae"), exit=0, where="content/en/a.md:4",
         says=("unknown layout `pgae` is ignored", "Did you mean `page`?"), verify=page_at("/en/a/", "<h1>A</h1>")),

    # -- files ----------------------------------------------------------------------------------
    Case("latin-1-file", raw("---\ntitle: Été\ndescription: d\n---\n".encode("latin-1")),
         where="content/en/a.md:2", says=("not saved as UTF-8", "save it with the encoding UTF-8"), subprocess=True),
    Case("windows-1252-quotes", raw("---\ntitle: A\ndescription: d\n---\nIt\u2019s here.\n".encode("cp1252")),
         where="content/en/a.md:5", says=("UTF-8",)),
    Case("utf-8-bom-accepted", raw("\ufeff" + page("Accents é", "Text.\n")), exit=0,
         verify=page_at("/en/a/", "<h1>Accents é</h1>")),
    Case("crlf-accepted-lines-right", raw(page("A", "## Heading\n", titel="x").replace("\n", "\r\n")), exit=0,
         where="content/en/a.md:4", says=("unknown setting `titel`",)),
    Case("old-mac-cr-accepted-lines-right", raw(page("A", "Text.\n", titel="x").replace("\n", "\r")), exit=0,
         where="content/en/a.md:4", says=("unknown setting `titel`",)),
    Case("decomposed-accents", {unicodedata.normalize("NFD", "content/en/été.md"): unicodedata.normalize(
        "NFD", page("Été", "Texte d’été.\n")), "content/fr/été.md": page("Été", "Texte.\n")}, exit=0,
         verify=nfc_pairing),
    Case("empty-file", raw(""), where="content/en/a.md:1", says=("the file is empty",)),
    Case("blank-file", raw("\n  \n\n"), where="content/en/a.md:1", says=("the file is empty",)),
    Case("fifty-megabyte-file", setup=big_file, where="content/en/big.md:1",
         says=("too large (50.6 MB; the limit is 2 MB)",)),
    Case("binary-file-named-md", raw(PNG, "content/en/chart.md"), where="content/en/chart.md:1",
         says=("not a text file",)),
    Case("symlink-outside-content", setup=link_outside, where="content/en/secret.md:1",
         says=("outside the content folder", "copy the file into the content folder")),
    Case("symlink-to-folder", setup=link_folder, where="content/en/pub:1", says=("link to another folder",)),
    Case("broken-symlink", setup=link_broken, where="content/en/gone.md:1", says=("does not exist",)),
    Case("hidden-files-ignored", setup=hidden_files, exit=0),
    Case("file-name-with-spaces-and-accents", {"content/en/Notre été 2026.md": page("Summer")}, exit=0,
         verify=page_at("/en/notre-ete-2026/", "<h1>Summer</h1>")),
    Case("upper-case-extension", {"content/en/Plan.MD": page("Plan")}, where="content/en/Plan.MD:1",
         says=("must end in `.md` (lower case)",)),
    Case("markdown-extension", {"content/en/plan.markdown": page("Plan")}, where="content/en/plan.markdown:1",
         says=("rename the file",)),
    Case("too-deep-folders", {"content/en/" + "d/" * 12 + "a.md": page("Deep")},
         where="content/en/" + "d/" * 12 + "a.md:1", says=("12 folders deep",)),

    # -- site structure -------------------------------------------------------------------------
    Case("same-address-by-slug", a() | {"content/en/b.md": page("B", slug="a")}, where="content/en/b.md:4",
         says=("same address /en/a/",)),
    Case("same-address-by-file-names", {"content/en/A b.md": page("One"), "content/en/a-b.md": page("Two")},
         where="content/en/a-b.md:1", says=("same address /en/a-b/",)),
    Case("page-and-folder-at-one-address", {"content/en/pub.md": page("P"),
                                            "content/en/pub/_index.md": page("Pub")},
         where="content/en/pub/_index.md:1", says=("same address /en/pub/",)),
    Case("slug-with-slash", a(slug="a/b"), where="content/en/a.md:4", says=("no accents, spaces, / or ..",)),
    Case("slug-with-dot-dot", a(slug="../../etc"), where="content/en/a.md:4", says=("may only use lower-case",)),
    Case("slug-with-unsafe-characters", a(slug='"été <b>?#"'), where="content/en/a.md:4",
         says=("for example `ete-b`",)),
    Case("slug-too-long", a(slug="a" * 200), where="content/en/a.md:4", says=("200 characters long",)),
    Case("translation-key-twice", a(translation_key="plan") | {"content/en/b.md": page("B", translation_key="plan")},
         where="content/en/b.md:4", says=("both use translation_key `plan`",)),
    Case("section-without-index", {"content/en/pub/a.md": page("A"), "content/en/pub/b.md": page("B")},
         where="content/en/pub:1", says=("holds 2 pages but no section page", "create content/en/pub/_index.md")),
    Case("page-outside-language-folders", {"content/a.md": page("A")}, where="content/a.md:1",
         says=("inside content/en/ or content/fr/",)),
    Case("third-language-folder", {"content/es/_index.md": page("Inicio")}, where="content/es/_index.md:1",
         says=("English and French only",)),
    Case("missing-home-page", {"content/fr/_index.md": None}, where="content/fr:1", says=("home page is missing",)),

    # -- Markdown -------------------------------------------------------------------------------
    Case("raw-script-escaped", a("<script>alert(1)</script>\n"), exit=0, verify=escaped("&lt;script&gt;alert(1)")),
    Case("raw-iframe-escaped", a('<iframe src="https://evil.example"></iframe>\n'), exit=0,
         verify=escaped("&lt;iframe")),
    Case("onerror-attribute-escaped", a('Text <img src=x onerror="alert(1)"> here.\n'), exit=0,
         verify=escaped("&lt;img src=x onerror=")),
    Case("javascript-links-refused", a("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) <javascript:alert(1)> "
                                       "[c](java&#x09;script:alert(1)) [d](&#106;avascript:alert(1)) "
                                       "[e](vbscript:x)\n"), exit=0, verify=kept("[a](javascript:alert(1))")),
    Case("data-links-refused", a("[a](data:text/html;base64,PHNjcmlwdD4=) ![b](data:image/svg+xml,<svg/onload=x>)\n"),
         exit=0, verify=kept("[a](data:text/html")),
    Case("raw-html-allowed-is-sanitised",
         a('<div onclick="x()" style="color:red"><abbr title="Ontario Public Service">OPS</abbr></div>\n\n'
           '<script>alert(1)</script>\n\nA <a href="javascript:alert(1)">link</a> and '
           '<a href="https://ontario.ca" onmouseover="x()">another</a>.\n\n<iframe src="//evil"></iframe>\n')
         | config(SITE_YAML + "allow_raw_html: true\n"), exit=0,
         verify=kept('<div><abbr title="Ontario Public Service">OPS</abbr></div>', "A <a>link</a>",
                     '<a href="https://ontario.ca">another</a>')),
    Case("unclosed-building-block", a("Intro.\n\n::: vision\nTo be a leading public service.\n\nMore text.\n"),
         where="content/en/a.md:7", says=("`vision` that starts here is never closed", "add a line `:::`")),
    Case("unclosed-block-inside-a-list", a("- item\n\n  ::: vision\n  Text.\n- next\n"),
         where="content/en/a.md:7", says=("never closed",)),
    Case("unknown-building-block", a("::: visoin\nText.\n:::\n"), where="content/en/a.md:5",
         says=("unknown building block `visoin`",)),
    Case("heading-of-2000-characters", a("## " + "Long words " * 182 + "\n"), exit=0,
         verify=page_at("/en/a/", "Long words Long words")),
    Case("ten-thousand-nested-quotes", a("> " * 10_000 + "deep\n"), where="content/en/a.md:5",
         says=("nested more than 18 levels deep", "would be lost")),
    Case("ten-thousand-nested-list-levels", a("- " * 10_000 + "deep\n"), where="content/en/a.md:5",
         says=("nested more than 18 levels deep",)),
    Case("deeply-indented-list", a("Intro.\n\n" + nested_lines(40)), where="content/en/a.md:",
         says=("nested more than 18 levels deep",)),
    Case("blocks-nested-too-deeply", a("".join(":" * (28 - i) + " appendix\n" for i in range(25)) + "Text.\n"
                                       + "".join(":" * (4 + i) + "\n" for i in range(25))),
         where="content/en/a.md:8", says=("nested 4 deep", "at most 3")),
    Case("block-inside-block-with-same-fence", a("::: appendix\n::: example\n### An example\n:::\n:::\n"),
         where="content/en/a.md:6", says=("`example` that starts here is never closed", "more colons")),
    Case("picture-outside-content", a("Intro.\n\n![x](../../../etc/passwd)\n"), where="content/en/a.md:7",
         says=("the picture `../../../etc/passwd` is outside the content folder",)),
    Case("picture-outside-content-on-a-later-line", a("Intro\nmore ![x](../../site.yaml)\n"),
         where="content/en/a.md:6", says=("outside the content folder",)),
    Case("svg-picture-refused", a("![Chart](chart.svg)\n") | {"content/en/chart.svg": "<svg onload='x'/>"},
         where="content/en/a.md:5", says=("must be a PNG", "export the drawing as PNG")),
    Case("html-file-link-refused", a("[Form](form.html)\n") | {"content/en/form.html": "<script></script>"},
         where="content/en/a.md:5", says=("kind of file (.html) that clair does not publish",)),
    Case("pictures-and-files-copied", a("![Chart of results](pictures/chart.png)\n\n"
                                        "[Report](<report 2026.pdf>)\n")
         | {"content/en/pictures/chart.png": PNG, "content/en/report 2026.pdf": b"%PDF-1.4 fake"}, exit=0,
         verify=picture_copied),

    # -- templates and configuration ------------------------------------------------------------
    Case("template-syntax-error", a(), templates={"page.html": '{% extends "base.html" %}\n{% block content %}\n'
                                                                "{{ content }\n{% endblock %}\n"},
         where="templates/page.html:3", says=("template error",)),
    Case("config-unknown-layout", config(SITE_YAML + "default_layout: pgae\n"), where="site.yaml:6",
         says=("unknown layout `pgae`", "Did you mean `page`?")),
    Case("config-wrong-type", config(SITE_YAML.replace("updated: 2026-11-24", "updated: soon")),
         where="site.yaml:5", says=("`updated` must be a date like 2026-11-24",)),
    Case("config-title-not-a-group", config("title: Publications\n"), where="site.yaml:1",
         says=("`title` must be a group of `key: value` lines",)),
    Case("config-unknown-key", config(SITE_YAML + "tittle: x\n"), where="site.yaml:6",
         says=("unknown setting `tittle`", "Did you mean `title`?"), subprocess=True),
    Case("config-title-missing-french", config("title:\n  en: Site\n"), where="site.yaml:1",
         says=("missing: fr",)),
    Case("config-third-language", config("title:\n  en: Site\n  fr: Site\n  es: Sitio\n"), where="site.yaml:1",
         says=("publishes only en and fr",)),
    Case("config-bad-base-url", config("base_url: javascript:alert(1)\n"), where="site.yaml:1",
         says=("must be the web address the site is published at",)),
    Case("config-raw-html-not-yes-or-no", config('allow_raw_html: "please"\n'), where="site.yaml:1",
         says=("`allow_raw_html` must be `true` or `false`",)),
    Case("config-not-utf-8", config("title:\n  en: Site\n  fr: Société\n".encode("latin-1")), where="site.yaml:3",
         says=("not saved as UTF-8",)),
    Case("config-is-a-list", config("- base_url\n- title\n"), where="site.yaml:1", says=("`key: value` lines",)),
    Case("config-python-tag", config("base_url: !!python/name:os.system\n"), where="site.yaml:1",
         says=("tags are not allowed",)),
    Case("config-check-option-of-the-wrong-type", config(SITE_YAML + "checks:\n  readability.grade:\n    max: eight\n"),
         where="site.yaml:8", says=("`readability.grade` option `max` must be a number, such as 8 or 0.5, not `eight`",),
         subprocess=True),
    Case("config-check-option-unknown", config(SITE_YAML + "checks:\n  readability.grade:\n    maximum: 9\n"),
         where="site.yaml:8", says=("check `readability.grade` has no option `maximum`; it has: severity, max",)),
    Case("config-check-severity-misspelt", config(SITE_YAML + "checks:\n  parity.stale:\n    severity: warn\n"),
         where="site.yaml:8", says=("`severity` must be one of error, warning, off, not `warn`",)),
    Case("config-check-unknown", config(SITE_YAML + "checks:\n  readability.grades:\n    max: 9\n"),
         where="site.yaml:7", says=("unknown check `readability.grades`. Did you mean `readability.grade`?",)),
    Case("page-relaxation-of-the-wrong-type",
         a(checks={"readability.sentence-length": {"max": "[30]", "reason": "a quoted law"}}),
         where="content/en/a.md:", says=("`readability.sentence-length` option `max` must be a whole number",)),
    Case("config-missing", {"site.yaml": None}, where="site.yaml:1", says=("configuration file is missing",)),

    # -- the output folder ----------------------------------------------------------------------
    Case("out-is-the-content-folder", out="content", where="content:1", says=("refusing to write the site here",)),
    Case("out-inside-the-content-folder", out="content/en/site", where="content/en/site:1",
         says=("inside the content folder",)),
    Case("out-is-the-repository-root", out=str(ROOT), no_write=True, where=f"{ROOT}:1",
         says=("refusing to write the site here",)),
    Case("out-is-the-file-system-root", out="/", no_write=True, where="/:1", says=("refusing to write the site here",)),
    Case("out-is-the-home-folder", out=str(Path.home()), no_write=True, where=f"{Path.home()}:1",
         says=("refusing",)),
    Case("out-holds-other-files", out="mine", setup=foreign_out, where="mine:1",
         says=("holds files clair did not write",), verify=foreign_untouched),
    Case("out-is-a-file", out="output.html", setup=out_is_a_file, where="output.html:1", says=("it is a file",)),

    # -- security: the cache (#16) --------------------------------------------------------------
    Case("cache-folder-inside-the-project", args=("--cache-dir", ".cache/clair"), setup=cache_link_committed,
         exit=0, where=".cache/clair:1", says=("this build cache folder is not used", "a pull request could put files"),
         verify=victim_untouched),
    Case("cache-folder-is-a-link", args=("--cache-dir", "../cache-link"), setup=cache_folder_a_link, exit=0,
         where="../cache-link:1", says=("is a link (symlink) to another place",), verify=outside_victim_untouched),
    Case("cache-entries-planted", args=("--cache-dir", "../planted-cache"), setup=planted_cache, exit=0,
         verify=nothing_ran),
    Case("search-index-cut-short", setup=fake_pagefind, patch=use_fake_pagefind, where="pagefind:1",
         says=("the search index could not be built", "is cut short or damaged")),
    Case("unlinked-huge-file-and-git-folder", setup=huge_unlinked_file, exit=0),
    Case("leftovers-of-a-killed-build", setup=killed_build_leftovers, exit=0),
    Case("worker-error-that-cannot-be-sent-back", a(), args=("--jobs", "2", "--no-cache"), patch=odd_worker_error,
         where="content/en/a.md:1", says=("a fault in clair itself, not a mistake in your content",)),
    Case("disk-full-while-writing", args=("--no-cache",), patch=disk_fills_up, where="site:1",
         says=("the site could not be written: the disk is full; free some space and build again",)),

    # -- security: size and work limits (#16) ---------------------------------------------------
    Case("page-with-too-many-parts", a("- a\n" * 260_000), where="content/en/a.md:1",
         says=("too many parts for one page", "split it into several pages")),
    Case("weight-huge-in-hexadecimal", a(weight="0x" + "f" * 5000), where="content/en/a.md:4",
         says=("this number is far too long",), subprocess=True),
    Case("weight-huge-in-binary", a(weight="0b" + "1" * 20_000), where="content/en/a.md:4", says=("far too long",)),
    Case("weight-huge-in-octal", a(weight="0" + "7" * 5000), where="content/en/a.md:4", says=("far too long",)),
    Case("weight-huge-0o-is-text", a(weight="0o" + "7" * 5000), exit=0, where="content/en/a.md:4",
         says=("`weight` must be a whole number, not `0o777",)),
    Case("weight-huge-in-base-60", a(weight=":".join(["59"] * 5000)), where="content/en/a.md:4",
         says=("far too long",)),
    Case("french-number-of-5000-digits", {"content/en/a.md": page("A"),
                                          "content/fr/a.md": page("A", "Du texte : " + "9" * 5000 + " ici.\n")},
         exit=0, subprocess=True, verify=page_at("/fr/a/", "9" * 5000)),
    Case("config-over-the-size-limit", config(SITE_YAML + "# padding\n" * 210_000), where="site.yaml:1",
         says=("the configuration file is too large (2.1 MB; the limit is 2 MB)",)),
    Case("glossary-over-the-size-limit", {"data/glossary.yaml": "# padding\n" * 210_000},
         where="data/glossary.yaml:1", says=("the glossary file is too large (2.1 MB; the limit is 2 MB)",)),
    Case("matrix-over-the-size-limit", {"data/matrices/plan.yaml": "# padding\n" * 210_000},
         where="data/matrices/plan.yaml:1", says=("the data file is too large (2.1 MB; the limit is 2 MB)",)),

    # -- security: files clair reads and publishes (#16) ----------------------------------------
    Case("xht-file-refused", a("[Feed](feed.xht)\n") | {"content/en/feed.xht": "<script>alert(1)</script>"},
         where="content/en/a.md:5", says=("kind of file (.xht) that clair does not publish", "documents (.pdf,")),
    Case("rdf-file-refused", a("[Data](data.rdf)\n") | {"content/en/data.rdf": "<rdf/>"},
         where="content/en/a.md:5", says=("kind of file (.rdf)", "pictures (.png,")),
    Case("double-suffix-refused", a("[Report](report.pdf.html)\n") | {"content/en/report.pdf.html": "<p>x</p>"},
         where="content/en/a.md:5", says=("kind of file (.html)",)),
    Case("file-without-suffix-refused", a("[Notes](NOTES)\n") | {"content/en/NOTES": "notes"},
         where="content/en/a.md:5", says=("its name has no ending such as .pdf",)),
    Case("named-pipe-page", setup=lambda case_dir: os.mkfifo(case_dir / "content/en/x.md"), subprocess=True,
         where="content/en/x.md:1", says=("not a regular file (it is a named pipe)",)),
    Case("named-pipe-linked-file", a("[Report](report.pdf)\n"), subprocess=True,
         setup=lambda case_dir: os.mkfifo(case_dir / "content/en/report.pdf"),
         where="content/en/a.md:5", says=("`report.pdf` is a named pipe, not a regular file",)),
    Case("named-pipe-glossary", subprocess=True, where="data/glossary.yaml:1", says=("it is a named pipe",),
         setup=lambda case_dir: (case_dir / "data").mkdir() or os.mkfifo(case_dir / "data/glossary.yaml")),
    Case("page-names-a-word-list", a(checks="{plain-words.en: {extra_files: [../secret.yaml], reason: ours}}"),
         where="content/en/a.md:4", says=("`extra_files` can only be set in site.yaml, not in a page",)),
    Case("word-list-outside-the-project",
         config(SITE_YAML + "checks:\n  plain-words.en:\n    extra_files: [../secret.yaml]\n"),
         where="site.yaml:8", says=("`../secret.yaml`, which is outside the project folder",)),
    Case("utf-16-page", raw(page("Été", "Texte.\n").encode("utf-16")), where="content/en/a.md:1",
         says=("saved as UTF-16", "save it with the encoding UTF-8")),
    Case("utf-16-page-without-bom", raw(page("A", "Text.\n").encode("utf-16-le")), where="content/en/a.md:1",
         says=("saved as UTF-16",)),
    Case("config-is-a-folder", args=("--config", "content"), where="content:1",
         says=("this is a folder, not the site configuration file", "--config content/site.yaml")),
    Case("content-folder-is-a-link", setup=content_folder_a_link, where="content:1",
         says=("this is a link to another folder, which clair does not follow",)),
    Case("data-file-links-out", where="data/glossary.yaml:1", says=("outside the data folder",),
         setup=lambda case_dir: [(case_dir / "data").mkdir(), (case_dir / "data/glossary.yaml").symlink_to(
             case_dir / "site.yaml")]),

    # -- security: errors and clean-up (#16) ----------------------------------------------------
    Case("template-undefined-name", a(), templates=template_page("{{ nothere }}"), where="templates/page.html:3",
         says=("template error: `nothere` is not defined here", "1 error, 0 warnings")),
    Case("template-missing-include", a(), templates=template_page('{% include "nope.html" %}'),
         where="templates/page.html:3", says=("the template `nope.html` used here does not exist", "1 error,")),
    Case("template-includes-itself", a(), templates=template_page('{% include "page.html" %}'),
         where="templates/page.html:3", says=("this template never finishes", "1 error,")),
    Case("template-syntax-error-reported-once", a(), templates=template_page("{{ content }"),
         where="templates/page.html:3", says=("template error: unexpected", "1 error, 0 warnings")),
    Case("out-keeps-cname", a(), exit=0, setup=site_with("CNAME", "publications.example.ca\n", out="site"),
         says=("Kept CNAME in site/",), verify=cname_kept),
    Case("out-is-a-git-repository", out="mine", setup=site_with(".git/HEAD"), where="mine:1",
         says=("it is a git repository",), verify=still_holds(".git/HEAD")),
    Case("out-holds-a-file-clair-did-not-write", out="mine", setup=site_with("en/notes.txt"), where="mine:1",
         says=("holds files clair did not write (en/notes.txt)",), verify=still_holds("en/notes.txt")),
    Case("out-inside-the-templates-folder", out="templates/site", templates={"notes.txt": "x"},
         where="templates/site:1", says=("inside the templates folder",)),
    Case("out-inside-the-data-folder", out="data/site", where="data/site:1", says=("inside the data folder",)),
    Case("out-inside-the-git-folder", out=".git/site", where=".git/site:1", says=("own folder (`.git`)",)),

    # -- security: messages, markup and serving (#16) -------------------------------------------
    Case("control-characters-in-page-text", a("Text.\n\nA \x1b]0;pwned\x07 title and \x1b]52;c;eA==\x07.\n"),
         where="content/en/a.md:7", says=("invisible control character (U+001B)", "delete it")),
    Case("null-escape-in-title", raw('---\ntitle: "A\\0B"\ndescription: d\n---\n'), where="content/en/a.md:2",
         says=("invisible control character (U+0000) written with a backslash code",)),
    Case("terminal-escape-in-title", raw('---\ntitle: "\\e[31mred"\ndescription: d\n---\n'),
         where="content/en/a.md:2", says=("(U+001B)", "delete the code"), subprocess=True),
    Case("terminal-escape-in-file-name", {"content/en/x\x1b]0;pwned\x07.MD": page("X")},
         where="content/en/x␛]0;pwned␇.MD:1", says=("must end in `.md`",), subprocess=True),
    Case("slug-with-final-newline", a(slug='"a\\n"'), where="content/en/a.md:4",
         says=("may only use lower-case letters",)),
    Case("raw-html-unclosed-link-closed-in-its-paragraph",
         a('Intro <a href="https://example.ca">link\n\nNext paragraph.\n') | config(SITE_YAML + "allow_raw_html: true\n"),
         exit=0, verify=kept('<p>Intro <a href="https://example.ca">link</a></p>', "<p>Next paragraph.</p>")),
    Case("raw-html-template-id", a('Text <span id="main-content">here</span>.\n')
         | config(SITE_YAML + "allow_raw_html: true\n"), where="content/en/a.md:5",
         says=('the id "main-content" is used by the site\'s templates', "give this element another id")),
]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes (and every folder, as a listing)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return found


@pytest.fixture(scope="module")
def good_site(tmp_path_factory) -> Path:
    """A good site built once; each case starts from a copy of it."""
    folder = tmp_path_factory.mktemp("good")
    write_files(folder, start_files())
    assert run_in_process(folder, "site", ())[0] == 0
    return folder / "site"


def start_files() -> dict[str, str]:
    return {f"content/{rel}": text for rel, text in minimal_pages().items()} | {"site.yaml": SITE_YAML}


def write_files(folder: Path, files: dict[str, str | bytes | None]) -> None:
    for rel, text in files.items():
        path = folder / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def command(out: str, args: tuple[str, ...]) -> list[str]:
    return ["build", "--content", "content", "--out", out, "--config", "site.yaml", "--skip-checks",
            "--format", "text", *args]


def run_in_process(folder: Path, out: str, args: tuple[str, ...], capsys=None) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = clair.cli.main(command(out, args))
    finally:
        os.chdir(cwd)
    if capsys is None:
        return code, ""
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def run_subprocess(folder: Path, out: str, args: tuple[str, ...]) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *command(out, args)], cwd=folder,
                            capture_output=True, text=True, env=env, timeout=120)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, good_site: Path, capsys, monkeypatch):
    write_files(tmp_path, start_files())
    shutil.copytree(good_site, tmp_path / "site")
    before = fingerprint(tmp_path / "site")
    if case.setup:
        case.setup(tmp_path)
    write_files(tmp_path, case.files)
    if case.patch:
        case.patch(monkeypatch, tmp_path)
    if case.no_write:
        def refuse(*args, **kwargs):
            raise AssertionError(f"clair tried to write the site into {case.out}")
        monkeypatch.setattr(clair.pipeline, "write_site", refuse)
    if case.templates:
        templates = tmp_path / "templates"
        shutil.copytree(TEMPLATES_DIR, templates)
        write_files(templates, case.templates)
        build_site = clair.pipeline.build_site  # the command line imports it when it builds
        monkeypatch.setattr(clair.pipeline, "build_site", lambda project, **options: build_site(
            dataclasses.replace(project, templates=templates), **options))

    code, output = (run_subprocess if case.subprocess else functools.partial(run_in_process, capsys=capsys))(
        tmp_path, case.out, case.args)

    assert code == case.exit, output
    if case.where:
        severity = "warning" if case.exit == 0 else "(?:error|warning)"
        assert re.search(re.escape(case.where) + (r"\d+" if case.where.endswith(":") else "") + f": {severity}: ",
                         output), output
    for fragment in case.says:
        assert fragment in output, output
    plain = output.replace(str(tmp_path), "<folder>")
    assert not PYTHON_WORDS.search(plain), plain
    if case.exit == 2:
        assert "Nothing was written" in output
        assert fingerprint(tmp_path / "site") == before, "the previous site changed"
    else:
        assert (tmp_path / "site/.clair-site").exists() and (tmp_path / "site/en/index.html").exists()
    leftovers = [p.name for p in tmp_path.iterdir() if ".building-" in p.name or ".previous-" in p.name]
    assert not leftovers
    if case.verify:
        case.verify(tmp_path)


def test_catalogue_is_large_enough():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
