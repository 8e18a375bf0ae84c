"""A build or check with nothing changed shows the last run's outcome again, exactly; any change runs it in full.

Each run here is the command line itself (clair/cli.py `main`) on a small site with findings, with its
own cache folder. "Replayed" means the pipeline never ran (`build_site` is counted); "the same" means
the same standard output, standard error (timings apart), exit code and GitHub step summary as a run
of the same command without the cache (`--no-cache`: always the whole pipeline).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clair import cache, cli, load, pipeline, replay
from conftest import ROOT, minimal_pages, page, write_tree

LONG = ("We will look at every program that we run today and every program that we plan to run next year so "
        "that we can be sure that none of them is left behind at all.\n")
PAGES = {**minimal_pages(),
         "en/plan.md": page("Plan", "## Goals\n\nIn order to help, we act.\n\n" + LONG),
         "fr/plan.md": page("Plan", "## Objectifs\n\nPour aider, nous agissons.\n")}


@pytest.fixture
def site(tmp_path) -> Path:
    """A project with a page whose findings are a warning and an error, and a missing French sentence."""
    write_tree(tmp_path / "project", PAGES)
    return tmp_path / "project"


@pytest.fixture
def pipeline_runs(monkeypatch) -> list[int]:
    """How many times the pipeline ran (the command line imports `build_site` when it needs it)."""
    runs = []
    real = pipeline.build_site

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(pipeline, "build_site", counted)
    return runs


def arguments(site: Path, command: str, *options: str) -> list[str]:
    """The command line of a run on `site`, with the cache beside it unless --no-cache."""
    given = [command, "--content", str(site / "content"), "--config", str(site / "site.yaml"),
             "--out", str(site.parent / "out"), "--jobs", "1", *options]
    return given if "--no-cache" in options else [*given, "--cache-dir", str(site.parent / "cache")]


def run(site: Path, *options: str, command: str = "check", capsys=None) -> tuple[int, str, str]:
    """clair's command line on `site`; exit code, stdout, and stderr without the timings."""
    code = cli.main(arguments(site, command, *options))
    out, err = capsys.readouterr()
    return code, out, "\n".join(line for line in err.splitlines() if not line.startswith("Timings:"))


@pytest.mark.parametrize("options", [
    ("--format", "text"), ("--format", "json"), ("--format", "github"), ("--format", "text", "--strict"),
], ids=["text", "json", "github", "strict"])
def test_a_run_with_nothing_changed_says_exactly_what_the_whole_pipeline_says(site, options, capsys, pipeline_runs,
                                                                             tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    whole = run(site, *options, "--no-cache", capsys=capsys)
    whole_summary = (tmp_path / "summary.md").read_text(encoding="utf-8") if "github" in options else None
    (tmp_path / "summary.md").unlink(missing_ok=True)
    run(site, *options, capsys=capsys)
    (tmp_path / "summary.md").unlink(missing_ok=True)
    assert len(pipeline_runs) == 2
    replayed = run(site, *options, capsys=capsys)
    assert len(pipeline_runs) == 2, "nothing changed: the pipeline must not run"
    assert replayed == whole and whole[0] == 1 and "plain-words.en" in whole[1]
    if whole_summary is not None:
        assert (tmp_path / "summary.md").read_text(encoding="utf-8") == whole_summary


def test_the_timings_say_the_outcome_was_shown_again(site, capsys, pipeline_runs):
    run(site, capsys=capsys)
    code = cli.main(arguments(site, "check", "--timings"))
    assert code == 1 and "nothing changed since the last run" in capsys.readouterr().err


def test_a_baseline_is_applied_to_the_replayed_findings(site, capsys, pipeline_runs, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run(site, "--update-baseline", str(baseline), "--no-cache", capsys=capsys)[0] == 0
    run(site, capsys=capsys)
    whole = run(site, "--baseline", str(baseline), "--no-cache", capsys=capsys)
    replayed = run(site, "--baseline", str(baseline), capsys=capsys)
    assert len(pipeline_runs) == 3 and replayed == whole and whole[0] == 0


def edit_page(site: Path) -> None:
    with open(site / "content/en/plan.md", "a", encoding="utf-8") as stream:
        stream.write("We add one more sentence.\n")


def add_picture(site: Path) -> None:
    (site / "content/en/chart.png").write_bytes(b"\x89PNG not really")


def edit_configuration(site: Path) -> None:
    with open(site / "site.yaml", "a", encoding="utf-8") as stream:
        stream.write("# a comment changes the file\n")


def add_template(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates/footer-extra.html").write_text("<p>extra</p>\n", encoding="utf-8")


def add_data(site: Path) -> None:
    (site / "data").mkdir()
    (site / "data/notes.txt").write_text("a data file\n", encoding="utf-8")


def change_clair(site: Path, monkeypatch) -> None:
    code = site.parent / "code"
    code.mkdir()
    (code / "module.py").write_text("CHANGED = True\n", encoding="utf-8")
    monkeypatch.setattr(cache, "CODE_FOLDERS", (*cache.CODE_FOLDERS, code))


def change_a_library(site: Path, monkeypatch) -> None:
    monkeypatch.setattr(cache, "library_versions", lambda: b"jinja2=99")


EDITS = {"page": edit_page, "picture": add_picture, "configuration": edit_configuration,
         "template": add_template, "data": add_data}


@pytest.mark.parametrize("edit", [*EDITS, "clair's code", "a library"])
def test_any_change_to_what_a_run_reads_runs_the_whole_pipeline(site, edit, capsys, pipeline_runs, monkeypatch):
    run(site, capsys=capsys)
    if edit in EDITS:
        EDITS[edit](site)
    else:
        {"clair's code": change_clair, "a library": change_a_library}[edit](site, monkeypatch)
    after = run(site, capsys=capsys)
    assert len(pipeline_runs) == 2
    assert after == run(site, "--no-cache", capsys=capsys)
    run(site, capsys=capsys)
    assert len(pipeline_runs) == 3, "once recorded, the new state is replayed"


def test_hidden_files_loading_skips_change_nothing(site, capsys, pipeline_runs):
    run(site, capsys=capsys)
    (site / "content/en/.notes.md").write_text("# my own notes\n", encoding="utf-8")
    (site / "content/.drafts").mkdir()
    (site / "content/.drafts/draft.md").write_text("# draft\n", encoding="utf-8")
    run(site, capsys=capsys)
    assert len(pipeline_runs) == 1


def test_a_changed_word_list_runs_the_whole_pipeline(site, capsys, pipeline_runs):
    (site / "words.yaml").write_text("act: take action\n", encoding="utf-8")
    with open(site / "site.yaml", "a", encoding="utf-8") as stream:
        stream.write("checks:\n  plain-words.en:\n    extra_files: [words.yaml]\n")
    run(site, capsys=capsys)  # the first run to read the list records its name, not a hash of it
    run(site, capsys=capsys)
    code, out, _ = run(site, capsys=capsys)
    assert len(pipeline_runs) == 2 and "“take action” instead of “act”" in out
    (site / "words.yaml").write_text("act: do\n", encoding="utf-8")
    code, out, _ = run(site, capsys=capsys)
    assert len(pipeline_runs) == 3 and "“do” instead of “act”" in out
    assert (code, out) == run(site, "--no-cache", capsys=capsys)[:2]


def git(site: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *arguments], cwd=site,
                   check=True, capture_output=True)


def test_a_new_commit_runs_the_whole_pipeline(site, capsys, pipeline_runs):
    """parity.stale reads the history up to the commit the content is at."""
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-q", "-m", "first")
    run(site, capsys=capsys)
    run(site, capsys=capsys)
    assert len(pipeline_runs) == 1
    git(site, "commit", "-q", "--allow-empty", "-m", "second")
    run(site, capsys=capsys)
    assert len(pipeline_runs) == 2


def test_a_build_is_replayed_only_while_its_output_folder_is_untouched(site, capsys, pipeline_runs):
    out = site.parent / "out"
    first = run(site, command="build", capsys=capsys)
    assert run(site, command="build", capsys=capsys) == first and len(pipeline_runs) == 1
    (out / "en/plan/index.html").unlink()
    assert run(site, command="build", capsys=capsys) == first and len(pipeline_runs) == 2
    assert (out / "en/plan/index.html").is_file()
    (out / "en/index.html").write_text("changed by hand", encoding="utf-8")
    assert run(site, command="build", capsys=capsys) == first and len(pipeline_runs) == 3
    assert "changed by hand" not in (out / "en/index.html").read_text(encoding="utf-8")


def test_check_and_build_keep_their_own_records(site, capsys, pipeline_runs):
    run(site, capsys=capsys)
    run(site, command="build", capsys=capsys)
    run(site, capsys=capsys)
    run(site, command="build", capsys=capsys)
    assert len(pipeline_runs) == 2


def test_a_run_that_fails_to_load_is_never_replayed(site, capsys, pipeline_runs):
    first = run(site, capsys=capsys)
    text = (site / "content/en/plan.md").read_text(encoding="utf-8")
    (site / "content/en/plan.md").write_text(text.replace("title: Plan", "title: [Plan"), encoding="utf-8")
    code, out, err = run(site, "--format", "text", capsys=capsys)
    assert code == 2 and "plan.md" in out + err
    (site / "content/en/plan.md").write_text(text, encoding="utf-8")
    assert run(site, capsys=capsys) == first and len(pipeline_runs) == 2  # the record of the first run again


def test_a_damaged_record_is_read_as_missing(site, capsys, pipeline_runs):
    first = run(site, capsys=capsys)
    [record] = (site.parent / "cache" / "replay").iterdir()
    for damage in (b"", record.read_bytes()[:-5], record.read_bytes().replace(b'"pages":', b'"pagez":')):
        record.write_bytes(damage)
        assert run(site, capsys=capsys) == first
    assert len(pipeline_runs) == 4


def test_an_edited_record_is_read_as_damaged(site, capsys, pipeline_runs):
    """A record's header holds the hash of its bytes: findings edited inside it are not believed (a folder
    that others could write into is refused as a whole: clair/cache.py `refusal`)."""
    run(site, capsys=capsys)
    [record] = (site.parent / "cache" / "replay").iterdir()
    record.write_bytes(record.read_bytes().replace(b"error", b"warning"))
    code, _, _ = run(site, capsys=capsys)
    assert code == 1 and len(pipeline_runs) == 2


def test_a_record_of_another_shape_is_read_as_missing(site, capsys, pipeline_runs):
    """An intact entry (header and hash right) whose values are not what a record holds: the shape check."""
    first = run(site, capsys=capsys)
    [record] = (site.parent / "cache" / "replay").iterdir()
    cache.BuildCache(site.parent / "cache", "replay").put(record.name, {"inputs": "?", "pages": "many"})
    assert run(site, capsys=capsys) == first and len(pipeline_runs) == 2


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_link_in_the_content_folder_is_seen(site, kind, capsys, pipeline_runs, tmp_path):
    """Loading refuses links (symlinks) to outside the content folder. A file swapped for a link to a copy of
    itself keeps its name and bytes; a linked folder is never entered by os.walk: the hash must see both."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plan = site / "content/en/plan.md"
    (elsewhere / "plan.md").write_bytes(plan.read_bytes())
    run(site, capsys=capsys)
    if kind == "folder":
        (site / "content/en/linked").symlink_to(elsewhere, target_is_directory=True)
    else:
        plan.unlink()
        plan.symlink_to(elsewhere / "plan.md")
    code, out, err = run(site, "--format", "text", capsys=capsys)
    assert len(pipeline_runs) == 2 and code == 2 and "link" in out + err


def test_the_cache_keeps_the_records_of_the_kinds_of_run_made_last(site, capsys):
    """Builds into many temporary output folders do not fill the cache: the oldest records go."""
    folder = site.parent / "cache" / "replay"
    folder.mkdir(parents=True, mode=0o700)
    store = cache.BuildCache(site.parent / "cache", "replay")
    old = [f"replay-{number:064x}" for number in range(replay.KEPT_RECORDS + 4)]
    for age, name in enumerate(old):
        store.put(name, {"inputs": ""})
        os.utime(folder / name, ns=(age * 10**9, age * 10**9))
    (folder / "notes.txt").write_text("not clair's", encoding="utf-8")
    run(site, capsys=capsys)
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == replay.KEPT_RECORDS + 1  # with the file clair did not write
    assert "notes.txt" in kept and old[-1] in kept and old[0] not in kept
    assert run(site, capsys=capsys)[0] == 1  # this run's own record was kept: replayed


def test_a_replay_loads_none_of_the_pipeline(site, capsys):
    """The point of replaying: Python starts, hashes the inputs and prints; no parser, template engine or check."""
    run(site, capsys=capsys)
    script = ("import sys; from clair.cli import main; code = main(sys.argv[1:]); "
              "print(sorted(m for m in ('jinja2', 'markdown_it', 'textstat', 'babel', 'clair.checks', "
              "'clair.pipeline') if m in sys.modules)); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script, "check", "--content", str(site / "content"), "--config",
                           str(site / "site.yaml"), "--cache-dir", str(site.parent / "cache"), "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert done.stdout.rstrip().endswith("[]")
    assert json.loads(done.stdout[:done.stdout.rindex("[]")])["findings"]


def test_the_record_names_the_kind_of_run(site):
    """Records never serve another project, command or output folder."""
    from clair.project import Project
    project = Project.from_options(site / "content", site / "site.yaml", site.parent / "out", cache=True,
                                   cache_dir=site.parent / "cache")
    names = {replay.Run(project, command, checks, index).name
             for command in ("build", "check") for checks in (True, False) for index in (True, False)}
    other = Project.from_options(site / "content", site / "site.yaml", site.parent / "elsewhere", cache=True,
                                 cache_dir=site.parent / "cache")
    assert len(names) == 8 and replay.Run(other, "build", True, True).name not in names


def test_a_run_loads_the_pages_its_hash_read_without_reading_them_again(site, capsys, monkeypatch):
    """The run's hash reads every page before anything is loaded; loading takes those very bytes (each file is
    read once), and says the same as a run that reads them itself (--no-cache)."""
    whole = run(site, "--no-cache", capsys=capsys)

    def read_again(path, *_):
        raise AssertionError(f"{path} was read a second time")
    monkeypatch.setattr(load, "read_bytes", read_again)
    assert run(site, capsys=capsys) == whole


def test_the_pages_bytes_kept_are_those_hashed(site):
    (site / "content/en/chart.png").write_bytes(b"\x89PNG not really")
    (site / "content/en/.hidden.md").write_text("not read\n", encoding="utf-8")
    kept: dict[str, bytes] = {}
    replay.digest_content(hashlib.sha256(), site / "content", kept)
    pages = sorted(path.relative_to(site / "content").as_posix() for path in (site / "content").rglob("[!.]*.md"))
    assert sorted(kept) == pages
    assert all(kept[name] == (site / "content" / name).read_bytes() for name in pages)


def test_the_libraries_versions_are_those_importlib_metadata_finds():
    """library_versions reads the metadata folders' names instead of importing importlib.metadata: the same
    versions, so a library upgraded or downgraded runs the whole pipeline."""
    import importlib.metadata
    cache.library_versions.cache_clear()
    lines = cache.library_versions().decode().split("\n")
    assert lines[0] == sys.version
    assert lines[1:] == [f"{name}={importlib.metadata.version(name)}" for name in cache.LIBRARIES]


def test_a_library_folder_not_installed_is_a_question_mark(tmp_path, monkeypatch):
    (tmp_path / "Markdown_It.Py-9.9.dist-info").mkdir()
    (tmp_path / "PyYAML-1.0-py3.11.egg-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path)])
    cache.library_versions.cache_clear()
    try:
        versions = dict(line.split("=") for line in cache.library_versions().decode().split("\n")[1:])
    finally:
        cache.library_versions.cache_clear()
    assert versions["markdown-it-py"] == "9.9" and versions["pyyaml"] == "1.0-py3.11" and versions["jinja2"] == "?"
