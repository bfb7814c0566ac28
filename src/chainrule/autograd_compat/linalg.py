"""The helpers of ``autograd.numpy.linalg`` that code written for autograd
imports (autograd's own linalg tests do): ``T``, ``_dot``, ``_diag``,
``_matrix_diag`` and ``add2d``, all on stacks of matrices.

>>> import chainrule.numpy as np
>>> T(np.ones((2, 3))).shape, _dot(np.ones((4, 2, 3)), np.ones((3, 5))).shape
((3, 2), (4, 2, 5))
"""

from functools import partial

from .. import numpy as anp

__all__ = ["T", "_dot", "_diag", "_matrix_diag", "add2d"]


def T(x):
    """Swap the last two axes."""
    return anp.swapaxes(x, -1, -2)


_dot = partial(anp.einsum, "...ij,...jk->...ik")


def _diag(a):
    """Batched diagonal matrix: the identity times ``a``."""
    return anp.eye(a.shape[-1]) * a


def _matrix_diag(a):
    """Matrices with ``a``'s last axis on their diagonal."""
    reps = anp.array(a.shape)
    reps[:-1] = 1
    reps[-1] = a.shape[-1]
    newshape = list(a.shape) + [a.shape[-1]]
    return _diag(anp.reshape(anp.tile(a, reps), newshape))


def add2d(x):
    """Two axes of length one at the end."""
    return anp.reshape(x, anp.shape(x) + (1, 1))
