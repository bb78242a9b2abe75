"""Readers for public workforce and population series: WHO GHO, World Bank, OECD.

Each reader turns one publisher's CSV layout into :class:`Observation` rows and nothing more;
storing them is the importers' job. Readers cope with the real files' quirks: BOMs, sparse
series, regional aggregates beside countries, non-country origins such as "TOT".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure: ``indicator`` for ``location`` in ``year``.

    ``partner`` is the second place of a bilateral figure (an OECD origin country);
    ``is_country`` is False for aggregates (WLD, LCN, TOT, "Others n.e.c.").
    """

    source: str
    indicator: str
    location: str
    year: int
    value: float
    partner: str | None = None
    is_country: bool = True
    partner_is_country: bool = True
    comment: str | None = None
    flag: str | None = None
    low: float | None = None
    high: float | None = None


def packaged(name: str) -> Path:
    """Path of a data file shipped inside the package."""
    return Path(str(resources.files("healthforce.data").joinpath(name)))


def _text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _float(s: str | None) -> float | None:
    if s is None or not s.strip():
        return None
    return float(s)


def read_who_gho(path: Path) -> Iterator[Observation]:
    """WHO GHO CSV in either published layout: legacy "Athena" or the current portal export."""
    from healthforce.reference.countries import is_country

    reader = csv.DictReader(io.StringIO(_text(path)))
    fields = reader.fieldnames or []
    if "GHO (CODE)" in fields:
        for r in reader:
            value = _float(r["Numeric"])
            if value is None:
                continue
            loc = r["COUNTRY (CODE)"] or r["REGION (CODE)"]
            yield Observation(
                "WHO GHO",
                r["GHO (CODE)"],
                loc,
                int(r["YEAR (CODE)"]),
                value,
                is_country=bool(r["COUNTRY (CODE)"]) and is_country(loc),
                comment=r.get("Comments") or None,
                low=_float(r.get("Low")),
                high=_float(r.get("High")),
            )
    elif "IndicatorCode" in fields:
        for r in reader:
            value = _float(r.get("FactValueNumeric"))
            if value is None:
                continue
            loc = r["SpatialDimValueCode"]
            yield Observation(
                "WHO GHO",
                r["IndicatorCode"],
                loc,
                int(r["Period"]),
                value,
                is_country=r.get("Location type") == "Country" and is_country(loc),
                comment=r.get("FactComments") or None,
                low=_float(r.get("FactValueNumericLow")),
                high=_float(r.get("FactValueNumericHigh")),
            )
    else:
        raise ValueError(f"{path}: not a WHO GHO export (no 'GHO (CODE)' or 'IndicatorCode')")


def read_worldbank(path: Path, indicator: str = "SP.POP.TOTL") -> Iterator[Observation]:
    """World Bank indicator CSV in long form (Country Name, Country Code, Year, Value)."""
    from healthforce.reference.countries import is_country

    reader = csv.DictReader(io.StringIO(_text(path)))
    if not {"Country Code", "Year", "Value"} <= set(reader.fieldnames or []):
        raise ValueError(f"{path}: not a long-form World Bank CSV (Country Code, Year, Value)")
    for r in reader:
        value = _float(r["Value"])
        if value is None:
            continue
        code = r["Country Code"]
        yield Observation(
            "World Bank", indicator, code, int(r["Year"]), value, is_country=is_country(code)
        )


def read_oecd(path: Path) -> Iterator[Observation]:
    """OECD HEALTH_WFMI CSV: destination COU, origin CO2, variable VAR, year YEA."""
    from healthforce.reference.countries import is_country

    reader = csv.DictReader(io.StringIO(_text(path)))
    if not {"COU", "CO2", "VAR", "YEA", "Value"} <= set(reader.fieldnames or []):
        raise ValueError(f"{path}: not an OECD HEALTH_WFMI CSV (COU, CO2, VAR, YEA, Value)")
    for r in reader:
        value = _float(r["Value"])
        if value is None:
            continue
        yield Observation(
            "OECD",
            r["VAR"],
            r["COU"],
            int(r["YEA"]),
            value,
            partner=r["CO2"],
            is_country=is_country(r["COU"]),
            partner_is_country=is_country(r["CO2"]),
            flag=r.get("Flag Codes") or None,
        )
