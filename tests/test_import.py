"""`import --from KIND --content PATH --to DIR`: another generator's site written as a clair site that builds, whose
links and pictures still work, with a summary of what needs a person (excerpts: tests/fixtures/real/README.md)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from clair.cli import main

REAL = Path(__file__).parent / "fixtures" / "real"


def imported(capsys, kind: str, target: Path) -> str:
    assert main(["import", "--from", "auto", "--content", str(REAL / kind), "--to", str(target)]) == 0
    return capsys.readouterr().out


def commit(site: Path) -> None:
    """The imported site committed in one commit, as the import's summary says to."""
    git = ["git", "-C", str(site), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Import"], check=True)


def build(capsys, site: Path) -> tuple[int, dict]:
    code = main(["build", "--content", str(site / "content"), "--config", str(site / "site.yaml"),
                 "--out", str(site / "public"), "--format", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kind", ["jekyll", "hugo", "eleventy", "vuepress", "markdown"])
def test_the_imported_site_builds_with_its_pairs_and_up_to_date_translations(capsys, tmp_path, kind):
    imported(capsys, kind, tmp_path / "site")
    commit(tmp_path / "site")
    code, document = build(capsys, tmp_path / "site")
    checks = {f["check"] for f in document["findings"]}
    assert code in (0, 1) and "content.load" not in checks
    assert "parity.missing" not in checks and "parity.stale" not in checks  # not all stale after a migration
    assert (tmp_path / "site" / "public" / "en" / "index.html").is_file()


def test_links_and_pictures_that_worked_before_still_work(capsys, tmp_path):
    imported(capsys, "jekyll", tmp_path / "site")
    _, document = build(capsys, tmp_path / "site")
    broken = sorted(f["message"] for f in document["findings"] if f["check"] == "links.internal")
    assert broken == ["the link `/digital-playbook-guide-numerique/en/0-retired-standard.html` leads to nothing this "
                      "site builds",
                      "the link `/digital-playbook-guide-numerique/fr/0-ancienne-norme.html` leads to nothing this "
                      "site builds"]  # broken on the old site too: the only two
    assert not [f for f in document["findings"] if f["check"] == "parity.links"]
    page = (tmp_path / "site/content/en/1-design-with-users.md").read_text()
    assert "](../files/img/users.png)" in page and "](2-iterate-improve-frequently.md)" in page
    assert (tmp_path / "site/content/files/img/users.png").read_bytes() == (REAL / "jekyll/img/users.png").read_bytes()
    assert (tmp_path / "site/public/media/files/img/users.png").is_file()


def test_each_pair_shares_one_key_and_the_french_records_the_english_version(capsys, tmp_path):
    imported(capsys, "hugo", tmp_path / "site")
    english = (tmp_path / "site/content/en/blog/posts/incident-management.md").read_text()
    french = (tmp_path / "site/content/fr/blog/posts/gestion-incidents.md").read_text()
    assert "translation_key: blog/posts/incident-management\n" in english
    assert "translation_key: blog/posts/incident-management\n" in french and "translated_from" not in french
    assert "{{<" not in french and "fmt.Println" not in french
    assert "![Un ordinateur portable avec un écran rouge](/img/incident.png)" in french  # a Hugo figure, as a picture


def test_the_summary_and_report_say_what_was_done_and_what_needs_a_person(capsys, tmp_path):
    summary = imported(capsys, "jekyll", tmp_path / "site")
    assert "Pairs: 2 (2 by altLangPage)" in summary and "Pages without a translation: 0" in summary
    assert "Template tags taken out: 2" in summary and "Pictures and files copied: 1" in summary
    report = (tmp_path / "site/import-report.md").read_text()
    assert "1-design-with-users.md:9: `{% include views-vues/standard-normes/content-contenu.html %}` was taken out" \
        in report
    assert "`/digital-playbook-guide-numerique/en/0-retired-standard.html` led nowhere on the old site" in report
    assert "content/en/_index.md:1: the home page clair made" in report


def test_folders_without_a_section_page_get_one_paired_across_languages(capsys, tmp_path):
    imported(capsys, "eleventy", tmp_path / "site")
    english = (tmp_path / "site/content/en/components/_index.md").read_text()
    french = (tmp_path / "site/content/fr/composants/_index.md").read_text()
    assert "translation_key: section/components\n" in english and "translation_key: section/components\n" in french


def test_an_import_never_writes_over_a_folder_that_has_files(capsys, tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["import", "--from", "auto", "--content", str(REAL / "markdown"), "--to", str(target)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".clair-import-")]


def test_import_needs_from_and_to(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["import", "--content", str(REAL / "markdown")])
    assert stop.value.code == 2 and "--from and --to" in capsys.readouterr().err
