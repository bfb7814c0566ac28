"""``chainrule.data``: small datasets shipped with the package and synthetic generators.

>>> from chainrule import data
>>> X, y = data.iris(features=("petal_length", "petal_width"))
>>> X.shape
(150, 2)

* :func:`iris`, :func:`digits`: real data from files inside the package (no network);
* :func:`two_moons`, :func:`spirals`, :func:`blobs`: seeded synthetic problems;
* :func:`train_test_split`, :class:`Standardizer`, :func:`standardize`, :func:`one_hot`.
"""

from .datasets import IRIS_CLASSES, IRIS_FEATURES, DataFileError, digits, iris
from .preprocessing import Standardizer, one_hot, standardize, train_test_split
from .synthetic import blobs, spirals, two_moons

__all__ = ["iris", "digits", "IRIS_FEATURES", "IRIS_CLASSES", "DataFileError", "two_moons",
           "spirals", "blobs", "train_test_split", "Standardizer", "standardize", "one_hot"]
