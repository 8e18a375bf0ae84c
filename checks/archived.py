"""Check stage: an archived publication says so in both languages.

`archived.both-languages` (default severity `error`): a publication's `_index.md` says `status: archived` in
one language and not in the other. Only the readers of the first would see the historical-document notice
(README, "Archived publications"); the readers of the other would take a closed consultation for an open
one. The finding is on the `_index.md` that lacks the status, at its `title` line.
"""
from __future__ import annotations

from clair.model import LANGUAGE_NAMES

from .settings import rule

RULES = (rule("archived.both-languages", "error"),)


def run(site, files, settings):
    """One finding for each publication page whose translation is archived while it is not."""
    for page in site.pages:
        other = page.counterpart
        if page.is_publication and other is not None and other.archived is other and page.archived is None:
            yield settings.finding(page, "archived.both-languages", page.meta_lines.get("title", 1),
                                   f"the {LANGUAGE_NAMES[other.lang]} version of this publication is archived "
                                   f"(`status: archived` in {other.source}) but this one is not: add "
                                   f"`status: archived` and a `note:` in {LANGUAGE_NAMES[page.lang]}, so readers "
                                   "of both languages see the historical-document notice")
