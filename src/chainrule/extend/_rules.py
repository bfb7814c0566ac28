"""Defining derivative rules with autograd's conventions: reverse mode
(:func:`defvjp`, :func:`defvjp_argnum`, :func:`defvjp_argnums`) and forward
mode (:func:`defjvp`, :func:`defjvp_argnum`, :func:`defjvp_argnums`,
:func:`def_linear`). Each adapts the user's rule to chainrule's
``rule(g, ans, *args)`` and runs it once per batch element."""

import itertools

from ..core.tree import tree_flatten, tree_unflatten
from ._batch import _batch_shape, _per_batch
from ._leaves import _zeros_tree
from ._primitive import _check_prim


def subval(x, i, v):
    """``x`` as a tuple with ``x[i] = v``: the tangent in place of argument ``i``."""
    x = list(x)
    x[i] = v
    return tuple(x)


def _count(argnums):
    return itertools.count() if argnums is None else argnums


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
    >>> from chainrule.extend import primitive
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
    >>> from chainrule.extend import primitive
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
    >>> from chainrule.extend import primitive
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
    >>> from chainrule.extend import primitive
    >>> scale = primitive(lambda a, x: a * x)
    >>> def_linear(scale)
    >>> deriv(scale, 1)(3.0, 5.0)
    3.0
    """
    defjvp_argnum(fun, lambda argnum, g, ans, args, kwargs:
                  fun(*subval(args, argnum, g), **kwargs))
