"""WHO Global Code of Practice on the International Recruitment of Health Personnel.

- The health workforce support and safeguards list is **data**: a TOML file with its source
  and year is loaded (no list is written into the code)::

      source = "WHO health workforce support and safeguards list"
      year = 2023
      countries = ["AAA", "BBB"]

- The density criterion (doctors + nurses + midwives below 49 per 10,000, the 2023 global
  median) is computed from WHO GHO for every country, so a list can be checked against it.
- Recruitment from listed countries is flagged in the registry.
- The migration data section of the National Reporting Instrument (NRI) is pre-filled.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from healthforce.errors import FileFormatError
from healthforce.migration.monitor import active_by_origin
from healthforce.reference.countries import country_name, is_country
from healthforce.store.areas import registry_country
from healthforce.store.models import Movement, Observation, Worker

CRITERION_PER_10K = 49.0
DOCTORS_DENSITY, NURSES_MIDWIVES_DENSITY = "HWF_0001", "HWF_0006"


@dataclass(frozen=True)
class SafeguardsList:
    source: str
    year: int
    countries: frozenset[str]


def load_safeguards_list(path: Path) -> SafeguardsList:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileFormatError(str(path), "no such file / no existe el archivo") from None
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(str(path), f"not valid TOML: {exc}") from None
    for key in ("source", "year", "countries"):
        if key not in data:
            raise FileFormatError(str(path), f"missing {key!r} / falta {key!r}")
    bad = [c for c in data["countries"] if not isinstance(c, str) or not is_country(c)]
    if bad:
        raise FileFormatError(str(path), f"countries: not ISO3 country codes: {bad}")
    return SafeguardsList(
        str(data["source"]), int(data["year"]), frozenset(c.upper() for c in data["countries"])
    )


def density_criterion(engine: Engine, threshold: float = CRITERION_PER_10K) -> pd.DataFrame:
    """Per country: the latest doctors and nurses-and-midwives densities (WHO GHO), their sum,
    and whether it is below the threshold. Aggregates are left out."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Observation.location, Observation.indicator, Observation.year, Observation.value
            ).where(
                Observation.source == "WHO GHO",
                Observation.is_country.is_(True),
                Observation.indicator.in_([DOCTORS_DENSITY, NURSES_MIDWIVES_DENSITY]),
            )
        ).all()
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for loc, ind, year, value in rows:
        if (loc, ind) not in latest or year > latest[(loc, ind)][0]:
            latest[(loc, ind)] = (year, value)
    out = []
    for loc in sorted({k[0] for k in latest}):
        d = latest.get((loc, DOCTORS_DENSITY))
        n = latest.get((loc, NURSES_MIDWIVES_DENSITY))
        total = d[1] + n[1] if d and n else None
        out.append(
            {
                "country": loc,
                "doctors_per_10k": d[1] if d else None,
                "doctors_year": d[0] if d else None,
                "nurses_midwives_per_10k": n[1] if n else None,
                "nurses_midwives_year": n[0] if n else None,
                "total_per_10k": total,
                "below_threshold": None if total is None else total < threshold,
            }
        )
    return pd.DataFrame(out)


def check_list(safeguards: SafeguardsList, criterion: pd.DataFrame) -> pd.DataFrame:
    """Each country on the list or below the threshold: listed, below, and whether they agree."""
    by_country = criterion.set_index("country")
    below = set(criterion[criterion["below_threshold"].fillna(False).astype(bool)]["country"])
    rows = []
    for c in sorted(safeguards.countries | below):
        total = by_country["total_per_10k"].get(c) if c in by_country.index else None
        rows.append(
            {
                "country": c,
                "listed": c in safeguards.countries,
                "below_threshold": c in below,
                "total_per_10k": total,
                "agrees": (c in safeguards.countries) == (c in below),
            }
        )
    return pd.DataFrame(rows)


def recruitment_flags(engine: Engine, safeguards: SafeguardsList) -> pd.DataFrame:
    """Workers recruited (not cooperation) who were trained or born in a listed country, counted
    by country and year of entry."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Worker.training_country, Worker.birth_country, Movement.date)
            .join(Worker)
            .where(Movement.kind == "entry", Movement.reason == "recruitment")
        ).all()
    counts: dict[tuple[str, int], int] = {}
    for trained, born, date in rows:
        hit = (
            trained
            if trained in safeguards.countries
            else (born if born in safeguards.countries else None)
        )
        if hit:
            counts[(hit, date.year)] = counts.get((hit, date.year), 0) + 1
    return pd.DataFrame(
        [
            {
                "country": c,
                "year": y,
                "recruited": n,
                "list": safeguards.source,
                "list_year": safeguards.year,
            }
            for (c, y), n in sorted(counts.items())
        ],
        columns=["country", "year", "recruited", "list", "list_year"],
    )


def nri_migration_section(engine: Engine, year: int) -> dict[str, object]:
    """The migration data the National Reporting Instrument asks for, from the registry."""
    home = registry_country(engine)
    with engine.connect() as conn:
        active = active_by_origin(conn, dt.date(year, 12, 31))
        entries = conn.execute(
            select(Worker.occupation_code, Worker.training_country, func.count())
            .join(Movement)
            .where(Movement.kind == "entry", func.extract("year", Movement.date) == year)
            .group_by(Worker.occupation_code, Worker.training_country)
        ).all()
    section: dict[str, object] = {"reporting_country": home, "year": year}
    for label, codes in (
        ("doctors", {"2211", "2212"}),
        ("nurses", {"2221", "3221"}),
        ("midwives", {"2222", "3222"}),
    ):
        stock = sum(n for occ, _t, _b, n in active if occ in codes)
        trained = [(t, n) for occ, t, _b, n in active if occ in codes and t and t != home]
        born = sum(n for occ, _t, b, n in active if occ in codes and b and b != home)
        trained_known = sum(n for occ, t, _b, n in active if occ in codes and t)
        born_known = sum(n for occ, _t, b, n in active if occ in codes and b)
        by_country: dict[str, int] = {}
        for t, n in trained:
            by_country[t] = by_country.get(t, 0) + n
        top = sorted(by_country.items(), key=lambda kv: -kv[1])[:5]
        section[label] = {
            "stock": stock,
            "foreign_trained": sum(by_country.values()),
            "foreign_born": born,
            "training_country_known": trained_known,  # the rest: unknown, never home
            "birth_country_known": born_known,
            "top_countries_of_training": [
                {"country": c, "name": country_name(c, "en"), "workers": n} for c, n in top
            ],
            "foreign_trained_entries_in_year": sum(
                n for occ, t, n in entries if occ in codes and t and t != home
            ),
        }
    return section
