"""Command line `import --from KIND --content PATH --to DIR`: write a clair site (content/en, content/fr, site.yaml, pictures and
files) from another generator's site, read by the same reader `check --from` uses, and say what needs a person.

Translations are taken as up to date, as they were published: committed in one commit, the git check of
`parity.stale` finds no French page older than its English page.

Pages keep their folders (a folder gets an `_index.md` section page, made when the site had none); each pair gets
one `translation_key`; links written for the old generator become links to the new pages and files; template tags
are taken out and listed with their file and line. Written into a temporary folder beside DIR and moved into place
at the end, so a failed import leaves nothing half-written.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from .. import command
from ..model import LANGUAGES, ContentError, Page, Site
from ..pair import pair_translations
from ..project import Project
from . import read_site
from ..yamlfile import read_text_file
from .generators import CONTAINER_GENERATORS, PAGE_SUFFIXES
from .pages import MAX_PAGE_BYTES, read_page
from .templating import Tag

MEDIA = PurePosixPath("files")  # pictures and files, under content/ (published under /media/files/)
MARKDOWN_DESTINATION = re.compile(r"(?P<open>!?\[[^\]\n]*\]\(\s*<?)(?P<address>[^)\s>]+)")
HTML_ADDRESS = re.compile(r"""(?P<open>\b(?:href|src)\s*=\s*["'])(?P<address>[^"']+)""", re.IGNORECASE)
FIGURE = re.compile(r"""\{\{<\s*figure\s+(?P<attributes>[^>]*?)\s*/?>\}\}""")
ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*["']([^"']*)["']""")


@dataclass
class Imported:
    """What an import did, for its summary."""

    generator: str = ""
    pages: int = 0
    paired_by: Counter = field(default_factory=Counter)
    unpaired: list[str] = field(default_factory=list)
    tags: Counter = field(default_factory=Counter)
    sections_made: list[str] = field(default_factory=list)
    files: int = 0
    for_a_person: list[str] = field(default_factory=list)  # `file:line: what to do`

    def summary(self, source: Path, target: Path) -> str:
        lines = [f"Imported {self.pages} pages from the {self.generator} site {source} into {target}/.",
                 f"- Pairs: {sum(self.paired_by.values()) // 2}"
                 + (f" ({', '.join(f'{n // 2} by {how}' for how, n in sorted(self.paired_by.items()))})"
                    if self.paired_by else ""),
                 f"- Pages without a translation: {len(self.unpaired)}"
                 + (f" ({', '.join(self.unpaired[:5])}{' and more' if len(self.unpaired) > 5 else ''})"
                    if self.unpaired else ""),
                 f"- Template tags taken out: {sum(self.tags.values())}"
                 + (f" ({', '.join(f'{n} {kind}' for kind, n in sorted(self.tags.items()))})" if self.tags else ""),
                 f"- Section pages made for folders that had none: {len(self.sections_made)}",
                 f"- Pictures and files copied: {self.files}",
                 f"- For a person to check: {len(self.for_a_person)} (listed in {target}/import-report.md)",
                 f"Next: commit {target}/ in one commit (the translations count as up to date from there; "
                 "parity.stale compares later commits), then: "
                 f"{command.typed()} build --content {target}/content --config {target}/site.yaml"]
        return "\n".join(lines)

    def report(self, summary: str) -> str:
        """import-report.md: the summary, then each thing to check as a task list."""
        tasks = "\n".join(f"- [ ] {item}" for item in self.for_a_person) or "Nothing."
        return f"# Import report\n\n{summary}\n\n## For a person to check\n\n{tasks}\n"


def import_site(project: Project, kind: str, target: Path) -> Imported:
    """Read the site at `project.content` and write it as a clair site into `target` (which must not exist or be
    empty); raises ContentError when it cannot."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ContentError(target, None, "this folder is not empty; import into a new folder (clair never writes "
                                         "over files it did not make)")
    site = read_site(project, kind)
    pair_translations(site)
    done = Imported(site.generator)
    staging = Path(tempfile.mkdtemp(prefix=".clair-import-", dir=target.parent if target.parent.exists() else None))
    try:
        write_site(site, staging, done)
        summary = done.summary(project.content, target)
        (staging / "import-report.md").write_text(done.report(summary), encoding="utf-8")
        if target.exists():
            target.rmdir()
        shutil.move(str(staging), str(target))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def write_site(site: Site, folder: Path, done: Imported) -> None:
    """The pages, their sections, their files and site.yaml, into `folder`."""
    pages = [page for page in site.pages if not page.stand_in]
    places = {id(page): file_for(page, pages) for page in pages}
    keys = pair_keys(pages, places)
    files: list[tuple[str, PurePosixPath, dict, str]] = []  # (lang, path under content/<lang>/, settings, text)
    for page in pages:
        body, tags = imported_body(site, page, places, folder, done)
        files.append((page.lang, places[id(page)], front_matter(page, keys.get(id(page))), body))
        record(done, page, tags)
    for lang, rel, key in missing_sections(pages, places, keys):
        title = rel.parent.name.replace("-", " ").replace("_", " ").strip().capitalize() or site.config.title[lang]
        files.append((lang, rel, {"title": title, "description": "", "translation_key": key}, ""))
        done.sections_made.append(f"content/{lang}/{rel}")
        done.for_a_person.append(f"content/{lang}/{rel}:1: a section page clair made for the folder; write its "
                                 "title and description")
    for home in (page for page in site.pages if page.stand_in):
        files.append((home.lang, PurePosixPath("_index.md"), {**front_matter(home, "home"), "description": ""}, ""))
        done.for_a_person.append(f"content/{home.lang}/_index.md:1: the home page clair made (the site had none); "
                                 "write its text and description")
    for lang, rel, meta, text in files:
        write_page(folder / "content" / lang / rel, meta, text)
    write_configuration(folder / "site.yaml", site, any(re.search(r"<[a-zA-Z][^>]*>", text) for *_, text in files))


def file_for(page: Page, pages: list[Page]) -> PurePosixPath:
    """Where a page goes under content/<lang>/: its address's path (`/en/a/b/` -> a/b.md), or a/b/_index.md when
    other pages are inside it."""
    parts = page.url.strip("/").split("/")[1:]
    if not parts:
        return PurePosixPath("_index.md")
    inside = any(other.lang == page.lang and other.url.startswith(page.url) and other is not page for other in pages)
    return PurePosixPath(*parts, "_index.md") if inside else PurePosixPath(*parts[:-1], parts[-1] + ".md")


def pair_keys(pages: list[Page], places: dict[int, PurePosixPath]) -> dict[int, str]:
    """One translation_key per pair (the English page's path), written into both pages."""
    keys = {}
    for page in pages:
        if page.lang == "en" and page.counterpart is not None and not page.counterpart.stand_in:
            key = places[id(page)].with_suffix("").as_posix()
            keys[id(page)] = keys[id(page.counterpart)] = key
    return keys


def missing_sections(pages: list[Page], places: dict[int, PurePosixPath], keys: dict[int, str]):
    """(lang, path, translation_key) of the `_index.md` each folder without one needs; the two languages' folders
    are paired when their pages are."""
    having = {(page.lang, places[id(page)].parent) for page in pages if places[id(page)].name == "_index.md"}
    mirror: dict[PurePosixPath, Counter] = defaultdict(Counter)
    for page in pages:
        if page.lang == "en" and page.counterpart is not None and id(page.counterpart) in places:
            for english, french in zip(reversed(places[id(page)].parents), reversed(places[id(page.counterpart)].parents)):
                mirror[english][french] += 1
    french_of = {english: counts.most_common(1)[0][0] for english, counts in mirror.items()}
    english_of = {french: english for english, french in french_of.items()}
    for lang in LANGUAGES:
        needed = {parent for page in pages if page.lang == lang for parent in places[id(page)].parents
                  if parent != PurePosixPath(".")}
        for folder in sorted(needed):
            if (lang, folder) not in having:
                english = folder if lang == "en" else english_of.get(folder)
                key = f"section/{english.as_posix()}" if english is not None and (
                    lang == "fr" or folder in french_of) else f"section/{lang}/{folder.as_posix()}"
                yield lang, folder / "_index.md", key


def front_matter(page: Page, key: str | None) -> dict:
    """The settings clair reads: title, description, date and the pair's key."""
    meta = {"title": page.title}
    if page.meta.get("description"):
        meta["description"] = page.meta["description"]
    if page.meta.get("date"):
        meta["date"] = page.meta["date"]
    if key:
        meta["translation_key"] = key
    return meta


def write_page(path: Path, meta: dict, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{settings}---\n{body.strip()}\n", encoding="utf-8")


def imported_body(site: Site, page: Page, places: dict[int, PurePosixPath], folder: Path, done: Imported
                  ) -> tuple[str, list[Tag]]:
    """The page's text with its template tags taken out (a Hugo figure becomes a picture) and its links made to
    lead to the new pages and files."""
    rel = PurePosixPath(page.source.relative_to(site.project.content).as_posix()) \
        if page.source.is_relative_to(site.project.content) else PurePosixPath(page.source.name)
    original = read_text_file(page.source, "page", MAX_PAGE_BYTES)
    figures = FIGURE.sub(figure_as_picture, original)
    read = read_page(page.source, rel, containers=site.generator in CONTAINER_GENERATORS,
                     base_path=site.foreign.base_path, keep_columns=False, text=figures,
                     bare_html=site.generator == "hugo")
    page_file = PurePosixPath("content", page.lang, places[id(page)])
    by_url = {other.url: other for other in site.pages}

    def new_address(found: re.Match, markdown: bool) -> str:
        address = found.group("address")
        new = relinked(site, page, address, page_file, by_url, places, folder, done, markdown)
        other = by_url.get(urlsplit(new).path)
        if markdown and other is not None and other.lang != page.lang and found.string[found.end():].startswith(")"):
            new += f' "lang:{other.lang}"'  # a deliberate change of language (parity.links)
        return found.group("open") + new

    body = MARKDOWN_DESTINATION.sub(lambda found: new_address(found, True), read.body)
    body = HTML_ADDRESS.sub(lambda found: new_address(found, False), body)
    body = "\n".join(line.rstrip() for line in body.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", body), [Tag(tag.kind, tag.line + read.body_line, tag.text)
                                             for tag in read.tags]


def figure_as_picture(found: re.Match) -> str:
    """Hugo's `{{< figure src="x.png" alt="…" >}}` as the Markdown picture it shows."""
    attributes = dict(ATTRIBUTE.findall(found.group("attributes")))
    if "src" not in attributes:
        return found.group()
    return f"![{attributes.get('alt', '')}]({attributes['src']})"


def relinked(site: Site, page: Page, address: str, page_file: PurePosixPath, by_url: dict, places: dict,
             folder: Path, done: Imported, markdown: bool) -> str:
    """The address a link should have in the imported site: a page's `.md` file (Markdown) or address (HTML), a
    copied file's path; unchanged when it leads elsewhere or nowhere (then listed for a person)."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path or address.startswith("#"):
        return address
    target = site.foreign.target(page.url, unquote(parts.path))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if target is None:
        done.for_a_person.append(f"{page_file}: the link `{address}` led nowhere on the old site either; fix or remove it")
        return address
    if target in by_url:
        other = by_url[target]
        if markdown and id(other) in places and other.lang == page.lang:
            return relative(page_file, PurePosixPath("content", other.lang, places[id(other)])) + fragment
        return target + fragment
    source = site.foreign.files.get(target)
    if source is None:
        return address
    if source.suffix.lower() in PAGE_SUFFIXES:
        done.for_a_person.append(f"{page_file}: the link `{address}` leads to {source.name}, a Markdown file the "
                                 "old site did not publish as a page; link to a page or remove it")
        return address
    copied = PurePosixPath("content") / MEDIA / PurePosixPath(target.lstrip("/")).parent / source.name
    destination = folder / copied
    if not destination.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        done.files += 1
    return relative(page_file, copied) + fragment


def relative(page_file: PurePosixPath, target: PurePosixPath) -> str:
    """`target` as a path from the folder of `page_file` (both from the site's folder)."""
    up = len(page_file.parent.parts)
    common = 0
    while common < min(up, len(target.parts) - 1) and page_file.parent.parts[common] == target.parts[common]:
        common += 1
    return "/".join([".."] * (up - common) + list(target.parts[common:]))


def record(done: Imported, page: Page, tags: list[Tag]) -> None:
    """Count the page and its pairing, and list each tag taken out whose output the page loses."""
    done.pages += 1
    if page.counterpart is not None and not page.counterpart.stand_in:
        done.paired_by[page.paired_by] += 1
    else:
        done.unpaired.append(str(page.source))
    for tag in tags:
        done.tags[tag.kind] += 1
        if tag.kind in ("Hugo shortcode", "Liquid or Nunjucks tag", "template expression") \
                and not tag.text.lstrip("{%<-# ").startswith(("end", "/", "raw", "comment")):
            done.for_a_person.append(f"{page.source}:{tag.line}: `{tag.text[:80]}` was taken out; if it showed "
                                     "something readers need, write it into the page")


def write_configuration(path: Path, site: Site, raw_html: bool) -> None:
    """site.yaml with the site's titles and address; raw HTML is read (through the sanitiser) when pages have it."""
    settings = {"base_url": site.config.base_url, "title": dict(site.config.title)}
    if raw_html:
        settings["allow_raw_html"] = True
    text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
    path.write_text("# Made by `python build.py import`; see README, 'Configuration'.\n" + text, encoding="utf-8")
