"""``chainrule.numpy.fft``."""
