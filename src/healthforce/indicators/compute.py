"""Run the catalogue: a tidy table of indicators, one row per code x area x group x category.

Columns: code, year, level, area, grp, category, numerator, denominator, value. Occupation
groups are summed into "all" where an indicator is by group. Distribution indicators (highest /
lowest area density, urban / rural ratio, Gini across areas) and the median age are derived
here from the catalogue's counts, identically on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from healthforce.indicators import summary, templates
from healthforce.indicators.backends import Source, connect
from healthforce.indicators.catalogue import CATALOGUE, Context
from healthforce.store.timeline import Coverage, check_year

COLUMNS = ["code", "year", "level", "area", "grp", "category", "numerator", "denominator", "value"]
DERIVED = ("DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL", "DENSITY_GINI", "MEDIAN_AGE")


def _value(frame: pd.DataFrame, scale: float) -> pd.Series:
    den = frame["denominator"].astype(float)
    return (frame["numerator"].astype(float) / den.where(den != 0) * scale).astype(float)


def tidy(frame: pd.DataFrame, code: str, level: str) -> pd.DataFrame:
    """An indicator's counts (``year``, ``area``, ``grp``, ``category``, ``numerator``,
    ``denominator``) as catalogue rows: unknowns named, the groups summed into "all", the
    value."""
    ind = CATALOGUE[code]
    keys = ["year", "area", "grp", "category", "numerator", "denominator"]
    frame = frame.reindex(columns=keys).copy()
    frame["year"] = frame["year"].astype("int64")
    frame["grp"] = frame["grp"].fillna("other")
    frame["area"] = frame["area"].fillna("?")
    frame["category"] = frame["category"].fillna("")
    frame["numerator"] = frame["numerator"].fillna(0).astype("int64")
    frame["denominator"] = frame["denominator"].fillna(0).astype("int64")
    if ind.by_group and len(frame):
        # "all" groups: numerators add up per category; the denominator is each group's total
        # (the same on every category row of a group), added over groups once, or the
        # population, which is the same for every group.
        per_group = frame.drop_duplicates(["year", "area", "grp"]).groupby(["year", "area"])
        if ind.per_population:
            denominators = per_group["denominator"].first()
        else:
            denominators = per_group["denominator"].sum()
        total = frame.groupby(["year", "area", "category"], as_index=False)["numerator"].sum()
        total = total.join(denominators, on=["year", "area"])
        total["denominator"] = total["denominator"].astype("int64")
        total["grp"] = "all"
        frame = pd.concat([frame, total], ignore_index=True)
    frame["value"] = _value(frame, ind.scale)
    frame.insert(0, "code", code)
    frame.insert(2, "level", level)
    out: pd.DataFrame = frame[COLUMNS]
    return out


def derived(density: pd.DataFrame, urban_rural: dict[str, str], level: str) -> pd.DataFrame:
    """Distribution of density across areas, for each year and group: highest / lowest (the
    category names the two areas), urban / rural, and the population-weighted Gini index."""
    rows: list[dict[str, object]] = []
    for (year, grp), d in density.groupby(["year", "grp"]):
        d = d[d["denominator"] > 0]
        if d.empty:
            continue
        dens = d["numerator"] / d["denominator"]
        top, low = d.loc[dens.idxmax()], d.loc[dens.idxmin()]  # type: ignore[call-overload]
        rows.append(
            {
                "code": "DENSITY_MAX_MIN",
                "year": year,
                "grp": grp,
                "category": f"{top['area']}/{low['area']}",
                "numerator": int(top["numerator"]) * int(low["denominator"]),
                "denominator": int(low["numerator"]) * int(top["denominator"]),
            }
        )
        kind = d["area"].map(urban_rural)
        u, r = d[kind == "urban"], d[kind == "rural"]
        if len(u) and len(r):
            rows.append(
                {
                    "code": "DENSITY_URBAN_RURAL",
                    "year": year,
                    "grp": grp,
                    "category": "",
                    "numerator": int(u["numerator"].sum()) * int(r["denominator"].sum()),
                    "denominator": int(r["numerator"].sum()) * int(u["denominator"].sum()),
                }
            )
        rows.append(
            {
                "code": "DENSITY_GINI",
                "year": year,
                "grp": grp,
                "category": "",
                "numerator": int(d["numerator"].sum()),
                "denominator": int(d["denominator"].sum()),
                "value": gini(d["numerator"].to_numpy(float), d["denominator"].to_numpy(float)),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["code", "year", "grp", "category", "numerator", "denominator", "value"]
    )
    ratio = frame["numerator"] / frame["denominator"].where(frame["denominator"] != 0)
    frame["value"] = frame["value"].where(frame["code"] == "DENSITY_GINI", ratio)
    frame["area"] = "all areas"
    frame["level"] = level
    return frame[COLUMNS]


def gini(workers: np.ndarray, population: np.ndarray) -> float:
    """Population-weighted Gini index of density across areas (0 = equal, 1 = concentrated):
    one minus twice the area under the Lorenz curve of workers against population, areas
    sorted by density."""
    order = np.argsort(workers / population)
    w, p = workers[order], population[order]
    cw = np.concatenate([[0], np.cumsum(w) / w.sum()]) if w.sum() else np.zeros(len(w) + 1)
    cp = np.concatenate([[0], np.cumsum(p) / p.sum()])
    return float(1 - np.sum((cp[1:] - cp[:-1]) * (cw[1:] + cw[:-1])))


def median_age(hist: pd.DataFrame, level: str) -> pd.DataFrame:
    """Median age by year, area and group, from the age histogram (``year``, ``area``,
    ``grp``, ``age``, ``n``; exact for whole years): the mean of the ages at the two middle
    positions, found on the running count of each histogram."""
    hist = hist.copy()
    hist["grp"] = hist["grp"].fillna("other")
    hist["n"] = hist["n"].astype("int64")
    everyone = hist.groupby(["year", "area", "age"], as_index=False)["n"].sum()
    hist = pd.concat([hist, everyone.assign(grp="all")], ignore_index=True)
    keys = ["year", "area", "grp"]  # workers of unknown age are left out, counted or not
    totals = hist["n"].where(hist["age"].notna(), 0).groupby([hist[k] for k in keys]).sum()
    totals = totals.rename("total")
    known = hist.dropna(subset=["age"]).sort_values([*keys, "age"], ignore_index=True)
    known["running"] = known.groupby(keys)["n"].cumsum()
    size = known.groupby(keys)["n"].transform("sum")
    middle = []
    for position in ((size + 1) // 2, size // 2 + 1):
        reached = known[known["running"] >= position]
        middle.append(reached.groupby(keys)["age"].min())
    median = ((middle[0] + middle[1]) / 2).rename("value")
    out = totals.to_frame().join(median).reset_index()
    return pd.DataFrame(
        {
            "code": "MEDIAN_AGE",
            "year": out["year"].astype("int64"),
            "level": level,
            "area": out["area"],
            "grp": out["grp"],
            "category": "",
            "numerator": out["total"].astype("int64"),
            "denominator": out["total"].astype("int64"),
            "value": out["value"].astype(float),
        },
        columns=COLUMNS,
    )


def _counts(
    src: Source, parts: list[str], years: Sequence[int], level: str, home: str
) -> dict[str, pd.DataFrame]:
    """Each part's counts for every year (a ``year`` column added): on the store, one query
    per part over the summaries (:mod:`healthforce.indicators.templates`); on Spark, each year's
    inputs computed from the registry's tables and each part run on them."""
    if src.name != "pyspark":
        return {p: templates.fetch(src, p, years, level, home) for p in parts}
    found: dict[str, list[pd.DataFrame]] = {p: [] for p in parts}
    for year in years:
        ctx = Context(src, year, level, home)
        try:
            for part in parts:
                frame = templates.expression(part, ctx).execute()
                found[part].append(frame.assign(year=year))
        finally:
            ctx.release()
    return {p: pd.concat(frames, ignore_index=True) for p, frames in found.items()}


def catalogue(
    engine: Engine,
    years: Sequence[int],
    *,
    level: str = "state",
    codes: list[str] | None = None,
    src: Source | None = None,
) -> pd.DataFrame:
    """The catalogue (or ``codes``) for ``years`` (already checked against the registry's
    data) at one area level, as a tidy DataFrame sorted by code, year, area, group and
    category."""
    own = src is None
    src = src or connect(engine)
    home = summary.home_of(engine)
    wanted = codes or [*CATALOGUE, *DERIVED]
    spread = {"DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL", "DENSITY_GINI"} & set(wanted)
    parts = [c for c in CATALOGUE if c in wanted or (c == "DENSITY" and spread)]
    if "MEDIAN_AGE" in wanted:
        parts.append(templates.AGES)
    try:
        if src.name != "pyspark":  # SQLite, PostgreSQL: the store's summaries
            for year in years:
                summary.current(engine, year, home)
        found = _counts(src, parts, years, level, home)
    finally:
        if own:
            src.close()
    tables = {c: tidy(found[c], c, level) for c in parts if c in CATALOGUE}
    out = [t for c, t in tables.items() if c in wanted]
    if spread:
        extra = derived(tables["DENSITY"], src.urban_rural, level)
        out.append(extra[extra["code"].isin(wanted)])
    if templates.AGES in found:
        out.append(median_age(found[templates.AGES], level))
    filled = [p for p in out if len(p)]
    table = pd.concat(filled, ignore_index=True) if filled else pd.DataFrame(columns=COLUMNS)
    return table.sort_values(["code", "year", "area", "grp", "category"], ignore_index=True)


def compute(
    engine: Engine,
    year: int,
    *,
    level: str = "state",
    codes: list[str] | None = None,
    src: Source | None = None,
    covered: Coverage | None = None,
) -> pd.DataFrame:
    """The catalogue (or ``codes``) for one year at one area level, as a tidy DataFrame. A
    year outside the registry's data is refused (:class:`OutsideDataError`), never computed
    from nothing; ``covered`` is the registry's coverage when the caller has read it already."""
    check_year(engine, year, covered)
    return catalogue(engine, [year], level=level, codes=codes, src=src)
