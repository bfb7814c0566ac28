"""Eigendecompositions: ``eigh``/``eigvalsh`` (symmetric, Hermitian) and ``eig``/``eigvals``."""


from .._wrap import defprim
from ._helpers import (EigResult, EighResult, _c, _la, _composite, _conj, _diag_mat, _diag_of,
                       _from_triangle, _gap_inverse, _H, _iscx, _LazyParts, _mm, _mT, _once,
                       _part, _result, _row, _col, _slots, _to_triangle, _traced, _unpack)
from ._solve_det import _solve

# == eigh ====================================================================================

def _eigh_raw(a, UPLO="L"):
    return _la(a).eigh(a, UPLO)


def _eigh_jvp(t, ans, a, UPLO="L"):
    c = _c()
    w, v = _unpack(ans, 2)
    da = _from_triangle(t, UPLO.upper() == "L")
    m = _once(lambda: _mm(_mm(_H(v), da), v))  # Vᴴ dA V

    def dw():
        d = _diag_of(m())
        return c.real(d) if _iscx(d) else d

    def dv():
        # dV = V (F ∘ Vᴴ dA V), F_ij = 1/(w_j - w_i): the zero diagonal fixes the gauge.
        return _mm(v, _gap_inverse(_row(w) - _col(w)) * m())
    return _LazyParts(dw, dv)


def _eigh_vjp(g, ans, a, UPLO="L"):
    gw, gv = _slots(g, 2)
    w, v = _unpack(ans, 2)
    # Ā = V̄ (diag(w̄) + F ∘ Vᵀ v̄) Vᵀ, then folded onto the triangle LAPACK read.
    if gv is None:
        # Eigenvalues only: no division by eigenvalue gaps (fine at degenerate spectra).
        s = _mm(_conj(v) * _row(gw), _mT(v))
    else:
        inner = _gap_inverse(_row(w) - _col(w)) * _mm(_mT(v), gv)
        if gw is not None:
            inner = inner + _diag_mat(gw)
        s = _mm(_mm(_conj(v), inner), _mT(v))
    return _to_triangle(s, UPLO.upper() == "L")


eigh_p = defprim(_eigh_raw, "numpy.linalg.eigh")
eigh_p.defvjp(_eigh_vjp).defjvp(_eigh_jvp)


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric
    (Hermitian) matrix, ``(w, v)`` with ``a @ v = v * w``.

    NumPy reads one triangle (``UPLO``) and the derivatives are those of that
    function. Eigenvector derivatives need distinct eigenvalues; eigenvalue
    derivatives do not. Eigenvectors have an arbitrary sign (phase): only
    differentiate functions that do not depend on it.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.eigh(a)[0][1])(np.diag(np.array([1.0, 2.0])))
    array([[0., 0.],
           [0., 1.]])
    """
    return _result(eigh_p(a, UPLO=UPLO), EighResult)


@_composite
def eigvalsh(a, UPLO="L"):
    """Eigenvalues of a symmetric (Hermitian) matrix, ascending.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.sum(np.linalg.eigvalsh(a)))(np.eye(2))  # the trace
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(a):
        return _la(a).eigvalsh(a, UPLO)
    return _part(eigh_p(a, UPLO=UPLO), 0)


# == eig =====================================================================================

def _eig_raw(a):
    return _la(a).eig(a)


def _eig_jvp(t, ans, a):
    c = _c()
    w, v = _unpack(ans, 2)
    m = _once(lambda: _solve(v, _mm(t, v)))  # V⁻¹ dA V

    def dw():
        return _diag_of(m())

    def dv():
        d = _mm(v, _gap_inverse(_row(w) - _col(w)) * m())
        # NumPy's eigenvectors have unit norm: remove the component that changes it.
        r = c.sum(_conj(v) * d, axis=-2)
        return d - v * _row(c.real(r) if _iscx(r) else r)
    return _LazyParts(dw, dv)


def _eig_vjp(g, ans, a):
    c = _c()
    gw, gv = _slots(g, 2)
    w, v = _unpack(ans, 2)
    vt = _mT(v)
    if gv is None:
        inner = _diag_mat(gw)
    else:
        # Transpose of the unit-norm correction, then of V (F ∘ ·).
        r = c.sum(v * gv, axis=-2)
        gv = gv - _conj(v) * _row(c.real(r) if _iscx(r) else r)
        inner = _gap_inverse(_row(w) - _col(w)) * _mm(vt, gv)
        if gw is not None:
            inner = inner + _diag_mat(gw)
    res = _solve(vt, _mm(inner, vt))  # V⁻ᵀ (·) Vᵀ
    if not _iscx(a) and _iscx(res):
        res = c.real(res)  # a real input has a real cotangent
    return res


eig_p = defprim(_eig_raw, "numpy.linalg.eig")
eig_p.defvjp(_eig_vjp).defjvp(_eig_jvp)


def eig(a):
    """Eigenvalues and unit-norm right eigenvectors of a general square matrix.

    Derivatives need distinct eigenvalues; eigenvectors have an arbitrary
    phase, so differentiate only phase-independent functions of them. Real
    input with complex eigenvalues gives complex outputs (as NumPy).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.array([[2.0, 1.0], [0.0, 3.0]])
    >>> grad(lambda a: np.real(np.linalg.eig(a)[0][0]))(a)
    array([[ 1.,  0.],
           [-1.,  0.]])
    """
    return _result(eig_p(a), EigResult)


@_composite
def eigvals(a):
    """Eigenvalues of a general square matrix.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.sum(np.real(np.linalg.eigvals(a))))(np.eye(2))
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(a):
        return _la(a).eigvals(a)
    return _part(eig_p(a), 0)
