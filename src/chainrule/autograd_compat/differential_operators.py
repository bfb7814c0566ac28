"""autograd's ``differential_operators`` module: the transforms under their old home."""

from ..extend import checkpoint
from ..transforms import *  # noqa: F401,F403
from ..transforms import __all__ as _transforms

__all__ = _transforms + ["checkpoint"]
