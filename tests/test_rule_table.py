"""Checks every entry of the rule table (tests/rules/table_*.py), that every
registered primitive and composite has an entry, and that the table executes
every registered rule (each VJP and JVP, per argument).

Nothing is skipped silently: an entry or argument that a check cannot apply
to is a ``pytest.skip`` with its reason.
"""

import contextlib
import functools
import importlib
import pkgutil

import numpy as onp
import pytest

import chainrule
from chainrule import jacfwd, jacobian, jacrev, jvp, vjp
from chainrule.core.tree import tree_flatten, tree_unflatten
from chainrule.numpy import COMPOSITES, PRIMITIVES
from chainrule.test_util import check_grads, numerical_jacobian
from chainrule.transforms import _jvp_engine, _vjp_engine

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
TOL = dict(rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------
# Which registered rules the table executes
# ----------------------------------------------------------------------------

_TABLE_TESTS = ("test_rule_against_finite_differences", "test_vjp_is_transpose_of_jvp",
                "test_batched_jacobians")
_EXECUTED = set()  # (primitive, argnum or "joint" or "value_and_jvp", "rev" or "fwd")
_BATCHED = set()   # the same, executed with a batch of tangents or cotangents
_RAN = set()       # node ids of the table tests that ran in this session
_IN_BATCH = [False]


@contextlib.contextmanager
def _batched():
    """Rules executed inside are counted as run in their batched form."""
    _IN_BATCH[0] = True
    try:
        yield
    finally:
        _IN_BATCH[0] = False


# Registered rules that no table entry can reach, each with its reason (printed
# by test_every_registered_rule_was_executed). Empty: every rule is reachable.
UNREACHABLE = {}


def _registered_rules():
    """Every (primitive, argnum, mode) rule registered, with where it lives:
    ``(key, owner, slot)``, ``owner[slot]`` (a dict) or ``getattr(owner, slot)``."""
    for name, prim in PRIMITIVES.items():
        for mode, table in (("rev", prim.vjps), ("fwd", prim.jvps)):
            for i in table:
                yield (name, i, mode), table, i
        for attr, key in (("vjp_joint", (name, "joint", "rev")),
                          ("jvp_joint", (name, "joint", "fwd")),
                          ("value_and_jvp", (name, "value_and_jvp", "fwd"))):
            if getattr(prim, attr) is not None:
                yield key, prim, attr


def _counting(rule, key, fused):
    @functools.wraps(rule)  # keeps __wrapped__
    def counted(*args, **kwargs):
        out = rule(*args, **kwargs)
        if not fused or out is not None:  # a fused value_and_jvp may decline (None)
            _EXECUTED.add(key)
            if _IN_BATCH[0]:
                _BATCHED.add(key)
        return out
    return counted


@pytest.fixture(scope="module", autouse=True)
def _count_rule_executions():
    """Wrap every registered rule in a counter while this module runs."""
    _import_all_modules()
    restore = []
    for key, owner, slot in list(_registered_rules()):
        is_dict = isinstance(owner, dict)
        rule = owner[slot] if is_dict else getattr(owner, slot)
        wrapped = _counting(rule, key, fused=slot == "value_and_jvp")
        if is_dict:
            owner[slot] = wrapped
        else:
            setattr(owner, slot, wrapped)
        restore.append((owner, slot, rule, is_dict))
    yield
    for owner, slot, rule, is_dict in reversed(restore):
        if is_dict:
            owner[slot] = rule
        else:
            setattr(owner, slot, rule)


@pytest.fixture(autouse=True)
def _record_table_test(request):
    if request.node.originalname in _TABLE_TESTS:
        _RAN.add(request.node.nodeid)


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------

def _materialize(case, k, seed=0):
    rng = onp.random.default_rng(seed)
    args, diff = [], []
    for i, a in enumerate(case.arglists[k]):
        if isinstance(a, Const):
            args.append(a.value)
        else:
            args.append(a(rng))
            diff.append(i)
    assert diff, f"{case.id}: the entry differentiates no argument, so no check would apply"
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


def _leaves(tree):
    return [onp.asarray(v) for v in tree_flatten(tree)[0]]


def _directional_differences(f, x, directions, eps=1e-6):
    """Central differences of every output leaf along each direction:
    one ``(len(directions), *leaf.shape)`` array per leaf."""
    rows = []
    for d in directions:
        hi, lo = _leaves(f(x + eps / 2 * d)), _leaves(f(x - eps / 2 * d))
        rows.append([(h - lo_) / eps for h, lo_ in zip(hi, lo)])
    return [onp.stack(r) for r in zip(*rows)]


def _numerical_jacobians(f, x, eps=1e-6):
    """Finite-difference Jacobian ``leaf.shape + x.shape`` of every output leaf."""
    x = onp.asarray(x)
    n = x.size
    basis = onp.eye(n).reshape((n,) + x.shape)
    cols = _directional_differences(f, x, basis, eps)
    return [onp.moveaxis(c, 0, -1).reshape(c.shape[1:] + x.shape) for c in cols]


def _output_basis(y_leaves):
    """The cotangent basis of the output, as a batch: e_j for every element,
    and i·e_j too for every element of a complex leaf. One ``(M, *leaf.shape)``
    array per leaf, zero outside the leaf's own rows."""
    blocks = []
    for y in y_leaves:
        eye = onp.eye(y.size)
        blocks.append(onp.concatenate([eye, 1j * eye]) if onp.iscomplexobj(y) else eye)
    total = sum(b.shape[0] for b in blocks)
    out, start = [], 0
    for y, b in zip(y_leaves, blocks):
        u = onp.zeros((total, y.size), b.dtype)
        u[start:start + b.shape[0]] = b
        out.append(u.reshape((total,) + y.shape))
        start += b.shape[0]
    return out


def _real_scalar(f, y_leaves, seed=2):
    """s(x) = Σ Re(conj(w) · f(x)) over the output leaves, w random: a real
    scalar function for the second-order checks."""
    rng = onp.random.default_rng(seed)
    ws = [_randn_like(y, rng) for y in y_leaves]
    import chainrule.numpy as cnp

    def s(z):
        total = 0.0
        for y, w in zip(tree_flatten(f(z))[0], ws):
            total = total + cnp.sum(cnp.real(onp.conj(w) * y))
        return total
    return s


# ----------------------------------------------------------------------------
# The table's checks
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("case,k", PARAMS)
def test_rule_against_finite_differences(case, k):
    args, diff = _materialize(case, k)
    kw = {"rtol": case.rtol} if case.rtol else {}
    check_grads(case.fun, modes=case.modes, order=case.order, argnums=diff, **kw)(*args)


@pytest.mark.parametrize("case,k", PARAMS)
def test_vjp_is_transpose_of_jvp(case, k):
    """⟨vjp(u), v⟩ = ⟨u, jvp(v)⟩ for random u and v, argument by argument
    (for several outputs: one u per output, the inner products summed)."""
    if set(case.modes) != {"fwd", "rev"}:
        pytest.skip("entry has one mode only")
    args, diff = _materialize(case, k)
    rng = onp.random.default_rng(1)
    for i in diff:
        f = _partial(case.fun, args, i)
        x = args[i]
        v = _randn_like(x, rng)
        y, jv = jvp(f, (x,), (v,))
        y_leaves, y_spec = tree_flatten(y)
        us = [_randn_like(o, rng) for o in y_leaves]
        _, pb = vjp(f, x)
        (ct,) = pb(tree_unflatten(y_spec, [onp.conj(u) if onp.iscomplexobj(u) else u
                                           for u in us]))
        lhs = onp.real(onp.vdot(onp.ravel(v), onp.conj(onp.ravel(ct))))
        rhs = sum(onp.real(onp.vdot(onp.ravel(u), onp.ravel(t)))
                  for u, t in zip(us, tree_flatten(jv)[0]))
        assert abs(lhs - rhs) <= 1e-8 * (1 + abs(lhs) + abs(rhs)), (i, lhs, rhs)


def _check_real_input(case, f, x, i):
    """jacfwd, jacrev (and, for complex outputs, jacobian) equal the
    finite-difference Jacobian of every output leaf, complex ones included;
    and so does the batched second derivative jacfwd(jacrev(s))."""
    y_leaves = _leaves(f(x))
    num = _numerical_jacobians(f, x)
    modes = [("jacfwd", jacfwd), ("jacrev", jacrev)]
    if any(onp.iscomplexobj(y) for y in y_leaves):
        modes.append(("jacobian", jacobian))  # its choice of mode must not matter
    for name, jac in modes:
        with _batched():
            got = _leaves(jac(f)(x))
        assert len(got) == len(num), name
        for j, (g, n) in enumerate(zip(got, num)):
            assert g.dtype.kind == n.dtype.kind, (name, j, g.dtype, n.dtype)
            onp.testing.assert_allclose(g, n, **TOL, err_msg=f"{name} arg {i} output {j}")
    if case.hessian and case.order >= 2:
        s = _real_scalar(f, y_leaves)
        with _batched():
            h = jacfwd(jacrev(s))(x)
        hnum = numerical_jacobian(lambda z: onp.asarray(jacrev(s)(z)), x)
        onp.testing.assert_allclose(h, hnum, rtol=1e-4, atol=1e-5, err_msg=f"hessian arg {i}")


def _check_complex_input(case, f, x, i):
    """A complex input: the rules' batched forms, directly.

    Forward: the 2n tangents e_k and i·e_k pushed through in one pass equal
    central differences along them. Reverse: the whole cotangent basis (e_j,
    and i·e_j for complex outputs) pulled back in one pass equals the
    pullbacks one vector at a time, and is the transpose of the forward
    pass: Re Σ d_k·vjp(c_r) = Re Σ c_r·jvp(d_k) for every pair. Jacobians
    refuse the input without holomorphic=True; where the function is
    holomorphic (Cauchy-Riemann holds for its tangents), every mode with
    holomorphic=True gives f'(z)."""
    x = onp.asarray(x)
    n = x.size
    dirs = onp.concatenate([onp.eye(n), 1j * onp.eye(n)]).reshape((2 * n,) + x.shape)
    with _batched():
        y, tans = _jvp_engine(f, x, dirs, batch_shape=(2 * n,))
    y_leaves, y_spec = tree_flatten(y)
    y_leaves = [onp.asarray(v) for v in y_leaves]
    tans = _leaves(tans)
    for j, (t, d) in enumerate(zip(tans, _directional_differences(f, x, dirs))):
        onp.testing.assert_allclose(t, d, **TOL, err_msg=f"batched jvp arg {i} output {j}")

    _, pb = _vjp_engine(f, x)
    cts = _output_basis(y_leaves)
    with _batched():
        pulled = onp.asarray(pb(tree_unflatten(y_spec, cts)))
    for r in range(cts[0].shape[0]):
        one = pb(tree_unflatten(y_spec, [c[r] for c in cts]))
        onp.testing.assert_allclose(pulled[r], one, rtol=1e-10, atol=1e-12,
                                    err_msg=f"batched vjp arg {i}, cotangent {r}")
    lhs = onp.real(dirs.reshape(2 * n, -1) @ pulled.reshape(len(pulled), -1).T)
    rhs = sum(onp.real(t.reshape(2 * n, -1) @ c.reshape(len(c), -1).T) for t, c in zip(tans, cts))
    onp.testing.assert_allclose(lhs, rhs, rtol=1e-8, atol=1e-10,
                                err_msg=f"batched vjp is not the transpose of jvp, arg {i}")

    with pytest.raises(TypeError, match="holomorphic=True"):
        jacfwd(f)(x)
    if all(onp.allclose(t[n:], 1j * t[:n], rtol=1e-9, atol=1e-12) for t in tans):
        want = [onp.moveaxis(t[:n], 0, -1).reshape(t.shape[1:] + x.shape) for t in tans]
        for name, jac in (("jacfwd", jacfwd), ("jacrev", jacrev), ("jacobian", jacobian)):
            with _batched():
                got = _leaves(jac(f, holomorphic=True)(x))
            for j, (g, w) in enumerate(zip(got, want)):
                onp.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12,
                                            err_msg=f"{name}(holomorphic=True) arg {i} out {j}")

    if case.hessian and case.order >= 2:
        # second order, batched: the 2n tangents through the gradient of a real scalar
        s = _real_scalar(f, y_leaves)

        def grad_s(z):
            return _vjp_engine(s, z)[1](1.0)
        with _batched():
            _, h = _jvp_engine(grad_s, x, dirs, batch_shape=(2 * n,))
        (hnum,) = _directional_differences(grad_s, x, dirs)
        onp.testing.assert_allclose(h, hnum, rtol=1e-4, atol=1e-5,
                                    err_msg=f"batched second derivative arg {i}")


@pytest.mark.parametrize("case,k", PARAMS)
def test_batched_jacobians(case, k):
    """Batched tangents and cotangents through every rule: for real inputs,
    jacfwd pushes all basis tangents at once and jacrev pulls all basis
    cotangents at once, and both (and the batched second derivative
    jacfwd(jacrev(.))) equal finite differences, complex outputs and several
    outputs included; for complex inputs, see _check_complex_input."""
    if not case.jac:
        pytest.skip("entry opts out of batched Jacobians")
    if set(case.modes) != {"fwd", "rev"}:
        pytest.skip("entry has one mode only")
    args, diff = _materialize(case, k)
    for i in diff:
        f = _partial(case.fun, args, i)
        if onp.iscomplexobj(args[i]):
            _check_complex_input(case, f, args[i], i)
        else:
            _check_real_input(case, f, args[i], i)


_SINGLE = {onp.dtype(onp.float64): onp.float32, onp.dtype(onp.complex128): onp.complex64}


def _in_precision(v, single):
    """``v`` with its float64/complex128 arrays (and NumPy scalars) in single precision
    when ``single``; Python numbers, integer and boolean arrays as they are."""
    if single and isinstance(v, (onp.ndarray, onp.generic)) and v.dtype in _SINGLE:
        return v.astype(_SINGLE[v.dtype])
    return v


def _like(x, rng):
    """A random value of ``x``'s shape and dtype (complex where ``x`` is)."""
    x = onp.asarray(x)
    return onp.asarray(_randn_like(x, rng)).astype(x.dtype)


def _inexact(y):
    return onp.issubdtype(onp.asarray(y).dtype, onp.inexact)


# Entries the dtype check does not yet hold for, each with its reason: skipped loudly.
# Empty: every entry holds in float64 and float32. Keys: (case id, "float64" or "float32").
DTYPE_GAPS = {}


@pytest.mark.parametrize("single", [False, True], ids=["float64", "float32"])
@pytest.mark.parametrize("case,k", PARAMS)
def test_tangent_and_cotangent_dtypes(case, k, single):
    """The dtype rule, for every entry in double and in single precision (every
    float64/complex128 argument, constants included, made float32/complex64): a tangent
    has the dtype of the primal output it belongs to (jvp), a cotangent that of the
    primal input (vjp), complex where that value is complex and real where it is real
    (|z| has real tangents, a real input of a complex function real cotangents); the
    gradient of a real scalar of the input and its Hessian-vector product (jvp of the
    gradient) have the input's dtype too. Outputs that are not inexact (integers,
    booleans) carry no derivative and are not checked."""
    gap = DTYPE_GAPS.get((case.id, "float32" if single else "float64"))
    if gap:
        pytest.skip(f"known dtype gap: {gap}")
    args, diff = _materialize(case, k)
    args = [_in_precision(a, single) for a in args]
    rng = onp.random.default_rng(3)
    for i in diff:
        f = _partial(case.fun, args, i)
        x = args[i]
        xdt = onp.asarray(x).dtype
        v = _like(x, rng)
        if "fwd" in case.modes:
            y, t = jvp(f, (x,), (v,))
            for j, (yl, tl) in enumerate(zip(_leaves(y), _leaves(t))):
                if _inexact(yl):
                    assert tl.dtype == yl.dtype, (f"jvp arg {i} output {j}: tangent {tl.dtype}"
                                                  f" for an output of {yl.dtype}")
        else:
            y = f(x)
        y_leaves, y_spec = tree_flatten(y)
        y_leaves = [onp.asarray(o) for o in y_leaves]
        if "rev" in case.modes:
            _, pb = vjp(f, x)
            (ct,) = (pb(tree_unflatten(y_spec, [_like(o, rng) if _inexact(o) else
                                                onp.zeros(o.shape) for o in y_leaves])),)
            ct = onp.asarray(ct)
            assert ct.dtype == xdt, f"vjp arg {i}: cotangent {ct.dtype} for an input of {xdt}"
        if case.order >= 2 and case.hessian and set(case.modes) == {"fwd", "rev"} \
                and all(_inexact(o) for o in y_leaves):
            ws = [_like(o, rng) for o in y_leaves]

            def s(z):
                total = 0.0
                for yl, w in zip(tree_flatten(f(z))[0], ws):
                    total = total + chainrule.numpy.sum(chainrule.numpy.real(onp.conj(w) * yl))
                return total
            g = onp.asarray(chainrule.grad(s)(x))
            assert g.dtype == xdt, f"grad arg {i}: {g.dtype} for an input of {xdt}"
            _, hv = jvp(chainrule.grad(s), (x,), (v,))
            hv = onp.asarray(hv)
            assert hv.dtype == xdt, f"hvp arg {i}: {hv.dtype} for an input of {xdt}"


# ----------------------------------------------------------------------------
# Completeness
# ----------------------------------------------------------------------------

def test_every_rule_has_a_table_entry():
    _import_all_modules()
    covered = {name for c in CASES for name in c.covers}
    missing = sorted((set(PRIMITIVES) | set(COMPOSITES)) - covered)
    assert not missing, f"registered without a rule-table entry: {missing}"


def test_every_registered_rule_was_executed(request):
    """Every registered rule (each primitive's VJP and JVP per argument, its
    joint rules and fused value_and_jvp) ran at least once in the table above.
    Must stay the last test of this module."""
    expected = len(_TABLE_TESTS) * len(PARAMS)
    if len(_RAN) < expected:
        pytest.skip(f"only {len(_RAN)} of the {expected} rule-table tests ran in this session "
                    "(-k or a selection): rule coverage needs the whole table")
    if request.session.testsfailed:
        pytest.skip(f"{request.session.testsfailed} test(s) failed before this one: a failing "
                    "check stops before the rules after it, so coverage would be misleading")
    for key, reason in sorted(UNREACHABLE.items(), key=str):
        print(f"not reachable from the table: {key}: {reason}")
    registered = {key for key, _, _ in _registered_rules()}
    missing = sorted(registered - _EXECUTED - set(UNREACHABLE), key=str)
    assert not missing, (f"{len(missing)} registered rules never executed by the rule table "
                         f"(primitive, argnum, mode): {missing}")
    unbatched = sorted(registered - _BATCHED - set(UNREACHABLE), key=str)
    assert not unbatched, (f"{len(unbatched)} registered rules never executed with a batch of "
                           f"tangents or cotangents (test_batched_jacobians): {unbatched}")
