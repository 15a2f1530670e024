"""User claim files (TOML): parsing, validation, the registry of claim kinds, and ``check_file``.

A file holds ``[[claim]]`` tables; each has ``kind`` (a key of ``KINDS``), an optional ``name`` and the kind's
fields. A kind is a :class:`ClaimKind`: ``validate(fields) -> params`` raises :class:`FieldError` naming the
field at fault; ``answer(params) -> Answer`` gives the verdict. A *measured* kind (``measured=True``) is called
as ``validate(fields, ctx)`` and ``answer(params, ctx)`` with the :class:`ClaimContext` (the file, so that paths
resolve relative to it; tier, seed, workers; whether the user allowed unsafe loads) and answers with judged
``Evidence``. Other modules add kinds with :func:`register_kind`. Symbolic kinds shipped here:

- ``width``     — is width m implied by C1 (or C3) at these parameters?  → implied / not implied (required m)
- ``exponents`` — printed a_R, a_ε (optionally C_m, a_H) against the derived chain → consistent / flagged
- ``vc-count``  — is VCdim ≥ vc implied by C9 (ℓ2: Kim et al. thresholds; ℓ∞: only the plain bound n)?
                  → implied / not implied (with the required ρ)

The measured kinds ``ntk-concentration``, ``robust-loss``, ``convergence`` and ``bound`` live in
audit/measured_kinds.py (registered on import of this module). Every entry is validated — files read, networks
matched against their declared architecture — before any is answered, so a bad file produces one error line and
nothing runs. ``check_file(path, …)`` does both and returns the user ledger (schema below).

User ledger ``advaudit.user-ledger`` version 1::

    {"schema", "schema_version", "created", "file", "tier", "seed", "provenance", "summary": {verdict: count},
     "exit_status": 0|1, "claims": [{"index", "name", "kind", "params", "verdict", "required", "detail", "data",
                                     "evidence": Evidence.to_dict() | null, "wall_time_s"}, ...]}

``params`` holds the validated fields (keys starting with "_" — loaded arrays and networks — are left out);
``evidence`` (measured kinds) holds the judged evidence with its controls (``Evidence.controls``).
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from theory.errors import InputError
from theory.evidence import Evidence, RunContext

FAILING_VERDICTS = frozenset({"not implied", "flagged", "violated", "vacuous"})
USER_LEDGER_SCHEMA = "advaudit.user-ledger"
USER_LEDGER_SCHEMA_VERSION = 1


class FieldError(InputError):
    """A bad field of one entry (``field`` is None for entry-level problems)."""

    def __init__(self, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.reason = message


@dataclass
class Answer:
    verdict: str                      # implied | not implied | consistent | flagged | (kind-specific)
    required: str                     # the value the theory requires, in words
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    evidence: Evidence | None = None  # measured kinds: the judged evidence (its controls in measurements)


@dataclass(frozen=True)
class ClaimContext:
    """What a measured kind sees besides its fields: the claim file (relative paths resolve against its folder),
    the run's tier, master seed and sweep workers, and ``allow_unsafe_load`` — set only by a flag the user types
    (``--allow-unsafe-load``), never by a claim file."""

    file: Path
    tier: str = "fast"
    seed: int = 0
    workers: int = 1
    allow_unsafe_load: bool = False

    def path(self, value: str) -> Path:
        """A path written in the claim file, relative to the file's folder (absolute paths stay as they are)."""
        return (self.file.parent / value) if not Path(value).is_absolute() else Path(value)

    def run_context(self) -> RunContext:
        return RunContext(tier=self.tier, seed=self.seed, workers=self.workers)


@dataclass(frozen=True)
class ClaimKind:
    name: str
    description: str
    validate: Callable[..., dict[str, Any]]
    answer: Callable[..., Answer]
    measured: bool = False            # validate(fields, ctx) / answer(params, ctx) with the ClaimContext


@dataclass
class Entry:
    index: int
    name: str
    kind: str
    params: dict[str, Any]


KINDS: dict[str, ClaimKind] = {}


def register_kind(kind: ClaimKind) -> None:
    """Add a claim kind (later registrations of the same name replace earlier ones)."""
    KINDS[kind.name] = kind


# --- field helpers --------------------------------------------------------------------------------------
class Fields:
    """Typed access to one entry's fields; every read is recorded so unknown fields can be reported."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.seen = {"kind", "name"}

    def get(self, key: str, kind: type, *, required: bool = True, default: Any = None) -> Any:
        self.seen.add(key)
        if key not in self.raw:
            if required:
                raise FieldError(key, "missing")
            return default
        value = self.raw[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            what = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list",
                    dict: "a table"}[kind]
            raise FieldError(key, f"must be {what}, got {value!r}")
        if kind is float and not math.isfinite(value):
            raise FieldError(key, f"must be finite, got {value!r}")
        return value

    def positive(self, key: str, kind: type = float, **kw: Any) -> Any:
        value = self.get(key, kind, **kw)
        if value is not None and not value > 0:
            raise FieldError(key, f"must be > 0, got {value!r}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, default: str | None = None) -> str:
        value = self.get(key, str, required=default is None, default=default)
        if value not in choices:
            raise FieldError(key, f"unknown value {value!r} (expected one of {', '.join(choices)})")
        return value

    def finish(self) -> None:
        extra = sorted(set(self.raw) - self.seen)
        if extra:
            raise FieldError(extra[0], "unknown field for this kind")


# --- kind: width ----------------------------------------------------------------------------------------
def _validate_width(raw: dict[str, Any]) -> dict[str, Any]:
    from theory.activations import ACTIVATIONS, SMOOTH_ACTIVATIONS
    from theory.losses import LOSSES
    from theory.proof_chain import SCALINGS

    f = Fields(raw)
    p = {"theorem": f.choice("theorem", ("C1", "C3"), default="C1"), "m": f.positive("m", int)}
    eps = f.get("eps", float)
    if not 0 < eps < 1:
        raise FieldError("eps", f"must be in (0, 1), got {eps!r}")
    p["eps"] = eps
    R = f.get("R", float)
    if R < 0:
        raise FieldError("R", f"must be ≥ 0, got {R!r}")
    if R == 0:
        raise FieldError("R", "must be > 0 (the ball B(0) is a single point)")
    p["R"] = R
    p["H"] = f.get("H", int, required=p["theorem"] == "C1", default=1)
    if p["H"] < 1:
        raise FieldError("H", f"must be an integer ≥ 1, got {p['H']!r}")
    if p["theorem"] == "C3" and p["H"] != 1:
        raise FieldError("H", f"C3 is the two-layer theorem: H must be 1, got {p['H']}")
    p["loss"] = f.choice("loss", LOSSES)
    act = f.get("activation", str)
    if act not in ACTIVATIONS:
        raise FieldError("activation", f"unknown activation {act!r} (expected one of {', '.join(ACTIVATIONS)})")
    if act not in SMOOTH_ACTIVATIONS:
        raise FieldError("activation", f"{act!r} is not smooth; C1/C3 need one of {', '.join(SMOOTH_ACTIVATIONS)}")
    p["activation"] = act
    p["scaling"] = f.choice("scaling", SCALINGS, default="per-layer-R")
    if p["theorem"] == "C3" and p["scaling"] != "per-layer-R":
        raise FieldError("scaling", "C3 (no projection) is derived for scaling 'per-layer-R'")
    p["d"] = f.positive("d", int, required=False, default=10)
    p["preact_bound"] = f.positive("preact_bound", required=act == "relu2")
    p["output_bound"] = f.positive("output_bound", required=p["loss"] == "squared")
    p["C_H"] = f.positive("C_H", required=p["H"] >= 2)
    p["G"] = f.positive("G", required=False)
    p["p_a"] = f.positive("p_a", required=False, default=0.01)
    if not p["p_a"] < 1:
        raise FieldError("p_a", f"must be in (0, 1), got {p['p_a']!r}")
    f.finish()
    return p


def _answer_width(p: dict[str, Any]) -> Answer:
    from theory.requirements import ParameterError, width_requirements

    try:
        req = width_requirements(p["eps"], p["R"], p["H"], p["loss"], p["activation"], scaling=p["scaling"],
                                 theorem=p["theorem"], d=p["d"], preact_bound=p["preact_bound"],
                                 output_bound=p["output_bound"], C_H=p["C_H"], G=p["G"], p_a=p["p_a"])
    except ParameterError as exc:
        raise FieldError(exc.field, exc.reason) from None
    implied = p["m"] >= req.m
    prov = ", ".join(f"{c.name} [{c.provenance}]" for c in req.constants if c.name in ("G", "C_H", "L_ell"))
    return Answer("implied" if implied else "not implied", f"m ≥ {req.m:,}",
                  f"{p['theorem']} ({p['scaling']}): m = {p['m']:,} {'≥' if implied else '<'} required {req.m:,}; "
                  f"at the required m: α = {req.alpha:.4g}, T = {req.T:,}; {prov}",
                  {"m": p["m"], "m_required": req.m, "alpha": req.alpha, "T": req.T,
                   "delta_fail": req.delta_fail, "constants": {c.name: [c.value, c.provenance] for c in req.constants}})


# --- kind: exponents ------------------------------------------------------------------------------------
def _validate_exponents(raw: dict[str, Any]) -> dict[str, Any]:
    from theory.proof_chain import SCALINGS

    f = Fields(raw)
    p = {"theorem": f.choice("theorem", ("C1", "C3"), default="C1"),
         "scaling": f.choice("scaling", SCALINGS, default="per-layer-R"),
         "a_R": f.positive("a_R", required=False), "a_eps": f.positive("a_eps", required=False),
         "C_m": f.positive("C_m", required=False), "a_H": f.get("a_H", float, required=False)}
    if p["a_R"] is None and p["a_eps"] is None:
        raise FieldError("a_R", "missing (give a_R and/or a_eps, the paper's printed exponents)")
    if p["theorem"] == "C3" and p["scaling"] != "per-layer-R":
        raise FieldError("scaling", "the C3 chain is derived for scaling 'per-layer-R'")
    f.finish()
    return p


def _answer_exponents(p: dict[str, Any]) -> Answer:
    import sympy as sp

    from theory import proof_chain as pc
    from theory.obligations import discharge

    chain = pc.derive(p["theorem"], p["scaling"])
    derived = chain.derived_form()
    printed = pc.PaperForm(derived.coefficient, sp.nsimplify(p["a_R"]) if p["a_R"] is not None else derived.a_R,
                           sp.nsimplify(p["a_eps"]) if p["a_eps"] is not None else derived.a_eps)
    flags, rows = [], {}
    for ob in pc.exponent_obligations(chain, printed):
        key = "a_R" if "a_R" in ob.name else "a_eps"
        if p[key] is None:
            continue
        d = discharge(ob)
        rows[key] = {"derived": str(derived.a_R if key == "a_R" else derived.a_eps), "printed": p[key],
                     "result": d.result, "method": d.method}
        if not d.holds:
            flags.append(f"{key}: derived requirement {rows[key]['derived']} > printed {p[key]:g}")
    required = f"a_R ≥ {derived.a_R}, a_ε ≥ {derived.a_eps}"
    note = (f"; C_m·H^a_H derived as {sp.sstr(derived.coefficient)}" if p["C_m"] is not None else "")
    return Answer("flagged" if flags else "consistent", required,
                  ("; ".join(flags) if flags else "the derived chain supports the printed exponents") + note,
                  {"derived": {"a_R": str(derived.a_R), "a_eps": str(derived.a_eps),
                               "C_m*H^a_H": sp.sstr(derived.coefficient)}, "checks": rows})


# --- kind: vc-count -------------------------------------------------------------------------------------
def _validate_vc(raw: dict[str, Any]) -> dict[str, Any]:
    f = Fields(raw)
    p = {"n": f.positive("n", int), "d": f.positive("d", int), "norm": f.choice("norm", ("l2", "linf")),
         "vc": f.positive("vc", int)}
    p["rho"] = f.get("rho", float, required=p["norm"] == "l2")
    if p["rho"] is not None and not 0 < p["rho"] < 1:
        raise FieldError("rho", f"the robustness ratio must be in (0, 1), got {p['rho']!r}")
    f.finish()
    return p


def _answer_vc(p: dict[str, Any]) -> Answer:
    import sympy as sp

    from theory import capacity as cap

    n, d, vc = p["n"], p["d"], p["vc"]
    if p["norm"] == "linf":
        bound = n
        why = ("ℓ∞: the ⌊n/2⌋·d template fails with closed balls and Kim et al. exclude ℓ∞; only the plain "
               f"bound VCdim ≥ n = {n} is implied")
        need = "not implied by any ρ (ℓ∞)" if vc > bound else f"VCdim ≥ {bound}"
    else:
        rho = sp.nsimplify(p["rho"])
        k = min(cap.k_of_rho(rho), d)
        bound = max(n, k * (n // 2))
        why = f"ℓ2, ρ = {p['rho']:g}: k = min(⌊1/(1−ρ²)⌋, d) = {k}, VCdim ≥ max(n, k·⌊n/2⌋) = {bound}"
        k_need = -(-vc // max(n // 2, 1))
        if vc <= bound:
            need = f"VCdim ≥ {bound}"
        elif k_need > d or n // 2 == 0:
            need = f"needs k = {k_need} > d = {d} shattered points per group: not implied at any ρ"
        else:
            need = f"needs ρ ≥ √(({k_need}−1)/{k_need}) = {float(cap.rho_threshold(k_need)):.6g}"
    implied = vc <= bound
    return Answer("implied" if implied else "not implied", need, why, {"claimed": vc, "implied_bound": bound})


register_kind(ClaimKind("width", "is width m implied by C1 (or C3) at these parameters?", _validate_width,
                        _answer_width))
register_kind(ClaimKind("exponents", "printed exponents a_R, a_ε against the derived chain", _validate_exponents,
                        _answer_exponents))
register_kind(ClaimKind("vc-count", "is VCdim ≥ vc implied by C9 (ℓ2 thresholds / ℓ∞ plain bound)?", _validate_vc,
                        _answer_vc))


# --- files ----------------------------------------------------------------------------------------------
def _where(path: Path, entry: str, field_name: str | None) -> str:
    return f"{path}: entry {entry}" + (f" field '{field_name}'" if field_name else "")


def load_claims(path: str | Path, ctx: ClaimContext | None = None) -> list[Entry]:
    """Parse and validate every entry of a claim file; InputError (one line, naming entry and field) otherwise.

    Measured kinds read their files here (relative to the claim file), so a missing file, a bad array or a
    network that does not match its declared architecture stops everything before anything runs."""
    path = Path(path)
    ctx = ctx or ClaimContext(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: malformed TOML: {exc}") from None
    extra = sorted(set(doc) - {"claim"})
    if extra:
        raise InputError(f"{path}: unknown top-level key '{extra[0]}' (entries go in [[claim]] tables)")
    raw_entries = doc.get("claim")
    if not isinstance(raw_entries, list) or not raw_entries or not all(isinstance(r, dict) for r in raw_entries):
        raise InputError(f"{path}: no [[claim]] entries")
    entries, names = [], set()
    for i, raw in enumerate(raw_entries, start=1):
        name = raw.get("name", f"#{i}")
        label = f"'{name}' (#{i})"
        if not isinstance(name, str) or not name:
            raise InputError(f"{_where(path, f'#{i}', 'name')}: must be a non-empty string")
        if name in names:
            raise InputError(f"{_where(path, label, 'name')}: duplicate name")
        names.add(name)
        kind = raw.get("kind")
        if kind is None:
            raise InputError(f"{_where(path, label, 'kind')}: missing (one of {', '.join(sorted(KINDS))})")
        if kind not in KINDS:
            raise InputError(f"{_where(path, label, 'kind')}: unknown claim kind {kind!r} "
                             f"(one of {', '.join(sorted(KINDS))})")
        try:
            params = KINDS[kind].validate(raw, ctx) if KINDS[kind].measured else KINDS[kind].validate(raw)
        except FieldError as exc:
            raise InputError(f"{_where(path, label, exc.field)}: {exc.reason}") from None
        entries.append(Entry(i, name, kind, params))
    return entries


def answer_entry(path: str | Path, entry: Entry, ctx: ClaimContext | None = None) -> Answer:
    """Answer one validated entry (a FieldError raised while answering is reported like a validation error)."""
    kind = KINDS[entry.kind]
    ctx = ctx or ClaimContext(Path(path))
    try:
        return kind.answer(entry.params, ctx) if kind.measured else kind.answer(entry.params)
    except FieldError as exc:
        raise InputError(f"{_where(Path(path), repr(entry.name) + f' (#{entry.index})', exc.field)}: "
                         f"{exc.reason}") from None


def answer_all(path: str | Path, entries: list[Entry], ctx: ClaimContext | None = None) -> list[tuple[Entry, Answer]]:
    """Answer every entry, in order."""
    return [(e, answer_entry(path, e, ctx)) for e in entries]


def entry_record(entry: Entry, answer: Answer, wall_time_s: float = 0.0) -> dict[str, Any]:
    """One entry of the user ledger (module docstring)."""
    return {"index": entry.index, "name": entry.name, "kind": entry.kind,
            "params": {k: v for k, v in entry.params.items() if not k.startswith("_")}, "verdict": answer.verdict,
            "required": answer.required, "detail": answer.detail, "data": answer.data,
            "evidence": None if answer.evidence is None else answer.evidence.to_dict(), "wall_time_s": wall_time_s}


def exit_status_of(verdicts: list[str], *, strict: bool = False) -> int:
    """1 when a verdict fails (FAILING_VERDICTS; with ``strict`` also inconclusive), else 0."""
    return int(any(v in FAILING_VERDICTS or (strict and v == "inconclusive") for v in verdicts))


def check_file(path: str | Path, *, tier: str = "fast", seed: int = 0, workers: int = 1,
               allow_unsafe_load: bool = False, strict: bool = False,
               on_entry: Callable[[Entry, Answer | None], None] | None = None) -> dict[str, Any]:
    """Validate every entry of a claim file, answer each, and return the user ledger (module docstring).

    ``allow_unsafe_load`` lets network files be pickled modules or TorchScript (never set it for files you do not
    trust); ``on_entry(entry, None)`` is called before and ``on_entry(entry, answer)`` after each entry.
    Bad input raises InputError (one line naming the entry and field) before anything runs.
    """
    import datetime as _dt
    import json
    import time
    from collections import Counter

    from audit.ledger import provenance

    if tier not in ("fast", "full"):
        raise InputError(f"tier must be 'fast' or 'full', got {tier!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers must be an integer ≥ 1, got {workers!r}")
    path = Path(path)
    ctx = ClaimContext(path, tier=tier, seed=int(seed), workers=workers, allow_unsafe_load=bool(allow_unsafe_load))
    entries = load_claims(path, ctx)
    records = []
    for e in entries:
        if on_entry:
            on_entry(e, None)
        start = time.perf_counter()
        answer = answer_entry(path, e, ctx)
        records.append(entry_record(e, answer, time.perf_counter() - start))
        if on_entry:
            on_entry(e, answer)
    verdicts = [r["verdict"] for r in records]
    ledger = {"schema": USER_LEDGER_SCHEMA, "schema_version": USER_LEDGER_SCHEMA_VERSION,
              "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "file": str(path),
              "tier": tier, "seed": int(seed), "provenance": provenance(), "summary": dict(Counter(verdicts)),
              "exit_status": exit_status_of(verdicts, strict=strict), "claims": records}
    return json.loads(json.dumps(ledger, default=str))  # plain JSON values throughout


# The measured kinds (ntk-concentration, robust-loss, convergence, bound) register themselves on import.
import audit.measured_kinds  # noqa: E402,F401  (after every name above: the module imports them)
