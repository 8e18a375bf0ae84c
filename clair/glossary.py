"""Load and render stages: the glossary, acronyms in both languages, their pages, and links from first uses.

One file, `data/glossary.yaml` beside the site configuration (the data folder the matrices use
too), lists every acronym the publications use, keyed by the English acronym:

    OPS:
      en: {abbr: OPS, term: Ontario Public Service, definition: "The people who ..."}
      fr: {abbr: FPO, term: fonction publique de l'Ontario, definition: "Les personnes qui ..."}

`forms` (optional, per language) lists other ways of writing the term that count as its
expansion, such as a plural: `forms: ["dirigeants principaux de l'information"]`.

From it the build makes one glossary page per language (/en/glossary/, /fr/glossaire/) and, on
every content page, links the first use of each acronym in the running text (paragraphs, list
items, table cells, quotations; not headings, link text or code) to its entry. The links are
added to a copy of the page's tokens at render time: `page.tokens` stays what the writer wrote,
so the `glossary.*` checks can tell a link the writer made from the automatic one.
A site without `data/glossary.yaml` has no glossary: no pages, no links, silent checks.
"""
from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from markdown_it.token import Token

from .config import did_you_mean
from .i18n import DEFAULT_FRENCH_SPACING, french_typography
from .model import LANGUAGES, ContentError, ContentErrors, GeneratedPage, Page, paired
from .slug import slugify
from .yamlfile import KeyLines, load_mapping, read_text_file

GLOSSARY_FILE = "glossary.yaml"  # in the data folder: data/ beside the site configuration file
PAGE_URLS = {"en": "/en/glossary/", "fr": "/fr/glossaire/"}
ID_PREFIXES = {"en": "acronym-", "fr": "sigle-"}
FIELDS = ("abbr", "term", "definition", "forms")
REQUIRED = ("abbr", "term", "definition")
CAPITALS = "A-ZÀ-ÖØ-ÞŒŸ"
ACRONYM = re.compile(rf"[{CAPITALS}]{{2,6}}")  # the whole text (fullmatch)
# An all-capitals word of 2 to 6 letters; English plurals (CIOs) are the acronym plus a small s.
ACRONYM_IN_TEXT = re.compile(rf"(?<![\w&])([{CAPITALS}]{{2,6}})(s?)(?![\w&])")


@dataclass(frozen=True)
class Entry:
    """One acronym in one language."""

    key: str  # the English acronym, the entry's name in the file
    lang: str
    abbr: str
    term: str
    definition: str
    forms: tuple[str, ...] = ()
    line: int = 0

    @property
    def id(self) -> str:
        return ID_PREFIXES[self.lang] + slugify(self.abbr)

    @property
    def url(self) -> str:
        return f"{PAGE_URLS[self.lang]}#{self.id}"

    @property
    def expansions(self) -> tuple[str, ...]:
        """The term and its other forms: any of them on the page expands the acronym."""
        return (self.term, *self.forms)


@dataclass
class Glossary:
    """Every entry, per language and abbreviation, read from one file."""

    file: str
    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)  # lang -> abbr -> entry

    def in_language(self, lang: str) -> list[Entry]:
        """The entries of one language in alphabetical order (accents folded, as French sorts)."""
        return sorted(self.entries[lang].values(), key=lambda e: (fold(e.abbr), e.abbr))

    def lookup(self, lang: str, abbr: str) -> Entry | None:
        return self.entries.get(lang, {}).get(abbr)

    def by_key(self, key: str, lang: str) -> Entry | None:
        return next((e for e in self.entries[lang].values() if e.key == key), None)


def fold(text: str) -> str:
    """Lower case without accents, for sorting: É sorts with E."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).casefold()


# ----------------------------------------------------------------------------- loading


def load_glossary(path: Path, french_spacing: str = DEFAULT_FRENCH_SPACING) -> Glossary | None:
    """Read and validate the glossary file; None when there is none. Every problem names its line. French texts
    get the site's French spacing."""
    if not path.exists():  # a folder or a named pipe is refused when read
        return None
    name = str(path)
    text = read_text_file(path, "glossary file")
    data, lines = load_mapping(text, name)
    glossary = Glossary(name, {lang: {} for lang in LANGUAGES})
    errors: list[ContentError] = []
    for key, value in data.items():
        try:
            for entry in read_entry(key, value, name, lines, french_spacing):
                other = glossary.entries[entry.lang].get(entry.abbr)
                if other is not None:
                    raise ContentError(name, entry.line, f"the {entry.lang} acronym `{entry.abbr}` is also used by "
                                                         f"`{other.key}` on line {other.line}; each acronym may "
                                                         "have only one entry per language")
                glossary.entries[entry.lang][entry.abbr] = entry
        except ContentError as err:
            errors.append(err)
    if errors:
        raise ContentErrors(errors) if len(errors) > 1 else errors[0]
    return glossary


def read_entry(key: str, value: Any, file: str, lines: KeyLines, french_spacing: str) -> list[Entry]:
    """Both languages of one entry, refused with the line of the first missing or wrong field."""
    line = lines.get(key)
    example = "en: {abbr: OPS, term: Ontario Public Service, definition: ...}"
    if not ACRONYM.fullmatch(key):
        raise ContentError(file, line, f"`{key}` is not an acronym: name each entry by its English acronym, "
                                       "2 to 6 capital letters (such as OPS)")
    if not isinstance(value, dict):
        raise ContentError(file, line, f"`{key}` must hold an `en:` and an `fr:` version, such as `{example}`")
    for lang in value:
        if lang not in LANGUAGES:
            raise ContentError(file, lines.get((key, lang), line), f"`{key}` has a version `{lang}`; a glossary "
                               f"entry has only `en:` and `fr:`.{did_you_mean(lang, LANGUAGES)}")
    entries = []
    for lang in LANGUAGES:
        if lang not in value:
            raise ContentError(file, line, f"`{key}` has no `{lang}:` version; add one with its `abbr`, "
                                           "`term` and `definition` in that language")
        entries.append(read_version(key, lang, value[lang], file, lines, french_spacing))
    return entries


def read_version(key: str, lang: str, version: Any, file: str, lines: KeyLines, french_spacing: str) -> Entry:
    """One language of an entry: abbr, term, definition (all required), forms (optional)."""
    line = lines.get((key, lang), lines.get(key))
    if not isinstance(version, dict):
        raise ContentError(file, line, f"the `{lang}` version of `{key}` must be `key: value` lines: "
                                       "`abbr`, `term` and `definition`")
    for name in version:
        if name not in FIELDS:
            raise ContentError(file, lines.get((key, lang, name), line), f"the `{lang}` version of `{key}` has "
                               f"an unknown field `{name}`; the fields are {', '.join(FIELDS)}."
                               f"{did_you_mean(name, FIELDS)}")
    for name in REQUIRED:
        value = version.get(name)
        if not isinstance(value, str) or not value.strip():
            where = lines.get((key, lang, name), line)
            problem = "is missing" if name not in version else "must be a piece of text"
            raise ContentError(file, where, f"`{name}` of the `{lang}` version of `{key}` {problem}; "
                                            f"{FIELD_HELP[name]}")
    abbr = version["abbr"].strip()
    if not ACRONYM.fullmatch(abbr):
        raise ContentError(file, lines.get((key, lang, "abbr"), line), f"`abbr: {abbr}` must be an acronym of "
                                                                      "2 to 6 capital letters, such as FPO")
    if lang == "en" and abbr != key:
        raise ContentError(file, lines.get((key, lang, "abbr"), line), f"the English `abbr` of `{key}` is "
                           f"`{abbr}`; the entry must be named by its English acronym: rename it `{abbr}:`")
    forms = version.get("forms", [])
    if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
        raise ContentError(file, lines.get((key, lang, "forms"), line), f"`forms` of the `{lang}` version of "
                           f"`{key}` must be a list of texts, such as [\"chief information officers\"]")
    texts = [version["term"].strip(), version["definition"].strip(), *(f.strip() for f in forms)]
    if lang == "fr":
        texts = [french_typography(t, french_spacing) for t in texts]
    return Entry(key, lang, abbr, texts[0], texts[1], tuple(texts[2:]), line or 1)


FIELD_HELP = {
    "abbr": "write the acronym used in this language, such as `abbr: FPO`",
    "term": "write what the acronym stands for, such as `term: fonction publique de l'Ontario`",
    "definition": "explain in one or two short, plain sentences what it is",
}


# ----------------------------------------------------------------------------- first uses on pages


def acronym_pattern(glossary: Glossary, lang: str) -> re.Pattern | None:
    """Whole-word, case-sensitive matches of the language's acronyms (English ones may take a plural s)."""
    abbrs = sorted(glossary.entries[lang], key=lambda a: (-len(a), a))
    if not abbrs:
        return None
    plural = "s?" if lang == "en" else ""
    return re.compile(rf"(?<![\w&])({'|'.join(map(re.escape, abbrs))}){plural}(?![\w&])")


def is_glossary_link(href: str | None, page_url: str, lang: str) -> bool:
    """A link the writer made to the glossary page of this language (to an entry, or to the page itself)."""
    path = urlsplit(urljoin(page_url, str(href or ""))).path
    return path.removesuffix("index.html").rstrip("/") + "/" == PAGE_URLS[lang]


RAW_OPEN = re.compile(r"^<(a|abbr|code|dfn)\b", re.IGNORECASE)
RAW_CLOSE = re.compile(r"^</(a|abbr|code|dfn)\s*>", re.IGNORECASE)
RAW_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def raw_glossary_link(html: str, page: Page) -> bool:
    """Raw HTML (when the site allows it) that opens a link to the glossary."""
    href = RAW_HREF.search(html) if html[:3].lower() in ("<a ", "<a\t", "<a\n") else None
    return bool(href) and is_glossary_link(href.group(1), page.url, page.lang)


def link_first_uses(page: Page, glossary: Glossary | None) -> list:
    """The page's tokens with the first use of each acronym linked to its glossary entry.

    Headings, link text, code and text inside raw HTML links or abbreviations are left alone. Only
    the inline tokens that change are copied; `page.tokens` itself is not modified.
    """
    pattern = acronym_pattern(glossary, page.lang) if glossary else None
    if pattern is None:
        return page.tokens
    linked: set[str] = set()
    tokens, in_heading = [], False
    for token in page.tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and not in_heading and token.children:
            children = _link_children(token.children, pattern, glossary, page, linked)
            if children is not token.children:
                token = copy.copy(token)
                token.children = children
        tokens.append(token)
    return tokens


def with_open_links(children: list, page: Page) -> Iterator[tuple[Any, list[bool]]]:
    """Each inline child with the links open around it (a Markdown link, or a raw <a>, <abbr> or <code>),
    each marked True when it leads to the glossary. The list is live: read it before the next child."""
    inside: list[bool] = []
    for child in children:
        if child.type == "link_open":
            inside.append(is_glossary_link(child.attrGet("href"), page.url, page.lang))
        elif child.type == "link_close" and inside:
            inside.pop()
        elif child.type == "html_inline" and RAW_OPEN.match(child.content):
            inside.append(raw_glossary_link(child.content, page))
        elif child.type == "html_inline" and RAW_CLOSE.match(child.content) and inside:
            inside.pop()
        yield child, inside


def _link_children(children: list, pattern: re.Pattern, glossary: Glossary, page: Page, linked: set[str]) -> list:
    """Inline children with new acronyms linked; the same list object when nothing changed.

    An acronym the writer linked to the glossary counts as linked: the build does not link it again.
    """
    out, changed = [], False
    for child, inside in with_open_links(children, page):
        if child.type != "text" or inside:
            if child.type == "text" and any(inside):
                linked.update(match.group(1) for match in pattern.finditer(child.content))
            out.append(child)
            continue
        pieces = _split(child, pattern, glossary, page.lang, linked)
        changed |= len(pieces) > 1
        out.extend(pieces)
    return out if changed else children


def _split(child, pattern: re.Pattern, glossary: Glossary, lang: str, linked: set[str]) -> list:
    """A text token cut around the first uses it holds, each wrapped in a link and an abbr."""
    pieces, start = [], 0
    for match in pattern.finditer(child.content):
        abbr = match.group(1)
        if abbr in linked:
            continue
        linked.add(abbr)
        entry = glossary.entries[lang][abbr]
        if match.start() > start:
            pieces.append(_text(child, child.content[start:match.start()]))
        link = Token("link_open", "a", 1, attrs={"href": entry.url, "class": "glossary-link"}, meta={"glossary": True})
        abbr_open = Token("abbr_open", "abbr", 1, attrs={"title": entry.term}, meta={"glossary": True})
        pieces += [link, abbr_open, _text(child, match.group(0)), Token("abbr_close", "abbr", -1),
                   Token("link_close", "a", -1)]
        start = match.end()
    if not pieces:
        return [child]
    if start < len(child.content):
        pieces.append(_text(child, child.content[start:]))
    return pieces


def _text(original, content: str):
    token = copy.copy(original)
    token.content = content
    return token


# ----------------------------------------------------------------------------- glossary pages


def glossary_pages(renderer) -> list[GeneratedPage]:
    """/en/glossary/ and /fr/glossaire/ through templates/glossary.html (none without a glossary)."""
    glossary = renderer.site.glossary
    if glossary is None:
        return []
    pages = paired({lang: GeneratedPage(PAGE_URLS[lang], lang, renderer.translator(lang)("glossary"),
                                        renderer.translator(lang)("glossary_description"), "the glossary page")
                    for lang in LANGUAGES})
    for page in pages:
        home = renderer.homes[page.lang]
        page.output = renderer.template("glossary.html").render(
            **renderer.generated_context(page, breadcrumbs=[home] if home else []),
            entries=glossary.in_language(page.lang))
    return pages
