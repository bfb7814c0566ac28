"""The shape of ``chainrule.numpy``: every NumPy function is accounted for,
the functions without a rule are a deliberate, explicit list, each group
behaves as promised on traced values, and the submodules are chainrule's."""

import warnings

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import grad, jvp
from chainrule.core.errors import MissingRuleError
from chainrule.core.engine import Box
from chainrule.numpy import NONDIFF, NORULE, _PASSTHROUGH_FUNCS, classify

#: NumPy functions that chainrule deliberately leaves without a derivative
#: rule. Adding or removing one must be a conscious change of this list.
EXPECTED_NORULE = set()

GROUPS = {"primitive", "composite", "nondiff", "norule", "passthrough"}


def _public_functions():
    for name in dir(onp):
        if name.startswith("_"):
            continue
        obj = getattr(onp, name)
        if callable(obj) and not isinstance(obj, type):
            yield name


def test_every_numpy_function_is_classified():
    unplanned = []
    for name in _public_functions():
        group = classify(name)
        assert group in GROUPS, (name, group)
        # Pass-through is for I/O, printing and configuration, by name only:
        # a NumPy function that falls there by accident has lost its rule.
        if group == "passthrough" and name not in _PASSTHROUGH_FUNCS:
            unplanned.append(name)
    assert not unplanned, f"functions classified pass-through by accident: {unplanned}"


def test_norule_is_the_explicit_list():
    assert set(NORULE) == {"numpy." + n for n in EXPECTED_NORULE}, (
        "the set of NumPy functions without a rule changed: define a rule (in the "
        "chainrule.numpy module of its family), list "
        "the function as non-differentiable (nondiff.py), or update EXPECTED_NORULE")


def test_classify_examples():
    assert classify("sin") == "primitive"
    assert classify("mean") == "composite"
    assert classify("median") == "composite"
    assert classify("argmax") == "nondiff"
    assert classify("einsum_path") == "nondiff"
    assert classify("save") == "passthrough"
    assert classify("float64") == "passthrough"
    with pytest.raises(ValueError, match="'nonexistent' is not a public name"):
        classify("nonexistent")


def test_submodules_list_their_public_names():
    for mod in (np.fft, np.linalg):
        names = dir(mod)
        assert names == sorted(mod.__all__), mod.__name__
        assert not {"Box", "defprim", "cholesky_p", "cnp"} & set(names)


def _same(got, want):
    if isinstance(want, (tuple, list)) and not isinstance(got, onp.ndarray):
        return len(got) == len(want) and all(_same(a, b) for a, b in zip(got, want))
    if isinstance(want, (onp.dtype, type, str)):
        return got == want
    return onp.allclose(onp.asarray(got, dtype=complex), onp.asarray(want, dtype=complex),
                        equal_nan=True)


def _list_inputs_probe():
    """Every public function of chainrule.numpy that NumPy's accepts lists for, on lists:
    plain (the same values as NumPy's) and holding traced values (no error, same values)."""
    from chainrule.core.engine import ReverseTrace, getval
    L1, L2 = [0.3, 0.5, 0.7], [[0.3, 0.5], [0.7, 0.2]]
    calls = [(L1,), (L2,), (L1, L1), (L2, L2), (L2, 0), (L1, 1), (L2, L1[:2]), (0.3,),
             (L1, 0.5)]
    skip = {"empty_like", "empty", "take"}  # uninitialised values; float indices
    tested, failures = 0, []

    def boxed(v, t):
        return [boxed(e, t) for e in v] if isinstance(v, list) else (
            t.new_input(v) if isinstance(v, float) else v)

    def plain(v):
        v = getval(v)
        return [plain(e) for e in v] if isinstance(v, (list, tuple)) else v
    for name in _public_functions():
        f, g = getattr(np, name, None), getattr(onp, name)
        if name in skip or name in _PASSTHROUGH_FUNCS or np.classify(name) == "passthrough":
            continue
        for args in calls:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    want = g(*args)
            except Exception:
                continue
            if want is None or callable(want) or isinstance(want, tuple) and hasattr(
                    want, "_fields"):
                break
            tested += 1
            # traced: the first argument (the array-like) holds traced scalars
            for kind, a in (("plain", args),
                            ("traced", (boxed(args[0], ReverseTrace()),) + args[1:])):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        got = plain(f(*a))
                    ok = _same(got, want)
                except Exception as e:  # noqa: BLE001 - reported below
                    ok, got = False, f"{type(e).__name__}: {e}"
                if not ok:
                    failures.append(f"{name}{kind}: {got!r:.120}")
            break
    return tested, failures


def test_every_function_takes_lists_plain_and_traced():
    tested, failures = _list_inputs_probe()
    assert tested > 250, tested
    assert not failures, "\n".join(failures)


@pytest.fixture
def fresh_norule(monkeypatch):
    """A NumPy function chainrule has never heard of, installed the way the
    namespace installs every such function."""
    name = "chainrule_test_new_function"
    fun = lambda x: x * 2.0  # noqa: E731
    monkeypatch.setattr(onp, name, fun, raising=False)
    monkeypatch.setattr(np, name, fun, raising=False)  # as ``from numpy import *`` binds it
    np._install_norule()
    yield name
    NORULE.pop("numpy." + name, None)


def _norule_names(extra):
    return sorted({n.split(".", 1)[1] for n in NORULE} | {extra})


def test_norule_raises_missing_rule_error(fresh_norule):
    for name in _norule_names(fresh_norule):
        f = getattr(np, name)
        assert classify(name) == "norule"
        with pytest.raises(MissingRuleError) as info:
            grad(lambda x, f=f: np.sum(f(x)))(onp.ones(3))
        msg = str(info.value)
        assert name in msg and "chainrule.extend.defvjp" in msg, msg
        with pytest.raises(MissingRuleError) as info:
            jvp(lambda x, f=f: f(x), (onp.ones(3),), (onp.ones(3),))
        assert name in str(info.value) and "chainrule.extend.defjvp" in str(info.value)


def test_norule_works_on_plain_values(fresh_norule):
    onp.testing.assert_allclose(getattr(np, fresh_norule)(onp.ones(2)), 2.0)


# -- non-differentiable functions: traced in, plain out --------------------------------------

NONDIFF_CALLS = {
    "argmax": lambda x: np.argmax(x),
    "argsort": lambda x: np.argsort(x),
    "floor": lambda x: np.floor(x),
    "sign": lambda x: np.sign(x),
    "round": lambda x: np.round(x, 1),
    "isnan": lambda x: np.isnan(x),
    "greater": lambda x: np.greater(x, 0.0),
    "searchsorted": lambda x: np.searchsorted(onp.arange(3.0), x),
    "digitize": lambda x: np.digitize(x, onp.arange(3.0)),
    "histogram": lambda x: np.histogram(x, bins=3)[0],
    "unique": lambda x: np.unique(x),
    "zeros_like": lambda x: np.zeros_like(x),
    "shape": lambda x: np.shape(x),
    "einsum_path": lambda x: np.einsum_path("i,i->", x, x)[0],
    "fft.fftfreq": lambda x: np.fft.fftfreq(4, d=x[0]),
    "fft.rfftfreq": lambda x: np.fft.rfftfreq(5),
}


@pytest.mark.parametrize("name", sorted(NONDIFF_CALLS))
def test_nondiff_returns_plain_values(name):
    seen = []

    def f(x):
        r = NONDIFF_CALLS[name](x)
        seen.append(r)
        return np.sum(x * x)
    x = onp.array([0.3, -1.2, 2.5])
    onp.testing.assert_allclose(grad(f)(x), 2 * x)
    jvp(f, (x,), (onp.ones(3),))
    for r in seen:
        items = r if isinstance(r, (tuple, list)) else [r]
        assert not any(type(v) is Box for v in items), (name, r)
    assert ("numpy." + name) in NONDIFF


def test_every_listed_nondiff_is_registered():
    from chainrule.numpy.nondiff import NONDIFFERENTIABLE
    for name in NONDIFFERENTIABLE:
        if hasattr(onp, name):
            assert classify(name) in ("nondiff", "primitive", "composite"), name


# -- submodules ---------------------------------------------------------------------------------

def test_submodules_are_chainrules():
    assert np.fft.__name__ == "chainrule.numpy.fft"
    assert np.random.__name__ == "chainrule.numpy.random"
    for name in onp.fft.__all__:
        assert callable(getattr(np.fft, name)), name


def test_random_is_numpys():
    np.random.seed(3)
    a = np.random.randn(4)
    onp.random.seed(3)
    onp.testing.assert_array_equal(a, onp.random.randn(4))
    assert np.random.default_rng(1).standard_normal(2).shape == (2,)
    assert isinstance(np.random.RandomState(0), onp.random.RandomState)
    assert np.random.Generator is onp.random.Generator
    assert np.random.bit_generator is onp.random.bit_generator  # via module __getattr__
    for name in onp.random.__all__:
        # the classes are NumPy's; the functions are NumPy's behind chainrule.jit's check
        ours, theirs = getattr(np.random, name), getattr(onp.random, name)
        assert ours is theirs or getattr(ours, "__wrapped__", None) is theirs, name


# -- traced code computes NumPy's values ----------------------------------------------------------

_r = onp.random.default_rng(0)
_A = _r.standard_normal((4, 5))
_v = _r.standard_normal(6)
_z = _r.standard_normal((3, 4)) + 1j * _r.standard_normal((3, 4))
_An = _A.copy()
_An[1, 2] = onp.nan
_An[3, :] = onp.nan
_xp = onp.sort(_r.uniform(0, 10, 6))
_Q = onp.array([0.0, 0.2, 0.5, 0.73, 1.0])

# (name, function of one array, its argument): run traced and plain, compare.
VALUE_CASES = [
    ("fft", lambda m, x: m.fft.fft(x, n=7, axis=0, norm="ortho"), _z),
    ("rfftn", lambda m, x: m.fft.rfftn(x, s=(3, 5), axes=(0, 1)), _A),
    ("irfftn", lambda m, x: m.fft.irfftn(x, axes=(1, 0)), _z),
    ("hfft", lambda m, x: m.fft.hfft(x, n=5), _z),
    ("ihfft", lambda m, x: m.fft.ihfft(x, norm="forward"), _A),
    ("fftn-repeated", lambda m, x: m.fft.fftn(x, axes=(1, 1, 0)), _z),
    ("fftshift", lambda m, x: m.fft.fftshift(x, axes=(1,)), _A),
    ("ifftshift", lambda m, x: m.fft.ifftshift(x), _A),
    ("convolve-same", lambda m, x: m.convolve(x, x[:4], "same"), _v),
    ("correlate-full", lambda m, x: m.correlate(x[:3], x, "full"), _v),
    ("correlate-same-complex", lambda m, x: m.correlate(x[0, :2], x[1], "same"), _z),
    ("cov", lambda m, x: m.cov(x, aweights=onp.arange(1.0, 6.0), ddof=2), _A),
    ("corrcoef", lambda m, x: m.corrcoef(x, rowvar=False), _A),
    ("median", lambda m, x: m.median(x, axis=(0, 1), keepdims=True), _A),
    ("nanmedian", lambda m, x: m.nanmedian(x, axis=1), _An),
    ("nanquantile", lambda m, x: m.nanquantile(x, _Q, axis=1, method="hazen"), _An),
    ("quantile-nearest", lambda m, x: m.quantile(x, _Q, axis=0, method="nearest"), _A),
    ("quantile-inverted", lambda m, x: m.quantile(x, _Q, axis=1, method="inverted_cdf"), _A),
    ("quantile-closest", lambda m, x: m.quantile(x, _Q, method="closest_observation"), _A),
    ("quantile-averaged", lambda m, x: m.quantile(x, _Q, 0, method="averaged_inverted_cdf"),
     _A),
    ("quantile-weights", lambda m, x: m.quantile(x, [0.3, 0.8], axis=1, method="inverted_cdf",
                                                 weights=_A * _A), _A),
    ("percentile", lambda m, x: m.percentile(x, [5.0, 50.0], axis=1, method="midpoint"), _A),
    ("interp", lambda m, x: m.interp(x, _xp, _xp ** 2, left=-1.0), _r.uniform(-1, 11, 7)),
    ("interp-knots", lambda m, x: m.interp(_xp, _xp, x), _v),
    ("interp-period", lambda m, x: m.interp(x, _xp, _v, period=4.0), _r.uniform(-5, 5, 7)),
    ("gradient", lambda m, x: m.gradient(x, 0.5, onp.cumsum(_xp[:5]), edge_order=2), _A),
    ("trapezoid", lambda m, x: m.trapezoid(x, _xp[:5]), _A),
    ("unwrap", lambda m, x: m.unwrap(onp.cumsum(x) * 3), _v),
    ("insert", lambda m, x: m.insert(x, [0, 2, 2], [[1.0], [2.0], [3.0], [4.0]], axis=1), _A),
    ("piecewise", lambda m, x: m.piecewise(x, [x < 0], [lambda v: v ** 2, 7.0]), _v),
    ("block", lambda m, x: m.block([[x, x[:, :1]], [onp.ones((1, 6))]]), _A),
    ("modf", lambda m, x: m.modf(x * 3)[0], _v),
    ("frexp", lambda m, x: m.frexp(x * 100)[0], _v),
    ("divmod", lambda m, x: m.divmod(x, 0.3)[1], _v),
    ("i0", lambda m, x: m.i0(x * 6), _v),
    ("vander", lambda m, x: m.vander(x, 4), _v),
    ("polyval", lambda m, x: m.polyval(x, _xp), _v),
    ("polyint", lambda m, x: m.polyint(x, 2, [1.0, 3.0]), _v),
    ("polyder", lambda m, x: m.polyder(x, 3), _v),
    ("polydiv", lambda m, x: m.polydiv(x, x[:3])[1], _v),
    ("polysub", lambda m, x: m.polysub(x[:2], x), _v),
    ("poly", lambda m, x: m.poly(x), _v),
    ("roots", lambda m, x: m.roots(m.concatenate([onp.zeros(1), x[:3], onp.zeros(2)])), _v),
    ("polyfit", lambda m, x: m.polyfit(_xp, x, 3), _v),
    ("polyfit-cov", lambda m, x: m.polyfit(_xp, x, 2, cov=True)[1], _v),
    ("real_if_close", lambda m, x: m.real_if_close(x + 1e-20j), _v),
]


@pytest.mark.parametrize("case", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_traced_values_match_numpy(case):
    _, f, x = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = f(onp, x)
        traced, _ = jvp(lambda v: f(np, v), (x,), (onp.zeros_like(x),))
    assert onp.shape(traced) == onp.shape(expected)
    onp.testing.assert_allclose(traced, expected, rtol=1e-12, atol=1e-12)
