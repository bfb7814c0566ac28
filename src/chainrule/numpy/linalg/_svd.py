"""``svd`` and ``svdvals``: singular values always, singular vectors where defined."""


from ...core.errors import NotDifferentiableError
from ...core.engine import getval
from .._wrap import defprim, shape
from ._helpers import (SVDResult, _c, _la, _col, _composite, _conj, _diag_mat, _diag_of,
                       _gap_inverse, _H, _iscx, _LazyParts, _mm, _mT, _once, _part, _result,
                       _row, _slots, _traced, _unpack)

# == svd =====================================================================================

def _svd_raw(a, full_matrices=True, hermitian=False):
    return _la(a).svd(a, full_matrices=full_matrices, compute_uv=True, hermitian=hermitian)


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
            return _la(a).svd(a, compute_uv=False, hermitian=hermitian)
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
        return _la(x).svd(x, compute_uv=False)
    return _part(svd_p(x, full_matrices=False), 1)
