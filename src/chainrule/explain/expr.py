"""A tiny formula language for the command line, parsed by whitelist (never ``eval``).

``"z = w1*x + w0; y1 = sin(z); y2 = cos(z)"`` is read with Python's
:mod:`ast` and every node is checked against an explicit allow-list:
numbers, names, ``+ - * / **``, unary minus and calls, by name, of the math
functions below. Anything else (attributes, indexing, imports, lambdas,
comprehensions, strings, keyword arguments, dunder names, unknown
functions) is rejected with an :class:`ExpressionError` saying what and
where. The accepted formula becomes a straight list of ``chainrule.numpy``
calls; identical sub-expressions are computed once, so ``sin(w1*x + w0)``
and ``cos(w1*x + w0)`` share ``w1*x + w0`` as in the lecture's trace.
"""

import ast
import inspect
import math

import numpy as _np

from .. import numpy as _cnp

MAX_LENGTH = 10_000
#: the size budget of ``chainrule trace`` (``--max-elements``): the most numbers that a
#: formula's values may hold together, checked from the shapes before computing
MAX_ELEMENTS = 1_000_000

UNARY = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
         "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
         "cbrt", "square", "abs", "reciprocal", "sinc", "sum", "mean"]
BINARY = ["arctan2", "hypot", "logaddexp", "maximum", "minimum", "power", "dot"]
ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2",
           "ln": "log", "max": "maximum", "min": "minimum", "pow": "power"}
FUNCTIONS = {n: 1 for n in UNARY} | {n: 2 for n in BINARY}
_BINOPS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide",
           ast.Pow: "power"}
_REJECTED = {
    ast.Attribute: "attribute access ('.name')", ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Import: "import", ast.ImportFrom: "import", ast.JoinedStr: "f-strings",
    ast.IfExp: "conditional expressions", ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'", ast.NamedExpr: "':='", ast.List: "lists", ast.Tuple: "tuples",
    ast.Dict: "dicts", ast.Set: "sets", ast.Starred: "'*' unpacking",
    ast.FunctionDef: "function definitions", ast.ClassDef: "class definitions",
    ast.AugAssign: "augmented assignment ('+=')", ast.AnnAssign: "annotations",
}


class ExpressionError(ValueError):
    """A formula outside the allowed language; the message says what and where."""


def _fail(node, what):
    where = f" (line {node.lineno}, column {node.col_offset + 1})" if hasattr(node, "lineno") \
        else ""
    raise ExpressionError(f"chainrule: {what}{where}. Allowed: numbers, input names, "
                          "+ - * / **, and calls of " + ", ".join(sorted(FUNCTIONS)) + ".")


class _Compiler:
    def __init__(self, inputs):
        self.fixed = inputs is not None
        self.inputs = list(inputs or [])
        self.assigned = {}  # name -> ref
        self.used = set()
        self.steps = []  # (function name, refs)
        self.cse = {}

    def name(self, node):
        n = node.id
        if n.startswith("_"):
            _fail(node, f"names starting with '_' are not allowed ({n!r})")
        if n in FUNCTIONS or n in ALIASES:
            _fail(node, f"{n!r} is a function: call it, as in {n}(x)")
        self.used.add(n)
        if n in self.assigned:
            return self.assigned[n]
        if n not in self.inputs:
            if self.fixed:
                e = ExpressionError(f"chainrule: name {n!r} has no value (the inputs are "
                                    f"{', '.join(self.inputs) or 'none'})")
                e.missing = n
                raise e
            self.inputs.append(n)
        return ("in", n)

    def step(self, fname, refs):
        key = (fname, tuple(refs))
        if key not in self.cse:
            self.steps.append((fname, tuple(refs)))
            self.cse[key] = ("step", len(self.steps) - 1)
        return self.cse[key]

    def expr(self, node):
        t = type(node)
        if t is ast.Constant:
            v = node.value
            if type(v) not in (int, float):
                _fail(node, f"only numbers are allowed as constants, not {type(v).__name__}")
            try:
                x = float(v)
            except OverflowError:
                x = math.inf
            if not math.isfinite(x):  # 1e400 or a 400-digit integer: not a 64-bit float
                what = f"a {len(str(abs(v)))}-digit integer" if type(v) is int else \
                    "a number beyond about 1.8e308"
                raise ExpressionError(f"chainrule: the constant at column {node.col_offset + 1}"
                                      f" is {what}, too large for a 64-bit float")
            return ("const", x)
        if t is ast.Name:
            return self.name(node)
        if t is ast.BinOp:
            op = _BINOPS.get(type(node.op))
            if op is None:
                hint = "use ** for powers; " if type(node.op) is ast.BitXor else ""
                _fail(node, f"{hint}the operator {type(node.op).__name__} is not allowed")
            return self.step(op, [self.expr(node.left), self.expr(node.right)])
        if t is ast.UnaryOp:
            if type(node.op) is ast.UAdd:
                return self.expr(node.operand)
            if type(node.op) is ast.USub:
                return self.step("negative", [self.expr(node.operand)])
            _fail(node, f"the operator {type(node.op).__name__} is not allowed")
        if t is ast.Call:
            if type(node.func) is not ast.Name:
                what = _REJECTED.get(type(node.func))
                _fail(node, f"{what} is not allowed" if what else
                      "only allowed functions may be called, by their plain name")
            if node.func.id.startswith("_"):
                _fail(node, f"names starting with '_' are not allowed ({node.func.id!r})")
            fn = ALIASES.get(node.func.id, node.func.id)
            if fn not in FUNCTIONS:
                _fail(node, f"unknown function {node.func.id!r}")
            if node.keywords:
                _fail(node, "keyword arguments are not allowed")
            if any(type(a) is ast.Starred for a in node.args):
                _fail(node, "'*' unpacking is not allowed")
            if len(node.args) != FUNCTIONS[fn]:
                _fail(node, f"{fn} takes {FUNCTIONS[fn]} argument(s), not {len(node.args)}")
            return self.step(fn, [self.expr(a) for a in node.args])
        _fail(node, f"{_REJECTED.get(t, type(node).__name__)} is not allowed")

    def statement(self, st, outputs):
        t = type(st)
        if t is ast.Expr:
            outputs.append((None, self.expr(st.value)))
            return
        if t is not ast.Assign:
            _fail(st, f"{_REJECTED.get(t, type(st).__name__)} is not allowed; write "
                      "'name = formula' or a formula")
        if len(st.targets) != 1 or type(st.targets[0]) is not ast.Name:
            _fail(st, "assign to one plain name at a time")
        target = st.targets[0]
        ref = self.expr(st.value)
        n = target.id
        if n.startswith("_") or n in FUNCTIONS or n in ALIASES:
            _fail(target, f"cannot assign to {n!r}")
        if n in self.assigned or n in self.inputs or n in self.used:
            _fail(target, f"{n!r} already has a value; use a new name")
        self.assigned[n] = ref
        outputs.append((n, ref))


class Program:
    """A checked formula, callable like a function of its inputs.

    >>> p = compile_expression("y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)")
    >>> p.inputs, p.output_names, len(p.steps)
    (['w1', 'x', 'w0'], ['y1', 'y2'], 4)
    >>> round(float(p(w0=0.0, w1=1.0, x=0.0)[1]), 6)
    1.0
    """

    def __init__(self, source, inputs, outputs, steps):
        self.source = source
        self.inputs = inputs
        self.outputs = outputs  # [(name, ref)]
        self.output_names = [n for n, _ in outputs]
        self.steps = steps
        self.__name__ = "f"
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in inputs])

    def __call__(self, *args, **kwargs):
        env = self.__signature__.bind(*args, **kwargs).arguments
        missing = [n for n in self.inputs if n not in env]
        if missing:
            raise TypeError(f"chainrule: no value for {', '.join(missing)}")
        vals = []

        def get(ref):
            kind, v = ref
            return v if kind == "const" else env[v] if kind == "in" else vals[v]
        for fname, refs in self.steps:
            vals.append(getattr(_cnp, fname)(*[get(r) for r in refs]))
        outs = tuple(get(r) for _, r in self.outputs)
        return outs[0] if len(outs) == 1 else outs

    def __repr__(self):
        return f"<chainrule formula {self.source!r}>"

    def check_size(self, values, max_elements=MAX_ELEMENTS):
        """Refuse, from the shapes alone, a point where the values would hold more than
        ``max_elements`` numbers together; return that total.

        ``values``: ``{input name: value}``. Every step's shape is worked out
        (broadcasting, ``sum``/``mean`` to a scalar, ``dot``) before anything is
        computed, so that a 60,000-vector times a 20,000×1 column is refused
        instead of allocating 9 GiB. Shapes that do not fit together raise an
        :class:`ExpressionError` too.

        >>> p = compile_expression("y = x * z")
        >>> p.check_size({"x": _np.ones(3), "z": _np.ones((2, 1))})  # 3 + 2 + 2×3
        11
        >>> p.check_size({"x": _np.ones(60000), "z": _np.ones((20000, 1))})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        chainrule.explain.expr.ExpressionError: chainrule: multiply of shapes (60000,) and ...
        """
        shapes = {n: _np.shape(values[n]) for n in self.inputs if n in values}
        total = sum(math.prod(sh) for sh in shapes.values())
        done = []

        def shape(ref):
            kind, v = ref
            return () if kind == "const" else shapes[v] if kind == "in" else done[v]

        for fname, refs in self.steps:
            args = [shape(r) for r in refs]
            try:
                out = _step_shape(fname, args)
            except ValueError:
                raise ExpressionError(f"chainrule: {fname} of shapes "
                                      f"{' and '.join(map(str, args))}: the shapes do not fit "
                                      "together") from None
            done.append(out)
            size = math.prod(out)
            total += size
            if total > max_elements:
                raise ExpressionError(
                    f"chainrule: {fname} of shapes {' and '.join(map(str, args))} gives shape "
                    f"{out} ({size:,} numbers); the formula's values would hold {total:,} "
                    f"numbers or more, over the size budget of {max_elements:,} (chainrule "
                    "trace --max-elements N): use smaller inputs")
        return total


def _step_shape(fname, shapes):
    """The shape of ``fname`` applied to arguments of ``shapes`` (ValueError: no fit)."""
    if fname in ("sum", "mean"):
        return ()
    if fname == "dot":
        a, b = shapes
        if not a or not b:  # a scalar: elementwise
            return a or b
        if a[-1] != (b[0] if len(b) == 1 else b[-2]):
            raise ValueError("dot: not aligned")
        return a[:-1] if len(b) == 1 else a[:-1] + b[:-2] + b[-1:]
    return tuple(_np.broadcast_shapes(*shapes))


def compile_expression(source, inputs=None):
    """Check ``source`` against the whitelist and return a callable :class:`Program`.

    ``inputs`` fixes the input names and their order (default: order of first use).

    >>> compile_expression("__import__('os')")
    Traceback (most recent call last):
    ...
    chainrule.explain.expr.ExpressionError: chainrule: names starting with '_' are not allowed ...
    """
    if not isinstance(source, str):
        raise TypeError("chainrule: the formula must be a string")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"chainrule: the formula is longer than {MAX_LENGTH} characters")
    text = source.replace("×", "*").replace("·", "*").replace("−", "-").replace("÷", "/")
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as e:
        raise ExpressionError(f"chainrule: not a valid formula: {e.msg} "
                              f"(column {e.offset})") from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ExpressionError(f"chainrule: the formula cannot be read ({type(e).__name__}: "
                              "too deeply nested or invalid)") from None
    if not tree.body:
        raise ExpressionError("chainrule: the formula is empty")
    c = _Compiler(inputs)
    stated = []
    try:
        for st in tree.body:
            c.statement(st, stated)
    except RecursionError:
        raise ExpressionError("chainrule: the formula is too deeply nested") from None
    taken = set(c.inputs) | set(c.assigned)
    outputs = [(n, r) for n, r in stated if n is None or n not in c.used]
    bare = [i for i, (n, _) in enumerate(outputs) if n is None]
    for k, i in enumerate(bare):
        base = next(b for b in ("y", "f", "out", "result") if b not in taken and not any(
            t.startswith(b) and t[len(b):].isdigit() for t in taken)) if bare else "y"
        outputs[i] = (base if len(bare) == 1 else f"{base}{k + 1}", outputs[i][1])
    return Program(source, c.inputs, outputs, c.steps)
