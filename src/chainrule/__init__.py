"""chainrule: automatic differentiation of NumPy code, forward and reverse mode.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(np.sin)(0.0))
1.0
"""

from .transforms import (  # noqa: F401
    checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named, hessian,
    hessian_tensor_product, hessian_vector_product, holomorphic_grad, hvp, jacfwd, jacobian,
    jacrev, jvp, linearize, make_ggnvp, make_hvp, make_jvp, make_jvp_reversemode, make_vjp,
    multigrad_dict, tensor_jacobian_product, value_and_grad, vector_jacobian_product, vjp,
)
from . import numpy  # noqa: F401  (installs the array operators on traced values)
from ._jit import JitError, JitEscapeError, StaleProgramError, jit  # noqa: F401
from .builtins import dict, isinstance, list, tuple, type  # noqa: F401,A004 - autograd's names
from .extend import primitive_with_deprecation_warnings as primitive  # noqa: F401
from .serialization import load, save  # noqa: F401  (checkpoints: .npz / .safetensors, no pickle)

__version__ = "0.1.0"
