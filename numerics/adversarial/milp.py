"""Exact robust loss of a small ReLU network on an ℓ∞ ball by mixed-integer linear programming.

ℓ is convex in f, so max_{x'∈B(x)} ℓ(f(x'), y) is attained where f is minimal or maximal over B(x)
(for hinge/logistic only one side: the one that lowers y·f). Each extreme is a MILP (big-M encoding of
z = relu(g) with valid pre-activation bounds l ≤ g ≤ u and a binary b per neuron):

    z ≥ g,  z ≥ 0,  z ≤ g − l·(1 − b),  z ≤ u·b,   g^(h) = W^(h)·(s·z^(h−1)),  x' ∈ [x − δ, x + δ],

solved by HiGHS (scipy.optimize.milp) in a separate process under a hard wall-clock limit: if the
limit is hit, every unsolved sample gets status "time_limit" — never a silent number.
"""
from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import scipy.sparse as sps
import torch

MILP_STATUS_OPTIMAL = "optimal"
MILP_STATUS_TIME_LIMIT = "time_limit"
MILP_STATUS_ERROR = "error"
MILP_STATUS_NOT_APPLICABLE = "not-applicable"
# Relative MIP gap asked of HiGHS (its default 1e-4 is too coarse to call a value exact).
MILP_REL_GAP = 1e-9
# Outward padding of the big-M pre-activation bounds: keeps them valid under float64 round-off.
MILP_BOUND_PAD = 1e-9
# Seconds allowed on top of the time limit for starting the solver process and returning results.
_PROCESS_GRACE_S = 10.0


def _problem(weights, scale, a, x0, radius, pre, sense):
    """(c, A, lb, ub, bounds_lo, bounds_hi, integrality) minimizing sense·f over the ℓ∞ ball."""
    d = x0.shape[0]
    widths = [W.shape[0] for W in weights]
    offsets, pos = [], d
    for m in widths:  # per layer: g (m), z (m), b (m)
        offsets.append(pos)
        pos += 3 * m
    nvar = pos
    lo, hi = np.empty(nvar), np.empty(nvar)
    integ = np.zeros(nvar)
    lo[:d], hi[:d] = x0 - radius, x0 + radius
    rows, cols, vals, rlo, rhi = [], [], [], [], []
    r = 0

    def add(entries, lower, upper):
        nonlocal r
        for col, v in entries:
            rows.append(r), cols.append(col), vals.append(v)
        rlo.append(lower), rhi.append(upper)
        r += 1

    prev_start, prev_len, prev_scale = 0, d, 1.0
    for h, W in enumerate(weights):
        m, o = W.shape[0], offsets[h]
        l, u = pre[h]
        l = l - MILP_BOUND_PAD * (1 + np.abs(l))
        u = u + MILP_BOUND_PAD * (1 + np.abs(u))
        g, z, b = o, o + m, o + 2 * m
        lo[g:g + m], hi[g:g + m] = l, u
        lo[z:z + m], hi[z:z + m] = 0.0, np.maximum(u, 0.0)
        lo[b:b + m] = np.where(l >= 0, 1.0, 0.0)  # stable neurons: b fixed (the encoding is then exact)
        hi[b:b + m] = np.where(u <= 0, 0.0, 1.0)
        integ[b:b + m] = 1
        for i in range(m):
            add([(g + i, 1.0)] + [(prev_start + j, -prev_scale * W[i, j]) for j in range(prev_len)], 0.0, 0.0)
            add([(z + i, 1.0), (g + i, -1.0)], 0.0, np.inf)
            add([(z + i, 1.0), (g + i, -1.0), (b + i, -l[i])], -np.inf, -l[i])
            add([(z + i, 1.0), (b + i, -u[i])], -np.inf, 0.0)
        prev_start, prev_len, prev_scale = z, m, scale
    c = np.zeros(nvar)
    c[prev_start:prev_start + prev_len] = sense * scale * a
    A = sps.csr_array((vals, (rows, cols)), shape=(r, nvar))
    return c, A, np.array(rlo), np.array(rhi), lo, hi, integ


def _run_in_subprocess(problems: list[tuple], time_limit: float) -> list[tuple[str, np.ndarray | None]]:
    """Run numerics.adversarial.milp_worker in a fresh interpreter; kill it at time_limit + grace (→ "time_limit")."""
    payload = pickle.dumps((problems, time_limit, MILP_REL_GAP))
    try:
        done = subprocess.run([sys.executable, "-m", "numerics.adversarial.milp_worker"], input=payload,
                              capture_output=True, timeout=time_limit + _PROCESS_GRACE_S, check=False)
    except subprocess.TimeoutExpired:
        return [(MILP_STATUS_TIME_LIMIT, None)] * len(problems)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return [(f"{MILP_STATUS_ERROR}: solver process exited {done.returncode}: {message[0]}", None)] * len(problems)
    return pickle.loads(done.stdout)


def relu_milp_extremes(net, X: torch.Tensor, y: torch.Tensor, pset, loss, pre, *,
                       time_limit: float) -> tuple[torch.Tensor, list[str]]:
    """Per sample, the point of the ℓ∞ ball maximizing ℓ(f(x'), y) (an extreme of f) and its status.

    ``pre`` are sound pre-activation bounds (numerics.adversarial.bounds.preactivation_bounds). Returned points are
    clipped into the box (HiGHS meets bounds up to its feasibility tolerance); rows whose solve did not
    finish optimally hold x itself and a status other than "optimal".
    """
    weights = [W.detach().cpu().numpy() for W in net.weights]
    a, s = net.output.detach().cpu().numpy(), float(net.scale)
    Xn, yn = X.detach().cpu().numpy(), y.detach().cpu().numpy()
    pre_np = [(l.cpu().numpy(), u.cpu().numpy()) for l, u in pre]
    jobs = []  # (sample, sense): sense +1 minimizes f, −1 maximizes f
    for i in range(Xn.shape[0]):
        if loss.margin_decreasing and yn[i] != 0:
            senses = [1.0 if yn[i] > 0 else -1.0]
        else:
            senses = [1.0, -1.0]
        for sense in senses:
            jobs.append((i, sense))
    problems = [_problem(weights, s, a, Xn[i], pset.radius, [(l[i], u[i]) for l, u in pre_np], sense)
                for i, sense in jobs]
    results = _run_in_subprocess(problems, time_limit)
    d = Xn.shape[1]
    cand: dict[int, list[np.ndarray]] = {}
    status = [MILP_STATUS_OPTIMAL] * Xn.shape[0]
    for (i, _), (st, sol) in zip(jobs, results):
        if st != MILP_STATUS_OPTIMAL:
            status[i] = st
        else:
            cand.setdefault(i, []).append(np.clip(sol[:d], Xn[i] - pset.radius, Xn[i] + pset.radius))
    points = X.detach().clone()
    with torch.no_grad():
        for i, pts in cand.items():
            if status[i] != MILP_STATUS_OPTIMAL:
                continue
            P = torch.as_tensor(np.stack(pts), dtype=X.dtype, device=X.device)
            vals = loss.value(net(P), y[i].expand(P.shape[0]))
            points[i] = P[int(vals.argmax())]
    return points, status
