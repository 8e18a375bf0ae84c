"""Command line: a long build's progress on the terminal, pages done out of all, on one line rewritten in place.

Shown only where a person watches: when the error stream is a terminal (not a file or a pipe), outside
CI (`CI` or `GITHUB_ACTIONS` set), and with the text format (`--format json` and `github` print only
what they promise). The line is rewritten with a carriage return at most ten times a second, and wiped
when the build is done (or stopped), so nothing of it is left among the findings and the summary.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from typing import TextIO

CI_VARIABLES = ("CI", "GITHUB_ACTIONS")
EVERY = 0.1  # seconds between two rewrites of the line


class Progress:
    """`progress(done, total)`: the line `Building: 120 of 2,042 pages`, rewritten in place."""

    def __init__(self, stream: TextIO, every: float = EVERY):
        self.stream, self.every = stream, every
        self.shown_at: float | None = None
        self.width = 0  # of the line shown, to wipe it

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.shown_at is not None and now - self.shown_at < self.every and done < total:
            return
        line = f"Building: {done:,} of {total:,} pages"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.shown_at, self.width = now, len(line)

    def wipe(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def wanted(stream: TextIO, output_format: str, environment: Mapping[str, str]) -> bool:
    """Whether a person is watching this stream: a terminal, outside CI, with the text format."""
    in_ci = any(environment.get(name, "").strip().lower() not in ("", "0", "false") for name in CI_VARIABLES)
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        terminal = False
    return terminal and not in_ci and output_format == "text"


@contextlib.contextmanager
def on_terminal(stream: TextIO, output_format: str,
                environment: Mapping[str, str] = os.environ) -> Iterator[Progress | None]:
    """A Progress for the block when `wanted`, else None; its line is wiped when the block ends, however it ends."""
    progress = Progress(stream) if wanted(stream, output_format, environment) else None
    try:
        yield progress
    finally:
        if progress is not None:
            progress.wipe()
