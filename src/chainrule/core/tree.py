"""Containers of arrays ("trees"): flatten to leaves, rebuild, name leaves by path, map.

This is chainrule's one tree walker: the transforms, ``nn``, ``optim``,
checkpoints and ``misc.flatten`` all use it, so they agree on what a
container is, on the order of the leaves and on their names.

* **Containers** are tuples, lists, namedtuples and dicts (any ``dict``
  subclass); everything else is a leaf (arrays, numbers, ``None``...).
  Subclasses of list and tuple other than namedtuples are leaves.
* **Order**: sequences in index order, dicts in insertion order (``sort_keys=True``
  takes dict keys in sorted order instead, as autograd's ``flatten`` does).
* **Paths** name a leaf by the keys and indices leading to it, joined by
  ``/``: ``{"body": [{"W": w}]}`` has one leaf, ``"body/0/W"``. A leaf at
  the root has the path ``""``.
* **Same structure**: two trees have the same structure when at every level
  they have the same keys (dict keys, or indices for sequences, compared as
  path text) in the same order, and the same positions hold leaves. Container
  types are not compared: a tuple matches a list of the same length.

The module knows nothing of NumPy (the core must not import it).

>>> leaves, spec = tree_flatten({"W": 1.0, "b": (2.0, 3.0)})
>>> leaves
[1.0, 2.0, 3.0]
>>> tree_unflatten(spec, [4.0, 5.0, 6.0])
{'W': 4.0, 'b': (5.0, 6.0)}
>>> tree_named_leaves({"W": 1.0, "b": (2.0, 3.0)})
[('W', 1.0), ('b/0', 2.0), ('b/1', 3.0)]
"""

__all__ = ["StructureError", "tree_flatten", "tree_unflatten", "tree_leaves",
           "tree_flatten_with_keys", "tree_named_leaves", "join_path", "split_path",
           "tree_map", "tree_diff", "check_same_structure", "tree_get", "tree_replace",
           "has_empty_container"]

_LEAF = None  # spec of a leaf


class StructureError(ValueError):
    """Two trees that should have the same structure do not; ``path`` is where they first differ.

    >>> try:
    ...     tree_map(lambda a, b: a + b, [1, 2, 3], [10, 20])
    ... except StructureError as e:
    ...     print(repr(e.path), isinstance(e, ValueError))
    '2' True
    """

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = path


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


# ----------------------------------------------------------------------------
# Flatten / unflatten: the transforms' hot path (every grad call), kept lean
# ----------------------------------------------------------------------------

def tree_flatten(tree, sort_keys=False):
    """Return ``(leaves, spec)``; ``spec`` rebuilds the container with new leaves.

    ``sort_keys=True`` visits dict keys in sorted order (autograd's
    ``flatten`` order); :func:`tree_unflatten` still rebuilds each dict in its
    original key order.

    >>> tree_flatten({"b": 1, "a": 2})[0], tree_flatten({"b": 1, "a": 2}, sort_keys=True)[0]
    ([1, 2], [2, 1])
    """
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
            if sort_keys:
                order = sorted(keys)
                if order != keys:  # the original order rides along for tree_unflatten
                    return (t, order, [walk(x[k]) for k in order], keys)
            return (t, keys, [walk(x[k]) for k in keys])
        leaves.append(x)
        return _LEAF

    spec = walk(tree)
    return leaves, spec


def tree_unflatten(spec, leaves):
    """Inverse of :func:`tree_flatten`: the container described by ``spec`` holding ``leaves``.

    >>> spec = tree_flatten([1, (2, 3)])[1]
    >>> tree_unflatten(spec, ["a", "b", "c"])
    ['a', ('b', 'c')]
    """
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
        if len(s) == 4:  # visited in sorted key order, rebuilt in the original one
            built = {k: build(c) for k, c in zip(s[1], s[2])}
            d = t() if t is not dict else {}
            for k in s[3]:
                d[k] = built[k]
            return d
        children = [build(c) for c in s[1]]
        if t is list:
            return children
        if t is tuple:
            return tuple(children)
        return t(*children)  # namedtuple

    return build(spec)


def tree_leaves(tree):
    """The leaves of ``tree``, in order.

    >>> tree_leaves([1, {"a": 2, "b": ()}])
    [1, 2]
    """
    return tree_flatten(tree)[0]


# ----------------------------------------------------------------------------
# Paths
# ----------------------------------------------------------------------------

def _spec_keys(spec):
    """The key tuple of every leaf described by ``spec``, in leaf order."""
    out = []

    def walk(s, keys):
        if s is _LEAF:
            out.append(keys)
        elif type(s[1]) is int:  # flat
            out.extend(keys + (i,) for i in range(s[1]))
        elif len(s) == 2:
            for i, c in enumerate(s[1]):
                walk(c, keys + (i,))
        else:
            for k, c in zip(s[1], s[2]):
                walk(c, keys + (k,))

    walk(spec, ())
    return out


def tree_flatten_with_keys(tree, *, sort_keys=False):
    """``([(keys, leaf), ...], spec)``: :func:`tree_flatten` with each leaf's key tuple.

    ``keys`` holds the dict keys (as they are) and sequence indices (ints)
    leading to the leaf; :func:`join_path` turns it into the leaf's path.

    >>> tree_flatten_with_keys({"W": 1.0, "b": [2.0]})[0]
    [(('W',), 1.0), (('b', 0), 2.0)]
    """
    leaves, spec = tree_flatten(tree, sort_keys=sort_keys)
    return list(zip(_spec_keys(spec), leaves)), spec


def join_path(keys, prefix=""):
    """The path of a key tuple: the keys as text, joined by ``/`` (after ``prefix``, if any).

    >>> join_path(("body", 0, "W")), join_path((), "head"), join_path(("W",), "head")
    ('body/0/W', 'head', 'head/W')
    """
    path = prefix
    for k in keys:
        path = f"{path}/{k}" if path else str(k)
    return path


def split_path(path):
    """The components of a path: ``"a/0/b"`` or a sequence of keys, as a list of strings.

    >>> split_path("body/0/W"), split_path(("body", 0)), split_path("")
    (['body', '0', 'W'], ['body', '0'], [])
    """
    if isinstance(path, (list, tuple)):
        return [str(p) for p in path]
    return [p for p in str(path).split("/") if p]


def tree_named_leaves(tree, prefix=""):
    """``[(path, leaf), ...]`` in leaf order; paths start with ``prefix/`` when one is given.

    >>> tree_named_leaves({"body": [{"W": 1.0}, {}], "head": {"b": 2.0}})
    [('body/0/W', 1.0), ('head/b', 2.0)]
    >>> tree_named_leaves(3.0)
    [('', 3.0)]
    """
    pairs, _ = tree_flatten_with_keys(tree)
    return [(join_path(k, prefix), v) for k, v in pairs]


# ----------------------------------------------------------------------------
# Comparing structures, mapping
# ----------------------------------------------------------------------------

def _children(x):
    """``[(key, child), ...]`` for a container (the same test as :func:`tree_flatten`),
    ``None`` for a leaf."""
    t = type(x)
    if t is tuple or t is list or _is_namedtuple(x):
        return list(enumerate(x))
    if isinstance(x, dict):
        return list(x.items())
    return None


def _describe(x, children):
    if children is None:
        return "a leaf"
    if isinstance(x, dict):
        keys = [str(k) for k, _ in children]
        shown = keys if len(keys) <= 6 else keys[:6] + ["..."]
        return f"a {type(x).__name__} with keys {shown}"
    return f"a {type(x).__name__} of length {len(children)}"


def _difference(a, b, names, path=""):
    """``(path, explanation)`` of the first place where ``a`` and ``b`` differ in
    structure (depth first, in leaf order), or ``None``."""
    ca, cb = _children(a), _children(b)
    if ca is None and cb is None:
        return None
    if ca is None or cb is None:
        return path, f"{_describe(a, ca)} in {names[0]}, {_describe(b, cb)} in {names[1]}"
    for (ka, va), (kb, vb) in zip(ca, cb):
        sub = join_path((ka,), path)
        if str(ka) != str(kb):
            return sub, (f"key {str(ka)!r} in {names[0]}, {str(kb)!r} in {names[1]} "
                         "(different keys, or the same keys in another order)")
        found = _difference(va, vb, names, sub)
        if found is not None:
            return found
    if len(ca) != len(cb):
        longer, which = (ca, names[0]) if len(ca) > len(cb) else (cb, names[1])
        k = longer[min(len(ca), len(cb))][0]
        return join_path((k,), path), (f"{str(k)!r} only in {which} "
                                       f"({len(ca)} entries against {len(cb)})")
    return None


def _where(path):
    return repr(path) if path else "the root"


def tree_diff(a, b):
    """The path where trees ``a`` and ``b`` first differ in structure, or ``None``.

    The root's path is ``""``, so test the result with ``is None``. Leaves
    are not compared, only where they are.

    >>> tree_diff({"W": 1, "b": 2}, {"W": 10, "b": 20}) is None
    True
    >>> tree_diff([{"W": 1}, {"W": 2}], [{"W": 1}, {"V": 2}])
    '1/W'
    >>> tree_diff([1, 2, 3], [10, 20])
    '2'
    """
    found = _difference(a, b, ("the first tree", "the second tree"))
    return None if found is None else found[0]


def check_same_structure(a, b, names=("the first tree", "the second tree"), context="",
                         hint=""):
    """Raise :class:`StructureError` when ``a`` and ``b`` differ in structure.

    The message names the first differing path and what differs there, calling
    the trees ``names``; ``context`` goes before it, ``hint`` (what to do) after.

    >>> check_same_structure({"W": 1}, {"W": 2}) is None
    True
    >>> check_same_structure({"W": 1}, {"V": 2}, ("params", "grads"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.core.tree.StructureError: params and grads differ at 'W': key 'W' in params, 'V' ...
    """
    found = _difference(a, b, names)
    if found is not None:
        path, why = found
        raise StructureError(f"{context}{names[0]} and {names[1]} differ at {_where(path)}: "
                             f"{why}{hint}", path)


def tree_map(fn, tree, *rest):
    """``fn`` applied leaf by leaf to ``tree`` and to the trees in ``rest``, which must
    have ``tree``'s structure: otherwise :class:`StructureError` (a ``ValueError``)
    names the first path where they differ. The result has ``tree``'s containers.

    >>> tree_map(lambda a, b: a + b, [1, {"x": 2}], [10, {"x": 20}])
    [11, {'x': 22}]
    >>> tree_map(lambda a, b: a + b, [1, 2, 3], [10, 20])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.core.tree.StructureError: tree_map: tree 0 and tree 1 differ at '2': '2' only in ...
    """
    leaves, spec = tree_flatten(tree)
    if not rest:
        return tree_unflatten(spec, [fn(x) for x in leaves])
    columns = [leaves]
    for i, other in enumerate(rest, 1):
        other_leaves, other_spec = tree_flatten(other)
        if other_spec != spec:  # equal specs: same structure; else compare paths
            check_same_structure(tree, other, ("tree 0", f"tree {i}"), "tree_map: ")
        columns.append(other_leaves)
    return tree_unflatten(spec, [fn(*xs) for xs in zip(*columns)])


def has_empty_container(tree):
    """True when ``tree`` holds an empty list, tuple or dict anywhere (itself included).

    >>> has_empty_container([1, {"a": 2}]), has_empty_container([1, {"a": ()}])
    (False, True)
    """
    children = _children(tree)
    if children is None:
        return False
    return not children or any(has_empty_container(c) for _, c in children)


# ----------------------------------------------------------------------------
# Subtrees by path
# ----------------------------------------------------------------------------

def _step(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for k in node:  # integer keys are written as text in paths
            if str(k) == key:
                return node[k]
        raise KeyError(key)
    if _children(node) is not None:
        return node[int(key)]
    raise KeyError(key)


def tree_get(tree, path):
    """The subtree (or leaf) at ``path``; a ``KeyError`` names the missing component.

    >>> tree_get({"body": [{"W": 1.0}]}, "body/0/W")
    1.0
    """
    node = tree
    parts = split_path(path)
    for i, key in enumerate(parts):
        try:
            node = _step(node, key)
        except (KeyError, IndexError, ValueError):
            done = "/".join(parts[:i]) or "<root>"
            raise KeyError(f"no entry {key!r} under {done!r} (looking up {path!r})") from None
    return node


def _rebuild(x, values):
    """A container of ``x``'s type holding ``values`` (in ``_children`` order)."""
    if isinstance(x, dict):
        out = {} if type(x) is dict else type(x)()
        for k, v in zip(x.keys(), values, strict=True):
            out[k] = v
        return out
    if _is_namedtuple(x):
        return type(x)(*values)
    return type(x)(values)


def tree_replace(tree, path, value):
    """A copy of ``tree`` with the subtree at ``path`` replaced by ``value`` (no mutation).

    >>> tree_replace({"a": [1, 2], "b": 3}, "a/1", 20)
    {'a': [1, 20], 'b': 3}
    """
    parts = split_path(path)
    if not parts:
        return value
    tree_get(tree, path)  # raises a clear KeyError when the path does not exist
    head, rest = parts[0], parts[1:]
    return _rebuild(tree, [tree_replace(c, rest, value) if str(k) == head else c
                           for k, c in _children(tree)])
