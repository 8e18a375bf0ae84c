"""Stage 5, write: put the whole site in place at once, or leave the previous one untouched.

The site is written into `.NAME.building-PID` beside the output folder and swapped in only once it is
complete: with one atomic exchange of the two folders where the system offers it (Linux), else with
two renames during which Ctrl-C and termination signals wait. A failure, Ctrl-C or SIGTERM while
writing removes the temporary folder and leaves the previous site exactly as it was; a build killed
outright (SIGKILL, power cut) leaves a temporary folder that the next build removes.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import posixpath
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from .model import ContentError, built_bytes
from .project import CODE_DIR, Project

MARKER = ".clair-site"  # written into every output folder, so we only ever replace our own output
DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def check_output_folder(out: Path, project: Project) -> None:
    """Refuse output folders whose replacement would destroy something that is not a built site."""
    target = out.resolve()
    content = project.content.resolve()
    dangerous = {Path("/").resolve(), Path.home().resolve(), project.root.resolve(), CODE_DIR}
    if target in dangerous or target in content.parents or target == content:
        raise ContentError(out, None, "refusing to write the site here: this folder holds your sources; "
                                      "choose an empty folder such as `site` with --out")
    if content in target.parents:
        raise ContentError(out, None, "refusing to write the site inside the content folder; choose another --out")
    if target.exists() and not target.is_dir():
        raise ContentError(out, None, "refusing to replace this: it is a file, not a folder; "
                                      "choose a folder such as `site` with --out")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise ContentError(out, None, "refusing to replace this folder: it holds files clair did not write; "
                                      "choose an empty or new folder with --out, or empty it yourself")


def write_site(out: Path, files: dict[PurePosixPath, str | bytes], assets_dir: Path,
               before_swap: Callable[[Path], None] | None = None, record: Path | None = None,
               digest: str | None = None) -> bool:
    """Write into a temporary folder beside `out`, then swap it in; on any failure remove it.

    `before_swap(folder)` runs on the complete temporary folder just before the swap (the search
    index is built there); if it raises, the previous site stays as it was. With a `record` file
    (in the build cache) and the site's `digest` (`site_digest`), a site identical to the last one
    written to `out`, whose folder nobody has touched since, is not written again. Returns whether it wrote."""
    out = out.resolve()
    written = WrittenSite(record, out, digest) if record and digest else None
    if written is not None and written.still_there():
        return False
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    retired = out.parent / f".{out.name}.previous-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        try:
            fill_folder(staging, files, assets_dir)
            if before_swap is not None:
                before_swap(staging)
            with signals_deferred():
                swap_in(staging, out, retired)
            if written is not None:
                written.save()
        finally:
            with signals_deferred():
                shutil.rmtree(staging, ignore_errors=True)
                shutil.rmtree(retired, ignore_errors=True)
    except OSError as err:
        where = err.filename or out
        raise ContentError(out, None, f"the site could not be written ({err.strerror or 'unknown reason'}: {where}); "
                                      "the previous output folder is unchanged") from None
    return True


def site_digest(files: dict[PurePosixPath, str | bytes], assets_dir: Path, fingerprint: bytes) -> str:
    """A hash of every byte a build writes (the files, the assets) and of how the rest is made (`fingerprint`:
    the search index's program and options), so it is also the key of the search index kept in the cache."""
    digest = hashlib.sha256(fingerprint + b"\0")
    for rel, content in sorted(files.items()):
        digest.update(str(rel).encode() + b"\0" + built_bytes(content))
    for path in sorted(p for p in assets_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(assets_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class WrittenSite:
    """What was last written to an output folder, kept in the build cache: the digest of the site, and
    each file's size, modification time and inode as written. A no-change rebuild finds both the same
    (a file edited, added or removed in the folder since changes them) and writes nothing."""

    def __init__(self, record: Path, out: Path, digest: str):
        self.record, self.out, self.digest = record, out, digest

    def still_there(self) -> bool:
        try:
            kept = json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (kept.get("out") == str(self.out) and kept.get("digest") == self.digest
                and kept.get("files") == listing(self.out))

    def save(self) -> None:
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.record.with_name(f".{self.record.name}.{os.getpid()}")
            temporary.write_text(json.dumps({"out": str(self.out), "digest": self.digest, "files": listing(self.out)}),
                                 encoding="utf-8")
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


@contextlib.contextmanager
def signals_deferred():
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block is done, then act on them as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in DEFERRED_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


def fill_folder(folder: Path, files: dict[PurePosixPath, str | bytes], assets_dir: Path) -> None:
    """Every rendered file, the static assets and the marker, with stable bytes."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(assets_dir, folder / "assets")
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
    (folder / MARKER).write_text("Built by clair. This whole folder is replaced on every build.\n", encoding="utf-8")
