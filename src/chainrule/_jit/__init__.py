"""``chainrule.jit``: trace once, run many.

``jit(f)`` records the NumPy calls a call of ``f`` makes, the derivative rules'
included, and replays them as one compiled Python function on later calls with
the same signature (see :func:`jit`)::

    step = jit(value_and_grad(loss, argnums=(0, 1)))
    for _ in range(2000):
        J, (dW, dV) = step(W, V, X, Y)      # the first call records, the others replay
    print(step.program(W, V, X, Y))         # the recorded program, as an evaluation trace

How it works
------------
* **Recording** (``_record.py``): the array arguments become :class:`JitArray`
  values that compute eagerly and append every NumPy call made on them
  (ufuncs, NumPy functions, operators, methods, indexing) to an op list. The
  rules see them as plain first-order arrays (``chainrule.numpy._wrap.ARRAY_TYPES``),
  so they take the paths of an eager call, and the recorded calls are the
  eager ones: a replay's results equal an eager call's bit for bit.
* **Guards** (``_api.py``): the signature of a call (containers, shapes, dtypes,
  strides, scalar types, values of non-array arguments) selects the program;
  captured names are rechecked; guards recorded from Python escapes are
  rechecked inside the replay (``GuardMiss`` records a new program).
* **Replay** (``_program.py``): on the first replay the op list becomes the
  source of one Python function, a NumPy call per line on local variables,
  after dead-code removal, merging of identical operations and freeing of
  values after their last use.

Fast paths (measured on the 2-core development machine, ``make bench``)
-----------------------------------------------------------------------
* The replay calls NumPy directly from generated code: ~50 ns per op above
  NumPy's own cost (W3: about 1.1 µs per op against hand-written NumPy's 1.0).
* NumPy functions are called through their ``_implementation`` (no
  ``__array_function__`` dispatch: at replay nothing overrides it).
* Compiling costs ~4 µs per op, so it waits for the first replay: the
  recording call itself stays close to an eager call.
* Signature: one pass over the arguments building a flat key tuple (shapes,
  dtypes and strides appended as they are); ~0.2 µs per array argument.
"""

from ._api import Jitted, jit  # noqa: F401
from ._record import (JitArray, JitError, JitEscapeError, JitGenerator, JitScalar,  # noqa: F401
                      StaleProgramError, current, record_call)

__all__ = ["jit", "Jitted", "JitError", "JitEscapeError", "StaleProgramError", "traced_call"]


def traced_call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, recorded as one operation when an argument is traced by
    ``jit``: for functions that convert their inputs with ``np.asarray`` (SciPy's), which
    a recording could not see through.

    >>> import numpy
    >>> traced_call(numpy.asarray, [1.0, 2.0])
    array([1., 2.])
    """
    return record_call(fn, args, kwargs)
