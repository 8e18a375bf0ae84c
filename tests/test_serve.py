"""`python build.py serve`: a real HTTP client (urllib) against a preview of a temporary site on a free port.

Waits are bounded polls (up to WAIT seconds); nothing here asserts how fast a rebuild is.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

import pytest

from conftest import minimal_pages, page, write_tree

from clair.pipeline import Later, build_site
from clair.serve import Preview, lookup
from clair.project import Project
from clair.serve_build import Builder

WAIT = 10  # seconds: the longest any poll waits for a rebuild

GOALS_EN = page("Our goals", """
    We want a public service that works for everyone.

    ## What comes next

    We will report on our work every year.
    """, weight=1)
GOALS_FR = page("Nos objectifs", """
    Nous voulons une fonction publique qui sert bien tout le monde.

    ## La suite

    Nous ferons rapport sur notre travail chaque année.
    """, weight=1)
LONG_SENTENCE = ("This sentence is far too long for plain language because it keeps adding one more idea after "
                 "another idea until the reader loses track of what it was trying to say.")  # 31 words

PAGES = {
    **minimal_pages(),
    "en/plan/_index.md": page("The plan", "Our plan has one part.\n"),
    "fr/plan/_index.md": page("Le plan", "Notre plan a une partie.\n"),
    "en/plan/goals.md": GOALS_EN,
    "fr/plan/goals.md": GOALS_FR,
}


@pytest.fixture
def site(tmp_path):
    content, config = write_tree(tmp_path, PAGES)
    return content, config


@pytest.fixture
def preview(site):
    content, config = site
    out = io.StringIO()
    server = Preview(Builder(Project.from_options(content, config, cache=True)), port=0, out=out)
    server.start_server()
    server.build()
    server.watch()
    yield server
    server.stop()


def get(preview: Preview, path: str) -> tuple[int, str, dict]:
    """(status, text, headers) of a GET, 4xx and 5xx included."""
    try:
        with urllib.request.urlopen(preview.url.rstrip("/") + path, timeout=WAIT) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers) | {"url": response.url}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), dict(error.headers)


def wait_for(condition, what: str):
    """Poll `condition()` until it returns something true, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def save(path: Path, text: str) -> None:
    """Write like an editor does, and make sure the modification time moves even on coarse clocks."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    stamp = max(time.time_ns(), before + 1_000_000_000)
    os.utime(path, ns=(stamp, stamp))


def test_serves_built_pages_assets_and_types(preview):
    status, text, headers = get(preview, "/en/plan/goals/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "We want a public service" in text and '<html lang="en">' in text
    status, text, headers = get(preview, "/assets/style.css")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    status, text, headers = get(preview, "/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml") and "<urlset" in text
    status, text, headers = get(preview, "/")
    assert status == 200 and "/en/" in text and "/fr/" in text  # the language choice page
    status, _, headers = get(preview, "/en/plan")  # no trailing slash: redirected to the folder's page
    assert status == 200 and headers["url"].endswith("/en/plan/")


def test_missing_addresses_get_the_language_404_page_with_status_404(preview):
    status, text, _ = get(preview, "/fr/nulle-part/")
    assert status == 404 and '<html lang="fr">' in text
    status, text, _ = get(preview, "/en/nowhere.html")
    assert status == 404 and '<html lang="en">' in text
    status, text, _ = get(preview, "/en/../../etc/passwd")
    assert status == 404


def test_requests_for_other_host_names_are_refused(preview):
    request = urllib.request.Request(preview.url + "en/", headers={"Host": f"evil.example:{preview.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=WAIT)
    assert refused.value.code == 421
    request = urllib.request.Request(preview.url + "en/", headers={"Host": f"localhost:{preview.port}"})
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        assert response.status == 200


def test_lookup_maps_addresses_to_files():
    files = {PurePosixPath(p): "" for p in ("index.html", "en/index.html", "en/x/index.html", "en/404.html",
                                            "fr/404.html", "media/a b.png")}
    assert lookup(files, "/") == (200, PurePosixPath("index.html"), None)
    assert lookup(files, "/en/x/") == (200, PurePosixPath("en/x/index.html"), None)
    assert lookup(files, "/en/x") == (301, None, "/en/x/")
    assert lookup(files, "/media/a%20b.png") == (200, PurePosixPath("media/a b.png"), None)
    assert lookup(files, "/fr/y/") == (404, PurePosixPath("fr/404.html"), None)
    assert lookup(files, "/../en/x/../../fr/") == (404, PurePosixPath("en/404.html"), None)


def test_reload_script_is_added_by_serve_only(preview, site):
    _, text, _ = get(preview, "/en/plan/goals/")
    assert text.count('<script src="/__clair/reload.js"') == 1
    assert text.index("/__clair/reload.js") > text.index("</main>") and text.rstrip().endswith("</html>")
    status, script, headers = get(preview, "/__clair/reload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and "EventSource" in script
    status, _, headers = get(preview, "/__clair/serve.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    built = build_site(Project(*site)).files  # what `build` publishes
    assert not [path for path, text in built.items() if isinstance(text, str) and "__clair" in text]
    assert not [path for path, text in preview.builder.result.files.items()
                if isinstance(text, str) and "__clair" in text]


def test_an_edited_page_is_served_after_the_rebuild(preview, site):
    content, _ = site
    save(content / "en/plan/goals.md", GOALS_EN.replace("every year", "every spring"))
    wait_for(lambda: "every spring" in get(preview, "/en/plan/goals/")[1], "the edited text")
    assert preview.last.kind == "pages"  # only the page and its translation were rebuilt
    assert "Rebuilt" in preview.out.getvalue()


def test_the_events_stream_announces_each_rebuild(preview, site):
    content, _ = site
    with urllib.request.urlopen(preview.url + "__clair/events", timeout=WAIT) as events:
        assert events.headers["Content-Type"].startswith("text/event-stream")

        def next_build() -> str:
            while True:
                line = events.readline().decode()
                assert line, "the stream ended"
                if line.startswith("data: "):
                    return line[6:].strip()

        first = next_build()
        assert first == preview.snapshot.generation
        save(content / "fr/plan/goals.md", GOALS_FR.replace("chaque année", "chaque printemps"))
        assert next_build() != first
    assert "chaque printemps" in get(preview, "/fr/plan/goals/")[1]


def test_findings_of_the_viewed_page_show_in_a_banner_and_the_terminal(preview, site):
    content, _ = site
    _, text, _ = get(preview, "/en/plan/goals/")
    assert "This sentence has" not in text
    save(content / "en/plan/goals.md", GOALS_EN.replace("## What comes next", LONG_SENTENCE + "\n\n## What comes next"))
    # the long sentence is on line 8 of the file: 5 lines of settings, 2 of text, then it
    text = wait_for(lambda: (lambda t: "This sentence has" in t and t)(get(preview, "/en/plan/goals/")[1]),
                    "the findings banner")
    start = text.index('<section id="clair-preview-banner"')
    banner = text[start:text.index("</section>", start)]
    assert 'role="status"' in banner and '<button type="button" class="clair-preview-close">' in banner
    assert "line 8: This sentence has 31 words" in banner and "readability.sentence-length" in banner
    assert text.index("clair-preview-banner") < text.index('class="skip-link"') < text.index("<main")
    assert '<link rel="stylesheet" href="/__clair/serve.css">' in text.split("</head>")[0]
    assert "This sentence has" not in get(preview, "/fr/plan/goals/")[1]  # each page shows its own findings
    assert "goals.md:8: error: This sentence has 31 words" in preview.out.getvalue()


def test_bad_content_keeps_the_last_good_build_and_shows_the_error_until_fixed(preview, site):
    content, _ = site
    goals = content / "en/plan/goals.md"
    save(goals, GOALS_EN.replace("every year", "every spring"))
    wait_for(lambda: "every spring" in get(preview, "/en/plan/goals/")[1], "the good edit")
    save(goals, '---\ntitle: "Our goals\ndescription: x\n---\nWe want a broken page.\n')
    text = wait_for(lambda: (lambda t: "clair-preview-errors" in t and t)(get(preview, "/en/plan/goals/")[1]),
                    "the error banner")
    error = f"{goals}:3: the settings block is not valid YAML: a quotation mark is opened but never closed"
    assert error in text and 'role="alert"' in text
    assert "every spring" in text and "broken page" not in text  # the last good build
    _, home, _ = get(preview, "/fr/")
    assert error in home  # every page shows the error
    assert "still serving the last good build" in preview.out.getvalue()
    save(goals, GOALS_EN.replace("every year", "every autumn"))
    text = wait_for(lambda: (lambda t: "every autumn" in t and t)(get(preview, "/en/plan/goals/")[1]), "the fix")
    assert "clair-preview-errors" not in text and "clair-preview-errors" not in get(preview, "/fr/")[1]


def test_a_new_title_rebuilds_every_page_that_shows_it(preview, site):
    content, _ = site
    save(content / "en/plan/goals.md", GOALS_EN.replace("title: Our goals", "title: What we aim for"))
    wait_for(lambda: "What we aim for" in get(preview, "/en/plan/")[1], "the section listing the new title")
    assert preview.last.kind == "full"


def test_an_edited_template_rebuilds_the_site(site, tmp_path):
    # a copy of the templates, so the test can edit one
    import shutil

    from clair.project import DEFAULT_TEMPLATES as TEMPLATES_DIR, Project

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    content, config = tmp_path / "content", tmp_path / "site.yaml"
    other = Preview(Builder(Project.from_options(content, config, templates=templates, cache=True)), port=0, out=io.StringIO())
    other.start_server()
    try:
        other.build()
        other.watch()
        base = templates / "base.html"
        save(base, base.read_text(encoding="utf-8").replace("</main>", "<p>Template edited.</p>\n</main>"))
        wait_for(lambda: "Template edited." in get(other, "/en/plan/goals/")[1], "the edited template")
        assert other.last.kind == "full"
    finally:
        other.stop()


def test_pages_rebuilt_one_by_one_match_a_full_build(site):
    """The incremental path gives the files and findings a full build of the same sources gives."""
    content, config = site
    builder = Builder(Project.from_options(content, config, cache=True))
    builder.rebuild(builder.scan())
    save(content / "en/plan/goals.md",
         GOALS_EN.replace("## What comes next", LONG_SENTENCE + "\n\n## What comes next").replace("## What", "## Then"))
    outcome = builder.rebuild(builder.scan())
    assert outcome.kind == "pages" and not outcome.errors
    full = build_site(Project(content, config))
    served = builder.snapshot("x").files
    for path, text in full.files.items():
        mine = served[path]
        assert (mine.get() if isinstance(mine, Later) else mine) == text, path
    assert sorted(builder.result.findings) == sorted(full.findings)


def test_ctrl_c_stops_the_server_cleanly(site, tmp_path):
    content, config = site
    command = [sys.executable, str(Path(__file__).resolve().parent.parent / "build.py"), "serve", "--port", "0",
               "--content", str(content), "--config", str(config), "--skip-checks"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if not line or line.startswith("Watching"):
                break
        assert any(line.startswith("Watching") for line in lines), lines
        url = next(line.split()[2] for line in lines if line.startswith("Preview at"))
        with urllib.request.urlopen(url + "en/", timeout=WAIT) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Stopped the preview server" in out


def test_a_site_that_cannot_be_built_at_start_is_served_once_fixed(site):
    content, config = site
    goals = content / "en/plan/goals.md"
    save(goals, "---\ntitle: [unclosed\n---\nText.\n")
    preview = Preview(Builder(Project.from_options(content, config, cache=True)), port=0, out=io.StringIO())
    preview.start_server()
    try:
        preview.build()
        preview.watch()
        status, text, _ = get(preview, "/en/plan/goals/")
        assert status == 503 and "clair-preview-errors" in text and f"{goals}:" in text
        assert get(preview, "/assets/style.css")[0] == 200
        save(goals, GOALS_EN)
        wait_for(lambda: get(preview, "/en/plan/goals/")[0] == 200, "the first good build")
        assert "clair-preview-errors" not in get(preview, "/en/plan/goals/")[1]
    finally:
        preview.stop()
