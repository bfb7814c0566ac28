"""``cholesky``: a primitive whose rules read one triangle, as LAPACK does."""

from .._wrap import defprim, shape
from ._helpers import _c, _eye, _from_triangle, _H, _la, _mm, _mT, _to_triangle
from ._solve_det import _solve

# == cholesky ================================================================================


def _phi(x):
    """Lower triangle with the diagonal halved."""
    c = _c()
    return c.tril(x, -1) + 0.5 * (x * _eye(shape(x)[-1], x))


def _cholesky_raw(a, upper=False):
    return _la(a).cholesky(a, upper=upper)


def _chol_lower(ans, upper):
    return _H(ans) if upper else ans


def _cholesky_jvp(t, ans, a, upper=False):
    # dL = L Φ(L⁻¹ dA L⁻ᴴ) with dA the Hermitian matrix read from one triangle.
    L = _chol_lower(ans, upper)
    da = _from_triangle(t, not upper)
    x = _H(_solve(L, _H(_solve(L, da))))
    dl = _mm(L, _phi(x))
    return _H(dl) if upper else dl


def _cholesky_vjp(g, ans, a, upper=False):
    # Transpose of the JVP: Ḡ = L⁻ᵀ Φ(Lᵀ ḡ) L̄⁻¹ (L̄ = conj L), folded onto the triangle read.
    L = _chol_lower(ans, upper)
    gl = _H(g) if upper else g
    p = _phi(_mm(_mT(L), gl))
    s = _mT(_solve(_H(L), _mT(_solve(_mT(L), p))))
    return _to_triangle(s, not upper)


cholesky_p = defprim(_cholesky_raw, "numpy.linalg.cholesky")
cholesky_p.defvjp(_cholesky_vjp).defjvp(_cholesky_jvp)


def cholesky(a, /, *, upper=False):
    """Cholesky factor ``L`` (lower, ``a = L Lᴴ``) or ``U`` (``upper=True``, ``a = Uᴴ U``).

    Only the lower (upper) triangle of ``a`` is read, so the gradient is
    lower (upper) triangular; along symmetric directions it is the usual one.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.cholesky(a)[1, 1])(np.array([[4.0, 2.0], [2.0, 5.0]]))[1]
    array([-0.25,  0.25])
    """
    return cholesky_p(a, upper=upper)
