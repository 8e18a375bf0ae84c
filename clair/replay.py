"""Build cache: a build or check with nothing changed since the last one shows that run's outcome again.

Before anything is loaded, a hash is made of every byte the run depends on: each file of the content
folder (hidden ones apart: loading skips them), the configuration, templates, data, the files the
checks read besides those (the team's word lists: the ones the last run read), clair's code, the
libraries' versions, how clair was started, Pagefind (when the run indexes search), the git commit
the content is at and which files differ from it (what parity.stale reads of the history: history.py
`git_state`), and where each link in the content folder leads (loading refuses them). When that hash is the one the last
successful run of the same command recorded, and (for `build`) the output folder is exactly as that
run left it, nothing is loaded, rendered, checked or written: the findings, the pages' scores and the
page count it recorded go through the same reporter, so every format, `--strict` and `--baseline`
work as after a full build. Anything else (a byte changed, a file added, a record missing, damaged or
from another version of clair) runs the whole pipeline, which uses the unit cache (clair/cache.py) and
loads the pages from the bytes the hash read (each file is read once, and the run loads what it hashed).

Records are kept beside the cache's entries (`replay/`), one per kind of run (command, checks or not,
search or not, project and output folder), in the cache's own checked format: data, never code.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .cache import ENTRY_NAME, BuildCache, digest_file, digest_setting, usable_folder
from .files import TEXT_FILE_LIMIT, walk
from .history import git_state
from .model import Finding
from .project import Project
from .shape import JSON, Fields, Shape
from .write import WrittenSite, remove_leftovers, written_record

FORMAT = b"clair-replay-1"
KEPT_RECORDS = 16  # kinds of run remembered per cache folder (builds into a few folders, check, previews...)
RECORD = Shape(Fields(inputs=str, other_inputs=[str], site=str, findings=[JSON], scores={str: JSON}, pages=int))


@dataclass
class Outcome:
    """What a run printed and decided from: its findings, the pages' scores and how many pages it built."""

    findings: list[Finding]
    scores: dict[str, dict]
    pages: int


@dataclass(frozen=True)
class Run:
    """One kind of run: what it does (`build` or `check`, with or without checks and search) on which project,
    into which folder. Each kind keeps its own record."""

    project: Project
    command: str
    run_checks: bool
    search_index: bool

    @property
    def name(self) -> str:
        """The record's key: a hash of the kind of run (paths in full: records never move between machines; the
        output folder only for `build`, the one command that writes)."""
        project = self.project
        out = [project.out] if self.command == "build" else []
        kind = [self.command, self.run_checks, self.search_index, *(str(path.resolve()) for path in (
            project.root, project.content, project.config, *out, *project.template_folders))]
        return "replay-" + hashlib.sha256(json.dumps(kind).encode()).hexdigest()


class Replay:
    """The record of the last successful run of one kind, and the hash of the inputs as they are now."""

    def __init__(self, run: Run, cache: Path):
        self.run, self.store = run, BuildCache(cache, "replay")
        self.record = self.store.get(run.name, lambda data, _: RECORD.conform(data))
        self.other_inputs = [Path(path) for path in self.record["other_inputs"]] if self.record else []
        self.page_bytes: dict[str, bytes] = {}  # the pages' bytes the hash read, for loading (`digest_content`)
        # before the run: an edit during it is seen next time, and the run loads the very bytes hashed
        self.inputs = inputs_digest(run, self.other_inputs, self.page_bytes)

    @classmethod
    def open(cls, run: Run) -> Replay | None:
        """The run's replay; None without a usable build cache."""
        cache = usable_folder(run.project)
        return cls(run, cache) if cache else None

    def recorded(self) -> Outcome | None:
        """The last run's outcome if nothing it depends on changed since (and its site is still in place)."""
        record = self.record
        if record is None or record["inputs"] != self.inputs:
            return None
        if self.run.command == "build" and not self.site_in_place(record["site"]):
            return None
        try:
            findings = [Finding.from_data(data) for data in record["findings"]]
        except ValueError:  # Damaged
            return None
        return Outcome(findings, record["scores"], record["pages"])

    def site_in_place(self, digest: str) -> bool:
        """The output folder holds the site the last build wrote, untouched (clair/write.py `WrittenSite`).
        On the way, the folders a killed build left beside it go, as in any build that has nothing to write;
        when they cannot, the whole pipeline runs and says why."""
        out = self.run.project.out.resolve()
        try:
            remove_leftovers(out)
        except OSError:
            return False
        return WrittenSite(written_record(self.store.root, out), out, digest).still_there()

    def save(self, outcome: Outcome, other_inputs: list[Path], site_digest: str | None) -> None:
        """Record a successful run's outcome under the inputs' hash made before it. When the checks read other
        files than the hash covered (the word lists changed), the record keeps their names but no hash: the
        next run hashes them and runs in full, then records."""
        inputs = self.inputs if list(other_inputs) == self.other_inputs else ""
        record = {"inputs": inputs, "other_inputs": [str(path) for path in other_inputs], "site": site_digest or "",
                  "findings": [finding.to_data() for finding in outcome.findings], "scores": outcome.scores,
                  "pages": outcome.pages}
        self.store.put(self.run.name, record)
        self.forget_oldest()

    def forget_oldest(self) -> None:
        """Keep the records of the KEPT_RECORDS kinds of run recorded last (this one among them), so builds into
        many temporary folders do not fill the cache; only files clair wrote are removed (BuildCache.prune)."""
        try:
            records = sorted((entry for entry in os.scandir(self.store.folder) if ENTRY_NAME.match(entry.name)),
                             key=lambda entry: entry.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
        except OSError:
            return
        self.store.keep(entry.name for entry in records[:KEPT_RECORDS])
        self.store.prune()


def inputs_digest(run: Run, other_inputs: list[Path], page_bytes: dict[str, bytes]) -> str:
    """The hash of every byte a run of this kind depends on (the module's docstring lists them); the pages'
    bytes go to `page_bytes` on the way."""
    project = run.project
    digest = hashlib.sha256(FORMAT + run.name.encode())
    digest_setting(digest, project, other_inputs)
    digest_link(digest, project.data)
    digest_content(digest, project.content, page_bytes)
    if run.search_index:
        from .search import fingerprint  # only runs that index search start Pagefind's module
        digest.update(fingerprint())
    if run.run_checks:
        digest.update(git_state(project.content))
    return digest.hexdigest()


def digest_content(digest, content: Path, page_bytes: dict[str, bytes]) -> None:
    """Add every file of the content folder loading reads (hidden files and folders apart): names and bytes,
    and where each link (symlink) leads, since loading refuses links: a link added is an error to report.
    The pages' (Markdown files') bytes go to `page_bytes` too, by path inside the folder (`en/a/b.md`), so
    loading reads each file once (clair/load.py)."""
    digest_link(digest, content)
    for inside, folders, files in walk(content):  # a folder that cannot be read: loading says so
        for entry in folders:
            digest.update(f"{inside}{entry.name}/\0".encode())
            digest_link(digest, entry)
        for entry in files:
            name = f"{inside}{entry.name}"
            digest.update(name.encode() + b"\0")
            digest_link(digest, entry)
            kept = digest_file(digest, entry.path, keep=TEXT_FILE_LIMIT if name.endswith(".md") else 0)
            if kept is not None:
                page_bytes[name] = kept


def digest_link(digest, path: Path | os.DirEntry) -> None:
    """Add where `path` leads if it is a link (symlink): no link to a folder is followed."""
    if path.is_symlink():
        digest.update(b"link\0" + os.fsencode(os.readlink(path)) + b"\0")
