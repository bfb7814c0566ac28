"""Tracing: boxes, trace levels, primitives, the tape and the backward pass.

The whole of automatic differentiation lives in this file:

* A :class:`Primitive` is a plain function plus its derivative rules. Called
  on plain values it just runs; called on a :class:`Box` it hands the call to
  the box's trace. Its rules are applied in exactly one place each:
  :meth:`Primitive.cotangents` (reverse mode) and :meth:`Primitive.tangent`
  (forward mode); every caller (the backward sweep, forward mode, the
  autograd-compatible node types, custom rules, ``chainrule.explain``) goes
  through them.
* A :class:`ReverseTrace` records every primitive call as one
  :class:`TapeEntry` on a flat list, the *tape*, in execution order (the
  lecture's forward pass that keeps the values a_i). :func:`backward` walks
  the tape once from the end and sums adjoints ā_i: no topological sort, no
  recursion.
* A :class:`ForwardTrace` needs no tape: the tangent ȧ_i travels in the box,
  next to the value, and the JVP rules are applied as soon as the value exists.

Nesting (``grad(grad(f))``, ``jvp(grad(f))``...) works because each trace has
a unique, increasing ``level``: a primitive hands a call to the innermost
(highest level) trace among its arguments, which unboxes only its *own* boxes
and calls the primitive again on the rest. Boxes of an outer trace therefore
pass through an inner trace untouched: an inner derivative can never capture
an outer perturbation (no perturbation confusion).

Derivative rules have the signatures ::

    vjp(g, ans, *args, **kwargs)  -> cotangent for one argument
    jvp(t, ans, *args, **kwargs)  -> tangent of the output from one argument

They are written with ``chainrule.numpy`` so that they are differentiable in
turn. Tangents and cotangents may carry extra *leading* batch axes (jacfwd
pushes all basis vectors at once): a tangent of a value of shape ``S`` in a
trace with ``batch_shape`` ``B`` has shape ``B + S``.

This module knows nothing of NumPy: the ``chainrule.numpy`` layer attaches
operators (``+``, ``@``, ``[]``...) to :class:`Box`.

Fast paths
----------
Every shortcut the engine takes, what it buys, and where it is. Each gives
the same numbers as the general path (tests/test_fast_paths.py and the rule
table check them). Per-operation costs are from W3 (200 tiny ops, ~2.4 µs
each) on the 2-core development machine; instruction counts from callgrind.

* ``Primitive.__call__``: one or two positional arguments and no keywords
  find their trace without the generic scan; most calls are unary or binary
  operators (about 0.3 µs of W3's ~3 µs per op when it was added).
* ``ReverseTrace.apply`` / ``ForwardTrace.apply``: the one- and two-argument
  cases unbox without building lists, call ``prim.fun`` directly when no
  outer trace's box remains, and (reverse mode) append their tape entry
  inline: a shared recording method cost 6% of W3.
* Tape entries are plain tuples in :class:`TapeEntry`'s field order: a
  namedtuple or slotted instance per operation cost 7% of W3.
* ``needs_ans=False`` / ``needs_args=False`` (declared where each primitive is
  defined): the tape drops the output, or keeps only shapes and dtypes
  (:class:`ArrayMeta`), where the rules read nothing else; a W2 gradient peaks
  at 0.6x the memory of the hand-written one, and freed arrays are reused
  while still in cache.
* :meth:`Primitive.cotangents` / :meth:`Primitive.tangent`: rules looked up by
  ``rules[argnum]`` under ``try`` (a ``dict.get`` call cost 3% of W3), the
  one-argument rule called without building a list, and without ``**kwargs``
  when there are none.
* :func:`backward`: adjoints in a list indexed by tape position, each entry
  released once consumed (memory falls during the sweep), and an entry with
  one traced argument accumulated without ``zip``.
* ``Primitive.value_and_jvp`` (forward mode): a fused value-and-tangent rule;
  ``A @ x`` with ``A @ ẋ`` as one product reads ``A`` once (W5's
  forward-over-reverse Hessian-vector product: two matrix products, not four).

Outside this file (each commented where it is): the structured identity seed
of Jacobians (``chainrule.numpy.basis.ScaledBasis``: W4's wrong mode 300x ->
2-4x); first-order cotangents reduced with NumPy directly in ``unbroadcast``,
the reductions and ``logsumexp``; elementwise cotangents that skip
``unbroadcast`` when nothing was broadcast (``numpy/elementwise.py``); the
transposed-weight matrix-product cotangent computed as ``(gᵀx)ᵀ``
(``numpy/products.py``: W2 float64 1.08x -> 1.03x); flat containers and bare
leaves flattened without the tree walk (``core/tree.py``); ``hvp`` calling the
engines directly (``transforms.py``). ``chainrule.jit`` skips all of this on a
replay: it runs the NumPy calls recorded from one traced call as generated code
(its own index of fast paths is in ``chainrule/_jit/__init__.py``); for it the
first-order tests in the rules read ``type(g) in ARRAY_TYPES``
(``numpy/_wrap.py``), as fast as ``type(g) is ndarray`` for an ndarray (W3's
eager per-op cost measured the same before and after, 2.55-2.76 µs).
"""

import itertools
from collections import namedtuple as _namedtuple
from types import MethodType as _MethodType

from .errors import EscapedTraceError, MissingRuleError, TracedWriteError

_levels = itertools.count(1)


class _hooks:  # noqa: N801 (a namespace)
    """What the engine asks of the array layer about complex values; the engine
    knows nothing of arrays, and ``chainrule.numpy`` replaces both
    (:func:`set_complex_hooks`). Kept off :class:`Primitive`: two more names in its
    class dictionary cost ~1.5% of W3 (CPython's attribute cache)."""

    @staticmethod
    def is_complex(v):
        """Whether ``v`` (an input, a constant argument, a cotangent) is complex."""
        return False

    @staticmethod
    def real_part(v, value):
        """``v`` projected onto the vector space of ``value`` (a tape argument, an
        :class:`ArrayMeta`, or an output): its real part when ``value`` is real,
        ``v`` itself otherwise. Called only when ``is_complex(v)``."""
        return v


def set_complex_hooks(is_complex, real_part):
    """Install the array layer's ``is_complex(v)`` and ``real_part(v, value)``, with
    which the traces decide whether a tape holds complex arithmetic and the backward
    sweep projects a complex cotangent of a real value onto the reals."""
    _hooks.is_complex = staticmethod(is_complex)
    _hooks.real_part = staticmethod(real_part)
_SEQUENCES = (list, tuple)  # arguments that may hold traced values (Primitive.__call__)


class Box:
    """A value being traced: ``_value`` plus the ``_trace`` it belongs to.

    ``_ref`` is what that trace keeps for the value, and its meaning is the
    trace's: the position of the value's :class:`TapeEntry` on the tape
    (:class:`ReverseTrace`), the value's tangent (:class:`ForwardTrace`), or
    the node of a graph (the autograd-compatible tracer). There is a single
    Box class for every value type, so that finding traced arguments is one
    ``type(a) is Box`` test.
    """

    __slots__ = ("_value", "_trace", "_ref")

    def __init__(self, value, trace, ref):
        self._value = value
        self._trace = trace
        self._ref = ref

    def __repr__(self):
        t = self._trace
        return (f"Box({self._value!r}, {t.kind}{t.level}"
                f"{', escaped: its trace has ended' if t.ended else ''})")


def getval(x):
    """Strip every level of boxing: the plain value underneath."""
    while type(x) is Box:
        x = x._value
    return x


def isbox(x):
    """Whether ``x`` is a traced value."""
    return type(x) is Box


class ArrayMeta:
    """What a rule that reads only shapes needs of an argument: the tape keeps
    this instead of the array, so the array can be freed (``needs_args=False``)."""

    __slots__ = ("shape", "ndim", "dtype", "chunks")

    def __init__(self, shape, ndim, dtype, chunks=None):
        self.shape, self.ndim, self.dtype, self.chunks = shape, ndim, dtype, chunks


_NUMBERS = (float, int, complex, bool)
#: Array types split into chunks (registered by the array modules that have them): their
#: ``ArrayMeta`` keeps the chunks too, so that a rule that broadcasts a cotangent back to
#: an argument's shape can give it the argument's chunks (a different chunking would make
#: the library move data between its workers to line them up).
CHUNKED_TYPES = set()


def _meta(v):
    t = type(v)
    if t in _NUMBERS:  # Python numbers are small: keep them
        return v
    if t is Box:  # an outer trace's value: its shape and dtype are those underneath
        v = getval(v)
    try:
        return ArrayMeta(v.shape, v.ndim, v.dtype,
                         v.chunks if type(v) in CHUNKED_TYPES else None)
    except AttributeError:
        return v


def unbox_args(trace, args):
    """The general case of ``trace.apply``: ``(vals, argnums, refs, outer)`` for
    ``args``: the arguments with ``trace``'s own boxes unboxed, the positions
    and ``_ref`` of those boxes, and whether a box of another trace remains (the
    primitive must then be called again, for that trace, instead of ``fun``).

    >>> t = ReverseTrace()
    >>> unbox_args(t, (t.new_input(2.0), 3.0))
    ([2.0, 3.0], (0,), (0,), False)
    """
    vals = list(args)
    argnums, refs = [], []
    outer = False
    for i, a in enumerate(args):
        if type(a) is Box:
            if a._trace is trace:
                v = vals[i] = a._value
                argnums.append(i)
                refs.append(a._ref)
                if type(v) is Box:
                    outer = True
            else:
                outer = True
    return vals, tuple(argnums), tuple(refs), outer


class Trace:
    """One differentiation in progress (one call of grad, jvp, vjp...).

    A subclass defines ``apply(prim, args, kwargs)``: evaluate ``prim`` on
    ``args``, of which at least one is a box of this trace, and return the
    output as a box of this trace.
    """

    __slots__ = ("level", "origin")
    kind = "?"
    #: Whether the differentiation has returned (:func:`end_trace`); true only on
    #: the ended classes, so that a live trace pays nothing for the check.
    ended = False

    def __init__(self):
        self.level = next(_levels)


# What a trace of each kind is, for the message of an escaped value.
_KIND_NAMES = {"rev": "a reverse-mode derivative (grad, vjp, jacrev, hessian...)",
               "fwd": "a forward-mode derivative (jvp, jacfwd, hvp...)",
               "node": "an autograd-style trace"}
_ENDED = {}  # {trace class: its ended twin}


def end_trace(trace, fun=None):
    """Mark ``trace`` finished (its function ``fun`` has returned): from then on any
    use of one of its boxes raises :class:`EscapedTraceError` saying where it came from.

    Costs nothing while the trace runs: the trace's class becomes an *ended* twin of
    the same layout whose ``apply`` raises (every primitive call on a box reaches its
    trace's ``apply``), and the few other ways of using a box (``bool``, ``len``,
    NumPy conversions, the functions without derivatives) read :attr:`Trace.ended`.

    >>> double = Primitive(lambda x: 2 * x, name="double")
    >>> t = ReverseTrace()
    >>> x = t.new_input(0.5)
    >>> end_trace(t)
    >>> double(x)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.core.errors.EscapedTraceError: chainrule: a traced value escaped from a \
reverse-mode derivative (grad, vjp, jacrev, hessian...) and was used (in double) after ...
    """
    cls = type(trace)
    if cls.ended:
        return
    twin = _ENDED.get(cls)
    if twin is None:
        twin = _ENDED[cls] = type(cls.__name__, (cls,), {
            "__slots__": (), "ended": True, "apply": _ended_apply,
            "__module__": cls.__module__, "__doc__": f"An ended {cls.__name__}."})
    trace.origin = fun
    trace.__class__ = twin


def _ended_apply(self, prim, args, kwargs):
    raise escaped(self, f"in {prim.name}")


def escaped(trace, use):
    """The :class:`EscapedTraceError` for a box of the ended ``trace`` met in ``use``."""
    what = _KIND_NAMES.get(trace.kind, "a derivative")
    fun = _user_function(getattr(trace, "origin", None))
    if fun is not None:
        what += f" of {fun}"
    return EscapedTraceError(what, use)


def _user_function(fun):
    """``'name (file:line)'`` of the function a derivative was taken of: the transforms
    wrap it in closures of their own, followed through ``__wrapped__`` and closure
    cells to the first function defined outside chainrule."""
    last = None
    for _ in range(8):
        code = getattr(fun, "__code__", None)
        if code is None:
            break
        last = f"{fun.__qualname__} ({code.co_filename}:{code.co_firstlineno})"
        if not (getattr(fun, "__module__", None) or "").startswith("chainrule."):
            return last
        nxt = getattr(fun, "__wrapped__", None)
        if nxt is None:
            for cell in fun.__closure__ or ():
                try:
                    c = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                if callable(c) and getattr(c, "__code__", None) is not None:
                    nxt = c
                    break
        fun = nxt
    return last


class TapeEntry(_namedtuple("TapeEntry", "prim args kwargs ans argnums parents")):
    """One primitive call on the tape of a :class:`ReverseTrace`: the interface
    that ``chainrule.explain`` and the backward sweep read.

    * ``prim``: the :class:`Primitive` called;
    * ``args``: its arguments, unboxed from this trace (a box of an outer trace
      stays a box); an :class:`ArrayMeta` in place of an array when the
      primitive's rules read only shapes (``needs_args=False``);
    * ``kwargs``: its keyword arguments (configuration, never traced);
    * ``ans``: its output, or ``None`` when the rules do not read it
      (``needs_ans=False``);
    * ``argnums``: the positions of the arguments traced by this trace, a tuple;
    * ``parents``: the tape positions of those arguments, in the same order.

    The tape holds plain tuples in this field order, and ``None`` for each of
    the trace's inputs (its first entries): allocating and freeing an instance
    of a tuple subclass (or of a slotted class) costs about 7% of W3's time per
    operation, where a plain tuple comes from the interpreter's free list.
    ``TapeEntry._make(tape[i])`` (or :meth:`ReverseTrace.entry`) gives the named
    view; code that builds a tape of its own may store ``TapeEntry`` instances.

    >>> import chainrule.numpy as np
    >>> t = ReverseTrace()
    >>> y = np.sin(t.new_input(0.5))
    >>> t.entry(1).prim.name, t.entry(1).parents
    ('numpy.sin', (0,))
    """

    __slots__ = ()


_ARG0 = (0,)
_ARG1 = (1,)
_ARG01 = (0, 1)


class ReverseTrace(Trace):
    """Records primitive calls on a flat tape of :class:`TapeEntry` tuples, in
    execution order; inputs occupy the first entries, as ``None``.

    ``apply`` appends exactly one entry per call, keeping only what the rules
    read. A subclass that must keep more (``chainrule.explain`` keeps every
    argument and output) calls it and replaces that last entry. The three
    argument-count cases append their entries inline: folding them into one
    recording method cost 6% more instructions per operation on W3 (measured
    with callgrind: 28,577 against 26,890), over the 5% this design allows.
    """

    __slots__ = ("tape", "complex")
    kind = "rev"

    def __init__(self):
        super().__init__()
        self.tape = []
        # Whether a complex cotangent may reach a real value in the backward sweep
        # (which then projects every cotangent, :func:`backward`'s ``project``).
        # Decided while recording, without reading a dtype on the common path: a
        # cotangent is complex only where complex numbers enter the computation, and
        # they enter only (1) as a complex input, (2) as a complex constant argument
        # (or an outer trace's complex value), or (3) through a primitive that makes
        # complex values of real ones or whose rule computes in complex arithmetic
        # (fft, astype, eig, a user primitive). A primitive declared
        # ``keeps_real`` (NumPy's ufuncs, sum...) has a real output and real
        # cotangents for real arguments unless a ``dtype`` keyword says otherwise;
        # every other primitive sets the flag, as do (1) and (2).
        self.complex = False

    def new_input(self, value):
        """A box for one input of the differentiated function."""
        self.tape.append(None)
        if _hooks.is_complex(value):
            self.complex = True
        return Box(value, self, len(self.tape) - 1)

    def entry(self, i):
        """The named view of tape entry ``i`` (``None`` for an input)."""
        e = self.tape[i]
        return None if e is None else TapeEntry._make(e)

    def apply(self, prim, args, kwargs):
        tape = self.tape
        n = len(args)
        if n == 1:  # the one argument is ours
            a = args[0]
            v = a._value
            if type(v) is Box:  # still traced by an outer trace
                ans = prim(v, **kwargs)
            else:
                ans = prim.fun(v, **kwargs) if kwargs else prim.fun(v)
            if not prim.keeps_real or kwargs and "dtype" in kwargs:
                self.complex = True
            tape.append((prim, (v,) if prim.needs_args else (_meta(v),), kwargs,
                           ans if prim.needs_ans else None, _ARG0, (a._ref,)))
            return Box(ans, self, len(tape) - 1)
        if n == 2:  # binary operators
            a, b = args
            if type(a) is Box and a._trace is self:
                va = a._value
                if type(b) is Box and b._trace is self:
                    vb = b._value
                    argnums, parents = _ARG01, (a._ref, b._ref)
                else:
                    vb = b
                    argnums, parents = _ARG0, (a._ref,)
                    if type(b) is not float and _hooks.is_complex(b):  # a constant
                        self.complex = True
            else:  # then b is ours: the trace was chosen from the arguments
                va, vb = a, b._value
                argnums, parents = _ARG1, (b._ref,)
                if type(a) is not float and _hooks.is_complex(a):
                    self.complex = True
            if not prim.keeps_real or kwargs and "dtype" in kwargs:
                self.complex = True
            if type(va) is Box or type(vb) is Box:
                ans = prim(va, vb, **kwargs)
            else:
                ans = prim.fun(va, vb, **kwargs) if kwargs else prim.fun(va, vb)
            tape.append((prim, (va, vb) if prim.needs_args else (_meta(va), _meta(vb)),
                           kwargs, ans if prim.needs_ans else None, argnums, parents))
            return Box(ans, self, len(tape) - 1)
        vals, argnums, parents, outer = unbox_args(self, args)
        ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
        if not prim.keeps_real or "dtype" in kwargs or any(
                _hooks.is_complex(v) for i, v in enumerate(args) if i not in argnums):
            self.complex = True
        if not prim.needs_args:
            vals = [_meta(v) for v in vals]
        tape.append((prim, tuple(vals), kwargs, ans if prim.needs_ans else None,
                     argnums, parents))
        return Box(ans, self, len(tape) - 1)


class ForwardTrace(Trace):
    """Pushes tangents alongside values; ``batch_shape`` leads every tangent."""

    __slots__ = ("batch_shape",)
    kind = "fwd"

    def __init__(self, batch_shape=()):
        super().__init__()
        self.batch_shape = tuple(batch_shape)

    def new_input(self, value, tangent):
        """A box for one input, carrying its tangent."""
        return Box(value, self, tangent)

    def apply(self, prim, args, kwargs):
        if len(args) == 1 and prim.value_and_jvp is None:  # the one argument is ours
            a = args[0]
            v = a._value
            if type(v) is Box:  # still traced by an outer trace
                ans = prim(v, **kwargs)
            else:
                ans = prim.fun(v, **kwargs) if kwargs else prim.fun(v)
            return Box(ans, self, prim.tangent(((0, a._ref),), ans, (v,), kwargs,
                                               self.batch_shape))
        vals, argnums, tangents, outer = unbox_args(self, args)
        traced = list(zip(argnums, tangents))
        if not outer and prim.value_and_jvp is not None:
            fused = prim.value_and_jvp(traced, *vals, **kwargs)
            if fused is not None:
                ans, tangent = fused
                if prim.shape_tangent is not None:
                    tangent = prim.shape_tangent(tangent, ans, self.batch_shape)
                return Box(ans, self, tangent)
        ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
        return Box(ans, self, prim.tangent(traced, ans, vals, kwargs, self.batch_shape))


class Primitive:
    """A function with derivative rules; the unit the tape records.

    Rules, set with :meth:`defvjp` / :meth:`defjvp` or directly:

    * ``vjps`` / ``jvps``: ``{argnum: rule}``, one rule per argument
      (signatures in the module docstring);
    * ``vjp_joint(argnums, g, ans, *args, **kwargs)`` (optional): the
      cotangents of all traced arguments ``argnums`` (a tuple) in one call, as
      a sequence in ``argnums`` order, for rules that share work between
      arguments (``einsum``, ``solve``, user primitives with containers);
      it takes precedence over ``vjps``;
    * ``jvp_joint(traced, ans, *args, **kwargs)`` (optional): the output's
      tangent from all ``traced = [(argnum, tangent), ...]`` in one call;
      it takes precedence over ``jvps``;
    * ``value_and_jvp(traced, *args, **kwargs)`` (optional, forward mode only):
      ``(output, tangent)`` in one call where that is cheaper than one after
      the other (``A @ x`` and ``A @ ẋ`` as one product reads ``A`` once); it
      returns ``None`` to fall back to ``fun`` and the JVP rules;
    * ``shape_tangent(t, ans, batch_shape)`` (optional, forward mode): gives
      the summed tangent the full ``batch_shape + ans.shape``, for primitives
      whose per-argument rules may return a tangent that only broadcasts to it
      (``x + y`` traced in ``x`` alone has ``x``'s shape).

    ``defer`` (optional, binary calls): ``{type: bool}``, true for the types of
    operands that handle the call themselves (an ``xarray.DataArray`` with its
    own ``__array_ufunc__``): a traced value and such an operand go to ``fun``
    as they are, so that NumPy's dispatch hands the call to that operand, which
    calls the primitive again on its contents (the ufuncs of ``chainrule.numpy``).

    ``keeps_real`` (declared where the primitive is defined, default ``False``):
    real arguments give a real output and the rules real cotangents and tangents
    (NumPy's ufuncs, ``sum``), unless a ``dtype`` keyword asks otherwise. A trace
    that records only such primitives on real values skips the projection of
    cotangents onto real parents (:attr:`ReverseTrace.complex`); a wrong ``False``
    costs only that time.

    What the tape keeps, declared where the primitive is defined:
    ``needs_ans=False`` lets it drop the output (VJP rules then receive
    ``ans=None``), ``needs_args=False`` keeps only the shape, ndim and dtype
    of array arguments (an :class:`ArrayMeta`), for rules that read nothing
    else. The tape then holds only what the backward pass needs.
    """

    __slots__ = ("fun", "name", "vjps", "jvps", "vjp_joint", "jvp_joint", "value_and_jvp",
                 "needs_ans", "needs_args", "shape_tangent", "defer", "keeps_real", "__dict__")

    def __init__(self, fun, name=None, needs_ans=True, needs_args=True):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        self.vjps = {}
        self.jvps = {}
        self.vjp_joint = None
        self.jvp_joint = None
        self.value_and_jvp = None
        self.needs_ans = needs_ans
        self.needs_args = needs_args
        self.shape_tangent = None
        self.defer = None
        self.keeps_real = False
        try:
            self.__doc__ = fun.__doc__
            self.__wrapped__ = fun
        except AttributeError:
            pass
        # The attributes of the function it stands for, as functools.wraps gives them
        # (code that inspects a graph reads prim.__name__).
        d = self.__dict__
        for attr in ("__name__", "__qualname__", "__module__"):
            try:
                d[attr] = getattr(fun, attr)
            except AttributeError:
                pass
        if "__name__" not in d:
            d["__name__"] = d["__qualname__"] = self.name.rpartition(".")[2]

    @staticmethod
    def sequences_to_arrays(args, kwargs):
        """``(args, kwargs)`` with each list or tuple argument that holds a traced
        value made one traced array, or ``None`` when there is none. The engine
        knows nothing of arrays: ``chainrule.numpy`` sets this."""
        return None

    def __call__(self, *args, **kwargs):
        if not kwargs:  # the commonest calls: one or two positional arguments
            n = len(args)
            if n == 1:
                a = args[0]
                if type(a) is Box:
                    return a._trace.apply(self, args, kwargs)
                try:
                    return self.fun(a)
                except TracedWriteError:  # NumPy met a traced value inside a list
                    return self._call_special(args, kwargs)
            if n == 2:
                a, b = args
                if type(a) is Box:
                    tb = type(b)
                    if tb is float:  # x * 1.01: checked first, the commonest binary call
                        return a._trace.apply(self, args, kwargs)
                    if tb is Box:
                        if b._trace.level > a._trace.level:
                            return b._trace.apply(self, args, kwargs)
                    elif tb is list or tb is tuple or self.defer is not None and self.defer[tb]:
                        return self._call_special(args, kwargs)
                    return a._trace.apply(self, args, kwargs)
                if type(b) is Box:
                    ta = type(a)
                    if ta is not float and (ta is list or ta is tuple or self.defer is not None
                                            and self.defer[ta]):
                        return self._call_special(args, kwargs)
                    return b._trace.apply(self, args, kwargs)
                try:
                    return self.fun(a, b)
                except TracedWriteError:
                    return self._call_special(args, kwargs)
        trace = None
        seq = False
        for a in args:
            if type(a) is Box:
                t = a._trace
                if trace is None or t.level > trace.level:
                    trace = t
            elif type(a) in _SEQUENCES:
                seq = True
        if kwargs:
            for k, v in kwargs.items():
                if type(v) is Box:
                    # Keyword arguments are configuration, never differentiated:
                    # say so rather than silently drop a derivative.
                    raise TypeError(
                        f"chainrule: {self.name} got a traced value for keyword '{k}', which is "
                        "not differentiated; pass it positionally if the function allows.")
                if type(v) in _SEQUENCES:
                    seq = True
        if seq:
            fixed = self.sequences_to_arrays(args, kwargs)
            if fixed is not None:
                return self(*fixed[0], **fixed[1])
        if trace is None:
            return self.fun(*args, **kwargs)
        return trace.apply(self, args, kwargs)

    def _call_special(self, args, kwargs):
        """The slow path of a one- or two-argument call: a list or tuple argument that
        holds traced values becomes one traced array (``sequences_to_arrays``), and a
        traced value meeting an operand that handles ufuncs itself (``defer``) goes to
        ``fun`` as it is, for NumPy's dispatch to hand the call to that operand."""
        fixed = self.sequences_to_arrays(args, kwargs)
        if fixed is not None:
            return self(*fixed[0], **fixed[1])
        defer = self.defer
        if defer is not None and any(type(a) is not Box and defer[type(a)] for a in args) \
                and any(type(a) is Box for a in args):
            return self.fun(*args, **kwargs)
        trace = None
        for a in args:
            if type(a) is Box and (trace is None or a._trace.level > trace.level):
                trace = a._trace
        if trace is None:
            return self.fun(*args, **kwargs)
        return trace.apply(self, args, kwargs)

    # -- the one application of the rules ---------------------------------

    def cotangents(self, argnums, g, ans, args, kwargs):
        """The cotangents of arguments ``argnums`` (a tuple) given the output's
        cotangent ``g``, in ``argnums`` order: the joint rule if there is one,
        else one rule per argument; :class:`MissingRuleError` for an argument
        without a rule. The only place reverse-mode rules are applied.

        >>> double = Primitive(lambda x: 2 * x).defvjp(lambda g, ans, x: 2 * g)
        >>> double.cotangents((0,), 1.0, None, (3.0,), {})
        (2.0,)
        """
        joint = self.vjp_joint
        if joint is not None:
            return joint(argnums, g, ans, *args, **kwargs)
        vjps = self.vjps
        if len(argnums) == 1:
            try:
                rule = vjps[argnums[0]]
            except KeyError:
                # Checked here, not while recording, so that a function whose
                # derivative is never needed may still run under a tape.
                raise MissingRuleError(self.name, argnums[0], "rev") from None
            return (rule(g, ans, *args, **kwargs) if kwargs else rule(g, ans, *args),)
        out = []
        for argnum in argnums:
            try:
                rule = vjps[argnum]
            except KeyError:
                raise MissingRuleError(self.name, argnum, "rev") from None
            out.append(rule(g, ans, *args, **kwargs) if kwargs else rule(g, ans, *args))
        return out

    def tangent(self, traced, ans, args, kwargs, batch_shape=()):
        """The output's tangent from the tangents ``traced = [(argnum, t), ...]``
        of the traced arguments: the joint rule if there is one, else the sum
        of the per-argument rules, then ``shape_tangent``;
        :class:`MissingRuleError` for an argument without a rule. The only
        place forward-mode rules are applied.

        >>> double = Primitive(lambda x: 2 * x).defjvp(lambda t, ans, x: 2 * t)
        >>> double.tangent([(0, 1.0)], 6.0, (3.0,), {})
        2.0
        """
        joint = self.jvp_joint
        if joint is not None:
            t = joint(traced, ans, *args, **kwargs)
        else:
            jvps = self.jvps
            t = None
            for argnum, ti in traced:
                try:
                    rule = jvps[argnum]
                except KeyError:
                    rule = self._jvp_from_vjp(argnum)
                c = rule(ti, ans, *args, **kwargs) if kwargs else rule(ti, ans, *args)
                t = c if t is None else t + c
        if self.shape_tangent is not None:
            t = self.shape_tangent(t, ans, batch_shape)
        return t

    #: Set by ``chainrule.transforms``: ``derive_jvp(prim, argnum)`` returns a forward
    #: rule for argument ``argnum`` computed from the primitive's reverse rule.
    derive_jvp = None

    def _jvp_from_vjp(self, argnum):
        """The forward rule of an argument that has a reverse rule only (autograd's
        extensions often define just ``defvjp``): the VJP is linear in the cotangent,
        so J·t is its transpose applied to t, taken by reverse mode over the rule
        (:func:`chainrule.transforms._jvp_from_vjp`). Derived once, on first need,
        and kept beside the defined rules (a later ``defjvp`` takes precedence);
        :class:`MissingRuleError` when there is no reverse rule either."""
        derived = self.__dict__.setdefault("_derived_jvps", {})
        rule = derived.get(argnum)
        if rule is None:
            if self.derive_jvp is None or (self.vjp_joint is None and argnum not in self.vjps):
                raise MissingRuleError(self.name, argnum, "fwd")
            rule = derived[argnum] = self.derive_jvp(self, argnum)
        return rule

    # -- defining rules -----------------------------------------------------

    def defvjp(self, *rules, argnums=None):
        """Set VJP rules ``rule(g, ans, *args, **kwargs)``, one per argument."""
        for i, r in zip(argnums or range(len(rules)), rules):
            if r is not None:
                self.vjps[i] = r
        return self

    def defjvp(self, *rules, argnums=None):
        """Set JVP rules ``rule(t, ans, *args, **kwargs)``, one per argument."""
        for i, r in zip(argnums or range(len(rules)), rules):
            if r is not None:
                self.jvps[i] = r
        return self

    def __repr__(self):
        return f"<chainrule primitive {self.name}>"

    def __get__(self, obj, objtype=None):
        # Lets a primitive serve as a method (the operators of Box) like a function
        # does; a C-level bound method adds no Python frame to the call.
        if obj is None:
            return self
        return _MethodType(self, obj)


def backward(tape, seeds, n_inputs, keep_tape=False, observe=None, project=True):
    """One reverse sweep over ``tape``; returns the adjoints of the inputs.

    ``project``: whether a complex cotangent may reach a real value, so that each
    cotangent is projected onto its parent's vector space (its real part for a real
    parent) before it is added in; ``False`` only for a tape known to hold no complex
    arithmetic (``ReverseTrace.complex``).

    ``seeds`` is a list of ``(tape_index, cotangent)``. Adjoints are kept in a
    list indexed by tape position and dropped once consumed; unless
    ``keep_tape``, each tape entry is released as soon as it is processed so
    that memory falls during the sweep. ``observe(i, g, cts)``, if given, is
    called for every entry processed, with its adjoint ``g`` and the
    cotangents ``cts`` it sends to ``tape[i].parents`` (what
    ``chainrule.explain`` shows).
    """
    if not seeds:
        return [None] * n_inputs
    # A real value's cotangent is real (its vector space is real), whatever its rule
    # computed: a rule's fast path may return a complex product unchanged (K @ x with
    # complex K and real x). Projected here, the one place cotangents reach their
    # parents, so that no rule has to remember it. Each cotangent is tested, not the
    # entry's output: a rule may compute in complex arithmetic for a real output (a
    # user primitive through an FFT). Reading a dtype per entry costs 2-4% of W3, so
    # a trace decides while recording whether it needs this (ReverseTrace.complex).
    is_complex, real_part = _hooks.is_complex, _hooks.real_part
    end = max(i for i, _ in seeds)
    adj = [None] * max(end + 1, n_inputs)
    for i, g in seeds:
        adj[i] = g if adj[i] is None else adj[i] + g
    for i in range(end, n_inputs - 1, -1):
        g = adj[i]
        if g is None:
            continue
        adj[i] = None
        prim, args, kwargs, ans, argnums, parents = tape[i]
        if not keep_tape:
            tape[i] = None
        cts = prim.cotangents(argnums, g, ans, args, kwargs)
        if len(parents) == 1:  # most entries: no zip to build
            c = cts[0]
            if project and is_complex(c):
                c = real_part(c, args[argnums[0]])
                cts = (c,)
            if observe is not None:
                observe(i, g, cts)
            p = parents[0]
            q = adj[p]
            adj[p] = c if q is None else q + c
            continue
        if project:
            cts = [real_part(c, args[a]) if is_complex(c) else c for a, c in zip(argnums, cts)]
        if observe is not None:
            observe(i, g, cts)
        for p, c in zip(parents, cts):
            q = adj[p]
            adj[p] = c if q is None else q + c
    return adj[:n_inputs]
