"""``chainrule.numpy.fft``: NumPy's discrete Fourier transforms with derivatives.

Four primitives carry every transform: ``fftn``, ``ifftn`` (complex to
complex), ``rfftn`` (real to half-spectrum) and ``irfftn`` (half-spectrum to
real), each over a tuple of distinct axes with sizes ``s`` and a ``norm``.
The 1-D and 2-D functions, ``hfft``/``ihfft`` and the shifts are built from
them and from :func:`chainrule.numpy.roll`.

Every transform is linear, so its JVP is the transform of the tangent. The
VJPs follow autograd's convention (the cotangent of a linear map ``A`` is
``Aᵀ ḡ``, no conjugation; real inputs keep the real part):

* the DFT matrix is symmetric, so ``fftn``'s VJP is ``fftn`` again (and
  ``ifftn``'s is ``ifftn``), followed by undoing the zero-padding/cropping
  that ``s`` applied to the input;
* ``rfftn`` keeps only half of the spectrum; its transpose is expressed with
  ``irfftn`` of ``conj(ḡ) / c``, where ``c`` counts how often ``irfftn``
  uses each kept frequency (1 for the zero frequency and, for an even
  length, the Nyquist frequency; 2 for the others), with the opposite
  normalization;
* ``irfftn``'s transpose is ``c · conj(rfftn(ḡ))``, again with the opposite
  normalization.

Cotangents and tangents may carry leading batch axes: the rules shift the
transform axes by their number.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> float(grad(lambda x: np.real(np.fft.fft(x)[1]))(np.ones(4))[1])
0.0
"""

import warnings

import numpy as _np

from ..core.engine import Box
from ._wrap import (ARRAY_TYPES, accept_sequences, defprim, kind, like, match_real, ndim,
                    nondiff, shape, submodule)
from .reductions import COMPOSITES

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

_npfft = _np.fft

__all__ = list(_npfft.__all__)

_DUAL_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _register(f):
    f = accept_sequences(f)
    COMPOSITES["numpy.fft." + f.__name__] = f
    return f


def _fft_module(x):
    """``numpy.fft``, or the ``fft`` module of ``x``'s own array module."""
    return _npfft if type(x) is _np.ndarray else submodule(x, "fft")


def _plain(name, a, *args, out=None):
    """The function ``name`` of ``a``'s fft module on an untraced ``a``."""
    f = getattr(_fft_module(a), name)
    return f(a, *args) if out is None else f(a, *args, out=out)


def _traced(*xs):
    return any(type(x) is Box for x in xs)


def _no_out(out, name):
    if out is not None:
        raise TypeError(f"chainrule: numpy.fft.{name}(out=...) cannot hold a traced result; "
                        "drop the out argument inside differentiated code")


# -- cropping and zero-padding (the ``s``/``n`` arguments) -------------------------

def _fit(v, axes, sizes):
    """Crop or zero-pad ``v`` along ``axes`` to ``sizes`` (differentiably)."""
    concatenate = cnp.concatenate
    from .indexing import _getitem
    for ax, n in zip(axes, sizes, strict=True):
        m = shape(v)[ax]
        if m > n:
            v = _getitem(v, (slice(None),) * ax + (slice(0, n),))
        elif m < n:
            zshape = list(shape(v))
            zshape[ax] = n - m
            z = like(_np.zeros(zshape, dtype=_np.result_type(_dtype(v))), v)
            v = concatenate([v, z], axis=ax)
    return v


def _dtype(v):
    from ._wrap import dtype
    return dtype(v)


def _counts(m, n, axis, nd, x):
    """How often ``irfft`` of length ``n`` counts each of the ``m`` kept
    frequencies: 1 for the zero frequency and an even ``n``'s Nyquist
    frequency, 2 for the others; shaped to broadcast along ``axis`` of ``nd``,
    in the real dtype of ``x`` (float64 counts would make a float32 or complex64
    cotangent double precision) and on the array module of ``x``."""
    dt = _dtype(x)
    c = _np.full(m, 2.0, dtype=_np.finfo(dt).dtype if kind(dt) in "fc" else _np.float64)
    c[0] = 1.0
    if n % 2 == 0 and m == n // 2 + 1:
        c[-1] = 1.0
    return like(c.reshape((m,) + (1,) * (nd - axis - 1)), x)


# -- the four primitives ---------------------------------------------------------------

def _make_raw(one, many):
    np_one, np_many = getattr(_npfft, one), getattr(_npfft, many)

    def raw(x, s, axes, norm):
        if type(x) in ARRAY_TYPES:
            f1, fn = np_one, np_many
        else:
            mod = _fft_module(x)
            f1, fn = getattr(mod, one), getattr(mod, many)
        if len(axes) == 1:
            return f1(x, s[0], axes[0], norm)
        return fn(x, s, axes, norm)
    return raw


fftn_p = defprim(_make_raw("fft", "fftn"), "numpy.fft.fftn", needs_ans=False)
ifftn_p = defprim(_make_raw("ifft", "ifftn"), "numpy.fft.ifftn", needs_ans=False)
rfftn_p = defprim(_make_raw("rfft", "rfftn"), "numpy.fft.rfftn", needs_ans=False)
irfftn_p = defprim(_make_raw("irfft", "irfftn"), "numpy.fft.irfftn", needs_ans=False)


def _shifted(axes, nb):
    return tuple(a + nb for a in axes)


def _linear_jvp(prim):
    # A linear map's tangent is the map applied to the tangent (batch axes in front).
    def jvp(t, ans, x, s, axes, norm):
        return prim(t, s, _shifted(axes, ndim(t) - ndim(x)), norm)
    return jvp


def _complex_vjp(prim):
    # The DFT matrix is symmetric: Aᵀ = A, then undo the crop/pad of ``s``.
    def vjp(g, ans, x, s, axes, norm):
        ax = _shifted(axes, ndim(g) - ndim(x))
        r = prim(g, s, ax, norm)
        return match_real(_fit(r, ax, [shape(x)[a] for a in axes]), x)
    return vjp


def _rfftn_vjp(g, ans, x, s, axes, norm):
    conj = cnp.conj
    nb = ndim(g) - ndim(x)
    ax = _shifted(axes, nb)
    c = _counts(shape(g)[ax[-1]], s[-1], ax[-1], ndim(g), g)
    r = irfftn_p(conj(g) / c, s, ax, _DUAL_NORM[norm])
    return match_real(_fit(r, ax, [shape(x)[a] for a in axes]), x)


def _irfftn_vjp(g, ans, x, s, axes, norm):
    conj = cnp.conj
    nb = ndim(g) - ndim(x)  # ans is not kept (needs_ans=False); it has x's ndim
    ax = _shifted(axes, nb)
    r = rfftn_p(g, s, ax, _DUAL_NORM[norm])
    r = conj(r) * _counts(shape(r)[ax[-1]], s[-1], ax[-1], ndim(r), r)
    return match_real(_fit(r, ax, [shape(x)[a] for a in axes]), x)


fftn_p.defvjp(_complex_vjp(fftn_p)).defjvp(_linear_jvp(fftn_p))
ifftn_p.defvjp(_complex_vjp(ifftn_p)).defjvp(_linear_jvp(ifftn_p))
rfftn_p.defvjp(_rfftn_vjp).defjvp(_linear_jvp(rfftn_p))
irfftn_p.defvjp(_irfftn_vjp).defjvp(_linear_jvp(irfftn_p))

_PRIMS = {"fft": fftn_p, "ifft": ifftn_p, "rfft": rfftn_p, "irfft": irfftn_p}


# -- argument handling, as numpy.fft does it ---------------------------------------------

def _check_norm(norm):
    if norm not in _DUAL_NORM:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".')
    return norm


def _nd_args(a, s, axes, invreal):
    """NumPy's ``_cook_nd_args``: explicit sizes and non-negative axes."""
    xs = shape(a)
    nd = len(xs)
    shapeless = s is None
    if axes is None:
        if s is not None:  # NumPy's own deprecation, raised where NumPy raises it
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in "
                          "NumPy 2.0); pass the axes explicitly.", DeprecationWarning,
                          stacklevel=4)
        axes = list(range(nd)) if s is None else list(range(nd - len(s), nd))
    elif isinstance(axes, (int, _np.integer)):
        axes = [axes]
    axes = [int(ax) for ax in axes]
    for ax in axes:
        if not -nd <= ax < nd:
            raise _np.exceptions.AxisError(ax, nd)
    axes = [ax % nd for ax in axes]
    s = [xs[ax] for ax in axes] if s is None else list(s)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (xs[axes[-1]] - 1) * 2
    s = [xs[ax] if n is None or n == -1 else int(n) for n, ax in zip(s, axes, strict=True)]
    for n in s:
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return tuple(s), tuple(axes)


def _transform(kind, a, s, axes, norm):
    """Apply the primitive of ``kind`` over ``axes``; repeated axes (which
    NumPy allows) become a sequence of 1-D transforms in NumPy's order."""
    prim = _PRIMS[kind]
    norm = _check_norm(norm)
    if len(set(axes)) == len(axes):
        return prim(a, s, axes, norm)
    one = {"fft": fftn_p, "ifft": ifftn_p, "rfft": fftn_p, "irfft": ifftn_p}[kind]
    k = len(axes)
    if kind == "rfft":  # rfft over the last axis, then fft over the others in reverse
        a = rfftn_p(a, (s[-1],), (axes[-1],), norm)
        order = range(k - 2, -1, -1)
    elif kind == "irfft":  # ifft over the others in order, then irfft over the last
        for i in range(k - 1):
            a = ifftn_p(a, (s[i],), (axes[i],), norm)
        return irfftn_p(a, (s[-1],), (axes[-1],), norm)
    else:
        order = range(k - 1, -1, -1)
    for i in order:
        a = one(a, (s[i],), (axes[i],), norm)
    return a


def _one_d(kind, a, n, axis, norm):
    nd = ndim(a)
    if not -nd <= axis < nd:
        raise _np.exceptions.AxisError(axis, nd)
    axis %= nd
    if n is None:
        n = shape(a)[axis] if kind != "irfft" else (shape(a)[axis] - 1) * 2
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return _transform(kind, a, (int(n),), (axis,), norm)


# -- public functions -----------------------------------------------------------------------

@_register
def fft(a, n=None, axis=-1, norm=None, out=None):
    """1-D discrete Fourier transform; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.fft(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    if not _traced(a):
        return _plain("fft", a, n, axis, norm, out=out)
    _no_out(out, "fft")
    return _one_d("fft", a, n, axis, norm)


@_register
def ifft(a, n=None, axis=-1, norm=None, out=None):
    """1-D inverse discrete Fourier transform; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.ifft(np.ones(4)).real
    array([1., 0., 0., 0.])
    """
    if not _traced(a):
        return _plain("ifft", a, n, axis, norm, out=out)
    _no_out(out, "ifft")
    return _one_d("ifft", a, n, axis, norm)


@_register
def rfft(a, n=None, axis=-1, norm=None, out=None):
    """1-D transform of real input, non-negative frequencies only; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.rfft(np.ones(4))
    array([4.+0.j, 0.+0.j, 0.+0.j])
    """
    if not _traced(a):
        return _plain("rfft", a, n, axis, norm, out=out)
    _no_out(out, "rfft")
    return _one_d("rfft", a, n, axis, norm)


@_register
def irfft(a, n=None, axis=-1, norm=None, out=None):
    """Inverse of :func:`rfft` (output length ``n``, default ``2 (m - 1)``); differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.irfft(np.array([4.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    """
    if not _traced(a):
        return _plain("irfft", a, n, axis, norm, out=out)
    _no_out(out, "irfft")
    return _one_d("irfft", a, n, axis, norm)


@_register
def hfft(a, n=None, axis=-1, norm=None, out=None):
    """Transform of a Hermitian-symmetric signal given by its first half (a
    real spectrum): ``irfft(conj(a))`` with the opposite normalization.

    >>> import chainrule.numpy as np
    >>> np.fft.hfft(np.array([1.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    """
    if not _traced(a):
        return _plain("hfft", a, n, axis, norm, out=out)
    conj = cnp.conj
    _no_out(out, "hfft")
    return _one_d("irfft", conj(a), n, axis, _DUAL_NORM[_check_norm(norm)])


@_register
def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """Inverse of :func:`hfft`: ``conj(rfft(a))`` with the opposite normalization.

    >>> import chainrule.numpy as np
    >>> np.fft.ihfft(np.ones(4))
    array([1.-0.j, 0.-0.j, 0.-0.j])
    """
    if not _traced(a):
        return _plain("ihfft", a, n, axis, norm, out=out)
    conj = cnp.conj
    _no_out(out, "ihfft")
    return conj(_one_d("rfft", a, n, axis, _DUAL_NORM[_check_norm(norm)]))


def _nd(kind, name, a, s, axes, norm, out):
    if not _traced(a):
        return _plain(name, a, s, axes, norm, out=out)
    _no_out(out, name)
    s, axes = _nd_args(a, s, axes, kind == "irfft")
    return _transform(kind, a, s, axes, norm)


@_register
def fftn(a, s=None, axes=None, norm=None, out=None):
    """N-D discrete Fourier transform (all axes by default); differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.fftn(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    return _nd("fft", "fftn", a, s, axes, norm, out)


@_register
def ifftn(a, s=None, axes=None, norm=None, out=None):
    """N-D inverse discrete Fourier transform; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.ifftn(np.ones((2, 2))).real
    array([[1., 0.],
           [0., 0.]])
    """
    return _nd("ifft", "ifftn", a, s, axes, norm, out)


@_register
def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """2-D discrete Fourier transform over ``axes`` (the last two); differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.fft2(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    return _nd("fft", "fft2", a, s, axes, norm, out)


@_register
def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """2-D inverse discrete Fourier transform; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.ifft2(np.ones((2, 2))).real
    array([[1., 0.],
           [0., 0.]])
    """
    return _nd("ifft", "ifft2", a, s, axes, norm, out)


@_register
def rfftn(a, s=None, axes=None, norm=None, out=None):
    """N-D transform of real input (half spectrum on the last axis); differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.rfftn(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    return _nd("rfft", "rfftn", a, s, axes, norm, out)


@_register
def irfftn(a, s=None, axes=None, norm=None, out=None):
    """Inverse of :func:`rfftn`; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.irfftn(np.array([[4.0, 0.0], [0.0, 0.0]]))
    array([[1., 1.],
           [1., 1.]])
    """
    return _nd("irfft", "irfftn", a, s, axes, norm, out)


@_register
def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """2-D transform of real input; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.rfft2(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    return _nd("rfft", "rfft2", a, s, axes, norm, out)


@_register
def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Inverse of :func:`rfft2`; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.irfft2(np.array([[4.0, 0.0], [0.0, 0.0]]))
    array([[1., 1.],
           [1., 1.]])
    """
    return _nd("irfft", "irfft2", a, s, axes, norm, out)


def _shift(x, axes, sign):
    roll = cnp.roll
    if axes is None:
        axes = tuple(range(ndim(x)))
    elif isinstance(axes, (int, _np.integer)):
        axes = (int(axes),)
    axes = tuple(axes)
    return roll(x, [sign * (shape(x)[ax] // 2) for ax in axes], axes)


@_register
def fftshift(x, axes=None):
    """Move the zero frequency to the centre (a roll by half the length); differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.fftshift(np.array([0.0, 1.0, 2.0, -2.0, -1.0]))
    array([-2., -1.,  0.,  1.,  2.])
    """
    if not _traced(x):
        return _plain("fftshift", x, axes)
    return _shift(x, axes, 1)


@_register
def ifftshift(x, axes=None):
    """Inverse of :func:`fftshift`; differentiable.

    >>> import chainrule.numpy as np
    >>> np.fft.ifftshift(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    array([ 0.,  1.,  2., -2., -1.])
    """
    if not _traced(x):
        return _plain("ifftshift", x, axes)
    return _shift(x, axes, -1)


# Sample frequencies depend only on the length and the spacing: constants.
fftfreq = nondiff(_npfft.fftfreq, "numpy.fft.fftfreq")
rfftfreq = nondiff(_npfft.rfftfreq, "numpy.fft.rfftfreq")


def __dir__():
    """The public names (``__all__``), not the helpers."""
    return sorted(__all__)
