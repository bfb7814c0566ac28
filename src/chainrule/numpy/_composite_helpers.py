"""Helpers shared by the composite modules (``extra``, ``convolution``,
``order_statistics``, ``calculus``, ``interpolation``, ``polynomials``...).

They import from the package when called, not at load time: these modules
are loaded while ``chainrule.numpy`` is still being built.
"""


def _asarray(a):
    from . import asarray
    return asarray(a)


def _take(a, idx):
    from .indexing import _getitem
    return _getitem(a, idx)
