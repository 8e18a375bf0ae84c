"""The pipeline, top to bottom: load -> pair -> render -> check -> write -> report."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import load_config
from .load import load_site
from .markdown import media_files
from .model import Finding, Site
from .pair import pair_translations
from .render import TEMPLATES_DIR, Renderer
from .search import build_index
from .write import check_output_folder, write_site


@dataclass
class BuildResult:
    site: Site
    files: dict[PurePosixPath, str] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return self.site.findings


def build_site(content_dir: Path, config_path: Path, run_checks: bool = True,
               templates_dir: Path = TEMPLATES_DIR) -> BuildResult:
    """Load, pair, render and (optionally) check a site in memory; raises ContentErrors on bad input."""
    config = load_config(config_path)
    site = load_site(content_dir, config)
    pair_translations(site)
    renderer = Renderer(site, templates_dir)
    renderer.parse()
    renderer.render_pages()
    files = {page.output_path: page.output for page in site.pages}
    files.update(renderer.render_site_files())
    files.update(media_files(site.pages))  # pictures and files the pages link to, under /media/
    files.update(renderer.extra_files)  # files pages produce besides their HTML: matrix CSVs
    if run_checks:
        from checks import run_all

        site.findings.extend(run_all(site, files))
        files[PurePosixPath("report/index.html")] = renderer.render_review()
    return BuildResult(site, files)


def publish(result: BuildResult, out: Path, project_dir: Path, templates_dir: Path = TEMPLATES_DIR,
            search_index: bool = True) -> None:
    """Write the built site into `out`, atomically, after making sure `out` is safe to replace.

    With `search_index`, Pagefind indexes the written site before it is swapped in (clair/search.py)."""
    check_output_folder(out, result.site.content_dir, project_dir)
    write_site(out, result.files, templates_dir / "assets", before_swap=build_index if search_index else None)
