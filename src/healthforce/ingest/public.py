"""Import public aggregate series (WHO GHO, World Bank, OECD) beside the registry.

Each figure keeps its source, vintage, comments and flags. A later vintage of the same figure
(source, indicator, location, partner, year) revises its value in place and is never counted
twice; an older vintage never overwrites a newer one (vintages are dates:
:mod:`healthforce.ingest.vintages`). Aggregates (WLD, LCN, "TOT", "Others
n.e.c.") are stored with ``is_country`` / ``partner_is_country`` false so that country totals
leave them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, func, select

from healthforce.errors import FileFormatError, Problem
from healthforce.ingest.importer import ImportReport, insert_run, refusals_recorded, sha256
from healthforce.ingest.sources import (
    Observation,
    Read,
    read_oecd,
    read_who_gho,
    read_worldbank,
)
from healthforce.ingest.vintages import parse_vintage
from healthforce.store.models import Base
from healthforce.store.models import Observation as ObservationRow
from healthforce.store.registry import Change, Registry, WriteResult

Reader = Callable[[Path], Read]

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
#: The source named on the national population taken from the World Bank's series.
WORLD_BANK_POPULATION = "World Bank SP.POP.TOTL"
NO_VINTAGE = (
    "the file does not say when it was published: give --vintage YYYY-MM-DD (the date on the "
    "publisher's page) / el archivo no dice cuándo se publicó: indique --vintage AAAA-MM-DD"
)


def import_public(
    registry: Registry,
    kind: str,
    path: Path,
    *,
    vintage: str | dt.date | None = None,
    actor: str = "system",
) -> ImportReport:
    """Import one public file. Each figure's vintage is the date the file gives it (per row,
    or for the whole file), else ``vintage``; a file with neither is refused. A figure already
    stored from a newer vintage is kept. Every attempt, refused or stored, is in the import
    log; a refused file writes nothing else."""
    if kind not in PUBLIC_SOURCES:
        raise FileFormatError(
            str(path),
            f"unknown source {kind!r}; one of {sorted(PUBLIC_SOURCES)} / fuente desconocida",
        )
    started = dt.datetime.now(dt.UTC)
    digest = sha256(path) if path.is_file() else ""
    report = ImportReport(str(path), "observations", 0, "rejected", WriteResult("observations"))
    with refusals_recorded(registry, report, actor, digest, started):
        given = None if vintage is None else _given(path, vintage)
        found = PUBLIC_SOURCES[kind](path)
        if not found.observations:
            raise FileFormatError(str(path), "no figures in the file / el archivo no tiene cifras")
        default = found.vintage or given
        if default is None and any(o.vintage is None for o in found.observations):
            raise FileFormatError(str(path), NO_VINTAGE)
    if report.problems:
        return report
    observations = found.observations
    report.rows = len(observations)
    dated = [(o, (o.vintage or default)) for o in observations]
    with registry.change(actor=actor, source=f"import {kind} {path.name}") as change:
        stored = _stored_vintages(change.conn, observations)
        kept = [(o, v) for o, v in dated if not _older(v, stored.get(_key(o)))]
        columns: dict[str, list[object]] = {name: [] for name in FIELDS}
        for o, v in kept:
            for name in FIELDS:
                value = v.isoformat() if name == "vintage" and v else getattr(o, name)
                columns[name].append("" if name == "partner" and value is None else value)
        report.result = change.upsert("observations", columns)
        report.result.unchanged += len(observations) - len(kept)
        if kind == "worldbank":
            report.warnings += _national_population(change, kept, str(path))
        report.outcome = "stored"
        report.import_run_id = insert_run(
            change.conn, report, actor, digest, started, change.change_set_id
        )
    return report


def _national_population(
    change: Change, kept: list[tuple[Observation, dt.date | None]], file: str
) -> list[Problem]:
    """The registry's own country's yearly totals (SP.POP.TOTL) as its population, for the
    years no other source (a census, the statistics office) gave; the note that says so."""
    area = Base.metadata.tables["area"]
    pop = Base.metadata.tables["area_population"]
    country = change.conn.execute(
        select(area.c.id, area.c.code, area.c.name).where(area.c.level == "country")
    ).first()
    if country is None:
        return []
    totals = {
        o.year: (o.value, v)
        for o, v in kept
        if o.indicator == "SP.POP.TOTL" and o.location == country.code and o.value is not None
    }
    others = set(
        change.conn.execute(
            select(pop.c.year).where(
                pop.c.area_id == country.id,
                pop.c.sex == "T",
                pop.c.age_band == "total",
                ~func.coalesce(pop.c.source, "").like(f"{WORLD_BANK_POPULATION}%"),
            )
        ).scalars()
    )
    years = sorted(set(totals) - others)
    if not years:
        return []
    change.upsert(
        "population",
        {
            "area": [country.code] * len(years),
            "year": years,
            "sex": ["T"] * len(years),
            "age_band": ["total"] * len(years),
            "population": [round(totals[y][0]) for y in years],
            "source": [
                f"{WORLD_BANK_POPULATION} ({v.isoformat() if v else '?'})"
                for v in (totals[y][1] for y in years)
            ],
        },
    )
    return [
        Problem(
            "population",
            country.code,
            "population",
            None,
            f"{country.name}'s population {years[0]}-{years[-1]} ({len(years)} years) taken from "
            f"this file; years given by another source kept / población de {country.name} "
            f"{years[0]}-{years[-1]} tomada de este archivo; se conservan los años de otra fuente",
            source=file,
        )
    ]


def _given(path: Path, vintage: str | dt.date) -> dt.date:
    try:
        return parse_vintage(vintage)
    except ValueError as exc:
        raise FileFormatError(str(path), f"--vintage {vintage}: {exc}") from None


def _older(vintage: dt.date | None, stored: str | None) -> bool:
    """Whether a figure of ``vintage`` is older than the one stored (kept then)."""
    if stored is None or vintage is None:
        return False
    try:
        return vintage < parse_vintage(stored)
    except ValueError:  # a stored vintage that is no date: the dated figure wins
        return False


def _key(o: Observation) -> tuple[str, str, str, str, int]:
    return (o.source, o.indicator, o.location, o.partner or "", o.year)


def _stored_vintages(
    conn: Connection, observations: list[Observation]
) -> dict[tuple[str, str, str, str, int], str]:
    """The vintage of every figure already stored for the file's sources and indicators."""
    sources = {o.source for o in observations}
    indicators = {o.indicator for o in observations}
    stmt = select(
        ObservationRow.source,
        ObservationRow.indicator,
        ObservationRow.location,
        ObservationRow.partner,
        ObservationRow.year,
        ObservationRow.vintage,
    ).where(ObservationRow.source.in_(sources), ObservationRow.indicator.in_(indicators))
    return {(r[0], r[1], r[2], r[3] or "", r[4]): r[5] for r in conn.execute(stmt)}


#: The public files shipped with the package, with the vintage each copy stands for (the
#: copies carry no date of their own: the year after their last data year, when the publisher
#: releases it; the World Bank's July update).
SHIPPED: tuple[tuple[str, str, str], ...] = (
    ("who-gho", "HWF_0001-0005_medical_doctors.csv", "2022-12-31"),
    ("who-gho", "HWF_0006-0009_nursing_midwifery.csv", "2022-12-31"),
    ("worldbank", "SP.POP.TOTL.csv", "2025-07-01"),
    ("oecd", "HEALTH_WFMI_FTDS_2018_by_origin.csv", "2020-01-01"),
)


def import_shipped(registry: Registry, actor: str = "demo") -> int:
    """Import the shipped public figures (WHO GHO workforce densities, World Bank population,
    OECD foreign-trained doctors by origin), as the demo does so that the migration page and
    the comparisons with WHO have figures. Repeating it changes nothing. Returns the figures
    stored."""
    from healthforce.ingest.sources import packaged

    stored = 0
    for kind, name, vintage in SHIPPED:
        report = import_public(registry, kind, packaged(name), vintage=vintage, actor=actor)
        stored += report.result.inserted + report.result.updated
    return stored
