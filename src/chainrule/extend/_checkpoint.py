"""Gradient checkpointing: a function whose intermediates are recomputed in
the backward pass instead of being kept on the tape."""

from ..transforms import _jvp_engine, _vjp_engine
from ._batch import _batch_shape
from ._primitive import primitive


def _substitute(args, sel, xs):
    args = list(args)
    for i, x in zip(sel, xs, strict=True):
        args[i] = x
    return args


def checkpoint(fun):
    """Discard ``fun``'s intermediate values after the forward pass and
    recompute them in the backward pass: trades time for memory.

    ``fun`` becomes one primitive (its container arguments and outputs are
    handled by :func:`primitive`) whose rules run ``fun`` again under a
    tape of their own.

    >>> import chainrule.numpy as np
    >>> from chainrule import grad
    >>> block = checkpoint(lambda x: np.sin(x) * x)
    >>> float(grad(block)(0.0))
    0.0
    """
    wrapped = primitive(fun)

    def vjp_joint(argnums, g, ans, *args, **kwargs):
        sel = tuple(argnums)
        _, pb = _vjp_engine(lambda xs: fun(*_substitute(args, sel, xs), **kwargs),
                            tuple(args[i] for i in sel))
        return pb(g, keep_tape=False)

    def jvp_joint(traced, ans, *args, **kwargs):
        sel = tuple(i for i, _ in traced)
        batch = _batch_shape(traced[0][1], args[traced[0][0]])
        return _jvp_engine(lambda xs: fun(*_substitute(args, sel, xs), **kwargs),
                           tuple(args[i] for i in sel), tuple(t for _, t in traced),
                           batch_shape=batch)[1]

    wrapped.vjp_joint = vjp_joint
    wrapped.jvp_joint = jvp_joint
    return wrapped
