"""chainrule's core: tracing (:mod:`.trace`), containers (:mod:`.tree`) and
errors (:mod:`.errors`), plus what HIPS autograd's ``autograd.core`` offers, so
that ``from chainrule.core import make_vjp, vspace, defvjp`` works as
``from autograd.core import ...`` does.

As in autograd, :func:`make_vjp` and :func:`make_jvp` here are the *unary*
building blocks (``make_vjp(fun, x)``); the n-ary versions with ``argnum``
are ``chainrule.make_vjp`` / ``chainrule.make_jvp``.

>>> vjp, ans = make_vjp(lambda x: 3.0 * x * x, 2.0)
>>> float(ans), float(vjp(1.0))
(12.0, 12.0)
>>> float(make_jvp(lambda x: x ** 3, 2.0)(1.0)[1])
12.0

``trace`` is not among them: ``chainrule.core.trace`` is the tracing module;
autograd's ``trace`` function is ``chainrule.tracer.trace``.

The autograd names are resolved lazily, on first use: the core itself
(``trace``, ``tree``, ``errors``) must import without NumPy and without the
rest of chainrule.
"""

# name -> module (relative to the chainrule package) that defines it
_LAZY = {
    # autograd.core's extension API
    "primitive": ("extend", "primitive_with_deprecation_warnings"),
    "primitive_with_deprecation_warnings": ("extend", None),
    "defvjp": ("extend", None),
    "defvjp_argnum": ("extend", None),
    "defvjp_argnums": ("extend", None),
    "defjvp": ("extend", None),
    "defjvp_argnum": ("extend", None),
    "defjvp_argnums": ("extend", None),
    "def_linear": ("extend", None),
    "primitive_vjps": ("extend", None),
    "primitive_jvps": ("extend", None),
    "notrace_primitive": ("extend", None),
    "register_notrace": ("extend", None),
    "SparseObject": ("extend", None),
    "VSpace": ("vspace", None),
    "vspace": ("vspace", None),
    # autograd.tracer's names, which autograd.core re-exports
    "Box": ("core.trace", None),
    "getval": ("core.trace", None),
    "isbox": ("core.trace", None),
    "Primitive": ("core.trace", None),
    "MissingRuleError": ("core.errors", None),
    "Node": ("tracer", None),
    "VJPNode": ("tracer", None),
    "JVPNode": ("tracer", None),
    "new_box": ("tracer", None),
    "backward_pass": ("tracer", None),
    "toposort": ("util", None),
    "func": ("util", None),
    "subval": ("util", None),
    "subvals": ("util", None),
}


def __getattr__(name):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    import importlib
    value = getattr(importlib.import_module("chainrule." + module), attr or name)
    globals()[name] = value  # resolve once
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def make_vjp(fun, x):
    """autograd's unary ``make_vjp``: ``vjp, ans = make_vjp(fun, x)``.

    ``vjp(g)`` pulls the output cotangent ``g`` back to ``x`` (``x`` may be a
    tuple, list or dict of arrays) and may be called many times.
    """
    from ..transforms import _vjp_engine
    ans, pullback = _vjp_engine(fun, x)

    def vjp(g):
        return pullback(g)
    return vjp, ans


def make_jvp(fun, x):
    """autograd's unary ``make_jvp``: ``make_jvp(fun, x)(v) == (fun(x), J v)``."""
    from ..transforms import _jvp_engine

    def jvp(g):
        return _jvp_engine(fun, x, g)
    return jvp


def add_outgrads(prev_g_flagged, g):
    """autograd's gradient accumulator: ``(prev + g, True)``; ``prev`` may be ``None``."""
    if prev_g_flagged:
        return prev_g_flagged[0] + g, True
    return g, False


def sum_outgrads(gs):
    """Sum of the gradients ``gs`` (``None`` when empty)."""
    total = None
    for g in gs:
        total = g if total is None else total + g
    return total
