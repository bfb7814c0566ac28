"""``chainrule demo landscape``: the cost around the trained Iris network, and its symmetries.

The lecture: training a two-layer MLP is a non-convex problem with
exponentially many optima, because one optimum (V*, W*) gives many more with
the same cost. This demo looks at the cost J of the Iris network of
``chainrule demo iris`` (same seed, same training):

* **1-D interpolation** from the initial weights θ₀ to the trained θ*:
  J((1 − t) θ₀ + t θ*) for t from −0.5 to 1.5.
* **2-D slice** J(θ* + α δ + β η) along two random directions δ, η,
  *filter-normalized* (Li et al., 2018, "Visualizing the Loss Landscape of
  Neural Nets"): each neuron's incoming weights in the direction are rescaled
  to the norm of that neuron's trained incoming weights, and the bias weights
  (the weights of the constant input) are left out (set to zero), so that the
  slice's scale matches the network's own.
* **Weight-space symmetry, measured**: permuting the hidden units (M! ways),
  negating a unit's incoming and outgoing weights in a tanh network, and
  rescaling a ReLU unit's incoming weights by α > 0 and its outgoing ones by
  1/α all move θ* far away in weight space yet leave J unchanged to rounding.
  The same negation in the sigmoid network and the same rescaling in the tanh
  network are shown as controls: they change J.
"""

import functools
import math

import numpy as onp

from . import iris
from .common import figure, plain_log_ticks, progress, rng, save_figure, say

NAME = "landscape"
HELP = "the cost around the trained Iris network (1-D, 2-D slices) and its weight symmetries"

GRID, QUICK_GRID = 41, 15            # 2-D slice: points per axis
LINE, QUICK_LINE = 81, 21            # 1-D interpolation: points
SPAN = 1.0                           # the 2-D slice covers [−SPAN, SPAN]² in α, β
PERMUTATIONS, QUICK_PERMUTATIONS = 1000, 100
TRIALS, QUICK_TRIALS = 200, 30       # random sign patterns / random rescalings
ALPHA_RANGE = (0.1, 10.0)            # ReLU rescaling factors α, log-uniform
SYMMETRY_TOLERANCE = 1e-10


def add_arguments(parser):
    """Options of ``chainrule demo landscape``."""
    parser.add_argument("--grid", type=int, default=None, metavar="N",
                        help=f"points per axis of the 2-D slice (default {GRID}; {QUICK_GRID} "
                             "with --quick)")
    parser.add_argument("--span", type=float, default=SPAN,
                        help=f"the 2-D slice covers [-span, span]^2 (default {SPAN})")
    parser.add_argument("--permutations", type=int, default=None, metavar="N",
                        help=f"random permutations of the hidden units to try (default "
                             f"{PERMUTATIONS}; {QUICK_PERMUTATIONS} with --quick)")
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help=f"training steps, as in `chainrule demo iris` (default "
                             f"{iris.STEPS}; {iris.QUICK_STEPS} with --quick)")


# ---------------------------------------------------------------------------
# Directions and slices
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _data():
    return iris.load_data()  # read once: J is evaluated thousands of times


def J(params, activation="sigmoid"):
    """The Iris cost at ``params`` as a Python float (plain NumPy evaluation, no tracing)."""
    d = _data()
    return float(iris.cost(params, d.X, d.Y, activation))


def filter_normalized_direction(params, r):
    """A random Gaussian direction, filter-normalized to ``params`` (Li et al., 2018).

    A "filter" of a fully connected layer is one neuron's incoming weights:
    row m of V (hidden unit m) and row c of W (output c). Each row of the
    direction is rescaled to the norm of the same row of ``params``; the last
    column of V, the weights of the constant bias input, is set to zero
    (biases are not perturbed).
    """
    d = {k: r.normal(size=v.shape) for k, v in params.items()}
    d["V"][:, -1] = 0.0
    for k, cols in (("V", slice(0, -1)), ("W", slice(None))):
        rows_dir = d[k][:, cols]
        rows_dir *= (onp.linalg.norm(params[k][:, cols], axis=1, keepdims=True)
                     / onp.linalg.norm(rows_dir, axis=1, keepdims=True))
    return d


def axpy(params, *terms):
    """``params + Σ a·d`` for (a, d) in ``terms``, leaf by leaf."""
    return {k: params[k] + sum(a * d[k] for a, d in terms) for k in params}


def distance(p, q):
    """Euclidean distance between two weight settings."""
    return float(math.sqrt(sum(float(onp.sum((p[k] - q[k]) ** 2)) for k in p)))


# ---------------------------------------------------------------------------
# Symmetries
# ---------------------------------------------------------------------------

def permute_units(params, perm):
    """Hidden unit perm[m] becomes unit m: rows of V and columns of W move together."""
    return {"V": params["V"][perm], "W": params["W"][:, perm]}


def negate_units(params, signs):
    """Multiply unit m's incoming (row m of V) and outgoing (column m of W) weights by signs[m]."""
    s = onp.asarray(signs, dtype=float)
    return {"V": params["V"] * s[:, None], "W": params["W"] * s[None, :]}


def rescale_units(params, alphas):
    """Unit m's incoming weights times α_m, outgoing weights divided by α_m."""
    a = onp.asarray(alphas, dtype=float)
    return {"V": params["V"] * a[:, None], "W": params["W"] / a[None, :]}


def measure(params, activation, transforms):
    """Max |ΔJ|, max |ΔJ|/J and the mean and smallest distance moved, over ``transforms``."""
    J0 = J(params, activation)
    changes, moved = [], []
    for tr in transforms:
        q = tr(params)
        changes.append(abs(J(q, activation) - J0))
        moved.append(distance(q, params))
    changes = onp.asarray(changes)
    return {"count": len(changes), "cost": J0, "max_abs_change": float(changes.max()),
            "mean_abs_change": float(changes.mean()),
            "max_rel_change": float(changes.max() / abs(J0)),
            "mean_distance": float(onp.mean(moved)), "min_distance": float(onp.min(moved)),
            "weight_norm": distance(params, {k: 0 * v for k, v in params.items()}),
            "changes": changes}


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def plot_interpolation(ts, costs, accs, path):
    """J along the straight line from θ₀ (t = 0) to θ* (t = 1), with the training accuracy."""
    fig = figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    ax.plot(ts, costs, color="#4c72b0", lw=1.6)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    for t, label in ((0, "θ₀ (init)"), (1, "θ* (trained)")):
        ax.axvline(t, color="grey", ls=":", lw=1)
        # halfway up, on a white box: at the top the accuracy curve ran through the labels
        ax.text(t, 0.55, label, transform=ax.get_xaxis_transform(), ha="center", va="center",
                fontsize=8, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                      alpha=0.85))
    ax.set_xlabel("t in (1 − t) θ₀ + t θ*")
    ax.set_ylabel("cost J", color="#4c72b0")
    ax2 = ax.twinx()
    ax2.plot(ts, 100 * onp.asarray(accs), color="#dd8452", lw=1.0, ls="--")
    ax2.set_ylabel("training accuracy (%)", color="#dd8452")
    ax2.set_ylim(0, 102)
    ax.set_title("The cost on the straight line from initialization to the solution",
                 fontsize=10)
    return save_figure(fig, path)


def _log_levels(Z, n=20):
    lo, hi = float(Z.min()), float(Z.max())
    return onp.geomspace(lo, hi, n) if lo > 0 else n


def plot_contour(a, b, Z, path):
    """Contour plot of the 2-D slice; the trained weights are at the centre."""
    from matplotlib.colors import LogNorm
    fig = figure(figsize=(5.4, 4.6))
    ax = fig.add_subplot()
    levels = _log_levels(Z)
    cs = ax.contourf(a, b, Z, levels=levels, norm=LogNorm(), cmap="viridis")
    ax.contour(a, b, Z, levels=levels, colors="k", linewidths=0.3)
    ax.plot([0], [0], marker="*", color="r", ms=12, label="θ* (trained)")
    fig.colorbar(cs, ax=ax, label="cost J", format="%.3g")
    from matplotlib.ticker import MaxNLocator
    for axis in (ax.xaxis, ax.yaxis):  # 9 ticks like −0.75 run together on a 5-inch axis
        axis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel("α (filter-normalized direction δ)")
    ax.set_ylabel("β (filter-normalized direction η)")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("J(θ* + αδ + βη): contours", fontsize=10)
    return save_figure(fig, path)


def plot_surface(a, b, Z, path):
    """3-D surface of the 2-D slice (log J, so the basin and the walls both show)."""
    fig = figure(figsize=(6.0, 4.8))
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(a, b, onp.log10(Z), cmap="viridis", linewidth=0, antialiased=True,
                    rstride=1, cstride=1)
    from matplotlib.ticker import MaxNLocator
    for axis in (ax.xaxis, ax.yaxis):  # fewer ticks: −0.75, −0.50... ran together
        axis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel("α")
    ax.set_ylabel("β")
    ax.set_zlabel("log₁₀ J")
    ax.view_init(elev=35, azim=-60)
    ax.set_title("J(θ* + αδ + βη): surface", fontsize=10)
    return save_figure(fig, path)


def plot_symmetry(groups, path):
    """|ΔJ| of every symmetry transformation tried (log scale), with the two controls."""
    fig = figure(figsize=(7.0, 3.8))
    ax = fig.add_subplot()
    floor = 1e-17  # an exact 0 (no rounding at all) is drawn at the floor
    jitter = rng(0)
    for i, (_label, changes, is_symmetry) in enumerate(groups):
        y = onp.maximum(changes, floor)
        x = i + jitter.uniform(-0.18, 0.18, size=len(y))
        ax.scatter(x, y, s=6, alpha=0.5, color="#55a868" if is_symmetry else "#c44e52")
    # labels placed in axes coordinates along x, so that they stay inside the frame
    # whatever the jitter does to the x limits
    inside = ax.get_yaxis_transform()
    ax.axhline(floor, color="grey", ls=":", lw=0.8)
    ax.text(0.99, floor * 2, "exactly 0", ha="right", va="bottom", fontsize=8, color="grey",
            transform=inside)
    ax.axhline(SYMMETRY_TOLERANCE, color="k", ls="--", lw=1)
    ax.text(0.99, SYMMETRY_TOLERANCE * 2, "tolerance 1e-10", ha="right", va="bottom",
            fontsize=8, transform=inside)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, 1e3)
    ax.set_xticks(range(len(groups)), [g[0] for g in groups], fontsize=8)
    ax.set_ylabel("|J(transformed) − J(θ*)|")
    ax.set_title("Weight-space symmetries keep the cost (green); the controls do not (red)",
                 fontsize=10)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

def run(args):
    """Run the demo: 1-D and 2-D slices and the symmetry measurements; returns the report."""
    quick = args.quick
    grid = args.grid if getattr(args, "grid", None) else (QUICK_GRID if quick else GRID)
    span = getattr(args, "span", SPAN)
    n_perm = getattr(args, "permutations", None) or (QUICK_PERMUTATIONS if quick else PERMUTATIONS)
    n_line = QUICK_LINE if quick else LINE
    n_trials = QUICK_TRIALS if quick else TRIALS
    steps = iris.default_steps(args)
    r = rng(args.seed + 1)  # the directions and symmetries: a stream apart from the training's

    trained = iris.train_model(args.seed, steps, progress_bar=args.progress,
                               desc="training (sigmoid)")
    d, theta0, theta = trained.data, trained.init, trained.params
    J_star = J(theta)
    M = theta["V"].shape[0]
    say(f"The Iris network of `chainrule demo iris` (seed {args.seed}, {steps} steps): "
        f"J(θ₀) = {J(theta0):.4f}, J(θ*) = {J_star:.4f}, accuracy "
        f"{100 * trained.accuracies[-1]:.2f}%.")

    # -- 1-D: the straight line from θ₀ to θ* --------------------------------------------------
    ts = onp.linspace(-0.5, 1.5, n_line)
    step = {k: theta[k] - theta0[k] for k in theta}
    line = [axpy(theta0, (t, step)) for t in ts]
    line_costs = onp.array([J(p) for p in line])
    line_accs = [iris.accuracy(p, d.X, d.y) for p in line]
    inside = (ts >= 0) & (ts <= 1)
    rises = int(onp.sum(onp.diff(line_costs[inside]) > 0))
    how = "monotonically" if rises == 0 else f"with {rises} rises"
    say(f"\n1-D: J((1 − t) θ₀ + t θ*) at {n_line} points, t in [-0.5, 1.5]: J falls {how} "
        f"from {line_costs[inside][0]:.4f} (t = 0) to {line_costs[inside][-1]:.4f} (t = 1); "
        f"largest value on the line "
        f"{line_costs.max():.4f}, smallest {line_costs.min():.4f} at t = "
        f"{ts[line_costs.argmin()]:.3f}.")

    # -- 2-D: two filter-normalized directions ---------------------------------------------------
    delta, eta = filter_normalized_direction(theta, r), filter_normalized_direction(theta, r)
    flat = [onp.concatenate([v[k].ravel() for k in sorted(v)]) for v in (delta, eta)]
    cosine = float(flat[0] @ flat[1] / (onp.linalg.norm(flat[0]) * onp.linalg.norm(flat[1])))
    axis = onp.linspace(-span, span, grid)
    A, B = onp.meshgrid(axis, axis)
    Z = onp.empty_like(A)
    for i in progress(range(grid), total=grid, desc="2-D slice", enabled=args.progress):
        for j in range(grid):
            Z[i, j] = J(axpy(theta, (A[i, j], delta), (B[i, j], eta)))
    i_min = onp.unravel_index(Z.argmin(), Z.shape)
    say(f"2-D: J(θ* + αδ + βη) on a {grid}×{grid} grid, α, β in [-{span:g}, {span:g}], δ and η "
        f"filter-normalized (per-neuron norms of θ*, biases excluded; cos(δ, η) = {cosine:+.3f})"
        f": J from {Z.min():.4f} (at α = {A[i_min]:+.3f}, β = {B[i_min]:+.3f}) to {Z.max():.4f}"
        f"; J(θ*) = {J_star:.4f}.")

    # -- symmetries -------------------------------------------------------------------------------
    tanh = iris.train_model(args.seed, steps, activation="tanh", progress_bar=args.progress,
                            desc="training (tanh)")
    relu = iris.train_model(args.seed, steps, activation="relu", progress_bar=args.progress,
                            desc="training (ReLU)")
    perms = [r.permutation(M) for _ in range(n_perm)]
    signs = [onp.where(onp.arange(M) == m, -1.0, 1.0) for m in range(M)]       # one unit each
    signs += [r.choice([-1.0, 1.0], size=M) for _ in range(n_trials)]          # random subsets
    lo, hi = onp.log(ALPHA_RANGE[0]), onp.log(ALPHA_RANGE[1])
    alphas = [onp.where(onp.arange(M) == m, onp.exp(r.uniform(lo, hi)), 1.0) for m in range(M)]
    alphas += [onp.exp(r.uniform(lo, hi, size=M)) for _ in range(n_trials)]

    perm = measure(theta, "sigmoid", [lambda p, s=s: permute_units(p, s) for s in perms])
    neg = measure(tanh.params, "tanh", [lambda p, s=s: negate_units(p, s) for s in signs])
    resc = measure(relu.params, "relu", [lambda p, a=a: rescale_units(p, a) for a in alphas])
    neg_ctrl = measure(theta, "sigmoid", [lambda p, s=s: negate_units(p, s) for s in signs])
    resc_ctrl = measure(tanh.params, "tanh", [lambda p, a=a: rescale_units(p, a) for a in alphas])

    n_orderings = math.factorial(M)
    say(f"\nWeight-space symmetry (|ΔJ| = |J(transformed) − J|; distance = ‖θ' − θ‖, "
        f"‖θ*‖ = {perm['weight_norm']:.2f}):")
    rows = [("permute hidden units, sigmoid net", perm, f"{n_perm} random of M! = {M}! = "
             f"{n_orderings:.4g}"),
            ("negate a unit's in/out weights, tanh net", neg, f"{len(signs)} sign patterns of "
             f"2^{M} = {2 ** M}"),
            ("rescale ReLU unit: in ×α, out ×1/α", resc, f"{len(alphas)} rescalings, α in "
             f"[{ALPHA_RANGE[0]:g}, {ALPHA_RANGE[1]:g}]")]
    for label, m, what in rows:
        say(f"  {label:<42} {what}: max |ΔJ| = {m['max_abs_change']:.1e} "
            f"(J = {m['cost']:.4f}), mean distance {m['mean_distance']:.2f}")
    ok = max(m["max_abs_change"] for _, m, _ in rows) < SYMMETRY_TOLERANCE
    say(f"  all three leave J unchanged to rounding (< 1e-10): {ok}")
    say(f"  controls: the same negations in the sigmoid net change J by up to "
        f"{neg_ctrl['max_abs_change']:.3g}; the same rescalings in the tanh net by up to "
        f"{resc_ctrl['max_abs_change']:.3g}.")

    # -- figures --------------------------------------------------------------------------------
    out = args.out
    plot_interpolation(ts, line_costs, line_accs, out / "interpolation.png")
    plot_contour(A, B, Z, out / "contour.png")
    plot_surface(A, B, Z, out / "surface.png")
    plot_symmetry([("permute\n(sigmoid)", perm["changes"], True),
                   ("negate\n(tanh)", neg["changes"], True),
                   ("rescale\n(ReLU)", resc["changes"], True),
                   ("negate\n(sigmoid): control", neg_ctrl["changes"], False),
                   ("rescale\n(tanh): control", resc_ctrl["changes"], False)],
                  out / "symmetry.png")
    figures = [
        {"file": "interpolation.png", "caption": "On the straight line from the initial weights "
         "(t = 0) to the trained ones (t = 1) the cost falls "
         f"{'monotonically' if rises == 0 else 'with a few bumps'}; past t = 1 it rises again."},
        {"file": "contour.png", "caption": "Contours of the cost on a plane through the trained "
         "weights spanned by two random filter-normalized directions: the solution sits in a "
         "smooth basin."},
        {"file": "surface.png", "caption": "The same slice as a surface (log scale): one wide "
         "basin around the solution, walls rising in every direction."},
        {"file": "symmetry.png", "caption": "Permuting hidden units, negating tanh units and "
         "rescaling ReLU units move the weights far away yet change the cost only by rounding "
         "(green, below 1e-10); the same negations and rescalings applied where the activation "
         "has no such symmetry change it (red)."},
    ]
    say("Figures: " + ", ".join(str(out / f["file"]) for f in figures))

    def keep(m):
        return {k: v for k, v in m.items() if k != "changes"}

    numbers = {
        "steps": steps, "hidden_units": M, "cost_init": J(theta0), "cost_trained": J_star,
        "train_accuracy": trained.accuracies[-1],
        "interpolation": {"points": n_line, "t_min": -0.5, "t_max": 1.5,
                          "cost_t0": float(line_costs[inside][0]),
                          "cost_t1": float(line_costs[inside][-1]),
                          "rises_between_0_and_1": rises, "monotone": rises == 0,
                          "max_cost": float(line_costs.max()), "min_cost": float(line_costs.min()),
                          "argmin_t": float(ts[line_costs.argmin()])},
        "surface": {"grid": grid, "span": span, "direction_cosine": cosine,
                    "min_cost": float(Z.min()), "max_cost": float(Z.max()),
                    "argmin_alpha": float(A[i_min]), "argmin_beta": float(B[i_min]),
                    "center_cost": J_star},
        "symmetry": {
            "tolerance": SYMMETRY_TOLERANCE, "all_below_tolerance": ok,
            "hidden_unit_orderings": n_orderings, "sign_patterns": 2 ** M,
            "permutation": {**keep(perm), "activation": "sigmoid"},
            "negation_tanh": {**keep(neg), "activation": "tanh"},
            "rescaling_relu": {**keep(resc), "activation": "relu",
                               "alpha_range": list(ALPHA_RANGE)},
            "control_negation_sigmoid": keep(neg_ctrl),
            "control_rescaling_tanh": keep(resc_ctrl),
            "cost_trained_tanh": tanh.costs[-1], "cost_trained_relu": relu.costs[-1],
        },
    }
    summary = [
        f"1-D interpolation init -> trained: J {numbers['interpolation']['cost_t0']:.3f} -> "
        f"{numbers['interpolation']['cost_t1']:.3f}, "
        f"{'monotone' if rises == 0 else f'{rises} rises'}",
        f"2-D filter-normalized slice {grid}×{grid}: J in [{Z.min():.3f}, {Z.max():.3f}]",
        f"{M}! = {n_orderings} unit orderings; {n_perm} permutations: max |ΔJ| "
        f"{perm['max_abs_change']:.1e}",
        f"tanh negations max |ΔJ| {neg['max_abs_change']:.1e}; ReLU rescalings max |ΔJ| "
        f"{resc['max_abs_change']:.1e} (controls: {neg_ctrl['max_abs_change']:.3g}, "
        f"{resc_ctrl['max_abs_change']:.3g})",
    ]
    return {"demo": NAME, "seed": args.seed, "quick": quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": "The tanh and ReLU networks are the Iris network with its sigmoid units "
                     "replaced, trained the same way; symmetry changes are absolute differences "
                     "of the summed cost J."}
