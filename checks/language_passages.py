"""Check stage, for `parity.untranslated`: every piece of text a reader sees on a page, with its file line.

A passage is a title, description, heading, paragraph, list item, table cell, table caption or image
description, in Markdown or in raw HTML (checks/raw_html.py). Quotations (`>` and `you-said` blocks)
and code are left out: their words are someone else's, or not words. Text whose language the writer
declared is left out too: any element with a `lang` attribute (`<span lang="en">Digital Standards</span>`,
`<p lang="fr">`), a link titled `lang:en` / `lang:fr`, and a passage that says "(en anglais seulement)",
"(in French only)" or has a kramdown attribute list `{: lang="en"}`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from clair.markdown import block_name
from clair.model import Page

from .raw_html import content_tokens, per_parse

QUOTING = ("blockquote_open",)
SKIPPED = "not judged"  # a quotation, or an element whose language is declared (an HTML block's `<p lang="fr">`)
KINDS = {"heading_open": "heading", "th_open": "table cell", "td_open": "table cell", "dt_open": "term",
         "list_item_open": "list item"}
TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)([^>]*)>")
LANG_ATTRIBUTE = re.compile(r"""\blang\s*=\s*["']?[A-Za-z]""")
VOID = frozenset("br img hr wbr input source".split())
# The writer says which language the text is in: "(en anglais seulement)", "[In French]", "(French only)" after
# a title, or an attribute list `{: lang="en"}` (kramdown) / `{lang=en}`
DECLARED = re.compile(r"[(\[]\s*(?:only\s+)?(?:(?:en|in)\s+)?(?:anglais|english|fran[cç]ais|french)"
                      r"(?:\s+(?:seulement|only))?\s*[)\]]|\{[^}]*\blang\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One piece of text as the reader sees it: what it is (`heading`, `table cell`...), its text and file line."""

    kind: str
    text: str
    line: int


@per_parse
def passages(page: Page) -> tuple[Passage, ...]:
    """The page's title and description, then its body's passages in reading order, raw HTML included."""
    settings = tuple(Passage(f"page {key}", value, page.meta_lines.get(key, 1))
                     for key, value in ((key, page.meta.get(key)) for key in ("title", "description"))
                     if isinstance(value, str) and value.strip())
    return settings + tuple(body_passages(page))


def body_passages(page: Page) -> Iterator[Passage]:
    """Each inline token outside quotations and language-marked elements, named by the element around it;
    images are passages of their own."""
    kinds: list[str] = []
    skipped = 0
    for token in content_tokens(page):
        if token.nesting == 1:
            skips = token.type in QUOTING or bool(token.attrGet("lang")) \
                or (token.type == "container_block_open" and block_name(token) == "you-said")
            kinds.append(SKIPPED if skips else KINDS.get(token.type, ""))
            skipped += skips
        elif token.nesting == -1 and kinds:
            skipped -= kinds.pop() == SKIPPED
        if skipped:
            continue
        caption = token.meta.get("caption") if token.type == "table_open" else None
        if caption is not None and caption.map is not None:
            yield from inline_passages(caption, "table caption", page.file_line(caption.map[0]))
        if token.type == "inline" and token.map is not None:
            kind = next((name for name in reversed(kinds) if name), "paragraph")
            yield from inline_passages(token, kind, page.file_line(token.map[0]))


def inline_passages(inline, kind: str, line: int) -> Iterator[Passage]:
    """The text of one inline token (code and language-marked elements left out), and its images' descriptions,
    each at the line it is on.

    A link titled `lang:en` or `lang:fr` (see parity.links) declares its text's language as an element would."""
    parts, marked_link, breaks = [], False, 0
    for child in inline.children or ():
        if child.type == "image" and child.content.strip():
            yield Passage("image description", child.content, line + breaks)
        elif child.type in ("text", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "code_inline"):
            parts.append(" ")
            breaks += child.type != "code_inline"
        elif child.type == "link_open" and str(child.attrGet("title") or "").startswith("lang:"):
            parts.append('<a lang="declared">')
            marked_link = True
        elif child.type == "link_close" and marked_link:
            parts.append("</a>")
            marked_link = False
    text = without_marked_elements("".join(parts))
    if text.strip() and not DECLARED.search(text):
        yield Passage(kind, text, line)


def without_marked_elements(text: str) -> str:
    """The text without its tags, and without the inside of elements that declare a language (`lang=`)."""
    if "<" not in text:
        return text
    kept, marked, position = [], 0, 0
    for match in TAG.finditer(text):
        if not marked:
            kept.append(text[position:match.start()])
        kept.append(" ")
        marked = max(0, marked + depth_change(match, marked))
        position = match.end()
    if not marked:
        kept.append(text[position:])
    return "".join(kept)


def depth_change(tag: re.Match, marked: int) -> int:
    """+1 for an opening tag with a `lang` attribute (or any opening tag inside one), -1 for a closing tag inside."""
    closing, name, attributes = tag.groups()
    if name.lower() in VOID or attributes.rstrip().endswith("/"):
        return 0
    if closing:
        return -1 if marked else 0
    return 1 if marked or LANG_ATTRIBUTE.search(attributes) else 0


NOT_LANGUAGE = re.compile(r"""
    \{\{.*?\}\}|\{%.*?%\}                     # template tags left in the text
  | \{\s*[:#][^}]*\}                          # attribute lists ({: .class}, {#id})
  | (?<!\S)\S*?(?:[/\\_=@\d]|\w\.\w)\S*       # addresses, e-mail, paths, file and host names, numbers, code
  | \b[A-ZÀ-Ý]{2,}s?\b                        # acronyms (GC, CDS, SCT, APIs)
""", re.VERBOSE)


# What NOT_LANGUAGE takes out holds a brace, one of /\_=@, a digit, a dot between word characters or two capitals:
# most texts hold none, and the search of NOT_LANGUAGE, which tries each of its kinds at every place, is spared them
MAYBE_NOT_LANGUAGE = re.compile(r"(?=[{/\\_=@\d.A-ZÀ-Ý])(?:[{/\\_=@\d]|(?<=\w)\.\w|[A-ZÀ-Ý]{2})")


def judged_text(text: str) -> str:
    """The words a language can be told from: addresses, code-like words, acronyms and numbers left out."""
    if MAYBE_NOT_LANGUAGE.search(text):
        text = NOT_LANGUAGE.sub(" ", text)
    return " ".join(text.split())
