"""Shape functions: four primitives (reshape, transpose, broadcast_to,
concatenate) and everything else built from them.

A batched tangent or cotangent carries ``nb`` leading axes in front of the
value's own axes; the rules move them along untouched.
"""

import numpy as _np

from ..core.engine import Box, getval
from ._wrap import (align, array_module, defprim, holds_box, match_real, ndim, normalize_axis,
                    shape)
from ._wrap import ARRAY_TYPES as _ARRAY_TYPES
from ._wrap import dtype as _dtype_of
from ._wrap import shape as _shape_of
from ._wrap import unbroadcast
from .convert import in_dtype
from .reductions import composite

# -- reshape --------------------------------------------------------------------


def _reshape(x, newshape, order="C"):
    if type(x) in _ARRAY_TYPES:  # the method skips np.reshape's dispatch layers
        return x.reshape(newshape, order=order)
    if order == "C":  # Dask's reshape has no order=
        return _np.reshape(x, newshape)
    return _np.reshape(x, newshape, order=order)


def _reshape_batched(v, nb, newshape, order):
    if order == "C" or nb == 0:
        return _reshape_p(v, shape(v)[:nb] + tuple(newshape), order)
    # Fortran order: batch axes must be the slowest, i.e. last.
    moved = moveaxis(v, tuple(range(nb)), tuple(range(-nb, 0)))
    r = _reshape_p(moved, tuple(newshape) + shape(v)[:nb], order)
    return moveaxis(r, tuple(range(-nb, 0)), tuple(range(nb)))


_reshape_p = defprim(_reshape, "numpy.reshape", needs_ans=False, needs_args=False)
_reshape_p.defvjp(lambda g, ans, x, newshape, order="C":
                  _reshape_batched(g, ndim(g) - _newndim(x, newshape), shape(x), order))
_reshape_p.defjvp(lambda t, ans, x, newshape, order="C":
                  _reshape_batched(t, ndim(t) - ndim(x), _resolve(x, newshape), order))


def _newndim(x, newshape):
    return 1 if isinstance(newshape, (int, _np.integer)) else len(newshape)


def _resolve(x, newshape):
    """Replace a -1 in ``newshape`` by its value for ``x``."""
    if isinstance(newshape, (int, _np.integer)):
        newshape = (int(newshape),)
    newshape = tuple(int(n) for n in newshape)
    if -1 in newshape:
        known = int(_np.prod([n for n in newshape if n != -1], dtype=int))
        size = int(_np.prod(shape(x), dtype=int))
        newshape = tuple(size // known if n == -1 else n for n in newshape)
    return newshape


def reshape(a, newshape=None, order="C", *, shape=None, copy=None):
    """Give ``a`` a new shape without changing its data."""
    if newshape is None:
        newshape = shape
    if isinstance(newshape, (int, _np.integer)):
        newshape = (int(newshape),)
    return _reshape_p(a, tuple(newshape), order)


# -- transpose --------------------------------------------------------------------

def _transpose(x, axes=None):
    if type(x) in _ARRAY_TYPES:
        return x.transpose(axes)
    return _np.transpose(x, axes)


def _batched_perm(axes, nd, nb):
    if axes is None:
        axes = tuple(range(nd))[::-1]
    axes = [a % nd for a in axes] if nd else []
    return tuple(range(nb)) + tuple(nb + a for a in axes)


def _transpose_vjp(g, ans, x, axes=None):
    nd = ndim(x)
    nb = ndim(g) - nd
    if axes is None and nb == 0:
        return _transpose_p(g, None)  # reversing the axes is its own inverse
    perm = _batched_perm(axes, nd, 0)
    inv = [0] * nd
    for i, p in enumerate(perm):
        inv[p] = i
    return _transpose_p(g, _batched_perm(inv, nd, nb))


transpose_p = _transpose_p = defprim(_transpose, "numpy.transpose", needs_ans=False,
                                     needs_args=False)
_transpose_p.defvjp(_transpose_vjp)
_transpose_p.defjvp(lambda t, ans, x, axes=None:
                    _transpose_p(t, _batched_perm(axes, ndim(x), ndim(t) - ndim(x))))


def transpose(a, axes=None):
    """Permute the axes (reverse them by default)."""
    if axes is not None:
        axes = tuple(int(i) for i in axes)
    return _transpose_p(a, axes)


permute_dims = transpose


@composite
def swapaxes(a, axis1, axis2):
    """Interchange two axes."""
    nd = ndim(a)
    perm = list(range(nd))
    perm[axis1 % nd], perm[axis2 % nd] = perm[axis2 % nd], perm[axis1 % nd]
    return transpose(a, perm)


@composite
def moveaxis(a, source, destination):
    """Move axes to new positions, keeping the others in order."""
    nd = ndim(a)
    src = [source] if isinstance(source, (int, _np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, _np.integer)) else list(destination)
    src = [s % nd for s in src]
    dst = [d % nd for d in dst]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    if order == list(range(nd)):
        return a
    return transpose(a, order)


@composite
def rollaxis(a, axis, start=0):
    """Roll ``axis`` backwards until it lies before ``start``."""
    nd = ndim(a)
    axis %= nd
    if start < 0:  # NumPy: -nd <= start <= nd
        start += nd
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


@composite
def matrix_transpose(x):
    """Swap the last two axes."""
    return swapaxes(x, -1, -2)


# -- broadcast_to ---------------------------------------------------------------------

def _broadcast_to(x, shape_):
    return _np.broadcast_to(x, shape_)


broadcast_to_p = defprim(_broadcast_to, "numpy.broadcast_to", needs_ans=False, needs_args=False)
broadcast_to_p.defvjp(lambda g, ans, x, shape_: unbroadcast(g, x, len(shape_)))
broadcast_to_p.defjvp(lambda t, ans, x, shape_: broadcast_to_p(
    align(t, x, len(shape_)), shape(t)[: ndim(t) - ndim(x)] + tuple(shape_)))


def broadcast_to(array, shape, subok=False):
    """Broadcast an array to a new shape (a read-only view)."""
    if isinstance(shape, (int, _np.integer)):
        shape = (int(shape),)
    shape = tuple(shape)
    if _shape_of(array) == shape:
        return array
    return broadcast_to_p(array, shape)


def broadcast_arrays(*args, subok=False):
    """Broadcast several arrays against each other."""
    target = _np.broadcast_shapes(*[_shape_of(a) for a in args])
    return tuple(broadcast_to(a, target) for a in args)


# -- concatenate -------------------------------------------------------------------------

def _concat(axis, *arrays):
    return _np.concatenate(arrays, axis=axis)


def _concat_vjp_joint(argnums, g, ans, axis, *arrays):
    # The cotangent of each input is its slice of g along the joined axis.
    nd = ndim(arrays[0])  # the output's ndim (ans is not kept on the tape)
    nb = ndim(g) - nd
    ax = normalize_axis(axis, nd)[0]
    ends = _np.cumsum([shape(a)[ax] for a in arrays])
    lead = (slice(None),) * (nb + ax)
    # A real input joined with complex ones gets the real part of its slice; a float32
    # input joined with float64 ones (the output is float64) a float32 slice.
    return [in_dtype(
        match_real(g[lead + (slice(ends[i - 1] - shape(arrays[i - 1])[ax], ends[i - 1]),)],
                   arrays[i - 1]), _dtype_of(arrays[i - 1]))
            for i in argnums]


def _concat_jvp_joint(traced, ans, axis, *arrays):
    nb = ndim(traced[0][1]) - ndim(arrays[traced[0][0] - 1])
    ts = dict(traced)
    batch = shape(traced[0][1])[:nb]
    parts = []
    for i, a in enumerate(arrays, start=1):
        t = ts.get(i)
        if t is None:
            xp = array_module(traced[0][1])
            t = xp.zeros(batch + shape(a), dtype=_dtype_of(getval(ans)))
        parts.append(t)
    ax = normalize_axis(axis, ndim(arrays[0]))[0] + nb
    return concatenate_p(ax, *parts)


concatenate_p = defprim(_concat, "numpy.concatenate", needs_ans=False, needs_args=False)
concatenate_p.vjp_joint = _concat_vjp_joint
concatenate_p.jvp_joint = _concat_jvp_joint


def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Join arrays along an existing axis (``axis=None`` flattens first)."""
    arrays = list(arrays)
    if axis is None:
        arrays = [reshape(a, (-1,)) for a in arrays]
        axis = 0
    return concatenate_p(axis, *arrays)


concat = concatenate


@composite
def stack(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Join arrays along a new axis."""
    arrays = list(arrays)
    nd = ndim(arrays[0]) + 1
    ax = axis % nd
    return concatenate([expand_dims(a, ax) for a in arrays], axis=ax)


@composite
def hstack(tup, dtype=None, casting="same_kind"):
    """Stack horizontally (along axis 1; axis 0 for 1-D arrays)."""
    arrs = atleast_1d(*tup) if len(tup) > 1 else [atleast_1d(tup[0])]
    return concatenate(arrs, axis=0 if ndim(arrs[0]) == 1 else 1)


@composite
def vstack(tup, dtype=None, casting="same_kind"):
    """Stack vertically (rows)."""
    return concatenate([atleast_2d(a) for a in tup], axis=0)


row_stack = vstack


@composite
def dstack(tup):
    """Stack along the third axis."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


@composite
def column_stack(tup):
    """Stack 1-D arrays as columns of a 2-D array."""
    cols = [reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in tup]
    return concatenate(cols, axis=1)


@composite
def append(arr, values, axis=None):
    """Append values to the end of an array."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


# -- built on reshape -------------------------------------------------------------------

@composite
def ravel(a, order="C"):
    """Flatten to 1-D."""
    return reshape(a, (-1,), order=order)


@composite
def expand_dims(a, axis):
    """Insert axes of length one."""
    nd = ndim(a)
    axes = [axis] if isinstance(axis, (int, _np.integer)) else list(axis)
    out_nd = nd + len(axes)
    axes = sorted(x % out_nd for x in axes)
    s = list(shape(a))
    for x in axes:
        s.insert(x, 1)
    return reshape(a, tuple(s))


@composite
def squeeze(a, axis=None):
    """Remove axes of length one."""
    s = shape(a)
    if axis is None:
        new = tuple(n for n in s if n != 1)
    else:
        axes = normalize_axis(axis, len(s))
        for x in axes:
            if s[x] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not "
                                 "equal to one")
        new = tuple(n for i, n in enumerate(s) if i not in axes)
    return reshape(a, new)


@composite
def atleast_1d(*arys):
    """View inputs as arrays with at least one axis."""
    res = [a if ndim(a) >= 1 else reshape(a, (1,)) for a in arys]
    return res[0] if len(res) == 1 else res


@composite
def atleast_2d(*arys):
    """View inputs as arrays with at least two axes (new axes in front)."""
    res = [a if ndim(a) >= 2 else reshape(a, (1,) * (2 - ndim(a)) + shape(a)) for a in arys]
    return res[0] if len(res) == 1 else res


@composite
def atleast_3d(*arys):
    """View inputs as arrays with at least three axes, as NumPy places them:
    () -> (1, 1, 1), (N,) -> (1, N, 1), (M, N) -> (M, N, 1)."""
    def lift(a):
        s = shape(a)
        return a if len(s) >= 3 else reshape(a, {0: (1, 1, 1), 1: (1,) + s + (1,),
                                                 2: s + (1,)}[len(s)])
    res = [lift(a) for a in arys]
    return res[0] if len(res) == 1 else res


# chainrule.numpy itself, bound by its __init__ once every family is loaded (r_ and c_ use
# asarray and indexing, families that import this one).
cnp = None


# -- r_ and c_ ---------------------------------------------------------------------------

class _Slot:
    """Element ``j`` of traced piece ``k``, where NumPy's r_ / c_ place it."""

    __slots__ = ("k", "j")

    def __init__(self, k, j):
        self.k, self.j = k, j


class _Concatenator:
    """``numpy.r_`` / ``numpy.c_`` that also take traced pieces.

    Without a traced piece this is NumPy's own object. With one, NumPy lays the
    result out on stand-ins (object arrays of :class:`_Slot`, of each traced
    piece's shape), so that every directive (slices, ``"0,2"``, ``"c"``...) means
    what it means in NumPy; the result is then one gather from the traced
    pieces and the constants: differentiable, and one primitive call.
    """

    def __init__(self, np_obj, name):
        self._np = np_obj
        self.__name__ = name
        self.__doc__ = type(np_obj).__doc__

    def __getitem__(self, key):
        items = key if type(key) is tuple else (key,)
        if not any(type(v) is Box or (type(v) in (list, tuple) and holds_box(v))
                   for v in items):
            return self._np[key]
        traced = []

        def stand_in(v):
            if type(v) is not Box and not (type(v) in (list, tuple) and holds_box(v)):
                return v
            v = cnp.asarray(v)
            obj = _np.empty(shape(v), dtype=object)
            flat = obj.reshape(-1)
            for j in range(flat.size):
                flat[j] = _Slot(len(traced), j)
            traced.append(v)
            return obj

        stand_ins = tuple(stand_in(v) for v in items)
        layout = _np.asarray(self._np[stand_ins if type(key) is tuple else stand_ins[0]])
        offsets = _np.cumsum([0] + [int(_np.prod(shape(t), dtype=int)) for t in traced])
        consts, idx = [], _np.empty(layout.size, dtype=_np.intp)
        for i, e in enumerate(layout.reshape(-1)):
            if type(e) is _Slot:
                idx[i] = offsets[e.k] + e.j
            else:
                idx[i] = offsets[-1] + len(consts)
                consts.append(e)
        dt = _np.result_type(*[_dtype_of(t) for t in traced],
                             *([_np.asarray(consts).dtype] if consts else []))
        pieces = [ravel(t) for t in traced]
        if consts:
            pieces.append(_np.asarray(consts, dtype=dt))
        source = concatenate(pieces)
        return reshape(cnp._getitem(source, idx), layout.shape)

    def __len__(self):
        return 0


r_ = _Concatenator(_np.r_, "r_")
c_ = _Concatenator(_np.c_, "c_")
