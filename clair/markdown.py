"""Markdown parsing: one markdown-it configuration, parsed once per page, tokens shared by render and checks."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .i18n import french_typography
from .model import Page
from .slug import slugify

BLOCKS = ("vision", "promise", "commitments", "you-said", "what-we-heard", "example", "outcomes", "timeline", "appendix")


def make_parser() -> MarkdownIt:
    """CommonMark with tables, footnotes, definition lists, heading ids and building blocks; raw HTML off."""
    md = MarkdownIt("commonmark", {"html": False})
    md.enable("table")
    md.use(footnote_plugin).use(deflist_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=lambda text: slugify(text) or "section")
    md.use(container_plugin, "block", validate=lambda params, *_: bool(params.strip()))
    md.core.ruler.push("french_typography", _french_typography_rule)
    md.core.ruler.push("table_captions", _table_caption_rule)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_column_header)
    return md


CAPTION = re.compile(r"^(?:Table|Tableau)\s*:\s*")


def _table_caption_rule(state: StateCore) -> None:
    """A paragraph `Table: caption` (`Tableau : ...` in French) right before a table becomes its caption."""
    tokens = state.tokens
    index = 0
    while index + 3 < len(tokens):
        inline, table = tokens[index + 1], tokens[index + 3]
        if tokens[index].type == "paragraph_open" and table.type == "table_open" and CAPTION.match(inline.content):
            first = inline.children[0]
            first.content = CAPTION.sub("", first.content)
            table.meta["caption"] = inline
            del tokens[index:index + 3]
        index += 1


def _render_column_header(self, tokens, index, options, env) -> str:
    """Markdown tables have one header row, so every `th` names a column."""
    tokens[index].attrSet("scope", "col")
    return self.renderToken(tokens, index, options, env)


def _render_table_open(self, tokens, index, options, env) -> str:
    """`<table>` followed by its caption, when the writer gave one."""
    caption = tokens[index].meta.get("caption")
    if caption is None:
        return "<table>\n"
    return f"<table>\n<caption>{self.renderInline(caption.children, options, env)}</caption>\n"


def _french_typography_rule(state: StateCore) -> None:
    """Apply French spacing to the text of French pages only (never to code or URLs)."""
    if state.env.get("lang") != "fr":
        return
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                child.content = french_typography(child.content)


def block_name(token) -> str:
    """The building block's name from a `::: name` line."""
    return token.info.strip().split()[0]


def parse_page(md: MarkdownIt, page: Page) -> None:
    """Parse the body once; keep tokens and the heading outline (level, id, text, file line)."""
    env = {"lang": page.lang}
    page.tokens = md.parse(page.body, env)
    page.env = env
    page.headings = [
        {"level": int(tok.tag[1]), "id": tok.attrGet("id"), "text": page.tokens[i + 1].content,
         "line": page.file_line(tok.map[0])}
        for i, tok in enumerate(page.tokens) if tok.type == "heading_open"
    ]
