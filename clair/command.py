"""Command line: the command as the user typed it (`clair`, `python -m clair` or `python build.py`), so every message
that tells them what to run next names a command that works where they are."""
from __future__ import annotations

import sys
from pathlib import Path


def typed() -> str:
    """How clair was started; `python build.py` when started any other way (build.py itself, a test runner)."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if started.name in ("clair", "clair.exe"):
        return "clair"
    if started.name == "__main__.py" and started.parent.name == "clair":
        return "python -m clair"
    return "python build.py"
