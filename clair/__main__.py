"""Command line: `python -m clair [build|check|serve|audit|import|mark-translated] [options]`, as `clair` and
`python build.py` are (clair/cli.py)."""
from .cli import entry

entry()
