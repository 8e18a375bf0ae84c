"""Markdown parsing: one markdown-it configuration, parsed once per page, tokens shared by render and checks."""
from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .files import ALLOWED, MEDIA_TYPES, PICTURE_TYPES, read_regular, special_kind
from .i18n import DEFAULT_FRENCH_SPACING, french_typography
from .model import ContentError, ContentErrors, Page
from .sanitize import RawHtmlRun, kept_ids, sanitised_block, take_line_marks
from .slug import slugify
from .urls import publish

BLOCKS = ("vision", "promise", "commitments", "you-said", "what-we-heard", "example", "outcomes", "timeline", "appendix",
          "matrix")


MAX_BLOCK_DEPTH = 3  # building blocks inside building blocks; each level renders its inside again
# Markdown elements (markdown-it tokens) one page may make: each takes about 360 bytes and every later stage
# walks them, so this bounds a page's memory and time whatever it repeats. 2 MB of prose makes about 100,000;
# 2 MB of one-word list items nested eight deep would make a million (1 GB and minutes per unit).
MAX_PARTS = 250_000
INLINE_MARKUP = re.compile(r"[*_\[\]`<!~\\&]")  # each inline element starts or ends at one of these
MEDIA_DIR = "media"  # pictures and files pages link to are copied to /media/<path under content/>
BASE_PATH = "base_path"  # the page's `env` key naming the path the site is published under (parse_page sets it)
SVG_HINT = dict.fromkeys((".svg", ".svgz"), " (an SVG drawing can hold a program, and clair does not clean it "
                                             "out: export the drawing as PNG)")


def make_parser(allow_raw_html: bool = False, french_spacing: str = DEFAULT_FRENCH_SPACING) -> MarkdownIt:
    """CommonMark with tables, footnotes, definition lists, heading ids and building blocks.

    Raw HTML is shown as text unless the site allows it; then it goes through the allow-list sanitiser.
    French pages get French spacing (`french_spacing`: the site's `ca` or `fr`).
    """
    # xhtmlOut off: `<img …>`, `<br>`, `<hr>` as HTML writes them (the validator warns about `<img … />`)
    md = MarkdownIt("commonmark", {"html": allow_raw_html, "xhtmlOut": False},
                    renderer_cls=RawHtmlRenderer if allow_raw_html else RendererHTML)
    md.enable("table")
    md.use(footnote_plugin).use(deflist_plugin)
    md.block.ruler.before(md.block.ruler.__rules__[0].name, "size_guard", _block_size_guard)
    md.core.ruler.before("inline", "inline_size_guard", _inline_size_guard)
    md.core.ruler.push("heading_ids", _heading_ids_rule)
    md.use(container_plugin, "block", validate=lambda params, *_: bool(params.strip()))
    _mark_unclosed_blocks(md)
    if allow_raw_html:
        md.core.ruler.push("raw_html_blocks", _sanitise_blocks_rule)
        md.add_render_rule("html_block", _render_sanitised)
        md.core.ruler.push("raw_html_lines", _inline_html_lines_rule)
    md.core.ruler.push("french_typography", functools.partial(_french_typography_rule, spacing=french_spacing))
    md.core.ruler.push("table_captions", _table_caption_rule)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_column_header)
    md.add_render_rule("link_open", _render_published)
    md.add_render_rule("image", _render_published)
    return md


class TooManyParts(Exception):
    """A page that would make more than MAX_PARTS Markdown elements: refused before it makes them all."""


def _block_size_guard(state, start_line: int, end_line: int, silent: bool) -> bool:
    """Runs before every block rule (lists and quotations parse their insides with the same tokens): stops
    the parse as soon as the page has made MAX_PARTS block elements."""
    if len(state.tokens) > MAX_PARTS:
        raise TooManyParts()
    return False


def _inline_size_guard(state) -> None:
    """Before inline parsing: the elements it would add (at most two per markup character, plus the text
    between them), counted from the text alone, must keep the page under MAX_PARTS. Counted only when the
    text is long enough to matter: a page has no more markup characters than characters."""
    texts = [token.content for token in state.tokens if token.type == "inline"]
    if len(state.tokens) + 2 * sum(map(len, texts)) <= MAX_PARTS:
        return
    markup = sum(len(INLINE_MARKUP.findall(text)) for text in texts)
    if len(state.tokens) + 2 * markup > MAX_PARTS:
        raise TooManyParts()


def _sanitise_blocks_rule(state: StateCore) -> None:
    """Each block of raw HTML through the allow-list sanitiser once, as it is parsed: balanced on its own, its
    elements marked with their lines (`unmark_body` takes the marks out). Its HTML is for the renderer, the ids
    it keeps for `check_raw_ids` (`meta`)."""
    for token in state.tokens:
        if token.type == "html_block":
            token.meta["html"], token.meta["ids"] = sanitised_block(token.content, token.map[0],
                                                                    state.env.get(BASE_PATH, "/"))


def _render_sanitised(self, tokens, index, options, env) -> str:
    """A block of raw HTML as the sanitiser left it (`_sanitise_blocks_rule`)."""
    return tokens[index].meta["html"]


def _render_published(self, tokens, index, options, env) -> str:
    """A link or picture with its address as published: a site path (`/en/x/`, `/media/chart.png`) under the
    site's base path (`env[BASE_PATH]`, clair/urls.py). The token keeps the site path, for the checks."""
    token = tokens[index]
    attribute = "src" if token.type == "image" else "href"
    address = str(token.attrGet(attribute) or "")
    published = publish(address, env.get(BASE_PATH, "/"))
    render = RendererHTML.image if token.type == "image" else RendererHTML.renderToken
    if published == address:
        return render(self, tokens, index, options, env)
    token.attrSet(attribute, published)
    try:
        return render(self, tokens, index, options, env)
    finally:
        token.attrSet(attribute, address)


def _inline_html_lines_rule(state: StateCore) -> None:
    """Each tag of inline raw HTML learns its token line (`meta["line"]`): its paragraph's first line, plus the
    line breaks before it, in the text or inside earlier tags (`<a\nhref=...>`)."""
    for token in state.tokens:
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type == "html_inline":
                child.meta["line"] = line
                line += child.content.count("\n")
            line += child.type in ("softbreak", "hardbreak")


def unmark_body(page: Page, rendered: str) -> str:
    """The page's rendered body without the line marks of its raw HTML (clair/sanitize.py): where each marked
    element starts in the body, and its token line, go to `page.env["raw_html_lines"]` for the checks."""
    rendered, page.env["raw_html_lines"] = take_line_marks(rendered)
    return rendered


class RawHtmlRenderer(RendererHTML):
    """Renders the inline raw HTML of one paragraph, heading or cell through the allow-list sanitiser as one run:
    a tag may close in a later one, whatever stays open is closed at the end of the run. Only sites that allow
    raw HTML use it: elsewhere there is none to render, and markdown-it's own renderer does the rest."""

    def renderInline(self, tokens, options, env) -> str:
        run, out = RawHtmlRun(env.get(BASE_PATH, "/")), []
        for index, token in enumerate(tokens):
            if token.type == "html_inline":
                out.append(run.add(token.content, token.meta.get("line")))
            elif token.type in self.rules:
                out.append(self.rules[token.type](tokens, index, options, env))
            else:
                out.append(self.renderToken(tokens, index, options, env))
        return "".join(out) + run.end()


def _mark_unclosed_blocks(md: MarkdownIt) -> None:
    """Remember which `::: name` blocks never found their closing `:::` (the plugin closes them silently)."""
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "container_block")
    opener = rule.fn

    def container(state, start_line, end_line, silent):
        count = len(state.tokens)
        found = opener(state, start_line, end_line, silent)
        if found and not silent:
            token = state.tokens[count]
            if state.line == token.map[1]:  # the plugin stops at the end without a closing line
                token.meta["unclosed"] = True
        return found

    md.block.ruler.at("container_block", container, {"alt": rule.alt})


def _heading_ids_rule(state: StateCore) -> None:
    """Every heading gets an id from its words (`section` when it has none), or the one it names (`{#id}`); a
    repeated one gets -1, -2...

    What mdit_py_plugins' anchors plugin gives, in linear time: it tried -1, -2... from the start for
    each repeat (20,000 identical headings took a minute); here each base remembers where it got to.
    """
    taken: set[str] = set()
    next_number: dict[str, int] = {}
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        chosen = _chosen_id(state.tokens[index + 1])
        words = "".join(child.content for child in state.tokens[index + 1].children or ()
                        if child.type in ("text", "code_inline"))
        slug = base = chosen or slugify(words) or "section"
        number = next_number.get(base, 1)
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        next_number[base] = number
        taken.add(slug)
        token.attrSet("id", slug)


CHOSEN_ID = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")


def _chosen_id(inline) -> str | None:
    """The id a heading names for itself at its end (`## Costs {#costs}`, as kramdown, Pandoc and Hugo write it),
    taken out of its text."""
    last = (inline.children or [None])[-1]
    found = CHOSEN_ID.search(last.content) if last is not None and last.type == "text" else None
    if found is None:
        return None
    last.content = last.content[:found.start()]
    inline.content = CHOSEN_ID.sub("", inline.content)
    return found.group(1)


CAPTION = re.compile(r"^(?:Table|Tableau)\s*:\s*")


def _table_caption_rule(state: StateCore) -> None:
    """A paragraph `Table: caption` (`Tableau : ...` in French) right before a table becomes its caption.

    Linear: the tokens are copied once without the captions' paragraphs (not shifted for each caption), and
    only on pages that have one."""
    tokens = state.tokens
    captioned = [index for index, token in enumerate(tokens) if token.type == "table_open" and index >= 3
                 and tokens[index - 3].type == "paragraph_open" and CAPTION.match(tokens[index - 2].content)]
    if not captioned:
        return
    for index in captioned:
        inline = tokens[index - 2]
        first = inline.children[0]
        first.content = CAPTION.sub("", first.content)
        tokens[index].meta["caption"] = inline
    paragraphs = {index - offset for index in captioned for offset in (1, 2, 3)}  # open, inline, close
    tokens[:] = [token for index, token in enumerate(tokens) if index not in paragraphs]


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


def _french_typography_rule(state: StateCore, spacing: str) -> None:
    """Apply French spacing to the text of French pages only (never to code or URLs)."""
    if state.env.get("lang") != "fr":
        return
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                child.content = french_typography(child.content, spacing)


def block_name(token) -> str:
    """The building block's name from a `::: name` line."""
    return token.info.strip().split()[0]


def parse_page(md: MarkdownIt, page: Page, content_dir: Path, base_path: str = "/") -> None:
    """Parse the body once; keep tokens and the heading outline (level, id, text, file line).

    Also refuses what would publish something broken or unsafe: a building block never closed,
    blocks or lists nested past markdown-it's limit (it would drop the text inside), and pictures or
    files outside the content folder. Pictures and files inside it are recorded in `page.env["media"]`
    (output path -> source file) and their addresses rewritten to /media/... `base_path`: where the site is
    published (clair/urls.py), for the addresses its HTML will hold.
    """
    env = {"lang": page.lang, BASE_PATH: base_path}
    try:
        page.tokens = md.parse(page.body, env)
    except TooManyParts:
        raise ContentError(page.source, None, f"this page has too many parts for one page (more than "
                                              f"{MAX_PARTS:,} paragraphs, list items, table cells, links and other "
                                              "Markdown elements); split it into several pages") from None
    page.env = env
    check_structure(md, page)
    env["media"] = collect_media(page, content_dir)
    page.headings = [
        {"level": int(tok.tag[1]), "id": tok.attrGet("id"), "text": page.tokens[i + 1].content,
         "line": page.file_line(tok.map[0])}
        for i, tok in enumerate(page.tokens) if tok.type == "heading_open"
    ]


def _line(page: Page, token, default: int = 0) -> int:
    return page.file_line(token.map[0] if token.map else default)


def check_structure(md: MarkdownIt, page: Page) -> None:
    """Unclosed blocks, blocks nested too deeply, and nesting deep enough that markdown-it drops text."""
    limit = md.options["maxNesting"]
    depth, last_map = 0, 0
    for token in page.tokens:
        if token.map:
            last_map = token.map[0]
        if token.type == "container_block_open":
            if token.meta.get("unclosed"):
                hint = (" (a block inside another block closes the outer one too, unless the outer block uses "
                        "more colons: `:::: appendix` ... `::::`)") if depth else ""
                raise ContentError(page.source, _line(page, token), f"the building block `{token.info.strip()}` "
                                   f"that starts here is never closed; add a line `{token.markup}` where it ends{hint}")
            depth += 1
            if depth > MAX_BLOCK_DEPTH:
                raise ContentError(page.source, _line(page, token), f"building blocks are nested {depth} deep here; "
                                   f"put at most {MAX_BLOCK_DEPTH} blocks inside one another")
        elif token.type == "container_block_close":
            depth -= 1
        if token.nesting == 1 and token.level >= limit - 1 and token.type in NESTING_TOKENS:
            raise ContentError(page.source, page.file_line(last_map), "lists, quotations or blocks are nested "
                               f"more than {limit - 2} levels deep here, and the text inside would be lost; "
                               "nest them less deeply")


def check_raw_ids(page: Page, reserved: dict[str, str]) -> None:
    """Raw HTML may not give an element an id the templates use (`reserved`: id -> template): the skip link,
    the contents list and scripts lead to the first element with an id, which would be the page's."""
    for token in page.tokens:
        if token.type == "html_block":  # sanitised when parsed: its ids are known
            _refuse_reserved_ids(page, _line(page, token), token.meta["ids"], reserved)
        for child in token.children or ():
            if child.type == "html_inline":
                _refuse_reserved_ids(page, page.file_line(child.meta["line"]), kept_ids(child.content), reserved)


def _refuse_reserved_ids(page: Page, line: int, ids: list[str], reserved: dict[str, str]) -> None:
    for value in ids:
        if value in reserved:
            raise ContentError(page.source, line, f'the id "{value}" is used by the site\'s templates '
                                                  f"({reserved[value]}); give this element another id")


def raw_html(page: Page) -> Iterator[tuple[int, str]]:
    """(file line, text) of every piece of raw HTML on the page: blocks, and tags inside text."""
    for token in page.tokens:
        if token.type == "html_block":
            yield _line(page, token), token.content
        for child in token.children or ():
            if child.type == "html_inline":
                yield page.file_line(child.meta["line"]), child.content


NESTING_TOKENS = ("blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open", "container_block_open",
                  "dl_open", "dd_open", "footnote_reference_open")  # their inside is parsed one level deeper


def collect_media(page: Page, content_dir: Path) -> dict[PurePosixPath, Path]:
    """Pictures and linked files of the content folder: checked, given /media/ addresses, and recorded for copying."""
    media: dict[PurePosixPath, Path] = {}
    errors = []
    for token in page.tokens:
        breaks = 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
            if child.type not in ("image", "link_open"):
                continue
            attribute = "src" if child.type == "image" else "href"
            try:
                found = media_target(page, content_dir, str(child.attrGet(attribute) or ""), child.type == "image")
            except ContentError as err:
                errors.append(ContentError(err.file, _line(page, token) + breaks, err.message))
                continue
            if found:
                output, source = found
                media[output] = source
                child.attrSet(attribute, "/" + quote(str(output)))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ContentErrors(errors)
    return media


def media_target(page: Page, content_dir: Path, address: str, is_picture: bool) -> tuple[PurePosixPath, Path] | None:
    """(output path, source file) for a relative address to a file under the content folder, or None.

    None for addresses that are not local files: other sites, /absolute addresses, #anchors, links
    to .md pages (render turns those into page addresses), folders and files that do not exist (the
    link checks report those). A picture outside the content folder is an error; a link there is left
    as it is (it is a web address relative to the page, which the link checks follow). So is a file
    that is not a regular one (a named pipe would stall the build) or not of a publishable type
    (clair/files.py, PUBLISHABLE).
    """
    parts = urlsplit(address)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path or path.startswith("/") or path.endswith(".md") or "\0" in path:
        return None
    what = "picture" if is_picture else "file"
    root = content_dir.resolve()
    source = (page.source.parent / path).resolve()
    if root != source and root not in source.parents:
        if not is_picture:
            return None
        raise ContentError(page.source, None, f"the {what} `{address}` is outside the content folder; "
                                              f"put it inside {content_dir.as_posix()}/ (for example next to this "
                                              "page) and link to it with a relative path such as `chart.png`")
    if not source.exists() or source.is_dir():
        return None
    kind = special_kind(source.stat().st_mode)
    if kind:
        raise ContentError(page.source, None, f"the {what} `{address}` is {kind}, not a regular file; "
                                              "put the file itself in its place")
    suffix = source.suffix.lower()
    if is_picture and suffix not in PICTURE_TYPES:
        raise ContentError(page.source, None, f"the picture `{address}` must be a PNG, JPEG, GIF, WebP or AVIF "
                                              f"file; save it in one of those formats{SVG_HINT.get(suffix, '')}")
    if suffix not in MEDIA_TYPES:
        kind = suffix or "its name has no ending such as .pdf"
        raise ContentError(page.source, None, f"the file `{address}` is a kind of file ({kind}) that clair does not "
                                              "publish: it publishes only kinds that no browser or web server runs "
                                              f"as a program, which are {ALLOWED}; save it as one of these "
                                              f"(a web page as PDF, a drawing as PNG){SVG_HINT.get(suffix, '')}")
    if any(part.startswith(".") for part in source.relative_to(root).parts):
        raise ContentError(page.source, None, f"the {what} `{address}` is hidden (a name starting with .); "
                                              "rename it")
    rel = posixpath.normpath(source.relative_to(root).as_posix())
    return PurePosixPath(MEDIA_DIR, rel), source


def media_files(pages) -> dict[PurePosixPath, bytes]:
    """Every picture and file the pages link to, read for the output folder (stable order)."""
    media: dict[PurePosixPath, Path] = {}
    for page in pages:
        media.update(page.env.get("media", {}))
    files = {}
    for output, source in sorted(media.items()):
        try:
            files[output] = read_regular(source)
        except OSError as err:
            raise ContentError(source, None, f"this file cannot be read ({err.strerror}); "
                               "check that it exists") from None
    return files
