"""Check stage, `parity.structure`: the English and French versions of a page are built the same way.

Rule `parity.structure` (default: severity error). Both token streams are reduced to their parts,
in reading order, raw HTML included: headings (by level), lists (bulleted or numbered, with their
number of items), tables (rows, columns, and whether it has a `Table:` caption), images, quotations
(`>`), building blocks (by name) and commitments (the terms of the definition list inside a
`commitments` block). The two sequences are aligned by kind, by what of their text a translation
keeps (numbers, names, acronyms, length) and by place (checks/parity_alignment.py), so a heading
missing from one version is told from a heading of another level. Only the FIRST difference is
reported, on the side that has the extra or different part, naming it, with the place to look in
the other file as related_file/related_line:

- a part only one version has: “The English has a level-2 heading here (“What we heard”) that the
  French does not have.”;
- a list with more items, or a table with more rows, than the other version's: the item or row the
  other one lacks, aligned the same way: “The French table lacks this row (starting “Sent”): add it
  to the French table, or delete it here.”;
- parts of one kind and another shape: “The French has a level-2 heading here (…) where the English
  has a level-3 heading (…).”, likewise a list of another kind, a table of other columns or caption,
  another building block.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from clair.markdown import block_name
from clair.model import LANGUAGE_NAMES, Finding, Page, Site

from .parity_alignment import MAX_CELLS, Pairing, Words, align, likeness
from .parity_common import end_line, pair_finding, pairs
from .raw_html import content_tokens
from .settings import Settings, rule

RULES = (rule("parity.structure", "error"),)
WINDOW = 50  # parts aligned after the shared beginning of a page too long to align whole
OTHER_SHAPE = 0.5  # the cost of pairing two parts of one kind and another shape; a part without partner costs 1
WORDS_WEIGHT, PLACE_WEIGHT = 0.8, 0.5  # the cost of pairing two parts with nothing alike, at both ends of their pages
MEMBER_WORDS_WEIGHT, MEMBER_PLACE_WEIGHT = 0.5, 0.1  # rows and items: alike first; else the later one is extra
LABEL_LENGTH = 60


@dataclass(frozen=True)
class Member:
    """A row of a table or an item of a list: its line, how a writer finds it (`label`) and its text."""

    line: int
    label: str
    text: str


@dataclass(frozen=True)
class Part:
    """One structural part of a page: `key` is what must match, `what`/`detail` describe it to a writer,
    `text` and `members` (its rows or items) tell which part of the other version it is."""

    key: tuple
    line: int
    what: str
    detail: str = ""
    text: str = ""
    members: tuple[Member, ...] = ()

    def describe(self, here: bool) -> str:
        """'a level-2 heading here (“What we heard”)', for messages."""
        text = self.what + (" here" if here else "")
        return f"{text} (“{shortened(self.detail)}”)" if self.detail else text


def run(site: Site, files: dict, settings: Settings) -> Iterator[Finding | None]:
    """One finding at most per pair: the first difference, since later ones often follow from it."""
    for english, french in pairs(site):
        yield first_difference(settings, english, french)


def first_difference(settings: Settings, english: Page, french: Page) -> Finding | None:
    """The first place where the two versions' parts differ, or None when they match.

    Pages of up to MAX_CELLS pairs of parts are aligned whole; longer ones skip the parts both share
    from the start in one pass and align the next WINDOW parts of each (the alignment is n·m).
    """
    en_parts, fr_parts = parts(english), parts(french)
    start, en_next, fr_next = 0, en_parts, fr_parts
    if len(en_parts) * len(fr_parts) > MAX_CELLS:
        start = next((i for i, (en, fr) in enumerate(zip(en_parts, fr_parts)) if en.key != fr.key),
                     min(len(en_parts), len(fr_parts)))
        en_next, fr_next = en_parts[start:start + WINDOW], fr_parts[start:start + WINDOW]
    pairing = aligned_parts(english, en_next, french, fr_next)
    for index, (i, j) in enumerate(pairing):
        if j is None:
            where = start + partners_before(pairing, index, 1)
            return extra_part(settings, english, en_next[i], french, fr_parts, where)
        if i is None:
            where = start + partners_before(pairing, index, 0)
            return extra_part(settings, french, fr_next[j], english, en_parts, where)
        if en_next[i].key != fr_next[j].key:
            return changed_part(settings, english, en_next[i], french, fr_next[j])
    return None


def aligned_parts(english: Page, en_parts: list[Part], french: Page, fr_parts: list[Part]) -> Pairing:
    """The parts of both versions paired: only parts of one kind pair, alike and at about the same place."""
    en_words, fr_words = [words(part) for part in en_parts], [words(part) for part in fr_parts]
    en_places, fr_places = [place(english, part) for part in en_parts], [place(french, part) for part in fr_parts]

    def cost(i: int, j: int) -> float | None:
        en, fr = en_parts[i], fr_parts[j]
        if en.key[0] != fr.key[0]:
            return None
        (en_name, en_text), (fr_name, fr_text) = en_words[i], fr_words[j]
        alike = (likeness(en_name, fr_name) + likeness(en_text, fr_text)) / 2
        return ((en.key != fr.key) * OTHER_SHAPE + WORDS_WEIGHT * (1 - alike)
                + PLACE_WEIGHT * abs(en_places[i] - fr_places[j]))
    return align(len(en_parts), len(fr_parts), cost)


def words(part: Part) -> tuple[Words, Words]:
    """What a translation keeps of a part's name (a heading, an image's description) and of its text (a section,
    a list, a table)."""
    return Words.of(part.detail), Words.of(part.text)


def place(page: Page, part: Part) -> float:
    """Where a part is on its page, from 0 (first line) to 1 (last line)."""
    return ((part.line or page.body_line) - page.body_line) / max(1, end_line(page) - page.body_line)


def partners_before(pairing: Pairing, index: int, side: int) -> int:
    """How many things of one side (0 English, 1 French) come before pairing[index]: where a thing would go."""
    return sum(pair[side] is not None for pair in pairing[:index])


def extra_part(settings: Settings, page: Page, part: Part, other: Page, other_parts: list[Part],
               index: int) -> Finding | None:
    """A part only `page` has; the other file's related line is where the part would go."""
    other_line = other_parts[index].line if index < len(other_parts) else end_line(other)
    return pair_finding(settings, page, other, "parity.structure", part.line, other_line,
                        f"The {LANGUAGE_NAMES[page.lang]} has {part.describe(True)} that the "
                        f"{LANGUAGE_NAMES[other.lang]} does not have.")


def changed_part(settings: Settings, english: Page, en: Part, french: Page, fr: Part) -> Finding | None:
    """Two parts at the same place that differ: the row or item one lacks, when they differ by rows or items
    only; else both parts, described."""
    same_list_kind = en.key[0] == fr.key[0] == "list" and en.key[1] == fr.key[1]
    same_columns = en.key[0] == fr.key[0] == "table" and en.key[2:] == fr.key[2:]
    if same_list_kind or same_columns:
        return extra_member(settings, english, en, french, fr)
    return pair_finding(settings, french, english, "parity.structure", fr.line, en.line,
                        f"The French has {fr.describe(True)} where the English has {en.describe(False)}.")


def extra_member(settings: Settings, english: Page, en: Part, french: Page, fr: Part) -> Finding | None:
    """The first row (or item) one version's table (or list) has and the other's lacks, at its line; the related
    line is where it would go in the other."""
    pairing = aligned_members(en.members, fr.members)
    index = next(index for index, pair in enumerate(pairing) if None in pair)
    i, j = pairing[index]
    page, member, other, other_part, side = ((english, en.members[i], french, fr, 1) if j is None
                                             else (french, fr.members[j], english, en, 0))
    position = partners_before(pairing, index, side)
    other_line = (other_part.members[position].line if position < len(other_part.members)
                  else other_part.members[-1].line + 1 if other_part.members else other_part.line)
    table = en.key[0] == "table"
    noun, member_noun = ("table", "row") if table else ("list", "item")
    named = f"starting “{member.label}”" if table else f"“{member.label}”"
    return pair_finding(settings, page, other, "parity.structure", member.line, other_line,
                        f"The {LANGUAGE_NAMES[other.lang]} {noun} lacks this {member_noun} ({named}): add it to the "
                        f"{LANGUAGE_NAMES[other.lang]} {noun}, or delete it here.")


def aligned_members(en_members: tuple[Member, ...], fr_members: tuple[Member, ...]) -> Pairing:
    """Rows (or items) paired by what their texts keep in translation, then by order: with nothing to tell
    them apart, the later one is the extra one. Tables too long to align pair by position."""
    if len(en_members) * len(fr_members) > MAX_CELLS:
        shorter = min(len(en_members), len(fr_members))
        return [(k, k) for k in range(shorter)] + [(k, None) for k in range(shorter, len(en_members))] \
            + [(None, k) for k in range(shorter, len(fr_members))]
    en_words, fr_words = [Words.of(m.text) for m in en_members], [Words.of(m.text) for m in fr_members]
    longest = max(len(en_members), len(fr_members))
    return align(len(en_members), len(fr_members),
                 lambda i, j: MEMBER_WORDS_WEIGHT * (1 - likeness(en_words[i], fr_words[j]))
                 + MEMBER_PLACE_WEIGHT * abs(i - j) / longest)


def parts(page: Page) -> list[Part]:
    """The page's structural parts in reading order; a heading's text is its section's (heading to next heading),
    whose numbers, names and length tell which heading of the other version it is."""
    found, open_blocks, tokens = [], [], content_tokens(page)  # raw HTML included
    sections: dict[int, list[str]] = {}  # index in `found` of a heading: the texts of its section
    section = None
    for index, token in enumerate(tokens):
        line = page.file_line(token.map[0]) if token.map else None
        if token.type == "heading_open":
            level = int(token.tag[1])
            section = sections[len(found)] = []
            found.append(Part(("heading", level), line, f"a level-{level} heading", plain_text(tokens[index + 1])))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            found.append(list_part(page, tokens, index, line))
        elif token.type == "table_open":
            found.append(table_part(page, tokens, index, line))
        elif token.type == "blockquote_open":
            found.append(Part(("quotation",), line, "a quotation (`>`)"))
        elif token.type == "container_block_open":
            open_blocks.append(block_name(token))
            found.append(Part(("block", open_blocks[-1]), line, f"a `{open_blocks[-1]}` block"))
        elif token.type == "container_block_close" and open_blocks:
            open_blocks.pop()
        elif token.type == "dt_open" and open_blocks[-1:] == ["commitments"]:
            term = plain_text(tokens[index + 1])
            found.append(Part(("commitment",), line, "a commitment", term, term))
        elif token.type == "inline":
            found.extend(Part(("image",), line, "an image", child.content, child.content)
                         for child in token.children or () if child.type == "image")
            if section is not None:
                section.append(plain_text(token))
    return [replace(part, text="\n".join(sections[index])) if index in sections else part
            for index, part in enumerate(found)]


def list_part(page: Page, tokens: list, index: int, line: int) -> Part:
    """A list with its own items, each with its first paragraph: lists nested in it are parts too, with their own
    items (a translation that loses the nesting has more items here); the list's text has them all."""
    kind = "numbered" if tokens[index].type == "ordered_list_open" else "bulleted"
    level, items = tokens[index].level, []
    for position in range(index + 1, len(tokens)):  # not tokens[index + 1:]: a copy per list is quadratic
        token = tokens[position]
        if token.level == level and token.nesting == -1:
            break
        if token.type == "list_item_open" and token.level == level + 1:
            items.append((page.file_line(token.map[0]) if token.map else line, []))
        elif token.type == "inline" and items:
            items[-1][1].append(plain_text(token))
    members = tuple(Member(item_line, shortened(texts[0] if texts else ""), texts[0] if texts else "")
                    for item_line, texts in items)
    count = len(members)
    return Part(("list", kind, count), line, f"a {kind} list of {count} item{'s' * (count != 1)}",
                members[0].label if members else "", "\n".join(text for _, texts in items for text in texts), members)


def table_part(page: Page, tokens: list, index: int, line: int) -> Part:
    """A table with its rows, the header row included, and its number of columns."""
    rows, cells, columns = [], [], 0
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            cells = []
            rows.append((page.file_line(token.map[0]) if token.map else line, cells))
        elif token.type == "inline" and rows:
            cells.append(plain_text(token))
            columns = max(columns, len(cells))
    members = tuple(Member(row_line, shortened(next((cell for cell in row if cell.strip()), "")), "\n".join(row))
                    for row_line, row in rows)
    caption = " with a caption" if tokens[index].meta.get("caption") is not None else ""
    return Part(("table", len(rows), columns, caption), line,
                f"a table of {len(rows)} rows and {columns} columns{caption}",
                text="\n".join(member.text for member in members), members=members)


def plain_text(inline) -> str:
    """An inline token's words without their markup (`**Sent**` is `Sent`)."""
    if not inline.children:
        return inline.content
    return "".join(child.content for child in inline.children if child.type in ("text", "code_inline"))


def shortened(text: str) -> str:
    """A text on one line, cut to LABEL_LENGTH characters for a message."""
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 1].rstrip() + "…"
