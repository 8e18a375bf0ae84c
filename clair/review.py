"""The reviewer's report page (site/report/): scores, parity status and relaxations at a glance."""
from __future__ import annotations

from collections import Counter

from .model import Site


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
        })
    return rows
