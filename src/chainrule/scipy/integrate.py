"""``chainrule.scipy.integrate``: :func:`odeint`, differentiable in the initial
state, the time points and the extra arguments.

Reverse mode uses the adjoint method (as autograd, after Froehlich et al.
2017, arXiv:1711.08079): one backward solve of the state together with its
adjoint, instead of a tape through the solver's steps. Forward mode solves
the forward sensitivity equations alongside the state. Both carry a whole
batch of cotangents / tangents in one solve, so ``jacrev`` and ``jacfwd``
cost one extra solve each. SciPy's ``odeint`` does every solve.

The dynamics ``func`` must be written with ``chainrule.numpy``: its own
derivatives (J·v and vᵀ·J) are taken by chainrule at each step.

When the backward pass is itself differentiated (``hessian``, ``grad`` of
``grad``), the adjoint solve runs as a composition of chainrule operations and
of ``odeint`` itself (:func:`_odeint_vjp_traced`), so reverse mode has
derivatives of every order. Forward mode has first derivatives only.
"""

import numpy as _np

from ..core.errors import NotDifferentiableError
from ..core.engine import getval, isbox
from ..core.tree import tree_flatten, tree_unflatten
from ..numpy._wrap import defprim, ndim, opaque, shape
from ._common import require

__all__ = ["odeint"]

_NAME = "chainrule.scipy.integrate.odeint"
# Options that only make sense for the user's own system, not an augmented one.
_FORWARD_ONLY = ("Dfun", "col_deriv", "ml", "mu")


def _solve(fun, y0, t, kw):
    return require("scipy.integrate", _NAME).odeint(fun, y0, t, **kw)


def _call(func, spec, shape, y, tt, leaves):
    from .. import numpy as cnp
    return cnp.ravel(func(cnp.reshape(y, shape), tt, *tree_unflatten(spec, leaves)))


def _odeint_raw(func, spec, y0, t, *leaves, **kw):
    y0 = _np.asarray(y0)
    shape = y0.shape

    args = tree_unflatten(spec, leaves)

    def f(y, tt):
        return _np.ravel(func(y.reshape(shape), tt, *args))
    if kw.get("Dfun") is not None:
        dfun = kw["Dfun"]
        kw = dict(kw, Dfun=lambda y, tt: dfun(y, tt, *args))
    out = _solve(f, y0.ravel(), t, kw)
    return out.reshape((len(t),) + shape)


def _float_leaves(leaves):
    """Indices of the extra arguments that can carry derivatives."""
    return [i for i, v in enumerate(leaves) if _np.result_type(getval(v)).kind in "fc"]


def _with_params(leaves, fl, ps):
    """``leaves`` with the float leaves (indices ``fl``) replaced by ``ps``."""
    full = list(leaves)
    for i, v in zip(fl, ps, strict=True):
        full[i] = v
    return full


def _no_boxes(*vals):
    if any(isbox(v) for v in vals):
        raise NotDifferentiableError(
            "chainrule.scipy.integrate.odeint: second derivatives in forward mode are not "
            "implemented (reverse mode has them: use hessian, or grad of grad)")


def _odeint_vjp_joint(argnums, g, ans, func, spec, y0, t, *leaves, **kw):
    from ..transforms import _vjp_engine
    if any(isbox(v) for v in (g, ans, y0, t, *leaves)):
        # The backward pass is being differentiated: take the path that can be.
        return _odeint_vjp_traced(argnums, g, ans, func, spec, y0, t, *leaves, **kw)
    kw = {k: v for k, v in kw.items() if k not in _FORWARD_ONLY}
    y0 = _np.asarray(y0)
    t = _np.asarray(t, dtype=float)
    shape, D, T = y0.shape, y0.size, len(t)
    nb = _np.ndim(g) - _np.ndim(ans)
    bshape = _np.shape(g)[:nb]
    B = int(_np.prod(bshape))
    G = _np.reshape(g, (B, T, D))
    yt = _np.reshape(ans, (T, D))
    fl = _float_leaves(leaves)
    sizes = [_np.size(leaves[i]) for i in fl]
    P = int(sum(sizes))

    def with_params(ps):
        return _with_params(leaves, fl, ps)

    def dyn(z):
        y, tt, ps = z
        return _call(func, spec, shape, y, tt, with_params(ps))

    params = [leaves[i] for i in fl]

    def augmented(state, tt):
        # State: y, then B adjoints of y, of t0 and of the parameters.
        y = state[:D]
        lam = state[D:D + B * D].reshape(B, D)
        f, pullback = _vjp_engine(dyn, (y, _np.asarray(tt, dtype=float), params))
        ybar, tbar, pbar = pullback(-lam)
        flat_p = [_np.reshape(p, (B, -1)) for p in pbar]
        return _np.concatenate([f, ybar.ravel(), _np.reshape(tbar, (B,))]
                               + ([_np.concatenate(flat_p, axis=1).ravel()] if P else []))

    def rhs(y, tt):
        return _np.ravel(func(y.reshape(shape), tt, *tree_unflatten(spec, leaves)))

    lam = G[:, T - 1, :]
    lam_t0 = _np.zeros(B)
    lam_p = _np.zeros(B * P)
    t_bar = _np.zeros((B, T))
    for i in range(T - 1, 0, -1):
        # Moving an output time moves its value along the trajectory.
        t_bar[:, i] = G[:, i, :] @ rhs(yt[i], t[i])
        lam_t0 = lam_t0 - t_bar[:, i]
        state = _np.concatenate([yt[i], lam.ravel(), lam_t0, lam_p])
        back = _solve(augmented, state, _np.array([t[i], t[i - 1]]), kw)[1]
        lam = back[D:D + B * D].reshape(B, D) + G[:, i - 1, :]
        lam_t0 = back[D + B * D:D + B * D + B]
        lam_p = back[D + B * D + B:]
    t_bar[:, 0] = lam_t0
    out = {2: lam.reshape(bshape + shape), 3: t_bar.reshape(bshape + (T,))}
    lam_p = lam_p.reshape(B, P)
    start = 0
    for i, n in zip(fl, sizes, strict=True):
        out[4 + i] = lam_p[:, start:start + n].reshape(bshape + _np.shape(leaves[i]))
        start += n
    return [out[a] for a in argnums]


def _odeint_vjp_traced(argnums, g, ans, func, spec, y0, t, *leaves, **kw):
    """:func:`_odeint_vjp_joint`'s adjoint method written with ``chainrule.numpy``
    and :func:`odeint` itself, for a backward pass that is itself traced: each
    backward solve is an ``odeint`` call on the augmented system, whose dynamics
    take their vector-Jacobian products with chainrule, so the whole sweep can be
    differentiated again (autograd's construction). Slower than the plain path,
    which stays in SciPy."""
    from .. import numpy as cnp
    from ..transforms import _vjp_engine
    kw = {k: v for k, v in kw.items() if k not in _FORWARD_ONLY}
    shp = tuple(shape(y0))
    D, T = int(_np.prod(shp)), shape(t)[0]
    nb = ndim(g) - ndim(ans)
    bshape = tuple(shape(g)[:nb])
    B = int(_np.prod(bshape))
    G = cnp.reshape(g, (B, T, D))
    yt = cnp.reshape(ans, (T, D))
    fl = _float_leaves(leaves)
    sizes = [int(_np.prod(shape(leaves[i]))) for i in fl]
    P = int(sum(sizes))
    params = tuple(leaves[i] for i in fl)

    def with_params(ps):
        return _with_params(leaves, fl, ps)

    def dyn(z):
        return _call(func, spec, shp, z[0], z[1], with_params(z[2]))

    def augmented(state, tt, *ps):
        # State: y, then B adjoints of y, of t0 and of the parameters (as in the plain path).
        y = state[:D]
        lam = cnp.reshape(state[D:D + B * D], (B, D))
        f, pullback = _vjp_engine(dyn, (y, tt, list(ps)))
        ybar, tbar, pbar = pullback(-lam)
        parts = [f, cnp.ravel(ybar), cnp.reshape(tbar, (B,))]
        if P:
            parts.append(cnp.ravel(cnp.concatenate([cnp.reshape(p, (B, -1)) for p in pbar],
                                                   axis=1)))
        return cnp.concatenate(parts)

    lam = G[:, T - 1, :]
    lam_t0 = _np.zeros(B)
    lam_p = _np.zeros(B * P)
    t_bar = [None] * T
    for i in range(T - 1, 0, -1):
        # Moving an output time moves its value along the trajectory.
        t_bar[i] = G[:, i, :] @ _call(func, spec, shp, yt[i], t[i], leaves)
        lam_t0 = lam_t0 - t_bar[i]
        state = cnp.concatenate([yt[i], cnp.ravel(lam), lam_t0, lam_p])
        back = odeint(augmented, state, cnp.stack([t[i], t[i - 1]]), args=params, **kw)[1]
        lam = cnp.reshape(back[D:D + B * D], (B, D)) + G[:, i - 1, :]
        lam_t0 = back[D + B * D:D + B * D + B]
        lam_p = back[D + B * D + B:]
    t_bar[0] = lam_t0
    out = {2: cnp.reshape(lam, bshape + shp),
           3: cnp.reshape(cnp.stack(t_bar, axis=1), bshape + (T,))}
    lam_p = cnp.reshape(lam_p, (B, P))
    start = 0
    for i, n in zip(fl, sizes, strict=True):
        out[4 + i] = cnp.reshape(lam_p[:, start:start + n], bshape + tuple(shape(leaves[i])))
        start += n
    return [out[a] for a in argnums]


def _odeint_jvp_joint(traced, ans, func, spec, y0, t, *leaves, **kw):
    from ..transforms import _jvp_engine
    _no_boxes(ans, y0, t, *leaves, *[v for _, v in traced])
    kw = {k: v for k, v in kw.items() if k not in _FORWARD_ONLY}
    args = (None, None, y0, t) + leaves
    i0, v0 = traced[0]
    bshape = _np.shape(v0)[: _np.ndim(v0) - _np.ndim(args[i0])]
    B = int(_np.prod(bshape))
    y0 = _np.asarray(y0)
    t = _np.asarray(t, dtype=float)
    shape, D, T = y0.shape, y0.size, len(t)
    fl = _float_leaves(leaves)
    tans = dict(traced)
    dy0 = _np.reshape(tans[2], (B, D)) if 2 in tans else _np.zeros((B, D))
    dt = _np.reshape(tans[3], (B, T)) if 3 in tans else None
    dps = [_np.reshape(tans[4 + i], (B,) + _np.shape(leaves[i])) if 4 + i in tans
           else _np.zeros((B,) + _np.shape(leaves[i])) for i in fl]
    has_p = any(4 + i in tans for i in fl)
    params = [leaves[i] for i in fl]

    def with_params(ps):
        return _with_params(leaves, fl, ps)

    def rhs(y, tt):
        return _np.ravel(func(y.reshape(shape), tt, *tree_unflatten(spec, leaves)))

    def augmented(state, tt):
        # State: y, then B sensitivities s with s' = ∂f/∂y s + ∂f/∂p ṗ.
        y = state[:D]
        s = state[D:].reshape(B, D)
        tt = _np.asarray(tt, dtype=float)
        if has_p:
            f, ds = _jvp_engine(lambda z: _call(func, spec, shape, z[0], tt, with_params(z[1])),
                                (y, params), (s, dps), batch_shape=(B,))
        else:
            f, ds = _jvp_engine(lambda z: _call(func, spec, shape, z, tt, leaves), y, s,
                                batch_shape=(B,))
        return _np.concatenate([f, _np.ravel(ds)])

    # Moving t0 shifts the start of the trajectory: s(t0) = ẏ0 - f(y0, t0) ṫ0.
    s0 = dy0 if dt is None else dy0 - dt[:, :1] * rhs(y0.ravel(), t[0])
    sol = _solve(augmented, _np.concatenate([y0.ravel(), s0.ravel()]), t, kw)
    s = sol[:, D:].reshape(T, B, D).transpose(1, 0, 2)
    if dt is not None:
        yt = _np.reshape(ans, (T, D))
        f_all = _np.stack([rhs(yt[i], t[i]) for i in range(T)])
        s = s + dt[:, :, None] * f_all
    return s.reshape(bshape + (T,) + shape)


_odeint = defprim(_odeint_raw, "scipy.integrate.odeint", opaque_to_jit=True)
# The rules solve ODEs with SciPy: chainrule.jit records each as one call.
_odeint.vjp_joint = opaque(_odeint_vjp_joint)
_odeint.jvp_joint = opaque(_odeint_jvp_joint)


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, tfirst=False, **kwargs):
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y0`` over the times ``t``.

    Returns the states at ``t``, shape ``(len(t),) + y0.shape``; differentiable
    in ``y0``, ``t`` and every float array in ``args`` (any container of
    arrays), forward and reverse. Options (``rtol``, ``atol``...) go to
    ``scipy.integrate.odeint`` for every solve, including the derivative ones.

    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> f = lambda y0: odeint(lambda y, t: -y, y0, np.array([0.0, 1.0]), rtol=1e-10)[-1, 0]
    >>> round(float(grad(f)(np.array([1.0]))[0]), 6)
    0.367879
    """
    if full_output:
        raise ValueError(f"{_NAME}: full_output is not supported")
    if not isinstance(args, tuple):
        args = (args,)
    fun = (lambda y, tt, *a: func(tt, y, *a)) if tfirst else func
    leaves, spec = tree_flatten(args)
    if Dfun is not None:
        # The user's Jacobian serves the forward solve only.
        dfun = (lambda y, tt, *a: Dfun(tt, y, *a)) if tfirst else Dfun
        kwargs = dict(kwargs, Dfun=dfun, col_deriv=col_deriv)
    return _odeint(fun, spec, y0, t, *leaves, **kwargs)
