"""The cost of a whole Jacobian: n forward passes or m backward passes, counted by running them.

Forward mode pushes one input direction per pass (one column of J); reverse
mode records the tape once and pulls one output direction back per
backward pass (one row of J). The lecture's conclusion follows from n and m.
"""

import time

import numpy as _np

from ..core.engine import getval
from .tables import Table


def _basis(values, j):
    """The j-th unit vector of the flattened ``values``, as one array per value."""
    out = []
    for v in values:
        size = _np.size(v)
        e = _np.zeros(_np.shape(v), dtype=_np.result_type(v))
        if 0 <= j < size:
            e.reshape(-1)[j] = 1
        out.append(e[()] if _np.ndim(v) == 0 else e)
        j -= size
    return tuple(out)


class JacobianCost(Table):
    """How many forward and backward passes the whole Jacobian took, and the verdict."""


def stored_numbers(n, m, max_passes):
    """How many numbers the two Jacobians of :func:`jacobian_cost` hold: ``min(n, P)``
    columns of ``m`` and ``min(m, P)`` rows of ``n``.

    >>> stored_numbers(3, 2, 1000), stored_numbers(60000, 60000, 1000)
    (12, 120000000)
    """
    return m * min(n, max_passes) + n * min(m, max_passes)


def jacobian_cost(graph, max_passes=1000, max_elements=None):
    """Build J both ways with the engine's ``jvp`` and ``vjp``, counting the passes.

    ``max_elements``: refuse (``ValueError``), before computing, when the
    Jacobians would hold more numbers than this (see :func:`stored_numbers`).
    """
    from .. import jvp, vjp
    xs = tuple(graph.leaves)
    outs = [(n, v) for n, i, v in graph.outputs]
    n = int(sum(_np.size(v) for v in xs))
    m = int(sum(_np.size(v) for _, v in outs))
    stored = stored_numbers(n, m, max_passes)
    if max_elements is not None and stored > max_elements:
        raise ValueError(
            f"chainrule.explain: the whole Jacobian is m = {m} outputs × n = {n} inputs; "
            f"building it both ways ({min(n, max_passes)} forward and {min(m, max_passes)} "
            f"backward passes) would store {stored:,} numbers, over the size budget of "
            f"{max_elements:,} (chainrule trace --max-elements N): use smaller inputs, or "
            "leave out the Jacobian cost (--mode both)")

    def f(*inputs):
        return tuple(graph.call(list(inputs)))

    t0 = time.perf_counter()
    cols, fwd = [], 0
    for j in range(min(n, max_passes)):
        cols.append(_np.concatenate([_np.ravel(getval(t)) for t in jvp(f, xs, _basis(xs, j))[1]]))
        fwd += 1
    t_fwd = time.perf_counter() - t0

    t0 = time.perf_counter()
    out, pullback = vjp(f, *xs)
    evals = 1
    rows, bwd = [], 0
    for i in range(min(m, max_passes)):
        ct = pullback(_basis([getval(o) for o in out], i))
        rows.append(_np.concatenate([_np.ravel(getval(c)) for c in ct]))
        bwd += 1
    t_bwd = time.perf_counter() - t0

    j_fwd = _np.stack(cols, axis=1) if cols else _np.zeros((m, 0))
    j_rev = _np.stack(rows, axis=0) if rows else _np.zeros((0, n))
    diff = float(_np.max(_np.abs(j_fwd[:len(rows)] - j_rev[:, :len(cols)]), initial=0.0))
    capped = fwd < n or bwd < m
    tab = JacobianCost(
        f"The whole Jacobian (m = {_n(m, 'output')} × n = {_n(n, 'input')}): "
        "forward or reverse mode?",
        ["mode", "passes run", "one pass gives", "time"],
        [["forward (jvp)", f"{_n(fwd, 'forward pass')}" + (f" of {n}" if fwd < n else ""),
          "one column ∂y/∂x_j (every output, one input)", f"{t_fwd * 1e3:.2f} ms"],
         ["reverse (vjp)", f"{evals} evaluation + {_n(bwd, 'backward pass')}"
          + (f" of {m}" if bwd < m else ""),
          "one row ∇y_i (one output, every input)", f"{t_bwd * 1e3:.2f} ms"]],
        notes=[_verdict(n, m), f"Both ways give the same Jacobian (largest difference {diff:.2g})"
               + ("; passes stopped at max_passes" if capped else "") + "."])
    tab.n, tab.m = n, m
    tab.forward_passes, tab.backward_passes, tab.evaluation_passes = fwd, bwd, evals
    tab.jacobian_forward, tab.jacobian_reverse, tab.max_difference = j_fwd, j_rev, diff
    tab.conclusion = tab.notes[0]
    return tab


def _n(k, word):
    """``3 inputs``, ``1 input``, ``2 passes``."""
    return f"{k} {word}" + ("" if k == 1 else "es" if word.endswith("s") else "s")


def _verdict(n, m):
    if m < n:
        why = ("with one scalar output (a loss) and many weights, one backward pass gives the "
               "whole gradient: that is why neural networks are trained with reverse mode "
               "(backpropagation)" if m == 1 else
               "reverse mode is more efficient when there are fewer outputs than inputs")
        return (f"Reverse mode wins for this function: {_n(m, 'backward pass')} "
                f"instead of {_n(n, 'forward pass')}, because it has fewer outputs (m = {m}) than "
                f"inputs (n = {n}); {why}.")
    if n < m:
        return (f"Forward mode wins for this function: {_n(n, 'forward pass')} "
                f"instead of {_n(m, 'backward pass')}, because it has fewer inputs (n = {n}) than "
                f"outputs (m = {m}); one forward pass gives ∂y_1/∂x_j, …, ∂y_m/∂x_j at once.")
    return (f"A tie: {_n(n, 'pass')} either way (n = m = {n}); forward mode is then the natural "
            "choice, being simpler and needing less memory (no tape to keep).")
