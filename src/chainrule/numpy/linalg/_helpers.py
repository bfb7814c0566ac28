"""What the linear-algebra rules share: small batch-transparent matrix helpers,
the triangle LAPACK reads, and the machinery for tuple-valued primitives
(one primitive per decomposition, outputs picked by :func:`_part`)."""

import numpy as _np

from ...core.engine import Box
from .._wrap import accept_sequences, defprim, dtype, like, shape, submodule
from ..products import matmul_p
from ..reductions import COMPOSITES

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


# chainrule.numpy itself, bound by its __init__ once every family is loaded: linalg's
# rules call its functions, and importing the package from here would be an import cycle.
cnp = None


def _c():
    """``chainrule.numpy``, for the rules."""
    return cnp


def _composite(f):
    """Register a function built from primitives as ``numpy.linalg.<name>`` (taking lists
    holding traced values wherever it takes arrays)."""
    f = accept_sequences(f)
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


def _la(x):
    """The ``linalg`` module of ``x``'s array module (``numpy.linalg`` for NumPy arrays)."""
    return _np.linalg if type(x) is _np.ndarray else submodule(x, "linalg")


def _eye(n, x, dtype=bool):
    """``eye(n)`` (a boolean mask by default) on the array module of ``x``."""
    return like(_np.eye(n, dtype=dtype), x)


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
    return _c().expand_dims(v, -2) * _eye(n, v)


def _row(v):
    return _c().expand_dims(v, -2)  # (..., n) -> (..., 1, n): scales columns


def _col(v):
    return _c().expand_dims(v, -1)  # (..., n) -> (..., n, 1): scales rows


def _gap_inverse(d):
    """``1 / d`` off the diagonal, 0 on it (``d`` holds eigen- or singular-value gaps)."""
    c = _c()
    eye = _eye(shape(d)[-1], d)
    return c.where(eye, 0.0, 1.0 / c.where(eye, 1.0, d))


# -- the triangle LAPACK reads (cholesky, eigh) -------------------------------------------

def _from_triangle(t, lower):
    """The Hermitian matrix LAPACK sees when it reads one triangle of ``t``:
    that triangle, its conjugate mirror, and the real part of the diagonal."""
    c = _c()
    s = c.tril(t, -1) if lower else c.triu(t, 1)
    n = shape(t)[-1]
    d = (c.real(t) if _iscx(t) else t) * _eye(n, t)
    return s + _H(s) + d


def _to_triangle(g, lower):
    """Transpose of :func:`_from_triangle`: fold a cotangent onto the triangle read."""
    c = _c()
    tri = c.tril if lower else c.triu
    n = shape(g)[-1]
    d = (c.real(g) if _iscx(g) else g) * _eye(n, g)
    return tri(g + _H(g), -1 if lower else 1) + d


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
