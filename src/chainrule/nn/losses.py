"""Losses, numerically stable, and accuracy.

Every loss takes the model output first and the targets second, and averages
over examples (``reduction="mean"``; ``"sum"`` adds them up as the lecture's
J does; ``"none"`` returns one value per example, e.g. a difficulty score for
curriculum learning).

>>> import numpy
>>> from chainrule import nn
>>> u = numpy.array([[1000.0, -1000.0, 0.0]])
>>> float(nn.softmax_cross_entropy(u, numpy.array([0])))      # no overflow
0.0
"""

import chainrule.numpy as np
from chainrule.numpy._wrap import asarray as _asarray  # np.asarray, seen by chainrule.jit
import numpy as onp

from .activations import logsumexp

__all__ = ["squared_error", "binary_cross_entropy", "softmax_cross_entropy", "accuracy"]


def _reduce(per_example, reduction):
    if reduction == "mean":
        return np.mean(per_example)
    if reduction == "sum":
        return np.sum(per_example)
    if reduction == "none":
        return per_example
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def squared_error(pred, target, reduction="mean"):
    """½‖pred - target‖² per example (summed over outputs), then averaged.

    The lecture's L = ½ (wx - y)². 1-D predictions are one output per example.

    >>> import numpy
    >>> float(squared_error(numpy.array([1.0, 3.0]), numpy.array([0.0, 1.0])))
    1.25
    """
    d = pred - target
    per = 0.5 * d * d
    if np.ndim(per) > 1:
        per = np.sum(np.reshape(per, (per.shape[0], -1)), axis=1)
    return _reduce(per, reduction)


def binary_cross_entropy(logits, target, reduction="mean"):
    """−[y log σ(u) + (1−y) log(1−σ(u))] from logits u, without computing σ.

    Rewritten as max(u, 0) − y·u + log(1 + e^−|u|): every exponent is <= 0,
    so logits of ±1000 are fine. ``target`` in [0, 1] (0/1 labels or
    probabilities) with the shape of ``logits``.

    >>> import numpy
    >>> float(binary_cross_entropy(numpy.array([1000.0, -1000.0]), numpy.array([1.0, 0.0])))
    0.0
    """
    target = _asarray(target, dtype=onp.result_type(logits))
    if target.shape != tuple(logits.shape):
        if target.size != onp.prod(logits.shape):
            raise ValueError(f"targets of shape {target.shape} do not match logits of shape "
                             f"{tuple(logits.shape)}")
        target = target.reshape(logits.shape)  # (N,) labels for (N, 1) logits
    per = np.maximum(logits, 0.0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
    if np.ndim(per) > 1:
        per = np.sum(np.reshape(per, (per.shape[0], -1)), axis=1)
    return _reduce(per, reduction)


def softmax_cross_entropy(logits, target, reduction="mean"):
    """The lecture's J = −yᵀu + log Σ_c e^{u_c}, per example, with log-sum-exp.

    ``logits`` u has shape ``(N, C)``. ``target`` is either integer class
    labels of shape ``(N,)`` or one-hot / probability rows of shape ``(N, C)``.
    log-sum-exp subtracts the largest logit first, so logits of ±1000 give
    exact, finite losses and gradients (softmax(u) − y).

    >>> import numpy
    >>> round(float(softmax_cross_entropy(numpy.zeros((2, 4)), numpy.array([0, 3]))), 6)
    1.386294
    """
    target = _asarray(target)
    lse = logsumexp(logits, axis=-1)
    if target.dtype.kind in "iub":
        if target.shape != tuple(logits.shape[:-1]):
            raise ValueError(f"integer labels of shape {target.shape} do not match logits of "
                             f"shape {tuple(logits.shape)} (expected {tuple(logits.shape[:-1])})")
        n_classes = logits.shape[-1]
        if target.size and (target.min() < 0 or target.max() >= n_classes):
            raise ValueError(f"labels must be in 0..{n_classes - 1}, got {target.min()}.."
                             f"{target.max()}")
        yu = np.take_along_axis(logits, target.astype(onp.intp)[..., None], axis=-1)[..., 0]
    else:
        if target.shape != tuple(logits.shape):
            raise ValueError(f"one-hot/probability targets of shape {target.shape} do not match "
                             f"logits of shape {tuple(logits.shape)}")
        yu = np.sum(target.astype(onp.result_type(logits)) * logits, axis=-1)
    return _reduce(lse - yu, reduction)


def accuracy(scores, target):
    """Fraction of examples classified correctly (a plain float; not differentiable).

    ``scores``: ``(N, C)`` logits or probabilities (argmax is the prediction)
    or ``(N,)`` binary logits (positive means class 1). ``target``: labels
    ``(N,)`` or one-hot rows ``(N, C)``.

    >>> import numpy
    >>> accuracy(numpy.array([[2.0, 1.0], [0.0, 3.0]]), numpy.array([0, 0]))
    0.5
    """
    scores, target = onp.asarray(scores), onp.asarray(target)
    if scores.ndim == 1 or (scores.shape[-1] == 1 and target.ndim == 1):
        pred = (scores.reshape(target.shape) > 0).astype(int)
    else:
        pred = scores.argmax(axis=-1)
    if target.ndim == scores.ndim and scores.ndim > 1 and target.shape[-1] > 1:
        target = target.argmax(axis=-1)
    if pred.shape != target.shape:
        raise ValueError(f"accuracy: predictions of shape {pred.shape} do not match targets of "
                         f"shape {target.shape}")
    return float(onp.mean(pred == target)) if target.size else float("nan")
