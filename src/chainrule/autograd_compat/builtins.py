"""autograd's ``autograd.builtins``: ``tuple``, ``list``, ``dict``,
``isinstance`` and ``type`` that work on traced values.

In chainrule, containers are never traced themselves: a tuple of traced
arrays is a plain tuple, and every transform accepts and returns tuples, lists
and dicts. So these are the Python builtins with two twists autograd code
relies on: ``isinstance`` and ``type`` look through traced values to the value
inside, and ``tuple``/``list``/``dict`` are classes that ``isinstance`` accepts
for plain containers.

>>> import chainrule.numpy as np
>>> from chainrule import grad
>>> grad(lambda x: np.sum(np.array(tuple((x, 2.0 * x)))))(1.0)
3.0
>>> isinstance((1.0, 2.0), tuple), isinstance([], tuple)
(True, False)
"""

import builtins as _b

from ..core.engine import Box
from ..extend import notrace_primitive
from .vspace import (  # noqa: F401  (autograd defines its container spaces here)
    ContainerVSpace, DictVSpace, ListVSpace, NamedTupleVSpace, SequenceVSpace, TupleVSpace,
)

__all__ = [
    "tuple", "list", "dict", "isinstance", "type", "SequenceBox", "DictBox",
    "ContainerVSpace", "SequenceVSpace", "ListVSpace", "TupleVSpace", "DictVSpace",
    "NamedTupleVSpace", "container_take",
]

tuple_, list_, dict_, isinstance_, type_ = _b.tuple, _b.list, _b.dict, _b.isinstance, _b.type

isinstance = notrace_primitive(_b.isinstance)
isinstance.__doc__ = "``isinstance`` of the value inside a traced value."
type = notrace_primitive(_b.type)  # noqa: A001
type.__doc__ = "``type`` of the value inside a traced value."


class _TupleMeta(type_):
    def __instancecheck__(cls, instance):
        return isinstance_(instance, tuple_)


class tuple(tuple_, metaclass=_TupleMeta):  # noqa: A001
    """``tuple(xs)``: a plain tuple (of traced values, if ``xs`` holds some)."""

    def __new__(cls, xs=()):
        return tuple_(xs)


class _ListMeta(type_):
    def __instancecheck__(cls, instance):
        return isinstance_(instance, list_)


class list(list_, metaclass=_ListMeta):  # noqa: A001
    """``list(xs)``: a plain list."""

    def __new__(cls, xs=()):
        return list_(xs)


class _DictMeta(type_):
    def __instancecheck__(cls, instance):
        return isinstance_(instance, dict_)


class dict(dict_, metaclass=_DictMeta):  # noqa: A001
    """``dict(...)``: a plain dict, built as the builtin ``dict`` would be."""

    def __new__(cls, *args, **kwargs):
        return dict_(*args, **kwargs)


class _NeverMeta(type_):
    def __instancecheck__(cls, instance):
        return False


class SequenceBox(Box, metaclass=_NeverMeta):
    """autograd's traced tuple/list. chainrule never traces a container as a
    whole (its leaves are traced), so nothing is an instance of this class."""

    __slots__ = ()


class DictBox(Box, metaclass=_NeverMeta):
    """autograd's traced dict; like :class:`SequenceBox`, never instantiated."""

    __slots__ = ()


def container_take(A, idx):
    """``A[idx]`` (autograd's differentiable container indexing; in chainrule,
    plain indexing of a container is already differentiable)."""
    return A[idx]
