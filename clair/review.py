"""The reviewer's report page (site/report/): scores, parity status and relaxations at a glance."""
from __future__ import annotations

from collections import Counter

from .model import Page, Site


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
