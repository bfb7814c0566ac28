"""The README's Speed table, rendered from one ``make bench`` JSON file.

``python benchmarks/readme_table.py benchmarks/results/bench.json`` prints the block that
README.md holds between its ``bench:begin`` and ``bench:end`` markers;
``tests/test_readme.py`` renders it again from the committed JSON and checks that the README
says exactly that, so the README's speed numbers are always those of a recorded run.
To refresh them: ``make bench ARGS="--json benchmarks/results/bench.json"``, then paste
this script's output into the README.
"""

import json
import sys

PEERS = ("autograd", "torch", "jax-jit")


def _cells(data):
    return {(c["workload"], c["case"], c["system"]): c for c in data["cells"]}


def _x(r):
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def _span(values):
    lo, hi = min(values), max(values)
    return _x(lo) if _x(lo) == _x(hi) else f"{_x(lo)[:-1]}–{_x(hi)}"


def _bound(c):
    t = c and c.get("target")
    if not t:
        return ""
    return f"≤ {t['bound']:g} µs" if t["kind"] == "us_per_op" else f"≤ {t['bound']:g}×"


def render(data):
    """The Markdown block (table and the paragraph of other measurements) for ``data``."""
    cells = _cells(data)
    systems = ("chainrule", "chainrule-jit") + PEERS

    def ratio(w, case, s):
        c = cells.get((w, case, s))
        return None if c is None or c.get("ratio") is None else c["ratio"]

    def row(label, cases, w):
        out = [label]
        for s in systems:
            rs = [ratio(w, case, s) for case in cases]
            rs = [r for r in rs if r is not None]
            if not rs:
                out.append("")
            elif w == "W3":
                us = cells[(w, cases[0], s)]["median_per_op_us"]
                out.append(f"{_x(rs[0])} ({us:.2f} µs)" if us is not None else _x(rs[0]))
            elif len(cases) == 2 and w == "W2":
                out.append(" / ".join(_x(r) for r in rs))
            else:
                out.append(_span(rs))
            if s in ("chainrule", "chainrule-jit"):
                out.append(_bound(cells.get((w, cases[0], s))))
        return "| " + " | ".join(out) + " |"

    w4 = {"right mode": [], "wrong mode": []}
    for (w, case, s), c in cells.items():
        if w == "W4" and s == "chainrule" and c.get("target"):
            w4[c["target"]["note"]].append(case)
    np_w3 = cells[("W3", "op-overhead", "numpy")]["median_per_op_us"]
    lines = [
        "| workload | chainrule | target | chainrule `jit` | `jit` target | autograd | torch "
        "| jax jit |",
        "|---|---|---|---|---|---|---|---|",
        row("W1 Iris MLP step (150×3 → 16 sigmoid → 3)", ["iris-step"], "W1"),
        row("W2 784-512-10 ReLU MLP gradient, float32 / float64", ["f32 grad", "f64 grad"],
            "W2"),
        row(f"W3 per-op overhead (200 tiny ops; per op, NumPy's {np_w3:.2f} µs)",
            ["op-overhead"], "W3"),
        row("W4 Jacobian of tanh(Ax), right mode (outputs ≥ inputs: jacfwd; else jacrev)",
            sorted(w4["right mode"]), "W4"),
        row("W4 same, wrong mode", sorted(w4["wrong mode"]), "W4"),
        row("W5 Hessian-vector product, forward-over-reverse", ["hvp fwd-over-rev"], "W5"),
        row("W5 same, reverse-over-reverse", ["hvp rev-over-rev"], "W5"),
        row("W6 20-layer tanh MLP", ["deep-mlp"], "W6"),
    ]
    mem = {(m["dtype"], m["system"]): m["ratio"] for m in data["memory"]}
    cheap = {(m["dtype"], m["system"]): m["ratio"] for m in data["cheap_gradient"]}
    costs = {c["what"]: c["value"] for c in data["jit_costs"]}
    rec = [v for k, v in costs.items() if "recording call" in k]
    first = [v for k, v in costs.items() if "first replay" in k]
    d1 = {(b["case"], b["system"]): b["ratio"] for b in data.get("backends", [])
          if b["workload"] == "D1"}
    text = [
        "",
        f"A W2 gradient peaks at {mem[('f32', 'chainrule')]:.2f}× / "
        f"{mem[('f64', 'chainrule')]:.2f}× (float32 / float64) the memory of the hand-written "
        f"one, a replayed one at {mem[('f32', 'chainrule-jit')]:.2f}× / "
        f"{mem[('f64', 'chainrule-jit')]:.2f}×; a W2 gradient costs "
        f"{cheap[('f32', 'chainrule')]:.2f}× / {cheap[('f64', 'chainrule')]:.2f}× its forward "
        f"pass (hand-written NumPy {cheap[('f32', 'numpy')]:.2f}× / "
        f"{cheap[('f64', 'numpy')]:.2f}×). Under `jit` a replay costs "
        f"{costs['replay fixed cost (1-op function, above the op)']:.2f} µs above its NumPy "
        f"calls, the recording call {min(rec):.1f}–{max(rec):.1f}× an eager call and the first "
        f"replay, which compiles the program, {min(first):.1f}–{max(first):.1f}× (W1, W3, W6).",
    ]
    if d1:
        text.append(
            f"D1 (Dask, 10 million × 20 on 2 worker processes) in the same run: value and "
            f"gradient {d1[('value+grad', 'chainrule')]:.2f}×, hvp {d1[('hvp', 'chainrule')]:.2f}×"
            f" the hand-written Dask formulas.")
    return "\n".join(lines + text)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0] if argv else "benchmarks/results/bench.json") as f:
        print(render(json.load(f)))


if __name__ == "__main__":
    main()
