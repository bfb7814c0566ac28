"""autograd's ``differential_operators`` module: the transforms under their old home."""

from .transforms import *  # noqa: F401,F403
from .transforms import make_ggnvp, make_jvp_reversemode  # noqa: F401
