"""``jit``: the signature guard, the program cache, captured names, recording and replay."""

import functools
import math
import sys
import threading
import types
import warnings
from collections import OrderedDict

import numpy as _np

from ..core.engine import Box
from . import _record
from ._program import Program, _Named
from ._record import (JitArray, JitError, JitGenerator, JitScalar, Recorder, Slot,
                      StaleProgramError, GuardMiss)

_ndarray = _np.ndarray
_generic = _np.generic
_GENERATORS = (_np.random.Generator, _np.random.RandomState)
_MISSING = object()


class _Transparent(Exception):
    """An argument is already traced (grad(jit(f)), jit(jit(f))) or is another array
    library's: the call runs the function itself, unrecorded."""


# ----------------------------------------------------------------------------
# The signature of a call
# ----------------------------------------------------------------------------

def _flat(x, leaves, key):
    """Append the traced leaves of ``x`` to ``leaves`` and its signature to ``key``."""
    t = type(x)
    if t is _ndarray:
        leaves.append(x)
        key.append(x.shape)
        key.append(x.dtype)
        key.append(x.strides)  # the layout: rules test contiguity, BLAS paths depend on it
    elif t is tuple or t is list:
        key.append(t)
        key.append(len(x))
        for e in x:
            _flat(e, leaves, key)
    elif t is dict:
        key.append(tuple(x))
        for e in x.values():
            _flat(e, leaves, key)
    elif t is float:
        key.append(t)
        key.append(x)
        if x == 0.0:  # 0.0 == -0.0, but 1 / x tells them apart
            key.append(math.copysign(1.0, x))
    elif t is int or t is bool or t is str or x is None:
        key.append(t)
        key.append(x)
    elif isinstance(x, _generic):
        leaves.append(x)
        key.append(t)
    elif isinstance(x, _GENERATORS):
        leaves.append(x)
        key.append(t)
    elif t is Box or t is JitArray or t is JitScalar or t is JitGenerator:
        raise _Transparent
    elif isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
        key.append(t)
        for e in x:
            _flat(e, leaves, key)
    elif isinstance(x, dict):
        key.append(t)
        key.append(tuple(x))
        for e in x.values():
            _flat(e, leaves, key)
    elif hasattr(t, "__array_namespace__") or hasattr(t, "__array_function__"):
        raise _Transparent  # another array module's array: NumPy only under jit
    else:
        key.append(t)
        key.append(x)  # hashed with the key: equal values replay, others record


def _rebuild(x, it):
    """``x`` with its traced leaves replaced, in :func:`_flat`'s order."""
    t = type(x)
    if t is _ndarray:
        return next(it)
    if t is tuple or t is list:
        return t(_rebuild(e, it) for e in x)
    if t is dict:
        return {k: _rebuild(e, it) for k, e in x.items()}
    if t is float or t is int or t is bool or t is str or x is None:
        return x
    if isinstance(x, (_generic,) + _GENERATORS):
        return next(it)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return t(*[_rebuild(e, it) for e in x])
    if isinstance(x, dict):
        d = t()
        for k, e in x.items():
            d[k] = _rebuild(e, it)
        return d
    return x


def _labels(args, kwargs, names):
    """The argument path of every traced leaf, for the program table."""
    out = []

    def walk(x, path):
        t = type(x)
        if t is _ndarray or isinstance(x, (_generic,) + _GENERATORS):
            out.append(path)
        elif t is tuple or t is list or (isinstance(x, tuple) and hasattr(x, "_fields")):
            for i, e in enumerate(x):
                walk(e, f"{path}[{i}]")
        elif isinstance(x, dict):
            for k, e in x.items():
                walk(e, f"{path}[{k!r}]")
    for i, a in enumerate(args):
        walk(a, names[i] if i < len(names) else f"args[{i}]")
    for k, a in kwargs.items():
        walk(a, k)
    return out


# ----------------------------------------------------------------------------
# Names the function captures
# ----------------------------------------------------------------------------

_WATCHED = (int, float, complex, bool, str)


def _captures(fun, depth=4):
    """The closure cells and globals that the function (and the user functions it wraps
    or closes over) reads, holding arrays, numbers, strings or random generators.

    Returns ``[(container, name), ...]``: a closure cell (``name`` is None) or a globals
    dict and a name."""
    found, seen = [], set()

    def visit(f, d):
        if d < 0 or id(f) in seen:
            return
        seen.add(id(f))
        if isinstance(f, functools.partial):
            visit(f.func, d - 1)
            return
        if isinstance(f, types.MethodType):
            visit(f.__func__, d - 1)
            return
        if not isinstance(f, types.FunctionType):
            call = vars(type(f)).get("__call__")  # a callable object's method
            if isinstance(call, types.FunctionType) and not _library(call):
                visit(call, d - 1)
            return
        wrapped = getattr(f, "__wrapped__", None)
        if wrapped is not None:
            visit(wrapped, d - 1)
        for cell in f.__closure__ or ():
            try:
                v = cell.cell_contents
            except ValueError:  # not yet bound
                continue
            if _watch(v):
                found.append((cell, None))
            elif callable(v):
                visit(v, d - 1)
        if _library(f):
            return  # chainrule's own globals are not the user's captures
        g = f.__globals__
        for name in _names(f.__code__):
            v = g.get(name, _MISSING)
            if _watch(v):
                found.append((g, name))
            elif isinstance(v, types.FunctionType) and not _library(v):
                visit(v, d - 1)

    visit(fun, depth)
    return found


def _library(f):
    mod = getattr(f, "__module__", None) or ""
    return mod.startswith(("chainrule.", "numpy", "scipy"))


def _names(code):
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _names(c)
    return names


def _watch(v):
    return type(v) is _ndarray or type(v) in _WATCHED or isinstance(v, _GENERATORS + (_generic,))


def _read(loc):
    c, name = loc
    if name is None:
        try:
            return c.cell_contents
        except ValueError:
            return _MISSING
    return c.get(name, _MISSING)


def _same_capture(a, b):
    if type(a) is not type(b):
        return False
    if type(a) is _ndarray or isinstance(a, _GENERATORS):
        return a is b
    if type(a) is float:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b) or (a != a and b != b)
    if isinstance(a, _generic):
        return a.tobytes() == b.tobytes()
    return a == b


# ----------------------------------------------------------------------------
# Random states
# ----------------------------------------------------------------------------

def _legacy_state():
    """The bytes of numpy.random's global MT19937 state (its 624 words and position),
    read in place through the bit generator's ctypes interface: 0.2 µs, where
    ``np.random.get_state()`` copies it for 60 µs."""
    global _LEGACY
    if _LEGACY is None:
        import ctypes
        bg = _np.random.mtrand._rand._bit_generator
        _LEGACY = (ctypes.c_char * (624 * 4 + 4)).from_address(bg.ctypes.state_address), bg
    return bytes(_LEGACY[0])


_LEGACY = None


def _state_changed(before, after):
    return before != after


def _gen_state(g):
    return g.bit_generator.state if isinstance(g, _np.random.Generator) else g.get_state()


def _set_gen_state(g, s):
    if isinstance(g, _np.random.Generator):
        g.bit_generator.state = s
    else:
        g.set_state(s)


def _gen_equal(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_gen_equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_gen_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, _np.ndarray):
        return _np.array_equal(a, b)
    return a == b


# ----------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------

def _out_template(x, rec, captured_ids, static_ids):
    """The output as a template (slots for traced values) and the eager values."""
    t = type(x)
    if t is JitArray or t is JitScalar or t is JitGenerator:
        if x.r is not rec:
            rec.foreign(x)
        return x.i, x.v
    if t is tuple or t is list:
        parts = [_out_template(e, rec, captured_ids, static_ids) for e in x]
        return t(p[0] for p in parts), t(p[1] for p in parts)
    if t is dict:
        parts = {k: _out_template(e, rec, captured_ids, static_ids) for k, e in x.items()}
        return {k: p[0] for k, p in parts.items()}, {k: p[1] for k, p in parts.items()}
    if isinstance(x, dict):  # OrderedDict and other dict subclasses
        parts = {k: _out_template(e, rec, captured_ids, static_ids) for k, e in x.items()}
        val = t()
        for k, p in parts.items():
            val[k] = p[1]
        return _Named(t, [{k: p[0] for k, p in parts.items()}]), val
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        parts = [_out_template(e, rec, captured_ids, static_ids) for e in x]
        return _Named(t, [p[0] for p in parts]), t(*[p[1] for p in parts])
    if t is Box:
        raise JitError("chainrule.jit: the jitted function returned a value traced by "
                       "grad/jvp (jit(grad(f)) is fine; a traced value escaping its "
                       "transform is not)")
    if t is _ndarray:
        if id(x) in captured_ids:
            static_ids.add(id(x))
            return x, x  # a captured array, returned as it is (as an eager call does)
        return x, x.copy(order="K")  # made during the call: the caller gets its own
    return x, x


# ----------------------------------------------------------------------------
# jit
# ----------------------------------------------------------------------------

class _Entry:
    """The programs recorded for one signature (several when guards told them apart)."""

    __slots__ = ("programs",)

    def __init__(self):
        self.programs = []


class Jitted:
    """A function that records its NumPy program once per signature and replays it.
    Made by :func:`jit`; see its docstring."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), cache_size=16,
                 escapes="raise", check=0, optimize=True, max_variants=4):
        if escapes not in ("raise", "guard"):
            raise ValueError("jit: escapes must be 'raise' or 'guard'")
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        self.fun = fun
        self.static_argnums = tuple(static_argnums)
        self.static_argnames = tuple(static_argnames)
        self.cache_size = int(cache_size)
        if self.cache_size < 1:
            raise ValueError("jit: cache_size must be at least 1")
        self.escapes = escapes
        self.check = int(check)
        self.optimize = bool(optimize)
        self.max_variants = int(max_variants)
        self._cache = OrderedDict()
        self._lock = threading.Lock()
        self._captures = None
        self.recordings = 0
        self.replays = 0
        self.misses = 0
        self._calls = 0
        self._warned = False
        self.__name__ = getattr(fun, "__name__", "function")
        self.__qualname__ = getattr(fun, "__qualname__", self.__name__)
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun
        self._argnames = _param_names(fun)

    def __repr__(self):
        return f"<chainrule.jit of {self.__qualname__}: {len(self._cache)} signature(s)>"

    def __get__(self, obj, objtype=None):
        return self if obj is None else types.MethodType(self, obj)

    # -- the call ---------------------------------------------------------------------------

    def _signature(self, args, kwargs):
        leaves, key = [], []
        if self.static_argnums or self.static_argnames:
            for i, a in enumerate(args):
                if i in self.static_argnums or (i - len(args)) in self.static_argnums:
                    key.append(_static_key(a))
                else:
                    _flat(a, leaves, key)
            for k, a in kwargs.items():
                key.append(k)
                if k in self.static_argnames:
                    key.append(_static_key(a))
                else:
                    _flat(a, leaves, key)
        else:
            for a in args:
                _flat(a, leaves, key)
            if kwargs:
                for k, a in kwargs.items():
                    key.append(k)
                    _flat(a, leaves, key)
        return tuple(key), leaves

    def __call__(self, *args, **kwargs):
        try:
            key, leaves = self._signature(args, kwargs)
            entry = self._cache.get(key)
        except _Transparent:
            return self.fun(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"chainrule.jit: an argument of {self.__name__} is neither an "
                            "array, a number, a string nor a hashable value, so jit cannot "
                            f"tell whether a recorded program applies ({e}). Pass arrays and "
                            "numbers, or make the object hashable.") from None
        if entry is not None:
            if len(self._cache) > 1:
                self._cache.move_to_end(key)  # least recently used goes first
            if self.check:
                self._calls += 1
                if self._calls % self.check == 0:
                    return self._checked(key, entry, args, kwargs, leaves)
            for prog in entry.programs:
                if prog.captured and not self._captures_hold(prog):
                    continue
                try:
                    if prog.save_random:
                        saved = self._save_random(prog, leaves)
                        try:
                            out = prog.run(*leaves)
                        except GuardMiss:
                            self._restore_random(prog, leaves, saved)
                            raise
                    else:
                        out = prog.run(*leaves)
                except GuardMiss:
                    self.misses += 1
                    continue
                self.replays += 1
                return out
        return self._record(key, args, kwargs, leaves)

    def _captures_hold(self, prog):
        for loc, want in prog.captured:
            if not _same_capture(_read(loc), want):
                return False
        return True

    # -- recording ------------------------------------------------------------------------------

    def _record(self, key, args, kwargs, leaves, store=True):
        value, prog = self._recording(args, kwargs, leaves)
        if store:
            self._store(key, prog)
            prog.run = self._first_run(prog)
        return value

    def _recording(self, args, kwargs, leaves):
        if self._captures is None:
            self._captures = _captures(self.fun)
        captured = [(loc, _read(loc)) for loc in self._captures]
        captured_ids = {id(v) for _, v in captured if type(v) is _ndarray}
        gens = [v for _, v in captured if isinstance(v, _GENERATORS)]
        watched = [(loc, v) for loc, v in captured if not isinstance(v, _GENERATORS)]
        rec = Recorder(self.__qualname__, self.escapes, captured_ids)
        labels = _labels(args, kwargs, self._argnames)
        traced = [rec.new_input(v, lab) for v, lab in zip(leaves, labels)]
        if self.static_argnums or self.static_argnames:
            it = iter(traced)
            targs = tuple(a if (i in self.static_argnums or (i - len(args)) in
                                self.static_argnums) else _rebuild(a, it)
                          for i, a in enumerate(args))
            tkwargs = {k: a if k in self.static_argnames else _rebuild(a, it)
                       for k, a in kwargs.items()}
        else:
            it = iter(traced)
            targs = tuple(_rebuild(a, it) for a in args)
            tkwargs = {k: _rebuild(a, it) for k, a in kwargs.items()}
        arg_gens = [v for v in leaves if isinstance(v, _GENERATORS)]
        arg_states = [_gen_state(g) for g in arg_gens]
        gen_states = [_gen_state(g) for g in gens]
        legacy = _legacy_state()
        prev = getattr(_record._tls, "recorder", None)
        _record._tls.recorder = rec
        try:
            out = self.fun(*targs, **tkwargs)
            static_ids = set()
            tpl, value = _out_template(out, rec, captured_ids, static_ids)
        except Exception as e:
            if not isinstance(e, JitError):
                if rec.pending is None:
                    raise
                e = rec.pending  # swallowed by NumPy and replaced by another error
            # jit's own failure: undo the draws from generator arguments, so that a caller
            # falling back to an eager call (nn.fit does) draws the numbers an eager run would
            for g, s in zip(arg_gens, arg_states):
                _set_gen_state(g, s)
            if e is rec.pending and not isinstance(sys.exc_info()[1], JitError):
                raise e from sys.exc_info()[1]
            raise
        finally:
            _record._tls.recorder = prev
            rec.active = False
        for g, s in zip(gens, gen_states):
            if not _gen_equal(_gen_state(g), s):
                raise JitError(
                    f"chainrule.jit: {self.__qualname__} draws from a random generator it "
                    "captures (a global or closure variable); a replay would repeat the "
                    "recorded numbers. Pass the generator as an argument (jit records its "
                    "draws), or use chainrule.numpy.random's functions.")
        if not rec.random_global and _state_changed(legacy, _legacy_state()):
            raise JitError(
                f"chainrule.jit: {self.__qualname__} drew from NumPy's global random state "
                "through numpy.random (not chainrule.numpy.random); a replay would repeat the "
                "recorded numbers. Use chainrule.numpy.random's functions, or pass a "
                "numpy.random.Generator as an argument.")
        prog = Program(rec, tpl, static_ids, self.__qualname__)
        prog.captured = watched
        prog.save_random = prog.random and prog.guards > 0
        self.recordings += 1
        return value, prog

    def _first_run(self, prog):
        def run(*leaves):
            with self._lock:
                if prog.source is None:
                    prog.compile(self.optimize)
            return prog.run(*leaves)
        return run

    def _store(self, key, prog):
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                entry = self._cache[key] = _Entry()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
            entry.programs.insert(0, prog)
            del entry.programs[self.max_variants:]
        if self.recordings > 4 * self.cache_size and not self._warned:
            self._warned = True
            warnings.warn(
                f"chainrule.jit: {self.__qualname__} has recorded {self.recordings} programs; "
                "an argument that changes on every call (a Python float? a new shape?) makes "
                "each call record again. Pass changing numbers as arrays.", stacklevel=3)

    def _save_random(self, prog, leaves):
        gens = [leaves[i] for i in prog.generator_inputs]
        return ([_gen_state(g) for g in gens],
                _np.random.get_state() if prog.random_global else None)

    def _restore_random(self, prog, leaves, saved):
        for i, s in zip(prog.generator_inputs, saved[0]):
            _set_gen_state(leaves[i], s)
        if saved[1] is not None:
            _np.random.set_state(saved[1])

    def _checked(self, key, entry, args, kwargs, leaves):
        old = entry.programs[0]
        out, new = self._recording(args, kwargs, leaves)
        self.recordings -= 1
        diff = _compare(old, new)
        if diff:
            raise StaleProgramError(
                f"chainrule.jit(check={self.check}): a fresh recording of {self.__qualname__} "
                f"differs from the program being replayed: {diff}. Something the program "
                "captured changed since it was recorded (an array changed in place, a "
                "container's contents, an object's attribute); pass it as an argument, or "
                "call .clear() after changing it.")
        return out

    # -- the public extras ------------------------------------------------------------------------

    def program(self, *args, **kwargs):
        """The program a call with these arguments replays (recording it if needed): print
        it for its evaluation-trace table; ``.source`` is the generated Python."""
        key, leaves = self._signature(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            self._record(key, args, kwargs, leaves)
            entry = self._cache[key]
        prog = entry.programs[0]
        if prog.source is None:
            with self._lock:
                if prog.source is None:
                    prog.compile(self.optimize)
        return prog

    def clear(self):
        """Forget every recorded program (after changing something a program captured)."""
        with self._lock:
            self._cache.clear()
        self._captures = None


def _param_names(f):
    """The positional parameter names of ``f`` (through ``__wrapped__``), for the table."""
    for _ in range(8):
        code = getattr(f, "__code__", None)
        if code is not None and code.co_argcount:
            return list(code.co_varnames[:code.co_argcount])
        f = getattr(f, "__wrapped__", None) or getattr(f, "func", None)
        if f is None:
            break
    return []


def _static_key(a):
    if type(a) is _ndarray:
        return ("array", a.shape, a.dtype, a.tobytes())
    hash(a)
    return (type(a), a)


def _compare(old, new):
    """The first difference between two recordings, as text ('' when equal)."""
    if len(old.ops) != len(new.ops):
        return f"{len(new.ops)} operations instead of {len(old.ops)}"
    for k, (a, b) in enumerate(zip(old.ops, new.ops)):
        if a[0] != b[0] or not _same_fn(a[1], b[1]) or not _same_tpl(a[2], b[2]) \
                or not _same_tpl(a[3], b[3]) or a[4] != b[4]:
            return f"operation {k + 1} differs"
    if not _same_tpl(old.out, new.out):
        return "the outputs differ"
    return ""


def _same_fn(a, b):
    if a is b:
        return True
    ga, gb = getattr(a, "expected", _MISSING), getattr(b, "expected", _MISSING)
    if ga is not _MISSING:
        return a.fn is b.fn and _same_tpl(ga, gb)
    return a == b


def _same_tpl(a, b):
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is Slot:
        return int(a) == int(b)
    if ta is tuple or ta is list:
        return len(a) == len(b) and all(_same_tpl(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(_same_tpl(a[k], b[k]) for k in a)
    if ta is _ndarray:
        return a.shape == b.shape and a.dtype == b.dtype and a.strides == b.strides and \
            bool(_np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if ta is _Named:
        return a.type is b.type and _same_tpl(a.items, b.items)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return a is b


def jit(fun=None, *, static_argnums=(), static_argnames=(), cache_size=16, escapes="raise",
        check=0, optimize=True):
    """Record ``fun``'s NumPy program once per signature, then replay it without tracing.

    The first call with a given *signature* (see below) runs ``fun`` eagerly while
    recording every NumPy call it makes, the derivative rules' included; its results
    are the eager ones. Later calls with the same signature replay that program: one
    compiled Python function that makes the same NumPy calls in the same order on the
    new arguments, so its results equal an eager call's bit for bit. ``jit`` composes
    with every transform (``jit(value_and_grad(f))``, ``jit(hvp(f))``,
    ``jit(jacrev(f))``...) and with a plain function of arrays.

    >>> import numpy
    >>> import chainrule.numpy as np
    >>> from chainrule import jit, value_and_grad
    >>> step = jit(value_and_grad(lambda w, x: np.sum(np.tanh(x @ w) ** 2)))
    >>> w, x = numpy.ones(3), numpy.eye(3)
    >>> step(w, x)[0] == step(w, x)[0]          # recorded, then replayed
    True
    >>> step.recordings, step.replays
    (1, 1)

    **The signature guard.** A program is replayed only for the same container
    structure (tuples, lists, dicts with the same keys), the same shape, dtype and
    strides of every array, the same type of every NumPy scalar and random generator,
    and equal values of every other argument (Python numbers, strings, ``None``,
    hashable objects such as a model); anything else records a new program. At most
    ``cache_size`` signatures are kept (least recently used out). ``static_argnums``
    / ``static_argnames``: arguments compared by value (arrays by their bytes) and
    passed to ``fun`` as they are, for values that steer Python control flow.

    **Python escapes.** While recording, ``bool()``, ``float()``, ``int()``,
    ``.item()``, ``.tolist()``, an ``if`` on a traced comparison or on ``np.any(...)``,
    or a NumPy function with a Python result (``np.allclose``) in ``fun``'s own code
    raise :class:`JitEscapeError` naming the operation and the line. With
    ``escapes="guard"`` the value becomes a guard instead: every replay recomputes it,
    and a different value records a new program for the other branch (up to four
    such variants per signature). The same tests made inside chainrule (a rule's
    ``np.any(ties)`` for ``np.maximum``) are always guards. A flipped branch never
    replays the old one.

    **Randomness.** A ``numpy.random.Generator`` or ``RandomState`` argument (as
    ``nn.Dropout`` receives from ``nn.fit``) is traced: every replay draws new numbers
    from the caller's generator, exactly as an eager call would. ``chainrule.numpy.random``'s
    functions (the global state) are recorded and drawn again on every replay too.
    Drawing from a generator the function captures, or from ``numpy.random``'s global
    state directly, raises :class:`JitError` while recording. Not seen: a generator the
    function makes itself with ``numpy.random.default_rng()`` (use
    ``chainrule.numpy.random.default_rng``), or one held in an object's attribute.

    **Captured arrays and names.** Arrays and numbers that ``fun`` (or a function it
    wraps: ``value_and_grad(loss)`` wraps ``loss``) reads from its closure or its
    module's globals are constants of the program, used by reference. Every call
    checks that each such name still refers to the object recorded (or, for numbers
    and strings, an equal value): rebinding one records a new program. Their
    *contents* are not watched: after ``A[...] = new`` in place, a replay uses the new
    contents wherever a recorded operation reads ``A``, but keeps what the recording
    computed from captured values alone (``A.T @ A`` when no argument is involved).
    Do not change a captured array in place; pass what changes as an argument, or
    call :meth:`Jitted.clear`. ``check=N`` records again every ``N``-th call and
    raises :class:`StaleProgramError` when the new program differs from the one
    being replayed. Names inside containers, objects and attributes are not watched.

    **State and outputs.** What the function returns is returned as new arrays on
    every call (BatchNorm's running statistics, returned as outputs, update on every
    replay exactly as eagerly); outputs never alias a buffer a later call writes.
    An argument returned as it is comes back as the same object. An exception in a
    recording call leaves no program. Calls from several threads at once are safe.

    **Python side effects** (``print``, logging, warnings, appending to a list) happen
    in the recording call only: a replay runs NumPy calls, nothing else.

    **Inside a transform.** ``grad(jit(f))`` works: ``jit`` steps aside when its
    arguments are already traced (by a transform, or by an enclosing ``jit``), and
    the transform traces ``f`` as usual. Put ``jit`` outermost to get the speed.

    ``optimize=False`` replays every recorded operation (no dead-code removal, no
    merging of identical operations); the results are the same either way.
    ``jitted.program(*args)`` returns the program for those arguments; ``print`` it
    for its evaluation-trace table, ``.source`` is the generated Python.
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, cache_size=cache_size,
                                 escapes=escapes, check=check, optimize=optimize)
    if isinstance(fun, Jitted):
        return fun
    return Jitted(fun, static_argnums, static_argnames, cache_size, escapes, check, optimize)
