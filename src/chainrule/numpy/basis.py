"""The identity seed of jacfwd and jacrev, kept as a diagonal.

A Jacobian pushes a whole basis through the function at once: jacfwd the n
unit tangents e_1..e_n of the input, jacrev the m unit cotangents of the
output. Stored densely that is an n×n identity, and the first rule it meets
multiplies mostly zeros: ``A @ x``'s JVP becomes an n×n×m matrix product,
``tanh``'s VJP an m×m elementwise product. For f(x) = tanh(A x) that costs
100 to 400 times the closed-form Jacobian.

:class:`ScaledBasis` stores only what is not zero. It is a batch of ``n``
scaled unit vectors of a value of shape ``S``: row ``offset + k`` holds
``d[k]`` at flat position ``k`` and every other row is zero (the identity is
``d = 1``; ``offset`` places one leaf's block inside a basis shared by
several leaves). Its shape is ``(n,) + S``, like the dense batch it stands
for. Operations that keep that structure compute on ``d`` alone:

* multiplying or dividing by a constant that broadcasts within ``S``
  (elementwise rules: ``g * (1 - ans**2)``), negation, adding two of them;
* a matrix product with a plain matrix on either side (``A @ x``'s rules):
  ``diag(d) @ B = d[:, None] * B``;
* reshaping the value (``S`` changes, the flat positions do not).

Everything else, a ufunc method, a function such as ``np.sum``, an attribute
such as ``.T``, or any traced operand, first turns it into the plain dense
array it stands for, so every rule stays correct without knowing about it.
"""

import math

import numpy as _np

from ..core.engine import Box
from . import _array_api, _wrap
from ._wrap import array_module as _array_module, setitem as _setitem
from ._wrap import is_lazy as _is_lazy


class ScaledBasis(_np.lib.mixins.NDArrayOperatorsMixin):
    """Rows ``d[k]·e_k`` (from row ``offset``) of a batch of shape ``(n,) + shape``.

    >>> b = ScaledBasis(_np.ones(3), (3,))
    >>> _np.asarray(b * _np.array([1.0, 2.0, 3.0]))
    array([[1., 0., 0.],
           [0., 2., 0.],
           [0., 0., 3.]])
    """

    __slots__ = ("d", "vshape", "n", "offset", "unit", "_dense")

    def __init__(self, d, vshape, n=None, offset=0, unit=False):
        self.d = d  # 1-D, one entry per element of the value
        self.vshape = tuple(vshape)
        self.n = d.shape[0] if n is None else n
        self.offset = offset
        self.unit = unit  # d is all ones: a product with it needs no multiplication
        self._dense = None

    # -- what it stands for -------------------------------------------------------

    @property
    def shape(self):
        return (self.n,) + self.vshape

    @property
    def ndim(self):
        return 1 + len(self.vshape)

    @property
    def size(self):
        return self.n * self.d.shape[0]

    @property
    def dtype(self):
        return self.d.dtype

    def __len__(self):
        return self.n

    def __array_namespace__(self, api_version=None):
        # The module of the diagonal: what a rule that builds a constant for this
        # batch (``like(mask, t)``) must build it on.
        return _array_module(self.d)

    def dense(self):
        """The plain ``(n,) + shape`` array (built once, then cached)."""
        if self._dense is None:
            xp = _array_module(self.d)
            s = self.d.shape[0]
            z = xp.zeros((self.n, s), self.d.dtype)
            k = xp.arange(s)
            z = _setitem(z, (self.offset + k, k), self.d)  # traced when jit records d
            self._dense = z.reshape(self.shape)
        return self._dense

    def __array__(self, dtype=None, copy=None):
        a = self.dense()
        return a if dtype is None else a.astype(dtype)

    def __getattr__(self, name):  # .T, .astype, .sum, ... of the dense array
        return getattr(self.dense(), name)

    def __getitem__(self, idx):
        return self.dense()[idx]

    def __repr__(self):
        return f"ScaledBasis(d={self.d!r}, shape={self.shape}, offset={self.offset})"

    def _like(self, d):
        """The same layout with other diagonal entries."""
        return ScaledBasis(d, self.vshape, self.n, self.offset)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        shape = tuple(shape)
        if order == "C" and shape and shape[0] == self.n and -1 not in shape \
                and math.prod(shape[1:]) == self.d.shape[0]:
            return ScaledBasis(self.d, shape[1:], self.n, self.offset, self.unit)
        return self.dense().reshape(shape, order=order)

    # -- NumPy's protocols --------------------------------------------------------

    def _scale(self, c, divide=False):
        """``self * c`` (or ``/ c``) if ``c`` broadcasts within the value's shape."""
        t = type(c)
        if t is float or t is int or t is complex:
            k = c
        elif t is Box or t is ScaledBasis or not hasattr(c, "shape"):
            return None
        elif c.shape == self.vshape:  # the common case: an elementwise derivative
            k = c.reshape(-1)
        elif not c.shape:
            k = c
        else:
            try:
                if _np.broadcast_shapes(c.shape, self.vshape) != self.vshape:
                    return None
            except ValueError:
                return None
            k = _array_module(self.d).broadcast_to(c, self.vshape).reshape(-1)
        return self._like(self.d / k if divide else self.d * k)

    # Python's operators go straight to the structured paths (NumPy's own
    # dispatch, through __array_ufunc__, serves ``ndarray * basis``).
    def __mul__(self, other):
        r = self._scale(other)
        return self.dense() * other if r is None else r

    __rmul__ = __mul__

    def __truediv__(self, other):
        r = self._scale(other, divide=True)
        return self.dense() / other if r is None else r

    def __neg__(self):
        return self._like(-self.d)

    def __matmul__(self, other):
        r = self._matmul(other, True)
        return self.dense() @ other if r is None else r

    def __rmatmul__(self, other):
        r = self._matmul(other, False)
        return other @ self.dense() if r is None else r

    def _matmul(self, b, left):
        """``diag @ b`` (``left``) or ``b @ diag`` for a plain 1-D or 2-D ``b``."""
        s = self.d.shape[0]
        if len(self.vshape) != 1 or type(b) is Box or type(b) is ScaledBasis \
                or getattr(b, "ndim", 0) not in (1, 2):
            return None
        # The identity times b is b itself: pass on a read-only view, no copy.
        unit = self.unit and b.dtype == self.d.dtype
        if left:
            if b.shape[0] != s:
                return None
            if unit:
                block = _readonly(b)
            else:
                block = self.d[:, None] * b if b.ndim == 2 else self.d * b
            if self.n == s:
                return block
            out = _array_module(block).zeros((self.n,) + block.shape[1:], block.dtype)
            out[self.offset:self.offset + s] = block
            return out
        if b.shape[-1] != self.n:
            return None
        b = b[..., self.offset:self.offset + s]
        return _readonly(b) if unit else b * self.d

    def _same_layout(self, other):
        return type(other) is ScaledBasis and other.n == self.n and \
            other.offset == self.offset and other.vshape == self.vshape

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            r = None
            if len(inputs) == 1:
                if ufunc is _np.negative:
                    r = self._like(-self.d)
                elif ufunc is _np.positive:
                    r = self
            else:
                a, b = inputs
                if ufunc is _np.multiply:
                    r = a._scale(b) if type(a) is ScaledBasis else b._scale(a)
                elif ufunc is _np.divide and type(a) is ScaledBasis:
                    r = a._scale(b, divide=True)
                elif ufunc in (_np.add, _np.subtract) and type(a) is ScaledBasis \
                        and a._same_layout(b):
                    r = a._like(ufunc(a.d, b.d))
                elif ufunc is _np.matmul:
                    r = a._matmul(b, True) if type(a) is ScaledBasis else b._matmul(a, False)
            if r is not None:
                return r
        # Anything else: the dense array it stands for, then the same call.
        inputs = tuple(x.dense() if type(x) is ScaledBasis else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func is _np.shape:
            return self.shape
        if func is _np.ndim:
            return self.ndim
        if func is _np.size and len(args) == 1 and not kwargs:
            return self.size
        if func is _np.reshape and args and args[0] is self and len(args) == 2 and not kwargs:
            return self.reshape(args[1])
        return func(*_densify(args), **_densify(kwargs))


_array_api.stands_for_dense(ScaledBasis)
_wrap.DENSE_TYPES.append(ScaledBasis)


def _readonly(a):
    """A read-only view of a constant passed on as a tangent: no rule writes
    into tangents, and the transforms copy read-only results they return."""
    if type(a) is not _np.ndarray:  # another module's array (Dask's are immutable)
        return a
    v = a.view()
    v.flags.writeable = False
    return v


def _densify(x):
    """Replace every ScaledBasis in ``x`` (and in its lists, tuples, dicts) by its dense array."""
    t = type(x)
    if t is ScaledBasis:
        return x.dense()
    if t is list or t is tuple:
        return t(_densify(v) for v in x)
    if t is dict:
        return {k: _densify(v) for k, v in x.items()}
    return x


def identity_basis(leaves_shapes, dtype, like=None):
    """One identity seed per leaf: leaf ``j`` gets a :class:`ScaledBasis` of
    shape ``(n,) + shape_j`` whose rows ``start_j..start_j + size_j`` are its
    unit vectors, ``n`` being the total size. Returns ``(seeds, n)``. The
    diagonals live on the array module of ``like`` (NumPy by default).

    >>> seeds, n = identity_basis([(2,)], _np.float64)
    >>> n, seeds[0].shape
    (2, (2, 2))
    """
    sizes = [math.prod(s) for s in leaves_shapes]
    n = sum(sizes)
    seeds, start = [], 0
    # On another array module the seed meets that module's arrays (CuPy and the array
    # API wrapper refuse NumPy operands); a Dask array takes a NumPy one as it always did.
    foreign = like is not None and type(like) is not _np.ndarray and \
        _array_module(like) is not _np and not _is_lazy(like)
    for shp, s in zip(leaves_shapes, sizes):
        d = _np.empty(s, dtype)
        d.fill(1)  # np.ones, without its Python layers
        if foreign:
            d = _array_module(like).asarray(d)
        seeds.append(ScaledBasis(d, shp, n, start, unit=True))
        start += s
    return seeds, n
