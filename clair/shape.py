"""Build cache: the shapes of what a cache entry may hold, checked before anything is made from it.

A cache entry is JSON (clair/cache.py), so reading one can never run code; a `Shape` makes sure it
holds exactly the kinds of values clair writes, so a damaged or planted entry is refused as a whole
instead of reaching a template or a check half-formed. Shapes are compiled once into plain checks:
the cache reads thousands of entries per build, and checking must stay cheap next to parsing them.
"""
from __future__ import annotations

from collections.abc import Callable

JSON = object()  # the shape of any JSON value (JSON holds no code: anything it holds is data)


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
    """A function telling whether a value has the shape `spec` (see Shape)."""
    if spec is JSON:
        return lambda value: True
    if spec is None:
        return lambda value: value is None
    if spec is float:
        return lambda value: type(value) is float or type(value) is int
    if isinstance(spec, type):
        return lambda value: type(value) is spec
    if isinstance(spec, Either):
        if all(option is None or (isinstance(option, type) and option is not float) for option in spec.options):
            kinds = frozenset(type(None) if option is None else option for option in spec.options)
            return lambda value: type(value) in kinds  # the common case, made fast
        options = [compiled(option) for option in spec.options]
        return lambda value: any(fits(value) for fits in options)
    if isinstance(spec, Fields):
        fields = {name: compiled(shape) for name, shape in spec.shapes.items()}
        return lambda value: (type(value) is dict and value.keys() == fields.keys()
                              and all(fits(value[name]) for name, fits in fields.items()))
    if isinstance(spec, list):
        item = compiled(spec[0])
        return lambda value: type(value) is list and all(map(item, value))
    if isinstance(spec, tuple):
        if all(isinstance(part, type) and part is not float for part in spec):  # the common case, made fast
            return lambda value: type(value) is list and tuple(map(type, value)) == spec
        parts = [compiled(part) for part in spec]
        return lambda value: (type(value) is list and len(value) == len(parts)
                              and all(fits(item) for fits, item in zip(parts, value)))
    if isinstance(spec, dict):
        [(key, item)] = [(compiled(k), compiled(v)) for k, v in spec.items()]
        return lambda value: type(value) is dict and all(map(key, value)) and all(map(item, value.values()))
    raise TypeError(f"not a shape: {spec!r}")  # a mistake in clair's own code, found by its tests
