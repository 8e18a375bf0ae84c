"""Build cache for the load stage: settings blocks (front matter) parsed by an earlier build, found by their text.

Parsing YAML is most of what loading a large site costs, and an edit rarely touches more than one or
two settings blocks. What `load_mapping` makes of a text depends only on that text, on how it is read
(first line, keys kept as text, limits), on clair's code and on PyYAML and libyaml: the entry is named
after the code and libraries, and inside it each block is found by the hash of its text and of how it
was read. Keys are made of content only, never of paths, so a cache made in one checkout serves another.

Only blocks read without a mistake are kept: a block with one is parsed in every build, so its error
names file and line as always. Values are stored with their kind written out (a date stays a date, a
time keeps its time zone, `title: No` stays text), and `decoded` refuses anything the safe loader
does not make: a damaged or planted block is parsed again, never trusted.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
from typing import Any

import yaml

from .cache import BuildCache, code_version
from .shape import Damaged, Shape
from .yamlfile import CONTROL_CHARACTER, SETTINGS, KeyLines, Limits, load_mapping

FORMAT = b"clair-yaml-1"
ENTRY = Shape({str: (dict, list)})  # block's hash -> [its values, the lines of its keys]
SCALARS = frozenset({str, int, float, bool, type(None)})  # kept by JSON as they are
Parsed = tuple[dict[str, Any], KeyLines]


class MappingCache:
    """`load_mapping` that answers from the cache for a text parsed before; `save` keeps the blocks this
    build read, so the entry holds one build's blocks."""

    def __init__(self, store: BuildCache):
        self.store, self.key = store, entry_key()
        self.known: dict[str, list] = store.get(self.key, lambda data, _: ENTRY.conform(data)) or {}
        self.used: dict[str, list] = {}

    def load_mapping(self, text: str, file: str, first_line: int = 1, text_keys: tuple[str, ...] = (),
                     limits: Limits = SETTINGS) -> Parsed:
        """What yamlfile.load_mapping gives for these arguments."""
        block = block_key(text, first_line, text_keys, limits)
        found = self.stored(block)
        if found is not None:
            return found
        data, lines = load_mapping(text, file, first_line, text_keys, limits)
        try:
            self.used[block] = [encoded_map(data), encoded_lines(lines)]
        except TypeError:  # a kind of value this cache does not know: parsed in every build
            pass
        return data, lines

    def stored(self, block: str) -> Parsed | None:
        """The block's values and key lines as stored, or None when missing or not what clair writes."""
        stored = self.known.get(block)
        if stored is None:
            return None
        try:
            found = decoded_map(stored[0]), decoded_lines(stored[1])
        except (ValueError, TypeError, RecursionError):  # Damaged is a ValueError
            return None
        self.used[block] = stored
        return found

    def save(self) -> None:
        """Store the blocks this build read, unless the cache holds exactly them already."""
        if self.used != self.known:
            self.store.put(self.key, self.used)


def entry_key() -> str:
    """The entry's name: clair's code and libraries, and which libyaml PyYAML reads with, if any (it accepts
    some texts the pure-Python reader refuses)."""
    libyaml = yaml.__with_libyaml__ and yaml._yaml.get_version_string()
    digest = hashlib.sha256(FORMAT + code_version() + str(libyaml).encode())
    return "yaml-" + digest.hexdigest()


def block_key(text: str, first_line: int, text_keys: tuple[str, ...], limits: Limits) -> str:
    """A block's name inside the entry: the hash of its text and of how it is read."""
    return hashlib.sha256(reading(first_line, text_keys, limits) + text.encode()).hexdigest()


@functools.cache  # the same few ways of reading for every page: their words are made once
def reading(first_line: int, text_keys: tuple[str, ...], limits: Limits) -> bytes:
    return f"{first_line}\0{text_keys!r}\0{limits!r}\0".encode()


def encoded(value) -> Any:
    """A parsed value as JSON with its kind written out: text, numbers, true/false and null as they are,
    anything else as {kind: value}. TypeError for what the safe loader never makes."""
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is list:
        return {"list": [encoded(item) for item in value]}
    if kind is dict:
        return {"map": encoded_map(value)}
    if kind is dt.datetime:
        return {"datetime": value.isoformat()}
    if kind is dt.date:
        return {"date": value.isoformat()}
    raise TypeError(f"not a value the safe loader makes: {kind.__name__}")


def encoded_map(mapping: dict) -> dict:
    if not all(type(key) is str for key in mapping):
        raise TypeError("a key that is not text")
    return {key: encoded(value) for key, value in mapping.items()}


def encoded_lines(lines: KeyLines) -> list[list]:
    """[line, *path] for every key: `title` as [2, "title"], ("authors", 0, "name") as [3, "authors", 0, "name"]."""
    return [[line, *(key if type(key) is tuple else (key,))] for key, line in lines.items()]


def as_text(value) -> str:
    if type(value) is not str:
        raise Damaged("not text")
    return value


def decoded_list(items) -> list:
    if type(items) is not list:
        raise Damaged("not a list")
    refuse_control_characters(item for item in items if type(item) is str)
    return [decoded(item) for item in items]


def decoded_map(values) -> dict:
    if type(values) is not dict:
        raise Damaged("not a group")
    refuse_control_characters(itertools.chain(values, (value for value in values.values() if type(value) is str)))
    # most values are text or numbers: told here, without a call each
    return {key: value if type(value) in SCALARS else decoded(value) for key, value in values.items()}


def refuse_control_characters(texts) -> None:
    """The reader refuses control characters (yamlfile.CONTROL_CHARACTER) in keys and values: so does the cache."""
    if any(CONTROL_CHARACTER.search(text) for text in texts):
        raise Damaged("a control character")


DECODERS = {
    "list": decoded_list,
    "map": decoded_map,
    "date": lambda value: dt.date.fromisoformat(as_text(value)),
    "datetime": lambda value: dt.datetime.fromisoformat(as_text(value)),
}


def decoded(value) -> Any:
    """The value `encoded` wrote; Damaged for anything else."""
    if type(value) in SCALARS:
        return value
    if type(value) is dict and len(value) == 1:
        [(kind, written)] = value.items()
        if kind in DECODERS:
            return DECODERS[kind](written)
    raise Damaged("not a value clair writes")


def decoded_lines(rows) -> KeyLines:
    """The key lines `encoded_lines` wrote; Damaged for anything else."""
    if type(rows) is not list:
        raise Damaged("not a list")
    lines: KeyLines = {}
    for row in rows:
        if (type(row) is not list or len(row) < 2 or type(row[0]) is not int or type(row[1]) is not str
                or (len(row) > 2 and not all(type(part) in (str, int) for part in row[2:]))):
            raise Damaged("not a key's line")
        lines[row[1] if len(row) == 2 else tuple(row[1:])] = row[0]
    return lines
