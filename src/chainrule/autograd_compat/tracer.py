"""autograd's ``autograd.tracer``: boxes, primitives, and tracing a function
into a graph of your own ``Node`` type.

chainrule's own transforms do not build node graphs (reverse mode records a
flat tape, forward mode carries tangents in the boxes), but code written on
autograd's tracing API works: :func:`trace` runs ``fun`` under a trace that
builds one ``start_node``-type node per primitive call, exactly as autograd
does, with the constructor ``Node(value, fun, args, kwargs, parent_argnums,
parents)``. :class:`VJPNode` and :class:`JVPNode` are such node types, made
from chainrule's own derivative rules.

>>> class Count(Node):
...     n = 0
...     def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
...         Count.n += 1
...     def initialize_root(self):
...         pass
>>> import chainrule.numpy as np
>>> value, node = trace(Count.new_root(), lambda x: np.sin(x) * 2.0, 1.0)
>>> Count.n
2
"""

import warnings

from ..core.errors import MissingRuleError
from ..core.engine import Box, Primitive, Trace, getval, isbox, unbox_args
from ..core.tree import tree_flatten, tree_unflatten
from ..extend import notrace_primitive, primitive, register_notrace
from ..extend._containers import _gather, _leaf
from ..extend._leaves import _is_container, _kind
from .util import toposort

__all__ = [
    "Box", "Node", "trace", "new_box", "primitive", "notrace_primitive", "register_notrace",
    "getval", "isbox", "toposort", "find_top_boxed_args", "VJPNode", "JVPNode",
    "backward_pass", "NodeTrace",
]


class Node:
    """Base class of graph nodes built by :func:`trace`.

    Subclasses define ``__init__(value, fun, args, kwargs, parent_argnums,
    parents)`` for the node of one primitive call and ``initialize_root(...)``
    for the start node, which :meth:`new_root` creates.
    """

    __slots__ = []

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        raise NotImplementedError("Node subclasses define __init__")

    def initialize_root(self, *args, **kwargs):
        raise NotImplementedError("Node subclasses define initialize_root")

    @classmethod
    def new_root(cls, *args, **kwargs):
        """A start node: ``initialize_root(*args, **kwargs)`` on a new instance."""
        root = cls.__new__(cls)
        root.initialize_root(*args, **kwargs)
        return root


class NodeTrace(Trace):
    """A trace that builds ``node_type`` nodes (autograd's tracing model)."""

    __slots__ = ("node_type",)
    kind = "node"

    def __init__(self, node_type):
        super().__init__()
        self.node_type = node_type

    def apply(self, prim, args, kwargs):
        vals, argnums, parents, outer = unbox_args(self, args)
        ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
        node = self.node_type(ans, prim, tuple(vals), kwargs, argnums, parents)
        return Box(ans, self, node)


def new_box(value, trace, node):
    """A traced value: ``value`` in ``trace``, attached to ``node``."""
    return Box(value, trace, node)


def _start_box(x, t, start_node):
    if not _is_container(x):
        return Box(x, t, start_node)
    # A container input: one traced leaf per number, each read out of the
    # container by a recorded step (autograd's container_take).
    leaves, spec = tree_flatten(x)
    out = []
    for k, v in enumerate(leaves):
        if type(v) is Box or _kind(v) in ("f", "c"):
            node = t.node_type(v, _leaf, (x, k), {}, (0,), (start_node,))
            out.append(Box(v, t, node))
        else:
            out.append(v)
    return tree_unflatten(spec, out)


def trace(start_node, fun, x):
    """Run ``fun(x)``, building a graph of ``type(start_node)`` nodes.

    Returns ``(end_value, end_node)``, or ``(end_value, None)`` with a warning
    when the output does not depend on ``x``.
    """
    t = NodeTrace(type(start_node))
    end_box = fun(_start_box(x, t, start_node))
    if _is_container(end_box) and any(type(v) is Box and v._trace is t
                                      for v in tree_flatten(end_box)[0]):
        end_box = _gather(end_box)
    if type(end_box) is Box and end_box._trace is t:
        return end_box._value, end_box._ref
    warnings.warn("Output seems independent of input.", stacklevel=2)
    return end_box, None


def find_top_boxed_args(args):
    """``(boxed_args, top_trace, node_type)`` for the innermost trace among
    ``args``; ``boxed_args`` lists ``(argnum, box)``."""
    top, boxes = None, []
    for i, a in enumerate(args):
        if type(a) is Box:
            if top is None or a._trace.level > top.level:
                top, boxes = a._trace, [(i, a)]
            elif a._trace is top:
                boxes.append((i, a))
    return boxes, top, getattr(top, "node_type", None)


# ----------------------------------------------------------------------------
# autograd's own node types, from chainrule's rules
# ----------------------------------------------------------------------------

def _node_vjp(fun, argnums, ans, args, kwargs):
    if not isinstance(fun, Primitive):
        raise MissingRuleError(getattr(fun, "__name__", repr(fun)), argnums[0], "rev")
    argnums = tuple(argnums)
    return lambda g: fun.cotangents(argnums, g, ans, args, kwargs)


class VJPNode(Node):
    """Reverse-mode node: ``vjp(g)`` gives the cotangents of the parents."""

    __slots__ = ["parents", "vjp"]
    _trace_kind = "rev"

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.parents = parents
        self.vjp = _node_vjp(fun, parent_argnums, value, args, kwargs)

    def initialize_root(self):
        self.parents = []
        self.vjp = lambda g: ()


class JVPNode(Node):
    """Forward-mode node: ``g`` is the tangent of its value."""

    __slots__ = ["g"]
    _trace_kind = "fwd"

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        if not isinstance(fun, Primitive):
            raise MissingRuleError(getattr(fun, "__name__", repr(fun)), parent_argnums[0], "fwd")
        traced = [(a, p.g) for a, p in zip(parent_argnums, parents, strict=False)]
        self.g = fun.tangent(traced, value, args, kwargs, ())

    def initialize_root(self, g):
        self.g = g


def backward_pass(g, end_node):
    """Propagate the cotangent ``g`` from ``end_node`` back through a
    :class:`VJPNode` graph; returns the start node's cotangent."""
    outgrads = {end_node: g}
    outgrad = g
    for node in toposort(end_node):
        outgrad = outgrads.pop(node)
        for parent, ingrad in zip(node.parents, node.vjp(outgrad), strict=False):
            prev = outgrads.get(parent)
            outgrads[parent] = ingrad if prev is None else prev + ingrad
    return outgrad
