"""What ``autograd.core`` offers beyond ``autograd.extend``, kept so that code
written for autograd imports and runs: the deprecated
:func:`primitive_with_deprecation_warnings` (``autograd.core.primitive``),
the rule registries ``primitive_vjps`` / ``primitive_jvps`` as mappings, and
the sparse accumulator type :class:`SparseObject`."""

import itertools
import warnings
from collections.abc import MutableMapping

from ..core.engine import Primitive
from .vspace import VSpace, vspace
from ..extend._primitive import _USER_PRIMITIVES, ExtPrimitive, _check_prim
from ..extend._rules import defjvp_argnums, defvjp, defvjp_argnums


def primitive_with_deprecation_warnings(f_raw):
    """:func:`primitive` with autograd's deprecated methods (what
    ``autograd.core.primitive`` and ``autograd.primitive`` return):
    ``f.defvjp(vjp, argnum=0)`` with ``vjp(g, ans, vs, gvs, *args)``,
    ``f.defgrad(vjpmaker, argnum=0)`` and ``f.defvjp_is_zero(argnums=(0,))``.
    Each warns; use :func:`defvjp` instead."""
    p = ExtPrimitive(f_raw)

    def _warn(name):
        warnings.warn(f"{name} is deprecated; use chainrule.extend.defvjp(f, vjpmaker...)",
                      DeprecationWarning, stacklevel=3)

    def defvjp_old(vjpfun, argnum=0):
        _warn("f.defvjp(vjp, argnum)")

        def maker(ans, *args, **kwargs):
            return lambda g: vjpfun(g, ans, vspace(args[argnum]), vspace(g), *args, **kwargs)
        defvjp(p, maker, argnums=[argnum])

    def defgrad(gradfun, argnum=0):
        _warn("f.defgrad")
        defvjp(p, gradfun, argnums=[argnum])

    def defvjp_is_zero(argnums=(0,)):
        _warn("f.defvjp_is_zero")
        defvjp(p, *[None] * len(argnums), argnums=argnums)

    p.__dict__.update(defvjp=defvjp_old, defgrad=defgrad, defvjp_is_zero=defvjp_is_zero)
    return p


# ----------------------------------------------------------------------------
# autograd.core.primitive_vjps / primitive_jvps: the rules as a mapping
# ----------------------------------------------------------------------------

class _SavedRules:
    __slots__ = ("rules", "joint")

    def __init__(self, rules, joint):
        self.rules, self.joint = rules, joint


class _RuleRegistry(MutableMapping):
    """``{primitive: rules}`` view of the reverse- (``"rev"``) or forward-mode
    (``"fwd"``) rules, as autograd's ``primitive_vjps``/``primitive_jvps``.

    Reading gives an opaque token that can be stored back (to remove rules for
    a while and restore them); storing a function defines autograd's joint
    rule (``defvjp_argnums``/``defjvp_argnums``).
    """

    def __init__(self, mode):
        self.mode = mode

    def _names(self):
        return ("vjps", "vjp_joint") if self.mode == "rev" else ("jvps", "jvp_joint")

    def __getitem__(self, prim):
        if not isinstance(prim, Primitive):
            raise KeyError(prim)
        rules_name, joint_name = self._names()
        rules, joint = getattr(prim, rules_name), getattr(prim, joint_name)
        if not rules and joint is None:
            raise KeyError(prim)
        return _SavedRules(dict(rules), joint)

    def __setitem__(self, prim, value):
        _check_prim(prim, "primitive_vjps[...] =")
        rules_name, joint_name = self._names()
        if isinstance(value, _SavedRules):
            setattr(prim, rules_name, value.rules)
            setattr(prim, joint_name, value.joint)
        elif self.mode == "rev":
            defvjp_argnums(prim, value)
        else:
            defjvp_argnums(prim, value)

    def __delitem__(self, prim):
        self[prim]  # KeyError when there is nothing to delete
        rules_name, joint_name = self._names()
        setattr(prim, rules_name, {})
        setattr(prim, joint_name, None)

    def __iter__(self):
        from ..numpy._wrap import PRIMITIVES
        for p in itertools.chain(list(_USER_PRIMITIVES), PRIMITIVES.values()):
            if p in self:
                yield p

    def __contains__(self, prim):
        try:
            self[prim]
        except KeyError:
            return False
        return True

    def __len__(self):
        return sum(1 for _ in self)


primitive_vjps = _RuleRegistry("rev")
primitive_jvps = _RuleRegistry("fwd")


# ----------------------------------------------------------------------------
# autograd's sparse accumulator type: importable, not used by chainrule
# ----------------------------------------------------------------------------

class SparseObject:
    """autograd's sparse-gradient accumulator, kept so that imports work.
    chainrule's rules return dense cotangents; a VJP returning a
    SparseObject is not supported."""

    __slots__ = ["vs", "mut_add"]

    def __init__(self, vs, mut_add):
        self.vs = vs
        self.mut_add = mut_add


VSpace.register(SparseObject, lambda x: x.vs)
