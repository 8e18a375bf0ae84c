"""Themes: a site's own templates/ folder replaces clair's default templates, assets and messages one by one."""
from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from clair.model import ContentErrors, built_text
from clair.pipeline import build_site, publish
from clair.project import DEFAULT_TEMPLATES, Project
from conftest import ROOT, minimal_pages, page, write_tree

PAGES = {**minimal_pages(),
         "en/plan.md": page("Plan", "::: vision\nA plan for everyone.\n:::\n"),
         "fr/plan.md": page("Plan", "::: vision\nUn plan pour tout le monde.\n:::\n")}


def site_with(tmp_path: Path, own: dict[str, str], **options) -> Project:
    """A small site whose own templates/ folder holds `own` (names relative to it)."""
    content, config = write_tree(tmp_path, PAGES)
    for name, text in own.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project.from_options(content, config, out=tmp_path / "site", **options)


def html(project: Project, path: str = "en/plan/index.html") -> str:
    return built_text(build_site(project, run_checks=False).files[PurePosixPath(path)])


def test_a_site_without_its_own_templates_uses_the_theme(tmp_path):
    project = site_with(tmp_path, {})
    assert project.template_folders == (DEFAULT_TEMPLATES,)
    assert '<div class="block block-vision">' in html(project)


def test_in_clairs_own_repository_the_sites_templates_are_the_theme():
    project = Project.from_options(ROOT / "content", ROOT / "site.yaml")
    assert project.template_folders == (DEFAULT_TEMPLATES,)


def test_an_overridden_block_template_changes_the_output_and_the_others_stay(tmp_path):
    project = site_with(tmp_path, {"blocks/vision.html": '<div class="our-vision">{{ content }}</div>\n'})
    assert project.template_folders == (tmp_path / "templates", DEFAULT_TEMPLATES)
    built = html(project)
    assert '<div class="our-vision">' in built and "block-vision" not in built
    assert '<a class="skip-link" href="#main-content">' in built  # base.html: still the theme's


def test_an_override_extends_the_theme_template_it_replaces_and_changes_one_block(tmp_path):
    override = ('{% extends "clair/base.html" %}\n'
                '{% block footer %}<p class="our-footer">{{ t("date_modified") }}</p>{% endblock %}\n')
    built = html(site_with(tmp_path, {"base.html": override}))
    assert '<p class="our-footer">Date modified:</p>' in built
    assert '<a class="skip-link" href="#main-content">' in built and "<h1>Plan</h1>" in built


def test_an_overridden_asset_is_published_and_the_other_assets_are_the_themes(tmp_path):
    project = site_with(tmp_path, {"assets/style.css": "body { color: black; }\n", "assets/logo.txt": "x\n"})
    publish(build_site(project, run_checks=False), search_index=False)
    out = tmp_path / "site" / "assets"
    assert (out / "style.css").read_text() == "body { color: black; }\n"
    assert (out / "logo.txt").is_file()
    assert (out / "search.js").read_bytes() == (DEFAULT_TEMPLATES / "assets" / "search.js").read_bytes()


def test_a_sites_messages_replace_the_themes_key_by_key(tmp_path):
    messages = "skip_link: {en: Go to the text, fr: Aller au texte}\n"
    built = html(site_with(tmp_path, {"messages.yaml": messages}))
    assert '<a class="skip-link" href="#main-content">Go to the text</a>' in built
    assert "Date modified" in built  # a key the site does not set: the theme's


def test_an_edit_to_an_override_is_not_hidden_by_the_build_cache(tmp_path):
    project = site_with(tmp_path, {}, cache=True, cache_dir=tmp_path.parent / f"{tmp_path.name}-cache")
    assert "block-vision" in html(project)
    override = tmp_path / "templates" / "blocks" / "vision.html"
    override.parent.mkdir(parents=True)
    override.write_text('<div class="first">{{ content }}</div>\n', encoding="utf-8")
    assert '<div class="first">' in html(project)
    override.write_text('<div class="second">{{ content }}</div>\n', encoding="utf-8")
    assert '<div class="second">' in html(project)


@pytest.mark.parametrize("text, line, says", [
    ('{% extends "clair/base.html" %}\n{% block footer %}\n{{ t("date_modified") }\n{% endblock %}\n', 3,
     "unexpected '}'"),
    ('{% extends "clair/base.html" %}\n{% block footer %}\n{{ our_footer }}\n{% endblock %}\n', 3,
     "`our_footer` is not defined here"),
])
def test_an_error_in_an_override_names_the_override_and_its_line(tmp_path, text, line, says):
    project = site_with(tmp_path, {"base.html": text})
    with pytest.raises(ContentErrors) as raised:
        build_site(project, run_checks=False)
    [error] = raised.value.errors  # reported once, though every page meets it
    assert (Path(error.file), error.line) == (tmp_path / "templates" / "base.html", line)
    assert says in error.message


def test_the_checks_read_the_overrides(tmp_path):
    override = ('{% extends "clair/base.html" %}\n{% block footer %}\n<a href="/en/">{{ t("our_key") }}</a>\n'
                '{% endblock %}\n')
    messages = "our_key: {en: Click here, fr: Cliquez ici}\n"
    project = site_with(tmp_path, {"base.html": override, "messages.yaml": messages})
    findings = {(Path(f.file), f.line, f.check) for f in build_site(project).findings if f.file.endswith(".html")}
    assert findings == {(tmp_path / "templates" / "base.html", 3, "a11y.link-text")}
    (tmp_path / "templates" / "base.html").unlink()
    (tmp_path / "templates" / "messages.yaml").unlink()
    (tmp_path / "templates" / "blocks").mkdir()
    (tmp_path / "templates" / "blocks" / "timeline.html").write_text('<div>\n{{ t("our_key") }}\n</div>\n')
    findings = {(Path(f.file), f.line, f.check) for f in build_site(project).findings if f.file.endswith(".html")}
    assert findings == {(tmp_path / "templates" / "blocks" / "timeline.html", 2, "parity.messages")}


def test_another_generators_templates_folder_is_not_clairs(tmp_path):
    """A Jekyll or Eleventy site may have a templates/ folder of its own kind: it never replaces clair's."""
    project = site_with(tmp_path, {"page.html": "{% raw %}{{ content }}{% endraw %}\n"})
    assert Project.from_options(project.content, project.config, reader="markdown").template_folders == (
        DEFAULT_TEMPLATES,)


def themes_section() -> str:
    return ROOT.joinpath("README.md").read_text(encoding="utf-8").split("\n## Themes", 1)[1].split("\n## ", 1)[0]


def test_the_readmes_example_works(tmp_path):
    example = textwrap.dedent(themes_section().split("```jinja\n", 1)[1].split("```", 1)[0])
    messages = 'feedback: {en: "Tell us what you think", fr: "Dites-nous ce que vous en pensez"}\n'
    built = html(site_with(tmp_path, {"page.html": example, "messages.yaml": messages}))
    assert '<div class="block block-vision">' in built and '<p class="feedback">Tell us what you think</p>' in built


def test_the_readme_names_every_block_of_the_theme():
    """README, "Themes": a block of the default templates that the README does not describe cannot be found."""
    section = themes_section()
    blocks = {name for path in DEFAULT_TEMPLATES.rglob("*.html")
              for name in re.findall(r"{%-?\s*block\s+(\w+)", path.read_text(encoding="utf-8"))}
    assert blocks and {name for name in blocks if f"`{name}`" not in section} == set()


def test_check_renders_the_report_of_a_site_with_its_own_templates(tmp_path, monkeypatch, capsys):
    """`check` makes no report with the theme's templates (it writes nothing, and the theme's report is tested
    here); with a site's own, a mistake in its report must fail the pull request's check, not the publication."""
    import clair.cli
    site_with(tmp_path, {"report.html": '<!doctype html>\n<title>{{ site_title }}</title>\n{{ our_rows }}\n'})
    monkeypatch.chdir(tmp_path)
    assert clair.cli.main(["check", "--no-cache"]) == 2
    output = capsys.readouterr()
    assert "report.html:3" in output.out + output.err and "`our_rows` is not defined here" in output.out + output.err
    shutil.rmtree(tmp_path / "templates")
    reviews = []
    monkeypatch.setattr(clair.render.Renderer, "render_review", lambda self: reviews.append(1) or "")
    assert clair.cli.main(["check", "--no-cache"]) == 0 and reviews == []


def test_check_renders_the_sitemap_of_a_site_with_its_own_templates(tmp_path, monkeypatch, capsys):
    """With the theme's templates, `check` leaves the sitemap unrendered (no check reads it); a site's own
    sitemap template is rendered, so a mistake in it fails the pull request's check."""
    import clair.cli
    site_with(tmp_path, {"sitemap.xml": "<urlset>{% for page in pages %}{{ page.url | nonsense }}{% endfor %}</urlset>\n"})
    monkeypatch.chdir(tmp_path)
    assert clair.cli.main(["check", "--no-cache"]) == 2
    output = capsys.readouterr()
    assert "sitemap.xml" in output.out + output.err
    shutil.rmtree(tmp_path / "templates")
    rendered = []
    template = clair.render.Renderer.template
    monkeypatch.setattr(clair.render.Renderer, "template", lambda self, name: rendered.append(name)
                        or template(self, name))
    assert clair.cli.main(["check", "--no-cache"]) == 0 and "sitemap.xml" not in rendered
    assert clair.cli.main(["build", "--no-cache"]) == 0 and "sitemap.xml" in rendered
    assert "<urlset" in (tmp_path / "site/sitemap.xml").read_text(encoding="utf-8")

