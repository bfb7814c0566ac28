"""chainrule's benchmark suite: the workloads W1-W6 described in benchmarks/README.md.

    PYTHONPATH=src python benchmarks/run.py [--quick] [--only W1,W3] [--json out.json]

For every workload: a hand-written NumPy reference (forward + hand-derived
backward), chainrule (eager, and under chainrule.jit as its own column), and,
when installed, HIPS autograd, torch (CPU) and jax (eager, and jit as its own
column). Then jit's own costs: the fixed cost of one replay, the recording
call against an eager call, the compiling first replay. Every cell first checks its outputs against
the reference; then all cells of a workload are timed round-robin and reported
as median, p10 and the ratio of medians to the NumPy reference of the same run.
See benchmarks/README.md.
"""

import os
import sys

# --- one BLAS thread, set before NumPy (or any peer) is imported ------------
for _k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_k, None)
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_k] = "1"
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
try:
    import chainrule  # noqa: F401,E402
except ImportError:  # run without PYTHONPATH=src from a checkout
    sys.path.insert(0, os.path.join(os.path.dirname(_HERE), "src"))

import numpy as onp  # noqa: E402

import harness  # noqa: E402
import peers as peers_mod  # noqa: E402
import workloads  # noqa: E402
import backends  # noqa: E402
from harness import Cell, fmt_ratio, fmt_time, render_table  # noqa: E402

SYSTEM_ORDER = ["numpy", "chainrule", "chainrule-jit", "autograd", "torch", "jax", "jax-jit"]
OURS = ("chainrule", "chainrule-jit")
BACKEND_WORKLOADS = {"D1": "dask-logistic", "G1": "big-mlp", "G2": "small-mlp", "G3": "op-chain"}
CHEAP_GRAD_TARGET = 2.7
MEMORY_TARGET = 1.3          # chainrule's W2 gradient peak / hand-written NumPy's
JIT_REPLAY_TARGET_US = 5.0   # jit: fixed cost of one replay (a one-op function)
JIT_RECORD_TARGET = 3.0      # jit: the recording call / one eager call
NOISY_SPREAD = 1.5  # median / p10 above this: another process was probably competing


def _limit_blas():
    """Pin BLAS to one thread with threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None, "threadpoolctl not installed: relying on *_NUM_THREADS=1 set before import"
    limiter = threadpool_limits(limits=1)
    info = [{k: d.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
            for d in threadpool_info()]
    return limiter, info


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="fast smoke run (short budget, few rounds)")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads to run, e.g. W1,W3 (default: all)")
    ap.add_argument("--json", metavar="PATH", help="write every number to this JSON file")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds of timing per workload (default 4, --quick 0.3)")
    ap.add_argument("--min-rounds", type=int, default=None,
                    help="at least this many interleaved rounds (default 7, --quick 3)")
    ap.add_argument("--max-rounds", type=int, default=2000)
    ap.add_argument("--sample-ms", type=float, default=None,
                    help="target length of one timed sample (default 2 ms, --quick 1 ms)")
    ap.add_argument("--warm-below-ms", type=float, default=5.0,
                    help="cells faster than this get one untimed call before each sample "
                         "(0 disables)")
    ap.add_argument("--no-peers", action="store_true", help="NumPy and chainrule only")
    ap.add_argument("--peers", default="autograd,torch,jax",
                    help="peer libraries to try (comma-separated)")
    ap.add_argument("--no-memory", action="store_true", help="skip the W2 peak-memory check")
    ap.add_argument("--no-jit-costs", action="store_true",
                    help="skip the measurements of chainrule.jit's own costs")
    ap.add_argument("--profile", action="store_true",
                    help="after timing, cProfile chainrule's cell of each selected case "
                         "and print the top functions by tottime")
    ap.add_argument("--profile-top", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--d1-rows", type=int, default=None,
                    help="rows of D1's X (default 10,000,000; --quick 1,000,000)")
    ap.add_argument("--d1-rounds", type=int, default=None,
                    help="timed rounds of each D1 cell (default 3, --quick 2)")
    a = ap.parse_args(argv)
    a.budget = a.budget if a.budget is not None else (0.3 if a.quick else 4.0)
    a.min_rounds = a.min_rounds if a.min_rounds is not None else (3 if a.quick else 7)
    a.sample_ms = a.sample_ms if a.sample_ms is not None else (1.0 if a.quick else 2.0)
    only = [w.strip().upper() for w in a.only.split(",") if w.strip()]
    known = list(workloads.WORKLOADS) + list(BACKEND_WORKLOADS)
    bad = [w for w in only if w not in known]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {known}")
    a.only = only or known
    return a


# ----------------------------------------------------------------------------
# Running one workload
# ----------------------------------------------------------------------------

def make_cells(cases):
    cells = []
    for case in cases:
        cells.append(Cell(case, "numpy", case.ref))
        for name in SYSTEM_ORDER[1:]:
            if name in case.systems:
                cells.append(Cell(case, name, case.systems[name]))
    return cells


def run_workload(wid, peers, args, rng):
    t0 = time.perf_counter()
    cases = workloads.WORKLOADS[wid](peers, rng)
    cells = make_cells(cases)
    # Expected outputs: the case's closed form / reference, computed once.
    expected = {}
    for case in cases:
        want = (case.expected or case.ref)()
        expected[id(case)] = harness.to_numpy(want)
    harness.run_checks(cells, expected)
    for c in cells:
        if c.check_ok is False:
            print(f"  !!! {wid} {c.case.name} [{c.system}] CHECK FAILED: {c.check_msg}",
                  flush=True)
    # The workload's data, the peers' modules and jax's functions (compiled by
    # the checks) live all run long: freeze them so that the collection before
    # each sample (harness._time_once) only scans what the samples create.
    gc.collect()
    gc.freeze()
    try:
        harness.calibrate(cells, args.sample_ms * 1e-3)
        rounds = harness.interleave(cells, args.budget, args.min_rounds, args.max_rounds,
                                    warm_below_s=args.warm_below_ms * 1e-3)
    finally:
        gc.unfreeze()
    print(f"  {wid}: {len(cells)} cells, {rounds} interleaved rounds, "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    return cases, cells


def summarize(cells):
    """Attach the ratio (to the same case's NumPy median) and pass/fail to each cell."""
    ref_med = {}
    for c in cells:
        if c.system == "numpy":
            ref_med[id(c.case)] = c.median()
    rows = []
    for c in cells:
        med, p10 = c.median(), c.p10()
        r = med / ref_med[id(c.case)] if ref_med.get(id(c.case)) else math.nan
        t = c.case.target if c.system == "chainrule" else \
            c.case.jit_target if c.system == "chainrule-jit" else None
        value = None
        passed = None
        if t is not None and c.samples:
            value = r if t.kind == "ratio" else med / c.case.per * 1e6
            passed = bool(value <= t.bound) and c.check_ok is True
        rows.append(dict(cell=c, median=med, p10=p10, ratio=r, target=t, value=value,
                         passed=passed))
    return rows


def _check_col(c):
    if c.error and not c.samples:
        return "ERROR"
    if c.check_ok:
        return f"ok {c.check_err:.0e}"
    return f"FAIL {c.check_err:.0e}" if c.check_err is not None and math.isfinite(c.check_err) \
        else "FAIL"


def print_table(rows):
    headers = ["workload", "case", "system", "median", "p10", "ratio", "check", "target",
               "result"]
    out = []
    for r in rows:
        c = r["cell"]
        per = c.case.per
        unit = "/op" if per > 1 else ""
        med = fmt_time(r["median"] / per) + unit
        p10 = fmt_time(r["p10"] / per) + unit
        t = r["target"]
        result = "" if r["passed"] is None else ("pass" if r["passed"] else "MISS")
        if c.system in OURS and c.check_ok is False:
            result = "WRONG"
        out.append([c.case.workload, c.case.name, c.system, med, p10, fmt_ratio(r["ratio"]),
                    _check_col(c), t.describe() + (f" ({t.note})" if t and t.note else "")
                    if t else "", result])
    print(render_table(headers, out))


def print_grid(rows, systems):
    """The benchmarks.md-style grid: one row per case, ratio to NumPy per system."""
    headers = ["case", "numpy (abs)"] + [s for s in systems if s != "numpy"]
    by_case = {}
    for r in rows:
        c = r["cell"]
        by_case.setdefault((c.case.workload, c.case.name), {})[c.system] = r
    out = []
    for (w, name), d in by_case.items():
        ref = d.get("numpy")
        per = ref["cell"].case.per if ref else 1
        line = [f"{w} {name}", fmt_time(ref["median"] / per) + ("/op" if per > 1 else "")
                if ref else "-"]
        for s in headers[2:]:
            r = d.get(s)
            if r is None:
                line.append("")
            elif per > 1:
                line.append(f"{r['median'] / per * 1e6:.3g} us")
            else:
                line.append(fmt_ratio(r["ratio"]))
        out.append(line)
    print(render_table(headers, out))


def cheap_gradient(rows):
    """W2: grad time / forward time for each system and dtype."""
    med = {}
    for r in rows:
        c = r["cell"]
        if c.case.workload == "W2":
            med[(c.case.name, c.system)] = r["median"]
    out = []
    for tag in ("f32", "f64"):
        for s in SYSTEM_ORDER:
            g, f = med.get((f"{tag} grad", s)), med.get((f"{tag} forward", s))
            if g and f and math.isfinite(g) and math.isfinite(f):
                out.append(dict(dtype=tag, system=s, grad_s=g, forward_s=f, ratio=g / f,
                                target=CHEAP_GRAD_TARGET if s == "chainrule" else None))
    return out


def memory(peers, args):
    rng = onp.random.default_rng(args.seed + 1000)
    res = []
    for tag, cells in workloads.w2_memory_cells(peers, rng).items():
        ref = harness.peak_memory(cells["numpy"])
        for s, fn in cells.items():
            try:
                peak = harness.peak_memory(fn)
            except Exception as e:
                res.append(dict(dtype=tag, system=s, error=f"{type(e).__name__}: {e}"))
                continue
            res.append(dict(dtype=tag, system=s, peak_bytes=peak, ratio=peak / ref,
                            target=MEMORY_TARGET if s == "chainrule" else None))
        eager = next(m for m in res if m["dtype"] == tag and m["system"] == "chainrule")
        for m in res:
            if m["dtype"] == tag and m["system"] == "chainrule-jit" and "peak_bytes" in m:
                # a replayed gradient holds no more than the eager one
                m["target"] = eager["ratio"]
    return res


def jit_overheads(args):
    """chainrule.jit's own costs: one replay of a one-op function above the op itself,
    the recording call against an eager call (W1, W3, W6), and the compiling first replay."""
    import chainrule
    rng = onp.random.default_rng(args.seed + 2000)
    rows = []
    x = rng.standard_normal(10)
    plain = lambda: x + 1.0  # noqa: E731
    one = chainrule.jit(lambda x: x + 1.0)
    one(x)
    one(x)
    t_plain, t_one = _median_time(plain, reps=25), _median_time(lambda: one(x), reps=25)
    rows.append(dict(what="replay fixed cost (1-op function, above the op)",
                     value=(t_one - t_plain) * 1e6, unit="us", target=JIT_REPLAY_TARGET_US))
    for wid in ("W1", "W3", "W6"):
        case = workloads.WORKLOADS[wid](peers_mod.Peers(), rng)[0]
        fn = case.systems["chainrule"]
        transform, targs = case.jit_parts
        fn()
        eager, rec, first = [], [], []
        # One-shot costs: interleaved rounds (eager calls, then a fresh jit's recording call
        # and its first replay), the collector off as in every sample, and the minimum of
        # each, as timeit advises: on a shared machine a millisecond-long call is often cut
        # by another process's time slice (4-5 ms), the longer one more often.
        gc.collect()
        gc.freeze()
        gc.disable()
        for _ in range(15):
            for _ in range(2):
                t0 = time.perf_counter()
                fn()
                eager.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            j = chainrule.jit(transform)
            j(*targs)
            t2 = time.perf_counter()
            j(*targs)
            t3 = time.perf_counter()
            rec.append(t2 - t1)
            first.append(t3 - t2)
        gc.enable()
        gc.unfreeze()
        e, r, f = min(eager), min(rec), min(first)
        rows.append(dict(what=f"{wid}: recording call / eager call", value=r / e,
                         unit="x", target=JIT_RECORD_TARGET,
                         note=f"{fmt_time(r)} vs {fmt_time(e)} (minimum of 15)"))
        rows.append(dict(what=f"{wid}: first replay (compiles) / eager call", value=f / e,
                         unit="x", target=None, note=f"{fmt_time(f)}"))
    return rows


def profile(cases, top):
    import cProfile
    import io
    import pstats
    for case in cases:
        fn = case.systems.get("chainrule")
        if fn is None:
            continue
        fn()
        n = max(1, int(0.5 / max(_single(fn), 1e-6)))
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(n):
            fn()
        pr.disable()
        s = io.StringIO()
        st = pstats.Stats(pr, stream=s)
        st.sort_stats("tottime").print_stats(top)
        print(f"\n=== cProfile: chainrule {case.workload} {case.name} ({n} calls, "
              f"sorted by tottime) ===")
        print("\n".join(line for line in s.getvalue().splitlines()
                        if line.strip() and not line.startswith("   Ordered by")))
        if case.phases:
            print(f"\n=== phases of {case.workload} {case.name} (median of 15, per "
                  f"{'op' if case.per > 1 else 'call'}) ===")
            for name, ph in case.phases.items():
                t = _median_time(ph) / case.per
                print(f"  {name:55s} {fmt_time(t)}")


def _median_time(fn, reps=15):
    fn()
    n = max(1, int(2e-3 / max(_single(fn), 1e-7)))
    return float(onp.median([harness._time_once(fn, n) for _ in range(reps)]))


def _single(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------

def _warm_allocator():
    """Free one 8 MiB array before timing anything.

    glibc's malloc starts by returning freed memory to the OS whenever more
    than 128 KiB lies free at the top of the heap, and raises that limit only
    after a large block has been freed. Until then, a workload whose arrays
    total a few hundred KiB per call (W4) pays page faults on every call, for
    every system, and which system crosses the line depends on the order of
    its frees. Any process that has once handled a few-MiB array (W2's
    weights do) is past that state; this puts every run of the suite,
    ``--only W4`` included, in it.
    """
    onp.ones(1 << 20).sum()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    limiter, blas_info = _limit_blas()
    _warm_allocator()
    wanted = () if args.no_peers else tuple(p.strip() for p in args.peers.split(",") if p.strip())
    peers = peers_mod.load(wanted)
    systems = ["numpy", "chainrule", "chainrule-jit"] + peers.names()

    print(f"chainrule benchmarks — python {platform.python_version()}, numpy {onp.__version__}, "
          f"{platform.machine()} ({os.cpu_count()} cpus), one BLAS thread")
    print("peers: " + (", ".join(f"{k} {v}" for k, v in peers.versions.items()) or "none"))
    for note in peers.notes:
        print("  note: " + note)
    if isinstance(blas_info, str):
        print("  note: " + blas_info)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        print(f"  note: load average {load:.2f} before starting: other processes may "
              "disturb the timings")
    print(f"budget {args.budget:g} s per workload, >= {args.min_rounds} rounds"
          + (" (--quick)" if args.quick else ""), flush=True)

    rng = onp.random.default_rng(args.seed)
    all_rows, all_cases = [], []
    for wid in args.only:
        if wid in BACKEND_WORKLOADS:
            continue
        print(f"running {wid} {workloads.TITLES[wid]} ...", flush=True)
        cases, cells = run_workload(wid, peers, args, rng)
        all_cases += cases
        all_rows += summarize(cells)

    print()
    print_table(all_rows)
    print()
    print("Ratios to hand-written NumPy (same run; W3 in us per op):")
    print_grid(all_rows, systems)

    cheap = cheap_gradient(all_rows)
    if cheap:
        print(f"\nW2 cheap-gradient ratio (grad / forward), chainrule target <= "
              f"{CHEAP_GRAD_TARGET}:")
        print(render_table(
            ["dtype", "system", "grad", "forward", "grad/fwd", "result"],
            [[c["dtype"], c["system"], fmt_time(c["grad_s"]), fmt_time(c["forward_s"]),
              f"{c['ratio']:.2f}", "" if c["target"] is None else
              ("pass" if c["ratio"] <= c["target"] else "MISS")] for c in cheap]))

    mem = []
    if "W2" in args.only and not args.no_memory:
        mem = memory(peers, args)
        print(f"\nW2 gradient peak memory (tracemalloc), chainrule target <= {MEMORY_TARGET}x "
              "hand-written NumPy, chainrule-jit <= chainrule's:")
        print(render_table(
            ["dtype", "system", "peak", "ratio", "result"],
            [[m["dtype"], m["system"], f"{m['peak_bytes'] / 2**20:.2f} MiB" if "peak_bytes" in m
              else m.get("error", ""), f"{m['ratio']:.2f}x" if "ratio" in m else "-",
              "" if m.get("target") is None else
              ("pass" if m["ratio"] <= m["target"] else "MISS")] for m in mem]))

    overheads = [] if args.no_jit_costs else jit_overheads(args)
    if overheads:
        print("\nchainrule.jit's own costs (the replay: median; one-shot calls: minimum):")
        print(render_table(
            ["what", "value", "target", "result", "note"],
            [[o["what"], f"{o['value']:.2f} {o['unit']}",
              "" if o["target"] is None else f"<= {o['target']:g} {o['unit']}",
              "" if o["target"] is None else ("pass" if o["value"] <= o["target"] else "MISS"),
              o.get("note", "")] for o in overheads]))

    noisy = [r for r in all_rows if r["p10"] > 0 and r["median"] > NOISY_SPREAD * r["p10"]]
    if noisy:
        print(f"\nwarning: {len(noisy)} cell(s) have median > {NOISY_SPREAD}x p10 (e.g. "
              + ", ".join(f"{r['cell'].case.workload} {r['cell'].case.name} "
                          f"[{r['cell'].system}]" for r in noisy[:4])
              + "): the machine was probably busy; compare p10 or rerun on a quiet machine")

    backend_rows = run_backends(args)
    backend_misses = [r for r in backend_rows if r["passed"] is False]
    backend_fail = [r for r in backend_rows if r["check"].startswith("FAIL")]

    failures = [r for r in all_rows if r["cell"].check_ok is not True]
    misses = [r for r in all_rows if r["passed"] is False]
    misses += [c for c in cheap if c["target"] and c["ratio"] > c["target"]]
    misses += [m for m in mem if m.get("target") and m["ratio"] > m["target"]]
    misses += [o for o in overheads if o["target"] is not None and o["value"] > o["target"]]
    print()
    if failures:
        print("!!! GRADIENT CHECK FAILURES:")
        for r in failures:
            c = r["cell"]
            print(f"!!!   {c.case.workload} {c.case.name} [{c.system}]: {c.check_msg}")
    else:
        print("all gradient checks passed")
    for r in backend_fail:
        print(f"!!!   {r['workload']} {r['case']} [{r['system']}]: check {r['check']}")
    misses += backend_misses
    n_targets = sum(1 for r in all_rows if r["target"] is not None) + \
        sum(1 for c in cheap if c["target"]) + sum(1 for m in mem if m.get("target")) + \
        sum(1 for r in backend_rows if r["passed"] is not None) + \
        sum(1 for o in overheads if o["target"] is not None)
    print(f"chainrule targets: {n_targets - len(misses)} of {n_targets} met")

    if args.profile:
        profile(all_cases, args.profile_top)

    if args.json:
        write_json(args.json, all_rows, cheap, mem, peers, blas_info, args, backend_rows,
                   overheads)
        print(f"\nwrote {args.json}")
    del limiter
    cr_failed = any(r["cell"].system in ("numpy",) + OURS for r in failures) \
        or bool(backend_fail)
    return 1 if cr_failed else 0


def run_backends(args):
    """D1 (Dask cluster) and G1-G3 (CuPy): their own timing, printed as one table."""
    rows, notes = [], []
    if "D1" in args.only:
        print("running D1 dask-logistic ...", flush=True)
        r, n = backends.d1(quick=args.quick, rounds=args.d1_rounds, rows=args.d1_rows)
        rows += r
        notes += n
    gs = [w for w in args.only if w.startswith("G")]
    if gs:
        print(f"running {','.join(gs)} on the GPU ...", flush=True)
        r, n = backends.gpu(gs, quick=args.quick, budget=args.budget)
        rows += r
        notes += n
    if not rows and not notes:
        return []
    print()
    for note in notes:
        print("  note: " + note)
    if rows:
        print(render_table(
            ["workload", "case", "system", "median", "ratio", "check", "target", "result",
             "worker peak"],
            [[r["workload"], r["case"], r["system"], fmt_time(r["median_s"]),
              "" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["check"], r["target"],
              "" if r["passed"] is None else ("pass" if r["passed"] else "MISS"),
              f"{r['worker_peak_mib']:.0f} MiB" if "worker_peak_mib" in r else ""]
             for r in rows]))
    return rows


def write_json(path, rows, cheap, mem, peers, blas_info, args, backend_rows=(),
               overheads=()):
    def num(x):
        return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x
    cells = []
    for r in rows:
        c = r["cell"]
        t = r["target"]
        cells.append(dict(
            workload=c.case.workload, case=c.case.name, system=c.system,
            median_s=num(r["median"]), p10_s=num(r["p10"]), ratio=num(r["ratio"]),
            per=c.case.per, median_per_op_us=num(r["median"] / c.case.per * 1e6)
            if c.case.per > 1 else None,
            samples=len(c.samples), calls_per_sample=c.number,
            check_ok=c.check_ok, check_rel_err=num(c.check_err), check_msg=c.check_msg,
            tol=c.case.tol, error=c.error,
            target=None if t is None else dict(kind=t.kind, bound=t.bound, note=t.note),
            target_value=num(r["value"]), passed=r["passed"]))
    doc = dict(
        env=dict(python=platform.python_version(), numpy=onp.__version__,
                 machine=platform.machine(), processor=platform.processor(),
                 cpus=os.cpu_count(), peers=peers.versions, peer_notes=peers.notes,
                 blas=blas_info),
        settings=dict(quick=args.quick, budget_s=args.budget, min_rounds=args.min_rounds,
                      sample_ms=args.sample_ms, warm_below_ms=args.warm_below_ms,
                      seed=args.seed, only=args.only),
        cells=cells, cheap_gradient=cheap, memory=mem, backends=list(backend_rows),
        jit_costs=list(overheads))
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
