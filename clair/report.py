"""Stage 6, report: one findings list, three formats (text for people, GitHub annotations, JSON)."""
from __future__ import annotations

import html
import json
import os
import re
import sys
from collections import defaultdict

from .model import ContentError, Finding

JSON_SCHEMA_VERSION = 1
EXIT_OK, EXIT_FINDINGS, EXIT_LOAD_ERROR = 0, 1, 2
# Control characters (C0 but tab and newline, DEL, C1) as visible symbols: C0 and DEL as their Unicode
# pictures (ESC as ␛, BEL as ␇), C1 as �. JSON escapes them instead (json itself escapes C0).
CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n"}
CONTROL_PICTURES |= {0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}
JSON_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()!|~#+\-.:@])")


def printable(text: str) -> str:
    """Text with its control characters made visible symbols: a page's text, quoted in a message, can never
    drive the reader's terminal or CI log (set its title, write to its clipboard, move the cursor)."""
    return text.translate(CONTROL_PICTURES)


def as_text(findings: list[Finding], colour: bool = False, checked: bool = True, comparison=None) -> str:
    """`file:line:col: severity: message [check]`, grouped by file, counts at the end; editors can jump to it.
    With a baseline (`comparison`, a clair.baseline.Comparison), the known findings come first, marked
    `(known)`, and the new ones last, next to the counts."""
    paint = (lambda text, code: f"\033[{code}m{text}\033[0m") if colour else (lambda text, code: text)
    if comparison is None:
        return "\n".join(text_lines(findings, paint) + [summary_line(findings, checked)]) + "\n"
    lines = []
    if comparison.known:
        lines += [f"Known findings, in the baseline {printable(comparison.file)} (they do not fail the check):", ""]
        lines += text_lines(comparison.known, paint, "  (known)")
    if comparison.new:
        lines += ["New findings, not in the baseline:", ""] + text_lines(comparison.new, paint)
    return "\n".join(lines + [printable(comparison.summary())]) + "\n"


def text_lines(findings: list[Finding], paint, marker: str = "") -> list[str]:
    """The findings' lines, grouped by file, each group followed by a blank line."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings):
        by_file[finding.file].append(finding)
    lines = []
    for items in by_file.values():
        for f in items:
            where = printable(f"{f.file}:{f.line}" + (f":{f.column}" if f.column else ""))
            severity = paint(f.severity, "31" if f.severity == "error" else "33")
            lines.append(f"{paint(where, '1')}: {severity}: {printable(f.message)}  [{printable(f.check)}]{marker}")
            if f.related_file:
                lines.append(printable(f"    see {f.related_file}:{f.related_line}"))
        lines.append("")
    return lines


def summary_line(findings: list[Finding], checked: bool = True) -> str:
    """"2 errors, 1 warning"; without the checks (--skip-checks), it says they were skipped, so a count of
    zero is never read as a clean bill."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    counted = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return counted if checked else f"The checks were skipped (--skip-checks); loading found {counted}."


def _escape_data(text: str) -> str:
    """A workflow command's text: control characters as symbols (a carriage return too), newlines escaped."""
    return printable(text).replace("%", "%25").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: list[Finding], checked: bool = True, comparison=None) -> str:
    """GitHub Actions workflow commands, so findings show on the pull request's lines. With a baseline, only
    the new findings are annotated: a reviewer sees what the pull request adds, not the site's old findings."""
    lines = []
    for f in sorted(findings if comparison is None else comparison.new):
        level = "error" if f.severity == "error" else "warning"
        props = f"file={_escape_property(f.file)},line={f.line}"
        if f.column:
            props += f",col={f.column}"
        props += f",title={_escape_property(f.check)}"
        lines.append(f"::{level} {props}::{_escape_data(f.message)}")
    lines.append(summary_line(findings, checked) if comparison is None else printable(comparison.summary()))
    return "\n".join(lines) + "\n"


def as_markdown_summary(findings: list[Finding], comparison=None) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY; with a baseline, of the new findings only."""
    headline = summary_line(findings) if comparison is None else cell(comparison.summary())
    findings = findings if comparison is None else comparison.new
    rows = ["## clair build checks", "", headline, ""]
    if findings:
        rows += ["| file | line | severity | check | message |", "| --- | --- | --- | --- | --- |"]
        rows += [f"| {cell(f.file)} | {f.line} | {f.severity} | {cell(f.check)} | {cell(f.message)} |"
                 for f in sorted(findings)]
    return "\n".join(rows) + "\n"


def cell(text: str) -> str:
    """Text shown as written inside a Markdown table cell: HTML escaped, every character Markdown (or GitHub's
    links, mentions and tables) would read as markup backslash-escaped, one line, no control characters."""
    text = html.escape(printable(text).replace("\n", " "), quote=False)
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def as_json(findings: list[Finding], scores: dict | None = None, comparison=None) -> str:
    """The documented, stable JSON schema (see README, 'JSON report'); with a baseline, each finding says
    whether it is `new` or `known`, and the summary counts new, known and fixed findings."""
    errors = sum(1 for f in findings if f.severity == "error")
    summary = {"errors": errors, "warnings": len(findings) - errors}
    if comparison is None:
        listed = [f.to_dict() for f in sorted(findings)]
    else:
        summary |= {"new": len(comparison.new), "known": len(comparison.known), "fixed": comparison.fixed}
        marked = [(f, "new") for f in comparison.new] + [(f, "known") for f in comparison.known]
        listed = [{**f.to_dict(), "baseline": mark} for f, mark in sorted(marked)]
    document = {"schema": JSON_SCHEMA_VERSION, "summary": summary, "findings": listed, "pages": scores or {}}
    return dump_json(document)


def dump_json(document) -> str:
    """The report as JSON, control characters escaped (json escapes C0 ones itself, not DEL and C1)."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").translate(JSON_ESCAPES)


def default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def write_step_summary(findings: list[Finding], comparison=None) -> None:
    """Append the Markdown summary when GitHub gives us a step summary file."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(as_markdown_summary(findings, comparison))


def print_findings(findings: list[Finding], fmt: str, stream=None, scores: dict | None = None,
                   checked: bool = True, comparison=None) -> None:
    """The findings in one format; `checked` is False when the checks were skipped (only loading looked);
    `comparison` (clair.baseline.Comparison) splits them into new and known when a baseline is given."""
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(as_json(findings, scores, comparison))
    elif fmt == "github":
        stream.write(as_github(findings, checked, comparison))
        write_step_summary(findings, comparison)
    else:
        stream.write(as_text(findings, colour=stream.isatty(), checked=checked, comparison=comparison))


def fail_to_load(errors: list[ContentError], fmt: str, warnings: list[Finding] = ()) -> int:
    """Load errors go through the same findings model, so every format shows them, with the warnings loading
    found before it stopped (fixed in the same round); exit code 2."""
    findings = [Finding(e.file, e.line or 1, "content.load", "error", e.message) for e in errors] + list(warnings)
    print_findings(findings, fmt, stream=sys.stderr if fmt == "text" else sys.stdout)
    if fmt == "text":
        print("Nothing was written: the previous output folder is unchanged.", file=sys.stderr)
    return EXIT_LOAD_ERROR
