"""Workloads beyond one machine's NumPy: D1 (Dask cluster) and G1-G3 (CuPy GPU).

These do not fit the harness's interleaved microsecond timing: a D1 call takes
seconds and starts a cluster, a G call needs a GPU. Each returns rows
``dict(workload, case, system, median_s, ratio, check, note)`` printed by
``run.py`` after the host workloads.

D1 — logistic-regression negative log-likelihood with an L2 term,
``sum(logaddexp(0, X w) - y * (X w)) + lam/2 |w|^2``, over ``X`` of
``rows x 20`` float64 in chunks of 250,000 rows, generated lazily on the
workers of a ``dask.distributed.LocalCluster`` (two worker processes, one
thread each) at every evaluation: the full array is never materialized. The
parameters ``w`` are a small NumPy vector. Timed: value and gradient (one
``dask.compute``), and a Hessian-vector product, for chainrule and for the
hand-written Dask formulas a GLM library writes; also one pass over the data
alone (generating X and y), which every evaluation pays. Each worker's peak
resident memory is sampled (every 20 ms) during each evaluation.

G1-G3 — on CuPy arrays (a GPU): G1 a big MLP (batch 4096, 4096 -> 4096 -> 4096
-> 10, ReLU, float32), G2 a small MLP (batch 64, 64 -> 64 -> 10, float32: kernel
launch overhead), G3 an op chain (250 elementwise ops: 50 x sin, *1.01, +0.1,
tanh, *0.99, on 10^6 float32); value and gradients against hand-written CuPy
backprop.
"""

import statistics
import threading
import time

import numpy as onp

import chainrule
import chainrule.numpy as cnp

D1_COLS, D1_CHUNK, D1_LAM = 20, 250_000, 1e-3
D1_ROWS, D1_ROWS_QUICK = 10_000_000, 1_000_000


# ----------------------------------------------------------------------------
# D1: Dask
# ----------------------------------------------------------------------------

def _nll(w, X, y, lam):
    z = X @ w
    return cnp.sum(cnp.logaddexp(0.0, z) - y * z) + 0.5 * lam * cnp.sum(w * w)


def _hand_value_and_grad(da, w, X, y, lam):
    z = X @ w
    value = da.sum(da.logaddexp(0.0, z) - y * z) + 0.5 * lam * (w @ w)
    p = 1.0 / (1.0 + da.exp(-z))
    return value, X.T @ (p - y) + lam * w


def _hand_hvp(da, w, v, X, y, lam):
    z = X @ w
    p = 1.0 / (1.0 + da.exp(-z))
    return X.T @ (p * (1.0 - p) * (X @ v)) + lam * v


def _start_sampler(dask_worker=None):
    import psutil
    proc = psutil.Process()
    state = {"peak": proc.memory_info().rss, "run": True}

    def loop():
        while state["run"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(0.02)
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    _start_sampler.state = state
    return state["peak"]


def _read_sampler(dask_worker=None, reset=True):
    import psutil
    state = _start_sampler.state
    peak = state["peak"]
    if reset:
        state["peak"] = psutil.Process().memory_info().rss
    return peak


def d1(quick=False, rounds=None, rows=None):
    """Run D1; returns (rows, notes)."""
    try:
        import dask
        import dask.array as da
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        return [], [f"D1 skipped: needs the 'dask' extra ({e})"]
    import warnings
    n = rows or (D1_ROWS_QUICK if quick else D1_ROWS)
    rounds = rounds or (2 if quick else 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit="6GiB")
    client = Client(cluster)
    notes = [f"D1: X {n:,} x {D1_COLS} float64 ({n * D1_COLS * 8 / 1e9:.2f} GB), chunks of "
             f"{D1_CHUNK:,} rows ({D1_CHUNK * D1_COLS * 8 / 2**20:.0f} MiB), generated on "
             f"2 worker processes x 1 thread at each evaluation; {rounds} rounds, interleaved"]
    try:
        rng = da.random.default_rng(0)
        X = rng.standard_normal((n, D1_COLS), chunks=(D1_CHUNK, D1_COLS))
        w_true = onp.linspace(-1.0, 1.0, D1_COLS)
        y = (rng.random(n, chunks=D1_CHUNK) < 1.0 / (1.0 + da.exp(-(X @ w_true))))
        y = y.astype(onp.float64)
        w = 0.1 * onp.ones(D1_COLS)
        v = onp.linspace(1.0, -1.0, D1_COLS)

        cr_vg = chainrule.value_and_grad(_nll)
        cr_hvp = chainrule.hvp(_nll)
        t0 = time.perf_counter()
        graphs = {
            ("data pass", "dask"): lambda: (da.sum(X), da.sum(y)),
            ("value+grad", "hand-dask"): lambda: _hand_value_and_grad(da, w, X, y, D1_LAM),
            ("value+grad", "chainrule"): lambda: cr_vg(w, X, y, D1_LAM),
            ("hvp", "hand-dask"): lambda: (_hand_hvp(da, w, v, X, y, D1_LAM),),
            ("hvp", "chainrule"): lambda: (cr_hvp(w, X, y, D1_LAM, v),),
        }
        build_s = {}
        for key, g in graphs.items():
            t = time.perf_counter()
            g()
            build_s[key] = time.perf_counter() - t
        client.run(_start_sampler)
        base = client.run(_read_sampler)
        times = {k: [] for k in graphs}
        peaks = {k: [] for k in graphs}
        results = {}
        for _ in range(rounds):
            for key, g in graphs.items():
                t = time.perf_counter()
                out = dask.compute(*g())  # building the graph is part of the time
                times[key].append(time.perf_counter() - t)
                peaks[key].append(max(client.run(_read_sampler).values()))
                results[key] = out
        notes.append(f"D1: worker memory before the runs {max(base.values()) / 2**20:.0f} MiB "
                     f"(resident, each); total wall {time.perf_counter() - t0:.0f} s")
    finally:
        client.close()
        cluster.close()

    def rel(a, b):
        a, b = onp.atleast_1d(a), onp.atleast_1d(b)
        return float(onp.linalg.norm(a - b) / onp.linalg.norm(b))

    out = []
    for key in graphs:
        case, system = key
        med = statistics.median(times[key])
        ref = statistics.median(times[(case, "hand-dask")]) if case != "data pass" else None
        check = ""
        if system == "chainrule":
            err = max(rel(a, b) for a, b in zip(results[key], results[(case, "hand-dask")]))
            check = f"{'ok' if err < 1e-10 else 'FAIL'} {err:.0e}"
        out.append(dict(workload="D1", case=case, system=system, median_s=med,
                        ratio=med / ref if ref else None, check=check,
                        target="<= 1.2x" if system == "chainrule" else "",
                        passed=(med / ref <= 1.2) if system == "chainrule" else None,
                        worker_peak_mib=max(peaks[key]) / 2**20,
                        graph_build_s=build_s[key]))
    return out, notes


# ----------------------------------------------------------------------------
# G1-G3: CuPy
# ----------------------------------------------------------------------------

def _cupy():
    try:
        import cupy
        cupy.cuda.runtime.getDeviceCount()
        return cupy, None
    except Exception as e:  # ImportError, or CUDA without a device
        return None, f"G1-G3 skipped: needs CuPy and a GPU (pip install 'chainrule[gpu]'): {e}"


def _mlp(xp, relu):
    def loss(params, X, Y):
        h = X
        for i in range(0, len(params) - 2, 2):
            h = relu(h @ params[i] + params[i + 1])
        S = h @ params[-2] + params[-1]
        m = xp.max(S, axis=1, keepdims=True)
        lse = xp.log(xp.sum(xp.exp(S - m), axis=1, keepdims=True)) + m
        return xp.mean(lse - xp.sum(Y * S, axis=1, keepdims=True))
    return loss


def _mlp_hand(cp, params, X, Y):
    hs, zs = [X], []
    h = X
    for i in range(0, len(params) - 2, 2):
        z = h @ params[i] + params[i + 1]
        zs.append(z)
        h = cp.maximum(z, 0)
        hs.append(h)
    S = h @ params[-2] + params[-1]
    m = S.max(axis=1, keepdims=True)
    E = cp.exp(S - m)
    se = E.sum(axis=1, keepdims=True)
    loss = cp.mean(cp.log(se) + m - cp.sum(Y * S, axis=1, keepdims=True))
    g = (E / se - Y) / X.shape[0]
    grads = [None] * len(params)
    grads[-2], grads[-1] = hs[-1].T @ g, g.sum(axis=0)
    g = g @ params[-2].T
    for j in range(len(zs) - 1, -1, -1):
        g = g * (zs[j] > 0)
        grads[2 * j], grads[2 * j + 1] = hs[j].T @ g, g.sum(axis=0)
        if j:
            g = g @ params[2 * j].T
    return (loss, *grads)


def _op_chain(xp, x):
    for _ in range(50):
        x = xp.tanh(xp.sin(x) * 1.01 + 0.1)
        x = x * 0.99
    return xp.sum(x)


def _op_chain_hand(cp, x0):
    xs = []
    x = x0
    for _ in range(50):
        s = cp.sin(x)
        t = cp.tanh(s * 1.01 + 0.1)
        xs.append((x, t))
        x = t * 0.99
    value = cp.sum(x)
    g = cp.ones_like(x0)
    for x, t in reversed(xs):
        g = g * 0.99 * (1 - t * t) * 1.01 * cp.cos(x)
    return value, g


def gpu_cases(cp, rng):
    """(workload, case, chainrule closure, hand closure) on the device."""
    def mlp_params(sizes, dtype):
        ps = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            ps.append(cp.asarray(rng.standard_normal((a, b)) / onp.sqrt(a), dtype=dtype))
            ps.append(cp.zeros(b, dtype=dtype))
        return ps

    def data(n, d, c, dtype):
        X = cp.asarray(rng.standard_normal((n, d)), dtype=dtype)
        Y = cp.asarray(onp.eye(c)[rng.integers(0, c, n)], dtype=dtype)
        return X, Y
    out = []
    relu = lambda z: cnp.maximum(z, 0.0)  # noqa: E731
    for wid, name, sizes, n in (("G1", "big-mlp", (4096, 4096, 4096, 10), 4096),
                                ("G2", "small-mlp", (64, 64, 10), 64)):
        ps = mlp_params(sizes, cp.float32)
        X, Y = data(n, sizes[0], sizes[-1], cp.float32)
        vg = chainrule.value_and_grad(_mlp(cnp, relu))
        out.append((wid, name, (lambda vg=vg, ps=ps, X=X, Y=Y: (lambda v, g: (v, *g))(
            *vg(ps, X, Y))), (lambda ps=ps, X=X, Y=Y: _mlp_hand(cp, ps, X, Y))))
    x = cp.asarray(rng.standard_normal(10 ** 6), dtype=cp.float32)
    vg3 = chainrule.value_and_grad(lambda x: _op_chain(cnp, x))
    out.append(("G3", "op-chain", lambda: vg3(x), lambda: _op_chain_hand(cp, x)))
    return out


def gpu(only, quick=False, budget=3.0):
    cp, why = _cupy()
    if cp is None:
        return [], [why]
    rng = onp.random.default_rng(0)
    rows, notes = [], [f"GPU: {cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}"]

    def timed(f):
        f()
        cp.cuda.Device().synchronize()
        ts, t_end = [], time.perf_counter() + budget / 2
        while time.perf_counter() < t_end or len(ts) < 5:
            t = time.perf_counter()
            f()
            cp.cuda.Device().synchronize()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts)
    for wid, name, cr, hand in gpu_cases(cp, rng):
        if wid not in only:
            continue
        got, want = cr(), hand()
        err = max(float(cp.linalg.norm((a - b).ravel()) / max(float(cp.linalg.norm(b.ravel())),
                                                                1e-30)) for a, b in zip(got, want))
        on_device = all(type(a) is cp.ndarray for a in got)
        th, tc = timed(hand), timed(cr)
        rows.append(dict(workload=wid, case=name, system="hand-cupy", median_s=th, ratio=1.0,
                         check="", target="", passed=None))
        rows.append(dict(workload=wid, case=name, system="chainrule", median_s=tc,
                         ratio=tc / th, check=f"{'ok' if err < 1e-4 and on_device else 'FAIL'} "
                         f"{err:.0e}", target="", passed=None))
    return rows, notes
