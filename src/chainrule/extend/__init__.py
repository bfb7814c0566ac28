"""Defining new primitives: HIPS autograd's ``autograd.extend`` API, plus JAX's
``custom_vjp`` / ``custom_jvp``.

Code written against autograd runs unchanged::

    from chainrule.extend import primitive, defvjp, defjvp

    @primitive
    def logsumexp(x):
        m = onp.max(x)
        return m + onp.log(onp.sum(onp.exp(x - m)))

    defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
    defjvp(logsumexp, lambda g, ans, x: np.sum(g * np.exp(x - ans)))

Conventions are autograd's:

* a *VJP maker* is ``vjpmaker(ans, *args, **kwargs)`` and returns a function
  ``g -> cotangent of that argument``; ``None`` means "zero gradient";
* a *JVP* is ``jvp(g, ans, *args, **kwargs)`` (tangent first) and returns the
  tangent of the output; ``None`` means zero, ``"same"`` means the function is
  linear in that argument (apply it to the tangent);
* ``defvjp_argnum(f, maker)`` with ``maker(argnum, ans, args, kwargs)``,
  ``defjvp_argnum(f, maker)`` with ``maker(argnum, g, ans, args, kwargs)``, and
  the joint ``defvjp_argnums`` / ``defjvp_argnums`` taking all argnums at once.

The rules are adapted to chainrule's internal ones (``rule(g, ans, *args)``).
What the adapter adds:

* chainrule batches Jacobians (``jacobian``, ``hessian``, ``jacfwd``...) by
  pushing many (co)tangents at once along a leading axis; autograd rules are
  written for one. The adapter detects the extra axes and calls the rule once
  per basis vector, so every autograd rule is correct under every transform.
* primitives may take and return tuples, lists and dicts of arrays: traced
  leaves inside a container argument are gathered into one traced container,
  and a container output is split into traced leaves, as autograd's
  ``SequenceBox``/``DictBox`` do.

A derivative that was never defined raises :class:`MissingRuleError` when a
traced value reaches it. Rules should use ``chainrule.numpy`` so that they can
be differentiated in turn (``grad(grad(f))``).

Two differences from autograd: defining rules on a primitive again *adds*
to (or replaces) the rules for the given argnums instead of discarding the
others, and ``primitive(f)`` returns a :class:`~chainrule.core.engine.Primitive`
object (callable like ``f``, with ``.fun`` the raw function) instead of a
plain function.
"""

# The code lives in private submodules.
from ..core._lazy import compat_names
from ..core.engine import Box, getval, isbox
from ..core.errors import MissingRuleError
from ._batch import _batch_shape  # noqa: F401 - used by chainrule.transforms
from ._checkpoint import checkpoint
from ._custom import custom_jvp, custom_vjp
from ._primitive import notrace_primitive, primitive, register_notrace
from ._rules import (
    def_linear, defjvp, defjvp_argnum, defjvp_argnums, defvjp, defvjp_argnum, defvjp_argnums,
)

__all__ = [
    "Box", "primitive", "notrace_primitive", "register_notrace",
    "defvjp", "defvjp_argnum", "defvjp_argnums", "defjvp", "defjvp_argnum", "defjvp_argnums",
    "def_linear", "MissingRuleError", "custom_vjp", "custom_jvp", "checkpoint", "isbox", "getval",
]

# autograd.extend's other names, for code written for autograd; they live in
# chainrule.autograd_compat, loaded on first use (chainrule never needs them).
_COMPAT = {
    "VSpace": "vspace", "vspace": "vspace", "SparseObject": "_extend_core",
    "primitive_vjps": "_extend_core", "primitive_jvps": "_extend_core",
    "primitive_with_deprecation_warnings": "_extend_core",
    "VJPNode": "tracer", "JVPNode": "tracer",
}


__getattr__, __dir__ = compat_names(__name__, _COMPAT)
