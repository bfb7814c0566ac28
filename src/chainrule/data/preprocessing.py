"""Train/test split, standardization, one-hot encoding.

>>> import numpy
>>> from chainrule import data
>>> X, y = data.iris()
>>> X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
>>> X_tr.shape, X_te.shape, numpy.bincount(y_te).tolist()
((120, 4), (30, 4), [10, 10, 10])
"""

import numpy as onp

__all__ = ["train_test_split", "Standardizer", "standardize", "one_hot"]


def train_test_split(X, y, *, test_size=0.25, seed=0, stratify=False):
    """Shuffle (seeded) and split: returns ``X_train, X_test, y_train, y_test``.

    ``test_size``: a fraction or a count. ``stratify=True`` keeps the class
    proportions of ``y`` in both parts.

    >>> import numpy
    >>> a, b, c, d = train_test_split(numpy.arange(10.0), numpy.arange(10), test_size=3)
    >>> len(a), len(b)
    (7, 3)
    """
    X, y = onp.asarray(X), onp.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} examples but y has {len(y)}")
    n_test = int(round(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size} leaves an empty train or test set (n={n})")
    rng = onp.random.default_rng(seed)
    if stratify:
        classes, yi = onp.unique(y, return_inverse=True)
        sizes = onp.bincount(yi.ravel(), minlength=len(classes))
        take = _apportion(n_test, sizes)
        test = []
        for c in range(len(classes)):
            idx = rng.permutation(onp.flatnonzero(yi == c))
            test.extend(idx[:take[c]].tolist())
        test = onp.array(sorted(test), dtype=int)
    else:
        test = onp.sort(rng.permutation(n)[:n_test])
    train_mask = onp.ones(n, bool)
    train_mask[test] = False
    train = rng.permutation(onp.flatnonzero(train_mask))
    test = rng.permutation(test)
    return X[train], X[test], y[train], y[test]


def _apportion(total, sizes):
    """Split ``total`` over groups in proportion to ``sizes``, summing exactly
    to ``total`` (largest remainders: rounding each share separately may not)."""
    quota = total * sizes / sizes.sum()
    take = onp.floor(quota).astype(int)
    short = total - int(take.sum())
    # Ties go to the earlier group, so the split is reproducible.
    take[onp.argsort(-(quota - take), kind="stable")[:short]] += 1
    return take


class Standardizer:
    """Per-feature ``(x - mean) / std`` with statistics from the training set only.

    Constant features (std 0) are left centred but unscaled.

    >>> import numpy
    >>> s = Standardizer().fit(numpy.array([[1.0], [3.0]]))
    >>> s.transform(numpy.array([[2.0], [5.0]])).tolist()
    [[0.0], [3.0]]
    >>> s.inverse_transform(s.transform(numpy.array([[7.0]]))).tolist()
    [[7.0]]
    """

    def __init__(self, eps=1e-12):
        self.eps, self.mean, self.std = eps, None, None

    def fit(self, X):
        X = onp.asarray(X, dtype=float)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = onp.where(std > self.eps, std, 1.0)
        return self

    def _check(self):
        if self.mean is None:
            raise ValueError("Standardizer: call fit(X_train) first")

    def transform(self, X):
        self._check()
        return (onp.asarray(X, dtype=float) - self.mean) / self.std

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        self._check()
        return onp.asarray(Z) * self.std + self.mean


def standardize(X_train, *others):
    """Standardize ``X_train`` and any further arrays with the training statistics.

    >>> import numpy
    >>> standardize(numpy.array([[1.0], [3.0]])).tolist()
    [[-1.0], [1.0]]
    >>> [a.tolist() for a in standardize(numpy.array([[1.0], [3.0]]), numpy.array([[5.0]]))]
    [[[-1.0], [1.0]], [[3.0]]]
    """
    s = Standardizer().fit(X_train)
    if not others:
        return s.transform(X_train)
    return (s.transform(X_train),) + tuple(s.transform(o) for o in others)


def one_hot(y, n_classes=None, dtype=onp.float64):
    """Integer labels ``(N,)`` to one-hot rows ``(N, C)``.

    >>> one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = onp.asarray(y)
    if y.dtype.kind not in "iu":
        raise ValueError(f"one_hot needs integer labels, got dtype {y.dtype}")
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels must be in 0..{k - 1}")
    return onp.eye(k, dtype=dtype)[y]
