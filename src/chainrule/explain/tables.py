"""Tables as plain text, Markdown and HTML, and the short printing of values.

No dependency: a :class:`Table` is a title, a header, rows of strings and
notes. ``print(table)`` gives the terminal form, ``table.to_markdown()`` the
Markdown one, and Jupyter shows ``table._repr_html_()``.
"""

import html

import numpy as _np

from ..core.engine import getval


def fmt_number(x, digits=6):
    """Short form of one number: ``3``, ``3.5``, ``-0.350783``.

    >>> fmt_number(2.0), fmt_number(-0.35078322768961984)
    ('2', '-0.350783')
    """
    x = getval(x)
    if isinstance(x, (complex, _np.complexfloating)):
        return f"{complex(x):.{digits}g}".strip("()")
    if isinstance(x, (bool, _np.bool_)):
        return str(bool(x))
    try:
        return f"{float(x):.{digits}g}"
    except (TypeError, ValueError):
        return repr(x)


def fmt_value(v, preview=3, digits=6):
    """A scalar as a number; an array as its shape and a short preview.

    >>> fmt_value(_np.arange(6.0).reshape(2, 3))
    '2×3 [0, 1, 2, …]'
    """
    v = getval(v)
    if v is None:
        return "0"
    if _np.ndim(v) == 0:
        return fmt_number(v[()] if isinstance(v, _np.ndarray) else v, digits)
    a = _np.asarray(v)
    shape = "×".join(str(n) for n in a.shape)
    flat = a.ravel()[:preview]
    more = ", …" if a.size > preview else ""
    return f"{shape} [{', '.join(fmt_number(e, digits) for e in flat)}{more}]"


def _clip(rows, max_rows):
    """Keep the first and last rows, with one row saying how many were left out."""
    if max_rows is None or len(rows) <= max_rows:
        return rows, 0
    head = max(1, (max_rows + 1) // 2)
    tail = max(0, max_rows - head)
    left = len(rows) - head - tail
    return rows[:head] + [None] + (rows[-tail:] if tail else []), left


class Table:
    """A titled table: ``print`` it, or call ``to_markdown()`` / ``to_html()``."""

    def __init__(self, title, header, rows, notes=(), max_rows=None):
        self.title = title
        self.header = list(header)
        self.rows = [list(r) for r in rows]
        self.notes = list(notes)
        self.max_rows = max_rows

    def _shown(self):
        rows, left = _clip(self.rows, self.max_rows)
        gap = f"… {left} rows not shown (raise max_rows to see them) …"
        return [r if r is not None else [gap] + [""] * (len(self.header) - 1) for r in rows], \
            (gap if left else None)

    def to_text(self):
        """The table for a terminal.

        >>> print(Table("T", ["a", "b"], [["1", "22"]]).to_text())
        T
          a  b
          ─  ──
          1  22
        """
        rows, gap = self._shown()
        body = [r for r in rows if not (gap and r[0] == gap)]
        widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(self.header)]

        def line(cells):
            cells = [c.ljust(w) for c, w in zip(cells, widths, strict=True)]
            return ("  " + "  ".join(cells)).rstrip()
        out = [self.title, line(self.header), line(["─" * w for w in widths])]
        out += ["  " + r[0] if gap and r[0] == gap else line(r) for r in rows]
        out += [""] + self.notes if self.notes else []
        return "\n".join(out)

    def to_markdown(self):
        """The table in GitHub Markdown."""
        def cell(c):
            return c.replace("|", "\\|") if c else " "
        rows, _ = self._shown()
        out = [f"**{self.title}**", "", "| " + " | ".join(map(cell, self.header)) + " |",
               "|" + "---|" * len(self.header)]
        out += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
        out += [""] + [f"- {n}" for n in self.notes] if self.notes else []
        return "\n".join(out)

    def to_html(self):
        """The table as an HTML fragment (what Jupyter displays)."""
        e = html.escape
        rows, gap = self._shown()
        out = ['<table class="chainrule-explain" style="font-family:monospace">',
               f'<caption style="text-align:left;font-weight:bold">{e(self.title)}</caption>',
               "<tr>" + "".join(f'<th style="text-align:left">{e(h)}</th>'
                                for h in self.header) + "</tr>"]
        for r in rows:
            if gap and r[0] == gap:
                out.append(f'<tr><td colspan="{len(self.header)}"><i>{e(gap)}</i></td></tr>')
            else:
                out.append("<tr>" + "".join(f'<td style="text-align:left">{e(c)}</td>'
                                            for c in r) + "</tr>")
        out.append("</table>")
        out += [f"<p>{e(n)}</p>" for n in self.notes]
        return "\n".join(out)

    def _repr_html_(self):
        return self.to_html()

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return self.to_text()


class Report:
    """Several tables shown one after the other (text, Markdown or HTML)."""

    def __init__(self, parts):
        self.parts = list(parts)

    def to_text(self):
        return "\n\n".join(p.to_text() for p in self.parts)

    def to_markdown(self):
        return "\n\n".join(p.to_markdown() for p in self.parts)

    def to_html(self):
        return "\n".join(p.to_html() for p in self.parts)

    def _repr_html_(self):
        return self.to_html()

    __str__ = __repr__ = to_text
