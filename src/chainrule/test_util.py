"""Numerical checks of derivatives: finite differences as the referee.

:func:`check_grads` compares forward mode (J·v) and reverse mode (uᵀ·J)
with central finite differences along random directions, recursively up to
``order``, and says exactly what disagreed.

>>> import chainrule.numpy as np
>>> check_grads(np.sin, modes=("fwd", "rev"), order=2)(1.0)
"""

import itertools

import numpy as _onp

from .core.engine import getval
from .core.tree import tree_flatten, tree_unflatten
from .transforms import _jvp_engine, _vjp_engine

EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-6


class GradientCheckError(AssertionError):
    """A derivative disagreed with finite differences."""


def _randn_like(x, rng):
    v = getval(x)
    shape = _onp.shape(v)
    dt = _onp.result_type(v)
    r = rng.standard_normal(shape)
    if dt.kind == "c":
        r = r + 1j * rng.standard_normal(shape)
    return _onp.asarray(r, dtype=dt if dt.kind in "fc" else float)


def _inner(a_tree, b_tree):
    """Real inner product of two trees (complex leaves: Re sum conj(a) b)."""
    total = 0.0
    for a, b in zip(tree_flatten(a_tree)[0], tree_flatten(b_tree)[0]):
        total += float(_onp.real(_onp.vdot(_onp.ravel(a), _onp.ravel(b))))
    return total


def _covector(tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten(spec, [_onp.conj(v) if _onp.iscomplexobj(v) else v for v in leaves])


def _axpy(a, x_tree, y_tree):
    lx, spec = tree_flatten(x_tree)
    ly = tree_flatten(y_tree)[0]
    return tree_unflatten(spec, [y + a * x for x, y in zip(lx, ly)])


def _sub(x_tree, y_tree):
    return _axpy(-1.0, y_tree, x_tree)


def _scale(a, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten(spec, [a * v for v in leaves])


def _close(a, b, rtol, atol):
    err = abs(a - b)
    return err <= atol + rtol * max(abs(a), abs(b)), err / max(abs(a), abs(b), 1e-300)


def _fail(what, mode, order, exact, numeric, rel, name):
    kind = "JVP" if mode == "fwd" else "VJP"
    raise GradientCheckError(
        f"check_grads: derivative ({kind}) check of {name} failed: {what}, mode '{mode}', "
        f"order {order}: derivative disagrees with central finite differences: analytic "
        f"{exact:.10g}, numeric {numeric:.10g}, relative error {rel:.3g}"
    )


def _check_fwd(f, x, rng, what, order, eps, rtol, atol, name="the function"):
    v = _randn_like_tree(x, rng)
    _, jv = _jvp_engine(f, x, v)
    numeric = _scale(1.0 / eps, _sub(f(_axpy(eps / 2, v, x)), f(_axpy(-eps / 2, v, x))))
    u = _randn_like_tree(jv, rng)
    a, b = _inner(u, jv), _inner(u, numeric)
    ok, rel = _close(a, b, rtol, atol)
    if not ok:
        _fail(what, "fwd", order, a, b, rel, name)
    return v


def _check_rev(f, x, rng, what, order, eps, rtol, atol, name="the function"):
    y, pullback = _vjp_engine(f, x)
    u = _randn_like_tree(y, rng)
    xv = _randn_like_tree(x, rng)
    a = _inner(xv, _covector(pullback(_covector(u))))
    b = _inner(u, _scale(1.0 / eps, _sub(f(_axpy(eps / 2, xv, x)), f(_axpy(-eps / 2, xv, x)))))
    ok, rel = _close(a, b, rtol, atol)
    if not ok:
        _fail(what, "rev", order, a, b, rel, name)
    return u


def _randn_like_tree(tree, rng):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten(spec, [_randn_like(v, rng) for v in leaves])


def _check(f, x, modes, order, rng, what, level, eps, rtol, atol, name):
    # ``name``: the checked function's, and autograd's jvp_<name> / vjp_<name> for
    # derivatives of derivatives, so that messages read as autograd's do.
    if "fwd" in modes:
        v = _check_fwd(f, x, rng, what, level, eps, rtol, atol, name)
        if order > 1:
            def f_jvp(xv, v=v):
                return _jvp_engine(f, xv, v)[1]
            _check(f_jvp, x, modes, order - 1, rng, what, level + 1, eps, rtol, atol,
                   f"jvp_{name}")
    if "rev" in modes:
        u = _check_rev(f, x, rng, what, level, eps, rtol, atol, name)
        if order > 1:
            def f_vjp(xv, u=u):
                return _vjp_engine(f, xv)[1](_covector(u))
            _check(f_vjp, x, modes, order - 1, rng, what, level + 1, eps, rtol, atol,
                   f"vjp_{name}")

            # The pullback is linear in the cotangent; its own derivative in
            # the cotangent (a rule of a rule) is checked too.
            def f_ct(uv, x=x):
                return _vjp_engine(f, x)[1](_covector(uv))
            _check(f_ct, u, modes, order - 1, rng, f"{what} (cotangent)", level + 1,
                   eps, rtol, atol, f"vjp_{name}")


def _is_float(x):
    leaves = tree_flatten(x)[0]
    return bool(leaves) and all(_onp.result_type(getval(v)).kind in "fc" for v in leaves)


def check_grads(f, modes=("fwd", "rev"), order=2, *, argnums=None, argnum=None, eps=EPS,
                rtol=RTOL, atol=ATOL, seed=0):
    """Return ``check(*args)`` that verifies ``f``'s derivatives at ``args``.

    Checks every float argument (or those in ``argnums``) separately, in each
    of ``modes`` ("fwd", "rev"), and derivatives of derivatives up to
    ``order``. Raises :class:`GradientCheckError` naming the argument, the
    mode, the order and the relative error.

    >>> import chainrule.numpy as np
    >>> check_grads(lambda x, y: np.sum(x * y), order=1)(np.ones(3), np.arange(3.0))
    """
    if argnum is not None:  # autograd's spelling
        argnums = argnum
    if isinstance(modes, int) or (isinstance(modes, tuple) and modes
                                  and all(isinstance(m, int) for m in modes)):
        argnums, modes = modes, ("fwd", "rev")  # autograd: check_grads(f, argnum, ...)
    if isinstance(modes, str):
        modes = (modes,)

    def check(*args, **kwargs):
        rng = _onp.random.default_rng(seed)
        which = range(len(args)) if argnums is None else (
            (argnums,) if isinstance(argnums, int) else argnums)
        for i in which:
            if not _is_float(args[i]):
                continue

            def fi(x, i=i):
                a = list(args)
                a[i] = x
                return f(*a, **kwargs)
            _check(fi, args[i], modes, order, rng, f"argument {i}", 1, eps, rtol, atol,
                   getattr(f, "__name__", "the function"))

    return check


def numerical_grad(f, eps=1e-6):
    """Gradient of a scalar black-box function by central differences.

    For checking only: it costs 2n function calls for n inputs.

    >>> numerical_grad(lambda x: x[0] ** 2 + 3 * x[1])([1.0, 2.0])
    array([2., 3.])
    """
    def g(x):
        x = _onp.asarray(x, dtype=float)
        out = _onp.zeros_like(x)
        flat_x, flat_out = x.reshape(-1), out.reshape(-1)
        for k in range(flat_x.size):
            orig = flat_x[k]
            flat_x[k] = orig + eps / 2
            hi = f(x)
            flat_x[k] = orig - eps / 2
            lo = f(x)
            flat_x[k] = orig
            flat_out[k] = (hi - lo) / eps
        return out
    return g


def numerical_jacobian(f, x, eps=1e-6):
    """Jacobian ``out.shape + x.shape`` of ``f`` at array ``x`` by central differences."""
    x = _onp.asarray(x)
    y = _onp.asarray(f(x))
    jac = _onp.zeros(y.shape + x.shape, dtype=_onp.result_type(y, x))
    flat = x.reshape(-1)
    for k in range(flat.size):
        d = _onp.zeros_like(flat)
        d[k] = eps / 2
        hi = _onp.asarray(f((flat + d).reshape(x.shape)))
        lo = _onp.asarray(f((flat - d).reshape(x.shape)))
        jac.reshape(y.shape + (-1,))[..., k] = (hi - lo) / eps
    return jac


def combo_check(fun, *args, **kwargs):
    """autograd's ``combo_check(fun, argnums, modes, order)(*arg_lists, **kwarg_lists)``:
    run :func:`check_grads` on every combination of the given argument values."""
    argnums = args[0] if args else kwargs.pop("argnums", (0,))
    modes = kwargs.pop("modes", ("fwd", "rev"))
    order = kwargs.pop("order", 2)

    def check(*arg_lists, **kwarg_lists):
        names = list(kwarg_lists)
        for a in itertools.product(*arg_lists):
            for kv in itertools.product(*[kwarg_lists[n] for n in names]):
                kw = dict(zip(names, kv))
                check_grads(lambda *xs: fun(*xs, **kw), modes=modes, order=order,
                            argnums=argnums)(*a)
    return check


# -- autograd's smaller helpers -----------------------------------------------------------

def scalar_close(a, b, rtol=RTOL, atol=ATOL):
    """``|a - b| <= atol + rtol * max(|a|, |b|)``."""
    return _close(float(_onp.real(a)), float(_onp.real(b)), rtol, atol)[0]


def check_equivalent(x, y, rtol=RTOL, atol=ATOL):
    """Assert two trees of arrays are equal within tolerance."""
    lx, ly = tree_flatten(x)[0], tree_flatten(y)[0]
    assert len(lx) == len(ly), "check_equivalent: different structures"
    for a, b in zip(lx, ly):
        _onp.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def check_jvp(f, x, eps=EPS, rtol=RTOL, atol=ATOL, seed=0):
    """Forward mode of ``f`` at ``x`` against central differences (one random direction)."""
    _check_fwd(f, x, _onp.random.default_rng(seed), "argument", 1, eps, rtol, atol)


def check_vjp(f, x, eps=EPS, rtol=RTOL, atol=ATOL, seed=0):
    """Reverse mode of ``f`` at ``x`` against central differences (random directions)."""
    _check_rev(f, x, _onp.random.default_rng(seed), "argument", 1, eps, rtol, atol)
