"""A recorded program: its ops, the Python function that replays them, and its table.

:class:`Program` takes a finished :class:`~chainrule.jit._record.Recorder` and, on
its first replay, turns the op list into the source of one Python function::

    def replay(a1, a2, a3, a4):
        a5 = a1.T
        a6 = k1(a3, a5)          # k1 = numpy.matmul
        ...
        return (a40, {'V': a52, 'W': a47})

in which every op is one NumPy call on local variables: no tracing, no rule,
no dispatch of chainrule's own (the per-op cost is the call itself, about
50 ns above NumPy's). Compiling costs ~4 µs per op, so it happens on the first
replay, not while recording (the recording call stays within ~2x an eager
call). Three passes run first, none of which changes a value:

* **dead code**: ops whose results nothing reads are dropped (forward values
  only a rule's shape test looked at, an unused output of ``divmod``); draws
  from a generator, guards and writes into arguments always stay;
* **common subexpressions** (only in programs that write into no array): an
  op identical to an earlier one (same function, same operands, same
  constants) reuses its result (``W.T`` taken in the forward pass and again
  by its rule, ``exp(x - m)`` in ``logsumexp`` and in its derivative). The
  earlier result is bitwise what the later call would compute;
* **freeing**: each value is released after its last use (``del``, for
  arrays over 4 KiB; smaller ones when their variable is reused), so a
  replay holds no more memory than the eager call's tape.
"""

import keyword
import math

import numpy as _np

from ._record import (ATTR, BIN, CALL, CONST, FRESH, GETITEM, GUARD, IOP, KIND_NAMES, METH, PURE,
                      RANDOM, SETFLAG, SETITEM, SHAPED, UN, GuardMiss, JitError, Slot,
                      _SliceT)

_BIG = 4096  # bytes: arrays above this get an explicit ``del`` after their last use
_GENERATORS = (_np.random.Generator, _np.random.RandomState)


def _walk(t, fn):
    """Call ``fn`` on every Slot of a template."""
    tt = type(t)
    if tt is Slot:
        fn(t)
    elif tt is tuple or tt is list:
        for e in t:
            _walk(e, fn)
    elif tt is dict:
        for e in t.values():
            _walk(e, fn)
    elif tt is _SliceT:
        _walk(t.start, fn)
        _walk(t.stop, fn)
        _walk(t.step, fn)
    elif tt is _Named:
        _walk(t.items, fn)


def _subst(t, m):
    """The template with slots renamed by ``m``."""
    tt = type(t)
    if tt is Slot:
        return m.get(t, t)
    if tt is tuple or tt is list:
        return tt(_subst(e, m) for e in t)
    if tt is dict:
        return {k: _subst(e, m) for k, e in t.items()}
    if tt is _SliceT:
        return _SliceT(_subst(t.start, m), _subst(t.stop, m), _subst(t.step, m))
    if tt is _Named:
        return _Named(t.type, _subst(t.items, m))
    return t


def _key(t):
    """A hashable key for a template (for merging identical ops), or raise TypeError."""
    tt = type(t)
    if tt is Slot:
        return ("s", int(t))
    if tt is tuple or tt is list:
        return (tt.__name__,) + tuple(_key(e) for e in t)
    if tt is dict:
        return ("d",) + tuple((k, _key(e)) for k, e in t.items())
    if tt is _SliceT:
        return ("sl", _key(t.start), _key(t.stop), _key(t.step))
    if tt is _np.ndarray:
        return ("c", id(t))
    if tt is float or isinstance(t, _np.generic):
        return (tt, _np.asarray(t).tobytes())  # the exact bits: 0.0 and -0.0 differ
    hash(t)
    return (tt, t)


def _fn_key(kind, fn):
    if kind == CALL:
        self = getattr(fn, "__self__", None)
        if isinstance(self, _np.ufunc):  # np.add.reduce is a new object on every lookup
            return (id(self), fn.__name__)
        return id(fn)
    return fn


def _reads(op):
    out = []
    _walk(op[2], out.append)
    _walk(op[3], out.append)
    return out


def _outs(op):
    o = op[4]
    if o is None:
        return ()
    return (o,) if type(o) is Slot else o



def _is_name(s):
    """Whether ``s`` can stand in generated source as a Python name (not a keyword)."""
    return type(s) is str and s.isidentifier() and not keyword.iskeyword(s)

class Program:
    """One recorded program of a jitted function (for one signature)."""

    def __init__(self, rec, out_template, static_outputs, name):
        self.name = name
        self.ops = rec.ops
        self.n_slots = rec.n
        self.inputs = list(rec.inputs)
        self.labels = dict(rec.labels)
        self.meta = rec.meta
        self.out = out_template
        self.static_outputs = static_outputs  # ids of constants returned as they are
        self.snapshots = rec.snapshots
        self.random = rec.n_random > 0
        self.random_global = rec.random_global
        self.guards = rec.n_guards
        self.source = None
        self.kept = None
        self.run = None
        self.generator_inputs = [i for i, s in enumerate(self.inputs)
                                 if issubclass(self.meta[s][0], _GENERATORS)] \
            if self.random else []
        self._check_writes()

    def _check_writes(self):
        inputs = None
        wrote = False
        for op in self.ops:
            if op[0] == GUARD and wrote:
                raise JitError(
                    f"chainrule.jit: {self.name} writes into one of its arguments and then "
                    "takes a data-dependent decision; a replay that had to record again "
                    "would have written twice. Write into a copy (x = x.copy()) instead.")
            if op[5]:
                if inputs is None:
                    inputs = set(self.inputs)
                if any(w in inputs for w in op[5]):
                    wrote = True

    # -- the passes ------------------------------------------------------------------

    def _optimize(self, optimize):
        ops = self.ops
        out_slots = []
        _walk(self.out, out_slots.append)
        if optimize and not any(op[5] for op in ops):
            ops = self._merge(ops, out_slots)
        if optimize:
            ops = self._dead(ops, out_slots)
        return ops

    def _merge(self, ops, out_slots):
        """Common subexpressions: identical pure ops (no writes anywhere in the program)."""
        seen = {}
        rename = {}
        kept = []
        for op in ops:
            if rename:
                op = (op[0], op[1], _subst(op[2], rename), _subst(op[3], rename)) + op[4:]
            kind, fn, args, kwargs, outs, writes, flags = op
            if (flags & PURE and not flags & (RANDOM | SHAPED) and outs is not None) \
                    or kind == GUARD:
                try:
                    k = (kind, _fn_key(kind, fn) if kind != GUARD else
                         (id(fn.fn), _key(fn.expected)), _key(args), _key(kwargs))
                except TypeError:
                    k = None
                if k is not None:
                    prev = seen.get(k)
                    if prev is not None:
                        if kind != GUARD:
                            for a, b in zip(_outs(op), _outs(prev)):
                                rename[a] = b
                        continue
                    seen[k] = op
            kept.append(op)
        if rename:
            self.out = _subst(self.out, rename)
            self._renamed = rename
        return kept

    def _dead(self, ops, out_slots):
        """Drop ops whose results nothing reads."""
        needed = set(out_slots)
        inputs = set(self.inputs)
        kept = []
        for op in reversed(ops):
            kind, fn, args, kwargs, outs, writes, flags = op
            # guards stay, and so do ops whose output shape is rechecked (a boolean mask):
            # the values of everything after them may depend on it
            keep = kind == GUARD or flags & (RANDOM | SHAPED) or any(w in inputs for w in writes) \
                or any(o in needed for o in _outs(op)) or any(w in needed for w in writes)
            if not keep:
                continue
            kept.append(op)
            for s in _reads(op):
                needed.add(s)
            for w in writes:
                needed.add(w)
        kept.reverse()
        return kept

    # -- code ----------------------------------------------------------------------------

    def compile(self, optimize=True):
        ops = self._optimize(optimize)
        self.kept = ops
        names = {}          # slot -> variable name
        consts = {}         # id(obj) -> global name
        glob = {"_miss": GuardMiss, "_same": _same}
        keep_alive = []

        def const(x):
            t = type(x)
            if x is None or t is bool or t is int or t is str:
                return repr(x)
            if t is float and math.isfinite(x):
                return repr(x)
            key = id(x)
            name = consts.get(key)
            if name is None:
                name = f"k{len(consts) + 1}"
                consts[key] = name
                glob[name] = x
                keep_alive.append(x)
            return name

        def rt(t):
            tt = type(t)
            if tt is Slot:
                return names[t]
            if tt is tuple:
                return "(" + "".join(rt(e) + ", " for e in t) + ")"
            if tt is list:
                return "[" + ", ".join(rt(e) for e in t) + "]"
            if tt is dict:
                return "{" + ", ".join(f"{const(k)}: {rt(e)}" for k, e in t.items()) + "}"
            if tt is _SliceT:
                return f"slice({rt(t.start)}, {rt(t.stop)}, {rt(t.step)})"
            return const(t)

        def call_args(args, kwargs):
            parts = [rt(a) for a in args]
            if kwargs:
                # A keyword that is not an identifier (``f(**{"a b": 1})``) goes in as a
                # string literal: nothing recorded is ever pasted into the source as code.
                parts += [f"{k}={rt(v)}" if _is_name(k) else f"**{{{k!r}: {rt(v)}}}"
                          for k, v in kwargs.items()]
            return ", ".join(parts)

        def attr(name):
            # Attribute and flag names come from a traced array's own attributes; checked
            # all the same, as the generated source must hold only our own text.
            if not _is_name(name):
                raise ValueError(f"chainrule.jit: cannot replay attribute {name!r}")
            return name

        def fn_name(fn):
            fn = getattr(fn, "_implementation", fn)  # skip NumPy's dispatch: no overrides now
            return const(fn)

        # Last use of every slot, to free it after.
        last = {}
        for k, op in enumerate(ops):
            for s in _reads(op):
                last[s] = k
            for s in op[5]:
                last[s] = k
            for s in _outs(op):
                last.setdefault(s, k)
        out_slots = []
        _walk(self.out, out_slots.append)
        for s in out_slots:
            last[s] = len(ops)
        for s in self.inputs:
            last[s] = len(ops)

        for k, s in enumerate(self.inputs):
            names[s] = f"a{k}"
        free = []
        counter = [0]

        def new_name(s):
            if free:
                n = free.pop()
            else:
                counter[0] += 1
                n = f"v{counter[0]}"
            names[s] = n
            return n

        def size(sl):
            _, shape, dt = self.meta[sl]
            if dt is None or not isinstance(shape, tuple):
                return 0
            return math.prod(shape) * dt.itemsize

        def dying_of(op, k):
            dying, big = [], set()
            for sl in set(_reads(op)) | set(op[5]):
                if last.get(sl) == k and sl in names and names[sl][0] == "v":
                    n = names.pop(sl)
                    dying.append(n)
                    if size(sl) > _BIG:
                        big.add(n)
            return dying, big

        lines = []
        for k, op in enumerate(ops):
            kind, fn, args, kwargs, outs, writes, flags = op
            if kind == GUARD:
                g = fn
                if g.fn is bool and g.expected is True:
                    lines.append(f"if not {rt(args[0])}: raise _miss({k})")
                elif g.fn is bool and g.expected is False:
                    lines.append(f"if {rt(args[0])}: raise _miss({k})")
                else:
                    expr = f"{fn_name(g.fn)}({call_args(args, kwargs)})"
                    lines.append(f"if not _same({expr}, {const(g.expected)}): raise _miss({k})")
            elif kind == SETITEM:
                a, idx, v = args
                lines.append(f"{rt(a)}[{rt(idx)}] = {rt(v)}")
            elif kind == IOP:
                a, b = args
                lines.append(f"{rt(a)} {fn}= {rt(b)}")
            elif kind == SETFLAG:
                lines.append(f"{rt(args[0])}.flags.{attr(fn)} = {const(kwargs)}")
            else:
                if kind == CALL:
                    expr = f"{fn_name(fn)}({call_args(args, kwargs)})"
                elif kind == BIN:
                    expr = f"{rt(args[0])} {fn} {rt(args[1])}"
                elif kind == UN:
                    expr = f"abs({rt(args[0])})" if fn == "abs" else f"{fn}{rt(args[0])}"
                elif kind == ATTR:
                    expr = f"{rt(args[0])}.{attr(fn)}"
                elif kind == METH:
                    expr = f"{rt(args[0])}.{attr(fn)}({call_args(args[1:], kwargs)})"
                elif kind == GETITEM:
                    expr = f"{rt(args[0])}[{rt(args[1])}]"
                elif kind == FRESH:
                    expr = f"{const(args[0])}.copy(order='K')"
                elif kind == CONST:
                    expr = const(args[0])
                else:  # pragma: no cover - every kind is handled above
                    raise AssertionError(kind)
                if outs is None:
                    lines.append(expr)
                else:
                    # Operands whose last use this is give their variables back before the
                    # result is bound (``v3 = sin(v3)``); big ones not rebound get a ``del``.
                    dying, big = dying_of(op, k)
                    free.extend(dying)
                    o = _outs(op)
                    target = ", ".join(new_name(sl) for sl in o) + \
                        ("," if type(outs) is tuple else "")  # unpack a tuple result
                    lines.append(f"{target} = {expr}")
                    if flags & SHAPED:
                        for sl in o:
                            lines.append(f"if {names[sl]}.shape != {self.meta[sl][1]!r}: "
                                         f"raise _miss({k})")
                    reused = {names[sl] for sl in o}
                    dels = [n for n in dying if n in big and n not in reused]
                    for sl in o:  # results nothing reads (a multi-output op's extras)
                        if last.get(sl) == k:
                            n = names.pop(sl)
                            free.append(n)
                            if size(sl) > _BIG:
                                dels.append(n)
                    if dels:
                        lines.append("del " + ", ".join(dels))
                    continue
            dying, big = dying_of(op, k)
            free.extend(dying)
            dels = [n for n in dying if n in big]
            if dels:
                lines.append("del " + ", ".join(dels))

        ret = self._render_out(self.out, names, const, set())
        params = ", ".join(f"a{k}" for k in range(len(self.inputs)))
        src = f"def replay({params}):\n" + "".join(f"    {ln}\n" for ln in lines) + \
            f"    return {ret}\n"
        self.source = src
        code = compile(src, f"<chainrule.jit {self.name}>", "exec")
        exec(code, glob)
        self.run = glob["replay"]
        self._keep = keep_alive
        return self.run

    def _render_out(self, t, names, const, seen):
        tt = type(t)
        if tt is Slot:
            n = names[t]
            if n in seen and issubclass(self.meta[t][0], _np.ndarray):
                return f"{n}.copy(order='K')"  # two outputs must not be one array
            seen.add(n)
            return n
        if tt is tuple:
            return "(" + "".join(self._render_out(e, names, const, seen) + ", " for e in t) + ")"
        if tt is list:
            return "[" + ", ".join(self._render_out(e, names, const, seen) for e in t) + "]"
        if tt is dict:
            return "{" + ", ".join(f"{const(k)}: {self._render_out(e, names, const, seen)}"
                                   for k, e in t.items()) + "}"
        if tt is _Named:
            return f"{const(t.type)}(" + ", ".join(
                self._render_out(e, names, const, seen) for e in t.items) + ")"
        if tt is _np.ndarray and id(t) not in self.static_outputs:
            return f"{const(t)}.copy(order='K')"  # made by the call: a fresh one each time
        return const(t)

    # -- the table -------------------------------------------------------------------------

    def table(self, max_rows=None):
        """The program as an evaluation-trace table (``print(program)``)."""
        from ..explain.tables import Table
        if self.kept is None:
            self.compile()
        rows = []
        for s in self.inputs:
            rows.append([f"{s!r} = {self.labels.get(s, 'input')}", _fmt_meta(self.meta[s]),
                         "input"])
        for op in self.kept:
            rows.append(_op_row(op, self.meta))
        n, m = len(self.kept), len(self.ops)
        dropped = "" if n == m else (f" ({m} recorded: {m - n} unused or repeating an "
                                     "identical earlier one)")
        notes = [f"{n} operations{dropped}, {self.guards} guard(s); returns "
                 f"{_text(self.out)}"]
        if self.random:
            notes.append("draws from a random generator on every call")
        return Table(f"Recorded program of {self.name}", ["evaluation trace", "value", "op"],
                     rows, notes=notes, max_rows=max_rows)

    def __str__(self):
        return self.table().to_text()

    def __repr__(self):
        return (f"<chainrule.jit program of {self.name}: {len(self.inputs)} inputs, "
                f"{len(self.kept if self.kept is not None else self.ops)} operations>")


class _Named:
    """An output namedtuple's template."""

    __slots__ = ("type", "items")

    def __init__(self, type_, items):
        self.type, self.items = type_, items


def _same(a, b):
    """Guard comparison: equal values (NaN equals NaN, arrays elementwise)."""
    try:
        if a == b:
            return True
    except ValueError:
        return bool(_np.array_equal(a, b, equal_nan=True))
    return a != a and b != b


def _fmt_meta(meta):
    t, shape, dt = meta
    if dt is None:
        return t.__name__
    return ("×".join(str(n) for n in shape) + " " if shape else "") + str(dt)


def _text(t):
    tt = type(t)
    if tt is Slot:
        return repr(t)
    if tt is tuple:
        return "(" + ", ".join(_text(e) for e in t) + ("," if len(t) == 1 else "") + ")"
    if tt is list:
        return "[" + ", ".join(_text(e) for e in t) + "]"
    if tt is dict:
        return "{" + ", ".join(f"{k!r}: {_text(e)}" for k, e in t.items()) + "}"
    if tt is _SliceT:
        return f"slice({_text(t.start)}, {_text(t.stop)}, {_text(t.step)})"
    if tt is _Named:
        return f"{getattr(t.type, '__name__', 'container')}(" + \
            ", ".join(_text(e) for e in t.items) + ")"
    if tt is _np.ndarray:
        return f"<{'×'.join(map(str, t.shape))} {t.dtype} constant>"
    if tt is slice:
        return (("" if t.start is None else str(t.start)) + ":" +
                ("" if t.stop is None else str(t.stop)) +
                ("" if t.step is None else f":{t.step}"))
    return repr(t)


def _fname(fn):
    self = getattr(fn, "__self__", None)
    if isinstance(self, _np.ufunc):
        return f"{self.__name__}.{fn.__name__}"
    name = getattr(fn, "__name__", None)
    return name or repr(fn)


def _op_row(op, meta):
    kind, fn, args, kwargs, outs, writes, flags = op
    kw = "".join(f", {k}={_text(v)}" for k, v in (kwargs or {}).items()) \
        if kind not in (GUARD, SETFLAG) else ""
    if kind == CALL:
        expr = f"{_fname(fn)}({', '.join(_text(a) for a in args)}{kw})"
    elif kind == BIN:
        expr = f"{_text(args[0])} {fn} {_text(args[1])}"
    elif kind == UN:
        expr = f"{fn}({_text(args[0])})" if fn == "abs" else f"{fn}{_text(args[0])}"
    elif kind == ATTR:
        expr = f"{_text(args[0])}.{fn}"
    elif kind == METH:
        expr = f"{_text(args[0])}.{fn}({', '.join(_text(a) for a in args[1:])}{kw})"
    elif kind == GETITEM:
        expr = f"{_text(args[0])}[{_text(args[1])}]"
    elif kind == SETITEM:
        expr = f"{_text(args[0])}[{_text(args[1])}] = {_text(args[2])}"
    elif kind == IOP:
        expr = f"{_text(args[0])} {fn}= {_text(args[1])}"
    elif kind == GUARD:
        expr = f"guard {fn.what}: {_fname(fn.fn)}({', '.join(_text(a) for a in args)}) " \
               f"== {fn.expected!r}"
    elif kind == FRESH:
        expr = "a fresh copy of a buffer a rule writes into"
    elif kind == CONST:
        expr = _text(args[0])
    else:
        expr = f"{_text(args[0])}.flags.{fn} = {kwargs!r}"
    o = _outs(op)
    if o:
        expr = ", ".join(repr(s) for s in o) + " = " + expr
        value = ", ".join(_fmt_meta(meta[s]) for s in o)
    else:
        value = ""
    tag = KIND_NAMES[kind]
    if flags & RANDOM:
        tag += " (random)"
    return [expr, value, tag]
