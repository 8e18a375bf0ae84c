"""Load stage: which files content may make clair read, and which it may publish.

**Only regular files are read.** Opening a named pipe (FIFO) for reading waits for a writer that
never comes, and a device or socket may never end or may act when opened, so a page, a linked file,
a data file or a word list that is one of those would stall a build (or the preview) for ever. Every
reader of such files goes through `read_regular`: the path is checked with `stat` before it is
opened, and the open file is checked again (opened without blocking), so a file swapped for a pipe
in between is refused too.

**Only types a browser never runs are published.** A linked file is copied to /media/ on the site's
own address, where a type the browser treats as a page (HTML, SVG, XML and its kin such as .xht or
.rdf, MHTML) could run a script with the site's rights, and a type a web server runs (.php, .asp,
.cgi, .shtml, .htaccess) could run on the server. New such types keep appearing, so PUBLISHABLE is
an allow-list, and each file is served with the Content-Type it gives (`serve`; a static host should
send the same, with `X-Content-Type-Options: nosniff`, so no browser guesses otherwise):

- documents (PDF, Office and OpenDocument files, RTF, plain text, CSV, EPUB): opened by their own
  programs or shown as text; the browser's PDF viewer runs no script of the site's;
- data (JSON): shown as text; with nosniff, a browser refuses to run it as a script;
- pictures (PNG, JPEG, GIF, WebP, AVIF): raster formats that hold no script. SVG can hold scripts
  and clair does not clean it, so it is refused: export the drawing as PNG;
- audio, video and their captions (MP3, M4A, Ogg, WAV, MP4, WebM, WebVTT): played, never run;
- archives (ZIP): downloaded.

Anything else (no suffix, `.svg`, `.html`, a double suffix such as `x.pdf.html`, which is just
`.html`) is refused with the list.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from .model import ContentError

TEXT_FILE_LIMIT = 2_000_000  # bytes; a page, the configuration, a data file or a word list larger is a mistake
PUBLISHABLE = {  # kind of file, as messages list them -> suffix -> the Content-Type it is served with
    "documents": {".pdf": "application/pdf",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                  ".odt": "application/vnd.oasis.opendocument.text",
                  ".ods": "application/vnd.oasis.opendocument.spreadsheet",
                  ".odp": "application/vnd.oasis.opendocument.presentation",
                  ".rtf": "application/rtf", ".txt": "text/plain", ".csv": "text/csv", ".epub": "application/epub+zip"},
    "data": {".json": "application/json"},
    "pictures": {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                 ".webp": "image/webp", ".avif": "image/avif"},
    "audio and video": {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".oga": "audio/ogg",
                        ".wav": "audio/wav", ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
                        ".ogv": "video/ogg", ".vtt": "text/vtt"},
    "archives": {".zip": "application/zip"},
}
MEDIA_TYPES = {suffix: kind for group in PUBLISHABLE.values() for suffix, kind in group.items()}
PICTURE_TYPES = tuple(PUBLISHABLE["pictures"])
ALLOWED = "; ".join(f"{group} ({', '.join(types)})" for group, types in PUBLISHABLE.items())  # for messages

KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
         (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))  # what a path that is not a regular file is


def walk(folder: Path | str, inside: str = "", unreadable: Callable[[OSError], None] | None = None
         ) -> Iterator[tuple[str, list[os.DirEntry], list[os.DirEntry]]]:
    """`os.walk` with the entries it reads (so no file needs another look), hidden ones (names starting with
    `.`) left out: for `folder` and each folder under it, top down in name order, its path inside `folder`
    ("" or "en/a/"), its folders and its other files, each in name order. Links to folders are listed, never
    followed; `unreadable` is told of a folder that cannot be read."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted((entry for entry in listing if not entry.name.startswith(".")),
                             key=lambda entry: entry.name)
    except OSError as error:
        if unreadable is not None:
            unreadable(error)
        return
    folders, files = [], []
    for entry in entries:
        (folders if is_folder(entry) else files).append(entry)
    yield inside, folders, files
    for entry in folders:
        if not entry.is_symlink():
            yield from walk(entry.path, f"{inside}{entry.name}/", unreadable)


def is_folder(entry: os.DirEntry) -> bool:
    """Whether an entry is a folder or a link to one, as `os.walk` tells them."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def read_regular(path: Path | str) -> bytes:
    """The bytes of a regular file (a link to one is followed); ContentError for anything else.

    OSError (a missing or unreadable file) is left to the caller, which knows what the file is for.
    """
    check_regular(path, os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as handle:
        check_regular(path, os.fstat(handle.fileno()).st_mode)
        return handle.read()


def special_kind(mode: int) -> str | None:
    """What a file whose `stat` mode is `mode` is, in words ("a named pipe"); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in KINDS if test(mode)), "a special file")


def check_regular(path: Path | str, mode: int) -> None:
    """ContentError at line 1 of `path` unless `mode` (from stat) is a regular file's."""
    kind = special_kind(mode)
    if kind:
        raise ContentError(path, None, f"this is not a regular file (it is {kind}); clair reads only ordinary "
                                       "files, so delete it or put the file itself in its place")
