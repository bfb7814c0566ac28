"""chainrule: automatic differentiation of NumPy code, forward and reverse mode.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(np.sin)(0.0))
1.0

The layers, from the bottom (``docs/architecture.md``): the engine
(:mod:`chainrule.core`), the transforms (:mod:`chainrule.transforms`, exported
here), NumPy and SciPy with derivatives (:mod:`chainrule.numpy`,
:mod:`chainrule.scipy`), the extension API (:mod:`chainrule.extend`),
:mod:`chainrule.explain`, and training on top of the public API
(:mod:`chainrule.nn`, :mod:`chainrule.optim`, :mod:`chainrule.data`),
checkpoints (:func:`save`, :func:`load`), the ``chainrule`` command
(:mod:`chainrule.cli`, :mod:`chainrule.demos`). HIPS autograd's API lives in
:mod:`chainrule.autograd_compat`.
"""

from . import numpy  # noqa: F401  (installs the array operators on traced values)
from ._jit import JitError, JitEscapeError, StaleProgramError, jit
from .core._lazy import compat_names
from .core.errors import EscapedTraceError, IndependentOutputWarning
from .extend import checkpoint
from .serialization import load, save
from .transforms import (
    deriv, elementwise_grad, grad, grad_and_aux, grad_named, hessian,
    hessian_tensor_product, hessian_vector_product, holomorphic_grad, hvp, jacfwd, jacobian,
    jacrev, jvp, linearize, make_ggnvp, make_hvp, make_jvp, make_jvp_reversemode, make_vjp,
    multigrad_dict, tensor_jacobian_product, value_and_grad, vector_jacobian_product, vjp,
)

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv", "holomorphic_grad",
    "jvp", "vjp", "make_vjp", "make_jvp", "linearize", "jacfwd", "jacrev", "jacobian", "hessian",
    "hvp", "make_hvp", "hessian_tensor_product", "hessian_vector_product",
    "tensor_jacobian_product", "vector_jacobian_product", "multigrad_dict", "checkpoint",
    "grad_named", "make_ggnvp", "make_jvp_reversemode", "save", "load", "jit", "JitError",
    "JitEscapeError", "StaleProgramError",
    "IndependentOutputWarning", "EscapedTraceError",
]

# autograd's top-level names that are not chainrule's: its ``tuple``, ``list``,
# ``dict``, ``isinstance``, ``type`` (which would shadow Python's own under
# ``from chainrule import *``, so they are not in __all__) and ``primitive``
# with autograd's deprecated methods. Loaded from chainrule.autograd_compat on
# first use.
_COMPAT = {
    "tuple": "builtins", "list": "builtins", "dict": "builtins", "isinstance": "builtins",
    "type": "builtins", "primitive": "core",
}


__getattr__, __dir__ = compat_names(__name__, _COMPAT)
