"""Load stage, other generators: the address a generator publishes each page at, and the team's own addresses mapped to what clair built, so a
link written for that generator (`/plan/en/a.html`, `../fr/b/`, `/2018/02/15/post/`) resolves in the link checks."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..slug import slugify
from .generators import Generator, canonical, default_for, jekyll_defaults, settings_file
from .pages import ForeignPage, date_of

PLACEHOLDER = re.compile(r":(year|month|day|filename|slug|title|section|contentbasename)")
JEKYLL_PAGE_PLACEHOLDER = re.compile(r":(basename|output_ext|path)\b")  # what a page's (not a post's) permalink uses


@dataclass
class Conventions:
    """How one site's generator turns a page's path into its address: its base path, and Hugo's per-language
    content folders, hosts and `permalinks` patterns."""

    generator: Generator
    base_path: str = ""
    language_dirs: dict[str, str] = field(default_factory=dict)  # lang -> content folder under the content root
    permalinks: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> section -> pattern
    own_hosts: bool = False  # each language on its own host (Hugo `baseURL` per language): no /en/ prefix
    jekyll_permalinks: list[tuple[str, object]] = field(default_factory=list)  # Jekyll `defaults:` permalinks

    @classmethod
    def of(cls, generator: Generator, root: Path) -> Conventions:
        conventions = cls(generator, generator.base_path(root))
        if generator.name == "hugo":
            conventions.read_hugo(settings_file(root, generator.config_files))
        if generator.name == "jekyll":
            conventions.jekyll_permalinks = jekyll_defaults(root, "permalink")
        return conventions

    def read_hugo(self, settings: dict) -> None:
        """Hugo's languages: content folder, host and permalinks of each (site-wide permalinks as the default)."""
        shared = settings.get("permalinks") if isinstance(settings.get("permalinks"), dict) else {}
        languages = settings.get("languages") if isinstance(settings.get("languages"), dict) else {}
        for lang, values in languages.items():
            if not isinstance(values, dict):
                continue
            folder = str(values.get("contentDir", "")).strip("/")
            if folder.startswith("content/"):
                self.language_dirs[str(lang)] = folder[len("content/"):]
            own = values.get("permalinks")
            self.permalinks[str(lang)] = {**shared, **(own if isinstance(own, dict) else {})}
            self.own_hosts = self.own_hosts or bool(values.get("baseUrl") or values.get("baseURL"))

    def address(self, page: ForeignPage) -> str:
        """The page's address on the site, without the base path."""
        for key in ("permalink", "url"):
            value = page.meta.get(key)
            if isinstance(value, str) and value.strip() and "{" not in value and ":" not in value:
                return "/" + value.strip().lstrip("/")
        if self.generator.name == "hugo":
            return self.hugo_address(page)
        pattern = default_for(self.jekyll_permalinks, page.rel)
        if isinstance(pattern, str) and ":" not in JEKYLL_PAGE_PLACEHOLDER.sub("", pattern):  # else: not known
            return fill_jekyll(pattern, page.rel)
        return self.generator.address(page.rel, page.meta)

    @staticmethod
    def aliases(page: ForeignPage) -> list[str]:
        """The other addresses the generator redirects to the page: Hugo's `aliases`, Jekyll's `redirect_from`."""
        found = []
        for key in ("aliases", "redirect_from"):
            value = page.value(key)
            values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            found.extend(v for v in values if isinstance(v, str))
        return found

    def hugo_address(self, page: ForeignPage) -> str:
        """Hugo: the path inside the language's content folder (or its permalinks pattern for the section),
        under /en/ or /fr/ unless each language has its own host."""
        rel = page.rel
        folder = self.language_dirs.get(page.lang or "")
        if folder and rel.as_posix().startswith(folder + "/"):
            rel = PurePosixPath(rel.as_posix()[len(folder) + 1:])
        prefix = "" if self.own_hosts or not self.language_dirs else f"/{page.lang}"
        pattern = self.permalinks.get(page.lang or "", {}).get(rel.parts[0]) if len(rel.parts) > 1 else None
        if pattern and rel.stem not in ("_index", "index"):
            return prefix + fill(pattern, page, rel).rstrip("/") + "/"
        return prefix + self.generator.address(rel, page.meta)


def fill(pattern: str, page: ForeignPage, rel: PurePosixPath) -> str:
    """A Hugo permalinks pattern (`/:year/:month/:day/:filename`) for one page."""
    date = date_of(page) or dt.date(1970, 1, 1)
    name = rel.stem if rel.stem != "index" else rel.parent.name
    values = {"year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}",
              "filename": name, "contentbasename": name, "section": rel.parts[0],
              "slug": str(page.meta.get("slug") or name), "title": slugify(page.title) or name}
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], pattern)


def fill_jekyll(pattern: str, rel: PurePosixPath) -> str:
    """A Jekyll `defaults:` permalink for a page (`/patterns/:basename:output_ext`): `:basename` its file's name,
    `:output_ext` `.html`, `:path` its path without the suffix."""
    values = {"basename": rel.stem, "output_ext": ".html", "path": rel.with_suffix("").as_posix()}
    return "/" + JEKYLL_PAGE_PLACEHOLDER.sub(lambda found: values[found.group(1)], pattern).lstrip("/")


class ForeignAddresses:
    """The team's own addresses of their pages and files, mapped to what clair built."""

    def __init__(self, base_path: str):
        self.base_path = base_path
        self.pages: dict[str, dict[str, str]] = {}  # canonical address -> language -> clair url
        self.files: dict[str, Path] = {}  # canonical address -> file, of the site's other files (pictures, PDFs)
        self.own: dict[str, str] = {}  # clair url -> the page's own address
        self.layout_ids: set[str] = set()  # ids the site's own layouts write on its pages (Generator.layout_ids)

    def target(self, clair_url: str, path: str) -> str | None:
        """The clair url (pages) or site path (files) `path` leads to from the page at `clair_url`, or None when
        the team's site has nothing there either."""
        if path.startswith("/"):
            address = canonical(path)
            if self.base_path:
                if not (address + "/").startswith(self.base_path + "/"):
                    return address  # another site on the same host (another project's GitHub Pages): not checked
                address = canonical(address[len(self.base_path):])
        else:
            own = self.own.get(clair_url)
            if own is None:
                return None
            address = canonical((own if own.endswith("/") else own.rsplit("/", 1)[0] + "/") + path)
        if address in self.pages:
            found = self.pages[address]  # each language on its own host may use one address for two pages
            return found.get(clair_url.split("/")[1], next(iter(found.values())))
        return address if address in self.files else None

    def add_page(self, address: str, lang: str, clair_url: str) -> None:
        """One of the addresses the team's site gives a page (its own, its file's path, an alias)."""
        self.pages.setdefault(canonical(address), {}).setdefault(lang, clair_url)
