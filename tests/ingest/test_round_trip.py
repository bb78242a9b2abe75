"""Round trip: a template filled with generated rows, imported, then exported, gives the same
rows (hypothesis property test), and templates explain every column in both languages."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from healthforce.exports.tables import csv_text, export_entity, read_entity
from healthforce.ingest.importer import import_file
from healthforce.ingest.reference import seed_reference
from healthforce.ingest.templates import write_template
from healthforce.reference.codes import CODE_LISTS
from healthforce.reference.occupations import occupations
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.schema import ENTITIES
from tests.store.helpers import AREAS, FACILITIES

COUNTRIES = ["VEN", "CUB", "COL", "ESP", None]
#: Identifiers as the spec allows them: a letter or digit first, then - _ . / : # too.
ident = st.from_regex(r"[A-Z0-9ñé][A-Za-z0-9ñé_\-./:#]{0,11}", fullmatch=True)


@st.composite
def worker_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    ids = draw(st.lists(ident, min_size=1, max_size=8, unique_by=str.casefold))
    rows = []
    for external_id in ids:
        birth = draw(st.dates(dt.date(1940, 1, 1), dt.date(2004, 12, 31)))
        qualified = draw(
            st.none()
            | st.integers(18 * 365, 40 * 365).map(lambda d, b=birth: b + dt.timedelta(days=d))
        )
        rows.append(
            {
                "external_id": external_id,
                "sex": draw(st.sampled_from(CODE_LISTS["sex"].codes)),
                "birth_date": birth,
                "nationality": draw(st.sampled_from(COUNTRIES)),
                "occupation": draw(st.sampled_from(sorted(occupations()))),
                "qualification_date": qualified,
                "residence_area": draw(st.sampled_from([*AREAS["code"], None])),
                "residence_lat": draw(
                    st.none() | st.floats(-60, 30).map(lambda x: round(x, 5) + 0.0)
                ),
                "status": draw(st.sampled_from(CODE_LISTS["worker_status"].codes)),
                "licence_status": draw(
                    st.sampled_from([*CODE_LISTS["licence_status"].codes, None])
                ),
            }
        )
    return rows


def _text(value: object) -> str:
    """A value as the CSV export writes it (a float with three decimals gets a fourth zero, so
    that it reads back unambiguously)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(csv_text(value))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=worker_rows(), lang=st.sampled_from(["es", "en"]))
def test_template_import_export_round_trip(tmp_path_factory, rows, lang) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("rt")
    engine = make_engine(f"sqlite:///{tmp / 'r.db'}")
    upgrade(engine)
    registry = Registry(engine)
    with registry.change(actor="t", source="setup") as change:
        seed_reference(change)
        change.upsert("areas", AREAS)
    template = tmp / "workers.xlsx"
    write_template("workers", template, lang)
    book = openpyxl.load_workbook(template)
    sheet = book["datos" if lang == "es" else "data"]
    fields = [f.name for f in ENTITIES["workers"].fields]
    for row in rows:
        sheet.append([row.get(name) for name in fields])
    book.save(template)
    report = import_file(registry, "workers", template)
    assert report.outcome == "stored", report.problems
    out = tmp / "out.csv"
    assert export_entity(engine, "workers", out, lang) == len(rows)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.reader(handle))
    header = exported[0]
    by_id = {r[header.index(sheet.cell(1, 1).value)]: r for r in exported[1:]}
    for row in rows:
        got = by_id[_text(row["external_id"])]
        for name, value in row.items():
            assert got[fields.index(name)] == _text(value), (name, value)
    engine.dispose()


def test_templates_explain_every_column_in_both_languages(tmp_path: Path) -> None:
    for lang in ("es", "en"):
        path = tmp_path / f"facilities-{lang}.xlsx"
        write_template("facilities", path, lang)  # type: ignore[arg-type]
        book = openpyxl.load_workbook(path)
        about, data = book.worksheets[0], book.worksheets[1]
        assert about.title == ("instrucciones" if lang == "es" else "instructions")
        headers = [c.value for c in data[1]]
        assert ("Tipo" if lang == "es" else "Type") in headers
        explained = [row[0] for row in about.iter_rows(min_row=5, values_only=True)]
        assert explained == headers
        validations = data.data_validations.dataValidation
        assert any(str(v.sqref).startswith("C2") for v in validations)  # the type drop-down
    csv_template = tmp_path / "workers.csv"
    write_template("workers", csv_template, "en")
    assert csv_template.read_text("utf-8-sig").startswith("Identifier,National id,Sex,")


# -- export, edit, import: exactly the edited cells change (SQLite and PostgreSQL) ---------------

AREA_CODES = [c for c in AREAS["code"] if c != "XX"]
_example = iter(range(10**6))


def _edit_value(draw: st.DrawFn, entity: str, name: str, n: str) -> object:
    """A valid new value for a field, as a person would type it (None: blanked); documents are
    unique (the registry refuses a national id twice), so they carry the example's number."""
    f = ENTITIES[entity].by_name[name]
    values: st.SearchStrategy[object]
    if name == "national_id" or name == "licence_number":
        values = ident.map(lambda s: f"N{n}-{s}")
    elif f.kind == "code":
        assert f.code_list is not None
        values = st.sampled_from(CODE_LISTS[f.code_list].codes)
    elif f.kind == "country":
        values = st.sampled_from(COUNTRIES[:-1])
    elif name == "birth_date":
        values = st.dates(dt.date(1950, 1, 1), dt.date(1979, 12, 31))
    elif name == "qualification_date":
        values = st.dates(dt.date(2000, 1, 1), dt.date(2020, 12, 31))
    elif f.kind == "date":
        values = st.dates(dt.date(2000, 1, 1), dt.date(2023, 12, 31))
    elif name in ("residence_lat", "residence_lon"):
        values = st.floats(-60, 10).map(lambda x: round(x, draw(st.integers(0, 5))) + 0.0)
    elif name == "fte":
        values = st.sampled_from([0.25, 0.5, 0.75, 1.0, 0.125])
    elif f.kind == "bool":
        values = st.booleans()
    elif name == "residence_area":
        values = st.sampled_from(AREA_CODES)
    elif name == "occupation":
        values = st.sampled_from(["2211", "2221", "3221", "2261"])
    else:
        raise AssertionError(f"no edit strategy for {entity}.{name}")
    return draw(values if f.required else st.none() | values)


EDITABLE = {
    "workers": [
        "national_id",
        "sex",
        "birth_date",
        "nationality",
        "birth_country",
        "training_country",
        "occupation",
        "qualification_date",
        "licence_number",
        "licence_status",
        "licence_expiry",
        "residence_area",
        "residence_lat",
        "residence_lon",
        "programme",
        "status",
        "status_date",
    ],
    "posts": ["occupation", "funded", "fte"],
}


def _cell(value: object, xlsx: bool) -> object:
    """How a person types a value into the exported file."""
    if value is None:
        return None if xlsx else ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return value if xlsx else f"{value:.5f}"
    return value


@st.composite
def registries_and_edits(draw: st.DrawFn) -> dict[str, object]:
    n = next(_example)
    workers = draw(worker_rows())
    for row in workers:  # unique ids in this example; birth and qualification kept apart
        row["external_id"] = f"E{n}-{row['external_id']}"
        row["birth_date"] = min(row["birth_date"], dt.date(1979, 12, 31))  # type: ignore[type-var]
        if row["qualification_date"] is not None:
            row["qualification_date"] = max(row["qualification_date"], dt.date(2000, 1, 1))  # type: ignore[type-var]
    entity = draw(st.sampled_from(["workers", "posts"]))
    keys = [str(r["external_id"]) for r in workers]
    if entity == "posts":
        keys = [f"P{n}-{i}" for i in range(len(workers))]
    edits = draw(
        st.lists(
            st.tuples(st.sampled_from(keys), st.sampled_from(EDITABLE[entity])),
            unique=True,
            max_size=6,
        )
    )
    return {
        "workers": workers,
        "entity": entity,
        "keys": keys,
        "edits": {(k, name): _edit_value(draw, entity, name, f"{n}{k}") for k, name in edits},
        "xlsx": draw(st.booleans()),
        "lang": draw(st.sampled_from(["es", "en"])),
    }


def _records(engine: object, entity: str) -> dict[str, dict[str, object]]:
    data = read_entity(engine, entity)  # type: ignore[arg-type]
    key = ENTITIES[entity].key[0]
    names = list(data)
    return {
        str(row[names.index(key)]): dict(zip(names, row, strict=True))
        for row in zip(*data.values(), strict=True)
    }


@pytest.fixture
def edited_registry(db: Engine) -> Registry:
    registry = Registry(db)
    with registry.change(actor="t", source="setup") as change:
        seed_reference(change)
        change.upsert("areas", AREAS)
        change.upsert("facilities", FACILITIES)
    return registry


@settings(
    max_examples=int(os.environ.get("HEALTHFORCE_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=registries_and_edits())
def test_export_edit_import_changes_exactly_the_edited_cells(
    edited_registry: Registry, tmp_path: Path, case: dict[str, Any]
) -> None:
    registry, entity = edited_registry, case["entity"]
    workers = case["workers"]
    with registry.change(actor="t", source="example") as change:
        change.upsert("workers", {k: [r.get(k) for r in workers] for k in workers[0]})
        if entity == "posts":
            change.upsert(
                "posts",
                {
                    "external_id": case["keys"],
                    "facility": ["F1" if i % 2 else "F2" for i in range(len(workers))],
                    "occupation": ["2211"] * len(workers),
                    "fte": [0.5] * len(workers),
                },
            )
    before = _records(registry.engine, entity)
    path = tmp_path / f"export-{next(_example)}.{'xlsx' if case['xlsx'] else 'csv'}"
    export_entity(registry.engine, entity, path, case["lang"])
    spec = ENTITIES[entity]
    names = [f.name for f in spec.fields]
    if case["xlsx"]:
        book = openpyxl.load_workbook(path)
        sheet = book.active
        assert sheet is not None
        rows = {str(r[0].value): r for r in sheet.iter_rows(min_row=2)}
        for (key, name), value in case["edits"].items():
            rows[key][names.index(name)].value = _cell(value, xlsx=True)  # type: ignore[index]
        book.save(path)
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
        at = {r[0]: r for r in table[1:]}
        for (key, name), value in case["edits"].items():
            at[key][names.index(name)] = str(_cell(value, xlsx=False))
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(table)
    report = import_file(registry, entity, path)
    assert report.outcome == "stored", report.problems
    after = _records(registry.engine, entity)
    expected = {k: dict(v) for k, v in before.items()}
    for (key, name), value in case["edits"].items():
        default = spec.by_name[name].default  # a blank cell means the field's default
        expected[key][name] = default if value is None and default is not None else value
    assert after == expected
    changed = {k for k in expected if expected[k] != before[k]}
    assert (report.result.updated, report.result.inserted) == (len(changed), 0)
