"""Migration flows: one origin x destination x occupation x year table from the registry's
worker-level movements and from published aggregates (OECD), each figure with its source.

Published figures come from the ``observation`` table, where a revised vintage replaced the old
value on import, so nothing is counted twice. Non-country origins or destinations (OECD "TOT",
"Others n.e.c.", regional aggregates) are kept, marked ``is_country = False``, and never enter
country totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from healthforce.reference.occupations import group_of
from healthforce.store.areas import registry_country
from healthforce.store.models import Movement, Observation, Worker


@dataclass(frozen=True)
class OecdVariable:
    occupation: str  # NHWA group: medical_doctors, nursing
    measure: str  # stock or inflow
    basis: str  # trained (country of training) or born (country of birth)


#: OECD HEALTH_WFMI variable codes (their published meaning).
OECD_VARIABLES: dict[str, OecdVariable] = {
    "FTDS": OecdVariable("medical_doctors", "stock", "trained"),
    "FTDF": OecdVariable("medical_doctors", "inflow", "trained"),
    "FBDS": OecdVariable("medical_doctors", "stock", "born"),
    "FBDF": OecdVariable("medical_doctors", "inflow", "born"),
    "FTNS": OecdVariable("nursing", "stock", "trained"),
    "FTNF": OecdVariable("nursing", "inflow", "trained"),
    "FBNS": OecdVariable("nursing", "stock", "born"),
    "FBNF": OecdVariable("nursing", "inflow", "born"),
}
COLUMNS = [
    "origin",
    "destination",
    "occupation",
    "year",
    "measure",
    "basis",
    "value",
    "source",
    "vintage",
    "is_country",
]


def published_flows(engine: Engine) -> pd.DataFrame:
    """OECD migration figures as flows (destination = the reporting OECD country)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Observation.partner,
                Observation.location,
                Observation.indicator,
                Observation.year,
                Observation.value,
                Observation.source,
                Observation.vintage,
                Observation.partner_is_country,
                Observation.is_country,
            ).where(Observation.source == "OECD", Observation.indicator.in_(list(OECD_VARIABLES)))
        ).all()
    out = []
    for origin, dest, var, year, value, source, vintage, o_country, d_country in rows:
        meaning = OECD_VARIABLES[var]
        out.append(
            (
                origin,
                dest,
                meaning.occupation,
                year,
                meaning.measure,
                meaning.basis,
                value,
                f"{source} HEALTH_WFMI {var}",
                vintage,
                bool(o_country and d_country),
            )
        )
    return pd.DataFrame(out, columns=COLUMNS)


def worker_movements(conn: Connection) -> Sequence[Any]:
    """Entries, emigrations and returns: kind, reason, date, origin and destination country,
    and the worker's occupation and country of training."""
    return conn.execute(
        select(
            Movement.kind,
            Movement.reason,
            Movement.date,
            Movement.origin_country,
            Movement.destination_country,
            Worker.occupation_code,
            Worker.training_country,
        )
        .join(Worker, Worker.id == Movement.worker_id)
        .where(Movement.kind.in_(["entry", "emigration", "return"]))
    ).all()


#: The source of the flows counted from the registry's own movements.
REGISTRY_SOURCE = "registry movements"


def registry_flows(engine: Engine) -> pd.DataFrame:
    """Entries of foreign-trained workers and emigrations, by year, from the registry."""
    home = registry_country(engine) or "???"
    groups = group_of()
    with engine.connect() as conn:
        rows = worker_movements(conn)
    counts: dict[tuple[str, str, str, int, str, str], int] = {}
    for kind, reason, date, origin, dest, occ, _trained in rows:
        group = groups.get(occ, "other")
        if kind == "emigration" and dest:
            key = (home, dest, group, date.year, "outflow", "registry")
        elif kind == "entry" and origin and origin != home:
            basis = "cooperation" if reason == "cooperation_start" else "trained"
            key = (origin, home, group, date.year, "inflow", basis)
        elif kind == "return" and origin:
            key = (origin, home, group, date.year, "return", "registry")
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    out = [
        (o, d, g, y, m, b, float(v), REGISTRY_SOURCE, "current", True)
        for (o, d, g, y, m, b), v in counts.items()
    ]
    return pd.DataFrame(out, columns=COLUMNS)


def flows(engine: Engine) -> pd.DataFrame:
    """Every flow figure, registry and published, each with its source and vintage."""
    parts = [f for f in (registry_flows(engine), published_flows(engine)) if len(f)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)
