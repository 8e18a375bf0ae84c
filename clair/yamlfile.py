"""Safe YAML reading that keeps line numbers, so every error can name file and line.

Front matter and site.yaml are written by people, not programs, so the loader is deliberately small:
the safe loader, no anchors/aliases (they make "billion laughs" bombs), no `!tags` (they are how
`!!python/object` attacks start), setting names always read as text, a key set twice is an error,
and nothing nested deeper than a person would ever write. Every refusal says, in plain words, what
to change on which line.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

from .model import ContentError

try:
    from yaml.cyaml import CParser  # PyYAML's wheels include libyaml
except ImportError:  # built without it: the pure-Python loader reads everything
    CParser = object

MAX_YAML_NODES = 10_000  # far beyond any real front matter or configuration
MAX_YAML_DEPTH = 20  # groups inside groups; real settings use two or three levels
TEXT_FILE_LIMIT = 2_000_000  # bytes; a page or configuration file larger than this is a mistake


class _Refusal(yaml.MarkedYAMLError):
    """A refusal whose wording is already plain; shown as it is, at the line of `mark`."""

    def __init__(self, message: str, mark):
        super().__init__(problem=message, problem_mark=mark)


def _display_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Constructor(yaml.constructor.SafeConstructor):
    """The safe constructor, with keys read as written, repeated keys refused and plain words for bad values."""

    first_line = 1

    def construct_mapping(self, node, deep=False):
        """Keys are read as the text written (`no:` stays "no"); a key written twice is an error."""
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        mapping: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refusal("a setting's name must be a single word before the `:`, not a list or group",
                               key_node.start_mark)
            key = key_node.value
            if key in first_seen:
                raise _Refusal(f"`{key}` is set twice (also on line {first_seen[key]}); keep only one of them",
                               key_node.start_mark)
            first_seen[key] = self.first_line + key_node.start_mark.line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _Refusal(f"`{node.value}` is not valid: there is no such date; write dates as YYYY-MM-DD, "
                           "for example 2026-11-24", node.start_mark) from None

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _Refusal("this number is far too long; write a shorter number", node.start_mark) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
NULL_TAG = "tag:yaml.org,2002:null"


class _NoAliasLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                     _Constructor, yaml.resolver.Resolver):
    """The pure-Python safe loader that refuses anchors' aliases, explicit tags, deep nesting and repeated keys,
    each with a plain message at its line."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refusal("the settings block repeats a value with a YAML alias (*name); "
                           "write the value out in full instead", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refusal(f"the settings block uses a YAML tag (`{_display_tag(tag)}`); tags are not allowed: "
                           "remove it and write the plain value", event.start_mark)
        self._nodes = getattr(self, "_nodes", 0) + 1
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._nodes > MAX_YAML_NODES:
                raise _Refusal(f"the settings block holds more than {MAX_YAML_NODES:,} values; "
                               "this is far more than settings need", event.start_mark)
            if self._depth > MAX_YAML_DEPTH:
                raise _Refusal(f"the settings block is nested more than {MAX_YAML_DEPTH} levels deep; "
                               "settings never need that many groups inside groups", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _FastLoader(CParser, _Constructor, yaml.resolver.Resolver):
    """The same reading through libyaml (C), for settings blocks `_plain_events` has cleared."""

    def __init__(self, stream):
        CParser.__init__(self, stream)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def _plain_events(text: str) -> bool:
    """No alias, no explicit tag, not too many values nor too deep: what _NoAliasLoader.compose_node refuses."""
    parser = CParser(text)
    try:
        nodes = depth = 0
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "tag", None) not in (None, "!"):
                return False
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                nodes += 1
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if nodes > MAX_YAML_NODES or depth >= MAX_YAML_DEPTH:
                return False
        return True
    finally:
        parser.dispose()


def _fast_load(text: str, first_line: int):
    """(node, data) read by libyaml, or None for anything unusual: the careful loader then reads it again
    and explains the problem. libyaml makes loading thousands of pages several times faster."""
    if CParser is object:
        return None
    try:
        return _read_with(_FastLoader, text, first_line) if _plain_events(text) else None
    except Exception:  # any problem at all: the careful loader reports it in plain words
        return None


def load_mapping(text: str, file: str, first_line: int = 1,
                 text_keys: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML that must be a mapping; return it with the file line of each top-level key.

    Values of `text_keys` are kept as the text written when YAML would read them as something else:
    `title: No` stays "No" (not false), `slug: 2018` stays "2018" (not a number).
    """
    try:
        node, data = _fast_load(text, first_line) or _careful_load(text, first_line)
    except _Refusal as err:
        raise ContentError(file, _line(err, first_line), err.problem) from None
    except yaml.MarkedYAMLError as err:
        raise ContentError(file, _line(err, first_line),
                           f"the settings block is not valid YAML: {_plain(err)}") from None
    except yaml.reader.ReaderError as err:
        line = first_line + text[: err.position].count("\n")
        raise ContentError(file, line, f"the settings block contains an invisible control character "
                                       f"(U+{err.character:04X}); delete it") from None
    except yaml.YAMLError:
        raise ContentError(file, first_line, "the settings block is not valid YAML; check its quotation marks, "
                                             "colons and indentation") from None
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise ContentError(file, first_line, "a value in the settings block could not be read; check its "
                                             "dates, numbers and quotation marks") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            file, first_line, "the settings block must be made of `key: value` lines (such as `title: My page`), "
                              "not a single value or a list of items"
        )
    key_lines = {}
    if node is not None and isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            key_lines[key] = first_line + key_node.start_mark.line
            if (key in text_keys and isinstance(value_node, yaml.ScalarNode) and value_node.tag != NULL_TAG
                    and not isinstance(data.get(key), str)):
                data[key] = value_node.value
    return data, key_lines


def _careful_load(text: str, first_line: int):
    """(node, data) read by the pure-Python loader, which says what is wrong in plain words."""
    return _read_with(_NoAliasLoader, text, first_line)


def _read_with(loader_class, text: str, first_line: int):
    """(node, data): the document's node tree (for key lines) and its value."""
    loader = loader_class(text)
    loader.first_line = first_line
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else {})
    finally:
        loader.dispose()


def _line(err: yaml.MarkedYAMLError, first_line: int) -> int:
    mark = err.problem_mark or err.context_mark
    return first_line + mark.line if mark else first_line


def read_text_file(path: Path, what: str = "file", limit: int = TEXT_FILE_LIMIT) -> str:
    """Decode UTF-8 (with or without BOM), unify line endings (CRLF, CR) and accents (NFC)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ContentError(path, None, f"the {what} is too large ({size / 1_000_000:.1f} MB; the limit is "
                                           f"{limit // 1_000_000} MB); split it into smaller files")
        data = path.read_bytes()
    except OSError as err:
        raise ContentError(path, None, f"the {what} cannot be read ({err.strerror or 'unknown reason'}); "
                                       "check that it exists and that you may read it") from None
    if b"\0" in data:
        raise ContentError(path, None, f"this is not a text file (it looks like a picture or a program); "
                                       f"only text may be saved in a {what} ending in {path.suffix or 'this name'}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ContentError(
            path, line,
            "the file is not saved as UTF-8 (accents such as é or curly quotes on this line are stored another "
            "way, often Latin-1 or Windows-1252); open it in your editor and save it with the encoding UTF-8",
        ) from None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


PLAIN_PROBLEMS = (  # YAML's wording -> what a writer should do
    ("found unexpected end of stream", "a quotation mark is opened but never closed"),
    ("could not find expected ':'", "a line is missing the `:` between a setting's name and its value"),
    ("found character '\\t'", "a line is indented with a tab; indent with spaces, not tabs"),
    ("found a tab character", "a line is indented with a tab; indent with spaces, not tabs"),
    ("cannot start any token", "a value starts with a character YAML reserves (such as @, ` or %); "
                               "put the whole value in quotation marks"),
    ("mapping values are not allowed here", "a value contains `: `; put the whole value in quotation marks"),
    ("but got '<stream end>'", "a list or group opened with [ or { is never closed"),
    ("expected ',' or ']'", "a list opened with [ is not closed properly; put values with commas in quotation marks"),
    ("expected ',' or '}'", "a group opened with { is not closed properly; put values with commas in quotation marks"),
    ("found unknown escape character", "a backslash \\ inside double quotation marks starts a special code; "
                                       "use single quotation marks instead"),
    ("expected alphabetic or numeric character", "a value starting with & or * must be in quotation marks"),
    ("expected a single document", "the settings block contains a second block (a line `...` or `---`); remove it"),
    ("expected <block end>", "this line does not line up with the lines around it; check its indentation"),
    ("did not find expected key", "this line does not line up with the lines around it; check its indentation"),
    ("did not find expected '-' indicator", "the items of a list must line up, each starting with `- `"),
    ("expected chomping or indentation indicators", "a value starting with | or > must be in quotation marks"),
    ("found undefined tag handle", "a value starting with ! must be in quotation marks"),
    ("while scanning a directive", "a line starting with % must be in quotation marks"),
)


def _plain(err: yaml.MarkedYAMLError) -> str:
    """Turn YAML's parser wording into what the writer should fix."""
    wording = f"{err.context or ''} {err.problem or ''}"
    for fragment, plain in PLAIN_PROBLEMS:
        if fragment in wording:
            return plain
    return "this line is not a `key: value` line that can be read; check its quotation marks, colons and indentation"
