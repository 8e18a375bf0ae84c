"""Command line (`mark-translated`): record in a French page which version of the English page it translates.

The version is the first 12 hex digits of the SHA-256 of the English file's whole text (front
matter included, so a new title counts as a change) as the build reads it: UTF-8 without a byte
order mark, line endings made `\\n`, accents in Unicode NFC. So saving the file with Windows line
endings, or with a BOM, does not make its translation out of date; any other change does.

`clair mark-translated content/fr/...` writes it once the French is up to date, or, without Python, the label
`translation-checked` on a pull request (.github/workflows/translations.yml runs the command); the
`parity.stale` check warns when the English has changed since, and its message names both ways (`how_to_mark`).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import command
from .load import load_page, read_text
from .model import ContentError, ContentErrors

KEY_LINE = re.compile(r"translated_from\s*:")
LINE = re.compile(r".*?(?:\r\n|\n|\r)|.+\Z", re.DOTALL)
LABEL = "translation-checked"  # the pull-request label whose workflow marks the French pages (.github/workflows)


def how_to_mark(french_path: Path | str) -> str:
    """The two ways a writer records that a French page is up to date: the command, as they would type it where
    they are (clair/command.py), or the label on the pull request (docs/authoring.md)."""
    return f"run `{command.typed()} mark-translated {french_path}`, or add the label `{LABEL}` to the pull request"


def english_hash(english_path: Path) -> str:
    """The version of an English page, as `translated_from` records it."""
    return hashlib.sha256(read_text(english_path).encode("utf-8")).hexdigest()[:12]


def mark_translated(french_path: Path, content_dir: Path) -> str:
    """Set `translated_from` in the French page to the English page's version; return that version.

    Only that one line changes (or is added just before the closing `---`); every other byte of the
    file stays as it was, line endings included.
    """
    english = english_counterpart(french_path, content_dir)
    version = english_hash(english)
    try:
        text = french_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(french_path, None, "the file is not saved as UTF-8; save it as UTF-8 first") from None
    french_path.write_bytes(with_version(text, version, french_path).encode("utf-8"))
    return version


def english_counterpart(french_path: Path, content_dir: Path) -> Path:
    """The English file a French page translates: same path under content/en/, or same translation_key."""
    root, french = content_dir.resolve(), french_path.resolve()
    try:
        parts = french.relative_to(root).parts
    except ValueError:
        raise ContentError(french_path, None, f"this file is not inside the content folder {content_dir}") from None
    if not french.is_file():
        raise ContentError(french_path, None, "there is no such file")
    if parts[0] != "fr" or french.suffix != ".md":
        raise ContentError(french_path, None, "only French pages (content/fr/....md files) can be marked as translated")
    key = load_page(french, root, []).translation_key
    for english in sorted((root / "en").rglob("*.md")):
        try:
            if load_page(english, root, []).translation_key == key:
                return english
        except (ContentError, ContentErrors):
            continue  # a broken English page is reported by the build; it cannot be this page's match
    raise ContentError(french_path, None, f"there is no English page for this French page (expected "
                                          f"{content_dir / 'en' / Path(*parts[1:])}); write the English first")


def with_version(text: str, version: str, french_path: Path) -> str:
    """The file text with its `translated_from:` line set, everything else untouched."""
    lines = LINE.findall(text)
    if not lines or lines[0].lstrip("\ufeff").strip() != "---":
        raise ContentError(french_path, 1, "the page must start with a settings block (a line `---`)")
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if close is None:
        raise ContentError(french_path, 1, "the settings block that starts on line 1 is never closed")
    newline = lines[0][len(lines[0].rstrip("\r\n")):] or "\n"
    current = next((i for i in range(1, close) if KEY_LINE.match(lines[i])), None)
    if current is None:
        lines.insert(close, f'translated_from: "{version}"{newline}')
    else:
        ending = lines[current][len(lines[current].rstrip("\r\n")):]
        lines[current] = f'translated_from: "{version}"{ending}'
    return "".join(lines)
