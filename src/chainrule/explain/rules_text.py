"""How each primitive is *written*: ``a4 = a2 × a3`` and its local chain-rule steps.

Only text lives here. ``ȧ6 = ȧ5 · cos(a5)`` and ``ā5 += ā6 · cos(a5)`` are
templates per primitive name; the numbers beside them always come from the
engine's own JVP/VJP rules (see :mod:`chainrule.explain.passes`). A primitive
without a template gets the generic ``∂op/∂a_i · ȧ_i`` / ``ā_k · ∂op/∂a_i``.
"""

ADD, MUL, NEG, POW, ATOM = 1, 2, 3, 4, 5  # precedence, loosest first

INFIX = {"add": (" + ", ADD), "subtract": (" − ", ADD), "multiply": (" × ", MUL),
         "divide": (" / ", MUL), "matmul": (" @ ", MUL), "power": ("^", POW)}
_ASSOCIATIVE = {"add", "multiply"}
_SHOWN_AS = {"absolute": "abs", "maximum": "max", "minimum": "min"}

# Unary primitives: (tangent term, adjoint term). {0}: the argument, {y}: this
# node, {d}: the argument's tangent ȧ, {g}: this node's adjoint ā, {kw}: options.
UNARY = {
    "sin": ("{d} · cos({0})", "{g} · cos({0})"),
    "cos": ("−{d} · sin({0})", "−{g} · sin({0})"),
    "tan": ("{d} · (1 + {y}^2)", "{g} · (1 + {y}^2)"),
    "exp": ("{d} · {y}", "{g} · {y}"),
    "exp2": ("{d} · {y} · ln 2", "{g} · {y} · ln 2"),
    "expm1": ("{d} · ({y} + 1)", "{g} · ({y} + 1)"),
    "log": ("{d} / {0}", "{g} / {0}"),
    "log1p": ("{d} / (1 + {0})", "{g} / (1 + {0})"),
    "log2": ("{d} / ({0} · ln 2)", "{g} / ({0} · ln 2)"),
    "log10": ("{d} / ({0} · ln 10)", "{g} / ({0} · ln 10)"),
    "sqrt": ("{d} / (2 · {y})", "{g} / (2 · {y})"),
    "cbrt": ("{d} / (3 · {y}^2)", "{g} / (3 · {y}^2)"),
    "square": ("2 · {0} · {d}", "{g} · 2 · {0}"),
    "reciprocal": ("−{d} · {y}^2", "−{g} · {y}^2"),
    "negative": ("−{d}", "−{g}"),
    "positive": ("{d}", "{g}"),
    "tanh": ("{d} · (1 − {y}^2)", "{g} · (1 − {y}^2)"),
    "sinh": ("{d} · cosh({0})", "{g} · cosh({0})"),
    "cosh": ("{d} · sinh({0})", "{g} · sinh({0})"),
    "arcsin": ("{d} / √(1 − {0}^2)", "{g} / √(1 − {0}^2)"),
    "arccos": ("−{d} / √(1 − {0}^2)", "−{g} / √(1 − {0}^2)"),
    "arctan": ("{d} / (1 + {0}^2)", "{g} / (1 + {0}^2)"),
    "arcsinh": ("{d} / √({0}^2 + 1)", "{g} / √({0}^2 + 1)"),
    "arccosh": ("{d} / √({0}^2 − 1)", "{g} / √({0}^2 − 1)"),
    "arctanh": ("{d} / (1 − {0}^2)", "{g} / (1 − {0}^2)"),
    "absolute": ("{d} · sign({0})", "{g} · sign({0})"),
    "sum": ("sum({d}{kw})", "broadcast({g})"),
    "mean": ("mean({d}{kw})", "broadcast({g}) / count"),
    "transpose": ("{d}ᵀ", "{g}ᵀ"),
    "reshape": ("reshape({d})", "reshape({g}, shape of {0})"),
    "broadcast_to": ("broadcast({d})", "unbroadcast({g})"),
    "getitem": ("{d}[{1}]", "scatter({g} into [{1}])"),
}

# Binary primitives: ((tangent term of arg 0, of arg 1), (adjoint term of arg 0, of arg 1)).
BINARY = {
    "add": (("{d}", "{d}"), ("{g}", "{g}")),
    "subtract": (("{d}", "−{d}"), ("{g}", "−{g}")),
    "multiply": (("{d} · {1}", "{0} · {d}"), ("{g} · {1}", "{g} · {0}")),
    "divide": (("{d} / {1}", "−{0} · {d} / {1}^2"), ("{g} / {1}", "−{g} · {0} / {1}^2")),
    "matmul": (("{d} @ {1}", "{0} @ {d}"), ("{g} @ {1}ᵀ", "{0}ᵀ @ {g}")),
    "power": (("{1} · {0}^({1} − 1) · {d}", "ln({0}) · {y} · {d}"),
              ("{g} · {1} · {0}^({1} − 1)", "{g} · ln({0}) · {y}")),
    "maximum": (("{d} · [{0} ≥ {1}]", "{d} · [{1} ≥ {0}]"),
                ("{g} · [{0} ≥ {1}]", "{g} · [{1} ≥ {0}]")),
    "minimum": (("{d} · [{0} ≤ {1}]", "{d} · [{1} ≤ {0}]"),
                ("{g} · [{0} ≤ {1}]", "{g} · [{1} ≤ {0}]")),
    "hypot": (("{d} · {0} / {y}", "{d} · {1} / {y}"), ("{g} · {0} / {y}", "{g} · {1} / {y}")),
    "logaddexp": (("{d} · exp({0} − {y})", "{d} · exp({1} − {y})"),
                  ("{g} · exp({0} − {y})", "{g} · exp({1} − {y})")),
}

# Other primitives, per argument: (tangent term, adjoint term).
BY_ARGUMENT = {
    ("where", 1): ("where({0}, {d}, 0)", "where({0}, {g}, 0)"),
    ("where", 2): ("where({0}, 0, {d})", "where({0}, 0, {g})"),
}

#: Elementwise primitives whose adjoints are summed back over broadcast axes.
BROADCASTING = set(BINARY) - {"matmul"} | {"where"}


def short_name(prim_name):
    """``"numpy.sin"`` -> ``"sin"``."""
    return prim_name.rsplit(".", 1)[-1]


def paren(text, prec, need):
    return f"({text})" if prec < need else text


def join_terms(terms):
    """Sum of terms, writing ``a + −b`` as ``a − b``; ``0`` when there are none."""
    if not terms:
        return "0"
    out = terms[0]
    for t in terms[1:]:
        out += f" − {t[1:]}" if t.startswith("−") else f" + {t}"
    return out


def _kw_text(kwargs):
    return "".join(f", {k}={v!r}" for k, v in kwargs.items() if v is not None and v is not False)


def eval_form(name, ops, kwargs=None):
    """Math form of a primitive call. ``ops`` is a list of ``(text, prec, op)``.

    Returns ``(text, prec, op)`` so that calls can nest with the right parentheses.

    >>> eval_form("add", [("a4", ATOM, None), ("a1", ATOM, None)])[0]
    'a4 + a1'
    """
    kwargs = kwargs or {}
    if name in INFIX and len(ops) == 2 and not kwargs:
        sym, p = INFIX[name]
        (lt, lp, lo), (rt, rp, ro) = ops
        left_ok = lp > p if name == "power" else lp >= p
        right_ok = rp >= p if name == "power" else (rp > p or (name in _ASSOCIATIVE and ro == name))
        return (lt if left_ok else f"({lt})") + sym + (rt if right_ok else f"({rt})"), p, name
    if name == "negative" and len(ops) == 1:
        t, p, _ = ops[0]
        return "−" + paren(t, p, POW), NEG, name
    texts = [t for t, _, _ in ops]
    if name == "getitem" and len(ops) == 2:
        return f"{paren(texts[0], ops[0][1], ATOM)}[{texts[1]}]", ATOM, name
    if name == "transpose" and texts[1:] in ([], ["None"]):
        return f"{paren(texts[0], ops[0][1], ATOM)}ᵀ", ATOM, name
    if name == "reshape" and len(texts) == 3 and texts[2] == "'C'":
        texts = texts[:2]
    if name == "concatenate" and len(texts) >= 2:
        return f"concatenate([{', '.join(texts[1:])}], axis={texts[0]})", ATOM, name
    fname = _SHOWN_AS.get(name, name)
    return f"{fname}({', '.join(texts)}{_kw_text(kwargs)})", ATOM, name


def _template(name, argnum, n_args, reverse):
    if name in UNARY and argnum == 0:
        return UNARY[name][1 if reverse else 0]
    if name in BINARY and n_args == 2:
        return BINARY[name][1 if reverse else 0][argnum]
    if (name, argnum) in BY_ARGUMENT:
        return BY_ARGUMENT[name, argnum][1 if reverse else 0]
    return None


def _power_const(exponent_text, reverse):
    """``n · x^(n − 1)`` with the exponent worked out when it is a number."""
    try:
        n = float(exponent_text)
    except ValueError:
        return None
    m = n - 1
    ms = f"{m:g}" if m >= 0 else f"({m:g})"
    base = "{0}" if m == 1 else "{0}^" + ms
    return ("{g} · %s · %s" % (exponent_text, base)) if reverse else \
        ("%s · %s · {d}" % (exponent_text, base))


def _tidy(text):
    """``1 · x`` -> ``x`` and ``−1 · x`` -> ``−x``."""
    for one, repl in (("1 · ", ""), ("−1 · ", "−")):
        if text.startswith(one):
            return repl + text[len(one):]
    return text


def tangent_term(name, argnum, ops, d, y, kwargs=None):
    """Contribution of argument ``argnum`` (tangent ``d``) to the tangent of this node.

    >>> tangent_term("sin", 0, ["a5"], "ȧ5", "a6")
    'ȧ5 · cos(a5)'
    """
    tpl = _template(name, argnum, len(ops), reverse=False)
    if name == "power" and argnum == 0 and len(ops) == 2:
        tpl = _power_const(ops[1], False) or tpl
    if tpl is None:
        return f"∂{short_name(name)}/∂{ops[argnum]} · {d}"
    return _tidy(tpl.format(*ops, d=d, y=y, kw=_kw_text(kwargs or {})))


def adjoint_term(name, argnum, ops, g, y, kwargs=None, shapes_differ=False):
    """Contribution ``ā_k · ∂a_k/∂a_i`` of node ``y`` (adjoint ``g``) to its argument ``argnum``.

    ``shapes_differ``: the argument was broadcast (its adjoint is summed back).

    >>> adjoint_term("cos", 0, ["a5"], "ā7", "a7")
    '−ā7 · sin(a5)'
    """
    tpl = _template(name, argnum, len(ops), reverse=True)
    if name == "sum" and not shapes_differ:
        tpl = "{g}"
    if name == "power" and argnum == 0 and len(ops) == 2:
        tpl = _power_const(ops[1], True) or tpl
    if tpl is None:
        return f"{g} · ∂{short_name(name)}/∂{ops[argnum]}"
    text = _tidy(tpl.format(*ops, g=g, y=y, kw=_kw_text(kwargs or {})))
    if shapes_differ and name in BROADCASTING:
        neg = text.startswith("−")
        text = ("−" if neg else "") + f"unbroadcast({text[1:] if neg else text})"
    return text
