"""Each entity is defined by its spec (validation, imports, templates), its model and its
migrations. The migrations are checked against the models (tests/store/test_migrations.py);
this checks the specs against the models, so that nothing validation accepts is refused by the
database as a raw driver error (before: a 250-character specialty name passed validation, then
failed PostgreSQL's insert)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from healthforce.reference.codes import CODE_LISTS
from healthforce.store.models import Base
from healthforce.store.schema import ENTITIES, Field
from tests.store.helpers import build_small

TYPES = {
    "str": (sa.String, sa.Text),
    "ref": (sa.String, sa.Integer),
    "code": (sa.String,),
    "country": (sa.String,),
    "int": (sa.Integer,),
    "float": (sa.Float, sa.Numeric),
    "date": (sa.Date,),
    "bool": (sa.Boolean,),
}


def _disagreements(entity: str, f: Field, column: sa.Column[object]) -> list[str]:
    out = []
    kind, t = f.kind, column.type
    if not isinstance(t, TYPES[kind]):
        out.append(f"{kind} field, {t} column")
    length = getattr(t, "length", None)
    if kind == "str" and length is not None and (f.max_length is None or f.max_length > length):
        out.append(f"max_length {f.max_length}, column holds {length}")
    if kind == "code" and length is not None:
        assert f.code_list is not None
        longest = max(len(c) for c in CODE_LISTS[f.code_list].codes)
        if longest > length:
            out.append(f"codes up to {longest} characters, column holds {length}")
    if kind == "country" and length is not None and length < 3:
        out.append(f"country codes, column holds {length}")
    if f.required and column.nullable and not column.primary_key:
        out.append("required, nullable column")
    optional = not f.required and f.default is None
    if optional and not column.nullable and column.server_default is None:
        out.append("optional, NOT NULL column")
    return [f"{entity}.{f.name}: {reason}" for reason in out]


def test_every_spec_field_fits_its_column() -> None:
    found = []
    for spec in ENTITIES.values():
        table = Base.metadata.tables[spec.table]
        for f in spec.fields:
            column = table.c.get(f.column)
            if column is None:
                found.append(f"{spec.name}.{f.name}: no column {f.column!r}")
                continue
            found += _disagreements(spec.name, f, column)
    assert found == []


def test_the_longest_value_validation_accepts_is_stored(db: Engine) -> None:
    registry = build_small(db)
    name = "x" * ENTITIES["specialties"].by_name["name_es"].max_length  # type: ignore[operator]
    with registry.change(actor="t", source="t") as change:
        change.upsert("specialties", {"code": ["LONG"], "name_es": [name], "name_en": [name]})
