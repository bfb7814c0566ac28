"""``chainrule demo modes``: forward versus reverse mode, timed.

The lecture's closing claim: forward mode suits the Jacobian of
f: Rⁿ → Rᵐ when m ≥ n, reverse mode when n > m. Forward mode gets one
*column* of the Jacobian per pass (a tangent per input), so the full
Jacobian takes n passes; reverse mode gets one *row* per backward pass (a
cotangent per output), so it takes m backward passes after one recorded
forward pass.

This demo times both on f(x) = B tanh(A sin(x)) (A: h×n, B: m×h) over a grid
of (n, m), two ways:

* **one pass per basis vector**, the lecture's algorithm: n calls of
  :func:`~chainrule.jvp` versus one :func:`~chainrule.vjp` and m pullbacks;
* **batched**, what chainrule's :func:`~chainrule.jacfwd` and
  :func:`~chainrule.jacrev` do: all n tangents (or m cotangents) pushed
  through together as one array operation. Python's per-pass overhead
  disappears; the arithmetic still scales with n or m.

Then the "cheap gradient" ratio: the time of the gradient of the Iris MLP's
cost (reverse mode) over the time of the cost itself, next to the forward-mode
and finite-difference gradients, whose cost grows with the number of weights.

All times are medians of repeated runs (``time.perf_counter``) and differ
from run to run and machine to machine; they are reported under
``numbers.timing``.
"""

import math

import numpy as onp

import chainrule.numpy as np
from chainrule import jacfwd, jacrev, jvp, value_and_grad, vjp
from chainrule.test_util import numerical_grad

from . import iris
from .common import (figure, median_time, one_blas_thread, plain_log_ticks, progress,
                     rel_diff, rng, save_figure, say)

NAME = "modes"
HELP = "forward vs reverse mode: full-Jacobian times over (n, m), and the cheap-gradient ratio"

SIZES = tuple(2 ** k for k in range(9))       # n and m: 1 .. 256
QUICK_SIZES = (1, 8, 64)
HIDDEN = 64                                   # h, the width inside f
REPEATS, QUICK_REPEATS = 5, 3
WIDE = dict(examples=1024, inputs=64, hidden=256, classes=10)        # the larger MLP
QUICK_WIDE = dict(examples=256, inputs=32, hidden=128, classes=10)


def add_arguments(parser):
    """Options of ``chainrule demo modes``."""
    parser.add_argument("--sizes", type=int, nargs="+", default=None, metavar="K",
                        help="the values of n and m (default 1 2 4 ... 256; 1 8 64 with --quick)")
    parser.add_argument("--repeats", type=int, default=None, metavar="R",
                        help=f"timing repeats per measurement, the median is kept (default "
                             f"{REPEATS}; {QUICK_REPEATS} with --quick)")


# ---------------------------------------------------------------------------
# The function and the four ways to get its Jacobian
# ---------------------------------------------------------------------------

def make_function(n, m, r, hidden=HIDDEN):
    """f: Rⁿ → Rᵐ, f(x) = B tanh(A sin(x)), with random A (h×n) and B (m×h)."""
    A = r.normal(size=(hidden, n)) / math.sqrt(n)
    B = r.normal(size=(m, hidden)) / math.sqrt(hidden)

    def f(x):
        return B @ np.tanh(A @ np.sin(x))
    return f


def jacobian_forward_passes(f, x, m):
    """The full Jacobian (m, n) by forward mode, one pass per input: column i = J e_i."""
    eye = onp.eye(len(x))
    return onp.stack([onp.asarray(jvp(f, (x,), (eye[i],))[1]) for i in range(len(x))], axis=1)


def jacobian_reverse_passes(f, x, m):
    """The full Jacobian (m, n) by reverse mode: one recorded pass, then row j = e_jᵀ J."""
    _, pullback = vjp(f, x)
    eye = onp.eye(m)
    return onp.stack([onp.asarray(pullback(eye[j])[0]) for j in range(m)], axis=0)


#: times closer than this factor count as a tie when judging which mode won
TIE = 1.25


def crossover(sizes, ratio, margin=1.0):
    """For each m (row), the n beyond which reverse mode stays cheaper (log-interpolated).

    ``ratio[i, j]`` is t_forward / t_reverse at m = sizes[i], n = sizes[j].
    The crossover is the *last* n along the row where the ratio rises past
    ``margin`` (1: reverse mode cheaper; 1.25: more than 1.25× cheaper), so
    that noise among small, equally fast cells does not place it early;
    ``sizes[0]`` when the ratio is past ``margin`` all along the row, ``None``
    when it is not yet at the largest n.
    """
    logs = onp.log2(onp.asarray(sizes, dtype=float))
    out = []
    for row in onp.log(ratio) - onp.log(margin):
        if row[-1] <= 0:
            out.append(None)
            continue
        j = max((k for k in range(len(row)) if row[k] <= 0), default=None)
        if j is None:
            out.append(float(sizes[0]))
            continue
        frac = -row[j] / (row[j + 1] - row[j])
        out.append(float(2 ** (logs[j] + frac * (logs[j + 1] - logs[j]))))
    return out


def rule_agreement(sizes, ratio):
    """How often the cheaper mode is the lecture's (forward iff m ≥ n), off the diagonal.

    Returns ``(agree, cells, decisive_agree, decisive)``: over all cells with
    n ≠ m, and over those where one mode is more than 25% faster.
    """
    agree = cells = d_agree = decisive = 0
    for i, m in enumerate(sizes):
        for j, n in enumerate(sizes):
            if m == n:
                continue  # on the diagonal both modes need the same number of passes
            ok = (ratio[i, j] <= 1.0) == (m > n)
            cells += 1
            agree += ok
            if max(ratio[i, j], 1 / ratio[i, j]) > TIE:
                decisive += 1
                d_agree += ok
    return agree, cells, d_agree, decisive


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

#: name -> (colour, line style, marker); batched: dashed with open markers, so that the
#: legend tells them apart even where a short handle would hide the dashes
STYLE = {"forward, one pass per input": ("#4c72b0", "-", "o"),
         "reverse, one pass per output": ("#dd8452", "-", "o"),
         "forward, batched (jacfwd)": ("#4c72b0", "--", "s"),
         "reverse, batched (jacrev)": ("#dd8452", "--", "s")}


def plot_times(sizes, times, fixed, path):
    """Full-Jacobian time against n (m fixed) and against m (n fixed), four methods."""
    fig = figure(figsize=(9.0, 3.8))
    k = sizes.index(fixed)
    for col, (label, sl) in enumerate([(f"n (inputs), m = {fixed}", lambda t: t[k, :]),
                                       (f"m (outputs), n = {fixed}", lambda t: t[:, k])]):
        ax = fig.add_subplot(1, 2, col + 1)
        for name, t in times.items():
            color, ls, marker = STYLE[name]
            ax.plot(sizes, 1e3 * sl(t), color=color, ls=ls, marker=marker, ms=4, label=name,
                    mfc=color if ls == "-" else "white")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        from matplotlib.ticker import FuncFormatter
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 64, not 2⁶
        plain_log_ticks(ax.yaxis)
        ax.set_xlabel(label)
        ax.set_ylabel("time for the full Jacobian (ms)")
        ax.grid(True, which="major", alpha=0.3)
        if col == 0:
            ax.legend(fontsize=7, handlelength=4)  # long enough to show the dashes
    fig.suptitle("Forward mode grows with n, reverse mode with m", fontsize=10)
    return save_figure(fig, path)


def plot_crossover(sizes, ratios, crossings, path):
    """Heat maps of log₂(t_forward / t_reverse) over (n, m), with n = m and the crossover."""
    from matplotlib.colors import TwoSlopeNorm
    fig = figure(figsize=(9.6, 4.0))
    idx = onp.arange(len(sizes))
    # one colour scale for both panels (one colour = one time ratio), with one colour bar
    lim = max(1.0, max(float(onp.abs(onp.log2(r)).max()) for r in ratios.values()))
    norm = TwoSlopeNorm(0, -lim, lim)
    axes = []
    for col, (name, ratio) in enumerate(ratios.items()):
        ax = fig.add_subplot(1, 2, col + 1)
        axes.append(ax)
        im = ax.imshow(onp.log2(ratio), origin="lower", cmap="RdBu_r", norm=norm)
        ax.plot(idx, idx, color="k", ls=":", lw=1, label="n = m")
        cx = [(onp.log2(c) - onp.log2(sizes[0])) / (onp.log2(sizes[1]) - onp.log2(sizes[0]))
              if c is not None else onp.nan for c in crossings[name]]
        ax.plot(cx, idx, color="k", marker="x", ls="-", lw=1.2,
                label="crossover" if col == 0 else f"reverse > {TIE:g}× faster")
        ax.set_xticks(idx, [str(s) for s in sizes], fontsize=7)
        ax.set_yticks(idx, [str(s) for s in sizes], fontsize=7)
        ax.set_xlabel("n (inputs)")
        ax.set_ylabel("m (outputs)")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.colorbar(im, ax=axes, shrink=0.85,
                 label="log₂(t_forward / t_reverse)\nred: reverse cheaper, blue: forward")
    fig.suptitle("Which mode is cheaper for the full Jacobian of f: Rⁿ → Rᵐ", fontsize=10)
    return save_figure(fig, path)


def plot_cheap_gradient(rows, path):
    """Time of each way to get the gradient, in units of one evaluation of the cost."""
    fig = figure(figsize=(6.8, 3.2))
    ax = fig.add_subplot()
    labels = [r[0] for r in rows]
    values = [r[1] for r in rows]
    colors = [r[2] for r in rows]
    ax.barh(labels, values, color=colors)
    ax.set_xscale("log")
    ax.axvline(1.0, color="k", lw=0.8)
    for i, v in enumerate(values):
        ax.text(v * 1.1, i, f"{v:.1f}×", va="center", fontsize=8)
    ax.set_xlim(0.5, max(values) * 4)
    ax.invert_yaxis()
    ax.set_xlabel("time / time of the cost J itself")
    # a figure title, centred on the figure: the axes' own title is centred on the plot area
    # and, wider than it, ran into the figure's edge
    fig.suptitle("The cheap gradient: reverse mode costs a few evaluations of J", fontsize=10)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

def _wide_problem(size, r):
    """A larger instance of the lecture's MLP on random data, where arithmetic dominates."""
    N, D, M, C = size["examples"], size["inputs"], size["hidden"], size["classes"]
    X = iris.with_bias(r.normal(size=(N, D)))
    Y = onp.eye(C)[r.integers(0, C, size=N)]
    params = {"V": r.normal(0, 1 / math.sqrt(D + 1), (M, D + 1)),
              "W": r.normal(0, 1 / math.sqrt(M), (C, M))}
    return params, X, Y


def _crossing(c, m, sizes):
    if c is None:
        return f"m = {m}: none up to n = {sizes[-1]}"
    return f"m = {m}: n ≈ {c:.3g}" if c > sizes[0] else f"m = {m}: n ≤ {sizes[0]}"


def run(args):
    """Run the demo: the (n, m) timing grid and the cheap-gradient ratios; returns the report."""
    with one_blas_thread() as pinned:  # steadier times (see one_blas_thread)
        return _run(args, pinned)


def _run(args, pinned):
    quick = args.quick
    sizes = sorted(set(getattr(args, "sizes", None) or (QUICK_SIZES if quick else SIZES)))
    if len(sizes) < 2:
        raise ValueError("--sizes needs at least two values")
    repeats = getattr(args, "repeats", None) or (QUICK_REPEATS if quick else REPEATS)
    min_total = 0.005 if quick else 0.02  # fast cells get more repeats (less noisy medians)
    r = rng(args.seed)
    names = list(STYLE)
    times = {k: onp.zeros((len(sizes), len(sizes))) for k in names}
    max_disagreement = 0.0
    cells = [(i, j) for i in range(len(sizes)) for j in range(len(sizes))]
    say(f"Full Jacobian of f(x) = B tanh(A sin(x)), f: Rⁿ → Rᵐ, h = {HIDDEN}, n and m in "
        f"{sizes}; median of ≥ {repeats} runs each.")
    for i, j in progress(cells, total=len(cells), desc="(n, m) grid", enabled=args.progress):
        m, n = sizes[i], sizes[j]
        f = make_function(n, m, r)
        x = r.normal(size=n)
        ways = {names[0]: lambda: jacobian_forward_passes(f, x, m),
                names[1]: lambda: jacobian_reverse_passes(f, x, m),
                names[2]: lambda: jacfwd(f)(x),
                names[3]: lambda: jacrev(f)(x)}
        results = {k: onp.asarray(fn()).reshape(m, n) for k, fn in ways.items()}
        ref = results[names[0]]
        max_disagreement = max(max_disagreement,
                               *(rel_diff(v, ref) for v in results.values()))
        for k, fn in ways.items():
            times[k][i, j] = median_time(fn, repeats=repeats, warmup=0, min_total=min_total)

    per_pass = times[names[0]] / times[names[1]]
    batched = times[names[2]] / times[names[3]]
    cross = {"one pass per basis vector": crossover(sizes, per_pass),
             "batched (jacfwd / jacrev)": crossover(sizes, batched, margin=TIE)}
    agree_pp, total, dec_agree_pp, dec_pp = rule_agreement(sizes, per_pass)
    agree_b, _, dec_agree_b, dec_b = rule_agreement(sizes, batched)
    diag = [per_pass[i, i] for i in range(len(sizes))]
    say(f"All four Jacobians agree in every cell (max relative difference "
        f"{max_disagreement:.1e}).")
    say("One pass per basis vector (n jvp calls vs 1 vjp + m pullbacks): the cheaper mode is "
        f"the lecture's (forward when m > n, reverse when n > m) in {agree_pp} of {total} cells "
        f"off the diagonal ({dec_agree_pp} of the {dec_pp} where one mode is more than {TIE:g}× "
        f"faster); on n = m, forward/reverse time is {min(diag):.2f}–{max(diag):.2f}.")
    say("  crossover (reverse mode cheaper for all larger n): " + "; ".join(
        _crossing(c, m, sizes) for m, c in zip(sizes, cross["one pass per basis vector"])))
    say(f"Batched (jacfwd vs jacrev): the lecture's choice is the faster in {agree_b} of {total} "
        f"cells, and in {dec_agree_b} of the {dec_b} where one mode is more than {TIE:g}× "
        "faster; small problems cost about the same either way (one pass of Python "
        "overhead), the gap opens as n or m grows.")
    say(f"  reverse mode more than {TIE:g}× faster for all larger n: " + "; ".join(
        _crossing(c, m, sizes) for m, c in zip(sizes, cross["batched (jacfwd / jacrev)"])))
    corners = {"n_max_m_1": float(per_pass[0, -1]), "n_1_m_max": float(per_pass[-1, 0])}
    say(f"  at n = {sizes[-1]}, m = 1 forward mode is {corners['n_max_m_1']:.0f}× slower; at "
        f"n = 1, m = {sizes[-1]} reverse mode is {1 / corners['n_1_m_max']:.0f}× slower "
        "(one pass per basis vector).")

    # -- the cheap gradient ------------------------------------------------------------------
    d = iris.load_data()
    params = iris.init_params(args.seed)
    n_w = sum(v.size for v in params.values())
    reps = 11 if quick else 31

    def f_iris():
        return iris.cost(params, d.X, d.Y)
    vg = value_and_grad(iris.cost)
    t_f = median_time(f_iris, repeats=reps)
    t_rev = median_time(lambda: vg(params, d.X, d.Y), repeats=reps)
    t_fwd = median_time(lambda: jacfwd(iris.cost)(params, d.X, d.Y), repeats=max(3, reps // 4))
    theta = iris.flatten(params)
    fd = numerical_grad(lambda th: float(iris.cost(iris.unflatten(th, params), d.X, d.Y)))
    t_fd = median_time(lambda: fd(theta), repeats=3)
    size = QUICK_WIDE if quick else WIDE
    wp, wX, wY = _wide_problem(size, r)
    n_wide = sum(v.size for v in wp.values())
    t_wf = median_time(lambda: iris.cost(wp, wX, wY), repeats=max(5, reps // 3))
    t_wg = median_time(lambda: vg(wp, wX, wY), repeats=max(5, reps // 3))
    ratios = {"iris_reverse": t_rev / t_f, "iris_forward": t_fwd / t_f, "iris_fd": t_fd / t_f,
              "wide_reverse": t_wg / t_wf}
    say("\nCheap gradient (time of the gradient / time of the cost J itself):")
    say(f"  Iris MLP ({n_w} weights, N = {len(d.y)}): J {1e6 * t_f:.0f} µs; reverse mode "
        f"(value_and_grad) {ratios['iris_reverse']:.1f}×, forward mode (jacfwd, {n_w} tangents) "
        f"{ratios['iris_forward']:.1f}×, finite differences ({2 * n_w} evaluations) "
        f"{ratios['iris_fd']:.0f}×")
    say(f"  wider MLP ({size['inputs']}+1 → {size['hidden']} → {size['classes']}, "
        f"{n_wide} weights, N = {size['examples']}): J {1e3 * t_wf:.2f} ms; reverse mode "
        f"{ratios['wide_reverse']:.1f}×")

    out = args.out
    fixed = sizes[len(sizes) // 2]
    plot_times(sizes, times, fixed, out / "jacobian_times.png")
    plot_crossover(sizes, {"one pass per basis vector": per_pass,
                           "batched (jacfwd / jacrev)": batched}, cross, out / "crossover.png")
    plot_cheap_gradient([("J itself", 1.0, "#999999"),
                         ("reverse mode (Iris)", ratios["iris_reverse"], "#dd8452"),
                         ("forward mode (Iris)", ratios["iris_forward"], "#4c72b0"),
                         ("finite differences (Iris)", ratios["iris_fd"], "#c44e52"),
                         (f"reverse mode (wider, {n_wide} w.)", ratios["wide_reverse"],
                          "#dd8452")], out / "cheap_gradient.png")
    figures = [
        {"file": "jacobian_times.png", "caption": "Time for the full Jacobian: forward mode "
         "grows with the number of inputs n and not with m, reverse mode with the number of "
         "outputs m and not with n (solid: one pass per basis vector; dashed: chainrule's "
         "batched jacfwd/jacrev)."},
        {"file": "crossover.png", "caption": "log₂ of forward-mode time over reverse-mode time "
         "for every (n, m): blue where forward mode is cheaper (m ≥ n), red where reverse mode "
         "is (n > m); the crossover follows the diagonal n = m (right: chainrule's batched "
         "jacfwd/jacrev, where small problems cost the same either way)."},
        {"file": "cheap_gradient.png", "caption": "The gradient of the cost by reverse mode "
         "costs a few evaluations of the cost, whatever the number of weights; forward mode and "
         "finite differences cost in proportion to the number of weights."},
    ]
    say("Figures: " + ", ".join(str(out / f["file"]) for f in figures))

    timing = {
        "sizes": sizes, "repeats": repeats, "blas_one_thread": pinned,
        "seconds": {k: v for k, v in times.items()},
        "forward_over_reverse": {"one_pass_per_basis_vector": per_pass, "batched": batched},
        "crossover_n_per_m": cross,
        "rule_agreement": {"one_pass_per_basis_vector": agree_pp, "batched": agree_b,
                           "cells_off_diagonal": total, "tie_factor": TIE,
                           "decisive_one_pass_per_basis_vector": [dec_agree_pp, dec_pp],
                           "decisive_batched": [dec_agree_b, dec_b]},
        "diagonal_forward_over_reverse": {"min": min(diag), "max": max(diag)},
        "corners_forward_over_reverse": corners,
        "cheap_gradient": {"iris_cost_seconds": t_f, "iris_reverse_seconds": t_rev,
                           "iris_forward_seconds": t_fwd, "iris_fd_seconds": t_fd,
                           "wide_cost_seconds": t_wf, "wide_reverse_seconds": t_wg,
                           "ratios": ratios},
    }
    numbers = {"sizes": sizes, "hidden": HIDDEN, "repeats": repeats,
               "jacobian_max_rel_diff": max_disagreement, "iris_weights": n_w,
               "fd_evaluations": 2 * n_w, "wide_mlp": {**size, "weights": n_wide},
               "timing": timing}
    summary = [
        f"full Jacobian, one pass per basis vector: the lecture's cheaper mode in {agree_pp}/"
        f"{total} off-diagonal cells; batched jacfwd/jacrev: {agree_b}/{total}",
        f"cheap gradient: reverse {ratios['iris_reverse']:.1f}× J (Iris, {n_w} weights), "
        f"{ratios['wide_reverse']:.1f}× J (wider MLP, {n_wide} weights); forward mode "
        f"{ratios['iris_forward']:.0f}×, finite differences {ratios['iris_fd']:.0f}× (Iris)",
    ]
    return {"demo": NAME, "seed": args.seed, "quick": quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": "Times are medians of repeated runs on this machine and change from run to "
                     "run (numbers.timing); the Jacobians themselves are the same for the same "
                     "seed. On small problems chainrule's Python overhead per operation, not "
                     "arithmetic, sets the time, which is why the Iris ratio is larger than the "
                     "wider MLP's."}
