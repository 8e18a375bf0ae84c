"""Pages the build makes that no Markdown file holds: the search pages and the whole-publication views.

They are not `Page`s (not in `site.pages`), so the checks that read pages (readability, parity,
accessibility) never count them twice; the link checks read every built file, these too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .model import OTHER_LANGUAGE, ContentError


@dataclass(eq=False)
class GeneratedPage:
    """One generated page: enough of a Page's shape for base.html, the sitemap and hreflang alternates."""

    url: str
    lang: str
    title: str
    description: str
    template: str  # the template a developer fixes, for messages
    counterpart: GeneratedPage | None = None
    output: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.meta = {"description": self.description}

    @property
    def output_path(self) -> PurePosixPath:
        return PurePosixPath(self.url.strip("/")) / "index.html"


def refuse_clash(renderer, page: GeneratedPage, what: str) -> None:
    """A Markdown page may not take a generated page's address (the generated page would replace it)."""
    clash = renderer.site.by_url().get(page.url)
    if clash is not None:
        raise ContentError(clash.source, clash.meta_lines.get("slug"),
                           f"this page's address {page.url} is the address of {what}; "
                           "give the page another `slug` or file name")


def generated_context(renderer, page: GeneratedPage, breadcrumbs: list, modified: dt.date | None = None) -> dict:
    """What base.html needs for a generated page (as Renderer.page_context does for Markdown pages)."""
    from .render import alternates

    home_other = renderer.site.home(OTHER_LANGUAGE[page.lang])
    toggle = page.counterpart or home_other
    return {
        **renderer.common_context(page.lang),
        "page": page,
        "toggle_url": toggle.url if toggle else f"/{OTHER_LANGUAGE[page.lang]}/",
        "alternates": alternates(page),
        "breadcrumbs": breadcrumbs,
        "modified": modified or renderer.site.config.updated,
    }
