"""Weight initializers: ``init(rng, shape, dtype) -> array``.

Random initialization breaks the symmetry between hidden units (identical
units would receive identical gradients forever). The scale matters for deep
networks: too small and signals and gradients shrink layer after layer, too
large and saturating units (sigmoid, tanh) stop learning. Xavier/Glorot keeps
the variance constant for tanh-like units, He/Kaiming for ReLU, orthogonal
preserves norms exactly in linear networks.

Weights have shape ``(fan_in, fan_out)``. Every initializer is seeded by the
Generator it is given, so ``model.init(seed=0)`` is reproducible.

>>> import numpy
>>> from chainrule.nn import init
>>> w = init.xavier_uniform()(numpy.random.default_rng(0), (100, 50))
>>> bool(abs(w).max() <= (6 / 150) ** 0.5)
True
"""

import math

import numpy as onp

__all__ = ["normal", "uniform", "xavier_uniform", "xavier_normal", "glorot_uniform",
           "glorot_normal", "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform",
           "lecun_normal", "orthogonal", "zeros", "ones", "constant", "get"]


def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _cast(a, dtype):
    return onp.asarray(a, dtype=dtype)


def normal(std=0.01, mean=0.0):
    """Gaussian N(mean, std²): the lecture's "random initialization with small variance".

    >>> import numpy
    >>> normal(0.1)(numpy.random.default_rng(0), (2,)).round(3)
    array([ 0.013, -0.013])
    """
    def init(rng, shape, dtype=onp.float64):
        return _cast(mean + std * rng.standard_normal(shape), dtype)
    return init


def uniform(scale=0.05):
    """Uniform on [-scale, scale].

    >>> import numpy
    >>> bool(abs(uniform(0.1)(numpy.random.default_rng(0), (5,))).max() <= 0.1)
    True
    """
    def init(rng, shape, dtype=onp.float64):
        return _cast(rng.uniform(-scale, scale, shape), dtype)
    return init


def xavier_uniform(gain=1.0):
    """Glorot & Bengio: U[-a, a] with a = gain·sqrt(6 / (fan_in + fan_out)).

    >>> import numpy
    >>> xavier_uniform()(numpy.random.default_rng(0), (3, 3)).shape
    (3, 3)
    """
    def init(rng, shape, dtype=onp.float64):
        fi, fo = _fans(shape)
        a = gain * math.sqrt(6.0 / (fi + fo))
        return _cast(rng.uniform(-a, a, shape), dtype)
    return init


def xavier_normal(gain=1.0):
    """Glorot & Bengio: N(0, gain²·2 / (fan_in + fan_out)).

    >>> import numpy
    >>> xavier_normal()(numpy.random.default_rng(0), (2, 2)).dtype
    dtype('float64')
    """
    def init(rng, shape, dtype=onp.float64):
        fi, fo = _fans(shape)
        return _cast(gain * math.sqrt(2.0 / (fi + fo)) * rng.standard_normal(shape), dtype)
    return init


def he_normal(gain=math.sqrt(2.0)):
    """He/Kaiming for ReLU: N(0, 2 / fan_in) (``gain`` = sqrt 2 by default).

    >>> import numpy
    >>> he_normal()(numpy.random.default_rng(0), (2, 2)).shape
    (2, 2)
    """
    def init(rng, shape, dtype=onp.float64):
        fi, _ = _fans(shape)
        return _cast(gain / math.sqrt(fi) * rng.standard_normal(shape), dtype)
    return init


def he_uniform(gain=math.sqrt(2.0)):
    """He/Kaiming for ReLU, uniform: U[-a, a] with a = gain·sqrt(3 / fan_in).

    >>> import numpy
    >>> he_uniform()(numpy.random.default_rng(0), (4, 2)).shape
    (4, 2)
    """
    def init(rng, shape, dtype=onp.float64):
        fi, _ = _fans(shape)
        a = gain * math.sqrt(3.0 / fi)
        return _cast(rng.uniform(-a, a, shape), dtype)
    return init


def lecun_normal():
    """LeCun: N(0, 1 / fan_in).

    >>> import numpy
    >>> lecun_normal()(numpy.random.default_rng(0), (2, 2)).shape
    (2, 2)
    """
    return he_normal(gain=1.0)


def orthogonal(gain=1.0):
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al.): QR of a Gaussian matrix.

    >>> import numpy
    >>> q = orthogonal()(numpy.random.default_rng(0), (4, 4))
    >>> bool(numpy.allclose(q.T @ q, numpy.eye(4)))
    True
    """
    def init(rng, shape, dtype=onp.float64):
        if len(shape) < 2:
            raise ValueError(f"orthogonal init needs a matrix shape, got {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = onp.linalg.qr(a)
        q = q * onp.sign(onp.diag(r))  # make the distribution uniform (Haar), not QR-biased
        if rows < cols:
            q = q.T
        return _cast(gain * q.reshape(shape), dtype)
    return init


def constant(value):
    """Every entry equal to ``value`` (e.g. a small positive bias 0.01 for ReLU units).

    >>> import numpy
    >>> constant(0.01)(numpy.random.default_rng(0), (2,))
    array([0.01, 0.01])
    """
    def init(rng, shape, dtype=onp.float64):
        return onp.full(shape, value, dtype=dtype)
    return init


def zeros():
    """All zeros (biases; never for weights: hidden units would stay identical).

    >>> import numpy
    >>> zeros()(numpy.random.default_rng(0), (2,))
    array([0., 0.])
    """
    return constant(0.0)


def ones():
    """All ones.

    >>> import numpy
    >>> ones()(numpy.random.default_rng(0), (1,))
    array([1.])
    """
    return constant(1.0)


glorot_uniform, glorot_normal = xavier_uniform, xavier_normal
kaiming_normal, kaiming_uniform = he_normal, he_uniform

_NAMED = {
    "normal": normal, "small_normal": normal, "uniform": uniform, "small_uniform": uniform,
    "xavier": xavier_uniform, "xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal,
    "glorot": xavier_uniform, "glorot_uniform": xavier_uniform, "glorot_normal": xavier_normal,
    "he": he_normal, "he_normal": he_normal, "he_uniform": he_uniform,
    "kaiming": he_normal, "kaiming_normal": he_normal, "kaiming_uniform": he_uniform,
    "lecun": lecun_normal, "lecun_normal": lecun_normal, "orthogonal": orthogonal,
    "zeros": zeros, "ones": ones,
}


def get(spec):
    """An initializer from a name (``"xavier"``, ``"he"``, ``"orthogonal"``...), a number
    (a constant) or a callable ``(rng, shape, dtype) -> array`` (returned as is).

    >>> import numpy
    >>> get(0.5)(numpy.random.default_rng(0), (1,))
    array([0.5])
    """
    if callable(spec):
        return spec
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return constant(float(spec))
    if isinstance(spec, str) and spec.lower() in _NAMED:
        return _NAMED[spec.lower()]()
    raise ValueError(f"unknown initializer {spec!r}; use one of {sorted(_NAMED)}, a number, "
                     "or a function (rng, shape, dtype) -> array")
