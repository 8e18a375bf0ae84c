"""Check stage, `parity.structure`: the English and French versions of a page are built the same way.

Rule `parity.structure` (default: severity error). Both token streams are reduced to their parts,
in reading order: headings (by level), lists (bulleted or numbered, with their number of items),
tables (rows, columns, and whether it has a `Table:` caption), images, quotations (`>`), building blocks (by name) and commitments
(the terms of the definition list inside a `commitments` block). The two sequences are aligned and
only the FIRST difference is reported, on the side that has the extra or different part, with the
place to look in the other file as related_file/related_line.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from clair.markdown import block_name
from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from .parity_common import end_line, pair_finding, pairs
from .settings import Settings, rule

RULES = (rule("parity.structure", "error"),)
WINDOW = 50  # parts aligned after the shared beginning: enough to tell an extra part from a changed one


@dataclass(frozen=True)
class Part:
    """One structural part of a page: `key` is what must match, `what`/`detail` describe it to a writer."""

    key: tuple
    line: int
    what: str
    detail: str = ""

    def describe(self, here: bool) -> str:
        """'a level-2 heading here (“What we heard”)', for messages."""
        text = self.what + (" here" if here else "")
        return f"{text} (“{self.detail}”)" if self.detail else text


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """One finding at most per pair: the first difference, since later ones often follow from it."""
    for english, french in pairs(site):
        yield first_difference(settings, english, french)


def first_difference(settings: Settings, english: Page, french: Page) -> Finding | None:
    """The first place where the two versions' parts differ, or None when they match.

    Linear: the parts both versions share from the start are skipped in one pass, and only the next
    WINDOW parts of each are aligned (difflib is quadratic, or worse, on thousands of alike parts).
    """
    en_parts, fr_parts = parts(english), parts(french)
    same = next((i for i, (en, fr) in enumerate(zip(en_parts, fr_parts)) if en.key != fr.key),
                min(len(en_parts), len(fr_parts)))
    en_next, fr_next = en_parts[same:same + WINDOW], fr_parts[same:same + WINDOW]
    matcher = SequenceMatcher(None, [p.key for p in en_next], [p.key for p in fr_next], autojunk=False)
    for op, i1, _, j1, _ in matcher.get_opcodes():
        if op == "delete":
            return extra_part(settings, english, en_next[i1], french, fr_parts, same + j1)
        if op == "insert":
            return extra_part(settings, french, fr_next[j1], english, en_parts, same + i1)
        if op == "replace":
            en, fr = en_next[i1], fr_next[j1]
            return pair_finding(settings, french, english, "parity.structure", fr.line, en.line,
                                f"The French has {fr.describe(True)} where the English has {en.describe(False)}.")
    return None


def extra_part(settings: Settings, page: Page, part: Part, other: Page, other_parts: list[Part],
               index: int) -> Finding | None:
    """A part only `page` has; the other file's related line is where the part would go."""
    other_line = other_parts[index].line if index < len(other_parts) else end_line(other)
    return pair_finding(settings, page, other, "parity.structure", part.line, other_line,
                        f"The {LANGUAGE_NAMES[page.lang]} has {part.describe(True)} that the "
                        f"{LANGUAGE_NAMES[other.lang]} does not have.")


def parts(page: Page) -> list[Part]:
    """The page's structural parts in reading order."""
    found, open_blocks, tokens = [], [], page.tokens
    for index, token in enumerate(tokens):
        line = page.file_line(token.map[0]) if token.map else None
        if token.type == "heading_open":
            level = int(token.tag[1])
            found.append(Part(("heading", level), line, f"a level-{level} heading", tokens[index + 1].content))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            found.append(list_part(tokens, index, line))
        elif token.type == "table_open":
            rows, columns = table_shape(tokens, index)
            caption = " with a caption" if token.meta.get("caption") is not None else ""
            found.append(Part(("table", rows, columns, caption), line,
                              f"a table of {rows} rows and {columns} columns{caption}"))
        elif token.type == "blockquote_open":
            found.append(Part(("quotation",), line, "a quotation (`>`)"))
        elif token.type == "container_block_open":
            open_blocks.append(block_name(token))
            found.append(Part(("block", open_blocks[-1]), line, f"a `{open_blocks[-1]}` block"))
        elif token.type == "container_block_close" and open_blocks:
            open_blocks.pop()
        elif token.type == "dt_open" and open_blocks[-1:] == ["commitments"]:
            found.append(Part(("commitment",), line, "a commitment", tokens[index + 1].content))
        elif token.type == "inline":
            found.extend(Part(("image",), line, "an image", child.content)
                         for child in token.children or () if child.type == "image")
    return found


def list_part(tokens: list, index: int, line: int) -> Part:
    """A list with the number of its own items (items of lists nested inside count for those lists)."""
    kind = "numbered" if tokens[index].type == "ordered_list_open" else "bulleted"
    level, items = tokens[index].level, 0
    for position in range(index + 1, len(tokens)):  # not tokens[index + 1:]: a copy per list is quadratic
        token = tokens[position]
        if token.level == level and token.nesting == -1:
            break
        items += token.type == "list_item_open" and token.level == level + 1
    return Part(("list", kind, items), line, f"a {kind} list of {items} item{'s' * (items != 1)}")


def table_shape(tokens: list, index: int) -> tuple[int, int]:
    """(rows, columns) of the table opened at `index`, the header row included."""
    rows, columns, cells = 0, 0, 0
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            rows, cells = rows + 1, 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
            columns = max(columns, cells)
    return rows, columns
