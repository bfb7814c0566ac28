"""Differentiable fixed points: ``x* = f(a)(x*)``, with the gradient with
respect to ``a`` by the implicit function theorem (itself a fixed point).
"""

from ..builtins import tuple as _tuple
from ...extend import defvjp, primitive
from ..vspace import vspace

__all__ = ["fixed_point"]


@primitive
def fixed_point(f, a, x0, distance, tol):
    """Iterate ``x = f(a)(x)`` from ``x0`` until ``distance(x, x_prev) <= tol``.

    Differentiable with respect to ``a``: the reverse pass solves the adjoint
    fixed point instead of differentiating through the iterations.

    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> newton_sqrt = lambda a: lambda x: 0.5 * (x + a / x)
    >>> dist = lambda x, y: np.abs(x - y)
    >>> sqrt = lambda a: fixed_point(newton_sqrt, a, 1.0, dist, 1e-12)
    >>> round(float(sqrt(4.0)), 8), round(float(grad(sqrt)(4.0)), 8)
    (2.0, 0.25)
    """
    _f = f(a)
    x, x_prev = _f(x0), x0
    while distance(x, x_prev) > tol:
        x, x_prev = _f(x), x
    return x


def fixed_point_vjp(ans, f, a, x0, distance, tol):
    from ..core import make_vjp

    def rev_iter(params):
        a, x_star, x_star_bar = params
        vjp_x, _ = make_vjp(f(a), x_star)
        vs = vspace(x_star)
        return lambda g: vs.add(vjp_x(g), x_star_bar)

    vjp_a, _ = make_vjp(lambda a: f(a)(ans), a)
    return lambda g: vjp_a(fixed_point(rev_iter, _tuple((a, ans, g)), vspace(x0).zeros(),
                                       distance, tol))


defvjp(fixed_point, None, fixed_point_vjp, None)
