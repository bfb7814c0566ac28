"""chainrule.scipy beyond the rule table: values against SciPy, edge cases,
error messages, and the package working without SciPy installed."""

import subprocess
import sys
import textwrap

import numpy as onp
import pytest

import chainrule.numpy as np
from chainrule import grad, hessian, jacfwd, jacrev, jvp, value_and_grad
from chainrule.core.errors import MissingRuleError
from chainrule.scipy import integrate, linalg, signal, special as sp, stats
from chainrule.test_util import check_grads, numerical_jacobian

scipy = pytest.importorskip("scipy")
import scipy.integrate as sint  # noqa: E402
import scipy.linalg as slin  # noqa: E402
import scipy.signal as ssig  # noqa: E402
import scipy.special as ssp  # noqa: E402
import scipy.stats as sst  # noqa: E402

RNG = onp.random.default_rng(0)


def R(*shape):
    return RNG.standard_normal(shape)


def U(lo, hi, *shape):
    return RNG.uniform(lo, hi, shape)


# ----------------------------------------------------------------------------
# Without SciPy
# ----------------------------------------------------------------------------

NO_SCIPY = textwrap.dedent("""
    import sys
    sys.modules["scipy"] = None  # any "import scipy..." now raises ImportError
    import numpy as onp
    import chainrule.scipy  # every module imports
    import chainrule.scipy.special as sp
    from chainrule.scipy import linalg, signal, stats
    from chainrule import grad
    x = onp.array([0.5, -1.0, 2.0])
    assert abs(sp.logsumexp(x) - onp.log(onp.exp(x).sum())) < 1e-12
    g = grad(lambda x: sp.logsumexp(x, b=onp.array([1.0, 2.0, 0.5])))(x)
    w = onp.array([1.0, 2.0, 0.5]) * onp.exp(x)
    assert onp.allclose(g, w / w.sum())
    assert onp.allclose(grad(lambda x: sp.expit(x).sum())(x), sp.expit(x) * sp.expit(-x))
    for f in (sp.softmax, sp.log_softmax, sp.expit, sp.log_expit, sp.softplus, sp.entr):
        f(onp.abs(x))
    sp.logit(onp.array([0.25])), sp.xlogy(x, 2.0), sp.xlog1py(x, 2.0)
    signal.convolve(x, x)
    linalg.cholesky(onp.eye(2))
    try:
        sp.gamma(x)
    except ImportError as e:
        assert str(e) == ("chainrule.scipy.special.gamma needs SciPy: "
                          "pip install 'chainrule[scipy]'"), str(e)
    else:
        raise AssertionError("no ImportError")
    try:
        stats.norm.cdf(x)
    except ImportError as e:
        assert "chainrule.scipy.special.ndtr needs SciPy" in str(e)
    else:
        raise AssertionError("no ImportError")
    try:
        linalg.solve_triangular(onp.eye(2), onp.ones(2))
    except ImportError as e:
        assert "solve_triangular needs SciPy" in str(e)
    else:
        raise AssertionError("no ImportError")
    print("ok")
""")


def test_without_scipy():
    src = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "src")
    env = dict(__import__("os").environ, PYTHONPATH=src)
    r = subprocess.run([sys.executable, "-c", NO_SCIPY], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


# ----------------------------------------------------------------------------
# special: values
# ----------------------------------------------------------------------------

POS = U(0.5, 3.0, 5)
UNARY = ["gamma", "gammaln", "digamma", "psi", "rgamma", "erf", "erfc", "erfcx", "ndtr",
         "log_ndtr", "i0", "i1", "i0e", "i1e", "j0", "j1", "y0", "y1", "k0", "k1", "expit",
         "log_expit", "entr", "gammasgn"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_values(name):
    x = POS if name not in ("erf", "erfc", "expit", "log_expit") else R(5)
    onp.testing.assert_allclose(getattr(sp, name)(x), getattr(ssp, name)(x), rtol=1e-13)


@pytest.mark.parametrize("name,args", [
    ("polygamma", (onp.array([0, 1, 2]), U(0.5, 3, 3))), ("beta", (POS, POS[::-1])),
    ("betaln", (POS, POS[::-1])), ("betainc", (POS, POS[::-1], U(0, 1, 5))),
    ("betaincc", (POS, POS[::-1], U(0, 1, 5))), ("gammainc", (POS, POS[::-1])),
    ("gammaincc", (POS, POS[::-1])), ("iv", (1.5, POS)), ("ive", (1.5, POS)),
    ("jv", (1.5, POS)), ("yv", (1.5, POS)), ("jn", (2, POS)), ("yn", (2, POS)),
    ("kv", (1.5, POS)), ("stdtr", (3.5, R(5))), ("xlogy", (R(5), POS)),
    ("xlog1py", (R(5), POS)), ("multigammaln", (U(4, 5, 3), 3)), ("logit", (U(0, 1, 5),)),
    ("erfinv", (U(-1, 1, 5),)), ("erfcinv", (U(0, 2, 5),)), ("ndtri", (U(0, 1, 5),)),
    ("softplus", (R(5),)),
])
def test_values(name, args):
    onp.testing.assert_allclose(getattr(sp, name)(*args), getattr(ssp, name)(*args),
                                rtol=1e-12, atol=1e-300)


def test_elementwise_edge_values():
    x = onp.array([0.0, 0.0, 1.0, 2.0])
    y = onp.array([0.0, onp.nan, 0.0, -1.0])
    with onp.errstate(all="ignore"):
        onp.testing.assert_array_equal(sp.xlogy(x, y), ssp.xlogy(x, y))
        onp.testing.assert_array_equal(sp.xlog1py(x, y - 1.0), ssp.xlog1py(x, y - 1.0))
        onp.testing.assert_array_equal(sp.entr(onp.array([-1.0, 0.0, 1.0])),
                                       ssp.entr(onp.array([-1.0, 0.0, 1.0])))
        onp.testing.assert_allclose(sp.logit(onp.array([0.0, 0.5, 1.0])),
                                    ssp.logit(onp.array([0.0, 0.5, 1.0])))
    big = onp.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    onp.testing.assert_allclose(sp.expit(big), ssp.expit(big), rtol=1e-15)
    onp.testing.assert_allclose(sp.log_expit(big), ssp.log_expit(big), rtol=1e-15)
    # The derivative of expit stays accurate where 1 - expit(x) rounds to 0.
    assert grad(sp.expit)(40.0) == pytest.approx(onp.exp(-40.0), rel=1e-12)
    # xlogy(0, 0): finite gradient in y.
    assert grad(sp.xlogy, argnum=1)(0.0, 0.0) == 0.0
    assert isinstance(sp.expit(0.0), onp.float64)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_values(axis, keepdims):
    x, b = R(3, 4), U(0.5, 2.0, 3, 4)
    onp.testing.assert_allclose(sp.logsumexp(x, axis=axis, keepdims=keepdims),
                                ssp.logsumexp(x, axis=axis, keepdims=keepdims))
    onp.testing.assert_allclose(sp.logsumexp(x, axis=axis, b=b, keepdims=keepdims),
                                ssp.logsumexp(x, axis=axis, b=b, keepdims=keepdims))
    onp.testing.assert_allclose(sp.softmax(x, axis=axis), ssp.softmax(x, axis=axis))
    onp.testing.assert_allclose(sp.log_softmax(x, axis=axis), ssp.log_softmax(x, axis=axis))


def test_logsumexp_edges():
    x = onp.array([1000.0, 1000.0])
    assert sp.logsumexp(x) == pytest.approx(1000.0 + onp.log(2.0))
    assert sp.logsumexp(onp.array([-onp.inf, -onp.inf])) == -onp.inf
    assert sp.logsumexp(onp.array([onp.inf, 1.0])) == onp.inf
    # Terms with b == 0 do not count, even at +inf.
    assert sp.logsumexp(onp.array([onp.inf, 1.0]), b=onp.array([0.0, 1.0])) == 1.0
    a, b = onp.array([1.0, 2.0]), onp.array([1.0, -2.0])
    with onp.errstate(invalid="ignore"):
        assert onp.isnan(sp.logsumexp(a, b=b))
    val, sgn = sp.logsumexp(a, b=b, return_sign=True)
    ref = ssp.logsumexp(a, b=b, return_sign=True)
    assert val == pytest.approx(ref[0]) and sgn == ref[1]
    # d log|s| / da = b e^a / s, also when s < 0.
    s = onp.sum(b * onp.exp(a))
    g = grad(lambda a: sp.logsumexp(a, b=b, return_sign=True)[0])(a)
    onp.testing.assert_allclose(g, b * onp.exp(a) / s)
    g = grad(lambda b: sp.logsumexp(a, b=b, return_sign=True)[0])(b)
    onp.testing.assert_allclose(g, onp.exp(a) / s)


def test_logsumexp_like_autograd():
    # autograd's tests: (1, 5) input, keepdims, and the gradient of the gradient.
    x = R(1, 5)

    def f(a):
        return sp.logsumexp(a, axis=1, keepdims=True)
    check_grads(f)(x)
    check_grads(lambda a: grad(lambda z: np.sum(f(z)))(a))(x)
    onp.testing.assert_allclose(grad(lambda z: np.sum(f(z)))(x), ssp.softmax(x, axis=1))


def test_second_derivatives_are_special_functions():
    x = 1.7
    assert grad(grad(sp.gammaln))(x) == pytest.approx(ssp.polygamma(1, x))
    assert grad(grad(grad(sp.gammaln)))(x) == pytest.approx(ssp.polygamma(2, x))
    assert grad(grad(sp.j0))(x) == pytest.approx(-0.5 * (ssp.j0(x) - ssp.jv(2, x)))


def test_no_rule_for_orders_and_shape_parameters():
    with pytest.raises(MissingRuleError, match="scipy.special.gammainc_da"):
        grad(grad(lambda a: sp.gammainc(a, 1.0)))(1.5)
    with pytest.raises(MissingRuleError, match="scipy.special.betainc"):
        grad(lambda a: sp.betainc(a, 2.0, 0.5))(1.5)
    with pytest.raises(MissingRuleError, match="scipy.special.stdtr"):
        grad(lambda df: stats.t.cdf(0.3, df))(3.0)
    with pytest.raises(MissingRuleError):
        jvp(lambda v: sp.jv(v, 1.0), (1.5,), (1.0,))
    with pytest.raises(ValueError, match="condition"):
        sp.multigammaln(1.0, 3)


# ----------------------------------------------------------------------------
# stats
# ----------------------------------------------------------------------------

STATS = [
    ("norm", ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"],
     (R(4, 3), R(1, 3), U(0.5, 2, 4, 1))),
    ("norm", ["ppf", "isf"], (U(0.01, 0.99, 4, 3), R(1, 3), U(0.5, 2, 4, 1))),
    ("t", ["pdf", "logpdf", "cdf", "logcdf"],
     (R(4, 3), U(1, 5, 1, 3), R(1, 3), U(0.5, 2, 4, 1))),
    ("gamma", ["pdf", "logpdf", "cdf"], (R(4, 3) + 1, U(0.5, 3, 1, 3), 0.1, U(0.5, 2, 4, 1))),
    ("chi2", ["pdf", "logpdf", "cdf"], (R(4, 3) + 1, U(0.5, 5, 1, 3))),
    ("beta", ["pdf", "logpdf", "cdf"], (U(-0.2, 1.2, 4, 3), U(0.5, 3, 1, 3), U(0.5, 3, 4, 1))),
    ("poisson", ["pmf", "logpmf", "cdf"],
     (onp.array([-1.0, 0.0, 1.0, 2.5, 3.0, 7.0]), U(0.5, 4, 6))),
]


@pytest.mark.parametrize("dist,funs,args", STATS, ids=[s[0] for s in STATS])
def test_stats_values(dist, funs, args):
    for f in funs:
        with onp.errstate(all="ignore"):
            ours = getattr(getattr(stats, dist), f)(*args)
            ref = getattr(getattr(sst, dist), f)(*args)
        onp.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-300, err_msg=f)


def test_stats_invalid_parameters_give_nan():
    assert onp.isnan(stats.norm.pdf(0.0, 0.0, -1.0))
    assert onp.isnan(stats.gamma.logpdf(1.0, -1.0))
    assert onp.isnan(stats.t.logpdf(1.0, 0.0))
    assert onp.isnan(stats.poisson.pmf(1, -1.0))


def test_stats_outside_support_have_zero_gradient():
    # Masked-out entries must not poison the gradient with nan.
    x = onp.array([-1.0, 0.5, 2.0])
    g = grad(lambda x: np.sum(stats.gamma.pdf(x, 0.5)))(x)
    assert onp.all(onp.isfinite(g)) and g[0] == 0.0
    g = grad(lambda a: np.sum(stats.beta.pdf(x, a, 2.0)))(1.5)
    assert onp.isfinite(g)
    g = grad(lambda x: np.sum(stats.beta.cdf(x, 0.5, 0.5)))(x)
    assert onp.all(onp.isfinite(g)) and g[0] == 0.0 and g[2] == 0.0


def test_poisson_count_is_not_differentiated():
    k = onp.array([0.0, 1.0, 3.0])
    mu = 2.0
    onp.testing.assert_allclose(grad(lambda m: np.sum(stats.poisson.logpmf(k, m)))(mu),
                                onp.sum(k / mu - 1.0))
    onp.testing.assert_allclose(grad(lambda m: np.sum(stats.poisson.cdf(k, m)))(mu),
                                -onp.sum(sst.poisson.pmf(k, mu)))


@pytest.mark.parametrize("cov", ["full", "diag", "scalar"])
def test_mvn_values(cov):
    a = R(4, 4)
    c = {"full": a @ a.T + onp.eye(4), "diag": U(0.5, 2, 4), "scalar": 1.7}[cov]
    x, m = R(5, 4), R(4)
    for f in ("pdf", "logpdf"):
        for xx in (x, x[0]):
            onp.testing.assert_allclose(getattr(stats.multivariate_normal, f)(xx, m, c),
                                        getattr(sst.multivariate_normal, f)(xx, m, c))
    onp.testing.assert_allclose(stats.multivariate_normal.entropy(m, c),
                                sst.multivariate_normal.entropy(m, c))
    # One-dimensional: a 1-D x holds many points.
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x[:, 0], None, 2.0),
                                sst.multivariate_normal.logpdf(x[:, 0], None, 2.0))


def test_mvn_reads_lower_triangle_like_scipy():
    a = R(3, 3)
    c = a @ a.T + onp.eye(3)
    c_bad = c + onp.triu(R(3, 3), 1)  # garbage above the diagonal
    x = R(3)
    assert stats.multivariate_normal.logpdf(x, None, c_bad) == pytest.approx(
        sst.multivariate_normal.logpdf(x, None, onp.tril(c) + onp.tril(c, -1).T))
    g = grad(lambda c: stats.multivariate_normal.logpdf(x, None, c))(c)
    assert onp.all(onp.triu(g, 1) == 0.0)


def test_mvn_gradient_matches_closed_form():
    a = R(3, 3)
    c = a @ a.T + onp.eye(3)
    x, m = R(3), R(3)
    gx = grad(stats.multivariate_normal.logpdf)(x, m, c)
    onp.testing.assert_allclose(gx, -onp.linalg.solve(c, x - m))
    # Along symmetric directions: d logpdf = <(-inv(c) + s s^T) / 2, dc>, s = inv(c)(x-m).
    s = onp.linalg.solve(c, x - m)
    full = 0.5 * (-onp.linalg.inv(c) + onp.outer(s, s))
    d = R(3, 3)
    d = d + d.T
    _, jv = jvp(lambda c: stats.multivariate_normal.logpdf(x, m, c), (c,), (d,))
    assert jv == pytest.approx(onp.sum(full * d))


def test_mvn_singular():
    cov = onp.diag([1.0, 2.0, 0.0])
    x = onp.array([0.3, -0.2, 0.0])
    with pytest.raises(onp.linalg.LinAlgError):
        stats.multivariate_normal.logpdf(x, None, cov)
    val = stats.multivariate_normal.logpdf(x, None, cov, allow_singular=True)
    assert val == pytest.approx(sst.multivariate_normal.logpdf(x, None, cov,
                                                               allow_singular=True))
    full = onp.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 0.0]])
    for f in ("logpdf", "pdf"):
        ref = getattr(sst.multivariate_normal, f)(x, None, full, allow_singular=True)
        ours = getattr(stats.multivariate_normal, f)(x, None, full, allow_singular=True)
        assert ours == pytest.approx(ref)
    off = x + onp.array([0.0, 0.0, 1.0])  # outside the support
    assert stats.multivariate_normal.logpdf(off, None, full, allow_singular=True) == -onp.inf
    g = grad(lambda x: stats.multivariate_normal.logpdf(x, None, full, allow_singular=True))(x)
    onp.testing.assert_allclose(g[:2], -onp.linalg.solve(full[:2, :2], x[:2]))


def test_dirichlet():
    alpha = U(1.2, 3.0, 4)
    x = RNG.dirichlet(alpha)
    for f in ("pdf", "logpdf"):
        ours, ref = getattr(stats.dirichlet, f), getattr(sst.dirichlet, f)
        assert ours(x, alpha) == pytest.approx(ref(x, alpha))
        assert ours(x[:-1], alpha) == pytest.approx(ref(x[:-1], alpha))
        xs = RNG.dirichlet(alpha, size=3).T
        onp.testing.assert_allclose(ours(xs, alpha), ref(xs, alpha))
    g = grad(stats.dirichlet.logpdf, argnum=1)(x, alpha)
    ref = ssp.digamma(alpha.sum()) - ssp.digamma(alpha) + onp.log(x)
    onp.testing.assert_allclose(g, ref)
    with pytest.raises(ValueError, match="simplex"):
        stats.dirichlet.logpdf(x * 1.1 / 1.1 + 0.01, alpha)
    with pytest.raises(ValueError):
        stats.dirichlet.logpdf(x, -alpha)


# ----------------------------------------------------------------------------
# linalg
# ----------------------------------------------------------------------------

def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ onp.swapaxes(a, -1, -2) + n * onp.eye(n)


@pytest.mark.parametrize("lower", [True, False])
def test_cholesky_and_cho_solve(lower):
    a = _spd(4)
    onp.testing.assert_allclose(linalg.cholesky(a, lower=lower), slin.cholesky(a, lower=lower))
    c, low = linalg.cho_factor(a, lower=lower)
    assert low == lower
    for b in (R(4), R(4, 2)):
        onp.testing.assert_allclose(linalg.cho_solve((c, low), b), slin.cho_solve((c, low), b))
    # Only one triangle is read: the other gets no gradient.
    g = grad(lambda a: np.sum(linalg.cholesky(a, lower=lower) ** 2))(a)
    assert onp.all((onp.triu(g, 1) if lower else onp.tril(g, -1)) == 0.0)
    with pytest.raises(ValueError):
        linalg.cholesky(onp.full((2, 2), onp.nan))


def test_cholesky_complex_derivative_is_refused():
    a = _spd(2) + 0j
    with pytest.raises(NotImplementedError, match="complex"):
        grad(lambda a: np.real(np.sum(linalg.cholesky(a, lower=True))))(a)


@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular_values(trans, lower, unit):
    a = R(4, 4) + 4 * onp.eye(4) + 1j * R(4, 4)
    for b in (R(4), R(4, 3)):
        onp.testing.assert_allclose(
            linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit),
            slin.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit))
    b = R(2, 4, 3)
    x = linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    for i in range(2):
        onp.testing.assert_allclose(x[i], slin.solve_triangular(
            a, b[i], trans=trans, lower=lower, unit_diagonal=unit))


def test_solve_triangular_complex_gradients():
    a = onp.tril(R(3, 3) + 1j * R(3, 3)) + 3 * onp.eye(3)
    b = R(3, 2) + 1j * R(3, 2)
    for trans in (0, 1, 2):
        check_grads(lambda a, b: linalg.solve_triangular(a, b, trans=trans, lower=True))(a, b)


@pytest.mark.parametrize("lu", [(1, 1), (0, 2), (2, 0), (0, 0)])
def test_solve_banded(lu):
    l, u = lu
    ab = R(l + u + 1, 5)
    ab[u] += 4.0
    for b in (R(5), R(5, 2)):
        onp.testing.assert_allclose(linalg.solve_banded(lu, ab, b), slin.solve_banded(lu, ab, b))
    # The unused corners of the band storage get no gradient.
    g = grad(lambda ab: np.sum(linalg.solve_banded(lu, ab, R(5))))(ab)
    for r in range(l + u + 1):
        for j in range(5):
            if not 0 <= r + j - u < 5:
                assert g[r, j] == 0.0


def test_matrix_functions_values_and_batches():
    a = _spd(3, (2,))
    onp.testing.assert_allclose(linalg.sqrtm(a[0]), slin.sqrtm(a[0]))
    onp.testing.assert_allclose(linalg.expm(a[0] / 10), slin.expm(a[0] / 10))
    q = R(2, 3, 3)
    onp.testing.assert_allclose(linalg.solve_sylvester(a[0], a[1], q[0]),
                                slin.solve_sylvester(a[0], a[1], q[0]))
    batched = linalg.expm(a / 10)
    for i in range(2):
        onp.testing.assert_allclose(batched[i], slin.expm(a[i] / 10))
    # jacobians of a batched matrix function
    f = lambda x: linalg.sqrtm(x)  # noqa: E731
    onp.testing.assert_allclose(jacrev(f)(a), numerical_jacobian(f, a), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="disp=False"):
        linalg.sqrtm(a[0], disp=False)


def test_expm_complex():
    a = 0.3 * (R(3, 3) + 1j * R(3, 3))
    check_grads(linalg.expm)(a)


def test_linalg_reexports_numpy_linalg():
    from chainrule.numpy import linalg as nla
    assert linalg.det is nla.det
    with pytest.raises(AttributeError, match="no 'not_a_function'"):
        linalg.not_a_function  # noqa: B018


# ----------------------------------------------------------------------------
# signal
# ----------------------------------------------------------------------------

def test_convolve_generalization():
    # autograd's test: convolve some axes, contract others, keep the rest.
    A_35, A_34, A_342 = R(3, 5), R(3, 4), R(3, 4, 2)
    A_2543, A_24232 = R(2, 5, 4, 3), R(2, 4, 2, 3, 2)
    conv = signal.convolve
    for mode in ["valid", "full"]:
        onp.testing.assert_allclose(conv(A_35, A_34, axes=([1], [0]), mode=mode)[1, 2],
                                    ssig.convolve(A_35[1, :], A_34[:, 2], mode))
        onp.testing.assert_allclose(conv(A_35, A_34, axes=([], []), dot_axes=([0], [0]),
                                         mode=mode), onp.tensordot(A_35, A_34, axes=([0], [0])))
        onp.testing.assert_allclose(
            conv(A_35, A_342, axes=([1], [2]), dot_axes=([0], [0]), mode=mode)[2],
            sum(ssig.convolve(A_35[i, :], A_342[i, 2, :], mode) for i in range(3)))
        onp.testing.assert_allclose(
            conv(A_2543, A_24232, axes=([1, 2], [2, 4]), dot_axes=([0, 3], [0, 3]),
                 mode=mode)[2],
            sum(sum(ssig.convolve(A_2543[i, :, :, j], A_24232[i, 2, :, j, :], mode)
                    for i in range(2)) for j in range(3)))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_convolve_like_scipy(mode):
    for a, b in [(R(5), R(3)), (R(3), R(5)), (R(4, 3), R(2, 2)), (R(5, 4), R(4, 1)),
                 (R(2, 3, 4), R(2, 2, 2))]:
        onp.testing.assert_allclose(signal.convolve(a, b, mode=mode), ssig.convolve(a, b, mode))
        onp.testing.assert_allclose(signal.convolve(a, b, mode), ssig.convolve(a, b, mode))
    with pytest.raises(ValueError):
        signal.convolve(R(4, 2), R(2, 4), mode="valid")
    with pytest.raises(ValueError):
        signal.convolve(R(4), R(2), mode="nearest")


def test_convolve_unsorted_dot_axes_gradients():
    a, b = R(2, 5, 4, 3), R(3, 4, 2, 2, 2)
    f = lambda a, b: signal.convolve(a, b, axes=([1, 2], [2, 4]),  # noqa: E731
                                     dot_axes=([0, 3], [3, 0]))
    check_grads(f)(a, b)


# ----------------------------------------------------------------------------
# integrate
# ----------------------------------------------------------------------------

def _rhs(y, t, arg1, arg2):
    return -np.sqrt(t) - y + arg1 - np.mean((y + arg2) ** 2)


TOL = dict(rtol=1e-11, atol=1e-11)


def test_odeint_values_and_gradients():
    y0, t, a1, a2 = R(3), onp.linspace(0.1, 0.2, 4), R(3), R(3)
    onp.testing.assert_allclose(integrate.odeint(_rhs, y0, t, (a1, a2), **TOL),
                                sint.odeint(_rhs, y0, t, (a1, a2), **TOL))
    f = lambda y0, t, a1, a2: integrate.odeint(_rhs, y0, t, (a1, a2), **TOL)  # noqa: E731
    check_grads(f, order=1)(y0, t, a1, a2)


def test_odeint_exponential_decay():
    # y' = -k y: y(T) = y0 exp(-k T); every derivative is known.
    def decay(y, t, k):
        return -k * y
    t = onp.array([0.0, 0.5, 2.0])
    y0, k = onp.array([1.5, -0.5]), 0.7

    def final(y0, t, k):
        return np.sum(integrate.odeint(decay, y0, t, (k,), **TOL)[-1])
    gy, gt, gk = grad(final, argnum=(0, 1, 2))(y0, t, k)
    e = onp.exp(-k * t[-1])
    onp.testing.assert_allclose(gy, [e, e], rtol=1e-7)
    onp.testing.assert_allclose(gk, -t[-1] * e * y0.sum(), rtol=1e-7)
    # Shifting every time point together changes nothing; so the time gradients sum to 0.
    onp.testing.assert_allclose(gt, [k * e * y0.sum(), 0.0, -k * e * y0.sum()],
                                rtol=1e-7, atol=1e-10)
    jf = jacfwd(lambda k: integrate.odeint(decay, y0, t, (k,), **TOL))(k)
    onp.testing.assert_allclose(jf, -t[:, None] * onp.exp(-k * t)[:, None] * y0, rtol=1e-7,
                                atol=1e-12)


def test_odeint_containers_tfirst_and_options():
    def rhs(t, y, p):
        return -p["k"] * y + p["c"][0]
    y0, t = onp.ones(2), onp.array([0.0, 1.0])
    p = {"k": 0.5, "c": (onp.array([0.1, 0.2]),)}
    out = integrate.odeint(rhs, y0, t, (p,), tfirst=True, **TOL)
    ref = sint.odeint(rhs, y0, t, (p,), tfirst=True, **TOL)
    onp.testing.assert_allclose(out, ref)
    val, g = value_and_grad(lambda p: np.sum(integrate.odeint(rhs, y0, t, (p,), tfirst=True,
                                                              **TOL)))(p)
    assert set(g) == {"k", "c"} and g["c"][0].shape == (2,)
    # y(1) = y0 e^{-k} + c (1 - e^{-k}) / k
    onp.testing.assert_allclose(g["c"][0], (1.0 - onp.exp(-0.5)) / 0.5, rtol=1e-7)
    # A user Jacobian serves the forward solve.
    out = integrate.odeint(lambda y, t: -y, y0, t, Dfun=lambda y, t: -onp.eye(2), **TOL)
    onp.testing.assert_allclose(out[-1], onp.exp(-1.0) * y0, rtol=1e-8)
    with pytest.raises(ValueError, match="full_output"):
        integrate.odeint(lambda y, t: -y, y0, t, full_output=1)
    # Forward over anything is first order only, and says so.
    with pytest.raises(NotImplementedError, match="second derivatives in forward mode"):
        jacfwd(jacfwd(lambda k: integrate.odeint(lambda y, t, k: -k * y, y0, t, (k,))))(1.0)


def test_odeint_second_derivatives_in_reverse_mode():
    # y' = -k y: sum y(T) = (y0_1 + y0_2) exp(-k T), so d2/dk2 = T^2 e^{-kT} sum(y0).
    y0, t = onp.array([1.5, -0.5]), onp.array([0.0, 0.5, 2.0])

    def final(k):
        return np.sum(integrate.odeint(lambda y, t, k: -k * y, y0, t, (k,), **TOL)[-1])
    onp.testing.assert_allclose(grad(grad(final))(0.7), 4.0 * onp.exp(-1.4) * 1.0, rtol=1e-6)
    # Every argument, second order, reverse mode (autograd's own test of odeint).
    y0, t, a1, a2 = R(3), onp.linspace(0.1, 0.2, 4), R(3), R(3)
    check_grads(lambda y0, t, a1, a2: integrate.odeint(_rhs, y0, t, (a1, a2), **TOL),
                modes=["rev"], order=2)(y0, t, a1, a2)
    h = hessian(lambda y0: np.sum(integrate.odeint(_rhs, y0, t, (a1, a2), **TOL)[-1] ** 2))(y0)
    onp.testing.assert_allclose(h, h.T, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------
# Cross-check against autograd, where it is installed
# ----------------------------------------------------------------------------

def test_gradients_agree_with_autograd():
    ag = pytest.importorskip("autograd")
    import autograd.numpy as anp  # noqa: F401
    import autograd.scipy.special as asp
    import autograd.scipy.stats as ast
    x = U(0.5, 3.0, 4)
    pairs = [
        (lambda x: np.sum(sp.gammaln(x) * sp.digamma(x)),
         lambda x: anp.sum(asp.gammaln(x) * asp.digamma(x))),
        (lambda x: sp.logsumexp(x), lambda x: asp.logsumexp(x)),
        (lambda x: np.sum(stats.norm.logcdf(x, 0.3, 1.7)),
         lambda x: anp.sum(ast.norm.logcdf(x, 0.3, 1.7))),
        (lambda x: np.sum(stats.t.logpdf(x, 3.0, 0.1, 2.0)),
         lambda x: anp.sum(ast.t.logpdf(x, 3.0, 0.1, 2.0))),
        (lambda x: np.sum(sp.jn(2, x) + sp.i1(x)), lambda x: anp.sum(asp.jn(2, x) + asp.i1(x))),
    ]
    for ours, theirs in pairs:
        onp.testing.assert_allclose(grad(ours)(x), ag.grad(theirs)(x), rtol=1e-10)


def test_gammainc_in_a_against_mpmath():
    # No closed form: a series below x = a + 1, a quadrature of Q's integral above.
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    for a in (0.1, 0.5, 1.0, 3.7, 10.0, 50.0):
        for x in (1e-3, 0.5, 2.0, 10.0, 51.0, 100.0):
            if x >= a + 1:  # Q itself: P rounds to 1 in mpmath's difference quotient too
                exact = -mp.diff(lambda s: mp.gammainc(s, x, mp.inf, regularized=True), a)
            else:
                exact = mp.diff(lambda s: mp.gammainc(s, 0, x, regularized=True), a)
            assert grad(lambda s: sp.gammainc(s, x))(a) == pytest.approx(float(exact), rel=1e-12)
            assert grad(lambda s: sp.gammaincc(s, x))(a) == pytest.approx(-float(exact), rel=1e-12)
    # The mixed second derivative (x of the a-derivative) has its closed form.
    mixed = mp.diff(lambda xx: mp.diff(lambda s: mp.gammainc(s, 0, xx, regularized=True), 2.0), 1.5)
    assert grad(lambda x: grad(lambda s: sp.gammainc(s, x))(2.0))(1.5) == pytest.approx(
        float(mixed), rel=1e-10)
    assert onp.isnan(sp.gammainc_da(-1.0, 1.0)) and sp.gammainc_da(2.0, 0.0) == 0.0
