"""The numbers of the tables, computed by the engine's own rules.

* :func:`tangents` replays the recorded graph through a :class:`ForwardTrace`:
  each node is the primitive applied to boxes carrying its arguments'
  tangents, so the engine's JVP rules give ȧ_k for every node.
* :func:`adjoints` is the engine's backward sweep (:func:`backward`) that
  keeps what it would drop: the adjoint ā_i of every node and each
  consumer's contribution to it.
"""

import numpy as _np

from ..core.engine import Box, ForwardTrace, TapeEntry, backward


def _ones_like(v):
    return _np.ones_like(v)[()] if _np.ndim(v) == 0 else _np.ones_like(v)


def _zeros_like(v):
    return _np.zeros_like(v)[()] if _np.ndim(v) == 0 else _np.zeros_like(v)


def tangents(graph, seeds):
    """ȧ of every node; ``seeds`` maps an input node index to its tangent (others get 0)."""
    trace = ForwardTrace()
    tans = []
    for node in graph.nodes:
        if node.prim is None:
            tans.append(seeds.get(node.index, None))
            if tans[-1] is None:
                tans[-1] = _zeros_like(node.value)
            continue
        args = list(node.vals)
        for a, p in node.parents:
            args[a] = trace.new_input(graph.nodes[p].value, tans[p])
        out = node.prim(*args, **node.kwargs)
        tans.append(out._ref if type(out) is Box and out._trace is trace
                    else _zeros_like(node.value))
    return tans


def adjoints(graph, seeds):
    """``(adj, contributions)`` for ``seeds`` = ``{node index: cotangent}``.

    ``adj[i]`` is ā_i (``None`` where nothing reached node i) and
    ``contributions[i]`` lists ``(consumer k, argnum, value)``: the terms
    ``ā_k · ∂a_k/∂a_i`` summed into ā_i, in the order the sweep added them.
    The graph is handed to the engine's :func:`backward` as a tape, and
    ``observe`` keeps what the sweep would drop.
    """
    nodes = graph.nodes
    n_inputs = sum(1 for node in nodes if node.prim is None)
    tape = [None if node.prim is None else
            TapeEntry(node.prim, node.vals, node.kwargs,
                      node.value if node.prim.needs_ans else None,
                      tuple(a for a, _ in node.parents), tuple(p for _, p in node.parents))
            for node in nodes]
    adj = [None] * len(nodes)
    contributions = [[] for _ in nodes]

    def observe(k, g, cts):
        adj[k] = g
        e = tape[k]
        for a, p, c in zip(e.argnums, e.parents, cts, strict=True):
            contributions[p].append((k, a, c))

    ins = backward(tape, list(seeds.items()), n_inputs, keep_tape=True, observe=observe)
    adj[:n_inputs] = ins
    return adj, contributions


def unit_seed(value, index=None):
    """Tangent/cotangent seed: 1 for a scalar, ones for an array, or a one-hot at ``index``."""
    if index is None:
        return _ones_like(value)
    s = _np.zeros_like(value)
    s[index] = 1
    return s
