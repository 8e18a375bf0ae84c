"""Stage 1, load: read every Markdown file of both languages into Pages, and place them in the tree."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path, PurePosixPath

from .config import Config, did_you_mean
from .slug import slugify
from .model import LANGUAGES, ContentError, ContentErrors, Finding, Page, Site
from .yamlfile import load_mapping

LAYOUTS = ("page", "section", "home")
FRONT_MATTER_TYPES = {
    "title": str,
    "description": str,
    "slug": str,
    "weight": int,
    "layout": str,
    "date": dt.date,
    "modified": dt.date,
    "translation_key": str,
    "translated_from": str,
    "checks": dict,
}
REQUIRED = ("title", "description")
TYPE_WORDS = {str: "a piece of text", int: "a whole number", dt.date: "a date like 2026-11-24", dict: "a group of settings"}
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_FILE_BYTES = 2_000_000


def load_site(content_dir: Path, config: Config) -> Site:
    """Read all pages; collect every error before giving up so writers see them all at once."""
    site = Site(config=config, content_dir=content_dir)
    errors: list[ContentError] = []
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "the content folder does not exist")])
    for path in sorted(content_dir.rglob("*")):
        if path.is_dir():
            continue
        try:
            page = load_page(path, content_dir, site.findings)
        except ContentError as err:
            errors.append(err)
            continue
        if page is not None:
            site.pages.append(page)
    if not errors:
        errors.extend(place_pages(site))
    if errors:
        raise ContentErrors(errors)
    return site


def load_page(path: Path, content_dir: Path, findings: list[Finding]) -> Page | None:
    """Read one file; None for files that are not pages (pictures and other assets)."""
    rel_to_content = PurePosixPath(path.relative_to(content_dir).as_posix())
    if path.suffix != ".md":
        return None
    lang = rel_to_content.parts[0]
    if lang not in LANGUAGES or len(rel_to_content.parts) < 2:
        raise ContentError(path, None, "pages must be inside content/en/ or content/fr/; move this file into one of them")
    text = read_text(path)
    meta, meta_lines, body, body_line = split_front_matter(text, str(path))
    check_front_matter(meta, meta_lines, str(path), findings)
    return Page(
        source=path,
        rel=PurePosixPath(*rel_to_content.parts[1:]),
        lang=lang,
        meta=meta,
        body=body,
        body_line=body_line,
        meta_lines=meta_lines,
    )


def read_text(path: Path) -> str:
    """Decode UTF-8 (with or without BOM), unify line endings and accents (NFC)."""
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(path, None, f"the file is too large ({len(data) // 1_000_000} MB); split it into smaller pages")
    if b"\0" in data:
        raise ContentError(path, None, "this is not a text file; only Markdown text files may end in .md")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ContentError(
            path, line,
            "the file is not saved as UTF-8 (accents such as é are stored another way, often Latin-1); "
            "open it in your editor and save it with the encoding UTF-8",
        ) from None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def split_front_matter(text: str, file: str) -> tuple[dict, dict[str, int], str, int]:
    """Separate the `---` settings block from the Markdown body, keeping line numbers."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(file, 1, "the page must start with a settings block: a line `---`, `title:` and "
                                    "`description:` lines, then another `---`")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            break
    else:
        raise ContentError(file, 1, "the settings block that starts on line 1 is never closed; add a line `---` after it")
    meta, meta_lines = load_mapping("\n".join(lines[1:index]), file, first_line=2)
    body = "\n".join(lines[index + 1:])
    return meta, meta_lines, body, index + 2


def check_front_matter(meta: dict, lines: dict[str, int], file: str, findings: list[Finding]) -> None:
    """Required keys and value types are errors; unknown keys are warnings with a suggestion."""
    for key in REQUIRED:
        if not meta.get(key) or not isinstance(meta.get(key), str):
            raise ContentError(file, lines.get(key, 1), f"the settings block needs `{key}:` followed by text")
    for key, value in meta.items():
        expected = FRONT_MATTER_TYPES.get(key)
        if expected is None:
            findings.append(Finding(file, lines.get(key, 1), "content.unknown-key", "warning",
                                    f"unknown setting `{key}` is ignored.{did_you_mean(key, FRONT_MATTER_TYPES)}"))
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ContentError(file, lines.get(key), f"`{key}` must be {TYPE_WORDS[expected]}, not `{value}`")
    if "slug" in meta and not SAFE_SLUG.match(meta["slug"]):
        raise ContentError(file, lines.get("slug"), f"`slug: {meta['slug']}` may only use lower-case letters a-z, "
                                                    "digits and hyphens (no accents, spaces, / or ..)")
    if meta.get("layout", "page") not in LAYOUTS:
        raise ContentError(file, lines.get("layout"), f"unknown layout `{meta['layout']}`; use one of: "
                                                      f"{', '.join(LAYOUTS)}.{did_you_mean(meta['layout'], LAYOUTS)}")


def place_pages(site: Site) -> list[ContentError]:
    """Link pages to their sections, sort children by weight, and give each page its URL."""
    errors = []
    for lang in LANGUAGES:
        pages = {p.rel: p for p in site.pages_in(lang)}
        home = pages.get(PurePosixPath("_index.md"))
        if home is None:
            errors.append(ContentError(site.content_dir / lang, None,
                                       f"the {lang} home page is missing; create content/{lang}/_index.md"))
            continue
        for page in pages.values():
            if page.is_home:
                continue
            folder = page.rel.parent.parent if page.is_section else page.rel.parent
            parent = pages.get(folder / "_index.md")
            if parent is None:
                errors.append(ContentError(page.source, None, f"the folder {lang}/{folder}/ has no _index.md; add one "
                                                              "with a title and description for the section"))
                continue
            page.parent = parent
            parent.children.append(page)
        if errors:
            continue
        assign_urls(home, f"/{lang}/")
        errors.extend(duplicate_urls(pages.values()))
    return errors


def assign_urls(page: Page, url: str) -> None:
    """A page's URL is its section's URL plus its own slug (or file name) segment."""
    page.url = url
    page.children.sort(key=lambda p: (p.weight, p.title, str(p.rel)))
    for child in page.children:
        segment = child.meta.get("slug") or (child.rel.parent.name if child.is_section else child.rel.stem)
        assign_urls(child, f"{url}{url_segment(segment)}/")


def url_segment(name: str) -> str:
    """File names become URL segments: lower case, ASCII, hyphens for anything else."""
    return slugify(name) or "page"


def duplicate_urls(pages) -> list[ContentError]:
    """Two pages at one address would overwrite each other: report both files."""
    seen: dict[str, Page] = {}
    errors = []
    for page in sorted(pages, key=lambda p: str(p.source)):
        other = seen.setdefault(page.url, page)
        if other is not page:
            errors.append(ContentError(page.source, page.meta_lines.get("slug"),
                                       f"this page has the same address {page.url} as {other.source}; "
                                       "give one of them a different `slug` or file name"))
    return errors
