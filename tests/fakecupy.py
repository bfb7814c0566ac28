"""A CPU stand-in for CuPy, strict where CuPy is strict.

chainrule's rules are meant to call the array's own module (``array_module(x)``,
i.e. ``x.__array_namespace__()``), so that the same rules run on CuPy arrays.
There is no GPU here, so this module simulates the parts of CuPy that matter
for that promise:

* :class:`ndarray` wraps a NumPy array (``_a``) and is a distinct type: code
  that checks ``type(x) is numpy.ndarray`` takes its generic path.
* ``numpy.asarray(x)`` fails: ``__array__`` raises ``TypeError`` exactly like
  CuPy, which refuses implicit device-to-host copies.
* NumPy ufuncs and functions on fake arrays dispatch (NEP 13/18) to NumPy on
  the unwrapped data and wrap the result again, as CuPy's dispatch runs the
  CuPy version. Mixing in a ``numpy.ndarray`` with ``ndim > 0`` raises
  ``TypeError`` as CuPy does; NumPy scalars and Python numbers are fine.
  Results that NumPy gives as scalars come back as 0-d arrays, as in CuPy.
* The module has creation functions (``zeros``, ``asarray``...), every other
  NumPy function through ``__getattr__``, ufuncs with ``.at`` (used by
  ``scatter_add``), ``linalg`` and ``fft`` submodules (NumPy's, wrapped the
  same way), and :func:`asnumpy` to copy back to NumPy explicitly.

Index keys may contain NumPy integer/boolean arrays (CuPy converts those).
"""

import sys

import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin

_SCALAR_TYPES = (int, float, complex, bool, numpy.generic)


def _unwrap(x, key=False):
    """Plain NumPy data of ``x`` (recursing into lists/tuples/dicts); refuse
    NumPy arrays unless ``key`` (index keys may hold them)."""
    t = type(x)
    if t is ndarray:
        return x._a
    if t is numpy.ndarray:
        if x.ndim > 0 and not key:
            raise TypeError("Unsupported type <class 'numpy.ndarray'> (fakecupy: a NumPy "
                            f"array of shape {x.shape} met a device array)")
        return x
    if t in (list, tuple):
        return t(_unwrap(v, key) for v in x)
    if t is dict:
        return {k: _unwrap(v, key) for k, v in x.items()}
    return x


def _wrap(x):
    if isinstance(x, numpy.ndarray):
        return ndarray(x)
    if isinstance(x, numpy.generic) and not isinstance(x, (numpy.str_, numpy.bytes_)):
        return ndarray(numpy.asarray(x))  # CuPy reductions give 0-d arrays
    if type(x) in (list, tuple):
        return type(x)(_wrap(v) for v in x)
    if isinstance(x, tuple):  # numpy.linalg's named tuples (EighResult...)
        return type(x)(*(_wrap(v) for v in x))
    return x


def _foreign(values):
    """Whether some argument is of a type we must defer to (e.g. a traced value)."""
    for v in values:
        if type(v) in (list, tuple):
            if _foreign(v):
                return True
        elif hasattr(v, "__array_ufunc__") and not isinstance(v, (ndarray, numpy.ndarray,
                                                                   numpy.generic)):
            return True
    return False


class ndarray(NDArrayOperatorsMixin):
    __array_priority__ = 100.0

    def __init__(self, a):
        assert type(a) is numpy.ndarray, type(a)
        self._a = a

    # -- CuPy's strictness ----------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _foreign(inputs) or _foreign(kwargs.get("out", ())):
            return NotImplemented
        key = method == "at"  # ufunc.at(a, indices, b): the indices may be NumPy
        args = [_unwrap(v, key and i == 1) for i, v in enumerate(inputs)]
        return _wrap(getattr(ufunc, method)(*args, **_unwrap(kwargs)))

    def __array_function__(self, func, types, args, kwargs):
        if any(not issubclass(t, (ndarray, numpy.ndarray)) for t in types):
            return NotImplemented
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __array_namespace__(self, api_version=None):
        return sys.modules[__name__]

    # -- attributes -----------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    dtype = property(lambda self: self._a.dtype)
    flags = property(lambda self: self._a.flags)
    strides = property(lambda self: self._a.strides)
    T = property(lambda self: ndarray(self._a.T))
    mT = property(lambda self: ndarray(self._a.mT))
    real = property(lambda self: ndarray(numpy.asarray(self._a.real)))
    imag = property(lambda self: ndarray(numpy.asarray(self._a.imag)))

    def __getattr__(self, name):
        # Methods (reshape, sum, astype, conj...): NumPy's, unwrapped and rewrapped.
        if name.startswith("__") or name in ("ctypes", "base", "data", "tolist"):
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)
        return lambda *a, **k: _wrap(attr(*_unwrap(a), **_unwrap(k)))

    def get(self):
        return self._a.copy()

    # -- Python protocol --------------------------------------------------------
    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, key=True)])

    def __setitem__(self, key, value):
        self._a[_unwrap(key, key=True)] = _unwrap(value)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __float__(self):
        return float(self._a)

    def __complex__(self):
        return complex(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __bool__(self):
        return bool(self._a)

    def __repr__(self):
        return "fakecupy." + repr(self._a)


def asnumpy(x):
    """The plain NumPy array of ``x`` (``cupy.asnumpy``)."""
    return x._a.copy() if type(x) is ndarray else numpy.asarray(x)


def asarray(a, dtype=None, order=None, **kw):
    if type(a) is ndarray:
        return a if dtype is None else ndarray(a._a.astype(dtype, copy=False))
    return ndarray(numpy.asarray(_unwrap(a, key=True), dtype=dtype, order=order))


def array(a, dtype=None, copy=True, order="K", ndmin=0):
    return ndarray(numpy.array(_unwrap(a, key=True), dtype=dtype, copy=copy, order=order,
                               ndmin=ndmin))


class _UFunc:
    """A NumPy ufunc on fake arrays, with ``.at``/``.reduce``/... as in CuPy."""

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__

    def __call__(self, *a, **k):
        return self._uf(*a, **k)  # dispatches to ndarray.__array_ufunc__

    def __getattr__(self, method):  # at, reduce, accumulate, outer
        return getattr(self._uf, method)


def _wrapped(f):
    def g(*args, **kwargs):
        return _wrap(f(*_unwrap(args), **_unwrap(kwargs)))
    g.__name__ = getattr(f, "__name__", "f")
    return g


class _Namespace:
    """``linalg``/``fft``: the NumPy submodule's functions, wrapped like the module's."""

    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        f = getattr(self._mod, name)
        return _wrapped(f) if callable(f) and not isinstance(f, type) else f


linalg = _Namespace(numpy.linalg)
fft = _Namespace(numpy.fft)


def __getattr__(name):
    # zeros, ones, empty, full, eye, arange, where, broadcast_to, exp, ...:
    # NumPy's function of the same name, on unwrapped arguments, rewrapped.
    f = getattr(numpy, name)
    if isinstance(f, numpy.ufunc):
        return _UFunc(f)
    if callable(f) and not isinstance(f, type):
        return _wrapped(f)
    return f  # dtypes, constants (numpy.float64, numpy.pi...)
