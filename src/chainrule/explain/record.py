"""Recording a function's computational graph: one node per primitive call.

:class:`RecordingTrace` is the engine's :class:`ReverseTrace` that also keeps
every value (the engine drops outputs its rules do not need). :func:`record`
runs the function once under it and returns a :class:`Graph`: input nodes
first (a1 = w0, a2 = w1, a3 = x), then one node per primitive in execution
order. Repeated identical computations (``w1 * x + w0`` written twice) are
merged into one node, as the lecture's trace writes them.
"""

import inspect

import numpy as _np

from ..core.engine import Box, ReverseTrace, TapeEntry, end_trace
from ..core.tree import tree_flatten, tree_unflatten
from .rules_text import ATOM, NEG, eval_form, short_name
from .tables import fmt_number


class RecordingTrace(ReverseTrace):
    """A :class:`ReverseTrace` whose tape keeps every argument and output: the
    tables show them all, where the engine keeps only what the rules read."""

    __slots__ = ()

    def apply(self, prim, args, kwargs):
        box = super().apply(prim, args, kwargs)  # appends exactly this call's entry
        _, _, _, _, argnums, parents = self.tape[-1]
        full = tuple(a._value if type(a) is Box and a._trace is self else a for a in args)
        self.tape[-1] = TapeEntry(prim, full, kwargs, box._value, argnums, parents)
        return box


class Node:
    """One value of the graph: an input (``prim is None``) or one primitive call."""

    __slots__ = ("index", "prim", "vals", "kwargs", "parents", "value", "label", "consumers")

    def __init__(self, index, prim, vals, kwargs, parents, value, label=None):
        self.index = index
        self.prim = prim
        self.vals = vals
        self.kwargs = kwargs
        self.parents = parents  # [(argnum, node index)]
        self.value = value
        self.label = label  # input name
        self.consumers = []  # [(node index, argnum)]

    @property
    def name(self):
        return f"a{self.index + 1}"

    @property
    def op(self):
        return "input" if self.prim is None else short_name(self.prim.name)

    def __repr__(self):
        return f"<Node {self.name} {self.op}>"


class Graph:
    """The recorded graph: ``nodes``, ``inputs``/``outputs`` as ``(name, node index)``."""

    def __init__(self, nodes, inputs, outputs, call, leaves, const_names, merged):
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs  # [(name, node index or None, value)]
        self.call = call  # call(list of input leaves) -> list of output leaves
        self.leaves = leaves  # input values, in input order
        self.const_names = const_names  # a ConstNames
        self.merged = merged

    def operand(self, node, argnum):
        """``(text, precedence)`` of one argument: a node name or an inline constant."""
        for a, p in node.parents:
            if a == argnum:
                return self.nodes[p].name, ATOM
        v = node.vals[argnum]
        if argnum == 1 and node.prim is not None and node.op in ("getitem", "untake"):
            return _fmt_index(v), ATOM
        return const_text(v, self.const_names)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

def _fmt_index(idx):
    if not isinstance(idx, tuple):
        idx = (idx,)

    def one(i):
        if isinstance(i, slice):
            s = "" if i.start is None else str(i.start)
            s += ":" + ("" if i.stop is None else str(i.stop))
            return s + ("" if i.step is None else f":{i.step}")
        if i is None:
            return "None"
        if i is Ellipsis:
            return "..."
        if isinstance(i, _np.ndarray):
            return "[" + ", ".join(map(str, i.ravel()[:4])) + (", …" if i.size > 4 else "") + "]"
        return str(i)
    return ", ".join(one(i) for i in idx)


class ConstNames:
    """Names of array constants: the argument's name, else c1, c2... in order of use."""

    def __init__(self, given):
        self.names = dict(given)  # id(array) -> name
        self.auto = []  # the unnamed arrays, kept alive so that their ids stay theirs

    def __call__(self, v):
        if id(v) not in self.names:
            self.auto.append(v)
            self.names[id(v)] = f"c{len(self.auto)}"
        return self.names[id(v)]


def const_text(v, names):
    """``(text, precedence)`` of a constant: a number, a named array or an index."""
    if isinstance(v, _np.ndarray) and v.ndim > 0:
        if v.dtype.kind in "iub" and v.size <= 8 and id(v) not in names.names:
            return "[" + ", ".join(map(str, v.ravel().tolist())) + "]", ATOM
        return names(v), ATOM
    if isinstance(v, (bool, _np.bool_)):
        return str(bool(v)), ATOM
    if isinstance(v, (int, float, _np.number, _np.ndarray)):
        s = fmt_number(v)
        return s, (NEG if s.startswith("-") else ATOM)
    if isinstance(v, slice) or v is Ellipsis or (isinstance(v, tuple) and any(
            isinstance(i, (slice, _np.ndarray)) or i is None or i is Ellipsis for i in v)):
        return _fmt_index(v), ATOM
    return repr(v), ATOM


def _const_key(v):
    """A key under which two constant arguments are the same constant."""
    if isinstance(v, (bool, int, float, complex, str, type(None))):
        return (type(v).__name__, repr(v))
    if isinstance(v, _np.generic) or (isinstance(v, _np.ndarray) and v.ndim == 0):
        return (str(v.dtype), repr(v.item()))
    if isinstance(v, tuple):
        return ("tuple",) + tuple(_const_key(i) for i in v)
    if isinstance(v, slice):
        return ("slice", repr(v))
    return ("id", id(v))


# ---------------------------------------------------------------------------
# Naming inputs and outputs
# ---------------------------------------------------------------------------

def _named_leaves(x, base, out):
    """Names of the leaves of a container, in :func:`tree_flatten` order."""
    t = type(x)
    if t is tuple or t is list or (isinstance(x, tuple) and hasattr(x, "_fields")):
        fields = getattr(x, "_fields", None)
        for i, c in enumerate(x):
            _named_leaves(c, f"{base}.{fields[i]}" if fields else f"{base}[{i}]", out)
    elif isinstance(x, dict):
        for k, c in x.items():
            _named_leaves(c, f"{base}.{k}" if isinstance(k, str) and k.isidentifier()
                          else f"{base}[{k!r}]", out)
    else:
        out.append(base)
    return out


def _signature(f):
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    return sig


def _is_input(v):
    if isinstance(v, (bool, _np.bool_)):
        return False
    if isinstance(v, (int, float, complex, _np.floating, _np.complexfloating)):
        return True
    return isinstance(v, _np.ndarray) and v.dtype.kind in "fc"


def _bind(f, args, kwargs, names):
    """``(arg names, arg values, call)`` where ``call(values)`` calls ``f``."""
    sig = None if names is not None else _signature(f)
    if sig is not None:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"chainrule.explain: the arguments do not fit {f!r}: {e}") from None
        arg_names = list(bound.arguments)

        def call(values):
            b = inspect.BoundArguments(sig, dict(zip(arg_names, values, strict=True)))
            return f(*b.args, **b.kwargs)
        return arg_names, list(bound.arguments.values()), call
    names = list(names) if names is not None else (
        ["x"] if len(args) == 1 else [f"x{i + 1}" for i in range(len(args))])
    if len(names) != len(args):
        raise ValueError(f"chainrule.explain: {len(names)} names for {len(args)} arguments")
    keys = list(kwargs)

    def call(values):
        return f(*values[:len(args)], **dict(zip(keys, values[len(args):], strict=True)))
    return names + keys, list(args) + list(kwargs.values()), call


def _output_names(out, given, single, taken):
    leaves = tree_flatten(out)[0]
    if given is not None:
        given = [given] if isinstance(given, str) else list(given)
        if len(given) != len(leaves):
            raise ValueError(f"chainrule.explain: {len(given)} output names for "
                             f"{len(leaves)} outputs")
        return given
    if isinstance(out, dict):
        return [n[1:] for n in _named_leaves(out, "", [])]
    if type(out) in (tuple, list) and len(out) > 1:
        return sum((_named_leaves(o, f"y{i + 1}", []) for i, o in enumerate(out)), [])
    if len(leaves) == 1:
        return [next(n for n in (single, "y", "f", "out") if n and n not in taken)]
    return [f"y{i + 1}" for i in range(len(leaves))]


# ---------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------

def record(f, args, kwargs, names=None, output_names=None, constants=(), merge=True):
    """Run ``f`` once on a :class:`RecordingTrace` and return its :class:`Graph`."""
    arg_names, arg_vals, call_args = _bind(f, args, kwargs, names)
    leaves, spec = tree_flatten(arg_vals)
    leaf_names = sum((_named_leaves(v, n, [])
                      for n, v in zip(arg_names, arg_vals, strict=True)), [])
    constants = {constants} if isinstance(constants, str) else set(constants)
    unknown = constants - set(arg_names) - set(leaf_names)
    if unknown:
        raise ValueError(f"chainrule.explain: constants {sorted(unknown)} are not arguments "
                         f"of the function (its arguments: {arg_names})")
    is_const = [n in constants or n.split(".")[0].split("[")[0] in constants
                or not _is_input(v) for n, v in zip(leaf_names, leaves, strict=True)]
    leaves = [float(v) if isinstance(v, int) and not c else v
              for v, c in zip(leaves, is_const, strict=True)]
    const_names = {id(v): n for n, v, c in zip(leaf_names, leaves, is_const, strict=True)
                   if c and isinstance(v, _np.ndarray) and v.ndim > 0}
    in_pos = [i for i, c in enumerate(is_const) if not c]

    def call(input_values):
        vals = list(leaves)
        for i, v in zip(in_pos, input_values, strict=True):
            vals[i] = v
        out = call_args(tree_unflatten(spec, vals))
        return out

    trace = RecordingTrace()
    boxes = [trace.new_input(leaves[i]) for i in in_pos]
    try:
        out = call(boxes)
    finally:  # a box of this recording used later has escaped (chainrule.core.engine)
        end_trace(trace, f)
    fname = getattr(f, "__name__", "")
    single = fname if isinstance(fname, str) and fname.isidentifier() else None
    out_names = _output_names(out, output_names, single, set(arg_names) | set(leaf_names))
    out_leaves = tree_flatten(out)[0]

    def call_flat(input_values):
        return tree_flatten(call(input_values))[0]

    nodes, remap, seen, merged = [], {}, {}, 0
    for i, entry in enumerate(trace.tape):
        if entry is None:
            nodes.append(Node(i, None, (), {}, [], leaves[in_pos[i]], leaf_names[in_pos[i]]))
            remap[i] = i
            continue
        prim, vals, kw = entry.prim, entry.args, entry.kwargs
        parents = [(a, remap[p]) for a, p in zip(entry.argnums, entry.parents, strict=True)]
        pmap = dict(parents)
        key = (id(prim), tuple(("node", pmap[j]) if j in pmap else _const_key(v)
                               for j, v in enumerate(vals)),
               tuple(sorted((k, _const_key(v)) for k, v in kw.items())))
        if merge and key in seen:
            remap[i] = seen[key]
            merged += 1
            continue
        node = Node(len(nodes), prim, vals, kw, parents, entry.ans)
        remap[i] = seen[key] = node.index
        nodes.append(node)
    for node in nodes:
        for a, p in node.parents:
            nodes[p].consumers.append((node.index, a))
    outputs = []
    for n, o in zip(out_names, out_leaves, strict=True):
        if type(o) is Box and o._trace is trace:
            outputs.append((n, remap[o._ref], o._value))
        elif type(o) is Box:
            raise TypeError("chainrule.explain: the function returned a value traced by an "
                            "outer transform; call explain.trace outside grad/jvp")
        else:
            outputs.append((n, None, o))
    inputs = [(leaf_names[p], k) for k, p in enumerate(in_pos)]
    return Graph(nodes, inputs, outputs, call_flat, [leaves[i] for i in in_pos],
                 ConstNames(const_names), merged)


def expression_texts(graph, limit=60):
    """Each node written in terms of the inputs (``sin(w1 × x + w0)``); ``None`` when too long."""
    out = []
    for node in graph.nodes:
        if node.prim is None:
            out.append((node.label, ATOM, None))
            continue
        ops, ok = [], True
        pmap = dict(node.parents)
        for j in range(len(node.vals)):
            if j in pmap:
                e = out[pmap[j]]
                if e is None:
                    ok = False
                    break
                ops.append(e)
            else:
                t, p = graph.operand(node, j)
                ops.append((t, p, None))
        e = eval_form(short_name(node.prim.name), ops, node.kwargs) if ok else None
        out.append(e if e is not None and len(e[0]) <= limit else None)
    return [e[0] if e else None for e in out]

