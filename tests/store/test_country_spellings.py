"""Countries as HRIS exports write them: ISO alpha-2, alpha-3, numeric codes, English and
Spanish names; anything else refused by row."""

from __future__ import annotations

from sqlalchemy import Engine

from healthforce.exports.tables import read_entity
from tests.store.helpers import build_small


def test_countries_in_every_spelling(db: Engine) -> None:
    registry = build_small(db)
    spellings = ["CU", "192", "España", "estados unidos", "Venezuela, Bolivarian Republic of"]
    with registry.change(actor="test", source="countries") as change:
        result = change.upsert(
            "workers",
            {
                "external_id": [f"C{i}" for i in range(len(spellings) + 1)],
                "sex": ["F"] * (len(spellings) + 1),
                "occupation": ["2221"] * (len(spellings) + 1),
                "status": ["active"] * (len(spellings) + 1),
                "training_country": [*spellings, "Narnia"],
            },
            skip_invalid=True,
        )
    assert [(p.row, p.field, p.value) for p in result.problems] == [
        (len(spellings), "training_country", "Narnia")
    ]
    workers = read_entity(db, "workers")
    stored = dict(zip(workers["external_id"], workers["training_country"], strict=True))
    assert [stored[f"C{i}"] for i in range(len(spellings))] == ["CUB", "CUB", "ESP", "USA", "VEN"]
