"""The audit's plumbing without a browser: which pages, which source files, how axe and vnu results
become findings, and what happens when Chromium or the pinned tools are missing."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clair import audit
from clair.audit import axe_findings, axe_source_line, site_targets, vnu_findings
from clair.browser import BrowserNotFound, find_browser, screenshot_name
from clair.project import Project
from clair.pipeline import build_site, publish
from conftest import minimal_pages, page, write_tree

ROOT = Path(__file__).resolve().parent.parent
FAULTY = ROOT / "tests" / "fixtures" / "faulty_site"

PILLAR = page("Serve people", """\
    Intro paragraph.

    ## What we heard

    People want **simple** forms and clear letters.

    ![](chart.png)

    ## Our commitments

    We will write plainly.
    """)


@pytest.fixture
def built(tmp_path):
    """A small site built and written to disk: (site folder, site model)."""
    content, config = write_tree(tmp_path, {**minimal_pages(), "en/serve.md": PILLAR,
                                            "fr/serve.md": page("Servir", "Un paragraphe.\n", slug="servir")})
    result = build_site(Project(content, config), run_checks=False)
    out = tmp_path / "out"
    publish(result, out)
    return out, result.site


def by_path(targets):
    return {t.path: t for t in targets}


def test_every_html_file_is_a_target_with_its_source(built):
    out, site = built
    targets = by_path(site_targets(out, site))
    assert set(targets) == {"/", "/404.html", "/en/", "/fr/", "/en/serve/", "/fr/servir/", "/en/404.html",
                            "/fr/404.html", "/en/search/", "/fr/recherche/"}
    assert targets["/en/serve/"].source.endswith("content/en/serve.md")
    assert targets["/fr/servir/"].source.endswith("content/fr/serve.md")
    assert targets["/en/serve/"].page is not None
    assert targets["/en/404.html"].source.endswith("templates/404.html")
    assert targets["/404.html"].source.endswith("templates/404-root.html")
    assert targets["/"].source.endswith("templates/splash.html")


def test_without_a_site_model_the_built_file_is_the_source(built):
    out, _ = built
    targets = by_path(site_targets(out))
    assert targets["/en/serve/"].source.endswith("out/en/serve/index.html")
    assert targets["/en/serve/"].page is None


def violation(rule="color-contrast", impact="serious", **node):
    return {"id": rule, "impact": impact, "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": f"https://dequeuniversity.com/rules/axe/4.14/{rule}",
            "nodes": [{"target": ["p:nth-child(3)"], "html": "<p>", "impact": impact,
                       "failureSummary": "Fix any of the following:\n  Element has insufficient color contrast",
                       "inMain": True, **node}]}


def test_axe_impacts_become_severities_and_messages_say_where_and_why(built):
    out, site = built
    target = by_path(site_targets(out, site))["/en/serve/"]
    findings = axe_findings(target, [violation(impact="serious"), violation("heading-order", "moderate"),
                                     violation("image-alt", "critical"), violation("region", "minor")])
    assert [(f.check, f.severity) for f in findings] == [
        ("a11y.axe.color-contrast", "error"), ("a11y.axe.heading-order", "warning"),
        ("a11y.axe.image-alt", "error"), ("a11y.axe.region", "warning")]
    message = findings[0].message
    assert "/en/serve/" in message and "`p:nth-child(3)`" in message
    assert "Elements must meet minimum color contrast" in message
    assert "https://dequeuniversity.com/rules/axe/4.14/color-contrast" in message
    assert "Fix any of the following: Element has insufficient color contrast." in message
    assert all(f.file == target.source for f in findings)


def test_axe_elements_map_to_their_markdown_line(built):
    out, site = built
    serve = by_path(site_targets(out, site))["/en/serve/"].page
    lines = PILLAR.splitlines()
    number = lambda text: next(i for i, line in enumerate(lines, 1) if text in line)  # noqa: E731
    # by its own text, under its heading
    text = "People want simple forms and clear letters."
    assert axe_source_line(serve, {"inMain": True, "headingId": "what-we-heard", "text": text}) \
        == (number("People want"), False)
    # an image by its address
    assert axe_source_line(serve, {"inMain": True, "headingId": "what-we-heard", "src": "chart.png", "text": ""}) \
        == (number("chart.png"), False)
    # text the Markdown does not hold: the heading it sits under
    assert axe_source_line(serve, {"inMain": True, "headingId": "our-commitments", "text": "Zzz"}) \
        == (number("## Our commitments"), False)
    # above the first heading: the title's line; outside <main>: the layout, line 1
    assert axe_source_line(serve, {"inMain": True, "headingId": None, "text": ""}) == (number("title:"), False)
    assert axe_source_line(serve, {"inMain": False, "text": "Français"}) == (1, True)


def test_layout_elements_say_they_come_from_the_templates(built):
    out, site = built
    target = by_path(site_targets(out, site))["/en/serve/"]
    finding, = axe_findings(target, [violation(inMain=False)])
    assert finding.line == 1 and "page layout (templates/)" in finding.message


def vnu_report(out: Path, *messages):
    return {"version": "26.9.27 (c6ba02c)", "messages": [
        {"url": (out / rel).resolve().as_uri(), **message} for rel, message in messages]}


def test_vnu_errors_fail_warnings_warn_and_lines_map_to_markdown(built):
    out, site = built
    targets = site_targets(out, site)
    html = (out / "en/serve/index.html").read_text().splitlines()
    heading = next(n for n, line in enumerate(html, 1) if 'id="our-commitments"' in line)
    layout = next(n for n, line in enumerate(html, 1) if "language-toggle" in line)
    report = vnu_report(out,
                        ("en/serve/index.html", {"type": "error", "message": "Duplicate ID “x”.",
                                                 "lastLine": heading + 1, "extract": "<p id=\"x\">"}),
                        ("en/serve/index.html", {"type": "info", "subType": "warning", "message": "Consider a lang.",
                                                 "lastLine": layout}),
                        ("en/404.html", {"type": "error", "message": "Stray end tag “div”.", "lastLine": 3}))
    findings = vnu_findings(report, targets, out)
    duplicate, warning, stray = findings
    assert (duplicate.check, duplicate.severity) == ("html.vnu", "error")
    assert duplicate.file.endswith("content/en/serve.md")
    assert duplicate.line == next(i for i, line in enumerate(PILLAR.splitlines(), 1) if "## Our commitments" in line)
    assert f"HTML line {heading + 1}" in duplicate.message and "/en/serve/" in duplicate.message
    assert (warning.severity, warning.line) == ("warning", 1)
    assert stray.file.endswith("templates/404.html") and stray.severity == "error" and stray.line == 1


def test_vnu_without_a_site_model_points_at_the_html_line(built):
    out, _ = built
    report = vnu_report(out, ("en/serve/index.html", {"type": "error", "message": "Bad value.", "lastLine": 7}))
    finding, = vnu_findings(report, site_targets(out), out)
    assert finding.file.endswith("out/en/serve/index.html") and finding.line == 7


def test_vnu_file_url_csp_artefact_is_dropped(built):
    """On disk /assets/style.css is not on the page's origin; the browser checks the real CSP."""
    out, site = built
    report = vnu_report(out, ("en/serve/index.html", {
        "type": "info", "subType": "warning", "lastLine": 13,
        "message": "Resource violates Content Security Policy (meta tag): external stylesheet “/assets/style.css” "
                   "blocked by “style-src” directive."}))
    assert vnu_findings(report, site_targets(out, site), out) == []


def test_browser_search_order(tmp_path):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_browser(str(fake), env={}) == str(fake)
    assert find_browser(None, env={"CLAIR_BROWSER": str(fake)}) == str(fake)
    assert find_browser(None, env={}, names=(), paths=(), bundled=str(fake)) == str(fake)
    with pytest.raises(BrowserNotFound, match="from --browser"):
        find_browser(str(tmp_path / "nothing"), env={})


def test_no_browser_says_how_to_install_one():
    with pytest.raises(BrowserNotFound) as caught:
        find_browser(None, env={}, names=(), paths=(), bundled=None)
    message = str(caught.value)
    assert "apt-get install -y chromium" in message
    assert "playwright install chromium" in message
    assert "--browser" in message and "CLAIR_BROWSER" in message


def run_audit_command(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "audit", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)


def test_audit_command_without_a_browser_exits_2_with_instructions(tmp_path):
    if audit.find_tool(audit.AXE_PATH, "CLAIR_AXE") is None:
        pytest.skip("axe-core is not installed (npm ci): the audit stops before looking for a browser")
    result = run_audit_command("--site", str(FAULTY), "--browser", str(tmp_path / "no-such-chromium"))
    assert result.returncode == 2, result.stderr
    assert "apt-get install -y chromium" in result.stderr
    assert "no-such-chromium" in result.stderr


def test_audit_command_needs_a_built_site(tmp_path):
    result = run_audit_command("--site", str(tmp_path))
    assert result.returncode == 2
    assert "no built site here" in result.stderr


def test_audit_command_reports_load_errors_like_check(tmp_path):
    content, config = write_tree(tmp_path, {"en/_index.md": "---\ntitle: [unclosed\n---\n"})
    result = run_audit_command("--content", str(content), "--config", str(config), "--format", "json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["findings"][0]["check"] == "content.load"


def test_missing_axe_core_says_to_run_npm_ci(monkeypatch, tmp_path):
    audit.axe_source.cache_clear()
    monkeypatch.setenv("CLAIR_AXE", str(tmp_path / "missing.js"))
    try:
        with pytest.raises(audit.ToolMissing, match="npm ci"):
            audit.axe_source()
    finally:
        audit.axe_source.cache_clear()


def test_vnu_is_skipped_with_a_reason_without_java_or_jar(tmp_path):
    assert "Java was not found" in audit.start_vnu(tmp_path, None, tmp_path / "vnu.jar")
    assert "npm ci" in audit.start_vnu(tmp_path, "/usr/bin/java", None)


def test_screenshot_names_are_flat_and_distinct():
    assert screenshot_name("/", 1280) == "index.1280.png"
    assert screenshot_name("/en/a/b/", 375) == "en_a_b.375.png"
    assert screenshot_name("/fr/404.html", 1280) == "fr_404.1280.png"


def test_pinned_tools_are_exact_versions():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name in ("axe-core", "vnu-jar"):
        version = package["dependencies"][name]
        assert version[0].isdigit(), f"{name} must be pinned to an exact version, not {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
