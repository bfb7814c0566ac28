"""Tracing: boxes, trace levels, primitives, the tape and the backward pass.

The whole of automatic differentiation lives in this file:

* A :class:`Primitive` is a plain function plus its derivative rules. Called
  on plain values it just runs; called on a :class:`Box` it hands the call to
  the box's trace.
* A :class:`ReverseTrace` records every primitive call as one tuple on a flat
  list, the *tape*, in execution order (the lecture's forward pass that keeps
  the values a_i). :func:`backward` walks the tape once from the end and sums
  adjoints ā_i with the VJP rules: no topological sort, no recursion.
* A :class:`ForwardTrace` needs no tape: the tangent ȧ_i travels in the box,
  next to the value, and each JVP rule is applied as soon as the value exists.

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
"""

import itertools

from .errors import MissingRuleError

_levels = itertools.count(1)


class Box:
    """A value being traced: ``_value`` plus the trace it belongs to.

    ``_t`` is the position of the value on the tape (reverse mode) or its
    tangent (forward mode). There is a single Box class for every value type
    so that finding traced arguments is one ``type(a) is Box`` test.
    """

    __slots__ = ("_value", "_trace", "_t", "__weakref__")
    __array_priority__ = 1000.0  # numpy defers binary operators to us

    def __init__(self, value, trace, t):
        self._value = value
        self._trace = trace
        self._t = t

    def __repr__(self):
        return f"Box({self._value!r}, {self._trace.kind}{self._trace.level})"

    def __hash__(self):
        return id(self)


def getval(x):
    """Strip every level of boxing: the plain value underneath."""
    while type(x) is Box:
        x = x._value
    return x


def isbox(x):
    return type(x) is Box


class ArrayMeta:
    """What a rule that reads only shapes needs of an argument: the tape keeps
    this instead of the array, so the array can be freed (``needs_args=False``)."""

    __slots__ = ("shape", "ndim", "dtype")

    def __init__(self, shape, ndim, dtype):
        self.shape, self.ndim, self.dtype = shape, ndim, dtype


_NUMBERS = (float, int, complex, bool)


def _meta(v):
    t = type(v)
    if t in _NUMBERS:  # Python numbers are small: keep them
        return v
    if t is Box:  # an outer trace's value: its shape and dtype are those underneath
        v = getval(v)
    try:
        return ArrayMeta(v.shape, v.ndim, v.dtype)
    except AttributeError:
        return v


def _eval1(prim, v, kwargs):
    """A primitive on one unboxed argument: through the outer trace if ``v``
    is still traced there, else the plain function (no empty ``**kwargs``)."""
    if type(v) is Box:
        return prim(v, **kwargs)
    return prim.fun(v, **kwargs) if kwargs else prim.fun(v)


class Trace:
    """One differentiation in progress (one call of grad, jvp, vjp...)."""

    __slots__ = ("level",)
    kind = "?"

    def __init__(self):
        self.level = next(_levels)


class ReverseTrace(Trace):
    """Records primitive calls on a flat tape, in execution order.

    A tape entry is ``(prim, args, kwargs, ans, parents)`` where ``args`` are the
    unboxed arguments, ``ans`` the unboxed output (``None`` when the rules do
    not need it) and ``parents`` a tuple of ``(argnum, tape_index)`` for the
    arguments that were traced. Inputs occupy the first entries, as ``None``.
    """

    __slots__ = ("tape",)
    kind = "rev"
    keep_args = False  # True keeps every argument, even where no rule reads it

    def __init__(self):
        super().__init__()
        self.tape = []

    def new_input(self, value):
        self.tape.append(None)
        return Box(value, self, len(self.tape) - 1)

    def apply(self, prim, args, kwargs):
        tape = self.tape
        if len(args) == 1:  # fast path: the one argument is ours
            a = args[0]
            v = a._value
            ans = _eval1(prim, v, kwargs)
            vals = (v,) if prim.needs_args or self.keep_args else (_meta(v),)
            tape.append((prim, vals, kwargs, ans if prim.needs_ans else None, ((0, a._t),)))
            return Box(ans, self, len(tape) - 1)
        if len(args) == 2:  # fast path for binary operators
            a, b = args
            if type(a) is Box and a._trace is self:
                va = a._value
                if type(b) is Box and b._trace is self:
                    vb = b._value
                    parents = ((0, a._t), (1, b._t))
                else:
                    vb = b
                    parents = ((0, a._t),)
            else:  # then b is ours: the trace was chosen from the arguments
                va, vb = a, b._value
                parents = ((1, b._t),)
            if type(va) is Box or type(vb) is Box:
                ans = prim(va, vb, **kwargs)
            else:
                ans = prim.fun(va, vb, **kwargs) if kwargs else prim.fun(va, vb)
            if prim.needs_args or self.keep_args:
                vals = (va, vb)
            else:
                vals = (_meta(va), _meta(vb))
            tape.append((prim, vals, kwargs, ans if prim.needs_ans else None, parents))
            return Box(ans, self, len(tape) - 1)
        vals = list(args)
        parents = []
        outer = False
        for i, a in enumerate(args):
            if type(a) is Box:
                if a._trace is self:
                    v = vals[i] = a._value
                    parents.append((i, a._t))
                    if type(v) is Box:
                        outer = True
                else:
                    outer = True
        ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
        if not (prim.needs_args or self.keep_args):
            vals = [_meta(v) for v in vals]
        tape.append((prim, vals, kwargs, ans if prim.needs_ans else None, parents))
        return Box(ans, self, len(tape) - 1)


class ForwardTrace(Trace):
    """Pushes tangents alongside values; ``batch_shape`` leads every tangent."""

    __slots__ = ("batch_shape",)
    kind = "fwd"

    def __init__(self, batch_shape=()):
        super().__init__()
        self.batch_shape = tuple(batch_shape)

    def new_input(self, value, tangent):
        return Box(value, self, tangent)

    def apply(self, prim, args, kwargs):
        jvps = prim.jvps
        if len(args) == 1 and prim.jvp_joint is None and prim.value_and_jvp is None:
            # fast path: the one argument is ours
            a = args[0]
            v = a._value
            ans = _eval1(prim, v, kwargs)
            try:
                rule = jvps[0]
            except KeyError:
                raise MissingRuleError(prim.name, 0, "fwd") from None
            tangent = rule(a._t, ans, v, **kwargs)
            if prim.fix_tangent is not None:
                tangent = prim.fix_tangent(tangent, ans, self.batch_shape)
            return Box(ans, self, tangent)
        vals = list(args)
        traced = []
        outer = False
        for i, a in enumerate(args):
            if type(a) is Box:
                if a._trace is self:
                    vals[i] = a._value
                    if i not in jvps and prim.jvp_joint is None:
                        raise MissingRuleError(prim.name, i, "fwd")
                    traced.append((i, a._t))
                    if type(a._value) is Box:
                        outer = True
                else:
                    outer = True
        fused = None
        if not outer and prim.value_and_jvp is not None:
            fused = prim.value_and_jvp(traced, *vals, **kwargs)
        if fused is not None:
            ans, tangent = fused
        else:
            ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
            if prim.jvp_joint is not None:
                tangent = prim.jvp_joint(traced, ans, *vals, **kwargs)
            else:
                tangent = None
                for i, t in traced:
                    ti = jvps[i](t, ans, *vals, **kwargs)
                    tangent = ti if tangent is None else tangent + ti
        if prim.fix_tangent is not None:
            tangent = prim.fix_tangent(tangent, ans, self.batch_shape)
        return Box(ans, self, tangent)


class Primitive:
    """A function with derivative rules; the unit the tape records.

    ``vjps``/``jvps`` map an argument number to its rule. ``vjp_joint`` (if
    set) computes the cotangents of all traced arguments in one call, for
    rules that share work between arguments. ``needs_ans=False`` lets the tape
    drop the output (VJP rules then receive ``ans=None``), and
    ``needs_args=False`` keeps only the shape, ndim and dtype of array
    arguments (an :class:`ArrayMeta`), for rules that read nothing else: the
    tape then holds only what the backward pass needs, which saves memory and
    time (freed arrays are reused while still in cache).

    ``value_and_jvp`` (optional, forward mode only) computes the output and
    its tangent in one call, where that is cheaper than one after the other
    (``A @ x`` and ``A @ ẋ`` as one product reads ``A`` once); it returns
    ``None`` to fall back to ``fun`` and the JVP rules.
    """

    __slots__ = ("fun", "name", "vjps", "jvps", "vjp_joint", "jvp_joint", "value_and_jvp",
                 "needs_ans", "needs_args", "fix_tangent", "__dict__")

    def __init__(self, fun, name=None, needs_ans=True):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        self.vjps = {}
        self.jvps = {}
        self.vjp_joint = None
        self.jvp_joint = None
        self.value_and_jvp = None
        self.needs_ans = needs_ans
        self.needs_args = True
        self.fix_tangent = None
        try:
            self.__doc__ = fun.__doc__
            self.__wrapped__ = fun
        except AttributeError:
            pass

    def __call__(self, *args, **kwargs):
        if not kwargs:  # the commonest calls: one or two positional arguments
            n = len(args)
            if n == 1:
                a = args[0]
                if type(a) is Box:
                    return a._trace.apply(self, args, kwargs)
                return self.fun(a)
            if n == 2:
                a, b = args
                if type(a) is Box:
                    if type(b) is Box and b._trace.level > a._trace.level:
                        return b._trace.apply(self, args, kwargs)
                    return a._trace.apply(self, args, kwargs)
                if type(b) is Box:
                    return b._trace.apply(self, args, kwargs)
                return self.fun(a, b)
        trace = None
        for a in args:
            if type(a) is Box:
                t = a._trace
                if trace is None or t.level > trace.level:
                    trace = t
        if kwargs:
            for k, v in kwargs.items():
                if type(v) is Box:
                    # Keyword arguments are configuration, never differentiated:
                    # say so rather than silently drop a derivative.
                    raise TypeError(
                        f"chainrule: {self.name} got a traced value for keyword '{k}', which is "
                        "not differentiated; pass it positionally if the function allows.")
        if trace is None:
            return self.fun(*args, **kwargs)
        return trace.apply(self, args, kwargs)

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
        # Lets a primitive serve as a method (e.g. on Box) like a function does.
        if obj is None:
            return self
        return _BoundPrimitive(self, obj)


class _BoundPrimitive:
    __slots__ = ("prim", "obj")

    def __init__(self, prim, obj):
        self.prim = prim
        self.obj = obj

    def __call__(self, *args, **kwargs):
        return self.prim(self.obj, *args, **kwargs)


def backward(tape, seeds, n_inputs, keep_tape=False):
    """One reverse sweep over ``tape``; returns the adjoints of the inputs.

    ``seeds`` is a list of ``(tape_index, cotangent)``. Adjoints are kept in a
    list indexed by tape position and dropped once consumed; unless
    ``keep_tape``, each tape entry is released as soon as it is processed so
    that memory falls during the sweep.
    """
    if not seeds:
        return [None] * n_inputs
    end = max(i for i, _ in seeds)
    adj = [None] * max(end + 1, n_inputs)
    for i, g in seeds:
        adj[i] = g if adj[i] is None else adj[i] + g
    for i in range(end, n_inputs - 1, -1):
        g = adj[i]
        if g is None:
            continue
        adj[i] = None
        prim, vals, kwargs, ans, parents = tape[i]
        if not keep_tape:
            tape[i] = None
        if prim.vjp_joint is not None:
            cts = prim.vjp_joint([p[0] for p in parents], g, ans, *vals, **kwargs)
            for (_, p), c in zip(parents, cts):
                q = adj[p]
                adj[p] = c if q is None else q + c
            continue
        vjps = prim.vjps
        for argnum, p in parents:
            try:
                rule = vjps[argnum]
            except KeyError:
                # Checked here, not while recording, so that a function whose
                # derivative is never needed may still run under a tape.
                raise MissingRuleError(prim.name, argnum, "rev") from None
            c = rule(g, ans, *vals, **kwargs) if kwargs else rule(g, ans, *vals)
            q = adj[p]
            adj[p] = c if q is None else q + c
    return adj[:n_inputs]
