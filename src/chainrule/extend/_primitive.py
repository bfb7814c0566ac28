"""User primitives: :class:`ExtPrimitive` (what :func:`primitive` returns),
:func:`notrace_primitive` and :func:`register_notrace`. Calls on traced
values record one step whose rules are the user's; containers holding traced
values are gathered into one traced container on the way in."""

import functools
import weakref

from .._jit._record import opaque as _opaque
from ..core.engine import Box, Primitive, getval
from ..core.tree import tree_flatten, tree_unflatten
from ._container_rules import (
    _RuleDict, _shape_tangent, _wrap_jvp_joint, _wrap_jvp_rule, _wrap_vjp_joint, _wrap_vjp_rule,
)
from ._containers import _gather, _split, _unbox_tree
from ._leaves import _is_container


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
        # chainrule.jit records a user's function as one call (a replay calls it): it may
        # do anything, np.asarray on its arguments included.
        super().__init__(_opaque(fun), name=name or getattr(fun, "__name__", repr(fun)))
        self.shape_tangent = _shape_tangent
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
    >>> from chainrule.extend import defvjp
    >>> @primitive
    ... def cube(x):
    ...     return onp.power(x, 3)
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * g * x ** 2)
    >>> float(grad(cube)(2.0))
    12.0
    """
    return ExtPrimitive(f_raw)


def notrace_primitive(f_raw):
    """A function whose result carries no derivative: traced arguments
    (also inside tuples, lists and dicts) are replaced by their values.

    >>> from chainrule import grad
    >>> is_positive = notrace_primitive(lambda x: x > 0)
    >>> float(grad(lambda x: x * is_positive(x))(2.0))
    1.0
    """
    name = getattr(f_raw, "__name__", "a function without derivative")

    @functools.wraps(f_raw)
    def f_wrapped(*args, **kwargs):
        return f_raw(*[_unbox_tree(a, name) for a in args],
                     **{k: _unbox_tree(v, name) for k, v in kwargs.items()})
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
