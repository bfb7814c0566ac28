"""Transfer learning: freeze/unfreeze parameter groups, load a pre-trained body into a new head.

Pre-train a (simpler) model on a (simpler) task, then fine-tune on the target
task: keep the *body* that computes features and put a new *head* on it. ::

    body = nn.Sequential(nn.Linear(64, 32), nn.Tanh())
    pre = nn.Sequential(body=body, head=nn.Linear(32, 5))     # e.g. digits 0-4
    p_pre, _ = nn.fit(pre, pre.init(seed=0), opt, X_a, y_a)
    new = nn.Sequential(body=body, head=nn.Linear(32, 10))    # all ten digits
    p = nn.load_pretrained(new.init(seed=1), p_pre, "body")
    p, _ = nn.fit(new, p, opt, X_b, y_b, trainable=nn.freeze(p, "body"))  # head only
    p, _ = nn.fit(new, p, opt, X_b, y_b)                                  # then everything

A *group* is a path prefix (``"body"``, ``"body/0"``, ``"0/W"``; see
:mod:`chainrule.nn.tree`) or a predicate ``callable(path) -> bool``.

>>> import numpy
>>> p = {"body": {"W": numpy.ones(2)}, "head": {"W": numpy.ones(2), "b": numpy.ones(1)}}
>>> mask = freeze(p, "body")
>>> trainable_paths(mask)
['head/W', 'head/b']
>>> trainable_paths(unfreeze(mask, "body"))
['body/W', 'head/W', 'head/b']
"""

import numpy as onp

from .tree import get, match, named_leaves, replace, tree_map

__all__ = ["freeze", "unfreeze", "trainable_paths", "load_pretrained"]


def _as_mask(tree):
    # A mask is a tree of Python bools; anything else is a parameter tree
    # whose leaves all start out trainable.
    if all(isinstance(v, (bool, onp.bool_)) for _, v in named_leaves(tree)):
        return tree
    return tree_map(lambda _: True, tree)


def _check_groups(tree, groups):
    paths = [p for p, _ in named_leaves(tree)]
    for g in groups:
        if not callable(g) and not any(match(p, [g]) for p in paths):
            raise KeyError(f"no parameters under {g!r}; paths are like {paths[:4]}")


def freeze(tree, *groups):
    """A trainable-mask (tree of bools) with every leaf in ``groups`` set to ``False``.

    ``tree`` is a parameter container (all trainable to start with) or an
    existing mask. Pass the mask to ``nn.fit(..., trainable=mask)``.

    >>> freeze([{"W": 1.0}, {"W": 2.0}], "0")
    [{'W': False}, {'W': True}]
    """
    mask = _as_mask(tree)
    _check_groups(mask, groups)
    it = iter([False if match(p, groups) else bool(v) for p, v in named_leaves(mask)])
    return tree_map(lambda _: next(it), mask)


def unfreeze(tree, *groups):
    """The mask with every leaf in ``groups`` trainable again (all groups if none given).

    >>> unfreeze([{"W": False}, {"W": False}], "1")
    [{'W': False}, {'W': True}]
    """
    mask = _as_mask(tree)
    _check_groups(mask, groups)
    it = iter([True if (not groups or match(p, groups)) else bool(v)
               for p, v in named_leaves(mask)])
    return tree_map(lambda _: next(it), mask)


def trainable_paths(mask):
    """Paths of the trainable leaves of a mask.

    >>> trainable_paths({"a": True, "b": False})
    ['a']
    """
    return [p for p, v in named_leaves(mask) if v]


def load_pretrained(params, pretrained, *groups):
    """``params`` with the subtrees at ``groups`` copied from ``pretrained``.

    Both trees must agree on the structure, shapes and dtypes under each group
    (the error names the first leaf that does not). With no groups, every
    leaf is copied (a full warm start). Arrays are copied, never shared.

    >>> import numpy
    >>> new = {"body": {"W": numpy.zeros(2)}, "head": {"W": numpy.zeros(3)}}
    >>> old = {"body": {"W": numpy.ones(2)}, "head": {"W": numpy.ones(5)}}
    >>> load_pretrained(new, old, "body")["body"]["W"]
    array([1., 1.])
    """
    groups = groups or ("",)
    out = params
    for g in groups:
        target, source = get(params, g), get(pretrained, g)
        t_leaves, s_leaves = named_leaves(target), named_leaves(source)
        t_names, s_names = [p for p, _ in t_leaves], [p for p, _ in s_leaves]
        if t_names != s_names:
            missing = sorted(set(t_names) - set(s_names))
            extra = sorted(set(s_names) - set(t_names))
            raise ValueError(f"load_pretrained: {g or 'the parameters'} differ in structure: "
                             f"missing in pretrained {missing[:5]}, unexpected {extra[:5]}")
        for (path, t), (_, s) in zip(t_leaves, s_leaves, strict=True):
            t, s = onp.asarray(t), onp.asarray(s)
            where = f"{g}/{path}".strip("/") if path else g
            if t.shape != s.shape or t.dtype != s.dtype:
                raise ValueError(f"load_pretrained: {where!r} is {s.dtype}{list(s.shape)} in the "
                                 f"pre-trained parameters but {t.dtype}{list(t.shape)} here")
        out = replace(out, g, tree_map(lambda v: onp.array(v, copy=True), source))
    return out
