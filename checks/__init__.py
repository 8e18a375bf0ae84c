"""Build checks: each module in CHECK_MODULES declares DEFAULTS and yields Findings.

A check module looks like this:

    DEFAULTS = {"family.rule": {"severity": "error", "max": 8}}   # documented options, per rule id
    def run(site, files, settings):                               # -> Iterable[Finding], about site.pages
        ...settings.options(page, "family.rule")["max"]...
    def run_site(site, files, settings):                          # optional: about the whole site
        ...

`run` reports only on the pages of `site` it is given: whole translation units (a page and its
translation, clair/units.py), parsed and rendered (tokens, headings, html, output), with `files`
holding their built files. Builds call it one unit at a time, in worker processes, and cache what
it found, so it must read nothing but those pages, the configuration, the data and the templates.
`run_site` runs once per build for what belongs to no page: the data files, the templates. The
link check, which needs every built file, is in two steps: `links.extract` per file, `links.resolve`
over all of them. `settings` merges DEFAULTS, the site configuration's `checks:` block and each
page's front matter relaxations.
"""
from __future__ import annotations

import importlib
from pathlib import Path, PurePosixPath
from typing import Any

from clair.config import did_you_mean
from clair.model import ContentError, Finding, Page, Site, built_text

from . import html, links

CHECK_MODULES = ("checks.readability", "checks.plain_words", "checks.parity", "checks.accessibility", "checks.links",
                 "checks.glossary", "checks.matrices")
SEVERITIES = ("error", "warning", "off")


def load_modules() -> list:
    """The check modules (imported once; later calls are dictionary lookups)."""
    return [importlib.import_module(name) for name in CHECK_MODULES]


def all_defaults(modules=None) -> dict[str, dict[str, Any]]:
    """Every rule id with its default options, from every check module."""
    defaults: dict[str, dict[str, Any]] = {}
    for module in modules or load_modules():
        defaults.update(module.DEFAULTS)
    return defaults


class Settings:
    """Options for every rule: defaults, then the site configuration, then a page's relaxation."""

    def __init__(self, site: Site, defaults: dict[str, dict[str, Any]]):
        self.defaults = defaults
        self.site_options = {rule: {**opts} for rule, opts in defaults.items()}
        config_file = site.config.file
        for rule, options in (site.config.checks or {}).items():
            self.validate(rule, options, config_file, None)
            self.site_options[rule].update(options)
        self.relaxations: list[dict] = []
        self.findings: list[Finding] = []
        for page in site.pages:
            self.collect_relaxations(page)

    def validate(self, rule: str, options: Any, file: str, line: int | None) -> None:
        if rule not in self.defaults:
            raise ContentError(file, line, f"unknown check `{rule}`.{did_you_mean(rule, self.defaults)}")
        if not isinstance(options, dict):
            raise ContentError(file, line, f"the settings of check `{rule}` must be `key: value` lines")
        for key in options:
            if key not in self.defaults[rule] and key != "reason":
                raise ContentError(file, line, f"check `{rule}` has no option `{key}`; it has: "
                                               f"{', '.join(self.defaults[rule])}")
        if options.get("severity", "error") not in SEVERITIES:
            raise ContentError(file, line, f"`severity` must be one of {', '.join(SEVERITIES)}")

    def collect_relaxations(self, page: Page) -> None:
        """A page may relax a rule only with a written reason; without one, that is an error."""
        line = page.meta_lines.get("checks", 1)
        for rule, options in (page.meta.get("checks") or {}).items():
            self.validate(rule, options, str(page.source), line)
            reason = str(options.get("reason") or "").strip()
            if not reason:
                self.findings.append(Finding(str(page.source), line, "checks.relaxation", "error",
                                             f"the relaxation of `{rule}` needs a `reason:` that says why "
                                             "this page may not follow the rule"))
            self.relaxations.append({"file": str(page.source), "line": line, "rule": rule,
                                     "options": {k: v for k, v in options.items() if k != "reason"},
                                     "reason": reason})

    def options(self, page: Page | None, rule: str) -> dict[str, Any]:
        """The options in force for `rule` on `page` (site-wide when page is None)."""
        merged = dict(self.site_options[rule])
        if page is not None:
            merged.update({k: v for k, v in (page.meta.get("checks") or {}).get(rule, {}).items() if k != "reason"})
        return merged

    def severity(self, page: Page | None, rule: str) -> str:
        return self.options(page, rule).get("severity", "error")

    def finding(self, page: Page, rule: str, line: int, message: str, **extra) -> Finding | None:
        """A Finding at this rule's severity for this page, or None when the rule is off."""
        severity = self.severity(page, rule)
        if severity == "off":
            return None
        return Finding(str(page.source), line, rule, severity, message, **extra)


def files_read(site: Site) -> list[Path]:
    """Files checks read besides the pages, the configuration, data/ and the templates (a module's
    `files_read(site)`, such as the team's word lists): the build cache keys on them too."""
    return sorted({path for module in load_modules() if hasattr(module, "files_read")
                   for path in module.files_read(site)})


def run_pages(part: Site, files: dict[PurePosixPath, str], settings: Settings) -> list[Finding]:
    """Findings about the pages of `part`, which holds whole translation units (pages with their translations).

    Every module's `run` reports only on the pages it is given, so units can be checked apart (and in
    parallel) and give the same findings as the whole site checked at once."""
    found = []
    for module in load_modules():
        if hasattr(module, "run"):
            found.extend(f for f in module.run(part, files, settings) if f is not None)
    return found


def extract_links(text: str, page: Page | None) -> links.FileLinks:
    """The ids and addresses of one built HTML file, for `run_site`'s link check."""
    return links.extract(html.parse(text), page)


def extract_site_links(text: str) -> links.FileLinks:
    """`extract_links` for a built file that is not a content page."""
    return extract_links(text, None)


def run_site(site: Site, files: dict[PurePosixPath, str | bytes], settings: Settings,
             extracted: dict[PurePosixPath, links.FileLinks]) -> list[Finding]:
    """Findings that need the whole site: links between files, the data files and the templates."""
    found = list(settings.findings)
    found.extend(f for f in links.resolve(site, files, settings, extracted) if f is not None)
    for module in load_modules():
        if hasattr(module, "run_site"):
            found.extend(f for f in module.run_site(site, files, settings) if f is not None)
    return found


def run_all(site: Site, files: dict[PurePosixPath, str]) -> list[Finding]:
    """Every check over the whole site at once, findings deduplicated in a stable order."""
    settings = Settings(site, all_defaults())
    site.relaxations = settings.relaxations
    found = run_pages(site, files, settings) + run_site(site, files, settings, extract_all(site, files))
    return sorted(set(found))


def extract_all(site: Site, files: dict[PurePosixPath, str]) -> dict[PurePosixPath, links.FileLinks]:
    """`extract_links` of every built HTML file, in this process."""
    pages = {page.output_path: page for page in site.pages}
    return {path: extract_links(built_text(text), pages.get(path)) for path, text in files.items()
            if path.suffix == ".html"}
