"""In a real headless Chromium: the sample site has zero axe violations and zero vnu errors on every
page of both languages, a site with known faults gets exactly those faults reported on the right
pages, the keyboard path works, and screenshots come out at both widths.

One Chromium for the whole session. In CI (`CI` set) a missing browser, axe-core or Java fails these
tests; on a developer's machine they are skipped with the reason."""
import asyncio
import importlib.util
import json
import os
import struct
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from clair import audit
from clair.browser import LAUNCH_ARGS, BrowserNotFound, find_browser, serve
from clair.project import Project
from clair.pipeline import build_site, publish
from conftest import minimal_pages, write_tree

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FAULTY = ROOT / "tests" / "fixtures" / "faulty_site"
IN_CI = bool(os.environ.get("CI"))


def unavailable(reason: str):
    """Fail in CI (browser tests must run there), skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


class Session:
    """An event loop and one Chromium, shared by every browser test."""

    def __init__(self):
        from playwright.async_api import async_playwright

        self.loop = asyncio.new_event_loop()
        self.playwright = self.run(async_playwright().start())
        try:
            try:
                bundled = self.playwright.chromium.executable_path
            except Exception:
                bundled = None
            self.executable = find_browser(bundled=bundled)
            self.browser = self.run(self.playwright.chromium.launch(executable_path=self.executable,
                                                                    headless=True, args=LAUNCH_ARGS))
        except BaseException:
            self.run(self.playwright.stop())
            self.loop.close()
            raise

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def close(self):
        self.run(self.browser.close())
        self.run(self.playwright.stop())
        self.loop.close()


def start_browser() -> Session:
    """One headless Chromium, or a skip (a failure in CI) saying what is missing; other browser tests use it too."""
    if importlib.util.find_spec("playwright") is None:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    try:
        return Session()
    except BrowserNotFound as err:
        unavailable(str(err))


@pytest.fixture(scope="session")
def session(axe):
    """The session's Chromium (conftest.py), with axe-core."""
    return axe


@pytest.fixture(scope="session")
def java():
    found = audit.find_java()
    if not found:
        unavailable(f"Java was not found, so vnu cannot run: {audit.JAVA_HELP}")
    if audit.find_tool(audit.VNU_PATH, "CLAIR_VNU") is None:
        unavailable(f"vnu.jar is not installed: {audit.NPM_HELP}")
    return found


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The sample publication, built from content/ and written like `build` does: (folder, model)."""
    result = build_site(Project(ROOT / "content", ROOT / "site.yaml"), run_checks=False)
    out = tmp_path_factory.mktemp("audit-sample") / "site"
    publish(result, out)
    return out, result.site


@pytest.fixture(scope="session")
def sample_audit(session, java, sample):
    out, site = sample
    return session.run(audit.run_audit(session.browser, out, site, java=java))


def grouped(findings):
    by_file = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(f"{finding.file}:{finding.line}: {finding.severity}: {finding.message} "
                                     f"[{finding.check}]")
    return "\n".join(line for lines in by_file.values() for line in lines)


# ----------------------------------------------------------------------------- the sample site

def test_every_page_of_both_languages_was_audited(sample, sample_audit):
    out, site = sample
    html_files = [p for p in out.rglob("*.html")]
    assert sample_audit.pages == len(html_files)
    paths = {t.path for t in audit.site_targets(out, site)}
    assert {p.url for p in site.pages} <= paths  # every content page of both languages
    assert {"/", "/en/404.html", "/fr/404.html"} <= paths
    assert len([p for p in paths if p.startswith("/fr/")]) == len([p for p in paths if p.startswith("/en/")])


def test_sample_site_has_zero_axe_violations(sample_audit):
    axe = [f for f in sample_audit.findings if not f.check == "html.vnu"]
    assert axe == [], "\n" + grouped(axe)


def test_sample_site_has_zero_vnu_errors_or_warnings(sample_audit):
    assert sample_audit.vnu_skipped is None
    assert sample_audit.vnu_version
    vnu = [f for f in sample_audit.findings if f.check == "html.vnu"]
    assert vnu == [], "\n" + grouped(vnu)


# ----------------------------------------------------------------------------- known faults

# page -> the checks that must be reported there (and nothing else is allowed as an error there)
EXPECTED = {
    "en/clean/index.html": set(),
    "en/missing-alt/index.html": {"a11y.axe.image-alt", "html.vnu"},
    "en/low-contrast/index.html": {"a11y.axe.color-contrast"},
    "en/skipped-heading/index.html": {"a11y.axe.heading-order", "html.vnu"},
    "fr/sans-langue/index.html": {"a11y.axe.html-has-lang", "html.vnu"},
    "fr/id-en-double/index.html": {"html.vnu"},
    "en/blocked-style/index.html": {"browser.console"},
}


@pytest.fixture(scope="session")
def faulty_audit(session, java):
    return session.run(audit.run_audit(session.browser, FAULTY, java=java))


def test_known_faults_are_found_on_the_right_pages(faulty_audit):
    found = defaultdict(set)
    for finding in faulty_audit.findings:
        found[Path(finding.file).resolve().relative_to(FAULTY).as_posix()].add(finding.check)
    for page, checks in EXPECTED.items():
        assert checks <= found[page], \
            f"{page}: expected {checks}, found {found[page]}\n{grouped(faulty_audit.findings)}"
    assert set(found) <= set(EXPECTED)
    assert not found["en/clean/index.html"], grouped(faulty_audit.findings)
    assert faulty_audit.pages == len(EXPECTED)


def finding(report, page, check, text=""):
    matches = [f for f in report.findings if f.file.endswith(page) and f.check == check and text in f.message]
    assert matches, f"no {check} on {page} mentioning {text!r}\n{grouped(report.findings)}"
    return matches[0]


def test_known_faults_say_what_where_and_how_bad(faulty_audit):
    alt = finding(faulty_audit, "en/missing-alt/index.html", "a11y.axe.image-alt")
    assert alt.severity == "error" and "/en/missing-alt/" in alt.message and "`img`" in alt.message
    assert "dequeuniversity.com/rules/axe/" in alt.message and alt.line == 12
    contrast = finding(faulty_audit, "en/low-contrast/index.html", "a11y.axe.color-contrast")
    assert contrast.severity == "error" and "#b0b0b0" in contrast.message
    heading = finding(faulty_audit, "en/skipped-heading/index.html", "a11y.axe.heading-order")
    assert heading.severity == "warning"  # moderate
    lang = finding(faulty_audit, "fr/sans-langue/index.html", "a11y.axe.html-has-lang")
    assert lang.severity == "error"
    duplicate = finding(faulty_audit, "fr/id-en-double/index.html", "html.vnu", "Duplicate ID")
    assert duplicate.severity == "error" and duplicate.line == 16 and "HTML line 16" in duplicate.message
    csp = finding(faulty_audit, "en/blocked-style/index.html", "browser.console", "Content Security Policy")
    assert csp.severity == "error"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_without_java_axe_runs_alone_and_screenshots_come_at_both_widths(session, tmp_path):
    shots = tmp_path / "shots"
    report = session.run(audit.run_audit(session.browser, FAULTY, screenshots=shots, java=None))
    assert report.vnu_skipped and "Java" in report.vnu_skipped
    assert not [f for f in report.findings if f.check == "html.vnu"]
    assert any(f.check == "a11y.axe.image-alt" for f in report.findings)
    assert "HTML validation skipped" in report.summary()
    assert len(report.screenshots) == 2 * report.pages
    wide, narrow = png_size(shots / "en_clean.1280.png"), png_size(shots / "en_clean.375.png")
    assert wide[0] == 1280 and narrow[0] == 375
    assert narrow[1] >= 300 and wide[1] >= 300


# ----------------------------------------------------------------------------- keyboard

async def keyboard_path(browser, base_url: str, path: str) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        await page.goto(base_url + path)
        focused = "(el => el ? {cls: el.className, id: el.id, tag: el.tagName, " \
                  "outline: getComputedStyle(el).outlineStyle, top: el.getBoundingClientRect().top} : null)" \
                  "(document.activeElement)"
        await page.keyboard.press("Tab")
        first = await page.evaluate(focused)
        await page.keyboard.press("Enter")
        after_skip = await page.evaluate(focused)
        await page.goto(base_url + path)
        order = []
        for _ in range(10):
            await page.keyboard.press("Tab")
            state = await page.evaluate(focused)
            order.append(state["cls"])
            if "language-toggle" in state["cls"]:
                toggle_outline = state["outline"]
                break
        else:
            toggle_outline = None
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        landed = {"path": await page.evaluate("location.pathname"),
                  "lang": await page.evaluate("document.documentElement.lang")}
        return {"first": first, "after_skip": after_skip, "order": order, "toggle_outline": toggle_outline,
                "landed": landed}
    finally:
        await context.close()


@pytest.mark.parametrize("path, counterpart, other", [
    ("/en/ops-future-2018/pillars/serve/", "/fr/fpo-avenir-2018/piliers/servir/", "fr"),
    ("/fr/fpo-avenir-2018/piliers/servir/", "/en/ops-future-2018/pillars/serve/", "en"),
])
def test_keyboard_skip_link_then_main_and_language_toggle(session, sample, path, counterpart, other):
    out, _ = sample
    with serve(out) as base_url:
        result = session.run(keyboard_path(session.browser, base_url, path))
    assert result["first"]["cls"] == "skip-link", result
    assert result["first"]["top"] >= 0, "the focused skip link must be on screen"
    assert result["first"]["outline"] != "none", "the focused skip link must show its focus"
    assert (result["after_skip"]["tag"], result["after_skip"]["id"]) == ("MAIN", "main-content"), result
    assert "language-toggle" in result["order"][-1], result["order"]
    assert result["toggle_outline"] != "none"
    assert result["landed"] == {"path": counterpart, "lang": other}


# ----------------------------------------------------------------------------- the command

def test_audit_command_builds_and_audits_a_site(session, java, tmp_path):
    """`python build.py audit` builds into a temporary folder, audits, prints JSON, exits 0."""
    content, config = write_tree(tmp_path, minimal_pages())
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "audit", "--content", str(content),
                             "--config", str(config), "--format", "json", "--browser", session.executable],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["summary"] == {"errors": 0, "warnings": 0}, result.stdout
    # two home pages, the splash, three 404 pages (the root's, which hosts show, and each language's) and
    # the two search pages
    assert document["audit"]["pages"] == 8 and document["audit"]["html_validation"] == "done"
    assert "Audited 8 pages" in result.stderr


def test_audit_command_fails_on_faults_with_github_annotations(session, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "audit", "--site", str(FAULTY),
                             "--format", "github", "--browser", session.executable],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "GITHUB_STEP_SUMMARY": ""})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "::error file=tests/fixtures/faulty_site/en/missing-alt/index.html,line=12,title=a11y.axe.image-alt::" \
        in result.stdout
