"""Defining new primitives: HIPS autograd's ``autograd.extend`` API, plus JAX's
``custom_vjp`` / ``custom_jvp``.

Code written against autograd runs unchanged::

    from chainrule.extend import primitive, defvjp, defjvp

    @primitive
    def logsumexp(x):
        m = onp.max(x)
        return m + onp.log(onp.sum(onp.exp(x - m)))

    defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
    defjvp(logsumexp, lambda g, ans, x: np.sum(g * np.exp(x - ans)))

Conventions are autograd's:

* a *VJP maker* is ``vjpmaker(ans, *args, **kwargs)`` and returns a function
  ``g -> cotangent of that argument``; ``None`` means "zero gradient";
* a *JVP* is ``jvp(g, ans, *args, **kwargs)`` (tangent first) and returns the
  tangent of the output; ``None`` means zero, ``"same"`` means the function is
  linear in that argument (apply it to the tangent);
* ``defvjp_argnum(f, maker)`` with ``maker(argnum, ans, args, kwargs)``,
  ``defjvp_argnum(f, maker)`` with ``maker(argnum, g, ans, args, kwargs)``, and
  the joint ``defvjp_argnums`` / ``defjvp_argnums`` taking all argnums at once.

The rules are adapted to chainrule's internal ones (``rule(g, ans, *args)``).
What the adapter adds:

* chainrule batches Jacobians (``jacobian``, ``hessian``, ``jacfwd``...) by
  pushing many (co)tangents at once along a leading axis; autograd rules are
  written for one. The adapter detects the extra axes and calls the rule once
  per basis vector, so every autograd rule is correct under every transform.
* primitives may take and return tuples, lists and dicts of arrays: traced
  leaves inside a container argument are gathered into one traced container,
  and a container output is split into traced leaves, as autograd's
  ``SequenceBox``/``DictBox`` do.

A derivative that was never defined raises :class:`MissingRuleError` when a
traced value reaches it. Rules should use ``chainrule.numpy`` so that they can
be differentiated in turn (``grad(grad(f))``).

Two differences from autograd: defining rules on a primitive again *adds*
to (or replaces) the rules for the given argnums instead of discarding the
others, and ``primitive(f)`` returns a :class:`~chainrule.core.trace.Primitive`
object (callable like ``f``, with ``.fun`` the raw function) instead of a
plain function.
"""

import functools
import itertools
import warnings
import weakref
from collections.abc import MutableMapping

import numpy as _onp

from .core.errors import MissingRuleError
from .core.trace import Box, Primitive, getval, isbox
from .core.tree import tree_flatten, tree_unflatten
from .util import subval
from .vspace import VSpace, vspace

__all__ = [
    "Box", "VSpace", "vspace", "primitive", "notrace_primitive", "register_notrace",
    "defvjp", "defvjp_argnum", "defvjp_argnums", "defjvp", "defjvp_argnum", "defjvp_argnums",
    "def_linear", "SparseObject", "MissingRuleError", "custom_vjp",
    "custom_jvp", "isbox", "getval",
]


def _cnp():
    from . import numpy as cnp  # late: chainrule.numpy imports the core this module uses
    return cnp


# ----------------------------------------------------------------------------
# Leaves, zeros and batch axes
# ----------------------------------------------------------------------------

def _is_container(x):
    return isinstance(x, (tuple, list, dict))


def _kind(v):
    """dtype kind of a plain leaf, or '' for things that are not numbers."""
    dt = getattr(v, "dtype", None)
    if dt is not None:
        try:
            return _onp.dtype(dt).kind
        except TypeError:
            return ""
    if isinstance(v, bool):
        return "b"
    if isinstance(v, (int, float, complex)):
        return _onp.result_type(v).kind
    return ""


def _zeros_b(x, batch=()):
    """Zeros shaped ``batch + shape(x)`` with ``x``'s dtype; ``None`` for leaves
    that are not numbers (they have no vector space)."""
    v = getval(x)
    kind = _kind(v)
    if not kind:
        return None
    return _onp.zeros(tuple(batch) + _onp.shape(v), _onp.result_type(v))


def _zeros_tree(x, batch=()):
    leaves, spec = tree_flatten(x)
    return tree_unflatten(spec, [_zeros_b(v, batch) for v in leaves])


def _shape(v):
    return _onp.shape(getval(v))


def _batch_shape(vec, ref):
    """Leading axes that ``vec`` (a tree of (co)tangents) has beyond ``ref``
    (the matching tree of values): the batch chainrule pushes at once."""
    if isinstance(vec, _LeafVec):
        if vec.batch is not None:
            return vec.batch
        ref_leaves = tree_flatten(ref)[0]
        pairs = [(v, ref_leaves[k]) for k, v in vec.d.items()]
    elif _is_container(vec) or _is_container(ref):
        pairs = zip(tree_flatten(vec)[0], tree_flatten(ref)[0], strict=False)
    else:
        pairs = [(vec, ref)]
    for v, r in pairs:
        if v is None:
            continue
        vs = _shape(v)
        nb = len(vs) - len(_shape(r))
        return tuple(vs[:nb]) if nb > 0 else ()
    return ()


def _slices(tree, batch, n):
    """Split the leading ``batch`` axes of every leaf: a list of ``n`` trees."""
    cnp = _cnp()
    leaves, spec = tree_flatten(tree)
    cut = []
    for v in leaves:
        if v is None:
            cut.append([None] * n)
            continue
        rest = _shape(v)[len(batch):]
        if len(batch) != 1:
            v = cnp.reshape(v, (n,) + tuple(rest))
        cut.append([v[k] for k in range(n)])
    return [tree_unflatten(spec, [c[k] for c in cut]) for k in range(n)]


def _stack(outs, batch):
    """Stack trees of results along new leading ``batch`` axes."""
    cnp = _cnp()
    flat = [tree_flatten(o) for o in outs]
    spec = flat[0][1]
    res = []
    for parts in zip(*[f[0] for f in flat], strict=False):
        if all(p is None for p in parts):
            res.append(None)
            continue
        s = cnp.stack([p for p in parts])
        if len(batch) != 1:
            s = cnp.reshape(s, tuple(batch) + _shape(s)[1:])
        res.append(s)
    return tree_unflatten(spec, res)


def _per_batch(fn, vecs, refs):
    """``fn(*vecs)``, once per batch element when the (co)tangents ``vecs``
    carry leading batch axes (relative to the values ``refs``).

    autograd rules expect one (co)tangent; chainrule's Jacobians push a batch.
    """
    batch = _batch_shape(vecs[0], refs[0])
    if not batch:
        return fn(*vecs)
    n = int(_onp.prod(batch, dtype=int))
    if n == 0:
        # Empty batch: run once on zeros to learn the result's shapes.
        out = fn(*[_zeros_tree(r) for r in refs])
        leaves, spec = tree_flatten(out)
        return tree_unflatten(spec, [_zeros_b(v, batch) for v in leaves])
    sliced = [_slices(v, batch, n) for v in vecs]
    return _stack([fn(*[s[k] for s in sliced]) for k in range(n)], batch)


# ----------------------------------------------------------------------------
# Container-valued nodes: a traced tuple/list/dict is one tape entry whose
# (co)tangent is a _LeafVec, and each leaf is read out by _leaf.
# ----------------------------------------------------------------------------

class _LeafVec:
    """(Co)tangent of a container value: ``{leaf index: vector}``, absent
    leaves are zero. ``+`` adds leaf-wise (a tuple's ``+`` would concatenate).
    ``batch`` is the leading batch shape when known (tangents)."""

    __slots__ = ("d", "batch")

    def __init__(self, d, batch=None):
        self.d = d
        self.batch = batch

    def __add__(self, other):
        if isinstance(other, (int, float)) and other == 0:
            return self
        if not isinstance(other, _LeafVec):
            if not _is_container(other):
                return NotImplemented
            # A rule's dense container meets leaf-wise contributions (a gathered
            # argument is both passed to the primitive and read by inner rules).
            other = _LeafVec({k: v for k, v in enumerate(tree_flatten(other)[0])
                              if v is not None})
        d = dict(self.d)
        for k, v in other.d.items():
            d[k] = v if d.get(k) is None else (d[k] if v is None else d[k] + v)
        return _LeafVec(d, self.batch if self.batch is not None else other.batch)

    __radd__ = __add__

    def __repr__(self):
        return f"_LeafVec({self.d!r}, batch={self.batch})"


def _dense(vec, ref):
    """A (co)tangent as the container the user expects: the structure of
    ``ref`` with zeros where ``vec`` has nothing."""
    if not isinstance(vec, _LeafVec):
        return vec
    leaves, spec = tree_flatten(ref)
    batch = _batch_shape(vec, ref)
    d = vec.d
    return tree_unflatten(spec, [d[k] if d.get(k) is not None else _zeros_b(v, batch)
                                 for k, v in enumerate(leaves)])


def _as_leafvec(out, ans, batch):
    """Tangent of a container output, from the container a rule returned."""
    if isinstance(out, _LeafVec) or not _is_container(ans):
        return out
    leaves = tree_flatten(out)[0]
    return _LeafVec({k: v for k, v in enumerate(leaves) if v is not None}, tuple(batch))


def _leaf_fun(c, k):
    return tree_flatten(c)[0][k]


def _leaf_jvp(t, ans, c, k):
    if isinstance(t, _LeafVec):
        v = t.d.get(k)
        return v if v is not None else _zeros_b(ans, t.batch or ())
    return tree_flatten(t)[0][k]


_leaf = Primitive(_leaf_fun, name="chainrule.extend.container_leaf", needs_ans=False)
_leaf.defvjp(lambda g, ans, c, k: _LeafVec({k: g}))
_leaf.defjvp(_leaf_jvp)


def _pack_fun(spec, *leaves):
    return tree_unflatten(spec, list(leaves))


def _pack_vjp(argnums, g, ans, spec, *leaves):
    ref = tree_unflatten(spec, list(leaves))
    g = _dense(g, ref)
    flat = tree_flatten(g)[0]
    if len(flat) != len(leaves):
        raise ValueError(
            f"chainrule: a VJP returned a cotangent with {len(flat)} leaves for a container "
            f"argument with {len(leaves)}; return the same structure as the argument."
        )
    batch = _batch_shape(g, ref)
    return [flat[a - 1] if flat[a - 1] is not None else _zeros_b(leaves[a - 1], batch)
            for a in argnums]


def _pack_jvp(traced, ans, spec, *leaves):
    a0, t0 = traced[0]
    return _LeafVec({a - 1: t for a, t in traced}, _batch_shape(t0, leaves[a0 - 1]))


_pack = Primitive(_pack_fun, name="chainrule.extend.container_pack", needs_ans=False)
_pack.vjp_joint = _pack_vjp
_pack.jvp_joint = _pack_jvp


def _differentiable_leaf(v):
    return type(v) is Box or _kind(v) in ("f", "c")


def _split(box):
    """A traced container value -> the container of its traced leaves."""
    leaves, spec = tree_flatten(getval(box))
    return tree_unflatten(spec, [_leaf(box, k) if _differentiable_leaf(v) else v
                                 for k, v in enumerate(leaves)])


def _gather(x):
    """A container holding traced leaves -> one traced container."""
    leaves, spec = tree_flatten(x)
    return _pack(spec, *leaves)


def _unbox_tree(x):
    if type(x) is Box:
        return getval(x)
    if _is_container(x):
        leaves, spec = tree_flatten(x)
        if any(type(v) is Box for v in leaves):
            return tree_unflatten(spec, [getval(v) for v in leaves])
    return x


# ----------------------------------------------------------------------------
# User primitives
# ----------------------------------------------------------------------------

def _unpack(args):
    """Rules see container arguments as containers: under an outer
    derivative, a gathered container arrives as one value traced by the outer
    trace; give the rule the container of its (outer-traced) leaves."""
    if any(type(a) is Box and _is_container(getval(a)) for a in args):
        return [_split(a) if type(a) is Box and _is_container(getval(a)) else a for a in args]
    return args


def _wrap_vjp_rule(rule):
    """chainrule rule seeing the container cotangent as a plain container."""
    def dense_rule(g, ans, *args, **kwargs):
        args = _unpack(args)
        return rule(_dense(g, ans), ans, *args, **kwargs)
    dense_rule.__wrapped__ = rule
    return dense_rule


def _wrap_jvp_rule(rule, argnum):
    def dense_rule(t, ans, *args, **kwargs):
        args = _unpack(args)
        x = args[argnum]
        batch = _batch_shape(t, x)
        return _as_leafvec(rule(_dense(t, x), ans, *args, **kwargs), ans, batch)
    dense_rule.__wrapped__ = rule
    return dense_rule


def _wrap_vjp_joint(joint):
    def dense_joint(argnums, g, ans, *args, **kwargs):
        args = _unpack(args)
        return joint(argnums, _dense(g, ans), ans, *args, **kwargs)
    dense_joint.__wrapped__ = joint
    return dense_joint


def _wrap_jvp_joint(joint):
    def dense_joint(traced, ans, *args, **kwargs):
        args = _unpack(args)
        a0, t0 = traced[0]
        batch = _batch_shape(t0, args[a0])
        traced = [(i, _dense(t, args[i])) for i, t in traced]
        return _as_leafvec(joint(traced, ans, *args, **kwargs), ans, batch)
    dense_joint.__wrapped__ = joint
    return dense_joint


class _RuleDict(dict):
    """``vjps``/``jvps`` of a user primitive: rules are wrapped on the way in so
    that they see containers, not chainrule's internal leaf vectors."""

    def __init__(self, wrap):
        super().__init__()
        self._wrap = wrap

    def __setitem__(self, argnum, rule):
        super().__setitem__(argnum, self._wrap(rule, argnum))

    def update(self, *a, **kw):
        for k, v in dict(*a, **kw).items():
            self[k] = v


def _fix_tangent(t, ans, batch_shape):
    """Forward mode: give a rule's tangent the full ``batch + ans.shape``
    (autograd rules may return a broadcastable tangent, e.g. a scalar)."""
    if isinstance(t, _LeafVec) or _is_container(ans) or t is None:
        return t
    target = tuple(batch_shape) + _shape(ans)
    if _shape(t) != target:
        t = _cnp().broadcast_to(t, target)
    return t


_USER_PRIMITIVES = weakref.WeakSet()


def _prop(slot, wrap):
    def get(self):
        return self.__dict__.get(slot)

    def set_(self, value):
        self.__dict__[slot] = None if value is None else wrap(value)
    return property(get, set_)


class ExtPrimitive(Primitive):
    """A user-defined primitive (what :func:`primitive` returns).

    Calls ``fun`` on plain values; on traced values it records one step whose
    derivative rules are those defined with :func:`defvjp`, :func:`defjvp`...
    Container arguments holding traced arrays and container outputs are
    supported. Not entered in ``chainrule.numpy``'s registry of primitives.
    """

    __slots__ = ("__weakref__",)  # the registry of user primitives holds them weakly

    vjps = property(lambda self: self.__dict__["_vjps"],
                    lambda self, d: self._set_rules("_vjps", d, lambda r, i: _wrap_vjp_rule(r)))
    jvps = property(lambda self: self.__dict__["_jvps"],
                    lambda self, d: self._set_rules("_jvps", d, _wrap_jvp_rule))
    vjp_joint = _prop("_vjp_joint", _wrap_vjp_joint)
    jvp_joint = _prop("_jvp_joint", _wrap_jvp_joint)

    def __init__(self, fun, name=None):
        super().__init__(fun, name=name or getattr(fun, "__name__", repr(fun)))
        self.fix_tangent = _fix_tangent
        self.__dict__["_notrace"] = frozenset()
        for attr in ("__name__", "__qualname__", "__module__"):
            try:
                self.__dict__[attr] = getattr(fun, attr)
            except AttributeError:
                pass
        _USER_PRIMITIVES.add(self)

    def _set_rules(self, slot, rules, wrap):
        d = _RuleDict(wrap)
        d.update(rules or {})
        self.__dict__[slot] = d

    def __call__(self, *args, **kwargs):
        top = None
        gather = False
        for a in args:
            if type(a) is Box:
                if top is None or a._trace.level > top.level:
                    top = a._trace
            elif _is_container(a):
                for v in tree_flatten(a)[0]:
                    if type(v) is Box:
                        gather = True
                        if top is None or v._trace.level > top.level:
                            top = v._trace
        if top is None:
            return self.fun(*args, **kwargs)
        notrace = self.__dict__["_notrace"]
        if notrace and _notraced(top, notrace):
            # Not traced at this level: strip this trace's boxes and call again.
            return self(*[_strip_level(a, top) for a in args], **kwargs)
        if gather:
            args = [_gather(a) if _is_container(a) else a for a in args]
        out = Primitive.__call__(self, *args, **kwargs)
        if type(out) is Box and _is_container(getval(out)):
            return _split(out)
        return out

    def __repr__(self):
        return f"<chainrule user primitive {self.name}>"


def _notraced(trace, keys):
    if trace.kind in keys:
        return True
    node_type = getattr(trace, "node_type", None)
    return node_type is not None and (
        node_type in keys or getattr(node_type, "_trace_kind", None) in keys)


def _strip_level(x, trace):
    def strip(v):
        while type(v) is Box and v._trace.level >= trace.level:
            v = v._value
        return v
    if type(x) is Box:
        return strip(x)
    if _is_container(x):
        leaves, spec = tree_flatten(x)
        return tree_unflatten(spec, [strip(v) for v in leaves])
    return x


def primitive(f_raw):
    """Make ``f_raw`` a primitive: chainrule records calls of it on traced
    values and differentiates them with the rules you define for it, instead
    of looking inside. ``f_raw`` sees plain values (NumPy arrays), so it may
    use NumPy, SciPy or compiled code.

    >>> import numpy as onp
    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> @primitive
    ... def cube(x):
    ...     return onp.power(x, 3)
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * g * x ** 2)
    >>> float(grad(cube)(2.0))
    12.0
    """
    return ExtPrimitive(f_raw)


def primitive_with_deprecation_warnings(f_raw):
    """:func:`primitive` with autograd's deprecated methods (what
    ``autograd.core.primitive`` and ``autograd.primitive`` return):
    ``f.defvjp(vjp, argnum=0)`` with ``vjp(g, ans, vs, gvs, *args)``,
    ``f.defgrad(vjpmaker, argnum=0)`` and ``f.defvjp_is_zero(argnums=(0,))``.
    Each warns; use :func:`defvjp` instead."""
    p = ExtPrimitive(f_raw)

    def _warn(name):
        warnings.warn(f"{name} is deprecated; use chainrule.extend.defvjp(f, vjpmaker...)",
                      DeprecationWarning, stacklevel=3)

    def defvjp_old(vjpfun, argnum=0):
        _warn("f.defvjp(vjp, argnum)")

        def maker(ans, *args, **kwargs):
            return lambda g: vjpfun(g, ans, vspace(args[argnum]), vspace(g), *args, **kwargs)
        defvjp(p, maker, argnums=[argnum])

    def defgrad(gradfun, argnum=0):
        _warn("f.defgrad")
        defvjp(p, gradfun, argnums=[argnum])

    def defvjp_is_zero(argnums=(0,)):
        _warn("f.defvjp_is_zero")
        defvjp(p, *[None] * len(argnums), argnums=argnums)

    p.__dict__.update(defvjp=defvjp_old, defgrad=defgrad, defvjp_is_zero=defvjp_is_zero)
    return p


def notrace_primitive(f_raw):
    """A function whose result carries no derivative: traced arguments
    (also inside tuples, lists and dicts) are replaced by their values.

    >>> from chainrule import grad
    >>> is_positive = notrace_primitive(lambda x: x > 0)
    >>> float(grad(lambda x: x * is_positive(x))(2.0))
    1.0
    """
    @functools.wraps(f_raw)
    def f_wrapped(*args, **kwargs):
        return f_raw(*[_unbox_tree(a) for a in args],
                     **{k: _unbox_tree(v) for k, v in kwargs.items()})
    f_wrapped._is_primitive = True
    f_wrapped.fun = f_raw
    return f_wrapped


def register_notrace(trace_type, primitive_fun):
    """Do not trace ``primitive_fun`` under ``trace_type`` (``VJPNode``: reverse
    mode, ``JVPNode``: forward mode, another ``Node`` class: its
    :func:`chainrule.tracer.trace`). Its output is then a constant there."""
    if not isinstance(primitive_fun, ExtPrimitive):
        raise TypeError("chainrule: register_notrace needs a primitive made by "
                        "chainrule.extend.primitive")
    key = getattr(trace_type, "_trace_kind", trace_type)
    primitive_fun.__dict__["_notrace"] = primitive_fun.__dict__["_notrace"] | {key}


def _check_prim(fun, what):
    if not isinstance(fun, Primitive):
        raise TypeError(
            f"chainrule: {what} needs a primitive, got {fun!r}. Wrap the function first: "
            "f = chainrule.extend.primitive(f)."
        )


def _count(argnums):
    return itertools.count() if argnums is None else argnums


# ----------------------------------------------------------------------------
# Reverse mode
# ----------------------------------------------------------------------------

def _vjp_from_maker(maker, argnum, fun):
    if maker is None:
        def zero_rule(g, ans, *args, **kwargs):
            return _zeros_tree(args[argnum], _batch_shape(g, ans))
        return zero_rule
    if not callable(maker):
        raise TypeError(f"chainrule: bad VJP {maker!r} for {getattr(fun, 'name', fun)}")

    def rule(g, ans, *args, **kwargs):
        vjp = maker(ans, *args, **kwargs)
        return _per_batch(vjp, [g], [ans])
    rule.__wrapped__ = maker
    return rule


def defvjp(fun, *vjpmakers, **kwargs):
    """Define reverse-mode rules of primitive ``fun``, one per argument.

    Each ``vjpmaker(ans, *args, **kwargs)`` returns ``lambda g: ...``, the
    cotangent of that argument given the output's cotangent ``g``. ``None``
    declares a zero derivative; ``argnums=`` says which arguments the makers
    are for (default 0, 1, 2...).

    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> mul = primitive(lambda x, y: x * y)
    >>> defvjp(mul, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: g * x)
    >>> grad(mul, 1)(3.0, 4.0)
    3.0
    """
    argnums = kwargs.pop("argnums", None)
    if kwargs:
        raise TypeError(f"defvjp got unexpected keyword arguments {sorted(kwargs)}")
    _check_prim(fun, "defvjp")
    for argnum, maker in zip(_count(argnums), vjpmakers, strict=False):
        fun.vjps[argnum] = _vjp_from_maker(maker, argnum, fun)
    fun.vjp_joint = None  # per-argument rules take over from a joint one


def defvjp_argnums(fun, vjpmaker):
    """Joint reverse-mode rule: ``vjpmaker(argnums, ans, args, kwargs)``
    returns ``lambda g: (cotangent for each of argnums)``."""
    _check_prim(fun, "defvjp_argnums")

    def joint(argnums, g, ans, *args, **kwargs):
        vjp = vjpmaker(tuple(argnums), ans, args, kwargs)
        return _per_batch(lambda gk: list(vjp(gk)), [g], [ans])
    fun.vjp_joint = joint


def defvjp_argnum(fun, vjpmaker):
    """Reverse-mode rule for every argument: ``vjpmaker(argnum, ans, args,
    kwargs)`` returns ``lambda g: cotangent``.

    >>> from chainrule import grad
    >>> add3 = primitive(lambda a, b, c: a + b + c)
    >>> defvjp_argnum(add3, lambda argnum, ans, args, kwargs: lambda g: g)
    >>> grad(add3, 2)(1.0, 2.0, 3.0)
    1.0
    """
    _check_prim(fun, "defvjp_argnum")

    def joint(argnums, g, ans, *args, **kwargs):
        vjps = [vjpmaker(a, ans, args, kwargs) for a in argnums]
        return _per_batch(lambda gk: [v(gk) for v in vjps], [g], [ans])
    fun.vjp_joint = joint


# ----------------------------------------------------------------------------
# Forward mode
# ----------------------------------------------------------------------------

def _jvp_from_fun(jvpfun, argnum, fun):
    if jvpfun is None:
        def zero_rule(t, ans, *args, **kwargs):
            return _zeros_tree(ans, _batch_shape(t, args[argnum]))
        return zero_rule
    if isinstance(jvpfun, str) and jvpfun == "same":
        def jvpfun(g, ans, *args, **kwargs):
            return fun(*subval(args, argnum, g), **kwargs)
    elif not callable(jvpfun):
        raise TypeError(f"chainrule: bad JVP {jvpfun!r} for {getattr(fun, 'name', fun)}")

    def rule(t, ans, *args, **kwargs):
        return _per_batch(lambda tk: jvpfun(tk, ans, *args, **kwargs), [t], [args[argnum]])
    rule.__wrapped__ = jvpfun
    return rule


def defjvp(fun, *jvpfuns, **kwargs):
    """Define forward-mode rules of primitive ``fun``, one per argument.

    Each ``jvp(g, ans, *args, **kwargs)`` returns the output's tangent for the
    tangent ``g`` of that argument. ``None`` declares a zero derivative and
    ``"same"`` a function linear in that argument; ``argnums=`` as in defvjp.

    >>> from chainrule import deriv
    >>> sq = primitive(lambda x: x * x)
    >>> defjvp(sq, lambda g, ans, x: 2 * x * g)
    >>> deriv(sq)(3.0)
    6.0
    """
    argnums = kwargs.pop("argnums", None)
    if kwargs:
        raise TypeError(f"defjvp got unexpected keyword arguments {sorted(kwargs)}")
    _check_prim(fun, "defjvp")
    for argnum, jvpfun in zip(_count(argnums), jvpfuns, strict=False):
        fun.jvps[argnum] = _jvp_from_fun(jvpfun, argnum, fun)
    fun.jvp_joint = None


def defjvp_argnums(fun, jvpmaker):
    """Joint forward-mode rule: ``jvpmaker(argnums, gs, ans, args, kwargs)``
    returns the output's tangent for the tangents ``gs`` of ``argnums``."""
    _check_prim(fun, "defjvp_argnums")

    def joint(traced, ans, *args, **kwargs):
        argnums = tuple(i for i, _ in traced)
        ts = [t for _, t in traced]
        refs = [args[i] for i in argnums]
        return _per_batch(lambda *tk: jvpmaker(argnums, list(tk), ans, args, kwargs), ts, refs)
    fun.jvp_joint = joint


def defjvp_argnum(fun, jvpmaker):
    """Forward-mode rule for every argument: ``jvpmaker(argnum, g, ans, args,
    kwargs)`` returns the output's tangent; contributions are summed."""
    _check_prim(fun, "defjvp_argnum")

    def joint(traced, ans, *args, **kwargs):
        total = None
        for i, t in traced:
            out = _per_batch(lambda tk, i=i: jvpmaker(i, tk, ans, args, kwargs), [t], [args[i]])
            total = out if total is None else _add_trees(total, out)
        return total
    fun.jvp_joint = joint


def _add_trees(a, b):
    la, spec = tree_flatten(a)
    lb = tree_flatten(b)[0]
    return tree_unflatten(spec, [y if x is None else x if y is None else x + y
                                 for x, y in zip(la, lb, strict=False)])


def def_linear(fun):
    """Declare ``fun`` linear in each argument: its JVP applies ``fun`` to the
    tangent (autograd's ``def_linear``). Reverse mode still needs defvjp.

    >>> from chainrule import deriv
    >>> scale = primitive(lambda a, x: a * x)
    >>> def_linear(scale)
    >>> deriv(scale, 1)(3.0, 5.0)
    3.0
    """
    defjvp_argnum(fun, lambda argnum, g, ans, args, kwargs:
                  fun(*subval(args, argnum, g), **kwargs))


# ----------------------------------------------------------------------------
# autograd.core.primitive_vjps / primitive_jvps: the rules as a mapping
# ----------------------------------------------------------------------------

class _SavedRules:
    __slots__ = ("rules", "joint")

    def __init__(self, rules, joint):
        self.rules, self.joint = rules, joint


class _RuleRegistry(MutableMapping):
    """``{primitive: rules}`` view of the reverse- (``"rev"``) or forward-mode
    (``"fwd"``) rules, as autograd's ``primitive_vjps``/``primitive_jvps``.

    Reading gives an opaque token that can be stored back (to remove rules for
    a while and restore them); storing a function defines autograd's joint
    rule (``defvjp_argnums``/``defjvp_argnums``).
    """

    def __init__(self, mode):
        self.mode = mode

    def _names(self):
        return ("vjps", "vjp_joint") if self.mode == "rev" else ("jvps", "jvp_joint")

    def __getitem__(self, prim):
        if not isinstance(prim, Primitive):
            raise KeyError(prim)
        rules_name, joint_name = self._names()
        rules, joint = getattr(prim, rules_name), getattr(prim, joint_name)
        if not rules and joint is None:
            raise KeyError(prim)
        return _SavedRules(dict(rules), joint)

    def __setitem__(self, prim, value):
        _check_prim(prim, "primitive_vjps[...] =")
        rules_name, joint_name = self._names()
        if isinstance(value, _SavedRules):
            setattr(prim, rules_name, value.rules)
            setattr(prim, joint_name, value.joint)
        elif self.mode == "rev":
            defvjp_argnums(prim, value)
        else:
            defjvp_argnums(prim, value)

    def __delitem__(self, prim):
        self[prim]  # KeyError when there is nothing to delete
        rules_name, joint_name = self._names()
        setattr(prim, rules_name, {})
        setattr(prim, joint_name, None)

    def __iter__(self):
        from .numpy._wrap import PRIMITIVES
        for p in itertools.chain(list(_USER_PRIMITIVES), PRIMITIVES.values()):
            if p in self:
                yield p

    def __contains__(self, prim):
        try:
            self[prim]
        except KeyError:
            return False
        return True

    def __len__(self):
        return sum(1 for _ in self)


primitive_vjps = _RuleRegistry("rev")
primitive_jvps = _RuleRegistry("fwd")


# ----------------------------------------------------------------------------
# autograd's sparse accumulator type: importable, not used by chainrule
# ----------------------------------------------------------------------------

class SparseObject:
    """autograd's sparse-gradient accumulator, kept so that imports work.
    chainrule's rules return dense cotangents; a VJP returning a
    SparseObject is not supported."""

    __slots__ = ["vs", "mut_add"]

    def __init__(self, vs, mut_add):
        self.vs = vs
        self.mut_add = mut_add


VSpace.register(SparseObject, lambda x: x.vs)


# ----------------------------------------------------------------------------
# JAX-style custom derivatives
# ----------------------------------------------------------------------------

class _Opaque:
    """Residuals of custom_vjp travel on the tape as one non-differentiable leaf."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _any_traced(args):
    for a in args:
        if type(a) is Box:
            return True
        if _is_container(a) and any(type(v) is Box for v in tree_flatten(a)[0]):
            return True
    return False


def _diff_positions(nargs, nondiff):
    return [i for i in range(nargs) if i not in nondiff]


class custom_vjp:
    """JAX's ``custom_vjp``: give a function your own reverse-mode derivative.

    ``f.defvjp(fwd, bwd)``: ``fwd(*args)`` returns ``(out, residuals)`` and
    ``bwd(residuals, g)`` returns a tuple with one cotangent per argument
    (``None`` for zero). The residuals are kept from the forward pass. With
    ``nondiff_argnums``, those arguments are passed first to ``bwd`` and get
    no cotangent. Forward mode differentiates ``f`` itself.

    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> @custom_vjp
    ... def clip_grad_sin(x):
    ...     return np.sin(x)
    >>> clip_grad_sin.defvjp(lambda x: (np.sin(x), np.cos(x)),
    ...                      lambda cos_x, g: (np.clip(g * cos_x, -0.5, 0.5),))
    >>> float(grad(clip_grad_sin)(0.0))
    0.5
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self._prim = ExtPrimitive(self._run_fwd, name=getattr(fun, "__name__", "custom_vjp"))
        self._prim.vjp_joint = self._vjp_joint
        self._prim.jvp_joint = self._jvp_joint

    def defvjp(self, fwd, bwd):
        """Set the forward function (value and residuals) and the backward one."""
        self.fwd, self.bwd = fwd, bwd

    def _run_fwd(self, *args, **kwargs):
        out, res = self.fwd(*args, **kwargs)
        return (out, _Opaque(res))

    def __call__(self, *args, **kwargs):
        if not _any_traced(args):
            return self.fun(*args, **kwargs)
        if self.fwd is None:
            raise MissingRuleError(self._prim.name, 0, "rev")
        out, _ = self._prim(*args, **kwargs)
        return out

    def _vjp_joint(self, argnums, g, ans, *args, **kwargs):
        out_val, res = ans[0], ans[1].value
        if _any_traced(args):
            # Under an outer derivative (grad of grad, hessian...) the stored
            # residuals are constants to it: recompute them from the traced
            # arguments so that the outer derivative sees how they depend on them.
            res = self.fwd(*args, **kwargs)[1]
        nd = [args[i] for i in self.nondiff_argnums]
        diff = _diff_positions(len(args), self.nondiff_argnums)

        def one(gk):
            cts = tuple(self.bwd(*nd, res, gk))
            if len(cts) != len(diff):
                raise ValueError(f"chainrule: custom_vjp bwd of {self._prim.name} returned "
                                 f"{len(cts)} cotangents for {len(diff)} arguments")
            full = dict(zip(diff, cts, strict=False))
            return [full.get(a) if full.get(a) is not None else _zeros_tree(args[a])
                    for a in argnums]
        return _per_batch(one, [g[0]], [out_val])

    def _jvp_joint(self, traced, ans, *args, **kwargs):
        # Forward mode is not customised: push the tangents through fun itself.
        from .transforms import _jvp_engine
        sel = tuple(i for i, _ in traced)
        ts = tuple(t for _, t in traced)
        batch = _batch_shape(ts[0], args[sel[0]])

        def f(xs):
            return self.fun(*_subst(args, sel, xs), **kwargs)
        _, t_out = _jvp_engine(f, tuple(args[i] for i in sel), ts, batch_shape=batch)
        return (t_out, None)


def _subst(args, sel, xs):
    args = list(args)
    for i, x in zip(sel, xs, strict=False):
        args[i] = x
    return args


class custom_jvp:
    """JAX's ``custom_jvp``: give a function your own forward-mode derivative.

    ``@f.defjvp`` decorates ``f_jvp(primals, tangents) -> (out, tangent_out)``
    (tangents of untraced arguments are zeros); or ``f.defjvps(*rules)`` with
    autograd-style per-argument rules ``rule(g, ans, *args)``. Reverse mode
    is derived from the JVP, by differentiating it with respect to the
    tangents (it is linear in them), so the rule must use ``chainrule.numpy``.

    >>> import chainrule.numpy as np
    >>> from chainrule import grad, deriv
    >>> @custom_jvp
    ... def softplus(x):
    ...     return np.log1p(np.exp(x))
    >>> @softplus.defjvp
    ... def softplus_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return softplus(x), t / (1 + np.exp(-x))
    >>> float(deriv(softplus)(0.0)), float(grad(softplus)(0.0))
    (0.5, 0.5)
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self._prim = ExtPrimitive(fun, name=getattr(fun, "__name__", "custom_jvp"))

    def defjvp(self, jvp):
        """Set ``jvp(primals, tangents) -> (primal_out, tangent_out)``; returns it."""
        self.jvp = jvp
        self._prim.jvp_joint = self._jvp_joint
        self._prim.vjp_joint = self._vjp_joint
        return jvp

    def defjvps(self, *jvps):
        """Per-argument rules ``jvp(g, ans, *args)``, ``None`` for zero."""
        defjvp(self._prim, *jvps)
        self._prim.vjp_joint = self._vjp_joint
        self.jvp = None

    def __call__(self, *args, **kwargs):
        return self._prim(*args, **kwargs)

    def _tangent_out(self, args, kwargs, ts):
        """Output tangent for the full tuple of argument tangents ``ts``."""
        if self.jvp is None:  # defjvps: sum the per-argument rules
            ans = self.fun(*args, **kwargs)
            total = None
            for i, t in enumerate(ts):
                if i in self._prim.jvps and t is not None:
                    c = self._prim.jvps[i](t, ans, *args, **kwargs)
                    total = c if total is None else total + c
            return total if total is not None else _zeros_tree(ans)
        nd = [args[i] for i in self.nondiff_argnums]
        diff = _diff_positions(len(args), self.nondiff_argnums)
        primals = tuple(args[i] for i in diff)
        tangents = tuple(ts[i] for i in diff)
        return self.jvp(*nd, primals, tangents, **kwargs)[1]

    def _jvp_joint(self, traced, ans, *args, **kwargs):
        given = dict(traced)

        def one(*tk):
            full = dict(zip(given, tk, strict=False))
            ts = [full[i] if i in full else _zeros_tree(a) for i, a in enumerate(args)]
            return self._tangent_out(args, kwargs, ts)
        return _per_batch(one, list(given.values()), [args[i] for i in given])

    def _vjp_joint(self, argnums, g, ans, *args, **kwargs):
        # The JVP is linear in the tangents: its reverse-mode derivative with
        # respect to them, at zero, is the VJP.
        from .transforms import _vjp_engine
        argnums = tuple(argnums)
        zeros = tuple(_zeros_tree(args[i]) for i in argnums)

        def lin(ts):
            full = [_zeros_tree(a) for a in args]
            for i, t in zip(argnums, ts, strict=False):
                full[i] = t
            return self._tangent_out(args, kwargs, full)
        _, pullback = _vjp_engine(lin, zeros)
        return list(pullback(g))


def __getattr__(name):
    # Node types live in chainrule.tracer, which imports this module.
    if name in ("VJPNode", "JVPNode"):
        from . import tracer
        return getattr(tracer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
