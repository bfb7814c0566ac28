"""Traced values behave like ndarrays: operators, methods and attributes.

Attached to :class:`chainrule.core.engine.Box` here so that the core stays
free of NumPy. Every operator is a call of a ``chainrule.numpy`` primitive, so
``x.sum(axis=0)``, ``x.T``, ``x @ y`` or ``x[2:] = v`` are differentiated
like the functions they stand for.
"""

import operator as _operator

import numpy as _np

from ..core.errors import TracedWriteError
from ..core.engine import Box, getval


def _install(cnp):
    B = Box

    def binop(f):
        return lambda self, other: f(self, other)

    def rbinop(f):
        return lambda self, other: f(other, self)

    for name, f in [("add", cnp.add), ("sub", cnp.subtract), ("mul", cnp.multiply),
                    ("truediv", cnp.divide), ("pow", cnp.power), ("matmul", cnp.matmul),
                    ("mod", cnp.remainder), ("floordiv", cnp.floor_divide)]:
        setattr(B, f"__{name}__", binop(f))
        setattr(B, f"__r{name}__", rbinop(f))
        # In-place operators rebind the name to a new traced value (a functional update).
        setattr(B, f"__i{name}__", binop(f))
    for name, f in [("lt", cnp.less), ("le", cnp.less_equal), ("gt", cnp.greater),
                    ("ge", cnp.greater_equal), ("eq", cnp.equal), ("ne", cnp.not_equal)]:
        setattr(B, f"__{name}__", binop(f))
    B.__neg__ = lambda self: cnp.negative(self)
    B.__pos__ = lambda self: self
    B.__abs__ = lambda self: cnp.absolute(self)
    B.__getitem__ = lambda self, idx: cnp._getitem(self, idx)
    B.__len__ = lambda self: len(getval(self))
    B.__iter__ = lambda self: (self[i] for i in range(len(self)))
    B.__bool__ = lambda self: bool(getval(self))
    B.__int__ = lambda self: int(getval(self))
    B.__index__ = lambda self: _operator.index(getval(self))  # any module's integer
    B.__contains__ = lambda self, v: v in getval(self)

    def __setitem__(self, idx, value):
        # Record a functional update and rebind this box to its result. Views
        # taken from this array before the write do not see the new value.
        new = cnp._index_update(self, idx, value)
        if type(new) is not Box or new._trace is not self._trace:
            # value is traced at an inner level: cannot rebind across levels
            raise TracedWriteError(
                "chainrule: cannot write a value traced by an inner derivative into an array "
                "traced by an outer one; build the array with np.where / np.concatenate instead."
            )
        self._value, self._ref = new._value, new._ref
    B.__setitem__ = __setitem__

    def _no_scalar(kind):
        def conv(self):
            raise TracedWriteError(
                f"chainrule: {kind}() of a traced value would drop its derivative. Keep it an "
                "array (use chainrule.numpy functions), or take the plain value outside the "
                "differentiated function. Writing a traced scalar into a plain NumPy array "
                "(arr[i] = x) does this too: build the array with np.stack / np.array([...]) "
                "from chainrule.numpy, or write into a traced array instead."
            )
        return conv
    B.__float__ = _no_scalar("float")
    B.__complex__ = _no_scalar("complex")

    write_hint = (
        "Build the array functionally instead: np.stack / np.concatenate / np.where on traced "
        "values, or np.array([...]) from chainrule.numpy; or assign into a traced array "
        "(a = np.zeros(n) + 0 * x; a[i] = x), and use a = a + x rather than a += x on a "
        "plain array."
    )

    def __array__(self, dtype=None, copy=None):
        raise TracedWriteError(
            "chainrule: a traced value cannot become a plain NumPy array (for example by "
            "writing it into one with arr[i] = x, or by np.asarray). " + write_hint
        )
    B.__array__ = __array__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # Raw NumPy ufuncs on a traced value (e.g. ndarray * box) come here.
        f = getattr(cnp, ufunc.__name__, None)
        if kwargs.get("out") is not None:
            raise TracedWriteError(
                f"chainrule: numpy.{ufunc.__name__} cannot write a traced value into a plain "
                "NumPy array (out=, or an in-place operator such as a += x on a plain array). "
                + write_hint
            )
        if method != "__call__" or f is None:
            raise TracedWriteError(
                f"chainrule: numpy.{ufunc.__name__}.{method} on a traced value is not supported; "
                "use chainrule.numpy instead of numpy inside differentiated functions."
            )
        return f(*inputs, **kwargs)
    B.__array_ufunc__ = __array_ufunc__

    def __array_function__(self, func, types, args, kwargs):
        # Raw NumPy functions on a traced value dispatch to chainrule.numpy.
        f = getattr(cnp, func.__name__, None)
        if func.__name__ in ("copyto", "put", "place", "putmask", "put_along_axis",
                             "fill_diagonal"):
            raise TracedWriteError(
                f"chainrule: numpy.{func.__name__} writes into a plain NumPy array, which "
                "cannot hold a traced value. " + write_hint
            )
        if f is None or getattr(f, "__module__", "") == "numpy":
            raise TracedWriteError(
                f"chainrule: numpy.{func.__name__} on a traced value has no chainrule version; "
                "use chainrule.numpy inside differentiated functions."
            )
        return f(*args, **kwargs)
    B.__array_function__ = __array_function__

    # Attributes
    def attribute(name, fallback):
        # The array's own attribute when it has one (fast); NumPy's function
        # for Python numbers.
        def get(self):
            v = getval(self)
            try:
                return getattr(v, name)
            except AttributeError:
                return fallback(v)
        return property(get)

    B.shape = attribute("shape", _np.shape)
    B.ndim = attribute("ndim", _np.ndim)
    B.size = attribute("size", _np.size)
    B.dtype = attribute("dtype", _np.result_type)
    B.T = property(lambda self: cnp.transpose(self))
    B.mT = property(lambda self: cnp.swapaxes(self, -1, -2))
    B.real = property(lambda self: cnp.real(self))
    B.imag = property(lambda self: cnp.imag(self))
    B.flat = property(lambda self: cnp.ravel(self))

    # Methods that mirror numpy functions
    def method(f):
        return lambda self, *a, **k: f(self, *a, **k)

    for name in ["sum", "mean", "prod", "var", "std", "max", "min", "cumsum", "cumprod",
                 "dot", "transpose", "ravel", "squeeze", "swapaxes", "clip", "conj",
                 "conjugate", "take", "repeat", "diagonal", "trace", "round", "argmax",
                 "argmin", "argsort", "nonzero", "all", "any", "flatten", "ptp"]:
        if hasattr(cnp, name):
            setattr(B, name, method(getattr(cnp, name)))
    B.flatten = lambda self, order="C": cnp.ravel(self, order)

    # ndarray.sort and ndarray.partition work in place and return None: rebind
    # the box to the sorted value, as x[idx] = v does.
    def sort(self, axis=-1, kind=None, order=None):
        new = cnp.sort(self, axis=axis, kind=kind)
        self._value, self._ref = new._value, new._ref
    B.sort = sort

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        new = cnp.partition(self, kth, axis=axis)
        self._value, self._ref = new._value, new._ref
    B.partition = partition

    def reshape(self, *shape, **kw):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return cnp.reshape(self, shape, **kw)
    B.reshape = reshape

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)) or not axes:
            axes = axes[0] if axes else None
        return cnp.transpose(self, axes)
    B.transpose = transpose
    B.astype = lambda self, dtype, **kw: cnp._astype(self, dtype)
    B.copy = lambda self: cnp._copy(self)
    B.item = lambda self, *a: _no_scalar("item")(self)
    B.tolist = lambda self: _no_scalar("tolist")(self)
