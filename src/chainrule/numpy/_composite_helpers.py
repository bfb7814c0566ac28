"""Helpers shared by the composite modules (``extra``, ``convolution``,
``order_statistics``, ``calculus``, ``interpolation``, ``polynomials``...).

They reach the package's functions when called, not at load time: these
modules are loaded while ``chainrule.numpy`` is still being built.
"""

# chainrule.numpy itself, bound by its __init__ once every family is loaded: the families
# call one another's functions, and importing the package from here would be an import
# cycle.
cnp = None


def _asarray(a):
    return cnp.asarray(a)


def _take(a, idx):
    from .indexing import _getitem
    return _getitem(a, idx)
