"""Leaves of argument and output trees: their dtype kind, zeros shaped like
them, and :class:`_LeafVec`, the (co)tangent of a container value held leaf by
leaf. The other modules of :mod:`chainrule.extend` build on these."""

import numpy as _onp

from ..core.engine import getval
from ..core.tree import tree_flatten, tree_unflatten


def _is_container(x):
    return isinstance(x, (tuple, list, dict))


def _kind(v):
    """dtype kind of a plain leaf, or '' for things that are not numbers."""
    dt = getattr(v, "dtype", None)
    if dt is not None:
        try:
            return _onp.dtype(dt).kind
        except TypeError:
            return ""
    if isinstance(v, bool):
        return "b"
    if isinstance(v, (int, float, complex)):
        return _onp.result_type(v).kind
    return ""


def _zeros_b(x, batch=()):
    """Zeros shaped ``batch + shape(x)`` with ``x``'s dtype; ``None`` for leaves
    that are not numbers (they have no vector space)."""
    v = getval(x)
    kind = _kind(v)
    if not kind:
        return None
    return _onp.zeros(tuple(batch) + _onp.shape(v), _onp.result_type(v))


def _zeros_tree(x, batch=()):
    leaves, spec = tree_flatten(x)
    return tree_unflatten(spec, [_zeros_b(v, batch) for v in leaves])


def _shape(v):
    return _onp.shape(getval(v))


class _LeafVec:
    """(Co)tangent of a container value: ``{leaf index: vector}``, absent
    leaves are zero. ``+`` adds leaf-wise (a tuple's ``+`` would concatenate).
    ``batch`` is the leading batch shape when known (tangents)."""

    __slots__ = ("d", "batch")

    def __init__(self, d, batch=None):
        self.d = d
        self.batch = batch

    def __add__(self, other):
        if isinstance(other, (int, float)) and other == 0:
            return self
        if not isinstance(other, _LeafVec):
            if not _is_container(other):
                return NotImplemented
            # A rule's dense container meets leaf-wise contributions (a gathered
            # argument is both passed to the primitive and read by inner rules).
            other = _LeafVec({k: v for k, v in enumerate(tree_flatten(other)[0])
                              if v is not None})
        d = dict(self.d)
        for k, v in other.d.items():
            d[k] = v if d.get(k) is None else (d[k] if v is None else d[k] + v)
        return _LeafVec(d, self.batch if self.batch is not None else other.batch)

    __radd__ = __add__

    def __repr__(self):
        return f"_LeafVec({self.d!r}, batch={self.batch})"
