"""Check and import real public bilingual sites (not part of the test suite: it needs their repositories).

    python bench/real_sites.py --sites DIR [--json FILE]

DIR holds one checkout per site below, named as in SITES (`git clone https://github.com/<repo> DIR/<name>`, then
`git -C DIR/<name> checkout <commit>`); a site whose checkout is missing or at another commit is skipped with a
note, so the figures always describe the pinned versions. For each site: `check --from auto` (exit code, seconds,
pages, how pairs were found, findings per check), then `import` into a temporary folder and a build of the
result (exit code). Loading must never exit 2.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITES = {  # name: (repository, commit, generator, --translation-content name or None)
    "digital-playbook-guide-numerique": ("canada-ca/digital-playbook-guide-numerique", "48ebbaf716", "jekyll", None),
    "open-source-logiciel-libre": ("canada-ca/open-source-logiciel-libre", "fafbe84789", "jekyll", None),
    "Open_First_Whitepaper": ("canada-ca/Open_First_Whitepaper", "13204a21e1", "jekyll", None),
    "ore-ero": ("canada-ca/ore-ero", "60112bc927", "jekyll", None),
    "design-system": ("canada-ca/design-system", "07a2d214d7", "jekyll", "systeme-conception"),
    "digital-canada-ca": ("cds-snc/digital-canada-ca", "20c68d8143", "hugo", None),
    "gcds-docs": ("cds-snc/gcds-docs", "f0673dc401", "eleventy", None),
    "notification-documentation": ("cds-snc/notification-documentation", "9a0b829dc6", "vuepress", None),
}
PINNED_ALSO = {"systeme-conception": ("canada-ca/systeme-conception", "4453a0f197")}


def clair(*args: str) -> tuple[int, str, float]:
    """Run `python build.py ARGS`; its exit code, standard output and seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True)
    return done.returncode, done.stdout, time.perf_counter() - started


def at_commit(folder: Path, commit: str) -> bool:
    """The checkout exists and is at the pinned commit (when it is a git checkout; an export is trusted)."""
    if not folder.is_dir():
        return False
    head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True)
    return head.returncode != 0 or head.stdout.startswith(commit)


def measure(name: str, folder: Path, other: Path | None) -> dict:
    """One site's figures."""
    extra = ["--translation-content", str(other)] if other else []
    code, out, seconds = clair("check", "--from", "auto", "--content", str(folder), "--format", "json", *extra)
    document = json.loads(out) if out.strip().startswith("{") else {"findings": [], "pages": {}}
    pages = {k: v for k, v in document["pages"].items() if "lang" in v}
    paired_by = Counter(v.get("paired_by", "unpaired") for v in pages.values())
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch, "site")
        imported, _, _ = clair("import", "--from", "auto", "--content", str(folder), "--to", str(target), *extra)
        built = clair("build", "--content", str(target / "content"), "--config", str(target / "site.yaml"),
                      "--out", str(target / "public"), "--no-cache", "--format", "json")[0] if imported == 0 else None
    return {"site": name, "check_exit": code, "seconds": round(seconds, 2), "pages": len(pages),
            "paired_by": dict(paired_by),
            "findings": dict(Counter(f["check"] for f in document["findings"]).most_common()),
            "import_exit": imported, "imported_build_exit": built}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=Path, required=True, help="folder of the checkouts, one per site")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = []
    for name, (repository, commit, _, translation) in SITES.items():
        folder = args.sites / name
        other = args.sites / translation if translation else None
        pinned = [(folder, commit)] + ([(other, PINNED_ALSO[translation][1])] if other else [])
        if not all(at_commit(path, at) for path, at in pinned):
            print(f"{name}: skipped: check out {repository} at {commit} into {folder}", file=sys.stderr)
            continue
        result = measure(name, folder, other)
        results.append(result)
        print(f"{name}: check exit {result['check_exit']} in {result['seconds']} s, {result['pages']} pages, "
              f"paired {result['paired_by']}, import exit {result['import_exit']}, imported site builds with exit "
              f"{result['imported_build_exit']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(r["check_exit"] == 2 or r["imported_build_exit"] == 2 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
