"""``chainrule demo transfer``: pre-train on a simpler task, fine-tune on the target task.

The simpler task is telling apart the digits 0-4 only; the target task is all
ten digits. A network ``body`` (64 → 64 → 32, tanh) with a 5-way ``head`` is
pre-trained on the simpler task; its body then gets a new 10-way head and
the whole network is fine-tuned on the target task. The same network
trained from scratch (the same new head, a fresh body) gets the same number
of SGD steps on the same minibatches. Test accuracy is measured after every
step, on all ten digits and separately on the digits seen in pre-training and
the new ones; the demo reports how many steps each network needs to reach a
target accuracy, over several seeds, because one seed's difference can be luck.
"""

import time

import numpy as onp

from chainrule import nn, optim

from .common import digits_split, figure, progress, save_figure, say

NAME = "transfer"
HELP = ("pre-train on digits 0-4, fine-tune on all ten digits, and compare with training "
        "from scratch under the same step budget")

SOURCE_CLASSES = 5           # the simpler task: digits 0..4
PRE_STEPS, STEPS = 300, 300
QUICK_PRE_STEPS, QUICK_STEPS = 100, 150
SEEDS, QUICK_SEEDS = 5, 2
BATCH, LR = 32, 0.05
TARGET = 0.90                # test accuracy to reach

#: test-set groups: every digit, the digits of the simpler task, the digits new to the network
GROUPS = {"all": lambda y: y >= 0, "seen": lambda y: y < SOURCE_CLASSES,
          "new": lambda y: y >= SOURCE_CLASSES}
GROUP_LABELS = {"all": "all ten digits", "seen": f"digits 0-{SOURCE_CLASSES - 1} (pre-trained)",
                "new": f"digits {SOURCE_CLASSES}-9 (new)"}


def add_arguments(parser):
    """Options of ``chainrule demo transfer``."""
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help=f"fine-tuning (and from-scratch) steps (default {STEPS}; "
                             f"{QUICK_STEPS} with --quick)")
    parser.add_argument("--pre-steps", type=int, default=None, metavar="N",
                        help=f"pre-training steps (default {PRE_STEPS}; {QUICK_PRE_STEPS} "
                             "with --quick)")
    parser.add_argument("--seeds", type=int, default=None, metavar="K",
                        help=f"repetitions with different initializations and minibatches "
                             f"(default {SEEDS}; {QUICK_SEEDS} with --quick)")
    parser.add_argument("--target", type=float, default=TARGET, metavar="ACC",
                        help=f"test accuracy to reach (default {TARGET})")


def load_data(seed):
    """Standardized digits, a stratified 75/25 split: ``X_tr, X_te, y_tr, y_te``."""
    return digits_split(seed)


def network(classes):
    """The shared ``body`` (feature extractor) with a ``head`` for ``classes`` classes."""
    body = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh())
    return nn.Sequential(body=body, head=nn.Linear(32, classes))


def fit_steps(model, params, X, y, steps, seed, test=None):
    """``steps`` SGD steps on random minibatches: ``(params, {group: accuracy per step})``.

    ``nn.fit`` sees one minibatch per "epoch" (the sampler picks it), so its
    per-epoch callback measures the test accuracy after every step, on all
    test digits and separately on those seen and not seen in pre-training.
    """
    curves = {g: [] for g in GROUPS}

    def measure(p):
        if test is not None:
            hit = onp.argmax(onp.asarray(model(p, test[0])), axis=1) == test[1]
            for g, keep in GROUPS.items():
                curves[g].append(float(hit[keep(test[1])].mean()))

    measure(params)
    params, _ = nn.fit(model, params, optim.SGD(LR), X, y, epochs=steps, batch_size=BATCH,
                       sampler=lambda epoch, rng: rng.choice(len(X), BATCH, replace=False),
                       seed=seed, callbacks=[lambda info: measure(info.params)], progress=False)
    return params, curves


def one_seed(split, seeds, pre_steps, steps):
    """Pre-train, fine-tune and train from scratch with ``seeds = (pre, init, batches)``."""
    X_tr, X_te, y_tr, y_te = split
    src, src_te = y_tr < SOURCE_CLASSES, y_te < SOURCE_CLASSES
    pre = network(SOURCE_CLASSES)
    p_pre, _ = fit_steps(pre, pre.init(seed=seeds[0]), X_tr[src], y_tr[src], pre_steps,
                         seeds[0])
    source_acc = nn.evaluate(pre, p_pre, X_te[src_te], y_te[src_te])["accuracy"]

    target = network(10)
    fresh = target.init(seed=seeds[1])
    # the fine-tuned and the from-scratch network share the new head and the minibatches:
    # the only difference is where the body starts
    tuned = nn.load_pretrained(fresh, p_pre, "body")
    _, fine = fit_steps(target, tuned, X_tr, y_tr, steps, seeds[2], (X_te, y_te))
    _, scratch = fit_steps(target, fresh, X_tr, y_tr, steps, seeds[2], (X_te, y_te))
    return {"source_test_accuracy": source_acc, "fine_tuned": fine, "scratch": scratch}


def steps_to(curve, target):
    """The first step at which ``curve`` reaches ``target`` (None if it never does).

    >>> steps_to([0.1, 0.5, 0.95, 0.97], 0.9)
    2
    """
    hit = onp.flatnonzero(onp.asarray(curve) >= target)
    return int(hit[0]) if len(hit) else None


def summarize(curves, target):
    """Steps to ``target``, final accuracy and AUC of each curve, and their means over seeds.

    AUC is the area under the accuracy-per-step curve divided by the number of
    steps, i.e. the mean accuracy over the run. The mean number of steps is
    None when some seed never reached the target.
    """
    reached = [steps_to(c, target) for c in curves]
    return {"steps_to_target": reached,
            "mean_steps_to_target": None if None in reached else float(onp.mean(reached)),
            "final_accuracy": [c[-1] for c in curves],
            "mean_final_accuracy": float(onp.mean([c[-1] for c in curves])),
            "auc": [float(onp.mean(c)) for c in curves],
            "mean_auc": float(onp.mean([onp.mean(c) for c in curves])),
            "mean_curve": onp.mean(curves, axis=0).tolist()}


def _steps_text(v, budget):
    return f">{budget}" if v is None else f"{v:.0f}"


def plot_curves(runs, marks, target, pre_steps, path):
    """Test accuracy per step for each digit group: mean over seeds and the min-max band."""
    fig = figure(figsize=(11.0, 3.6))
    for ax, (group, label) in zip(fig.subplots(1, 3, sharey=True), GROUP_LABELS.items(),
                                  strict=True):
        for name, text, color in (("fine_tuned", f"pre-trained ({pre_steps} steps on 0-"
                                   f"{SOURCE_CLASSES - 1}), fine-tuned", "#c44e52"),
                                  ("scratch", "from scratch", "#4c72b0")):
            c = 100 * onp.asarray([r[name][group] for r in runs])
            steps = onp.arange(c.shape[1])
            ax.fill_between(steps, c.min(axis=0), c.max(axis=0), color=color, alpha=0.15, lw=0)
            ax.plot(steps, c.mean(axis=0), color=color, lw=1.4, label=text)
            if marks[name][group] is not None:
                ax.axvline(marks[name][group], color=color, ls=":", lw=1)
        ax.axhline(100 * target, color="k", ls="--", lw=0.8)
        ax.set_ylim(0, 100)
        ax.set_xlabel("SGD step on the ten-digit task")
        ax.set_title(f"test accuracy: {label}", fontsize=10)
    fig.axes[0].set_ylabel(f"% correct (dashed: target {100 * target:.0f}%)")
    fig.axes[0].legend(loc="lower right", fontsize=7)
    return save_figure(fig, path)


def run(args):
    """Pre-train, fine-tune, train from scratch over several seeds; returns the report dict."""
    steps = getattr(args, "steps", None) or (QUICK_STEPS if args.quick else STEPS)
    pre_steps = getattr(args, "pre_steps", None) or (QUICK_PRE_STEPS if args.quick
                                                     else PRE_STEPS)
    n_seeds = getattr(args, "seeds", None) or (QUICK_SEEDS if args.quick else SEEDS)
    target = getattr(args, "target", TARGET)
    split = load_data(args.seed)
    n_src = int((split[2] < SOURCE_CLASSES).sum())
    say(f"Digits: {len(split[0])} training, {len(split[1])} test examples. Simpler task: digits "
        f"0-{SOURCE_CLASSES - 1} ({n_src} training examples); target task: all ten digits.")
    say(f"Network 64 → 64 → 32 (tanh) → head; SGD, learning rate {LR}, batch {BATCH}; "
        f"{pre_steps} pre-training steps, then {steps} steps on the target task; {n_seeds} "
        "seeds.")

    # one (pre-training, initialization, minibatch) seed triple per repetition
    seeds = onp.random.SeedSequence(args.seed).generate_state(3 * n_seeds).reshape(n_seeds, 3)
    runs, t0 = [], time.perf_counter()
    for s in progress(seeds, total=n_seeds, desc="transfer", enabled=args.progress):
        runs.append(one_seed(split, [int(v) for v in s], pre_steps, steps))
    seconds = time.perf_counter() - t0

    res = {m: {g: summarize([r[m][g] for r in runs], target) for g in GROUPS}
           for m in ("fine_tuned", "scratch")}
    # a run that never reaches the target counts as budget + 1 when comparing the two
    capped = {m: onp.array([steps + 1 if v is None else v
                            for v in res[m]["all"]["steps_to_target"]]) for m in res}
    saved = capped["scratch"] - capped["fine_tuned"]
    faster = int((saved > 0).sum())
    source_acc = [r["source_test_accuracy"] for r in runs]
    ft, sc = res["fine_tuned"], res["scratch"]
    total = (None if ft["all"]["mean_steps_to_target"] is None
             else pre_steps + ft["all"]["mean_steps_to_target"])

    say(f"\nPre-training on digits 0-{SOURCE_CLASSES - 1}: test accuracy "
        f"{100 * onp.mean(source_acc):.1f}% after {pre_steps} steps (mean over seeds).")
    say(f"Steps to {100 * target:.0f}% test accuracy on the ten-digit task, mean of {n_seeds} "
        f"seeds (budget {steps}; AUC: mean test accuracy over the run):")
    for g, label in GROUP_LABELS.items():
        say(f"  {label:<26}" + "   ".join(
            f"{text} {_steps_text(res[m][g]['mean_steps_to_target'], steps):>4} steps "
            f"(AUC {100 * res[m][g]['mean_auc']:.1f}%)"
            for m, text in (("fine_tuned", "fine-tuned"), ("scratch", "from scratch"))))
    say(f"Final test accuracy on all ten digits: fine-tuned "
        f"{100 * ft['all']['mean_final_accuracy']:.1f}%, from scratch "
        f"{100 * sc['all']['mean_final_accuracy']:.1f}%.")
    say(f"Fine-tuning reached {100 * target:.0f}% on all ten digits sooner in {faster} of "
        f"{n_seeds} seeds; steps saved {saved.mean():.1f} on average (standard deviation over "
        f"seeds {saved.std():.1f}).")
    if total is not None:
        say(f"Counting the {pre_steps} pre-training steps, the fine-tuned network needed "
            f"{total:.0f} steps in all.")

    marks = {m: {g: res[m][g]["mean_steps_to_target"] for g in GROUPS} for m in res}
    plot_curves(runs, marks, target, pre_steps, args.out / "transfer.png")
    figures = [{"file": "transfer.png", "caption": "Test accuracy after every SGD step on the "
                "ten-digit task (mean over seeds, range shaded), on all digits and separately "
                f"on the digits 0-{SOURCE_CLASSES - 1} seen in pre-training and the new digits: "
                "the pre-trained body gives a head start on the digits it has seen and a slower "
                "start on the new ones. Dotted lines: mean step at which each run reaches the "
                "target (dashed)."}]
    say("Figures: " + ", ".join(str(args.out / f["file"]) for f in figures))

    if faster == n_seeds and saved.mean() > saved.std():
        verdict = "pre-training reaches the target consistently sooner"
    elif faster > n_seeds / 2:
        verdict = "pre-training helps a little, less than the seed-to-seed spread"
    else:
        verdict = "pre-training does not reach the target sooner on the whole task"
    summary = [
        f"steps to {100 * target:.0f}% test accuracy on all ten digits (mean of {n_seeds} "
        f"seeds): fine-tuned {_steps_text(ft['all']['mean_steps_to_target'], steps)}, from "
        f"scratch {_steps_text(sc['all']['mean_steps_to_target'], steps)} ({verdict}; "
        f"{saved.mean():.1f} ± {saved.std():.1f} steps saved; pre-training cost {pre_steps})",
        f"digits 0-{SOURCE_CLASSES - 1}, seen in pre-training: "
        f"{_steps_text(ft['seen']['mean_steps_to_target'], steps)} vs "
        f"{_steps_text(sc['seen']['mean_steps_to_target'], steps)} steps; new digits "
        f"{SOURCE_CLASSES}-9: {_steps_text(ft['new']['mean_steps_to_target'], steps)} vs "
        f"{_steps_text(sc['new']['mean_steps_to_target'], steps)} steps",
        f"final test accuracy {100 * ft['all']['mean_final_accuracy']:.1f}% vs "
        f"{100 * sc['all']['mean_final_accuracy']:.1f}%; AUC {100 * ft['all']['mean_auc']:.1f}% "
        f"vs {100 * sc['all']['mean_auc']:.1f}%",
    ]
    numbers = {
        "source_classes": SOURCE_CLASSES, "target_classes": 10,
        "train_examples": len(split[0]), "test_examples": len(split[1]),
        "source_train_examples": n_src, "pre_steps": pre_steps, "steps": steps,
        "seeds": n_seeds, "batch_size": BATCH, "learning_rate": LR, "target_accuracy": target,
        "source_test_accuracy": source_acc, "mean_source_test_accuracy": onp.mean(source_acc),
        "fine_tuned": ft, "scratch": sc,
        "steps_saved": saved.tolist(), "mean_steps_saved": saved.mean(),
        "std_steps_saved": saved.std(), "fine_tuned_faster_seeds": faster,
        "fine_tuned_total_steps": total,
        "timing": {"seconds": seconds},
    }
    return {"demo": NAME, "seed": args.seed, "quick": args.quick, "numbers": numbers,
            "figures": figures, "summary": summary,
            "notes": _notes(res, pre_steps, steps)}


def _notes(res, pre_steps, steps):
    """The honest remarks, from the measured numbers."""
    ft, sc = res["fine_tuned"], res["scratch"]
    seen_better = ft["seen"]["mean_auc"] > sc["seen"]["mean_auc"]
    new_worse = ft["new"]["mean_auc"] < sc["new"]["mean_auc"]
    text = (f"From scratch, the network reaches the target after "
            f"{_steps_text(sc['all']['mean_steps_to_target'], steps)} steps on average: the "
            "8x8 digits are an easy task, which leaves little room for a head start. ")
    if seen_better and new_worse:
        text += (f"The pre-trained body gives a head start on the digits 0-{SOURCE_CLASSES - 1} "
                 "it was trained on but a slower start on the new ones (its features were "
                 "shaped to tell the first five apart), and on the whole task the two effects "
                 "largely offset each other. ")
    elif seen_better:
        text += "The pre-trained body mostly helps on the digits it was trained on. "
    text += (f"The {pre_steps} pre-training steps are not counted in the step budget; counted, "
             "fine-tuning is not cheaper here. AUC is the area under the test-accuracy curve "
             "divided by the number of steps (the mean accuracy over the run); steps saved "
             "count a run that never reaches the target as budget + 1. Times vary from run to "
             "run; every other number is the same for the same seed.")
    return text
