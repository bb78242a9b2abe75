"""Figures derived from several rows, computed again from what a protected release publishes.

A figure computed from true counts can give a withheld one away: the highest / lowest density
is a product of two areas' counts and populations, the Gini index and the urban / rural ratio
are functions of every area's count, and a median age of a small group is a person's age. So:

- highest / lowest density: over the areas whose density is published;
- urban / rural ratio and Gini index: published only when every area's density is, from them;
- median age: published only where its group's workforce is published and counts at least
  ``threshold`` workers of known age, and without its count (workers of unknown age would be
  the difference between two published counts);
- a workforce projection: published only from a base-year headcount that is not a small count,
  and by area only when no area's is (:func:`projections_shown`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthforce.disclosure.audit import small
from healthforce.disclosure.cells import Cells


def derived_figures(
    original: pd.DataFrame,
    protected: pd.DataFrame,
    c: Cells,
    shown: np.ndarray,
    threshold: int,
    urban_rural: dict[str, str],
) -> pd.DataFrame:
    """The derived rows of ``original`` recomputed from the ``protected`` rows."""
    from healthforce.indicators.compute import derived

    codes = set(original["code"])
    parts = []
    spread = {"DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL", "DENSITY_GINI"} & codes
    density = protected[protected["code"] == "DENSITY"]
    for level, rows in density.groupby("level", sort=False):
        published = rows[~rows["suppressed"]]
        extra = derived(published, urban_rural, str(level))
        extra = extra[extra["code"].isin(spread)].copy()
        incomplete = set(rows.loc[rows["suppressed"], ["year", "grp"]].itertuples(index=False))
        whole = extra["code"].isin(["DENSITY_URBAN_RURAL", "DENSITY_GINI"])
        partial = np.array(
            [(y, g) in incomplete for y, g in zip(extra["year"], extra["grp"], strict=True)],
            dtype=bool,
        )
        extra["suppressed"] = whole.to_numpy() & partial
        extra.loc[extra["suppressed"], ["numerator", "denominator", "value"]] = np.nan
        parts.append(extra)
    if "MEDIAN_AGE" in codes:
        parts.append(_median_ages(original[original["code"] == "MEDIAN_AGE"], c, shown, threshold))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _median_ages(rows: pd.DataFrame, c: Cells, shown: np.ndarray, threshold: int) -> pd.DataFrame:
    index = {k: i for i, k in enumerate(c.keys)}
    out = rows.copy()
    keep = []
    for year, area, grp, known in out[["year", "area", "grp", "numerator"]].itertuples(
        index=False, name=None
    ):
        cell = index.get(("workforce", int(year), str(area), str(grp), ""))
        keep.append(known >= threshold and (cell is None or bool(shown[cell])))
    kept = np.array(keep, dtype=bool)
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out.loc[~kept, "value"] = np.nan
    out["suppressed"] = ~kept
    return out


def projections_shown(
    table: pd.DataFrame, base_year: int, threshold: int
) -> tuple[list[str], set[str]]:
    """Of a workforce projection (``scenario``, ``year``, ``occupation``, ``area``,
    ``supply``), the occupations whose projection may be published (national base-year supply
    not a small count: the projection starts from it), and those of them that may also be
    published by area (no area's base-year supply a small count; a breakdown with one
    withheld would give it away as the national figure minus the others)."""
    base = table[(table["scenario"] == "baseline") & (table["year"] == base_year)]
    national = base.groupby("occupation")["supply"].sum()
    shown = sorted(str(o) for o in national.index[~small(national, threshold)])
    small_area = set(base.loc[small(base["supply"], threshold), "occupation"].astype(str))
    return shown, {o for o in shown if o not in small_area}
