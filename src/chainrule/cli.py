"""The ``chainrule`` command.

::

    chainrule trace "y1 = sin(w1*x + w0); y2 = cos(w1*x + w0)" \\
        --at w0=0.5 w1=2 x=1.5 --wrt w1 --output y2 --mode both --graph graph.svg

Each subcommand is one entry of :data:`SUBCOMMANDS`: a help line, a function
that adds its arguments to an :mod:`argparse` sub-parser and a function that
runs it and returns the exit status. Adding a command is two functions and
one entry.

::

    chainrule demo iris                  # the lecture's Iris model: figures in out/iris/
    chainrule demo all --quick           # every demo, small sizes, and out/index.html
"""

import argparse
import ast
import math
import os
import pathlib
import re
import sys
import time
import traceback

import numpy as _np

from .demos import ORDER as _DEMO_ORDER  # names only: no demo module is imported here

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
    try:
        out = float(v) if type(v) in (int, float) else _np.asarray(v, dtype=float)
    except OverflowError:  # a 400-digit integer
        out = math.inf
    except ValueError:
        raise ValueError(f"{text!r} is not a rectangular list of numbers (every row must "
                         "have the same length)") from None
    if not _np.all(_np.isfinite(out)):
        raise ValueError(f"{text[:40]!r} holds a number too large for a 64-bit float "
                         "(at most about 1.8e308)")
    return out


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
    p.add_argument("--max-elements", type=_positive_int, default=None, metavar="N",
                   help="size budget: the most numbers the formula's values (and, for "
                        "--mode all or --cost, the Jacobians) may hold, checked from the "
                        "shapes before computing (default 1000000)")


def _positive_int(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return n


def _division_by_zero(ex):
    """Why a derivative divided by zero: the first division by a zero (or by an array with
    a zero), as a line of the trace, or ``None``."""
    for node in ex.nodes:
        if node.prim is not None and node.op in ("divide", "true_divide", "reciprocal"):
            den = node.vals[-1]
            if _np.any(_np.asarray(den) == 0):
                return ex.line(node)
    return None


def _not_finite(ex):
    """Lines of the trace whose value is infinite or NaN (with its first such entry)."""
    out = []
    for node in ex.nodes:
        v = _np.ravel(node.value)
        bad = ~_np.isfinite(v)
        if bad.any():
            out.append(f"{ex.line(node)} is {v[bad][0]}")
    return out


def _at_text(at):
    """The point, as --at wrote it (arrays by their shape)."""
    return " ".join(f"{k}={v:g}" if _np.ndim(v) == 0 else
                    f"{k}=<{'×'.join(map(str, _np.shape(v)))} array>" for k, v in at.items())


def _run_trace(args):
    from .explain import ExpressionError, GraphvizNotFoundError, compile_expression, trace
    from .explain.expr import MAX_ELEMENTS
    budget = args.max_elements or MAX_ELEMENTS
    try:
        at = _parse_at(args.at)
        program = compile_expression(args.formula, inputs=list(at))
        program.check_size(at, budget)  # from the shapes, before anything is computed
    except ExpressionError as e:
        missing = getattr(e, "missing", None)
        msg = (f"{missing!r} has no value: give it with --at {missing}=VALUE"
               if missing else str(e))
        _say(f"chainrule trace: error: {msg}", sys.stderr)
        return 2
    except ValueError as e:
        _say(f"chainrule trace: error: {e}", sys.stderr)
        return 2
    fwd, rev, cost = MODES[args.mode]
    ex = None
    try:
        # NumPy's warnings would name chainrule's internals; what is not finite is said below
        with _np.errstate(all="ignore"):
            # the inputs go positionally (the program's parameters are the input names, in
            # order), so an input called merge or names can never be taken for an option
            ex = trace(program, *at.values(), merge=not args.no_merge)
            report = ex.report(wrt=args.wrt, output=args.output, forward=fwd, reverse=rev,
                               cost=cost or args.cost, max_rows=args.max_rows,
                               max_elements=budget)
    except ZeroDivisionError:
        where = _division_by_zero(ex) if ex is not None else None
        point = _at_text(at)
        what = (f"{where} divides by zero at {point}" if where else
                f"the formula, or one of its derivatives, divides by zero at {point}")
        _say(f"chainrule trace: error: division by zero: {what}, so the derivatives there "
             "do not exist; choose another point with --at", sys.stderr)
        return 2
    except (ValueError, TypeError, ArithmeticError) as e:
        _say(f"chainrule trace: error: {e}", sys.stderr)
        return 2
    _say({"text": report.to_text, "markdown": report.to_markdown,
          "html": report.to_html}[args.format]())
    bad = _not_finite(ex)
    if bad:
        _say("chainrule trace: warning: not finite at this point: " + "; ".join(bad[:5])
             + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else "")
             + "; the derivatives through these values are not meaningful", sys.stderr)
    if args.graph:
        show = args.show or {(True, True): "both", (True, False): "tangent",
                             (False, True): "adjoint"}.get((fwd, rev), "value")
        try:
            with _np.errstate(all="ignore"):
                ex.render(args.graph, show=show, wrt=args.wrt, output=args.output)
        except GraphvizNotFoundError as e:
            dot_path = os.path.splitext(args.graph)[0] + ".dot"
            try:  # the fallback must not replace a file the user did not name
                with _np.errstate(all="ignore"):
                    ex.render(dot_path, show=show, wrt=args.wrt, output=args.output,
                              overwrite=False)
            except FileExistsError:
                _say(f"{e}\nNot writing the DOT text to {dot_path} instead: that file exists "
                     f"(give --graph {dot_path} to replace it).", sys.stderr)
                return 1
            except (ValueError, RuntimeError, OSError) as e2:
                _say(f"{e}\nchainrule trace: error: {e2}", sys.stderr)
                return 1
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


# ---------------------------------------------------------------------------
# chainrule demo
# ---------------------------------------------------------------------------

def _out_dir(text):
    if not text.strip():  # pathlib.Path("") is "." : an empty --out would mean the cwd
        raise argparse.ArgumentTypeError("--out is empty; name a folder (--out . for the "
                                         "current one)")
    return pathlib.Path(text)


def _demo_common_options():
    """The options every demo takes (a parent parser shared by the demo sub-parsers)."""
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("common options")
    g.add_argument("--seed", type=int, default=0, metavar="N",
                   help="random seed: the same seed gives the same numbers (default 0)")
    g.add_argument("--out", type=_out_dir, default=None, metavar="DIR",
                   help="where figures and report.json go (default out/<demo>; "
                        "for 'all': out, with one folder per demo and out/index.html)")
    g.add_argument("--quick", action="store_true",
                   help="reduced sizes that run in seconds (what the test suite runs)")
    g.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars")
    return common


def _demo_exists(name):
    from . import demos
    return name in demos.available()


def _add_demo(p):
    from . import demos
    p.set_defaults(_demo_parser=p)  # `chainrule demo` alone prints this parser's help
    common = _demo_common_options()
    sub = p.add_subparsers(dest="demo", metavar="DEMO")
    for name in demos.ORDER:
        try:
            module = demos.load(name)
        except demos.DemoUnavailable as e:
            why = "failed to import" if _demo_exists(name) else "not installed"
            q = sub.add_parser(name, help=f"({why}: see `chainrule demo {name}`)",
                               parents=[common])
            q.set_defaults(_demo_error=str(e))
            continue
        q = sub.add_parser(name, help=module.HELP, description=module.HELP, parents=[common],
                           epilog=f"Writes its figures (PNG) and report.json to --out "
                                  f"(default out/{name}).")
        module.add_arguments(q.add_argument_group(f"{name} options"))
    sub.add_parser("all", parents=[common],
                   help="run every demo (default options) and write out/index.html, "
                        "a self-contained report with all figures and numbers",
                   description="Run every demo with its default options, each into "
                               "<out>/<demo>/, then write <out>/index.html (default out).")


def _demo_epilog():
    return ("Each demo takes --seed, --out, --quick and --no-progress, prints a short summary "
            "and writes PNG figures and report.json (every printed number). "
            "Example: chainrule demo iris --seed 1 --out /tmp/iris. "
            "Needs matplotlib (pip install 'chainrule[plot]'); tqdm adds progress bars.")


def _demo_args(module, args, out):
    """The namespace ``module.run`` gets: its own option defaults, overridden by ``args``."""
    own = argparse.ArgumentParser(add_help=False)
    module.add_arguments(own)
    ns = own.parse_args([])
    for k, v in vars(args).items():
        if not k.startswith("_") and k not in ("command", "demo"):
            setattr(ns, k, v)
    ns.out = out
    return ns


def _run_one(module, args, out):
    """Run one demo into ``out``; write its report.json; return the report.

    The report also records which code made it (``source_hash``, see
    :func:`chainrule.demos.source_hash`) and the SHA-256 of each figure, so that a
    committed report can be checked against its demo's current code and its figures.
    """
    import hashlib

    from . import demos
    from .demos.common import staged_figures, write_report
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    # the figures are written only if the demo succeeds, then the report: a failed rerun
    # leaves the previous run's figures and report.json together
    with staged_figures():
        report = module.run(_demo_args(module, args, out))
    seconds = time.perf_counter() - t0
    report = dict(report)
    report.setdefault("demo", module.NAME)
    report["seconds"] = round(seconds, 3)  # wall-clock time: not reproducible, unlike the rest
    if module.NAME in demos.ORDER:
        report["source_files"] = [p.name for p in demos.source_files(module.NAME)]
        report["source_hash"] = demos.source_hash(module.NAME)
    report["figures"] = [
        {**fig, "sha256": hashlib.sha256((out / fig["file"]).read_bytes()).hexdigest()}
        if (out / fig["file"]).is_file() else fig for fig in report.get("figures", [])]
    path = write_report(out, report)
    _say(f"[{module.NAME}] done in {seconds:.1f} s; report: {path}")
    return report


def _check_plotting():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _say("chainrule demo: error: the demos draw their figures with matplotlib, which is not "
             "installed; run: pip install 'chainrule[plot]'", sys.stderr)
        return False
    return True


def _run_demo(args):
    from . import demos
    name = getattr(args, "demo", None)
    if name is None:
        args._demo_parser.print_help()
        return 2
    if getattr(args, "_demo_error", None):
        _say(f"chainrule demo: error: {args._demo_error}", sys.stderr)
        return 2
    if not _check_plotting():
        return 2
    if name != "all":
        module = demos.load(name)
        out = args.out if args.out is not None else pathlib.Path("out") / name
        _say(f"=== chainrule demo {name} (seed {args.seed}{', quick' if args.quick else ''}) "
             f"===")
        _run_one(module, args, out)
        return 0
    return _run_all(args)


def _run_all(args):
    from . import demos
    from .demos import report as report_mod
    root = args.out if args.out is not None else pathlib.Path("out")
    root.mkdir(parents=True, exist_ok=True)
    entries, failed, t0 = [], [], time.perf_counter()
    for name in demos.ORDER:
        _say(f"\n=== chainrule demo {name} (seed {args.seed}{', quick' if args.quick else ''}) "
             f"===")
        try:
            module = demos.load(name)
        except demos.DemoUnavailable as e:
            _say(f"[{name}] skipped: {e}")
            entries.append({"name": name, "dir": name, "status": "skipped", "note": str(e)})
            continue
        try:
            rep = _run_one(module, args, root / name)
        except Exception as e:  # noqa: BLE001 - report it, run the other demos
            traceback.print_exc()
            _say(f"[{name}] FAILED: {type(e).__name__}: {e}", sys.stderr)
            failed.append(name)
            entries.append({"name": name, "dir": name, "help": module.HELP, "status": "failed",
                            "note": f"{type(e).__name__}: {e}"})
            continue
        entries.append({"name": name, "dir": name, "help": module.HELP, "status": "ok",
                        "report": rep})
    index = report_mod.write_index(root, entries, seed=args.seed, quick=args.quick,
                                   seconds=time.perf_counter() - t0)
    ran = sum(e["status"] == "ok" for e in entries)
    skipped = [e["name"] for e in entries if e["status"] == "skipped"]
    _say(f"\n{ran} of {len(entries)} demos ran in {time.perf_counter() - t0:.1f} s"
         + (f"; skipped (not available): {', '.join(skipped)}" if skipped else "")
         + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    _say(f"Report: {index} (open it in a browser; it needs no server)")
    return 1 if failed else 0


#: name -> function returning the text shown after its --help
EPILOGS = {"trace": _trace_epilog, "demo": _demo_epilog}

#: name -> (help line, add its arguments, run it and return the exit status)
SUBCOMMANDS = {
    "trace": ("show the evaluation trace and the forward/reverse-mode tables of a formula",
              _add_trace, _run_trace),
    "demo": ("run the lecture's experiments (" + ", ".join(_DEMO_ORDER) + ", or all): figures, "
             "report.json and an HTML report", _add_demo, _run_demo),
}


#: a formula that starts with '-' is read by argparse as an option
_DASH_HINT = ("; a formula that starts with '-' must come after '--', as in: "
              "chainrule trace --at x=1 -- '-x*x'")


class _Parser(argparse.ArgumentParser):
    """argparse, with a hint where a formula starting with '-' was taken for an option."""

    def error(self, message):
        unknown = re.search(r"unrecognized arguments: (.*)", message)
        if ("required: formula" in message
                or (unknown and any(t.startswith("-") and not t.startswith("--")
                                    for t in unknown.group(1).split()))):
            message += _DASH_HINT
        super().error(message)


def build_parser():
    """The ``chainrule`` argument parser, one sub-parser per entry of :data:`SUBCOMMANDS`."""
    parser = _Parser(
        prog="chainrule", description="chainrule: automatic differentiation of NumPy code, "
        "with the chain rule made visible.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_line, add, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_line, description=help_line,
                           epilog=EPILOGS[name]() if name in EPILOGS else None)
        add(p)
        p.set_defaults(_run=run)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (``main(["trace", "x*x", "--at", "x=3"])``).

    A reader that stops early (``chainrule trace ... | head``) ends the output quietly, with
    the status of a program stopped by SIGPIPE (141), not a ``BrokenPipeError`` traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        status = run(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows here at the latest
    except BrokenPipeError:
        try:  # the interpreter flushes stdout once more at exit: point it at nothing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    return status


if __name__ == "__main__":
    sys.exit(main())
