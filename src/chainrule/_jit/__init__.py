"""``chainrule.jit``: trace once, run many.

``jit(f)`` records the NumPy calls a call of ``f`` makes, its derivative rules'
included, and replays them as one compiled Python function on later calls with
the same signature (see :func:`jit`)::

    step = jit(value_and_grad(loss, argnums=(0, 1)))
    for _ in range(2000):
        J, (dW, dV) = step(W, V, X, Y)      # the first call records, the others replay
    print(step.program(W, V, X, Y))         # the recorded program, as an evaluation trace

How it works
------------
* **Recording** (``_record.py``): the array arguments become :class:`JitArray`
  values (NumPy scalars :class:`JitScalar`, generators :class:`JitGenerator`)
  that compute eagerly and append every NumPy call made on them (ufuncs and
  their methods, NumPy functions, operators, methods, attributes, indexing) to
  an op list, with slot references where traced values were. The rules see
  them as plain first-order arrays: the fast paths test
  ``type(g) in chainrule.numpy._wrap.ARRAY_TYPES`` (``ndarray`` and
  :class:`JitArray`), so a recording takes the eager paths and the recorded
  calls are the eager ones; replays are bitwise equal to eager calls.
  ``isinstance`` answers as for the value (``__class__`` is the value's).
  What NumPy cannot dispatch to a recording goes through helpers that record
  it: ``_wrap.asarray`` (``np.asarray``), ``_wrap.setitem`` and
  ``scatter_add`` (a rule filling a fresh buffer with traced values: the
  buffer becomes a slot, copied from a snapshot on every replay),
  :func:`record_call` (a whole call, e.g. of SciPy), ``defprim(...,
  opaque_to_jit=True)`` (a primitive whose function calls SciPy). Anything
  else that would turn a traced value into a plain array raises
  :class:`JitError`.
* **Guards** (``_api.py``): the signature of a call (containers, shapes,
  dtypes, strides, scalar and generator types, values of the other arguments)
  selects the programs; names the function captures are rechecked; guards
  recorded from Python escapes (``bool``, ``float``... inside chainrule, or
  with ``escapes="guard"``) and shape checks after boolean masks run inside
  the replay, and a failed one (``GuardMiss``) records a new program.
* **Replay** (``_program.py``): on the first replay the op list becomes the
  source of one Python function, one NumPy call per line on local variables,
  after dead-code removal, merging of identical operations and freeing of
  values after their last use.

Fast paths (measured with ``make bench`` on the 2-core development machine)
----------------------------------------------------------------------------
* The replay calls NumPy directly from generated code, about 50 ns per op
  above NumPy's own cost: W3 (200 tiny ops) 0.85-0.92 µs per op against
  hand-written NumPy's 1.0-1.1 (eager chainrule: 2.6-2.9); W1 1.04x
  hand-written NumPy (eager 2.9x), W6 1.02x (eager 1.5x).
* NumPy functions are called through their ``_implementation``: at replay
  nothing overrides them, so ``__array_function__`` dispatch is skipped.
* Merging identical operations: the rules recompute what the forward pass had
  (``W.T``, ``exp(x - m)``); one call serves both, bitwise the same value.
  Skipped in programs that write into any array.
* Compiling costs about 4 µs per op, so it waits for the first replay: the
  recording call itself is 2.3-2.6x an eager call (W1, W3), the first replay
  4-9x, every later one 1x hand-written NumPy.
* Recording: slots are preallocated ``int`` subclasses, the ndarray result and
  ufunc paths are inlined, and NumPy's global random state is compared in
  place through its ctypes interface (0.2 µs, where ``np.random.get_state``
  copies it for 60 µs).
* The signature is one pass over the arguments appending shapes, dtypes and
  strides to a flat key: the fixed cost of a one-op replay is about 1 µs.

Not done: fusing runs of elementwise operations into one compiled kernel.
Measured with numexpr on W3's chain (``tanh(sin(x) * 1.01 + 0.1)`` repeated,
200 ops on 10 floats): 0.085 µs per op, a tenth of NumPy's call, but its
``tanh`` differs from NumPy's in the last bit or two (``sin`` agrees), so a
fused replay would not be the eager result bit for bit; a kernel compiled
with its own libm (numba, LLVM) has the same problem. Bitwise equality is the
constraint, so replays stay NumPy calls.
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
