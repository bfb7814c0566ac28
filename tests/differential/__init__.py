"""Differential testing of chainrule: random NumPy programs, their derivatives by
chainrule compared with central finite differences and (when installed) JAX.

``programs.py`` holds the generator, the evaluator, the checker and the shrinker;
``python -m tests.differential.programs --programs N`` is the long run (``make fuzz``).
"""
