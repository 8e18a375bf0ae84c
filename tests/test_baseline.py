"""The baseline (clair/baseline.py): `--update-baseline FILE` accepts today's findings, `--baseline FILE` fails
only on new ones. End to end through clair.cli.main on a small site, plus the fingerprint's rules."""
from __future__ import annotations

import json
import shutil

import pytest

from clair.baseline import fingerprint
from clair.cli import main
from conftest import SITE_YAML, page, write_tree

# The long sentences are from canada-ca/digital-playbook-guide-numerique, en/1-design-with-users.md and
# fr/1-concevoir-avec-utilisateurs.md (MIT licence); each is over the 25-word limit.
LONG_EN = ("Users should be involved throughout the lifecycle of the service, with user research and testing "
           "informing the earliest design phases through to continuous improvements after the service has launched.")
LONG_FR = ("Les utilisateurs doivent être impliqués tout au long du cycle de vie du service, les recherches et les "
           "tests des utilisateurs informant les premières phases de la conception jusqu'à des améliorations "
           "continues après le lancement du service.")
ANOTHER_LONG_EN = ("Start with extensive research and analysis to help understand who is using the service, what their "
                   "needs are and how the service will affect their lives.")
SHORT_EN = "Users help us from the start to the end."
OFF = ("readability.grade", "parity.length-ratio", "parity.stale")  # so only the long sentences are found
CONFIG = SITE_YAML + "checks:\n" + "".join(f"  {rule}: {{severity: \"off\"}}\n" for rule in OFF)
BASELINE = "clair-baseline.json"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A two-page-pair site with one long sentence in each language (two findings), checked from its folder."""
    write_tree(tmp_path, {
        "en/_index.md": page("Home", "Welcome to the site.\n"),
        "fr/_index.md": page("Accueil", "Bienvenue sur le site.\n"),
        "en/users.md": page("Users", f"We work with users.\n\n{LONG_EN}\n\nWe test often.\n"),
        "fr/users.md": page("Utilisateurs", f"Nous travaillons avec les utilisateurs.\n\n{LONG_FR}\n\n"
                                            "Nous testons souvent.\n"),
    }, CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*options: str) -> int:
    return main(["check", "--jobs", "1", *options])


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def accepted(site, capsys) -> None:
    """Write the baseline from the site's two findings."""
    assert check("--update-baseline", BASELINE) == 0
    capsys.readouterr()


def test_the_site_fails_without_a_baseline(site, capsys):
    assert check() == 1
    assert "2 errors, 0 warnings" in capsys.readouterr().out


def test_update_then_check_passes_with_the_findings_shown_as_known(site, capsys):
    assert check("--update-baseline", BASELINE) == 0
    assert "Wrote the baseline clair-baseline.json: 2 findings accepted (2 errors, 0 warnings) in 2 files" in (
        capsys.readouterr().err)
    assert check("--baseline", BASELINE) == 0
    out = capsys.readouterr().out
    assert "content/en/users.md:7: error: This sentence has 29 words" in out
    assert "[readability.sentence-length]  (known)" in out
    assert out.endswith("0 new (0 errors, 0 warnings), 2 known, 0 fixed since the baseline clair-baseline.json\n")


def test_a_new_long_sentence_fails(site, capsys):
    accepted(site, capsys)
    edit(site / "content/en/users.md", "We test often.", f"We test often. {ANOTHER_LONG_EN}")
    assert check("--baseline", BASELINE) == 1
    out = capsys.readouterr().out
    new = out[out.index("New findings, not in the baseline:"):]
    assert "content/en/users.md:9: error: This sentence has 26 words" in new
    assert "(known)" not in new
    assert "1 new (1 error, 0 warnings), 2 known, 0 fixed since the baseline" in out


def test_lines_added_above_a_known_finding_keep_it_known(site, capsys):
    accepted(site, capsys)
    edit(site / "content/en/users.md", "We work with users.", "We work with users.\n\nWe listen.\n\nWe learn.")
    assert check("--baseline", BASELINE) == 0
    out = capsys.readouterr().out
    assert "content/en/users.md:11: error: This sentence has 29 words" in out  # was line 7
    assert "0 new (0 errors, 0 warnings), 2 known, 0 fixed" in out


def test_editing_the_line_of_a_known_finding_makes_it_new(site, capsys):
    """The fingerprint holds the line's text: whoever edits a sentence that is too long fixes it."""
    accepted(site, capsys)
    edit(site / "content/en/users.md", "after the service has launched", "after the service has gone live")
    assert check("--baseline", BASELINE) == 1
    assert "1 new (1 error, 0 warnings), 1 known, 1 fixed" in capsys.readouterr().out


def test_a_fixed_finding_is_counted_and_the_update_drops_it(site, capsys):
    accepted(site, capsys)
    edit(site / "content/en/users.md", LONG_EN, SHORT_EN)
    assert check("--baseline", BASELINE) == 0
    out = capsys.readouterr().out
    assert "0 new (0 errors, 0 warnings), 1 known, 1 fixed since the baseline clair-baseline.json; " in out
    assert "`python build.py check --update-baseline clair-baseline.json` drops the fixed ones" in out
    assert check("--update-baseline", BASELINE) == 0
    assert "Since the previous baseline: 0 added, 1 fixed and removed." in capsys.readouterr().err
    assert [entry["file"] for entry in json.loads((site / BASELINE).read_text())["findings"]] == ["content/fr/users.md"]


def test_json_marks_each_finding_and_counts_new_known_and_fixed(site, capsys):
    accepted(site, capsys)
    edit(site / "content/fr/users.md", LONG_FR, "Les utilisateurs nous aident du début à la fin.")
    edit(site / "content/en/users.md", "We test often.", f"We test often. {ANOTHER_LONG_EN}")
    assert check("--baseline", BASELINE, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"errors": 2, "warnings": 0, "new": 1, "known": 1, "fixed": 1}
    assert [(f["line"], f["baseline"]) for f in report["findings"]] == [(7, "known"), (9, "new")]


def test_json_without_a_baseline_is_unchanged(site, capsys):
    assert check("--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"errors": 2, "warnings": 0}
    assert all("baseline" not in finding for finding in report["findings"])


def test_github_annotates_only_new_findings(site, capsys, tmp_path, monkeypatch):
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    accepted(site, capsys)
    edit(site / "content/en/users.md", "We test often.", f"We test often. {ANOTHER_LONG_EN}")
    assert check("--baseline", BASELINE, "--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("::")[1] for line in lines if line.startswith("::")] == [
        "error file=content/en/users.md,line=9,title=readability.sentence-length"]
    assert lines[-1] == "1 new (1 error, 0 warnings), 2 known, 0 fixed since the baseline clair-baseline.json"
    table = summary.read_text(encoding="utf-8")
    assert "| 9 | error |" in table and "| 7 | error |" not in table


def test_the_same_finding_twice_needs_two_occurrences(site, capsys):
    """A baseline entry counts its occurrences: it absorbs as many identical findings as it had, no more."""
    users = site / "content/en/users.md"
    edit(users, "We test often.", f"We test often.\n\n{LONG_EN}")
    assert check("--update-baseline", BASELINE) == 0
    entries = json.loads((site / BASELINE).read_text())["findings"]
    assert [entry["count"] for entry in entries if entry["file"] == "content/en/users.md"] == [2]
    edit(users, "We test often.", f"We test often.\n\n{LONG_EN}")
    assert check("--baseline", BASELINE) == 1
    assert "1 new (1 error, 0 warnings), 3 known, 0 fixed" in capsys.readouterr().out
    users.write_text(users.read_text(encoding="utf-8").replace(f"\n\n{LONG_EN}", "", 2), encoding="utf-8")
    assert check("--baseline", BASELINE) == 0
    assert "0 new (0 errors, 0 warnings), 2 known, 1 fixed" in capsys.readouterr().out


def test_the_baseline_is_the_same_in_every_checkout(site, capsys, tmp_path_factory, monkeypatch):
    """Sorted, relative paths with `/`: written twice, or in another folder from another working folder, it is the
    same file, and a copy of the site checked against it from elsewhere finds nothing new."""
    accepted(site, capsys)
    first = (site / BASELINE).read_text(encoding="utf-8")
    assert check("--update-baseline", BASELINE) == 0
    assert (site / BASELINE).read_text(encoding="utf-8") == first
    assert str(site) not in first and '"file": "content/en/users.md"' in first and '"schema": 1' in first
    other = tmp_path_factory.mktemp("other-checkout") / "site"
    shutil.copytree(site, other)
    monkeypatch.chdir(other.parent)
    assert check("--content", str(other / "content"), "--config", str(other / "site.yaml"),
                 "--update-baseline", str(other / "copy.json")) == 0
    assert (other / "copy.json").read_text(encoding="utf-8") == first
    assert check("--content", "site/content", "--config", "site/site.yaml", "--baseline", f"site/{BASELINE}") == 0
    assert "0 new (0 errors, 0 warnings), 2 known, 0 fixed" in capsys.readouterr().out


def test_paths_in_messages_do_not_depend_on_the_working_folder(site, capsys, monkeypatch):
    """A message naming a file ("create content/fr/extra.md") names it from wherever clair was run."""
    (site / "content/en/extra.md").write_text(page("Extra", "We help.\n"), encoding="utf-8")
    accepted(site, capsys)
    assert "this page has no French version; create content/fr/extra.md" in (site / BASELINE).read_text()
    monkeypatch.chdir(site.parent)
    for folder in (site.name, str(site)):
        assert check("--content", f"{folder}/content", "--config", f"{folder}/site.yaml", "--baseline",
                     f"{folder}/{BASELINE}") == 0
        assert "0 new (0 errors, 0 warnings), 3 known, 0 fixed" in capsys.readouterr().out


def test_a_build_with_only_known_errors_is_published(site, capsys):
    accepted(site, capsys)
    assert main(["build", "--jobs", "1", "--baseline", BASELINE]) == 0
    assert "Built 4 pages into site/." in capsys.readouterr().err
    assert (site / "site/en/users/index.html").is_file()


def test_strict_fails_on_a_new_warning_only(site, capsys):
    config = site / "site.yaml"
    config.write_text(CONFIG + "  readability.sentence-length: {severity: warning}\n", encoding="utf-8")
    accepted(site, capsys)
    assert check("--baseline", BASELINE, "--strict") == 0
    edit(site / "content/en/users.md", "We test often.", f"We test often. {ANOTHER_LONG_EN}")
    assert check("--baseline", BASELINE, "--strict") == 1
    assert check("--baseline", BASELINE) == 0


BAD_BASELINES = {
    "missing": (None, "the baseline file does not exist; write it with `python build.py check --update-baseline"),
    "merge conflict": ('<<<<<<< HEAD\n{"clair": "baseline", "schema": 1, "findings": []}\n',
                       "this baseline is damaged (not valid JSON: expecting value), perhaps by a merge conflict"),
    "other JSON": ('{"findings": []}', 'this file is not a clair baseline (it lacks the line `"clair": "baseline"`)'),
    "YAML": ("clair: baseline\n", 'this file is not a clair baseline (it lacks the line `"clair": "baseline"`)'),
    "marker in text": ('["\\"clair\\": \\"baseline\\""]', "this file is not a clair baseline"),
    "newer": ('{"clair": "baseline", "schema": 2, "findings": []}', "update clair"),
    "no list": ('{"clair": "baseline", "schema": 1, "findings": {}}', "has no list of findings"),
    "bad entry": ('{"clair": "baseline", "schema": 1, "findings": [{"check": "a", "count": 0}]}',
                  "finding number 1 of this baseline is not a baseline entry"),
    "not text": (b"\xff\xfe\x00", "this file is not a clair baseline"),
}


@pytest.mark.parametrize("kind", sorted(BAD_BASELINES))
def test_a_bad_baseline_stops_with_exit_2_naming_the_file(site, capsys, kind):
    text, said = BAD_BASELINES[kind]
    if isinstance(text, bytes):
        (site / BASELINE).write_bytes(text)
    elif text is not None:
        (site / BASELINE).write_text(text, encoding="utf-8")
    assert main(["build", "--jobs", "1", "--baseline", BASELINE]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{BASELINE}:1: error: ") and said in err and "Traceback" not in err
    assert not (site / "site").exists()


def test_a_baseline_that_is_a_folder_stops_with_exit_2(site, capsys):
    (site / "folder.json").mkdir()
    assert check("--baseline", "folder.json") == 2
    assert "folder.json:1: error: this file cannot be read (Is a directory)" in capsys.readouterr().err


def test_update_never_writes_over_a_file_that_is_not_a_baseline(site, capsys):
    before = (site / "site.yaml").read_text(encoding="utf-8")
    assert check("--update-baseline", "site.yaml") == 2
    err = capsys.readouterr().err
    assert err.startswith("site.yaml:1: error: this file is not a clair baseline") and "did not write over it" in err
    assert (site / "site.yaml").read_text(encoding="utf-8") == before


def test_update_replaces_a_baseline_damaged_by_a_merge(site, capsys):
    accepted(site, capsys)
    path = site / BASELINE
    path.write_text("<<<<<<< HEAD\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert check("--update-baseline", BASELINE) == 0
    assert len(json.loads(path.read_text(encoding="utf-8"))["findings"]) == 2


def test_update_into_a_missing_folder_stops_with_exit_2(site, capsys):
    assert check("--update-baseline", "no-such-folder/baseline.json") == 2
    assert "no-such-folder/baseline.json:1: error: the baseline cannot be written here" in capsys.readouterr().err


@pytest.mark.parametrize("options, said", [
    (["check", "--baseline", "a.json", "--update-baseline", "a.json"], "not both"),
    (["build", "--skip-checks", "--baseline", "a.json"], "without --skip-checks"),
    (["serve", "--baseline", "a.json"], "use them with check or build"),
])
def test_options_that_do_not_go_together_are_refused(site, capsys, options, said):
    with pytest.raises(SystemExit) as stop:
        main(options)
    assert stop.value.code == 2 and said in capsys.readouterr().err


def test_fingerprint_ignores_numbers_in_the_message_and_spacing():
    """Line references and page-wide counts move with edits elsewhere; the finding stays the same."""
    line = "Users should be  involved throughout the lifecycle of the service."
    assert fingerprint(line, "Reading grade 9.1: line 15 (29 words): “Users should …”") == fingerprint(
        "  Users should be involved throughout the lifecycle of the service.\t",
        "Reading grade 10.4: line 18 (31 words): “Users  should …”")


def test_fingerprint_keeps_the_source_line_and_the_words_of_the_message():
    line = "The office opened in 2019."
    assert fingerprint(line, "the number 2019 is missing") != fingerprint("The office opened in 2018.",
                                                                          "the number 2018 is missing")
    assert fingerprint(line, "the year is missing") != fingerprint(line, "the date is missing")
    assert len(fingerprint(line, "")) == 16
