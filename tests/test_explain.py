"""chainrule.explain: the lecture's tables come out exactly, and every number
in them agrees with the engine's jvp/vjp (and with finite differences)."""

import math
import pathlib
import re
import shutil
import time

import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import chainrule.numpy as np
from chainrule import explain, grad, jvp, vjp
from chainrule.explain import graph as graph_mod


def lecture(w0, w1, x):
    return np.sin(w1 * x + w0), np.cos(w1 * x + w0)


POINTS = [(0.5, 2.0, 1.5), (-1.0, 0.3, 2.0), (0.0, -1.7, -0.4)]


# ---------------------------------------------------------------------------
# The lecture's example
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("w0, w1, x", POINTS)
def test_lecture_evaluation_trace(w0, w1, x):
    ex = explain.trace(lambda w0, w1, x: (np.sin(w1 * x + w0), np.cos(w1 * x + w0)),
                       w0=w0, w1=w1, x=x)
    tab = ex.table()
    assert [r[1] for r in tab.rows] == ["a1 = w0", "a2 = w1", "a3 = x", "a4 = a2 × a3",
                                        "a5 = a4 + a1", "a6 = sin(a5)", "a7 = cos(a5)"]
    assert [r[0] for r in tab.rows] == ["w0", "w1", "x", "w1 × x", "w1 × x + w0",
                                        "y1 = sin(w1 × x + w0)", "y2 = cos(w1 × x + w0)"]
    s = w1 * x + w0
    values = [n.value for n in ex.nodes]
    assert values == pytest.approx([w0, w1, x, w1 * x, s, math.sin(s), math.cos(s)])
    assert ex.inputs == ["w0", "w1", "x"] and ex.outputs == ["y1", "y2"]


@pytest.mark.parametrize("w0, w1, x", POINTS)
def test_lecture_forward_mode(w0, w1, x):
    fw = explain.trace(lecture, w0, w1, x).forward(wrt="w1")
    assert fw.rules == ["ȧ1 = 0", "ȧ2 = 1", "ȧ3 = 0", "ȧ4 = ȧ2 · a3 + a2 · ȧ3",
                        "ȧ5 = ȧ4 + ȧ1", "ȧ6 = ȧ5 · cos(a5)", "ȧ7 = −ȧ5 · sin(a5)"]
    s = w1 * x + w0
    assert [float(t) for t in fw.tangents] == pytest.approx(
        [0, 1, 0, x, x, x * math.cos(s), -x * math.sin(s)])
    # the lecture: ∂y2/∂w1 = −x sin(w1 x + w0)
    assert float(fw.output_tangents["y2"]) == pytest.approx(-x * math.sin(s))
    assert float(fw.output_tangents["y1"]) == pytest.approx(x * math.cos(s))
    assert "∂y2/∂w1 = ȧ7" in fw.to_text()


@pytest.mark.parametrize("w0, w1, x", POINTS)
def test_lecture_reverse_mode(w0, w1, x):
    rv = explain.trace(lecture, w0, w1, x).reverse(output="y2")
    assert rv.rules == ["ā1 = ā5", "ā2 = ā4 · a3", "ā3 = ā4 · a2", "ā4 = ā5",
                        "ā5 = ā6 · cos(a5) − ā7 · sin(a5)", "ā6 = 0", "ā7 = 1"]
    # filled from the top down: the table starts at a7
    assert [r[3] for r in rv.rows] == rv.rules[::-1]
    s = w1 * x + w0
    assert [0.0 if a is None else float(a) for a in rv.adjoints] == pytest.approx(
        [-math.sin(s), -x * math.sin(s), -w1 * math.sin(s), -math.sin(s), -math.sin(s), 0, 1])
    # one backward pass gives every ∂y2/∂input
    assert rv.gradient == pytest.approx({"w0": -math.sin(s), "w1": -x * math.sin(s),
                                         "x": -w1 * math.sin(s)})
    assert "One backward pass gave every ∂y2/∂input" in rv.to_text()


def test_lecture_cost_story():
    cost = explain.trace(lecture, 0.5, 2.0, 1.5).jacobian_cost()
    assert (cost.n, cost.m) == (3, 2)
    assert (cost.forward_passes, cost.backward_passes, cost.evaluation_passes) == (3, 2, 1)
    assert cost.max_difference < 1e-12
    assert cost.conclusion.startswith("Reverse mode wins")
    s = 2.0 * 1.5 + 0.5
    assert cost.jacobian_forward[1] == pytest.approx([-math.sin(s), -1.5 * math.sin(s),
                                                      -2.0 * math.sin(s)])


def test_merge_false_keeps_the_tape_as_run():
    ex = explain.trace(lecture, 0.5, 2.0, 1.5, merge=False)
    assert [ex.line(n) for n in ex.nodes[3:]] == [
        "a4 = a2 × a3", "a5 = a4 + a1", "a6 = sin(a5)", "a7 = a2 × a3", "a8 = a7 + a1",
        "a9 = cos(a8)"]
    # and the numbers do not change
    assert ex.reverse("y2").gradient == pytest.approx(
        explain.trace(lecture, 0.5, 2.0, 1.5).reverse("y2").gradient)


def test_fan_out_adjoints_accumulate():
    rv = explain.trace(lambda x: x * x, 3.0).reverse()
    assert rv.rules[0] == "ā1 = ā2 · a1 + ā2 · a1"
    assert rv.gradient == {"x": 6.0}


# ---------------------------------------------------------------------------
# Numbers agree with the engine on random functions
# ---------------------------------------------------------------------------

UNARY = [np.sin, np.cos, np.tanh, lambda a: np.exp(0.3 * a), lambda a: np.log(a * a + 1.0),
         np.square, lambda a: -a, lambda a: np.sqrt(a * a + 0.5), np.arctan]
BINARY = [np.add, np.subtract, np.multiply, lambda a, b: a / (b * b + 1.0),
          lambda a, b: np.maximum(a, b + 0.01), lambda a, b: a ** 2 * b,
          lambda a, b: np.hypot(a, b * b + 1.0)]


def random_function(seed, n_in, n_out):
    """A random straight-line program with shared sub-expressions and fan-out."""
    rng = onp.random.default_rng(seed)
    plan = []
    for _ in range(rng.integers(3, 9)):
        if rng.random() < 0.5:
            plan.append((0, rng.integers(len(UNARY)), rng.integers(1 << 30), 0))
        else:
            plan.append((1, rng.integers(len(BINARY)), rng.integers(1 << 30),
                         rng.integers(1 << 30)))
    outs = rng.integers(1 << 30, size=n_out)

    def f(*xs):
        vals = list(xs)
        for kind, op, i, j in plan:
            a = vals[i % len(vals)]
            if kind == 0:
                vals.append(UNARY[op](a))
            else:
                vals.append(BINARY[op](a, vals[j % len(vals)]))
        res = tuple(vals[n_in + (o % (len(vals) - n_in))] * 1.0 + np.sum(vals[k % n_in]) * 0.1
                    for k, o in enumerate(outs))
        return res if n_out > 1 else res[0]
    return f


def _inputs(seed, n_in, vector):
    rng = onp.random.default_rng(seed + 1)
    return [rng.normal(size=3) if vector and k == 0 else float(rng.normal())
            for k in range(n_in)]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_tables_agree_with_jvp_and_vjp(seed, n_in, n_out, vector):
    f = random_function(seed, n_in, n_out)
    xs = _inputs(seed, n_in, vector)
    ex = explain.trace(f, *xs)
    outs = [o for o in ex.graph.outputs]
    for k, name in enumerate(ex.inputs):
        tangent = [onp.zeros_like(onp.asarray(x)) * 1.0 for x in xs]
        tangent[k] = onp.ones_like(tangent[k])
        tangent = [t if onp.ndim(x) else float(t) for t, x in zip(tangent, xs, strict=True)]
        _, expected = jvp(f, tuple(xs), tuple(tangent))
        expected = expected if n_out > 1 else (expected,)
        fw = ex.forward(wrt=name)
        for (oname, _, _), e in zip(outs, expected, strict=True):
            onp.testing.assert_allclose(fw.output_tangents[oname], e, rtol=1e-10, atol=1e-12)
    out, pullback = vjp(f, *xs)
    out = out if n_out > 1 else (out,)
    for k, (oname, _, _) in enumerate(outs):
        ct = tuple(onp.ones_like(onp.asarray(o)) * (i == k) for i, o in enumerate(out))
        expected = pullback(ct if n_out > 1 else ct[0])
        rv = ex.reverse(output=oname)
        for name, e in zip(ex.inputs, expected, strict=True):
            onp.testing.assert_allclose(rv.gradient[name], e, rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_every_node_tangent_matches_finite_differences(seed, n_in):
    f = random_function(seed, n_in, 1)
    xs = _inputs(seed, n_in, False)
    h = 1e-6
    ex = explain.trace(f, *xs)
    for k, name in enumerate(ex.inputs):
        up = list(xs)
        up[k] += h
        dn = list(xs)
        dn[k] -= h
        ex_up, ex_dn = explain.trace(f, *up), explain.trace(f, *dn)
        if len(ex_up.nodes) != len(ex.nodes) or len(ex_dn.nodes) != len(ex.nodes):
            continue  # a maximum switched branch, or merging changed: skip this point
        tans = ex.forward(wrt=name).tangents
        for node, t in zip(ex.nodes, tans, strict=True):
            fd = (onp.asarray(ex_up.nodes[node.index].value)
                  - onp.asarray(ex_dn.nodes[node.index].value)) / (2 * h)
            onp.testing.assert_allclose(t, fd, rtol=1e-4, atol=1e-5, err_msg=ex.line(node))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_adjoints_are_consistent_with_tangents(seed, n_in):
    # For any node a_i: ā_i · ȧ_i summed over the inputs equals dy/dw (the chain rule,
    # read off both tables): here checked at the inputs and at the output.
    f = random_function(seed, n_in, 1)
    ex = explain.trace(f, *_inputs(seed, n_in, False))
    rv = ex.reverse()
    out_node = ex.graph.outputs[0][1]
    for name in ex.inputs:
        fw = ex.forward(wrt=name)
        assert float(fw.tangents[out_node]) == pytest.approx(rv.gradient[name], rel=1e-9,
                                                             abs=1e-12)


def test_input_adjoints_equal_the_engine_backward():
    from chainrule.core.engine import backward
    from chainrule.explain.record import RecordingTrace
    t = RecordingTrace()
    a, b = t.new_input(0.7), t.new_input(-1.2)
    y = np.sin(a * b) + np.exp(a) * b
    adj = backward(t.tape, [(y._ref, 1.0)], 2, keep_tape=True)
    rv = explain.trace(lambda a, b: np.sin(a * b) + np.exp(a) * b, 0.7, -1.2).reverse()
    assert [rv.gradient["a"], rv.gradient["b"]] == pytest.approx([float(adj[0]), float(adj[1])])
    # the recording trace keeps every argument and output, even where no rule reads them
    ops = [e for e in t.tape if e is not None]
    assert [e.prim.name for e in ops] == ["numpy.multiply", "numpy.sin", "numpy.exp",
                                          "numpy.multiply", "numpy.add"]
    assert all(e.ans is not None for e in ops)
    assert ops[-1].args[0] is not None and ops[-1].argnums == (0, 1)


# ---------------------------------------------------------------------------
# Vector nodes: an MLP loss on a batch
# ---------------------------------------------------------------------------

def mlp_loss(params, X, y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.mean((out - y) ** 2)


def _mlp(batch=128, hidden=32):
    rng = onp.random.default_rng(0)
    params = {"W1": rng.normal(size=(4, hidden)), "b1": onp.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)), "b2": onp.zeros(1)}
    return params, rng.normal(size=(batch, 4)), rng.normal(size=(batch, 1))


def test_mlp_loss_traced_drawn_and_explained_quickly():
    params, X, y = _mlp()
    t0 = time.perf_counter()
    ex = explain.trace(mlp_loss, params, X, y, constants=("X", "y"))
    text = ex.table().to_text()
    fw = ex.forward("params.W1[0, 1]")
    rv = ex.reverse()
    dot = ex.to_dot(show="adjoint")
    assert time.perf_counter() - t0 < 3.0
    # one node per primitive, not per element
    assert len(ex.nodes) == 12
    assert ex.inputs == ["params.W1", "params.b1", "params.W2", "params.b2"]
    assert "a5 = X @ a1" in text and "a10 = a9 − y" in text
    assert "a12 = mean(a11)" in text  # one primitive
    assert dot.count("->") == 11
    g = grad(mlp_loss)(params, X, y)
    for k, name in [("W1", "params.W1"), ("b1", "params.b1"), ("W2", "params.W2"),
                    ("b2", "params.b2")]:
        onp.testing.assert_allclose(rv.gradient[name], g[k], rtol=1e-12)
    assert float(fw.output_tangents["mlp_loss"]) == pytest.approx(g["W1"][0, 1])
    assert rv.rules[1] == "ā2 = unbroadcast(ā6)"  # b1 was broadcast over the batch
    assert rv.rules[0] == "ā1 = Xᵀ @ ā5"


def test_mlp_cost_favours_reverse_mode():
    params, X, y = _mlp(batch=16, hidden=4)
    cost = explain.trace(mlp_loss, params, X, y, constants=("X", "y")).jacobian_cost()
    n = 4 * 4 + 4 + 4 + 1
    assert (cost.n, cost.m, cost.forward_passes, cost.backward_passes) == (n, 1, n, 1)
    assert "backpropagation" in cost.conclusion
    g = grad(mlp_loss)(params, X, y)
    onp.testing.assert_allclose(cost.jacobian_reverse[0, :16], g["W1"].ravel(), rtol=1e-12)


def test_max_rows_limits_the_tables():
    def long_chain(x):
        for _ in range(200):
            x = np.sin(x) + 0.1
        return x
    ex = explain.trace(long_chain, 0.3)
    tab = ex.table(max_rows=10)
    text = tab.to_text()
    assert len(text.splitlines()) < 20
    assert "391 rows not shown" in text
    assert "a401 = a400 + 0.1" in text
    assert "rows not shown" in tab.to_markdown() and "rows not shown" in tab.to_html()
    assert len(ex.reverse(max_rows=6).to_text().splitlines()) < 15


# ---------------------------------------------------------------------------
# Forward/reverse options, shapes, constants, names
# ---------------------------------------------------------------------------

def test_forward_tangent_direction_and_element():
    ex = explain.trace(lambda v: np.sum(v * v), onp.array([1.0, 2.0, 3.0]))
    assert float(ex.forward("v[2]").output_tangents["y"]) == pytest.approx(6.0)
    fw = ex.forward(tangent=[1.0, 0.0, 1.0])
    assert float(fw.output_tangents["y"]) == pytest.approx(8.0)
    assert "derivative along the seed ȧ1" in fw.title
    with pytest.raises(ValueError, match="shape"):
        ex.forward(tangent=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"not an element of v \(shape \(3,\)\)"):
        ex.forward("v[3]")


def test_reverse_of_an_array_output_uses_a_seed():
    ex = explain.trace(lambda v: np.sin(v), onp.array([0.0, 1.0]))
    rv = ex.reverse()
    onp.testing.assert_allclose(rv.gradient["v"], onp.cos([0.0, 1.0]))
    assert "is not a scalar" in rv.to_text()
    rv = ex.reverse(cotangent=[0.0, 2.0])
    onp.testing.assert_allclose(rv.gradient["v"], [0.0, 2 * onp.cos(1.0)])


def test_unknown_names_are_reported():
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    with pytest.raises(ValueError, match=r"no input named 'q'.*\['w0', 'w1', 'x'\]"):
        ex.forward("q")
    with pytest.raises(ValueError, match=r"no output named 'y3'.*\['y1', 'y2'\]"):
        ex.reverse("y3")


def test_constants_inputs_and_names():
    labels = onp.array([0, 2, 1])
    scores = onp.arange(9.0).reshape(3, 3) / 10

    def f(s, labels, scale=2.0):
        return np.sum(s[onp.arange(3), labels]) * scale
    ex = explain.trace(f, scores, labels)
    assert ex.inputs == ["s"]  # integer arrays are constants, defaults are not inputs
    assert ex.line(ex.nodes[1]) == "a2 = a1[[0, 1, 2], [0, 2, 1]]"
    assert ex.line(ex.nodes[3]) == "a4 = a3 × 2"
    ex = explain.trace(lambda a, b: a * b, 2, 3.0)  # Python ints are inputs, as floats
    assert ex.reverse().gradient == {"a": 3.0, "b": 2.0}
    ex = explain.trace(np.sin, 0.5)
    assert ex.inputs == ["x"] and ex.line(ex.nodes[1]) == "a2 = sin(a1)"
    ex = explain.trace(lambda *xs: xs[0] * xs[1], 1.0, 2.0, names=["p", "q"],
                       output_names=["r"])
    assert (ex.inputs, ex.outputs) == (["p", "q"], ["r"])
    with pytest.raises(ValueError, match="not arguments"):
        explain.trace(lecture, 0.5, 2.0, 1.5, constants=("z",))


def test_outputs_that_are_inputs_or_constants():
    ex = explain.trace(lambda x: (x, x * x, 3.0), 2.0)
    assert ex.outputs == ["y1", "y2", "y3"]
    assert "y3 = 3 does not depend on the inputs" in ex.table().to_text()
    assert float(ex.forward().output_tangents["y1"]) == 1.0
    with pytest.raises(ValueError, match="does not depend"):
        ex.reverse("y3")


def test_generic_rules_for_primitives_without_templates():
    ex = explain.trace(lambda x, y: np.arctan2(x, y), 1.0, 2.0)
    assert ex.forward().rules[-1] == "ȧ3 = ∂arctan2/∂a1 · ȧ1 + ∂arctan2/∂a2 · ȧ2"
    assert ex.reverse().rules[0] == "ā1 = ā3 · ∂arctan2/∂a1"
    assert ex.reverse().gradient["x"] == pytest.approx(2.0 / 5.0)


@pytest.mark.parametrize("fun, x, rule", [
    (lambda x: np.exp(x), 0.3, "ȧ2 = ȧ1 · a2"),
    (lambda x: np.log(x), 0.3, "ȧ2 = ȧ1 / a1"),
    (lambda x: np.tanh(x), 0.3, "ȧ2 = ȧ1 · (1 − a2^2)"),
    (lambda x: x ** 3, 0.3, "ȧ2 = 3 · a1^2 · ȧ1"),
    (lambda x: 1.0 / x, 0.3, "ȧ2 = −ȧ1 / a1^2"),
    (lambda x: -x, 0.3, "ȧ2 = −ȧ1"),
])
def test_math_form_templates(fun, x, rule):
    fw = explain.trace(fun, x).forward()
    assert fw.rules[-1] == rule
    assert float(fw.tangents[-1]) == pytest.approx(float(jvp(fun, (x,), (1.0,))[1]))


def test_parenthesised_expressions():
    ex = explain.trace(lambda a, b, c: (a - (b - c), (a + b) * c, -(a + b), (a * b) ** c),
                       1.0, 2.0, 3.0)
    assert [r[0] for r in ex.table().rows[3:]] == [
        "b − c", "y1 = a − (b − c)", "a + b", "y2 = (a + b) × c", "y3 = −(a + b)", "a × b",
        "y4 = (a × b)^c"]


# ---------------------------------------------------------------------------
# Output formats and the graph
# ---------------------------------------------------------------------------

def test_markdown_and_html():
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    md = ex.to_markdown()
    assert "| a5 = a4 + a1 | 3.5 |" in md.replace("|  ", "| ")
    assert md.splitlines()[2].startswith("| expression |")
    h = ex._repr_html_()
    assert h.startswith("<table") and "<td style=\"text-align:left\">a6 = sin(a5)</td>" in h
    rep = ex.report(wrt="w1", output="y2", cost=True)
    assert len(rep.parts) == 4
    assert "Forward mode" in rep.to_text() and "Reverse mode" in rep.to_markdown()
    assert rep._repr_html_().count("<table") == 4
    assert ex.forward()._repr_html_().count("<tr>") == 8
    assert str(ex) == ex.table().to_text()


def test_html_is_escaped():
    ex = explain.trace(lambda x: x * 2.0, 1.0, names=["<b>"])
    assert "&lt;b&gt;" in ex._repr_html_() and "<b>" not in ex._repr_html_()


def test_dot_text():
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    dot = ex.to_dot()
    assert dot.startswith("digraph chainrule {") and dot.rstrip().endswith("}")
    assert 'a6 [label="y1 = a6 = sin(a5)\\n-0.3508"' in dot
    assert "a5 -> a6;" in dot and "a2 -> a4;" in dot
    assert "ȧ" not in dot and "ā" not in dot
    dot = ex.to_dot(show="tangent", wrt="w1")
    assert "ȧ7 = 0.5262" in dot and "ā7" not in dot
    dot = ex.to_dot(show="adjoint", output="y2")
    assert "ā5 = 0.3508" in dot and 'a4 -> a5 [label="0.3508"]' in dot
    assert "ȧ7" in ex.to_dot(show="both")
    with pytest.raises(ValueError, match="show must be"):
        ex.to_dot(show="gradient")


def test_render_dot_file_without_graphviz(tmp_path):
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    p = ex.render(tmp_path / "g.dot", show="adjoint")
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")
    assert p == tmp_path / "g.dot"
    with pytest.raises(ValueError, match="cannot render"):
        ex.render(tmp_path / "g.txt")


def test_render_says_clearly_when_dot_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    with pytest.raises(explain.GraphvizNotFoundError,
                       match="Graphviz 'dot' program is not installed"):
        ex.render(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
@pytest.mark.parametrize("ext, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_render_svg_and_png(tmp_path, ext, magic):
    ex = explain.trace(lecture, 0.5, 2.0, 1.5)
    path = tmp_path / f"g{ext}"
    ex.render(path, show="both", wrt="w1", output="y2")
    data = path.read_bytes()
    assert data.startswith(magic)
    if ext == ".svg":
        assert "a5 = a4 + a1" in data.decode("utf-8")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_render_mlp_quickly(tmp_path):
    params, X, y = _mlp()
    t0 = time.perf_counter()
    explain.trace(mlp_loss, params, X, y, constants=("X", "y")).render(
        tmp_path / "mlp.svg", show="adjoint")
    assert time.perf_counter() - t0 < 5.0


# ---------------------------------------------------------------------------
# The documentation stays true
# ---------------------------------------------------------------------------

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_docs_python_examples_run(capsys):
    text = (DOCS / "explain.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    for k, code in enumerate(blocks):
        exec(compile(code, f"docs/explain.md block {k}", "exec"), {})  # noqa: S102 - our docs
    assert "ā5 = ā6 · cos(a5) − ā7 · sin(a5)" in capsys.readouterr().out


def test_docs_text_example_is_the_current_output(capsys):
    from chainrule import cli
    assert cli.main(["trace", "y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)", "--at", "w0=0.5",
                     "w1=2", "x=1.5", "--wrt", "w1", "--output", "y2", "--mode", "both"]) == 0
    out = capsys.readouterr().out
    assert out == (DOCS / "explain-lecture.txt").read_text(encoding="utf-8")
    md = (DOCS / "explain.md").read_text(encoding="utf-8")
    assert out.rstrip("\n") in md
    assert (DOCS / "explain-lecture.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize("module", ["__init__", "cost", "explanation", "expr", "graph", "passes",
                                    "record", "rules_text", "tables"])
def test_docstring_examples(module):
    import doctest
    import importlib
    name = "chainrule.explain" + ("" if module == "__init__" else "." + module)
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0
