"""Serve stage (the preview's rebuild on save): watch the sources, sort what changed, ask the pipeline to rebuild.

The watcher polls the modification time, size and inode of every file under the content, templates
and data folders and of the configuration file itself, about every 100 ms, in a daemon thread
(standard library only; on large sites the interval grows to four times the scan's cost). Editors'
scratch files (`x.md~`, `.x.md.swp`, `#x.md#`, vim's `4913`) and hidden files are ignored, as the
build ignores them. A change waits until the files stop changing (25 ms), then `Builder.rebuild`
sorts the changes since the last good build and asks the pipeline (clair/pipeline.py) for the least
work that gives the same result as a full build:

- pages whose text changed (at most MAX_INCREMENTAL_PAGES, none added or removed): `update_pages`,
  which builds each page and its translation again (and the link checks of pages leading to their
  anchors), or says a full rebuild is needed when the change reaches other pages;
- a picture or file pages link to: `refresh_media` takes its new bytes;
- a file in the templates' assets that already existed: the assets are read again;
- anything else (a template, `messages.yaml`, data, the configuration, a file added or removed):
  a full in-memory rebuild with `build_site`, from the build cache.

A rebuild that meets bad content (ContentError or ContentErrors) keeps the last good build and reports
the errors; the next rebuild starts again from the last good build and everything changed since.
"""
from __future__ import annotations

import dataclasses
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from .model import ContentError, ContentErrors, Finding
from .pipeline import BuildResult, FullRebuild, Later, build_site, refresh_media, update_pages
from .project import Project
from .report import summary_line

POLL_SECONDS = 0.1  # how often the sources are scanned (at least; see Watcher.interval)
SETTLE_SECONDS = 0.025  # a change is built once the files have not changed for this long
MAX_SETTLE_SECONDS = 2.0  # ...or after this long, if something keeps writing
MAX_INCREMENTAL_PAGES = 10  # more pages changed at once (a `git checkout`): rebuild everything
SCRATCH = re.compile(r"(~|\.swp|\.swx|\.swo|\.tmp|\.part|\.crdownload)\Z|^(#.*#|4913)\Z")  # editors' temporary files

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

    files: Mapping[PurePosixPath, str | bytes | Later]  # built files and static assets
    sources: Mapping[PurePosixPath, str]  # output path of each content page -> its Markdown file
    findings: Mapping[str, tuple[Finding, ...]]  # by file, for the page banners
    errors: tuple[Finding, ...]  # why the last rebuild failed; empty when the files are up to date
    generation: str  # changes after every rebuild: open pages reload when it does
    built: bool  # False until a first build succeeded
    base_path: str = "/"  # the site's addresses are published under it (clair/urls.py); the preview takes both


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


class Builder:
    """Holds the last good build and brings it up to date with the sources, through the pipeline's own
    full build (`build_site`) and page update (`update_pages`)."""

    def __init__(self, project: Project, run_checks: bool = True, jobs: int = 1):
        self.project = project
        self.run_checks, self.jobs = run_checks, jobs  # full builds render in `jobs` processes
        self.result: BuildResult | None = None
        self.good_scan: dict[str, Stat] = {}  # the sources the last good build was made from
        self.errors: list[Finding] = []
        self.assets = read_assets(project.asset_files)

    def scan(self) -> dict[str, Stat]:
        project = self.project
        return scan([project.content, *project.template_folders, project.data], [project.config])

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
            self.assets = read_assets(self.project.asset_files)
            outcome.kind = "assets"
        if media:
            self.result = refresh_media(self.result, media)
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
        for path, change in sorted(changes.items()):
            where = Path(path)
            if change == "modified" and is_under(where, self.project.content):
                (pages if where.suffix == ".md" else media).append(path)
            elif change == "modified" and any(is_under(where, folder / "assets")
                                              for folder in self.project.template_folders):
                assets.append(path)
            else:
                others.append(path)
        if len(pages) > MAX_INCREMENTAL_PAGES:
            others.extend(pages)
        return pages, media, assets, others

    def full(self, outcome: Outcome) -> None:
        outcome.kind = "full"
        self.result = build_site(self.project, run_checks=self.run_checks, jobs=self.jobs)
        self.assets = read_assets(self.project.asset_files)
        edited = {path for path in outcome.changed if path.endswith(".md")}
        outcome.findings = [f for f in self.result.findings if f.file in edited]
        outcome.summary = f"{len(self.result.site.pages)} pages, {summary_line(self.result.findings)}"

    def update_pages(self, paths: list[str], outcome: Outcome) -> None:
        """The edited pages and their translations built again (FullRebuild when the edit reaches other pages)."""
        self.result, pair = update_pages(self.result, paths)
        sources = {str(page.source) for page in pair}
        outcome.kind = "pages"
        outcome.pages = [str(page.source) for page in pair]
        outcome.findings = [f for f in self.result.findings if f.file in sources]

    # --- what the server shows ------------------------------------------------------------------------

    def snapshot(self, generation: str) -> Snapshot:
        if self.result is None:
            return Snapshot(dict(self.assets), {}, {}, tuple(self.errors), generation, built=False)
        by_file: dict[str, list[Finding]] = {}
        for finding in self.result.findings:
            by_file.setdefault(finding.file, []).append(finding)
        return Snapshot(
            files={**self.result.files, **self.assets},
            sources={page.output_path: str(page.source) for page in self.result.site.pages},
            findings={file: tuple(sorted(items, key=lambda f: (f.line, f.column or 0, f.check)))
                      for file, items in by_file.items()},
            errors=tuple(self.errors),
            generation=generation,
            built=True,
            base_path=self.result.site.config.urls.base_path,
        )


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


def is_under(path: Path, folder: Path) -> bool:
    return folder == path or folder in path.parents


def read_assets(files: dict[str, Path]) -> dict[PurePosixPath, bytes]:
    """The static files of templates/assets/ (`Project.asset_files`), as the build copies them to /assets/."""
    return {PurePosixPath("assets", name): path.read_bytes() for name, path in files.items()}


def as_finding(err: ContentError) -> Finding:
    return Finding(err.file, err.line or 1, "content.load", "error", err.message)
