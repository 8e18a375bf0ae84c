"""Security (#16, point 11): messages, markup and serving.

Control characters never reach the terminal, a CI log or the HTML; the GitHub step summary shows
content as text; raw HTML (`allow_raw_html: true`) is balanced and cannot take the templates' ids;
validation patterns match whole values; `serve` bounds its connections; `audit` runs Chromium with
its sandbox where the machine allows it.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

import clair.cli
from clair import browser, report, serve
from clair.glossary import load_glossary
from clair.model import ContentError, Finding
from clair.project import Project
from clair.sanitize import sanitise_html
from clair.serve_build import SCRATCH, Builder, Outcome
from conftest import SITE_YAML, minimal_pages, page, write_tree

WAIT = 10  # seconds: the longest any poll or read waits
RAW_HTML = SITE_YAML + "allow_raw_html: true\n"
TITLE_SEQUENCE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLIPBOARD_SEQUENCE = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes to the terminal's clipboard
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def finding(message: str, file: str = "content/en/a.md") -> Finding:
    return Finding(file, 4, "readability.sentence-length", "error", message)


def built(capsys, folder: Path, pages: dict[str, str], config: str = SITE_YAML, *args: str) -> tuple[int, str]:
    """`build` of the pages (paths under content/) with two home pages and content/fr/a.md, run from inside
    `folder` with --skip-checks: (exit code, everything printed)."""
    write_tree(folder, {**minimal_pages(), "fr/a.md": page("A", "Du texte.\n"), **pages}, config)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = clair.cli.main(["build", "--content", "content", "--out", "site", "--config", "site.yaml",
                               "--skip-checks", *args])
    finally:
        os.chdir(cwd)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def main_html(folder: Path, url: str = "en/a") -> str:
    text = (folder / "site" / url / "index.html").read_text(encoding="utf-8")
    return text.split("<main", 1)[1].split("</main>", 1)[0]


# -- 1. control characters -------------------------------------------------------------------------

def test_text_report_shows_control_characters_as_symbols():
    text = report.as_text([finding(f"Use “{TITLE_SEQUENCE}” {CLIPBOARD_SEQUENCE} \r\x9b2J",
                                   file="content/en/\x1b[2Ja.md")])
    assert not RAW_CONTROLS.search(text), repr(text)
    assert "␛]0;pwned␇" in text and "content/en/␛[2Ja.md:4" in text


def test_coloured_text_report_keeps_only_its_own_colours():
    text = report.as_text([finding(TITLE_SEQUENCE)], colour=True)
    assert "\x07" not in text and "␛]0;pwned␇" in text
    assert set(re.findall(r"\x1b\[[0-9;]*m", text)) <= {"\x1b[1m", "\x1b[31m", "\x1b[0m"}
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", text)


def test_github_annotations_carry_no_control_characters():
    text = report.as_github([finding(f"{TITLE_SEQUENCE}\r::error::forged\n::error::forged",
                                     file="content/en/\x1b]0;x\x07.md")])
    assert not RAW_CONTROLS.search(text.replace("\n", "")), repr(text)
    assert [line for line in text.splitlines() if line.startswith("::")] == [text.splitlines()[0]]  # one command
    assert text.startswith("::error file=content/en/␛]0;x␇.md,") and "␛]0;pwned␇" in text


def test_json_report_escapes_every_control_character_and_keeps_the_text():
    message = f"{TITLE_SEQUENCE} \x7f \x9b2J \x85"
    text = report.as_json([finding(message)])
    assert not RAW_CONTROLS.search(text.replace("\n", "")), repr(text)
    assert json.loads(text)["findings"][0]["message"] == message


def test_preview_terminal_lines_show_file_names_without_control_characters():
    outcome = Outcome("pages", 0.01, ["content/en/\x1b]0;x\x07.md"], pages=["content/en/\x1b]0;x\x07.md"],
                      findings=[finding(TITLE_SEQUENCE)])
    said = serve.describe(outcome)
    assert not RAW_CONTROLS.search(said.replace("\n", "")), repr(said)
    assert "Rebuilt content/en/␛]0;x␇.md" in said


@pytest.mark.parametrize("title,code", [(r'"A\0B"', "U+0000"), (r'"\e[31mred"', "U+001B"),
                                        (r'"\x1b]0;pwned\x07"', "U+001B"), (r'"A\x9bB"', "U+009B"),
                                        (r'"A\rB"', "U+000D")])
def test_front_matter_escapes_of_control_characters_are_refused_at_their_line(tmp_path, capsys, title, code):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": f"---\ntitle: A\ndescription: {title}\n---\nText.\n"})
    assert exit_code == 2, output
    assert f"content/en/a.md:3: error: the settings block has an invisible control character ({code})" in output
    assert not RAW_CONTROLS.search(output.replace("\n", "")), repr(output)


def test_tabs_and_newlines_written_as_escapes_are_still_accepted(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": '---\ntitle: "A\\tB"\ndescription: "one\\ntwo"\n---\n'})
    assert exit_code == 0, output


def test_control_characters_in_a_page_are_refused_at_their_line(tmp_path, capsys):
    body = f"First line.\n\nSecond {TITLE_SEQUENCE} and {CLIPBOARD_SEQUENCE}.\n"
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", body)})
    assert exit_code == 2, output
    assert "content/en/a.md:7: error: this line contains an invisible control character (U+001B)" in output
    assert not RAW_CONTROLS.search(output.replace("\n", "")), repr(output)


def test_a_file_name_with_an_escape_sequence_is_shown_with_symbols(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {f"en/x{TITLE_SEQUENCE}.MD": page("X")})
    assert exit_code == 2
    assert "content/en/x␛]0;pwned␇.MD:1: error: Markdown pages must end in `.md`" in output
    assert not RAW_CONTROLS.search(output.replace("\n", "")), repr(output)


def test_github_format_names_such_a_file_with_symbols_too(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {f"en/x{TITLE_SEQUENCE}.MD": page("X")}, SITE_YAML,
                              "--format", "github")
    assert exit_code == 2
    assert "file=content/en/x␛]0;pwned␇.MD" in output and not RAW_CONTROLS.search(output.replace("\n", ""))


# -- 2. the GitHub step summary ---------------------------------------------------------------------

def test_step_summary_shows_content_as_text(tmp_path, monkeypatch):
    hostile = '<img src="https://evil.example/t.png"> [click](https://evil.example) **bold** `code` | forged | @team'
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report.write_step_summary([finding(hostile + TITLE_SEQUENCE, file="content/en/a|b<i>.md")])
    text = summary.read_text(encoding="utf-8")
    row = text.strip().splitlines()[-1]
    assert "<img" not in text and "<i>" not in text and "&lt;img" in row
    assert "[click]" not in row and "\\[click\\]" in row and "\\*\\*bold\\*\\*" in row and "\\`code\\`" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6, row  # five cells: the content's own bars are escaped
    assert not RAW_CONTROLS.search(text.replace("\n", ""))


def test_step_summary_keeps_html_entities_as_written():
    assert "&amp;lt;" in report.as_markdown_summary([finding("&lt;script&gt;")])


# -- 3. the raw HTML sanitiser -----------------------------------------------------------------------

@pytest.mark.parametrize("fragment,clean", [
    ('<a href="https://example.ca">link', '<a href="https://example.ca">link</a>'),
    ("<div><p>text", "<div><p>text</p></div>"),
    ("</a></div>text</span>", "text"),
    ("<b><i>x</b>y</i>", "<b><i>x</i></b>y"),
    ("<span/>text", "<span></span>text"),
    ("<br>line<hr>", "<br>line<hr>"),
])
def test_a_raw_html_block_closes_what_it_opens_and_nothing_else(fragment, clean):
    assert sanitise_html(fragment) == clean


def test_an_unclosed_link_does_not_take_the_next_paragraphs(tmp_path, capsys):
    body = 'Intro <a href="https://example.ca">the link\n\nNext paragraph.\n\nA <b>bold\n\nB</b> c.\n'
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", body)}, RAW_HTML)
    assert exit_code == 0, output
    html = main_html(tmp_path)
    assert '<p>Intro <a href="https://example.ca">the link</a></p>' in html
    assert "<p>Next paragraph.</p>" in html
    assert "<p>A <b>bold</b></p>" in html and "<p>B c.</p>" in html  # a stray closer is dropped


def test_inline_tags_closed_later_in_their_paragraph_are_kept(tmp_path, capsys):
    body = 'The <abbr title="Ontario Public Service">OPS</abbr> and <span lang="fr">la\nFPO</span>.\n'
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", body)}, RAW_HTML)
    assert exit_code == 0, output
    assert ('<p>The <abbr title="Ontario Public Service">OPS</abbr> and <span lang="fr">la\nFPO</span>.</p>'
            in main_html(tmp_path))


def test_an_unclosed_raw_html_block_is_closed_before_the_next_block(tmp_path, capsys):
    body = '<div lang="fr">\n<span>texte\n\nNext paragraph.\n\n</div>\n'
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", body)}, RAW_HTML)
    assert exit_code == 0, output
    html = main_html(tmp_path)
    assert '<div lang="fr">\n<span>texte\n</span></div>' in html and "<p>Next paragraph.</p>" in html
    assert html.count("</div>") == html.count("<div")


@pytest.mark.parametrize("body,line,value", [
    ('<span id="main-content">x</span>\n', 5, "main-content"),
    ('Some text,\nthen <span id="search-query">x</span>.\n', 6, "search-query"),
    ('<div id="toc-heading">\nx\n</div>\n', 5, "toc-heading"),
])
def test_raw_html_may_not_take_an_id_the_templates_use(tmp_path, capsys, body, line, value):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", body)}, RAW_HTML)
    assert exit_code == 2, output
    assert (f'content/en/a.md:{line}: error: the id "{value}" is used by the site\'s templates (' in output
            and "give this element another id" in output)


def test_raw_html_keeps_its_own_ids(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", '<span id="my-note">x</span>\n')}, RAW_HTML)
    assert exit_code == 0, output
    assert '<span id="my-note">x</span>' in main_html(tmp_path)


def test_without_raw_html_such_ids_are_only_text(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", '<span id="main-content">x</span>\n')})
    assert exit_code == 0, output


# -- 4. whole-value patterns ---------------------------------------------------------------------------

def test_a_slug_ending_in_a_newline_is_refused(tmp_path, capsys):
    exit_code, output = built(capsys, tmp_path, {"en/a.md": page("A", "Text.\n", slug='"a\\n"')})
    assert exit_code == 2, output
    assert "content/en/a.md:4: error: `slug: a" in output and "may only use lower-case letters" in output


def test_a_glossary_name_ending_in_a_newline_is_not_an_acronym(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text('"OPS\\n":\n  en: {abbr: OPS, term: Ontario Public Service, definition: The service.}\n'
                    "  fr: {abbr: FPO, term: Fonction publique, definition: La fonction.}\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_glossary(path)
    assert "is not an acronym" in raised.value.message


def test_a_file_name_ending_in_a_newline_is_not_an_editors_scratch_file():
    assert SCRATCH.search("notes.swp") and not SCRATCH.search("notes.swp\n")
    assert SCRATCH.search("4913") and not SCRATCH.search("4913\n")


# -- 5. serve: timeouts and a bounded number of threads -----------------------------------------------

@pytest.fixture
def preview(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 4, raising=False)
    monkeypatch.setattr(serve, "BUSY_WAIT", 0.5, raising=False)
    content, config = write_tree(tmp_path, minimal_pages())
    server = serve.Preview(Builder(Project.from_options(content, config)), port=0, out=open(os.devnull, "w"))
    server.start_server()
    server.build()
    yield server
    server.stop()
    server.out.close()


def connect(preview) -> socket.socket:
    connection = socket.create_connection((serve.HOST, preview.port), timeout=WAIT)
    connection.settimeout(WAIT)
    return connection


def request(preview, path: str = "/en/") -> bytes:
    """The whole response to a GET, read until the server closes the connection."""
    with connect(preview) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: {serve.HOST}:{preview.port}\r\n\r\n".encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def handler_threads() -> int:
    return sum("process_request_thread" in thread.name for thread in threading.enumerate())


def poll(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")


def test_a_silent_connection_is_closed_after_the_timeout(preview, monkeypatch):
    assert 0 < serve.Handler.timeout <= 60
    monkeypatch.setattr(serve.Handler, "timeout", 0.3)
    with connect(preview) as idle:
        assert request(preview).startswith(b"HTTP/1.0 200")  # another client is served meanwhile
        assert idle.recv(1024) == b""  # the server gave up on the silent one (well before WAIT)


def test_connections_beyond_the_limit_wait_or_get_503_and_threads_stay_bounded(preview):
    idle = [connect(preview) for _ in range(4)]
    try:
        poll(lambda: handler_threads() == 4, "the four silent connections to be taken")
        response = request(preview)
        assert response.startswith(b"HTTP/1.0 503"), response[:200]
        assert b"busy" in response
        more = [connect(preview) for _ in range(8)]
        assert handler_threads() <= 4
        for connection in more:
            connection.close()
    finally:
        for connection in idle:
            connection.close()
    poll(lambda: request(preview).startswith(b"HTTP/1.0 200"), "a free thread once the silent clients left")
    assert handler_threads() <= 4
    assert serve.PreviewServer.request_queue_size >= 64  # the connections that wait for the server to take them


# -- 6. audit: Chromium's sandbox ------------------------------------------------------------------------

class FakeChromium:
    """Playwright's `chromium`, recording launches; the sandbox starts or fails as told."""

    executable_path = sys.executable

    def __init__(self, failure: str | None):
        self.failure, self.launches = failure, []

    async def launch(self, **options):
        from playwright.async_api import Error

        self.launches.append(options)
        if options.get("chromium_sandbox") and self.failure:
            raise Error(self.failure)
        return "a browser"


class FakePlaywright:
    def __init__(self, failure: str | None = None):
        self.chromium = FakeChromium(failure)


def launched(playwright) -> object:
    return asyncio.run(browser.launch(playwright, sys.executable))


def test_chromium_runs_with_its_sandbox_where_it_can(capsys):
    playwright = FakePlaywright()
    assert launched(playwright) == "a browser"
    [options] = playwright.chromium.launches
    assert options["chromium_sandbox"] is True and "--no-sandbox" not in options["args"]
    assert capsys.readouterr().err == ""


def test_without_a_usable_sandbox_chromium_runs_without_it_and_says_so(capsys):
    playwright = FakePlaywright("Running as root without --no-sandbox is not supported. See https://crbug.com/638180.")
    assert launched(playwright) == "a browser"
    first, second = playwright.chromium.launches
    assert first["chromium_sandbox"] is True and second["chromium_sandbox"] is False
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "Chromium's sandbox cannot start on this machine" in said


def test_other_launch_failures_are_not_retried_without_the_sandbox():
    from playwright.async_api import Error

    playwright = FakePlaywright("Executable doesn't exist")
    with pytest.raises(Error):
        launched(playwright)
    assert len(playwright.chromium.launches) == 1
