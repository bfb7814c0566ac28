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

# The walking itself is chainrule.core.tree's (one definition of containers,
# leaf order and paths for the whole library); these are nn's names for it.
from ..core import tree as _tree

__all__ = ["tree_map", "leaves", "named_leaves", "get", "replace", "count_params",
           "match", "tree_zeros_like"]


def tree_map(fn, tree, *rest):
    """Apply ``fn`` leaf by leaf to one tree or several of the same structure.

    A mismatch raises a ``ValueError`` naming the first path where the trees differ.

    >>> tree_map(lambda a, b: a + b, [1, {"x": 2}], [10, {"x": 20}])
    [11, {'x': 22}]
    >>> tree_map(lambda a, b: a + b, {"W": 1}, {"V": 2})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.core.tree.StructureError: tree_map: tree 0 and tree 1 differ at 'W': key 'W' ...
    """
    return _tree.tree_map(fn, tree, *rest)


def named_leaves(tree, prefix=""):
    """``[(path, leaf), ...]`` in a fixed order (dict order, then index order).

    >>> named_leaves({"W": 1, "b": [2, 3]})
    [('W', 1), ('b/0', 2), ('b/1', 3)]
    """
    return _tree.tree_named_leaves(tree, prefix)


def leaves(tree):
    """The leaves of ``tree`` as a list.

    >>> leaves([1, {"a": 2, "b": ()}])
    [1, 2]
    """
    return _tree.tree_leaves(tree)


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
    parts = _tree.split_path(path)
    for g in groups:
        if callable(g):
            if g(path):
                return True
            continue
        gp = _tree.split_path(g)
        if parts[:len(gp)] == gp:
            return True
    return False


def get(tree, path):
    """The subtree (or leaf) at ``path``.

    >>> get({"body": [{"W": 1.0}]}, "body/0/W")
    1.0
    """
    return _tree.tree_get(tree, path)


def replace(tree, path, value):
    """A copy of ``tree`` with the subtree at ``path`` replaced by ``value`` (no mutation).

    >>> replace({"a": [1, 2], "b": 3}, "a/1", 20)
    {'a': [1, 20], 'b': 3}
    """
    return _tree.tree_replace(tree, path, value)


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
