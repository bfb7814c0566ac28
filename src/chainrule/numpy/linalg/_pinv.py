"""``pinv``: the pseudo-inverse, differentiable where the rank is constant."""

from .._wrap import defprim, dtype, shape
from ._helpers import _conj, _eye, _H, _la, _mm, _mT

# == pinv ====================================================================================

def _pinv_raw(a, **kw):
    return _la(a).pinv(a, **kw)


def _pinv_jvp(t, ans, a, **kw):
    # dA⁺ = -A⁺ dA A⁺ + A⁺A⁺ᴴ dAᴴ (I - A A⁺) + (I - A⁺A) dAᴴ A⁺ᴴ A⁺ (constant rank).
    p, ph, th = ans, _H(ans), _H(t)
    m, n = shape(a)[-2:]
    q = _eye(m, p, dtype(p)) - _mm(a, p)
    r = _eye(n, p, dtype(p)) - _mm(p, a)
    return (-_mm(_mm(p, t), p) + _mm(_mm(p, ph), _mm(th, q))
            + _mm(r, _mm(th, _mm(ph, p))))


def _pinv_vjp(g, ans, a, **kw):
    p, gh = ans, _H(g)
    m, n = shape(a)[-2:]
    q = _eye(m, p, dtype(p)) - _mm(a, p)
    r = _eye(n, p, dtype(p)) - _mm(p, a)
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
