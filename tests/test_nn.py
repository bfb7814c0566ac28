"""chainrule.nn: layers, activations, losses, init, training loop, transfer, curriculum."""

import sys
import types

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import data, grad, nn, optim, value_and_grad
from chainrule.test_util import check_grads, numerical_grad

RNG = onp.random.default_rng(0)
X6 = RNG.standard_normal((6, 4))
Y6 = onp.array([0, 2, 1, 1, 0, 2])


# ----------------------------------------------------------------------------
# Gradients of every layer, activation and loss, checked by finite differences
# ----------------------------------------------------------------------------

LAYERS = {
    "linear": nn.Linear(4, 3),
    "linear_no_bias": nn.Linear(4, 3, bias=False),
    "linear_bias_as_input": nn.Linear(4, 3, bias_as_input=True),
    "sequential": nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 2)),
    "named_sequential": nn.Sequential(body=nn.Sequential(nn.Linear(4, 5), nn.Softplus()),
                                      head=nn.Linear(5, 2)),
    "residual": nn.Residual(nn.Sequential(nn.Linear(4, 4), nn.Tanh())),
    "residual_projection": nn.Residual(nn.Sequential(nn.Linear(4, 3), nn.Tanh()),
                                       activation="softplus"),
    "batchnorm_train": nn.BatchNorm(4),
    "batchnorm_no_affine": nn.BatchNorm(4, affine=False),
    "dropout": nn.Dropout(0.3),
    "softmax": nn.Softmax(),
    "log_softmax": nn.LogSoftmax(),
    "mlp_bn_residual": nn.mlp([4, 5, 5, 3], "tanh", batch_norm="after", residual=True),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients(name):
    model = LAYERS[name]
    params = model.init(seed=1)

    # train=True: BatchNorm uses batch statistics; Dropout's mask is fixed by
    # rng=3 (a fresh Generator from the same seed on every call).
    def f(p, x):
        return model(p, x, train=True, rng=3)
    if nn.tree.count_params(params):
        check_grads(f, order=2)(params, X6)
    else:
        check_grads(lambda x: f(params, x), order=2)(X6)


def test_layer_gradients_eval_mode_batchnorm():
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm(3), nn.ReLU())
    params, state = model.init(seed=0), model.init_state()
    state[1]["mean"] = onp.array([0.1, -0.2, 0.3])
    state[1]["var"] = onp.array([0.5, 2.0, 1.5])
    check_grads(lambda p, x: model(p, x, state=state), order=2)(params, X6 + 3.0)


@pytest.mark.parametrize("fn", [nn.sigmoid, nn.tanh, nn.softplus, nn.softmax, nn.log_softmax,
                                nn.logsumexp, nn.relu])
def test_activation_gradients(fn):
    x = X6 + onp.sign(X6) * 0.1  # keep relu away from its kink at 0
    check_grads(fn, order=2)(x)


@pytest.mark.parametrize("loss,target", [
    (nn.softmax_cross_entropy, Y6),
    (nn.softmax_cross_entropy, data.one_hot(Y6, 3)),
    (nn.softmax_cross_entropy, onp.full((6, 3), 1 / 3)),
    (nn.binary_cross_entropy, (Y6[:, None] == onp.arange(3)).astype(float)),
    (nn.squared_error, RNG.standard_normal((6, 3))),
])
def test_loss_gradients(loss, target):
    u = RNG.standard_normal((6, 3))
    check_grads(lambda u: loss(u, target), order=2)(u)
    check_grads(lambda u: loss(u, target, reduction="sum"), order=1)(u)
    check_grads(lambda u: loss(u, target, reduction="none"), order=1)(u)


# ----------------------------------------------------------------------------
# Losses: the lecture's formula, and stability for huge logits
# ----------------------------------------------------------------------------

def test_softmax_cross_entropy_is_the_lecture_formula():
    u = RNG.standard_normal((5, 3))
    y = onp.array([0, 1, 2, 1, 0])
    Y = onp.eye(3)[y]
    J = onp.sum(-onp.sum(Y * u, 1) + onp.log(onp.sum(onp.exp(u), 1)))
    assert onp.isclose(nn.softmax_cross_entropy(u, y, reduction="sum"), J)
    assert onp.isclose(nn.softmax_cross_entropy(u, y), J / 5)
    # dJ/du = softmax(u) - y
    g = grad(lambda u: nn.softmax_cross_entropy(u, y, reduction="sum"))(u)
    assert onp.allclose(g, onp.exp(u) / onp.exp(u).sum(1, keepdims=True) - Y)


def test_losses_do_not_overflow_for_logits_of_1000():
    u = onp.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1000.0, 1000.0, -1000.0]])
    y = onp.array([0, 2, 1])
    with onp.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        loss, g = value_and_grad(lambda u: nn.softmax_cross_entropy(u, y, reduction="sum"))(u)
    # exact values: 0, 1 + log(1 + e^-1), log 2
    assert onp.isclose(loss, 0.0 + 1.0 + onp.log1p(onp.exp(-1.0)) + onp.log(2.0))
    assert onp.all(onp.isfinite(g)) and onp.allclose(g.sum(1), 0.0)
    assert onp.allclose(g[0], 0.0) and onp.allclose(g[2], [0.5, -0.5, 0.0])

    t = onp.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    with onp.errstate(over="raise", invalid="raise"):
        lb, gb = value_and_grad(lambda u: nn.binary_cross_entropy(u, t, reduction="sum"))(u)
    # only two terms cost anything: u[0,2]=0 with t=1 (log 2), u[1,2]=999 with t=0 (999)
    assert onp.isclose(lb, onp.log(2.0) + 999.0)
    assert onp.all(onp.isfinite(gb))
    ls = nn.log_softmax(u)
    assert onp.all(onp.isfinite(ls)) and onp.isclose(ls[0, 1], -2000.0)
    assert onp.allclose(nn.softmax(u).sum(1), 1.0)
    assert onp.allclose(nn.sigmoid(onp.array([-1000.0, 1000.0])), [0.0, 1.0])
    assert onp.isclose(nn.softplus(onp.array(1000.0)), 1000.0)


def test_softmax_family_is_scipy_specials_with_the_last_axis():
    # one implementation: nn's functions are chainrule.scipy.special's with axis=-1
    # (SciPy's default is all axes), values and derivatives bit for bit
    import chainrule.scipy.special as sp
    u = RNG.standard_normal((4, 5, 3)) * 4
    for nn_fn, sp_fn in [(nn.logsumexp, sp.logsumexp), (nn.softmax, sp.softmax),
                         (nn.log_softmax, sp.log_softmax)]:
        for axis in (-1, 0, 1):
            kw = {} if axis == -1 else {"axis": axis}
            assert nn_fn(u, **kw).tobytes() == sp_fn(u, axis=axis).tobytes(), (nn_fn, axis)
        w = RNG.standard_normal(nn_fn(u).shape)
        g_nn = grad(lambda v, f=nn_fn: np.sum(f(v) * w))(u)
        g_sp = grad(lambda v, f=sp_fn: np.sum(f(v, axis=-1) * w))(u)
        assert g_nn.tobytes() == g_sp.tobytes(), nn_fn
    assert nn.logsumexp(u, keepdims=True).shape == (4, 5, 1)
    assert sp.logsumexp(u).shape == ()  # SciPy's default: every axis
    # the forward values the committed demo numbers rest on are unchanged: the
    # max-shifted m + log sum exp(u - m) of nn's former implementation, exactly
    m = onp.max(u, axis=-1, keepdims=True)
    old = onp.squeeze(m + onp.log(onp.sum(onp.exp(u - m), axis=-1, keepdims=True)), -1)
    assert nn.logsumexp(u).tobytes() == old.tobytes()
    y = RNG.integers(0, 3, (4, 5))
    old_ce = onp.mean(old - onp.take_along_axis(u, y[..., None], axis=-1)[..., 0])
    assert float(nn.softmax_cross_entropy(u, y)) == float(old_ce)


def test_binary_cross_entropy_matches_definition_and_accepts_n_by_1_logits():
    u = RNG.standard_normal(8)
    t = (RNG.random(8) > 0.5).astype(float)
    s = 1 / (1 + onp.exp(-u))
    ref = -onp.mean(t * onp.log(s) + (1 - t) * onp.log(1 - s))
    assert onp.isclose(nn.binary_cross_entropy(u, t), ref)
    assert onp.isclose(nn.binary_cross_entropy(u[:, None], t), ref)


def test_squared_error_is_half_squared_norm():
    p, t = onp.array([[1.0, 2.0], [0.0, 0.0]]), onp.array([[0.0, 0.0], [3.0, 0.0]])
    assert nn.squared_error(p, t) == pytest.approx((0.5 * 5 + 0.5 * 9) / 2)


def test_accuracy():
    s = onp.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0]])
    assert nn.accuracy(s, onp.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert nn.accuracy(s, onp.eye(3)) == 1.0
    assert nn.accuracy(onp.array([-1.0, 2.0]), onp.array([0, 1])) == 1.0
    with pytest.raises(ValueError):
        nn.accuracy(s, onp.array([0, 1]))


def test_softmax_cross_entropy_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        nn.softmax_cross_entropy(onp.zeros((2, 3)), onp.array([0, 3]))
    with pytest.raises(ValueError, match="do not match"):
        nn.softmax_cross_entropy(onp.zeros((2, 3)), onp.array([0, 1, 2]))


# ----------------------------------------------------------------------------
# BatchNorm: gradient through the batch statistics, train versus eval
# ----------------------------------------------------------------------------

def test_batchnorm_backpropagates_through_batch_statistics():
    bn = nn.BatchNorm(3)
    p = {"gamma": onp.array([1.5, 0.5, 2.0]), "beta": onp.array([0.1, 0.0, -0.3])}
    x = RNG.standard_normal((5, 3))
    w = RNG.standard_normal((5, 3))

    def loss(x):
        return np.sum(w * np.tanh(bn(p, x, train=True)))

    g = grad(loss)(x)
    g_num = numerical_grad(lambda x: float(loss(x)))(x)
    assert onp.allclose(g, g_num, rtol=1e-6, atol=1e-8)

    # The same loss with μ, σ frozen at their current values (no gradient
    # through the statistics) has a clearly different gradient: the
    # statistics really are differentiated.
    mu, sd = x.mean(0), onp.sqrt(x.var(0) + bn.eps)
    g_frozen = grad(lambda x: np.sum(w * np.tanh(p["gamma"] * (x - mu) / sd + p["beta"])))(x)
    assert onp.abs(g - g_frozen).max() > 0.1
    # normalization makes the output invariant to shifting a unit over the
    # batch, so the gradient summed over the batch is 0 for every unit
    assert onp.allclose(g.sum(0), 0.0, atol=1e-10)


def test_batchnorm_train_versus_eval():
    bn = nn.BatchNorm(2, momentum=0.25)
    p = bn.init()
    x = onp.array([[1.0, 10.0], [2.0, 20.0], [6.0, 30.0]])
    state0 = bn.init_state()
    y, state1 = bn.apply(p, x, state0, train=True)
    # training: per-unit zero mean, unit (biased) variance over the batch
    assert onp.allclose(y.mean(0), 0.0) and onp.allclose(y.var(0), 1.0, atol=1e-4)
    # running averages, unbiased variance, the input state untouched
    assert onp.allclose(state1["mean"], 0.75 * 0 + 0.25 * x.mean(0))
    assert onp.allclose(state1["var"], 0.75 * 1 + 0.25 * x.var(0, ddof=1))
    assert onp.all(state0["mean"] == 0)
    # evaluation: the running statistics, independent of the batch
    y_eval, same = bn.apply(p, x, state1, train=False)
    assert same is state1
    assert onp.allclose(y_eval, (x - state1["mean"]) / onp.sqrt(state1["var"] + 1e-5))
    assert not onp.allclose(y_eval, y)
    assert onp.allclose(bn(p, x[:1], state=state1), y_eval[:1])  # one example is fine
    with pytest.raises(ValueError, match="at least 2"):
        bn(p, x[:1], train=True)
    # whole-training-set statistics
    pop = nn.population_statistics(bn, p, x)
    assert onp.allclose(pop["mean"], x.mean(0)) and onp.allclose(pop["var"], x.var(0, ddof=1))


def test_batchnorm_state_through_fit_and_placement():
    X, y = data.blobs(60, centers=3, seed=1)
    for where in ("before", "after"):
        model = nn.mlp([2, 8, 3], "relu", batch_norm=where)
        kinds = [type(m).__name__ for m in model.layers]
        assert kinds == (["Linear", "BatchNorm", "ReLU", "Linear"] if where == "before"
                         else ["Linear", "ReLU", "BatchNorm", "Linear"])
        params, hist = nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y, epochs=15,
                              batch_size=20, progress=False)
        bn_state = hist.state[kinds.index("BatchNorm")]
        assert not onp.allclose(bn_state["mean"], 0.0)  # running stats were updated
        assert type(bn_state["mean"]) is onp.ndarray    # plain arrays, not traced values
        with pytest.raises(ValueError, match="running statistics"):
            model(params, X)
        assert nn.accuracy(model(params, X, state=hist.state), y) > 0.9


# ----------------------------------------------------------------------------
# Other layers
# ----------------------------------------------------------------------------

def test_linear_bias_as_input_is_the_same_affine_map():
    lin = nn.Linear(2, 4, bias_as_input=True, bias_init=0.3)
    p = lin.init(seed=0)
    assert p["W"].shape == (3, 4) and set(p) == {"W"} and onp.allclose(p["W"][-1], 0.3)
    plain = {"W": p["W"][:2], "b": p["W"][2]}
    assert onp.allclose(lin(p, X6[:, :2]), nn.Linear(2, 4)(plain, X6[:, :2]))


def test_residual_identity_and_projection():
    r = nn.Residual(nn.Sequential(nn.Linear(4, 4), nn.Tanh()))
    p = r.init(seed=0)
    assert set(p) == {"block"}
    p["block"][0] = {k: onp.zeros_like(v) for k, v in p["block"][0].items()}
    assert onp.allclose(r(p, X6), X6)
    rp = nn.Residual(nn.Sequential(nn.Linear(4, 2), nn.Tanh()), activation="relu")
    q = rp.init(seed=0)
    assert q["proj"]["W"].shape == (4, 2)
    expected = onp.maximum(onp.tanh(X6 @ q["block"][0]["W"] + q["block"][0]["b"])
                           + X6 @ q["proj"]["W"], 0)
    assert onp.allclose(rp(q, X6), expected)


def test_dropout_modes():
    d = nn.Dropout(0.25)
    x = onp.ones((200, 50))
    assert d({}, x) is x or onp.array_equal(d({}, x), x)
    a = d({}, x, train=True, rng=0)
    assert abs((a == 0).mean() - 0.25) < 0.02 and onp.allclose(a[a != 0], 1 / 0.75)
    assert onp.array_equal(a, d({}, x, train=True, rng=0))       # seeded
    assert not onp.array_equal(a, d({}, x, train=True, rng=1))
    with pytest.raises(ValueError, match="rng"):
        d({}, x, train=True)


def test_sequential_structure_and_errors():
    m = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert (m.in_features, m.out_features, len(m)) == (2, 1, 3)
    assert "Linear(2, 3)" in repr(m) and isinstance(m[1], nn.Tanh)
    with pytest.raises(TypeError, match="not a layer"):
        nn.Sequential(nn.Linear(2, 3), onp.tanh)
    with pytest.raises(ValueError, match="3 layers"):
        m([{}, {}], onp.ones((1, 2)))
    lam = nn.Sequential(nn.Linear(2, 2), nn.Lambda(lambda x: x * 2))
    p = lam.init()
    assert onp.allclose(lam(p, onp.ones((1, 2))), 2 * (onp.ones((1, 2)) @ p[0]["W"] + p[0]["b"]))


# ----------------------------------------------------------------------------
# Initialization
# ----------------------------------------------------------------------------

def test_init_is_seeded_and_reproducible():
    m = nn.mlp([4, 8, 8, 3], "relu", init="he", bias_init=0.01)
    a, b, c = m.init(seed=0), m.init(seed=0), m.init(seed=1)
    la, lb, lc = nn.tree.leaves(a), nn.tree.leaves(b), nn.tree.leaves(c)
    assert all(onp.array_equal(u, v) for u, v in zip(la, lb, strict=True))
    assert not all(onp.array_equal(u, v) for u, v in zip(la, lc, strict=True) if u.size > 1)
    assert onp.all(a[0]["b"] == 0.01)  # small positive bias: ReLU inputs start > 0
    # adding a layer at the end does not change the earlier layers
    longer = nn.Sequential(*m.layers, nn.ReLU(), nn.Linear(3, 2)).init(seed=0)
    assert onp.array_equal(longer[0]["W"], a[0]["W"])
    p32 = m.init(seed=0, dtype=onp.float32)
    assert {v.dtype for v in nn.tree.leaves(p32)} == {onp.dtype(onp.float32)}


@pytest.mark.parametrize("name,var", [
    ("xavier_uniform", 2 / (300 + 200)), ("xavier_normal", 2 / (300 + 200)),
    ("he_normal", 2 / 300), ("he_uniform", 2 / 300), ("lecun_normal", 1 / 300),
])
def test_init_variances(name, var):
    w = getattr(nn.init, name)()(onp.random.default_rng(0), (300, 200))
    assert w.var() == pytest.approx(var, rel=0.03) and abs(w.mean()) < 0.01


def test_small_and_orthogonal_init():
    r = onp.random.default_rng(0)
    assert nn.init.normal(0.01)(r, (400, 100)).std() == pytest.approx(0.01, rel=0.02)
    assert onp.abs(nn.init.uniform(0.05)(r, (100, 100))).max() <= 0.05
    for shape in [(6, 6), (8, 3), (3, 8)]:
        q = nn.init.orthogonal(gain=2.0)(r, shape)
        small = q.T @ q if shape[0] >= shape[1] else q @ q.T
        assert onp.allclose(small, 4 * onp.eye(min(shape)))
    with pytest.raises(ValueError, match="unknown initializer"):
        nn.Linear(2, 2, init="nope")


# ----------------------------------------------------------------------------
# The lecture's Iris model and the deep-network comparison
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("bias_as_input", [False, True])
def test_iris_two_layer_mlp_full_batch_gd_reaches_95_percent(bias_as_input):
    # D = 2 features (+ 1 bias), M = 16 sigmoid units, C = 3 classes, softmax
    # cross-entropy, full-batch gradient descent: the lecture's example.
    X, y = data.iris(features=("petal_length", "petal_width"))
    model = nn.Sequential(nn.Linear(2, 16, bias_as_input=bias_as_input), nn.Sigmoid(),
                          nn.Linear(16, 3, bias_as_input=bias_as_input))
    params, hist = nn.fit(model, model.init(seed=0), optim.GD(lr=0.5), X, y, epochs=2000,
                          seed=0, progress=False)
    acc = nn.accuracy(model(params, X), y)
    print(f"\niris (bias_as_input={bias_as_input}): training accuracy {acc:.4f}, "
          f"loss {hist.loss[-1]:.4f}, {hist.seconds:.2f}s")
    assert acc >= 0.95
    assert hist.loss[-1] < 0.25 and hist.loss[-1] < hist.loss[0]


def test_deep_tanh_plain_versus_residual_versus_batchnorm_on_digits():
    # 20 hidden tanh layers of width 32, the lecture's small-variance Gaussian
    # initialization (std 0.1), minibatch SGD, 3 epochs. The plain network's
    # signal and gradients shrink layer after layer and it barely moves from
    # log 10 = 2.303; skip connections and batch norm both fix that.
    X, y = data.digits()
    X = data.standardize(X)
    sizes = [64] + [32] * 20 + [10]
    small = nn.init.normal(0.1)
    losses = {}
    for name, kw in [("plain", {}), ("residual", {"residual": True}),
                     ("batchnorm", {"batch_norm": "before"})]:
        model = nn.mlp(sizes, "tanh", init=small, **kw)
        _, hist = nn.fit(model, model.init(seed=0), optim.SGD(lr=0.05), X, y, epochs=3,
                         batch_size=64, seed=0, progress=False)
        losses[name] = hist.loss[-1]
    print("\n20-layer tanh MLP on digits, training loss after 3 epochs: " +
          ", ".join(f"{k} {v:.3f}" for k, v in losses.items()))
    assert losses["residual"] < losses["plain"] - 0.5
    assert losses["batchnorm"] < losses["plain"] - 0.5


# ----------------------------------------------------------------------------
# The training loop
# ----------------------------------------------------------------------------

def _blobs():
    X, y = data.blobs(90, centers=3, std=1.5, seed=2)
    return data.standardize(X), y


def test_fit_minibatches_are_seeded():
    X, y = _blobs()
    model = nn.mlp([2, 8, 3], "tanh", dropout=0.1)

    def run(seed):
        return nn.fit(model, model.init(seed=0), optim.SGD(0.1, momentum=0.9), X, y,
                      epochs=5, batch_size=16, seed=seed, progress=False)
    (p1, h1), (p2, h2), (_, h3) = run(0), run(0), run(1)
    assert h1.loss == h2.loss and onp.array_equal(p1[-1]["W"], p2[-1]["W"])
    assert h1.loss != h3.loss
    assert h1.epochs == 5 and len(h1.accuracy) == 5 and h1.lr == [0.1] * 5
    assert int(h1.opt_state["step"]) == 5 * 6  # 90 examples in batches of 16


def test_fit_validation_early_stopping_and_callbacks():
    X, y = data.two_moons(120, noise=0.35, seed=0)   # noisy and small: easy to overfit
    Xtr, Xva, ytr, yva = data.train_test_split(X, y, test_size=0.5, seed=0)
    model = nn.mlp([2, 64, 64, 2], "relu")
    seen = []
    params, hist = nn.fit(model, model.init(seed=0), optim.Adam(0.05), Xtr, ytr, epochs=300,
                          validation=(Xva, yva), early_stopping=10,
                          callbacks=[lambda info: seen.append(info.epoch)], progress=False)
    assert hist.stopped_early and hist.epochs < 300 and len(seen) == hist.epochs
    assert len(hist.val_loss) == hist.epochs and "val_accuracy" in hist
    best = int(onp.argmin(hist.val_loss))
    assert hist.best_epoch == best
    # the best epoch's parameters are restored
    assert nn.evaluate(model, params, Xva, yva)["loss"] == pytest.approx(hist.val_loss[best])

    class StopAt(nn.Callback):
        def on_epoch_end(self, info):
            if info.epoch == 3:
                raise nn.StopTraining
    _, h = nn.fit(model, model.init(seed=0), optim.SGD(0.1), Xtr, ytr, epochs=50,
                  callbacks=[StopAt()], progress=False)
    assert h.epochs == 4 and h.stopped_early
    _, h = nn.fit(model, model.init(seed=0), optim.SGD(0.1), Xtr, ytr, epochs=50,
                  callbacks=[lambda info: info.logs["loss"] < 10], progress=False)
    assert h.epochs == 1


def test_fit_regression_and_float32():
    rng = onp.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(onp.float32)
    y = (X @ onp.array([1.0, -2.0, 0.5], onp.float32))[:, None]
    model = nn.Linear(3, 1)
    params, hist = nn.fit(model, model.init(seed=0, dtype=onp.float32), optim.Adam(0.1), X, y,
                          loss=nn.squared_error, epochs=100, batch_size=16, progress=False)
    assert params["W"].dtype == onp.float32 and "accuracy" not in hist
    assert hist.loss[-1] < 1e-3


def test_fit_stops_on_nan_loss(capsys):
    X, y = _blobs()
    model = nn.mlp([2, 8, 3], "relu")
    with onp.errstate(all="ignore"):  # the overflow is the point of this test
        _, hist = nn.fit(model, model.init(seed=0), optim.GD(1e30), X, y, epochs=20,
                         progress=False)
    assert hist.stopped_early and hist.epochs < 20
    assert "stopping" in capsys.readouterr().err


def test_progress_text_without_tqdm_and_bar_with_it(monkeypatch, capsys):
    X, y = _blobs()
    model = nn.Linear(2, 3)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    nn.fit(model, model.init(), optim.GD(0.1), X, y, epochs=20)
    err = capsys.readouterr().err
    assert "epoch 20/20" in err and "loss=" in err and "accuracy=" in err

    bars = []

    class FakeBar:
        def __init__(self, total, **kw):
            self.total, self.n, self.postfix, self.closed = total, 0, None, False
            bars.append(self)

        def update(self, k):
            self.n += k

        def set_postfix(self, d, refresh=True):
            self.postfix = d

        def close(self):
            self.closed = True
    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = FakeBar
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    nn.fit(model, model.init(), optim.GD(0.1), X, y, epochs=7)
    (bar,) = bars
    assert bar.n == 7 and bar.closed and set(bar.postfix) == {"loss", "accuracy"}


# ----------------------------------------------------------------------------
# Transfer learning: freeze, unfreeze, pre-train then fine-tune
# ----------------------------------------------------------------------------

def test_freeze_unfreeze_masks():
    m = nn.Sequential(body=nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3)),
                      head=nn.Linear(3, 2))
    p = m.init()
    mask = nn.freeze(p, "body")
    assert nn.trainable_paths(mask) == ["head/W", "head/b"]
    assert nn.trainable_paths(nn.unfreeze(mask, "body/2")) == [
        "body/2/W", "body/2/b", "head/W", "head/b"]
    assert len(nn.trainable_paths(nn.unfreeze(mask))) == 6
    only_w = nn.freeze(p, lambda path: path.endswith("/b"))
    assert all(path.endswith("/W") for path in nn.trainable_paths(only_w))
    with pytest.raises(KeyError, match="no parameters under 'bdy'"):
        nn.freeze(p, "bdy")


def test_pretrain_then_fine_tune_a_new_head_on_digits():
    X, y = data.digits()
    X = X / 16.0
    easy, hard = y < 5, y >= 5
    body = nn.Sequential(nn.Linear(64, 32), nn.Tanh())
    pre = nn.Sequential(body=body, head=nn.Linear(32, 5))
    p_pre, _ = nn.fit(pre, pre.init(seed=0), optim.Adam(0.01), X[easy], y[easy], epochs=5,
                      batch_size=64, progress=False)

    new = nn.Sequential(body=body, head=nn.Linear(32, 10))
    fresh = new.init(seed=1)
    p = nn.load_pretrained(fresh, p_pre, "body")
    assert onp.array_equal(p["body"][0]["W"], p_pre["body"][0]["W"])
    assert p["body"][0]["W"] is not p_pre["body"][0]["W"]       # copied, not shared
    assert onp.array_equal(p["head"]["W"], fresh["head"]["W"])  # the new head is untouched

    mask = nn.freeze(p, "body")
    p_ft, hist = nn.fit(new, p, optim.Adam(0.01), X[hard], y[hard], epochs=5, batch_size=64,
                        trainable=mask, progress=False)
    assert onp.array_equal(p_ft["body"][0]["W"], p["body"][0]["W"])  # frozen: unchanged
    assert not onp.array_equal(p_ft["head"]["W"], p["head"]["W"])
    assert set(hist.opt_state["m"]) == {"head/W", "head/b"}  # only the head is optimized
    # pre-trained features are good features: a linear head on them already works
    assert hist.accuracy[-1] > 0.8
    p_all, _ = nn.fit(new, p_ft, optim.Adam(0.005), X, y, epochs=2, batch_size=64,
                      progress=False)                          # unfrozen: fine-tune everything
    assert not onp.array_equal(p_all["body"][0]["W"], p_ft["body"][0]["W"])

    with pytest.raises(ValueError, match="'head/W' is float64\\[32, 5\\]"):
        nn.load_pretrained(fresh, p_pre, "head")
    with pytest.raises(ValueError, match="nothing to train"):
        nn.fit(new, p, optim.SGD(0.1), X, y, epochs=1, trainable=nn.freeze(p, "body", "head"),
               progress=False)


@pytest.mark.parametrize("make", [lambda: optim.Momentum(0.1), lambda: optim.Adam(0.05)])
def test_fit_with_trainable_mask_picks_a_full_states_buffers_by_path(make):
    # Three layers of equal shapes, the first frozen, and the optimizer state of
    # *all* parameters (opt.init(params)), with distinct buffers per layer. Pairing
    # by position would give 2/W the buffers of 0/W: with equal shapes nothing
    # would complain. Each trained leaf must get the buffers under its own path.
    X, y = data.two_moons(64, noise=0.2, seed=0)
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2), nn.Tanh(),
                          nn.Linear(2, 2))
    params, opt = model.init(seed=0), make()
    mask = nn.freeze(params, "0")
    full = opt.init(params)
    rng = onp.random.default_rng(3)
    for slot in opt.slots:  # warm, distinct buffers (Adam's second moment must be > 0)
        full[slot] = nn.tree_map(lambda v: onp.abs(rng.standard_normal(v.shape)), full[slot])
    full["step"] = onp.array(4, dtype=onp.int64)
    p_full, h_full = nn.fit(model, params, opt, X, y, epochs=3, batch_size=16,
                            trainable=mask, opt_state=full, progress=False)

    # the reference: a state that holds only the trained layers' buffers
    trained = [p for p, _ in nn.named_leaves(params) if not p.startswith("0/")]
    only = {"step": full["step"]}
    for slot in opt.slots:
        only[slot] = {p: nn.tree.get(full[slot], p) for p in trained}
    p_ref, h_ref = nn.fit(model, params, opt, X, y, epochs=3, batch_size=16,
                          trainable=mask, opt_state=only, progress=False)
    for (path, a), (_, b) in zip(nn.named_leaves(p_full), nn.named_leaves(p_ref), strict=True):
        assert onp.array_equal(a, b), path
    assert h_full.loss == h_ref.loss
    # history.opt_state comes back in the form given: the frozen layer's buffers
    # untouched, the trained ones those of the reference run
    assert int(h_full.opt_state["step"]) == int(h_ref.opt_state["step"]) == 4 + 3 * 4
    for slot in opt.slots:
        got = h_full.opt_state[slot]
        assert onp.array_equal(got[0]["W"], full[slot][0]["W"])
        for p in trained:
            assert onp.array_equal(nn.tree.get(got, p), h_ref.opt_state[slot][p]), (slot, p)
    # a state that lacks a trained leaf's buffers is refused, naming the leaf
    del only[opt.slots[0]]["4/W"]
    with pytest.raises(ValueError, match="no entry for '4/W'.*opt.init"):
        nn.fit(model, params, opt, X, y, epochs=1, trainable=mask, opt_state=only,
               progress=False)


# ----------------------------------------------------------------------------
# Curriculum
# ----------------------------------------------------------------------------

def test_curriculum_sampler_grows_the_hard_fraction():
    difficulty = onp.arange(100.0)[::-1]  # example 99 is the easiest
    s = nn.CurriculumSampler(difficulty, start=0.2, epochs=4)
    rng = onp.random.default_rng(0)
    sizes = [len(s(e, rng)) for e in range(6)]
    assert sizes == [20, 40, 60, 80, 100, 100]
    assert set(s(0, rng).tolist()) == set(range(80, 100))  # the easiest 20
    ordered = nn.CurriculumSampler(difficulty, start=0.5, order="easy_first")
    assert ordered(0, rng).tolist() == list(range(99, 49, -1))
    stepped = nn.CurriculumSampler(difficulty, start=0.2, epochs=4, schedule="step", stages=2)
    assert [stepped.fraction(e) for e in range(5)] == pytest.approx([0.2, 0.2, 0.6, 0.6, 1.0])
    sq = nn.CurriculumSampler(difficulty, start=0.0001, epochs=4, schedule="sqrt")
    assert sq.fraction(1) == pytest.approx(0.5, abs=1e-3)
    w = nn.CurriculumSampler(difficulty, start=0.2, epochs=4, mode="weight", floor=0.01)
    draw = w(0, onp.random.default_rng(0))
    assert len(draw) == 100 and (draw >= 80).mean() > 0.9   # hard examples are rare early
    assert (w(4, onp.random.default_rng(0)) < 80).mean() > 0.6  # and common later
    with pytest.raises(ValueError):
        nn.CurriculumSampler(onp.array([1.0, onp.nan]))


def test_fit_with_curriculum_from_a_reference_model():
    X, y = data.two_moons(200, noise=0.2, seed=0)
    model = nn.mlp([2, 16, 2], "tanh")
    ref, _ = nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y, epochs=20,
                    progress=False)
    difficulty = nn.difficulty_by_loss(model, ref, X, y)
    assert difficulty.shape == (200,)
    sampler = nn.CurriculumSampler(difficulty, start=0.3, epochs=10)
    seen = []
    params, hist = nn.fit(model, model.init(seed=1), optim.Adam(0.05), X, y, epochs=20,
                          batch_size=32, sampler=sampler, progress=False,
                          callbacks=[lambda info: seen.append(int(info.opt_state["step"]))])
    steps_per_epoch = onp.diff([0] + seen)
    assert steps_per_epoch[0] == 2 and steps_per_epoch[-1] == 7  # 60 examples, then all 200
    assert nn.accuracy(model(params, X), y) > 0.85


def test_history_predict_and_evaluate():
    X, y = _blobs()
    model = nn.mlp([2, 8, 3], "tanh")
    params, hist = nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y, epochs=3,
                          progress=False)
    assert hist.val_loss == [] and len(hist["loss"]) == 3 and "loss" in hist
    assert set(hist.last()) == {"loss", "accuracy", "lr"} and "epochs=3" in repr(hist)
    with pytest.raises(AttributeError, match="no metric 'los'"):
        hist.los
    full = nn.predict(model, params, X)
    assert onp.allclose(nn.predict(model, params, X, batch_size=7), full)
    assert onp.allclose(model(params, X.tolist()), full)  # lists are accepted as input
    ev = nn.evaluate(model, params, X, y)
    assert ev["accuracy"] == nn.accuracy(full, y)
    assert ev["loss"] == pytest.approx(float(nn.softmax_cross_entropy(full, y)))


def test_fit_batchnorm_with_a_lone_last_example():
    """65 examples in batches of 64: the single leftover joins the previous batch
    (BatchNorm cannot take statistics over one example)."""
    from chainrule import nn as _nn, optim as _optim
    X = onp.random.default_rng(0).normal(size=(65, 4))
    y = onp.arange(65) % 2
    m = _nn.mlp([4, 8, 2], "tanh", batch_norm="before")
    params, hist = _nn.fit(m, m.init(), _optim.SGD(0.1), X, y, epochs=2, batch_size=64,
                           progress=False)
    assert len(hist.loss) == 2 and onp.isfinite(hist.loss).all()


def test_fit_returns_the_last_finite_parameters_when_the_loss_diverges(capsys):
    X, y = _blobs()
    model = nn.mlp([2, 8, 3], "relu")
    seen = []
    with onp.errstate(all="ignore"):
        params, hist = nn.fit(model, model.init(seed=0), optim.GD(1e30), X, y, epochs=20,
                              callbacks=[lambda info: seen.append(info.params)],
                              progress=False)
    assert hist.diverged and hist.stopped_early and not onp.isfinite(hist.loss[-1])
    assert all(onp.all(onp.isfinite(v)) for _, v in nn.named_leaves(params))
    last = seen[-1] if seen else model.init(seed=0)  # the last epoch that ended well
    assert all(onp.array_equal(a, b) for (_, a), (_, b)
               in zip(nn.named_leaves(params), nn.named_leaves(last)))
    assert "last finite parameters" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, error, message", [
    ({"batch_size": -1}, ValueError, "batch_size must be None"),
    ({"batch_size": 0}, ValueError, "batch_size must be None"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be None"),
    ({"batch_size": True}, TypeError, "batch_size must be None"),
    ({"epochs": 2.5}, TypeError, "epochs must be a whole number"),
    ({"epochs": -1}, ValueError, "epochs must be a whole number"),
    ({"validation": (onp.array([[onp.nan, 0.0]]), onp.array([0]))}, ValueError,
     "the validation X contains NaN"),
    ({"validation": (onp.zeros((2, 2)),)}, TypeError, "a pair"),
    ({"validation": (onp.zeros((2, 2)), onp.zeros(3, int))}, ValueError, "same length"),
    ({"early_stopping": 0}, TypeError, "early_stopping"),
    ({"loss": "mse"}, TypeError, "loss must be a function"),
])
def test_fit_arguments_are_checked_at_the_call(kwargs, error, message):
    X, y = _blobs()
    model = nn.Linear(2, 3)
    with pytest.raises(error, match=message):
        nn.fit(model, model.init(), optim.SGD(0.1), X, y, **{"epochs": 2, "progress": False,
                                                             **kwargs})


def test_fit_data_are_checked(capsys):
    model = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="X holds no examples"):
        nn.fit(model, model.init(), optim.SGD(0.1), onp.zeros((0, 2)), onp.zeros(0, int),
               progress=False)
    X, y = _blobs()
    X[5, 1] = onp.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinite values \(the first in row 5"):
        nn.fit(model, model.init(), optim.SGD(0.1), X, y, progress=False)
    with pytest.raises(TypeError, match="opt must be an optimizer"):
        nn.fit(model, model.init(), 0.1, X, y, progress=False)
    assert "learning rate" not in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, message", [
    ({"patience": 0}, "patience must be"), ({"patience": "5"}, "patience must be"),
    ({"patience": 2.5}, "patience must be"), ({"min_delta": -1.0}, "min_delta"),
    ({"min_delta": float("nan")}, "min_delta"), ({"mode": "up"}, "mode must be"),
    ({"monitor": 3}, "monitor must be"),
])
def test_early_stopping_arguments_are_checked(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        nn.EarlyStopping(**kwargs)
