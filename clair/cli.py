"""Command line: `python build.py [build|check] [options]`, with exit codes CI can rely on."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import report
from .model import ContentError, ContentErrors, Finding
from .pipeline import build_site, publish

EXIT_OK, EXIT_FINDINGS, EXIT_LOAD_ERROR = 0, 1, 2
PROJECT_DIR = Path(__file__).resolve().parent.parent

DESCRIPTION = """Build a bilingual (English/French) publication site from Markdown.

commands:
  build   render the site, check it, and write it to --out (the default command)
  check   load, render and check the site; write nothing

exit codes:
  0  success
  1  the checks found errors (with --strict, warnings too)
  2  the content or configuration could not be loaded (the message names the file and line)
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python build.py", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="build", choices=("build", "check"), help="what to do")
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    parser.add_argument("--config", type=Path, default=Path("site.yaml"), help="site configuration (default: site.yaml)")
    parser.add_argument("--format", choices=("text", "github", "json"), default=report.default_format(),
                        help="how to print findings (default: text; github inside GitHub Actions)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the build too")
    parser.add_argument("--skip-checks", action="store_true", help="render and write only (for quick previews)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = build_site(args.content, args.config, run_checks=not args.skip_checks)
        if args.command == "build":
            publish(result, args.out, PROJECT_DIR)
    except ContentErrors as errs:
        return fail_to_load(errs.errors, args.format)
    except ContentError as err:
        return fail_to_load([err], args.format)
    findings = result.findings
    print_findings(findings, args.format)
    failing = [f for f in findings if f.severity == "error" or args.strict]
    if args.command == "build" and args.format == "text":
        print(f"Built {len(result.site.pages)} pages into {args.out}/", file=sys.stderr)
    return EXIT_FINDINGS if failing else EXIT_OK


def fail_to_load(errors: list[ContentError], fmt: str) -> int:
    """Load errors go through the same findings model, so every format shows them."""
    findings = [Finding(e.file, e.line or 1, "content.load", "error", e.message) for e in errors]
    print_findings(findings, fmt, stream=sys.stderr if fmt == "text" else sys.stdout)
    if fmt == "text":
        print("Nothing was written: the previous output folder is unchanged.", file=sys.stderr)
    return EXIT_LOAD_ERROR


def print_findings(findings: list[Finding], fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(report.as_json(findings))
    elif fmt == "github":
        stream.write(report.as_github(findings))
        report.write_step_summary(findings)
    else:
        stream.write(report.as_text(findings, colour=stream.isatty()))
