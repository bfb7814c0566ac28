"""Batch axes: chainrule batches Jacobians (``jacobian``, ``hessian``,
``jacfwd``...) by pushing many (co)tangents at once along leading axes, while
autograd rules are written for one. :func:`_per_batch` finds those axes and
calls a rule once per basis vector."""

import numpy as _onp

from ..core.tree import tree_flatten, tree_unflatten
from ._leaves import _LeafVec, _is_container, _shape, _zeros_b, _zeros_tree


def _cnp():
    from .. import numpy as cnp  # late: chainrule.numpy imports the core this module uses
    return cnp


def _batch_shape(vec, ref):
    """Leading axes that ``vec`` (a tree of (co)tangents) has beyond ``ref``
    (the matching tree of values): the batch chainrule pushes at once."""
    if isinstance(vec, _LeafVec):
        if vec.batch is not None:
            return vec.batch
        ref_leaves = tree_flatten(ref)[0]
        pairs = [(v, ref_leaves[k]) for k, v in vec.d.items()]
    elif _is_container(vec) or _is_container(ref):
        pairs = zip(tree_flatten(vec)[0], tree_flatten(ref)[0], strict=False)
    else:
        pairs = [(vec, ref)]
    for v, r in pairs:
        if v is None:
            continue
        vs = _shape(v)
        nb = len(vs) - len(_shape(r))
        return tuple(vs[:nb]) if nb > 0 else ()
    return ()


def _slices(tree, batch, n):
    """Split the leading ``batch`` axes of every leaf: a list of ``n`` trees."""
    cnp = _cnp()
    leaves, spec = tree_flatten(tree)
    cut = []
    for v in leaves:
        if v is None:
            cut.append([None] * n)
            continue
        rest = _shape(v)[len(batch):]
        if len(batch) != 1:
            v = cnp.reshape(v, (n,) + tuple(rest))
        cut.append([v[k] for k in range(n)])
    return [tree_unflatten(spec, [c[k] for c in cut]) for k in range(n)]


def _stack(outs, batch):
    """Stack trees of results along new leading ``batch`` axes."""
    cnp = _cnp()
    flat = [tree_flatten(o) for o in outs]
    spec = flat[0][1]
    res = []
    for parts in zip(*[f[0] for f in flat], strict=False):
        if all(p is None for p in parts):
            res.append(None)
            continue
        s = cnp.stack([p for p in parts])
        if len(batch) != 1:
            s = cnp.reshape(s, tuple(batch) + _shape(s)[1:])
        res.append(s)
    return tree_unflatten(spec, res)


def _per_batch(fn, vecs, refs):
    """``fn(*vecs)``, once per batch element when the (co)tangents ``vecs``
    carry leading batch axes (relative to the values ``refs``).

    autograd rules expect one (co)tangent; chainrule's Jacobians push a batch.
    """
    batch = _batch_shape(vecs[0], refs[0])
    if not batch:
        return fn(*vecs)
    n = int(_onp.prod(batch, dtype=int))
    if n == 0:
        # Empty batch: run once on zeros to learn the result's shapes.
        out = fn(*[_zeros_tree(r) for r in refs])
        leaves, spec = tree_flatten(out)
        return tree_unflatten(spec, [_zeros_b(v, batch) for v in leaves])
    sliced = [_slices(v, batch, n) for v in vecs]
    return _stack([fn(*[s[k] for s in sliced]) for k in range(n)], batch)
