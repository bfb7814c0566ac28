"""autograd's ``numpy.numpy_boxes``: chainrule has one Box class for every value."""

from ..core.engine import Box
from ..numpy._wrap import unbroadcast

ArrayBox = Box


def unbroadcast_f(target, f):
    """autograd's helper: a function of ``g`` that sums it back to ``target``'s shape."""
    from ..numpy._wrap import ndim
    return lambda g: unbroadcast(f(g), target, ndim(g))


__all__ = ["ArrayBox", "Box", "unbroadcast", "unbroadcast_f"]
