"""Tables out as CSV or XLSX, with spreadsheet formula injection neutralised.

A text cell that starts with = + - @ (or a tab or carriage return) would run as a formula when
the file is opened in a spreadsheet; every such cell is written with a leading apostrophe, the
convention spreadsheets use for "this is text". Healthforce's importer removes it again.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from healthforce.reference.codes import Lang
from healthforce.store.registry import id_column, table_of
from healthforce.store.schema import ENTITIES

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def read_entity(engine: Engine, entity: str) -> dict[str, list[object]]:
    """Every record of an entity, column-wise, as the outside world writes it (references by
    natural key, not by internal id), ordered by natural key."""
    spec = ENTITIES[entity]
    table = table_of(spec)
    with engine.connect() as conn:
        keys: dict[str, dict[object, object]] = {}
        for f in spec.fields:
            if f.ref is not None and f.ref.entity not in keys:
                ref_spec = ENTITIES[f.ref.entity]
                ref_table = table_of(ref_spec)
                keys[f.ref.entity] = dict(
                    conn.execute(
                        select(ref_table.c[id_column(f.ref.entity)], ref_table.c[ref_spec.key[0]])
                    ).all()
                )
        rows = conn.execute(select(*(table.c[f.column] for f in spec.fields))).all()
    out: dict[str, list[object]] = {f.name: [] for f in spec.fields}
    refs = [keys[f.ref.entity] if f.ref is not None else None for f in spec.fields]
    decoded = [
        tuple(v if m is None or v is None else m[v] for v, m in zip(row, refs, strict=True))
        for row in rows
    ]
    names = [f.name for f in spec.fields]
    key_at = [names.index(k) for k in spec.key]
    decoded.sort(key=lambda r: tuple(str(r[i]) for i in key_at))
    for row in decoded:
        for f, v in zip(spec.fields, row, strict=True):
            out[f.name].append(v)
    return out


def headers(entity: str, lang: Lang) -> list[str]:
    return [f.es if lang == "es" else f.en for f in ENTITIES[entity].fields]


def _text(value: object) -> object:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_text(value: object) -> object:
    """A cell as CSV text that reads back as it was: a float whose decimals are exactly three
    ("1.234", which an importer must refuse as ambiguous) gets a fourth zero ("1.2340")."""
    if isinstance(value, float):
        s = repr(value)
        decimals = s.partition(".")[2]
        return s + "0" if len(decimals) == 3 and decimals.isdigit() else s
    return neutralise(_text(value))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text cells no spreadsheet will evaluate as formulas."""
    out = frame.copy()
    for name in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[name]) or pd.api.types.is_bool_dtype(out[name])):
            out[name] = out[name].map(neutralise)
    return out


def write_table(
    path: Path,
    header: Sequence[str],
    columns: Sequence[Sequence[object]],
    *,
    sheet: str = "datos",
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write columns to CSV (UTF-8 with BOM, so spreadsheets read accents) or XLSX by suffix."""
    rows = zip(*columns, strict=True) if columns else iter(())
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        data = book.create_sheet(sheet)
        data.append(list(header))
        for row in rows:
            data.append([neutralise(_text(v)) for v in row])
        if metadata:
            meta = book.create_sheet("metadata")
            for key, value in metadata.items():
                meta.append([neutralise(key), neutralise(value)])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else csv_text(v) for v in row])


def export_entity(engine: Engine, entity: str, path: Path, lang: Lang = "es") -> int:
    """Write an entity to CSV or XLSX with the template's headers; returns the row count."""
    data = read_entity(engine, entity)
    spec = ENTITIES[entity]
    write_table(path, headers(entity, lang), [data[f.name] for f in spec.fields])
    return len(next(iter(data.values()))) if data else 0
