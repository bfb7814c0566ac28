"""``chainrule.numpy.random``: NumPy's random module (samples are constants)."""
from numpy.random import *  # noqa: F401,F403
