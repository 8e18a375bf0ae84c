"""Load stage for sites made with another generator (`check --from hugo|jekyll|eleventy|vuepress|markdown|auto`):
read the team's repository where it is, as it is, into the same Site model clair's own loader makes.

Every page keeps its own file and lines, so findings land on the team's pull request. Nothing in the team's
repository is changed, and nothing the team wrote stops the load: a page clair cannot read well becomes a finding.
Pages are placed flat under each language's home page (a stand-in when the site has none, whose own findings are
dropped: no writer wrote it), at clair addresses; `site.foreign` knows the team's own addresses, so their links
resolve in the link checks.
"""
from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..config import Config, load_config
from ..glossary import PAGE_URLS
from ..matrices import MatrixLibrary
from ..model import LANGUAGES, ContentError, ContentErrors, Finding, Page, Site
from ..project import Project
from ..search import search_url
from ..slug import slugify
from .addresses import Conventions, ForeignAddresses
from .generators import (CONTAINER_GENERATORS, GENERATORS, PAGE_SUFFIXES, REPOSITORY_FILES, SKIPPED_FOLDERS, Generator, canonical, detect,
                         default_for, jekyll_defaults, settings_of)
from .pages import LANGUAGE_WORDS, MAX_PAGE_BYTES, ForeignPage, date_of, description_of, read_page
from .pairing import Pairs, pair_pages

KINDS = ("auto", *GENERATORS)
HOME_NAMES = ("index", "_index", "readme")
# Error-level checks measured below 90 % right on real sites written for other generators (README, "Checks on
# real sites"): warnings there, unless the site's own site.yaml says otherwise.
MEASURED_AS_WARNINGS = {rule: {"severity": "warning"} for rule in (
    "readability.grade", "parity.facts", "parity.links", "parity.structure", "parity.missing", "links.internal")}


def read_site(project: Project, kind: str) -> Site:
    """The team's site at `project.content`, read with `kind`'s conventions (`auto`: from its configuration)."""
    root = project.content
    if not root.is_dir():
        raise ContentErrors([ContentError(root, None, "this folder does not exist; give the folder holding the "
                                                      "site's repository with --content")])
    generator = GENERATORS[detect(root) if kind == "auto" else kind]
    site = Site(config=site_config(project, generator), project=project)
    site.library = MatrixLibrary.load(project.content / ".clair-no-data")
    site.foreign = ForeignAddresses(generator.base_path(root))
    site.generator = generator.name
    pages, addresses = [], {}
    for folder in (root, project.translation_content):
        if folder is None:
            continue
        if not folder.is_dir():
            raise ContentErrors([ContentError(folder, None, "this folder does not exist; give the folder holding "
                                                            "the site's other language with --translation-content")])
        found, others = read_pages(generator, folder, generator.content_root(folder), site.findings)
        others += static_files(generator, folder)
        conventions = Conventions.of(generator, folder)
        addresses.update({id(p): conventions.address(p) for p in found})
        site.foreign.files.update((canonical(address), path) for address, path in others)
        site.foreign.layout_ids |= generator.layout_ids(folder)
        pages.extend(found)
    pairs = pair_pages(pages, generator, addresses)
    for lang in LANGUAGES:
        place(site, [p for p in pages if p.lang == lang], lang, pairs, addresses)
    site.pages.sort(key=lambda p: str(p.source))
    return site


def site_config(project: Project, generator: Generator) -> Config:
    """The team's site.yaml when there is one (it tunes the checks); else defaults with their title and address.
    Their pages are HTML in part, so raw HTML is read (through the sanitiser) rather than shown as text."""
    if project.config.is_file():
        config = load_config(project.config)
    else:
        config = Config(title=site_titles(project.content, generator), allow_raw_html=True,
                        base_url=site_url(project.content), file=str(project.config))
    config.checks = {rule: {**MEASURED_AS_WARNINGS.get(rule, {}), **options}
                     for rule, options in {**MEASURED_AS_WARNINGS, **config.checks}.items()}
    return config


def site_titles(root: Path, generator: Generator) -> dict[str, str]:
    """The site's title in each language from its configuration, else the folder's name."""
    name = root.resolve().name.replace("-", " ").replace("_", " ")
    titles = {"en": name, "fr": name}
    for config in generator.config_files:
        data = settings_of(root / config)
        title = data.get("title")
        if isinstance(title, dict):
            titles.update({k: str(v) for k, v in title.items() if k in titles and v})
        elif isinstance(title, str) and title.strip():
            titles = {"en": title, "fr": title}
    return titles


def site_url(root: Path) -> str:
    """The site's own host from its configuration (`url:` or `baseURL:`), so links to it count as internal."""
    for config in ("_config.yml", "config.yml", "config/_default/config.yml", "hugo.yaml"):
        data = settings_of(root / config)
        for key in ("url", "baseURL", "baseurl"):
            parts = urlsplit(str(data.get(key) or ""))
            if parts.scheme in ("http", "https") and parts.netloc:
                return f"{parts.scheme}://{parts.netloc}"
    return Config.base_url


def read_pages(generator: Generator, root: Path, content: Path, findings: list[Finding]
               ) -> tuple[list[ForeignPage], list[tuple[str, Path]]]:
    """Every page of the site with its language, and the site address and file of its other files. Pages whose
    language cannot be told are left out and named in one warning."""
    excluded = jekyll_excludes(root) if generator.name == "jekyll" else []
    defaults = jekyll_default_languages(root) if generator.name == "jekyll" else []
    runs_on, base_path = generator.indented_html_is_html(root), generator.base_path(root)
    read_whole = generator.html_read_whole(root)
    pages, others, unknown = [], [], []
    for path in site_files(content, excluded):
        rel = PurePosixPath(path.relative_to(content).as_posix())
        if not is_page(generator, rel, path.parent == root):
            address = "/" + (rel.as_posix() if generator.name != "hugo" else static_path(rel))
            others.append((permalink_of(path) or address, path))
            continue
        try:
            page = read_page(path, rel, containers=generator.name in CONTAINER_GENERATORS,
                             base_path=base_path, html_runs_on=runs_on, html_read_whole=read_whole,
                             bare_html=generator.name == "hugo")
        except ContentError as err:
            findings.append(Finding(err.file, err.line or 1, "content.load", "error", err.message))
            continue
        if page is None:
            others.append(("/" + rel.as_posix(), path))
            continue
        if not published(page):
            continue
        if redirects(page):  # a stub sending readers to another page: nothing to read, but links to it work
            others.append(("/" + rel.as_posix(), path))
            continue
        page.lang = page.lang or default_for(defaults, rel)
        if page.lang is None:
            if len(rel.parts) > 1 and not bilingual(page):
                unknown.append(rel.as_posix())  # a splash, 404 or sitemap page at the top is both or neither
            continue
        findings.extend(page.findings)
        pages.append(page)
    if unknown:
        findings.append(Finding(str(content), 1, "content.language", "warning",
                                f"{len(unknown)} pages were not checked because clair cannot tell their language: "
                                f"{', '.join(unknown[:5])}{' and more' if len(unknown) > 5 else ''}. Put them in an "
                                "`en` or `fr` folder, or add `lang: en` or `lang: fr` to their settings"))
    return pages, others


def bilingual(page: ForeignPage) -> bool:
    """A page that says it is in both languages (`lang: en-fr`) or is the generator's home (`home: true`)."""
    value = str(page.first(("lang", "language", "locale"))[1] or "").lower()
    return ("en" in value and "fr" in value) or page.value("home") is True


def permalink_of(path: Path) -> str | None:
    """The `permalink:` a generated file (a JSON or XML feed with front matter) is published at, if any."""
    if path.suffix.lower() not in (".json", ".xml", ".txt", ".csv", ".js") or path.stat().st_size > MAX_PAGE_BYTES:
        return None
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            head = file.read(2000)
    except OSError:
        return None
    found = re.match(r"---\s*\n(?:.*\n)*?permalink:\s*['\"]?(/[^'\"\s]*)", head)
    return found.group(1) if found else None


def redirects(page: ForeignPage) -> bool:
    """A page that only sends readers elsewhere (`redirect_to:`, `layout: redirect` with `redirect:`)."""
    return bool(page.value("redirect_to") or page.value("redirect") or page.value("layout") == "redirect")


def published(page: ForeignPage) -> bool:
    """False for pages the generator never publishes: `permalink: false` (Eleventy), `published: false` (Jekyll),
    `draft: true` (Hugo)."""
    return not (page.value("permalink") is False or page.value("published") is False or page.value("draft") is True
                or page.value("_build.render") in ("never", False) or page.value("build.render") in ("never", False))


def static_files(generator: Generator, root: Path) -> list[tuple[str, Path]]:
    """Hugo's `static/` folder (beside `content/`), published at the site's root: (address, file) of each file."""
    static = root / "static"
    if generator.name != "hugo" or not static.is_dir() or static.is_symlink():
        return []
    return [("/" + path.relative_to(static).as_posix(), path) for path in site_files(static, [])]


def static_path(rel: PurePosixPath) -> str:
    """Hugo publishes `static/x` at /x and page bundles' files beside their page."""
    return PurePosixPath(*rel.parts[1:]).as_posix() if rel.parts[0] == "static" else rel.as_posix()


def site_files(content: Path, excluded: list[str]) -> list[Path]:
    """Every file the generator could publish, in a stable order: hidden, tooling and layout folders left out,
    links never followed."""
    found = []
    for folder, dirs, names in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS and d != "_drafts"
                         and not os.path.islink(os.path.join(folder, d)) and not matches(d, excluded))
        for name in sorted(names):
            path = Path(folder, name)
            if not name.startswith(".") and not path.is_symlink() and not matches(name, excluded):
                found.append(path)
    return found


def matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, p.rstrip("/")) for p in patterns)


def jekyll_excludes(root: Path) -> list[str]:
    """Jekyll's `exclude:` list from _config.yml (names and patterns it does not publish)."""
    value = settings_of(root / "_config.yml").get("exclude")
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def jekyll_default_languages(root: Path) -> list[tuple[str, str]]:
    """(scope path, language) of each rule of Jekyll's `defaults:` that gives pages a `lang`."""
    return [(path, LANGUAGE_WORDS[str(language).lower()]) for path, language in jekyll_defaults(root, "lang")
            if str(language).lower() in LANGUAGE_WORDS]

def is_page(generator: Generator, rel: PurePosixPath, at_root: bool) -> bool:
    """A file the generator makes a page of; repository documents (README, LICENSE) at the top are not."""
    name = rel.name.lower()
    if at_root and len(rel.parts) == 1 and name in REPOSITORY_FILES:
        return False
    if name.startswith("_") and not name.startswith("_index."):  # partials (VuePress includes, Jekyll drafts)
        return False
    if rel.stem in ("404", "403"):  # error pages: in both languages at once, and never linked to
        return False
    if rel.suffix.lower() in PAGE_SUFFIXES:
        return True
    return generator.html_pages and rel.suffix.lower() in (".html", ".htm")


def place(site: Site, pages: list[ForeignPage], lang: str, pairs: Pairs, addresses: dict[int, str]) -> None:
    """The pages of one language as clair Pages under that language's home, at unique clair addresses."""
    home = next((p for p in pages if is_home(p)), None)
    made: dict[int, Page] = {}
    home_page = as_page(home, PurePosixPath("_index.md"), pairs, site.findings) if home else stand_in_home(site, lang)
    home_page.url = f"/{lang}/"
    if home:
        made[id(home)] = home_page
    site.pages.append(home_page)
    taken = {home_page.url, search_url(lang), PAGE_URLS[lang]}  # the pages clair makes keep their addresses
    for page in sorted(pages, key=lambda p: p.rel.as_posix()):
        if page is home:
            continue
        clair_page = as_page(page, language_rel(page), pairs, site.findings)
        clair_page.url = unique_url(lang, clair_page.rel, taken)
        clair_page.parent = home_page
        home_page.children.append(clair_page)
        made[id(page)] = clair_page
        site.pages.append(clair_page)
    home_page.children.sort(key=lambda p: (p.weight, p.title, str(p.rel)))
    for page in pages:
        if id(page) in made:
            for address in (addresses[id(page)], "/" + page.rel.as_posix(), *Conventions.aliases(page)):
                site.foreign.add_page(address, lang, made[id(page)].url)
            site.foreign.own[made[id(page)].url] = addresses[id(page)]


def is_home(page: ForeignPage) -> bool:
    """The language's home page: index, _index or README directly in the language folder (or at the top)."""
    return PurePosixPath(language_rel(page)).stem.lower() in HOME_NAMES and len(language_rel(page).parts) == 1


def language_rel(page: ForeignPage) -> PurePosixPath:
    """The page's path inside its language: `en/a/b.md` -> a/b.md, `a/b.fr.md` -> a/b.md."""
    parts = list(page.rel.parts)
    for index, part in enumerate(parts[:-1]):
        if part.lower() in ("en", "fr", "eng", "fra"):
            parts = parts[index + 1:]
            break
    name = ".".join(s for i, s in enumerate(parts[-1].split(".")) if i == 0 or s.lower() not in ("en", "fr"))
    return PurePosixPath(*parts[:-1], name)


def unique_url(lang: str, rel: PurePosixPath, taken: set[str]) -> str:
    """A clair address for the page from its path (`/fr/a/b/`), made unique with `-2`, `-3` when two pages'
    paths differ only in what addresses cannot hold."""
    stem = rel.with_suffix("")
    parts = [slugify(part) or "page" for part in (stem.parent.parts if stem.name.lower() in HOME_NAMES else stem.parts)]
    url = f"/{lang}/" + "".join(f"{part}/" for part in parts)
    candidate, number = url, 2
    while candidate in taken:
        candidate, number = f"{url.rstrip('/')}-{number}/", number + 1
    taken.add(candidate)
    return candidate


def as_page(page: ForeignPage, rel: PurePosixPath, pairs: Pairs, findings: list[Finding]) -> Page:
    """The clair Page for one of the team's pages: their file and lines, with the settings clair reads."""
    description, description_line = description_of(page)
    partner, how = pairs.of(page)
    lang = page.lang
    english = page if lang == "en" else partner
    meta = {"title": page.title, "description": description,
            "translation_key": f"{english.rel.as_posix()}" if partner else f"{lang}:{page.rel.as_posix()}"}
    date = date_of(page)
    if date:
        meta["date"] = date
    if not description:
        findings.append(Finding(str(page.source), page.title_line, "content.no-description", "warning",
                                     "this page has no description; add `description:` to its settings with one "
                                     "sentence saying what the page is for (search results and link previews show it)"))
    lines = {"title": page.title_line, "description": description_line or page.title_line}
    clair_page = Page(source=page.source, rel=rel, lang=lang, meta=meta, body=page.body, body_line=page.body_line,
                      meta_lines={**page.meta_lines, **lines})
    clair_page.paired_by = how
    if how == "guess" and lang == "fr":
        findings.append(Finding(str(page.source), page.title_line, "content.paired-by-guess", "warning",
                                f"clair guessed that this page translates {partner.source} (nothing in their "
                                "settings says so). If that is right, give both pages the same `translationKey:` "
                                "in their settings; if not, give each page the key of its real translation"))
    clair_page.counterpart_source = str(partner.source) if partner else None
    return clair_page


def stand_in_home(site: Site, lang: str) -> Page:
    """A home page for a language whose site has none of its own (pages only link to each other)."""
    page = Page(source=site.project.content / f"({lang} home page made by clair)", rel=PurePosixPath("_index.md"),
                lang=lang, meta={"title": site.config.title[lang], "description": "", "translation_key": "home"},
                body="", body_line=1)
    page.stand_in = True
    return page
