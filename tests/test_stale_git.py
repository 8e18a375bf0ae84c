"""parity.stale from git history: a French page whose English page changed in a later commit is stale.

Each test makes a real git repository in tmp_path (the project: site.yaml and content/) and builds it
with every check, as `python build.py check` does.
"""
from __future__ import annotations

import os
import subprocess

import pytest

from clair.checks.parity import line_ranges
from clair.pipeline import build_site
from clair.project import Project
from clair.translation_mark import english_hash
from conftest import minimal_pages, page, write_tree

ENGLISH = page("Serve people", """\
    We will serve people.

    We will ask them what they need.

    We will report every year.
    """)
FRENCH = page("Servir les gens", """\
    Nous servirons les gens.

    Nous leur demanderons ce dont ils ont besoin.

    Nous ferons rapport chaque année.
    """)
ENGLISH_LATER = ENGLISH.replace("ask them what they need.", "ask them what they need and when.").replace(
    "report every year.", "report every year.\n\nWe will publish the report.")  # lines 7 and 10-11 of the file
FRENCH_LATER = FRENCH.replace("besoin.", "besoin et quand.") + "\nNous publierons le rapport.\n"


def git(repo, *arguments, date="2024-05-02T10:00:00"):
    """Run git in the test repository, with fixed dates and none of the user's own settings."""
    environment = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", "-C", str(repo), *arguments], check=True, capture_output=True, text=True,
                          env=environment).stdout.strip()


def commit(repo, message, *paths, date="2024-05-02T10:00:00"):
    """Commit these files (under content/), or every change; return the commit's short hash."""
    git(repo, "add", "--", *([f"content/{path}" for path in paths] or ["."]))
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "--short", "HEAD")


def make_repository(root, pages):
    """A project in `root` with these pages (and the home pages), all committed in one commit, as a migration is."""
    write_tree(root, {**minimal_pages(), **pages})
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test writer")
    git(root, "config", "user.email", "writer@example.ca")
    git(root, "config", "commit.gpgsign", "false")
    commit(root, "Import the site")
    return root


@pytest.fixture
def repo(tmp_path):
    return make_repository(tmp_path / "project", {"en/serve.md": ENGLISH, "fr/serve.md": FRENCH})


def write(repo, path, text):
    (repo / "content" / path).write_text(text, encoding="utf-8")


def update(repo, path, text, message, date):
    """Write one page and commit it alone; the commit's short hash."""
    write(repo, path, text)
    return commit(repo, message, path, date=date)


def stale(root, cache=None):
    """Every parity.stale finding of a checked build: (file under content/, line, related line, message)."""
    content = root / "content"
    result = build_site(Project(content, root / "site.yaml", cache=cache))
    return [(os.path.relpath(f.file, content), f.line, f.related_line, f.message)
            for f in sorted(result.findings) if f.check == "parity.stale"]


def test_pages_committed_together_are_up_to_date(repo):
    assert stale(repo) == []


def test_an_english_change_in_a_later_commit_makes_the_french_stale(repo):
    short = update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    [(file, line, related_line, message)] = stale(repo)
    assert (file, line, related_line) == ("fr/serve.md", 2, 7)  # the French title; the first English line changed
    assert message == (f"{repo / 'content/en/serve.md'} has changed since this French page was last committed "
                       f"(commit {short} of 2024-06-03, \"Say when we ask\"; English lines 7, 10-11); update the "
                       f"French to match and commit it (if the French needs no change, run "
                       f"`python build.py mark-translated {repo / 'content/fr/serve.md'}`, or add the label "
                       f"`translation-checked` to the pull request)")


def test_a_french_change_committed_after_the_english_change_is_up_to_date(repo):
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    update(repo, "fr/serve.md", FRENCH_LATER, "Traduire", "2024-06-04T09:00:00")
    assert stale(repo) == []


def test_a_french_change_on_a_branch_that_never_saw_the_english_change_is_stale(repo):
    """The translator's branch started before the English change; merged after it, the French is still behind,
    whatever the dates say."""
    git(repo, "checkout", "-q", "-b", "translation")
    update(repo, "fr/serve.md", FRENCH.replace("servirons", "allons servir"), "Retoucher", "2024-06-05T09:00:00")
    git(repo, "checkout", "-q", "-")
    short = update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    git(repo, "merge", "-q", "--no-edit", "--no-ff", "translation", date="2024-06-06T09:00:00")
    [(file, _, _, message)] = stale(repo)
    assert file == "fr/serve.md" and f"commit {short} of 2024-06-03" in message
    git(repo, "checkout", "-q", "-b", "translation-2")  # a branch that has the English change: up to date
    update(repo, "fr/serve.md", FRENCH_LATER, "Traduire", "2024-06-02T09:00:00")
    assert stale(repo) == []


def test_an_uncommitted_english_edit_is_a_later_change(repo):
    write(repo, "en/serve.md", ENGLISH_LATER)
    [(file, line, related_line, message)] = stale(repo)
    assert (file, line, related_line) == ("fr/serve.md", 2, 7)
    assert "(changes not committed yet; English lines 7, 10-11)" in message


def test_a_french_page_being_edited_after_the_english_change_is_up_to_date(repo):
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    write(repo, "fr/serve.md", FRENCH_LATER)  # not committed yet: the writer is translating
    assert stale(repo) == []


def test_an_english_change_undone_in_a_later_commit_leaves_nothing_to_translate(repo):
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    update(repo, "en/serve.md", ENGLISH, "Undo", "2024-06-04T09:00:00")
    assert stale(repo) == []


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("description: Serve people\n", "description: Serve people\nweight: 3\n"),
    lambda text: text.replace("We will serve people.\n", "We will serve people.   \n\n\n"),
], ids=["a setting no one translates", "spaces and blank lines"])
def test_an_english_change_with_nothing_to_translate_is_not_reported(repo, edit):
    update(repo, "en/serve.md", edit(ENGLISH), "Tidy", "2024-06-03T09:00:00")
    assert stale(repo) == []
    update(repo, "en/serve.md", edit(ENGLISH).replace("Serve people\n", "Serve everyone\n", 1), "Retitle",
           "2024-06-04T09:00:00")
    assert [(file, line, related) for file, line, related, _ in stale(repo)] == [("fr/serve.md", 2, 2)]


def test_translated_from_overrides_git_when_a_page_records_it(repo):
    write(repo, "fr/serve.md", FRENCH.replace(
        "description: Servir les gens\n", 'description: Servir les gens\ntranslated_from: "0123456789ab"\n'))
    commit(repo, "Mark an old version", "fr/serve.md", date="2024-06-03T09:00:00")  # git alone: up to date
    [(file, line, _, message)] = stale(repo)
    assert (file, line) == ("fr/serve.md", 4)
    assert "has changed since this translation was marked" in message
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-04T09:00:00")  # git alone: stale
    write(repo, "fr/serve.md", (repo / "content/fr/serve.md").read_text(encoding="utf-8").replace(
        "0123456789ab", english_hash(repo / "content/en/serve.md")))
    assert stale(repo) == []


def test_without_a_repository_every_page_must_record_its_english_version(tmp_path):
    write_tree(tmp_path, {**minimal_pages(), "en/serve.md": ENGLISH, "fr/serve.md": FRENCH})
    found = stale(tmp_path)
    assert [(file, line) for file, line, _, _ in found] == [("fr/_index.md", 1), ("fr/serve.md", 1)]
    assert all("does not record which version" in message for *_, message in found)


def test_without_git_installed_the_build_keeps_to_translated_from(repo, monkeypatch, tmp_path):
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    found = stale(repo)
    assert [(file, line) for file, line, _, _ in found] == [("fr/_index.md", 1), ("fr/serve.md", 1)]
    assert all("does not record which version" in message for *_, message in found)


def test_a_shallow_clone_flags_nothing_it_cannot_tell(repo, tmp_path):
    write(repo, "en/notes.md", page("Notes", "Some notes.\n"))
    write(repo, "fr/notes.md", page("Notes", "Des notes.\n"))
    commit(repo, "Add notes", date="2024-06-01T09:00:00")  # the French serve.md was last changed before this
    update(repo, "en/serve.md", ENGLISH_LATER, "Say when we ask", "2024-06-03T09:00:00")
    assert [file for file, *_ in stale(repo)] == ["fr/serve.md"]  # the whole history tells
    for depth in ("1", "2"):  # 2: the French page's last commit is cut off; its edge stands for it
        clone = tmp_path / f"depth-{depth}"
        git(tmp_path, "clone", "-q", "--depth", depth, f"file://{repo}", str(clone))
        assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
        assert stale(clone) == []


def test_file_names_with_spaces_accents_and_brackets(tmp_path):
    name = "plan [été] 2024.md"
    repo = make_repository(tmp_path / "projet d'été", {f"en/{name}": ENGLISH, f"fr/{name}": FRENCH})
    assert stale(repo) == []
    update(repo, f"en/{name}", ENGLISH_LATER, "Dire quand", "2024-06-03T09:00:00")
    [(file, line, related_line, message)] = stale(repo)
    assert (file, line, related_line) == (f"fr/{name}", 2, 7)
    assert f"{name} has changed" in message and "English lines 7, 10-11" in message


def test_the_cache_follows_a_commit_that_changes_no_file(tmp_path):
    """Both pages edited, then committed apart (English last): no byte changes, but the French page is now stale."""
    repo = make_repository(tmp_path / "project", {"en/serve.md": ENGLISH, "fr/serve.md": FRENCH})
    cache = tmp_path / "cache"
    write(repo, "en/serve.md", ENGLISH_LATER)
    write(repo, "fr/serve.md", FRENCH_LATER)
    assert stale(repo, cache) == []  # both being edited
    commit(repo, "Traduire", "fr/serve.md", date="2024-06-03T09:00:00")
    commit(repo, "Say when we ask", "en/serve.md", date="2024-06-04T09:00:00")
    assert [(file, line) for file, line, _, _ in stale(repo, cache)] == [("fr/serve.md", 2)]


def test_line_ranges_are_compact():
    assert line_ranges((12,)) == "line 12"
    assert line_ranges((12, 13, 14, 30)) == "lines 12-14, 30"
    assert line_ranges(tuple(range(1, 40, 2)), shown=3) == "lines 1, 3, 5 and 17 more places"
