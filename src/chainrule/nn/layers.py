"""Layers: Linear, Sequential, Residual, BatchNorm, Dropout, and the ``mlp`` builder.

>>> import numpy
>>> from chainrule import nn
>>> model = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 3))
>>> params = model.init(seed=0)
>>> [sorted(p) for p in params]
[['W', 'b'], [], ['W', 'b']]
>>> model(params, numpy.zeros((5, 2))).shape
(5, 3)
"""

import numpy as onp

import chainrule.numpy as np

from . import activations as _act
from . import init as _init
from .module import Module, as_rng

__all__ = ["Linear", "Sequential", "Residual", "BatchNorm", "Dropout", "mlp",
           "population_statistics"]


class Linear(Module):
    """Affine map ``x @ W + b`` with ``W`` of shape ``(in_features, out_features)``.

    ``bias=False`` drops ``b`` (useful right before a BatchNorm, whose β
    already shifts). ``bias_as_input=True`` models the bias the lecture's way:
    a constant input 1 is appended to ``x`` and ``W`` gets one extra row
    (shape ``(in_features + 1, out_features)``, no separate ``b``).
    ``init`` draws ``W`` (a name from :mod:`chainrule.nn.init`, or a function);
    ``bias_init`` sets the bias (a number, e.g. a small positive 0.01 for ReLU
    units, or an initializer).

    >>> import numpy
    >>> lin = Linear(2, 16, bias_as_input=True)
    >>> lin.init(seed=0)["W"].shape
    (3, 16)
    >>> lin(lin.init(seed=0), numpy.ones((4, 2))).shape
    (4, 16)
    """

    def __init__(self, in_features, out_features, bias=True, *, bias_as_input=False,
                 init="xavier_uniform", bias_init=0.0):
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.bias = bool(bias) and not bias_as_input
        self.bias_as_input = bool(bias_as_input)
        self.w_init, self.b_init = _init.get(init), _init.get(bias_init)
        self._init_name = init if isinstance(init, str) else getattr(init, "__name__", "custom")

    def _init(self, rng, dtype):
        w = self.w_init(rng, (self.in_features, self.out_features), dtype)
        if self.bias_as_input:  # the bias row: the weight of the constant input 1
            b = self.b_init(rng, (1, self.out_features), dtype)
            return {"W": onp.concatenate([w, b], axis=0)}
        if self.bias:
            return {"W": w, "b": self.b_init(rng, (self.out_features,), dtype)}
        return {"W": w}

    def _apply(self, params, state, x, ctx):
        if self.bias_as_input:
            one = np.ones(x.shape[:-1] + (1,), dtype=x.dtype)
            return np.concatenate([x, one], axis=-1) @ params["W"], state
        out = x @ params["W"]
        if self.bias:
            out = out + params["b"]
        return out, state

    def __repr__(self):
        opts = "" if self.bias else ", bias=False"
        opts += ", bias_as_input=True" if self.bias_as_input else ""
        return f"Linear({self.in_features}, {self.out_features}{opts})"


class Sequential(Module):
    """Layers applied one after the other.

    Positional layers give list parameters (``params[0]["W"]``); keyword
    layers give named parameters, handy for transfer learning
    (``Sequential(body=..., head=...)`` has ``params["body"]``,
    ``params["head"]``).

    >>> from chainrule import nn
    >>> net = nn.Sequential(body=nn.Sequential(nn.Linear(4, 8), nn.ReLU()), head=nn.Linear(8, 3))
    >>> list(net.init(seed=0))
    ['body', 'head']
    """

    def __init__(self, *layers, **named):
        if layers and named:
            raise TypeError("Sequential: give layers either all positionally or all by name")
        self.names = list(named) if named else None
        self.layers = list(named.values()) if named else list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: item {i} is a {type(layer).__name__}, not a layer "
                                "(wrap plain functions in nn.Lambda)")
        widths = [m for m in self.layers if m.in_features is not None]
        self.in_features = widths[0].in_features if widths else None
        widths = [m for m in self.layers if m.out_features is not None]
        self.out_features = widths[-1].out_features if widths else None

    def children(self):
        return self.layers

    def _pack(self, items):
        return dict(zip(self.names, items, strict=True)) if self.names else list(items)

    def _unpack(self, tree, what):
        items = [tree[k] for k in self.names] if self.names else list(tree)
        if len(items) != len(self.layers):
            raise ValueError(f"Sequential has {len(self.layers)} layers but the {what} has "
                             f"{len(items)} entries")
        return items

    def _init(self, rng, dtype):
        # One independent stream per layer: adding a layer at the end does not
        # change how the earlier ones are initialized.
        rngs = rng.spawn(len(self.layers))
        return self._pack([m._init(r, dtype) for m, r in zip(self.layers, rngs, strict=True)])

    def _init_state(self, dtype):
        return self._pack([m._init_state(dtype) for m in self.layers])

    def _apply(self, params, state, x, ctx):
        new = []
        for m, p, s in zip(self.layers, self._unpack(params, "parameters"),
                           self._unpack(state, "state"), strict=True):
            x, s = m._apply(p, s, x, ctx)
            new.append(s)
        return x, self._pack(new)

    def __getitem__(self, i):
        return self.layers[self.names.index(i) if isinstance(i, str) else i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        keys = self.names or range(len(self.layers))
        inner = "".join(f"\n  ({k}): " + repr(m).replace("\n", "\n  ")
                        for k, m in zip(keys, self.layers, strict=True))
        return f"Sequential({inner}\n)"


class Residual(Module):
    """Skip connection: ``x + block(x)`` (then ``activation``, if given).

    The block only has to learn the *residual* correction, and the identity
    path carries signal and gradient through deep stacks untouched. When the
    block changes the width, ``x`` goes through a learned projection (a Linear
    without bias) first. ``activation`` reproduces the lecture's form
    x⁽ˡ⁺¹⁾ = ReLU(block(x⁽ˡ⁾) + x⁽ˡ⁾).

    >>> import numpy
    >>> from chainrule import nn
    >>> r = nn.Residual(nn.Sequential(nn.Linear(4, 4), nn.Tanh()))
    >>> p = r.init(seed=0)
    >>> p["block"][0]["W"] = numpy.zeros((4, 4))    # a zero block is the identity
    >>> r(p, numpy.arange(4.0).reshape(1, 4))
    array([[0., 1., 2., 3.]])
    """

    def __init__(self, block, activation=None, *, projection_init="xavier_uniform"):
        self.block = block
        self.activation = _as_activation(activation) if activation is not None else None
        fi, fo = block.in_features, block.out_features
        self.project = fi is not None and fo is not None and fi != fo
        self.proj = Linear(fi, fo, bias=False, init=projection_init) if self.project else None
        self.in_features, self.out_features = fi, fo

    def children(self):
        return [self.block] + ([self.proj] if self.proj else [])

    def _init(self, rng, dtype):
        r1, r2 = rng.spawn(2)
        p = {"block": self.block._init(r1, dtype)}
        if self.project:
            p["proj"] = self.proj._init(r2, dtype)
        return p

    def _init_state(self, dtype):
        return {"block": self.block._init_state(dtype)}

    def _apply(self, params, state, x, ctx):
        h, s = self.block._apply(params["block"], state["block"], x, ctx)
        skip = self.proj._apply(params["proj"], {}, x, ctx)[0] if self.project else x
        out = h + skip
        if self.activation is not None:
            out = self.activation._apply({}, {}, out, ctx)[0]
        return out, {"block": s}

    def __repr__(self):
        extra = f", activation={self.activation!r}" if self.activation is not None else ""
        return "Residual(" + repr(self.block).replace("\n", "\n  ") + extra + ")"


class BatchNorm(Module):
    """Batch normalization of each unit (the last axis) over the minibatch.

    Training mode: every unit is normalized with the mean and standard
    deviation of *this minibatch*, ``x̂ = (x - μ_B) / sqrt(σ²_B + eps)``, and
    rescaled by learnable ``γ`` (``"gamma"``) and ``β`` (``"beta"``):
    ``y = γ x̂ + β``. The statistics are functions of the inputs, so gradients
    flow *through* them (the backward pass sees that moving one example moves
    the mean). The returned state holds running averages
    ``new = (1 - momentum) old + momentum batch`` (unbiased variance).

    Evaluation mode uses the running statistics from ``state`` instead, so a
    prediction does not depend on the rest of the batch.
    :func:`population_statistics` replaces them by whole-training-set ones.

    Place it where you like: ``Linear, BatchNorm, ReLU`` normalizes Wx (the
    lecture's "alternatively"), ``Linear, ReLU, BatchNorm`` the activations.

    >>> import numpy
    >>> bn = BatchNorm(2)
    >>> p, s = bn.init(seed=0), bn.init_state()
    >>> x = numpy.array([[1.0, 10.0], [3.0, 30.0]])
    >>> y, s = bn.apply(p, x, s, train=True)
    >>> y.round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> s["mean"]                                   # 0.9 * 0 + 0.1 * batch mean
    array([0.2, 2. ])
    """

    stateful = True

    def __init__(self, num_features, *, momentum=0.1, eps=1e-5, affine=True):
        self.num_features = int(num_features)
        self.momentum, self.eps, self.affine = float(momentum), float(eps), bool(affine)

    def _init(self, rng, dtype):
        if not self.affine:
            return {}
        return {"gamma": onp.ones(self.num_features, dtype),
                "beta": onp.zeros(self.num_features, dtype)}

    def _init_state(self, dtype):
        return {"mean": onp.zeros(self.num_features, dtype),
                "var": onp.ones(self.num_features, dtype)}

    def _apply(self, params, state, x, ctx):
        if x.shape[-1] != self.num_features:
            raise ValueError(f"BatchNorm({self.num_features}) got {x.shape[-1]} features")
        axes = tuple(range(x.ndim - 1))
        if ctx.train:
            n = int(onp.prod([x.shape[a] for a in axes]))
            if n < 2:
                raise ValueError("BatchNorm in training mode needs at least 2 examples per "
                                 "batch (the standard deviation of one value is 0)")
            mu = np.mean(x, axis=axes)
            xc = x - mu
            var = np.mean(xc * xc, axis=axes)
            m = self.momentum if ctx.momentum is None else ctx.momentum
            # Running averages: the returned state is data, not part of the loss.
            # In fit() it leaves value_and_grad as the auxiliary output, which
            # chainrule returns as plain arrays.
            state = {"mean": (1 - m) * state["mean"] + m * mu,
                     "var": (1 - m) * state["var"] + m * var * (n / (n - 1))}
        else:
            mu, var = state["mean"], state["var"]
            xc = x - mu
        y = xc / np.sqrt(var + self.eps)
        if self.affine:
            y = params["gamma"] * y + params["beta"]
        return y, state

    def __repr__(self):
        return f"BatchNorm({self.num_features})"


class Dropout(Module):
    """Zero each unit with probability ``p`` in training mode, scaling the rest by 1/(1-p).

    The scaling keeps the expected activation unchanged, so evaluation mode
    is simply the identity. Training mode draws the mask from ``rng`` (a NumPy
    Generator; ``nn.fit`` passes a seeded one).

    >>> import numpy
    >>> d = Dropout(0.5)
    >>> d({}, numpy.ones(4))                        # evaluation: identity
    array([1., 1., 1., 1.])
    >>> d({}, numpy.ones(4), train=True, rng=0)
    array([2., 0., 0., 0.])
    """

    def __init__(self, p=0.5):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1), got {p}")
        self.p = float(p)

    def _apply(self, params, state, x, ctx):
        if not ctx.dropout or self.p == 0.0:
            return x, state
        if ctx.rng is None:
            raise ValueError("Dropout in training mode needs rng= (a seed or a numpy Generator)")
        keep = ctx.rng.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype), state

    def __repr__(self):
        return f"Dropout({self.p})"


def _as_activation(a):
    if isinstance(a, Module):
        return a
    if isinstance(a, str):
        table = {"tanh": _act.Tanh, "relu": _act.ReLU, "sigmoid": _act.Sigmoid,
                 "softplus": _act.Softplus}
        if a.lower() not in table:
            raise ValueError(f"unknown activation {a!r}; use one of {sorted(table)}")
        return table[a.lower()]()
    if callable(a):
        from .module import Lambda
        return Lambda(a)
    raise TypeError(f"not an activation: {a!r}")


def mlp(sizes, activation="tanh", *, batch_norm=None, residual=False, dropout=0.0,
        init="xavier_uniform", bias_init=0.0):
    """A multi-layer perceptron ``sizes[0] -> ... -> sizes[-1]`` (no output activation).

    Each hidden layer is ``Linear, [BatchNorm], activation, [BatchNorm], [Dropout]``
    with BatchNorm ``"before"`` or ``"after"`` the nonlinearity (or ``None``).
    ``residual=True`` wraps every hidden layer whose width is unchanged in a
    :class:`Residual` skip connection.

    >>> from chainrule import nn
    >>> net = nn.mlp([64, 32, 32, 10], "relu", batch_norm="before", residual=True)
    >>> [type(m).__name__ for m in net.layers]
    ['Linear', 'BatchNorm', 'ReLU', 'Residual', 'Linear']
    """
    if batch_norm not in (None, "before", "after"):
        raise ValueError("batch_norm must be None, 'before' or 'after'")
    layers = []
    for fi, fo in zip(sizes[:-2], sizes[1:-1], strict=True):
        block = [Linear(fi, fo, bias=batch_norm != "before", init=init, bias_init=bias_init)]
        if batch_norm == "before":
            block.append(BatchNorm(fo))
        block.append(_as_activation(activation))
        if batch_norm == "after":
            block.append(BatchNorm(fo))
        if dropout:
            block.append(Dropout(dropout))
        if residual and fi == fo:
            layers.append(Residual(Sequential(*block)))
        else:
            layers.extend(block)
    layers.append(Linear(sizes[-2], sizes[-1], init=init))
    return Sequential(*layers)


def population_statistics(model, params, X, state=None):
    """State whose BatchNorm statistics are those of the whole set ``X`` (one pass).

    The lecture's "at test time use the mean and std from the whole training
    set": every BatchNorm sees the full ``X`` as one batch (dropout off) and
    its running statistics are replaced by that batch's.

    >>> import numpy
    >>> from chainrule import nn
    >>> bn = nn.BatchNorm(1)
    >>> population_statistics(bn, bn.init(), numpy.array([[1.0], [3.0]]))["mean"]
    array([2.])
    """
    _, state = model.apply(params, X, state, train=True, momentum=1.0, dropout=False,
                           rng=as_rng(0))
    return state
