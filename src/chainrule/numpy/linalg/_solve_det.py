"""``inv``, ``solve``, ``det`` and ``slogdet``, and the batched solve the other rules use."""

import numpy as _np

from ...core.engine import getval
from .._wrap import (align, broadcast_tangent, defprim, dtype, is_lazy, like, ndim, shape,
                     unbroadcast)
from ._helpers import (SlogdetResult, _c, _la, _iscx, _LazyParts, _mm, _mT, _once, _part,
                       _result, _slots)

def _solve(a, b):
    """``solve(a, b)`` for a matrix stack ``b`` that may carry extra leading axes.

    Extra leading (tangent batch) axes are folded into the columns of ``b``
    so that ``a`` is factorized once rather than once per batch element.
    """
    c = _c()
    na, nd = ndim(a), ndim(b)
    k = nd - na
    sb = tuple(shape(b))
    if k <= 0 or sb[k:-2] != tuple(shape(a))[:-2]:
        return solve_p(a, b)
    lead = tuple(range(k))
    tail = tuple(range(nd - k, nd))
    bm = c.reshape(c.moveaxis(b, lead, tail), sb[k:-1] + (-1,))
    r = c.reshape(solve_p(a, bm), sb[k:] + sb[:k])
    return c.moveaxis(r, tail, lead)


# == inv, solve, det, slogdet ==============================================================

def _inv(a):
    """Inverse of a (stack of) square matrices.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> float(grad(lambda a: np.linalg.inv(a)[0, 0])(np.eye(2) * 2.0)[0, 0])
    -0.25
    """
    return _la(a).inv(a)


inv = defprim(_inv, "numpy.linalg.inv")
# d(A⁻¹) = -A⁻¹ dA A⁻¹; the VJP is its transpose.
inv.defvjp(lambda g, ans, a: -_mm(_mm(_mT(ans), g), _mT(ans)))
inv.defjvp(lambda t, ans, a: -_mm(_mm(ans, t), ans))


def _solve_raw(a, b):
    return _la(a).solve(a, b)


def _solve_vjp_joint(argnums, g, ans, a, b):
    # One solve with Aᵀ serves both: b̄ = A⁻ᵀ ḡ and Ā = -b̄ xᵀ.
    out_nd = ndim(ans)
    gb = _solve(_mT(a), g)
    res = []
    for i in argnums:
        if i == 0:
            res.append(unbroadcast(-_mm(gb, _mT(ans)), a, out_nd))
        else:
            res.append(unbroadcast(gb, b, out_nd))
    return res


def _solve_jvp_joint(traced, ans, a, b):
    # dx = A⁻¹ (db - dA x): one solve for the sum of both contributions.
    out_nd = ndim(ans)
    rhs = None
    for i, t in traced:
        term = -_mm(align(t, a, out_nd), ans) if i == 0 else align(t, b, out_nd)
        rhs = term if rhs is None else rhs + term
    return _solve(a, rhs)


solve_p = defprim(_solve_raw, "numpy.linalg.solve")
solve_p.vjp_joint = _solve_vjp_joint
solve_p.jvp_joint = _solve_jvp_joint
solve_p.shape_tangent = broadcast_tangent


def solve(a, b):
    """Solve ``a @ x = b``; ``b`` is a vector (1-D) or a stack of matrices.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda b: np.sum(np.linalg.solve(2.0 * np.eye(2), b)))(np.ones(2))
    array([0.5, 0.5])
    """
    if ndim(b) == 1:
        # NumPy 2: a 1-D b is one vector (broadcast against every matrix of a stack).
        c = _c()
        return c.reshape(solve_p(a, c.reshape(b, (-1, 1))), tuple(shape(a))[:-1])
    return solve_p(a, b)


def _det(a):
    """Determinant of a (stack of) square matrices.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(np.linalg.det)(np.array([[2.0, 1.0], [0.0, 3.0]]))
    array([[ 3.,  0.],
           [-1.,  2.]])
    """
    return _la(a).det(a)


def _cofactors(ans, a):
    """The cofactor matrix of ``a`` (a stack), ∂det/∂A: ``det · A⁻ᵀ`` where every matrix
    of the stack has a nonzero determinant (the fast path: one inverse), else from the
    minors, ``(-1)^(i+j) det(A without row i and column j)``, exact also at a singular
    matrix (where A⁻ᵀ does not exist but the adjugate does). Both are built from
    differentiable functions, so second derivatives go through det's rule again (the
    minors' own determinants take the fast path unless they are singular too)."""
    c = _c()
    av = getval(a)
    if is_lazy(av) or not _np.any(getval(ans) == 0):
        try:
            ia = inv(a)
            if is_lazy(av) or _well_conditioned(av, getval(ia)):
                return c.expand_dims(ans, (-2, -1)) * _mT(ia)
        except _np.linalg.LinAlgError:  # det rounded away from 0 on a singular matrix
            pass
    n = tuple(shape(a))[-1]
    # rows[i]: every index but i; minors[..., i, j] = a[..., rows[i], :][..., rows[j]]
    rows = _np.array([[k for k in range(n) if k != i] for i in range(n)], dtype=_np.intp)
    rows = rows.reshape(n, n - 1)
    minors = a[..., rows[:, None, :, None], rows[None, :, None, :]]
    signs = (-1.0) ** _np.add.outer(_np.arange(n), _np.arange(n))
    return like(signs.astype(dtype(a)), av) * det(minors)


def _well_conditioned(av, iv, rcond=1e-6):
    """Whether every matrix of the stack is far enough from singular for det · A⁻ᵀ: near a
    singular matrix (a rank-one product rounded to a determinant of 1e-18) that product is
    right to first order but its own derivative, a difference of terms of size κ², loses
    every digit (an hvp off by 0.2 where it is 0); there the minors are exact. Checked on
    NumPy's arrays; other libraries' take the fast path."""
    if type(av) is not _np.ndarray or type(iv) is not _np.ndarray:
        return True
    na = _np.max(_np.sum(_np.abs(av), axis=-1), axis=-1)
    ni = _np.max(_np.sum(_np.abs(iv), axis=-1), axis=-1)
    return bool(_np.all(na * ni * rcond < 1.0))


def _det_vjp(g, ans, a):
    # ∂det/∂A = cof(A), det · A⁻ᵀ where A is invertible (Jacobi's formula).
    c = _c()
    return c.expand_dims(g, (-2, -1)) * _cofactors(ans, a)


def _det_jvp(t, ans, a):
    # d det = tr(adj(A) dA) = Σ cof(A) ∘ dA, an elementwise product (no n×n product).
    c = _c()
    return c.sum(_cofactors(ans, a) * t, axis=(-2, -1))


det = defprim(_det, "numpy.linalg.det")
det.defvjp(_det_vjp).defjvp(_det_jvp)


def _slogdet_raw(a):
    return _la(a).slogdet(a)


def _inv_for_slogdet(a):
    # logabsdet = -inf at a singular matrix and its derivative A⁻ᵀ is unbounded there: no
    # value to give, so a loud error that says so (det's derivative, the adjugate, exists).
    try:
        return inv(a)
    except _np.linalg.LinAlgError as e:
        raise _np.linalg.LinAlgError(
            "chainrule: the derivative of slogdet's logabsdet at a singular matrix is "
            "unbounded (logabsdet is -inf there, its gradient A^-T does not exist); "
            "numpy.linalg.det is differentiable there (its gradient is the adjugate)") from e


def _slogdet_vjp(g, ans, a):
    c = _c()
    gs, gl = _slots(g, 2)
    if gl is None and not _iscx(a):
        # Only the (locally constant) sign of a real determinant was used.
        return like(_np.zeros(tuple(shape(gs)) + tuple(shape(a))[-2:], dtype=dtype(a)), gs)
    coef = gl
    if gs is not None and _iscx(a):
        # sign = det/|det| turns with Im tr(A⁻¹ dA): its cotangent adds i·Im(ḡ·sign).
        sign = _part(ans, 0)
        extra = 1j * c.imag(gs * sign)
        coef = extra if coef is None else coef + extra
    return c.expand_dims(coef, (-2, -1)) * _mT(_inv_for_slogdet(a))


def _slogdet_jvp(t, ans, a):
    c = _c()
    z = _once(lambda: c.sum(_mT(_inv_for_slogdet(a)) * t, axis=(-2, -1)))  # tr(A⁻¹ dA)
    if _iscx(a):
        return _LazyParts(lambda: _part(ans, 0) * (1j * c.imag(z())), lambda: c.real(z()))
    # A real determinant's sign is locally constant.
    zshape = tuple(shape(t))[:ndim(t) - 2]
    return _LazyParts(lambda: like(_np.zeros(zshape, dtype=dtype(t)), t), z)


slogdet_p = defprim(_slogdet_raw, "numpy.linalg.slogdet")
slogdet_p.defvjp(_slogdet_vjp).defjvp(_slogdet_jvp)


def slogdet(a):
    """Sign and natural log of the absolute determinant, ``(sign, logabsdet)``.

    ``logabsdet`` is differentiable (its gradient is ``A⁻ᵀ``); so is the sign
    of a complex matrix (the sign of a real one is piecewise constant).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.slogdet(a)[1])(np.diag(np.array([2.0, 4.0])))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return _result(slogdet_p(a), SlogdetResult)
