"""Container-valued nodes: a traced tuple/list/dict is one tape entry whose
(co)tangent is a :class:`._leaves._LeafVec`, and each leaf is read out by
``_leaf``. This is how user primitives take and return containers of arrays,
as autograd's ``SequenceBox``/``DictBox`` do."""

from ..core.engine import Box, Primitive, escaped, getval
from ..core.tree import tree_flatten, tree_unflatten
from ._batch import _batch_shape
from ._leaves import _LeafVec, _is_container, _kind, _zeros_b


def _dense(vec, ref):
    """A (co)tangent as the container the user expects: the structure of
    ``ref`` with zeros where ``vec`` has nothing."""
    if not isinstance(vec, _LeafVec):
        return vec
    leaves, spec = tree_flatten(ref)
    batch = _batch_shape(vec, ref)
    d = vec.d
    return tree_unflatten(spec, [d[k] if d.get(k) is not None else _zeros_b(v, batch)
                                 for k, v in enumerate(leaves)])


def _as_leafvec(out, ans, batch):
    """Tangent of a container output, from the container a rule returned."""
    if isinstance(out, _LeafVec) or not _is_container(ans):
        return out
    leaves = tree_flatten(out)[0]
    return _LeafVec({k: v for k, v in enumerate(leaves) if v is not None}, tuple(batch))


def _leaf_fun(c, k):
    return tree_flatten(c)[0][k]


def _leaf_jvp(t, ans, c, k):
    if isinstance(t, _LeafVec):
        v = t.d.get(k)
        return v if v is not None else _zeros_b(ans, t.batch or ())
    return tree_flatten(t)[0][k]


_leaf = Primitive(_leaf_fun, name="chainrule.extend.container_leaf", needs_ans=False)
_leaf.defvjp(lambda g, ans, c, k: _LeafVec({k: g}))
_leaf.defjvp(_leaf_jvp)


def _pack_fun(spec, *leaves):
    return tree_unflatten(spec, list(leaves))


def _pack_vjp(argnums, g, ans, spec, *leaves):
    ref = tree_unflatten(spec, list(leaves))
    g = _dense(g, ref)
    flat = tree_flatten(g)[0]
    if len(flat) != len(leaves):
        raise ValueError(
            f"chainrule: a VJP returned a cotangent with {len(flat)} leaves for a container "
            f"argument with {len(leaves)}; return the same structure as the argument."
        )
    batch = _batch_shape(g, ref)
    return [flat[a - 1] if flat[a - 1] is not None else _zeros_b(leaves[a - 1], batch)
            for a in argnums]


def _pack_jvp(traced, ans, spec, *leaves):
    a0, t0 = traced[0]
    return _LeafVec({a - 1: t for a, t in traced}, _batch_shape(t0, leaves[a0 - 1]))


_pack = Primitive(_pack_fun, name="chainrule.extend.container_pack", needs_ans=False)
_pack.vjp_joint = _pack_vjp
_pack.jvp_joint = _pack_jvp


def _differentiable_leaf(v):
    return type(v) is Box or _kind(v) in ("f", "c")


def _split(box):
    """A traced container value -> the container of its traced leaves."""
    leaves, spec = tree_flatten(getval(box))
    return tree_unflatten(spec, [_leaf(box, k) if _differentiable_leaf(v) else v
                                 for k, v in enumerate(leaves)])


def _gather(x):
    """A container holding traced leaves -> one traced container."""
    leaves, spec = tree_flatten(x)
    return _pack(spec, *leaves)


def _unbox_tree(x, name="a function without derivative"):
    """``x`` with its traced values (also in containers) replaced by their plain values;
    :class:`EscapedTraceError` for one whose trace has ended (used in ``name``)."""
    if type(x) is Box:
        if x._trace.ended:
            raise escaped(x._trace, f"in {name}")
        return getval(x)
    if _is_container(x):
        leaves, spec = tree_flatten(x)
        if any(type(v) is Box for v in leaves):
            return tree_unflatten(spec, [_unbox_tree(v, name) for v in leaves])
    return x
