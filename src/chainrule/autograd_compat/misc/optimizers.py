"""Gradient-based stochastic optimizers (autograd's ``autograd.misc.optimizers``).

Each takes ``grad(x, i)`` (the gradient at ``x`` on iteration ``i``) and a
starting point ``x0``, which may be any nesting of tuples, lists and dicts of
arrays; the result has the same structure. The update rules are those of
:mod:`chainrule.optim` (written once, there); this module is autograd's
interface to them and reproduces autograd's numbers bit for bit.

>>> import numpy
>>> from chainrule import grad
>>> g = grad(lambda p, i: (p["w"] - 3.0) ** 2)
>>> round(float(adam(g, {"w": 0.0}, num_iters=500, step_size=0.1)["w"]), 2)
3.0
"""

import numpy as onp

from ... import optim
from ..wrap_util import wraps
from .flatten import flatten

__all__ = ["unflatten_optimizer", "sgd", "rmsprop", "adam"]


def unflatten_optimizer(optimize):
    """Turn an optimizer of flat 1-D arrays into one of nested containers."""
    @wraps(optimize)
    def _optimize(grad, x0, callback=None, *args, **kwargs):
        _x0, unflatten = flatten(x0)

        def _grad(x, i):
            return flatten(grad(unflatten(x), i))[0]
        if callback:
            def _callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))
        else:
            _callback = None
        return unflatten(optimize(_grad, _x0, _callback, *args, **kwargs))

    return _optimize


def _iterate(opt, grad, x, callback, num_iters, step_size):
    """autograd's loop around one of chainrule.optim's update rules.

    The rules are optim's (``opt.update``, written with chainrule.numpy, so
    this loop can be differentiated with respect to ``x0``, ``step_size`` or
    any other hyperparameter, as autograd's can). The buffers start as
    autograd's do: float64 vectors of ``len(x)``, whatever ``x``'s dtype.
    """
    state = opt.init(onp.zeros(len(x)))
    buffers = [state[name] for name in opt.slots]
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        x, buffers = opt.update(x, g, buffers, step_size, i + 1)
    return x


@unflatten_optimizer
def sgd(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Stochastic gradient descent with momentum.

    ``velocity = mass * velocity - (1 - mass) * g``, ``x = x + step_size * velocity``
    from a zero velocity: :class:`chainrule.optim.SGD` with ``momentum=mass,
    dampening=mass`` (whose velocity is this one negated).
    """
    opt = optim.SGD(step_size, momentum=mass, dampening=mass)
    return _iterate(opt, grad, x, callback, num_iters, step_size)


@unflatten_optimizer
def rmsprop(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    """Root mean squared prop (see the Adagrad paper).

    ``avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)``,
    ``x = x - step_size * g / (sqrt(avg_sq_grad) + eps)``, ``avg_sq_grad``
    starting at ones: :class:`chainrule.optim.RMSprop` with ``initial_accumulator=1``.
    """
    opt = optim.RMSprop(step_size, gamma=gamma, eps=eps, initial_accumulator=1.0)
    return _iterate(opt, grad, x, callback, num_iters, step_size)


@unflatten_optimizer
def adam(grad, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    """Adam (Kingma & Ba, arXiv:1412.6980): RMSprop with momentum and bias
    correction; :class:`chainrule.optim.Adam`."""
    opt = optim.Adam(step_size, b1=b1, b2=b2, eps=eps)
    return _iterate(opt, grad, x, callback, num_iters, step_size)
