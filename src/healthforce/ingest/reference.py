"""Load the packaged reference data (ISCO-08 occupations, specialties, cadres) into a registry."""

from __future__ import annotations

from dataclasses import asdict

from healthforce.reference.occupations import cadres, occupations, specialties
from healthforce.store.registry import Change, WriteResult


def _columns(records: list[dict[str, str]]) -> dict[str, list[object]]:
    return {k: [r[k] for r in records] for k in records[0]} if records else {}


def seed_reference(change: Change, country: str = "VEN") -> list[WriteResult]:
    """Upsert occupations, specialties and the country's cadres; idempotent."""
    occ = [asdict(o) for o in occupations().values()]
    spec = [asdict(s) for s in specialties().values()]
    cad = [
        {
            "code": c.code,
            "occupation": c.occupation_code,
            "name_en": c.name_en,
            "name_es": c.name_es,
        }
        for c in cadres(country).values()
    ]
    return [
        change.upsert("occupations", _columns(occ)),
        change.upsert("specialties", _columns(spec)),
        change.upsert("cadres", _columns(cad)),
    ]
