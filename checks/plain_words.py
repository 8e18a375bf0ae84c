"""Check stage, plain words: point at stiff words and phrases that have an everyday equivalent, and name it.

One rule per language, so each language has its own severity and word lists:

- `plain-words.en`: English pages, phrases from checks/data/plain_words_en.yaml.
- `plain-words.fr`: French pages, phrases from checks/data/plain_words_fr.yaml.

Options (both rules):

- `severity` (default `warning`): a listed phrase is usually, not always, the wrong choice
  (a law's title may need it), so it does not stop the build unless a team says so.
- `extra_files` (default `[]`): more YAML files of `phrase: suggestion` lines, with paths relative
  to the folder of the site configuration file. Their entries add to the built-in list and win
  over it for the same phrase. Only the configuration may set it (a page cannot name files for
  clair to read), and each file must be inside that folder (checks/settings.py).

A suggestion is a word or a list of words (`au niveau de: [pour, dans, à]`). Phrases match whole
words in the prose (paragraphs and list items) in any letter case, with accents composed or
decomposed, any spacing (the non-breaking spaces of French typography included) and straight or
curly apostrophes. Each hit is reported at its line and column in the Markdown file.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from clair.model import LANGUAGES, ContentError, Page
from clair.yamlfile import load_mapping, read_text_file

from .prose import Prose, prose
from .settings import file_names, rule

DATA = Path(__file__).parent / "data"
RULES = tuple(rule(f"plain-words.{lang}", "warning", extra_files=file_names([])) for lang in LANGUAGES)


def run(site, files, settings):
    """One finding for every listed phrase in the prose of every page."""
    for page in site.pages:
        rule_id = f"plain-words.{page.lang}"
        extra = team_files(site, page.lang)
        words = word_list(page.lang, extra, versions(extra))
        for block in prose(page):
            for match in words.finditer(block.text):
                line, column = source_position(page, block, match.start(), words.pattern)
                written = " ".join(match.group(0).split())
                yield settings.finding(page, rule_id, line, f"Use {_choices(words.suggestions[_key(written)])} "
                                       f"instead of “{written}”.", column=column)


def files_read(site) -> list[Path]:
    """The team's word lists the configuration names (for the build cache's key): what `run` reads."""
    return sorted({path for lang in LANGUAGES for path in team_files(site, lang)})


def team_files(site, lang: str) -> tuple[Path, ...]:
    """The team's word lists for one language, as the configuration names them (settings.py has checked
    them: pages cannot name files, and each is a regular file inside the project folder)."""
    options = (site.config.checks or {}).get(f"plain-words.{lang}")
    names = options.get("extra_files", []) if isinstance(options, dict) else []
    return tuple(site.project.root / name for name in names)


def versions(extra_files: tuple[Path, ...]) -> tuple:
    """Size and modification time of each of the team's files: an edited list is read again (`serve`)."""
    found = []
    for path in extra_files:
        try:
            stat = path.stat()
            found.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            found.append(None)
    return tuple(found)


class WordList(NamedTuple):
    """A language's phrases: the regex that matches them, their suggestions, and a regex that finds them faster.

    `pattern` tries the phrases one by one, longest first, at every word; `finder` shares the phrases' common
    beginnings (`in order to` and `in light of` start as one), so it rejects a word after a letter or two. It
    matches exactly where `pattern` does, which then says what it matches there (the longest phrase)."""

    pattern: re.Pattern
    suggestions: dict[str, list[str]]
    finder: re.Pattern

    def finditer(self, text: str) -> Iterator[re.Match]:
        """`pattern.finditer(text)`, each match searched for with `finder`."""
        position = 0
        while (found := self.finder.search(text, position)) is not None:
            match = self.pattern.match(text, found.start())
            yield match
            position = match.end()


@functools.lru_cache(maxsize=16)
def word_list(lang: str, extra_files: tuple[Path, ...], versions: tuple = ()) -> WordList:
    """The matchers and suggestions for a language: built-in list, then the team's files; built once per
    version of the files (`versions` is only part of the cache key)."""
    suggestions: dict[str, list[str]] = {}
    for path in [DATA / f"plain_words_{lang}.yaml", *extra_files]:
        entries, lines = load_mapping(read_text_file(path, "word list"), str(path))
        for phrase, suggestion in entries.items():
            words = suggestion if isinstance(suggestion, list) else [suggestion]
            if not isinstance(phrase, str) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise ContentError(str(path), lines.get(phrase),
                                   f"`{phrase}` needs a word, or a list of words, to use instead")
            suggestions[_key(phrase)] = words
    phrases = [_phrase_parts(phrase) for phrase in sorted(suggestions, key=len, reverse=True)]
    alternatives = "|".join("".join(parts) for parts in phrases)
    return WordList(re.compile(f"(?<![\\w-])(?:{alternatives})", re.IGNORECASE), suggestions,
                    re.compile(f"(?<![\\w-]){_shared_beginnings(phrases)}", re.IGNORECASE))


def _choices(words: list[str]) -> str:
    """“a”, “b” or “c”: the suggestions as a writer reads them."""
    quoted = [f"“{word}”" for word in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _key(text: str) -> str:
    """One spelling for a phrase however it was typed, to find its suggestion."""
    return " ".join(unicodedata.normalize("NFC", text).replace("’", "'").casefold().split())


def _phrase_parts(phrase: str) -> list[str]:
    """A phrase as a regex, one part per character: any spacing, either apostrophe, accents composed or not,
    ending at a word's end."""
    parts = []
    for char in phrase:
        decomposed = unicodedata.normalize("NFD", char)
        if char == " ":
            parts.append(r"\s+")
        elif char == "'":
            parts.append("['’]")
        elif decomposed != char:
            parts.append(f"(?:{re.escape(char)}|{re.escape(decomposed)})")
        else:
            parts.append(re.escape(char))
    return parts + [r"(?![\w-])"] if phrase[-1].isalnum() else parts


def _shared_beginnings(phrases: list[list[str]]) -> str:
    """One regex matching what any of the phrases (each a list of regex parts) matches, phrases that begin
    alike sharing those parts: `a(?:b|c)` for `ab|ac`, a tree of alternatives."""
    following: dict[str, list[list[str]]] = {}
    for parts in phrases:
        if parts:
            following.setdefault(parts[0], []).append(parts[1:])
    alternatives = [first + _shared_beginnings(rest) for first, rest in following.items()]
    if any(not parts for parts in phrases):
        alternatives.append("")
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def source_position(page: Page, block: Prose, start: int, pattern: re.Pattern) -> tuple[int, int]:
    """File line and 1-based column of the match at `start`, found again in the Markdown line itself
    because markup and list markers make plain-text offsets drift; plain-text column if not found.

    n·log n for a block's many matches: each line's matches and the body's lines are found once
    (cached) and searched with bisect, not again for every match.
    """
    index = bisect.bisect_right(block.line_starts, start) - 1
    line_start = block.line_starts[index]
    line_end = block.line_starts[index + 1] if index + 1 < len(block.line_starts) else len(block.text)
    before = bisect.bisect_left(match_starts(pattern, block.text, line_start, line_end), start)  # a line starts
    source_lines = body_lines(page.body)  # after a space, so matching from line_start reads as matching the line
    line = block.line_at(start)
    source = source_lines[line - page.body_line] if 0 <= line - page.body_line < len(source_lines) else ""
    found = match_starts(pattern, source, 0, len(source))
    return line, (found[before] if before < len(found) else start - line_start) + 1


@functools.lru_cache(maxsize=64)
def match_starts(pattern: re.Pattern, text: str, start: int, end: int) -> list[int]:
    """Where `pattern` matches in text[start:end], as offsets in `text` (a text's hash is kept with it)."""
    return [match.start() for match in pattern.finditer(text, start, end)]


@functools.lru_cache(maxsize=8)
def body_lines(body: str) -> list[str]:
    return body.splitlines()
