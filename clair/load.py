"""Stage 1, load: read the configuration, every Markdown file of both languages and the data into a Site."""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from .cache import BuildCache
from .config import LAYOUTS, did_you_mean, load_config
from .files import TEXT_FILE_LIMIT, walk
from .glossary import GLOSSARY_FILE, load_glossary
from .matrices import MatrixLibrary
from .model import HOME_PAGE, LANGUAGES, ContentError, ContentErrors, Finding, Page, Site
from .project import Project
from .slug import slugify
from .yamlcache import MappingCache
from .yamlfile import CONTROL_CHARACTER, load_mapping, may_hold_control_characters, read_bytes, read_text_file

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
    "status": str,
    "note": str,
    "targets": dict,
}
PUBLICATION_KEYS = ("status", "note", "targets")  # settings of a whole publication, in its own _index.md only
STATUSES = ("current", "archived")
TEXT_KEYS = tuple(key for key, kind in FRONT_MATTER_TYPES.items() if kind is str)  # `title: No` stays "No"
TYPE_WORDS = {str: "a piece of text", int: "a whole number", dt.date: "a date like 2026-11-24", dict: "a group of settings"}
SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")  # the whole slug (fullmatch): `$` would let "a\n" through
MAX_SLUG_LENGTH = 80
MAX_DEPTH = 10  # folders inside a language folder; publications use two or three
MARKDOWN_LOOKALIKES = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext")
# A date as writers and other generators write it, quoted or not: 2017-08-09, 2018-08-31 09:00:00 -0400,
# 2018-08-31T09:00:00Z. Only the date is kept, as written (never moved to another time zone).
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"
                      r"(?:(?:[Tt]|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?)?)?")
# A front-matter problem: (key, check, message). ERROR stops the build (exit 2); any other check is a warning.
Problem = tuple[str, str, str]
ERROR = "content.load"
UNKNOWN_KEY, IGNORED_VALUE, NO_DESCRIPTION = "content.unknown-key", "content.ignored-value", "content.no-description"


def load_site(project: Project, store: BuildCache | None = None, page_bytes: dict[str, bytes] | None = None) -> Site:
    """Read the configuration, all pages and the data (matrices, glossary); collect every error before
    giving up so writers see them all at once. Errors in matrices are kept in `site.library` and
    reported with the pages' rendering errors. With a build cache (`store`), settings blocks parsed
    by an earlier build are taken from it (clair/yamlcache.py); pages whose bytes the run's hash read
    (`page_bytes`, clair/replay.py) are not read again."""
    site = Site(config=load_config(project.config), project=project)
    content_dir = project.content
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "the content folder does not exist; "
                                                             "give the right folder with --content")])
    if content_dir.is_symlink():  # a pull request can commit the folder itself as a link leading anywhere
        raise ContentErrors([ContentError(content_dir, None, LINKED_FOLDER)])
    paths, errors = source_files(content_dir)
    unloaded = set()
    parsed = MappingCache(store) if store is not None else None
    for path in paths:
        try:
            page = load_page(path, content_dir, site.findings, parsed.load_mapping if parsed else load_mapping,
                             page_bytes)
        except (ContentError, ContentErrors) as err:
            errors.extend(err.errors)
            unloaded.add(content_path(path, content_dir))
            continue
        if page is not None:
            site.pages.append(page)
    if parsed is not None:
        parsed.save()
    errors.extend(place_pages(site, unloaded))
    errors.extend(data_links(project))
    if errors:
        raise ContentErrors(errors, site.findings)
    site.library = MatrixLibrary.load(project.data)
    site.glossary = load_glossary(project.data / GLOSSARY_FILE, site.config.french_spacing)
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

    for _, folders, files in walk(content_dir, unreadable=unreadable):
        errors.extend(ContentError(Path(entry.path), None, LINKED_FOLDER) for entry in folders if entry.is_symlink())
        for entry in files:
            path = Path(entry.path)
            if entry.is_symlink():
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


def content_path(path: Path, content_dir: Path) -> PurePosixPath:
    """A file's path inside the content folder, accents normalised (NFC): `en/pub/a.md`."""
    return PurePosixPath(unicodedata.normalize("NFC", path.relative_to(content_dir).as_posix()))


def load_page(path: Path, content_dir: Path, findings: list[Finding], parse=load_mapping,
              page_bytes: dict[str, bytes] | None = None) -> Page | None:
    """Read one file; None for files that are not pages (pictures and other assets). Warnings go to `findings`;
    a file that cannot be read raises ContentError, a settings block with mistakes ContentErrors (all of them).
    `parse` reads the settings block: yamlfile.load_mapping, or the same answers from the build cache.
    `page_bytes` holds files read already, by path inside the content folder; the page's are taken from it."""
    written = path.relative_to(content_dir).as_posix()  # as the folder spells it: the key of `page_bytes`
    inside = unicodedata.normalize("NFC", written)  # `en/pub/a.md`: a string, as pathlib is a fair share of loading
    lang, _, rel = inside.partition("/")
    depth = inside.count("/") - 1  # folders inside the language folder
    if path.suffix != ".md":
        if path.suffix.lower() == ".md" or path.suffix.lower() in MARKDOWN_LOOKALIKES:
            raise ContentError(path, None, f"Markdown pages must end in `.md` (lower case), not `{path.suffix}`; "
                                           "rename the file or it will not be published")
        return None
    if lang not in LANGUAGES or not rel:
        raise ContentError(path, None, f"pages must be inside {Path(content_dir, 'en').as_posix()}/ or "
                                       f"{Path(content_dir, 'fr').as_posix()}/ (clair publishes English and French "
                                       "only); move this file into one of them")
    if depth > MAX_DEPTH:
        raise ContentError(path, None, f"this page is {depth} folders deep; "
                                       f"keep pages at most {MAX_DEPTH} folders inside "
                                       f"{Path(content_dir, lang).as_posix()}/")
    data = page_bytes.pop(written, None) if page_bytes else None
    data = read_bytes(path, "page", TEXT_FILE_LIMIT) if data is None else data
    text = read_text(path, data)
    meta, meta_lines, body, body_line = split_front_matter(text, str(path), parse)
    is_publication = depth == 1 and rel.endswith("/_index.md")
    errors = check_front_matter(meta, meta_lines, str(path), findings, is_publication)
    if errors:
        raise ContentErrors(errors)
    return Page(
        source=path,
        rel=PurePosixPath(rel),
        lang=lang,
        meta=meta,
        body=body,
        body_line=body_line,
        meta_lines=meta_lines,
        source_digest=hashlib.sha256(data).digest(),
    )


def read_text(path: Path, data: bytes | None = None) -> str:
    """Decode UTF-8 (with or without BOM), unify line endings and accents (NFC); refuse control characters
    (but tab and newline): they would reach the HTML, and the terminal in messages quoting the text.
    `data`: the file's bytes, when they were read already."""
    if data is None:
        data = read_bytes(path, "page", TEXT_FILE_LIMIT)
    text = read_text_file(path, "page", TEXT_FILE_LIMIT, data)
    found = CONTROL_CHARACTER.search(text) if may_hold_control_characters(data) else None
    if found:
        raise ContentError(path, text.count("\n", 0, found.start()) + 1, "this line contains an invisible control "
                           f"character (U+{ord(found.group()):04X}), often left by copying text out of another "
                           "program; delete it")
    return text


FENCE = re.compile(r"^[^\S\n]*---[^\S\n]*$", re.M)  # a line that is `---` once str.strip() took its spaces
SETTINGS_BLOCK_HELP = "a line `---`, `title:` and `description:` lines, then another `---`"


def split_front_matter(text: str, file: str, parse=load_mapping) -> tuple[dict, dict[str, int], str, int]:
    """Separate the `---` settings block from the Markdown body, keeping line numbers; `parse` reads the block."""
    if not text or text.isspace():
        raise ContentError(file, 1, f"the file is empty; a page starts with a settings block ({SETTINGS_BLOCK_HELP}) "
                                    "followed by its text")
    opening = FENCE.match(text)
    if opening is None:
        raise ContentError(file, 1, f"the page must start with a settings block: {SETTINGS_BLOCK_HELP}")
    closing = FENCE.search(text, opening.end() + 1)
    if closing is None:
        raise ContentError(file, 1, "the settings block that starts on line 1 is never closed; add a line `---` after it")
    block_start, closing_line = opening.end() + 1, text.count("\n", 0, closing.start())
    meta, meta_lines = parse(text[block_start:closing.start() - 1], file, first_line=2, text_keys=TEXT_KEYS)
    return meta, meta_lines, text[closing.end() + 1:], closing_line + 2


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


def check_front_matter(meta: dict, lines: dict[str, int], file: str, findings: list[Finding],
                       is_publication: bool = False) -> list[ContentError]:
    """Every mistake of a settings block at once. Errors (returned) for what clair cannot publish safely: no
    title, an unsafe slug, a date that is not one, a value of the wrong kind, a status it does not know, an
    archived publication without its note. Warnings (added to `findings`) for what it can do without: an unknown
    key, no description, an unknown layout, a weight that is not a whole number, a key without a value, a
    publication's setting on another page; such values are left out of `meta`, so the defaults apply."""
    errors = []
    misspelt = misspelt_required(meta)
    problems = [*required_problems(meta, misspelt), *value_problems(meta, set(misspelt.values())),
                *publication_problems(meta, is_publication)]
    for line, check, message in sorted((lines.get(key, 1), check, message) for key, check, message in problems):
        if check == ERROR:
            errors.append(ContentError(file, line, message))
        else:
            findings.append(Finding(file, line, check, "warning", message))
    return errors


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def misspelt_required(meta: dict) -> dict[str, str]:
    """Unknown keys that spell a missing `title` or `description` another way (`Title:`): {required: written}."""
    unknown = [key for key in meta if key not in FRONT_MATTER_TYPES]
    if not unknown:  # the usual case, and comparing spellings is a fair share of loading's time
        return {}
    found = {key: difflib.get_close_matches(key, unknown, n=1, cutoff=0.7) for key in ("title", "description")}
    return {key: close[0] for key, close in found.items() if close and blank(meta.get(key))}


def spelling_hint(key: str, misspelt: dict[str, str]) -> str:
    written = misspelt.get(key)
    return f" (found `{written}`: setting names are spelt exactly as shown, in lower case)" if written else ""


def required_problems(meta: dict, misspelt: dict[str, str]) -> Iterator[Problem]:
    """A page needs a title (an error without one); without a description it is published with an empty one.
    Each problem is at the line of the key written another way (`Title:`), if any."""
    if not isinstance(meta.get("title"), str) or blank(meta["title"]):
        yield (misspelt.get("title", "title"), ERROR,
               f"the settings block needs `title:` followed by text{spelling_hint('title', misspelt)}")
    description = meta.get("description")
    if blank(description):
        meta["description"] = ""
        yield misspelt.get("description", "description"), NO_DESCRIPTION, (
            f"the page has no `description:`{spelling_hint('description', misspelt)}; add a one-sentence "
            "description: search engines, the home page and section pages show it (until then they show none)")
    elif not isinstance(description, str):
        yield "description", ERROR, f"`description` must be {TYPE_WORDS[str]}, not {describe(description)}"


def value_problems(meta: dict, explained: set[str]) -> Iterator[Problem]:
    """Each optional setting's value: unknown keys (but those `explained` already), empty values, kinds, dates,
    slugs and layouts."""
    for key, value in list(meta.items()):
        expected = FRONT_MATTER_TYPES.get(key)
        if expected is None:
            if key not in explained:
                yield key, UNKNOWN_KEY, f"unknown setting `{key}` is ignored.{did_you_mean(key, FRONT_MATTER_TYPES)}"
        elif key in ("title", "description"):
            continue  # required_problems
        elif blank(value):
            del meta[key]
            yield key, IGNORED_VALUE, f"`{key}` has no value, so it is ignored; write one after `{key}:` or delete the line"
        elif expected is dt.date:
            yield from date_problems(meta, key)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            yield from wrong_kind(meta, key, expected)
    yield from slug_problems(meta.get("slug"))
    yield from layout_problems(meta)


def wrong_kind(meta: dict, key: str, expected: type) -> Iterator[Problem]:
    """A `weight` that is not a whole number only changes the order of a list: the page is sorted without it.
    Any other value of the wrong kind would change what is published: an error."""
    message = f"`{key}` must be {TYPE_WORDS[expected]}, not {describe(meta[key])}"
    if key == "weight":
        del meta[key]
        yield key, IGNORED_VALUE, f"{message}; until then the page is sorted as if it had no weight"
    else:
        yield key, ERROR, message


def as_date(value) -> dt.date | None:
    """The date a value holds (a YAML date or datetime, or text written like one: see ISO_DATE); None if it holds
    none. Raises ValueError for a date that does not exist (2017-02-30)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    return dt.date(*map(int, written.groups())) if written else None


def date_problems(meta: dict, key: str) -> Iterator[Problem]:
    """Dates are kept as dates (datetime.date), however they were written."""
    value = meta[key]
    try:
        date = as_date(value)
    except ValueError:
        yield key, ERROR, (f"{describe(value)} is not valid: there is no such date; write dates as YYYY-MM-DD, "
                           "for example 2026-11-24")
        return
    if date is None:
        yield key, ERROR, f"`{key}` must be {TYPE_WORDS[dt.date]}, not {describe(value)}"
    else:
        meta[key] = date


def publication_problems(meta: dict, is_publication: bool) -> Iterator[Problem]:
    """`status`, `note` and `targets` are a whole publication's, so they belong in its own `_index.md`; elsewhere
    they are ignored. An archived publication needs its `note`: every page of it shows the note as its notice.
    (Settings, in checks/settings.py, reads the targets' values.)"""
    if not is_publication:
        for key in PUBLICATION_KEYS:
            if key in meta:
                del meta[key]
                yield key, IGNORED_VALUE, (f"`{key}` is ignored here: it is a setting of a whole publication, so it "
                                           "belongs in the publication's own `_index.md` (the one in the "
                                           "publication's folder, just inside content/en/ or content/fr/)")
        return
    status = meta.get("status")
    if isinstance(status, str) and status not in STATUSES:
        yield "status", ERROR, (f"`status: {status}` is not a status clair knows; write `status: archived` for a "
                                "publication kept for the record (every page then shows its `note`), or delete the "
                                f"line for a current one.{did_you_mean(status, STATUSES)}")
    elif status == "archived" and not isinstance(meta.get("note"), str):
        yield "status", ERROR, ("an archived publication needs a `note:` that tells readers, in this page's "
                                "language, why it is kept and what has changed since, such as `note: This is a "
                                "2013 document. The consultation it describes is closed.`")
    elif isinstance(meta.get("note"), str) and status != "archived":
        del meta["note"]
        yield "note", IGNORED_VALUE, ("`note` is shown only on archived publications, so it is ignored here; add "
                                      "`status: archived` if this publication is kept for the record")


def slug_problems(slug) -> Iterator[Problem]:
    """A slug becomes part of a file path and an address: anything but a-z, 0-9 and hyphens is an error."""
    if not isinstance(slug, str):
        return
    if not SAFE_SLUG.fullmatch(slug):
        yield "slug", ERROR, (f"`slug: {slug}` may only use lower-case letters a-z, digits and hyphens (no accents, "
                              f"spaces, / or ..); for example `{slugify(slug) or 'my-page'}`")
    elif len(slug) > MAX_SLUG_LENGTH:
        yield "slug", ERROR, (f"the `slug` is {len(slug)} characters long; keep it under {MAX_SLUG_LENGTH}, "
                              "a few words at most")


def layout_problems(meta: dict) -> Iterator[Problem]:
    """A layout clair does not have (often another generator's, such as `post`) is left out: the default applies."""
    layout = meta.get("layout")
    if isinstance(layout, str) and layout not in LAYOUTS:
        del meta["layout"]
        yield "layout", IGNORED_VALUE, (f"unknown layout `{layout}` is ignored: the page uses its default layout. "
                                        f"The layouts are {', '.join(LAYOUTS)}.{did_you_mean(layout, LAYOUTS)}")


def place_pages(site: Site, unloaded: set[PurePosixPath] = frozenset()) -> list[ContentError]:
    """Link pages to their sections, sort children by weight, and give each page its URL. A folder without its
    section page is one error, however many pages it holds; a section page that is there but could not be loaded
    (`unloaded`: paths inside the content folder) has its own errors already."""
    errors = []
    for lang in LANGUAGES:
        pages = {p.rel: p for p in site.pages_in(lang)}
        missing = missing_sections(pages)
        errors.extend(missing_section(site.project.language_folder(lang), folder, pages) for folder in missing
                      if PurePosixPath(lang, folder, "_index.md") not in unloaded)
        link_sections(pages)
        if not missing:
            assign_urls(pages[HOME_PAGE], f"/{lang}/")
            errors.extend(duplicate_urls(pages.values()))
    return errors


def missing_sections(pages: dict[PurePosixPath, Page]) -> list[PurePosixPath]:
    """The folders of one language that hold pages (or folders of pages) but no `_index.md`; the language
    folder itself (`.`) when its home page is missing."""
    needed = {PurePosixPath(".")}
    for folder in {rel.parent for rel in pages}:
        needed.update((folder, *folder.parents))
    return sorted(folder for folder in needed if folder / "_index.md" not in pages)


def missing_section(language_folder: Path, folder: PurePosixPath, pages: dict[PurePosixPath, Page]) -> ContentError:
    """One error for a folder without its section page, naming the file to create."""
    index = (language_folder / folder / "_index.md").as_posix()
    if folder == PurePosixPath("."):
        return ContentError(language_folder, None, f"the {language_folder.name} home page is missing; create {index}")
    count = sum(1 for rel in pages if folder in rel.parents)
    return ContentError(language_folder / folder, None, f"this folder holds {count} page{'s' * (count != 1)} but no "
                                                        f"section page; create {index} with a `title:` and a "
                                                        "`description:` for the section")


def link_sections(pages: dict[PurePosixPath, Page]) -> None:
    """Give every page the section page of its folder (a section page: of the folder above) as parent."""
    sections = {page.rel.parent: page for page in pages.values() if page.is_section}  # by the folder each opens
    for page in pages.values():
        folder = page.rel.parent.parent if page.is_section else page.rel.parent
        parent = None if page.is_home else sections.get(folder)
        if parent is not None:
            page.parent = parent
            parent.children.append(page)


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
