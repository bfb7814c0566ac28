"""Containers of arrays ("trees"): flatten to a list of leaves and rebuild.

Every transform accepts tuples, lists, dicts and namedtuples of arrays as
inputs and outputs; they are flattened to leaves once, at the boundary.

>>> leaves, spec = tree_flatten({"W": 1.0, "b": (2.0, 3.0)})
>>> leaves
[1.0, 2.0, 3.0]
>>> tree_unflatten(spec, [4.0, 5.0, 6.0])
{'W': 4.0, 'b': (5.0, 6.0)}
"""

_LEAF = None  # spec of a leaf


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def tree_flatten(tree):
    """Return ``(leaves, spec)``; ``spec`` rebuilds the container with new leaves."""
    t = type(tree)
    if t is tuple or t is list:
        for c in tree:
            if isinstance(c, (tuple, list, dict)):
                break
        else:  # a flat tuple or list of arrays (argnums=(0, 1)): no walk either
            return list(tree), (t, len(tree))
    elif not isinstance(tree, (tuple, dict)):
        return [tree], _LEAF  # a bare array: the common case, without the walk
    leaves = []

    def walk(x):
        t = type(x)
        if t is tuple or t is list or _is_namedtuple(x):
            return (t, [walk(c) for c in x])
        if isinstance(x, dict):
            keys = list(x)
            return (t, keys, [walk(x[k]) for k in keys])
        leaves.append(x)
        return _LEAF

    spec = walk(tree)
    return leaves, spec


def tree_unflatten(spec, leaves):
    """Inverse of :func:`tree_flatten`."""
    if spec is _LEAF:
        return leaves[0]
    if type(spec[1]) is int:  # flat
        return tuple(leaves) if spec[0] is tuple else list(leaves)
    it = iter(leaves)

    def build(s):
        if s is _LEAF:
            return next(it)
        t = s[0]
        if len(s) == 3:
            d = t() if t is not dict else {}
            for k, c in zip(s[1], s[2]):
                d[k] = build(c)
            return d
        children = [build(c) for c in s[1]]
        if t is list:
            return children
        if t is tuple:
            return tuple(children)
        return t(*children)  # namedtuple

    return build(spec)


def tree_map(fn, tree, *rest):
    """Apply ``fn`` leaf-wise to one or more trees of the same structure."""
    leaves, spec = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(spec, [fn(*xs) for xs in zip(leaves, *others)])
