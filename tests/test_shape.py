"""clair/shape.py's compiled checks (its fast paths for lists and dicts of plain values among them) accept exactly
the values a plain reading of the shape's rules accepts."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from clair.shape import JSON, Damaged, Either, Fields, Shape


def fits(spec, value) -> bool:
    """The shape rules of Shape's docstring, read one by one: the reference for the compiled checks."""
    if spec is JSON:
        return True
    if spec is None:
        return value is None
    if spec is float:
        return type(value) in (float, int)
    if isinstance(spec, type):
        return type(value) is spec
    if isinstance(spec, Either):
        return any(fits(option, value) for option in spec.options)
    if isinstance(spec, Fields):
        return (type(value) is dict and set(value) == set(spec.shapes)
                and all(fits(shape, value[name]) for name, shape in spec.shapes.items()))
    if isinstance(spec, list):
        return type(value) is list and all(fits(spec[0], item) for item in value)
    if isinstance(spec, tuple):
        return type(value) is list and len(value) == len(spec) and all(map(fits, spec, value))
    [(key, item)] = spec.items()
    return type(value) is dict and all(fits(key, k) and fits(item, v) for k, v in value.items())


SPECS = [str, int, float, bool, None, JSON, Either(int, str, None), Either(None, float), Either(None, [str]),
         [str], [int], [float], [Either(int, None)], [[str]], [(str, int)], [(str, float)], (str, int, bool),
         (int, [{str: Either(int, str, None)}], int, {str: str}, Either(None, int)), {str: int}, {str: float},
         {str: Either(str, None)}, {str: {str: JSON}}, {str: [str]}, ([str], [(str, str, str, int, str, bool)]),
         Fields(a=[JSON], b={str: int}), Fields(a=Either(None, int)), [{str: Either(int, str, None)}], [{str: int}],
         [{str: float}], [{str: [str]}], ([str], [str], [str], [str], [int], [str], [int], [bool])]

plain = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=3))
values = st.recursive(plain, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    st.dictionaries(st.one_of(st.integers(0, 2), st.none()), inner, max_size=2)), max_leaves=12)


@pytest.mark.parametrize("spec", SPECS, ids=repr)
@settings(max_examples=400, deadline=None)
@given(value=values)
def test_a_compiled_shape_accepts_what_its_rules_accept(spec, value):
    assert Shape(spec).fits(value) is fits(spec, value)


@pytest.mark.parametrize("spec, good, bad", [
    ([str], ["a", "b"], ["a", 1]),
    ([float], [1, 2.5], [1, True]),
    ({str: Either(int, str, None)}, {"a": 1, "b": None}, {"a": 1.5}),
    ({str: int}, {"a": 1}, {1: 1}),
    ([(str, int)], [["a", 1]], [["a", 1], "ab"]),
])
def test_conform_gives_the_value_or_refuses_it(spec, good, bad):
    assert Shape(spec).conform(good) is good
    with pytest.raises(Damaged):
        Shape(spec).conform(bad)
