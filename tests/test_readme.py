"""The README's Python examples run as written, and what they say about their
results is true (the documentation stays true)."""

import contextlib
import io
import pathlib
import re

import numpy as onp
import pytest

from chainrule import grad
from chainrule.test_util import check_grads, numerical_grad

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _quick_start(ns):
    W, V, X, Y, loss = ns["W"], ns["V"], ns["X"], ns["Y"], ns["loss"]
    num_w = numerical_grad(lambda w: loss(w, V, X, Y))(W)
    num_v = numerical_grad(lambda v: loss(W, v, X, Y))(V)
    onp.testing.assert_allclose(ns["dW"], num_w, rtol=1e-5, atol=1e-8)
    onp.testing.assert_allclose(ns["dV"], num_v, rtol=1e-5, atol=1e-8)
    x = ns["x"]
    onp.testing.assert_allclose(ns["ydot"], onp.cos(x), rtol=1e-14)
    onp.testing.assert_allclose(ns["xbar"], 1 - onp.tanh(x) ** 2, rtol=1e-14)
    onp.testing.assert_allclose(ns["H"], onp.diag(2 * onp.cos(2 * x)), atol=1e-14)
    # what the block prints is what its comments say
    said = [line.split("#", 1)[1].split(":", 1)[-1].strip() for line in ns["__code__"].splitlines()
            if line.startswith("print(")]
    assert ns["__stdout__"].splitlines() == said


def _lecture(ns):
    w0, w1, x = 0.5, 2.0, 1.5
    a5 = w1 * x + w0
    assert abs(ns["dy2_dw1"] - 0.526174841534) < 1e-12  # "== 0.526174841534..."
    assert ns["dy1_dw1"] == pytest.approx(x * onp.cos(a5), rel=1e-14)
    assert ns["dy2_dw0"] == pytest.approx(-onp.sin(a5), rel=1e-14)
    assert ns["dy2_dx"] == pytest.approx(-w1 * onp.sin(a5), rel=1e-14)


def _explain(ns):
    g = ns["rv"].gradient
    assert g == pytest.approx({"w0": 0.350783, "w1": 0.526175, "x": 0.701566}, abs=1e-6)
    cost = ns["ex"].jacobian_cost()
    assert (cost.forward_passes, cost.backward_passes) == (3, 2)  # "3 forward or 2 backward"


def _explain_mlp(ns):
    assert "1 backward pass instead of 41 forward passes" in ns["ex"].jacobian_cost().conclusion
    assert len(ns["ex"].nodes) == 12  # "the MLP below has 12 nodes"


def _iris(ns):
    acc = ns["nn"].accuracy(ns["model"](ns["params"], ns["X"]), ns["y"])
    assert round(float(ns["history"].loss[-1]), 3) == 0.149  # "# 0.149 0.967"
    assert round(float(acc), 3) == 0.967
    # The quoted digits must not hang on the last bit of the start (at lr=0.5 a 1e-13
    # change of the initial weights moved them: a different NumPy build moved them too).
    nn, model, X, y = ns["nn"], ns["model"], ns["X"], ns["y"]
    rng = onp.random.default_rng(1)
    start = [{k: v * (1 + 1e-12 * rng.standard_normal(v.shape)) for k, v in layer.items()}
             for layer in model.init(seed=0)]
    params, history = nn.fit(model, start, ns["optim"].GD(lr=0.1), X, y,
                             loss=nn.softmax_cross_entropy, epochs=2000, batch_size=None,
                             seed=0, progress=False)
    assert round(float(history.loss[-1]), 3) == 0.149
    assert round(float(nn.accuracy(model(params, X), y)), 3) == 0.967


def _new_primitive(ns):
    f = ns["logsumexp1d"]
    x = onp.array([0.5, -1.0, 2.0])
    onp.testing.assert_allclose(grad(f)(x), onp.exp(x) / onp.sum(onp.exp(x)), rtol=1e-14)
    check_grads(f, modes=("fwd", "rev"), order=1)(x)


def _jit(ns):
    step, program = ns["step"], ns["step"].program(ns["W1"], ns["V1"], ns["X"], ns["Y"])
    assert step.recordings == 1 and step.replays == 199  # "the first call records"
    W1, V1 = ns["W"], ns["V"]  # the same loop, eagerly: the same numbers, bit for bit
    for _ in range(200):
        _, (dW1, dV1) = ns["value_and_grad"](ns["loss"], argnums=(0, 1))(W1, V1, ns["X"], ns["Y"])
        W1, V1 = W1 - 0.1 * dW1, V1 - 0.1 * dV1
    assert onp.array_equal(W1, ns["W1"]) and onp.array_equal(V1, ns["V1"])
    assert "a1 = W" in str(program) and "def replay(" in program.source


# What each block says about its results, found by a line of the block.
CLAIMS = [
    ("dW, dV = grad(loss, argnums=(0, 1))(W, V, X, Y)", _quick_start),
    ("(y1, y2), (dy1_dw1, dy2_dw1) = jvp(f,", _lecture),
    ('rv = ex.reverse(output="y2")', _explain),
    ('print(ex.jacobian_cost().conclusion)', _explain_mlp),
    ("params, history = nn.fit(model, params, opt, X, y,", _iris),
    ("def logsumexp1d(x):", _new_primitive),
    ("step = jit(value_and_grad(loss, argnums=(0, 1)))", _jit),
]


def test_readme_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("k", range(len(BLOCKS)))
def test_readme_block_runs(k):
    checks = [c for marker, c in CLAIMS if marker in BLOCKS[k]]
    assert checks, (f"README block {k} has no checked claim: add what it says about its "
                    f"results to CLAIMS in tests/test_readme.py:\n{BLOCKS[k]}")
    # Each block runs as written, on its own: a reader copies one block, not the page.
    namespace = {"__code__": BLOCKS[k]}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[k], f"README block {k}", "exec"), namespace)  # noqa: S102 - our docs
    namespace["__stdout__"] = out.getvalue()
    for check in checks:
        check(namespace)


def test_speed_block_is_the_recorded_bench_run():
    """README's Speed numbers are those of the committed `make bench` JSON, rendered by
    benchmarks/readme_table.py: a new run means a new JSON and a new block, never a hand edit."""
    import importlib.util
    import json

    root = pathlib.Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("readme_table",
                                                  root / "benchmarks" / "readme_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = json.loads((root / "benchmarks" / "results" / "bench.json").read_text())
    text = (root / "README.md").read_text()
    block = text.split("<!-- bench:begin -->\n", 1)[1].split("\n<!-- bench:end -->", 1)[0]
    assert block == mod.render(data)
    cells = {(c["workload"], c["case"], c["system"]): c for c in data["cells"]}
    w1 = cells[("W1", "iris-step", "chainrule")]["ratio"]
    w1_jit = cells[("W1", "iris-step", "chainrule-jit")]["ratio"]
    w3 = cells[("W3", "op-overhead", "chainrule")]["median_per_op_us"]
    w3_jit = cells[("W3", "op-overhead", "chainrule-jit")]["median_per_op_us"]
    assert (f"The Iris step (W1) runs at {w1_jit:.2f}× hand-written NumPy\ninstead of "
            f"{w1:.2f}×, the 200-op chain (W3) at {w3_jit:.2f} µs per op instead of "
            f"{w3:.2f} µs") in text
    d1 = {(b["case"], b["system"]): b for b in data["backends"] if b["workload"] == "D1"}
    peaks = [b["worker_peak_mib"] for b in d1.values()]
    assert (f"value and gradient in {d1[('value+grad', 'chainrule')]['ratio']:.2f}× the time of "
            f"the hand-written\nDask formulas and a Hessian-vector product in "
            f"{d1[('hvp', 'chainrule')]['ratio']:.2f}× (the Speed run), each worker peaking at\n"
            f"{min(peaks):.0f}–{max(peaks):.0f} MiB resident") in text
