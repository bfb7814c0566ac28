"""Drop-in compatibility with HIPS autograd's public API.

Three parts:

1. every name of autograd's public API, importable from the module autograd
   has it in (``chainrule`` for ``autograd``, ``chainrule.extend`` for
   ``autograd.extend``...);
2. tests ported from autograd's own test suite (tests/test_core.py,
   test_wrappers.py, test_direct.py, test_builtins.py, test_dict.py,
   test_list.py, test_tuple.py, test_complex.py, test_misc.py,
   test_flatten.py, test_jacobian.py, test_vspaces.py, test_logic.py,
   test_graphs.py, test_binary_ops.py, test_tests.py), with the imports
   changed to chainrule; where a port needs something chainrule does
   differently, an ``xfail(strict=True)`` test says what;
3. the extension API (primitive, defvjp, defjvp, ..., custom_vjp/custom_jvp)
   under every transform, with containers, batched Jacobians and nesting;
   and, when autograd is installed, cross-checks against autograd itself.
"""

import importlib
import itertools as it
import operator as op
import warnings
from functools import partial, reduce

import numpy as onp
import numpy.random as npr
import pytest

import chainrule.numpy as np
from chainrule import (
    checkpoint, deriv, elementwise_grad, grad, grad_and_aux, hessian, hessian_tensor_product,
    hessian_vector_product, holomorphic_grad, jacfwd, jacobian, jacrev, make_hvp, make_jvp,
    make_vjp, multigrad_dict, tensor_jacobian_product, value_and_grad, vector_jacobian_product,
)
from chainrule.builtins import dict as ag_dict
from chainrule.builtins import isinstance as ag_isinstance
from chainrule.builtins import list as ag_list
from chainrule.builtins import tuple as ag_tuple
from chainrule.core.errors import MissingRuleError
from chainrule.extend import (
    Box, VSpace, custom_jvp, custom_vjp, def_linear, defjvp, defjvp_argnum, defjvp_argnums,
    defvjp, defvjp_argnum, defvjp_argnums, notrace_primitive, primitive, register_notrace,
    vspace,
)
from chainrule.misc import const_graph, flatten
from chainrule.test_util import check_grads, combo_check
from chainrule.tracer import getval, isbox

# ----------------------------------------------------------------------------
# autograd.test_util's helpers as autograd writes them (through vspace), for
# the ports; chainrule.test_util's own are tested in
# test_test_util_has_autograd_helpers.
# ----------------------------------------------------------------------------

TOL = 1e-6
RTOL = 1e-6


def scalar_close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def check_equivalent(x, y):
    x_vs, y_vs = vspace(x), vspace(y)
    assert x_vs == y_vs, f"VSpace mismatch:\nx: {x_vs}\ny: {y_vs}"
    v = x_vs.randn()
    assert scalar_close(x_vs.inner_prod(x, v), x_vs.inner_prod(y, v)), \
        f"Value mismatch:\nx: {x}\ny: {y}"


@pytest.fixture(autouse=True)
def _seed():
    npr.seed(1)


# ============================================================================
# 1. The public API is there
# ============================================================================

AUTOGRAD_TOPLEVEL = [
    "grad", "elementwise_grad", "make_vjp", "make_jvp", "make_hvp", "hessian_tensor_product",
    "hessian_vector_product", "grad_and_aux", "value_and_grad", "deriv", "holomorphic_grad",
    "checkpoint", "tensor_jacobian_product", "vector_jacobian_product", "multigrad_dict",
    "jacobian", "hessian", "grad_named",
]

MODULE_NAMES = {
    "chainrule.extend": [
        "primitive", "defvjp", "defjvp", "defvjp_argnum", "defjvp_argnum", "defvjp_argnums",
        "defjvp_argnums", "def_linear", "Box", "VSpace", "vspace", "notrace_primitive",
        "register_notrace", "SparseObject", "VJPNode", "JVPNode", "custom_vjp", "custom_jvp",
    ],
    "chainrule.core": [
        "make_vjp", "make_jvp", "vspace", "VSpace", "defvjp", "defjvp", "defvjp_argnum",
        "defjvp_argnum", "defvjp_argnums", "defjvp_argnums", "def_linear", "primitive", "Box",
        "VJPNode", "JVPNode", "Node", "backward_pass", "getval", "isbox", "toposort",
        "primitive_vjps", "primitive_jvps", "SparseObject", "add_outgrads", "sum_outgrads",
        "func", "subval", "subvals",
    ],
    "chainrule.tracer": [
        "trace", "Node", "primitive", "notrace_primitive", "register_notrace", "getval", "isbox",
        "new_box", "Box", "toposort", "find_top_boxed_args",
    ],
    "chainrule.wrap_util": ["unary_to_nary", "wraps", "get_name", "wrap_nary_f", "get_doc"],
    "chainrule.builtins": [
        "tuple", "list", "dict", "isinstance", "type", "SequenceBox", "DictBox",
        "SequenceVSpace", "DictVSpace", "ContainerVSpace", "NamedTupleVSpace",
    ],
    "chainrule.util": ["subvals", "subval", "func", "toposort", "quick_grad_check"],
    "chainrule.misc": ["flatten", "const_graph"],
    "chainrule.misc.flatten": ["flatten", "flatten_func"],
    "chainrule.misc.tracers": ["const_graph", "full_graph"],
    "chainrule.misc.optimizers": ["sgd", "adam", "rmsprop", "unflatten_optimizer"],
    "chainrule.misc.fixed_points": ["fixed_point"],
    "chainrule.test_util": ["check_grads", "combo_check"],
    "chainrule.vspace": ["ArrayVSpace", "ComplexArrayVSpace", "VSpace", "vspace"],
}


@pytest.mark.parametrize("name", AUTOGRAD_TOPLEVEL)
def test_toplevel_names(name):
    import chainrule
    assert callable(getattr(chainrule, name))


@pytest.mark.parametrize("module,name", [(m, n) for m, ns in MODULE_NAMES.items() for n in ns])
def test_module_names(module, name):
    assert hasattr(importlib.import_module(module), name)


def test_core_reexports_are_lazy():
    # chainrule.core must stay NumPy-free: its autograd names are looked up on first
    # use, so that chainrule.core itself imports only its own modules.
    import ast
    import chainrule.core
    tree = ast.parse(open(chainrule.core.__file__).read())
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(isinstance(n, ast.ImportFrom) and n.level == 1 for n in imports)
    assert chainrule.core.vspace is importlib.import_module("chainrule.vspace").vspace


# --- things of autograd's API that live in files this layer does not own ----

def test_toplevel_builtins_and_primitive():
    import chainrule.builtins
    from chainrule import dict, isinstance, list, primitive, tuple, type
    assert (dict, isinstance, list, tuple, type) == (
        ag_dict, ag_isinstance, ag_list, ag_tuple, chainrule.builtins.type)
    # isinstance and type look through a traced value to the value inside
    seen = []

    def f(x):
        seen.append((isinstance(x, onp.ndarray), type(x)))
        return np.sum(x ** 2)
    grad(f)(onp.ones(2))
    assert seen == [(True, onp.ndarray)]
    assert isinstance((1.0,), tuple) and not isinstance([1.0], tuple)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)

        @primitive
        def twice(x):
            return 2.0 * x
        twice.defgrad(lambda ans, x: lambda g: 3.0 * g)  # a deliberately wrong rule
    assert grad(lambda x: twice(x))(1.0) == 3.0  # the rule is used, not traced through


def _make_explicit_ggnvp(f, g=lambda x: 0.5 * np.dot(x, x)):
    def ggnvp_maker(x):
        J, H = jacobian(f)(x), hessian(g)(f(x))
        return lambda v: np.dot(J.T, np.dot(H, np.dot(J, v)))
    return ggnvp_maker


@pytest.mark.parametrize("g", [None, lambda y: np.sum(2.0 * y ** 2 + y ** 4)],
                         ids=["default-g", "g"])
def test_make_ggnvp(g):
    # autograd's test_make_ggnvp and test_make_ggnvp_nondefault_g
    from chainrule import make_ggnvp
    A, x, v = npr.randn(5, 4), npr.randn(4), npr.randn(4)
    for fun in (lambda x: np.dot(A, x), lambda x: np.tanh(np.dot(A, x))):
        explicit = _make_explicit_ggnvp(fun) if g is None else _make_explicit_ggnvp(fun, g)
        ours = make_ggnvp(fun) if g is None else make_ggnvp(fun, g)
        check_equivalent(ours(x)(v), explicit(x)(v))


def test_test_util_has_autograd_helpers():
    from chainrule.test_util import check_equivalent, scalar_close
    assert scalar_close(1.0, 1.0 + 1e-9) and not scalar_close(1.0, 1.01)
    check_equivalent({"a": onp.ones(2)}, {"a": onp.ones(2) + 1e-9})
    with pytest.raises(AssertionError):
        check_equivalent(onp.ones(2), onp.array([1.0, 1.5]))


def test_check_grads_argnum_keyword():
    def fun(d, x):
        return d.get("item_1", x) ** 2
    check_grads(fun, argnum=(0, 1))({"item_1": 3.0}, 2.0)


def test_numpy_submodules():
    import chainrule.vspace
    from chainrule.core.engine import Box as CoreBox
    vspaces = importlib.import_module("chainrule.numpy.numpy_vspaces")
    boxes = importlib.import_module("chainrule.numpy.numpy_boxes")
    assert vspaces.ArrayVSpace is chainrule.vspace.ArrayVSpace
    assert vspace(onp.ones(2)) == vspaces.ArrayVSpace(onp.ones(2))
    assert isinstance(vspace(onp.ones(2, complex)), vspaces.ComplexArrayVSpace)
    assert boxes.ArrayBox is CoreBox
    # unbroadcast_f sums a cotangent back to its target's shape
    g = boxes.unbroadcast_f(onp.ones(3), lambda g: 2.0 * g)(onp.ones((2, 3)))
    onp.testing.assert_array_equal(g, [4.0, 4.0, 4.0])


def test_differential_operators_module():
    import chainrule
    ops = importlib.import_module("chainrule.differential_operators")
    for name in AUTOGRAD_TOPLEVEL + ["make_ggnvp", "make_jvp_reversemode"]:
        assert getattr(ops, name) is getattr(chainrule, name), name


# ============================================================================
# 2. Ports of autograd's tests
# ============================================================================

# --- tests/test_core.py: core.make_vjp + wrap_util.unary_to_nary, no numpy ---

def _core_grad():
    from chainrule.core import make_vjp as core_make_vjp
    from chainrule.wrap_util import unary_to_nary

    @unary_to_nary
    def core_grad(fun, x):
        vjp, _ = core_make_vjp(fun, x)
        return vjp(1.0)
    return core_grad


def nd(f, x, eps=1e-4):
    return (f(x + eps / 2) - f(x - eps / 2)) / eps


def check_close(a, b, atol=1e-4, rtol=1e-4):
    assert abs(a - b) < atol + rtol * abs(b), f"Diffs are: {a - b}"


def check_binary_func(fun, independent=False):
    core_grad = _core_grad()
    with warnings.catch_warnings(record=independent):
        x, y = 0.7, 1.8
        check_close(core_grad(fun)(x, y), nd(lambda x: fun(x, y), x))
        check_close(core_grad(fun, 1)(x, y), nd(lambda y: fun(x, y), y))


@pytest.mark.parametrize("fun,independent", [
    (lambda x, y: x + y, False), (lambda x, y: x - y, False), (lambda x, y: x / y, False),
    (lambda x, y: x * y, False), (lambda x, y: x ** y, False), (lambda x, y: x % y, False),
    (lambda x, y: x == y, True), (lambda x, y: x != y, True), (lambda x, y: x <= y, True),
    (lambda x, y: x >= y, True), (lambda x, y: x < y, True), (lambda x, y: x > y, True),
], ids=["add", "sub", "div", "mul", "pow", "mod", "eq", "neq", "leq", "geq", "lt", "gt"])
def test_core_binary(fun, independent):
    check_binary_func(fun, independent)


# --- tests/test_direct.py ----------------------------------------------------

def test_direct_grad():
    def fun(x):
        return (x + np.sin(x**2)) * x
    assert 3.190948746871 - 1e-6 < grad(fun)(1.3) < 3.190948746871 + 1e-6


def test_direct_deriv():
    def fun(x):
        return (x + np.sin(x**2)) * x
    assert 3.190948746871 - 1e-6 < deriv(fun)(1.3) < 3.190948746871 + 1e-6


def test_direct_grad_complex_output():
    with pytest.raises(TypeError):
        grad(lambda x: x * (1.0 + 0.2j))(1.0)


def test_direct_holomorphic_grad():
    g = holomorphic_grad(lambda x: x * (1.0 + 0.2j))(1.0 + 0.0j)
    assert 0.9999 < onp.real(g) < 1.0001
    assert 0.1999 < onp.imag(g) < 0.2001


# --- tests/test_wrappers.py --------------------------------------------------

def test_return_both():
    fun = lambda x: 3.0 * x**3.2
    f, d = value_and_grad(fun)(1.7)
    assert f == fun(1.7)
    assert d == grad(fun)(1.7)


def test_value_and_grad():
    fun = lambda x: np.sum(np.sin(x) ** 2)
    dfun, dfun_both = grad(fun), value_and_grad(fun)
    x = npr.randn(5)
    assert not isbox(dfun_both(x)[0])
    check_equivalent(fun(x), dfun_both(x)[0])
    check_equivalent(dfun(x), dfun_both(x)[1])
    check_grads(lambda x: dfun_both(x)[0])(x)


def test_hessian():
    H = npr.randn(5, 5)
    fun = lambda x: np.dot(np.dot(x, H), x)
    check_equivalent(hessian(fun)(npr.randn(5)), H + H.T)


def _complicated_fun(a, b, c, d, e, f=1.1, g=9.0):
    return a + np.sin(b) + np.cosh(c) + np.cos(d) + np.tan(e) + f + g


def test_multigrad():
    A, B, C, D, E, F, G = 0.5, -0.3, 0.2, -1.1, 0.7, 0.6, -0.1

    def complicated_fun_3_1(d_b):
        d, b = d_b
        return _complicated_fun(A, b, C, d, E, f=F, g=G)

    wrapped = grad(_complicated_fun, argnum=[3, 1])(A, B, C, D, E, f=F, g=G)
    check_equivalent(wrapped, grad(complicated_fun_3_1)((D, B)))


def test_value_and_multigrad():
    A, B, C, D, E, F, G = 0.5, -0.3, 0.2, -1.1, 0.7, 0.6, -0.1
    dfun = grad(_complicated_fun, argnum=[3, 1])
    dfun_both = value_and_grad(_complicated_fun, argnum=[3, 1])
    check_equivalent(_complicated_fun(A, B, C, D, E, f=F, g=G),
                     dfun_both(A, B, C, D, E, f=F, g=G)[0])
    check_equivalent(dfun(A, B, C, D, E, f=F, g=G), dfun_both(A, B, C, D, E, f=F, g=G)[1])


def test_multigrad_onearg():
    fun = lambda x, y: np.sum(x + np.sin(y))
    packed_fun = lambda xy: np.sum(xy[0] + np.sin(xy[1]))
    A, B = npr.randn(3), npr.randn(3)
    check_equivalent(grad(fun, argnum=[0])(A, B), (grad(packed_fun)((A, B))[0],))


def test_elementwise_grad():
    def simple_fun(a):
        return a + np.sin(a) + np.cosh(a)
    A = npr.randn(10)
    explicit = np.array([grad(simple_fun)(A[i]) for i in range(len(A))])
    check_equivalent(elementwise_grad(simple_fun)(A), explicit)


def test_elementwise_grad_multiple_args():
    def simple_fun(a, b):
        return a + np.sin(a) + np.cosh(b)
    A, B = 0.9, npr.randn(10)
    explicit = np.array([grad(simple_fun, 1)(A, B[i]) for i in range(len(B))])
    check_equivalent(elementwise_grad(simple_fun, 1)(A, B), explicit)


def test_hessian_tensor_product():
    fun = lambda a: np.sum(np.sin(a))
    a, v = npr.randn(5), npr.randn(5)
    check_equivalent(np.dot(hessian(fun)(a), v), hessian_tensor_product(fun)(a, v))


def test_hvp():
    fun = lambda a: np.sum(np.sin(a))
    a, v = npr.randn(5), npr.randn(5)
    hvp = make_hvp(fun)(a)[0]
    check_equivalent(np.dot(hessian(fun)(a), v), hvp(v))


def test_hessian_matrix_product():
    fun = lambda a: np.sum(np.sin(a))
    a, V = npr.randn(5, 4), npr.randn(5, 4)
    check_equivalent(np.tensordot(hessian(fun)(a), V), hessian_tensor_product(fun)(a, V))


def test_hessian_tensor_product_3d():
    fun = lambda a: np.sum(np.sin(a))
    a, V = npr.randn(5, 4, 3), npr.randn(5, 4, 3)
    check_equivalent(np.tensordot(hessian(fun)(a), V, axes=np.ndim(V)),
                     hessian_vector_product(fun)(a, V))


def test_tensor_jacobian_product_vector():
    fun = lambda a: np.roll(np.sin(a), 1)
    a, V = npr.randn(5), npr.randn(5)
    check_equivalent(np.dot(V.T, jacobian(fun)(a)), tensor_jacobian_product(fun)(a, V))


def test_matrix_jacobian_product():
    fun = lambda a: np.roll(np.sin(a), 1)
    a, V = npr.randn(5, 4), npr.randn(5, 4)
    check_equivalent(np.tensordot(V, jacobian(fun)(a)), vector_jacobian_product(fun)(a, V))


def test_tensor_jacobian_product_fewer_axes():
    fun = lambda a: np.roll(np.sin(a), 1)
    a, V = npr.randn(5, 4, 3), npr.randn(5, 4)
    J = jacobian(fun)(a)
    check_equivalent(np.tensordot(V, J, axes=np.ndim(V)), tensor_jacobian_product(fun)(a, V))


def test_deprecated_defgrad_wrapper():
    from chainrule.core import primitive as core_primitive

    @core_primitive
    def new_mul(x, y):
        return x * y

    with pytest.warns(DeprecationWarning, match="defgrad is deprecated") as w:
        new_mul.defgrad(lambda ans, x, y: lambda g: y * g)
        new_mul.defgrad(lambda ans, x, y: lambda g: x * g, argnum=1)
    assert len(w) == 2
    check_grads(new_mul, modes=["rev"])(npr.randn(2, 2), npr.randn(2, 2))


def test_deprecated_defvjp_wrapper():
    from chainrule.core import primitive as core_primitive

    @core_primitive
    def new_mul(x, y):
        return x * y

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        new_mul.defvjp(lambda g, ans, vs, gvs, x, y: y * g)
        new_mul.defvjp(lambda g, ans, vs, gvs, x, y: x * g, argnum=1)
    assert len(w) == 2
    check_grads(new_mul, modes=["rev"])(npr.randn(2, 2), npr.randn(2, 2))


def test_deprecated_defvjp_is_zero_wrapper():
    from chainrule.core import primitive as core_primitive

    @core_primitive
    def new_mul(x, y):
        return 0 * x * y

    with pytest.warns(DeprecationWarning, match="defvjp_is_zero is deprecated"):
        new_mul.defvjp_is_zero([0, 1])
    assert grad(lambda x: np.sum(new_mul(x, 3.0)))(onp.ones(2)).tolist() == [0.0, 0.0]
    check_grads(new_mul, modes=["rev"])(npr.randn(2, 2), npr.randn(2, 2))


def test_deprecated_quick_grad_check_wrapper():
    from chainrule.extend import defvjp, primitive
    from chainrule.test_util import GradientCheckError
    from chainrule.util import quick_grad_check
    with pytest.warns(DeprecationWarning, match="quick_grad_check is deprecated"):
        quick_grad_check(lambda x, y: x**2 + y, 1.0, (2.0,))

    @primitive
    def wrong_square(x):
        return x ** 2
    defvjp(wrong_square, lambda ans, x: lambda g: g * x)  # should be 2 x
    with pytest.warns(DeprecationWarning), pytest.raises(GradientCheckError):
        quick_grad_check(lambda x, y: wrong_square(x) + y, 1.0, (2.0,))


def test_partial():
    # autograd's test only builds grad(partial(...)); this one calls it
    assert grad(partial(lambda x, y: x * y, y=3.0))(2.0) == 3.0
    assert grad(partial(lambda x, y: x * y, 2.0))(5.0) == 2.0


def test_dtypes():
    def f(x):
        return np.real(np.sum(x**2))
    assert grad(f)(npr.randn(10, 10).astype(np.float32)).dtype.type is np.float32
    assert grad(f)(npr.randn(10, 10).astype(np.float16)).dtype.type is np.float16
    x = npr.randn(10, 10).astype(np.longdouble)
    g = grad(f)(x)
    assert g.dtype.type is np.longdouble and np.allclose(g, 2 * x)
    z = (npr.randn(10, 10) + 1j * npr.randn(10, 10)).astype(np.clongdouble)
    g = grad(f)(z)  # autograd's convention: the VJP of z**2 is g * 2z
    assert g.dtype.type is np.clongdouble and np.allclose(g, 2 * z)


def test_checkpoint_correctness():
    bar = lambda x, y: 2 * x + y + 5
    checkpointed_bar = checkpoint(bar)
    foo = lambda x: bar(x, x / 3.0) + bar(x, x**2)
    foo2 = lambda x: checkpointed_bar(x, x / 3.0) + checkpointed_bar(x, x**2)
    assert np.allclose(foo(3.0), foo2(3.0))
    assert np.allclose(grad(foo)(3.0), grad(foo2)(3.0))

    baz = lambda *args: sum(args)
    checkpointed_baz = checkpoint(baz)
    assert np.allclose(grad(lambda x: baz(x, x / 3.0))(3.0),
                       grad(lambda x: checkpointed_baz(x, x / 3.0))(3.0))


def test_make_jvp():
    A, x, v = npr.randn(3, 5), npr.randn(5), npr.randn(5)
    fun = lambda x: np.tanh(np.dot(A, x))
    check_equivalent(np.dot(jacobian(fun)(x), v), make_jvp(fun)(x)(v)[1])


def test_grad_and_aux():
    A, x = npr.randn(5, 4), npr.randn(4)
    f = lambda x: (np.sum(np.dot(A, x)), x**2)
    g = lambda x: np.sum(np.dot(A, x))
    assert len(grad_and_aux(f)(x)) == 2
    check_equivalent(grad_and_aux(f)(x)[0], grad(g)(x))
    check_equivalent(grad_and_aux(f)(x)[1], x**2)


def test_wrapped_name_and_docs():
    def foo(x):
        pass
    assert grad.__name__ == "grad"
    assert grad.__doc__.startswith(("\n    Returns a function which", "\nReturns a function which"))
    assert grad(foo, 1).__name__ == "grad_of_foo_wrt_argnum_1"
    assert grad(foo, 1).__doc__.startswith("    grad of function foo with")
    assert jacobian(foo).__name__ == "jacobian_of_foo_wrt_argnum_0"
    assert hessian(foo, (0, 1)).__name__ == "hessian_of_foo_wrt_argnum_(0, 1)"


# --- tests/test_builtins.py, test_dict.py, test_list.py, test_tuple.py --------

def test_builtins_isinstance():
    def checker(ex, type_, truthval):
        assert ag_isinstance(ex, type_) == truthval
        return 1.0

    examples = [
        [list, [[]], [()]],
        [np.ndarray, [np.zeros(1)], [[]]],
        [(tuple, list), [[], ()], [np.zeros(1)]],
    ]
    for type_, positive_examples, negative_examples in examples:
        for ex in positive_examples:
            checker(ex, type_, True)
            grad(checker)(ex, type_, True)
        for ex in negative_examples:
            checker(ex, type_, False)
            grad(checker)(ex, type_, False)


def _dict_input():
    return {"item_1": npr.randn(5, 6), "item_2": npr.randn(4, 3), "item_X": npr.randn(2, 4)}


def test_dict_getter():
    def fun(input_dict):
        return (np.sum(input_dict["item_1"]) + np.sum(input_dict["item_2"])
                + np.sum(input_dict["item_2"]))
    result = grad(fun)(_dict_input())
    assert np.allclose(result["item_1"], np.ones((5, 6)))
    assert np.allclose(result["item_2"], 2 * np.ones((4, 3)))
    assert np.allclose(result["item_X"], np.zeros((2, 4)))


def test_dict_grads():
    def fun(input_dict):
        return np.sum(np.sin(input_dict["item_1"])) + np.sum(np.cos(input_dict["item_2"]))

    def d_fun(input_dict):
        g = grad(fun)(input_dict)
        return np.sum(g["item_1"]) + np.sum(np.sin(g["item_1"])) + np.sum(np.sin(g["item_2"]))

    check_grads(fun)(_dict_input())
    check_grads(d_fun)(_dict_input())


def test_dict_iter_items_values_keys():
    def fun(input_dict):
        A, B = 0.0, 0.0
        for i, (_k, v) in enumerate(sorted(input_dict.items(), key=op.itemgetter(0))):
            A = A + np.sum(np.sin(v)) * (i + 1.0)
            B = B + np.sum(np.cos(v))
        for v in input_dict.values():
            A = A + np.sum(np.sin(v))
        for k in sorted(input_dict.keys()):
            A = A + np.sum(np.cos(input_dict[k]))
        return A + B

    def d_fun(input_dict):
        g = grad(fun)(input_dict)
        return np.sum(g["item_1"]) + np.sum(np.sin(g["item_1"])) + np.sum(np.sin(g["item_2"]))

    check_grads(fun)(_dict_input())
    check_grads(d_fun)(_dict_input())


def test_dict_get():
    def fun(d, x):
        return d.get("item_1", x) ** 2
    check_grads(fun, argnums=(0, 1))({"item_1": 3.0}, 2.0)
    check_grads(fun, argnums=(0, 1))({"item_2": 4.0}, 2.0)
    check_grads(fun, argnums=(1,))({}, 2.0)


def test_make_dict():
    check_grads(lambda x: ag_dict([("a", x)], b=x), modes=["rev"])(1.0)
    check_grads(lambda x: ag_dict({"a": x}), modes=["rev"])(1.0)
    ag_dict()
    ag_dict(())
    ag_dict({})


def test_dict_isinstance():
    def fun(x):
        assert ag_isinstance(x, dict)
        assert ag_isinstance(x, ag_dict)
        return x["x"]
    fun({"x": 1.0})
    grad(fun)({"x": 1.0})


def test_list_getter_and_grads():
    def fun(input_list):
        return np.sum(input_list[0]) + np.sum(input_list[1]) + np.sum(input_list[1])
    input_list = [npr.randn(5, 6), npr.randn(4, 3), npr.randn(2, 4)]
    result = grad(fun)(input_list)
    assert isinstance(result, list)
    assert np.allclose(result[0], np.ones((5, 6)))
    assert np.allclose(result[1], 2 * np.ones((4, 3)))
    assert np.allclose(result[2], np.zeros((2, 4)))

    def fun2(input_list):
        return np.sum(np.sin(input_list[0])) + np.sum(np.cos(input_list[1]))

    def d_fun(input_list):
        g = grad(fun2)(input_list)
        return np.sum(g[0]) + np.sum(np.sin(g[0])) + np.sum(np.sin(g[1]))
    check_grads(fun2)(input_list)
    check_grads(d_fun)(input_list)


def test_make_list():
    check_grads(lambda x: ag_list([x, x ** 2]), modes=["rev"])(1.5)
    assert ag_isinstance([], ag_list) and not ag_isinstance((), ag_list)


def test_tuple_getter():
    def fun(input_tuple):
        return np.sum(input_tuple[0]) + np.sum(input_tuple[1]) + np.sum(input_tuple[1])
    result = grad(fun)((npr.randn(5, 6), npr.randn(4, 3), npr.randn(2, 4)))
    assert np.allclose(result[0], np.ones((5, 6)))
    assert np.allclose(result[1], 2 * np.ones((4, 3)))
    assert np.allclose(result[2], np.zeros((2, 4)))


def test_tuple_nested_higher_order():
    def outer_fun(x):
        def inner_fun(y):
            return y[0] * y[1]
        return np.sum(np.sin(np.array(grad(inner_fun)(ag_tuple((x, x))))))
    check_grads(outer_fun)(5.0)
    check_grads(grad(outer_fun))(10.0)
    check_grads(grad(grad(outer_fun)))(10.0)


def test_tuple_isinstance():
    def fun(x):
        assert ag_isinstance(x, tuple)
        assert ag_isinstance(x, ag_tuple)
        return x[0]
    fun((1.0, 2.0, 3.0))
    grad(fun)((1.0, 2.0, 3.0))


# --- tests/test_complex.py ---------------------------------------------------

def test_complex_real_type():
    df = grad(lambda x: np.sum(np.real(x)))
    assert np.isrealobj(df(2.0))
    assert np.iscomplexobj(df(1.0j))


@pytest.mark.parametrize("fun,x", [
    (np.angle, 0.7), (np.angle, 0.3 + 0.4j), (np.abs, 1.1), (np.abs, 1.1 + 1.2j)])
def test_complex_angle_abs(fun, x):
    check_grads(fun)(x)
    check_grads(lambda x: grad(fun)(x))(x)


# --- tests/test_misc.py, test_flatten.py -------------------------------------

def test_const_graph():
    L = []

    def foo(x, y):
        L.append(None)
        return grad(lambda x: np.sin(x) + x * 2)(x * y)

    foo_wrapped = const_graph(foo)
    assert len(L) == 0
    assert scalar_close(foo(0.0, 0.0), foo_wrapped(0.0, 0.0))
    assert len(L) == 2
    assert scalar_close(foo(1.0, 0.5), foo_wrapped(1.0, 0.5))
    assert len(L) == 3
    assert scalar_close(foo(1.0, 0.5), foo_wrapped(1.0, 0.5))
    assert len(L) == 4


def test_const_graph_args():
    from chainrule.tracer import primitive as tracer_primitive
    L = []

    @tracer_primitive
    def process(var, varname):
        L.append(varname)
        return var

    def foo(x, y, z):
        x = process(x, "x")
        y = process(y, "y")
        z = process(z, "z")
        return x + 2 * y + 3 * z

    foo_wrapped = const_graph(foo, 1.0, z=3.0)
    assert L == []
    assert scalar_close(foo(1.0, 2.0, 3.0), foo_wrapped(2.0))
    assert L == ["x", "y", "z", "x", "y", "z"]
    L[:] = []
    assert scalar_close(foo(1.0, 2.0, 3.0), foo_wrapped(2.0))
    assert L == ["x", "y", "z", "y"]


def test_const_graph_is_differentiable():
    f = const_graph(lambda x, y: np.sum(np.sin(x) * y))
    x, y = npr.randn(3), npr.randn(3)
    f(x, y)  # trace
    assert np.allclose(grad(f)(x + 1.0, y), np.cos(x + 1.0) * y)


def test_misc_flatten():
    r = npr.randn
    x = (1.0, r(2, 3), [r(1, 4), {"x": 2.0, "y": r(4, 2)}])
    x_flat, unflatten = flatten(x)
    assert x_flat.shape == (20,)
    assert x_flat[0] == 1.0
    assert np.all(x_flat == flatten(unflatten(x_flat))[0])

    y = (1.0, 2.0, [3.0, {"x": 2.0, "y": 4.0}])
    y_flat, unflatten = flatten(y)
    assert y_flat.shape == (5,)
    assert y == unflatten(y_flat)


def test_flatten_nested_and_empty():
    val = (npr.randn(4), [npr.randn(3, 4), 2.5], (), (2.0, [1.0, npr.randn(2)]))
    vect, unflatten = flatten(val)
    assert np.all(vect == flatten(unflatten(vect))[0])


def test_flatten_dict():
    val = {"k": npr.random((4, 4)), "k2": npr.random((3, 3)), "k3": 3.0, "k4": [1.0, 4.0, 7.0]}
    vect, unflatten = flatten(val)
    assert np.all(vect == flatten(unflatten(vect))[0])


def test_flatten_complex():
    val = 2 + 3j
    vect, unflatten = flatten(val)
    assert np.all(vect == np.array([2 + 3j]))
    assert unflatten(vect) == val


def test_flatten_is_differentiable():
    def loss(params):
        flat, unflatten = flatten(params)
        p = unflatten(flat * 2.0)
        return np.sum(flat ** 2) + np.sum(p["w"] * p["b"])
    params = {"w": npr.randn(3), "b": npr.randn(3)}
    check_grads(loss)(params)


# --- tests/test_jacobian.py --------------------------------------------------

def test_jacobian_against_grad():
    fun = lambda x: np.sum(np.sin(x), axis=1, keepdims=True)
    A = npr.randn(1, 3)
    assert np.allclose(grad(fun)(A), jacobian(fun)(A))


def test_jacobian_scalar_to_vector():
    fun = lambda x: np.array([x, x**2, x**3])
    val = npr.randn()
    assert np.allclose(jacobian(fun)(val), np.array([1.0, 2 * val, 3 * val**2]))


def test_jacobian_against_stacked_grads():
    scalar_funs = [
        lambda x: np.sum(x**3),
        lambda x: np.prod(np.sin(x) + np.sin(x)),
        lambda x: grad(lambda y: np.exp(y) * np.tanh(x[0]))(x[1]),
    ]
    vector_fun = lambda x: np.array([f(x) for f in scalar_funs])
    x = npr.randn(5)
    assert np.allclose(jacobian(vector_fun)(x), np.vstack([grad(f)(x) for f in scalar_funs]))


def test_jacobian_higher_order():
    fun = lambda x: np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))
    assert jacobian(fun)(npr.randn(2)).shape == (2, 2, 2)
    assert jacobian(jacobian(fun))(npr.randn(2)).shape == (2, 2, 2, 2)
    check_grads(lambda x: np.sum(np.sin(jacobian(fun)(x))))(npr.randn(2))
    check_grads(lambda x: np.sum(np.sin(jacobian(jacobian(fun))(x))))(npr.randn(2))


# --- tests/test_vspaces.py ---------------------------------------------------

def check_vspace(value):
    vs = vspace(value)
    size, add, scalar_mul, inner_prod = vs.size, vs.add, vs.scalar_mul, vs.inner_prod
    randn, zeros, ones, standard_basis = vs.randn, vs.zeros, vs.ones, vs.standard_basis

    def randns(N=2):
        return [randn() for i in range(N)]

    def rand_scalar():
        return float(npr.randn())

    def vector_close(x, y):
        z = randn()
        return scalar_close(inner_prod(z, x), inner_prod(z, y))

    x, y, z = randns(3)
    a, b = rand_scalar(), rand_scalar()
    assert vector_close(add(x, add(y, z)), add(add(x, y), z))
    assert vector_close(add(x, y), add(y, x))
    assert vector_close(add(zeros(), x), x)
    assert vector_close(zeros(), add(x, scalar_mul(x, -1.0)))
    assert vector_close(scalar_mul(x, a * b), scalar_mul(scalar_mul(x, a), b))
    assert vector_close(scalar_mul(x, 1.0), x)
    assert vector_close(scalar_mul(add(x, y), a), add(scalar_mul(x, a), scalar_mul(y, a)))
    assert vector_close(scalar_mul(x, a + b), add(scalar_mul(x, a), scalar_mul(x, b)))
    assert vs == vspace(add(x, y))
    assert vs == vspace(scalar_mul(x, a))
    assert scalar_close(inner_prod(x, y), inner_prod(y, x))
    assert scalar_close(inner_prod(scalar_mul(x, a), y), a * inner_prod(x, y))
    assert 0 < inner_prod(x, x)
    assert scalar_close(0, inner_prod(zeros(), zeros()))
    basis = list(standard_basis())
    assert all(scalar_close(inner_prod(u, w), 1.0 * (iu == iw))
               for (iu, u), (iw, w) in it.product(enumerate(basis), enumerate(basis)))
    assert vector_close(reduce(add, basis), ones())
    assert len(basis) == size
    assert all(vs == vspace(u) for u in basis)
    assert vs == vspace(zeros()) and vs == vspace(ones()) and vs == vspace(randn())
    # the vector operations are differentiable
    check_grads(add)(*randns())
    check_grads(scalar_mul)(randn(), rand_scalar())
    check_grads(inner_prod)(*randns())


@pytest.mark.parametrize("value", [
    onp.zeros((3, 2)), 0.0, 1.0j * onp.zeros((2, 1)), [1.0, onp.zeros((2, 1))],
    (1.0, onp.zeros((2, 1))), {"a": 1.0, "b": onp.zeros((2, 1))},
    {"x": [0.0, onp.zeros((3, 1))], "y": ({"a": 0.0}, [0.0])},
], ids=["array", "0-dim", "complex", "list", "tuple", "dict", "mixed"])
def test_vspace(value):
    check_vspace(value)


def test_vspace_attributes():
    vs = vspace(onp.zeros((2, 3), dtype=onp.float32))
    assert (vs.shape, vs.size, vs.ndim, vs.dtype, vs.iscomplex) == ((2, 3), 6, 2, onp.float32,
                                                                     False)
    cvs = vspace(onp.ones(2, complex))
    assert cvs.iscomplex and cvs.size == 4
    assert np.allclose(cvs.covector(onp.array([1j, 2.0])), [-1j, 2.0])
    assert vspace(2.0) == vspace(onp.float64(1.0)) == vspace(onp.array(3.0))
    assert vspace((1.0, 2.0)).size == 2 and vspace({"a": onp.ones(3)}).size == 3
    assert vspace(Box(onp.ones(2), None, None)) == vspace(onp.ones(2))
    with pytest.raises(TypeError):
        vspace("not a vector")


def test_vspace_register():
    class Pair:
        def __init__(self, a, b):
            self.a, self.b = a, b

    class PairVSpace(VSpace):
        def __init__(self, value):
            self.n = 2

        def zeros(self):
            return Pair(0.0, 0.0)

    VSpace.register(Pair, PairVSpace)
    assert vspace(Pair(1.0, 2.0)).zeros().a == 0.0


# --- tests/test_logic.py -----------------------------------------------------

def test_assert():
    def fun(x):
        assert np.allclose(x, (x * 3.0) / 3.0)
        return np.sum(x)
    check_grads(fun)(np.array([1.0, 2.0, 3.0]))


def test_nograd():
    fun = lambda x: np.allclose(x, (x * 3.0) / 3.0)
    with pytest.raises(TypeError):
        grad(fun)(np.array([1.0, 2.0, 3.0]))


def test_no_vjp_def_raises_missing_rule():
    fun = primitive(lambda x: 2.0 * x)
    with pytest.raises(MissingRuleError):
        grad(fun)(1.0)
    with pytest.raises(MissingRuleError):
        deriv(fun)(1.0)


def test_no_vjp_def():
    fun = primitive(lambda x: 2.0 * x)
    with pytest.raises(NotImplementedError):
        grad(fun)(1.0)


def test_falseyness():
    fun = lambda x: np.real(x**2 if np.iscomplex(x) else np.sum(x))
    check_grads(fun)(2.0)
    check_grads(fun)(2.0 + 1j)


def test_unimplemented_falseyness():
    from chainrule.core import primitive_vjps
    vjpmaker = primitive_vjps.pop(np.iscomplex, None)
    try:
        fun = lambda x: np.real(x**2 if np.iscomplex(x) else np.sum(x))
        check_grads(fun)(5.0)
        check_grads(fun)(2.0 + 1j)
    finally:
        if vjpmaker:
            primitive_vjps[np.iscomplex] = vjpmaker


# --- tests/test_graphs.py ----------------------------------------------------

def test_grad_fanout():
    fun = lambda x: np.sin(np.sin(x) + np.sin(x))
    check_grads(fun)(npr.randn())
    check_grads(grad(fun))(npr.rand())


def test_grad_const():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.allclose(grad(lambda x: 1.0)(2.0), 0.0)


def test_grad_identity():
    fun = lambda x: x
    assert np.allclose(grad(fun)(2.0), 1.0)
    assert np.allclose(grad(grad(fun))(2.0), 0.0)


def test_hess_vector_prod():
    randv = npr.randn(10)
    fun = lambda x: np.sin(np.dot(x, randv))
    df = grad(fun)
    vector_product = lambda x, v: np.sin(np.dot(v, df(x)))
    check_grads(fun)(npr.randn(10))
    check_grads(vector_product)(npr.randn(10), npr.randn(10))


def test_enclosing_scope_ref():
    def fun(x):
        return x * grad(lambda y: x * y)(2.0)
    check_grads(fun)(1.0)

    def fun2(x):
        return x * grad(lambda y: y * x)(2.0)
    check_grads(fun2)(1.0)


def test_mutating_outgrad():
    def fun(a):
        b = a + 1.0
        c = b + 1.5
        d = a + b
        e = d + c
        return e
    check_grads(fun)(npr.randn(5))


def test_mutating_outgrad_from_indexing():
    def fun(a):
        b = a + 1.0
        c = b[0] + 1.5
        d = a + b
        e = d + c
        return e
    check_grads(fun)(npr.randn(5))


def test_complex_mutating_outgrad_from_indexing():
    def fun(a):
        b = a + 1.0j
        c = b[0] + 1.5
        d = a + b
        e = d + c
        return np.sum(np.sin(np.real(e)))
    A = npr.randn(5)
    check_grads(fun)(A)
    check_grads(lambda x: np.sum(np.sin(grad(fun)(x))))(A)


def test_complex_separate_real_and_imaginary():
    def fun(a):
        r, i = np.real(a), np.imag(a)
        a = np.abs(r) ** 1.4 + np.abs(i) ** 1.3
        return np.sum(np.sin(a))
    A = npr.randn(5, 3) + 0.1j * npr.randn(5, 3)
    check_grads(fun)(A)
    check_grads(lambda x: np.sum(np.sin(grad(fun)(x))))(A)


def test_third_derivative_other_args():
    fun = lambda x, y: np.sin(np.sin(x) + np.sin(y))
    for f in [fun, grad(fun), grad(fun, 1), grad(grad(fun, 1))]:
        check_grads(f)(npr.randn(), npr.randn())


@pytest.mark.parametrize("axis,keepdims,shape", [
    (None, True, (3, 3)), (0, True, (3, 1)), (1, True, (1, 3)), (0, False, (3, 1)),
    (1, False, (1, 3))])
def test_singleton_array_output(axis, keepdims, shape):
    fun = lambda x: np.sum(np.sin(x), axis=axis, keepdims=keepdims)
    check_grads(fun)(npr.randn(*shape))
    check_grads(lambda x: np.sum(grad(lambda y: np.sum(fun(y)))(x)))(npr.randn(*shape))


# --- tests/test_binary_ops.py ------------------------------------------------

def _arg_pairs():
    scalar, vector, mat, mat2 = 2.0, npr.randn(6), npr.randn(7, 6), npr.randn(1, 6)
    allargs = [scalar, vector, mat, mat2]
    return list(it.product(allargs, allargs))


@pytest.mark.parametrize("name", ["mul", "add", "sub", "div", "pow"])
def test_binary_ops(name):
    npr.seed(0)
    fun = {"mul": op.mul, "add": op.add, "sub": op.sub, "div": op.truediv, "pow": op.pow}[name]
    for arg1, arg2 in _arg_pairs():
        if name == "div":
            arg1, arg2 = onp.sqrt(arg1**2 + 0.5), onp.sqrt(arg2**2 + 0.5)
        if name == "pow":
            arg1, arg2 = onp.abs(arg1) + 1.1, onp.round(arg2)
        check_grads(fun)(arg1, arg2)


def test_combo_check():
    combo_check(np.sin, [0])([onp.array([0.1, 0.2]), 0.7])
    combo_check(lambda x, axis: np.sum(x ** 2, axis=axis), [0])([npr.randn(2, 3)], axis=[0, 1])


# --- tests/test_tests.py -----------------------------------------------------

def test_check_vjp_1st_order_fail():
    @primitive
    def foo(x):
        return x * 2.0
    defvjp(foo, lambda ans, x: lambda g: g * 2.001)
    with pytest.raises(AssertionError):
        check_grads(foo, modes=["rev"])(1.0)


def test_check_vjp_2nd_order_fail():
    @primitive
    def foo(x):
        return x * 2.0
    defvjp(foo, lambda ans, x: lambda g: bar(g) * 2)

    @primitive
    def bar(x):
        return x
    defvjp(bar, lambda ans, x: lambda g: g * 1.001)
    with pytest.raises(AssertionError):
        check_grads(foo, modes=["rev"])(1.0)


def test_check_grads_message():
    @primitive
    def foo(x):
        return x * 2.0
    defvjp(foo, lambda ans, x: lambda g: g * 2.001)
    with pytest.raises(AssertionError, match="\\(VJP\\) check of foo failed"):
        check_grads(foo, modes=["rev"])(1.0)


# ============================================================================
# 3. The extension API under every transform
# ============================================================================

def _rand_like(x):
    return npr.randn(*onp.shape(x))


# --- a primitive written with raw NumPy, rules autograd-style ---------------

@primitive
def _raw_logsumexp(x, axis=None):
    m = onp.max(x, axis=axis, keepdims=True)
    return onp.squeeze(m, axis=axis) + onp.log(onp.sum(onp.exp(x - m), axis=axis))


def _lse_vjp(ans, x, axis=None):
    a = ans if axis is None else np.expand_dims(ans, axis)
    return lambda g: (g if axis is None else np.expand_dims(g, axis)) * np.exp(x - a)


def _lse_jvp(g, ans, x, axis=None):
    a = ans if axis is None else np.expand_dims(ans, axis)
    return np.sum(g * np.exp(x - a), axis=axis)


defvjp(_raw_logsumexp, _lse_vjp)
defjvp(_raw_logsumexp, _lse_jvp)


def _ref_logsumexp(x, axis=None):
    return np.log(np.sum(np.exp(x), axis=axis))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_primitive_matches_composite_everywhere(axis):
    x = npr.randn(3, 4)
    f = lambda x: np.sin(_raw_logsumexp(x, axis=axis))
    r = lambda x: np.sin(_ref_logsumexp(x, axis=axis))
    for transform in (jacobian, jacfwd, jacrev, elementwise_grad, hessian):
        if transform is elementwise_grad or transform is hessian:
            ff, rr = (lambda x: np.sum(f(x))), (lambda x: np.sum(r(x)))
        else:
            ff, rr = f, r
        assert np.allclose(transform(ff)(x), transform(rr)(x)), transform
    check_grads(f, order=2)(x)


def test_primitive_call_without_trace_is_raw():
    assert _raw_logsumexp.fun is not None
    assert np.allclose(_raw_logsumexp(onp.zeros(3)), onp.log(3.0))
    assert _raw_logsumexp.__name__ == "_raw_logsumexp"


def test_defvjp_none_is_zero_and_argnums():
    @primitive
    def f(x, y, z):
        return x * y + z
    defvjp(f, lambda ans, x, y, z: lambda g: g * y, None)
    defvjp(f, lambda ans, x, y, z: lambda g: g, argnums=[2])
    x, y, z = npr.randn(3), npr.randn(3), npr.randn(3)
    gx, gy, gz = grad(lambda x, y, z: np.sum(f(x, y, z)), (0, 1, 2))(x, y, z)
    assert np.allclose(gx, y) and np.allclose(gy, 0) and np.allclose(gz, 1)
    assert np.allclose(jacrev(f, 1)(x, y, z), 0)
    # no JVP defined: forward mode derives it from the VJP (the transpose of g -> g * y)
    assert np.allclose(deriv(lambda x: np.sum(f(x, y, z)))(x), np.sum(y))
    assert np.allclose(jacfwd(f, 1)(x, y, z), 0)


def test_defjvp_same_none_and_def_linear():
    @primitive
    def scale(a, x):
        return a * x
    defjvp(scale, None, "same")
    a, x, t = 3.0, npr.randn(4), npr.randn(4)
    assert np.allclose(make_jvp(scale, 1)(a, x)(t)[1], a * t)
    assert np.allclose(jacfwd(scale, 1)(a, x), a * onp.eye(4))
    assert np.allclose(deriv(scale, 0)(a, x), 0)

    @primitive
    def bilinear(x, y):  # linear in each argument when the other is fixed
        return onp.outer(x, y)
    def_linear(bilinear)
    defvjp(bilinear, lambda ans, x, y: lambda g: np.dot(g, y), lambda ans, x, y: lambda g:
           np.dot(x, g))
    x, y = npr.randn(3), npr.randn(2)
    assert np.allclose(jacfwd(bilinear, 1)(x, y), jacobian(lambda y: np.outer(x, y))(y))
    check_grads(bilinear, order=2)(x, y)


def test_defvjp_argnum_and_argnums():
    @primitive
    def wsum(w, *xs):
        return sum(wi * xi for wi, xi in zip(w, xs, strict=True))

    def vjp_argnum(argnum, ans, args, kwargs):
        w, xs = args[0], args[1:]
        if argnum == 0:
            return lambda g: np.array([np.sum(g * x) for x in xs])
        return lambda g: g * w[argnum - 1]
    defvjp_argnum(wsum, vjp_argnum)
    defjvp_argnum(wsum, lambda argnum, g, ans, args, kwargs:
                  sum(gi * xi for gi, xi in zip(g, args[1:], strict=True)) if argnum == 0
                  else g * args[0][argnum - 1])
    w, a, b = npr.randn(2), npr.randn(3), npr.randn(3)
    check_grads(wsum, order=2)(w, a, b)
    assert np.allclose(jacobian(wsum, 0)(w, a, b), onp.stack([a, b], 1))

    @primitive
    def prod2(x, y):
        return x * y
    defvjp_argnums(prod2, lambda argnums, ans, args, kwargs:
                   lambda g: tuple(g * args[1 - i] for i in argnums))
    defjvp_argnums(prod2, lambda argnums, gs, ans, args, kwargs:
                   sum(g * args[1 - i] for i, g in zip(argnums, gs, strict=True)))
    x, y = npr.randn(4), npr.randn(4)
    check_grads(prod2, order=2)(x, y)
    assert np.allclose(hessian(lambda x: np.sum(prod2(x, x)))(x), 2 * onp.eye(4))


def test_container_arguments_and_outputs():
    @primitive
    def stats(xs):
        total = sum(onp.sum(v) for v in xs)
        return {"total": total, "squares": [v ** 2 for v in xs]}

    def stats_vjp(ans, xs):
        return lambda g: [g["total"] + 2 * v * gs for v, gs in zip(xs, g["squares"], strict=True)]

    def stats_jvp(g, ans, xs):
        return {"total": sum(np.sum(t) for t in g),
                "squares": [2 * v * t for v, t in zip(xs, g, strict=True)]}
    defvjp(stats, stats_vjp)
    defjvp(stats, stats_jvp)

    def f(a, b):
        out = stats([a, np.sin(b)])
        return out["total"] * out["squares"][1] + np.sum(out["squares"][0])

    def f_ref(a, b):
        xs = [a, np.sin(b)]
        return (np.sum(xs[0]) + np.sum(xs[1])) * xs[1] ** 2 + np.sum(xs[0] ** 2)

    a, b = npr.randn(2), npr.randn(3)
    for argnum in (0, 1):
        assert np.allclose(jacobian(f, argnum)(a, b), jacobian(f_ref, argnum)(a, b))
        assert np.allclose(jacfwd(f, argnum)(a, b), jacfwd(f_ref, argnum)(a, b))
    check_grads(f, order=2)(a, b)
    # the container output itself, as the output of a transform
    out, tangent = make_jvp(lambda a: stats([a, a]))(a)(onp.ones(2))
    assert np.allclose(tangent["total"], 4.0) and np.allclose(tangent["squares"][0], 2 * a)
    jac = jacobian(lambda a: stats((a, 2.0 * a)))(a)
    assert np.allclose(jac["squares"][1], onp.diag(8 * a))


def test_primitive_with_integer_and_object_outputs():
    @primitive
    def with_count(x):
        return onp.sum(x ** 2), len(x), "label"
    defvjp(with_count, lambda ans, x: lambda g: 2 * g[0] * x)
    x = npr.randn(3)

    def f(x):
        s, n, label = with_count(x)
        assert n == 3 and label == "label" and not isbox(n)
        return s / n
    assert np.allclose(grad(f)(x), 2 * x / 3)


def test_nested_derivatives_of_user_primitive():
    @primitive
    def cube(x):
        return x ** 3
    defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
    defjvp(cube, lambda g, ans, x: g * 3 * x ** 2)
    assert np.allclose(grad(grad(grad(cube)))(2.0), 6.0)
    assert np.allclose(deriv(deriv(cube))(2.0), 12.0)
    assert np.allclose(deriv(grad(cube))(2.0), 12.0)
    assert np.allclose(grad(deriv(cube))(2.0), 12.0)
    x = npr.randn(3)
    assert np.allclose(hessian(lambda x: np.sum(cube(x)))(x), onp.diag(6 * x))


def test_notrace_primitive_and_register_notrace():
    from chainrule.extend import VJPNode
    count = notrace_primitive(lambda xs: float(len(xs)))
    assert grad(lambda x: x * count([x, x]))(3.0) == 2.0

    @primitive
    def double(x):
        return 2.0 * x
    defvjp(double, lambda ans, x: lambda g: 2.0 * g)
    defjvp(double, lambda g, ans, x: 2.0 * g)
    register_notrace(VJPNode, double)
    assert grad(lambda x: double(x) + x)(1.0) == 1.0  # not traced in reverse mode
    assert deriv(lambda x: double(x) + x)(1.0) == 3.0  # still traced in forward mode


def test_primitive_as_method():
    class Scaler:
        def __init__(self, a):
            self.a = a

        @primitive
        def apply(self, x):
            return self.a * x
    defvjp(Scaler.apply, None, lambda ans, self, x: lambda g: self.a * g)
    assert grad(lambda x: Scaler(3.0).apply(x))(1.0) == 3.0


def test_primitive_vjps_registry():
    from chainrule.core import primitive_jvps, primitive_vjps

    @primitive
    def f(x):
        return x * 2.0
    defvjp(f, lambda ans, x: lambda g: 2.0 * g)
    assert f in primitive_vjps and f not in primitive_jvps
    saved = primitive_vjps.pop(f)
    with pytest.raises(MissingRuleError):
        grad(f)(1.0)
    primitive_vjps[f] = saved
    assert grad(f)(1.0) == 2.0


# --- tracer: autograd's node graphs ------------------------------------------

def test_trace_vjp_and_jvp_nodes():
    from chainrule.tracer import JVPNode, VJPNode, backward_pass, trace
    fun = lambda x: np.sin(x) * x
    value, node = trace(VJPNode.new_root(), fun, 0.5)
    assert np.allclose(value, fun(0.5))
    assert np.allclose(backward_pass(1.0, node), onp.cos(0.5) * 0.5 + onp.sin(0.5))
    value, node = trace(JVPNode.new_root(2.0), fun, 0.5)
    assert np.allclose(node.g, 2.0 * (onp.cos(0.5) * 0.5 + onp.sin(0.5)))
    with pytest.warns(UserWarning, match="independent"):
        trace(VJPNode.new_root(), lambda x: 1.0, 0.5)


def test_custom_node_tracer():
    from chainrule.misc.tracers import full_graph
    end = full_graph(lambda x, y: np.sin(x) * y, 1.0, 2.0)
    assert np.allclose(end.value, onp.sin(1.0) * 2.0)
    assert end.recipe[0] is np.multiply


def test_unary_to_nary_operator():
    from chainrule.core import make_vjp as core_make_vjp
    from chainrule.wrap_util import unary_to_nary

    @unary_to_nary
    def my_grad(fun, x):
        vjp, ans = core_make_vjp(fun, x)
        return vjp(vspace(ans).ones())

    f = lambda x, y: np.sum(x * np.sin(y))
    x, y = npr.randn(3), npr.randn(3)
    assert np.allclose(my_grad(f, 1)(x, y), x * np.cos(y))
    assert all(np.allclose(a, b) for a, b in zip(my_grad(f, (0, 1))(x, y),
                                                 grad(f, (0, 1))(x, y), strict=True))
    assert my_grad(f, 1).__name__ == "my_grad_of_<lambda>_wrt_argnum_1"


# --- JAX-style custom derivatives ---------------------------------------------

def test_custom_vjp_everywhere():
    @custom_vjp
    def f(x, y):
        return np.sin(x) * y

    def f_fwd(x, y):
        return f(x, y), (np.cos(x), np.sin(x), y)

    def f_bwd(res, g):
        cos_x, sin_x, y = res
        return g * cos_x * y, g * sin_x
    f.defvjp(f_fwd, f_bwd)
    ref = lambda x, y: np.sin(x) * y
    x, y = npr.randn(3), npr.randn(3)
    for argnum in (0, 1):
        for transform in (jacobian, jacrev, jacfwd):
            assert np.allclose(transform(f, argnum)(x, y), transform(ref, argnum)(x, y))
    assert np.allclose(hessian(lambda x: np.sum(f(x, y)))(x),
                       hessian(lambda x: np.sum(ref(x, y)))(x))
    check_grads(f, order=2)(x, y)
    assert f(1.0, 2.0) == ref(1.0, 2.0) and f.__name__ == "f"


def test_custom_vjp_is_used():
    @custom_vjp
    def clip_gradient(x):
        return x

    clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (np.clip(g, -1.0, 1.0),))
    assert grad(lambda x: 10.0 * clip_gradient(x))(2.0) == 1.0
    assert np.allclose(jacrev(lambda x: 10.0 * clip_gradient(x))(onp.ones(2)), onp.eye(2))


def test_custom_vjp_nondiff_and_containers():
    @partial(custom_vjp, nondiff_argnums=(0,))
    def apply(n, xs):
        return {"s": xs[0] * n + xs[1]}

    apply.defvjp(lambda n, xs: (apply(n, xs), None),
                 lambda n, res, g: ((g["s"] * n, g["s"]),))
    a, b = npr.randn(2), npr.randn(2)
    ga, gb = grad(lambda a, b: np.sum(apply(3.0, (a, b))["s"]), (0, 1))(a, b)
    assert np.allclose(ga, 3.0) and np.allclose(gb, 1.0)


def test_custom_jvp_everywhere():
    @custom_jvp
    def h(x, y):
        return np.exp(x) * y

    @h.defjvp
    def h_jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        ans = h(x, y)
        return ans, ans * tx + np.exp(x) * ty
    ref = lambda x, y: np.exp(x) * y
    x, y = npr.randn(3), npr.randn(3)
    for argnum in (0, 1):
        for transform in (jacobian, jacrev, jacfwd):
            assert np.allclose(transform(h, argnum)(x, y), transform(ref, argnum)(x, y))
    check_grads(h, order=2)(x, y)

    @custom_jvp
    def k(x):
        return np.sin(x)
    k.defjvps(lambda g, ans, x: g * np.cos(x))
    check_grads(k, order=2)(npr.randn(3))


def test_custom_jvp_without_rule_raises():
    @custom_jvp
    def k(x):
        return x
    assert k(2.0) == 2.0
    with pytest.raises(MissingRuleError):
        grad(k)(2.0)


# --- containers through every transform ----------------------------------------

def test_output_is_an_input():
    assert grad(lambda t: t[0])((1.0, 2.0, 3.0)) == (1.0, 0.0, 0.0)


def test_containers_in_and_out_of_transforms():
    params = {"W": npr.randn(3, 2), "b": (npr.randn(2), [0.5])}

    def f(p):
        return np.sum(np.tanh(np.dot(onp.ones(3), p["W"]) + p["b"][0])) * p["b"][1][0]

    g = grad(f)(params)
    assert set(g) == {"W", "b"} and isinstance(g["b"], tuple) and isinstance(g["b"][1], list)
    check_grads(f)(params)
    val, g2 = value_and_grad(f)(params)
    assert np.allclose(val, f(params)) and np.allclose(g2["W"], g["W"])
    vjp, ans = make_vjp(lambda p: [p["W"] * 2.0, p["b"][0]])(params)
    back = vjp([onp.ones((3, 2)), onp.ones(2)])
    assert np.allclose(back["W"], 2.0) and np.allclose(back["b"][0], 1.0)
    out, tangent = make_jvp(lambda p: (p["W"], p["b"][1][0] * 3.0))(params)(
        {"W": onp.ones((3, 2)), "b": (onp.zeros(2), [1.0])})
    assert np.allclose(tangent[1], 3.0)
    md = multigrad_dict(lambda a, b=2.0: a * b)(1.5)
    assert list(md) == ["a", "b"] and np.allclose(md["b"], 1.5)
    assert np.allclose(elementwise_grad(lambda t: t[0] * t[1])((onp.ones(2), onp.arange(2.0)))[0],
                       onp.arange(2.0))


def test_optimizers_and_fixed_point():
    from chainrule.misc.fixed_points import fixed_point
    from chainrule.misc.optimizers import adam, rmsprop, sgd
    target = {"w": onp.array([1.0, -2.0]), "b": 0.5}

    def loss_grad(p, i):
        return grad(lambda p: np.sum((p["w"] - target["w"]) ** 2) + (p["b"] - target["b"]) ** 2)(p)
    start = {"w": onp.zeros(2), "b": 0.0}
    for opt, kw in [(sgd, dict(num_iters=300, step_size=0.1)),
                    (adam, dict(num_iters=500, step_size=0.05)),
                    (rmsprop, dict(num_iters=500, step_size=0.01))]:
        res = opt(loss_grad, start, **kw)
        assert np.allclose(res["w"], target["w"], atol=0.05), opt
        assert np.allclose(res["b"], target["b"], atol=0.05), opt

    newton_sqrt = lambda a: lambda x: 0.5 * (x + a / x)
    dist = lambda x, y: np.max(np.abs(x - y))
    sqrt = lambda a: fixed_point(newton_sqrt, a, onp.ones_like(a), dist, 1e-12)
    a = onp.array([2.0, 9.0])
    assert np.allclose(sqrt(a), onp.sqrt(a))
    assert np.allclose(grad(lambda a: np.sum(sqrt(a)))(a), 0.5 / onp.sqrt(a))


# ============================================================================
# 4. Cross-checks against autograd itself (skipped when it is not installed)
# ============================================================================

def _both(builder):
    """Build the same function with autograd.numpy and chainrule.numpy."""
    anp = pytest.importorskip("autograd.numpy")
    return builder(anp), builder(np)


_FUNS = {
    "tanh_dot": lambda m: lambda x: m.sum(m.tanh(m.dot(m.ones((3, 4)), x)) ** 2),
    "logsumexp": lambda m: lambda x: m.log(m.sum(m.exp(x))) * m.prod(m.cos(x)),
    "index_concat": lambda m: lambda x: m.sum(m.concatenate([x[1:] * x[:-1], m.sin(x)])),
}


@pytest.mark.parametrize("name", sorted(_FUNS))
def test_against_autograd_transforms(name):
    ag = pytest.importorskip("autograd")
    f_ag, f_cr = _both(_FUNS[name])
    x = npr.randn(4)
    assert np.allclose(ag.grad(f_ag)(x), grad(f_cr)(x))
    assert np.allclose(ag.hessian(f_ag)(x), hessian(f_cr)(x))
    assert np.allclose(ag.elementwise_grad(f_ag)(x), elementwise_grad(f_cr)(x))
    v = npr.randn(4)
    assert np.allclose(ag.hessian_tensor_product(f_ag)(x, v), hessian_tensor_product(f_cr)(x, v))
    assert np.allclose(ag.make_hvp(f_ag)(x)[0](v), make_hvp(f_cr)(x)[0](v))
    assert np.allclose(ag.make_jvp(f_ag)(x)(v)[1], make_jvp(f_cr)(x)(v)[1])
    assert np.allclose(ag.deriv(lambda t: f_ag(x + t * v))(0.3),
                       deriv(lambda t: f_cr(x + t * v))(0.3))


def test_against_autograd_same_extension_code():
    """The same autograd extension code, run by both libraries."""
    pytest.importorskip("autograd")
    import autograd
    import autograd.extend as ag_extend
    import chainrule
    import chainrule.extend as cr_extend

    def build(extend, m):
        @extend.primitive
        def softplus(x):
            return onp.log1p(onp.exp(x))
        extend.defvjp(softplus, lambda ans, x: lambda g: g / (1.0 + m.exp(-x)))
        extend.defjvp(softplus, lambda g, ans, x: g / (1.0 + m.exp(-x)))
        return lambda x: m.sum(softplus(m.sin(x)) * x)

    import autograd.numpy as anp
    f_ag, f_cr = build(ag_extend, anp), build(cr_extend, np)
    x = npr.randn(5)
    for name in ("grad", "hessian", "jacobian", "elementwise_grad"):
        a = getattr(autograd, name)(f_ag)(x)
        c = getattr(chainrule, name)(f_cr)(x)
        assert np.allclose(a, c), name
    assert np.allclose(autograd.deriv(f_ag)(0.7), chainrule.deriv(f_cr)(0.7))


def test_against_autograd_containers():
    pytest.importorskip("autograd")
    import autograd
    import autograd.misc
    import autograd.numpy as anp

    def build(m):
        return lambda p: m.sum(m.sin(p["a"]) * p["b"][0]) + p["b"][1] ** 2
    p = {"a": npr.randn(3), "b": (npr.randn(3), 0.7)}
    ga = autograd.grad(build(anp))(p)
    gc = grad(build(np))(p)
    assert np.allclose(ga["a"], gc["a"]) and np.allclose(ga["b"][0], gc["b"][0])
    assert np.allclose(ga["b"][1], gc["b"][1])
    fa, ua = autograd.misc.flatten(p)
    fc, uc = flatten(p)
    assert np.allclose(fa, fc)
    assert np.allclose(getval(uc(fc * 2))["a"], ua(fa * 2)["a"])
