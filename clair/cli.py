"""Command line: `python build.py [build|check|audit] [options]`, with exit codes CI can rely on."""
from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import signal
import sys
import threading
from pathlib import Path

from . import command, progress, report
from .baseline import Baseline
from .cache import refusal
from .children import usable_cpus
from .model import ContentError, ContentErrors, Finding
from .project import DEFAULT_TEMPLATES, Project, shown
from .replay import Outcome, Replay, Run
from .report import EXIT_FINDINGS, EXIT_LOAD_ERROR, EXIT_OK, fail_to_load, print_findings
from .write import kept_files

# The pipeline, the browser audit, the preview, the readers of other generators and Pagefind's module are
# imported by the commands that use them: a rebuild with nothing changed (clair/replay.py) needs none of them.

DESCRIPTION = """Build a bilingual (English/French) publication site from Markdown.

commands:
  build   render the site, check it, and write it to --out (the default command)
  check   load, render and check the site; write nothing
          check --from hugo|jekyll|eleventy|vuepress|markdown|auto --content PATH: check a site made
          with another generator where it is, as it is (findings name its own files and lines)
  import --from KIND --content PATH --to DIR   write a clair site from another generator's site, and
          list in DIR/import-report.md what needs a person
  new DIR  make a new bilingual site in DIR (a new or empty folder): an example publication, site.yaml
          explained line by line, GitHub workflows and a README for writers
  mark-translated content/fr/...   record in each French page (`translated_from:`) the version of
          the English page it translates, once the French is up to date (see parity.stale)
  audit   build into a temporary folder (or take --site) and check every page in headless
          Chromium with axe-core and with the Nu HTML Checker (needs `npm ci`; Java for vnu)
  serve   preview on http://127.0.0.1:8000/ (--port): builds in memory, rebuilds on save, reloads the
          open page and shows its check findings on it; Ctrl-C stops it (exit code 0)

exit codes:
  0  success
  1  the checks found errors (with --strict, warnings too; with --baseline, only ones not in it)
  2  the content or configuration could not be loaded (the message names the file and line)
     (audit: or no browser, axe-core or built site was found; the message says how to install it)
  130  stopped by Ctrl-C (143: by SIGTERM); the previous output folder is unchanged
"""


def installed_version() -> str:
    """The version pip installed (pyproject.toml's), or `unknown` when clair runs from a folder never installed."""
    import importlib.metadata  # only for --version: its imports are a fair share of a run with nothing to do
    try:
        return importlib.metadata.version("clair")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


class ShowVersion(argparse.Action):
    """--version: say which version this is and stop; the version is looked up only then."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"clair {installed_version()}")
        parser.exit()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=command.typed(), description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=ShowVersion,
                        help="say which version of clair this is, and stop")
    parser.add_argument("command", nargs="?", default="build",
                        choices=("build", "check", "audit", "mark-translated", "serve", "import", "new"),
                        help="what to do")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="mark-translated: the French pages to mark; new: the new site's folder")
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--from", dest="reader", default="clair", metavar="KIND",
                        help="check a site made with another generator where it is: hugo, jekyll, eleventy, "
                             "vuepress, markdown or auto (from its configuration files); --content names the "
                             "site's folder. Only with check")
    parser.add_argument("--to", type=Path, metavar="DIR",
                        help="import: the new folder to write the clair site into")
    parser.add_argument("--translation-content", type=Path, metavar="PATH",
                        help="with --from: the folder of the site's other language, when it is a repository of its "
                             "own (canada-ca/design-system and canada-ca/systeme-conception)")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    parser.add_argument("--config", type=Path, default=Path("site.yaml"), help="site configuration (default: site.yaml)")
    parser.add_argument("--format", choices=("text", "github", "json"), default=report.default_format(),
                        help="how to print findings (default: text; github inside GitHub Actions)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the build too")
    parser.add_argument("--skip-checks", action="store_true", help="render and write only (for quick previews)")
    parser.add_argument("--baseline", type=Path, metavar="FILE",
                        help="fail only on findings not in FILE, the baseline of accepted findings (known ones are "
                             "still shown, marked known)")
    parser.add_argument("--update-baseline", type=Path, metavar="FILE",
                        help="write FILE, the baseline, from this run's findings: all of them are accepted")
    parser.add_argument("--jobs", type=int, default=usable_cpus(), metavar="N",
                        help="pages are rendered and checked in N processes (default: one per usable core)")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="render and check every page again instead of reusing unchanged pages' results")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="where to keep the build cache: a folder outside the project (default: "
                             "$CLAIR_CACHE_DIR, else the project's folder in your user cache folder)")
    parser.add_argument("--timings", action="store_true", help="say how long each stage of the build took")
    parser.add_argument("--site", type=Path, help="audit: an already built site folder instead of building one")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="audit: save a full-page PNG of every page at 1280 and 375 px wide into DIR")
    parser.add_argument("--browser", metavar="PATH", default=os.environ.get("CLAIR_BROWSER"),
                        help="audit: the Chromium to use (default: $CLAIR_BROWSER, else found on the system)")
    parser.add_argument("--port", type=int, default=8000,
                        help="serve: the port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    args = parser.parse_args(argv)
    if args.reader != "clair":
        from .readers import KINDS
        if args.reader not in KINDS:
            parser.error(f"argument --from: invalid choice: {args.reader!r} (choose from "
                         f"{', '.join(map(repr, KINDS))})")
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if args.baseline and args.update_baseline:
        parser.error("give --baseline FILE (fail only on new findings) or --update-baseline FILE (write the "
                     "baseline), not both")
    if (args.baseline or args.update_baseline) and (args.command not in ("build", "check") or args.skip_checks):
        parser.error("--baseline and --update-baseline work on the checks' findings: use them with check or build, "
                     "without --skip-checks")
    if args.reader != "clair" and args.command not in ("check", "import"):
        parser.error("--from reads another generator's site: use it with check or import "
                     f"({command.typed()} check --from auto --content PATH)")
    if args.command == "import" and (args.reader == "clair" or args.to is None):
        parser.error(f"import needs --from and --to: {command.typed()} import --from auto --content PATH --to DIR")
    if args.translation_content and args.reader == "clair":
        parser.error(f"--translation-content goes with --from: {command.typed()} check --from auto --content PATH "
                     "--translation-content OTHER_PATH")
    if args.command == "new" and len(args.paths) != 1:
        parser.error(f"give the new site's folder, once: {command.typed()} new my-site")
    if args.command != "new" and (args.command == "mark-translated") != bool(args.paths):
        parser.error("give file paths with mark-translated, and only with it: "
                     f"{command.typed()} mark-translated content/fr/...")
    return args


def entry() -> None:
    """The command (`clair`, `python -m clair`, `python build.py`): `main`, then the process ends at once. All is
    written, closed and waited for by then; Python freeing the run's objects one by one (about a million after
    checking a large site) took a tenth of a second of a check after an edit. A test calls `main` instead; a run
    watched by a profiler or tracer (cProfile, coverage) ends as usual, so they can write what they found."""
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`clair check | head`): Python's own exit says so, as before
        sys.exit(code)
    os._exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so a stopped build cleans up exactly like Ctrl-C."""


def stops_cleanly(command):
    """Ctrl-C or SIGTERM: one line, exit 130 (143), no traceback; write_site has removed its temporary folder."""
    @functools.wraps(command)
    def run(*args, **kwargs) -> int:
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as stop:
            print("Stopped: the build was interrupted. The output folder holds a complete site: the previous one, "
                  "unless writing had already finished.", file=sys.stderr)
            return 143 if isinstance(stop, Terminated) else 130
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)
    return run


def _terminate(signum, frame):
    raise Terminated()


@stops_cleanly
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "new":
        from . import new
        return new.run_command(args)
    project = without_unsafe_cache(Project.from_options(args.content, foreign_config(args), args.out,
                                                        cache=args.cache and args.reader == "clair",
                                                        cache_dir=args.cache_dir, reader=args.reader,
                                                        translation_content=args.translation_content))
    if args.command == "mark-translated":
        return mark_command(args, project)
    if args.command == "audit":
        from . import audit
        return audit.run_command(args, project)
    if args.command == "serve":
        from . import serve
        return serve.run_command(args, project)
    if args.command == "import":
        return import_command(args, project)
    return build_command(args, project)


def build_command(args: argparse.Namespace, project: Project) -> int:
    """`build` and `check`: run the pipeline (or show the last run's outcome again when nothing changed since,
    clair/replay.py), print the findings in the chosen format and exit with the code CI relies on."""
    try:
        baseline = Baseline.from_options(args.baseline, args.update_baseline, project.root)  # read before building
        index = args.command == "build" and (not args.skip_checks or search_available())
        replay = Replay.open(Run(project, args.command, not args.skip_checks, index))
        outcome = replay.recorded() if replay else None
        if outcome is not None:
            kept = kept_files(args.out) if args.command == "build" else []
            timings = ("nothing changed since the last run, so nothing was built again: its findings are shown as "
                       "they were" + (" and the site folder was left as it was" if args.command == "build" else ""))
        else:
            outcome, kept, timings = run_pipeline(args, project, index, replay)
        comparison = baseline.compare(outcome.findings) if baseline else None
        if kept:
            them = "them" if len(kept) > 1 else "it"
            print(f"Kept {' and '.join(kept)} in {args.out}/: clair does not make {them}, so each build "
                  f"carries {them} over from the previous site.", file=sys.stderr)
        if args.command == "build" and not index:
            print("Search is not indexed in this preview: Pagefind is not installed "
                  "(pip install 'pagefind[bin]').", file=sys.stderr)
    except ContentErrors as errs:
        return fail_to_load(errs.errors, args.format, errs.warnings)
    except ContentError as err:
        return fail_to_load([err], args.format)
    findings = outcome.findings
    print_findings(findings, args.format, scores=outcome.scores, checked=not args.skip_checks,
                   comparison=comparison)
    if baseline and baseline.note:
        print(baseline.note, file=sys.stderr)
    failing = [f for f in (comparison.new if comparison else findings) if f.severity == "error" or args.strict]
    if args.command == "build" and args.format == "text":
        print(outcome_line(outcome.pages, args.out, failing, args.skip_checks), file=sys.stderr)
    if args.timings:
        print(f"Timings: {timings}", file=sys.stderr)
    return EXIT_FINDINGS if failing else EXIT_OK


def run_pipeline(args: argparse.Namespace, project: Project, index: bool,
                 replay: Replay | None) -> tuple[Outcome, list[str], object]:
    """Build (and for `build`, write) the site; record the outcome for the next run (`replay`). Returns the
    outcome, the files of the output folder carried over (`CNAME`) and the build's timings."""
    from .pipeline import build_site, publish
    with progress.on_terminal(sys.stderr, args.format) as shown_progress:
        result = build_site(project, run_checks=not args.skip_checks, jobs=args.jobs, search_index=index,
                            progress=shown_progress, review=args.command == "build" or own_templates(project),
                            page_bytes=replay.page_bytes if replay else None, written=args.command == "build")
    kept = publish(result, search_index=index) if args.command == "build" else []
    outcome = Outcome(result.findings, result.site.scores, len(result.site.pages))
    if replay is not None:
        replay.save(outcome, result.other_inputs, result.site_digest)
    return outcome, kept, result.timings


def own_templates(project: Project) -> bool:
    """Whether the site uses templates of its own: then `check` renders the reviewer's report too, though it
    writes nothing, so that a mistake in them fails the pull request, not the publication."""
    return project.template_folders != (DEFAULT_TEMPLATES,)


def search_available() -> bool:
    """Whether Pagefind is installed, so that a --skip-checks preview can index search (clair/search.py)."""
    from . import search
    return search.available()


def outcome_line(pages: int, out: Path, failing: list[Finding], skipped: bool) -> str:
    """The last line of a build, which never says "Built" alone when the site must not be published yet: a
    build whose checks fail still writes the site (reviewers read its /report/), and says what must happen first."""
    if failing:
        count = f"{len(failing)} {'problem' if len(failing) == 1 else 'problems'}"
        return (f"The site was written to {out}/ ({pages} pages), but the checks found {count} that must be fixed "
                "before it can be published.")
    if skipped:
        return (f"Built {pages} pages into {out}/ without checking them (--skip-checks): run `{command.typed()} check` "
                "before publishing.")
    return f"Built {pages} pages into {out}/."


def import_command(args: argparse.Namespace, project: Project) -> int:
    """Write a clair site from another generator's site, and say what was done and what needs a person."""
    from .readers.importer import import_site
    try:
        done = import_site(project, args.reader, args.to)
    except ContentErrors as errs:
        return fail_to_load(errs.errors, args.format)
    except ContentError as err:
        return fail_to_load([err], args.format)
    print(done.summary(args.content, args.to))
    return EXIT_OK


def foreign_config(args: argparse.Namespace) -> Path:
    """The configuration: as given; for another generator's site (--from) without --config, the site's own
    site.yaml when it has one (defaults apply when it has none: clair/readers)."""
    if args.reader == "clair" or args.config != Path("site.yaml"):
        return args.config
    return args.content / "site.yaml"


def without_unsafe_cache(project: Project) -> Project:
    """The project, without its cache when that folder is not safe to use (clair/cache.py `refusal`), saying so."""
    why = refusal(project)
    if why is None:
        return project
    print(f"{shown(project.cache)}:1: warning: this build cache folder is not used: {why}. "
          "Every page is built again.", file=sys.stderr)
    return dataclasses.replace(project, cache=None)


def mark_command(args: argparse.Namespace, project: Project) -> int:
    """Record in each French page the version of the English page it now translates (parity.stale)."""
    from .translation_mark import mark_translated
    errors = []
    for path in args.paths:
        try:
            version = mark_translated(path, project.content)
        except (ContentError, ContentErrors) as err:  # a settings block may hold several mistakes
            errors.extend(Finding(e.file, e.line or 1, "content.load", "error", e.message) for e in err.errors)
            continue
        if args.format == "text":
            print(f"{path}: translated_from: {version}")
    if errors:
        print_findings(errors, args.format, stream=sys.stderr if args.format == "text" else sys.stdout)
    return EXIT_LOAD_ERROR if errors else EXIT_OK
