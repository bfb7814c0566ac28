"""``chainrule.numpy``: NumPy with derivatives. Use it as ``import chainrule.numpy as np``.

Every function of NumPy's main namespace is here and falls in one of these
groups (see :func:`classify`):

* differentiable: a primitive with JVP and VJP rules (``PRIMITIVES``) or a
  function built from primitives (``COMPOSITES``);
* non-differentiable: integer, boolean or piecewise-constant results
  (``NONDIFF``; listed in ``chainrule/numpy/nondiff.py``);
* no rule yet: works on plain arrays, raises a clear error when asked for a
  derivative (``NORULE``);
* pass-through: types, dtypes, constants, I/O and configuration.

Plain arrays in, plain arrays out: outside a transform these are NumPy's own
functions plus one cheap check for traced arguments.
"""

import sys as _sys

import numpy as _np
from numpy import *  # noqa: F401,F403 - constants, dtypes and types first; functions are replaced below

from ..core.engine import Primitive as _Primitive
from ..core.engine import set_complex_hooks as _set_complex_hooks
from . import _box
from . import _wrap
from ._wrap import NONDIFF, PRIMITIVES, nondiff as _nondiff
from .convert import *  # noqa: F401,F403
from .convert import _astype, _copy, astype_p as _astype_p  # noqa: F401
from .elementwise import *  # noqa: F401,F403
from .extra import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .order_statistics import *  # noqa: F401,F403
from .calculus import *  # noqa: F401,F403
from .interpolation import *  # noqa: F401,F403
from .polynomials import *  # noqa: F401,F403
from .polynomial_fit import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .indexing import _getitem, _index_update  # noqa: F401
from .nondiff import NONDIFFERENTIABLE as _NONDIFF_NAMES
from .products import *  # noqa: F401,F403
from .products import matmul, einsum  # noqa: F401
from .reductions import COMPOSITES
from .reductions import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .shape import broadcast_to, concatenate, reshape, transpose, broadcast_arrays  # noqa: F401

for _name in ["matmul", "einsum", "reshape", "transpose", "concatenate", "broadcast_to",
              "broadcast_arrays", "permute_dims", "concat", "amax", "amin", "divide",
              "true_divide", "abs", "mod", "conjugate", "conj", "cumulative_sum", "cumulative_prod",
              "row_stack", "asanyarray", "ascontiguousarray", "asfortranarray"]:
    COMPOSITES.setdefault("numpy." + _name, globals()[_name])

for _name in _NONDIFF_NAMES:
    if hasattr(_np, _name) and not isinstance(globals().get(_name), _Primitive) \
            and "numpy." + _name not in COMPOSITES:
        globals()[_name] = _nondiff(getattr(_np, _name), "numpy." + _name)

#: NumPy functions with no derivative rule yet: fine on plain arrays, a clear
#: error (pointing at chainrule.extend.defvjp) when a traced value reaches them.
NORULE = {}

_PASSTHROUGH_FUNCS = set("""
save savez savez_compressed savetxt load loadtxt genfromtxt fromfile frombuffer fromiter
fromstring fromregex fromfunction from_dlpack array2string array_repr array_str base_repr
binary_repr format_float_positional format_float_scientific set_printoptions
get_printoptions printoptions setbufsize getbufsize seterr geterr seterrcall geterrcall
info show_config show_runtime test get_include busday_count busday_offset is_busday
datetime_as_string datetime_data nested_iters asmatrix bmat require copyto place put
put_along_axis putmask fill_diagonal frompyfunc apply_along_axis apply_over_axes
vectorize errstate
""".split())


def _install_norule():
    g = globals()
    for name in dir(_np):
        if name.startswith("_") or name in _PASSTHROUGH_FUNCS:
            continue
        obj = getattr(_np, name)
        if not callable(obj) or isinstance(obj, type):
            continue
        if g.get(name) is not obj:  # already ours
            continue
        p = _Primitive(obj, name="numpy." + name)  # no rules: traced input -> MissingRuleError
        NORULE["numpy." + name] = p
        g[name] = p


_install_norule()

# `from numpy import *` bound numpy's own fft/linalg/random; replace them with ours.
from . import fft, linalg, random  # noqa: E402,F401,F811

# The families call one another's functions (sum's rule broadcasts, broadcast_to's rule
# sums): each gets the finished package as ``cnp`` here, instead of importing the package
# while it is being built, so that chainrule's modules have no import cycle.
from . import (  # noqa: E402
    _composite_helpers, calculus, convert, convolution, extra, indexing, interpolation,
    order_statistics, polynomial_fit, polynomials, products, reductions, statistics,
)
from .linalg import _helpers as _linalg_helpers  # noqa: E402

_self = _sys.modules[__name__]
for _family in (_wrap, _composite_helpers, calculus, convert, convolution, extra, fft, indexing,
                interpolation, order_statistics, polynomial_fit, polynomials, products,
                reductions, statistics, _linalg_helpers,
                _sys.modules[__name__ + ".shape"]):  # `shape` here is the function
    _family.cnp = _self
_box._install(_self)
# np.mean([a, b]) with traced a, b: the primitives' retry (Primitive.__call__)
_Primitive.sequences_to_arrays = staticmethod(_wrap.sequences_to_arrays)
# A real value's cotangent and tangent are real, whatever path a rule takes (the
# backward sweep and forward mode project with these)
_set_complex_hooks(_wrap.is_complex, _wrap.real_part)
# Beside the ufuncs (defprim): the primitives of every model's hot path whose output
# is real and whose rules compute in real arithmetic when their arguments are real
# (Primitive.keeps_real; a complex constant argument is caught by the trace itself).
for _p in (reductions.sum, reductions.mean_p, reductions.prod, reductions.cumsum,
           reductions.cumprod, reductions.max, reductions.min, _sys.modules[__name__ + ".shape"]
           ._reshape_p, _sys.modules[__name__ + ".shape"].transpose_p,
           _sys.modules[__name__ + ".shape"].broadcast_to_p,
           _sys.modules[__name__ + ".shape"].concatenate_p, indexing.getitem_p,
           products.matmul_p, products.matvec_p, products.einsum_p):
    _p.keeps_real = True


def classify(name):
    """Which group a public NumPy name is in: 'primitive', 'composite',
    'nondiff', 'norule' or 'passthrough' (types, constants, I/O, configuration:
    NumPy's own objects); ``ValueError`` for a name that is in neither NumPy nor
    chainrule.numpy.

    >>> classify("sin"), classify("mean"), classify("argmax"), classify("float64")
    ('primitive', 'composite', 'nondiff', 'passthrough')
    """
    if name.startswith("_") or (name not in globals() and not hasattr(_np, name)):
        raise ValueError(f"chainrule.numpy.classify: {name!r} is not a public name of NumPy "
                         "or chainrule.numpy")
    obj = globals().get(name)
    key = "numpy." + name
    if isinstance(obj, _Primitive) and key in PRIMITIVES:
        return "primitive"
    if key in COMPOSITES:
        return "composite"
    if key in NONDIFF:
        return "nondiff"
    if key in NORULE:
        return "norule"
    return "passthrough"


# autograd.numpy's own names (make_diagonal, metadata...) and its modules numpy_vjps,
# numpy_jvps, numpy_wrapper, for code written for autograd: looked up in
# chainrule.autograd_compat on first use (chainrule itself never needs them).
_COMPAT = {name: "numpy_wrapper" for name in (
    "make_diagonal", "metadata", "numpy_version", "wrap_namespace", "array_from_args",
    "concatenate_args", "wrap_intdtype", "wrap_if_boxes_inside", "notrace_functions",
    "parse_einsum_input")}
_COMPAT_MODULES = ("numpy_vjps", "numpy_jvps", "numpy_wrapper", "numpy_boxes", "numpy_vspaces")


def __getattr__(name):
    import importlib
    if name in _COMPAT_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _COMPAT.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("chainrule.autograd_compat." + module), name)
    globals()[name] = value
    return value
