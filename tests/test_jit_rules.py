"""The whole rule table through ``chainrule.jit``: every entry's VJP, JVP and batched
Jacobians (and, where the table checks them, batched second derivatives), recorded
once and replayed on *new* values, equal the eager results bit for bit.

For each entry and differentiated argument the jitted function is called three
times: on the table's values (the recording call), on the same values again (a
replay) and on values drawn from another seed (a replay on new values, or a new
recording where a guard saw a different branch). Each result is compared with an
eager call on the same values: same dtype, same shape, the same bits (NaN equal
to NaN).
"""

import numpy as onp
import pytest

from chainrule import jacfwd, jacrev, jit, jvp, vjp
from chainrule.core.tree import tree_flatten, tree_unflatten

from .rules import Const
from .test_rule_table import CASES, _materialize, _partial, _randn_like


def _leaves(tree):
    return tree_flatten(tree)[0]


def assert_bitwise(got, want, what):
    g, w = _leaves(got), _leaves(want)
    assert len(g) == len(w), f"{what}: {len(g)} outputs, eager {len(w)}"
    for k, (a, b) in enumerate(zip(g, w)):
        assert type(a) is type(b), f"{what} output {k}: {type(a)} vs eager {type(b)}"
        a, b = onp.asarray(a), onp.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, \
            f"{what} output {k}: {a.dtype}{a.shape} vs eager {b.dtype}{b.shape}"
        assert onp.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), \
            f"{what} output {k}: not bitwise equal (max diff {onp.max(onp.abs(a - b))})"


def _check(name, fn, arg_sets):
    """``jit(fn)`` on each argument set (record, replay, replay on new values) equals
    ``fn`` on the same set, bit for bit."""
    j = jit(fn)
    for k, args in enumerate(arg_sets):
        want = fn(*args)
        got = j(*args)
        assert_bitwise(got, want, f"{name} (call {k + 1})")
    # the second call (the same values) must have replayed the recorded program
    assert j.replays >= 1, f"{name}: never replayed ({j.recordings} recordings)"
    return j


def _fresh_args(case, k, seed):
    """The entry's argument list drawn from ``seed`` (constants unchanged)."""
    return _materialize(case, k, seed=seed)[0]


PARAMS = [pytest.param(c, k, id=f"{c.id}-{k}") for c in CASES for k in range(len(c.arglists))]


def _splitter(case, k):
    """``(positions of the generated arguments, rebuild)``: the jitted functions take the
    generated (non-constant) arguments; the table's constants (axes, index tuples, shapes)
    stay in the closure, as a user's would."""
    al = case.arglists[k]
    gen = [j for j, a in enumerate(al) if not isinstance(a, Const)]

    def rebuild(vals):
        out = [a.value if isinstance(a, Const) else None for a in al]
        for j, v in zip(gen, vals):
            out[j] = v
        return out
    return gen, rebuild


@pytest.mark.parametrize("case,k", PARAMS)
def test_rule_table_through_jit(case, k):
    args, diff = _materialize(case, k)
    args1 = _fresh_args(case, k, seed=5)
    gen, rebuild = _splitter(case, k)
    g0, g1 = [args[j] for j in gen], [args1[j] for j in gen]
    rng = onp.random.default_rng(3)
    _check(f"{case.id} forward", lambda *a: case.fun(*rebuild(a)), [g0, g0, g1])
    for i in diff:
        x0, x1 = args[i], args1[i]
        y_leaves, y_spec = tree_flatten(case.fun(*args))

        def cotangent(a):  # for the output at the arguments a (its shape may depend on them)
            leaves, spec = tree_flatten(case.fun(*a))
            r = onp.random.default_rng(4)
            return tree_unflatten(spec, [onp.conj(e) if onp.iscomplexobj(e) else e
                                         for e in (_randn_like(o, r) for o in leaves)])
        u, u1 = cotangent(args), cotangent(args1)
        v = _randn_like(x0, rng)

        def f_of(x, g, i=i):
            # the entry as a function of argument i, the other generated ones from g
            return _partial(case.fun, rebuild(g), i)

        if "rev" in case.modes:
            def pull(x, u, *g):
                out, pb = vjp(f_of(x, g), x)
                return out, pb(u)
            _check(f"{case.id} vjp arg {i}", pull, [(x0, u, *g0), (x0, u, *g0), (x1, u1, *g1)])
        if "fwd" in case.modes:
            def push(x, t, *g):
                return jvp(f_of(x, g), (x,), (t,))
            _check(f"{case.id} jvp arg {i}", push, [(x0, v, *g0), (x0, v, *g0), (x1, v, *g1)])
        if case.jac and set(case.modes) == {"fwd", "rev"} and not onp.iscomplexobj(x0):
            for name, jac in (("jacfwd", jacfwd), ("jacrev", jacrev)):
                def J(x, *g, jac=jac):
                    return jac(f_of(x, g))(x)
                _check(f"{case.id} {name} arg {i}", J, [(x0, *g0), (x0, *g0), (x1, *g1)])
            if case.hessian and case.order >= 2:
                def H(x, *g):
                    import chainrule.numpy as cnp
                    f = f_of(x, g)

                    def s(z):
                        total = 0.0
                        r = onp.random.default_rng(2)  # weights of the output's shape
                        for yy in tree_flatten(f(z))[0]:
                            ww = _randn_like(onp.empty(yy.shape, yy.dtype), r)
                            total = total + cnp.sum(cnp.real(onp.conj(ww) * yy))
                        return total
                    return jacfwd(jacrev(s))(x)
                _check(f"{case.id} hessian arg {i}", H, [(x0, *g0), (x0, *g0), (x1, *g1)])


def test_the_table_has_constants_and_entries():
    # the sweep above covers every entry of the rule table
    assert len(PARAMS) > 400
    assert any(isinstance(a, Const) for c in CASES for al in c.arglists for a in al)
