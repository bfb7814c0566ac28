"""Graph tracers of autograd's ``autograd.misc.tracers``: :func:`const_graph`
(trace once, replay) and :func:`full_graph` (the whole graph of one call).

Built on :func:`chainrule.tracer.trace`, which records one node per
primitive call.
"""

from functools import partial
from itertools import repeat

from ..tracer import Node, trace
from ..util import subvals, toposort
from ..wrap_util import wraps

__all__ = ["const_graph", "const_graph_unary", "full_graph", "ConstGraphNode", "FullGraphNode"]


class ConstGraphNode(Node):
    """A node that can recompute its value from its parents' new values."""

    __slots__ = ["parents", "partial_fun"]

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        args = subvals(args, zip(parent_argnums, repeat(None)))

        def partial_fun(partial_args):
            return fun(*subvals(args, zip(parent_argnums, partial_args, strict=False)), **kwargs)

        self.parents = parents
        self.partial_fun = partial_fun

    def initialize_root(self):
        self.parents = []


def const_graph_unary(fun):
    """``fun(x)`` traced on the first call; later calls replay the recorded
    primitives that depend on ``x`` (see :func:`const_graph`)."""
    graph = []
    _fun = [fun]  # let fun be freed after tracing: it may hold bound arguments

    def maybe_cached_fun(x):
        if graph:
            _graph = graph[0]
            vals = {_graph[0]: x}
            node = _graph[0]
            for node in _graph[1:]:
                vals[node] = node.partial_fun([vals[p] for p in node.parents])
            return vals[node]
        start_node = ConstGraphNode.new_root()
        end_value, end_node = trace(start_node, _fun.pop(), x)
        if end_node is None:
            raise ValueError("const_graph: the output does not depend on the input")
        graph.append(list(toposort(end_node))[::-1])
        return end_value

    return maybe_cached_fun


def const_graph(fun, *args, **kwargs):
    """Trace ``fun`` on its first call and replay that graph afterwards.

    The first call runs ``fun`` and records every primitive call that depends
    on the (positional) arguments; later calls recompute only those, skipping
    Python overhead and work on constants. The graph is fixed after the
    first call: only use it for functions whose sequence of operations does
    not depend on the argument values (no value-dependent ``if``/loops).
    Extra ``args``/``kwargs`` given here are bound first, as with ``partial``.
    The replayed function can be differentiated.

    >>> import chainrule.numpy as np
    >>> f = const_graph(lambda x, y: np.sin(x) * y)
    >>> float(f(0.0, 2.0)), float(f(1.0, 2.0)) == float(np.sin(1.0) * 2.0)
    (0.0, True)
    """
    partial_fun = partial(fun, *args, **kwargs)
    maybe_cached_unary_fun = const_graph_unary(lambda args: partial_fun(*args))

    @wraps(fun)
    def _fun(*args):
        return maybe_cached_unary_fun(args)

    return _fun


class FullGraphNode(Node):
    """A node keeping its value and how it was computed."""

    __slots__ = ["value", "recipe"]

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.value = value
        self.recipe = (fun, args, kwargs, zip(parent_argnums, parents, strict=False))

    def initialize_root(self):
        self.value = None
        self.recipe = (lambda x: x, (), {}, [])


def full_graph(fun, *args, **kwargs):
    """The end node of the graph of ``fun(*args, **kwargs)`` (FullGraphNodes)."""
    def unary_fun(args):
        return fun(*args, **kwargs)
    start_node = FullGraphNode.new_root()
    end_value, end_node = trace(start_node, unary_fun, args)
    return end_node
