"""Build cache: the shapes of what a cache entry may hold, checked before anything is made from it.

A cache entry is JSON (clair/cache.py), so reading one can never run code; a `Shape` makes sure it
holds exactly the kinds of values clair writes, so a damaged or planted entry is refused as a whole
instead of reaching a template or a check half-formed. Shapes are compiled once into plain checks:
the cache reads thousands of entries per build, and checking must stay cheap next to parsing them.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import chain

JSON = object()  # the shape of any JSON value (JSON holds no code: anything it holds is data)
DICT_ONLY = frozenset({dict})


class Either:
    """The shape of a value that has one of several shapes (`Either(None, str)`: a text or nothing)."""

    def __init__(self, *options):
        self.options = options


class Fields:
    """The shape of a JSON object with exactly these keys, each with its own shape."""

    def __init__(self, **shapes):
        self.shapes = shapes


class Damaged(ValueError):
    """A cache entry that is not exactly what clair writes: it is read as missing."""


class Shape:
    """A shape, written as: a type (str, int, bool, float; an int is a float too), None (only None), a list
    `[shape]` (any number of items of that shape), a tuple `(shape, ...)` (a list of exactly those), a dict
    `{str: shape}`, `Fields(key=shape, ...)`, `Either(shape, ...)`, or JSON (any JSON value)."""

    def __init__(self, spec):
        self.spec, self.fits = spec, compiled(spec)

    def conform(self, value):
        """`value` if it has this shape, else Damaged."""
        if not self.fits(value):
            raise Damaged("not the shape clair writes")
        return value


def compiled(spec) -> Callable[[object], bool]:
    """A function telling whether a value has the shape `spec` (see Shape). Lists and dicts of plain values are
    checked by C loops (`kinds.issuperset(map(type, items))`), not by a Python call per item: they are most of
    what an entry holds."""
    if spec is JSON:
        return lambda value: True
    kinds = plain_kinds(spec)
    if kinds is not None:
        return lambda value: type(value) in kinds
    if isinstance(spec, Either):
        options = [compiled(option) for option in spec.options]
        return lambda value: any(fits(value) for fits in options)
    if isinstance(spec, Fields):
        fields = {name: compiled(shape) for name, shape in spec.shapes.items()}
        return lambda value: (type(value) is dict and value.keys() == fields.keys()
                              and all(fits(value[name]) for name, fits in fields.items()))
    if isinstance(spec, list):
        return compiled_list(spec[0])
    if isinstance(spec, tuple):
        if all(isinstance(part, type) and part is not float for part in spec):  # the common case, made fast
            return lambda value: type(value) is list and tuple(map(type, value)) == spec
        parts = [compiled(part) for part in spec]
        return lambda value: (type(value) is list and len(value) == len(parts)
                              and all(fits(item) for fits, item in zip(parts, value)))
    if isinstance(spec, dict):
        [(key, item)] = spec.items()
        return compiled_dict(key, item)
    raise TypeError(f"not a shape: {spec!r}")  # a mistake in clair's own code, found by its tests


def plain_kinds(spec) -> frozenset | None:
    """The types a value of shape `spec` may have, when the type alone tells (a plain type, None, or an Either of
    them); None for other shapes."""
    if spec is None:
        return frozenset({type(None)})
    if spec is float:
        return frozenset({float, int})  # an int is a float too
    if isinstance(spec, type):
        return frozenset({spec})
    if isinstance(spec, Either):
        options = [plain_kinds(option) for option in spec.options]
        return None if None in options else frozenset().union(*options)
    return None


def compiled_list(item_spec) -> Callable[[object], bool]:
    """The check of `[item_spec]`: a list of plain values, or of dicts of plain values (a page's headings), is
    checked by C loops over all its items at once."""
    kinds = plain_kinds(item_spec)
    if kinds is not None:
        return lambda value: type(value) is list and kinds.issuperset(map(type, value))
    if isinstance(item_spec, dict):
        [(key_spec, value_spec)] = item_spec.items()
        keys, values = plain_kinds(key_spec), plain_kinds(value_spec)
        if keys is not None and values is not None:
            return lambda value: (type(value) is list and DICT_ONLY.issuperset(map(type, value))
                                  and keys.issuperset(map(type, chain.from_iterable(value)))
                                  and values.issuperset(map(type, chain.from_iterable(map(dict.values, value)))))
    item = compiled(item_spec)
    return lambda value: type(value) is list and all(map(item, value))


def compiled_dict(key_spec, item_spec) -> Callable[[object], bool]:
    """The check of `{key_spec: item_spec}`."""
    keys, kinds = plain_kinds(key_spec), plain_kinds(item_spec)
    if keys is not None and kinds is not None:
        return lambda value: (type(value) is dict and keys.issuperset(map(type, value))
                              and kinds.issuperset(map(type, value.values())))
    key, item = compiled(key_spec), compiled(item_spec)
    return lambda value: type(value) is dict and all(map(key, value)) and all(map(item, value.values()))
