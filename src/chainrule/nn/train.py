"""The training loop: ``fit``, ``History``, callbacks, ``evaluate``, ``predict``.

>>> from chainrule import nn, optim, data
>>> X, y = data.iris(features=("petal_length", "petal_width"))
>>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
>>> params, hist = nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y,
...                       epochs=50, progress=False)
>>> hist.loss[-1] < hist.loss[0]
True
"""

import math
import sys
import time

import numpy as onp

from chainrule import JitError, jit as _jit, value_and_grad

from .losses import accuracy as _accuracy
from .losses import softmax_cross_entropy
from .module import as_rng
from .tree import named_leaves, tree_map

__all__ = ["fit", "History", "Callback", "EarlyStopping", "StopTraining", "evaluate",
           "predict", "batches"]


class StopTraining(Exception):
    """Raise from a callback to end training after the current epoch."""


class History:
    """Per-epoch records of a training run; ``history.loss[-1]`` is the last epoch's loss.

    Lists: ``loss`` and ``accuracy`` (mean over the epoch's minibatches, on
    the training data, before each update), ``val_loss`` and ``val_accuracy``
    (evaluation mode, after the epoch; when ``validation`` is given) and
    ``lr``. After ``fit``: ``state`` (final model state, e.g. BatchNorm's
    running statistics), ``opt_state``, ``epochs`` (number run),
    ``stopped_early``, ``diverged`` (stopped on a NaN or infinite loss or
    update), ``best_epoch`` (with early stopping), ``seconds``.

    >>> h = History()
    >>> h.log(loss=1.0, accuracy=0.5); h.log(loss=0.5, accuracy=0.9)
    >>> h.loss, h["accuracy"], h.epochs
    ([1.0, 0.5], [0.5, 0.9], 2)
    """

    def __init__(self):
        self.records = {}
        self.state = None
        self.opt_state = None
        self.stopped_early = False
        self.diverged = False  # stopped because the loss or an update became NaN or infinite
        self.best_epoch = None
        self.seconds = 0.0

    def log(self, **values):
        """Append one value per metric (one call per epoch)."""
        for k, v in values.items():
            self.records.setdefault(k, []).append(v)

    @property
    def epochs(self):
        return max((len(v) for v in self.records.values()), default=0)

    def __getitem__(self, name):
        return self.records[name]

    _STANDARD = ("loss", "accuracy", "val_loss", "val_accuracy", "lr")

    def __getattr__(self, name):
        # history.loss, history.val_accuracy...: standard metrics not recorded
        # (no validation set, regression) read as empty lists; typos still fail
        if name.startswith("__") or name == "records":
            raise AttributeError(name)
        if name in self.records:
            return self.records[name]
        if name in self._STANDARD:
            return []
        raise AttributeError(f"History has no metric {name!r}; recorded: {sorted(self.records)}")

    def __contains__(self, name):
        return name in self.records

    def last(self):
        """The latest value of every metric, as a dict."""
        return {k: v[-1] for k, v in self.records.items() if v}

    def __repr__(self):
        last = ", ".join(f"{k}={v:.4g}" for k, v in self.last().items())
        return f"History(epochs={self.epochs}, {last})"


class Callback:
    """Hooks called by :func:`fit`. Any plain function ``f(info)`` works as ``on_epoch_end``.

    ``info`` has ``epoch`` (0-based), ``logs`` (this epoch's metrics),
    ``history``, ``params``, ``state``, ``opt_state``. Returning ``True`` from
    ``on_epoch_end`` (or raising :class:`StopTraining`) stops training.
    ``on_train_end`` may set ``info.params``/``info.state`` (e.g. to restore
    the best ones).

    >>> stop_at_3 = lambda info: info.epoch == 2     # a plain function as a callback
    """

    def on_train_begin(self, info):
        pass

    def on_epoch_end(self, info):
        return False

    def on_train_end(self, info):
        pass


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    ``monitor`` defaults to ``"val_loss"`` when a validation set is given,
    else ``"loss"``; ``mode`` is ``"min"`` or ``"max"`` (for accuracies).
    ``restore_best=True`` returns the parameters (and state) of the best epoch.

    >>> EarlyStopping(patience=5)
    EarlyStopping(monitor=None, patience=5)
    """

    def __init__(self, monitor=None, patience=10, min_delta=0.0, mode=None, restore_best=True):
        if not _is_int(patience) or patience < 1:
            raise (ValueError if _is_int(patience) else TypeError)(
                f"EarlyStopping: patience must be a whole number of epochs ≥ 1, not "
                f"{patience!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, onp.number)) \
                or not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be a number ≥ 0, not {min_delta!r}")
        if mode not in (None, "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min', 'max' or None, not {mode!r}")
        if monitor is not None and not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: monitor must be a metric name such as 'val_loss', "
                            f"not {monitor!r}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.mode, self.restore_best = mode, restore_best

    def on_train_begin(self, info):
        self.key = self.monitor or ("val_loss" if info.has_validation else "loss")
        mode = self.mode or ("max" if "acc" in self.key else "min")
        self.sign = 1.0 if mode == "min" else -1.0
        self.best, self.best_epoch, self.wait = math.inf, None, 0
        self.best_params = self.best_state = None

    def on_epoch_end(self, info):
        if self.key not in info.logs:
            raise KeyError(f"EarlyStopping monitors {self.key!r}, which is not logged "
                           f"(available: {sorted(info.logs)})")
        value = self.sign * info.logs[self.key]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, info.epoch, 0
            if self.restore_best:
                self.best_params, self.best_state = info.params, info.state
            return False
        self.wait += 1
        return self.wait >= self.patience

    def on_train_end(self, info):
        info.history.best_epoch = self.best_epoch
        if self.restore_best and self.best_params is not None:
            info.params, info.state = self.best_params, self.best_state

    def __repr__(self):
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience})"


class _Info:
    """What callbacks see (see :class:`Callback`)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class _FunctionCallback(Callback):
    def __init__(self, fn):
        self.fn = fn

    def on_epoch_end(self, info):
        return self.fn(info)


def batches(n, batch_size, rng=None, order=None):
    """Index arrays of the minibatches of one epoch.

    ``batch_size=None`` (or >= n): one full batch, in order. Otherwise
    ``order`` (default: a permutation drawn from ``rng``) cut into chunks; the
    last one may be smaller.

    >>> [b.tolist() for b in batches(5, 2, rng=0)]
    [[2, 4], [3, 0], [1]]
    """
    if order is None:
        if batch_size is None or batch_size >= n:
            return [onp.arange(n)]
        order = as_rng(rng).permutation(n)
    order = onp.asarray(order)
    if batch_size is None:
        return [order]
    return [order[i:i + batch_size] for i in range(0, len(order), int(batch_size))]


class _JitOrEager:
    """A step function under :func:`chainrule.jit`, falling back to the eager one (with a
    warning) the first time jit cannot record it. jit restores the generator it was
    given before raising, so the eager retry draws the numbers an eager run would."""

    def __init__(self, fun):
        self.eager, self.fun = fun, _jit(fun)

    def __call__(self, *args):
        try:
            return self.fun(*args)
        except JitError as e:
            import warnings
            warnings.warn(f"chainrule.nn.fit: training eagerly, jit cannot record this model "
                          f"({e})", stacklevel=3)
            self.fun = self.eager
            return self.fun(*args)


class _Progress:
    """tqdm when installed (the ``plot`` extra), else a few plain text lines on stderr."""

    def __init__(self, total, enabled):
        self.total, self.bar, self.enabled = total, None, enabled
        self.every = max(1, total // 10)
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm  # optional dependency: imported only when used
        except Exception:  # noqa: BLE001 - any failure means: no bar
            tqdm = None
        if tqdm is not None:
            self.bar = tqdm(total=total, unit="epoch", leave=True)
        self.t0 = time.perf_counter()

    def update(self, epoch, logs):
        if not self.enabled:
            return
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k != "lr"}
        if self.bar is not None:
            self.bar.update(1)
            if epoch % max(1, self.total // 200) == 0 or epoch == self.total - 1:
                self.bar.set_postfix(shown, refresh=False)
        elif (epoch + 1) % self.every == 0 or epoch == self.total - 1:
            text = " ".join(f"{k}={v}" for k, v in shown.items())
            print(f"epoch {epoch + 1}/{self.total} {text} ({time.perf_counter() - self.t0:.1f}s)",
                  file=sys.stderr)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _is_classification(y):
    y = onp.asarray(y)
    return y.dtype.kind in "iub" or (y.ndim == 2 and y.shape[1] > 1 and
                                     bool(onp.all((y == 0) | (y == 1))))


def predict(model, params, X, *, state=None, batch_size=None):
    """Model outputs in evaluation mode, optionally computed in chunks of ``batch_size``.

    >>> import numpy
    >>> from chainrule import nn
    >>> m = nn.Linear(2, 1)
    >>> predict(m, m.init(), numpy.zeros((3, 2))).shape
    (3, 1)
    """
    X = onp.asarray(X)
    if batch_size is None or batch_size >= len(X):
        return onp.asarray(model(params, X, state=state))
    return onp.concatenate([onp.asarray(model(params, X[i:i + batch_size], state=state))
                            for i in range(0, len(X), batch_size)])


def evaluate(model, params, X, y, *, loss=softmax_cross_entropy, state=None, batch_size=None):
    """``{"loss": ..., "accuracy": ...}`` in evaluation mode (accuracy for class labels only).

    >>> import numpy
    >>> from chainrule import nn
    >>> m = nn.Linear(2, 3)
    >>> sorted(evaluate(m, m.init(), numpy.zeros((4, 2)), numpy.array([0, 1, 2, 0])))
    ['accuracy', 'loss']
    """
    out = predict(model, params, X, state=state, batch_size=batch_size)
    res = {"loss": float(loss(out, y))}
    if _is_classification(y):
        res["accuracy"] = _accuracy(out, y)
    return res


def _mask_paths(params, trainable):
    """Paths of the leaves to train (all of them when ``trainable`` is None)."""
    paths = [p for p, _ in named_leaves(params)]
    if trainable is None:
        return paths
    mask = dict(named_leaves(trainable))
    missing = [p for p in paths if p not in mask]
    if missing:
        raise ValueError(f"the trainable mask does not match the parameters: no entry for "
                         f"{missing[:5]} (make it with nn.freeze(params, ...))")
    return [p for p in paths if bool(mask[p])]


def _is_int(x):
    return isinstance(x, (int, onp.integer)) and not isinstance(x, (bool, onp.bool_))


def _check_finite(a, what):
    a = onp.asarray(a)
    if a.dtype.kind in "fc" and not onp.all(onp.isfinite(a)):
        row = int(onp.argwhere(~onp.isfinite(a))[0][0]) if a.ndim else 0
        raise ValueError(f"fit: {what} contains NaN or infinite values (the first in row "
                         f"{row}); remove or impute them before training")


def _check_fit_arguments(opt, loss, X, y, epochs, batch_size, validation, early_stopping,
                         sampler):
    """Every argument of :func:`fit` checked at the call, with a message naming it: a bad
    one would otherwise train silently wrong (batch_size=-1 made empty epochs) or fail
    deep inside the loop."""
    for name in ("init", "step", "lr_at"):
        if not callable(getattr(opt, name, None)):
            raise TypeError(f"fit: opt must be an optimizer (optim.SGD(0.1), optim.Adam()...), "
                            f"not {opt!r}")
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function loss(outputs, y), not {loss!r}")
    if not _is_int(epochs) or epochs < 0:
        raise (ValueError if _is_int(epochs) else TypeError)(
            f"fit: epochs must be a whole number ≥ 0, not {epochs!r}")
    if batch_size is not None and (not _is_int(batch_size) or batch_size < 1):
        raise (ValueError if _is_int(batch_size) else TypeError)(
            f"fit: batch_size must be None (full batch) or a whole number ≥ 1, not "
            f"{batch_size!r}")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError("fit: X holds no examples; there is nothing to train on")
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"X has {len(X)} examples but y has "
                         f"{len(y) if y.ndim else 'none (a scalar)'}")
    _check_finite(X, "X")
    _check_finite(y, "y")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("fit: validation must be a pair (X_val, y_val)")
        xv, yv = onp.asarray(validation[0]), onp.asarray(validation[1])
        if xv.ndim == 0 or len(xv) == 0 or yv.ndim == 0 or len(yv) != len(xv):
            raise ValueError(f"fit: validation has {len(xv) if xv.ndim else 0} inputs and "
                             f"{len(yv) if yv.ndim else 0} targets; give a non-empty pair "
                             "of the same length")
        _check_finite(xv, "the validation X")
        _check_finite(yv, "the validation y")
    if early_stopping is not None and not isinstance(early_stopping, Callback) and (
            not _is_int(early_stopping) or early_stopping < 1):
        raise TypeError(f"fit: early_stopping must be an EarlyStopping or a patience ≥ 1 "
                        f"(epochs), not {early_stopping!r}")
    if sampler is not None and not callable(sampler):
        raise TypeError(f"fit: sampler must be a function (epoch, rng) -> indices, not "
                        f"{sampler!r}")


def fit(model, params, opt, X, y, *, loss=softmax_cross_entropy, epochs=100, batch_size=None,
        seed=0, state=None, validation=None, trainable=None, sampler=None, callbacks=(),
        early_stopping=None, progress=True, opt_state=None, shuffle=True, jit=True):
    """Train ``model`` from ``params`` with optimizer ``opt``; return ``(params, history)``.

    * ``loss(outputs, y)`` is differentiated with respect to the parameters by
      :func:`chainrule.value_and_grad`; ``batch_size=None`` is full-batch
      gradient descent, otherwise minibatches are reshuffled every epoch from
      ``seed`` (the same seed gives the same run; it also drives dropout).
    * ``validation=(X_val, y_val)`` is evaluated after every epoch in
      evaluation mode (``val_loss``, ``val_accuracy``).
    * ``trainable``: a mask from :func:`~chainrule.nn.freeze` (frozen leaves
      are neither differentiated nor updated).
    * ``sampler``: a function ``(epoch, rng) -> indices`` choosing the
      epoch's examples, e.g. a :class:`~chainrule.nn.CurriculumSampler`.
    * ``callbacks``: :class:`Callback` objects or functions ``f(info)``;
      ``early_stopping``: an :class:`EarlyStopping` or a patience (int).
    * ``state``: model state to start from (BatchNorm running statistics);
      the final one is ``history.state``. ``opt_state`` resumes an optimizer:
      ``history.opt_state`` of a previous fit or ``opt.init(params)``; with
      ``trainable``, each trained leaf gets the buffers stored under its own
      path (:meth:`~chainrule.optim.Optimizer.select_state`), and
      ``history.opt_state`` comes back in the form given, the frozen leaves'
      buffers untouched. A state without a trained leaf's path raises a
      ``ValueError`` naming it.
    * ``progress``: a tqdm bar with loss and accuracy when tqdm is installed,
      a few text lines otherwise; ``False`` for silence.
    * Every argument is checked at the call (``epochs``, ``batch_size``, the
      data: non-empty, finite, ``validation`` too) with a ``TypeError`` or
      ``ValueError`` naming it. When the loss or an update becomes NaN or
      infinite, training stops (``history.diverged``) and the parameters
      returned are the last finite ones: that step is never applied.
    * ``jit``: each step's gradient runs under :func:`chainrule.jit` (recorded once
      per batch shape, then replayed: the same numbers, bit for bit, faster); a model
      that jit cannot record (Python control flow on traced values) trains eagerly,
      with a warning. ``jit=False`` always trains eagerly.

    >>> from chainrule import nn, optim, data
    >>> X, y = data.two_moons(100, noise=0.1, seed=0)
    >>> model = nn.mlp([2, 16, 2], "tanh")
    >>> params, hist = nn.fit(model, model.init(seed=0), optim.Adam(0.05), X, y, epochs=30,
    ...                       batch_size=20, early_stopping=5, progress=False)
    >>> hist.accuracy[-1] > 0.9
    True
    """
    X, y = onp.asarray(X), onp.asarray(y)
    _check_fit_arguments(opt, loss, X, y, epochs, batch_size, validation, early_stopping,
                         sampler)
    n = len(X)
    rng = as_rng(seed)
    if state is None:
        state = model.init_state(X.dtype if X.dtype.kind == "f" else onp.float64)
    classify = _is_classification(y)

    # Train only the unfrozen leaves: they travel as a flat {path: array} dict,
    # which is what gets differentiated and what the optimizer state follows.
    train_paths = _mask_paths(params, trainable)
    if not train_paths:
        raise ValueError("nothing to train: every parameter is frozen")
    all_leaves = dict(named_leaves(params))
    flat = {p: all_leaves[p] for p in train_paths}
    order = [p for p, _ in named_leaves(params)]

    def assemble(flat_params):
        it = iter([flat_params.get(p, all_leaves[p]) for p in order])
        return tree_map(lambda _: next(it), params)

    def objective(flat_params, xb, yb, st, step_rng):
        out, new_st = model.apply(assemble(flat_params), xb, st, train=True, rng=step_rng)
        # new state and outputs ride along as aux: returned as plain arrays
        return loss(out, yb), (new_st, out)

    vg = value_and_grad(objective, has_aux=True)
    if jit:
        vg = _JitOrEager(vg)
    given_state = None
    if opt_state is None:
        opt_state = opt.init(flat)
    elif hasattr(opt, "select_state"):
        # opt.init(params) covers every parameter, a previous fit's history.opt_state
        # only the leaves it trained: either way each trained leaf's buffers are found
        # by its path, never by position (a frozen layer's momentum must not drive
        # another layer of the same shape). What comes back has the given form.
        given_state = opt_state
        opt_state = opt.select_state(opt_state, flat)

    def opt_state_now():
        return opt_state if given_state is None else opt.merge_state(given_state, opt_state)

    cbs = [c if isinstance(c, Callback) else _FunctionCallback(c) for c in callbacks]
    if early_stopping is not None:
        cbs.append(early_stopping if isinstance(early_stopping, Callback)
                   else EarlyStopping(patience=int(early_stopping)))
    history = History()
    info = _Info(epoch=-1, logs={}, history=history, params=params, state=state,
                 opt_state=opt_state_now(), has_validation=validation is not None, model=model)
    for c in cbs:
        c.on_train_begin(info)

    bar = _Progress(epochs, progress)
    t0 = time.perf_counter()
    try:
        for epoch in range(epochs):
            if sampler is not None:
                idx = onp.asarray(sampler(epoch, rng))
                chunks = batches(len(idx), batch_size, order=rng.permutation(idx)
                                 if shuffle and not getattr(sampler, "ordered", False) else idx)
            elif batch_size is None or batch_size >= n:
                chunks = [slice(None)]
            else:
                chunks = batches(n, batch_size, order=rng.permutation(n) if shuffle
                                 else onp.arange(n))
            if model.has_state and len(chunks) > 1 and len(chunks[-1]) == 1:
                # BatchNorm needs two examples for batch statistics: a lone last
                # example joins the previous minibatch.
                chunks = chunks[:-2] + [onp.concatenate(chunks[-2:])]
            lr = opt.lr_at(int(opt_state["step"]))
            tot_loss, tot_correct, seen, diverged, lval = 0.0, 0.0, 0, None, 0.0
            for b in chunks:
                xb, yb = X[b], y[b]
                (lval, (new_state, out)), g = vg(flat, xb, yb, state, rng)
                lval = float(lval)
                if not math.isfinite(lval):
                    diverged = f"the loss became {lval}"
                    break
                new_flat, new_opt_state = opt.step(flat, g, opt_state)
                if not all(onp.all(onp.isfinite(v)) for v in new_flat.values()):
                    diverged = "an update made the parameters infinite or NaN"
                    break
                # accepted: a step that makes anything non-finite is never applied, so the
                # parameters returned are the last finite ones
                flat, opt_state, state = new_flat, new_opt_state, new_state
                m = len(xb)
                tot_loss += lval * m
                if classify:
                    tot_correct += _accuracy(out, yb) * m
                seen += m
            # a diverged epoch logs the non-finite loss; its accuracy is that of the steps taken
            logs = {"loss": lval if not math.isfinite(lval) else tot_loss / max(seen, 1)}
            if classify:
                logs["accuracy"] = tot_correct / max(seen, 1)
            params_now = assemble(flat)
            if validation is not None and diverged is None:
                for k, v in evaluate(model, params_now, validation[0], validation[1],
                                     loss=loss, state=state).items():
                    logs["val_" + k] = v
            logs["lr"] = lr
            if diverged is not None:
                print(f"chainrule.nn.fit: {diverged} at epoch {epoch}; stopping, and returning "
                      "the last finite parameters, from before that step (try a smaller "
                      "learning rate or clip_norm=...)", file=sys.stderr)
                history.log(**logs)
                history.stopped_early = history.diverged = True
                break
            history.log(**logs)
            bar.update(epoch, logs)
            info.epoch, info.logs, info.params, info.state = epoch, logs, params_now, state
            info.opt_state = opt_state_now()
            stop = False
            for c in cbs:
                try:
                    stop = bool(c.on_epoch_end(info)) or stop
                except StopTraining:
                    stop = True
            if stop:
                history.stopped_early = True
                break
    finally:
        bar.close()
    info.params, info.state = assemble(flat), state
    for c in cbs:
        c.on_train_end(info)
    history.state, history.opt_state = info.state, opt_state_now()
    history.seconds = time.perf_counter() - t0
    return info.params, history
