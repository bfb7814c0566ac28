"""The workloads W1-W6 described in benchmarks/README.md, one builder function each.

Each builder returns a list of :class:`harness.Case`: the hand-written NumPy
reference (forward and hand-derived backward) and one closure per system.
Every closure returns a flat tuple ``(value, grad, ...)`` or ``(result,)``.
chainrule appears twice: eager (``chainrule``) and under :func:`chainrule.jit`
(``chainrule-jit``: the same closure's transform wrapped in ``jit``, recorded
during the check call and replayed while timed).

The model code for the systems with a NumPy-like namespace (chainrule,
autograd, jax) is written once, against a namespace ``xp``; torch gets its
own few lines. Every system uses its own ``logsumexp`` primitive, and its own
sigmoid and ReLU where a user would (chainrule's come from
``chainrule.scipy.special``, which needs no SciPy for them).
"""

import math

import numpy as onp

import chainrule
import chainrule.numpy as cnp

from harness import Case, Target

F64_TOL = 1e-8
F32_TOL = 1e-4


def _tol(dtype):
    return F32_TOL if onp.dtype(dtype) == onp.float32 else F64_TOL


# ----------------------------------------------------------------------------
# Per-peer helpers
# ----------------------------------------------------------------------------

def _jax_block(peers, fn):
    """jax dispatches asynchronously: wait for the result inside the timing."""
    block = peers.jax.block_until_ready
    return lambda: block(fn())


def _jax_pair(peers, systems, make):
    """Add 'jax' (eager) and 'jax-jit' cells; ``make(jit)`` -> closure."""
    if peers.jax is None:
        return
    systems["jax"] = _jax_block(peers, make(lambda f: f))
    systems["jax-jit"] = _jax_block(peers, make(peers.jax.jit))


def _t(peers, a, grad=False):
    """A torch tensor holding a copy of ``a`` (same dtype)."""
    return peers.torch.tensor(onp.array(a), requires_grad=grad)


# ----------------------------------------------------------------------------
# W1 / W2: one-hidden-layer MLP with mean softmax cross-entropy
# ----------------------------------------------------------------------------

def cr_logsumexp(S):
    """chainrule.scipy.special.logsumexp over axis 1 (keepdims): one primitive, as the
    peers use theirs (autograd's logsumexp, torch.logsumexp, jax.nn.logsumexp)."""
    from chainrule.scipy.special import logsumexp
    return logsumexp(S, axis=1, keepdims=True)


def _cr_sigmoid(xp, z):
    from chainrule.scipy.special import expit
    return expit(z)


def _sigmoid(xp, z):
    return 1.0 / (1.0 + xp.exp(-z))


def _relu(xp, z):
    return xp.maximum(z, 0.0)


def mlp_loss(xp, lse, act):
    """``loss(V, W, X, Y)`` for a NumPy-like namespace ``xp``."""
    def loss(V, W, X, Y):
        H = act(xp, X @ V.T)
        S = H @ W.T
        return xp.mean(lse(S) - xp.sum(Y * S, axis=1, keepdims=True))
    return loss


def mlp_ref(V, W, X, Y, act, backward=True):
    """Hand-written forward and backward pass (the ratio's denominator)."""
    N = X.shape[0]
    Z = X @ V.T
    if act == "sigmoid":
        H = 1.0 / (1.0 + onp.exp(-Z))
    else:
        H = onp.maximum(Z, 0.0)
    S = H @ W.T
    m = S.max(axis=1, keepdims=True)
    E = onp.exp(S - m)
    se = E.sum(axis=1, keepdims=True)
    loss = onp.mean(m + onp.log(se) - onp.sum(Y * S, axis=1, keepdims=True))
    if not backward:
        return (loss,)
    dS = (E / se - Y) / N
    dW = dS.T @ H
    dH = dS @ W
    if act == "sigmoid":
        dZ = dH * H * (1.0 - H)
    else:
        dZ = dH * (Z > 0)
    dV = dZ.T @ X
    return loss, dV, dW


def _mlp_torch(peers, V, W, X, Y, act):
    torch = peers.torch
    Vt, Wt = _t(peers, V, True), _t(peers, W, True)
    Xt, Yt = _t(peers, X), _t(peers, Y)
    act_t = torch.sigmoid if act == "sigmoid" else torch.relu

    def loss():
        S = act_t(Xt @ Vt.T) @ Wt.T
        return (torch.logsumexp(S, 1, keepdim=True) - (Yt * S).sum(1, keepdim=True)).mean()

    def step():
        ls = loss()
        gV, gW = torch.autograd.grad(ls, (Vt, Wt))
        return ls, gV, gW

    def forward():
        with torch.no_grad():
            return (loss(),)
    return step, forward


def _mlp_cells(peers, V, W, X, Y, act):
    """``(grad_systems, forward_systems)`` dicts for the MLP step."""
    actf = _sigmoid if act == "sigmoid" else _relu
    cr_loss = mlp_loss(cnp, cr_logsumexp, _cr_sigmoid if act == "sigmoid" else _relu)
    cr_vg = chainrule.value_and_grad(cr_loss, argnums=(0, 1))
    jit_vg, jit_loss = chainrule.jit(cr_vg), chainrule.jit(cr_loss)
    grads = {"chainrule": lambda: cr_vg(V, W, X, Y), "chainrule-jit": lambda: jit_vg(V, W, X, Y)}
    fwds = {"chainrule": lambda: (cr_loss(V, W, X, Y),),
            "chainrule-jit": lambda: (jit_loss(V, W, X, Y),)}
    if peers.autograd is not None:
        from autograd.scipy.special import logsumexp as ag_lse
        ag_loss = mlp_loss(peers.anp, lambda S: ag_lse(S, axis=1, keepdims=True), actf)
        ag_vg = peers.autograd.value_and_grad(ag_loss, argnum=(0, 1))
        grads["autograd"] = lambda: ag_vg(V, W, X, Y)
        fwds["autograd"] = lambda: (ag_loss(V, W, X, Y),)
    if peers.torch is not None:
        grads["torch"], fwds["torch"] = _mlp_torch(peers, V, W, X, Y, act)
    if peers.jax is not None:
        jax, jnp = peers.jax, peers.jnp
        jact = (lambda xp, z: jax.nn.sigmoid(z)) if act == "sigmoid" else \
            (lambda xp, z: jax.nn.relu(z))
        j_loss = mlp_loss(jnp, lambda S: jax.nn.logsumexp(S, axis=1, keepdims=True), jact)
        args = [jnp.asarray(a) for a in (V, W, X, Y)]
        vg = jax.value_and_grad(j_loss, argnums=(0, 1))
        _jax_pair(peers, grads, lambda tr: (lambda f: lambda: f(*args))(tr(vg)))
        _jax_pair(peers, fwds, lambda tr: (lambda f: lambda: (f(*args),))(tr(j_loss)))
    return grads, fwds


def _iris_like(rng, N=150):
    """Three Gaussian clusters in 2-D plus a bias column (the lecture's iris MLP input)."""
    C = 3
    y = onp.arange(N) % C
    centers = onp.array([[-1.5, 0.0], [1.0, 1.2], [1.2, -1.0]])
    feats = centers[y] + 0.6 * rng.standard_normal((N, 2))
    X = onp.hstack([feats, onp.ones((N, 1))])
    Y = onp.eye(C)[y]
    return X, Y


def w1(peers, rng):
    """W1 iris-step: N=150, D=3, M=16 sigmoid, C=3; value + grads of V and W."""
    X, Y = _iris_like(rng)
    M, D, C = 16, 3, 3
    V = 0.5 * rng.standard_normal((M, D))
    W = 0.5 * rng.standard_normal((C, M))
    grads, _ = _mlp_cells(peers, V, W, X, Y, "sigmoid")
    vg = chainrule.value_and_grad(mlp_loss(cnp, cr_logsumexp, _cr_sigmoid), argnums=(0, 1))
    return [Case("W1", "iris-step", lambda: mlp_ref(V, W, X, Y, "sigmoid"), grads,
                 tol=F64_TOL, target=Target("ratio", 3.0), jit_target=Target("ratio", 1.2),
                 jit_parts=(vg, (V, W, X, Y)))]


def w2_data(rng, dtype):
    N, D, M, C = 256, 784, 512, 10
    X = rng.random((N, D)).astype(dtype)
    Y = onp.eye(C, dtype=dtype)[rng.integers(0, C, N)]
    V = (rng.standard_normal((M, D)) * math.sqrt(2.0 / D)).astype(dtype)
    W = (rng.standard_normal((C, M)) * math.sqrt(1.0 / M)).astype(dtype)
    return V, W, X, Y


def w2(peers, rng):
    """W2 mlp-step: N=256, D=784, M=512 ReLU, C=10; grad and forward, f32 and f64."""
    cases = []
    for dtype, tag in ((onp.float32, "f32"), (onp.float64, "f64")):
        V, W, X, Y = w2_data(rng, dtype)
        grads, fwds = _mlp_cells(peers, V, W, X, Y, "relu")
        cases.append(Case("W2", f"{tag} grad",
                          (lambda V=V, W=W, X=X, Y=Y: mlp_ref(V, W, X, Y, "relu")), grads,
                          tol=_tol(dtype), target=Target("ratio", 1.10)))
        cases.append(Case("W2", f"{tag} forward",
                          (lambda V=V, W=W, X=X, Y=Y: mlp_ref(V, W, X, Y, "relu", False)), fwds,
                          tol=_tol(dtype)))
    return cases


def w2_memory_cells(peers, rng):
    """Closures for the peak-memory comparison of a W2 gradient (tracemalloc sees
    NumPy's buffers, so only NumPy-backed systems are comparable)."""
    out = {}
    for dtype, tag in ((onp.float32, "f32"), (onp.float64, "f64")):
        V, W, X, Y = w2_data(rng, dtype)
        cells = {"numpy": (lambda V=V, W=W, X=X, Y=Y: mlp_ref(V, W, X, Y, "relu"))}
        g, _ = _mlp_cells(peers, V, W, X, Y, "relu")
        cells["chainrule"] = g["chainrule"]
        cells["chainrule-jit"] = g["chainrule-jit"]
        if "autograd" in g:
            cells["autograd"] = g["autograd"]
        out[tag] = cells
    return out


# ----------------------------------------------------------------------------
# W3: per-op overhead
# ----------------------------------------------------------------------------

W3_OPS = 200


def op_chain(sin, tanh, total):
    """200 elementwise ops cycling sin, *1.01, +0.1, tanh; then sum."""
    def f(x):
        for k in range(W3_OPS):
            r = k % 4
            if r == 0:
                x = sin(x)
            elif r == 1:
                x = x * 1.01
            elif r == 2:
                x = x + 0.1
            else:
                x = tanh(x)
        return total(x)
    return f


def w3_ref(x0):
    x, saved = x0, []
    for k in range(W3_OPS):
        r = k % 4
        if r == 0:
            saved.append(x)
            x = onp.sin(x)
        elif r == 1:
            x = x * 1.01
        elif r == 2:
            x = x + 0.1
        else:
            x = onp.tanh(x)
            saved.append(x)
    val = onp.sum(x)
    g = onp.ones_like(x)
    for k in range(W3_OPS - 1, -1, -1):
        r = k % 4
        if r == 0:
            g = g * onp.cos(saved.pop())
        elif r == 1:
            g = g * 1.01
        elif r == 3:
            y = saved.pop()
            g = g * (1.0 - y * y)
    return val, g


def w3(peers, rng):
    """W3 op-overhead: x of length 10, 200 ops, value + gradient; us per op."""
    x0 = rng.standard_normal(10)
    cr = chainrule.value_and_grad(op_chain(cnp.sin, cnp.tanh, cnp.sum))
    cr_jit = chainrule.jit(cr)
    systems = {"chainrule": lambda: cr(x0), "chainrule-jit": lambda: cr_jit(x0)}
    if peers.autograd is not None:
        anp = peers.anp
        ag = peers.autograd.value_and_grad(op_chain(anp.sin, anp.tanh, anp.sum))
        systems["autograd"] = lambda: ag(x0)
    if peers.torch is not None:
        torch = peers.torch
        f = op_chain(torch.sin, torch.tanh, torch.sum)
        xt = _t(peers, x0, True)

        def torch_step():
            s = f(xt)
            (g,) = torch.autograd.grad(s, xt)
            return s, g
        systems["torch"] = torch_step
    if peers.jax is not None:
        jax, jnp = peers.jax, peers.jnp
        vg = jax.value_and_grad(op_chain(jnp.sin, jnp.tanh, jnp.sum))
        xj = jnp.asarray(x0)
        _jax_pair(peers, systems, lambda tr: (lambda f: lambda: f(xj))(tr(vg)))
    # Where chainrule's time goes (printed by --profile), through the public API.
    f_np, f_cr = op_chain(onp.sin, onp.tanh, onp.sum), op_chain(cnp.sin, cnp.tanh, cnp.sum)
    _, pullback = chainrule.vjp(f_cr, x0)
    one = onp.float64(1.0)
    phases = {"numpy: forward only": lambda: f_np(x0),
              "numpy: forward + hand backward": lambda: w3_ref(x0),
              "chainrule: forward on plain arrays (dispatch only)": lambda: f_cr(x0),
              "chainrule: vjp(f, x) (forward + tape)": lambda: chainrule.vjp(f_cr, x0),
              "chainrule: pullback(1.0) (backward pass alone)": lambda: pullback(one),
              "chainrule: value_and_grad (total)": lambda: cr(x0)}
    return [Case("W3", "op-overhead", lambda: w3_ref(x0), systems, tol=F64_TOL,
                 target=Target("us_per_op", 4.0), jit_target=Target("us_per_op", 1.2),
                 per=W3_OPS, phases=phases, jit_parts=(cr, (x0,)))]


# ----------------------------------------------------------------------------
# W4: Jacobians of tanh(A x)
# ----------------------------------------------------------------------------

W4_SHAPES = ((10, 1000), (1000, 10), (300, 300))


def w4_target(n, m, mode, jit=False):
    """The lecture's rule picks the right mode: jacfwd when the output has at
    least as many elements as the input (n <= m, the square case included),
    jacrev otherwise. Right mode <= 5x the closed form, wrong mode <= 100x;
    under jit, right mode <= 2x (wrong mode: no target)."""
    right = "jacfwd" if n <= m else "jacrev"
    if jit:
        return Target("ratio", 2.0, "right mode") if mode == right else None
    return Target("ratio", 5.0, "right mode") if mode == right else \
        Target("ratio", 100.0, "wrong mode")


def w4(peers, rng):
    """W4 jacobian: f(x) = tanh(A x), A (m, n); jacfwd and jacrev vs the closed form."""
    cases = []
    for n, m in W4_SHAPES:
        A = rng.standard_normal((m, n)) / math.sqrt(n)
        x = rng.standard_normal(n)
        cases += _w4_shape(peers, n, m, A, x)
    return cases


def _w4_shape(peers, n, m, A, x):
    def closed():
        y = onp.tanh(A @ x)
        return ((1.0 - y * y)[:, None] * A,)

    def f_cr(x):
        return cnp.tanh(A @ x)
    jf, jr = chainrule.jacfwd(f_cr), chainrule.jacrev(f_cr)
    jjf, jjr = chainrule.jit(jf), chainrule.jit(jr)
    per_mode = {"jacfwd": {"chainrule": lambda: (jf(x),), "chainrule-jit": lambda: (jjf(x),)},
                "jacrev": {"chainrule": lambda: (jr(x),), "chainrule-jit": lambda: (jjr(x),)}}
    if peers.autograd is not None:
        ag, anp = peers.autograd, peers.anp

        def f_ag(x):
            return anp.tanh(anp.dot(A, x))
        mj = ag.make_jvp(f_ag)
        ag_jac = ag.jacobian(f_ag)
        eye = onp.eye(n)

        def ag_jacfwd():
            # autograd has no batched forward Jacobian: one JVP per input.
            jv = mj(x)
            return (onp.stack([jv(e)[1] for e in eye], axis=-1),)
        per_mode["jacfwd"]["autograd"] = ag_jacfwd
        per_mode["jacrev"]["autograd"] = lambda: (ag_jac(x),)
    if peers.torch is not None:
        torch = peers.torch
        At, xt = _t(peers, A), _t(peers, x)

        def ft(x):
            return torch.tanh(At @ x)
        tf, tr = torch.func.jacfwd(ft), torch.func.jacrev(ft)
        per_mode["jacfwd"]["torch"] = lambda: (tf(xt),)
        per_mode["jacrev"]["torch"] = lambda: (tr(xt),)
    if peers.jax is not None:
        jax, jnp = peers.jax, peers.jnp
        Aj, xj = jnp.asarray(A), jnp.asarray(x)

        def fj(x):
            return jnp.tanh(Aj @ x)
        for mode, jm in (("jacfwd", jax.jacfwd), ("jacrev", jax.jacrev)):
            _jax_pair(peers, per_mode[mode],
                      lambda tr, jm=jm: (lambda j: lambda: (j(xj),))(tr(jm(fj))))
    return [Case("W4", f"({n},{m}) {mode}", closed, per_mode[mode], tol=F64_TOL,
                 target=w4_target(n, m, mode), jit_target=w4_target(n, m, mode, jit=True))
            for mode in ("jacfwd", "jacrev")]


# ----------------------------------------------------------------------------
# W5: Hessian-vector product
# ----------------------------------------------------------------------------

def softplus_sum(xp, A):
    """f(x) = sum(log(1 + exp(A x)))."""
    return lambda x: xp.sum(xp.log(1.0 + xp.exp(A @ x)))


def w5(peers, rng):
    """W5 hvp: A 500x500; H v forward-over-reverse and reverse-over-reverse vs closed form."""
    n = 500
    A = rng.standard_normal((n, n)) / math.sqrt(n)
    x = rng.standard_normal(n)
    v = rng.standard_normal(n)

    def closed():
        s = 1.0 / (1.0 + onp.exp(-(A @ x)))
        return (A.T @ (s * (1.0 - s) * (A @ v)),)

    f = softplus_sum(cnp, A)
    hv_fr = chainrule.hvp(f)
    hv_rr = chainrule.grad(lambda x, v: cnp.vdot(chainrule.grad(f)(x), v))
    jfr, jrr = chainrule.jit(hv_fr), chainrule.jit(hv_rr)
    fr = {"chainrule": lambda: (hv_fr(x, v),), "chainrule-jit": lambda: (jfr(x, v),)}
    rr = {"chainrule": lambda: (hv_rr(x, v),), "chainrule-jit": lambda: (jrr(x, v),)}
    if peers.autograd is not None:
        ag = peers.autograd
        fa = softplus_sum(peers.anp, A)
        mj = ag.make_jvp(ag.grad(fa))
        htp = ag.hessian_tensor_product(fa)
        fr["autograd"] = lambda: (mj(x)(v)[1],)
        rr["autograd"] = lambda: (htp(x, v),)
    if peers.torch is not None:
        torch = peers.torch
        At, xt, vt = _t(peers, A), _t(peers, x), _t(peers, v)
        ft = softplus_sum(torch, At)
        gt = torch.func.grad(ft)
        fr["torch"] = lambda: (torch.func.jvp(gt, (xt,), (vt,))[1],)
        xg = _t(peers, x, True)

        def torch_rr():
            (g,) = torch.autograd.grad(ft(xg), xg, create_graph=True)
            (hv,) = torch.autograd.grad(g @ vt, xg)
            return (hv,)
        rr["torch"] = torch_rr
    if peers.jax is not None:
        jax, jnp = peers.jax, peers.jnp
        Aj, xj, vj = jnp.asarray(A), jnp.asarray(x), jnp.asarray(v)
        fj = softplus_sum(jnp, Aj)

        def j_fr(x, v):
            return jax.jvp(jax.grad(fj), (x,), (v,))[1]
        j_rr = jax.grad(lambda x, v: jnp.vdot(jax.grad(fj)(x), v))
        _jax_pair(peers, fr, lambda tr: (lambda h: lambda: (h(xj, vj),))(tr(j_fr)))
        _jax_pair(peers, rr, lambda tr: (lambda h: lambda: (h(xj, vj),))(tr(j_rr)))
    return [Case("W5", "hvp fwd-over-rev", closed, fr, tol=F64_TOL, target=Target("ratio", 2.0),
                 jit_target=Target("ratio", 1.3)),
            Case("W5", "hvp rev-over-rev", closed, rr, tol=F64_TOL)]


# ----------------------------------------------------------------------------
# W6: deep narrow MLP
# ----------------------------------------------------------------------------

W6_LAYERS, W6_WIDTH, W6_BATCH = 20, 64, 64


def deep_loss(xp_tanh, xp_mean):
    def loss(params, X, Y):
        h = X
        for i in range(W6_LAYERS):
            h = h @ params[2 * i] + params[2 * i + 1]
            if i < W6_LAYERS - 1:
                h = xp_tanh(h)
        return xp_mean((h - Y) ** 2)
    return loss


def deep_ref(params, X, Y):
    L = W6_LAYERS
    hs = [X]
    h = X
    for i in range(L):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < L - 1:
            h = onp.tanh(h)
        hs.append(h)
    d = h - Y
    loss = onp.mean(d ** 2)
    g = (2.0 / d.size) * d
    grads = [None] * (2 * L)
    for i in range(L - 1, -1, -1):
        if i < L - 1:
            g = g * (1.0 - hs[i + 1] ** 2)
        grads[2 * i] = hs[i].T @ g
        grads[2 * i + 1] = g.sum(axis=0)
        if i > 0:
            g = g @ params[2 * i].T
    return (loss, *grads)


def w6(peers, rng):
    """W6 deep-mlp: 20 tanh layers of width 64, batch 64, MSE; all 40 gradients."""
    w = W6_WIDTH
    params = []
    for _ in range(W6_LAYERS):
        params.append(rng.standard_normal((w, w)) / math.sqrt(w))
        params.append(0.1 * rng.standard_normal(w))
    X = rng.standard_normal((W6_BATCH, w))
    Y = rng.standard_normal((W6_BATCH, w))
    cr = chainrule.value_and_grad(deep_loss(cnp.tanh, cnp.mean))
    cr_jit = chainrule.jit(cr)
    systems = {"chainrule": lambda: cr(params, X, Y),
               "chainrule-jit": lambda: cr_jit(params, X, Y)}
    if peers.autograd is not None:
        ag = peers.autograd.value_and_grad(deep_loss(peers.anp.tanh, peers.anp.mean))
        systems["autograd"] = lambda: ag(params, X, Y)
    if peers.torch is not None:
        torch = peers.torch
        pt = [_t(peers, p, True) for p in params]
        Xt, Yt = _t(peers, X), _t(peers, Y)
        ft = deep_loss(torch.tanh, torch.mean)

        def torch_step():
            ls = ft(pt, Xt, Yt)
            return (ls, *torch.autograd.grad(ls, pt))
        systems["torch"] = torch_step
    if peers.jax is not None:
        jax, jnp = peers.jax, peers.jnp
        pj = [jnp.asarray(p) for p in params]
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        vg = jax.value_and_grad(deep_loss(jnp.tanh, jnp.mean))
        _jax_pair(peers, systems, lambda tr: (lambda f: lambda: f(pj, Xj, Yj))(tr(vg)))
    return [Case("W6", "deep-mlp", lambda: deep_ref(params, X, Y), systems, tol=F64_TOL,
                 target=Target("ratio", 1.5), jit_target=Target("ratio", 1.1),
                 jit_parts=(cr, (params, X, Y)))]


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}
TITLES = {"W1": "iris-step", "W2": "mlp-step", "W3": "op-overhead", "W4": "jacobian",
          "W5": "hvp", "W6": "deep-mlp"}
