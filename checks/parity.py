"""Check stage, translation parity: the French and English versions of every page say the same things the same way.

This module is the one registered in CHECK_MODULES; it gathers the rules of its companion modules
(parity_structure, parity_facts, parity_links, parity_language), whose docstrings detail them.
A finding about a pair names one file and line, and the place to look in the other file as
related_file/related_line. A relaxation in a page's front matter applies to findings on that page.

| rule | default | what it finds |
| --- | --- | --- |
| `parity.missing` | error | a page with no translation (named: content/fr/<same path>, or content/en/...) |
| `parity.structure` | error | the first difference in headings, lists, tables, images, quotations, blocks, commitments |
| `parity.facts` | error | a number, percentage, year, date or amount that only one version has (or has more often) |
| `parity.links` | error, `url_pairs` | a link into the other language not titled `lang:xx`; outside links only one version has |
| `parity.untranslated` | error, `min_words: 4`, `page_min_words: 30`, `max_other_share: 0.5` | a French paragraph copied from the English; a page that reads as the other language |
| `parity.stale` | warning | a French page whose English changed since `translated_from` was recorded, or that has none |
| `parity.length-ratio` | warning, `min: 0.9`, `max: 1.6`, `min_words: 50` | French prose much shorter or longer than the English |
| `parity.messages` | error | a template that uses `t("key")` for a key templates/messages.yaml does not have |

`parity.stale`: a French page records the version of the English it translates in its front
matter, `translated_from: "<12 hex digits>"` (see clair/translation_mark.py for exactly what is
hashed); `python build.py mark-translated content/fr/...` writes it. The warning is at the
`translated_from:` line (line 1 when there is none), related to line 1 of the English file.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from clair.i18n import Catalogue
from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Site
from clair.project import Project
from clair.translation_mark import english_hash

from . import parity_facts, parity_language, parity_links, parity_structure
from .parity_common import pair_finding, pairs
from .settings import Settings, rule

COMPANIONS = (parity_structure, parity_facts, parity_links, parity_language)
RULES = (
    rule("parity.missing", "error"),
    *(declared for module in COMPANIONS for declared in module.RULES),
    rule("parity.stale", "warning"),
    rule("parity.messages", "error"),
)
MESSAGE_CALL = re.compile(r"""\bt(?:_en|_fr)?\(\s*(['"])([^'"]+)\1\s*[,)]""")


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """Every parity rule about pages: missing pages, then the companion modules, then stale pages."""
    yield from missing(site, settings)
    for module in COMPANIONS:
        yield from module.run(site, files, settings)
    yield from stale(site, settings)


def run_site(site: Site, built, settings: Settings) -> Iterator[Finding | None]:
    """The rule about the templates, which belong to no page."""
    yield from unknown_messages(settings, site.project)


def missing(site: Site, settings: Settings) -> Iterator[Finding | None]:
    """Pages with no translation, naming the file to create."""
    for page in sorted(site.pages, key=lambda p: str(p.source)):
        if page.counterpart is None:
            other = OTHER_LANGUAGE[page.lang]
            expected = site.project.language_folder(other) / page.rel
            yield settings.finding(page, "parity.missing", 1,
                                   f"this page has no {LANGUAGE_NAMES[other]} version; create {expected}"
                                   + (f" (or give a page `translation_key: {page.translation_key}`)"
                                      if "translation_key" in page.meta else ""))


def stale(site: Site, settings: Settings) -> Iterator[Finding | None]:
    """French pages that translate an older version of their English page, or do not say which."""
    for english, french in pairs(site):
        recorded = french.meta.get("translated_from")
        command = f"python build.py mark-translated {french.source}"
        if recorded is None:
            yield pair_finding(settings, french, english, "parity.stale", 1, 1,
                               f"this page does not record which version of {english.source} it translates; "
                               f"once the French is up to date, run `{command}`")
        elif recorded != english_hash(english.source):
            yield pair_finding(settings, french, english, "parity.stale", french.meta_lines.get("translated_from", 1),
                               1, f"{english.source} has changed since this translation was marked; update the "
                                  f"French to match (see the English file's history), then run `{command}`")


def unknown_messages(settings: Settings, project: Project) -> Iterator[Finding]:
    """`t("key")` calls in the project's templates for keys its message catalogue does not have."""
    catalogue = Catalogue(project.messages)
    for template in sorted(project.templates.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in MESSAGE_CALL.finditer(text):
            if match[2] not in catalogue.messages:
                yield settings.finding(project.template_file(template.relative_to(project.templates).as_posix()),
                                       "parity.messages", text.count("\n", 0, match.start()) + 1,
                                       f"the template uses the message `{match[2]}`, which "
                                       f"{project.template_file('messages.yaml')} does not have; add it there "
                                       "with its English and French text")
