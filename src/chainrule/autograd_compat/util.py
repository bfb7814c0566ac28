"""Small helpers of HIPS autograd's ``autograd.util``, for code that imports them.

>>> subval((1, 2, 3), 1, "x")
(1, 'x', 3)
"""

import operator
import warnings

__all__ = ["subvals", "subval", "func", "toposort", "quick_grad_check"]


def subvals(x, ivs):
    """``x`` as a tuple with ``x[i] = v`` for each ``(i, v)`` in ``ivs``.

    >>> subvals([1, 2, 3], [(0, 9), (2, 8)])
    (9, 2, 8)
    """
    x_ = list(x)
    for i, v in ivs:
        x_[i] = v
    return tuple(x_)


def subval(x, i, v):
    """``x`` as a tuple with ``x[i] = v``."""
    x_ = list(x)
    x_[i] = v
    return tuple(x_)


def func(f):
    """The function underlying ``f`` (autograd uses it to name unbound methods).

    >>> func(len) is len
    True
    """
    return f


def toposort(end_node, parents=operator.attrgetter("parents")):
    """Yield the nodes of a graph from ``end_node`` back to its roots, each
    node after all of its children (reverse topological order).

    >>> class N:
    ...     def __init__(self, name, *parents): self.name, self.parents = name, parents
    >>> a = N("a"); b = N("b", a); c = N("c", a, b)
    >>> [n.name for n in toposort(c)]
    ['c', 'b', 'a']
    """
    child_counts = {}
    stack = [end_node]
    while stack:
        node = stack.pop()
        if node in child_counts:
            child_counts[node] += 1
        else:
            child_counts[node] = 1
            stack.extend(parents(node))

    childless_nodes = [end_node]
    while childless_nodes:
        node = childless_nodes.pop()
        yield node
        for parent in parents(node):
            if child_counts[parent] == 1:
                childless_nodes.append(parent)
            else:
                child_counts[parent] -= 1


def quick_grad_check(fun, arg0, extra_args=(), kwargs=None, verbose=True, eps=1e-4, rtol=1e-4,
                     atol=1e-6, rs=None):
    """Deprecated in autograd: checks reverse mode of ``fun`` at ``arg0`` once.

    Use :func:`chainrule.test_util.check_grads` instead.
    """
    warnings.warn("quick_grad_check is deprecated; use chainrule.test_util.check_grads",
                  DeprecationWarning, stacklevel=2)
    from ..test_util import check_grads
    kwargs = kwargs or {}
    check_grads(lambda x: fun(x, *extra_args, **kwargs), modes=("rev",), order=1)(arg0)
