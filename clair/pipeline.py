"""The pipeline, top to bottom: load -> pair -> render -> check -> write -> report."""
from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import search
from .cache import BuildCache, site_key, unit_key
from .config import load_config
from .load import load_site
from .markdown import media_files
from .model import ContentError, ContentErrors, Finding, Site
from .pair import pair_translations
from .render import TEMPLATES_DIR, Renderer
from .units import UnitResult, UnitWork, Workers, translation_units
from .write import check_output_folder, site_digest, write_site


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
    files: dict[PurePosixPath, str | bytes] = field(default_factory=dict)  # pages as UTF-8 bytes (Page.output)
    timings: Timings = field(default_factory=Timings)
    renderer: Renderer | None = None  # serve re-renders edited pages with it

    @property
    def findings(self) -> list[Finding]:
        return self.site.findings


def build_site(content_dir: Path, config_path: Path, run_checks: bool = True,
               templates_dir: Path = TEMPLATES_DIR, jobs: int = 1, cache: Path | None = None,
               keep_tokens: bool = False) -> BuildResult:
    """Load, pair, render and (optionally) check a site in memory; raises ContentErrors on bad input.

    Pages are rendered and checked a translation unit at a time (clair/units.py), in `jobs` worker
    processes, reusing the results kept in the `cache` folder (clair/cache.py) when nothing they
    depend on changed. Neither changes the result: it is the same, byte for byte, as a serial build.
    The site files, site-wide findings and report are kept too, under all the units' keys together.
    Pages keep no tokens afterwards (memory stays flat), unless `keep_tokens` (serial builds: tests)."""
    timings = Timings()
    with timings.stage("load"):
        site = load_site(content_dir, load_config(config_path))
        pair_translations(site)
        renderer = Renderer(site, templates_dir)
        for page in site.pages:
            renderer.typeset_meta(page)  # before any page renders: pages show other pages' titles
        settings = check_settings(site) if run_checks else None
    units = translation_units(site)
    store = BuildCache(cache) if cache else None
    work = UnitWork(site, renderer, units, settings, keep_tokens)
    jobs = 1 if keep_tokens else jobs
    with Workers(work, jobs) as workers:
        with timings.stage("pages"):
            results, built, keys = unit_results(work, workers, store, templates_dir, run_checks)
            apply_results(site, renderer, units, results)
        timings.notes["pages"] = (f"{len(units)} pages with their translations: {built} built in {jobs} "
                                  f"process{'es' * (jobs > 1)}, {len(units) - built} from the cache")
        files = site_level(site, renderer, units, results, keys, settings, store, workers, timings)
    if store is not None:
        store.prune()
    return BuildResult(site, files, timings, renderer)


def apply_results(site: Site, renderer: Renderer, units: list, results: list[UnitResult]) -> None:
    """Give each page what rendering it produced; raise every content error found, all at once."""
    errors = list(renderer.library.errors)
    for unit, result in zip(units, results):
        for page, rendered in zip(unit, result.pages):
            rendered.apply(page)
        errors.extend(ContentError(*error) for error in result.errors)
    if errors:
        raise ContentErrors(errors)


@dataclass
class SiteLevel:
    """What the whole site makes besides its pages: kept in the cache under every unit's key together,
    which covers all it depends on (so a no-change rebuild renders and checks nothing)."""

    generated: dict[PurePosixPath, str]  # the files the templates make besides the pages
    findings: list[Finding]  # the site-wide checks' findings
    report: str | None  # the reviewer's report (with checks)
    entries: list[str]  # the cache entries it was made from, kept with it for the next edit


def site_level(site: Site, renderer: Renderer, units: list, results: list[UnitResult], keys: list[str], settings,
               store: BuildCache | None, workers: Workers, timings: Timings) -> dict[PurePosixPath, str | bytes]:
    """Every file to write, with the site files, the site-wide findings and the report made or taken from the cache."""
    key = "site-" + hashlib.sha256("".join(keys).encode()).hexdigest() if store and keys else None
    kept = store.get(key) if key else None
    kept = kept if isinstance(kept, SiteLevel) else None
    read_before = set(store.used) if store else set()
    with timings.stage("site files"):
        generated = kept.generated if kept else renderer.render_site_files(chapters(units, results))
        files = site_files(site, results, generated)
    report, found = None, []
    if settings is not None:
        with timings.stage("site checks"):
            found = kept.findings if kept else site_findings(site, files, settings, results, store, workers)
            site.findings.extend(sorted({*(f for result in results for f in result.findings), *found}))
        site.scores.update(sorted((name, value) for result in results for name, value in result.scores.items()))
        report = kept.report if kept else renderer.render_review()
        files[PurePosixPath("report/index.html")] = report
    if kept:
        store.keep(kept.entries)  # an edit next time needs most of them again
    elif key:
        store.put(key, SiteLevel(generated, found, report, sorted(store.used - read_before)))
    return files


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
    for result in results:
        files.update(result.extra_files)  # files pages produce besides their HTML: matrix CSVs
    return files


def check_settings(site: Site):
    """The options of every check for every page; relaxations without a reason are findings."""
    from checks import Settings, all_defaults

    settings = Settings(site, all_defaults())
    site.relaxations = settings.relaxations
    return settings


def unit_results(work: UnitWork, workers: Workers, cache: BuildCache | None, templates_dir: Path,
                 run_checks: bool) -> tuple[list[UnitResult], int, list[str]]:
    """Every unit's result, from the cache where its key is there, built (by the workers) otherwise;
    how many were built; and the units' keys (none without a cache)."""
    results: list[UnitResult | None] = [None] * len(work.units)
    keys = []
    if cache is not None:
        inputs = []
        if run_checks:
            from checks import files_read

            inputs = files_read(work.site)
        base = site_key(work.site, templates_dir, work.renderer.data_dir, run_checks, inputs)
        keys = [unit_key(base, unit) for unit in work.units]
        results = [cache.get(key) for key in keys]
    missing = [index for index, result in enumerate(results) if result is None]
    for index, result in workers.units(missing):
        results[index] = result
        if cache is not None and not result.errors:
            cache.put(keys[index], result)
    return results, len(missing), keys


def site_findings(site: Site, files: dict, settings, results: list[UnitResult], cache: BuildCache | None,
                  workers: Workers) -> list[Finding]:
    """The site-wide findings: links between files, data, templates."""
    from checks import run_site

    extracted = {path: links for result in results for path, links in result.links.items()}
    pages = {page.output_path for page in site.pages}
    others = [path for path in files if path.suffix == ".html" and path not in pages]
    extracted.update(zip(others, site_file_links([files[path] for path in others], cache, workers)))
    return list(run_site(site, files, settings, extracted))


def site_file_links(texts: list[str], cache: BuildCache | None, workers: Workers) -> list:
    """What the link check needs of the files that are no content pages (splash, 404, search, whole
    publications): from the cache by their text's hash, else read by the workers."""
    from checks import extract_site_links

    keys = ["file-" + hashlib.sha256(text.encode()).hexdigest() for text in texts]
    found = [cache.get(key) for key in keys] if cache else [None] * len(texts)
    missing = [index for index, links in enumerate(found) if links is None]
    for index, links in zip(missing, workers.map(extract_site_links, [texts[i] for i in missing])):
        found[index] = links
        if cache:
            cache.put(keys[index], links)
    return found


def publish(result: BuildResult, out: Path, project_dir: Path, templates_dir: Path = TEMPLATES_DIR,
            search_index: bool = True, cache: Path | None = None) -> None:
    """Write the built site into `out`, atomically, after making sure `out` is safe to replace.

    With `search_index`, Pagefind indexes the written site before it is swapped in (clair/search.py).
    With a `cache`, the site's digest says whether anything changed since the last write to `out`, and
    is the key of the search index kept in the cache."""
    check_output_folder(out, result.site.content_dir, project_dir)
    started = time.perf_counter()
    assets = templates_dir / "assets"
    fingerprint = search.fingerprint() if search_index else b"no search index"
    digest = site_digest(result.files, assets, fingerprint) if cache else None

    def index(folder: Path) -> None:
        with result.timings.stage("search index"):
            search.build_index(folder, cache=cache, key=digest)

    record = cache / "written" / (hashlib.sha256(str(out.resolve()).encode()).hexdigest() + ".json") if cache else None
    wrote = write_site(out, result.files, assets, before_swap=index if search_index else None,
                       record=record, digest=digest)
    result.timings.seconds["write"] = time.perf_counter() - started - result.timings.seconds.get("search index", 0)
    if not wrote:
        result.timings.notes["write"] = f"nothing changed: {out} was left as it was"
