"""Draw a fixed sample of findings per check from `check --from auto` runs on real sites, with the source lines
around each, for a person to judge (the "checks on real sites" table in README is made from such a judging).

    python bench/real_sites.py --sites DIR          # the sites, pinned (see there)
    python bench/sample_findings.py --sites DIR --per-check 10 --out sample.md [--checks parity.facts,...]

The sample is the same on every run (seeded by the finding itself), spread over the sites in turn, so a judging
can be repeated after a change to the checks and compared.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from real_sites import ROOT, SITES


def findings_of(folder: Path, other: Path | None) -> list[dict]:
    extra = ["--translation-content", str(other)] if other else []
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--from", "auto", "--content", str(folder),
                           "--format", "json", *extra], capture_output=True, text=True)
    return json.loads(done.stdout)["findings"] if done.stdout.strip().startswith("{") else []


def order(finding: dict) -> str:
    """A stable place in the sample for a finding: the hash of what it says and where."""
    return hashlib.sha256(f"{finding['file']}:{finding['line']}:{finding['message']}".encode()).hexdigest()


def context(file: str, line: int, around: int = 2) -> str:
    """The finding's line and `around` lines either side, numbered."""
    try:
        lines = Path(file).read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return "(file not readable)"
    start = max(1, line - around)
    return "\n".join(f"{n:>5}{'>' if n == line else ' '} {lines[n - 1][:220]}"
                     for n in range(start, min(len(lines), line + around) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=Path, required=True)
    parser.add_argument("--per-check", type=int, default=10)
    parser.add_argument("--checks", default="", help="comma-separated check ids (default: all)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    wanted = {c for c in args.checks.split(",") if c}
    per_check: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[str, int] = defaultdict(int)
    for name, (_, _, _, translation) in SITES.items():
        folder = args.sites / name
        if not folder.is_dir():
            continue
        for finding in findings_of(folder, args.sites / translation if translation else None):
            if not wanted or finding["check"] in wanted:
                per_check[finding["check"]][name].append(finding)
                totals[finding["check"]] += 1
    out = ["# Findings to judge", ""]
    for check in sorted(per_check):
        sites = {name: sorted(found, key=order) for name, found in per_check[check].items()}
        picked = []
        while len(picked) < args.per_check and any(sites.values()):
            for name in sorted(sites):
                if sites[name] and len(picked) < args.per_check:
                    picked.append((name, sites[name].pop(0)))
        out += [f"## {check} ({totals[check]} findings; {len(picked)} sampled)", ""]
        for index, (name, finding) in enumerate(picked, 1):
            out += [f"### {check} #{index} ({name}, {finding['severity']})",
                    f"`{finding['file']}:{finding['line']}`: {finding['message']}", "",
                    "```", context(finding["file"], finding["line"]), "```"]
            if finding.get("related_file"):
                out += ["related:", "```", context(finding["related_file"], finding.get("related_line") or 1), "```"]
            out += ["Judgement: ", ""]
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{sum(min(args.per_check, n) for n in totals.values())} findings of {len(totals)} checks in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
