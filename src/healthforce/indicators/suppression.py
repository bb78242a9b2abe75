"""Small-cell suppression for everything public.

Rule (stated in the metadata of every output): a count of people from 1 to ``threshold - 1``
(default 5) is suppressed (primary suppression), and so is every value computed from a
suppressed count. Then **complementary suppression**: the published table has additive
relations (occupation groups add up to "all"; categories add up to the group's total), and a
suppressed count must not be recoverable from them. Each relation with exactly one suppressed
member gets a second one (the smallest published member); then an exact check solves the
published relations as a linear system, and any suppressed count it still determines gets a
partner in its relation, until none is determined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
RULE = (
    "Counts from 1 to {k} are suppressed, with complementary suppression so that no "
    "suppressed count can be derived from published totals; values computed from a "
    "suppressed count are suppressed. / Se suprimen los conteos de 1 a {k}, con supresión "
    "complementaria; se suprimen los valores calculados con un conteo suprimido."
)


def rule_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    return RULE.format(k=threshold - 1)


@dataclass(frozen=True)
class Relation:
    """Cells (row positions) whose counts add up to ``total`` (a cell, or a published number)."""

    members: tuple[int, ...]
    total: int | None  # row position of the total cell, or None when the total is external


def relations(frame: pd.DataFrame) -> list[Relation]:
    """Additive relations among the numerators of one indicator's rows."""
    out: list[Relation] = []
    f = frame.reset_index(drop=True)
    if (f["grp"] == "all").any():
        for _key, g in f.groupby(["area", "category"]):
            members = tuple(g.index[g["grp"] != "all"])
            total = g.index[g["grp"] == "all"]
            if len(members) > 1 and len(total):
                out.append(Relation(members, int(total[0])))
    if (f["category"] != "").any():
        for _key, g in f.groupby(["area", "grp"]):
            members = tuple(g.index[g["category"] != ""])
            total = g.index[g["category"] == ""]
            if len(members) > 1:
                out.append(Relation(members, int(total[0]) if len(total) else None))
    return out


def determined(suppressed: np.ndarray, rels: list[Relation], n: int) -> list[int]:
    """Suppressed cells whose value the published relations determine (exact linear algebra)."""
    unknown = np.flatnonzero(suppressed)
    if not unknown.size:
        return []
    col = {int(c): i for i, c in enumerate(unknown)}
    rows = []
    for r in rels:  # sum(members) - total = 0, or sum(members) = a published denominator
        vec = np.zeros(unknown.size)
        for m in r.members:
            if m in col:
                vec[col[m]] += 1
        if r.total is not None and r.total in col:
            vec[col[r.total]] -= 1
        if vec.any():
            rows.append(vec)
    if not rows:
        return []
    # A cell is determined when its unit vector lies in the row space of the relations: then
    # its projection onto that space (an orthonormal basis from one SVD) has length one.
    a = np.array(rows)
    _u, sv, vt = np.linalg.svd(a, full_matrices=False)
    tol = sv.max(initial=0.0) * max(a.shape) * np.finfo(float).eps
    basis = vt[sv > tol]
    reach = (basis**2).sum(axis=0)
    return [int(cell) for cell, r in zip(unknown.tolist(), reach, strict=True) if r > 1 - 1e-9]


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The table with suppressed numerators, denominators and values set to missing and a
    ``suppressed`` flag; applied indicator by indicator."""
    parts = [_suppress_one(g, threshold) for _code, g in frame.groupby("code", sort=False)]
    if not parts:
        return frame.assign(suppressed=pd.Series(dtype=bool))
    return pd.concat(parts, ignore_index=True)


def _suppress_one(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    f = frame.reset_index(drop=True).copy()
    n = len(f)
    num = f["numerator"].to_numpy()
    small = (num > 0) & (num < threshold)
    people = ~f["code"].isin(["DENSITY_GINI", "DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL"])
    small &= people.to_numpy()
    rels = relations(f)
    for _ in range(10 * max(n, 1)):
        changed = False
        for r in rels:
            inside = [m for m in r.members if small[m]] + (
                [r.total] if r.total is not None and small[r.total] else []
            )
            if len(inside) == 1:
                candidates = [m for m in r.members if not small[m] and num[m] > 0] or [
                    m for m in r.members if not small[m]
                ]
                if candidates:
                    pick = min(candidates, key=lambda m: (num[m], m))
                    small[pick] = True
                    changed = True
        for cell in determined(small, rels, n):
            rel = next(r for r in rels if cell in r.members or cell == r.total)
            candidates = [m for m in rel.members if not small[m]]
            if candidates:
                small[min(candidates, key=lambda m: (num[m], m))] = True
                changed = True
        if not changed:
            break
    den = f["denominator"].to_numpy()
    small_den = (
        (den > 0)
        & (den < threshold)
        & people.to_numpy()
        & ~f["code"].isin(["DENSITY", "SDG_3C1_DNM", "GRADUATES_PER_100K"]).to_numpy()
    )
    f["suppressed"] = small | small_den
    f.loc[small, "numerator"] = np.nan
    f.loc[small_den, "denominator"] = np.nan
    f.loc[f["suppressed"], "value"] = np.nan
    return f
