"""Stage 3, render: Markdown tokens and Jinja templates into the HTML of every page and site file."""
from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .footer import footer_context
from .glossary import PAGE_URLS, link_first_uses
from .i18n import LOCALES, Catalogue, long_date
from .markdown import BLOCKS, block_name, check_raw_ids, make_parser, parse_page, unmark_body
from .matrices import csv_bytes, csv_path
from .matrices import view as matrix_view
from .model import LANGUAGES, OTHER_LANGUAGE, ContentError, GeneratedPage, Page, Site, alternates, reading_order
from .onepage import whole_publication_url
from .project import THEME_PREFIX, Project
from .report import summary_line
from .review import publication_rows, review_rows
from .search import search_url
from .template_errors import Template, syntax_error, template_ids

TOC_MIN_HEADINGS = 3  # pages with this many `##` headings get an "On this page" list


def theme_loader(project: Project) -> jinja2.BaseLoader:
    """Templates by name from the site's own `templates/`, else from the theme; `clair/NAME` is always the theme's
    NAME, so a site's template can extend the one it replaces and change only some of its blocks."""
    theme = jinja2.PrefixLoader({THEME_PREFIX: jinja2.FileSystemLoader(project.templates)})
    return jinja2.ChoiceLoader([theme, *(jinja2.FileSystemLoader(folder) for folder in project.template_folders)])


class Renderer:
    """Holds the parser, the templates and the catalogue, so a whole site renders with one of each."""

    def __init__(self, site: Site):
        self.site = site
        self.project = site.project
        self.extra_files: dict[PurePosixPath, bytes] = {}  # files pages produce besides their HTML (matrix CSVs)
        self.md = make_parser(allow_raw_html=site.config.allow_raw_html, french_spacing=site.config.french_spacing)
        self.catalogue = Catalogue(self.project.messages, site.config.french_spacing)
        self.templates = jinja2.Environment(
            loader=theme_loader(self.project),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.templates.filters["long_date"] = long_date
        self.urls = site.config.urls  # site paths to published addresses: `{{ page.url | url }}` (clair/urls.py)
        self.templates.filters.update(url=self.urls.url, absolute_url=self.urls.absolute_url)
        self.by_rel = {(p.lang, p.rel): p for p in site.pages}
        self.homes = {lang: site.home(lang) for lang in LANGUAGES}  # looked up by every page: found once
        self.footers = {lang: footer_context(site.config, lang) for lang in LANGUAGES}  # the same on every page
        self.template_ids = template_ids(self.project.template_files().values()) if site.config.allow_raw_html else {}

    def template(self, name: str) -> Template:
        """Load a template, turning a syntax error into an error naming the template's file and line (and so
        does rendering it: `Template`)."""
        try:
            return Template(self.templates.get_template(name), self.project)
        except jinja2.TemplateSyntaxError as err:
            raise syntax_error(err, self.project, name) from None
        except jinja2.TemplateNotFound:
            raise ContentError(self.project.template_file(name), None, "this template does not exist") from None

    def parse_page(self, page: Page) -> None:
        """Parse one page once (later stages share the tokens); French titles get French spacing too."""
        parse_page(self.md, page, self.project.content_folder_of(page.source), self.urls.base_path)
        if self.template_ids:  # raw HTML is allowed
            check_raw_ids(page, self.template_ids)
        self.typeset_meta(page)

    def typeset_meta(self, page: Page) -> None:
        """French titles, descriptions and archived notes get French spacing too (applying it twice changes nothing)."""
        page.meta.update({key: self.catalogue.typeset(page.meta[key], page.lang)
                          for key in ("title", "description", "note") if key in page.meta})

    def render_page(self, page: Page) -> None:
        """Render one page's body, then its whole HTML document."""
        self.resolve_links(page)
        page.html = unmark_body(page, self.render_tokens(link_first_uses(page, self.site.glossary), page))
        page.output = self.render_document(page)

    def resolve_links(self, page: Page) -> None:
        """Links to other pages' .md files become those pages' URLs (in the page's own language)."""
        for token in page.tokens:
            for child in token.children or ():
                if child.type == "link_open":
                    target = self.link_target(page, str(child.attrGet("href")))
                    if target:
                        child.attrSet("href", target)

    def link_target(self, page: Page, href: str) -> str | None:
        """The URL a relative `.md` link points at, or None if it is not one or leads nowhere."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
            return None
        if parts.path.startswith("/"):
            rel = posixpath.normpath(parts.path.lstrip("/"))
        else:
            rel = posixpath.normpath(posixpath.join(str(page.rel.parent), parts.path))
        target = self.by_rel.get((page.lang, PurePosixPath(rel)))
        if target is None:
            return None
        return target.url + (f"#{parts.fragment}" if parts.fragment else "")

    def render_tokens(self, tokens: list, page: Page) -> str:
        """Render tokens, handing each building block to its own template."""
        out, start, index = [], 0, 0
        while index < len(tokens):
            if tokens[index].type != "container_block_open":
                index += 1
                continue
            out.append(self.md.renderer.render(tokens[start:index], self.md.options, page.env))
            end = matching_close(tokens, index)
            out.append(self.render_block(tokens[index], tokens[index + 1:end], page))
            start = index = end + 1
        out.append(self.md.renderer.render(tokens[start:], self.md.options, page.env))
        return "".join(out)

    def render_block(self, opening, inner: list, page: Page) -> str:
        """One `::: name` block through templates/blocks/name.html."""
        name = block_name(opening)
        if name not in BLOCKS:
            raise ContentError(page.source, page.file_line(opening.map[0]),
                               f"unknown building block `{name}`; use one of: {', '.join(BLOCKS)}")
        if name == "matrix":
            return self.render_matrix(opening, inner, page)
        quote_end = matching_close(inner, 0, "blockquote") + 1 if inner and inner[0].type == "blockquote_open" else 0
        quote = Markup(self.render_tokens(inner[:quote_end], page))  # a leading quotation (you-said)
        rest = Markup(self.render_tokens(inner[quote_end:], page))  # rendered once: nesting stays linear
        context = {
            "content": quote + rest,
            "quote": quote,
            "rest": rest,
            "t": self.translator(page.lang),
            "lang": page.lang,
        }
        return self.template(f"blocks/{name}.html").render(context)

    def render_matrix(self, opening, inner: list, page: Page) -> str:
        """`::: matrix NAME`: the matrix's table in the page's language, and its CSV file next to the page."""
        line = page.file_line(opening.map[0])
        if inner:
            raise ContentError(page.source, line, "a matrix block holds nothing: write `::: matrix NAME` and, on "
                                                  "the next line, `:::`; put your text before or after the block")
        matrix = self.site.library.placed(opening.info, page, line)
        if matrix is None:  # its data file has errors, reported on their own
            return ""
        same = [t for t in page.tokens if t.type == "container_block_open" and t.info.split() == ["matrix", matrix.id]]
        if len(same) > 1 and same[0] is not opening:
            raise ContentError(page.source, line, f"the matrix `{matrix.id}` is placed twice on this page (also on "
                                                  f"line {page.file_line(same[0].map[0])}); place it once")
        path = csv_path(page.url, matrix)  # rendering a page again (clair serve) writes the same file again
        t = self.translator(page.lang)
        spacing = self.site.config.french_spacing
        self.extra_files[path] = csv_bytes(matrix, page.lang, t, spacing)
        csv_url = self.urls.url(f"/{path}")
        return self.template("blocks/matrix.html").render(m=matrix_view(matrix, page.lang, t, csv_url, spacing), t=t,
                                                          lang=page.lang)

    def translator(self, lang: str):
        """The `t(key)` function templates use for their fixed strings."""
        return lambda key, count=None, **values: self.catalogue.get(key, lang, count, **values)

    def render_document(self, page: Page) -> str:
        """The whole HTML page: layout, navigation, language toggle and metadata."""
        layout = page.meta.get("layout") or ("home" if page.is_home else "section" if page.is_section
                                             else self.site.config.default_layout)
        return self.template(f"{layout}.html").render(self.page_context(page))

    def page_context(self, page: Page) -> dict:
        """Everything a layout needs to know about one page."""
        lang = page.lang
        other = OTHER_LANGUAGE[lang]
        home_other = self.homes[other]
        previous_page, next_page = neighbours(page)
        return {
            **self.common_context(lang),
            "page": page,
            "content": Markup(page.html),
            "toggle_url": (page.counterpart or home_other).url if (page.counterpart or home_other) else f"/{other}/",
            "alternates": alternates(page),
            "breadcrumbs": page.ancestors(),
            "toc": [h for h in page.headings if h["level"] == 2] if count_level(page, 2) >= TOC_MIN_HEADINGS else [],
            "previous_page": previous_page,
            "next_page": next_page,
            "modified": page.meta.get("modified") or page.meta.get("date") or self.site.config.updated,
            "publications": [p for p in page.children if p.is_section] if page.is_home else [],
            "page_count": lambda publication: len(reading_order(publication)),
            "search_indexed": True,  # <main data-pagefind-body>: content pages are what search finds
            "whole_publication_url": whole_publication_url(page),
            "archived": page.archived,  # its publication, when archived: blocks/archived-notice.html
        }

    def common_context(self, lang: str) -> dict:
        """What every template of one language shares, including the 404 and splash pages."""
        return {
            "lang": lang,
            "other_lang": OTHER_LANGUAGE[lang],
            "locale": LOCALES[lang],
            "site_title": self.site.config.title[lang],
            "base_url": self.site.config.base_url.rstrip("/"),
            "t": self.translator(lang),
            "glossary_url": PAGE_URLS[lang] if self.site.glossary else None,
            "search_url": search_url(lang),
            **self.footers[lang],  # signature and footer links from site.yaml
        }

    def generated_context(self, page: GeneratedPage, breadcrumbs: list, modified: dt.date | None = None) -> dict:
        """What base.html needs for a generated page (as page_context does for Markdown pages)."""
        toggle = page.counterpart or self.homes[OTHER_LANGUAGE[page.lang]]
        return {
            **self.common_context(page.lang),
            "page": page,
            "toggle_url": toggle.url if toggle else f"/{OTHER_LANGUAGE[page.lang]}/",
            "alternates": alternates(page),
            "breadcrumbs": breadcrumbs,
            "modified": modified or self.site.config.updated,
            "archived": next((crumb.archived for crumb in reversed(breadcrumbs) if crumb.archived), None),
        }

    def render_review(self) -> str:
        """The reviewer's report page, from the findings, scores and relaxations the checks left."""
        return self.template("report.html").render(
            site_title=self.site.config.title["en"], rows=review_rows(self.site),
            publications=publication_rows(self.site), relaxations=self.site.relaxations,
            summary=summary_line(self.site.findings))


def matching_close(tokens: list, open_index: int, kind: str = "container_block") -> int:
    """Index of the token that closes the one opened at `open_index`."""
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].type == f"{kind}_open":
            depth += 1
        elif tokens[index].type == f"{kind}_close":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def count_level(page: Page, level: int) -> int:
    return sum(1 for h in page.headings if h["level"] == level)


def neighbours(page: Page) -> tuple[Page | None, Page | None]:
    """The previous and next pages in the publication's reading order."""
    publication = page.publication()
    if publication is None:
        return None, None
    order = reading_order(publication)
    index = order.index(page)
    return (order[index - 1] if index > 0 else None, order[index + 1] if index + 1 < len(order) else None)
