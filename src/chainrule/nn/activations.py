"""Activation functions (plain functions) and their layer versions.

All are written with ``chainrule.numpy``, so they are differentiable to any
order, and all are numerically stable for large inputs.

>>> import numpy
>>> from chainrule import nn
>>> nn.sigmoid(numpy.array([-1000.0, 0.0, 1000.0]))
array([0. , 0.5, 1. ])
>>> nn.log_softmax(numpy.array([1000.0, 0.0]))
array([    0., -1000.])
"""

import chainrule.numpy as np

from ..scipy import special as _special
from .module import Module

__all__ = ["sigmoid", "tanh", "relu", "softplus", "logsumexp", "softmax", "log_softmax",
           "Sigmoid", "Tanh", "ReLU", "Softplus", "Softmax", "LogSoftmax"]


def sigmoid(x):
    """Logistic function 1 / (1 + e^-x), as 0.5 (1 + tanh(x/2)): no overflow for any x.

    >>> float(sigmoid(0.0))
    0.5
    """
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def tanh(x):
    """Hyperbolic tangent.

    >>> float(tanh(0.0))
    0.0
    """
    return np.tanh(x)


def relu(x):
    """max(x, 0).

    >>> import numpy
    >>> relu(numpy.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return np.maximum(x, 0.0)


def softplus(x):
    """log(1 + e^x), computed as logaddexp(0, x) so that large x does not overflow.

    >>> round(float(softplus(0.0)), 6)
    0.693147
    """
    return np.logaddexp(0.0, x)


# The softmax family is chainrule.scipy.special's (one implementation, SciPy's
# semantics); nn only changes the default axis to the last one (classes).

def logsumexp(u, axis=-1, keepdims=False):
    """log Σ exp(u) along ``axis`` (the last by default), with the max-shift.

    :func:`chainrule.scipy.special.logsumexp` (which reduces over all axes by
    default): m + log Σ exp(u - m), so nothing overflows; the derivative is softmax(u).

    >>> import numpy
    >>> float(logsumexp(numpy.array([1000.0, 1000.0])))  # 1000 + log 2
    1000.6931471805599
    """
    return _special.logsumexp(u, axis=axis, keepdims=keepdims)


def log_softmax(u, axis=-1):
    """u - logsumexp(u): log-probabilities along ``axis`` (the last by default), stable
    for logits of any size (:func:`chainrule.scipy.special.log_softmax`).

    >>> import numpy
    >>> numpy.exp(log_softmax(numpy.zeros(4)))
    array([0.25, 0.25, 0.25, 0.25])
    """
    return _special.log_softmax(u, axis=axis)


def softmax(u, axis=-1):
    """exp(u) / Σ exp(u) along ``axis`` (the last by default), as exp(u - logsumexp(u))
    (:func:`chainrule.scipy.special.softmax`).

    >>> import numpy
    >>> softmax(numpy.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    return _special.softmax(u, axis=axis)


class _Activation(Module):
    fn = None

    def _apply(self, params, state, x, ctx):
        return type(self).fn(x), state


class Sigmoid(_Activation):
    """Layer version of :func:`sigmoid`.

    >>> Sigmoid()({}, 0.0)
    0.5
    """
    fn = staticmethod(sigmoid)


class Tanh(_Activation):
    """Layer version of :func:`tanh`.

    >>> Tanh()({}, 0.0)
    0.0
    """
    fn = staticmethod(tanh)


class ReLU(_Activation):
    """Layer version of :func:`relu`.

    >>> float(ReLU()({}, -3.0))
    0.0
    """
    fn = staticmethod(relu)


class Softplus(_Activation):
    """Layer version of :func:`softplus`.

    >>> float(Softplus()({}, 0.0)) > 0.69
    True
    """
    fn = staticmethod(softplus)


class Softmax(Module):
    """Layer version of :func:`softmax` (over the last axis by default).

    >>> import numpy
    >>> Softmax()({}, numpy.zeros((1, 2)))
    array([[0.5, 0.5]])
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def _apply(self, params, state, x, ctx):
        return softmax(x, self.axis), state


class LogSoftmax(Softmax):
    """Layer version of :func:`log_softmax`.

    >>> import numpy
    >>> LogSoftmax()({}, numpy.zeros((1, 2))).round(4)
    array([[-0.6931, -0.6931]])
    """

    def _apply(self, params, state, x, ctx):
        return log_softmax(x, self.axis), state
