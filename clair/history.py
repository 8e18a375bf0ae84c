"""Load stage: when each content file last changed in git, so `parity.stale` finds a French page older than its
English page with no command to run and nothing to record in the page.

A French page is stale when its English page changed later: in a commit that is not in the history
of the French page's last commit (a later commit, or one on a branch the French never saw), or in
the working folder (uncommitted edits count as the newest change of all). Pages last changed in the
same commit (a migration, an import) are up to date, and so is a French page that is itself being
edited (changed and not committed yet). When the English is, line for line, what it was at the
French page's last commit (a change undone, or only spaces and blank lines), nothing is reported.

Three git runs read the whole content folder once per build that runs the checks: `rev-parse` (is
it a repository, is the clone shallow), one `log` (each file's last commit, and the commits'
parents) and `diff HEAD --name-only` (files changed since the last commit). The English lines that
changed are read (one `git diff`) only for a French page found stale, by the check itself; the
build cache keys each unit on `stamp`, what the check reads here before that, so a new commit never
leaves an old answer in the cache.

Without git (not a repository, git not installed, nothing committed, git failing), `read_history`
gives None and `parity.stale` keeps to `translated_from`. A shallow clone (`actions/checkout`
fetches one commit unless told `fetch-depth: 0`) shows the commit at its edge as the last change of
every older file, so a French page last changed there is never called stale: git cannot tell when
it really changed. A page whose file git does not know here (not committed yet, or in another
repository) is not compared. The preview (`serve`) reads the history at each full build; a page it
rebuilds alone after a save is compared with the history read then. An English page renamed
(`git mv`) since the French page's last commit is read as wholly changed: following renames would
take one more git run per page.

Git runs with a fixed argument list (no shell), in the content folder's own repository, with
literal paths, no prompt, no optional locks, no file-system monitor, no hooks, no external diff or
text conversion: reading history runs no program a repository or a pull request could name.
"""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GIT_OPTIONS = ("-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
               "-c", "log.showSignature=false")
GIT_ENVIRONMENT = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1"}
OTHER_REPOSITORY = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")  # set inside git hooks; would point elsewhere
GIT_TIMEOUT = 120  # seconds; a repository that slow is read as no repository
COMMIT_START = re.compile(rb"\x01([0-9a-f]{40,64})\Z")  # sha-1 or sha-256
HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Commit:
    hash: str
    short: str
    date: str  # YYYY-MM-DD, the author's
    subject: str
    age: int = field(compare=False, repr=False)  # place in the log (newest first, parents after children)
    parents: tuple[str, ...] = field(default=(), compare=False, repr=False)  # among the commits the log lists
    files: list[str] = field(default_factory=list, compare=False, repr=False)  # under the content folder


@dataclass(frozen=True)
class EnglishChange:
    """What an English page changed that its French page has not followed: what `parity.stale` reports."""

    since: str  # the French page's last commit: the changed lines are counted from it
    commit: Commit | None  # the English page's last commit, when it is later than `since`
    uncommitted: bool  # the English file has changes not committed yet
    lines: tuple[int, ...] | None = None  # the English file's current lines that changed; None: not read


class History:
    """Each content file's last commit, the files changed since the last commit, and a shallow clone's edge."""

    def __init__(self, content: Path, graph: dict[str, Commit], modified: set[str], edges: set[str]):
        self.content, self.graph, self.modified, self.edges = content, graph, modified, edges
        self.commits = last_commits(graph)  # file name -> its last commit

    def name(self, path: Path) -> str:
        """A file's path under the content folder, as git names it there."""
        return Path(os.path.relpath(os.path.realpath(path), os.path.realpath(self.content))).as_posix()

    def later_change(self, english: Path, french: Path) -> EnglishChange | None:
        """The English page's change after the French page's last change, its lines not read yet; None when the
        French is as new, or when git cannot tell (a file not committed, a French page at a shallow clone's edge)."""
        english_name, french_name = self.name(english), self.name(french)
        english_commit, french_commit = self.commits.get(english_name), self.commits.get(french_name)
        if (french_name in self.modified or english_commit is None or french_commit is None
                or french_commit.hash in self.edges):
            return None
        later = None if self.contains(french_commit, english_commit) else english_commit
        uncommitted = english_name in self.modified
        return EnglishChange(french_commit.hash, later, uncommitted) if later or uncommitted else None

    def contains(self, newer: Commit, older: Commit) -> bool:
        """Whether `older` is `newer` or in its history. A commit listed after `older` cannot lead to it."""
        seen, waiting = set(), [newer]
        while waiting:
            commit = waiting.pop()
            if commit.hash == older.hash:
                return True
            if commit.age < older.age and commit.hash not in seen:
                seen.add(commit.hash)
                waiting.extend(self.graph[parent] for parent in commit.parents if parent in self.graph)
        return False

    def stale(self, english: Path, french: Path) -> EnglishChange | None:
        """`later_change` with the English lines it changed (one `git diff`); None when the English is back to
        what it was at the French page's last commit."""
        change = self.later_change(english, french)
        if change is None:
            return None
        lines = self.changed_lines(english, change.since)
        return None if lines == () else dataclasses.replace(change, lines=lines)

    def changed_lines(self, english: Path, since: str) -> tuple[int, ...] | None:
        """The English file's current lines that differ from commit `since`, spaces and blank lines aside (no
        translation follows them); a removal counts as the line now after it. None when git fails."""
        output = git(self.content, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "--unified=0",
                     "--diff-algorithm=myers", "--no-renames", "--ignore-all-space", "--ignore-blank-lines", since,
                     "--", self.name(english))
        if output is None:
            return None
        lines: set[int] = set()
        for match in HUNK.finditer(output):
            start, count = int(match[1]), int(match[2] or 1)
            lines.update(range(start, start + count) if count else [start + 1])
        return tuple(sorted(lines))

    def stamp(self, pages) -> bytes:
        """What `parity.stale` reads here about these pages (a translation unit): the build cache keys on it."""
        return repr([self.later_change(page.counterpart.source, page.source) for page in pages
                     if page.lang == "fr" and page.counterpart is not None]).encode()


def read_history(content: Path) -> History | None:
    """The git history of the content folder; None without one (see the module's docstring)."""
    state = git(content, "rev-parse", "--is-shallow-repository", "--git-path", "shallow")
    log = git(content, "log", "--relative", "--topo-order", "--parents", "--no-renames", "--date=short",
              "--format=%x01%H%x00%P%x00%h%x00%ad%x00%s", "--name-only", "-z", "--", ".") if state else None
    modified = git(content, "diff", "HEAD", "--relative", "--no-renames", "--no-ext-diff", "--name-only", "-z",
                   "--", ".") if log else None
    graph = commit_graph(log) if modified is not None else {}
    if not any(commit.files for commit in graph.values()):
        return None
    shallow, _, edge_file = os.fsdecode(state).partition("\n")
    edges = shallow_edges(content / edge_file.strip()) if shallow.strip() == "true" else set()
    if edges is None:  # a shallow clone whose edge is unknown: any commit may be it
        edges = set(graph)
    return History(content, graph, set(names(modified)), edges)


def git_state(content: Path) -> bytes:
    """What the history `read_history` reads depends on besides the content's bytes: the commit the repository
    is at, its shallow edge, and which files differ from that commit (the build's replay keys on it,
    clair/replay.py). One rev-parse and one diff, no log."""
    state = git(content, "rev-parse", "--is-shallow-repository", "--git-path", "shallow", "HEAD")
    if state is None:
        return b"no git"
    lines = os.fsdecode(state).splitlines()
    edge = shallow_edges(content / lines[1].strip()) if len(lines) >= 3 else None
    modified = git(content, "diff", "HEAD", "--relative", "--no-renames", "--no-ext-diff", "--name-only", "-z",
                   "--", ".")
    return b"\0".join([state, repr(sorted(edge or ())).encode(), modified or b"-"])


def commit_graph(log: bytes) -> dict[str, Commit]:
    """The commits of `git log -z --name-only --parents` output whose records start with \\x01, by hash, each
    with the files it changed, in the log's order."""
    graph: dict[str, Commit] = {}
    fields = iter(log.split(b"\0"))
    commit = None
    for item in fields:
        start = COMMIT_START.match(item)
        if start:
            parents, short, date, subject = (next(fields, b"").decode("utf-8", "replace") for _ in range(4))
            commit = Commit(start[1].decode(), short, date, subject, len(graph), tuple(parents.split()))
            graph[commit.hash] = commit
        elif commit is not None and item.removeprefix(b"\n"):
            commit.files.append(os.fsdecode(item.removeprefix(b"\n")))
    return graph


def last_commits(graph: dict[str, Commit]) -> dict[str, Commit]:
    """Each file's newest commit: its first in the log."""
    found: dict[str, Commit] = {}
    for commit in graph.values():
        for name in commit.files:
            found.setdefault(name, commit)
    return found


def names(output: bytes) -> list[str]:
    return [os.fsdecode(name) for name in output.split(b"\0") if name]


def shallow_edges(path: Path) -> set[str] | None:
    """The commits at a shallow clone's edge (git's own list); None when it cannot be read."""
    try:
        return set(path.read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return None


def git(folder: Path, *arguments: str) -> bytes | None:
    """The output of git run in `folder`, or None when it cannot run, fails or takes too long: the build
    carries on without history, never stopping on git."""
    environment = {key: value for key, value in os.environ.items() if key not in OTHER_REPOSITORY}
    try:
        done = subprocess.run(["git", *GIT_OPTIONS, *arguments], cwd=folder, env={**environment, **GIT_ENVIRONMENT},
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return done.stdout if done.returncode == 0 else None
