"""Stage 6, report: a baseline of accepted findings, so a site with thousands of old findings can turn the
checks on in CI today and fail only on new ones (`--baseline FILE`; `--update-baseline FILE` writes it).

A finding is recognised by its check, its file and a fingerprint of its text, never by its line number:
a line added above a known finding must not make it new. See README, "Adopting clair on an existing site".
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import command
from .model import ContentError, Finding
from .project import DEFAULT_TEMPLATES, shown
from .report import dump_json, summary_line
from .shape import Fields, Shape

BASELINE_SCHEMA_VERSION = 1
MARKER = {"clair": "baseline"}  # how a baseline file says what it is
MARKER_TEXT = json.dumps(MARKER)[1:-1]  # that line, as written
NOT_A_BASELINE = f"this file is not a clair baseline (it lacks the line `{MARKER_TEXT}`)"
ENTRY = Shape(Fields(check=str, file=str, fingerprint=str, count=int, message=str))
ABOUT = ("Findings accepted when clair's checks were turned on. `python build.py check --baseline FILE` fails only "
         "on findings not listed here. Written by `python build.py check --update-baseline FILE`: review changes "
         "to it like any other change.")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
THEME_ANCHOR = "clair:templates/"  # clair's default templates, wherever clair is installed

Key = tuple[str, str, str]  # check, file (relative to the project), fingerprint


def fingerprint(source_line: str, message: str) -> str:
    """What stays the same about a finding while its page is edited elsewhere: the text of the line it points
    at, and its message without numbers. Line numbers in the message ("line 15", "a.md:12") move with edits
    above; counts about the whole page ("grade 9.1", "164 words") move with edits anywhere in it. The numbers
    that matter are in the source line itself, which is kept as written (spaces aside)."""
    text = f"{normalised(source_line)}\n{NUMBER.sub('#', normalised(message))}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normalised(text: str) -> str:
    """Runs of spaces, tabs and line ends as one space: re-indenting or re-wrapping a line keeps its findings."""
    return " ".join(text.split())


class Fingerprints:
    """The baseline key of each finding of one project; each file's lines are read once."""

    def __init__(self, root: Path):
        root = Path(root).resolve()
        self.anchors = ((root, ""), (DEFAULT_TEMPLATES, THEME_ANCHOR))
        # how messages name the project's folder: in full, or from the working folder (`site/content/...`)
        self.prefixes = [(f"{anchor.as_posix()}/", prefix) for anchor, prefix in self.anchors]
        if shown(root) not in (".", root.as_posix()):
            self.prefixes.append((f"{shown(root)}/", ""))
        self.lines: dict[str, list[str]] = {}  # by file as findings name it: each file is read once
        self.files: dict[str, str] = {}  # and made portable once

    def key(self, finding: Finding) -> Key:
        return finding.check, self.portable(finding.file), fingerprint(self.source_line(finding),
                                                                       self.message(finding))

    def portable(self, file: str) -> str:
        """The file relative to the project, with `/`, so a baseline works in every checkout (clair's own
        templates as `clair:templates/...`, wherever clair is installed)."""
        if file not in self.files:
            path = Path(file).resolve()
            anchored = [prefix + path.relative_to(anchor).as_posix() for anchor, prefix in self.anchors
                        if path.is_relative_to(anchor)]
            self.files[file] = anchored[0] if anchored else Path(file).as_posix()
        return self.files[file]

    def message(self, finding: Finding) -> str:
        """The message with this checkout's folders taken out of the paths it names."""
        message = finding.message
        for folder, prefix in self.prefixes:
            message = message.replace(folder, prefix)
        return message

    def source_line(self, finding: Finding) -> str:
        if finding.file not in self.lines:
            try:
                text = Path(finding.file).read_text(encoding="utf-8", errors="replace")
                self.lines[finding.file] = text.split("\n")
            except OSError:  # not a file (a folder, or a place no file holds): the message tells findings apart
                self.lines[finding.file] = []
        lines = self.lines[finding.file]
        return lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""


@dataclass(frozen=True)
class Comparison:
    """This run's findings against a baseline: new ones fail, known ones are shown only, and fixed ones (baseline
    entries no longer found) can be dropped from it."""

    new: list[Finding]
    known: list[Finding]
    fixed: int
    file: str  # the baseline, as the command line named it

    def summary(self) -> str:
        """"1 new (1 error, 0 warnings), 736 known, 2 fixed since the baseline clair-baseline.json"."""
        line = (f"{len(self.new)} new ({summary_line(self.new)}), {len(self.known)} known, {self.fixed} fixed "
                f"since the baseline {self.file}")
        if self.fixed:
            line += (f"; `{command.typed()} check --update-baseline {self.file}` drops the fixed ones from it (and "
                     "accepts any new ones, so fix those first)")
        return line


def split(findings: list[Finding], baseline: Counter, fingerprints: Fingerprints, file: str) -> Comparison:
    """Each finding is known while its baseline entry has occurrences left (an entry with count 2 absorbs two
    identical findings, in line order); the rest are new."""
    left = Counter(baseline)
    new, known = [], []
    for finding in sorted(findings):
        key = fingerprints.key(finding)
        if left[key] > 0:
            left[key] -= 1
            known.append(finding)
        else:
            new.append(finding)
    return Comparison(new, known, sum(left.values()), file)


def entries(findings: list[Finding], fingerprints: Fingerprints) -> list[dict]:
    """One entry per distinct finding, with how many times it occurs, sorted so the file is the same every time."""
    counts: Counter = Counter()
    messages: dict[Key, str] = {}
    for finding in sorted(findings):
        key = fingerprints.key(finding)
        counts[key] += 1
        messages.setdefault(key, fingerprints.message(finding))
    rows = [{"check": key[0], "file": key[1], "fingerprint": key[2], "count": count, "message": messages[key]}
            for key, count in counts.items()]
    return sorted(rows, key=lambda row: (row["file"], row["check"], row["message"], row["fingerprint"]))


class Baseline:
    """What `--baseline FILE` or `--update-baseline FILE` asks of one run. The file is read when the option is
    taken, before anything is built, so a bad file stops the command (exit 2) with nothing written."""

    def __init__(self, file: Path, root: Path, update: bool):
        self.file, self.update = Path(file), update
        self.fingerprints = Fingerprints(root)
        # --update-baseline: the baseline it replaces, if any (None); --baseline: the one to compare with
        self.occurrences = _previous(self.file) if update else read_baseline(self.file)
        self.note = ""  # what --update-baseline did, for the person who commits the file

    @classmethod
    def from_options(cls, compare_with: Path | None, update: Path | None, root: Path) -> Baseline | None:
        """The run's baseline, or None without either option (the command line refuses both together)."""
        if update or compare_with:
            return cls(update or compare_with, root, update=bool(update))
        return None

    def compare(self, findings: list[Finding]) -> Comparison:
        """The findings as new or known; --update-baseline first writes the baseline from them, so all are known."""
        if self.update:
            self.note = self.rewrite(findings)
        return split(findings, self.occurrences, self.fingerprints, shown(self.file))

    def rewrite(self, findings: list[Finding]) -> str:
        """Write the baseline from the findings; say what it holds and how it changed, for the commit's reviewer."""
        previous = self.occurrences
        self.occurrences = write_baseline(self.file, findings, self.fingerprints)
        files = len({self.fingerprints.portable(f.file) for f in findings})
        note = (f"Wrote the baseline {shown(self.file)}: {counted(len(findings), 'finding')} accepted "
                f"({summary_line(findings)}) in {counted(files, 'file')}. Commit it; `{command.typed()} check "
                f"--baseline {shown(self.file)}` now fails only on new findings.")
        if previous is not None:
            change = split(findings, previous, self.fingerprints, shown(self.file))
            note += f" Since the previous baseline: {len(change.new)} added, {change.fixed} fixed and removed."
        return note


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _previous(path: Path) -> Counter | None:
    """The baseline being replaced, if it can be read (a damaged one, say by a merge conflict, is simply
    replaced); a ContentError when the file is there and is not a baseline at all, so it is never written over."""
    if not Path(path).exists():
        return None
    if MARKER_TEXT not in _text(path):
        raise _refusal(path, None, f"{NOT_A_BASELINE}, so clair did not write over it; give --update-baseline a "
                       "new file name (for example clair-baseline.json) or delete this file first")
    try:
        return read_baseline(path)
    except ContentError:
        return None


def write_baseline(path: Path, findings: list[Finding], fingerprints: Fingerprints) -> Counter:
    """Write the baseline atomically (an interrupted write leaves the previous file as it was); its occurrences."""
    rows = entries(findings, fingerprints)
    document = {**MARKER, "schema": BASELINE_SCHEMA_VERSION, "about": ABOUT, "findings": rows}
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            with open(temporary, "x", encoding="utf-8", newline="\n") as stream:
                stream.write(dump_json(document))
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise _refusal(path, None, f"the baseline cannot be written here ({err.strerror or err}); check that its "
                       "folder exists and that you may write in it")
    return _occurrences(path, rows)


def read_baseline(path: Path) -> Counter:
    """The baseline's occurrences by key; a ContentError naming the file and what to do when it is missing,
    unreadable or not a baseline (the command then stops with exit 2, before building anything)."""
    text = _text(path)
    if MARKER_TEXT not in text:
        raise _refusal(path, None, f"{NOT_A_BASELINE}; give --baseline the file that --update-baseline wrote")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise _refusal(path, err.lineno, f"this baseline is damaged (not valid JSON: {err.msg.lower()}), perhaps by "
                       "a merge conflict; restore it from git, or write it again with --update-baseline")
    if not isinstance(document, dict) or any(document.get(k) != v for k, v in MARKER.items()):
        raise _refusal(path, None, f"{NOT_A_BASELINE}; give --baseline the file that --update-baseline wrote")
    version = document.get("schema")
    if type(version) is not int or version > BASELINE_SCHEMA_VERSION:
        raise _refusal(path, None, f"this baseline is of a version this clair does not read (`schema: {version}`, "
                       f"this clair reads {BASELINE_SCHEMA_VERSION}); update clair, or write the baseline again "
                       "with --update-baseline")
    rows = document.get("findings")
    if not isinstance(rows, list):
        raise _refusal(path, None, "this baseline has no list of findings (`findings`); write it again with "
                       "--update-baseline")
    return _occurrences(path, rows)


def _occurrences(path: Path, rows: list) -> Counter:
    occurrences: Counter = Counter()
    for number, row in enumerate(rows, 1):
        if not ENTRY.fits(row) or row["count"] < 1:
            raise _refusal(path, None, f"finding number {number} of this baseline is not a baseline entry (each has "
                           "`check`, `file`, `fingerprint`, `message` and a `count` of 1 or more); restore the file "
                           "from git or write it again with --update-baseline")
        occurrences[row["check"], row["file"], row["fingerprint"]] += row["count"]
    return occurrences


def _text(path: Path) -> str:
    """The file's text (bytes that are not UTF-8 are replaced: such a file is no baseline, and says so), or a
    ContentError that says why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise _refusal(path, None, f"the baseline file does not exist; write it with `{command.typed()} check "
                       f"--update-baseline {shown(path)}` and commit it, or correct the path after --baseline")
    except OSError as err:
        raise _refusal(path, None, f"this file cannot be read ({err.strerror or err}); check its path and that "
                       "you may read it")


def _refusal(path: Path, line: int | None, message: str) -> ContentError:
    return ContentError(shown(path), line, message)
