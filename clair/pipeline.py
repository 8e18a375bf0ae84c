"""The pipeline, top to bottom: load -> pair -> render -> check -> write -> report.

`build_site` runs the first four stages over a whole site; `update_pages` brings a kept build up to
date after edits to some pages' text (the preview's rebuild on save), with the same per-unit code;
`publish` writes. Both builds render and check a translation unit at a time (clair/units.py).
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import gc
import hashlib
import marshal
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from clair import checks

from . import search
from .cache import BuildCache, open_cache, site_key, unit_key, usable_folder
from .files import read_regular
from .footer import signature_files
from .generated import render_generated_files
from .history import read_history
from .load import load_page, load_site
from .markdown import media_files
from .model import (ContentError, ContentErrors, Finding, Page, Site, built_bytes, built_text, output_path,
                    reading_order)
from .onepage import render_whole_publications, whole_publication_url
from .pair import pair_translations
from .render import Renderer
from .review import pairing
from .project import Project
from .shape import JSON, Damaged, Either, Fields, Shape
from .units import UnitResult, UnitWork, Workers, blob, is_inside_the_site, process_unit, translation_units
from .write import check_output_folder, kept_files, write_site, written_record

REPORT_PATH = PurePosixPath("report/index.html")
WORKERS_WORTH_STARTING = 4 << 20  # characters of HTML: about 0.1 s of reading links, what starting workers costs
PAGE_LOCAL_KEYS = frozenset({"modified", "translated_from", "checks"})  # settings no other page shows
ID_ATTRIBUTE = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")  # enough to tell whether a page's ids changed


class Timings:
    """Seconds spent in each stage, shown by `build --timings` so a slow build says where its time goes."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.notes: dict[str, str] = {}

    @contextlib.contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def __str__(self) -> str:
        return "; ".join(f"{name} {seconds:.2f} s" + (f" ({self.notes[name]})" if name in self.notes else "")
                         for name, seconds in self.seconds.items())


@dataclass
class BuildResult:
    site: Site
    files: dict[PurePosixPath, str | bytes | Later] = field(default_factory=dict)  # pages as UTF-8 (Page.output)
    timings: Timings = field(default_factory=Timings)
    renderer: Renderer | None = None  # update_pages renders edited pages again with it
    settings: checks.Settings | None = None  # the checks' options; None when checks are off
    ids: dict = field(default_factory=dict)  # built file -> its ids, read when an edit's link check needs them
    search: search.SearchIndex | None = None  # the search index, made while the pages rendered, finished by `publish`
    site_key: str | None = None  # the key of everything the site is made from (with a cache): the index's too
    site_digest: str | None = None  # the hash of every byte `publish` wrote (with a cache)
    other_inputs: list[Path] = field(default_factory=list)  # the files the checks read besides the site's own

    @property
    def findings(self) -> list[Finding]:
        return self.site.findings


class Later:
    """A file made when it is first asked for, then kept (`update_pages` leaves the one-page views and the
    report to be made so, since a preview asks for them far less often than it rebuilds)."""

    def __init__(self, make: Callable[[], str | bytes]):
        self.make, self.lock, self.value = make, threading.Lock(), None

    def get(self) -> str | bytes:
        with self.lock:  # the preview serves from several threads
            if self.value is None:
                self.value = self.make()
            return self.value


class FullRebuild(Exception):
    """An edit reaches beyond the edited pages (other pages show what changed): build everything again."""


def build_site(project: Project, run_checks: bool = True, jobs: int = 1, keep_tokens: bool = False,
               search_index: bool = False, progress: Callable[[int, int], None] | None = None,
               review: bool = True, page_bytes: dict[str, bytes] | None = None, written: bool = True) -> BuildResult:
    """Load, pair, render and (optionally) check a site in memory; raises ContentErrors on bad input.

    Pages are rendered and checked a translation unit at a time (clair/units.py), in `jobs` worker
    processes, reusing the results kept in the project's cache folder (clair/cache.py) when nothing
    they depend on changed. Neither changes the result: it is the same, byte for byte, as a serial build.
    The site files, site-wide findings and report are kept too, under all the units' keys together.
    Pages keep no tokens afterwards (memory stays flat), unless `keep_tokens` (serial builds: tests).
    With `search_index` (a build that will be published), Pagefind indexes each page as it comes
    (`UnitsArriving`), beside the workers, and finishes while `publish` writes the other files.
    `progress(pages done, pages)` is told as units finish. Without `review`, the reviewer's report is not
    made, and the sitemap is left empty (`check` writes no files: nothing reads them). `page_bytes`: pages read already, by path inside the
    content folder (the run's hash read them: load_site). Without `written` (`check`, which writes nothing), the
    one-page views of publications unchanged since a build or check kept their links are not rendered, and the
    pages only they would show are not read from the cache (their text in `files` is empty: no check reads it)."""
    timings = Timings()
    store = open_cache(project)
    with timings.stage("load"):
        reader = project.reader
        site = load_site(project, store, page_bytes) if reader == "clair" else foreign_site(project, reader)
        pair_translations(site)
        site.history = read_history(project.content) if run_checks else None  # for parity.stale
        renderer = Renderer(site)
        for page in site.pages:
            renderer.typeset_meta(page)  # before any page renders: pages show other pages' titles
        settings = checks.settings_for(site)  # validated even when checks are skipped: a mistake is a load error
        settings = settings if run_checks else None
    units = translation_units(site)
    work = UnitWork(site, renderer, units, settings, keep_tokens)
    jobs = 1 if keep_tokens else jobs
    other_inputs = checks.files_read(site) if settings is not None else []
    base = site_key(site, settings is not None, other_inputs) if store is not None else None
    keys = unit_keys(work, base)
    key = whole_site_key(keys)
    sources = LinkSources(base, units, keys) if base else None
    views = sources.views(site) if sources is not None else {}
    known = {} if written else known_views(views, store)
    bare = set(range(len(units))) - shown_again(units, views, known) if not written else set()
    index = search.SearchIndex(len(site.pages), store, index_key(key)) if search_index else None
    arriving = UnitsArriving(units, index, progress)
    try:
        with Workers(work, jobs) as workers:
            with timings.stage("pages"):
                results, built = unit_results(work, workers, store, keys, arriving, bare)
                apply_results(site, units, results)
            workers.stop()  # what they gathered goes; the site checks fork fresh ones, sharing this process's pages
            timings.notes["pages"] = (f"{len(units)} pages with their translations: {built} built in {jobs} "
                                      f"process{'es' * (jobs > 1)}, {len(units) - built} from the cache")
            files = site_level(site, renderer, units, results, key, settings, store, workers, timings,
                               made=functools.partial(index_site_files, index, site) if index else None,
                               review=review, sources=sources, views=views, known=known)
    except BaseException:
        if index is not None:
            index.stop()
        raise
    if store is not None:
        store.prune()
    return BuildResult(site, files, timings, renderer, settings, search=index, site_key=key,
                       other_inputs=other_inputs)


def foreign_site(project: Project, reader: str) -> Site:
    """Another generator's site, read as it is (clair/readers: imported only for such a site, a hundredth of a
    second of every clair site's run otherwise)."""
    from .readers import read_site
    return read_site(project, reader)


def whole_site_key(keys: list[str]) -> str | None:
    """The key of everything the site is made from: all the units' keys together (none without a cache)."""
    return "site-" + hashlib.sha256("".join(keys).encode()).hexdigest() if keys else None


def index_key(key: str | None) -> str | None:
    """The key of the site's search index: what the site is made from, and what Pagefind is (its fingerprint)."""
    return hashlib.sha256(key.encode() + b"\0" + search.fingerprint()).hexdigest() if key else None


class UnitsArriving:
    """What happens as units' results arrive: the progress is told, and their pages go to the search index in
    the units' order, whatever order they arrive in (the index Pagefind writes depends on the order)."""

    def __init__(self, units: list, index: search.SearchIndex | None, progress: Callable[[int, int], None] | None):
        self.units, self.index, self.progress = units, index, progress
        self.pages, self.done = sum(map(len, units)), 0
        self.indexed = 0  # units given to the index so far

    def __call__(self, results: list[UnitResult | None], arrived: list[int]) -> None:
        """The results of the units numbered `arrived` are now in `results` (those still to come are None)."""
        self.done += sum(len(self.units[index]) for index in arrived)
        if self.progress is not None:
            self.progress(self.done, self.pages)
        while self.index is not None and self.indexed < len(results) and results[self.indexed] is not None:
            unit, result = self.units[self.indexed], results[self.indexed]
            for page, rendered in zip(unit, result.pages):
                self.index.add(page.output_path, rendered.output_utf8)
            self.indexed += 1


def index_site_files(index: search.SearchIndex, site: Site, files: dict) -> None:
    """Give the index the built files that are not pages (splash, 404, one-page views...), by path (only those
    marked for search are indexed), and close it: Pagefind writes the index while the site checks run. The
    reviewer's report is never searched (it is made after the site checks)."""
    pages = {page.output_path for page in site.pages} | {REPORT_PATH}
    for path in sorted(path for path in files if path.suffix == ".html" and path not in pages):
        index.add(path, built_bytes(files[path]))
    index.close()


def apply_results(site: Site, units: list, results: list[UnitResult]) -> None:
    """Give each page what rendering it produced; raise every content error found (the matrices' too), all at once,
    each once (a template's error is met by every page that uses it)."""
    found = {}
    for unit, result in zip(units, results):
        for page, rendered in zip(unit, result.pages):
            rendered.apply(page)
        found.update(dict.fromkeys(result.errors))
    errors = [*site.library.errors, *(ContentError(*error) for error in found)]
    if errors:
        raise ContentErrors(errors, site.findings)  # with the load warnings


SITE_LEVEL_DATA = Shape(Fields(generated={str: int}, findings=[JSON], report=Either(None, int), entries=[str]))


@dataclass
class SiteLevel:
    """What the whole site makes besides its pages: kept in the cache under every unit's key together,
    which covers all it depends on (so a no-change rebuild renders and checks nothing)."""

    generated: dict[PurePosixPath, str]  # the files the templates make besides the pages
    findings: list[Finding]  # the site-wide checks' findings
    report: str | None  # the reviewer's report (with checks)
    entries: list[str]  # the cache entries it was made from, kept with it for the next edit

    def to_data(self) -> tuple[dict, list[bytes]]:
        """As JSON values and blobs (the files' text), for the build cache."""
        blobs: list[bytes] = []
        return {"generated": {str(path): blob(blobs, text.encode()) for path, text in self.generated.items()},
                "findings": [finding.to_data() for finding in self.findings],
                "report": None if self.report is None else blob(blobs, self.report.encode()),
                "entries": self.entries}, blobs

    @classmethod
    def from_data(cls, data, blobs: list[bytes]) -> SiteLevel:
        """From `to_data`'s values; Damaged (clair/shape.py) when they are anything else."""
        data = SITE_LEVEL_DATA.conform(data)
        if not all(map(is_inside_the_site, data["generated"])):
            raise Damaged("a file outside the site")
        report = data["report"]
        return cls({PurePosixPath(path): blobs[index].decode() for path, index in data["generated"].items()},
                   [Finding.from_data(finding) for finding in data["findings"]],
                   None if report is None else blobs[report].decode(), data["entries"])


def site_level(site: Site, renderer: Renderer, units: list, results: list[UnitResult], key: str | None, settings,
               store: BuildCache | None, workers: Workers, timings: Timings,
               made: Callable[[dict], None] | None = None, review: bool = True,
               sources: LinkSources | None = None, views: dict | None = None,
               known: dict | None = None) -> dict[PurePosixPath, str | bytes]:
    """Every file to write, with the site files, the site-wide findings and (with `review`) the report made or
    taken from the cache (under `key`, whole_site_key's); `made(files)` is told as soon as the site files are
    there. Without `review` (a check, which makes no report), no new entry is kept: a pull request's check is
    followed by no build of the same pages. A report made now for a kept entry that had none is kept with it.
    `sources`: what the pages were made from, so the link check reuses what it found in files unchanged since;
    `views`: each one-page view's publication and key (LinkSources.views), and `known` (a check's): the links of
    those made from the same pages as a view kept earlier, which is not rendered again. Without `review`, the
    sitemap is left empty too: only readers' tools read it."""
    kept = store.get(key, SiteLevel.from_data) if key else None
    read_before = set(store.used) if store else set()
    views, known = (views or {}, known or {}) if store is not None and not kept else ({}, {})
    with timings.stage("site files"):
        generated = kept.generated if kept else render_generated_files(renderer, chapters(units, results),
                                                                       {views[path][0] for path in known}, review)
        files = site_files(site, results, generated)
    for result in results:  # nothing reads the chapters once the one-page views are made: let them go
        for rendered in result.pages:
            rendered.chapter = None
    if made is not None:
        made(files)
    report, found = None, []
    if settings is not None:
        with timings.stage("site checks"):
            found = kept.findings if kept else site_findings(site, files, settings, results, store, workers, sources,
                                                             views, known)
            site.findings.extend(sorted({*(f for result in results for f in result.findings), *found}))
        site.scores.update(sorted((name, value) for result in results for name, value in result.scores.items()))
        drop_stand_ins(site)
        pairing(site)
        report = kept.report if kept else None
        if review:
            report = files[REPORT_PATH] = report or renderer.render_review()
    if kept:
        store.keep(kept.entries)  # an edit next time needs most of them again
    if key and review and (not kept or report != kept.report):  # a check's would be 15 MB no build reads
        entries = kept.entries if kept else sorted(store.used - read_before)
        store.put(key, *SiteLevel(generated, found, report, entries).to_data())
    return files


def drop_stand_ins(site: Site) -> None:
    """Findings about a home page clair made for another generator's site (clair/readers) are no writer's to fix."""
    made = {str(page.source) for page in site.pages if page.stand_in}
    if made:
        site.findings[:] = [finding for finding in site.findings if finding.file not in made]
        for name in made:
            site.scores.pop(name, None)


def chapters(units: list, results: list[UnitResult]) -> dict:
    """Each page's chapter for its publication's one-page view, as the workers made it."""
    return {page: rendered.chapter for unit, result in zip(units, results)
            for page, rendered in zip(unit, result.pages) if rendered.chapter is not None}


def site_files(site: Site, results: list[UnitResult], generated: dict) -> dict[PurePosixPath, str | bytes]:
    """Every file to write: the pages, the files the templates make besides them (`generated`), media,
    and the pages' CSV files."""
    files = {page.output_path: page.output_utf8 for page in site.pages}
    files.update(generated)
    files.update(media_files(site.pages))  # pictures and files the pages link to, under /media/
    files.update(signature_files(site.config, site.project.content))  # the signature's pictures, also there
    for result in results:
        files.update(result.extra_files)  # files pages produce besides their HTML: matrix CSVs
    return files


def unit_keys(work: UnitWork, base: bytes | None) -> list[str]:
    """Each unit's key in the cache (clair/cache.py), from what every unit depends on (`base`: cache.site_key);
    none without a cache."""
    return [unit_key(base, unit, work.site.history) for unit in work.units] if base is not None else []


def unit_results(work: UnitWork, workers: Workers, cache: BuildCache | None, keys: list[str],
                 arrived: Callable[[list, list[int]], None],
                 bare: set[int] = frozenset()) -> tuple[list[UnitResult], int]:
    """Every unit's result, from the cache where its key is there, built (by the workers) otherwise, telling
    `arrived` which came (those from the cache with the first one built: the workers start before anything
    else runs beside them); and how many were built. The units with no entry are handed to the workers first,
    so they build while this process reads the others' entries (after an edit, both take about as long);
    an entry found damaged is built after them. The entries of the units numbered in `bare` are read without their
    blobs: their pages' HTML is left empty (a check that shows them nowhere again: `shown_again`)."""
    content = work.site.project.content
    stored = cache.names() if keys else set()
    absent = [index for index in range(len(work.units)) if not keys or keys[index] not in stored]
    if keys and work.settings is not None:
        checks.prepare(cache)
    building = workers.units(absent, beside=bool(stored))
    with unscanned():
        results: list[UnitResult | None] = [
            cache.get(key, lambda data, blobs: UnitResult.from_data(data, blobs, content), index not in bare)
            if key in stored else None for index, key in enumerate(keys)
        ] if keys else [None] * len(work.units)
    damaged = [index for index, key in enumerate(keys) if key in stored and results[index] is None]
    waiting = [index for index, result in enumerate(results) if result is not None]
    for index, result in then(building, lambda: workers.units(damaged)):
        results[index] = result
        if keys and not result.errors:
            cache.put(keys[index], *result.to_data())
        arrived(results, [*waiting, index])
        waiting = []
    if not absent and not damaged:
        arrived(results, waiting)
    if keys and work.settings is not None:
        checks.keep_learned([result.learned for result in results])
    return results, len(absent) + len(damaged)


@contextlib.contextmanager
def unscanned():
    """Leave what the block makes out of the cycle collector's young generations. Reading the cache makes about a
    million objects that hold no reference cycles (JSON values and what is made of them); collected as they come,
    they were scanned again and again, and with them everything made since the last collection (the loaded site):
    about 0.05 s of a build after an edit. Once made, they go straight to the oldest generation, unscanned."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # everything tracked, to the permanent generation...
        gc.unfreeze()  # ...then to the oldest one, which only a full collection scans
        if enabled:
            gc.enable()


def then(first: Iterator, second: Callable[[], Iterator]) -> Iterator:
    """What `first` yields, then what `second()` yields, called only once `first` is done (the workers take
    one batch at a time)."""
    yield from first
    yield from second()


def site_findings(site: Site, files: dict, settings, results: list[UnitResult], cache: BuildCache | None,
                  workers: Workers, sources: LinkSources | None = None, views: dict | None = None,
                  known: dict | None = None) -> list[Finding]:
    """The site-wide findings: links between files, data, templates. With the cache and `sources`, the link check
    reuses its findings in the files unchanged since the last check of the same targets (checks.links.KeptFindings).
    `views`: each one-page view's publication and key (LinkSources.views); `known`: the links of those not rendered."""
    views, known = views or {}, known or {}
    extracted = {path: links for result in results for path, links in result.links.items()}
    pages = {page.output_path for page in site.pages}
    others = [path for path in files if path.suffix == ".html" and path not in pages and path not in known]
    texts = [files[path] for path in others]
    keys = [file_key(text) for text in texts]
    extracted.update(zip(others, site_file_links(texts, cache, workers, keys)))
    extracted.update(known)
    if cache is not None:
        keep_views(cache, views, extracted, known)
    kept, kept_key = None, None
    if cache is not None and sources is not None and site.foreign is None:  # another generator's: addresses vary
        kept_key = link_targets_key(sources.base, files, extracted)
        kept = checks.links.KeptFindings({**sources.pages(), **dict(zip(others, keys)),
                                          **{path: key for path, (_, key) in views.items()}},
                                         cache.get(kept_key, lambda data, _: checks.links.KeptFindings.from_data(data)))
    found = checks.run_site(site, checks.Built(files, extracted, kept), settings)
    if kept is not None:
        cache.put(kept_key, kept.to_data())
    return found


@dataclass
class LinkSources:
    """What the pages were made from: the key of what every unit depends on and each unit's key (clair/cache.py)."""

    base: bytes
    units: list
    keys: list[str]

    def pages(self) -> dict[PurePosixPath, str]:
        """Each page's built file, with its unit's key."""
        return {page.output_path: key for unit, key in zip(self.units, self.keys) for page in unit}

    def views(self, site: Site) -> dict[PurePosixPath, tuple[Page, str]]:
        """Each one-page view's built file, with its publication and the key of what it is made from: what every
        unit depends on, its file (each language has its own view of the same units) and the keys of the units of
        its pages (clair/onepage.py shows nothing else)."""
        unit_of = {page: key for unit, key in zip(self.units, self.keys) for page in unit}
        found = {}
        for publication in site.pages:
            url = whole_publication_url(publication)
            if url:
                path, keys = output_path(url), sorted({unit_of[page] for page in reading_order(publication)})
                found[path] = (publication, "view-" + hashlib.sha256(
                    self.base + "\0".join([str(path), *keys]).encode()).hexdigest())
        return found


def shown_again(units: list, views: dict[PurePosixPath, tuple[Page, str]], known: dict) -> set[int]:
    """The units (by number) with a page in a one-page view to render: one not `known` (known_views)."""
    pages = {page for path, (publication, _) in views.items() if path not in known
             for page in reading_order(publication)}
    return {index for index, unit in enumerate(units) if not pages.isdisjoint(unit)}


def known_views(views: dict[PurePosixPath, tuple[Page, str]], cache: BuildCache | None) -> dict:
    """The links of the one-page views kept under their keys (`keep_views`): a check need not render those views."""
    if cache is None:
        return {}
    found = {path: cache.get(key, lambda data, _: checks.FileLinks.from_data(data)) for path, (_, key) in views.items()}
    return {path: links for path, links in found.items() if links is not None}


def keep_views(cache: BuildCache, views: dict[PurePosixPath, tuple[Page, str]], extracted: dict,
               known: dict) -> None:
    """Keep each one-page view's links under the key of what it is made from, for a later check (`known_views`):
    those `known` came from their entry; a build keeps an entry an earlier run made (one look per view, not a
    listing of the cache); an entry a check read and found missing or damaged is written again."""
    for path, (_, key) in views.items():
        if path in known:
            continue
        if key not in cache.used and cache.has(key):
            cache.keep([key])
        else:
            cache.put(key, extracted[path].to_data())


def link_targets_key(base: bytes, files: dict, extracted: dict) -> str:
    """The key of the link check's kept findings: what every unit depends on (`base`), and where addresses can
    lead: every built file's name and the ids in each HTML file."""
    ids = sorted((str(path), sorted(found.ids)) for path, found in extracted.items())
    targets = marshal.dumps((base, sorted(map(str, files)), ids), 2)  # version 2: the same bytes whatever shares what
    return "links-" + hashlib.sha256(targets).hexdigest()


def file_key(text: str) -> str:
    """The cache key of what the link check read in a built file that is no content page: its text's hash."""
    return "file-" + hashlib.sha256(text.encode()).hexdigest()


def site_file_links(texts: list[str], cache: BuildCache | None, workers: Workers,
                    keys: list[str] | None = None) -> list:
    """What the link check needs of the files that are no content pages (splash, 404, search, whole
    publications): from the cache by their text's hash (`keys`: file_key's, when known), else read by the workers."""
    keys = keys or [file_key(text) for text in texts]
    found = [cache.get(key, lambda data, _: checks.FileLinks.from_data(data)) for key in keys] if cache else (
        [None] * len(texts))
    missing = [index for index, links in enumerate(found) if links is None]
    unread = [texts[i] for i in missing]
    light = sum(map(len, unread)) < WORKERS_WORTH_STARTING  # after an edit, most come from the cache
    for index, links in zip(missing, workers.map(checks.extract_site_links, unread, light=light)):
        found[index] = links
        if cache:
            cache.put(keys[index], links.to_data())
    return found


def update_pages(result: BuildResult, sources: list[str]) -> tuple[BuildResult, list[Page]]:
    """`result` brought up to date after edits to the text of these pages (none added or removed), and
    the pages built again: each edited page and its translation are loaded, rendered and checked again
    with the same per-unit code as a full build (units.process_unit); pages with a link to an `#anchor`
    of theirs whose ids changed have their links checked again; the one-page views of their
    publications and the report are made when first asked for (`Later`).

    Raises FullRebuild when the edit reaches other pages, ContentError(s) on bad content; either way
    the pages are left exactly as they were."""
    site, renderer = result.site, result.renderer
    by_source = {str(page.source): page for page in site.pages}
    edited = [by_source.get(path) for path in sources]
    if None in edited:
        raise FullRebuild(f"{sources[edited.index(None)]} is not a page of the last build")
    pair = sorted(dict.fromkeys([*edited, *(p.counterpart for p in edited if p.counterpart)]), key=site.pages.index)
    saved = {page: dict(vars(page)) for page in pair}
    try:
        load_findings = reload_pages(pair, site.project, renderer)
        part = dataclasses.replace(site, pages=pair, findings=[], scores={}, relaxations=[])
        settings = checks.Settings(part, checks.RULES)  # a relaxation edited wrongly is a load error
        settings = settings if result.settings is not None else None
        unit = process_unit(UnitWork(site, renderer, [pair], settings), pair)
        if unit.errors:
            raise ContentErrors([ContentError(*error) for error in unit.errors])
        for page, rendered in zip(pair, unit.pages):
            rendered.apply(page)
        files = {**result.files, **{page.output_path: page.output_utf8 for page in pair}, **media_files(pair),
                 **unit.extra_files}
        if settings is None:
            gone = {str(page.source) for page in pair}
            site.findings[:] = [f for f in site.findings if f.file not in gone] + load_findings
        else:
            recheck(result, pair, files, settings, unit, load_findings)
            files[REPORT_PATH] = Later(renderer.render_review)
    except BaseException:
        for page, attributes in saved.items():  # the last good build stays exactly as it was
            vars(page).clear()
            vars(page).update(attributes)
        raise
    files.update(publication_views(result, pair))
    return dataclasses.replace(result, files=files, search=None, site_key=None), pair


def reload_pages(pair: list[Page], project: Project, renderer: Renderer) -> list[Finding]:
    """Read the pages' files again into their Page objects; FullRebuild when other pages show what changed
    (a title, slug, weight... anything but the keys only the page itself uses). Returns the load warnings."""
    findings: list[Finding] = []
    for page in pair:
        fresh = load_page(page.source, project.content, findings)
        if fresh is None:
            raise FullRebuild(f"{page.source} is no longer a page")
        before = shown_settings(page.meta)
        page.meta, page.meta_lines = fresh.meta, fresh.meta_lines
        page.body, page.body_line = fresh.body, fresh.body_line
        renderer.typeset_meta(page)
        if shown_settings(page.meta) != before:
            raise FullRebuild(f"the settings of {page.source} changed (other pages show them)")
    return findings


def shown_settings(meta: dict) -> dict:
    """The settings of a page that other pages show or depend on (title, slug, weight...)."""
    return {key: value for key, value in meta.items() if key not in PAGE_LOCAL_KEYS}


def recheck(result: BuildResult, pair: list[Page], files: dict, settings: checks.Settings, unit: UnitResult,
            load_findings: list[Finding]) -> None:
    """The pair's findings, scores and relaxations replace theirs in the site; pages that link to an anchor of
    the pair whose ids changed have their link findings made again."""
    site = result.site
    sources = {str(page.source) for page in pair}
    found = [*settings.findings, *unit.findings,
             *checks.relink(site, pair, files, settings, result.ids, unit.links)]
    kept = [f for f in site.findings if f.file not in sources]
    referrers = pages_linking_to_changed_ids(site, pair, files, result.files)
    if referrers:
        relinked = {str(page.source) for page in referrers}
        kept = [f for f in kept if not (f.file in relinked and f.check.startswith("links."))]
        kept.extend(checks.relink(site, referrers, files, settings, result.ids))
    site.findings[:] = kept + load_findings + sorted(set(f for f in found if f.file in sources))
    for source in sources:
        site.scores.pop(source, None)
    site.scores.update({k: v for k, v in unit.scores.items() if k in sources})
    site.relaxations = [r for r in site.relaxations if r.get("file") not in sources] + settings.relaxations


def pages_linking_to_changed_ids(site: Site, pair: list[Page], files: dict, old_files: dict) -> list[Page]:
    """Other pages with a link to `url#...` of a pair page whose ids changed: their anchors may now be wrong."""
    changed = [page for page in pair if ID_ATTRIBUTE.findall(built_text(old_files.get(page.output_path)))
               != ID_ATTRIBUTE.findall(built_text(files[page.output_path]))]
    if not changed:
        return []
    needles = [f"{page.url}#" for page in changed]
    return [page for page in site.pages if page not in pair
            and any(needle in built_text(files.get(page.output_path)) for needle in needles)]


def publication_views(result: BuildResult, pair: list[Page]) -> dict[PurePosixPath, Later]:
    """The one-page views of the pair's publications, to make when asked for. They are the only site files
    made from the pages' text; the others show only settings, and a change of settings rebuilds all."""
    site, renderer = result.site, result.renderer
    publications = {page.publication() for page in pair} - {None}
    publications |= {page.counterpart for page in publications if page.counterpart}
    paths = [output_path(url) for url in map(whole_publication_url, publications) if url]
    if not paths:
        return {}

    def render() -> dict:
        only = copy.copy(renderer)  # the same templates, over these publications only
        only.site = dataclasses.replace(site, pages=sorted(publications, key=site.pages.index))
        return {view.output_path: view.output for view in render_whole_publications(only)}

    views = Later(render)
    return {path: Later(lambda path=path: views.get()[path]) for path in paths}


def refresh_media(result: BuildResult, paths: list[str]) -> BuildResult:
    """New bytes for edited pictures and files the pages link to (files no page links to are not published)."""
    wanted = {os.path.realpath(path) for path in paths}
    files = dict(result.files)
    for page in result.site.pages:
        for output, source in (page.env.get("media") or {}).items():
            if os.path.realpath(source) in wanted:
                try:
                    files[output] = read_regular(source)
                except OSError as err:
                    raise ContentError(source, None, f"this file cannot be read ({err.strerror}); "
                                                     "check that it exists") from None
    return dataclasses.replace(result, files=files)


def index_built_site(result: BuildResult, cache: BuildCache | None) -> search.SearchIndex:
    """The search index of a site built without one (build_site's `search_index` off), its pages given in the
    order build_site gives them, so it is the same index, byte for byte; made after the pages, not beside them."""
    site = result.site
    index = search.SearchIndex(len(site.pages), cache, index_key(result.site_key))
    try:
        for unit in translation_units(site):
            for page in unit:
                index.add(page.output_path, built_bytes(result.files[page.output_path]))
        index_site_files(index, site, result.files)
    except BaseException:
        index.stop()
        raise
    return index


def publish(result: BuildResult, out: Path | None = None, search_index: bool = True) -> list[str]:
    """Write the built site into `out` (the project's output folder unless given), atomically, after making
    sure it is safe to replace. Returns the files of the folder clair does not make but keeps (`CNAME`).

    With `search_index`, the search index build_site started (or one started now, `index_built_site`) is
    finished while the other files are written, and written with them (clair/search.py). With a cache, the
    site's digest says whether anything changed since the last write to the folder."""
    project = result.site.project
    out, cache = out or project.out, usable_folder(project)
    index = None
    try:
        check_output_folder(out, project)
        if search_index:
            index = result.search or index_built_site(result, open_cache(project))
        started = time.perf_counter()
        written = write_site(out, result.files, project.asset_files, record=written_record(cache, out) if cache else None,
                             index=functools.partial(finished_index, index, result.timings) if index else None)
    finally:
        if index is not None:
            index.stop()
    result.site_digest = written.digest
    result.timings.seconds["write"] = time.perf_counter() - started - result.timings.seconds.get("search index", 0)
    if not written.wrote:
        result.timings.notes["write"] = f"nothing changed: {out} was left as it was"
    return kept_files(out)


def finished_index(index: search.SearchIndex, timings: Timings) -> dict[PurePosixPath, bytes]:
    """The index's files, once Pagefind is done (the wait is timed: what writing the other files did not hide)."""
    with timings.stage("search index"):
        files = index.finish()
    timings.notes["search index"] = "from the cache" if index.from_cache else "made while the pages rendered"
    return files
