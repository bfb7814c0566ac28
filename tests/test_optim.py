"""chainrule.optim: update rules against hand-written references, schedules, clipping."""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import grad, optim
from chainrule.core.tree import StructureError

P0 = {"w": onp.array([1.0, -2.0]), "layers": [onp.array([[0.5]])]}
G = {"w": onp.array([0.3, 0.1]), "layers": [onp.array([[-1.0]])]}


def _run(opt, steps=3, params=P0, grads=G):
    state = opt.init(params)
    for _ in range(steps):
        params, state = opt.step(params, grads, state)
    return params, state


def test_sgd_and_gd():
    p, s = _run(optim.SGD(lr=0.1), steps=2)
    assert onp.allclose(p["w"], P0["w"] - 0.2 * G["w"])
    assert onp.allclose(p["layers"][0], P0["layers"][0] - 0.2 * G["layers"][0])
    assert int(s["step"]) == 2 and set(s) == {"step"}
    pg, _ = _run(optim.GD(lr=0.1), steps=2)
    assert onp.allclose(pg["w"], p["w"])


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_reference(nesterov):
    mu, lr = 0.9, 0.1
    p, v = P0["w"].copy(), onp.zeros(2)
    for _ in range(3):
        v = mu * v + G["w"]
        p = p - lr * ((G["w"] + mu * v) if nesterov else v)
    out, state = _run(optim.Momentum(lr=lr, momentum=mu, nesterov=nesterov))
    assert onp.allclose(out["w"], p) and onp.allclose(state["velocity"]["w"], v)
    out2, _ = _run(optim.SGD(lr=lr, momentum=mu, nesterov=nesterov))
    assert onp.allclose(out2["w"], p)
    with pytest.raises(ValueError, match="Nesterov needs momentum"):
        optim.SGD(0.1, nesterov=True)


def test_adam_matches_reference_and_adamw_decouples_weight_decay():
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1

    def reference(decoupled):
        p, m, v = P0["w"].copy(), onp.zeros(2), onp.zeros(2)
        for t in range(1, 4):
            g = G["w"] + (0 if decoupled else wd * p)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            new = p - lr * (m / (1 - b1 ** t)) / (onp.sqrt(v / (1 - b2 ** t)) + eps)
            p = new - lr * wd * p if decoupled else new
        return p
    out, state = _run(optim.Adam(lr=lr, weight_decay=wd))
    assert onp.allclose(out["w"], reference(False))
    assert set(state) == {"step", "m", "v"} and state["m"]["layers"][0].shape == (1, 1)
    out, _ = _run(optim.AdamW(lr=lr, weight_decay=wd))
    assert onp.allclose(out["w"], reference(True))


def test_weight_decay_in_sgd():
    p, _ = _run(optim.SGD(lr=0.1, weight_decay=0.5), steps=1)
    assert onp.allclose(p["w"], P0["w"] - 0.1 * (G["w"] + 0.5 * P0["w"]))


def test_gradient_clipping():
    g = {"a": onp.array([3.0, 0.0]), "b": [onp.array([4.0])]}
    assert optim.global_norm(g) == 5.0
    c = optim.clip_by_global_norm(g, 1.0)
    assert onp.allclose(c["a"], [0.6, 0.0]) and onp.allclose(c["b"][0], [0.8])
    assert optim.clip_by_global_norm(g, 10.0) is g
    params = {"a": onp.zeros(2), "b": [onp.zeros(1)]}
    p, _ = optim.SGD(lr=1.0, clip_norm=1.0).step(params, g, optim.SGD(1.0).init(params))
    assert onp.allclose(p["a"], [-0.6, 0.0])
    p, _ = optim.SGD(lr=1.0, clip_value=0.5).step(params, g, optim.SGD(1.0).init(params))
    assert onp.allclose(p["a"], [-0.5, 0.0]) and onp.allclose(p["b"][0], [-0.5])


def test_schedules():
    s = optim.step_decay(0.1, every=10, gamma=0.5)
    assert [s(0), s(9), s(10), s(25)] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    c = optim.cosine_decay(1.0, 100, final_lr=0.1)
    assert [c(0), c(50), c(100), c(1000)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    w = optim.warmup(0.5, steps=5)
    assert [w(0), w(1), w(5), w(100)] == pytest.approx([0.0, 0.1, 0.5, 0.5])
    assert optim.constant(0.3)(7) == 0.3
    # the schedule is read at each step from the optimizer state's counter
    opt = optim.SGD(lr=optim.step_decay(1.0, every=1, gamma=0.5))
    p = {"w": onp.zeros(1)}
    state = opt.init(p)
    for _ in range(3):
        p, state = opt.step(p, {"w": onp.ones(1)}, state)
    assert onp.allclose(p["w"], -(1.0 + 0.5 + 0.25))
    assert opt.lr_at(3) == 0.125


@pytest.mark.parametrize("opt", [
    optim.GD(0.1), optim.SGD(0.05, momentum=0.9), optim.Momentum(0.05, nesterov=True),
    optim.Adam(0.1), optim.AdamW(0.1, weight_decay=1e-4),
    optim.SGD(0.1, clip_norm=1.0),
])
def test_optimizers_minimize_an_ill_conditioned_quadratic(opt):
    A = onp.diag([1.0, 10.0])

    def f(p):
        return 0.5 * np.sum(p["x"] * (A @ p["x"]))
    p = {"x": onp.array([3.0, -2.0])}
    state = opt.init(p)
    for _ in range(300):
        p, state = opt.step(p, grad(f)(p), state)
    assert f(p) < 1e-3, repr(opt)


def test_float32_stays_float32_and_inputs_are_not_modified():
    p = {"w": onp.ones(3, onp.float32)}
    g = {"w": onp.full(3, 0.5, onp.float32)}
    for opt in [optim.SGD(0.1, momentum=0.9), optim.Adam(0.1, weight_decay=0.01)]:
        state = opt.init(p)
        new, new_state = opt.step(p, g, state)
        assert new["w"].dtype == onp.float32
        slots = [new_state[k]["w"] for k in new_state if k != "step"]
        assert slots and all(v.dtype == onp.float32 for v in slots)
        assert onp.all(p["w"] == 1.0) and int(state["step"]) == 0


def test_mismatched_gradients_are_rejected():
    opt = optim.SGD(0.1)
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradient"):
        opt.step({"a": onp.zeros(1), "b": onp.zeros(1)}, {"a": onp.zeros(1)},
                 opt.init({"a": 0, "b": 0}))


def test_repr():
    assert repr(optim.Adam(lr=0.01, clip_norm=1.0)) == "Adam(lr=0.01, clip_norm=1.0)"
    assert repr(optim.SGD(0.1, momentum=0.5)) == "SGD(lr=0.1, momentum=0.5)"


# ----------------------------------------------------------------------------
# The state is keyed by the parameters' structure and checked on every step
# ----------------------------------------------------------------------------

def _layers(*present, shape=(2, 2)):
    """Parameters like a Sequential's: ``{"W"}`` at the positions ``present``, ``{}`` elsewhere."""
    return [{"W": onp.full(shape, 1.0 + i)} if i in present else {} for i in range(3)]


@pytest.mark.parametrize("opt", [optim.Momentum(0.1), optim.Adam(0.1), optim.RMSprop(0.1)],
                         ids=repr)
def test_state_for_other_parameters_of_equal_shapes_is_refused(opt):
    # Every array has the same shape: pairing by position would run silently and
    # give layer 1 the buffers of layer 0. The check names the first differing path.
    made_for, stepped = _layers(0, 2), _layers(1, 2)
    state = opt.init(made_for)
    with pytest.raises(StructureError, match=r"state's '\w+' buffers differ at '0/W'.*"
                                             r"call opt.init on the same parameters") as e:
        opt.step(stepped, stepped, state)
    assert e.value.path == "0/W" and isinstance(e.value, ValueError)
    # the same paths with the same shapes step fine
    opt.step(made_for, made_for, state)


def test_state_checks_shapes_and_slots():
    opt = optim.Adam(0.1)
    state = opt.init({"w": onp.zeros(2)})
    with pytest.raises(StructureError, match=r"'w' has shape \(3,\) but its 'm' buffer \(2,\)"):
        opt.step({"w": onp.zeros(3)}, {"w": onp.zeros(3)}, state)
    with pytest.raises(StructureError, match=r"'w' has shape \(2,\) but its gradient \(1, 2\)"):
        opt.step({"w": onp.zeros(2)}, {"w": onp.zeros((1, 2))}, state)
    with pytest.raises(StructureError, match="no 'velocity' buffers"):
        optim.Momentum(0.1).step({"w": onp.zeros(2)}, {"w": onp.zeros(2)}, state)
    with pytest.raises(StructureError, match="the parameters and the gradients differ at 'w': "
                                             "key 'w' in the parameters, 'b' in the gradients"):
        opt.step({"w": onp.zeros(2)}, {"b": onp.zeros(2)}, state)
    # gradients may come in another container type with the same paths
    p, _ = opt.step((onp.zeros(2),), [onp.ones(2)], opt.init((onp.zeros(2),)))
    assert type(p) is tuple


def test_select_and_merge_state_by_path():
    opt = optim.Momentum(0.1)
    full = opt.init(_layers(0, 1, 2))
    full["velocity"] = [{"W": onp.full((2, 2), 10.0 * i)} for i in range(3)]
    part = opt.select_state(full, {"2/W": onp.zeros((2, 2)), "1/W": onp.zeros((2, 2))})
    assert list(part["velocity"]) == ["2/W", "1/W"]  # the order of the parameters asked for
    assert onp.all(part["velocity"]["2/W"] == 20.0) and onp.all(part["velocity"]["1/W"] == 10.0)
    nested = opt.select_state(full, _layers(2))  # a nested subset works the same way
    assert nested["velocity"][2]["W"] is full["velocity"][2]["W"]
    with pytest.raises(StructureError, match="no entry for '3/W'"):
        opt.select_state(full, {"3/W": onp.zeros((2, 2))})
    stepped = dict(part, step=onp.array(5), velocity={"2/W": onp.ones((2, 2)),
                                                       "1/W": onp.ones((2, 2))})
    merged = opt.merge_state(full, stepped)
    assert int(merged["step"]) == 5 and onp.all(merged["velocity"][0]["W"] == 0.0)
    assert onp.all(merged["velocity"][1]["W"] == 1.0) and onp.all(merged["velocity"][2]["W"] == 1)
    assert onp.all(full["velocity"][2]["W"] == 20.0)  # not modified


@pytest.mark.parametrize("fmt", ["npz", "safetensors"])
@pytest.mark.parametrize("make", [lambda: optim.Momentum(0.1), lambda: optim.Adam(0.1),
                                  lambda: optim.RMSprop(0.1, initial_accumulator=1.0)])
def test_state_checkpoint_round_trip_resumes_exactly(tmp_path, fmt, make):
    from chainrule import load, save
    opt = make()
    params, state = P0, opt.init(P0)
    for _ in range(2):
        params, state = opt.step(params, G, state)
    save(tmp_path / f"s.{fmt}", {"params": params, "opt": state})
    back = load(tmp_path / f"s.{fmt}", like={"params": P0, "opt": opt.init(P0)})
    p1, s1 = opt.step(params, G, state)
    p2, s2 = opt.step(back["params"], G, back["opt"])
    assert onp.array_equal(p1["w"], p2["w"]) and int(s2["step"]) == 3


# ----------------------------------------------------------------------------
# Dampening, RMSprop
# ----------------------------------------------------------------------------

def test_sgd_dampening_matches_reference():
    mu, d, lr = 0.9, 0.5, 0.1
    p, v = P0["w"].copy(), onp.zeros(2)
    for _ in range(3):
        v = mu * v + (1 - d) * G["w"]
        p = p - lr * v
    out, state = _run(optim.SGD(lr, momentum=mu, dampening=d))
    assert onp.allclose(out["w"], p) and onp.allclose(state["velocity"]["w"], v)
    assert repr(optim.SGD(lr, momentum=mu, dampening=d)) == \
        "SGD(lr=0.1, momentum=0.9, dampening=0.5)"
    with pytest.raises(ValueError, match="dampening=0"):
        optim.SGD(0.1, momentum=0.9, dampening=0.5, nesterov=True)
    with pytest.raises(ValueError, match="dampening needs momentum"):
        optim.SGD(0.1, dampening=0.5)


@pytest.mark.parametrize("initial", [0.0, 1.0])
def test_rmsprop_matches_reference(initial):
    lr, gamma, eps = 0.01, 0.9, 1e-8
    p, s = P0["w"].copy(), onp.full(2, initial)
    for _ in range(3):
        s = gamma * s + (1 - gamma) * G["w"] ** 2
        p = p - lr * G["w"] / (onp.sqrt(s) + eps)
    out, state = _run(optim.RMSprop(lr, gamma=gamma, initial_accumulator=initial))
    assert onp.allclose(out["w"], p) and onp.allclose(state["sq_avg"]["w"], s)
    assert optim.RMSprop(lr, initial_accumulator=initial).init(P0)["sq_avg"]["w"][0] == initial
    with pytest.raises(ValueError, match="cannot be < 0"):
        optim.RMSprop(lr, initial_accumulator=-1.0)


def test_rmsprop_minimizes_and_keeps_float32():
    opt = optim.RMSprop(0.05)
    p = {"x": onp.array([3.0, -2.0], onp.float32)}
    state = opt.init(p)
    for _ in range(300):
        p, state = opt.step(p, {"x": p["x"] * onp.array([1.0, 10.0], onp.float32)}, state)
    assert p["x"].dtype == onp.float32 and state["sq_avg"]["x"].dtype == onp.float32
    assert onp.abs(p["x"]).max() < 0.1


# ----------------------------------------------------------------------------
# misc.optimizers (autograd's API) over optim's rules: autograd's numbers, bit for bit
# ----------------------------------------------------------------------------

def _autograd_sgd(grad, x, callback, num_iters, step_size, mass):
    velocity = onp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


def _autograd_rmsprop(grad, x, callback, num_iters, step_size, gamma, eps=10**-8):
    avg_sq_grad = onp.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (onp.sqrt(avg_sq_grad) + eps)
    return x


def _autograd_adam(grad, x, callback, num_iters, step_size, b1, b2, eps=10**-8):
    m = onp.zeros(len(x))
    v = onp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g**2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (onp.sqrt(vhat) + eps)
    return x


@pytest.mark.parametrize("name, kw", [
    ("sgd", dict(step_size=0.1, mass=0.9)), ("sgd", dict(step_size=0.37, mass=0.55)),
    ("rmsprop", dict(step_size=0.1, gamma=0.9)), ("rmsprop", dict(step_size=0.03, gamma=0.7)),
    ("adam", dict(step_size=0.1, b1=0.9, b2=0.999)), ("adam", dict(step_size=0.05, b1=0.8, b2=0.9)),
])
def test_autograd_api_optimizers_reproduce_autograds_formulas_bit_for_bit(name, kw):
    from chainrule.misc import optimizers
    target = onp.array([1.0, -2.0, 0.5, 3.0, -0.25])
    A = 0.2 * onp.random.default_rng(0).standard_normal((5, 5)) + onp.eye(5)
    noise = onp.random.default_rng(1).standard_normal((40, 5))  # "stochastic": depends on i

    def flat_grad(x, i):
        return A.T @ (A @ (x - target)) + 0.1 * noise[i]

    seen_ref = []
    ref = globals()[f"_autograd_{name}"](
        flat_grad, onp.zeros(5), lambda x, i, g: seen_ref.append((x.copy(), i, g.copy())), 40, **kw)

    # the same problem through the container API: x0 = {"b": 1 number, "a": 4 numbers}
    # (flatten sorts the keys: "a" first)
    def tree_grad(p, i):
        g = flat_grad(onp.concatenate([p["a"], [p["b"]]]), i)
        return {"b": g[4], "a": g[:4]}
    seen = []

    def callback(p, i, g):
        seen.append((onp.concatenate([p["a"], [p["b"]]]), i, onp.concatenate([g["a"], [g["b"]]])))
    out = getattr(optimizers, name)(tree_grad, {"b": 0.0, "a": onp.zeros(4)}, callback,
                                    num_iters=40, **kw)
    got = onp.concatenate([out["a"], [out["b"]]])
    assert got.tobytes() == ref.tobytes(), (got - ref)
    assert len(seen) == len(seen_ref) == 40
    for (x, i, g), (x_ref, i_ref, g_ref) in zip(seen, seen_ref):
        assert i == i_ref and x.tobytes() == x_ref.tobytes() and g.tobytes() == g_ref.tobytes()
    assert onp.linalg.norm(got - target) < 0.8 * onp.linalg.norm(target)  # it does optimize


def test_autograd_api_optimizers_can_be_differentiated():
    # autograd's optimizers are differentiable in x0 and in every hyperparameter
    from chainrule.misc.optimizers import adam, rmsprop, sgd
    g = grad(lambda p, i: np.sum((p - 3.0) ** 2 * onp.array([1.0, 4.0])))
    x0 = onp.array([0.5, -1.0])
    for opt, hyper, value in [(sgd, "step_size", 0.1), (sgd, "mass", 0.5),
                              (rmsprop, "gamma", 0.8), (adam, "b1", 0.7), (adam, "eps", 0.3)]:
        def f(h):
            return np.sum(opt(g, x0, num_iters=6, **{hyper: h}) ** 2)
        eps = 1e-6
        numeric = (f(value + eps) - f(value - eps)) / (2 * eps)
        assert onp.isclose(grad(f)(value), numeric, rtol=1e-5, atol=1e-8), (opt, hyper)
    d = grad(lambda x: np.sum(adam(g, x, num_iters=6, step_size=0.1) ** 2))(x0)
    assert d.shape == (2,) and onp.all(onp.isfinite(d)) and onp.any(d != 0)


@pytest.mark.parametrize("make, error, message", [
    (lambda: optim.SGD(lr=-0.1), ValueError, "SGD: lr must be ≥ 0"),
    (lambda: optim.Adam(lr="0.1"), TypeError, "Adam: lr must be a number"),
    (lambda: optim.SGD(lr=True), TypeError, "lr must be a number"),
    (lambda: optim.SGD(lr=float("nan")), ValueError, "finite"),
    (lambda: optim.SGD(0.1, clip_norm=-1.0), ValueError, r"clip_norm .* must be > 0"),
    (lambda: optim.SGD(0.1, clip_norm=0), ValueError, r"clip_norm .* must be > 0"),
    (lambda: optim.Adam(0.1, clip_value=-0.5), ValueError, r"clip_value .* must be > 0"),
    (lambda: optim.SGD(0.1, weight_decay=-1e-4), ValueError, "weight_decay must be ≥ 0"),
    (lambda: optim.SGD(0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optim.Momentum(0.1, momentum=-0.5), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optim.SGD(0.1, momentum=0.9, dampening=1.5), ValueError, r"dampening .*\[0, 1\]"),
    (lambda: optim.Adam(b1=1.0), ValueError, r"b1 must be in \[0, 1\)"),
    (lambda: optim.Adam(b2=-0.1), ValueError, r"b2 must be in \[0, 1\)"),
    (lambda: optim.Adam(eps=0.0), ValueError, "eps must be > 0"),
    (lambda: optim.RMSprop(gamma=1.0), ValueError, r"gamma .* must be in \[0, 1\)"),
    (lambda: optim.AdamW(lr=[0.1]), TypeError, "AdamW: lr must be a number"),
])
def test_hyperparameters_are_checked_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_schedule_value_is_checked_when_used():
    opt = optim.SGD(lr=lambda step: 0.1 if step < 2 else float("nan"))
    assert opt.lr_at(1) == 0.1
    with pytest.raises(ValueError, match="the lr schedule gave nan at step 2"):
        opt.lr_at(2)
    with pytest.raises(TypeError, match="not a number"):
        optim.SGD(lr=lambda step: "fast").lr_at(0)
