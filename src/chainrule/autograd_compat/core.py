"""autograd's ``autograd.core``: the names code written for autograd imports
from it (``from autograd.core import make_vjp, vspace, defvjp...``).

As in autograd, :func:`make_vjp` and :func:`make_jvp` here are the *unary*
building blocks (``make_vjp(fun, x)``); the n-ary versions with ``argnum``
are ``chainrule.make_vjp`` / ``chainrule.make_jvp``.

>>> vjp, ans = make_vjp(lambda x: 3.0 * x * x, 2.0)
>>> float(ans), float(vjp(1.0))
(12.0, 12.0)
>>> float(make_jvp(lambda x: x ** 3, 2.0)(1.0)[1])
12.0
"""

from ..core.engine import Box, Primitive, getval, isbox
from ..core.errors import MissingRuleError
from ..extend import (
    def_linear, defjvp, defjvp_argnum, defjvp_argnums, defvjp, defvjp_argnum, defvjp_argnums,
    notrace_primitive, register_notrace,
)
from ..transforms import _jvp_engine, _vjp_engine
from ._extend_core import (
    SparseObject, primitive_jvps, primitive_vjps, primitive_with_deprecation_warnings,
)
from .tracer import JVPNode, Node, VJPNode, backward_pass, new_box, trace
from .util import func, subval, subvals, toposort
from .vspace import VSpace, vspace

primitive = primitive_with_deprecation_warnings

__all__ = [
    "make_vjp", "make_jvp", "add_outgrads", "sum_outgrads", "primitive",
    "primitive_with_deprecation_warnings", "defvjp", "defvjp_argnum", "defvjp_argnums",
    "defjvp", "defjvp_argnum", "defjvp_argnums", "def_linear", "primitive_vjps",
    "primitive_jvps", "notrace_primitive", "register_notrace", "SparseObject", "VSpace",
    "vspace", "Box", "getval", "isbox", "Primitive", "MissingRuleError", "Node", "VJPNode",
    "JVPNode", "new_box", "backward_pass", "trace", "toposort", "func", "subval", "subvals",
]


def make_vjp(fun, x):
    """autograd's unary ``make_vjp``: ``vjp, ans = make_vjp(fun, x)``.

    ``vjp(g)`` pulls the output cotangent ``g`` back to ``x`` (``x`` may be a
    tuple, list or dict of arrays) and may be called many times.
    """
    ans, pullback = _vjp_engine(fun, x)

    def vjp(g):
        return pullback(g)
    return vjp, ans


def make_jvp(fun, x):
    """autograd's unary ``make_jvp``: ``make_jvp(fun, x)(v) == (fun(x), J v)``."""
    def jvp(g):
        return _jvp_engine(fun, x, g)
    return jvp


def add_outgrads(prev_g_flagged, g):
    """autograd's gradient accumulator: ``(prev + g, True)``; ``prev`` may be ``None``.

    >>> add_outgrads(None, 1.0), add_outgrads((1.0, True), 2.0)
    ((1.0, False), (3.0, True))
    """
    if prev_g_flagged:
        return prev_g_flagged[0] + g, True
    return g, False


def sum_outgrads(gs):
    """Sum of the gradients ``gs`` (``None`` when empty).

    >>> sum_outgrads([1.0, 2.0]), sum_outgrads([])
    (3.0, None)
    """
    total = None
    for g in gs:
        total = g if total is None else total + g
    return total
