"""autograd's ``autograd.numpy.numpy_jvps``: its helpers for forward-mode rules.
chainrule's own JVP rules live with their primitives in ``chainrule.numpy``."""

from ..extend import def_linear, defjvp
from .numpy_vjps import balanced_eq, match_complex, replace_zero, unbroadcast

__all__ = ["balanced_eq", "def_linear", "defjvp", "match_complex", "replace_zero",
           "unbroadcast", "broadcast"]


def broadcast(x, target):
    """``x`` broadcast to ``target``'s shape (a tangent of a broadcast argument),
    real or complex as ``target`` is."""
    from .. import numpy as anp
    target_shape, target_ndim, _, target_iscomplex = (
        anp.shape(target), anp.ndim(target), None, anp.iscomplexobj(target))
    while anp.ndim(x) < target_ndim:
        x = anp.expand_dims(x, 0)
    for axis, size in enumerate(anp.shape(x)):
        if size == 1:
            x = anp.repeat(x, target_shape[axis], axis=axis)
    if target_iscomplex and not anp.iscomplexobj(x):
        x = x + 0j
    return x
