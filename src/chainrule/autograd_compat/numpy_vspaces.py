"""autograd's ``numpy.numpy_vspaces``: the vector spaces of arrays."""

from .vspace import ArrayVSpace, ComplexArrayVSpace

__all__ = ["ArrayVSpace", "ComplexArrayVSpace"]
