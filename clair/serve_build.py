"""What `serve` rebuilds, and when: watch the sources, rebuild in memory, never lose the last good build.

The watcher polls the modification time, size and inode of every file under `content/`, `templates/`
and `data/` (beside the configuration) and of the configuration file itself, about every 100 ms, in a
daemon thread (standard library only; on large sites the interval grows to four times the scan's
cost). Editors' scratch files (`x.md~`, `.x.md.swp`, `#x.md#`, vim's `4913`) and hidden files are
ignored, as the build ignores them. A change waits until the files stop changing (25 ms), then
`Builder.rebuild` compares the sources with those of the last good build and does the least work
that gives the same result as a full build:

- pages whose text changed (at most MAX_INCREMENTAL_PAGES, none added or removed): each page and its
  translation are read, parsed and rendered again, and only they are checked again (the link checks
  read only the targets they need; pages whose links point at an `#anchor` of a page whose ids
  changed have their links checked again too). Then the site-wide files (home listings aside, these are
  the sitemap, 404 pages, glossary and whatever `Renderer.render_site_files` makes) and the review
  report are rendered again. If the settings block of a page changed in a way other pages show (title,
  description, slug, weight, layout, translation_key, date, any unknown key), it is a full rebuild;
- a picture or file pages link to: its new bytes replace the old ones;
- a file in `templates/assets/` that already existed: the assets are read again;
- anything else (a template, `messages.yaml`, `data/`, the configuration, a file added or removed):
  a full in-memory rebuild with `build_site`.

A rebuild that meets bad content (ContentError or ContentErrors) keeps the last good build and reports
the errors; the next rebuild starts again from the last good build and everything changed since.
"""
from __future__ import annotations

import copy
import dataclasses
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .cache import cache_folder
from .load import load_page
from .markdown import media_files
from .model import ContentError, ContentErrors, Finding, Page, built_text
from .pipeline import BuildResult, build_site
from .render import TEMPLATES_DIR, Renderer
from .units import usable_cpus
from .report import summary_line

POLL_SECONDS = 0.1  # how often the sources are scanned (at least; see Watcher.interval)
SETTLE_SECONDS = 0.025  # a change is built once the files have not changed for this long
MAX_SETTLE_SECONDS = 2.0  # ...or after this long, if something keeps writing
MAX_INCREMENTAL_PAGES = 10  # more pages changed at once (a `git checkout`): rebuild everything
PAGE_LOCAL_KEYS = frozenset({"modified", "translated_from", "checks"})  # settings no other page shows
SCRATCH = re.compile(r"(~|\.swp|\.swx|\.swo|\.tmp|\.part|\.crdownload)$|^(#.*#|4913)$")  # editors' temporary files
REPORT_PATH = PurePosixPath("report/index.html")
ID_ATTRIBUTE = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")  # enough to tell whether a page's ids changed

Stat = tuple[int, int, int]  # mtime (ns), size, inode


def scan(folders: list[Path], files: list[Path]) -> dict[str, Stat]:
    """Path -> (mtime, size, inode) of every file under the folders, and of the single files."""
    found: dict[str, Stat] = {}

    def walk(folder: str) -> None:
        try:
            entries = os.scandir(folder)
        except OSError:
            return
        with entries:
            for entry in entries:
                if entry.name.startswith(".") or SCRATCH.search(entry.name):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        walk(entry.path)
                        continue
                    info = entry.stat()
                except OSError:  # a link leading nowhere: the build reports it, so it counts as a file
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                found[entry.path] = (info.st_mtime_ns, info.st_size, info.st_ino)

    for folder in folders:
        walk(str(folder))
    for file in files:
        try:
            info = os.stat(file)
        except OSError:
            continue
        found[str(file)] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def stat_of(path: str) -> Stat | None:
    """(mtime, size, inode) of one file as `scan` records it, or None when it is gone."""
    try:
        info = os.stat(path)
    except OSError:
        try:
            info = os.lstat(path)
        except OSError:
            return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def differences(before: Mapping[str, Stat], after: Mapping[str, Stat]) -> dict[str, str]:
    """Path -> "added", "removed" or "modified"."""
    changes = {path: "removed" for path in before.keys() - after.keys()}
    for path, stat in after.items():
        if path not in before:
            changes[path] = "added"
        elif before[path] != stat:
            changes[path] = "modified"
    return changes


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Everything the server shows, replaced whole after every rebuild (handlers never see half a build)."""

    files: Mapping[PurePosixPath, str | bytes | Lazy]  # built files and static assets
    sources: Mapping[PurePosixPath, str]  # output path of each content page -> its Markdown file
    findings: Mapping[str, tuple[Finding, ...]]  # by file, for the page banners
    errors: tuple[Finding, ...]  # why the last rebuild failed; empty when the files are up to date
    generation: str  # changes after every rebuild: open pages reload when it does
    built: bool  # False until a first build succeeded


@dataclasses.dataclass
class Outcome:
    """What a rebuild did, for the terminal."""

    kind: str  # "full", "pages", "media", "assets", "nothing"
    seconds: float
    changed: list[str]  # the changed source files
    pages: list[str] = dataclasses.field(default_factory=list)  # Markdown files built and checked again
    findings: list[Finding] = dataclasses.field(default_factory=list)  # the findings of those pages
    errors: list[Finding] = dataclasses.field(default_factory=list)  # why it failed (the last good build is kept)
    reason: str = ""  # why a full rebuild was needed
    summary: str = ""  # after a full build: the findings' count line


class FullRebuild(Exception):
    """The change reaches beyond the edited pages: rebuild everything."""


class Builder:
    """Holds the last good build and brings it up to date with the sources."""

    def __init__(self, content_dir: Path, config_path: Path, run_checks: bool = True,
                 templates_dir: Path = TEMPLATES_DIR):
        self.content_dir = Path(content_dir)
        self.config_path = Path(config_path)
        self.templates_dir = Path(templates_dir)
        self.data_dir = self.config_path.parent / "data"
        self.run_checks = run_checks
        self.result: BuildResult | None = None
        self.renderer: Renderer | None = None
        self.good_scan: dict[str, Stat] = {}  # the sources the last good build was made from
        self.errors: list[Finding] = []
        self.assets = read_assets(self.templates_dir / "assets")
        self.ids_cache: dict[PurePosixPath, tuple[str, set[str]]] = {}
        self.lazy: dict[PurePosixPath, Lazy] = {}  # files rendered again only when the browser asks for them

    def scan(self) -> dict[str, Stat]:
        return scan([self.content_dir, self.templates_dir, self.data_dir], [self.config_path])

    # --- planning -------------------------------------------------------------------------------------

    def rebuild(self, now: dict[str, Stat]) -> Outcome:
        """Bring the build up to date with the sources as scanned in `now`; errors end up in the Outcome."""
        started = time.perf_counter()
        changes = differences(self.good_scan, now) if self.result else {}
        outcome = Outcome("nothing", 0.0, sorted(changes))
        try:
            self.apply(changes, outcome)
            self.good_scan, self.errors = now, []
        except ContentErrors as errs:
            self.errors = [as_finding(err) for err in errs.errors]
        except ContentError as err:
            self.errors = [as_finding(err)]
        except Exception as err:  # a bug in clair, not in the content: keep serving, say what broke
            traceback.print_exc()
            self.errors = [Finding("clair", 1, "serve.internal", "error",
                                   f"clair failed while building ({type(err).__name__}: {err}); "
                                   "the traceback is in the terminal")]
        outcome.errors = list(self.errors)
        outcome.seconds = time.perf_counter() - started
        return outcome

    def apply(self, changes: dict[str, str], outcome: Outcome) -> None:
        if self.result is None:
            outcome.reason = "first build"
            return self.full(outcome)
        pages, media, assets, others = self.sort_changes(changes)
        if others:
            more = f" (and {len(others) - 1} more)" if others[1:] else ""
            outcome.reason = f"{others[0]} {changes[others[0]]}{more}"
            return self.full(outcome)
        if assets:
            self.assets = read_assets(self.templates_dir / "assets")
            outcome.kind = "assets"
        if media:
            self.refresh_media(media)
            outcome.kind = "media"
        if pages:
            try:
                self.update_pages(pages, outcome)
            except FullRebuild as why:
                outcome.reason = str(why)
                self.full(outcome)

    def sort_changes(self, changes: dict[str, str]) -> tuple[list[str], list[str], list[str], list[str]]:
        """(edited pages, edited content files, edited assets, changes that need a full rebuild)."""
        pages, media, assets, others = [], [], [], []
        content, asset_dir = self.content_dir, self.templates_dir / "assets"
        for path, change in sorted(changes.items()):
            where = Path(path)
            if change == "modified" and is_under(where, content):
                (pages if where.suffix == ".md" else media).append(path)
            elif change == "modified" and is_under(where, asset_dir):
                assets.append(path)
            else:
                others.append(path)
        if len(pages) > MAX_INCREMENTAL_PAGES:
            others.extend(pages)
        return pages, media, assets, others

    # --- full build -----------------------------------------------------------------------------------

    def full(self, outcome: Outcome) -> None:
        outcome.kind = "full"
        result = build_site(self.content_dir, self.config_path, run_checks=self.run_checks,
                            templates_dir=self.templates_dir, jobs=usable_cpus(), cache=cache_folder(self.config_path))
        self.result, self.renderer = result, result.renderer  # the renderer is kept to re-render pages one by one
        self.assets = read_assets(self.templates_dir / "assets")
        self.ids_cache.clear()
        self.lazy = {}
        edited = {path for path in outcome.changed if path.endswith(".md")}
        outcome.findings = [f for f in result.findings if f.file in edited]
        outcome.summary = f"{len(result.site.pages)} pages, {summary_line(result.findings)}"

    # --- pages, one by one ----------------------------------------------------------------------------

    def update_pages(self, paths: list[str], outcome: Outcome) -> None:
        """Read, parse, render and check again the edited pages and their translations.

        Raises FullRebuild when the change reaches other pages; on any error the pages are left as they were.
        """
        site, renderer = self.result.site, self.renderer
        by_source = {str(page.source): page for page in site.pages}
        edited = [by_source.get(path) for path in paths]
        if None in edited:
            raise FullRebuild(f"{paths[edited.index(None)]} is not a page of the last build")
        pair = list(dict.fromkeys([*edited, *(p.counterpart for p in edited if p.counterpart)]))
        pair.sort(key=site.pages.index)
        saved = {page: dict(vars(page)) for page in pair}
        old_files = self.result.files
        try:
            load_findings: list[Finding] = []
            for page in pair:
                fresh = load_page(page.source, site.content_dir, load_findings)
                if fresh is None:
                    raise FullRebuild(f"{page.source} is no longer a page")
                page.meta, page.meta_lines, page.body, page.body_line = (fresh.meta, fresh.meta_lines, fresh.body,
                                                                         fresh.body_line)
                renderer.parse_page(page)
                if shown_settings(page.meta) != shown_settings(saved[page]["meta"]):
                    raise FullRebuild(f"the settings of {page.source} changed (other pages show them)")
            if isinstance(getattr(renderer, "extra_files", None), dict):
                renderer.extra_files = {}  # files pages make besides their HTML: only the pair's are made again
            errors = []
            for page in pair:
                try:
                    renderer.render_page(page)
                except ContentError as err:
                    errors.append(err)
            if errors:
                raise ContentErrors(errors)
            files = dict(old_files)
            files.update({page.output_path: page.output_utf8 for page in pair})
            files.update(media_files(pair))
            files.update(getattr(renderer, "extra_files", None) or {})
            if self.run_checks:
                self.check_pages(pair, files, old_files, load_findings)
            else:
                sources = {str(page.source) for page in pair}
                site.findings[:] = [f for f in site.findings if f.file not in sources] + load_findings
        except BaseException:
            for page, attributes in saved.items():  # the last good build stays exactly as it was
                vars(page).clear()
                vars(page).update(attributes)
            raise
        self.result = dataclasses.replace(self.result, files=files)
        self.lazy.update(self.publication_views(pair))  # rendered when asked for: the reload does not wait
        if self.run_checks:
            self.lazy[REPORT_PATH] = Lazy(renderer.render_review)
        sources = {str(page.source) for page in pair}
        outcome.kind = "pages"
        outcome.pages = [str(page.source) for page in pair]
        outcome.findings = [f for f in site.findings if f.file in sources]

    def check_pages(self, pair: list[Page], files: dict, old_files: Mapping, load_findings: list[Finding]) -> None:
        """Run every check on the pair alone, and the link checks of pages that lead to an anchor that changed."""
        from checks import Settings, all_defaults, run_pages

        site = self.result.site
        part = dataclasses.replace(site, pages=pair, findings=[], scores={}, relaxations=[])
        settings = Settings(part, all_defaults())  # run_pages leaves out the template and data rules
        found = [*settings.findings, *run_pages(part, files, settings)]
        found.extend(f for f in self.check_links(part, files, settings) if f is not None)
        sources = {str(page.source) for page in pair}
        kept = [f for f in site.findings if f.file not in sources]
        referrers = self.pages_linking_to_changed_ids(pair, files, old_files)
        if referrers:
            relinked = {str(page.source) for page in referrers}
            part = dataclasses.replace(site, pages=referrers, findings=[], scores={}, relaxations=[])
            kept = [f for f in kept if not (f.file in relinked and f.check.startswith("links."))]
            kept.extend(f for f in self.check_links(part, files, settings) if f is not None)
        site.findings[:] = kept + load_findings + sorted(set(f for f in found if f.file in sources))
        for source in sources:
            site.scores.pop(source, None)
        site.scores.update({k: v for k, v in part.scores.items() if k in sources})
        site.relaxations = [r for r in site.relaxations if r.get("file") not in sources] + settings.relaxations

    def check_links(self, part, files: Mapping, settings) -> Iterator[Finding | None]:
        """checks.links for the given pages only: target ids are parsed when a link needs them, then cached."""
        from checks import html, links

        targets = links.Targets(urlsplit(part.config.base_url).netloc, files, {})
        targets.ids = LazyIds(files, self.ids_cache)
        for page in part.pages:
            found = links.extract(html.parse(built_text(files[page.output_path])), page)
            yield from links.check_file(targets, page.output_path, found, page, settings)

    def publication_views(self, pair: list[Page]) -> dict[PurePosixPath, Lazy]:
        """The whole-publication views (clair/onepage.py) of the pair's publications, to render when asked for.

        They are the only site files made from the pages' text; the others (sitemap, 404 pages, search
        and glossary pages, the home listings) show only settings, and a change of settings rebuilds all.
        """
        try:
            from .onepage import render_whole_publications, whole_publication_url
        except ImportError:
            return {}
        site, renderer = self.result.site, self.renderer
        publications = {page.publication() for page in pair} - {None}
        publications |= {page.counterpart for page in publications if page.counterpart}
        keys = [PurePosixPath(url.strip("/"), "index.html") for url in map(whole_publication_url, publications) if url]
        if not keys:
            return {}

        def render() -> dict:
            only = copy.copy(renderer)  # the same templates, over these publications only
            only.site = dataclasses.replace(site, pages=sorted(publications, key=site.pages.index))
            return {view.output_path: view.output for view in render_whole_publications(only)}

        views = Lazy(render)
        return {key: Lazy(lambda key=key: views.get()[key]) for key in keys}

    def pages_linking_to_changed_ids(self, pair: list[Page], files: Mapping, old_files: Mapping) -> list[Page]:
        """Other pages with a link to `url#...` of a pair page whose ids changed: their anchors may now be wrong."""
        changed = [page for page in pair if ID_ATTRIBUTE.findall(built_text(old_files.get(page.output_path)))
                   != ID_ATTRIBUTE.findall(built_text(files[page.output_path]))]
        if not changed:
            return []
        needles = [f'{page.url}#' for page in changed]
        return [page for page in self.result.site.pages if page not in pair
                and any(needle in built_text(files.get(page.output_path)) for needle in needles)]

    # --- pictures and assets --------------------------------------------------------------------------

    def refresh_media(self, paths: list[str]) -> None:
        """New bytes for pictures and files pages link to (files no page links to are not published)."""
        wanted = {os.path.realpath(path) for path in paths}
        files = dict(self.result.files)
        for page in self.result.site.pages:
            for output, source in (page.env.get("media") or {}).items():
                if os.path.realpath(source) in wanted:
                    try:
                        files[output] = Path(source).read_bytes()
                    except OSError as err:
                        raise ContentError(source, None, f"this file cannot be read ({err.strerror}); "
                                                         "check that it exists") from None
        self.result = dataclasses.replace(self.result, files=files)

    # --- what the server shows ------------------------------------------------------------------------

    def snapshot(self, generation: str) -> Snapshot:
        if self.result is None:
            return Snapshot(dict(self.assets), {}, {}, tuple(self.errors), generation, built=False)
        by_file: dict[str, list[Finding]] = {}
        for finding in self.result.findings:
            by_file.setdefault(finding.file, []).append(finding)
        return Snapshot(
            files={**self.result.files, **self.assets, **self.lazy},
            sources={page.output_path: str(page.source) for page in self.result.site.pages},
            findings={file: tuple(sorted(items, key=lambda f: (f.line, f.column or 0, f.check)))
                      for file, items in by_file.items()},
            errors=tuple(self.errors),
            generation=generation,
            built=True,
        )


class Lazy:
    """A file made when it is first asked for (once), then kept."""

    def __init__(self, make: Callable[[], str | bytes]):
        self.make, self.lock, self.value = make, threading.Lock(), None

    def get(self) -> str | bytes:
        with self.lock:
            if self.value is None:
                self.value = self.make()
            return self.value


class LazyIds:
    """The ids of built HTML files, parsed when a link first needs them and kept while the file is unchanged."""

    def __init__(self, files: Mapping, cache: dict):
        self.files, self.cache = files, cache

    def get(self, path: PurePosixPath, default=None):
        content = self.files.get(path)
        if not isinstance(content, (str, bytes)) or path.suffix != ".html":
            return default
        cached = self.cache.get(path)
        if cached is None or cached[0] is not content:
            from checks import html

            cached = (content, set(html.parse(built_text(content)).ids()))
            self.cache[path] = cached
        return cached[1]


class Watcher(threading.Thread):
    """Scans the sources in the background and calls `rebuild(scan)` once a change has settled."""

    def __init__(self, scan_sources: Callable[[], dict[str, Stat]], rebuild: Callable[[dict[str, Stat]], None],
                 seen: dict[str, Stat]):
        super().__init__(name="clair-watcher", daemon=True)
        self.scan_sources, self.rebuild, self.seen = scan_sources, rebuild, seen
        self.stopping = threading.Event()
        self.interval = POLL_SECONDS

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            started = time.perf_counter()
            now = self.scan_sources()
            self.interval = max(POLL_SECONDS, 4 * (time.perf_counter() - started))  # big sites: scan less often
            if now == self.seen:
                continue
            now = self.settle(now, list(differences(self.seen, now)))
            if self.stopping.is_set():
                return
            self.seen = now
            try:
                self.rebuild(now)
            except Exception:  # noqa: BLE001 - a bug must not stop the watching; Builder reports content errors
                traceback.print_exc()

    def settle(self, now: dict[str, Stat], changed: list[str]) -> dict[str, Stat]:
        """Wait until the changed files stop changing (an editor saving in several writes, a `git checkout`).

        Only the changed files are looked at again; anything else a burst touches, the next scan sees.
        """
        deadline = time.monotonic() + MAX_SETTLE_SECONDS
        while time.monotonic() < deadline and not self.stopping.wait(SETTLE_SECONDS):
            again = {path: stat_of(path) for path in changed}
            if all(now.get(path) == stat for path, stat in again.items()):
                break
            now = dict(now)
            for path, stat in again.items():
                if stat is None:
                    now.pop(path, None)
                else:
                    now[path] = stat
        return now

    def stop(self) -> None:
        self.stopping.set()


def shown_settings(meta: dict) -> dict:
    """The settings of a page that other pages show or depend on (title, slug, weight...)."""
    return {key: value for key, value in meta.items() if key not in PAGE_LOCAL_KEYS}


def is_under(path: Path, folder: Path) -> bool:
    return folder == path or folder in path.parents


def read_assets(folder: Path) -> dict[PurePosixPath, bytes]:
    """The static files of templates/assets/, as the build copies them to /assets/."""
    assets = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                assets[PurePosixPath("assets", path.relative_to(folder).as_posix())] = path.read_bytes()
    return assets


def as_finding(err: ContentError) -> Finding:
    return Finding(err.file, err.line or 1, "content.load", "error", err.message)
