"""Arrays of libraries that implement only the Python array API standard
(``array_api_strict``...): recognized, and refused loudly.

Such arrays have no NumPy dispatch protocols (``__array_ufunc__``,
``__array_function__``), so a NumPy function given one converts it to a NumPy
array through ``__array__`` (a silent host round trip) or fails deep inside.
Until the rules run on them (a wrapper that gives them the protocols, and the
rules' remaining NumPy-isms removed), the transforms refuse them with an
:class:`~chainrule.core.errors.ArrayLibraryError` naming the library.
"""

import numpy as _np


def is_array_api_only(x):
    """An array of a library with ``__array_namespace__`` but without NumPy's
    dispatch protocols (not NumPy, CuPy or Dask, which have them)."""
    t = type(x)
    return (t is not _np.ndarray and not isinstance(x, _np.generic)
            and hasattr(t, "__array_namespace__")
            and not hasattr(t, "__array_function__") and not hasattr(t, "__array_ufunc__"))


def refuse(x, what):
    from ..core.errors import ArrayLibraryError
    library = type(x).__module__.split(".")[0]
    raise ArrayLibraryError(
        what, library, "its arrays implement only the array API standard, without NumPy's "
        "dispatch protocols (__array_ufunc__ / __array_function__), so NumPy's functions would "
        "silently convert them to NumPy arrays; strict array API libraries are not supported "
        "yet (NumPy, Dask and CuPy arrays are)")


def dtype_kind(dt):
    """NumPy's kind letter of an array API dtype (``array_api_strict.float64`` -> 'f')."""
    name = str(dt).rsplit(".", 1)[-1]
    try:
        return _np.dtype(name).kind
    except TypeError:
        raise TypeError(f"chainrule: unknown dtype {dt!r}") from None
