"""Strict array API arrays (array_api_strict): the rule table on them.

The core, linalg and fft rule-table entries, and those of chainrule.scipy's
functions written in NumPy, run on array_api_strict arrays (on its "device1",
which refuses any conversion to NumPy) in reverse and forward mode, and as
batched Jacobians once per function, and give the library's arrays, equal to
the NumPy run. Entries that need a NumPy function or argument the standard has
no counterpart for raise ArrayLibraryError naming it and the library, and those
whose own lambda mixes a NumPy constant into the computation raise TypeError:
each is listed in REFUSED with its reason and checked to raise. Then the
wrapper's translations (indexing, writes, scatter-add, promotion) against
NumPy's, every transform, and indices the library made itself.
"""

import numpy as onp
import pytest

xps = pytest.importorskip("array_api_strict", reason="needs array-api-strict (the dev extra)")

import chainrule  # noqa: E402
import chainrule.numpy as np  # noqa: E402
from chainrule.core.errors import ArrayLibraryError  # noqa: E402
from chainrule.numpy._array_api import ArrayAPIArray, wrap  # noqa: E402
from chainrule.numpy._wrap import kind  # noqa: E402

from .rules import Const, table_core, table_fft, table_linalg, table_scipy  # noqa: E402
from .test_array_modules import _SCIPY_IN_NUMPY  # noqa: E402

LIB = "array_api_strict"
Array = type(xps.asarray(0.0))
# Arrays on array_api_strict's "device1" refuse to become NumPy arrays (RuntimeError): a
# silent conversion anywhere in a rule would fail the entry.
DEVICE = xps.Device("device1")
CPU = xps.Device("CPU_DEVICE")


def _cases():
    # and chainrule.scipy's functions written in NumPy (logsumexp, softmax, expit...)
    scipy = [c for c in table_scipy.CASES if set(c.covers) <= _SCIPY_IN_NUMPY]
    return (*table_core.CASES, *table_linalg.CASES, *table_fft.CASES, *scipy)


# Entries that cannot run on array_api_strict, by id (all argument lists), each with
# the error it raises (ArrayLibraryError naming NumPy's function and the library, or
# the TypeError of a NumPy array meeting the library's) and why. Each is checked to
# raise it.
_OUTSIDE = "the array API standard has no counterpart of it"
_ARG = "the standard's function takes no such argument"
_CONST = ("got a NumPy array",
          "test artifact: the entry's function mixes a NumPy constant array, built inside its "
          "lambda, into the computation (refused as CuPy refuses it)")
REFUSED = {
    # NumPy functions outside the standard (elementwise ones chainrule calls as they are)
    **{f"numpy.{n}": (f"numpy.{n} cannot run on {LIB}.*{_OUTSIDE}", "not in the standard")
       for n in ("exp2", "deg2rad", "radians", "rad2deg", "degrees", "sinc", "fabs", "cbrt",
                 "logaddexp2", "fmax", "fmin", "fmod", "float_power", "ldexp", "nan_to_num",
                 "angle")},
    "sinc-at-0": (f"numpy.sinc cannot run on {LIB}", "not in the standard"),
    "float_power-y0": (f"numpy.float_power cannot run on {LIB}", "not in the standard"),
    "nan_to_num-nonfinite": (f"numpy.nan_to_num cannot run on {LIB}", "not in the standard"),
    "angle-deg": (f"numpy.angle cannot run on {LIB}", "not in the standard"),
    "angle-real-input": (f"numpy.angle cannot run on {LIB}", "not in the standard"),
    **{i: (f"numpy.argpartition cannot run on {LIB}.*{_OUTSIDE}",
           "partition's rule needs argpartition, which the standard lacks")
       for i in ("numpy.partition", "partition-axis0", "partition-none")},
    **{i: (f"numpy.argsort cannot run on {LIB}.*failed",
           "sort_complex orders complex numbers; the standard sorts real numbers only")
       for i in ("numpy.sort_complex", "sort_complex-real")},
    # NumPy arguments outside the standard
    **{i: (rf"numpy.linalg.eigh\(UPLO=\) cannot run on {LIB}.*{_ARG}",
           "the standard's eigh takes no UPLO (it reads the whole Hermitian matrix)")
       for i in ("numpy.linalg.eigh-vectors-sym", "numpy.linalg.eigh-upper",
                 "numpy.linalg.eigvalsh-complex")},
    "numpy.linalg.svd-hermitian": (rf"numpy.linalg.svd\(hermitian=\) cannot run on {LIB}",
                                   "the standard's svd takes no hermitian="),
    "numpy.linalg.pinv-hermitian": (rf"numpy.linalg.pinv\(hermitian=\) cannot run on {LIB}",
                                    "the standard's pinv takes no hermitian="),
    **{i: (rf"numpy.(sum|prod|max|min)\(.*(where|initial)=.*\) cannot run on {LIB}.*{_ARG}",
           "where=/initial= of a reduction: the standard's reductions have neither")
       for i in ("sum-where", "prod-where", "prod-initial", "max-where", "max-initial",
                 "min-where", "mean-where", "var-where", "std-where", "nansum-where",
                 "nanmean-where")},
    # Test artifacts: NumPy constants inside the entry (fakecupy skips these too)
    **{i: _CONST for i in ("numpy.where", "where-cond-broadcast", "where-complex",
                           "numpy.select", "select-default", "clip-array-bounds",
                           "clip-broadcast-bound", "numpy.trim_zeros", "trim_zeros-f",
                           "trim_zeros-b", "concatenate-const", "matmul-rmatmul",
                           "einsum-const", "einsum-real-complex")},
}


def _lib(v):
    return xps.asarray(v, device=DEVICE) if isinstance(v, onp.ndarray) else v


def _plain(v):
    return onp.from_dlpack(v.to_device(CPU)) if type(v) is Array else v


def _leaves(v):
    return [w for u in v for w in _leaves(u)] if isinstance(v, (tuple, list)) else [v]


def _check_same(got, want, what):
    got, want = _leaves(got), _leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        assert type(g) is not ArrayAPIArray, f"{what}: the wrapper leaked out"
        if isinstance(w, onp.ndarray):
            assert type(g) is Array, f"{what}: {type(g).__name__} instead of an {LIB} array"
            assert g.device == DEVICE, f"{what}: on {g.device}"
        else:
            assert not isinstance(g, onp.ndarray), f"{what}: a NumPy array"
        onp.testing.assert_allclose(_plain(g), w, rtol=1e-10, atol=1e-12, err_msg=what)


def _args(case, k):
    rng = onp.random.default_rng(0)
    args, largs, diff = [], [], []
    for i, a in enumerate(case.arglists[k]):
        if isinstance(a, Const):
            v = a.value
            args.append(v)
            largs.append(_lib(v) if isinstance(v, onp.ndarray) and v.ndim else v)
        else:
            v = a(rng)
            args.append(v)
            largs.append(_lib(v))
            diff.append(i)
    return args, largs, diff


def _randn_like(x, rng):
    s = onp.shape(x)
    r = rng.standard_normal(s)
    return onp.asarray(r + 1j * rng.standard_normal(s) if onp.iscomplexobj(x) else r)


def _run(case, k):
    """The case on NumPy and on the library through the same transforms; the
    constants are arguments too (the transforms wrap those as well)."""
    args, largs, diff = _args(case, k)
    if not diff:
        return
    rng = onp.random.default_rng(1)
    which = tuple(diff)
    xs = [args[i] for i in diff]
    if "rev" in case.modes:
        pb, want = chainrule.make_vjp(case.fun, which)(*args)
        lpb, got = chainrule.make_vjp(case.fun, which)(*largs)
        _check_same(got, want, "value")
        u = [_randn_like(o, rng) for o in _leaves(want)]
        unflat = (lambda c: c[0]) if not isinstance(want, (tuple, list)) else tuple
        _check_same(lpb(unflat([_lib(c) for c in u])), pb(unflat(u)), "vjp")
    if "fwd" in case.modes:
        t = tuple(_randn_like(x, rng) for x in xs)
        want, jv = chainrule.make_jvp(case.fun, which)(*args)(t)
        got, ljv = chainrule.make_jvp(case.fun, which)(*largs)(tuple(_lib(v) for v in t))
        _check_same(got, want, "value")
        _check_same(ljv, jv, "jvp")
    if k == 0 and case.id in _JACOBIANS and not any(onp.iscomplexobj(x) for x in xs):
        for jac, mode in ((chainrule.jacfwd, "fwd"), (chainrule.jacrev, "rev")):
            if mode in case.modes:
                _check_same(jac(case.fun, argnums=which)(*largs),
                            jac(case.fun, argnums=which)(*args), jac.__name__)


# Batched Jacobians (jacfwd and jacrev) once per function: on the first entry of each
# (`sum-ax0` of the eight sum entries), which keeps the test to a few seconds.
_JACOBIANS, _seen = set(), set()
for _c in _cases():
    if _c.jac and _c.id not in REFUSED and _c.covers not in _seen:
        _JACOBIANS.add(_c.id)
        _seen.add(_c.covers)


def _params(refused):
    return [pytest.param(c, k, id=f"{c.id}-{k}") for c in _cases()
            for k in range(len(c.arglists)) if (c.id in REFUSED) == refused]


@pytest.mark.parametrize("case,k", _params(False))
def test_rule_on_array_api_strict(case, k):
    _run(case, k)


@pytest.mark.parametrize("case,k", _params(True))
def test_refused_with_function_and_library_named(case, k):
    pattern, reason = REFUSED[case.id]
    error = TypeError if pattern == _CONST[0] else ArrayLibraryError
    with pytest.raises(error, match=pattern) as e:
        _run(case, k)
    assert LIB in str(e.value), reason


def test_refused_ids_exist():
    ids = {c.id for c in _cases()}
    assert not set(REFUSED) - ids


def test_grad_of_sum_of_sin():
    g = chainrule.grad(lambda x: np.sum(np.sin(x)))(xps.asarray([1.0, 2.0]))
    assert type(g) is Array and g.dtype == xps.float64
    onp.testing.assert_allclose(_plain(g), onp.cos([1.0, 2.0]), rtol=1e-15)


def test_dtype_kind_of_array_api_dtypes():
    assert kind(xps.float64) == "f" and kind(xps.complex64) == "c"
    assert kind(xps.int32) == "i" and kind(xps.bool) == "b"


def test_never_numpy():
    x = wrap(xps.asarray([1.0, 2.0]))
    with pytest.raises(TypeError, match="cannot become a NumPy array"):
        onp.asarray(x)
    with pytest.raises(TypeError, match="NumPy array of shape"):
        x + onp.ones(2)
    with pytest.raises(ArrayLibraryError, match="numpy.exp2 cannot run on array_api_strict"):
        onp.exp2(x)


# -- the wrapper's translations, against NumPy ------------------------------------------

_A = onp.arange(24.0).reshape(3, 4, 2)
_KEYS = [
    1, -1, slice(1, None), slice(None, None, -2), (1, 2), (Ellipsis, 0), (0, Ellipsis, 1),
    (None, slice(None), None), (0, None, slice(None, 2)), (slice(None), None),
    onp.array([2, 0, 2]), [1, 1, 0], onp.array([[0, 1], [2, -1]]), ([0, 2], slice(None), 1),
    (slice(None), [0, 3], [1, 0]), ([0, 1], 1, [1, 0]), (onp.array([[0], [2]]), slice(None), 1),
    (Ellipsis, [1, 0, 1]), (slice(None), [0, 3], Ellipsis, [1, 0]), (None, [0, 2], None, 1),
    (slice(None), [0, 1], None, [1, 0]),  # None separates advanced indices, as ... does
    onp.array([True, False, True]), (_A[..., 0] > 5), (0, onp.array([True, False, True, True])),
    (onp.array([True, False, True]), slice(1, None), 0), (onp.int64(1), onp.array(2)), (),
]


@pytest.mark.parametrize("key", _KEYS, ids=[repr(k)[:40] for k in _KEYS])
def test_indexing_is_numpys(key):
    got = wrap(xps.asarray(_A, device=DEVICE))[key]
    assert type(got) is ArrayAPIArray
    onp.testing.assert_array_equal(_plain(got._a), _A[key])


@pytest.mark.parametrize("key", [1, (slice(None), 0), slice(None, None, -2), (None, 1),
                                 onp.array([True, False, True]), ([0, 2, 0], 1),
                                 (Ellipsis, [1, 0, 1]), onp.array([[0, 2], [2, 2]])])
def test_writes_are_numpys(key):
    want = _A.copy()
    v = onp.arange(onp.asarray(want[key]).size, dtype=float).reshape(onp.shape(want[key])) + 100
    want[key] = v  # repeated positions: the last write wins
    got = wrap(xps.asarray(_A, device=DEVICE))
    got[key] = wrap(xps.asarray(v, device=DEVICE))
    onp.testing.assert_array_equal(_plain(got._a), want)


def test_scatter_add_is_numpys_and_sums_runs_without_cancellation():
    idx = (onp.array([0, 2, 0, 0, 1, 2, 0]),)
    v = onp.array([1e10, 1e-5, -1e10, 3.0, 2.0, 4e-5, 1e-7]) * (1 + 1j)
    want = onp.zeros(3, complex)
    onp.add.at(want, idx, v)
    got = wrap(xps.zeros(3, dtype=xps.complex128, device=DEVICE))
    onp.add.at(got, idx, wrap(xps.asarray(v, device=DEVICE)))
    onp.testing.assert_allclose(_plain(got._a), want, rtol=1e-15)
    assert _plain(got._a)[2] == want[2]  # 1e-5 + 4e-5, untouched by the 1e10 elsewhere


@pytest.mark.parametrize("f,want", [
    (lambda x, i: x + i, onp.float64), (lambda x, i: onp.sin(i), onp.float64),
    (lambda x, i: x.astype(onp.float32) * 2.0, onp.float32),
    (lambda x, i: x.astype(onp.float32) * onp.float64(2.0), onp.float64),
    (lambda x, i: x * 1j, onp.complex128), (lambda x, i: i // 2, onp.int64),
    (lambda x, i: x > i, onp.bool_), (lambda x, i: onp.where(x > 1, i, 0.5), onp.float64),
    (lambda x, i: onp.concatenate([x, i]), onp.float64), (lambda x, i: onp.sum(i > 0), onp.int64),
])
def test_promotion_is_numpys(f, want):
    x, i = onp.array([0.5, 2.0]), onp.array([1, 3])
    got = f(wrap(xps.asarray(x, device=DEVICE)), wrap(xps.asarray(i, device=DEVICE)))
    assert got.dtype == want == f(x, i).dtype
    onp.testing.assert_allclose(_plain(got._a), f(x, i))


# -- the transforms on the library's arrays ---------------------------------------------

def _on_device(v):
    return xps.asarray(onp.asarray(v, dtype=float), device=DEVICE)


def _on_numpy(v):
    return onp.asarray(v, dtype=float)


def _f(x):
    return np.sum(np.sin(x) * x)


# Each transform as a function of the array constructor ``a``: run with NumPy arrays
# and with the library's, the results must agree, the library's as its arrays.
_TRANSFORMS = {
    "grad": lambda a: chainrule.grad(_f)(a([0.5, 2.0])),
    "value_and_grad": lambda a: chainrule.value_and_grad(_f)(a([0.5, 2.0])),
    "grad-has_aux": lambda a: chainrule.grad(lambda x: (_f(x), 2 * x), has_aux=True)(
        a([0.5, 2.0])),
    "vjp": lambda a: chainrule.vjp(np.sin, a([0.5, 2.0]))[1](a([1.0, -2.0])),
    "jvp": lambda a: chainrule.jvp(_f, (a([0.5, 2.0]),), (a([1.0, 0.5]),)),
    "elementwise_grad": lambda a: chainrule.elementwise_grad(np.sin)(a([0.5, 2.0])),
    "deriv": lambda a: chainrule.deriv(np.sin)(a([0.5, 2.0])),
    "hvp": lambda a: chainrule.hvp(_f)(a([0.5, 2.0]), a([1.0, 0.5])),
    "make_hvp": lambda a: chainrule.make_hvp(_f)(a([0.5, 2.0]))[0](a([1.0, 0.5])),
    "hessian": lambda a: chainrule.hessian(_f)(a([0.5, 2.0])),
    "jacobian": lambda a: chainrule.jacobian(lambda x: np.sin(x)[:1] * x)(a([0.5, 2.0])),
    "linearize": lambda a: chainrule.linearize(np.sin, a([0.5, 2.0]))[1](a([1.0, 0.5])),
    "make_jvp_reversemode": lambda a: chainrule.make_jvp_reversemode(np.sin)(
        a([0.5, 2.0]))(a([1.0, 2.0])),
    "tensor_jacobian_product": lambda a: chainrule.tensor_jacobian_product(np.sin)(
        a([0.5, 2.0]), a([1.0, 2.0])),
    "data-argument": lambda a: chainrule.grad(lambda w, X: np.sum(np.tanh(X @ w)))(
        a([0.5, 2.0]), a(onp.ones((3, 2)))),
    "no-dependence": lambda a: chainrule.grad(lambda x, y: np.sum(y))(a([0.5]), a([2.0])),
}


@pytest.mark.parametrize("name", _TRANSFORMS)
def test_transforms_give_the_librarys_arrays(name):
    _check_same(_TRANSFORMS[name](_on_device), _TRANSFORMS[name](_on_numpy), name)


def test_loud_where_the_boundary_cannot_see():
    x = _on_device([0.5, 2.0])
    # a NumPy parameter against the library's data: never converted
    with pytest.raises(TypeError, match="got a NumPy array of shape \\(2,\\) among arrays of "
                       "array_api_strict"):
        chainrule.grad(lambda w, X: np.sum(X * w))(onp.ones(2), x)
    # a library array captured by a closure meets a traced value: the library refuses
    with pytest.raises(TypeError):
        chainrule.grad(lambda w: np.sum(x * w))(x)
    # a NumPy function the standard lacks, named with the library
    with pytest.raises(ArrayLibraryError, match="numpy.exp2 cannot run on array_api_strict"):
        chainrule.grad(lambda x: np.sum(np.exp2(x)))(x)


# Indices and conditions the library made itself (the table's are NumPy's)
_OWN_INDICES = {
    "take-argsort": lambda x: np.take(x, np.argsort(x)),
    "take-clip": lambda x: np.take(x, np.argsort(x) + 1, mode="clip"),
    "take_along_axis": lambda x: np.take_along_axis(x, np.argsort(x, axis=0), axis=0),
    "getitem-argsort": lambda x: x[np.argsort(x)],
    "compress": lambda x: np.compress(x > 0, x),
    "extract": lambda x: np.extract(x > 0, x),
    "choose": lambda x: np.choose(np.astype(x > 0, np.int64), [x, 2.0 * x]),
    "index-of-box": lambda x: x[np.argmax(x)] * x,
}


@pytest.mark.parametrize("name", _OWN_INDICES)
def test_indices_made_by_the_library(name):
    f = _OWN_INDICES[name]
    x = onp.array([0.3, -1.2, 2.0, 0.7])
    want = chainrule.jacrev(f)(x)
    _check_same(chainrule.jacrev(f)(_lib(x)), want, name)
    _check_same(chainrule.jacfwd(f)(_lib(x)), want, name)
