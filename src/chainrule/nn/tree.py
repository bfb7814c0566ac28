"""Parameters are plain containers (dicts, lists, tuples) of arrays: a few helpers for them.

Every leaf has a *path*: the keys and indices that lead to it, joined by
``/``. ``Sequential(Linear(2, 3), Tanh())`` has parameters
``[{"W": ..., "b": ...}, {}]`` whose leaves are ``"0/W"`` and ``"0/b"``.
Freezing, loading a pre-trained body and checkpoints all name leaves this way.

>>> p = {"body": [{"W": 1.0}, {}], "head": {"W": 2.0, "b": 3.0}}
>>> [path for path, _ in named_leaves(p)]
['body/0/W', 'head/W', 'head/b']
>>> tree_map(lambda v: 10 * v, p)["head"]
{'W': 20.0, 'b': 30.0}
"""

__all__ = ["tree_map", "leaves", "named_leaves", "get", "replace", "count_params",
           "match", "tree_zeros_like"]


def _children(x):
    """``[(key, child), ...]`` for a container, ``None`` for a leaf."""
    if isinstance(x, dict):
        return list(x.items())
    if isinstance(x, (list, tuple)):
        return list(enumerate(x))
    return None


def _rebuild(x, values):
    """A container of ``x``'s type holding ``values`` (in ``_children`` order)."""
    if isinstance(x, dict):
        out = {} if type(x) is dict else type(x)()
        for k, v in zip(x.keys(), values, strict=True):
            out[k] = v
        return out
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
        return type(x)(*values)
    return type(x)(values)


def tree_map(fn, tree, *rest):
    """Apply ``fn`` leaf by leaf to one tree or several of the same structure.

    >>> tree_map(lambda a, b: a + b, [1, {"x": 2}], [10, {"x": 20}])
    [11, {'x': 22}]
    """
    ch = _children(tree)
    if ch is None:
        return fn(tree, *rest)
    others = [_children(r) for r in rest]
    for o in others:
        if o is None or len(o) != len(ch):
            raise ValueError("tree_map: the trees have different structures")
    return _rebuild(tree, [tree_map(fn, c, *[o[i][1] for o in others])
                           for i, (_, c) in enumerate(ch)])


def named_leaves(tree, prefix=""):
    """``[(path, leaf), ...]`` in a fixed order (dict order, then index order).

    >>> named_leaves({"W": 1, "b": [2, 3]})
    [('W', 1), ('b/0', 2), ('b/1', 3)]
    """
    ch = _children(tree)
    if ch is None:
        return [(prefix, tree)]
    out = []
    for k, c in ch:
        out.extend(named_leaves(c, f"{prefix}/{k}" if prefix else str(k)))
    return out


def leaves(tree):
    """The leaves of ``tree`` as a list.

    >>> leaves([1, {"a": 2, "b": ()}])
    [1, 2]
    """
    return [v for _, v in named_leaves(tree)]


def _split(path):
    if isinstance(path, (list, tuple)):
        return [str(p) for p in path]
    return [p for p in str(path).split("/") if p]


def match(path, groups):
    """True when leaf ``path`` lies in one of ``groups``.

    A group is a path prefix made of whole components (``"body"`` matches
    ``"body/0/W"`` but not ``"body2/W"``) or a predicate ``callable(path)``.

    >>> match("body/0/W", ["body"]), match("body2/W", ["body"])
    (True, False)
    >>> match("x/b", [lambda p: p.endswith("/b")])
    True
    """
    if isinstance(groups, str) or callable(groups):
        groups = [groups]
    parts = _split(path)
    for g in groups:
        if callable(g):
            if g(path):
                return True
            continue
        gp = _split(g)
        if parts[:len(gp)] == gp:
            return True
    return False


def _step(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for k in node:  # integer keys are written as text in paths
            if str(k) == key:
                return node[k]
        raise KeyError(key)
    if isinstance(node, (list, tuple)):
        return node[int(key)]
    raise KeyError(key)


def get(tree, path):
    """The subtree (or leaf) at ``path``.

    >>> get({"body": [{"W": 1.0}]}, "body/0/W")
    1.0
    """
    node = tree
    for i, key in enumerate(_split(path)):
        try:
            node = _step(node, key)
        except (KeyError, IndexError, ValueError):
            done = "/".join(_split(path)[:i]) or "<root>"
            raise KeyError(f"no entry {key!r} under {done!r} (looking up {path!r})") from None
    return node


def replace(tree, path, value):
    """A copy of ``tree`` with the subtree at ``path`` replaced by ``value`` (no mutation).

    >>> replace({"a": [1, 2], "b": 3}, "a/1", 20)
    {'a': [1, 20], 'b': 3}
    """
    parts = _split(path)
    if not parts:
        return value
    get(tree, path)  # raises a clear KeyError when the path does not exist
    head, rest = parts[0], parts[1:]
    ch = _children(tree)
    return _rebuild(tree, [replace(c, rest, value) if str(k) == head else c for k, c in ch])


def tree_zeros_like(tree):
    """Zeros with each leaf's shape and dtype.

    >>> import numpy
    >>> tree_zeros_like({"W": numpy.ones(2)})
    {'W': array([0., 0.])}
    """
    import numpy as onp
    return tree_map(lambda v: onp.zeros_like(onp.asarray(v)), tree)


def count_params(tree):
    """Total number of scalars in ``tree``.

    >>> import numpy
    >>> count_params([{"W": numpy.ones((2, 3)), "b": numpy.ones(3)}, {}])
    9
    """
    import numpy as onp
    return int(sum(onp.size(v) for v in leaves(tree)))
