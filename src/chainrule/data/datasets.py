"""Iris and 8×8 digits, read from small files inside the package (never downloaded).

The files come from scikit-learn (BSD license; see ``files/LICENSE.md``). They
are checked as they are read: a damaged file gives a :class:`DataFileError`
naming the file and the line, never a silently wrong array.

>>> from chainrule import data
>>> X, y = data.iris()
>>> X.shape, y.shape, sorted(set(y.tolist()))
((150, 4), (150,), [0, 1, 2])
>>> X, y = data.digits()
>>> X.shape, int(X.max()), int(y.max())
((1797, 64), 16, 9)
"""

import functools
import gzip
import io
import os
import zlib
from importlib import resources

import numpy as onp

__all__ = ["iris", "digits", "IRIS_FEATURES", "IRIS_CLASSES", "DataFileError"]

IRIS_FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")


class DataFileError(ValueError):
    """A shipped (or given) data file is missing, truncated or malformed."""


def _default_path(name):
    return resources.files("chainrule.data").joinpath("files", name)


def _read_text(path, name):
    try:
        raw = path.read_bytes() if hasattr(path, "read_bytes") else open(path, "rb").read()
    except FileNotFoundError:
        raise DataFileError(f"chainrule.data: {name} not found at {path}; the package data is "
                            "missing (reinstall chainrule)") from None
    if str(path).endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataFileError(f"chainrule.data: {name} ({path}) is not a valid gzip file: "
                                f"{e}") from None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as e:
        raise DataFileError(f"chainrule.data: {name} ({path}) is not a text CSV file: {e}") \
            from None


def _parse_rows(text, name, n_cols, first_line=1):
    """Rows of ``n_cols`` numbers; the error names the first bad line."""
    rows = []
    for k, line in enumerate(io.StringIO(text), start=first_line):
        line = line.strip()
        if not line:
            continue
        fields = line.split(",")
        if len(fields) != n_cols:
            raise DataFileError(f"chainrule.data: {name}, line {k}: expected {n_cols} "
                                f"comma-separated values, found {len(fields)}: {line[:60]!r}")
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            raise DataFileError(f"chainrule.data: {name}, line {k}: not a number in "
                                f"{line[:60]!r}") from None
    a = onp.array(rows, dtype=float).reshape(-1, n_cols)
    if not onp.all(onp.isfinite(a)):
        raise DataFileError(f"chainrule.data: {name} contains NaN or infinite values")
    return a


def _labels(col, name, n_classes):
    if not onp.all(col == onp.round(col)) or col.min() < 0 or col.max() >= n_classes:
        raise DataFileError(f"chainrule.data: {name}: class labels must be integers "
                            f"0..{n_classes - 1}")
    return col.astype(onp.int64)


@functools.lru_cache(maxsize=4)
def _load_iris(path):
    name = "iris.csv"
    text = _read_text(path if path is not None else _default_path(name), name)
    header, _, body = text.partition("\n")
    head = header.strip().split(",")
    try:
        n, d = int(head[0]), int(head[1])
    except (ValueError, IndexError):
        raise DataFileError(f"chainrule.data: {name}, line 1: expected the header "
                            f"'150,4,setosa,versicolor,virginica', found {header[:60]!r}") \
            from None
    if (n, d) != (150, 4):
        raise DataFileError(f"chainrule.data: {name}: header says {n}x{d}, Iris is 150x4")
    a = _parse_rows(body, name, d + 1, first_line=2)
    if len(a) != n:
        raise DataFileError(f"chainrule.data: {name}: header announces {n} rows, found "
                            f"{len(a)} (truncated file?)")
    y = _labels(a[:, d], name, 3)
    if onp.bincount(y, minlength=3).tolist() != [50, 50, 50]:
        raise DataFileError(f"chainrule.data: {name}: expected 50 examples of each class")
    return a[:, :d], y


@functools.lru_cache(maxsize=4)
def _load_digits(path):
    name = "digits.csv.gz"
    a = _parse_rows(_read_text(path if path is not None else _default_path(name), name),
                    name, 65)
    if len(a) != 1797:
        raise DataFileError(f"chainrule.data: {name}: expected 1797 rows, found {len(a)} "
                            "(truncated file?)")
    X = a[:, :64]
    if X.min() < 0 or X.max() > 16:
        raise DataFileError(f"chainrule.data: {name}: pixel values must be in 0..16")
    return X, _labels(a[:, 64], name, 10)


def _feature_index(f):
    if isinstance(f, (int, onp.integer)):
        if not 0 <= f < 4:
            raise ValueError(f"iris has features 0..3, got {f}")
        return int(f)
    key = str(f).lower().replace("(cm)", "").strip().replace(" ", "_")
    if key not in IRIS_FEATURES:
        raise ValueError(f"unknown iris feature {f!r}; choose from {IRIS_FEATURES}")
    return IRIS_FEATURES.index(key)


def iris(features=None, *, path=None):
    """Fisher's Iris: ``X`` (150, k) in cm, float64, and ``y`` (150,) classes 0..2.

    ``features`` selects columns by name (``"petal_length"``, ``"petal width
    (cm)"``...) or index; the default is all four :data:`IRIS_FEATURES`.
    Classes are :data:`IRIS_CLASSES`, 50 each. ``path`` reads another copy of
    the file instead of the shipped one.

    >>> X, y = iris(features=("petal_length", "petal_width"))
    >>> X[0].tolist(), int(y[0])
    ([1.4, 0.2], 0)
    """
    X, y = _load_iris(None if path is None else os.fspath(path))
    if features is not None:
        if isinstance(features, (str, int)):
            features = (features,)
        X = X[:, [_feature_index(f) for f in features]]
    return X.copy(), y.copy()


def digits(*, n_class=10, path=None):
    """The 8×8 handwritten digits: ``X`` (1797, 64) pixel counts 0..16, ``y`` digits 0..9.

    ``n_class`` keeps only digits ``0..n_class-1``. Divide ``X`` by 16 or
    standardize it before training.

    >>> X, y = digits(n_class=2)
    >>> sorted(set(y.tolist()))
    [0, 1]
    """
    X, y = _load_digits(None if path is None else os.fspath(path))
    keep = y < n_class
    return X[keep].copy(), y[keep].copy()
