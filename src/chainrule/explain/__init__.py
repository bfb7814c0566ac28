"""See the chain rule: evaluation traces, tangent and adjoint tables, graph drawings.

>>> import chainrule.numpy as np
>>> from chainrule import explain
>>> ex = explain.trace(lambda w0, w1, x: (np.sin(w1 * x + w0), np.cos(w1 * x + w0)),
...                    w0=0.5, w1=2.0, x=1.5)
>>> ex.reverse("y2").rules[4]
'ā5 = ā6 · cos(a5) − ā7 · sin(a5)'

``print(ex.table())`` shows the evaluation trace, ``ex.forward("w1")`` the
tangents, ``ex.reverse("y2")`` the adjoints, ``ex.jacobian_cost()`` forward
versus reverse passes, ``ex.render("graph.svg")`` the graph. Every table
prints as text and has ``to_markdown()`` and ``_repr_html_()`` (Jupyter).
:func:`compile_expression` turns a formula such as ``"y = sin(w1*x + w0)"``
into a function, through a strict whitelist (never ``eval``).
"""

from .explanation import Explanation, ForwardMode, ReverseMode, trace
from .expr import ExpressionError, compile_expression
from .graph import GraphvizNotFoundError
from .tables import Report, Table

__all__ = ["trace", "Explanation", "ForwardMode", "ReverseMode", "compile_expression",
           "ExpressionError", "GraphvizNotFoundError", "Table", "Report"]
