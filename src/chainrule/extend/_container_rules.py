"""Wrappers around a user primitive's derivative rules, so that the rules
see container arguments, cotangents and tangents as plain containers, never
chainrule's internal leaf vectors; and the forward-mode fix that broadcasts a
rule's tangent to the output's full shape."""

from ..core.engine import Box, getval
from ._batch import _batch_shape, _cnp
from ._containers import _as_leafvec, _dense, _split
from ._leaves import _LeafVec, _is_container, _shape


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


def _shape_tangent(t, ans, batch_shape):
    """Forward mode: give a rule's tangent the full ``batch + ans.shape``
    (autograd rules may return a broadcastable tangent, e.g. a scalar)."""
    if isinstance(t, _LeafVec) or _is_container(ans) or t is None:
        return t
    target = tuple(batch_shape) + _shape(ans)
    if _shape(t) != target:
        t = _cnp().broadcast_to(t, target)
    return t
