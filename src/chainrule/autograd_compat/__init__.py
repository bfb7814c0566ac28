"""HIPS autograd's API on top of chainrule, for code written for autograd.

chainrule's own modules never import this package; the module names autograd
code imports (``chainrule.tracer``, ``wrap_util``, ``builtins``, ``util``,
``differential_operators``, ``vspace``, ``misc``, ``numpy.numpy_boxes``,
``numpy.numpy_vspaces``, and ``autograd.core``'s names in ``chainrule.core``)
are thin modules that re-export from here, so that code written for autograd
runs by changing the import.

* :mod:`.tracer`: autograd's tracing into a graph of your own ``Node`` type,
  and its ``VJPNode`` / ``JVPNode`` built on chainrule's rules;
* :mod:`.core`: ``autograd.core`` (unary ``make_vjp``/``make_jvp``, the rule
  registries, ``primitive`` with its deprecated methods);
* :mod:`.vspace`: vector spaces of values; :mod:`.builtins`: ``tuple``,
  ``list``, ``dict``, ``isinstance``, ``type`` that look through traced values;
* :mod:`.util`, :mod:`.wrap_util`: autograd's helpers; :mod:`.misc`:
  ``flatten``, graph tracers, fixed points and the optimizers (over
  :mod:`chainrule.optim`).
"""
