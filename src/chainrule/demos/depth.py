"""``chainrule demo depth``: why deep networks are hard to train, and what fixes it.

Two experiments on the 8×8 digits, both with 20 hidden tanh layers of width 32:

* **Architecture.** The same deep network plain, with skip connections
  (:class:`~chainrule.nn.Residual`), with batch normalization
  (:class:`~chainrule.nn.BatchNorm` before each tanh) and with both, all
  started from the lecture's "random initialization with small variance"
  (N(0, 0.1²)) and trained with the same minibatch SGD budget and seed.
* **Initialization.** The plain network with too small (N(0, 0.1²)), too
  large (N(0, 1)), Xavier and He initial variances: the norm of the gradient
  ∂L/∂W of every layer at initialization (vanishing and exploding gradients)
  and the training loss under the same budget.
"""

import time

import numpy as onp

from chainrule import grad, nn, optim

from .common import digits_split, figure, plain_log_ticks, progress, save_figure, say

NAME = "depth"
HELP = ("20-layer networks on digits: plain vs skip connections vs batch norm, and how the "
        "initial variance makes gradients vanish or explode")

LAYERS, WIDTH = 20, 32
EPOCHS, QUICK_EPOCHS = 20, 3
BATCH, LR = 64, 0.05
N_TRAIN = 1280       # 20 full batches of 64: a tiny last batch gives BatchNorm noisy statistics
SMALL_STD = 0.1      # the lecture's "random initialization with small variance"

#: name -> (label, keyword arguments of nn.mlp)
ARCHITECTURES = {
    "plain": ("plain", {}),
    "residual": ("skip connections", {"residual": True}),
    "batchnorm": ("batch norm", {"batch_norm": "before"}),
    "both": ("skip + batch norm", {"residual": True, "batch_norm": "before"}),
}

#: name -> (label, initializer of the weights)
INITS = {
    "small": ("too small: N(0, 0.1²)", nn.init.normal(SMALL_STD)),
    "large": ("too large: N(0, 1)", nn.init.normal(1.0)),
    "xavier": ("Xavier: N(0, 2/(fan_in+fan_out))", nn.init.xavier_normal()),
    "he": ("He: N(0, 2/fan_in)", nn.init.he_normal()),
}


def add_arguments(parser):
    """Options of ``chainrule demo depth``."""
    parser.add_argument("--layers", type=int, default=LAYERS, metavar="L",
                        help=f"hidden layers (default {LAYERS})")
    parser.add_argument("--epochs", type=int, default=None, metavar="N",
                        help=f"training epochs per network (default {EPOCHS}; {QUICK_EPOCHS} "
                             "with --quick)")


def load_data(seed):
    """Standardized digits split into ``N_TRAIN`` training and 517 test examples."""
    return digits_split(seed, test_size=1797 - N_TRAIN, stratify=False)  # 1797 digits ship


def deep_mlp(layers, init, **kw):
    """``layers`` hidden tanh layers of width ``WIDTH`` between the 64 pixels and 10 classes."""
    return nn.mlp([64] + [WIDTH] * layers + [10], "tanh", init=init, **kw)


def layer_gradient_norms(model, params, X, y):
    """‖∂L/∂W‖ (Frobenius) of every Linear layer, input to output, for a plain network."""
    g = grad(lambda p: nn.softmax_cross_entropy(model(p, X), y))(params)
    return [float(onp.linalg.norm(layer["W"])) for layer in g if "W" in layer]


def train(model, seed, epochs, split):
    """Minibatch SGD from ``model.init(seed)``; returns the :class:`~chainrule.nn.History`."""
    X_tr, X_te, y_tr, y_te = split
    _, hist = nn.fit(model, model.init(seed=seed), optim.SGD(LR), X_tr, y_tr, epochs=epochs,
                     batch_size=BATCH, seed=seed, validation=(X_te, y_te), progress=False)
    return hist


def _result(hist):
    return {"loss_curve": hist.loss, "first_epoch_loss": hist.loss[0],
            "final_train_loss": hist.loss[-1], "train_accuracy": hist.accuracy[-1],
            "test_accuracy": hist.val_accuracy[-1]}


def _integer_epochs(ax):
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")


def plot_overview(archs, inits, layers, path):
    """Left: training loss of the four architectures. Right: gradient norm per layer at init."""
    fig = figure(figsize=(10.0, 3.8))
    ax, bx = fig.subplots(1, 2)
    for name, r in archs.items():
        ax.plot(onp.arange(1, len(r["loss_curve"]) + 1), r["loss_curve"], marker=".",
                label=ARCHITECTURES[name][0])
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    _integer_epochs(ax)
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_title(f"{layers} tanh layers, N(0, 0.1²) init, same SGD budget", fontsize=10)
    ax.legend(fontsize=8)
    for name, r in inits.items():
        norms = r["grad_norms"]
        bx.plot(onp.arange(1, len(norms) + 1), norms, marker="o", ms=3, label=INITS[name][0])
    bx.set_yscale("log")
    from matplotlib.ticker import MaxNLocator
    bx.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
    bx.set_xlabel("layer (1 = input side)")
    bx.set_ylabel("‖∂L/∂W‖ at initialization")
    bx.set_title("Plain network: gradient norm per layer", fontsize=10)
    bx.legend(fontsize=7)
    return save_figure(fig, path)


def plot_init_loss(inits, path):
    """Training loss of the plain network for each initial variance."""
    fig = figure(figsize=(6.4, 3.8))
    ax = fig.add_subplot()
    for name, r in inits.items():
        ax.plot(onp.arange(1, len(r["loss_curve"]) + 1), r["loss_curve"], marker=".",
                label=INITS[name][0])
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    _integer_epochs(ax)
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_title("Plain deep network: the initial variance decides whether it trains",
                 fontsize=10)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def run(args):
    """Train the architectures and initializations, plot, print; returns the report dict."""
    layers = getattr(args, "layers", LAYERS)
    epochs = getattr(args, "epochs", None) or (QUICK_EPOCHS if args.quick else EPOCHS)
    split = load_data(args.seed)
    n_tr, n_te = len(split[0]), len(split[1])
    steps = epochs * -(-n_tr // BATCH)
    say(f"Digits: {n_tr} training, {n_te} test examples. {layers} hidden tanh layers of width "
        f"{WIDTH}; SGD, learning rate {LR}, batch {BATCH}, {epochs} epochs = {steps} steps each.")

    jobs = [("arch", k) for k in ARCHITECTURES] + [("init", k) for k in INITS]
    archs, inits, seconds = {}, {}, {}
    for kind, name in progress(jobs, total=len(jobs), desc="depth", enabled=args.progress):
        t0 = time.perf_counter()
        if kind == "arch":
            model = deep_mlp(layers, nn.init.normal(SMALL_STD), **ARCHITECTURES[name][1])
            archs[name] = _result(train(model, args.seed, epochs, split))
        else:
            model = deep_mlp(layers, INITS[name][1])
            norms = layer_gradient_norms(model, model.init(seed=args.seed), split[0], split[2])
            inits[name] = {"grad_norms": norms, "grad_norm_first": norms[0],
                           "grad_norm_last": norms[-1], "first_to_last": norms[0] / norms[-1],
                           **_result(train(model, args.seed, epochs, split))}
        seconds[f"{kind}_{name}"] = time.perf_counter() - t0

    say("\nSame network, same N(0, 0.1²) initialization, same budget: training loss after "
        "the first and the last epoch")
    for name, r in archs.items():
        say(f"  {ARCHITECTURES[name][0]:<18} {r['first_epoch_loss']:.4f} -> "
            f"{r['final_train_loss']:.4f}   train accuracy {100 * r['train_accuracy']:5.1f}%   "
            f"test accuracy {100 * r['test_accuracy']:5.1f}%")
    say("\nPlain network, initial variance: ‖∂L/∂W‖ of layer 1 and of layer "
        f"{layers + 1} at initialization, then the final training loss")
    for name, r in inits.items():
        say(f"  {INITS[name][0]:<34} layer 1 {r['grad_norm_first']:9.2e}   layer {layers + 1} "
            f"{r['grad_norm_last']:9.2e}   ratio {r['first_to_last']:9.2e}   "
            f"loss {r['final_train_loss']:.4f}")

    plot_overview(archs, inits, layers, args.out / "depth.png")
    plot_init_loss(inits, args.out / "init_loss.png")
    figures = [
        {"file": "depth.png", "caption": f"Left: training loss of a {layers}-layer tanh network "
         "from the same small-variance initialization: the plain network does not move from "
         "log 10, skip connections and batch norm train. Right: the gradient norm of each "
         "layer at initialization: it vanishes everywhere with a too small variance and "
         "explodes towards the input with a too large one; Xavier and He keep it level."},
        {"file": "init_loss.png", "caption": "Training loss of the plain deep network for "
         "each initial variance under the same budget: only the well-scaled ones learn."},
    ]
    say("Figures: " + ", ".join(str(args.out / f["file"]) for f in figures))

    plain = archs["plain"]["final_train_loss"]
    summary = [
        f"{layers} tanh layers, N(0, 0.1²) init, {steps} SGD steps: final training loss "
        + ", ".join(f"{ARCHITECTURES[k][0]} {r['final_train_loss']:.4f}"
                    for k, r in archs.items()),
        ("skip connections and batch norm make the deep network trainable: "
         if max(archs["residual"]["final_train_loss"], archs["batchnorm"]["final_train_loss"])
         < plain - 0.5 else "this budget does not separate the architectures clearly: ")
        + f"{archs['residual']['final_train_loss']:.4f} and "
        f"{archs['batchnorm']['final_train_loss']:.4f} vs {plain:.4f} for the plain network",
        "plain network, ‖∂L/∂W‖ at initialization, layer 1 / layer "
        f"{layers + 1}: " + ", ".join(
            f"{k} {r['grad_norm_first']:.1e} / {r['grad_norm_last']:.1e}"
            for k, r in inits.items()),
        "final training loss by initialization: "
        + ", ".join(f"{k} {r['final_train_loss']:.4f}" for k, r in inits.items()),
    ]
    numbers = {
        "layers": layers, "width": WIDTH, "activation": "tanh", "epochs": epochs,
        "steps": steps, "batch_size": BATCH, "learning_rate": LR, "train_examples": n_tr,
        "test_examples": n_te, "architecture_init_std": SMALL_STD,
        "architectures": archs, "initializations": inits,
        "timing": {"seconds": seconds},
    }
    return {"demo": NAME, "seed": args.seed, "quick": args.quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": "The architecture comparison starts all four networks from the lecture's "
                     "small-variance initialization, which is what cripples the plain one. A "
                     "well-scaled initialization also rescues the plain network (final training "
                     f"loss {inits['xavier']['final_train_loss']:.4f} with Xavier, "
                     f"{inits['he']['final_train_loss']:.4f} with He, against "
                     f"{archs['residual']['final_train_loss']:.4f} with skip connections). "
                     "Losses are epoch averages over the minibatches in training mode (batch "
                     "statistics for batch norm). Times vary from run to run; every other "
                     "number is the same for the same seed."}
