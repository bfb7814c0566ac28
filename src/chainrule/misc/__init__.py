"""autograd's ``autograd.misc``, for code written for autograd: thin modules over
:mod:`chainrule.autograd_compat.misc` (``flatten``, ``const_graph``, and the
submodules ``flatten``, ``optimizers``, ``fixed_points``, ``tracers``)."""

# The submodules first, as autograd's package does: importing one later would
# otherwise replace the function ``flatten`` by the module of that name.
from . import fixed_points, optimizers, tracers  # noqa: F401
from .flatten import flatten, flatten_func
from .tracers import const_graph

__all__ = ["flatten", "flatten_func", "const_graph"]
