"""The rule table: one entry per differentiable function, checked in tests/test_rule_table.py.

A :class:`Case` names the registry entry (or entries) it covers, a function
of positional arguments, and one or more argument lists. Each argument is a
generator (called with a numpy Generator, returns the value) or a
:class:`Const` (passed as is and not differentiated). Example::

    Case("numpy.sin", np.sin, [[R(3)], [R(2, 3)]])
    Case("numpy.add", np.add, [[R(3), R(3)], [R(2, 3), R(3)], [R(2, 1), R(1, 3)]])

Every entry is checked against central finite differences in forward and
reverse mode up to order 2, for ⟨vjp(u), v⟩ = ⟨u, jvp(v)⟩ (one u per output),
and with batched tangents and cotangents, in float64: for a real argument
jacfwd = jacrev = finite differences, complex and several outputs included,
and the batched second derivative; for a complex argument the 2n tangents
e_k, i·e_k in one forward pass against finite differences and the whole
cotangent basis in one pullback.
"""

import numpy as onp


class Case:
    def __init__(self, covers, fun, arglists, order=2, modes=("fwd", "rev"), rtol=None,
                 jac=True, hessian=True, id=None):
        self.covers = (covers,) if isinstance(covers, str) else tuple(covers)
        self.fun = fun
        self.arglists = arglists
        self.order = order
        self.modes = modes
        self.rtol = rtol
        self.jac = jac          # check batched jacfwd/jacrev against finite differences
        self.hessian = hessian  # check batched second derivatives (jacfwd(jacrev))
        self.id = id or self.covers[0]


class Const:
    """An argument passed as is and never differentiated (indices, axes, integer arrays)."""

    def __init__(self, value):
        self.value = value


def R(*shape, lo=None, hi=None):
    """Standard normal float64 of ``shape`` (or uniform in [lo, hi])."""
    def gen(rng):
        if lo is not None:
            return rng.uniform(lo, hi, size=shape)
        return rng.standard_normal(shape)
    gen.shape = shape
    return gen


def P(*shape):
    """Positive float64 in [0.5, 2]."""
    return R(*shape, lo=0.5, hi=2.0)


def U(lo, hi, *shape):
    """Uniform float64 in [lo, hi]."""
    return R(*shape, lo=lo, hi=hi)


def C(*shape):
    """Complex128 with standard normal real and imaginary parts."""
    def gen(rng):
        return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    gen.shape = shape
    return gen


def SPD(n, batch=()):
    """Symmetric positive definite matrices (n x n), well conditioned."""
    def gen(rng):
        a = rng.standard_normal(batch + (n, n))
        return a @ onp.swapaxes(a, -1, -2) + n * onp.eye(n)
    return gen


def Fixed(value):
    """A fixed float array (differentiated)."""
    return lambda rng: onp.array(value, dtype=float)
