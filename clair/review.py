"""Report stage: the reviewer's report page (site/report/): each publication's targets and scores, each page's
scores and parity status, and the relaxations, at a glance."""
from __future__ import annotations

from collections import Counter

from .model import Page, Site, reading_order

SCORES = {"en": "grade", "fr": "reading_ease"}  # each language's readability score (checks/readability.py)


def paired_by(page: Page) -> str:
    """How a page and its translation were found to be a pair, as the JSON output and the report name it."""
    if page.counterpart is None:
        return ""
    return page.paired_by or ("translation_key" if "translation_key" in page.meta else "same path")


def pairing(site: Site) -> None:
    """Each page's counterpart file and how it was paired, in its entry of the JSON output's `pages`."""
    for page in (page for page in site.pages if not page.stand_in):
        entry = site.scores.setdefault(str(page.source), {"lang": page.lang})
        if page.counterpart is not None:
            entry.update(counterpart=str(page.counterpart.source), paired_by=paired_by(page))


def review_rows(site: Site) -> list[dict]:
    """One row per English page (and per French page without one): both versions' figures side by side."""
    counts = Counter((f.file, f.severity) for f in site.findings)
    parity = Counter(f.file for f in site.findings if f.check.startswith("parity."))
    rows = []
    for page in sorted(site.pages, key=lambda p: (p.lang != "en", p.url)):
        if page.lang == "fr" and page.counterpart is not None:
            continue
        versions = {page.lang: page, **({page.counterpart.lang: page.counterpart} if page.counterpart else {})}
        rows.append({
            "title": page.title,
            "versions": {lang: {
                "url": p.url,
                "file": str(p.source),
                "score": site.scores.get(str(p.source), {}),
                "errors": counts[(str(p.source), "error")],
                "warnings": counts[(str(p.source), "warning")],
            } for lang, p in versions.items()},
            "parity": "missing translation" if page.counterpart is None else (
                f"{sum(parity[str(p.source)] for p in versions.values())} differences"
                if any(parity[str(p.source)] for p in versions.values()) else "matches"),
            "paired_by": paired_by(page),
        })
    return rows


def publication_rows(site: Site) -> list[dict]:
    """One row per publication (English first, French alone when untranslated): whether it is archived, the
    targets in force for its pages (its own `targets:`, else the site's) and how each version's pages meet them."""
    rows = []
    for publication in sorted((p for p in site.pages if p.is_publication), key=lambda p: (p.lang != "en", p.url)):
        if publication.lang == "fr" and publication.counterpart is not None:
            continue
        versions = [publication, *([publication.counterpart] if publication.counterpart else [])]
        targets = site.targets.get(str(publication.source), {})
        rows.append({"title": publication.title, "archived": publication.archived is not None, "targets": targets,
                     "versions": {version.lang: version_scores(site, version, targets.get("min_words", 0))
                                  for version in versions}})
    return rows


def version_scores(site: Site, publication: Page, min_words: int) -> dict:
    """One language of a publication: the range of the scores of its pages long enough to be judged (`min_words`),
    and how many pages the checks found harder than the target, with how many sentences and paragraphs they found
    too long."""
    score = SCORES[publication.lang]
    files = {str(page.source) for page in reading_order(publication)}
    values = [site.scores[file][score] for file in sorted(files)
              if score in site.scores.get(file, {}) and site.scores[file]["words"] >= min_words]
    found = Counter(f.check for f in site.findings if f.file in files)
    return {"score": score.replace("_", " "), "lowest": min(values, default=None), "highest": max(values, default=None),
            "scored": len(values), "missed": found["readability.grade"],
            "long_sentences": found["readability.sentence-length"],
            "long_paragraphs": found["readability.paragraph-length"]}
