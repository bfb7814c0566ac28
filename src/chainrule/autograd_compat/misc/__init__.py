"""autograd's ``autograd.misc``: :func:`flatten` and :func:`const_graph`,
with the optimizers in :mod:`.optimizers` and fixed points in
:mod:`.fixed_points`.

>>> import numpy
>>> flat, unflatten = flatten({"b": numpy.ones(2), "a": 3.0})
>>> flat
array([3., 1., 1.])
>>> unflatten(flat)["a"]
3.0
"""

from .flatten import flatten, flatten_func
from .tracers import const_graph

__all__ = ["flatten", "flatten_func", "const_graph"]
