"""Load stage, other generators: template syntax in their pages (Hugo shortcodes, Liquid, Nunjucks, VuePress containers, kramdown
attribute lists), blanked out of the text the checks read.

Every tag is replaced by spaces of its own length and its newlines are kept (an expression `{{ x }}` keeps its
braces), so each character left stays on its own line and column: a finding still names the team's file at the
team's line. Tags whose body is code or a
comment (`{% highlight %}…{% endhighlight %}`, `{{< highlight >}}`, `{% raw %}`, `{% comment %}`, `{{/* */}}`) are
blanked with their body; other paired tags keep their body, which is prose (`{{% notice %}}Text{{% /notice %}}`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Paired tags whose body is code, markup shown as an example, or a comment (`examplesPreview`, `codeblock`).
CODE_BODY = r"\w*(?:highlight|raw|comment|code|mermaid|example|preview|demo|playground)\w*"
PAIRED_CODE = re.compile(
    r"\{%-?\s*(?P<l>" + CODE_BODY + r")\b.*?%\}.*?\{%-?\s*end(?P=l)\s*-?%\}"
    r"|\{\{[<%]\s*(?P<h>" + CODE_BODY + r")\b.*?[>%]\}\}.*?\{\{[<%]\s*/(?P=h)\s*[>%]\}\}"
    r"|\{\{/\*.*?\*/\}\}",
    re.DOTALL | re.IGNORECASE)
# Expressions that print the site's base path, which a link written for the generator starts with.
BASE_PATH = re.compile(r"""\{\{-?\s*(?:site\.url\s*-?\}\}\{\{-?\s*)?(?:site\.baseurl|\.Site\.BaseURL|site\.pathPrefix)\s*-?\}\}""")
URL_FILTER = re.compile(r"""\{\{-?\s*['"]([^'"{}]*)['"]\s*\|\s*(?:relative_url|absolute_url|url|relURL|absURL)\s*-?\}\}""")
TAGS = (
    ("Hugo shortcode", re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}", re.DOTALL)),
    ("Liquid or Nunjucks tag", re.compile(r"\{%.*?%\}", re.DOTALL)),
    ("Liquid or Nunjucks comment", re.compile(r"\{#.*?#\}", re.DOTALL)),
    ("template expression", re.compile(r"\{\{.*?\}\}", re.DOTALL)),
    ("kramdown attribute list", re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$|\{:[^}\n]*\}", re.MULTILINE)),
    ("container marker", re.compile(r"^[ \t]*:::.*$", re.MULTILINE)),
)


@dataclass(frozen=True)
class Tag:
    """One template tag taken out of a page: what it was and where (its line in the text it was taken from)."""

    kind: str
    line: int  # 0-based, in the text given
    text: str


@dataclass
class Blanked:
    """A page's text with its template syntax taken out, and the tags taken out (for the import summary)."""

    text: str
    tags: list[Tag] = field(default_factory=list)


def blank(match: re.Match) -> str:
    """Spaces for every character but newlines: the text around the tag keeps its lines and columns. An expression
    (`{{ page.title }}`) keeps its braces, so a link whose text or address it fills is still known to be made by
    the template (not empty, not an address with spaces in it: the link checks leave it alone)."""
    text = match.group()
    if text.startswith("{{") and text.endswith("}}") and text[2:3] not in "<%/" and len(text) >= 4:
        return "{{" + re.sub(r"[^\n]", " ", text[2:-2]) + "}}"
    return re.sub(r"[^\n]", " ", text)


def cut(match: re.Match) -> str:
    """Only the tag's newlines: the text keeps its lines (an import writes the page without the tag)."""
    return "\n" * match.group().count("\n")


def blank_templates(text: str, containers: bool = True, base_path: str = "", keep_columns: bool = True) -> Blanked:
    """The text with every template tag replaced by spaces (`keep_columns`; else taken out, lines kept);
    `containers`: VuePress/markdown-it `:::` markers too (clair's own pages use `:::` for building blocks, so its
    own reader never blanks them). An expression that prints the site's base path (`{{ site.baseurl }}`,
    `{{ '/x' | relative_url }}`) becomes that path, so the link it starts leads where the generator makes it lead
    (that line's later columns move; its line does not)."""
    tags: list[Tag] = []
    text = BASE_PATH.sub(lambda found: base_path, text)
    text = URL_FILTER.sub(lambda found: base_path + found.group(1), text)
    replacement = blank if keep_columns else cut

    def record(kind: str):
        def replace(match: re.Match) -> str:
            tags.append(Tag(kind, match.string.count("\n", 0, match.start()), match.group().strip()))
            return replacement(match)
        return replace

    text = PAIRED_CODE.sub(record("template code or comment"), text)
    for kind, pattern in TAGS:
        if kind == "container marker" and not containers:
            continue
        text = pattern.sub(record(kind), text)
    return Blanked(text, sorted(tags, key=lambda tag: tag.line))
