"""The :class:`Explanation` of one function at one point, and :func:`trace` that makes it.

An explanation holds the recorded graph and builds, on request, the tables
of the lecture: the evaluation trace, the forward-mode tangents ȧ_i for one
input, the reverse-mode adjoints ā_i for one output, the cost of the whole
Jacobian, and the graph drawing.
"""

import inspect
import re

import numpy as _np

from . import graph as _graph
from .cost import jacobian_cost as _jacobian_cost
from .passes import adjoints, tangents, unit_seed
from .record import expression_texts, record
from .rules_text import ATOM, adjoint_term, eval_form, join_terms, paren, tangent_term
from .tables import Report, Table, fmt_value

MAX_ROWS = 100


class ForwardMode(Table):
    """Forward-mode table: ``tangents[i]`` is ȧ_(i+1); ``output_tangents`` by output name."""


class ReverseMode(Table):
    """Reverse-mode table; ``adjoints[i]`` is ā_(i+1), ``gradient`` maps inputs to ∂y/∂input."""


def _is_one(v):
    return _np.ndim(v) == 0 and v == 1


def _seed_text(seed, tangent, element):
    if _is_one(seed):
        return "1"
    if tangent is not None:
        return fmt_value(seed)
    if element is not None:
        return f"one-hot at [{', '.join(map(str, element))}]"
    return "ones"


class Explanation:
    """A function's computational graph at one point, ready to be shown.

    >>> import chainrule.numpy as np
    >>> ex = trace(lambda w0, w1, x: (np.sin(w1 * x + w0), np.cos(w1 * x + w0)), 0.5, 2.0, 1.5)
    >>> [ex.line(n) for n in ex.nodes[3:]]
    ['a4 = a2 × a3', 'a5 = a4 + a1', 'a6 = sin(a5)', 'a7 = cos(a5)']
    """

    def __init__(self, graph, title="f"):
        self.graph = graph
        self.nodes = graph.nodes
        self.title = title
        self.max_rows = MAX_ROWS
        self._lines = [self._line(n) for n in self.nodes]
        self._exprs = expression_texts(graph)
        self._out_names = {}
        for n, i, _ in graph.outputs:
            if i is not None:
                self._out_names.setdefault(i, []).append(n)

    # -- names and lines -------------------------------------------------------------------

    @property
    def inputs(self):
        """Input names, in node order (a1, a2, ...)."""
        return [n for n, _ in self.graph.inputs]

    @property
    def outputs(self):
        """Output names (y1, y2, ... unless named)."""
        return [n for n, _, _ in self.graph.outputs]

    def _ops(self, node):
        return [paren(*self.graph.operand(node, j), ATOM) for j in range(len(node.vals))]

    def _line(self, node):
        if node.prim is None:
            return f"{node.name} = {node.label}"
        ops = [(*self.graph.operand(node, j), None) for j in range(len(node.vals))]
        return f"{node.name} = {eval_form(node.op, ops, node.kwargs)[0]}"

    def line(self, node):
        """The node's line of the evaluation trace, e.g. ``'a6 = sin(a5)'``."""
        return self._lines[node.index if not isinstance(node, int) else node]

    def _label(self, node):
        names = self._out_names.get(node.index) or ([node.label] if node.label else [])
        return ", ".join(names)

    def _rows(self, max_rows):
        return max_rows if max_rows is not None else self.max_rows

    # -- the tables ------------------------------------------------------------------------

    def table(self, max_rows=None):
        """The evaluation trace: one row per input and primitive, a1...an.

        >>> print(trace(lambda x: x * x + 1.0, 3.0).table())  # doctest: +NORMALIZE_WHITESPACE
        Evaluation trace of f(x=3)
          expression     evaluation trace  value
          ─────────────  ────────────────  ─────
          x              a1 = x            3
          x × x          a2 = a1 × a1      9
          y = x × x + 1  a3 = a2 + 1       10
        """
        rows = []
        for node in self.nodes:
            e = self._exprs[node.index] or "…"
            outs = self._out_names.get(node.index)
            if outs:
                e = " = ".join(outs + ([] if e == outs[-1] else [e]))
            elif node.prim is not None and e == "…":
                e = ""
            rows.append([e, self._lines[node.index], fmt_value(node.value)])
        notes = []
        if self.graph.merged:
            notes.append(f"{self.graph.merged} repeated computation(s) merged into one node "
                         "(trace(..., merge=False) keeps them).")
        notes += [f"{n} = {fmt_value(v)} does not depend on the inputs (a constant)."
                  for n, i, v in self.graph.outputs if i is None]
        notes += [f"constant c{k + 1} = {fmt_value(v)}"
                  for k, v in enumerate(self.graph.const_names.auto)]
        return Table(f"Evaluation trace of {self.title}", ["expression", "evaluation trace",
                                                           "value"], rows, notes,
                     self._rows(max_rows))

    def _find_input(self, wrt):
        names = self.inputs
        if wrt is None:
            wrt = names[0] if names else None
        if isinstance(wrt, int):
            wrt = names[wrt]
        if wrt in names:
            return self.graph.inputs[names.index(wrt)][1], None, wrt
        m = re.fullmatch(r"\s*(.+?)\s*\[([-\d,\s]+)\]\s*", str(wrt))
        if m and m.group(1) in names:
            idx = tuple(int(i) for i in m.group(2).split(",") if i.strip())
            node = self.graph.inputs[names.index(m.group(1))][1]
            shape = _np.shape(self.nodes[node].value)
            if len(idx) != len(shape) or any(not -n <= i < n for i, n in zip(idx, shape,
                                                                                 strict=True)):
                raise ValueError(f"chainrule.explain: {wrt!r} is not an element of "
                                 f"{m.group(1)} (shape {shape})")
            return node, idx, f"{m.group(1)}[{m.group(2)}]"
        raise ValueError(f"chainrule.explain: no input named {wrt!r}; the inputs are {names}")

    def forward(self, wrt=None, tangent=None, max_rows=None):
        """Forward mode: every node's tangent ȧ_i = ∂a_i/∂wrt, with the local rule used.

        >>> import chainrule.numpy as np
        >>> fw = trace(lambda x: np.sin(x), 0.0).forward("x")
        >>> fw.rules[-1], float(fw.tangents[-1])
        ('ȧ2 = ȧ1 · cos(a1)', 1.0)
        """
        idx, element, wrt_text = self._find_input(wrt)
        value = self.nodes[idx].value
        seed = _np.asarray(tangent, dtype=_np.result_type(value)) if tangent is not None \
            else unit_seed(value, element)
        if _np.shape(seed) != _np.shape(value):
            raise ValueError(f"chainrule.explain: the tangent has shape {_np.shape(seed)}, "
                             f"{wrt_text} has shape {_np.shape(value)}")
        tans = tangents(self.graph, {idx: seed})
        rules, rows = [], []
        for node in self.nodes:
            d = "ȧ" + node.name[1:]
            if node.prim is None:
                rule = f"{d} = " + (_seed_text(seed, tangent, element) if node.index == idx
                                    else "0")
            else:
                ops = self._ops(node)
                terms = [tangent_term(node.op, a, ops, "ȧ" + self.nodes[p].name[1:], node.name,
                                      node.kwargs) for a, p in node.parents]
                rule = f"{d} = {join_terms(terms)}"
            rules.append(rule)
            rows.append([self._label(node), self._lines[node.index], fmt_value(node.value),
                         rule, fmt_value(tans[node.index])])
        unit = tangent is None and (element is not None or _np.ndim(value) == 0)
        seed_name = "ȧ" + self.nodes[idx].name[1:]

        def d(y):
            return f"∂{y}/∂{wrt_text}" if unit else f"(∂{y}/∂{wrt_text})·{seed_name}"
        sym = d("ai") if unit else f"{d('ai')}, the derivative along the seed {seed_name}"
        out_tans = {}
        notes = []
        for name, i, v in self.graph.outputs:
            t = tans[i] if i is not None else _np.zeros_like(v)
            out_tans[name] = t
            notes.append(f"{d(name)} = " + (f"ȧ{i + 1} = " if i is not None else "")
                         + fmt_value(t))
        notes.append(f"One forward pass gave the derivative of every node, and so of every "
                     f"output, with respect to {wrt_text}.")
        tab = ForwardMode(f"Forward mode: ȧi = {sym} (one forward pass)",
                          ["", "evaluation trace", "value", "tangent rule", "ȧ"],
                          rows, notes, self._rows(max_rows))
        tab.wrt, tab.tangents, tab.rules, tab.output_tangents = wrt_text, tans, rules, out_tans
        return tab

    def _find_output(self, output):
        names = self.outputs
        if output is None:
            output = names[0] if names else None
        if isinstance(output, int):
            output = names[output]
        if output not in names:
            raise ValueError(f"chainrule.explain: no output named {output!r}; the outputs are "
                             f"{names}")
        return self.graph.outputs[names.index(output)]

    def reverse(self, output=None, cotangent=None, max_rows=None):
        """Reverse mode: every node's adjoint ā_i = ∂output/∂a_i, from one backward pass.

        >>> import chainrule.numpy as np
        >>> rv = trace(lambda x, y: x * y, 2.0, 5.0).reverse()
        >>> rv.rules[1], rv.gradient
        ('ā2 = ā3 · a1', {'x': 5.0, 'y': 2.0})
        """
        name, idx, value = self._find_output(output)
        if idx is None:
            raise ValueError(f"chainrule.explain: output {name} does not depend on the inputs")
        seed = _np.asarray(cotangent, dtype=_np.result_type(value)) if cotangent is not None \
            else unit_seed(value)
        if _np.ndim(seed) == 0:
            seed = seed[()]
        adj, contributions = adjoints(self.graph, {idx: seed})
        rules = [None] * len(self.nodes)
        rows = []
        for node in reversed(self.nodes):
            terms = []
            if node.index == idx:
                terms.append("1" if _is_one(seed) else "ȳ")
            for k, a in node.consumers:
                c = self.nodes[k]
                differ = _np.shape(c.value) != _np.shape(node.value)
                terms.append(adjoint_term(c.op, a, self._ops(c), "ā" + c.name[1:], c.name,
                                          c.kwargs, shapes_differ=differ))
            rules[node.index] = f"ā{node.name[1:]} = {join_terms(terms)}"
            g = adj[node.index]
            rows.append([self._label(node), self._lines[node.index], fmt_value(node.value),
                         rules[node.index],
                         fmt_value(g if g is not None else _np.zeros_like(node.value))])
        grads = {}
        for n, i in self.graph.inputs:
            g = adj[i] if adj[i] is not None else _np.zeros_like(self.nodes[i].value)
            grads[n] = float(g) if _np.ndim(g) == 0 and _np.isrealobj(g) else g
        what = name if cotangent is None and _np.ndim(value) == 0 else None
        notes = ([] if what else [f"{name} is not a scalar: the backward pass starts from the "
                                  f"seed ȳ = {'ones' if cotangent is None else fmt_value(seed)}, "
                                  f"so āi = ∂(ȳ · {name})/∂ai."])
        lhs = what or f"(ȳ · {name})"
        notes.append(f"One backward pass gave every ∂{lhs}/∂input: " + ", ".join(
            f"∂{lhs}/∂{n} = ā{i + 1} = {fmt_value(grads[n])}" for n, i in self.graph.inputs)
            + ".")
        tab = ReverseMode(f"Reverse mode: āi = ∂{lhs}/∂ai (one backward pass, top to bottom)",
                          ["", "evaluation trace", "value", "adjoint rule", "ā"], rows, notes,
                          self._rows(max_rows))
        tab.output, tab.adjoints, tab.rules, tab.gradient = name, adj, rules, grads
        tab.contributions = contributions  # [node] -> [(consumer, argnum, ā_k · ∂a_k/∂a_i)]
        return tab

    def jacobian_cost(self, max_passes=1000, max_elements=None):
        """Forward versus reverse passes for the whole Jacobian, counted by running them.

        ``max_elements`` refuses (``ValueError``, before computing) Jacobians
        that would hold more numbers than that.

        >>> import chainrule.numpy as np
        >>> c = trace(lambda a, b, c: np.sum(a * b * c), 1.0, 2.0, 3.0).jacobian_cost()
        >>> c.forward_passes, c.backward_passes
        (3, 1)
        """
        return _jacobian_cost(self.graph, max_passes, max_elements)

    def report(self, wrt=None, output=None, forward=True, reverse=True, cost=False,
               max_rows=None, max_elements=None):
        """The trace with forward, reverse and cost tables, as one printable report.

        ``max_elements`` bounds the cost table's Jacobians (see :meth:`jacobian_cost`).

        >>> r = trace(lambda x: x * 2.0, 1.0).report(cost=True); len(r.parts)
        4
        """
        parts = [self.table(max_rows)]
        if forward and self.graph.inputs:
            parts.append(self.forward(wrt, max_rows=max_rows))
        if reverse and any(i is not None for _, i, _ in self.graph.outputs):
            parts.append(self.reverse(output, max_rows=max_rows))
        if cost:
            parts.append(self.jacobian_cost(max_elements=max_elements))
        return Report(parts)

    # -- text forms of the explanation -------------------------------------------------------

    def to_text(self, max_rows=None):
        """The evaluation trace as plain text."""
        return self.table(max_rows).to_text()

    def to_markdown(self, max_rows=None):
        """The evaluation trace as a Markdown table."""
        return self.table(max_rows).to_markdown()

    def _repr_html_(self):
        return self.table().to_html()

    __str__ = __repr__ = to_text

    # -- the graph -------------------------------------------------------------------------

    def to_dot(self, show="value", wrt=None, output=None):
        """Graphviz DOT text; ``show`` is ``"value"``, ``"tangent"``, ``"adjoint"`` or ``"both"``.

        >>> import chainrule.numpy as np
        >>> "a2 = sin(a1)" in trace(np.sin, 1.0).to_dot()
        True
        """
        show = {"both": ("tangent", "adjoint")}.get(show, show)
        show = (show,) if isinstance(show, str) or show is None else tuple(show)
        bad = set(show) - {"value", "tangent", "adjoint", None}
        if bad:
            raise ValueError(f"chainrule.explain: show must be value, tangent, adjoint or both, "
                             f"not {sorted(bad)}")
        tans = self.forward(wrt) if "tangent" in show else None
        rev = self.reverse(output) if "adjoint" in show else None
        title = []
        if tans is not None:
            title.append(f"ȧ = ∂·/∂{tans.wrt}")
        if rev is not None:
            title.append(f"ā = ∂{rev.output}/∂· (edges: ā_k · ∂a_k/∂a_i)")
        rows, edges = [], []
        for node in self.nodes:
            label = self._label(node)
            first = self._lines[node.index]
            if node.index in self._out_names:
                first = f"{label} = {first}"
            lines = [first, _graph.short_value(node.value)]
            if tans is not None:
                lines.append(_graph.value_line("ȧ" + node.name[1:], tans.tangents[node.index]))
            if rev is not None:
                g = rev.adjoints[node.index]
                lines.append(_graph.value_line("ā" + node.name[1:], g if g is not None else
                                               _np.zeros_like(node.value)))
            kind = "output" if node.index in self._out_names else \
                "input" if node.prim is None else "op"
            rows.append((node.name, lines, kind))
        contrib = {} if rev is None else {
            (p, k, a): c for p, lst in enumerate(rev.contributions) for k, a, c in lst}
        for node in self.nodes:
            for a, p in node.parents:
                c = contrib.get((p, node.index, a))
                edges.append((self.nodes[p].name, node.name,
                              "" if c is None else _graph.short_value(c)))
        return _graph.to_dot(rows, edges, "; ".join(title))

    def render(self, path, show="value", wrt=None, output=None, *, overwrite=True):
        """Draw the graph to ``path`` (.svg, .png, .pdf need Graphviz's ``dot``; .dot is text).

        ``ex.render("graph.svg", show="adjoint", output="y2")``; raises
        :class:`GraphvizNotFoundError` with install instructions when ``dot`` is missing.
        The file is written atomically and never through a symbolic link
        (:func:`chainrule.fileio.write_atomic`); ``overwrite=False`` refuses an
        existing file (``FileExistsError``).
        """
        return _graph.render(self.to_dot(show, wrt, output), path, overwrite=overwrite)


def _title(f, graph):
    name = getattr(f, "__name__", None) or "f"
    if name == "<lambda>" or not name.isidentifier():
        name = "f"
    args = ", ".join(f"{n}={fmt_value(v)}" if _np.ndim(v) == 0 else
                     f"{n}: {'×'.join(map(str, _np.shape(v)))}"
                     for n, v in zip([n for n, _ in graph.inputs], graph.leaves, strict=True))
    return f"{name}({args})"


_UNSET = object()  # an option of trace() that was not given


def _route_options(f, args, kwargs, given):
    """Move to ``kwargs`` (the function's arguments) each option of :func:`trace` that is
    really an argument of ``f``: ``f`` has a parameter of that name, without a default, that
    the positional arguments do not fill. Otherwise ``trace(lambda names: ..., names=2.0)``
    would take 2.0 for the names of the inputs."""
    try:
        params = inspect.signature(f).parameters
    except (TypeError, ValueError):  # no signature: the options are options
        return given
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    filled = {p.name for p in positional[:len(args)]}
    for key in list(given):
        p = params.get(key)
        if (p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                and p.default is p.empty and key not in filled and key not in kwargs):
            kwargs[key] = given.pop(key)
    return given


def trace(f, /, *args, names=_UNSET, output_names=_UNSET, constants=_UNSET, merge=_UNSET,
          **kwargs):
    """Record ``f(*args, **kwargs)`` and return its :class:`Explanation`.

    Float arguments (and Python numbers) are the inputs a1, a2, ... in
    argument order; containers give one input per array; integer arrays and
    the arguments named in ``constants`` are constants. ``names`` names the
    positional arguments of a function without a signature, ``output_names``
    the outputs (default y1, y2, ..., or the function's name when there is
    one output). ``merge=False`` keeps repeated identical computations as
    separate nodes. When ``f`` itself has a parameter named ``names``,
    ``output_names``, ``constants`` or ``merge`` (without a default) that no
    positional argument fills, that keyword is ``f``'s argument, not the
    option; ``f`` is positional-only, so an argument may be called ``f`` too.

    >>> import chainrule.numpy as np
    >>> ex = trace(lambda w0, w1, x: (np.sin(w1 * x + w0), np.cos(w1 * x + w0)),
    ...            w0=0.5, w1=2.0, x=1.5)
    >>> ex.inputs, ex.outputs
    (['w0', 'w1', 'x'], ['y1', 'y2'])
    >>> trace(lambda f, merge: f * merge, f=2.0, merge=3.0).inputs
    ['f', 'merge']
    """
    given = {k: v for k, v in [("names", names), ("output_names", output_names),
                               ("constants", constants), ("merge", merge)] if v is not _UNSET}
    opts = {"names": None, "output_names": None, "constants": (), "merge": True}
    opts.update(_route_options(f, args, kwargs, given))
    output_names = opts["output_names"]
    if output_names is None:
        output_names = getattr(f, "output_names", None)
    g = record(f, args, kwargs, names=opts["names"], output_names=output_names,
               constants=opts["constants"], merge=opts["merge"])
    return Explanation(g, _title(f, g))
