"""Rules call the array's own module: the core, linalg, fft and extra rule-table
entries, and those of chainrule.scipy's NumPy-written functions, run on the fake
CuPy of tests/fakecupy.py give fake arrays equal to the NumPy run, in both modes
and (once per entry) as batched Jacobians.

fakecupy refuses ``numpy.asarray`` of its arrays and NumPy array operands, as
CuPy does, so a rule that builds a NumPy array (``np.zeros``, ``np.asarray``,
a NumPy mask) and mixes it into the array's computation fails here.
"""

import numpy as onp
import pytest

import chainrule
from chainrule.numpy._wrap import array_module, scatter_add

from . import fakecupy as xp
from .rules import Const, table_core, table_extra, table_fft, table_linalg, table_scipy

# Entries that cannot run on an array module other than NumPy, by id (all
# argument lists) or "id-k" (one), with the reason. All of them are test
# artifacts: the entry's function mixes a NumPy constant array (built inside
# its lambda, so the test cannot move it) into the computation, which CuPy
# refuses as well. The rules they cover run here through other entries
# (where-traced-cond, the clip entries with scalar bounds, the einsum entries...;
# interp, polyfit and cov without the constants).
_NUMPY_CONST = "the entry's function mixes a NumPy constant array into the computation"
SKIP = {
    "numpy.where": _NUMPY_CONST + " (a NumPy condition)",
    "where-cond-broadcast": _NUMPY_CONST + " (a NumPy condition)",
    "where-complex": _NUMPY_CONST + " (a NumPy condition)",
    "numpy.select": _NUMPY_CONST + " (NumPy conditions)",
    "select-default": _NUMPY_CONST + " (a NumPy condition)",
    "clip-array-bounds": _NUMPY_CONST + " (NumPy bounds)",
    "clip-broadcast-bound": _NUMPY_CONST + " (a NumPy bound)",
    **{f"{n}-where": _NUMPY_CONST + " (a NumPy where= mask)"
       for n in ["sum", "prod", "max", "min", "mean", "var", "std", "nansum", "nanmean"]},
    "numpy.trim_zeros": _NUMPY_CONST + " (x * a NumPy mask)",
    "trim_zeros-f": _NUMPY_CONST + " (x * a NumPy mask)",
    "trim_zeros-b": _NUMPY_CONST + " (x * a NumPy mask)",
    "concatenate-const": _NUMPY_CONST + " (onp.ones joined to x)",
    "matmul-rmatmul": _NUMPY_CONST + " (onp.ones @ x)",
    "einsum-const": _NUMPY_CONST + " (an onp.ones operand)",
    "einsum-real-complex": _NUMPY_CONST + " (a NumPy operand)",
    "extra.interp.left-right": _NUMPY_CONST + " (NumPy knots _knots)",
    "extra.interp.period": _NUMPY_CONST + " (NumPy knots _knots)",
    "extra.interp.complex": _NUMPY_CONST + " (NumPy x and knots)",
    "extra.polyfit.w": _NUMPY_CONST + " (NumPy sample points _x)",
    "extra.polyfit.cov": _NUMPY_CONST + " (NumPy sample points _x)",
    "extra.polyfit.full": _NUMPY_CONST + " (NumPy sample points _x)",
    "extra.cov.weights": _NUMPY_CONST + " (NumPy fweights)",
    "extra.quantile.weights": _NUMPY_CONST + " (NumPy weights)",
}


# chainrule.scipy functions written with NumPy (the ones a network needs); the
# others call SciPy itself, whose GPU counterparts live in cupyx.scipy: not ported.
_SCIPY_IN_NUMPY = {"scipy.special." + n for n in (
    "logsumexp", "softmax", "log_softmax", "expit", "logit", "log_expit", "softplus",
    "xlogy", "xlog1py", "entr")}


def _cases():
    scipy = [c for c in table_scipy.CASES if set(c.covers) <= _SCIPY_IN_NUMPY]
    return (*table_core.CASES, *table_linalg.CASES, *table_fft.CASES, *table_extra.CASES,
            *scipy)


def _params():
    out = []
    for c in _cases():
        for k in range(len(c.arglists)):
            reason = SKIP.get(c.id) or SKIP.get(f"{c.id}-{k}")
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            out.append(pytest.param(c, k, id=f"{c.id}-{k}", marks=marks))
    return out


def _fake(v):
    return xp.asarray(v) if isinstance(v, onp.ndarray) else v


def _plain(v):
    return xp.asnumpy(v) if type(v) is xp.ndarray else v


def _randn_like(x, rng):
    s = onp.shape(_plain(x))
    r = rng.standard_normal(s)
    r = r + 1j * rng.standard_normal(s) if onp.iscomplexobj(_plain(x)) else r
    return onp.asarray(r)  # 0-d complex arithmetic gives a NumPy scalar


def _leaves(v):
    return [w for u in v for w in _leaves(u)] if isinstance(v, (tuple, list)) else [v]


def _check_same(got, want, what):
    """``got`` (fake run) is a fake array equal to ``want`` (NumPy run); a
    scalar is fine where NumPy gives a scalar."""
    got, want = _leaves(got), _leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        if isinstance(w, onp.ndarray):
            assert type(g) is xp.ndarray, f"{what}: {type(g).__name__} instead of a fake array"
        else:
            assert type(g) is xp.ndarray or not isinstance(g, onp.ndarray), \
                f"{what}: a NumPy array where NumPy gives a scalar"
        onp.testing.assert_allclose(_plain(g), w, rtol=1e-10, atol=1e-14, err_msg=what)


def _args(case, k):
    """NumPy arguments, fake arguments, and the differentiated positions."""
    rng = onp.random.default_rng(0)
    args, fargs, diff = [], [], []
    for i, a in enumerate(case.arglists[k]):
        if isinstance(a, Const):
            v = a.value
            args.append(v)
            # a constant array would live on the device too
            fargs.append(_fake(v) if isinstance(v, onp.ndarray) and v.ndim else v)
        else:
            v = a(rng)
            args.append(v)
            fargs.append(_fake(v))
            diff.append(i)
    return args, fargs, diff


def _of_diff(fun, args, diff):
    def f(*xs):
        a = list(args)
        for i, x in zip(diff, xs):
            a[i] = x
        return fun(*a)
    return f


@pytest.mark.parametrize("case,k", _params())
def test_rule_on_fake_cupy(case, k):
    args, fargs, diff = _args(case, k)
    want = case.fun(*args)
    got = case.fun(*fargs)
    _check_same(got, want, "value")
    if not diff:
        return

    rng = onp.random.default_rng(1)
    f, ff = _of_diff(case.fun, args, diff), _of_diff(case.fun, fargs, diff)
    xs, fxs = [args[i] for i in diff], [fargs[i] for i in diff]

    if "rev" in case.modes:
        u = [_randn_like(o, rng) for o in _leaves(want)]
        fu = [_fake(c) for c in u]
        unflat = (lambda c: c[0]) if not isinstance(want, (tuple, list)) else tuple
        _, pb = chainrule.vjp(f, *xs)
        _, fpb = chainrule.vjp(ff, *fxs)
        _check_same(fpb(unflat(fu)), pb(unflat(u)), "vjp")

    if "fwd" in case.modes:
        t = [_randn_like(x, rng) for x in xs]
        _, jv = chainrule.jvp(f, xs, t)
        _, fjv = chainrule.jvp(ff, fxs, [_fake(v) for v in t])
        _check_same(fjv, jv, "jvp")

    if k == 0 and case.jac and not any(onp.iscomplexobj(x) for x in xs):
        # Batched Jacobians: the identity seed, and every constant a rule builds for
        # it, must be on the device too.
        for jac, mode in ((chainrule.jacfwd, "fwd"), (chainrule.jacrev, "rev")):
            if mode in case.modes:
                _check_same(jac(case.fun, argnums=tuple(diff))(*fargs),
                            jac(case.fun, argnums=tuple(diff))(*args), jac.__name__)


def test_array_module_and_scatter_add():
    a = xp.zeros((3, 2))
    assert array_module(a) is xp
    assert array_module(onp.zeros(2)) is onp
    assert array_module(onp.float64(1.0)) is onp
    assert array_module(1.5) is onp
    scatter_add(a, (onp.array([0, 2, 0]),), xp.ones((3, 2)))
    onp.testing.assert_array_equal(xp.asnumpy(a), [[2, 2], [0, 0], [1, 1]])


def test_fake_is_strict():
    a = xp.ones(3)
    with pytest.raises(TypeError, match="Implicit conversion"):
        onp.asarray(a)
    with pytest.raises(TypeError):
        a + onp.ones(3)
    assert type(a + onp.float64(2.0)) is xp.ndarray
    assert type(onp.sum(a)) is xp.ndarray  # 0-d, as in CuPy
    assert type(xp.exp(a)) is xp.ndarray
