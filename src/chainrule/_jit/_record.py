"""Recording: the values a recording call traces, and the recorder that writes the program.

During the recording call every array argument is replaced by a
:class:`JitArray` (a NumPy scalar by a :class:`JitScalar`): an object that
holds the real value, computed eagerly as always, and the *slot* of that
value in the program. Everything NumPy does with it comes back here
(``__array_ufunc__``, ``__array_function__``, the operators, methods and
attributes): the call is run on the plain values, appended to the recorder's
op list with slot references in place of the traced operands, and its result
wrapped in a new traced value. The rules of chainrule see these values as
first-order arrays: ``chainrule.numpy._wrap.ARRAY_TYPES`` holds ``ndarray``
and :class:`JitArray`, and the fast-path tests that used to read
``type(g) is numpy.ndarray`` read ``type(g) in ARRAY_TYPES``; so they take the
same paths as in an eager call and the recorded NumPy calls are the ones an
eager call makes. ``isinstance(x, numpy.ndarray)`` (or ``numpy.generic``,
``float``...) answers as for the value: ``__class__`` is the value's class.

What cannot be recorded raises :class:`JitError` at once, never a silent
constant: converting a traced value into a plain array (``np.asarray`` on it,
``arr[i] = x`` into a plain array), using a traced value from a finished
recording. Python escapes (``bool``, ``float``, ``int``, ``.item()``,
``.tolist()``, a Python-valued NumPy function such as ``np.allclose``) raise
:class:`JitEscapeError` when the function being jitted does them; done inside
chainrule (a rule that tests ``np.any(ties)``) or with ``escapes="guard"``
they become *guards*: the replay recomputes the value and records a new
program when it differs.

Randomness: a ``numpy.random.Generator`` or ``RandomState`` argument is
replaced by a :class:`JitGenerator`, whose draws are recorded as calls on the
caller's generator; ``chainrule.numpy.random``'s functions record their calls
(the global state) while this thread records (``current()``).
"""

import functools
import operator as _op
import sys
import threading

import numpy as _np

_tls = threading.local()


def current():
    """The recorder running on this thread, or ``None`` (read by chainrule.numpy.random)."""
    return getattr(_tls, "recorder", None)


class JitError(TypeError):
    """jit cannot record or replay this function; the message says why and what to do."""


class JitEscapeError(JitError):
    """A traced value became a Python value (``bool``, ``float``, ``.item()``...) while
    recording, which would fix one branch of Python control flow into the program."""


class StaleProgramError(JitError):
    """``check=N``: a fresh recording differs from the program being replayed (a captured
    array or number was changed since it was recorded)."""


class GuardMiss(Exception):
    """A guard failed during a replay: the program does not apply to these values."""


class Slot(int):
    """A reference to a value of the program (an int subclass: constants are plain ints)."""

    __slots__ = ()

    def __repr__(self):
        return f"a{int(self) + 1}"


_NSLOTS = 4096
_SLOTS = [Slot(i) for i in range(_NSLOTS)]  # made once: a recording only indexes them


def _slot(n):
    return _SLOTS[n] if n < _NSLOTS else Slot(n)


# Op kinds. An op is a tuple (kind, fn, args, kwargs, outs, writes, flags); ``args`` and
# ``kwargs`` hold Slots where traced values were (also inside tuples, lists, dicts and
# slices); ``outs`` is None (a statement), a Slot, or a tuple of Slots.
CALL, BIN, UN, ATTR, METH, GETITEM, SETITEM, IOP, GUARD, FRESH, SETFLAG, CONST = range(12)
KIND_NAMES = ("call", "binop", "unop", "attr", "method", "getitem", "setitem", "inplace",
              "guard", "fresh", "setflag", "constant")

# op flags
PURE = 1      # no side effect: may be removed if unused, merged with an identical op
RANDOM = 2    # draws from a generator: never removed, merged or moved
SHAPED = 4    # the output's shape depends on values (a boolean mask): rechecked on replay

_BIN = {"+": _op.add, "-": _op.sub, "*": _op.mul, "/": _op.truediv, "//": _op.floordiv,
        "%": _op.mod, "**": _op.pow, "@": _op.matmul, "&": _op.and_, "|": _op.or_,
        "^": _op.xor, "<<": _op.lshift, ">>": _op.rshift, "<": _op.lt, "<=": _op.le,
        ">": _op.gt, ">=": _op.ge, "==": _op.eq, "!=": _op.ne}
_IOP = {"+": _op.iadd, "-": _op.isub, "*": _op.imul, "/": _op.itruediv, "//": _op.ifloordiv,
        "%": _op.imod, "**": _op.ipow, "@": _op.imatmul, "&": _op.iand, "|": _op.ior,
        "^": _op.ixor, "<<": _op.ilshift, ">>": _op.irshift}
_UN = {"-": _op.neg, "+": _op.pos, "~": _op.invert, "abs": abs}

# NumPy functions whose Python result is a function of shapes and dtypes only.
_STATIC_FUNCS = {_np.shape, _np.ndim, _np.size, _np.result_type, _np.iscomplexobj,
                 _np.isrealobj, _np.may_share_memory, _np.shares_memory}
# NumPy functions that write into their first argument.
_WRITERS = {_np.copyto, _np.put, _np.place, _np.putmask, _np.fill_diagonal,
            _np.put_along_axis}
# NumPy functions whose output's shape depends on the values.
_DATA_SHAPED = {_np.nonzero, _np.argwhere, _np.flatnonzero, _np.unique, _np.extract,
                _np.compress, _np.trim_zeros, _np.delete, _np.repeat, _np.where}
# Methods without side effects (the others are kept even if unused, never merged).
_PURE_METHODS = frozenset("""
reshape transpose swapaxes copy astype sum mean max min prod ravel flatten squeeze conj
conjugate dot view take repeat diagonal trace round cumsum cumprod argmax argmin all any std
var clip __round__ __copy__ __deepcopy__ __abs__
""".split())
_SHAPED_METHODS = frozenset(("nonzero", "compress", "repeat"))

_GENERATORS = (_np.random.Generator, _np.random.RandomState)


class Recorder:
    """One recording in progress: the op list and the slots of the values."""

    __slots__ = ("ops", "n", "meta", "active", "thread", "escapes", "name",
                 "inputs", "n_inputs", "captured", "random_global", "outputs", "labels",
                 "snapshots", "pending", "n_random", "n_guards", "__weakref__")

    def __init__(self, name, escapes="raise", captured=()):
        self.ops = []
        self.n = 0
        self.meta = []          # per slot: (type, shape, dtype) at recording, for the table
        self.snapshots = []     # copies of the plain buffers rules write traced values into
        self.active = True
        self.thread = threading.get_ident()
        self.escapes = escapes
        self.name = name
        self.inputs = []        # slots of the inputs, in leaf order
        self.n_inputs = 0
        self.captured = captured  # ids of arrays the function captures (closure, globals)
        self.random_global = False  # legacy global random functions were recorded
        self.outputs = None
        self.labels = {}        # slot -> label (argument paths)
        self.pending = None     # the last JitEscapeError raised
        self.n_random = 0       # ops drawing random numbers
        self.n_guards = 0

    # -- slots ----------------------------------------------------------------------

    def slot(self, v):
        s = _slot(self.n)
        self.n += 1
        self.meta.append((type(v), getattr(v, "shape", ()), getattr(v, "dtype", None)))
        return s

    def new_input(self, v, label):
        s = self.slot(v)
        self.inputs.append(s)
        self.labels[s] = label
        t = type(v)
        if t is _np.ndarray:
            return JitArray(v, s, self)
        if isinstance(v, _GENERATORS):
            return JitGenerator(v, s, self)
        return JitScalar(v, s, self)

    def wrap(self, v):
        """A traced value for the result ``v`` of a recorded op, and its slot."""
        s = _slot(self.n)
        self.n += 1
        t = type(v)
        if t is _np.ndarray:
            self.meta.append((t, v.shape, v.dtype))
            return JitArray(v, s, self)
        self.meta.append((t, getattr(v, "shape", ()), getattr(v, "dtype", None)))
        if isinstance(v, _GENERATORS):
            return JitGenerator(v, s, self)
        return JitScalar(v, s, self)

    def results(self, res, what):
        """Wrap the result of a recorded call: ``(traced result, outs)``."""
        t = type(res)
        if t is _np.ndarray:  # the common case, inlined
            n = self.n
            s = _SLOTS[n] if n < _NSLOTS else _slot(n)
            self.n = n + 1
            self.meta.append((t, res.shape, res.dtype))
            return JitArray(res, s, self), s
        if isinstance(res, _TRACEABLE) or isinstance(res, _GENERATORS):
            w = self.wrap(res)
            return w, w.i
        if res is None:
            return None, None
        if isinstance(res, (tuple, list)) and res and all(
                type(e) is _np.ndarray or isinstance(e, _TRACEABLE) for e in res):
            ws = [self.wrap(e) for e in res]
            outs = tuple(w.i for w in ws)
            if t is tuple or t is list:
                return t(ws), outs
            return t(*ws), outs  # a namedtuple (eigh, slogdet...)
        if not isinstance(what, str):  # a ufunc: its name, made only when needed
            what = f"numpy.{getattr(what, '__name__', what)}"
        raise JitError(f"chainrule.jit: {what} returned a {t.__name__}, which jit cannot "
                       "record; call it outside the jitted function.")

    # -- operands -------------------------------------------------------------------

    def args(self, xs):
        """``arg`` of a tuple of operands (a call's arguments)."""
        vals, tpls, traced = [], [], False
        for x in xs:
            t = type(x)
            if t is JitArray or t is JitScalar:
                if x.r is not self:
                    self.foreign(x)
                vals.append(x.v)
                tpls.append(x.i)
                traced = True
            elif t is _np.ndarray or t is float or t is int or x is None:
                vals.append(x)
                tpls.append(x)
            else:
                v, tp = self.arg(x)
                vals.append(v)
                tpls.append(tp)
                traced = traced or tp is not x
        return (tuple(vals), tuple(tpls)) if traced else (xs, xs)

    def arg(self, x):
        """``(plain value, template)`` of one operand, containers included."""
        t = type(x)
        if t is JitArray or t is JitScalar or t is JitGenerator:
            if x.r is not self:
                self.foreign(x)
            return x.v, x.i
        if t is tuple or t is list:
            vals, tpls, traced = [], [], False
            for e in x:
                v, tp = self.arg(e)
                vals.append(v)
                tpls.append(tp)
                traced = traced or tp is not e
            return (t(vals), t(tpls)) if traced else (x, x)
        if t is dict:
            vals, tpls, traced = {}, {}, False
            for k, e in x.items():
                v, tp = self.arg(e)
                vals[k] = v
                tpls[k] = tp
                traced = traced or tp is not e
            return (vals, tpls) if traced else (x, x)
        if t is slice:
            (a, ta), (b, tb), (c, tc) = self.arg(x.start), self.arg(x.stop), self.arg(x.step)
            if ta is x.start and tb is x.stop and tc is x.step:
                return x, x
            return slice(a, b, c), _SliceT(ta, tb, tc)
        if t is _Box:
            # A value still traced by a transform inside the jitted function reached a
            # NumPy call directly: only chainrule.numpy's functions may see it.
            raise JitError("chainrule.jit: a value traced by grad/jvp reached a NumPy call "
                           "that chainrule.numpy does not handle; use chainrule.numpy's "
                           "function instead of numpy's.")
        return x, x

    def foreign(self, x):
        if not x.r.active:
            raise JitError(
                f"chainrule.jit: a traced value from an earlier recording of "
                f"{x.r.name} was used (was it stored in a global, an attribute or a "
                "closure during that call?). Return it from the jitted function instead.")
        raise JitError(f"chainrule.jit: values traced by two recordings ({x.r.name} and "
                       f"{self.name}) met in one operation.")

    def check_thread(self):
        if threading.get_ident() != self.thread:
            raise JitError(f"chainrule.jit: a value traced while recording {self.name} was "
                           "used from another thread during the recording.")

    # -- recording ------------------------------------------------------------------

    def write_target(self, x, what):
        """The slot of an array written in place by a recorded op. Writing traced values
        into a plain array raises: later plain uses of it could not be recorded (inside
        chainrule, :func:`write_into` turns a fresh buffer into a traced one first)."""
        t = type(x)
        if t is JitArray:
            if x.r is not self:
                self.foreign(x)
            return x.i
        where = _caller() or "inside chainrule"
        raise JitError(
            f"chainrule.jit: {what} writes traced values into a plain NumPy array ({where}) "
            f"while recording {self.name}; what is done with that array afterwards could not "
            "be recorded. Build the result with chainrule.numpy's functions (np.where, "
            "np.stack, np.concatenate), or write into a traced array (a copy of an argument, "
            "or np.zeros_like(x) of one).")

    def fresh(self, x):
        """A traced copy-on-every-replay of the plain array ``x`` (a rule's new buffer that
        is about to receive traced values): the program starts each replay from a copy of
        what ``x`` holds now, and the caller goes on with the returned traced array."""
        if x.base is not None or id(x) in self.captured:
            raise JitError(
                "chainrule.jit: traced values are written into a plain NumPy array that "
                "outlives the operation (a view, a global or a captured array); a replay "
                "could not reproduce that write. Build the result functionally (np.where, "
                "np.concatenate), or write into an array created inside the function.")
        snap = x.copy(order="K")
        self.snapshots.append(snap)
        s = self.slot(x)
        self.ops.append((FRESH, None, (snap,), None, s, (), 0))
        return JitArray(x, s, self)

    def escape(self, what, fn, args, value, kwargs=None):
        """A traced value became the Python value ``value`` (``fn(*args, **kwargs)``).

        Inside chainrule (a rule's ``if np.any(ties)``), or with ``escapes="guard"``:
        a guard that recomputes it on replay. In the jitted function's own code:
        :class:`JitEscapeError`."""
        where = _caller()
        if where is None or self.escapes == "guard":
            self.ops.append((GUARD, Guard(fn, value, what), args, kwargs, None, (), 0))
            self.n_guards += 1
            return value
        # NumPy replaces some errors by its own (arr[i] = x: "setting an array element with
        # a sequence"); the recording call then reports this one, the cause.
        self.pending = JitEscapeError(
            f"chainrule.jit: {what} of a traced value ({where}) while recording "
            f"{self.name}: the recorded program would keep the Python value it gives now "
            "(a constant, or the branch an `if` takes) for every later call. Keep the "
            "computation in arrays "
            "(chainrule.numpy.where(cond, a, b), np.maximum, masks), pass the value as a "
            f"static argument (jit({self.name}, static_argnums=...)), or use "
            "jit(..., escapes='guard') to recheck it on every call (a different value "
            "then records a new program).")
        raise self.pending


class Guard:
    """What a guard op recomputes (``fn``) and the value it must find (``expected``)."""

    __slots__ = ("fn", "expected", "what")

    def __init__(self, fn, expected, what):
        self.fn, self.expected, self.what = fn, expected, what


#: Code objects of chainrule's pass-through wrappers (the nondiff wrapper, a primitive's
#: ``__call__``): an escape made through them is the caller's, not chainrule's.
TRANSPARENT = set()


def _caller():
    """``'file:line in function'`` of the first frame outside chainrule.jit (and chainrule's
    pass-through wrappers) that led here, or ``None`` when that frame is chainrule's own
    code (a rule, a transform, nn...) or NumPy's."""
    f = sys._getframe(1)
    while f is not None:
        mod = f.f_globals.get("__name__", "")
        if mod.startswith("chainrule._jit") or mod == "chainrule.numpy._box" \
                or f.f_code in TRANSPARENT:
            f = f.f_back
            continue
        if mod.startswith("chainrule.") or mod.startswith("numpy"):
            return None
        return f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}"
    return None


class _SliceT:
    """The template of a slice with traced bounds."""

    __slots__ = ("start", "stop", "step")

    def __init__(self, start, stop, step):
        self.start, self.stop, self.step = start, stop, step


def _box_type():
    from ..core.engine import Box
    return Box


_Box = _box_type()
_TRACEABLE = (_np.generic, float, int, complex, bool)


# ----------------------------------------------------------------------------
# The traced values
# ----------------------------------------------------------------------------

def _foreign_override(x):
    """Whether ``x`` is another library's array-like (a Box, a ScaledBasis) that must
    handle an operation before we see plain values."""
    t = type(x)
    if t is JitArray or t is JitScalar or t is _np.ndarray or t is float or t is int:
        return False
    return getattr(t, "__array_ufunc__", None) is not None and not issubclass(t, _np.generic) \
        or t is _Box


def _binop(sym):
    fn = _BIN[sym]

    def op(self, other):
        if _foreign_override(other):
            return NotImplemented
        r = self.r
        if r.thread != threading.get_ident():
            r.check_thread()
        ov, ot = r.arg(other)
        out, outs = r.results(fn(self.v, ov), f"the operator {sym}")
        r.ops.append((BIN, sym, (self.i, ot), None, outs, (), PURE))
        return out

    def rop(self, other):
        if _foreign_override(other):
            return NotImplemented
        r = self.r
        if r.thread != threading.get_ident():
            r.check_thread()
        ov, ot = r.arg(other)
        out, outs = r.results(fn(ov, self.v), f"the operator {sym}")
        r.ops.append((BIN, sym, (ot, self.i), None, outs, (), PURE))
        return out

    return op, rop


def _iop(sym):
    fn, plain = _IOP[sym], _BIN[sym]

    def op(self, other):
        if _foreign_override(other):
            return NotImplemented
        r = self.r
        ov, ot = r.arg(other)
        v = self.v
        if type(v) is _np.ndarray:
            res = fn(v, ov)
            if res is v:  # in place: the slot keeps its name, its value changes
                r.ops.append((IOP, sym, (self.i, ot), None, None, (self.i,), 0))
                return self
        else:
            res = plain(v, ov)  # NumPy scalars have no in-place operators
        out, outs = r.results(res, f"the operator {sym}=")
        r.ops.append((BIN, sym, (self.i, ot), None, outs, (), PURE))
        return out

    return op


def _unop(sym):
    fn = _UN[sym]

    def op(self):
        r = self.r
        out, outs = r.results(fn(self.v), f"the operator {sym}")
        r.ops.append((UN, sym, (self.i,), None, outs, (), PURE))
        return out

    return op


class _Traced:
    """What :class:`JitArray` and :class:`JitScalar` share."""

    __slots__ = ("v", "i", "r")
    __hash__ = None

    def __init__(self, v, i, r):
        self.v = v
        self.i = i
        self.r = r

    # isinstance(x, numpy.ndarray / numpy.generic / float) answers as for the value.
    @property
    def __class__(self):
        return type(self.v)

    def __repr__(self):
        shape = getattr(self.v, "shape", ())
        dt = getattr(self.v, "dtype", type(self.v).__name__)
        return f"<jit-traced {type(self.v).__name__} shape={shape} dtype={dt}, {self.i}>"

    __str__ = __repr__

    # -- plain attributes -----------------------------------------------------------

    @property
    def shape(self):
        return self.v.shape

    @property
    def ndim(self):
        return self.v.ndim

    @property
    def dtype(self):
        return self.v.dtype

    @property
    def size(self):
        return self.v.size

    @property
    def itemsize(self):
        return self.v.itemsize

    @property
    def nbytes(self):
        return self.v.nbytes

    @property
    def strides(self):
        return self.v.strides

    @property
    def flags(self):
        return _Flags(self)

    # -- array attributes and methods ----------------------------------------------

    def _attr(self, name):
        r = self.r
        out, outs = r.results(getattr(self.v, name), f"the attribute .{name}")
        r.ops.append((ATTR, name, (self.i,), None, outs, (), PURE))
        return out

    T = property(lambda self: self._attr("T"))
    mT = property(lambda self: self._attr("mT"))
    real = property(lambda self: self._attr("real"))
    imag = property(lambda self: self._attr("imag"))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        attr = getattr(self.v, name)  # AttributeError as for the value
        if callable(attr):
            return _Method(self, name, attr)
        if type(attr) is _np.ndarray or isinstance(attr, _np.generic):
            return self._attr(name)
        raise JitError(f"chainrule.jit: the attribute .{name} of a traced array cannot be "
                       "recorded; use it outside the jitted function.")

    def __getitem__(self, idx):
        r = self.r
        iv, it = r.arg(idx)
        res = self.v[iv]
        flags = PURE
        if _bool_index(iv):
            flags |= SHAPED
        out, outs = r.results(res, "indexing")
        r.ops.append((GETITEM, None, (self.i, it), None, outs, (), flags))
        return out

    def __copy__(self):
        return _Method(self, "copy", self.v.copy)()

    def __deepcopy__(self, memo):
        return _Method(self, "copy", self.v.copy)()

    def __round__(self, ndigits=None):
        return _Method(self, "__round__", self.v.__round__)(ndigits)

    # -- NumPy's protocols ---------------------------------------------------------------

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        r = self.r
        if not kwargs and method == "__call__":
            # the commonest calls, np.sin(x), np.multiply(x, 1.01): inlined (a recording
            # spends a third of its time here)
            if len(inputs) == 1:
                vals, tpls = (self.v,), (self.i,)
            else:
                vals, tpls = [], []
                for x in inputs:
                    t = type(x)
                    if t is JitArray or t is JitScalar:
                        if x.r is not r:
                            r.foreign(x)
                        vals.append(x.v)
                        tpls.append(x.i)
                    elif t is float or t is _np.ndarray or t is int:
                        vals.append(x)
                        tpls.append(x)
                    else:
                        break
                else:
                    tpls = tuple(tpls)
                    vals = tuple(vals)
            if type(tpls) is tuple:
                res = ufunc(*vals)
                if type(res) is _np.ndarray:
                    n = r.n
                    s = _SLOTS[n] if n < _NSLOTS else _slot(n)
                    r.n = n + 1
                    r.meta.append((_np.ndarray, res.shape, res.dtype))
                    r.ops.append((CALL, ufunc, tpls, None, s, (), PURE))
                    return JitArray(res, s, r)
                res_out, outs = r.results(res, ufunc)
                r.ops.append((CALL, ufunc, tpls, None, outs, (), PURE))
                return res_out
        for x in inputs:
            t = type(x)
            if t is not JitArray and t is not JitScalar and t is not _np.ndarray \
                    and t is not float and t is not int and _foreign_override(x):
                return NotImplemented
        writes = ()
        out = kwargs.get("out") if kwargs else None
        if out is not None:
            writes = tuple(r.write_target(o, f"numpy.{ufunc.__name__}(out=...)")
                           for o in (out if type(out) is tuple else (out,)))
        if method == "at":
            writes = (r.write_target(inputs[0], f"numpy.{ufunc.__name__}.at"),)
        vals, tpls = r.args(inputs)
        kw, kwt = r.arg(kwargs) if kwargs else (kwargs, None)
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        res = fn(*vals, **kw)
        if writes:
            r.ops.append((CALL, fn, tpls, kwt, None, writes, 0))
            return None if method == "at" else out  # the written arrays themselves
        res_out, outs = r.results(res, ufunc)
        r.ops.append((CALL, fn, tpls, kwt, outs, (), PURE))
        return res_out

    def __array_function__(self, func, types, args, kwargs):
        for t in types:
            if t is not JitArray and t is not JitScalar and t is not _np.ndarray \
                    and t is not JitGenerator:
                return NotImplemented
        r = self.r
        if r.thread != threading.get_ident():
            r.check_thread()
        name = f"numpy.{getattr(func, '__name__', func)}"
        writes = ()
        if func in _WRITERS:
            writes = (r.write_target(args[0], name),)
        out = kwargs.get("out") if kwargs else None
        if out is not None:
            writes += (r.write_target(out, f"{name}(out=...)"),)
        vals, tpls = r.arg(args)
        kw, kwt = r.arg(kwargs) if kwargs else (kwargs, None)
        res = func(*vals, **kw)
        if writes:
            r.ops.append((CALL, func, tpls, kwt, None, writes, 0))
            return out if out is not None else res
        t = type(res)
        if t is _np.ndarray or isinstance(res, _np.generic) or (
                isinstance(res, (tuple, list)) and res and all(
                    type(e) is _np.ndarray or isinstance(e, _np.generic) for e in res)):
            res_out, outs = r.results(res, name)
            r.ops.append((CALL, func, tpls, kwt, outs, (),
                          PURE | SHAPED if func in _DATA_SHAPED else PURE))
            return res_out
        if func in _STATIC_FUNCS:
            return res
        if isinstance(res, (bool, int, float, complex, str, tuple)) or res is None:
            return r.escape(f"{name}(...)", func, tpls, res, kwt)
        raise JitError(f"chainrule.jit: {name} returned a {t.__name__}, which jit cannot "
                       "record; call it outside the jitted function.")

    def __array__(self, dtype=None, copy=None):
        where = _caller() or "inside chainrule"
        raise JitError(
            f"chainrule.jit: a traced value was converted to a plain NumPy array ({where}) "
            f"while recording {self.r.name}: by np.asarray/np.array on it, by writing it into "
            "a plain array (arr[i] = x), or by a library that converts its inputs. A replay "
            "could not see through that conversion. Use chainrule.numpy's functions "
            "(np.stack, np.concatenate, np.where) inside the jitted function, or call the "
            "library outside it.")

    # -- Python escapes ----------------------------------------------------------------------

    def __bool__(self):
        return self.r.escape("bool()", bool, (self.i,), bool(self.v))

    def __float__(self):
        return self.r.escape("float()", float, (self.i,), float(self.v))

    def __int__(self):
        return self.r.escape("int()", int, (self.i,), int(self.v))

    def __complex__(self):
        return self.r.escape("complex()", complex, (self.i,), complex(self.v))

    def __index__(self):
        return self.r.escape("using it as an index (__index__)", _op.index, (self.i,),
                             _op.index(self.v))

    def __contains__(self, item):
        iv, it = self.r.arg(item)
        return self.r.escape("`in`", _op.contains, (self.i, it), iv in self.v)

    def item(self, *args):
        return self.r.escape(".item()", _item, (self.i,) + args, self.v.item(*args))

    def tolist(self):
        return self.r.escape(".tolist()", _tolist, (self.i,), self.v.tolist())

    def __format__(self, spec):
        if not spec:
            return repr(self)
        return self.r.escape(f"formatting (format spec {spec!r})", format, (self.i, spec),
                             format(self.v, spec))

    def __reduce_ex__(self, protocol):
        raise JitError("chainrule.jit: a traced value cannot be pickled or copied while "
                       "recording.")


def _item(a, *args):
    return a.item(*args)


def _tolist(a):
    return a.tolist()


for _sym, _name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"),
                    ("//", "floordiv"), ("%", "mod"), ("**", "pow"), ("@", "matmul"),
                    ("&", "and"), ("|", "or"), ("^", "xor"), ("<<", "lshift"),
                    (">>", "rshift")):
    _f, _rf = _binop(_sym)
    setattr(_Traced, f"__{_name}__", _f)
    setattr(_Traced, f"__r{_name}__", _rf)
    setattr(_Traced, f"__i{_name}__", _iop(_sym))
for _sym, _name in (("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge"), ("==", "eq"),
                    ("!=", "ne")):
    setattr(_Traced, f"__{_name}__", _binop(_sym)[0])
for _sym, _name in (("-", "neg"), ("+", "pos"), ("~", "invert"), ("abs", "abs")):
    setattr(_Traced, f"__{_name}__", _unop(_sym))


def _divmod(self, other):
    return _Method(self, "__divmod__", self.v.__divmod__)(other)


_Traced.__divmod__ = _divmod


class JitArray(_Traced):
    """A NumPy array traced by a recording call (see the module docstring)."""

    __slots__ = ()

    def __len__(self):
        return len(self.v)

    def __setitem__(self, idx, value):
        if _foreign_override(value):
            raise JitError("chainrule.jit: writing a value traced by grad/jvp into an array "
                           "traced by jit; build the array with chainrule.numpy functions.")
        r = self.r
        iv, it = r.arg(idx)
        vv, vt = r.arg(value)
        self.v[iv] = vv
        r.ops.append((SETITEM, None, (self.i, it, vt), None, None, (self.i,), 0))

    def __iter__(self):
        for k in range(len(self.v)):
            yield self[k]


class JitScalar(_Traced):
    """A NumPy scalar (or a Python number drawn from a generator) traced by a recording call."""

    __slots__ = ()


def _bool_index(idx):
    if type(idx) is _np.ndarray:
        return idx.dtype == bool
    if type(idx) is tuple:
        return any(type(e) is _np.ndarray and e.dtype == bool for e in idx)
    return False


class _Method:
    """A bound method of a traced value: calling it records the call."""

    __slots__ = ("x", "name", "fn")

    def __init__(self, x, name, fn):
        self.x, self.name, self.fn = x, name, fn

    def __call__(self, *args, **kwargs):
        x = self.x
        r = x.r
        name = self.name
        for a in args:
            if _foreign_override(a):
                # ndarray.dot(box): the traced value's own function must handle it
                raise JitError(f"chainrule.jit: .{name}() of a jit-traced array got a value "
                               "traced by grad/jvp; use chainrule.numpy's function.")
        av, at = r.arg(args)
        kv, kt = r.arg(kwargs) if kwargs else (kwargs, None)
        res = self.fn(*av, **kv)
        pure = name in _PURE_METHODS
        if res is None:  # in place (fill, sort...)
            r.ops.append((METH, name, (x.i,) + tuple(at), kt, None, (x.i,), 0))
            return None
        flags = PURE if pure else 0
        if name in _SHAPED_METHODS:
            flags |= SHAPED
        t = type(res)
        if t is _np.ndarray or isinstance(res, _TRACEABLE) or (
                isinstance(res, (tuple, list)) and res and all(
                    type(e) is _np.ndarray or isinstance(e, _np.generic) for e in res)):
            out, outs = r.results(res, f".{name}()")
            r.ops.append((METH, name, (x.i,) + tuple(at), kt, outs, () if pure else (x.i,),
                          flags))
            return out
        return r.escape(f".{name}()", _call_method, (x.i, name) + tuple(at), res, kt)


def _call_method(obj, _name, *args, **kwargs):
    return getattr(obj, _name)(*args, **kwargs)


class _Flags:
    """``x.flags`` of a traced array: reading is plain, setting ``writeable`` is recorded."""

    __slots__ = ("_x",)

    def __init__(self, x):
        object.__setattr__(self, "_x", x)

    def __getattr__(self, name):
        return getattr(self._x.v.flags, name)

    def __getitem__(self, name):
        return self._x.v.flags[name]

    def __setattr__(self, name, value):
        x = self._x
        setattr(x.v.flags, name, value)
        x.r.ops.append((SETFLAG, name, (x.i,), value, None, (x.i,), 0))


# ----------------------------------------------------------------------------
# Generators
# ----------------------------------------------------------------------------

class JitGenerator:
    """A ``numpy.random.Generator`` (or ``RandomState``) traced by a recording call:
    every draw is recorded as a call on the replay's generator, so a replay draws new
    numbers exactly as an eager call would."""

    __slots__ = ("v", "i", "r")

    def __init__(self, v, i, r):
        self.v, self.i, self.r = v, i, r

    @property
    def __class__(self):
        return type(self.v)

    def __repr__(self):
        return f"<jit-traced {type(self.v).__name__}, {self.i}>"

    def __getattr__(self, name):
        attr = getattr(self.v, name)
        if not callable(attr):
            return attr  # bit_generator and the like: the real object
        return _Draw(self, name, attr)


class _Draw:
    __slots__ = ("g", "name", "fn")

    def __init__(self, g, name, fn):
        self.g, self.name, self.fn = g, name, fn

    def __call__(self, *args, **kwargs):
        g = self.g
        r = g.r
        av, at = r.arg(args)
        kv, kt = r.arg(kwargs) if kwargs else (kwargs, None)
        res = self.fn(*av, **kv)
        writes = tuple(t for t in at if type(t) is Slot)  # shuffle(x) permutes x in place
        out, outs = (None, None) if res is None else r.results(
            res, f"{type(g.v).__name__}.{self.name}()")
        r.ops.append((METH, self.name, (g.i,) + tuple(at), kt, outs, writes, RANDOM))
        r.n_random += 1
        return out


def record_random(fn, args, kwargs):
    """A call of one of ``chainrule.numpy.random``'s functions while this thread records:
    recorded (it draws from the global state on every replay)."""
    r = _tls.recorder
    av, at = r.arg(args)
    kv, kt = r.arg(kwargs) if kwargs else (kwargs, None)
    res = fn(*av, **kv)
    r.random_global = True
    r.n_random += 1
    writes = tuple(t for t in at if type(t) is Slot)
    if res is None:
        r.ops.append((CALL, fn, at, kt, None, writes, RANDOM))
        return None
    out, outs = r.results(res, f"numpy.random.{getattr(fn, '__name__', fn)}")
    r.ops.append((CALL, fn, at, kt, outs, writes, RANDOM))
    return out


def record_call(fn, args, kwargs=None):
    """Record ``fn(*args, **kwargs)`` as one op, for NumPy functions that do not dispatch to
    ``__array_function__`` (``np.asarray``, ``np.array``...) or library code that converts
    its arguments (SciPy). Use through :func:`chainrule.jit.traced_call`."""
    r = _recorder_of(*args)
    if r is None and kwargs:
        r = _recorder_of(*kwargs.values())
    if r is None:
        return fn(*args, **(kwargs or {}))
    av, at = r.arg(tuple(args))
    kv, kt = r.arg(kwargs) if kwargs else ({}, None)
    res = fn(*av, **kv)
    out, outs = r.results(res, getattr(fn, "__name__", "a function"))
    r.ops.append((CALL, fn, at, kt, outs, (), PURE))
    return out


def _recorder_of(*objs):
    """The recorder of the first traced value in ``objs`` (lists, tuples, dicts and
    slices searched), or None."""
    for x in objs:
        t = type(x)
        if t is JitArray or t is JitScalar or t is JitGenerator:
            return x.r
        if t is tuple or t is list:
            r = _recorder_of(*x)
        elif t is dict:
            r = _recorder_of(*x.values())
        elif t is slice:
            r = _recorder_of(x.start, x.stop, x.step)
        else:
            continue
        if r is not None:
            return r
    return None


def write_into(a, idx, v):
    """``a[idx] = v`` for a plain array ``a`` and a traced ``v`` (or index): returns the
    traced array to use from now on (see :meth:`Recorder.fresh`)."""
    r = _recorder_of(v, idx)
    if type(a) is not JitArray:
        a = r.fresh(a)
    a[idx] = v
    return a


def lift(a, *objs):
    """``a`` itself, or, when one of ``objs`` is traced, ``a`` as a traced constant: for a
    plain array about to be indexed with a traced index (``a[mask]``), which NumPy could
    not dispatch to the recording."""
    r = _recorder_of(*objs)
    if r is None or type(a) is not _np.ndarray:
        return a
    s = r.slot(a)
    r.ops.append((CONST, None, (a,), None, s, (), PURE))
    return JitArray(a, s, r)


def fresh_like(a, *objs):
    """``a`` itself, or a traced fresh copy of it when one of ``objs`` is traced (for a
    buffer that a recorded op such as ``np.add.at`` will write into)."""
    r = _recorder_of(*objs)
    if r is None or type(a) is JitArray:
        return a
    return r.fresh(a)


def opaque(fun):
    """``fun`` as one recorded operation whenever an argument is traced by a recording
    (a replay calls ``fun`` itself), for functions that call code a recording cannot see
    through: SciPy, which converts its arguments with ``np.asarray``, or a user's
    primitive. Plain calls pay one scan of the arguments."""
    @functools.wraps(fun)
    def call(*args, **kwargs):
        if _recorder_of(*args) is not None or kwargs and _recorder_of(*kwargs.values()):
            return record_call(fun, args, kwargs)
        return fun(*args, **kwargs)
    return call


TRACED = (JitArray, JitScalar)
