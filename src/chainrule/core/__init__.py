"""chainrule's engine: traced values, traces, primitives, the tape and the
backward pass (:mod:`.engine`), containers of arrays (:mod:`.tree`) and the
errors chainrule raises (:mod:`.errors`). It imports nothing but the standard
library: NumPy enters through ``chainrule.numpy``.

>>> from chainrule.core.engine import Primitive, ReverseTrace, backward
>>> square = Primitive(lambda x: x * x).defvjp(lambda g, ans, x: 2 * x * g)
>>> t = ReverseTrace()
>>> y = square(t.new_input(3.0))
>>> backward(t.tape, [(y._ref, 1.0)], 1)
[6.0]

Code written for HIPS autograd imports ``autograd.core``'s names from here
(``from chainrule.core import make_vjp, vspace, defvjp``, and ``trace``,
autograd's graph tracer): they live in ``chainrule.autograd_compat.core`` and
are looked up on first use, so that the engine itself never loads them.
"""

from ._lazy import compat_names

__getattr__, __dir__ = compat_names(__name__, "core")
