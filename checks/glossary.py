"""Check stage, acronyms: every acronym is in the glossary, and each page expands it before the reader needs it.

Both rules read the page's text outside code. They are silent when the site has no glossary
(no `data/glossary.yaml` beside the site configuration). An acronym is a word of 2 to 6 capital
letters (an English plural such as CIOs counts as CIO); on French pages the French acronyms of
the glossary count (FPO, not OPS).

- `glossary.first-use` (warning): on each page, the first use of a glossary acronym in the
  running text (paragraphs, list items, tables, quotations; not the title or headings, which stay
  short and are names) must come with its expansion: the term, or one of its `forms`, appears
  earlier on the page (title and headings included) or in the same sentence, as in
  "the Ontario Public Service (OPS)" or "OPS (Ontario Public Service)". A link the writer made to
  the glossary (`[OPS](/en/glossary/#acronym-ops)`) also counts. The link the build adds to every
  first use does not: it is there for readers who skipped the expansion, and counting it would
  mean the rule could never fire. Reported at the line of the first use, with the words to write.
- `glossary.unknown` (warning; `ignore`): a word of 2 to 6 capital letters in the page's title,
  description or text that is not an acronym of the glossary in the page's language. Add it to
  data/glossary.yaml, write it out in words, or, if it is not an acronym (a Roman numeral, a file
  type), add it to `ignore`. Setting `ignore` in site.yaml replaces the whole default list.
  Reported once per page, at the line of its first use.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from clair.glossary import ACRONYM_IN_TEXT, Entry, Glossary, acronym_pattern, with_open_links
from clair.model import Finding, Page, Site

from .raw_html import content_tokens
from .settings import rule, texts

RULES = (
    rule("glossary.first-use", "warning"),
    rule("glossary.unknown", "warning",
         ignore=texts(["II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "CSV", "PDF"])),
)
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


@dataclass
class Run:
    """A piece of the page's text, where it comes from and how the reader meets it."""

    text: str
    line: int
    kind: str  # "title", "description", "heading" or "text"
    linked: bool = False  # inside a link the writer made to the glossary
    block: int = 0  # which paragraph, list item or heading it belongs to


def run(site: Site, files: dict, settings) -> Iterator[Finding | None]:
    glossary: Glossary | None = getattr(site, "glossary", None)
    if glossary is None:
        return
    for page in sorted(site.pages, key=lambda p: str(p.source)):
        runs = list(page_runs(page))
        yield from first_uses(page, runs, glossary, settings)
        yield from unknown(page, runs, glossary, settings)


def page_runs(page: Page) -> Iterator[Run]:
    """The page's text in reading order, code left out, each run with its file line."""
    yield Run(page.title, page.meta_lines.get("title", 1), "title", block=-2)
    yield Run(str(page.meta.get("description", "")), page.meta_lines.get("description", 1), "description", block=-1)
    in_heading = False
    for index, token in enumerate(content_tokens(page)):  # raw HTML included
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and token.children:
            yield from inline_runs(page, token, "heading" if in_heading else "text", index)


def inline_runs(page: Page, token, kind: str, block: int) -> Iterator[Run]:
    line = page.file_line(token.map[0]) if token.map else page.body_line
    for child, links in with_open_links(token.children, page):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            yield Run(" ", line, kind, any(links), block)
        elif child.type == "text":
            yield Run(child.content, line, kind, any(links), block)


def normalise(text: str) -> str:
    """Case, curly apostrophes and every kind of space made alike, for finding a term in the text."""
    return " ".join(text.replace("’", "'").replace("\u2011", "-").split()).casefold()


def first_uses(page: Page, runs: list[Run], glossary: Glossary, settings) -> Iterator[Finding | None]:
    """The first use of each acronym in the running text, unless expanded or linked by the writer."""
    pattern = acronym_pattern(glossary, page.lang)
    if pattern is None:
        return
    done: set[str] = set()
    before: list[str] = []  # the page's text so far
    for index, item in enumerate(runs):
        if item.kind == "text":
            for match in pattern.finditer(item.text):
                abbr = match.group(1)
                if abbr in done:
                    continue
                done.add(abbr)
                entry = glossary.entries[page.lang][abbr]
                if item.linked:
                    continue
                context = "".join(before) + item.text[:match.end()] + rest_of_sentence(runs, index, match.end())
                if not expanded(entry, context):
                    yield settings.finding(page, "glossary.first-use", item.line, first_use_message(entry, match))
        if item.kind != "description":  # the description is not on the page
            before.append(item.text if index + 1 >= len(runs) or runs[index + 1].block == item.block
                          else item.text + " ")


def rest_of_sentence(runs: list[Run], index: int, offset: int) -> str:
    """The text after a use up to the end of its sentence (or paragraph): `OPS (Ontario Public Service)`."""
    parts, text = [], runs[index].text[offset:]
    while True:
        end = SENTENCE_END.search(text)
        if end:
            parts.append(text[:end.start()])
            return "".join(parts)
        parts.append(text)
        index += 1
        if index >= len(runs) or runs[index].block != runs[index - 1].block:
            return "".join(parts)
        text = runs[index].text


def expanded(entry: Entry, context: str) -> bool:
    context = normalise(context)
    return any(normalise(term) in context for term in entry.expansions)


def first_use_message(entry: Entry, match: re.Match) -> str:
    quote = ("« {} »" if entry.lang == "fr" else "“{}”").format(f"{entry.term} ({entry.abbr})")
    return (f"`{match.group(0)}` is used here before the page says what it stands for; write it out at its first "
            f"use: {quote}. (The build links this first use to the glossary, but readers should not have to "
            "leave the page to understand it.)")


def unknown(page: Page, runs: list[Run], glossary: Glossary, settings) -> Iterator[Finding | None]:
    """Acronyms that are not in the glossary in this page's language, once per page."""
    ignore = {str(word) for word in settings.options(page, "glossary.unknown").get("ignore") or []}
    known = glossary.entries[page.lang]
    seen: set[str] = set()
    for item in runs:
        for match in ACRONYM_IN_TEXT.finditer(item.text):
            word = match.group(1)  # CIOs is the plural of CIO
            if word in known or word in ignore or word in seen:
                continue
            seen.add(word)
            yield settings.finding(page, "glossary.unknown", item.line, unknown_message(word, page, glossary))


def unknown_message(word: str, page: Page, glossary: Glossary) -> str:
    other_lang = "en" if page.lang == "fr" else "fr"
    other = glossary.lookup(other_lang, word)
    if other is not None:
        own = glossary.by_key(other.key, page.lang)
        return (f"`{word}` is the {'English' if other_lang == 'en' else 'French'} acronym of “{other.term}”; "
                f"on this page write `{own.abbr}` ({own.term})")
    return (f"`{word}` looks like an acronym but is not in the glossary; add it to {glossary.file} with its "
            "English and French forms, write it out in words, or, if it is not an acronym, add it to the "
            "`ignore` list of `glossary.unknown` in the site configuration")
