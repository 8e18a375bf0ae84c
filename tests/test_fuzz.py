"""Property-based tests: random Markdown, front matter, raw HTML and file names through load -> render -> check.

Whatever comes in, the build either succeeds or raises ContentError(s) whose messages name a file and
speak plainly; it never crashes, and what it publishes carries no script, event handler or
`javascript:` address. Runs are derandomised, so CI sees the same examples every time.

The full pipeline runs the build checks when the check modules load (they are written in parallel;
without them it runs load -> pair -> render only). To fit a few thousand builds into about a minute,
the module reuses compiled templates and the interface-string catalogue between builds (a bytecode
cache and one Catalogue per file): the same templates, only compiled once.
"""
from __future__ import annotations

import functools
import re
import string
import tempfile
import types
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import clair.render
from clair.load import check_front_matter, load_site, split_front_matter
from clair.markdown import BLOCKS
from clair.model import ContentError, ContentErrors, built_text
from clair.pair import pair_translations
from clair.project import Project
from clair.pipeline import build_site
from clair.sanitize import ALLOWED_TAGS, sanitise_html
from clair.write import write_site
from conftest import SITE_YAML, minimal_pages, page, write_tree

FUZZ = dict(deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def checks_available() -> bool:
    try:
        from clair import checks

        checks.load_modules()
    except Exception:  # the check modules are still being written
        return False
    return True


RUN_CHECKS = checks_available()


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="module", autouse=True)
def compiled_once():
    """Compile each template and read the message catalogue once for the whole module."""
    patch = pytest.MonkeyPatch()
    shim = types.SimpleNamespace(**{name: getattr(jinja2, name) for name in dir(jinja2) if not name.startswith("__")})
    shim.Environment = functools.partial(jinja2.Environment, bytecode_cache=_MemoryBytecodeCache())
    patch.setattr(clair.render, "jinja2", shim, raising=False)
    if hasattr(clair.render, "Catalogue"):
        patch.setattr(clair.render, "Catalogue", functools.lru_cache(maxsize=None)(clair.render.Catalogue))
    yield
    patch.undo()


# -- what every outcome must satisfy ------------------------------------------------------------------

PYTHON_WORDS = re.compile(r"Traceback|\b(?:str|int|dict|NoneType|None|bool|bytes|tuple|float)\b|"
                          r"\b[A-Z]\w*(?:Error|Exception)\b|<class |\bb'|\{'|\['|self\.")


def assert_plain(error: ContentError) -> None:
    assert error.file and (error.line is None or error.line >= 1), error
    # what the writer typed is quoted in `backticks` and paths are theirs: judge only our own words
    ours = re.sub(r"`[^`]*`", "", error.message)
    ours = " ".join(word for word in ours.split() if "/" not in word and "." not in word.strip(".;,:)"))
    assert not PYTHON_WORDS.search(ours), error.message
    assert len(error.message) > 20


def assert_safe(html: str) -> None:
    """Nothing a browser would run: no scripts, frames, event handlers or script addresses in any tag."""
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        name = re.match(r"<([a-zA-Z][\w-]*)", tag).group(1).lower()
        if name == "form" and re.fullmatch(r'<form (?:class="wrap site-search"|id="search-form" class="search-form") '
                                           r'role="search" action="/(?:en/search|fr/recherche)/" method="get">', tag):
            continue  # the search boxes (templates/base.html, search.html): GET forms to the site's own search page
        if tag == '<script src="/assets/search.js" defer>':
            continue  # the search page's own script (templates/search.html), from the site's assets
        assert name not in ("script", "iframe", "object", "embed", "frame", "style", "base", "form"), tag
        assert not re.search(r"\son[a-z]+\s*=", tag, re.I), tag
        assert not re.search(r"""\s(?:href|src|action|formaction|data)\s*=\s*["']?\s*(?:javascript|vbscript):""",
                             tag, re.I), tag
        # markdown-it lets through only data: pictures (PNG, GIF, JPEG, WebP), harmless even as a link
        assert not re.search(r"""\s(?:href|src)\s*=\s*["']?\s*data:(?!image/(?:png|gif|jpeg|webp)[;,])""",
                             tag, re.I), tag


def make_tree(root: Path, pages: dict[str, str | bytes], config: str) -> tuple[Path, Path]:
    """Write the files; a name this file system refuses makes the example invalid (not clair's to judge)."""
    try:
        content, config_path = write_tree(root, {rel: t for rel, t in pages.items() if isinstance(t, str)}, config)
        for rel, data in pages.items():
            if isinstance(data, bytes):
                (content / rel).parent.mkdir(parents=True, exist_ok=True)
                (content / rel).write_bytes(data)
    except OSError:
        assume(False)
    return content, config_path


def build_or_refuse(pages: dict[str, str | bytes], config: str = SITE_YAML, write: bool = False):
    """Build a tree; return the result, or the ContentError(s) after checking each message is plain."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content, config_path = make_tree(root, pages, config)
        try:
            result = build_site(Project(content, config_path), run_checks=RUN_CHECKS)
            if write:
                write_site(root / "site", result.files, result.site.project.asset_files)
        except ContentErrors as errors:
            assert errors.errors
            for error in errors.errors:
                assert_plain(error)
            event("refused: " + errors.errors[0].message[:30])
            return errors
        except ContentError as error:
            assert_plain(error)
            event("refused: " + error.message[:30])
            return error
        event("built")
        for path, output in result.files.items():
            if path.suffix == ".html":
                assert_safe(built_text(output))
        return result


# -- strategies -----------------------------------------------------------------------------------------

WORDS = st.sampled_from("the plan we will serve Ontarians data 2018 25% 1 500,50 $ « citation » note: yes! "
                        "why? ; Énoncé été ça Œuvre 12345 — … ’ \" ' & < > * _ ` [ ] ( ) # | \\ ~ ^ { }".split())
TEXT = st.one_of(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), st.text(max_size=40))
ADDRESSES = st.sampled_from([
    "b.md", "../a.md", "sub/_index.md", "missing.md", "b.md#part", "#top", "/en/", "https://ontario.ca",
    "//evil.example/x.js", "javascript:alert(1)", "JAVASCRIPT:alert(1)", "java&#x09;script:alert(1)",
    "vbscript:x", "data:text/html,<script>alert(1)</script>", "data:image/png;base64,iVBOR", "mailto:a@b.ca",
    "../../../etc/passwd", "chart.png", "pictures/chart.png", "chart.svg", "<with space.png>", "file:///etc/passwd",
    "", "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "..\\..\\x.png", "?q=1",
])
RAW_HTML = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=//evil></iframe>", "<div>",
    "</div>", "<!-- comment -->", '<a href="javascript:alert(1)">x</a>', "<style>*{}</style>", "<svg/onload=x>",
    '<abbr title="Ontario">ON</abbr>', "<details open ontoggle=alert(1)>", "<![CDATA[x]]>", "<br/>", "<p",
    '<a href=" &#106;avascript:x">', "<math><style><img src=x onerror=1>", "<span style=x>s</span>",
])


DEPTHS = st.one_of(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 30))  # mostly sensible


def block_lines(draw_text, name, closed):
    return [f"::: {name}", draw_text, ":::" if closed else ""]


@st.composite
def markdown(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 17))
        text = draw(TEXT)
        if kind == 0:
            parts.append("#" * draw(st.integers(1, 7)) + " " + text)
        elif kind == 1:
            depth = draw(DEPTHS)
            parts.append("".join("  " * i + draw(st.sampled_from(["- ", "1. ", "* "])) + text + "\n"
                                 for i in range(depth)))
        elif kind == 2:
            parts.append("> " * (1 + draw(DEPTHS)) + text)
        elif kind == 3:
            name = draw(st.one_of(st.sampled_from(BLOCKS), st.text(string.ascii_lowercase + "-", min_size=1,
                                                                   max_size=8)))
            parts.append("\n".join(block_lines(text, name, draw(st.sampled_from([True, True, True, False])))))
        elif kind == 4:
            parts.append(f"[{text}]({draw(ADDRESSES)})")
        elif kind == 5:
            parts.append(f"![{text}]({draw(ADDRESSES)})")
        elif kind == 6:
            parts.append(draw(RAW_HTML) + " " + text)
        elif kind == 7:
            parts.append("```\n" + text + ("\n```" if draw(st.booleans()) else ""))
        elif kind == 8:
            parts.append(draw(st.sampled_from(["Table: ", "Tableau : ", ""])) + text
                         + "\n\n| a | b |\n| --- | --- |\n| " + text + " | 2 |")
        elif kind == 9:
            parts.append(f"{text}[^1]\n\n[^1]: {text}")
        elif kind == 10:
            parts.append(f"{text}\n: {text}")
        elif kind == 11:
            parts.append(f"*{text}* **{text}** `{text}`  \n{text}")
        elif kind == 12:
            parts.append(f"<{draw(ADDRESSES)}>")
        elif kind == 13:
            parts.append(":" * draw(st.integers(3, 6)) + " " + draw(st.sampled_from(BLOCKS)))
        elif kind == 14:
            parts.append("[ref]: " + draw(ADDRESSES) + f"\n\n[{text}][ref] ![{text}][ref]")
        elif kind == 15:
            parts.append("&amp; &#0; &#x110000; &nbsp; &lt;script&gt; " + text)
        else:
            parts.append(text)
    separator = draw(st.sampled_from(["\n\n", "\n", "\r\n", "\n\n\n"]))
    return separator.join(parts) + "\n"


PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


SAMPLE_TREE = {**minimal_pages(), "en/a.md": page("A"), "en/b.md": page("B"), "en/sub/_index.md": page("Sub"),
               "en/chart.png": PICTURE, "en/chart.svg": "<svg/>",
               "fr/a.md": page("A"), "fr/b.md": page("B", slug="bee")}


@pytest.fixture(scope="module")
def loaded_site():
    """A small site loaded once; the Markdown fuzz swaps the body of en/a.md and fr/a.md and renders again."""
    with tempfile.TemporaryDirectory() as folder:
        content, config_path = make_tree(Path(folder), SAMPLE_TREE, SITE_YAML)
        site = load_site(Project(content, config_path))
        pair_translations(site)
        renderer = clair.render.Renderer(site)
        yield renderer, [p for p in site.pages if p.rel.name == "a.md"]


@settings(max_examples=800, **FUZZ)
@given(bodies=st.tuples(markdown(), markdown()))
def test_random_markdown_renders_or_is_refused_plainly(loaded_site, bodies):
    """Many examples through parse and render (the stage where Markdown can go wrong), on one loaded site."""
    renderer, pages = loaded_site
    for target, body in zip(pages, bodies):
        target.body = body
    try:
        for each in renderer.site.pages:
            renderer.parse_page(each)
            renderer.render_page(each)
    except (ContentError, ContentErrors) as caught:
        for error in getattr(caught, "errors", [caught]):
            assert_plain(error)
        event("refused: " + getattr(caught, "errors", [caught])[0].message[:30])
        return
    event("rendered")
    for target in pages:
        assert_safe(target.output)


@settings(max_examples=120, **FUZZ)
@given(english=markdown(), french=markdown())
def test_random_markdown_through_the_whole_build(english, french):
    """Fewer examples, each through the whole pipeline: load, pair, render, check."""
    build_or_refuse({**SAMPLE_TREE, "en/a.md": page("A", english), "fr/a.md": page("A", french)})


@settings(max_examples=60, **FUZZ)
@given(body=markdown(), raw=st.lists(RAW_HTML, max_size=6))
def test_random_raw_html_is_sanitised_when_allowed(body, raw):
    result = build_or_refuse({**minimal_pages(), "en/a.md": page("A", "\n\n".join([*raw, body])),
                              "fr/a.md": page("A", " ".join(raw))}, config=SITE_YAML + "allow_raw_html: true\n")
    assert isinstance(result, (ContentError, ContentErrors)) or result.files


HTML_PIECES = st.one_of(
    st.sampled_from(["<", ">", "</", "/>", '"', "'", "=", " ", "&", "&#", ";", "javascript:", "java\tscript:",
                     "on", "error", "load", "href", "src", "style", "script", "a", "img", "svg", "iframe", "div",
                     "abbr", "title", "<!--", "-->", "<![CDATA[", "]]>", "\x00", "\n", "data:", "//"]),
    st.text(max_size=5))


@settings(max_examples=800, **FUZZ)
@given(pieces=st.lists(HTML_PIECES, max_size=40))
def test_sanitiser_output_is_built_from_the_allow_list(pieces):
    clean = sanitise_html("".join(pieces))
    for tag in re.findall(r"</?([a-zA-Z][^\s/>]*)", clean):
        assert tag.lower() in ALLOWED_TAGS, clean
    assert_safe(clean)
    assert not re.search(r"<[^>]*\s(?:style|src)=", clean), clean


# -- front matter -------------------------------------------------------------------------------------

KEYS = st.one_of(st.sampled_from(["title", "description", "slug", "weight", "layout", "date", "modified",
                                  "translation_key", "translated_from", "checks", "Title", "titel", "tags"]),
                 st.text(min_size=1, max_size=10))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT,
                    st.dates().map(str), st.sampled_from(["2026-13-45", "2026-02-30", "page", "home", "pgae",
                                                          "../x", "a/b", "ok-slug", "yes", "no", "~", "1e400"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=4)
RAW_LINES = st.sampled_from(["\tindented: tab", 'quote: "unclosed', "list: [unclosed", "- a list item",
                             "anchor: &a x", "alias: *a", "tag: !!python/object:os.system x",
                             "bomb: &b [*b]", "key: value: more", "...", "%YAML 1.1", "? complex", "@at: x",
                             "dup: 1", "dup: 2", "  deeper: 1", "checks:", "  a11y.h1: {reason: ''}", "\x07"])


@st.composite
def front_matter(draw) -> str:
    data = draw(st.dictionaries(KEYS, VALUES, max_size=6))
    if draw(st.sampled_from([True, True, True, False])):
        data.setdefault("title", draw(TEXT))
        data.setdefault("description", draw(TEXT))
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if data else ""
    except yaml.YAMLError:
        text = ""
    lines = text.splitlines()
    for _ in range(draw(st.one_of(st.just(0), st.just(0), st.integers(0, 3)))):
        lines.insert(draw(st.integers(0, len(lines))), draw(RAW_LINES))
    closing = draw(st.sampled_from(["---", "---", "---", "", "--- "]))
    return "---\n" + "\n".join(lines) + "\n" + closing + "\n" + draw(TEXT) + "\n"


@settings(max_examples=600, **FUZZ)
@given(text=front_matter())
def test_random_front_matter_loads_or_is_refused_plainly(text):
    try:
        meta, lines, body, body_line = split_front_matter(text, "content/en/a.md")
        errors = check_front_matter(meta, lines, "content/en/a.md", [])
    except ContentError as error:
        errors = [error]
    for error in errors:
        assert_plain(error)
    if errors:
        event("refused: " + errors[0].message[:30])
        return
    event("loaded")
    assert isinstance(meta.get("title"), str) and meta["title"].strip()
    assert body_line >= 3 and all(isinstance(key, str) for key in meta)


@settings(max_examples=60, **FUZZ)
@given(text=front_matter())
def test_random_front_matter_through_the_whole_build(text):
    build_or_refuse({**minimal_pages(), "en/a.md": text, "fr/a.md": page("A")})


# -- file names -----------------------------------------------------------------------------------------

NAME_CHARACTERS = st.one_of(st.sampled_from([*"aeZ09 -_.,'()&#%+=@!~éÉèçÇœŒßñ€«»’", "e\u0301", "😀", "\u200b"]),
                            st.characters(exclude_categories=("Cs",), exclude_characters="/\0"))
NAMES = st.lists(NAME_CHARACTERS, min_size=1, max_size=30).map("".join)


@settings(max_examples=80, **FUZZ)
@given(names=st.lists(st.tuples(st.sampled_from(["en", "fr", "en/pub", "fr/pub", "", "de", "en/.hidden"]), NAMES,
                                st.sampled_from([".md", ".md", ".MD", ".png", ".markdown", ""])),
                      min_size=1, max_size=5))
def test_random_file_names_build_or_are_refused_plainly(names):
    pages: dict[str, str | bytes] = {**minimal_pages(), "en/pub/_index.md": page("Pub"),
                                     "fr/pub/_index.md": page("Pub")}
    for folder, name, suffix in names:
        assume(name not in (".", "..") and len((name + suffix).encode("utf-8")) < 250)
        pages[f"{folder}/{name}{suffix}".lstrip("/")] = PICTURE if suffix == ".png" else page("Page", "Text.\n")
    result = build_or_refuse(pages, write=True)
    if not isinstance(result, (ContentError, ContentErrors)):
        for path in result.files:
            assert ".." not in path.parts and not path.is_absolute()
            assert path.parts[0] == "media" or str(path).isascii()
