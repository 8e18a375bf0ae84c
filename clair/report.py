"""Stage 6, report: one findings list, three formats (text for people, GitHub annotations, JSON)."""
from __future__ import annotations

import json
import os
import sys
from collections import defaultdict

from .model import ContentError, Finding

JSON_SCHEMA_VERSION = 1
EXIT_OK, EXIT_FINDINGS, EXIT_LOAD_ERROR = 0, 1, 2


def as_text(findings: list[Finding], colour: bool = False) -> str:
    """`file:line:col: severity: message [check]`, grouped by file, counts at the end; editors can jump to it."""
    paint = (lambda text, code: f"\033[{code}m{text}\033[0m") if colour else (lambda text, code: text)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings):
        by_file[finding.file].append(finding)
    lines = []
    for items in by_file.values():
        for f in items:
            where = f"{f.file}:{f.line}" + (f":{f.column}" if f.column else "")
            severity = paint(f.severity, "31" if f.severity == "error" else "33")
            lines.append(f"{paint(where, '1')}: {severity}: {f.message}  [{f.check}]")
            if f.related_file:
                lines.append(f"    see {f.related_file}:{f.related_line}")
        lines.append("")
    lines.append(summary_line(findings))
    return "\n".join(lines) + "\n"


def summary_line(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: list[Finding]) -> str:
    """GitHub Actions workflow commands, so findings show on the pull request's lines."""
    lines = []
    for f in sorted(findings):
        level = "error" if f.severity == "error" else "warning"
        props = f"file={_escape_property(f.file)},line={f.line}"
        if f.column:
            props += f",col={f.column}"
        props += f",title={_escape_property(f.check)}"
        lines.append(f"::{level} {props}::{_escape_data(f.message)}")
    lines.append(summary_line(findings))
    return "\n".join(lines) + "\n"


def as_markdown_summary(findings: list[Finding]) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY."""
    rows = ["## clair build checks", "", summary_line(findings), ""]
    if findings:
        rows += ["| file | line | severity | check | message |", "| --- | --- | --- | --- | --- |"]
        rows += [f"| {f.file} | {f.line} | {f.severity} | {f.check} | {cell(f.message)} |" for f in sorted(findings)]
    return "\n".join(rows) + "\n"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def as_json(findings: list[Finding], scores: dict | None = None) -> str:
    """The documented, stable JSON schema (see README, 'JSON report')."""
    errors = sum(1 for f in findings if f.severity == "error")
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "summary": {"errors": errors, "warnings": len(findings) - errors},
        "findings": [f.to_dict() for f in sorted(findings)],
        "pages": scores or {},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def write_step_summary(findings: list[Finding]) -> None:
    """Append the Markdown summary when GitHub gives us a step summary file."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(as_markdown_summary(findings))


def print_findings(findings: list[Finding], fmt: str, stream=None, scores: dict | None = None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(as_json(findings, scores))
    elif fmt == "github":
        stream.write(as_github(findings))
        write_step_summary(findings)
    else:
        stream.write(as_text(findings, colour=stream.isatty()))


def fail_to_load(errors: list[ContentError], fmt: str) -> int:
    """Load errors go through the same findings model, so every format shows them; exit code 2."""
    findings = [Finding(e.file, e.line or 1, "content.load", "error", e.message) for e in errors]
    print_findings(findings, fmt, stream=sys.stderr if fmt == "text" else sys.stdout)
    if fmt == "text":
        print("Nothing was written: the previous output folder is unchanged.", file=sys.stderr)
    return EXIT_LOAD_ERROR
