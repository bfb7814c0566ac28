"""The ``chainrule`` command.

::

    chainrule trace "y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)" \\
        --at w0=0.5 w1=2 x=1.5 --wrt w1 --output y2 --mode both --graph graph.svg

Each subcommand is one entry of :data:`SUBCOMMANDS`: a help line, a function
that adds its arguments to an :mod:`argparse` sub-parser and a function that
runs it and returns the exit status. Adding a command (``chainrule demo``)
is two functions and one entry.
"""

import argparse
import ast
import os
import sys

import numpy as _np

MODES = {"trace": (False, False, False), "forward": (True, False, False),
         "reverse": (False, True, False), "both": (True, True, False), "all": (True, True, True)}


def _say(text, stream=None):
    """Print, falling back to UTF-8 bytes on a terminal that cannot encode ȧ and ā."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write((text + "\n").encode("utf-8"))


def _number_tree(x):
    if isinstance(x, (list, tuple)):
        return all(_number_tree(i) for i in x)
    return type(x) in (int, float)


def parse_value(text):
    """``"1.5"`` -> 1.5, ``"1,2,3"`` or ``"[1, 2, 3]"`` -> a float array.

    >>> parse_value("2"), parse_value("1,2").tolist()
    (2.0, [1.0, 2.0])
    """
    s = text.strip()
    if not s.startswith("[") and "," in s:
        s = f"[{s}]"
    try:
        v = ast.literal_eval(s)  # literals only: never runs code
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        v = None
    if v is None or isinstance(v, bool) or not _number_tree(v):
        raise ValueError(f"{text!r} is not a number or a list of numbers")
    return float(v) if type(v) in (int, float) else _np.asarray(v, dtype=float)


def _parse_at(items):
    values = {}
    for item in items or []:
        name, eq, text = item.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"--at takes NAME=VALUE, not {item!r}")
        values[name.strip()] = parse_value(text)
    return values


# ---------------------------------------------------------------------------
# chainrule trace
# ---------------------------------------------------------------------------

def _add_trace(p):
    p.add_argument("formula", help="e.g. \"y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)\": "
                   "numbers, names, + - * / **, and math functions (sin, exp, log, ...)")
    p.add_argument("--at", nargs="+", action="extend", metavar="NAME=VALUE", default=[],
                   help="the point: one value per input, e.g. --at w0=0.5 w1=2 x=1.5 "
                        "(x=1,2,3 is a vector); inputs are numbered a1, a2, ... in this order")
    p.add_argument("--wrt", help="input of the forward-mode table (default: the first)")
    p.add_argument("--output", help="output of the reverse-mode table (default: the first)")
    p.add_argument("--mode", choices=list(MODES), default="both",
                   help="tables to show: the evaluation trace only, with forward mode, "
                        "reverse mode, both, or all (both and the Jacobian cost)")
    p.add_argument("--cost", action="store_true",
                   help="add the forward-versus-reverse pass count for the whole Jacobian")
    p.add_argument("--format", choices=["text", "markdown", "html"], default="text")
    p.add_argument("--graph", metavar="FILE",
                   help="draw the graph: .svg, .png, .pdf (need Graphviz's dot) or .dot")
    p.add_argument("--show", choices=["value", "tangent", "adjoint", "both"],
                   help="what the graph's nodes show besides their value (default: per --mode)")
    p.add_argument("--max-rows", type=int, default=100, metavar="N",
                   help="show at most N rows per table (default 100)")
    p.add_argument("--no-merge", action="store_true",
                   help="keep repeated identical computations as separate nodes")


def _run_trace(args):
    from .explain import ExpressionError, GraphvizNotFoundError, compile_expression, trace
    try:
        at = _parse_at(args.at)
        program = compile_expression(args.formula, inputs=list(at))
    except ExpressionError as e:
        missing = getattr(e, "missing", None)
        msg = (f"{missing!r} has no value: give it with --at {missing}=VALUE"
               if missing else str(e))
        _say(f"chainrule trace: error: {msg}", sys.stderr)
        return 2
    except ValueError as e:
        _say(f"chainrule trace: error: {e}", sys.stderr)
        return 2
    try:
        ex = trace(program, merge=not args.no_merge, **at)
        fwd, rev, cost = MODES[args.mode]
        report = ex.report(wrt=args.wrt, output=args.output, forward=fwd, reverse=rev,
                           cost=cost or args.cost, max_rows=args.max_rows)
    except (ValueError, TypeError, ArithmeticError) as e:
        _say(f"chainrule trace: error: {e}", sys.stderr)
        return 2
    _say({"text": report.to_text, "markdown": report.to_markdown,
          "html": report.to_html}[args.format]())
    if args.graph:
        show = args.show or {(True, True): "both", (True, False): "tangent",
                             (False, True): "adjoint"}.get((fwd, rev), "value")
        try:
            ex.render(args.graph, show=show, wrt=args.wrt, output=args.output)
        except GraphvizNotFoundError as e:
            dot_path = os.path.splitext(args.graph)[0] + ".dot"
            ex.render(dot_path, show=show, wrt=args.wrt, output=args.output)
            _say(f"{e}\nWrote the graph as DOT text to {dot_path} instead.", sys.stderr)
            return 1
        except (ValueError, RuntimeError, OSError) as e:
            _say(f"chainrule trace: error: {e}", sys.stderr)
            return 1
        _say(f"graph written to {args.graph}", sys.stderr)
    return 0


def _trace_epilog():
    from .explain.expr import ALIASES, FUNCTIONS
    return ("functions: " + ", ".join(sorted(FUNCTIONS)) + "; aliases: "
            + ", ".join(f"{a}={b}" for a, b in sorted(ALIASES.items()))
            + ". The formula is checked against this whitelist and never run as Python.")


#: name -> function returning the text shown after its --help
EPILOGS = {"trace": _trace_epilog}

#: name -> (help line, add its arguments, run it and return the exit status)
SUBCOMMANDS = {
    "trace": ("show the evaluation trace and the forward/reverse-mode tables of a formula",
              _add_trace, _run_trace),
}


def build_parser():
    """The ``chainrule`` argument parser, one sub-parser per entry of :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="chainrule", description="chainrule: automatic differentiation of NumPy code, "
        "with the chain rule made visible.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_line, add, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_line, description=help_line,
                           epilog=EPILOGS[name]() if name in EPILOGS else None)
        add(p)
        p.set_defaults(_run=run)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (``main(["trace", "x*x", "--at", "x=3"])``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
