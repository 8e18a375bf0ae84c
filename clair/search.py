"""Render and write stages, site search: a search page per language, and per-language indexes built by Pagefind.

The index is built at build time, with no server and no third party: after `write_site` has filled
its temporary folder and before it swaps that folder in, Pagefind (the `pagefind[bin]` package from
PyPI) reads the written HTML and writes `pagefind/` beside it. It makes one index per `<html lang>`,
so the English search page only ever searches English pages. Only the `<main>` of content pages is
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
import json
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

from .children import end_with_parent
from .i18n import french_typography
from .model import LANGUAGES, ContentError, GeneratedPage, paired

SEARCH_SLUG = {"en": "search", "fr": "recherche"}
INDEX_FOLDER = "pagefind"
INDEX_SCRIPT = f"/{INDEX_FOLDER}/pagefind.js"
PAGEFIND_ENV = "CLAIR_PAGEFIND"  # a Pagefind executable to use instead of the one `pagefind[bin]` installs
INSTALL_HELP = "install it with `pip install 'pagefind[bin]'` (it is one of clair's dependencies: pip install -e .)"
# Parts of <main> that are about other pages, not this one, and marks hidden from screen readers
# (a matrix's "●"): left out of the index.
EXCLUDE = (".toc", ".pagination", ".section-pages", ".publications", ".whole-publication", '[aria-hidden="true"]')
OPTIONS = ["--output-subdir", INDEX_FOLDER, "--exclude-selectors", ", ".join(EXCLUDE), "--quiet"]
TIMEOUT = 300  # seconds; Pagefind indexes thousands of pages a second


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


def build_index(folder: Path, pages: int, cache: Path | None = None, key: str | None = None) -> None:
    """Index the site written in `folder` into `folder/pagefind/`; a ContentError if that fails, or if the
    index is not whole (`verify_index`: `pages` pages in it, every file complete).

    Called by write_site on its temporary folder, so a failed index leaves the previous site.
    With a `cache` folder and the `key` of the site written (clair/write.py `site_digest`: every file, and
    `fingerprint()`), the index kept under the same key is linked from there instead of being built
    again, once verified the same way; only the latest index is kept, and only a verified one."""
    try:
        program = executable()
    except PagefindMissing as err:
        raise ContentError(INDEX_FOLDER, None, f"the search index could not be built: {err}. "
                                               "The previous output folder is unchanged") from None
    kept = cache / INDEX_FOLDER / key if cache and key else None
    if kept is not None and reuse(kept, folder / INDEX_FOLDER, pages):
        return
    run_pagefind([program, "--site", str(folder), *OPTIONS], folder)
    problem = verify_index(folder / INDEX_FOLDER, pages)
    if problem:
        raise ContentError(INDEX_FOLDER, None, f"the search index could not be built: {problem}. Is the disk "
                                               "full? The previous output folder is unchanged")
    stabilise(folder / INDEX_FOLDER / "pagefind-entry.json")
    if kept is not None:
        keep(folder / INDEX_FOLDER, kept)


def reuse(kept: Path, index: Path, pages: int) -> bool:
    """Link the index kept in the cache into the site, if it is there and whole; else leave no trace of it."""
    if not kept.is_dir() or kept.is_symlink() or verify_index(kept, pages):
        return False
    try:
        shutil.copytree(kept, index, copy_function=link_or_copy)
        return True
    except OSError:
        shutil.rmtree(index, ignore_errors=True)
        return False


def keep(index: Path, kept: Path) -> None:
    """Keep a verified index in the cache, replacing the one kept before (only folders named like a key)."""
    try:
        for old in kept.parent.iterdir() if kept.parent.is_dir() else ():
            if KEY.match(old.name.removeprefix(".tmp-")) and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
        temporary = kept.with_name(".tmp-" + kept.name)
        shutil.copytree(index, temporary)
        os.replace(temporary, kept)
    except OSError:
        pass  # no cached index: the next build indexes again


def verify_index(index: Path, pages: int) -> str | None:
    """What is wrong with a Pagefind index, or None when it is whole: its entry file lists languages holding
    `pages` pages in all, with one fragment file per page; each language's metadata and WebAssembly file and
    the script are there; and every file is a regular file (not a link), every compressed one complete
    (a full disk leaves files cut short or empty, which Pagefind does not always notice)."""
    try:
        entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = entry["languages"]
        counted = sum(int(language["page_count"]) for language in languages.values())
        needed = [index / "pagefind.js", *(index / f"pagefind.{language['hash']}.pf_meta" for language in languages.values()),
                  *(index / f"wasm.{language['wasm']}.pagefind" for language in languages.values())]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        return f"its list of languages is missing or damaged ({err})"
    if counted != pages:
        return f"it holds {counted} pages instead of {pages}"
    fragments = list((index / "fragment").glob("*.pf_fragment"))
    if len(fragments) != pages:
        return f"it has {len(fragments)} page fragments instead of {pages}"
    missing = [path.name for path in needed if not path.is_file()]
    if missing:
        return f"{', '.join(missing)} is missing"
    for path in sorted(index.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return f"{path.relative_to(index)} is not a regular file"
        if path.suffix in COMPRESSED and not complete(path):
            return f"{path.relative_to(index)} is cut short or damaged"
    return None


COMPRESSED = (".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")
KEY = re.compile(r"[0-9a-f]{64}\Z")


def complete(path: Path) -> bool:
    """Whether a gzip file is whole: it decompresses to its end and its checksum matches."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
        return path.stat().st_size > 0
    except (OSError, EOFError, zlib.error):
        return False


def link_or_copy(source: str, target: str) -> None:
    """A hard link to the cached file (thousands of them: much faster than copying), a copy across disks.
    Pagefind names its files by their content and no build writes into a built site, so links are safe."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def fingerprint() -> bytes:
    """Which Pagefind indexes and how: its program (path, size, time) and options."""
    try:
        program = executable()
        found = Path(program).stat()
    except (PagefindMissing, OSError):
        return b"pagefind missing"
    return json.dumps([program, found.st_size, found.st_mtime_ns, OPTIONS]).encode()


def run_pagefind(command: list[str], folder: Path) -> None:
    """Run Pagefind on `folder`; a ContentError with its message when it fails. Pagefind ends with the build,
    even one killed outright (clair/children.py)."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace",
                                timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=functools.partial(end_with_parent, os.getpid()))
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ContentError(INDEX_FOLDER, None, f"the search index could not be built: Pagefind did not run "
                                               f"({err}). The previous output folder is unchanged") from None
    entry = folder / INDEX_FOLDER / "pagefind-entry.json"
    if result.returncode != 0 or not entry.is_file():
        said = " ".join((result.stderr.strip() or result.stdout.strip() or "no message").split())[:800]
        raise ContentError(INDEX_FOLDER, None, f"the search index could not be built: Pagefind stopped with exit "
                                               f"code {result.returncode}: {said}. The previous output folder "
                                               "is unchanged")


def stabilise(entry: Path) -> None:
    """Pagefind lists the languages in its entry file in no fixed order; sort them, so two builds of
    the same content stay byte-identical (every other file it writes is named by its content hash)."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")


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
        messages[f"results-{form}"] = french_typography(text) if lang == "fr" else text
    return messages
