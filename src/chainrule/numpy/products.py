"""Products: matmul and einsum (primitives) and the rest built on them
(dot, vdot, inner, outer, tensordot, kron, cross, vecdot, matvec, vecmat).

einsum's rules are einsums themselves: the cotangent of one operand is the
einsum of the output cotangent with the other operands. Leading batch axes
get fresh letters.
"""

import string

import numpy as _np

from ..core.engine import Box, getval
from ._wrap import (align, as_ndarray_operand, broadcast_tangent, defprim, like, match_real,
                    ndim, shape, unbroadcast)
from ._wrap import ARRAY_TYPES as _ARRAY_TYPES
from .reductions import composite

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None

# -- matmul (both operands with at least two axes) -----------------------------------


def _mT(x):
    from .shape import swapaxes, transpose_p
    if ndim(x) == 2:
        return transpose_p(x, None)  # the common case, without swapaxes' bookkeeping
    return swapaxes(x, -1, -2)


def _matmul2(a, b):
    # NumPy runs a stack of matrix products as one BLAS call per matrix; when
    # one operand is a single matrix (batched tangents against a weight, say),
    # folding the stack into rows makes it one large product instead.
    if not (hasattr(a, "ndim") and hasattr(b, "ndim")):  # lists, numbers
        a, b = _np.asarray(a), _np.asarray(b)
    if a.size == 0 or b.size == 0:  # no rows to fold (reshape(-1, 0) is ambiguous)
        return _np.matmul(a, b)
    if b.ndim == 2 and a.ndim > 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
    if a.ndim == 2 and b.ndim > 2:
        bt = _np.swapaxes(b, -1, -2)
        r = bt.reshape(-1, bt.shape[-1]) @ a.T
        return _np.swapaxes(r.reshape(bt.shape[:-1] + a.shape[:1]), -1, -2)
    return _np.matmul(a, b)


def _matmul_vjp_a(g, ans, a, b):
    if type(g) is not Box and type(b) is not Box:  # first order: straight to NumPy
        r = _matmul2(g, _np.swapaxes(b, -1, -2))
        return r if r.shape == shape(a) else unbroadcast(r, a, max(ndim(a), b.ndim))
    return unbroadcast(matmul_p(g, _mT(b)), a, max(ndim(a), ndim(b)))


def _matmul_vjp_b(g, ans, a, b):
    if type(g) is not Box and type(a) is not Box:
        if type(b) in _ARRAY_TYPES and b.ndim == 2 and g.ndim == 2 and a.ndim == 2 \
                and not b.flags.c_contiguous:
            # b is a transposed view (x @ W.T): compute the cotangent transposed,
            # (gᵀ a)ᵀ, so that W's gradient comes out C-contiguous like W.
            # BLAS is also faster this way round (3-40% in W2's shapes).
            return (g.T @ a).T
        r = _matmul2(_np.swapaxes(a, -1, -2), g)
        return r if r.shape == shape(b) else unbroadcast(r, b, max(a.ndim, ndim(b)))
    return unbroadcast(matmul_p(_mT(a), g), b, max(ndim(a), ndim(b)))


matmul_p = defprim(_matmul2, "numpy.matmul", needs_ans=False)
matmul_p.defvjp(_matmul_vjp_a, _matmul_vjp_b)
matmul_p.defjvp(
    lambda t, ans, a, b: matmul_p(align(t, a, max(ndim(a), ndim(b))), b),
    lambda t, ans, a, b: matmul_p(a, align(t, b, max(ndim(a), ndim(b)))),
)
matmul_p.shape_tangent = broadcast_tangent


# Matrix times vector, the commonest 1-D case (A @ x), as one primitive: going
# through reshape -> matmul -> reshape would triple the work per traced level.

def _matvec_raw(A, x):
    return _np.matmul(A, x)


def _matvec_vjp_A(g, ans, A, x):
    expand_dims = cnp.expand_dims
    return match_real(expand_dims(g, -1) * x, A)  # outer(g, x), one per batch row of g


def _matvec_vjp_x(g, ans, A, x):
    if type(A) is not Box:
        if type(g) is not Box:  # first order: straight to NumPy
            return match_real(g @ A, x)  # g may be a batch of cotangents (jacrev)
        if g.ndim == 1:  # a traced cotangent (forward-over-reverse): Aᵀ is a constant
            return match_real(matvec_p(A.T, g), x)
    return match_real(matvec_p(_mT(A), g) if ndim(g) == 1 else matmul(g, A), x)


def _matvec_jvp_A(t, ans, A, x):
    return matvec_p(t, x) if ndim(t) == 2 else matmul(t, x)


def _matvec_jvp_x(t, ans, A, x):
    if type(t) is not Box and type(A) is not Box:  # first order: straight to NumPy
        return t @ A.T  # t may be a batch of tangents (jacfwd)
    return matvec_p(A, t) if ndim(t) == 1 else matmul(t, _mT(A))


def _matvec_value_and_jvp(traced, A, x):
    # A constant matrix times a traced vector: A @ x and A @ ẋ as one product
    # [x; ẋ] @ Aᵀ, which reads A once instead of twice (a matrix-vector
    # product is bound by memory, not arithmetic). This halves the products
    # of a Hessian-vector product by forward-over-reverse.
    if len(traced) != 1 or traced[0][0] != 1:
        return None
    t = traced[0][1]
    if type(A) not in _ARRAY_TYPES or type(x) not in _ARRAY_TYPES or type(t) not in _ARRAY_TYPES \
            or t.dtype != x.dtype:
        return None
    r = _np.concatenate((x[None], t.reshape(-1, x.shape[0]))) @ A.T
    return r[0], r[1:].reshape(t.shape[:-1] + A.shape[:1])


matvec_p = defprim(_matvec_raw, "numpy.matmul.matrix_vector", needs_ans=False)
matvec_p.defvjp(_matvec_vjp_A, _matvec_vjp_x).defjvp(_matvec_jvp_A, _matvec_jvp_x)
matvec_p.value_and_jvp = _matvec_value_and_jvp


def matmul(a, b, **kw):
    """Matrix product with NumPy's rules for 1-D operands (``a @ b``)."""
    reshape = cnp.reshape
    na, nb_ = ndim(a), ndim(b)
    if na >= 2 and nb_ >= 2:
        return matmul_p(a, b)
    if na == 2 and nb_ == 1:
        return matvec_p(a, b)
    if na == 0 or nb_ == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    a2 = reshape(a, (1,) + shape(a)) if na == 1 else a
    b2 = reshape(b, shape(b) + (1,)) if nb_ == 1 else b
    r = matmul_p(a2, b2)
    s = shape(r)
    if na == 1 and nb_ == 1:
        return reshape(r, ())
    if na == 1:
        return reshape(r, s[:-2] + s[-1:])
    return reshape(r, s[:-1])


# -- einsum ----------------------------------------------------------------------------

_LETTERS = string.ascii_letters


def _parse(subscripts, shapes):
    """Explicit form: a list of input subscripts and the output, no ``...``."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins, out = subscripts, None
    ins = ins.split(",")
    used = set("".join(ins).replace(".", "")) | set((out or "").replace(".", ""))
    pool = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shp in zip(ins, shapes, strict=True):
        if "..." in s:
            n_ell = max(n_ell, len(shp) - (len(s) - 3))
    ell = "".join(pool[:n_ell])
    new_ins = []
    for s, shp in zip(ins, shapes, strict=True):
        if "..." in s:
            k = len(shp) - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k:] if k else "")
        new_ins.append(s)
    if out is None:
        counts = {}
        for s in new_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return new_ins, out


def _fresh(used, n):
    return "".join([c for c in _LETTERS if c not in used][:n])


def _einsum_raw(spec, *operands):
    return _np.einsum(spec, *operands, optimize=len(operands) > 2)


def _einsum_vjp_joint(argnums, g, ans, spec, *ops):
    ins, out = spec.split("->")
    ins = ins.split(",")
    nb = ndim(g) - len(out)
    used = set(spec)
    batch = _fresh(used, nb)
    used |= set(batch)
    sizes = {}
    for s, op in zip(ins, ops, strict=True):
        for c, n in zip(s, shape(op), strict=True):
            sizes[c] = n
    res = []
    for i in argnums:
        target = ins[i - 1]
        others = [(s, op) for j, (s, op) in enumerate(zip(ins, ops, strict=True), start=1)
                  if j != i]
        terms = [(batch + out, g)] + others
        have = set("".join(s for s, _ in terms))
        # Letters repeated in the target (a diagonal) get fresh twins tied by eye.
        seen, t_subs, extra = set(), "", []
        for c in target:
            if c in seen:
                twin = _fresh(used, 1)
                used.add(twin)
                t_subs += twin
                extra.append((c + twin, like(_np.eye(sizes[c]), getval(g))))
            else:
                seen.add(c)
                t_subs += c
        # Letters only the target has were summed over: broadcast with ones.
        for c in seen:
            if c not in have:
                extra.append((c, like(_np.ones(sizes[c]), getval(g))))
        terms += extra
        s = ",".join(t for t, _ in terms) + "->" + batch + t_subs
        # A real operand of a complex product gets the real part.
        res.append(match_real(einsum_p(s, *[op for _, op in terms]), ops[i - 1]))
    return res


def _einsum_jvp_joint(traced, ans, spec, *ops):
    ins, out = spec.split("->")
    ins = ins.split(",")
    total = None
    for i, t in traced:
        nb = ndim(t) - len(ins[i - 1])
        batch = _fresh(set(spec), nb)
        subs = list(ins)
        subs[i - 1] = batch + subs[i - 1]
        args = list(ops)
        args[i - 1] = t
        r = einsum_p(",".join(subs) + "->" + batch + out, *args)
        total = r if total is None else total + r
    return total


einsum_p = defprim(_einsum_raw, "numpy.einsum", needs_ans=False)
einsum_p.vjp_joint = _einsum_vjp_joint
einsum_p.jvp_joint = _einsum_jvp_joint


def einsum(*operands, optimize=False, **kw):
    """Einstein summation over any subscripts (``...`` and diagonals included)."""
    if not isinstance(operands[0], str):  # einsum(op0, sublist0, op1, sublist1, ..., [out])
        ops, subs = operands[0::2], operands[1::2]
        out = None
        if len(operands) % 2 == 1:
            ops, out = ops[:-1], operands[-1]

        def letters(sl):
            return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sl)
        spec = ",".join(letters(s) for s in subs) + ("->" + letters(out) if out is not None else "")
        operands = (spec,) + tuple(ops)
    spec, ops = operands[0], operands[1:]
    broadcast_to = cnp.broadcast_to
    ins, out = _parse(spec, [shape(o) for o in ops])
    # Explicit letters must agree in size: broadcast size-1 ellipsis axes first.
    sizes = {}
    for s, o in zip(ins, ops, strict=True):
        for c, n in zip(s, shape(o), strict=True):
            if n != 1:
                sizes[c] = n
    ops = list(ops)
    for k, (s, o) in enumerate(zip(ins, ops, strict=True)):
        want = tuple(sizes.get(c, 1) for c in s)
        if want != tuple(shape(o)):
            ops[k] = broadcast_to(o, want)
    return einsum_p(",".join(ins) + "->" + out, *ops)


# -- built from matmul and einsum -------------------------------------------------------

@composite
def dot(a, b, out=None):
    """Dot product: matmul for up to 2-D ``b``, sum over a's last and b's
    second-to-last axis otherwise."""
    a, b = as_ndarray_operand(a), as_ndarray_operand(b)  # np.dot's asarray, not matmul's ufunc
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) <= 2:
        return matmul(a, b)
    return tensordot(a, b, ([-1], [-2]))


@composite
def tensordot(a, b, axes=2):
    """Sum products over the given axes of ``a`` and ``b``."""
    na, nb_ = ndim(a), ndim(b)
    if isinstance(axes, (int, _np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, _np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, _np.integer)) else list(ax_b)
    ax_a = [x % na for x in ax_a]
    ax_b = [x % nb_ for x in ax_b]
    la = list(_LETTERS[:na])
    lb = list(_LETTERS[na:na + nb_])
    for x, y in zip(ax_a, ax_b, strict=True):
        lb[y] = la[x]
    out = "".join(c for i, c in enumerate(la) if i not in ax_a) + \
          "".join(c for i, c in enumerate(lb) if i not in ax_b)
    return einsum("".join(la) + "," + "".join(lb) + "->" + out, a, b)


@composite
def vdot(a, b):
    """Dot product of flattened arrays, conjugating the first."""
    conj, ravel = cnp.conj, cnp.ravel
    return dot(conj(ravel(a)), ravel(b))


@composite
def inner(a, b):
    """Sum product over the last axes."""
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@composite
def outer(a, b, out=None):
    """Outer product of two flattened vectors."""
    ravel, reshape = cnp.ravel, cnp.reshape
    return reshape(ravel(a), (-1, 1)) * reshape(ravel(b), (1, -1))


@composite
def kron(a, b):
    """Kronecker product."""
    reshape = cnp.reshape
    nd = max(ndim(a), ndim(b))
    sa = (1,) * (nd - ndim(a)) + tuple(shape(a))
    sb = (1,) * (nd - ndim(b)) + tuple(shape(b))
    a2 = reshape(a, tuple(v for n in sa for v in (n, 1)))
    b2 = reshape(b, tuple(v for n in sb for v in (1, n)))
    return reshape(a2 * b2, tuple(x * y for x, y in zip(sa, sb, strict=True)))


@composite
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, giving the z component)."""
    moveaxis, stack, asarray = cnp.moveaxis, cnp.stack, cnp.asarray
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = asarray(a), asarray(b)
    a = moveaxis(a, axisa, -1)
    b = moveaxis(b, axisb, -1)
    if shape(a)[-1] == 2 and shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    if shape(a)[-1] == 2:
        concatenate, zeros_like = cnp.concatenate, cnp.zeros_like
        a = concatenate([a, zeros_like(getval(a)[..., :1])], axis=-1)
    if shape(b)[-1] == 2:
        concatenate, zeros_like = cnp.concatenate, cnp.zeros_like
        b = concatenate([b, zeros_like(getval(b)[..., :1])], axis=-1)
    c = stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
               a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
               a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], axis=-1)
    return moveaxis(c, -1, axisc)


@composite
def vecdot(x1, x2, axis=-1):
    """Vector dot product along ``axis`` (conjugating ``x1``)."""
    conj, _sum = cnp.conj, cnp.sum
    return _sum(conj(x1) * x2, axis=axis)


@composite
def matvec(x1, x2):
    """Matrix-vector product over the last axes."""
    return einsum("...ij,...j->...i", x1, x2)


@composite
def vecmat(x1, x2):
    """Vector-matrix product over the last axes (conjugating the vector)."""
    conj = cnp.conj
    return einsum("...i,...ij->...j", conj(x1), x2)
