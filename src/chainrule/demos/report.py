"""The ``index.html`` of ``chainrule demo all``: one self-contained page with every demo's results.

Figures are embedded as base64 ``data:`` URIs and the style sheet is inline,
so the file opens in any browser, from disk, with no server and no network.
Each demo gets its summary lines, its figures with their one-sentence
captions, its notes and a table of every number in its report.json.

>>> html = build_index([{"name": "x", "dir": "x", "status": "skipped", "note": "missing"}],
...                    root=".", seed=0, quick=True)
>>> "<!DOCTYPE html>" in html and "missing" in html
True
"""

import base64
import html
import pathlib

from .. import fileio
from .common import json_ready

__all__ = ["build_index", "write_index", "flatten_numbers"]

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1020px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em;
       margin-top: 2.2em; }
.meta { color: #666; font-size: 0.9em; }
nav ul { columns: 2; } .status { font-size: 0.8em; padding: 0.1em 0.5em; border-radius: 3px; }
.ok { background: #e3f4e6; color: #1d6b2c; } .skipped { background: #f4efe3; color: #7a5a12; }
.failed { background: #f8e3e3; color: #8a1c1c; }
figure { margin: 1.2em 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; max-width: 820px; margin: 0.4em auto; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.v { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
       word-break: break-all; max-width: 560px; }
tr.timing td { color: #777; } .notes { background: #f6f6f6; padding: 0.5em 0.8em; }
ul.summary li { margin: 0.15em 0; }
"""


def _fmt(v):
    """A number as the table shows it: integers exactly, floats to 6 significant digits."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4e}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e7) else f"{v:.6g}"
    if isinstance(v, list):
        if all(not isinstance(x, (list, dict)) for x in v):
            return "[" + ", ".join(_fmt(x) for x in v) + "]"
        return "[" + ",\n ".join(_fmt(x) for x in v) + "]"
    return str(v)


def _count(v):
    return sum(_count(x) for x in v) if isinstance(v, list) else 1


#: lists with more numbers than this are folded (a preview, the full list on a click)
FOLD = 12


def _cell(v):
    """A table cell's HTML: the value, long lists folded into a ``<details>``."""
    text = html.escape(_fmt(v))
    n = _count(v) if isinstance(v, list) else 0
    if n <= FOLD:
        return text
    flat = []

    def walk(x):
        if isinstance(x, list):
            for y in x:
                walk(y)
        else:
            flat.append(x)
    walk(v)
    preview = ", ".join(_fmt(x) for x in flat[:4]) + ", …, " + _fmt(flat[-1])
    return (f"<details><summary>{n} values: [{html.escape(preview)}]</summary>{text}"
            f"</details>")


def flatten_numbers(numbers, prefix=""):
    """``{"a": {"b": 1}}`` -> ``[("a.b", 1)]``: the rows of a demo's numbers table.

    >>> flatten_numbers({"acc": 0.96, "grad": {"fwd": 1e-15}})
    [('acc', 0.96), ('grad.fwd', 1e-15)]
    """
    rows = []
    for k, v in numbers.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows.extend(flatten_numbers(v, key + "."))
        else:
            rows.append((key, v))
    return rows


def _image(path):
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError:
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _section(entry, root):
    name, esc = entry["name"], html.escape
    status = entry.get("status", "ok")
    parts = [f'<section id="{esc(name)}"><h2>chainrule demo {esc(name)} '
             f'<span class="status {esc(status)}">{esc(status)}</span></h2>']
    if entry.get("help"):
        parts.append(f"<p>{esc(entry['help'])}.</p>")
    if status != "ok":
        parts.append(f'<p class="notes">{esc(entry.get("note", ""))}</p></section>')
        return "\n".join(parts)
    rep = json_ready(entry["report"])
    if rep.get("summary"):
        parts.append('<ul class="summary">' + "".join(f"<li>{esc(str(s))}</li>"
                                                      for s in rep["summary"]) + "</ul>")
    for fig in rep.get("figures", []):
        src = _image(pathlib.Path(root) / entry["dir"] / fig["file"])
        caption = esc(fig.get("caption", ""))
        if src is None:
            parts.append(f"<p class='notes'>Figure {esc(fig['file'])} is missing.</p>")
            continue
        parts.append(f'<figure><img src="{src}" alt="{caption}">'
                     f"<figcaption>{caption}</figcaption></figure>")
    if rep.get("notes"):
        parts.append(f'<p class="notes">{esc(rep["notes"])}</p>')
    rows = flatten_numbers(rep.get("numbers", {}))
    meta = [("seed", rep.get("seed")), ("quick", rep.get("quick"))]
    if "seconds" in rep:
        meta.append(("timing.run_seconds", rep["seconds"]))
    body = "".join(
        f'<tr{" class=timing" if "timing" in k.split(".") else ""}><td>{esc(k)}</td>'
        f'<td class="v">{_cell(v)}</td></tr>' for k, v in meta + rows)
    parts.append(f"<details open><summary>Numbers (report.json; grey rows are times, which "
                 f"vary from run to run)</summary><table><tr><th>name</th><th>value</th></tr>"
                 f"{body}</table></details>")
    parts.append("</section>")
    return "\n".join(parts)


def build_index(entries, root, seed, quick, seconds=None):
    """The HTML text of the report for ``entries`` (one dict per demo, see :func:`write_index`)."""
    esc = html.escape
    ran = sum(e.get("status") == "ok" for e in entries)
    nav = "".join(f'<li><a href="#{esc(e["name"])}">{esc(e["name"])}</a> '
                  f'<span class="status {esc(e.get("status", "ok"))}">'
                  f'{esc(e.get("status", "ok"))}</span></li>' for e in entries)
    took = f", {seconds:.1f} s" if seconds is not None else ""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>chainrule demos: the lecture, runnable</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>chainrule demos: the lecture, runnable</h1>",
        f'<p class="meta">{ran} of {len(entries)} demos; seed {seed}'
        f'{", quick sizes" if quick else ""}{took}. Every number below was computed by '
        "chainrule; each demo's report.json holds the same numbers.</p>",
        f"<nav><ul>{nav}</ul></nav>",
        *(_section(e, root) for e in entries),
        "</body></html>",
    ])


def write_index(root, entries, seed, quick, seconds=None):
    """Write ``root/index.html`` with :func:`chainrule.fileio.write_atomic`; returns its path.

    ``entries``: one dict per demo with ``name``, ``dir`` (its folder under
    ``root``), ``status`` (``"ok"``, ``"skipped"`` or ``"failed"``), and
    ``report`` (the demo's report dict) or ``note`` (why it did not run).
    """
    root = pathlib.Path(root)
    path = root / "index.html"
    fileio.write_atomic(path, build_index(entries, root, seed, quick, seconds))
    return path

