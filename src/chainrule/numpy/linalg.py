"""``chainrule.numpy.linalg`` (rules to come in this module)."""
