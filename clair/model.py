"""The one small site model every stage of the pipeline reads and extends."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .shape import Either, Shape

LANGUAGES = ("en", "fr")
HOME_PAGE = PurePosixPath("_index.md")  # a language's home page, inside its folder
OTHER_LANGUAGE = {"en": "fr", "fr": "en"}
LANGUAGE_NAMES = {"en": "English", "fr": "French"}  # as messages name them


@functools.lru_cache(maxsize=1 << 16)
def output_path(url: str) -> PurePosixPath:
    """The file a page's address is written to: /en/a/ is en/a/index.html (asked for each page by every stage:
    kept, so its hash is kept too, and a path costs to make)."""
    return PurePosixPath(url.strip("/"), "index.html")


class ContentError(Exception):
    """Content or configuration that cannot be loaded; reported with file and line, exit code 2."""

    def __init__(self, file: str | Path, line: int | None, message: str):
        super().__init__(message)
        self.file = str(file)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    @property
    def errors(self) -> list[ContentError]:
        """Itself, as ContentErrors holds its errors: a caller catching either reads them the same way."""
        return [self]


class ContentErrors(Exception):
    """Every load error found in one pass, so a writer can fix them all at once; `warnings` are the warnings
    found before the errors stopped the build (an unknown setting...), shown with them."""

    def __init__(self, errors: list[ContentError], warnings: list[Finding] | None = None):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
        self.warnings = list(warnings or [])


def built_text(content: str | bytes | None) -> str:
    """A built file's text, whether it is kept as text or as UTF-8 bytes (pages are: see Page.output)."""
    return content.decode("utf-8") if isinstance(content, bytes) else content or ""


def built_bytes(content: str | bytes) -> bytes:
    """A built file's bytes as written, whether it is kept as text or as UTF-8 bytes."""
    return content.encode("utf-8") if isinstance(content, str) else content


@dataclass(frozen=True, order=True)
class Finding:
    """One problem a check found, pointing at the Markdown line a writer must change."""

    file: str
    line: int
    check: str
    severity: str  # "error" or "warning"
    message: str
    column: int | None = None
    related_file: str | None = None
    related_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def to_data(self) -> list:
        """The finding as JSON values, for the build cache."""
        return [self.file, self.line, self.check, self.severity, self.message, self.column, self.related_file,
                self.related_line]

    @classmethod
    def from_data(cls, data) -> Finding:
        """A finding from `to_data`'s values; Damaged (clair/shape.py) when they are not of that shape."""
        return cls(*FINDING_DATA.conform(data))


FINDING_DATA = Shape((str, int, str, str, str, Either(None, int), Either(None, str), Either(None, int)))


class Utf8Text:
    """A text attribute kept as UTF-8 bytes in `<name>_utf8`. Rendered HTML is kept so: a str holding one
    character beyond Latin-1 (a curly quote, French spacing) takes two bytes a character, and a site of
    10,000 pages keeps all of them until written."""

    def __set_name__(self, owner, name: str) -> None:
        self.stored = f"{name}_utf8"

    def __get__(self, instance, owner=None):
        return self if instance is None else getattr(instance, self.stored).decode("utf-8")

    def __set__(self, instance, value: str) -> None:
        setattr(instance, self.stored, value.encode("utf-8"))


@dataclass(eq=False)
class Page:
    """One Markdown file in one language, with everything later stages learn about it."""

    source: Path  # as given on the command line's content folder, e.g. content/en/a/b.md
    rel: PurePosixPath  # path under the language folder, e.g. a/b.md
    lang: str
    meta: dict[str, Any]
    body: str
    body_line: int  # file line (1-based) of the body's first line
    meta_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> file line
    url: str = ""
    parent: Page | None = None
    children: list[Page] = field(default_factory=list)
    counterpart: Page | None = None
    tokens: list = field(default_factory=list)
    env: dict = field(default_factory=dict)  # markdown-it environment (footnotes) from parsing
    html_utf8: bytes = b""  # the rendered body (see `html`)
    headings: list[dict] = field(default_factory=list)  # level, id, text, line
    output_utf8: bytes = b""  # the whole rendered page, as written (see `output`)
    paired_by: str = ""  # how the reader of another generator's site found the counterpart (clair/readers)
    counterpart_source: str | None = None  # that counterpart's file, for the JSON output and the report
    stand_in: bool = False  # a home page clair made for a site without one: its findings are no writer's
    source_digest: bytes = b""  # SHA-256 of the file's bytes as loaded: the build cache's key never reads it again

    html = Utf8Text()  # the rendered body, as text (kept in html_utf8)
    output = Utf8Text()  # the whole rendered page, as text (kept in output_utf8)

    @property
    def is_section(self) -> bool:
        return self.rel.name == "_index.md"

    @property
    def is_home(self) -> bool:
        return self.rel == HOME_PAGE

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def weight(self) -> int:
        return self.meta.get("weight", 0)

    @property
    def translation_key(self) -> str:
        return self.meta.get("translation_key") or str(self.rel)

    @property
    def output_path(self) -> PurePosixPath:
        return output_path(self.url)

    def file_line(self, token_line: int) -> int:
        """Turn a 0-based body line (markdown-it's token.map) into a 1-based file line."""
        return self.body_line + token_line

    def ancestors(self) -> list[Page]:
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    def publication(self) -> Page | None:
        """The top-level section this page belongs to (itself if it is one)."""
        chain = [*self.ancestors(), self]
        return chain[1] if len(chain) > 1 else None

    @property
    def is_publication(self) -> bool:
        """A publication's own page (`content/en/NAME/_index.md`): its `status`, `note` and `targets` are the
        whole publication's."""
        return self.is_section and len(self.rel.parts) == 2

    @property
    def archived(self) -> Page | None:
        """The page's publication when it is archived (`status: archived`): every page shows its `note`."""
        publication = self.publication()
        return publication if publication is not None and publication.meta.get("status") == "archived" else None


@dataclass
class Site:
    """All pages of both languages, the configuration and the data they were loaded with."""

    config: Any  # clair.config.Config
    project: Any  # clair.project.Project: every path of the site
    pages: list[Page] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    scores: dict[str, dict] = field(default_factory=dict)  # per source file: readability and parity figures
    relaxations: list[dict] = field(default_factory=list)  # rules pages relaxed, with their reasons
    targets: dict[str, dict] = field(default_factory=dict)  # per publication page's file: its targets in force
    library: Any = None  # clair.matrices.MatrixLibrary: the matrices of data/matrices/ and the errors found in them
    glossary: Any = None  # clair.glossary.Glossary from data/glossary.yaml, or None when there is none
    generator: str = "clair"  # whose conventions the pages follow (clair/readers: hugo, jekyll, ...)
    foreign: Any = None  # clair.readers.ForeignAddresses: the team's own addresses, for another generator's site
    history: Any = None  # clair.history.History: when each content file last changed in git; None outside git

    @property
    def matrices(self) -> dict[str, Any]:
        """Name -> clair.matrices.Matrix."""
        return self.library.matrices if self.library is not None else {}

    def pages_in(self, lang: str) -> list[Page]:
        return [p for p in self.pages if p.lang == lang]

    def home(self, lang: str) -> Page | None:
        return next((p for p in self.pages_in(lang) if p.is_home), None)

    def by_url(self) -> dict[str, Page]:
        return {p.url: p for p in self.pages}


@dataclass(eq=False)
class GeneratedPage:
    """A page the build makes that no Markdown file holds (search, glossary, a one-page view): enough of a
    Page's shape for base.html, the sitemap and hreflang alternates. Not in `site.pages`, so the checks
    that read pages never count it; the link checks read it like every built file."""

    url: str
    lang: str
    title: str
    description: str
    kind: str  # what it is, as messages name it: "the search page"
    counterpart: GeneratedPage | None = None
    output: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.meta = {"description": self.description}

    @property
    def output_path(self) -> PurePosixPath:
        return output_path(self.url)


def paired(pages: dict[str, GeneratedPage]) -> list[GeneratedPage]:
    """One generated page per language, each the other's translation."""
    for lang, page in pages.items():
        page.counterpart = pages.get(OTHER_LANGUAGE[lang])
    return list(pages.values())


def alternates(page: Page | GeneratedPage) -> list[tuple[str, str]]:
    """(hreflang, url) pairs for a page and its translation; x-default is the English version."""
    if page.counterpart is None:
        return []
    versions = {page.lang: page.url, page.counterpart.lang: page.counterpart.url}
    return [("en", versions["en"]), ("fr", versions["fr"]), ("x-default", versions["en"])]


def reading_order(root: Page) -> list[Page]:
    """A publication's pages depth-first in weight order: the order a reader goes through them."""
    order = [root]
    for child in root.children:
        order.extend(reading_order(child))
    return order
