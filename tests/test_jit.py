"""chainrule.jit: what a replay must get right (the signature guard, Python escapes,
randomness, captured constants, state, outputs, exceptions, threads), bit-for-bit
equality with eager calls through every transform, and the program table.

The whole rule table through jit is tests/test_jit_rules.py.
"""

import threading

import numpy as onp
import pytest

import chainrule
import chainrule.numpy as np
from chainrule import (JitError, JitEscapeError, StaleProgramError, grad, hessian, hvp, jacfwd,
                       jacrev, jit, jvp, nn, value_and_grad, vjp)
from chainrule.core.tree import tree_flatten

rng = onp.random.default_rng(0)


def assert_bitwise(got, want):
    g, w = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(g) == len(w)
    for a, b in zip(g, w):
        assert type(a) is type(b), (type(a), type(b))
        a, b = onp.asarray(a), onp.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
        assert onp.array_equal(a, b, equal_nan=True), onp.max(onp.abs(a - b))


def loss(W, V, X, Y):
    H = np.tanh(X @ V.T)
    S = H @ W.T
    return np.mean(nn.logsumexp(S) - np.sum(Y * S, axis=1))


def mlp_data(n=20, d=3, m=5, c=4, seed=0):
    r = onp.random.default_rng(seed)
    return (r.standard_normal((c, m)), r.standard_normal((m, d)), r.standard_normal((n, d)),
            onp.eye(c)[r.integers(0, c, n)])


# ----------------------------------------------------------------------------
# The issue's example, and replays equal eager calls
# ----------------------------------------------------------------------------

def test_the_issue_example_records_once_and_replays_bitwise():
    step = jit(value_and_grad(loss, argnums=(0, 1)))
    eager = value_and_grad(loss, argnums=(0, 1))
    W, V, X, Y = mlp_data()
    for k in range(5):
        W2, V2 = W + 0.1 * k, V - 0.05 * k  # new values, same signature
        assert_bitwise(step(W2, V2, X, Y), eager(W2, V2, X, Y))
    assert step.recordings == 1 and step.replays == 4
    text = str(step.program(W, V, X, Y))
    assert "a1 = W" in text and "a4 = Y" in text and "matmul" in text
    assert "def replay(a0, a1, a2, a3):" in step.program(W, V, X, Y).source


def test_optimize_false_replays_every_recorded_call_with_the_same_results():
    W, V, X, Y = mlp_data()
    eager = value_and_grad(loss, argnums=(0, 1))
    plain, opt = jit(eager, optimize=False), jit(eager)
    for k in range(3):
        args = (W + k, V, X, Y)
        assert_bitwise(plain(*args), eager(*args))
        assert_bitwise(opt(*args), eager(*args))
    p = plain.program(W, V, X, Y)
    assert len(p.kept) == len(p.ops)        # every recorded NumPy call, in order

    def twice(x):  # exp(x) twice, and a value nothing reads
        unused = np.cos(x)  # noqa: F841
        return np.sum(np.exp(x)) + np.sum(np.exp(x) * 2.0)
    x = rng.standard_normal(4)
    for make in (lambda f: f, grad):
        e, jo, jp = make(twice), jit(make(twice)), jit(make(twice), optimize=False)
        assert_bitwise(jo(x), e(x))
        assert_bitwise(jp(x), e(x))
        o = jo.program(x)
        assert len(o.kept) < len(o.ops)     # the cos and the second exp are gone


def test_training_loop_matches_eager_bitwise():
    W, V, X, Y = mlp_data()
    step, eager = jit(value_and_grad(loss, argnums=(0, 1))), value_and_grad(loss, argnums=(0, 1))
    p_j, p_e = (W, V), (W, V)
    for _ in range(30):
        (_, (gW, gV)), (_, (eW, eV)) = step(*p_j, X, Y), eager(*p_e, X, Y)
        p_j = (p_j[0] - 0.1 * gW, p_j[1] - 0.1 * gV)
        p_e = (p_e[0] - 0.1 * eW, p_e[1] - 0.1 * eV)
    assert_bitwise(p_j, p_e)


def f_scalar(x, y):
    return np.sum(np.sin(x) * y ** 2) + np.prod(np.cos(x[:2]))


@pytest.mark.parametrize("make", [
    lambda f: grad(f), lambda f: grad(f, argnums=(0, 1)), lambda f: value_and_grad(f),
    lambda f: jacfwd(f), lambda f: jacrev(f, argnums=(0, 1)), lambda f: hessian(f),
    lambda f: (lambda x, y: jvp(lambda a: f(a, y), (x,), (onp.ones_like(x),))),
    lambda f: (lambda x, y: hvp(f)(x, y, onp.arange(3.0))),
    lambda f: (lambda x, y: jacfwd(jacrev(f))(x, y)),
    lambda f: f,
], ids=["grad", "grad-argnums", "value_and_grad", "jacfwd", "jacrev", "hessian", "jvp", "hvp",
        "jacfwd-jacrev", "plain"])
def test_every_transform_under_jit_equals_eager(make):
    g = make(f_scalar)
    j = jit(g)
    for seed in range(3):
        r = onp.random.default_rng(seed)
        x, y = r.standard_normal(3), r.standard_normal(3)
        assert_bitwise(j(x, y), g(x, y))
    assert j.recordings == 1


def test_jit_of_a_pullback():
    x = rng.standard_normal(4)
    _, pb = vjp(lambda x: np.tanh(x) * x, x)
    jpb = jit(pb)
    for seed in range(3):
        ct = onp.random.default_rng(seed).standard_normal(4)
        assert_bitwise(jpb(ct), pb(ct))
    assert jpb.replays == 2


def test_jit_as_a_decorator_with_options():
    @jit
    def f(x):
        return np.exp(x) - 1.0

    @jit(static_argnums=1)
    def g(x, n):
        for _ in range(n):
            x = np.sin(x)
        return x

    x = rng.standard_normal(3)
    assert_bitwise(f(x), onp.exp(x) - 1.0)
    assert_bitwise(g(x, 3), onp.sin(onp.sin(onp.sin(x))))
    assert_bitwise(g(x, 1), onp.sin(x))
    assert g.recordings == 2


def test_grad_of_jit_is_traced_through():
    # jit steps aside for traced arguments: the transform sees f itself
    f = jit(lambda x: np.sum(np.sin(x) ** 2))
    x = rng.standard_normal(3)
    assert_bitwise(grad(f)(x), grad(lambda x: np.sum(np.sin(x) ** 2))(x))
    assert_bitwise(jit(grad(f))(x), grad(lambda x: np.sum(np.sin(x) ** 2))(x))
    assert jit(f) is f  # jit of a jitted function is that function
    outer = jit(lambda x: f(x) * 2.0)  # a jitted function inside a recording
    assert_bitwise(outer(x), f(x) * 2.0)
    assert_bitwise(outer(x + 1), f(x + 1) * 2.0)


# ----------------------------------------------------------------------------
# The signature guard
# ----------------------------------------------------------------------------

def _counted(fun):
    calls = []

    def f(*a, **k):
        calls.append(1)
        return fun(*a, **k)
    return jit(f), calls


def test_a_new_shape_records_a_new_program():
    j, calls = _counted(lambda x: np.sum(x * x, axis=0))
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    assert_bitwise(j(a), onp.sum(a * a, axis=0))
    assert_bitwise(j(b), onp.sum(b * b, axis=0))
    assert_bitwise(j(a), onp.sum(a * a, axis=0))
    assert len(calls) == 2 and j.recordings == 2 and j.replays == 1


def test_a_new_dtype_records_a_new_program():
    j = jit(value_and_grad(lambda x: np.sum(np.tanh(x))))
    x64 = rng.standard_normal(5)
    x32 = x64.astype(onp.float32)
    r64, r32 = j(x64), j(x32)
    assert r32[1].dtype == onp.float32 and r64[1].dtype == onp.float64
    assert_bitwise(j(x32), value_and_grad(lambda x: np.sum(np.tanh(x)))(x32))
    assert j.recordings == 2


def test_the_layout_is_part_of_the_signature():
    # x @ W.T takes another rule path (and BLAS call) for a transposed W
    j = jit(grad(lambda W, x: np.sum(np.tanh(x @ W))))
    W, x = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    Wt = onp.asfortranarray(W)
    assert_bitwise(j(W, x), grad(lambda W, x: np.sum(np.tanh(x @ W)))(W, x))
    assert_bitwise(j(Wt, x), grad(lambda W, x: np.sum(np.tanh(x @ W)))(Wt, x))
    assert j.recordings == 2


def test_a_dict_with_another_key_records_a_new_program():
    j = jit(grad(lambda p: np.sum(p["w"] * 2.0) + sum(np.sum(v) for k, v in p.items()
                                                      if k != "w")))
    w = rng.standard_normal(3)
    g1 = j({"w": w, "b": w})
    g2 = j({"w": w, "c": w})
    assert sorted(g1) == ["b", "w"] and sorted(g2) == ["c", "w"]
    j({"w": w, "b": w})
    assert j.recordings == 2 and j.replays == 1


def test_a_python_float_argument_that_changes_records_a_new_program():
    j, calls = _counted(lambda x, c: x * c + c)
    x = rng.standard_normal(3)
    for c in (0.5, 1.5, 0.5, -0.0, 0.0):
        assert_bitwise(j(x, c), x * c + c)
    assert len(calls) == 4  # 0.5 replayed; 0.0 and -0.0 are told apart
    assert j.recordings == 4


def test_ints_and_floats_and_strings_are_values():
    j, calls = _counted(lambda x, n, act: x * n if act == "lin" else np.tanh(x) * n)
    x = rng.standard_normal(3)
    assert_bitwise(j(x, 2, "lin"), x * 2)
    assert_bitwise(j(x, 2.0, "lin"), x * 2.0)  # 2 and 2.0 differ (int vs float)
    assert_bitwise(j(x, 2, "tanh"), onp.tanh(x) * 2)
    assert len(calls) == 3


def test_the_cache_is_bounded():
    j = jit(lambda x: x + 1.0, cache_size=2)
    for n in (1, 2, 3, 1):
        assert_bitwise(j(onp.zeros(n)), onp.ones(n))
    assert j.recordings == 4  # shape 1 was evicted by shape 3
    assert len(j._cache) == 2
    lru = jit(lambda x: x + 1.0, cache_size=2)
    for n in (1, 2, 1, 3, 1):  # 1 used again after 2: shape 3 evicts 2, the least recent
        lru(onp.zeros(n))
    assert lru.recordings == 3


def test_unhashable_arguments_say_so():
    j = jit(lambda x, opts: x)
    with pytest.raises(TypeError, match="hashable"):
        j(onp.ones(2), [set()])


# ----------------------------------------------------------------------------
# Python escapes
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("body, what", [
    (lambda x: x if np.sum(x) > 0 else -x, "bool()"),
    (lambda x: x * float(np.sum(x)), "float()"),
    (lambda x: x * int(np.argmax(x)), "int()"),
    (lambda x: x * np.sum(x).item(), ".item()"),
    (lambda x: x * len([v for v in np.sum(x, keepdims=True).tolist()]), ".tolist()"),
    (lambda x: x if np.any(x > 1) else 2 * x, "bool()"),
    (lambda x: x if np.allclose(x, 0) else 2 * x, "allclose"),
    (lambda x: x[: int(np.sum(x > 0))], "int()"),
], ids=["if", "float", "int-index", "item", "tolist", "np.any", "allclose", "slice"])
def test_python_escapes_raise_and_name_the_operation(body, what):
    j = jit(body)
    with pytest.raises(JitEscapeError) as e:
        j(onp.array([0.5, -1.0, 2.0]))
    msg = str(e.value)
    assert what in msg and "np.where" in msg.replace("chainrule.numpy.where", "np.where") \
        and "static" in msg and "test_jit.py" in msg
    assert not j._cache  # nothing half-built is kept


def test_escapes_as_guards_never_replay_the_other_branch():
    j = jit(lambda x: x * 2.0 if np.sum(x) > 0 else -x, escapes="guard")
    pos, neg = onp.array([1.0, 2.0]), onp.array([-1.0, -2.0])
    assert_bitwise(j(pos), pos * 2.0)
    assert_bitwise(j(neg), -neg)        # the guard fails: a new program for this branch
    assert_bitwise(j(pos + 1), (pos + 1) * 2.0)  # the first program again
    assert_bitwise(j(neg - 1), -(neg - 1))
    assert j.recordings == 2 and j.replays == 2 and j.misses >= 1


def test_chainrules_own_tests_are_guards():
    # np.maximum's rule splits the gradient where x ties with 0 (np.any(ties)): a guard
    relu = jit(grad(lambda x: np.sum(np.maximum(x, 0.0) ** 2)))
    eager = grad(lambda x: np.sum(np.maximum(x, 0.0) ** 2))
    for x in ([1.0, -2.0, 3.0], [0.0, -2.0, 3.0], [1.0, -2.0, 3.0], [0.0, 0.0, 1.0]):
        x = onp.array(x)
        assert_bitwise(relu(x), eager(x))
    assert relu.recordings == 2


def test_shapes_are_not_escapes():
    j = jit(lambda x: np.reshape(x, (x.shape[0] * x.shape[1],)) * len(x) + x.ndim)
    x = rng.standard_normal((2, 3))
    assert_bitwise(j(x), onp.reshape(x, (6,)) * 2 + 2)


def test_a_data_dependent_shape_is_rechecked():
    j = jit(lambda x: np.sum(x[x > 0]) * np.ones(3))
    for x in ([1.0, -1.0, 2.0], [1.0, 1.0, 2.0], [-1.0, -1.0, 5.0]):
        x = onp.array(x)
        assert_bitwise(j(x), onp.sum(x[x > 0]) * onp.ones(3))


def test_converting_a_traced_value_to_plain_numpy_raises():
    def f(x):
        buf = onp.zeros(3)
        buf[0] = np.sum(x)  # a plain array would keep the recorded value
        return buf
    with pytest.raises(JitError, match="float"):
        jit(f)(onp.ones(3))
    with pytest.raises(JitError, match="converted to a plain NumPy array"):
        jit(lambda x: onp.asarray(x) * 2)(onp.ones(3))


# ----------------------------------------------------------------------------
# Randomness
# ----------------------------------------------------------------------------

def test_generator_arguments_draw_new_numbers_on_every_replay():
    def f(x, r):
        return x * r.standard_normal(x.shape) + r.random()
    j = jit(f)
    x = onp.ones(4)
    g1, g2 = onp.random.default_rng(7), onp.random.default_rng(7)
    outs = []
    for _ in range(4):
        a, b = j(x, g1), f(x, g2)
        assert_bitwise(a, b)
        outs.append(a)
    assert not onp.array_equal(outs[1], outs[2])  # new numbers each call
    assert g1.bit_generator.state == g2.bit_generator.state
    assert j.recordings == 1


def test_dropout_draws_new_masks_under_jit():
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Dropout(0.5), nn.Linear(8, 2))
    params = model.init(seed=0)
    X, y = rng.standard_normal((6, 3)), onp.array([0, 1, 0, 1, 1, 0])

    def objective(p, r):
        return nn.softmax_cross_entropy(model.apply(p, X, train=True, rng=r)[0], y)
    j, e = jit(value_and_grad(objective)), value_and_grad(objective)
    r1, r2 = onp.random.default_rng(3), onp.random.default_rng(3)
    values = set()
    for _ in range(4):
        a, b = j(params, r1), e(params, r2)
        assert_bitwise(a, b)
        values.add(float(a[0]))
    assert len(values) == 4


def test_chainrule_numpy_random_is_drawn_on_every_replay():
    def f(x):
        return x + np.random.randn(3) + np.random.default_rng().standard_normal(3) * 0.0
    j = jit(f)
    np.random.seed(5)
    got = [j(onp.zeros(3)) for _ in range(3)]
    np.random.seed(5)
    want = [f(onp.zeros(3)) for _ in range(3)]
    assert_bitwise(got, want)
    seeded = jit(lambda x: x + np.random.default_rng(2).standard_normal(3))
    assert_bitwise(seeded(onp.zeros(3)), seeded(onp.zeros(3)))  # a seeded generator repeats
    fresh = jit(lambda x: x + np.random.default_rng().standard_normal(3))
    assert not onp.array_equal(fresh(onp.zeros(3)), fresh(onp.zeros(3)))  # a fresh one does not


def test_random_numbers_jit_cannot_see_raise():
    with pytest.raises(JitError, match="numpy.random"):
        jit(lambda x: x + onp.random.randn(3))(onp.zeros(3))
    captured = onp.random.default_rng(0)
    with pytest.raises(JitError, match="captures"):
        jit(lambda x: x + captured.standard_normal(3))(onp.zeros(3))


def test_a_failed_recording_restores_the_generator():
    def f(x, r):
        y = x * r.standard_normal(3)
        if np.sum(y) > 100:  # an escape after a draw
            return y
        return y
    r = onp.random.default_rng(0)
    before = r.bit_generator.state
    with pytest.raises(JitEscapeError):
        jit(f)(onp.ones(3), r)
    assert r.bit_generator.state == before


def test_a_guard_miss_after_a_draw_restores_the_generator():
    def f(x, r):
        y = x * r.standard_normal(3)
        return y * 2.0 if np.sum(x) > 0 else y
    j = jit(f, escapes="guard")
    g1, g2 = onp.random.default_rng(1), onp.random.default_rng(1)
    for x in (onp.ones(3), -onp.ones(3), onp.ones(3)):
        assert_bitwise(j(x, g1), f(x, g2))


# ----------------------------------------------------------------------------
# Captured arrays and names
# ----------------------------------------------------------------------------

A_GLOBAL = onp.arange(3.0)
SCALE = 2.0


def test_rebinding_a_captured_name_records_again():
    global A_GLOBAL, SCALE
    j = jit(lambda x: x * A_GLOBAL * SCALE)
    x = onp.ones(3)
    assert_bitwise(j(x), x * A_GLOBAL * SCALE)
    old_a, old_s = A_GLOBAL, SCALE
    try:
        A_GLOBAL = onp.arange(3.0) + 10.0
        assert_bitwise(j(x), x * A_GLOBAL * SCALE)
        SCALE = 3.0
        assert_bitwise(j(x), x * A_GLOBAL * SCALE)
    finally:
        A_GLOBAL, SCALE = old_a, old_s
    assert j.recordings == 3


def test_rebinding_a_closure_variable_records_again():
    A = onp.ones(3)

    def loss(x):
        return np.sum(x * A)
    j = jit(grad(loss))
    x = rng.standard_normal(3)
    assert_bitwise(j(x), A)
    A = onp.arange(3.0)  # noqa: F841 - rebinding the closure cell
    assert_bitwise(j(x), onp.arange(3.0))


def test_in_place_changes_are_seen_where_an_operation_reads_the_array():
    # documented: a replay reads the captured array's current contents in every recorded
    # operation, but what the recording computed from captured values alone stays
    A = onp.array([1.0, 2.0, 3.0])
    j = jit(lambda x: (x * A, x * np.sum(A)))
    x = onp.ones(3)
    j(x)
    A[:] = 10.0
    reads, folded = j(x)
    assert_bitwise(reads, x * A)                  # x * A: read on replay
    assert_bitwise(folded, x * 6.0)               # sum(A): computed while recording
    checked = jit(lambda x: x * np.sum(A), check=2)
    checked(x)  # records
    checked(x)  # replays
    checked(x)  # records again and compares: nothing changed
    A[:] = 1.0
    assert_bitwise(checked(x), x * 30.0)  # a replay: the sum recorded before the change
    with pytest.raises(StaleProgramError, match="differs"):
        checked(x)


# ----------------------------------------------------------------------------
# State, outputs, exceptions, threads
# ----------------------------------------------------------------------------

def test_batchnorm_running_statistics_update_on_every_replay():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm(4), nn.ReLU(), nn.Linear(4, 2))
    params, state = model.init(seed=0), model.init_state()
    X, y = rng.standard_normal((8, 3)), onp.arange(8) % 2

    def objective(p, st, xb):
        out, new = model.apply(p, xb, st, train=True)
        return nn.softmax_cross_entropy(out, y), new
    j, e = jit(value_and_grad(objective, has_aux=True)), value_and_grad(objective, has_aux=True)
    sj = se = state
    for k in range(4):
        xb = X + 0.1 * k
        (lj, sj), gj = j(params, sj, xb)
        (le, se), ge = e(params, se, xb)
        assert_bitwise((lj, sj, gj), (le, se, ge))
    assert not onp.array_equal(sj[1]["mean"], state[1]["mean"])
    assert j.recordings == 1


def test_outputs_are_new_arrays_on_every_call():
    j = jit(grad(lambda x, y: np.sum(x * 2.0), argnums=(0, 1)))  # y unused: zeros
    x, y = onp.ones(3), onp.ones(2)
    a, za = j(x, y)
    b, zb = j(x, y)
    assert a is not b and za is not zb
    a += 100.0
    za += 100.0  # must not change what the next call returns
    c, zc = j(x, y)
    assert_bitwise((c, zc), (onp.full(3, 2.0), onp.zeros(2)))
    assert not onp.shares_memory(b, c)


def test_an_input_that_is_also_an_output():
    j = jit(lambda x: (x, x * 2.0))
    x = onp.ones(2)
    for _ in range(2):
        same, double = j(x)
        assert same is x  # as an eager call returns it
        assert_bitwise(double, x * 2.0)


def test_an_exception_leaves_no_program():
    state = {"fail": True}

    def f(x):
        y = np.sin(x)
        if state["fail"]:
            raise RuntimeError("boom")
        return y
    j = jit(f)
    with pytest.raises(RuntimeError, match="boom"):
        j(onp.ones(2))
    assert not j._cache and j.recordings == 0
    state["fail"] = False
    assert_bitwise(j(onp.ones(2)), onp.sin(onp.ones(2)))
    assert_bitwise(j(onp.ones(2)), onp.sin(onp.ones(2)))


def test_threads_calling_one_jitted_function():
    step = jit(value_and_grad(loss, argnums=(0, 1)))
    eager = value_and_grad(loss, argnums=(0, 1))
    datasets = [mlp_data(seed=s) for s in range(4)]
    errors = []

    def work(d):
        try:
            for k in range(25):
                W, V, X, Y = d
                args = (W + 0.01 * k, V, X, Y)
                assert_bitwise(step(*args), eager(*args))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(d,)) for d in datasets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert step.replays >= 90


# ----------------------------------------------------------------------------
# nn.fit
# ----------------------------------------------------------------------------

def test_fit_with_jit_is_fit_without_bitwise():
    from chainrule import data, optim
    X, y = data.two_moons(80, noise=0.1, seed=0)
    model = nn.mlp([2, 8, 8, 2], "relu", batch_norm="before", dropout=0.2)
    runs = [nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y, epochs=5, batch_size=16,
                   progress=False, jit=j) for j in (False, True)]
    (pe, he), (pj, hj) = runs
    assert_bitwise(pj, pe)
    assert_bitwise(hj.state, he.state)
    assert hj.loss == he.loss


def test_fit_trains_eagerly_when_jit_cannot_record_the_model():
    from chainrule import optim

    class Picky(nn.Module):
        def _apply(self, params, state, x, ctx):
            return (x if np.sum(x) > 0 else -x), state  # a Python escape
    model = nn.Sequential(nn.Linear(2, 2), Picky())
    X, y = rng.standard_normal((6, 2)), onp.array([0, 1, 0, 1, 1, 0])
    with pytest.warns(UserWarning, match="training eagerly"):
        p, h = nn.fit(model, model.init(seed=0), optim.SGD(0.1), X, y, epochs=2, progress=False)
    p2, h2 = nn.fit(model, model.init(seed=0), optim.SGD(0.1), X, y, epochs=2, progress=False,
                    jit=False)
    assert_bitwise(p, p2)


def test_a_users_primitive_is_recorded_as_one_call():
    from chainrule.extend import defvjp, primitive

    @primitive
    def square(x):
        return onp.asarray(x) ** 2  # plain NumPy inside: jit cannot see through asarray
    defvjp(square, lambda ans, x: lambda g: 2.0 * g * x)
    j, e = jit(grad(lambda x: np.sum(square(x)))), grad(lambda x: np.sum(square(x)))
    for x in (onp.array([0.5, -1.0]), onp.array([2.0, 3.0])):
        assert_bitwise(j(x), e(x))
    assert j.replays == 1


def test_jit_is_exported():
    assert chainrule.jit is jit
    assert issubclass(JitEscapeError, JitError) and issubclass(JitError, TypeError)


def test_generated_source_holds_only_our_own_names():
    # The replay's source is compiled with exec: recorded keyword and attribute names that
    # are not plain identifiers never become code.
    from chainrule._jit._program import _is_name
    assert _is_name("axis") and not _is_name("x); import os; os.system('true') #")
    assert not _is_name("lambda") and not _is_name(1)
