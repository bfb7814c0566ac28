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

from .nn.tree import leaves, tree_map

__all__ = ["Optimizer", "GD", "SGD", "Momentum", "Adam", "AdamW", "global_norm",
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
    return math.sqrt(sum(float(onp.sum(onp.square(onp.abs(g)))) for g in leaves(grads)))


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

def _flat(tree):
    return leaves(tree)


def _unflat(like, values):
    it = iter(values)
    return tree_map(lambda _: next(it), like)


class Optimizer:
    """Base class: ``init(params) -> state`` and ``step(params, grads, state) -> (params, state)``.

    Subclasses define ``slots`` (names of per-parameter buffers) and
    ``_update(p, g, bufs, lr, t) -> (new_p, new_bufs)`` for one array.
    """

    slots = ()

    def __init__(self, lr, *, weight_decay=0.0, clip_norm=None, clip_value=None):
        self.lr = lr
        self.weight_decay = float(weight_decay)
        self.clip_norm, self.clip_value = clip_norm, clip_value

    def lr_at(self, step):
        """The learning rate used at optimizer step ``step``."""
        return float(self.lr(step)) if callable(self.lr) else float(self.lr)

    def init(self, params):
        """Fresh state: ``{"step": 0, slot: zeros like params, ...}`` (plain arrays).

        >>> import numpy
        >>> sorted(Adam().init({"w": numpy.zeros(2)}))
        ['m', 'step', 'v']
        """
        state = {"step": onp.array(0, dtype=onp.int64)}
        for name in self.slots:
            state[name] = tree_map(lambda p: onp.zeros_like(onp.asarray(p)), params)
        return state

    def step(self, params, grads, state):
        """One update. Returns new ``(params, state)``; the inputs are not modified."""
        t = int(state["step"])
        if self.clip_value is not None:
            c = float(self.clip_value)
            grads = tree_map(lambda g: onp.clip(g, -c, c), grads)
        if self.clip_norm is not None:
            grads = clip_by_global_norm(grads, float(self.clip_norm))
        lr = self.lr_at(t)
        ps, gs = _flat(params), _flat(grads)
        if len(ps) != len(gs):
            raise ValueError(f"{len(ps)} parameter arrays but {len(gs)} gradient arrays")
        bufs = [_flat(state[name]) for name in self.slots]
        new_p, new_bufs = [], [[] for _ in self.slots]
        for i, (p, g) in enumerate(zip(ps, gs, strict=True)):
            p = onp.asarray(p)
            g = onp.asarray(g, dtype=p.dtype)  # float32 params stay float32
            if self.weight_decay and not self._decoupled:
                g = g + self.weight_decay * p
            q, b = self._update(p, g, [buf[i] for buf in bufs], lr, t + 1)
            if self.weight_decay and self._decoupled:
                q = q - lr * self.weight_decay * p
            new_p.append(q.astype(p.dtype, copy=False))
            for k, v in enumerate(b):
                new_bufs[k].append(v.astype(p.dtype, copy=False))
        new_state = {"step": onp.array(t + 1, dtype=onp.int64)}
        for name, vals in zip(self.slots, new_bufs, strict=True):
            new_state[name] = _unflat(state[name], vals)
        return _unflat(params, new_p), new_state

    _decoupled = False

    def _update(self, p, g, bufs, lr, t):
        raise NotImplementedError

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


class SGD(Optimizer):
    """(Minibatch) stochastic gradient descent, with optional (Nesterov) momentum.

    Momentum keeps a velocity ``v = μ v + g`` and steps ``p -= lr v``: it
    averages out the zig-zag of steep, narrow valleys. Nesterov steps with
    ``g + μ v`` instead (a look-ahead).

    >>> import numpy
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> p, s = opt.step([numpy.array([1.0])], [numpy.array([1.0])], opt.init([numpy.zeros(1)]))
    >>> p, s["velocity"]
    ([array([0.9])], [array([1.])])
    """

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, **kw):
        super().__init__(lr, **kw)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        if nesterov and not momentum:
            raise ValueError("Nesterov needs momentum > 0")
        self.slots = ("velocity",) if self.momentum else ()

    def _update(self, p, g, bufs, lr, t):
        if not self.momentum:
            return p - lr * g, []
        v = self.momentum * bufs[0] + g
        d = g + self.momentum * v if self.nesterov else v
        return p - lr * d, [v]

    def __repr__(self):
        mom = f", momentum={self.momentum}" if self.momentum else ""
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
        self.b1, self.b2, self.eps = float(b1), float(b2), float(eps)

    def _update(self, p, g, bufs, lr, t):
        m = self.b1 * bufs[0] + (1 - self.b1) * g
        v = self.b2 * bufs[1] + (1 - self.b2) * g * g
        mhat = m / (1 - self.b1 ** t)
        vhat = v / (1 - self.b2 ** t)
        return p - lr * mhat / (onp.sqrt(vhat) + self.eps), [m, v]


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p -= lr·wd·p`` separately from the Adam step.

    >>> AdamW(lr=1e-3, weight_decay=0.01)
    AdamW(lr=0.001, weight_decay=0.01)
    """

    _decoupled = True
