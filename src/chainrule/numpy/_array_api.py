"""Strict array API arrays (``array_api_strict``...) under NumPy's face.

A library that implements only the Python array API standard has no NumPy
dispatch protocols (``__array_ufunc__``, ``__array_function__``): ``numpy.sin``
of one of its arrays converts it to a NumPy array through ``__array__`` (a
silent host round trip) or fails. chainrule's rules are NumPy code, so the
transforms wrap such arrays at the boundary (their inputs, the arguments of
the differentiated function, given cotangents and tangents) in
:class:`ArrayAPIArray`, and unwrap what they return: users get their
library's arrays back.

The wrapper is a translator, nothing more: every NumPy call it receives
becomes a call of the array's own namespace (``x.__array_namespace__()``),
under the standard's name (``arcsin`` -> ``asin``, ``power`` -> ``pow``,
``concatenate`` -> ``concat``, ``transpose`` -> ``permute_dims``...), with
NumPy's semantics made explicit where the standard is stricter:

* **dtypes** are NumPy's (``x.dtype`` is ``numpy.dtype('float64')``), so the
  rules' dtype logic (``.kind``, ``numpy.result_type``, ``finfo``) is NumPy's;
  they are mapped to the library's at each call;
* **type promotion** is NumPy's: each ufunc's loop is chosen by
  ``ufunc.resolve_dtypes`` and the operands are cast to it before the call
  (the standard refuses to mix kinds: ``int + float``, ``sin(int)``);
* **indexing** is NumPy's: basic indices get the trailing ``...`` the standard
  asks for, index lists and NumPy index arrays move to the library, and
  advanced indices mixed with slices are turned into one all-integer-array
  index whose axes land where NumPy puts them;
* **writes** with integer-array indices, which the standard does not have,
  and the scatter-add that the derivative of indexing needs (``np.add.at``),
  are computed functionally from the standard's ``argsort``, ``searchsorted``
  and ``where`` (the wrapper then holds the new array).

What it cannot translate it refuses loudly, with
:class:`~chainrule.core.errors.ArrayLibraryError` naming NumPy's function and
the library: a NumPy function the standard has no counterpart for
(``numpy.exp2``, ``numpy.fmod``, ``numpy.linalg.lstsq``, ``where=`` of a
reduction...). Values never become NumPy arrays: ``__array__`` raises, and a
NumPy array (other than an index, or a 0-d constant) meeting a wrapped array
raises, as CuPy does. Functions that chainrule builds from other functions
(``nansum``, ``flip``, ``pad``, ``tensordot``...) work where their parts do.

>>> import array_api_strict as xps
>>> import chainrule, chainrule.numpy as np
>>> chainrule.grad(lambda x: np.sum(np.sin(x)))(xps.asarray([0.0, 1.0]))
Array([1.        , 0.54030231], dtype=array_api_strict.float64)
"""

import math

import numpy as _np
from numpy.lib.mixins import NDArrayOperatorsMixin

from ..core.errors import ArrayLibraryError

_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64", "complex64", "complex128")


# ----------------------------------------------------------------------------
# Recognizing the arrays, cheaply (the transforms ask for every input)
# ----------------------------------------------------------------------------

_ONLY_TYPES = set()  # types of arrays that have __array_namespace__ and no dispatch protocols
_OTHER_TYPES = {_np.ndarray, float, int, complex, bool, type(None)}


def _only_type(t):
    if t in _OTHER_TYPES:
        return False
    if t in _ONLY_TYPES:
        return True
    only = (hasattr(t, "__array_namespace__") and not issubclass(t, _np.generic)
            and not hasattr(t, "__array_function__") and not hasattr(t, "__array_ufunc__"))
    (_ONLY_TYPES if only else _OTHER_TYPES).add(t)
    return only


def is_array_api_only(x):
    """An array of a library with ``__array_namespace__`` but without NumPy's
    dispatch protocols (not NumPy, CuPy or Dask, which have them).

    >>> import array_api_strict as xps
    >>> is_array_api_only(xps.asarray(1.0)), is_array_api_only(_np.ones(2))
    (True, False)
    """
    return _only_type(type(x))


def any_array_api(values):
    """Whether any of ``values`` (flat, or one level of tuples/lists/dicts) is a
    strict array API array.

    >>> import array_api_strict as xps
    >>> any_array_api([1.0, (xps.asarray(2.0),)]), any_array_api([_np.ones(2)])
    (True, False)
    """
    for v in values:
        t = type(v)
        if t in _OTHER_TYPES:
            continue
        if t is tuple or t is list:
            if any_array_api(v):
                return True
        elif t is dict:
            if any_array_api(v.values()):
                return True
        elif _only_type(t):
            return True
    return False


# ----------------------------------------------------------------------------
# The boundary: wrap what comes in, unwrap what goes out
# ----------------------------------------------------------------------------

def wrap(x):
    """``x`` as an :class:`ArrayAPIArray` if it is a strict array API array,
    recursing into tuples, lists and dicts; anything else as it is.

    >>> import array_api_strict as xps
    >>> wrap(xps.asarray([1.0, 2.0])).dtype
    dtype('float64')
    """
    t = type(x)
    if t is tuple or t is list:
        return t(wrap(v) for v in x)
    if t is dict:
        return {k: wrap(v) for k, v in x.items()}
    if _only_type(t):
        device = getattr(x, "device", None)
        ns = _BY_TYPE.get((t, device))
        if ns is None:  # x.__array_namespace__() can be slow (array_api_strict sets flags)
            ns = _BY_TYPE[(t, device)] = namespace(x.__array_namespace__(), device)
        return ArrayAPIArray(x, ns)
    return x


_BY_TYPE = {}  # (array type, device) -> Namespace


def unwrap(x):
    """The library's own array of an :class:`ArrayAPIArray`, recursing into
    tuples (named ones included), lists and dicts; anything else as it is.

    >>> import array_api_strict as xps
    >>> type(unwrap(wrap(xps.asarray(1.0)))).__name__
    'Array'
    """
    t = type(x)
    if t is ArrayAPIArray:
        return x._a
    if t is tuple or t is list:
        return t(unwrap(v) for v in x)
    if t is dict:
        return {k: unwrap(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # EighResult, SVDResult...
        return t(*(unwrap(v) for v in x))
    return x


def wrap_leaves(leaves):
    """``(leaves, wrapped)``: the leaves with strict array API arrays wrapped,
    and whether any was (then the caller unwraps what it returns)."""
    if not any_array_api(leaves):
        return leaves, False
    return [wrap(v) for v in leaves], True


def unwrap_leaves(leaves):
    return [unwrap(v) for v in leaves]


def dtype_kind(dt):
    """NumPy's kind letter of an array API dtype (``array_api_strict.float64`` -> 'f').

    >>> import array_api_strict as xps
    >>> dtype_kind(xps.complex64), dtype_kind(xps.bool)
    ('c', 'b')
    """
    name = str(dt).rsplit(".", 1)[-1]
    try:
        return _np.dtype(name).kind
    except TypeError:
        raise TypeError(f"chainrule: unknown dtype {dt!r}") from None


# ----------------------------------------------------------------------------
# The namespace: NumPy's names on one array API library
# ----------------------------------------------------------------------------

class _Missing(ArrayLibraryError, AttributeError):
    """A NumPy name the library has no counterpart for: loud when used, and
    ``hasattr``/``getattr(ns, name, None)`` still answer no."""


_NAMESPACES = {}


def namespace(xp, device=None):
    """The :class:`Namespace` of the array API library module ``xp`` for arrays
    on ``device`` (``None``: the library's default); one per module and device.

    >>> import array_api_strict as xps
    >>> namespace(xps).library_name
    'array_api_strict'
    """
    key = (id(xp), device)
    ns = _NAMESPACES.get(key)
    if ns is None:
        ns = _NAMESPACES[key] = Namespace(xp, device)
    return ns


# The standard's functions that create arrays, and take ``device=``.
_CREATORS = {"asarray", "arange", "zeros", "ones", "empty", "full", "eye", "linspace",
             "fftfreq", "rfftfreq"}


class _OnDevice:
    """An array API module whose creation functions make arrays on one device:
    every array a namespace builds (index arrays, masks, constants moved by
    ``like``) must sit next to the arrays it meets (the standard refuses to mix
    devices)."""

    def __init__(self, mod, device, top=True):
        self._mod, self._device, self._top = mod, device, top

    def __getattr__(self, name):
        v = getattr(self._mod, name)
        if name in _CREATORS:
            mod_f, device = v, self._device

            def v(*args, **kwargs):
                kwargs.setdefault("device", device)
                return mod_f(*args, **kwargs)
        elif self._top and name in ("linalg", "fft"):  # (fft.fft is a function)
            v = _OnDevice(v, self._device, top=False)
        setattr(self, name, v)  # looked up once
        return v


class Namespace:
    """NumPy's functions on the arrays of one array API library, under NumPy's
    names and signatures: what ``array_module`` returns for an
    :class:`ArrayAPIArray` (as ``cupy`` for a CuPy array). Results are wrapped
    arrays; a name without a counterpart in the standard raises
    :class:`ArrayLibraryError` naming it and the library.

    >>> import array_api_strict as xps
    >>> ns = namespace(xps)
    >>> ns.zeros((2,), float)
    ArrayAPIArray(Array([0., 0.], dtype=array_api_strict.float64))
    >>> ns.exp2
    Traceback (most recent call last):
    ...
    chainrule.numpy._array_api._Missing: chainrule: numpy.exp2 cannot run on array_api_strict \
arrays: the array API standard has no counterpart of it. The README's 'Other array libraries' \
table says what works where.
    """

    def __init__(self, xp, device=None, sub=None):
        self._module = xp
        self._device = device
        self._xp = xp if device is None else _OnDevice(xp, device)
        self.library_name = xp.__name__.split(".")[0]
        self.__name__ = self.library_name + " (under NumPy's names, chainrule)"
        self._sub = sub
        self._to_lib, self._to_np = {}, {}
        for n in _DTYPE_NAMES:
            d = getattr(xp, n, None)
            if d is not None:
                self._to_lib[_np.dtype(n)] = d
                self._to_np[d] = _np.dtype(n)
        self._array_type = type(xp.asarray(0))
        self._dtype_type = type(xp.asarray(0.0).dtype)
        self._root = self  # what wrapped results carry (linalg's and fft's results too)
        if sub is None:
            self.linalg = _SubNamespace(self, "linalg")
            self.fft = _SubNamespace(self, "fft")

    def __repr__(self):
        return f"<chainrule namespace of {self.library_name} under NumPy's names>"

    # -- dtypes ----------------------------------------------------------------------------

    def lib_dtype(self, dt):
        """The library's dtype for a NumPy dtype (or type, or the library's own dtype)."""
        if dt is None:
            return None
        if type(dt) is _np.dtype:
            d = self._to_lib.get(dt)
            if d is not None:
                return d
        elif type(dt) is self._dtype_type:  # already the library's
            return dt
        try:
            d = self._to_lib.get(_np.dtype(dt))
        except TypeError:
            d = None
        if d is None:
            raise ArrayLibraryError(f"dtype {dt}", self.library_name,
                                    "the library has no such dtype")
        return d

    def np_dtype(self, d):
        return self._to_np[d]

    # -- operands --------------------------------------------------------------------------

    def raw(self, v):
        """``v`` as an operand of the library: a wrapped array's own array, the
        library's arrays and Python numbers as they are, NumPy scalars and 0-d
        arrays as 0-d arrays of their dtype; NumPy arrays are refused."""
        t = type(v)
        if t is ArrayAPIArray:
            return v._a
        if t is self._array_type or t in (float, int, complex, bool):
            return v
        if isinstance(v, _np.generic) or (t is _np.ndarray and v.ndim == 0):
            return self._xp.asarray(v.item(), dtype=self.lib_dtype(v.dtype))
        if t is _np.ndarray:
            raise _NumPyMet(v.shape)
        if t in (tuple, list):
            return t(self.raw(u) for u in v)
        if t in _STAND_INS:  # a Jacobian's identity seed handed to a namespace function
            return self.raw(v.dense())
        return v

    def wrap(self, r):
        """Wrap the library's results (arrays, and tuples of them)."""
        t = type(r)
        if t is self._array_type:
            return ArrayAPIArray(r, self._root)
        if t is tuple or t is list:
            return t(self.wrap(v) for v in r)
        if isinstance(r, tuple) and hasattr(r, "_fields"):  # the standard's named results
            return t(*(self.wrap(v) for v in r))
        return r

    def operand(self, v):
        """``v`` as the library's array, for a function's array argument: as
        :meth:`raw` (a NumPy array is refused), Python numbers and lists of them
        made arrays of NumPy's default dtype for them."""
        r = self.raw(v)
        if type(r) is self._array_type:
            return r
        if type(r) in (float, int, complex, bool):
            return self._xp.asarray(r, dtype=self.lib_dtype(_np.result_type(r)))
        if type(r) in (list, tuple):
            return self.asarray_raw(r)
        raise TypeError(f"chainrule: {type(v).__name__} is not an array of {self.library_name}")

    def asarray_raw(self, a, dtype=None):
        """``a`` (wrapped, the library's, a NumPy array or a nested list) as the
        library's array: the explicit move to the library that ``like`` asks for."""
        t = type(a)
        if t in _STAND_INS:
            a = a.dense()
            t = type(a)
        if t is ArrayAPIArray:
            a = a._a
        elif t is _np.ndarray or isinstance(a, _np.generic):
            if dtype is None:
                dtype = a.dtype
            a = _np.asarray(a)
        elif t in (list, tuple):
            if any(type(v) in (ArrayAPIArray, self._array_type) for v in _flat(a)):
                return self._xp.stack([self.asarray_raw(v, dtype) for v in a])
            a = _np.asarray(a, dtype=dtype)
            dtype = a.dtype
        xp = self._xp
        if type(a) is self._array_type:
            return a if dtype is None or a.dtype == self.lib_dtype(dtype) \
                else xp.astype(a, self.lib_dtype(dtype))
        if dtype is None and type(a) in (float, int, complex, bool):
            dtype = _np.result_type(a)  # NumPy's default dtypes for Python numbers
        return xp.asarray(a, dtype=self.lib_dtype(dtype))

    # -- NumPy's names ---------------------------------------------------------------------

    def call(self, name, args, kwargs):
        """NumPy's function ``name`` (``"sum"``, ``"linalg.solve"``) on these arguments."""
        impl = _FUNCTIONS.get(name)
        if impl is None:
            raise _missing(name, self.library_name)
        try:
            return self.wrap(impl(self, *args, **kwargs))
        except _NumPyMet as e:
            raise e.error(f"numpy.{name}", self.library_name) from None
        except TypeError as e:
            if isinstance(e, ArrayLibraryError) or "chainrule:" in str(e):
                raise
            # The library refused (a dtype or argument the standard does not have), or
            # the translation does not know a NumPy argument.
            raise ArrayLibraryError(f"numpy.{name}", self.library_name,
                                    f"the call failed on {self.library_name}: {e}") from e

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        full = name if self._sub is None else f"{self._sub}.{name}"
        if full in _FUNCTIONS:
            def f(*args, **kwargs):
                return self.call(full, args, kwargs)
            f.__name__ = name
            return f
        if self._sub is None:
            if name in _UFUNCS:
                return _UFuncOn(self, getattr(_np, name))
            if name in _NUMPY_ATTRIBUTES:  # dtypes (ns.float64 is numpy.float64), pi, e...
                return getattr(_np, name)
        raise _missing(full, self.library_name)

    def scatter_add(self, a, idx, v):
        """``a[idx] += v`` with repeated indices summed (``np.add.at``): the wrapped
        ``a`` then holds the result, which is also returned."""
        a._a = _scatter(self, a._a, idx, v, add=True)
        return a

    def ufunc(self, uf, inputs, kwargs):
        """A NumPy ufunc on these operands, with NumPy's loop (type resolution)."""
        name = uf.__name__
        std = _UFUNCS.get(name)
        if std is None:
            raise _missing(name, self.library_name)
        if kwargs:
            extra = {k: v for k, v in kwargs.items() if v is not None or k != "out"}
            if extra:
                raise ArrayLibraryError(
                    f"numpy.{name}({', '.join(k + '=' for k in extra)})", self.library_name,
                    "the standard's functions take no such arguments (out=, where=, dtype=...)")
        loop = uf.resolve_dtypes(tuple(_dtype_or_type(v) for v in inputs) + (None,) * uf.nout)
        try:
            args = [self.cast(v, loop[i]) for i, v in enumerate(inputs)]
        except _NumPyMet as e:
            raise e.error(f"numpy.{name}", self.library_name) from None
        try:
            r = std(self, *args) if callable(std) else getattr(self._xp, std)(*args)
        except TypeError as e:
            raise ArrayLibraryError(f"numpy.{name}", self.library_name,
                                    f"the call failed on {self.library_name}: {e}") from e
        want = self.lib_dtype(loop[uf.nin])
        if type(r) is self._array_type and r.dtype != want:
            r = self._xp.astype(r, want)
        return ArrayAPIArray(r, self._root)

    def cast(self, v, dt):
        """The operand ``v`` as the library's array of NumPy dtype ``dt``."""
        r = self.raw(v)
        d = self.lib_dtype(dt)
        if type(r) is self._array_type:
            return r if r.dtype == d else self._xp.astype(r, d)
        return self._xp.asarray(r, dtype=d)


class _SubNamespace(Namespace):
    """``linalg`` / ``fft`` of a :class:`Namespace`."""

    def __init__(self, parent, sub):
        self.__dict__.update({k: v for k, v in parent.__dict__.items()
                              if k not in ("linalg", "fft")})
        self._sub = sub
        self._root = parent
        self.__name__ = f"{parent.library_name}.{sub} (under NumPy's names, chainrule)"


class _UFuncOn:
    """``ns.add``, ``ns.sin``...: a NumPy ufunc restricted to this namespace
    (``ns.add.at`` is the scatter-add)."""

    def __init__(self, ns, uf):
        self._ns, self._uf = ns, uf
        self.__name__ = uf.__name__

    def __call__(self, *args, **kwargs):
        return self._ns.ufunc(self._uf, args, kwargs)

    def at(self, a, idx, v):
        if self._uf is not _np.add:
            raise _missing(f"{self.__name__}.at", self._ns.library_name)
        self._ns.scatter_add(a, idx, v)


class _NumPyMet(Exception):
    """A NumPy array among the operands: turned into a TypeError naming the function."""

    def __init__(self, shape):
        self.shape = shape

    def error(self, function, library):
        return TypeError(
            f"chainrule: {function} got a NumPy array of shape {self.shape} among arrays of "
            f"{library}, which chainrule never converts silently (CuPy refuses it too). "
            f"Create it with {library}, or pass it as an argument of the differentiated "
            "function (the transforms wrap those like the inputs).")


# Types that stand for a dense array (chainrule.numpy.basis.ScaledBasis, the identity
# seed of Jacobians, registers itself: importing it here would be an import cycle).
# Handed to a namespace function directly, not through NumPy's dispatch, they are
# replaced by the dense array.
_STAND_INS = set()


def stands_for_dense(t):
    """Register ``t``, whose ``dense()`` is the array it stands for."""
    _STAND_INS.add(t)


def _missing(name, library):
    return _Missing(f"numpy.{name}", library, "the array API standard has no counterpart of it")


def _flat(v):
    if type(v) in (list, tuple):
        for u in v:
            yield from _flat(u)
    else:
        yield v


def _dtype_or_type(v):
    """What ``ufunc.resolve_dtypes`` takes for an operand: a NumPy dtype, or
    Python's ``int``/``float``/``complex`` for a (weakly typed) Python number."""
    t = type(v)
    if t is ArrayAPIArray:
        return v.dtype
    if t is float or t is int or t is complex:
        return t
    if t is bool:
        return _np.dtype(bool)
    d = getattr(v, "dtype", None)
    if d is None:
        return _np.result_type(v)
    if type(d) is _np.dtype:
        return d
    return _np.dtype(str(d).rsplit(".", 1)[-1])  # a raw array of the library


_NUMPY_ATTRIBUTES = set(_DTYPE_NAMES) | {"pi", "e", "inf", "nan", "newaxis", "intp", "bool_",
                                          "dtype", "finfo", "iinfo"}


# ----------------------------------------------------------------------------
# The wrapped array
# ----------------------------------------------------------------------------

class ArrayAPIArray(NDArrayOperatorsMixin):
    """An array of a strict array API library with NumPy's dispatch protocols:
    NumPy's ufuncs and functions on it run the library's functions (see the
    module docstring). Made at the boundary of the transforms; users never
    see one.

    >>> import array_api_strict as xps
    >>> x = wrap(xps.asarray([1.0, 2.0]))
    >>> _np.sin(x) * 2 + 1
    ArrayAPIArray(Array([2.68294197, 2.81859485], dtype=array_api_strict.float64))
    """

    __slots__ = ("_a", "_ns")
    __array_priority__ = 100.0

    def __init__(self, a, ns):
        self._a = a
        self._ns = ns

    # -- never NumPy --------------------------------------------------------------------------

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"chainrule: an array of {self._ns.library_name} cannot become a NumPy array "
            "inside chainrule (numpy.asarray, or a NumPy function that chainrule does not "
            "translate): that would be a silent host copy. Use chainrule.numpy functions.")

    def __array_namespace__(self, api_version=None):
        return self._ns

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _foreign(inputs):
            return NotImplemented  # a traced value (Box), a ScaledBasis: theirs first
        if method == "__call__":
            return self._ns.ufunc(ufunc, inputs, kwargs)
        if method == "at" and ufunc is _np.add and inputs[0] is self:
            self._ns.scatter_add(self, inputs[1], inputs[2])
            return None
        if method == "reduce" and ufunc.__name__ in _REDUCTIONS and len(inputs) == 1:
            # np.add.reduce, np.maximum.reduce...: NumPy's fast forms of sum, max...
            kwargs = dict(kwargs)
            kwargs.setdefault("axis", 0)  # ufunc.reduce reduces axis 0 by default
            return self._ns.call(_REDUCTIONS[ufunc.__name__], inputs, kwargs)
        raise _missing(f"{ufunc.__name__}.{method}", self._ns.library_name)

    def __array_function__(self, func, types, args, kwargs):
        for t in types:
            if t is not ArrayAPIArray and t is not _np.ndarray and \
                    not issubclass(t, _np.generic):
                return NotImplemented
        mod = func.__module__ or "numpy"
        name = func.__name__ if mod == "numpy" or not mod.startswith("numpy.") else \
            f"{mod.split('.')[1]}.{func.__name__}"
        return self._ns.call(name, args, kwargs)

    # -- attributes ------------------------------------------------------------------------------

    @property
    def shape(self):
        return tuple(self._a.shape)

    @property
    def ndim(self):
        return self._a.ndim

    @property
    def size(self):
        return math.prod(self._a.shape)

    @property
    def dtype(self):
        return self._ns._to_np[self._a.dtype]

    @property
    def device(self):
        return self._a.device

    @property
    def T(self):
        if self._a.ndim < 2:
            return self
        return ArrayAPIArray(self._ns._xp.permute_dims(self._a, tuple(range(self._a.ndim))[::-1]),
                             self._ns)

    @property
    def mT(self):
        return ArrayAPIArray(self._ns._xp.matrix_transpose(self._a), self._ns)

    @property
    def real(self):
        return self._ns.call("real", (self,), {})

    @property
    def imag(self):
        return self._ns.call("imag", (self,), {})

    def __repr__(self):
        return f"ArrayAPIArray({self._a!r})"

    # -- methods: NumPy's functions of the same name ------------------------------------------

    def __getattr__(self, name):
        if name.startswith("_") or name not in _METHODS:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        ns = self._ns

        def method(*args, **kwargs):
            return ns.call(name, (self,) + args, kwargs)
        return method

    def reshape(self, *shape, order="C", copy=None):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self._ns.call("reshape", (self, tuple(shape)), {"order": order})

    def transpose(self, *axes):
        if len(axes) == 1 and (isinstance(axes[0], (tuple, list)) or axes[0] is None):
            axes = axes[0]
        return self._ns.call("transpose", (self, axes or None), {})

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        d = self._ns.lib_dtype(dtype)
        if not copy and self._a.dtype == d:
            return self
        return ArrayAPIArray(self._ns._xp.astype(self._a, d), self._ns)

    def copy(self, order="C"):
        return ArrayAPIArray(self._ns._xp.asarray(self._a, copy=True), self._ns)

    def flatten(self, order="C"):
        return self._ns.call("ravel", (self,), {"order": order})

    def item(self, *args):
        if args:
            return self[args if len(args) > 1 else args[0]].item()
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        v = self._ns._xp.reshape(self._a, ())
        return {"b": bool, "i": int, "u": int, "f": float, "c": complex}[self.dtype.kind](v)

    def tolist(self):
        if self.ndim == 0:
            return self.item()
        return [self[i].tolist() for i in range(len(self))]

    # -- Python's protocols -------------------------------------------------------------------

    def __getitem__(self, key):
        return ArrayAPIArray(_getitem(self._ns, self._a, key), self._ns)

    def __setitem__(self, key, value):
        self._a = _setitem(self._ns, self._a, key, value)

    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._a.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __index__(self):
        return self._a.__index__()


# ufunc.reduce that is one of NumPy's reductions
_REDUCTIONS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
               "logical_and": "all", "logical_or": "any"}

_METHODS = {"sum", "prod", "mean", "var", "std", "max", "min", "all", "any", "argmax", "argmin",
            "argsort", "sort", "cumsum", "cumprod", "conj", "conjugate", "squeeze", "swapaxes",
            "ravel", "nonzero", "clip", "round", "take", "repeat", "diagonal", "trace", "dot"}


def _foreign(values):
    """Whether an operand is of another type with NumPy's protocols (a chainrule
    Box, a ScaledBasis) that must have its turn first."""
    for v in values:
        t = type(v)
        if t in (list, tuple):
            if _foreign(v):
                return True
        elif t is not ArrayAPIArray and t is not _np.ndarray and hasattr(t, "__array_ufunc__") \
                and not issubclass(t, _np.generic):
            return True
    return False


# ----------------------------------------------------------------------------
# Indexing: NumPy's, in the standard's terms
# ----------------------------------------------------------------------------

def _key(ns, key):
    """The index as a tuple for the library: index lists and NumPy index arrays
    moved to it, NumPy integers made Python's, wrapped arrays unwrapped."""
    if type(key) is not tuple:
        key = (key,)
    out = []
    for k in key:
        t = type(k)
        if t is ArrayAPIArray:
            k = k._a
            t = type(k)
        if t is ns._array_type and k.ndim == 0 and k.dtype != ns._xp.bool:
            k = int(k)  # the standard mixes 0-d index arrays with integers only
        elif t is _np.ndarray and k.ndim == 0 and k.dtype.kind in "iu":
            k = int(k)
        elif t is list or t is _np.ndarray:
            a = _np.asarray(k)
            if a.dtype.kind not in "biu":
                raise IndexError(f"chainrule: index arrays must be integer or boolean, not "
                                 f"{a.dtype}")
            k = ns._xp.asarray(a if a.dtype.kind == "b" else a.astype(_np.int64))
        elif isinstance(k, _np.integer):
            k = int(k)
        elif isinstance(k, _np.bool_):
            k = bool(k)
        out.append(k)
    return out


def _is_array(ns, k):
    return type(k) is ns._array_type


def _getitem(ns, a, key):
    """``a[key]`` with NumPy's semantics, for the library's array ``a``."""
    key = _key(ns, key)
    xp = ns._xp
    if not any(_is_array(ns, k) and k.ndim > 0 for k in key):
        if any(type(k) is bool for k in key):
            raise _missing("getitem with a boolean scalar index", ns.library_name)
        if Ellipsis not in key:
            key.append(Ellipsis)  # the standard wants every axis indexed, or an ...
        return a[tuple(key)]
    # Boolean arrays become their nonzero() integer arrays (one per axis they cover).
    flat = []
    for k in key:
        if _is_array(ns, k) and k.dtype == xp.bool:
            if k.ndim == 0:
                raise _missing("getitem with a 0-d boolean index", ns.library_name)
            flat.extend(xp.nonzero(k))
        else:
            flat.append(k)
    return _advanced(ns, a, flat)


def _advanced(ns, a, key):
    """NumPy's advanced indexing as one all-integer-array index of the standard.

    The integer arrays (and, as NumPy counts them, the integers among them)
    broadcast to a block of axes ``B``; each sliced axis contributes its own
    axis. NumPy puts ``B`` where the first advanced index is when the advanced
    indices are next to each other in the key (an ``...`` or ``None`` between
    them separates them even when it spans no axis), else in front. Each index
    becomes an integer array shaped to its place in that layout, and the
    library's integer-array indexing does the rest.
    """
    xp = ns._xp
    adv_pos = [i for i, k in enumerate(key) if type(k) is int or _is_array(ns, k)]
    adjacent = adv_pos[-1] - adv_pos[0] + 1 == len(adv_pos)
    n_index = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_index > a.ndim:
        raise IndexError(f"too many indices for array: array is {a.ndim}-dimensional, "
                         f"but {n_index} were indexed")
    # Expand the ... and turn each None into a new axis of length one of `a`.
    entries, new_shape, ax = [], [], 0
    for k in key:
        if k is Ellipsis:
            for _ in range(a.ndim - n_index):
                entries.append(slice(None))
                new_shape.append(a.shape[ax])
                ax += 1
            n_index = a.ndim  # a second ... would be NumPy's error; expand once
        elif k is None:
            entries.append(slice(None))
            new_shape.append(1)
        else:
            entries.append(k)
            new_shape.append(a.shape[ax])
            ax += 1
    while ax < a.ndim:
        entries.append(slice(None))
        new_shape.append(a.shape[ax])
        ax += 1
    if tuple(new_shape) != tuple(a.shape):
        a = xp.reshape(a, tuple(new_shape))
    adv = [i for i, k in enumerate(entries) if type(k) is int or _is_array(ns, k)]
    block = _np.broadcast_shapes(*[tuple(entries[i].shape) if _is_array(ns, entries[i]) else ()
                                   for i in adv])
    sliced = [i for i, k in enumerate(entries) if type(k) is slice]
    if adjacent:
        pre = [i for i in sliced if i < adv[0]]
        post = [i for i in sliced if i > adv[0]]
    else:
        pre, post = [], sliced
    rank = len(pre) + len(block) + len(post)
    start = len(pre)
    idx = [None] * len(entries)
    for i in adv:
        k = entries[i]
        n = new_shape[i]
        if type(k) is int:
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis {i} with size {n}")
            k = xp.asarray(k % n if n else k, dtype=xp.int64)
        else:
            if k.dtype != xp.int64:
                k = xp.astype(k, xp.int64)
            k = xp.where(k < 0, k + n, k)  # NumPy's negative indices
        k = xp.broadcast_to(k, block)
        idx[i] = xp.reshape(k, (1,) * start + block + (1,) * (rank - start - len(block)))
    for p, i in enumerate(pre):
        idx[i] = _axis_range(xp, entries[i], new_shape[i], p, rank)
    for p, i in enumerate(post):
        idx[i] = _axis_range(xp, entries[i], new_shape[i], start + len(block) + p, rank)
    return a[tuple(idx)]


def _axis_range(xp, s, n, pos, rank):
    """The positions a slice selects along an axis of length ``n``, as an
    integer array with its own axis at ``pos`` of ``rank``."""
    r = range(n)[s]
    k = xp.arange(r.start, r.stop, r.step, dtype=xp.int64) if len(r) else \
        xp.zeros((0,), dtype=xp.int64)
    return xp.reshape(k, (1,) * pos + (len(r),) + (1,) * (rank - pos - 1))


def _is_basic(ns, key):
    return not any(_is_array(ns, k) and k.ndim > 0 for k in key)


def _setitem(ns, a, key, value):
    """The library's array ``a`` after ``a[key] = value`` (NumPy's semantics):
    written in place where the standard allows it (basic indices), else a new
    array (integer-array indices: the last write to a position wins, as in
    NumPy)."""
    xp = ns._xp
    k = _key(ns, key)
    v = _assigned(ns, value)
    if _is_basic(ns, k):
        if Ellipsis not in k:
            k.append(Ellipsis)
        if type(v) is ns._array_type and v.dtype != a.dtype:
            v = xp.astype(v, a.dtype)
        plain = tuple(i for i in k if i is not None)  # newaxis selects nothing to write
        if type(v) is ns._array_type:
            region = a[tuple(k)].shape
            v = xp.broadcast_to(_drop_leading_ones(xp, v, len(region)), region)
            v = xp.reshape(v, a[plain].shape)
        a[plain] = v
        return a
    return _scatter(ns, a, key, value, add=False)


def _assigned(ns, value):
    try:
        return ns.raw(value)
    except _NumPyMet as e:
        raise e.error("an indexed assignment (x[i] = v)", ns.library_name) from None


def _drop_leading_ones(xp, v, nd):
    """NumPy lets an assigned value have extra leading axes of length one."""
    extra = v.ndim - nd
    if extra > 0:
        if any(n != 1 for n in v.shape[:extra]):
            raise ValueError(f"could not broadcast input array from shape {tuple(v.shape)}")
        v = xp.reshape(v, tuple(v.shape[extra:]))
    return v


def _scatter(ns, a, key, value, add):
    """``a`` with ``value`` written (``add=False``: the last write to a position
    wins) or added (``add=True``: repeats summed, ``np.add.at``) at ``a[key]``,
    as a new array, from the standard's functions only.

    The flat positions the index selects are sorted (stably, so that equal
    positions keep the order of the writes); each run of equal positions
    gives one value: its last element, or its sum, by a segmented
    prefix sum in ``log2(longest run)`` vectorized steps (each element adds
    only elements of its own run, so no cancellation between runs). Every
    position of the array then finds its run by ``searchsorted``.
    """
    xp = ns._xp
    shape = tuple(a.shape)
    n = math.prod(shape)
    ids = xp.reshape(xp.arange(n, dtype=xp.int64), shape)
    pos = _getitem(ns, ids, key)
    region = tuple(pos.shape)
    v = _assigned(ns, value)
    if type(v) is not ns._array_type:
        v = xp.asarray(v, dtype=a.dtype)
    elif v.dtype != a.dtype:
        v = xp.astype(v, a.dtype)
    v = xp.reshape(xp.broadcast_to(_drop_leading_ones(xp, v, len(region)), region), (-1,))
    pos = xp.reshape(pos, (-1,))
    m = pos.shape[0]
    if m == 0:
        return a
    order = xp.argsort(pos, stable=True)
    ps, vs = xp.take(pos, order), xp.take(v, order)
    if add:
        d = 1
        while d < m:
            same = ps[d:] == ps[:-d]
            if not bool(xp.any(same)):
                break
            vs = xp.concat([vs[:d], vs[d:] + xp.where(same, vs[:-d], xp.zeros_like(vs[:-d]))])
            d *= 2
    last = xp.concat([ps[1:] != ps[:-1], xp.ones((1,), dtype=xp.bool)])
    up, uv = ps[last], vs[last]
    every = xp.arange(n, dtype=xp.int64)
    j = xp.minimum(xp.searchsorted(up, every), up.shape[0] - 1)
    hit = xp.take(up, j) == every
    flat = xp.reshape(a, (-1,))
    got = xp.take(uv, j)
    new = xp.where(hit, flat + got if add else got, flat)
    return xp.reshape(new, shape)


# ----------------------------------------------------------------------------
# Elementwise: NumPy's ufuncs and the standard's name for each
# ----------------------------------------------------------------------------

def _real_part(ns, x):
    return ns._xp.real(x) if x.dtype in (ns._xp.complex64, ns._xp.complex128) else x


_SAME = ("add subtract multiply divide negative positive exp expm1 log log1p log2 log10 sqrt "
         "square sin cos tan sinh cosh tanh sign floor ceil trunc isnan isinf isfinite equal "
         "not_equal less less_equal greater greater_equal logical_and logical_or logical_xor "
         "logical_not maximum minimum hypot logaddexp copysign remainder floor_divide "
         "reciprocal signbit nextafter bitwise_and bitwise_or bitwise_xor matmul").split()
_RENAMED = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
            "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2", "power": "pow",
            "absolute": "abs", "conjugate": "conj", "invert": "bitwise_invert",
            "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift",
            "rint": "round"}


def _conj_any(ns, x):
    # NumPy conjugates real arrays too (a no-op); the standard's conj is for complex.
    return ns._xp.conj(x) if x.dtype in (ns._xp.complex64, ns._xp.complex128) else x


_UFUNCS = {**{n: n for n in _SAME}, **_RENAMED, "conjugate": _conj_any}


# ----------------------------------------------------------------------------
# NumPy's functions (``__array_function__`` and the namespace), one by one
# ----------------------------------------------------------------------------

_FUNCTIONS = {}


def _fn(*names):
    def deco(f):
        for n in names:
            _FUNCTIONS[n] = f
        return f
    return deco


def _only(name, ns, **given):
    """Refuse NumPy arguments the standard has no counterpart for."""
    bad = [k for k, v in given.items() if v is not None and v is not False]
    if bad:
        raise ArrayLibraryError(f"numpy.{name}({', '.join(k + '=' for k in bad)})",
                                ns.library_name, "the standard's function takes no such argument")


def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


# -- asking about arrays --------------------------------------------------------------------

@_fn("shape")
def _f_shape(ns, a):
    return tuple(ns.raw(a).shape) if hasattr(ns.raw(a), "shape") else _np.shape(a)


@_fn("ndim")
def _f_ndim(ns, a):
    r = ns.raw(a)
    return r.ndim if hasattr(r, "ndim") else _np.ndim(a)


@_fn("size")
def _f_size(ns, a, axis=None):
    s = _f_shape(ns, a)
    return math.prod(s) if axis is None else s[axis]


@_fn("result_type")
def _f_result_type(ns, *args):
    return _np.result_type(*[v.dtype if type(v) is ArrayAPIArray else v for v in args])


@_fn("iscomplexobj")
def _f_iscomplexobj(ns, x):
    return _dtype_or_type(x) in (_np.dtype("complex64"), _np.dtype("complex128"), complex)


# -- creation ------------------------------------------------------------------------------------

def _shape_arg(shape):
    return (int(shape),) if isinstance(shape, (int, _np.integer)) else tuple(int(n) for n in shape)


@_fn("asarray", "array", "asanyarray", "ascontiguousarray")
def _f_asarray(ns, a, dtype=None, order=None, *, copy=None, like=None, ndmin=0, device=None):
    r = ns.asarray_raw(a, dtype)
    if copy and r is getattr(a, "_a", None):
        r = ns._xp.asarray(r, copy=True)
    while r.ndim < ndmin:
        r = ns._xp.expand_dims(r, axis=0)
    return r


@_fn("copy")
def _f_copy(ns, a, order="K", subok=False):
    return ns._xp.asarray(ns.raw(a), copy=True)


@_fn("full")
def _f_full(ns, shape, fill_value, dtype=None, order="C", *, like=None, device=None):
    f = ns.raw(fill_value)
    if dtype is None:
        dtype = _dtype_or_type(fill_value)
        dtype = _np.result_type(dtype) if isinstance(dtype, type) else dtype
    if type(f) is ns._array_type:  # an array fill value: broadcast it
        return ns._xp.broadcast_to(ns._xp.astype(f, ns.lib_dtype(dtype)), _shape_arg(shape))
    return ns._xp.full(_shape_arg(shape), f, dtype=ns.lib_dtype(dtype))


@_fn("full_like")
def _f_full_like(ns, a, fill_value, dtype=None, order="K", subok=True, shape=None, *,
                 device=None):
    r = ns.raw(a)
    dt = ns.lib_dtype(dtype) if dtype is not None else r.dtype
    s = tuple(r.shape) if shape is None else _shape_arg(shape)
    return ns._xp.full(s, ns.raw(fill_value), dtype=dt)


@_fn("eye", "identity")
def _f_eye(ns, N, M=None, k=0, dtype=float, order="C", *, like=None, device=None):
    return ns._xp.eye(int(N), None if M is None else int(M), k=int(k), dtype=ns.lib_dtype(dtype))


@_fn("arange")
def _f_arange(ns, start, stop=None, step=1, dtype=None, *, like=None, device=None):
    if dtype is None:  # NumPy's: int64 for integers, float64 otherwise
        dtype = _np.result_type(start, 0 if stop is None else stop, step)
    return ns._xp.arange(start, stop, step, dtype=ns.lib_dtype(dtype))


def _creation(name):
    """``zeros``/``ones``/``empty`` and their ``_like`` forms (NumPy's default dtype)."""
    def new(ns, shape, dtype=float, order="C", *, like=None, device=None):
        return getattr(ns._xp, name)(_shape_arg(shape), dtype=ns.lib_dtype(dtype))

    def new_like(ns, a, dtype=None, order="K", subok=True, shape=None, *, device=None):
        r = ns.raw(a)
        dt = ns.lib_dtype(dtype) if dtype is not None else r.dtype
        s = tuple(r.shape) if shape is None else _shape_arg(shape)
        return getattr(ns._xp, name)(s, dtype=dt)
    _FUNCTIONS[name] = new
    _FUNCTIONS[name + "_like"] = new_like


for _n in ("zeros", "ones", "empty"):
    _creation(_n)


# -- elementwise functions that NumPy does not make ufuncs ------------------------------------

@_fn("real")
def _f_real(ns, x):
    return _real_part(ns, ns.operand(x))


@_fn("imag")
def _f_imag(ns, x):
    r = ns.operand(x)
    if r.dtype in (ns._xp.complex64, ns._xp.complex128):
        return ns._xp.imag(r)
    return ns._xp.zeros_like(r)


@_fn("conj", "conjugate")
def _f_conj(ns, x):
    return _conj_any(ns, ns.operand(x))


@_fn("where")
def _f_where(ns, condition, x=None, y=None):
    xp = ns._xp
    c = ns.raw(condition)
    if type(c) is not ns._array_type:
        c = xp.asarray(c)
    if c.dtype != xp.bool:
        c = xp.astype(c, xp.bool)
    if x is None and y is None:
        return xp.nonzero(c)
    dt = _np.result_type(_dtype_or_type(x), _dtype_or_type(y))
    return xp.where(c, ns.cast(x, dt), ns.cast(y, dt))


@_fn("clip")
def _f_clip(ns, a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kw):
    _only("clip", ns, out=out, **kw)
    lo = a_min if min is None else min
    hi = a_max if max is None else max
    dt = _np.result_type(*[_dtype_or_type(v) for v in (a, lo, hi) if v is not None])
    xp = ns._xp
    r = ns.cast(a, dt)
    # clip = minimum(maximum(a, lo), hi), as NumPy (the standard's clip wants lo <= hi)
    if lo is not None:
        r = xp.maximum(r, ns.cast(lo, dt))
    if hi is not None:
        r = xp.minimum(r, ns.cast(hi, dt))
    return r


@_fn("round", "around")
def _f_round(ns, a, decimals=0, out=None):
    _only("round", ns, out=out, decimals=decimals or None)
    return ns._xp.round(ns.raw(a))


# -- reductions and scans -------------------------------------------------------------------

def _numeric(ns, x, dtype, to="i"):
    """``x`` as the standard wants it for a sum/mean: NumPy sums booleans as
    integers and averages integers as floats."""
    xp = ns._xp
    if dtype is not None:
        return xp.astype(x, ns.lib_dtype(dtype)) if x.dtype != ns.lib_dtype(dtype) else x
    if x.dtype == xp.bool or (to == "f" and ns.np_dtype(x.dtype).kind in "iu"):
        return xp.astype(x, xp.int64 if to == "i" else xp.float64)
    return x


def _sum_like(f_name):
    def f(ns, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        _only(f_name, ns, out=out, initial=initial, where=None if where is True else where)
        x = _numeric(ns, ns.operand(a), dtype)
        return getattr(ns._xp, f_name)(x, axis=_axis(axis), keepdims=bool(keepdims))
    _FUNCTIONS[f_name] = f


_sum_like("sum")
_sum_like("prod")


def _extreme(f_name):
    def f(ns, a, axis=None, out=None, keepdims=False, initial=None, where=None):
        _only(f_name, ns, out=out, initial=initial, where=None if where is True else where)
        return getattr(ns._xp, f_name)(ns.operand(a), axis=_axis(axis),
                                       keepdims=bool(keepdims))
    return f


_FUNCTIONS["max"] = _FUNCTIONS["amax"] = _extreme("max")
_FUNCTIONS["min"] = _FUNCTIONS["amin"] = _extreme("min")


@_fn("mean")
def _f_mean(ns, a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    _only("mean", ns, out=out, where=None if where is True else where)
    x = _numeric(ns, ns.operand(a), dtype, to="f")
    return ns._xp.mean(x, axis=_axis(axis), keepdims=bool(keepdims))


def _spread(f_name):
    def f(ns, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
          mean=None, correction=None):
        _only(f_name, ns, out=out, where=None if where is True else where, mean=mean)
        x = _numeric(ns, ns.operand(a), dtype, to="f")
        c = ddof if correction is None else correction
        return getattr(ns._xp, f_name)(x, axis=_axis(axis), correction=c,
                                       keepdims=bool(keepdims))
    return f


_FUNCTIONS["var"] = _spread("var")
_FUNCTIONS["std"] = _spread("std")


def _logical(f_name):
    def f(ns, a, axis=None, out=None, keepdims=False, *, where=None):
        _only(f_name, ns, out=out, where=None if where is True else where)
        return getattr(ns._xp, f_name)(ns.operand(a), axis=_axis(axis),
                                       keepdims=bool(keepdims))
    _FUNCTIONS[f_name] = f


_logical("all")
_logical("any")


def _arg_extreme(f_name):
    def f(ns, a, axis=None, out=None, *, keepdims=False):
        _only(f_name, ns, out=out)
        return getattr(ns._xp, f_name)(ns.raw(a), axis=None if axis is None else int(axis),
                                       keepdims=bool(keepdims))
    return f


_FUNCTIONS["argmax"] = _arg_extreme("argmax")
_FUNCTIONS["argmin"] = _arg_extreme("argmin")


@_fn("count_nonzero")
def _f_count_nonzero(ns, a, axis=None, *, keepdims=False):
    return ns._xp.count_nonzero(ns.raw(a), axis=_axis(axis), keepdims=keepdims)


def _scan(f_name, std):
    def f(ns, a, axis=None, dtype=None, out=None, **kw):
        _only(f_name, ns, out=out)
        x = ns.operand(a)
        if axis is None:  # NumPy scans the flattened array
            x, axis = ns._xp.reshape(x, (-1,)), 0
        x = _numeric(ns, x, dtype)
        return getattr(ns._xp, std)(x, axis=int(axis),
                                    include_initial=bool(kw.get("include_initial", False)))
    return f


_FUNCTIONS["cumsum"] = _FUNCTIONS["cumulative_sum"] = _scan("cumsum", "cumulative_sum")
_FUNCTIONS["cumprod"] = _FUNCTIONS["cumulative_prod"] = _scan("cumprod", "cumulative_prod")


# -- shapes ----------------------------------------------------------------------------------

@_fn("reshape")
def _f_reshape(ns, a, newshape=None, order="C", *, shape=None, copy=None):
    xp = ns._xp
    s = newshape if shape is None else shape
    s = _shape_arg(s)
    x = ns.raw(a)
    if order == "F":  # F order is C order of the reversed axes
        rev = tuple(range(x.ndim))[::-1]
        r = xp.reshape(xp.permute_dims(x, rev), s[::-1])
        return xp.permute_dims(r, tuple(range(len(s)))[::-1])
    if order not in ("C", "A", None):
        _only("reshape", ns, order=order)
    return xp.reshape(x, s)


@_fn("ravel")
def _f_ravel(ns, a, order="C"):
    return _f_reshape(ns, a, (-1,), order=order)


@_fn("transpose", "permute_dims")
def _f_transpose(ns, a, axes=None):
    x = ns.raw(a)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    return ns._xp.permute_dims(x, tuple(int(i) % x.ndim for i in axes) if x.ndim else ())


@_fn("matrix_transpose")
def _f_matrix_transpose(ns, x):
    return ns._xp.matrix_transpose(ns.raw(x))


@_fn("swapaxes")
def _f_swapaxes(ns, a, axis1, axis2):
    x = ns.raw(a)
    perm = list(range(x.ndim))
    i, j = axis1 % x.ndim, axis2 % x.ndim
    perm[i], perm[j] = perm[j], perm[i]
    return ns._xp.permute_dims(x, tuple(perm))


@_fn("moveaxis")
def _f_moveaxis(ns, a, source, destination):
    x = ns.raw(a)
    src = [source] if isinstance(source, (int, _np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, _np.integer)) else list(destination)
    return ns._xp.moveaxis(x, tuple(int(s) for s in src), tuple(int(d) for d in dst))


@_fn("expand_dims")
def _f_expand_dims(ns, a, axis):
    x = ns.raw(a)
    axes = [axis] if isinstance(axis, (int, _np.integer)) else list(axis)
    nd = x.ndim + len(axes)
    s = list(x.shape)
    for ax in sorted(int(v) % nd for v in axes):
        s.insert(ax, 1)
    return ns._xp.reshape(x, tuple(s))


@_fn("squeeze")
def _f_squeeze(ns, a, axis=None):
    x = ns.raw(a)
    if axis is None:
        axis = tuple(i for i, n in enumerate(x.shape) if n == 1)
    return ns._xp.squeeze(x, axis=_axis(axis))


@_fn("broadcast_to")
def _f_broadcast_to(ns, array, shape, subok=False):
    return ns._xp.broadcast_to(ns.operand(array), _shape_arg(shape))


@_fn("broadcast_arrays")
def _f_broadcast_arrays(ns, *args, subok=False):
    return list(ns._xp.broadcast_arrays(*[ns.operand(a) for a in args]))


def _common(ns, arrays, dtype=None):
    """The arrays cast to NumPy's common dtype (the standard refuses to mix kinds)."""
    rs = [ns.operand(a) for a in arrays]
    dt = _np.result_type(*[ns.np_dtype(r.dtype) for r in rs]) if dtype is None else dtype
    d = ns.lib_dtype(dt)
    return [r if r.dtype == d else ns._xp.astype(r, d) for r in rs]


@_fn("concatenate", "concat")
def _f_concatenate(ns, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _only("concatenate", ns, out=out)
    rs = _common(ns, arrays, dtype)
    if axis is None:
        rs, axis = [ns._xp.reshape(r, (-1,)) for r in rs], 0
    return ns._xp.concat(rs, axis=int(axis))


@_fn("stack")
def _f_stack(ns, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _only("stack", ns, out=out)
    return ns._xp.stack(_common(ns, arrays, dtype), axis=int(axis))


@_fn("flip")
def _f_flip(ns, m, axis=None):
    return ns._xp.flip(ns.raw(m), axis=_axis(axis))


@_fn("roll")
def _f_roll(ns, a, shift, axis=None):
    s = tuple(int(v) for v in shift) if isinstance(shift, (list, tuple)) else int(shift)
    return ns._xp.roll(ns.raw(a), shift=s, axis=_axis(axis))


@_fn("tile")
def _f_tile(ns, A, reps):
    return ns._xp.tile(ns.raw(A), _shape_arg(reps))


@_fn("repeat")
def _f_repeat(ns, a, repeats, axis=None):
    r = ns.raw(repeats) if not isinstance(repeats, (list, _np.ndarray)) else \
        ns._xp.asarray(_np.asarray(repeats, dtype=_np.int64))
    return ns._xp.repeat(ns.raw(a), r, axis=None if axis is None else int(axis))


@_fn("diff")
def _f_diff(ns, a, n=1, axis=-1, prepend=None, append=None):
    x = ns.raw(a)
    extra = {k: ns.operand(v) for k, v in (("prepend", prepend), ("append", append))
             if v is not None}
    for k, v in extra.items():  # NumPy broadcasts a scalar along the axis
        if v.ndim == 0:
            s = list(x.shape)
            s[int(axis)] = 1
            extra[k] = ns._xp.broadcast_to(ns._xp.astype(v, x.dtype), tuple(s))
    return ns._xp.diff(x, axis=int(axis), n=int(n), **extra)


@_fn("unstack")
def _f_unstack(ns, x, axis=0):
    return ns._xp.unstack(ns.raw(x), axis=int(axis))


def _triangle(f_name):
    def f(ns, m, k=0):
        return getattr(ns._xp, f_name)(ns.raw(m), k=int(k))
    _FUNCTIONS[f_name] = f


_triangle("tril")
_triangle("triu")


@_fn("meshgrid")
def _f_meshgrid(ns, *xi, copy=True, sparse=False, indexing="xy"):
    _only("meshgrid", ns, sparse=sparse)
    return list(ns._xp.meshgrid(*[ns.raw(v) for v in xi], indexing=indexing))


# -- selecting, sorting ---------------------------------------------------------------------------

@_fn("nonzero")
def _f_nonzero(ns, a):
    return ns._xp.nonzero(ns.raw(a))


def _sorting(f_name):
    def f(ns, a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
        _only(f_name, ns, order=order)
        x = ns.raw(a)
        if axis is None:
            x, axis = ns._xp.reshape(x, (-1,)), -1
        # Always stable: NumPy's default sort is not, and either order of ties is right.
        return getattr(ns._xp, f_name)(x, axis=int(axis), descending=descending, stable=True)
    _FUNCTIONS[f_name] = f


_sorting("argsort")
_sorting("sort")


@_fn("searchsorted")
def _f_searchsorted(ns, a, v, side="left", sorter=None):
    return ns._xp.searchsorted(ns.raw(a), ns.raw(v), side=side,
                               sorter=None if sorter is None else ns.raw(sorter))


@_fn("take")
def _f_take(ns, a, indices, axis=None, out=None, mode="raise"):
    _only("take", ns, out=out, mode=None if mode == "raise" else mode)
    x = ns.raw(a)
    i = ns.asarray_raw(indices, _np.int64)
    if axis is None:
        x, axis = ns._xp.reshape(x, (-1,)), 0
    return _getitem(ns, x, (slice(None),) * (int(axis) % x.ndim) + (i,))


@_fn("take_along_axis")
def _f_take_along_axis(ns, arr, indices, axis=-1):
    x = ns.raw(arr)
    i = ns.asarray_raw(indices, _np.int64)
    if axis is None:
        x, i, axis = ns._xp.reshape(x, (-1,)), ns._xp.reshape(i, (-1,)), 0
    return ns._xp.take_along_axis(x, i, axis=int(axis))


@_fn("diagonal")
def _f_diagonal(ns, a, offset=0, axis1=0, axis2=1):
    x = ns._xp.moveaxis(ns.raw(a), (axis1, axis2), (-2, -1))
    return ns._xp.linalg.diagonal(x, offset=int(offset))


@_fn("trace")
def _f_trace(ns, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _only("trace", ns, out=out)
    return ns._xp.sum(_f_diagonal(ns, a, offset, axis1, axis2), axis=-1,
                      dtype=ns.lib_dtype(dtype))


# -- products ---------------------------------------------------------------------------------

@_fn("tensordot")
def _f_tensordot(ns, a, b, axes=2):
    x, y = _common(ns, (a, b))
    if not isinstance(axes, int):
        axes = tuple(tuple(v) if isinstance(v, (list, tuple)) else (v,) for v in axes)
    return ns._xp.tensordot(x, y, axes=axes)


@_fn("vecdot")
def _f_vecdot(ns, x1, x2, /, *, axis=-1, **kw):
    _only("vecdot", ns, **kw)
    x, y = _common(ns, (x1, x2))
    return ns._xp.vecdot(x, y, axis=int(axis))


@_fn("einsum")
def _f_einsum(ns, spec, *operands, optimize=False, **kw):
    """einsum of explicit subscripts (``"ij,jk->ik"``: chainrule's einsum always
    passes that form) as the standard's ``permute_dims``, ``reshape``, ``sum``
    and batched ``matmul``: the standard has no einsum, and chainrule's
    tensordot, matvec and the rules of einsum itself are einsums."""
    _only("einsum", ns, **{k: v for k, v in kw.items() if k != "dtype"})
    if not isinstance(spec, str) or "->" not in spec or "." in spec:
        raise ArrayLibraryError("numpy.einsum", ns.library_name,
                                "chainrule translates explicit subscripts only ('ij,jk->ik', "
                                "no '...'); use chainrule.numpy.einsum, which passes that form")
    xp = ns._xp
    ins, out = spec.replace(" ", "").split("->")
    ops = list(zip(ins.split(","), _common(ns, operands), strict=True))
    sizes = {}
    for s, o in ops:
        for c, n in zip(s, o.shape, strict=True):
            sizes[c] = n
    ops = [_einsum_diagonals(xp, s, o) for s, o in ops]
    s, res = ops[0]
    rest = ops[1:]
    s, res = _einsum_sum_out(xp, s, res, set(out) | {c for t, _ in rest for c in t})
    while rest:
        (t, b), rest = rest[0], rest[1:]
        later = set(out) | {c for u, _ in rest for c in u}
        t, b = _einsum_sum_out(xp, t, b, later | set(s))
        s, res = _einsum_sum_out(xp, s, res, later | set(t))
        s, res = _einsum_pair(xp, s, res, t, b, later, sizes)
    s, res = _einsum_sum_out(xp, s, res, set(out))
    if s != out:
        res = xp.permute_dims(res, tuple(s.index(c) for c in out))
    return res


def _einsum_diagonals(xp, s, a):
    """Repeated letters of one operand (``"ii"``): take the diagonal."""
    while len(set(s)) < len(s):
        c = next(c for c in s if s.count(c) > 1)
        i = s.index(c)
        j = s.index(c, i + 1)
        n = a.shape[i]
        rest = [k for k in range(len(s)) if k not in (i, j)]
        a = xp.permute_dims(a, tuple(rest) + (i, j))
        a = xp.reshape(a, tuple(a.shape[:-2]) + (n * n,))
        a = xp.take(a, xp.arange(0, n * n, n + 1, dtype=xp.int64), axis=-1)
        s = "".join(s[k] for k in rest) + c
    return s, a


def _einsum_sum_out(xp, s, a, needed):
    """Sum over the letters of ``s`` that nothing after needs."""
    gone = tuple(i for i, c in enumerate(s) if c not in needed)
    if not gone:
        return s, a
    return "".join(c for c in s if c in needed), xp.sum(a, axis=gone)


def _einsum_pair(xp, s, a, t, b, later, sizes):
    """Contract two operands as one batched matrix product."""
    shared = [c for c in s if c in t]
    batch = [c for c in shared if c in later]
    contract = [c for c in shared if c not in later]
    free_a = [c for c in s if c not in shared]
    free_b = [c for c in t if c not in shared]

    def n(cs):
        return math.prod(sizes[c] for c in cs)
    A = xp.permute_dims(a, tuple(s.index(c) for c in batch + free_a + contract))
    B = xp.permute_dims(b, tuple(t.index(c) for c in batch + contract + free_b))
    A = xp.reshape(A, (n(batch), n(free_a), n(contract)))
    B = xp.reshape(B, (n(batch), n(contract), n(free_b)))
    C = xp.matmul(A, B)
    letters = batch + free_a + free_b
    return "".join(letters), xp.reshape(C, tuple(sizes[c] for c in letters))


@_fn("linalg.outer")
def _f_outer(ns, a, b):
    x, y = _common(ns, (a, b))
    return ns._xp.linalg.outer(x, y)


# -- linalg ------------------------------------------------------------------------------------

def _la(name, std=None, **fixed):
    """A ``numpy.linalg`` function whose signature the standard's shares."""
    def f(ns, *args, **kwargs):
        return getattr(ns._xp.linalg, std or name)(*[ns.raw(a) for a in args], **fixed,
                                                   **{k: ns.raw(v) for k, v in kwargs.items()})
    _FUNCTIONS["linalg." + name] = f


for _n in ("det", "inv", "eigvals", "eigvalsh", "slogdet", "svdvals", "matrix_transpose",
           "diagonal", "trace", "cross"):
    _la(_n)


@_fn("linalg.cholesky")
def _f_cholesky(ns, a, /, *, upper=False):
    return ns._xp.linalg.cholesky(ns.raw(a), upper=upper)


@_fn("linalg.eigh")
def _f_eigh(ns, a, UPLO="L"):
    _only("linalg.eigh", ns, UPLO=None if UPLO == "L" else UPLO)
    return ns._xp.linalg.eigh(ns.raw(a))


@_fn("linalg.eig")
def _f_eig(ns, a):
    return ns._xp.linalg.eig(ns.raw(a))


@_fn("linalg.solve")
def _f_solve(ns, a, b):
    x, y = _common(ns, (a, b))
    return ns._xp.linalg.solve(x, y)


@_fn("linalg.svd")
def _f_svd(ns, a, full_matrices=True, compute_uv=True, hermitian=False):
    _only("linalg.svd", ns, hermitian=hermitian)
    if not compute_uv:
        return ns._xp.linalg.svdvals(ns.raw(a))
    return ns._xp.linalg.svd(ns.raw(a), full_matrices=full_matrices)


@_fn("linalg.qr")
def _f_qr(ns, a, mode="reduced"):
    if mode not in ("reduced", "complete"):
        _only("linalg.qr", ns, mode=mode)
    return ns._xp.linalg.qr(ns.raw(a), mode=mode)


@_fn("linalg.pinv")
def _f_pinv(ns, a, rcond=None, hermitian=False, *, rtol=None):
    _only("linalg.pinv", ns, hermitian=hermitian)
    tol = rtol if rcond is None else rcond
    return ns._xp.linalg.pinv(ns.raw(a), rtol=tol)


@_fn("linalg.matrix_power")
def _f_matrix_power(ns, a, n):
    return ns._xp.linalg.matrix_power(ns.raw(a), int(n))


@_fn("linalg.matrix_rank")
def _f_matrix_rank(ns, A, tol=None, hermitian=False, *, rtol=None):
    _only("linalg.matrix_rank", ns, tol=tol, hermitian=hermitian)
    return ns._xp.linalg.matrix_rank(ns.raw(A), rtol=rtol)


@_fn("linalg.norm")
def _f_norm(ns, x, ord=None, axis=None, keepdims=False):
    a = ns.raw(x)
    la = ns._xp.linalg
    if axis is None and a.ndim == 2 or isinstance(axis, (tuple, list)) and len(axis) == 2:
        ax = (-2, -1) if axis is None else tuple(axis)
        return la.matrix_norm(a, ord="fro" if ord is None else ord, keepdims=keepdims) \
            if ax in ((-2, -1), (a.ndim - 2, a.ndim - 1)) else \
            la.matrix_norm(ns._xp.moveaxis(a, ax, (-2, -1)),
                           ord="fro" if ord is None else ord, keepdims=False)
    return la.vector_norm(a, axis=_axis(axis), ord=2 if ord is None else ord,
                          keepdims=keepdims)


@_fn("linalg.vector_norm")
def _f_vector_norm(ns, x, /, *, axis=None, keepdims=False, ord=2):
    return ns._xp.linalg.vector_norm(ns.raw(x), axis=_axis(axis), keepdims=keepdims, ord=ord)


@_fn("linalg.matrix_norm")
def _f_matrix_norm(ns, x, /, *, keepdims=False, ord="fro"):
    return ns._xp.linalg.matrix_norm(ns.raw(x), keepdims=keepdims, ord=ord)


@_fn("linalg.matmul")
def _f_la_matmul(ns, x1, x2):
    return ns._xp.matmul(*_common(ns, (x1, x2)))


_FUNCTIONS["linalg.tensordot"] = _f_tensordot
_FUNCTIONS["linalg.vecdot"] = _f_vecdot


# -- fft ------------------------------------------------------------------------------------------

def _norm(norm):
    return "backward" if norm is None else norm


def _fft_input(ns, a, name):
    """NumPy's fft input: complex for the transforms of complex data (a real
    array is cast, as NumPy does), real for ``rfft``/``ihfft`` (NumPy drops the
    imaginary part of complex input with a warning: refused here)."""
    r = ns.operand(a)
    kind = ns.np_dtype(r.dtype).kind
    if name in ("rfft", "rfftn", "ihfft"):
        if kind == "c":
            raise ArrayLibraryError(f"numpy.fft.{name}", ns.library_name,
                                    "the standard's real transforms take real input only")
        want = _np.result_type(ns.np_dtype(r.dtype), _np.float32) if kind != "f" else None
    else:
        want = None if kind == "c" else _np.result_type(ns.np_dtype(r.dtype), _np.complex64)
    return r if want is None else ns._xp.astype(r, ns.lib_dtype(want))


def _fft1(name):
    def f(ns, a, n=None, axis=-1, norm=None, out=None):
        _only("fft." + name, ns, out=out)
        return getattr(ns._xp.fft, name)(_fft_input(ns, a, name), n=n, axis=int(axis),
                                         norm=_norm(norm))
    _FUNCTIONS["fft." + name] = f


def _fftn(name):
    def f(ns, a, s=None, axes=None, norm=None, out=None):
        _only("fft." + name, ns, out=out)
        return getattr(ns._xp.fft, name)(_fft_input(ns, a, name),
                                         s=None if s is None else tuple(s),
                                         axes=None if axes is None else tuple(axes),
                                         norm=_norm(norm))
    _FUNCTIONS["fft." + name] = f


for _n in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
    _fft1(_n)
for _n in ("fftn", "ifftn", "rfftn", "irfftn"):
    _fftn(_n)


def _fft_helper(name, shift):
    def freq(ns, n, d=1.0, device=None):
        return getattr(ns._xp.fft, name)(int(n), d=d)

    def shifted(ns, x, axes=None):
        return getattr(ns._xp.fft, name)(ns.raw(x), axes=_axis(axes))
    _FUNCTIONS["fft." + name] = shifted if shift else freq


for _n in ("fftfreq", "rfftfreq"):
    _fft_helper(_n, False)
for _n in ("fftshift", "ifftshift"):
    _fft_helper(_n, True)
