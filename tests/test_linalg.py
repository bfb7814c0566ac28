"""Behaviour of chainrule.numpy.linalg beyond the rule table: NumPy's values and
result types, the full public namespace, edge cases (zero norms, degenerate
spectra), the conventions for one-triangle inputs, and cross-checks against
HIPS autograd and JAX where they are installed."""

import warnings

import numpy as onp
import numpy.linalg as onla
import pytest

import chainrule.numpy as np
import chainrule.numpy.linalg as la
from chainrule import grad, hessian, jacfwd, jacrev, jvp, vjp
from chainrule.numpy import COMPOSITES, NONDIFF, PRIMITIVES
from chainrule.test_util import check_grads, numerical_jacobian

rng = onp.random.default_rng(0)


def _spd(n, batch=()):
    a = rng.standard_normal(batch + (n, n))
    return a @ onp.swapaxes(a, -1, -2) + n * onp.eye(n)


def _wc(n, batch=()):
    return 0.5 * rng.standard_normal(batch + (n, n)) + n * onp.eye(n)


def _sym(n):
    q = onla.qr(rng.standard_normal((n, n)))[0]
    return (q * onp.arange(1.0, n + 1)) @ q.T


# -- namespace and plain values ------------------------------------------------------------

def test_every_public_numpy_linalg_name_exists_and_is_classified():
    for name in dir(onla):
        if name.startswith("_"):
            continue
        assert hasattr(la, name), name
        key = "numpy.linalg." + name
        obj = getattr(la, name)
        if name in ("LinAlgError", "test"):
            assert obj is getattr(onla, name)
            continue
        assert key in PRIMITIVES or key in COMPOSITES or key in NONDIFF, name


def test_plain_inputs_give_numpy_values_and_types():
    a, b = _wc(3), rng.standard_normal((3, 2))
    s = _spd(3)
    m = rng.standard_normal((4, 3))
    same = [
        (la.inv(a), onla.inv(a)), (la.solve(a, b), onla.solve(a, b)),
        (la.solve(a, b[:, 0]), onla.solve(a, b[:, 0])), (la.det(a), onla.det(a)),
        (la.cholesky(s), onla.cholesky(s)), (la.cholesky(s, upper=True),
                                             onla.cholesky(s, upper=True)),
        (la.pinv(m), onla.pinv(m)), (la.matrix_power(a, -3), onla.matrix_power(a, -3)),
        (la.multi_dot([m, a, b]), onla.multi_dot([m, a, b])),
        (la.eigvalsh(s), onla.eigvalsh(s)), (la.svdvals(m), onla.svdvals(m)),
        (la.eigvals(a), onla.eigvals(a)), (la.cond(a), onla.cond(a)),
        (la.cond(a, 1), onla.cond(a, 1)), (la.tensorinv(a.reshape(3, 3), 1), onla.inv(a)),
    ]
    for x in [m, m[0], rng.standard_normal((2, 3, 4))]:
        same.append((la.norm(x), onla.norm(x)))
        same.append((la.vector_norm(x, ord=3), onla.vector_norm(x, ord=3)))
    for ord in [None, 1, 2, onp.inf, -onp.inf, 0, 3, -1]:
        same.append((la.norm(m[0], ord), onla.norm(m[0], ord)))
    for ord in [None, "fro", "nuc", 1, -1, 2, -2, onp.inf, -onp.inf]:
        same.append((la.norm(m, ord), onla.norm(m, ord)))
        same.append((la.norm(m, ord, keepdims=True), onla.norm(m, ord, keepdims=True)))
    x3 = rng.standard_normal((3, 2, 4))
    for ord in [None, "nuc", 1, 2, onp.inf]:
        for axis in [(0, 2), (2, 0), (1, 0)]:
            same.append((la.norm(x3, ord, axis), onla.norm(x3, ord, axis)))
            same.append((la.norm(x3, ord, axis, True), onla.norm(x3, ord, axis, True)))
    for ours, ref in same:
        assert onp.shape(ours) == onp.shape(ref)
        onp.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    for f, args in [(la.eigh, (s,)), (la.svd, (m,)), (la.qr, (m,)), (la.slogdet, (a,)),
                    (la.eig, (a,))]:
        r, ref = f(*args), getattr(onla, f.__name__)(*args)
        assert type(r) is type(ref)
    assert la.matrix_rank(m) == 3


def test_traced_results_are_numpy_named_tuples_with_numpy_values():
    a = _spd(3)
    seen = {}

    def f(x):
        for name, fun in [("eigh", la.eigh), ("svd", la.svd), ("qr", la.qr),
                          ("slogdet", la.slogdet), ("eig", la.eig)]:
            r = fun(x)
            seen[name] = (type(r), [onp.asarray(getattr(v, "_value", v)) for v in r])
        return np.sum(la.eigh(x).eigenvalues)

    grad(f)(a)
    for name, (typ, vals) in seen.items():
        ref = getattr(onla, name)(a)
        assert typ is type(ref), name
        for v, rv in zip(vals, ref, strict=True):
            onp.testing.assert_allclose(v, rv, rtol=1e-10, atol=1e-12)


def test_traced_lstsq_matches_numpy():
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    box = {}

    def f(a):
        box["r"] = la.lstsq(a, b)
        return np.sum(box["r"][0])
    grad(f)(a)
    x, res, rank, s = box["r"]
    rx, rres, rrank, rs = onla.lstsq(a, b)
    onp.testing.assert_allclose(x._value, rx, rtol=1e-10)
    onp.testing.assert_allclose(res._value, rres, rtol=1e-10)
    onp.testing.assert_allclose(s._value, rs, rtol=1e-10)
    assert rank == rrank


# -- norms: finite derivatives at zero -------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {}, {"ord": 2}, {"ord": 1}, {"ord": onp.inf}, {"ord": 3}, {"axis": 0}, {"keepdims": True},
])
def test_vector_norm_derivatives_at_zero_are_zero(kw):
    f = lambda x: np.sum(la.norm(x, **kw))  # noqa: E731
    for x in [onp.zeros(3), onp.zeros(3, complex)]:
        if onp.iscomplexobj(x) and kw.get("ord") == 3:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            g = grad(f)(x)
        assert onp.all(g == 0), (kw, g)
    x = onp.zeros(3)
    assert onp.all(jacfwd(lambda x: la.norm(x, **kw))(x) == 0)
    assert onp.all(jacrev(lambda x: la.norm(x, **kw))(x) == 0)
    assert onp.all(onp.isfinite(hessian(f)(x)))


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, 2, -2, onp.inf])
def test_matrix_norm_derivatives_at_zero_are_finite(ord):
    g = grad(lambda x: la.norm(x, ord))(onp.zeros((3, 2)))
    assert onp.all(onp.isfinite(g))
    if ord in (None, "fro", 1, onp.inf):
        assert onp.all(g == 0)


def test_norm_rows_with_zeros():
    # A zero row next to a nonzero one: finite, exact gradient on both.
    x = onp.array([[0.0, 0.0], [3.0, 4.0]])
    g = grad(lambda x: np.sum(la.norm(x, axis=1)))(x)
    onp.testing.assert_allclose(g, [[0, 0], [0.6, 0.8]])


# -- decompositions: eigenvalue-only derivatives at degenerate spectra ---------------------------

def test_eigenvalue_only_derivatives_at_degenerate_spectra():
    eye = onp.eye(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero gaps anywhere
        onp.testing.assert_allclose(grad(lambda a: np.sum(la.eigvalsh(a)))(eye), eye)
        onp.testing.assert_allclose(grad(lambda a: np.sum(la.eigvals(a).real))(eye), eye)
        onp.testing.assert_allclose(grad(lambda a: np.sum(la.svdvals(a)))(eye), eye)
        j = jacfwd(la.eigvalsh)(eye)
        assert onp.all(onp.isfinite(j))
        onp.testing.assert_allclose(onp.einsum("kii->", j), 3.0)
        assert onp.all(onp.isfinite(jacfwd(la.svdvals)(onp.zeros((3, 2)))))
        assert onp.all(onp.isfinite(jacrev(la.svdvals)(onp.zeros((3, 2)))))


def test_slogdet_hessian_is_minus_inverse_kronecker():
    a = _wc(3)
    h = hessian(lambda a: la.slogdet(a)[1])(a)
    ai = onla.inv(a)
    onp.testing.assert_allclose(h, -onp.einsum("li,jk->ijkl", ai, ai), rtol=1e-10, atol=1e-12)


def test_det_gradient_is_cofactor_matrix():
    a = _wc(3)
    onp.testing.assert_allclose(grad(la.det)(a), onla.det(a) * onla.inv(a).T, rtol=1e-12)


# -- one-triangle inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("fun,lower", [
    (lambda a: np.sum(la.cholesky(a) ** 3), True),
    (lambda a: np.sum(la.cholesky(a, upper=True) ** 3), False),
    (lambda a: np.sum(la.eigvalsh(a) ** 3), True),
    (lambda a: np.sum(la.eigh(a, UPLO="U")[1] ** 4), False),
])
def test_triangle_read_gives_triangular_gradient_and_symmetric_directions(fun, lower):
    a = _spd(3) if "cholesky" in fun.__code__.co_names else _sym(3)
    g = grad(fun)(a)
    other = onp.triu(g, 1) if lower else onp.tril(g, -1)
    assert onp.all(other == 0)
    # Along a symmetric direction, the usual derivative.
    s = rng.standard_normal((3, 3))
    s = s + s.T
    eps = 1e-6
    fd = (fun(a + eps / 2 * s) - fun(a - eps / 2 * s)) / eps
    onp.testing.assert_allclose(onp.sum(g * s), fd, rtol=1e-6)
    assert onp.allclose(jvp(fun, (a,), (s,))[1], fd, rtol=1e-6)


def test_cholesky_and_eigh_agree_with_autograd_on_symmetric_directions():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    a = _spd(4)
    s = rng.standard_normal((4, 4))
    s = s + s.T
    w = rng.standard_normal((4, 4))
    for ours, theirs in [
        (lambda x: np.sum(np.sin(la.cholesky(x))),
         lambda x: anp.sum(anp.sin(anp.linalg.cholesky(x)))),
        (lambda x: np.sum(la.eigh(x)[1] ** 2 * w),
         lambda x: anp.sum(anp.linalg.eigh(x)[1] ** 2 * w)),
    ]:
        onp.testing.assert_allclose(onp.sum(grad(ours)(a) * s), onp.sum(ag.grad(theirs)(a) * s),
                                    rtol=1e-8)


def test_complex_rules_agree_with_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    def cx(*shape):
        return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)

    a = cx(3, 3) + 3 * onp.eye(3)
    h = a @ a.conj().T + onp.eye(3)                 # Hermitian positive definite
    t = cx(3, 3)
    th = t + t.conj().T                             # Hermitian direction
    tall = cx(4, 3)
    pairs = [
        (la.inv, jnp.linalg.inv, a, t),
        (la.det, jnp.linalg.det, a, t),
        (lambda x: la.slogdet(x)[1], lambda x: jnp.linalg.slogdet(x)[1], a, t),
        (lambda x: la.slogdet(x)[0], lambda x: jnp.linalg.slogdet(x)[0], a, t),
        (la.cholesky, jnp.linalg.cholesky, h, th),
        (la.eigvalsh, jnp.linalg.eigvalsh, h, th),
        (lambda x: np.abs(la.eigh(x)[1]), lambda x: jnp.abs(jnp.linalg.eigh(x)[1]), h, th),
        (la.svdvals, lambda x: jnp.linalg.svd(x, compute_uv=False), tall, cx(4, 3)),
        (lambda x: (lambda u, s, vh: u @ vh)(*la.svd(x, full_matrices=False)),
         lambda x: (lambda u, s, vh: u @ vh)(*jnp.linalg.svd(x, full_matrices=False)),
         tall, cx(4, 3)),
        (lambda x: la.qr(x)[0], lambda x: jnp.linalg.qr(x)[0], tall, cx(4, 3)),
        (lambda x: la.qr(x)[1], lambda x: jnp.linalg.qr(x)[1], tall, cx(4, 3)),
        (la.pinv, jnp.linalg.pinv, tall, cx(4, 3)),
        (la.norm, jnp.linalg.norm, tall, cx(4, 3)),
        (lambda x: la.norm(x, "nuc"), lambda x: jnp.linalg.norm(x, "nuc"), tall, cx(4, 3)),
    ]
    for ours, theirs, x, v in pairs:
        y, jv = jvp(ours, (x,), (v,))
        ry, rjv = jax.jvp(theirs, (x,), (v,))
        onp.testing.assert_allclose(y, ry, rtol=1e-9, atol=1e-12)
        onp.testing.assert_allclose(jv, rjv, rtol=1e-8, atol=1e-10)
        u = onp.asarray(cx(*onp.shape(y)) if onp.iscomplexobj(y) else
                        rng.standard_normal(onp.shape(y)))
        (ct,) = vjp(ours, x)[1](u)
        rct = jax.vjp(theirs, x)[1](u)[0]
        if ours in (la.cholesky, la.eigvalsh) or v is th:
            # JAX symmetrizes the input, chainrule reads one triangle: the
            # cotangents agree on Hermitian directions.
            # (Only the real part of sum(v * ct) is a directional derivative.)
            onp.testing.assert_allclose(onp.real(onp.sum(th * ct)), onp.real(onp.sum(th * rct)),
                                        rtol=1e-8)
        else:
            onp.testing.assert_allclose(ct, rct, rtol=1e-8, atol=1e-10)


# -- what has no derivative says so ----------------------------------------------------------

def test_undefined_derivatives_raise_clearly():
    m = rng.standard_normal((4, 3))
    with pytest.raises(NotImplementedError, match="full_matrices"):
        grad(lambda a: np.sum(la.svd(a)[1]))(m)
    with pytest.raises(NotImplementedError, match="complete"):
        grad(lambda a: np.sum(la.qr(a, mode="complete")[1]))(m)
    with pytest.raises(NotImplementedError, match="raw"):
        grad(lambda a: np.sum(la.qr(a, mode="raw")[1]))(m)
    # Square full_matrices SVD is the reduced one: fine.
    sq = _wc(3)
    check_grads(lambda a: la.svd(a)[0] @ la.svd(a)[2], order=1)(sq)


def test_matrix_rank_is_nondifferentiable_constant():
    m = rng.standard_normal((4, 3))
    g = grad(lambda a: la.matrix_rank(a) * np.sum(a))(m)
    onp.testing.assert_allclose(g, 3 * onp.ones((4, 3)))


def test_unused_outputs_cost_nothing_in_forward_mode():
    # jacfwd through eigvalsh never forms eigenvector tangents: at a degenerate
    # spectrum, forming them would divide by zero.
    # (A double eigenvalue is not differentiable, the sum of the pair is.)
    a = onp.diag([1.0, 1.0, 2.0])
    ref = numerical_jacobian(onla.eigvalsh, a)
    ref = onp.stack([ref[0] + ref[1], ref[2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for j in [jacfwd(la.eigvalsh)(a), jacrev(lambda a: la.eigh(a)[0])(a)]:
            onp.testing.assert_allclose(onp.stack([j[0] + j[1], j[2]]), ref, atol=1e-6)
    # eigh(a)[0] makes both outputs, so forward mode forms the (here infinite)
    # eigenvector tangent too; the eigenvalue derivative is still exact.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        j = jacfwd(lambda a: la.eigh(a)[0])(a)
    onp.testing.assert_allclose(onp.stack([j[0] + j[1], j[2]]), ref, atol=1e-6)


def test_solve_with_shared_matrix_and_batched_right_sides():
    a = _wc(3)
    b = rng.standard_normal((5, 3, 2))
    j = jacfwd(lambda a: la.solve(a, b))(a)
    onp.testing.assert_allclose(j, numerical_jacobian(lambda a: onla.solve(a, b), a),
                                rtol=1e-6, atol=1e-8)
    j = jacrev(lambda b: la.solve(a, b))(b)
    onp.testing.assert_allclose(j, numerical_jacobian(lambda b: onla.solve(a, b), b),
                                rtol=1e-6, atol=1e-8)
