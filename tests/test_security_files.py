"""Which files clair reads and publishes (issue #16): an allow-list of publishable types, regular files only,
no file named by a page, paths of site.yaml inside the project, and plain words for UTF-16 and a folder as --config.

Anything that would hang on a named pipe runs in a subprocess with a generous timeout, so a hang fails
the test instead of stalling pytest.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from clair.checks import files_read
from clair.checks import plain_words
from clair.load import load_site
from clair.model import ContentError
from clair.project import Project
from clair.serve import Preview
from clair.serve_build import Builder
from conftest import ROOT, SITE_YAML, minimal_pages, page, write_tree

TIMEOUT = 60  # seconds; a build of these small sites takes about one: only a hang reaches it

# published under /media/ before the allow-list; each can run as a program in a browser or on a server
ACTIVE = (".xht", ".rdf", ".xsd", ".mht", ".mhtml", ".phtml", ".php5", ".shtm", ".asp", ".aspx", ".jsp", ".cgi",
          ".hta", ".wasm", ".swf", ".svg", ".html", ".xml", ".js", ".py", ".pdf.html", "")
SCRIPT_XHT = '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(document.domain)</script></body></html>'


def run(folder: Path, *args: str) -> tuple[int, str]:
    """`python build.py ARGS` in `folder`; (exit code, everything printed)."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--format", "text"], cwd=folder,
                            capture_output=True, text=True, env=env, timeout=TIMEOUT)
    return result.returncode, result.stdout + result.stderr


def site_with(tmp_path: Path, pages: dict[str, str], config: str = SITE_YAML) -> Path:
    write_tree(tmp_path, {**minimal_pages(), **pages}, config)
    return tmp_path


def linking(*addresses: str) -> str:
    return page("A", "".join(f"See [the file]({address}).\n\n" for address in addresses))


# -- the allow-list of publishable types ------------------------------------------------------------

def test_every_formerly_published_active_type_is_refused_with_the_list(tmp_path):
    pages = {f"en/p{index}.md": linking(f"file{index}{suffix}") for index, suffix in enumerate(ACTIVE)}
    site_with(tmp_path, pages)
    for index, suffix in enumerate(ACTIVE):
        (tmp_path / f"content/en/file{index}{suffix}").write_text(SCRIPT_XHT, encoding="utf-8")
    code, output = run(tmp_path, "build", "--skip-checks", "--no-cache")
    assert code == 2, output
    for index, suffix in enumerate(ACTIVE):
        shown = suffix.rsplit(".", 1)[-1] if suffix else "its name has no ending"
        assert f"content/en/p{index}.md:5: error: the file `file{index}{suffix}` is a kind of file (" in output
        assert shown in output
    assert "documents (.pdf, .docx" in output and "pictures (.png" in output and "archives (.zip)" in output
    assert not (tmp_path / "site").exists()


def test_an_xht_with_a_script_is_never_published(tmp_path):
    site_with(tmp_path, {"en/a.md": page("A", "Text.\n"), "fr/a.md": page("A", "Texte.\n")})
    (tmp_path / "content/en/page.xht").write_text(SCRIPT_XHT, encoding="utf-8")
    assert run(tmp_path, "build", "--skip-checks", "--no-cache")[0] == 0  # lying there, linked by nothing
    (tmp_path / "content/en/a.md").write_text(linking("page.xht"), encoding="utf-8")
    code, output = run(tmp_path, "build", "--skip-checks", "--no-cache")
    assert code == 2 and "content/en/a.md:5: error: the file `page.xht`" in output, output
    published = [path for path in (tmp_path / "site").rglob("*") if path.is_file()]
    assert published and not [path for path in published if "alert(document.domain)" in path.read_text("latin-1")]


def test_svg_pictures_are_refused_with_advice_to_export_png(tmp_path):
    site_with(tmp_path, {"en/a.md": page("A", "![Our chart](chart.svg)\n")})
    (tmp_path / "content/en/chart.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    code, output = run(tmp_path, "check", "--skip-checks", "--no-cache")
    assert code == 2 and "content/en/a.md:5: error: the picture `chart.svg` must be a PNG" in output, output
    assert "export the drawing as PNG" in output


def test_each_publishable_type_is_published_and_served_with_its_type_and_nosniff(tmp_path):
    from clair.files import MEDIA_TYPES  # imported here, so the other tests also run on clair before #16
    names = [f"file{suffix}" for suffix in MEDIA_TYPES]
    content, config = write_tree(tmp_path, {**minimal_pages(), "en/a.md": linking(*names)})
    for name in names:
        (content / "en" / name).write_bytes(b"bytes of " + name.encode())
    preview = Preview(Builder(Project.from_options(content, config), run_checks=False), port=0, out=io.StringIO())
    preview.start_server()
    try:
        assert not preview.build().errors
        for name, kind in zip(names, MEDIA_TYPES.values()):
            with urllib.request.urlopen(f"{preview.url}media/en/{name}", timeout=TIMEOUT) as response:
                assert response.read() == b"bytes of " + name.encode()
                assert response.headers["Content-Type"].split(";")[0] == kind, name
                assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        preview.stop()


def test_the_allow_list_names_each_group_once():
    from clair.files import MEDIA_TYPES, PUBLISHABLE
    suffixes = [suffix for group in PUBLISHABLE.values() for suffix in group]
    assert len(suffixes) == len(set(suffixes)) == len(MEDIA_TYPES)
    assert not {".svg", ".html", ".xht", ".xml", ".js"} & set(suffixes)


# -- only regular files are read ----------------------------------------------------------------------

def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_named_pipe_page_is_refused_not_waited_for(tmp_path, command):
    site_with(tmp_path, {})
    fifo(tmp_path / "content/en/x.md")
    code, output = run(tmp_path, command, "--no-cache")
    assert code == 2, output
    assert "content/en/x.md:1: error: this is not a regular file (it is a named pipe)" in output


def test_a_linked_named_pipe_is_refused(tmp_path):
    site_with(tmp_path, {"en/a.md": linking("report.pdf")})
    fifo(tmp_path / "content/en/report.pdf")
    code, output = run(tmp_path, "build", "--skip-checks", "--no-cache")
    assert code == 2 and "content/en/a.md:5: error: the file `report.pdf` is a named pipe" in output, output


@pytest.mark.parametrize("data_file", ["data/glossary.yaml", "data/matrices/plan.yaml"])
def test_a_named_pipe_data_file_is_refused(tmp_path, data_file):
    site_with(tmp_path, {})
    fifo(tmp_path / data_file)
    code, output = run(tmp_path, "check", "--no-cache")
    assert code == 2 and f"{data_file}:1: error: this is not a regular file (it is a named pipe)" in output, output


def test_a_named_pipe_configuration_is_refused(tmp_path):
    site_with(tmp_path, {})
    (tmp_path / "site.yaml").unlink()
    fifo(tmp_path / "site.yaml")
    code, output = run(tmp_path, "check", "--no-cache")
    assert code == 2 and "site.yaml:1: error: this is not a regular file (it is a named pipe)" in output, output


def test_a_named_pipe_word_list_is_refused(tmp_path):
    site_with(tmp_path, {}, SITE_YAML + "checks:\n  plain-words.en:\n    extra_files: [words.yaml]\n")
    fifo(tmp_path / "words.yaml")
    code, output = run(tmp_path, "check", "--no-cache")
    assert code == 2, output
    assert "site.yaml:8: error: `extra_files` names `words.yaml`, which is a named pipe, not a regular file" in output


def test_read_regular_refuses_a_pipe_without_opening_it_for_a_writer(tmp_path):
    from clair.files import read_regular
    with pytest.raises(ContentError, match="it is a named pipe"):
        read_regular(fifo(tmp_path / "pipe.md"))
    with pytest.raises(ContentError, match="it is a folder"):
        read_regular(tmp_path)
    (tmp_path / "a.md").write_bytes(b"text")
    assert read_regular(tmp_path / "a.md") == b"text"


PREVIEW_SCRIPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from clair.project import Project
    from clair.serve_build import Builder

    content = Path(sys.argv[1])
    builder = Builder(Project.from_options(content, content.parent / "site.yaml"), run_checks=False)
    def rebuild(what):
        outcome = builder.rebuild(builder.scan())
        print(what, outcome.kind, [error.file + ": " + error.message for error in outcome.errors], flush=True)
    rebuild("first")
    os.mkfifo(content / "en/x.md")
    rebuild("pipe added")
    os.unlink(content / "en/x.md")
    rebuild("pipe removed")
    os.unlink(content / "en/a.md")
    os.mkfifo(content / "en/a.md")  # a page swapped for a pipe: an edit of that page, as the watcher sees it
    rebuild("page swapped")
    os.unlink(content / "en/a.md")
    (content / "en/a.md").write_text("---\\ntitle: B\\ndescription: B\\n---\\nBack again.\\n")
    rebuild("page back")
    print("published:", any(b"Back again" in bytes(text, "utf-8") if isinstance(text, str) else b"Back again" in text
                             for text in builder.result.files.values() if isinstance(text, (str, bytes))))
""")


def test_serve_never_blocks_on_a_named_pipe_and_rebuilds_once_it_is_gone(tmp_path):
    site_with(tmp_path, {"en/a.md": page("A", "Text.\n"), "fr/a.md": page("A", "Texte.\n")})
    result = subprocess.run([sys.executable, "-c", PREVIEW_SCRIPT, str(tmp_path / "content")], cwd=ROOT,
                            capture_output=True, text=True, timeout=TIMEOUT)
    lines = result.stdout.splitlines()
    assert len(lines) == 6, result.stdout + result.stderr
    assert lines[0] == "first full []"
    pipe = "this is not a regular file (it is a named pipe)"
    assert lines[1].startswith("pipe added full [") and f"x.md: {pipe}" in lines[1]
    assert lines[2] == "pipe removed nothing []"  # the sources are those of the last good build again
    assert lines[3].startswith("page swapped ") and f"a.md: {pipe}" in lines[3]
    assert lines[4].startswith("page back ") and lines[4].endswith(" []")
    assert lines[5] == "published: True"


# -- a page cannot name files; site.yaml's stay in the project ----------------------------------------

SECRET = "password: hunter2-SECRET\n"


def test_a_page_cannot_name_a_word_list(tmp_path):
    relaxed = page("A", "Please enter the password.\n").replace("---\nPlease", (
        "checks:\n  plain-words.en:\n    extra_files: [../secret.yaml]\n    reason: our words\n---\nPlease"))
    site_with(tmp_path / "project", {"en/a.md": relaxed, "fr/a.md": page("A", "Texte.\n")})
    (tmp_path / "secret.yaml").write_text(SECRET, encoding="utf-8")
    code, output = run(tmp_path / "project", "check", "--no-cache")
    assert code == 2, output
    assert "content/en/a.md:6: error: `extra_files` can only be set in site.yaml, not in a page" in output
    assert "hunter2" not in output


@pytest.mark.parametrize("name, says", [
    ("../secret.yaml", "which is outside the project folder"),
    ("/etc/hostname", "which is outside the project folder"),
    ("link.yaml", "which is outside the project folder"),  # a link inside the project, leading out of it
    ("missing.yaml", "but `missing.yaml` does not exist"),
    ("data", "which is a folder, not a regular file"),
])
def test_site_yaml_names_only_regular_files_inside_the_project(tmp_path, name, says):
    project = site_with(tmp_path / "project", {"en/a.md": page("A", "Please enter the password.\n"),
                                               "fr/a.md": page("A", "Texte.\n")},
                        SITE_YAML + f"checks:\n  plain-words.en:\n    extra_files: [{name}]\n")
    (tmp_path / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (project / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    (project / "data").mkdir()
    code, output = run(project, "check", "--no-cache")
    assert code == 2, output
    assert f"site.yaml:8: error: `extra_files` names `{name}`, {says}" in output
    assert "hunter2" not in output


def test_the_cache_keys_on_the_word_lists_the_check_reads(tmp_path):
    config = SITE_YAML + ("checks:\n  plain-words.en:\n    extra_files: [words/en.yaml]\n"
                          "  plain-words.fr:\n    extra_files: [words/fr.yaml]\n")
    content, config_path = write_tree(tmp_path, minimal_pages(), config)
    (tmp_path / "words").mkdir()
    (tmp_path / "words/en.yaml").write_text("stakeholders: people\n", encoding="utf-8")
    (tmp_path / "words/fr.yaml").write_text("parties prenantes: partenaires\n", encoding="utf-8")
    site = load_site(Project(content, config_path))
    read = [path for lang in ("en", "fr") for path in plain_words.team_files(site, lang)]
    assert files_read(site) == sorted(read) == [tmp_path / "words/en.yaml", tmp_path / "words/fr.yaml"]


@pytest.mark.parametrize("link, says", [
    ("data/glossary.yaml", "data/glossary.yaml:1: error: this is a link to "),
    ("data", "data:1: error: this is a link to another folder"),
])
def test_data_files_do_not_lead_out_of_the_data_folder(tmp_path, link, says):
    project = site_with(tmp_path / "project", {})
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/glossary.yaml").write_text("SECRET: {en: hunter2-SECRET, fr: x}\n", encoding="utf-8")
    if link == "data":
        (project / "data").symlink_to(tmp_path / "outside")
    else:
        (project / "data").mkdir()
        (project / link).symlink_to(tmp_path / "outside/glossary.yaml")
    code, output = run(project, "check", "--no-cache")
    assert code == 2 and says in output, output
    assert "hunter2" not in output and ("outside the data folder" in output or link == "data")


# -- plain words for two more mistakes --------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])  # "utf-16" writes a byte-order mark
def test_a_utf16_page_is_called_utf16(tmp_path, encoding):
    site_with(tmp_path, {})
    (tmp_path / "content/en/a.md").write_bytes(page("Été", "Du texte.\n").encode(encoding))
    code, output = run(tmp_path, "check", "--skip-checks", "--no-cache")
    assert code == 2, output
    assert "content/en/a.md:1: error: the page is saved as UTF-16; open it in your editor and save it with the " \
           "encoding UTF-8" in output
    assert "picture" not in output


def test_a_folder_given_as_config_is_called_a_folder(tmp_path):
    site_with(tmp_path, {})
    code, output = run(tmp_path, "check", "--config", "content")
    assert code == 2, output
    assert "content:1: error: this is a folder, not the site configuration file; name the file itself, such as " \
           "--config content/site.yaml" in output
