"""Import a file into the registry: read, map, validate, write, report, record.

Default all-or-nothing: one transaction, and a file with one bad row stores nothing, while every
problem in the file is still reported (file, row, column, value, reason). ``skip_invalid`` stores
the valid rows and reports the rest; ``dry_run`` validates, writes and counts, then rolls everything
back: it leaves nothing, not even a change set or an import record. Every real attempt, stored or
rejected, is recorded in ``import_run`` with the file's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from healthforce.errors import FileFormatError, Problem, ValidationError, duplicate_reason
from healthforce.ingest import facilities, values
from healthforce.ingest.files import RawTable, read_table
from healthforce.ingest.mapping import (
    Mapping,
    check_fields,
    fold,
    header_lookup,
    render,
    template_columns,
)
from healthforce.reference.occupations import isco88_warning
from healthforce.store.models import Base
from healthforce.store.reading import Reading
from healthforce.store.registry import Change, Registry, WriteResult
from healthforce.store.schema import ENTITIES, EntitySpec, Field

CHUNK = 50_000
Progress = Callable[[int, int], None]


def as_list(column: Sequence[object]) -> list[object]:
    """A column as a Python list (Arrow arrays come from large CSV files)."""
    if isinstance(column, pa.Array):
        values: list[object] = column.to_pylist()
        return values
    return list(column)


def _slice(column: Sequence[object], start: int, stop: int) -> Sequence[object]:
    if isinstance(column, pa.Array):
        part: Sequence[object] = column.slice(start, stop - start)
        return part
    return column[start:stop]


def _blank_rows(column: Sequence[object], start: int, rows: set[int]) -> Sequence[object]:
    """The column with the given rows (absolute numbers) blanked out."""
    local = [r - start for r in rows if start <= r < start + len(column)]
    if not local:
        return column
    if isinstance(column, pa.Array):
        mask = np.zeros(len(column), dtype=bool)
        mask[local] = True
        blanked: Sequence[object] = pc.if_else(pa.array(mask), pa.scalar(None, column.type), column)
        return blanked
    out = list(column)
    for i in local:
        out[i] = None
    return out


@dataclass
class ImportReport:
    """What an import did, or would have done."""

    file: str
    entity: str
    rows: int
    outcome: str  # stored, partial, rejected, dry-run
    result: WriteResult
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    import_run_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def map_columns(
    table: RawTable, spec: EntitySpec, mapping: Mapping
) -> tuple[dict[str, Sequence[object]], dict[str, str], list[Problem]]:
    """Field columns from the file's columns; also field -> the file's column, and problems."""
    n = len(table)
    index = {h: i for i, h in enumerate(table.header)}
    problems: list[Problem] = []
    out: dict[str, Sequence[object]] = {}
    origin: dict[str, str] = {}
    if mapping.columns or mapping.constants:
        check_fields(mapping, spec)
        for fname, source in mapping.columns.items():
            missing = [c for c in (template_columns(source) or [source]) if c not in index]
            if missing:
                problems.append(
                    Problem(
                        spec.name,
                        "*",
                        fname,
                        source,
                        f"mapped column(s) {missing} not in the file / columnas ausentes",
                        source=table.file,
                    )
                )
                continue
            out[fname] = (
                render(source, index, [as_list(c) for c in table.columns], n)
                if template_columns(source)
                else table.columns[index[source]]
            )
            origin[fname] = source
    else:
        lookup = header_lookup(spec)
        for i, header in enumerate(table.header):
            found = lookup.get(fold(header))
            if found is None:
                problems.append(
                    Problem(
                        spec.name,
                        "*",
                        header,
                        header,
                        "unknown column (use a mapping file to ignore or "
                        "rename it) / columna desconocida",
                        source=table.file,
                    )
                )
            elif found in out:
                problems.append(
                    Problem(
                        spec.name,
                        "*",
                        header,
                        header,
                        f"second column for field {found!r} / columna repetida",
                        source=table.file,
                    )
                )
            else:
                out[found] = table.columns[i]
                origin[found] = header
    for fname, value in mapping.constants.items():
        out[fname] = [value] * n
        origin[fname] = f"(constant {value!r})"
    for f in spec.fields:
        if f.required and f.name not in out:
            problems.append(
                Problem(
                    spec.name,
                    "*",
                    f.name,
                    None,
                    "required column missing / falta una columna obligatoria",
                    source=table.file,
                )
            )
    for fname, table_ in mapping.recode.items():
        if fname in out:
            recoded = {fold(k): v for k, v in table_.items()}
            out[fname] = [
                recoded.get(fold(str(v)), v) if v is not None else v for v in as_list(out[fname])
            ]
    return out, origin, problems


def reading_for(
    spec: EntitySpec, columns: dict[str, Sequence[object]], mapping: Mapping
) -> Reading:
    """How this file's values are read: numbers for the declared locale (or the separator the
    file's own numbers show), dates in the declared or shown day-month order, text with an
    export's formula neutralisation undone (see :mod:`healthforce.ingest.values`)."""
    locale = mapping.locale
    number_locale = locale or values.LOCALE_OF_DECIMAL.get(mapping.decimal or "")

    def of_kind(*kinds: str) -> list[Sequence[object]]:
        return [c for name, c in columns.items() if spec.by_name[name].kind in kinds]

    decimal = (
        values.decimal_of(number_locale)
        if number_locale
        else values.detect_decimal(of_kind("int", "float"))
    )
    order: values.DateOrder | Literal["?"] | None = None
    if mapping.date_order in ("dmy", "mdy"):
        order = mapping.date_order  # type: ignore[assignment]
    elif locale:
        order = values.date_order_of(locale)
    elif not mapping.date_format:
        order = values.detect_date_order(of_kind("date"))

    def prepare(f: Field, column: list[object]) -> list[object]:
        if f.kind in ("int", "float"):
            return [values.number(v, number_locale, decimal) for v in column]
        if f.kind == "date":
            return [values.date(v, mapping.date_format, order) for v in column]
        return [values.text(v) for v in column]

    return Reading(prepare=prepare, date_format=mapping.date_format, decimal=decimal)


def _derived_areas(table: RawTable, mapping: Mapping) -> dict[str, list[object]]:
    index = {h: i for i, h in enumerate(table.header)}
    n = len(table)
    plain = [as_list(c) for c in table.columns]
    out: dict[str, list[object]] = {"code": [], "name": [], "level": [], "parent": []}
    seen: set[object] = set()
    for level in mapping.areas:
        codes = render(level.code, index, plain, n)
        names = render(level.name, index, plain, n)
        parents = render(level.parent, index, plain, n) if level.parent else [None] * n
        for code, name, parent in zip(codes, names, parents, strict=True):
            if code is None or code in seen:
                continue
            seen.add(code)
            for k, v in zip(out, (code, name, level.level, parent), strict=True):
                out[k].append(v)
    return out


def _locate(
    problems: list[Problem], table: RawTable, origin: dict[str, str], offset: int = 0
) -> list[Problem]:
    """Problems with the file, the row number the user sees, and the file's column."""
    rows = table.rows
    return [
        p.numbered(lambda i: rows[i + offset], table.file, origin.get(p.field, p.field))
        for p in problems
    ]


def import_file(
    registry: Registry,
    entity: str,
    path: Path,
    *,
    mapping: Mapping | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: str = "system",
    progress: Progress | None = None,
    fail_after_rows: int | None = None,
) -> ImportReport:
    """Import ``path`` into ``entity``. Raises FileFormatError for an unreadable file; returns a
    report (outcome "rejected" with every problem) for a readable file with bad rows.

    ``fail_after_rows`` raises RuntimeError after that many rows were written (tests use it to
    show that a crash in the middle of a load leaves the database as it was)."""
    if entity not in ENTITIES:
        raise FileFormatError(
            str(path), f"unknown entity {entity!r}; one of {sorted(ENTITIES)} / entidad desconocida"
        )
    mapping = mapping or Mapping()
    digest = sha256(path) if path.is_file() else ""
    table = read_table(
        path, delimiter=mapping.delimiter, encoding=mapping.encoding, sheet=mapping.sheet
    )
    return import_table(
        registry,
        entity,
        table,
        mapping=mapping,
        digest=digest,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        actor=actor,
        progress=progress,
        fail_after_rows=fail_after_rows,
    )


def import_table(
    registry: Registry,
    entity: str,
    table: RawTable,
    *,
    mapping: Mapping,
    digest: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: str = "system",
    progress: Progress | None = None,
    fail_after_rows: int | None = None,
    before: dict[str, list[object]] | None = None,
    problems: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
) -> ImportReport:
    """Import a table already read (from a CSV or XLSX file, or a geographic file's attributes)
    under the registry importer's contract: every problem located, nothing written unless the
    whole table is valid (or ``skip_invalid``), every attempt logged. ``before`` are area rows
    written first in the same change set; ``problems`` and ``warnings`` are the reader's own,
    already located (a geometry that cannot be repaired, one that was)."""
    spec = ENTITIES[entity]
    path = Path(table.file)
    started = dt.datetime.now(dt.UTC)
    if not len(table):
        raise FileFormatError(
            str(path),
            "the file has a header but no data rows / el archivo "
            "tiene encabezado pero ninguna fila",
        )
    columns, origin, file_problems = map_columns(table, spec, mapping)
    generated: list[Problem] = []
    if spec.name == "facilities":
        table, mapping, generated = facilities.with_codes(table, mapping, columns)
        if generated:
            columns, origin, file_problems = map_columns(table, spec, mapping)
    notes = [
        Problem(spec.name, "*", col, None, note, row=row, source=table.file)
        for row, col, note in table.notes
    ] + list(problems)
    report = ImportReport(
        str(path),
        entity,
        len(table),
        "rejected",
        WriteResult(entity),
        warnings=generated + list(warnings) + _warnings(spec, columns, table, origin),
    )
    if spec.name == "facilities" and origin.get("area") != facilities.AREA:
        report.warnings += facilities.outside_every_area(registry.engine, table, columns, origin)
    if file_problems or (notes and not skip_invalid):
        report.problems = file_problems + notes
        if not dry_run:
            report.import_run_id = record_attempt(registry, report, actor, digest, started, None)
        return report
    derived = _derived_areas(table, mapping) if mapping.areas else None
    bad_note_rows = {p.row for p in notes}
    keep = [i for i, r in enumerate(table.rows) if r not in bad_note_rows] if notes else []
    if notes and len(keep) < len(table):
        columns = {k: [as_list(v)[i] for i in keep] for k, v in columns.items()}
        table = RawTable(table.file, table.header, [], [table.rows[i] for i in keep])
    try:
        source = f"import {entity} {path.name}"
        with registry.change(actor=actor, source=source, dry_run=dry_run) as change:
            for rows in (before, derived):
                if rows is not None:
                    change.upsert("areas", rows)
            total = _write_chunks(
                change,
                spec,
                columns,
                table,
                origin,
                report,
                progress,
                fail_after_rows,
                reading_for(spec, columns, mapping),
            )
            report.result = total
            report.problems = notes + report.problems
            if report.problems and not skip_invalid:
                raise ValidationError(report.problems)
            report.outcome = "dry-run" if dry_run else "partial" if report.problems else "stored"
            if not dry_run:
                report.import_run_id = insert_run(
                    change.conn, report, actor, digest, started, change.change_set_id
                )
    except ValidationError as exc:
        report.outcome = "rejected"
        report.problems = exc.problems
    if report.import_run_id is None and not dry_run:
        report.import_run_id = record_attempt(registry, report, actor, digest, started, None)
    return report


def _write_chunks(
    change: Change,
    spec: EntitySpec,
    columns: dict[str, Sequence[object]],
    table: RawTable,
    origin: dict[str, str],
    report: ImportReport,
    progress: Progress | None,
    fail_after_rows: int | None,
    reading: Reading,
) -> WriteResult:
    n = len(table)
    total = WriteResult(spec.name)
    duplicates = _duplicates_across_chunks(spec, columns, n) if n > CHUNK else []
    report.problems.extend(_locate(duplicates, table, origin))
    dup_rows = {p.row for p in duplicates if p.row is not None}
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        part = {k: _blank_rows(_slice(v, start, stop), start, dup_rows) for k, v in columns.items()}
        try:
            result = change.upsert(spec.name, part, skip_invalid=True, reading=reading)
        except ValidationError as exc:  # refused by the database: located in the file
            raise ValidationError(_locate(exc.problems, table, origin, start)) from None
        for name in ("inserted", "updated", "unchanged", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        own = [p for p in result.problems if p.row is None or p.row + start not in dup_rows]
        report.problems.extend(_locate(own, table, origin, start))  # duplicates said already
        done = min(n, start + CHUNK)
        if progress is not None:
            progress(done, n)
        if fail_after_rows is not None and done >= fail_after_rows:
            raise RuntimeError(f"simulated crash after {done} rows")
    return total


def _duplicates_across_chunks(
    spec: EntitySpec, columns: dict[str, Sequence[object]], n: int
) -> list[Problem]:
    key = columns.get(spec.key[0])
    if len(spec.key) == 1 and isinstance(key, pa.Array):
        trimmed = pc.utf8_trim_whitespace(key)
        if pc.count_distinct(trimmed, mode="all").as_py() == len(trimmed):
            return []  # no key repeats: nothing to look for row by row
    parts = [
        [v.strip() if isinstance(v, str) else v for v in as_list(columns[k])]
        if k in columns
        else [None] * n
        for k in spec.key
    ]
    keys = list(zip(*parts, strict=True))
    first: dict[tuple[object, ...], int] = {}
    out = []
    for i, k in enumerate(keys):
        if k in first and i // CHUNK != first[k] // CHUNK and None not in k:
            out.append(
                Problem(
                    spec.name,
                    "/".join(map(str, k)),
                    spec.key[0],
                    k[0],
                    duplicate_reason(first[k]),
                    row=i,
                    duplicate_of=first[k],
                )
            )
        first.setdefault(k, i)
    return out


def _warnings(
    spec: EntitySpec, columns: dict[str, Sequence[object]], table: RawTable, origin: dict[str, str]
) -> list[Problem]:
    out: list[Problem] = []
    if spec.name == "facilities":
        lat = as_list(columns["latitude"]) if "latitude" in columns else None
        codes = as_list(columns.get("code", [None] * len(table)))
        for i, row in enumerate(table.rows):
            if lat is None or lat[i] in (None, ""):
                out.append(
                    Problem(
                        spec.name,
                        str(codes[i]),
                        origin.get("latitude", "latitude"),
                        None,
                        "no coordinates: kept, flagged / sin coordenadas: se guarda, marcado",
                        row=row,
                        source=table.file,
                    )
                )
    occ = columns.get("occupation")
    if occ is not None:
        seen = pc.unique(occ).to_pylist() if isinstance(occ, pa.Array) else occ
        warning = isco88_warning({str(v).strip() for v in seen if v is not None})
        if warning:
            out.append(
                Problem(
                    spec.name,
                    "*",
                    origin.get("occupation", "occupation"),
                    None,
                    warning,
                    source=table.file,
                )
            )
    return out


def insert_run(
    conn: Connection,
    report: ImportReport,
    actor: str,
    digest: str,
    started: dt.datetime,
    change_set_id: int | None,
) -> int:
    r = report.result
    row = {
        "change_set_id": change_set_id,
        "at": started,
        "actor": actor,
        "entity": report.entity,
        "file_name": Path(report.file).name,
        "file_sha256": digest,
        "outcome": report.outcome,
        "rows": report.rows,
        "inserted": r.inserted,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "invalid": len({p.row for p in report.problems}) if report.problems else 0,
        "message": "; ".join(str(p) for p in report.problems[:3]) or None,
    }
    table = Base.metadata.tables["import_run"]
    return int(conn.execute(table.insert().values(row).returning(table.c.id)).scalar_one())


@contextmanager
def refusals_recorded(
    registry: Registry, report: ImportReport, actor: str, digest: str, started: dt.datetime
) -> Iterator[None]:
    """Reading a file under the importer's contract: a ValidationError becomes the report's
    problems (the caller then returns the rejected report), a FileFormatError its one problem
    and is raised again; either attempt is in the import log."""
    try:
        yield
    except ValidationError as exc:
        report.problems = exc.problems
        report.import_run_id = record_attempt(registry, report, actor, digest, started, None)
    except FileFormatError as exc:
        report.problems = [Problem(report.entity, "*", "*", None, exc.reason, source=report.file)]
        record_attempt(registry, report, actor, digest, started, None)
        raise


def record_attempt(
    registry: Registry,
    report: ImportReport,
    actor: str,
    digest: str,
    started: dt.datetime,
    change_set_id: int | None,
) -> int:
    """Record an attempt that stored nothing, in its own small transaction."""
    if report.outcome == "rejected":
        report.result = WriteResult(report.entity)
    with registry.engine.begin() as conn:
        return insert_run(conn, report, actor, digest, started, change_set_id)
