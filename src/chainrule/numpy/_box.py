"""Traced values behave like ndarrays: operators, methods and attributes.

Attached to :class:`chainrule.core.engine.Box` here so that the core stays
free of NumPy. Every operator is a call of a ``chainrule.numpy`` primitive, so
``x.sum(axis=0)``, ``x.T``, ``x @ y`` or ``x[2:] = v`` are differentiated
like the functions they stand for.
"""

import dis
import operator as _operator
import sys

import numpy as _np

from ..core.errors import TracedWriteError
from ..core.engine import Box, escaped, getval
from ._wrap import DEFERS

_MISSING = object()
_DISPATCHED = set()  # names given to Box for registered box types


def _dispatch(name):
    """A property of Box: the attribute ``name`` of the registered box type of the value."""
    def get(self):
        cls = BOX_TYPES.get(type(getval(self)))
        attr = getattr(cls, name, _MISSING) if cls is not None else _MISSING
        if attr is _MISSING:
            raise AttributeError(f"'Box' object has no attribute {name!r}")
        get_ = getattr(type(attr), "__get__", None)
        return attr if get_ is None else get_(attr, self, cls)
    return get


def _inplace_operator(frame):
    """Whether ``frame`` is executing an augmented assignment (``a *= x``), which
    rebinds ``a`` to the operator's result, rather than a call such as
    ``np.multiply(a, x, out=a)``."""
    code = frame.f_code.co_code
    i = frame.f_lasti
    if not 0 <= i < len(code):
        return False
    name = dis.opname[code[i]]
    if name == "BINARY_OP":  # Python 3.11+: the operator is the argument; in-place ones are 13+
        return code[i + 1] >= 13
    return name.startswith("INPLACE_")


def _not_a_sequence_to_numpy(cls, probe):
    """Clear the C-level "sequence item" slot of ``cls`` (``x[i]`` still works through
    the mapping slot, ``len`` and iteration through theirs), so that C code asking
    "is this a sequence?" (``PySequence_Check``) says no. NumPy asks it when
    ``arr[i] = x`` fails to convert ``x``, and then replaces the error with its own
    ``ValueError: setting an array element with a sequence``; without the slot, the
    user sees chainrule's :class:`TracedWriteError` (a ``TypeError``, as autograd
    raises). Done only when the slot is found where CPython keeps it and every
    check holds; otherwise nothing changes. Returns whether it was done.
    """
    try:
        import ctypes
        check = ctypes.pythonapi.PySequence_Check
    except (ImportError, AttributeError):  # not CPython
        return False
    check.argtypes, check.restype = [ctypes.py_object], ctypes.c_int
    if not check(probe):
        return True  # nothing to clear
    ptr = ctypes.sizeof(ctypes.c_void_p)
    base, size = id(cls), type.__basicsize__
    words = (ctypes.c_size_t * 32).from_address(base)
    # tp_as_async, tp_as_number, tp_as_sequence, tp_as_mapping point into the heap type
    # itself, in that order; the mapping methods (3 slots) come right before the sequence
    # methods there.
    inside = [i for i in range(32) if base <= words[i] < base + size]
    if len(inside) < 4 or inside[2] + 1 != inside[3] \
            or words[inside[2]] - words[inside[3]] != 3 * ptr:
        return False
    seq = (ctypes.c_size_t * 4).from_address(words[inside[2]])
    if not seq[3]:  # sq_item
        return False
    seq[3] = 0
    if check(probe):
        return False
    return True


#: autograd's custom box types: ``{value type: Box subclass}`` (``MyBox.register(MyType)``).
#: chainrule has one Box class; a traced value of a registered type finds the attributes
#: and the call of its registered box class (dispatching properties, ``__call__``).
BOX_TYPES = {}
#: ``{value type: zeros(value)}``, for the gradient of a registered type that got no
#: cotangent (filled by autograd's ``VSpace.register``).
ZEROS = {}


def _install(cnp):
    B = Box

    def register(cls, value_type):
        """autograd's ``Box.register``: traced values of ``value_type`` behave as
        ``cls`` (a subclass of Box and, usually, of the value type) says: its
        properties and methods, and its ``__call__``. Box gets a dispatching
        property for each such name it lacks (a ``__getattr__`` on Box would slow
        every attribute access of every traced value)."""
        BOX_TYPES[value_type] = cls
        own = set(dir(B)) - _DISPATCHED
        for name in dir(cls):
            if name.startswith("__") or name in own or name in _DISPATCHED:
                continue
            _DISPATCHED.add(name)
            setattr(B, name, property(_dispatch(name)))
    B.register = classmethod(register)

    def __call__(self, *args, **kwargs):
        cls = BOX_TYPES.get(type(getval(self)))
        for klass in cls.__mro__ if cls is not None else ():
            if klass is not B and "__call__" in klass.__dict__:  # the box type's own call
                return klass.__dict__["__call__"](self, *args, **kwargs)
        raise TypeError(f"a traced {type(getval(self)).__name__} is not callable")
    B.__call__ = __call__

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
    def live(self, use):
        """The plain value of ``self``, or :class:`EscapedTraceError` when its trace has
        ended: Python's conversions do not reach a trace's ``apply``, which raises."""
        if self._trace.ended:
            raise escaped(self._trace, use)
        return getval(self)

    B.__len__ = lambda self: len(live(self, "len()"))
    B.__iter__ = lambda self: (self[i] for i in range(len(self)))
    B.__bool__ = lambda self: bool(live(self, "bool(), as in an if or while"))
    B.__int__ = lambda self: int(live(self, "int()"))
    B.__index__ = lambda self: _operator.index(live(self, "as an index"))  # any module's integer
    B.__contains__ = lambda self, v: v in live(self, "`in`")

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
            live(self, f"{kind}()")
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
        live(self, "converted to a NumPy array")
        if dtype is not None and _np.dtype(dtype).kind in "biu":
            # np.int64(x), np.asarray(x, dtype=int): an integer (or boolean) array has
            # no derivative to lose, as with x.astype(int) (autograd's behaviour too).
            return _np.asarray(getval(self), dtype=dtype)
        raise TracedWriteError(
            "chainrule: a traced value cannot become a plain NumPy array (for example by "
            "writing it into one with arr[i] = x, or by np.asarray). " + write_hint
        )
    B.__array__ = __array__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # Raw NumPy ufuncs on a traced value (e.g. ndarray * box) come here.
        for v in inputs:
            if DEFERS[type(v)]:
                # An operand with its own __array_ufunc__ (an xarray.DataArray) goes first;
                # it calls the ufunc again on its contents, which brings us back here.
                return NotImplemented
        f = getattr(cnp, ufunc.__name__, None)
        out = kwargs.get("out")
        if (out is not None and method == "__call__" and f is not None and len(out) == 1
                and len(inputs) == 2 and out[0] is inputs[0] and type(inputs[0]) is not Box
                and _inplace_operator(sys._getframe(1))):
            # a *= x on a plain array a: Python rebinds a to what __imul__ returns, so
            # return the traced product (a itself is left as it was), as for traced a.
            # (np.multiply(a, x, out=a) still raises: its caller expects a to change.)
            kwargs = {k: v for k, v in kwargs.items() if k != "out"}
            return f(*inputs, **kwargs)
        if out is not None:
            raise TracedWriteError(
                f"chainrule: numpy.{ufunc.__name__} cannot write a traced value into a plain "
                "NumPy array (out=, or an in-place operator such as a += x on a plain array). "
                + write_hint
            )
        if method != "__call__" or f is None:
            special = sys.modules.get("scipy.special")
            if special is not None and getattr(special, ufunc.__name__, None) is ufunc:
                raise TracedWriteError(
                    f"chainrule: scipy.special.{ufunc.__name__} on a traced value has no "
                    f"derivative; use chainrule.scipy.special.{ufunc.__name__} instead "
                    "(import chainrule.scipy.special as special) inside differentiated "
                    "functions, or define its rules with chainrule.extend.primitive and defvjp."
                )
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
    B.__reversed__ = lambda self: (self[i] for i in range(len(self) - 1, -1, -1))
    # Last: assigning a slot method to Box (B.__getitem__ = ...) would set the slot again.
    _not_a_sequence_to_numpy(B, Box(0.0, None, None))
