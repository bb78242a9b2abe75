"""Migration indicators: emigration rate, stock abroad, dependence on foreign-trained and
foreign-born staff, inflows, net migration, international cooperation missions.

Emigration rate (OECD / WHO convention): M / (M + N), with M the workers trained in the country
working in the reporting destinations and N those working at home (WHO GHO, the year nearest to
M's). A figure that cannot be computed says so and why; it is never reported as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from healthforce.migration.flows import flows, worker_movements
from healthforce.reference.occupations import group_of
from healthforce.store.models import Assignment, Movement, Observation, Worker
from healthforce.store.timeline import reference_date, workforce_on

#: WHO GHO series with the number of workers at home, by NHWA group.
HOME_STOCK = {"medical_doctors": "HWF_0002", "nursing": "HWF_0007"}


@dataclass(frozen=True)
class Rate:
    value: float | None
    numerator: float
    denominator: float | None
    year: int | None
    home_year: int | None
    reason: str = ""
    destinations: int = 0  # destinations whose stocks make up the numerator
    first_year: int | None = None  # the oldest of their latest years

    @property
    def computable(self) -> bool:
        return self.value is not None

    @property
    def coverage(self) -> str:
        """Which destinations report, from which years, and why the rate is a floor."""
        if not self.destinations:
            return ""
        years = (
            str(self.year)
            if self.first_year in (None, self.year)
            else f"{self.first_year}-{self.year}"
        )
        return (
            f"{self.destinations} destinations report (latest years {years}); the rate is a "
            f"floor: destinations that do not report are missing / {self.destinations} destinos "
            f"informan (últimos años {years}); la tasa es un mínimo: faltan los que no informan"
        )


def stock_abroad(
    engine: Engine,
    country: str,
    occupation: str = "medical_doctors",
    year: int | None = None,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Workers trained in ``country`` working in each reporting destination (OECD stocks), with
    the year of each figure: ``year``'s, or each destination's latest (destinations report in
    different years; none is dropped for reporting earlier). ``table`` is the flows table when
    the caller has it already."""
    f = flows(engine) if table is None else table
    sel = f[
        (f["origin"] == country)
        & (f["occupation"] == occupation)
        & (f["measure"] == "stock")
        & (f["basis"] == "trained")
        & f["is_country"]
    ]
    if year is not None:
        sel = sel[sel["year"] == year]
    elif len(sel):
        latest = sel.groupby("destination")["year"].transform("max")
        sel = sel[sel["year"] == latest]
    return (
        sel.groupby("destination")
        .agg(value=("value", "sum"), year=("year", "max"), source=("source", "first"))
        .reset_index()
        .sort_values("value", ascending=False, ignore_index=True)
    )


def home_stock(
    engine: Engine, country: str, occupation: str, year: int
) -> tuple[float, int] | None:
    """WHO GHO number of workers at home in the year nearest to ``year``."""
    indicator = HOME_STOCK.get(occupation)
    if indicator is None:
        return None
    with engine.connect() as conn:
        rows = conn.execute(
            select(Observation.year, Observation.value).where(
                Observation.source == "WHO GHO",
                Observation.indicator == indicator,
                Observation.location == country,
            )
        ).all()
    if not rows:
        return None
    best = min(rows, key=lambda r: (abs(r[0] - year), r[0]))
    return float(best[1]), int(best[0])


def emigration_rate(
    engine: Engine,
    country: str,
    occupation: str = "medical_doctors",
    year: int | None = None,
    table: pd.DataFrame | None = None,
) -> Rate:
    """M / (M + N): M the stocks abroad (each destination's latest year, or ``year``'s), N the
    WHO home stock nearest the latest of those years."""
    f = flows(engine) if table is None else table
    abroad = stock_abroad(engine, country, occupation, year, table=f)
    if abroad.empty:
        return Rate(
            None,
            0.0,
            None,
            year,
            None,
            "no stock abroad published for this country / sin datos en el exterior",
        )
    used_year = int(abroad["year"].max())
    first = int(abroad["year"].min())
    m = float(abroad["value"].sum())
    places = len(abroad)
    home = home_stock(engine, country, occupation, used_year)
    if home is None:
        return Rate(
            None,
            m,
            None,
            used_year,
            None,
            "not computable: no home stock (WHO GHO) for this country and occupation / "
            "no calculable: sin dotación nacional",
            places,
            first,
        )
    n, home_year = home
    return Rate(m / (m + n), m, n, used_year, home_year, "", places, first)


def emigration_rates(engine: Engine, occupation: str = "medical_doctors") -> pd.DataFrame:
    """The emigration rate of every origin country in the published stocks."""
    f = flows(engine)
    origins = sorted(
        set(
            f[(f["measure"] == "stock") & f["is_country"] & (f["occupation"] == occupation)][
                "origin"
            ]
        )
    )
    rows = []
    for origin in origins:
        r = emigration_rate(engine, origin, occupation, table=f)
        rows.append(
            {
                "country": origin,
                "abroad": r.numerator,
                "home": r.denominator,
                "year": r.year,
                "home_year": r.home_year,
                "rate": r.value,
                "destinations": r.destinations,
                "coverage": r.coverage or None,
                "note": r.reason or None,
            }
        )
    return pd.DataFrame(rows)


def active_by_origin(conn: Connection, on: dt.date) -> Sequence[Any]:
    """The workforce on ``on`` (from the dated history) counted by occupation, country of
    training and country of birth."""
    present = workforce_on(conn.dialect.name, on)
    return conn.execute(
        select(Worker.occupation_code, Worker.training_country, Worker.birth_country, func.count())
        .where(Worker.id.in_(select(present.c.worker_id)))
        .group_by(Worker.occupation_code, Worker.training_country, Worker.birth_country)
    ).all()


def foreign_shares(engine: Engine, on: dt.date | None = None) -> pd.DataFrame:
    """Share of the workforce on ``on`` (by default the registry's reference date) trained
    abroad and born abroad, by NHWA group: each over the workers whose country is recorded,
    beside that coverage (``training_known``, ``birth_known``: shares of all workers). A
    worker of unrecorded country is unknown, never counted as trained or born at home; a share
    with no recorded country at all is None."""
    home = _home(engine)
    groups = group_of()
    on = on or reference_date(engine)  # never the machine's today
    columns = [
        "group",
        "workers",
        "foreign_trained",
        "training_known",
        "foreign_born",
        "birth_known",
    ]
    if on is None:  # a registry without dated data: no workforce to share out
        return pd.DataFrame(columns=columns)
    with engine.connect() as conn:
        rows = active_by_origin(conn, on)
    table: dict[str, list[float]] = {}
    for occ, trained, born, n in rows:
        t = table.setdefault(groups.get(occ, "other"), [0.0] * 5)
        t[0] += n
        t[1] += n if trained else 0
        t[2] += n if trained and trained != home else 0
        t[3] += n if born else 0
        t[4] += n if born and born != home else 0
    return pd.DataFrame(
        [
            {
                "group": g,
                "workers": v[0],
                "foreign_trained": v[2] / v[1] if v[1] else None,
                "training_known": v[1] / v[0],
                "foreign_born": v[4] / v[3] if v[3] else None,
                "birth_known": v[3] / v[0],
            }
            for g, v in sorted(table.items())
        ],
        columns=columns,
    )


def yearly_migration(engine: Engine) -> pd.DataFrame:
    """Per year and NHWA group: foreign-trained entries (and per 1,000 workers), emigrations,
    returns, net migration, and the foreign-trained share of all entries."""
    home = _home(engine)
    groups = group_of()
    with engine.connect() as conn:
        rows = worker_movements(conn)
        active = dict(
            conn.execute(
                select(Worker.occupation_code, func.count())
                .where(Worker.status.in_(["active", "on_leave"]))
                .group_by(Worker.occupation_code)
            ).all()
        )
    size: dict[str, int] = {}
    for occ, n in active.items():
        size[groups.get(occ, "other")] = size.get(groups.get(occ, "other"), 0) + n
    acc: dict[tuple[int, str], dict[str, float]] = {}
    for kind, _reason, date, origin, _dest, occ, trained in rows:
        key = (date.year, groups.get(occ, "other"))
        a = acc.setdefault(
            key, {"entries": 0, "foreign_trained_entries": 0, "emigrations": 0, "returns": 0}
        )
        if kind == "entry":
            a["entries"] += 1
            if (trained and trained != home) or (origin and origin != home):
                a["foreign_trained_entries"] += 1
        elif kind == "emigration":
            a["emigrations"] += 1
        elif kind == "return":
            a["returns"] += 1
    out = []
    for (year, group), a in sorted(acc.items()):
        inflow = a["foreign_trained_entries"] + a["returns"]
        out.append(
            {
                "year": year,
                "group": group,
                **a,
                "foreign_trained_per_1000": 1000
                * a["foreign_trained_entries"]
                / max(size.get(group, 0), 1),
                "foreign_trained_share_of_entries": a["foreign_trained_entries"] / a["entries"]
                if a["entries"]
                else None,
                "net_migration": inflow - a["emigrations"],
            }
        )
    return pd.DataFrame(out)


def cooperation(engine: Engine) -> pd.DataFrame:
    """International cooperation missions: staff received, by nationality (people, terms
    served, mean term in months), and staff sent, by destination (workers leaving on a mission:
    exits or emigrations whose reason is the start of a cooperation term)."""
    with engine.connect() as conn:
        received = conn.execute(
            select(
                Worker.nationality,
                func.count(func.distinct(Worker.id)),
                func.count(),
                func.avg(Assignment.term_months),
            )
            .join(Assignment, Assignment.worker_id == Worker.id)
            .where(Assignment.contract_type == "cooperation")
            .group_by(Worker.nationality)
        ).all()
        sent = conn.execute(
            select(Movement.destination_country, func.count())
            .where(
                Movement.kind.in_(["exit", "emigration"]), Movement.reason == "cooperation_start"
            )
            .group_by(Movement.destination_country)
        ).all()
    rows = [
        {
            "direction": "received",
            "country": n,
            "staff": int(people),
            "terms": int(terms),
            "mean_term_months": None if m is None else float(m),
        }
        for n, people, terms, m in received
    ]
    rows += [
        {
            "direction": "sent",
            "country": d,
            "staff": int(n),
            "terms": int(n),
            "mean_term_months": None,
        }
        for d, n in sent
    ]
    return pd.DataFrame(
        rows, columns=["direction", "country", "staff", "terms", "mean_term_months"]
    )


def _home(engine: Engine) -> str | None:
    from healthforce.store.areas import registry_country

    return registry_country(engine)


def emigration_scenario(engine: Engine, year: int, path: Path, baseline: dict[str, float]) -> Path:
    """Write a forecast scenario (TOML) whose emigration is that of ``year``: for each ISCO
    occupation, the ratio of that year's recorded emigration rate to the ``baseline`` rate the
    forecast loader estimated (occupation -> rate). The forecast takes it with ``--scenario``."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Worker.occupation_code, func.count())
            .join(Movement)
            .where(Movement.kind == "emigration", func.extract("year", Movement.date) == year)
            .group_by(Worker.occupation_code)
        ).all()
        present = workforce_on(conn.dialect.name, dt.date(year, 12, 31))
        stock = dict(
            conn.execute(
                select(Worker.occupation_code, func.count())
                .where(Worker.id.in_(select(present.c.worker_id)))
                .group_by(Worker.occupation_code)
            ).all()
        )
    emigrated = dict(rows)
    lines = [
        f'name = "Emigration as in {year}"',
        f'description = "Emigration rates of {year} from the migration monitor, relative '
        f'to the baseline estimate"',
        "",
        "[emigration]",
    ]
    for occ, base in sorted(baseline.items()):
        if base > 0 and stock.get(occ):
            factor = emigrated.get(occ, 0) / stock[occ] / base
            lines.append(f'"{occ}" = {factor:.4f}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
