"""``chainrule demo critical-points``: the lecture's beliefs about critical points, measured.

The lecture repeats three "general beliefs supported by empirical and
theoretical results in special settings": a network's cost has many critical
points; many more of them are saddle points than local minima; and the local
minima lie at low cost, close to the global one. With exact Hessians these
can be checked on a small network instead of repeated:

* **Finding critical points.** The Iris network of ``chainrule demo iris``
  with :data:`HIDDEN` = 4 sigmoid units (24 weights) and a small weight decay
  (see :data:`WEIGHT_DECAY` for why). From random starts of several scales and
  from points along gradient-descent paths, the demo minimizes
  φ(θ) = ½‖∇J(θ)‖² by Levenberg–Marquardt steps on the equation ∇J(θ) = 0
  (a Newton-type method for a sum of squares). The gradient of φ is the
  Hessian-vector product H∇J, one call of :func:`chainrule.hvp`
  (forward-over-reverse); the step uses the exact Hessian
  (:func:`chainrule.hessian`). A run ends at a *critical point* when
  ‖∇J‖ < :data:`GRAD_TOL`.
* **The trap.** Minimizing ½‖∇J‖² can also stall where ∇J is small but not
  zero: at a minimum of φ that is not a critical point of J, H∇J = 0 with
  ∇J ≠ 0, so ∇J lies along a direction of zero curvature. Such runs are
  told apart by ‖H∇J‖/‖∇J‖ < :data:`STALL_TOL` (equivalently: the smallest
  |eigenvalue| of H is ~0 while ‖∇J‖ is not) and are counted, not kept.
* **Classifying.** Every critical point's exact Hessian eigenvalues give its
  index α, the fraction of negative eigenvalues (minima: α = 0). The figure
  plots the cost ε (the mean cross-entropy per example) against α, as
  Dauphin et al. (2014, Fig. 1) do, with Spearman's rank correlation.
* **Escaping saddles.** Gradient descent, Newton's method and the
  saddle-free Newton method (steps −|H|⁻¹∇J, Dauphin et al., 2014) from the
  same starts on f = 5x² − y² and on the monkey saddle x³ − 3xy² (their
  Fig. 2), then the same three methods on the network from saddles found
  above.
"""

import math
import time
from types import SimpleNamespace

import numpy as onp

import chainrule.numpy as np
from chainrule import grad, hessian, hvp, value_and_grad

from . import iris
from .common import figure, plain_log_ticks, progress, rng, save_figure, say

NAME = "critical-points"
HELP = ("critical points of a small network's cost: how many, minima vs saddles by the exact "
        "Hessian, and saddle-free Newton escaping saddles")

HIDDEN = 4                 # 4 sigmoid units: 24 weights, so each Hessian is exact and cheap
#: L2 penalty (λ/2)‖θ‖² added to the summed cost J. Without it the infimum of J is not
#: attained: setosa is linearly separable from the other two species, so J keeps falling as
#: the weights that separate it grow, and the low-cost "minima" lie at infinity (Newton-type
#: searches there walk off instead of converging). The penalty also removes the flat
#: directions of the softmax (adding one vector to every row of W changes no prediction),
#: which would otherwise give every Hessian HIDDEN exact zero eigenvalues.
WEIGHT_DECAY = 0.01
GRAD_TOL = 1e-8            # ‖∇J‖ below this (J summed over 150 examples): a critical point
STALL_TOL = 1e-6           # ‖H∇J‖ / ‖∇J‖ below this with ‖∇J‖ ≥ GRAD_TOL: the trap
EIG_TOL = 1e-6             # |λ| ≤ EIG_TOL·max|λ| counts as a zero eigenvalue (neither sign)
MAX_ITERS, QUICK_MAX_ITERS = 300, 40
SCALES = (0.3, 1.0, 3.0)   # standard deviations of the random starts
STARTS, QUICK_STARTS = 40, 2          # random starts per scale
PATHS, QUICK_PATHS = 6, 1             # gradient-descent paths (one seed each)
GD_STEPS, QUICK_GD_STEPS = 10000, 300
MINIMIZERS, QUICK_MINIMIZERS = 10, 1  # saddle-free Newton minimizations per scale
MINIMIZER_STEPS = 150
GD_SAMPLES = (10, 30, 100, 300, 1000, 3000, 10000)   # steps at which a path point is a start
GD_LR = iris.LR
SAME_COST = 1e-7           # per-example cost difference under which two points may be one
SAME_SPECTRUM = 1e-5       # ... if their sorted spectra agree to this, relative to max|λ|
#: escaping saddles on the network: how many saddles, and steps of each method
ESCAPES, QUICK_ESCAPES = 4, 1
ESCAPE_GD_STEPS, QUICK_ESCAPE_GD_STEPS = 3000, 300
ESCAPE_NEWTON_STEPS, QUICK_ESCAPE_NEWTON_STEPS = 100, 30
PERTURBATION = 1e-3        # norm of the random push off the saddle (same for every method)
#: the two-dimensional saddles
TOY_LR, TOY_STEPS, TOY_RADIUS = 0.05, 60, 1.5
TOY_STARTS = {
    "classic": [(-1.0, 0.05), (1.0, -0.05), (-0.6, 0.3), (0.6, -0.3)],
    "monkey": [(0.8 * math.cos(a), 0.8 * math.sin(a)) for a in map(math.radians,
                                                                    (15, 105, 135, 255))],
}
METHOD_STYLE = {"gradient descent": ("#4c72b0", "-"), "Newton": ("#c44e52", "--"),
                "saddle-free Newton": ("#55a868", "-")}


def add_arguments(parser):
    """Options of ``chainrule demo critical-points``."""
    parser.add_argument("--starts", type=int, default=None, metavar="K",
                        help=f"random starts per scale {SCALES} (default {STARTS}; "
                             f"{QUICK_STARTS} with --quick)")
    parser.add_argument("--paths", type=int, default=None, metavar="P",
                        help=f"gradient-descent paths whose points are starts (default {PATHS}; "
                             f"{QUICK_PATHS} with --quick)")


# ---------------------------------------------------------------------------
# The cost and its derivatives
# ---------------------------------------------------------------------------

class Problem:
    """The Iris cost of a ``hidden``-unit network as a function of the flat weights θ.

    ``J(θ) = Σ_n cross-entropy + (λ/2)‖θ‖²`` with the lecture's model
    (:func:`chainrule.demos.iris.cost`); ``eps(θ)`` is the mean cross-entropy
    per example (the cost ε of the figures, without the penalty).
    """

    def __init__(self, hidden=HIDDEN, weight_decay=WEIGHT_DECAY):
        self.data = iris.load_data()
        self.like = iris.init_params(0, hidden)
        self.hidden, self.weight_decay = hidden, weight_decay
        self.n = sum(v.size for v in self.like.values())
        self.grad = grad(self.J)
        self.value_and_grad = value_and_grad(self.J)
        self.hessian = hessian(self.J)
        self.hvp = hvp(self.J)

    def J(self, theta):
        """The penalized summed cost (written with chainrule.numpy: differentiable)."""
        d = self.data
        return (iris.cost(iris.unflatten(theta, self.like), d.X, d.Y)
                + 0.5 * self.weight_decay * np.sum(theta * theta))

    def eps(self, theta):
        """Mean cross-entropy per example at ``theta`` (no penalty)."""
        d = self.data
        return float(iris.cost(iris.unflatten(theta, self.like), d.X, d.Y)) / len(d.y)

    def error(self, theta):
        """Training error rate at ``theta``."""
        d = self.data
        return 1.0 - iris.accuracy(iris.unflatten(theta, self.like), d.X, d.y)


def find_critical_point(problem, theta, max_iters=MAX_ITERS):
    """Minimize ½‖∇J‖² from ``theta`` by Levenberg–Marquardt steps on ∇J(θ) = 0.

    The step δ minimizes ‖∇J + Hδ‖² + μ‖δ‖² (from the eigendecomposition of
    the exact Hessian H); μ shrinks after a step that lowers ½‖∇J‖² and grows
    until one does. Returns a namespace: ``theta``, ``grad_norm``,
    ``iterations``, ``phi_grad_norm`` = ‖H∇J‖ (by :func:`chainrule.hvp`),
    ``hvp_vs_hessian`` (‖hvp − H·∇J‖ / (‖H‖‖∇J‖) at the end) and
    ``outcome``: ``"critical"`` (‖∇J‖ < GRAD_TOL), ``"stalled"`` (the trap:
    ‖H∇J‖/‖∇J‖ < STALL_TOL) or ``"unfinished"`` (the iteration budget ran out).
    """
    mu = 1.0
    g = problem.grad(theta)
    it = 0
    while it < max_iters and onp.linalg.norm(g) >= GRAD_TOL:
        it += 1
        lam, Q = onp.linalg.eigh(problem.hessian(theta))
        # δ = −(H² + μI)⁻¹ H∇J: the gradient of φ, H∇J, is one forward-over-reverse hvp
        phi_grad_q = Q.T @ problem.hvp(theta, g)
        phi = 0.5 * g @ g
        moved = False
        while mu < 1e12:  # beyond this the step is ~0: no direction lowers φ any more
            trial = theta - Q @ (phi_grad_q / (lam ** 2 + mu))
            g_trial = problem.grad(trial)
            if 0.5 * g_trial @ g_trial < phi:
                theta, g, mu, moved = trial, g_trial, max(mu / 4, 1e-12), True
                break
            mu *= 4
        if not moved:
            break
    grad_norm = float(onp.linalg.norm(g))
    Hg = problem.hvp(theta, g)           # ∇φ = H∇J: forward-over-reverse, H never formed
    H = problem.hessian(theta)
    # relative to ‖H‖‖∇J‖, not to ‖H∇J‖: at a stalled point H∇J is ~0 and any rounding in it
    # would look like a large relative error
    scale = float(onp.abs(onp.linalg.eigvalsh(H)).max()) * grad_norm
    check = float(onp.linalg.norm(Hg - H @ g)) / scale if scale > 0 else 0.0
    phi_grad = float(onp.linalg.norm(Hg))
    if grad_norm < GRAD_TOL:
        outcome = "critical"
    elif phi_grad < STALL_TOL * grad_norm:
        outcome = "stalled"
    else:
        outcome = "unfinished"
    return SimpleNamespace(theta=theta, grad_norm=grad_norm, iterations=it,
                           phi_grad_norm=phi_grad, hvp_vs_hessian=check, outcome=outcome)


def classify(problem, theta):
    """The exact Hessian's spectrum at ``theta``: counts of negative, zero, positive eigenvalues.

    Returns a dict with ``eigenvalues`` (sorted), ``negative``, ``zero``,
    ``positive``, ``index`` (α = negative / number of weights), ``kind``
    (``"minimum"`` when no eigenvalue is negative, ``"maximum"`` when none
    is positive, else ``"saddle"``) and the smallest |eigenvalue|.
    """
    lam = onp.linalg.eigvalsh(problem.hessian(theta))
    tol = EIG_TOL * float(onp.abs(lam).max())
    neg, zero = int((lam < -tol).sum()), int((onp.abs(lam) <= tol).sum())
    pos = len(lam) - neg - zero
    kind = "minimum" if neg == 0 else ("maximum" if pos == 0 else "saddle")
    return {"eigenvalues": lam, "negative": neg, "zero": zero, "positive": pos,
            "index": neg / len(lam), "kind": kind, "min_abs_eigenvalue": float(onp.abs(lam).min()),
            "min_eigenvalue": float(lam[0]), "max_eigenvalue": float(lam[-1])}


def distinct(points):
    """Group critical points that are the same up to the network's symmetries.

    Permuting hidden units maps a critical point to another with the same
    cost and the same Hessian spectrum, so two points count as one when
    their costs agree to SAME_COST and their sorted spectra to
    SAME_SPECTRUM·max|λ|. Returns a list of groups (lists of indices into
    ``points``), the first member being the representative.
    """
    groups = []
    for i, p in enumerate(points):
        for grp in groups:
            q = points[grp[0]]
            scale = max(float(onp.abs(q["eigenvalues"]).max()), 1e-300)
            if (abs(p["eps"] - q["eps"]) < SAME_COST
                    and onp.abs(p["eigenvalues"] - q["eigenvalues"]).max() < SAME_SPECTRUM * scale):
                grp.append(i)
                break
        else:
            groups.append([i])
    return groups


def _ranks(x):
    """Ranks 1..n of ``x``, ties sharing their average rank."""
    x = onp.asarray(x, dtype=float)
    order = onp.argsort(x, kind="stable")
    ranks = onp.empty(len(x))
    ranks[order] = onp.arange(1, len(x) + 1)
    for v in onp.unique(x):
        tie = x == v
        ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(x, y):
    """Spearman's rank correlation of ``x`` and ``y`` (ties averaged); None if undefined.

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 45])
    1.0
    >>> spearman([1, 2, 3], [3, 2, 1])
    -1.0
    """
    if len(x) < 2:
        return None
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry / den) if den > 0 else None


# ---------------------------------------------------------------------------
# Gradient descent, Newton and saddle-free Newton
# ---------------------------------------------------------------------------

def newton_direction(g, H, saddle_free, floor=0.0):
    """−H⁻¹g (Newton) or −|H|⁻¹g (saddle-free Newton), from H's eigendecomposition.

    |H| has H's eigenvectors and the absolute values of its eigenvalues: where
    H curves down, Newton's step climbs towards the saddle and the
    saddle-free step descends. Eigenvalues smaller than ``floor`` in magnitude
    are raised to it (keeping their sign for Newton), so that flat directions
    do not give huge steps.
    """
    lam, Q = onp.linalg.eigh(H)
    mag = onp.maximum(onp.abs(lam), floor)
    scale = mag if saddle_free else onp.where(lam < 0, -mag, mag)
    return -Q @ ((Q.T @ g) / scale)


def toy_functions():
    """The two saddles of Dauphin et al. (2014, Fig. 2): name -> (formula, f)."""
    return {"classic": ("f(x, y) = 5x² − y²", lambda w: 5 * w[0] ** 2 - w[1] ** 2),
            "monkey": ("monkey saddle f(x, y) = x³ − 3xy²",
                       lambda w: w[0] ** 3 - 3 * w[0] * w[1] ** 2)}


def toy_trajectory(f, start, method, steps=TOY_STEPS, lr=TOY_LR, radius=TOY_RADIUS):
    """One method's iterates on a 2-D function from ``start``, until it leaves the disc
    of ``radius`` around the saddle (escaped), reaches the saddle (‖w‖ < 1e-9) or runs
    ``steps`` steps. Derivatives by :func:`chainrule.grad` and :func:`chainrule.hessian`.
    """
    G, H = grad(f), hessian(f)
    w = onp.asarray(start, dtype=float)
    path = [w]
    for _ in range(steps):
        g = G(w)
        if method == "gradient descent":
            w = w - lr * g
        else:
            w = w + newton_direction(g, H(w), saddle_free=method == "saddle-free Newton")
        path.append(w)
        if onp.linalg.norm(w) > radius or onp.linalg.norm(w) < 1e-9:
            break
    return onp.array(path)


def escape_run(problem, theta, method, steps, lr=GD_LR, stop_below=None):
    """Costs ε along one method's iterates on the network from ``theta``: ``(costs, theta)``.

    Gradient descent takes fixed steps ``lr``·∇J; Newton takes full steps
    −H⁻¹∇J (it is attracted by any critical point); saddle-free Newton takes
    −|H|⁻¹∇J, halved until J decreases (it is a descent direction). Newton's
    and saddle-free Newton's eigenvalues are floored at 1e-6·max|λ|. With
    ``stop_below``, the run ends once ‖∇J‖ is below it.
    """
    costs = [problem.eps(theta)]
    for _ in range(steps):
        J0, g = problem.value_and_grad(theta)
        if stop_below is not None and onp.linalg.norm(g) < stop_below:
            break
        if method == "gradient descent":
            theta = theta - lr * g
        else:
            H = problem.hessian(theta)
            floor = EIG_TOL * float(onp.abs(onp.linalg.eigvalsh(H)).max())
            d = newton_direction(g, H, method == "saddle-free Newton", floor)
            if method == "saddle-free Newton":
                t = 1.0
                with onp.errstate(over="ignore"):  # a long trial step may saturate exp
                    while t > 1e-8 and float(problem.J(theta + t * d)) >= float(J0):
                        t /= 2
                d = t * d if t > 1e-8 else 0 * d
            theta = theta + d
        costs.append(problem.eps(theta))
    return onp.array(costs), theta


def steps_until(costs, level):
    """The first step at which ``costs`` is at most ``level`` (None if never).

    >>> steps_until([3.0, 2.0, 1.0], 1.5)
    2
    """
    hit = onp.flatnonzero(onp.asarray(costs) <= level)
    return int(hit[0]) if len(hit) else None


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def plot_index_vs_cost(points, groups, rho, path):
    """ε against the index α of every distinct critical point (marker area: times found)."""
    fig = figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    for kind, color, marker in (("saddle", "#c44e52", "o"), ("minimum", "#4c72b0", "s"),
                                ("maximum", "#8172b2", "^")):
        sel = [g for g in groups if points[g[0]]["kind"] == kind]
        if not sel:
            continue
        ax.scatter([points[g[0]]["index"] for g in sel], [points[g[0]]["eps"] for g in sel],
                   s=[20 + 12 * math.sqrt(len(g)) for g in sel], color=color, marker=marker,
                   alpha=0.75, edgecolors="k", linewidths=0.4,
                   label=f"{kind if kind != 'minimum' else 'minima'}"
                         f"{'s' if kind != 'minimum' else ''}: {len(sel)} distinct, "
                         f"{sum(len(g) for g in sel)} runs")
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("index α = fraction of negative Hessian eigenvalues")
    ax.set_ylabel("cost ε (mean cross-entropy per example)")
    ax.set_xlim(-0.02, max(0.4, max(points[g[0]]["index"] for g in groups) + 0.03))
    rho_text = "n/a" if rho is None else f"{rho:+.2f}"
    ax.set_title(f"Critical points of the {HIDDEN}-unit Iris network: cost vs index "
                 f"(Spearman ρ = {rho_text})", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, alpha=0.3)
    return save_figure(fig, path)


def plot_trap(ends, path):
    """‖∇J‖ against the smallest |Hessian eigenvalue| at the end of every search."""
    fig = figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    floor = 1e-16  # an exact 0 is drawn at the floor
    for outcome, color, label in (("critical", "#4c72b0", "critical point (‖∇J‖ < 1e-8)"),
                                  ("stalled", "#c44e52", "stalled: ‖H∇J‖ ≈ 0, ‖∇J‖ is not"),
                                  ("unfinished", "#999999", "unfinished (iteration budget)")):
        sel = [e for e in ends if e["outcome"] == outcome]
        if sel:
            ax.scatter([max(e["grad_norm"], floor) for e in sel],
                       [max(e["min_abs_eigenvalue"], floor) for e in sel], s=14, alpha=0.6,
                       color=color, label=f"{label}: {len(sel)}")
    ax.axvline(GRAD_TOL, color="k", ls="--", lw=0.8)
    ax.text(GRAD_TOL, 0.98, " threshold", transform=ax.get_xaxis_transform(), fontsize=8,
            va="top")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("‖∇J‖ where the search ended")
    ax.set_ylabel("smallest |eigenvalue| of the Hessian there")
    ax.set_title("Minimizing ½‖∇J‖²: critical points and the points where it stalls",
                 fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return save_figure(fig, path)


def plot_toy(trajectories, path):
    """Contours of both 2-D saddles with each method's trajectories from the same starts."""
    fig = figure(figsize=(10.0, 4.6))
    funcs = toy_functions()
    for k, (name, (formula, f)) in enumerate(funcs.items()):
        ax = fig.add_subplot(1, 2, k + 1)
        s = onp.linspace(-TOY_RADIUS, TOY_RADIUS, 201)
        X, Y = onp.meshgrid(s, s)
        Z = f(onp.stack([X, Y]))
        ax.contour(X, Y, Z, levels=15, colors="#bbbbbb", linewidths=0.6)
        ax.contour(X, Y, Z, levels=[0], colors="#888888", linewidths=0.9)
        for method, (color, ls) in METHOD_STYLE.items():
            for j, p in enumerate(trajectories[name][method]):
                ax.plot(p[:, 0], p[:, 1], color=color, ls=ls, lw=1.4, marker=".", ms=3,
                        label=method if j == 0 else None)
        starts = onp.array(TOY_STARTS[name])
        ax.plot(starts[:, 0], starts[:, 1], "ko", ms=4, label="starts")
        ax.plot([0], [0], marker="X", color="k", ms=9, ls="none", label="saddle")
        ax.set_xlim(-TOY_RADIUS, TOY_RADIUS)
        ax.set_ylim(-TOY_RADIUS, TOY_RADIUS)
        ax.set_aspect("equal")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(formula, fontsize=10)
        if k == 0:
            ax.legend(fontsize=7, loc="upper left", framealpha=0.9)
    return save_figure(fig, path)


def plot_escape(escapes, path):
    """ε per step from near each network saddle, for the three methods (log step axis)."""
    fig = figure(figsize=(6.8, 4.2))
    ax = fig.add_subplot()
    shades = ["#222222", "#7f7f7f", "#9467bd", "#8c564b", "#17becf", "#bcbd22"]
    for i, e in enumerate(escapes):
        for method, (color, ls) in METHOD_STYLE.items():
            c = onp.asarray(e["costs"][method])
            ax.plot(onp.arange(1, len(c) + 1), c, color=color, ls=ls, lw=1.3, alpha=0.85,
                    label=method if i == 0 else None)
        ax.axhline(e["saddle_eps"], color=shades[i % len(shades)], ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("step + 1")
    ax.set_ylabel("cost ε (mean cross-entropy per example)")
    ax.set_title(f"From {len(escapes)} saddle{'s' if len(escapes) != 1 else ''} of the network "
                 "(dotted: each saddle's cost)", fontsize=9)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

#: where the searches start
SOURCES = ("random", "gradient-descent path", "saddle-free Newton end")


def _starts(problem, r, n_starts, n_paths, gd_steps, n_minimizer, progress_bar):
    """``[(source, label, θ)]``: random starts of each scale, points along gradient-descent
    paths, and the ends of saddle-free Newton minimizations from other random starts.

    The third source is there because Newton-type searches for ∇J = 0 are
    attracted by saddles as much as by minima, and gradient descent approaches
    the flat minima here too slowly for the search to start near them:
    without a minimizer's end points the search would under-count minima.
    """
    starts = [("random", f"random σ={s:g}", r.normal(0.0, s, problem.n)) for s in SCALES
              for _ in range(n_starts)]
    samples = [t for t in GD_SAMPLES if t <= gd_steps] + ([gd_steps] if gd_steps not in
                                                           GD_SAMPLES else [])
    for p in progress(range(n_paths), total=n_paths, desc="gradient-descent paths",
                      enabled=progress_bar):
        theta = iris.flatten(iris.init_params(int(r.integers(2 ** 31)), problem.hidden))
        for t in range(gd_steps + 1):
            if t in samples:
                starts.append(("gradient-descent path", f"GD path {p}, step {t}",
                               theta.copy()))
            if t < gd_steps:
                theta = theta - GD_LR * problem.grad(theta)
    todo = [(s, r.normal(0.0, s, problem.n)) for s in SCALES for _ in range(n_minimizer)]
    for s, theta in progress(todo, total=len(todo), desc="saddle-free Newton minimizations",
                             enabled=progress_bar):
        _, end = escape_run(problem, theta, "saddle-free Newton", MINIMIZER_STEPS,
                            stop_below=GRAD_TOL)
        starts.append(("saddle-free Newton end", f"saddle-free Newton from σ={s:g}", end))
    return starts, samples


def run(args):
    """Find, classify and escape critical points; returns the report dict."""
    quick = args.quick
    n_starts = getattr(args, "starts", None) or (QUICK_STARTS if quick else STARTS)
    n_paths = getattr(args, "paths", None) or (QUICK_PATHS if quick else PATHS)
    n_min = QUICK_MINIMIZERS if quick else MINIMIZERS
    gd_steps = QUICK_GD_STEPS if quick else GD_STEPS
    max_iters = QUICK_MAX_ITERS if quick else MAX_ITERS
    r = rng(args.seed)
    problem = Problem()
    N = len(problem.data.y)
    say(f"The Iris network with {HIDDEN} sigmoid units ({problem.n} weights), summed cost J "
        f"plus (λ/2)‖θ‖², λ = {WEIGHT_DECAY:g}; ε = mean cross-entropy per example.")

    t0 = time.perf_counter()
    starts, samples = _starts(problem, r, n_starts, n_paths, gd_steps, n_min, args.progress)
    t_paths = time.perf_counter() - t0
    say(f"Starts: {n_starts} random per scale σ in {list(SCALES)}; {n_paths} gradient-descent "
        f"path{'s' if n_paths != 1 else ''} (learning rate {GD_LR:g}) sampled at steps "
        f"{samples}; the ends of {n_min} saddle-free Newton minimization"
        f"{'s' if n_min != 1 else ''} per scale (at most {MINIMIZER_STEPS} steps): "
        f"{len(starts)} in all.")

    t0 = time.perf_counter()
    ends = []
    for source, label, theta0 in progress(starts, total=len(starts), desc="½‖∇J‖² searches",
                                          enabled=args.progress):
        res = find_critical_point(problem, theta0, max_iters)
        spec = classify(problem, res.theta)
        ends.append({"source": source, "start": label, "outcome": res.outcome,
                     "grad_norm": res.grad_norm,
                     "iterations": res.iterations, "phi_grad_norm": res.phi_grad_norm,
                     "hvp_vs_hessian": res.hvp_vs_hessian, "eps": problem.eps(res.theta),
                     "error": problem.error(res.theta), "theta": res.theta, **spec})
    t_search = time.perf_counter() - t0
    counts = {o: sum(e["outcome"] == o for e in ends) for o in ("critical", "stalled",
                                                                "unfinished")}
    crit = [e for e in ends if e["outcome"] == "critical"]
    stalled = [e for e in ends if e["outcome"] == "stalled"]
    hvp_check = max(e["hvp_vs_hessian"] for e in ends)
    say(f"\nSearches (Levenberg–Marquardt on ∇J = 0; ∇(½‖∇J‖²) = H∇J by hvp, which agrees "
        f"with the exact Hessian times ∇J to {hvp_check:.1e}):")
    say(f"  {counts['critical']} reached a critical point (‖∇J‖ < {GRAD_TOL:g}), "
        f"{counts['stalled']} stalled where ∇J is small but not zero (‖H∇J‖/‖∇J‖ < "
        f"{STALL_TOL:g}), {counts['unfinished']} were unfinished after {max_iters} iterations.")
    if stalled:
        say(f"  the stalled ones: ‖∇J‖ from {min(e['grad_norm'] for e in stalled):.1e} to "
            f"{max(e['grad_norm'] for e in stalled):.1e}, smallest |eigenvalue| at most "
            f"{max(e['min_abs_eigenvalue'] for e in stalled):.1e}: ∇J lies along a flat "
            "direction, a minimum of ½‖∇J‖² that is not a critical point.")
    if crit:
        worst = max(e["grad_norm"] for e in crit)
        say(f"  the critical points: ‖∇J‖ at most {worst:.1e}; smallest |eigenvalue| at least "
            f"{min(e['min_abs_eigenvalue'] for e in crit):.1e}.")
    by_source = {}
    for src in SOURCES:
        mine = [e for e in ends if e["source"] == src]
        by_source[src] = {"searches": len(mine),
                          **{o: sum(e["outcome"] == o for e in mine) for o in counts},
                          "minima": sum(e["outcome"] == "critical" and e["kind"] == "minimum"
                                        for e in mine),
                          "saddles": sum(e["outcome"] == "critical" and e["kind"] == "saddle"
                                         for e in mine)}
    say("  by start: " + "; ".join(
        f"{src}: {b['searches']} searches, {b['critical']} critical ({b['minima']} minima, "
        f"{b['saddles']} saddles), {b['stalled']} stalled" for src, b in by_source.items()))

    groups = distinct(crit)
    reps = [crit[g[0]] for g in groups]
    minima = [i for i, p in enumerate(reps) if p["kind"] == "minimum"]
    saddles = [i for i, p in enumerate(reps) if p["kind"] == "saddle"]
    runs_min = sum(len(groups[i]) for i in minima)
    runs_saddle = sum(len(groups[i]) for i in saddles)
    rho = spearman([p["index"] for p in reps], [p["eps"] for p in reps])
    rho_runs = spearman([p["index"] for p in crit], [p["eps"] for p in crit])
    say(f"\n{len(groups)} distinct critical points (same cost and Hessian spectrum = one point "
        f"up to the network's symmetries): {len(minima)} minima and {len(saddles)} saddles "
        f"(runs ending there: {runs_min} and {runs_saddle}).")
    order = sorted(range(len(reps)), key=lambda i: reps[i]["eps"])
    for i in order:
        p = reps[i]
        say(f"  ε = {p['eps']:.6f}  α = {p['index']:.3f} ({p['negative']} of {problem.n} "
            f"negative, {p['zero']} zero)  {p['kind']:<8} training error "
            f"{100 * p['error']:5.1f}%  found {len(groups[i])}×")
    rho_text = "undefined" if rho is None else f"{rho:+.3f}"
    rho_runs_text = "undefined" if rho_runs is None else f"{rho_runs:+.3f}"
    say(f"Spearman rank correlation of ε and α: {rho_text} over the distinct points, "
        f"{rho_runs_text} over all {len(crit)} runs that reached one.")
    eps_min = [reps[i]["eps"] for i in minima]
    eps_saddle = [reps[i]["eps"] for i in saddles]
    lowest = min(p["eps"] for p in reps) if reps else None
    below_all_saddles = (bool(minima) and bool(saddles) and max(eps_min) <= min(eps_saddle))
    above = sum(e > max(eps_min) for e in eps_saddle) if minima else None
    if minima and saddles:
        say(f"Minima at ε in [{min(eps_min):.6f}, {max(eps_min):.6f}] (the highest "
            f"{max(eps_min) / min(eps_min):.2f}× the lowest); saddles at ε in "
            f"[{min(eps_saddle):.6f}, {max(eps_saddle):.6f}], {above} of {len(saddles)} above "
            "every minimum found.")

    # -- escaping saddles: the 2-D functions ---------------------------------------------------
    t0 = time.perf_counter()
    toy, toy_numbers = {}, {}
    for name, (formula, f) in toy_functions().items():
        toy[name] = {m: [toy_trajectory(f, s, m) for s in TOY_STARTS[name]]
                     for m in METHOD_STYLE}
        toy_numbers[name] = {"formula": formula, "starts": TOY_STARTS[name], "methods": {}}
        for m, paths in toy[name].items():
            dist = [float(onp.linalg.norm(p[-1])) for p in paths]
            toy_numbers[name]["methods"][m] = {
                "steps": [len(p) - 1 for p in paths], "final_distance": dist,
                "final_value": [float(f(p[-1])) for p in paths],
                "escaped": [d > TOY_RADIUS for d in dist],
                "converged_to_saddle": [d < 1e-6 for d in dist]}
    say(f"\nEscaping saddles in 2-D (same starts; gradient descent with learning rate "
        f"{TOY_LR:g}; escaped = left the disc of radius {TOY_RADIUS:g}; at most {TOY_STEPS} "
        "steps):")
    for tn in toy_numbers.values():
        parts = []
        for m, v in tn["methods"].items():
            if all(v["converged_to_saddle"]):
                parts.append(f"{m} converges to the saddle from all {len(v['steps'])} starts")
            else:
                parts.append(f"{m} escapes from {sum(v['escaped'])} of {len(v['steps'])} in "
                             f"{min(v['steps'])}-{max(v['steps'])} steps")
        say(f"  {tn['formula']}: " + "; ".join(parts))

    # -- escaping saddles: the network ------------------------------------------------------
    n_esc = QUICK_ESCAPES if quick else ESCAPES
    gd_esc = QUICK_ESCAPE_GD_STEPS if quick else ESCAPE_GD_STEPS
    nt_esc = QUICK_ESCAPE_NEWTON_STEPS if quick else ESCAPE_NEWTON_STEPS
    chosen = sorted(saddles, key=lambda i: -reps[i]["eps"])
    chosen = [i for i in chosen if lowest is not None and reps[i]["eps"] > lowest][:n_esc]
    escapes = []
    for i in progress(chosen, total=len(chosen), desc="escaping", enabled=args.progress):
        p = reps[i]
        push = r.normal(size=problem.n)
        start = p["theta"] + PERTURBATION * push / onp.linalg.norm(push)
        # "escaped": the cost is halfway from the saddle's down to the lowest critical point's
        level = p["eps"] - 0.5 * (p["eps"] - lowest)
        costs, reached = {}, {}
        for m in METHOD_STYLE:
            c, _ = escape_run(problem, start, m, gd_esc if m == "gradient descent" else nt_esc)
            costs[m], reached[m] = c, steps_until(c, level)
        escapes.append({"saddle_eps": p["eps"], "saddle_index": p["index"],
                        "saddle_negative": p["negative"], "saddle_min_eigenvalue":
                        p["min_eigenvalue"], "escape_level": level,
                        "steps_to_escape": reached,
                        "final_eps": {m: float(c[-1]) for m, c in costs.items()},
                        "costs": costs})
    t_escape = time.perf_counter() - t0
    if escapes:
        say(f"\nEscaping saddles of the network (pushed {PERTURBATION:g} off the saddle, the "
            f"same push for every method; gradient descent {gd_esc} steps of learning rate "
            f"{GD_LR:g}, Newton and saddle-free Newton {nt_esc} steps; escaped = ε halfway "
            "down from the saddle's to the lowest critical point's):")
        for e in escapes:
            say(f"  saddle ε = {e['saddle_eps']:.4f}, α = {e['saddle_index']:.3f} (λ_min = "
                f"{e['saddle_min_eigenvalue']:.2e}): " + "; ".join(
                    f"{m} " + ("never" if e["steps_to_escape"][m] is None else
                               f"{e['steps_to_escape'][m]} steps") +
                    f" (final ε {e['final_eps'][m]:.4f})" for m in METHOD_STYLE))
    else:
        say("\nNo saddle above the lowest critical point was found: no escape on the network.")

    # -- figures ------------------------------------------------------------------------------
    out = args.out
    figures = []
    if groups:
        plot_index_vs_cost(crit, groups, rho, out / "index_vs_cost.png")
        figures.append({"file": "index_vs_cost.png", "caption": "Cost against index of every "
                        "distinct critical point found (marker area grows with the number of "
                        "searches that ended there): "
                        + _verdict(len(minima), len(saddles), rho, below_all_saddles) + "."})
    plot_trap(ends, out / "trap.png")
    figures.append({"file": "trap.png", "caption": "Where each search for a critical point "
                    "ended: critical points have a tiny gradient and no zero eigenvalue; the "
                    "stalled searches have a gradient that is small but not zero, lying along "
                    "an eigenvalue that is zero to rounding."})
    plot_toy(toy, out / "saddles.png")
    figures.append({"file": "saddles.png", "caption": "Gradient descent, Newton's method and "
                    "saddle-free Newton from the same starts on two saddles: Newton's method "
                    "converges to the saddle, gradient descent leaves it slowly, saddle-free "
                    "Newton leaves it in a few steps."})
    if escapes:
        plot_escape(escapes, out / "escape.png")
        figures.append({"file": "escape.png", "caption": "The cost per step after a small push "
                        "off saddles of the network: Newton's method "
                        + ("stays at the saddle's cost"
                           if all(e["steps_to_escape"]["Newton"] is None for e in escapes)
                           else "mostly stays at the saddle's cost")
                        + "; saddle-free Newton gets halfway down in "
                        + _span_text([e["steps_to_escape"]["saddle-free Newton"]
                                      for e in escapes])
                        + " steps, gradient descent in "
                        + _span_text([e["steps_to_escape"]["gradient descent"]
                                      for e in escapes])
                        + f" (a saddle-free Newton step costs one {problem.n}×{problem.n} "
                          "Hessian and its eigendecomposition)."})
    say("Figures: " + ", ".join(str(out / f["file"]) for f in figures))

    def point_numbers(i):
        p, g = reps[i], groups[i]
        return {"eps": p["eps"], "index": p["index"], "kind": p["kind"],
                "negative": p["negative"], "zero": p["zero"], "positive": p["positive"],
                "grad_norm": p["grad_norm"], "min_eigenvalue": p["min_eigenvalue"],
                "max_eigenvalue": p["max_eigenvalue"], "min_abs_eigenvalue":
                p["min_abs_eigenvalue"], "train_error": p["error"], "times_found": len(g),
                "max_grad_norm_of_runs": max(crit[j]["grad_norm"] for j in g),
                "theta": p["theta"]}

    numbers = {
        "hidden_units": HIDDEN, "weights": problem.n, "examples": N,
        "weight_decay": WEIGHT_DECAY, "grad_tolerance": GRAD_TOL, "stall_tolerance": STALL_TOL,
        "eigenvalue_tolerance": EIG_TOL, "max_iterations": max_iters,
        "random_starts_per_scale": n_starts, "scales": list(SCALES), "gd_paths": n_paths,
        "gd_steps": gd_steps, "gd_samples": samples, "gd_learning_rate": GD_LR,
        "minimizers_per_scale": n_min, "minimizer_steps": MINIMIZER_STEPS,
        "searches": len(ends), "outcomes": counts, "by_source": by_source,
        "hvp_vs_hessian_max_rel_diff": hvp_check,
        "ends": {"outcome": [e["outcome"] for e in ends], "grad_norm": [e["grad_norm"]
                                                                       for e in ends],
                 "min_abs_eigenvalue": [e["min_abs_eigenvalue"] for e in ends],
                 "phi_grad_norm": [e["phi_grad_norm"] for e in ends],
                 "eps": [e["eps"] for e in ends], "iterations": [e["iterations"] for e in ends],
                 "start": [e["start"] for e in ends], "source": [e["source"] for e in ends]},
        "stalled_grad_norm_range": ([min(e["grad_norm"] for e in stalled),
                                     max(e["grad_norm"] for e in stalled)] if stalled else None),
        "stalled_max_min_abs_eigenvalue": (max(e["min_abs_eigenvalue"] for e in stalled)
                                           if stalled else None),
        "critical_max_grad_norm": max(e["grad_norm"] for e in crit) if crit else None,
        "critical_min_abs_eigenvalue": (min(e["min_abs_eigenvalue"] for e in crit)
                                        if crit else None),
        "distinct_critical_points": len(groups), "distinct_minima": len(minima),
        "distinct_saddles": len(saddles), "runs_at_minima": runs_min,
        "runs_at_saddles": runs_saddle,
        "spearman_eps_index": rho, "spearman_eps_index_runs": rho_runs,
        "minima_eps_range": [min(eps_min), max(eps_min)] if minima else None,
        "saddles_eps_range": [min(eps_saddle), max(eps_saddle)] if saddles else None,
        "minima_below_every_saddle": below_all_saddles, "saddles_above_every_minimum": above,
        "highest_over_lowest_minimum": max(eps_min) / min(eps_min) if minima else None,
        "critical_points": [point_numbers(i) for i in order],
        "toy": {"learning_rate": TOY_LR, "max_steps": TOY_STEPS, "radius": TOY_RADIUS,
                **toy_numbers},
        "escape": {"perturbation": PERTURBATION, "gd_steps": gd_esc, "newton_steps": nt_esc,
                   "saddles": [{k: v for k, v in e.items() if k != "costs"} for e in escapes],
                   # the curves at ~60 log-spaced steps (the figure's axis): 3000 gradient
                   # steps in full would be most of the report
                   "costs": [{m: _log_sampled(c) for m, c in e["costs"].items()}
                             for e in escapes]},
        "timing": {"gd_paths_seconds": t_paths, "search_seconds": t_search,
                   "escape_seconds": t_escape},
    }
    summary = [
        f"{len(ends)} searches: {counts['critical']} critical points (‖∇J‖ < {GRAD_TOL:g}), "
        f"{counts['stalled']} stalled on small-but-nonzero gradients, {counts['unfinished']} "
        "unfinished",
        f"{len(groups)} distinct critical points: {len(minima)} minima, {len(saddles)} saddles "
        f"(runs: {runs_min} vs {runs_saddle}); Spearman ρ(ε, α) = {rho_text}",
        _verdict(len(minima), len(saddles), rho, below_all_saddles),
    ]
    if escapes:
        e = escapes[0]
        summary.append(
            f"from the saddle at ε = {e['saddle_eps']:.4f}: saddle-free Newton escapes in "
            + _steps_text(e["steps_to_escape"]["saddle-free Newton"])
            + ", gradient descent in " + _steps_text(e["steps_to_escape"]["gradient descent"])
            + ", Newton " + _steps_text(e["steps_to_escape"]["Newton"]))
    return {"demo": NAME, "seed": args.seed, "quick": quick, "numbers": numbers,
            "figures": figures, "summary": summary, "notes": _notes(by_source)}


def _log_sampled(curve, points=60):
    """``{"steps": [...], "eps": [...]}``: ``curve`` at about ``points`` log-spaced steps.

    >>> _log_sampled([5.0, 4.0, 3.0, 2.0], points=3)
    {'steps': [0, 1, 3], 'eps': [5.0, 4.0, 2.0]}
    """
    n = len(curve)
    steps = sorted({int(round(x)) - 1 for x in onp.geomspace(1, n, points)})
    return {"steps": steps, "eps": [float(curve[t]) for t in steps]}


def _span_text(values):
    """'12–18' (or 'never' / '12–18, never in 1') for a list of step counts or None."""
    hit = [v for v in values if v is not None]
    text = "never" if not hit else (f"{min(hit)}" if min(hit) == max(hit)
                                    else f"{min(hit)}–{max(hit)}")
    miss = len(values) - len(hit)
    return text + (f" (never in {miss} of {len(values)})" if hit and miss else "")


def _steps_text(v):
    return "never" if v is None else f"{v} steps"


def _verdict(n_min, n_saddle, rho, below):
    """One sentence on what the counts say, whatever they say."""
    if n_saddle > n_min:
        text = f"saddles outnumber minima ({n_saddle} to {n_min})"
    elif n_saddle == n_min:
        text = f"as many saddles as minima ({n_saddle})"
    else:
        text = f"minima outnumber saddles here ({n_min} to {n_saddle})"
    if rho is not None:
        text += (f", cost and index rise together (ρ = {rho:+.2f})" if rho > 0.3 else
                 f", cost and index are not clearly related (ρ = {rho:+.2f})" if rho > -0.3
                 else f", cost falls as the index rises (ρ = {rho:+.2f})")
    if n_min and n_saddle:
        text += (" and every minimum found lies below every saddle" if below else
                 " and some saddles lie below some minima")
    return text


def _notes(by_source):
    """The honest remarks: what the counts depend on, from the measured numbers."""
    parts = "; ".join(f"{b['minima']} minima and {b['saddles']} saddles from the {src} starts"
                      for src, b in by_source.items())
    return ("The counts are a sample, not a census: which kind of critical point a search "
            f"finds depends on where it starts ({parts}). A Newton-type search for ∇J = 0 is "
            "attracted by saddles as much as by minima, so the ratio of runs says more about "
            "the starts than about the landscape; the distinct points are counted up to the "
            "symmetries that keep the cost and the spectrum (permutations of the hidden units). "
            "The network is small (24 weights) so that every Hessian is exact; the weight decay "
            "makes the low-cost minima finite (see the module's documentation). A point counts "
            "as critical when ‖∇J‖ < 1e-8 on the summed cost; a search that stalls with "
            "‖H∇J‖/‖∇J‖ < 1e-6 found a minimum of ½‖∇J‖² that is not a critical point and is "
            "not counted. Times vary from run to run; every other number is the same for the "
            "same seed.")
