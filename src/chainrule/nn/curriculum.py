"""Curriculum learning: start with easy examples, let in the hard ones over time.

Like continuation methods in optimization, a simpler problem first gives a
good starting point for the harder one. A :class:`CurriculumSampler` ranks
the examples by a difficulty score (your own, or the per-example loss of a
reference model from :func:`difficulty_by_loss`) and decides each epoch which
examples ``nn.fit`` sees::

    sampler = nn.CurriculumSampler(difficulty, start=0.3, epochs=20)
    params, hist = nn.fit(model, params, opt, X, y, sampler=sampler, batch_size=32)

>>> import numpy
>>> s = CurriculumSampler(numpy.array([0.9, 0.1, 0.5, 0.3]), start=0.5, epochs=2)
>>> sorted(s(0, numpy.random.default_rng(0)).tolist())   # the easiest half
[1, 3]
>>> sorted(s(2, numpy.random.default_rng(0)).tolist())   # everything, from epoch 2 on
[0, 1, 2, 3]
"""

import math

import numpy as onp

from .losses import softmax_cross_entropy

__all__ = ["CurriculumSampler", "difficulty_by_loss"]


class CurriculumSampler:
    """Choose each epoch's examples by difficulty, growing the hard fraction on a schedule.

    ``fraction(epoch)`` of the examples (the easiest ones) are "admitted"; it
    grows from ``start`` to ``end`` over ``epochs`` epochs following
    ``schedule``: ``"linear"``, ``"sqrt"`` (fast growth first, as in
    competence-based curricula), ``"step"`` (``stages`` equal jumps), or a
    function ``epoch -> fraction``.

    ``mode="subset"``: the epoch uses exactly the admitted examples (shuffled,
    or from easy to hard with ``order="easy_first"``). ``mode="weight"``: the
    epoch draws ``n`` examples with replacement, admitted ones with weight 1
    and the others with ``floor`` (so hard examples are rare, not absent).

    >>> import numpy
    >>> s = CurriculumSampler(numpy.arange(10.0), start=0.2, epochs=4)
    >>> [round(s.fraction(e), 2) for e in range(6)]
    [0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
    """

    def __init__(self, difficulty, *, start=0.25, end=1.0, epochs=10, schedule="linear",
                 stages=4, mode="subset", order="shuffle", floor=0.05):
        d = onp.asarray(difficulty, dtype=float)
        if d.ndim != 1 or not onp.all(onp.isfinite(d)):
            raise ValueError("difficulty must be a 1-D array of finite scores, one per example")
        if mode not in ("subset", "weight") or order not in ("shuffle", "easy_first"):
            raise ValueError("mode is 'subset' or 'weight'; order is 'shuffle' or 'easy_first'")
        if not 0.0 < start <= end <= 1.0:
            raise ValueError(f"need 0 < start <= end <= 1, got start={start}, end={end}")
        self.difficulty = d
        self.rank = onp.argsort(d, kind="stable")  # easiest first
        self.start, self.end, self.epochs = float(start), float(end), max(int(epochs), 1)
        self.schedule, self.stages = schedule, int(stages)
        self.mode, self.order, self.floor = mode, order, float(floor)
        self.ordered = order == "easy_first"  # fit() keeps the order instead of shuffling

    def fraction(self, epoch):
        """The fraction of examples admitted at ``epoch`` (between ``start`` and ``end``)."""
        if callable(self.schedule):
            f = float(self.schedule(epoch))
        else:
            t = min(max(epoch, 0) / self.epochs, 1.0)
            if self.schedule == "sqrt":
                t = math.sqrt(t)
            elif self.schedule == "step":
                t = math.floor(t * self.stages) / self.stages
            elif self.schedule != "linear":
                raise ValueError(f"unknown schedule {self.schedule!r}")
            f = self.start + (self.end - self.start) * t
        return min(max(f, 1.0 / len(self.rank)), 1.0)

    def weights(self, epoch):
        """Sampling weight of every example at ``epoch`` (1 if admitted, else ``floor``)."""
        k = max(1, math.ceil(self.fraction(epoch) * len(self.rank) - 1e-9))
        w = onp.full(len(self.rank), self.floor)
        w[self.rank[:k]] = 1.0
        return w

    def __call__(self, epoch, rng):
        """Indices of this epoch's examples."""
        n = len(self.rank)
        if self.mode == "weight":
            w = self.weights(epoch)
            idx = rng.choice(n, size=n, replace=True, p=w / w.sum())
            return idx[onp.argsort(self.difficulty[idx], kind="stable")] if self.ordered else idx
        k = max(1, math.ceil(self.fraction(epoch) * n - 1e-9))
        chosen = self.rank[:k]
        return chosen if self.ordered else rng.permutation(chosen)

    def __repr__(self):
        return (f"CurriculumSampler(n={len(self.rank)}, start={self.start}, end={self.end}, "
                f"epochs={self.epochs}, schedule={self.schedule!r}, mode={self.mode!r})")


def difficulty_by_loss(model, params, X, y, loss=softmax_cross_entropy, *, state=None):
    """Per-example loss of a (reference) model: a difficulty score for the sampler.

    >>> import numpy
    >>> from chainrule import nn
    >>> m = nn.Linear(2, 2)
    >>> difficulty_by_loss(m, m.init(), numpy.zeros((3, 2)), numpy.array([0, 1, 1])).shape
    (3,)
    """
    out = model(params, onp.asarray(X), state=state)
    return onp.asarray(loss(out, y, reduction="none"), dtype=float)
