"""Render stage: a template's mistakes as errors at the template's own file and line, never a traceback.

Templates belong to the site's maintainers (docs/security.md), but a maintainer still deserves to be told
where to fix one: a syntax error, an undefined name, a missing include or a template that includes itself
is reported at the template line jinja's rewritten traceback points to, once for the whole build.
"""
from __future__ import annotations

import collections
import os
import re
import traceback
from collections.abc import Iterable
from pathlib import Path

import jinja2

from .model import ContentError
from .project import Project, shown

UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined|has no attribute '(?P<attribute>[^']+)'")
TEMPLATE_ID = re.compile(r'\sid="([^"{}]+)"')  # a fixed id in a template (not one filled in, `id="{{ x }}"`)


class Template:
    """A loaded template whose errors while it renders (an undefined name, a missing include, a template that
    includes itself) are a ContentError at the template's file and line, found in the traceback jinja
    rewrites to show template lines: a maintainer sees where to fix it, never a traceback. Every page
    meets the same error; the pipeline reports it once."""

    def __init__(self, template: jinja2.Template, project: Project):
        self.template, self.project = template, project

    def render(self, *args, **kwargs) -> str:
        try:
            return self.template.render(*args, **kwargs)
        except ContentError:
            raise
        except jinja2.TemplateSyntaxError as err:  # in a template it includes, loaded only now
            raise syntax_error(err, self.project, self.template.name) from None
        except Exception as err:
            lines = template_lines(err, self.project) or [(self.project.template_file(self.template.name), None)]
            if isinstance(err, RecursionError):
                lines = loop(lines)
            raise ContentError(*lines[-1], f"template error: {runtime_message(err, lines)}") from None


def syntax_error(err: jinja2.TemplateSyntaxError, project: Project, name: str) -> ContentError:
    """At the file jinja read (a site's own template or the theme's), else at the template the name leads to."""
    where = shown(Path(err.filename)) if err.filename else project.template_file(err.name or name)
    return ContentError(where, err.lineno, f"template error: {err.message}")


def template_lines(err: Exception, project: Project) -> list[tuple[str, int]]:
    """The template lines in the error's traceback, outermost first (jinja gives its frames the template's file:
    a site's own or the theme's)."""
    folders = tuple(os.path.abspath(folder) + os.sep for folder in project.template_folders)
    return [(shown(Path(path)), frame.lineno) for frame in traceback.extract_tb(err.__traceback__)
            if (path := os.path.abspath(frame.filename)).startswith(folders)]


def loop(lines: list) -> list:
    """The lines a template that never finishes goes round (those met most often, the last round may be cut
    short), in the order first met: its include or call comes last."""
    counts = collections.Counter(lines)
    most = max(counts.values())
    return [line for line in dict.fromkeys(lines) if counts[line] >= most - 1] if most > 2 else lines


def runtime_message(err: Exception, lines: list[tuple[str, int | None]]) -> str:
    """What went wrong, in a maintainer's words rather than Python's (`lines`: where, outermost first)."""
    if isinstance(err, RecursionError):
        return (f"this template never finishes: an `include`, `extends` or macro call leads back to itself "
                f"(it goes round {', '.join(f'{file}:{line}' for file, line in lines)}); break the loop")
    if isinstance(err, jinja2.TemplateNotFound):
        return f"the template `{err.name}` used here does not exist; check its name"
    text = str(err.args[0]) if err.args else type(err).__name__
    if isinstance(err, jinja2.UndefinedError):
        found = UNDEFINED.search(text)
        if found:
            name = found["name"] or found["attribute"]
            return f"`{name}` is not defined here; check its spelling, or that this template is given it"
    return text


def template_ids(templates: Iterable[Path]) -> dict[str, str]:
    """The fixed ids the templates give elements (`main-content`, `search-query`...), each with its template."""
    found: dict[str, str] = {}
    for path in templates:
        for value in TEMPLATE_ID.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(value, shown(path))
    return found
