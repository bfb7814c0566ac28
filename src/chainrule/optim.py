"""Optimizers and learning-rate schedules, as pure functions of plain containers.

An optimizer is configuration only. Its state (step count, momentum,
Adam's moments) is a plain container you keep, pass back, and can checkpoint::

    opt = optim.Adam(lr=1e-3)
    opt_state = opt.init(params)
    for xb, yb in batches:
        g = grad(loss)(params, xb, yb)
        params, opt_state = opt.step(params, g, opt_state)

Every optimizer takes ``weight_decay`` (L2: adds ``wd·p`` to the gradient;
``AdamW`` decouples it), ``clip_norm`` (rescale the whole gradient so its
global norm is at most this) and ``clip_value`` (clip each entry). ``lr`` is a
number or a schedule: a function of the step number (0, 1, 2...).

>>> import numpy
>>> from chainrule import optim
>>> opt = optim.SGD(lr=0.1)
>>> p, s = opt.step({"w": numpy.array([1.0])}, {"w": numpy.array([2.0])}, opt.init({"w": 0}))
>>> p
{'w': array([0.8])}
"""

import math

import numpy as onp

from . import numpy as np  # the update rules, so that misc.optimizers can differentiate them
from .core.engine import Box
from .core.tree import (StructureError, check_same_structure, join_path, tree_flatten,
                        tree_flatten_with_keys, tree_leaves, tree_map, tree_named_leaves,
                        tree_unflatten)

__all__ = ["Optimizer", "GD", "SGD", "Momentum", "RMSprop", "Adam", "AdamW", "global_norm",
           "clip_by_global_norm", "constant", "step_decay", "cosine_decay", "warmup"]


# ----------------------------------------------------------------------------
# Gradient utilities
# ----------------------------------------------------------------------------

def global_norm(grads):
    """sqrt of the sum of squares of every entry of every leaf.

    >>> import numpy
    >>> global_norm([numpy.array([3.0]), {"b": numpy.array([4.0])}])
    5.0
    """
    return math.sqrt(sum(float(onp.sum(onp.square(onp.abs(g)))) for g in tree_leaves(grads)))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by one factor so that their global norm is <= ``max_norm``.

    One factor for all leaves keeps the direction of the step, only its length
    is capped: the usual cure for exploding gradients in deep or recurrent nets.

    >>> import numpy
    >>> clip_by_global_norm({"w": numpy.array([3.0, 4.0])}, 1.0)
    {'w': array([0.6, 0.8])}
    """
    norm = global_norm(grads)
    if norm <= max_norm or norm == 0.0:
        return grads
    scale = max_norm / norm
    return tree_map(lambda g: (g * scale).astype(onp.result_type(g), copy=False), grads)


# ----------------------------------------------------------------------------
# Schedules: functions step -> learning rate
# ----------------------------------------------------------------------------

def constant(lr):
    """The same rate at every step.

    >>> constant(0.1)(500)
    0.1
    """
    return lambda step: float(lr)


def step_decay(lr, every, gamma=0.1):
    """Multiply the rate by ``gamma`` every ``every`` steps.

    >>> s = step_decay(1.0, every=10, gamma=0.5)
    >>> s(0), s(10), s(25)
    (1.0, 0.5, 0.25)
    """
    return lambda step: float(lr) * gamma ** (int(step) // int(every))


def cosine_decay(lr, total_steps, final_lr=0.0):
    """Half a cosine from ``lr`` down to ``final_lr`` over ``total_steps`` (then flat).

    >>> s = cosine_decay(1.0, 100)
    >>> s(0), s(50), s(100), s(200)
    (1.0, 0.5, 0.0, 0.0)
    """
    def schedule(step):
        t = min(int(step), int(total_steps)) / max(int(total_steps), 1)
        return float(final_lr + 0.5 * (lr - final_lr) * (1.0 + math.cos(math.pi * t)))
    return schedule


def warmup(schedule, steps, start=0.0):
    """Ramp linearly from ``start`` to the schedule over ``steps`` steps, then follow it.

    Large early steps with freshly initialized (or Adam's uncalibrated)
    statistics can throw training off; warm-up avoids them. The schedule after
    warm-up starts counting at 0.

    >>> s = warmup(cosine_decay(1.0, 10), steps=4)
    >>> [round(s(k), 2) for k in (0, 2, 4, 9)]
    [0.0, 0.5, 1.0, 0.5]
    """
    base = schedule if callable(schedule) else constant(schedule)

    def sched(step):
        step = int(step)
        if step < steps:
            return float(start + (base(0) - start) * step / steps)
        return float(base(step - steps))
    return sched


# ----------------------------------------------------------------------------
# Optimizers
# ----------------------------------------------------------------------------

def _hyper(x, name="a hyperparameter", owner="Optimizer", low=None, high=None,
           low_open=False, high_open=False):
    """``x`` as a float, checked: a real number in the range given (``low_open``: ``low``
    itself excluded), else a ``TypeError`` or ``ValueError`` naming ``owner``'s ``name``.

    Traced values pass unchecked and unchanged: misc.optimizers runs these update rules
    under grad, differentiated with respect to a step size or a decay rate, as autograd's
    optimizers can be.

    >>> _hyper(0.9, "momentum", "SGD", 0.0, 1.0, high_open=True)
    0.9
    >>> _hyper(1.5, "momentum", "SGD", 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: SGD: momentum must be in [0, 1), not 1.5
    """
    if type(x) is Box:
        return x
    if isinstance(x, (bool, onp.bool_)) or not isinstance(x, (int, float, onp.integer,
                                                              onp.floating)):
        raise TypeError(f"{owner}: {name} must be a number, not {x!r} ({type(x).__name__})")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{owner}: {name} must be a finite number, not {v}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        lo = "" if low is None else f"{'(' if low_open else '['}{low:g}"
        hi = "" if high is None else f"{high:g}{')' if high_open else ']'}"
        where = (f"in {lo}, {hi}" if low is not None and high is not None else
                 f"{'>' if low_open else '≥'} {low:g}" if low is not None else
                 f"{'<' if high_open else '≤'} {high:g}")
        raise ValueError(f"{owner}: {name} must be {where}, not {v:g}")
    return v


_STATE_HINT = (". The optimizer state was made by opt.init for other parameters: call opt.init "
               "on the same parameters you pass to step (nn.fit(trainable=...) picks the "
               "buffers of a full state by path itself)")


class Optimizer:
    """Base class: ``init(params) -> state`` and ``step(params, grads, state) -> (params, state)``.

    Subclasses define ``slots`` (names of per-parameter buffers),
    ``_update(p, g, bufs, lr, t) -> (new_p, new_bufs)`` for one array and,
    for a buffer that does not start at zero, ``_initial(slot)``.

    The state is a plain dict (checkpoints save it): ``"step"`` and, per
    slot, a tree of buffers with the parameters' structure, so that each
    buffer is known by its parameter's path. ``step`` checks on every call
    that the parameters, the gradients and every buffer tree have the same
    structure and shapes; a mismatch raises
    :class:`~chainrule.core.tree.StructureError` (a ``ValueError``) naming the
    first path that differs, instead of pairing a buffer with the wrong parameter.

    >>> import numpy
    >>> opt = Momentum(0.1)
    >>> state = opt.init({"a": numpy.zeros(2), "b": numpy.zeros(2)})
    >>> opt.step({"a": numpy.zeros(2), "c": numpy.zeros(2)}, {"a": numpy.ones(2),
    ...          "c": numpy.ones(2)}, state)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.core.tree.StructureError: Momentum.step: the parameters and the state's ...
    """

    slots = ()

    def __init__(self, lr, *, weight_decay=0.0, clip_norm=None, clip_value=None):
        # every hyperparameter is checked here, at construction, where the mistake is made
        # (not at the first step, nor silently: lr="0.1" or a negative clip_norm)
        owner = type(self).__name__
        self.lr = lr if callable(lr) else _hyper(lr, "lr", owner, 0.0)
        self.weight_decay = _hyper(weight_decay, "weight_decay", owner, 0.0)
        self.clip_norm = None if clip_norm is None else _hyper(
            clip_norm, "clip_norm (the largest gradient norm)", owner, 0.0, low_open=True)
        self.clip_value = None if clip_value is None else _hyper(
            clip_value, "clip_value (the largest gradient entry)", owner, 0.0, low_open=True)

    def lr_at(self, step):
        """The learning rate used at optimizer step ``step`` (a schedule's value is checked).

        >>> SGD(lr=lambda step: -1.0).lr_at(3)
        Traceback (most recent call last):
        ...
        ValueError: SGD: the lr schedule gave -1 at step 3; a learning rate is a finite number ≥ 0
        """
        if not callable(self.lr):
            return self.lr if type(self.lr) is Box else float(self.lr)
        v = self.lr(step)
        if type(v) is Box:
            return v
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise TypeError(f"{type(self).__name__}: the lr schedule gave {v!r} at step "
                            f"{step}, not a number") from None
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(f"{type(self).__name__}: the lr schedule gave {v:g} at step "
                             f"{step}; a learning rate is a finite number ≥ 0")
        return v

    def _initial(self, slot):
        """The value buffer ``slot`` starts at (0 unless a subclass says otherwise)."""
        return 0.0

    def init(self, params):
        """Fresh state: ``{"step": 0, slot: buffers like params, ...}`` (plain arrays).

        >>> import numpy
        >>> sorted(Adam().init({"w": numpy.zeros(2)}))
        ['m', 'step', 'v']
        """
        state = {"step": onp.array(0, dtype=onp.int64)}
        for name in self.slots:
            fill = self._initial(name)
            if fill == 0:
                state[name] = tree_map(lambda p: onp.zeros_like(onp.asarray(p)), params)
            else:
                state[name] = tree_map(lambda p, f=fill: onp.full_like(onp.asarray(p), f), params)
        return state

    def update(self, p, g, buffers, lr, t):
        """The update rule for one array: ``(new_p, new_buffers)``.

        ``buffers`` are ``p``'s buffers in ``slots`` order, ``t`` the step
        number (1 for the first update). No weight decay, clipping, checks or
        dtype casting (:meth:`step` adds those). The rules are written with
        chainrule.numpy, so they can be differentiated (``misc.optimizers``
        runs them so).

        >>> import numpy
        >>> SGD(0.1, momentum=0.9).update(numpy.ones(1), numpy.ones(1), [numpy.zeros(1)], 0.1, 1)
        (array([0.9]), [array([1.])])
        """
        return self._update(p, g, list(buffers), lr, t)

    def _check(self, params, other, what, hint):
        check_same_structure(params, other, ("the parameters", what),
                             f"{type(self).__name__}.step: ", hint)

    def _buffer_trees(self, state, method):
        for name in self.slots:
            if name not in state:
                raise StructureError(
                    f"{type(self).__name__}.{method}: the optimizer state has no {name!r} "
                    f"buffers (it has {sorted(state)}): it was not made by this optimizer's "
                    "init; call opt.init(params) with the optimizer you step with")
            yield name, state[name]

    def step(self, params, grads, state):
        """One update. Returns new ``(params, state)``; the inputs are not modified.

        Raises :class:`~chainrule.core.tree.StructureError` when ``grads`` or
        the state's buffers do not have the structure and shapes of ``params``.
        """
        t = int(state["step"])
        ps, spec = tree_flatten(params)
        gs, gspec = tree_flatten(grads)
        if gspec != spec:  # equal specs: same structure, nothing more to check
            counts = (f" ({len(ps)} parameter arrays but {len(gs)} gradient arrays)"
                      if len(ps) != len(gs) else "")
            self._check(params, grads, "the gradients", f"{counts}; pass the gradients of "
                        "these parameters, e.g. grad(loss)(params)")
        bufs, bspecs = [], []
        for name, tree in self._buffer_trees(state, "step"):
            leaves, bspec = tree_flatten(tree)
            if bspec != spec:
                self._check(params, tree, f"the state's {name!r} buffers", _STATE_HINT)
            bufs.append(leaves)
            bspecs.append(bspec)
        if self.clip_value is not None:
            c = float(self.clip_value)
            gs = [onp.clip(g, -c, c) for g in gs]
        if self.clip_norm is not None:
            gs = clip_by_global_norm(gs, float(self.clip_norm))
        lr = self.lr_at(t)
        new_p, new_bufs = [], [[] for _ in self.slots]
        for i, (p, g) in enumerate(zip(ps, gs)):
            p = onp.asarray(p)
            g = onp.asarray(g, dtype=p.dtype)  # float32 params stay float32
            mine = [buf[i] for buf in bufs]
            if g.shape != p.shape or any(onp.shape(b) != p.shape for b in mine):
                self._shape_error(params, i, p, g, mine)
            if self.weight_decay and not self._decoupled:
                g = g + self.weight_decay * p
            q, b = self._update(p, g, mine, lr, t + 1)
            if self.weight_decay and self._decoupled:
                q = q - lr * self.weight_decay * p
            new_p.append(q.astype(p.dtype, copy=False))
            for k, v in enumerate(b):
                new_bufs[k].append(v.astype(p.dtype, copy=False))
        new_state = {"step": onp.array(t + 1, dtype=onp.int64)}
        for name, bspec, vals in zip(self.slots, bspecs, new_bufs, strict=True):
            new_state[name] = tree_unflatten(bspec, vals)
        return tree_unflatten(spec, new_p), new_state

    def _shape_error(self, params, i, p, g, mine):
        path = tree_named_leaves(params)[i][0]
        where = f"{type(self).__name__}.step: the parameter {path!r} has shape {p.shape}"
        if g.shape != p.shape:
            raise StructureError(f"{where} but its gradient {g.shape}", path)
        for name, b in zip(self.slots, mine):
            if onp.shape(b) != p.shape:
                raise StructureError(f"{where} but its {name!r} buffer {onp.shape(b)}"
                                     f"{_STATE_HINT}", path)

    def select_state(self, state, params):
        """The part of ``state`` that belongs to ``params``, a subset of the parameters
        ``state`` was made for: each buffer is found by its parameter's path (the
        step count is shared). :meth:`merge_state` writes it back.

        ``params`` may be nested like the full parameters or a flat
        ``{path: array}`` dict, as :func:`chainrule.nn.fit` trains.

        >>> import numpy
        >>> opt = Momentum(0.1)
        >>> full = opt.init([{"W": numpy.zeros(2)}, {"W": numpy.ones(2)}])
        >>> opt.select_state(full, {"1/W": numpy.ones(2)})["velocity"]
        {'1/W': array([0., 0.])}
        """
        pairs, spec = tree_flatten_with_keys(params)
        paths = [join_path(keys) for keys, _ in pairs]
        out = {k: v for k, v in state.items() if k not in self.slots}
        for name, tree in self._buffer_trees(state, "select_state"):
            have = _by_path(tree, name)
            missing = [p for p in paths if p not in have]
            if missing:
                more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
                raise StructureError(
                    f"{type(self).__name__}.select_state: the state's {name!r} buffers have "
                    f"no entry for {missing[0]!r}{more}" + _STATE_HINT, missing[0])
            out[name] = tree_unflatten(spec, [have[p] for p in paths])
        return out

    def merge_state(self, state, part):
        """``state`` with the buffers of ``part`` (from :meth:`select_state`) written back
        at their paths and ``part``'s step count; the other buffers are kept.

        >>> import numpy
        >>> opt = Momentum(0.1)
        >>> full = opt.init({"a": numpy.zeros(1), "b": numpy.zeros(1)})
        >>> part = opt.select_state(full, {"b": numpy.zeros(1)})
        >>> _, part = opt.step({"b": numpy.zeros(1)}, {"b": numpy.ones(1)}, part)
        >>> merged = opt.merge_state(full, part)
        >>> merged["velocity"], int(merged["step"])
        ({'a': array([0.]), 'b': array([1.])}, 1)
        """
        out = dict(state)
        out.update({k: v for k, v in part.items() if k not in self.slots})
        for name, tree in self._buffer_trees(state, "merge_state"):
            new = _by_path(part[name], name)
            pairs, spec = tree_flatten_with_keys(tree)
            paths = [join_path(keys) for keys, _ in pairs]
            unknown = sorted(set(new) - set(paths))
            if unknown:
                raise StructureError(f"{type(self).__name__}.merge_state: {unknown[0]!r} has a "
                                     f"{name!r} buffer in the part but not in the state",
                                     unknown[0])
            out[name] = tree_unflatten(spec, [new.get(p, v) for p, (_, v) in zip(paths, pairs)])
        return out

    _decoupled = False

    def _update(self, p, g, bufs, lr, t):
        raise NotImplementedError(f"{type(self).__name__} must define _update(p, g, bufs, lr, t): "
                                  "an Optimizer subclass says how a step changes a parameter")

    def _opts(self):
        out = ""
        if self.weight_decay:
            out += f", weight_decay={self.weight_decay}"
        if self.clip_norm is not None:
            out += f", clip_norm={self.clip_norm}"
        if self.clip_value is not None:
            out += f", clip_value={self.clip_value}"
        return out

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr!r}{self._opts()})"


def _by_path(tree, slot):
    """``{path: buffer}`` for a tree of buffers; two leaves with one path (a key
    containing ``/``) would make the lookup ambiguous, so they are refused."""
    named = tree_named_leaves(tree)
    out = dict(named)
    if len(out) != len(named):
        seen = set()
        dup = next(p for p, _ in named if p in seen or seen.add(p))
        raise StructureError(f"two {slot!r} buffers have the path {dup!r}: paths must be "
                             "unique to match buffers by path (a dict key containing '/' "
                             "collides with nesting)", dup)
    return out


class SGD(Optimizer):
    """(Minibatch) stochastic gradient descent, with optional (Nesterov) momentum.

    Momentum keeps a velocity ``v = μ v + g`` and steps ``p -= lr v``: it
    averages out the zig-zag of steep, narrow valleys. Nesterov steps with
    ``g + μ v`` instead (a look-ahead). ``dampening`` d scales the gradient's
    share, ``v = μ v + (1 − d) g``; with ``d = μ`` the velocity is a running
    average of the gradients (autograd's ``sgd``). The velocity starts at
    zero, so with dampening the first step is ``(1 − d) g`` (PyTorch copies
    ``g`` into it on the first step instead).

    >>> import numpy
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> p, s = opt.step([numpy.array([1.0])], [numpy.array([1.0])], opt.init([numpy.zeros(1)]))
    >>> p, s["velocity"]
    ([array([0.9])], [array([1.])])
    >>> round(SGD(0.1, momentum=0.9, dampening=0.9).update(1.0, 1.0, [0.0], 0.1, 1)[0], 12)
    0.99
    """

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, dampening=0.0, **kw):
        super().__init__(lr, **kw)
        owner = type(self).__name__
        self.momentum = _hyper(momentum, "momentum", owner, 0.0, 1.0, high_open=True)
        self.nesterov = bool(nesterov)
        self.dampening = _hyper(dampening, "dampening", owner, 0.0, 1.0)
        traced = type(momentum) is Box
        if nesterov and not (traced or momentum):
            raise ValueError("Nesterov needs momentum > 0")
        if type(dampening) is Box or dampening:
            if not (traced or momentum):
                raise ValueError("dampening needs momentum > 0")
            if nesterov:
                raise ValueError("Nesterov momentum needs dampening=0")
            self._damped = True
        else:
            self._damped = False
        self.slots = ("velocity",) if traced or self.momentum else ()

    def _update(self, p, g, bufs, lr, t):
        if not self.slots:
            return p - lr * g, []
        if self._damped:
            v = self.momentum * bufs[0] + (1 - self.dampening) * g
        else:
            v = self.momentum * bufs[0] + g
        d = g + self.momentum * v if self.nesterov else v
        return p - lr * d, [v]

    def __repr__(self):
        mom = f", momentum={self.momentum}" if self.slots else ""
        mom += f", dampening={self.dampening}" if self._damped else ""
        mom += ", nesterov=True" if self.nesterov else ""
        return f"{type(self).__name__}(lr={self.lr!r}{mom}{self._opts()})"


class GD(SGD):
    """Gradient descent, ``p ← p − lr ∇J(p)``: use it with the full batch (``batch_size=None``).

    >>> GD(lr=0.5)
    GD(lr=0.5)
    """


class Momentum(SGD):
    """SGD with momentum (default 0.9); ``nesterov=True`` for Nesterov's variant.

    >>> Momentum(lr=0.1, nesterov=True)
    Momentum(lr=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(self, lr=0.01, momentum=0.9, nesterov=False, **kw):
        super().__init__(lr, momentum=momentum, nesterov=nesterov, **kw)


class RMSprop(Optimizer):
    """RMSprop: divide each step by a running root mean square of the gradient.

    ``s = γ s + (1−γ) g²`` and ``p -= lr g / (sqrt(s) + eps)``. ``s`` starts
    at ``initial_accumulator``: 0 as in PyTorch and Keras, so the first step
    has length about lr/sqrt(1−γ) (3.2 lr for γ = 0.9) whatever |g|; 1.0 (the
    choice of autograd's ``rmsprop`` and TensorFlow 1's RMSProp) makes the
    first steps about ``lr·g`` for small gradients.

    >>> import numpy
    >>> opt = RMSprop(lr=0.1)
    >>> p, s = opt.step([numpy.array([1.0])], [numpy.array([2.0])], opt.init([numpy.zeros(1)]))
    >>> p[0].round(4), s["sq_avg"]
    (array([0.6838]), [array([0.4])])
    >>> opt = RMSprop(lr=0.1, initial_accumulator=1.0)
    >>> opt.init([numpy.zeros(1)])["sq_avg"]
    [array([1.])]
    """

    slots = ("sq_avg",)

    def __init__(self, lr=0.01, gamma=0.9, eps=1e-8, initial_accumulator=0.0, **kw):
        super().__init__(lr, **kw)
        self.gamma = _hyper(gamma, "gamma (the decay of the running mean)", "RMSprop", 0.0, 1.0,
                            high_open=True)
        self.eps = _hyper(eps, "eps", "RMSprop", 0.0, low_open=True)
        self.initial_accumulator = _hyper(initial_accumulator, "initial_accumulator", "RMSprop")
        if self.initial_accumulator < 0:
            raise ValueError("initial_accumulator is a running mean of g², it cannot be < 0")

    def _initial(self, slot):
        return self.initial_accumulator

    def _update(self, p, g, bufs, lr, t):
        # operand order as in autograd's rmsprop, so that misc.optimizers
        # reproduces its numbers bit for bit
        s = bufs[0] * self.gamma + (g * g) * (1 - self.gamma)
        return p - lr * g / (np.sqrt(s) + self.eps), [s]

    def __repr__(self):
        init = (f", initial_accumulator={self.initial_accumulator}"
                if self.initial_accumulator else "")
        return f"RMSprop(lr={self.lr!r}, gamma={self.gamma}{init}{self._opts()})"


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running averages of g and g².

    ``m = β₁ m + (1−β₁) g``, ``v = β₂ v + (1−β₂) g²``, bias-corrected, and
    ``p -= lr m̂ / (sqrt(v̂) + eps)``. ``weight_decay`` here is L2 added to
    the gradient; use :class:`AdamW` for decoupled weight decay.

    >>> import numpy
    >>> opt = Adam(lr=0.1)
    >>> p, s = opt.step([numpy.array([1.0])], [numpy.array([5.0])], opt.init([numpy.zeros(1)]))
    >>> p[0].round(6)                     # the first step has length lr whatever |g|
    array([0.9])
    """

    slots = ("m", "v")

    def __init__(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, **kw):
        super().__init__(lr, **kw)
        owner = type(self).__name__
        self.b1 = _hyper(b1, "b1", owner, 0.0, 1.0, high_open=True)
        self.b2 = _hyper(b2, "b2", owner, 0.0, 1.0, high_open=True)
        self.eps = _hyper(eps, "eps", owner, 0.0, low_open=True)

    def _update(self, p, g, bufs, lr, t):
        m = self.b1 * bufs[0] + (1 - self.b1) * g
        # (1 - b2) * (g * g), not ((1 - b2) * g) * g: autograd's rounding, so that
        # misc.optimizers.adam reproduces its numbers bit for bit
        v = self.b2 * bufs[1] + (1 - self.b2) * (g * g)
        mhat = m / (1 - self.b1 ** t)
        vhat = v / (1 - self.b2 ** t)
        return p - lr * mhat / (np.sqrt(vhat) + self.eps), [m, v]


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p -= lr·wd·p`` separately from the Adam step.

    >>> AdamW(lr=1e-3, weight_decay=0.01)
    AdamW(lr=0.001, weight_decay=0.01)
    """

    _decoupled = True
