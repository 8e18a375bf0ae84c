"""`python build.py audit`: every page of a built site in a real browser (axe-core) and through the
Nu HTML Checker (vnu.jar), each problem a Finding that points at the page's Markdown source.

Tools come pinned from package-lock.json (`npm ci`): node_modules/axe-core/axe.min.js and
node_modules/vnu-jar/build/dist/vnu.jar. Chromium comes from the system (see clair/browser.py).
"""
from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import command, report
from .browser import BrowserNotFound, PageVisit, launch, serve, visit_pages
from .glossary import PAGE_URLS as GLOSSARY_URLS
from .model import LANGUAGES, ContentError, ContentErrors, Finding, Page, Site
from .pipeline import build_site, publish
from .project import PACKAGE_DIR, Project, shown
from .report import EXIT_FINDINGS, EXIT_LOAD_ERROR, EXIT_OK, fail_to_load, print_findings
from .search import search_url
from .template_origin import Origin, body_span, find_origin, template_tags

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE_PATH = Path("node_modules/axe-core/axe.min.js")
VNU_PATH = Path("node_modules/vnu-jar/build/dist/vnu.jar")
AXE_ERRORS = {"critical", "serious"}  # axe impacts that fail the audit; moderate and minor warn
NPM_HELP = ("run `npm ci` in the project folder: it installs the pinned axe-core and vnu-jar "
            "from package-lock.json into node_modules/")
JAVA_HELP = "install Java 11 or later (Debian/Ubuntu: apt-get install -y default-jre-headless)"
# vnu reads the files from disk, where a root-relative address such as /assets/style.css is not on
# the page's origin, so it reports the page's own stylesheet as blocked by `style-src 'self'`. The
# browser loads the pages over HTTP and reports real Content-Security-Policy violations itself.
CONTEXT_LINES = 40  # lines above a flagged element read to tell which template holds it
VNU_FILE_CSP = re.compile(r"^Resource violates Content Security Policy .*“/(?!/)[^”]*”")


class ToolMissing(Exception):
    """A pinned tool the audit cannot run without; the message says how to install it."""


@dataclass
class Target:
    """One HTML file of the built site and what it was built from."""

    path: str  # URL path: /en/a/ for en/a/index.html, /en/404.html
    html_file: Path  # the built file
    source: str  # the file a writer fixes: the page's Markdown, the template, or the built file
    page: Page | None = None  # the site model's page, when the audit built the site
    template: str = ""  # a page a template makes alone (404, splash, search, glossary): its name
    project: Project | None = None  # when the audit built the site: where its templates are

    @property
    def from_template(self) -> bool:
        return bool(self.template)

    def fallback_line(self, html_line: int | None) -> int:
        """Without a Markdown page: the built file's line, or line 1 of a template."""
        return 1 if self.from_template else html_line or 1

    @functools.cached_property
    def html_lines(self) -> list[str]:
        return self.html_file.read_text(encoding="utf-8", errors="replace").splitlines()

    @functools.cached_property
    def body_lines(self) -> tuple[int, int] | None:
        """The built file's lines holding the page's rendered Markdown (see template_origin.body_span)."""
        return body_span(self.html_lines, self.page.html) if self.page is not None else None

    def template_origin(self, html_line: int | None, snippet: str) -> Origin | None:
        """The template (and its line) a flagged element comes from, or None when it is the Markdown's or
        cannot be told: anything outside the page's rendered Markdown is the layout's."""
        if self.project is None or (self.page is None and not self.template):
            return None
        in_body = False
        if self.page is not None:
            span = self.body_lines
            if span is None or not html_line:
                return None
            in_body = span[0] <= html_line <= span[1]
        tags = template_tags(tuple(self.project.template_files().items()))
        before = reversed(self.html_lines[max(0, (html_line or 1) - 1 - CONTEXT_LINES):(html_line or 1) - 1])
        found = find_origin(tags, snippet, in_body, prefer=self.template, before=before)
        return found or (None if in_body else Origin(self.template or "base.html", 1))

    def template_finding(self, origin: Origin, check: str, severity: str, message: str) -> Finding:
        """A finding at the template line an element comes from, saying so."""
        name = self.project.template_file(origin.template)
        return Finding(name, origin.line, check, severity,
                       f"{message} The element comes from the template {name}, not from the page's Markdown.")


@dataclass
class AuditReport:
    findings: list[Finding]
    pages: int
    seconds: float
    axe_version: str
    vnu_version: str | None = None
    vnu_skipped: str | None = None  # why HTML validation did not run
    screenshots: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"pages": self.pages, "seconds": round(self.seconds, 1), "axe_core": self.axe_version,
                "vnu": self.vnu_version, "html_validation": "skipped: " + self.vnu_skipped if self.vnu_skipped
                else "done", "screenshots": len(self.screenshots)}

    def summary(self) -> str:
        axe = sum(1 for f in self.findings if f.check.startswith("a11y.axe."))
        vnu = sum(1 for f in self.findings if f.check == "html.vnu")
        other = len(self.findings) - axe - vnu
        text = (f"Audited {self.pages} pages in {self.seconds:.1f} s with axe-core {self.axe_version}: "
                f"{axe} accessibility violation{'s' * (axe != 1)}")
        if self.vnu_skipped:
            text += f"; HTML validation skipped: {self.vnu_skipped}"
        else:
            text += f"; vnu {self.vnu_version}: {vnu} HTML problem{'s' * (vnu != 1)}"
        if other:
            text += f"; {other} browser error{'s' * (other != 1)} (pages that did not open, console errors)"
        if self.screenshots:
            text += f"; {len(self.screenshots)} screenshots"
        return text + "."


# ----------------------------------------------------------------------------- pages of a site

def site_targets(site_dir: Path, site: Site | None = None) -> list[Target]:
    """Every HTML file of the built site (pages, 404 pages, the splash, search...), with its source file: with
    the site model, a page's Markdown, or the template that makes the page alone."""
    by_url = site.by_url() if site else {}
    made = made_from_templates() if site else {}
    targets = []
    for html_file in sorted(site_dir.rglob("*.html")):
        rel = html_file.relative_to(site_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        posix = rel.as_posix()
        path = "/" + posix.removesuffix("index.html") if rel.name == "index.html" else "/" + posix
        page = by_url.get(path)
        template = "" if page is not None else made.get(path) or made.get(rel.name, "")
        source = str(page.source) if page is not None else (
            site.project.template_file(template) if template else shown(html_file.resolve()))
        targets.append(Target(path, html_file, source, page, template, site.project if site else None))
    return targets


def made_from_templates() -> dict[str, str]:
    """The pages a template makes on its own, by address (a language's 404 page by its name): 404 pages, the
    splash, the search and glossary pages (the glossary's words are data, its markup the template's)."""
    pages = {"404.html": "404.html", "/404.html": "404-root.html", "/": "splash.html"}
    pages.update((search_url(lang), "search.html") for lang in LANGUAGES)
    pages.update((url, "glossary.html") for url in GLOSSARY_URLS.values())
    return pages


# ----------------------------------------------------------------------------- tools

def find_tool(relative: Path, env_name: str) -> Path | None:
    """A pinned npm file: $env_name, else node_modules/ of the project or of the current folder."""
    if os.environ.get(env_name):
        path = Path(os.environ[env_name])
        return path if path.is_file() else None
    for base in (PACKAGE_DIR.parent, Path.cwd()):  # a checkout of clair, then the project
        if (base / relative).is_file():
            return base / relative
    return None


@functools.lru_cache(maxsize=1)
def axe_source() -> tuple[str, str]:
    """axe.min.js's text and version, or ToolMissing."""
    path = find_tool(AXE_PATH, "CLAIR_AXE")
    if path is None:
        raise ToolMissing(f"axe-core is not installed: {NPM_HELP}")
    source = path.read_text(encoding="utf-8")
    match = re.search(r"axe v([\d.]+)", source[:500])
    return source, match.group(1) if match else "unknown"


def find_java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").is_file():
        return str(Path(java_home, "bin", "java"))
    return shutil.which("java")


def start_vnu(site_dir: Path, java: str | None, jar: Path | None) -> subprocess.Popen | str:
    """Start vnu over the whole folder (HTML files only) in the background, or say why it cannot run."""
    if jar is None:
        return f"vnu.jar is not installed ({NPM_HELP})"
    if java is None:
        return f"Java was not found ({JAVA_HELP})"
    command = [java, "-Xss8m", "-jar", str(jar), "--format", "json", "--stdout", "--skip-non-html",
               "--exit-zero-always", str(site_dir)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def finish_vnu(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        raise ToolMissing(f"vnu.jar did not run: {(err or out).strip()[:500]}") from None


# ----------------------------------------------------------------------------- findings

def axe_findings(target: Target, violations: list[dict]) -> list[Finding]:
    """One finding per element per axe rule, at the Markdown line the element comes from."""
    findings = []
    html_lines = None
    for rule in violations:
        for node in rule["nodes"]:
            impact = node.get("impact") or rule.get("impact")
            severity = "warning" if impact in ("moderate", "minor") else "error"
            selector = " ".join(str(t) for t in node["target"])
            if html_lines is None:
                html_lines = target.html_lines
            html_line = html_line_of(node.get("html", ""), html_lines)
            where = f"`{selector}`" + (f" (HTML line {html_line})" if html_line else "")
            summary = one_line(node.get("failureSummary") or "")
            what = f"{rule['help']}: {where} on {target.path}."
            why = (f" {summary}" if summary else "") + f" ({impact}; see {rule['helpUrl']})"
            check = f"a11y.axe.{rule['id']}"
            origin = target.template_origin(html_line, node.get("html", ""))
            if origin is not None:
                findings.append(target.template_finding(origin, check, severity, what + why))
                continue
            if target.page is not None:
                line, layout = axe_source_line(target.page, node)
            else:
                line, layout = target.fallback_line(html_line), False
            if layout:
                what += " The element is in the page layout (templates/), not in the Markdown."
            findings.append(Finding(target.source, line, check, severity, what + why))
    return findings


def one_line(summary: str) -> str:
    """axe's failure summary (a heading line, then one reason a line) as one sentence."""
    parts = [" ".join(part.split()) for part in summary.splitlines() if part.strip()]
    return "; ".join(parts).replace(":; ", ": ") + ("." if parts else "")


def html_line_of(snippet: str, lines: list[str]) -> int | None:
    """The built file's line holding the element's opening tag (as axe serialised it), if found."""
    opening = snippet.split(">", 1)[0] + ">" if snippet else ""
    for probe in (opening, opening[:60]):
        if len(probe) < 3:
            continue
        for number, text in enumerate(lines, 1):
            if probe in text:
                return number
    return None


_MARKUP = re.compile(r"[\s*_`\[\]()#>~\\]+")


def _squash(text: str) -> str:
    """Text without spacing or Markdown punctuation, for matching rendered text to its source."""
    return _MARKUP.sub("", text.replace("\u00a0", " ").replace("\u202f", " ")).casefold()


def axe_source_line(page: Page, node: dict) -> tuple[int, bool]:
    """(file line, is-in-the-layout) for an element: its own text or image in the Markdown, else the
    line of the heading it sits under, else the title line."""
    title_line = page.meta_lines.get("title", 1)
    if not node.get("inMain", True):
        return 1, True
    start = title_line
    if node.get("headingId"):
        start = next((h["line"] for h in page.headings if h["id"] == node["headingId"]), title_line)
    lines = page.body.splitlines()
    first = max(0, start - page.body_line)
    probes = [node["src"]] if node.get("src") else []
    words = (node.get("text") or "").split()
    probes += [" ".join(words[:n]) for n in (8, 4) if len(words) >= n]
    if 0 < len(words) < 4:
        probes.append(" ".join(words))
    for probe in probes:
        key = _squash(probe)
        if len(key) < 3:
            continue
        for index in range(first, len(lines)):
            if key in _squash(lines[index]):
                return page.file_line(index), False
    return start, False


def vnu_findings(report: dict, targets: list[Target], site_dir: Path) -> list[Finding]:
    """vnu's messages about our HTML files; errors fail, info and warnings warn."""
    by_file = {t.html_file.resolve(): t for t in targets}
    findings = []
    for message in report.get("messages", []):
        kind, text = message.get("type"), message.get("message", "")
        if kind == "info" and VNU_FILE_CSP.search(text):
            continue
        url = message.get("url", "")
        target = by_file.get(Path(unquote(urlsplit(url).path)).resolve()) if url.startswith("file:") else None
        html_line = message.get("lastLine") or message.get("firstLine")  # the end of the flagged markup
        severity = "warning" if kind == "info" else "error"
        if target is None:
            findings.append(Finding(shown(site_dir.resolve()), 1, "html.vnu", severity, f"{url}: {text}"))
            continue
        extract = " ".join((message.get("extract") or "").split())
        where = f"HTML line {html_line}"
        detail = f"{text} On {target.path}, {where}" + (f": `{extract}`" if extract else "") + "."
        if message.get("subType") == "warning" or kind == "info":
            detail += " (vnu warning)"
        origin = target.template_origin(html_line, flagged_markup(message))
        if origin is not None:
            findings.append(target.template_finding(origin, "html.vnu", severity, detail))
            continue
        line = vnu_source_line(target, html_line) if target.page is not None else target.fallback_line(html_line)
        findings.append(Finding(target.source, line, "html.vnu", severity, detail))
    return findings


def flagged_markup(message: dict) -> str:
    """The markup a vnu message points at: the highlighted part of its extract."""
    extract, start = message.get("extract") or "", message.get("hiliteStart")
    if start is None:
        return extract
    return extract[start:start + (message.get("hiliteLength") or 0)]


def vnu_source_line(target: Target, html_line: int | None) -> int:
    """The Markdown line of the heading above an HTML line, the title line above the first heading,
    line 1 outside <main> (the layout)."""
    page = target.page
    if not html_line:
        return 1
    lines = target.html_lines
    main_start = next((n for n, t in enumerate(lines, 1) if "<main" in t), 0)
    main_end = next((n for n, t in enumerate(lines, 1) if "</main>" in t), len(lines))
    if not main_start <= html_line <= main_end:
        return 1
    line = page.meta_lines.get("title", 1)
    ids = {h["id"]: h["line"] for h in page.headings if h.get("id")}
    for number, text in enumerate(lines[:html_line], 1):
        for found in re.findall(r'<h[1-6][^>]*\bid="([^"]+)"', text):
            if found in ids and number >= main_start:
                line = ids[found]
    return line


def visit_findings(target: Target, visit: PageVisit) -> list[Finding]:
    """What the browser itself reported: a page that did not open, errors in the console (blocked by
    the Content-Security-Policy, missing files, scripts)."""
    findings = []
    if visit.error:
        findings.append(Finding(target.source, 1, "browser.load", "error",
                                f"{target.path} could not be audited: {visit.error}"))
    elif visit.status and visit.status >= 400:
        findings.append(Finding(target.source, 1, "browser.load", "error",
                                f"{target.path} answered HTTP {visit.status}"))
    for text in dict.fromkeys(visit.console):
        findings.append(Finding(target.source, 1, "browser.console", "error",
                                f"the browser reported on {target.path}: {' '.join(text.split())}"))
    return findings + axe_findings(target, visit.violations)


# ----------------------------------------------------------------------------- the whole audit

async def run_audit(browser, site_dir: Path, site: Site | None = None, screenshots: Path | None = None,
                    jobs: int | None = None, java: str | bool | None = True) -> AuditReport:
    """Audit a built folder with an open browser: vnu (in Java) starts first and runs alongside while
    the pages are served on 127.0.0.1 and visited in `jobs` parallel contexts.

    `java=True` finds Java (JAVA_HOME, then the PATH); a path uses that one; None or False skips
    HTML validation."""
    started = time.monotonic()
    axe, axe_version = axe_source()
    targets = site_targets(site_dir, site)
    vnu = start_vnu(site_dir, find_java() if java is True else (java or None), find_tool(VNU_PATH, "CLAIR_VNU"))
    try:
        with serve(site_dir, site.config.urls.base_path if site else "/") as base_url:
            visits = await visit_pages(browser, base_url, [t.path for t in targets], axe, AXE_OPTIONS,
                                       screenshots, jobs)
    except BaseException:
        if isinstance(vnu, subprocess.Popen):
            vnu.kill()
            vnu.communicate()
        raise
    findings = [f for target, visit in zip(targets, visits) for f in visit_findings(target, visit)]
    report = AuditReport(findings, len(targets), 0.0, axe_version,
                         screenshots=[shot for visit in visits for shot in visit.screenshots])
    if isinstance(vnu, str):
        report.vnu_skipped = vnu
    else:
        result = await asyncio.to_thread(finish_vnu, vnu)
        report.vnu_version = str(result.get("version", "unknown")).split()[0]
        findings.extend(vnu_findings(result, targets, site_dir))
    report.seconds = time.monotonic() - started
    return report


def audit_site(site_dir: Path, site: Site | None = None, browser_path: str | None = None, **options) -> AuditReport:
    """The whole audit with one Chromium of its own (found as browser.find_browser says)."""
    axe_source()  # no browser start when axe-core is missing

    async def main() -> AuditReport:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await launch(playwright, browser_path)
            try:
                return await run_audit(browser, site_dir, site, **options)
            finally:
                await browser.close()

    return asyncio.run(main())


# ----------------------------------------------------------------------------- command line

def run_command(args, project: Project) -> int:
    """`python build.py audit`: build into a temporary folder (or take --site), audit, report."""
    screenshots = args.screenshots.resolve() if args.screenshots else None
    with tempfile.TemporaryDirectory(prefix="clair-audit-") as scratch:
        site = None
        if args.site:
            site_dir = args.site
            if not site_dir.is_dir() or not any(site_dir.rglob("*.html")):
                print(f"{site_dir}: error: no built site here (no .html files); build one with "
                      f"`{command.typed()} build --out {site_dir}` or leave out --site", file=sys.stderr)
                return EXIT_LOAD_ERROR
        else:
            try:
                site_dir = Path(scratch) / "site"
                result = build_site(replace(project, cache=None), run_checks=False)
                publish(result, site_dir)
            except ContentErrors as errs:
                return fail_to_load(errs.errors, args.format, errs.warnings)
            except ContentError as err:
                return fail_to_load([err], args.format)
            site = result.site
        try:
            audit = audit_site(site_dir, site, args.browser, screenshots=screenshots)
        except (BrowserNotFound, ToolMissing) as err:
            print(f"audit: error: {err}", file=sys.stderr)
            return EXIT_LOAD_ERROR
    findings = audit.findings
    if args.format == "json":
        document = json.loads(report.as_json(findings))
        document["audit"] = audit.to_dict()
        sys.stdout.write(report.dump_json(document))
    else:
        print_findings(findings, args.format)
    print(audit.summary(), file=sys.stderr)
    if screenshots:
        print(f"Screenshots (1280 and 375 px wide) are in {screenshots}/", file=sys.stderr)
    failing = [f for f in findings if f.severity == "error" or args.strict]
    return EXIT_FINDINGS if failing else EXIT_OK
