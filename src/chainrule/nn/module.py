"""The ``Module`` protocol: a network is a function of ``(params, x)``.

A module holds only its *configuration* (sizes, options). Its parameters are a
plain container of arrays made by ``init`` and passed in on every call, so
``grad`` can differentiate with respect to them like any other argument::

    params = model.init(seed=0)              # e.g. [{"W": ..., "b": ...}, {}]
    out = model(params, X)                   # evaluation mode
    out, state = model.apply(params, X, state, train=True, rng=rng)

Modules with running statistics (:class:`~chainrule.nn.BatchNorm`) also
have a *state*, another plain container made by ``init_state``. Training mode
returns the updated state instead of mutating anything; evaluation mode reads
it. Random layers (:class:`~chainrule.nn.Dropout`) draw from the NumPy
``Generator`` passed as ``rng``. Nothing is hidden in the module object, which
is why the same model can be trained, checkpointed and evaluated freely.

>>> import numpy
>>> from chainrule import nn
>>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
>>> params = model.init(seed=0)
>>> model(params, numpy.ones((4, 2))).shape
(4, 3)
"""

import numpy as onp

__all__ = ["Module", "Context", "Lambda"]


def as_rng(seed):
    """A NumPy Generator from a seed, a SeedSequence or a Generator (returned as is)."""
    if isinstance(seed, onp.random.Generator):
        return seed
    return onp.random.default_rng(seed)


class Context:
    """What a forward pass needs besides parameters and input.

    ``train`` selects batch statistics and active dropout; ``rng`` (a NumPy
    Generator) feeds dropout; ``momentum`` overrides BatchNorm's running-average
    momentum (``1.0`` replaces the running statistics by this batch's, which is
    how :func:`~chainrule.nn.population_statistics` computes whole-training-set
    statistics); ``dropout`` switches dropout on or off (default: ``train``).
    """

    __slots__ = ("train", "rng", "momentum", "dropout")

    def __init__(self, train=False, rng=None, momentum=None, dropout=None):
        self.train = bool(train)
        self.rng = rng
        self.momentum = momentum
        self.dropout = self.train if dropout is None else bool(dropout)  # dropout active?


class Module:
    """Base class of every layer. Subclasses implement ``_init`` and ``_apply``.

    * ``_init(rng, dtype) -> params`` (default: no parameters, ``{}``);
    * ``_init_state(dtype) -> state`` (default: no state, ``{}``);
    * ``_apply(params, state, x, ctx) -> (y, new_state)``.

    ``in_features``/``out_features`` are the input and output widths when the
    module fixes them (``None`` for shape-preserving layers like activations).

    >>> from chainrule import nn
    >>> nn.Linear(3, 2).init(seed=1)["W"].shape
    (3, 2)
    """

    in_features = None
    out_features = None
    stateful = False  # True for modules that keep running statistics

    # -- to override -----------------------------------------------------------
    def _init(self, rng, dtype):
        return {}

    def _init_state(self, dtype):
        return {}

    def _apply(self, params, state, x, ctx):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  "_apply(params, state, x, ctx): a Module subclass says what "
                                  "it computes")

    def children(self):
        """Sub-modules (for containers)."""
        return []

    # -- public API -------------------------------------------------------------
    def init(self, seed=0, dtype=onp.float64):
        """Fresh parameters: a plain container of arrays, reproducible from ``seed``.

        ``seed`` may be an int, a ``SeedSequence`` or a ``Generator``; ``dtype``
        is the floating type of every parameter (``numpy.float32`` for single
        precision: gradients then stay float32 too).
        """
        return self._init(as_rng(seed), onp.dtype(dtype))

    def init_state(self, dtype=onp.float64):
        """Fresh state (running statistics); ``{}``-only containers for stateless models."""
        return self._init_state(onp.dtype(dtype))

    @property
    def has_state(self):
        """True if some layer keeps running statistics (needs ``state`` in evaluation)."""
        return self.stateful or any(c.has_state for c in self.children())

    def apply(self, params, x, state=None, *, train=False, rng=None, momentum=None,
              dropout=None):
        """Run the module: return ``(output, new_state)``.

        ``train=True``: batch statistics, active dropout (needs ``rng``), and
        the returned state holds updated running averages. ``train=False``
        (evaluation): running statistics from ``state``, dropout off, state
        returned unchanged. Inside ``value_and_grad(..., has_aux=True)`` return
        the new state as the auxiliary output: chainrule hands it back as plain
        arrays, never as traced values.
        """
        if isinstance(x, (list, tuple)):
            x = onp.asarray(x)
        if state is None:
            if not train and self.has_state:
                raise ValueError(
                    f"{type(self).__name__} keeps running statistics (BatchNorm): evaluation "
                    "mode needs them. Pass state=... (model.init_state(), or history.state "
                    "returned by nn.fit), or call with train=True to use batch statistics.")
            dt = getattr(x, "dtype", None)
            dt = dt if dt is not None and onp.dtype(dt).kind == "f" else onp.float64
            state = self.init_state(dt)
        if rng is not None and not isinstance(rng, onp.random.Generator):
            rng = as_rng(rng)
        return self._apply(params, state, x, Context(train, rng, momentum, dropout))

    def __call__(self, params, x, *, state=None, train=False, rng=None):
        """``model(params, x)``: the output only (evaluation mode unless ``train=True``)."""
        return self.apply(params, x, state, train=train, rng=rng)[0]

    def __repr__(self):
        return f"{type(self).__name__}()"


class Lambda(Module):
    """Wrap a parameter-free function ``f(x)`` as a layer.

    >>> import numpy
    >>> from chainrule import nn
    >>> nn.Lambda(lambda x: 2 * x)({}, numpy.ones(2))
    array([2., 2.])
    """

    def __init__(self, fn, name=None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "lambda")

    def _apply(self, params, state, x, ctx):
        return self.fn(x), state

    def __repr__(self):
        return f"Lambda({self.name})"
