"""Link checks over every built HTML file: content pages, the 404 pages and the language splash.

A finding on a content page points at the Markdown line of the link or image; a fault in the
templates points at line 1 of the page (or of the built file, for the 404 and splash pages) and
says it comes from the templates. Rules (each has only `severity`):

- `links.internal` (error): every address on the site itself leads somewhere. That is every
  address starting with `/`, relative, or on the site's own `base_url` host, in a link, an image
  or any element that loads something. `/en/x/` must be a built page (`en/x/index.html`),
  `/assets/...` a file in templates/assets/, and an `#anchor` an id on the page it leads to (a bare
  `#anchor`: on the same page). A `.md` link that the build could not turn into a page address
  says which page file it expected. The built HTML holds addresses as published: on a site
  published under a path (`base_url: https://org.github.io/plan/`), `/plan/en/x/` is the page
  `en/x/index.html`, an address from the host's root outside `/plan/` leads to nothing this site builds
  (a template that forgot the `url` filter), and a full address on the host outside `/plan/` is
  another site's (clair/urls.py). The 404 pages are shown at any address, so a relative address in
  them is an error too.
- `links.external-resources` (error): pages load nothing from another host: no script, style
  sheet, icon, preload, image, frame, media source, object or CSS `url()`/`@import` whose address
  has another host. (Links people follow, `<a href>`, may go anywhere.)
"""
from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple
from pathlib import PurePosixPath
from urllib.parse import SplitResult, unquote, urlsplit

from clair.config import did_you_mean
from clair.model import Finding, Page, Site, built_text
from clair.project import Project, shown
from clair.shape import JSON, Damaged, Shape
from clair.slug import slugify
from clair.urls import SiteUrls, is_site_path

from . import html
from .html import Document, Element
from .settings import rule

RULES = (
    rule("links.internal", "error"),
    rule("links.external-resources", "error"),
)

ADDRESSES = {"a": ("href",), "link": ("href",), "img": ("src",), "script": ("src",), "iframe": ("src",),
             "frame": ("src",), "source": ("src",), "video": ("src", "poster"), "audio": ("src",),
             "track": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",)}
LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest", "preload",
                "modulepreload", "prefetch", "prerender", "dns-prefetch", "preconnect"}
CSS_ADDRESS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
NOUNS = {"a": "the link", "img": "the image", "link": "the <link>", "script": "the script"}
ROOT_PATH = re.compile(r"/(?!/)[^?#\t\r\n]*\Z")  # /en/x/: no host, query or fragment
BARE_FRAGMENT = re.compile(r"#[^\t\r\n]*\Z")  # #x: all of it the fragment
PLAIN_FULL_ADDRESS = re.compile(r"(https?)://([A-Za-z0-9.-]+)(/[^?#\t\r\n]*)?\Z")  # no port, query or fragment


class Address(NamedTuple):
    """One address in a built file, with where to report it: the Markdown line, or the templates' note."""

    tag: str
    attr: str
    address: str
    line: int
    note: str
    fetched: bool  # the browser loads it by itself (not a link the reader follows)


class FileLinks:
    """What the link checks need of one built file: its ids and its addresses (small enough to send and cache).
    Read from the cache, the addresses stay columns until asked for: after an edit, the link check asks only for
    those of the files made again (KeptFindings), and making 55,000 `Address`es was a tenth of reading the cache."""

    __slots__ = ("ids", "_addresses", "_columns")

    def __init__(self, ids: frozenset[str], addresses: tuple[Address, ...] = (), columns: tuple | None = None):
        self.ids = ids
        self._addresses, self._columns = (None, columns) if columns is not None else (addresses, None)

    @property
    def addresses(self) -> tuple[Address, ...]:
        if self._addresses is None:
            tags, attrs, addresses, lines, notes, note_of, fetched = self._columns
            self._addresses = tuple(map(Address, tags, attrs, addresses, lines, map(notes.__getitem__, note_of),
                                        fetched))
            self._columns = None
        return self._addresses

    def __eq__(self, other) -> bool:
        return isinstance(other, FileLinks) and (self.ids, self.addresses) == (other.ids, other.addresses)

    __hash__ = None

    def __repr__(self) -> str:
        return f"FileLinks({sorted(self.ids)!r}, {self.addresses!r})"

    def __getstate__(self):
        return self.ids, self.addresses

    def __setstate__(self, state) -> None:
        self.ids, self._addresses = state
        self._columns = None

    def to_data(self) -> list:
        """As JSON values, for the build cache: ids sorted (the same links always give the same bytes), then the
        addresses a column per field, each distinct note once (most are the templates' one note, or none)."""
        addresses = self.addresses
        notes = sorted({address.note for address in addresses})
        index = {note: number for number, note in enumerate(notes)}
        tags, attrs, written, lines, noted, fetched = map(list, zip(*addresses)) if addresses else ([],) * 6
        return [sorted(self.ids), tags, attrs, written, lines, notes, [index[note] for note in noted], fetched]

    @classmethod
    def from_data(cls, data) -> FileLinks:
        """From `to_data`'s values; Damaged (clair/shape.py) when they are not of that shape."""
        ids, *columns = FILE_LINKS_DATA.conform(data)
        tags, _, _, _, notes, note_of, _ = columns
        if len(set(map(len, (tags, *columns[1:4], note_of, columns[6])))) != 1 or not all(
                map(range(len(notes)).__contains__, note_of)):
            raise Damaged("columns of different lengths, or a note that is not there")
        return cls(frozenset(ids), columns=tuple(columns))


FILE_LINKS_DATA = Shape(([str], [str], [str], [str], [int], [str], [int], [bool]))


MAX_SUGGESTIONS, MAX_SUGGESTION_IDS = 200, 500


class Parsed(NamedTuple):
    """What the link checks read of one address, worked out once per address (the same menus are on every page)."""

    path: str | None  # Targets.site_path: None for other hosts, schemes and sites
    full: bool  # names a host
    fragment: str  # unquoted
    external: bool  # Targets.is_external


class Targets:
    """Where addresses on the site can lead: the built files, the assets, and the ids on each page."""

    def __init__(self, project: Project, host: str, files, ids: dict[PurePosixPath, frozenset[str]], foreign=None,
                 base_path: str = "/"):
        self.project = project
        self.foreign = foreign  # clair.readers.ForeignAddresses: another generator's own addresses
        self.host = host.lower()
        self.urls = SiteUrls(f"https://{self.host}{base_path}")  # where the built files are published
        self.files = {str(path): path for path in [*files, *(PurePosixPath("assets", name) for name in
                                                             project.asset_files)]}  # by name: paths cost to make
        self.ids = ids
        self.resolved: dict[tuple[str, str], PurePosixPath | None] = {}
        self.parsed: dict[str, Parsed] = {}
        self.folders: dict[PurePosixPath, str] = {}
        self.fine_anywhere: set[str] = set()  # addresses that lead somewhere whichever page they are on
        self.suggestions_left = MAX_SUGGESTIONS

    def suggestion(self, fragment: str, target: PurePosixPath) -> str:
        """A "did you mean" for a missing `#fragment`: a fuzzy match costs a comparison with every id of the
        page, so only the first MAX_SUGGESTIONS findings of a check, on pages of at most MAX_SUGGESTION_IDS
        ids, get one (a page of thousands of broken anchors stays linear)."""
        choices = self.ids.get(target, ())
        if self.suggestions_left <= 0 or len(choices) > MAX_SUGGESTION_IDS:
            return ""
        self.suggestions_left -= 1
        return did_you_mean(fragment, sorted(choices))

    def parse(self, address: str) -> Parsed:
        """The parts of an address the checks read, split once per address of the site."""
        parsed = self.parsed.get(address)
        if parsed is None:
            parsed = self.parsed[address] = self.split(address)
        return parsed

    def split(self, address: str) -> Parsed:
        """`parse`, worked out: a path from the site's root, a bare `#fragment` and a plain http(s) address (most
        addresses: menus, headings' anchors, canonical and hreflang links) are read without urlsplit, giving
        what it gives (it drops tabs and line breaks, reads brackets, ports: those go to it)."""
        if ROOT_PATH.match(address):
            return Parsed(address, False, "", False)
        if BARE_FRAGMENT.match(address):
            return Parsed("", False, unquote(address[1:]), False)
        plain = PLAIN_FULL_ADDRESS.match(address)
        if plain:
            return self.read_parts(SplitResult(plain[1], plain[2], plain[3] or "", "", ""))
        return self.read_parts(urlsplit(address))

    def read_parts(self, parts: SplitResult) -> Parsed:
        """What the checks read of an address split into its parts."""
        external = self.is_external(parts)
        return Parsed(self.site_path(parts, external), bool(parts.netloc), unquote(parts.fragment), external)

    def is_external(self, parts: SplitResult) -> bool:
        """The address names another host (a scheme-relative `//host/...` too)."""
        netloc = parts.netloc.lower()
        return bool(netloc) and netloc != self.host

    def site_path(self, parts: SplitResult, external: bool) -> str | None:
        """The path part of an address on this site, as published, or None for other hosts (`external`) and
        schemes (mailto:, data:) and for another site on this host (a full address outside the base path)."""
        if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc) or external:
            return None
        path = parts.path or ("/" if parts.netloc else "")
        return None if parts.netloc and self.urls.site_path(path) is None else path

    def written(self, path: str) -> str:
        """A published path as the writer wrote it in Markdown, from the site's root: `/plan/en/x/` is `/en/x/`."""
        return (self.urls.site_path(path) or path) if is_site_path(path) else path

    def resolve(self, base: PurePosixPath, path: str) -> PurePosixPath | None:
        """The built file a published path leads to from the file `base` (/en/x/ is en/x/index.html; under the base
        path /plan/, /plan/en/x/ is); None also for a path that leaves the site."""
        if not path:
            return base
        folder = "" if path.startswith("/") else self.folder(base)  # the same menus are on every page: ask once
        if (folder, path) not in self.resolved:
            joined = posixpath.normpath(posixpath.join(self.urls.base_path, folder, unquote(path)))
            inside = self.urls.site_path(joined)  # None: the address leaves the site
            self.resolved[folder, path] = None if inside is None else self.built_file(inside, path.endswith("/"))
        if self.resolved[folder, path] is None and self.foreign is not None:
            return self.foreign_file(base, path)
        return self.resolved[folder, path]

    def folder(self, file: PurePosixPath) -> str:
        """The folder of a built file, as text: asked for every relative link, worked out once per file."""
        folder = self.folders.get(file)
        if folder is None:
            folder = self.folders[file] = str(file.parent)
        return folder

    def built_file(self, site_path: str, is_folder: bool) -> PurePosixPath | None:
        """The built file at a site path: /en/x/ is en/x/index.html; /en/x is the file en/x, else en/x/index.html.
        `site_path` is normalised (posixpath.normpath), so its text is the file's name, the root's aside."""
        rel = site_path.lstrip("/")
        index = f"{rel}/index.html" if rel else "index.html"
        candidates = [index] if is_folder else [rel or ".", index]
        return next((self.files[c] for c in candidates if c in self.files), None)

    @functools.cached_property
    def layout_letters(self) -> frozenset[str]:
        """The ids another generator's layouts write (clair/readers), by their letters and digits."""
        return frozenset(map(letters, self.foreign.layout_ids)) if self.foreign is not None else frozenset()

    def lacks_id(self, target: PurePosixPath, fragment: str) -> bool:
        """The built file has no such id. On another generator's site, ids are compared by their letters and digits
        only (its `#l-envoi` is clair's `#lenvoi`), files clair did not build are not checked, an id its layouts
        write (a footer's `contact-us-links`) is on every page, and a missing id counts only when it is close to
        one on the page: the site's own layouts add ids clair never sees, some filled in by their templates."""
        ids = self.ids.get(target)
        if self.foreign is None:
            return fragment not in (ids or ())
        if ids is None or fragment in ids or letters(fragment) in self.layout_letters:
            return False
        spelt = {letters(name) for name in ids}
        return letters(fragment) not in spelt and bool(did_you_mean(fragment, sorted(ids)))

    def foreign_file(self, base: PurePosixPath, path: str) -> PurePosixPath | None:
        """What a link written for another generator's site leads to: a page clair built, or one of the site's
        files (pictures, documents) at the address that generator publishes it."""
        target = self.foreign.target(url_of(base), unquote(path))
        if target is None:
            return None
        built = PurePosixPath(target.strip("/")) / "index.html" if target.endswith("/") else PurePosixPath(target.lstrip("/"))
        self.files[str(built)] = built
        return built



def extract(document: Document, page: Page | None) -> FileLinks:
    """The ids and addresses of one built file; `page` is None for files that are not content pages."""
    lines = html.source_lines(page, document) if page else {}
    found = []
    for element, attr, address in addresses(document):
        if page is None and in_chapter(element):
            continue  # a copy of a page, checked at its Markdown line already (clair/onepage.py)
        found.append(address_at(element, attr, address, lines))
    return FileLinks(frozenset(document.ids()), tuple(found))


def address_at(element: Element, attr: str, address: str, lines: dict[Element, int]) -> Address:
    """One address, at the Markdown line of its element (`lines`: html.source_lines) or in the templates."""
    return Address(element.tag, attr, address, *html.where(lines, element), fetched(element, attr))


def extract_from_templates(text: str) -> FileLinks:
    """`extract` of a built file that is not a content page, from its tags alone (`html.skim`): the chapters
    of a whole-publication view give their ids but not their addresses, as in `extract`."""
    skimmed = html.skim(text, is_chapter)
    if skimmed is None:
        return extract(html.parse(text), None)
    ids, elements = skimmed
    return FileLinks(frozenset(ids), tuple(address_at(*found, {}) for found in element_addresses(elements)))


def run_site(site: Site, built, settings) -> Iterator[Finding]:
    """Both rules over every built HTML file (`built`: checks.Built)."""
    return resolve(site, built.files, settings, built.links, built.kept_links)


def resolve(site: Site, files: dict[PurePosixPath, str | bytes], settings,
            extracted: dict[PurePosixPath, FileLinks], kept: KeptFindings | None = None) -> Iterator[Finding]:
    """Both rules over every built HTML file, from what `extract` found in each; a file `kept` has findings for
    is not checked again."""
    targets = Targets(site.project, urlsplit(site.config.base_url).netloc, files,
                      {path: found.ids for path, found in extracted.items()}, site.foreign, site.config.urls.base_path)
    pages = {page.output_path: page for page in site.pages}
    for path in sorted(extracted):
        before = targets.suggestions_left  # the files before this one may have used up the suggestions
        found = kept.reused(path, before) if kept is not None else None
        if found is None:
            found = [finding for finding in check_file(targets, path, extracted[path], pages.get(path), settings)
                     if finding is not None]
            if kept is not None:
                kept.record(path, before, targets.suggestions_left, found)
        else:
            found, targets.suggestions_left = found
        yield from found


KEPT_FINDINGS_DATA = Shape({str: (str, int, int, [JSON])})


class KeptFindings:
    """The link findings of each built file, kept from the last check of the same targets (every file's name and
    ids, and all the site key covers: configuration, templates, the pages' settings), by what the file was
    made from (`sources`: its unit's cache key, or its text's hash). After an edit, only the files made again
    are checked again (all 24,832 addresses of a 1,000-pair site took a tenth of a check after an edit). A
    file's findings also depend on how many "did you mean" suggestions the files before it used."""

    def __init__(self, sources: dict[PurePosixPath, str], earlier: dict | None = None):
        self.sources = sources
        self.earlier = earlier or {}  # path: (source, suggestions left before, after, findings)
        self.now: dict[str, tuple[str, int, int, list[Finding]]] = {}

    def reused(self, path: PurePosixPath, before: int) -> tuple[list[Finding], int] | None:
        """The kept findings of `path` and the suggestions left after it, if it and what precedes it are as
        they were."""
        source, name = self.sources.get(path), str(path)
        kept = self.earlier.get(name)
        if source is None or kept is None or kept[:2] != (source, before):
            return None
        self.now[name] = kept
        return kept[3], kept[2]

    def record(self, path: PurePosixPath, before: int, after: int, found: list[Finding]) -> None:
        """Keep what checking `path` found, if it has a source to know it by next time."""
        source = self.sources.get(path)
        if source is not None:
            self.now[str(path)] = (source, before, after, found)

    def to_data(self) -> dict:
        """As JSON values, for the build cache (clair/pipeline.py keeps it)."""
        return {name: [source, before, after, [finding.to_data() for finding in found]]
                for name, (source, before, after, found) in self.now.items()}

    @staticmethod
    def from_data(data) -> dict:
        """`earlier` from `to_data`'s values; Damaged (clair/shape.py) when they are anything else."""
        return {name: (source, before, after, [Finding.from_data(finding) for finding in found])
                for name, (source, before, after, found) in KEPT_FINDINGS_DATA.conform(data).items()}


def check_file(targets: Targets, path: PurePosixPath, found: FileLinks, page: Page | None,
               settings) -> Iterator[Finding | None]:
    """Both rules over one built file's addresses."""
    fine = targets.fine_anywhere  # most addresses: the menus' (a local, asked for every address)
    for item in found.addresses:
        problem = None if item.address in fine else internal_problem(targets, path, page, item.address)
        if problem:
            written = targets.written(item.address) if page is not None and not item.note else item.address
            yield report(settings, page, path, "links.internal", item,
                         f"{NOUNS.get(item.tag, f'the <{item.tag}> {item.attr}')} `{written}` {problem}")
        if item.fetched and targets.parse(item.address).external:
            yield report(settings, page, path, "links.external-resources", item,
                         f"<{item.tag} {item.attr}> loads `{item.address}` from another host; pages load nothing "
                         f"from third parties: copy the file into the site ({shown(targets.project.assets)}/) "
                         "or remove it")


def in_chapter(element: Element) -> bool:
    """Inside a chapter of a whole-publication view: a page copied into `<section class="chapter">`."""
    return any(is_chapter(a.tag, a.attrs) for a in element.ancestors())


def is_chapter(tag: str, attrs: dict[str, str]) -> bool:
    """The element holding one chapter (clair/onepage.py)."""
    return tag == "section" and "chapter" in attrs.get("class", "").split()


def addresses(document: Document) -> Iterator[tuple[Element, str, str]]:
    """(element, attribute, address) for every address in the page, in CSS `url()` too."""
    return element_addresses(document.elements)


def element_addresses(elements: list[Element]) -> Iterator[tuple[Element, str, str]]:
    """`addresses` of these elements."""
    for element in elements:
        if not element.attrs and element.tag != "style":  # most elements: nothing to look at
            continue
        for attr in ADDRESSES.get(element.tag, ()):
            if element.attrs.get(attr, "").strip():
                yield element, attr, element.attrs[attr].strip()
        for candidate in element.attrs.get("srcset", "").split(","):
            if candidate.strip():
                yield element, "srcset", candidate.split()[0]
        css = element.attrs.get("style", "") + (element.text if element.tag == "style" else "")
        for match in CSS_ADDRESS.finditer(css):
            yield element, "style", match.group(1) or match.group(2)


def fetched(element: Element, attr: str) -> bool:
    """The browser loads this address by itself (a link only when the reader follows it)."""
    if element.tag == "a" and attr == "href":
        return False
    if element.tag == "link" and attr == "href":
        return bool(LOADING_RELS & set(element.attrs.get("rel", "").lower().split()))
    return True


def internal_problem(targets: Targets, base: PurePosixPath, page: Page | None, address: str) -> str | None:
    """What is wrong with an address on this site (None when it is fine or goes elsewhere); an address another
    generator's template fills in (`{{ }}`: clair/readers/templating.py) is not known, so not judged."""
    if "{{" in address:
        return None
    parsed = targets.parse(address)
    path = parsed.path
    if not path:  # None: elsewhere; "": this very file (`#fragment`, `?query`)
        return None if path is None else missing_id(targets, base, base, parsed.fragment)
    if base.name == "404.html" and not is_site_path(path) and not parsed.full:
        return ("is relative, but a 404 page is shown at any address that leads nowhere, where it would lead "
                "elsewhere; start it from the site's root (in a template: {{ '/en/' | url }})")
    target = targets.resolve(base, path)
    if target is None and page is not None and path.endswith(".md") and not parsed.full:
        return (f"should lead to the page file {expected_source(targets.project, page, targets.written(path))}, "
                "but there is no such page")
    if target is None:
        return "leads to nothing this site builds" + outside_hint(targets, path)
    problem = missing_id(targets, base, target, parsed.fragment)
    if problem is None and path.startswith("/") and (parsed.full or is_site_path(path)) and targets.foreign is None:
        targets.fine_anywhere.add(address)  # resolved from the site's root: no other page need ask again
    return problem


def missing_id(targets: Targets, base: PurePosixPath, target: PurePosixPath, fragment: str) -> str | None:
    """What is wrong with a `#fragment` leading to the file `target` from the file `base`: an id it lacks."""
    if fragment and targets.lacks_id(target, fragment):
        return (f"leads to {'this page' if target == base else url_of(target)}, which has no `#{fragment}` on it."
                f"{targets.suggestion(fragment, target)}")
    return None


def outside_hint(targets: Targets, path: str) -> str:
    """Why an address from the host's root leads nowhere on a site published under a path (`/plan/`): it is outside
    that path (a template's address without the `url` filter), or a writer typed the path that clair adds itself."""
    base = targets.urls.base_path
    if base == "/" or not is_site_path(path):
        return ""
    written = targets.urls.site_path(path)
    if written is None:
        return (f"; the site is published under {base} (base_url in site.yaml), and this address is outside it (in a "
                f"template, pass the site's address through the `url` filter: {{{{ '{path}' | url }}}})")
    if written.startswith(base):
        return (f"; an address starting with / starts at the site's root, and clair adds {base} itself when it "
                f"publishes the site: write {written[len(base) - 1:]}")
    return ""


def letters(name: str) -> str:
    """An id's letters and digits only, without accents: how generators' heading ids differ least."""
    return re.sub(r"[^a-z0-9]", "", slugify(name))


def url_of(file: PurePosixPath) -> str:
    """The address a built file is served at: en/x/index.html is /en/x/."""
    return f"/{file.parent}/".replace("/./", "/") if file.name == "index.html" else f"/{file}"


def expected_source(project: Project, page: Page, path: str) -> str:
    """The Markdown file a `.md` link names: beside the page, or from the language folder for `/x.md`."""
    folder = project.language_folder(page.lang) if path.startswith("/") else page.source.parent
    return posixpath.normpath((folder / unquote(path).lstrip("/")).as_posix())


def report(settings, page: Page | None, path: PurePosixPath, rule_id: str, item: Address, message: str) -> Finding:
    """At the Markdown line on a content page; at line 1 of the built file for the 404 and splash pages."""
    if page is not None:
        return settings.finding(page, rule_id, item.line, message + item.note)
    return settings.finding(str(path), rule_id, 1, message + html.TEMPLATE_NOTE)


class LazyIds:
    """The ids of built HTML files, parsed when a link first needs them and kept while the file is unchanged
    (`Targets.ids` for a check of a few pages: a preview's edited pages)."""

    def __init__(self, files, kept_ids: dict):
        self.files, self.kept_ids = files, kept_ids

    def get(self, path: PurePosixPath, default=None):
        content = self.files.get(path)
        if not isinstance(content, (str, bytes)) or path.suffix != ".html":
            return default
        kept = self.kept_ids.get(path)
        if kept is None or kept[0] is not content:
            kept = (content, set(html.parse(built_text(content)).ids()))
            self.kept_ids[path] = kept
        return kept[1]
