"""Synthetic 2-D classification problems: two moons, spirals, Gaussian blobs (all seeded).

>>> from chainrule import data
>>> X, y = data.two_moons(100, seed=0)
>>> X.shape, y.shape, int(y.sum())
((100, 2), (100,), 50)
"""

import numpy as onp

__all__ = ["two_moons", "spirals", "blobs"]


def _counts(n, k):
    # split n examples as evenly as possible over k classes
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def two_moons(n=200, *, noise=0.1, seed=0):
    """Two interleaving half circles (not linearly separable); labels 0 and 1.

    >>> X, y = two_moons(4, noise=0.0)
    >>> X.round(2).tolist()
    [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]]
    """
    rng = onp.random.default_rng(seed)
    n0, n1 = _counts(n, 2)
    t0, t1 = onp.linspace(0, onp.pi, n0), onp.linspace(0, onp.pi, n1)
    X = onp.concatenate([onp.stack([onp.cos(t0), onp.sin(t0)], 1),
                         onp.stack([1 - onp.cos(t1), 0.5 - onp.sin(t1)], 1)])
    y = onp.repeat([0, 1], [n0, n1])
    return X + noise * rng.standard_normal(X.shape), y.astype(onp.int64)


def spirals(n=300, *, n_classes=2, turns=1.5, noise=0.1, seed=0):
    """``n_classes`` interleaved spiral arms, each of ``turns`` turns; labels 0..n_classes-1.

    >>> X, y = spirals(30, n_classes=3)
    >>> X.shape, sorted(set(y.tolist()))
    ((30, 2), [0, 1, 2])
    """
    rng = onp.random.default_rng(seed)
    Xs, ys = [], []
    for c, m in enumerate(_counts(n, n_classes)):
        r = onp.linspace(0.05, 1.0, m)
        t = 2 * onp.pi * (turns * r + c / n_classes)
        Xs.append(onp.stack([r * onp.cos(t), r * onp.sin(t)], 1))
        ys.append(onp.full(m, c))
    X = onp.concatenate(Xs)
    return X + noise * rng.standard_normal(X.shape), onp.concatenate(ys).astype(onp.int64)


def blobs(n=300, *, centers=3, n_features=2, std=1.0, box=(-10.0, 10.0), seed=0):
    """Isotropic Gaussian clusters. ``centers``: a number (drawn uniformly in ``box``) or an
    array of shape ``(k, n_features)``.

    >>> X, y = blobs(9, centers=[[0.0, 0.0], [5.0, 5.0], [9.0, 0.0]], std=0.0)
    >>> X[y == 1][0].tolist()
    [5.0, 5.0]
    """
    rng = onp.random.default_rng(seed)
    if onp.ndim(centers) == 0:
        C = rng.uniform(box[0], box[1], (int(centers), n_features))
    else:
        C = onp.asarray(centers, dtype=float)
    k = len(C)
    y = onp.repeat(onp.arange(k), _counts(n, k))
    X = C[y] + std * rng.standard_normal((n, C.shape[1]))
    return X, y.astype(onp.int64)
