"""Check stage: the ordered registry of checks, and the runner that gives each what it may read.

CHECKS lists the check modules in the order they run (as markdown-it-py lists its rules). Each has
one shape:

    RULES = (rule("family.rule", "error", max=number(8)),)   # its rules and their typed options (settings.py)
    def run(site, files, settings):        # findings about site.pages, which are whole translation units
    def run_site(site, built, settings):   # optional: findings about the whole site (data, templates, links)
    def files_read(site):                  # optional: files it reads besides pages, configuration, data, templates

`run` reports only on the pages of `site` it is given: whole translation units (a page and its
translation, clair/units.py), parsed and rendered (tokens, headings, html, output), with `files`
holding their built files. Builds call it one unit at a time, in worker processes, and cache what
it found, so it must read nothing but those pages, the configuration, the data and the templates.
`run_site` runs once per build with every built file and what `extract_links` found in each.

Checks make every finding with `settings.finding(...)`; the runner, not the check, leaves out a check
whose rules are all off and drops the findings of a rule that is off where it was found.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from clair.cache import BuildCache
from clair.model import Finding, Page, Site, built_text

from . import (accessibility, archived, glossary, html, link_syntax, links, matrices, parity, plain_words, raw_html,
               readability, syllables)
from .links import FileLinks
from .settings import Rule, Settings

CHECKS = (readability, plain_words, parity, accessibility, links, link_syntax, glossary, matrices, raw_html, archived)
RULES: tuple[Rule, ...] = tuple(declared for check in CHECKS for declared in check.RULES)


@dataclass
class Built:
    """What the site-wide checks read: every built file, and the ids and addresses of each HTML file."""

    files: dict[PurePosixPath, str | bytes]
    links: dict[PurePosixPath, FileLinks]
    kept_links: links.KeptFindings | None = None  # the link findings of files unchanged since the last check


def settings_for(site: Site) -> Settings:
    """The options of every rule for every page, validated (ContentErrors: exit 2); relaxations recorded."""
    settings = Settings(site, RULES)
    site.relaxations = settings.relaxations
    site.targets = {str(page.source): settings.targets_in_force(page) for page in site.pages if page.is_publication}
    return settings


def files_read(site: Site) -> list[Path]:
    """Files checks read besides the pages, the configuration, data/ and the templates (such as the team's
    word lists): the build cache keys on them too."""
    return sorted({path for check in CHECKS if hasattr(check, "files_read") for path in check.files_read(site)})


def prepare(cache: BuildCache) -> None:
    """Before a build checks pages: what checks read once per process (the CMU dictionary, the words' syllables)
    is kept in its cache."""
    syllables.keep_in(cache)


def learned() -> dict:
    """What the checks learned in this process since the last call (the words' syllables they counted): a
    worker sends it with each unit's result, for `keep_learned`."""
    return syllables.learned()


def keep_learned(found: list[dict]) -> None:
    """Keep in the cache `prepare` named what every process learned (`learned`), for the next build's."""
    syllables.keep_counts(found)


def kept(found: Iterable[Finding | None]) -> list[Finding]:
    """The findings of rules that are on where they were found."""
    return [finding for finding in found if finding is not None and finding.severity != "off"]


def run_pages(part: Site, files: dict[PurePosixPath, str | bytes], settings: Settings) -> list[Finding]:
    """Findings about the pages of `part`, which holds whole translation units (pages with their translations).

    Every check reports only on the pages it is given, so units can be checked apart (and in
    parallel) and give the same findings as the whole site checked at once."""
    found = []
    for check in CHECKS:
        if hasattr(check, "run") and not settings.all_off(check.RULES, part.pages):
            found.extend(kept(check.run(part, files, settings)))
    return found


def run_site(site: Site, built: Built, settings: Settings) -> list[Finding]:
    """Findings that need the whole site: links between files, the data files and the templates."""
    found = list(settings.findings)
    for check in CHECKS:
        if hasattr(check, "run_site") and not settings.all_off(check.RULES, ()):
            found.extend(kept(check.run_site(site, built, settings)))
    return found


def extract_links(text: str, page: Page | None) -> FileLinks:
    """The ids and addresses of one built HTML file, for the site-wide link check (a file that is no content page
    is read for its tags alone: no check reads its text)."""
    return links.extract(html.parse(text), page) if page is not None else links.extract_from_templates(text)


def extract_site_links(text: str) -> FileLinks:
    """`extract_links` for a built file that is not a content page."""
    return extract_links(text, None)


def relink(site: Site, pages: list[Page], files, settings: Settings, kept_ids: dict,
           extracted: dict[PurePosixPath, FileLinks] | None = None) -> list[Finding]:
    """The link checks of some pages only (a preview's edited pages): the ids of the files their links lead
    to are read when first needed and kept in `kept_ids` while those files are unchanged; `extracted` may
    hold what `extract_links` already found in some of the pages."""
    targets = links.Targets(site.project, urlsplit(site.config.base_url).netloc, files,
                            links.LazyIds(files, kept_ids), base_path=site.config.urls.base_path)
    found = []
    for page in pages:
        path = page.output_path
        page_links = (extracted or {}).get(path) or extract_links(built_text(files[path]), page)
        found.extend(kept(links.check_file(targets, path, page_links, page, settings)))
    return found


def extract_all(site: Site, files: dict[PurePosixPath, str | bytes]) -> dict[PurePosixPath, FileLinks]:
    """`extract_links` of every built HTML file, in this process."""
    pages = {page.output_path: page for page in site.pages}
    return {path: extract_links(built_text(text), pages.get(path)) for path, text in files.items()
            if path.suffix == ".html"}
