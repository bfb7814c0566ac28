"""The transforms: grad, jvp, vjp, Jacobians, Hessians and friends.

Every transform is a few lines on top of two engines:

* :func:`_vjp_engine` runs ``f`` once under a :class:`ReverseTrace` and
  returns the output with a *pullback* that walks the tape backwards;
* :func:`_jvp_engine` runs ``f`` once under a :class:`ForwardTrace` with the
  given tangents (optionally a whole batch of them) and returns both.

Arguments and outputs can be containers (tuples, lists, dicts) of arrays.
Names follow HIPS autograd (``argnum=``) and JAX (``argnums=``, ``jvp(f,
primals, tangents)``, ``vjp(f, *primals)``), so code written for either runs.
"""

import inspect
import math
import warnings
from collections import OrderedDict
import functools

import numpy as _onp

from .core.engine import (
    Box, ForwardTrace, Primitive, ReverseTrace, backward, end_trace, escaped, getval,
)
from .core.errors import IndependentOutputWarning
from .core.tree import tree_flatten, tree_unflatten
from ._jit._record import TRACED as _TRACED, record_call as _record_call
from .numpy._array_api import (ArrayAPIArray, any_array_api, is_array_api_only, unwrap,
                               unwrap_leaves, wrap, wrap_leaves)
from .numpy._dask import any_dask, lazy_guard
from .numpy._wrap import ARRAY_TYPES, asarray as _asarray
from .numpy._wrap import kind as _kind
from .numpy._box import BOX_TYPES, ZEROS
from .numpy.basis import ScaledBasis, identity_basis

__all__ = [
    "grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv",
    "holomorphic_grad", "jvp", "vjp", "make_vjp", "make_jvp", "linearize",
    "jacfwd", "jacrev", "jacobian", "hessian", "hvp", "make_hvp",
    "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
    "vector_jacobian_product", "multigrad_dict", "grad_named", "make_ggnvp",
    "make_jvp_reversemode",
]


# ----------------------------------------------------------------------------
# Helpers on leaves
# ----------------------------------------------------------------------------

def _dtype(x):
    x = getval(x)
    if hasattr(x, "dtype"):
        return x.dtype
    if isinstance(x, (str, bytes)):  # np.result_type would read it as a dtype name
        return _onp.dtype(object)
    return _onp.result_type(x)


def _shape(v):
    v = getval(v)
    return v.shape if type(v) is _onp.ndarray else _onp.shape(v)


def _size(v):
    """The number of elements (an attribute where there is one: ``numpy.size`` of a
    Dask array would compute it)."""
    n = getattr(v, "size", None)
    return _onp.size(v) if n is None else n


def _ndim(v):
    n = getattr(v, "ndim", None)
    return _onp.ndim(v) if n is None else n


def _check_input(x, what):
    """Differentiated inputs must be floating or complex (integers have become floats,
    :func:`_real_input`): say so loudly. Returns the input's dtype."""
    v = getval(x)
    if type(v) in BOX_TYPES:  # autograd's custom box types: the value's own vector space
        return None
    if isinstance(v, (str, bytes)):
        raise TypeError(
            f"chainrule: cannot differentiate with respect to {what} that is a "
            f"{type(v).__name__} ({v!r:.40}); pass a number, e.g. float({v!r:.40}), or an "
            "array of floats.")
    dt = _dtype(x)
    if _kind(dt) not in "fc":
        raise TypeError(
            f"chainrule: cannot differentiate with respect to {what} of dtype {dt} "
            f"(value {getval(x)!r:.60}). Only numbers (float, complex, integer) have "
            "derivatives; pass a float array, e.g. x.astype(float)."
        )
    return dt


def _real_input(x):
    """An integer input as the real number it is (float64), as autograd differentiates
    it: ``grad(f)(3)`` is f'(3.0). Other inputs as they are."""
    if type(x) is int:
        return float(x)
    v = getval(x) if type(x) is Box else x
    dt = getattr(v, "dtype", None)
    if dt is not None and dt.kind in "iu" and type(x) is not Box:
        return _asdtype(v, _onp.float64)
    return x


def _module(like):
    """The array module of ``like`` (NumPy for NumPy arrays and numbers); for a
    strict array API array, chainrule's namespace of its library and device,
    whose arrays (a seed, zeros) are wrapped like the inputs."""
    if type(like) is _onp.ndarray:
        return _onp
    if is_array_api_only(like):
        return wrap(like).__array_namespace__()
    from .numpy._wrap import array_module
    return array_module(like)


def _zeros(shape, dtype, like=None):
    """Zeros on the array module of ``like`` (NumPy by default)."""
    if like is not None and type(like) is not _onp.ndarray:
        return _module(like).zeros(shape, dtype=dtype)
    return _onp.zeros(shape, dtype)


def _ones(v):
    """Ones of the shape and dtype of ``v``, on its array module (a user's
    cotangent or tangent seed: the transforms wrap it like their inputs)."""
    if type(v) is not _onp.ndarray and _module(v) is not _onp:
        return _module(v).ones(tuple(v.shape), dtype=_dtype(v))
    return _onp.ones(_onp.shape(v), _dtype(v))


def _asdtype(v, dt):
    """``v`` as dtype ``dt``, on its own array module."""
    if type(v) is not _onp.ndarray and _module(v) is not _onp:
        return v.astype(dt)
    if type(v) in _TRACED:  # chainrule.jit's: the same conversion, recorded
        return _record_call(_onp.asarray, (v,), {"dtype": dt})
    return _onp.asarray(v, dtype=dt)


def _cast_like(g, x, dt=None):
    """Give a gradient the dtype of its input (float32 in, float32 out)."""
    if type(getval(x)) in BOX_TYPES:  # a custom box type's value: its own arithmetic
        if g is None:
            zeros = ZEROS.get(type(getval(x)))
            if zeros is None:
                raise TypeError(f"chainrule: no zero of {type(getval(x)).__name__} for the "
                                "gradient of an input the output does not depend on; register "
                                "its vector space (VSpace.register)")
            return zeros(getval(x))
        return g
    if dt is None:
        dt = _dtype(x)
    if g is None:
        return _zeros(_onp.shape(getval(x)), dt, getval(x))
    if type(g) is Box:  # higher order: cast by primitives, so that the cast has a derivative
        gdt = _dtype(g)
        if gdt != dt:
            from . import numpy as cnp  # only here: a rare path, and no import cycle
            if _kind(gdt) == "c" and _kind(dt) != "c":
                g = cnp.real(g)
            g = g.astype(dt)
        return g
    gdt = g.dtype if hasattr(g, "dtype") else _onp.result_type(g)
    if gdt != dt:
        if _kind(gdt) == "c" and _kind(dt) != "c":
            g = _onp.real(g)
        g = _asdtype(g, dt)
    xv = getval(x)
    if type(xv) in (float, complex) and _onp.ndim(g) == 0:
        return type(xv)(g)  # a Python number in, a Python number out
    if type(xv) is not _onp.ndarray and type(g) is _onp.ndarray:
        return _lazy_like(g, xv)
    return g


def _lazy_like(g, x):
    """A gradient or tangent that came out as a NumPy array (it does not depend on
    the data: the gradient of a sum) for a Dask input or output: a Dask array of
    its chunks, so that the result's type follows the input's; for a wrapped
    array API input, the library's array (a host constant moved to it)."""
    if any_dask((x,)) and _onp.shape(g) == tuple(x.shape):
        import dask.array as da
        return da.from_array(g, chunks=x.chunks)
    if type(x) is ArrayAPIArray and _onp.shape(g) == x.shape:
        return x.__array_namespace__().asarray(g)
    return g


def _select_args(args, argnums):
    try:
        if isinstance(argnums, int):
            return args[argnums]
        return tuple(args[i] for i in argnums)
    except IndexError:
        bad = [i for i in ((argnums,) if isinstance(argnums, int) else argnums)
               if not -len(args) <= i < len(args)]
        raise IndexError(
            f"chainrule: asked for the derivative with respect to argument {bad[0]} "
            f"(argnum={argnums!r}), but the function was called with {len(args)} positional "
            f"argument{'s' if len(args) != 1 else ''}"
            + (f" (numbered 0 to {len(args) - 1})" if args else "") + ".") from None


def _substitute(args, argnums, new):
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new
    else:
        for i, v in zip(argnums, new):
            args[i] = v
    return args


def _argnums(argnum, argnums):
    if argnums is not None:
        return tuple(argnums) if isinstance(argnums, list) else argnums
    return tuple(argnum) if isinstance(argnum, list) else argnum


def _wraps(fun, op, argnum):
    """Name a transformed function as autograd does: ``grad(foo, 1)`` is
    ``grad_of_foo_wrt_argnum_1``, with a docstring saying so; ``__wrapped__``
    is ``foo`` (so ``inspect.signature`` gives its signature)."""
    name = getattr(fun, "__name__", "[unknown name]")

    def deco(f):
        functools.update_wrapper(f, fun, updated=())
        f.__name__ = f"{op}_of_{name}_wrt_argnum_{argnum}"
        f.__qualname__ = f.__name__
        f.__doc__ = (f"    {op} of function {name} with respect to argument number {argnum}. "
                     f"Takes the\n    same arguments as {name} but returns the {op}.\n    ")
        return f
    return deco


# ----------------------------------------------------------------------------
# The two engines
# ----------------------------------------------------------------------------

def _lazy(leaves, fun):
    """Whether an input, or an argument ``_unary`` closed over, is a Dask array:
    then the engines run under :func:`chainrule.numpy._dask.lazy_guard`."""
    if any_dask(leaves):
        return True
    context = getattr(fun, "_context", None)
    return context is not None and any_dask(context)


def _guarded(lazy, f, *a):
    if not lazy:
        return f(*a)
    with lazy_guard():
        return f(*a)


def _vjp_engine(fun, x, unwrap_out=True):
    """Run ``fun(x)`` on a fresh tape; return ``(out, pullback)``.

    ``x`` is any container of arrays. ``pullback(ct, keep_tape=True)`` maps an
    output cotangent (same container as the output, optionally with extra
    leading batch axes) to the cotangent of ``x``. With Dask arrays among the
    inputs (or the arguments closed over), both run under a guard that makes
    any computation of them an error: the results are lazy Dask arrays.
    Strict array API arrays among the inputs (or the arguments, or the
    cotangents) are wrapped in :class:`~chainrule.numpy._array_api.ArrayAPIArray`
    and the results unwrapped, unless ``unwrap_out=False`` (the Jacobians
    unwrap theirs once they are assembled).
    """
    leaves, spec = tree_flatten(x)
    leaves, wrapped = wrap_leaves(leaves)
    wrapped = (wrapped or _context_wrapped(fun)) and unwrap_out
    leaves = [_real_input(v) for v in leaves]
    dtypes = [_check_input(leaf, "an input") for leaf in leaves]
    trace = ReverseTrace()
    boxes = [trace.new_input(v) for v in leaves]
    lazy = _lazy(leaves, fun)
    try:
        out = _guarded(lazy, fun, tree_unflatten(spec, boxes))
    finally:  # the forward pass is over: a box of it used from now on has escaped
        end_trace(trace, fun)
    out_leaves, out_spec = tree_flatten(out)
    _check_escaped(out_leaves, trace)
    n = len(leaves)
    tape = trace.tape
    out_vals = [o._value if type(o) is Box and o._trace is trace else o for o in out_leaves]

    def pullback(ct, keep_tape=True):
        ct_leaves = tree_flatten(ct)[0]
        ct_leaves, ct_wrapped = wrap_leaves(ct_leaves)
        if len(ct_leaves) != len(out_leaves):
            raise ValueError("chainrule: the cotangent must have the structure of the output")
        # A Python number seed as a NumPy scalar, as for jvp's tangents.
        seeds = [(o._ref, _onp.float64(c) if type(c) is float or type(c) is int
                  else _onp.complex128(c) if type(c) is complex else c)
                 for o, c in zip(out_leaves, ct_leaves) if type(o) is Box and o._trace is trace]
        adj = _guarded(lazy or _lazy(ct_leaves, None), backward, tape, seeds, n, keep_tape,
                       None, trace.complex)
        grads = []
        for a, v, dt in zip(adj, leaves, dtypes):
            if a is None and dt is not None:  # the output does not depend on this input
                c0, o0 = getval(ct_leaves[0]), getval(out_vals[0])
                batch = _onp.shape(c0)[: _onp.ndim(c0) - _onp.ndim(o0)] if ct_leaves else ()
                a = _zeros(batch + _onp.shape(getval(v)), dt, getval(v))
            grads.append(_cast_like(a, v, dt))
        if wrapped or (ct_wrapped and unwrap_out):
            grads = unwrap_leaves(grads)
        return tree_unflatten(spec, grads)

    if wrapped:
        out_vals = unwrap_leaves(out_vals)
    # Whether the output depends on the input at all (for the transforms' warning).
    pullback.traced = any(type(o) is Box and o._trace is trace for o in out_leaves)
    return tree_unflatten(out_spec, out_vals), pullback


def _jvp_engine(fun, x, t, batch_shape=(), unwrap_out=True):
    """Run ``fun(x)`` pushing tangents ``t`` (same container as ``x``). Strict
    array API arrays are wrapped and unwrapped as in :func:`_vjp_engine`."""
    leaves, spec = tree_flatten(x)
    t_leaves = tree_flatten(t)[0]
    leaves, wrapped = wrap_leaves(leaves)
    leaves = [_real_input(v) for v in leaves]
    t_leaves, t_wrapped = wrap_leaves(t_leaves)
    wrapped = (wrapped or t_wrapped or _context_wrapped(fun)) and unwrap_out
    if len(t_leaves) != len(leaves):
        raise ValueError("chainrule: tangents must have the same structure as the primals")
    trace = ForwardTrace(batch_shape)
    batch_shape = trace.batch_shape  # a tuple
    boxes = []
    for v, tv in zip(leaves, t_leaves):
        dt = _check_input(v, "an input")
        shape = batch_shape + _shape(v)
        if _shape(tv) != shape:
            raise ValueError(f"chainrule: tangent shape {_shape(tv)} does not match "
                             f"the primal's shape {shape}")
        if type(tv) in _PY_NUMBERS:
            # A Python number as a NumPy scalar: the rules divide by tangents and
            # inputs (log's t / x), and NumPy gives inf where Python raises.
            tv = _onp.asarray(tv, dtype=dt)[()]
        elif type(tv) is not Box and _dtype(tv) != dt:
            tv = _asdtype(tv, dt)
        boxes.append(trace.new_input(v, tv))
    try:
        out = _guarded(_lazy(leaves, fun) or _lazy(t_leaves, None), fun,
                       tree_unflatten(spec, boxes))
    finally:
        end_trace(trace, fun)
    out_leaves, out_spec = tree_flatten(out)
    _check_escaped(out_leaves, trace)
    vals, tans = [], []
    for o in out_leaves:
        if type(o) is Box and o._trace is trace:
            vals.append(o._value)
            t = o._ref
            tans.append(_lazy_like(t, o._value) if type(t) is _onp.ndarray
                        and type(o._value) is not _onp.ndarray else t)
        else:
            vals.append(o)
            tans.append(_zeros(batch_shape + _shape(o), _dtype(o), getval(o)))
    if wrapped:
        vals, tans = unwrap_leaves(vals), unwrap_leaves(tans)
    return tree_unflatten(out_spec, vals), tree_unflatten(out_spec, tans)


def _check_escaped(out_leaves, trace):
    """:class:`EscapedTraceError` for an output that is a box of another, ended trace
    (stored during an earlier derivative and returned now)."""
    for o in out_leaves:
        if type(o) is Box and o._trace is not trace and o._trace.ended:
            raise escaped(o._trace, "returned as an output of another derivative")


_NO_ATTRIBUTES = {}
_PY_NUMBERS = (float, int, complex, bool)


def _context_wrapped(fun):
    """Whether :func:`_unary` wrapped arrays among the other arguments of ``fun``
    (read from its ``__dict__``: a missing attribute would cost an exception per
    call, as for the lambdas of jvp and vjp)."""
    return getattr(fun, "__dict__", _NO_ATTRIBUTES).get("_wrapped", False)


def _jvp_from_vjp(prim, argnum):
    """A forward rule for argument ``argnum`` of ``prim`` from its reverse rule.

    The VJP ``g -> Jᵀg`` is linear in ``g`` and written with ``chainrule.numpy``,
    so reverse mode over it (at ``g = 0``; any point would do) gives its
    transpose: the pullback of a tangent ``t`` is ``J t``. A batch of tangents is a
    batch of cotangents of that pullback. Costs about two VJPs per application.
    Installed as :attr:`Primitive.derive_jvp` (the engine knows nothing of arrays).
    """
    def rule(t, ans, *args, **kwargs):
        leaves, spec = tree_flatten(ans)
        g0 = tree_unflatten(spec, [_zeros(_shape(v), _dtype(v), getval(v)) for v in leaves])

        def vjp_of(g):
            return prim.cotangents((argnum,), g, ans, args, kwargs)[0]
        _, pullback = _vjp_engine(vjp_of, g0)
        return pullback(t)
    rule.__name__ = f"jvp_from_vjp_of_{prim.name}_{argnum}"
    return rule


def _independent(fun, op, argnum, out=0.0):
    """Warn that ``fun``'s output does not depend on argument ``argnum``: the derivative
    ``op`` gives is zero, and a zero is never given silently."""
    name = getattr(fun, "__name__", None) or repr(fun)
    why = ("it returned None: a forgotten return?" if out is None else
           "does the function return what it computes from that argument (a forgotten "
           "return, a constant)?")
    warnings.warn(
        f"chainrule: the output of {name} does not depend on its argument {argnum} "
        f"(argnum={argnum!r}), so its {op} is zero; {why} To make this an error: "
        "warnings.simplefilter('error', chainrule.IndependentOutputWarning).",
        IndependentOutputWarning, stacklevel=3)


def _unary(fun, args, kwargs, argnums):
    """``fun`` as a function of the selected argument(s) only. Strict array API
    arrays among the other arguments are wrapped (the engines then unwrap their
    results), so that the function sees NumPy's protocols on all of them."""
    wrapped = any_array_api(args) or bool(kwargs) and any_array_api(kwargs.values())
    if wrapped:
        args, kwargs = wrap(tuple(args)), wrap(kwargs)

    def f(x):
        return fun(*_substitute(args, argnums, x), **kwargs)
    f._context = (args, kwargs) if args or kwargs else None
    f._wrapped = wrapped
    return f


def _ones_seed(ans, who):
    v = getval(ans)
    if isinstance(v, (tuple, list, dict)):
        raise TypeError(
            f"chainrule: {who} needs a function with a scalar output, but it returned a "
            f"{type(v).__name__} of {len(v)}. If the function returns (value, auxiliary data), "
            f"use {who}(f, has_aux=True): it differentiates the first and returns the second "
            "as it is. For several outputs, use jacobian or vjp.")
    dt = _dtype(v)
    if type(v) is not _onp.ndarray and not isinstance(v, _onp.generic) and _kind(dt) == "f" \
            and _size(v) == 1 and hasattr(v, "shape") and _module(v) is not _onp:
        # The seed on the output's own module: a NumPy one would meet device
        # arrays (CuPy refuses them) or be broadcast on the host and copied into
        # the graph (Dask: a sum's VJP over 10^7 rows).
        return _module(v).ones(tuple(v.shape), dtype=dt)
    if _kind(dt) == "f" and type(v) not in ARRAY_TYPES:  # the usual case: a float scalar
        return dt.type(1)
    if _ndim(v) != 0 and _size(v) != 1:
        raise TypeError(
            f"chainrule: {who} needs a function with a scalar output, but it returned shape "
            f"{_onp.shape(v)}. Use jacobian, elementwise_grad or vjp for non-scalar outputs, "
            "or reduce the output (e.g. np.sum)."
        )
    if _kind(dt) == "c":
        raise TypeError(
            f"chainrule: {who} needs a real scalar output, but it is complex. "
            "Use holomorphic_grad, or take np.real / np.abs of the output."
        )
    if _kind(dt) != "f":
        raise TypeError(
            f"chainrule: {who} needs a float output, but the function returned dtype "
            f"{dt}, which has no derivative (a comparison or an integer result?)."
        )
    return _onp.ones(_onp.shape(v), dt)


Primitive.derive_jvp = staticmethod(_jvp_from_vjp)


# ----------------------------------------------------------------------------
# Reverse mode
# ----------------------------------------------------------------------------

def value_and_grad(fun, argnum=0, *, argnums=None, has_aux=False):
    """Return ``f`` such that ``f(*args) == (fun(*args), grad(fun)(*args))``.

    >>> value_and_grad(lambda x: x ** 2)(3.0)
    (9.0, 6.0)
    """
    which = _argnums(argnum, argnums)

    @_wraps(fun, "value_and_grad", which)
    def value_and_grad_fun(*args, **kwargs):
        f = _unary(fun, args, kwargs, which)
        if has_aux:
            aux_box = []

            def f_main(x):
                out, aux = f(x)
                aux_box.append(aux)
                return out
            ans, pullback = _vjp_engine(f_main, _select_args(args, which))
            if not pullback.traced:
                _independent(fun, "gradient", which, ans)
            g = pullback(_ones_seed(ans, "grad"), keep_tape=False)
            return (ans, _strip(aux_box[0], args)), g
        ans, pullback = _vjp_engine(f, _select_args(args, which))
        if not pullback.traced:
            _independent(fun, "gradient", which, ans)
        return ans, pullback(_ones_seed(ans, "grad"), keep_tape=False)

    return value_and_grad_fun


def _strip(tree, inputs=()):
    """Auxiliary outputs are returned as values, not traced boxes; as the
    library's arrays where strict array API ``inputs`` were wrapped."""
    leaves, spec = tree_flatten(tree)
    leaves = [getval(v) if type(v) is Box else v for v in leaves]
    if any_array_api(inputs):
        leaves = unwrap_leaves(leaves)
    return tree_unflatten(spec, leaves)


def grad(fun, argnum=0, *, argnums=None, has_aux=False):
    """
    Returns a function which computes the gradient of the scalar function
    ``fun`` with respect to positional argument(s) ``argnum`` (a tuple gives a
    tuple of gradients). The returned function takes the same arguments as
    ``fun``, and is named as autograd names it (``grad_of_fun_wrt_argnum_0``).

    Reverse mode: one forward pass records the tape, one backward pass gives
    every partial derivative. ``has_aux=True``: ``fun`` returns ``(value,
    aux)`` and the result is ``(gradient, aux)``.

    >>> grad(lambda x, y: x * y, argnum=(0, 1))(2.0, 5.0)
    (5.0, 2.0)
    """
    which = _argnums(argnum, argnums)
    vg = value_and_grad(fun, argnum, argnums=argnums, has_aux=has_aux)

    @_wraps(fun, "grad", which)
    def grad_fun(*args, **kwargs):
        (ans, g) = vg(*args, **kwargs)
        if has_aux:
            return g, ans[1]
        return g

    return grad_fun


def grad_and_aux(fun, argnum=0):
    """For ``fun`` returning ``(value, aux)``: return ``(grad of value, aux)``.

    >>> grad_and_aux(lambda x: (x ** 2, "note"))(3.0)
    (6.0, 'note')
    """
    return grad(fun, argnum, has_aux=True)


def elementwise_grad(fun, argnum=0):
    """Sum of the Jacobian's rows in one reverse pass: the derivative of an
    elementwise function at every point at once.

    >>> import numpy; elementwise_grad(lambda x: x ** 2)(numpy.array([1.0, 2.0]))
    array([2., 4.])
    """
    @_wraps(fun, "elementwise_grad", argnum)
    def ewg(*args, **kwargs):
        ans, pullback = _vjp_engine(_unary(fun, args, kwargs, argnum), _select_args(args, argnum))
        if not pullback.traced:
            _independent(fun, "elementwise gradient", argnum)
        v = getval(ans)
        if _kind(_dtype(v)) == "c":
            raise TypeError("chainrule: elementwise_grad only applies to real-output functions.")
        return pullback(_ones(v), keep_tape=False)

    return ewg


def holomorphic_grad(fun, argnum=0):
    """Complex derivative f'(z) of a holomorphic scalar function.

    >>> holomorphic_grad(lambda z: z ** 2)(1j)
    2j
    """
    @_wraps(fun, "holomorphic_grad", argnum)
    def hg(*args, **kwargs):
        ans, pullback = _vjp_engine(_unary(fun, args, kwargs, argnum), _select_args(args, argnum))
        return pullback(_ones(getval(ans)), keep_tape=False)

    return hg


def vjp(fun, *primals, has_aux=False):
    """JAX-style reverse mode: ``out, pullback = vjp(f, *primals)``.

    ``pullback(ct)`` returns a tuple with one cotangent per primal and may be
    called many times.

    >>> out, pb = vjp(lambda x: 3.0 * x, 2.0); pb(1.0)
    (3.0,)
    """
    if has_aux:
        aux_box = []

        def f(xs):
            out, aux = fun(*xs)
            aux_box.append(aux)
            return out
        out, pb = _vjp_engine(f, tuple(primals))
        return out, pb, _strip(aux_box[0], primals)
    out, pb = _vjp_engine(lambda xs: fun(*xs), tuple(primals))
    return out, pb


def make_vjp(fun, argnum=0):
    """Autograd-style: ``vjp_fn, ans = make_vjp(f)(*args)``; ``vjp_fn(g)``."""
    def maker(*args, **kwargs):
        ans, pb = _vjp_engine(_unary(fun, args, kwargs, argnum), _select_args(args, argnum))
        return pb, ans
    return maker


# ----------------------------------------------------------------------------
# Forward mode
# ----------------------------------------------------------------------------

def jvp(fun, primals, tangents, has_aux=False):
    """JAX-style forward mode: ``(out, out_tangent) = jvp(f, primals, tangents)``.

    Values and tangents go through ``f`` together, in one pass (the lecture's
    a_i and ȧ_i columns).

    >>> jvp(lambda x: x ** 3, (2.0,), (1.0,))
    (8.0, 12.0)
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if has_aux:
        aux_box = []

        def f(xs):
            out, aux = fun(*xs)
            aux_box.append(aux)
            return out
        out, t = _jvp_engine(f, primals, tangents)
        return out, t, _strip(aux_box[0], primals + tangents)
    return _jvp_engine(lambda xs: fun(*xs), primals, tangents)


def make_jvp(fun, argnum=0):
    """Autograd-style: ``make_jvp(f)(*args)(v) == (ans, J v)``."""
    def maker(*args, **kwargs):
        f = _unary(fun, args, kwargs, argnum)
        x = _select_args(args, argnum)

        def jvp_fn(v):
            return _jvp_engine(f, x, v)
        return jvp_fn
    return maker


def deriv(fun, argnum=0):
    """Forward-mode derivative with a tangent of ones (scalar functions: f'(x)).

    >>> deriv(lambda x: x ** 2)(3.0)
    6.0
    """
    def d(*args, **kwargs):
        x = args[argnum]
        ones = _ones(getval(x))
        if _onp.ndim(getval(x)) == 0 and not hasattr(getval(x), "shape"):
            ones = ones[()]
        return _jvp_engine(_unary(fun, args, kwargs, argnum), x, ones)[1]
    return d


def linearize(fun, *primals):
    """``out, f_jvp = linearize(f, *primals)``: ``f_jvp(*tangents)`` is J·t.

    Each call of ``f_jvp`` re-runs the forward pass with the new tangents
    (chainrule does not store a linearized program).
    """
    if any_array_api(primals):  # NumPy's functions would convert them: wrap them
        out = unwrap(fun(*wrap(primals)))
    else:
        out = fun(*primals)

    def f_jvp(*tangents):
        return jvp(fun, primals, tangents)[1]
    return out, f_jvp


# ----------------------------------------------------------------------------
# Jacobians, batched: no Python loop over basis vectors
# ----------------------------------------------------------------------------

def _basis(leaves):
    """Identity basis, split per leaf: leaf j gets shape (n_total, *leaf.shape).

    The seeds are :class:`~chainrule.numpy.basis.ScaledBasis` objects: only
    the diagonal is stored, and the rules that meet it first (a matrix
    product, an elementwise derivative) never multiply the zeros.
    """
    leaves = [_real_input(v) for v in leaves]
    if len(leaves) == 1:
        return identity_basis([_shape(leaves[0])], _dtype(leaves[0]), getval(leaves[0]))
    dtypes = [_dtype(v) for v in leaves]
    dtype = _onp.result_type(*dtypes) if leaves else float
    seeds, n = identity_basis([_shape(v) for v in leaves], dtype,
                              getval(leaves[0]) if leaves else None)
    if _kind(dtype) == "c":  # a real leaf among complex ones keeps a real seed
        seeds = [b if _kind(dt) == "c" else ScaledBasis(b.d.real.astype(dt), b.vshape, n,
                                                        b.offset, unit=True)
                 for b, dt in zip(seeds, dtypes)]
    return seeds, n


def _owned(a):
    """The Jacobian as an array of its own: a rule may have passed on a
    read-only view (of the function's constant matrix, say), which the user
    must not be able to write through."""
    if type(a) is Box or getattr(a, "flags", None) is None or a.flags.writeable:
        return a
    return a.copy()


def _columns(t, oshape, in_shapes, in_spec):
    """Forward mode's ``(n, *out)`` tangents -> ``out.shape + in.shape`` per input leaf."""
    if type(t) is ScaledBasis and type(t.d) is not _onp.ndarray:
        t = t.dense()  # the identity on another array module: its own dense array
    if type(t) is Box:
        from . import numpy as cnp
        t = cnp.moveaxis(t, 0, -1)
    elif type(t) in ARRAY_TYPES or _module(t) is _onp:  # out.shape + (n,)
        t = t.dense() if type(t) is ScaledBasis else _asarray(t)
        t = t.transpose(tuple(range(1, t.ndim)) + (0,))
    else:  # another array module's (a lazy Dask array stays lazy)
        t = _module(t).moveaxis(t, 0, -1)
    if len(in_shapes) == 1:  # no slicing needed
        return tree_unflatten(in_spec, [_owned(t.reshape(oshape + in_shapes[0]))])
    res, start = [], 0
    for shp in in_shapes:
        s = math.prod(shp)
        res.append(_owned(t[..., start:start + s].reshape(oshape + shp)))
        start += s
    return tree_unflatten(in_spec, res)


def _check_holomorphic(leaves, who, holomorphic):
    """Complex inputs need ``holomorphic=True`` (as in JAX): say why and what to do."""
    if holomorphic:
        return
    for v in leaves:
        dt = v.dtype if type(v) is _onp.ndarray else _dtype(v)
        if _kind(dt) == "c":
            raise TypeError(
                f"chainrule: {who} got a complex input (dtype {dt}). A complex Jacobian "
                "df/dz exists only if f is holomorphic: pass holomorphic=True if it is "
                f"(then {who} returns f'(z) in every mode). Otherwise use jvp or vjp "
                "directly, or write f as a function of the real and imaginary parts "
                "(x, y) of z = x + 1j*y and differentiate with respect to those."
            )


def _complex_like(t, o):
    """A complex output's Jacobian is complex, even where its tangent came out
    real (``c + x``): as jacrev's, whatever the mode."""
    dt = o.dtype if type(o) is _onp.ndarray else _dtype(o)
    if _kind(dt) != "c" or _kind(_dtype(t)) == "c":
        return t
    if type(t) is Box:
        return t + dt.type(0)
    return _asdtype(t, dt)


def jacfwd(fun, argnum=0, *, argnums=None, holomorphic=False):
    """Jacobian by forward mode: all n basis tangents pushed through at once.

    Cheapest when the output has at least as many elements as the input.
    Result shape: ``out.shape + in.shape``. A complex output of real inputs
    gives the complex Jacobian; a complex input needs ``holomorphic=True``
    (``TypeError`` otherwise) and then gives f'(z).

    >>> import numpy; jacfwd(lambda x: x ** 2)(numpy.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    >>> jacfwd(lambda z: z ** 2, holomorphic=True)(1j)
    array(0.+2.j)
    """
    which = _argnums(argnum, argnums)

    @_wraps(fun, "jacfwd", which)
    def jac(*args, **kwargs):
        x, in_leaves, in_spec, wrapped = _jac_inputs(args, which)
        _check_holomorphic(in_leaves, "jacfwd", holomorphic)
        basis, n = _basis(in_leaves)
        f = _unary(fun, args, kwargs, which)
        out, tans = _jvp_engine(f, x, tree_unflatten(in_spec, basis), batch_shape=(n,),
                                unwrap_out=False)
        out_leaves, out_spec = tree_flatten(out)
        in_shapes = [_shape(v) for v in in_leaves]
        res = tree_unflatten(out_spec, [_columns(_complex_like(t, o), _shape(o), in_shapes,
                                                 in_spec)
                                        for o, t in zip(out_leaves, tree_flatten(tans)[0])])
        return unwrap(res) if wrapped or f._wrapped else res

    return jac


def jacrev(fun, argnum=0, *, argnums=None, holomorphic=False):
    """Jacobian by reverse mode: all m basis cotangents pulled back at once.

    Cheapest when the input has more elements than the output.
    Result shape: ``out.shape + in.shape``. A complex output of real inputs
    gives the complex Jacobian, as :func:`jacfwd` does (its real and
    imaginary parts are pulled back in the same pass, 2m cotangents); a
    complex input needs ``holomorphic=True`` (``TypeError`` otherwise) and
    then gives f'(z).

    >>> import numpy; jacrev(lambda x: numpy.sum(x) * 1.0)(numpy.array([1.0, 2.0]))
    array([1., 1.])
    >>> jacrev(lambda x: x * (2.0 + 3.0j))(1.0)
    array(2.+3.j)
    """
    which = _argnums(argnum, argnums)

    @_wraps(fun, "jacrev", which)
    def jac(*args, **kwargs):
        x, in_leaves, in_spec, wrapped = _jac_inputs(args, which)
        _check_holomorphic(in_leaves, "jacrev", holomorphic)
        f = _unary(fun, args, kwargs, which)
        out, pullback = _vjp_engine(f, x, unwrap_out=False)
        if not pullback.traced:
            _independent(fun, "Jacobian", which)
        res = _jacrev_from(out, pullback, in_leaves, in_spec)
        return unwrap(res) if wrapped or f._wrapped else res

    return jac


def _jac_inputs(args, which):
    """The Jacobians' inputs ``(x, leaves, spec, wrapped)``, strict array API
    arrays wrapped: the Jacobian is assembled from wrapped arrays, then
    unwrapped (``wrapped``) once."""
    x = _select_args(args, which)
    in_leaves, in_spec = tree_flatten(x)
    in_leaves, wrapped = wrap_leaves(in_leaves)
    if wrapped:
        x = tree_unflatten(in_spec, in_leaves)
    return x, in_leaves, in_spec, wrapped


def _jacrev_from(out, pullback, in_leaves, in_spec):
    """Pull the whole output basis back at once; ``(m, *in)`` -> ``out.shape + in.shape``."""
    out_leaves, out_spec = tree_flatten(out)
    in_shapes = [_shape(v) for v in in_leaves]
    for o in out_leaves:
        dt = o.dtype if type(o) is _onp.ndarray else _dtype(o)
        if _kind(dt) == "c" and any(_kind(_dtype(v)) != "c" for v in in_leaves):
            return _jacrev_complex(out_leaves, out_spec, in_leaves, in_spec, in_shapes, pullback)
    seeds, m = _basis(out_leaves)
    cts = tree_flatten(pullback(tree_unflatten(out_spec, seeds), keep_tape=False))[0]
    res, start = [], 0
    for o in out_leaves:
        oshape = _shape(o)
        s = math.prod(oshape)
        rows = [_owned(c[start:start + s].reshape(oshape + shp)) for c, shp in zip(cts, in_shapes)]
        res.append(tree_unflatten(in_spec, rows))
        start += s
    return tree_unflatten(out_spec, res)


def _jacrev_complex(out_leaves, out_spec, in_leaves, in_spec, in_shapes, pullback):
    """Complex outputs of real inputs: the complex Jacobian from one batched pullback.

    For a real input x and a complex output y = c·x, the pullback of a
    cotangent g is Re(g·c) (a real input gets a real cotangent): 1 gives Re c
    and −i gives Im c. So the seeds are the output basis e_j of every leaf
    (m rows, as for real outputs) followed by −i·e_j for each element of the
    complex leaves, and a real input's Jacobian is rows(e_j) + i·rows(−i·e_j).
    A complex input (holomorphic, so its pullback of e_j is already ∂y/∂z)
    takes the first block only.
    """
    shapes = [_shape(o) for o in out_leaves]
    sizes = [math.prod(s) for s in shapes]
    cplx = [_kind(_dtype(o)) == "c" for o in out_leaves]
    m = sum(sizes)
    rows_total = m + sum(s for s, c in zip(sizes, cplx) if c)
    seeds, imag_at, start, cstart = [], [], 0, m
    for o, shp, s, c in zip(out_leaves, shapes, sizes, cplx):
        dt = _dtype(o)
        if c:
            seed = _zeros((rows_total, s), dt, getval(o))
            k = _module(getval(o)).arange(s)
            seed[start + k, k] = 1
            seed[cstart + k, k] = -1j
            seeds.append(seed.reshape((rows_total,) + shp))
            imag_at.append(cstart)
            cstart += s
        else:
            d = _onp.empty(s, dt)
            d.fill(1)
            if type(getval(o)) is not _onp.ndarray and not any_dask((getval(o),)):
                from .numpy._wrap import like  # on the output's module (CuPy, array API)
                d = like(d, getval(o))
            seeds.append(ScaledBasis(d, shp, rows_total, start, unit=True))
            imag_at.append(None)
        start += s
    cts = tree_flatten(pullback(tree_unflatten(out_spec, seeds), keep_tape=False))[0]
    real_in = [_kind(_dtype(v)) != "c" for v in in_leaves]
    res, start = [], 0
    for shp_o, s, ci in zip(shapes, sizes, imag_at):
        rows = []
        for c, shp, r in zip(cts, in_shapes, real_in):
            j = c[start:start + s]
            if ci is not None and r:
                j = j + 1j * c[ci:ci + s]
            rows.append(_owned(j.reshape(shp_o + shp)))
        res.append(tree_unflatten(in_spec, rows))
        start += s
    return tree_unflatten(out_spec, res)


def jacobian(fun, argnum=0, *, argnums=None, holomorphic=False):
    """Jacobian ``out.shape + in.shape``, choosing the cheaper mode itself.

    Following the lecture: **forward mode** when the output has at least as
    many elements as the input (one batched pass of n tangents), **reverse
    mode** otherwise (one batched pass of m cotangents; a complex output of
    real inputs counts twice, its real and imaginary parts being pulled back
    separately). The function is first run once on the tape; if forward mode
    wins, it runs again in forward mode. Both modes give the same result,
    complex Jacobians included (see :func:`jacfwd`, :func:`jacrev`).

    >>> import numpy; jacobian(lambda x: 2.0 * x)(numpy.ones(2))
    array([[2., 0.],
           [0., 2.]])
    """
    which = _argnums(argnum, argnums)
    fwd = jacfwd(fun, argnums=which, holomorphic=holomorphic)

    @_wraps(fun, "jacobian", which)
    def jac(*args, **kwargs):
        x, in_leaves, in_spec, wrapped = _jac_inputs(args, which)
        _check_holomorphic(in_leaves, "jacobian", holomorphic)
        f = _unary(fun, args, kwargs, which)
        out, pullback = _vjp_engine(f, x, unwrap_out=False)
        if not pullback.traced:
            _independent(fun, "Jacobian", which)
        n_in = sum(int(_size(getval(v))) for v in in_leaves)
        out_leaves = tree_flatten(out)[0]
        n_out = sum(int(_size(getval(v))) for v in out_leaves)
        if n_out < n_in and any(_kind(_dtype(v)) != "c" for v in in_leaves):
            # a complex output of real inputs costs two cotangents per element
            n_out += sum(int(_size(getval(o))) for o in out_leaves if _kind(_dtype(o)) == "c")
        if n_out >= n_in:
            return fwd(*args, **kwargs)
        res = _jacrev_from(out, pullback, in_leaves, in_spec)
        return unwrap(res) if wrapped or f._wrapped else res

    return jac


def hessian(fun, argnum=0, *, argnums=None, holomorphic=False):
    """Hessian as forward-over-reverse: ``jacfwd(jacrev(fun))``.

    Complex inputs need ``holomorphic=True`` (``TypeError`` otherwise), and
    then give f''(z); a complex output of real inputs gives the complex
    second derivative, as :func:`jacfwd` and :func:`jacrev` do.

    >>> import numpy; hessian(lambda x: numpy.sum(x ** 3) * 1.0)(numpy.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    >>> hessian(lambda z: z ** 3, holomorphic=True)(1j)
    array(0.+6.j)
    """
    which = _argnums(argnum, argnums)
    h = jacfwd(jacrev(fun, argnums=which, holomorphic=holomorphic), argnums=which,
               holomorphic=holomorphic)

    @_wraps(fun, "hessian", which)
    def hess(*args, **kwargs):
        _check_holomorphic(tree_flatten(_select_args(args, which))[0], "hessian", holomorphic)
        return h(*args, **kwargs)

    return hess


def hvp(fun, argnum=0):
    """Hessian-vector product by forward-over-reverse: ``hvp(f)(*args, v)``.

    Costs a small constant times one gradient, never forms the Hessian.

    >>> hvp(lambda x: x ** 3)(2.0, 1.0)
    12.0
    """
    def hv(*args, **kwargs):
        args, v = args[:-1], args[-1]
        f = _unary(fun, args, kwargs, argnum)

        def gradient(x):  # grad(fun), without its wrappers: this is the hot path
            ans, pullback = _vjp_engine(f, x)
            return pullback(_ones_seed(ans, "hvp"), keep_tape=False)
        return _jvp_engine(gradient, args[argnum], v)[1]
    return hv


def make_hvp(fun, argnum=0):
    """Autograd-style: ``hvp_fn, grad_value = make_hvp(f)(*args)``; ``hvp_fn(v)``.

    The forward and backward passes of the gradient are recorded once and
    reused for every vector (reverse-over-reverse).
    """
    def maker(*args, **kwargs):
        return make_vjp(grad(fun, argnum), argnum)(*args, **kwargs)
    return maker


def hessian_tensor_product(fun, argnum=0):
    """``(*args, V) -> sum over V's axes of H·V`` (reverse-over-reverse, as autograd)."""
    from . import numpy as cnp
    fun_grad = grad(fun, argnum)

    def vector_dot_grad(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return cnp.tensordot(fun_grad(*args, **kwargs), vector, _onp.ndim(getval(vector)))
    return grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun, argnum=0):
    """``(*args, V) -> V·J``: the Jacobian left-multiplied by the tensor ``V``
    (one reverse pass; ``V`` has the output's shape)."""
    def tjp(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        ans, pullback = _vjp_engine(_unary(fun, args, kwargs, argnum), _select_args(args, argnum))
        if _onp.shape(getval(vector)) == _onp.shape(getval(ans)):
            return pullback(vector, keep_tape=False)
        # V covers only the output's leading axes (autograd's contraction).
        from . import numpy as cnp

        def vector_dot_fun(*a, **kw):
            return cnp.tensordot(vector, fun(*a, **kw), axes=_onp.ndim(getval(vector)))
        # holomorphic=True: complex inputs keep the behaviour they had before
        # jacobian required the flag (this is a vector-Jacobian product).
        return jacobian(vector_dot_fun, argnum, holomorphic=True)(*args, **kwargs)
    return tjp


vector_jacobian_product = tensor_jacobian_product


def grad_named(fun, argname):
    """Gradient with respect to the argument called ``argname``."""
    arg_index = list(inspect.signature(fun).parameters).index(argname)
    return grad(fun, arg_index)


def multigrad_dict(fun):
    """Gradients with respect to every argument at once, as an ordered dict
    ``{argname: gradient}`` (defaults included)."""
    sig = inspect.signature(fun)

    def gradfun(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        names = list(bound.arguments)

        def newfun(d):
            b = sig.bind_partial()
            b.arguments.update(d)
            return fun(*b.args, **b.kwargs)
        g = grad(newfun)(dict(bound.arguments))
        return OrderedDict((n, g[n]) for n in names)

    return gradfun


def make_ggnvp(f, g=None, f_argnum=0):
    """Generalized Gauss-Newton-vector products ``v -> Jᵀ H_g J v`` of ``g∘f``
    at a point: ``make_ggnvp(f, g)(*args)(v)``. ``g`` defaults to
    ``0.5 * sum(y**2, axis=-1)`` as in autograd. J·v by forward mode, H_g by
    forward-over-reverse, Jᵀ by the pullback recorded once.
    """
    from . import numpy as cnp
    if g is None:
        def g(y):
            return 0.5 * cnp.sum(y ** 2, axis=-1)

    def maker(*args, **kwargs):
        f1 = _unary(f, args, kwargs, f_argnum)
        x = args[f_argnum]
        f_x, f_vjp = _vjp_engine(f1, x)
        g_hvp = hvp(g)

        def ggnvp(v):
            return f_vjp(g_hvp(f_x, _jvp_engine(f1, x, v)[1]))
        return ggnvp
    return maker


def make_jvp_reversemode(fun, argnum=0):
    """J·v from reverse mode alone (the transpose of the pullback), as autograd
    offers; forward mode (:func:`make_jvp`) is cheaper and exact alike."""
    def maker(*args, **kwargs):
        f1 = _unary(fun, args, kwargs, argnum)
        x = args[argnum]
        y, pullback = _vjp_engine(f1, x)
        zeros = tree_unflatten(tree_flatten(y)[1], [
            _zeros(_onp.shape(getval(v)), _dtype(v), getval(v)) for v in tree_flatten(y)[0]])
        _, pb_of_pb = _vjp_engine(lambda u: pullback(u), zeros)
        return pb_of_pb
    return maker
