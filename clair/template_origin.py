"""Audit stage: whether an element the browser audit or the HTML validator flags on a built page comes from a
template (the layout, a building block) rather than from the page's Markdown, and from which template line.

A built page is its layout with the page's rendered Markdown (`Page.html`) placed inside it, so an element
outside that span comes from the templates, always. Inside it, an element comes from a building block's
template when its opening tag has the tag name and the literal attribute values (a `class`, a `role`) of a
tag written in templates/blocks/: Markdown writes no such attributes. The line is found by the same likeness:
the template tag with the most literal attributes in common, the layout before other templates.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
HOLE = "\0"  # stands for a Jinja expression or statement inside a template line
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?(?:/?>|$)")  # an extract may cut a long tag short
LITERAL_ATTRIBUTE = re.compile(r'\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"\0]*)"')
LAYOUT_FIRST = ("base.html", "page.html", "section.html", "home.html")  # where a layout element is looked for first
BLOCKS = "blocks/"  # building blocks' templates, rendered inside the page's Markdown


@dataclass(frozen=True)
class TemplateTag:
    """An opening tag written in a template: its name, its attribute values written out (no Jinja in them)."""

    template: str  # its name, such as base.html or blocks/matrix.html
    line: int
    name: str
    attributes: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Origin:
    """Where a flagged element comes from: a template's name and line."""

    template: str
    line: int


def opening_tag(snippet: str) -> tuple[str, dict[str, str]] | None:
    """The name and attributes of the first opening tag in a piece of HTML (vnu's highlighted extract, axe's
    `html`), or None when it holds none."""
    match = TAG.search(snippet or "")
    if not match:
        return None
    found: list = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {key: value or "" for key, value in attrs}))

        handle_startendtag = handle_starttag

    Reader(convert_charrefs=True).feed(match.group() if match.group().endswith(">") else match.group() + ">")
    return found[0] if found else None


@functools.lru_cache(maxsize=8)
def template_tags(files: tuple[tuple[str, Path], ...]) -> tuple[TemplateTag, ...]:
    """Every opening tag of these templates ((name, path) pairs, as Project.template_files gives them)."""
    tags = []
    for name, path in files:
        for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for match in TAG.finditer(JINJA.sub(HOLE, text)):
                literal = frozenset(LITERAL_ATTRIBUTE.findall(match.group(2) or ""))
                tags.append(TemplateTag(name, number, match.group(1).lower(), literal))
    return tuple(tags)


def body_span(html_lines: list[str], body: str) -> tuple[int, int] | None:
    """The first and last line of the built page that the page's rendered Markdown occupies ((0, -1) for an
    empty body), or None when it cannot be found there as it was rendered."""
    if not body.strip():
        return 0, -1
    text = "\n".join(html_lines)
    start = text.find(body.strip())
    if start < 0:
        return None
    first = text.count("\n", 0, start) + 1
    return first, first + body.strip().count("\n")


def find_origin(tags: tuple[TemplateTag, ...], snippet: str, in_body: bool, prefer: str = "",
                before: Iterable[str] = ()) -> Origin | None:
    """The template line a flagged element was written on: inside the Markdown's span only a building block's
    tag with literal attributes will do, and when several blocks write such a tag (each has its label), the
    tags on the lines `before` it, nearest first, tell which block is around it. Outside it the element is the
    layout's, whatever it matches: `prefer` (the page's own template), then the layout, first."""
    element = opening_tag(snippet)
    if element is None:
        return None
    candidates = [tag for tag in tags if fits(tag, element)
                  and (not in_body or (tag.template.startswith(BLOCKS) and bool(tag.attributes)))]
    if not candidates:
        return None
    most = max(len(tag.attributes) for tag in candidates)
    candidates = [tag for tag in candidates if len(tag.attributes) == most]
    templates = {tag.template for tag in candidates}
    for line in before if in_body else ():
        if len(templates) == 1:
            break
        for match in TAG.finditer(line):
            element = opening_tag(match.group())  # read once, compared with every template tag
            around = {tag.template for tag in tags if tag.attributes and fits(tag, element)}
            templates = (around & templates) or templates
    order = (prefer, *LAYOUT_FIRST)
    best = min((tag for tag in candidates if tag.template in templates),
               key=lambda tag: (order.index(tag.template) if tag.template in order else len(order), tag.template, tag.line))
    return Origin(best.template, best.line)


def fits(tag: TemplateTag, element: tuple[str, dict[str, str]] | None) -> bool:
    """A template tag could have written this element: the same name, and each attribute it writes out."""
    return element is not None and tag.name == element[0] and all(
        element[1].get(key) == value for key, value in tag.attributes)
