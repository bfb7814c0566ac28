"""autograd's ``numpy.numpy_vspaces``: the vector spaces of arrays."""

from ..vspace import ArrayVSpace, ComplexArrayVSpace  # noqa: F401
