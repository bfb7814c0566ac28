"""chainrule.core.tree, the one tree walker: flatten, paths, the strict tree_map, and its users."""

import ast
import collections
import inspect

import numpy as onp
import pytest

from chainrule import nn
from chainrule.core import tree as T
from chainrule.misc.flatten import flatten
from chainrule.serialization import named_arrays

Pair = collections.namedtuple("Pair", "first second")


def test_core_tree_imports_no_numpy():
    # the core knows nothing of NumPy: no module-level import of it
    body = ast.parse(inspect.getsource(T)).body
    imported = [a.name for node in body if isinstance(node, ast.Import) for a in node.names]
    imported += [node.module or "" for node in body if isinstance(node, ast.ImportFrom)]
    assert not [m for m in imported if m.split(".")[0] == "numpy"], imported


def test_flatten_round_trip_and_order():
    t = {"b": [1.0, (2.0, Pair(3.0, {"z": 4.0, "a": 5.0}))], "a": {}, "c": None}
    leaves, spec = T.tree_flatten(t)
    assert leaves == [1.0, 2.0, 3.0, 4.0, 5.0, None]  # insertion order; None is a leaf
    back = T.tree_unflatten(spec, leaves)
    assert back == t and type(back["b"][1][1]) is Pair and list(back) == ["b", "a", "c"]
    # sorted keys (autograd's order): leaves in key order, dicts rebuilt in their own order
    leaves, spec = T.tree_flatten(t, sort_keys=True)
    assert leaves == [1.0, 2.0, 3.0, 5.0, 4.0, None]
    back = T.tree_unflatten(spec, leaves)
    assert back == t and list(back) == ["b", "a", "c"] and list(back["b"][1][1][1]) == ["z", "a"]


def test_paths():
    p = {"body": [{"W": 1.0}, {}], "head": Pair(2.0, 3.0), 7: 4.0}
    assert T.tree_named_leaves(p) == [("body/0/W", 1.0), ("head/0", 2.0), ("head/1", 3.0),
                                      ("7", 4.0)]
    assert T.tree_named_leaves(p, "m")[0] == ("m/body/0/W", 1.0)
    assert T.tree_flatten_with_keys(p)[0][0] == (("body", 0, "W"), 1.0)
    assert T.tree_named_leaves(onp.ones(2))[0][0] == ""
    assert T.tree_get(p, "body/0/W") == 1.0 and T.tree_get(p, "7") == 4.0
    assert T.tree_replace(p, "head/1", 30.0)["head"] == Pair(2.0, 30.0)
    with pytest.raises(KeyError, match="no entry 'X' under 'body/0'"):
        T.tree_get(p, "body/0/X")


def test_tree_map_is_strict_and_names_the_path():
    add = lambda a, b: a + b
    # the old core.tree_map silently gave [11, 22] here
    with pytest.raises(T.StructureError, match=r"at '2': '2' only in tree 0 \(3 entries "
                                               r"against 2\)") as e:
        T.tree_map(add, [1, 2, 3], [10, 20])
    assert e.value.path == "2" and isinstance(e.value, ValueError)
    # the old nn.tree_map silently paired 'a' with 'b' here
    with pytest.raises(ValueError, match="at 'body/a': key 'a' in tree 0, 'b' in tree 1"):
        nn.tree_map(add, {"body": {"a": 1}}, {"body": {"b": 2}})
    with pytest.raises(ValueError, match="at 'W': a leaf in tree 0, a list of length 1"):
        T.tree_map(add, {"W": 1}, {"W": [1]})
    with pytest.raises(ValueError, match="another order"):
        T.tree_map(add, {"x": 1, "y": 2}, {"y": 2, "x": 1})
    with pytest.raises(ValueError, match="tree 0 and tree 2 differ at '1'"):
        T.tree_map(lambda a, b, c: a, [1, 2], [1, 2], [1])
    # same structure: container types may differ (a tuple matches a list)
    assert T.tree_map(add, [1, {"x": 2}], (10, {"x": 20})) == [11, {"x": 22}]
    assert T.tree_map(add, 1.0, 2.0) == 3.0


def test_tree_diff():
    assert T.tree_diff({"W": onp.ones(2)}, {"W": onp.ones(3)}) is None  # leaves not compared
    assert T.tree_diff([{"W": 1}, {}, {"W": 2}], [{"W": 1}, {"W": 2}]) == "1/W"
    assert T.tree_diff({"a": [1, 2]}, {"a": [1, [2]]}) == "a/1"
    assert T.tree_diff(1.0, [1.0]) == ""  # the root
    assert not T.has_empty_container({"a": [1]}) and T.has_empty_container({"a": [1, {}]})


def _autograd_flatten(value):
    """autograd.misc.flatten's walk, literally (with chainrule's namedtuples as containers)."""
    t = type(value)
    if t in (list, tuple) or isinstance(value, tuple) and hasattr(value, "_fields"):
        parts = [_autograd_flatten(v) for v in value]
    elif isinstance(value, dict):
        parts = [_autograd_flatten(value[k]) for k in sorted(value)]
    else:
        return onp.ravel(value)
    return onp.concatenate(parts) if parts else onp.array([])


@pytest.mark.parametrize("value", [
    2.5, onp.arange(3), [onp.arange(3), ()], {"b": onp.ones(2, onp.float32), "a": []},
    {"z": 1, "a": {"k": onp.int32(3), "c": [1, 2]}}, Pair(onp.ones(2), {"q": 1.0, "p": 2.0}),
    [], [onp.float32(1.5), onp.ones(2, onp.float32)],
    (1.0, onp.linspace(0, 1, 6).reshape(2, 3), [onp.eye(2), {"y": 2.0, "x": onp.ones(3)}]),
], ids=lambda v: type(v).__name__)
def test_misc_flatten_keeps_autograds_order_values_and_dtype(value):
    flat, unflatten = flatten(value)
    want = _autograd_flatten(value)
    assert flat.dtype == want.dtype and flat.tobytes() == want.tobytes()
    back = unflatten(flat)  # the same containers, dicts in their own key order
    assert T.tree_diff(back, value) is None
    for u, v in zip(T.tree_leaves(back), T.tree_leaves(value), strict=True):
        assert onp.array_equal(u, v)


def test_checkpoint_names_are_the_tree_paths():
    t = {"layers": [{"W": 1.0}, {}], "pair": Pair(1, 2)}
    assert [n for n, _ in named_arrays(t)] == [p for p, _ in T.tree_named_leaves(t)]
    assert named_arrays(3.0) == [("__root__", 3.0)]
