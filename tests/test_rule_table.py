"""Checks every entry of the rule table (tests/rules/table_*.py), and that
every registered primitive and composite has an entry."""

import importlib
import pkgutil

import numpy as onp
import pytest

import chainrule
from chainrule import jacfwd, jacrev, jvp, vjp
from chainrule.numpy import COMPOSITES, PRIMITIVES
from chainrule.test_util import check_grads, numerical_jacobian

from . import rules
from .rules import Const


def _load_cases():
    cases = []
    for mod in pkgutil.iter_modules(rules.__path__):
        if mod.name.startswith("table_"):
            cases.extend(importlib.import_module(f"{rules.__name__}.{mod.name}").CASES)
    return cases


def _import_all_modules():
    # Every registry entry lives in some chainrule module; import them all.
    for mod in pkgutil.walk_packages(chainrule.__path__, "chainrule."):
        try:
            importlib.import_module(mod.name)
        except ImportError:
            pass


CASES = _load_cases()
PARAMS = [pytest.param(c, k, id=f"{c.id}-{k}") for c in CASES for k in range(len(c.arglists))]


def _materialize(case, k, seed=0):
    rng = onp.random.default_rng(seed)
    args, diff = [], []
    for i, a in enumerate(case.arglists[k]):
        if isinstance(a, Const):
            args.append(a.value)
        else:
            args.append(a(rng))
            diff.append(i)
    return args, diff


def _partial(fun, args, i):
    def f(x):
        a = list(args)
        a[i] = x
        return fun(*a)
    return f


def _randn_like(x, rng):
    x = onp.asarray(x)
    r = rng.standard_normal(x.shape)
    return r + 1j * rng.standard_normal(x.shape) if onp.iscomplexobj(x) else r


@pytest.mark.parametrize("case,k", PARAMS)
def test_rule_against_finite_differences(case, k):
    args, diff = _materialize(case, k)
    kw = {"rtol": case.rtol} if case.rtol else {}
    check_grads(case.fun, modes=case.modes, order=case.order, argnums=diff, **kw)(*args)


@pytest.mark.parametrize("case,k", PARAMS)
def test_vjp_is_transpose_of_jvp(case, k):
    """⟨vjp(u), v⟩ = ⟨u, jvp(v)⟩ for random u and v, argument by argument."""
    if set(case.modes) != {"fwd", "rev"}:
        pytest.skip("entry has one mode only")
    args, diff = _materialize(case, k)
    rng = onp.random.default_rng(1)
    for i in diff:
        f = _partial(case.fun, args, i)
        x = args[i]
        v = _randn_like(x, rng)
        y, jv = jvp(f, (x,), (v,))
        if isinstance(y, (tuple, list)):
            continue
        u = _randn_like(y, rng)
        _, pb = vjp(f, x)
        (ct,) = pb(onp.conj(u) if onp.iscomplexobj(u) else u)
        lhs = onp.real(onp.vdot(onp.ravel(v), onp.conj(onp.ravel(ct))))
        rhs = onp.real(onp.vdot(onp.ravel(u), onp.ravel(jv)))
        assert abs(lhs - rhs) <= 1e-8 * (1 + abs(lhs) + abs(rhs)), (i, lhs, rhs)


@pytest.mark.parametrize("case,k", PARAMS)
def test_batched_jacobians(case, k):
    """jacfwd pushes all basis tangents at once, jacrev pulls all basis
    cotangents at once: both must equal the finite-difference Jacobian, and
    so must the batched second derivative jacfwd(jacrev(.))."""
    if not case.jac or set(case.modes) != {"fwd", "rev"}:
        pytest.skip("entry opts out of batched Jacobians")
    args, diff = _materialize(case, k)
    for i in diff:
        x = args[i]
        if onp.iscomplexobj(x) or onp.ndim(x) == 0 and not isinstance(x, onp.ndarray):
            continue
        f = _partial(case.fun, args, i)
        y = f(x)
        if isinstance(y, (tuple, list)) or onp.iscomplexobj(y):
            continue
        num = numerical_jacobian(f, x)
        tol = dict(rtol=1e-5, atol=1e-6)
        onp.testing.assert_allclose(jacfwd(f)(x), num, **tol, err_msg=f"jacfwd arg {i}")
        onp.testing.assert_allclose(jacrev(f)(x), num, **tol, err_msg=f"jacrev arg {i}")
        if case.hessian and case.order >= 2:
            w = onp.random.default_rng(2).standard_normal(onp.shape(y))
            import chainrule.numpy as cnp

            def s(z):
                return cnp.sum(f(z) * w)
            h = jacfwd(jacrev(s))(x)
            hnum = numerical_jacobian(lambda z: onp.asarray(jacrev(s)(z)), x)
            onp.testing.assert_allclose(h, hnum, rtol=1e-4, atol=1e-5,
                                        err_msg=f"hessian arg {i}")


def test_every_rule_has_a_table_entry():
    _import_all_modules()
    covered = {name for c in CASES for name in c.covers}
    missing = sorted((set(PRIMITIVES) | set(COMPOSITES)) - covered)
    assert not missing, f"registered without a rule-table entry: {missing}"
