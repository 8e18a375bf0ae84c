#!/usr/bin/env python3
"""Build the bilingual publication site: `python build.py --help`."""
import sys

from clair.cli import main

if __name__ == "__main__":
    sys.exit(main())
