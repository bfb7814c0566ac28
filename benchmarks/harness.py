"""The small harness behind ``benchmarks/run.py``: cells, checks, timing, memory.

A *case* is one thing being measured (``W2 f32 grad``, ``W4 (10,1000) jacrev``...):
a NumPy reference closure plus one closure per system. Every closure takes no
arguments and returns its outputs (value and gradients) as a flat tuple, so
that checking is one comparison against the reference's tuple.

Timing interleaves every cell of a workload round-robin, one sample per cell
per round, so that slow drifts of the machine (frequency, other processes)
hit all systems alike; ratios are ratios of medians measured in the same run.
"""

import gc
import math
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as onp


# ----------------------------------------------------------------------------
# Cases and cells
# ----------------------------------------------------------------------------

@dataclass
class Target:
    """A bound on chainrule's number for a case.

    ``kind`` is ``"ratio"`` (median / NumPy reference median) or ``"us_per_op"``
    (median / ``per`` in microseconds).
    """
    kind: str
    bound: float
    note: str = ""

    def describe(self):
        if self.kind == "ratio":
            return f"<= {self.bound:g}x"
        if self.kind == "us_per_op":
            return f"<= {self.bound:g} us/op"
        return f"<= {self.bound:g}"


@dataclass
class Case:
    workload: str                    # "W2"
    name: str                        # "f32 grad"
    ref: Callable                    # the hand-written NumPy closure (the ratio's denominator)
    systems: dict                    # system name -> closure
    tol: float = 1e-8                # relative error allowed against the reference outputs
    expected: Optional[Callable] = None  # outputs to check against (default: ref's outputs)
    target: Optional[Target] = None  # chainrule's target
    jit_target: Optional[Target] = None  # chainrule-jit's target (chainrule.jit)
    per: int = 1                     # report time / per (W3: 200 ops)
    phases: dict = field(default_factory=dict)  # --profile: name -> closure, timed alone
    jit_parts: Optional[tuple] = None  # (transform, args): run.py times jit's recording call


@dataclass
class Cell:
    case: Case
    system: str
    fn: Callable
    number: int = 1                  # calls per timed sample
    samples: list = field(default_factory=list)  # seconds per call
    check_err: Optional[float] = None
    check_ok: Optional[bool] = None
    check_msg: str = ""
    error: Optional[str] = None      # exception text: the cell is skipped

    @property
    def key(self):
        return (self.case.workload, self.case.name, self.system)

    def median(self):
        return float(onp.median(self.samples)) if self.samples else math.nan

    def p10(self):
        return float(onp.percentile(self.samples, 10)) if self.samples else math.nan


# ----------------------------------------------------------------------------
# Converting any system's outputs to NumPy, and checking them
# ----------------------------------------------------------------------------

def to_numpy(x):
    """Flatten nested outputs of any system into a list of NumPy arrays."""
    if isinstance(x, (tuple, list)):
        out = []
        for v in x:
            out.extend(to_numpy(v))
        return out
    if isinstance(x, dict):
        out = []
        for k in sorted(x):
            out.extend(to_numpy(x[k]))
        return out
    mod = type(x).__module__.split(".")[0]
    if mod == "torch":
        return [x.detach().cpu().numpy()]
    if mod in ("jax", "jaxlib"):
        return [onp.asarray(x)]
    if hasattr(x, "_value") and type(x).__name__ in ("Box", "ArrayBox"):
        raise TypeError(f"a traced value escaped: {type(x)}")
    return [onp.asarray(x)]


def rel_err(a, b):
    """``||a - b|| / ||b||`` (2-norms; absolute when ``b`` is zero)."""
    a = onp.asarray(a, dtype=onp.float64 if onp.asarray(a).dtype.kind != "c" else complex)
    b = onp.asarray(b, dtype=a.dtype)
    nb = float(onp.linalg.norm(b.ravel()))
    d = float(onp.linalg.norm((a - b).ravel()))
    if not math.isfinite(d):
        return math.inf
    return d / nb if nb > 0 else d


def check_outputs(got, want, tol, check_dtype=True):
    """Compare two flat lists of arrays; return ``(ok, max_rel_err, message)``."""
    if len(got) != len(want):
        return False, math.inf, f"{len(got)} outputs, expected {len(want)}"
    worst, msgs = 0.0, []
    for i, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape:
            return False, math.inf, f"output {i}: shape {g.shape}, expected {w.shape}"
        if check_dtype and w.ndim > 0 and g.dtype != w.dtype:
            msgs.append(f"output {i}: dtype {g.dtype}, expected {w.dtype}")
        e = rel_err(g, w)
        worst = max(worst, e)
    ok = worst <= tol and not msgs
    if worst > tol:
        msgs.append(f"relative error {worst:.2e} > {tol:.0e}")
    return ok, worst, "; ".join(msgs)


def run_checks(cells, ref_outputs):
    """Call every cell once and compare with its case's expected outputs.

    This call doubles as the warm-up (JIT compilation happens here).
    """
    for cell in cells:
        if cell.error:
            continue
        try:
            got = to_numpy(cell.fn())
        except Exception as e:  # a crashing cell is reported, never fatal
            cell.error = f"{type(e).__name__}: {e}"
            cell.check_ok = False
            cell.check_msg = "raised " + cell.error
            continue
        want = ref_outputs[id(cell.case)]
        # float32 peers are held to float32 outputs too; only chainrule and the
        # reference are required to keep the exact dtype of the reference.
        strict = cell.system in ("numpy", "chainrule", "chainrule-jit")
        cell.check_ok, cell.check_err, cell.check_msg = check_outputs(
            got, want, cell.case.tol, check_dtype=strict)


# ----------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------

def _time_once(fn, number, warm=False):
    # Start every sample from a collected heap: the cyclic garbage a system
    # leaves (autograd's graph nodes, say) is then charged to no other system's
    # sample. Cheap because run.py freezes the long-lived objects first.
    gc.collect()
    if warm:
        fn()  # untimed: refill caches after the previous (other system's) sample
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        t1 = time.perf_counter()
    finally:
        if gc_was:
            gc.enable()
    return (t1 - t0) / number


def calibrate(cells, sample_s):
    """Choose calls-per-sample so that one sample lasts about ``sample_s``."""
    for cell in cells:
        if cell.error:
            continue
        try:
            t = _time_once(cell.fn, 1)
            t = min(t, _time_once(cell.fn, 1))
        except Exception as e:
            cell.error = f"{type(e).__name__}: {e}"
            continue
        cell.number = max(1, int(sample_s / max(t, 1e-9)))
        cell._single = t


def interleave(cells, budget_s, min_rounds, max_rounds, warm_below_s=5e-3, progress=None):
    """Round-robin timing of all cells until the budget is spent.

    A cell whose call is shorter than ``warm_below_s`` gets one untimed call
    before each sample: after another system's sample the caches hold that
    system's code and data, and a short workload would otherwise measure the
    refill (a training loop runs the same step back to back).
    """
    live = [c for c in cells if not c.error]
    if not live:
        return 0
    round_s = sum((c.number + (c._single < warm_below_s)) * c._single for c in live)
    rounds = int(budget_s / max(round_s, 1e-9))
    rounds = max(min_rounds, min(max_rounds, rounds))
    for r in range(rounds):
        for cell in live:
            if cell.error:
                continue
            try:
                cell.samples.append(_time_once(cell.fn, cell.number,
                                               warm=cell._single < warm_below_s))
            except Exception as e:
                cell.error = f"{type(e).__name__}: {e}"
        if progress:
            progress(r + 1, rounds)
    return rounds


# ----------------------------------------------------------------------------
# Peak memory
# ----------------------------------------------------------------------------

def peak_memory(fn, repeat=3):
    """Peak bytes allocated (above what was live before) during ``fn()``.

    NumPy reports its data buffers to tracemalloc, so this counts arrays as
    well as Python objects. The smallest of ``repeat`` runs is returned.
    """
    fn()  # warm caches (first-call allocations) outside the measurement
    best = None
    for _ in range(repeat):
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            out = fn()
            peak = tracemalloc.get_traced_memory()[1]
            del out
        finally:
            tracemalloc.stop()
        used = peak - base
        best = used if best is None else min(best, used)
    return best


# ----------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------

def fmt_time(s):
    if s is None or not math.isfinite(s):
        return "-"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.3g} us" if s * 1e6 < 100 else f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(r):
    if r is None or not math.isfinite(r):
        return "-"
    if r >= 100:
        return f"{r:.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def render_table(headers, rows):
    """A plain fixed-width table (left-aligned text, right-aligned numbers)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(str(v)))

    def line(vals):
        parts = []
        for i, v in enumerate(vals):
            v = str(v)
            numeric = v[:1].isdigit() or v[:1] == "-" and len(v) > 1
            parts.append(v.rjust(widths[i]) if numeric else v.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)
