"""``qr``: one primitive for tall or square input; wide input goes through its square block."""


from ...core.errors import NotDifferentiableError
from .._wrap import defprim, shape
from ._helpers import (QRResult, _c, _conj, _eye, _H, _iscx, _la, _LazyParts, _mm, _mT, _once,
                       _slots, _traced, _unpack)
from ._solve_det import _solve

# == qr ======================================================================================

def _qr_raw(a):
    return _la(a).qr(a, mode="reduced")


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
            om = om + 1j * c.imag(cm) * _eye(shape(cm)[-1], cm)
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
        gc = gc + 1j * c.imag(m) * _eye(shape(m)[-1], m)
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
        return _la(a).qr(a, mode=mode)
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
