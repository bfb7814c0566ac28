"""``chainrule.numpy.linalg``: ``numpy.linalg`` with derivatives.

Every public name of ``numpy.linalg`` is here:

* primitives with forward (JVP) and reverse (VJP) rules: ``inv``, ``det``,
  ``solve``, ``slogdet``, ``cholesky``, ``eigh``, ``eig``, ``svd``, ``qr``,
  ``pinv`` and the Euclidean/Frobenius norm;
* functions built from primitives: ``norm``, ``vector_norm``,
  ``matrix_norm``, ``eigvals``, ``eigvalsh``, ``svdvals``, ``cond``,
  ``lstsq``, ``matrix_power``, ``multi_dot``, ``tensorsolve``, ``tensorinv``
  and the array-API aliases (``matmul``, ``tensordot``, ``trace``...);
* ``matrix_rank`` (an integer) is non-differentiable; ``LinAlgError`` and
  ``test`` are NumPy's own.

Conventions
-----------
* Matrices may be stacked (``(..., m, n)``) as in NumPy; tangents and
  cotangents may carry extra *leading* batch axes, which every rule passes
  through with ``...`` broadcasting (matmul, elementwise products).
* Complex inputs follow the library convention: a VJP is the transpose (not
  the conjugate transpose) of the JVP's linear map, conjugations included.
* ``cholesky`` and ``eigh`` (and ``eigvalsh``) read one triangle of their
  input, as LAPACK does; their derivatives are those of the function NumPy
  actually computes, so they agree with finite differences in every
  direction. Along symmetric (Hermitian) directions, the usual case, this is
  the textbook derivative; the gradient itself is triangular.
* Decompositions with several outputs (``eigh``, ``svd``...) are one
  primitive whose value is a tuple; :func:`_part` picks an output. Reverse
  mode carries one cotangent slot per output (``None`` for an output that was
  not used, so e.g. eigenvalue-only functions never divide by eigenvalue gaps);
  forward mode computes only the output tangents that are used.

Formulas: M. Giles, "An extended collection of matrix derivative results for
forward and reverse mode AD" (2008); J. Townsend, "Differentiating the
singular value decomposition" (2016); I. Murray, "Differentiation of the
Cholesky decomposition" (2016); the rules of HIPS autograd and JAX.
"""

# The decompositions and rules live in private submodules, imported in the order of the
# single-module original so that the registries (PRIMITIVES, COMPOSITES) keep their order.
from numpy.linalg import LinAlgError  # noqa: F401 - re-exported as is
from numpy.linalg import test  # noqa: F401 - NumPy's test runner, re-exported

from ._helpers import (EigResult, EighResult, QRResult, SlogdetResult,  # noqa: F401
                       SVDResult, _part)
from ._solve_det import det, inv, slogdet, slogdet_p, solve, solve_p  # noqa: F401
from ._cholesky import cholesky, cholesky_p  # noqa: F401
from ._eigen import eig, eig_p, eigh, eigh_p, eigvals, eigvalsh  # noqa: F401
from ._svd import svd, svd_p, svdvals  # noqa: F401
from ._qr import qr, qr_p  # noqa: F401
from ._pinv import pinv, pinv_p  # noqa: F401
from ._norms import _norm2, cond, lstsq, matrix_norm, norm, vector_norm  # noqa: F401
from ._products import (cross, diagonal, matmul, matrix_power, matrix_rank,  # noqa: F401
                        matrix_transpose, multi_dot, outer, tensordot, tensorinv,
                        tensorsolve, trace, vecdot)

__all__ = [
    "LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
    "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
    "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd",
    "svdvals", "tensordot", "tensorinv", "tensorsolve", "test", "trace", "vecdot", "vector_norm",
]


# autograd.numpy.linalg's helpers (T, _dot...), for code written for autograd: looked up in
# chainrule.autograd_compat on first use.
_COMPAT = ("T", "_dot", "_diag", "_matrix_diag", "add2d")


def __getattr__(name):
    if name not in _COMPAT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module("chainrule.autograd_compat.linalg"), name)
    globals()[name] = value
    return value


def __dir__():
    """The public names (``__all__``), not the private modules and primitives."""
    return sorted(__all__)
