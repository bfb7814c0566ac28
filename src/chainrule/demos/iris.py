"""``chainrule demo iris``: the lecture's Iris classifier, its gradient four ways, then training.

The model is exactly the lecture's: D = 2 features (petal length and width)
plus a constant bias input x_3 = 1, M = 16 logistic hidden units, C = 3
softmax outputs, no other biases::

    q_m = Σ_d V_md x_d,   z_m = σ(q_m),   u_c = Σ_m W_cm z_m,   ŷ = softmax(u)
    J(W, V) = Σ_n [ −y⁽ⁿ⁾ᵀu⁽ⁿ⁾ + log Σ_c exp(u_c⁽ⁿ⁾) ]

Before training, the gradient of J is computed four ways and compared: the
lecture's hand-derived formulas in plain NumPy, chainrule's reverse mode
(:func:`~chainrule.grad`), chainrule's forward mode (:func:`~chainrule.jacfwd`)
and central finite differences of the cost. Then full-batch gradient descent
trains the model; the cost curve and the decision boundaries are plotted.

The functions here (:func:`load_data`, :func:`cost`, :func:`train_model`...)
are reused by ``chainrule demo landscape`` and ``chainrule demo modes``.
"""

import time
from types import SimpleNamespace

import numpy as onp

import chainrule.numpy as np
from chainrule import data, grad, jacfwd, jit, value_and_grad
from chainrule.nn import logsumexp
from chainrule.test_util import numerical_grad

from .common import (figure, median_time, one_blas_thread, plain_log_ticks, progress,
                     rel_diff, rng, save_figure, say)

NAME = "iris"
HELP = "the lecture's Iris network: its gradient four ways, then gradient descent"

FEATURES = ("petal_length", "petal_width")
HIDDEN = 16          # M, the lecture's number of hidden units
CLASSES = 3          # C
STEPS, QUICK_STEPS = 2000, 300
LR = 0.01            # J is a sum over the 150 examples: 0.01 is 1.5 per example-averaged step
INIT_STD = 0.1       # the lecture: random initialization with small variance breaks the symmetry
FD_EPS = 1e-6        # central-difference step: truncation ~ε², rounding ~1e-16·J/ε
TOLERANCE = 1e-6     # the largest relative gradient difference the demo accepts (float64)
CLASS_COLORS = ("#1b9e77", "#d95f02", "#7570b3")


def add_arguments(parser):
    """Options of ``chainrule demo iris``."""
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help=f"gradient-descent steps (default {STEPS}; {QUICK_STEPS} with "
                             "--quick)")
    parser.add_argument("--lr", type=float, default=LR,
                        help=f"learning rate of gradient descent on the summed cost J "
                             f"(default {LR})")
    parser.add_argument("--hidden", type=int, default=HIDDEN, metavar="M",
                        help=f"hidden units (default {HIDDEN}, the lecture's)")


# ---------------------------------------------------------------------------
# The data and the model
# ---------------------------------------------------------------------------

def load_data(features=FEATURES):
    """Iris on two features: ``X`` standardized with a bias column of ones, one-hot ``Y``.

    Returns a namespace with ``X_cm`` (150, 2) in cm, ``X`` (150, 3) (the
    lecture's D = 2 features + 1 bias input), labels ``y``, one-hot ``Y``
    (150, 3) and the ``mean``/``std`` used, to map plot grids given in cm.
    """
    X_cm, y = data.iris(features=features)
    # Standardize so that one learning rate suits both features (petal length
    # spans 1-7 cm, width 0.1-2.5 cm); the decision-boundary plot is in cm.
    mean, std = X_cm.mean(axis=0), X_cm.std(axis=0)
    return SimpleNamespace(X_cm=X_cm, X=with_bias((X_cm - mean) / std), y=y,
                           Y=onp.eye(CLASSES)[y], mean=mean, std=std, features=features)


def with_bias(X):
    """Append the constant input x_{D+1} = 1: the lecture's way of giving each unit a bias."""
    return onp.hstack([X, onp.ones((len(X), 1))])


def init_params(seed, hidden=HIDDEN, d_in=len(FEATURES) + 1, std=INIT_STD):
    """Random Gaussian weights of small variance: ``{"V": (M, D+1), "W": (C, M)}``."""
    r = rng(seed)
    return {"V": r.normal(0.0, std, (hidden, d_in)), "W": r.normal(0.0, std, (CLASSES, hidden))}


def sigmoid(q):
    """The logistic function σ(q) = 1 / (1 + e^{−q})."""
    return 1.0 / (1.0 + np.exp(-q))


def relu(q):
    """max(q, 0)."""
    return np.maximum(q, 0.0)


#: hidden-unit nonlinearities h(q); the lecture's model uses the sigmoid
ACTIVATIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": relu}


def logits(params, X, activation="sigmoid"):
    """u⁽ⁿ⁾ for every example: (N, C). Works on plain arrays and on chainrule's traced values."""
    Z = ACTIVATIONS[activation](X @ params["V"].T)   # z_m = h(q_m), q_m = Σ_d V_md x_d
    return Z @ params["W"].T                         # u_c = Σ_m W_cm z_m


def cost(params, X, Y, activation="sigmoid"):
    """The lecture's cost J = Σ_n −y⁽ⁿ⁾ᵀu⁽ⁿ⁾ + log Σ_c exp(u_c⁽ⁿ⁾), written with chainrule.numpy."""
    U = logits(params, X, activation)
    return np.sum(-np.sum(Y * U, axis=1) + logsumexp(U, axis=1))


def predict(params, X, activation="sigmoid"):
    """Predicted class of each row of ``X`` (the largest u_c)."""
    return onp.argmax(onp.asarray(logits(params, X, activation)), axis=1)


def accuracy(params, X, y, activation="sigmoid"):
    """Fraction of the examples classified correctly."""
    return float(onp.mean(predict(params, X, activation) == y))


# ---------------------------------------------------------------------------
# The gradient, four ways
# ---------------------------------------------------------------------------

def hand_gradient(params, X, Y):
    """∂J/∂W and ∂J/∂V by the lecture's hand-derived formulas, in plain NumPy (no chainrule).

    ∂L/∂W_cm = (ŷ_c − y_c) z_m  and  ∂L/∂V_md = Σ_c (ŷ_c − y_c) W_cm z_m (1 − z_m) x_d,
    summed over the examples n (J is a sum of the per-example losses L).
    """
    W, V = params["W"], params["V"]
    Z = 1.0 / (1.0 + onp.exp(-(X @ V.T)))             # (N, M) hidden units z_m
    U = Z @ W.T                                       # (N, C) u_c
    Yhat = onp.exp(U - U.max(axis=1, keepdims=True))  # softmax, shifted so exp cannot overflow
    Yhat /= Yhat.sum(axis=1, keepdims=True)
    E = Yhat - Y                                      # ∂L/∂u_c = ŷ_c − y_c: "error from above"
    dW = E.T @ Z                                      # Σ_n (ŷ_c − y_c) z_m
    dQ = (E @ W) * Z * (1.0 - Z)                      # ∂L/∂q_m = Σ_c (ŷ_c − y_c) W_cm z_m(1 − z_m)
    dV = dQ.T @ X                                     # Σ_n ∂L/∂q_m x_d
    return {"V": dV, "W": dW}


def flatten(params):
    """All weights as one vector θ (V first, then W), e.g. for finite differences."""
    return onp.concatenate([onp.ravel(params["V"]), onp.ravel(params["W"])])


def unflatten(theta, like):
    """The inverse of :func:`flatten`, with the shapes of ``like``."""
    nv = like["V"].size
    return {"V": theta[:nv].reshape(like["V"].shape), "W": theta[nv:].reshape(like["W"].shape)}


def four_gradients(params, X, Y, eps=FD_EPS):
    """The gradient of J at ``params`` by hand, reverse mode, forward mode and finite differences.

    Returns ``({method: flat gradient}, {method: median seconds of 5 calls})``.
    """
    timed = {}

    def run(name, fn):
        g = fn()
        timed[name] = median_time(fn, repeats=5, warmup=0)
        return flatten(g) if isinstance(g, dict) else g

    grads = {
        "hand": run("hand", lambda: hand_gradient(params, X, Y)),
        # one forward pass that records the graph, one backward pass: all 96 partials
        "reverse": run("reverse", lambda: grad(cost)(params, X, Y)),
        # one tangent per weight (96 directions, pushed through together); each
        # tangent gives one directional derivative ∂J/∂θ_k: an honest forward-mode gradient
        "forward": run("forward", lambda: jacfwd(cost)(params, X, Y)),
        # 2 cost evaluations per weight: (J(θ + ε/2 e_k) − J(θ − ε/2 e_k)) / ε
        "finite differences": run("finite differences", lambda: numerical_grad(
            lambda theta: float(cost(unflatten(theta, params), X, Y)), eps=eps)(
                flatten(params))),
    }
    return grads, timed


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

_CACHE = {}


def train_model(seed=0, steps=STEPS, lr=LR, activation="sigmoid", hidden=HIDDEN,
                progress_bar=True, desc="gradient descent", use_jit=True):
    """Full-batch gradient descent on J from :func:`init_params` (``seed``).

    Returns a namespace: ``data``, ``init`` and ``params`` (weights before and
    after), ``costs`` (J before each step, then the final J) and
    ``accuracy_steps``/``accuracies`` (training accuracy every few steps).
    Results are remembered per arguments, so a second demo in the same
    process (``chainrule demo all``) does not train again. ``use_jit``: each
    step's value and gradient run under :func:`chainrule.jit` (recorded on the
    first step, replayed on the others: the same numbers, about 3x faster).
    """
    key = (seed, steps, lr, activation, hidden, use_jit)
    if key not in _CACHE:
        d = load_data()
        init = init_params(seed, hidden)
        value_and_gradient = value_and_grad(cost)
        if use_jit:
            value_and_gradient = jit(value_and_gradient)
        params, costs, acc_steps, accs = dict(init), [], [], []
        every = max(1, steps // 200)
        for t in progress(range(steps), total=steps, desc=desc, enabled=progress_bar):
            J, g = value_and_gradient(params, d.X, d.Y, activation)
            costs.append(float(J))
            if t % every == 0 or t < 100:  # every early step: the accuracy changes fastest there
                acc_steps.append(t)
                accs.append(accuracy(params, d.X, d.y, activation))
            params = {k: params[k] - lr * g[k] for k in params}   # the gradient-descent step
        costs.append(float(cost(params, d.X, d.Y, activation)))
        acc_steps.append(steps)
        accs.append(accuracy(params, d.X, d.y, activation))
        _CACHE[key] = SimpleNamespace(data=d, init=init, params=params, costs=costs,
                                      accuracy_steps=acc_steps, accuracies=accs,
                                      activation=activation, steps=steps, lr=lr, seed=seed)
    r = _CACHE[key]
    copy = {k: v.copy() for k, v in r.params.items()}  # callers may modify their copy
    return SimpleNamespace(**{**vars(r), "params": copy,
                              "init": {k: v.copy() for k, v in r.init.items()}})


def default_steps(args):
    """The number of training steps for ``args`` (``--steps``, else full or ``--quick`` size)."""
    steps = getattr(args, "steps", None)
    return steps if steps is not None else (QUICK_STEPS if args.quick else STEPS)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def plot_gradients(diffs, path):
    """Bar chart of the relative differences from the hand-derived gradient, log scale."""
    fig = figure(figsize=(6.4, 2.8))
    ax = fig.add_subplot()
    names = list(diffs)
    values = [max(diffs[n], 1e-18) for n in names]  # an exact 0 still gets a (tiny) bar
    ax.barh(names, values, color=["#4c72b0", "#55a868", "#c44e52"][:len(names)])
    ax.set_xscale("log")
    ax.set_xlim(1e-18, 1e-2)
    at_bottom = ax.get_xaxis_transform()  # x in data units, y in axes units
    ax.axvline(TOLERANCE, color="k", ls="--", lw=1)
    ax.text(TOLERANCE, 1.01, "tolerance", fontsize=8, ha="center", va="bottom",
            transform=at_bottom)
    ax.axvline(onp.finfo(float).eps, color="grey", ls=":", lw=1)
    ax.text(onp.finfo(float).eps, 1.01, "float64 ε", fontsize=8, color="grey", ha="center",
            va="bottom", transform=at_bottom)
    for i, v in enumerate(diffs.values()):
        ax.text(max(v, 1e-18) * 1.5, i, f"{v:.1e}", va="center", fontsize=8)
    ax.set_xlabel("max |g − g_hand| / max |g_hand|")
    ax.set_title("Gradient of J compared with the lecture's hand-derived formulas", fontsize=10,
                 pad=14)
    ax.invert_yaxis()
    return save_figure(fig, path)


def plot_cost(run, path):
    """The cost J and the training accuracy along gradient descent."""
    fig = figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    ax.plot(onp.arange(len(run.costs)), run.costs, color="#4c72b0", lw=1.5)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    # a logarithmic step axis (linear below 1, so that step 0 is shown): the accuracy settles
    # within the first ~50 of 2000 steps, which a linear axis squeezes against its left edge
    ax.set_xscale("symlog", linthresh=1, linscale=0.4)
    ax.set_xlim(0, len(run.costs))
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 100, not 10²
    ax.set_xlabel("gradient-descent step (logarithmic axis)")
    ax.set_ylabel("cost J (sum over 150 examples)", color="#4c72b0")
    ax2 = ax.twinx()
    ax2.plot(run.accuracy_steps, 100 * onp.asarray(run.accuracies), color="#dd8452", lw=1.2)
    ax2.set_ylabel("training accuracy (%)", color="#dd8452")
    ax2.set_ylim(0, 102)
    ax.set_title(f"Full-batch gradient descent, learning rate {run.lr:g}", fontsize=10)
    return save_figure(fig, path)


def plot_boundaries(run, path, activation="sigmoid"):
    """Decision regions over the two features (in cm), with the data points."""
    d = run.data
    lo, hi = d.X_cm.min(axis=0) - 0.5, d.X_cm.max(axis=0) + 0.5
    g0, g1 = onp.meshgrid(onp.linspace(lo[0], hi[0], 300), onp.linspace(lo[1], hi[1], 300))
    grid_cm = onp.column_stack([g0.ravel(), g1.ravel()])
    pred = predict(run.params, with_bias((grid_cm - d.mean) / d.std), activation)
    from matplotlib.colors import ListedColormap
    fig = figure(figsize=(5.6, 4.4))
    ax = fig.add_subplot()
    ax.contourf(g0, g1, pred.reshape(g0.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                cmap=ListedColormap(CLASS_COLORS), alpha=0.25)
    ax.contour(g0, g1, pred.reshape(g0.shape), levels=[0.5, 1.5], colors="k", linewidths=0.8)
    wrong = predict(run.params, d.X, activation) != d.y
    for c, name in enumerate(data.IRIS_CLASSES):
        sel = d.y == c
        ax.scatter(d.X_cm[sel, 0], d.X_cm[sel, 1], s=16, color=CLASS_COLORS[c],
                   edgecolors="k", linewidths=0.3, label=name)
    ax.scatter(d.X_cm[wrong, 0], d.X_cm[wrong, 1], s=70, facecolors="none", edgecolors="r",
               linewidths=1.0, label="misclassified")
    ax.set_xlabel(d.features[0].replace("_", " ") + " (cm)")
    ax.set_ylabel(d.features[1].replace("_", " ") + " (cm)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"Decision boundaries after {run.steps} steps "
                 f"({100 * run.accuracies[-1]:.1f}% correct)", fontsize=10)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

def _sci(x):
    """1e-06 -> '1e-6'."""
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def run(args):
    """Run the demo: gradients four ways, training, figures; returns the report dict."""
    steps = default_steps(args)
    lr, hidden = getattr(args, "lr", LR), getattr(args, "hidden", HIDDEN)
    d = load_data()
    params0 = init_params(args.seed, hidden)
    n_weights = sum(v.size for v in params0.values())
    say(f"The lecture's model: {len(FEATURES)} Iris features ({', '.join(FEATURES)}) + 1 bias "
        f"input -> {hidden} sigmoid units -> {CLASSES} softmax outputs, {n_weights} weights, "
        f"N = {len(d.y)} examples.")

    with one_blas_thread() as pinned:
        grads, seconds = four_gradients(params0, d.X, d.Y)
    labels = {"reverse": "chainrule reverse mode (grad)",
              "forward": f"chainrule forward mode (jacfwd, {n_weights} tangents)",
              "finite differences": f"central finite differences (ε = {_sci(FD_EPS)}, "
                                    f"{2 * n_weights} cost evaluations)"}
    diffs = {k: rel_diff(grads[k], grads["hand"]) for k in labels}
    rev_vs_fwd = rel_diff(grads["reverse"], grads["forward"])
    worst = max(diffs.values())
    say(f"\nGradient of J at the initial weights, compared with the hand-derived formulas "
        f"(max |difference| / max |gradient|; |∇J|∞ = {onp.abs(grads['hand']).max():.4g}):")
    for k, text in labels.items():
        say(f"  {text:<62} {diffs[k]:.2e}")
    say(f"  {'reverse mode vs forward mode':<62} {rev_vs_fwd:.2e}")
    say(f"  largest difference {worst:.2e} {'<' if worst < TOLERANCE else '>='} "
        f"{_sci(TOLERANCE)}: "
        f"{'all four agree' if worst < TOLERANCE else 'MISMATCH'}")
    say("  time (median of 5): " + ", ".join(f"{k} {1e3 * v:.2f} ms"
                                              for k, v in seconds.items()))

    t0 = time.perf_counter()
    result = train_model(args.seed, steps, lr, hidden=hidden, progress_bar=args.progress)
    train_seconds = time.perf_counter() - t0
    acc = result.accuracies[-1]
    n_right = int(round(acc * len(d.y)))
    say(f"\nFull-batch gradient descent, {steps} steps, learning rate {lr:g}: "
        f"J {result.costs[0]:.4f} -> {result.costs[-1]:.4f} ({train_seconds:.2f} s)")
    say(f"Training accuracy: {100 * acc:.2f}% ({n_right} of {len(d.y)})")

    figures = [
        {"file": "gradients.png", "caption": "The gradient of the cost at the initial weights "
         "by chainrule's reverse and forward modes and by central finite differences, compared "
         "with the lecture's hand-derived formulas: both autodiff modes agree to rounding "
         f"(~{max(diffs['reverse'], diffs['forward']):.0e}), finite differences to "
         f"~{diffs['finite differences']:.0e}, their truncation and rounding error."},
        {"file": "cost.png", "caption": f"The cost J falls from {result.costs[0]:.1f} to "
         f"{result.costs[-1]:.2f} during full-batch gradient descent (logarithmic step axis); "
         "the training accuracy reaches its final value within the first hundred steps."},
        {"file": "boundaries.png", "caption": "The trained network's decision regions over "
         "petal length and width: setosa is far from the others; versicolor and virginica "
         "overlap, so the few flowers circled in red stay misclassified."},
    ]
    plot_gradients({"reverse mode": diffs["reverse"], "forward mode": diffs["forward"],
                    "finite differences": diffs["finite differences"]},
                   args.out / "gradients.png")
    plot_cost(result, args.out / "cost.png")
    plot_boundaries(result, args.out / "boundaries.png")
    say("Figures: " + ", ".join(str(args.out / f["file"]) for f in figures))

    summary = [
        f"{n_weights} weights; gradient agreement with the hand-derived formulas: reverse "
        f"{diffs['reverse']:.1e}, forward {diffs['forward']:.1e}, finite differences "
        f"{diffs['finite differences']:.1e} (all < {TOLERANCE:g}: {worst < TOLERANCE})",
        f"gradient descent, {steps} steps, lr {lr:g}: J {result.costs[0]:.4f} -> "
        f"{result.costs[-1]:.4f}",
        f"training accuracy {100 * acc:.2f}% ({n_right}/{len(d.y)})",
    ]
    numbers = {
        "features": list(FEATURES), "hidden_units": hidden, "classes": CLASSES,
        "inputs_with_bias": d.X.shape[1], "examples": len(d.y), "weights": n_weights,
        "gradient_inf_norm": float(onp.abs(grads["hand"]).max()),
        "grad_rel_diff": {"reverse_vs_hand": diffs["reverse"], "forward_vs_hand": diffs["forward"],
                          "finite_differences_vs_hand": diffs["finite differences"],
                          "reverse_vs_forward": rev_vs_fwd},
        "grad_max_rel_diff": worst, "grad_tolerance": TOLERANCE, "grad_agree": worst < TOLERANCE,
        "fd_eps": FD_EPS, "fd_cost_evaluations": 2 * n_weights,
        "steps": steps, "learning_rate": lr, "init_std": INIT_STD,
        "initial_cost": result.costs[0], "final_cost": result.costs[-1],
        "train_accuracy": acc, "train_correct": n_right,
        "timing": {"gradient_seconds": seconds, "train_seconds": train_seconds,
                   "blas_one_thread": pinned},
    }
    return {"demo": NAME, "seed": args.seed, "quick": args.quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": "Relative differences are max|g − g_hand| / max|g_hand| (∞-norm), so entries "
                     "near zero do not inflate them. Times (numbers.timing) vary from run to run; "
                     "every other number is the same for the same seed."}
