"""Stages 3 and 4 for one translation unit at a time: parse, render and check a page with its translation.

A unit is a page and its translation (or a page alone): everything a page's own checks read,
parity included. Units are independent, so they run in worker processes (`jobs`), and their results
are kept in the build cache (clair/cache.py) under a key of everything they depend on.

Workers are forked from the build process after the site is loaded, so they share the loaded
site and the renderer without sending them; each sends back only a `UnitResult`: the rendered
HTML, the findings and scores, and the ids and addresses the site-wide link check needs. Tokens
stay in the worker and are dropped after each unit, so memory does not grow with the site.

Nothing a worker raises crosses back as an exception: every failure is sent as plain data (file, line,
message) and becomes a load error, and a worker that dies (killed, out of memory) stops the build
with a message instead of leaving it waiting for ever. Workers die with a killed build (clair/children.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import multiprocessing
import multiprocessing.connection
import os
import posixpath
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from clair import checks

from .cache import within
from .markdown import MEDIA_DIR
from .children import STOP_SIGNALS, end_with_parent, stop_signals_held
from .model import ContentError, ContentErrors, Finding, Page, Site
from .onepage import chapter_html, chapter_ids, whole_publication_url
from .render import Renderer
from .shape import JSON, Damaged, Either, Fields, Shape


RENDERED_PAGE_DATA = Shape((int, [{str: Either(int, str, None)}], int, {str: str}, Either(None, int)))  # ints: blobs
UNIT_RESULT_DATA = Shape(Fields(pages=[JSON], extra_files={str: int}, findings=[JSON], scores={str: {str: JSON}},
                                 links={str: JSON}))  # pages, findings and links: checked as each is read


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

    def to_data(self, blobs: list[bytes]) -> list:
        """As JSON values for the build cache (clair/cache.py), its HTML added to `blobs` and named by index."""
        return [blob(blobs, self.html_utf8), self.headings, blob(blobs, self.output_utf8),
                {str(output): str(source) for output, source in self.media.items()},
                None if self.chapter is None else blob(blobs, self.chapter)]

    @classmethod
    def from_data(cls, data, blobs: list[bytes], content: Path) -> RenderedPage:
        """From `to_data`'s values; Damaged when they are not of that shape, or when a picture or file it
        would publish is not under /media/ or its source not inside the content folder."""
        html, headings, output, media, chapter = RENDERED_PAGE_DATA.conform(data)
        if not all(is_media(output) and within(source, content) for output, source in media.items()):
            raise Damaged("a file from outside the content folder")
        return cls(blobs[html], headings, blobs[output], {PurePosixPath(o): Path(s) for o, s in media.items()},
                   None if chapter is None else blobs[chapter])

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
    links: dict = field(default_factory=dict)  # output path -> checks.FileLinks
    learned: dict = field(default_factory=dict)  # what checks learned on it (checks.learned): not cached

    def to_data(self) -> tuple[dict, list[bytes]]:
        """As JSON values and blobs, for the build cache; only results without errors are kept."""
        blobs: list[bytes] = []
        values = {"pages": [page.to_data(blobs) for page in self.pages],
                  "extra_files": {str(path): blob(blobs, data) for path, data in self.extra_files.items()},
                  "findings": [finding.to_data() for finding in self.findings], "scores": self.scores,
                  "links": {str(path): found.to_data() for path, found in self.links.items()}}
        return values, blobs

    @classmethod
    def from_data(cls, data, blobs: list[bytes], content: Path) -> UnitResult:
        """From `to_data`'s values; Damaged (clair/shape.py) when they are anything else."""
        data = UNIT_RESULT_DATA.conform(data)
        if not all(is_inside_the_site(path) for path in data["extra_files"]):
            raise Damaged("a file outside the site")
        return cls([RenderedPage.from_data(page, blobs, content) for page in data["pages"]],
                   {PurePosixPath(path): blobs[index] for path, index in data["extra_files"].items()},
                   [], [Finding.from_data(finding) for finding in data["findings"]], data["scores"],
                   {PurePosixPath(path): checks.FileLinks.from_data(found) for path, found in data["links"].items()})


def blob(blobs: list[bytes], data: bytes) -> int:
    """Add `data` to the entry's blobs; its index there."""
    blobs.append(data)
    return len(blobs) - 1


def is_inside_the_site(path: str) -> bool:
    """Whether a built file's path stays inside the output folder (relative, no `..`)."""
    normal = posixpath.normpath(path)
    return not (path.startswith("/") or normal == ".." or normal.startswith("../") or "\0" in path)


def is_media(path: str) -> bool:
    return is_inside_the_site(path) and PurePosixPath(posixpath.normpath(path)).parts[0] == MEDIA_DIR


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


INTERNAL_ERROR = ("clair could not build this because of a fault in clair itself, not a mistake in your content. "
                  "Please report it to the site's maintainers, with the file named here")
WORKER_DIED = ("one of the build's worker processes ended before finishing its pages (it was killed, perhaps because "
               "the machine ran out of memory). Build again; if it happens again, use fewer processes with --jobs")
_WORK: UnitWork | None = None  # set before the workers fork; they read it instead of receiving it
# A unit makes hundreds of thousands of objects (tokens, template contexts, the checks' lists) that live until
# the unit ends and are freed by reference counting, not by the cycle collector. Python's default runs a
# collection every 700 new objects, which scanned them again and again (and the whole loaded site every few
# hundred times: 8 % of a serial build's CPU); every 10,000 takes under 2 %, and still frees every cycle.
UNIT_GC_THRESHOLD = 10_000


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


class Workers:
    """The build's worker processes: forked when first needed (normally to render pages, while the build
    process is still small: a fork shares its memory, and a big parent makes every worker look big). `stop`
    ends them and what they gathered; the next `map` forks fresh ones, sharing the build process's pages.

    `with Workers(work, jobs) as workers:` then `workers.map(function, items)`: function(item) for each
    item, in order, in the workers (or here, when jobs is 1 or there is a single item and nothing to do `beside`
    it). `function` must be a module-level function and items must pickle. Leaving the block, normally or not,
    stops them.

    Each worker has a pipe of its own and shares no lock with the others (unlike multiprocessing.Pool,
    whose shared queue locks a worker killed at the wrong moment takes with it, stalling the build): the
    build waits on the pipes and on the workers' ends together, so a worker that dies is seen at once."""

    def __init__(self, work: UnitWork, jobs: int):
        self.work, self.jobs = work, jobs
        self.processes: dict = {}  # pipe to a worker -> its process

    def __enter__(self) -> Workers:
        global _WORK
        _WORK = self.work  # the workers inherit it: units are named by index, not sent
        self.gc_thresholds = gc.get_threshold()
        gc.set_threshold(UNIT_GC_THRESHOLD, *self.gc_thresholds[1:])  # the workers inherit it too
        return self

    def __exit__(self, *exc_info) -> None:
        global _WORK
        _WORK = None
        try:
            self.stop()
        finally:
            gc.set_threshold(*self.gc_thresholds)

    def start(self) -> None:
        gc.freeze()  # the workers' garbage collector leaves the loaded site alone: no time on it, no copies
        try:
            with stop_signals_held():
                context = multiprocessing.get_context("fork")
                for _ in range(self.jobs):
                    here, there = context.Pipe()
                    process = context.Process(target=_serve, args=(there, os.getpid()), daemon=True)
                    process.start()
                    there.close()
                    self.processes[here] = process
        finally:
            gc.unfreeze()

    def stop(self) -> None:
        for pipe, process in self.processes.items():
            process.terminate()
            process.join()
            pipe.close()
        self.processes = {}

    def map(self, function: Callable, items: list, light: bool = False, beside: bool = False) -> Iterator:
        """Whatever `function` raises comes back as plain data (`_guarded`) and is raised here as a ContentError.
        `light` work is done here unless workers are running already: starting them would cost more. Work done
        `beside` other work of the build process (reading the cache) goes to a worker even when it is one item."""
        guarded = functools.partial(_guarded, function)
        if (light and not self.processes) or self.jobs < 2 or len(items) < (1 if beside else 2) \
                or "fork" not in multiprocessing.get_all_start_methods():
            return map(_unwrapped, map(guarded, items))
        if not self.processes:
            self.start()
        size = max(1, len(items) // (self.jobs * 8))  # small chunks: a slow item does not hold up the end
        chunks = [items[first:first + size] for first in range(0, len(items), size)]
        return map(_unwrapped, itertools.chain.from_iterable(self.run(functools.partial(_each, guarded), chunks)))

    def run(self, function: Callable, chunks: list) -> Iterator[list]:
        """function(chunk) for each chunk, in order, each handed to the next worker free; a ContentError when a
        worker dies (killed, out of memory). The first chunks are handed out at once, so the workers are busy
        while the build process does something else before it asks for the answers."""
        idle, busy = list(self.processes), {}
        handed = iter(enumerate(chunks))
        self.hand(function, handed, idle, busy)
        return self.answers(function, len(chunks), handed, idle, busy)

    @staticmethod
    def hand(function: Callable, handed: Iterator, idle: list, busy: dict) -> None:
        """Send the next chunks to the idle workers."""
        for index, chunk in itertools.islice(handed, len(idle)):
            pipe = idle.pop()
            pipe.send((function, chunk))
            busy[pipe] = index

    def answers(self, function: Callable, count: int, handed: Iterator, idle: list, busy: dict) -> Iterator[list]:
        """`run`'s answers in order, handing out the other chunks as workers come free. Left before the end, it
        stops the workers (their answers are stale)."""
        done, waiting = {}, 0
        sentinels = {process.sentinel for process in self.processes.values()}  # ready once a worker has ended
        try:
            while waiting < count:
                self.hand(function, handed, idle, busy)
                for ready in multiprocessing.connection.wait([*busy, *sentinels]):
                    answer = self.answer(ready, sentinels)
                    done[busy.pop(ready)] = answer
                    idle.append(ready)
                while waiting in done:
                    yield done.pop(waiting)
                    waiting += 1
        finally:
            if waiting < count:
                self.stop()

    def answer(self, ready, sentinels: set):
        """What a worker sent back; a ContentError when instead it has ended."""
        try:
            if ready not in sentinels:
                return ready.recv()
        except (EOFError, OSError):
            pass
        raise ContentError(self.work.site.project.content, None, WORKER_DIED)

    def units(self, indexes: list[int], beside: bool = False) -> Iterator[tuple[int, UnitResult]]:
        """(index, result) of each unit named; `beside`: see `map`."""
        return self.map(_numbered, indexes, beside=beside)


def _serve(pipe, build_process: int) -> None:
    """A worker: run what the build sends until it closes the pipe."""
    _quiet_worker(build_process)
    while True:
        try:
            function, chunk = pipe.recv()
        except EOFError:
            return
        answer = function(chunk)
        try:
            pipe.send(answer)
        except Exception:  # an answer that cannot be sent (a fault of clair's): say so rather than die
            pipe.send([(False, (str(_WORK.site.project.content), None, INTERNAL_ERROR))] * len(chunk))


def _quiet_worker(build_process: int) -> None:
    """Workers leave Ctrl-C and SIGTERM to the build process, which stops them and cleans up; they die with it
    when it is killed outright (clair/children.py)."""
    end_with_parent(build_process)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # forked while the build process held them


def _guarded(function: Callable, item):
    """(True, function(item)), or (False, (file, line, message)) when it fails: only plain data goes back from a
    worker, since an exception whose class cannot be rebuilt in the build process would stall it for ever."""
    errors: list = []
    with failures_into(errors, str(_WORK.site.project.content)):
        return True, function(item)
    return False, errors[0]


def _each(function: Callable, items: list) -> list:
    return [function(item) for item in items]


def _unwrapped(outcome: tuple):
    done, value = outcome
    if not done:
        raise ContentError(*value)
    return value


@contextlib.contextmanager
def failures_into(errors: list, where: str) -> Iterator[None]:
    """Record what the block raises in `errors` as (file, line, message): a refusal (ContentError) at its own
    file and line, anything else as a fault of clair's at `where` (the page being built), so one faulty page
    neither stops the others nor shows a traceback. Ctrl-C and SIGTERM pass."""
    try:
        yield
    except ContentError as err:
        errors.append((err.file, err.line, err.message))
    except ContentErrors as many:
        errors.extend((err.file, err.line, err.message) for err in many.errors)
    except Exception:
        errors.append((where, None, INTERNAL_ERROR))


def _numbered(index: int) -> tuple[int, UnitResult]:
    return index, process_unit(_WORK, _WORK.units[index])


def process_unit(work: UnitWork, pages: list[Page]) -> UnitResult:
    """Parse, render and check one unit (a page and its translation), then drop its tokens. It raises nothing:
    what goes wrong is in the result's `errors` (`failures_into`)."""
    renderer = work.renderer
    renderer.extra_files = {}
    result = UnitResult()
    for page in pages:
        with failures_into(result.errors, str(page.source)):
            renderer.parse_page(page)
            renderer.render_page(page)
    if not result.errors:
        with failures_into(result.errors, str(pages[0].source)):
            result.pages = [RenderedPage.of(page, work) for page in pages]
            result.extra_files = renderer.extra_files
            if work.settings is not None:
                check_unit(work, pages, result)
    if not work.keep_tokens:  # the build process applies the results to its own pages (RenderedPage.apply)
        for page in pages:
            page.tokens, page.env, page.html_utf8, page.output_utf8 = [], {}, b"", b""
    return result


def check_unit(work: UnitWork, pages: list[Page], result: UnitResult) -> None:
    """The unit's own findings and scores, and what the site-wide link check needs of its pages."""
    part = dataclasses.replace(work.site, pages=pages, findings=[], scores={}, relaxations=[])
    files = {page.output_path: page.output for page in pages}  # decoded once (`Page.output` decodes its bytes)
    result.findings = checks.run_pages(part, files, work.settings)
    result.scores = part.scores
    result.links = {page.output_path: checks.extract_links(files[page.output_path], page) for page in pages}
    result.learned = checks.learned()  # the build process keeps it for the next build's workers
