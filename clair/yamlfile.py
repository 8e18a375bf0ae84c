"""Load stage: safe YAML reading that keeps line numbers, so every error can name file and line.

Front matter, site.yaml and data files are written by people, not programs, so there is one small
reader for all of them: the safe loader, no anchors/aliases (they make "billion laughs" bombs), no
`!tags` (they are how `!!python/object` attacks start), keys always read as text, a key set twice is
an error, and nothing larger or nested deeper than its kind of file needs (`Limits`: SETTINGS for
settings blocks and configuration, DATA for data files). Every refusal says, in plain words, what to
change on which line. `load_mapping` reads values with the line of every key; `compose` gives the node
tree, for readers that take each value from its node with its line.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .files import TEXT_FILE_LIMIT, read_regular
from .model import ContentError

try:
    from yaml.cyaml import CParser  # PyYAML's wheels include libyaml
except ImportError:  # built without it: the pure-Python loader reads everything
    CParser = object

MAX_NUMBER_LENGTH = 100  # characters of a whole number (in any base); no setting or data needs more
NULL_TAG = "tag:yaml.org,2002:null"
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # C0 but tab, newline and CR; DEL
C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080 to U+009F: the one lead byte \xc2 and a second byte

KeyLines = dict[str | tuple[str | int, ...], int]  # "title" -> line; ("checks", "readability.grade", "max") -> line


@dataclass(frozen=True)
class Limits:
    """How much one kind of YAML text may hold, and the words its messages use for it."""

    max_nodes: int  # values (single values, lists and groups) in the whole text
    max_depth: int  # lists and groups inside one another
    what: str  # the text, as messages name it: "the settings block"
    key: str  # a key, as messages name it: "a setting's name"
    too_many: str  # the advice after "... holds more than N values; "
    too_deep: str  # the advice after "... is nested more than N levels deep; "


SETTINGS = Limits(  # front matter and configuration: far beyond any real one; real settings use two or three levels
    max_nodes=10_000, max_depth=20, what="the settings block", key="a setting's name",
    too_many="this is far more than settings need", too_deep="settings never need that many groups inside groups")
DATA = Limits(  # data files such as matrices: the sample matrix holds about 5,000 values
    max_nodes=200_000, max_depth=20, what="the data file", key="a key",
    too_many="split the matrix", too_deep="a matrix needs about eight")


class _Refusal(yaml.MarkedYAMLError):
    """A refusal whose wording is already plain; shown as it is, at the line of `mark`."""

    def __init__(self, message: str, mark):
        super().__init__(problem=message, problem_mark=mark)


def _display_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Constructor(yaml.constructor.SafeConstructor):
    """The safe constructor, with keys read as written, repeated keys refused and plain words for bad values."""

    limits = SETTINGS
    first_line = 1

    def construct_mapping(self, node, deep=False):
        """Keys are read as the text written (`no:` stays "no"); a key written twice is an error."""
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        mapping: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refusal(f"{self.limits.key} must be a single word before the `:`, not a list or group",
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
        """A whole number, in any of YAML's ways (1500, 0x5DC, 0b..., 0o..., 25:00); one longer than
        MAX_NUMBER_LENGTH is refused unread: Python refuses to show one of over 4,300 digits, and reading
        a long 1:2:3:... takes minutes."""
        if len(node.value) > MAX_NUMBER_LENGTH:
            raise _Refusal("this number is far too long; write a shorter number", node.start_mark)
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              _Constructor, yaml.resolver.Resolver):
    """The careful (pure-Python) safe loader: refuses anchors' aliases, explicit tags, more values or deeper
    nesting than its `limits` allow and repeated keys, each with a plain message at its line."""

    def __init__(self, stream, limits: Limits = SETTINGS, first_line: int = 1):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.limits, self.first_line = limits, first_line
        self._nodes = self._depth = 0

    def compose_node(self, parent, index):
        event, limits = self.peek_event(), self.limits
        if isinstance(event, yaml.AliasEvent):
            raise _Refusal(f"{limits.what} repeats a value with a YAML alias (*name); "
                           "write the value out in full instead", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refusal(f"{limits.what} uses a YAML tag (`{_display_tag(tag)}`); tags are not allowed: "
                           "remove it and write the plain value", event.start_mark)
        self._nodes += 1
        self._depth += 1
        try:
            if self._nodes > limits.max_nodes:
                raise _Refusal(f"{limits.what} holds more than {limits.max_nodes:,} values; {limits.too_many}",
                               event.start_mark)
            if self._depth > limits.max_depth:
                raise _Refusal(f"{limits.what} is nested more than {limits.max_depth} levels deep; "
                               f"{limits.too_deep}", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _FastLoader(CParser, _Constructor, yaml.resolver.Resolver):
    """The same reading through libyaml (C), for texts `_plain_events` has cleared."""

    def __init__(self, stream, limits: Limits = SETTINGS, first_line: int = 1):
        CParser.__init__(self, stream)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.limits, self.first_line = limits, first_line


def _plain_events(text: str, limits: Limits) -> bool:
    """No alias, no explicit tag, not too many values nor too deep: what _Loader.compose_node refuses."""
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
            if nodes > limits.max_nodes or depth >= limits.max_depth:
                return False
        return True
    finally:
        parser.dispose()


def _fast_load(text: str, limits: Limits = SETTINGS, first_line: int = 1):
    """(node, data) read by libyaml, or None for anything unusual: the careful loader then reads it again
    and explains the problem. libyaml makes loading thousands of pages several times faster."""
    if CParser is object:
        return None
    try:
        return _read_with(_FastLoader, text, limits, first_line) if _plain_events(text, limits) else None
    except Exception:  # any problem at all: the careful loader reports it in plain words
        return None


def _careful_load(text: str, limits: Limits = SETTINGS, first_line: int = 1, construct: bool = True):
    """(node, data) read by the pure-Python loader, which says what is wrong in plain words."""
    return _read_with(_Loader, text, limits, first_line, construct)


def _read_with(loader_class, text: str, limits: Limits, first_line: int, construct: bool = True):
    """(node, data): the document's node tree (None when empty) and its value ({} when empty), or None
    for the value when only the tree is wanted."""
    loader = loader_class(text, limits, first_line)
    try:
        node = loader.get_single_node()
        _refuse_control_characters(node, limits)
        if not construct:
            return node, None
        return node, (loader.construct_document(node) if node is not None else {})
    finally:
        loader.dispose()


def _refuse_control_characters(node: yaml.Node | None, limits: Limits) -> None:
    """A value or key holding a control character (but tab and newline) that a backslash code in double
    quotation marks wrote ("\\0", "\\e", "\\x1b"): it would reach the pages' HTML and the terminal.
    The reader refuses such characters typed as they are."""
    nodes = [node] if node is not None else []
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.ScalarNode):
            found = CONTROL_CHARACTER.search(node.value)
            if found:
                raise _Refusal(f"{limits.what} has an invisible control character (U+{ord(found.group()):04X}) "
                               "written with a backslash code in quotation marks; delete the code", node.start_mark)
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(part for pair in reversed(node.value) for part in reversed(pair))
        else:
            nodes.extend(reversed(node.value))  # the first in the file is found first


_READ_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)


def compose(text: str, file: str, limits: Limits = DATA, first_line: int = 1) -> yaml.Node | None:
    """The node tree of a YAML text (None when it holds nothing), for readers that take every value from its
    node with its line: a node's file line is first_line + node.start_mark.line.

    Refuses aliases, tags, more values or deeper nesting than `limits` allow, and text that is not YAML,
    raising ContentError(file, line, plain message); a problem of the whole text has no line. Keys are not
    checked here: the reader of the tree says which keys belong, and that none is written twice.
    It reads with the careful loader only: libyaml lets through some tabs the careful loader refuses
    (load_mapping's fast path accepts them), and a file read once per build gains little from speed.
    """
    try:
        node, _ = _careful_load(text, limits, first_line, construct=False)
    except _READ_ERRORS as err:
        raise _plain_error(err, text, file, limits, first_line, None) from None
    return node


def load_mapping(text: str, file: str, first_line: int = 1, text_keys: tuple[str, ...] = (),
                 limits: Limits = SETTINGS) -> tuple[dict[str, Any], KeyLines]:
    """Parse YAML that must be a mapping; return it with the file line of every key.

    A top-level key is named as written ("title"), a key inside a group by its path, with the index of
    each list item on the way: ("checks", "readability.grade", "max"), ("authors", 0, "name").
    Values of `text_keys` are kept as the text written when YAML would read them as something else:
    `title: No` stays "No" (not false), `slug: 2018` stays "2018" (not a number).
    """
    try:
        node, data = _fast_load(text, limits, first_line) or _careful_load(text, limits, first_line)
    except _READ_ERRORS as err:
        raise _plain_error(err, text, file, limits, first_line, first_line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            file, first_line, f"{limits.what} must be made of `key: value` lines (such as `title: My page`), "
                              "not a single value or a list of items"
        )
    key_lines: KeyLines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if (key in text_keys and isinstance(value_node, yaml.ScalarNode) and value_node.tag != NULL_TAG
                    and not isinstance(data.get(key), str)):
                data[key] = value_node.value
        for path, key_node in _keys(node, ()):
            key_lines[path[0] if len(path) == 1 else path] = first_line + key_node.start_mark.line
    return data, key_lines


def _keys(node: yaml.Node, path: tuple) -> Iterator[tuple[tuple, yaml.Node]]:
    """(path, key node) of every key of a node tree in file order, groups inside lists included."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            yield key_path, key_node
            yield from _keys(value_node, key_path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _keys(item, (*path, index))


def _plain_error(err: Exception, text: str, file: str, limits: Limits, first_line: int,
                 unplaced: int | None) -> ContentError:
    """What reading a YAML text raised, as a ContentError in plain words at the line to change;
    a problem with no line of its own is reported at `unplaced`."""
    if isinstance(err, _Refusal):
        return ContentError(file, _line(err, first_line, unplaced), err.problem)
    if isinstance(err, yaml.MarkedYAMLError):
        return ContentError(file, _line(err, first_line, unplaced),
                            f"{limits.what} is not valid YAML: {_plain(err, limits)}")
    if isinstance(err, yaml.reader.ReaderError):
        line = first_line + text[: err.position].count("\n")
        return ContentError(file, line, f"{limits.what} contains an invisible control character "
                                        f"(U+{err.character:04X}); delete it")
    if isinstance(err, yaml.YAMLError):
        return ContentError(file, unplaced, f"{limits.what} is not valid YAML; check its quotation marks, "
                                            "colons and indentation")
    return ContentError(file, unplaced, f"a value in {limits.what} could not be read; check its dates, numbers "
                                        "and quotation marks")


def _line(err: yaml.MarkedYAMLError, first_line: int, unplaced: int | None) -> int | None:
    mark = err.problem_mark or err.context_mark
    return first_line + mark.line if mark else unplaced


def read_text_file(path: Path, what: str = "file", limit: int = TEXT_FILE_LIMIT, data: bytes | None = None) -> str:
    """Decode UTF-8 (with or without BOM), unify line endings (CRLF, CR) and accents (NFC); only a regular
    file is read (clair/files.py), and UTF-16 is named as such. `data`: the file's bytes, when the caller
    has read them already (the run's hash does, clair/replay.py)."""
    if data is None or len(data) > limit:
        data = read_bytes(path, what, limit)
    return decoded_text(path, what, data)


def read_bytes(path: Path, what: str, limit: int) -> bytes:
    """A regular file's bytes; ContentError when it is larger than `limit` or cannot be read."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ContentError(path, None, f"the {what} is too large ({size / 1_000_000:.1f} MB; the limit is "
                                           f"{limit // 1_000_000} MB); split it into smaller files")
        return read_regular(path)
    except OSError as err:
        raise ContentError(path, None, f"the {what} cannot be read ({err.strerror or 'unknown reason'}); "
                                       "check that it exists and that you may read it") from None


def decoded_text(path: Path, what: str, data: bytes) -> str:
    """The text of a file's bytes (see read_text_file); ContentError for bytes that are not UTF-8 text."""
    if _is_utf16(data):
        raise ContentError(path, None, f"the {what} is saved as UTF-16; open it in your editor and save it with "
                                       "the encoding UTF-8")
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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def may_hold_control_characters(data: bytes) -> bool:
    """False when the text of UTF-8 `data` (decoded, CRs made newlines, NFC) has nothing CONTROL_CHARACTER finds:
    no byte of C0 but tab, newline and CR, nor DEL, nor a C1 character. Several times faster than searching
    the text, which only pages that may hold one need."""
    return len(data.translate(None, CONTROL_BYTES)) != len(data) or C1_IN_UTF8.search(data) is not None


def _is_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or text with a zero in every other byte (letters of Western languages)."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return True
    sample = data[:4096]
    if b"\0" not in sample:  # most files, told at once
        return False
    pairs = len(sample) // 2
    zeros = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    return pairs > 0 and zeros[1] > pairs // 2 and zeros[0] * 10 < pairs


PLAIN_PROBLEMS = (  # YAML's wording -> what a writer should do; {what} and {key}: the words of the text's Limits
    ("found unexpected end of stream", "a quotation mark is opened but never closed"),
    ("could not find expected ':'", "a line is missing the `:` between {key} and its value"),
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
    ("expected a single document", "{what} contains a second block (a line `...` or `---`); remove it"),
    ("expected <block end>", "this line does not line up with the lines around it; check its indentation"),
    ("did not find expected key", "this line does not line up with the lines around it; check its indentation"),
    ("did not find expected '-' indicator", "the items of a list must line up, each starting with `- `"),
    ("expected chomping or indentation indicators", "a value starting with | or > must be in quotation marks"),
    ("found undefined tag handle", "a value starting with ! must be in quotation marks"),
    ("while scanning a directive", "a line starting with % must be in quotation marks"),
)
UNREADABLE_LINE = ("this line is not a `key: value` line that can be read; check its quotation marks, colons and "
                   "indentation")


def _plain(err: yaml.MarkedYAMLError, limits: Limits) -> str:
    """Turn YAML's parser wording into what the writer should fix."""
    wording = f"{err.context or ''} {err.problem or ''}"
    for fragment, plain in PLAIN_PROBLEMS:
        if fragment in wording:
            return plain.replace("{what}", limits.what).replace("{key}", limits.key)
    return UNREADABLE_LINE
