"""autograd's short examples, run unchanged but for the import, against autograd itself.

Each example of the autograd 1.9.1 sdist's ``examples/`` folder listed in
:data:`SHORT` runs twice from that folder (the examples import one another and
read files beside them): once with the sdist's own ``autograd`` package on the
path (the reference), once with ``autograd`` mapped to chainrule
(``autograd_alias.py``). Both must exit 0 and print the same text with the same
numbers (to ``RTOL``: the same seeds give the same computation; only the last
bits of floating-point sums may differ). Plots go to a non-interactive backend.
The examples and autograd's package are unpacked into the cache, never into the
repository.
"""

import os
import re
import subprocess
import sys
import time

#: The examples that finish in seconds (the others train for minutes or download MNIST).
SHORT = [
    "define_gradient.py", "dot_graph.py", "fixed_points.py", "logistic_regression.py",
    "negative_binomial_maxlike.py", "print_trace.py", "rkhs.py", "rosenbrock.py",
    "sinusoid.py", "tanh.py", "gaussian_process.py", "natural_gradient_black_box_svi.py",
]
#: What may differ, and why: ``{example: (reason, [(pattern, replacement)...], atol)}``;
#: the patterns are applied to both outputs before they are compared.
ALLOWED = {
    "define_gradient.py": ("no seed: npr.randn(10) draws other numbers on every run",
                           [(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?", "#"),
                            (r"[#\s]+", "#")], 0),
    "dot_graph.py": ("node names are object ids", [(r"node_\d+", "node")], 0),
    "print_trace.py": ("tracing through grad shows the backward pass's own operations: "
                       "autograd adds adjoints with its vector space as an argument",
                       [(r"ArrayVSpace_\{[^}]*\},", "")], 0),
    "negative_binomial_maxlike.py": (
        "the gradient at the optimum is rounding noise (~1e-12), and grad with a tuple of "
        "argnums gives NumPy scalars where autograd gives 0-d arrays",
        [(r"np\.float64\(([^)]*)\)", r"\1"), (r"array\(([^)]*)\)", r"\1")], 1e-9),
}
RTOL = 1e-6
TIMEOUT = 300
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _run(cmd, cwd, env):
    start = time.perf_counter()
    try:
        r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                           timeout=TIMEOUT)
        return r.returncode, r.stdout, r.stderr, time.perf_counter() - start
    except subprocess.TimeoutExpired:
        return "timeout", "", "", time.perf_counter() - start


def compare(want, got, rtol=RTOL, atol=1e-12, normalize=()):
    """``None`` if the outputs agree (same text around the numbers, numbers within
    ``rtol`` or ``atol``, after the ``normalize`` substitutions), else a line saying
    where they first differ."""
    for pattern, repl in normalize:
        want, got = re.sub(pattern, repl, want), re.sub(pattern, repl, got)
    wl, gl = want.splitlines(), got.splitlines()
    if len(wl) != len(gl):
        return f"{len(gl)} lines printed, autograd printed {len(wl)}"
    for i, (a, b) in enumerate(zip(wl, gl)):
        if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
            return f"line {i + 1}: {b!r} where autograd printed {a!r}"
        for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
            x, y = float(x), float(y)
            if abs(x - y) > rtol * max(abs(x), abs(y)) + atol:
                return f"line {i + 1}: {b!r} where autograd printed {a!r}"
    return None


def run_examples(cache, fetch_sdist, unpack, version, here):
    ref = unpack(fetch_sdist(cache), cache / f"autograd-{version}-examples",
                 {"examples", "autograd"})
    examples = ref / "examples"
    base = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
    base.pop("PYTHONPATH", None)
    ref_env = dict(base, PYTHONPATH=str(ref))  # the sdist's own autograd
    ours_env = dict(base)
    alias = str(here / "autograd_alias.py")
    status, same = 0, 0
    for name in SHORT:
        rc_a, out_a, err_a, t_a = _run([sys.executable, name], examples, ref_env)
        rc_c, out_c, err_c, t_c = _run([sys.executable, alias, name], examples, ours_env)
        if rc_a != 0:
            print(f"  {name}: autograd itself fails here ({rc_a}): {err_a.strip()[-200:]}")
            status = 1
            continue
        if rc_c != 0:
            print(f"  {name}: FAILS with chainrule ({rc_c}): {err_c.strip()[-400:]}")
            status = 1
            continue
        reason, normalize, atol = ALLOWED.get(name, ("", (), 1e-12))
        diff = compare(out_a, out_c, atol=max(atol, 1e-12), normalize=normalize)
        if diff:
            print(f"  {name}: DIFFERENT output: {diff}")
            status = 1
            continue
        same += 1
        print(f"  {name}: same output ({len(out_c.splitlines())} lines; "
              f"autograd {t_a:.1f} s, chainrule {t_c:.1f} s)" + (f"; allowed: {reason}"
                                                               if reason else ""))
    print(f"compat: autograd {version}'s examples, autograd imported as chainrule: "
          f"{same} of {len(SHORT)} run and print what autograd prints")
    return status
