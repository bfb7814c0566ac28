"""``chainrule.numpy.linalg``: ``numpy.linalg`` with derivatives.

Every public name of ``numpy.linalg`` is here:

* primitives with forward (JVP) and reverse (VJP) rules: ``inv``, ``det``,
  ``solve``, ``slogdet``, ``cholesky``, ``eigh``, ``eig``, ``svd``, ``qr``,
  ``pinv`` and the Euclidean/Frobenius norm;
* functions built from primitives: ``norm``, ``vector_norm``,
  ``matrix_norm``, ``eigvals``, ``eigvalsh``, ``svdvals``, ``cond``,
  ``lstsq``, ``matrix_power``, ``multi_dot``, ``tensorsolve``, ``tensorinv``
  and the array-API aliases (``matmul``, ``tensordot``, ``trace``...);
* ``matrix_rank`` (an integer) is non-differentiable; ``LinAlgError`` and
  ``test`` are NumPy's own.

Conventions
-----------
* Matrices may be stacked (``(..., m, n)``) as in NumPy; tangents and
  cotangents may carry extra *leading* batch axes, which every rule passes
  through with ``...`` broadcasting (matmul, elementwise products).
* Complex inputs follow the library convention: a VJP is the transpose (not
  the conjugate transpose) of the JVP's linear map, conjugations included.
* ``cholesky`` and ``eigh`` (and ``eigvalsh``) read one triangle of their
  input, as LAPACK does; their derivatives are those of the function NumPy
  actually computes, so they agree with finite differences in every
  direction. Along symmetric (Hermitian) directions, the usual case, this is
  the textbook derivative; the gradient itself is triangular.
* Decompositions with several outputs (``eigh``, ``svd``...) are one
  primitive whose value is a tuple; :func:`_part` picks an output. Reverse
  mode carries one cotangent slot per output (``None`` for an output that was
  not used, so e.g. eigenvalue-only functions never divide by eigenvalue gaps);
  forward mode computes only the output tangents that are used.

Formulas: M. Giles, "An extended collection of matrix derivative results for
forward and reverse mode AD" (2008); J. Townsend, "Differentiating the
singular value decomposition" (2016); I. Murray, "Differentiation of the
Cholesky decomposition" (2016); the rules of HIPS autograd and JAX.
"""

import operator

import numpy as _np
import numpy.linalg as _la
from numpy.linalg import LinAlgError  # noqa: F401 - re-exported as is
from numpy.linalg import test  # noqa: F401 - NumPy's test runner, re-exported

from ..core.errors import NotDifferentiableError
from ..core.trace import Box, getval
from ._wrap import (align, broadcast_tangent, defprim, dtype, ndim, nondiff,
                    normalize_axis, shape, unbroadcast)
from .products import matmul_p
from .reductions import COMPOSITES

try:  # the result types NumPy's own functions return (NumPy >= 2)
    from numpy.linalg._linalg import (EigResult, EighResult, QRResult, SlogdetResult,
                                      SVDResult)
except ImportError:  # pragma: no cover - NumPy 1.x
    from collections import namedtuple
    EigResult = namedtuple("EigResult", "eigenvalues eigenvectors")
    EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")
    QRResult = namedtuple("QRResult", "Q R")
    SlogdetResult = namedtuple("SlogdetResult", "sign logabsdet")
    SVDResult = namedtuple("SVDResult", "U S Vh")

__all__ = [
    "LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
    "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
    "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd",
    "svdvals", "tensordot", "tensorinv", "tensorsolve", "test", "trace", "vecdot", "vector_norm",
]

_cnp_module = None


def _c():
    """``chainrule.numpy``, imported on first use (it imports this module)."""
    global _cnp_module
    if _cnp_module is None:
        from .. import numpy as m
        _cnp_module = m
    return _cnp_module


def _composite(f):
    """Register a function built from primitives as ``numpy.linalg.<name>``."""
    COMPOSITES["numpy.linalg." + f.__name__] = f
    return f


def _traced(*xs):
    return any(type(x) is Box for x in xs)


# -- small matrix helpers (all differentiable, all batch-transparent) ---------------------

def _mT(x):
    return _c().swapaxes(x, -1, -2)


def _iscx(x):
    return dtype(x).kind == "c"


def _conj(x):
    return _c().conj(x) if _iscx(x) else x


def _H(x):
    """Conjugate transpose of the last two axes."""
    return _conj(_mT(x))


def _mm(a, b):
    return matmul_p(a, b)


def _diag_of(x):
    return _c().diagonal(x, axis1=-2, axis2=-1)


def _diag_mat(v):
    """``(..., n) -> (..., n, n)`` with ``v`` on the diagonal."""
    n = shape(v)[-1]
    return _c().expand_dims(v, -2) * _np.eye(n, dtype=bool)


def _row(v):
    return _c().expand_dims(v, -2)  # (..., n) -> (..., 1, n): scales columns


def _col(v):
    return _c().expand_dims(v, -1)  # (..., n) -> (..., n, 1): scales rows


def _gap_inverse(d):
    """``1 / d`` off the diagonal, 0 on it (``d`` holds eigen- or singular-value gaps)."""
    c = _c()
    eye = _np.eye(shape(d)[-1], dtype=bool)
    return c.where(eye, 0.0, 1.0 / c.where(eye, 1.0, d))


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


# -- several outputs: one tuple-valued primitive, parts picked by _part -------------------

class _Parts:
    """Cotangent of a tuple-valued primitive: one slot per output, ``None`` for zero."""

    __slots__ = ("slots",)

    def __init__(self, slots):
        self.slots = tuple(slots)

    def __add__(self, other):
        return _Parts(b if a is None else a if b is None else a + b
                      for a, b in zip(self.slots, other.slots, strict=True))


class _LazyParts:
    """Tangent of a tuple-valued primitive whose parts are computed on first use."""

    __slots__ = ("_fns", "_vals")

    def __init__(self, *fns):
        self._fns = fns
        self._vals = [None] * len(fns)

    def __getitem__(self, i):
        v = self._vals[i]
        if v is None:
            v = self._vals[i] = self._fns[i]()
        return v

    def __len__(self):
        return len(self._fns)


def _once(f):
    """A thunk that runs ``f`` once (intermediates shared by several lazy parts)."""
    box = []

    def g():
        if not box:
            box.append(f())
        return box[0]
    return g


def _part_raw(x, i):
    return x[i]


_part = defprim(_part_raw, "numpy.linalg._part", needs_ans=False)
_part.defvjp(lambda g, ans, x, i: _Parts(g if j == i else None for j in range(len(x))))
_part.defjvp(lambda t, ans, x, i: t[i])


def _unpack(res, n):
    return tuple(_part(res, i) for i in range(n))


def _result(res, cls):
    """The decomposition's outputs as NumPy's named tuple."""
    if type(res) is not Box:
        return res  # plain values: NumPy's own result
    return cls(*_unpack(res, len(cls._fields)))


def _slots(g, n):
    """The per-output cotangents of a tuple-valued primitive (``None``: zero)."""
    if isinstance(g, _Parts):
        return g.slots
    if isinstance(g, (tuple, list)) and len(g) == n:
        return tuple(g)
    raise TypeError(f"chainrule: expected one cotangent per output ({n}), got {type(g).__name__}")


# == inv, solve, det, slogdet ==============================================================

def _inv(a):
    """Inverse of a (stack of) square matrices.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> float(grad(lambda a: np.linalg.inv(a)[0, 0])(np.eye(2) * 2.0)[0, 0])
    -0.25
    """
    return _la.inv(a)


inv = defprim(_inv, "numpy.linalg.inv")
# d(A⁻¹) = -A⁻¹ dA A⁻¹; the VJP is its transpose.
inv.defvjp(lambda g, ans, a: -_mm(_mm(_mT(ans), g), _mT(ans)))
inv.defjvp(lambda t, ans, a: -_mm(_mm(ans, t), ans))


def _solve_raw(a, b):
    return _la.solve(a, b)


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
solve_p.fix_tangent = broadcast_tangent


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
    return _la.det(a)


def _det_vjp(g, ans, a):
    # ∂det/∂A = det · A⁻ᵀ (Jacobi's formula).
    c = _c()
    return c.expand_dims(g * ans, (-2, -1)) * _mT(inv(a))


def _det_jvp(t, ans, a):
    # d det = det · tr(A⁻¹ dA), the trace as an elementwise product (no n×n product).
    c = _c()
    return ans * c.sum(_mT(inv(a)) * t, axis=(-2, -1))


det = defprim(_det, "numpy.linalg.det")
det.defvjp(_det_vjp).defjvp(_det_jvp)


def _slogdet_raw(a):
    return _la.slogdet(a)


def _slogdet_vjp(g, ans, a):
    c = _c()
    gs, gl = _slots(g, 2)
    if gl is None and not _iscx(a):
        # Only the (locally constant) sign of a real determinant was used.
        return _np.zeros(tuple(shape(gs)) + tuple(shape(a))[-2:], dtype=dtype(a))
    coef = gl
    if gs is not None and _iscx(a):
        # sign = det/|det| turns with Im tr(A⁻¹ dA): its cotangent adds i·Im(ḡ·sign).
        sign = _part(ans, 0)
        extra = 1j * c.imag(gs * sign)
        coef = extra if coef is None else coef + extra
    return c.expand_dims(coef, (-2, -1)) * _mT(inv(a))


def _slogdet_jvp(t, ans, a):
    c = _c()
    z = _once(lambda: c.sum(_mT(inv(a)) * t, axis=(-2, -1)))  # tr(A⁻¹ dA)
    if _iscx(a):
        return _LazyParts(lambda: _part(ans, 0) * (1j * c.imag(z())), lambda: c.real(z()))
    # A real determinant's sign is locally constant.
    zshape = tuple(shape(t))[:ndim(t) - 2]
    return _LazyParts(lambda: _np.zeros(zshape, dtype=dtype(t)), z)


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


# == cholesky ================================================================================

def _from_triangle(t, lower):
    """The Hermitian matrix LAPACK sees when it reads one triangle of ``t``:
    that triangle, its conjugate mirror, and the real part of the diagonal."""
    c = _c()
    s = c.tril(t, -1) if lower else c.triu(t, 1)
    n = shape(t)[-1]
    d = (c.real(t) if _iscx(t) else t) * _np.eye(n, dtype=bool)
    return s + _H(s) + d


def _to_triangle(g, lower):
    """Transpose of :func:`_from_triangle`: fold a cotangent onto the triangle read."""
    c = _c()
    tri = c.tril if lower else c.triu
    n = shape(g)[-1]
    d = (c.real(g) if _iscx(g) else g) * _np.eye(n, dtype=bool)
    return tri(g + _H(g), -1 if lower else 1) + d


def _phi(x):
    """Lower triangle with the diagonal halved."""
    c = _c()
    return c.tril(x, -1) + 0.5 * (x * _np.eye(shape(x)[-1], dtype=bool))


def _cholesky_raw(a, upper=False):
    return _la.cholesky(a, upper=upper)


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


# == eigh ====================================================================================

def _eigh_raw(a, UPLO="L"):
    return _la.eigh(a, UPLO)


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
        return _la.eigvalsh(a, UPLO)
    return _part(eigh_p(a, UPLO=UPLO), 0)


# == eig =====================================================================================

def _eig_raw(a):
    return _la.eig(a)


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
        return _la.eigvals(a)
    return _part(eig_p(a), 0)


# == svd =====================================================================================

def _svd_raw(a, full_matrices=True, hermitian=False):
    return _la.svd(a, full_matrices=full_matrices, compute_uv=True, hermitian=hermitian)


def _check_reduced(a, full_matrices):
    m, n = shape(a)[-2:]
    if full_matrices and m != n:
        raise NotDifferentiableError(
            "chainrule: the derivative of svd with full_matrices=True is not defined for "
            "non-square matrices (the extra singular vectors are arbitrary); use "
            "full_matrices=False, or svdvals for singular values only.")


def _svd_jvp(t, ans, a, full_matrices=True, hermitian=False):
    _check_reduced(a, full_matrices)
    c = _c()
    u, s, vh = _unpack(ans, 3)
    v = _H(vh)
    m, n = shape(a)[-2:]
    cx = _iscx(a)
    ds_mat = _once(lambda: _mm(_mm(_H(u), t), v))  # Uᴴ dA V
    f = _once(lambda: _gap_inverse((_row(s) + _col(s)) * (_row(s) - _col(s))))

    def ds():
        d = _diag_of(ds_mat())
        return c.real(d) if cx else d

    def du():
        dsm = ds_mat()
        dss = dsm * _row(s)  # dS diag(s)
        inner = f() * (dss + _H(dss))
        if cx:
            # The phase of each pair (u_i, v_i) is free: put Im dS_ii / s_i into U.
            safe = c.where(getval(s) == 0, 1.0, s)
            inner = inner + _diag_mat(1j * c.imag(_diag_of(dsm)) / safe)
        r = _mm(u, inner)
        if m > n:
            dav = _mm(t, v)
            r = r + (dav - _mm(u, _mm(_H(u), dav))) / _row(s)
        return r

    def dvh():
        sds = _col(s) * ds_mat()  # diag(s) dS
        r = _mm(v, f() * (sds + _H(sds)))
        if n > m:
            dahu = _mm(_H(t), u)
            r = r + (dahu - _mm(v, _mm(vh, dahu))) / _row(s)
        return _H(r)
    return _LazyParts(du, ds, dvh)


def _svd_vjp(g, ans, a, full_matrices=True, hermitian=False):
    # The transpose of the JVP, term by term (Townsend 2016 for the real case).
    _check_reduced(a, full_matrices)
    c = _c()
    gu, gs, gvh = _slots(g, 3)
    u, s, vh = _unpack(ans, 3)
    m, n = shape(a)[-2:]
    cx = _iscx(a)
    v = _H(vh)
    uc, vt = _conj(u), _mT(v)  # conj(U), Vᵀ
    f = None
    gds = None if gs is None else _diag_mat(gs)  # cotangent of Uᴴ dA V

    def add(x, y):
        return y if x is None else x + y

    res = None
    if gu is not None:
        f = _gap_inverse((_row(s) + _col(s)) * (_row(s) - _col(s)))
        utgu = _mm(_mT(u), gu)
        j = f * utgu
        gds = add(gds, (j + _H(j)) * _row(s))
        if cx:
            safe = c.where(getval(s) == 0, 1.0, s)
            k = _diag_mat(_diag_of(utgu) / safe)
            gds = gds + 0.5 * (k - _H(k))
        if m > n:
            res = _mm(gu - _mm(uc, utgu), _mT(v / _row(s)))
    if gvh is not None:
        if f is None:
            f = _gap_inverse((_row(s) + _col(s)) * (_row(s) - _col(s)))
        gv = _H(gvh)
        j = f * _mm(vt, gv)
        gds = add(gds, _col(s) * (j + _H(j)))
        if n > m:
            res = add(res, _mm(uc / _row(s), gvh - _mm(_mm(gvh, _conj(v)), vt)))
    if gds is not None:
        res = add(res, _mm(_mm(uc, gds), vt))
    if not cx and _iscx(res):
        res = c.real(res)
    return res


svd_p = defprim(_svd_raw, "numpy.linalg.svd")
svd_p.defvjp(_svd_vjp).defjvp(_svd_jvp)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition ``a = (u * s) @ vh``, as NumPy.

    Derivatives: singular values always (``compute_uv=False`` or
    :func:`svdvals`); singular vectors for ``full_matrices=False`` (or square
    input) with distinct, nonzero singular values. Singular vectors have an
    arbitrary sign (phase) shared by ``u[:, i]`` and ``vh[i]``: differentiate
    functions that do not depend on it (``u @ vh``, ``abs(u)``...).
    ``hermitian=True`` assumes a symmetric input, as NumPy.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.svd(a, compute_uv=False)[0])(np.diag(np.array([3.0, 1.0])))
    array([[1., 0.],
           [0., 0.]])
    """
    if not compute_uv:
        if not _traced(a):
            return _la.svd(a, compute_uv=False, hermitian=hermitian)
        return _part(svd_p(a, full_matrices=False, hermitian=hermitian), 1)
    return _result(svd_p(a, full_matrices=full_matrices, hermitian=hermitian), SVDResult)


@_composite
def svdvals(x, /):
    """Singular values, descending.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.diag(np.array([2.0, -1.0]))
    >>> grad(lambda a: np.sum(np.linalg.svdvals(a)))(a)  # nuclear norm
    array([[ 1.,  0.],
           [ 0., -1.]])
    """
    if not _traced(x):
        return _la.svd(x, compute_uv=False)
    return _part(svd_p(x, full_matrices=False), 1)


# == qr ======================================================================================

def _qr_raw(a):
    return _la.qr(a, mode="reduced")


def _qr_jvp(t, ans, a):
    # X = dA R⁻¹, C = Qᴴ X; the skew-Hermitian Ω = tril(C) - tril(C)ᴴ rotates Q.
    c = _c()
    q, r = _unpack(ans, 2)

    def parts():
        x = _mT(_solve(_mT(r), _mT(t)))
        cm = _mm(_H(q), x)
        low = c.tril(cm, -1)
        om = low - _H(low)
        if _iscx(cm):
            om = om + 1j * c.imag(cm) * _np.eye(shape(cm)[-1], dtype=bool)
        return x, cm, om
    p = _once(parts)

    def dq():
        x, cm, om = p()
        return _mm(q, om - cm) + x

    def dr():
        x, cm, om = p()
        return _mm(cm - om, r)
    return _LazyParts(dq, dr)


def _qr_vjp(g, ans, a):
    c = _c()
    gq, gr = _slots(g, 2)
    q, r = _unpack(ans, 2)
    # M is the cotangent of Ω; C gets -M plus Ω's dependence on C.
    mq = None if gq is None else _mm(_mT(q), gq)
    mr = None if gr is None else _mm(gr, _mT(r))
    m = mr * -1.0 if mq is None else mq if mr is None else mq - mr
    gc = c.tril(m - _H(m), -1) - m
    if _iscx(m):
        gc = gc + 1j * c.imag(m) * _np.eye(shape(m)[-1], dtype=bool)
    gx = _mm(_conj(q), gc)
    if gq is not None:
        gx = gx + gq
    res = _mT(_solve(r, _mT(gx)))  # X̄ R⁻ᵀ
    if not _iscx(a) and _iscx(res):
        res = c.real(res)
    return res


qr_p = defprim(_qr_raw, "numpy.linalg.qr")
qr_p.defvjp(_qr_vjp).defjvp(_qr_jvp)


def qr(a, mode="reduced"):
    """QR decomposition ``a = q @ r`` (``mode='reduced'``, ``'complete'`` or ``'r'``).

    Differentiable for full-rank input in ``'reduced'`` and ``'r'`` modes
    (any shape; a wide matrix is factored as NumPy does, through its leading
    square block) and in ``'complete'`` mode for square or wide matrices.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.qr(a)[1][0, 0])(np.array([[3.0, 1.0], [4.0, 2.0]]))
    array([[-0.6,  0. ],
           [-0.8,  0. ]])
    """
    if not _traced(a) or mode == "raw":
        if mode == "raw" and _traced(a):
            raise NotDifferentiableError("chainrule: qr(mode='raw') has no derivative; use "
                                      "mode='reduced'.")
        return _la.qr(a, mode=mode)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    m, n = shape(a)[-2:]
    if mode == "complete" and m > n:
        raise NotDifferentiableError("chainrule: qr(mode='complete') of a tall matrix has no "
                                  "derivative (the extra columns of Q are arbitrary); use "
                                  "mode='reduced'.")
    if m >= n:
        q, r = _unpack(qr_p(a), 2)
    else:
        # Wide: Householder QR of [X | Y] gives the Q of X and R = [R_X | Qᴴ Y].
        c = _c()
        q, rx = _unpack(qr_p(a[..., :m]), 2)
        r = c.concatenate([rx, _mm(_H(q), a[..., m:])], axis=-1)
    if mode == "r":
        return r
    return QRResult(q, r)


# == pinv ====================================================================================

def _pinv_raw(a, **kw):
    return _la.pinv(a, **kw)


def _pinv_jvp(t, ans, a, **kw):
    # dA⁺ = -A⁺ dA A⁺ + A⁺A⁺ᴴ dAᴴ (I - A A⁺) + (I - A⁺A) dAᴴ A⁺ᴴ A⁺ (constant rank).
    p, ph, th = ans, _H(ans), _H(t)
    m, n = shape(a)[-2:]
    q = _np.eye(m, dtype=dtype(p)) - _mm(a, p)
    r = _np.eye(n, dtype=dtype(p)) - _mm(p, a)
    return (-_mm(_mm(p, t), p) + _mm(_mm(p, ph), _mm(th, q))
            + _mm(r, _mm(th, _mm(ph, p))))


def _pinv_vjp(g, ans, a, **kw):
    p, gh = ans, _H(g)
    m, n = shape(a)[-2:]
    q = _np.eye(m, dtype=dtype(p)) - _mm(a, p)
    r = _np.eye(n, dtype=dtype(p)) - _mm(p, a)
    pc, pt = _conj(p), _mT(p)
    return (-_mm(_mm(pt, g), pt) + _mm(_conj(q), _mm(gh, _mm(pc, pt)))
            + _mm(_mm(pt, pc), _mm(gh, _conj(r))))


pinv_p = defprim(_pinv_raw, "numpy.linalg.pinv")
pinv_p.defvjp(_pinv_vjp).defjvp(_pinv_jvp)


def pinv(a, rcond=None, hermitian=False, **kw):
    """Moore-Penrose pseudo-inverse; derivatives hold where the rank is constant.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.pinv(a)[0, 0])(np.array([[2.0], [0.0]]))
    array([[-0.25],
           [ 0.  ]])
    """
    if rcond is not None:
        kw["rcond"] = rcond
    if hermitian:
        kw["hermitian"] = hermitian
    return pinv_p(a, **kw)


# == norms ===================================================================================

def _norm2_raw(x, axis=None, keepdims=False):
    # NumPy's own arithmetic for these norms (norm, vector_norm, 'fro'), minus its dispatch.
    x = _np.asarray(x)
    if axis is None:
        xf = x.ravel(order="K")
        if xf.dtype.kind == "c":
            r = _np.sqrt(xf.real.dot(xf.real) + xf.imag.dot(xf.imag))
        else:
            r = _np.sqrt(xf.dot(xf))
        return r.reshape((1,) * x.ndim) if keepdims else r
    sq = (x.conj() * x).real if x.dtype.kind == "c" else x * x
    return _np.sqrt(_np.add.reduce(sq, axis=axis, keepdims=keepdims))


def _safe(ans):
    """The norm with its zeros replaced by one, so that x / norm is 0 at x = 0."""
    zero = getval(ans) == 0
    return _c().where(zero, 1.0, ans) if zero.any() else ans


def _norm2_vjp(g, ans, x, axis=None, keepdims=False):
    nb = ndim(g) - ndim(ans)
    s = g / _safe(ans)
    if not keepdims and (nb or axis is not None):
        # Size-one axes where x was reduced, so that s broadcasts against x.
        axes = normalize_axis(axis, ndim(x))
        kept = tuple(1 if i in axes else n for i, n in enumerate(shape(x)))
        s = _c().reshape(s, tuple(shape(s))[:nb] + kept)
    return s * _conj(x)


def _norm2_jvp(t, ans, x, axis=None, keepdims=False):
    c = _c()
    nb = ndim(t) - ndim(x)
    ax = None if axis is None else tuple(a % ndim(x) for a in axis)
    ax = tuple(range(nb, nb + ndim(x))) if ax is None else tuple(a + nb for a in ax)
    d = c.sum(_conj(x) * t, axis=ax, keepdims=keepdims)
    return (c.real(d) if _iscx(d) else d) / _safe(ans)


_norm2 = defprim(_norm2_raw, "numpy.linalg._norm2")
_norm2.defvjp(_norm2_vjp).defjvp(_norm2_jvp)


def _axes(axis, nd):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(operator.index(a) % nd for a in axis)
    return (operator.index(axis) % nd,)


def _vector_norm(x, ord, axis, keepdims):
    """A vector norm over ``axis`` (``None``: all axes, a tuple: those axes)."""
    c = _c()
    inf = _np.inf
    if ord is None or ord == 2:
        return _norm2(x, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord == inf:
        return c.max(c.abs(x), axis=axis, keepdims=keepdims)
    if ord == -inf:
        return c.min(c.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        # The number of nonzero entries: piecewise constant.
        xv = getval(x)
        rdt = _np.abs(_np.zeros((), dtype=_np.result_type(xv, 1.0))).dtype
        return _np.sum(xv != 0, axis=axis, keepdims=keepdims).astype(rdt)
    if ord == 1:
        return c.sum(c.abs(x), axis=axis, keepdims=keepdims)
    # (sum |x|^p)^(1/p), made 0 with a zero derivative at x = 0 (no 0 * inf).
    s = c.sum(c.abs(x) ** ord, axis=axis, keepdims=keepdims)
    zero = getval(s) == 0
    return c.where(zero, 0.0, c.where(zero, 1.0, s) ** (1.0 / ord))


def _matrix_norm(x, ord, axes, keepdims):
    c = _c()
    row, col = axes
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord in (None, "fro", "f"):
        return _norm2(x, axis=(row, col), keepdims=keepdims)
    if ord in (2, -2, "nuc"):
        sv = svdvals(c.moveaxis(x, (row, col), (-2, -1)))
        r = c.sum(sv, axis=-1) if ord == "nuc" else \
            c.max(sv, axis=-1) if ord == 2 else c.min(sv, axis=-1)
    elif ord in (1, -1):
        red = c.max if ord == 1 else c.min
        r = red(c.sum(c.abs(x), axis=row), axis=col - 1 if col > row else col)
    elif ord in (_np.inf, -_np.inf):
        red = c.max if ord > 0 else c.min
        r = red(c.sum(c.abs(x), axis=col), axis=row - 1 if row > col else row)
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        s = list(shape(x))
        s[row] = s[col] = 1
        r = c.reshape(r, tuple(s))
    return r


def _plain_float(x):
    """Plain input as a float (or complex) array, as NumPy's norms take it."""
    if type(x) is Box:
        return x
    x = _np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(float)


@_composite
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, with NumPy's ``ord``/``axis``/``keepdims``.

    Vectors: ``None``/2, 1, ``inf``, ``-inf``, 0 and any other ``p``;
    matrices: ``None``/``'fro'``, ``'nuc'``, 1, -1, 2, -2, ``inf``, ``-inf``.
    The gradient at zero is 0, not NaN.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(np.linalg.norm)(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    >>> grad(np.linalg.norm)(np.zeros(2))
    array([0., 0.])
    """
    x = _plain_float(x)
    nd = ndim(x)
    if axis is None:
        if ord is None:
            r = _norm2(x)
            return _c().reshape(r, (1,) * nd) if keepdims else r
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError("Improper number of dimensions to norm.")
    axes = _axes(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


@_composite
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Vector norm over ``axis`` (all axes by default, or a tuple of axes).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda x: np.linalg.vector_norm(x, ord=1))(np.array([-2.0, 0.0, 3.0]))
    array([-1.,  0.,  1.])
    """
    x = _plain_float(x)
    return _vector_norm(x, ord, _axes(axis, ndim(x)), keepdims)


@_composite
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Matrix norm over the last two axes.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(lambda a: np.linalg.matrix_norm(a, ord="nuc"))(np.diag(np.array([2.0, -1.0])))
    array([[ 1.,  0.],
           [ 0., -1.]])
    """
    x = _plain_float(x)
    nd = ndim(x)
    return _matrix_norm(x, ord, (nd - 2, nd - 1), keepdims)


@_composite
def cond(x, p=None):
    """Condition number: ``s_max / s_min`` (``p`` None, 2) or
    ``norm(x, p) * norm(inv(x), p)``.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> grad(np.linalg.cond)(np.diag(np.array([4.0, 2.0])))
    array([[ 0.5,  0. ],
           [ 0. , -1. ]])
    """
    if not _traced(x):
        return _la.cond(x, p)
    if p is None or p == 2 or p == -2:
        s = svdvals(x)
        hi, lo = s[..., 0], s[..., -1]
        return lo / hi if p == -2 else hi / lo
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


@_composite
def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b``: ``(x, residuals, rank, s)``.

    Differentiable in ``a`` (where the rank is constant) and ``b`` through
    ``x = pinv(a) @ b``; ``residuals`` and ``s`` are differentiable too.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.array([[1.0], [1.0]])
    >>> grad(lambda b: np.linalg.lstsq(a, b)[0][0])(np.array([1.0, 3.0]))
    array([0.5, 0.5])
    """
    if not _traced(a, b):
        return _la.lstsq(a, b, rcond=rcond)
    c = _c()
    m, n = shape(a)[-2:]
    if rcond is None:
        rcond = _np.finfo(_np.result_type(getval(a), getval(b), 1.0)).eps * max(m, n)
    s = svdvals(a)
    sv = getval(s)
    rank = int(_np.sum(sv > rcond * sv[0])) if sv.size else 0
    x = _c().matmul(pinv(a, rcond=rcond), b)
    if rank == n and m > n:
        r = b - c.matmul(a, x)
        resid = c.sum(c.real(r * _conj(r)) if _iscx(r) else r * r, axis=0)
        if ndim(b) == 1:
            resid = c.reshape(resid, (1,))
    else:
        resid = _np.empty((0,), dtype=_np.abs(_np.zeros((), dtype(x))).dtype)
    return x, resid, rank, s


# == products and powers =====================================================================

@_composite
def matrix_power(a, n):
    """``a`` to the integer power ``n`` (negative: of the inverse), by squaring.

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> float(grad(lambda a: np.linalg.matrix_power(a, 3)[0, 0])(np.eye(2) * 2.0)[0, 0])
    12.0
    """
    n = operator.index(n)
    if n == 0:
        # The identity: constant.
        av = getval(a)
        return _np.broadcast_to(_np.eye(shape(av)[-1], dtype=av.dtype), shape(av)).copy()
    if n < 0:
        a = inv(a)
        n = -n
    result = z = None
    while n > 0:
        z = a if z is None else _mm(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else _mm(result, z)
    return result


def _chain_order(dims):
    """Optimal parenthesization of a matrix chain (dims[i] x dims[i+1] matrices)."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                q = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, s
    return split


@_composite
def multi_dot(arrays, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first and
    last may be 1-D (a row and a column vector).

    >>> import chainrule.numpy as np; from chainrule import grad
    >>> a = np.ones((2, 3)); c = np.ones((3, 2))
    >>> grad(lambda b: np.sum(np.linalg.multi_dot([a, b, c])))(np.eye(3))[0]
    array([4., 4., 4.])
    """
    c = _c()
    arrays = list(arrays)
    k = len(arrays)
    if k < 2:
        raise ValueError("Expecting at least two arrays.")
    if k == 2:
        return c.dot(arrays[0], arrays[1])
    first_1d, last_1d = ndim(arrays[0]) == 1, ndim(arrays[-1]) == 1
    if first_1d:
        arrays[0] = c.reshape(arrays[0], (1, -1))
    if last_1d:
        arrays[-1] = c.reshape(arrays[-1], (-1, 1))
    for x in arrays:
        if ndim(x) != 2:
            raise _la.LinAlgError(f"{ndim(x)}-dimensional array given. Array must be "
                                  "two-dimensional")
    split = _chain_order([shape(arrays[0])[0]] + [shape(x)[1] for x in arrays])

    def prod(i, j):
        if i == j:
            return arrays[i]
        s = split[i][j]
        return _mm(prod(i, s), prod(s + 1, j))
    r = prod(0, k - 1)
    if first_1d and last_1d:
        return c.reshape(r, ())
    if first_1d:
        return c.reshape(r, shape(r)[1:])
    if last_1d:
        return c.reshape(r, shape(r)[:1])
    return r


@_composite
def tensorsolve(a, b, axes=None):
    """Solve the tensor equation ``tensordot(a, x, x.ndim) = b`` for ``x``.

    >>> import chainrule.numpy as np
    >>> np.linalg.tensorsolve(2.0 * np.eye(4).reshape(4, 2, 2), np.ones(4)).shape
    (2, 2)
    """
    c = _c()
    an = ndim(a)
    if axes is not None:
        allaxes = list(range(an))
        for k in axes:
            allaxes.remove(k)
            allaxes.insert(an, k)
        a = c.transpose(a, allaxes)
    oldshape = tuple(shape(a))[-(an - ndim(b)):]
    prod = int(_np.prod(oldshape, dtype=int))
    if int(_np.prod(shape(b), dtype=int)) != prod:
        raise _la.LinAlgError("Input arrays must satisfy the requirement "
                              "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    x = solve(c.reshape(a, (prod, prod)), c.reshape(b, (prod,)))
    return c.reshape(x, oldshape)


@_composite
def tensorinv(a, ind=2):
    """The inverse of ``a`` for :func:`tensordot` over ``ind`` axes.

    >>> import chainrule.numpy as np
    >>> np.linalg.tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape
    (2, 2, 4)
    """
    c = _c()
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    oldshape = tuple(shape(a))
    prod = int(_np.prod(oldshape[:ind], dtype=int))
    invshape = oldshape[ind:] + oldshape[:ind]
    return c.reshape(inv(c.reshape(a, (prod, -1))), invshape)


# == array-API aliases =======================================================================

@_composite
def matmul(x1, x2, /):
    """Matrix product (``x1 @ x2``)."""
    return _c().matmul(x1, x2)


@_composite
def matrix_transpose(x, /):
    """Swap the last two axes."""
    return _mT(x)


@_composite
def tensordot(x1, x2, /, *, axes=2):
    """Sum of products over ``axes`` (as :func:`numpy.tensordot`)."""
    return _c().tensordot(x1, x2, axes=axes)


@_composite
def outer(x1, x2, /):
    """Outer product of two 1-D arrays."""
    if ndim(x1) != 1 or ndim(x2) != 1:
        raise ValueError("Input arrays must be one-dimensional")
    return _c().outer(x1, x2)


@_composite
def vecdot(x1, x2, /, *, axis=-1):
    """Vector dot product along ``axis``, conjugating ``x1``."""
    return _c().vecdot(x1, x2, axis=axis)


@_composite
def cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-element vectors along ``axis``."""
    if shape(x1)[axis] != 3 or shape(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors")
    return _c().cross(x1, x2, axis=axis)


@_composite
def diagonal(x, /, *, offset=0):
    """Diagonals of the matrices in the last two axes."""
    return _c().diagonal(x, offset=offset, axis1=-2, axis2=-1)


@_composite
def trace(x, /, *, offset=0, dtype=None):
    """Traces of the matrices in the last two axes."""
    return _c().trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


# == non-differentiable ======================================================================

matrix_rank = nondiff(_la.matrix_rank, "numpy.linalg.matrix_rank")
