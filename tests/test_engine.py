"""The engine's interfaces: one application of the rules, and the named tape entry.

Every site that applies a derivative rule goes through Primitive.cotangents
(reverse mode) or Primitive.tangent (forward mode): make each method raise and
every site must raise with it. A copy of the dispatch somewhere else would
keep working and fail these tests.
"""

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import explain, grad, hessian, jvp, vjp
from chainrule.core.errors import MissingRuleError
from chainrule.core.engine import Primitive, ReverseTrace, TapeEntry, backward
from chainrule.extend import custom_jvp, defjvp, defvjp, primitive


class Applied(Exception):
    """Raised by the patched rule application."""


def _raise(*args, **kwargs):
    raise Applied


def _autograd_vjp_node():
    from chainrule.tracer import VJPNode, backward_pass, trace
    _, node = trace(VJPNode.new_root(), lambda x: np.sin(x) * 2.0, 1.0)
    backward_pass(1.0, node)


def _autograd_jvp_node():
    from chainrule.tracer import JVPNode, trace
    trace(JVPNode.new_root(1.0), lambda x: np.sin(x), 1.0)


def _custom_jvp_per_argument():
    f = custom_jvp(lambda x: x * x)
    f.defjvps(lambda g, ans, x: 2.0 * x * g)
    grad(f)(3.0)  # reverse mode derived from the per-argument JVP rule


REVERSE_SITES = {
    "backward sweep (grad)": lambda: grad(np.sin)(1.0),
    "backward sweep (vjp pullback)": lambda: vjp(np.tanh, onp.ones(3))[1](onp.ones(3)),
    "explain's reverse table": lambda: explain.trace(lambda x: np.sin(x), x=1.0).reverse(),
    "autograd's VJPNode": _autograd_vjp_node,
    "hessian (forward over reverse)": lambda: hessian(lambda x: np.sum(x ** 3))(onp.ones(2)),
}

FORWARD_SITES = {
    "forward mode, one argument": lambda: jvp(np.sin, (1.0,), (1.0,)),
    "forward mode, two arguments": lambda: jvp(lambda x: x * x, (2.0,), (1.0,)),
    "explain's forward table": lambda: explain.trace(lambda x: np.sin(x), x=1.0).forward("x"),
    "autograd's JVPNode": _autograd_jvp_node,
    "custom_jvp with per-argument rules": _custom_jvp_per_argument,
}


@pytest.mark.parametrize("site", sorted(REVERSE_SITES))
def test_reverse_rules_are_applied_by_cotangents_only(monkeypatch, site):
    monkeypatch.setattr(Primitive, "cotangents", _raise)
    with pytest.raises(Applied):
        REVERSE_SITES[site]()


@pytest.mark.parametrize("site", sorted(FORWARD_SITES))
def test_forward_rules_are_applied_by_tangent_only(monkeypatch, site):
    monkeypatch.setattr(Primitive, "tangent", _raise)
    with pytest.raises(Applied):
        FORWARD_SITES[site]()


def test_cotangents_joint_rule_takes_precedence_and_missing_rules_are_named():
    p = Primitive(lambda x, y: x * y, name="mul2")
    p.defvjp(lambda g, ans, x, y: g * y)
    assert p.cotangents((0,), 2.0, None, (3.0, 5.0), {}) == (10.0,)
    with pytest.raises(MissingRuleError, match="'mul2' has no reverse-mode .* argument 1"):
        p.cotangents((0, 1), 2.0, None, (3.0, 5.0), {})
    p.vjp_joint = lambda argnums, g, ans, x, y: [g * (y if a == 0 else x) for a in argnums]
    assert list(p.cotangents((0, 1), 2.0, None, (3.0, 5.0), {})) == [10.0, 6.0]


def test_tangent_sums_arguments_then_shapes_it():
    p = Primitive(lambda x, y: x + y, name="add2").defjvp(lambda t, ans, x, y: t,
                                                          lambda t, ans, x, y: 10 * t)
    assert p.tangent([(0, 1.0), (1, 2.0)], 0.0, (1.0, 2.0), {}) == 21.0
    p.shape_tangent = lambda t, ans, batch_shape: ("shaped", t, batch_shape)
    assert p.tangent([(1, 1.0)], 0.0, (1.0, 2.0), {}, (3,)) == ("shaped", 10.0, (3,))
    with pytest.raises(MissingRuleError, match="'add2' has no forward-mode"):
        Primitive(lambda x: x, name="add2").tangent([(0, 1.0)], 0.0, (1.0,), {})


def test_a_missing_rule_is_raised_only_when_the_derivative_is_needed():
    f = primitive(lambda x: x * 2.0)
    assert f(1.0) == 2.0
    with pytest.raises(MissingRuleError, match="reverse-mode"):
        grad(f)(1.0)
    with pytest.raises(MissingRuleError, match="forward-mode"):
        jvp(f, (1.0,), (1.0,))
    defvjp(f, lambda ans, x: lambda g: 2.0 * g)
    assert grad(f)(1.0) == 2.0
    # A reverse rule alone: forward mode derives its rule from it, once, and keeps it.
    assert jvp(f, (1.0,), (1.0,)) == (2.0, 2.0)
    derived = f.__dict__["_derived_jvps"][0]
    assert jvp(f, (1.0,), (3.0,)) == (2.0, 6.0) and f.__dict__["_derived_jvps"][0] is derived
    defjvp(f, lambda g, ans, x: 7.0 * g)  # a defined rule takes precedence
    assert jvp(f, (1.0,), (1.0,)) == (2.0, 7.0)


def test_the_tape_entry_names_what_the_backward_pass_reads():
    t = ReverseTrace()
    a, b = t.new_input(onp.array([1.0, 2.0])), t.new_input(0.5)
    y = np.sum(np.sin(a) * b)
    assert t.tape[:2] == [None, None]  # one None per input
    e = t.entry(3)
    assert isinstance(e, TapeEntry) and e.prim.name == "numpy.multiply"
    assert e.argnums == (0, 1) and e.parents == (2, 1)
    assert e.ans is None  # multiply's rules do not read the output: not kept
    s = t.entry(4)  # sum keeps only the shape of its argument (needs_args=False)
    assert s.prim.name == "numpy.sum" and s.args[0].shape == (2,)
    assert not isinstance(s.args[0], onp.ndarray)
    seen = []
    adj = backward(t.tape, [(y._ref, 1.0)], 2, keep_tape=True,
                   observe=lambda i, g, cts: seen.append((i, len(cts))))
    assert [i for i, _ in seen] == [4, 3, 2]
    onp.testing.assert_allclose(adj[0], 0.5 * onp.cos([1.0, 2.0]))
    onp.testing.assert_allclose(adj[1], onp.sum(onp.sin([1.0, 2.0])))


def test_backward_releases_entries_unless_asked_to_keep_them():
    t = ReverseTrace()
    y = np.sin(t.new_input(1.0))
    backward(t.tape, [(y._ref, 1.0)], 1)
    assert t.tape == [None, None]
