"""Stages 3 and 4 for one translation unit at a time: parse, render and check a page with its translation.

A unit is a page and its translation (or a page alone): everything a page's own checks read,
parity included. Units are independent, so they run in worker processes (`jobs`), and their results
are kept in the build cache (clair/cache.py) under a key of everything they depend on.

Workers are forked from the build process after the site is loaded, so they share the loaded
site and the renderer without sending them; each sends back only a `UnitResult`: the rendered
HTML, the findings and scores, and the ids and addresses the site-wide link check needs. Tokens
stay in the worker and are dropped after each unit, so memory does not grow with the site.
"""
from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import checks

from .model import ContentError, Finding, Page, Site
from .onepage import chapter_html, chapter_ids, whole_publication_url
from .render import Renderer


@dataclass
class RenderedPage:
    """What later stages need of a rendered page (its tokens are not among them)."""

    html_utf8: bytes
    headings: list[dict]
    output_utf8: bytes
    media: dict  # output path -> source file of each picture and file it links to
    chapter: bytes | None = None  # the body rewritten for its publication's one-page view (clair/onepage.py)

    @classmethod
    def of(cls, page: Page, work: UnitWork) -> RenderedPage:
        return cls(page.html_utf8, page.headings, page.output_utf8, page.env.get("media", {}), work.chapter(page))

    def apply(self, page: Page) -> None:
        """Give a page (in the build process) what rendering it produced elsewhere."""
        page.html_utf8, page.headings, page.output_utf8 = self.html_utf8, self.headings, self.output_utf8
        page.env = {"media": self.media}


@dataclass
class UnitResult:
    """Everything one unit produced; small enough to send between processes and to cache."""

    pages: list[RenderedPage] = field(default_factory=list)
    extra_files: dict[PurePosixPath, bytes] = field(default_factory=dict)  # matrix CSVs
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)  # ContentError file, line, message
    findings: list[Finding] = field(default_factory=list)
    scores: dict[str, dict] = field(default_factory=dict)
    links: dict = field(default_factory=dict)  # output path -> checks.links.FileLinks


@dataclass
class UnitWork:
    """What every unit needs, set up once in the build process and inherited by the workers."""

    site: Site
    renderer: Renderer
    units: list[list[Page]]
    settings: checks.Settings | None = None  # None when checks are off
    keep_tokens: bool = False  # serial builds only: leave each page's tokens for whoever reads them next (tests)
    ids_by_publication: dict = field(default_factory=dict)  # publication url -> its chapter ids (None: no view)

    def chapter(self, page: Page) -> bytes | None:
        """The page as a chapter of its publication's one-page view, when the publication has one."""
        publication = page.publication()
        if publication is None:
            return None
        if publication.url not in self.ids_by_publication:  # worked out once per publication
            self.ids_by_publication[publication.url] = (chapter_ids(publication) if whole_publication_url(publication)
                                                        else None)
        ids = self.ids_by_publication[publication.url]
        return None if ids is None else chapter_html(page, ids, self.site.config.base_url).encode("utf-8")


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_WORK: UnitWork | None = None  # set before the workers fork; they read it instead of receiving it


def translation_units(site: Site) -> list[list[Page]]:
    """Each page with its translation, English first, in the order of the site's pages."""
    units, seen = [], set()
    for page in site.pages:
        if id(page) in seen:
            continue
        unit = sorted([page, page.counterpart] if page.counterpart else [page], key=lambda p: p.lang)
        seen.update(id(p) for p in unit)
        units.append(unit)
    return units


def usable_cpus() -> int:
    """The cores this process may run on (the machine's, unless a container or taskset limits it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Workers:
    """The build's worker processes: forked once, when first needed (normally to render pages, while the
    build process is still small: a fork shares its memory, and a big parent makes every worker look big).

    `with Workers(work, jobs) as workers:` then `workers.map(function, items)`: function(item) for each
    item, in order, in the workers (or here, when jobs is 1 or there is a single item). `function` must
    be a module-level function and items must pickle. Leaving the block, normally or not, stops them."""

    def __init__(self, work: UnitWork, jobs: int):
        self.work, self.jobs, self.pool = work, jobs, None

    def __enter__(self) -> Workers:
        global _WORK
        _WORK = self.work  # the workers inherit it: units are named by index, not sent
        return self

    def __exit__(self, *exc_info) -> None:
        global _WORK
        _WORK = None
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, function: Callable, items: list) -> Iterator:
        if self.jobs < 2 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return map(function, items)
        if self.pool is None:
            # Ctrl-C while the pool starts would leave it half made, its workers orphaned: hold signals until it exists.
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            gc.freeze()  # the workers' garbage collector leaves the loaded site alone: no time on it, no copies
            try:
                self.pool = multiprocessing.get_context("fork").Pool(self.jobs, initializer=_quiet_worker)
            finally:
                gc.unfreeze()
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        chunk = max(1, len(items) // (self.jobs * 8))  # small chunks: a slow item does not hold up the end
        return self.pool.imap(function, items, chunksize=chunk)

    def units(self, indexes: list[int]) -> Iterator[tuple[int, UnitResult]]:
        """(index, result) of each unit named."""
        return self.map(_numbered, indexes)


def _quiet_worker() -> None:
    """Workers leave Ctrl-C and SIGTERM to the build process, which stops them and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # forked while the build process held them


def _numbered(index: int) -> tuple[int, UnitResult]:
    return index, process_unit(_WORK, _WORK.units[index])


def process_unit(work: UnitWork, pages: list[Page]) -> UnitResult:
    """Parse, render and check one unit (a page and its translation), then drop its tokens."""
    renderer = work.renderer
    renderer.extra_files = {}
    result = UnitResult()
    for page in pages:
        try:
            renderer.parse_page(page)
            renderer.render_page(page)
        except ContentError as err:
            result.errors.append((err.file, err.line, err.message))
    result.pages = [RenderedPage.of(page, work) for page in pages]
    result.extra_files = renderer.extra_files
    if work.settings is not None and not result.errors:
        check_unit(work, pages, result)
    if not work.keep_tokens:  # the build process applies the results to its own pages (RenderedPage.apply)
        for page in pages:
            page.tokens, page.env, page.html_utf8, page.output_utf8 = [], {}, b"", b""
    return result


def check_unit(work: UnitWork, pages: list[Page], result: UnitResult) -> None:
    """The unit's own findings and scores, and what the site-wide link check needs of its pages."""
    part = dataclasses.replace(work.site, pages=pages, findings=[], scores={}, relaxations=[])
    files = {page.output_path: page.output for page in pages}
    result.findings = checks.run_pages(part, files, work.settings)
    result.scores = part.scores
    result.links = {page.output_path: checks.extract_links(page.output, page) for page in pages}
