"""Indexing: ``x[idx]`` and its transpose ``untake`` (primitives), the
functional update behind ``x[idx] = v``, and everything built on them
(take, take_along_axis, flip, roll, repeat, tile, split, sort, pad...).

Batch axes of tangents/cotangents are moved to the *end* before indexing:
trailing axes pass through any NumPy index unchanged, whereas leading ones
could be reordered by advanced indexing.
"""

import numpy as _np

from ..core.errors import NotDifferentiableError
from ..core.engine import Box, getval
from ._wrap import array_module, defprim, like, ndim, normalize_axis, scatter_add, shape, dtype
from .basis import ScaledBasis
from ._wrap import ARRAY_TYPES as _ARRAY_TYPES, TRACED as _TRACED, asarray as _tasarray
from .._jit._record import lift as _lift
from ._wrap import setitem as _setitem
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

# -- normalizing an index ------------------------------------------------------------


def _plain_index(idx):
    """Unbox traced index arrays; lists become arrays; always a tuple."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if type(i) is Box:
            i = getval(i)
        if isinstance(i, list):
            i = _np.asarray(i)
        out.append(i)
    return tuple(out)


def _batch_index(idx, nb):
    """The index for a value with ``nb`` trailing batch axes: they pass through.

    The index itself is left as it is, so that NumPy places the advanced-index
    axes exactly as for the unbatched value (an ``...`` between two index
    arrays separates them even when it spans no axis): trailing slices after
    an ``...``, or a final ``...``, cover the batch axes.
    """
    if any(i is Ellipsis for i in idx):
        return idx + (slice(None),) * nb
    return idx + (Ellipsis,)


def _is_int_array(i):
    if isinstance(i, _np.ndarray):
        return i.dtype != bool
    # an index array of another array module (e.g. from argsort on CuPy)
    return (hasattr(i, "__array_namespace__") and not isinstance(i, _np.generic)
            and i.dtype != bool)


def _has_int_array(idx):
    return any(_is_int_array(i) for i in idx)


def _batch_last(v, nb):
    if nb == 0:
        return v
    moveaxis = cnp.moveaxis
    return moveaxis(v, tuple(range(nb)), tuple(range(-nb, 0)))


def _batch_first(v, nb):
    if nb == 0:
        return v
    moveaxis = cnp.moveaxis
    return moveaxis(v, tuple(range(-nb, 0)), tuple(range(nb)))


# -- getitem and untake -----------------------------------------------------------------

def _getitem_raw(x, idx):
    if type(x) is list or type(x) is tuple:  # an array-like: NumPy's indexing, not the list's
        x = _tasarray(x)
    if type(x) is _np.ndarray:
        for i in idx:  # a traced index into a plain array: chainrule.jit records it
            if type(i) in _TRACED:
                x = _lift(x, idx)
                break
    return x[idx]


def _untake_raw(g, idx, xshape):
    # The transpose of x[idx]: scatter g into zeros of x's shape (summing repeats).
    gv = g
    if type(g) in _ARRAY_TYPES:
        out = _np.zeros(xshape, dtype=g.dtype)
    else:  # a scalar, or another array module's array
        out = array_module(g).zeros(xshape, dtype=dtype(g))
        if type(g) is ScaledBasis:  # a Jacobian's seed: NumPy densifies it, others do not
            gv = g.dense()
    if _has_int_array(idx):
        out = scatter_add(out, idx, gv)
    else:
        out = _setitem(out, idx, gv)
    return out


getitem_p = defprim(_getitem_raw, "numpy.getitem", needs_args=False)
untake_p = defprim(_untake_raw, "numpy.untake", needs_ans=False)


def _getitem_batched(v, idx, nd):
    """``v[idx]`` for ``v`` of shape ``batch + value shape`` (value ndim ``nd``)."""
    nb = ndim(v) - nd
    if nb == 0:
        return getitem_p(v, idx)
    return _batch_first(getitem_p(_batch_last(v, nb), _batch_index(idx, nb)), nb)


def _untake_batched(v, idx, xshape, out_nd):
    nb = ndim(v) - out_nd
    if nb == 0:
        return untake_p(v, idx, tuple(xshape))
    batch = shape(v)[:nb]
    return _batch_first(untake_p(_batch_last(v, nb), _batch_index(idx, nb),
                                 tuple(xshape) + tuple(batch)), nb)


getitem_p.defvjp(lambda g, ans, x, idx: _untake_batched(g, idx, shape(x), ndim(ans)))
getitem_p.defjvp(lambda t, ans, x, idx: _getitem_batched(t, idx, ndim(x)))
untake_p.defvjp(lambda g, ans, v, idx, xshape: _getitem_batched(g, idx, len(xshape)))
untake_p.defjvp(lambda t, ans, v, idx, xshape: _untake_batched(t, idx, xshape, ndim(v)))


def _key_module(idx):
    """NumPy, or the array module of the index arrays of ``idx`` (a tuple) when
    they live on another one (a mask or ``argsort`` result on CuPy)."""
    for i in idx:
        if not isinstance(i, (_np.ndarray, _np.generic)) and hasattr(i, "__array_namespace__"):
            return array_module(i)
    return _np


def _host_key(idx):
    """``idx`` with index arrays of another array module replaced by host stand-ins
    that select a region of the same shape (a mask keeps its number of ``True``)."""
    if _key_module(idx) is _np:
        return idx
    out = []
    for i in idx:
        if not isinstance(i, (_np.ndarray, _np.generic)) and hasattr(i, "__array_namespace__"):
            if i.dtype == bool:
                m = _np.zeros(i.size, dtype=bool)
                m[:int(i.sum())] = True
                i = m.reshape(i.shape)
            else:
                i = _np.zeros(i.shape, dtype=_np.intp)
        out.append(i)
    return tuple(out)


def _region(xshape, idx):
    """The shape of ``x[idx]``; np.empty does not touch memory."""
    # A traced mask (chainrule.jit): indexed as a recorded op whose shape every replay
    # rechecks, since the number of True entries decides it.
    return _lift(_np.empty(xshape, dtype=bool), idx)[_host_key(idx)].shape


def _result_ndim(xshape, idx):
    return len(_region(xshape, idx))


def _getitem(x, idx):
    """``x[idx]`` on a traced value (any NumPy index)."""
    return getitem_p(x, _plain_index(idx))


# -- x[idx] = v as a functional update ---------------------------------------------------

def _update_raw(x, idx, v):
    return _setitem(x.copy(), idx, v)


def _keep_mask(xshape, idx):
    m = _key_module(idx).ones(xshape, dtype=bool)
    return _setitem(m, idx, False)


def _winners(xshape, idx):
    """Where an integer-array index repeats a position, only the last write of
    ``x[idx] = v`` survives: a boolean mask of the index region marking the
    elements of (broadcast) ``v`` that land in the result; ``None`` if all do."""
    if not _has_int_array(idx):
        return None
    region = _region(xshape, idx)
    xp = _key_module(idx)
    ids = xp.arange(int(_np.prod(region, dtype=int))).reshape(region)
    where_written = _setitem(xp.full(xshape, -1), idx, ids)
    won = where_written[idx] == ids
    return None if won.all() else won


def _update_vjp_x(g, ans, x, idx, v):
    return g * like(_keep_mask(shape(x), idx), g)


def _update_vjp_v(g, ans, x, idx, v):
    from ._wrap import unbroadcast
    nd = _result_ndim(shape(x), idx)
    gv = _getitem_batched(g, idx, ndim(x))
    won = _winners(shape(x), idx)
    if won is not None:
        gv = gv * like(won, gv)
    lead = ndim(v) - nd
    if lead > 0:  # v may have extra leading axes of length one (x[0] = v[None])
        reshape = cnp.reshape
        core = _np.empty(shape(v)[lead:], dtype=dtype(v))
        return reshape(unbroadcast(gv, core, nd), shape(gv)[:ndim(gv) - nd] + shape(v))
    return unbroadcast(gv, v, nd)


def _update_jvp_x(t, ans, x, idx, v):
    return t * like(_keep_mask(shape(x), idx), t)


def _update_jvp_v(t, ans, x, idx, v):
    broadcast_to = cnp.broadcast_to
    from ._wrap import align
    region = _region(shape(x), idx)
    nb = ndim(t) - ndim(v)
    lead = ndim(v) - len(region)
    if lead > 0:  # drop v's extra leading axes of length one
        reshape = cnp.reshape
        t = reshape(t, shape(t)[:nb] + shape(v)[lead:])
        v = _np.empty(shape(v)[lead:], dtype=dtype(v))
    tv = broadcast_to(align(t, v, len(region)), shape(t)[:nb] + region)
    won = _winners(shape(x), idx)
    if won is not None:
        tv = tv * like(won, tv)
    out = _untake_batched(tv, idx, shape(x), len(region))
    if dtype(x).kind == "c" and dtype(out).kind != "c":  # a real v written into complex x
        out = cnp._astype(out, dtype(x))
    return out


update_p = defprim(_update_raw, "numpy.index_update", needs_ans=False)
update_p.defvjp(_update_vjp_x, None, _update_vjp_v)
update_p.defjvp(_update_jvp_x, None, _update_jvp_v)


def _index_update(x, idx, v):
    """``x`` with ``x[idx] = v``, as a new (traced) array."""
    if dtype(v).kind == "c" and dtype(x).kind != "c":
        raise TypeError("chainrule: cannot write a complex value into a real array")
    return update_p(x, _plain_index(idx), v)


# -- built from indexing --------------------------------------------------------------------

def _own_array(v, dtype=None):
    """An index or condition as an array of its own module: NumPy's for lists and
    NumPy arrays, the library's for one it made (``argsort`` on CuPy or an array API
    library, where ``numpy.asarray`` would refuse or copy it to the host)."""
    v = getval(v)
    xp = array_module(v)
    # NumPy's through the jit-aware asarray: a recording sees the conversion
    return _tasarray(v, dtype) if xp is _np else xp.asarray(v, dtype=dtype)


def _axis_index(nd, axis, index):
    return (slice(None),) * (axis % nd) + (index,)


@composite
def take(a, indices, axis=None, out=None, mode="raise"):
    """Take elements along an axis (from the flattened array if ``axis`` is None)."""
    ravel = cnp.ravel
    indices = _own_array(indices)
    if axis is None:
        a, axis = ravel(a), 0
    n = shape(a)[axis]
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = _np.clip(indices, 0, n - 1)
    return _getitem(a, _axis_index(ndim(a), axis, indices))


@composite
def take_along_axis(arr, indices, axis=-1):
    """Pick values along ``axis`` with an index array of matching rank."""
    indices = getval(indices)
    xp = array_module(indices)  # indices from argsort may live on another module
    indices = _tasarray(indices) if xp is _np else xp.asarray(indices)
    if axis is None:
        ravel = cnp.ravel
        return _getitem(ravel(arr), indices.ravel())
    nd = ndim(arr)
    axis %= nd
    # The other axes of arr and indices broadcast against each other.
    s = shape(arr)
    target = _np.broadcast_shapes(s[:axis] + (1,) + s[axis + 1:], indices.shape)
    indices = xp.broadcast_to(indices, target)
    grids = _np.ix_(*[_np.arange(n) for n in target])
    idx = tuple(indices if i == axis else
                like(_np.broadcast_to(grids[i], target) * (s[i] != 1), indices)
                for i in range(nd))
    return _getitem(arr, idx)


@composite
def choose(a, choices, out=None, mode="raise"):
    """Construct an array from an index array and a list of arrays to choose from."""
    stack = cnp.stack
    a = _own_array(a)
    broadcast_arrays = cnp.broadcast_arrays
    chs = broadcast_arrays(*choices, _np.zeros(a.shape))[:-1]
    st = stack(chs, axis=0)
    full = _np.broadcast_to(a, shape(st)[1:])
    grids = _np.indices(full.shape, sparse=True)
    return _getitem(st, (full,) + tuple(_np.broadcast_to(g, full.shape) for g in grids))


@composite
def select(condlist, choicelist, default=0):
    """Elementwise: the first choice whose condition holds, else ``default``."""
    where = cnp.where
    result = default
    for cond, choice in zip(condlist[::-1], choicelist[::-1], strict=True):
        result = where(getval(cond), choice, result)
    return result


@composite
def compress(condition, a, axis=None, out=None):
    """Select slices along an axis where ``condition`` is true."""
    cond = _own_array(condition, bool)
    if axis is None:
        ravel = cnp.ravel
        return _getitem(ravel(a), _np.nonzero(cond)[0])
    return _getitem(a, _axis_index(ndim(a), axis, _np.nonzero(cond)[0]))


@composite
def extract(condition, arr):
    """Elements of ``arr`` where ``condition`` is true (flattened)."""
    ravel = cnp.ravel
    return _getitem(ravel(arr), _np.nonzero(_np.ravel(getval(condition)))[0])


@composite
def flip(m, axis=None):
    """Reverse the order of elements along the given axes."""
    nd = ndim(m)
    axes = normalize_axis(axis, nd)
    return _getitem(m, tuple(slice(None, None, -1) if i in axes else slice(None)
                             for i in range(nd)))


@composite
def fliplr(m):
    """Flip left-right (axis 1)."""
    return flip(m, 1)


@composite
def flipud(m):
    """Flip up-down (axis 0)."""
    return flip(m, 0)


@composite
def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90 degrees in the plane of ``axes``."""
    swapaxes = cnp.swapaxes
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    if k == 1:
        return swapaxes(flip(m, a1), a0, a1)
    return flip(swapaxes(m, a0, a1), a1)


@composite
def roll(a, shift, axis=None):
    """Roll elements along an axis; those beyond the end come back at the start."""
    reshape, ravel = cnp.reshape, cnp.ravel
    if axis is None:
        flat = ravel(a)
        return reshape(_getitem(flat, _np.roll(_np.arange(shape(flat)[0]), shift)), shape(a))
    # Shifts and axes broadcast against each other, as in NumPy; one gather per axis.
    total = {}
    for s, ax in _np.broadcast(shift, axis):
        ax = int(ax) % ndim(a)
        total[ax] = total.get(ax, 0) + int(s)
    out = a
    for ax, s in total.items():
        n = shape(out)[ax]
        out = _getitem(out, _axis_index(ndim(out), ax, _np.roll(_np.arange(n), s)))
    return out


@composite
def repeat(a, repeats, axis=None):
    """Repeat each element ``repeats`` times."""
    ravel = cnp.ravel
    if axis is None:
        a = ravel(a)
        axis = 0
    n = shape(a)[axis]
    return _getitem(a, _axis_index(ndim(a), axis, _np.repeat(_np.arange(n), repeats)))


@composite
def tile(A, reps):
    """Repeat the whole array ``reps`` times along each axis."""
    broadcast_to, reshape = cnp.broadcast_to, cnp.reshape
    reps = (reps,) if isinstance(reps, (int, _np.integer)) else tuple(reps)
    nd = max(ndim(A), len(reps))
    s = (1,) * (nd - ndim(A)) + tuple(shape(A))
    reps = (1,) * (nd - len(reps)) + reps
    inter = tuple(v for pair in zip((1,) * nd, s, strict=True) for v in pair)
    big = tuple(v for pair in zip(reps, s, strict=True) for v in pair)
    out = tuple(r * n for r, n in zip(reps, s, strict=True))
    return reshape(broadcast_to(reshape(A, inter), big), out)


def _split_points(n, indices_or_sections, strict):
    if isinstance(indices_or_sections, (int, _np.integer)):
        k = int(indices_or_sections)
        if strict and n % k:
            raise ValueError("array split does not result in an equal division")
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
        return _np.cumsum([0] + sizes)
    return _np.concatenate([[0], list(indices_or_sections), [n]])


@composite
def array_split(ary, indices_or_sections, axis=0):
    """Split into sub-arrays (sections may differ in size)."""
    n = shape(ary)[axis]
    pts = _split_points(n, indices_or_sections, False)
    return [_getitem(ary, _axis_index(ndim(ary), axis, slice(int(s), int(e))))
            for s, e in zip(pts[:-1], pts[1:], strict=True)]


@composite
def split(ary, indices_or_sections, axis=0):
    """Split into equal sub-arrays (or at the given indices)."""
    n = shape(ary)[axis]
    _split_points(n, indices_or_sections, True)
    return array_split(ary, indices_or_sections, axis)


@composite
def hsplit(ary, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D)."""
    return split(ary, indices_or_sections, 1 if ndim(ary) > 1 else 0)


@composite
def vsplit(ary, indices_or_sections):
    """Split along axis 0."""
    return split(ary, indices_or_sections, 0)


@composite
def dsplit(ary, indices_or_sections):
    """Split along axis 2."""
    return split(ary, indices_or_sections, 2)


@composite
def unstack(x, axis=0):
    """Split into the slices along ``axis`` (the inverse of stack)."""
    return tuple(_getitem(x, _axis_index(ndim(x), axis, i)) for i in range(shape(x)[axis]))


@composite
def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of the plane (axis1, axis2), as the last axis."""
    moveaxis = cnp.moveaxis
    m = moveaxis(a, (axis1, axis2), (-2, -1))
    r, c = shape(m)[-2:]
    i = _np.arange(max(0, -offset), min(r, c - offset))
    return _getitem(m, (Ellipsis, i, i + offset))


@composite
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Sum along a diagonal."""
    _sum = cnp.sum
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1)


@composite
def diag(v, k=0):
    """Extract a diagonal (2-D input) or build a diagonal matrix (1-D input)."""
    if ndim(v) == 2:
        return diagonal(v, k)
    n = shape(v)[0] + abs(k)
    i = _np.arange(shape(v)[0])
    rows, cols = (i, i + k) if k >= 0 else (i - k, i)
    return untake_p(v, (rows, cols), (n, n))


@composite
def diagflat(v, k=0):
    """A 2-D array with the flattened input on diagonal ``k``."""
    ravel = cnp.ravel
    return diag(ravel(v), k)


@composite
def triu(m, k=0):
    """Upper triangle (zero below diagonal ``k``)."""
    s = shape(m)
    r, c = s[-2:] if len(s) >= 2 else (s[0], s[0])  # NumPy: a vector is a row of a matrix
    return m * like(~_np.tri(r, c, k - 1, dtype=bool), getval(m))


@composite
def tril(m, k=0):
    """Lower triangle (zero above diagonal ``k``)."""
    s = shape(m)
    r, c = s[-2:] if len(s) >= 2 else (s[0], s[0])  # NumPy: a vector is a row of a matrix
    return m * like(_np.tri(r, c, k, dtype=bool), getval(m))


_PAD_COPY_MODES = ("edge", "reflect", "symmetric", "wrap")
_PAD_AFFINE_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "mean")


def _pad_pairs(value, nd):
    """NumPy's per-axis ``(before, after)`` pairs for a pad_width-like argument."""
    return _np.broadcast_to(_np.asarray(value), (nd, 2))


def _pad_affine(array, pad_width, mode, kwargs):
    """Pad by modes that are affine in the array (``linear_ramp``, ``mean``,
    odd reflections, array ``constant_values``): one small matrix per axis.

    np.pad treats the axes one after the other, each an affine map along its
    axis, so the result is ``pad(0) + L_k ... L_1 x`` with ``L_i`` the linear
    part of padding axis ``i`` (padding the identity minus padding zeros).
    """
    moveaxis, tensordot = cnp.moveaxis, cnp.tensordot
    s = shape(array)
    nd = len(s)
    widths = _pad_pairs(pad_width, nd)
    per_axis = {k: _pad_pairs(v, nd) for k, v in kwargs.items()
                if k in ("stat_length", "end_values", "constant_values") and v is not None}
    dt = dtype(array)
    out = array
    for i, n in enumerate(s):
        kw = {k: (tuple(v[i]), tuple(v[i])) for k, v in per_axis.items()}
        if "reflect_type" in kwargs:
            kw["reflect_type"] = kwargs["reflect_type"]
        w = ((int(widths[i][0]), int(widths[i][1])), (0, 0))
        L = _np.pad(_np.eye(n, dtype=dt), w, mode=mode, **kw) - \
            _np.pad(_np.zeros((n, n), dtype=dt), w, mode=mode, **kw)
        out = moveaxis(tensordot(like(L, getval(array)), out, ([1], [i])), 0, i)
    offset = _np.pad(_np.zeros(s, dtype=dt), pad_width, mode=mode, **kwargs)
    return out + like(offset, getval(array)) if _np.any(offset) else out


@composite
def pad(array, pad_width, mode="constant", **kwargs):
    """Pad an array. Modes that copy elements (constant, edge, reflect,
    symmetric, wrap) gather through the padded map of positions; the affine
    ones (linear_ramp, mean, ``reflect_type="odd"``) apply one small matrix
    per axis. ``maximum``, ``minimum``, ``median`` and ``empty`` have no rule."""
    reshape, ravel, where = cnp.reshape, cnp.ravel, cnp.where
    if not isinstance(mode, str) or mode not in _PAD_AFFINE_MODES:
        raise NotDifferentiableError(
            f"chainrule: np.pad(mode={mode!r}) of a traced value has no derivative rule; "
            f"supported modes are {', '.join(_PAD_AFFINE_MODES)}")
    s = shape(array)
    pos = _np.arange(int(_np.prod(s, dtype=int))).reshape(s)
    if mode == "constant":
        cval = kwargs.get("constant_values", 0)
        if _np.ndim(getval(cval)) != 0:
            if type(cval) is Box:
                raise TypeError("chainrule: pad supports a traced constant_values only "
                                "when it is a scalar")
            return _pad_affine(array, pad_width, mode, kwargs)
        idx = _np.pad(pos, pad_width, mode="constant", constant_values=-1)
        vals = _getitem(ravel(array), _np.maximum(idx, 0))
        return where(like(idx >= 0, getval(array)), vals, cval)
    if mode in _PAD_COPY_MODES and kwargs.get("reflect_type", "even") == "even":
        idx = _np.pad(pos, pad_width, mode=mode, **kwargs)
        return reshape(_getitem(ravel(array), idx.ravel()), idx.shape)
    return _pad_affine(array, pad_width, mode, kwargs)


@composite
def sort(a, axis=-1, kind=None, order=None, **kw):
    """Sorted copy; the gradient follows each element to its new place."""
    if axis is None:
        ravel = cnp.ravel
        a, axis = ravel(a), -1
    return take_along_axis(a, _np.argsort(getval(a), axis=axis, kind=kind), axis)


@composite
def partition(a, kth, axis=-1, kind="introselect", order=None):
    """Partial sort (``kth`` element in its sorted place)."""
    if axis is None:
        ravel = cnp.ravel
        a, axis = ravel(a), -1
    return take_along_axis(a, _np.argpartition(getval(a), kth, axis=axis), axis)


@composite
def sort_complex(a):
    """Sort by real part, then imaginary part; the result is complex, as NumPy's."""
    astype = cnp.astype
    dt = dtype(a)
    if dt.kind != "c":
        a = astype(a, _np.complex64 if dt.char in "bhBH" else _np.complex128)
    return sort(a)


@composite
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """n-th discrete difference along an axis."""
    concatenate, broadcast_to = cnp.concatenate, cnp.broadcast_to
    nd = ndim(a)
    axis %= nd
    parts = []
    for extra in (prepend, append):
        if extra is not None and ndim(extra) == 0:
            s = list(shape(a))
            s[axis] = 1
            extra = broadcast_to(extra, tuple(s))
        parts.append(extra)
    if parts[0] is not None or parts[1] is not None:
        a = concatenate([p for p in (parts[0], a, parts[1]) if p is not None], axis=axis)
    for _ in range(n):
        a = _getitem(a, _axis_index(nd, axis, slice(1, None))) - \
            _getitem(a, _axis_index(nd, axis, slice(None, -1)))
    return a


@composite
def ediff1d(ary, to_end=None, to_begin=None):
    """Differences between consecutive elements of the flattened array."""
    ravel, concatenate = cnp.ravel, cnp.concatenate
    d = diff(ravel(ary))
    parts = [ravel(p) for p in (to_begin,) if p is not None] + [d] + \
            [ravel(p) for p in (to_end,) if p is not None]
    return concatenate(parts) if len(parts) > 1 else d


@composite
def delete(arr, obj, axis=None):
    """Remove sub-arrays along an axis."""
    ravel = cnp.ravel
    if axis is None:
        arr, axis = ravel(arr), 0
    n = shape(arr)[axis]
    keep = _np.ones(n, dtype=bool)
    keep[getval(obj)] = False
    return _getitem(arr, _axis_index(ndim(arr), axis, _np.nonzero(keep)[0]))


@composite
def trim_zeros(filt, trim="fb"):
    """Trim leading and/or trailing zeros of a 1-D array."""
    nz = _np.nonzero(getval(filt))[0]
    if nz.size == 0:
        return _getitem(filt, slice(0, 0))
    start = nz[0] if "f" in trim else 0
    end = nz[-1] + 1 if "b" in trim else shape(filt)[0]
    return _getitem(filt, slice(int(start), int(end)))


@composite
def resize(a, new_shape):
    """Repeat the flattened array to fill ``new_shape``."""
    ravel, reshape = cnp.ravel, cnp.reshape
    new_shape = (new_shape,) if isinstance(new_shape, (int, _np.integer)) else tuple(new_shape)
    size = int(_np.prod(new_shape, dtype=int))
    n = int(_np.size(getval(a)))
    return reshape(_getitem(ravel(a), _np.arange(size) % n), new_shape)
