"""Render and write stages, site search: a search page per language, and per-language indexes built by Pagefind.

The index is built at build time, with no server and no third party: Pagefind (the `pagefind[bin]`
package from PyPI) runs as a service beside the build and is given each page as soon as it is
rendered (`SearchIndex`), then hands back its files, which are verified and written with the rest
of the site, at `pagefind/` (clair/write.py: all at once, or not at all). It makes one index per
`<html lang>`, so the English search page only ever searches English pages. Only the `<main>` of content pages is
indexed (templates mark it `data-pagefind-body`); the "On this page" list, previous/next links and
lists of other pages are left out (EXCLUDE), so a page is found for its own words.

`templates/assets/search.js` runs the search in the browser through Pagefind's JavaScript API. It
compiles WebAssembly, so the search page alone allows `'wasm-unsafe-eval'` in its
Content-Security-Policy (never `'unsafe-inline'` or `'unsafe-eval'`: no page runs inline script).

Pagefind folds accents in queries and in the index (since 1.5; `exactDiacritics` is off), so
« reussite » finds « réussite »; tests/test_search.py checks it in Chromium.

`check` never needs Pagefind (it writes nothing); `build --skip-checks` indexes when Pagefind is
installed and says so when it is not; a full `build` and `audit` require it.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from .cache import BuildCache
from .model import LANGUAGES, ContentError, GeneratedPage, paired
from .pagefind_service import Service, ServiceFailed
from .shape import Damaged, Shape

SEARCH_SLUG = {"en": "search", "fr": "recherche"}
INDEX_FOLDER = "pagefind"
INDEX_SCRIPT = f"/{INDEX_FOLDER}/pagefind.js"
PAGEFIND_ENV = "CLAIR_PAGEFIND"  # a Pagefind executable to use instead of the one `pagefind[bin]` installs
INSTALL_HELP = "install it with `pip install 'pagefind[bin]'` (it is one of clair's dependencies: installing clair again brings it)"
# Parts of <main> that are about other pages, not this one, and marks hidden from screen readers
# (a matrix's "●"): left out of the index.
EXCLUDE = (".toc", ".pagination", ".section-pages", ".publications", ".whole-publication", '[aria-hidden="true"]')
SERVICE_CONFIG = {"exclude_selectors": list(EXCLUDE)}
INDEXED_MARK = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s/>=]")  # the element search indexes
TIMEOUT = 300  # seconds Pagefind may take to answer; it indexes hundreds of pages a second


class PagefindMissing(Exception):
    """No Pagefind executable; the message says how to install it."""


def search_url(lang: str) -> str:
    return f"/{lang}/{SEARCH_SLUG[lang]}/"


def executable() -> str:
    """The Pagefind binary: $CLAIR_PAGEFIND, else the one the `pagefind-bin` package ships."""
    wanted = os.environ.get(PAGEFIND_ENV)
    if wanted:
        if not (os.path.isfile(wanted) and os.access(wanted, os.X_OK)):
            raise PagefindMissing(f"no Pagefind program at `{wanted}` (from {PAGEFIND_ENV})")
        return wanted
    try:
        import pagefind_bin
    except ImportError:
        raise PagefindMissing(f"Pagefind is not installed: {INSTALL_HELP}") from None
    try:
        return str(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as err:
        raise PagefindMissing(f"the pagefind-bin package has no program for this system ({err}): "
                              f"{INSTALL_HELP}") from None


def available() -> bool:
    try:
        executable()
    except PagefindMissing:
        return False
    return True


class SearchIndex:
    """The site's Pagefind index, made while the build goes on: `add` gives Pagefind's service each page as soon
    as it is rendered (clair/pagefind_service.py), so indexing runs beside the workers instead of after them;
    `close` says no page is left, and Pagefind starts writing the index; `finish` takes its files (paths under
    `pagefind/`: bytes), to be written with the site.

    Pagefind makes one index per language, each from that language's pages alone, so each language has a
    Pagefind of its own, and the two work at once; their files are put together (`merged`), which gives
    exactly the files one Pagefind given every page would make. Pages must come in the same order in every
    build (the index depends on it): the pipeline gives them a translation unit at a time, in the site's
    order, then the other built files by path. Only pages whose `<main>` is marked `data-pagefind-body` are
    given: Pagefind would index nothing else of a site that marks some. With a build cache and a `key` (the
    pipeline's: the site's inputs and `fingerprint()`), the index kept under that key is used instead, and a
    new one is kept there once verified."""

    def __init__(self, pages: int, cache: BuildCache | None = None, key: str | None = None):
        self.pages = pages  # every page is indexed: the finished index must hold this many
        self.cache, self.key = (cache, f"index-{key}") if cache is not None and key else (None, None)
        self.files: dict[PurePosixPath, bytes] | None = self.cache.get(self.key, kept_index) if self.cache else None
        self.from_cache = self.files is not None
        self.services: dict[str, Service] = {}  # by language

    def add(self, path: PurePosixPath, html: bytes) -> None:
        """Index one built file (its path in the site, its HTML as UTF-8), if search finds it."""
        if self.files is None and INDEXED_MARK.search(html):
            self.service(language_of(html)).add(path, html)

    def service(self, language: str) -> Service:
        if language not in self.services:
            try:
                self.services[language] = Service(executable(), SERVICE_CONFIG, TIMEOUT)
            except (PagefindMissing, ServiceFailed) as err:
                raise not_built(err) from None
        return self.services[language]

    def close(self) -> None:
        """Every page has been given: Pagefind makes the index while the build does something else."""
        for service in self.services.values():
            service.close()

    def finish(self) -> dict[PurePosixPath, bytes]:
        """The index's files, verified; a ContentError when Pagefind failed or the index is not whole."""
        if self.files is None:
            self.close()
            try:
                made = merged([service.get_files() for service in self.services.values() or [self.service("")]])
            except ServiceFailed as err:
                raise not_built(err) from None
            finally:
                self.stop()
            problem = verify_index(made, self.pages)
            if problem:
                raise not_built(problem)
            self.files = {PurePosixPath(INDEX_FOLDER, path): data for path, data in sorted(made.items())}
            if self.cache is not None:
                self.cache.put(self.key, [str(path) for path in self.files], list(self.files.values()))
        return self.files

    def stop(self) -> None:
        """End every Pagefind still running (done, or a build that failed or was stopped)."""
        for service in self.services.values():
            service.stop()


HTML_LANG = re.compile(rb"<html\b[^>]*?\slang=[\"']?([A-Za-z]+)", re.IGNORECASE)


def language_of(html: bytes) -> str:
    """The page's language as Pagefind groups pages (`<html lang="fr-CA">`: fr), or "" when it has none."""
    found = HTML_LANG.search(html, 0, 4096)
    return found[1].decode().lower() if found else ""


def merged(parts: list[dict[PurePosixPath, bytes]]) -> dict[PurePosixPath, bytes]:
    """One index from the indexes of each language: their files (the scripts and styles, the same in each, once)
    and one entry file listing every language, sorted so the same site always gives the same bytes."""
    files: dict[PurePosixPath, bytes] = {}
    entries = []
    for part in parts:
        entries.append(part.pop(ENTRY, b"{}"))
        for path, data in part.items():
            if files.setdefault(path, data) != data:
                raise ServiceFailed(f"two of its parts disagree about {path}")
    try:
        found = [json.loads(entry) for entry in entries]
        entry = {**found[0], "languages": {name: value for each in found for name, value in each["languages"].items()}}
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return files  # no usable entry: verify_index says so
    files[ENTRY] = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return files


def kept_index(names, blobs: list[bytes]) -> dict[PurePosixPath, bytes]:
    """The index kept in the cache (its entry's hash has been checked: its bytes are what was verified)."""
    names = KEPT_INDEX.conform(names)
    paths = [PurePosixPath(name) for name in names]
    if len(names) != len(blobs) or not all(path.parts[0] == INDEX_FOLDER and ".." not in path.parts and "\0" not in name
                                           for name, path in zip(names, paths)):
        raise Damaged("not a search index")
    return dict(zip(paths, blobs))


KEPT_INDEX = Shape([str])
ENTRY = PurePosixPath("pagefind-entry.json")


def not_built(problem) -> ContentError:
    return ContentError(INDEX_FOLDER, None, "the search index could not be built, so nothing was written and the "
                                            "previous output folder is unchanged. Your pages are not the cause: build "
                                            "again, and if this comes back, send this message to whoever looks after "
                                            f"clair for your team. Details: {problem}")


def verify_index(index: Mapping[PurePosixPath, bytes] | Path, pages: int) -> str | None:
    """What is wrong with a Pagefind index (its files by path in the index folder, or that folder), or None when
    it is whole: its entry file lists languages holding `pages` pages in all, with one fragment file per page;
    each language's metadata and WebAssembly file and the script are there; and every compressed file is
    complete (Pagefind does not always notice a file cut short). A folder's files must be regular files."""
    if isinstance(index, Path):
        if any(path.is_symlink() or not (path.is_file() or path.is_dir()) for path in index.rglob("*")):
            return "it holds something that is not a regular file"
        index = {PurePosixPath(path.relative_to(index).as_posix()): path.read_bytes()
                 for path in sorted(index.rglob("*")) if path.is_file()}
    try:
        languages = json.loads(index[ENTRY])["languages"]
        counted = sum(int(language["page_count"]) for language in languages.values())
        needed = [PurePosixPath("pagefind.js"),
                  *(PurePosixPath(f"pagefind.{language['hash']}.pf_meta") for language in languages.values()),
                  *(PurePosixPath(f"wasm.{language['wasm']}.pagefind") for language in languages.values())]
    except (KeyError, ValueError, TypeError, AttributeError) as err:
        return f"its list of languages is missing or damaged ({err})"
    if counted != pages:
        return f"it holds {counted} pages instead of {pages}"
    fragments = [path for path in index if path.parent.name == "fragment" and path.suffix == ".pf_fragment"]
    if len(fragments) != pages:
        return f"it has {len(fragments)} page fragments instead of {pages}"
    missing = [path.name for path in needed if path not in index]
    if missing:
        return f"{', '.join(missing)} is missing"
    damaged = next((path for path, data in sorted(index.items()) if path.suffix in COMPRESSED and not complete(data)),
                   None)
    return None if damaged is None else f"{damaged} is cut short or damaged"


COMPRESSED = (".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")


def complete(data: bytes) -> bool:
    """Whether gzip data is whole: it decompresses to its end and its checksum matches."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while stream.read(1 << 20):
                pass
        return bool(data)
    except (OSError, EOFError, zlib.error):
        return False


def fingerprint() -> bytes:
    """What Pagefind is and how it indexes: a hash of its program's bytes (never its path or file time, so a
    cache restored on another machine with the same Pagefind is used) and the options it is given."""
    try:
        program = executable()
        found = os.stat(program)
    except (PagefindMissing, OSError):
        return b"pagefind missing"
    return program_digest(program, found.st_size, found.st_mtime_ns) + json.dumps(SERVICE_CONFIG).encode()


@functools.lru_cache(maxsize=4)
def program_digest(program: str, size: int, modified: int) -> bytes:
    """The hash of a program's bytes, worked out once per process while its size and time stay the same."""
    digest = hashlib.sha256()
    try:
        with open(program, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return b"unreadable"
    return digest.digest()


# ----------------------------------------------------------------------------- the search pages

def render_search_pages(renderer) -> list[GeneratedPage]:
    """`/en/search/` and `/fr/recherche/`, each the other's translation."""
    pages = paired({lang: GeneratedPage(search_url(lang), lang, renderer.translator(lang)("search_title"),
                                        renderer.translator(lang)("search_description"), "the search page")
                    for lang in LANGUAGES})
    for page in pages:
        home = renderer.homes[page.lang]
        page.output = renderer.template("search.html").render(
            **renderer.generated_context(page, breadcrumbs=[home] if home else []),
            messages=script_messages(renderer, page.lang), index_script=INDEX_SCRIPT)
    return pages


def script_messages(renderer, lang: str) -> dict[str, str]:
    """The status messages search.js shows, as `data-` attributes; `{count}` and `{query}` are filled
    in by the script, which picks the plural form with the browser's Intl.PluralRules."""
    t = renderer.translator(lang)
    messages = {"searching": t("search_searching"), "none": t("search_none", query="{query}"),
                "error": t("search_error"), "empty": t("search_empty")}
    for form, text in renderer.catalogue.messages["search_results"][lang].items():  # Babel's plural forms
        messages[f"results-{form}"] = renderer.catalogue.typeset(text, lang)
    return messages
