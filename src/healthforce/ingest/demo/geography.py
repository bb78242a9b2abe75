"""The demo country's areas: Venezuela's real state boundaries, synthetic state populations.

State populations are SYNTHETIC. Method (documented in docs/demo.md): the World Bank national
total of each year is shared among states in proportion to

    weight = area_km2 ** 0.3 * exp(-max(0, 10.5 - latitude) / 1.5)

(latitude of a point inside the state, in degrees). Most Venezuelans live along the northern
coast and mountains; the weight gives the north its people and the large southern states few,
as in reality, without pretending to be a census. The Federal Dependencies (islands) get 0.01 %.
Each state's total is split by sex and five-year age band with one synthetic pyramid.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pycountry
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from healthforce.geo.sphere import EARTH_KM
from healthforce.ingest.demo.calibration import COUNTRY, Calibration
from healthforce.ingest.sources import packaged
from healthforce.reference.codes import AGE_BAND

BOUNDARIES = "VEN_ADM1_simplified.geojson"
CAPITAL = "VE-A"
ISLANDS = "VE-W"
FEMALE_SHARE = 0.503


@dataclass(frozen=True)
class State:
    code: str
    name: str
    geometry: BaseGeometry
    lat: float
    lon: float
    area_km2: float
    share: float
    boundary: str


def _official_name(code: str, fallback: str) -> str:
    sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return str(sub.name) if sub is not None else fallback


def load_states() -> list[State]:
    """The 25 first-level areas with official names (ISO 3166-2) and synthetic shares."""
    collection = json.loads(packaged(BOUNDARIES).read_text("utf-8"))
    raw = []
    for feature in collection["features"]:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        point = geom.representative_point()
        lat, lon = point.y, point.x
        deg2_to_km2 = (math.pi * EARTH_KM / 180) ** 2 * math.cos(math.radians(lat))
        raw.append(
            (
                props["shapeISO"],
                _official_name(props["shapeISO"], props["shapeName"]),
                geom,
                lat,
                lon,
                geom.area * deg2_to_km2,
                json.dumps(feature["geometry"]),
            )
        )
    weights = [
        km2**0.3 * math.exp(-max(0.0, 10.5 - lat) / 1.5) for _c, _n, _g, lat, _lon, km2, _b in raw
    ]
    total = sum(w for r, w in zip(raw, weights, strict=True) if r[0] != ISLANDS)
    states = []
    for r, w in zip(raw, weights, strict=True):
        share = 0.0001 if r[0] == ISLANDS else w / total * (1 - 0.0001)
        states.append(State(r[0], r[1], r[2], r[3], r[4], r[5], share, r[6]))
    return sorted(states, key=lambda s: s.code)


def pyramid() -> dict[str, float]:
    """Synthetic age structure (share of population by five-year band), sums to 1."""
    bands = [b for b in AGE_BAND.codes if b != "total"]
    mids = np.array([2.5 + 5 * i for i in range(len(bands))])
    w = np.exp(-0.013 * mids) * np.where(mids > 55, np.exp(-0.045 * (mids - 55)), 1.0)
    w = w / w.sum()
    return dict(zip(bands, w.tolist(), strict=True))


def area_columns(states: list[State]) -> dict[str, list[object]]:
    country = pycountry.countries.get(alpha_3=COUNTRY)
    cols: dict[str, list[object]] = {
        "code": [COUNTRY],
        "name": [country.name if country else COUNTRY],
        "level": ["country"],
        "parent": [None],
        "centroid_lat": [None],
        "centroid_lon": [None],
        "urban_rural": [None],
        "boundary": [None],
    }
    for s in states:
        cols["code"].append(s.code)
        cols["name"].append(s.name)
        cols["level"].append("state")
        cols["parent"].append(COUNTRY)
        cols["centroid_lat"].append(round(s.lat, 6))
        cols["centroid_lon"].append(round(s.lon, 6))
        cols["urban_rural"].append(
            "urban"
            if s.code in (CAPITAL, "VE-X", "VE-M", "VE-G")
            else "rural"
            if s.code in ("VE-Z", "VE-Y", "VE-C", ISLANDS)
            else "mixed"
        )
        cols["boundary"].append(s.boundary)
    return cols


def population_columns(
    states: list[State], cal: Calibration, first_year: int
) -> dict[str, list[object]]:
    """Totals for every year since ``first_year``; sex x age band for the latest year."""
    cols: dict[str, list[object]] = {
        k: [] for k in ("area", "year", "sex", "age_band", "population", "source")
    }
    source = "SYNTHETIC demo allocation of World Bank SP.POP.TOTL"

    def add(area: str, year: int, sex: str, band: str, value: int) -> None:
        for k, v in zip(cols, (area, year, sex, band, value, source), strict=True):
            cols[k].append(v)

    bands = pyramid()
    for year, national in sorted(cal.population_by_year.items()):
        if year < first_year:
            continue
        add(COUNTRY, year, "T", "total", national)
        for s in states:
            total = round(national * s.share)
            add(s.code, year, "T", "total", total)
            if year == cal.latest_year:
                for sex, sex_share in (("F", FEMALE_SHARE), ("M", 1 - FEMALE_SHARE)):
                    for band, band_share in bands.items():
                        add(s.code, year, sex, band, round(total * sex_share * band_share))
    return cols
