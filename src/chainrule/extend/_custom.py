"""JAX-style custom derivatives: :class:`custom_vjp` (your own reverse-mode
rule, with residuals kept from the forward pass) and :class:`custom_jvp`
(your own forward-mode rule; reverse mode is derived from it)."""

import functools

from ..core.errors import MissingRuleError
from ..core.engine import Box
from ..core.tree import tree_flatten
from ._batch import _batch_shape, _per_batch
from ._leaves import _is_container, _zeros_tree
from ._primitive import ExtPrimitive
from ._rules import defjvp


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
        from ..transforms import _jvp_engine
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

    def _tangent_out(self, args, kwargs, traced):
        """Output tangent from the tangents ``traced = [(argnum, t), ...]``."""
        if self.jvp is None:  # defjvps: the primitive's per-argument rules
            ans = self.fun(*args, **kwargs)
            return self._prim.tangent(traced, ans, args, kwargs)
        given = dict(traced)
        ts = [given[i] if i in given else _zeros_tree(a) for i, a in enumerate(args)]
        nd = [args[i] for i in self.nondiff_argnums]
        diff = _diff_positions(len(args), self.nondiff_argnums)
        primals = tuple(args[i] for i in diff)
        tangents = tuple(ts[i] for i in diff)
        return self.jvp(*nd, primals, tangents, **kwargs)[1]

    def _jvp_joint(self, traced, ans, *args, **kwargs):
        argnums = [i for i, _ in traced]

        def one(*tk):
            return self._tangent_out(args, kwargs, list(zip(argnums, tk, strict=True)))
        return _per_batch(one, [t for _, t in traced], [args[i] for i in argnums])

    def _vjp_joint(self, argnums, g, ans, *args, **kwargs):
        # The JVP is linear in the tangents: its reverse-mode derivative with
        # respect to them, at zero, is the VJP.
        from ..transforms import _vjp_engine
        argnums = tuple(argnums)
        zeros = tuple(_zeros_tree(args[i]) for i in argnums)

        def lin(ts):
            return self._tangent_out(args, kwargs, list(zip(argnums, ts, strict=True)))
        _, pullback = _vjp_engine(lin, zeros)
        return list(pullback(g))
