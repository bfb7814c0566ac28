"""CuPy on a real GPU: rules stay on the device.

Skipped (with the reason) without CuPy or a GPU; ``make gpu-check`` sets
``CHAINRULE_REQUIRE_GPU=1`` so that there a missing GPU fails instead. The
CPU stand-in tests/fakecupy.py checks the same promises on every run
(tests/test_array_modules.py and test_device_transfers_fake below).

* the rule table's core, linalg, fft and extra entries on CuPy arrays equal
  the NumPy run (as for fakecupy);
* a W2-sized gradient (N=256, D=784, M=512, C=10) makes no device-to-host
  transfer: ``cupy.ndarray.get``, ``__array__`` and ``cupy.asnumpy`` are
  patched to count calls;
* integer-array indexing's VJP goes through ``cupyx.scatter_add``.
"""

import os

import numpy as onp
import pytest

import chainrule
import chainrule.numpy as np

from . import fakecupy

_REQUIRE = os.environ.get("CHAINRULE_REQUIRE_GPU") == "1"


def _cupy_or_skip():
    try:
        import cupy
        cupy.cuda.runtime.getDeviceCount()
        return cupy
    except Exception as e:  # no CuPy, or no device / driver
        if _REQUIRE:
            raise
        pytest.skip(f"needs CuPy and a GPU ('chainrule[gpu]'): {e}")


def _w2(xp, rng, dtype):
    N, D, M, C = 256, 784, 512, 10
    X = xp.asarray(rng.standard_normal((N, D)).astype(dtype))
    Y = xp.asarray(onp.eye(C, dtype=dtype)[rng.integers(0, C, N)])
    V = xp.asarray((rng.standard_normal((M, D)) / onp.sqrt(D)).astype(dtype))
    W = xp.asarray((rng.standard_normal((C, M)) / onp.sqrt(M)).astype(dtype))
    return V, W, X, Y


def _w2_loss(V, W, X, Y):
    from chainrule.scipy.special import logsumexp
    H = np.maximum(X @ V.T, 0.0)
    S = H @ W.T
    return np.mean(logsumexp(S, axis=1, keepdims=True) - np.sum(Y * S, axis=1, keepdims=True))


class _Counter:
    """Counts device-to-host copies by patching the array type's exits."""

    def __init__(self, monkeypatch, mod, array_type):
        self.n = 0
        for name in ("get", "__array__"):
            orig = getattr(array_type, name)
            monkeypatch.setattr(array_type, name, self._counting(orig))
        monkeypatch.setattr(mod, "asnumpy", self._counting(mod.asnumpy))

    def _counting(self, f):
        def g(*a, **k):
            self.n += 1
            return f(*a, **k)
        return g


def _check_no_transfers(monkeypatch, xp, array_type):
    rng = onp.random.default_rng(0)
    V, W, X, Y = _w2(xp, rng, onp.float32)
    vg = chainrule.value_and_grad(_w2_loss, argnum=(0, 1))
    vg(V, W, X, Y)  # warm up (kernel compilation)
    counter = _Counter(monkeypatch, xp, array_type)
    loss, (gV, gW) = vg(V, W, X, Y)
    assert counter.n == 0, f"{counter.n} device-to-host transfers during a W2 gradient"
    assert type(gV) is array_type and type(gW) is array_type and type(loss) is array_type
    assert gV.dtype == onp.float32
    return loss, gV, gW


def test_device_transfers_fake(monkeypatch):
    """The same count on the CPU stand-in (runs everywhere)."""
    loss, gV, gW = _check_no_transfers(monkeypatch, fakecupy, fakecupy.ndarray)
    rng = onp.random.default_rng(0)
    V, W, X, Y = _w2(onp, rng, onp.float32)
    want = chainrule.value_and_grad(_w2_loss, argnum=(0, 1))(V, W, X, Y)
    onp.testing.assert_allclose(fakecupy.asnumpy(gW), want[1][1], rtol=1e-4, atol=1e-6)


def test_device_transfers_cupy(monkeypatch):
    cp = _cupy_or_skip()
    loss, gV, gW = _check_no_transfers(monkeypatch, cp, cp.ndarray)
    monkeypatch.undo()
    rng = onp.random.default_rng(0)
    V, W, X, Y = _w2(onp, rng, onp.float32)
    want = chainrule.value_and_grad(_w2_loss, argnum=(0, 1))(V, W, X, Y)
    onp.testing.assert_allclose(cp.asnumpy(gV), want[1][0], rtol=1e-3, atol=1e-5)
    onp.testing.assert_allclose(cp.asnumpy(gW), want[1][1], rtol=1e-3, atol=1e-5)


def test_scatter_add_through_cupyx():
    cp = _cupy_or_skip()
    x = cp.arange(5.0)
    idx = onp.array([0, 2, 0, 4])
    g = chainrule.grad(lambda x: np.sum(x[idx] * cp.arange(1.0, 5.0)))(x)
    onp.testing.assert_allclose(cp.asnumpy(g), [4.0, 0, 2.0, 0, 4.0])


def test_rule_table_on_cupy(monkeypatch):
    """tests/test_array_modules.py's table, on CuPy instead of the stand-in."""
    cp = _cupy_or_skip()
    from . import test_array_modules as T
    monkeypatch.setattr(T, "xp", cp)
    failures = []
    for p in T._params():
        if p.marks:
            continue
        case, k = p.values
        try:
            T.test_rule_on_fake_cupy(case, k)
        except Exception as e:  # collect, report all at once
            failures.append(f"{p.id}: {type(e).__name__}: {str(e)[:120]}")
    assert not failures, f"{len(failures)} entries failed on CuPy:\n" + "\n".join(failures[:40])


def test_scipy_special_on_cupy_names_the_missing_function():
    """SciPy-backed rules: cupyx.scipy.special where it has the function, else an
    error naming the function and CuPy."""
    cp = _cupy_or_skip()
    from chainrule.scipy import special
    x = cp.asarray([0.5, 1.5])
    try:
        g = chainrule.grad(lambda x: np.sum(special.gammaln(x)))(x)
    except TypeError as e:
        assert "gammaln" in str(e)
    else:
        assert type(g) is cp.ndarray
