"""Stage 1, load: read the configuration, every Markdown file of both languages and the data into a Site."""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from .config import LAYOUTS, did_you_mean, load_config
from .glossary import GLOSSARY_FILE, load_glossary
from .matrices import MatrixLibrary
from .model import LANGUAGES, ContentError, ContentErrors, Finding, Page, Site
from .project import Project
from .slug import slugify
from .yamlfile import CONTROL_CHARACTER, load_mapping, read_text_file

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
TEXT_KEYS = tuple(key for key, kind in FRONT_MATTER_TYPES.items() if kind is str)  # `title: No` stays "No"
TYPE_WORDS = {str: "a piece of text", int: "a whole number", dt.date: "a date like 2026-11-24", dict: "a group of settings"}
SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")  # the whole slug (fullmatch): `$` would let "a\n" through
MAX_SLUG_LENGTH = 80
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 10  # folders inside a language folder; publications use two or three
MARKDOWN_LOOKALIKES = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext")


def load_site(project: Project) -> Site:
    """Read the configuration, all pages and the data (matrices, glossary); collect every error before
    giving up so writers see them all at once. Errors in matrices are kept in `site.library` and
    reported with the pages' rendering errors."""
    site = Site(config=load_config(project.config), project=project)
    content_dir = project.content
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "the content folder does not exist; "
                                                             "give the right folder with --content")])
    if content_dir.is_symlink():  # a pull request can commit the folder itself as a link leading anywhere
        raise ContentErrors([ContentError(content_dir, None, LINKED_FOLDER)])
    paths, errors = source_files(content_dir)
    for path in paths:
        try:
            page = load_page(path, content_dir, site.findings)
        except ContentError as err:
            errors.append(err)
            continue
        if page is not None:
            site.pages.append(page)
    if not errors:
        errors.extend(place_pages(site))
    errors.extend(data_links(project))
    if errors:
        raise ContentErrors(errors)
    site.library = MatrixLibrary.load(project.data)
    site.glossary = load_glossary(project.data / GLOSSARY_FILE)
    return site


LINKED_FOLDER = "this is a link to another folder, which clair does not follow; move or copy the folder here instead"


def data_links(project: Project) -> list[ContentError]:
    """Links in the data folder, which pull requests fill too, may not lead out of it; nor may the folder."""
    data = project.data
    if data.is_symlink():
        return [ContentError(data, None, LINKED_FOLDER)]
    return source_files(data, "data")[1] if data.is_dir() else []


def source_files(content_dir: Path, which: str = "content") -> tuple[list[Path], list[ContentError]]:
    """Every file under the content folder (or the `which` folder), in a stable order, without following
    links out of it.

    Hidden files and folders (names starting with `.`, such as .DS_Store or editor lock files) are
    skipped. A link to a file inside the content folder is read like the file; a link leading out
    of the folder, to a folder, or nowhere is an error: it would publish or lose something unseen.
    """
    root = content_dir.resolve()
    paths, errors = [], []

    def unreadable(error: OSError) -> None:
        errors.append(ContentError(error.filename or content_dir, None, f"this folder cannot be read "
                                   f"({error.strerror}); check its permissions"))

    for folder, dirs, names in os.walk(content_dir, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            if os.path.islink(os.path.join(folder, name)):
                dirs.remove(name)
                errors.append(ContentError(Path(folder, name), None, LINKED_FOLDER))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.is_symlink():
                target = path.resolve()
                if not target.exists():
                    errors.append(ContentError(path, None, "this is a link to a file that does not exist; "
                                                           "delete the link or copy the file here"))
                    continue
                if root not in target.parents:
                    errors.append(ContentError(path, None, f"this is a link to {target}, outside the {which} "
                                                           f"folder; copy the file into the {which} folder instead"))
                    continue
            paths.append(path)
    return sorted(paths), errors


def load_page(path: Path, content_dir: Path, findings: list[Finding]) -> Page | None:
    """Read one file; None for files that are not pages (pictures and other assets)."""
    rel_to_content = PurePosixPath(unicodedata.normalize("NFC", path.relative_to(content_dir).as_posix()))
    if path.suffix != ".md":
        if path.suffix.lower() == ".md" or path.suffix.lower() in MARKDOWN_LOOKALIKES:
            raise ContentError(path, None, f"Markdown pages must end in `.md` (lower case), not `{path.suffix}`; "
                                           "rename the file or it will not be published")
        return None
    lang = rel_to_content.parts[0]
    if lang not in LANGUAGES or len(rel_to_content.parts) < 2:
        raise ContentError(path, None, f"pages must be inside {Path(content_dir, 'en').as_posix()}/ or "
                                       f"{Path(content_dir, 'fr').as_posix()}/ (clair publishes English and French "
                                       "only); move this file into one of them")
    if len(rel_to_content.parts) - 2 > MAX_DEPTH:
        raise ContentError(path, None, f"this page is {len(rel_to_content.parts) - 2} folders deep; "
                                       f"keep pages at most {MAX_DEPTH} folders inside "
                                       f"{Path(content_dir, lang).as_posix()}/")
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
    """Decode UTF-8 (with or without BOM), unify line endings and accents (NFC); refuse control characters
    (but tab and newline): they would reach the HTML, and the terminal in messages quoting the text."""
    text = read_text_file(path, "page", MAX_FILE_BYTES)
    found = CONTROL_CHARACTER.search(text)
    if found:
        raise ContentError(path, text.count("\n", 0, found.start()) + 1, "this line contains an invisible control "
                           f"character (U+{ord(found.group()):04X}), often left by copying text out of another "
                           "program; delete it")
    return text


SETTINGS_BLOCK_HELP = "a line `---`, `title:` and `description:` lines, then another `---`"


def split_front_matter(text: str, file: str) -> tuple[dict, dict[str, int], str, int]:
    """Separate the `---` settings block from the Markdown body, keeping line numbers."""
    if not text.strip():
        raise ContentError(file, 1, f"the file is empty; a page starts with a settings block ({SETTINGS_BLOCK_HELP}) "
                                    "followed by its text")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ContentError(file, 1, f"the page must start with a settings block: {SETTINGS_BLOCK_HELP}")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            break
    else:
        raise ContentError(file, 1, "the settings block that starts on line 1 is never closed; add a line `---` after it")
    meta, meta_lines = load_mapping("\n".join(lines[1:index]), file, first_line=2, text_keys=TEXT_KEYS)
    body = "\n".join(lines[index + 1:])
    return meta, meta_lines, body, index + 2


def describe(value) -> str:
    """A value as a writer typed it, never as Python shows it."""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, dict):
        return "a group of settings"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return f"`{value.isoformat()}`"
    text = str(value)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"


def check_front_matter(meta: dict, lines: dict[str, int], file: str, findings: list[Finding]) -> None:
    """Required keys and value types are errors; unknown keys are warnings with a suggestion."""
    for key in REQUIRED:
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            close = difflib.get_close_matches(key, [k for k in meta if k not in FRONT_MATTER_TYPES], n=1, cutoff=0.7)
            hint = f" (found `{close[0]}`: setting names are spelt exactly as shown, in lower case)" if close else ""
            raise ContentError(file, lines.get(key, 1), f"the settings block needs `{key}:` followed by text{hint}")
    for key, value in meta.items():
        expected = FRONT_MATTER_TYPES.get(key)
        if expected is None:
            findings.append(Finding(file, lines.get(key, 1), "content.unknown-key", "warning",
                                    f"unknown setting `{key}` is ignored.{did_you_mean(key, FRONT_MATTER_TYPES)}"))
            continue
        if value is None:
            raise ContentError(file, lines.get(key), f"`{key}` has no value; write one after `{key}:` "
                                                     "or delete the line")
        if isinstance(value, dt.datetime) and expected is dt.date:
            meta[key] = value = value.date()
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ContentError(file, lines.get(key), f"`{key}` must be {TYPE_WORDS[expected]}, not {describe(value)}")
    if "slug" in meta:
        slug = meta["slug"]
        if not SAFE_SLUG.fullmatch(slug):
            raise ContentError(file, lines.get("slug"), f"`slug: {slug}` may only use lower-case letters a-z, "
                                                        "digits and hyphens (no accents, spaces, / or ..); "
                                                        f"for example `{slugify(slug) or 'my-page'}`")
        if len(slug) > MAX_SLUG_LENGTH:
            raise ContentError(file, lines.get("slug"), f"the `slug` is {len(slug)} characters long; "
                                                        f"keep it under {MAX_SLUG_LENGTH}, a few words at most")
    if "translation_key" in meta and not meta["translation_key"].strip():
        raise ContentError(file, lines.get("translation_key"), "`translation_key` is empty; "
                                                               "write a word or delete the line")
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
            folder = site.project.language_folder(lang)
            errors.append(ContentError(folder, None, f"the {lang} home page is missing; create "
                                                     f"{(folder / '_index.md').as_posix()}"))
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
