"""The registry's migration figures as the public sees them: read off the protected indicator
releases (:mod:`healthforce.disclosure`), never counted again.

The entries, foreign-trained entries and emigrations of a year are cells of that year's
release (``ENTRY_RATE``'s, ``FOREIGN_SHARE_OF_ENTRANTS``'s and ``EMIGRATION_RATE``'s
numerators at country level), protected there with every other figure they are linked to; a
table counted apart and suppressed on its own would publish a count the release withholds, or
give away one through a margin. So a withheld row stays withheld here, and nothing is derived
from it. Returns are among the entries (the release counts them together); the migration
report's internal edition (``--internal``) has them apart.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from healthforce.errors import OutsideDataError
from healthforce.indicators.releases import latest_release, public_year
from healthforce.indicators.series import years_for
from healthforce.reference.countries import country_name
from healthforce.reference.occupations import CORE_GROUPS

#: The release's indicators the public migration figures are read from.
FLOW_CODES = ("ENTRY_RATE", "FOREIGN_SHARE_OF_ENTRANTS", "EMIGRATION_RATE")
#: The release's indicators the public shares trained and born abroad are read from.
SHARE_CODES = (
    "DENSITY",
    "PCT_FOREIGN_TRAINED",
    "PCT_FOREIGN_BORN",
    "TRAINING_COUNTRY_RECORDED",
    "BIRTH_COUNTRY_RECORDED",
)
#: The columns of :func:`foreign_shares`.
SHARE_COLUMNS = [
    "year",
    "group",
    "workers",
    "foreign_trained_pct",
    "training_country_known_pct",
    "foreign_born_pct",
    "birth_country_known_pct",
]

YEARLY_COLUMNS = [
    "year",
    "group",
    "entries",
    "entry_rate",
    "foreign_trained_entries",
    "foreign_share_of_entries",
    "emigrations",
    "emigration_rate",
]


def _value(row: Any, column: str) -> float | None:
    """A published figure, or None when the row is withheld (or absent)."""
    if row is None or bool(row["suppressed"]):
        return None
    v = row[column]
    return None if pd.isna(v) else float(v)


def _rows(release: pd.DataFrame, codes: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    """The country's rows of ``codes`` without a category, by (code, year, group)."""
    t = release[
        (release["level"] == "country")
        & release["code"].isin(codes)
        & (release["category"].fillna("") == "")
    ]
    return {(r["code"], int(r["year"]), r["grp"]): r for r in t.to_dict("records")}


def _groups(release: pd.DataFrame) -> list[str]:
    """The occupation groups of a release, core groups first, "all" last."""
    present = set(release["grp"].dropna().astype(str))
    core = [g for g in CORE_GROUPS if g in present]
    rest = sorted(present - set(core) - {"all"})
    return [*core, *rest, *(["all"] if "all" in present else [])]


def yearly_flows(release: pd.DataFrame) -> pd.DataFrame:
    """Per year and occupation group: entries (returns included) and their rate per 100
    workers, foreign-trained entries and their share of entries, emigrations and their rate,
    each None where the release withholds it. ``release`` holds the published rows of one or
    more years' releases (at least the country's :data:`FLOW_CODES`)."""
    rows = _rows(release, FLOW_CODES)
    years = sorted({y for _c, y, _g in rows})
    out = []
    for year in years:
        for group in _groups(release[release["year"] == year]):
            entry = rows.get(("ENTRY_RATE", year, group))
            foreign = rows.get(("FOREIGN_SHARE_OF_ENTRANTS", year, group))
            emigration = rows.get(("EMIGRATION_RATE", year, group))
            if entry is None and foreign is None and emigration is None:
                continue
            out.append(
                {
                    "year": year,
                    "group": group,
                    "entries": _value(entry, "numerator"),
                    "entry_rate": _value(entry, "value"),
                    "foreign_trained_entries": _value(foreign, "numerator"),
                    "foreign_share_of_entries": _value(foreign, "value"),
                    "emigrations": _value(emigration, "numerator"),
                    "emigration_rate": _value(emigration, "value"),
                }
            )
    return pd.DataFrame(out, columns=YEARLY_COLUMNS)


def foreign_shares(release: pd.DataFrame) -> pd.DataFrame:
    """Per occupation group, the workers at year end and the shares trained and born abroad
    (percent of those whose country is recorded), each beside its coverage (percent of the
    workers whose country is recorded), as the year's release publishes them (None where it
    withholds them)."""
    rows = _rows(release, SHARE_CODES)
    years = sorted({y for _c, y, _g in rows})
    out = []
    for year in years[-1:]:
        for group in _groups(release[release["year"] == year]):
            density = rows.get(("DENSITY", year, group))
            if density is None:
                continue
            out.append(
                {
                    "year": year,
                    "group": group,
                    "workers": _value(density, "numerator"),
                    "foreign_trained_pct": _value(
                        rows.get(("PCT_FOREIGN_TRAINED", year, group)), "value"
                    ),
                    "training_country_known_pct": _value(
                        rows.get(("TRAINING_COUNTRY_RECORDED", year, group)), "value"
                    ),
                    "foreign_born_pct": _value(
                        rows.get(("PCT_FOREIGN_BORN", year, group)), "value"
                    ),
                    "birth_country_known_pct": _value(
                        rows.get(("BIRTH_COUNTRY_RECORDED", year, group)), "value"
                    ),
                }
            )
    return pd.DataFrame(out, columns=SHARE_COLUMNS)


def countries_of_training(release: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Per occupation group, the foreign-trained workers by country of training as the release
    publishes them (``PCT_FOREIGN_TRAINED``'s categories; withheld countries left out, with
    their total kept in one row "withheld"), largest first."""
    t = release[
        (release["level"] == "country")
        & (release["code"] == "PCT_FOREIGN_TRAINED")
        & (release["category"].fillna("") != "")
    ]
    out: list[dict[str, object]] = []
    for (year, group), part in t.groupby(["year", "grp"], sort=True):
        shown = part[~part["suppressed"].astype(bool)].sort_values(
            ["numerator", "category"], ascending=[False, True]
        )
        if top is not None:
            shown = shown.head(top)
        out.extend(
            {
                "year": int(str(year)),
                "group": group,
                "country": r["category"],
                "workers": float(r["numerator"]),
                "pct_of_workforce": float(r["value"]),
            }
            for r in shown.to_dict("records")
        )
    return pd.DataFrame(out, columns=["year", "group", "country", "workers", "pct_of_workforce"])


def public_flows(
    engine: Engine,
    read: Callable[[int, str, list[str]], pd.DataFrame] | None = None,
    has_release: Callable[[int], bool] | None = None,
) -> tuple[pd.DataFrame, list[int]]:
    """:func:`yearly_flows` of the years the public sees, and which of them are provisional:
    of the last ten years, the published ones, and the latest always (provisional when it has
    no release yet, protected whole as a release would be); years neither published nor latest
    are left out rather than protected on the fly one by one. A registry without dated data has
    none. ``read`` (year, level, codes) and ``has_release`` default to the store's
    (:func:`~healthforce.indicators.releases.public_year`, the latest release); the site passes
    its cached ones."""
    try:
        years = list(years_for(engine, None, None))
    except OutsideDataError:
        return pd.DataFrame(columns=YEARLY_COLUMNS), []
    if read is None:
        read = functools.partial(public_year, engine)
    if has_release is None:
        has_release = functools.partial(_has_release, engine)
    shown = [y for y in years if has_release(y)]
    provisional = [] if years[-1] in shown else [years[-1]]
    parts = [read(y, "country", list(FLOW_CODES)) for y in shown + provisional]
    return yearly_flows(pd.concat(parts, ignore_index=True)), provisional


def _has_release(engine: Engine, year: int) -> bool:
    return latest_release(engine, year) is not None


#: The WHO Code's National Reporting Instrument's occupations, as release groups.
NRI_GROUPS = {"doctors": "medical_doctors", "nurses": "nursing", "midwives": "midwifery"}


def public_nri(release: pd.DataFrame, home: str | None) -> dict[str, object]:
    """The migration data the National Reporting Instrument asks for, as one year's release
    publishes them at country level (None where it withholds a figure)."""
    codes = (*SHARE_CODES, "FOREIGN_SHARE_OF_ENTRANTS")
    rows = _rows(release, codes)
    years = sorted({y for _c, y, _g in rows})
    if not years:
        return {"reporting_country": home, "year": None}
    year = years[-1]
    training = countries_of_training(release[release["year"] == year], top=5)
    section: dict[str, object] = {"reporting_country": home, "year": year}
    for label, group in NRI_GROUPS.items():
        top = training[training["group"] == group]
        section[label] = {
            "stock": _value(rows.get(("DENSITY", year, group)), "numerator"),
            "foreign_trained": _value(rows.get(("PCT_FOREIGN_TRAINED", year, group)), "numerator"),
            "foreign_born": _value(rows.get(("PCT_FOREIGN_BORN", year, group)), "numerator"),
            "training_country_known": _value(
                rows.get(("TRAINING_COUNTRY_RECORDED", year, group)), "numerator"
            ),
            "birth_country_known": _value(
                rows.get(("BIRTH_COUNTRY_RECORDED", year, group)), "numerator"
            ),
            "top_countries_of_training": [
                {
                    "country": r["country"],
                    "name": country_name(r["country"], "en"),
                    "workers": r["workers"],
                }
                for r in top.to_dict("records")
            ],
            "foreign_trained_entries_in_year": _value(
                rows.get(("FOREIGN_SHARE_OF_ENTRANTS", year, group)), "numerator"
            ),
        }
    return section
