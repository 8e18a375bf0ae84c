"""Load stage, other generators: what each generator reads: its configuration files, the folders holding its pages, the keys that pair
translations, and the address it publishes a page at (so links written for that generator resolve)."""
from __future__ import annotations

import fnmatch
import itertools
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..files import TEXT_FILE_LIMIT, walk
from ..model import ContentError
from ..yamlfile import load_mapping, read_text_file

# Folders no generator publishes pages from: tooling, dependencies, build output, partials and layouts.
SKIPPED_FOLDERS = frozenset({"node_modules", "vendor", "_site", "public", "dist", "resources", "_includes",
                             "_layouts", "_data", "_sass", "layouts", "archetypes", "i18n", "static", "assets",
                             "themes", "partials", "cypress", "scripts", "tests", "test", "__pycache__"})
REPOSITORY_FILES = frozenset({"readme.md", "contributing.md", "license.md", "code_of_conduct.md", "security.md",
                              "changelog.md", "pull_request_template.md"})  # about the repository, not pages
PAGE_SUFFIXES = (".md", ".markdown")
LAYOUT_SUFFIXES = (".html", ".htm", ".liquid", ".njk", ".vue", ".hbs", ".ejs")
LITERAL_ID = re.compile(r"""\sid\s*=\s*(["'])([^"'{}<>%$\s]+)\1""")  # an id no template tag fills in
MAX_LAYOUT_FILES = 5000
CONTAINER_GENERATORS = ("vuepress", "markdown", "eleventy")  # whose pages use markdown-it `:::` containers


@dataclass(frozen=True)
class Generator:
    """One generator's conventions, as far as checking its pages needs them."""

    name: str
    config_files: tuple[str, ...]  # any of these at the root says the site is built with this generator
    html_pages: bool  # `.html` files with front matter are pages (Jekyll, Hugo)
    pairing_keys: tuple[str, ...]  # front matter keys both versions of a page share, most trusted first
    address_keys: tuple[str, ...]  # front matter keys giving the other version's address
    pretty: bool  # addresses end in `/` (Hugo, Eleventy) rather than `.html` (Jekyll, VuePress)
    html_runs_on: bool = False  # an HTML block runs on to its closing tag (kramdown; Eleventy sites that switch
    # indented code off), so indented HTML is never code there

    def content_root(self, root: Path) -> Path:
        """The folder the generator reads pages from."""
        if self.name == "hugo":
            return root / "content" if (root / "content").is_dir() else root
        if self.name == "eleventy":
            found = re.search(r"""input\s*:\s*['"]([^'"]+)['"]""", _read(root / ".eleventy.js"))
            return root / found.group(1) if found and (root / found.group(1)).is_dir() else root
        if self.name == "vuepress":
            marker = next((p.parent for p in sorted(root.glob("*/.vuepress")) if p.is_dir()), None)
            return marker or root
        return root

    def layout_folders(self, root: Path) -> list[Path]:
        """Where the site's own layouts, partials and components are."""
        if self.name == "hugo":
            return [root / "layouts", *sorted(root.glob("themes/*/layouts"))]
        if self.name == "jekyll":
            return [root / "_layouts", root / "_includes"]
        if self.name == "eleventy":
            return [self.content_root(root) / "_includes", self.content_root(root) / "_layouts"]
        if self.name == "vuepress":
            return [self.content_root(root) / ".vuepress"]
        return []

    def layout_ids(self, root: Path) -> set[str]:
        """The ids the site's layouts write as they are (`<span id="contact-us-links">` in a footer partial): on
        the pages that generator builds, though clair renders none of its layouts. Ids a template fills in are not
        known; links (symlinks) are not followed; a large or many-file folder is read up to MAX_LAYOUT_FILES."""
        found: set[str] = set()
        files = (Path(entry.path) for folder in self.layout_folders(root) if folder.is_dir() and not folder.is_symlink()
                 for _, _, entries in walk(folder) for entry in entries
                 if entry.name.endswith(LAYOUT_SUFFIXES) and not entry.is_symlink()
                 and entry.stat().st_size <= TEXT_FILE_LIMIT)
        for path in itertools.islice(files, MAX_LAYOUT_FILES):
            found.update(match.group(2) for match in LITERAL_ID.finditer(_read(path)))
        return found

    def indented_html_is_html(self, root: Path) -> bool:
        """Whether indented HTML stays HTML on this site: always with kramdown (an HTML block runs on to its closing
        tag), and on Eleventy sites whose Markdown has indented code switched off (`.disable('code')`)."""
        return self.html_runs_on or (self.name == "eleventy" and bool(re.search(
            r"""disable\(\s*\[?\s*['"]code['"]""", "".join(_read(root / name) for name in self.config_files))))

    def html_read_whole(self, root: Path) -> str:
        """Which blocks of HTML run on to their closing tag across blank lines (clair/readers/pages.py,
        `html_blocks_whole`): with kramdown (Jekyll), "all" by default, "raw" (`<pre>`, `<script>`...: kramdown reads
        the rest as Markdown) when the site sets `parse_block_html: true`; "" with other generators."""
        if self.name != "jekyll":
            return ""
        kramdown = next((settings_of(root / name).get("kramdown") for name in self.config_files
                         if (root / name).is_file()), None)
        return "raw" if isinstance(kramdown, dict) and kramdown.get("parse_block_html") is True else "all"

    def base_path(self, root: Path) -> str:
        """The path the site is published under (`/plan` for https://org.github.io/plan/), from its configuration."""
        text = "".join(_read(root / name) for name in self.config_files)
        patterns = {"jekyll": r"^baseurl\s*:\s*['\"]?([^'\"\s#]*)", "hugo": r"^base[uU][rR][lL]\s*[:=]\s*['\"]?([^'\"\s#]*)",
                    "eleventy": r"pathPrefix\s*:\s*['\"]([^'\"]*)", "vuepress": r"\bbase\s*:\s*['\"]([^'\"]*)"}
        found = re.search(patterns.get(self.name, r"(?!)"), text, re.MULTILINE)
        path = found.group(1) if found else ""
        path = re.sub(r"^https?://[^/]+", "", path)
        return "/" + path.strip("/") if path.strip("/") else ""

    def address(self, rel: PurePosixPath, meta: dict) -> str:
        """The address (path on the site) the generator publishes a page at by default; `rel` is the page's path
        from the content root (addresses.Conventions applies `permalink`, `url` and Hugo's patterns first)."""
        stem = rel.with_suffix("")
        if self.name == "jekyll" and rel.parts[0] == "_posts":
            found = re.match(r"(\d{4})-(\d\d)-(\d\d)-(.+)", stem.name)
            if found:
                return "/{}/{}/{}/{}.html".format(*found.groups())
        if stem.name in ("index", "_index", "README", "readme"):
            folder = stem.parent.as_posix()
            return "/" if folder == "." else f"/{folder}/"
        if self.name == "hugo" and isinstance(meta.get("slug"), str):
            stem = stem.parent / meta["slug"]
        return f"/{stem.as_posix()}/" if self.pretty else f"/{stem.as_posix()}.html"


GENERATORS = {
    "hugo": Generator("hugo", ("hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml",
                               "config/_default/config.yml", "config/_default/config.yaml",
                               "config/_default/config.toml", "config/_default/hugo.toml"),
                      True, ("translationKey", "translation_key"), ("altLangPage", "alt_lang_url"), True),
    "jekyll": Generator("jekyll", ("_config.yml", "_config.yaml"), True,
                        ("translationKey", "translation_key", "ref", "key", "page_id"),
                        ("altLangPage", "alt_lang_url", "altlangpage", "altLangUrl"), False, html_runs_on=True),
    "eleventy": Generator("eleventy", (".eleventy.js", "eleventy.config.js", ".eleventy.cjs", "eleventy.config.mjs"),
                          False, ("translationKey", "translation_key", "ref", "eleventyNavigation.key"),
                          ("altLangPage", "alt_lang_url"), True),
    "vuepress": Generator("vuepress", ("src/.vuepress/config.js", "docs/.vuepress/config.js", ".vuepress/config.js",
                                       "src/.vuepress/config.ts", "docs/.vuepress/config.ts"),
                          False, ("translationKey", "translation_key", "ref"), ("altLangPage",), False),
    "markdown": Generator("markdown", (), False, ("translationKey", "translation_key", "translation_key", "ref"),
                          ("altLangPage", "alt_lang_url"), True),
}
DETECTION_ORDER = ("hugo", "jekyll", "eleventy", "vuepress")  # a Hugo site may carry a package.json too


def detect(root: Path) -> str:
    """The generator whose configuration file is at the root; `markdown` (plain folders of pages) when none is."""
    for name in DETECTION_ORDER:
        if any((root / config).is_file() for config in GENERATORS[name].config_files):
            if name == "hugo" and not (root / "content").is_dir() and not (root / "config").is_dir():
                continue  # a config.yml alone is not a Hugo site
            return name
    return "markdown"


def canonical(address: str) -> str:
    """One spelling per address: /en/a.html, /en/a/ and /en/a/index.html are the same page; so are /en/A/ and
    /en/a/ (Hugo writes addresses in lower case; a link's case is not worth an error on another generator's site)."""
    path = unicodedata.normalize("NFC", posixpath.normpath("/" + address.split("#")[0].split("?")[0].lstrip("/"))).lower()
    path = path.replace("’", "").replace("'", "").replace(" ", "-")  # Hugo's addresses drop them from file names
    for ending in ("/index.html", "/index.htm", ".html", ".htm", ".md", ".markdown"):
        if path.endswith(ending):
            path = path[: -len(ending)]
            break
    return path.rstrip("/") or "/"


def settings_file(root: Path, names) -> dict:
    """The first of the configuration files `names` that exists and reads (YAML or TOML), as settings; {} if none."""
    for name in names:
        path = root / name
        if path.suffix in (".yml", ".yaml", ".toml") and path.is_file():
            settings = settings_of(path)
            if settings:
                return settings
    return {}


def settings_of(path: Path) -> dict:
    """A YAML or TOML configuration file's settings, or nothing when it is missing or unreadable."""
    if not path.is_file():
        return {}
    try:
        text = read_text_file(path, "configuration file")
        if path.suffix == ".toml":
            import tomllib  # Python 3.11+; only Hugo sites use TOML
            return tomllib.loads(text)
        return load_mapping(text, str(path))[0]
    except (ContentError, ValueError, ImportError):
        return {}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return ""


def jekyll_defaults(root: Path, key: str) -> list[tuple[str, object]]:
    """(scope path, value) of each rule of Jekyll's `defaults:` in `_config.yml` that sets `key` (`path: ""` is
    every page; a path with `*` is a pattern such as `**/*.md`; another path is a folder)."""
    found = []
    for rule in settings_of(root / "_config.yml").get("defaults") or []:
        scope = rule.get("scope") if isinstance(rule, dict) else None
        values = rule.get("values") if isinstance(rule, dict) else None
        if isinstance(scope, dict) and isinstance(values, dict) and key in values:
            found.append((str(scope.get("path") or ""), values[key]))
    return found


def default_for(rules: list[tuple[str, object]], rel: PurePosixPath):
    """The value the last `defaults:` rule matching the page at `rel` gives (later rules win, as in Jekyll)."""
    value = None
    for path, given in rules:
        if not path or (fnmatch.fnmatch(rel.as_posix(), path.replace("**/", "*")) if "*" in path
                        else (rel.as_posix() + "/").startswith(path.strip("/") + "/")):
            value = given
    return value
