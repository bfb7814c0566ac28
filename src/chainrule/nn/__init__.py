"""``chainrule.nn``: neural networks as functions of ``(params, x)``, trained with ``grad``.

Parameters are plain containers of arrays; layers only describe the
computation. Everything ``fit`` does is ``value_and_grad`` plus an optimizer
step, so you can always write the loop yourself.

>>> from chainrule import nn, optim, data
>>> X, y = data.iris(features=("petal_length", "petal_width"))
>>> model = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 3))
>>> params = model.init(seed=0)
>>> params, history = nn.fit(model, params, optim.Adam(lr=0.05), X, y, epochs=200,
...                          progress=False)
>>> nn.accuracy(model(params, X), y) > 0.9
True

Contents: layers (:class:`Linear`, :class:`Sequential`, :class:`Residual`,
:class:`BatchNorm`, :class:`Dropout`, :func:`mlp`), activations, losses
(:func:`softmax_cross_entropy`, :func:`binary_cross_entropy`,
:func:`squared_error`, :func:`accuracy`), initializers (:mod:`.init`), the
training loop (:func:`fit`, :class:`History`, :class:`EarlyStopping`),
transfer learning (:func:`freeze`, :func:`unfreeze`, :func:`load_pretrained`),
curriculum learning (:class:`CurriculumSampler`) and tree helpers
(:mod:`.tree`).
"""

from . import init, tree
from .activations import (LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh, log_softmax,
                          logsumexp, relu, sigmoid, softmax, softplus, tanh)
from .curriculum import CurriculumSampler, difficulty_by_loss
from .layers import (BatchNorm, Dropout, Linear, Residual, Sequential, mlp,
                     population_statistics)
from .losses import accuracy, binary_cross_entropy, softmax_cross_entropy, squared_error
from .module import Context, Lambda, Module
from .train import (Callback, EarlyStopping, History, StopTraining, batches, evaluate, fit,
                    predict)
from .transfer import freeze, load_pretrained, trainable_paths, unfreeze
from .tree import count_params, named_leaves, tree_map

__all__ = [
    "init", "tree", "Module", "Context", "Lambda",
    "Linear", "Sequential", "Residual", "BatchNorm", "Dropout", "mlp", "population_statistics",
    "sigmoid", "tanh", "relu", "softplus", "softmax", "log_softmax", "logsumexp",
    "Sigmoid", "Tanh", "ReLU", "Softplus", "Softmax", "LogSoftmax",
    "squared_error", "binary_cross_entropy", "softmax_cross_entropy", "accuracy",
    "fit", "History", "Callback", "EarlyStopping", "StopTraining", "evaluate", "predict",
    "batches", "freeze", "unfreeze", "trainable_paths", "load_pretrained",
    "CurriculumSampler", "difficulty_by_loss", "count_params", "named_leaves", "tree_map",
]
