"""Stage 2, pair: give every page its translation, by shared path or by `translation_key`."""
from __future__ import annotations

from .model import ContentError, ContentErrors, Site


def pair_translations(site: Site) -> None:
    """Set `counterpart` on every page that has one; a key used twice in one language is an error (raised with
    the load warnings, shown with it)."""
    by_key: dict[str, dict] = {"en": {}, "fr": {}}
    errors = []
    for page in site.pages:
        other = by_key[page.lang].setdefault(page.translation_key, page)
        if other is not page:
            errors.append(ContentError(page.source, page.meta_lines.get("translation_key"),
                                       f"this page and {other.source} both use translation_key "
                                       f"`{page.translation_key}`; each page needs its own"))
    if errors:
        raise ContentErrors(errors, site.findings)
    for key, english in by_key["en"].items():
        french = by_key["fr"].get(key)
        if french is not None:
            english.counterpart, french.counterpart = french, english
