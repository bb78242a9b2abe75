"""Round trip: a template filled with generated rows, imported, then exported, gives the same
rows (hypothesis property test), and templates explain every column in both languages."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthforce.exports.tables import export_entity, neutralise
from healthforce.ingest.importer import import_file
from healthforce.ingest.reference import seed_reference
from healthforce.ingest.templates import write_template
from healthforce.reference.codes import CODE_LISTS
from healthforce.reference.occupations import occupations
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.schema import ENTITIES
from tests.store.helpers import AREAS

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
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(neutralise(value))


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
