"""``chainrule.scipy.signal``: N-dimensional convolution, differentiable in both inputs.

:func:`convolve` follows autograd's generalization of
``scipy.signal.convolve``: besides the axes to convolve (``axes``) it can
contract pairs of axes (``dot_axes``, like ``tensordot``) and keep the rest,
which is what a convolutional layer needs. Written in NumPy (a strided view
and one ``einsum``): no SciPy needed.

The derivative of a convolution in one input is a convolution of the
cotangent with the other input, flipped; so the rules call :func:`convolve`
again and can be differentiated in turn.
"""

import numpy as _np
from numpy.lib.stride_tricks import sliding_window_view

from .. import numpy as cnp
from ..numpy._wrap import defprim, ndim, shape

__all__ = ["convolve"]


def _norm_axes(axes, nd):
    return tuple(int(a) % nd for a in axes)


def _groups(nd_a, nd_b, axes, dot_axes):
    conv_a, conv_b = axes
    dot_a, dot_b = dot_axes
    ign_a = tuple(i for i in range(nd_a) if i not in conv_a and i not in dot_a)
    ign_b = tuple(i for i in range(nd_b) if i not in conv_b and i not in dot_b)
    return ign_a, ign_b


def _conv_raw(A, B, axes, dot_axes, mode):
    """Convolution along paired ``axes``, contraction along ``dot_axes``;
    output axes: A's others, B's others, then the convolved ones. Mode
    'full' or 'valid'."""
    A, B = _np.asarray(A), _np.asarray(B)
    conv_a, conv_b = axes
    dot_a, dot_b = dot_axes
    ign_a, ign_b = _groups(A.ndim, B.ndim, axes, dot_axes)
    na = [A.shape[i] for i in conv_a]
    nb = [B.shape[j] for j in conv_b]
    # The smaller input slides as the window W over the other, X.
    if mode == "valid":
        if all(p <= q for p, q in zip(na, nb, strict=True)):
            a_is_w = True
        elif all(q <= p for p, q in zip(na, nb, strict=True)):
            a_is_w = False
        else:
            raise ValueError("For 'valid' mode, one must be at least as large as the other "
                             "in every convolved dimension")
    else:
        a_is_w = _np.prod(na) <= _np.prod(nb)
    # Subscripts: one label per axis group; conv pair c gets k_c (window) and n_c (output).
    lab = iter(range(52))
    la = {i: next(lab) for i in ign_a}
    lb = {j: next(lab) for j in ign_b}
    for i, j in zip(dot_a, dot_b, strict=True):
        la[i] = lb[j] = next(lab)
    k = [next(lab) for _ in conv_a]
    n = [next(lab) for _ in conv_a]
    W, X = (A, B) if a_is_w else (B, A)
    lw, lx = (la, lb) if a_is_w else (lb, la)
    cw, cx = (conv_a, conv_b) if a_is_w else (conv_b, conv_a)
    win = [W.shape[i] for i in cw]
    if mode == "full":
        pad = [(0, 0)] * X.ndim
        for ax, w in zip(cx, win, strict=True):
            pad[ax] = (w - 1, w - 1)
        X = _np.pad(X, pad)
    flip = [slice(None)] * W.ndim
    for ax in cw:
        flip[ax] = slice(None, None, -1)
    Wf = W[tuple(flip)]
    for c, ax in enumerate(cw):
        lw[ax] = k[c]
    for c, ax in enumerate(cx):
        lx[ax] = n[c]
    Xv = sliding_window_view(X, win, axis=cx)
    sub_w = [lw[i] for i in range(W.ndim)]
    sub_x = [lx[i] for i in range(X.ndim)] + k
    out = [la[i] for i in ign_a] + [lb[j] for j in ign_b] + n
    # einsum's own loop reads the strided view in place; a BLAS path (tensordot,
    # optimize=True) would first copy the view, window-size times the input.
    return _np.einsum(Wf, sub_w, Xv, sub_x, out, optimize=False)


def _flip(x, axes):
    idx = [slice(None)] * ndim(x)
    for a in axes:
        idx[a] = slice(None, None, -1)
    return x[tuple(idx)]


def _vjp(which):
    """Cotangent of A (which=0) or B (which=1): the cotangent convolved with the
    other input, flipped, then put back in the input's axis order."""
    def vjp(g, ans, A, B, axes, dot_axes, mode):
        X, Y = (A, B) if which == 0 else (B, A)
        conv_x, conv_y = axes if which == 0 else axes[::-1]
        dot_x, dot_y = dot_axes if which == 0 else dot_axes[::-1]
        ign_a, ign_b = _groups(ndim(A), ndim(B), axes, dot_axes)
        ign_x, ign_y = (ign_a, ign_b) if which == 0 else (ign_b, ign_a)
        nb = ndim(g) - (len(ign_a) + len(ign_b) + len(conv_x))  # ans is not kept
        # Axes of g: batch, A's others, B's others, convolved.
        first = nb + len(ign_a)
        g_ign_y = tuple(range(first, first + len(ign_b))) if which == 0 else \
            tuple(range(nb, nb + len(ign_a)))
        start = nb + len(ign_a) + len(ign_b)
        g_conv = tuple(range(start, start + len(conv_x)))
        sx = [shape(X)[i] for i in conv_x]
        sy = [shape(Y)[i] for i in conv_y]
        if mode == "full":
            new_mode = "valid"
        else:
            new_mode = "full" if any(p > q for p, q in zip(sx, sy, strict=True)) else "valid"
        r = convolve(g, _flip(Y, conv_y), axes=(g_conv, conv_y),
                     dot_axes=(g_ign_y, ign_y), mode=new_mode)
        # r's axes: batch, X's others, Y's dot axes in increasing order (paired with
        # X's dot axes), then the convolved axes in pair order.
        pair = dict(zip(dot_y, dot_x, strict=True))
        order = list(ign_x) + [pair[j] for j in sorted(dot_y)] + list(conv_x)
        perm = list(range(nb)) + [nb + order.index(i) for i in range(ndim(X))]
        return cnp.transpose(r, perm)
    return vjp


def _jvp_a(t, ans, A, B, axes, dot_axes, mode):
    nb = ndim(t) - ndim(A)
    sh = tuple(i + nb for i in axes[0]), axes[1]
    dsh = tuple(i + nb for i in dot_axes[0]), dot_axes[1]
    return convolve(t, B, axes=sh, dot_axes=dsh, mode=mode)


def _jvp_b(t, ans, A, B, axes, dot_axes, mode):
    nb = ndim(t) - ndim(B)
    sh = axes[0], tuple(i + nb for i in axes[1])
    dsh = dot_axes[0], tuple(i + nb for i in dot_axes[1])
    r = convolve(A, t, axes=sh, dot_axes=dsh, mode=mode)
    # The batch axes sit after A's other axes: move them to the front.
    ign_a, _ = _groups(ndim(A), ndim(B), axes, dot_axes)
    k = len(ign_a)
    return cnp.moveaxis(r, tuple(range(k, k + nb)), tuple(range(nb)))


_conv = defprim(_conv_raw, "scipy.signal.convolve", needs_ans=False, opaque_to_jit=True)
_conv.defvjp(_vjp(0), _vjp(1)).defjvp(_jvp_a, _jvp_b)


def convolve(A, B, axes=None, dot_axes=((), ()), mode="full"):
    """N-dimensional convolution of ``A`` and ``B``; differentiable in both.

    ``axes = (axes_of_A, axes_of_B)`` pairs the axes to convolve (default:
    all axes of A with the same axes of B); ``dot_axes`` pairs axes to sum
    over, as in ``tensordot``. The output has A's remaining axes, then B's,
    then the convolved axes. ``mode`` is 'full', 'valid' or 'same' (the
    size of A, centred), as in ``scipy.signal.convolve``, which is also
    accepted positionally: ``convolve(a, b, 'valid')``.

    >>> convolve(cnp.array([1.0, 2.0, 3.0]), cnp.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve(cnp.array([1.0, 2.0, 3.0]), cnp.array([1.0, 1.0]), "valid")
    array([3., 5.])
    """
    if isinstance(axes, str):  # scipy.signal.convolve(in1, in2, mode)
        axes, mode = None, axes
    nd_a, nd_b = ndim(A), ndim(B)
    if axes is None:
        if nd_a != nd_b:
            raise ValueError("convolve: A and B must have the same number of dimensions "
                             "when axes is not given")
        axes = (tuple(range(nd_a)), tuple(range(nd_a)))
    axes = (_norm_axes(axes[0], nd_a), _norm_axes(axes[1], nd_b))
    dot_axes = (_norm_axes(dot_axes[0], nd_a), _norm_axes(dot_axes[1], nd_b))
    if len(axes[0]) != len(axes[1]) or len(dot_axes[0]) != len(dot_axes[1]):
        raise ValueError("convolve: axes and dot_axes must pair up axes of A and B")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same', not {mode!r}")
    if mode != "same":
        return _conv(A, B, axes=axes, dot_axes=dot_axes, mode=mode)
    # 'same': the centre of the full convolution, of A's size (scipy's convention).
    out = _conv(A, B, axes=axes, dot_axes=dot_axes, mode="full")
    ign_a, ign_b = _groups(nd_a, nd_b, axes, dot_axes)
    idx = [slice(None)] * (len(ign_a) + len(ign_b))
    for i, j in zip(*axes, strict=True):
        start = (shape(B)[j] - 1) // 2
        idx.append(slice(start, start + shape(A)[i]))
    return out[tuple(idx)]
