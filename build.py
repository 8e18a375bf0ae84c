#!/usr/bin/env python3
"""Build the bilingual publication site: `python build.py --help`."""
import sys

try:
    from clair.cli import entry
except KeyboardInterrupt:  # Ctrl-C while Python is still starting: nothing was done yet
    print("Stopped: the build was interrupted before it started; nothing was written.", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    entry()
