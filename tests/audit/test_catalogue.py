"""docs/claims.md: generated from the registry, in sync, and the only catalogue the code cites."""
from pathlib import Path

from audit import catalogue
from theory.claims import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_is_in_sync_with_the_registry():
    text = catalogue.CATALOGUE.read_text(encoding="utf-8")
    assert catalogue.updated(text) == text, "docs/claims.md is out of date: run python -m audit.catalogue"
    assert catalogue.main(["--check"]) == 0


def test_every_claim_and_check_is_catalogued_with_where_it_is_measured():
    text = catalogue.CATALOGUE.read_text(encoding="utf-8")
    for claim in REGISTRY.values():
        assert f"`{claim.id}`" in text
        for spec in claim.checks:
            module = spec.target.split(":")[0].replace(".", "/") + ".py"
            assert (ROOT / module).is_file(), module
            assert f"`{spec.id}` | `{module}`" in text


def test_a_stale_block_is_detected(tmp_path, monkeypatch):
    stale = catalogue.CATALOGUE.read_text(encoding="utf-8").replace("### C1 —", "### C1 (edited) —")
    path = tmp_path / "claims.md"
    path.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE", path)
    assert catalogue.main(["--check"]) == 1
    assert catalogue.main([]) == 0 and catalogue.main(["--check"]) == 0


def test_code_cites_the_repository_catalogue_not_an_internal_file():
    offenders = [str(p.relative_to(ROOT)) for pkg in ("theory", "numerics", "audit")
                 for p in (ROOT / pkg).rglob("*.py") if "CLAIMS.md" in p.read_text(encoding="utf-8")]
    assert offenders == []
