"""The computational graph as Graphviz DOT text, and SVG/PNG/PDF through the ``dot`` program.

Inputs are ellipses, primitives boxes, outputs have a double border. Each
node shows its line of the evaluation trace, its value and, when asked, its
tangent ȧ and/or adjoint ā. With adjoints, each edge carries the
contribution ā_k · ∂a_k/∂a_i that flows back along it.
"""

import os
import shutil
import subprocess

from .. import fileio
from .tables import fmt_value

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is not installed (DOT text still works)."""


def _q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _short(text, limit=48):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_dot(rows, edges, title=""):
    """DOT text from ``rows`` = ``[(id, lines, kind)]`` and ``edges`` = ``[(src, dst, label)]``.

    >>> print(to_dot([("a1", ["a1 = x"], "input")], []))  # doctest: +ELLIPSIS
    digraph chainrule {
    ...
      a1 [label="a1 = x", shape=ellipse...];
    }
    """
    out = ["digraph chainrule {", "  rankdir=BT;", '  graph [fontname="Helvetica"];',
           '  node [fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    if title:
        out.append(f"  labelloc=t; label={_q(title)};")
    style = {"input": "shape=ellipse, style=filled, fillcolor=\"#e8f0fe\"",
             "op": "shape=box, style=rounded",
             "output": "shape=box, style=\"rounded,filled\", peripheries=2, "
                       "fillcolor=\"#fff4d6\""}
    for nid, lines, kind in rows:
        out.append(f"  {nid} [label={_q(chr(10).join(_short(x) for x in lines))}, "
                   f"{style[kind]}];")
    for src, dst, label in edges:
        out.append(f"  {src} -> {dst}" + (f" [label={_q(label)}]" if label else "") + ";")
    out.append("}")
    return "\n".join(out)


def dot_program():
    """Path of Graphviz's ``dot``, or ``None``."""
    return shutil.which("dot")


def render(dot_text, path, *, overwrite=True):
    """Write ``dot_text`` to ``path``: .dot/.gv as text; .svg, .png, .pdf through ``dot``.

    Written with :func:`chainrule.fileio.write_atomic` (``dot`` writes to a
    pipe, never to the path itself): atomically, never through a symbolic
    link; ``overwrite=False`` refuses an existing file (``FileExistsError``).

    >>> import os, tempfile
    >>> p = render("digraph g {}", os.path.join(tempfile.mkdtemp(), "g.dot"))
    >>> open(p, encoding="utf-8").read()
    'digraph g {}\\n'
    """
    ext = os.path.splitext(str(path))[1].lower()
    if ext in (".dot", ".gv"):
        fileio.write_atomic(path, dot_text + "\n", overwrite=overwrite)
        return path
    if ext not in FORMATS:
        raise ValueError(f"chainrule.explain: cannot render to {ext or 'a file without an '}"
                         f"extension; use one of .svg, .png, .pdf, .dot")
    exe = dot_program()
    if exe is None:
        raise GraphvizNotFoundError(
            f"chainrule.explain: cannot write {path}: the Graphviz 'dot' program is not "
            "installed (not found on PATH). Install Graphviz (apt-get install graphviz, "
            "brew install graphviz or conda install graphviz), or save the DOT text with a "
            ".dot extension (or ex.to_dot()) and render it elsewhere.")
    if fileio.check_target(path) and not overwrite:  # refuse before running dot
        raise FileExistsError(f"refusing to write {str(path)!r}: it exists (overwrite=False)")
    res = subprocess.run([exe, "-T" + FORMATS[ext]], input=dot_text.encode(),
                         capture_output=True, timeout=60, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"chainrule.explain: dot failed: {res.stderr.decode(errors='replace')}")
    fileio.write_atomic(path, res.stdout, overwrite=overwrite)
    return path


def short_value(value):
    """A value short enough for a node or an edge: 4 digits, 2 elements of an array."""
    return fmt_value(value, preview=2, digits=4)


def value_line(symbol, value):
    return f"{symbol} = {short_value(value)}"
