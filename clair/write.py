"""Stage 5, write: put the whole site in place at once, or leave the previous one untouched."""
from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from .model import ContentError

MARKER = ".clair-site"  # written into every output folder, so we only ever replace our own output


def check_output_folder(out: Path, content_dir: Path, project_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy something that is not a built site."""
    target = out.resolve()
    dangerous = {Path("/").resolve(), Path.home().resolve(), project_dir.resolve()}
    if target in dangerous or target in content_dir.resolve().parents or target == content_dir.resolve():
        raise ContentError(out, None, "refusing to write the site here: this folder holds your sources; "
                                      "choose an empty folder such as `site` with --out")
    if content_dir.resolve() in target.parents:
        raise ContentError(out, None, "refusing to write the site inside the content folder; choose another --out")
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())):
        raise ContentError(out, None, "refusing to replace this folder: it holds files clair did not write; "
                                      "choose an empty or new folder with --out, or empty it yourself")


def write_site(out: Path, files: dict[PurePosixPath, str | bytes], assets_dir: Path) -> None:
    """Write into a temporary folder beside `out`, then swap it in; on any failure remove it."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    retired = out.parent / f".{out.name}.previous-{os.getpid()}"
    try:
        fill_folder(staging, files, assets_dir)
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


def fill_folder(folder: Path, files: dict[PurePosixPath, str | bytes], assets_dir: Path) -> None:
    """Every rendered file, the static assets and the marker, with stable bytes."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(assets_dir, folder / "assets")
    for rel, content in sorted(files.items()):
        path = folder / rel
        if folder.resolve() not in path.resolve().parents:
            raise ContentError(str(rel), None, "this page would be written outside the output folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    (folder / MARKER).write_text("Built by clair. This whole folder is replaced on every build.\n", encoding="utf-8")
