"""Import public aggregate series (WHO GHO, World Bank, OECD) beside the registry.

Each figure keeps its source, vintage, comments and flags. A later vintage of the same figure
(source, indicator, location, partner, year) revises its value in place and is never counted
twice; an older vintage never overwrites a newer one. Aggregates (WLD, LCN, "TOT", "Others
n.e.c.") are stored with ``is_country`` / ``partner_is_country`` false so that country totals
leave them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Connection, select

from healthforce.errors import FileFormatError
from healthforce.ingest.importer import ImportReport, insert_run, sha256
from healthforce.ingest.sources import Observation, read_oecd, read_who_gho, read_worldbank
from healthforce.store.models import Observation as ObservationRow
from healthforce.store.registry import Registry, WriteResult

Reader = Callable[[Path], Iterator[Observation]]

#: Public sources by the name the CLI uses (``healthforce import who-gho FILE``).
PUBLIC_SOURCES: dict[str, Reader] = {
    "who-gho": read_who_gho,
    "worldbank": read_worldbank,
    "oecd": read_oecd,
}
FIELDS = (
    "source",
    "indicator",
    "location",
    "partner",
    "year",
    "value",
    "low",
    "high",
    "is_country",
    "partner_is_country",
    "comment",
    "flag",
    "vintage",
)


def import_public(
    registry: Registry,
    kind: str,
    path: Path,
    *,
    vintage: str | None = None,
    actor: str = "system",
    today: dt.date | None = None,
) -> ImportReport:
    """Import one public file; ``vintage`` defaults to the import date (ISO)."""
    if kind not in PUBLIC_SOURCES:
        raise FileFormatError(
            str(path),
            f"unknown source {kind!r}; one of {sorted(PUBLIC_SOURCES)} / fuente desconocida",
        )
    if not path.is_file():
        raise FileFormatError(str(path), "no such file / no existe el archivo")
    started = dt.datetime.now(dt.UTC)
    vintage = vintage or (today or dt.date.today()).isoformat()
    try:
        observations = list(PUBLIC_SOURCES[kind](path))
    except (ValueError, KeyError) as exc:
        raise FileFormatError(str(path), f"cannot read as {kind}: {exc}") from None
    if not observations:
        raise FileFormatError(str(path), "no figures in the file / el archivo no tiene cifras")
    digest = sha256(path)
    report = ImportReport(
        str(path), "observations", len(observations), "rejected", WriteResult("observations")
    )
    with registry.change(actor=actor, source=f"import {kind} {path.name}") as change:
        newer = _newer_vintages(change.conn, observations, vintage)
        kept = [o for o in observations if _key(o) not in newer]
        columns: dict[str, list[object]] = {name: [] for name in FIELDS}
        for o in kept:
            for name in FIELDS:
                value = vintage if name == "vintage" else getattr(o, name)
                columns[name].append("" if name == "partner" and value is None else value)
        report.result = change.upsert("observations", columns)
        report.result.unchanged += len(observations) - len(kept)
        report.outcome = "stored"
        report.import_run_id = insert_run(
            change.conn, report, actor, digest, started, change.change_set_id
        )
    return report


def _key(o: Observation) -> tuple[str, str, str, str, int]:
    return (o.source, o.indicator, o.location, o.partner or "", o.year)


def _newer_vintages(
    conn: Connection, observations: list[Observation], vintage: str
) -> set[tuple[str, str, str, str, int]]:
    """Keys already stored from a vintage newer than the one being imported."""
    sources = {o.source for o in observations}
    indicators = {o.indicator for o in observations}
    stmt = select(
        ObservationRow.source,
        ObservationRow.indicator,
        ObservationRow.location,
        ObservationRow.partner,
        ObservationRow.year,
    ).where(
        ObservationRow.source.in_(sources),
        ObservationRow.indicator.in_(indicators),
        ObservationRow.vintage > vintage,
    )
    return {(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(stmt)}
