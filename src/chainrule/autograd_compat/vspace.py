"""Vector spaces of values, as in HIPS autograd: ``vspace(x)`` describes the
space a value (an array, a scalar, or a container of them) lives in.

A :class:`VSpace` knows its ``shape``, ``size``, ``ndim``, ``dtype`` and
whether it is complex, makes ``zeros()``, ``ones()``, ``randn()`` and the
``standard_basis()``, and does the vector operations ``add``,
``scalar_mul``, ``inner_prod`` and ``covector``. The operations are written
with ``chainrule.numpy``, so they are differentiable and accept traced values.

>>> import numpy
>>> vs = vspace(numpy.zeros((2, 3)))
>>> vs.shape, vs.size, vs.iscomplex
((2, 3), 6, False)
>>> float(vs.inner_prod(vs.ones(), vs.ones()))
6.0

Containers (tuples, lists, dicts, namedtuples) map every operation over their
leaves:

>>> vspace((1.0, numpy.zeros(2))).size
3
"""

import numpy as _onp

from ..core.engine import Box, getval
from ..numpy import _box

__all__ = [
    "VSpace", "vspace", "ArrayVSpace", "ComplexArrayVSpace", "ContainerVSpace",
    "SequenceVSpace", "ListVSpace", "TupleVSpace", "DictVSpace", "NamedTupleVSpace",
]


def _cnp():
    # chainrule.numpy imports this package's core first; import it late so that
    # ``chainrule.vspace`` can be imported from anywhere without a cycle.
    from .. import numpy as cnp
    return cnp


class VSpace:
    """Base class: a vector space of values. Subclasses say what a value is.

    ``VSpace.register(value_type, maker)`` tells :func:`vspace` which space a
    type belongs to (autograd's API, for user-defined value types).

    >>> isinstance(vspace(1.0), VSpace)
    True
    """

    mappings = {}
    iscomplex = False

    def __init__(self, value):
        pass

    # -- constructors of vectors ---------------------------------------------
    def zeros(self):
        raise NotImplementedError(f"{type(self).__name__}.zeros")

    def ones(self):
        raise NotImplementedError(f"{type(self).__name__}.ones")

    def standard_basis(self):
        raise NotImplementedError(f"{type(self).__name__}.standard_basis")

    def randn(self):
        raise NotImplementedError(f"{type(self).__name__}.randn")

    # -- vector operations (differentiable: built from chainrule.numpy) ------
    def add(self, x_prev, x_new):
        """``x_prev + x_new``."""
        return self._add(x_prev, x_new)

    def mut_add(self, x_prev, x_new):
        """``x_prev + x_new`` (``None`` counts as zero). autograd may add in
        place here; chainrule always returns a new value, which is safe when
        the caller still holds ``x_prev``."""
        if x_prev is None:
            x_prev = self.zeros()
        return self._mut_add(x_prev, x_new)

    def scalar_mul(self, x, a):
        """``a * x`` for a real scalar ``a``."""
        return self._scalar_mul(x, a)

    def inner_prod(self, x, y):
        """Real inner product ``<x, y>`` (``Re sum(conj(x) * y)`` for complex)."""
        return self._inner_prod(x, y)

    def covector(self, x):
        """The covector of ``x``: ``x`` itself, or ``conj(x)`` for complex values."""
        return self._covector(x)

    def _add(self, x, y):
        return x + y

    def _mut_add(self, x, y):
        return self._add(x, y)

    def _scalar_mul(self, x, a):
        return x * a

    def _inner_prod(self, x, y):
        raise NotImplementedError(f"{type(self).__name__}.inner_prod")

    def _covector(self, x):
        return x

    def examples(self):
        """A couple of vectors of this space (used by tests)."""
        return [self.zeros(), self.randn()]

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self):
        return hash((type(self), repr(self.__dict__)))

    def __repr__(self):
        return f"{type(self).__name__}_{self.__dict__}"

    @classmethod
    def register(cls, value_type, vspace_maker=None):
        """Make :func:`vspace` map values of ``value_type`` to this space (or to
        ``vspace_maker(value)``)."""
        VSpace.mappings[value_type] = maker = vspace_maker or cls
        if value_type not in (float, complex, int):
            # the zero gradient of such a value, for chainrule's transforms
            _box.ZEROS.setdefault(value_type, lambda v: maker(v).zeros())


class ArrayVSpace(VSpace):
    """Real arrays and real scalars of a given shape and dtype.

    >>> ArrayVSpace(_onp.ones(3)).zeros()
    array([0., 0., 0.])
    """

    def __init__(self, value):
        value = _onp.asarray(getval(value))
        self.shape = value.shape
        self.dtype = value.dtype

    @property
    def size(self):
        return int(_onp.prod(self.shape, dtype=int))

    @property
    def ndim(self):
        return len(self.shape)

    def zeros(self):
        return _onp.zeros(self.shape, dtype=self.dtype)

    def ones(self):
        return _onp.ones(self.shape, dtype=self.dtype)

    def standard_basis(self):
        for idx in _onp.ndindex(*self.shape):
            v = _onp.zeros(self.shape, dtype=self.dtype)
            v[idx] = 1
            yield v

    def randn(self):
        return _onp.asarray(_onp.random.randn(*self.shape)).astype(self.dtype)

    def _inner_prod(self, x, y):
        cnp = _cnp()
        return cnp.dot(cnp.ravel(x), cnp.ravel(y))


class ComplexArrayVSpace(ArrayVSpace):
    """Complex arrays: a real vector space of twice the size, with the real
    inner product ``Re <x, y>``.

    >>> ComplexArrayVSpace(1j).size
    2
    """

    iscomplex = True

    @property
    def size(self):
        return 2 * int(_onp.prod(self.shape, dtype=int))

    def ones(self):
        return _onp.ones(self.shape, dtype=self.dtype) * (1 + 1j)

    def standard_basis(self):
        for idx in _onp.ndindex(*self.shape):
            for unit in (1.0, 1.0j):
                v = _onp.zeros(self.shape, dtype=self.dtype)
                v[idx] = unit
                yield v

    def randn(self):
        re = _onp.random.randn(*self.shape)
        im = _onp.random.randn(*self.shape)
        return _onp.asarray(re + 1j * im).astype(self.dtype)

    def _inner_prod(self, x, y):
        cnp = _cnp()
        return cnp.real(cnp.dot(cnp.conj(cnp.ravel(x)), cnp.ravel(y)))

    def _covector(self, x):
        return _cnp().conj(x)


def _array_vspace(x):
    return ComplexArrayVSpace(x) if _onp.iscomplexobj(x) else ArrayVSpace(x)


VSpace.register(_onp.ndarray, _array_vspace)
for _t in (float, _onp.longdouble, _onp.float64, _onp.float32, _onp.float16):
    ArrayVSpace.register(_t)
for _t in (complex, _onp.clongdouble, _onp.complex64, _onp.complex128):
    ComplexArrayVSpace.register(_t)


class ContainerVSpace(VSpace):
    """A container of vector spaces; ``shape`` is the container of the leaves'
    spaces. Subclasses say how to map over the container."""

    def __init__(self, value):
        self.shape = value
        self.shape = self._map(vspace)

    @property
    def size(self):
        return sum(self._values(self._map(lambda vs: vs.size)))

    def zeros(self):
        return self._map(lambda vs: vs.zeros())

    def ones(self):
        return self._map(lambda vs: vs.ones())

    def randn(self):
        return self._map(lambda vs: vs.randn())

    def standard_basis(self):
        zero = self.zeros()
        for i, vs in self._kv_pairs(self.shape):
            for x in vs.standard_basis():
                yield self._subval(zero, i, x)

    def _add(self, xs, ys):
        return self._map(lambda vs, x, y: vs._add(x, y), xs, ys)

    def _mut_add(self, xs, ys):
        return self._map(lambda vs, x, y: vs._mut_add(x, y), xs, ys)

    def _scalar_mul(self, xs, a):
        return self._map(lambda vs, x: vs._scalar_mul(x, a), xs)

    def _inner_prod(self, xs, ys):
        return sum(self._values(self._map(lambda vs, x, y: vs._inner_prod(x, y), xs, ys)))

    def _covector(self, xs):
        return self._map(lambda vs, x: vs._covector(x), xs)


class SequenceVSpace(ContainerVSpace):
    """Tuples and lists of values."""

    seq_type = tuple

    def _values(self, x):
        return x

    def _kv_pairs(self, x):
        return enumerate(x)

    def _map(self, f, *args):
        return self.seq_type(map(f, self.shape, *args))

    def _subval(self, xs, idx, x):
        xs = list(xs)
        xs[idx] = x
        return self.seq_type(xs)


class ListVSpace(SequenceVSpace):
    seq_type = list


class TupleVSpace(SequenceVSpace):
    seq_type = tuple


class NamedTupleVSpace(SequenceVSpace):
    """Namedtuples (e.g. NumPy's ``EighResult``): rebuilt field by field."""

    def __init__(self, value):
        if type(self) is NamedTupleVSpace:
            # Unregistered namedtuple type: remember it on the instance.
            self.seq_type = type(value)
        super().__init__(value)

    def _map(self, f, *args):
        return self.seq_type(*map(f, self.shape, *args))

    def _subval(self, xs, idx, x):
        xs = list(xs)
        xs[idx] = x
        return self.seq_type(*xs)


class DictVSpace(ContainerVSpace):
    """Dicts of values (keys kept in insertion order)."""

    def _values(self, x):
        return x.values()

    def _kv_pairs(self, x):
        return x.items()

    def _map(self, f, *args):
        return {k: f(vs, *[x[k] for x in args]) for k, vs in self.shape.items()}

    def _subval(self, xs, idx, x):
        d = dict(xs.items())
        d[idx] = x
        return d


ListVSpace.register(list)
TupleVSpace.register(tuple)
DictVSpace.register(dict)


def vspace(value):
    """The vector space of ``value`` (traced values: of their plain value).

    >>> vspace(2.0).shape, vspace([1.0, 2.0]).size
    ((), 2)
    """
    try:
        return VSpace.mappings[type(value)](value)
    except KeyError:
        pass
    if type(value) is Box:
        return vspace(getval(value))
    # Subclasses of the registered containers (namedtuples, OrderedDict...).
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return NamedTupleVSpace(value)
    if isinstance(value, dict):
        return DictVSpace(value)
    if isinstance(value, (tuple, list)):
        return (ListVSpace if isinstance(value, list) else TupleVSpace)(value)
    if isinstance(value, _onp.generic) and _onp.dtype(type(value)).kind in "fc":
        return _array_vspace(value)
    raise TypeError(
        f"chainrule: can't find a vector space for value {value!r:.60} of type {type(value)}. "
        "Differentiable values are float or complex scalars and arrays, and tuples, lists and "
        "dicts of them; register another type with VSpace.register(type, maker)."
    )
