"""Names of the autograd compatibility layer offered by chainrule's own packages
(autograd's top-level names, ``autograd.core``'s, the rest of
``autograd.extend``'s), loaded from :mod:`chainrule.autograd_compat` on first
use so that importing chainrule never loads the layer.
"""

import importlib

_LAYER = "chainrule.autograd_compat."


def compat_names(package, names):
    """``(__getattr__, __dir__)`` for the module ``package``: ``names`` maps a name
    to the layer's submodule that defines it, or is one submodule's name, whose
    ``__all__`` it offers.

    >>> getattr_, _ = compat_names("example", {"vspace": "vspace"})
    >>> getattr_("vspace").__module__
    'chainrule.autograd_compat.vspace'
    """
    module = importlib.import_module

    def where(name):
        if isinstance(names, str):
            return names if name in module(_LAYER + names).__all__ else None
        return names.get(name)

    def __getattr__(name):
        sub = where(name)
        if sub is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(module(_LAYER + sub), name)
        mod = importlib.sys.modules.get(package)
        if mod is not None:
            setattr(mod, name, value)  # resolve once
        return value

    def __dir__():
        mod = importlib.sys.modules[package]
        extra = module(_LAYER + names).__all__ if isinstance(names, str) else names
        return sorted(set(vars(mod)) | set(extra))

    return __getattr__, __dir__
