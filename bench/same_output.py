#!/usr/bin/env python3
"""Prove that a refactor changes no output: the sample site and a 200-pair benchmark corpus build
byte-identical HTML and JSON to a reference revision.

    python bench/same_output.py --against REV [--pairs 200] [--tree DIR] [--keep DIR]

Two sides are compared:

    current     the working tree holding this script (or --tree DIR), as it is on disk, edits included
    reference   REV, checked out into a temporary detached `git worktree`

Each side makes two builds, with its own code and templates, in a child process of the same Python
interpreter (sys.executable, so the same libraries and the same Pagefind):

    sample      the repository's sample site (content/, site.yaml and, beside it, data/). When the
                two trees' sample files differ, the script says which ones and both sides build the
                current tree's (passing --content and --config; data/ follows --config)
    corpus      a corpus of --pairs page pairs, generated once by the current tree's bench/corpus.py
                into a temporary folder; both sides build that same folder

with `build --no-cache --jobs 2 --format json --out OUT`, every run with CLAIR_CACHE_DIR set to a
fresh empty folder so no cache is shared. Then, per build, it compares the set of output files,
every file byte for byte (showing a truncated unified diff of up to 5 differing files), the JSON
printed on stdout (parsed, then compared key by key) and the exit codes; stderr is kept, not
compared (its end is shown when a side fails). Both sides get the same arguments (the sample as
`--content content --config site.yaml` from inside each tree, the corpus by absolute paths), so
the file paths in the JSON are the same strings. It prints one summary line per build, e.g.

    sample: 122 files identical, JSON identical, exit 0 = 0  [current 1.0 s, reference 1.0 s]

and exits 0 only when everything is identical, 1 otherwise (2: bad arguments, or git or the
corpus generator failed; 130/143: stopped by Ctrl-C/SIGTERM). PYTHONHASHSEED is left random, so
output that depends on hash order shows up as a difference instead of being hidden.

Which code does a side run? The virtualenv holds an editable install of clair pointing at the
main working tree. Setuptools' editable finder is *appended* to sys.meta_path, so it only answers
for `clair`/`checks` when no folder on sys.path has them: a tree on sys.path wins. (Measured:
`PYTHONPATH=/tmp/ref python -c "import clair"` imports /tmp/ref/clair, while `python -I` from
inside /tmp/ref, which drops the current folder and PYTHONPATH, falls back to the editable
install.) So each side runs a small bootstrap, `python -c BOOTSTRAP TREE RECORD ARGS...`, with
cwd=TREE and PYTHONPATH=TREE, that puts TREE first on sys.path itself (not relying on the
environment), runs TREE/build.py as __main__ with runpy (its exit code is the build's), and on
the way out records the file of every `clair.*` and `checks.*` module it imported. The script
checks that every one of them lies inside that side's tree (a side that imported code from
elsewhere fails the comparison) and, before building, prints where each side's `clair` and
`checks` come from. Templates follow the code (clair finds them beside its package). Worker
processes are forked (clair/units.py) and so share the parent's sys.path. PYTHONDONTWRITEBYTECODE
keeps both trees free of new __pycache__ folders.

Temporary folders and the worktree are removed at the end, even after an error, Ctrl-C or
SIGTERM, unless --keep DIR is given: then everything (the corpus, each side's output, stdout and
stderr, and the worktree, to remove with `git worktree remove --force DIR/reference`) stays in
DIR. Standard library only.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT_TREE = Path(__file__).resolve().parent.parent
BUILD_ARGS = ["build", "--no-cache", "--jobs", "2", "--format", "json"]
SAMPLE_FILES = ("content", "site.yaml", "data")  # the sample site: what the build reads besides code and templates
CODE_PACKAGES = ("clair", "clair.checks", "checks")
SHOWN_FILE_DIFFS = 5  # differing files shown with a diff, per build
DIFF_LINES = 24  # lines of unified diff shown per file
LINE_WIDTH = 160  # characters of one diff line shown (minified HTML has long lines)
SHOWN_JSON_DIFFS = 12  # differing JSON places shown, per build
BUILD_TIMEOUT = 1800  # seconds for one build

# Runs in each side's child process: python -c BOOTSTRAP TREE RECORD [--probe | BUILD ARGS...]
BOOTSTRAP = r"""
import importlib.util, json, os, runpy, sys
tree, record, args = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, tree)
checks_folder = os.path.join(tree, "checks")
with open(os.path.join(tree, "pyproject.toml"), encoding="utf-8") as pyproject:
    mapped = '"clair.checks"' in pyproject.read()
if mapped:  # checks/ installs as clair.checks (package-dir): bind it to this tree's, not the editable install's
    import clair
    spec = importlib.util.spec_from_file_location("clair.checks", os.path.join(checks_folder, "__init__.py"),
                                                  submodule_search_locations=[checks_folder])
    module = sys.modules["clair.checks"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    clair.checks = module
try:
    if args == ["--probe"]:
        import clair.cli
        if not mapped:  # a revision from before checks/ was clair.checks
            import checks
    else:
        sys.argv = [os.path.join(tree, "build.py"), *args]
        os._exit = sys.exit  # clair ends its process at once (cli.entry): here it must reach the record below
        runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    modules = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
               if name.split(".")[0] in ("clair", "checks")}
    with open(record, "w", encoding="utf-8") as out:
        json.dump(modules, out, indent=1, sort_keys=True)
"""


class Failure(Exception):
    """A setup step failed (git, the corpus generator): the message says which."""


@dataclass
class Side:
    """One tree to build: its name ("current", "reference") and folder."""
    name: str
    tree: Path


@dataclass
class Run:
    """One build of one side: where it wrote, what it printed, how it exited, which code it imported."""
    side: Side
    out: Path
    stdout: bytes
    stderr: bytes
    code: int | str  # the exit code, or "timeout"
    seconds: float
    modules: dict[str, str | None] = field(default_factory=dict)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its stdout; a Failure with git's message if it fails."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def side_env(tree: Path, cache: Path) -> dict[str, str]:
    """The environment of a side's child process: its tree on PYTHONPATH, a fresh cache folder."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["CLAIR_CACHE_DIR"] = str(cache)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_side(side: Side, args: list[str], work: Path) -> Run:
    """Run the bootstrap in `side`'s tree with `args` (build arguments, or --probe); `work` gets the record,
    the cache, stdout and stderr."""
    work.mkdir(parents=True)
    record = work / "modules.json"
    command = [sys.executable, "-c", BOOTSTRAP, str(side.tree), str(record), *args]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=side.tree, env=side_env(side.tree, work / "cache"),
                              capture_output=True, timeout=BUILD_TIMEOUT)
        stdout, stderr, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as err:
        stdout, stderr, code = err.stdout or b"", err.stderr or b"", "timeout"
    seconds = time.perf_counter() - started
    (work / "stdout.txt").write_bytes(stdout)
    (work / "stderr.txt").write_bytes(stderr)
    modules = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    shutil.rmtree(work / "cache", ignore_errors=True)
    return Run(side, work / "out", stdout, stderr, code, seconds, modules)


def foreign_modules(run: Run) -> list[str]:
    """The clair/checks modules `run` imported from outside its side's tree (or without a file)."""
    tree = run.side.tree.resolve()
    foreign = []
    for name, file in sorted(run.modules.items()):
        if file is None or not Path(file).resolve().is_relative_to(tree):
            foreign.append(f"{name} from {file}")
    return foreign


def probe(side: Side, work: Path) -> bool:
    """Print where `side`'s clair and checks are imported from; False if not from its own tree."""
    run = run_side(side, ["--probe"], work)
    where = ", ".join(f"{name} from {run.modules[name]}" for name in CODE_PACKAGES if name in run.modules)
    foreign = foreign_modules(run)
    if run.code != 0:
        tail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        print(f"  {side.name:9} {side.tree}: importing clair.cli failed (exit {run.code}): {tail[0]}")
        print(f"  {'':9} {where or 'nothing imported'}")
    else:
        print(f"  {side.name:9} {side.tree}: {where} ({len(run.modules)} modules)")
    for item in foreign:
        print(f"  {'':9} NOT FROM ITS TREE: {item}")
    return not foreign and bool(run.modules)


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under `root` (a folder or a single file), by path relative to root's parent."""
    if root.is_file():
        return {root.name: root.read_bytes()}
    if not root.is_dir():
        return {}
    return {path.relative_to(root.parent).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def sample_differences(current: Path, reference: Path) -> list[str]:
    """The sample-site files (content/, site.yaml, data/) that differ between the two trees."""
    found = []
    for name in SAMPLE_FILES:
        mine, theirs = tree_files(current / name), tree_files(reference / name)
        for path in sorted(mine.keys() | theirs.keys()):
            if path not in theirs:
                found.append(f"{path} (only in current)")
            elif path not in mine:
                found.append(f"{path} (only in reference)")
            elif mine[path] != theirs[path]:
                found.append(f"{path} (changed)")
    return found


def output_files(out: Path) -> dict[str, Path]:
    """The files of a built site, by path relative to its folder."""
    if not out.is_dir():
        return {}
    return {path.relative_to(out).as_posix(): path for path in sorted(out.rglob("*")) if path.is_file()}


def file_diff(name: str, current: bytes, reference: bytes) -> list[str]:
    """A truncated unified diff of two versions of a file (reference -> current), or a size note if binary."""
    try:
        new, old = current.decode("utf-8"), reference.decode("utf-8")
    except UnicodeDecodeError:
        return [f"    binary file: {len(reference)} bytes in reference, {len(current)} in current"]
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), f"reference/{name}",
                                      f"current/{name}", n=1, lineterm=""))
    if not lines:  # only line endings or a final newline differ
        lines = [f"(same lines; the bytes differ: {len(reference)} bytes in reference, {len(current)} in current)"]
    shown = [("    " + line)[:LINE_WIDTH] + (" [...]" if len(line) + 4 > LINE_WIDTH else "")
             for line in lines[:DIFF_LINES]]
    if len(lines) > DIFF_LINES:
        shown.append(f"    [... {len(lines) - DIFF_LINES} more diff lines]")
    return shown


def json_differences(current, reference, where: str = "") -> list[str]:
    """Every place where two parsed JSON values differ, as `path: reference -> current`."""
    def short(value, width: int = 80) -> str:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return text if len(text) <= width else text[:width - 3] + "..."

    if isinstance(current, dict) and isinstance(reference, dict):
        found = []
        for key in sorted(current.keys() | reference.keys(), key=str):
            place = f"{where}[{json.dumps(key, ensure_ascii=False)}]" if where else str(key)
            if key not in reference:
                found.append(f"{place}: only in current ({short(current[key])})")
            elif key not in current:
                found.append(f"{place}: only in reference ({short(reference[key])})")
            else:
                found.extend(json_differences(current[key], reference[key], place))
        return found
    if isinstance(current, list) and isinstance(reference, list):
        if len(current) != len(reference):  # say which items one side has and the other not
            mine = [json.dumps(item, sort_keys=True) for item in current]
            theirs = [json.dumps(item, sort_keys=True) for item in reference]
            found = [f"{where or 'top'}: {len(reference)} items in reference, {len(current)} in current"]
            for side, items, other in (("current", current, theirs), ("reference", reference, mine)):
                left = list(other)
                for item in items:
                    text = json.dumps(item, sort_keys=True)
                    if text in left:
                        left.remove(text)
                    else:
                        found.append(f"{where or 'top'}: only in {side}: {short(item, 150)}")
            return found
        found = []
        for index, (mine, theirs) in enumerate(zip(current, reference)):
            found.extend(json_differences(mine, theirs, f"{where}[{index}]"))
        return found
    if current != reference or type(current) is not type(reference):
        return [f"{where or 'top'}: {short(reference)} -> {short(current)}"]
    return []


def parse_json(data: bytes):
    """Parsed JSON, or None with the reason if it is not JSON."""
    try:
        return json.loads(data.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, str(err)


def compare(label: str, current: Run, reference: Run) -> bool:
    """Print the summary line (and the details of any difference) of one build; True if identical."""
    mine, theirs = output_files(current.out), output_files(reference.out)
    only_current = sorted(mine.keys() - theirs.keys())
    only_reference = sorted(theirs.keys() - mine.keys())
    common = sorted(mine.keys() & theirs.keys())
    changed = [name for name in common if mine[name].read_bytes() != theirs[name].read_bytes()]
    files_same = not (only_current or only_reference or changed)

    json_mine, error_mine = parse_json(current.stdout)
    json_theirs, error_theirs = parse_json(reference.stdout)
    if error_mine or error_theirs:
        json_diffs = [] if current.stdout == reference.stdout else [
            f"stdout is not JSON (current: {error_mine or 'ok'}; reference: {error_theirs or 'ok'}) and differs"]
        json_note = "stdout (not JSON) identical" if not json_diffs else "stdout differs"
    else:
        json_diffs = json_differences(json_mine, json_theirs)
        json_note = "JSON identical" if not json_diffs else f"JSON differs in {len(json_diffs)} places"
    codes_same = current.code == reference.code
    foreign = [f"{run.side.name}: {item}" for run in (current, reference) for item in foreign_modules(run)]
    if not current.modules or not reference.modules:
        foreign.append("no record of the imported modules (the child process died before writing it)")

    if files_same:
        files_note = f"{len(common)} files identical"
    else:
        files_note = (f"{len(changed) + len(only_current) + len(only_reference)} of "
                      f"{len(mine.keys() | theirs.keys())} files differ ({len(changed)} changed, "
                      f"{len(only_current)} only in current, {len(only_reference)} only in reference)")
    sign = "=" if codes_same else "!="
    print(f"{label}: {files_note}, {json_note}, exit {current.code} {sign} {reference.code}"
          f"  [current {current.seconds:.1f} s, reference {reference.seconds:.1f} s]")

    for name in only_current[:SHOWN_FILE_DIFFS]:
        print(f"  only in current:   {name}")
    for name in only_reference[:SHOWN_FILE_DIFFS]:
        print(f"  only in reference: {name}")
    for kind, names in (("current", only_current), ("reference", only_reference)):
        if len(names) > SHOWN_FILE_DIFFS:
            print(f"  [... {len(names) - SHOWN_FILE_DIFFS} more only in {kind}]")
    for name in changed[:SHOWN_FILE_DIFFS]:
        print(f"  differs: {name}")
        print("\n".join(file_diff(name, mine[name].read_bytes(), theirs[name].read_bytes())))
    if len(changed) > SHOWN_FILE_DIFFS:
        more = changed[SHOWN_FILE_DIFFS:]
        print(f"  [... {len(more)} more changed files: {', '.join(more[:10])}{', ...' if len(more) > 10 else ''}]")
    if json_diffs and not (error_mine or error_theirs):
        top = sorted({diff.split("[", 1)[0].split(":", 1)[0] for diff in json_diffs})
        print(f"  JSON differs under: {', '.join(top)}")
    if json_diffs:
        for diff in json_diffs[:SHOWN_JSON_DIFFS]:
            print(f"    {diff}")
        if len(json_diffs) > SHOWN_JSON_DIFFS:
            print(f"    [... {len(json_diffs) - SHOWN_JSON_DIFFS} more]")
    for run in (current, reference):
        if run.code != 0 or not codes_same:
            tail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-6:]
            print(f"  {run.side.name} exited {run.code}; end of its stderr:")
            print("\n".join(f"    {line[:LINE_WIDTH]}" for line in tail) or "    (empty)")
    for item in foreign:
        print(f"  NOT FROM ITS TREE: {item}")
    return files_same and not json_diffs and codes_same and not foreign


def make_corpus(tree: Path, pairs: int, target: Path) -> None:
    """Generate the benchmark corpus with `tree`'s bench/corpus.py into `target` (content/ and site.yaml)."""
    generator = tree / "bench" / "corpus.py"
    if not generator.is_file():
        raise Failure(f"no corpus generator at {generator}")
    done = subprocess.run([sys.executable, str(generator), "--pairs", str(pairs), "--out", str(target)],
                          cwd=target.parent, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"bench/corpus.py failed (exit {done.returncode}): {done.stderr.strip()}")


def describe_tree(tree: Path) -> str:
    """The commit a tree is at and how many files its working copy changes."""
    commit = git(tree, "rev-parse", "--short", "HEAD")
    changes = git(tree, "status", "--porcelain", "--untracked-files=normal").splitlines()
    return f"{commit}" + (f" + {len(changes)} uncommitted changes" if changes else ", clean")


def compare_trees(tree: Path, against: str, pairs: int, work: Path) -> bool:
    """Check REV out beside `work`, build both sides, compare; True if everything is identical."""
    commit = git(tree, "rev-parse", "--verify", f"{against}^{{commit}}")
    reference_tree = work / "reference"
    git(tree, "worktree", "add", "--detach", str(reference_tree), commit)
    current, reference = Side("current", tree), Side("reference", reference_tree)
    print(f"current:   {tree} ({describe_tree(tree)})")
    print(f"reference: {against} = {commit[:12]}, checked out in {reference_tree}")
    print(f"python:    {sys.executable} ({sys.version.split()[0]})")

    print("imports (dry check):")
    imports_ok = all([probe(side, work / "probe" / side.name) for side in (current, reference)])

    differences = sample_differences(tree, reference_tree)
    if differences:
        print(f"sample content differs between the trees ({len(differences)} files: "
              f"{', '.join(differences[:8])}{', ...' if len(differences) > 8 else ''}); "
              f"both sides build the current tree's content/ and site.yaml (with its data/)")
        sample_args = {side.name: ["--content", str(tree / "content"), "--config", str(tree / "site.yaml")]
                       for side in (current, reference)}
    else:
        print("sample content: content/, site.yaml and data/ identical in both trees; each side builds its own")
        sample_args = {side.name: ["--content", "content", "--config", "site.yaml"] for side in (current, reference)}

    started = time.perf_counter()
    make_corpus(tree, pairs, work / "corpus")
    print(f"corpus:    {pairs} pairs generated by {tree / 'bench' / 'corpus.py'} into {work / 'corpus'} "
          f"in {time.perf_counter() - started:.1f} s")
    corpus_args = ["--content", str(work / "corpus" / "content"), "--config", str(work / "corpus" / "site.yaml")]

    identical = imports_ok
    for label, args in (("sample", None), (f"corpus-{pairs}", corpus_args)):
        runs = {}
        for side in (current, reference):
            folder = work / label / side.name
            build_args = [*BUILD_ARGS, *(args or sample_args[side.name]), "--out", str(folder / "out")]
            runs[side.name] = run_side(side, build_args, folder)
        identical = compare(label, runs["current"], runs["reference"]) and identical
    return identical


def remove_worktree(tree: Path, path: Path) -> None:
    """Remove the reference worktree, and its registration in the repository even if the folder is gone."""
    if path.exists():
        try:
            git(tree, "worktree", "remove", "--force", str(path))
        except Failure as err:
            print(f"warning: {err}; deleting the folder", file=sys.stderr)
            shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["git", "-C", str(tree), "worktree", "prune"], capture_output=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line, checked: --tree must hold a build.py, --keep must be new or empty."""
    parser = argparse.ArgumentParser(
        description="Check that a working tree builds byte-identical output (HTML, JSON, exit codes) to a "
                    "reference revision, on the sample site and on a benchmark corpus.")
    parser.add_argument("--against", required=True, metavar="REV",
                        help="the reference revision (commit, branch, tag, HEAD~1, ...)")
    parser.add_argument("--pairs", type=int, default=200, help="page pairs of the benchmark corpus (default: 200)")
    parser.add_argument("--tree", type=Path, default=SCRIPT_TREE,
                        help="the working tree to check (default: the repository holding this script)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR (new or empty) and keep everything there: corpus, outputs, worktree")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    args.tree = args.tree.resolve()
    if not (args.tree / "build.py").is_file():
        parser.error(f"{args.tree} has no build.py")
    if args.keep:
        args.keep = args.keep.resolve()
        if args.keep.exists() and (not args.keep.is_dir() or any(args.keep.iterdir())):
            parser.error(f"--keep {args.keep} exists and is not an empty folder")
    return args


def _terminated(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the finally that removes the worktree


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    started = time.perf_counter()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep
    else:
        work = Path(tempfile.mkdtemp(prefix="clair-same-output-"))
    try:
        identical = compare_trees(args.tree, args.against, args.pairs, work)
    except Failure as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped by Ctrl-C", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"kept in {work}; remove the worktree with: "
                  f"git -C {args.tree} worktree remove --force {work / 'reference'}")
        else:
            remove_worktree(args.tree, work / "reference")
            shutil.rmtree(work, ignore_errors=True)
    verdict = "IDENTICAL" if identical else "DIFFERENT"
    print(f"{verdict}: current vs {args.against} in {time.perf_counter() - started:.1f} s")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
