"""Iris and 8×8 digits, read from small files inside the package (never downloaded).

The files come from scikit-learn (BSD license; see ``files/LICENSE.md``). They
are checked as they are read: the shipped files against their SHA-256 (once
per process), any file against its expected layout, so a damaged file gives a
:class:`DataFileError` naming the file and what is wrong, never a silently
wrong array. A file given with ``path=`` is read afresh at every call, only
when it is a regular file, and at most :data:`MAX_FILE_BYTES` of it (inflated:
:data:`MAX_TEXT_BYTES`).

>>> from chainrule import data
>>> X, y = data.iris()
>>> X.shape, y.shape, sorted(set(y.tolist()))
((150, 4), (150,), [0, 1, 2])
>>> X, y = data.digits()
>>> X.shape, int(X.max()), int(y.max())
((1797, 64), 16, 9)
"""

import functools
import hashlib
import io
import os
import zlib
from importlib import resources

import numpy as onp

from .. import fileio

__all__ = ["iris", "digits", "IRIS_FEATURES", "IRIS_CLASSES", "DataFileError"]

IRIS_FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")

#: SHA-256 of each shipped file: a changed digit parses as well as the right one, so the
#: layout checks alone cannot see it
SHIPPED_SHA256 = {
    "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
}
#: the most bytes read from a data file given with ``path=`` (the shipped ones are < 60 kB)
MAX_FILE_BYTES = 16 * 2 ** 20
#: the most bytes a gzip data file may inflate to (the digits are 0.3 MB)
MAX_TEXT_BYTES = 64 * 2 ** 20


class DataFileError(ValueError):
    """A shipped (or given) data file is missing, truncated or malformed."""


def _default_path(name):
    return resources.files("chainrule.data").joinpath("files", name)


def _shipped_bytes(name):
    path = _default_path(name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"chainrule.data: {name} not found at {path}; the package data is "
                            "missing (reinstall chainrule)") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHIPPED_SHA256[name]:
        raise DataFileError(f"chainrule.data: the shipped {name} ({path}) has been modified or "
                            f"damaged: its SHA-256 is {digest}, not {SHIPPED_SHA256[name]}; "
                            "reinstall chainrule")
    return raw


def _given_bytes(path, name):
    try:
        return fileio.read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise DataFileError(f"chainrule.data: {name} not found at {path}") from None
    except fileio.NotARegularFileError as e:
        raise DataFileError(f"chainrule.data: {path} is {e.kind}, not a regular file; "
                            f"refusing to read it as {name}") from None
    except fileio.FileTooLargeError:
        raise DataFileError(f"chainrule.data: {path} is larger than {MAX_FILE_BYTES} bytes; "
                            f"that is not {name}") from None
    except OSError as e:
        raise DataFileError(f"chainrule.data: {path} cannot be read: {e}") from None


def _gunzip(raw, path, name):
    """Inflate a one-member gzip file, at most :data:`MAX_TEXT_BYTES` (a gzip bomb stops there)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16 +: expect the gzip wrapper
    try:
        text = d.decompress(raw, MAX_TEXT_BYTES + 1)
    except zlib.error as e:
        raise DataFileError(f"chainrule.data: {name} ({path}) is not a valid gzip file: "
                            f"{e}") from None
    if len(text) > MAX_TEXT_BYTES:
        raise DataFileError(f"chainrule.data: {name} ({path}) inflates to more than "
                            f"{MAX_TEXT_BYTES} bytes; that is not {name} (a gzip bomb?)")
    if not d.eof:
        raise DataFileError(f"chainrule.data: {name} ({path}) is not a valid gzip file: the "
                            "compressed stream is cut short")
    if d.unused_data:
        raise DataFileError(f"chainrule.data: {name} ({path}) is not a valid gzip file: "
                            f"{len(d.unused_data)} bytes follow the compressed stream")
    return text


def _read_text(path, name):
    """The text of ``name``: the shipped copy (``path=None``, hash checked) or ``path``."""
    raw = _shipped_bytes(name) if path is None else _given_bytes(path, name)
    where = path if path is not None else _default_path(name)
    if name.endswith(".gz"):
        raw = _gunzip(raw, where, name)
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as e:
        raise DataFileError(f"chainrule.data: {name} ({where}) is not a text CSV file: {e}") \
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


def _load_iris(path):
    name = "iris.csv"
    text = _read_text(path, name)
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


def _load_digits(path):
    name = "digits.csv.gz"
    a = _parse_rows(_read_text(path, name), name, 65)
    if len(a) != 1797:
        raise DataFileError(f"chainrule.data: {name}: expected 1797 rows, found {len(a)} "
                            "(truncated file?)")
    X = a[:, :64]
    if X.min() < 0 or X.max() > 16:
        raise DataFileError(f"chainrule.data: {name}: pixel values must be in 0..16")
    return X, _labels(a[:, 64], name, 10)


@functools.lru_cache(maxsize=None)
def _shipped(loader):
    # the shipped files are read, hashed and parsed once per process; a file given with
    # path= is read at every call (it may have been rewritten since)
    return loader(None)


def _feature_index(f):
    if isinstance(f, (bool, onp.bool_)) or not isinstance(f, (str, int, onp.integer)):
        raise TypeError(f"iris: a feature is a name ({', '.join(IRIS_FEATURES)}) or an index "
                        f"0..3, not {f!r} ({type(f).__name__})")
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
    the file instead of the shipped one (at every call; the shipped file is
    checked against its SHA-256 and parsed once per process). A bad
    ``features`` raises ``TypeError`` or ``ValueError`` naming it.

    >>> X, y = iris(features=("petal_length", "petal_width"))
    >>> X[0].tolist(), int(y[0])
    ([1.4, 0.2], 0)
    """
    X, y = _shipped(_load_iris) if path is None else _load_iris(os.fspath(path))
    if features is not None:
        if isinstance(features, (str, int, onp.integer, bool, onp.bool_)):
            features = (features,)
        try:
            features = list(features)
        except TypeError:
            raise TypeError(f"iris: features must be a feature name or index, or a list of "
                            f"them, not {features!r} ({type(features).__name__})") from None
        if not features:
            raise ValueError("iris: features is empty; name at least one of "
                             f"{IRIS_FEATURES} (or leave it out for all four)")
        X = X[:, [_feature_index(f) for f in features]]
    return X.copy(), y.copy()


def digits(*, n_class=10, path=None):
    """The 8×8 handwritten digits: ``X`` (1797, 64) pixel counts 0..16, ``y`` digits 0..9.

    ``n_class`` (an int from 1 to 10) keeps only digits ``0..n_class-1``.
    Divide ``X`` by 16 or standardize it before training. ``path``: another
    copy of the gzip file, as for :func:`iris`.

    >>> X, y = digits(n_class=2)
    >>> sorted(set(y.tolist()))
    [0, 1]
    """
    if isinstance(n_class, (bool, onp.bool_)) or not isinstance(n_class, (int, onp.integer)):
        raise TypeError(f"digits: n_class must be an int from 1 to 10, not {n_class!r} "
                        f"({type(n_class).__name__})")
    if not 1 <= n_class <= 10:
        raise ValueError(f"digits: n_class must be from 1 to 10 (keep digits 0..n_class-1), "
                         f"not {n_class}")
    X, y = _shipped(_load_digits) if path is None else _load_digits(os.fspath(path))
    keep = y < n_class
    return X[keep].copy(), y[keep].copy()
