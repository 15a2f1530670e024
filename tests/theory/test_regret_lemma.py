"""The regret lemma of C4.1, numerically: projected OGD on adversarial convex sequences never beats the bound,
and planted wrong bounds (a spurious factor 1/2; T^(1/4) in place of √T) are found by the same Hypothesis search.
The counterexamples Hypothesis found are pinned with @example / constants below."""
import math

import numpy as np
from hypothesis import example, find, given, settings
from hypothesis import strategies as st

from numerics.training.online_gd import (LOSS_KINDS, ConvexPiece, linear_regret, projected_ogd, regret_bound,
                                worst_comparator)

REGRET_TOL_F64 = 1e-9  # relative slack for float64 round-off in sums of ≤ 30 terms of size ≤ 1e3

coord = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw):
    """(dim, radius, alpha, w0, pieces) with w0 inside the ball of radius ``radius`` around 0."""
    dim = draw(st.integers(1, 3))
    radius = draw(st.floats(0.1, 5.0))
    alpha = draw(st.floats(1e-3, 2.0))
    u = np.array(draw(st.lists(coord, min_size=dim, max_size=dim)))
    scale = draw(st.floats(0.0, 1.0))
    w0 = u / max(np.linalg.norm(u), 1e-12) * radius * scale if np.linalg.norm(u) > 0 else np.zeros(dim)
    n = draw(st.integers(1, 40))
    piece = lambda: (draw(st.sampled_from(LOSS_KINDS)), tuple(draw(st.lists(coord, min_size=dim, max_size=dim))),  # noqa: E731
                     draw(st.floats(0.1, 3.0)) * draw(st.sampled_from((-1.0, 1.0))))
    # an adversary that repeats one loss is the hard case for OGD (the lemma is tight for constant linear losses)
    pieces = (piece(),) * n if draw(st.booleans()) else tuple(piece() for _ in range(n))
    return dim, radius, alpha, tuple(float(x) for x in w0), pieces


def _run(case):
    dim, radius, alpha, w0, pieces = case
    losses = [ConvexPiece(k, np.array(v, dtype=float), abs(s) if k == "quadratic" else s) for k, v, s in pieces]
    centre = np.zeros(dim)
    trace = projected_ogd(losses, np.array(w0, dtype=float), alpha, centre, radius)
    w_star = worst_comparator(trace, alpha, centre, radius)
    return losses, trace, w_star


def _gradient_bound(piece, radius):
    """sup over the ball K (centre 0) of ‖∂ℓ‖: the a-priori G that the tuned step needs."""
    norm = float(np.linalg.norm(piece.v))
    if piece.kind == "linear":
        return norm
    if piece.kind == "hinge":
        return abs(piece.s) * norm
    return piece.s * (radius + norm)


def excess(case, bound="lemma"):
    """Σ⟨g_t, W(t) − W*⟩ minus the stated bound at the worst comparator W* (> 0 means the bound fails)."""
    dim, radius, alpha, w0, pieces = case
    losses, trace, w_star = _run(case)
    lhs = linear_regret(trace, w_star)
    if bound == "lemma":
        rhs = regret_bound(trace, w_star, alpha)
    elif bound == "missing-half":          # the lemma's right side with an extra factor 1/2
        rhs = regret_bound(trace, w_star, alpha) / 2
    else:                                   # tuned: α = D/(G√T) gives total regret ≤ D·G·√T; planted T^(1/4)
        D, T = 2 * radius, len(pieces)
        G = max(max(_gradient_bound(l, radius) for l in losses), 1e-12)
        tuned = D / (G * math.sqrt(T))
        trace = projected_ogd(losses, np.array(w0, dtype=float), tuned, np.zeros(dim), radius)
        w_star = worst_comparator(trace, tuned, np.zeros(dim), radius)
        lhs = linear_regret(trace, w_star)
        rhs = D * G * (math.sqrt(T) if bound == "tuned" else T ** 0.25)
    return lhs - rhs - REGRET_TOL_F64 * (1 + abs(rhs))


# Counterexamples found by Hypothesis for the planted bounds (find() below re-discovers them).
PINNED_MISSING_HALF = (1, 1.0, 1.0, (0.0,), (("linear", (1.0,), -1.0),))
PINNED_QUARTER_ROOT = (1, 1.0, 1.0, (1.0,), (("hinge", (-1.0,), 1.0),) * 2)


@example(case=PINNED_MISSING_HALF)
@example(case=PINNED_QUARTER_ROOT)
@given(case=cases())
def test_projected_ogd_never_beats_the_regret_lemma(case):
    assert excess(case, "lemma") <= 0
    assert excess(case, "tuned") <= 0
    losses, trace, w_star = _run(case)
    realized = sum(l.value(w) for l, w in zip(losses, trace.iterates)) - sum(l.value(w_star) for l in losses)
    assert realized <= linear_regret(trace, w_star) + REGRET_TOL_F64 * (1 + abs(realized))  # convexity


def test_the_lemma_is_tight_for_constant_linear_losses():
    case = (1, 100.0, 0.1, (0.0,), (("linear", (1.0,), 0.0),) * 5)
    _, trace, w_star = _run(case)
    assert math.isclose(linear_regret(trace, w_star), regret_bound(trace, w_star, 0.1), rel_tol=1e-12)


# The quarter-root error is found only after ~370 examples at this seed: 2000 leaves room for a search that Hypothesis
# cuts differently under load (the failure was seen only on a loaded machine).
_FIND = settings(max_examples=2000, derandomize=True, database=None, deadline=None)


def test_hypothesis_finds_the_missing_factor_half():
    found = find(cases(), lambda c: excess(c, "missing-half") > 0, settings=_FIND)
    assert excess(found, "missing-half") > 0 and excess(found, "lemma") <= 0
    assert excess(PINNED_MISSING_HALF, "missing-half") > 0


def test_hypothesis_finds_quarter_root_in_place_of_sqrt_T():
    found = find(cases(), lambda c: excess(c, "quarter-root") > 0, settings=_FIND)
    assert excess(found, "quarter-root") > 0 and excess(found, "tuned") <= 0
    assert excess(PINNED_QUARTER_ROOT, "quarter-root") > 0
