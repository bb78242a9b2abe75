"""Inputs of the access analysis from the registry: population as weighted points, and which
facilities have their team norm met on a date.

Population points: each state's population spread over points drawn uniformly inside its
boundary (a fixed seed; 200 points per state), or at its centroid when it has no boundary. A
documented approximation until a population grid is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
from shapely.geometry import shape
from sqlalchemy import Engine, func, select

from healthforce.geo.shapes import points_in
from healthforce.store.models import (
    Area,
    AreaPopulation,
    Assignment,
    Facility,
    Post,
    TeamNorm,
)
from healthforce.store.models.workforce import assignment_open_on

POINTS_PER_AREA = 200


@dataclass(frozen=True)
class Points:
    lat: np.ndarray
    lon: np.ndarray
    pop: np.ndarray
    area: np.ndarray


@dataclass(frozen=True)
class Sites:
    codes: list[str]
    lat: np.ndarray
    lon: np.ndarray
    missing: np.ndarray


def population_year(engine: Engine, day: dt.date) -> int | None:
    """The population year to weigh coverage on ``day``: the latest one the registry holds up
    to the year before, or else the latest one at all."""
    with engine.connect() as conn:
        before = conn.execute(
            select(func.max(AreaPopulation.year)).where(AreaPopulation.year < day.year)
        ).scalar()
        latest = conn.execute(select(func.max(AreaPopulation.year))).scalar()
    found = before if before is not None else latest
    return None if found is None else int(found)


def population_points(engine: Engine, year: int, seed: int = 0) -> Points:
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Area.code,
                Area.boundary,
                Area.centroid_lat,
                Area.centroid_lon,
                AreaPopulation.population,
            )
            .join(AreaPopulation, AreaPopulation.area_id == Area.id)
            .where(
                Area.level == "state",
                AreaPopulation.year == year,
                AreaPopulation.sex == "T",
                AreaPopulation.age_band == "total",
            )
        ).all()
    lat, lon, pop, area = [], [], [], []
    for code, boundary, clat, clon, people in rows:
        if boundary:
            pts = points_in(shape(json.loads(boundary)), POINTS_PER_AREA, rng)
        elif clat is not None and clon is not None:
            pts = np.array([[clat, clon]])
        else:
            continue
        lat.append(pts[:, 0])
        lon.append(pts[:, 1])
        pop.append(np.full(len(pts), people / len(pts)))
        area.append(np.full(len(pts), code, dtype=object))
    if not lat:
        empty = np.zeros(0)
        return Points(empty, empty, empty, np.zeros(0, dtype=object))
    return Points(
        np.concatenate(lat), np.concatenate(lon), np.concatenate(pop), np.concatenate(area)
    )


def staffed_facilities(
    engine: Engine, occupations: list[str] | None, on: dt.date
) -> tuple[Sites, Sites]:
    """(facilities whose team norm is met, facilities short of it with their missing count);
    ``occupations`` limits the norm to those occupations (default: the whole norm)."""
    with engine.connect() as conn:
        norms = conn.execute(
            select(TeamNorm.facility_type, TeamNorm.occupation_code, TeamNorm.headcount)
        ).all()
        facilities = conn.execute(
            select(
                Facility.id, Facility.code, Facility.type, Facility.latitude, Facility.longitude
            ).where(Facility.status == "open", Facility.latitude.is_not(None))
        ).all()
        staff = conn.execute(
            select(Post.facility_id, Post.occupation_code)
            .join(Assignment, Assignment.post_id == Post.id)
            .where(
                assignment_open_on(on),
            )
        ).all()
    norm: dict[str, dict[str, int]] = {}
    for ftype, occ, head in norms:
        if occupations is None or occ in occupations:
            norm.setdefault(ftype, {})[occ] = head
    count: dict[tuple[int, str], int] = {}
    for fid, occ in staff:
        count[(fid, occ)] = count.get((fid, occ), 0) + 1
    ok: list[tuple[str, float | None, float | None]] = []
    short: list[tuple[str, float | None, float | None, int]] = []
    for fid, code, ftype, lat, lon in facilities:
        need = norm.get(ftype)
        if not need:
            continue
        missing = sum(max(0, h - count.get((fid, o), 0)) for o, h in need.items())
        if missing == 0:
            ok.append((code, lat, lon))
        else:
            short.append((code, lat, lon, missing))
    return (
        Sites(
            [r[0] for r in ok],
            np.array([r[1] for r in ok]),
            np.array([r[2] for r in ok]),
            np.zeros(len(ok)),
        ),
        Sites(
            [r[0] for r in short],
            np.array([r[1] for r in short]),
            np.array([r[2] for r in short]),
            np.array([r[3] for r in short]),
        ),
    )
