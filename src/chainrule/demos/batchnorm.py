"""``chainrule demo batchnorm``: does batch normalization make the landscape smoother?

Santurkar et al. (2018, "How Does Batch Normalization Help Optimization?")
argue that batch norm works because it makes the loss smoother, not because
it reduces "internal covariate shift". This demo measures their quantities
on a deep MLP on the 8×8 digits (:data:`LAYERS` hidden ReLU layers of width
:data:`WIDTH`), plain and with :class:`~chainrule.nn.BatchNorm` before every
ReLU, from the same He-initialized weights, trained with the same SGD
learning rate and minibatches. At checkpoints along training, with g = ∇J(w)
on a fixed batch of :data:`MEASURE_BATCH` training examples (batch norm in
training mode, so J is a fixed function of w):

* **loss along the gradient**: the range (max − min) of J(w − ηg) over a span
  of step sizes η (:data:`ETAS` times the learning rate);
* **gradient predictiveness**: the largest ‖∇J(w) − ∇J(w − ηg)‖ over the
  same span;
* **effective smoothness β**, exactly: the curvature along the gradient,
  the Rayleigh quotient gᵀHg / gᵀg (one :func:`chainrule.hvp`), and the top
  eigenvalue of the Hessian by power iteration on ``hvp``; next to the
  sampled estimate max_η ‖∇J(w) − ∇J(w − ηg)‖ / ‖ηg‖ the paper could compute.

Then a learning-rate sweep: the training loss of both networks for larger
learning rates, to find one that batch norm tolerates and the plain network
does not.
"""

import math
import time

import numpy as onp

from chainrule import hvp, nn, value_and_grad

from .common import digits_split, figure, plain_log_ticks, progress, save_figure, say

NAME = "batchnorm"
HELP = ("does batch norm smooth the landscape? loss, gradient change and exact curvature "
        "along the gradient of a deep MLP, plain vs batch norm (Santurkar et al., 2018)")

LAYERS, WIDTH = 10, 32
ACTIVATION, INIT = "relu", "he_normal"   # He: the plain ReLU network trains at LR too
BATCH, LR = 64, 0.05
STEPS, QUICK_STEPS = 600, 40
CHECKPOINTS, QUICK_CHECKPOINTS = 7, 2    # evenly spaced, the first at step 0
SEEDS, QUICK_SEEDS = 3, 1
MEASURE_BATCH = 512                      # fixed training examples the landscape is measured on
ETAS = (0.25, 0.5, 1.0, 2.0, 4.0)        # step sizes along −g, in units of the learning rate
POWER_ITERS, QUICK_POWER_ITERS = 60, 12
POWER_TOL = 1e-4                         # relative change of the eigenvalue estimate: converged
SWEEP_LRS, QUICK_SWEEP_LRS = (0.05, 0.1, 0.2, 0.5, 1.0), (0.05, 1.0)
SWEEP_STEPS, QUICK_SWEEP_STEPS = 300, 30
TRAINS = 0.5   # a run "trains" when its final loss is finite and below this times the initial
NETS = {"plain": ("plain", None, "#c44e52"), "batchnorm": ("batch norm", "before", "#4c72b0")}


def add_arguments(parser):
    """Options of ``chainrule demo batchnorm``."""
    parser.add_argument("--layers", type=int, default=LAYERS, metavar="L",
                        help=f"hidden layers (default {LAYERS})")
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help=f"SGD steps of the measured runs (default {STEPS}; {QUICK_STEPS} "
                             "with --quick)")
    parser.add_argument("--seeds", type=int, default=None, metavar="K",
                        help=f"initializations and minibatch orders (default {SEEDS}; "
                             f"{QUICK_SEEDS} with --quick)")


# ---------------------------------------------------------------------------
# The networks, as functions of one flat weight vector
# ---------------------------------------------------------------------------

def ravel(tree):
    """``(vector, unravel)``: a parameter tree's leaves as one vector, and the way back.

    ``unravel`` slices and reshapes, so it also works on chainrule's traced
    vectors (the loss below is differentiated as a function of the vector).

    >>> v, back = ravel([{"W": onp.ones((2, 2))}, {"b": onp.zeros(1)}])
    >>> v.shape, back(v)[1]["b"].shape
    ((5,), (1,))
    """
    leaves = [v for _, v in nn.named_leaves(tree)]
    shapes = [onp.shape(v) for v in leaves]
    offsets = onp.cumsum([0] + [int(onp.prod(s)) for s in shapes])
    vector = onp.concatenate([onp.ravel(v) for v in leaves])

    def unravel(v):
        pieces = iter([v[offsets[i]:offsets[i + 1]].reshape(shapes[i])
                       for i in range(len(shapes))])
        return nn.tree_map(lambda _: next(pieces), tree)
    return vector, unravel


def _mlp(layers, batch_norm):
    return nn.mlp([64] + [WIDTH] * layers + [10], ACTIVATION, batch_norm=batch_norm, init=INIT)


class Net:
    """A deep MLP (plain or batch norm) and its loss J(w, X, y) on a flat weight vector.

    Both kinds start from the plain network's weight matrices for ``seed``
    (``Sequential`` seeds each layer's stream by its position, and the batch
    norm layers shift the positions, so their own draws would differ). The
    plain network's biases start at 0, as batch norm's shifts β do.
    """

    def __init__(self, layers, batch_norm, seed):
        self.model = _mlp(layers, batch_norm)
        params = self.model.init(seed=seed)
        if batch_norm is not None:
            plain = iter(p["W"] for p in _mlp(layers, None).init(seed=seed) if "W" in p)
            params = [{**p, "W": next(plain)} if isinstance(m, nn.Linear) else p
                      for m, p in zip(self.model.layers, params)]
        self.w0, self.unravel = ravel(params)
        self.value_and_grad = value_and_grad(self.loss)
        self.hvp = hvp(self.loss)

    def loss(self, w, X, y):
        """Softmax cross-entropy, batch norm (if any) with this batch's statistics."""
        out, _ = self.model.apply(self.unravel(w), X, train=True)
        return nn.softmax_cross_entropy(out, y)

    def weight_matrices(self, w):
        """The Linear layers' weight matrices at ``w``, input side first."""
        return [leaf for path, leaf in nn.named_leaves(self.unravel(w)) if path.endswith("W")]


def power_iteration(matvec, n, r, iters, tol=POWER_TOL):
    """The eigenvalue of largest magnitude of a symmetric operator, by power iteration.

    Returns ``(eigenvalue, iterations, converged)``; converged when the
    Rayleigh-quotient estimate changes by less than ``tol`` (relative).
    """
    v = r.normal(size=n)
    v /= onp.linalg.norm(v)
    lam = None
    for k in range(1, iters + 1):
        w = matvec(v)
        new = float(v @ w)
        norm = float(onp.linalg.norm(w))
        if norm == 0 or not math.isfinite(norm):
            return new, k, False
        v = w / norm
        if lam is not None and abs(new - lam) <= tol * abs(new):
            return new, k, True
        lam = new
    return lam, iters, False


def top_eigenvalue(matvec, n, r, iters):
    """The largest (most positive) Hessian eigenvalue, and the largest |eigenvalue|.

    Power iteration finds the eigenvalue of largest magnitude λ₁; when λ₁ < 0
    a second power iteration on H − λ₁I (whose dominant eigenvalue is then
    λ_max − λ₁ ≥ 0) gives the most positive one. Returns a dict.
    """
    lam1, k1, ok1 = power_iteration(matvec, n, r, iters)
    if lam1 >= 0:
        return {"lambda_max": lam1, "abs_max": abs(lam1), "iterations": k1, "converged": ok1}
    shifted, k2, ok2 = power_iteration(lambda v: matvec(v) - lam1 * v, n, r, iters)
    return {"lambda_max": shifted + lam1, "abs_max": abs(lam1), "iterations": k1 + k2,
            "converged": ok1 and ok2}


def measure(net, w, X, y, lr, r, power_iters):
    """The landscape along the gradient at ``w``: loss range, gradient change, curvature."""
    J0, g = net.value_and_grad(w, X, y)
    gnorm = float(onp.linalg.norm(g))
    losses, changes = [], []
    for eta in ETAS:
        J, g2 = net.value_and_grad(w - eta * lr * g, X, y)
        losses.append(float(J))
        changes.append(float(onp.linalg.norm(g2 - g)))
    hv = lambda v: net.hvp(w, X, y, v)  # noqa: E731 - H·v at w: forward-over-reverse
    rayleigh = float(g @ hv(g)) / gnorm ** 2   # signed: the curvature of J along g
    top = top_eigenvalue(hv, len(w), r, power_iters)
    sampled = max(c / (eta * lr * gnorm) for c, eta in zip(changes, ETAS))
    return {"loss": float(J0), "grad_norm": gnorm, "losses_along_gradient": losses,
            "loss_range": max(losses) - min(losses), "grad_changes": changes,
            "grad_change": max(changes), "rayleigh": rayleigh, "abs_rayleigh": abs(rayleigh),
            "beta_sampled": sampled,
            "lambda_max": top["lambda_max"], "abs_lambda_max": top["abs_max"],
            "power_iterations": top["iterations"], "power_converged": top["converged"]}


def train(net, X, y, lr, steps, seed, checkpoints=(), measure_on=None, power_iters=0):
    """SGD on random minibatches; measurements at ``checkpoints``; stops if the loss diverges.

    Returns ``(losses per step, {step: measurement}, diverged at step or None)``.
    """
    r = onp.random.default_rng(seed)
    w, losses, marks, diverged = net.w0.copy(), [], {}, None
    for t in range(steps + 1):
        if t in checkpoints:
            marks[t] = measure(net, w, *measure_on, lr, r, power_iters)
        if t == steps:
            break
        idx = r.choice(len(X), BATCH, replace=False)
        with onp.errstate(all="ignore"):  # a diverging run overflows: that is the result
            J, g = net.value_and_grad(w, X[idx], y[idx])
        if not (math.isfinite(float(J)) and onp.all(onp.isfinite(g))):
            diverged = t
            losses.append(float("inf"))
            break
        losses.append(float(J))
        w = w - lr * g
    return losses, marks, w, diverged


def final_loss(net, w, diverged, measure_on):
    """The loss on the measurement batch at the end (inf for a diverged run)."""
    if diverged is not None:
        return float("inf")
    with onp.errstate(all="ignore"):
        J = float(net.loss(w, *measure_on))
    return J if math.isfinite(J) else float("inf")


def smooth(x, k=10):
    """Moving average over ``k`` steps (shorter at the start), for noisy minibatch losses."""
    x = onp.asarray(x, dtype=float)
    c = onp.cumsum(onp.insert(x, 0, 0.0))
    idx = onp.arange(1, len(x) + 1)
    lo = onp.maximum(0, idx - k)
    return (c[idx] - c[lo]) / (idx - lo)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

PANELS = (("loss_range", "range of J(w − ηg) over η"),
          ("grad_change", "max ‖∇J(w) − ∇J(w − ηg)‖ over η"),
          ("abs_rayleigh", "curvature along g: |gᵀHg| / gᵀg"),
          ("lambda_max", "top Hessian eigenvalue (power iteration)"))


def plot_smoothness(steps, per_net, path):
    """The four landscape quantities over training, plain vs batch norm (range over seeds)."""
    fig = figure(figsize=(10.0, 6.6))
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (key, title) in zip(axes, PANELS):
        for name, (label, _, color) in NETS.items():
            v = onp.asarray(per_net[name][key], dtype=float)   # (seeds, checkpoints)
            v = onp.maximum(v, 1e-12)   # a log axis: a non-positive value is drawn at the floor
            ax.fill_between(steps, v.min(axis=0), v.max(axis=0), color=color, alpha=0.18, lw=0)
            ax.plot(steps, v.mean(axis=0), color=color, marker="o", ms=3, lw=1.5, label=label)
            if key == "abs_rayleigh":
                b = onp.asarray(per_net[name]["beta_sampled"], dtype=float)
                ax.plot(steps, b.mean(axis=0), color=color, ls=":", lw=1.3,
                        label=f"{label}: sampled β (paper)")
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[2:]:
        ax.set_xlabel("SGD step")
    return save_figure(fig, path)


#: losses above this are drawn at it (a run that blows up would flatten every other curve)
CAP = 100.0


def _capped(values):
    """Finite values above CAP drawn at CAP; inf (a diverged run) stays inf."""
    v = onp.asarray(values, dtype=float)
    return onp.where(onp.isfinite(v), onp.minimum(v, CAP), v)


def plot_training(base, high, sweep, high_lr, path):
    """Training loss at the base and at a high learning rate, and the final loss per rate."""
    fig = figure(figsize=(12.0, 3.8))
    axes = fig.subplots(1, 3)
    for ax, (lr, curves) in zip(axes[:2], ((LR, base), (high_lr, high))):
        for name, (label, _, color) in NETS.items():
            marked = False
            for j, c in enumerate(curves[name]):
                c = _capped(c)
                ok = onp.isfinite(c)
                ax.plot(onp.flatnonzero(ok), smooth(c[ok]) if ok.any() else c[ok], color=color,
                        lw=1.1, alpha=0.8, label=label if j == 0 else None)
                if not ok.all():
                    x = int(onp.flatnonzero(~ok)[0])
                    ax.plot([x], [smooth(c[ok])[-1] if ok.any() else 2.3], marker="x",
                            color=color, ms=8, mew=2,
                            label=None if marked else f"{label}: diverged")
                    marked = True
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        ax.set_xlabel("SGD step")
        ax.set_title(f"learning rate {lr:g}" if lr is not None else "no such learning rate",
                     fontsize=10)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("minibatch loss (moving average of 10)")
    ax = axes[2]
    lrs = list(sweep["learning_rates"])
    for name, (label, _, color) in NETS.items():
        v = _capped(sweep[name])   # (seeds, rates); inf where a run diverged
        shown = onp.where(onp.isfinite(v), v, onp.nan)
        ax.plot(lrs, onp.nanmax(shown, axis=0) if onp.isfinite(shown).any() else lrs,
                color=color, lw=0.6, alpha=0.6)
        ax.plot(lrs, onp.nanmean(shown, axis=0), color=color, marker="o", ms=4, label=label)
        bad = ~onp.isfinite(v).all(axis=0)
        if bad.any():
            ax.plot(onp.asarray(lrs)[bad], onp.full(bad.sum(), CAP), ls="none", marker="x",
                    color=color, ms=8, mew=2, label=f"{label}: diverged")
    ax.axhline(math.log(10), color="grey", ls=":", lw=0.8)
    ax.text(lrs[0], math.log(10) * 0.96, "log 10 (chance)", fontsize=7, color="grey",
            va="top")  # below the line: above it, it can run into the title
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"loss after {sweep['steps']} steps")
    ax.set_title("final loss by learning rate", fontsize=10)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

def _same_initial_weights(layers, seed):
    """Whether both networks start from the same weight matrices (same seed, same draws)."""
    a, b = Net(layers, None, seed), Net(layers, "before", seed)
    wa, wb = a.weight_matrices(a.w0), b.weight_matrices(b.w0)
    return len(wa) == len(wb) and all(onp.array_equal(x, y) for x, y in zip(wa, wb))


def _trains(loss, initial):
    return math.isfinite(loss) and loss < TRAINS * initial


def run(args):
    """Measure both networks' landscapes along training, then sweep learning rates."""
    quick = args.quick
    layers = getattr(args, "layers", LAYERS)
    steps = getattr(args, "steps", None) or (QUICK_STEPS if quick else STEPS)
    n_seeds = getattr(args, "seeds", None) or (QUICK_SEEDS if quick else SEEDS)
    n_check = QUICK_CHECKPOINTS if quick else CHECKPOINTS
    power_iters = QUICK_POWER_ITERS if quick else POWER_ITERS
    sweep_lrs = QUICK_SWEEP_LRS if quick else SWEEP_LRS
    sweep_steps = QUICK_SWEEP_STEPS if quick else SWEEP_STEPS
    X_tr, _, y_tr, _ = digits_split(args.seed)
    measure_on = (X_tr[:MEASURE_BATCH], y_tr[:MEASURE_BATCH])
    checkpoints = sorted({int(round(k * steps / (n_check - 1))) for k in range(n_check)})
    seeds = [int(s) for s in onp.random.SeedSequence(args.seed).generate_state(n_seeds)]
    n_weights = {name: len(Net(layers, bn, 0).w0) for name, (_, bn, _) in NETS.items()}
    same_init = all(_same_initial_weights(layers, s) for s in seeds)
    say(f"Digits: {len(X_tr)} training examples; {layers} hidden {ACTIVATION} layers of width "
        f"{WIDTH}, {INIT} initialization; plain ({n_weights['plain']} weights) and with batch "
        f"norm before every {ACTIVATION} ({n_weights['batchnorm']}); the same initial weight "
        f"matrices: {same_init}.")
    say(f"SGD, learning rate {LR:g}, batch {BATCH}, {steps} steps, {n_seeds} seeds; measured at "
        f"steps {checkpoints} on {MEASURE_BATCH} fixed training examples, step sizes η = "
        f"{[e * LR for e in ETAS]} along −g, power iteration up to {power_iters} "
        "Hessian-vector products.")

    t0 = time.perf_counter()
    per_net = {name: {k: [] for k in ("loss", "grad_norm", "loss_range", "grad_change",
                                      "rayleigh", "abs_rayleigh", "beta_sampled", "lambda_max",
                                      "abs_lambda_max", "power_converged")} for name in NETS}
    base_curves = {name: [] for name in NETS}
    jobs = [(name, s) for s in seeds for name in NETS]
    for name, s in progress(jobs, total=len(jobs), desc="measured runs", enabled=args.progress):
        net = Net(layers, NETS[name][1], s)
        losses, marks, _, _ = train(net, X_tr, y_tr, LR, steps, s, checkpoints, measure_on,
                                    power_iters)
        base_curves[name].append(losses)
        for k in per_net[name]:
            per_net[name][k].append([marks[t][k] if t in marks else float("nan")
                                     for t in checkpoints])
    t_measure = time.perf_counter() - t0

    def mean(name, key):
        return onp.nanmean(onp.asarray(per_net[name][key], dtype=float), axis=0)

    # |gᵀHg|: the curvature along g can be negative (a concave direction), and smoothness is
    # about its size
    ratios = {key: (mean("plain", key) / mean("batchnorm", key)).tolist()
              for key in ("loss_range", "grad_change", "abs_rayleigh", "beta_sampled",
                          "lambda_max")}
    finite = all(math.isfinite(v) for r in ratios.values() for v in r)
    say("\nAlong the gradient, mean over seeds, plain / batch norm at each checkpoint:")
    say(f"  {'step':>5} " + " ".join(f"{h:>14}" for h in ("loss range", "max ‖Δ∇J‖",
                                                              "|gᵀHg|/gᵀg", "sampled β",
                                                              "λ_max")))
    for i, t in enumerate(checkpoints):
        say(f"  {t:>5} " + " ".join(f"{ratios[k][i]:>14.3g}" for k in ratios))
    lam = {name: mean(name, "lambda_max") for name in NETS}
    ray = {name: mean(name, "rayleigh") for name in NETS}
    say("  absolute values (plain vs batch norm): λ_max " + ", ".join(
        f"{a:.3g}/{b:.3g}" for a, b in zip(lam["plain"], lam["batchnorm"]))
        + "; gᵀHg/gᵀg " + ", ".join(f"{a:.3g}/{b:.3g}" for a, b in zip(ray["plain"],
                                                                       ray["batchnorm"])))
    unconverged = sum(not v for name in NETS for row in per_net[name]["power_converged"]
                      for v in row)
    say(f"  power iterations that did not converge to {POWER_TOL:g} within {power_iters}: "
        f"{unconverged} of {len(checkpoints) * len(jobs)}.")
    smoother = {k: sum(v > 1 for v in r) for k, r in ratios.items()}
    end_loss = {name: float(mean(name, "loss")[-1]) for name in NETS}
    say(f"  loss on the measurement examples after {steps} steps at learning rate {LR:g}: "
        f"plain {end_loss['plain']:.4f}, batch norm {end_loss['batchnorm']:.4f}.")

    # -- learning-rate sweep --------------------------------------------------------------------
    t0 = time.perf_counter()
    sweep = {"learning_rates": list(sweep_lrs), "steps": sweep_steps,
             **{name: [] for name in NETS}}
    curves = {lr: {name: [] for name in NETS} for lr in sweep_lrs}
    initial = {}
    jobs = [(name, s, lr) for s in seeds for name in NETS for lr in sweep_lrs]
    for name, s, lr in progress(jobs, total=len(jobs), desc="learning rates",
                                enabled=args.progress):
        net = Net(layers, NETS[name][1], s)
        initial[(name, s)] = float(net.loss(net.w0, *measure_on))
        losses, _, w, div = train(net, X_tr, y_tr, lr, sweep_steps, s)
        curves[lr][name].append(losses)
        row = sweep[name]
        if len(row) <= seeds.index(s):
            row.append([])
        row[seeds.index(s)].append(final_loss(net, w, div, measure_on))
    t_sweep = time.perf_counter() - t0
    trains = {name: [all(_trains(sweep[name][si][li], initial[(name, s)])
                         for si, s in enumerate(seeds)) for li in range(len(sweep_lrs))]
              for name in NETS}
    fails = {name: [not any(_trains(sweep[name][si][li], initial[(name, s)])
                            for si, s in enumerate(seeds)) for li in range(len(sweep_lrs))]
             for name in NETS}
    tolerated = [lr for li, lr in enumerate(sweep_lrs)
                 if trains["batchnorm"][li] and fails["plain"][li]]
    high_lr = tolerated[0] if tolerated else None
    sweep_mean = {n: [_finite_mean([sweep[n][si][li] for si in range(len(seeds))])
                      for li in range(len(sweep_lrs))] for n in NETS}
    sweep_diverged = {n: [sum(not math.isfinite(sweep[n][si][li]) for si in range(len(seeds)))
                          for li in range(len(sweep_lrs))] for n in NETS}
    say(f"\nLearning-rate sweep ({sweep_steps} steps; loss on the {MEASURE_BATCH} measurement "
        f"examples at the end, mean over seeds; 'trains' = finite and below {TRAINS:g}× the "
        "initial loss in every seed):")
    for li, lr in enumerate(sweep_lrs):
        say(f"  lr {lr:<5g} " + "   ".join(
            f"{NETS[n][0]} {_mean_text(sweep_mean[n][li], sweep_diverged[n][li], len(seeds))}"
            f"{' (trains)' if trains[n][li] else ' (fails)' if fails[n][li] else ' (mixed)'}"
            for n in NETS))
    if high_lr is None:
        say("  no learning rate in the sweep trains with batch norm and fails without it.")
    else:
        say(f"  the smallest learning rate that batch norm tolerates and the plain network does "
            f"not: {high_lr:g}.")

    out = args.out
    plot_smoothness(checkpoints, per_net, out / "smoothness.png")
    shown_lr = high_lr if high_lr is not None else sweep_lrs[-1]
    plot_training(base_curves, curves[shown_lr], sweep, shown_lr, out / "training.png")
    figures = [
        {"file": "smoothness.png", "caption": "Along the gradient, at checkpoints of training "
         "with the same learning rate (mean over seeds, range shaded): the range of the loss, "
         "the change of the gradient, the exact curvature gᵀHg/gᵀg (dotted: the sampled "
         "estimate) and the top Hessian eigenvalue, plain versus batch norm."},
        {"file": "training.png", "caption": f"Training loss at learning rate {LR:g} and at "
         f"{shown_lr:g}"
         + (", which batch norm tolerates and the plain network does not" if high_lr else
            " (no swept rate separates the two networks)")
         + ", and the final loss for every learning rate of the sweep (mean over the runs "
           "that did not diverge, thin line: the worst of them; crosses: diverged runs)."},
    ]
    say("Figures: " + ", ".join(str(out / f["file"]) for f in figures))

    numbers = {
        "layers": layers, "width": WIDTH, "activation": ACTIVATION, "init": INIT,
        "weights": n_weights, "same_initial_weights": same_init, "learning_rate": LR,
        "batch_size": BATCH, "steps": steps, "seeds": n_seeds, "checkpoints": checkpoints,
        "measure_batch": MEASURE_BATCH, "etas": [e * LR for e in ETAS],
        "power_iterations_max": power_iters, "power_tolerance": POWER_TOL,
        "power_unconverged": unconverged,
        "plain": per_net["plain"], "batchnorm": per_net["batchnorm"],
        "ratios_plain_over_batchnorm": ratios, "ratios_finite": finite,
        "checkpoints_plain_rougher": smoother,
        "mean_lambda_max": {n: lam[n].tolist() for n in NETS},
        "mean_rayleigh": {n: ray[n].tolist() for n in NETS},
        "final_train_loss": {n: [c[-1] for c in base_curves[n]] for n in NETS},
        "final_measured_loss": end_loss,
        "sweep": sweep, "sweep_mean_final_loss": sweep_mean, "sweep_diverged": sweep_diverged,
        "sweep_initial_loss": {n: [initial[(n, s)] for s in seeds] for n in NETS},
        "sweep_trains": trains, "sweep_fails": fails,
        "tolerated_by_batchnorm_only": tolerated, "high_learning_rate": high_lr,
        "timing": {"measure_seconds": t_measure, "sweep_seconds": t_sweep},
    }
    k = len(checkpoints)
    summary = [
        f"{layers} {ACTIVATION} layers, lr {LR:g}: plain / batch norm at the {k} checkpoints: "
        f"top eigenvalue {_range_text(ratios['lambda_max'])}, curvature along g "
        f"{_range_text(ratios['abs_rayleigh'])}, loss range {_range_text(ratios['loss_range'])}, "
        f"gradient change {_range_text(ratios['grad_change'])}",
        f"after {steps} steps at lr {LR:g} the loss is {end_loss['plain']:.4f} plain, "
        f"{end_loss['batchnorm']:.4f} with batch norm",
        f"the plain network is the rougher one at {smoother['lambda_max']} of {k} checkpoints "
        f"by the top eigenvalue and {smoother['abs_rayleigh']} of {k} by the curvature along the "
        "gradient",
        (f"learning rate {high_lr:g}: batch norm trains, the plain network does not"
         if high_lr is not None else "no swept learning rate separates the two networks"),
    ]
    return {"demo": NAME, "seed": args.seed, "quick": quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": "Every quantity is measured in weight space on the same fixed batch, with "
                     "batch norm using that batch's statistics. Batch norm makes the loss "
                     "invariant to the scale of each layer's weights, so its curvature also "
                     "depends on how the weight norms grow during training; the ratios compare "
                     "the two networks as the optimizer sees them, not an intrinsic property. "
                     "One small network and a few seeds: a measurement, not a proof. Times vary "
                     "from run to run; every other number is the same for the same seed."}


def _finite_mean(values):
    """Mean of the finite values (the runs that did not diverge); None if there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(onp.mean(finite)) if finite else None


def _mean_text(mean, diverged, runs):
    if diverged:
        return f"diverged in {diverged}/{runs}" + (f", else {mean:.3f}" if mean is not None
                                                     else "")
    return f"{mean:.3f}"


def _range_text(values):
    return f"{min(values):.2g}–{max(values):.2g}×"
