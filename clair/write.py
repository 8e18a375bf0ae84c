"""Stage 5, write: put the whole site in place at once, or leave the previous one untouched.

The site is written into `.NAME.building-PID` beside the output folder and swapped in only once it is
complete: with one atomic exchange of the two folders where the system offers it (Linux), else with
two renames during which Ctrl-C and termination signals wait. A failure, Ctrl-C or SIGTERM while
writing removes the temporary folder and leaves the previous site exactly as it was; a build killed
outright (SIGKILL, power cut) leaves a temporary folder that the next build removes, even one with
nothing to write. A full or failing disk is said in plain words (`DISK_TROUBLE`).
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import posixpath
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .children import stop_signals_held
from .model import ContentError, built_bytes
from .project import CODE_FOLDERS, DEFAULT_TEMPLATES, PACKAGE_DIR, Project, shown

MARKER = ".clair-site"  # written into every output folder, so we only ever replace our own output
MARKER_TEXT = "Built by clair. This whole folder is replaced on every build. The files it wrote:\n"
KEPT = ("CNAME", ".nojekyll")  # GitHub Pages' files, put in the output folder by hand: each build keeps them
REPOSITORIES = (".git", ".hg", ".svn")  # an output folder holding one of these is refused, never replaced
DISK_TROUBLE = {errno.ENOSPC: "the disk is full; free some space and build again",
                errno.EDQUOT: "your disk quota is used up; free some space and build again",
                errno.EROFS: "the disk can only be read, not written; choose a folder on another disk with --out",
                errno.EIO: "the disk reported a fault while writing; check the disk, then build again"}


def check_output_folder(out: Path, project: Project) -> None:
    """Refuse output folders whose replacement would destroy something that is not a built site: the project's
    own folders and anything inside them, a git repository, a folder holding files clair did not write
    (`KEPT` files apart: they are carried over to the new site)."""
    target = out.resolve()
    content = project.content.resolve()
    dangerous = {Path("/").resolve(), Path.home().resolve(), project.root.resolve(),
                 *CODE_FOLDERS, DEFAULT_TEMPLATES, PACKAGE_DIR.parent}
    if target in dangerous or target in content.parents or target == content:
        raise ContentError(out, None, "refusing to write the site here: this folder holds your sources; "
                                      "choose an empty folder such as `site` with --out")
    for name, folder in own_folders(project):
        if folder in target.parents or target == folder:
            raise ContentError(out, None, f"refusing to write the site inside the {name}; choose another --out, "
                                          "such as `site`")
        if target in folder.parents:
            raise ContentError(out, None, f"refusing to write the site here: this folder holds the {name}; "
                                          "choose an empty folder such as `site` with --out")
    if target.exists() and not target.is_dir():
        raise ContentError(out, None, "refusing to replace this: it is a file, not a folder; "
                                      "choose a folder such as `site` with --out")
    if any(os.path.lexists(target / name) for name in REPOSITORIES):
        raise ContentError(out, None, "refusing to replace this folder: it is a git repository (it holds `.git`), "
                                      "and a build replaces the whole folder, history included; build into "
                                      "another folder with --out and copy the site into the repository from there")
    foreign = not_written_by_clair(target)
    if foreign:
        named = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ContentError(out, None, f"refusing to replace this folder: it holds files clair did not write "
                                      f"({named}); choose an empty or new folder with --out, or move them out")


def own_folders(project: Project) -> list[tuple[str, Path]]:
    """The project's folders a site must never be written into, each with how a message names it."""
    folders = [("content folder", project.content), *(("templates folder", f) for f in project.template_folders),
               ("data folder", project.data), ("git repository's own folder (`.git`)", project.root / ".git")]
    if project.cache is not None:
        folders.append(("build cache folder", project.cache))
    return [(name, folder.resolve()) for name, folder in folders]


def not_written_by_clair(folder: Path) -> list[str]:
    """The files of an output folder that the build which wrote it did not write (its MARKER lists those it
    did), `kept_files` apart. Without a marker, that is every file; a marker from before clair kept this
    list (or one damaged) tells nothing, so nothing is counted."""
    present = set(listing(folder) or {})
    if not present:
        return []
    try:
        written = json.loads((folder / MARKER).read_text(encoding="utf-8").split("\n", 1)[1])
    except FileNotFoundError:
        return sorted(present)
    except (OSError, ValueError, IndexError):
        return []
    if not isinstance(written, list) or not written:
        return []
    return sorted(present - set(map(str, written)) - {MARKER, *kept_files(folder)})


def kept_files(out: Path) -> list[str]:
    """The `KEPT` files the output folder holds (regular files only, never links), which the next site keeps."""
    return [name for name in KEPT if (out / name).is_file() and not (out / name).is_symlink()]


def write_site(out: Path, files: dict[PurePosixPath, str | bytes], assets: Mapping[str, Path],
               record: Path | None = None, index: Callable[[], Mapping[PurePosixPath, bytes]] | None = None) -> Written:
    """Write into a temporary folder beside `out`, then swap it in; on any failure remove it.

    `assets` are the stylesheets and scripts copied to /assets/, by name (`Project.asset_files`).
    `index()` gives the search index's files, which Pagefind may still be making: the other files are
    written first, so the two overlap. With a `record` file (in the build cache), a site identical to the
    last one written to `out`, whose folder nobody has touched since, is not written again; the index is
    waited for first only when everything else is as written. Says whether it wrote, and the site's digest."""
    out = out.resolve()
    index = index or dict
    last = WrittenSite(record, out) if record else None
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    retired = out.parent / f".{out.name}.previous-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)  # even when there is nothing to write
        pages = site_digest(files, assets) if last else ""
        index_files = None
        if last and last.pages_there(pages):  # only the index may differ from the site in place: see
            index_files = index()
            digest = site_digest(index_files, before=pages)
            if last.still_there(digest):
                return Written(False, digest)
        try:
            fill_folder(staging, files, assets)
            index_files = index() if index_files is None else index_files
            fill_folder(staging, index_files, {}, new=False)
            for name in kept_files(out):
                if not (staging / name).exists():
                    shutil.copy2(out / name, staging / name)
            mark(staging)
            with stop_signals_held():
                swap_in(staging, out, retired)
            digest = site_digest(index_files, before=pages) if last else None
            if last is not None:
                last.save(pages, digest)
        finally:
            with stop_signals_held():
                shutil.rmtree(staging, ignore_errors=True)
                shutil.rmtree(retired, ignore_errors=True)
    except OSError as err:
        raise not_written(err, out) from None
    return Written(True, digest)


@dataclass(frozen=True)
class Written:
    """What write_site did: whether it wrote, and the digest of the site in the folder (with a record)."""
    wrote: bool
    digest: str | None


def not_written(err: OSError, out: Path) -> ContentError:
    """Why the site could not be written, in plain words for a full or failing disk, at the output folder."""
    trouble = DISK_TROUBLE.get(err.errno)
    if trouble:
        return ContentError(shown(out), None, f"the site could not be written: {trouble}. The previous site "
                                              "in this folder is unchanged")
    return ContentError(shown(out), None, f"the site could not be written ({err.strerror or 'unknown reason'}: "
                                          f"{err.filename or out}); the previous output folder is unchanged")


def site_digest(files: Mapping[PurePosixPath, str | bytes], assets: Mapping[str, Path] = {}, before: str = "") -> str:
    """A hash of every byte a build writes, in parts: the files and the assets, then the search index's files
    (`before`: the digest of the first part), so the first is known before Pagefind is done."""
    digest = hashlib.sha256(before.encode())
    for rel, content in sorted(files.items()):
        digest.update(str(rel).encode() + b"\0" + built_bytes(content))
    for name, path in sorted(assets.items()):
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def written_record(cache: Path, out: Path) -> Path:
    """Where the build cache keeps what was last written to the output folder `out` (`WrittenSite`)."""
    return cache / "written" / (hashlib.sha256(str(out.resolve()).encode()).hexdigest() + ".json")


class WrittenSite:
    """What was last written to an output folder, kept in the build cache: the digest of the site and of its
    files but the search index (`pages`), and each file's size, modification time and inode as written. A
    no-change rebuild finds them the same (a file edited, added or removed in the folder since changes them)
    and writes nothing."""

    def __init__(self, record: Path, out: Path, digest: str | None = None):
        self.record, self.out, self.digest = record, out, digest

    def still_there(self, digest: str | None = None) -> bool:
        """The folder holds the site of this digest (by default the one given when made), untouched."""
        return self.matches("digest", digest or self.digest)

    def pages_there(self, pages: str) -> bool:
        """The folder holds these files (`pages`: their digest, without the search index), untouched."""
        return self.matches("pages", pages)

    def matches(self, name: str, digest: str | None) -> bool:
        try:
            kept = json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (isinstance(kept, dict) and kept.get("out") == str(self.out) and digest is not None
                and kept.get(name) == digest and kept.get("files") == listing(self.out))

    def save(self, pages: str, digest: str) -> None:
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.record.with_name(f".{self.record.name}.{os.getpid()}")
            temporary.write_text(json.dumps({"out": str(self.out), "pages": pages, "digest": digest,
                                             "files": listing(self.out)}), encoding="utf-8")
            os.replace(temporary, self.record)
        except OSError:
            pass  # the next build writes the site again: slower, never wrong


def listing(folder: Path) -> dict[str, list[int]] | None:
    """Every file under `folder` with its size, modification time (ns) and inode; None when it is missing."""
    if not folder.is_dir():
        return None
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            stat = os.lstat(path)
            found[os.path.relpath(path, folder)] = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    return found


def swap_in(staging: Path, out: Path, retired: Path) -> None:
    """Put `staging` at `out`; the previous `out` ends at `retired` (removed by the caller)."""
    if not out.exists():
        staging.rename(out)
    elif not _exchange(staging, out):  # after an exchange, staging holds the previous site
        out.rename(retired)
        try:
            staging.rename(out)
        except BaseException:
            retired.rename(out)
            raise


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def remove_leftovers(out: Path) -> None:
    """Temporary folders of builds that were killed outright: remove them (restore the site if it was mid-swap)."""
    for kind in ("building", "previous"):
        for path in sorted(out.parent.glob(f".{out.name}.{kind}-*")):
            pid = path.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or _running(int(pid)):
                continue
            if kind == "previous" and not (path / MARKER).exists():
                continue
            if kind == "previous" and not out.exists():
                path.rename(out)  # killed between the two renames: this is the last complete site
            else:
                shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fill_folder(folder: Path, files: Mapping[PurePosixPath, str | bytes], assets: Mapping[str, Path],
                new: bool = True) -> None:
    """Every rendered file and the static assets (each the site's own or the theme's), with stable bytes, into a
    `new` folder (any earlier one goes) or one this build is filling."""
    if new:
        shutil.rmtree(folder, ignore_errors=True)
    for name, source in sorted(assets.items()):  # one by one: a full disk fails with its own reason
        target = folder / "assets" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    made: set[Path] = set()
    for rel, content in sorted(files.items()):
        inside = posixpath.normpath(str(rel))  # the folder is new and clair made every folder in it: no links
        if rel.is_absolute() or inside == ".." or inside.startswith("../"):
            raise ContentError(str(rel), None, "this page would be written outside the output folder")
        path = folder / inside
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(built_bytes(content))


def mark(folder: Path) -> None:
    """The marker of a complete site, listing the files clair wrote (`KEPT` apart), so that the next build can
    tell which files in the folder are not its own (`not_written_by_clair`)."""
    written = sorted(set(listing(folder)) - set(KEPT))
    (folder / MARKER).write_text(MARKER_TEXT + json.dumps(written, ensure_ascii=False, indent=0) + "\n",
                                 encoding="utf-8")
