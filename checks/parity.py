"""Check stage, translation parity: the French and English versions of every page say the same things the same way.

This module is the one registered in CHECK_MODULES; it gathers the rules of its companion modules
(parity_structure, parity_facts, parity_links, parity_language), whose docstrings detail them.
A finding about a pair names one file and line, and the place to look in the other file as
related_file/related_line. A relaxation in a page's front matter applies to findings on that page.

| rule | default | what it finds |
| --- | --- | --- |
| `parity.missing` | error | a page with no translation (named: content/fr/<same path>, or content/en/...) |
| `parity.structure` | error | the first difference in headings, lists, tables, images, quotations, blocks, commitments, named (the heading, row or item the other lacks) |
| `parity.facts` | error | a number, percentage, year, date or amount that only one version has (or has more often) |
| `parity.french-number-format` | error | a French number written the English way (`25,000`, `3.5 %`, `$1,500`), with the French spelling |
| `parity.links` | error, `url_pairs`, `extra_url_pairs`, `replaced` | a link into the other language not titled `lang:xx`; outside links only one version has (the same page in the other language counts) |
| `parity.untranslated` | error, `min_words: 4`, `min_confidence: 0.9`, `page_min_words: 30`, `max_other_share: 0.5` | a French paragraph copied from the English; a page that reads as the other language; a passage written in the other language |
| `parity.stale` | warning | a French page whose English changed after the French page's last commit (git), or since its `translated_from` |
| `parity.length-ratio` | warning, `min: 0.9`, `max: 1.6`, `min_words: 50` | French prose much shorter or longer than the English |
| `parity.messages` | error | a template that uses `t("key")` for a key templates/messages.yaml does not have |

`parity.stale`: in a git repository, a French page is stale when its English page changed in a later
commit, or has changes not committed yet (clair/history.py says exactly when, and what a shallow
clone does); spaces, blank lines and settings other than the title and description do not count.
The warning is at the French title's line, names the English commit and the English lines that
changed since the French page's last commit, and is related to the first of them. A French page
may instead record the version of the English it translates in its front matter,
`translated_from: "<12 hex digits>"` (see clair/translation_mark.py for exactly what is hashed; `clair
mark-translated content/fr/...`, or the label `translation-checked` on a pull request, writes it): where it
does, and without git, that version is compared instead, and the warning is at the `translated_from:`
line (line 1 when there is none), related to line 1 of the English file.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from clair.i18n import Catalogue
from clair.history import EnglishChange
from clair.model import LANGUAGE_NAMES, OTHER_LANGUAGE, Finding, Page, Site
from clair.project import Project
from clair.translation_mark import english_hash, how_to_mark

from . import parity_facts, parity_language, parity_links, parity_structure
from .parity_common import end_line, pair_finding, pairs
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
        if page.counterpart is None and not page.stand_in:
            other = OTHER_LANGUAGE[page.lang]
            if site.generator != "clair":
                yield settings.finding(page, "parity.missing", 1, f"clair found no {LANGUAGE_NAMES[other]} version "
                                       "of this page; if it has one, give both pages the same `translationKey:` "
                                       "in their settings (or name the other page with `altLangPage:`)")
                continue
            expected = site.project.language_folder(other) / page.rel
            yield settings.finding(page, "parity.missing", 1,
                                   f"this page has no {LANGUAGE_NAMES[other]} version; create {expected}"
                                   + (f" (or give a page `translation_key: {page.translation_key}`)"
                                      if "translation_key" in page.meta else ""))


def stale(site: Site, settings: Settings) -> Iterator[Finding | None]:
    """French pages that translate an older version of their English page: by `translated_from` where the page
    records it, else by git (clair/history.py), else (no git) the pages that do not record it (on clair's own
    sites only: another generator's pages have no way to record it)."""
    for english, french in pairs(site):
        if site.history is None and site.generator != "clair":
            continue  # another generator's site records no `translated_from`, and mark-translated is for clair's pages
        if "translated_from" in french.meta or site.history is None:
            yield marked_stale(settings, english, french)
        else:
            yield committed_stale(settings, site.history.stale(english.source, french.source), english, french)


def marked_stale(settings: Settings, english: Page, french: Page) -> Finding | None:
    """A French page whose `translated_from` is not the English page's version, or that has none."""
    recorded = french.meta.get("translated_from")
    if recorded is None:
        return pair_finding(settings, french, english, "parity.stale", 1, 1,
                            f"this page does not record which version of {english.source} it translates; "
                            f"once the French is up to date, {how_to_mark(french.source)}")
    if recorded != english_hash(english.source):
        return pair_finding(settings, french, english, "parity.stale", french.meta_lines.get("translated_from", 1),
                            1, f"{english.source} has changed since this translation was marked; update the "
                               f"French to match (see the English file's history), then {how_to_mark(french.source)}")
    return None


def committed_stale(settings: Settings, change: EnglishChange | None, english: Page, french: Page) -> Finding | None:
    """A French page whose English page changed after the French page's last commit, naming the change."""
    if change is None:
        return None
    lines = None if change.lines is None else translated_lines(english, change.lines)  # None: git could not say
    if lines == ():
        return None  # only settings that are not translated changed
    commit = change.commit
    what = [f"commit {commit.short} of {commit.date}, \"{commit.subject}\""] if commit else []
    what += ["changes not committed yet"] * change.uncommitted
    where = f"; English {line_ranges(lines)}" if lines else ""
    return pair_finding(settings, french, english, "parity.stale", french.meta_lines.get("title", 1),
                        lines[0] if lines else 1,
                        f"{english.source} has changed since this French page was last committed ({' and '.join(what)}"
                        f"{where}); update the French to match and commit it (if the French needs no change, "
                        f"{how_to_mark(french.source)})")


def translated_lines(english: Page, lines: tuple[int, ...]) -> tuple[int, ...]:
    """The changed lines a translation follows: the body's, the title's and the description's, not other settings
    (a `weight`, a date, a generator's bookkeeping); a removal at the very end counts as the last line."""
    text = {english.meta_lines.get(key) for key in ("title", "description")}
    last = end_line(english)
    return tuple(sorted({min(line, last) for line in lines if line >= english.body_line or line in text}))


def line_ranges(lines: tuple[int, ...], shown: int = 8) -> str:
    """`lines 12-14, 30`: consecutive lines as one range; past `shown` ranges, how many more."""
    ranges: list[list[int]] = []
    for line in lines:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    text = ", ".join(f"{first}-{last}" if last > first else str(first) for first, last in ranges[:shown])
    more = f" and {len(ranges) - shown} more places" if len(ranges) > shown else ""
    return f"line{'s' * (len(lines) > 1)} {text}{more}"


def unknown_messages(settings: Settings, project: Project) -> Iterator[Finding]:
    """`t("key")` calls in the project's templates for keys its message catalogue does not have."""
    catalogue = Catalogue(project.messages)
    for name, template in project.template_files().items():
        text = template.read_text(encoding="utf-8")
        for match in MESSAGE_CALL.finditer(text):
            if match[2] not in catalogue.messages:
                yield settings.finding(project.template_file(name), "parity.messages",
                                       text.count("\n", 0, match.start()) + 1,
                                       f"the template uses the message `{match[2]}`, which "
                                       f"{project.template_file('messages.yaml')} does not have; add it there "
                                       "with its English and French text")
