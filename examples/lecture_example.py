"""The lecture's example, computed by chainrule: y1 = sin(w1·x + w0), y2 = cos(w1·x + w0).

Forward mode gives ∂y1/∂w1 and ∂y2/∂w1 in one pass (the ȧ column, with
ȧ2 = ∂w1/∂w1 = 1); reverse mode gives ∂y2/∂w0, ∂y2/∂w1 and ∂y2/∂x in one
backward pass (the ā column, with ā7 = 1). Both are compared with the
lecture's closed forms. Run: ``make demo`` or ``python examples/lecture_example.py``.
"""

import math

import chainrule.numpy as np
from chainrule import jacfwd, jacrev, jvp, vjp


def f(w0, w1, x):
    """The lecture's function: two outputs sharing the node a5 = w1·x + w0."""
    a5 = w1 * x + w0
    return np.sin(a5), np.cos(a5)


def main(w0=0.5, w1=2.0, x=1.5):
    a5 = w1 * x + w0
    print(f"chainrule on the lecture's example at w0={w0}, w1={w1}, x={x}")
    print(f"  a5 = w1*x + w0 = {a5}\n")

    # Forward mode: seed the tangent of w1 with 1 (ȧ1 = 0, ȧ2 = 1, ȧ3 = 0).
    (y1, y2), (dy1, dy2) = jvp(f, (w0, w1, x), (0.0, 1.0, 0.0))
    print("forward mode, one pass with tangent d/dw1:")
    print(f"  y1 = sin(a5)          = {float(y1):+.12f}")
    print(f"  y2 = cos(a5)          = {float(y2):+.12f}")
    print(f"  dy1/dw1 =  x cos(a5)  = {float(dy1):+.12f}   (closed form {x * math.cos(a5):+.12f})")
    print(f"  dy2/dw1 = -x sin(a5)  = {float(dy2):+.12f}   (closed form {-x * math.sin(a5):+.12f})")

    # Reverse mode: one forward pass that keeps values, one backward pass from ā7 = 1.
    _, pullback = vjp(f, w0, w1, x)
    g_w0, g_w1, g_x = pullback((0.0, 1.0))
    print("\nreverse mode, one backward pass from y2 (ā7 = 1, ā6 = 0):")
    for label, value, closed in [("dy2/dw0 = -sin(a5)   ", g_w0, -math.sin(a5)),
                                 ("dy2/dw1 = -x sin(a5) ", g_w1, -x * math.sin(a5)),
                                 ("dy2/dx  = -w1 sin(a5)", g_x, -w1 * math.sin(a5))]:
        print(f"  {label} = {float(value):+.12f}   (closed form {closed:+.12f})")

    # The whole 2x3 Jacobian: forward mode needs n = 3 passes, reverse m = 2.
    def F(w):
        return np.stack(f(w[0], w[1], w[2]))
    w = np.array([w0, w1, x])
    J_fwd, J_rev = jacfwd(F)(w), jacrev(F)(w)
    print("\nJacobian d(y1, y2)/d(w0, w1, x), forward and reverse mode agree:")
    for row_f, row_r in zip(J_fwd, J_rev):
        print("  " + "  ".join(f"{v:+.6f}" for v in row_f),
              "   max |fwd - rev| =", f"{abs(row_f - row_r).max():.1e}")
    ok = (abs(float(dy2) - (-x * math.sin(a5))) < 1e-12
          and abs(float(g_w1) - (-x * math.sin(a5))) < 1e-12)
    print("\nall values match the lecture's formulas" if ok else "\nMISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
