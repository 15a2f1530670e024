"""C9 audit: does robust interpolation force VCdim(sign ∘ F) ≥ ⌊n/2⌋·d? Exact checks of both constructions.

``check_linf_conventions`` — the paper's ℓ∞ template under each of the 16 conventions (closed/open balls,
separation ≥ 2δ or > 2δ, arbitrary/continuous f, sign/margin; sign(0) realizes neither label). Per
convention it reports whether the template proves the bound, whether the hypothesis can be met at all
(exhibiting a dataset no f can robustly interpolate when it cannot), and the statement's status:
  vacuous — no class meets the hypothesis (a template dataset has a point in constraint sets of both labels);
  fails   — decision stumps meet the hypothesis for n = 2 and VC(stumps on R^d) ≤ d − 1 for d ≥ 6;
  holds   — the template proves the bound under the convention.
It also measures the strict-gap obstruction: the most points one group of a 2-point template can shatter
under strict separation (exact enumeration, d = 2..6 fast), against the counting bound O(log d), and n = 3:
the maximum/minimum of two stumps meets the hypothesis for every admissible ≤ 3-point dataset (exact, on
sampled datasets per convention) with VC dimension ≤ max{N : 2^N ≤ 2(2 + 2d(N − 1))²} < d from d₃ = 21 on,
while at small d it shatters the template's own d q-points (d ≤ 5) — so ⌊3/2⌋·d fails at n = 3 too, but only
for large d. Label: "vacuous under the literal reading; false at n = 2 (VC(stumps on R⁶) = 5 < 6)". Why no
bound uniform over n ≥ 2 survives: stumps meet the n = 2 hypothesis in every dimension and have VC dimension
Θ(log d), so any bound VC ≥ g(n)·d valid for all n ≥ 2 needs g(2)·d = O(log d), i.e. g(2) = 0.

``check_l2_kim`` — the ℓ2 template of Kim, Moon, Yun (2025): exact ρ² thresholds (k − 1)/k, the largest k
at a given ρ, exact shattering of k·⌊n/2⌋ points at the threshold, and its failure just below.

Every number reported is computed in exact rational arithmetic; each failing comparison carries a
counterexample recomputed by the independent code in this module (plain Fractions from the formulas).
Parameters that planted errors set (numerics/planted/registry.py): ``oracle`` (an Oracle replacing every
shattering oracle; planted: one that always answers "realizable"),
``q_offset`` (q = c + t·δ·e_j with t ≠ 1; within one group any t ∈ (0, 2] is still forced, but with the 4δ
spacing t = 2 reaches a box of the next group, so only t ∈ (0, 2) is harmless), and ``extra_groups``
(a template with ⌊n/2⌋ + extra_groups groups: +1 is the off-by-one, −1 proves less than claimed).

Length (~620 lines): one claim, two constructions and the oracles' calibration on classes of known VC dimension; every comparison keeps its independent Fraction recomputation
beside it, so that a reader can check each verdict against its re-verification in one place.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from numerics.capacity.known_vc import KnownCase, describe, known_cases, threshold_case
from numerics.capacity.shattering import REALIZABLE, UNREALIZABLE, Oracle, ShatterResult, labelings, shatter
from numerics.capacity.strict_gap import (BoxPairOracle, stump_interpolator, stump_labeling_bound,
                                 stump_robustly_interpolates, stump_vc_upper_bound, strict_gap_capacity,
                                 two_stump_interpolator, two_stump_labelings, two_stump_refutation_d,
                                 two_stump_vc_upper_bound, two_stumps_robustly_interpolate)
from numerics.capacity.vc_constructions import (CONVENTIONS, Convention, ForcingOracle, KimL2Template, LinfTemplate,
                                       forced_labels, inadmissible_pair, interpolation_obstruction,
                                       kim_max_k, kim_threshold_rho_sq, measured_threshold_rho_sq)
from theory.errors import InputError
from theory.evidence import HOLDS_UNDER, REFUTED_AS_STATED, VACUOUS, Counterexample, Evidence, RunContext
from theory.tolerances import tolerance

CLAIM = "C9-vc-linf"
DELTA = Fraction(1, 2)  # ℓ∞ radius of the audit (any δ > 0 gives the same pattern; a non-integer one exercises Q)
REFUTATION_D = 6  # smallest d with 2^d > 2 + 2d(d − 1): stumps cannot shatter d points in R^d
PRINTED_RHO = {2: 0.7071, 3: 0.8165}  # Kim et al.'s printed 4-digit thresholds √(1/2), √(2/3) (docs/claims.md §6 L2)
PRINTED_RHO_TOL = tolerance("C9-l2-kim", "PRINTED_RHO_TOL")  # half a unit in the 4th printed digit
BELOW_THRESHOLD_GAP = Fraction(1, 1000)  # ρ² just below the threshold: (k − 1)/k − 1/1000
KIM_RHO_SQ_GRID = (Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 5), Fraction(2, 3), Fraction(7, 10),
                   Fraction(3, 4), Fraction(4, 5), Fraction(5, 6))
PAPER_FORCING = Convention("closed", "non-strict", "arbitrary", "sign")  # the paper's forcing argument


# ---------------------------------------------------------------- independent exact re-verification
def _linf(u: list[Fraction], v: list[Fraction]) -> Fraction:
    return max(abs(a - b) for a, b in zip(u, v))


def _template_pair(d: int, delta: Fraction, l: int, signs: list[int]) -> tuple[list, list]:
    """(c_l + δs, c_l − δs) with c_l = 4δ·l·e_1, written out from the formula."""
    c = [4 * delta * l] + [Fraction(0)] * (d - 1)
    return [c[i] + delta * signs[i] for i in range(d)], [c[i] - delta * signs[i] for i in range(d)]


def _reverify_linf_not_forced(T: LinfTemplate, labels: list[int], index: int) -> bool:
    """True when q #index (offset t) is NOT forced to its label by the closed δ-boxes of D(labels), with every
    group's pair c_l ± δs^l and the far padding point c_g (label +1, odd n) written out from the formula."""
    d, delta, g = T.d, T.delta, T.n_groups
    boxes = []
    for l in range(g):
        plus, minus = _template_pair(d, delta, l, labels[l * d:(l + 1) * d])
        boxes += [(plus, 1), (minus, -1)]
    if 2 * g < T.n:
        boxes.append(([4 * delta * g] + [Fraction(0)] * (d - 1), 1))
    l, j = divmod(index, d)
    q = [4 * delta * l if i == 0 else Fraction(0) for i in range(d)]
    q[j] += T.q_offset * delta
    return {y for x, y in boxes if _linf(q, x) <= delta} != {labels[index]}


def _reverify_dataset_size(groups: int, n: int) -> tuple[bool, int]:
    size = 2 * groups + (1 if 2 * groups < n else 0)
    return size > n, size


def _reverify_shared_centre(d: int, delta: Fraction) -> bool:
    """c = 0 is within δ (closed ℓ∞) of both δs and −δs: every template dataset meets itself."""
    s = [1] * d
    plus, minus = _template_pair(d, delta, 0, s)
    c = [Fraction(0)] * d
    return _linf(c, plus) <= delta and _linf(c, minus) <= delta


def _reverify_box_pair(points: np.ndarray, labels: list[int], witness: Any, delta: Fraction) -> bool:
    """True when the witness does NOT realize the labels as a pair of closed δ-boxes more than 2δ apart."""
    try:
        a, b = ([Fraction(v) for v in centre] for centre in witness)
    except (TypeError, ValueError):
        return True
    P = [[Fraction(float(v)) for v in row] for row in np.asarray(points, dtype=np.float64)]
    ok = _linf(a, b) > 2 * delta and all(_linf(p, a if y == 1 else b) <= delta for p, y in zip(P, labels))
    return not ok


def _reverify_kim_threshold(k: int, t: Fraction, rho_sq: Fraction) -> tuple[bool, Fraction]:
    """Labels all −1 (a worst case): is q_0 = c + t·e_0 outside the closed ball (radius² ρ²k) of the −1 point
    c + Σ_j e_j at ρ²? Returns (outside, squared distance)."""
    signs = [-1] * k
    same = [Fraction(-s) for s in signs]  # label −1 point: c − Σ s_j e_j
    q = [t] + [Fraction(0)] * (k - 1)
    sq = sum(((a - b) ** 2 for a, b in zip(q, same)), Fraction(0))
    return sq > rho_sq * k, sq


def _as_dataset(witness: Any) -> list[tuple[list[Fraction], int]] | None:
    try:
        return [([Fraction(v) for v in x], int(y)) for x, y in witness]
    except (TypeError, ValueError):
        return None


def _sq(u: list[Fraction], v: list[Fraction]) -> Fraction:
    return sum(((a - b) ** 2 for a, b in zip(u, v)), Fraction(0))


def _reverify_witness(context: tuple, labels: list[int], witness: Any) -> bool:
    """True when the witness does NOT realize the labels, recomputed from the construction's parameters:
    ("box", points, δ): a pair of closed δ-boxes more than 2δ apart covering P₊ and P₋;
    ("linf", template): a dataset of ≤ n points, opposite labels ≥ 2δ apart, every q_{l,j} = 4δl·e_1 + tδ·e_j
        in a closed δ-box of its label and none of the other;
    ("kim", template, closed): ≤ n points, opposite labels ≥ 2√k apart with disjoint balls (radius² ρ²k),
        every q_{l,j} = 4kl·e_1 + t·e_j in a ball of its label only."""
    if context[0] == "box":
        return _reverify_box_pair(context[1], labels, witness, context[2])
    T = context[1]
    data = _as_dataset(witness)
    if data is None or len(data) > T.n:
        return True
    opposite = [(x, u) for x, y in data for u, v in data if y == 1 and v == -1]
    if context[0] == "linf":
        d, delta = T.d, T.delta
        qs = [[4 * delta * l + (T.q_offset * delta if j == 0 else 0)] +
              [T.q_offset * delta if i == j else Fraction(0) for i in range(1, d)]
              for l in range(T.n_groups) for j in range(d)]
        if any(_linf(x, u) < 2 * delta for x, u in opposite):
            return True
        inside = [{y for x, y in data if _linf(q, x) <= delta} for q in qs]
    else:
        k, d, r2, closed = T.k, T.d, T.rho_sq * T.k, context[2]
        qs = [[Fraction(4 * k * l) + (T.q_offset if j == 0 else 0)] +
              [T.q_offset if i == j else Fraction(0) for i in range(1, d)]
              for l in range(T.n_groups) for j in range(k)]
        if any(_sq(x, u) < 4 * k or (_sq(x, u) <= 4 * r2 if closed else _sq(x, u) < 4 * r2) for x, u in opposite):
            return True
        inside = [{y for x, y in data if (_sq(q, x) <= r2 if closed else _sq(q, x) < r2)} for q in qs]
    return any(found != {lab} for found, lab in zip(inside, labels))


# ---------------------------------------------------------------- shared pieces
def _witness_audit(ev: Evidence, results: list[tuple[str, ShatterResult, Any]], reverify) -> None:
    """Comparison: answers the oracle's own exact re-check rejected, plus accepted 'realizable' answers whose
    witness fails this module's independent re-check, must number 0. The first offender becomes the
    counterexample, re-verified by the independent check (a rejected 'unrealizable' answer has no independent
    certificate check here, so it is reported but not re-verified)."""
    own, independent, offenders = 0, 0, []
    for where, res, context in results:
        own += res.n_rejected
        offenders += [(where, rec, context) for rec in res.rejected[:1]]
        for idx in np.flatnonzero(res.status == REALIZABLE):
            labels = res.labels(int(idx)).tolist()
            witness = res.decision(int(idx))[1]
            if reverify(context, labels, witness):
                independent += 1
                offenders.append((where, {"labels": labels, "claimed": "realizable", "witness": witness}, context))
    row = ev.compare("oracle answers failing an exact re-check (own or independent)", own + independent, 0, "==",
                     rejected_by_oracle=own, failing_independent_check=independent)
    offenders.sort(key=lambda o: o[1]["claimed"] != "realizable")
    for where, rec, context in offenders[:1]:
        reproduced = rec["claimed"] == "realizable" and reverify(context, rec["labels"], rec["witness"])
        ev.counterexamples.append(Counterexample(
            row.name, f"{where}: the oracle claimed labeling {rec['labels']} {rec['claimed']} with a witness or "
                      "certificate that does not check",
            {"labels": rec["labels"], "witness": repr(rec["witness"])[:300]}, float(own + independent), 0.0,
            "exact rational recomputation from the construction's formulas", reproduced))


def _statuses(ev: Evidence, results: list[ShatterResult]) -> None:
    seen = sorted({s for r in results for s in r.solver_statuses})
    ev.solver_statuses.extend(seen or ["exact"])


def _random_pairs(rng: np.random.Generator, d: int, delta: Fraction, strict: bool, count: int) -> list:
    """Datasets of ≤ 2 points: opposite labels at ℓ∞ distance exactly 2δ (non-strict) or 2δ + ε (strict)
    along a random coordinate, same-label pairs at any distance, and single points; rationals with denominator 16."""
    out = []
    for i in range(count):
        a = tuple(Fraction(int(v), 16) for v in rng.integers(-64, 65, d))
        kind = i % 4
        if kind == 3:
            out.append(((a, int(rng.choice([-1, 1]))),))
            continue
        gap = 2 * delta + (Fraction(int(rng.integers(1, 9)), 64) if strict or kind == 1 else 0)
        v = [Fraction(int(x), 16) * gap / 4 for x in rng.integers(-64, 65, d)]
        v = [max(-gap, min(gap, x)) for x in v]
        j = int(rng.integers(d))
        v[j] = gap * int(rng.choice([-1, 1]))
        b = tuple(x + y for x, y in zip(a, v))
        if kind == 2:
            y = int(rng.choice([-1, 1]))
            out.append(((a, y), (b, y)))
        else:
            y = int(rng.choice([-1, 1]))
            out.append(((a, y), (b, -y)))
    return out


# ---------------------------------------------------------------- ℓ∞ conventions
def _template_counts(T: LinfTemplate, conv: Convention) -> dict[str, int]:
    """Over all labelings s of the q-points: how many D(s) are admissible, interpolable, force s (exact)."""
    X = T.q_points()
    geo = T.geometry
    counts = {"labelings": 0, "admissible": 0, "interpolable": 0, "forces": 0, "proves": 0}
    for y in labelings(len(X)):
        data = T.dataset(y)
        adm = len(data) <= T.n and inadmissible_pair(data, geo, conv) is None
        interp = interpolation_obstruction(data, geo, conv) is None
        forces = all(forced_labels(tuple(q), data, geo, conv) == {int(v)} for q, v in zip(X, y))
        counts["labelings"] += 1
        counts["admissible"] += adm
        counts["interpolable"] += interp
        counts["forces"] += forces
        counts["proves"] += adm and interp and forces
    return counts


def _convention_counts(T: LinfTemplate) -> list[dict[str, int]]:
    """Counts for every convention; a convention acts only through (closed_sets, strict), so 4 are computed."""
    cache: dict[tuple[bool, bool], dict[str, int]] = {}
    for conv in CONVENTIONS:
        key = (conv.closed_sets, conv.strict)
        if key not in cache:
            cache[key] = _template_counts(T, conv)
    return [cache[(conv.closed_sets, conv.strict)] for conv in CONVENTIONS]


def _template_reason(counts: dict[str, int], conv: Convention) -> str:
    total = counts["labelings"]
    if counts["proves"] == total:
        return "proves the bound"
    if counts["admissible"] < total:
        return "fails: pairs only 2δ apart" if conv.strict else "fails: inadmissible"
    if counts["interpolable"] < total:
        return "fails: c_l in both closed sets"
    return "fails: q on open-ball boundary"


def _hypothesis_status(conv: Convention, d: int, delta: Fraction, rng: np.random.Generator, samples: int
                       ) -> dict[str, Any]:
    """For n = 2: is the hypothesis unmeetable (a template dataset with a point in both constraint sets), or do
    stumps meet it on the template datasets and on sampled admissible 2-point datasets (exact)?"""
    T = LinfTemplate(2, d, delta)
    geo = T.geometry
    data = T.dataset([1] * d)
    if inadmissible_pair(data, geo, conv) is None:
        obstruction = interpolation_obstruction(data, geo, conv)
        if obstruction is not None:
            return {"unmeetable": True, "shared_point": obstruction[2], "dataset": data,
                    "reverified": _reverify_shared_centre(d, delta)}
    checked, failures = 0, 0
    candidates = [T.dataset(y) for y in labelings(d)] + _random_pairs(rng, d, delta, conv.strict, samples)
    for data in candidates:
        if inadmissible_pair(data, geo, conv) is not None:
            continue
        stump = stump_interpolator(data, geo, conv)
        checked += 1
        failures += stump is None or not stump_robustly_interpolates(data, geo, conv, stump)
    return {"unmeetable": False, "checked": checked, "failures": failures}


def _forcing_case(ev: Evidence, T: LinfTemplate, oracle: Oracle | None,
                  results: list[tuple[str, ShatterResult, Any]]) -> None:
    """The paper's forcing argument on one (n, d): closed boxes, D(s) forces s on all ⌊n/2⌋·d q-points."""
    n, d = T.n, T.d
    X = T.q_points()
    size = len(T.dataset([1] * len(X)))
    row = ev.compare(f"(n={n}, d={d}) template dataset size ≤ n", size, n, "<=")
    if not row.holds:
        failed, recount = _reverify_dataset_size(T.n_groups, n)
        ev.counterexamples.append(Counterexample(
            row.name, f"{T.n_groups} groups of 2 points exceed n = {n}", {"groups": T.n_groups, "n": n},
            recount, n, "integer recount from the template's formula", failed))
    gate = oracle if oracle is not None else ForcingOracle(T, PAPER_FORCING, require_interpolable=False)
    res = shatter(X, gate)
    results.append((f"forcing (n={n}, d={d})", res, ("linf", T)))
    shattered = len(X) if res.shattered else 0
    claimed = (n // 2) * d
    row = ev.compare(f"(n={n}, d={d}) q-points shattered by closed-box forcing (exact)", shattered, claimed, "==",
                     labelings_forced=res.n_realizable, labelings=len(res.status))
    if row.holds:
        return
    idx = res.first(UNREALIZABLE)
    if idx is None and res.shattered:  # shattered, but fewer points than the claim: too few groups
        failed, desc, inputs = T.n_groups * d < claimed, f"only {T.n_groups} groups of {d} points", {}
    elif idx is None:
        return
    else:
        _, _, cert = res.decision(idx)
        labels = res.labels(idx).tolist()
        inputs = {"labels": labels, "certificate": repr(cert)[:300]}
        if cert.get("reason") == "not forced":
            failed = _reverify_linf_not_forced(T, labels, cert["point"])
            desc = f"q #{cert['point']} is not forced to its label by D(s) for s = {labels}"
        else:
            failed, _ = _reverify_dataset_size(T.n_groups, n)
            desc = f"D(s) has more than n = {n} points ({T.n_groups} groups)"
    ev.counterexamples.append(Counterexample(row.name, desc, {**inputs, "q_offset": str(T.q_offset)},
                                             float(shattered), float(claimed),
                                             "exact Fractions from the template formulas", failed))


def _convention_table(ev: Evidence, T0: LinfTemplate, cases_counts: dict, rng: np.random.Generator, samples: int
                      ) -> tuple[list[list], list[str]]:
    """Per-convention rows (template counts, hypothesis for n = 2, statement) and comparisons on them."""
    counts0 = cases_counts[(T0.n, T0.d)]
    key = [(c["admissible"] == c["labelings"], c["interpolable"] == c["labelings"], c["forces"] == c["labelings"])
           for c in counts0]
    mismatches = sum([(c["admissible"] == c["labelings"], c["interpolable"] == c["labelings"],
                       c["forces"] == c["labelings"]) for c in counts] != key for counts in cases_counts.values())
    ev.compare("convention pattern differing between (n, d) cases", mismatches, 0, "==")
    total0 = counts0[0]["labelings"]
    pick = [(conv, c) for conv, c in zip(CONVENTIONS, counts0)]
    ev.compare("closed sets, ≥ 2δ: template datasets that can be robustly interpolated",
               sum(c["interpolable"] for conv, c in pick if conv.closed_sets and not conv.strict), 0, "==")
    ev.compare("open sets, ≥ 2δ: template datasets forcing their labeling (q on the boundary)",
               sum(c["forces"] for conv, c in pick if not conv.closed_sets and not conv.strict), 0, "==")
    ev.compare("> 2δ: admissible template datasets (pairs exactly 2δ apart)",
               sum(c["admissible"] for conv, c in pick if conv.strict), 0, "==")

    vc_bound = stump_vc_upper_bound(REFUTATION_D)
    ev.compare(f"VC(stumps on R^{REFUTATION_D}) upper bound (counting) vs ⌊2/2⌋·{REFUTATION_D} − 1", vc_bound,
               REFUTATION_D - 1, "<=", labelings_bound=stump_labeling_bound(REFUTATION_D, REFUTATION_D),
               all_labelings=2**REFUTATION_D)
    rows, statuses, stump_failures, bad_vacuity = [], [], 0, 0
    ev.measurements["meetable_conventions"] = []
    for conv, counts in pick:
        hyp = _hypothesis_status(conv, REFUTATION_D, DELTA, rng, samples)
        if hyp["unmeetable"]:
            bad_vacuity += not hyp["reverified"]
            statement, hyp_cell = "vacuous", "unmeetable: c_l in both sets"
        else:
            stump_failures += hyp["failures"]
            proves = counts["proves"] == counts["labelings"]
            statement = ("fails" if hyp["failures"] == 0 and vc_bound < REFUTATION_D
                         else "holds" if proves else "undecided")
            hyp_cell = f"met by stumps ({hyp['checked']} datasets)"
            ev.measurements["meetable_conventions"].append(conv.label)
        statuses.append(statement)
        rows.append([conv.label, f"{counts['admissible']}/{total0}", f"{counts['interpolable']}/{total0}",
                     f"{counts['forces']}/{total0}", _template_reason(counts, conv), hyp_cell,
                     statement + (f": VC ≤ {vc_bound} < {REFUTATION_D}" if statement == "fails" else "")])
    ev.compare("stumps failing to robustly interpolate an admissible 2-point dataset", stump_failures, 0, "==")
    ev.compare("vacuity certificates (shared point in both closed sets) failing the exact re-check", bad_vacuity,
               0, "==")
    return rows, statuses


def _random_triples(rng: np.random.Generator, d: int, delta: Fraction, strict: bool, count: int) -> list:
    """3-point datasets built from the 2-point ones: a third point ≥ 2δ (> 2δ strict) from the second along a
    random coordinate, labelled like the first (or like the second), exact rationals."""
    out = []
    for pair in _random_pairs(rng, d, delta, strict, count):
        if len(pair) < 2 or pair[0][1] == pair[1][1]:
            continue
        (a, y), (b, _) = pair
        gap = 2 * delta + (Fraction(int(rng.integers(1, 9)), 64) if strict or rng.random() < 0.5 else 0)
        k = int(rng.integers(d))
        c = tuple(v + (gap * int(rng.choice([-1, 1])) if i == k else Fraction(int(rng.integers(-8, 9)), 16))
                  for i, v in enumerate(b))
        out.append(((a, y), (b, -y), (c, y if rng.random() < 0.8 else -y)))
    return out


def _n3_audit(ev: Evidence, meetable: list[Convention], ds: list[int], rng: np.random.Generator,
              samples: int) -> list[list]:
    """n = 3 (⌊3/2⌋·d = d claimed): two-stump functions meet the hypothesis (exact, sampled datasets per meetable
    convention); per small d, the labelings they induce on the template's own q-points and their VC bound."""
    checked, failures = 0, 0
    for conv in meetable:
        for d in (3, REFUTATION_D):
            geo = LinfTemplate(3, d, DELTA).geometry
            for data in _random_triples(rng, d, DELTA, conv.strict, samples):
                if inadmissible_pair(data, geo, conv) is not None or interpolation_obstruction(data, geo, conv):
                    continue
                f = two_stump_interpolator(data, geo, conv)
                checked += 1
                failures += f is None or not two_stumps_robustly_interpolate(data, geo, conv, f)
    ev.compare("n = 3: two-stump functions failing to robustly interpolate an admissible 3-point dataset",
               failures, 0, "==", datasets_checked=checked, conventions=len(meetable))
    d3 = two_stump_refutation_d()
    ev.compare(f"n = 3: VC(two stumps on R^{d3}) upper bound (counting) vs ⌊3/2⌋·{d3} − 1",
               two_stump_vc_upper_bound(d3), d3 - 1, "<=", previous_d_bound=two_stump_vc_upper_bound(d3 - 1))
    rows = []
    for d in ds:
        X = LinfTemplate(3, d, DELTA).q_points()
        realized = len(two_stump_labelings(X))
        bound = two_stump_vc_upper_bound(d)
        status = ("no refutation by this class (shatters d points)" if realized == 2 ** d else
                  f"fails (VC ≤ {bound} < {d})" if bound < d else "undecided by this class")
        rows.append([d, d, f"{realized}/{2 ** d}", bound, status])
    rows.append([d3, d3, "—", two_stump_vc_upper_bound(d3), f"fails (VC ≤ {two_stump_vc_upper_bound(d3)} < {d3})"])
    ev.measurements["n3"] = {"datasets_checked": checked, "failures": failures, "refutation_d": d3}
    return rows


def _strict_gap(ev: Evidence, ds: list[int], t: Fraction, oracle: Oracle | None,
                results: list[tuple[str, ShatterResult, Any]]) -> list[list]:
    """Per d: the template's own q-points and the best point set one group shatters under > 2δ (exact)."""
    rows = []
    for d in ds:
        cap = strict_gap_capacity(d, oracle=oracle)
        X = LinfTemplate(2, d, DELTA, q_offset=t).q_points()
        own = 0
        for m in range(1, d + 1):
            res = shatter(X[:m], oracle if oracle is not None else BoxPairOracle(DELTA))
            results.append((f"template q-points under > 2δ (d={d}, N={m})", res, ("box", X[:m], DELTA)))
            if res.shattered is not True:
                break
            own = m
        results += [(f"strict-gap capacity (d={d}, N={len(P)})", res, ("box", P, radius))
                    for P, radius, res in cap.shatterings]
        ev.compare(f"(d={d}) group capacity under > 2δ: verified = upper bound", cap.verified, cap.upper_bound, "==",
                   proof=cap.upper_proof)
        ev.compare(f"(d={d}) template's own q-points shattered under > 2δ", own, min(d, 3), "==")
        rows.append([d, d, own, cap.verified, f"{cap.upper_bound} ({cap.upper_proof})", f"{math.log2(d):.2f}"])
    return rows


def _check_oracle(oracle: Any) -> None:
    if oracle is not None and not isinstance(oracle, Oracle):
        raise InputError(f"oracle must be a numerics.capacity.shattering.Oracle, got {oracle!r}")


def check_linf_conventions(ctx: RunContext, *, oracle: Oracle | None = None, q_offset: Any = None,
                           extra_groups: int = 0) -> Evidence:
    """C9, ℓ∞ template: per-convention verdicts, the strict-gap capacity per group, and the construction verdict."""
    ev = Evidence(claim_id=CLAIM, check_id="C9-linf-conventions", tier=ctx.tier)
    _check_oracle(oracle)
    fast = ctx.tier == "fast"
    cases = [(4, 3), (5, 2)] + ([] if fast else [(6, 3), (4, 5)])
    capacity_ds = list(range(2, 7 if fast else 9))
    samples = 200 if fast else 2000
    t = Fraction(1) if q_offset is None else Fraction(q_offset)
    ev.config = {"delta": str(DELTA), "cases (n, d)": cases, "q_offset": str(t), "extra_groups": extra_groups,
                 "strict-gap d": capacity_ds, "refutation": f"n = 2, d = {REFUTATION_D}",
                 "sampled 2-point datasets per convention": samples,
                 "sign convention": "f > 0 for +1, f < 0 for −1; sign(0) realizes neither label",
                 "oracle": "planted" if oracle is not None else "exact (ForcingOracle / BoxPairOracle)"}
    ev.seeds.append(ctx.seed)
    rng = np.random.default_rng(ctx.seed)
    results: list[tuple[str, ShatterResult, Any]] = []
    templates = [LinfTemplate(n, d, DELTA, q_offset=t, groups=n // 2 + extra_groups) for n, d in cases]
    for T in templates:
        _forcing_case(ev, T, oracle, results)
    rows, statuses = _convention_table(ev, templates[0], {(T.n, T.d): _convention_counts(T) for T in templates},
                                       rng, samples)
    cap_rows = _strict_gap(ev, capacity_ds, t, oracle, results)
    meetable = [conv for conv, s in zip(CONVENTIONS, statuses) if s != "vacuous"]
    n3_rows = _n3_audit(ev, meetable, capacity_ds, rng, samples // 4)
    _witness_audit(ev, results, _reverify_witness)
    _statuses(ev, [r for _, r, _ in results])

    literal = [s for conv, s in zip(CONVENTIONS, statuses) if conv.literal]
    holds = [conv.label for conv, s in zip(CONVENTIONS, statuses) if s == "holds"]
    cap6 = next((r for r in cap_rows if r[0] == REFUTATION_D), None)
    vc6 = (f"= {cap6[3]}" if cap6 is not None and cap6[3] == int(str(cap6[4]).split()[0])
           else f"≤ {stump_vc_upper_bound(REFUTATION_D)}")
    false_n2 = f"false at n = 2 (VC(stumps on R⁶) {vc6} < {REFUTATION_D})"
    if "holds" in literal:
        ev.construction_verdict, ev.construction_label = HOLDS_UNDER, "holds under the literal reading"
    elif all(s == "vacuous" for s in literal):
        ev.construction_verdict = VACUOUS
        ev.construction_label = f"vacuous under the literal reading; {false_n2}" + (
            "" if "fails" in statuses else " — NOT reproduced in this run")
    else:
        ev.construction_verdict, ev.construction_label = REFUTED_AS_STATED, f"refuted as stated; {false_n2}"
    ev.measurements["tables"] = {
        "C9 conventions (ℓ∞ template)": {
            "columns": ["convention", "admissible", "interpolable", "forces s", "template",
                        f"hypothesis (n=2, d={REFUTATION_D})", "statement"],
            "rows": rows},
        "C9 strict-gap capacity per group": {
            "columns": ["d", "template claims", "template q-points", "best set (exact)", "upper bound", "log2 d"],
            "rows": cap_rows},
        "C9 at n = 3 (two-stump class: max/min of two stumps)": {
            "columns": ["d", "claimed ⌊3/2⌋·d", "template q-points: labelings realized (exact)",
                        "VC upper bound (counting)", "statement at n = 3"],
            "rows": n3_rows}}
    ev.measurements["statement_by_convention"] = {conv.label: s for conv, s in zip(CONVENTIONS, statuses)}
    vc_bound = stump_vc_upper_bound(REFUTATION_D)
    ev.notes += [
        f"Literal reading (closed balls, ≥ 2δ, sign): {sorted(set(literal))}. The pair c_l ± δs is exactly 2δ "
        "apart, so c_l lies in both closed boxes: no f robustly interpolates the template's (admissible) "
        "datasets, the hypothesis is unmeetable, the implication is vacuously true and its proof is void.",
        "Open balls: q_{l,j} is at ℓ∞ distance exactly δ from its data point (on the open box boundary), so "
        "nothing forces its sign; strict separation (> 2δ): the template's pairs are inadmissible.",
        f"Where the hypothesis can be met, decision stumps meet it for n = 2 (exactly verified on every "
        f"template dataset and {samples} sampled 2-point datasets per convention; proof: the pair differs by "
        f"≥ 2δ in one coordinate) and VC(stumps on R^{REFUTATION_D}) ≤ {vc_bound} < {REFUTATION_D} = ⌊2/2⌋·d "
        f"({stump_labeling_bound(REFUTATION_D, REFUTATION_D)} < 2^{REFUTATION_D} labelings; 2 + 2d(d − 1) < 2^d "
        "for every d ≥ 6), so the exact bound ⌊n/2⌋·d fails at n = 2 for every d ≥ 6.",
        "No bound uniform over n ≥ 2 survives: stumps meet the n = 2 hypothesis in every dimension and have VC "
        "dimension Θ(log d) (≤ max{N : 2^N ≤ 2 + 2d(N − 1)}), so VC ≥ g(n)·d for all n ≥ 2 forces g(2)·d = "
        "O(log d), i.e. g(2) = 0; a true Ω(nd) statement has to exclude small n.",
        f"n = 3 (claimed count d): the max/min of two stumps meets the hypothesis (exact, "
        f"{ev.measurements['n3']['datasets_checked']} sampled admissible 3-point datasets over the meetable "
        f"conventions) and has VC ≤ max{{N : 2^N ≤ 2(2 + 2d(N − 1))²}} < d for d ≥ "
        f"{ev.measurements['n3']['refutation_d']}: the count fails at n = 3 from there on; at d ≤ 5 the class "
        "shatters the template's own q-points, so no refutation at small d (table 'C9 at n = 3'). Larger n is "
        "not decided here.",
        f"Conventions under which the statement holds non-vacuously: {holds or 'none'}; the ℓ2 version "
        "(Kim, Moon, Yun 2025) is checked by C9-l2-kim.",
        "Disagreement with the audit item of docs/claims.md §5 C9: under closed balls the claim is not false but vacuous. "
        "Within one group q = c + t·δ·e_j is forced for every t ∈ (0, 2]; with the 4δ spacing t = 2 also lands "
        "in a box of the next group, so only t ∈ (0, 2) works there.",
        "sign(0): here f(x) = 0 realizes neither label. Reading sign(0) = +1 instead changes no verdict: c_l "
        "still has to be both +1 and −1, a boundary q is forced only when its label is +1, and the stump count "
        "2 + 2d(N − 1) covers closed and open thresholds alike.",
        "Strict gap: a group's 2-point datasets force only stump labelings; the template's own q-points give "
        "min(d, 3) (each coordinate isolates one point), the best placement gives VC(stumps) (exhaustive "
        "ordering search), against the template's d.",
    ]
    return ev


# ---------------------------------------------------------------- ℓ2 (Kim, Moon, Yun)
def check_l2_kim(ctx: RunContext, *, oracle: Oracle | None = None, q_offset: Any = None,
                 extra_groups: int = 0) -> Evidence:
    """C9, ℓ2 template: thresholds ρ*² = (k − 1)/k, max k at ρ, exact shattering at ρ*, failure just below."""
    ev = Evidence(claim_id=CLAIM, check_id="C9-l2-kim", tier=ctx.tier)
    _check_oracle(oracle)
    fast = ctx.tier == "fast"
    k_max = 7 if fast else 10
    n, d = 5, (3 if fast else 4)
    shatter_ks = [1, 2, 3] if fast else [1, 2, 3, 4]
    t = Fraction(1) if q_offset is None else Fraction(q_offset)
    ev.config = {"k range (thresholds)": [1, k_max], "n": n, "d": d, "shattering k": shatter_ks,
                 "q_offset": str(t), "extra_groups": extra_groups, "rho^2 grid": [str(r) for r in KIM_RHO_SQ_GRID],
                 "below-threshold gap in rho^2": str(BELOW_THRESHOLD_GAP),
                 "oracle": "planted" if oracle is not None else "exact (ForcingOracle)"}
    ev.seeds.append(ctx.seed)
    results: list[tuple[str, ShatterResult, Any]] = []
    control = Evidence(claim_id=CLAIM, check_id="C9-l2-kim", tier=ctx.tier, seeds=[ctx.seed])

    measured: dict[int, Fraction] = {}
    for k in range(1, k_max + 1):
        measured[k] = kim_threshold(ev, k, t)
    for k, printed in PRINTED_RHO.items():
        ev.compare(f"(k={k}) ρ* = √((k−1)/k) vs the printed {printed} (docs/claims.md §6 L2)", math.sqrt(float(measured[k])), printed, "==",
                   tolerance=PRINTED_RHO_TOL, tolerance_name="PRINTED_RHO_TOL")
    for r in KIM_RHO_SQ_GRID:
        best = max((k for k in range(1, k_max + 1) if measured[k] <= r), default=0)
        ev.compare(f"(ρ²={r}) largest k with all points forced vs min(d, ⌊1/(1−ρ²)⌋), d={k_max}", best,
                   kim_max_k(r, k_max), "==")

    table = []
    for k in range(1, k_max + 1):
        cells = [k, f"{math.sqrt((k - 1) / k):.4f}", str(measured[k])]
        if k in shatter_ks and k <= d:
            cells += kim_shattering(ev, n, d, k, t, extra_groups, oracle, results, control)
        else:
            cells += ["—", "—", "—"]
        table.append(cells)
    _witness_audit(ev, results, _reverify_witness)
    _statuses(ev, [r for _, r, _ in results])
    ev.add_control("just below the threshold", f"ρ² = (k−1)/k − {BELOW_THRESHOLD_GAP} instead of (k−1)/k: the same "
                                               "shattering comparison must fail (exactly)", control)
    ev.measurements["tables"] = {"C9 ℓ2 thresholds (Kim, Moon, Yun)": {
        "columns": ["k", "ρ* = √((k−1)/k)", "measured ρ*²", f"shattered at ρ* (n={n})", "open balls at ρ*",
                    "forced just below ρ*"],
        "rows": table}}
    ev.notes += [
        "ρ = radius / half-separation; data c_l ± Σ_j s_j e_j are 2√k apart, so radius² = ρ²k and q_{l,j} is at "
        "squared distance k − 1 from its own data point: forced iff ρ² ≥ (k − 1)/k, all in exact rationals.",
        "At ρ* the points sit on the sphere of the closed ball: closed balls force them, open balls do not; for "
        "ρ < 1 the balls of opposite labels are disjoint, so the hypothesis is satisfiable and VCdim ≥ k·⌊n/2⌋ "
        "with k = min(d, ⌊1/(1 − ρ²)⌋). p = ∞ is excluded (see C9-linf-conventions).",
    ]
    return ev


def kim_threshold(ev: Evidence, k: int, t: Fraction) -> Fraction:
    """The exact ρ*² at which k points of one group are all forced, against (k − 1)/k (failure re-verified)."""
    predicted = kim_threshold_rho_sq(k)
    value, where = measured_threshold_rho_sq(KimL2Template(2, k, k, predicted, q_offset=t))
    row = ev.compare(f"(k={k}) threshold ρ*² measured exactly vs (k−1)/k", float(value), float(predicted), "==",
                     measured_exact=str(value), predicted_exact=str(predicted))
    if not row.holds:
        failed, sq = _reverify_kim_threshold(k, t, predicted)
        ev.counterexamples.append(Counterexample(
            row.name, f"at ρ² = {predicted} the point q_0 is at squared distance {sq} > ρ²k = {predicted * k} "
                      "from its own data point", {"k": k, "q_offset": str(t), "labels": where.get("labels")},
            float(sq), float(predicted * k), "exact Fractions from the formulas", failed))
    return value


def kim_shattering(ev: Evidence, n: int, d: int, k: int, t: Fraction, extra_groups: int, oracle: Oracle | None,
                   results: list[tuple[str, ShatterResult, Any]], control: Evidence | None = None) -> list[str]:
    """k·⌊n/2⌋ template points shattered at ρ* (closed balls, exact), the open-ball count, and the labelings
    forced just below ρ*; the shatterings join ``results`` for the witness audit and, with ``control``, the
    shattering comparison just below ρ* goes there. Returns the table cells."""
    closed = Convention("closed", "non-strict", "arbitrary", "sign")
    opened = Convention("open", "non-strict", "arbitrary", "sign")
    at = KimL2Template(n, d, k, kim_threshold_rho_sq(k), q_offset=t, groups=n // 2 + extra_groups)
    X = at.q_points()
    r_closed = shatter(X, oracle if oracle is not None else ForcingOracle(at, closed))
    r_open = shatter(X, oracle if oracle is not None else ForcingOracle(at, opened))
    results += [(f"k={k} at ρ*, closed", r_closed, ("kim", at, True)),
                (f"k={k} at ρ*, open", r_open, ("kim", at, False))]
    count = len(X) if r_closed.shattered else 0
    row = ev.compare(f"(k={k}, n={n}) points shattered at ρ* (closed balls, exact)", count, k * (n // 2), "==")
    if not row.holds:
        _kim_counterexample(ev, row.name, r_closed, at, count, k * (n // 2))
    below_T = KimL2Template(n, d, k, kim_threshold_rho_sq(k) - BELOW_THRESHOLD_GAP, q_offset=t,
                            groups=n // 2 + extra_groups) if k > 1 else None
    if below_T is not None:
        r_below = shatter(X, oracle if oracle is not None else ForcingOracle(below_T, closed))
        results.append((f"k={k} below ρ*", r_below, ("kim", below_T, True)))
        if control is not None:
            _below_threshold_control(control, k, n, r_below, below_T, len(X))
        ev.compare(f"(k={k}) labelings forced just below ρ* (< all)", r_below.n_realizable,
                   len(r_below.status) - 1, "<=")
        idx = r_below.first(UNREALIZABLE)
        if idx is not None:
            _, _, cert = r_below.decision(idx)
            labels = r_below.labels(idx).tolist()
            reproduced = _reverify_witness(("kim", below_T, True), labels, cert.get("dataset"))
            ev.measurements.setdefault("below_threshold_counterexamples", []).append(
                {"k": k, "rho_sq": str(below_T.rho_sq), "labels": labels, "reason": cert.get("reason"),
                 "point": cert.get("point"), "reverified_exact": reproduced})
    return [f"{count}/{k * (n // 2)}", f"{r_open.n_realizable}/{len(r_open.status)}",
            f"{r_below.n_realizable}/{len(r_below.status)}" if below_T is not None else "—"]


def _below_threshold_control(control: Evidence, k: int, n: int, res: ShatterResult, T: KimL2Template,
                             points: int) -> None:
    """The control row of one k: the shattering comparison of the real run, for the template just below ρ*."""
    count = points if res.shattered else 0
    row = control.compare(f"(k={k}, n={n}) points shattered at ρ*² − {BELOW_THRESHOLD_GAP} (closed balls, exact)",
                          count, k * (n // 2), "==")
    if not row.holds:
        _kim_counterexample(control, row.name, res, T, count, k * (n // 2))


def _kim_counterexample(ev: Evidence, name: str, res: ShatterResult, T: KimL2Template, measured: int,
                        bound: int) -> None:
    idx = res.first(UNREALIZABLE)
    if idx is None:
        if res.shattered:  # all forced, but fewer points than the claim: too few groups
            ev.counterexamples.append(Counterexample(
                name, f"only {T.n_groups} groups of {T.k} points", {"groups": T.n_groups, "k": T.k},
                float(T.n_groups * T.k), float(bound), "integer recount from the template's formula",
                T.n_groups * T.k < bound))
        return
    _, _, cert = res.decision(idx)
    labels = res.labels(idx).tolist()
    if cert.get("reason") == "too many points":
        failed, size = _reverify_dataset_size(T.n_groups, T.n)
        desc = f"D(s) has {size} > n = {T.n} points ({T.n_groups} groups)"
    else:
        failed = _reverify_witness(("kim", T, True), labels, cert.get("dataset"))
        desc = f"D(s) does not force s = {labels} ({cert.get('reason')})"
    ev.counterexamples.append(Counterexample(name, desc, {"labels": labels, "q_offset": str(T.q_offset)},
                                             float(measured), float(bound), "exact Fractions from the formulas",
                                             failed))


# ---------------------------------------------------------------- oracles against classes of known VC dimension
KNOWN_VC_DIMS = {"fast": (2, 3), "full": (2, 3, 4)}


def _known_row(ev: Evidence, case: KnownCase, oracle: Oracle | None) -> None:
    """The oracle's answer on a case against the expected one; a disagreement is re-verified when the
    independent exact argument of numerics.capacity.known_vc decides the truth."""
    res = shatter(case.points, oracle if oracle is not None else case.oracle)
    ev.solver_statuses += [s for s in res.solver_statuses if s not in ev.solver_statuses]
    if res.shattered is None:
        ev.inconclusive_reasons.append(f"{case.name}: the oracle left the shattering undecided ({res.counts})")
        return
    row = ev.compare(f"{case.name}: shattered (1 = yes) — {case.fact}", float(res.shattered), float(case.shattered),
                     "==", tolerance_name="exact", oracle=res.oracle, labelings=len(res.status),
                     realizable=res.n_realizable)
    if not row.holds:
        truth = case.truth()
        ev.counterexamples.append(Counterexample(
            row.name, f"{res.oracle} says {'shattered' if res.shattered else 'not shattered'}, the expected answer is "
                      f"{'shattered' if case.shattered else 'not shattered'}; the independent exact argument gives "
                      f"{'undecided' if truth is None else ('shattered' if truth else 'not shattered')}",
            describe(case), float(res.shattered), float(case.shattered),
            "numerics.capacity.known_vc: closed-form separators, Radon / hull-distance certificates, bounding boxes "
            "(exact rationals or integers), independent heuristic fit", reverified=truth is not None))


def check_known_classes(ctx: RunContext, *, oracle: Oracle | None = None) -> Evidence:
    """The exact oracles (halfspaces, robust halfspaces, boxes, ReLU MILP) against classes of known VC dimension
    (numerics.capacity.known_vc); ``oracle`` replaces every oracle (planted: one that always says realizable).
    Control: robust halfspaces at the threshold δ = 1/(2d), claimed shattered, must be refuted."""
    _check_oracle(oracle)
    ev = Evidence(claim_id=CLAIM, check_id="C9-known-classes", tier=ctx.tier, seeds=[ctx.seed])
    dims = KNOWN_VC_DIMS[ctx.tier]
    ev.config = {"dimensions": list(dims), "oracle": "planted" if oracle is not None else "per case",
                 "cases": [describe(c) for d in dims for c in known_cases(d) if d == dims[0] or "ReLU" not in c.name]}
    for d in dims:
        for case in known_cases(d):
            if d == dims[0] or "ReLU" not in case.name:   # the XOR square is 2-D: once
                _known_row(ev, case, oracle)
    control = Evidence(claim_id=CLAIM, check_id="C9-known-classes", tier=ctx.tier, seeds=[ctx.seed])
    for d in dims:
        _known_row(control, threshold_case(d), oracle)
    ev.add_control("radius at the threshold", "robust halfspaces with δ = 1/(2d) instead of 1/(4d) on the simplex: the "
                                              "same shattering comparison (expected: shattered) must fail", control)
    ev.notes.append("Robust shattering of the simplex by halfspaces holds for δ < 1/(2d) and fails at 1/(2d): the "
                    "perturbation radius removes capacity that plain interpolation has (VC = d + 1 either way).")
    return ev
