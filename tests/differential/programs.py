"""Random NumPy programs, checked against finite differences and JAX; failures shrunk.

A program is a straight-line function ``f(np, sps, x0, x1, ...)`` of 3-25 operations
over chainrule's rule families (elementwise, reductions, shape ops, products, linalg,
scipy.special, complex numbers). ``np``/``sps`` are the array module and the special-
function module, so the same source runs on chainrule (``chainrule.numpy``), on NumPy
(finite differences) and on JAX (``jax.numpy`` with x64). Every value the program
computes that no later operation uses is an output (so every operation matters).

Everything comes from one integer seed: the program, its inputs, the weighting of the
scalar loss, the tangents and cotangents. ``check(seed)`` compares chainrule's ``grad``
(of ``sum(real(w * out))``), ``jvp`` and ``vjp`` (and, on every ``SECOND_ORDER_EVERY``-th
seed, ``hvp`` and ``hessian``) with

* central finite differences (Richardson-extrapolated, directional, in NumPy), always;
* JAX, when ``jax`` is importable.

Domains are guarded in the generator (``log(x*x + 1)``, ``inv(X X^T + I)``, tie-breaking
constants before ``max``/``std``/``abs``), and a program whose NumPy evaluation is not
finite or exceeds ``VALUE_CAP`` is redrawn (from the same seed). About one program in
eight is a *special-values* program: inputs hold exact 0, 1, -1, 2, sometimes NaN, and
scalar divisors may be 0.0; finite differences are skipped where the value is not
finite, and JAX is then the only oracle (NaN matching NaN).

On a failure, :func:`shrink` removes operations, outputs and inputs and simplifies the
input values while the same check (oracle and transform) still fails, and
:func:`reproducer` prints the result as a runnable Python script.

Run many programs: ``python -m tests.differential.programs --programs 20000``.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as onp
import scipy.special as osps

MAX_OPS = 25
MIN_OPS = 3
VALUE_CAP = 1e4          # |value| above this anywhere: the program is redrawn
MAX_SIZE = 48            # elements of any value
SPECIAL_EVERY = 8        # about 1 in 8 programs is a special-values program
SECOND_ORDER_EVERY = 4   # hvp/hessian on seeds divisible by this
HESSIAN_MAX_INPUT = 10   # full hessian only for at most this many real input numbers

# Tolerances. AD vs finite differences: relative to the size of the terms (a
# Richardson-extrapolated central difference is accurate to ~1e-9 relative here),
# and a mismatch must persist at a second, smaller step before it counts.
FD_STEPS = (1e-3, 1e-4, 1e-5)
FD_RTOL = 2e-5
# AD vs JAX: both exact up to rounding.
JAX_RTOL = 1e-7


# ----------------------------------------------------------------------------
# Program representation
# ----------------------------------------------------------------------------

@dataclass
class Val:
    shape: tuple
    cplx: bool
    py: bool = False        # a Python float input


@dataclass
class Op:
    family: str             # e.g. "sin", "matmul", "max"
    expr: str               # Python expression with {0}, {1} for the operands
    args: list
    out: Val
    meta: dict = field(default_factory=dict)


@dataclass
class Program:
    seed: int
    inputs: list            # list of Val
    values: list            # input values (numpy arrays or Python floats)
    ops: list               # list of Op; value index = len(inputs) + op index
    special: bool = False

    def val(self, i):
        return self.inputs[i] if i < len(self.inputs) else self.ops[i - len(self.inputs)].out

    @property
    def nvals(self):
        return len(self.inputs) + len(self.ops)

    def sinks(self):
        used = {a for op in self.ops for a in op.args}
        s = [len(self.inputs) + k for k in range(len(self.ops))
             if len(self.inputs) + k not in used]
        return s or [self.nvals - 1]

    def source(self, name="f"):
        n_in = len(self.inputs)
        lines = [f"def {name}(np, sps, {', '.join(f'v{i}' for i in range(n_in))}):"]
        for k, op in enumerate(self.ops):
            lines.append(f"    v{n_in + k} = " + op.expr.format(*(f"v{a}" for a in op.args)))
        sinks = self.sinks()
        lines.append("    return (" + "".join(f"v{s}, " for s in sinks) + ")")
        return "\n".join(lines)

    def function(self):
        ns = {"nan": math.nan, "inf": math.inf, "onp": onp}  # onp: NumPy, for masks
        exec(compile(self.source(), f"<program seed={self.seed}>", "exec"), ns)
        return ns["f"]


def lit(a):
    """Source text of a constant (NumPy array as ``np.array([...])``)."""
    a = onp.asarray(a)
    if a.ndim == 0:
        return repr(a.item())
    return f"np.array({a.tolist()!r})"


# ----------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------

SHAPES = [(), (2,), (3,), (4,), (2, 3), (3, 3), (3, 2), (2, 2), (1, 3), (4, 1), (2, 3, 2)]

UNARY_REAL = {
    "neg": "-{0}", "sin": "np.sin({0})", "cos": "np.cos({0})", "tanh": "np.tanh({0})",
    "tan": "np.tan(np.tanh({0}))", "arctan": "np.arctan({0})", "sinh": "np.sinh({0})",
    "cosh": "np.cosh({0})", "exp": "np.exp({0})", "expm1": "np.expm1({0})",
    "arcsin": "np.arcsin(0.9 * np.sin({0}))", "arccos": "np.arccos(0.9 * np.cos({0}))",
    "arcsinh": "np.arcsinh({0})", "log": "np.log({0} * {0} + 1.0)",
    "log1p": "np.log1p({0} * {0})", "log2": "np.log2({0} * {0} + 0.5)",
    "log10": "np.log10({0} * {0} + 0.5)", "sqrt": "np.sqrt({0} * {0} + 0.5)",
    "square": "np.square({0})", "reciprocal": "np.reciprocal({0} * {0} + 0.5)",
    "cbrt": "np.cbrt({0} * {0} + 0.5)", "erf": "sps.erf({0})", "expit": "sps.expit({0})",
    "gammaln": "sps.gammaln({0} * {0} + 0.5)",
}
UNARY_COMPLEX = {
    "neg": "-{0}", "exp": "np.exp({0})", "sin": "np.sin({0})", "cos": "np.cos({0})",
    "square": "np.square({0})", "conj": "np.conj({0})", "real": "np.real({0})",
    "imag": "np.imag({0})", "abs": "np.abs({0})", "angle": "np.angle({0})",
    "reciprocal": "1.0 / ({0} * np.conj({0}) + 0.5)",
    "log": "np.log({0} * np.conj({0}) + 1.0)",
}
REAL_OUT = {"real", "imag", "abs", "angle"}


def _bshape(a, b):
    try:
        return tuple(onp.broadcast_shapes(a, b))
    except ValueError:
        return None


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.rng = onp.random.default_rng([seed, 1])
        self.special = seed % SPECIAL_EVERY == SPECIAL_EVERY - 1

    # -- helpers
    def pick(self, prog, pred=lambda v: True):
        cands = [i for i in range(prog.nvals) if pred(prog.val(i))]
        if not cands:
            return None
        w = onp.array([1.0 + i for i in cands]) ** 2
        return int(self.rng.choice(cands, p=w / w.sum()))

    def const(self, shape, cplx=False, lo=-1.0, hi=1.0):
        r = self.rng
        c = onp.round(r.uniform(lo, hi, shape), 4)
        if cplx:
            c = c + 1j * onp.round(r.uniform(lo, hi, shape), 4)
        return c

    def tiebreak(self, shape):
        """Distinct small constants: no ties, no zero variance, no zero under abs."""
        n = int(onp.prod(shape, dtype=int))
        c = (self.rng.permutation(n) + 1) * 0.173 + self.rng.uniform(0.0, 0.05, n)
        return onp.round(c.reshape(shape), 4)

    def scalar(self, choices):
        return choices[int(self.rng.integers(len(choices)))]

    # -- inputs
    def inputs(self):
        r = self.rng
        n = int(r.integers(1, 4))
        cmode = r.random() < 0.3
        ins, vals = [], []
        for _ in range(n):
            shape = SHAPES[int(r.integers(len(SHAPES)))]
            cplx = bool(cmode and r.random() < 0.6)
            py = shape == () and not cplx and r.random() < 0.5
            x = r.standard_normal(shape) * 0.9
            if cplx:
                x = x + 1j * r.standard_normal(shape) * 0.9
            elif self.special and not py:
                x = onp.array(x, dtype=float)
                mask = r.random(shape) < 0.4
                specials = onp.array([0.0, 1.0, -1.0, 2.0, 0.5, 0.0])
                x = onp.where(mask, specials[r.integers(len(specials), size=shape)], x)
                if r.random() < 0.25:
                    x = onp.where(r.random(shape) < 0.3, onp.nan, x)
            elif self.special and py and r.random() < 0.5:
                x = onp.float64(self.scalar([0.0, 1.0, 2.0]))
            if py:
                x = float(x)
            ins.append(Val(tuple(shape), cplx, py))
            vals.append(x)
        return ins, vals

    # -- operations: each returns an Op or None (not applicable here)
    def op_unary(self, p):
        i = self.pick(p)
        v = p.val(i)
        if v.cplx:
            name = self.scalar(sorted(UNARY_COMPLEX) + ["mulc", "addc", "mulc_arr"])
            if name == "mulc":
                return Op(name, "{0} * " + lit(complex(*self.const(2))), [i], v)
            if name == "addc":
                return Op(name, "{0} + " + lit(complex(*self.const(2))), [i], v)
            if name == "mulc_arr":
                return Op(name, "{0} * " + lit(self.const(v.shape, True)), [i], v)
            return Op(name, UNARY_COMPLEX[name], [i], Val(v.shape, name not in REAL_OUT))
        name = self.scalar(sorted(UNARY_REAL) + ["abs", "pow_const", "scale", "div_scalar",
                                                 "to_complex"])
        if name == "abs":
            return Op(name, "np.abs({0} + " + lit(self.tiebreak(v.shape) - 0.6) + ")",
                      [i], v)
        if name == "pow_const":
            c = self.scalar([2, 3, 2.0, 0.5, -1.0, -0.5, 1.5, 0.0, 1.0, float(self.const(()))])
            if isinstance(c, int) or c in (0.0, 1.0, 2.0):
                return Op(name, "{0} ** " + repr(c), [i], v, {"exponent": c})
            return Op(name, "({0} * {0} + 0.5) ** " + repr(c), [i], v, {"exponent": c})
        if name == "scale":
            return Op(name, repr(float(self.const((), lo=-2, hi=2))) + " * {0}", [i], v)
        if name == "div_scalar":
            c = self.scalar([2.0, -0.5, 3.7] + ([0.0] * 3 if self.special else []))
            return Op(name, "{0} / " + repr(c), [i], v, {"divisor": c})
        if name == "to_complex":
            return Op(name, "{0} * " + lit(complex(*self.const(2))), [i], Val(v.shape, True))
        return Op(name, UNARY_REAL[name], [i], Val(v.shape, False))

    def op_binary(self, p):
        i = self.pick(p)
        a = p.val(i)
        j = self.pick(p, lambda b: _bshape(a.shape, b.shape) is not None)
        if j is None:
            return None
        b = p.val(j)
        shape = _bshape(a.shape, b.shape)
        cplx = a.cplx or b.cplx
        names = ["add", "sub", "mul", "div", "where"]
        if not cplx:
            names += ["pow", "maximum", "minimum", "arctan2", "hypot", "make_complex"]
        name = self.scalar(names)
        if name in ("sub", "div") and i == j:
            name = "add"
        if name == "div":
            den = "({1} * np.conj({1}) + 0.5)" if b.cplx else "({1} * {1} + 0.5)"
            return Op(name, "{0} / " + den, [i, j], Val(shape, cplx))
        expr = {
            "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}",
            "pow": "({0} * {0} + 0.5) ** {1}",
            "arctan2": "np.arctan2({0}, {1} * {1} + 0.5)", "hypot": "np.hypot({0}, {1})",
            "make_complex": "{0} + 1j * {1}",
        }.get(name)
        if name in ("maximum", "minimum"):
            expr = f"np.{name}({{0}}, {{1}} + {lit(self.tiebreak(shape) - 0.5)})"
        if name == "where":
            mask = self.rng.random(shape) < 0.5
            expr = f"np.where(onp.array({mask.tolist()!r}), {{0}}, {{1}})"
        return Op(name, expr, [i, j], Val(shape, cplx or name == "make_complex"))

    def op_reduce(self, p):
        i = self.pick(p, lambda v: len(v.shape) >= 1)
        if i is None:
            return None
        v = p.val(i)
        names = ["sum", "mean", "prod", "cumsum", "std", "var", "norm"]
        if not v.cplx:
            names += ["max", "min", "logsumexp"]
        name = self.scalar(names)
        r = self.rng
        axis = None if r.random() < 0.4 else int(r.integers(-len(v.shape), len(v.shape)))
        keep = name not in ("cumsum", "norm") and r.random() < 0.3
        if name in ("std", "var"):
            n = int(onp.prod(v.shape)) if axis is None else v.shape[axis]
            if n < 2:
                return None
        if axis is None:
            shape = (int(onp.prod(v.shape)),) if name == "cumsum" else \
                (tuple(1 for _ in v.shape) if keep else ())
        else:
            s = list(v.shape)
            if name != "cumsum":
                if keep:
                    s[axis] = 1
                else:
                    del s[axis]
            shape = tuple(s)
        kw = f", axis={axis}" + (", keepdims=True" if keep else "")
        cplx = v.cplx and name not in ("std", "var", "norm")
        if name in ("max", "min", "std", "var"):
            arg = "{0} + " + lit(self.tiebreak(v.shape))
            return Op(name, f"np.{name}({arg}{kw})", [i], Val(shape, cplx))
        if name == "logsumexp":
            return Op(name, f"sps.logsumexp({{0}}{kw})", [i], Val(shape, False))
        if name == "norm":
            if axis is None:
                return Op(name, "np.linalg.norm({0})", [i], Val((), False))
            return Op(name, f"np.linalg.norm({{0}}, axis={axis})", [i], Val(shape, False))
        if name == "cumsum":
            kw = "" if axis is None else f", axis={axis}"
        return Op(name, f"np.{name}({{0}}{kw})", [i], Val(shape, cplx))

    def op_shape(self, p):
        i = self.pick(p, lambda v: len(v.shape) >= 1)
        if i is None:
            return None
        v = p.val(i)
        r = self.rng
        nd = len(v.shape)
        name = self.scalar(["reshape", "transpose", "concatenate", "stack", "index_int",
                            "slice", "reverse", "fancy", "mask", "expand_dims", "swapaxes"])
        if name == "reshape":
            n = int(onp.prod(v.shape))
            divs = [d for d in range(1, n + 1) if n % d == 0]
            d = int(r.choice(divs))
            shape = self.scalar([(n,), (d, n // d), (n // d, d, 1)])
            return Op(name, f"np.reshape({{0}}, {shape!r})", [i], Val(tuple(shape), v.cplx))
        if name == "transpose":
            if nd < 2:
                return None
            perm = tuple(int(a) for a in r.permutation(nd))
            shape = tuple(v.shape[a] for a in perm)
            if perm == (1, 0) and r.random() < 0.5:
                return Op(name, "{0}.T", [i], Val(shape, v.cplx))
            return Op(name, f"np.transpose({{0}}, {perm!r})", [i], Val(shape, v.cplx))
        if name == "swapaxes":
            if nd < 2:
                return None
            s = list(v.shape)
            s[0], s[-1] = s[-1], s[0]
            return Op(name, "np.swapaxes({0}, 0, -1)", [i], Val(tuple(s), v.cplx))
        if name in ("concatenate", "stack"):
            axis = int(r.integers(0, nd)) if name == "concatenate" else int(r.integers(0, nd + 1))

            def fits(b):
                if len(b.shape) != nd:
                    return False
                if name == "stack":
                    return b.shape == v.shape
                return all(b.shape[k] == v.shape[k] for k in range(nd) if k != axis)
            j = self.pick(p, fits)
            if j is None:
                return None
            b = p.val(j)
            if name == "stack":
                shape = v.shape[:axis] + (2,) + v.shape[axis:]
            else:
                shape = tuple(v.shape[k] + b.shape[k] if k == axis else v.shape[k]
                              for k in range(nd))
            return Op(name, f"np.{name}([{{0}}, {{1}}], axis={axis})", [i, j],
                      Val(shape, v.cplx or b.cplx))
        if name == "index_int":
            k = int(r.integers(-v.shape[0], v.shape[0]))
            if nd >= 2 and r.random() < 0.5:
                k = int(r.integers(-v.shape[1], v.shape[1]))
                return Op(name, f"{{0}}[:, {k}]", [i], Val(v.shape[:1] + v.shape[2:], v.cplx))
            return Op(name, f"{{0}}[{k}]", [i], Val(v.shape[1:], v.cplx))
        if name == "slice":
            n0 = v.shape[0]
            a = int(r.integers(0, n0))
            step = self.scalar([1, 1, 2])
            b = int(r.integers(a + 1, n0 + 1))
            m = len(range(a, b, step))
            return Op(name, f"{{0}}[{a}:{b}:{step}]", [i], Val((m,) + v.shape[1:], v.cplx))
        if name == "reverse":
            return Op(name, "{0}[::-1]", [i], v)
        if name == "fancy":
            n0 = v.shape[0]
            idx = [int(x) for x in r.integers(0, n0, size=int(r.integers(1, 5)))]
            return Op(name, f"{{0}}[onp.array({idx!r})]", [i],
                      Val((len(idx),) + v.shape[1:], v.cplx))
        if name == "mask":
            mask = r.random(v.shape) < 0.6
            if not mask.any():
                mask.flat[0] = True
            return Op(name, f"{{0}}[onp.array({mask.tolist()!r})]", [i],
                      Val((int(mask.sum()),), v.cplx))
        if name == "expand_dims":
            ax = int(r.integers(0, nd + 1))
            return Op(name, f"np.expand_dims({{0}}, {ax})", [i],
                      Val(v.shape[:ax] + (1,) + v.shape[ax:], v.cplx))
        return None

    def op_product(self, p):
        r = self.rng
        name = self.scalar(["matmul", "dot", "einsum", "tensordot", "outer", "inner", "vdot",
                            "trace", "matmul_T"])
        if name == "trace":
            i = self.pick(p, lambda v: len(v.shape) == 2)
            if i is None:
                return None
            return Op(name, "np.trace({0})", [i], Val((), p.val(i).cplx))
        if name == "outer":
            i, j = self.pick(p), self.pick(p)
            a, b = p.val(i), p.val(j)
            shape = (int(onp.prod(a.shape)), int(onp.prod(b.shape)))
            return Op(name, "np.outer({0}, {1})", [i, j], Val(shape, a.cplx or b.cplx))
        if name == "vdot":
            i = self.pick(p)
            a = p.val(i)
            n = int(onp.prod(a.shape))
            j = self.pick(p, lambda b: int(onp.prod(b.shape)) == n)
            if j is None:
                return None
            return Op(name, "np.vdot({0}, {1})", [i, j], Val((), a.cplx or p.val(j).cplx),
                      {"operands": 2})
        if name == "inner":
            i = self.pick(p, lambda v: len(v.shape) >= 1)
            if i is None:
                return None
            a = p.val(i)
            j = self.pick(p, lambda b: len(b.shape) >= 1 and b.shape[-1] == a.shape[-1])
            if j is None:
                return None
            b = p.val(j)
            return Op(name, "np.inner({0}, {1})", [i, j],
                      Val(a.shape[:-1] + b.shape[:-1], a.cplx or b.cplx), {"operands": 2})
        if name == "matmul_T":
            i = self.pick(p, lambda v: len(v.shape) == 2)
            if i is None:
                return None
            a = p.val(i)
            j = self.pick(p, lambda b: len(b.shape) == 2 and b.shape[1] == a.shape[1])
            if j is None:
                return None
            b = p.val(j)
            return Op("matmul", "{0} @ {1}.T", [i, j], Val((a.shape[0], b.shape[0]),
                      a.cplx or b.cplx), {"operands": 2})
        if name in ("matmul", "dot"):
            i = self.pick(p, lambda v: len(v.shape) in (1, 2))
            if i is None:
                return None
            a = p.val(i)
            k = a.shape[-1]
            j = self.pick(p, lambda b: len(b.shape) in (1, 2) and b.shape[0] == k)
            if j is None:
                return None
            b = p.val(j)
            shape = a.shape[:-1] + b.shape[1:]
            expr = "{0} @ {1}" if name == "matmul" else "np.dot({0}, {1})"
            return Op(name, expr, [i, j], Val(shape, a.cplx or b.cplx), {"operands": 2})
        if name == "tensordot":
            i = self.pick(p, lambda v: len(v.shape) >= 1)
            if i is None:
                return None
            a = p.val(i)
            if r.random() < 0.5:
                j = self.pick(p, lambda b: b.shape == a.shape)
                if j is None:
                    return None
                b = p.val(j)
                return Op(name, f"np.tensordot({{0}}, {{1}}, axes={len(a.shape)})", [i, j],
                          Val((), a.cplx or b.cplx), {"operands": 2})
            j = self.pick(p, lambda b: len(b.shape) >= 1 and b.shape[0] == a.shape[-1])
            if j is None:
                return None
            b = p.val(j)
            return Op(name, "np.tensordot({0}, {1}, axes=1)", [i, j],
                      Val(a.shape[:-1] + b.shape[1:], a.cplx or b.cplx), {"operands": 2})
        # einsum
        pat = self.scalar(["ij,jk->ik", "ij,ij->i", "ij->ji", "ij->", "i,i->", "i,j->ij",
                           "ij,j->i", "ii->i", "ij,kj->ik", "ijk->ki"])
        ins, out = pat.split("->")
        specs = ins.split(",")
        i = self.pick(p, lambda v: len(v.shape) == len(specs[0])
                      and (specs[0] != "ii" or v.shape[0] == v.shape[1]))
        if i is None:
            return None
        a = p.val(i)
        dims = dict(zip(specs[0], a.shape))
        args = [i]
        cplx = a.cplx
        if len(specs) == 2:
            def fits(b):
                return len(b.shape) == len(specs[1]) and all(
                    dims.get(c, n) == n for c, n in zip(specs[1], b.shape))
            j = self.pick(p, fits)
            if j is None:
                return None
            b = p.val(j)
            dims.update(zip(specs[1], b.shape))
            args.append(j)
            cplx = cplx or b.cplx
        shape = tuple(dims[c] for c in out)
        ops_text = ", ".join("{%d}" % k for k in range(len(specs)))
        return Op(name, f"np.einsum({pat!r}, {ops_text})", args, Val(shape, cplx),
                  {"operands": len(specs)})

    def op_linalg(self, p):
        i = self.pick(p, lambda v: len(v.shape) == 2 and v.shape[0] <= 4)
        if i is None:
            return None
        v = p.val(i)
        m = v.shape[0]
        spd = f"({{0}} @ np.conj({{0}}).T + {m}.0 * np.eye({m}))" if v.cplx else \
            f"({{0}} @ {{0}}.T + np.eye({m}))"
        name = self.scalar(["det", "det_spd", "inv", "solve", "cholesky", "norm_fro"])
        if name == "det":
            if v.shape[0] != v.shape[1]:
                return None
            return Op(name, "np.linalg.det({0})", [i], Val((), v.cplx))
        if name == "det_spd":
            return Op("det", f"np.linalg.det({spd})", [i], Val((), v.cplx))
        if name == "inv":
            return Op(name, f"np.linalg.inv({spd})", [i], Val((m, m), v.cplx))
        if name == "cholesky":
            return Op(name, f"np.linalg.cholesky({spd})", [i], Val((m, m), v.cplx))
        if name == "norm_fro":
            return Op("norm", "np.linalg.norm({0})", [i], Val((), False))
        j = self.pick(p, lambda b: len(b.shape) in (1, 2) and b.shape[0] == m)
        if j is None:
            return None
        b = p.val(j)
        return Op(name, f"np.linalg.solve({spd}, {{1}})", [i, j],
                  Val(b.shape, v.cplx or b.cplx), {"operands": 2})

    FAMILIES = [("unary", 6), ("binary", 5), ("reduce", 3), ("shape", 3), ("product", 3),
                ("linalg", 1)]

    def program(self):
        """A valid program from this seed: redrawn until NumPy evaluates it finitely."""
        for _attempt in range(200):
            prog = self.draw()
            if prog is not None and validate(prog):
                return prog
        raise RuntimeError(f"seed {self.seed}: no valid program in 200 draws")

    def draw(self):
        ins, vals = self.inputs()
        prog = Program(self.seed, ins, vals, [], self.special)
        n_ops = int(self.rng.integers(MIN_OPS, MAX_OPS + 1))
        names = [f for f, _ in self.FAMILIES]
        w = onp.array([x for _, x in self.FAMILIES], dtype=float)
        tries = 0
        while len(prog.ops) < n_ops and tries < 10 * n_ops:
            tries += 1
            fam = names[int(self.rng.choice(len(names), p=w / w.sum()))]
            op = getattr(self, "op_" + fam)(prog)
            if op is None or int(onp.prod(op.out.shape)) > MAX_SIZE:
                continue
            prog.ops.append(op)
        if len(prog.ops) < MIN_OPS:
            return None
        return prog


def generate(seed):
    return Gen(seed).program()


# ----------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------

def numpy_inputs(prog):
    """Inputs as NumPy sees them (Python floats as float64, so 1.0/0.0 is inf)."""
    return [onp.float64(x) if v.py else onp.asarray(x) for v, x in zip(prog.inputs, prog.values)]


def trace_values(prog, xs=None):
    """Every value of the program, evaluated in NumPy (for validation and exclusions)."""
    n_in = len(prog.inputs)
    vals = list(numpy_inputs(prog) if xs is None else xs)
    env = {"np": onp, "sps": osps, "onp": onp, "nan": math.nan, "inf": math.inf}
    for k, op in enumerate(prog.ops):
        names = {f"v{a}": vals[a] for a in op.args}
        env.update(names)
        vals.append(eval(op.expr.format(*(f"v{a}" for a in op.args)), env))
        del k
    return vals[:n_in], vals[n_in:]


def validate(prog):
    """Does NumPy evaluate the program to finite, moderate values of the shapes we think?"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if not prog.special else "ignore")
            with onp.errstate(all="raise" if not prog.special else "ignore"):
                _, outs = trace_values(prog)
    except (FloatingPointError, RuntimeWarning, ZeroDivisionError, onp.linalg.LinAlgError):
        return False
    for op, y in zip(prog.ops, outs):
        y = onp.asarray(y)
        if y.shape != op.out.shape or bool(onp.iscomplexobj(y)) != op.out.cplx:
            raise AssertionError(f"seed {prog.seed}: {op.expr} gave {y.shape} {y.dtype}, "
                                 f"expected {op.out}")
        if prog.special:
            continue
        if not onp.all(onp.isfinite(y)) or onp.max(onp.abs(y), initial=0.0) > VALUE_CAP:
            return False
    return True


# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------

@dataclass
class Failure:
    oracle: str      # "FD" or "JAX" or "exception"
    check: str       # "value", "grad", "jvp", "vjp", "hvp", "hessian"
    detail: str
    # Which output, where a check is made per output (jvp): each output's finite
    # difference gets its own best step (a large-valued output needs a small step, a
    # badly conditioned one a large step), so steps are compared output by output.
    part: int = -1

    @property
    def key(self):
        return (self.oracle, self.check)

    def __str__(self):
        return f"{self.oracle} disagrees on {self.check}: {self.detail}"


def _rand_like(rng, v):
    x = rng.standard_normal(v.shape)
    if v.cplx:
        x = x + 1j * rng.standard_normal(v.shape)
    return float(x) if v.py else x


def _probes(prog):
    """Loss weights, tangents and cotangents: from the seed and the program's shape."""
    rng = onp.random.default_rng([prog.seed, 2])
    outs = [prog.val(s) for s in prog.sinks()]
    W = tuple(_rand_like(rng, v) for v in outs)
    V = tuple(_rand_like(rng, v) for v in prog.inputs)
    U = tuple(_rand_like(rng, v) for v in outs)
    v2 = rng.standard_normal(_packed_size(prog))
    return W, V, U, v2


def _rdot(a, b):
    """Re(sum(a * b)): the real pairing under which vjp(u) is grad of Re(sum(u * f))."""
    return float(onp.sum(onp.real(onp.asarray(a) * onp.asarray(b))))


def _packed_size(prog):
    return sum(int(onp.prod(v.shape)) * (2 if v.cplx else 1) for v in prog.inputs)


def _pack(prog):
    parts = []
    for v, x in zip(prog.inputs, prog.values):
        x = onp.asarray(x)
        parts.append(onp.real(x).ravel())
        if v.cplx:
            parts.append(onp.imag(x).ravel())
    return onp.concatenate(parts).astype(float)


def _unpacker(prog, np):
    def unpack(p):
        xs, o = [], 0
        for v in prog.inputs:
            n = int(onp.prod(v.shape))
            x = np.reshape(p[o:o + n], v.shape)
            o += n
            if v.cplx:
                x = x + 1j * np.reshape(p[o:o + n], v.shape)
                o += n
            xs.append(x)
        return xs
    return unpack


def _loss(f, W, np, sps):
    def loss(*xs):
        return sum(np.sum(np.real(w * o)) for w, o in zip(W, f(np, sps, *xs)))
    return loss


def _close(a, b, rtol, scale=0.0):
    a = onp.asarray(a, dtype=complex)
    b = onp.asarray(b, dtype=complex)
    if a.shape != b.shape:
        return False, f"shapes {a.shape} != {b.shape}"
    fa, fb = onp.isfinite(a), onp.isfinite(b)
    if not onp.array_equal(fa, fb):
        return False, "non-finite entries differ"
    same_nf = onp.all((a[~fa] == b[~fa]) | (onp.isnan(a[~fa]) & onp.isnan(b[~fb])))
    if not same_nf:
        return False, "infinities differ"
    a, b = a[fa], b[fb]
    err = float(onp.max(onp.abs(a - b), initial=0.0))
    tol = rtol * max(float(onp.max(onp.abs(a), initial=0.0)),
                     float(onp.max(onp.abs(b), initial=0.0)), scale, 1e-3)
    return err <= tol, f"max abs err {err:.3g} > tol {tol:.3g}"


def _fmt(x):
    return onp.array2string(onp.asarray(x), precision=6, threshold=12, max_line_width=100)


class Checker:
    """All checks of one program: chainrule against FD and (optionally) JAX."""

    def __init__(self, use_jax=None, second_order=None):
        self.jax = _jax() if use_jax is None or use_jax else None
        self.second_order = second_order
        self.stats = {}   # checks not made, and why: {"fd_nonsmooth": n, "fd_nonfinite": n}
        self.jax_errors = []

    def check(self, prog, excluded=()):
        """A list of Failures (empty: all checks pass). ``excluded``: checks to skip."""
        import chainrule
        import chainrule.numpy as cnp
        import chainrule.scipy.special as csps
        fails = []
        f = prog.function()
        n = len(prog.inputs)
        argnums = tuple(range(n))
        W, V, U, v2 = _probes(prog)
        xs = list(prog.values)
        finite_in = all(onp.all(onp.isfinite(x)) for x in xs)

        def attempt(check, fn):
            if check in excluded:
                return None
            try:
                with warnings.catch_warnings(), onp.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    return fn()
            except Exception as e:  # noqa: BLE001  (a crash is a finding)
                fails.append(Failure("exception", check, f"chainrule raised "
                                     f"{type(e).__name__}: {e}".splitlines()[0][:300]))
                return None

        ad = {}
        ad["value"] = attempt("value", lambda: f(cnp, csps, *xs))
        ad["grad"] = attempt("grad", lambda: chainrule.grad(
            _loss(f, W, cnp, csps), argnum=argnums)(*xs))
        ad["jvp"] = attempt("jvp", lambda: chainrule.jvp(
            lambda *a: f(cnp, csps, *a), tuple(xs), V)[1])
        ad["vjp"] = attempt("vjp", lambda: chainrule.vjp(
            lambda *a: f(cnp, csps, *a), *xs)[1](U))
        second = self.second_order if self.second_order is not None else \
            prog.seed % SECOND_ORDER_EVERY == 0
        p0 = _pack(prog)
        if second:
            def G(np, sps):
                unpack = _unpacker(prog, np)
                loss = _loss(f, W, np, sps)
                return lambda p: loss(*unpack(p))
            gc = G(cnp, csps)
            ad["hvp"] = attempt("hvp", lambda: chainrule.hvp(gc)(p0, v2))
            if p0.size <= HESSIAN_MAX_INPUT:
                ad["hessian"] = attempt("hessian", lambda: chainrule.hessian(gc)(p0) @ v2)
        # exceptions that NumPy/JAX would raise too are not findings: checked below.

        # --- finite differences
        out_np = _np_eval(f, prog, numpy_inputs(prog))
        fd_ok = finite_in and out_np is not None and all(
            onp.all(onp.isfinite(o)) for o in out_np)
        overflow = fd_ok and not _moderate_values(prog)
        if overflow:
            # An intermediate overflows (inf, or beyond 1e30) though the outputs are finite:
            # central differences across it are no oracle (inf - inf; a truncation error
            # larger than the value). JAX, where it runs, still checks the program.
            self.stats["fd_overflow"] = self.stats.get("fd_overflow", 0) + 1
            fd_ok = False
        if fd_ok:
            if ad["value"] is not None:
                for k, (a, b) in enumerate(zip(ad["value"], out_np)):
                    ok, msg = _close(a, b, 1e-9)
                    if not ok:
                        fails.append(Failure("FD", "value", f"output {k}: {msg}"))
            fd_fails = self._fd_checks(prog, f, ad, W, V, U, out_np, steps=FD_STEPS[0])
            for h in FD_STEPS[1:]:
                # A real mismatch persists at smaller steps; truncation error does not.
                if not fd_fails:
                    break
                again = {(x.check, x.part) for x in self._fd_checks(prog, f, ad, W, V, U,
                                                                    out_np, steps=h)}
                fd_fails = [x for x in fd_fails if (x.check, x.part) in again]
            if fd_fails and _kinked(lambda t: _np_eval(f, prog, [
                    x + t * v for x, v in zip(numpy_inputs(prog), V)])):
                # NumPy's function itself is not differentiable here along V (one-sided
                # differences disagree): finite differences are no oracle at this point.
                self.stats["fd_nonsmooth"] = self.stats.get("fd_nonsmooth", 0) + 1
                fd_fails = []
            fails += fd_fails
            if second:
                fd2 = self._fd_second(prog, ad, gc, p0, v2, chainrule)
                if fd2 and _kinked(lambda t: _grad_or_none(chainrule, gc, p0 + t * v2)):
                    self.stats["fd_nonsmooth"] = self.stats.get("fd_nonsmooth", 0) + 1
                    fd2 = []
                fails += fd2
        elif out_np is not None and not overflow:
            self.stats["fd_nonfinite"] = self.stats.get("fd_nonfinite", 0) + 1
        # --- JAX
        if self.jax is not None:
            fails += self._jax_checks(prog, f, ad, W, V, U, p0, v2, second, excluded)
        # Drop chainrule exceptions where NumPy itself cannot evaluate the program.
        if out_np is None:
            fails = [x for x in fails if x.oracle != "exception"]
        return fails

    def _fd_checks(self, prog, f, ad, W, V, U, out_np, steps):
        h = steps
        xs = numpy_inputs(prog)

        def F(t):
            ys = [x + t * v for x, v in zip(xs, V)]
            return _np_eval(f, prog, ys)

        def D(h):
            fp, fm = F(h), F(-h)
            if fp is None or fm is None:
                return None
            return [(onp.asarray(a) - onp.asarray(b)) / (2 * h) for a, b in zip(fp, fm)]
        d1, d2 = D(h), D(h / 2)
        if d1 is None or d2 is None:
            return []
        R = [(4 * b - a) / 3 for a, b in zip(d1, d2)]
        fails = []
        vmax = max(float(onp.max(onp.abs(v), initial=0.0)) for v in V)
        omax = [float(onp.max(onp.abs(o), initial=0.0)) for o in out_np]
        if ad["jvp"] is not None:
            for k, (a, b) in enumerate(zip(ad["jvp"], R)):
                ok, msg = _close(a, b, FD_RTOL, 1e-2 * vmax * omax[k])
                if not ok:
                    fails.append(Failure("FD", "jvp", f"output {k}: {msg}\n  chainrule "
                                         f"{_fmt(a)}\n  FD        {_fmt(b)}", k))
        for check, grads, probe in (("grad", ad["grad"], W), ("vjp", ad["vjp"], U)):
            if grads is None:
                continue
            lhs = sum(_rdot(g, v) for g, v in zip(grads, V))
            rhs = sum(_rdot(w, r) for w, r in zip(probe, R))
            scale = sum(float(onp.sum(onp.abs(w * r))) for w, r in zip(probe, R)) + 1e-2 * \
                vmax * sum(float(onp.sum(onp.abs(w))) * m for w, m in zip(probe, omax))
            ok, msg = _close(lhs, rhs, FD_RTOL, scale)
            if not ok:
                fails.append(Failure("FD", check, f"<{check}, v> = {lhs:.10g} but the "
                                     f"finite difference along v is {rhs:.10g} ({msg})"))
        return fails

    def _fd_second(self, prog, ad, gc, p0, v2, chainrule):
        g = chainrule.grad(gc)

        def D(h):
            try:
                with warnings.catch_warnings(), onp.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    return (onp.asarray(g(p0 + h * v2)) - onp.asarray(g(p0 - h * v2))) / (2 * h)
            except Exception:  # noqa: BLE001  (reported by the first-order checks)
                return None
        fails = []
        for check in ("hvp", "hessian"):
            if ad.get(check) is None:
                continue
            for h in FD_STEPS:
                d1, d2 = D(h), D(h / 2)
                if d1 is None or d2 is None:
                    break
                ok, msg = _close(ad[check], (4 * d2 - d1) / 3, FD_RTOL)
                if ok:
                    break
            else:
                fails.append(Failure("FD", check, f"{msg}\n  chainrule {_fmt(ad[check])}\n"
                                     f"  FD of grad {_fmt((4 * d2 - d1) / 3)}"))
        return fails

    def _jax_checks(self, prog, f, ad, W, V, U, p0, v2, second, excluded):
        jax, jnp, jsps = self.jax
        xs = [x for x in prog.values]
        fails = []

        def run(fn):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return fn(), None
            except Exception as e:  # noqa: BLE001
                return None, f"{type(e).__name__}: {e}".splitlines()[0][:200]
        n = len(xs)

        def everything(*xs):  # one jitted computation: one compilation per program
            r = {"value": f(jnp, jsps, *xs),
                 "grad": jax.grad(_loss(f, W, jnp, jsps), argnums=tuple(range(n)))(*xs),
                 "jvp": jax.jvp(lambda *a: f(jnp, jsps, *a), tuple(xs), V)[1],
                 "vjp": jax.vjp(lambda *a: f(jnp, jsps, *a), *xs)[1](U)}
            if second:
                unpack = _unpacker(prog, jnp)
                loss = _loss(f, W, jnp, jsps)
                r["hvp"] = jax.jvp(jax.grad(lambda p: loss(*unpack(p))), (p0,), (v2,))[1]
                r["hessian"] = r["hvp"]
            return r
        # Python floats stay weakly typed scalars (as chainrule sees them).
        ref, err = run(lambda: jax.jit(everything)(*xs))
        if ref is None:
            self.stats["jax_error"] = self.stats.get("jax_error", 0) + 1
            self.jax_errors.append(f"seed {prog.seed}: {err}")
            return fails
        # JAX is an oracle for programs it evaluates as NumPy does. Where its value is not
        # NumPy's (an overflow JAX meets in another order of operations, a signed zero),
        # its derivatives are of another function: skip it (chainrule's value is checked
        # against NumPy's itself, above).
        np_out = _np_eval(f, prog, numpy_inputs(prog))
        if np_out is not None and ref.get("value") is not None and not all(
                _close(onp.asarray(x), onp.asarray(y), JAX_RTOL)[0]
                for x, y in zip(np_out, ref["value"])):
            self.stats["jax_not_numpy"] = self.stats.get("jax_not_numpy", 0) + 1
            return fails
        for check, a in ad.items():
            b = ref.get(check)
            if check in excluded or b is None:
                continue
            if a is None:  # chainrule raised: already an "exception" failure
                continue
            a_l = list(a) if isinstance(a, tuple) else [a]
            b_l = list(b) if isinstance(b, tuple) else [b]
            for k, (x, y) in enumerate(zip(a_l, b_l)):
                ok, msg = _close(onp.asarray(x), onp.asarray(y), JAX_RTOL)
                if not ok:
                    fails.append(Failure("JAX", check, f"part {k}: {msg}\n  chainrule "
                                         f"{_fmt(x)}\n  JAX       {_fmt(y)}"))
                    break
        return fails


def _grad_or_none(chainrule, g, p):
    try:
        with warnings.catch_warnings(), onp.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return [onp.asarray(chainrule.grad(g)(p))]
    except Exception:  # noqa: BLE001
        return None


def _kinked(F, h=1e-7, rtol=1e-3):
    """Do the one-sided differences of ``F`` (a list of arrays of t) at 0 disagree?"""
    f0, fp, fm = F(0.0), F(h), F(-h)
    if f0 is None or fp is None or fm is None:
        return True
    for a, b, c in zip(fp, f0, fm):
        a, b, c = (onp.asarray(x, dtype=complex) for x in (a, b, c))
        dp, dm = (a - b) / h, (b - c) / h
        tol = rtol * (onp.abs(dp) + onp.abs(dm)) + 1e-6 * (1 + onp.abs(b)) / h * 1e-3
        if not onp.all(onp.isfinite(dp)) or onp.any(onp.abs(dp - dm) > tol):
            return True
    return False


def _moderate_values(prog, bound=1e30):
    """Are all of the program's intermediate values finite and at most ``bound``?"""
    try:
        vals = program_values(prog)
    except Exception:  # noqa: BLE001  (NumPy cannot evaluate it: not this check's concern)
        return True
    for v in vals:
        a = onp.asarray(v)
        if a.dtype.kind in "fc" and a.size and not (onp.all(onp.isfinite(a))
                                                     and onp.max(onp.abs(a)) <= bound):
            return False
    return True


def _np_eval(f, prog, xs):
    try:
        with warnings.catch_warnings(), onp.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return [onp.asarray(o) for o in f(onp, osps, *xs)]
    except (ZeroDivisionError, onp.linalg.LinAlgError, ValueError, FloatingPointError):
        return None


_JAX = []


def _jax():
    """(jax, jax.numpy, jax.scipy.special) with x64, or None when JAX is not installed."""
    if not _JAX:
        try:
            import jax
            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")
            import jax.numpy as jnp
            import jax.scipy.special as jsps
            _JAX.append((jax, jnp, jsps))
        except Exception:  # noqa: BLE001  (absent or broken: the FD oracle still runs)
            _JAX.append(None)
    return _JAX[0]


# ----------------------------------------------------------------------------
# Exclusions: what a program may do that is no derivative bug of chainrule's
# ----------------------------------------------------------------------------

def _has_python_float_div_zero(prog, vals):
    return any(op.family == "div_scalar" and op.meta.get("divisor") == 0.0 for op in prog.ops)


def _angle_on_its_branch_cut(prog, vals):
    # np.angle is discontinuous across the negative real axis (pi above, -pi below). A
    # program can land on it exactly (v - erf(w) of a real-valued complex v has imaginary
    # part +-0 or +-1e-18 from rounding): the sign of that zero picks the value, and NumPy,
    # JAX and finite differences each see their own side. No derivative exists there.
    for op in prog.ops:
        if op.family != "angle":
            continue
        z = onp.asarray(vals[op.args[0]])
        if onp.iscomplexobj(z) and onp.any((z.real < 0) & (onp.abs(z.imag) <= 1e-6 *
                                                           onp.maximum(1.0, onp.abs(z.real)))):
            return True
    return False


# Each entry: (why, predicate(prog, values), checks it excludes). The fixed bugs this list
# once held (complex cotangents on real operands of matrix products, x ** y at y == 0,
# max/min with NaN, x / 0.0 with Python floats in the derivatives, det at a singular
# matrix) are checked again: their reproducers are in the rule table and
# tests/test_engine_correctness.py.
KNOWN_BUGS = [
    # The value check runs f on the raw inputs: a Python float input divided by 0.0 is
    # Python's own ZeroDivisionError, before any chainrule operation (traced, it gives inf).
    ("x / 0.0 of an untraced Python float raises in Python itself, not in chainrule",
     _has_python_float_div_zero, {"value"}),
    # Not a bug at all: a point where the program is not differentiable (nor continuous).
    ("np.angle evaluated on its branch cut (the negative real axis): discontinuous there",
     _angle_on_its_branch_cut, {"value", "grad", "jvp", "vjp", "hvp", "hessian"}),
]

# Bugs this fuzzer found and nobody has fixed yet: excluded the same way; none now.
FOUND_BY_FUZZING = []


def program_values(prog):
    """All values of the program (inputs, then each operation's), evaluated in NumPy."""
    with warnings.catch_warnings(), onp.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return sum(trace_values(prog), [])


def known_bug_exclusions(prog):
    """(names of the known bugs this program may hit, the checks to skip for them)."""
    vals = program_values(prog)
    names, checks = [], set()
    for name, pred, cks in KNOWN_BUGS + FOUND_BY_FUZZING:
        if pred(prog, vals):
            names.append(name)
            checks |= cks
    return names, checks


# ----------------------------------------------------------------------------
# Shrinking and reproducers
# ----------------------------------------------------------------------------

def _remove_op(prog, k, replacement=None):
    """Program without op k; its uses refer to ``replacement`` (None: it must be unused)."""
    n_in = len(prog.inputs)
    idx = n_in + k
    new = copy.deepcopy(prog)
    del new.ops[k]
    for op in new.ops:
        args = []
        for a in op.args:
            if a == idx:
                if replacement is None:
                    return None
                a = replacement
            elif a > idx:
                a -= 1
            args.append(a)
        op.args = args
    return new


def _remove_input(prog, i):
    if any(i in op.args for op in prog.ops) or len(prog.inputs) == 1:
        return None
    new = copy.deepcopy(prog)
    del new.inputs[i]
    del new.values[i]
    for op in new.ops:
        op.args = [a - 1 if a > i else a for a in op.args]
    return new


def _candidates(prog):
    n_in = len(prog.inputs)
    used = {a for op in prog.ops for a in op.args}
    # drop an output (a sink) whole
    for k in reversed(range(len(prog.ops))):
        if n_in + k not in used and len(prog.ops) > 1:
            yield _remove_op(prog, k)
    # bypass an operation: its users read one of its operands of the same shape and kind
    for k in reversed(range(len(prog.ops))):
        op = prog.ops[k]
        for a in op.args:
            v = prog.val(a)
            if (v.shape, v.cplx) == (op.out.shape, op.out.cplx) and n_in + k in used:
                yield _remove_op(prog, k, a)
    for i in range(n_in):
        yield _remove_input(prog, i)
    # simpler input values (finite ones only)
    for i, (v, x) in enumerate(zip(prog.inputs, prog.values)):
        for simp in (lambda x: onp.round(x, 1), lambda x: onp.round(x * 2) / 2):
            y = simp(onp.asarray(x))
            if not onp.array_equal(y, onp.asarray(x), equal_nan=True):
                new = copy.deepcopy(prog)
                new.values[i] = float(y) if v.py else y
                yield new


def shrink(prog, still_fails, max_steps=400):
    """Greedy: apply the first simplification that keeps ``still_fails``, until none does."""
    steps = 0
    improved = True
    while improved and steps < max_steps:
        improved = False
        for cand in _candidates(prog):
            if cand is None:
                continue
            steps += 1
            try:
                ok = validate(cand) and still_fails(cand)
            except Exception:  # noqa: BLE001  (a broken candidate is not smaller)
                ok = False
            if ok:
                prog = cand
                improved = True
                break
            if steps >= max_steps:
                break
    return prog


def _vlit(x):
    if isinstance(x, float):
        return repr(x)
    return f"numpy.array({onp.asarray(x).tolist()!r})"


def reproducer(prog, failure):
    """A runnable script showing chainrule and the oracle disagreeing."""
    W, V, U, v2 = _probes(prog)
    n = len(prog.inputs)
    xs = ", ".join(f"x{i}" for i in range(n))
    lines = [
        f"# chainrule differential test, seed {prog.seed}: {failure.oracle} "
        f"disagrees with chainrule's {failure.check}",
        "import numpy, scipy.special",
        "import numpy as onp  # boolean masks are NumPy arrays (concrete under jax.jit)",
        "import chainrule, chainrule.numpy as cnp, chainrule.scipy.special as csps",
        "nan, inf = float('nan'), float('inf')",
        "",
        prog.source(),
        "",
    ]
    lines += [f"x{i} = {_vlit(x)}" for i, x in enumerate(prog.values)]
    lines.append(f"W = ({''.join(_vlit(w) + ', ' for w in W)})  # loss weights")
    lines.append("def loss(np, sps, *xs):")
    lines.append("    return sum(np.sum(np.real(w * o)) for w, o in zip(W, f(np, sps, *xs)))")
    argn = tuple(range(n))
    chk = failure.check
    if chk in ("grad", "value"):
        cr = f"chainrule.grad(lambda *a: loss(cnp, csps, *a), argnum={argn})({xs})" \
            if chk == "grad" else f"f(cnp, csps, {xs})"
        jx = f"jax.grad(lambda *a: loss(jnp, jsps, *a), argnums={argn})({xs})" \
            if chk == "grad" else f"f(jnp, jsps, {xs})"
        fd = f"fd_grad(lambda *a: loss(numpy, scipy.special, *a), {xs})" \
            if chk == "grad" else f"f(numpy, scipy.special, {xs})"
    elif chk in ("jvp", "vjp"):
        lines.append(f"V = ({''.join(_vlit(v) + ', ' for v in V)})  # tangents")
        if chk == "jvp":
            cr = f"chainrule.jvp(lambda *a: f(cnp, csps, *a), ({xs},), V)[1]"
            jx = f"jax.jvp(lambda *a: f(jnp, jsps, *a), ({xs},), V)[1]"
            fd = (f"[(numpy.asarray(p) - numpy.asarray(m)) / 2e-5 for p, m in zip("
                  f"f(numpy, scipy.special, *[x + 1e-5 * v for x, v in zip(({xs},), V)]), "
                  f"f(numpy, scipy.special, *[x - 1e-5 * v for x, v in zip(({xs},), V)]))]")
        else:
            lines.append(f"U = ({''.join(_vlit(u) + ', ' for u in U)})  # cotangents")
            cr = f"chainrule.vjp(lambda *a: f(cnp, csps, *a), {xs})[1](U)"
            jx = f"jax.vjp(lambda *a: f(jnp, jsps, *a), {xs})[1](U)"
            fd = ("fd_grad(lambda *a: sum(numpy.sum(numpy.real(u * o)) for u, o in "
                  f"zip(U, f(numpy, scipy.special, *a))), {xs})")
    else:
        lines.append(f"v = {_vlit(v2)}")
        lines.append("def G(np, sps):  # the loss of all inputs packed into one real vector")
        lines.append(f"    shapes = {[(v.shape, v.cplx) for v in prog.inputs]!r}")
        lines.append("    def g(p):")
        lines.append("        xs, o = [], 0")
        lines.append("        for s, c in shapes:")
        lines.append("            k = int(numpy.prod(s)); x = np.reshape(p[o:o + k], s); o += k")
        lines.append("            if c:")
        lines.append("                x = x + 1j * np.reshape(p[o:o + k], s); o += k")
        lines.append("            xs.append(x)")
        lines.append("        return loss(np, sps, *xs)")
        lines.append("    return g")
        lines.append(f"p = {_vlit(_pack(prog))}")
        cr = ("chainrule.hvp(G(cnp, csps))(p, v)" if chk == "hvp"
              else "chainrule.hessian(G(cnp, csps))(p) @ v")
        jx = "jax.jvp(jax.grad(G(jnp, jsps)), (p,), (v,))[1]"
        fd = ("(numpy.asarray(chainrule.grad(G(cnp, csps))(p + 1e-5 * v)) - numpy.asarray("
              "chainrule.grad(G(cnp, csps))(p - 1e-5 * v))) / 2e-5")
    lines.append(f"print('chainrule:', {cr})")
    if failure.oracle == "JAX" or failure.oracle == "exception":
        lines += ["import jax; jax.config.update('jax_enable_x64', True)",
                  "import jax.numpy as jnp, jax.scipy.special as jsps",
                  f"print('JAX:      ', {jx})"]
    if failure.oracle in ("FD", "exception"):
        if "fd_grad" in fd:
            lines[5:5] = [
                "def fd_grad(F, *xs, h=1e-6):  # central differences, real and imaginary parts",
                "    out = []",
                "    for i, x in enumerate(xs):",
                "        x = numpy.asarray(x); g = numpy.zeros(x.shape, complex)",
                "        for j in numpy.ndindex(x.shape):",
                "            for d in ([1.0, 1j] if numpy.iscomplexobj(x) else [1.0]):",
                "                e = numpy.zeros(x.shape, x.dtype); e[j] = h * d",
                "                a = list(xs); a[i] = x + e; b = list(xs); b[i] = x - e",
                "                g[j] += (F(*a) - F(*b)) / (2 * h) * (1 if d == 1.0 else -1j)",
                "        out.append(g if numpy.iscomplexobj(x) else g.real)",
                "    return tuple(out)",
                "",
            ]
        lines.append(f"print('FD:       ', {fd})")
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

@dataclass
class Result:
    seed: int
    prog: Program
    failures: list
    excluded_for: list


def run_seed(seed, checker, honour_known_bugs=True):
    prog = generate(seed)
    names, excluded = known_bug_exclusions(prog) if honour_known_bugs else ([], set())
    return Result(seed, prog, checker.check(prog, excluded), names)


def shrunk_report(res, checker, honour_known_bugs=True):
    """Shrink each failing check of ``res`` to a minimal program; the report text."""
    out = []
    seen = set()
    for fail in res.failures:
        if fail.key in seen:
            continue
        seen.add(fail.key)

        def still(p, key=fail.key):
            ex = known_bug_exclusions(p)[1] if honour_known_bugs else set()
            return any(x.key == key for x in checker.check(p, ex))
        small = shrink(res.prog, still)
        fs = [x for x in checker.check(small) if x.key == fail.key] or [fail]
        out.append(f"--- seed {res.seed}: {fs[0]}\n"
                   f"    shrunk from {len(res.prog.ops)} to {len(small.ops)} operations; "
                   f"reproducer:\n\n{reproducer(small, fs[0])}\n")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=1000)
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--no-jax", action="store_true")
    ap.add_argument("--jax-every", type=int, default=1,
                    help="JAX checks every N-th program only (JAX compiles each program: ~1 s)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--include-known-bugs", action="store_true",
                    help="do not exclude the KNOWN_BUGS patterns")
    ap.add_argument("--max-reports", type=int, default=40,
                    help="shrink and print at most this many failing seeds per check kind")
    ap.add_argument("--seeds", type=str, default="", help="comma-separated seeds to run")
    args = ap.parse_args(argv)
    checker = Checker(use_jax=not args.no_jax)
    fd_only = Checker(use_jax=False)
    fd_only.stats = checker.stats
    if not args.no_jax and checker.jax is None:
        print("JAX is not installed: finite differences only", flush=True)
    honour = not args.include_known_bugs
    seeds = [int(s) for s in args.seeds.split(",") if s] or \
        range(args.start, args.start + args.programs)
    t0 = time.time()
    n_fail, n_excl, per_key = 0, 0, {}
    for n, seed in enumerate(seeds, 1):
        try:
            ch = checker if seed % args.jax_every == 0 else fd_only
            res = run_seed(seed, ch, honour)
        except Exception:  # noqa: BLE001  (a generator error: report it, go on)
            print(f"seed {seed}: generator/checker error\n{traceback.format_exc()}")
            n_fail += 1
            continue
        n_excl += bool(res.excluded_for)
        if res.failures:
            n_fail += 1
            keys = sorted({f.key for f in res.failures})
            print(f"seed {seed}: FAIL {keys}", flush=True)
            first = [k for k in keys if per_key.get(k, 0) < args.max_reports]
            for k in keys:
                per_key[k] = per_key.get(k, 0) + 1
            if first and not args.no_shrink:
                res.failures = [f for f in res.failures if f.key in first]
                print(shrunk_report(res, ch, honour), flush=True)
        if n % 500 == 0:
            print(f"... {n} programs, {n_fail} failing, {time.time() - t0:.0f} s", flush=True)
    print(f"{len(seeds)} programs, {n_fail} failing, {n_excl} touched by known-bug "
          f"exclusions, {time.time() - t0:.1f} s; failing checks: {per_key}; "
          f"checks not applicable: {checker.stats}")
    for e in checker.jax_errors[:20]:
        print("JAX could not run", e)
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
