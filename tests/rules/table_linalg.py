"""Rule table for chainrule.numpy.linalg.

Inputs are well conditioned: matrices near a multiple of the identity for
inv/solve/det, SPD/HPD matrices for cholesky, spectra with well-separated
eigen- and singular values for eigh/eig/svd. Outputs with an arbitrary sign
or phase (eigenvectors, singular vectors) are checked through gauge-invariant
functions of them (``v * conj(v)``, ``u @ vh``).
"""

import numpy as onp

import chainrule.numpy as np
import chainrule.numpy.linalg as la

from . import C, Case, Const, Fixed, R, SPD


# -- generators ------------------------------------------------------------------------------

def WC(n, batch=(), cx=False):
    """Well-conditioned square matrices: 0.5 * randn + n * I (complex with ``cx``)."""
    def gen(rng):
        a = 0.5 * rng.standard_normal(batch + (n, n))
        if cx:
            a = a + 0.5j * rng.standard_normal(batch + (n, n))
        return a + n * onp.eye(n)
    return gen


def HPD(n, batch=()):
    """Hermitian positive definite complex matrices."""
    def gen(rng):
        a = rng.standard_normal(batch + (n, n)) + 1j * rng.standard_normal(batch + (n, n))
        return a @ onp.conj(onp.swapaxes(a, -1, -2)) + n * onp.eye(n)
    return gen


def _orth(rng, batch, m, k, cx=False):
    a = rng.standard_normal(batch + (m, k))
    if cx:
        a = a + 1j * rng.standard_normal(batch + (m, k))
    return onp.linalg.qr(a)[0]


def SYM(n, batch=(), cx=False):
    """Symmetric (Hermitian) matrices with eigenvalues 1, 2, ..., n (shifted by -n/2)."""
    def gen(rng):
        q = _orth(rng, batch, n, n, cx)
        w = onp.arange(1.0, n + 1) - n / 2.0
        return (q * w[..., None, :]) @ onp.conj(onp.swapaxes(q, -1, -2))
    return gen


def EIG(n, batch=()):
    """Real matrices with real, well-separated eigenvalues 1..n."""
    def gen(rng):
        p = onp.eye(n) + 0.3 * rng.standard_normal(batch + (n, n))
        w = onp.arange(1.0, n + 1)
        return (p * w[..., None, :]) @ onp.linalg.inv(p)
    return gen


def ROT(batch=()):
    """Real 3x3 matrices with a complex pair 1 ± 2i and the real eigenvalue 3."""
    def gen(rng):
        p = onp.eye(3) + 0.3 * rng.standard_normal(batch + (3, 3))
        d = onp.array([[1.0, 2.0, 0.0], [-2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
        return p @ d @ onp.linalg.inv(p)
    return gen


def CEIG(n):
    """Complex matrices with distinct eigenvalues."""
    def gen(rng):
        p = onp.eye(n) + 0.3 * (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n)))
        w = onp.arange(1.0, n + 1) + 1j * onp.arange(n)[::-1]
        return (p * w) @ onp.linalg.inv(p)
    return gen


def SV(m, n, batch=(), cx=False):
    """m x n matrices with singular values 3, 2, 1, ... (well separated, nonzero)."""
    def gen(rng):
        k = min(m, n)
        u = _orth(rng, batch, m, k, cx)
        v = _orth(rng, batch, n, k, cx)
        s = onp.arange(k, 0, -1, dtype=float) + 0.5
        return (u * s[..., None, :]) @ onp.conj(onp.swapaxes(v, -1, -2))
    return gen


def FR(m, n, batch=(), cx=False):
    """Full-rank m x n matrices: (mostly) the leading block near 2 I."""
    def gen(rng):
        a = 0.5 * rng.standard_normal(batch + (m, n))
        if cx:
            a = a + 0.5j * rng.standard_normal(batch + (m, n))
        return a + 2.0 * onp.eye(m, n)
    return gen


def _sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def _flat(rs):
    """Several results as one vector, so every check (not only finite differences) runs."""
    return np.concatenate([np.ravel(r) for r in rs])


def _sq(v):
    """Gauge-invariant squares of eigen/singular vector entries."""
    return np.real(v * np.conj(v))


# -- cases -------------------------------------------------------------------------------------

CASES = [
    # inverse, solve, determinants
    Case("numpy.linalg.inv", la.inv, [[WC(3)], [WC(3, (2,))], [WC(1)], [WC(2, (2, 2))]]),
    Case("numpy.linalg.inv", la.inv, [[WC(3, cx=True)]], id="inv-complex"),
    Case("numpy.linalg.solve", la.solve, [
        [WC(3), R(3, 2)], [WC(3), R(3)], [WC(3, (2,)), R(3)], [WC(3, (2,)), R(2, 3, 4)],
        [WC(3, (2,)), R(3, 1)], [WC(3), R(2, 3, 2)], [WC(2, (3, 1)), R(2, 2, 2)],
    ]),
    Case("numpy.linalg.solve", la.solve, [[WC(3, cx=True), C(3, 2)], [WC(2, cx=True), C(2)]],
         id="solve-complex"),
    Case("numpy.linalg.det", la.det, [[WC(3)], [WC(3, (2,))], [R(2, 2)], [WC(1)], [R(4, 4)]]),
    Case("numpy.linalg.det", la.det, [[WC(3, cx=True)]], id="det-complex"),
    # Singular matrices: the derivative is the adjugate (from the minors), also second order.
    Case("numpy.linalg.det", la.det, [[Fixed([[1.0, 2.0], [2.0, 4.0]])],
                                      [Fixed([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])],
                                      [Fixed([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [0.5, 3.0]]])],
                                      [Fixed(onp.zeros((3, 3)))]], id="det-singular"),
    Case("numpy.linalg.slogdet", lambda a: la.slogdet(a)[1],
         [[WC(3)], [WC(3, (2,))], [R(3, 3)], [WC(1)]]),
    Case("numpy.linalg.slogdet", lambda a: la.slogdet(a).sign * la.slogdet(a).logabsdet,
         [[R(3, 3)], [WC(2, (3,))]], id="slogdet-sign"),
    Case("numpy.linalg.slogdet", lambda a: la.slogdet(a),
         [[WC(3, cx=True)], [WC(2, (2,), cx=True)]], id="slogdet-complex"),

    # Cholesky: NumPy reads one triangle; finite differences in every direction agree.
    Case("numpy.linalg.cholesky", la.cholesky, [[SPD(3)], [SPD(3, (2,))], [SPD(1)], [SPD(4)]]),
    Case("numpy.linalg.cholesky", lambda a: la.cholesky(a, upper=True),
         [[SPD(3)], [SPD(2, (2,))]], id="cholesky-upper"),
    Case("numpy.linalg.cholesky", lambda a: la.cholesky(_sym(a)), [[SPD(3)]], id="cholesky-sym"),
    Case("numpy.linalg.cholesky", la.cholesky, [[HPD(3)], [HPD(2, (2,))]], id="cholesky-complex"),
    Case("numpy.linalg.cholesky", lambda a: la.cholesky(a, upper=True), [[HPD(3)]],
         id="cholesky-upper-complex"),

    # eigh: eigenvalues, gauge-invariant eigenvector functions, both triangles.
    Case(("numpy.linalg.eigh", "numpy.linalg._part"), lambda a: la.eigh(a)[0],
         [[SYM(3)], [SYM(4, (2,))], [SPD(3)]]),
    Case("numpy.linalg.eigh", lambda a: _sq(la.eigh(a)[1]), [[SYM(3)], [SYM(3, (2,))]],
         id="eigh-vectors"),
    Case("numpy.linalg.eigh", lambda a: _sq(la.eigh(_sym(a), UPLO="U")[1]), [[SYM(3)]],
         id="eigh-vectors-sym"),
    Case("numpy.linalg.eigh", lambda a: la.eigh(a, "U").eigenvalues * 1.0, [[SYM(3)]],
         id="eigh-upper"),
    Case("numpy.linalg.eigh",
         lambda a: (lambda w, v: np.sum(v * w[..., None, :] ** 2, axis=-1))(*la.eigh(a)),
         [[SYM(3)], [SYM(3, (2,))]], id="eigh-both"),
    Case("numpy.linalg.eigh", lambda a: la.eigh(a)[0], [[SYM(3, cx=True)]],
         id="eigh-complex-values"),
    Case("numpy.linalg.eigh", lambda a: _sq(la.eigh(a)[1]), [[SYM(3, cx=True)]],
         id="eigh-complex-vectors"),
    Case("numpy.linalg.eigvalsh", la.eigvalsh, [[SYM(3)], [SYM(3, (2,))]]),
    Case("numpy.linalg.eigvalsh", lambda a: la.eigvalsh(a, UPLO="U"), [[SYM(3, cx=True)]],
         id="eigvalsh-complex"),

    # eig: real spectra (real outputs), complex pairs, complex input.
    Case("numpy.linalg.eig", lambda a: la.eig(a)[0], [[EIG(3)], [EIG(3, (2,))]]),
    Case("numpy.linalg.eig", lambda a: _sq(la.eig(a)[1]), [[EIG(3)], [EIG(2, (2,))]],
         id="eig-vectors"),
    Case("numpy.linalg.eig", lambda a: np.real(la.eig(a)[0]) + np.imag(la.eig(a)[0]) ** 2,
         [[ROT()], [ROT((2,))]], id="eig-complex-pair"),
    Case("numpy.linalg.eig", lambda a: _sq(la.eig(a)[1]), [[ROT()]], id="eig-complex-vectors"),
    Case("numpy.linalg.eig", lambda a: la.eig(a)[0], [[CEIG(3)]], id="eig-complex-input"),
    Case("numpy.linalg.eig", lambda a: _sq(la.eig(a)[1]), [[CEIG(3)]],
         id="eig-complex-input-vectors"),
    Case("numpy.linalg.eigvals", la.eigvals, [[EIG(3)], [EIG(2, (3,))]]),
    Case("numpy.linalg.eigvals", lambda a: np.abs(la.eigvals(a)), [[ROT()], [CEIG(3)]],
         id="eigvals-complex"),

    # svd: singular values; u @ vh and squared entries of u, vh are gauge invariant.
    Case("numpy.linalg.svd", lambda a: la.svd(a, full_matrices=False)[1],
         [[SV(4, 3)], [SV(3, 4)], [SV(3, 3, (2,))], [R(3, 2)]]),
    Case("numpy.linalg.svd", lambda a: la.svd(a, compute_uv=False), [[SV(4, 3)], [SV(2, 2, (2,))]],
         id="svd-values"),
    Case("numpy.linalg.svd", lambda a: (lambda u, s, vh: u @ vh)(*la.svd(a, full_matrices=False)),
         [[SV(4, 3)], [SV(3, 4)], [SV(3, 3)], [SV(3, 2, (2,))]], id="svd-uvh"),
    Case("numpy.linalg.svd", lambda a: _sq(la.svd(a, full_matrices=False)[0]),
         [[SV(4, 3)], [SV(3, 4)], [SV(3, 3, (2,))]], id="svd-u"),
    Case("numpy.linalg.svd", lambda a: _sq(la.svd(a, full_matrices=False)[2]),
         [[SV(4, 3)], [SV(3, 4)], [SV(3, 3, (2,))]], id="svd-vh"),
    Case("numpy.linalg.svd", lambda a: _sq(la.svd(a)[0]) * la.svd(a)[1], [[SV(3, 3)]],
         id="svd-square-full"),
    Case("numpy.linalg.svd", lambda a: la.svd(_sym(a), hermitian=True)[1], [[SPD(3)]],
         id="svd-hermitian"),
    Case("numpy.linalg.svd", lambda a: la.svd(a, full_matrices=False)[1],
         [[SV(3, 2, cx=True)], [SV(2, 3, cx=True)]], id="svd-complex-values"),
    Case("numpy.linalg.svd", lambda a: (lambda u, s, vh: u @ vh)(*la.svd(a, full_matrices=False)),
         [[SV(3, 2, cx=True)], [SV(2, 3, cx=True)], [SV(2, 2, cx=True)]], id="svd-complex-uvh"),
    Case("numpy.linalg.svd", lambda a: _sq(la.svd(a, full_matrices=False)[0]),
         [[SV(3, 2, cx=True)], [SV(2, 3, cx=True)]], id="svd-complex-u"),
    Case("numpy.linalg.svd", lambda a: _sq(la.svd(a, full_matrices=False)[2]),
         [[SV(3, 2, cx=True)], [SV(2, 3, cx=True)]], id="svd-complex-vh"),
    Case("numpy.linalg.svdvals", la.svdvals, [[SV(4, 3)], [SV(2, 3, (2,))]]),

    # qr: unique (LAPACK's sign convention is locally smooth), no gauge needed.
    Case("numpy.linalg.qr", lambda a: la.qr(a)[0], [[FR(4, 3)], [FR(3, 3)], [FR(3, 2, (2,))]],
         id="qr-q"),
    Case("numpy.linalg.qr", lambda a: la.qr(a)[1], [[FR(4, 3)], [FR(3, 3)], [FR(3, 2, (2,))]],
         id="qr-r"),
    Case("numpy.linalg.qr", lambda a: la.qr(a)[0] * 2.0 + la.qr(a)[1][..., :1, :1],
         [[FR(4, 3)]], id="qr-both"),
    Case("numpy.linalg.qr", lambda a: _flat(la.qr(a)), [[FR(2, 4)], [FR(2, 3, (2,))]],
         id="qr-wide"),
    Case("numpy.linalg.qr", lambda a: la.qr(a, mode="r"), [[FR(4, 3)], [FR(2, 3)]],
         id="qr-mode-r"),
    Case("numpy.linalg.qr", lambda a: la.qr(a, mode="complete")[0], [[FR(3, 3)], [FR(2, 3)]],
         id="qr-complete"),
    Case("numpy.linalg.qr", lambda a: la.qr(a), [[FR(3, 2, cx=True)], [FR(2, 2, cx=True)]],
         id="qr-complex"),

    # pseudo-inverse (full rank: constant rank around the point)
    Case("numpy.linalg.pinv", la.pinv, [[FR(4, 3)], [FR(3, 4)], [FR(3, 3)], [FR(3, 2, (2,))]]),
    Case("numpy.linalg.pinv", la.pinv, [[FR(3, 2, cx=True)], [FR(2, 3, cx=True)]],
         id="pinv-complex"),
    Case("numpy.linalg.pinv", lambda a: la.pinv(_sym(a), hermitian=True), [[SYM(3)]],
         id="pinv-hermitian"),

    # norms
    Case(("numpy.linalg.norm", "numpy.linalg._norm2"), la.norm,
         [[R(3)], [R(2, 3)], [R(2, 3, 4)], [C(3)]]),
    Case("numpy.linalg.norm", lambda x: la.norm(x, axis=1), [[R(2, 3)], [R(2, 3, 2)]],
         id="norm-axis"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, axis=0, keepdims=True), [[R(3, 2)]],
         id="norm-keepdims"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, keepdims=True), [[R(3, 2)]],
         id="norm-all-keepdims"),
    Case("numpy.linalg.norm",
         lambda x: _flat([la.norm(x, p) for p in (1, 2, onp.inf, -onp.inf, 3, 0)]),
         [[R(4)], [C(3)]], id="norm-vector-ords"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, 1.5, axis=-1), [[R(2, 3)]], id="norm-vector-p"),
    Case("numpy.linalg.norm", lambda x: _flat([la.norm(x, p) for p in ("fro", "nuc", 1, -1, 2, -2,
                                                                        onp.inf, -onp.inf)]),
         [[SV(3, 3)], [SV(3, 2)], [SV(2, 3, cx=True)]], id="norm-matrix-ords"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, "nuc", axis=(0, 2)), [[R(3, 2, 4)]],
         id="norm-nuc-axes"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, 2, axis=(2, 0), keepdims=True), [[R(3, 2, 4)]],
         id="norm-2-axes-keepdims"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, 1, axis=(2, 0)) + la.norm(x, -onp.inf, (2, 0)),
         [[R(3, 2, 4)]], id="norm-1-inf-axes"),
    Case("numpy.linalg.norm", lambda x: la.norm(x, axis=(0, 1)), [[R(3, 2, 4)]],
         id="norm-fro-axes"),
    Case("numpy.linalg.vector_norm", la.vector_norm, [[R(3)], [R(2, 3)], [C(2, 2)]]),
    Case("numpy.linalg.vector_norm",
         lambda x: _flat([la.vector_norm(x, axis=(0, 2), ord=p, keepdims=k)
                          for p, k in ((2, True), (1, False), (onp.inf, False), (3, True))]),
         [[R(2, 3, 2)]], id="vector_norm-axes"),
    Case("numpy.linalg.matrix_norm", la.matrix_norm, [[R(3, 2)], [R(2, 3, 3)]]),
    Case("numpy.linalg.matrix_norm",
         lambda x: _flat([la.matrix_norm(x, ord=p, keepdims=True) for p in ("nuc", 2, 1, onp.inf)]),
         [[SV(3, 3, (2,))]], id="matrix_norm-ords"),
    Case("numpy.linalg.cond", lambda x: _flat([la.cond(x), la.cond(x, -2), la.cond(x, "fro"),
                                               la.cond(x, 1)]),
         [[SV(3, 3)], [SV(2, 2, (2,))]]),

    # least squares
    Case("numpy.linalg.lstsq", lambda a, b: la.lstsq(a, b)[0],
         [[FR(4, 3), R(4)], [FR(4, 2), R(4, 3)], [FR(2, 3), R(2)], [FR(3, 3), R(3, 2)]]),
    Case("numpy.linalg.lstsq", lambda a, b: la.lstsq(a, b)[1],
         [[FR(4, 3), R(4)], [FR(4, 2), R(4, 3)]], id="lstsq-residuals"),
    Case("numpy.linalg.lstsq", lambda a, b: la.lstsq(a, b)[3], [[FR(4, 3), Const(onp.ones(4))]],
         id="lstsq-s"),

    # products and powers
    Case("numpy.linalg.matrix_power", lambda a: la.matrix_power(a, 3),
         [[R(3, 3)], [R(2, 2, 2)]]),
    Case("numpy.linalg.matrix_power",
         lambda a: _flat([la.matrix_power(a, n) for n in (0, 1, 2, 5)]),
         [[R(2, 2)]], id="matrix_power-n"),
    Case("numpy.linalg.matrix_power", lambda a: la.matrix_power(a, -2), [[WC(3)], [WC(2, (2,))]],
         id="matrix_power-negative"),
    Case("numpy.linalg.multi_dot", lambda a, b, c: la.multi_dot([a, b, c]),
         [[R(2, 3), R(3, 4), R(4, 2)], [R(3), R(3, 4), R(4)], [R(3), R(3, 2), R(2, 4)]]),
    Case("numpy.linalg.multi_dot", lambda a, b, c, d: la.multi_dot([a, b, c, d]),
         [[R(5, 2), R(2, 6), R(6, 3), R(3, 1)], [R(2, 3), R(3, 2), R(2, 4), R(4)]],
         id="multi_dot-4"),
    Case("numpy.linalg.multi_dot", lambda a, b: la.multi_dot([a, b]), [[R(2, 3), R(3)]],
         id="multi_dot-2"),
    Case("numpy.linalg.tensorsolve", la.tensorsolve,
         [[lambda rng: WC(6)(rng).reshape(6, 2, 3), R(6)],
          [lambda rng: WC(4)(rng).reshape(2, 2, 2, 2), R(2, 2)]]),
    Case("numpy.linalg.tensorsolve", lambda a, b: la.tensorsolve(a, b, axes=(0,)),
         [[lambda rng: WC(4)(rng).reshape(4, 2, 2).transpose(1, 0, 2).copy(), R(4)]],
         id="tensorsolve-axes"),
    Case("numpy.linalg.tensorinv", lambda a: la.tensorinv(a, ind=1),
         [[lambda rng: WC(4)(rng).reshape(4, 2, 2)]]),
    Case("numpy.linalg.tensorinv", la.tensorinv, [[lambda rng: WC(4)(rng).reshape(2, 2, 2, 2)]],
         id="tensorinv-2"),

    # array-API aliases
    Case("numpy.linalg.matmul", la.matmul, [[R(2, 3), R(3, 2)], [R(2, 2, 3), R(3)]]),
    Case("numpy.linalg.matrix_transpose", la.matrix_transpose, [[R(2, 3)], [R(2, 2, 3)]]),
    Case("numpy.linalg.tensordot", lambda a, b: la.tensordot(a, b, axes=1),
         [[R(2, 3), R(3, 2)]]),
    Case("numpy.linalg.outer", la.outer, [[R(2), R(3)]]),
    Case("numpy.linalg.vecdot", la.vecdot, [[R(2, 3), R(3)], [C(3), C(3)]]),
    Case("numpy.linalg.cross", la.cross, [[R(3), R(3)], [R(2, 3), R(3)]]),
    Case("numpy.linalg.diagonal", lambda a: la.diagonal(a, offset=1), [[R(3, 3)], [R(2, 3, 4)]]),
    Case("numpy.linalg.trace", la.trace, [[R(3, 3)], [R(2, 3, 3)]]),
]

# Every id names the module, so that ``pytest -k linalg`` selects them all.
for _c in CASES:
    if not _c.id.startswith("numpy.linalg."):
        _c.id = "numpy.linalg." + _c.id
