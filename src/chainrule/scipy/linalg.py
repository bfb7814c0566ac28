"""``chainrule.scipy.linalg``: SciPy's matrix functions with derivatives.

Primitives: :func:`cholesky`, :func:`solve_triangular`, :func:`solve_banded`,
:func:`solve_sylvester`,
:func:`sqrtm`, :func:`expm`; built from them: :func:`cho_factor`,
:func:`cho_solve`. Every rule is written with these same functions, so
second derivatives work. Matrices may carry leading batch axes
(``(..., n, n)``), as in SciPy >= 1.15.

Complex inputs follow chainrule's (autograd's) convention, where a VJP is the
plain transpose of the Jacobian: the rules of these holomorphic maps use
``swapaxes``, not the conjugate transpose.

Anything else, e.g. ``det`` or ``inv``, is taken from
``chainrule.numpy.linalg`` when that module has it.
"""

import numpy as _np

from ..core.errors import NotDifferentiableError
from .. import numpy as cnp
from ..core.engine import getval
from ..numpy._wrap import align, broadcast_tangent, defprim, ndim, shape, unbroadcast
from ._common import composite, require

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve_banded",
           "solve_sylvester", "sqrtm", "expm"]


def _mT(x):
    return cnp.swapaxes(x, -1, -2)


def _is_complex(x):
    return _np.iscomplexobj(getval(x))


# ----------------------------------------------------------------------------
# Cholesky
# ----------------------------------------------------------------------------

def _chol_raw(a):
    # NumPy's Cholesky (no SciPy needed) reads the lower triangle only, as SciPy's
    # lower=True does; batched over leading axes.
    return _np.linalg.cholesky(a)


def _phi(x):
    """Lower triangle with the diagonal halved."""
    # A boolean mask keeps x's dtype (a float64 eye would promote float32 to float64).
    return cnp.tril(x) - 0.5 * (x * _np.eye(shape(x)[-1], dtype=bool))


def _tri_solve_both(L, x):
    """L^{-1} x L^{-T} for lower-triangular L."""
    y = solve_triangular(L, x, lower=True)
    return _mT(solve_triangular(L, _mT(y), lower=True))


def _real_only(a):
    if _is_complex(a):
        raise NotDifferentiableError(
            "chainrule.scipy.linalg.cholesky: derivatives for complex matrices are not "
            "implemented (the factor is not a holomorphic function of the matrix)")


def _chol_jvp(t, ans, a):
    _real_only(a)
    # Only the lower triangle of a is read: the symmetric matrix it stands for.
    ts = cnp.tril(t) + _mT(cnp.tril(t, -1))
    return ans @ _phi(_tri_solve_both(ans, ts))


def _chol_vjp(g, ans, a):
    _real_only(a)
    # S = L^{-T} Φ(L^T Ḡ) L^{-1} is the gradient with respect to the symmetric
    # matrix; each strictly lower entry of a stands for two entries of it.
    p = _phi(_mT(ans) @ g)
    s = _mT(solve_triangular(ans, _mT(solve_triangular(ans, p, lower=True, trans=1)),
                             lower=True, trans=1))
    out = cnp.tril(s) + cnp.tril(_mT(s), -1)
    return unbroadcast(out, a, ndim(ans))


_chol = defprim(_chol_raw, "scipy.linalg.cholesky", opaque_to_jit=True)
_chol.defvjp(_chol_vjp).defjvp(_chol_jvp)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Cholesky factor of a symmetric positive definite matrix (batched).

    ``lower=False`` (SciPy's default) returns ``U`` with ``a = U^H U`` and
    reads the upper triangle of ``a``; ``lower=True`` returns ``L`` with
    ``a = L L^H`` and reads the lower triangle. The derivatives are those of
    that function (the other triangle gets none), for real matrices; the
    value alone also works for complex ones. Needs no SciPy.

    >>> cholesky(cnp.array([[4.0, 2.0], [2.0, 2.0]]), lower=True)
    array([[2., 0.],
           [1., 1.]])
    """
    if check_finite and not _np.all(_np.isfinite(getval(a))):
        raise ValueError("array must not contain infs or NaNs")
    if lower:
        return _chol(a)
    # The upper triangle of a is the lower triangle of a^H.
    ah = cnp.conj(_mT(a)) if _is_complex(a) else _mT(a)
    u = _mT(_chol(ah))
    return cnp.conj(u) if _is_complex(a) else u


@composite("scipy.linalg.cho_factor")
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)`` for :func:`cho_solve`: the Cholesky factor, with zeros
    (not SciPy's arbitrary values) in the other triangle.

    >>> c, low = cho_factor(cnp.array([[4.0, 2.0], [2.0, 2.0]]))
    >>> c, low
    (array([[2., 1.],
           [0., 1.]]), False)
    """
    return cholesky(a, lower=lower, check_finite=check_finite), lower


@composite("scipy.linalg.cho_solve")
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve ``a x = b`` given ``(c, lower) = cho_factor(a)``; differentiable in ``c`` and ``b``.

    >>> cho_solve(cho_factor(cnp.array([[4.0, 2.0], [2.0, 2.0]])), cnp.array([2.0, 1.0]))
    array([0.5, 0. ])
    """
    c, lower = c_and_lower
    kw = dict(check_finite=check_finite)
    if lower:  # a = L L^H
        y = solve_triangular(c, b, lower=True, **kw)
        return solve_triangular(c, y, lower=True, trans="C", **kw)
    y = solve_triangular(c, b, lower=False, trans="C", **kw)  # a = U^H U
    return solve_triangular(c, y, lower=False, **kw)


# ----------------------------------------------------------------------------
# Triangular solves
# ----------------------------------------------------------------------------

def _st_raw(a, b, trans=0, lower=False, unit_diagonal=False, check_finite=True):
    """op(a)^{-1} b for b of shape (..., n, k), batched over leading axes."""
    sl = require("scipy.linalg", "chainrule.scipy.linalg.solve_triangular")
    a, b = _np.asarray(a), _np.asarray(b)

    def solve(a2, b2):
        return sl.solve_triangular(a2, b2, trans=trans, lower=lower,
                                   unit_diagonal=unit_diagonal, check_finite=check_finite)
    if a.ndim == 2 and b.ndim > 2:
        # One matrix, many right-hand sides: one LAPACK call on (n, batch * k).
        n = b.shape[-2]
        bm = _np.moveaxis(b, -2, 0).reshape(n, -1)
        x = solve(a, bm).reshape((n,) + b.shape[:-2] + b.shape[-1:])
        return _np.moveaxis(x, 0, -2)
    if a.ndim > 2:
        # A stack of matrices: NumPy's vectorized solve on the triangle that is read
        # (SciPy loops over the stack in Python).
        if check_finite and not (_np.isfinite(a).all() and _np.isfinite(b).all()):
            raise ValueError("array must not contain infs or NaNs")
        n = a.shape[-1]
        m = _np.tril(a) if lower else _np.triu(a)
        if unit_diagonal:
            m = m * (1 - _np.eye(n, dtype=bool)) + _np.eye(n, dtype=m.dtype)
        if trans:
            m = _np.swapaxes(m, -1, -2)
        return _np.linalg.solve(m, b)
    return solve(a, b)


def _tri(x, lower, unit_diagonal):
    if lower:
        return cnp.tril(x, -1 if unit_diagonal else 0)
    return cnp.triu(x, 1 if unit_diagonal else 0)


def _st_vjp_a(g, ans, a, b, trans=0, lower=False, unit_diagonal=False, check_finite=True):
    bbar = _st(a, g, trans=1 - trans, lower=lower, unit_diagonal=unit_diagonal,
               check_finite=check_finite)
    # dX = -op(A)^{-1} op(dA) X, so Ā = -tri(B̄ X^T) (or its transpose for op = T).
    abar = -(bbar @ _mT(ans) if trans == 0 else ans @ _mT(bbar))
    nb = ndim(g) - ndim(ans)
    return unbroadcast(_tri(abar, lower, unit_diagonal), a, ndim(abar) - nb)


def _st_vjp_b(g, ans, a, b, trans=0, lower=False, unit_diagonal=False, check_finite=True):
    bbar = _st(a, g, trans=1 - trans, lower=lower, unit_diagonal=unit_diagonal,
               check_finite=check_finite)
    return unbroadcast(bbar, b, ndim(ans))


def _st_jvp_a(t, ans, a, b, trans=0, lower=False, unit_diagonal=False, check_finite=True):
    # Batch axes of the tangent go in front of the output's own batch axes.
    dt = _tri(align(t, a, ndim(ans)), lower, unit_diagonal)
    if trans:
        dt = _mT(dt)
    return -_st(a, dt @ ans, trans=trans, lower=lower, unit_diagonal=unit_diagonal,
                check_finite=check_finite)


def _st_jvp_b(t, ans, a, b, trans=0, lower=False, unit_diagonal=False, check_finite=True):
    return _st(a, align(t, b, ndim(ans)), trans=trans, lower=lower,
               unit_diagonal=unit_diagonal, check_finite=check_finite)


_st = defprim(_st_raw, "scipy.linalg.solve_triangular", opaque_to_jit=True)
_st.defvjp(_st_vjp_a, _st_vjp_b).defjvp(_st_jvp_a, _st_jvp_b)
_st.shape_tangent = broadcast_tangent

_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """Solve ``op(a) x = b`` for triangular ``a``; differentiable in ``a`` and ``b``.

    ``trans`` is 0/'N' (a), 1/'T' (a^T) or 2/'C' (a^H); only the ``lower`` (or
    upper) triangle of ``a`` is read, and its diagonal is taken as ones with
    ``unit_diagonal``. ``b`` is ``(n,)``, ``(n, k)`` or batched ``(..., n, k)``.

    >>> solve_triangular(cnp.array([[2.0, 0.0], [1.0, 1.0]]), cnp.array([2.0, 3.0]), lower=True)
    array([1., 2.])
    """
    t = _TRANS[trans]
    if t == 2:
        # a^H x = b is a^T x = b with conj(a): the primitive stays holomorphic.
        t = 1
        if _is_complex(a):
            a = cnp.conj(a)
    kw = dict(trans=t, lower=lower, unit_diagonal=unit_diagonal, check_finite=check_finite)
    if ndim(b) == 1:  # a vector: one column
        return _st(a, cnp.reshape(b, (-1, 1)), **kw)[..., 0]
    return _st(a, b, **kw)


# ----------------------------------------------------------------------------
# Banded solves
# ----------------------------------------------------------------------------

def _sb_raw(ab, b, l_and_u=(0, 0), check_finite=True):
    """a^{-1} b for a banded ``a`` stored as ``ab`` (LAPACK's band storage) and b
    of shape (..., n, k): one LAPACK call for all right-hand sides."""
    sl = require("scipy.linalg", "chainrule.scipy.linalg.solve_banded")
    ab, b = _np.asarray(ab), _np.asarray(b)
    n = b.shape[-2]
    bm = _np.moveaxis(b, -2, 0).reshape(n, -1)
    x = sl.solve_banded(tuple(l_and_u), ab, bm, check_finite=check_finite)
    return _np.moveaxis(x.reshape((n,) + b.shape[:-2] + b.shape[-1:]), 0, -2)


def _band_index(l, u, n, row_of):
    """Index arrays and validity mask over band storage (l + u + 1, n):
    ``row_of(r, j)`` is the matrix row of entry (r, j)."""
    r = _np.arange(l + u + 1)[:, None]
    j = _np.arange(n)[None, :]
    i = row_of(r, j)
    valid = (i >= 0) & (i < n)
    return _np.where(valid, i, 0), valid


def _band_transpose(ab, l, u):
    """Band storage of a^T, which has (u, l) sub/super-diagonals:
    abT[r, j] = a[r + j - l, j]^T = a[j, r + j - l] = ab[u + l - r, r + j - l]."""
    n = shape(ab)[-1]
    col, valid = _band_index(l, u, n, lambda r, j: r + j - l)
    rows = _np.broadcast_to(_np.arange(l + u, -1, -1)[:, None], col.shape)
    return cnp.where(valid, ab[..., rows, col], 0.0)


def _band_matmul(ab, x, l, u):
    """a @ x from band storage: (a x)[i] = sum_r ab[r, i + u - r] x[i + u - r]."""
    n = shape(ab)[-1]
    col, valid = _band_index(l, u, n, lambda r, i: i + u - r)
    rows = _np.broadcast_to(_np.arange(l + u + 1)[:, None], col.shape)
    coef = cnp.where(valid, ab[..., rows, col], 0.0)  # (..., R, n)
    xs = x[..., col, :]  # (..., R, n, k)
    return cnp.sum(coef[..., None] * xs, axis=-3)


def _sb_vjp_ab(g, ans, ab, b, l_and_u=(0, 0), check_finite=True):
    l, u = l_and_u
    bbar = _sb(_band_transpose(ab, l, u), g, l_and_u=(u, l), check_finite=check_finite)
    # Ā[i, j] = -sum_k B̄[i, k] X[j, k] on the band: entry (r, j) has row i = r + j - u.
    n = shape(ab)[-1]
    row, valid = _band_index(l, u, n, lambda r, j: r + j - u)
    prod = cnp.sum(bbar[..., row, :] * cnp.expand_dims(ans, -3), axis=-1)
    abar = -cnp.where(valid, prod, 0.0)
    nb = ndim(g) - ndim(ans)
    return unbroadcast(abar, ab, ndim(abar) - nb)


def _sb_vjp_b(g, ans, ab, b, l_and_u=(0, 0), check_finite=True):
    l, u = l_and_u
    bbar = _sb(_band_transpose(ab, l, u), g, l_and_u=(u, l), check_finite=check_finite)
    return unbroadcast(bbar, b, ndim(ans))


def _sb_jvp_ab(t, ans, ab, b, l_and_u=(0, 0), check_finite=True):
    l, u = l_and_u
    rhs = _band_matmul(align(t, ab, ndim(ans)), ans, l, u)
    return -_sb(ab, rhs, l_and_u=l_and_u, check_finite=check_finite)


def _sb_jvp_b(t, ans, ab, b, l_and_u=(0, 0), check_finite=True):
    return _sb(ab, align(t, b, ndim(ans)), l_and_u=l_and_u, check_finite=check_finite)


_sb = defprim(_sb_raw, "scipy.linalg.solve_banded", opaque_to_jit=True)
_sb.defvjp(_sb_vjp_ab, _sb_vjp_b).defjvp(_sb_jvp_ab, _sb_jvp_b)
_sb.shape_tangent = broadcast_tangent


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """Solve ``a x = b`` for a banded ``a`` given in band storage ``ab``
    (``ab[u + i - j, j] = a[i, j]``, ``l`` sub- and ``u`` super-diagonals);
    differentiable in ``ab`` and ``b``. Entries of ``ab`` outside the matrix
    are not read and get no gradient.

    >>> ab = cnp.array([[0.0, 1.0], [2.0, 2.0]])  # [[2, 1], [0, 2]]: u = 1
    >>> solve_banded((0, 1), ab, cnp.array([3.0, 2.0]))
    array([1., 1.])
    """
    l_and_u = (int(l_and_u[0]), int(l_and_u[1]))
    kw = dict(l_and_u=l_and_u, check_finite=check_finite)
    if ndim(b) == 1:
        return _sb(ab, cnp.reshape(b, (-1, 1)), **kw)[..., 0]
    return _sb(ab, b, **kw)


# ----------------------------------------------------------------------------
# Sylvester equations, square roots, exponentials
# ----------------------------------------------------------------------------

def _syl_raw(a, b, q):
    sl = require("scipy.linalg", "chainrule.scipy.linalg.solve_sylvester")
    a, b, q = _np.asarray(a), _np.asarray(b), _np.asarray(q)
    if a.ndim == 2 and b.ndim == 2 and q.ndim == 2:
        return sl.solve_sylvester(a, b, q)
    try:
        return sl.solve_sylvester(a, b, q)
    except ValueError:  # SciPy < 1.15: no batches
        batch = _np.broadcast_shapes(a.shape[:-2], b.shape[:-2], q.shape[:-2])
        a, b, q = (_np.broadcast_to(m, batch + m.shape[-2:]) for m in (a, b, q))
        outs = [sl.solve_sylvester(a[i], b[i], q[i]) for i in _np.ndindex(*batch)]
        return _np.stack(outs).reshape(batch + q.shape[-2:])


def _syl_vjp_joint(argnums, g, ans, a, b, q):
    # X̄ solves the transposed equation; A X + X B = Q gives Ā = -Q̄ X^T, B̄ = -X^T Q̄.
    qbar = solve_sylvester(_mT(a), _mT(b), g)
    nb = ndim(g) - ndim(ans)
    out = []
    for i in argnums:
        if i == 0:
            c = -(qbar @ _mT(ans))
        elif i == 1:
            c = -(_mT(ans) @ qbar)
        else:
            c = qbar
        out.append(unbroadcast(c, (a, b, q)[i], ndim(c) - nb))
    return out


solve_sylvester = defprim(_syl_raw, "scipy.linalg.solve_sylvester", opaque_to_jit=True)
solve_sylvester.__doc__ = """Solve the Sylvester equation ``a x + x b = q`` (batched).

    Differentiable in all three arguments.

    >>> solve_sylvester(cnp.eye(2), cnp.eye(2), 2.0 * cnp.eye(2))
    array([[1., 0.],
           [0., 1.]])
    """
solve_sylvester.vjp_joint = _syl_vjp_joint
solve_sylvester.defjvp(
    lambda t, ans, a, b, q: solve_sylvester(a, b, -(align(t, a, ndim(ans)) @ ans)),
    lambda t, ans, a, b, q: solve_sylvester(a, b, -(ans @ align(t, b, ndim(ans)))),
    lambda t, ans, a, b, q: solve_sylvester(a, b, align(t, q, ndim(ans))))
solve_sylvester.shape_tangent = broadcast_tangent


def _sqrtm_raw(a):
    sl = require("scipy.linalg", "chainrule.scipy.linalg.sqrtm")
    return sl.sqrtm(_np.asarray(a))


_sqrtm = defprim(_sqrtm_raw, "scipy.linalg.sqrtm", opaque_to_jit=True)
# X X = A gives X dX + dX X = dA: one Sylvester solve each way.
_sqrtm.defjvp(lambda t, ans, a: solve_sylvester(ans, ans, t))
_sqrtm.defvjp(lambda g, ans, a: solve_sylvester(_mT(ans), _mT(ans), g))


def sqrtm(A, disp=True, blocksize=64):
    """Principal matrix square root (batched); differentiable.

    >>> sqrtm(cnp.array([[4.0, 0.0], [0.0, 9.0]]))
    array([[2., 0.],
           [0., 3.]])
    """
    if not disp:
        raise ValueError("chainrule.scipy.linalg.sqrtm: disp=False is not supported")
    return _sqrtm(A)


def _expm_raw(a):
    sl = require("scipy.linalg", "chainrule.scipy.linalg.expm")
    return sl.expm(_np.asarray(a))


def _frechet(a, e):
    """Fréchet derivative L(a, e) of expm: the top-right block of
    expm([[a, e], [0, a]]) (Mathias 1996). Built from expm, so differentiable again."""
    n = shape(a)[-1]
    batch = _np.broadcast_shapes(shape(a)[:-2], shape(e)[:-2])
    a = cnp.broadcast_to(a, batch + (n, n))
    top = cnp.concatenate([a, e], axis=-1)
    zero = _np.zeros(batch + (n, n), dtype=_np.result_type(getval(a), getval(e)))
    bottom = cnp.concatenate([zero, a], axis=-1)
    big = expm(cnp.concatenate([top, bottom], axis=-2))
    return big[..., :n, n:]


expm = defprim(_expm_raw, "scipy.linalg.expm", opaque_to_jit=True)
expm.__doc__ = """Matrix exponential (batched); derivatives by the block-matrix Fréchet formula.

    >>> expm(cnp.zeros((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
expm.defjvp(lambda t, ans, a: _frechet(a, t))
expm.defvjp(lambda g, ans, a: _frechet(_mT(a), g))


def __getattr__(name):
    # det, inv, solve...: whatever chainrule.numpy.linalg provides, looked up on use
    # so that this module does not depend on it being complete.
    from ..numpy import linalg as _nla
    try:
        return getattr(_nla, name)
    except AttributeError:
        raise AttributeError(
            f"chainrule.scipy.linalg has no {name!r} (nor does chainrule.numpy.linalg)") from None
